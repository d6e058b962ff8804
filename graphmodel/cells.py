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

# control characters no spreadsheet or XML 1.0 file can carry as text (tab, LF, CR stay); the
# class is written in the syntax Python's re and RE2 (pyarrow.compute) both read
_CONTROL_CLASS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f" + "\ufffe\uffff"

#: The rule, written once as one pattern: a spreadsheet could run the text as a formula when its
#: first character that is neither a control character nor a quote is a trigger (control
#: characters are looked through first: a writer or a spreadsheet may drop them). Matched per
#: value by ``re`` (:func:`formula_like`) and per column by Arrow's RE2 (:func:`cell_texts`).
_TRIGGER_CLASS = "".join({"\t": r"\t", "\r": r"\r", "\n": r"\n"}.get(t, re.escape(t)) for t in FORMULA_TRIGGERS)
FORMULA_LIKE = re.compile(f"^[{_CONTROL_CLASS}']*[{_TRIGGER_CLASS}]")


def formula_like(text: str) -> bool:
    r"""Whether a spreadsheet could run ``text`` as a formula (:data:`FORMULA_LIKE`).

    >>> formula_like("=1"), formula_like("\x01'-5"), formula_like("a=1"), formula_like("'")
    (True, True, False, False)
    """
    return FORMULA_LIKE.match(text) is not None


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


def cell_texts(texts: Any) -> Any:
    r""":func:`cell_text` for a whole column: a pyarrow string array in, one out (nulls stay null).

    The same pattern (:data:`FORMULA_LIKE`) run by Arrow over the column, so a table of
    180,000 rows is quoted in milliseconds rather than a Python call per cell.

    >>> import pyarrow as pa
    >>> cell_texts(pa.array(["=1", "Acme", None, "\x01@x", "-5 %"])).to_pylist()
    ["'=1", 'Acme', None, "'\x01@x", "'-5 %"]
    """
    import pyarrow as pa
    import pyarrow.compute as pc  # imported here: loaders and info use this module without Arrow compute

    like = pc.match_substring_regex(texts, FORMULA_LIKE.pattern)
    if not pc.any(like).as_py():  # no formula-like text (or no text at all): nothing to copy
        return texts
    quoted = pc.binary_join_element_wise(pa.scalar("'", texts.type), texts, pa.scalar("", texts.type))
    return pc.if_else(like, quoted, texts)
