"""Leverage points against a target company's group, each with an explainable score.

The categories follow docs/semantics.md#leverage-semantics, after the strategic corporate
campaign tradition: internal solidarity, agreements, supply chain, finance, standards and
law, bargaining calendar, history. Every point carries the factors its score is made of:

    score = weight[category] × Σ weight[factor] × value(factor)

``factors`` shows each part (``weight[category] × weight[factor] × value``), so the
parts add up to the score. :data:`DEFAULT_WEIGHTS` documents every weight; ``weights=``
overrides any of them by name (a category name scales a whole category; ``0`` drops it).
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping
from itertools import islice
from typing import Any

import networkx as nx
import pandas as pd

from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.schema import site_status, site_statuses
from graphmodel.values import is_missing, normalise_as_of

CATEGORIES: tuple[str, ...] = (
    "internal_solidarity",
    "agreements",
    "supply_chain",
    "finance",
    "standards_and_law",
    "bargaining_calendar",
    "history",
)

#: Every weight of the leverage score, by name. Category weights multiply the sum of the
#: factor parts of every point in that category; factor weights multiply the factor's value.
DEFAULT_WEIGHTS: Mapping[str, float] = {
    # categories (multipliers of the whole category)
    "internal_solidarity": 1.0,
    "agreements": 1.0,
    "supply_chain": 1.0,
    "finance": 1.0,
    "standards_and_law": 1.0,
    "bargaining_calendar": 1.0,
    "history": 1.0,
    # internal solidarity
    "strong_site": 2.0,  # 1 for a site with a recognised union and a CBA in force
    "paired_same_commodity_country": 1.0,  # per uncovered group site with the same commodity and country
    "paired_same_commodity": 0.5,  # per uncovered group site with the same commodity, elsewhere
    "network_member": 1.0,  # 1 for a union in the company's union network
    "represents_group_site": 0.5,  # per group site the network union represents
    # agreements
    "agreement_in_force": 2.0,  # 1 for a GFA / H&S agreement in force signed by the target, a parent or a member
    "agreement_possibly_in_force": 1.0,  # 1 instead, when it is past its end with a tacit / unknown renewal
    "invocable_site": 1.0,  # per uncovered group site inside the agreement's cover
    "foa_clause": 1.0,  # 1 when the agreement has a freedom-of-association clause
    "jv_partner_agreement": 1.5,  # 1 for an agreement of a joint-venture partner
    # supply chain
    "supply_link": 1.0,  # 1 for a direct customer or supplier of the group
    "partner_agreement": 1.5,  # per GFA / H&S agreement in force of the partner or its parent
    "partner_certification": 1.0,  # per certification / initiative of the partner
    "brand_exposure": 1.0,  # 1 when the partner (or its operator) is a listed company
    "articulation_point": 2.0,  # 1 when removing the node splits the supply network
    "betweenness": 3.0,  # normalised betweenness (0..1) on the supply network
    # finance
    "investor": 1.0,  # 1 for an investor holding shares in a group company
    "workers_capital": 3.0,  # 1 when the investor has union trustees
    "stake": 0.05,  # per percent of equity held
    # standards and law
    "grievance_mechanism": 2.0,  # 1 when the initiative has a grievance mechanism
    "certified_member": 0.5,  # per group company or site certified by / member of the initiative
    "oecd_ncp": 1.5,  # 1 for an OECD Guidelines / NCP route
    "due_diligence_law": 2.0,  # 1 per due-diligence law in force in the parent's country
    "ilo_convention": 0.5,  # per relevant ILO convention ratified where group sites are
    "sites_in_country": 0.25,  # per group site in that country
    # bargaining calendar
    "expiring_agreement": 1.0,  # per CBA expiring in the window
    "expiring_site": 0.5,  # per group site those CBAs cover
    "transition_site": 1.0,  # 1 for a group site facing closure or conversion (queries.transition)
    "no_bargaining_channel": 1.0,  # 1 when no union or agreement is known there
    # history
    "event": 1.0,  # 1 for an event involving the group
    "severity": 0.5,  # per severity point of the event
    "renaming": 1.0,  # 1 for a renaming / re-registration on record
}

#: ILO conventions a campaign turns on: the fundamental conventions plus mines safety (C176).
RELEVANT_ILO_CONVENTIONS: tuple[str, ...] = (
    "C087", "C098", "C029", "C105", "C100", "C111", "C138", "C182", "C155", "C187", "C176",
)

LEVERAGE_COLUMNS = ["category", "node_id", "node", "score", "explanation", "evidence", "factors", "sources"]

_FOA = ("freedom of association", "freedom_of_association", "foa")


def _weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    w = dict(DEFAULT_WEIGHTS)
    for k, v in (weights or {}).items():
        if k not in w:
            raise CampaignGraphError(f"unknown leverage weight {k!r} (known: {', '.join(DEFAULT_WEIGHTS)})")
        try:
            w[k] = float(v)
        except (TypeError, ValueError):
            raise CampaignGraphError(f"leverage weight {k!r} must be a number") from None
    return w


class _Points:
    """Collects leverage points and scores them from their factors."""

    def __init__(self, graph: CampaignGraph, weights: dict[str, float]) -> None:
        self.graph = graph
        self.w = weights
        self.rows: list[dict[str, Any]] = []

    def add(
        self, category: str, node: str, explanation: str, factors: Mapping[str, float], evidence: Iterable[str]
    ) -> None:
        cw = self.w[category]
        parts = {f: round(cw * self.w[f] * v, 4) for f, v in factors.items() if v}
        ev = list(dict.fromkeys(e for e in evidence if e))
        self.rows.append(
            {
                "category": category,
                "node_id": node,
                "node": self.graph.name_of(node),
                "score": round(sum(parts.values()), 4),
                "explanation": explanation,
                "evidence": ev,
                "factors": parts,
                "sources": self._sources(ev),
            }
        )

    def _sources(self, evidence: list[str]) -> list[str]:
        """The sources of the evidence's facts: its edges, then the values of its nodes the
        point states, each value cited by its own sources (see :mod:`queries.citations`)."""
        from queries.citations import Citations

        c = Citations(self.graph)
        c.evidence(evidence)
        return c.ids


def _val(x: Any) -> Any:
    """A table cell with pandas' missing markers (NaN, None, NA) read as None (unknown)."""
    return None if is_missing(x) else x


def _truthy(x: Any) -> bool:
    """``uncovered`` as a bool, whether the coverage table holds bools or "true"/"false"."""
    return x is True or (isinstance(x, str) and x.strip().casefold() == "true") or (x is not None and x == 1)


def _site_states(rows: pd.DataFrame) -> dict[str, str]:
    """site id -> ``not_covered`` (a required dimension records a gap), ``unknown`` (no gap
    recorded but a required dimension unknown) or ``covered``."""
    if rows.empty:
        return {}
    req = [d for d in rows.attrs.get("require") or ("union_presence", "recognition", "cba") if d in rows.columns]
    unknown = (rows[req] == "unknown").any(axis=1) if req else pd.Series(False, index=rows.index)
    out = {}
    for site, unc, unk in zip(rows["site_id"], rows["uncovered"].map(_truthy), unknown):
        out[site] = "not_covered" if unc else ("unknown" if unk else "covered")
    return out


def _site_counts(sites: Iterable[str], states: Mapping[str, str], what: str) -> str:
    """``"of 55 group sites under it, 0 known to be uncovered, 2 covered, 53 unknown"``: the
    sites counted by coverage value, so that unknown never reads as covered."""
    sites = list(sites)
    n = {k: sum(1 for s in sites if states.get(s, "unknown") == k) for k in ("not_covered", "covered", "unknown")}
    return (f"of {_plural(len(sites), 'group site')} {what}, {n['not_covered']} known to be uncovered, "
            f"{n['covered']} covered, {n['unknown']} unknown")


def _agreement_in_force(a: Mapping[str, Any], day: str) -> bool:
    signed, expires = a.get("signed"), a.get("expires")
    return (signed is None or signed <= day) and (expires is None or expires >= day)


def _possibly_in_force(a: Mapping[str, Any], day: str) -> bool:
    """Past its last known end date, with a tacit or unknown renewal (docs/semantics.md#coverage-semantics: possibly in force)."""
    signed, expires = a.get("signed"), a.get("expires")
    return (
        (signed is None or signed <= day) and expires is not None and expires < day
        and a.get("renewal") in ("tacit", "unknown")
    )


def _has_foa(a: Mapping[str, Any]) -> bool:
    return any(any(k in c.casefold() for k in _FOA) for c in a.get("clauses") or [])


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _names(graph: CampaignGraph, ids: Iterable[str], limit: int = 4, total: int | None = None) -> str:
    ids = list(ids)
    n = len(ids) if total is None else total
    shown = ", ".join(graph.name_of(i) for i in ids[:limit])
    return shown + (f" and {n - min(limit, len(ids))} more" if n > min(limit, len(ids)) else "")


#: how many paired sites a point names and cites as evidence (the factor counts them all)
_SHOWN = 20


def _type_label(t: str | None) -> str:
    return {"gfa": "global framework agreement", "hs": "health & safety agreement", "cba": "collective agreement",
            "efa": "European framework agreement"}.get(t or "", "agreement")


def _signed_agreements(
    graph: CampaignGraph, companies: Iterable[str], day: str, types: set[str], *, possibly: bool = False
) -> dict[str, list[str]]:
    """agreement id -> PARTY_TO edge ids from ``companies`` (agreements of ``types`` in force,
    and with ``possibly`` also those possibly in force after a tacit or unknown renewal)."""
    out: dict[str, list[str]] = defaultdict(list)
    for c in companies:
        for eid, _u, ag, _a in graph.out_edges(c, "PARTY_TO", as_of=day):
            attrs = graph.node(ag)
            if attrs.get("agreement_type") in types and (
                _agreement_in_force(attrs, day) or (possibly and _possibly_in_force(attrs, day))
            ):
                out[ag].append(eid)
    return out


def _country_of(graph: CampaignGraph, node: str, day: str) -> str | None:
    a = graph.node(node)
    for key in ("hq_country", "country"):
        if a.get(key):
            return str(a[key])
    for _eid, _u, v, _a in graph.out_edges(node, "LOCATED_IN", as_of=day):
        return v
    return None


def _country_node(ctx: _Context, code: str | None) -> str | None:
    """The Country node for an ISO code (its id, or a Country whose ``iso2`` is the code)."""
    if not code:
        return None
    return ctx.countries.get(code.upper())


# ------------------------------------------------------------------------------ categories
def _internal_solidarity(p: _Points, ctx: _Context) -> None:
    from queries.coverage import _founded_by

    g, rows = p.graph, ctx.cov
    if not rows.empty:
        strong = rows[(rows["recognition"] == "covered") & (rows["cba"] == "covered")]
        weak = rows[rows["uncovered"].map(_truthy)]
        by_pair: dict[tuple[Any, Any], list[str]] = defaultdict(list)
        by_commodity: dict[Any, list[str]] = defaultdict(list)
        weak_ids = set(weak["site_id"])
        for r in weak.sort_values("site_id").itertuples(index=False):
            by_pair[(_val(r.commodity), _val(r.country))].append(r.site_id)
            by_commodity[_val(r.commodity)].append(r.site_id)
        for r in strong.sort_values("site_id").itertuples(index=False):
            r = r._replace(commodity=_val(r.commodity), country=_val(r.country))
            # counts come from the per-key lists; names and evidence show the first few, so a
            # group of thousands of sites stays linear in its size
            same_all = [x for x in by_pair.get((r.commodity, r.country), []) if x != r.site_id] if r.commodity else []
            same_set = set(same_all)
            else_all = by_commodity.get(r.commodity, []) if r.commodity else []
            n_else = len(else_all) - len(same_all) - int(r.site_id in weak_ids)
            same = same_all[:_SHOWN]
            elsewhere = list(islice((x for x in else_all if x not in same_set and x != r.site_id), _SHOWN))
            unions = sorted(u for _e, u, _v, a in g.in_edges(r.site_id, "REPRESENTS", as_of=ctx.day) if a.get("recognised"))
            reps = sorted(e for e, _u, _v, a in g.in_edges(r.site_id, "REPRESENTS", as_of=ctx.day) if a.get("recognised"))
            text = f"{r.site} has a recognised union ({_names(g, unions)}) and a collective agreement in force"
            support = []
            if same:
                support.append(f"{_names(g, same_all)} (same commodity {r.commodity}, same country {r.country})")
            if elsewhere:
                support.append(f"{_names(g, elsewhere, total=n_else)} (same commodity {r.commodity}, other countries)")
            if support:
                text += f"; it can support {' and '.join(support)}"
            if r.commodity:
                # the count says how many of the others are unknown, never read as covered
                others = [x for x in ctx.by_commodity.get(r.commodity, []) if x != r.site_id]
                if not others:
                    text += "; no other group site has its commodity"
                elif not support or any(ctx.states.get(x, "unknown") == "unknown" for x in others):
                    text += "; " + _site_counts(others, ctx.states, f"with commodity {r.commodity}")
            else:
                text += "; its commodity is not recorded, so no site is paired with it"
            p.add(
                "internal_solidarity", r.site_id, text,
                {"strong_site": 1, "paired_same_commodity_country": len(same_all), "paired_same_commodity": n_else},
                [r.site_id, *unions, *reps, *same, *elsewhere],
            )
    # unions already in the company's network
    group_sites = set(ctx.sites)
    for net, attrs in ctx.networks:
        if attrs.get("company") not in ctx.members and attrs.get("company") not in ctx.parents:
            continue
        if not _founded_by(attrs, ctx.day):  # not founded yet at as_of
            continue
        for eid, union, _v, _a in sorted(g.in_edges(net, "MEMBER_OF", as_of=ctx.day), key=lambda x: x[1]):
            reps = [(e, v) for e, _u, v, _a in g.out_edges(union, "REPRESENTS", as_of=ctx.day) if v in group_sites or v in ctx.members]
            text = f"{g.name_of(union)} is a member of {g.name_of(net)}"
            if reps:
                text += f" and represents {_plural(len(reps), 'group site')} ({_names(g, sorted(v for _e, v in reps))})"
            p.add("internal_solidarity", union, text, {"network_member": 1, "represents_group_site": len(reps)},
                  [union, net, eid, *sorted(e for e, _v in reps)])


def _agreements(p: _Points, ctx: _Context) -> None:
    g, rows = p.graph, ctx.cov
    signers = list(dict.fromkeys([*ctx.parents, *ctx.members]))
    found = _signed_agreements(g, signers, ctx.day, {"gfa", "hs"}, possibly=True)
    from queries._frames import COVERED, UNKNOWN
    from queries.coverage import CoverageContext

    cover = CoverageContext(g, ctx.day, ctx._index)  # which sites each agreement itself reaches
    uncovered = sorted(rows.loc[rows["uncovered"].map(_truthy), "site_id"]) if not rows.empty else []
    for ag, party_edges in sorted(found.items()):
        a = g.node(ag)
        sure = _agreement_in_force(a, ctx.day)
        # only the uncovered sites under this agreement's own cover (not those another one covers)
        reach = cover.reach(ag)
        invocable = [s for s in uncovered if s in reach and reach[s].value == COVERED]
        under = [s for s in ctx.sites if s in reach and reach[s].value == COVERED]
        maybe = [s for s in ctx.sites if s in reach and reach[s].value == UNKNOWN]  # its scope or term unknown there
        signatories = [g.edge(e)[0] for e in party_edges]
        state = "in force" if sure else f"possibly in force: its last known period ended {a['expires']}, renewal {a['renewal']}"
        text = f"{a.get('name', ag)} ({_type_label(a.get('agreement_type'))}, {state}) is signed by {_names(g, signatories)}"
        if invocable:
            text += f"; it can be invoked at {_plural(len(invocable), 'uncovered group site')}: {_names(g, invocable)}"
        if under and (not invocable or any(ctx.states.get(x, "unknown") == "unknown" for x in under)):
            text += "; " + _site_counts(under, ctx.states, "under it")  # unknown is never read as covered
        if maybe:
            text += f"; whether it applies at {_plural(len(maybe), 'more group site' if under else 'group site')} is unknown"
        if not under and not maybe:
            text += "; no group site on record falls under it"
        if _has_foa(a):
            text += "; it has a freedom-of-association clause"
        p.add("agreements", ag, text,
              {"agreement_in_force": int(sure), "agreement_possibly_in_force": int(not sure),
               "invocable_site": len(invocable), "foa_clause": int(_has_foa(a))},
              [ag, *party_edges, *invocable])
    # agreements of joint-venture partners
    member_set = set(ctx.members)
    seen: set[tuple[str, str]] = set()
    for jv in ctx.joint:
        for eid, partner, _v, _a in sorted(g.in_edges(jv, "OWNS", as_of=ctx.day), key=lambda x: x[1]):
            if partner in member_set or g.kind_of(partner) != "Company":
                continue
            partner_side = [partner, *ctx.parents_of(partner)]
            for ag, party_edges in sorted(_signed_agreements(g, partner_side, ctx.day, {"gfa", "hs"}).items()):
                if ag in found or (ag, jv) in seen:
                    continue
                seen.add((ag, jv))
                a = g.node(ag)
                text = (
                    f"{g.name_of(partner)}, co-owner of the joint venture {g.name_of(jv)}, is bound by "
                    f"{a.get('name', ag)} ({_type_label(a.get('agreement_type'))}, in force): it can be raised at the joint venture"
                )
                p.add("agreements", ag, text, {"jv_partner_agreement": 1, "foa_clause": int(_has_foa(a))},
                      [ag, jv, partner, eid, *party_edges])


def _supply_chain(p: _Points, ctx: _Context) -> str:
    g, day = p.graph, ctx.day
    inside = set(ctx.sites) | set(ctx.members)
    # The group's supply network: SUPPLIES edges valid at day within _SUPPLY_RADIUS hops of the
    # group's sites and companies (its suppliers and their suppliers, its customers and theirs),
    # found by a breadth-first walk, so the rest of a large graph is never visited. Undirected,
    # since a chokepoint cuts material flowing either way.
    supply = nx.Graph()
    partners: dict[str, list[tuple[str, str, str]]] = defaultdict(list)  # partner -> (edge, group node, role)
    seen_edges: set[str] = set()
    depth = dict.fromkeys(inside, 0)
    queue = deque(sorted(inside))
    while queue:
        n = queue.popleft()
        if depth[n] >= _SUPPLY_RADIUS:
            continue
        for eid, u, v, _a in [*g.out_edges(n, "SUPPLIES", as_of=day), *g.in_edges(n, "SUPPLIES", as_of=day)]:
            if eid in seen_edges:
                continue
            seen_edges.add(eid)
            other = v if u == n else u
            if other not in depth:
                depth[other] = depth[n] + 1
                queue.append(other)
            supply.add_edge(u, v)
            if u in inside and v not in inside:
                partners[v].append((eid, u, "customer"))
            elif v in inside and u not in inside:
                partners[u].append((eid, v, "supplier"))
    for partner, links in sorted(partners.items()):
        operators = [u for _e, u, _v, _a in g.in_edges(partner, "OPERATES", as_of=day)] if g.kind_of(partner) == "Site" else []
        side = [partner, *operators]
        for op in operators:
            side += ctx.parents_of(op)
        if g.kind_of(partner) == "Company":
            side += ctx.parents_of(partner)
        side = list(dict.fromkeys(side))
        ags = _signed_agreements(g, side, day, {"gfa", "hs"})
        certs = sorted({(e, v) for c in side for e, _u, v, _a in g.out_edges(c, ("CERTIFIED_BY", "MEMBER_OF_INITIATIVE"), as_of=day)})
        listed = [c for c in side if g.kind_of(c) == "Company" and g.node(c).get("listed") is True]
        roles = sorted({r for _e, _n, r in links})
        linked = sorted({n for _e, n, _r in links})
        text = f"{g.name_of(partner)} is a {' and '.join(roles)} of {_names(g, linked)}"
        if ags:
            text += f"; bound by {_names(g, sorted(ags))}"
        if certs:
            text += f"; certified by / member of {_names(g, sorted({v for _e, v in certs}))}"
        if listed:
            text += f"; brand exposure: {_names(g, listed)} is listed"
        p.add("supply_chain", partner, text,
              {"supply_link": 1, "partner_agreement": len(ags), "partner_certification": len(certs),
               "brand_exposure": int(bool(listed))},
              [partner, *[e for e, _n, _r in links], *sorted(ags), *[e for es in ags.values() for e in es],
               *[e for e, _v in certs], *listed])
    # chokepoints, on the group's supply network only (every part of it was reached from the group)
    if supply.number_of_edges() == 0:
        return _engine_name()
    ends = sorted(n for n in supply if n in inside or n in partners)  # the group and its direct partners
    end_set = set(ends)
    engine, art, btw, blocks = _chokepoints(supply, ends)
    for n in ends:
        if n not in art and btw.get(n, 0.0) <= 0.0:
            continue
        own = "group" if n in inside else "outside the group"
        text = f"{g.name_of(n)} ({own}) is a supply-chain chokepoint"
        if n in art:
            # removing a cut vertex leaves one piece per biconnected block it belongs to
            text += f": losing it splits its supply network into {blocks.get(n, 2)} parts"
        text += f"; betweenness {btw.get(n, 0.0):.2f}"
        # evidence: its supply links with the group and the group's partners (not a hub's thousands)
        edges = sorted(
            e for e, u, v, _a in [*g.out_edges(n, "SUPPLIES", as_of=day), *g.in_edges(n, "SUPPLIES", as_of=day)]
            if (v if u == n else u) in end_set
        )
        p.add("supply_chain", n, text,
              {"articulation_point": int(n in art), "betweenness": btw.get(n, 0.0)}, [n, *edges])
    return engine


def _engine_name() -> str:
    """The engine :func:`_chokepoints` would use, found without importing igraph (slow to import)."""
    import importlib.util

    return "igraph" if importlib.util.find_spec("igraph") is not None else "networkx"


#: how far the group's supply network reaches for chokepoints: 2 = suppliers' suppliers and
#: customers' customers
_SUPPLY_RADIUS = 2

def _chokepoints(sub: nx.Graph, ends: list[str]) -> tuple[str, set[str], dict[str, float], dict[str, int]]:
    """Articulation points, betweenness and, per node, the number of biconnected blocks it
    belongs to, on the group's supply network ``sub``.

    Betweenness is taken over the shortest paths between ``ends`` (the group's sites and
    companies and their direct partners): the share of those pairs whose shortest paths run
    through a node (fractions split over equal paths), pairs ending at the node left out, as
    networkx normalises. Counting only these pairs keeps it to one breadth-first search per
    end, where all-pairs betweenness would be quadratic in the network's size. igraph when
    installed (the ``fast`` extra), else networkx; both give the same numbers (tested).
    """
    names = sorted(sub.nodes)
    n_ends = len(ends)
    end_set = set(ends)

    def normalise(v: str, raw: float) -> float:
        k = n_ends - (1 if v in end_set else 0)
        return raw / (k * (k - 1) / 2) if k > 1 else 0.0

    try:
        import igraph as ig
    except ImportError:
        art = set(nx.articulation_points(sub))
        raw = nx.betweenness_centrality_subset(sub, ends, ends, normalized=False)
        blocks: dict[str, int] = defaultdict(int)
        for comp in nx.biconnected_components(sub):
            for x in comp:
                blocks[x] += 1
        return "networkx", art, {v: normalise(v, raw.get(v, 0.0)) for v in names}, dict(blocks)
    index = {x: i for i, x in enumerate(names)}
    h = ig.Graph(n=len(names), edges=[(index[u], index[v]) for u, v in sub.edges()], directed=False)
    comps, cut = h.biconnected_components(return_articulation_points=True)
    art = {names[i] for i in cut}
    blocks = defaultdict(int)
    for comp in comps:
        for i in comp:
            blocks[names[i]] += 1
    idx = [index[e] for e in ends]
    raw_ig = h.betweenness(directed=False, sources=idx, targets=idx)
    return "igraph", art, {names[i]: normalise(names[i], raw_ig[i]) for i in range(len(names))}, dict(blocks)


def _finance(p: _Points, ctx: _Context) -> None:
    g = p.graph
    holdings: dict[str, list[tuple[str, str, Mapping[str, Any]]]] = defaultdict(list)
    for c in [*ctx.members, *ctx.parents]:
        for eid, inv, _v, a in g.in_edges(c, "OWNS", as_of=ctx.day):
            if g.kind_of(inv) == "Investor":
                holdings[inv].append((eid, c, a))
    for inv, hs in sorted(holdings.items()):
        wc = g.node(inv).get("workers_capital") is True
        hs = sorted(hs, key=lambda x: x[0])
        stake = max((float(a.get("share") or 0.0) for _e, _c, a in hs), default=0.0)
        held = "; ".join(
            f"{a['share']:g}% of {g.name_of(c)}" if a.get("share") is not None else f"shares of {g.name_of(c)} (size not published)"
            for _e, c, a in hs
        )
        text = f"{g.name_of(inv)}{' (workers’ capital: union trustees)' if wc else ''} holds {held}"
        p.add("finance", inv, text, {"investor": 1, "workers_capital": int(wc), "stake": stake},
              [inv, *[e for e, _c, _a in hs]])


def _standards_and_law(p: _Points, ctx: _Context) -> None:
    g, day = p.graph, ctx.day
    certified: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for n in [*ctx.members, *ctx.sites]:
        for eid, _u, ini, _a in g.out_edges(n, ("CERTIFIED_BY", "MEMBER_OF_INITIATIVE"), as_of=day):
            certified[ini].append((eid, n))
    oecd = ctx.oecd
    for ini, links in sorted(certified.items()):
        if ini in oecd:
            continue
        gm = g.node(ini).get("grievance_mechanism") is True
        who = sorted({n for _e, n in links})
        text = f"{_names(g, who)} {'is' if len(who) == 1 else 'are'} certified by / member of {g.name_of(ini)}"
        text += ", which has a grievance mechanism" if gm else " (no grievance mechanism on record)"
        p.add("standards_and_law", ini, text, {"grievance_mechanism": int(gm), "certified_member": len(who)},
              [ini, *sorted(e for e, _n in links)])
    home = _country_of(g, ctx.top, day)
    site_countries = sorted({str(c) for c in ctx.site_country.values() if c})
    for ini in sorted(oecd):
        where = [c for c in [home, *site_countries] if c]
        text = (
            f"{g.name_of(ini)}: a specific instance about the group's conduct can go to the National Contact Point of "
            f"{', '.join(dict.fromkeys(where)) or 'the countries involved'} (parent's home country first, where it adheres)"
        )
        links = sorted(e for e, _n in certified.get(ini, []))
        p.add("standards_and_law", ini, text, {"oecd_ncp": 1}, [ini, ctx.top, *links])
    home_node = _country_node(ctx, home)
    if home_node is not None:
        for law in g.node(home_node).get("due_diligence_laws") or []:
            text = f"{g.name_of(ctx.top)} is based in {g.name_of(home_node)}, where {law} applies"
            p.add("standards_and_law", home_node, text, {"due_diligence_law": 1}, [home_node, ctx.top])
    per_country: dict[str, list[str]] = defaultdict(list)
    for site, c in ctx.site_country.items():
        if c:
            per_country[str(c)].append(site)
    for code, sites in sorted(per_country.items()):
        cn = _country_node(ctx, code)
        if cn is None:
            continue
        ratified = [c for c in RELEVANT_ILO_CONVENTIONS if c in set(g.node(cn).get("ilo_ratifications") or [])]
        if not ratified:
            continue
        text = (
            f"{g.name_of(cn)} has ratified ILO {', '.join(ratified)}; {_plural(len(sites), 'group site')} "
            f"{'is' if len(sites) == 1 else 'are'} there ({_names(g, sorted(sites))})"
        )
        p.add("standards_and_law", cn, text, {"ilo_convention": len(ratified), "sites_in_country": len(sites)},
              [cn, *sorted(sites)])


def _bargaining_calendar(p: _Points, ctx: _Context) -> None:
    """Clusters of CBA expiries across the group, from :func:`queries.calendar.bargaining_calendar`."""
    from queries.calendar import bargaining_calendar

    g = p.graph
    cal = bargaining_calendar(g, ctx.company, as_of=ctx.day, index=ctx._index, status=ctx.status)
    sites_of = dict(zip(cal["agreement_id"], cal["site_ids"]))
    for cluster in cal.attrs.get("clusters", []):
        ags = list(cluster["agreements"])
        sites = sorted({s for a in ags for s in sites_of.get(a, [])})
        covers = sorted(e for a in ags for e, _u, v, _x in g.out_edges(a, "COVERS", as_of=ctx.day) if v in sites)
        workers = f" ({cluster['workers']} workers recorded)" if cluster.get("workers") else ""
        text = (
            f"{_plural(len(ags), 'collective agreement')} covering {_plural(len(sites), 'group site')}{workers} expire "
            f"between {cluster['window_start']} and {cluster['window_end']}: a window for coordinated bargaining "
            f"({_names(g, ags)})"
        )
        p.add("bargaining_calendar", ags[0], text, {"expiring_agreement": len(ags), "expiring_site": len(sites)},
              [*ags, *covers, *sites])


def _before_conversion(p: _Points, ctx: _Context) -> None:
    """"Bargain before conversion": a point per group site facing closure or conversion."""
    from queries.transition import transition

    df = transition(p.graph, ctx.company, as_of=ctx.day, status=ctx.status)
    for r in df.to_dict("records"):
        what = ", ".join(x.replace("_", " ") for x in r["exposure"])
        risk = [f"{r[c]:,.0f} kt/y {w}" for c, w in (("capacity_iron_at_risk", "iron"),
                                                      ("capacity_crude_steel_at_risk", "crude steel"))
                if not pd.isna(r[c])]
        workers = "workforce unknown" if pd.isna(r["workforce"]) else f"{int(r['workforce']):,} workers recorded"
        gap = r["no_union_or_agreement"]
        year = "" if pd.isna(r["closure_year"]) else f" (closing year {int(r['closure_year'])})"
        text = (f"{r['site']}: {what}{year}" + (f" ({' and '.join(risk)} at risk)" if risk else "") + f", {workers}; "
                + ("no union or agreement known: organise and bargain before the change is decided"
                   if gap else "bargain the change before it is decided, through the union or agreement on record"))
        evidence = [r["site_id"], *(r["units_at_risk"] or []), *(r["units_replacing"] or []),
                    *(r["change_agreements"] or [])]
        p.add("bargaining_calendar", r["site_id"], text, {"transition_site": 1, "no_bargaining_channel": int(gap)},
              evidence)


def _history(p: _Points, ctx: _Context) -> None:
    g, day = p.graph, ctx.day
    events: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for n in [*ctx.members, *ctx.sites]:
        for eid, ev, _v, _a in g.in_edges(n, "INVOLVES", as_of=day):
            events[ev].append((eid, n))
    for ev, links in sorted(events.items()):
        a = g.node(ev)
        if a.get("date") and a["date"] > day:
            continue
        severity = int(a.get("severity") or 0)
        what = a.get("event_type", "event").replace("_", " ")
        who = sorted({n for _e, n in links})
        text = f"{a.get('date', 'undated')}: {what} at {_names(g, who)} — {a.get('name', ev)}"
        if severity:
            text += f" (severity {severity})"
        p.add("history", ev, text, {"event": 1, "severity": severity}, [ev, *sorted(e for e, _n in links)])
    for c in ctx.members:
        for eid, old, _v, a in g.in_edges(c, "RENAMED_TO", as_of=day):
            when = f" on {a['date']}" if a.get("date") else ""
            text = f"{g.name_of(old)} was renamed to {g.name_of(c)}{when}: the trail links the old name's record to the group"
            p.add("history", c, text, {"renaming": 1}, [c, old, eid])


# ------------------------------------------------------------------------------ categories with no point
def _loaded(graph: CampaignGraph, kind: str) -> bool:
    return next(iter(graph.nodes(kind)), None) is not None


def _unscored(category: str, ctx: _Context) -> str:
    """Why ``category`` has no point: what data it needs and whether any is loaded."""
    g = ctx.graph
    n_sites = len(ctx.cov)
    if category == "internal_solidarity":
        known = sum(1 for v in ctx.states.values() if v != "unknown")
        why = (f"no group site is known to have a recognised union and a collective agreement in force "
               f"(of {_plural(n_sites, 'site')}, {n_sites - known} unknown)" if n_sites else "the group has no sites on record")
        why += "; no union network of the group with members on record" if ctx.networks else \
            "; no union networks loaded (no UnionNetwork nodes)"
    elif category == "agreements":
        why = ("no global framework or health & safety agreement of the group, its parents or joint-venture "
               "partners on record" if _loaded(g, "Agreement") else "no agreements loaded (no Agreement nodes)")
    elif category == "supply_chain":
        why = "no supplier or customer of the group's sites and companies on record (no SUPPLIES edges there)"
    elif category == "finance":
        why = ("no investor holding shares in the group on record" if _loaded(g, "Investor")
               else "no investor data loaded (no Investor nodes)")
    elif category == "standards_and_law":
        why = ("no due-diligence law or relevant ILO ratification on record for the group's countries"
               if ctx.countries else "no country data loaded (no Country nodes)")
        why += "; no certification or initiative of the group on record" if _loaded(g, "Initiative") else \
            "; no initiatives loaded (no Initiative nodes)"
    elif category == "bargaining_calendar":
        why = "no cluster of collective agreement expiries across the group's sites on record"
    else:
        why = ("no event involving the group on record" if _loaded(g, "Event")
               else "no events loaded (no Event nodes)") + "; no renaming on record"
    return why + " — nothing scored"


def with_unscored(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` (a :func:`leverage` answer) with a row, score empty, for each point left out as
    the user's own organisation and each category with nothing scored, the explanation
    saying why: the form for tables and JSON, where ``df.attrs`` would be lost."""
    extra = [
        {"category": r["category"], "node_id": r["node_id"], "node": r["node"], "score": None,
         "explanation": f"not scored: {r['node']} is your own organisation (--us)", "evidence": [],
         "factors": {}, "sources": []}
        for r in df.attrs.get("excluded", [])
    ] + [
        {"category": c, "node_id": None, "node": None, "score": None, "explanation": text, "evidence": [],
         "factors": {}, "sources": []}
        for c, text in df.attrs.get("unscored", {}).items()
    ]
    if not extra:
        return df
    out = pd.concat([df, pd.DataFrame(extra, columns=df.columns)], ignore_index=True) if len(df) else \
        pd.DataFrame(extra, columns=df.columns)
    out.attrs = dict(df.attrs)
    return out


def resolve_us(graph: CampaignGraph, us: Iterable[str] | None) -> list[str]:
    """The ids of the user's own organisation(s) ``us`` (ids or names, any kind), in order.

    A name that matches nothing, or several nodes equally, raises a one-line
    :class:`CampaignGraphError`.
    """
    out: list[str] = []
    for text in us or ():
        t = str(text).strip()
        if not t:
            continue
        try:
            node = t if graph.has_node(t) else graph.resolve(t)
        except CampaignGraphError as e:
            raise CampaignGraphError(f"your own organisation (--us): {e}") from None
        if node not in out:
            out.append(node)
    return out


# ------------------------------------------------------------------------------ entry point
class _Context:
    """What every category needs: the group, its sites and parents, the coverage rows."""

    def __init__(self, graph: CampaignGraph, company: str, day: str, status: Any = None) -> None:
        from queries.coverage import coverage
        from queries.ownership import OwnershipIndex, group, ultimate_parent

        self.graph, self.day = graph, day
        self.company = company
        self._index = OwnershipIndex(graph, as_of=day)  # built once, asked for many chains
        rows = group(graph, company, as_of=day, index=self._index)
        self.members = [i for i, k in zip(rows["id"], rows["kind"]) if k == "Company"]
        self.joint = [i for i, m in zip(rows["id"], rows["membership"]) if m == "joint"]
        up = ultimate_parent(graph, company, as_of=day, index=self._index)
        self._up = ultimate_parent
        self.parents = [c for c in up.chain if c != company]
        self.top = up.id
        member_set = set(self.members)
        self.status = site_statuses(status)
        self.sites = sorted(  # the sites of the statuses asked for (by default workplaces that exist)
            {v for c in self.members for _e, _u, v, _a in graph.out_edges(c, "OPERATES", as_of=day)
             if site_status(graph.node(v)) in self.status}
        )
        self.cov = coverage(graph, company, as_of=day, index=self._index, status=self.status)
        if not self.cov.empty:
            self.sites = sorted(set(self.sites) | set(self.cov["site_id"]))
        self.site_country = {s: graph.node(s).get("country") or _country_of(graph, s, day) for s in self.sites}
        self.states = _site_states(self.cov)
        self.by_commodity: dict[Any, list[str]] = defaultdict(list)  # every group site with a coverage row
        if not self.cov.empty:
            for site, com in sorted(zip(self.cov["site_id"], self.cov["commodity"].map(_val))):
                if com:
                    self.by_commodity[com].append(site)
        self._member_set = member_set
        # the few kinds looked up by property (not by id), each read on its own: a pass over
        # every node would build the attributes of all of them on a columnar graph
        self.countries: dict[str, str] = {}
        self.networks: list[tuple[str, Mapping[str, Any]]] = []
        self.oecd: list[str] = []
        for n, a in graph.nodes("Country"):
            self.countries.setdefault(n.upper(), n)
            name = str(a.get("name", ""))
            if len(name) == 2 and name.isalpha():  # a country named by its ISO code
                self.countries.setdefault(name.upper(), n)
            if a.get("iso2"):
                self.countries[str(a["iso2"]).upper()] = n
        self.networks.extend(graph.nodes("UnionNetwork"))
        self.oecd.extend(n for n, a in graph.nodes("Initiative") if "oecd" in f"{n} {a.get('name', '')}".casefold())
        self.networks.sort(key=lambda x: x[0])
        self.oecd.sort()

    def parents_of(self, company: str) -> list[str]:
        """The controlling chain above ``company`` (ids, nearest first, itself excluded)."""
        up = self._up(self.graph, company, as_of=self.day, index=self._index)
        return [c for c in up.chain if c != company]


def leverage(
    graph: CampaignGraph,
    company: str,
    *,
    as_of: Any = None,
    weights: Mapping[str, float] | None = None,
    status: Any = None,
    us: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Leverage points against ``company``'s group, scored and explained.

    Only the group's sites of the statuses in ``status`` count (default: workplaces that
    exist and sites of unknown status; ``"all"`` or a list, as :func:`queries.coverage.coverage`).

    ``us`` names the user's own organisation(s) (names or ids, resolved like ``company``):
    they are never scored as a lever against the company. Points about them are left out
    and listed in ``df.attrs["excluded"]`` (``us`` itself in ``df.attrs["us"]``); unions
    affiliated to them still count (docs/semantics.md#leverage-semantics).

    A category with no point says why in ``df.attrs["unscored"]`` (category -> text, e.g.
    ``"no country data loaded (no Country nodes); no initiatives loaded (no Initiative
    nodes) — nothing scored"``); :func:`with_unscored` adds them as rows with an empty score.

    One row per point: ``category`` (one of :data:`CATEGORIES`), ``node_id``/``node``
    (the site, union, agreement, partner, investor, initiative, country, CBA or event the
    point is about), ``score``, a one-line ``explanation``, ``evidence`` (node and edge
    ids), ``factors`` (factor -> its part of the score; the parts add up to the score) and
    ``sources`` (the source ids behind the evidence). Rows are ordered by score, highest
    first, then by category and node.

    The score is ``weight[category] × Σ weight[factor] × value``. Defaults
    (:data:`DEFAULT_WEIGHTS`): strong_site 2, paired_same_commodity_country 1 per site,
    paired_same_commodity 0.5 per site, network_member 1, represents_group_site 0.5 per
    site; agreement_in_force 2 (agreement_possibly_in_force 1 instead after a tacit or
    unknown renewal date), invocable_site 1 per site, foa_clause 1,
    jv_partner_agreement 1.5; supply_link 1, partner_agreement 1.5 each,
    partner_certification 1 each, brand_exposure 1, articulation_point 2, betweenness 3 ×
    normalised betweenness; investor 1, workers_capital 3, stake 0.05 per percent;
    grievance_mechanism 2, certified_member 0.5 each, oecd_ncp 1.5, due_diligence_law 2,
    ilo_convention 0.5 each, sites_in_country 0.25 each; expiring_agreement 1 each,
    expiring_site 0.5 each; transition_site 1 and no_bargaining_channel 1 (a site facing closure or
    conversion, "bargain before conversion", in the bargaining_calendar category); event 1, severity 0.5 per point, renaming 1; every category 1.

    Supply-chain chokepoints are computed on the group's supply network only (SUPPLIES
    edges valid at ``as_of`` up to two hops from the group's sites and companies):
    articulation points, and betweenness over the shortest paths between the group's nodes
    and their direct partners; with igraph when installed (the ``fast`` extra), else
    networkx (same numbers); the engine used is in ``df.attrs["engine"]``.

    Examples
    --------
    >>> from queries.leverage import DEFAULT_WEIGHTS
    >>> DEFAULT_WEIGHTS["workers_capital"]
    3.0
    >>> # leverage(graph, "Acme Holding", weights={"finance": 2.0}) doubles finance scores
    """
    w = _weights(weights)
    status = site_statuses(status)
    day = normalise_as_of(as_of)
    ours = resolve_us(graph, us)
    if graph.has_node(company) and graph.kind_of(company) == "Company":
        root = company
    else:
        root = graph.resolve(company, "Company")
    ctx = _Context(graph, root, day, status)
    points = _Points(graph, w)
    _internal_solidarity(points, ctx)
    _agreements(points, ctx)
    engine = _supply_chain(points, ctx)
    _finance(points, ctx)
    _standards_and_law(points, ctx)
    _bargaining_calendar(points, ctx)
    _before_conversion(points, ctx)
    _history(points, ctx)
    order = {c: i for i, c in enumerate(CATEGORIES)}
    rows = sorted(points.rows, key=lambda r: (-r["score"], order[r["category"]], r["node_id"]))
    excluded = [r for r in rows if r["node_id"] in ours]
    rows = [r for r in rows if r["node_id"] not in ours]
    df = pd.DataFrame(rows, columns=LEVERAGE_COLUMNS)
    df.attrs["us"] = [{"id": o, "name": graph.name_of(o)} for o in ours]
    df.attrs["excluded"] = [{k: r[k] for k in ("category", "node_id", "node", "explanation")} for r in excluded]
    present = {r["category"] for r in rows}
    left_out: dict[str, list[str]] = defaultdict(list)
    for r in excluded:
        left_out[r["category"]].append(r["node"])
    df.attrs["unscored"] = {
        c: (f"only your own organisation ({', '.join(dict.fromkeys(left_out[c]))}) was found, left out — nothing scored"
            if c in left_out else _unscored(c, ctx))
        for c in CATEGORIES if c not in present
    }
    df.attrs["engine"] = engine
    df.attrs["company"] = root
    df.attrs["as_of"] = day
    df.attrs["status"] = sorted(ctx.status)
    return df
