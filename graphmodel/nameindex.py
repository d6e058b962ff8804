"""The name index as an Arrow table: built at save, searched with ``pyarrow.compute``.

One row per ``(table, key, node)``: ``table`` is one of :data:`graphmodel.names.INDEX_TABLES`
or ``"partial"`` (the plain texts a partial search looks inside), ``key`` the key made by
:func:`graphmodel.names.index_entries` / :func:`~graphmodel.names.partial_texts` (the same
functions :meth:`CampaignGraph.find` uses on a graph built in memory), ``node`` the row of
the node in the snapshot's nodes table. See docs/snapshot.md.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from graphmodel.names import INDEX_PROPS, INDEX_TABLES, index_entries, partial_texts

#: every value the ``table`` column may hold
TABLES = (*INDEX_TABLES, "partial")
SCHEMA = pa.schema([("table", pa.string()), ("key", pa.string()), ("node", pa.int32())])


#: nodes per chunk of work; a larger nodes table is keyed by two processes
CHUNK = 50_000


def names_table(nodes: pa.Table) -> pa.Table:
    """The name index of a nodes table (snapshot layout), rows in node order."""
    wanted = [c for c in INDEX_PROPS if c in nodes.column_names]
    cols = []
    for c in wanted:
        col = nodes.column(c)
        if pa.types.is_dictionary(col.type):
            col = col.cast(col.type.value_type)
        cols.append(col.to_pylist())
    n = nodes.num_rows
    chunks = [(wanted, [c[i:i + CHUNK] for c in cols], i) for i in range(0, n, CHUNK)]
    if len(chunks) > 1 and (os.cpu_count() or 1) > 1:
        # the keys are pure functions of the names: two forked workers, results in chunk order
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork")) as pool:
            parts = list(pool.map(_chunk_entries, chunks))
    else:
        parts = [_chunk_entries(c) for c in chunks]
    tables = [t for p in parts for t in p[0]]
    keys = [k for p in parts for k in p[1]]
    rows = [r for p in parts for r in p[2]]
    return pa.table(
        [pa.array(tables, pa.string()), pa.array(keys, pa.string()), pa.array(rows, pa.int32())], schema=SCHEMA
    )


def _chunk_entries(chunk: tuple[list[str], list[list[Any]], int]) -> tuple[list[str], list[str], list[int]]:
    wanted, cols, start = chunk
    tables: list[str] = []
    keys: list[str] = []
    rows: list[int] = []
    for r, values in enumerate(zip(*cols), start) if cols else ():
        attrs = {c: v for c, v in zip(wanted, values) if v is not None}
        entries = index_entries(attrs)
        entries += [("partial", t) for t in dict.fromkeys(partial_texts(attrs)) if t]
        for table, key in dict.fromkeys(entries):
            tables.append(table)
            keys.append(key)
            rows.append(r)
    return tables, keys, rows


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

    def get(self, found: dict[tuple[str, str], set[str]], table: str, key: str) -> Any:
        return found.get((table, key), ())

    def partial(self, needle: str) -> list[str]:
        """Ids of the nodes whose name, alias or former name (plain text) contains ``needle``."""
        t = self.table
        mask = pc.and_(pc.equal(t.column("table"), "partial"), pc.match_substring(t.column("key"), needle))
        rows = pc.unique(t.column("node").filter(mask)).to_pylist()
        return [self.ids[r] for r in sorted(rows)]
