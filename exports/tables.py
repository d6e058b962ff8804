"""Query results (DataFrames) to CSV, JSON and Excel files, and to a terminal table.

Every file goes through :mod:`graphmodel.atomic` (temporary file, fsync, replace). Files a
spreadsheet opens (CSV, XLSX) get *formula neutralisation*: a text cell that begins with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with ``'`` so that a
company or site name taken from public data cannot run as a formula (CSV injection, OWASP).
Numbers, negative ones included, are written as numbers and never touched. JSON is not
opened by spreadsheets, so it keeps the values exactly.

List cells (evidence ids, site lists) are joined with ``"; "`` in CSV and XLSX and stay
lists in JSON. Missing values are empty cells (``null`` in JSON); booleans are ``true`` /
``false`` in CSV, as the output contract says.

Every output is made a column at a time (Arrow compute and numpy over each column, one join
per slice of rows), so the CSV or JSON of the 180,000 sites of a million-edge graph takes
about a second rather than a Python call per cell; the bytes are those of ``csv.writer`` and
``json.dumps(..., indent=1)`` (the tests hold them to both).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import chain
from json.encoder import encode_basestring  # json's own string encoder (ensure_ascii=False)
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from graphmodel.atomic import atomic_write
from graphmodel.cells import cell, cell_texts
from graphmodel.errors import CampaignGraphError

FORMATS = ("csv", "json", "xlsx")

# Every output is made a column at a time: a column is split into parts of one kind of value
# each (text, lists of text, booleans, integers, floats, missing, other objects), and each
# format has one rule per kind that reads the whole part (Arrow compute for text and lists,
# a list pass for numbers). Typed columns (numbers, booleans, strings) are one part without a
# Python call per cell; object columns are looked at value by value once, to find their kinds.

_TEXT = pa.large_string()
_LISTS = pa.large_list(_TEXT)


def neutralise(value: Any) -> Any:
    """A value as a spreadsheet cell may hold it (:func:`graphmodel.cells.cell`): text that a
    spreadsheet would read as a formula is quoted, control characters looked through first.

    >>> neutralise("=HYPERLINK(\\"x\\")"), neutralise("-5"), neutralise(-5), neutralise("Site A")
    ('\\'=HYPERLINK("x")', "'-5", -5, 'Site A')
    """
    return cell(value)


def _is_na(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, (list, tuple, dict, set, str, bool, int)):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _plain(value: Any) -> Any:
    """A cell as a JSON-able Python value (numpy scalars, NA, dates, tuples handled)."""
    if _is_na(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(value, (tuple, set)):
        return [_plain(v) for v in value]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (datetime, date, pd.Timestamp)):
        return value.isoformat()
    if isinstance(value, float) and math.isinf(value):
        return None
    return value


@dataclass
class _Part:
    """The rows of one column that hold one kind of value, in the layout that kind's rules read.

    ``kind`` and ``data``: ``text`` (Arrow large_string, null = missing), ``list`` (Arrow
    large_list of large_string: lists of text, null = missing), ``bool`` (Arrow bool, null =
    missing), ``int`` (Arrow int64 or another integer type, null = missing), ``float`` (numpy
    float64, NaN = missing, infinities included), ``na`` (a row count: all missing), ``other`` (plain Python values of no column
    layout: dicts, lists of non-text, other objects) and ``object`` (values a format keeps as
    they are). ``rows``: the part's positions in the column, ``None`` for all of them.
    """

    rows: np.ndarray | None
    kind: str
    data: Any

    def __len__(self) -> int:
        return self.data if self.kind == "na" else len(self.data)


def _floats(v: np.ndarray) -> np.ndarray:
    """Floats with NaN for every missing value, infinities included (JSON and CSV have no infinity)."""
    return np.where(np.isfinite(v), v, np.nan)


def _float_values(v: np.ndarray) -> list[float | None]:
    values = v.tolist()
    for i in np.flatnonzero(np.isnan(v)).tolist():
        values[i] = None
    return values


def _float_texts(v: np.ndarray, fmt: Callable[[float], str], missing: str) -> pa.Array:
    """``fmt`` of each float, called once per distinct value (told apart by their bits, so
    ``0.0`` and ``-0.0`` stay two values); NaN is ``missing``."""
    bits, at = np.unique(v.view(np.int64), return_inverse=True)
    texts = [missing if math.isnan(x) else fmt(x) for x in bits.view(np.float64).tolist()]
    return _texts(texts).take(pa.array(at.ravel()))


def _array(x: Any) -> pa.Array:
    return x.combine_chunks() if isinstance(x, pa.ChunkedArray) else x


def _text_list(lists: list[Any]) -> bool:
    """Whether every value is a list of text (items may be ``None``)."""
    return set(map(type, chain.from_iterable(lists))) <= {str, type(None)}


def _parts(s: pd.Series) -> list[_Part]:
    """The column ``s`` as parts of one kind each; the values are :func:`_plain`'s."""
    dtype = s.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return [_Part(None, "bool", _array(pa.array(s, type=pa.bool_(), from_pandas=True)))]
    if pd.api.types.is_integer_dtype(dtype):
        return [_Part(None, "int", _array(pa.array(s, from_pandas=True)))]
    if pd.api.types.is_float_dtype(dtype):
        return [_Part(None, "float", _floats(s.to_numpy(dtype="float64", na_value=np.nan)))]
    if isinstance(dtype, pd.StringDtype):
        return [_Part(None, "text", _array(pa.array(s, type=_TEXT, from_pandas=True)))]
    values = s.tolist()
    types = set(map(type, values))
    if types <= {str, type(None)}:
        return [_Part(None, "text", pa.array(values, _TEXT))]
    if types <= {list, type(None)} and _text_list(v for v in values if v is not None):
        return [_Part(None, "list", pa.array(values, _LISTS))]
    return _split([_plain(v) for v in values])


def _kind(value: Any) -> str:
    if value is None:
        return "na"
    if isinstance(value, str):  # numpy's str_ too: text is neutralised whatever its class
        return "text"
    t = type(value)
    if t is bool:
        return "bool"
    if t is int:
        return "int" if -(2**63) <= value < 2**63 else "other"  # a bigger one is written as it is
    if t is float:
        return "float"
    if t is list and _text_list([value]):
        return "list"
    return "other"


_LAYOUT: dict[str, Callable[[list[Any]], Any]] = {
    "text": lambda v: pa.array(v, _TEXT),
    "list": lambda v: pa.array(v, _LISTS),
    "bool": lambda v: pa.array(v, pa.bool_()),
    "int": lambda v: pa.array(v, pa.int64()),
    "float": lambda v: np.array(v, dtype="float64"),
    "na": len,
}


def _split(values: list[Any]) -> list[_Part]:
    """Plain values of mixed kinds as one part per kind."""
    groups: dict[str, list[int]] = {}
    for i, v in enumerate(values):
        groups.setdefault(_kind(v), []).append(i)
    return [_Part(np.array(idx) if len(groups) > 1 else None, kind, _LAYOUT.get(kind, list)([values[i] for i in idx]))
            for kind, idx in groups.items()]


def _joined(lists: pa.Array, missing_item: str) -> pa.Array:
    """Each list's items joined with ``"; "`` (a missing item as ``missing_item``); a missing list stays null."""
    lists = _array(lists)
    items = pc.fill_null(lists.values, pa.scalar(missing_item, _TEXT))
    whole = pa.LargeListArray.from_arrays(lists.offsets, items, mask=lists.is_null())
    return pc.binary_join(whole, pa.scalar("; ", _TEXT))


def _cat(*pieces: Any) -> pa.Array:
    """Text arrays and constants joined element-wise (a null stays null)."""
    return pc.binary_join_element_wise(*[pa.scalar(p, _TEXT) if isinstance(p, str) else p for p in pieces],
                                       pa.scalar("", _TEXT))


def _texts(values: list[Any]) -> pa.Array:
    return pa.array(values, _TEXT)


def _spreadsheet(part: _Part) -> list[_Part]:
    """A part as CSV and XLSX cells hold it: text formula-neutralised, lists joined with
    ``"; "`` and neutralised, dicts as JSON text, booleans and numbers as they are."""
    if part.kind == "text":
        return [_Part(part.rows, "text", cell_texts(part.data))]
    if part.kind == "list":
        return [_Part(part.rows, "text", cell_texts(_joined(part.data, "")))]
    if part.kind != "other":
        return [part]
    rows = np.arange(len(part.data)) if part.rows is None else part.rows
    out: list[_Part] = []
    by: dict[str, list[int]] = {"list": [], "dict": [], "object": []}
    for i, v in enumerate(part.data):
        by["list" if isinstance(v, list) else "dict" if isinstance(v, dict) else "object"].append(i)
    if by["list"]:  # lists of numbers, of lists...: each item as text
        lists = [[None if x is None else str(x) for x in part.data[i]] for i in by["list"]]
        out += _spreadsheet(_Part(rows[by["list"]], "list", pa.array(lists, _LISTS)))
    if by["dict"]:
        dicts = [json.dumps(part.data[i], ensure_ascii=False, sort_keys=True) for i in by["dict"]]
        out += _spreadsheet(_Part(rows[by["dict"]], "text", _texts(dicts)))
    if by["object"]:
        out.append(_Part(rows[by["object"]], "object", [part.data[i] for i in by["object"]]))
    return out


# -- the cell of each kind, per format ------------------------------------------------------

def _csv(part: _Part) -> pa.Array:
    """CSV cell text (before CSV quoting): missing is empty, booleans ``true`` / ``false``."""
    k, d = part.kind, part.data
    if k == "text":
        return pc.fill_null(d, pa.scalar("", _TEXT))
    if k == "bool":
        return pc.fill_null(pc.if_else(d, pa.scalar("true", _TEXT), pa.scalar("false", _TEXT)), pa.scalar("", _TEXT))
    if k == "na":
        return _texts([""] * d)
    if k == "float":  # as the csv module writes a float (repr)
        return _float_texts(d, repr, "")
    if k == "int":
        return pc.fill_null(pc.cast(d, _TEXT), pa.scalar("", _TEXT))
    return _texts([str(v) for v in d])  # objects as csv writes them


def _xlsx(part: _Part) -> list[Any]:
    """XLSX cell values: text without the control characters XML cannot hold, cut at Excel's 32,767."""
    k, d = part.kind, part.data
    if k == "text":
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        d = pc.utf8_slice_codeunits(pc.replace_substring_regex(d, ILLEGAL_CHARACTERS_RE.pattern, ""), 0, 32767)
        return d.to_pylist()
    return _plain_values(part)


def _json_text(texts: pa.Array) -> pa.Array:
    """JSON strings as :mod:`json` writes them; text that needs no escape is only quoted, the
    rest goes through json's own encoder."""
    # the characters json.encoder.ESCAPE finds: control characters, quote, backslash
    escape = _holding(texts, lambda b: (b < 0x20) | (b == ord('"')) | (b == ord("\\")))
    out = _cat('"', texts, '"')
    if escape.any():
        encoded = _texts([encode_basestring(t) for t in pc.filter(texts, escape).to_pylist()])
        out = pc.replace_with_mask(out, pa.array(escape), encoded)
    return pc.fill_null(out, pa.scalar("null", _TEXT))


def _json(part: _Part) -> pa.Array:
    """JSON value text as ``json.dumps(..., indent=1)`` writes it inside a record of a list."""
    k, d = part.kind, part.data
    if k == "text":
        return _json_text(d)
    if k == "list":
        lists = _array(d)
        items = _json_text(lists.values)
        body = pc.binary_join(pa.LargeListArray.from_arrays(lists.offsets, items, mask=lists.is_null()),
                              pa.scalar(",\n   ", _TEXT))
        whole = pc.if_else(pc.equal(pc.list_value_length(lists), 0), pa.scalar("[]", _TEXT),
                           _cat("[\n   ", body, "\n  ]"))
        return pc.fill_null(whole, pa.scalar("null", _TEXT))
    if k == "bool":
        return pc.fill_null(pc.if_else(d, pa.scalar("true", _TEXT), pa.scalar("false", _TEXT)),
                            pa.scalar("null", _TEXT))
    if k == "na":
        return _texts(["null"] * d)
    if k == "float":
        return _float_texts(d, repr, "null")
    if k == "int":
        return pc.fill_null(pc.cast(d, _TEXT), pa.scalar("null", _TEXT))
    # dicts, lists of non-text...: json itself, indented two levels deeper (strings hold no raw newline)
    return _texts([json.dumps(v, ensure_ascii=False, indent=1, allow_nan=False).replace("\n", "\n  ") for v in d])


def _shown(part: _Part) -> list[str]:
    """Terminal text: lists joined, missing ``-``, booleans yes / no, floats to 4 significant digits."""
    k, d = part.kind, part.data
    if k == "text":
        return pc.fill_null(d, pa.scalar("-", _TEXT)).to_pylist()
    if k == "list":
        return pc.fill_null(_joined(d, "None"), pa.scalar("-", _TEXT)).to_pylist()
    if k == "bool":
        return ["-" if v is None else "yes" if v else "no" for v in d.to_pylist()]
    if k == "na":
        return ["-"] * d
    if k == "float":
        return _float_texts(d, lambda v: f"{v:.4g}", "-").to_pylist()
    if k == "int":
        return pc.fill_null(pc.cast(d, _TEXT), pa.scalar("-", _TEXT)).to_pylist()
    if k == "other":
        lists = [isinstance(v, list) for v in d]
        if any(lists):  # lists of non-text: each item as text, joined as lists of text are
            joined = iter(_shown(_Part(None, "list", pa.array([[str(x) for x in v] for v in d if isinstance(v, list)],
                                                               _LISTS))))
            return [next(joined) if is_list else str(v) for v, is_list in zip(d, lists)]
    return ["-" if v is None else str(v) for v in d]


def _plain_values(part: _Part) -> list[Any]:
    if part.kind in ("text", "list", "bool", "int"):
        return part.data.to_pylist()
    if part.kind == "float":
        return _float_values(part.data)
    if part.kind == "na":
        return [None] * part.data
    return list(part.data)


def _arrow_column(parts: list[_Part], rule: Callable[[_Part], pa.Array]) -> pa.Array:
    """One format's rule over every part, the results back in row order."""
    if len(parts) == 1 and parts[0].rows is None:
        return _array(rule(parts[0]))
    done = pa.concat_arrays([_array(rule(p)).cast(_TEXT) for p in parts])
    order = np.concatenate([p.rows for p in parts])
    return done.take(pa.array(np.argsort(order, kind="stable")))


def _py_column(parts: list[_Part], rule: Callable[[_Part], list[Any]]) -> list[Any]:
    if len(parts) == 1 and parts[0].rows is None:
        return rule(parts[0])
    out: list[Any] = [None] * sum(len(p) for p in parts)
    for p in parts:
        assert p.rows is not None
        for i, v in zip(p.rows.tolist(), rule(p)):
            out[i] = v
    return out


def _spreadsheet_parts(s: pd.Series) -> list[_Part]:
    return [q for p in _parts(s) for q in _spreadsheet(p)]


def _columns(df: pd.DataFrame, columns: Sequence[str] | None) -> list[str]:
    if columns is None:
        return [str(c) for c in df.columns]
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise CampaignGraphError(f"no such column(s): {', '.join(missing)}")
    return list(columns)


def _series(df: pd.DataFrame, cols: list[str]) -> list[pd.Series]:
    """The selected columns by position (as the rows of ``df[cols]`` read them)."""
    sub = df[cols]
    return [sub.iloc[:, j] for j in range(len(cols))]


def table_records(df: pd.DataFrame, columns: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Rows as plain dicts (the JSON form: lists stay lists, missing is ``None``).

    >>> table_records(pd.DataFrame({"a": [1, None], "b": [["x", "y"], []]}))
    [{'a': 1.0, 'b': ['x', 'y']}, {'a': None, 'b': []}]
    """
    cols = _columns(df, columns)
    values = [_py_column(_parts(s), _plain_values) for s in _series(df, cols)]
    return [dict(zip(cols, row)) for row in zip(*values)] if cols else [{} for _ in range(len(df))]


def write_table(df: pd.DataFrame, path: str | os.PathLike[str], fmt: str | None = None, *,
                columns: Sequence[str] | None = None, sheet: str = "results") -> Path:
    """Write a query result to ``path`` as CSV, JSON (a list of objects) or XLSX, atomically.

    Parameters
    ----------
    df
        The query result; its column order is kept (the contract columns come first).
    path
        File to write; its folder must exist.
    fmt
        ``"csv"``, ``"json"`` or ``"xlsx"``; guessed from the suffix when ``None``.
    columns
        Only these columns, in this order.
    sheet
        Worksheet name for XLSX.

    Returns
    -------
    The path written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "gaps.csv"
    >>> _ = write_table(pd.DataFrame({"site": ["=cmd()"], "workforce": [-3]}), p)
    >>> p.read_text(encoding="utf-8").splitlines()
    ['site,workforce', "'=cmd(),-3"]
    """
    target = Path(path)
    fmt = (fmt or target.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise CampaignGraphError(f"unknown table format {fmt!r} (use {', '.join(FORMATS)})", file=str(target))
    cols = _columns(df, columns)
    if fmt == "json":
        body = _json_body(df, cols)
        with atomic_write(target, "wb") as f:
            for piece in body:
                f.write(piece)
    elif fmt == "csv":
        body = _csv_body(df, cols)
        with atomic_write(target, "wb") as f:
            for piece in body:
                f.write(piece)
    else:
        _write_xlsx(df, cols, target, sheet)
    return target


def _holding(texts: pa.Array, hit: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Which texts hold a byte that ``hit`` marks (ASCII bytes only: in UTF-8 they never occur
    inside another character). One numpy pass over Arrow's data buffer: a regex call per
    row costs six times as much on a 180,000-row table."""
    texts = _array(texts).cast(_TEXT)
    n = len(texts)
    found = np.zeros(n, dtype=bool)
    if not n or texts.buffers()[2] is None:
        return found
    offsets = np.frombuffer(texts.buffers()[1], dtype=np.int64, count=n + 1, offset=texts.offset * 8)
    data = np.frombuffer(texts.buffers()[2], dtype=np.uint8)[offsets[0]:offsets[-1]]
    at = np.flatnonzero(hit(data)) + offsets[0]
    found[np.searchsorted(offsets, at, side="right") - 1] = True
    if texts.null_count:
        found &= texts.is_valid().to_numpy(zero_copy_only=False)
    return found


#: rows joined per slice: a few MB at a time is written from memory Arrow reuses, where one
#: join of the whole table would fault in a fresh buffer of hundreds of MB first
_ROWS_PER_SLICE = 8192


def _joined_rows(pieces: list[Any], end: str, *, cut: int = 0) -> Iterator[memoryview]:
    """The pieces (text arrays and constants) joined row by row, each row ending with ``end``,
    the last ``cut`` bytes of the text left out."""
    n = next(len(p) for p in pieces if not isinstance(p, str))
    for start in range(0, n, _ROWS_PER_SLICE):
        part = [p if isinstance(p, str) else p.slice(start, _ROWS_PER_SLICE) for p in pieces]
        text = _bytes(_cat(*part, end))
        yield text[: len(text) - cut] if start + _ROWS_PER_SLICE >= n else text


def _bytes(texts: pa.Array) -> memoryview:
    """The text of every element of a null-free string array, end to end (Arrow's data buffer)."""
    texts = _array(texts).cast(_TEXT)
    if not len(texts):
        return memoryview(b"")
    offsets = np.frombuffer(texts.buffers()[1], dtype=np.int64, count=len(texts) + 1, offset=texts.offset * 8)
    data = texts.buffers()[2]
    return memoryview(data if data is not None else b"")[int(offsets[0]):int(offsets[-1])]


def _csv_quoted(fields: pa.Array) -> pa.Array:
    """Fields as Python's csv writer (QUOTE_MINIMAL, ``\\r\\n`` rows) writes them: a field
    holding a comma, a quote, CR or LF is quoted, its quotes doubled. Written with Arrow
    because csv.writer costs seconds on 180,000 rows; the tests hold it to csv.writer."""
    need = _holding(fields, lambda b: (b == ord(",")) | (b == ord('"')) | (b == ord("\r")) | (b == ord("\n")))
    if not need.any():
        return fields
    quoted = _cat('"', pc.replace_substring(fields, '"', '""'), '"')
    return pc.if_else(pa.array(need), quoted, fields)


def _csv_body(df: pd.DataFrame, cols: list[str]) -> Iterable[Any]:
    head = io.StringIO()
    csv.writer(head, lineterminator="\r\n").writerow([neutralise(c) for c in cols])  # RFC 4180
    if not len(df):
        return [head.getvalue().encode("utf-8")]
    fields = [_csv_quoted(_arrow_column(_spreadsheet_parts(s), _csv)) for s in _series(df, cols)]
    if len(fields) == 1:  # csv.writer quotes a row of one empty field, which would be a blank line
        fields[0] = pc.if_else(pc.equal(fields[0], ""), pa.scalar('""', _TEXT), fields[0])
    # one pass over the whole text: field, ",", field, ..., "\r\n" for each row
    pieces = [x for f in fields for x in (f, ",")][:-1] if fields else [_texts([""] * len(df))]
    return chain([head.getvalue().encode("utf-8")], _joined_rows(pieces, "\r\n"))


def _json_body(df: pd.DataFrame, cols: list[str]) -> Iterable[Any]:
    """``json.dumps(table_records(df), ensure_ascii=False, indent=1)`` and a newline, a column at a time."""
    if not len(df):
        return [b"[]\n"]
    if not cols:
        return [b"[\n", _bytes(_texts([" {},\n"] * len(df)))[:-2], b"\n]\n"]
    keys = [json.dumps({c: None}, ensure_ascii=False)[1:-len("null}")] for c in cols]  # '"key": '
    values = [_arrow_column(_parts(s), _json) for s in _series(df, cols)]
    # one pass over the whole text: ' {\n  "key": ' value ',\n  "key": ' value ... '\n },\n' for each row
    pieces: list[Any] = []
    for j, (key, v) in enumerate(zip(keys, values)):
        pieces += [(" {\n  " if j == 0 else ",\n  ") + key, v]
    return chain([b"[\n"], _joined_rows(pieces, "\n },\n", cut=2), [b"\n]\n"])  # no comma after the last


def _write_xlsx(df: pd.DataFrame, cols: list[str], target: Path, sheet: str) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=(sheet or "results")[:31])
    header = pd.Series(cols, dtype=object) if cols else pd.Series([], dtype=object)
    ws.append(_py_column(_spreadsheet_parts(header), _xlsx))
    for row in zip(*[_py_column(_spreadsheet_parts(s), _xlsx) for s in _series(df, cols)]):
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    with atomic_write(target, "wb") as f:
        f.write(buf.getvalue())


#: the narrowest a long text column is made before columns are left out (wrapped there, never to
#: a few characters a line)
TEXT_WIDTH = 16
#: the gap between two columns
_GAP = 2
#: how far a folded text (reasons) is indented under its row
_INDENT = 4


def format_table(
    df: pd.DataFrame,
    *,
    columns: Sequence[str] | None = None,
    title: str | None = None,
    max_rows: int | None = None,
    width: int = 160,
    rows: int | None = None,
    key: Sequence[str] | None = None,
    extra: Sequence[str] = (),
    fold: Sequence[str] = (),
    wide: bool = False,
    reasons: bool = False,
    plain: bool = False,
    hints: bool = True,
) -> str:
    """Render ``df`` as a terminal table that fits ``width`` (rich, no colour codes); return the text.

    Lists are joined with ``"; "``, missing values shown as ``-``. The table has no box: a
    header, a rule under it (``─``, or ``-`` when ``plain``: output that is not a terminal)
    and columns two spaces apart; no line is wider than ``width``.

    Columns (``columns``, default all, in that order) are of three sorts:

    * ``key``: always shown (default: every column that is neither ``extra`` nor ``fold``); a
      long text column is wrapped in a column of at least :data:`TEXT_WIDTH` characters, less
      only when the key columns alone need it;
    * ``extra``: shown while they fit beside the key columns, kept in the order given (the
      first is the last left out); a footer line names those left out;
    * ``fold``: long texts (reasons) shown under each row, indented, at the whole width, when
      ``reasons`` is true; else left out (the footer says how to see them).

    ``wide``: every column (``fold`` ones included) at its full width, on one line per row,
    whatever ``width`` says (a pager or the terminal scrolls). ``max_rows`` cuts long results
    and says how many rows were left out; ``rows`` is the number of rows of the whole result
    when ``df`` holds only its first ones (default ``len(df)``). ``hints``: the footers name the
    command-line options (``--wide``, ``--reasons``, ``--format csv``) that show the rest.

    >>> df = pd.DataFrame({"site": ["Site A"], "operator": ["Acme Steel Holding International Ltd"],
    ...                    "cba": ["unknown"], "note": ["long text"]})
    >>> print(format_table(df, width=34, extra=["operator"], fold=["note"], reasons=True))
    site    operator           cba
    ──────  ─────────────────  ───────
    Site A  Acme Steel         unknown
            Holding
            International Ltd
        note: long text
    >>> print(format_table(df, width=30, extra=["operator"], fold=["note"], plain=True))
    site    cba
    ------  -------
    Site A  unknown
    not shown: operator, note
    (--wide shows every column;
    --reasons shows note under
    each row)
    """
    cols = _columns(df, columns)
    folded = [c for c in cols if c in set(fold)]
    optional = [c for c in extra if c in cols and c not in folded]
    keys = [c for c in cols if c not in folded and c not in optional] if key is None else \
        [c for c in cols if c in set(key)]
    shown = df if max_rows is None else df.head(max_rows)
    texts = {c: _py_column(_parts(s), _shown) for c, s in zip(cols, _series(shown, cols))}
    cells = {c: max([0] + [_text_width(t) for t in texts[c]]) for c in cols}
    natural = {c: max(cells[c], _text_width(str(c))) for c in cols}
    # a column needs its longest cell, a long text TEXT_WIDTH (it wraps); a header longer than that
    # wraps between its words ("sites not covered" over a column of numbers)
    need = {c: min(natural[c], max(min(cells[c], TEXT_WIDTH), _longest_word(str(c)))) for c in cols}

    if wide:
        chosen = list(cols)
        widths = {c: natural[c] for c in chosen}
        under: list[str] = []
    else:
        chosen, widths = _fit(cols, keys, optional, natural, need, width)
        under = folded if reasons else []
    left_out = [c for c in cols if c not in chosen and c not in under]
    lines: list[str] = []
    if title is not None:
        lines += wrap_text(title, None if wide else width)
    lines += _render([[str(c) for c in chosen]], chosen, widths, wrap=not wide)
    lines.append((" " * _GAP).join(("-" if plain else "─") * widths[c] for c in chosen))
    body = [[texts[c][i] for c in chosen] for i in range(len(shown))]
    if under:  # each row, then its folded texts under it: one small table per row keeps the columns aligned
        for i, row in enumerate(body):
            lines += _render([row], chosen, widths, wrap=True)
            for c in under:
                text = texts[c][i]
                if text and text != "-":
                    lines += wrap_text(f"{c}: {text}", width, indent=_INDENT)
    elif body:
        lines += _render(body, chosen, widths, wrap=not wide)
    total = len(df) if rows is None else rows
    if max_rows is not None and total > max_rows:
        lines += wrap_text(f"... {total - max_rows} more row(s) not shown"
                           + (" (write them with --format csv -o FILE)" if hints else ""), None if wide else width)
    if left_out:
        how = []
        if hints and any(c not in folded for c in left_out):
            how.append("--wide shows every column")
        if hints and any(c in folded for c in left_out):
            how.append(f"--reasons shows {', '.join(c for c in left_out if c in folded)} under each row")
        note = f"not shown: {', '.join(map(str, left_out))}" + (f" ({'; '.join(how)})" if how else "")
        lines += wrap_text(note, None if wide else width)
    return "\n".join(lines)


def _text_width(text: str) -> int:
    """The terminal cells the longest line of ``text`` takes."""
    from rich.cells import cell_len

    return max((cell_len(line) for line in text.split("\n")), default=0)


def _longest_word(text: str) -> int:
    return max((_text_width(w) for w in text.split()), default=0)


def _fit(cols: list[str], keys: list[str], optional: list[str], natural: dict[str, int], need: dict[str, int],
         width: int) -> tuple[list[str], dict[str, int]]:
    """The columns shown within ``width`` and the width of each.

    Each column takes ``need`` at least (``natural`` is its width unwrapped); the key columns
    are taken first, then the optional ones in their order, each that still fits. The space left
    over widens the wrapped columns; when the key columns alone do not fit, the widest are
    narrowed, one cell at a time, down to 4 at least."""
    def used(cs: Iterable[str]) -> int:
        cs = list(cs)
        return sum(need[c] for c in cs) + _GAP * max(len(cs) - 1, 0)

    chosen = set(keys)
    for c in optional:
        if used(chosen | {c}) <= width:
            chosen.add(c)
    order = [c for c in cols if c in chosen]
    widths = {c: need[c] for c in order}
    room = width - (sum(widths.values()) + _GAP * max(len(order) - 1, 0))
    # the room left: first to the columns it unwraps whole, those lacking least first; then to the
    # others in proportion to what they lack (hand-written: rich would widen every column evenly)
    for c in sorted(order, key=lambda c: natural[c] - widths[c]):
        if 0 < natural[c] - widths[c] <= room:
            room -= natural[c] - widths[c]
            widths[c] = natural[c]
    lacking = {c: natural[c] - widths[c] for c in order if natural[c] > widths[c]}
    if room > 0 and lacking:
        total = sum(lacking.values())
        share = {c: room * d // total for c, d in lacking.items()}
        for c in sorted(lacking, key=lambda c: -lacking[c])[: room - sum(share.values())]:
            share[c] += 1  # what rounding down left, a cell each to those lacking most
        for c, n in share.items():
            widths[c] += n
        room = 0
    while room < 0:  # the key columns alone are too wide: narrow the widest
        widest = max(order, key=lambda c: widths[c])
        if widths[widest] <= 4:
            break
        widths[widest] -= 1
        room += 1
    return order, widths


def _render(rows: list[list[str]], cols: list[str], widths: dict[str, int], *, wrap: bool) -> list[str]:
    """Rows of cells in columns of the given widths, as lines (rich wraps the cells).

    Every text is rich ``Text``: names from public data are shown as they are, never read as
    rich markup or emoji codes ("[/]" in a name would otherwise stop the command, "[b]" vanish)."""
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, show_header=False, pad_edge=False, padding=(0, _GAP // 2), show_edge=False)
    for c in cols:
        table.add_column(width=widths[c], overflow="fold", no_wrap=not wrap)
    for row in rows:
        table.add_row(*map(Text, row))
    total = sum(widths[c] for c in cols) + _GAP * max(len(cols) - 1, 0)
    return _printed(table, total)


def wrap_text(text: str, width: int | None, *, indent: int = 0) -> list[str]:
    """``text`` as lines of at most ``width`` cells (``None``: one line), each indented by ``indent``
    (at most ``width - 1``: one cell of text is left on each line)."""
    from rich.text import Text

    if width is None:
        return [" " * indent + text]
    indent = min(indent, max(width - 1, 0))
    return [" " * indent + line for line in _printed(Text(text, overflow="fold"), width - indent)]


def _printed(renderable: Any, width: int) -> list[str]:
    """What rich prints of ``renderable`` at ``width`` cells (at least 1) as plain text: its lines,
    trailing spaces cut (no colour codes, no markup or emoji read)."""
    from rich.console import Console

    out = io.StringIO()
    Console(file=out, width=max(width, 1), color_system=None, force_terminal=False, legacy_windows=False,
            emoji=False, markup=False, highlight=False).print(renderable)
    return [line.rstrip() for line in out.getvalue().rstrip("\n").split("\n")]


def stake_text(effective: Any, stake_min: Any, lower: Any) -> str:
    """A stake for a terminal cell: ``"48 %"``, ``"≥ 12 %"`` (a lower bound) or ``"unknown"``.

    >>> stake_text(48.0, 48.0, False), stake_text(None, 12.0, True), stake_text(float("nan"), None, True)
    ('48 %', '≥ 12 %', 'unknown')
    """
    e, m = _plain(effective), _plain(stake_min)
    if e is not None and not lower:
        return f"{e:.4g} %"
    if m is not None and m > 0:
        return f"≥ {m:.4g} %"
    return "unknown"


def iter_rows(df: pd.DataFrame, columns: Iterable[str] | None = None) -> Iterable[dict[str, Any]]:
    """Rows as flat dicts (lists joined, text neutralised): what CSV and XLSX cells hold.

    >>> list(iter_rows(pd.DataFrame({"a": ["=1", None], "b": [["x", "=y"], []]})))
    [{'a': "'=1", 'b': 'x; =y'}, {'a': None, 'b': ''}]
    """
    cols = _columns(df, list(columns) if columns is not None else None)
    values = [_py_column(_spreadsheet_parts(s), _plain_values) for s in _series(df, cols)]
    for row in zip(*values):
        yield dict(zip(cols, row))
