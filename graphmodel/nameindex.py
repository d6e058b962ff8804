"""The name index as an Arrow table: built at save, searched with ``pyarrow.compute``.

One row per ``(table, key, node)``: ``table`` is one of :data:`graphmodel.names.INDEX_TABLES`
or ``"partial"`` (the plain texts a partial search looks inside), ``key`` the key (see
:func:`names_table`, the one definition of the index: the snapshot stores it and
:meth:`CampaignGraph.find` builds it for a graph made in memory), ``node`` the row of the
node in the nodes table. See docs/snapshot.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graphmodel.names import INDEX_TABLES, casefolded, former_name_text, name_keys, per_distinct, plain_texts

#: every value the ``table`` column may hold
TABLES = (*INDEX_TABLES, "partial")
SCHEMA = pa.schema([("table", pa.string()), ("key", pa.string()), ("node", pa.int32())])


_IDENT_SCALARS = ("lei", "wikidata")
_IDENT_LISTS = ("gem_id", "registry_ids", "linked_ids")
_NAME_LISTS = (("alias", "aliases"), ("former_name", "former_names"))
#: the node properties the index reads
READS = ("name", *_IDENT_SCALARS, *_IDENT_LISTS, *(prop for _, prop in _NAME_LISTS))


#: nodes keyed at a time: bounds the memory the column steps take (about 60 MB a chunk)
CHUNK = 100_000


def names_table(nodes: pa.Table) -> pa.Table:
    """The name index of a nodes table (snapshot layout), rows in node order.

    A node is found under, in this order (each ``(table, key)`` once, empty keys left out):
    ``identifier``: its ``lei`` and ``wikidata``, then each ``gem_id``, ``registry_ids`` and
    ``linked_ids`` item, casefolded; ``name``, ``alias``, ``former_name``: for its name, each
    alias and each former name without its dates (:func:`~graphmodel.names.former_name_text`),
    the :func:`~graphmodel.names.name_key` and ``"~"`` + the key without spaces
    (:func:`~graphmodel.names.compact_key`); ``partial``: the
    :func:`~graphmodel.names.plain_text` of its name, aliases and former names (whole).
    Keys are made column by column (:func:`graphmodel.names.name_keys` and friends). (Keys
    are plain text, never shown: they are as sensitive as the names they come from.)

    >>> t = pa.table({"name": ["Acme S.A."], "lei": ["ABC"]})
    >>> [(r["table"], r["key"]) for r in names_table(t).to_pylist()]
    [('identifier', 'abc'), ('name', 'acme'), ('name', '~acme'), ('partial', 'acme s a')]
    """
    if nodes.num_rows <= CHUNK:
        return _names_table(nodes)
    parts = []
    for start in range(0, nodes.num_rows, CHUNK):
        part = _names_table(nodes.slice(start, CHUNK))
        parts.append(part.set_column(2, "node", pc.add(part.column("node"), pa.scalar(start, pa.int32()))))
    return pa.concat_tables(parts)


def _names_table(nodes: pa.Table) -> pa.Table:
    parts: list[tuple[np.ndarray, int, np.ndarray, int, pa.Array]] = []  # (node, group, order, table, key)
    table_code = {t: i for i, t in enumerate(TABLES)}
    group = 0

    def add(rows: np.ndarray, order: np.ndarray, table: str, keys: pa.Array, keep: pa.Array | None = None) -> None:
        if keep is not None:
            mask = np.asarray(keep.to_numpy(zero_copy_only=False), dtype=bool)
            rows, order, keys = rows[mask], order[mask], keys.filter(pa.array(mask))
        parts.append((rows, group, order, table_code[table], keys))

    n = nodes.num_rows
    every = np.arange(n, dtype=np.int64)
    zeros = np.zeros(n, dtype=np.int64)
    for prop in _IDENT_SCALARS:
        if prop in nodes.column_names:
            col = _text(nodes.column(prop))
            add(every, zeros, "identifier", casefolded(col), pc.fill_null(pc.not_equal(col, ""), False))
        group += 1
    for prop in _IDENT_LISTS:
        if prop in nodes.column_names:
            rows, order, items = _items(nodes.column(prop))
            keys = casefolded(items)
            add(rows, order, "identifier", keys, pc.not_equal(keys, ""))
        group += 1
    # names, aliases, former names: the name key and "~" + the compact key (never empty) of each
    name = _text(nodes.column("name")) if "name" in nodes.column_names else pa.nulls(n, pa.string())
    texts: list[tuple[str, np.ndarray, np.ndarray, pa.Array]] = [("name", every, zeros, name)]
    for table, prop in _NAME_LISTS:
        if prop in nodes.column_names:
            rows, order, items = _items(nodes.column(prop))
            texts.append((table, rows, order, items))
    for table, rows, order, items in texts:
        if table == "former_name":
            items = per_distinct(items, former_name_text)
        keys = name_keys(items)
        add(rows, order * 2, table, keys, pc.not_equal(keys, ""))
        add(rows, order * 2 + 1, table, pc.binary_join_element_wise("~", pc.replace_substring(keys, " ", ""), ""))
        group += 1
    # the partial texts: name, aliases, former names (whole), non-empty, in that order
    start = np.ones(n, dtype=np.int64)
    for _, rows, order, items in texts:
        plain = plain_texts(items)
        add(rows, order if rows is every else start[rows] + order, "partial", plain, pc.not_equal(plain, ""))
        if rows is not every:
            start += np.bincount(rows, minlength=n)
    return _assemble(parts, n)


def _assemble(parts: list[tuple[np.ndarray, int, np.ndarray, int, pa.Array]], n: int) -> pa.Table:
    node = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
    group = np.concatenate([np.full(len(p[0]), p[1], np.int64) for p in parts]) if parts else node
    order = np.concatenate([p[2] for p in parts]) if parts else node
    table = np.concatenate([np.full(len(p[0]), p[3], np.int64) for p in parts]) if parts else node
    keys = pa.concat_arrays([p[4].cast(pa.string()) for p in parts]) if parts else pa.array([], pa.string())
    sort = np.lexsort((order, group, node))
    node, table, keys = node[sort], table[sort], keys.take(pa.array(sort))
    # each (table, key) once per node, the first kept
    encoded = keys.dictionary_encode()
    codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    combined = (node * len(TABLES) + table) * max(len(encoded.dictionary), 1) + codes
    first = np.zeros(len(combined), dtype=bool)
    first[np.unique(combined, return_index=True)[1]] = True
    keep = pa.array(first)
    return pa.table([pa.array(TABLES, pa.string()).take(pa.array(table[first])), keys.filter(keep),
                     pa.array(node[first].astype(np.int32))], schema=SCHEMA)


def _text(col: pa.ChunkedArray) -> pa.Array:
    col = col.combine_chunks() if col.num_chunks else pa.array([], pa.string())
    return col.cast(pa.string())


def _items(col: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    """The items of a list column: their node rows, their place in their list, the items (nulls dropped)."""
    lists = col.combine_chunks() if col.num_chunks else pa.array([], col.type)
    lengths = np.asarray(pc.list_value_length(lists).fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)
    rows = np.repeat(np.arange(len(lists), dtype=np.int64), lengths)
    starts = np.concatenate(([0], np.cumsum(lengths)))[:-1]
    order = np.arange(len(rows), dtype=np.int64) - np.repeat(starts, lengths)
    items = pc.list_flatten(lists).cast(pa.string())
    valid = np.asarray(items.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    if not valid.all():
        rows, order, items = rows[valid], order[valid], items.filter(pa.array(valid))
    return rows, order, items


class StoredNameIndex:
    """Look-ups in a names table whose ``node`` rows are positions in ``ids``."""

    def __init__(self, table: pa.Table, ids: list[str]) -> None:
        self.table = table.combine_chunks()
        self.ids = ids

    def lookup(self, keys: Iterable[str]) -> dict[tuple[str, str], set[str]]:
        """``{(table, key): node ids}`` for the rows whose key is one of ``keys`` (one pass)."""
        wanted = pa.array(sorted(set(keys)), pa.string())
        hit = self.table.filter(pc.is_in(self.table.column("key"), value_set=wanted))
        out: dict[tuple[str, str], set[str]] = {}
        ids = self.ids
        for t, k, r in zip(*(hit.column(c).to_pylist() for c in ("table", "key", "node"))):
            out.setdefault((t, k), set()).add(ids[r])
        return out

    def name_keys(self, rows: Iterable[int]) -> dict[str, str]:
        """``{node id: name key}`` of the node ``rows`` that have one: their ``name`` rows, not
        the ``"~"`` compact keys (see :func:`names_table`)."""
        t = self.table
        t = t.filter(pc.is_in(t.column("node"), value_set=pa.array(list(rows), pa.int32())))
        t = t.filter(pc.and_(pc.equal(t.column("table"), "name"), pc.invert(pc.starts_with(t.column("key"), pattern="~"))))
        return {self.ids[r]: k for r, k in zip(t.column("node").to_pylist(), t.column("key").to_pylist())}

    def get(self, found: dict[tuple[str, str], set[str]], table: str, key: str) -> Any:
        return found.get((table, key), ())

    def partial(self, needle: str) -> list[str]:
        """Ids of the nodes whose name, alias or former name (plain text) contains ``needle``."""
        t = self.table
        mask = pc.and_(pc.equal(t.column("table"), "partial"), pc.match_substring(t.column("key"), needle))
        rows = pc.unique(t.column("node").filter(mask)).to_pylist()
        return [self.ids[r] for r in sorted(rows)]
