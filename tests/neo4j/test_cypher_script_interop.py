"""The Cypher script exporter and the Neo4j store share one layout: running the exported
script on a server and pulling gives the graph back."""

from __future__ import annotations

import pytest

from exports.formats.cypher import statements
from graphmodel.stores.neo4j import Neo4jStore
from tests.neo4j.graphs import acme_graph

pytestmark = pytest.mark.bolt


def test_exported_cypher_script_then_pull_gives_the_graph_back(bolt_server, bolt_db):
    g = acme_graph()
    g.add_node("evil", "Company", "x' WITH true AS x MATCH (n) DETACH DELETE n //")
    with Neo4jStore(bolt_server.uri, user=bolt_server.user, password=bolt_server.password, database=bolt_db) as store:
        for stmt in statements(g):
            if stmt.startswith("//"):
                continue
            store._write_checked(stmt.rstrip().rstrip(";"), [])
        back = store.read()
    assert back.canonical()["nodes"] == g.canonical()["nodes"]
    assert back.canonical()["edges"] == g.canonical()["edges"]
    assert back == g
