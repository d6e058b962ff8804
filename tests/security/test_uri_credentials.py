"""A password inside a ``user:password@`` URI never reaches a message, whatever it holds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from graphmodel.stores.neo4j import safe_uri

EXE = Path(sys.executable).parent / "campaign-graph"
SECRETS = ["pa/ss@w@rd", "p@ss/w0rd", "plain", "a:b@c", "//@@//"]


@pytest.mark.parametrize("secret", SECRETS)
def test_safe_uri_drops_the_whole_userinfo(secret: str) -> None:
    uri = f"bolt://neo4j:{secret}@127.0.0.1:7687"
    shown = safe_uri(uri)
    assert shown == "bolt://127.0.0.1:7687"
    assert secret not in shown


def test_safe_uri_keeps_a_uri_without_credentials() -> None:
    assert safe_uri("neo4j://localhost:7687") == "neo4j://localhost:7687"


@pytest.mark.parametrize(
    "args",
    [
        ["pull", "--uri", "bolt://neo4j:{s}@127.0.0.1:1", "-o", "{tmp}/out"],
        ["coverage", "bolt://neo4j:{s}@127.0.0.1:1", "--company", "X"],
        ["group", "bolt://neo4j:{s}@127.0.0.1:1/db", "X"],
    ],
)
@pytest.mark.parametrize("secret", ["pa/ss@w@rd", "p@ss/w0rd"])
def test_cli_errors_never_print_the_password(tmp_path: Path, args: list[str], secret: str) -> None:
    argv = [a.format(s=secret, tmp=tmp_path) for a in args]
    env = {**os.environ, "NEO4J_PASSWORD": "from-the-environment"}
    proc = subprocess.run(check=False, args=[str(EXE), *argv], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout + proc.stderr
    assert secret not in out and "from-the-environment" not in out
    assert "Traceback" not in out and len(proc.stderr.strip().splitlines()) == 1
