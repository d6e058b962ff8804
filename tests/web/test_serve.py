"""``campaign-graph serve``: the refusal to serve other machines without a token, and a real server."""

from __future__ import annotations

import json
import os
import re
import selectors
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from exports.cli.main import cli
from graphmodel.stores.snapshot import save_snapshot
from tests.web.fixtures import acme_graph

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.7", "::", "example.org"])
def test_serve_refuses_a_non_loopback_host_without_a_token(tmp_path: Path, host: str) -> None:
    out = CliRunner().invoke(cli, ["serve", str(tmp_path), "--host", host])
    assert out.exit_code == 1
    assert out.output == (f"error: --host {host} is reachable from other machines: give --token "
                          "(or --token alone for a random one), or serve on 127.0.0.1\n")


def test_serve_refuses_an_edits_folder_that_is_a_tables_folder_in_one_line(tmp_path: Path) -> None:
    save_snapshot(acme_graph(), tmp_path / "snap")
    (tmp_path / "tables").mkdir()
    (tmp_path / "tables" / "nodes.csv").write_text("id,kind\n")
    out = CliRunner().invoke(cli, ["serve", str(tmp_path / "snap"), "--edits", str(tmp_path / "tables")])
    assert out.exit_code == 1
    assert out.output.count("\n") == 1 and "not an edits folder (tables but no log.jsonl)" in out.output


def test_serve_refuses_an_edits_folder_over_a_server_in_one_line(tmp_path: Path) -> None:
    """Edits live beside a snapshot folder; over Neo4j the graph is the server's: refused before connecting."""
    out = CliRunner().invoke(cli, ["serve", "bolt://127.0.0.1:1", "--edits", str(tmp_path / "e")])
    assert out.exit_code == 1
    assert out.output == ("error: --edits needs a snapshot folder: over Neo4j the graph is the server's, "
                          "which the workbench does not change\n")
    assert not (tmp_path / "e").exists()


def _first_line(proc: subprocess.Popen, timeout: float) -> str:
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)  # type: ignore[arg-type]
    if not sel.select(timeout):
        raise AssertionError("serve printed no URL in time")
    return proc.stdout.readline()  # type: ignore[union-attr]


def test_serve_answers_over_real_http_and_keeps_the_token_out_of_its_output(tmp_path: Path) -> None:
    save_snapshot(acme_graph(), tmp_path / "snap")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "exports.cli.main", "serve", str(tmp_path / "snap"), "--port", "0",
                             "--token"], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = _first_line(proc, 60)
        m = re.fullmatch(r"serving \S+ at (http://127\.0\.0\.1:(\d+)/)\?token=([\w-]+) \(Ctrl-C stops\)\n", line)
        assert m, line
        base, token = m[1], m[3]
        assert int(m[2]) > 0 and len(token) >= 40
        with httpx.Client(base_url=base, timeout=30) as http:
            assert http.get("api/search", params={"q": "Acme Holding"}).status_code == 401
            # the first URL: a redirect that moves the token to a cookie, then the answer
            r = http.get("api/search", params={"q": "Acme Holding", "token": token}, follow_redirects=True)
            assert r.status_code == 200 and token not in str(r.url)
            assert r.json() == {"results": [{"id": "hold", "kind": "Company", "name": "Acme Holding SA",
                                             "how": "name"}], "total": 1}
            assert http.get("api/nodes/nord").json()["name"] == "Werk Nord <b>&"  # the cookie is enough
            r = httpx.get(base + "api/search", params={"q": "x"}, headers={"host": "evil.example:" + m[2]})
            assert r.status_code == 403
            # named views are kept beside the snapshot folder
            assert http.put("api/views/first", json={"focus": "acme"}).status_code == 201
            assert json.loads((tmp_path / "snap.views" / "first.view.json").read_text())["state"]["focus"] == "acme"
    finally:
        proc.terminate()
        rest, err = proc.communicate(timeout=30)
    assert token not in rest + err  # printed once, in the first URL; no access log holds it
