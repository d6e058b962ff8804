"""A group's pages: the coverage table with its downloads, and the geographic view (issue 19).

:func:`mount_group` adds to the app that :func:`exports.web.app.create_app` builds:

- ``GET /api/coverage.json`` (``.csv``, ``.xlsx``): the rows of ``/api/coverage`` (the
  :func:`queries.coverage.coverage` frame, the rows of ``coverage --format json``) with the
  table's filters applied. ``status`` and ``require`` are ``coverage``'s own options; the
  others pick rows of its answer (:func:`select_rows`): ``country``, ``commodity`` (comma
  lists of exact values, ``unknown`` for none recorded), one parameter per coverage
  dimension (``union_presence=not_covered,unknown``...) and ``q`` (text in the site's name,
  id, operator or parent). The CSV and XLSX files are written by
  :func:`exports.tables.write_table`, the writer of ``coverage --format csv|xlsx``;
- ``GET /api/brief?company=…&format=html|md``: the group's briefing as ``campaign-graph
  brief`` writes it (:func:`exports.brief.build_briefing`, then ``render_html`` /
  ``render_markdown``), as an attachment;
- ``GET /api/geo?company=…``: the group's coverage rows as map points: the sites whose
  coordinates :func:`exports.geo.points_from_coverage` reads (``lat``/``lon``, on the
  globe) and, apart, the sites without them (``unplaced``), never put at 0,0;
- ``/coverage?company=…`` (``templates/coverage.html.j2``, ``static/coverage.js``): the table,
  sortable, filterable, with the downloads; ``/geo?company=…`` (``templates/geo.html.j2``,
  ``static/geo.js``): the map (vendored Leaflet, Leaflet.markercluster, topojson-client and
  the Natural Earth countries of world-atlas; no tile server).

No answer is made here: coverage values, reasons, statuses and coordinates are the queries'.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import pandas as pd
from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from exports.web.app import _as_of, _line, _statuses, group_graph, resolve_group, serialised
from exports.web.source import source_of
from graphmodel import schema
from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph

#: the value the row filters use for "nothing recorded" (a country or commodity that is missing)
UNKNOWN = "unknown"
#: the columns the text filter ``q`` looks in
TEXT_COLUMNS = ("site", "site_id", "operator", "ultimate_parent")
#: media types of the downloads
MEDIA = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "html": "text/html; charset=utf-8", "md": "text/markdown; charset=utf-8"}


def _dimensions() -> tuple[str, ...]:
    from queries.coverage import DIMENSIONS

    return tuple(DIMENSIONS)


def _choices(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split(",") if p.strip()]


def _text(value: Any) -> str | None:
    """A cell as text, ``None`` when nothing is recorded (None, NaN, empty)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return None
    return str(value)


def select_rows(df: pd.DataFrame, *, country: str | None = None, commodity: str | None = None,
                values: dict[str, str] | None = None, q: str | None = None) -> pd.DataFrame:
    """The rows of a coverage frame that the table's filters keep, in the frame's order.

    ``country``, ``commodity``: comma lists of exact values (case-insensitive; ``unknown``
    keeps the rows where none is recorded); ``values``: ``{dimension: "covered,unknown"}``, the
    coverage values kept per dimension; ``q``: text found (case-insensitive) in the site's
    name or id, its operator or its ultimate parent. An empty filter keeps every row.
    """
    keep = pd.Series(True, index=df.index)

    def one_of(column: str, text: str | None) -> None:
        nonlocal keep
        wanted = {c.casefold() for c in _choices(text)}
        if wanted:
            have = df[column].map(lambda v: (_text(v) or UNKNOWN).casefold())
            keep &= have.isin(wanted)

    one_of("country", country)
    one_of("commodity", commodity)
    for dim, text in (values or {}).items():
        wanted = set(_choices(text))
        if wanted:
            keep &= df[dim].isin(wanted)
    if q and q.strip():
        needle = q.strip().casefold()
        hit = pd.Series(False, index=df.index)
        for column in TEXT_COLUMNS:
            hit |= df[column].map(lambda v: needle in (_text(v) or "").casefold())
        keep &= hit
    out = df[keep.to_numpy(dtype=bool)]
    out.attrs = dict(df.attrs)
    return out


def _facet(df: pd.DataFrame, column: str) -> list[str]:
    """The distinct values of ``column`` (``unknown`` for none recorded), sorted; the table's filter choices."""
    vals = {_text(v) or UNKNOWN for v in df[column]}
    return sorted(vals, key=str.casefold)


def _download_name(graph: CampaignGraph, root: str, day: str, suffix: str) -> str:
    """``coverage-<group name>-<date>.<suffix>``: the name as ASCII letters, digits and dashes only
    (a header value can hold no more; the full name is in the file)."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", graph.name_of(root)).strip("-")[:60] or "group"
    return f"{slug}-{day}.{suffix}"


def _attachment(body: bytes | str, fmt: str, filename: str) -> Response:
    return Response(body, media_type=MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def mount_group(app: FastAPI) -> None:
    """Add the group's routes and pages (module docstring) to ``app``."""
    from exports.web.pages import _kind_styles, node_kinds, render

    serial = serialised(app)
    dims = _dimensions()

    def frame(company: str, as_of: str | None, status: str | None, require: str | None
              ) -> tuple[CampaignGraph, str, pd.DataFrame]:
        """(the graph read, root, the group's coverage frame: ``coverage``'s answer with its own options)."""
        from queries.coverage import DEFAULT_REQUIRE
        from queries.coverage import coverage as coverage_query

        day = _as_of(as_of)
        statuses = _statuses(status or None)
        graph, root = group_graph(app, company)
        try:
            df = coverage_query(graph, root, as_of=day, status=statuses,
                                require=require or ",".join(DEFAULT_REQUIRE))
        except CampaignGraphError as e:
            raise HTTPException(422, _line(e)) from None
        return graph, root, df

    def selected(df: pd.DataFrame, request: Request, country: str | None, commodity: str | None,
                 q: str | None) -> pd.DataFrame:
        return select_rows(df, country=country, commodity=commodity,
                           values={d: request.query_params.get(d) or "" for d in dims}, q=q)

    filters_doc = ("Rows kept: `country`, `commodity` (comma lists; `unknown` = none recorded), "
                   "one parameter per coverage dimension (e.g. `union_presence=not_covered,unknown`), "
                   "`q` (text in the site, its id, operator or parent).")

    @app.get("/api/coverage.json", summary="A group's coverage rows with the table's filters, and the filter choices.",
             description=filters_doc)
    @serial
    def coverage_json(request: Request,
                      company: str = Query(..., description="The group's root: name, alias, identifier or id."),
                      as_of: str | None = Query(None, description="Date the answer holds for (default today)."),
                      status: str | None = Query(None, description="Site statuses counted, as `coverage --status`."),
                      require: str | None = Query(None, description="As `coverage --require`."),
                      country: str | None = None, commodity: str | None = None, q: str | None = None
                      ) -> dict[str, Any]:
        from exports.tables import table_records

        graph, root, everything = frame(company, as_of, status, require)
        df = selected(everything, request, country, commodity, q)
        return {"company": root, "name": graph.name_of(root), "as_of": df.attrs["as_of"],
                "status": list(df.attrs.get("status") or ()), "status_excluded": df.attrs.get("status_excluded") or {},
                "require": list(df.attrs.get("require") or ()), "total": len(everything),
                "facets": {"country": _facet(everything, "country"), "commodity": _facet(everything, "commodity")},
                "rows": table_records(df)}

    def table_file(fmt: str) -> Any:
        @serial
        def download(request: Request,
                     company: str = Query(..., description="The group's root: name, alias, identifier or id."),
                     as_of: str | None = Query(None, description="Date the answer holds for (default today)."),
                     status: str | None = Query(None, description="Site statuses counted, as `coverage --status`."),
                     require: str | None = Query(None, description="As `coverage --require`."),
                     country: str | None = None, commodity: str | None = None, q: str | None = None) -> Response:
            import tempfile
            from pathlib import Path

            from exports.tables import write_table

            graph, root, everything = frame(company, as_of, status, require)
            df = selected(everything, request, country, commodity, q)
            with tempfile.TemporaryDirectory(prefix="cg-web-") as tmp:  # the CLI's writer writes files
                body = write_table(df, Path(tmp) / f"coverage.{fmt}", fmt, sheet="coverage").read_bytes()
            name = "coverage-" + _download_name(graph, root, df.attrs["as_of"], fmt)
            return _attachment(body, fmt, name)
        return download

    for fmt in ("csv", "xlsx"):
        app.add_api_route(f"/api/coverage.{fmt}", table_file(fmt), methods=["GET"], response_class=Response,
                          summary=f"A group's coverage rows with the table's filters, as {fmt.upper()} "
                                  f"(`coverage --format {fmt}`'s writer).", description=filters_doc)

    @app.get("/api/brief", response_class=Response,
             summary="The group's briefing as `campaign-graph brief` writes it (HTML or Markdown), as a download.")
    @serial
    def brief(company: str = Query(..., description="The company whose group the briefing is about."),
              format: str = Query("html", pattern="^(html|md)$", description="`html` or `md`."),
              as_of: str | None = Query(None, description="Date the answer holds for (default today)."),
              status: str | None = Query(None, description="Site statuses counted, as `brief --status`.")
              ) -> Response:
        from exports.brief import build_briefing, render_html, render_markdown
        from exports.redact import is_redacted

        day = _as_of(as_of)
        statuses = _statuses(status or None)
        graph = source_of(app).whole_graph()  # the briefing reads leverage too: beyond the group's selection
        root = resolve_group(graph, company)
        # one Markdown file cannot carry the chart files `brief -o X.md` writes beside it: no charts then
        b = build_briefing(graph, root, as_of=day, status=statuses, redacted=is_redacted(graph),
                           us=app.state.us, data_date=app.state.data_date, charts=format == "html")
        text = render_markdown(b) if format == "md" else render_html(b)
        return _attachment(text.encode("utf-8"), format, "brief-" + _download_name(graph, root, b.as_of, format))

    @app.get("/api/geo", summary="A group's sites as map points with their coverage; the sites without coordinates apart.")
    @serial
    def geo(company: str = Query(..., description="The group's root: name, alias, identifier or id."),
            as_of: str | None = Query(None, description="Date the answer holds for (default today)."),
            status: str | None = Query(None, description="Site statuses counted, as `coverage --status`.")
            ) -> dict[str, Any]:
        from exports.geo import points_from_coverage
        from exports.tables import table_records

        graph, root, df = frame(company, as_of, status, None)
        records = table_records(df)
        points = points_from_coverage(df)
        placed, unplaced = [], []
        for p, r in zip(points, records):
            site = {"id": p.id, "name": p.name, "status": r["status"], "status_note": r["status_note"],
                    "country": r["country"], "commodity": r["commodity"], "workforce": r["workforce"],
                    "operator": r["operator"], "operator_id": r["operator_id"], "uncovered": r["uncovered"],
                    "coverage": {d: r[d] for d in dims}}
            if p.placed:
                placed.append({**site, "lat": p.lat, "lon": p.lon})
            else:
                unplaced.append(site)
        return {"company": root, "name": graph.name_of(root), "as_of": df.attrs["as_of"],
                "dimensions": list(dims), "sites": placed, "unplaced": unplaced}

    styles = json.dumps(_kind_styles(), separators=(",", ":"))
    kinds = node_kinds()

    def page(template: str, title: str) -> Any:
        def show(company: str = "", as_of: str = "") -> HTMLResponse:
            name = ""
            if company:
                try:
                    graph, root = group_graph(app, company)
                    name = graph.name_of(root)
                except HTTPException:
                    name = ""  # the script asks the API, which says why
            html = render(template, q="", kind="", kinds=kinds, styles=styles, company=company, as_of=as_of,
                          group_name=name, title=title, dimensions=list(dims),
                          statuses=list(schema.SITE_STATUS), default_statuses=sorted(schema.site_statuses(None)))
            return HTMLResponse(html)
        return serial(show)

    app.add_api_route("/coverage", page("coverage.html.j2", "Coverage"), methods=["GET"],
                      response_class=HTMLResponse, include_in_schema=False)
    app.add_api_route("/geo", page("geo.html.j2", "Map"), methods=["GET"], response_class=HTMLResponse,
                      include_in_schema=False)
