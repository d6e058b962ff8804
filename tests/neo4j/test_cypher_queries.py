"""Differential tests: every server-side query returns the same DataFrame as the in-memory one.

Graphs: the hand-built fixtures of the query tests (imported from them, so both backends
are held to the same worked examples), the fictional Acme graph, seeded random ownership
graphs, and the seeded synthetic graph of ``benchmarks/generate.py`` (size XS).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.stores.neo4j import Neo4jStore
from queries import connections as con
from queries import coverage as cov
from queries import cypher, ownership
from queries import leverage as lev
from tests.neo4j.graphs import acme_graph, random_graph
from tests.queries import test_connections, test_coverage, test_leverage

pytestmark = pytest.mark.bolt

AS_OF = "2024-06-30"


def _fixture(f):
    return f.__wrapped__()  # a pytest fixture function of the query tests, called directly


def canonical(g: CampaignGraph) -> CampaignGraph:
    """``g`` in the order a snapshot of it loads (nodes and edges by id).

    The in-memory rules break some ties in iteration order, so both backends are compared
    on the order every snapshot has; the server side sorts what it fetches the same way.
    """
    out = CampaignGraph()
    out.sources = dict(sorted(g.sources.items()))
    out.bulk_add(sorted((n, dict(a)) for n, a in g.nx.nodes(data=True)),
                 sorted(((u, v, k, dict(a)) for u, v, k, a in g.nx.edges(keys=True, data=True)), key=lambda e: e[2]))
    assert out == g
    return out


def same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False)


@pytest.fixture
def push(bolt_server, bolt_db):
    stores = []

    def _push(graph):
        store = Neo4jStore(bolt_server.uri, user=bolt_server.user, password=bolt_server.password, database=bolt_db)
        store.write(graph, prune=True, verify=False)
        stores.append(store)
        return store

    yield _push
    for s in stores:
        s.close()


def test_group_and_ultimate_parent_on_the_coverage_fixture(push):
    g = canonical(test_coverage.base())
    store = push(g)
    for rule, threshold in (("control", 50.0), ("effective", 10.0)):
        for members in ("all", "known"):
            same(cypher.group(store, "acme", rule=rule, threshold=threshold, members=members, as_of=AS_OF),
                 ownership.group(g, "acme", rule=rule, threshold=threshold, members=members, as_of=AS_OF))
    for node in ("brasil", "jv", "acme", "minor"):
        assert cypher.ultimate_parent(store, node, as_of=AS_OF) == ownership.ultimate_parent(g, node, as_of=AS_OF)
    assert cypher.effective_stakes(store, "acme", as_of=AS_OF) == ownership.effective_stakes(g, "acme", as_of=AS_OF)
    df = cypher.group(store, "acme", as_of=AS_OF)
    assert "selected in Cypher" in df.attrs["backend"]


def test_coverage_on_the_coverage_fixtures(push, bolt_server, bolt_db):
    g = canonical(test_coverage.base())
    store = push(g)
    for company in ("acme", "partner"):
        same(cypher.coverage(store, company, as_of=AS_OF), cov.coverage(g, company, as_of=AS_OF))
    same(cypher.coverage(store, None, as_of=AS_OF), cov.coverage(g, None, as_of=AS_OF))
    cba = canonical(test_coverage._cba_graph())
    store = push(cba)
    root = min(cba.node_ids("Company"))
    for day in ("2020-01-01", AS_OF, "2030-01-01"):
        same(cypher.coverage(store, root, as_of=day), cov.coverage(cba, root, as_of=day))


def test_leverage_on_the_leverage_fixture(push):
    g = canonical(_fixture(test_leverage.graph))
    store = push(g)
    root = "Acme Holding"  # a name, as the leverage tests pass it
    mem = lev.leverage(g, root, as_of=test_leverage.AS_OF)
    srv = cypher.leverage(store, root, as_of=test_leverage.AS_OF)
    same(srv, mem)
    assert len(mem) > 0
    assert "in memory" in srv.attrs["centrality"]


def test_connections_and_solidarity_on_the_connections_fixture(push):
    g = canonical(_fixture(test_connections.graph))
    store = push(g)
    ids = sorted(g.node_ids())
    pairs = [(ids[i], ids[-1 - i]) for i in range(min(3, len(ids) // 2))]
    for a, b in pairs:
        for hops in (2, 6):
            same(cypher.connections(store, a, b, max_hops=hops, k=3, as_of=AS_OF),
                 con.connections(g, a, b, max_hops=hops, k=3, as_of=AS_OF))
    for u in g.node_ids("Union"):
        same(cypher.solidarity(store, u, as_of=AS_OF), con.solidarity(g, u, as_of=AS_OF))


def test_queries_on_the_acme_graph_and_resolve_by_name(push):
    g = canonical(acme_graph())
    store = push(g)
    assert cypher.resolve(store, "Acme Steel S.A.", "Company") == g.resolve("Acme Steel S.A.", "Company") == "acme"
    with pytest.raises(CampaignGraphError, match="no Company matches"):
        cypher.resolve(store, "Nonexistent Holdings", "Company")
    same(cypher.coverage(store, "acme", as_of=AS_OF), cov.coverage(g, "acme", as_of=AS_OF))
    same(cypher.leverage(store, "acme", as_of=AS_OF), lev.leverage(g, "acme", as_of=AS_OF))
    same(cypher.connections(store, "Site A", "Beta Metals plc", as_of=AS_OF),
         con.connections(g, "Site A", "Beta Metals plc", as_of=AS_OF))


@pytest.mark.parametrize("seed", [11, 12])
def test_random_ownership_graphs(push, seed):
    g = canonical(random_graph(seed))
    store = push(g)
    for root in ("c0", "c3", "c7"):
        for rule in ("control", "effective"):
            same(cypher.group(store, root, rule=rule, threshold=25.0), ownership.group(g, root, rule=rule, threshold=25.0))
        same(cypher.coverage(store, root), cov.coverage(g, root))
    for node in ("c5", "c11", "c20"):
        assert cypher.ultimate_parent(store, node) == ownership.ultimate_parent(g, node)
    same(cypher.connections(store, "s1", "s2", max_hops=4, k=5), con.connections(g, "s1", "s2", max_hops=4, k=5))


def test_generated_graph(push, tmp_path: Path):
    from benchmarks.generate import generate
    from loaders.registry import load_paths

    generate(tmp_path / "xs", "XS", seed=3, groups=3)
    g, _ctx = load_paths([tmp_path / "xs"])
    g = canonical(g)
    store = push(g)
    roots = sorted(n for n in g.node_ids("Company") if not g.in_edges(n, "OWNS"))[:2]
    assert roots
    for root in roots:
        same(cypher.group(store, root, as_of=AS_OF), ownership.group(g, root, as_of=AS_OF))
        same(cypher.coverage(store, root, as_of=AS_OF), cov.coverage(g, root, as_of=AS_OF))
        same(cypher.leverage(store, root, as_of=AS_OF), lev.leverage(g, root, as_of=AS_OF))
    same(cypher.coverage(store, None, as_of=AS_OF), cov.coverage(g, None, as_of=AS_OF))


def test_leverage_finds_a_network_named_by_property_only(push):
    g = acme_graph()
    g.add_node("net", "UnionNetwork", "Acme World Union Network", company="acme")
    g.add_node("u9", "Union", "Far Away Union")
    g.add_edge("u9", "net", "MEMBER_OF")  # u9 and the network touch the group by no edge
    g = canonical(g)
    store = push(g)
    mem = lev.leverage(g, "acme", as_of=AS_OF)
    assert "u9" in set(mem["node_id"])
    same(cypher.leverage(store, "acme", as_of=AS_OF), mem)
