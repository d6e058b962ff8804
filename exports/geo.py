"""Geographic view: a group's sites on a world map, coloured by coverage, fully offline.

The basemap is the Natural Earth I shaded-relief raster (public domain) that Cartopy ships
inside its package (``cartopy/data/raster/natural_earth``): a plate carrée image, so a
site's pixel is a linear function of its longitude and latitude, and no tile server or
download is ever needed. Only that file is used; Cartopy itself is not imported.

Two outputs:

- :func:`render_png`: a matplotlib figure (also embedded in the briefing);
- :func:`render_html`: one self-contained page, the basemap crop as a ``data:`` image under
  an SVG layer of site markers whose tooltips are SVG ``<title>`` text, plus a table.

Examples
--------
>>> pts = [SitePoint("a", "Site A", 51.2, 6.8, "covered", country="DE")]
>>> box = extent_for(pts)
>>> box.west < 6.8 < box.east and box.south < 51.2 < box.north
True
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from exports.html import (
    COVERAGE_COLOURS,
    COVERAGE_LABELS,
    EXPOSURE_COLOURS,
    EXPOSURE_LABELS,
    data_uri,
    fmt,
    json_data_element,
    render,
    static_text,
    table,
    trusted,
)
from graphmodel.atomic import atomic_write_bytes, atomic_write_text
from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.values import normalise_as_of

BASEMAP_ATTRIBUTION = "Basemap: Natural Earth I shaded relief (public domain), as shipped with Cartopy"
STATUSES = ("not_covered", "unknown", "covered")  # drawing order: gaps on top
#: ``--colour exposure``: a site's most pressing exposure (queries.transition) -> (colour, label), legend order
EXPOSURE_PALETTE: dict[str, tuple[str, str]] = {k: (EXPOSURE_COLOURS[k], EXPOSURE_LABELS[k]) for k in EXPOSURE_COLOURS}


@dataclass(frozen=True)
class SitePoint:
    """One site to draw."""

    id: str
    name: str
    lat: float | None
    lon: float | None
    status: str = "unknown"
    country: str = ""
    commodity: str = ""
    workforce: float | None = None
    operator: str = ""
    reasons: str = ""
    #: the site's own status (operating, idle, ... or unknown), as in the schema
    site_status: str = "unknown"
    #: e.g. listed operating past its closure year (``queries.coverage.status_note``)
    status_note: str = ""

    @property
    def placed(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass(frozen=True)
class Extent:
    west: float
    east: float
    south: float
    north: float


def site_status(row: dict[str, Any]) -> str:
    """A coverage row's one-word status: ``not_covered`` when a dimension asked for is a
    recorded gap, ``covered`` when all are covered, ``unknown`` otherwise."""
    if bool(row.get("uncovered")):
        return "not_covered"
    dims = [row.get(d) for d in ("union_presence", "recognition", "cba") if d in row]
    if dims and all(d == "covered" for d in dims):
        return "covered"
    return "unknown"


def _num(v: Any) -> float | None:
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def points_from_coverage(rows: Any) -> list[SitePoint]:
    """Site points from ``queries.coverage.coverage`` rows (columns per its contract)."""
    out = []
    for r in rows.to_dict("records") if len(rows) else []:
        lat, lon = _num(r.get("lat")), _num(r.get("lon"))
        if lat is not None and not -90 <= lat <= 90 or lon is not None and not -180 <= lon <= 180:
            lat = lon = None  # a coordinate off the globe is not drawn (listed as unplaced)
        reasons = r.get("reasons")
        if isinstance(reasons, (list, tuple)):
            reasons = "; ".join(str(x) for x in reasons)
        out.append(SitePoint(
            id=str(r["site_id"]), name=str(r.get("site") or r["site_id"]), lat=lat, lon=lon,
            status=site_status(r), country=str(r.get("country") or ""), commodity=str(r.get("commodity") or ""),
            workforce=_num(r.get("workforce")), operator=str(r.get("operator") or r.get("operator_id") or ""),
            reasons=str(reasons or ""), site_status=str(r.get("status") or "unknown"),
            status_note=str(r.get("status_note") or ""),
        ))
    return out


def statuses_text(attrs: Any) -> str:
    """One sentence on which site statuses a coverage frame counts and which it left out (from its attrs)."""
    counted = list(attrs.get("status") or ())
    if not counted:
        return ""
    text = f"Site statuses counted: {', '.join(counted)}."
    left = attrs.get("status_excluded") or {}
    if left:
        text += " Left out: " + ", ".join(f"{k} {v}" for k, v in left.items()) + " (--status all shows them)."
    return text


def group_points(graph: CampaignGraph, company: str, *, as_of: Any = None,
                 status: Any = None) -> tuple[str, list[SitePoint]]:
    """``(root id, points)`` for a company's group, coverage from ``queries.coverage`` (``status`` as there)."""
    root, points, _text = _group_points(graph, company, as_of=as_of, status=status)
    return root, points


def _group_points(graph: CampaignGraph, company: str, *, as_of: Any, status: Any) -> tuple[str, list[SitePoint], str]:
    from queries.coverage import coverage

    root = graph.resolve(company, "Company")
    rows = coverage(graph, root, as_of=normalise_as_of(as_of), status=status)
    return root, points_from_coverage(rows), statuses_text(rows.attrs)


def exposure_points(graph: CampaignGraph, root: str, points: Sequence[SitePoint], *, as_of: Any,
                    status: Any) -> list[SitePoint]:
    """``points`` with ``status`` set to the site's most pressing exposure (:data:`EXPOSURE_PALETTE` order)."""
    from dataclasses import replace

    from queries.transition import most_pressing, transition

    df = transition(graph, root, as_of=as_of, status=status)
    worst = {s: most_pressing(ex) for s, ex in zip(df["site_id"], df["exposure"])}
    return [replace(p, status=worst.get(p.id, "none")) for p in points]


def _palette(palette: dict[str, tuple[str, str]] | None) -> tuple[dict[str, tuple[str, str]], list[str], list[str]]:
    """(palette, legend order, drawing order: last on top); coverage's when ``palette`` is None."""
    if palette is None:
        cov = {st: (COVERAGE_COLOURS[st], COVERAGE_LABELS[st]) for st in ("covered", "not_covered", "unknown")}
        return cov, ["covered", "not_covered", "unknown"], list(STATUSES)
    return palette, list(palette), list(palette)[::-1]


# --------------------------------------------------------------------------- basemap
def _basemap_path() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("cartopy")
    if spec is None or not spec.submodule_search_locations:
        raise CampaignGraphError("the geographic view needs the package 'cartopy' (its bundled Natural Earth image)")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "raster" / "natural_earth" / (
        "50-natural-earth-1-downsampled.png")
    if not path.is_file():
        raise CampaignGraphError(f"the Natural Earth image is missing from cartopy ({path})")
    return path


@lru_cache(maxsize=1)
def _basemap() -> Any:
    import matplotlib.image as mpimg

    return mpimg.imread(_basemap_path())  # (rows, cols, 3), plate carrée, whole globe


def extent_for(points: Iterable[SitePoint], *, min_lon_span: float = 50.0, min_lat_span: float = 28.0) -> Extent:
    """A box around the placed points with a margin, at least ``min_*_span`` degrees, inside the globe."""
    placed = [p for p in points if p.placed]
    if not placed:
        return Extent(-180.0, 180.0, -60.0, 80.0)
    lons = [p.lon for p in placed]
    lats = [p.lat for p in placed]
    w, e = min(lons), max(lons)  # type: ignore[type-var]
    s, n = min(lats), max(lats)  # type: ignore[type-var]
    lon_span = max(e - w + 30.0, min_lon_span)
    lat_span = max(n - s + 18.0, min_lat_span)
    # keep a 2:1 box (the raster's aspect) so circles stay round
    if lon_span < 2 * lat_span:
        lon_span = 2 * lat_span
    else:
        lat_span = lon_span / 2
    lon_span, lat_span = min(lon_span, 360.0), min(lat_span, 180.0)
    cx, cy = (w + e) / 2, (s + n) / 2
    west = min(max(cx - lon_span / 2, -180.0), 180.0 - lon_span)
    south = min(max(cy - lat_span / 2, -90.0), 90.0 - lat_span)
    return Extent(west, west + lon_span, south, south + lat_span)


def _pixel_box(extent: Extent) -> tuple[int, int, int, int]:
    """``(row0, row1, col0, col1)`` of the basemap pixels covering ``extent``, inside the image."""
    rows, cols = _basemap().shape[:2]
    c0 = max(math.floor((extent.west + 180.0) / 360.0 * cols), 0)
    c1 = min(math.ceil((extent.east + 180.0) / 360.0 * cols), cols)
    r0 = max(math.floor((90.0 - extent.north) / 180.0 * rows), 0)
    r1 = min(math.ceil((90.0 - extent.south) / 180.0 * rows), rows)
    return r0, r1, c0, c1


def basemap_crop(extent: Extent) -> Any:
    """The basemap pixels inside ``extent`` (numpy array)."""
    r0, r1, c0, c1 = _pixel_box(extent)
    return _basemap()[r0:r1, c0:c1]


def _crop_extent(extent: Extent) -> Extent:
    """The extent of :func:`basemap_crop` after snapping to whole pixels."""
    rows, cols = _basemap().shape[:2]
    r0, r1, c0, c1 = _pixel_box(extent)
    return Extent(c0 / cols * 360.0 - 180.0, c1 / cols * 360.0 - 180.0, 90.0 - r1 / rows * 180.0,
                  90.0 - r0 / rows * 180.0)


def _marker_area(workforce: float | None) -> float:
    if workforce is None or workforce <= 0:
        return 40.0
    return float(min(40.0 + 4.0 * math.sqrt(workforce), 500.0))


def _counts(points: Sequence[SitePoint], keys: Iterable[str] = ("covered", "not_covered", "unknown")) -> dict[str, int]:
    return {st: sum(1 for p in points if p.status == st) for st in keys}


def _sized(drawn: Sequence[SitePoint]) -> bool:
    """Whether marker sizes say anything: a drawn site has a known workforce (else all are one size)."""
    return any(p.workforce is not None and p.workforce > 0 for p in drawn)


def render_png(points: Sequence[SitePoint], title: str, *, width_in: float = 9.0, dpi: int = 110,
               palette: dict[str, tuple[str, str]] | None = None) -> bytes:
    """The sites on the basemap as PNG bytes; marker area grows with the workforce.

    >>> png = render_png([SitePoint("a", "Site A", 51.2, 6.8, "covered")], "Acme")
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    extent = _crop_extent(extent_for(points))
    fig = Figure(figsize=(width_in, width_in * 0.56), dpi=dpi)
    ax = fig.add_axes((0.02, 0.1, 0.96, 0.82))
    ax.imshow(basemap_crop(extent), extent=(extent.west, extent.east, extent.south, extent.north),
              interpolation="bilinear", origin="upper")
    pal, legend_order, draw_order = _palette(palette)
    for st in draw_order:
        sel = [p for p in points if p.placed and p.status == st]
        if sel:
            ax.scatter([p.lon for p in sel], [p.lat for p in sel], s=[_marker_area(p.workforce) for p in sel],
                       c=pal[st][0], edgecolors="white", linewidths=0.8, alpha=0.9, zorder=3)
    ax.set_xlim(extent.west, extent.east)
    ax.set_ylim(extent.south, extent.north)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=11)
    drawn = [p for p in points if p.placed]
    counts = _counts(drawn, legend_order)
    # a legend entry for each colour drawn, and only those (as the network map's legend)
    handles = [Line2D([], [], marker="o", linestyle="", markersize=8, markerfacecolor=pal[st][0],
                      markeredgecolor="white", label=f"{pal[st][1]} ({counts[st]})")
               for st in legend_order if counts[st]]
    if handles:
        ax.legend(handles=handles, loc="lower left", fontsize=8, framealpha=0.85, title="sites", title_fontsize=8)
    unplaced = len(points) - len(drawn)
    foot = BASEMAP_ATTRIBUTION + "." + (" Marker size: workforce." if _sized(drawn) else "")
    if unplaced:
        foot += f" {unplaced} site(s) have no coordinates and are not drawn."
    fig.text(0.02, 0.03, foot, fontsize=7, color="#444")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def _png_of_array(arr: Any) -> bytes:
    import matplotlib.image as mpimg

    buf = io.BytesIO()
    mpimg.imsave(buf, arr, format="png", metadata={"Software": None})
    return buf.getvalue()




def render_html(points: Sequence[SitePoint], title: str, *, as_of: str = "", redacted: bool = False,
                status_text: str = "", palette: dict[str, tuple[str, str]] | None = None) -> str:
    """A self-contained page: basemap crop, SVG site markers with text tooltips, legend and table."""
    extent = _crop_extent(extent_for(points))
    crop = basemap_crop(extent)
    h_px, w_px = crop.shape[:2]
    scale = max(1, math.ceil(1000 / max(w_px, 1)))
    width, height = w_px * scale, h_px * scale

    def xy(p: SitePoint) -> tuple[float, float]:
        x = (p.lon - extent.west) / (extent.east - extent.west) * width  # type: ignore[operator]
        y = (extent.north - p.lat) / (extent.north - extent.south) * height  # type: ignore[operator]
        return round(x, 2), round(y, 2)

    markers = []
    pal, legend_order, draw_order = _palette(palette)
    what = "coverage" if palette is None else "exposure"
    order = {st: i for i, st in enumerate(("covered", "unknown", "not_covered") if palette is None else draw_order)}
    placed = [p for p in points if p.placed]
    for p in sorted(placed, key=lambda p: order.get(p.status, 0)):
        x, y = xy(p)
        r = round(math.sqrt(_marker_area(p.workforce)) * 0.55 * width / 1000, 2)
        tip = "\n".join(filter(None, [
            p.name, f"{what}: {pal[p.status][1] if p.status in pal else p.status}",
            f"country: {p.country}" if p.country else "", f"commodity: {p.commodity}" if p.commodity else "",
            f"workforce: {fmt(p.workforce)}" if p.workforce is not None else "workforce: unknown",
            f"operator: {p.operator}" if p.operator else "", f"status: {p.site_status}", p.status_note, p.reasons,
        ]))
        markers.append({"status": p.status, "id": p.id, "x": x, "y": y, "r": r, "tip": tip,
                        "fill": pal[p.status][0] if p.status in pal else "#9e9e9e"})
    counts = _counts(points, legend_order)
    drawn = _counts(placed, legend_order)
    # a legend entry for each colour drawn (with its markers), and only those
    legend = [{"colour": pal[st][0], "label": pal[st][1], "count": drawn[st]} for st in legend_order if drawn[st]]
    unplaced = [p for p in points if not p.placed]
    rows = [(p.name, p.country, p.commodity, p.workforce, p.operator,
             (COVERAGE_LABELS if palette is None else {k: v[1] for k, v in pal.items()}).get(p.status, p.status),
             p.site_status, "; ".join(filter(None, [p.status_note, "" if p.placed else "no coordinates"])))
            for p in points]
    sites_table = table(rows, ["site", "country", "commodity", "workforce", "operator", what, "status", "note"],
                        numeric=[3], classes={5: lambda v: "st-" + {"not covered": "not_covered"}.get(v, v)})
    return render(
        "geo.html.j2", title=title, style=static_text("geo.css"), redacted=redacted, n_sites=len(points),
        as_of=as_of, n_unplaced=len(unplaced), status_text=status_text, legend=legend,
        sized=_sized(placed), width=width,
        height=height, basemap=data_uri(_png_of_array(crop)), markers=markers, attribution=BASEMAP_ATTRIBUTION,
        sites_table=trusted(sites_table),
        data_element=trusted(json_data_element("geo-data", {"sites": len(points),
                                                            "drawn": len(points) - len(unplaced), **counts})),
    )


def write_geo(graph: CampaignGraph, company: str, path: str | os.PathLike[str], *, as_of: Any = None,
              redact_output: bool = False, title: str | None = None, status: Any = None,
              colour: str = "coverage") -> list[SitePoint]:
    """Write the group's sites map to ``path`` (``.html`` or ``.png``), atomically; returns the points.

    ``redact_output`` redacts the graph first (``exports.redact.redact``); ``status`` picks the
    site statuses drawn, as :func:`queries.coverage.coverage`. ``colour="exposure"`` colours the
    sites by their transition exposure (:data:`EXPOSURE_PALETTE`) instead of coverage.
    """
    if colour not in ("coverage", "exposure"):
        raise CampaignGraphError(f"unknown colour {colour!r} (use coverage or exposure)")
    suffix = Path(path).suffix.lower()
    if suffix not in (".html", ".htm", ".png"):
        raise CampaignGraphError(f"{path}: the geographic view is written as .html or .png")
    if redact_output:
        from exports.redact import redact, redacted_id

        company = redacted_id(graph, company)
        graph = redact(graph)
    day = normalise_as_of(as_of)
    root, points, status_text = _group_points(graph, company, as_of=day, status=status)
    palette = None
    if colour == "exposure":
        points, palette = exposure_points(graph, root, points, as_of=day, status=status), EXPOSURE_PALETTE
    heading = title or f"Sites of the {graph.name_of(root)} group by {colour}"
    if suffix == ".png":
        atomic_write_bytes(path, render_png(points, heading + (" (redacted)" if redact_output else ""),
                                            palette=palette))
    else:
        atomic_write_text(path, render_html(points, heading, as_of=day, redacted=redact_output,
                                            status_text=status_text, palette=palette))
    return points
