"""Faults: a push cut midway by a TCP proxy heals on re-push; bad credentials, hosts, databases."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from exports.cli.main import cli
from graphmodel.errors import CampaignGraphError
from graphmodel.stores.neo4j import Neo4jStore
from graphmodel.stores.snapshot import save_snapshot
from tests.fixtures_bolt import free_port
from tests.neo4j.graphs import random_graph
from tests.neo4j.proxy import CuttingProxy

pytestmark = pytest.mark.bolt


def _host_port(uri: str) -> tuple[str, int]:
    host, port = uri.split("://", 1)[1].rsplit(":", 1)
    return host, int(port)


def test_push_cut_midway_reports_batches_in_doubt_and_re_push_converges(bolt_server, bolt_db):
    g = random_graph(5, n_companies=300, n_sites=400)  # ~1300 rows, 50-row batches: ~30 batches
    proxy = CuttingProxy(*_host_port(bolt_server.uri), cut_after=60_000)
    try:
        cut = Neo4jStore(proxy.uri, user=bolt_server.user, password=bolt_server.password, database=bolt_db,
                         batch_size=50, max_retry_time=1.0, connection_timeout=2.0)
        with pytest.raises(CampaignGraphError) as err:
            cut.write(g)
        cut.close()
    finally:
        proxy.close()
    msg = str(err.value)
    assert proxy.cuts >= 1
    assert "push interrupted at batch" in msg and "push again" in msg
    assert re.search(r"(batch \d+ is|batches [\d, -]+ are) in doubt", msg), msg
    assert bolt_server.password not in msg

    direct = Neo4jStore(bolt_server.uri, user=bolt_server.user, password=bolt_server.password, database=bolt_db)
    with direct:
        partial = direct.counts()
        written = sum(partial["nodes"].values()) + sum(partial["edges"].values())
        assert written < g.number_of_nodes() + g.number_of_edges()  # the cut came before the end
        report = direct.write(g)
        assert report.counts_match and report.extra_on_server == []  # nothing missing, no duplicates
        assert report.hash_matches is True
        assert direct.read() == g


def test_a_transient_cut_is_healed_by_the_drivers_retries(bolt_server, bolt_db):
    g = random_graph(6, n_companies=200, n_sites=200)
    proxy = CuttingProxy(*_host_port(bolt_server.uri), cut_after=40_000, once=True)
    try:
        with Neo4jStore(proxy.uri, user=bolt_server.user, password=bolt_server.password, database=bolt_db,
                        batch_size=50, max_retry_time=10.0) as store:
            report = store.write(g)
    finally:
        proxy.close()
    assert proxy.cuts == 1
    assert report.counts_match and report.extra_on_server == [] and report.hash_matches is True


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    path = tmp_path / "snap"
    save_snapshot(random_graph(3), path)
    return path


def _run(args: list[str], env_password: str | None) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if k != "NEO4J_PASSWORD"}
    if env_password is not None:
        env["NEO4J_PASSWORD"] = env_password
    exe = str(Path(sys.executable).with_name("campaign-graph"))
    p = subprocess.run([exe, *args], capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=120,
                       check=False)
    return p.returncode, p.stdout, p.stderr


def test_cli_push_then_pull_round_trip_and_idempotent_re_push(bolt_server, bolt_db, snapshot, tmp_path):
    runner = CliRunner()
    args = ["push", str(snapshot), "--uri", bolt_server.uri, "--user", bolt_server.user, "--database", bolt_db]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert "count check: the server's counts match the snapshot" in first.output
    assert "content check: the database equals the snapshot" in first.output
    second = runner.invoke(cli, args + ["--format", "json"])
    assert second.exit_code == 0 and '"hash_matches": true' in second.output
    out = tmp_path / "pulled"
    pulled = runner.invoke(cli, ["pull", "--uri", bolt_server.uri, "--user", bolt_server.user,
                                 "--database", bolt_db, "-o", str(out)])
    assert pulled.exit_code == 0, pulled.output
    from graphmodel.stores.snapshot import load_snapshot

    assert load_snapshot(out) == load_snapshot(snapshot)


def test_cli_push_with_one_writer_then_four_converges(bolt_server, bolt_db, snapshot):
    base = ["push", str(snapshot), "--uri", bolt_server.uri, "--user", bolt_server.user, "--database", bolt_db,
            "--batch-size", "5", "--format", "json"]
    for writers, created in (("1", True), ("4", False)):
        result = CliRunner().invoke(cli, base + ["--writers", writers])
        assert result.exit_code == 0, result.output
        assert '"hash_matches": true' in result.output and '"counts_match": true' in result.output
        assert ('"created": 0' not in result.output) is created  # the second push finds everything there
    bad = CliRunner().invoke(cli, base + ["--writers", "0"])
    assert bad.exit_code == 2 and "--writers" in bad.output


def test_cli_wrong_password_is_one_line_exit_1(bolt_server, bolt_db, snapshot):
    code, out, err = _run(["push", str(snapshot), "--uri", bolt_server.uri, "--user", bolt_server.user,
                           "--database", bolt_db], env_password="not-the-password")
    assert code == 1 and "Traceback" not in err
    assert err.strip().count("\n") == 0
    assert "refused the login for user" in err and "wrong user name or password" in err
    assert "not-the-password" not in err + out


def _invoke(args: list[str], password: str | None, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    """In-process CLI run (quick); the wrong-password test runs the real console script."""
    if password is None:
        monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("NEO4J_PASSWORD", password)
    result = CliRunner().invoke(cli, args)
    assert not (result.exception and not isinstance(result.exception, SystemExit)), result.exception
    return result.exit_code, result.output


def test_cli_unreachable_host_is_one_line_exit_1(snapshot, monkeypatch):
    uri = f"bolt://127.0.0.1:{free_port()}"
    code, out = _invoke(["push", str(snapshot), "--uri", uri], "x", monkeypatch)
    assert code == 1 and out.strip().count("\n") == 0
    assert f"error: cannot reach a Bolt server at {uri}" in out


def test_cli_missing_database_is_one_line_exit_1(bolt_server, snapshot, monkeypatch):
    code, out = _invoke(["pull", "--uri", bolt_server.uri, "--user", bolt_server.user, "--database", "nosuchdb",
                         "-o", str(snapshot.parent / "x")], bolt_server.password, monkeypatch)
    assert code == 1 and out.strip().count("\n") == 0
    assert "error: database 'nosuchdb' does not exist on" in out


def test_cli_without_password_says_where_to_put_it(snapshot, monkeypatch):
    code, out = _invoke(["push", str(snapshot), "--uri", "bolt://127.0.0.1:1"], None, monkeypatch)
    assert code == 1 and "set NEO4J_PASSWORD" in out


def test_cli_has_no_password_option():
    result = CliRunner().invoke(cli, ["push", "--help"])
    assert result.exit_code == 0 and "--password" not in result.output
