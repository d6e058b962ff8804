"""Planning a push: the write batches (CREATE for rows the server lacks, MERGE for the others)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphmodel.graph import CampaignGraph
from graphmodel.stores.neo4j.queries import (
    _ELEMENT_IDS,
    _IDENT,
    SOURCE_LABEL,
    _label,
    _positional_map,
    _rel_type,
)

#: keys of the two ends in :meth:`Batch.row_dicts` of relationships (no schema property starts with "__")
_SRC, _DST = "__src", "__dst"


@dataclass
class Batch:
    """One write transaction of a push."""

    number: int
    what: str  # "Company nodes 1-5000"
    query: str
    #: property maps (MERGE); for a CREATE batch, tuples in the order of :attr:`columns`
    rows: list[Any]
    phase: str = "nodes"  # "sources", "nodes" or "edges"
    #: for a CREATE batch: the MERGE query that writes the same rows idempotently, run instead when a
    #: uniqueness constraint refuses the CREATE (someone wrote one of the ids in between) and when the
    #: driver retries the transaction (the first attempt may have committed before the link dropped:
    #: a second CREATE would duplicate relationships, MERGE converges)
    fallback: str | None = None
    create: bool = False  # rows the server did not have (CREATE), else MERGE
    #: what the transaction writes to: ``label:X`` for each node label it touches, ``type:T`` for its
    #: relationship type. Two batches run at once only if these are disjoint (see ``write``).
    resources: frozenset[str] = frozenset()
    group: int = 0  # batches of one label / one (type, start label, end label) share a group
    #: the names of a CREATE batch's tuple positions: ``id, name, props...`` for nodes,
    #: ``source, target, id, props...`` for relationships (None in a tuple: no such property)
    columns: tuple[str, ...] = ()
    #: for a CREATE batch of relationships: the same CREATE with both ends found by the element ids
    #: that the push's node batches returned (two more tuple positions at the end, see
    #: :meth:`Neo4jStore._write_batch`), and each end's ``id`` checked too
    by_element: str | None = None

    def row_dicts(self) -> list[dict[str, Any]]:
        """The rows as property maps with ``id`` (no absent property); relationships also ``__src``/``__dst``."""
        if not self.create:
            if self.phase == "edges":
                return [{**r["p"], _SRC: r["src"], _DST: r["dst"]} for r in self.rows]
            return self.rows
        names = (_SRC, _DST, *self.columns[2:]) if self.phase == "edges" else self.columns
        return [{k: v for k, v in zip(names, t) if v is not None} for t in self.rows]

    def merge_form(self) -> tuple[str, list[dict[str, Any]]] | None:
        """The (MERGE query, rows) that write what this CREATE batch writes; None for a MERGE batch."""
        if self.fallback is None:
            return None
        if self.phase != "edges":
            return self.fallback, _maps(self.columns, self.rows)
        return self.fallback, _ends_and_maps(self.columns, self.rows)
def _maps(columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """Positional node rows as property maps, without the absent (None) values."""
    return [{k: v for k, v in zip(columns, t) if v is not None} for t in rows]


def _ends_and_maps(columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """Positional relationship rows ``(source, target, id, props...)`` as MERGE rows ``{src, dst, p}``."""
    names = columns[2:]
    return [{"src": t[0], "dst": t[1], "p": {k: v for k, v in zip(names, t[2:]) if v is not None}} for t in rows]


def _absent(rows: list[tuple[Any, ...]], at: int, ids: set[Any] | None, columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """The rows whose id (position ``at``) the server lacks, to CREATE; none when the ids were not
    read or a property name is not a plain identifier (those rows go the generic MERGE way)."""
    if ids is None or not all(_IDENT.fullmatch(c) for c in columns):
        return []
    return [t for t in rows if t[at] not in ids]


def _columns_and_tuples(table: Any, lead: tuple[str, ...], skip: str = "kind") -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    """A node or edge table as (column names, one tuple per row), ``lead`` columns first.

    Built column-wise from the Arrow table (``py_values``: repeated strings shared) and zipped
    into tuples: no per-row dict. A tuple travels as a list and the query reads it by position,
    so the property names are not repeated in every row on the wire.
    """
    names = tuple(lead) + tuple(c for c in table.column_names if c not in lead and c != skip)
    return names, list(zip(*(_column_values(table.column(c)) for c in names), strict=True))


def _column_values(col: Any) -> list[Any]:
    """A column as Python values for the wire, one-item string lists built cheaply.

    Most list cells (``sources``, ``origins``) hold one string: those rows get one list per
    distinct string, shared (the rows are only packed, never changed), instead of one slice
    per row. Anything else goes through :func:`~graphmodel.columnar.py_values`.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from graphmodel.columnar import py_values

    t = col.type
    if pa.types.is_list(t) and pa.types.is_string(t.value_type) and col.null_count == 0 and len(col):
        arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
        if pc.all(pc.equal(pc.list_value_length(arr), 1)).as_py():
            flat = arr.flatten().dictionary_encode()
            if flat.null_count == 0:
                lists = [[v] for v in flat.dictionary.to_pylist()]
                return [lists[i] for i in flat.indices.to_pylist()]
    return py_values(col)



def _chunks(rows: list[Any], size: int) -> Iterator[tuple[int, list[Any]]]:
    for start in range(0, len(rows), size):
        yield start, rows[start : start + size]


class _Planner:
    """The planning part of :class:`~graphmodel.stores.neo4j.Neo4jStore`."""

    batch_size: int

    # ------------------------------------------------------------------ push
    def plan(self, graph: CampaignGraph, *, skip_unchanged: bool = False, create_absent: bool = True) -> list[Batch]:
        """The write transactions a push of ``graph`` runs, in order (sources, nodes, edges).

        With ``skip_unchanged`` the server's current rows are read first (one query per
        label and per relationship type and end labels) and rows already there with exactly
        these properties are left out, so a re-push, an incremental sync or the re-push that
        heals an interrupted one writes only what differs (one write transaction per batch of
        changed rows instead of one per batch of all rows).
        Anything that is not an exact match is written (MERGE by id), so this never loses a row.

        With ``create_absent`` (the default) the ids on the server are read first (one query
        per label and per relationship type: only ids) and the rows whose id the server does
        not have at all are written with ``CREATE`` and an explicit property map instead of
        ``MERGE ... SET``: what MERGE would do for them (create), without its search, its
        nested transaction and the second write of SET. Measured on ArcadeDB this costs the
        server about half as much per row, and it is what a first push is made of. Rows whose
        id is there go the MERGE way as before. If a node's id appears on the server between
        the read and the CREATE (someone else writing), the uniqueness constraint refuses the
        batch and it is run again with MERGE (:attr:`Batch.fallback`).
        """
        return [b for group in self.plan_groups(graph, skip_unchanged=skip_unchanged, create_absent=create_absent)
                for b in group]

    def plan_groups(self, graph: CampaignGraph, *, skip_unchanged: bool = False,
                    create_absent: bool = True) -> Iterator[list[Batch]]:
        """The batches of :meth:`plan`, one group (a label, or a relationship type between two
        labels, CREATE or MERGE) at a time, each built only when asked for.

        A push (:meth:`write`) writes the first groups while the later ones are still being
        built. Every node group comes before every relationship group, so when a relationship
        batch is handed over, all the node batches it must wait for are already known.
        """
        numbers = iter(range(1, 1 << 30))
        groups = iter(range(1, 1 << 30))

        def add(what: str, phase: str, query: str, rows: list[Any], resources: frozenset[str],
                fallback: str | None = None, create: bool = False, columns: tuple[str, ...] = (),
                by_element: str | None = None) -> list[Batch]:
            group = next(groups)
            return [Batch(next(numbers), f"{what} {start + 1}-{start + len(chunk)}", query, chunk,
                          phase, fallback, create, resources, group, columns, by_element)
                    for start, chunk in _chunks(rows, self.batch_size)]

        def current(query: str) -> dict[Any, Any]:
            return {(r["k"] if not isinstance(r["k"], list) else tuple(r["k"])): r["p"] for r in self.run(query)}

        # Rows are flat property maps that carry their own ``id`` (``SET n = r``): measured on
        # ArcadeDB, a nested ``{id, props: {...}}`` row costs about twice as much to ship and
        # decode as the flat one (every map key is a value on the wire), and the id once less.
        srows = [dict(s.as_dict()) for _, s in sorted(graph.sources.items())]
        merge_source = f"UNWIND $rows AS r MERGE (s:{_label(SOURCE_LABEL)} {{id: r.id}}) SET s = r"
        if skip_unchanged:
            have = current(f"MATCH (s:{_label(SOURCE_LABEL)}) RETURN s.id AS k, properties(s) AS p")
            srows = [r for r in srows if have.get(r["id"]) != r]
        yield add("sources", "sources", merge_source, srows, frozenset({f"label:{SOURCE_LABEL}"}))

        # Rows come column-wise from the graph's Arrow tables (a loaded snapshot keeps them as they
        # are: no networkx, no per-row dict). Rows the server lacks travel as tuples read by
        # position (``r[0]``, ``r[1]``...): a map row repeats every property name on the wire and
        # costs the client a dict per row. MERGE rows are property maps (``SET n = r``).
        counts = graph.counts_by_kind()
        kind_of: dict[str, str] = {}
        for kind in sorted(counts["nodes"]):
            label = _label(kind)
            touches = frozenset({f"label:{kind}"})
            cols, rows = _columns_and_tuples(graph.node_table(kind), ("id",))
            kind_of.update(dict.fromkeys([t[0] for t in rows], kind))
            merge = f"UNWIND $rows AS r MERGE (n:{label} {{id: r.id}}) SET n = r" + _ELEMENT_IDS.format(id="r.id")
            if skip_unchanged:
                have = current(f"MATCH (n:{label}) RETURN n.id AS k, properties(n) AS p")
                rows = [t for t, m in zip(rows, _maps(cols, rows), strict=True) if have.get(m["id"]) != m]
                ids: set[Any] | None = set(have) if create_absent else None
            else:
                ids = self._ids_on_server(f"MATCH (n:{label}) RETURN n.id AS k") if create_absent else None
            absent = _absent(rows, 0, ids, cols)
            if absent:
                yield add(f"{kind} nodes (new)", "nodes",
                          f"UNWIND $rows AS r CREATE (n:{label} {{{_positional_map(cols, 0)}}})"
                          + _ELEMENT_IDS.format(id="r[0]"),
                    absent, touches, fallback=merge, create=True, columns=cols)
                rows = [t for t in rows if t[0] in ids] if ids is not None else rows
            yield add(f"{kind} nodes", "nodes", merge, _maps(cols, rows), touches)

        for kind in sorted(counts["edges"]):
            rel = _rel_type(kind)
            cols, rows = _columns_and_tuples(graph.edge_table(kind), ("source", "target", "id"))
            by_ends: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
            for t in rows:
                by_ends.setdefault((kind_of[t[0]], kind_of[t[1]]), []).append(t)
            rel_ids = (self._ids_on_server(f"MATCH ()-[e:{rel}]->() RETURN e.id AS k")
                       if create_absent else None)  # ids of this type between any labels
            for (sk, dk) in sorted(by_ends):
                erows = by_ends[(sk, dk)]
                touches = frozenset({f"label:{sk}", f"label:{dk}", f"type:{kind}"})
                # both ends matched by label + id, so each lookup is an index seek (checked with PROFILE)
                ends = f"UNWIND $rows AS r MATCH (a:{_label(sk)} {{id: r.src}}) MATCH (b:{_label(dk)} {{id: r.dst}}) "
                merge = ends + f"MERGE (a)-[e:{rel} {{id: r.p.id}}]->(b) SET e = r.p"
                if skip_unchanged:
                    have = current(f"MATCH (a:{_label(sk)})-[e:{rel}]->(b:{_label(dk)}) "
                                   "RETURN [e.id, a.id, b.id] AS k, properties(e) AS p")
                    erows = [t for t, m in zip(erows, _ends_and_maps(cols, erows), strict=True)
                             if have.get((m["p"]["id"], m["src"], m["dst"])) != m["p"]]
                absent = _absent(erows, 2, rel_ids, cols)
                if absent:
                    made = f"CREATE (a)-[e:{rel} {{{_positional_map(cols, 2)}}}]->(b)"
                    create = (f"UNWIND $rows AS r MATCH (a:{_label(sk)} {{id: r[0]}}) "
                              f"MATCH (b:{_label(dk)} {{id: r[1]}}) {made}")
                    # the ends' element ids go after the row's own positions
                    ea, eb = len(cols), len(cols) + 1
                    by_element = (f"UNWIND $rows AS r MATCH (a:{_label(sk)}) WHERE elementId(a) = r[{ea}] AND a.id = r[0] "
                                  f"MATCH (b:{_label(dk)}) WHERE elementId(b) = r[{eb}] AND b.id = r[1] {made} "
                                  "RETURN count(e) AS c")
                    yield add(f"{kind} edges ({sk}->{dk}, new)", "edges", create, absent, touches, fallback=merge,
                              by_element=by_element,
                        create=True, columns=cols)
                    erows = [t for t in erows if t[2] in rel_ids] if rel_ids is not None else erows
                yield add(f"{kind} edges ({sk}->{dk})", "edges", merge, _ends_and_maps(cols, erows), touches)

    def _ids_on_server(self, query: str) -> set[Any]:
        """The ids a ``... RETURN x.id AS k`` query finds (which rows a push may CREATE)."""
        return {r["k"] for r in self.run(query)}
