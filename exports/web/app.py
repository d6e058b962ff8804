"""The workbench's application: the JSON API under ``/api`` and the security rules.

:func:`create_app` builds a FastAPI app over one graph; the routers of the other modules
(``edits``: research edits that change it; ``views``, ``group``, ``profile``) are mounted on it,
then the pages (``pages``). The API turns the queries' answers into JSON and decides no rule
of its own: search is :meth:`CampaignGraph.find`, coverage is :func:`queries.coverage.coverage` (one site's:
:func:`queries.coverage.site_coverage`), a company name is
resolved as the CLI resolves it (:func:`exports.cli.query_cmds.resolve_owner`), ``redact``
is :func:`exports.redact.redact`. Each route gets the graph of its question from
:func:`exports.web.source.source_of` (the served snapshot, or over ``serve bolt://…`` the part
of the server's graph the answer reads) and runs the same code on it.

Security (issue 19, "Safe by default"), applied to every request before any route:

- the ``Host`` header must name the served host and port (DNS rebinding): ``localhost``,
  ``127.0.0.1`` and ``[::1]`` with the served port are also accepted; on a wildcard bind
  (``0.0.0.0``, ``::``), whose name the app cannot know, any IP literal or this machine's
  host name with the served port (a rebinding attack needs a domain name; the token is then
  required anyway). Anything else: 403;
- with a token, a request needs ``Authorization: Bearer <token>``, or the ``cg_token``
  cookie, or ``?token=<token>`` in the URL, which is answered by a redirect to the same URL
  without it that sets the cookie (HttpOnly, SameSite=Strict), so no URL after the first
  holds the secret. Missing: 401; wrong: 403. Compared with :func:`hmac.compare_digest`;
- state-changing requests (POST, PUT, PATCH, DELETE) that carry an ``Origin`` must carry the
  served origin (else 403); a body they carry must be JSON (``Content-Type:
  application/json``, else 415);
- every response carries :data:`CSP` (no outside request, no inline script or style),
  ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: no-referrer``.

The interactive docs (``/docs``, ``/redoc``) are off: FastAPI loads them from a CDN, which
the CSP (and the offline rule) forbids; the OpenAPI description is at ``/openapi.json``.
"""

from __future__ import annotations

import hmac
import ipaddress
import math
import socket
import threading
from collections.abc import Awaitable, Callable, Iterable, Mapping
from functools import wraps
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from exports.web.source import Neo4jSource, source_of
from graphmodel import provenance, schema
from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.values import normalise_as_of

#: the Content-Security-Policy of every response: nothing from outside, no inline script or style
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
#: headers every response carries
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
#: the cookie that holds the token after the first URL
TOKEN_COOKIE = "cg_token"
#: the most hops ``/api/nodes/{id}/neighbours`` walks
MAX_HOPS = 3
#: the most nodes one neighbours answer holds (the rest: ``"truncated": true``)
MAX_NEIGHBOURS = 5000
#: methods that change state: checked for Origin and a JSON body
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: node attributes that are not properties in the API's answers
_NOT_PROPERTIES = frozenset({"kind", "name", "sources"})


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an IP literal) is this machine only.

    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("::1"), is_loopback("0.0.0.0")
    (True, True, True, False)
    """
    if host.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _is_wildcard(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return False


def _host_text(host: str) -> str:
    """``host`` as it appears in a Host header or URL (IPv6 literals in brackets)."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def served_url(host: str, port: int) -> str:
    """The URL the app is served at: ``http://HOST:PORT``.

    >>> served_url("::1", 8765)
    'http://[::1]:8765'
    """
    return f"http://{_host_text(host)}:{port}"


class _HostRule:
    """Which ``Host`` header values name the served host (see the module docstring)."""

    def __init__(self, host: str, port: int) -> None:
        self.port = port
        names = {_host_text(host).casefold(), "localhost", "127.0.0.1", "[::1]"}
        self.wildcard = _is_wildcard(host)
        if self.wildcard:
            names |= {socket.gethostname().casefold(), socket.getfqdn().casefold()}
        self.names = frozenset(names)

    def allows(self, header: str | None) -> bool:
        if not header:
            return False
        name, sep, port = header.strip().casefold().rpartition(":")
        if not sep or "]" in port:  # no port given (or an IPv6 literal without one): not the served host:port
            return False
        if port != str(self.port):
            return False
        if name in self.names:
            return True
        if self.wildcard:  # an IP literal names no domain a rebinding attack could point here
            try:
                ipaddress.ip_address(name.strip("[]"))
                return True
            except ValueError:
                return False
        return False

    def origins(self) -> frozenset[str]:
        """The ``Origin`` values of pages this app served (scheme http)."""
        return frozenset(f"http://{n}:{self.port}" for n in self.names)


def _error(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


def _same(a: str, b: str) -> bool:
    """Constant-time comparison of two texts (as UTF-8 bytes: compare_digest takes only ASCII str)."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def _is_json(content_type: str | None) -> bool:
    media = (content_type or "").split(";")[0].strip().casefold()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def _has_body(request: Request) -> bool:
    length = request.headers.get("content-length")
    if length is not None:
        return length.strip() not in ("", "0")
    return "transfer-encoding" in request.headers


def _security(app: FastAPI, host: str, port: int, token: str | None) -> None:
    """Add the security rules (module docstring) as one HTTP middleware."""
    hosts = _HostRule(host, port)
    origins = hosts.origins()

    @app.middleware("http")
    async def secure(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await _check(request, call_next)
        for k, v in SECURITY_HEADERS.items():
            response.headers[k] = v
        if request.url.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    async def _check(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if not hosts.allows(request.headers.get("host")):
            return _error(403, "refused: the Host header does not name this server (DNS rebinding protection)")
        method = request.method.upper()
        if method in STATE_CHANGING:
            origin = request.headers.get("origin")
            if origin is not None and origin.casefold().rstrip("/") not in origins:
                return _error(403, "refused: a state-changing request from another origin")
        if token is not None:
            given = request.query_params.get("token")
            if given is not None:
                if not _same(given, token):
                    return _error(403, "refused: wrong token")
                if method not in ("GET", "HEAD"):
                    return _error(403, "refused: the token goes in the Authorization header or the cookie, "
                                       "not in the URL of a state-changing request")
                rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
                target = request.url.path + (f"?{urlencode(rest)}" if rest else "")
                redirect = RedirectResponse(target, status_code=303)
                redirect.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict", path="/")
                return redirect
            auth = request.headers.get("authorization")
            cookie = request.cookies.get(TOKEN_COOKIE)
            if auth is not None:
                scheme, _, value = auth.partition(" ")
                if scheme.casefold() != "bearer" or not _same(value.strip(), token):
                    return _error(403, "refused: wrong token")
            elif cookie is not None:
                if not _same(cookie, token):
                    return _error(403, "refused: wrong token")
            else:
                return _error(401, "a token is needed: open the URL the server printed, "
                                   "or send Authorization: Bearer <token>")
        if method in STATE_CHANGING and _has_body(request) and not _is_json(request.headers.get("content-type")):
            return _error(415, "the body must be JSON (Content-Type: application/json)")
        return await call_next(request)


def _plain(value: Any) -> Any:
    """A property value as JSON can hold it (dates as ISO text, tuples as lists, NaN as null)."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):  # a numpy scalar
        return _plain(value.item())
    return str(value)


def _properties(attrs: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _plain(v) for k, v in attrs.items() if k not in _NOT_PROPERTIES and v is not None}


def _node_sources(graph: CampaignGraph, attrs: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every source of a node: its ``sources`` list, then the sources its values are pinned to."""
    ids: list[str] = []
    for s in attrs.get("sources") or ():
        if s not in ids:
            ids.append(s)
    for pinned in provenance.pins(attrs).values():
        for s in pinned:
            if s not in ids:
                ids.append(s)
    out = []
    for s in ids:
        src = graph.sources.get(s)
        out.append({"id": s, "title": src.title if src else None, "publisher": src.publisher if src else None,
                    "licence": src.licence if src else None})
    return out


def _as_of(text: str | None) -> str:
    try:
        return normalise_as_of(text)
    except (ValueError, OverflowError) as e:
        raise HTTPException(422, f"as_of: {text!r}: {e}") from None


def _kinds(text: str | None) -> frozenset[str] | None:
    if not text:
        return None
    out = set()
    for part in text.split(","):
        if not part.strip():
            continue
        k = schema.canonical_node_kind(part)
        if k is None:
            raise HTTPException(422, f"unknown node kind {part.strip()!r} (known: {', '.join(schema.NODE_KINDS)})")
        out.add(k)
    return frozenset(out) or None


def _line(e: BaseException) -> str:
    """An error's text as one line (an answer's ``detail``)."""
    return " ".join(str(e).split())


def _statuses(status: str | None) -> frozenset[str]:
    """The site statuses ``status`` names, as ``coverage --status`` reads them; 422 when it cannot."""
    try:
        return schema.site_statuses(status)
    except CampaignGraphError as e:
        raise HTTPException(422, f"status: {_line(e)}") from None


def resolve_group(graph: CampaignGraph, company: str) -> str:
    """The group root ``company`` names in ``graph``, resolved as ``coverage --company`` resolves
    it: 404 when nothing fits, 409 when several fit equally well (the message lists them)."""
    from exports.cli.query_cmds import resolve_owner

    try:
        return resolve_owner(graph, company, option=None)  # the message then says: give an id
    except CampaignGraphError as e:
        text = _line(e)
        raise HTTPException(404 if text.startswith("no ") else 409, text) from None


def group_graph(app: FastAPI, company: str) -> tuple[CampaignGraph, str]:
    """(the graph a group's coverage reads, the group's root): ``company`` resolved on the app's
    source (:func:`source_of`) by :func:`resolve_group`."""
    try:
        graph, name = source_of(app).coverage_graph(company)
    except CampaignGraphError as e:  # resolved on a server: its answer has the same meaning
        text = _line(e)
        raise HTTPException(404 if text.startswith("no ") else 409, text) from None
    return graph, resolve_group(graph, name)


def serialised(app: FastAPI) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A decorator that runs a route while holding ``app.state.lock`` (one request reads or
    changes the graph at a time); for every route that touches ``app.state.graph``."""

    def serial(route: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(route)
        def run(*args: Any, **kwargs: Any) -> Any:
            with app.state.lock:
                return route(*args, **kwargs)
        return run

    return serial


def create_app(graph: CampaignGraph | Neo4jSource, *, host: str = "127.0.0.1", port: int = 8765,
               token: str | None = None, redact: bool = False, us: Iterable[str] = (),
               data_date: str | None = None, views_dir: str | Path | None = None,
               edits: str | Path | None = None) -> FastAPI:
    """The workbench over ``graph``, served at ``http://host:port`` (for the Host and Origin rules).

    ``graph``: a graph, or a :class:`exports.web.source.Neo4jSource` (``serve bolt://…``: each
    request asks the server for the part it needs; ``app.state.graph`` is then ``None``).
    ``token``: required on every request (see the module docstring); ``redact``: serve
    :func:`exports.redact.redact`'s copy of the graph (for a projector). ``us``: the user's own
    organisation(s) (the snapshot's ``load --us`` setting), never scored as a lever in a briefing;
    ``data_date``: the date a briefing says its data is from (the snapshot's creation date);
    ``views_dir``: the folder of the named views (:mod:`exports.web.views`; None: named views are off);
    ``edits``: the research edits folder (:mod:`exports.edits`; None: edits are off), applied to
    ``graph`` at start (a snapshot's graph only: over Neo4j edits are off).
    """
    source = None
    us = [str(u) for u in us]
    if isinstance(graph, Neo4jSource):
        if edits is not None:
            raise CampaignGraphError("research edits (--edits) need a snapshot folder: over Neo4j the graph is "
                                     "the server's, which the app does not change")
        source, graph = graph, None  # type: ignore[assignment]
        source.redact = source.redact or redact
    base = graph
    if redact and source is None:
        from exports.redact import redact as redacted
        from exports.redact import redacted_id

        us = [redacted_id(graph, u) for u in us]  # as `snapshot --redact` renames the setting
        graph = redacted(graph)
    app = FastAPI(
        title="campaign-graph workbench API",
        summary="Search the graph, read entities with their sources, walk neighbours, ask for a group's coverage.",
        docs_url=None, redoc_url=None, openapi_url="/openapi.json",
    )
    app.state.views_dir = Path(views_dir) if views_dir is not None else None
    app.state.graph = graph  # routes read it per request: research edits may put a new graph here
    app.state.us, app.state.data_date = us, data_date  # what a snapshot says beyond its graph (briefings)
    app.state.source = source  # routes ask source_of(app) for the graph of one question (exports/web/source.py)
    app.state.base_graph, app.state.redacted, app.state.edits_folder = base, redact, edits  # for mount_edits
    _security(app, host, port, token)
    # FastAPI runs these routes on a thread pool; the graph fills its caches (name index,
    # adjacency, day masks) on first use and is not made to be filled by two threads at once:
    # one request reads it at a time (the queries are CPU-bound under the GIL anyway)
    app.state.lock = threading.Lock()
    serial = serialised(app)

    @app.exception_handler(CampaignGraphError)
    async def _bad_input(_request: Request, exc: CampaignGraphError) -> JSONResponse:
        return _error(422, _line(exc))

    @app.get("/api/search", summary="Find nodes by name, alias, former name, identifier or id (ranked as `find`).")
    @serial
    def search(q: str = Query("", description="The text to find."),
               kind: str | None = Query(None, description="Only nodes of this kind (Company, Site, Union...)."),
               limit: int = Query(100, ge=1, le=1000, description="The most results returned.")) -> dict[str, Any]:
        matches = source_of(app).search_graph(schema.canonical_node_kind(kind) if kind else None).find(q, kind)
        return {"results": [{"id": m.id, "kind": m.kind, "name": m.name, "how": m.how} for m in matches[:limit]],
                "total": len(matches)}

    @app.get("/api/nodes/{node_id:path}/neighbours",
             summary=f"Nodes within `hops` (1..{MAX_HOPS}) edges of a node, and the edges between them.")
    @serial
    def neighbours(node_id: str,
                   hops: int = Query(1, ge=1, le=MAX_HOPS, description=f"How many edges away (1..{MAX_HOPS})."),
                   kinds: str | None = Query(None, description="Only neighbours of these node kinds (comma-separated)."),
                   as_of: str | None = Query(None, description="Only edges in force on this date (default: all).")
                   ) -> dict[str, Any]:
        source = source_of(app)
        if not source.has_node(node_id):
            raise HTTPException(404, f"no node with id {node_id!r}")
        day = _as_of(as_of) if as_of else None
        wanted = _kinds(kinds)
        graph = source.neighbours_graph(node_id, hops, wanted, day)
        if not graph.has_node(node_id):  # a server's node that redaction drops
            raise HTTPException(404, f"no node with id {node_id!r}")
        seen = {node_id}
        order = [node_id]
        edges: dict[str, dict[str, Any]] = {}
        frontier = [node_id]
        truncated = False
        for _ in range(hops):
            nxt = []
            for n in frontier:
                for out in (True, False):
                    for eid, u, v, a in (graph.out_edges(n, as_of=day) if out else graph.in_edges(n, as_of=day)):
                        other = v if out else u
                        if other not in seen:
                            if wanted is not None and graph.kind_of(other) not in wanted:
                                continue
                            if len(order) >= MAX_NEIGHBOURS:
                                truncated = True
                                continue
                            seen.add(other)
                            order.append(other)
                            nxt.append(other)
                        if eid not in edges:
                            edges[eid] = {"id": eid, "source": u, "target": v, "kind": a["kind"],
                                          "properties": _properties(a)}
            frontier = nxt
        nodes = []
        for n in order:
            attrs = graph.node(n)
            nodes.append({"id": n, "kind": attrs["kind"], "name": attrs.get("name", n),
                          "properties": _properties(attrs)})
        return {"nodes": nodes, "edges": list(edges.values()), "hops": hops, "truncated": truncated}

    @app.get("/api/nodes/{node_id:path}", summary="One node: kind, name, properties, sources; a site's coverage.")
    @serial
    def node(node_id: str,
             as_of: str | None = Query(None, description="A site's coverage as of this date (default today).")
             ) -> dict[str, Any]:
        source = source_of(app)
        graph = source.node_graph(node_id)
        if not graph.has_node(node_id):
            raise HTTPException(404, f"no node with id {node_id!r}")
        attrs = graph.node(node_id)
        out: dict[str, Any] = {"id": node_id, "kind": attrs["kind"], "name": attrs.get("name", node_id),
                               "properties": _properties(attrs), "sources": _node_sources(graph, attrs)}
        if attrs["kind"] == "Site":
            from exports.tables import table_records
            from queries.coverage import DIMENSIONS, site_coverage

            day = _as_of(as_of)
            [row] = table_records(site_coverage(source.site_graph(node_id, day), node_id, as_of=day))

            out["coverage"] = {d: {"value": row[d], "reason": row[f"{d}_reason"]} for d in DIMENSIONS}
            out["coverage_as_of"] = day
        return out

    @app.get("/api/coverage", summary="Coverage of a company's group, rows as `coverage --format json` prints them.")
    @serial
    def coverage(company: str = Query(..., description="The group's root: name, alias, former name, identifier or id."),
                 as_of: str | None = Query(None, description="Date the answer holds for (default today)."),
                 status: str | None = Query(None, description="Site statuses to count, as `coverage --status`.")
                 ) -> dict[str, Any]:
        from exports.tables import table_records
        from queries.coverage import coverage as coverage_query

        day = _as_of(as_of)
        statuses = _statuses(status)
        graph, root = group_graph(app, company)
        df = coverage_query(graph, root, as_of=day, status=statuses)
        return {"company": root, "as_of": df.attrs["as_of"], "rows": table_records(df)}

    from exports.web.edits import mount_edits; mount_edits(app)  # noqa: I001 (one line per router)
    from exports.web.views import mount_views; mount_views(app)  # noqa: I001
    from exports.web.group import mount_group; mount_group(app)  # noqa: I001
    from exports.web.profile import mount_profile; mount_profile(app)  # noqa: I001
    from exports.web.pages import mount_pages

    mount_pages(app)
    return app
