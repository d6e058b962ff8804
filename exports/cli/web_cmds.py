"""``campaign-graph serve``: the workbench (a local web app over one snapshot), see ``docs/web.md``."""

from __future__ import annotations

import secrets
import socket
from pathlib import Path
from typing import Any

import click

from exports.cli.neo4j_cmds import (
    BACKEND_KEY,
    is_bolt_uri,
    open_graph,
    safe_uri,
    snapshot_or_uri,
    store_from_options,
)
from graphmodel.errors import CampaignGraphError


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (``port`` 0: a free one the system picks).

    Bound here rather than by uvicorn so the app knows the port it serves before the first
    request (the Host and Origin rules name it) and the printed URL is the real one.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on accepted sockets whose proto says TCP;
    # without it Nagle holds a response's body until the client's delayed ACK of its headers, ~40 ms
    # on every request after the first of a kept-alive connection (as a browser's are)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except (OSError, UnicodeError, ValueError) as e:  # refused, in use, no such name, a name too long
        sock.close()
        raise CampaignGraphError(f"cannot listen on {host}:{port}: {getattr(e, 'strerror', None) or e}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


@click.command()
@snapshot_or_uri()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but this machine (127.0.0.1, localhost, ::1) needs --token.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="Port to listen on; 0 picks a free one.")
@click.option("--token", is_flag=False, flag_value="", default=None, metavar="[TOKEN]",
              help="Require this token on every request (--token alone makes a random one). It is printed once, "
                   "in the first URL; the browser then keeps it in a cookie.")
@click.option("--redact", is_flag=True,
              help="Serve the redacted graph (no people, membership figures, contacts, notes, confidential sources): "
                   "for a projector. It records no edits.")
@click.option("--edits", "edits", type=click.Path(path_type=Path), default=None, metavar="DIR",
              help="The research edits folder (made on the first edit; default: beside the snapshot, "
                   "SNAPSHOT.edits). `load SOURCES... DIR` gives the graph the workbench shows.")
def serve(snapshot: Path, host: str, port: int, token: str | None, redact: bool, edits: Path | None) -> None:
    """Serve the workbench: search, entity pages, research edits and the JSON API (docs/web.md), until Ctrl-C.

    Example: campaign-graph serve out/sample.snapshot
    """
    from exports.web.app import is_loopback, served_url

    if not is_loopback(host) and token is None:
        raise CampaignGraphError(f"--host {host} is reachable from other machines: give --token "
                                 "(or --token alone for a random one), or serve on 127.0.0.1")
    if token == "":
        token = secrets.token_urlsafe(32)
    from exports.edits import EditsStore, default_folder

    if is_bolt_uri(snapshot):
        if edits is not None:
            raise CampaignGraphError("--edits needs a snapshot folder: over Neo4j the graph is the server's, "
                                     "which the workbench does not change")
        # each request asks the server for the part of the graph it needs (exports/web/source.py)
        from exports.web.source import Neo4jSource

        opts = click.get_current_context().meta.get(BACKEND_KEY, {})
        graph: Any = Neo4jSource(store_from_options(str(snapshot), opts.get("database"), opts.get("user") or "neo4j"))
        us: list[str] = []
        created = None
    else:
        from exports.cli.analysis_cmds import snapshot_us
        from graphmodel.stores.snapshot import read_manifest

        if edits is None:
            edits = default_folder(snapshot)
        EditsStore(edits)  # a folder that is not an edits folder stops here, before anything is read
        graph = open_graph(snapshot, query="serve")
        us = snapshot_us(snapshot)  # as `brief` reads them: the briefings the app writes say the same
        created = str(read_manifest(snapshot).get("created") or "")[:10] or None
    sock = _listen(host, port)
    port = sock.getsockname()[1]
    import uvicorn

    from exports.web.app import create_app

    # named views are kept beside a snapshot folder (SNAPSHOT.views); a server's graph has no folder: off
    views = None if is_bolt_uri(snapshot) else Path(f"{Path(snapshot)}.views")
    app = create_app(graph, host=host, port=port, token=token, redact=redact, us=us, data_date=created,
                     views_dir=views, edits=edits)
    url = served_url(host, port) + "/"
    # the token appears here once, in the first URL; the server then moves it to a cookie
    what = safe_uri(str(snapshot)) if is_bolt_uri(snapshot) else str(snapshot)
    click.echo(f"serving {what} at {url}" + (f"?token={token}" if token else "") + " (Ctrl-C stops)")
    click.echo("research edits: " + ("off (--redact)" if redact else f"{edits}" if edits is not None
                                     else "off (over Neo4j they are not kept)"))
    # access_log=False: uvicorn's access log prints request URLs, and the first URL holds the token
    config = uvicorn.Config(app, log_level="warning", access_log=False, server_header=False)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        if is_bolt_uri(snapshot):
            graph.close()


# snapshot_or_uri's line says a query runs on the server; for serve, each request does
serve.help = (serve.help or "").replace(
    "the query then runs on that server", "each request asks that server for the part of the graph it needs, so "
    "every answer reads the server as it is then")
