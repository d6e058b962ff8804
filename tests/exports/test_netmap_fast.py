"""The map's view selection checked against networkx (no copy of the production code).

Oracles, built with networkx from ``graph.edges`` alone:
- ``--around X --hops h``: the ego graph of radius ``h`` (``nx.ego_graph``) in the graph of the
  edges valid on the day, walked both ways, a Country node reached but not walked through (unless it
  is the centre), Unit nodes walked through but not drawn; nearest first; a cap keeps the nearest and
  counts the rest by kind;
- the default map (no focus): the ultimate parents with the most sites, counted from the rows of
  ``coverage`` of every site (each site in its ultimate parent's group), most first, then by id;
- edges: every edge valid on the day between two kept nodes.
Each oracle test runs on the graph held in networkx (read through ``out_edges`` / ``in_edges``) and held
in columns (walked on ``graph.adjacency()``). The company and query views, the site colours and the page
rows are checked to be the same on the two layouts (a columnar snapshot, networkx never built, and the
same graph in networkx); their hand-worked answers are in ``test_netmap``.
Graphs: the hand-built fictional fixtures of ``test_netmap`` and generated XS/S graphs.
"""

from __future__ import annotations

import dataclasses
import random
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pytest

from exports import netmap
from graphmodel.graph import CampaignGraph
from graphmodel.stores.snapshot import load_snapshot, save_snapshot
from tests.exports.test_netmap import acme_graph, payload_graph

DAYS = ("2015-06-30", "2026-06-30")


def _fields(view: netmap.MapView) -> dict:
    """A view's fields but ``edge_rows`` (a columnar graph's table rows, kept for map_data)."""
    return {f.name: getattr(view, f.name) for f in dataclasses.fields(view) if f.name != "edge_rows"}


# --------------------------------------------------------------------------- oracles
_EDGES: dict[tuple[int, str], tuple[CampaignGraph, list[tuple[str, str, str]], nx.DiGraph]] = {}


def _day_edges(g: CampaignGraph, day: str) -> tuple[list[tuple[str, str, str]], nx.DiGraph]:
    """(edge id, source, target) of the edges valid on ``day``, and their nodes linked both ways (cached per graph)."""
    key = (id(g), day)
    if key not in _EDGES or _EDGES[key][0] is not g:
        edges = [(e, u, v) for e, u, v, _a in g.edges(as_of=day)]
        d = nx.DiGraph()
        d.add_nodes_from(g.node_ids())
        d.add_edges_from((u, v) for _, u, v in edges)
        d.add_edges_from((v, u) for _, u, v in edges)
        _EDGES[key] = (g, edges, d)
    return _EDGES[key][1], _EDGES[key][2]


def walk_graph(g: CampaignGraph, day: str, centre: str) -> nx.DiGraph:
    """Edges valid on ``day``, both ways, except out of a Country node other than ``centre``."""
    _, d = _day_edges(g, day)
    return nx.subgraph_view(d, filter_edge=lambda x, y: x == centre or g.kind_of(x) != "Country")


def edges_oracle(g: CampaignGraph, day: str, kept: list[str]) -> set[str]:
    inside = set(kept)
    return {e for e, u, v in _day_edges(g, day)[0] if u in inside and v in inside}


def check_around(g: CampaignGraph, centre: str, hops: int, max_nodes: int, day: str) -> netmap.MapView:
    view = netmap.select_view(g, around=centre, hops=hops, max_nodes=max_nodes, as_of=day,
                              coverage_status=False, status="all")
    ego = nx.ego_graph(walk_graph(g, day, centre), centre, radius=hops)
    dist = nx.single_source_shortest_path_length(ego, centre)
    drawn = {n for n in ego if n == centre or g.kind_of(n) not in netmap._NOT_DRAWN}
    assert view.nodes[0] == centre and view.focus == [centre]
    assert len(set(view.nodes)) == len(view.nodes) == min(len(drawn), max_nodes)
    assert set(view.nodes) <= drawn
    levels = [dist[n] for n in view.nodes]
    assert levels == sorted(levels)  # nearest first
    left = drawn - set(view.nodes)
    if left:
        assert max(levels) <= min(dist[n] for n in left)  # the cap keeps the nearest
    assert view.omitted == dict(sorted(Counter(g.kind_of(n) for n in left).items()))
    assert set(view.edges) == edges_oracle(g, day, view.nodes)
    assert len(view.edges) == len(set(view.edges))
    return view


def check_default(g: CampaignGraph, max_nodes: int, day: str) -> netmap.MapView:
    from queries.coverage import coverage

    view = netmap.select_view(g, max_nodes=max_nodes, as_of=day, coverage_status=False, status="all")
    rows = coverage(g, None, as_of=day, status="all")
    sites = Counter(p for p in rows["ultimate_parent_id"] if isinstance(p, str))
    order = sorted(sites, key=lambda n: (-sites[n], n))[: min(max_nodes, netmap.DEFAULT_GROUPS)]
    assert view.nodes == order and view.focus == [] and view.omitted == {}
    assert view.group_sites == {n: sites[n] for n in order}
    assert f"of the {len(order)} largest of {len(sites):,} groups with sites" in view.notes[-1]
    assert set(view.edges) == edges_oracle(g, day, view.nodes)
    return view


def _centres(graph: CampaignGraph, n: int, seed: int) -> list[str]:
    """A sample of nodes of every kind, the busiest node and a Country node among them."""
    rng = random.Random(seed)
    ids = graph.node_ids()
    by_kind: dict[str, list[str]] = {}
    for i in ids:
        by_kind.setdefault(graph.kind_of(i), []).append(i)
    picked = [rng.choice(v) for _, v in sorted(by_kind.items())]
    busiest = max(ids, key=lambda i: (len(graph.out_edges(i)) + len(graph.in_edges(i)), i))
    return list(dict.fromkeys(picked + [busiest] + rng.sample(ids, min(n, len(ids)))))


# --------------------------------------------------------------------------- against networkx
@pytest.mark.parametrize("build", [acme_graph, payload_graph])
def test_fixture_views_equal_networkx_ego_graphs(build, layout) -> None:  # type: ignore[no-untyped-def]
    g = layout(build())
    for day in DAYS:
        check_default(g, 400, day)
        check_default(g, 2, day)
        for centre in g.node_ids():
            for hops in (0, 1, 2, 4):
                for cap in (1, 3, 400):
                    check_around(g, centre, hops, cap, day)


def test_generated_xs_views_equal_networkx_ego_graphs(xs: CampaignGraph, layout: Callable[[CampaignGraph], CampaignGraph]) -> None:
    xs = layout(xs)
    for i, centre in enumerate(_centres(xs, 8, seed=1)):
        for hops in (1, 2, 3, 6):
            check_around(xs, centre, hops, (50, 400, 5000)[i % 3], DAYS[i % 2])
    check_default(xs, 300, "2026-06-30")


def test_generated_s_views_equal_networkx_ego_graphs(
    s_graph: CampaignGraph, layout: Callable[[CampaignGraph], CampaignGraph]
) -> None:
    s_graph = layout(s_graph)
    for i, centre in enumerate(_centres(s_graph, 0, seed=4)[-3:]):
        view = check_around(s_graph, centre, (3, 5, 8)[i % 3], (2000, 20_000)[i % 2], "2026-06-30")
        assert len(view.nodes) + view.omitted_total >= 1
    check_default(s_graph, 1000, "2026-06-30")


# --------------------------------------------------------------------------- the same views on the two layouts
_LOADS: dict[int, tuple[CampaignGraph, CampaignGraph, CampaignGraph]] = {}


def _both_layouts(graph: CampaignGraph, folder: Path, **args: object) -> netmap.MapView:
    """The view and page rows of ``graph``'s snapshot loaded in columns equal those of the same snapshot
    loaded in networkx (a snapshot orders by id, so both loads are compared, not the graph as built);
    returns the view of the networkx load."""
    hit = _LOADS.get(id(graph))
    if hit is None or hit[0] is not graph:
        snap = folder / f"snap{len(_LOADS)}"
        save_snapshot(graph, snap, created="test")
        hit = _LOADS[id(graph)] = (graph, load_snapshot(snap, columnar=True), load_snapshot(snap, columnar=False))
    _, col, ordinary = hit
    new = netmap.select_view(ordinary, status="all", **args)  # type: ignore[arg-type]
    other = netmap.select_view(col, status="all", **args)  # type: ignore[arg-type]
    assert _fields(other) == _fields(new), args
    assert netmap.map_data(col, other) == netmap.map_data(ordinary, new), args
    assert col.is_columnar and not ordinary.is_columnar  # nothing built networkx for the columnar load
    return new


def test_company_and_query_views_are_the_same_on_both_layouts(xs: CampaignGraph, tmp_path: Path) -> None:
    g = acme_graph()
    # worked answer (test_netmap): Site A covered (recognised union, CBA in force)
    view = _both_layouts(g, tmp_path, around="acme", hops=2, as_of="2026-06-30")
    assert view.site_status["site_a"] == "covered"
    _both_layouts(g, tmp_path, company="Acme Steel Holding", as_of="2026-06-30")
    _both_layouts(g, tmp_path, company="acme", query="coverage", as_of="2026-06-30")
    _both_layouts(g, tmp_path, company="acme", query="leverage", as_of="2026-06-30")
    # a name (not an id) goes through the name index
    assert _both_layouts(g, tmp_path, around="Acme Brasil", hops=1, coverage_status=False).focus == ["acme_br"]
    for build in (acme_graph, payload_graph):
        g = build()
        for company in g.node_ids("Company"):
            for day in DAYS:
                view = _both_layouts(g, tmp_path, company=company, as_of=day, coverage_status=False)
                assert set(view.edges) == edges_oracle(g, day, view.nodes)
                _both_layouts(g, tmp_path, company=company, max_nodes=3, as_of=day, coverage_status=False)
    for company in random.Random(2).sample(xs.node_ids("Company"), 6):
        view = _both_layouts(xs, tmp_path, company=company, as_of="2026-06-30", coverage_status=False)
        assert set(view.edges) == edges_oracle(xs, "2026-06-30", view.nodes)
        _both_layouts(xs, tmp_path, company=company, max_nodes=20, as_of="2015-06-30", coverage_status=False)
    _both_layouts(xs, tmp_path, around=_centres(xs, 0, seed=3)[0], hops=2, as_of="2026-06-30")  # coloured


def _columnar_pair(graph: CampaignGraph | None, folder: Path) -> tuple[CampaignGraph, CampaignGraph]:
    """(columnar, ordinary) loads of ``graph``'s snapshot (``None``: already saved in ``folder``)."""
    if graph is not None:
        save_snapshot(graph, folder, created="test")
    return load_snapshot(folder, columnar=True), load_snapshot(folder, columnar=False)


@pytest.mark.parametrize("build", [acme_graph, "xs", "s"])
def test_columnar_snapshots_give_the_networkx_layout_views_without_building_networkx(
    build, request: pytest.FixtureRequest, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    if callable(build):
        col, ordinary = _columnar_pair(build(), tmp_path / "snap")
    else:
        col, ordinary = _columnar_pair(None, request.getfixturevalue(f"{build}_snapshot"))
    assert col.is_columnar and col.adjacency() is not None  # type: ignore[attr-defined]
    small = build != "s"
    centres = _centres(ordinary, 3, seed=6) if small else _centres(ordinary, 0, seed=6)[-2:]
    views: list[dict[str, object]] = [{"max_nodes": 50}]
    views += [{"around": c, "hops": h, "max_nodes": m} for c in centres for h, m in ((1, 400), (3, 60), (6, 5000))]
    views += [{"company": c} for c in ordinary.node_ids("Company")[: 5 if small else 2]]
    for args in views:
        for as_of in DAYS:
            new = netmap.select_view(col, as_of=as_of, coverage_status=False, status="all", **args)  # type: ignore[arg-type]
            rows = netmap.map_data(col, new)
            old = netmap.select_view(ordinary, as_of=as_of, coverage_status=False, status="all", **args)  # type: ignore[arg-type]
            assert _fields(new) == _fields(old), args
            assert rows == netmap.map_data(ordinary, old), args
    assert col.is_columnar  # type: ignore[attr-defined]  # nothing built networkx


# --------------------------------------------------------------------------- the capped default map in the browser
@pytest.mark.browser
def test_capped_default_map_of_a_columnar_graph_settles_in_chromium_and_says_what_was_cut(
    xs: CampaignGraph, xs_snapshot: Path, tmp_path: Path, offline_page  # type: ignore[no-untyped-def]
) -> None:
    """The default cap (400 nodes) on a neighbourhood far larger than it: the page draws every kept
    node, runs the fewer physics iterations a map that size gets (100), freezes, and the note
    counts what was left out. Timings are in benchmarks/, not here."""
    col, _ordinary = _columnar_pair(None, xs_snapshot)
    centre = _centres(xs, 0, seed=5)[-1]  # the busiest node
    path = tmp_path / "map.html"
    view = netmap.write_map(col, path, around=centre, hops=6, as_of="2026-06-30", coverage_status=False)
    assert len(view.nodes) == netmap.DEFAULT_MAX_NODES == 400 and view.omitted_total > 100
    assert netmap.stabilisation_iterations(400) == 100
    page = offline_page.open(path, wait_for="window.campaignMap && window.campaignMap.stabilized", timeout_ms=120_000)
    assert page.evaluate("window.campaignMap.network.body.data.nodes.length") == 400
    assert page.evaluate("window.campaignMap.network.body.data.edges.length") == len(view.edges)
    assert page.evaluate("window.campaignMap.network.physics.physicsEnabled") is False
    note = page.inner_text("#omitted")
    assert f"cut to 400 nodes: {view.omitted_total} more were left out" in note
    assert offline_page.problems() == {"console_errors": [], "page_errors": [], "dialogs": [], "external_requests": []}
    assert col.is_columnar  # type: ignore[attr-defined]
