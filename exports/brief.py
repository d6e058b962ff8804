"""Briefing report: one page on a company's group that a planner can hand to a union officer.

Sections: the data date and ``as_of``; key figures; a small map of the sites; the ownership
tree; the sites with their capacity by product (never one figure summed across products) and
each coverage dimension (``unknown`` shown apart from ``not covered``); summaries by country
and commodity with workers, and their charts; leverage points; the bargaining calendar; the
sources with their licences and attribution.

Everything comes from the public query functions (``queries.ownership``, ``.coverage``,
``.leverage``, ``.calendar``); this module only lays it out. Every value is escaped for the
output it goes into: HTML by the template; Markdown by :func:`md`, which escapes only what
Markdown would read as markup, where it would (see there). Charts and the map are PNGs made
with matplotlib: the HTML page embeds them as ``data:`` URIs (self-contained, offline); the
Markdown briefing links them as files in a folder beside it (``tk.md`` -> ``tk-charts/``), so its
text stays small. Countries are shown by name with their code ("Germany (DE)", :func:`country_label`);
the sources marked confidential are marked in the source list of an unredacted briefing, which
says at the top that it holds confidential material.

Examples
--------
>>> from graphmodel.graph import CampaignGraph
>>> from graphmodel.records import Source
>>> g = CampaignGraph()
>>> g.add_source(Source("s", title="Fictional register", licence="CC0-1.0"))
>>> _ = g.add_node("acme", "Company", "Acme Steel", sources=["s"])
>>> b = build_briefing(g, "Acme Steel", as_of="2026-01-01", charts=False)
>>> "Acme Steel" in render_html(b) and render_markdown(b).startswith("# Briefing: Acme Steel group")
True
"""

from __future__ import annotations

import io
import math
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd

from exports.html import COVERAGE_COLOURS, COVERAGE_LABELS, data_uri, fmt, render, static_text
from graphmodel.atomic import atomic_write_bytes, atomic_write_text
from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.records import Source
from graphmodel.values import normalise_as_of

MAX_SITE_ROWS = 300
MAX_TREE_NODES = 250
MAX_LEVERAGE_ROWS = 25
MAX_CALENDAR_ROWS = 60
MAX_CHART_BARS = 12
MAX_TRANSITION_ROWS = 60
DIMENSIONS = ("union_presence", "recognition", "cba", "gfa", "hs_agreement", "network")
DIMENSION_LABELS = {"union_presence": "union", "recognition": "recognised", "cba": "CBA", "gfa": "GFA",
                    "hs_agreement": "H&S agr.", "network": "network", "notes": "gaps and what needs research",
                    "capacity_by_product": "capacity"}
_HIDDEN_COLUMNS = {"evidence", "sources", "factors"}


@lru_cache(maxsize=512)
def _country_name(code: str) -> str | None:
    import pycountry

    c = pycountry.countries.get(alpha_2=code.upper()) if len(code) == 2 else None
    return None if c is None else getattr(c, "common_name", None) or c.name


def country_label(code: Any) -> str:
    """A country code for display: its short English name with the code, from ``pycountry``
    (ISO 3166-1); a code it does not know, or no code, as it is.

    >>> country_label("DE"), country_label("TW"), country_label("XK"), country_label(None)
    ('Germany (DE)', 'Taiwan (TW)', 'XK', '')
    """
    text = fmt(code)
    name = _country_name(text) if text.isalpha() else None
    return f"{name} ({text})" if name else text


@dataclass
class Briefing:
    """Everything a briefing shows, computed once and rendered as HTML or Markdown."""

    root: str
    name: str
    as_of: str
    data_date: str
    generated: str
    redacted: bool
    ultimate_parent: Any
    ultimate_parent_names: str
    group: pd.DataFrame
    sites: pd.DataFrame
    by_country: pd.DataFrame
    by_commodity: pd.DataFrame
    leverage: pd.DataFrame
    calendar: pd.DataFrame
    calendar_note: str
    sources: list[Source]
    map_png: bytes | None = None
    charts: dict[str, bytes] = field(default_factory=dict)
    #: which site statuses the briefing counts and how many sites it left out by status
    status_text: str = ""
    #: sites facing closure or conversion (queries.transition) and their totals by country
    transition: pd.DataFrame = field(default_factory=pd.DataFrame)
    transition_by_country: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def title(self) -> str:
        return f"Briefing: {self.name} group"

    @property
    def confidential_sources(self) -> list[Source]:
        """The sources listed that are marked confidential (none once redacted: redaction drops them)."""
        return [s for s in self.sources if s.confidential]


# --------------------------------------------------------------------------- building
def _data_date(sources: Sequence[Source], data_date: str | None) -> str:
    """'sources retrieved up to …; snapshot of …' from the cited sources' dates and the snapshot's."""
    retrieved = [s.retrieved for s in sources if s.retrieved]
    parts = [f"sources retrieved up to {max(retrieved)}" if retrieved else "retrieval dates not recorded"]
    loaded = [s.loaded for s in sources if s.loaded]
    if data_date:
        parts.append(f"snapshot of {data_date}")
    elif loaded:
        parts.append(f"loaded {max(loaded)}")
    return "; ".join(parts)


def _calendar(graph: CampaignGraph, root: str, day: str, lev: pd.DataFrame,
              status: Any = None) -> tuple[pd.DataFrame, str]:
    try:
        from queries.calendar import bargaining_calendar
    except ImportError:
        # the calendar query is a separate module; until it is installed the leverage
        # query's own bargaining-calendar points say which agreements expire together
        part = lev[lev["category"].astype(str).str.contains("calendar")] if len(lev) else lev
        cols = [c for c in ("node", "explanation") if c in part.columns]
        return part[cols].reset_index(drop=True), "From the leverage points (bargaining calendar category)."
    return bargaining_calendar(graph, root, as_of=day, status=status), ""


#: the values of a site a briefing shows (table, map, coverage dimensions read from the site record)
SITE_FACTS = ("name", "country", "commodity", "workforce", "status", "lat", "lon", "union_status",
              "union_status_date", "cba_status", "cba_status_date")


def _cited_sources(graph: CampaignGraph, day: str, members: pd.DataFrame, up: Any, rows: pd.DataFrame,
                   lev: pd.DataFrame, cal: pd.DataFrame) -> list[str]:
    """The source ids of the facts the briefing shows, collected from the query answers (not
    the rendered text): the group's ownership edges and names, the chain to the ultimate
    parent, each site's operator edge, values and coverage evidence, the leverage points
    shown and the calendar's agreements. Each value is cited by the sources that set it
    (per-value pins; see :mod:`queries.citations`)."""
    from queries.citations import Citations

    c = Citations(graph)
    for r in members.to_dict("records") if len(members) else []:
        c.evidence(r.get("evidence") or [])
        c.node(str(r["id"]), ("name",))
    chain = list(getattr(up, "chain", None) or [])
    for child, parent in pairwise(chain):
        for eid, u, _v, _a in graph.in_edges(child, "OWNS", as_of=day):
            if u == parent:
                c.edge(eid)
    for n in chain:
        c.node(n, ("name",))
    for r in rows.to_dict("records") if len(rows) else []:
        site, op = r["site_id"], r.get("operator_id")
        if isinstance(op, str) and op:
            for eid, u, _v, _a in graph.in_edges(site, "OPERATES", as_of=day):
                if u == op:
                    c.edge(eid)
        c.evidence(r.get("evidence") or [])
        c.node(site, SITE_FACTS)
        if isinstance(op, str) and op:
            c.node(op, ("name",))
    for r in lev.head(MAX_LEVERAGE_ROWS).to_dict("records") if len(lev) else []:
        c.add(r.get("sources") or [])
    for r in cal.head(MAX_CALENDAR_ROWS).to_dict("records") if len(cal) else []:
        if isinstance(r.get("agreement_id"), str):
            c.node(r["agreement_id"])
    return sorted(s for s in c.ids if s in graph.sources)


def build_briefing(graph: CampaignGraph, company: str, *, as_of: Any = None, data_date: str | None = None,
                   redacted: bool = False, charts: bool = True, status: Any = None,
                   us: Iterable[str] | None = None) -> Briefing:
    """Run the queries a briefing needs for ``company``'s group.

    ``charts=False`` skips the matplotlib images (map and charts), e.g. for a quick text brief.
    ``status`` picks the sites counted by their status, as :func:`queries.coverage.coverage`
    (default: workplaces that exist and sites of unknown status).
    ``us``: the user's own organisation(s), never scored as a lever (see ``queries.leverage``).
    The sources listed are those of the facts shown, nothing else.
    """
    from queries.coverage import coverage, coverage_summary
    from queries.leverage import leverage
    from queries.ownership import group, ultimate_parent

    day = normalise_as_of(as_of)
    root = graph.resolve(company, "Company")
    members = group(graph, root, as_of=day)
    rows = coverage(graph, root, as_of=day, status=status)
    lev = leverage(graph, root, as_of=day, us=us, status=status)
    cal, cal_note = _calendar(graph, root, day, lev, status)
    up = ultimate_parent(graph, root, as_of=day)
    from queries.transition import transition, transition_summary

    trans = transition(graph, root, as_of=day, status=status)
    ids = _cited_sources(graph, day, members, up, rows, lev, cal)
    ids += sorted({s for r in trans["sources"] for s in r or [] if s in graph.sources and s not in ids})
    cited = [graph.sources[s] for s in ids]
    b = Briefing(
        root=root, name=graph.name_of(root), as_of=day, data_date=_data_date(cited, data_date),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), redacted=redacted,
        ultimate_parent=up, ultimate_parent_names=" > ".join(graph.name_of(c) for c in (up.chain or [root])),
        group=members, sites=_with_capacity(graph, _with_notes(rows)),
        by_country=coverage_summary(rows, by="country"), by_commodity=coverage_summary(rows, by="commodity"),
        leverage=lev, calendar=cal, calendar_note=cal_note, sources=cited,
        status_text=_statuses_text(rows.attrs),
        transition=trans, transition_by_country=transition_summary(trans),
    )
    if charts:
        from exports.geo import points_from_coverage, render_png

        b.map_png = render_png(points_from_coverage(rows), f"Sites of the {b.name} group", width_in=7.5, dpi=100)
        b.charts = {
            "country": _chart(b.by_country, "country", "Workers by coverage, by country"),
            "commodity": _chart(b.by_commodity, "commodity", "Workers by coverage, by commodity"),
        }
        if len(trans):
            b.charts["transition"] = _transition_chart(b.transition_by_country)
    return b


def _statuses_text(attrs: Any) -> str:
    counted = list(attrs.get("status") or ())
    left = attrs.get("status_excluded") or {}
    text = ", ".join(counted)
    if left:
        text += "; left out: " + ", ".join(f"{k} {v}" for k, v in left.items())
    return text


#: the Site's capacity properties the briefing carries as data (by product for steel)
CAPACITY_COLUMNS = ("capacity_crude_steel", "capacity_crude_steel_pre_retirement", "capacity_iron",
                    "capacity_iron_pre_retirement", "capacity_incomplete", "capacity", "capacity_unit")
_PRODUCT_LABELS = (("crude_steel", "crude steel"), ("iron", "iron"))


def _with_capacity(graph: CampaignGraph, rows: pd.DataFrame) -> pd.DataFrame:
    """Add the sites' capacity properties (:data:`CAPACITY_COLUMNS`) from the graph, as data."""
    attrs = [graph.node(str(s)) for s in rows["site_id"]] if len(rows) else []
    return rows.assign(**{c: pd.Series([a.get(c) for a in attrs], index=rows.index, dtype=object)
                          for c in CAPACITY_COLUMNS})


def _num(v: Any) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def capacity_text(r: dict[str, Any]) -> str:
    """A site's capacity for display: by product, never summed across products.

    >>> capacity_text({"capacity_crude_steel": 4300.0, "capacity_iron": 3100.0, "capacity_iron_pre_retirement": 1200.0})
    'crude steel 4,300 ttpa; iron 3,100 ttpa (of which 1,200 pre-retirement)'
    >>> capacity_text({"capacity_iron": 750.0, "capacity_incomplete": ["iron"]})
    'iron at least 750 ttpa (a unit of unknown capacity)'
    """
    raw = r.get("capacity_incomplete")
    incomplete = raw.split(";") if isinstance(raw, str) else list(raw) if raw is not None else []
    parts = []
    for key, label in _PRODUCT_LABELS:
        total, pre = _num(r.get(f"capacity_{key}")), _num(r.get(f"capacity_{key}_pre_retirement"))
        if total is None:
            if key in incomplete:
                parts.append(f"{label} unknown (a unit of unknown capacity)")
            continue
        text = f"{label} {'at least ' if key in incomplete else ''}{fmt(total)} ttpa"
        notes = [f"of which {fmt(pre)} pre-retirement"] if pre is not None else []
        if key in incomplete:
            notes.append("a unit of unknown capacity")
        parts.append(text + (f" ({'; '.join(notes)})" if notes else ""))
    if not parts and r.get("commodity") != "steel" and _num(r.get("capacity")) is not None:
        # other trackers' single capacity (a coal mine's Mtpa, an iron ore mine's design ttpa)
        parts.append(f"{fmt(_num(r.get('capacity')))} {r.get('capacity_unit') or ''}".strip())
    return "; ".join(parts)


def _with_notes(rows: pd.DataFrame) -> pd.DataFrame:
    """Add ``notes``: the reason behind each recorded gap of a core dimension (union, recognition,
    CBA), then, in one short phrase, the dimensions that are unknown and need research."""
    if rows.empty:
        return rows.assign(notes=pd.Series(dtype=str))
    notes = []
    for r in rows.to_dict("records"):
        parts = [str(r["status_note"])] if r.get("status_note") else []
        for d in DIMENSIONS[:3]:
            if r.get(d) == "not_covered":
                reason = r.get(f"{d}_reason")
                parts.append(f"{DIMENSION_LABELS[d]}: {reason}" if reason else f"{DIMENSION_LABELS[d]}: gap recorded")
        unknown = [DIMENSION_LABELS[d] for d in DIMENSIONS if r.get(d) == "unknown"]
        if unknown:
            parts.append("research needed: " + ", ".join(unknown))
        notes.append("; ".join(parts))
    return rows.assign(notes=notes)


#: the PNG text chunk the briefing's own charts carry: a rerun removes a chart file it no longer
#: makes only when the file carries it (a file of the same name made by someone else stays)
CHART_MARK = {"Software": "campaign-graph brief"}


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata=CHART_MARK)
    return buf.getvalue()


def _chart(summary: pd.DataFrame, key: str, title: str) -> bytes:
    """Horizontal stacked bars of workers covered / not covered / unknown (sites when no workforce), as PNG."""
    return _png(_chart_figure(summary, key, title))


def _chart_figure(summary: pd.DataFrame, key: str, title: str) -> Any:
    """The figure of :func:`_chart`. Laid out by matplotlib's constrained layout with the legend
    outside the axes, below the axis label, so title, tick labels, axis label and legend never
    overlap however many bars and however long the labels (country names)."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(6.2, 0.45 * max(min(len(summary), MAX_CHART_BARS), 2) + 1.5), dpi=100,
                 layout="constrained")
    ax = fig.add_subplot(1, 1, 1)
    if summary.empty:
        ax.text(0.5, 0.5, "no sites", ha="center", va="center")
        ax.set_axis_off()
    else:
        use_workers = int(summary["workers"].sum()) > 0
        unit = "workers" if use_workers else "sites"
        data = summary.sort_values(unit, ascending=False, kind="stable")
        if len(data) > MAX_CHART_BARS:
            head, tail = data.iloc[: MAX_CHART_BARS - 1], data.iloc[MAX_CHART_BARS - 1:]
            other = {**tail.sum(numeric_only=True).to_dict(), key: f"{len(tail)} others"}
            data = pd.concat([head, pd.DataFrame([other])], ignore_index=True)
        shown = country_label if key == "country" else str
        labels = [_wrap(shown(v)) for v in data[key]][::-1]
        y = list(range(len(labels)))  # by position: two keys with one label stay two bars
        left = [0.0] * len(labels)
        for st in ("covered", "not_covered", "unknown"):
            vals = [0.0 if pd.isna(v) else float(v) for v in data[f"{unit}_{st}"]][::-1]  # unknown: no bar
            ax.barh(y, vals, left=left, color=COVERAGE_COLOURS[st], label=COVERAGE_LABELS[st])
            left = [a + b for a, b in zip(left, vals)]
        ax.set_yticks(y, labels)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole sites and workers
        ax.set_xlabel(unit)
        fig.legend(loc="outside lower center", ncols=3, fontsize=8, frameon=False)
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(labelsize=8)
        title = title if use_workers else title.replace("Workers", "Sites")
    ax.set_title(title, fontsize=10)
    return fig


def _wrap(label: str, width: int = 22) -> str:
    """A bar's label on lines of at most ``width`` characters ("Congo, The Democratic Republic of
    the (CD)" would take a third of the chart's width)."""
    import textwrap

    return "\n".join(textwrap.wrap(label, width)) or label


def _transition_chart(summary: pd.DataFrame) -> bytes:
    """Capacity at risk (iron and crude steel apart, kt/y) and recorded workers, by country, as PNG."""
    return _png(_transition_figure(summary))


def _transition_figure(summary: pd.DataFrame) -> Any:
    """The figure of :func:`_transition_chart`; constrained layout, the legend outside the axes."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    data = summary.head(MAX_CHART_BARS)
    labels = [_wrap(country_label(v)) for v in data["country"]][::-1]
    fig = Figure(figsize=(7.5, 0.4 * max(len(labels), 2) + 1.7), dpi=100, layout="constrained")
    cap, wf = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    y = list(range(len(labels)))
    for i, (col, colour, word) in enumerate((("capacity_iron_at_risk", "#8c510a", "iron"),
                                             ("capacity_crude_steel_at_risk", "#01665e", "crude steel"))):
        vals = [0.0 if pd.isna(v) else float(v) for v in data[col]][::-1]  # unknown: no bar
        cap.barh([v + (i - 0.5) * 0.4 for v in y], vals, height=0.4, color=colour, label=word)
    cap.set_yticks(y, labels)
    cap.set_xlabel("capacity at risk, kt/y")
    fig.legend(loc="outside lower center", ncols=2, fontsize=8, frameon=False)
    if data["workers"].notna().any():
        wf.barh(y, [0.0 if pd.isna(v) else float(v) for v in data["workers"]][::-1], color="#555555")
        wf.set_yticks(y, [""] * len(y))  # the country names are on the left panel, same rows
        wf.set_xlabel("workers recorded\n(unknown: no bar)")
    else:
        wf.text(0.5, 0.5, "workforce not recorded\nat these sites", ha="center", va="center", fontsize=9)
        wf.set_axis_off()
    for ax in (cap, wf):
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))  # few ticks: labels never touch
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(labelsize=8)
    fig.suptitle("Transition exposure by country", fontsize=10)
    return fig


def _kt(v: Any, lower: bool) -> str:
    if v is None or pd.isna(v):
        return "unknown" if lower else ""
    return ("≥ " if lower else "") + f"{float(v):,.0f}"


TRANSITION_HEAD = ["site", "country", "exposure", "iron at risk", "crude steel at risk", "new iron", "new crude steel",
                   "closes", "workers", "union", "CBA", "GFA", "EFA", "union or agreement"]


def _transition_cells(b: Briefing) -> list[list[Any]]:
    """The transition table's rows as text (capacities in kt/y; unknown is said, never 0)."""
    out = []
    for r in b.transition.head(MAX_TRANSITION_ROWS).to_dict("records"):
        marks = r.get("capacity_incomplete") or []
        out.append([
            r["site"], country_label(r.get("country")), ", ".join(x.replace("_", " ") for x in r["exposure"]),
            _kt(r["capacity_iron_at_risk"], "at_risk:iron" in marks),
            _kt(r["capacity_crude_steel_at_risk"], "at_risk:crude_steel" in marks),
            _kt(r["replacement_iron"], "replacement:iron" in marks),
            _kt(r["replacement_crude_steel"], "replacement:crude_steel" in marks),
            "" if pd.isna(r["closure_year"]) else str(int(r["closure_year"])),
            "unknown" if pd.isna(r["workforce"]) else f"{int(r['workforce']):,}",
            *({**COVERAGE_LABELS, "not_applicable": "n/a"}.get(r[d], fmt(r[d])) for d in ("union_presence", "cba", "gfa", "efa")),
            "none known" if r["no_union_or_agreement"] else "",
        ])
    return out


def _transition_summary_cells(b: Briefing) -> tuple[list[str], list[list[Any]]]:
    head = ["country", "sites", "workers", "sites without workforce", "iron at risk (kt/y)",
            "crude steel at risk (kt/y)", "sites with no union or agreement known"]
    rows = [[country_label(r["country"]), r["sites"], "unknown" if pd.isna(r["workers"]) else f"{int(r['workers']):,}",
             r["sites_no_workforce"], _kt(r["capacity_iron_at_risk"], False),
             _kt(r["capacity_crude_steel_at_risk"], False), r["sites_no_union_or_agreement"]]
            for r in b.transition_by_country.to_dict("records")]
    return head, rows


TRANSITION_NOTE = ("Sites facing closure or conversion: units marked pre-retirement, an EAF or DRI announced or under "
                   "construction beside blast furnaces or converters (new capacity), a closing year up to {horizon}, "
                   "or listed operating past its closing year. Capacities in kt/y; iron and crude steel are never "
                   "added together. Sites with no union or agreement known come first.")


# --------------------------------------------------------------------------- shared layout helpers
def _tree(b: Briefing) -> list[tuple[int, dict[str, Any]]]:
    """``(depth, row)`` of the group in tree order, parents from each row's ``parent_id``."""
    rows = b.group.to_dict("records") if len(b.group) else []
    by_id = {str(r["id"]): r for r in rows}
    children: dict[str, list[str]] = {}
    orphans = []
    for r in rows:
        rid = str(r["id"])
        p = r.get("parent_id")
        parent = str(p) if isinstance(p, str) and p else None
        if rid == b.root:
            continue
        if parent in by_id and parent != rid:
            children.setdefault(parent, []).append(rid)
        else:
            orphans.append(rid)
    out: list[tuple[int, dict[str, Any]]] = []
    seen: set[str] = set()

    def walk(n: str, depth: int) -> None:
        if n in seen or n not in by_id or len(out) >= MAX_TREE_NODES:
            return
        seen.add(n)
        out.append((depth, by_id[n]))
        for c in sorted(children.get(n, ()), key=lambda c: (-(_num(by_id[c].get("stake_min")) or 0.0), c)):
            walk(c, depth + 1)

    walk(b.root, 0)
    for o in orphans:
        walk(o, 1)
    return out


def _num(x: Any) -> float | None:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _stake_text(r: dict[str, Any]) -> str:
    if r.get("stake_is_lower_bound"):  # effective_stake is then empty; stake_min the known part
        m = _num(r.get("stake_min"))
        return f"at least {m:.4g}%" if m else "share not published"
    f = _num(r.get("effective_stake"))
    return "stake unknown" if f is None else f"{f:.4g}%"


def _site_rows(b: Briefing) -> pd.DataFrame:
    rows = b.sites
    if rows.empty:
        return rows
    order = rows["uncovered"].astype(bool).map({True: 0, False: 1})
    unknown = (rows[[d for d in ("union_presence", "recognition", "cba") if d in rows]] == "unknown").any(axis=1)
    key = order * 2 + (~unknown).astype(int)
    rows = rows.assign(_k=key).sort_values(["_k", "site"], kind="stable").drop(columns="_k")
    if "capacity_iron" in rows.columns:  # the display text, made here from the data columns
        rows = rows.assign(capacity_by_product=[capacity_text(r) for r in rows.to_dict("records")])
    return rows


def _figures(b: Briefing) -> list[tuple[str, str]]:
    """Key figures as ``(label, value)``."""
    s = b.sites
    total_sites = len(s)
    wf = pd.to_numeric(s["workforce"], errors="coerce") if total_sites else pd.Series(dtype=float)
    summ = b.by_country
    def tot(col: str) -> int:
        return int(summ[col].sum()) if len(summ) else 0

    def workers(col: str) -> str:  # unknown when every group's figure is unknown, never 0
        known = summ[col].notna() if len(summ) else pd.Series(dtype=bool)
        return "unknown" if len(summ) and not known.any() else f"{tot(col):,}"
    return [
        ("companies in the group", f"{len(b.group):,}"),
        ("sites", f"{total_sites:,}"),
        *([("site statuses counted", b.status_text)] if b.status_text else []),
        # no workforce recorded at any site: unknown, never "0"
        ("workers recorded", f"{int(wf.sum()):,} at {int(wf.notna().sum())} of {total_sites} sites"
         if wf.notna().any() else f"unknown (recorded at none of the {total_sites} sites)"),
        ("sites covered / not covered / unknown",
         f"{tot('sites_covered')} / {tot('sites_not_covered')} / {tot('sites_unknown')}"),
        ("workers covered / not covered / unknown",
         f"{workers('workers_covered')} / {workers('workers_not_covered')} / {workers('workers_unknown')}"),
        ("ultimate parent", b.ultimate_parent_names),
    ]


CALENDAR_COLUMNS = ("expires", "agreement", "status", "renewal", "sites", "countries", "workers", "cluster",
                    "explanation")


def _frame_cells(df: pd.DataFrame, limit: int | None = None) -> tuple[list[str], list[list[Any]]]:
    preferred = [c for c in CALENDAR_COLUMNS if c in df.columns]
    cols = preferred if len(preferred) >= 3 else [c for c in df.columns if c not in _HIDDEN_COLUMNS]
    part = df if limit is None else df.head(limit)

    def cell(c: str, v: Any) -> Any:  # the calendar's countries (a list of codes) by name
        return [country_label(x) for x in v] if c == "countries" and isinstance(v, (list, tuple)) else v
    return cols, [[cell(c, r[c]) for c in cols] for r in part.to_dict("records")]


SOURCE_HEAD = ["source", "publisher", "licence", "retrieved", "address"]
CONFIDENTIAL_MARK = " (confidential)"


def _source_rows(b: Briefing) -> list[list[Any]]:
    """The sources table's rows; a confidential source's title says so (only unredacted
    briefings list them: redaction drops confidential sources)."""
    return [[(s.title or s.id) + (CONFIDENTIAL_MARK if s.confidential else ""), s.publisher,
             s.licence or "licence not stated", s.retrieved, s.url] for s in b.sources]


def _confidential_text(b: Briefing) -> str:
    n = len(b.confidential_sources)
    return (f"this briefing holds facts from {n} confidential source{'s' if n != 1 else ''} (marked "
            "\"confidential\" in Sources). Share it only with people who may see them; for anyone else, "
            "write it with --redact.")


SUMMARY_COLUMNS = ["sites", "sites_covered", "sites_not_covered", "sites_unknown", "workers", "workers_covered",
                   "workers_not_covered", "workers_unknown", "sites_no_workforce"]


def _summary_table(df: pd.DataFrame, key: str) -> tuple[list[str], list[list[Any]]]:
    cols = [key] + [c for c in SUMMARY_COLUMNS if c in df.columns]
    head = [c.replace("_", " ") for c in cols]
    shown = country_label if key == "country" else (lambda v: v)
    return head, [[shown(r[c]) if c == key else "unknown" if c.startswith("workers") and pd.isna(r[c]) else r[c]
                   for c in cols] for r in df.to_dict("records")]


def _leverage_notes(lev: pd.DataFrame) -> list[str]:
    """One line per point left out as the user's own organisation, then one per category with
    nothing scored and why (from the leverage answer's ``attrs``)."""
    out = [f"Not scored: {r['node']} is your own organisation ({str(r['category']).replace('_', ' ')} point left out)."
           for r in lev.attrs.get("excluded", [])]
    out += [f"{c.replace('_', ' ')}: {text}" for c, text in lev.attrs.get("unscored", {}).items()]
    return out


# --------------------------------------------------------------------------- HTML


def _status_class(v: Any) -> str:
    return f"st-{v}" if v in COVERAGE_LABELS else ""


def _table_cells(head: Sequence[str], rows: Sequence[Sequence[Any]], numeric: Iterable[int] = (),
                 classes: dict[int, Callable[[Any], str]] | None = None,
                 display: dict[int, Callable[[Any], str]] | None = None) -> dict[str, Any]:
    """A table as data for the template: ``{head, rows}``, each cell ``{text, cls}`` (plain text;
    the template escapes it)."""
    num, classes, display = set(numeric), classes or {}, display or {}
    out_rows = []
    for row in rows:
        cells = []
        for i, v in enumerate(row):
            cls = (["num"] if i in num else []) + ([classes[i](v)] if i in classes and classes[i](v) else [])
            cells.append({"text": display[i](v) if i in display else fmt(v), "cls": " ".join(cls)})
        out_rows.append(cells)
    return {"head": list(head), "rows": out_rows}


SITE_COLUMNS = ("site", "country", "commodity", "capacity_by_product", "workforce", "operator", "membership",
                "status")


def _site_table(rows: pd.DataFrame) -> dict[str, Any]:
    """The sites table as data: one row of facts and dimensions per site, its notes beside it."""
    cols = [c for c in SITE_COLUMNS if c in rows.columns]
    dims = [d for d in DIMENSIONS if d in rows.columns]
    out = []
    for r in rows.to_dict("records") if len(rows) else []:
        cells = [{"text": country_label(r.get(c)) if c == "country" else fmt(r.get(c)),
                  "cls": "num" if c == "workforce" else ""} for c in cols]
        cells += [{"text": COVERAGE_LABELS.get(r.get(d), fmt(r.get(d))), "cls": _status_class(r.get(d))}
                  for d in dims]
        out.append({"cells": cells, "notes": r.get("notes") or ""})
    return {"head": [DIMENSION_LABELS.get(c, c) for c in cols + dims], "rows": out, "width": len(cols) + len(dims)}


def render_html(b: Briefing) -> str:
    """The briefing as one self-contained HTML page (templates/brief.html.j2)."""
    tree = _tree(b)
    lev = b.leverage
    lcols = [c for c in ("category", "node", "score", "explanation") if c in lev.columns]
    calendar = None
    if len(b.calendar):
        head, rows = _frame_cells(b.calendar, MAX_CALENDAR_ROWS)
        calendar = _table_cells([h.replace("_", " ") for h in head], rows)
    summaries = []
    for key, df in (("country", b.by_country), ("commodity", b.by_commodity)):
        head, rows = _summary_table(df, key)
        summaries.append({"key": key, "table": _table_cells(head, rows, numeric=range(1, len(head)))})
    transition = None
    if len(b.transition):
        head, rows = _transition_summary_cells(b)
        transition = {
            "note": TRANSITION_NOTE.format(horizon=b.transition.attrs.get("horizon")),
            "chart": data_uri(b.charts["transition"]) if "transition" in b.charts else "",
            "table": _table_cells(TRANSITION_HEAD, _transition_cells(b), numeric=range(3, 9)),
            "more": max(0, len(b.transition) - MAX_TRANSITION_ROWS),
            "summary": _table_cells(head, rows, numeric=range(1, len(head))),
        }
    sources = _table_cells(SOURCE_HEAD, _source_rows(b))
    for row, src in zip(sources["rows"], b.sources):
        if src.confidential:
            row[0]["cls"] = "confidential"
    return render(
        "brief.html.j2", title=b.title, style=static_text("brief.css"), b=b, figures=list(_figures(b)),
        map_uri=data_uri(b.map_png) if b.map_png else "",
        tree=[{"indent": f"{depth * 1.2:.1f}", "depth": depth, "name": r.get("name"),
               "meta": f"{_stake_text(r)} \u00b7 {r.get('membership', '')}"} for depth, r in tree],
        tree_more=max(0, len(b.group) - len(tree)),
        parent_explanation=getattr(b.ultimate_parent, "explanation", ""),
        sites=_site_table(_site_rows(b).head(MAX_SITE_ROWS)), sites_more=max(0, len(b.sites) - MAX_SITE_ROWS),
        charts=[{"key": k, "uri": data_uri(b.charts[k])} for k in ("country", "commodity") if k in b.charts],
        summaries=summaries, transition=transition,
        leverage=_table_cells(lcols, [[r[c] for c in lcols] for r in lev.head(MAX_LEVERAGE_ROWS).to_dict("records")],
                              numeric=[lcols.index("score")] if "score" in lcols else [],
                              display={0: lambda v: str(v).replace("_", " ")}) if len(lev) else None,
        leverage_more=max(0, len(lev) - MAX_LEVERAGE_ROWS), leverage_notes=_leverage_notes(lev),
        calendar=calendar, sources=sources,
        confidential=_confidential_text(b) if b.confidential_sources else "",
    )


# --------------------------------------------------------------------------- Markdown
# What makes text markup in CommonMark / GitHub Markdown, escaped only there (a name from public
# data is shown as it is, never read as emphasis, a link, code, a heading, HTML or a table column).
# Backslash escapes where Markdown reads a character as markup; the two HTML cases (a "<" that
# would open a tag, an "&" that would spell an entity) as the entities every Markdown honours.
_MD_TAG_OPEN = re.compile(r"<(?=[A-Za-z/!?])")
_MD_ENTITY = re.compile(r"&(?=#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{0,31};)")
#: always markup: ` code, * emphasis, [ links and images (so "!" and "]" need nothing),
#: ~ strikethrough; "_" only where it can open or close emphasis (not inside a word: snake_case);
#: "\" where it would escape the character after it
_MD_INLINE = re.compile(r"[`*\[~]|_(?![^\W_])|(?<![^\W_])_|\\(?=[!-/:-@\[-`{-~]|$)")
#: a block marker where the text starts a line or a list item: heading, quote, list item, rule
_MD_BLOCK = re.compile(r"^(?:>|#{1,6}(?=\s|$)|[+-](?=\s|$)|-{3,}|\d{1,9}(?=[.)](?:\s|$)))")


def md(value: Any, *, cell: bool = False, line_start: bool = False) -> str:
    r"""Text for Markdown, on one line, escaped only where Markdown would read it as markup.

    ``cell``: the text goes in a table cell (``|`` escaped); ``line_start``: it starts a line or a
    list item (a leading ``#``, ``>``, ``-``, ``+``, ``1.`` that would start a block, escaped). Parentheses, ``!``,
    ``]``, ``&`` in words and ``<`` in comparisons are left alone.

    >>> md("Hüttenwerke Krupp Mannesmann (HKM) H&S snake_case")
    'Hüttenwerke Krupp Mannesmann (HKM) H&S snake_case'
    >>> md("*Acme* [link](x) _y_ <b>z</b> &amp;")
    '\\*Acme\\* \\[link](x) \\_y\\_ &lt;b>z&lt;/b> &amp;amp;'
    >>> md("a | b", cell=True), md("# 1. x", line_start=True), md("2023. year", line_start=True)
    ('a \\| b', '\\# 1. x', '2023\\. year')
    >>> md("#7 -5% 1.5 Mt", line_start=True)
    '#7 -5% 1.5 Mt'
    """
    text = " ".join(fmt(value).split())
    text = _MD_INLINE.sub(lambda m: "\\" + m.group(0), text)
    text = _MD_TAG_OPEN.sub("&lt;", _MD_ENTITY.sub("&amp;", text))
    if cell:
        text = text.replace("|", "\\|")
    if line_start:
        m = _MD_BLOCK.match(text)
        if m:
            text = text[:m.end()] + "\\" + text[m.end():] if m.group(0)[0].isdigit() else "\\" + text
    return text


def _md_table(head: Sequence[str], rows: Sequence[Sequence[Any]],
              display: dict[int, Callable[[Any], str]] | None = None) -> str:
    display = display or {}
    lines = ["| " + " | ".join(md(h, cell=True) for h in head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        lines.append("| " + " | ".join(md(display[i](v) if i in display else v, cell=True)
                                       for i, v in enumerate(row)) + " |")
    return "\n".join(lines)


def _md_image(alt: str, key: str, images: Mapping[str, str] | None) -> list[str]:
    return [f"![{md(alt)}]({images[key]})", ""] if images and key in images else []


def render_markdown(b: Briefing, images: Mapping[str, str] | None = None) -> str:
    """The briefing as Markdown text. ``images``: the relative link of each chart's file by key
    (``map``, ``country``, ``commodity``, ``transition``; :func:`write_brief` writes them); a
    chart without a link is left out (never inlined)."""
    out = [f"# {md(b.title)}", "",
           f"Data as of **{md(b.as_of)}**. Data date: {md(b.data_date)}. Generated {md(b.generated)}.", "",
           ("Coverage is *covered*, *not covered* (the data records a gap) or *unknown* (nothing recorded: "
            "research needed, not the same as no coverage)."), ""]
    if b.redacted:
        out += [("> **Redacted briefing**: people, contacts, membership figures, small counts, confidential notes "
                 "and confidential sources were removed."), ""]
    if b.confidential_sources:
        out += [f"> **Confidential material**: {md(_confidential_text(b))}", ""]
    out += [f"- {md(k, line_start=True)}: **{md(v)}**" for k, v in _figures(b)] + [""]
    out += _md_image("map of the group's sites by coverage", "map", images)
    out += ["## Ownership", ""]
    for depth, r in _tree(b):
        out.append(f"{'  ' * depth}- {md(r.get('name'), line_start=True)} "
                   f"({md(_stake_text(r))}, {md(r.get('membership', ''))})")
    out += ["", "## Sites and coverage", ""]
    srows = _site_rows(b)
    cols = [c for c in ["site", "country", "commodity", "capacity_by_product", "workforce", "operator", "membership",
                        "status", *DIMENSIONS, "notes"]
            if c in srows.columns]
    display: dict[int, Callable[[Any], str]] = {i: (lambda v: COVERAGE_LABELS.get(v, fmt(v)))
                                                for i, c in enumerate(cols) if c in DIMENSIONS}
    if "country" in cols:
        display[cols.index("country")] = country_label
    rows = [[r[c] for c in cols] for r in srows.head(MAX_SITE_ROWS).to_dict("records")] if len(srows) else []
    out += [_md_table([DIMENSION_LABELS.get(c, c) for c in cols], rows, display), ""]
    if len(srows) > MAX_SITE_ROWS:
        out += [f"{len(srows) - MAX_SITE_ROWS} more sites not shown.", ""]
    for key, df in (("country", b.by_country), ("commodity", b.by_commodity)):
        out += [f"## Summary by {key}", ""]
        out += _md_image(f"chart of coverage by {key}", key, images)
        head, rows = _summary_table(df, key)
        out += [_md_table(head, rows), ""]
    out += ["## Transition exposure", ""]
    if len(b.transition):
        out += [md(TRANSITION_NOTE.format(horizon=b.transition.attrs.get("horizon")), line_start=True), ""]
        out += _md_image("chart of transition exposure by country", "transition", images)
        out += [_md_table(TRANSITION_HEAD, _transition_cells(b)), ""]
        if len(b.transition) > MAX_TRANSITION_ROWS:
            out += [f"{len(b.transition) - MAX_TRANSITION_ROWS} more sites not shown.", ""]
        head, rows = _transition_summary_cells(b)
        out += [_md_table(head, rows), ""]
    else:
        out += ["No site of the group faces closure or conversion in the data loaded.", ""]
    out += ["## Leverage points", ""]
    if len(b.leverage):
        lcols = [c for c in ("category", "node", "score", "explanation") if c in b.leverage.columns]
        out += [_md_table(lcols, [[r[c] for c in lcols] for r in b.leverage.head(MAX_LEVERAGE_ROWS).to_dict("records")],
                          {0: lambda v: str(v).replace("_", " ")}), ""]
    else:
        out += ["No leverage point scored from the data loaded.", ""]
    notes = _leverage_notes(b.leverage)
    if notes:
        out += [f"- {md(n, line_start=True)}" for n in notes] + [""]
    out += ["## Bargaining calendar", ""]
    if b.calendar_note:
        out += [md(b.calendar_note, line_start=True), ""]
    if len(b.calendar):
        head, rows = _frame_cells(b.calendar, MAX_CALENDAR_ROWS)
        out += [_md_table(head, rows), ""]
    else:
        out += ["No agreement expiries recorded in the calendar window.", ""]
    out += ["## Sources", "", _md_table(SOURCE_HEAD, _source_rows(b)),
            "", ("Reuse follows each source's licence; CC BY sources must be credited as listed. Map basemap: "
                 "Natural Earth (public domain)."), ""]
    return "\n".join(out)


# --------------------------------------------------------------------------- writing
#: the chart files a Markdown briefing writes beside it, by chart key (all PNG)
CHART_FILES = {"map": "map.png", "country": "coverage-by-country.png", "commodity": "coverage-by-commodity.png",
               "transition": "transition-by-country.png"}


def charts_folder(path: str | os.PathLike[str]) -> Path:
    """The folder of a Markdown briefing's chart files: ``out/tk.md`` -> ``out/tk-charts``."""
    p = Path(path)
    return p.with_name(p.stem + "-charts")


def _is_our_chart(path: Path) -> bool:
    """Whether ``path`` is a PNG carrying :data:`CHART_MARK` (a chart an earlier run wrote)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            return im.format == "PNG" and all(im.info.get(k) == v for k, v in CHART_MARK.items())
    except (OSError, UnidentifiedImageError):
        return False


def write_markdown_charts(b: Briefing, path: str | os.PathLike[str]) -> dict[str, str]:
    """Write the briefing's map and charts as PNG files in :func:`charts_folder` (each write
    atomic) and return each one's link relative to ``path``'s folder. A chart an earlier run
    wrote that this one does not make (no transition exposure any more) is removed; files the
    briefing did not make are never touched."""
    folder = charts_folder(path)
    images = {"map": b.map_png, **b.charts}
    made = {k: v for k, v in images.items() if v and k in CHART_FILES}
    if folder.exists() and not folder.is_dir():
        raise CampaignGraphError(f"{folder}: exists and is not a folder; the Markdown briefing writes its charts there")
    if made:
        folder.mkdir(exist_ok=True)
    for key, data in made.items():
        atomic_write_bytes(folder / CHART_FILES[key], data)
    for key, name in CHART_FILES.items():
        old = folder / name
        if key not in made and old.is_file() and _is_our_chart(old):
            old.unlink()
    return {k: quote(f"{folder.name}/{CHART_FILES[k]}") for k in made}


def write_brief(graph: CampaignGraph, company: str, path: str | os.PathLike[str], *, as_of: Any = None,
                data_date: str | None = None, redact_output: bool = False, status: Any = None,
                us: Iterable[str] | None = None) -> Briefing:
    """Write the briefing to ``path`` (``.html`` or ``.md``), atomically.

    ``.html``: one self-contained page, charts embedded. ``.md``: the Markdown text, and its map
    and charts as PNG files in a folder beside it (``out/tk.md`` -> ``out/tk-charts/map.png`` …,
    :func:`write_markdown_charts`), linked relatively; the charts are written first, so the text
    never links a missing file.
    ``redact_output`` runs :func:`exports.redact.redact` first and says so in the briefing;
    ``status`` picks the sites counted by status (as :func:`build_briefing`).
    """
    suffix = Path(path).suffix.lower()
    if suffix not in (".html", ".htm", ".md"):
        raise CampaignGraphError(f"{path}: a briefing is written as .html or .md")
    if redact_output:
        from exports.redact import redact, redacted_id

        company = redacted_id(graph, company)
        us = [redacted_id(graph, u) for u in us] if us else us
        graph = redact(graph)
    b = build_briefing(graph, company, as_of=as_of, data_date=data_date, redacted=redact_output, status=status,
                       us=us)
    if suffix == ".md":
        atomic_write_text(path, render_markdown(b, write_markdown_charts(b, path)))
    else:
        atomic_write_text(path, render_html(b))
    return b
