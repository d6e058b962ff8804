"""An entity page's relations (issue 19, "Entity pages"): ``GET /api/nodes/{id}/profile``.

:func:`mount_profile` adds one JSON route to the app that :func:`exports.web.app.create_app`
builds. Its answer is ``{"id", "kind", "name", "as_of", "sections": {...}, "deferred": [...]}``,
the sections by the node's kind:

- a **Company**: ``ownership`` (its chain of controlling owners up to its ultimate parent,
  :func:`queries.ownership.ultimate_parent`, as ``campaign-graph parent`` answers, each step
  with the owner's direct share and the edges and reason of its control), ``group`` (the
  group below it as ``campaign-graph group`` answers: :func:`queries.ownership.group`,
  members with effective stakes and membership), ``agreements`` (PARTY_TO), ``networks``
  (the union networks of the company or of an owner on its chain:
  :func:`queries.coverage.company_networks`, with their member unions), ``events``
  (INVOLVES) and ``leverage`` (:func:`queries.leverage.leverage` with the snapshot's
  ``us`` setting, as ``campaign-graph leverage`` answers; :func:`queries.leverage.with_unscored`
  rows). Its sites with their coverage are the group's coverage rows, which the page asks
  ``/api/coverage`` for (not repeated here);
- a **Site**: ``operators`` (OPERATES, each with its chain up to its ultimate parent),
  ``placement`` (the operator and group :func:`queries.coverage.site_coverage` places the
  site in), ``status``, ``unions`` (REPRESENTS), ``agreements`` (the agreements its coverage
  reasons cite, and COVERS edges) and ``events``;
- a **Union**: ``sites`` (REPRESENTS: sites and companies), ``networks`` (MEMBER_OF),
  ``agreements`` (PARTY_TO), ``affiliations`` (AFFILIATED_TO, both ways) and ``events``.

Leverage reads the whole group, its coverage and its supply network (about a second for a
group of the 1M-edge benchmark graph), so it is ``deferred``: the full answer leaves it out
and names it in ``"deferred"``, and ``?section=leverage`` answers it alone (the page asks for
it after drawing the rest). ``?section=NAME`` answers any one section.

A relation row is data: ``{"id", "name", "kind", "edge", "in_force", "edge_properties",
"properties"}`` (``in_force``: the edge is in force at ``as_of`` by its validity dates, the
graph's own filter; ended edges are listed too). No answer is computed here: ownership,
group, networks, coverage and leverage are the queries'; agreements' ``status`` is
:func:`queries._frames.agreement_status`. The graph is the served snapshot's; over
``serve bolt://…`` the profile reads the whole server graph (:meth:`GraphSource.whole_graph`,
as ``campaign-graph leverage bolt://…`` reads it). A ``--redact`` server serves the redacted
graph, so sensitive values (a union's ``members``) are not there to show.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, HTTPException, Query

from exports.web.app import _as_of, _properties, serialised
from exports.web.source import source_of
from graphmodel.graph import CampaignGraph

#: the sections of each kind, in the order the page shows them
SECTIONS: Mapping[str, tuple[str, ...]] = {
    "Company": ("ownership", "group", "agreements", "networks", "events", "leverage"),
    "Site": ("operators", "placement", "status", "unions", "agreements", "events"),
    "Union": ("sites", "networks", "agreements", "affiliations", "events"),
}
#: sections left out of the full answer (slow at scale), asked for with ``?section=``
DEFERRED = frozenset({"leverage"})
#: the most group members one answer lists (the rest: ``"truncated": true`` and ``"total"``)
MAX_MEMBERS = 500
#: the group columns the profile returns (``campaign-graph group --format json`` has them all)
GROUP_COLUMNS = ("id", "name", "kind", "effective_stake", "stake_min", "stake_is_lower_bound", "controlled",
                 "membership", "parent_id", "depth", "reason")


def _row(graph: CampaignGraph, other: str, eid: str | None, attrs: Mapping[str, Any] | None,
         in_force: set[str]) -> dict[str, Any]:
    """One relation: the node at the other end and the edge to it."""
    node = graph.node(other)
    return {"id": other, "name": node.get("name", other), "kind": node["kind"], "edge": eid,
            "in_force": eid in in_force if eid is not None else None,
            "edge_properties": _properties(attrs) if attrs is not None else {}, "properties": _properties(node)}


def _relations(graph: CampaignGraph, node: str, kind: str, day: str, *, out: bool) -> list[dict[str, Any]]:
    """``node``'s ``kind`` edges one way (all of them, each saying whether it is in force at ``day``),
    by the other end's name then edge id."""
    edges = graph.out_edges if out else graph.in_edges
    live = {e for e, _u, _v, _a in edges(node, kind, as_of=day)}
    rows = [_row(graph, v if out else u, e, a, live) for e, u, v, a in edges(node, kind)]
    return sorted(rows, key=lambda r: (str(r["name"]).casefold(), r["id"], r["edge"] or ""))


def _agreements(graph: CampaignGraph, rows: list[dict[str, Any]], day: str) -> list[dict[str, Any]]:
    from queries._frames import agreement_status

    for r in rows:
        if r["kind"] == "Agreement":
            r["status"] = agreement_status(graph, r["id"], day).state
    return rows


def _chain(graph: CampaignGraph, idx: Any, entity: str) -> dict[str, Any]:
    """``campaign-graph parent``'s answer for ``entity``, each step with its owner's share."""
    from queries.ownership import ultimate_parent

    up = ultimate_parent(graph, entity, as_of=idx.as_of, index=idx)
    steps = []
    for below, owner in zip(up.chain, up.chain[1:]):
        control = idx.controller(below)
        direct = next((s for s in idx.inn.get(below, ()) if s.holder == owner), None)
        steps.append({"id": owner, "name": graph.name_of(owner), "kind": graph.kind_of(owner), "of": below,
                      "share": direct.equity if direct is not None and direct.equity_exact else None,
                      "edges": list(control.edges) if control is not None else [],
                      "reason": control.reason if control is not None else None})
    return {"ultimate_parent": up.id, "ultimate_parent_name": graph.name_of(up.id), "chain": up.chain,
            "steps": steps, "explanation": up.explanation}


def _company(graph: CampaignGraph, node: str, day: str, wanted: set[str], us: list[str]) -> dict[str, Any]:
    from exports.tables import table_records
    from queries.ownership import OwnershipIndex, group

    idx = OwnershipIndex(graph, as_of=day)
    out: dict[str, Any] = {}
    chain: list[str] = [node]
    if "ownership" in wanted or "networks" in wanted:
        up = _chain(graph, idx, node)
        chain = up["chain"]
        if "ownership" in wanted:
            out["ownership"] = up
    if "group" in wanted:
        df = group(graph, node, as_of=day, index=idx)
        out["group"] = {"rule": df.attrs["rule"], "total": len(df), "truncated": len(df) > MAX_MEMBERS,
                        "counts": {str(k): int(v) for k, v in df["membership"].value_counts(sort=False).items()},
                        "members": table_records(df.head(MAX_MEMBERS), list(GROUP_COLUMNS))}
    if "agreements" in wanted:
        out["agreements"] = _agreements(graph, _relations(graph, node, "PARTY_TO", day, out=True), day)
    if "networks" in wanted:
        from queries.coverage import company_networks

        out["networks"] = [_network(graph, net, day) for net in company_networks(graph, chain, as_of=day)]
    if "events" in wanted:
        out["events"] = _relations(graph, node, "INVOLVES", day, out=False)
    if "leverage" in wanted:
        from queries.leverage import leverage, with_unscored

        df = leverage(graph, node, as_of=day, us=us)
        out["leverage"] = {"engine": df.attrs.get("engine"), "points": len(df),
                           "us": df.attrs.get("us", []), "rows": table_records(with_unscored(df))}
    return out


def _network(graph: CampaignGraph, net: str, day: str) -> dict[str, Any]:
    attrs = graph.node(net)
    company = attrs.get("company")  # the network's company, by id: its name travels beside it
    return {"id": net, "name": attrs.get("name", net), "kind": attrs["kind"], "properties": _properties(attrs),
            "company": ({"id": company, "name": graph.name_of(company)}
                        if isinstance(company, str) and graph.has_node(company) else None),
            "members": _relations(graph, net, "MEMBER_OF", day, out=False)}


def _site(graph: CampaignGraph, node: str, day: str, wanted: set[str]) -> dict[str, Any]:
    from exports.tables import table_records
    from queries.coverage import site_coverage
    from queries.ownership import OwnershipIndex

    out: dict[str, Any] = {}
    if "operators" in wanted:
        idx = OwnershipIndex(graph, as_of=day)
        ops = _relations(graph, node, "OPERATES", day, out=False)
        for op in ops:
            op["ownership"] = _chain(graph, idx, op["id"])
        out["operators"] = ops
    row: dict[str, Any] = {}
    if wanted & {"placement", "status", "agreements"}:
        [row] = table_records(site_coverage(graph, node, as_of=day))
    if "placement" in wanted:
        out["placement"] = {k: row[k] for k in ("operator_id", "operator", "ultimate_parent_id", "ultimate_parent",
                                                "membership", "effective_stake", "stake_min", "stake_is_lower_bound")}
    if "status" in wanted:
        out["status"] = {"status": row["status"], "status_note": row.get("status_note")}
    if "unions" in wanted:
        out["unions"] = _relations(graph, node, "REPRESENTS", day, out=False)
    if "agreements" in wanted:
        covers = {r["id"]: r for r in _relations(graph, node, "COVERS", day, out=False)}
        cited = [e for e in row["evidence"] or () if graph.has_node(e) and graph.kind_of(e) == "Agreement"]
        rows = []
        for a in dict.fromkeys([*cited, *covers]):
            r = covers.get(a) or _row(graph, a, None, None, set())
            r["cited_by_coverage"] = a in cited
            rows.append(r)
        out["agreements"] = _agreements(graph, rows, day)
    if "events" in wanted:
        out["events"] = _relations(graph, node, "INVOLVES", day, out=False)
    return out


def _union(graph: CampaignGraph, node: str, day: str, wanted: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "sites" in wanted:
        out["sites"] = _relations(graph, node, "REPRESENTS", day, out=True)
    if "networks" in wanted:
        out["networks"] = _relations(graph, node, "MEMBER_OF", day, out=True)
    if "agreements" in wanted:
        out["agreements"] = _agreements(graph, _relations(graph, node, "PARTY_TO", day, out=True), day)
    if "affiliations" in wanted:
        out["affiliations"] = {"to": _relations(graph, node, "AFFILIATED_TO", day, out=True),
                               "from": _relations(graph, node, "AFFILIATED_TO", day, out=False)}
    if "events" in wanted:
        out["events"] = _relations(graph, node, "INVOLVES", day, out=False)
    return out


def profile(graph: CampaignGraph, node: str, day: str, *, section: str | None = None,
            us: list[str] | None = None) -> dict[str, Any]:
    """The profile of ``node`` (see the module docstring): every section of its kind but the
    deferred ones, or ``section`` alone. An unknown section for the kind: 422."""
    kind = graph.kind_of(node)
    names = SECTIONS.get(kind, ())
    if section is not None and section not in names:
        known = ", ".join(names) or "none"
        raise HTTPException(422, f"section: {section!r} is not a section of a {kind} (known: {known})")
    wanted = {section} if section is not None else set(names) - DEFERRED
    build: dict[str, Callable[[], dict[str, Any]]] = {
        "Company": lambda: _company(graph, node, day, wanted, list(us or ())),
        "Site": lambda: _site(graph, node, day, wanted),
        "Union": lambda: _union(graph, node, day, wanted),
    }
    found = build[kind]() if kind in build else {}
    return {"id": node, "kind": kind, "name": graph.name_of(node), "as_of": day,
            "sections": {k: found[k] for k in names if k in found},
            "deferred": [] if section is not None else [k for k in names if k in DEFERRED]}


def mount_profile(app: FastAPI) -> None:
    """Add ``GET /api/nodes/{id}/profile`` to ``app`` (see the module docstring)."""
    serial = serialised(app)

    @app.get("/api/nodes/{node_id:path}/profile",
             summary="An entity's relations: a company's ownership, group, agreements, networks, events and "
                     "leverage; a site's operators, placement, status, unions, agreements; a union's sites, "
                     "networks and agreements.")
    @serial
    def node_profile(node_id: str,
                     as_of: str | None = Query(None, description="The date the answer holds for (default today)."),
                     section: str | None = Query(None, description="Only this section (e.g. leverage, which "
                                                                   "the full answer defers).")
                     ) -> dict[str, Any]:
        source = source_of(app)
        if not source.has_node(node_id):
            raise HTTPException(404, f"no node with id {node_id!r}")
        day = _as_of(as_of)
        graph = source.whole_graph()  # over Neo4j: the server's whole graph (the profile reads the group's)
        if not graph.has_node(node_id):  # a server's node that redaction drops
            raise HTTPException(404, f"no node with id {node_id!r}")
        return profile(graph, node_id, day, section=section, us=list(app.state.us))

    # Starlette tries routes in order and ``/api/nodes/{node_id:path}`` (create_app's) would take
    # ``…/profile`` as part of an id: this route goes just before it, as ``…/neighbours`` is
    routes = app.router.routes
    mine = routes.pop()
    at = next((i for i, r in enumerate(routes) if getattr(r, "path", "") == "/api/nodes/{node_id:path}"), len(routes))
    routes.insert(at, mine)
