"""Reading a terminal table (:func:`exports.tables.format_table`) back into cells, for tests.

The columns are found from the rule under the header (runs of ``─`` or ``-``, two spaces
apart); a row's wrapped lines are joined to it, cell by cell, with one space. Lines
after the last row that are not table lines (footers) and folded lines (``    name: text``)
are left out.
"""

from __future__ import annotations

import re


def _spans(rule: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[─-]+", rule)]


def is_rule(line: str) -> bool:
    """Whether ``line`` is the rule under a table's header."""
    return bool(re.fullmatch(r"[─-]+(  +[─-]+)*", line))


def table_rows(text: str, *, fold: bool = False, anchor: int = 0) -> list[list[str]]:
    """The rows of the first table in ``text`` as lists of cell texts (the header excluded),
    up to a ``not shown`` or ``... more row(s)`` footer; a footer line of other text reads as a
    row of one cell (tests pick rows by their first cell).

    ``fold``: skip folded texts (lines indented by exactly four spaces, the first column being
    wider than that, so a row's own wrapped lines never start there). ``anchor``: the column
    that is blank on a row's wrapped lines and never on its first (a short one that does not
    wrap: a country code, a flag).
    """
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if is_rule(line))
    spans = _spans(lines[at])
    rows: list[list[str]] = []
    for line in lines[at + 1:]:
        if fold and spans[0][1] > 4 and len(line) - len(line.lstrip(" ")) == 4:
            continue
        if not line.strip() or line.startswith(("not shown:", "... ")):
            break
        cells = [line[a:b if k + 1 < len(spans) else None].strip() for k, (a, b) in enumerate(spans)]
        if not cells[anchor] and rows:  # a wrapped line of the row above
            rows[-1] = [f"{x} {y}".strip() for x, y in zip(rows[-1], cells)]
            continue
        rows.append(cells)
    return rows


def header(text: str) -> list[str]:
    """The column names of the first table in ``text``."""
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if is_rule(line))
    spans = _spans(lines[at])
    return [lines[at - 1][a:b if k + 1 < len(spans) else None].strip() for k, (a, b) in enumerate(spans)]
