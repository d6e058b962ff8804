"""The command reference as Markdown, generated from the click commands (never written by hand).

``docs/cli.md`` holds the output between ``<!-- cli:start -->`` and ``<!-- cli:end -->``; a test
checks that it matches. After changing a command or an option, run::

    .venv/bin/python -m exports.cli.doc --write docs/cli.md
"""

from __future__ import annotations

import importlib
import inspect

import click

from exports.cli.main import COMMANDS, cli
from graphmodel.schema_doc import replace_between, section_between, write_or_print

START = "<!-- cli:start -->"
END = "<!-- cli:end -->"


def _command(name: str) -> click.Command:
    module, attr = COMMANDS[name].split(":")
    cmd = getattr(importlib.import_module(module), attr)
    assert isinstance(cmd, click.Command), name
    return cmd


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def command_markdown(name: str) -> str:
    """One command's section: usage, its help text and a table of its options."""
    cmd = _command(name)
    # the group's context settings (``-h`` beside ``--help``), as when the command runs: click caches a
    # command's help option, so a context without them would document whatever ran first
    parent = click.Context(cli, info_name="campaign-graph", **cli.context_settings)
    ctx = click.Context(cmd, info_name=f"campaign-graph {name}", parent=parent)
    ctx.terminal_width = 10_000
    ctx.max_content_width = 10_000
    usage = " ".join(["campaign-graph", name, *cmd.collect_usage_pieces(ctx)])
    lines = [f"## {name}", "", "```text", usage, "```", ""]
    help_text = inspect.cleandoc(cmd.help or "").split("\f", 1)[0].strip()
    if help_text:
        lines += [help_text, ""]
    rows = [p.get_help_record(ctx) for p in cmd.get_params(ctx) if isinstance(p, click.Option)]
    rows = [r for r in rows if r]
    if rows:
        lines += ["| option | meaning |", "|---|---|"]
        lines += [f"| `{_cell(opts)}` | {_cell(text) or '—'} |" for opts, text in rows]
        lines.append("")
    return "\n".join(lines)


def cli_markdown() -> str:
    """Every command of ``campaign-graph``, in name order."""
    names = sorted(COMMANDS)
    index = ", ".join(f"[`{n}`](#{n})" for n in names)
    parts = [f"Commands: {index}.", ""] + [command_markdown(n) for n in names]
    return "\n".join(parts).rstrip("\n") + "\n"


def page_section(text: str) -> str | None:
    """The text between the markers of a page, or None when the markers are missing."""
    return section_between(text, START, END)


def replace_section(text: str) -> str:
    """``text`` with the part between the markers replaced by :func:`cli_markdown`."""
    return replace_between(text, START, END, cli_markdown())


def main(argv: list[str] | None = None) -> None:
    """Print the command reference, or write it into a page between the markers."""
    write_or_print(argv, cli_markdown, START, END, "command reference", __doc__)


if __name__ == "__main__":  # pragma: no cover
    main()
