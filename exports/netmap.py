"""Interactive network maps: one self-contained, offline HTML file per view.

A map is a *focused* view of the graph: a company's group (with its sites, the unions and
agreements around them), the neighbourhood of one node, or the result of a query
(coverage gaps, leverage points). Views larger than ``max_nodes`` are cut down, nearest to
the focus first, and the page says what was left out. A map without a focus shows the
ultimate parents of the largest groups by sites and says how to focus (docs/maps.md).

Readable as opened: the page fits the drawing to the window, then gives the focus and its
neighbours (the ``near`` column) the font that reads at :data:`LABEL_PX` on screen at that zoom;
other labels are drawn once zooming makes them :data:`LABEL_HIDDEN_BELOW` px or more. The legend
(:func:`legend`) is worked out from the rows drawn: an entry per colour and line style present.

pyvis gives the physics/option model and ships the vis-network script we inline; the page
template is our own, because pyvis 0.3.2's template writes the heading and node ids
unescaped, switches tooltips to ``innerHTML`` when a title contains "href", and loads files
from a CDN (docs/threats.md row 1). Node and edge lists are built directly (pyvis' ``from_nx``
is quadratic): all data reaches the page as escaped JSON read with ``JSON.parse``, tooltips
are plain strings, which vis-network 9 renders as text.

The page's script keeps its dictionaries in ``Map``/``Set`` objects, and vis-network, which
keys plain objects by node id, gets safe ids (``n0``, ``n1``... for nodes, ``e0``... for
edges): a node id such as ``constructor`` or ``__proto__`` draws like any other.

Every page keeps a hook for tools, ``window.campaignMap``:

- ``network``: the drawn ``vis.Network``; ``nodes``, ``edges``: its ``vis.DataSet`` objects.
  A node item holds the real id in ``nodeId`` (its ``id`` is the safe one); an edge item
  holds ``fromId`` and ``toId`` (``from``/``to`` are safe ids).
- ``node(id)``: the node item of a real id (``null`` if not drawn); ``visId(id)``: its safe id;
  ``nodeIds(visIds)``: real ids of safe ids (e.g. of ``network.getSelectedNodes()``).
- ``stabilized``: true once the layout has settled (the body also gets ``data-map-ready``).

Examples
--------
>>> from graphmodel.graph import CampaignGraph
>>> from graphmodel.records import Source
>>> g = CampaignGraph()
>>> g.add_source(Source("s1", title="Fictional register"))
>>> _ = g.add_node("acme", "Company", "Acme Steel", sources=["s1"])
>>> _ = g.add_node("a1", "Site", "Site A", sources=["s1"], country="DE")
>>> _ = g.add_edge("acme", "a1", "OPERATES", sources=["s1"])
>>> view = select_view(g, around="Acme Steel", hops=1, coverage_status=False)
>>> sorted(view.nodes)
['a1', 'acme']
>>> "vis.Network" in render_map(g, view)
True
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from exports.html import (
    COVERAGE_COLOURS,
    COVERAGE_LABELS,
    EXPOSURE_COLOURS,
    EXPOSURE_LABELS,
    inline_script,
    inline_style,
    json_data_element,
    render,
    static_text,
    trusted,
    vis_network_assets,
)
from graphmodel import schema
from graphmodel.adjacency import Adjacency, take
from graphmodel.atomic import atomic_write_text
from graphmodel.errors import CampaignGraphError
from graphmodel.gcpause import paused_gc
from graphmodel.graph import CampaignGraph
from graphmodel.values import in_force, normalise_as_of

DEFAULT_MAX_NODES = 400
#: a map without a focus shows this many groups: the ultimate parents with the most sites (a
#: starting point to choose a ``--company`` from; 25 labels fit a screen readably)
DEFAULT_GROUPS = 25

#: colour and vis-network shape per node kind (sites are filled by coverage status)
KIND_STYLE: Mapping[str, tuple[str, str]] = {
    "Company": ("#1565c0", "dot"),
    "Site": ("#9e9e9e", "square"),
    "Union": ("#6a1b9a", "triangle"),
    "UnionNetwork": ("#ab47bc", "hexagon"),
    "Agreement": ("#ef6c00", "diamond"),
    "Campaign": ("#d81b60", "star"),
    "Country": ("#78909c", "ellipse"),
    "Initiative": ("#00897b", "triangleDown"),
    "Investor": ("#f9a825", "dot"),
    "Event": ("#5d4037", "star"),
    "Person": ("#455a64", "dot"),
}

EDGE_COLOURS: Mapping[str, str] = {
    "OWNS": "#0d47a1",
    "OPERATES": "#546e7a",
    "REPRESENTS": "#7b1fa2",
    "PARTY_TO": "#ef6c00",
    "COVERS": "#ffa726",
    "SUPPLIES": "#00897b",
    "MEMBER_OF": "#ab47bc",
}
#: the colour of every other edge kind (one legend entry names them all)
OTHER_EDGE_COLOUR = "#b0bec5"
#: the swatch colour of the legend's line-style entries (width, dashes): they say nothing about colour
STYLE_SWATCH = "#37474f"
#: what an edge kind's line means, in the legend
EDGE_LEGEND: Mapping[str, str] = {
    "OWNS": "owns", "OPERATES": "operates", "REPRESENTS": "union represents workers at",
    "PARTY_TO": "party to an agreement", "COVERS": "agreement covers", "SUPPLIES": "supplies",
    "MEMBER_OF": "union member of a network",
}

#: properties never shown in a tooltip (the list of sources gets its own line)
_HIDDEN_PROPS = {"name", "sources", "origins", "notes", "user_entered"}
_MAX_TOOLTIP_LINES = 14

SITE_STATUSES = ("covered", "not_covered", "unknown")
_STAKE_KINDS = frozenset(("OWNS", "OPERATES"))
#: kinds a map leaves out (a site's production units are facts of the site, many per site), except as the centre
_NOT_DRAWN = frozenset(("Unit",))
_NO_COUNTRY = frozenset(("Country",))  # country hubs would pull every company of a country into a group view


@dataclass
class MapView:
    """What a map shows: node ids (focus first), edge ids, and what was left out."""

    title: str
    nodes: list[str]
    edges: list[str]
    focus: list[str] = field(default_factory=list)
    omitted: dict[str, int] = field(default_factory=dict)
    site_status: dict[str, str] = field(default_factory=dict)
    site_reasons: dict[str, str] = field(default_factory=dict)
    as_of: str = ""
    notes: list[str] = field(default_factory=list)
    #: what ``site_status`` holds: ``"coverage"`` (SITE_STATUSES) or ``"exposure"`` (EXPOSURE_COLOURS' keys)
    colour: str = "coverage"
    #: the map without a focus: each group's ultimate parent drawn -> the sites of its group
    group_sites: dict[str, int] = field(default_factory=dict)
    #: a columnar graph's ``(edge ids, their table rows)`` as selected, reused by :func:`map_data`
    #: while ``edges`` still holds these ids; not compared, not shown
    edge_rows: tuple[tuple[str, ...], Any] | None = field(default=None, compare=False, repr=False)

    @property
    def omitted_total(self) -> int:
        return sum(self.omitted.values())


# --------------------------------------------------------------------------- selection
class _Links:
    """The links of nodes valid on one day, read node by node (nothing built for the whole graph).

    A graph held in columns (a freshly loaded snapshot) is walked on its CSR arrays
    (``graph.adjacency()``), whole levels at a time; a graph held in networkx through
    ``graph.out_edges`` / ``graph.in_edges``. Both give the same neighbours in the same order.
    """

    def __init__(self, graph: CampaignGraph, day: str) -> None:
        self.graph, self.day = graph, day
        self.cadj = graph.adjacency()
        self.edge_rows: tuple[tuple[str, ...], Any] | None = None  # (edge ids, their rows) of edges_within

    def kind(self, n: str) -> str:
        if self.cadj is not None:
            return self.cadj.nkind[self.cadj.row[n]]
        return self.graph.kind_of(n)

    def kinds(self, ids: list[str]) -> list[str]:
        """:meth:`kind` of each of ``ids``."""
        if self.cadj is not None:
            nkind, row = self.cadj.nkind, self.cadj.row
            return [nkind[row[n]] for n in ids]
        kind_of = self.graph.kind_of
        return [kind_of(n) for n in ids]

    def ego_columnar(self, centre: str, hops: int) -> list[str]:
        """:func:`_ego_order` on the numpy arrays of a columnar graph, one whole level per step.

        The order is the queue's: a level's nodes are found from the previous level's nodes in
        their order, each node's out-links before its in-links, each in networkx's order;
        a node found twice keeps its first place (a stable sort, then first occurrences).
        """
        import numpy as np

        c = self.cadj
        assert c is not None
        ok = c.valid(self.day)
        no_walk = c.node_kind_mask(_NO_COUNTRY)
        seen = np.zeros(len(c.ids), dtype=bool)
        start = c.row[centre]
        seen[start] = True
        frontier = np.asarray([start], dtype=np.int64)
        levels = [frontier]
        for d in range(hops):
            walk = frontier if d == 0 else frontier[~no_walk[frontier]]  # the centre is walked whatever its kind
            if not len(walk):
                break
            rows_out, owner_out = c.gather(walk, True)
            rows_in, owner_in = c.gather(walk, False)
            others = np.concatenate((c.dst[rows_out], c.src[rows_in]))
            owner = np.concatenate((owner_out, owner_in))
            inward = np.concatenate((np.zeros(len(rows_out), dtype=np.int8), np.ones(len(rows_in), dtype=np.int8)))
            keep = np.concatenate((ok[rows_out], ok[rows_in])) & ~seen[others]
            others, owner, inward = others[keep], owner[keep], inward[keep]
            others = others[np.lexsort((inward, owner))]  # stable: each node's links keep their order
            _, first = np.unique(others, return_index=True)
            found = others[np.sort(first)]
            if not len(found):
                break
            seen[found] = True
            levels.append(found)
            frontier = found
        ids = c.ids
        return [ids[r] for r in np.concatenate(levels).tolist()]

    def neighbours(self, n: str, skip: Any = (), skip_kinds: frozenset[str] = frozenset()) -> list[str]:
        """Nodes linked to ``n`` either way by an edge valid on ``day``: successors, then
        predecessors, each in adjacency order; nodes in ``skip`` or of ``skip_kinds`` left out.
        A node linked both ways appears twice (callers keep first occurrences)."""
        day = self.day
        out: list[str] = []
        if self.cadj is not None:
            c = self.cadj
            ids, nkind = c.ids, c.nkind
            for o in c.links(c.row[n], c.valid(day))[1].tolist():
                other = ids[o]
                if other not in skip and not (skip_kinds and nkind[o] in skip_kinds):
                    out.append(other)  # repeats (parallel edges) are dropped by the callers
            return out
        graph = self.graph
        for edges, end in ((graph.out_edges(n), 2), (graph.in_edges(n), 1)):
            last = None
            for e in edges:
                other = e[end]
                if other == last or other in skip or (skip_kinds and graph.kind_of(other) in skip_kinds):
                    continue
                a = e[3]
                vf, vt = a.get("valid_from"), a.get("valid_to")
                if (vf is None and vt is None) or in_force(vf, vt, day):
                    out.append(other)
                    last = other  # parallel edges to one neighbour come one after the other
        return out

    def edges_within(self, kept: list[str], kept_set: set[str]) -> list[str]:
        """Ids of the edges valid on ``day`` between kept nodes: by source in ``kept`` order,
        then in adjacency order."""
        day = self.day
        edges: list[str] = []
        if self.cadj is not None:
            import numpy as np

            c = self.cadj
            rows_kept = np.asarray([c.row[n] for n in kept], dtype=np.int64)
            inside = np.zeros(len(c.ids), dtype=bool)
            inside[rows_kept] = True
            rows, _ = c.gather(rows_kept, True)
            rows = rows[c.valid(day)[rows] & inside[c.dst[rows]]]
            # the ids of just these edges (the store's list of every edge id costs a second at L)
            edges = c.edge_ids_at(rows)
            self.edge_rows = (tuple(edges), rows)
            return edges
        for u in kept:
            for k, _u, v, a in self.graph.out_edges(u):
                if v in kept_set:
                    vf, vt = a.get("valid_from"), a.get("valid_to")
                    if (vf is None and vt is None) or in_force(vf, vt, day):
                        edges.append(k)
        return edges


def _ordered_unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _group_ids(graph: CampaignGraph, root: str, day: str) -> list[str]:
    from queries.ownership import group

    rows = group(graph, root, as_of=day)
    ids = [str(i) for i in rows["id"]] if len(rows) else []
    return _ordered_unique([root] + ids)


def _group_parents(graph: CampaignGraph, root: str, day: str) -> dict[str, str]:
    """Each member of ``root``'s group -> the member it came in through (``parent_id``)."""
    from queries.ownership import group

    rows = group(graph, root, as_of=day)
    return {str(i): str(p) for i, p in zip(rows["id"], rows["parent_id"]) if isinstance(p, str)}


def _company_order(graph: CampaignGraph, root: str, day: str, links: _Links | None = None) -> list[str]:
    """Group members, then what touches them (sites first), then what touches their sites."""
    links = links or _Links(graph, day)
    members = _group_ids(graph, root, day)
    member_set = set(members)
    ring1: list[str] = []
    for m in members:
        ring1.extend(links.neighbours(m, member_set, _NO_COUNTRY))
    ring1 = _ordered_unique(ring1)
    site_flags = [links.kind(n) == "Site" for n in ring1]
    sites = [n for n, is_site in zip(ring1, site_flags) if is_site]
    others = [n for n, is_site in zip(ring1, site_flags) if not is_site]
    seen = member_set | set(ring1)
    ring2: list[str] = []
    for s in sites:
        ring2.extend(links.neighbours(s, seen, _NO_COUNTRY))
    return _ordered_unique(members + sites + others + ring2)


def _ego_order(graph: CampaignGraph, centre: str, hops: int, day: str, links: _Links | None = None) -> list[str]:
    """Nodes within ``hops`` links of ``centre``, nearest first. A Country node is shown but not
    walked through (unless it is the centre): it links every company and site in that country,
    so going through it would turn a neighbourhood into a hairball.

    Breadth-first, one level at a time (the same order as a queue: a level's nodes in the order
    they were found); a neighbour already found is skipped before its edges' dates are read.
    """
    links = links or _Links(graph, day)
    if links.cadj is not None:
        return links.ego_columnar(centre, hops)
    dist = {centre: 0}
    frontier = [centre]
    for d in range(1, hops + 1):
        found: list[str] = []
        for n in frontier:
            if n != centre and links.kind(n) in _NO_COUNTRY:
                continue
            for m in links.neighbours(n, dist):
                if m not in dist:
                    dist[m] = d
                    found.append(m)
        if not found:
            break
        frontier = found
    return list(dist)


def _site_status_from_rows(rows: Any) -> tuple[dict[str, str], dict[str, str]]:
    status: dict[str, str] = {}
    reasons: dict[str, str] = {}
    if rows is None or len(rows) == 0:
        return status, reasons
    dims = [d for d in ("union_presence", "recognition", "cba") if d in rows.columns]
    for rec in rows.to_dict("records"):
        sid = str(rec["site_id"])
        if bool(rec.get("uncovered")):
            st = "not_covered"
        elif dims and all(rec.get(d) == "covered" for d in dims):
            st = "covered"
        else:
            st = "unknown"
        status[sid] = st
        r = rec.get("reasons")
        if isinstance(r, (list, tuple)):
            r = "; ".join(str(x) for x in r)
        if r:
            reasons[sid] = str(r)
    return status, reasons


def _coverage_rows(graph: CampaignGraph, root: str | None, day: str, status: Any = None) -> Any:
    from queries.coverage import coverage

    return coverage(graph, root, as_of=day, status=status)


def _drop_sites_by_status(graph: CampaignGraph, ordered: list[str], kinds: Iterable[str], statuses: frozenset[str],
                          keep: set[str]) -> tuple[list[str], dict[str, int]]:
    """``ordered`` without the Sites whose status is not in ``statuses`` (``keep`` stays), and
    how many of each status were left out."""
    sites = [n for n, k in zip(ordered, kinds) if k == "Site" and n not in keep]
    if not sites:
        return ordered, {}
    if len(sites) > 1000:  # one pass over the sites' attributes instead of a look-up each
        wanted = set(sites)
        st_of = {n: schema.site_status(a) for n, a in graph.nodes("Site") if n in wanted}
    else:
        st_of = {n: schema.site_status(graph.node(n)) for n in sites}
    drop = {n for n, st in st_of.items() if st not in statuses}
    if not drop:
        return ordered, {}
    return [n for n in ordered if n not in drop], dict(sorted(Counter(st_of[n] for n in drop).items()))


def view_of(graph: CampaignGraph, nodes: list[str], edges: list[str], *, title: str, focus: Iterable[str] = (),
            as_of: Any = None) -> MapView:
    """A view of exactly these nodes and edges (ids of ``graph``), each site coloured by its coverage
    row in its ultimate parent's group (:func:`queries.coverage.sites_coverage`, the workbench's
    coverage of a site), read as :func:`select_view` reads a group's rows (the workbench's "export
    the view shown" goes through here).

    >>> from graphmodel.graph import CampaignGraph
    >>> g = CampaignGraph()
    >>> _ = g.add_node("co", "Company", "Acme"); _ = g.add_node("s", "Site", "Site A", status="operating")
    >>> _ = g.add_edge("co", "s", "OPERATES", id="op")
    >>> v = view_of(g, ["co", "s"], ["op"], title="t", as_of="2024-01-01")
    >>> v.nodes, v.edges, v.site_status
    (['co', 's'], ['op'], {'s': 'unknown'})
    """
    from queries.coverage import sites_coverage

    day = normalise_as_of(as_of)
    sites = [n for n in nodes if graph.kind_of(n) == "Site"]
    status, reasons = _site_status_from_rows(sites_coverage(graph, sites, as_of=day)) if sites else ({}, {})
    return MapView(title=title, nodes=list(nodes), edges=list(edges), focus=list(focus), site_status=status,
                   site_reasons=reasons, as_of=day)


def select_view(
    graph: CampaignGraph,
    *,
    company: str | None = None,
    around: str | None = None,
    hops: int = 2,
    query: str | None = None,
    as_of: Any = None,
    max_nodes: int = DEFAULT_MAX_NODES,
    coverage_status: bool = True,
    status: Any = None,
    colour: str = "coverage",
) -> MapView:
    """Choose the nodes and edges of a map.

    Parameters
    ----------
    company
        Show this company's group (``queries.ownership.group``), the sites its members
        operate, and the unions, agreements and partners around them.
    around, hops
        Show the nodes within ``hops`` links of ``around`` (any kind).
    query
        ``"coverage"`` (the group's sites with their gaps, operators and ownership chains) or
        ``"leverage"`` (the leverage points and their evidence); needs ``company``.
    as_of
        Edges not valid on that date are left out (default: today).
    max_nodes
        Larger views keep the nodes nearest the focus; :attr:`MapView.omitted` counts the rest.
    coverage_status
        Colour sites by coverage status (``queries.coverage``); off: all sites ``unknown``.
    status
        Site statuses shown (default: workplaces that exist and sites of unknown status;
        ``"all"`` or a list, see :func:`graphmodel.schema.site_statuses`); the focus is always shown.
    colour
        ``"coverage"`` (default) or ``"exposure"``: sites coloured by their most pressing
        just-transition exposure (:func:`queries.transition.most_pressing`); needs ``company``.

    Examples
    --------
    Without ``company`` or ``around`` the view is the ultimate parents of the
    :data:`DEFAULT_GROUPS` groups with the most sites (:func:`largest_groups`), with a note on
    how to focus.

    >>> from graphmodel.graph import CampaignGraph
    >>> g = CampaignGraph()
    >>> _ = g.add_node("x", "Company", "X Corp"); _ = g.add_node("s", "Site", "Site S")
    >>> _ = g.add_edge("x", "s", "OPERATES")
    >>> select_view(g, coverage_status=False).nodes
    ['x']
    """
    # the walk keeps every node it finds (tens of thousands of small objects that stay alive):
    # the cyclic collector's passes over them are pure cost
    if colour not in ("coverage", "exposure"):
        raise CampaignGraphError(f"unknown colour {colour!r} (use coverage or exposure)")
    if colour == "exposure" and company is None:
        raise CampaignGraphError("colouring by exposure needs --company (the group whose sites face change)")
    with paused_gc():
        view = _select_view(graph, company=company, around=around, hops=hops, query=query, as_of=as_of,
                            max_nodes=max_nodes, coverage_status=coverage_status and colour == "coverage",
                            status=status)
    if colour == "exposure":
        _colour_by_exposure(graph, view, status)
    return view


def _colour_by_exposure(graph: CampaignGraph, view: MapView, status: Any) -> None:
    """Set the view's site colours to each site's most pressing exposure, its reason to the list."""
    from queries.transition import most_pressing, transition

    root = view.focus[0]
    df = transition(graph, root, as_of=view.as_of, status=status)
    exposures = dict(zip(df["site_id"], df["exposure"]))
    view.colour = "exposure"
    view.site_status = {n: most_pressing(exposures.get(n, ())) for n in view.site_status}
    view.site_reasons = {n: ", ".join(e.replace("_", " ") for e in exposures[n])
                         for n in view.site_status if exposures.get(n)}


def _select_view(graph: CampaignGraph, *, company: str | None, around: str | None, hops: int, query: str | None,
                 as_of: Any, max_nodes: int, coverage_status: bool, status: Any = None) -> MapView:
    if max_nodes < 1:
        raise CampaignGraphError("--max-nodes must be at least 1")
    if hops < 0:
        raise CampaignGraphError("--hops must be 0 or more")
    day = normalise_as_of(as_of)
    statuses = schema.site_statuses(status)
    links = _Links(graph, day)
    root: str | None = None
    status: dict[str, str] = {}
    reasons: dict[str, str] = {}
    notes: list[str] = []
    group_sites: dict[str, int] = {}
    if query is not None and query not in ("coverage", "leverage"):
        raise CampaignGraphError(f"unknown query {query!r} (known: coverage, leverage)")
    if query is not None and company is None:
        raise CampaignGraphError(f"--query {query} needs --company")
    if company is not None and around is not None:
        raise CampaignGraphError("give either --company or --around, not both")

    if company is not None:
        root = graph.resolve(company, "Company")
    if query == "coverage":
        assert root is not None
        rows = _coverage_rows(graph, root, day, statuses)
        status, reasons = _site_status_from_rows(rows)
        ordered: list[str] = [root]
        parent_of = _group_parents(graph, root, day) if len(rows) else {}
        placed: set[str] = {root}
        gaps = rows.sort_values("uncovered", ascending=False, kind="stable") if len(rows) else rows
        for rec in gaps.to_dict("records") if len(rows) else []:
            ordered.append(str(rec["site_id"]))
            for col in ("operator_id", "ultimate_parent_id"):
                if rec.get(col):
                    ordered.append(str(rec[col]))
            # the operator's chain in the group, from the root down (by parent_id: the
            # displayed chain is cut text); each member is walked once
            up: list[str] = []
            cur = rec.get("operator_id")
            while isinstance(cur, str) and cur not in placed:
                placed.add(cur)
                up.append(cur)
                cur = parent_of.get(cur)
            ordered.extend(up[::-1])
        title = f"Coverage of the {graph.name_of(root)} group"
        notes.append("Sites are the group's sites; red ones have a gap the data records, grey ones need research.")
    elif query == "leverage":
        assert root is not None
        from queries.leverage import leverage

        rows = leverage(graph, root, as_of=day, status=statuses)
        ordered = [root]
        for rec in rows.to_dict("records") if len(rows) else []:
            ordered.append(str(rec["node_id"]))
            for ev in rec.get("evidence") or ():
                ev = str(ev)
                if graph.has_node(ev):
                    ordered.append(ev)
                elif graph.has_edge(ev):
                    u, v, _ = graph.edge(ev)
                    ordered.extend((u, v))
        title = f"Leverage points on the {graph.name_of(root)} group"
    elif root is not None:
        ordered = _company_order(graph, root, day, links)
        title = f"{graph.name_of(root)} group"
    elif around is not None:
        centre = graph.resolve(around)
        ordered = _ego_order(graph, centre, hops, day, links)
        title = f"Within {hops} link{'s' if hops != 1 else ''} of {graph.name_of(centre)}"
        root = centre
    else:
        # no focus: the roots of the largest groups (a map of 400 arbitrary nodes told nothing)
        group_sites, n_groups = largest_groups(graph, day, statuses, min(DEFAULT_GROUPS, max_nodes))
        ordered = list(group_sites)
        title = f"The {len(ordered)} largest groups by sites" if ordered else "No group with sites"
        notes.append(_UNFOCUSED_NOTE.format(shown=len(ordered), groups=n_groups))

    if query is not None:  # rows name nodes and edges in any order, and ids may repeat
        ordered = [n for n in _ordered_unique(ordered) if graph.has_node(n)]
    ordered_kinds = links.kinds(ordered)
    if not _NOT_DRAWN.isdisjoint(ordered_kinds):
        ordered = [n for n, k in zip(ordered, ordered_kinds) if k not in _NOT_DRAWN or n == root]
    # (the walks' orders hold each node of the graph once)
    ordered, by_status = _drop_sites_by_status(graph, ordered, links.kinds(ordered), statuses, {root} if root else set())
    if by_status:
        notes.append("Sites left out by status: " + ", ".join(f"{k} {v}" for k, v in by_status.items())
                     + " (--status all shows them).")
    kept = ordered[:max_nodes]
    left_out = ordered[max_nodes:]
    omitted = dict(sorted(Counter(links.kinds(left_out)).items()))
    if coverage_status and not status:
        status, reasons = _status_for(graph, kept, root if company is not None else None, day, statuses)

    edges = links.edges_within(kept, set(kept))
    view = MapView(
        title=title, nodes=kept, edges=edges, focus=[root] if root else [], omitted=omitted,
        site_status={n: status.get(n, "unknown") for n, kind in zip(kept, links.kinds(kept)) if kind == "Site"},
        site_reasons={n: reasons[n] for n in kept if n in reasons}, as_of=day, notes=notes,
        edge_rows=links.edge_rows, group_sites={n: group_sites[n] for n in kept if n in group_sites},
    )
    return view


_UNFOCUSED_NOTE = (
    "No company chosen: this map shows the ultimate parents of the {shown} largest of {groups:,} groups with "
    "sites, ranked by the sites their group operates (hover one for its count). To see one group, its sites "
    "and what touches them, name it: campaign-graph map SNAPSHOT --company NAME -o map.html "
    "(or --around NAME for the neighbourhood of any node)."
)


def largest_groups(graph: CampaignGraph, day: str, statuses: Any, n: int) -> tuple[dict[str, int], int]:
    """The ``n`` groups with the most sites: ``{ultimate parent: sites of its group}``, most sites
    first (ties by id), and how many groups have a site.

    A site belongs to its operator's ultimate parent's group, as in ``coverage`` of every site
    (:func:`queries.coverage.place_sites`, the one rule for it); only sites whose status is in
    ``statuses`` count; a site with no operator on record is in no group.

    >>> from graphmodel.graph import CampaignGraph
    >>> g = CampaignGraph()
    >>> _ = g.add_node("h", "Company", "Holding"); _ = g.add_node("sub", "Company", "Sub")
    >>> _ = g.add_node("o", "Company", "Other")
    >>> _ = g.add_edge("h", "sub", "OWNS", share=100)
    >>> for s, op in (("s1", "h"), ("s2", "sub"), ("s3", "o")):
    ...     _ = g.add_node(s, "Site", s, status="operating"); _ = g.add_edge(op, s, "OPERATES")
    >>> largest_groups(g, "2024-01-01", schema.site_statuses(None), 5)
    ({'h': 2, 'o': 1}, 2)
    """
    from queries.coverage import CoverageContext, place_sites

    ctx = CoverageContext(graph, day, None, whole_graph=True)
    try:
        placed = place_sites(ctx, None, rule="control", threshold=50.0, members="all", status=statuses)
    finally:
        ctx.close()
    counts = Counter(place[2] for place in placed.values() if place[2] is not None)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return dict(ranked[:n]), len(counts)


#: above this many ultimate parents in a view, one coverage pass over every site is cheaper
_MAX_GROUPS_FOR_STATUS = 12


def _status_for(graph: CampaignGraph, nodes: list[str], root: str | None, day: str,
                statuses: Any = None) -> tuple[dict[str, str], dict[str, str]]:
    """Coverage status of the sites in a view.

    A company view uses its group's rows. Other views ask ``queries.coverage`` for the groups
    of the ultimate parents of the sites' operators (few for a focused view, and far cheaper
    than every site of a large graph); when a site has no operator, or the view spans many
    groups, one pass over all sites answers instead (the same rows either way).
    """
    sites = [n for n in nodes if graph.kind_of(n) == "Site"]
    if not sites:
        return {}, {}
    if root is not None:
        return _site_status_from_rows(_coverage_rows(graph, root, day, statuses))
    from queries.ownership import OwnershipIndex

    index = OwnershipIndex(graph, as_of=day)
    parents: set[str] = set()
    for site in sites:
        operators = [u for _, u, _, _ in graph.in_edges(site, "OPERATES", as_of=day)]
        if not operators:
            parents = set()
            break
        parents.update(index.ultimate_parent_id(op) for op in operators)
    if not parents or len(parents) > _MAX_GROUPS_FOR_STATUS:
        status, reasons = _site_status_from_rows(_coverage_rows(graph, None, day, statuses))
    else:
        status, reasons = {}, {}
        for parent in sorted(parents):
            st, rs = _site_status_from_rows(_coverage_rows(graph, parent, day, statuses))
            for site in sites:
                # a site in two groups (shared operators) keeps the most certain answer: a gap,
                # then covered, then unknown
                if site in st and (site not in status or _STATUS_RANK[st[site]] < _STATUS_RANK[status[site]]):
                    status[site] = st[site]
                    if site in rs:
                        reasons[site] = rs[site]
    wanted = set(sites)
    return ({k: v for k, v in status.items() if k in wanted}, {k: v for k, v in reasons.items() if k in wanted})


_STATUS_RANK = {"not_covered": 0, "covered": 1, "unknown": 2}


# --------------------------------------------------------------------------- rendering
@cache
def tooltip_keys(kind: str, edge: bool = False) -> frozenset[str]:
    """The properties a tooltip shows for a node or edge kind: the schema's, minus sensitive ones,
    names and provenance (edges keep ``valid_from``/``valid_to``, shown as one line).

    >>> sorted(tooltip_keys("OWNS", edge=True))[:2]
    ['control', 'derived']
    """
    props = schema.edge_props(kind) if edge else schema.node_props(kind)
    return frozenset(k for k, p in props.items() if not p.sensitive and k not in _HIDDEN_PROPS)


@cache
def _percent_keys(kind: str) -> tuple[str, ...]:
    return tuple(sorted(k for k in tooltip_keys(kind, True) if schema.edge_props(kind)[k].type == "percent"))


def _values(attrs: Mapping[str, Any], keys: frozenset[str]) -> dict[str, Any]:
    """The shown properties present in ``attrs``, sorted by name (a set intersection: elements carry
    a handful of properties while a kind allows dozens)."""
    return {k: attrs[k] for k in sorted(keys & attrs.keys())}


@cache
def _shown_columns(edge: bool) -> frozenset[str]:
    """Every property a tooltip may show, whatever the kind (the columns a columnar graph's map reads)."""
    kinds = schema.EDGE_KINDS if edge else schema.NODE_KINDS
    return frozenset().union(*(tooltip_keys(k, edge) for k in kinds))


def _columnar_cells(cadj: Adjacency, ids: list[str], *, edge: bool, rows: Any = None) -> tuple[list[Any], ...]:
    """What a map row needs of the nodes (or edges) ``ids`` of a columnar graph, column by column.

    Nodes: ``(kinds, names, shown values, sources)``; edges: ``(kinds, (source, target) ends,
    shown values, sources, stakes)``, the stake being ``voting``, else ``share``, else None.
    The shown values are :func:`_values` of each element: its kind's tooltip properties that
    hold a value, keys sorted (columns are visited in sorted order, only their valid cells).
    """
    import numpy as np
    import pyarrow.compute as pc

    if edge:
        if rows is None:  # (the store's index of every edge id is built on first use)
            erow = cadj.erow
            rows = np.asarray([erow[e] for e in ids], dtype=np.int64)
        table = cadj.etable
        names = cadj.ekind_names
        kinds = [names[c] for c in cadj.ekind_codes[rows].tolist()]
    else:
        rows = np.asarray([cadj.row[n] for n in ids], dtype=np.int64)
        table = cadj.ntable
        nkind = cadj.nkind
        kinds = [nkind[r] for r in rows.tolist()]

    def cells(name: str) -> list[Any]:
        return take(table.column(name), rows).to_pylist() if name in table.column_names else [None] * len(ids)

    present = set(kinds)
    shown = _shown_columns(edge)
    part = take(table.select(sorted(c for c in table.column_names if c in shown)), rows)
    values: list[dict[str, Any]] = [{} for _ in ids]
    for name in part.column_names:
        column = part.column(name)
        showing = {k for k in present if name in tooltip_keys(k, edge)}
        if column.null_count == len(column) or not showing:
            continue
        valid = column.is_valid()
        cells_at = zip(pc.indices_nonzero(valid).to_pylist(), column.filter(valid).to_pylist())
        if showing == present:
            for i, v in cells_at:
                values[i][name] = v
        else:
            for i, v in cells_at:
                if kinds[i] in showing:
                    values[i][name] = v
    if not edge:
        return kinds, cells("name"), values, cells("sources")
    src, dst, node_ids = cadj.src[rows].tolist(), cadj.dst[rows].tolist(), cadj.ids
    ends = [(node_ids[u], node_ids[v]) for u, v in zip(src, dst)]
    stakes = [s if v is None else v for v, s in zip(cells("voting"), cells("share"))]
    return kinds, ends, values, cells("sources"), stakes


class _Shown:
    """:func:`_values` for many elements: the sorted shown keys are worked out once per kind and
    set of present keys (a map's elements share a few such sets), then each element is one
    dict comprehension. Same result as ``_values(attrs, tooltip_keys(kind, edge))``."""

    def __init__(self, edge: bool) -> None:
        self.edge = edge
        self._memo: dict[tuple[str, tuple[str, ...]], tuple[str, ...]] = {}

    def __call__(self, kind: str, attrs: Mapping[str, Any]) -> dict[str, Any]:
        key = (kind, tuple(attrs))
        shown = self._memo.get(key)
        if shown is None:
            shown = self._memo[key] = tuple(sorted(tooltip_keys(kind, self.edge) & attrs.keys()))
        return {k: attrs[k] for k in shown}


def _edge_width(attrs: Mapping[str, Any]) -> tuple[float, bool]:
    """Width from the stake (1 to 7 px); ``dashed`` when an ownership share is unknown."""
    return _width(attrs["kind"], attrs.get("voting", attrs.get("share")))


def _width(kind: str, stake: Any) -> tuple[float, bool]:
    """:func:`_edge_width` of an edge of ``kind`` with ``stake`` (voting, else share; None: unknown)."""
    if kind not in ("OWNS", "OPERATES"):
        return 1.0, False
    if stake is None:
        return (1.5, True) if kind == "OWNS" else (1.5, False)
    return round(1.0 + 6.0 * min(max(float(stake), 0.0), 100.0) / 100.0, 2), False


def stabilisation_iterations(n_nodes: int) -> int:
    """Physics iterations before a map is drawn: 400 for small maps, then fewer as maps grow.

    Each Barnes-Hut iteration costs time in proportion to the nodes, so the budget is about
    40,000 node-iterations (at least 60 iterations, which already untangle a tree-like group
    view). Measured in headless Chromium on a 2-core machine: a 384-node group view at 400
    iterations took 9 s to settle, at 100 iterations 2.4-4.5 s (the machine shared with other work).

    >>> stabilisation_iterations(80), stabilisation_iterations(400), stabilisation_iterations(20_000)
    (400, 100, 60)
    """
    if n_nodes <= 100:
        return 400
    return max(60, min(400, 40_000 // n_nodes))


#: on-screen size (CSS px) of the labels of the focus and its neighbours at the default zoom (map.js
#: sets their font to this over the fitted scale), of the focus's own label, and the size under
#: which other labels are not drawn until one zooms in
LABEL_PX, FOCUS_LABEL_PX, LABEL_HIDDEN_BELOW = 13, 16, 9
#: labels wrap at word breaks past this width (on screen at the default zoom)
LABEL_WRAP_PX = 200
#: the focus's links are springs of this length (canvas units) per node labelled around it (at least
#: the usual 140): a ring wide enough for their labels
RING_PX = 16
#: the physics mass of the focus's labelled neighbours (others 1): they repel each other harder
NEAR_MASS = 3


def map_options(n_nodes: int) -> dict[str, Any]:
    """vis-network options from pyvis' option model (Barnes-Hut physics that stabilises)."""
    from pyvis.options import Options

    opts = Options()
    opts.physics.use_barnes_hut(
        {"gravity": -8000, "central_gravity": 0.25, "spring_length": 140, "spring_strength": 0.02,
         "damping": 0.4, "overlap": 0.1}
    )
    opts.physics.toggle_stabilization(True)
    data: dict[str, Any] = json.loads(opts.to_json())
    data["physics"]["stabilization"] = {
        "enabled": True, "iterations": stabilisation_iterations(n_nodes), "updateInterval": 25, "fit": True,
    }
    data["physics"]["minVelocity"] = 1.0
    # dynamic smoothing adds a support node per edge to the simulation: too slow past a few hundred
    data["edges"] = {
        "smooth": {"enabled": n_nodes <= 300, "type": "continuous"},
        "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
        "color": {"inherit": False},
    }
    data["interaction"] = {
        "hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": n_nodes > 1000, "navigationButtons": False,
        "keyboard": False, "multiselect": False,
    }
    # labels: 12 canvas units, long ones wrapped; a label smaller than LABEL_HIDDEN_BELOW px on
    # screen is not drawn (vis-network draws it from drawThreshold - 1), so at the fitted zoom of a
    # large view only the labels the page enlarges (map.js: the focus and its neighbours) show,
    # and the others appear as one zooms in
    data["nodes"] = {"font": {"size": 12, "face": "system-ui, Arial, sans-serif"}, "borderWidth": 2,
                     "widthConstraint": {"maximum": LABEL_WRAP_PX},
                     "scaling": {"label": {"enabled": False, "drawThreshold": LABEL_HIDDEN_BELOW + 1,
                                           "maxVisible": 30}}}
    data["layout"] = {"improvedLayout": n_nodes <= 150, "randomSeed": 7}
    data.pop("configure", None)
    return data


def label_sizes() -> dict[str, int]:
    """The label sizes the page's script reads (``labelPx``, ``focusLabelPx``, ``labelWrapPx``)."""
    return {"labelPx": LABEL_PX, "focusLabelPx": FOCUS_LABEL_PX, "labelWrapPx": LABEL_WRAP_PX, "ringPx": RING_PX,
            "nearMass": NEAR_MASS}


#: the columns of the page's node and edge tables (``{"columns": [...], "rows": [[...], ...]}``; the
#: page's script finds each by name): ``kind`` and ``status`` index ``kinds`` and ``statuses``
#: (status -1: not a site), ``values`` is ``{property: value}`` of the shown properties,
#: ``sources`` indexes ``sources``, ``size`` is the node's size, ``width``/``dashed`` (0/1) the
#: edge's line, ``reason`` why a site has its colour, ``near`` (0/1) whether the node's label is
#: drawn readable at the default zoom (the focus and the nodes an edge of the view links to it;
#: every node of a view without a focus), ``sites`` the sites of the group a root stands for (the
#: map without a focus; else null)
NODE_ROW = ("id", "label", "kind", "status", "size", "values", "sources", "reason", "near", "sites")
EDGE_ROW = ("from", "to", "kind", "width", "dashed", "values", "sources")


def map_data(graph: CampaignGraph, view: MapView) -> dict[str, Any]:
    """A view's nodes and edges as tables of rows (see :func:`_map_data`), with the cyclic garbage
    collector paused: the rows are some hundred thousand small containers that all stay alive,
    and the collector's passes over them were 40 % of the time for a 20,000-node map."""
    with paused_gc():
        return _map_data(graph, view)


def _map_data(graph: CampaignGraph, view: MapView) -> dict[str, Any]:
    """A view's nodes and edges as tables of rows (columns :data:`NODE_ROW`, :data:`EDGE_ROW`) plus lookup tables.

    Built directly from the graph: one small list per element; kinds, statuses and sources as
    indexes; the shown properties (:func:`tooltip_keys`) as a small ``{name: value}`` object.
    No per-element formatting happens here, so a 20,000-node view
    serialises quickly; the page turns rows into vis-network items and plain-text tooltips
    (name, kind and id, properties, coverage, sources).
    """
    focus = set(view.focus)
    kinds: dict[str, int] = {}
    sources: dict[str, int] = {}
    statuses = {st: i for i, st in enumerate(_palette(view)[0])}

    def src_index(ids: Iterable[str]) -> list[int]:
        out = []
        for sid in ids:
            i = sources.get(sid)
            if i is None:
                i = sources[sid] = len(sources)
            out.append(i)
        return out

    nodes = []
    status, reasons = view.site_status, view.site_reasons
    cadj = graph.adjacency()
    if cadj is not None:
        # a columnar graph: the table rows of just the view's elements, column by column (its
        # attribute cache would build every node and edge of the kinds shown)
        n_kinds, n_names, n_values, n_sources = _columnar_cells(cadj, view.nodes, edge=False)
        for n, kind, name, vals, srcs in zip(view.nodes, n_kinds, n_names, n_values, n_sources):
            st = status.get(n, "unknown") if kind == "Site" else None
            size = 26 if n in focus else (16 if kind in ("Company", "Site") else 12)
            nodes.append([n, str(n if name is None else name), kinds.setdefault(kind, len(kinds)),
                          statuses[st] if st else -1, size, vals, src_index(srcs or ()), reasons.get(n, "")])
        known = view.edge_rows
        edge_rows = known[1] if known is not None and known[0] == tuple(view.edges) else None
        e_kinds, e_ends, e_values, e_sources, e_stakes = _columnar_cells(cadj, view.edges, edge=True, rows=edge_rows)
        edges = []
        for kind, (u, v), vals, srcs, stake in zip(e_kinds, e_ends, e_values, e_sources, e_stakes):
            width, dashed = _width(kind, stake)
            edges.append([u, v, kinds.setdefault(kind, len(kinds)), width, 1 if dashed else 0, vals,
                          src_index(srcs or ())])
        return _map_tables(graph, nodes, edges, kinds, sources, view)
    # a graph held in networkx: its read methods
    shown_node, shown_edge = _Shown(False), _Shown(True)
    for n, a in zip(view.nodes, map(graph.node, view.nodes)):
        kind = a["kind"]
        k = kinds.setdefault(kind, len(kinds))
        st = status.get(n, "unknown") if kind == "Site" else None
        size = 26 if n in focus else (16 if kind in ("Company", "Site") else 12)
        nodes.append([n, str(a.get("name", n)), k, statuses[st] if st else -1, size,
                      shown_node(kind, a), src_index(a.get("sources") or ()), reasons.get(n, "")])
    edges = []
    for u, v, a in map(graph.edge, view.edges):
        kind = a["kind"]
        width, dashed = _edge_width(a)
        edges.append([u, v, kinds.setdefault(kind, len(kinds)), width, 1 if dashed else 0,
                      shown_edge(kind, a), src_index(a.get("sources") or ())])
    return _map_tables(graph, nodes, edges, kinds, sources, view)


def _palette(view: MapView) -> tuple[tuple[str, ...], dict[str, str], dict[str, str], str]:
    """(site values in legend order, labels, colours, what they say) for the view's colouring."""
    if view.colour == "exposure":
        return tuple(EXPOSURE_COLOURS), EXPOSURE_LABELS, EXPOSURE_COLOURS, "exposure"
    return SITE_STATUSES, COVERAGE_LABELS, COVERAGE_COLOURS, "coverage"


def _map_tables(graph: CampaignGraph, nodes: list[list[Any]], edges: list[list[Any]], kinds: dict[str, int],
                sources: dict[str, int], view: MapView) -> dict[str, Any]:
    """The rows plus the lookup tables the page reads them with; each node row gets its ``near``
    and ``sites`` cells here (both layouts build the other cells)."""
    focus = set(view.focus)
    near = {u if v in focus else v for u, v, *_ in edges if u in focus or v in focus} | focus
    group_sites = view.group_sites
    for row in nodes:
        row.append(1 if not focus or row[0] in near else 0)
        row.append(group_sites.get(row[0]))
    kind_names = list(kinds)
    values, labels, colours, what = _palette(view)
    source_titles = []
    for sid in sources:
        s = graph.sources.get(sid)
        source_titles.append((s.title or sid) if s else sid)
    return {
        "nodes": {"columns": list(NODE_ROW), "rows": nodes}, "edges": {"columns": list(EDGE_ROW), "rows": edges},
        "kinds": kind_names, "sources": source_titles,
        "statuses": list(values), "statusLabels": dict(labels), "statusColours": dict(colours), "statusWhat": what,
        "kindStyle": {k: list(KIND_STYLE.get(k, ("#607d8b", "dot"))) for k in kind_names},
        "edgeColours": {k: EDGE_COLOURS.get(k, OTHER_EDGE_COLOUR) for k in kind_names},
        "percentKeys": sorted({p for k in kind_names if k in schema.EDGE_KINDS for p in _percent_keys(k)}),
        "stakeKinds": sorted(_STAKE_KINDS), "maxLines": _MAX_TOOLTIP_LINES,
    }


def legend(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The legend of a map's data (:func:`map_data`): an entry for every colour and line style drawn,
    and only for those, each ``{what, colour, shape, text}``.

    ``what`` is ``node`` (a kind's colour and shape; sites are not drawn in their kind's colour),
    ``site`` (a site colour, with how many sites have it), ``edge`` (a line colour: the kinds drawn
    in it), ``width`` (line width = stake: only when an ownership or operating line with a stake is
    drawn) or ``dashed`` (only when a line is dashed: an ownership share not published).
    """
    nodes, edges = data["nodes"], data["edges"]
    n_kind, n_status = nodes["columns"].index("kind"), nodes["columns"].index("status")
    e_kind, e_dashed = edges["columns"].index("kind"), edges["columns"].index("dashed")
    e_values = edges["columns"].index("values")
    kinds = data["kinds"]
    items: list[dict[str, Any]] = []
    node_kinds = _ordered_unique(kinds[r[n_kind]] for r in nodes["rows"])
    for kind in node_kinds:
        if kind != "Site":
            colour, shape = data["kindStyle"][kind]
            items.append({"what": "node", "colour": colour, "shape": shape, "text": f"{kind} ({shape})"})
    if "Site" in node_kinds:
        counts = Counter(r[n_status] for r in nodes["rows"] if r[n_status] >= 0)
        for i, st in enumerate(data["statuses"]):
            if counts[i]:
                items.append({"what": "site", "colour": data["statusColours"][st], "shape": "square",
                              "text": f"Site: {data['statusLabels'][st]} ({counts[i]})"})
    by_colour: dict[str, list[str]] = {}
    for kind in _ordered_unique(kinds[r[e_kind]] for r in edges["rows"]):
        by_colour.setdefault(data["edgeColours"][kind], []).append(kind)
    known = list(EDGE_COLOURS.values())
    for colour, edge_kinds in sorted(by_colour.items(), key=lambda kv: known.index(kv[0]) if kv[0] in known
                                     else len(known)):
        text = "; ".join(EDGE_LEGEND.get(k) or k.lower().replace("_", " ") for k in edge_kinds)
        items.append({"what": "edge", "colour": colour, "shape": "line", "text": text})
    stake_kinds = set(data["stakeKinds"])
    if any(kinds[r[e_kind]] in stake_kinds and (r[e_values].get("share") is not None
                                                or r[e_values].get("voting") is not None) for r in edges["rows"]):
        items.append({"what": "width", "colour": STYLE_SWATCH, "shape": "wide",
                      "text": "line width = ownership or operating stake"})
    if any(r[e_dashed] for r in edges["rows"]):
        items.append({"what": "dashed", "colour": STYLE_SWATCH, "shape": "dashed",
                      "text": "dashed = share not published"})
    return items


def render_map(graph: CampaignGraph, view: MapView, *, heading: str | None = None, redacted: bool = False) -> str:
    """The complete HTML page of a view (templates/map.html.j2; vis-network and static/map.js inlined,
    data as escaped JSON)."""
    js, css = vis_network_assets()
    data = map_data(graph, view)
    data["options"] = map_options(len(view.nodes))
    data["labels"] = label_sizes()
    heading = heading if heading is not None else view.title
    return render(
        "map.html.j2", title=heading, style=static_text("map.css"), head=inline_style(css),
        view=view, redacted=redacted, legend=legend(data),
        omitted_parts=", ".join(f"{n} {k}" for k, n in view.omitted.items()),
        data_element=trusted(json_data_element("map-data", data)),
        scripts=trusted(inline_script(js) + inline_script(static_text("map.js"))),
    )


def write_map(graph: CampaignGraph, path: str | os.PathLike[str], *, heading: str | None = None,
              redact_output: bool = False, **view_args: Any) -> MapView:
    """Select a view, render it and write it (atomically) to exactly ``path``; nothing else is written.

    ``redact_output`` redacts the graph first (``exports.redact.redact``) and says so on the page.
    """
    if redact_output:
        graph, view_args = redacted_view_args(graph, view_args)
    view = select_view(graph, **view_args)
    atomic_write_text(path, render_map(graph, view, heading=heading, redacted=redact_output))
    return view


def redacted_view_args(graph: CampaignGraph, view_args: dict[str, Any]) -> tuple[CampaignGraph, dict[str, Any]]:
    """The redacted graph, and :func:`select_view`'s arguments with the ids it names (``company``,
    ``around``) as that graph calls them (a person's id becomes its pseudonym)."""
    from exports.redact import redact, redacted_id

    view_args = dict(view_args)
    for key in ("company", "around"):
        if isinstance(view_args.get(key), str):
            view_args[key] = redacted_id(graph, view_args[key])
    return redact(graph), view_args
