"""The server backend on the query commands gives the same output as the snapshot.

The one rule (docs/neo4j-reference.md): on every query command SNAPSHOT may be a ``bolt://`` /
``neo4j://`` URI instead of a folder, with ``--database`` / ``--user`` and the password from
``NEO4J_PASSWORD``; ``coverage`` also keeps ``--backend neo4j --uri URI``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from exports.cli.main import cli
from exports.cli.neo4j_cmds import is_bolt_uri
from graphmodel.stores.snapshot import save_snapshot
from tests.neo4j.graphs import acme_graph

AS_OF = ["--as-of", "2024-06-30"]

#: (command, arguments after SNAPSHOT, a text the answer must contain: a worked-out fact of acme_graph)
URI_CASES = [
    ("group", ["Acme Steel SA", *AS_OF, "--format", "json"], '"acme-br"'),
    ("group", ["acme", *AS_OF, "--rule", "effective", "--threshold", "40", "--format", "csv"], "acme-jv"),
    ("parent", ["Acme Steel Brasil Ltda", *AS_OF, "--format", "json"], '"ultimate_parent": "acme"'),
    ("parent", ["Acme-Beta JV", *AS_OF], "ultimate parent"),
    ("leverage", ["--company", "Acme Steel SA", *AS_OF, "--format", "json"], '"category"'),
    ("path", ["Metalworkers Union of Site A", "Beta Metals plc", *AS_OF, "--format", "json"], "Beta Metals plc"),
    ("path", ["Site A", "Acme Steel SA", "--max-hops", "2", "-k", "1", *AS_OF, "--format", "csv"], "Acme Steel"),
    ("solidarity", ["Metalworkers Union of Site A", *AS_OF, "--format", "json"], "["),
    ("calendar", ["Acme Steel SA", *AS_OF, "--format", "json"], "cba1"),
    ("coverage", ["--company", "Acme Steel SA", *AS_OF, "--format", "json"], '"site-a"'),
]


def test_is_bolt_uri():
    assert is_bolt_uri("bolt://localhost:7687") and is_bolt_uri("neo4j+s://x.databases.neo4j.io")
    assert is_bolt_uri("BOLT://h:1")
    assert not is_bolt_uri("out/sample.snapshot") and not is_bolt_uri("bolt.snapshot") and not is_bolt_uri(None)


@pytest.mark.bolt
def test_every_query_command_takes_a_bolt_uri_as_snapshot(bolt_server, bolt_db, tmp_path: Path):
    snap = tmp_path / "acme"
    save_snapshot(acme_graph(), snap)
    runner = CliRunner()
    conn = ["--user", bolt_server.user, "--database", bolt_db]
    pushed = runner.invoke(cli, ["push", str(snap), "--uri", bolt_server.uri, *conn])
    assert pushed.exit_code == 0, pushed.output
    again = runner.invoke(cli, ["push", str(snap), "--uri", bolt_server.uri, *conn, "--skip-unchanged"])
    assert again.exit_code == 0, again.output
    assert "pushed 11 nodes, 12 edges, 2 sources" in again.output and "in 0 batches" in again.output
    assert "25 rows were on the server already, unchanged: not written again" in again.output
    for name, rest, fact in URI_CASES:
        local = runner.invoke(cli, [name, str(snap), *rest])
        remote = runner.invoke(cli, [name, bolt_server.uri, *rest, *conn])
        assert local.exit_code == 0, (name, rest, local.output)
        assert remote.exit_code == 0, (name, rest, remote.output)
        assert remote.output == local.output, (name, rest)
        assert fact in local.output, (name, rest, local.output)


@pytest.mark.bolt
def test_coverage_with_backend_neo4j_matches_the_snapshot(bolt_server, bolt_db, tmp_path: Path):
    snap = tmp_path / "acme"
    save_snapshot(acme_graph(), snap)
    runner = CliRunner()
    conn = ["--uri", bolt_server.uri, "--user", bolt_server.user, "--database", bolt_db]
    pushed = runner.invoke(cli, ["push", str(snap), *conn])
    assert pushed.exit_code == 0, pushed.output
    cases = [
        ["coverage", "--company", "Acme Steel SA", *AS_OF, "--format", "json"],
        ["coverage", *AS_OF, "--format", "json"],
        ["coverage", "--company", "acme", *AS_OF, "--format", "csv", "--summary", "country"],
    ]
    for args in cases:
        name, rest = args[0], args[1:]
        local = runner.invoke(cli, [name, str(snap), *rest])
        remote = runner.invoke(cli, [name, *rest, "--backend", "neo4j", *conn])
        assert local.exit_code == 0, local.output
        assert remote.exit_code == 0, remote.output
        assert remote.output == local.output, name
        assert len(local.output) > 20


@pytest.mark.bolt
def test_uri_snapshot_errors_are_one_line(bolt_server, bolt_db, monkeypatch: pytest.MonkeyPatch):
    runner = CliRunner()
    monkeypatch.setenv("NEO4J_PASSWORD", "wrong-" + bolt_server.password)
    bad = runner.invoke(cli, ["group", bolt_server.uri, "Acme", "--user", bolt_server.user, "--database", bolt_db])
    assert bad.exit_code == 1
    assert "refused the login" in bad.output and bolt_server.password not in bad.output
    assert "Traceback" not in bad.output and len(bad.output.strip().splitlines()) == 1
    monkeypatch.delenv("NEO4J_PASSWORD")
    nopw = runner.invoke(cli, ["path", bolt_server.uri, "a", "b", "--database", bolt_db])
    assert nopw.exit_code == 1
    assert "set NEO4J_PASSWORD" in nopw.output


def test_backend_memory_without_snapshot_is_one_clear_error():
    result = CliRunner().invoke(cli, ["coverage", "--company", "Acme"])
    assert result.exit_code == 1
    assert "SNAPSHOT is needed: a snapshot folder or a bolt://HOST:7687 URI" in result.output


def test_missing_snapshot_folder_is_still_refused(tmp_path: Path):
    result = CliRunner().invoke(cli, ["group", str(tmp_path / "nope"), "Acme"])
    assert result.exit_code == 2
    assert "does not exist" in result.output
