"""Concurrent requests against a real ``campaign-graph serve`` process (uvicorn, its thread pool).

The routes that read the graph run one at a time (``app.state.lock``, ``serialised(app)``):
requests sent at once from several clients (two browsers, a script) all answer, with the answers
they get one after the other; a slow group coverage makes the others wait, never fail.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from graphmodel.graph import CampaignGraph
from tests.web.test_serve import REPO, _first_line


@pytest.fixture
def serving(xs_snapshot: Path) -> Iterator[str]:
    """The URL of ``serve XS_SNAPSHOT --port 0 --token``, with the token (the first URL)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "exports.cli.main", "serve", str(xs_snapshot), "--port", "0",
                             "--token"], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = _first_line(proc, 120)
        m = re.fullmatch(r"serving \S+ at (http://127\.0\.0\.1:\d+/\?token=[\w-]+) \(Ctrl-C stops\)\n", line)
        assert m, line
        yield m[1]
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "Traceback" not in err, err


def _paths(xs: CampaignGraph) -> tuple[list[str], list[str]]:
    """(quick requests, slow ones: the coverage of the groups with the most sites)."""
    operated = Counter(u for _e, u, _v, _a in xs.edges("OPERATES"))
    ops = [op for op, _n in operated.most_common(3)]
    sites = sorted(xs.node_ids("Site"))[:3]
    quick = [f"/api/search?q={quote(xs.name_of(op))}" for op in ops]
    quick += [f"/api/nodes/{s}?as_of=2024-06-30" for s in sites] + [f"/api/nodes/{op}" for op in ops]
    quick += [f"/api/nodes/{op}/neighbours?hops=2" for op in ops] + [f"/nodes/{sites[0]}", "/"]
    slow = [f"/api/coverage?company={op}&status=all&as_of=2024-06-30" for op in ops]
    return quick, slow


def _browser(first_url: str) -> httpx.Client:
    """A client that opened the first URL: it holds the token cookie, as a browser would."""
    client = httpx.Client(base_url=first_url.split("?")[0], timeout=120)
    assert client.get(first_url, follow_redirects=True).status_code == 200
    return client


def test_parallel_requests_from_two_browsers_answer_as_serial_ones(serving: str, xs: CampaignGraph) -> None:
    quick, slow = _paths(xs)
    one, two = _browser(serving), _browser(serving)
    try:
        serial = {p: (r.status_code, r.text) for p in quick + slow for r in [one.get(p)]}
        assert all(status == 200 for status, _ in serial.values()), serial
        assert any(len(json.loads(t)["rows"]) > 1 for p, (_, t) in serial.items() if p.startswith("/api/coverage"))
        # slow ones first, so the quick ones arrive while a coverage holds the lock
        work = [(c, p) for p in slow for c in (one, two)] + [(c, p) for p in quick * 3 for c in (one, two)]
        with ThreadPoolExecutor(max_workers=12) as pool:
            got = list(pool.map(lambda cp: (cp[1], cp[0].get(cp[1])), work))
    finally:
        one.close()
        two.close()
    assert len(got) == len(work)
    for path, r in got:
        assert (r.status_code, r.text) == serial[path], path


def test_serve_listens_so_that_asyncio_turns_nagle_off_on_each_connection() -> None:
    """Without TCP_NODELAY on an accepted socket a response's body waits for the client's delayed
    ACK of its headers (about 40 ms per request on a kept-alive connection); asyncio sets it only
    when the listening socket says it is TCP (``proto``), which ``serve``'s socket must."""
    import asyncio
    import socket

    from exports.cli.web_cmds import _listen

    async def accepted_nodelay() -> int:
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        listening = _listen("127.0.0.1", 0)
        server = await asyncio.start_server(connected, sock=listening)
        async with server:
            _r, w = await asyncio.open_connection("127.0.0.1", listening.getsockname()[1])
            got = await asyncio.wait_for(seen, 10)
            w.close()
        return got

    # in a thread of its own: the session's Playwright may keep an event loop running in this one
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(lambda: asyncio.run(accepted_nodelay())).result(timeout=30) != 0
