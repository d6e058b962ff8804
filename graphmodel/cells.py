"""The one cell sanitiser for every table a spreadsheet may open (CSV, XLSX, review and merge files).

Spreadsheet programs run a cell as a formula when its text starts with ``=``, ``+``, ``-``,
``@`` or a tab or line break (OWASP's CSV-injection advice). Such text gets a leading ``'``,
which spreadsheets show as plain text and the table loaders remove again
(``loaders.tables.unquote_cell``). Control characters go *first*: removed afterwards (XML,
hence XLSX, cannot hold them) a hidden ``\\x01`` before ``=`` would leave a live formula.
Written here, in ``graphmodel``, because loaders (review files) and exports both write cells.
"""

from __future__ import annotations

import re
from typing import Any

#: a cell whose text (after any leading quotes) starts with one of these is run as a formula
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")

# control characters no spreadsheet or XML 1.0 file can carry as text (tab, LF, CR stay)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def cell_text(text: str) -> str:
    """``text`` safe for a spreadsheet cell: control characters removed, formulas quoted.

    A text already starting with quotes then a trigger gets one more quote, so the loader's
    single-quote removal gives back exactly the text.

    >>> cell_text("=HYPERLINK(1)"), cell_text("\\x01=HYPERLINK(1)"), cell_text("-5 %"), cell_text("'=x")
    ("'=HYPERLINK(1)", "'=HYPERLINK(1)", "'-5 %", "''=x")
    >>> cell_text("Acme\\x07 Steel")
    'Acme Steel'
    """
    text = _CONTROL.sub("", text)
    if text.lstrip("'").startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def cell(value: Any) -> Any:
    """:func:`cell_text` for text; any other value (numbers, None) as is."""
    return cell_text(value) if isinstance(value, str) else value
