"""The core queries against a Neo4j (or ArcadeDB Bolt) server, returning the same DataFrames.

How the work is split. The server does the graph traversal in Cypher: starting from the
company (or the two endpoints of a connection) it walks the relationships hop by hop
(``UNWIND $ids AS id MATCH (a:Company {id: id})-[e:OWNS]->(b) ...``, labels and types from
the schema whitelist, values as parameters, every lookup on the indexed ``id``) and returns
only the part of the graph the question depends on. The arithmetic (the control fixpoint,
the Leontief inverse of the effective stakes, the coverage rules, the leverage scores, the
path ranking) then runs on that part with the in-memory functions, so both backends give
*the same* DataFrame by construction, reasons and evidence included; the differential tests
check it. Re-implementing the ownership fixpoint and the coverage rules in Cypher would
give a second copy of the semantics to keep equal, in a language without the fixpoint
(and Cypher's variable-length paths enumerate paths, which explodes on cross-holdings).

What each query fetches (and why it is enough):

- ``group`` / ``effective_stakes``: the OWNS closure downward from the root, plus the OWNS
  closure upward from every entity in it (the holders outside the group decide what the
  group's stakes leave over; the upward chain decides ultimate parents).
- ``ultimate_parent``: the OWNS closure upward from the entity.
- ``connections``: the nodes ``u`` with ``d(a, u) + d(b, u) <= max_hops`` over the allowed
  edge kinds valid at ``as_of`` (every shortest path to such a node stays inside the set, so
  distances are the graph's).
- ``coverage`` for one company: the group (OWNS closure below), its sites, their unions,
  networks and agreements, what the sites supply, the owners above all those companies,
  and every agreement signatory's group (see :func:`coverage_subgraph`).
- ``leverage`` and ``solidarity``: the company's (union's) connected component, walked
  through every edge kind but not through Country and Initiative nodes (hubs that join
  everything and that the rules only read as leaves), plus every Country, Initiative and
  Source node (read by code or id). ``coverage`` for every company reads the whole graph.

Centrality (leverage's supply-chain chokepoints) is computed in memory on the fetched
component with igraph or networkx, also when the server has the Graph Data Science
library: GDS's betweenness is not normalised the same way, and equal answers come first.
``df.attrs["backend"]`` says what ran where.

Examples
--------
>>> from graphmodel.stores.neo4j import Neo4jStore
>>> store = Neo4jStore("bolt://localhost:7687", password="...")  # doctest: +SKIP
>>> group(store, "acme")[["id", "controlled"]]  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from graphmodel import schema
from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.records import Source, edge_id
from graphmodel.stores.neo4j import (
    SOURCE_LABEL,
    Neo4jStore,
    add_checked_edges,
    add_checked_nodes,
    source_from_server,
    typed_props,
)
from graphmodel.values import in_force, normalise_as_of
from queries._compat import renamed_keyword

#: node kinds read as leaves when walking a company's component (never expanded from)
LEAF_KINDS = ("Country", "Initiative")
#: node kinds fetched whole for coverage and leverage (looked up by code, not by edge)
GLOBAL_KINDS = ("Country", "Initiative")

BACKENDS = ("memory", "neo4j")


def _lbl(kind: str) -> str:
    if kind not in schema.NODE_KINDS:
        raise CampaignGraphError(f"not a node kind of the schema: {kind!r}")
    return f"`{kind}`"


def _types(kinds: Iterable[str]) -> str:
    ks = sorted(set(kinds))
    for k in ks:
        if k not in schema.EDGE_KINDS:
            raise CampaignGraphError(f"not an edge kind of the schema: {k!r}")
    return "|".join(f"`{k}`" for k in ks)


@dataclass
class Subgraph:
    """The part of the server's graph fetched so far, turned into a CampaignGraph at the end."""

    store: Neo4jStore
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: dict[str, tuple[str, str, dict[str, Any]]] = field(default_factory=dict)
    queries: int = 0

    def _node(self, nid: Any, labels: list[str], props: Mapping[str, Any]) -> str | None:
        kind = next((x for x in labels if x in schema.NODE_KINDS), None)
        if kind is None or not isinstance(nid, str):
            return None
        if nid not in self.nodes:
            p = dict(props)
            p.pop("id", None)
            attrs = {"kind": kind, **typed_props(schema.node_props(kind), p, f"{kind} {nid}")}
            attrs.setdefault("name", nid)
            self.nodes[nid] = attrs
        return nid

    def _edge(self, kind: str, u: str, v: str, props: Mapping[str, Any]) -> str:
        p = dict(props)
        eid = p.pop("id", None)
        attrs = {"kind": kind, **typed_props(schema.edge_props(kind), p, f"{kind} {u}->{v}")}
        if not eid:
            eid = edge_id(kind, u, v, attrs.get("valid_from"))
        self.edges.setdefault(str(eid), (u, v, attrs))
        return str(eid)

    def fetch_nodes(self, ids: Iterable[str]) -> None:
        """Fetch nodes by id (any schema label)."""
        want = sorted({i for i in ids if i not in self.nodes})
        if not want:
            return
        for kind in schema.NODE_KINDS:
            self.queries += 1
            for r in self.store.run(
                f"UNWIND $ids AS id MATCH (n:{_lbl(kind)} {{id: id}}) RETURN n.id AS id, labels(n) AS l, "
                "properties(n) AS p",
                ids=want,
            ):
                self._node(r["id"], r["l"], r["p"])

    def fetch_kind(self, kind: str) -> None:
        """Fetch every node of one kind."""
        self.queries += 1
        for r in self.store.run(f"MATCH (n:{_lbl(kind)}) RETURN n.id AS id, labels(n) AS l, properties(n) AS p"):
            self._node(r["id"], r["l"], r["p"])

    def step(self, frontier: Iterable[str], kinds: Iterable[str], direction: str) -> dict[str, list[tuple[str, str, Mapping[str, Any]]]]:
        """One hop from ``frontier`` over edge ``kinds``: ``{node: [(neighbour, edge id, attrs)]}``.

        ``direction`` is ``out``, ``in`` or ``both``. Neighbours and edges are recorded.
        """
        by_kind: dict[str, list[str]] = {}
        for n in frontier:
            if n in self.nodes:
                by_kind.setdefault(self.nodes[n]["kind"], []).append(n)
        types = _types(kinds)
        out: dict[str, list[tuple[str, str, Mapping[str, Any]]]] = {}
        arrows = {"out": [("-", "->")], "in": [("<-", "-")], "both": [("-", "->"), ("<-", "-")]}[direction]
        for kind, ids in sorted(by_kind.items()):
            for left, right in arrows:
                self.queries += 1
                rows = self.store.run(
                    f"UNWIND $ids AS id MATCH (a:{_lbl(kind)} {{id: id}}){left}[e:{types}]{right}(b) "
                    "RETURN a.id AS a, type(e) AS t, properties(e) AS pe, b.id AS b, labels(b) AS lb, "
                    "properties(b) AS pb",
                    ids=sorted(ids),
                )
                for r in rows:
                    other = self._node(r["b"], r["lb"], r["pb"])
                    if other is None:
                        continue
                    u, v = (r["a"], other) if left == "-" else (other, r["a"])
                    eid = self._edge(r["t"], u, v, r["pe"])
                    out.setdefault(r["a"], []).append((other, eid, self.edges[eid][2]))
        return out

    def closure(self, start: Iterable[str], kinds: Iterable[str], direction: str,
                expand: Any = None) -> set[str]:
        """Every node reachable from ``start`` (breadth-first, one query per label per hop)."""
        kinds = list(kinds)
        seen = set(start)
        frontier = sorted(seen)
        while frontier:
            nxt: set[str] = set()
            for hops in self.step(frontier, kinds, direction).values():
                for other, _eid, _a in hops:
                    if other not in seen:
                        seen.add(other)
                        if expand is None or expand(other):
                            nxt.add(other)
            frontier = sorted(nxt)
        return seen

    def fetch_sources(self) -> dict[str, Source]:
        self.queries += 1
        out = {}
        for row in self.store.run(f"MATCH (s:`{SOURCE_LABEL}`) RETURN properties(s) AS p"):
            src = source_from_server(row["p"])  # checked as pull checks it
            out[src.id] = src
        return out

    def graph(self, *, with_sources: bool = True) -> CampaignGraph:
        """The fetched part as a CampaignGraph (edges whose ends were not fetched are left out)."""
        g = CampaignGraph()
        if with_sources:
            g.sources.update(sorted(self.fetch_sources().items()))
        # Sorted by id like a snapshot loads, so ties in the in-memory rules break the same
        # way as on a snapshot of the same graph, whatever order the server answered in. Each
        # record goes through the checks of load (as pull does); the first bad one is the error.
        add_checked_nodes(g, list(self.nodes.items()), _refuse)
        add_checked_edges(
            g, [(u, v, eid, a) for eid, (u, v, a) in self.edges.items() if u in self.nodes and v in self.nodes],
            _refuse,
        )
        return g


def _refuse(err: CampaignGraphError) -> None:
    raise CampaignGraphError(f"{err.message} (on the server; `campaign-graph pull` lists every such record)",
                             column=err.column)


# ---------------------------------------------------------------------------------- selections
def _check_node(sub: Subgraph, node: str, kinds: tuple[str, ...] | None, what: str) -> None:
    sub.fetch_nodes([node])
    if node not in sub.nodes:
        raise CampaignGraphError(f"no {what} with id {node!r} on the server (look names up with resolve)")
    if kinds and sub.nodes[node]["kind"] not in kinds:
        raise CampaignGraphError(f"{node!r} is a {sub.nodes[node]['kind']}, not a {' or '.join(kinds)}")


def ownership_subgraph(store: Neo4jStore, root: str, *, down: bool = True, up: bool = True) -> CampaignGraph:
    """The OWNS closure below ``root`` (``down``) and above everything in it (``up``)."""
    sub = Subgraph(store)
    _check_node(sub, root, None, "entity")
    below = sub.closure([root], ["OWNS"], "out") if down else {root}
    if up:
        sub.closure(below, ["OWNS"], "in")
    return sub.graph()


def component_subgraph(store: Neo4jStore, root: str) -> CampaignGraph:
    """``root``'s connected component (not walked through Country/Initiative), extended by
    the union networks whose ``company`` is in it, plus every Country, Initiative and Source node."""
    sub = Subgraph(store)
    _check_node(sub, root, None, "node")

    def expand(n: str) -> bool:
        return sub.nodes[n]["kind"] not in LEAF_KINDS

    seen = sub.closure([root], list(schema.EDGE_KINDS), "both", expand=expand)
    while True:
        # a union network names its company by property, not by an edge: walk on from the
        # networks of the companies met so far (their member unions may be elsewhere)
        companies = sorted(n for n in seen if sub.nodes[n]["kind"] == "Company")
        nets = {r["id"] for r in store.run("MATCH (n:`UnionNetwork`) WHERE n.company IN $ids RETURN n.id AS id",
                                           ids=companies)} - seen
        if not nets:
            break
        sub.fetch_nodes(nets)
        seen |= sub.closure(nets, list(schema.EDGE_KINDS), "both", expand=expand)
    for kind in GLOBAL_KINDS:
        sub.fetch_kind(kind)
    return sub.graph()


def coverage_subgraph(store: Neo4jStore, root: str) -> CampaignGraph:
    """Everything :func:`queries.coverage.coverage` reads for ``root``'s group, fetched in Cypher.

    1. the group: the OWNS closure below the root;
    2. its sites (OPERATES), their co-operators, and what the sites SUPPLY (a supplier of a
       covered site is covered under ``suppliers_included``) with those customers' operators;
    3. the OWNS closure above all those companies (ultimate parents, and every company
       whose group could reach a site: a framework agreement's possible signatories);
    4. at the sites: unions (REPRESENTS) and their networks (MEMBER_OF), agreements that
       COVER them; at the companies: agreements they are PARTY_TO or COVERED by;
    5. those agreements' own edges (all signatories, all COVERS targets), and every
       signatory company's group (OWNS closure below it, with its holders one hop up).
    """
    sub = Subgraph(store)
    _check_node(sub, root, None, "company")
    _coverage_part(sub, [root], set())
    return sub.graph()


def _coverage_part(sub: Subgraph, roots: Iterable[str], sites_too: set[str]) -> None:
    """Fetch into ``sub`` what coverage reads for the groups of ``roots`` (steps 1-5 of
    :func:`coverage_subgraph`), with ``sites_too`` taken as sites of those groups."""

    def kind(n: str) -> str:
        return sub.nodes[n]["kind"]

    group = sub.closure(roots, ["OWNS"], "out")
    sites = {o for hops in sub.step(group, ["OPERATES"], "out").values() for o, _e, _a in hops} | set(sites_too)
    operators = {o for hops in sub.step(sites, ["OPERATES"], "in").values() for o, _e, _a in hops}
    customers = {o for hops in sub.step(sites, ["SUPPLIES"], "out").values() for o, _e, _a in hops}
    customer_sites = {c for c in customers if kind(c) == "Site"}
    operators |= {o for hops in sub.step(customer_sites, ["OPERATES"], "in").values() for o, _e, _a in hops}
    companies = group | operators | {c for c in customers if kind(c) == "Company"}
    companies = sub.closure(companies, ["OWNS"], "in")
    all_sites = sites | customer_sites
    unions = {o for hops in sub.step(all_sites, ["REPRESENTS"], "in").values() for o, _e, _a in hops}
    sub.step(unions, ["MEMBER_OF"], "out")
    # the group's union networks name their company by property (id or name), not by an edge;
    # coverage reads them even where no union is recorded at a site: fetch them all (they are few)
    sub.fetch_kind("UnionNetwork")
    agreements = {o for hops in sub.step(all_sites, ["COVERS"], "in").values() for o, _e, _a in hops}
    agreements |= {o for hops in sub.step(companies, ["COVERS"], "in").values() for o, _e, _a in hops}
    agreements |= {o for hops in sub.step(companies, ["PARTY_TO"], "out").values() for o, _e, _a in hops}
    sub.step(agreements, ["COVERS"], "out")
    signatories = {o for hops in sub.step(agreements, ["PARTY_TO"], "in").values() for o, _e, _a in hops}
    signatory_groups = sub.closure({x for x in signatories if kind(x) == "Company"}, ["OWNS"], "out")
    sub.step(signatory_groups - companies, ["OWNS"], "in")


def site_subgraph(store: Neo4jStore, site: str, *, as_of: Any = None) -> CampaignGraph:
    """Everything :func:`queries.coverage.site_coverage` reads for one site: the site's row
    of ``coverage(graph, None, status="all")`` is its row in its operator's ultimate
    parent's group, so this is :func:`coverage_subgraph` of the ultimate parent of each of
    the site's operators (worked out by :func:`queries.ownership.ultimate_parent` on the
    OWNS closure above them, as of ``as_of``), with the site itself (a site without an
    operator still has its unions and agreements).
    """
    from queries import ownership

    sub = Subgraph(store)
    _check_node(sub, site, ("Site",), "site")
    operators = {o for hops in sub.step([site], ["OPERATES"], "in").values() for o, _e, _a in hops}
    roots: set[str] = set()
    if operators:
        sub.closure(operators, ["OWNS"], "in")
        above = sub.graph()
        day = normalise_as_of(as_of)
        roots = {ownership.ultimate_parent(above, op, as_of=day).id for op in operators}
    _coverage_part(sub, sorted(roots), {site})
    return sub.graph()


def neighbourhood_subgraph(store: Neo4jStore, node: str, hops: int, *, kinds: Iterable[str] | None = None,
                           as_of: Any = None) -> CampaignGraph:
    """The part of the server's graph a walk of ``hops`` edges from ``node`` reads: every
    edge (either direction, in force on ``as_of`` when given) of every node reached within
    ``hops - 1`` edges through nodes of ``kinds`` (all kinds when ``None``), with both ends.
    The walk itself (order, the cap on nodes) is the caller's, run on this subgraph.
    """
    sub = Subgraph(store)
    _check_node(sub, node, None, "node")
    wanted = set(kinds) if kinds is not None else None
    day = normalise_as_of(as_of) if as_of is not None else None
    seen = {node}
    frontier = [node]
    for _ in range(hops):
        nxt: set[str] = set()
        for steps in sub.step(frontier, schema.EDGE_KINDS, "both").values():
            for other, _eid, attrs in steps:
                if other in seen or (wanted is not None and sub.nodes[other]["kind"] not in wanted):
                    continue
                if day is not None and not in_force(attrs.get("valid_from"), attrs.get("valid_to"), day):
                    continue
                seen.add(other)
                nxt.add(other)
        frontier = sorted(nxt)
        if not frontier:
            break
    return sub.graph()


def _mark(df: pd.DataFrame, store: Neo4jStore, graph: CampaignGraph, what: str) -> pd.DataFrame:
    df.attrs["backend"] = (
        f"neo4j ({store.server.kind}): {what} selected in Cypher "
        f"({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges), computed in memory"
    )
    return df


# ---------------------------------------------------------------------------------- queries
def resolve(store: Neo4jStore, text: str, kind: str | None = None) -> str:
    """The node id ``text`` names on the server (an id, a name, an alias, a former name).

    An exact id is looked up on the index; otherwise the names of the nodes of ``kind``
    (every kind when ``None``) are fetched and matched exactly as :meth:`CampaignGraph.find`
    does (legal-form, accent and case insensitive), so both backends resolve alike.
    """
    kinds = [schema.canonical_node_kind(kind) or kind] if kind else list(schema.NODE_KINDS)
    sub = Subgraph(store)
    sub.fetch_nodes([text])
    if text in sub.nodes and (kind is None or sub.nodes[text]["kind"] in kinds):
        return text
    return names_graph(store, kinds).resolve(text, kind)


def names_graph(store: Neo4jStore, kinds: Iterable[str] | None = None) -> CampaignGraph:
    """The nodes of ``kinds`` (every kind when ``None``) with only what
    :meth:`CampaignGraph.find` reads (name, aliases, former names, identifiers), and no
    edges: its ``find`` and ``resolve`` answer as the whole graph's do."""
    from graphmodel.nameindex import READS

    ks = list(kinds) if kinds is not None else list(schema.NODE_KINDS)
    fields = ", ".join(f"n.`{p}` AS `{p}`" for p in READS)
    nodes = []
    for k in ks:
        for r in store.run(f"MATCH (n:{_lbl(k)}) RETURN n.id AS id, {fields}"):
            attrs = {key: val for key, val in r.items() if key != "id" and val is not None}
            nodes.append((r["id"], {"kind": k, **attrs}))
    light = CampaignGraph()
    light.bulk_add(sorted(nodes, key=lambda n: n[0]), [])
    return light


def find(store: Neo4jStore, text: str, kind: str | None = None) -> list[Any]:
    """:meth:`CampaignGraph.find` on the server: the same matches in the same order
    (matched by the in-memory code on :func:`names_graph`: accents, legal forms and
    punctuation are folded there, which Cypher's string functions cannot do)."""
    k = None
    if kind is not None:
        k = schema.canonical_node_kind(kind)
        if k is None:
            raise CampaignGraphError(f"unknown node kind {kind!r}")
    return names_graph(store, [k] if k else None).find(text, k)


def group(store: Neo4jStore, company: str, **kwargs: Any) -> pd.DataFrame:
    """:func:`queries.ownership.group` on the server: same arguments, same DataFrame."""
    from queries import ownership

    g = ownership_subgraph(store, company)
    return _mark(ownership.group(g, company, **kwargs), store, g, "ownership closure")


@renamed_keyword("root", "company")
def effective_stakes(store: Neo4jStore, company: str, *, as_of: Any = None) -> dict[str, float]:
    """:func:`queries.ownership.effective_stakes` on the server (``root=``: deprecated name of ``company``)."""
    from queries import ownership

    return ownership.effective_stakes(ownership_subgraph(store, company, up=False), company, as_of=as_of)


def ultimate_parent(store: Neo4jStore, entity: str, *, as_of: Any = None) -> Any:
    """:func:`queries.ownership.ultimate_parent` on the server (same ``UltimateParent``)."""
    from queries import ownership

    # Who controls a company depends only on its holders and, for aggregated holdings, on
    # who controls them: everything the rules read lies above the entity.
    g = ownership_subgraph(store, entity, down=False)
    return ownership.ultimate_parent(g, entity, as_of=as_of)


def coverage(store: Neo4jStore, company: str | None = None, **kwargs: Any) -> pd.DataFrame:
    """:func:`queries.coverage.coverage` on the server: same arguments, same DataFrame."""
    from queries import coverage as cov

    if company is None:
        g = store.read()
        return _mark(cov.coverage(g, None, **kwargs), store, g, "the whole graph")
    g = coverage_subgraph(store, company)
    return _mark(cov.coverage(g, company, **kwargs), store, g, "the group's sites, agreements and owners")


def leverage(store: Neo4jStore, company: str, **kwargs: Any) -> pd.DataFrame:
    """:func:`queries.leverage.leverage` on the server: same arguments, same DataFrame."""
    from queries import leverage as lev

    root = resolve(store, company, "Company")  # leverage takes names, like the in-memory one
    g = component_subgraph(store, root)
    df = lev.leverage(g, root, **kwargs)
    gds = " (the server has GDS; not used, see module doc)" if store.server.gds else " (no GDS on the server)"
    df.attrs["centrality"] = f"in memory with {df.attrs.get('engine', 'networkx')}{gds}"
    return _mark(df, store, g, "the company's component")


def connections_subgraph(
    store: Neo4jStore,
    a: str,
    b: str,
    *,
    max_hops: int = 6,
    kinds: Iterable[str] | None = None,
    as_of: Any = None,
) -> CampaignGraph:
    """The part of the server's graph :func:`queries.connections.connections` reads for ``a``
    and ``b``: the nodes within ``max_hops`` of both ends (over edges of ``kinds`` in force
    on ``as_of``) with their edges. ``a`` and ``b`` are resolved on the server first
    (an ambiguous name lists its candidates), so the in-memory query on this subgraph
    resolves them to the same nodes.
    """
    if max_hops < 1:
        raise CampaignGraphError("max_hops must be at least 1")
    return _connections_region(store, resolve(store, a), resolve(store, b), max_hops=max_hops, kinds=kinds,
                               as_of=as_of)


def _connections_region(store: Neo4jStore, src: str, dst: str, *, max_hops: int, kinds: Iterable[str] | None,
                        as_of: Any) -> CampaignGraph:
    from queries import connections as con

    if kinds is None:
        kind_set = set(con.DEFAULT_PATH_KINDS)
    else:
        wanted = [kinds] if isinstance(kinds, str) else list(kinds)
        kind_set = set()
        for kd in wanted:
            c = schema.canonical_edge_kind(kd)
            if c is None:
                raise CampaignGraphError(f"unknown edge kind {kd!r} (known: {', '.join(schema.EDGE_KINDS)})")
            kind_set.add(c)
    day = normalise_as_of(as_of)
    sub = Subgraph(store)
    _check_node(sub, src, None, "node")
    _check_node(sub, dst, None, "node")

    def ball(start: str) -> dict[str, int]:
        dist = {start: 0}
        frontier = [start]
        for d in range(1, max_hops + 1):
            nxt = set()
            for hops in sub.step(frontier, kind_set, "both").values():
                for other, _eid, attrs in hops:
                    if other not in dist and in_force(attrs.get("valid_from"), attrs.get("valid_to"), day):
                        dist[other] = d
                        nxt.add(other)
            frontier = sorted(nxt)
            if not frontier:
                break
        return dist

    da, db = ball(src), ball(dst)
    region = {n for n in da if n in db and da[n] + db[n] <= max_hops} | {src, dst}
    g = sub.graph()
    for n in g.node_ids():
        if n not in region:
            g.remove_node(n)
    return g


def connections(
    store: Neo4jStore,
    a: str,
    b: str,
    *,
    max_hops: int = 6,
    k: int = 3,
    kinds: Iterable[str] | None = None,
    as_of: Any = None,
) -> pd.DataFrame:
    """:func:`queries.connections.connections` on the server: same arguments, same DataFrame."""
    from queries import connections as con

    if max_hops < 1:
        raise CampaignGraphError("max_hops must be at least 1")
    src, dst = resolve(store, a), resolve(store, b)
    g = _connections_region(store, src, dst, max_hops=max_hops, kinds=kinds, as_of=as_of)
    if kinds is None:
        kind_list = sorted(con.DEFAULT_PATH_KINDS)
    else:
        wanted = [kinds] if isinstance(kinds, str) else list(kinds)
        kind_list = sorted({schema.canonical_edge_kind(kd) or kd for kd in wanted})
    return _mark(con.connections(g, src, dst, max_hops=max_hops, k=k, kinds=kind_list, as_of=normalise_as_of(as_of)),
                 store, g, "the nodes within max_hops of both ends")


def solidarity(store: Neo4jStore, union: str, *, as_of: Any = None) -> pd.DataFrame:
    """:func:`queries.connections.solidarity` on the server (the union's component).

    ``union`` (an id or a name) is resolved on the server first. The component is walked
    through every edge kind, so it holds everything solidarity reads: the union's workplaces'
    groups and supply chains, its federations and their affiliates (AFFILIATED_TO), their
    networks and those networks' members and their affiliates (MEMBER_OF), and the agreements
    the union or its federations signed with their other signatories (PARTY_TO), each with
    its dates (tested against the in-memory answer).
    """
    from queries import connections as con

    root = resolve(store, union, "Union")  # by name too, like the in-memory query
    g = component_subgraph(store, root)
    return _mark(con.solidarity(g, root, as_of=as_of), store, g, "the union's component")
