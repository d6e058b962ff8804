"""The map's view selection and row building as they were before the speed work (commit 3328d7b),
kept verbatim as the reference for the differential tests in ``test_netmap_fast.py``.

Straightforward networkx: every walk reads ``graph.nx`` (which builds the networkx graph of a
columnar snapshot), each node's neighbours are all date-checked, and the name index answers
every ``--around``. Not used by the tool.
"""
# ruff: noqa

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable
from typing import Any

from exports.html import COVERAGE_COLOURS, COVERAGE_LABELS
from exports.netmap import (
    _STAKE_KINDS,
    _MAX_TOOLTIP_LINES,
    DEFAULT_MAX_NODES,
    EDGE_COLOURS,
    KIND_STYLE,
    SITE_STATUSES,
    MapView,
    _edge_width,
    _percent_keys,
    _values,
    tooltip_keys,
    _coverage_rows,
    _NO_COUNTRY,
    _site_status_from_rows,
    _status_for,
)
from graphmodel import schema
from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.values import in_force, normalise_as_of
def _valid_neighbours(graph: CampaignGraph, n: str, day: str, skip_kinds: frozenset[str] = frozenset()) -> list[str]:
    """Nodes linked to ``n`` either way by at least one edge valid on ``day``, minus ``skip_kinds``."""
    g = graph.nx
    nodes = g._node
    out = []
    # networkx's own adjacency dicts (other -> key -> attrs), not its read-only views, whose
    # Mapping mixins cost several times the work done here; this runs for every node of a view
    for adj in (g._succ[n], g._pred[n]):
        for other, keyed in adj.items():
            if skip_kinds and nodes[other]["kind"] in skip_kinds:
                continue
            for a in keyed.values():
                vf, vt = a.get("valid_from"), a.get("valid_to")
                if (vf is None and vt is None) or in_force(vf, vt, day):
                    out.append(other)
                    break
    return out


def _ordered_unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _group_ids(graph: CampaignGraph, root: str, day: str) -> list[str]:
    from queries.ownership import group

    rows = group(graph, root, as_of=day)
    ids = [str(i) for i in rows["id"]] if len(rows) else []
    return _ordered_unique([root] + ids)


def _company_order(graph: CampaignGraph, root: str, day: str) -> list[str]:
    """Group members, then what touches them (sites first), then what touches their sites."""
    members = _group_ids(graph, root, day)
    member_set = set(members)
    ring1: list[str] = []
    for m in members:
        ring1.extend(n for n in _valid_neighbours(graph, m, day, _NO_COUNTRY) if n not in member_set)
    ring1 = _ordered_unique(ring1)
    sites = [n for n in ring1 if graph.nx.nodes[n]["kind"] == "Site"]
    others = [n for n in ring1 if graph.nx.nodes[n]["kind"] != "Site"]
    seen = member_set | set(ring1)
    ring2: list[str] = []
    for s in sites:
        ring2.extend(n for n in _valid_neighbours(graph, s, day, _NO_COUNTRY) if n not in seen)
    return _ordered_unique(members + sites + others + ring2)


def _ego_order(graph: CampaignGraph, centre: str, hops: int, day: str) -> list[str]:
    """Nodes within ``hops`` links of ``centre``, nearest first. A Country node is shown but not
    walked through (unless it is the centre): it links every company and site in that country,
    so going through it would turn a neighbourhood into a hairball."""
    dist = {centre: 0}
    queue = deque([centre])
    kinds = graph.nx.nodes
    while queue:
        n = queue.popleft()
        if dist[n] >= hops or (n != centre and kinds[n]["kind"] in _NO_COUNTRY):
            continue
        for m in _valid_neighbours(graph, n, day):
            if m not in dist:
                dist[m] = dist[n] + 1
                queue.append(m)
    return list(dist)


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

    Examples
    --------
    >>> from graphmodel.graph import CampaignGraph
    >>> g = CampaignGraph()
    >>> _ = g.add_node("x", "Company", "X Corp")
    >>> select_view(g, coverage_status=False).nodes
    ['x']
    """
    if max_nodes < 1:
        raise CampaignGraphError("--max-nodes must be at least 1")
    if hops < 0:
        raise CampaignGraphError("--hops must be 0 or more")
    day = normalise_as_of(as_of)
    root: str | None = None
    status: dict[str, str] = {}
    reasons: dict[str, str] = {}
    notes: list[str] = []
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
        rows = _coverage_rows(graph, root, day)
        status, reasons = _site_status_from_rows(rows)
        ordered: list[str] = [root]
        gaps = rows.sort_values("uncovered", ascending=False, kind="stable") if len(rows) else rows
        for rec in gaps.to_dict("records") if len(rows) else []:
            ordered.append(str(rec["site_id"]))
            for col in ("operator_id", "ultimate_parent_id"):
                if rec.get(col):
                    ordered.append(str(rec[col]))
            chain = rec.get("chain")
            if isinstance(chain, str) and chain:
                ordered.extend(c.strip() for c in chain.split(" > ") if c.strip())
        title = f"Coverage of the {graph.name_of(root)} group"
        notes.append("Sites are the group's sites; red ones have a gap the data records, grey ones need research.")
    elif query == "leverage":
        assert root is not None
        from queries.leverage import leverage

        rows = leverage(graph, root, as_of=day)
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
        ordered = _company_order(graph, root, day)
        title = f"{graph.name_of(root)} group"
    elif around is not None:
        centre = graph.resolve(around)
        ordered = _ego_order(graph, centre, hops, day)
        title = f"Within {hops} link{'s' if hops != 1 else ''} of {graph.name_of(centre)}"
        root = centre
    else:
        # most-connected first; neighbour counts (not parallel-edge counts) are enough to rank
        succ, pred = graph.nx.succ, graph.nx.pred
        ordered = sorted(graph.nx.nodes, key=lambda n: (-(len(succ[n]) + len(pred[n])), n))
        title = "Campaign graph"

    ordered = [n for n in _ordered_unique(ordered) if graph.has_node(n)]
    kept = ordered[:max_nodes]
    left_out = ordered[max_nodes:]
    omitted = dict(sorted(Counter(graph.nx.nodes[n]["kind"] for n in left_out).items()))
    if coverage_status and not status:
        status, reasons = _status_for(graph, kept, root if company is not None else None, day)

    kept_set = set(kept)
    edges: list[str] = []
    g = graph.nx
    succ, node_attrs = g._succ, g._node
    for u in kept:
        # networkx's adjacency dicts (u -> v -> key -> attrs), read only: the views cost more than the work
        for v, keyed in succ[u].items():
            if v not in kept_set:
                continue
            for k, a in keyed.items():
                vf, vt = a.get("valid_from"), a.get("valid_to")
                if (vf is None and vt is None) or in_force(vf, vt, day):
                    edges.append(k)
    return MapView(
        title=title, nodes=kept, edges=edges, focus=[root] if root else [], omitted=omitted,
        site_status={n: status.get(n, "unknown") for n in kept if node_attrs[n]["kind"] == "Site"},
        site_reasons={n: reasons[n] for n in kept if n in reasons}, as_of=day, notes=notes,
    )


#: above this many ultimate parents in a view, one coverage pass over every site is cheaper
_MAX_GROUPS_FOR_STATUS = 12





def map_data(graph: CampaignGraph, view: MapView) -> dict[str, Any]:
    """A view's nodes and edges as compact rows (:data:`NODE_ROW`, :data:`EDGE_ROW`) plus lookup tables.

    Built directly from the graph: one small list per element; kinds, statuses and sources as
    indexes; the shown properties (:func:`tooltip_keys`) as a small ``{name: value}`` object.
    No per-element formatting happens here, so a 20,000-node view
    serialises quickly; the page turns rows into vis-network items and plain-text tooltips
    (name, kind and id, properties, coverage, sources).
    """
    g = graph.nx
    focus = set(view.focus)
    kinds: dict[str, int] = {}
    sources: dict[str, int] = {}
    statuses = {st: i for i, st in enumerate(SITE_STATUSES)}

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
    node_attrs, succ = g._node, g._succ  # networkx's own dicts, read only (see _valid_neighbours)
    for n in view.nodes:
        a = node_attrs[n]
        kind = a["kind"]
        k = kinds.setdefault(kind, len(kinds))
        st = status.get(n, "unknown") if kind == "Site" else None
        size = 26 if n in focus else (16 if kind in ("Company", "Site") else 12)
        nodes.append([n, str(a.get("name", n)), k, statuses[st] if st else -1, size,
                      _values(a, tooltip_keys(kind)), src_index(a.get("sources") or ()), reasons.get(n, "")])
    edges = []
    ends = graph._edge_ends
    for eid in view.edges:
        u, v = ends[eid]
        a = succ[u][v][eid]
        kind = a["kind"]
        width, dashed = _edge_width(a)
        edges.append([u, v, kinds.setdefault(kind, len(kinds)), width, 1 if dashed else 0,
                      _values(a, tooltip_keys(kind, True)), src_index(a.get("sources") or ())])
    kind_names = list(kinds)
    source_titles = []
    for sid in sources:
        s = graph.sources.get(sid)
        source_titles.append((s.title or sid) if s else sid)
    return {
        "nodes": nodes, "edges": edges, "kinds": kind_names, "sources": source_titles,
        "statuses": list(SITE_STATUSES), "statusLabels": dict(COVERAGE_LABELS), "statusColours": dict(COVERAGE_COLOURS),
        "kindStyle": {k: list(KIND_STYLE.get(k, ("#607d8b", "dot"))) for k in kind_names},
        "edgeColours": {k: EDGE_COLOURS.get(k, "#b0bec5") for k in kind_names},
        "percentKeys": sorted({p for k in kind_names if k in schema.EDGE_KINDS for p in _percent_keys(k)}),
        "stakeKinds": sorted(_STAKE_KINDS), "maxLines": _MAX_TOOLTIP_LINES,
    }
