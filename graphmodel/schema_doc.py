"""The schema as Markdown tables, for docs/schema.md (generated, never written by hand).

``docs/schema.md`` holds the output between ``<!-- schema:start -->`` and ``<!-- schema:end -->``;
a test checks that it matches. After changing :mod:`graphmodel.schema`, run::

    .venv/bin/python -m graphmodel.schema_doc --write docs/schema.md
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from graphmodel import schema

START = "<!-- schema:start -->"
END = "<!-- schema:end -->"


def _prop_text(name: str, p: schema.Prop) -> str:
    if p.type == "enum":
        t = "one of " + "/".join(p.values)
    elif p.type == "date" and p.end:
        t = "date, partial = end of period"
    else:
        t = p.type
    flags = []
    if p.sensitive:
        flags.append("**sensitive**")
    if p.people_count:
        flags.append("count of people")
    extra = f", {', '.join(flags)}" if flags else ""
    return f"`{name}` ({t}{extra})"


def _props_cell(props: dict[str, schema.Prop] | object) -> str:
    items = list(props.items())  # type: ignore[attr-defined]
    return "; ".join(_prop_text(n, p) for n, p in items) if items else "—"


def _esc(text: str) -> str:
    return text.replace("|", "\\|")


def schema_markdown() -> str:
    """The schema as Markdown: common properties, then one table of node kinds and one of edge kinds.

    Examples
    --------
    >>> md = schema_markdown()
    >>> "| Company |" in md and "| OWNS | Company → Company" in md
    True
    """
    lines = [
        f"Schema version {schema.SCHEMA_VERSION}. Every node has `id`, `kind` and "
        + _esc(_props_cell(schema.COMMON_NODE_PROPS))
        + ".",
        "",
        "Every edge has `id`, `source`, `target`, `kind` and " + _esc(_props_cell(schema.COMMON_EDGE_PROPS)) + ".",
        "",
        "| node kind | what it is | properties |",
        "|---|---|---|",
    ]
    for k in schema.NODE_KINDS.values():
        doc = k.doc + (" — **the whole record is sensitive**" if k.sensitive else "")
        lines.append(f"| {k.name} | {_esc(doc)} | {_esc(_props_cell(k.props))} |")
    lines += ["", "| edge kind | from → to | what it is | properties |", "|---|---|---|---|"]
    for e in schema.EDGE_KINDS.values():
        ends = ", ".join(f"{a} → {b}" for a, b in e.endpoints)
        doc = e.doc + (" — **the whole edge is sensitive**" if e.sensitive else "")
        lines.append(f"| {e.name} | {ends} | {_esc(doc)} | {_esc(_props_cell(e.props))} |")
    lines += [
        "",
        (
            "Types: `str`; `int`; `float`; `bool` (yes/no); `percent` (0–100); `date` (ISO `YYYY-MM-DD`; `YYYY` "
            "and `YYYY-MM` are widened); `list` (`;`-separated in tables). Sensitive fields are dropped by redacted "
            "exports; counts of people under 5 are dropped too."
        ),
        "",
        (
            "Which sites count: coverage and its summaries, maps, `geo`, briefings, leverage and the bargaining "
            "calendar count by default the sites whose `status` is "
            + ", ".join(f"`{s}`" for s in schema.EXISTING_STATUSES)
            + " (workplaces that exist), and sites with no recorded status, shown as `unknown`. "
            + ", ".join(f"`{s}`" for s in schema.SITE_STATUS if s not in schema.DEFAULT_SITE_STATUSES)
            + " sites are left out unless asked for: `--status all`, or a list such as `--status operating,announced` "
            "(Python: `status=\"all\"` or a list). A site listed operating whose `closure_year` has passed by the "
            "query's date gets a `status_note`."
        ),
    ]
    return "\n".join(lines) + "\n"


def section_between(text: str, start: str, end: str) -> str | None:
    """The text between two markers of a page, or None when the markers are missing.

    Shared by every generated section (this schema table, the CLI reference in exports.cli.doc).
    """
    if start not in text or end not in text:
        return None
    return text.split(start, 1)[1].split(end, 1)[0].strip("\n") + "\n"


def replace_between(text: str, start: str, end: str, body: str) -> str:
    """``text`` with the part between the two markers replaced by ``body``."""
    if start not in text or end not in text:
        raise ValueError(f"the page has no {start} ... {end} markers")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}{end}{tail}"


def write_or_print(argv: list[str] | None, body: Callable[[], str], start: str, end: str, what: str, doc: str | None) -> None:
    """The command line of a generated section: print ``body()``, or write it into ``--write PAGE``."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    parser.add_argument("--write", metavar="PAGE", help=f"replace the {what} section of this file")
    args = parser.parse_args(argv)
    if args.write:
        from graphmodel.atomic import atomic_write_text

        p = Path(args.write)
        atomic_write_text(p, replace_between(p.read_text(encoding="utf-8"), start, end, body()))
    else:
        print(body(), end="")


def readme_section(text: str) -> str | None:
    """The text between the schema markers of a page, or None when the markers are missing."""
    return section_between(text, START, END)


def replace_section(text: str) -> str:
    """``text`` with the part between the schema markers replaced by :func:`schema_markdown`."""
    return replace_between(text, START, END, schema_markdown())


def main(argv: list[str] | None = None) -> None:
    """Print the schema tables, or write them into a page between the markers."""
    write_or_print(argv, schema_markdown, START, END, "schema", __doc__)


if __name__ == "__main__":  # pragma: no cover
    main()
