"""Bolt server fixture (ArcadeDB with its Bolt plugin, or a real Neo4j when NEO4J_URI is set).

``bolt_server`` (session scope) starts ArcadeDB once from the ``arcadedb-jvm`` package (its
bundled JRE and jars) as a separate Java process on free loopback ports in a temporary
folder, with a random root password, and stops that process at the end of the session.
With ``NEO4J_URI`` set (``NEO4J_USER``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE`` optional) the
tests use that server instead and start nothing.

``bolt_db`` (function scope) hands each test an empty database: a fresh one created over
ArcadeDB's HTTP API, or the configured Neo4j database wiped first.

The helpers are plain functions so the benchmark can start the same server.
"""

from __future__ import annotations

import base64
import importlib.util
import itertools
import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest


@dataclass
class BoltServer:
    """Where the Bolt tests connect, and how to get an empty database there."""

    uri: str
    user: str
    password: str
    kind: str  # "arcadedb" (started here) or "neo4j" (NEO4J_URI)
    http_url: str | None = None
    default_database: str = "neo4j"
    process: subprocess.Popen | None = None
    root: Path | None = None
    _counter: Iterator[int] = field(default_factory=itertools.count)

    def new_database(self, prefix: str = "t") -> str:
        """An empty database: created fresh on ArcadeDB, wiped on Neo4j."""
        if self.kind == "arcadedb":
            name = f"{prefix}{next(self._counter)}_{secrets.token_hex(3)}"
            arcadedb_http(self, {"command": f"create database {name}"})
            return name
        import neo4j

        with (
            neo4j.GraphDatabase.driver(self.uri, auth=(self.user, self.password)) as driver,
            driver.session(database=self.default_database) as session,  # auto-commit: IN TRANSACTIONS needs it
        ):
            session.run("MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
        return self.default_database

    def drop_database(self, name: str) -> None:
        if self.kind == "arcadedb":
            try:
                arcadedb_http(self, {"command": f"drop database {name}"})
            except RuntimeError:
                pass  # already gone: nothing to clean


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def arcadedb_http(server: BoltServer, body: dict) -> dict:
    """POST a server command to ArcadeDB's HTTP API (``/api/v1/server``) as root."""
    assert server.http_url
    req = urllib.request.Request(
        server.http_url + "/api/v1/server",
        data=json.dumps(body).encode(),
        headers={
            "Content-Type": "application/json",
            "Authorization": "Basic " + base64.b64encode(f"{server.user}:{server.password}".encode()).decode(),
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as e:
        raise RuntimeError(f"ArcadeDB HTTP {e.code}: {e.read()[:300]!r}") from None


def _arcadedb_home() -> Path:
    spec = importlib.util.find_spec("arcadedb")  # the package, without importing it (no JVM in this process)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("arcadedb-jvm is not installed: pip install -e '.[dev]'")
    return Path(next(iter(spec.submodule_search_locations)))


def start_arcadedb(heap: str | None = None, timeout: float = 90.0, extra_args: Sequence[str] = ()) -> BoltServer:
    """Start ArcadeDB with the Bolt plugin on free loopback ports; return when Bolt answers.

    ``extra_args`` are more JVM options (``-Darcadedb.…`` settings, ``-XX:`` flags), added after the defaults.
    """
    home = _arcadedb_home()
    java = home / "jre" / "bin" / "java"
    root = Path(tempfile.mkdtemp(prefix="cg-arcadedb-"))
    password = secrets.token_urlsafe(16)
    bolt_port, http_port, https_port = free_port(), free_port(), free_port()
    heap = heap or os.environ.get("CG_ARCADEDB_HEAP", "1g")
    cmd = [
        str(java),
        f"-Xmx{heap}",
        "-cp",
        str(home / "jars") + "/*",
        f"-Darcadedb.server.rootPath={root}",
        f"-Darcadedb.server.databaseDirectory={root / 'databases'}",
        f"-Darcadedb.server.rootPassword={password}",
        "-Darcadedb.server.plugins=Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
        "-Darcadedb.bolt.host=127.0.0.1",
        f"-Darcadedb.bolt.port={bolt_port}",
        "-Darcadedb.server.httpIncomingHost=127.0.0.1",
        f"-Darcadedb.server.httpIncomingPort={http_port}",
        f"-Darcadedb.server.httpsIncomingPort={https_port}",
        *extra_args,
        *os.environ.get("CG_ARCADEDB_OPTS", "").split(),
        "com.arcadedb.server.ArcadeDBServer",
    ]
    with open(root / "server.log", "wb") as log:  # the child keeps its own copy of the handle
        proc = subprocess.Popen(cmd, cwd=root, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    server = BoltServer(
        uri=f"bolt://127.0.0.1:{bolt_port}", user="root", password=password, kind="arcadedb",
        http_url=f"http://127.0.0.1:{http_port}", process=proc, root=root,
    )
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            tail = (root / "server.log").read_text(errors="replace")[-2000:]
            stop_arcadedb(server)
            raise RuntimeError(f"ArcadeDB exited with code {proc.returncode}:\n{tail}")
        try:
            with socket.create_connection(("127.0.0.1", bolt_port), timeout=1):
                pass
            with socket.create_connection(("127.0.0.1", http_port), timeout=1):
                pass
            urllib.request.urlopen(server.http_url + "/api/v1/ready", timeout=2).close()
            return server
        except OSError:
            if time.monotonic() > deadline:
                stop_arcadedb(server)
                raise RuntimeError(f"ArcadeDB did not start within {timeout:.0f} s") from None
            time.sleep(0.2)


def stop_arcadedb(server: BoltServer) -> None:
    """Stop the server process started by :func:`start_arcadedb` and remove its folder."""
    proc = server.process
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    if server.root is not None:
        shutil.rmtree(server.root, ignore_errors=True)


def server_from_env() -> BoltServer | None:
    """The real Neo4j named by ``NEO4J_URI``, if any."""
    uri = os.environ.get("NEO4J_URI")
    if not uri:
        return None
    return BoltServer(
        uri=uri,
        user=os.environ.get("NEO4J_USER", "neo4j"),
        password=os.environ.get("NEO4J_PASSWORD", ""),
        kind="neo4j",
        default_database=os.environ.get("NEO4J_DATABASE", "neo4j"),
    )


@pytest.fixture(scope="session")
def bolt_server() -> Iterator[BoltServer]:
    """A running Bolt server for the whole session (ArcadeDB started here, or NEO4J_URI)."""
    env = server_from_env()
    if env is not None:
        yield env
        return
    server = start_arcadedb()
    try:
        yield server
    finally:
        stop_arcadedb(server)


@pytest.fixture
def bolt_db(bolt_server: BoltServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An empty database on the session's server; NEO4J_PASSWORD is set for the CLI."""
    name = bolt_server.new_database()
    monkeypatch.setenv("NEO4J_PASSWORD", bolt_server.password)
    try:
        yield name
    finally:
        bolt_server.drop_database(name)
