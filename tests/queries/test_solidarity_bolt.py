"""solidarity over Bolt gives the in-memory answer: the union's component, fetched in Cypher,
holds its federations, their networks and affiliates, and the agreements with their signatories.

Graphs: the issue's hand-worked fixture and the seeded random union graphs of
``test_solidarity.py`` (fictional), each pushed to the session's server (ArcadeDB, or Neo4j
with NEO4J_URI); also the CLI with a ``bolt://`` SNAPSHOT against the same snapshot.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from exports.cli.main import cli
from graphmodel.stores.snapshot import save_snapshot
from queries import connections as con
from queries import cypher
from tests.neo4j.test_cypher_queries import canonical, push, same  # noqa: F401  (push: pytest fixture)
from tests.queries.test_solidarity import AS_OF, DATES, issue_graph, random_union_graph

pytestmark = pytest.mark.bolt


def test_the_issue_case_over_bolt(push) -> None:  # noqa: F811
    g = canonical(issue_graph())
    store = push(g)
    for day in ("2018-06-01", "2019-06-01", AS_OF):
        for u in g.node_ids("Union"):
            same(cypher.solidarity(store, u, as_of=day), con.solidarity(g, u, as_of=day))
    # by name, as the CLI passes it: resolved on the server first
    df = cypher.solidarity(store, "Riverside Steelworkers", as_of=AS_OF)
    same(df, con.solidarity(g, "ux", as_of=AS_OF))
    assert set(df["relation"]) == {"network", "federation"}
    assert "the union's component" in df.attrs["backend"]


@pytest.mark.parametrize("seed", range(3))
def test_random_union_graphs_over_bolt(push, seed: int) -> None:  # noqa: F811
    g = canonical(random_union_graph(seed))
    store = push(g)
    for u in g.node_ids("Union"):
        for day in DATES[1:]:
            same(cypher.solidarity(store, u, as_of=day), con.solidarity(g, u, as_of=day))


def test_cli_with_a_bolt_uri(bolt_server, bolt_db, tmp_path) -> None:
    snap = tmp_path / "issue"
    save_snapshot(issue_graph(), snap)
    runner = CliRunner()
    conn = ["--user", bolt_server.user, "--database", bolt_db]
    pushed = runner.invoke(cli, ["push", str(snap), "--uri", bolt_server.uri, *conn])
    assert pushed.exit_code == 0, pushed.output
    for union in ("Riverside Steelworkers", "Northern Metalworkers"):
        args = [union, "--as-of", AS_OF, "--format", "json"]
        local = runner.invoke(cli, ["solidarity", str(snap), *args])
        remote = runner.invoke(cli, ["solidarity", bolt_server.uri, *args, *conn])
        assert local.exit_code == 0 and remote.exit_code == 0, (local.output, remote.output)
        assert remote.output == local.output
        assert '"relation": "federation"' in local.output
