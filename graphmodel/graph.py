"""``CampaignGraph``: the typed campaign graph over a networkx ``MultiDiGraph``.

The class stays small: typed add/get/find, iteration, validation. Questions about the
graph (groups, coverage, leverage...) are plain functions in ``queries/``.

Nodes are keyed by their stable ``id``; their attributes are ``kind``, ``name`` and the
schema's properties. Edges are keyed by a stable edge id (see
:func:`graphmodel.records.edge_id`). A property that is absent is *unknown*; it is never
stored as ``None``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Container, Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from graphmodel import provenance, schema
from graphmodel.columnar import SortedRows, kinds_filter
from graphmodel.errors import CampaignGraphError
from graphmodel.names import compact_key, former_name_text, name_key, plain_text
from graphmodel.records import EdgeRecord, NodeRecord, Source, edge_id
from graphmodel.values import coerce, ends_before_start, in_force, is_missing, normalise_as_of

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx
    import pyarrow as pa

    from graphmodel.adjacency import Adjacency
    from graphmodel.columnar import Columnar

#: list properties that a merge unions instead of treating as a conflict
_UNION_LISTS = {"aliases", "former_names", "sources", "origins", "gem_id", "registry_ids", "clauses",
                "value_sources"}

MERGE_POLICIES = ("error", "fill", "replace")

#: characters no id may hold (C0 and C1 controls, DEL): one pattern for the row check here and
#: the column-wise loader's (loaders._fast_tables), which sends such rows to the row path
ID_CONTROL_PATTERN = "[\\x00-\\x1f\\x7f-\\x9f]"
_ID_CONTROL = re.compile(ID_CONTROL_PATTERN)


def checked_sources(sources: Iterable[str], known: Container[str]) -> list[str]:
    """The source ids a record cites, each once, in order; every one must be ``known``.

    >>> checked_sources(["s1", "", "s1"], {"s1"})
    ['s1']
    """
    out: list[str] = []
    if isinstance(sources, str):
        sources = [s.strip() for s in sources.split(";")]
    for s in sources:
        if not s:
            continue
        if s not in known:
            raise CampaignGraphError(f"unknown source {s!r} (add it to the sources table first)", column="sources")
        if s not in out:
            out.append(s)
    return out

#: property types whose parsed value is memoised per graph (few distinct texts, immutable results)
_MEMO_TYPES = frozenset({"enum", "bool", "percent", "date", "int"})


@dataclass(frozen=True)
class Match:
    """One answer of :meth:`CampaignGraph.find`."""

    id: str
    kind: str
    name: str
    matched: str  # the text that matched (a name, alias, former name or identifier)
    how: str  # "id", "identifier", "name", "alias", "former_name", "partial"


_former_name_text = former_name_text  # kept for callers of the old private name


class CampaignGraph:
    """A typed, provenance-carrying multigraph of companies, sites, unions and agreements.

    Examples
    --------
    >>> g = CampaignGraph()
    >>> g.add_source(Source("s1", title="Annual report"))
    >>> g.add_node("am", "Company", "ArcelorMittal SA", sources=["s1"], country="LU")
    'am'
    >>> g.add_node("gent", "Site", "ArcelorMittal Gent", sources=["s1"], commodity="steel")
    'gent'
    >>> g.add_edge("am", "gent", "OPERATES", sources=["s1"])
    'OPERATES:am->gent'
    >>> [m.id for m in g.find("ArcelorMittal S.A.")]
    ['am']
    """

    def __init__(self) -> None:
        # Two modes. Ordinary: the data lives in the networkx graph ``_nx``. Columnar (a
        # freshly loaded snapshot): it lives in ``_col`` (typed tables + numpy indexes, see
        # graphmodel.columnar) and ``_nx`` is built on first use of ``.nx`` or on any change.
        self._col: Columnar | None = None
        self._col_meta: dict[str, Any] = {}
        # the networkx graph, made on first use: a columnar graph's commands never import
        # networkx (0.1 s of every command's start-up)
        self._g: nx.MultiDiGraph | None = None
        self.sources: dict[str, Source] = {}
        self._ends: dict[str, tuple[str, str]] = {}  # edge id -> (source, target), in insertion order
        # the name index: built by find() on first use, or the snapshot's stored one (a
        # graphmodel.nameindex.StoredNameIndex); any change sets it back to None
        self._index: Any = None
        # the CSR read interface of a columnar graph (graphmodel.adjacency), made on first use
        self._adjacency: Adjacency | None = None
        # load-path memos (pure functions of the schema and the raw text): the allowed
        # properties per kind, and parsed values of repetitive types ("100", "yes", dates)
        self._kind_props: dict[tuple[str, str], Mapping[str, schema.Prop]] = {}
        self._coerced: dict[tuple[int, str], tuple[schema.Prop, Any]] = {}

    # ------------------------------------------------------------------ modes
    @property
    def nx(self) -> nx.MultiDiGraph:
        """The networkx ``MultiDiGraph`` (nodes keyed by id, edges keyed by edge id).

        A graph loaded from a snapshot keeps its data in columns until this is first used;
        then the networkx graph is built once (about 10 s for a million edges) and kept.
        Read methods of this class and :meth:`node_table` / :meth:`edge_table` never need it;
        outside :mod:`graphmodel`, a networkx algorithm takes :meth:`to_networkx` (read-only).
        """
        if self._col is not None:
            self._materialise()
        return self._nx

    @nx.setter
    def nx(self, value: nx.MultiDiGraph) -> None:
        self._col = None
        self._adjacency = None
        self._nx = value

    def to_networkx(self) -> nx.MultiDiGraph:
        """The graph as a read-only networkx ``MultiDiGraph``, for networkx's algorithms and for users.

        Nodes are keyed by id and edges by edge id, with the attribute dicts of :meth:`node` /
        :meth:`edge`. It is a frozen view (``nx.MultiDiGraph.copy(as_view=True)``) of the networkx
        graph behind this one, so it costs nothing once that exists; a graph loaded in columns
        builds it first (seconds at a million edges). Queries and exports read the graph through
        its own read methods and :meth:`adjacency` instead: only an algorithm that needs networkx
        should ask for it. Change the graph through ``add_*`` / :meth:`set_node_props`.

        Examples
        --------
        >>> import networkx
        >>> g = CampaignGraph()
        >>> _ = g.add_node("a", "Company", "A"); _ = g.add_node("b", "Company", "B")
        >>> _ = g.add_edge("a", "b", "OWNS", share=60)
        >>> G = g.to_networkx()
        >>> list(G.edges(keys=True)), networkx.is_frozen(G)
        ([('a', 'b', 'OWNS:a->b')], True)
        """
        return self.nx.copy(as_view=True)

    @property
    def _nx(self) -> nx.MultiDiGraph:
        """The networkx graph behind an ordinary graph (an empty one until something is added)."""
        if self._g is None:
            import networkx as nx

            self._g = nx.MultiDiGraph()
        return self._g

    @_nx.setter
    def _nx(self, value: nx.MultiDiGraph | None) -> None:
        self._g = value

    @property
    def _edge_ends(self) -> dict[str, tuple[str, str]]:
        """Edge id -> ``(source, target)`` of the networkx graph (built first if columnar)."""
        if self._col is not None:
            self._materialise()
        return self._ends

    @_edge_ends.setter
    def _edge_ends(self, value: dict[str, tuple[str, str]]) -> None:
        self._ends = value

    @property
    def meta(self) -> dict[str, Any]:
        """Graph-level markers (e.g. ``"redacted"``); the same dict as ``graph.nx.graph``."""
        return self._col_meta if self._col is not None else self._nx.graph

    @property
    def is_columnar(self) -> bool:
        """Whether the data is still held in columns (no networkx graph built yet)."""
        return self._col is not None

    def _set_columnar(self, col: Columnar) -> None:
        """Hold the graph as ``col`` (trusted tables); used by the snapshot loader."""
        if self._col is None:  # the ordinary graph's markers (no networkx graph made just for them)
            self._col_meta = dict(self._g.graph) if self._g is not None else {}
        self._col = col
        self._nx = None
        self._edge_ends = {}
        self._index = None
        self._adjacency = None

    def _materialise(self) -> None:
        """Build the networkx graph from the columns, exactly as the row loader does, and drop them."""
        col = self._col
        assert col is not None
        import networkx as nx

        from graphmodel.gcpause import paused_gc

        with paused_gc():
            G = nx.MultiDiGraph()
            G.graph.update(self._col_meta)
            ends = col.fill_networkx(G)
            nx._clear_cache(G)
            self._col, self._nx, self._edge_ends, self._col_meta = None, G, ends, {}
            self._index = None
            self._adjacency = None

    def _props_for(self, what: str, kind: str) -> Mapping[str, schema.Prop]:
        found = self._kind_props.get((what, kind))
        if found is None:
            found = schema.node_props(kind) if what == "node" else schema.edge_props(kind)
            self._kind_props[(what, kind)] = found
        return found

    # ------------------------------------------------------------------ sources
    def add_source(self, source: Source) -> None:
        """Add a Source record; a second record with the same id fills empty fields."""
        if not source.id:
            raise CampaignGraphError("a source needs an id")
        if _ID_CONTROL.search(source.id):  # as node and edge ids (and the snapshot check)
            raise CampaignGraphError("source id contains a control character")
        old = self.sources.get(source.id)
        self.sources[source.id] = old.merged_with(source) if old else source

    # ------------------------------------------------------------------ nodes
    def add_node(
        self,
        id: str,
        kind: str,
        name: str | None = None,
        *,
        sources: Iterable[str] = (),
        merge: str = "error",
        **props: Any,
    ) -> str:
        """Add (or merge into) the node ``id`` after validating it against the schema.

        Parameters
        ----------
        id, kind, name
            The stable id, a node kind of the schema (any case), the display name.
        sources
            Source ids asserting the node; they must have been added with :meth:`add_source`.
        merge
            What to do when the node exists and a property differs: ``"error"`` raises
            (the duplicate-id check of the table loaders), ``"fill"`` keeps the old value,
            ``"replace"`` takes the new one. Sources, aliases and other list properties
            are always unioned.
        **props
            Schema properties; values are parsed (``"51 %"`` -> 51.0, ``"2008"`` -> ``"2008-01-01"``).

        Returns
        -------
        The node id.
        """
        canonical = schema.canonical_node_kind(kind) if isinstance(kind, str) else None
        if canonical is None:
            raise CampaignGraphError(f"unknown node kind {kind!r} (known: {', '.join(schema.NODE_KINDS)})")
        node_id = self._check_id(id)
        attrs = self._coerce_props(self._props_for("node", canonical), props, where=f"{canonical} {node_id}",
                                   memo=self._coerced)
        if name is not None:
            try:
                attrs["name"] = coerce(schema.COMMON_NODE_PROPS["name"], name)
            except ValueError as e:
                raise CampaignGraphError(f"{canonical} {node_id}: name: {e}", column="name") from None
            if attrs["name"] is None:
                del attrs["name"]
        src = self._check_sources(sources)
        if src:
            attrs["sources"] = src
        if self.nx.has_node(node_id):
            existing = self.nx.nodes[node_id]
            if existing["kind"] != canonical:
                raise CampaignGraphError(
                    f"duplicate id {node_id!r}: already a {existing['kind']}, not a {canonical}"
                )
            self._merge_into(existing, attrs, merge, what=f"id {node_id!r}")
        else:
            attrs.setdefault("name", node_id)
            self.nx.add_node(node_id, kind=canonical, **attrs)
        self._index = None
        return node_id

    def add_node_record(self, rec: NodeRecord, *, merge: str = "error") -> str:
        """Add a :class:`NodeRecord` (its origin is kept in ``origins``)."""
        props = dict(rec.props)
        if rec.origin:
            props["origins"] = list(props.get("origins") or []) + [rec.origin]
        return self.add_node(rec.id, rec.kind, rec.name, sources=rec.sources, merge=merge, **props)

    def set_node_props(self, id: str, **props: Any) -> None:
        """Set properties of the node ``id``, each parsed and checked as :meth:`add_node` does; ``None`` removes one.

        A value given replaces the old one (list properties too: pass the whole list). Searches
        see the change (the name index is rebuilt on the next :meth:`find`). The kind, id and
        sources are not set this way.

        Examples
        --------
        >>> g = CampaignGraph()
        >>> _ = g.add_node("a", "Company", "Acme", country="DE")
        >>> g.set_node_props("a", aliases=["Acme Steel"], country=None)
        >>> dict(g.node("a")), [m.how for m in g.find("Acme Steel")]
        ({'kind': 'Company', 'name': 'Acme', 'aliases': ['Acme Steel']}, ['alias'])
        """
        kind = self.kind_of(id)
        fixed = {"kind", "id", "sources"} & set(props)
        if "name" in props and props["name"] is None:
            fixed.add("name (to nothing)")
        if fixed:
            raise CampaignGraphError(f"{kind} {id}: set_node_props cannot set {', '.join(sorted(fixed))}")
        parsed = self._coerce_props(self._props_for("node", kind), props, where=f"{kind} {id}", memo=self._coerced)
        attrs = self.nx.nodes[id]
        for p in props:
            if p in parsed:
                attrs[p] = parsed[p]
            else:
                attrs.pop(p, None)
        self._index = None

    def has_node(self, id: str) -> bool:
        col = self._col
        if col is not None:
            return isinstance(id, str) and id in col.row
        return self._nx.has_node(id)

    def node(self, id: str) -> Mapping[str, Any]:
        """The node's attributes (read-only view), ``kind`` and ``name`` included."""
        col = self._col
        try:
            if col is not None:
                return MappingProxyType(col.node_attrs(col.row[id]))
            return MappingProxyType(self._nx.nodes[id])
        except (KeyError, TypeError):
            raise CampaignGraphError(f"no node with id {id!r}") from None

    def kind_of(self, id: str) -> str:
        col = self._col
        if col is not None:
            r = col.row.get(id) if isinstance(id, str) else None
            if r is None:
                raise CampaignGraphError(f"no node with id {id!r}")
            return col.nkind[r]
        return self.node(id)["kind"]

    def name_of(self, id: str) -> str:
        col = self._col
        if col is not None:
            r = col.row.get(id) if isinstance(id, str) else None
            return id if r is None else col.name_of(r)
        return self._nx.nodes[id].get("name", id) if self._nx.has_node(id) else id

    def names_of(self, ids: Iterable[str]) -> list[str]:
        """:meth:`name_of` of each of ``ids``, in order.

        A graph held in columns reads their names in one batch (:meth:`Columnar.cells`: the
        whole name column once they are many) instead of one cell per node.

        >>> g = CampaignGraph(); _ = g.add_node("a", "Company", "Acme")
        >>> g.names_of(["a", "zz"])
        ['Acme', 'zz']
        """
        col = self._col
        if col is None:
            return [self.name_of(n) for n in ids]
        ids = list(ids)
        if isinstance(col.row, SortedRows):
            col.row.expect(len(ids))  # a large batch: the row dict at once, not a binary search per id first
        get = col.row.get
        rows = [get(n) if isinstance(n, str) else None for n in ids]
        names = iter(col.cells(False, [r for r in rows if r is not None]))
        # an id that is no node, or a node with no name, is named by its id (as name_of says)
        return [n if r is None or (name := next(names)) is None else name for n, r in zip(ids, rows)]

    def degree(self, id: str) -> int:
        """How many edges touch ``id``, in and out, parallel edges each counted (networkx's ``degree``).

        >>> g = CampaignGraph()
        >>> _ = g.add_node("a", "Company", "A"); _ = g.add_node("b", "Company", "B")
        >>> _ = g.add_edge("a", "b", "OWNS", valid_from="2001"); _ = g.add_edge("a", "b", "OWNS", valid_from="2010")
        >>> _ = g.add_node("s", "Site", "S"); _ = g.add_edge("b", "s", "OPERATES")
        >>> g.degree("a"), g.degree("b"), g.degree("s")
        (2, 3, 1)
        """
        col = self._col
        if col is not None:
            r = col.row.get(id) if isinstance(id, str) else None
            if r is None:
                raise CampaignGraphError(f"no node with id {id!r}")
            return int(col.out_ptr[r + 1] - col.out_ptr[r] + col.in_ptr[r + 1] - col.in_ptr[r])
        if not self._nx.has_node(id):
            raise CampaignGraphError(f"no node with id {id!r}")
        return int(self._nx.degree(id))

    def nodes(self, kind: str | None = None) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """Iterate ``(id, attrs)``, optionally of one kind."""
        col = self._col
        if col is not None:
            rows = col.node_rows(kind)
            if kind is None:
                yield from zip(col.ids, col.all_node_attrs())
                return
            if rows:
                col.build_node_kind(kind)  # one pass over the kind's columns
            ids, attrs = col.ids, col.nattrs
            for r in rows:
                yield ids[r], attrs[r]  # type: ignore[misc]
            return
        for n, a in self._nx.nodes(data=True):
            if kind is None or a["kind"] == kind:
                yield n, a

    def node_ids(self, kind: str | None = None) -> list[str]:
        col = self._col
        if col is not None:
            ids = col.ids
            return list(ids) if kind is None else [ids[r] for r in col.node_rows(kind)]
        return [n for n, _ in self.nodes(kind)]

    def remove_node(self, id: str) -> None:
        """Remove a node and every edge touching it."""
        if not self.nx.has_node(id):
            raise CampaignGraphError(f"no node with id {id!r}")
        for _, _, k in list(self.nx.in_edges(id, keys=True)) + list(self.nx.out_edges(id, keys=True)):
            self._edge_ends.pop(k, None)
        self.nx.remove_node(id)
        self._index = None

    # ------------------------------------------------------------------ edges
    def add_edge(
        self,
        source: str,
        target: str,
        kind: str,
        *,
        id: str | None = None,
        sources: Iterable[str] = (),
        merge: str = "error",
        **props: Any,
    ) -> str:
        """Add (or merge into) an edge after checking its kind, endpoints and properties.

        Returns the edge id: ``id`` if given, else derived from kind, ends and ``valid_from``.
        Self-loops are refused (a company that owns and operates is direct operation, not
        an OWNS loop).
        """
        canonical = schema.canonical_edge_kind(kind) if isinstance(kind, str) else None
        if canonical is None:
            raise CampaignGraphError(f"unknown edge kind {kind!r} (known: {', '.join(schema.EDGE_KINDS)})")
        for end, label in ((source, "source"), (target, "target")):
            if not self.nx.has_node(end):
                raise CampaignGraphError(f"{canonical} edge {label} {end!r} is not a node in the graph", column=label)
        if source == target:
            raise CampaignGraphError(f"{canonical} edge from {source!r} to itself (self-loop) is not allowed")
        ends = (self.nx.nodes[source]["kind"], self.nx.nodes[target]["kind"])
        ek = schema.EDGE_KINDS[canonical]
        if ends not in ek.endpoints:
            allowed = ", ".join(f"{a}->{b}" for a, b in ek.endpoints)
            wrong_end = "source" if ends[0] not in {a for a, _ in ek.endpoints} else "target"
            raise CampaignGraphError(
                f"{canonical} cannot run from a {ends[0]} to a {ends[1]} (allowed: {allowed})", column=wrong_end
            )
        attrs = self._coerce_props(self._props_for("edge", canonical), props, where=f"{canonical} {source}->{target}",
                                   memo=self._coerced)
        vf, vt = attrs.get("valid_from"), attrs.get("valid_to")
        if ends_before_start(vf, vt):
            raise CampaignGraphError(f"{canonical} {source}->{target}: valid_to is before valid_from", column="valid_to")
        src = self._check_sources(sources)
        if src:
            attrs["sources"] = src
        eid = self._check_id(id) if id else edge_id(canonical, source, target, vf)
        if eid in self._edge_ends:
            u, v = self._edge_ends[eid]
            if (u, v) != (source, target):
                raise CampaignGraphError(f"duplicate edge id {eid!r} with different ends")
            existing = self.nx.edges[u, v, eid]
            if existing["kind"] != canonical:
                raise CampaignGraphError(f"duplicate edge id {eid!r}: already a {existing['kind']}")
            self._merge_into(existing, attrs, merge, what=f"edge {eid!r}")
        else:
            self.nx.add_edge(source, target, key=eid, kind=canonical, **attrs)
            self._edge_ends[eid] = (source, target)
        return eid

    def add_edge_record(self, rec: EdgeRecord, *, merge: str = "error") -> str:
        """Add an :class:`EdgeRecord` (its origin is kept in ``origins``)."""
        props = dict(rec.props)
        if rec.origin:
            props["origins"] = list(props.get("origins") or []) + [rec.origin]
        return self.add_edge(rec.source, rec.target, rec.kind, id=rec.id, sources=rec.sources, merge=merge, **props)

    def has_edge(self, eid: str) -> bool:
        col = self._col
        if col is not None:
            return isinstance(eid, str) and eid in col.erow
        return eid in self._edge_ends

    def edge(self, eid: str) -> tuple[str, str, Mapping[str, Any]]:
        """``(source, target, attrs)`` of the edge ``eid``."""
        col = self._col
        if col is not None:
            r = col.erow.get(eid) if isinstance(eid, str) else None
            if r is None:
                raise CampaignGraphError(f"no edge with id {eid!r}")
            return col.ids[col.src[r]], col.ids[col.dst[r]], MappingProxyType(col.edge_attrs(r))
        try:
            u, v = self._edge_ends[eid]
        except KeyError:
            raise CampaignGraphError(f"no edge with id {eid!r}") from None
        return u, v, MappingProxyType(self.nx.edges[u, v, eid])

    def remove_edge(self, eid: str) -> None:
        u, v = self._edge_ends.pop(eid)
        self.nx.remove_edge(u, v, key=eid)

    def edges(
        self, kind: str | Iterable[str] | None = None, *, as_of: Any = None
    ) -> Iterator[tuple[str, str, str, Mapping[str, Any]]]:
        """Iterate ``(edge_id, source, target, attrs)``.

        ``kind`` filters by one kind or several; ``as_of`` (a date, ``"today"``) keeps only
        edges whose validity contains that date. ``as_of=None`` keeps all.
        """
        col = self._col
        if col is not None:
            return self._filtered(self._col_edges(col, col.out_order, kind), kind, as_of)
        return self._filtered(self._nx.edges(keys=True, data=True), kind, as_of)

    def out_edges(
        self, id: str, kind: str | Iterable[str] | None = None, *, as_of: Any = None
    ) -> list[tuple[str, str, str, Mapping[str, Any]]]:
        """Edges leaving ``id`` as ``(edge_id, source, target, attrs)``, filtered like :meth:`edges`."""
        return self._adjacent(id, True, kind, as_of)

    def in_edges(
        self, id: str, kind: str | Iterable[str] | None = None, *, as_of: Any = None
    ) -> list[tuple[str, str, str, Mapping[str, Any]]]:
        """Edges arriving at ``id``, filtered like :meth:`edges`."""
        return self._adjacent(id, False, kind, as_of)

    def _adjacent(self, id: str, out: bool, kind: Any, as_of: Any) -> list[tuple[str, str, str, Mapping[str, Any]]]:
        col = self._col
        if col is not None:
            r = col.row.get(id) if isinstance(id, str) else None
            if r is None:
                return []  # what networkx gives for a node it does not hold
            return list(self._filtered(col.adjacent(r, out, col.edge_codes(kinds_filter(kind))), kind, as_of))
        G = self._nx
        adj = G._succ if out else G._pred
        try:
            nbrs = adj.get(id)
        except TypeError:  # unhashable: networkx's own view says what it says
            nbrs = None
        if nbrs is None:  # (networkx's view of a non-node, e.g. a string whose letters are nodes)
            view = G.out_edges if out else G.in_edges
            return list(self._filtered(view(id, keys=True, data=True), kind, as_of))
        # networkx's own adjacency dicts, in the order its edge views give (by neighbour, then key):
        # the views cost more per edge than the walks that call this per node
        if out:
            it = ((id, v, k, a) for v, keyed in nbrs.items() for k, a in keyed.items())
        else:
            it = ((u, id, k, a) for u, keyed in nbrs.items() for k, a in keyed.items())
        return list(self._filtered(it, kind, as_of))

    def adjacency(self) -> Adjacency | None:
        """The graph's CSR adjacency as numpy arrays (:class:`graphmodel.adjacency.Adjacency`), or ``None``.

        A graph held in columns (a loaded snapshot, a table folder read column-wise) has one:
        node rows, edge rows, each node's out- and in-edge rows in the order :meth:`out_edges` /
        :meth:`in_edges` give them, edge kinds and validity masks, for walks over many nodes at
        once. It is made on first use and kept with the graph (its day masks too) until the
        graph changes. A graph held in networkx has none (``None``): read it through
        :meth:`out_edges` / :meth:`in_edges` / :meth:`node` / :meth:`edge`.

        Examples
        --------
        >>> g = CampaignGraph()
        >>> _ = g.add_node("a", "Company", "A")
        >>> g.adjacency() is None
        True
        """
        col = self._col
        if col is None:
            return None
        adj = self._adjacency
        if adj is None:
            from graphmodel.adjacency import Adjacency

            adj = self._adjacency = Adjacency(col)
        return adj

    @staticmethod
    def _col_edges(col: Columnar, order: Any, kind: Any) -> list[tuple[str, str, str, dict[str, Any]]]:
        """networkx-style ``(u, v, key, attrs)`` of the columnar edge rows ``order`` of ``kind``."""
        rows = col.edge_rows(order, col.edge_codes(kinds_filter(kind)))
        return col.edge_tuples(rows)

    @staticmethod
    def _filtered(it: Iterable[Any], kind: Any, as_of: Any) -> Iterator[tuple[str, str, str, Mapping[str, Any]]]:
        """``(edge_id, source, target, attrs)`` of networkx ``(u, v, key, data)`` tuples, by kind and as_of."""
        kinds = kinds_filter(kind)
        day = normalise_as_of(as_of) if as_of is not None else None
        for u, v, k, a in it:
            if kinds is not None and a["kind"] not in kinds:
                continue
            if day is not None and not in_force(a.get("valid_from"), a.get("valid_to"), day):
                continue
            yield k, u, v, a

    # ------------------------------------------------------------------ tables
    def node_table(self, kind: str | Iterable[str] | None = None, *, columns: Iterable[str] | None = None) -> pa.Table:
        """The nodes (optionally of one kind or several) as a typed Arrow table, for vectorised queries.

        Columns follow the snapshot layout: ``id, kind, name`` and then one column per schema
        property (in schema order) that has a value in at least one returned row; an absent
        value is null. Rows are in the graph's node order (the order of :meth:`nodes`). The
        table is read-only data: changing it does not change the graph.

        ``columns``: keep only these columns (the full table's columns among them, in its
        order); a loaded snapshot then reads no other column.

        Examples
        --------
        >>> g = CampaignGraph()
        >>> _ = g.add_node("a", "Company", "Acme Steel", country="DE")
        >>> _ = g.add_node("s", "Site", "Site A", workforce=120)
        >>> t = g.node_table("Site")
        >>> t.column_names, t.column("workforce").to_pylist()
        (['id', 'kind', 'name', 'workforce'], [120])
        """
        from graphmodel.columnar import node_rows_table, only_columns

        kinds, keep = kinds_filter(kind), None if columns is None else set(columns)
        if self._col is not None:
            return self._col.node_table(kinds, keep)
        return only_columns(node_rows_table([(n, a) for n, a in self.nx.nodes(data=True)
                                             if kinds is None or a["kind"] in kinds]), keep)

    def edge_table(self, kind: str | Iterable[str] | None = None, *, columns: Iterable[str] | None = None) -> pa.Table:
        """The edges (optionally of one kind or several) as a typed Arrow table, for vectorised queries.

        Columns: ``id, source, target, kind`` and one column per schema edge property (schema
        order) with a value in at least one returned row. Rows are in the order the edges were
        added (for a loaded snapshot: by edge id). No ``as_of`` filter: ``valid_from`` and
        ``valid_to`` are columns (ISO dates as text, null when unknown). ``columns``: keep
        only these columns, as :meth:`node_table` does.

        Examples
        --------
        >>> g = CampaignGraph()
        >>> _ = g.add_node("a", "Company", "Acme Steel"); _ = g.add_node("b", "Company", "Acme Rolling")
        >>> _ = g.add_edge("a", "b", "OWNS", share=75.5)
        >>> g.edge_table("OWNS").select(["id", "source", "target", "share"]).to_pylist()
        [{'id': 'OWNS:a->b', 'source': 'a', 'target': 'b', 'share': 75.5}]
        """
        from graphmodel.columnar import edge_rows_table, only_columns

        kinds, keep = kinds_filter(kind), None if columns is None else set(columns)
        if self._col is not None:
            return self._col.edge_table(kinds, keep)
        G = self.nx
        if len(self._edge_ends) == G.number_of_edges():
            succ = G._succ
            rows = [(u, v, k, succ[u][v][k]) for k, (u, v) in self._edge_ends.items()]
        else:  # the edge index is out of step (the networkx graph was edited directly)
            rows = [(u, v, k, a) for u, v, k, a in G.edges(keys=True, data=True)]
        return only_columns(edge_rows_table([r for r in rows if kinds is None or r[3]["kind"] in kinds]), keep)

    # ------------------------------------------------------------------ size
    def number_of_nodes(self) -> int:
        return self._col.n_nodes if self._col is not None else self._nx.number_of_nodes()

    def number_of_edges(self) -> int:
        return self._col.n_edges if self._col is not None else self._nx.number_of_edges()

    def counts_by_kind(self) -> dict[str, dict[str, int]]:
        """``{"nodes": {kind: n}, "edges": {kind: n}}``, kinds sorted."""
        if self._col is not None:
            return self._col.counts()
        nodes: dict[str, int] = {}
        for _, a in self.nx.nodes(data=True):
            nodes[a["kind"]] = nodes.get(a["kind"], 0) + 1
        edges: dict[str, int] = {}
        for _, _, a in self.nx.edges(data=True):
            edges[a["kind"]] = edges.get(a["kind"], 0) + 1
        return {"nodes": dict(sorted(nodes.items())), "edges": dict(sorted(edges.items()))}

    # ------------------------------------------------------------------ search
    def name_keys(self, ids: Iterable[str]) -> dict[str, str]:
        """``{id: name_key(name_of(id))}``: the key under which :meth:`find` matches each node's name.

        A snapshot's stored name index already holds these keys (its ``name`` rows without the
        ``"~"`` of the compact key): they are read from it in one pass instead of a fingerprint
        per name. Nodes it has no name key for (no name, or a name with an empty key) and graphs
        without a stored index get :func:`~graphmodel.names.name_key` of :meth:`name_of`.

        >>> g = CampaignGraph()
        >>> _ = g.add_node("a", "Company", "Acme S.A.")
        >>> g.name_keys(["a"])
        {'a': 'acme'}
        """
        wanted = list(dict.fromkeys(ids))
        out: dict[str, str] = {}
        index = self._index
        if wanted and index is not None:  # graphmodel.nameindex.StoredNameIndex
            row = self._col.row if self._col is not None else {x: i for i, x in enumerate(index.ids)}
            out = index.name_keys([row[n] for n in wanted if isinstance(n, str) and n in row])
        for n in wanted:
            if n not in out:
                out[n] = name_key(self.name_of(n))
        return out

    def _build_index(self) -> Any:
        """The name index of the nodes as they are (:func:`graphmodel.nameindex.names_table`,
        the one made at save), searched as the stored one is."""
        from graphmodel.nameindex import READS, StoredNameIndex, names_table

        if self._col is not None:
            return StoredNameIndex(names_table(self._col.ntable), self._col.ids)
        from graphmodel.columnar import node_rows_table

        # a table of the properties the index reads (kind: node_rows_table wants it)
        nodes = [(n, {p: a[p] for p in ("kind", *READS) if p in a}) for n, a in self._nx.nodes(data=True)]
        return StoredNameIndex(names_table(node_rows_table(nodes)), [n for n, _ in nodes])

    def find(self, text: str, kind: str | None = None, *, partial: bool = True) -> list[Match]:
        """Find nodes by id, identifier (LEI, QID, GEM id), name, alias or former name.

        Matching ignores case, accents, punctuation and legal forms ("ArcelorMittal S.A."
        finds "ArcelorMittal SA"). When nothing matches whole, ``partial`` falls back to
        names that contain the text. Results: exact matches first, then by name.

        Examples
        --------
        >>> g = CampaignGraph()
        >>> _ = g.add_node("bhp", "Company", "BHP Group Ltd", former_names=["BHP Billiton Ltd (until 2018-11-19)"])
        >>> [(m.id, m.how) for m in g.find("BHP Billiton")]
        [('bhp', 'former_name')]
        """
        if kind is not None:
            k = schema.canonical_node_kind(kind)
            if k is None:
                raise CampaignGraphError(f"unknown node kind {kind!r}")
            kind = k
        text = (text or "").strip()
        if not text:
            return []
        if self._index is None:
            self._index = self._build_index()
        index = self._index  # built here, or the snapshot's stored index (graphmodel.nameindex)
        found: dict[str, Match] = {}

        def add(n: str, matched: str, how: str) -> None:
            node_kind = self.kind_of(n)
            if kind is not None and node_kind != kind:
                return
            if n not in found:
                found[n] = Match(n, node_kind, self.name_of(n), matched, how)

        if self.has_node(text):
            add(text, text, "id")
        ident = text.casefold()
        key, ckey = name_key(text), "~" + compact_key(text)  # as graphmodel.nameindex.names_table makes them
        stored = index.lookup((ident, key, ckey))

        def hits(table: str, k: str) -> Any:
            return stored.get((table, k), ())
        for n in hits("identifier", ident):
            add(n, text, "identifier")
        for table in ("name", "alias", "former_name"):
            for k in (key, ckey):
                for n in sorted(hits(table, k)):
                    add(n, text, table)
        if not found and partial:
            needle = plain_text(text)
            if needle:
                for n in index.partial(needle):
                    add(n, text, "partial")
        order = {"id": 0, "identifier": 1, "name": 2, "alias": 3, "former_name": 4, "partial": 5}
        return sorted(found.values(), key=lambda m: (order[m.how], m.name.casefold(), m.id))

    def resolve(self, text: str, kind: str | None = None) -> str:
        """The one node ``text`` names, or a :class:`CampaignGraphError` listing candidates.

        A unique best match wins (an exact name beats partial ones); several matches of the
        same quality are ambiguous.
        """
        # an id is the best match there can be and only one node has it: answer without
        # building the name index (seconds on a large graph), as find() would rank it
        ident = (text or "").strip() if isinstance(text, str) else ""
        if ident and self.has_node(ident):
            wanted = schema.canonical_node_kind(kind) if kind is not None else None
            if kind is None or (wanted is not None and self.kind_of(ident) == wanted):
                return ident
        matches = self.find(text, kind)
        if not matches:
            raise CampaignGraphError(f"no {kind or 'node'} matches {text!r}")
        best = [m for m in matches if m.how == matches[0].how]
        if len(best) == 1:
            return best[0].id
        shown = "; ".join(f"{m.name} [{m.id}, {m.kind}]" for m in best[:10])
        more = f" and {len(best) - 10} more" if len(best) > 10 else ""
        raise CampaignGraphError(f"{text!r} is ambiguous: {shown}{more}. Give an id instead.")

    # ------------------------------------------------------------------ merging
    def merge_nodes(self, keep: str, drop: str, *, evidence: str = "") -> None:
        """Fold node ``drop`` into ``keep``: edges move, names become aliases, sources union.

        Used by entity resolution; ``evidence`` is kept in the surviving node's ``aliases``
        trail through the dropped name and recorded by the caller.
        """
        if keep == drop:
            return
        a_keep, a_drop = self.node(keep), self.node(drop)
        if a_keep["kind"] != a_drop["kind"]:
            raise CampaignGraphError(f"cannot merge a {a_drop['kind']} into a {a_keep['kind']}")
        data = dict(a_drop)
        data.pop("kind")
        dropped_name = data.pop("name", None)
        aliases = list(data.pop("aliases", []) or [])
        if dropped_name and dropped_name != a_keep.get("name"):
            aliases.append(dropped_name)
        target = self.nx.nodes[keep]
        if aliases:
            data["aliases"] = aliases
        self._merge_into(target, data, "fill", what=f"merge {drop!r} into {keep!r}")
        for u, v, k, a in list(self.nx.in_edges(drop, keys=True, data=True)) + list(
            self.nx.out_edges(drop, keys=True, data=True)
        ):
            nu, nv = (keep if u == drop else u), (keep if v == drop else v)
            self.nx.remove_edge(u, v, key=k)
            self._edge_ends.pop(k, None)
            if nu == nv:
                continue  # an edge between the two merged nodes would become a self-loop
            props = {p: val for p, val in a.items() if p != "kind"}
            new_id = edge_id(a["kind"], nu, nv, props.get("valid_from"))
            if new_id in self._edge_ends:
                eu, ev = self._edge_ends[new_id]
                self._merge_into(self.nx.edges[eu, ev, new_id], props, "fill", what=f"edge {new_id!r}")
            else:
                self.nx.add_edge(nu, nv, key=new_id, kind=a["kind"], **props)
                self._edge_ends[new_id] = (nu, nv)
        self.nx.remove_node(drop)
        self._index = None

    # ------------------------------------------------------------------ validation
    def validate(self) -> list[CampaignGraphError]:
        """Check every node and edge against the schema; return the problems found.

        The add methods already validate, so a graph built through them returns ``[]``;
        this catches graphs edited through ``.nx`` directly and snapshots from elsewhere.
        """
        problems: list[CampaignGraphError] = []
        for n, a in self.nodes():
            kind = a.get("kind")
            if kind not in schema.NODE_KINDS:
                problems.append(CampaignGraphError(f"node {n!r}: unknown kind {kind!r}"))
                continue
            allowed = schema.node_props(kind)
            for p, val in a.items():
                if p == "kind":
                    continue
                if p not in allowed:
                    problems.append(CampaignGraphError(f"node {n!r}: {kind} has no property {p!r}"))
                    continue
                try:
                    coerce(allowed[p], val)
                except ValueError as e:
                    problems.append(CampaignGraphError(f"node {n!r}: property {p}: {e}"))
            for s in a.get("sources") or []:
                if s not in self.sources:
                    problems.append(CampaignGraphError(f"node {n!r}: unknown source {s!r}"))
        for k, u, v, a in self.edges():
            kind = a.get("kind")
            if kind not in schema.EDGE_KINDS:
                problems.append(CampaignGraphError(f"edge {k!r}: unknown kind {kind!r}"))
                continue
            ends = (self.node(u).get("kind"), self.node(v).get("kind"))
            if ends not in schema.EDGE_KINDS[kind].endpoints:
                problems.append(CampaignGraphError(f"edge {k!r}: {kind} cannot run from {ends[0]} to {ends[1]}"))
            allowed = schema.edge_props(kind)
            for p, val in a.items():
                if p == "kind":
                    continue
                if p not in allowed:
                    problems.append(CampaignGraphError(f"edge {k!r}: {kind} has no property {p!r}"))
                    continue
                try:
                    coerce(allowed[p], val)
                except ValueError as e:
                    problems.append(CampaignGraphError(f"edge {k!r}: property {p}: {e}"))
            for s in a.get("sources") or []:
                if s not in self.sources:
                    problems.append(CampaignGraphError(f"edge {k!r}: unknown source {s!r}"))
        return problems

    # ------------------------------------------------------------------ equality
    def canonical(self) -> dict[str, Any]:
        """A plain, ordered description of the whole graph (for equality and hashing)."""
        nodes = [{"id": n, **{k: a[k] for k in sorted(a)}} for n, a in sorted(self.nodes(), key=lambda x: x[0])]
        edges = [
            {"id": k, "source": u, "target": v, **{p: a[p] for p in sorted(a)}}
            for k, u, v, a in sorted(self.edges(), key=lambda x: x[0])
        ]
        sources = [self.sources[s].as_dict() for s in sorted(self.sources)]
        return {"nodes": nodes, "edges": edges, "sources": sources}

    def content_hash(self) -> str:
        """sha256 of :meth:`canonical` as JSON: equal graphs have equal hashes."""
        blob = json.dumps(self.canonical(), sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CampaignGraph):
            return NotImplemented
        return self.canonical() == other.canonical()

    def __repr__(self) -> str:
        return f"<CampaignGraph {self.number_of_nodes()} nodes, {self.number_of_edges()} edges>"

    def _repr_html_(self, max_sources: int = 8) -> str:
        """Jupyter's rich display: counts by node and edge kind and the sources (escaped text only).

        No node names or property values are shown (a notebook's output gets shared); confidential
        sources are counted, never named.

        >>> g = CampaignGraph(); _ = g.add_node("a", "Company", "Acme <Steel>")
        >>> "Company" in g._repr_html_() and "Acme" not in g._repr_html_()
        True
        """
        from html import escape  # stdlib: graphmodel imports none of the project's other packages

        counts = self.counts_by_kind()

        def table(title: str, rows: dict[str, int]) -> str:
            body = "".join(
                f"<tr><td style='text-align:left'>{escape(k)}</td><td style='text-align:right'>{v:,}</td></tr>"
                for k, v in sorted(rows.items())
            ) or "<tr><td colspan='2'>none</td></tr>"
            return (f"<table style='display:inline-table;margin-right:2em;vertical-align:top'>"
                    f"<thead><tr><th style='text-align:left'>{escape(title)}</th><th>count</th></tr></thead>"
                    f"<tbody>{body}</tbody></table>")

        public = [s for s in self.sources.values() if not s.confidential]
        hidden = len(self.sources) - len(public)
        items = "".join(
            "<li>" + escape(" — ".join(x for x in (s.title or s.id, s.publisher or "", s.licence or "") if x)) + "</li>"
            for s in sorted(public, key=lambda s: s.id)[:max_sources]
        )
        more = len(public) - min(len(public), max_sources)
        notes = []
        if more:
            notes.append(f"… and {more:,} more")
        if hidden:
            notes.append(f"{hidden:,} confidential source(s) not listed")
        return (
            "<div class='campaign-graph'>"
            f"<strong>CampaignGraph</strong>: {self.number_of_nodes():,} nodes, {self.number_of_edges():,} edges, "
            f"{len(self.sources):,} sources<br>"
            + table("node kind", counts["nodes"]) + table("edge kind", counts["edges"])
            + (f"<details><summary>sources</summary><ul>{items}</ul>{escape('; '.join(notes))}</details>"
               if self.sources else "")
            + "</div>"
        )

    def copy(self) -> CampaignGraph:
        g = CampaignGraph()
        g.sources = dict(self.sources)
        if self._col is not None:  # shares the immutable tables; attribute dicts of its own
            g._set_columnar(self._col.fresh())
            g._col_meta = dict(self._col_meta)
            if self._index is not None:
                g._index = self._index  # the name index of the same tables, same rows
            g._adjacency = self._adjacency  # the same arrays (read-only) and day masks
            return g
        g.nx = self.nx.copy()
        g._edge_ends = dict(self._edge_ends)
        return g

    # ------------------------------------------------------------------ bulk (trusted)
    def bulk_add(
        self,
        nodes: Iterable[tuple[str, dict[str, Any]]],
        edges: Iterable[tuple[str, str, str, dict[str, Any]]],
    ) -> None:
        """Add already-validated nodes and edges without checks (snapshot loading).

        ``nodes`` yields ``(id, attrs)`` with ``kind`` in attrs; ``edges`` yields
        ``(source, target, edge_id, attrs)``. Use only for data this tool wrote itself and
        verified by hash; everything else goes through :meth:`add_node` / :meth:`add_edge`.
        """
        import networkx as nx

        edge_list = list(edges)
        G = self.nx
        if type(G) is nx.MultiDiGraph and G.number_of_nodes() == 0:
            # Hand-written fast path for snapshot loading into an empty graph: networkx's
            # add_edges_from builds an adjacency view per edge (most of the load time on
            # 250k edges). This fills the same dicts MultiDiGraph.add_edge fills, with the
            # keydict shared between _succ and _pred exactly as networkx does.
            node, succ, pred, ends = G._node, G._succ, G._pred, self._edge_ends
            for n, attrs in nodes:
                node[n] = attrs
                succ[n] = {}
                pred[n] = {}
            # one pass per edge, no per-edge tuple loop for the two ends (measured: about a
            # third of this loop's time on 1.3M edges)
            for u, v, k, attrs in edge_list:
                if u not in node:
                    node[u] = {}
                    succ[u] = {}
                    pred[u] = {}
                if v not in node:
                    node[v] = {}
                    succ[v] = {}
                    pred[v] = {}
                su = succ[u]
                keydict = su.get(v)
                if keydict is None:
                    su[v] = pred[v][u] = keydict = {}
                keydict[k] = attrs
                ends[k] = (u, v)
            nx._clear_cache(G)
        else:
            G.add_nodes_from(nodes)
            G.add_edges_from(edge_list)
            for u, v, k, _ in edge_list:
                self._edge_ends[k] = (u, v)
        self._index = None

    # ------------------------------------------------------------------ internals
    @staticmethod
    def _check_id(id: Any) -> str:
        if not isinstance(id, str):
            id = "" if id is None else str(id)
        ident = id.strip()
        if not ident:
            raise CampaignGraphError("empty id")
        if _ID_CONTROL.search(ident):
            raise CampaignGraphError("id contains a control character")
        try:
            ident.encode("utf-8")
        except UnicodeEncodeError:
            raise CampaignGraphError("id is not valid Unicode") from None
        return ident

    def _check_sources(self, sources: Iterable[str]) -> list[str]:
        return checked_sources(sources, self.sources)

    @staticmethod
    def _coerce_props(
        allowed: Mapping[str, schema.Prop], props: Mapping[str, Any], where: str, memo: dict[tuple[int, str], tuple[schema.Prop, Any]] | None = None
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for p, val in props.items():
            if p in ("kind", "id"):
                continue
            prop = allowed.get(p)
            if prop is None:
                raise CampaignGraphError(f"{where}: unknown property {p!r}", column=p)
            if (
                prop.type == "list" and type(val) is list
                and all(type(x) is str and x.isascii() and "\x00" not in x for x in val)
            ):
                # the common list (sources, origins): ASCII text cannot hold the lone surrogates
                # parse_str refuses, so this is coerce's answer without its per-item checks
                items = [t for t in (x.strip() for x in val) if t and not is_missing(t)]
                if items:
                    out[p] = items
                continue
            key = (id(prop), val) if memo is not None and type(val) is str and prop.type in _MEMO_TYPES else None
            hit = memo.get(key) if key is not None else None
            if hit is not None and hit[0] is prop:  # the Prop itself is kept, so a reused id() cannot mislead
                v = hit[1]
            else:
                try:
                    v = coerce(prop, val)
                except ValueError as e:
                    raise CampaignGraphError(f"{where}: {p}: {e}", column=p) from None
                if key is not None and len(memo) < 200_000:
                    memo[key] = (prop, v)
            if v is not None:
                out[p] = v
        return out

    @staticmethod
    def _stated_beats_inferred(existing: dict[str, Any], new: Mapping[str, Any]) -> Mapping[str, Any]:
        """A stated value wins over an inferred one (``P`` beside a ``P_inferred`` reason), whoever came first.

        Stated over inferred: ``existing`` drops its inferred value and marker, so ``new``'s value
        is taken (and pinned to its sources). Inferred over stated: ``new``'s value and marker
        are left out. Returns the record to merge.
        """
        out: dict[str, Any] | None = None
        for p in [k for k in new if not k.endswith("_inferred")]:
            marker = f"{p}_inferred"
            if p not in existing or existing[p] is None:
                continue
            old_inferred, new_inferred = existing.get(marker) is not None, new.get(marker) is not None
            if old_inferred and not new_inferred:
                del existing[p]
                del existing[marker]
                pins = [e for e in existing.get(provenance.VALUE_SOURCES) or () if not str(e).startswith(f"{p}=")]
                if pins:
                    existing[provenance.VALUE_SOURCES] = pins
                else:
                    existing.pop(provenance.VALUE_SOURCES, None)
            elif new_inferred and not old_inferred:
                out = dict(new) if out is None else out
                out.pop(p, None)
                out.pop(marker, None)
        return new if out is None else out

    @staticmethod
    def _merge_into(existing: dict[str, Any], new: Mapping[str, Any], merge: str, what: str) -> None:
        if merge not in MERGE_POLICIES:
            raise ValueError(f"merge must be one of {MERGE_POLICIES}")
        new = CampaignGraph._stated_beats_inferred(existing, new)
        if merge == "error":  # check everything first: a refused merge changes nothing
            for p, val in new.items():
                old = existing.get(p)
                if old is not None and not (p in _UNION_LISTS and isinstance(old, list)) and old != val:
                    raise CampaignGraphError(f"duplicate {what} with a different value for {p}", column=p)
        taken = [p for p, val in new.items()
                 if p not in _UNION_LISTS and (existing.get(p) is None or (merge == "replace" and existing[p] != val))]
        provenance.merge_pins(existing, new, taken)
        for p, val in new.items():
            if p == provenance.VALUE_SOURCES:
                continue  # merge_pins has combined them
            old = existing.get(p)
            if old is None:
                existing[p] = list(val) if isinstance(val, list) else val
            elif p in _UNION_LISTS and isinstance(old, list):
                existing[p] = old + [x for x in val if x not in old]
            elif old != val and merge == "replace":
                existing[p] = val
