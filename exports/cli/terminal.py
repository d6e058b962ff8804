"""The one terminal printer: control characters in names and titles are shown, never obeyed.

Kept apart from :mod:`exports.cli.common` so that the entry point imports nothing heavy.
"""

from __future__ import annotations

import io
import re
from typing import Any

# C0 controls but tab and line feed, DEL, and C1 controls (CSI, OSC... as single code points)
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def escape_controls(text: str) -> str:
    """``text`` with control characters shown as ``\\xNN`` (what a terminal may safely print).

    >>> escape_controls("Acme\\x1b]0;pwned\\x07 Steel")
    'Acme\\\\x1b]0;pwned\\\\x07 Steel'
    """
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


class TerminalText(io.TextIOBase):
    """A text stream for a terminal: writes go through :func:`escape_controls` to ``raw``."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    def write(self, text: str) -> int:
        self.raw.write(escape_controls(text))
        return len(text)

    def flush(self) -> None:
        self.raw.flush()

    def isatty(self) -> bool:
        return True

    def fileno(self) -> int:
        return int(self.raw.fileno())

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return str(getattr(self.raw, "encoding", "utf-8"))


# -- terminal tables: one printer and one pair of options for every table command -------------

#: the width of a table that goes to a pipe or a file when COLUMNS does not say
PIPED_WIDTH = 100
#: the narrowest table made, whatever COLUMNS says
MIN_WIDTH = 20
_META = "campaign_graph.table."


def _keep(ctx: Any, param: Any, value: bool) -> bool:
    """Keep a table option in the context's meta (the command's function does not take it)."""
    ctx.meta[_META + param.name] = value
    return value


def wide_option(f: Any) -> Any:
    """``--wide``: every column at full width (added to a command, or to its function, as click's options are)."""
    import click

    return click.option(
        "--wide", is_flag=True, expose_value=False, callback=_keep,
        help="Terminal table: every column at its full width, one line per row, however wide (the terminal or "
             "a pager such as `less -S` scrolls). Default: the key columns, and the others that fit the terminal.",
    )(f)


def reasons_option(f: Any) -> Any:
    """``--reasons``: each row's reasons folded under it."""
    import click

    return click.option(
        "--reasons", is_flag=True, expose_value=False, callback=_keep,
        help="Terminal table: print each row's reasons on indented lines under it, at the terminal's width.",
    )(f)


def table_width(terminal: bool) -> int:
    """The width a table may take: the terminal's (``COLUMNS`` first) on a terminal; else ``COLUMNS``
    or :data:`PIPED_WIDTH`; never below :data:`MIN_WIDTH`."""
    import os
    import shutil

    if terminal:
        return max(MIN_WIDTH, shutil.get_terminal_size((PIPED_WIDTH, 24)).columns)
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    return max(MIN_WIDTH, columns if columns > 0 else PIPED_WIDTH)


#: the columns of long text a table folds under each row (when shown) rather than wrapping them in a column
LONG_TEXTS = ("reason", "reasons", "explanation")


def echo_table(df: Any, *, columns: Any = None, fold: Any = None, **layout: Any) -> None:
    """Print ``df`` as the terminal table of a command (:func:`exports.tables.format_table`).

    The layout follows where the output goes: on a terminal, its width and a ``─`` rule under
    the header; piped or redirected, plain text (a ``-`` rule) at ``COLUMNS`` or 100 columns.
    ``fold`` (default: the :data:`LONG_TEXTS` among ``columns``) are printed under each row: on
    ``--reasons`` for a command that has that option, always for the others (a path's or a
    lever's explanation is its point). ``--wide`` puts every column on one line at full width.
    """
    import sys

    import click

    from exports.tables import format_table

    ctx = click.get_current_context(silent=True)
    meta = ctx.meta if ctx is not None else {}
    names = [str(c) for c in (df.columns if columns is None else columns)]
    terminal = bool(sys.stdout.isatty())
    click.echo(format_table(df, columns=columns, width=table_width(terminal), wide=bool(meta.get(_META + "wide")),
                            reasons=bool(meta.get(_META + "reasons", True)), plain=not terminal,
                            fold=[c for c in names if c in LONG_TEXTS] if fold is None else fold, **layout))


def echo_wrapped(text: str) -> None:
    """Print a line that goes with a table (a summary under it), wrapped at the table's width
    (one line with ``--wide``)."""
    import sys

    import click

    from exports.tables import wrap_text

    ctx = click.get_current_context(silent=True)
    wide = ctx is not None and bool(ctx.meta.get(_META + "wide"))
    click.echo("\n".join(wrap_text(text, None if wide else table_width(bool(sys.stdout.isatty())))))
