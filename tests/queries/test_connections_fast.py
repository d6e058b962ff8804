"""``connections`` checked against networkx (no copy of the production code).

The oracle is the undirected simple graph of the edges of the asked kinds valid on the day (two
nodes joined by several edges are one hop), built with networkx from ``graph.edges``; its simple
paths (``nx.all_simple_paths`` on small graphs, ``nx.shortest_simple_paths`` on generated ones)
must be the answer: the same lengths, every path shorter than the k-th one, only real paths, in
the documented order (length, then node names). Each hop's evidence is an edge of that hop, of an
asked kind, valid on the day. Graphs: the hand-built fictional fixture of ``test_connections.py``,
seeded random fictional graphs and generated XS/S graphs; each held in networkx (read through
``out_edges``/``in_edges``) and in columns (walked on ``graph.adjacency()``, networkx never built).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

import queries.connections as conn
from graphmodel.graph import CampaignGraph
from graphmodel.stores.snapshot import load_snapshot, save_snapshot
from tests.queries.random_graphs import random_campaign_graph
from tests.queries.test_connections import graph as fixture_graph  # noqa: F401  (pytest fixture)

TODAY = "2026-06-30"


_ORACLES: dict[tuple[int, tuple[str, ...], str], tuple[CampaignGraph, nx.Graph]] = {}


def oracle_graph(graph: CampaignGraph, kinds: list[str] | None, as_of: str) -> nx.Graph:
    """Undirected simple graph of the ``kinds`` edges valid on ``as_of``, each pair keeping its edges (cached)."""
    key = (id(graph), tuple(kinds or conn.DEFAULT_PATH_KINDS), as_of)
    if key in _ORACLES and _ORACLES[key][0] is graph:
        return _ORACLES[key][1]
    u_graph = nx.Graph()
    for eid, u, v, _a in graph.edges(list(key[1]), as_of=as_of):
        if u_graph.has_edge(u, v):
            u_graph[u][v]["eids"].add(eid)
        else:
            u_graph.add_edge(u, v, eids={eid})
    _ORACLES[key] = (graph, u_graph)
    return u_graph


def check(graph: CampaignGraph, a: str, b: str, *, exhaustive: bool = True, **args: object) -> pd.DataFrame:
    """``connections(graph, a, b, **args)`` against the networkx oracle; returns the answer."""
    args.setdefault("as_of", TODAY)
    got = conn.connections(graph, a, b, **args)  # type: ignore[arg-type]
    k, max_hops = int(args.get("k", 3)), int(args.get("max_hops", 6))  # type: ignore[call-overload]
    og = oracle_graph(graph, args.get("kinds"), str(args["as_of"]))  # type: ignore[arg-type]
    paths: list[list[str]] = []
    if a in og and b in og and nx.has_path(og, a, b):
        if exhaustive:
            paths = list(nx.all_simple_paths(og, a, b, cutoff=max_hops))
        else:  # Yen's algorithm, shortest first: enough to know the first k lengths
            paths = [p for p in itertools.islice(nx.shortest_simple_paths(og, a, b), k) if len(p) - 1 <= max_hops]
    want_hops = sorted(len(p) - 1 for p in paths)[:k]
    assert got["hops"].tolist() == want_hops, (a, b, args)
    got_paths = [tuple(p) for p in got["nodes"]]
    assert len(set(got_paths)) == len(got_paths)
    for p, eids in zip(got["nodes"], got["evidence"]):
        assert p[0] == a and p[-1] == b and len(set(p)) == len(p)
        assert len(eids) == len(p) - 1
        for x, y, e in zip(p, p[1:], eids):
            assert og.has_edge(x, y) and e in og[x][y]["eids"], (x, y, e)
    if exhaustive and want_hops:
        longest = want_hops[-1]
        every = {tuple(p) for p in paths}
        assert set(got_paths) <= every
        assert {p for p in every if len(p) - 1 < longest} <= set(got_paths)
    order = [(len(p), tuple(graph.name_of(n).casefold() for n in p), tuple(p)) for p in got["nodes"]]
    assert order == sorted(order)
    assert got["rank"].tolist() == list(range(1, len(got) + 1))
    return got


def test_fixture_paths_equal_networkx_simple_paths(
    fixture_graph: CampaignGraph, layout: Callable[[CampaignGraph], CampaignGraph]  # noqa: F811
) -> None:
    g = layout(fixture_graph)
    ids = g.node_ids()
    found = 0
    arg_sets = ({"k": 5}, {"max_hops": 2, "k": 2}, {"as_of": "2019-01-01", "k": 4},
                {"kinds": ["REPRESENTS", "OPERATES", "OWNS", "HOLDS_ROLE"], "k": 3})
    for i, a in enumerate(ids):
        for j, b in enumerate(ids):
            if a != b:
                found += len(check(g, a, b, **arg_sets[(i + j) % len(arg_sets)]))
    assert found > 100


def _pairs(graph: CampaignGraph, n: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    ids = graph.node_ids()
    sites = graph.node_ids("Site")
    pairs = [(rng.choice(ids), rng.choice(ids)) for _ in range(n)]
    pairs += [(rng.choice(sites), rng.choice(sites)) for _ in range(n)]
    return [(a, b) for a, b in pairs if a != b]


@pytest.mark.parametrize("seed", range(3))
def test_random_graph_paths_equal_networkx_simple_paths(seed: int) -> None:
    g = random_campaign_graph(seed, companies=10, sites=12)
    found = 0
    for i, (a, b) in enumerate(_pairs(g, 25, seed=seed)):
        args = ({"max_hops": 3, "k": 4}, {"max_hops": 4, "as_of": "2019-01-01"}, {"kinds": ["OWNS", "OPERATES"], "k": 6})[i % 3]
        found += len(check(g, a, b, **args))
    assert found > 20


def test_generated_xs_paths_equal_networkx_shortest_paths(
    xs: CampaignGraph, layout: Callable[[CampaignGraph], CampaignGraph]
) -> None:
    xs = layout(xs)
    found = 0
    for i, (a, b) in enumerate(_pairs(xs, 15, seed=1)):
        args = ({}, {"k": 6}, {"max_hops": 3}, {"as_of": "2012-01-01"}, {"kinds": ["OWNS", "OPERATES", "SUPPLIES"]})[i % 5]
        found += len(check(xs, a, b, exhaustive=False, **args))
    assert found > 20


def test_generated_s_paths_equal_networkx_shortest_paths(
    s_graph: CampaignGraph, layout: Callable[[CampaignGraph], CampaignGraph]
) -> None:
    s_graph = layout(s_graph)
    found = 0
    for i, (a, b) in enumerate(_pairs(s_graph, 5, seed=2)):
        found += len(check(s_graph, a, b, exhaustive=False, k=(3, 5)[i % 2]))
    assert found > 5


def _columnar_pair(graph: CampaignGraph | None, folder: Path) -> tuple[CampaignGraph, CampaignGraph]:
    """(columnar, ordinary) loads of ``graph``'s snapshot (``None``: already saved in ``folder``)."""
    if graph is not None:
        save_snapshot(graph, folder, created="test")
    return load_snapshot(folder, columnar=True), load_snapshot(folder, columnar=False)


def test_columnar_snapshot_paths_equal_the_networkx_layout_without_building_networkx(
    s_snapshot: Path, fixture_graph: CampaignGraph, tmp_path: Path  # noqa: F811
) -> None:
    found = 0
    for name, g, folder in (("fixture", fixture_graph, tmp_path / "fixture"), ("s", None, s_snapshot)):
        col, ordinary = _columnar_pair(g, folder)
        assert col.is_columnar  # type: ignore[attr-defined]
        assert col.adjacency() is not None  # the numpy path runs, not a fallback
        pairs = _pairs(ordinary, 6, seed=3) + [("ua", "z"), ("ua", "sq"), ("p", "net")] * (name == "fixture")
        for i, (a, b) in enumerate(pairs):
            args = ({}, {"k": 5}, {"as_of": "2019-01-01"}, {"kinds": ["OWNS", "OPERATES", "REPRESENTS", "HOLDS_ROLE"]})[i % 4]
            args.setdefault("as_of", TODAY)
            new = conn.connections(col, a, b, **args)  # type: ignore[arg-type]
            pd.testing.assert_frame_equal(new, check(ordinary, a, b, exhaustive=name == "fixture", **args))
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
    # worked: before 2005-12-31 a-b-c has two ways through b-c (SUPPLIES, OWNS); one path either way
    col, ordinary = _columnar_pair(g, tmp_path / "snap")
    for as_of in ("2001-06-30", "2004-01-01", "2020-01-01"):
        for kinds in (None, ["SUPPLIES", "OWNS"], ["SUPPLIES"]):
            new = conn.connections(col, "a", "c", as_of=as_of, kinds=kinds, k=4)
            pd.testing.assert_frame_equal(new, check(ordinary, "a", "c", as_of=as_of, kinds=kinds, k=4))
            pd.testing.assert_frame_equal(new, check(g, "a", "c", as_of=as_of, kinds=kinds, k=4))
            want = 0 if kinds == ["SUPPLIES"] and as_of == "2020-01-01" else 1
            assert len(new) == want, (as_of, kinds)
