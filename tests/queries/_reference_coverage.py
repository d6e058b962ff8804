"""FROZEN reference copy of ``queries/coverage.py`` as of commit 3328d7b (before the issue-7 fast paths).

Used only by the differential tests: the optimised ``queries.coverage`` must give exactly these answers.
Do not optimise or fix this file; it is the yardstick.

Original module docstring follows.

Coverage gaps: for every site of a group, is it organised, recognised, under agreement?

docs/semantics.md#coverage-semantics. One row per site with six dimensions, each ``covered``,
``not_covered`` or ``unknown``:

- ``union_presence``: a Union REPRESENTS the site with members > 0 or unknown (or the
  site's ``union_status`` is ``present``); ``not_covered`` only on ``union_status=none`` or
  recorded unions with 0 members.
- ``recognition``: such a union is recognised; ``not_covered`` when the recorded unions are
  not recognised, or when there is no union.
- ``cba``: a CBA in force COVERS the site, or covers (or, with no COVERS edges, is signed by)
  its operator with no exclusion; ``not_covered`` on ``cba_status=none`` or when the CBAs that
  covered the site have expired with none in force; ``unknown`` otherwise.
- ``gfa`` / ``hs_agreement``: an agreement of that type in force is signed by a company whose
  group under the agreement's ``scope`` contains the site, or COVERS it; otherwise
  ``not_covered`` (the list of agreements is taken as complete), except ``unknown`` for an
  agreement possibly in force, an unknown scope beyond the signatory's own sites, or a site
  that is only possibly in the signatory's group.
- ``network``: a union representing the site is MEMBER_OF a UnionNetwork whose ``company``
  is the group's root or the site's ultimate parent.

A site is ``uncovered`` when a required dimension is ``not_covered``; ``unknown`` never
makes a site uncovered, but the reasons say what needs research.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from graphmodel.errors import CampaignGraphError
from graphmodel.gcpause import paused_gc
from graphmodel.graph import CampaignGraph
from graphmodel.names import name_key
from queries._frames import (
    AGREEMENT_WORDS,
    COVERED,
    NOT_COVERED,
    UNKNOWN,
    agreement_status,
    source_text,
)
from tests.queries._reference_ownership import (
    MEMBERS,
    RULES,
    GroupMembers,
    LazyMap,
    OwnershipIndex,
    _best_predecessors,
    _chain_from_preds,
    _check_root,
    control_members,
    edges_at,
)

DIMENSIONS = ("union_presence", "recognition", "cba", "gfa", "hs_agreement", "network")
DEFAULT_REQUIRE = ("union_presence", "recognition", "cba")

#: the output contract's columns, in order (more follow)
COVERAGE_COLUMNS = (
    "site_id",
    "site",
    "operator_id",
    "ultimate_parent_id",
    "effective_stake",
    "country",
    "commodity",
    "workforce",
    *DIMENSIONS,
    "uncovered",
    "reasons",
)
EXTRA_COLUMNS = (
    "membership",
    "operator",
    "ultimate_parent",
    "chain",
    "operator_share",
    "stake_is_lower_bound",
    "lat",
    "lon",
    "status",
    *(f"{d}_reason" for d in DIMENSIONS),
    "evidence",
)

_RANK = {COVERED: 0, UNKNOWN: 1, NOT_COVERED: 2}
_MEMBERSHIP_RANK = {"root": 0, "controlled": 1, "effective": 1, "joint": 2, "possible": 3}
_SCOPE_WORDS = {
    "controlled": "controlled entities",
    "majority_owned": "majority-owned entities",
    "all_subsidiaries": "all subsidiaries",
    "suppliers_included": "controlled entities and their suppliers",
}


@dataclass
class _Finding:
    value: str
    reason: str
    evidence: list[str] = field(default_factory=list)


def _best(findings: Iterable[_Finding]) -> _Finding | None:
    found = list(findings)
    if not found:
        return None
    return min(found, key=lambda f: _RANK[f.value])


class CoverageContext:
    """Everything one coverage run reads more than once, computed once."""

    def __init__(
        self, graph: CampaignGraph, as_of: Any, index: OwnershipIndex | None, *, whole_graph: bool = False
    ) -> None:
        self.graph = graph
        self.idx = index if index is not None else OwnershipIndex(graph, as_of=as_of)
        self.as_of = self.idx.as_of
        g, day = graph, self.as_of
        day = self.as_of

        def ends(node: str, kind: str, out: bool) -> list[tuple[str, str, str, Mapping[str, Any]]]:
            return edges_at(g, node, kind, day, outgoing=out)

        # Each map reads one node's edges on first use (see LazyMap): a one-group question
        # reads the neighbourhood of that group, not the whole graph.
        #: site -> [(operator, its share or None, edge id)]
        self.operators = LazyMap(lambda n: [(u, a.get("share"), e) for e, u, _v, a in ends(n, "OPERATES", False)])
        #: company -> sites it operates
        self.sites_of = LazyMap(lambda n: [v for _e, _u, v, _a in ends(n, "OPERATES", True)])
        #: site or company -> [(union, edge id, attrs)]
        self.represents = LazyMap(lambda n: [(u, e, a) for e, u, _v, a in ends(n, "REPRESENTS", False)])
        #: union -> [(network, edge id)]
        self.networks_of_union = LazyMap(lambda n: [(v, e) for e, _u, v, _a in ends(n, "MEMBER_OF", True)])
        #: agreement -> [(target, edge id, attrs)]
        self.covers = LazyMap(lambda n: [(v, e, a) for e, _u, v, a in ends(n, "COVERS", True)])
        #: target -> agreements with a COVERS edge to it
        self.covering = LazyMap(lambda n: list(dict.fromkeys(u for _e, u, _v, _a in ends(n, "COVERS", False))))
        #: agreement -> [(company, edge id, attrs)] signing it
        self.parties = LazyMap(
            lambda n: [(u, e, a) for e, u, _v, a in ends(n, "PARTY_TO", False) if g.kind_of(u) == "Company"]
        )
        #: company -> agreements it is party to
        self.signed = LazyMap(lambda n: list(dict.fromkeys(v for _e, _u, v, _a in ends(n, "PARTY_TO", True))))
        #: customer -> [(supplier, edge id)]
        self.suppliers = LazyMap(lambda n: [(u, e) for e, u, _v, _a in ends(n, "SUPPLIES", False)])
        #: supplier -> [(customer, edge id)]
        self.customers = LazyMap(lambda n: [(v, e) for e, _u, v, _a in ends(n, "SUPPLIES", True)])
        #: agreement -> its status at as_of
        self.status = LazyMap(lambda n: agreement_status(g, n, day))
        #: company -> itself and every entity above it through OWNS edges in force
        self.ancestors = LazyMap(self._ancestors)
        if whole_graph:
            self._load_all()
        self._members: dict[str, GroupMembers] = {}
        self._stakes: dict[str, dict[str, float]] = {}
        self._uncertain: dict[str, set[str]] = {}
        self._reach: dict[str, dict[str, _Finding]] = {}
        self._above: dict[tuple[str, str], list[str]] = {}
        # memo tables for per-site look-ups that repeat across the sites of one group
        self._atype: dict[str, str | None] = {}
        self._signed_by: dict[tuple[str, str], list[str]] = {}
        self._up: dict[str, list[str]] = {}
        self._name_keys: dict[str, str] = {}
        self._fw_fallback: dict[tuple[str, tuple[str, ...]], tuple[str, list[str]]] = {}
        self._net_memo: dict[tuple[str, ...], tuple[set[str], list[str]]] = {}
        self._cov_type: dict[tuple[str, str], list[str]] = {}
        self._sup_scope: dict[tuple[str, str], list[str]] = {}

    def chain_up(self, node: str) -> list[str]:
        """:meth:`OwnershipIndex.chain_up`, remembered per node for this run (do not mutate)."""
        up = self._up.get(node)
        if up is None:
            up = self._up[node] = self.idx.chain_up(node)
        return up

    def name_key_of(self, node: str) -> str:
        """``name_key`` of a node's name, remembered."""
        k = self._name_keys.get(node)
        if k is None:
            k = self._name_keys[node] = name_key(self.graph.name_of(node))
        return k

    def _load_all(self) -> None:
        # one pass over the edges fills every map: faster than per-node look-ups for all sites
        g = self.graph
        maps: dict[str, dict[str, list[Any]]] = {
            k: {} for k in ("operators", "sites_of", "represents", "networks_of_union", "covers", "covering",
                            "parties", "signed", "suppliers", "customers")
        }
        kinds = {"OPERATES", "REPRESENTS", "MEMBER_OF", "COVERS", "PARTY_TO", "SUPPLIES", "OWNS"}
        owns: list[tuple[str, str, str, Mapping[str, Any]]] = []
        day = self.as_of
        # the same filter as CampaignGraph.edges(kinds, as_of=...), inlined: this loop sees every edge
        for u, v, e, a in g.nx.edges(keys=True, data=True):
            k = a["kind"]
            if k not in kinds:
                continue
            vf, vt = a.get("valid_from"), a.get("valid_to")
            if (vf and vf > day) or (vt and vt < day):
                continue
            if k == "OWNS":
                owns.append((e, u, v, a))
            elif k == "OPERATES":
                maps["operators"].setdefault(v, []).append((u, a.get("share"), e))
                maps["sites_of"].setdefault(u, []).append(v)
            elif k == "REPRESENTS":
                maps["represents"].setdefault(v, []).append((u, e, a))
            elif k == "MEMBER_OF":
                maps["networks_of_union"].setdefault(u, []).append((v, e))
            elif k == "COVERS":
                maps["covers"].setdefault(u, []).append((v, e, a))
                lst = maps["covering"].setdefault(v, [])
                if u not in lst:
                    lst.append(u)
            elif k == "PARTY_TO":
                if g.kind_of(u) == "Company":
                    maps["parties"].setdefault(v, []).append((u, e, a))
                lst = maps["signed"].setdefault(u, [])
                if v not in lst:
                    lst.append(v)
            else:
                maps["suppliers"].setdefault(v, []).append((u, e))
                maps["customers"].setdefault(u, []).append((v, e))
        for name, data in maps.items():
            getattr(self, name).complete(data)
        self.idx.load_all(owns)

    def _ancestors(self, node: str) -> list[str]:
        seen = {node: None}
        queue = [node]
        while queue:
            h = queue.pop()
            for s in self.idx.inn.get(h, ()):
                if s.holder not in seen:
                    seen[s.holder] = None
                    queue.append(s.holder)
        return list(seen)

    def agreement_type(self, agreement: str) -> str | None:
        try:
            return self._atype[agreement]
        except KeyError:
            t = self._atype[agreement] = self.graph.nx.nodes[agreement].get("agreement_type")
            return t

    def signed_above(self, agreement_type: str, company: str) -> list[str]:
        """Agreements of a type signed by ``company`` or any entity above it (remembered)."""
        key = (agreement_type, company)
        if key not in self._above:
            found: dict[str, None] = {}
            for anc in self.ancestors[company]:
                for a in self.signed_by(agreement_type, anc):
                    found[a] = None
            self._above[key] = list(found)
        return self._above[key]

    def cbas_at(self, target: str) -> list[str]:
        """CBAs with a COVERS edge to ``target`` (site or company)."""
        return [a for a in self.covering.get(target, ()) if self.agreement_type(a) == "cba"]

    def cbas_signed(self, company: str) -> list[str]:
        """CBAs ``company`` signs that have no COVERS edges (they cover the signatory's sites)."""
        return [a for a in self.signed.get(company, ()) if self.agreement_type(a) == "cba" and a not in self.covers]

    def signed_by(self, agreement_type: str, company: str) -> list[str]:
        """Agreements of a type that ``company`` is a party to (remembered; do not mutate)."""
        key = (agreement_type, company)
        found = self._signed_by.get(key)
        if found is None:
            found = self._signed_by[key] = [
                a for a in self.signed.get(company, ()) if self.agreement_type(a) == agreement_type
            ]
        return found

    def framework_candidates(self, agreement_type: str, site: str, operators: list[str]) -> list[str]:
        """Agreements of a type that could reach ``site``: those covering it or its operators,
        those signed above its operators, and supplier-scope ones of the sites it supplies."""
        found: dict[str, None] = {}
        for t in (site, *operators):
            for a in self._covering_of_type(agreement_type, t):
                found[a] = None
        for op in operators:
            for a in self.signed_above(agreement_type, op):
                found[a] = None
        for supplier in (site, *operators):
            for a in self._supplier_scope(agreement_type, supplier):
                found[a] = None
        return list(found)

    def _covering_of_type(self, agreement_type: str, target: str) -> list[str]:
        """Agreements of a type with a COVERS edge to ``target``, in edge order (remembered)."""
        key = (agreement_type, target)
        found = self._cov_type.get(key)
        if found is None:
            found = self._cov_type[key] = [
                a for a in self.covering.get(target, ()) if self.agreement_type(a) == agreement_type
            ]
        return found

    def _supplier_scope(self, agreement_type: str, supplier: str) -> list[str]:
        """Supplier-scope agreements of a type signed above the operators of the sites
        ``supplier`` supplies, in look-up order (remembered)."""
        key = (agreement_type, supplier)
        found = self._sup_scope.get(key)
        if found is None:
            seen: dict[str, None] = {}
            for customer, _e in self.customers.get(supplier, ()):
                if self.graph.kind_of(customer) != "Site":
                    continue
                for op, _s, _e2 in self.operators.get(customer, ()):
                    for a in self.signed_above(agreement_type, op):
                        if self.graph.nx.nodes[a].get("scope") == "suppliers_included":
                            seen[a] = None
            found = self._sup_scope[key] = list(seen)
        return found

    def name(self, n: str) -> str:
        return self.graph.name_of(n)

    def members(self, root: str) -> GroupMembers:
        if root not in self._members:
            self._members[root] = control_members(self.idx, root)
        return self._members[root]

    def stakes(self, root: str) -> dict[str, float]:
        if root not in self._stakes:
            self._stakes[root] = self.idx.effective_stakes(root) if root in self.idx.out else {root: 100.0}
        return self._stakes[root]

    def uncertain(self, root: str) -> set[str]:
        if root not in self._uncertain:
            self._uncertain[root] = self.idx.uncertain_below(root)
        return self._uncertain[root]

    # ------------------------------------------------------------------ agreements
    def reach(self, agreement: str) -> dict[str, _Finding]:
        """Sites a GFA / H&S agreement reaches: site -> covered / unknown / not_covered (excluded)."""
        if agreement not in self._reach:
            self._reach[agreement] = self._compute_reach(agreement)
        return self._reach[agreement]

    def _compute_reach(self, agreement: str) -> dict[str, _Finding]:
        st = self.status[agreement]
        if st.state in ("expired", "not_yet"):
            return {}
        a = self.graph.node(agreement)
        aname = a.get("name", agreement)
        scope = a.get("scope") or "unknown"
        out: dict[str, _Finding] = {}

        def put(site: str, f: _Finding) -> None:
            old = out.get(site)
            if old is None or _RANK[f.value] < _RANK[old.value]:
                out[site] = f

        for signatory, peid, _pa in self.parties.get(agreement, ()):
            sname = self.name(signatory)
            companies: dict[str, _Finding] = {}
            cm = self.members(signatory)
            if scope == "unknown":
                companies[signatory] = _Finding(COVERED, f"{aname} is signed by the operator {sname}", [peid])
                for c in list(cm.controlled) + list(cm.joint) + list(cm.possible):
                    if c != signatory:
                        companies.setdefault(c, _Finding(
                            UNKNOWN,
                            f"{aname} (signed by {sname}) has no recorded scope: it covers {sname}'s own sites; "
                            f"for the rest of its group the answer is unknown",
                            [peid],
                        ))
            else:
                words = _SCOPE_WORDS.get(scope, scope)
                if scope in ("controlled", "suppliers_included"):
                    for c in cm.controlled:
                        companies[c] = _Finding(COVERED, f"{aname} (signed by {sname}) covers its {words}", [peid])
                elif scope == "majority_owned":
                    stakes = self.stakes(signatory)
                    for c, s in stakes.items():
                        if s > 50.0:
                            companies[c] = _Finding(
                                COVERED, f"{aname} (signed by {sname}) covers {words}: {sname} holds {s:.4g}%", [peid]
                            )
                    for c in self.uncertain(signatory):
                        if c not in companies and (c in cm.controlled or c in cm.joint or c in cm.possible):
                            companies[c] = _Finding(
                                UNKNOWN,
                                f"{aname} (signed by {sname}) covers {words}; {sname}'s effective stake in "
                                f"{self.name(c)} is not fully published",
                                [peid],
                            )
                elif scope == "all_subsidiaries":
                    stakes = self.stakes(signatory)
                    for c in list(cm.controlled) + list(cm.joint):
                        companies[c] = _Finding(COVERED, f"{aname} (signed by {sname}) covers {words}", [peid])
                    for c, s in stakes.items():
                        if s >= 10.0 and c not in companies:
                            companies[c] = _Finding(
                                COVERED,
                                f"{aname} (signed by {sname}) covers {words}, incl. stakes of 10% or more ({s:.4g}%)",
                                [peid],
                            )
                for c, w in cm.possible.items():
                    companies.setdefault(c, _Finding(
                        UNKNOWN, f"{aname} (signed by {sname}) covers {words}; {self.name(c)} is only possibly "
                        f"in {sname}'s group ({w.reason})", [peid],
                    ))
            for c, f in companies.items():
                for site in self.sites_of.get(c, ()):
                    put(site, f)
            if scope == "suppliers_included":
                covered_sites = [s for s, f in out.items() if f.value == COVERED]
                for site in covered_sites:
                    for sup, seid in self.suppliers.get(site, ()):
                        kind = self.graph.kind_of(sup)
                        targets = [sup] if kind == "Site" else list(self.sites_of.get(sup, ()))
                        for t in targets:
                            put(t, _Finding(
                                COVERED,
                                f"{aname} (signed by {sname}) includes suppliers: {self.name(sup)} supplies "
                                f"{self.name(site)}",
                                [peid, seid],
                            ))
        # explicit COVERS override the scope rule, exclusions included; edges to a company first,
        # then those to a single site, so the more specific one wins whatever the stored order
        edges = sorted(self.covers.get(agreement, ()), key=lambda t: self.graph.kind_of(t[0]) == "Site")
        for target, ceid, ca in edges:
            sites = [target] if self.graph.kind_of(target) == "Site" else list(self.sites_of.get(target, ()))
            for site in sites:
                if ca.get("excluded"):
                    out[site] = _Finding(NOT_COVERED, f"{aname} explicitly excludes {self.name(target)}", [ceid])
                else:
                    out[site] = _Finding(COVERED, f"{aname} explicitly covers {self.name(target)}", [ceid])
        if st.state == "possibly_in_force":
            for site, f in out.items():
                if f.value == COVERED:
                    out[site] = _Finding(UNKNOWN, f"{f.reason}, but {st.text}", f.evidence + [agreement])
        for f in out.values():
            if agreement not in f.evidence:
                f.evidence.append(agreement)
        return out


def _union_dimensions(ctx: CoverageContext, site: str, sattrs: Mapping[str, Any], operators: list[str]) -> tuple[_Finding, _Finding, list[str]]:
    """``union_presence`` and ``recognition`` of a site, plus the unions present."""
    g = ctx.graph
    present, zero = [], []
    for union, eid, a in ctx.represents.get(site, ()):
        members = a.get("members")
        (zero if members == 0 else present).append((union, eid, a))
    status = sattrs.get("union_status")
    src = source_text(g, sattrs, sattrs.get("union_status_date"))
    if present:
        names = ", ".join(g.name_of(u) for u, _, _ in present)
        presence = _Finding(COVERED, f"{names} represent{'s' if len(present) == 1 else ''} workers here",
                            [e for _, e, _ in present])
        if status == "none":
            presence.reason += f" (the site record says union_status=none, {src}: check which is current)"
    elif status == "present":
        presence = _Finding(COVERED, f"union_status=present ({src}); the union is not named", [])
    elif status == "none":
        presence = _Finding(NOT_COVERED, f"no union at this site: union_status=none ({src})", [])
    elif zero:
        names = ", ".join(g.name_of(u) for u, _, _ in zero)
        presence = _Finding(NOT_COVERED, f"the recorded union(s) {names} have no members here", [e for _, e, _ in zero])
    else:
        company_level = [
            g.name_of(u) for op in operators for u, _e, a in ctx.represents.get(op, ()) if a.get("members") != 0
        ]
        extra = f" ({', '.join(company_level)} represents the operator at company level)" if company_level else ""
        presence = _Finding(UNKNOWN, f"no union is recorded at this site: unknown, needs research{extra}", [])

    if presence.value == NOT_COVERED:
        recognition = _Finding(NOT_COVERED, "no union present to be recognised", [])
    elif present:
        yes = [(u, e) for u, e, a in present if a.get("recognised") is True]
        no = [(u, e) for u, e, a in present if a.get("recognised") is False]
        if yes:
            recognition = _Finding(COVERED, ", ".join(g.name_of(u) for u, _ in yes) + " recognised for bargaining",
                                   [e for _, e in yes])
        elif no and len(no) == len(present):
            recognition = _Finding(NOT_COVERED, ", ".join(g.name_of(u) for u, _ in no)
                                   + " not recognised for bargaining (recognised=false)", [e for _, e in no])
        else:
            recognition = _Finding(UNKNOWN, "whether the union here is recognised is not recorded: needs research",
                                   [e for _, e, _ in present])
    else:
        recognition = _Finding(UNKNOWN, "recognition not recorded: needs research", [])
    return presence, recognition, [u for u, _, _ in present]


def applicable_cbas(ctx: CoverageContext, site: str, operators: list[str]) -> list[tuple[str, str, list[str]]]:
    """CBAs that reach ``site``: ``(agreement, how, evidence)``, whatever their dates.

    A CBA reaches a site when it COVERS the site, or COVERS one of its operators (and does
    not exclude the site), or, having no COVERS edges at all, is signed by an operator as employer.
    """
    g = ctx.graph
    out = []
    # candidates through the per-target index (not a scan over every CBA per site)
    candidates: dict[str, None] = {}
    for target in [site, *operators]:
        for agr in ctx.cbas_at(target):
            candidates[agr] = None
    for op in operators:
        for agr in ctx.cbas_signed(op):
            candidates[agr] = None
    for agr in candidates:
        covers = ctx.covers.get(agr, [])
        if any(t == site and a.get("excluded") for t, _, a in covers):
            continue
        how, ev = None, []
        for t, ceid, ca in covers:
            if ca.get("excluded"):
                continue
            if t == site:
                how, ev = "covers this site", [ceid]
                break
            if t in operators:
                how, ev = f"covers the operator {g.name_of(t)}", [ceid]
        if how is None and not covers:
            for comp, peid, pa in ctx.parties.get(agr, ()):
                if comp in operators and pa.get("role") in (None, "employer"):
                    how, ev = f"is signed by the operator {g.name_of(comp)}", [peid]
                    break
        if how is not None:
            out.append((agr, how, ev))
    return out


def _cba_dimension(ctx: CoverageContext, site: str, sattrs: Mapping[str, Any], operators: list[str]) -> _Finding:
    g = ctx.graph
    findings: list[_Finding] = []
    expired: list[_Finding] = []
    for agr, how, ev in applicable_cbas(ctx, site, operators):
        st = ctx.status[agr]
        ev = ev + [agr]
        if st.state == "in_force":
            findings.append(_Finding(COVERED, f"{st.text}; it {how}", ev))
        elif st.state == "possibly_in_force":
            findings.append(_Finding(UNKNOWN, f"{st.text}; it {how}", ev))
        elif st.state == "expired":
            expired.append(_Finding(NOT_COVERED, f"{st.text} with none in force; it {how}", ev))
    best = _best(findings)
    if best is not None:
        return best
    status = sattrs.get("cba_status")
    src = source_text(g, sattrs, sattrs.get("cba_status_date"))
    if expired:
        last = max(expired, key=lambda f: f.reason)
        if status == "in_force":  # the site record says one is in force: "with none in force" is in doubt
            when = sattrs.get("cba_status_date")
            ends = [g.node(f.evidence[-1]).get("expires") or "" for f in expired]
            if when and when > max(ends):
                return _Finding(COVERED, f"cba_status=in_force ({src}), recorded after {last.reason.split(' with none')[0]}; "
                                "the agreement in force is not on record", last.evidence)
            if not when:
                return _Finding(UNKNOWN, f"{last.reason.split(' with none')[0]}, but the site record says "
                                f"cba_status=in_force ({src}, undated): needs checking", last.evidence)
        return last
    if status == "none":
        return _Finding(NOT_COVERED, f"no collective agreement: cba_status=none ({src})")
    if status == "in_force":
        return _Finding(COVERED, f"cba_status=in_force ({src}); the agreement is not on record")
    return _Finding(UNKNOWN, "no collective agreement is recorded for this site: unknown, needs research")


def _framework_dimension(ctx: CoverageContext, site: str, agreement_type: str, groups: list[str]) -> _Finding:
    word = AGREEMENT_WORDS[agreement_type]
    operators = [o for o, _s, _e in ctx.operators.get(site, ())]
    reach = [ctx.reach(a) for a in ctx.framework_candidates(agreement_type, site, operators)]
    best = _best(r[site] for r in reach if site in r)
    if best is not None:
        return best
    # the fallback depends only on the groups: built once per group and agreement type
    key = (agreement_type, tuple(groups))
    memo = ctx._fw_fallback.get(key)
    if memo is None:
        related = list(dict.fromkeys(a for c in groups for a in ctx.signed_by(agreement_type, c)))
        if related:
            parts = []
            for a in related:
                st = ctx.status[a]
                scope = ctx.graph.node(a).get("scope") or "unknown"
                parts.append(st.text if st.state in ("expired", "not_yet") else
                             f"{ctx.name(a)} (scope {scope}) does not reach this site")
            memo = (f"no {word} in force covers this site: " + "; ".join(parts), related)
        else:
            memo = (f"no {word} of this group is on record", [])
        ctx._fw_fallback[key] = memo
    return _Finding(NOT_COVERED, memo[0], list(memo[1]))


def _founded_by(attrs: Mapping[str, Any], as_of: str) -> bool:
    """False for a network whose ``founded`` date is after ``as_of`` (it did not exist yet)."""
    founded = attrs.get("founded")
    return not founded or str(founded) <= as_of


def _group_networks(ctx: CoverageContext, groups: list[str]) -> list[str]:
    """UnionNetwork nodes whose ``company`` is one of ``groups`` (by id, or by name key)."""
    g = ctx.graph
    by_company = getattr(ctx, "_networks_by_company", None)
    if by_company is None:  # built once per coverage run: one scan of the network nodes
        by_company = {}
        for net, a in g.nodes("UnionNetwork"):
            company = a.get("company")
            if company and _founded_by(a, ctx.as_of):
                by_company.setdefault(company, []).append(net)
                by_company.setdefault("~" + name_key(company), []).append(net)
        ctx._networks_by_company = by_company  # type: ignore[attr-defined]
    found: list[str] = []
    for c in groups:
        if not c:
            continue
        for key in (c, "~" + ctx.name_key_of(c)):
            found.extend(n for n in by_company.get(key, ()) if n not in found)
    return found


def _network_dimension(ctx: CoverageContext, unions: list[str], groups: list[str], presence: _Finding) -> _Finding:
    # The list of networks is taken as complete, but the list of unions at a site is not: when the
    # group has a network and no union is recorded here, whether one belongs to it is unknown
    # (a gap in the data, not in organisation).
    g = ctx.graph
    gkey = tuple(groups)
    memo = ctx._net_memo.get(gkey)
    if memo is None:
        memo = ctx._net_memo[gkey] = ({ctx.name_key_of(c) for c in groups if c}, _group_networks(ctx, groups))
    keys = memo[0]
    for u in unions:
        for net, eid in ctx.networks_of_union.get(u, ()):
            na = g.node(net)
            company = na.get("company")
            if company and _founded_by(na, ctx.as_of) and (company in groups or name_key(company) in keys):
                return _Finding(COVERED, f"{g.name_of(u)} is in {g.name_of(net)}", [eid])
    nets = list(memo[1])
    if not nets:
        return _Finding(NOT_COVERED, "this group has no union network on record")
    names = ", ".join(g.name_of(n) for n in nets[:3])
    if presence.value == NOT_COVERED:
        return _Finding(NOT_COVERED, f"no union at this site, so none in {names}", nets)
    if not unions:
        return _Finding(UNKNOWN, f"the group has a union network ({names}) but no union is recorded at this site", nets)
    return _Finding(NOT_COVERED, f"the unions here are not in {names}", nets)


def place_sites(
    ctx: CoverageContext, company: str | None, *, rule: str, threshold: float, members: str
) -> dict[str, tuple[str | None, str, str | None, list[str], float | None]]:
    """Sites of ``company``'s group (every site when ``None``) with their operator and place in the group."""
    graph = ctx.graph
    placed: dict[str, tuple[str | None, str, str | None, list[str], float | None]] = {}
    if company is not None:
        _check_root(graph, company)
        cm = ctx.members(company)
        stakes = ctx.stakes(company)
        member_of: dict[str, tuple[str, list[str]]] = {}
        if rule == "control":
            for node, why in list(cm.controlled.items()) + list(cm.joint.items()) + (
                list(cm.possible.items()) if members == "all" else []
            ):
                member_of[node] = (why.membership, cm.chain(node))
        else:
            preds = _best_predecessors(ctx.idx, company, stakes)
            for node, s in stakes.items():
                if s + 1e-9 >= float(threshold):
                    member_of[node] = ("root" if node == company else "effective", _chain_from_preds(preds, company, node))
        for comp, (membership, chain) in member_of.items():
            for site in ctx.sites_of.get(comp, ()):
                old = placed.get(site)
                cand = (comp, membership, company, chain, stakes.get(comp, 0.0))
                if old is None or (_MEMBERSHIP_RANK[membership], -(cand[4] or 0)) < (
                    _MEMBERSHIP_RANK[old[1]], -(old[4] or 0)
                ):
                    placed[site] = cand
    else:
        # many sites share an operator: its place in its group is worked out once
        per_op: dict[str, tuple[str | None, str, str | None, list[str], float | None]] = {}
        for site in graph.node_ids("Site"):
            ops = ctx.operators.get(site, [])
            if not ops:
                placed[site] = (None, "", None, [], None)
                continue
            op = ops[0][0] if len(ops) == 1 else max(ops, key=lambda o: (o[1] if o[1] is not None else -1.0, o[0]))[0]
            entry = per_op.get(op)
            if entry is None:
                up = ctx.chain_up(op)
                root = up[-1]
                entry = per_op[op] = (
                    op, "root" if root == op else "controlled", root, up[::-1], ctx.stakes(root).get(op, 0.0)
                )
            placed[site] = entry

    return placed


def _check_require(require: Iterable[str] | str) -> tuple[str, ...]:
    items = [r.strip() for r in (require.split(",") if isinstance(require, str) else require) if r and r.strip()]
    bad = [r for r in items if r not in DIMENSIONS]
    if bad:
        raise CampaignGraphError(f"unknown coverage dimension(s) {', '.join(bad)} (known: {', '.join(DIMENSIONS)})")
    if not items:
        raise CampaignGraphError("require needs at least one dimension")
    return tuple(items)


def coverage(
    graph: CampaignGraph,
    company: str | None = None,
    *,
    as_of: Any = None,
    require: Iterable[str] | str = DEFAULT_REQUIRE,
    rule: str = "control",
    threshold: float = 50.0,
    members: str = "all",
    index: OwnershipIndex | None = None,
) -> pd.DataFrame:
    """One row per site of ``company``'s group (all sites when ``None``) with every dimension.

    Parameters
    ----------
    graph
        The campaign graph.
    company
        Node id of the group's root; ``None`` = every site, each in its ultimate parent's group.
    as_of
        ISO date; edges and agreements are judged at this date (default today).
    require
        Dimensions that make a site ``uncovered`` when ``not_covered``.
    rule, threshold, members
        As :func:`queries.ownership.group` (ignored when ``company`` is ``None``).
    index
        A prebuilt :class:`~queries.ownership.OwnershipIndex` for ``as_of``.

    Returns
    -------
    DataFrame with :data:`COVERAGE_COLUMNS` then :data:`EXTRA_COLUMNS`; ``effective_stake`` is
    the root's look-through stake in the operator (the operator's own share in the site is
    ``operator_share``). ``attrs``: ``as_of``, ``company``, ``require``.

    Examples
    --------
    >>> from graphmodel.graph import CampaignGraph
    >>> g = CampaignGraph()
    >>> _ = g.add_node("co", "Company", "Acme Steel"); _ = g.add_node("s", "Site", "Site A", workforce=300)
    >>> _ = g.add_edge("co", "s", "OPERATES")
    >>> row = coverage(g, "co", as_of="2024-01-01").iloc[0]
    >>> row["union_presence"], bool(row["uncovered"])
    ('unknown', False)
    """
    if rule not in RULES:
        raise CampaignGraphError(f"unknown rule {rule!r} (use control or effective)")
    if members not in MEMBERS:
        raise CampaignGraphError(f"unknown members option {members!r} (use all or known)")
    req = _check_require(require)
    if company is None:  # every site: a pass building many objects that are all kept
        with paused_gc():
            return _coverage(graph, company, as_of, req, rule, threshold, members, index)
    return _coverage(graph, company, as_of, req, rule, threshold, members, index)


def _coverage(
    graph: CampaignGraph,
    company: str | None,
    as_of: Any,
    req: tuple[str, ...],
    rule: str,
    threshold: float,
    members: str,
    index: OwnershipIndex | None,
) -> pd.DataFrame:
    ctx = CoverageContext(graph, as_of, index, whole_graph=company is None)
    placed = place_sites(ctx, company, rule=rule, threshold=threshold, members=members)
    rows = []
    for site, (op, membership, root, chain, stake) in placed.items():
        sattrs = graph.node(site)
        operators = [o for o, _, _ in ctx.operators.get(site, [])]
        up_id = ctx.chain_up(op)[-1] if op is not None else None
        groups = [x for x in (root, up_id) if x]
        presence, recognition, unions = _union_dimensions(ctx, site, sattrs, operators)
        found = {
            "union_presence": presence,
            "recognition": recognition,
            "cba": _cba_dimension(ctx, site, sattrs, operators),
            "gfa": _framework_dimension(ctx, site, "gfa", groups),
            "hs_agreement": _framework_dimension(ctx, site, "hs", groups),
            "network": _network_dimension(ctx, unions, groups, presence),
        }
        op_share = next((s for o, s, _ in ctx.operators.get(site, []) if o == op), None)
        reasons = [f"{d}: {found[d].reason}" for d in DIMENSIONS if found[d].value != COVERED]
        if membership == "possible" and op is not None:
            w = ctx.members(root).why(op) if root else None
            if w is not None:
                reasons.insert(0, f"membership: {w.reason}")
        row: dict[str, Any] = {
            "site_id": site,
            "site": sattrs.get("name", site),
            "operator_id": op,
            "ultimate_parent_id": up_id,
            "effective_stake": stake,
            "country": sattrs.get("country"),
            "commodity": sattrs.get("commodity"),
            "workforce": sattrs.get("workforce"),
            **{d: found[d].value for d in DIMENSIONS},
            "uncovered": any(found[d].value == NOT_COVERED for d in req),
            "reasons": "; ".join(reasons),
            "membership": membership,
            "operator": graph.name_of(op) if op else None,
            "ultimate_parent": graph.name_of(up_id) if up_id else None,
            "chain": " > ".join(chain),
            "operator_share": op_share,
            "stake_is_lower_bound": bool(root and op and op in ctx.uncertain(root)),
            "lat": sattrs.get("lat"),
            "lon": sattrs.get("lon"),
            "status": sattrs.get("status"),
            **{f"{d}_reason": found[d].reason for d in DIMENSIONS},
            "evidence": list(dict.fromkeys(e for d in DIMENSIONS for e in found[d].evidence)),
        }
        rows.append(row)
    rows.sort(key=lambda r: (str(r["country"] or "~"), r["site"].casefold(), r["site_id"]))
    df = pd.DataFrame(rows, columns=list(COVERAGE_COLUMNS) + list(EXTRA_COLUMNS))
    df["workforce"] = df["workforce"].astype("Int64")
    df["effective_stake"] = df["effective_stake"].astype("float64")
    df["uncovered"] = df["uncovered"].astype(bool)
    df.attrs.update(as_of=ctx.as_of, company=company, require=list(req), rule=rule, members=members)
    return df


SUMMARY_BY = {"country": "country", "commodity": "commodity", "operator_id": "operator_id",
              "company": "operator_id", "operator": "operator_id", "ultimate_parent_id": "ultimate_parent_id"}


def coverage_summary(rows: pd.DataFrame, by: str = "country") -> pd.DataFrame:
    """Sites and workers covered / not covered / unknown, grouped by ``by``.

    A site counts as *not covered* when it is ``uncovered``; *unknown* when it is not, but a
    required dimension (``rows.attrs["require"]``, default union_presence, recognition, cba)
    is unknown; *covered* otherwise. Workers sum ``workforce`` where recorded;
    ``sites_no_workforce`` counts the rest.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"country": ["BR", "BR"], "workforce": [100, 50], "uncovered": [True, False],
    ...                      "union_presence": ["not_covered", "covered"], "recognition": ["not_covered", "covered"],
    ...                      "cba": ["unknown", "covered"]})
    >>> coverage_summary(rows).to_dict("records")[0]["workers_not_covered"]
    100
    """
    col = SUMMARY_BY.get(by)
    if col is None:
        raise CampaignGraphError(f"cannot summarise by {by!r} (use country, commodity or company)")
    req = list(rows.attrs.get("require") or DEFAULT_REQUIRE)
    out_cols = [col, "sites", "sites_covered", "sites_not_covered", "sites_unknown", "workers", "workers_covered",
                "workers_not_covered", "workers_unknown", "sites_no_workforce"]
    if rows.empty:
        return pd.DataFrame(columns=out_cols)
    unc = rows["uncovered"].astype(bool)
    unknown = ~unc & (rows[req] == UNKNOWN).any(axis=1)
    state = pd.Series("covered", index=rows.index).mask(unknown, "unknown").mask(unc, "not_covered")
    wf = pd.to_numeric(rows["workforce"], errors="coerce")
    frame = pd.DataFrame({
        col: rows[col].fillna("(not recorded)").astype(str),
        "state": state,
        "wf": wf.fillna(0).astype("int64"),
        "nowf": wf.isna(),
    })
    out = []
    for key, part in frame.groupby(col, sort=True):
        rec: dict[str, Any] = {col: key, "sites": len(part)}
        for s in ("covered", "not_covered", "unknown"):
            rec[f"sites_{s}"] = int((part["state"] == s).sum())
        rec["workers"] = int(part["wf"].sum())
        for s in ("covered", "not_covered", "unknown"):
            rec[f"workers_{s}"] = int(part.loc[part["state"] == s, "wf"].sum())
        rec["sites_no_workforce"] = int(part["nowf"].sum())
        out.append(rec)
    df = pd.DataFrame(out, columns=out_cols)
    if col in ("operator_id", "ultimate_parent_id"):  # say which company, not only its id
        name_col = "operator" if col == "operator_id" else "ultimate_parent"
        if name_col in rows.columns:
            names = dict(zip(rows[col].fillna("(not recorded)").astype(str), rows[name_col]))
            df.insert(1, name_col, df[col].map(names))
    return df.sort_values(["workers_not_covered", "sites_not_covered", col], ascending=[False, False, True],
                          ignore_index=True)
