"""Secrets (issue 8 part 4): the Neo4j password comes only from NEO4J_PASSWORD or a prompt, and
never shows in argv, logs, snapshots, exports or exceptions.

The Bolt fixture's password is a fresh random token, so it is itself the marker: after a push
and a pull with it, and a refused login with a second marker, neither appears anywhere the
tool wrote or said anything.
"""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

import pytest
from click.testing import CliRunner

from exports.cli.main import cli
from graphmodel.errors import CampaignGraphError
from graphmodel.stores.neo4j import Neo4jStore
from graphmodel.stores.snapshot import save_snapshot
from tests.exports.test_redact import canary_graph
from tests.security.test_sensitive import _text_of

WRONG = "WRONG-PW-MARKER-5521"


def _all_text(result) -> str:
    text = result.output
    if result.exception is not None:
        text += "".join(traceback.format_exception(result.exception))
    return text


@pytest.mark.bolt
def test_password_never_leaks_through_push_pull_or_a_refused_login(
    bolt_server, bolt_db, tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = bolt_server.password
    assert len(password) >= 8
    caplog.set_level(logging.DEBUG)  # the driver's own debug log included
    snap = tmp_path / "snap"
    save_snapshot(canary_graph(), snap)
    runner = CliRunner()
    argv = ["push", str(snap), "--uri", bolt_server.uri, "--user", bolt_server.user, "--database", bolt_db]
    pushed = runner.invoke(cli, argv)
    assert pushed.exit_code == 0, pushed.output
    assert password not in " ".join(argv)  # the password was never an argument
    out = tmp_path / "pulled"
    pulled = runner.invoke(cli, ["pull", "--uri", bolt_server.uri, "--user", bolt_server.user, "--database", bolt_db,
                                 "-o", str(out)])
    assert pulled.exit_code == 0, pulled.output
    exported = runner.invoke(cli, ["export", str(out), "--format", "json", "-o", str(tmp_path / "x.json")])
    assert exported.exit_code == 0
    # a refused login with another marker
    monkeypatch.setenv("NEO4J_PASSWORD", WRONG)
    refused = runner.invoke(cli, argv)
    assert refused.exit_code == 1 and "refused the login" in refused.output
    # the password in the URI (user:password@host): refused or stripped from every message
    monkeypatch.setenv("NEO4J_PASSWORD", WRONG)
    host = bolt_server.uri.split("//", 1)[1]
    in_uri = runner.invoke(cli, ["push", str(snap), "--uri", f"bolt://{bolt_server.user}:{WRONG}@{host}",
                                 "--database", bolt_db])
    assert in_uri.exit_code == 1
    everything = "\n".join([_all_text(r) for r in (pushed, pulled, exported, refused, in_uri)] + [caplog.text, _text_of(tmp_path)])
    assert password not in everything
    assert WRONG not in everything
    # the store object itself
    store = Neo4jStore(bolt_server.uri, user=bolt_server.user, password=WRONG, database=bolt_db)
    assert WRONG not in repr(store) and WRONG not in str(vars(store).get("uri", ""))
    with pytest.raises(CampaignGraphError) as ei:
        store.read()
    assert WRONG not in "".join(traceback.format_exception(ei.value))


def test_no_password_option_and_no_password_from_argv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    save_snapshot(canary_graph(), tmp_path / "s")
    for cmd in (["push", str(tmp_path / "s")], ["pull", "-o", str(tmp_path / "p")]):
        r = CliRunner().invoke(cli, [*cmd, "--uri", "bolt://127.0.0.1:1", "--password", WRONG])
        assert r.exit_code == 2 and "No such option '--password'" in r.output
        r = CliRunner().invoke(cli, [*cmd, "--uri", "bolt://127.0.0.1:1"])  # no env, no terminal: a clear error
        assert r.exit_code == 1 and "set NEO4J_PASSWORD" in r.output
