"""Differential tests: ``connections`` gives exactly the DataFrame of the code before the speed work.

``tests/queries/connections_reference.py`` keeps the old walk (networkx edge views, a frozenset
per checked link) verbatim. Same paths, same order, same explanations and evidence, on the
hand-built fictional fixture of ``test_connections.py`` and on generated fictional graphs
(``benchmarks.generate`` XS and S), both reading networkx's dicts and reading the graph's
``out_edges`` / ``in_edges`` (the way in for a columnar snapshot).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import queries.connections as conn
from graphmodel.graph import CampaignGraph
from queries.adjacency import columnar_adjacency
from tests.queries import connections_reference as ref
from tests.queries.test_connections import graph as fixture_graph  # noqa: F401  (pytest fixture)


@pytest.fixture(params=["networkx dicts", "read methods"])
def access(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param == "read methods":
        monkeypatch.setattr(conn, "networkx_if_built", lambda graph: None)
    yield request.param


def _same(graph: CampaignGraph, a: str, b: str, **args: object) -> pd.DataFrame:
    new = conn.connections(graph, a, b, **args)  # type: ignore[arg-type]
    old = ref.connections(graph, a, b, **args)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(new, old)
    return new


def test_fixture_paths_equal_the_reference(fixture_graph: CampaignGraph, access: str) -> None:  # noqa: F811
    g = fixture_graph
    ids = g.node_ids()
    found = 0
    arg_sets = ({"k": 5}, {"max_hops": 2, "k": 2}, {"as_of": "2019-01-01", "k": 4},
                {"kinds": ["REPRESENTS", "OPERATES", "OWNS", "HOLDS_ROLE"], "k": 3})
    for i, a in enumerate(ids):
        for j, b in enumerate(ids):
            if a != b:
                found += len(_same(g, a, b, **arg_sets[(i + j) % len(arg_sets)]))
    assert found > 100


def _pairs(graph: CampaignGraph, n: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    ids = graph.node_ids()
    sites = graph.node_ids("Site")
    pairs = [(rng.choice(ids), rng.choice(ids)) for _ in range(n)]
    pairs += [(rng.choice(sites), rng.choice(sites)) for _ in range(n)]
    return [(a, b) for a, b in pairs if a != b]


def test_generated_xs_paths_equal_the_reference(xs: CampaignGraph, access: str) -> None:
    found = 0
    for i, (a, b) in enumerate(_pairs(xs, 15, seed=1)):
        args = ({}, {"k": 6}, {"max_hops": 3}, {"as_of": "2012-01-01"}, {"kinds": ["OWNS", "OPERATES", "SUPPLIES"]})[i % 5]
        found += len(_same(xs, a, b, **args))
    assert found > 20


def test_generated_s_paths_equal_the_reference(s_graph: CampaignGraph, access: str) -> None:
    found = 0
    for i, (a, b) in enumerate(_pairs(s_graph, 5, seed=2)):
        found += len(_same(s_graph, a, b, k=(3, 5)[i % 2], as_of="2026-06-30"))
    assert found > 5


def _columnar_pair(graph: CampaignGraph, folder: Path) -> tuple[CampaignGraph, CampaignGraph]:
    """(columnar, ordinary) loads of ``graph``'s snapshot; skipped where the loader has no columnar mode."""
    from graphmodel.stores.snapshot import load_snapshot, save_snapshot

    save_snapshot(graph, folder, created="test")
    try:
        col = load_snapshot(folder, columnar=True)  # type: ignore[call-arg]
    except TypeError:
        pytest.skip("load_snapshot has no columnar mode in this tree")
    return col, load_snapshot(folder, columnar=False)  # type: ignore[call-arg]


def test_columnar_snapshot_paths_equal_the_reference_without_building_networkx(
    s_graph: CampaignGraph, fixture_graph: CampaignGraph, tmp_path: Path  # noqa: F811
) -> None:
    found = 0
    for name, g in (("fixture", fixture_graph), ("s", s_graph)):
        col, ordinary = _columnar_pair(g, tmp_path / name)
        assert col.is_columnar  # type: ignore[attr-defined]
        assert columnar_adjacency(col) is not None  # the numpy path runs, not a fallback
        pairs = _pairs(ordinary, 6, seed=3) + [("ua", "z"), ("ua", "sq"), ("p", "net")] * (name == "fixture")
        for i, (a, b) in enumerate(pairs):
            args = ({}, {"k": 5}, {"as_of": "2019-01-01"}, {"kinds": ["OWNS", "OPERATES", "REPRESENTS", "HOLDS_ROLE"]})[i % 4]
            new = conn.connections(col, a, b, **args)  # type: ignore[arg-type]
            pd.testing.assert_frame_equal(new, ref.connections(ordinary, a, b, **args))  # type: ignore[arg-type]
            found += len(new)
        assert col.is_columnar  # type: ignore[attr-defined]  # the walk never built networkx
    assert found > 10


def test_parallel_edges_pick_the_same_explaining_edge_on_every_path(tmp_path: Path) -> None:
    """Two nodes joined by several edges: the hop is explained by the lowest kind rank, then the
    lowest edge id (here OWNS before SUPPLIES, then 'OWNS:a->b@2000-01-01' before '...@2010-01-01'),
    on networkx, through the read methods, and on a columnar load."""
    g = CampaignGraph()
    for i, name in (("a", "Acme Steel"), ("b", "Beta Mining"), ("c", "Gamma Metals")):
        g.add_node(i, "Company", name)
    g.add_edge("a", "b", "OWNS", share=10, valid_from="2010-01-01")
    g.add_edge("a", "b", "OWNS", share=30, valid_from="2000-01-01")
    g.add_edge("b", "a", "SUPPLIES")
    g.add_edge("b", "c", "SUPPLIES", valid_to="2005-12-31")
    g.add_edge("c", "b", "OWNS", share=5)
    expected = "Acme Steel OWNS 30% OF Beta Mining; Beta Mining is 5% OWNED BY Gamma Metals"
    assert conn.connections(g, "a", "c", as_of="2020-01-01").loc[0, "explanation"] == expected
    assert conn.connections(g, "a", "c", as_of="2020-01-01").loc[0, "evidence"] == ["OWNS:a->b@2000-01-01", "OWNS:c->b"]
    col, ordinary = _columnar_pair(g, tmp_path / "snap")
    for as_of in ("2001-06-30", "2004-01-01", "2020-01-01"):
        for kinds in (None, ["SUPPLIES", "OWNS"], ["SUPPLIES"]):
            new = conn.connections(col, "a", "c", as_of=as_of, kinds=kinds, k=4)
            pd.testing.assert_frame_equal(new, ref.connections(ordinary, "a", "c", as_of=as_of, kinds=kinds, k=4))
            pd.testing.assert_frame_equal(new, ref.connections(g, "a", "c", as_of=as_of, kinds=kinds, k=4))
