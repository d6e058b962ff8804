"""The pages' test graph and a real server for the browser tests.

:func:`page_graph` is the API's hand-worked Acme group (tests/web/fixtures.py) plus two nodes
whose names (and ids) are script payloads, worked out by hand:

    Acme Holding SA ──OWNS──> Acme Steel GmbH ──OPERATES──> Werk Nord <b>&, Werk Süd, Old Mine
    IG Metall ──REPRESENTS──> Werk Nord <b>&, Werk Süd
    <img src=x onerror=alert(1)>  (a Union, id PAYLOAD_ID) ──REPRESENTS──> Werk Nord <b>&
    </script><script>alert(1)</script>  (a Company, id SCRIPT_ID) ──OWNS 5 %──> Acme Holding SA

So the entity page of Acme Steel GmbH first draws 5 nodes (itself, Acme Holding SA and its three
sites) and 4 edges; expanding Werk Nord adds IG Metall and the payload union: 7 nodes, 6 edges.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from graphmodel.graph import CampaignGraph
from tests.web.fixtures import acme_graph

#: a name that would run script if it reached the page as HTML
PAYLOAD_NAME = "<img src=x onerror=alert(1)>"
#: its node's id (a payload too, and an attribute breaker)
PAYLOAD_ID = 'x"><img src=x onerror=alert(2)>'
SCRIPT_NAME = "</script><script>alert(1)</script>"
#: an id with "/" in it, sent as %2F
SCRIPT_ID = "</script><script>alert(3)</script>"


def page_graph() -> CampaignGraph:
    g = acme_graph()
    g.add_node(PAYLOAD_ID, "Union", PAYLOAD_NAME, sources=["ar"], country="DE")
    g.add_edge(PAYLOAD_ID, "nord", "REPRESENTS", id="rep-x", sources=["ar"], recognised=False)
    g.add_node(SCRIPT_ID, "Company", SCRIPT_NAME, sources=["ar"], country="GB")
    g.add_edge(SCRIPT_ID, "hold", "OWNS", id="own-x", sources=["ar"], share=5.0)
    return g


@contextmanager
def serving(graph: CampaignGraph, **options: object) -> Iterator[str]:
    """``create_app(graph)`` served by uvicorn on a free loopback port in a thread; yields its base URL."""
    import uvicorn

    from exports.web.app import create_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    app = create_app(graph, host="127.0.0.1", port=port, **options)  # type: ignore[arg-type]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
