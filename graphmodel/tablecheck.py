"""Checks a snapshot's Arrow tables against the schema before they are trusted.

A snapshot's hashes say its files are the ones its manifest lists, not that whoever wrote
the manifest was this tool: a table rewritten with its hashes recomputed passes them. So
opening a snapshot also checks, column by column with ``pyarrow.compute`` (no per-value
Python pass), what :meth:`CampaignGraph.add_node` / ``add_edge`` would have refused:

- column types against the schema's property types (``workforce`` stored as text is refused);
- node and edge kinds within the schema, each property only on kinds that have it;
- enum values within their vocabularies, dates as ``YYYY-MM-DD``;
- ranges: percentages 0..100, the schema's ``bounds`` (latitude, longitude), counts of people
  not negative, no NaN or infinity;
- ids without control characters, edge ends that are nodes of the allowed kinds,
  source ids that the sources table holds.

The first problem found raises :class:`CampaignGraphError` naming the file and column
(never a value: a snapshot may hold sensitive ones).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from graphmodel import schema
from graphmodel.errors import CampaignGraphError

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def _is_text(t: pa.DataType) -> bool:
    import pyarrow as pa

    if pa.types.is_dictionary(t):
        t = t.value_type
    return pa.types.is_string(t) or pa.types.is_large_string(t)


def _type_ok(t: pa.DataType, ptype: str) -> bool:
    import pyarrow as pa

    if ptype in ("str", "date", "enum"):
        return _is_text(t)
    if ptype == "int":
        return pa.types.is_int64(t)
    if ptype in ("float", "percent"):
        return pa.types.is_float64(t)
    if ptype == "bool":
        return pa.types.is_boolean(t)
    if ptype == "list":
        return (pa.types.is_list(t) or pa.types.is_large_list(t)) and _is_text(t.value_type)
    return False


def _plain(col: Any) -> Any:
    """A dictionary-encoded column as plain strings (other columns unchanged)."""
    import pyarrow as pa

    return col.cast(col.type.value_type) if pa.types.is_dictionary(col.type) else col


def _int_view(arr: Any) -> Any:
    """A null-free Arrow integer array as a numpy view of its data buffer.

    ``Array.to_numpy`` would do, but pyarrow imports pandas on its first call (0.25 s):
    ``info`` reads kind codes and nothing else needs pandas there.
    """
    import numpy as np

    dtype = np.dtype(arr.type.to_pandas_dtype())
    return np.frombuffer(arr.buffers()[1], dtype=dtype, count=len(arr), offset=arr.offset * dtype.itemsize)


def _has_empty(col: Any) -> bool:
    """Whether a string column holds a null or an empty string (compared in Arrow: no Python
    value is converted, so a command that only checks tables does not import pandas, which
    pyarrow loads on its first conversion of a Python value)."""
    import pyarrow.compute as pc

    return bool(col.null_count) or (len(col) > 0 and pc.min(pc.binary_length(col)).as_py() == 0)


def _has_control(col: Any) -> bool:
    """Whether a string column holds a character no id may hold (the pattern ``_check_id`` uses).

    The pattern is one character class, so it matches some value exactly when it matches the
    values written one after the other: it is run once over each chunk's value buffer, seen
    as a single string (no copy), instead of once per value (a third of the time for a
    million ids). Bytes under a null slot, if any, are searched too: a column with nulls is
    refused anyway (:func:`_has_empty` runs first).
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from graphmodel.graph import ID_CONTROL_PATTERN

    chunks = col.chunks if isinstance(col, pa.ChunkedArray) else [col]
    for arr in chunks:
        if not len(arr):
            continue
        width = 8 if pa.types.is_large_string(arr.type) else 4
        offsets = _int_view(pa.Array.from_buffers(pa.int64() if width == 8 else pa.int32(), len(arr) + 1,
                                                  [None, arr.buffers()[1]], offset=arr.offset))
        start, end = int(offsets[0]), int(offsets[-1])
        if end == start:
            continue
        # built from buffers (numpy, no Python value converted: that would import pandas)
        bounds = pa.py_buffer(np.array([0, end - start], dtype=np.int64))
        whole = pa.Array.from_buffers(pa.large_string(), 1, [None, bounds, arr.buffers()[2].slice(start, end - start)])
        if pc.any(pc.match_substring_regex(whole, ID_CONTROL_PATTERN)).as_py():
            return True
    return False


def kind_codes(col: Any) -> tuple[list[Any], Any]:
    """Distinct values and one int32 code per row (numpy) of a string column without nulls (a
    ``kind`` column: the checks here and :class:`~graphmodel.columnar.Columnar` read it this way)."""
    import numpy as np
    import pyarrow as pa

    arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col  # unifies chunks' dictionaries
    if pa.types.is_dictionary(arr.type) and not arr.null_count:
        # the file's own dictionary (the snapshot writes kind encoded): no cast to strings and back,
        # as long as it names each value once; entries no row uses are dropped
        names = arr.dictionary.to_pylist()
        codes = _int_view(arr.indices).astype(np.int32)
        used = np.flatnonzero(np.bincount(codes, minlength=len(names)))
        if len(used) < len(names):
            remap = np.full(len(names), -1, np.int32)
            remap[used] = np.arange(len(used))
            names, codes = [names[i] for i in used.tolist()], remap[codes]
        if len(set(names)) == len(names):
            return names, codes
    enc = _plain(arr).dictionary_encode()
    return enc.dictionary.to_pylist(), enc.indices.to_numpy(zero_copy_only=False).astype(np.int32)


def kinds_with_values(col: Any, kind_codes: Any) -> list[int]:
    """The kind codes (rising) of the rows where ``col`` holds a value; ``kind_codes``: one per row
    (numpy, as :func:`kind_codes` gives). The schema check reads a property column's kinds this
    way, and :class:`~graphmodel.columnar.Columnar` the columns each kind's rows use."""
    import numpy as np

    if not len(col):
        return []
    valid = col.is_valid().to_numpy(zero_copy_only=False) if col.null_count else None
    return np.flatnonzero(np.bincount(kind_codes if valid is None else kind_codes[valid])).tolist()


def check_tables(nodes: pa.Table, edges: pa.Table, sources: pa.Table, *,
                 files: Mapping[str, str] | None = None) -> tuple[Any, Any]:
    """Refuse tables that do not fit the schema (see the module docstring).

    ``files`` names each table (``{"nodes": path, "edges": path, "sources": path}``) for the
    error. Returns the node row of each edge's source and target (numpy int64 arrays), which
    :class:`~graphmodel.columnar.Columnar` would otherwise look up again.
    """
    files = dict(files or {})

    def fail(what: str, column: str, message: str) -> CampaignGraphError:
        return CampaignGraphError(message, file=files.get(what) or f"{what} table", column=column)

    source_ids = _check_sources(sources, fail)
    node_props = schema.all_node_props()
    kind_names, kind_codes = _check_lead(nodes, "nodes", ("id", "kind", "name"), fail)
    _check_kinds(kind_names, schema.NODE_KINDS, "nodes", fail)
    _check_props(nodes, "nodes", ("id", "kind", "name"), kind_names, kind_codes, node_props,
                 schema.node_props, source_ids, fail)

    edge_props = schema.all_edge_props()
    lead = edge_lead(edges.schema)
    ekind_names, ekind_codes = _check_lead(edges, "edges", lead, fail)
    _check_kinds(ekind_names, schema.EDGE_KINDS, "edges", fail)
    _check_props(edges, "edges", lead, ekind_names, ekind_codes, edge_props,
                 schema.edge_props, source_ids, fail)
    return _check_ends(nodes, kind_names, kind_codes, edges, ekind_names, ekind_codes, fail)


#: a snapshot's edges file names each edge's ends by their row in the nodes file (int32,
#: delta-encoded): smaller than the id strings and checked by bounds instead of a lookup of
#: every id. Tables in memory (and snapshots written before) carry ``source`` / ``target`` ids.
END_ROWS = ("source_row", "target_row")


def edge_lead(table_schema: pa.Schema) -> tuple[str, ...]:
    """The lead columns of an edges table: ``id, source, target, kind``, or ``id, source_row,
    target_row, kind`` in a snapshot's edges file (:data:`END_ROWS`)."""
    return ("id", *END_ROWS, "kind") if END_ROWS[0] in table_schema.names else ("id", "source", "target", "kind")


def end_rows(nodes: pa.Table, edges: pa.Table) -> tuple[Any, Any]:
    """Each edge's ``source`` and ``target`` id looked up as a row of ``nodes`` (numpy int64;
    -1 where the id is no node): the one look-up of edge ends by id."""
    import numpy as np
    import pyarrow.compute as pc

    ids = _plain(nodes.column("id"))
    ids = ids.combine_chunks() if hasattr(ids, "combine_chunks") else ids
    return tuple(  # type: ignore[return-value]
        pc.index_in(_plain(edges.column(end)), value_set=ids).fill_null(-1).to_numpy(zero_copy_only=False)
        .astype(np.int64) for end in ("source", "target"))


def _check_sources(sources: pa.Table, fail: Callable[..., CampaignGraphError]) -> Any:
    import pyarrow as pa

    from graphmodel.records import SOURCE_FIELDS

    for name in sources.column_names:
        if name not in SOURCE_FIELDS:
            raise fail("sources", name, "not a Source field of this tool")
        t = sources.column(name).type
        ok = pa.types.is_boolean(t) if name == "confidential" else _is_text(t)
        if not ok and not pa.types.is_null(t):
            raise fail("sources", name, f"column type {t} does not fit the schema "
                       f"({'bool' if name == 'confidential' else 'string'})")
    if "id" not in sources.column_names:
        raise fail("sources", "id", "the sources table has no id column")
    ids = _plain(sources.column("id"))
    if _has_empty(ids):
        raise fail("sources", "id", "a source has an empty id")
    if _has_control(ids):
        raise fail("sources", "id", "a source id holds a control character")
    return ids


def _check_lead_types(table_schema: pa.Schema, what: str, lead: tuple[str, ...],
                      fail: Callable[..., CampaignGraphError]) -> None:
    import pyarrow as pa

    for c in lead:
        if c not in table_schema.names:
            raise fail(what, c, f"the {what} table has no {c} column")
        t = table_schema.field(c).type
        if c in END_ROWS:
            if not pa.types.is_integer(t):
                raise fail(what, c, f"column type {t} does not fit the schema (integer node row)")
        elif not (_is_text(t) or (c == "name" and str(t) == "null")):
            raise fail(what, c, f"column type {t} does not fit the schema (string)")


def _check_prop_type(name: str, t: pa.DataType, all_props: Mapping[str, schema.Prop], what: str,
                     fail: Callable[..., CampaignGraphError]) -> None:
    """A property column is in the schema and its type fits (an all-null column fits any type)."""
    import pyarrow as pa

    if name not in all_props:
        raise fail(what, name, f"property {name} is not in this tool's schema")
    if not pa.types.is_null(t) and not _type_ok(t, all_props[name].type):
        raise fail(what, name, f"column type {t} does not fit the schema ({all_props[name].type})")


def check_layout(nodes: pa.Schema, edges: pa.Schema, node_kinds: Any, edge_kinds: Any, sources: pa.Table, *,
                 files: Mapping[str, str] | None = None) -> None:
    """The cheap part of :func:`check_tables`, for ``info``: the tables' columns and types
    against the schema, the kinds within the schema (``node_kinds`` / ``edge_kinds``: the
    ``kind`` columns, the only values read) and the sources table. Values (vocabularies,
    ranges, edge ends) are checked when the snapshot is opened for a query."""
    files = dict(files or {})

    def fail(what: str, column: str, message: str) -> CampaignGraphError:
        return CampaignGraphError(message, file=files.get(what) or f"{what} table", column=column)

    _check_sources(sources, fail)
    for table_schema, what, lead, props, known, kinds in (
        (nodes, "nodes", ("id", "kind", "name"), schema.all_node_props(), schema.NODE_KINDS, node_kinds),
        (edges, "edges", edge_lead(edges), schema.all_edge_props(), schema.EDGE_KINDS, edge_kinds),
    ):
        _check_lead_types(table_schema, what, lead, fail)
        for field in table_schema:
            if field.name not in lead:
                _check_prop_type(field.name, field.type, props, what, fail)
        _check_kinds(kind_codes(kinds)[0] if len(kinds) else [], known, what, fail)


def _check_lead(table: pa.Table, what: str, lead: tuple[str, ...],
                fail: Callable[..., CampaignGraphError]) -> tuple[list[Any], Any]:

    _check_lead_types(table.schema, what, lead, fail)
    for c in lead:
        if c == "name" or c in END_ROWS:  # node rows: checked by _check_ends
            continue
        col = _plain(table.column(c))
        if _has_empty(col):
            raise fail(what, c, f"a row of the {what} table has an empty {c}")
        # edge ends must be node ids (checked below), so their characters are the nodes'
        if c == "id" and _has_control(col):
            raise fail(what, c, f"an {c} in the {what} table holds a control character")
    if not _unique(_plain(table.column("id"))):
        raise fail(what, "id", f"the {what} table repeats an id")
    return kind_codes(table.column("kind"))


def _unique(ids: Any) -> bool:
    """No id twice: a snapshot's rows are sorted by id, so strictly increasing is the cheap proof."""
    import pyarrow.compute as pc

    if len(ids) < 2:
        return True
    if pc.all(pc.less(ids[:-1], ids[1:])).as_py():
        return True
    return pc.count_distinct(ids).as_py() == len(ids)


def _check_kinds(names: list[Any], known: Mapping[str, Any], what: str,
                 fail: Callable[..., CampaignGraphError]) -> None:
    bad = sorted(str(k) for k in names if k not in known)
    if bad:
        raise fail(what, "kind", f"kind {', '.join(bad)} is not in this tool's schema (known: {', '.join(known)})")


def _check_props(
    table: pa.Table, what: str, lead: tuple[str, ...], kind_names: list[Any], kind_codes: Any,
    all_props: Mapping[str, schema.Prop], props_of: Callable[[str], Mapping[str, schema.Prop]],
    source_ids: Any, fail: Callable[..., CampaignGraphError],
) -> None:
    import numpy as np
    import pyarrow as pa

    kind_props = {k: props_of(k) for k in kind_names}
    for name in table.column_names:
        if name in lead:
            continue
        col = table.column(name)
        if name in all_props and col.null_count == len(col):
            continue
        _check_prop_type(name, col.type, all_props, what, fail)
        used = kinds_with_values(col, kind_codes)
        # the same property name may have another type on another kind (Company status is free
        # text, a Site's an enum): checked per kind
        by_type: dict[schema.Prop, list[int]] = {}
        for code in used:
            prop = kind_props[kind_names[code]].get(name)
            if prop is None:
                raise fail(what, name, f"{kind_names[code]} has no property {name} in this tool's schema")
            if not _type_ok(col.type, prop.type):
                raise fail(what, name, f"column type {col.type} does not fit {kind_names[code]}.{name} ({prop.type})")
            by_type.setdefault(prop, []).append(code)
        for prop, codes in by_type.items():
            part = col
            if len(by_type) > 1:
                part = col.filter(pa.array(np.isin(kind_codes, codes)))
            _check_values(part, prop, name, what, source_ids, fail)


def _check_values(col: Any, prop: schema.Prop, name: str, what: str, source_ids: Any,
                  fail: Callable[..., CampaignGraphError]) -> None:
    import pyarrow.compute as pc

    ptype, values = prop.type, prop.values
    col = col.drop_null() if col.null_count else col
    if not len(col):
        return
    if ptype in ("float", "percent"):
        if not pc.all(pc.is_finite(col)).as_py():
            raise fail(what, name, f"{name} holds NaN or infinity, not a number")
        lo, hi = (0.0, 100.0) if ptype == "percent" else (prop.bounds or (None, None))
        if lo is not None and (pc.min(col).as_py() < lo or pc.max(col).as_py() > hi):
            raise fail(what, name, f"{name} is outside {lo:g}..{hi:g}")
    elif ptype == "int" and prop.people_count:
        if pc.min(col).as_py() < 0:
            raise fail(what, name, f"{name} is a count of people below 0")
    elif ptype == "enum":
        ok = pc.is_in(_plain(col), value_set=_text_array(values))
        if not pc.all(ok).as_py():
            raise fail(what, name, f"{name} holds a value outside its vocabulary ({', '.join(values)})")
    elif ptype == "date":
        if not pc.all(pc.match_substring_regex(_plain(col), DATE)).as_py():
            raise fail(what, name, f"{name} holds a value that is not a date (YYYY-MM-DD)")
    elif ptype == "list" and name == "sources":
        flat = pc.list_flatten(col)
        if len(flat) and not pc.all(pc.is_in(_plain(flat), value_set=source_ids)).as_py():
            raise fail(what, name, "a record cites a source id that the sources table does not hold")


def _text_array(values: tuple[str, ...]) -> Any:
    import pyarrow as pa

    return pa.array(list(values), type=pa.string())


def _check_ends(nodes: pa.Table, kind_names: list[Any], kind_codes: Any, edges: pa.Table,
                ekind_names: list[Any], ekind_codes: Any, fail: Callable[..., CampaignGraphError]) -> tuple[Any, Any]:
    import numpy as np
    import pyarrow.compute as pc

    if not edges.num_rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    ends = []
    rows_layout = END_ROWS[0] in edges.column_names
    end_column = dict(zip(("source", "target"), END_ROWS if rows_layout else ("source", "target")))
    if rows_layout:  # rows of the nodes table: in range, nothing to look up
        for end, column in zip(("source", "target"), END_ROWS):
            col = edges.column(column)
            if col.null_count:
                raise fail("edges", column, f"an edge has no {end}")
            span = pc.min_max(col)
            if span["min"].as_py() < 0 or span["max"].as_py() >= nodes.num_rows:
                raise fail("edges", column, "an edge points to a node that is not in the snapshot")
            ends.append(col.to_numpy().astype(np.int64))
    else:
        for end, rows in zip(("source", "target"), end_rows(nodes, edges)):
            if len(rows) and rows.min() < 0:
                raise fail("edges", end, "an edge points to a node that is not in the snapshot")
            ends.append(rows)
    if np.any(ends[0] == ends[1]):
        raise fail("edges", end_column["target"], "an edge runs from a node to itself (self-loop)")
    k = max(len(kind_names), 1)
    pair = (ekind_codes * k + kind_codes[ends[0]]) * k + kind_codes[ends[1]]
    for p in np.flatnonzero(np.bincount(pair)).tolist():
        ek, rest = divmod(p, k * k)
        a, b = divmod(rest, k)
        kind = ekind_names[ek]
        if (kind_names[a], kind_names[b]) not in schema.EDGE_KINDS[kind].endpoints:
            column = "source" if kind_names[a] not in {x for x, _ in schema.EDGE_KINDS[kind].endpoints} else "target"
            column = end_column[column]
            raise fail("edges", column, f"{kind} cannot run from a {kind_names[a]} to a {kind_names[b]}")
    return ends[0], ends[1]


def check_names(names: pa.Table, n_nodes: int, *, file: str = "names table") -> None:
    """Refuse a name-index table (graphmodel.nameindex) that does not fit: its columns and
    types, no empty cells, known tables, node rows within the nodes table."""
    import pyarrow.compute as pc

    from graphmodel.nameindex import SCHEMA, TABLES

    def fail(column: str, message: str) -> CampaignGraphError:
        return CampaignGraphError(message, file=file, column=column)

    if names.column_names != SCHEMA.names:
        raise fail("", f"names table columns must be {SCHEMA.names}")
    for field in SCHEMA:
        col = names.column(field.name)
        if not (col.type == field.type or (_is_text(col.type) and _is_text(field.type))):
            raise fail(field.name, f"column type must be {field.type}")
        if col.null_count:
            raise fail(field.name, "empty cell")
    if names.num_rows:
        if not set(pc.unique(_plain(names.column("table"))).to_pylist()) <= set(TABLES):
            raise fail("table", "unknown index table")
        span = pc.min_max(names.column("node"))
        if span["min"].as_py() < 0 or span["max"].as_py() >= n_nodes:
            raise fail("node", "node row outside the nodes table")
