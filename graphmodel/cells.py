"""The one cell sanitiser for every table a spreadsheet may open (CSV, XLSX, review and merge files).

Spreadsheet programs run a cell as a formula when its text starts with ``=``, ``+``, ``-``,
``@`` or a tab or line break (OWASP's CSV-injection advice). Such text gets a leading ``'``,
which spreadsheets show as plain text and the table loaders remove again
(``loaders.tables.unquote_cell``). Control characters are looked through *first*: a writer
that removes them afterwards (XML, hence XLSX, cannot hold them) would otherwise turn a
hidden ``\\x01`` before ``=`` into a live formula.
Written here, in ``graphmodel``, because loaders (review files) and exports both write cells.
"""

from __future__ import annotations

import re
from typing import Any

#: a cell whose text (after any leading quotes) starts with one of these is run as a formula
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")

# control characters no spreadsheet or XML 1.0 file can carry as text (tab, LF, CR stay)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def formula_like(text: str) -> bool:
    """Whether a spreadsheet could run ``text`` as a formula: its first character that is
    neither a control character nor a quote is a trigger (control characters are looked
    through first: a writer or a spreadsheet may drop them)."""
    return _CONTROL.sub("", text).lstrip("'").startswith(FORMULA_TRIGGERS)


def cell_text(text: str) -> str:
    r"""``text`` safe for a spreadsheet cell: formula-like text gets a leading ``'``.

    The text is otherwise kept (the loaders' :func:`loaders.tables.unquote_cell` removes the
    quote again, so a round trip is exact); a writer whose format cannot hold control
    characters (XML, XLSX) removes or refuses them after this, and the quote stays first.

    >>> cell_text("=HYPERLINK(1)"), cell_text("\x01=HYPERLINK(1)"), cell_text("-5 %"), cell_text("'=x")
    ("'=HYPERLINK(1)", "'\x01=HYPERLINK(1)", "'-5 %", "''=x")
    >>> cell_text("Acme Steel")
    'Acme Steel'
    """
    return "'" + text if formula_like(text) else text


def cell(value: Any) -> Any:
    """:func:`cell_text` for text; any other value (numbers, None) as is."""
    return cell_text(value) if isinstance(value, str) else value
