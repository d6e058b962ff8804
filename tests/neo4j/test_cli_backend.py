"""``--backend neo4j`` on the query commands gives the same output as the snapshot."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from exports.cli.main import cli
from graphmodel.stores.snapshot import save_snapshot
from tests.neo4j.graphs import acme_graph

pytestmark = pytest.mark.bolt


def test_query_commands_with_backend_neo4j_match_the_snapshot(bolt_server, bolt_db, tmp_path: Path):
    snap = tmp_path / "acme"
    save_snapshot(acme_graph(), snap)
    runner = CliRunner()
    conn = ["--uri", bolt_server.uri, "--user", bolt_server.user, "--database", bolt_db]
    pushed = runner.invoke(cli, ["push", str(snap), *conn])
    assert pushed.exit_code == 0, pushed.output
    cases = [
        ["coverage", "--company", "Acme Steel SA", "--as-of", "2024-06-30", "--format", "json"],
        ["coverage", "--as-of", "2024-06-30", "--format", "json"],
        ["coverage", "--company", "acme", "--as-of", "2024-06-30", "--format", "csv", "--summary", "country"],
    ]
    for args in cases:
        name, rest = args[0], args[1:]
        local = runner.invoke(cli, [name, str(snap), *rest])
        remote = runner.invoke(cli, [name, *rest, "--backend", "neo4j", *conn])
        assert local.exit_code == 0, local.output
        assert remote.exit_code == 0, remote.output
        assert remote.output == local.output, name
        assert len(local.output) > 20


def test_backend_memory_without_snapshot_is_one_clear_error():
    result = CliRunner().invoke(cli, ["coverage", "--company", "Acme"])
    assert result.exit_code == 1
    assert "SNAPSHOT is needed (or --backend neo4j --uri" in result.output
