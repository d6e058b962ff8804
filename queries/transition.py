"""Just-transition exposure: which sites of a group face closure or conversion, and who can bargain it.

docs/semantics.md#just-transition-exposure. One row per site of the group (as
:func:`queries.coverage.coverage` counts them) that faces change, with ``exposure`` a list of:

- ``pre_retirement``: units marked ``operating-pre-retirement`` (or, without a unit file,
  the plant file's pre-retirement capacity, or the site's own status);
- ``conversion_announced``: an EAF or DRI unit announced or under construction at a plant
  that has blast furnaces or converters (operating, pre-retirement, idle or mothballed);
- ``closing``: a closing or stop year (``closure_year``) from ``as_of``'s year to ``horizon``;
- ``closing_overdue``: listed operating (or pre-retirement) with a closure year already past.

Capacity stays by product: iron (BF, DRI) and crude steel (BOF, EAF, OHF) in separate
columns, never added together. A unit of unknown capacity adds nothing and names its
product in ``capacity_incomplete`` (the figure is a lower bound; no figure at all is
unknown, never 0). Workforce comes from coverage: unknown stays unknown. ``sources`` cites the
exposure facts first, then the workforce and the coverage evidence. The coverage
dimensions and reasons are coverage's own; ``no_union_or_agreement`` is true when none of
union presence, recognition, CBA, GFA or EFA is covered; ``change_agreements`` lists the
agreements in force covering the site that have a ``restructuring`` or ``just_transition``
clause (set in the agreements table only where a source says so). Rows: conversions with no union
or agreement known first, then other exposed sites with none known, then the rest; within
each, most workers first (unknown last), then country and site.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.provenance import sources_of
from graphmodel.schema import OPERATING_STATUSES
from queries._frames import COVERED, agreement_status
from queries.citations import Citations
from queries.coverage import DIMENSIONS, coverage

EXPOSURES = ("pre_retirement", "conversion_announced", "closing", "closing_overdue")
#: the order in which a site's exposures press (a map colours a site by the first it has)
PRESSING = ("conversion_announced", "closing_overdue", "closing", "pre_retirement")


def most_pressing(exposure: Sequence[str]) -> str:
    """The first of :data:`PRESSING` in ``exposure``; ``"none"`` for a site facing no change.

    >>> most_pressing(["pre_retirement", "conversion_announced"]), most_pressing([])
    ('conversion_announced', 'none')
    """
    return next((k for k in PRESSING if k in exposure), "none")
UNIT_TYPES = ("BF", "BOF", "EAF", "DRI", "OHF")
#: unit statuses of blast furnaces or converters that make a plant one to convert
_HOT_END = frozenset({"operating", "operating-pre-retirement", "idle", "mothballed"})
_NEW = frozenset({"announced", "construction"})
#: dimensions through which a union or an agreement could bargain the change
BARGAINING = ("union_presence", "recognition", "cba", "gfa", "efa")
#: agreement clauses that speak to change (loaders/agreements.py CLAUSES)
CHANGE_CLAUSES = ("restructuring", "just_transition")
#: agreement type -> the coverage dimension it covers
_DIM_OF_TYPE = {"cba": "cba", "gfa": "gfa", "hs": "hs_agreement", "efa": "efa"}
#: years ahead of ``as_of`` looked at when no horizon is given
DEFAULT_YEARS = 10

TRANSITION_COLUMNS = (
    "site_id", "site", "status", "exposure", "country", "commodity", "operator", "membership", "workforce",
    "capacity_iron_at_risk", "capacity_crude_steel_at_risk",
    *(f"at_risk_{t.lower()}" for t in UNIT_TYPES),
    "replacement_iron", "replacement_crude_steel", "replacement_eaf", "replacement_dri",
    "capacity_incomplete", "closure_year", "start_year", "relining",
    "production_route", "coal_type", "mine_type", "units_at_risk", "units_replacing",
    *DIMENSIONS, "uncovered", "no_union_or_agreement", "change_agreements", "reasons", *(f"{d}_reason" for d in DIMENSIONS),
    "status_note", "sources", "origins", "evidence",
)


def _year(v: Any) -> int | None:
    try:
        return int(v) if v is not None and not pd.isna(v) else None
    except (TypeError, ValueError):
        return None


def _add(acc: dict[str, float | None], key: str, cap: Any, incomplete: list[str], mark: str) -> None:
    """Add ``cap`` to ``acc[key]``; an unknown capacity marks ``mark`` incomplete."""
    if cap is None or pd.isna(cap):
        acc.setdefault(key, None)
        if mark not in incomplete:
            incomplete.append(mark)
        return
    acc[key] = (acc.get(key) or 0.0) + float(cap)


def site_exposure(graph: CampaignGraph, site: str, attrs: Mapping[str, Any], *, year: int,
                  horizon: int) -> dict[str, Any]:
    """The exposure facts of one site (``exposure`` empty when it faces no change).

    >>> g = CampaignGraph()
    >>> _ = g.add_node("p", "Site", "Plant", status="operating")
    >>> _ = g.add_node("bf", "Unit", "BF1", unit_type="BF", product="iron", status="operating-pre-retirement",
    ...                capacity=2000.0)
    >>> _ = g.add_node("eaf", "Unit", "EAF1", unit_type="EAF", product="crude_steel", status="announced")
    >>> _ = g.add_edge("bf", "p", "PART_OF"); _ = g.add_edge("eaf", "p", "PART_OF")
    >>> e = site_exposure(g, "p", g.node("p"), year=2025, horizon=2035)
    >>> e["exposure"], e["capacity_iron_at_risk"], e["replacement_crude_steel"], e["capacity_incomplete"]
    (['pre_retirement', 'conversion_announced'], 2000.0, None, ['replacement:crude_steel'])
    """
    exposure: list[str] = []
    at_risk: dict[str, float | None] = {}
    repl: dict[str, float | None] = {}
    incomplete: list[str] = []
    risk_units: list[str] = []
    new_units: list[str] = []
    relining: list[str] = []
    sources: list[str] = []
    origins: list[str] = []
    hot_end = False
    for _eid, uid, _site, _ea in graph.in_edges(site, "PART_OF"):
        if graph.kind_of(uid) != "Unit":
            continue
        u = graph.node(uid)
        t, product, st = u.get("unit_type"), u.get("product"), u.get("status")
        if t in ("BF", "BOF") and st in _HOT_END:
            hot_end = True
        if st == "operating-pre-retirement" and product:
            risk_units.append(uid)
            _add(at_risk, f"capacity_{product}_at_risk", u.get("capacity"), incomplete, f"at_risk:{product}")
            if t in UNIT_TYPES:
                _add(at_risk, f"at_risk_{t.lower()}", u.get("capacity"), [], "")
            if u.get("relining"):
                name = str(u.get("name") or uid)
                relining.append(f"{name if name.startswith(str(t)) else f'{t} {name}'}: {u['relining']}")
        elif t in ("EAF", "DRI") and st in _NEW and product:
            new_units.append(uid)
            _add(repl, f"replacement_{product}", u.get("capacity"), incomplete, f"replacement:{product}")
            _add(repl, f"replacement_{t.lower()}", u.get("capacity"), [], "")
    for uid in risk_units + (new_units if hot_end else []):
        u = graph.node(uid)
        sources += [s for s in u.get("sources") or [] if s not in sources]
        origins += [o for o in u.get("origins") or [] if o not in origins]
    if risk_units:
        exposure.append("pre_retirement")
    else:  # no units recorded: the plant file's pre-retirement capacity, or the site's status
        for product in ("iron", "crude_steel"):
            v = attrs.get(f"capacity_{product}_pre_retirement")
            if v:
                at_risk[f"capacity_{product}_at_risk"] = float(v)
                sources += [s for s in sources_of(attrs, f"capacity_{product}_pre_retirement") if s not in sources]
        if at_risk or attrs.get("status") == "operating-pre-retirement":
            exposure.append("pre_retirement")
            if attrs.get("status") == "operating-pre-retirement":
                sources += [s for s in sources_of(attrs, "status") if s not in sources]
    if hot_end and new_units:
        exposure.append("conversion_announced")
    else:
        repl, new_units = {}, []
        incomplete = [m for m in incomplete if not m.startswith("replacement:")]
    closure = _year(attrs.get("closure_year"))
    if closure is not None:
        if year <= closure <= horizon:
            exposure.append("closing")
        elif closure < year and attrs.get("status") in OPERATING_STATUSES:
            exposure.append("closing_overdue")
    closing = "closing" in exposure or "closing_overdue" in exposure
    if closing:
        sources += [s for s in sources_of(attrs, "closure_year") if s not in sources]
    if closing or ("pre_retirement" in exposure and not risk_units):
        origins += [o for o in attrs.get("origins") or [] if o not in origins]
    return {
        "exposure": exposure,
        **at_risk,
        **repl,
        "capacity_incomplete": incomplete or None,
        "closure_year": closure,
        "start_year": _year(attrs.get("start_year")),
        "relining": relining or None,
        "production_route": attrs.get("production_route"),
        "coal_type": attrs.get("coal_type"),
        "mine_type": attrs.get("mine_type"),
        "units_at_risk": risk_units or None,
        "units_replacing": new_units or None,
        "sources": sources,
        "origins": origins or None,
    }


def change_agreements(graph: CampaignGraph, rec: Mapping[str, Any], as_of: str) -> list[str]:
    """Agreements covering a coverage row's site (its dimension covered, in force) with a
    ``restructuring`` or ``just_transition`` clause."""
    out = []
    for a in rec.get("evidence") or []:
        if not isinstance(a, str) or not graph.has_node(a) or graph.kind_of(a) != "Agreement":
            continue
        attrs = graph.node(a)
        dim = _DIM_OF_TYPE.get(str(attrs.get("agreement_type")))
        if dim is None or rec.get(dim) != COVERED or not set(attrs.get("clauses") or ()) & set(CHANGE_CLAUSES):
            continue
        if agreement_status(graph, a, as_of).state == "in_force":
            out.append(a)
    return out


def transition(
    graph: CampaignGraph,
    company: str,
    *,
    horizon: int | None = None,
    as_of: Any = None,
    members: str = "all",
    status: Any = None,
    rule: str = "control",
    threshold: float = 50.0,
) -> pd.DataFrame:
    """One row per site of ``company``'s group facing closure or conversion (see the module docstring).

    ``horizon`` is the last closing year counted (default ``as_of``'s year + 10); ``as_of``,
    ``members``, ``status``, ``rule`` and ``threshold`` are coverage's. ``attrs``: coverage's,
    plus ``horizon``.

    >>> g = CampaignGraph()
    >>> _ = g.add_node("co", "Company", "Acme Coal")
    >>> _ = g.add_node("m", "Site", "Pit", status="operating", closure_year=2020, workforce=40)
    >>> _ = g.add_edge("co", "m", "OPERATES")
    >>> row = transition(g, "co", as_of="2024-06-30").iloc[0]
    >>> row["exposure"], int(row["workforce"]), bool(row["no_union_or_agreement"])
    (['closing_overdue'], 40, True)
    """
    cov = coverage(graph, company, as_of=as_of, members=members, status=status, rule=rule, threshold=threshold)
    year = int(str(cov.attrs["as_of"])[:4])
    if horizon is None:
        horizon = year + DEFAULT_YEARS
    horizon = int(horizon)
    if horizon < year:
        raise CampaignGraphError(f"horizon {horizon} is before the as-of year {year}")
    rows = []
    for rec in cov.to_dict("records"):
        attrs = graph.node(rec["site_id"])
        facts = site_exposure(graph, rec["site_id"], attrs, year=year, horizon=horizon)
        if not facts["exposure"]:
            continue
        row = {k: rec.get(k) for k in TRANSITION_COLUMNS if k in rec}
        row.update(facts)
        row["no_union_or_agreement"] = not any(rec[d] == COVERED for d in BARGAINING)
        change = change_agreements(graph, rec, cov.attrs["as_of"])
        row["change_agreements"] = change or None
        cite = Citations(graph)  # the exposure facts' sources first, then the workforce's and coverage's
        cite.add(facts["sources"])
        if not pd.isna(rec.get("workforce")):
            cite.value(attrs, "workforce")
        cite.evidence(rec.get("evidence") or [])
        row["sources"] = cite.ids
        rows.append(row)

    def key(r: dict[str, Any]) -> tuple[Any, ...]:
        conv = "conversion_announced" in r["exposure"]
        gap = r["no_union_or_agreement"]
        band = 0 if conv and gap else 1 if gap else 2 if conv else 3
        wf = r.get("workforce")
        wf = None if wf is None or pd.isna(wf) else int(wf)
        return (band, wf is None, -(wf or 0), str(r.get("country") or "~"), str(r["site"]).casefold(), r["site_id"])

    rows.sort(key=key)
    df = pd.DataFrame(rows, columns=list(TRANSITION_COLUMNS))
    df["workforce"] = df["workforce"].astype("Int64")
    for c in ("closure_year", "start_year"):
        df[c] = df[c].astype("Int64")
    for c in TRANSITION_COLUMNS:
        if c.startswith(("capacity_", "at_risk_", "replacement_")) and c != "capacity_incomplete":
            df[c] = df[c].astype("Float64")
    df["uncovered"] = df["uncovered"].astype(bool)
    df["no_union_or_agreement"] = df["no_union_or_agreement"].astype(bool)
    df.attrs.update(cov.attrs)
    df.attrs["horizon"] = horizon
    return df


def transition_summary(df: pd.DataFrame, by: str = "country") -> pd.DataFrame:
    """Sites, workers (unknown where none is recorded, never 0) and capacity at risk by ``by``."""
    out = []
    for key, grp in df.groupby(df[by].fillna("unknown"), sort=True):
        wf = grp["workforce"].dropna()
        out.append({
            by: key,
            "sites": len(grp),
            "workers": int(wf.sum()) if len(wf) else pd.NA,
            "sites_no_workforce": int(grp["workforce"].isna().sum()),
            "capacity_iron_at_risk": grp["capacity_iron_at_risk"].sum(min_count=1),
            "capacity_crude_steel_at_risk": grp["capacity_crude_steel_at_risk"].sum(min_count=1),
            "sites_no_union_or_agreement": int(grp["no_union_or_agreement"].sum()),
        })
    res = pd.DataFrame(out, columns=[by, "sites", "workers", "sites_no_workforce", "capacity_iron_at_risk",
                                     "capacity_crude_steel_at_risk", "sites_no_union_or_agreement"])
    res["workers"] = res["workers"].astype("Int64")
    return res
