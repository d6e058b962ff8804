"""The bargaining calendar: when do the collective agreements across a group expire?

Coordinated bargaining needs to know where expiries cluster: several CBAs of one group that
end within a few months of each other are a window for a joint campaign (docs/semantics.md,
"Leverage semantics", bargaining calendar).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd

from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from queries.coverage import CoverageContext, applicable_cbas, place_sites
from queries.ownership import MEMBERS, RULES, OwnershipIndex

CALENDAR_COLUMNS = (
    "agreement_id",
    "agreement",
    "expires",
    "days_to_expiry",
    "status",
    "renewal",
    "site_ids",
    "sites",
    "countries",
    "workers",
    "cluster",
    "window_start",
    "window_end",
    "cluster_size",
    "cluster_workers",
    "explanation",
)


def bargaining_calendar(
    graph: CampaignGraph,
    company: str,
    *,
    as_of: Any = None,
    horizon_days: int = 730,
    window_days: int = 90,
    rule: str = "control",
    threshold: float = 50.0,
    members: str = "all",
    index: OwnershipIndex | None = None,
) -> pd.DataFrame:
    """CBA expiry dates across ``company``'s group, with the clusters of close expiries.

    One row per collective agreement reaching a site of the group (as coverage finds them:
    COVERS the site or its operator, or signed by the operator) whose ``expires`` falls in
    ``[as_of, as_of + horizon_days]``, plus those past their last known end with tacit or
    unknown renewal (``status`` ``possibly_in_force``, negative ``days_to_expiry``, never in a
    cluster): their next expiry is exactly what a planner has to find out. Clusters are found greedily in date order: a window
    opens at the earliest expiry not yet in a cluster and spans ``window_days``; when it holds
    two or more expiries it is a cluster (numbered from 1, ``cluster`` empty otherwise).

    Parameters
    ----------
    graph, company
        The graph and the root's node id.
    as_of
        ISO date (default today).
    horizon_days, window_days
        How far ahead to look, and the width of a bargaining window.
    rule, threshold, members
        Which group, as :func:`queries.ownership.group`.

    Returns
    -------
    DataFrame with :data:`CALENDAR_COLUMNS`, sorted by expiry; ``attrs["clusters"]`` lists
    the clusters as dicts (``cluster``, ``window_start``, ``window_end``, ``agreements``, ``workers``).

    Examples
    --------
    >>> from graphmodel.graph import CampaignGraph
    >>> g = CampaignGraph()
    >>> _ = g.add_node("co", "Company", "Acme Steel")
    >>> for i, end in ((1, "2025-03-31"), (2, "2025-05-15")):
    ...     _ = g.add_node(f"s{i}", "Site", f"Site {i}"); _ = g.add_edge("co", f"s{i}", "OPERATES")
    ...     _ = g.add_node(f"c{i}", "Agreement", f"CBA {i}", agreement_type="cba", signed="2022-01-01", expires=end)
    ...     _ = g.add_edge(f"c{i}", f"s{i}", "COVERS")
    >>> cal = bargaining_calendar(g, "co", as_of="2025-01-01")
    >>> cal[["agreement_id", "cluster"]].values.tolist()
    [['c1', 1], ['c2', 1]]
    """
    if rule not in RULES:
        raise CampaignGraphError(f"unknown rule {rule!r} (use control or effective)")
    if members not in MEMBERS:
        raise CampaignGraphError(f"unknown members option {members!r} (use all or known)")
    try:
        horizon_days, window_days = int(horizon_days), int(window_days)
    except (TypeError, ValueError):
        raise CampaignGraphError("horizon_days and window_days must be whole numbers of days") from None
    if horizon_days < 0 or window_days < 1:
        raise CampaignGraphError("horizon_days must be 0 or more and window_days at least 1")
    ctx = CoverageContext(graph, as_of, index)
    placed = place_sites(ctx, company, rule=rule, threshold=threshold, members=members)
    start = date.fromisoformat(ctx.as_of)
    end = (start + timedelta(days=horizon_days)).isoformat()
    by_agreement: dict[str, list[str]] = {}
    for site in placed:
        operators = [o for o, _, _ in ctx.operators.get(site, [])]
        for agr, _how, _ev in applicable_cbas(ctx, site, operators):
            by_agreement.setdefault(agr, []).append(site)
    rows: list[dict[str, Any]] = []
    for agr, sites in by_agreement.items():
        a = graph.node(agr)
        expires = a.get("expires")
        st = ctx.status[agr]
        if not expires or expires > end:
            continue
        if expires < ctx.as_of and st.state != "possibly_in_force":
            continue  # over; a tacit or unknown renewal keeps it on the list, to be checked
        if st.state == "not_yet" and (a.get("signed") or "") > end:
            continue
        sites = sorted(set(sites))
        workforce = [graph.node(s).get("workforce") for s in sites]
        rows.append({
            "agreement_id": agr,
            "agreement": a.get("name", agr),
            "expires": expires,
            "days_to_expiry": (date.fromisoformat(expires) - start).days,
            "status": st.state,
            "renewal": a.get("renewal"),
            "site_ids": sites,
            "sites": [graph.name_of(s) for s in sites],
            "countries": sorted({graph.node(s).get("country") for s in sites if graph.node(s).get("country")}),
            "workers": sum(w for w in workforce if w is not None) if any(w is not None for w in workforce) else None,
        })
    rows.sort(key=lambda r: (r["expires"], r["agreement"].casefold(), r["agreement_id"]))
    past = [r for r in rows if r["expires"] < ctx.as_of]
    for r in past:
        r.update(cluster=None, window_start=None, window_end=None, cluster_size=None, cluster_workers=None,
                 explanation=f"{ctx.status[r['agreement_id']].text}: the next expiry date is not on record")
    clusters = _clusters([r for r in rows if r["expires"] >= ctx.as_of], window_days)
    df = pd.DataFrame(rows, columns=list(CALENDAR_COLUMNS))
    df["cluster"] = df["cluster"].astype("Int64")
    df["workers"] = df["workers"].astype("Int64")
    df["cluster_size"] = df["cluster_size"].astype("Int64")
    df["cluster_workers"] = df["cluster_workers"].astype("Int64")
    df.attrs.update(company=company, as_of=ctx.as_of, horizon_days=horizon_days, window_days=window_days,
                    clusters=clusters)
    return df


def _clusters(rows: list[dict[str, Any]], window_days: int) -> list[dict[str, Any]]:
    # Greedy windows in date order (hand-written: a dozen lines, no library does "windows of
    # N days holding at least two dates" more plainly).
    clusters: list[dict[str, Any]] = []
    i = 0
    while i < len(rows):
        first = date.fromisoformat(rows[i]["expires"])
        last_day = (first + timedelta(days=window_days)).isoformat()
        j = i
        while j + 1 < len(rows) and rows[j + 1]["expires"] <= last_day:
            j += 1
        members = rows[i : j + 1]
        if len(members) >= 2:
            number = len(clusters) + 1
            workers = sum(r["workers"] or 0 for r in members)
            window_end = members[-1]["expires"]
            countries = sorted({c for r in members for c in r["countries"]})
            for r in members:
                r.update(cluster=number, window_start=members[0]["expires"], window_end=window_end,
                         cluster_size=len(members), cluster_workers=workers)
                r["explanation"] = (
                    f"{len(members)} agreements expire between {members[0]['expires']} and {window_end}"
                    f" ({', '.join(countries) or 'countries not recorded'}; {workers} workers recorded):"
                    f" a window for coordinated bargaining"
                )
            clusters.append({"cluster": number, "window_start": members[0]["expires"], "window_end": window_end,
                             "agreements": [r["agreement_id"] for r in members], "workers": workers})
            i = j + 1
        else:
            r = rows[i]
            r.update(cluster=None, window_start=None, window_end=None, cluster_size=None, cluster_workers=None)
            r["explanation"] = f"expires {r['expires']}, no other agreement of the group within {window_days} days"
            i += 1
    return clusters
