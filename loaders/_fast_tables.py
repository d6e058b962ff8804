"""A column-wise load path for a generic-table folder (``nodes.csv``, ``edges.csv``, ``sources.csv``).

The row path (:mod:`loaders.tables` then :mod:`loaders.builder`) makes a dict, a record and an
``add_node``/``add_edge`` call per row: about 15-20k rows per CPU second. This path reads the
CSV files with ``pyarrow.csv`` (all cells as text), checks every rule of the row path column by
column, and builds the graph from typed Arrow tables with
:func:`graphmodel.stores.snapshot.graph_from_tables`.

It gives exactly the row path's graph, errors and counts, by construction:

- the repetitive columns (kinds, source lists, enums, dates, percents...) are parsed per
  *distinct* cell text with the very functions the row path calls (``coerce``,
  ``canonical_node_kind``, ``is_missing``...), and mapped back to the rows with numpy;
- a row that any check refuses, or cannot vouch for, goes through the row path's own code
  (:func:`loaders.tables.node_rows` / ``edge_rows``, then ``CampaignGraph.add_node_record`` /
  ``add_edge_record`` on the graph built from the other rows), in file order, so its error names
  the same file, row and column, and its good neighbours still load;
- such a row may only fail, or restate (merge into) a node or edge that an earlier row of the
  file added. If one would add something new or merge into a later row, the insertion order could
  differ from the row path's, so :func:`load_tables_fast` gives up and returns ``None``.

It returns ``None`` (the caller then takes the row path) for anything unusual about the files:
not UTF-8, NUL bytes, a UTF-16 BOM, rows with more or fewer cells than the header in a file
with quotes (without quotes such rows are read aside and put back in place), repeated header
names, a dialect other than RFC 4180 quoting with ``,``, ``;`` or tab.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from graphmodel import schema
from graphmodel.columnar import arrow_types
from graphmodel.errors import CampaignGraphError
from graphmodel.graph import ID_CONTROL_PATTERN, CampaignGraph, checked_sources
from graphmodel.records import edge_id
from graphmodel.values import coerce, ends_before_start
from loaders import tables
from loaders.context import LoadContext, Location
from loaders.readers import Table, blank_row, clean_header, extra_cells, read_csv, sniff_dialect, too_long

#: the characters ``str.strip()`` removes (``str.isspace``); tests check the list against Python
PY_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
#: no "missing value" spelling (``n/a``, ``none``...) is longer than this; casefolding never
#: shortens a string, so a longer cell can never be missing (tests check it against values)
MISSING_MAX_CHARS = 4
#: wider tables than this take the row path (their column types are named up front)
MAX_COLUMNS = 2048

#: what a cell makes of its row: nothing, a value, or a row error (refused before the graph looks
#: the id up; the row path reports it)
_ABSENT, _VALUE, _ODD = 0, 1, 2
#: a cell for a property the row's kind lacks: absent from the graph, the row loads, and the row
#: path's tables.set_aside reports it (warning and load report), in file order with the other rows
_ASIDE = 4
#: an enum text that is no value nor synonym, where the enum lists other: the value is "other",
#: the text goes to ``<prop>_raw`` (tables.settle_enums)
_OTHER = 5
_NAME_PROP = schema.COMMON_NODE_PROPS["name"]


@dataclass
class _Raw:
    """One CSV file as text columns: what :func:`loaders.readers.read_csv` would give."""

    file: str
    header: list[str]  # cleaned as read_csv cleans it
    raw: dict[str, pa.Array]  # named columns, cells as in the file (formula quotes kept)
    cols: dict[str, pa.Array]  # the same after unquote_cell
    rownums: np.ndarray  # the spreadsheet row number of each kept (non-blank) row
    extra: np.ndarray  # rows with non-blank cells beyond the header (read_csv's "\x00extra" flag)

    def row_dicts(self, idx: np.ndarray) -> list[tuple[int, dict[str, str]]]:
        """The rows ``idx`` as read_csv's ``(row_number, {column: cell})``."""
        if len(idx) == 0:
            return []
        take = pa.array(idx, type=pa.int64())
        cols = {h: a.take(take).to_pylist() for h, a in self.raw.items()}
        names = list(cols)
        out = [(int(self.rownums[i]), {h: cols[h][j] for h in names}) for j, i in enumerate(idx.tolist())]
        for (_, row), i in zip(out, idx.tolist(), strict=True):
            if self.extra[i]:
                row["\x00extra"] = "1"
        return out


def _np(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(arr.to_numpy(zero_copy_only=False))


def _fix(arr: pa.Array, mask: pa.Array, fn: Callable[[str], str]) -> pa.Array:
    """``arr`` with ``fn`` applied to the cells where ``mask`` is true (the few unusual ones)."""
    if not pc.any(mask).as_py():
        return arr
    fixed = [fn(v) for v in arr.filter(mask).to_pylist()]
    return pc.replace_with_mask(arr, mask, pa.array(fixed, type=pa.string()))


def _strip(arr: pa.Array) -> pa.Array:
    """Python's ``str.strip()`` on every cell (trimming exactly the characters it trims)."""
    return pc.utf8_trim(arr, PY_WHITESPACE)


def _codes(arr: pa.Array) -> tuple[np.ndarray, list[Any]]:
    """Dictionary codes per row and the distinct values (codes follow first appearance)."""
    d = arr.dictionary_encode()
    return _np(d.indices).astype(np.int64), d.dictionary.to_pylist()


def _read(path: Path) -> _Raw | None:
    """The CSV at ``path`` as text columns, or None when the row reader must read it."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if not data or b"\x00" in data or data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    bom = data.startswith(codecs.BOM_UTF8)
    head = data[:16384].decode("utf-8-sig" if bom else "utf-8", errors="ignore")
    if not head.strip():
        return None
    dialect = sniff_dialect(head)
    if (dialect.delimiter not in ",;\t" or dialect.quotechar != '"' or dialect.skipinitialspace
            or dialect.escapechar is not None):
        return None
    ragged: list[tuple[int, str]] = []
    try:
        table = _arrow_csv(data, dialect.delimiter)
    except pa.ArrowInvalid as e:
        if b'"' in data or "columns" not in str(e):
            return None  # not UTF-8...: the row reader decides (and reports)
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            # Arrow would fail to decode the row it hands to ``aside`` and print that
            # exception to stderr as "ignored": the row reader decides (and reports)
            return None
        # rows with more or fewer cells than the header: read again, one thread (so Arrow
        # knows their line numbers), keeping them aside; without quotes a line is a row
        def aside(row: Any) -> str:
            if row.number is None:
                return "error"
            ragged.append((row.number, row.text))
            return "skip"

        try:
            table = _arrow_csv(data, dialect.delimiter, aside)
        except (pa.ArrowException, UnicodeDecodeError, ValueError):
            return None
    except (pa.ArrowException, UnicodeDecodeError, ValueError):
        return None
    if table.num_rows == 0 or table.num_columns > MAX_COLUMNS:
        return None
    cols = [table.column(i).combine_chunks() for i in range(table.num_columns)]
    if any(not pa.types.is_string(c.type) for c in cols):
        return None
    header = clean_header([c[0].as_py() for c in cols])
    named = [h for h in header if h]
    if len(set(named)) != len(named):
        return None  # a repeated column name: read_csv's dict keeps the last cell
    if len(data) > csv.field_size_limit() and any(
        (pc.max(pc.binary_length(c)).as_py() or 0) >= csv.field_size_limit() for c in cols
    ):
        return None  # the csv module refuses such a cell, and with it the whole file
    cells = [c.slice(1) for c in cols]
    n = table.num_rows - 1
    rownums = np.arange(2, n + 2, dtype=np.int64)
    extra = np.zeros(n, dtype=bool)
    if ragged:
        merged = _merge_ragged(cells, ragged, dialect)
        if merged is None:
            return None
        cells, rownums, extra = merged
        n = len(rownums)
    if n and cells:
        # rows whose every cell is blank are skipped (their row number is not reused)
        cand = np.nonzero(_np(pc.equal(_strip(cells[0]), "")))[0]
        if len(cand):
            take = pa.array(cand, type=pa.int64())
            rows = list(zip(*(c.take(take).to_pylist() for c in cells), strict=True))
            blank = np.array([blank_row(list(r)) for r in rows], dtype=bool)
            if blank.any():
                keep = np.ones(n, dtype=bool)
                keep[cand[blank]] = False
                mask = pa.array(keep)
                cells = [c.filter(mask) for c in cells]
                rownums, extra = rownums[keep], extra[keep]
    raw = {h: c for h, c in zip(header, cells, strict=True) if h}
    cols_unq = {h: _fix(c, pc.starts_with(c, "'"), tables.unquote_cell) for h, c in raw.items()}
    return _Raw(str(path), header, raw, cols_unq, rownums, extra)


def _arrow_csv(data: bytes, delimiter: str, invalid_row: Callable[[Any], str] | None = None) -> pa.Table:
    """Every cell as text, the header as row 0, blank lines kept (they count in row numbers)."""
    return pacsv.read_csv(
        pa.BufferReader(data),
        # blocks of 16 MB (not 1 MB): a few chunks per column to combine instead of a hundred
        read_options=pacsv.ReadOptions(autogenerate_column_names=True, use_threads=invalid_row is None,
                                       block_size=16 << 20),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter, quote_char='"', double_quote=True, escape_char=False,
            newlines_in_values=b'"' in data, ignore_empty_lines=False, invalid_row_handler=invalid_row,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={f"f{i}": pa.string() for i in range(MAX_COLUMNS)},
            strings_can_be_null=False, quoted_strings_can_be_null=False, check_utf8=True,
        ),
    )


def _merge_ragged(
    cells: list[pa.Array], ragged: list[tuple[int, str]], dialect: Any
) -> tuple[list[pa.Array], np.ndarray, np.ndarray] | None:
    """Put the rows Arrow set aside back in their place, cut or padded as read_csv does.

    ``ragged`` holds ``(line number, text)``; the file has no quotes, so each line is one row
    and the csv module reads its text as it reads the whole file.
    """
    n_kept = len(cells[0]) if cells else 0
    total = n_kept + len(ragged)
    numbers = [num for num, _ in ragged]
    if len(set(numbers)) != len(numbers) or not all(2 <= num <= total + 1 for num in numbers):
        return None
    width = len(cells)
    rows: list[list[str]] = []
    lines: list[int] = []
    flags: list[bool] = []
    for num, text in ragged:
        parsed = next(csv.reader([text], dialect), [])
        if blank_row(parsed):
            continue  # skipped, its number not reused
        rows.append([parsed[i] if i < len(parsed) else "" for i in range(width)])
        lines.append(num)
        flags.append(extra_cells(parsed, width))
    kept_lines = np.setdiff1d(np.arange(2, total + 2, dtype=np.int64), np.array(numbers, dtype=np.int64))
    all_lines = np.concatenate([kept_lines, np.array(lines, dtype=np.int64)])
    order = np.argsort(all_lines, kind="stable")
    take = pa.array(order)
    merged = [
        pa.concat_arrays([c, pa.array([r[i] for r in rows], type=pa.string())]).take(take)
        for i, c in enumerate(cells)
    ]
    extra = np.concatenate([np.zeros(n_kept, dtype=bool), np.array(flags, dtype=bool)])[order]
    return merged, all_lines[order], extra


class _Props:
    """Parses the property columns of one table per distinct cell text, as the row path would."""

    def __init__(self, what: str, kinds: list[str]) -> None:
        self.what = what
        self.kinds = kinds
        self.all = schema.all_node_props() if what == "node" else schema.all_edge_props()
        self.types = arrow_types()  # the snapshot's column type per property type
        self.allowed = [schema.node_props(k) if what == "node" else schema.edge_props(k) for k in kinds]
        self.aside = np.zeros(0, dtype=bool)  # rows with a cell set aside or kept as other (_ASIDE, _OTHER)
        self.other_raw: dict[str, pa.Array] = {}  # enum property -> the texts kept as other, per row

    def column(self, name: str, arr: pa.Array, row_kind: np.ndarray, fail: np.ndarray) -> pa.Array | None:
        """The typed column of property ``name`` (null where absent).

        Marks rows with a cell the row path refuses in ``fail``.

        ``row_kind`` indexes ``self.kinds`` (-1: unknown kind, already odd). Returns None when the
        column holds no value, and raises ``_GiveUp`` when the column cannot be typed as the
        snapshot types it.
        """
        enc = arr.dictionary_encode()
        dictionary = enc.dictionary
        if len(dictionary) == 1 and dictionary[0].as_py() == "":
            return None  # an empty column (most columns of a wide table, for most kinds)
        codes = _np(enc.indices).astype(np.int64)
        want = self.types[self.all[name].type]
        # kinds alike for this column (the same property, with or without <name>_raw) share a group
        props: list[schema.Prop | None] = []
        groups: list[tuple[schema.Prop | None, bool]] = []
        group_allowed: list[Mapping[str, schema.Prop]] = []
        group_of_kind = np.zeros(max(len(self.kinds), 1), dtype=np.int64)
        for k, allowed in enumerate(self.allowed):
            prop = allowed.get(name)
            if prop is not None and self.types[prop.type] != want:
                raise _GiveUp
            key = (prop, f"{name}_raw" in allowed)
            for g, known in enumerate(groups):
                if known[0] is key[0] and known[1] == key[1]:
                    break
            else:
                g = len(groups)
                groups.append(key)
                props.append(prop)
                group_allowed.append(allowed)
            group_of_kind[k] = g
        if not props:
            return None
        d = len(dictionary)
        code = group_of_kind[np.maximum(row_kind, 0)] * d + codes
        # parse only the (property, text) pairs that occur: a column's texts mostly belong to one kind
        present = np.bincount(code, minlength=len(props) * d) > 0
        status = np.zeros(len(props) * d, dtype=np.int8)
        plain, plain_values = _plain_numbers(dictionary, props, want)
        typed: list[pa.Array] = []
        for g, prop in enumerate(props):
            here = present[g * d : (g + 1) * d].copy()
            base = pa.nulls(d, type=want)
            if plain is not None and prop is not None:
                status[g * d : (g + 1) * d][here & plain] = _VALUE
                base = plain_values
                here &= ~plain
            todo = np.nonzero(here)[0]
            if len(todo):
                results = [_cell(name, prop, group_allowed[g], v) for v in dictionary.take(pa.array(todo)).to_pylist()]
                status[g * d + todo] = [st for st, _ in results]
                try:
                    fixed = pa.array([x for _, x in results], type=want)
                except (pa.ArrowException, OverflowError):
                    raise _GiveUp from None
                if plain is not None and prop is not None:  # numbers: fill the cast's gaps
                    mask = np.zeros(d, dtype=bool)
                    mask[todo] = True
                    base = pc.replace_with_mask(base, pa.array(mask), fixed)
                else:  # any type (lists too): the parsed texts, null for texts that do not occur
                    where = np.full(d, len(todo), dtype=np.int64)
                    where[todo] = np.arange(len(todo))
                    base = pa.concat_arrays([fixed, pa.nulls(1, type=want)]).take(pa.array(where))
            typed.append(base)
        row_status = status[code]
        fail |= row_status == _ODD
        self.aside |= row_status == _ASIDE
        other = row_status == _OTHER
        if other.any():  # the rows' texts, for <prop>_raw; the row path warns (see _row_path_rows)
            self.aside |= other
            texts = _strip(dictionary).take(pa.array(codes))
            self.other_raw[name] = pc.if_else(pa.array(other), texts, pa.scalar(None, pa.string()))
        has = (row_status == _VALUE) | other
        if not has.any():
            return None
        values = typed[0] if len(typed) == 1 else pa.concat_arrays(typed)
        return values.take(pa.array(code, mask=~has))


#: plain decimal texts that Arrow's cast parses exactly as ``parse_float`` / ``parse_int`` do (both
#: round correctly; ints are limited to 15 digits because parse_int goes through a float)
_PLAIN = {"float": "^-?[0-9]{1,20}(\\.[0-9]{1,20})?$", "int": "^[0-9]{1,15}$"}


def _plain_numbers(
    texts: pa.Array, props: list[schema.Prop | None], want: pa.DataType
) -> tuple[np.ndarray | None, pa.Array]:
    """Which distinct ``texts`` are plain decimals, and their numbers (null elsewhere).

    Only for float and int columns, where lat/lon or workforce give many distinct texts: the
    cast is vectorised, and a text it does not take goes through ``coerce`` as usual.
    """
    types = {p.type for p in props if p is not None}
    none = (None, pa.nulls(len(texts), type=want))
    if len(types) != 1 or (kind := types.pop()) not in _PLAIN:
        return none
    ok = pc.match_substring_regex(texts, _PLAIN[kind])
    if not pc.any(ok).as_py():
        return none
    return _np(ok), pc.if_else(ok, texts, pa.scalar(None, pa.string())).cast(want)


class _GiveUp(Exception):
    """Internal signal: the row path must load these files."""


def _cell(name: str, prop: schema.Prop | None, allowed: Mapping[str, schema.Prop], v: str) -> tuple[int, Any]:
    """What the row path makes of cell text ``v`` of column ``name`` under ``prop`` (None: not a
    property of the kind; ``allowed``: the kind's properties), by the row path's own functions."""
    status = tables.cell_status(prop, v, True)  # every column parsed here is a schema property
    if status == tables.ASIDE:
        return _ASIDE, None  # the row loads; the row path sets the cell aside with a warning
    if status == tables.ABSENT or prop is None:
        return _ABSENT, None
    if prop.type == "enum":  # tables.settle_enums: other (text in <name>_raw), or set aside
        settled = tables.enum_status(name, prop, v, allowed)
        if settled != tables.KEEP:
            return (_OTHER, "other") if settled == tables.OTHER else (_ASIDE, None)
    try:
        x = coerce(prop, v)  # what the graph stores (values.parse_int keeps ints within int64)
    except ValueError:
        return _ODD, None  # the graph refuses the row: the row path reports it
    return (_ABSENT, None) if x is None else (_VALUE, x)


def _name(v: str) -> str | None:
    """The row path's name (``None``: the id is the name), as the graph keeps it."""
    s = tables.node_name(v)
    return coerce(_NAME_PROP, s) if s is not None else None


def _property_columns(
    what: str, raw: _Raw, kinds: list[str], row_kind: np.ndarray, odd: np.ndarray, known_sources: Any,
    aside: np.ndarray,
) -> dict[str, pa.Array]:
    """The typed property columns of a nodes or edges table (``sources`` and ``origins`` last);
    marks refused rows in ``odd`` and rows with a cell set aside in ``aside`` (both in place)."""
    c, n = raw.cols, len(raw.rownums)
    scodes, svalues = _codes(c["sources"]) if "sources" in c else (np.zeros(n, dtype=np.int64), [""])
    sbad, slists = _sources(svalues, known_sources)
    odd |= sbad[scodes]
    src_col = pa.array(slists, type=pa.list_(pa.string())).take(pa.array(scodes))
    parser = _Props(what, kinds)
    parser.aside = aside
    lead = tables.NODE_LEAD if what == "node" else tables.EDGE_LEAD
    props: dict[str, pa.Array] = {}
    for h, a in c.items():
        if h in lead or h not in parser.all:
            continue
        col = parser.column(h, a, row_kind, odd)
        if col is not None:
            props[h] = col
    for name, texts in parser.other_raw.items():
        raw_name = f"{name}_raw"  # every enum listing other has it (tested): see schema.ENUM_SYNONYMS
        given = props.get(raw_name)
        props[raw_name] = texts if given is None else pc.coalesce(given, texts)
    props["sources"] = src_col
    if "origins" not in raw.header:
        props["origins"] = _origins(raw.file, raw.rownums)
    return props


def _sources(values: list[str], known: set[str]) -> tuple[np.ndarray, list[list[str] | None]]:
    """Per distinct ``sources`` cell: refused (an unknown id) and the list the graph stores
    (the row path's :func:`loaders.tables.source_list`, the graph's :func:`checked_sources`)."""
    bad = np.zeros(len(values), dtype=bool)
    out: list[list[str] | None] = []
    for j, raw in enumerate(values):
        try:
            out.append(checked_sources(tables.source_list(raw), known) or None)
        except CampaignGraphError:
            bad[j] = True
            out.append(None)
    return bad, out


def _ends_before_start(vf: pa.Array, vt: pa.Array) -> np.ndarray:
    """The rows whose validity ends before it starts (:func:`graphmodel.values.ends_before_start`,
    once per distinct pair of dates)."""
    out = np.zeros(len(vf), dtype=bool)
    both = np.nonzero(_np(pc.and_(pc.is_valid(vf), pc.is_valid(vt))))[0]
    if len(both):
        take = pa.array(both, type=pa.int64())
        pairs = pc.binary_join_element_wise(vf.take(take), vt.take(take), "\x00").dictionary_encode()
        bad = np.array([ends_before_start(*p.split("\x00")) for p in pairs.dictionary.to_pylist()], dtype=bool)
        out[both] = bad[_np(pairs.indices)]
    return out


def _first_rows(keys: pa.Array, refused: np.ndarray) -> np.ndarray:
    """True for rows that are the first, among rows not already refused, with their key."""
    n = len(keys)
    first = np.ones(n, dtype=bool)
    ok = np.nonzero(~refused)[0]
    if len(ok) == 0:
        return first
    codes = _np(keys.take(pa.array(ok, type=pa.int64())).dictionary_encode().indices).astype(np.int64)
    # dictionary codes count up in order of first appearance: a row is a first occurrence
    # exactly when its code exceeds every earlier code
    prev = np.concatenate(([-1], np.maximum.accumulate(codes)[:-1]))
    first[ok] = codes > prev
    return first


def _first_rows_int(keys: np.ndarray, refused: np.ndarray) -> np.ndarray:
    """:func:`_first_rows` for integer keys (1 for a first occurrence, 0 for a repeat)."""
    import pandas as pd

    first = np.ones(len(keys), dtype=np.int8)
    ok = np.nonzero(~refused)[0]
    first[ok] = ~pd.Series(keys[ok]).duplicated(keep="first").to_numpy()
    return first


def _filled(template: str, columns: dict[str, Any]) -> pa.Array:
    """``template`` (text made by a function called with the marker characters of ``columns``)
    with each marker replaced by its column, row by row."""
    parts: list[Any] = []
    for piece in re.split(f"([{''.join(columns)}])", template):
        if piece in columns:
            parts.append(columns[piece])
        elif piece:
            parts.append(pa.scalar(piece))
    return pc.binary_join_element_wise(*parts, "")


def _edge_ids(kinds: pa.Array, src: pa.Array, dst: pa.Array, valid_from: pa.Array | None) -> pa.Array:
    """:func:`graphmodel.records.edge_id` of every row (its own text, with the columns put in)."""
    marks: dict[str, Any] = {"\x01": kinds, "\x02": src, "\x03": dst}
    plain = edge_id(*marks)
    if valid_from is None:
        return _filled(plain, marks)
    dated = pc.fill_null(pc.not_equal(valid_from, ""), False)  # edge_id's "if valid_from"
    if not pc.any(dated).as_py():
        return _filled(plain, marks)
    with_date = edge_id(*marks, "\x04")
    if with_date.startswith(plain):  # the dated id is the plain one and a suffix: one pass
        suffix = _filled(with_date[len(plain):], {"\x04": valid_from})
        return _filled(plain + "\x05", {**marks, "\x05": pc.if_else(dated, suffix, "")})
    rows = {mark: col.filter(dated) for mark, col in {**marks, "\x04": valid_from}.items()}
    return pc.replace_with_mask(_filled(plain, marks), dated, _filled(with_date, rows))


def _origins(file: str, rownums: np.ndarray) -> pa.Array:
    """``[origin]`` per row, as ``add_node_record`` stores a record's origin
    (:meth:`loaders.context.Location.origin`, stripped as the graph strips text)."""
    # the row number as a NUL (no file path holds one), replaced by each row's number
    text = _filled(Location(file, "\x00").origin().strip(), {"\x00": pa.array(rownums).cast(pa.string())})  # type: ignore[arg-type]
    return pa.ListArray.from_arrays(pa.array(np.arange(len(rownums) + 1, dtype=np.int32)), text)


@dataclass
class _Part:
    """The rows of one table that the column checks vouch for, and the rest."""

    table: pa.Table | None  # the vouched-for rows, typed, in file order
    odd: np.ndarray  # indices of the rows that go through the row path
    ids: pa.Array  # ids (node id / edge id) of the vouched-for rows
    rownums: np.ndarray  # their row numbers
    kind_codes: np.ndarray | None = None  # nodes: kind per vouched-for row (index into kinds)
    aside: np.ndarray | None = None  # indices of vouched-for rows with a cell set aside
    ends: tuple[np.ndarray, np.ndarray] | None = None  # edges: each vouched-for row's ends as node rows


def _finish(n: int, odd: np.ndarray, lead: dict[str, pa.Array], props: dict[str, pa.Array], rownums: np.ndarray,
            ids: pa.Array) -> tuple[pa.Table | None, np.ndarray, pa.Array, np.ndarray, np.ndarray]:
    clean = ~odd
    mask = pa.array(clean)
    columns = {**lead, **props}
    if clean.all():
        table = pa.table(columns) if n else None
    else:
        table = pa.table({k: v.filter(mask) for k, v in columns.items()})
    return table, np.nonzero(odd)[0], ids.filter(mask), rownums[clean], clean


def _row_kinds(raw: _Raw, canonical: Callable[[str], str | None]) -> tuple[int, np.ndarray, list[str], np.ndarray]:
    """Rows, the rows refused so far (extra cells, over-long cells, unknown kind), the kinds
    present (sorted) and each row's index into them (-1: unknown)."""
    n = len(raw.rownums)
    odd = raw.extra.copy()
    for a in raw.cols.values():
        odd |= too_long(_np(pc.utf8_length(a)))  # the row path's check_row refuses the row
    kcodes, kvalues = _codes(raw.cols["kind"])
    canon = [canonical(v) for v in kvalues]
    kinds = sorted({k for k in canon if k is not None})
    kind_index = np.array([kinds.index(k) if k is not None else -1 for k in canon] or [-1], dtype=np.int64)
    row_kind = kind_index[kcodes] if n else np.zeros(0, dtype=np.int64)
    odd |= row_kind < 0
    return n, odd, kinds, row_kind


def _nodes(raw: _Raw, known_sources: set[str]) -> _Part:
    c = raw.cols
    n, odd, kinds, row_kind = _row_kinds(raw, schema.canonical_node_kind)
    ids = _strip(c["id"])
    odd |= _np(pc.equal(ids, ""))
    odd |= _np(pc.match_substring_regex(ids, ID_CONTROL_PATTERN))  # _check_id refuses these

    names = c.get("name")
    if names is None:
        name_col = ids
    else:
        trimmed = _strip(names)
        # the cells a plain strip does not settle: a NUL (refused) or a possible "n/a" spelling
        unusual = pc.or_(pc.match_substring(names, "\x00"), pc.less_equal(pc.utf8_length(trimmed), MISSING_MAX_CHARS))
        name_col = trimmed
        idx = np.nonzero(_np(unusual))[0]
        if len(idx):
            parsed: list[str | None] = []
            bad = np.zeros(len(idx), dtype=bool)
            for j, v in enumerate(names.take(pa.array(idx, type=pa.int64())).to_pylist()):
                try:
                    parsed.append(_name(v))
                except ValueError:
                    parsed.append(None)
                    bad[j] = True
            odd[idx[bad]] = True
            mask = np.zeros(n, dtype=bool)
            mask[idx] = True
            name_col = pc.replace_with_mask(trimmed, pa.array(mask), pa.array(parsed, type=pa.string()))
            name_col = pc.if_else(pc.is_null(name_col), ids, name_col)

    aside = np.zeros(n, dtype=bool)
    props = _property_columns("node", raw, kinds, row_kind, odd, known_sources, aside)
    # a restated id: the first row adds the node, later rows merge through the row path; rows
    # refused so far (odd) fail before the graph looks their id up, so they never touch a node
    odd |= ~_first_rows(ids, odd)
    kind_names = pa.array(kinds or [""], type=pa.string())
    lead = {"id": ids, "kind": kind_names.take(pa.array(np.maximum(row_kind, 0))), "name": name_col}
    table, odd_idx, clean_ids, rownums, clean = _finish(n, odd, lead, props, raw.rownums, ids)
    kind_of_clean = np.array([list(schema.NODE_KINDS).index(k) for k in kinds] or [0], dtype=np.int64)[
        np.maximum(row_kind[clean], 0)
    ]
    return _Part(table, odd_idx, clean_ids, rownums, kind_of_clean, np.nonzero(aside & ~odd)[0])


def _edges(raw: _Raw, known_sources: set[str], nodes: _Part) -> _Part:
    c = raw.cols
    n, odd, kinds, row_kind = _row_kinds(raw, schema.canonical_edge_kind)
    src, dst = _strip(c["source"]), _strip(c["target"])
    odd |= _np(pc.equal(src, "")) | _np(pc.equal(dst, ""))

    # ends: nodes of the graph, of kinds the edge kind allows, not a self-loop
    node_ids = nodes.ids
    all_kinds = list(schema.NODE_KINDS)
    allowed = np.zeros((max(len(kinds), 1), len(all_kinds), len(all_kinds)), dtype=bool)
    for e, k in enumerate(kinds):
        for a, b in schema.EDGE_KINDS[k].endpoints:
            allowed[e, all_kinds.index(a), all_kinds.index(b)] = True
    ends_ok = np.ones(n, dtype=bool)
    end_kind, end_pos = [], []
    both = pc.index_in(pa.chunked_array([src, dst]), value_set=node_ids)  # one hash of the node ids
    for pos in (both.slice(0, n), both.slice(n)):
        found = _np(pos.is_valid())
        ends_ok &= found
        where = _np(pos.fill_null(0)).astype(np.int64)
        end_pos.append(where)
        end_kind.append(nodes.kind_codes[where] if len(nodes.kind_codes) else np.zeros(n, dtype=np.int64))
    ends_ok &= ~_np(pc.equal(src, dst))
    ends_ok &= allowed[np.maximum(row_kind, 0), end_kind[0], end_kind[1]]
    odd |= ~ends_ok

    aside = np.zeros(n, dtype=bool)
    props = _property_columns("edge", raw, kinds, row_kind, odd, known_sources, aside)
    vf, vt = props.get("valid_from"), props.get("valid_to")
    if vf is not None and vt is not None:
        odd |= _ends_before_start(vf, vt)

    kind_names = pa.array(kinds or [""], type=pa.string())
    kind_col = kind_names.take(pa.array(np.maximum(row_kind, 0)))
    eids = _edge_ids(kind_col, src, dst, vf)
    given_ids = False
    if "id" in c:
        given = _strip(c["id"])
        has_id = pc.not_equal(given, "")
        given_ids = pc.any(has_id).as_py()
        odd |= _np(pc.and_(has_id, pc.match_substring_regex(given, ID_CONTROL_PATTERN)))
        eids = pc.if_else(has_id, given, eids)
    # rows refused so far (odd) fail before the graph looks their id up: they touch no other edge
    if given_ids:
        first = _first_rows(eids, odd)
    else:
        # every id is derived from (kind, source, target, valid_from): compare those as numbers
        # (the ends as node positions) instead of hashing a million id strings
        vf_code = np.zeros(n, dtype=np.int64)
        if vf is not None:
            enc = vf.dictionary_encode()
            vf_code = _np(enc.indices.fill_null(-1)).astype(np.int64) + 1
        sizes = (max(len(kinds), 1), len(node_ids) + 1, len(node_ids) + 1, int(vf_code.max(initial=0)) + 1)
        # with no ">" or "@" in node ids, "KIND:src->dst@date" splits one way only: equal ids
        # are exactly equal (kind, source, target, valid_from)
        unique_split = not any(pc.any(pc.match_substring(node_ids, x)).as_py() for x in (">", "@"))
        if unique_split and sizes[0] * sizes[1] * sizes[2] * sizes[3] < 2**62:
            key = ((np.maximum(row_kind, 0) * sizes[1] + end_pos[0]) * sizes[2] + end_pos[1]) * sizes[3] + vf_code
            first = _first_rows_int(key, odd) == 1
        else:
            first = _first_rows(eids, odd)
    odd |= ~first
    lead = {"id": eids, "source": src, "target": dst, "kind": kind_col}
    table, odd_idx, clean_ids, rownums, clean = _finish(n, odd, lead, props, raw.rownums, eids)
    return _Part(table, odd_idx, clean_ids, rownums, None, np.nonzero(aside & ~odd)[0],
                 (end_pos[0][clean], end_pos[1][clean]))


def _empty(lead: tuple[str, ...]) -> pa.Table:
    return pa.table({c: pa.array([], type=pa.string()) for c in lead})


def load_tables_fast(
    folder: Path, *, load_date: str | None = None, progress: Callable[[int, int], None] | None = None
) -> tuple[CampaignGraph, LoadContext] | None:
    """Load a generic-table folder column-wise; None when the row path must do it.

    Gives the graph and the context that ``load_paths([folder], fmt="tables")`` gives on the
    row path (same graph, insertion order, errors, counts), or None.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "nodes.csv").write_text("id,kind,name\\nam,Company,ArcelorMittal SA\\n")
    >>> g, ctx = load_tables_fast(d)
    >>> g.name_of("am"), ctx.summary()["rows_read"]
    ('ArcelorMittal SA', 1)
    """
    from graphmodel.gcpause import paused_gc

    with paused_gc():
        try:
            return _load(folder, load_date, progress)
        except (_GiveUp, pa.ArrowException):
            # e.g. a text column past Arrow's 2 GB offsets: the row path is always right
            return None


def _load(
    folder: Path, load_date: str | None, progress: Callable[[int, int], None] | None
) -> tuple[CampaignGraph, LoadContext] | None:
    files = {name: folder / f"{name}.csv" for name in tables.SHEETS}
    present = {name: f.is_file() for name, f in files.items()}
    if not (present["nodes"] or present["edges"]):
        return None
    raws: dict[str, _Raw | None] = {}
    for name in ("nodes", "edges"):
        raws[name] = _read(files[name]) if present[name] else None
        if present[name] and raws[name] is None:
            return None
    ctx = LoadContext() if load_date is None else LoadContext(load_date=load_date)
    if present["sources"]:
        try:
            stable = read_csv(files["sources"], display=str(files["sources"]))
        except CampaignGraphError:
            return None  # the row path raises it, after reading the other files as it does
        tables.load_sources(stable, ctx)
    base = CampaignGraph()
    for s in ctx.sources:
        base.add_source(s)
    known = set(base.sources)

    nraw, eraw = raws["nodes"], raws["edges"]
    npart: _Part | None = None
    if nraw is not None:
        stub = Table(nraw.file, None, nraw.header, [])
        if tables.header_check(ctx, stub, tables.NODE_LEAD, ("id", "kind")):
            npart = _nodes(nraw, known)
            ctx.rows_read[f"{nraw.file}:"] += len(npart.ids)
            _row_path_rows(ctx, stub, nraw, npart, tables.node_rows)
    if npart is None:
        npart = _Part(None, np.zeros(0, dtype=np.int64), pa.array([], type=pa.string()), np.zeros(0, dtype=np.int64),
                      np.zeros(0, dtype=np.int64))
    epart: _Part | None = None
    if eraw is not None:
        stub = Table(eraw.file, None, eraw.header, [])
        if tables.header_check(ctx, stub, tables.EDGE_LEAD, ("source", "target", "kind")):
            epart = _edges(eraw, known, npart)
            ctx.rows_read[f"{eraw.file}:"] += len(epart.ids)
            _row_path_rows(ctx, stub, eraw, epart, tables.edge_rows)

    from graphmodel.stores.snapshot import graph_from_tables

    ntable = npart.table if npart.table is not None else _empty(("id", "kind", "name"))
    etable = epart.table if epart is not None and epart.table is not None else _empty(("id", "source", "target", "kind"))
    # the columnar graph (networkx is built on first use of .nx or a change): the bulk build
    # costs a tenth of the networkx one, and a load that only saves a snapshot never needs it
    ends = epart.ends if epart is not None and epart.table is not None else None
    graph = graph_from_tables(ntable, etable, base.sources, columnar=True, ends=ends)
    ctx.bulk_nodes, ctx.bulk_edges = ntable.num_rows, etable.num_rows
    for stat, count in (("nodes_added", ntable.num_rows), ("edges_added", etable.num_rows)):
        if count:  # the row path's Counter has no key for what it never counted
            ctx.stats[stat] += count
    if not _build_rest(ctx, graph, npart, epart):
        return None
    del raws, nraw, eraw, npart, epart, ntable, etable
    # the text columns and the steps' columns are gone: hand their memory back (Arrow's
    # allocator keeps freed pages, about 300 MB on a million edges, through the save)
    pa.default_memory_pool().release_unused()
    if progress is not None:
        total = ctx.bulk_nodes + ctx.bulk_edges + len(ctx.nodes) + len(ctx.edges)
        progress(total, total)
    return graph, ctx


def _row_path_rows(ctx: LoadContext, stub: Table, raw: _Raw, part: _Part, rows_fn: Callable[..., None]) -> None:
    """Send the odd rows through the row path (``rows_fn``), and report the set-aside cells of
    vouched-for rows with the row path's own function, all in file order as the row path would."""
    aside = part.aside if part.aside is not None else np.zeros(0, dtype=np.int64)
    if not len(aside):
        rows_fn(ctx, stub, raw.row_dicts(part.odd))
        return
    is_odd = set(part.odd.tolist())
    lead = tables.NODE_LEAD if rows_fn is tables.node_rows else tables.EDGE_LEAD
    canonical = schema.canonical_node_kind if lead == tables.NODE_LEAD else schema.canonical_edge_kind
    props_of = schema.node_props if lead == tables.NODE_LEAD else schema.edge_props
    idx = np.union1d(part.odd, aside)
    batch: list[tuple[int, dict[str, str]]] = []
    for i, (rownum, row) in zip(idx.tolist(), raw.row_dicts(idx), strict=True):
        if i in is_odd:
            batch.append((rownum, row))
            continue
        if batch:
            rows_fn(ctx, stub, batch)
            batch = []
        tables.check_row(ctx, stub, rownum, row)  # unquotes the cells (a vouched-for row passes)
        kind = canonical(row.get("kind", ""))
        if kind is not None:
            tables.split_props(ctx, stub, rownum, row, dict(props_of(kind)), lead, kind)
    if batch:
        rows_fn(ctx, stub, batch)


def _build_rest(ctx: LoadContext, graph: CampaignGraph, npart: _Part, epart: _Part | None) -> bool:
    """Add the records of the rows the column checks left to the row path, as ``build`` would.

    False when one of them adds a node or edge, or merges into one a later row added: the
    row path's insertion order or merge direction would differ.
    """
    firsts: dict[str, dict[str, int]] = {}

    def earlier(which: str, part: _Part, key: str, row: int | None) -> bool:
        if which not in firsts:
            firsts[which] = dict(zip(part.ids.to_pylist(), part.rownums.tolist(), strict=True))
        first = firsts[which].get(key)
        return first is not None and row is not None and first < row

    rejected: set[Location] = set()
    for rec, loc, columns in ctx.nodes:
        before = graph.number_of_nodes()
        try:
            nid = graph.add_node_record(rec, merge="error")
        except CampaignGraphError as e:
            ctx.error_at(loc, e.message, column=columns.get(e.column or "", e.column))
            if loc is not None:
                rejected.add(loc)
            continue
        if graph.number_of_nodes() != before or not earlier("nodes", npart, nid, loc.row if loc else None):
            return False
        ctx.stats["nodes_added"] += 1
    for rec, loc, columns in ctx.edges:
        if loc is not None and loc in rejected:
            ctx.stats["edges_skipped_with_their_row"] += 1
            continue
        before = graph.number_of_edges()
        try:
            eid = graph.add_edge_record(rec, merge="error")
        except CampaignGraphError as e:
            ctx.error_at(loc, e.message, column=columns.get(e.column or "", e.column))
            continue
        if epart is None or graph.number_of_edges() != before or not earlier("edges", epart, eid, loc.row if loc else None):
            return False
        ctx.stats["edges_added"] += 1
    return True
