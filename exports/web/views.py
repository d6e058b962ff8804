"""The network view's routes: coverage of the sites shown, named views kept beside the snapshot,
and exports of the view shown (the static map file, GraphML with coverage values).

:func:`mount_views` adds to the app of :func:`exports.web.app.create_app`:

- ``POST /api/coverage/sites`` ``{"ids": [...], "as_of": DATE?}``: each site's coverage values and
  reasons (:func:`queries.coverage.site_coverage`, the entity answer's ``coverage``), so the page can
  filter and colour the sites it shows. A POST because a view's ids (thousands, any characters)
  do not fit a URL;
- ``GET /api/views``, ``GET|PUT|DELETE /api/views/{name}``: named views, one JSON file per name in
  the app's ``views_dir`` (``<snapshot>.views/`` for ``serve SNAPSHOT``), written atomically
  (:func:`graphmodel.atomic.atomic_write`) under a file lock (the ``filelock`` package), names
  checked against :data:`NAME_RULE` so a name is never a path. Without a ``views_dir`` (``serve
  bolt://``) the list is empty with ``"enabled": false``, a view 404, saving or deleting 409, with one line;
- ``POST /api/views/export?format=map|graphml`` ``{"nodes": [...], "edges": [...], "focus": ID?,
  "as_of": DATE?, "title": TEXT?}``: the view as a download: ``map`` is the page ``campaign-graph
  map`` writes (:func:`exports.netmap.render_map` of :func:`exports.netmap.view_of`), ``graphml`` is
  :func:`exports.formats.graphml.to_networkx` of the subgraph with each site's coverage values as
  ``coverage_<dimension>`` attributes (Gephi colours by them).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, HTTPException, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from exports.web.app import _as_of, _line, serialised
from exports.web.source import source_of
from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph

#: a view name: letters (any script), digits, space, ``_ - . ( )``, not starting with a dot or space;
#: so a name is one file name in the views folder, never a path
NAME_RULE = re.compile(r"^(?![.\s])[\w .()-]{1,80}$")
#: the most sites one coverage request may name, and nodes one export may hold
MAX_IDS = 20_000
#: the view file's suffix
SUFFIX = ".view.json"
#: seconds a writer waits for another before giving up
LOCK_TIMEOUT = 10.0


class Pin(BaseModel):
    """A node fixed at a position of the drawing."""

    model_config = ConfigDict(extra="forbid")
    id: str
    x: float
    y: float


class ViewState(BaseModel):
    """What a view holds: the same things as the page's URL fragment (docs/web-pages.md)."""

    model_config = ConfigDict(extra="forbid")
    focus: str = Field(description="The node the view starts from (its entity page).")
    expand: list[str] = Field(default_factory=list, description="Expanded nodes, in the order expanded.")
    expand_kinds: dict[str, list[str]] = Field(
        default_factory=dict, description="Expanded nodes that brought only some kinds: {node: [kinds]}.")
    hide: list[str] = Field(default_factory=list, description="Node kinds hidden.")
    hide_nodes: list[str] = Field(default_factory=list, description="Single nodes hidden.")
    pin: list[Pin] = Field(default_factory=list, description="Nodes fixed at a position.")
    status: list[str] = Field(default_factory=list, description="Site statuses shown (empty: all).")
    coverage: dict[str, list[str]] = Field(
        default_factory=dict, description="Sites shown: {dimension: [values]} (all must hold).")
    country: list[str] = Field(default_factory=list, description="Countries shown (empty: all).")
    commodity: list[str] = Field(default_factory=list, description="Site commodities shown (empty: all).")
    colour: str | None = Field(None, description="The coverage dimension sites are coloured by.")
    as_of: str | None = Field(None, pattern=r"^\d{4}-\d{2}-\d{2}$",
                              description="Edges in force on this date, YYYY-MM-DD (default: all).")
    layout: Literal["force", "hierarchical"] = "force"
    select: str | None = Field(None, description="The node whose details are shown.")


    @field_validator("colour")
    @classmethod
    def _a_dimension(cls, value: str | None) -> str | None:
        from queries.coverage import DIMENSIONS

        if value is not None and value not in DIMENSIONS:
            raise ValueError(f"not a coverage dimension (known: {', '.join(DIMENSIONS)})")
        return value

    @field_validator("coverage")
    @classmethod
    def _dimensions(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        from queries.coverage import DIMENSIONS

        bad = sorted(set(value) - set(DIMENSIONS))
        if bad:
            raise ValueError(f"not coverage dimensions: {', '.join(bad)}")
        return value


class SiteIds(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: list[str] = Field(max_length=MAX_IDS)
    as_of: str | None = None


class ViewExport(BaseModel):
    model_config = ConfigDict(extra="forbid")
    nodes: list[str] = Field(max_length=MAX_IDS)
    edges: list[str] = Field(default_factory=list, max_length=10 * MAX_IDS)
    focus: str | None = None
    as_of: str | None = None
    title: str | None = Field(None, max_length=200)


# ------------------------------------------------------------------ the views folder
class ViewStore:
    """Named views as ``<folder>/<name>.view.json`` files (see the module docstring)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    @staticmethod
    def check_name(name: str) -> str:
        if not NAME_RULE.fullmatch(name) or name != name.strip():
            raise HTTPException(422, "a view name is 1 to 80 letters, digits, spaces or _ - . ( ), "
                                     "not starting with a dot or a space")
        return name

    def _path(self, name: str) -> Path:
        return self.folder / (self.check_name(name) + SUFFIX)

    def _lock(self) -> Any:
        from filelock import FileLock

        return FileLock(self.folder / ".views.lock", timeout=LOCK_TIMEOUT)

    def names(self) -> list[dict[str, Any]]:
        if not self.folder.is_dir():
            return []
        out = []
        for p in sorted(self.folder.glob("*" + SUFFIX)):
            name = p.name[: -len(SUFFIX)]
            if not NAME_RULE.fullmatch(name):
                continue
            try:
                doc = json.loads(p.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue  # a file being replaced or damaged by hand: not listed
            out.append({"name": name, "focus": doc.get("state", {}).get("focus"), "saved": doc.get("saved")})
        return sorted(out, key=lambda v: v["name"].casefold())

    def get(self, name: str) -> dict[str, Any]:
        path = self._path(name)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise HTTPException(404, f"no view named {name!r}") from None
        except (OSError, ValueError):
            raise HTTPException(500, f"the view {name!r} cannot be read (its file is damaged)") from None

    def put(self, name: str, state: ViewState) -> tuple[dict[str, Any], bool]:
        from filelock import Timeout

        from graphmodel.atomic import atomic_write

        path = self._path(name)
        doc = {"name": name, "saved": datetime.now(UTC).isoformat(timespec="seconds"),
               "state": state.model_dump()}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise HTTPException(500, f"cannot make the views folder: {e.strerror}") from None
        try:
            with self._lock():
                created = not path.exists()
                with atomic_write(path, "w") as f:
                    json.dump(doc, f, ensure_ascii=False, indent=1)
                    f.write("\n")
        except Timeout:
            raise HTTPException(409, "another writer holds the views folder; try again") from None
        except CampaignGraphError as e:
            raise HTTPException(409, _line(e)) from None
        return doc, created

    def delete(self, name: str) -> None:
        from filelock import Timeout

        path = self._path(name)
        try:
            with self._lock():
                path.unlink()
        except FileNotFoundError:
            raise HTTPException(404, f"no view named {name!r}") from None
        except Timeout:
            raise HTTPException(409, "another writer holds the views folder; try again") from None


# ------------------------------------------------------------------ exports
def subgraph(graph: CampaignGraph, nodes: list[str], edges: list[str]) -> CampaignGraph:
    """A new graph of these nodes (and the sources they and the edges cite) and of those of these
    edges whose both ends are among the nodes. Built by the graph's own ``add_*`` (validated as
    any graph is); the networkx views of a columnar snapshot would build the whole graph first."""
    from graphmodel import provenance

    sub = CampaignGraph()
    from exports.redact import is_redacted

    if is_redacted(graph):  # the export then says so, as export --redact's files do
        sub.meta.update(graph.meta)
    wanted = list(dict.fromkeys(nodes))
    keep = set(wanted)
    parts = []
    cited: set[str] = set()
    for n in wanted:
        a = dict(graph.node(n))
        parts.append((n, a))
        cited.update(a.get("sources") or ())
        for s in provenance.pins(a).values():
            cited.update(s)
    links = []
    for eid in dict.fromkeys(edges):
        if not graph.has_edge(eid):
            continue
        u, v, a = graph.edge(eid)
        if u in keep and v in keep:
            links.append((eid, u, v, dict(a)))
            cited.update(a.get("sources") or ())
            for s in provenance.pins(a).values():
                cited.update(s)
    for s in sorted(cited):
        if s in graph.sources:
            sub.add_source(graph.sources[s])
    for n, a in parts:
        kind, name = a.pop("kind"), a.pop("name", None)
        srcs = [s for s in a.pop("sources", None) or () if s in sub.sources]
        sub.add_node(n, kind, name, sources=srcs, **{k: v for k, v in a.items() if v is not None})
    for eid, u, v, a in links:
        kind = a.pop("kind")
        srcs = [s for s in a.pop("sources", None) or () if s in sub.sources]
        sub.add_edge(u, v, kind, id=eid, sources=srcs, **{k: v for k, v in a.items() if v is not None})
    return sub


def sites_coverage(graph: CampaignGraph, ids: list[str], day: str) -> dict[str, dict[str, dict[str, Any]]]:
    """``{site: {dimension: {"value", "reason"}}}`` of the sites among ``ids`` (other kinds and
    unknown ids are left out): the rows of :func:`queries.coverage.sites_coverage`."""
    from exports.tables import table_records
    from queries.coverage import DIMENSIONS
    from queries.coverage import sites_coverage as coverage_rows

    sites = [n for n in dict.fromkeys(ids) if graph.has_node(n) and graph.kind_of(n) == "Site"]
    if not sites:
        return {}
    rows = {row["site_id"]: row for row in table_records(coverage_rows(graph, sites, as_of=day))}
    return {n: {d: {"value": rows[n][d], "reason": rows[n][f"{d}_reason"]} for d in DIMENSIONS} for n in sites}


def _download(text: str, media: str, filename: str) -> Response:
    return Response(text.encode("utf-8"), media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def graphml_text(graph: CampaignGraph, nodes: list[str], edges: list[str], day: str) -> str:
    """The view as GraphML: the subgraph (:func:`subgraph`) as ``export --format graphml`` writes a
    graph, its coverage attributes included (each site's values and status named as in the coverage
    JSON, the date as the graph's ``as_of``), from each site's row in its ultimate parent's group."""
    import networkx as nx

    from exports.formats.base import check_xml_safe
    from exports.formats.graphml import coverage_of_rows, to_networkx
    from queries.coverage import sites_coverage as coverage_rows

    sub = subgraph(graph, nodes, edges)
    check_xml_safe(sub, "GraphML")
    g = to_networkx(sub, coverage_of_rows(coverage_rows(graph, list(sub.node_ids("Site")), as_of=day)))
    return "\n".join(nx.generate_graphml(g, encoding="utf-8", prettyprint=True, named_key_ids=False)) + "\n"


def _file_stem(text: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")[:60]
    return stem or "view"


# ------------------------------------------------------------------ routes
def mount_views(app: FastAPI) -> None:
    """Add the routes of the module docstring to ``app`` (its ``state.views_dir``: a folder or None)."""
    serial = serialised(app)

    off = ("named views are off: they are kept beside a snapshot folder, and this server serves none "
           "(serve SNAPSHOT keeps them in SNAPSHOT.views)")

    def store(changing: bool) -> ViewStore:
        folder = getattr(app.state, "views_dir", None)
        if folder is None:
            raise HTTPException(409 if changing else 404, off)
        return ViewStore(Path(folder))

    @app.post("/api/coverage/sites", summary="The coverage values and reasons of the sites among `ids`.")
    @serial
    def coverage_of_sites(body: SiteIds) -> dict[str, Any]:
        day = _as_of(body.as_of)
        graph = app.state.graph
        if graph is not None:
            return {"as_of": day, "sites": sites_coverage(graph, body.ids, day)}
        # over Neo4j (serve bolt://): each site's coverage selection, asked of the server (exports/web/source.py)
        source = source_of(app)
        found: dict[str, Any] = {}
        for site in dict.fromkeys(body.ids):
            node = source.node_graph(site)  # other kinds and unknown ids are left out, as in memory
            if node.has_node(site) and node.kind_of(site) == "Site":
                found.update(sites_coverage(source.site_graph(site, day), [site], day))
        return {"as_of": day, "sites": found}

    @app.get("/api/views", summary="The named views kept beside the snapshot (`enabled`: false when off).")
    def list_views() -> dict[str, Any]:
        # the list answers even when views are off (a page asks it on every load): enabled false, and why
        if getattr(app.state, "views_dir", None) is None:
            return {"views": [], "enabled": False, "detail": off}
        return {"views": store(False).names(), "enabled": True}

    @app.post("/api/views/export", summary="The view shown as a file: the static map (`map`) or GraphML.")
    @serial
    def export_view(body: ViewExport,
                    format: Literal["map", "graphml"] = Query("map", description="map (HTML) or graphml.")
                    ) -> Response:
        graph = app.state.graph if app.state.graph is not None else source_of(app).whole_graph()  # Neo4j: all
        missing = [n for n in body.nodes if not graph.has_node(n)]
        if missing:
            raise HTTPException(404, f"{len(missing)} node id(s) not in the graph, e.g. {missing[0]!r}")
        if body.focus is not None and body.focus not in body.nodes:
            raise HTTPException(422, "focus: not among the nodes")
        day = _as_of(body.as_of)
        focus = body.focus if body.focus is not None else (body.nodes[0] if body.nodes else None)
        title = body.title or (f"Around {graph.name_of(focus)}" if focus is not None else "View")
        stem = _file_stem(f"view-{focus or 'empty'}-{day}")
        if format == "graphml":
            return _download(graphml_text(graph, body.nodes, body.edges, day), "application/graphml+xml",
                             stem + ".graphml")
        from exports.netmap import render_map, view_of

        keep = set(body.nodes)
        edges = [e for e in dict.fromkeys(body.edges) if graph.has_edge(e) and keep.issuperset(graph.edge(e)[:2])]
        view = view_of(graph, list(dict.fromkeys(body.nodes)), edges, title=title,
                       focus=[focus] if focus is not None else [], as_of=day)
        from exports.redact import is_redacted

        return _download(render_map(graph, view, redacted=is_redacted(graph)), "text/html; charset=utf-8", stem + ".html")

    @app.get("/api/views/{name}", summary="One named view: its state and when it was saved.")
    def get_view(name: str) -> dict[str, Any]:
        return store(False).get(name)

    @app.put("/api/views/{name}", summary="Save the view state under a name (201 new, 200 replaced).")
    @serial
    def put_view(name: str, state: ViewState) -> JSONResponse:
        views = store(True)
        if not source_of(app).has_node(state.focus):
            raise HTTPException(422, f"focus: no node with id {state.focus!r}")
        doc, created = views.put(name, state)
        return JSONResponse(doc, status_code=201 if created else 200)

    @app.delete("/api/views/{name}", summary="Forget a named view.")
    def delete_view(name: str) -> Response:
        store(True).delete(name)
        return Response(status_code=204)

