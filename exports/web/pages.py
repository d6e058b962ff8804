"""The workbench's HTML pages and static files (scripts and styles vendored into the package).

:func:`mount_pages` adds to the app that :func:`exports.web.app.create_app` builds:

- ``/``: the search page (``templates/search.html.j2``, ``static/search.js``): a search box
  with a kind filter; the script asks ``/api/search`` and lists the results by kind, each a
  link to its entity page;
- ``/nodes/{id}``: an entity page (``templates/node.html.j2``, ``static/node.js``): the
  node's name and kind are written here; its properties, sources and (for a site) coverage
  dimensions with their reasons come from ``/api/nodes/{id}``; the network view of its
  neighbours (``/api/nodes/{id}/neighbours``) is drawn with the vendored vis-network;
- ``/static/...``: the package's ``static`` folder (the pages' scripts and styles, and
  ``vendor/`` with the vendored libraries and their licences, see ``VENDORED.md`` there).

The pages decide nothing about the graph: every fact comes from the JSON API, which turns
the queries' answers into JSON. Rules that keep the pages safe under the app's
Content-Security-Policy (``script-src 'self'; style-src 'self'``, nothing from outside):
templates are rendered by Jinja2 with autoescaping, so names from public data stay text;
no inline script, style or event handler: scripts are package files, and the little data a
page needs (the node id, the kind colours) travels in ``data-`` attributes; the scripts
build the page with ``textContent`` and ``createElement``, never ``innerHTML`` with data.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2

#: the package folder of the static files served under ``/static``
STATIC_DIR = Path(__file__).resolve().parent / "static"

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("exports.web", "templates"),
    autoescape=True,  # every template is HTML: names from public data stay text
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _kind_styles() -> dict[str, Any]:
    """Colour and shape per node kind, colour per edge kind, label and colour per coverage value:
    the static map's and briefing's (exports.netmap, exports.html), so the app looks like them."""
    from exports.html import COVERAGE_COLOURS, COVERAGE_LABELS
    from exports.netmap import EDGE_COLOURS, KIND_STYLE
    from queries.coverage import DIMENSIONS

    return {"dimensions": list(DIMENSIONS),  # the network view's coverage filter and colours
            "nodes": {k: {"colour": c, "shape": s} for k, (c, s) in KIND_STYLE.items()},
            "edges": dict(EDGE_COLOURS),
            "coverage": {v: {"label": COVERAGE_LABELS[v], "colour": COVERAGE_COLOURS[v]} for v in COVERAGE_LABELS}}


def render(template: str, **context: Any) -> str:
    """A page: ``templates/<template>`` rendered with ``context`` (autoescaped)."""
    return _ENV.get_template(template).render(**context)


def node_kinds() -> list[str]:
    """The node kinds of the schema, in its order (the search page's kind filter)."""
    from graphmodel.schema import NODE_KINDS

    return list(NODE_KINDS)


def property_sources(attrs: Mapping[str, Any]) -> dict[str, list[str]]:
    """``{property: [source ids]}`` of a node's properties: :func:`graphmodel.provenance.sources_of`
    (a value's pinned sources, else every source of the record), for the entity page's Source column."""
    from graphmodel import provenance

    skip = {"kind", "name", "sources", provenance.VALUE_SOURCES}
    return {k: provenance.sources_of(attrs, k) for k, v in attrs.items() if k not in skip and v is not None}


def mount_pages(app: Any) -> None:
    """Add the search page, the entity pages and ``/static`` to ``app`` (a FastAPI app whose
    ``state.graph`` is the served graph)."""
    import json

    from fastapi.responses import HTMLResponse
    from fastapi.staticfiles import StaticFiles

    styles = json.dumps(_kind_styles(), separators=(",", ":"))
    kinds = node_kinds()

    def search_page(q: str = "", kind: str = "") -> HTMLResponse:
        return HTMLResponse(render("search.html.j2", q=q, kind=kind, kinds=kinds, styles=styles))

    def node_page(node_id: str) -> HTMLResponse:
        from exports.web.source import source_of

        graph = source_of(app).node_graph(node_id)  # the snapshot, or the node read from the server
        if not graph.has_node(node_id):
            html = render("missing.html.j2", q="", kind="", kinds=kinds, styles=styles, node_id=node_id)
            return HTMLResponse(html, status_code=404)
        attrs: Mapping[str, Any] = graph.node(node_id)
        html = render("node.html.j2", q="", kind="", kinds=kinds, styles=styles, node_id=node_id,
                      node_kind=attrs["kind"], name=attrs.get("name") or node_id,
                      property_sources=json.dumps(property_sources(attrs), separators=(",", ":")))
        return HTMLResponse(html)

    app.add_api_route("/", search_page, methods=["GET"], response_class=HTMLResponse, include_in_schema=False)
    # ``:path`` so an id with "/" (sent as %2F, which the server decodes) still names one node
    app.add_api_route("/nodes/{node_id:path}", node_page, methods=["GET"], response_class=HTMLResponse,
                      include_in_schema=False)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
