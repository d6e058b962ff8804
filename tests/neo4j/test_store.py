"""Push to and pull from a real Bolt server (ArcadeDB here, Neo4j with NEO4J_URI)."""

from __future__ import annotations

import pytest

from graphmodel.errors import CampaignGraphError
from graphmodel.stores.neo4j import Neo4jStore
from tests.neo4j.graphs import acme_graph, random_graph

pytestmark = pytest.mark.bolt


@pytest.fixture
def store(bolt_server, bolt_db):
    s = Neo4jStore(bolt_server.uri, user=bolt_server.user, password=bolt_server.password, database=bolt_db,
                   batch_size=4)
    yield s
    s.close()


def test_push_pull_round_trip_gives_an_equal_graph(store):
    g = acme_graph()
    report = store.write(g)
    assert report.counts_match and report.extra_on_server == []
    assert report.hash_matches is True
    back = store.read()
    assert back == g
    # property types survive: lists, floats, ints, bools, dates as strings
    a = back.node("site-a")
    assert a["lat"] == -20.1 and isinstance(a["workforce"], int) and a["precarious_share"] == 35.5
    assert back.node("acme")["aliases"] == ["Acme", "Acme Steel"] and back.node("acme")["listed"] is True
    assert back.node("br")["national_action_plan"] is False
    _, _, e = back.edge("OWNS:acme->acme-br@2010-01-01")
    assert e["share"] == 100.0 and isinstance(e["share"], float) and e["valid_from"] == "2010-01-01"
    assert back.sources["s2"].confidential is True and back.sources["s1"].licence == "CC BY 4.0"


def test_server_counts_after_push(store):
    g = acme_graph()
    report = store.write(g)
    # 11 nodes in 8 kinds, 12 edges, 2 sources: the server says the same
    assert report.server_counts["nodes"] == {"Agreement": 2, "Company": 4, "Country": 1, "Person": 1, "Site": 2,
                                             "Union": 1}
    assert sum(report.server_counts["edges"].values()) == 12
    assert report.server_counts["sources"] == {"Source": 2}
    # batches of 4 rows: 1 source batch, 6 node kinds (one has 4 rows), 11 edge groups
    assert report.batches == len(store.plan(g))


def test_push_twice_leaves_the_database_unchanged(store):
    g = acme_graph()
    first = store.write(g)
    second = store.write(g)
    assert first.content_hash == second.content_hash == g.content_hash()
    assert second.server_counts == first.server_counts


def test_re_push_writes_only_the_rows_that_differ(store):
    g = acme_graph()  # 2 sources, 11 nodes, 12 edges
    first = store.write(g, verify=False)
    assert (first.rows.get("sources"), first.rows.get("nodes"), first.rows.get("edges")) == (2, 11, 12)
    assert first.rows["unchanged"] == 0
    assert store.write(g).rows["unchanged"] == 0  # the default writes every row again
    again = store.write(g, skip_unchanged=True)
    assert again.batches == 0 and again.rows["unchanged"] == 25
    assert again.hash_matches is True

    newer = acme_graph()
    newer.nx.nodes["site-a"]["workforce"] = 1100
    newer.nx.edges["acme", "acme-br", "OWNS:acme->acme-br@2010-01-01"]["share"] = 99.0
    changed = store.write(newer, skip_unchanged=True)
    assert (changed.rows.get("sources", 0), changed.rows.get("nodes"), changed.rows.get("edges")) == (0, 1, 1)
    assert changed.rows["unchanged"] == 23
    assert changed.hash_matches is True and store.read() == newer

    rewrite = store.write(newer)
    assert rewrite.rows["unchanged"] == 0 and rewrite.rows["nodes"] == 11 and rewrite.rows["edges"] == 12
    assert rewrite.hash_matches is True


def test_newer_snapshot_updates_properties_and_prune_removes_what_is_gone(store):
    g = acme_graph()
    store.write(g)
    newer = acme_graph()
    newer.nx.nodes["site-a"]["workforce"] = 1100  # changed
    del newer.nx.nodes["site-a"]["precarious_share"]  # now unknown
    newer.remove_node("site-b")  # gone with its OPERATES and SUPPLIES edges
    del newer.sources["s2"]
    for n in ("u1", "p1"):
        newer.nx.nodes[n]["sources"] = ["s1"]
    for eid in ("REPRESENTS:u1->site-a", "HOLDS_ROLE:p1->u1"):
        u, v, _ = newer.edge(eid)
        newer.nx.edges[u, v, eid]["sources"] = ["s1"]

    without_prune = store.write(newer)
    assert store.read().node("site-a")["workforce"] == 1100
    assert "precarious_share" not in store.read().node("site-a")
    assert "Site nodes: server has 1 more than the snapshot" in without_prune.extra_on_server
    assert without_prune.hash_matches is False

    pruned = store.write(newer, prune=True)
    assert (pruned.pruned_sources, pruned.pruned_nodes) == (1, 1)
    assert pruned.pruned_edges == 2  # OPERATES acme-jv->site-b and SUPPLIES site-a->site-b
    assert pruned.extra_on_server == [] and pruned.hash_matches is True
    assert store.read() == newer


def test_random_graphs_round_trip(store):
    for seed in (1, 2):
        g = random_graph(seed)
        report = store.write(g, prune=True)
        assert report.hash_matches is True, seed
        assert store.read() == g


def test_cypher_injection_in_a_name_is_stored_verbatim(store):
    g = acme_graph()
    evil = "x' WITH true AS x MATCH (n) DETACH DELETE n //"
    g.add_node("evil", "Company", evil, aliases=['`) DETACH DELETE n //', "\"}) MATCH (m) DELETE m"])
    g.add_edge("evil", "acme", "OWNS", share=1.0)
    before = g.counts_by_kind()
    store.write(g)
    back = store.read()
    assert back.name_of("evil") == evil
    assert back.counts_by_kind() == before
    assert back == g


def test_hand_made_database_with_unknown_property_is_refused_by_name(store):
    store.connect()
    store._write("UNWIND $rows AS r CREATE (n:Company {id: r.id, name: r.id, colour: 'red'})", [{"id": "x1"}])
    with pytest.raises(CampaignGraphError, match="Company x1: property 'colour' is not in the schema"):
        store.read()


def test_hand_made_edge_without_id_gets_the_stable_id(store):
    store.connect()
    store._write("UNWIND $rows AS r CREATE (:Company {id: 'a', name: 'Acme'})-[:OWNS {share: 60}]->"
                 "(:Company {id: 'b', name: 'Acme Sub'})", [{}])
    back = store.read()
    u, v, attrs = back.edge("OWNS:a->b")
    assert (u, v) == ("a", "b") and attrs["share"] == 60.0 and isinstance(attrs["share"], float)


def test_push_redact_leaves_people_and_sensitive_fields_off_the_server(bolt_server, bolt_db, tmp_path):
    from click.testing import CliRunner

    from exports.cli.main import cli
    from graphmodel.stores.snapshot import save_snapshot

    save_snapshot(acme_graph(), tmp_path / "snap")
    conn = ["--uri", bolt_server.uri, "--user", bolt_server.user, "--database", bolt_db]
    plain = CliRunner().invoke(cli, ["push", str(tmp_path / "snap"), *conn])
    assert plain.exit_code == 0 and "note: pushing 1 Person record(s)" in plain.output
    result = CliRunner().invoke(cli, ["push", str(tmp_path / "snap"), *conn, "--redact", "--prune"])
    assert result.exit_code == 0, result.output
    with Neo4jStore(bolt_server.uri, user=bolt_server.user, password=bolt_server.password, database=bolt_db) as s:
        back = s.read()
    assert back.node_ids("Person") == [] and not back.has_edge("HOLDS_ROLE:p1->u1")
    assert "email" not in back.node("u1")  # a sensitive property
    assert "members" not in back.edge("REPRESENTS:u1->site-a")[2]
    assert "s2" not in back.sources  # the confidential source
