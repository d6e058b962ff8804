"""Differential tests: the map's view selection and rows equal the code before the speed work.

``tests/exports/netmap_reference.py`` keeps the old selection (networkx views, every neighbour
date-checked, the name index for every ``--around``) verbatim. The new code must choose the
same nodes in the same order, the same edges, the same omitted counts and site colours, and
build the same rows, on the hand-built fictional fixtures and on generated graphs
(``benchmarks.generate``, fictional); also when it reads the graph through ``out_edges`` /
``in_edges`` (the path a columnar snapshot takes) instead of networkx's dicts.
"""

from __future__ import annotations

import dataclasses
import inspect
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from exports import netmap
from graphmodel.graph import CampaignGraph
from graphmodel.stores.snapshot import load_snapshot, save_snapshot
from queries.adjacency import columnar_adjacency
from tests.exports import netmap_reference as ref
from tests.exports.test_netmap import acme_graph, payload_graph

AS_OFS = (None, "2015-06-30", "2026-06-30")


@pytest.fixture(params=["networkx dicts", "read methods"])
def access(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run each test on both ways in: networkx's own dicts, and the graph's read methods
    (``out_edges`` / ``in_edges`` / ``node`` / ``edge``), which a columnar graph uses."""
    if request.param == "read methods":
        monkeypatch.setattr(netmap, "networkx_if_built", lambda graph: None)
    yield request.param


def _without_new_keys(data: dict) -> dict:
    """The page data without what the frozen reference predates: ``statusWhat`` (what the site
    colours say, "coverage" here; "exposure" with ``--colour exposure``, tested in test_geo_exposure)."""
    assert data.get("statusWhat") == "coverage"
    assert data["nodes"]["columns"] == list(netmap.NODE_ROW) and data["edges"]["columns"] == list(netmap.EDGE_ROW)
    # the reference sends bare lists of rows; the page now gets each table with its columns
    return {k: v["rows"] if k in ("nodes", "edges") else v for k, v in data.items() if k != "statusWhat"}


def _fields(view: netmap.MapView) -> dict:
    """A view's fields but ``edge_rows`` (a columnar graph's table rows, kept for map_data)."""
    return {f.name: getattr(view, f.name) for f in dataclasses.fields(view) if f.name != "edge_rows"}


def _same_view(graph: CampaignGraph, **args: object) -> netmap.MapView:
    # every site whatever its status: the reference predates the status filter (tests/queries/test_site_status.py)
    new = netmap.select_view(graph, status="all", **args)  # type: ignore[arg-type]
    old = ref.select_view(graph, **args)  # type: ignore[arg-type]
    assert _fields(new) == _fields(old), args
    assert _without_new_keys(netmap.map_data(graph, new)) == ref.map_data(graph, old), args
    return new


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


# --------------------------------------------------------------------------- fixtures
@pytest.mark.parametrize("build", [acme_graph, payload_graph])
def test_fixture_views_equal_the_reference(build, access: str) -> None:  # type: ignore[no-untyped-def]
    g = build()
    for as_of in AS_OFS:
        _same_view(g, as_of=as_of, coverage_status=False)
        _same_view(g, as_of=as_of, max_nodes=2, coverage_status=False)
        for centre in g.node_ids():
            for hops in (0, 1, 2, 4):
                for cap in (1, 3, 400):
                    _same_view(g, around=centre, hops=hops, max_nodes=cap, as_of=as_of, coverage_status=False)
        for company in g.node_ids("Company"):
            _same_view(g, company=company, as_of=as_of, coverage_status=False)
            _same_view(g, company=company, max_nodes=3, as_of=as_of, coverage_status=False)


def test_acme_views_with_coverage_colours_and_queries_equal_the_reference(access: str) -> None:
    g = acme_graph()
    # worked answer of the reference too: Site A covered (recognised union, CBA in force)
    view = _same_view(g, around="acme", hops=2, as_of="2026-06-30")
    assert view.site_status["site_a"] == "covered"
    _same_view(g, company="Acme Steel Holding", as_of="2026-06-30")
    _same_view(g, company="acme", query="coverage", as_of="2026-06-30")
    _same_view(g, company="acme", query="leverage", as_of="2026-06-30")
    # a name (not an id) still goes through the name index, with the same answer
    assert _same_view(g, around="Acme Brasil", hops=1, coverage_status=False).focus == ["acme_br"]


# --------------------------------------------------------------------------- generated graphs
def test_generated_xs_views_equal_the_reference(xs: CampaignGraph, access: str) -> None:
    for i, centre in enumerate(_centres(xs, 8, seed=1)):
        for hops in (1, 2, 3, 6):
            _same_view(xs, around=centre, hops=hops, max_nodes=(50, 400, 5000)[i % 3],
                       as_of=AS_OFS[i % 3], coverage_status=False)
    for company in random.Random(2).sample(xs.node_ids("Company"), 6):
        _same_view(xs, company=company, as_of="2026-06-30", coverage_status=False)
        _same_view(xs, company=company, max_nodes=20, as_of="2015-06-30", coverage_status=False)
    _same_view(xs, max_nodes=300, as_of="2026-06-30", coverage_status=False)
    _same_view(xs, around=_centres(xs, 0, seed=3)[0], hops=2, as_of="2026-06-30")  # coloured


def test_generated_s_views_equal_the_reference(s_graph: CampaignGraph, access: str) -> None:
    g = s_graph
    for i, centre in enumerate(_centres(g, 0, seed=4)[-3:]):
        view = _same_view(g, around=centre, hops=(3, 5, 8)[i % 3], max_nodes=(2000, 20_000)[i % 2],
                          as_of="2026-06-30", coverage_status=False)
        assert len(view.nodes) + view.omitted_total >= 1
    _same_view(g, max_nodes=1000, as_of="2026-06-30", coverage_status=False)


def _columnar_pair(graph: CampaignGraph, folder: Path) -> tuple[CampaignGraph, CampaignGraph]:
    """(columnar, ordinary) loads of ``graph``'s snapshot; skipped where the loader has no columnar mode."""
    save_snapshot(graph, folder, created="test")
    if "columnar" not in inspect.signature(load_snapshot).parameters:
        pytest.skip("load_snapshot has no columnar mode in this tree")
    return load_snapshot(folder, columnar=True), load_snapshot(folder, columnar=False)  # type: ignore[call-arg]


@pytest.mark.parametrize("build", [acme_graph, "xs", "s"])
def test_columnar_snapshots_give_the_reference_views_without_building_networkx(
    build, request: pytest.FixtureRequest, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    g = build() if callable(build) else request.getfixturevalue({"xs": "xs", "s": "s_graph"}[build])
    col, ordinary = _columnar_pair(g, tmp_path / "snap")
    assert col.is_columnar and columnar_adjacency(col) is not None  # type: ignore[attr-defined]
    small = build != "s"
    centres = _centres(ordinary, 3, seed=6) if small else _centres(ordinary, 0, seed=6)[-2:]
    views: list[dict[str, object]] = [{"max_nodes": 50}]
    views += [{"around": c, "hops": h, "max_nodes": m} for c in centres for h, m in ((1, 400), (3, 60), (6, 5000))]
    views += [{"company": c} for c in ordinary.node_ids("Company")[: 5 if small else 2]]
    for args in views:
        for as_of in ("2015-06-30", "2026-06-30"):
            new = netmap.select_view(col, as_of=as_of, coverage_status=False, status="all", **args)  # type: ignore[arg-type]
            rows = netmap.map_data(col, new)
            old = ref.select_view(ordinary, as_of=as_of, coverage_status=False, **args)  # type: ignore[arg-type]
            assert _fields(new) == _fields(old), args
            assert _without_new_keys(rows) == ref.map_data(ordinary, old), args
    assert col.is_columnar  # type: ignore[attr-defined]  # nothing built networkx


# --------------------------------------------------------------------------- the capped default map in the browser
@pytest.mark.browser
def test_capped_default_map_of_a_columnar_graph_settles_in_chromium_and_says_what_was_cut(
    xs: CampaignGraph, tmp_path: Path, offline_page  # type: ignore[no-untyped-def]
) -> None:
    """The default cap (400 nodes) on a neighbourhood far larger than it: the page draws every kept
    node, runs the fewer physics iterations a map that size gets (100), freezes, and the note
    counts what was left out. Timings are in benchmarks/, not here."""
    col, _ordinary = _columnar_pair(xs, tmp_path / "snap")
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
