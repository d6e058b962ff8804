"""Coverage gaps: for every site of a group, is it organised, recognised, under agreement?

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
- ``efa``: as ``gfa``, for European framework agreements, and only for sites in the EEA
  (:data:`EEA_COUNTRIES`); a site elsewhere is ``not_applicable`` (never ``not_covered``),
  a site with no country ``unknown``. Not in the default ``require``.

When no agreement of a type reaches a site, the reason names what the group's predecessors
(RENAMED_TO / MERGED_INTO edges into the group's root) signed and how it ended, e.g.
Arcelor's 2005 GFA for ArcelorMittal; a predecessor's agreement never covers by itself
(``unknown`` while it is in force: whether it binds the successor is not on record).

A site is ``uncovered`` when a required dimension is ``not_covered``; ``unknown`` never
makes a site uncovered, but the reasons say what needs research.

Which sites count: by default those whose ``status`` is one of
:data:`graphmodel.schema.DEFAULT_SITE_STATUSES` (workplaces that exist, and sites with no
recorded status, shown as ``unknown``); ``status="all"`` or a list brings in the others
(see ``docs/semantics.md``). The sites are filtered where they are enumerated
(:func:`place_sites` and the all-sites pass), so every caller counts the same set.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from graphmodel.errors import CampaignGraphError
from graphmodel.gcpause import paused_gc
from graphmodel.graph import CampaignGraph
from graphmodel.names import name_key
from graphmodel.provenance import sources_of
from graphmodel.schema import OPERATING_STATUSES, UNKNOWN_STATUS, site_status, site_statuses
from queries._frames import (
    AGREEMENT_WORDS,
    COVERED,
    NOT_COVERED,
    UNKNOWN,
    AgreementStatus,
    agreement_status,
    agreement_status_of,
    source_text,
    status_of_values,
)
from queries.ownership import (
    MEMBERS,
    RULES,
    GroupMembers,
    LazyMap,
    OwnershipIndex,
    _best_predecessors,
    _check_root,
    _Paths,
    control_members,
    edges_at,
    stake_columns,
)

DIMENSIONS = ("union_presence", "recognition", "cba", "gfa", "hs_agreement", "network", "efa")
#: the efa dimension's value for a site outside the EEA (European agreements do not apply there)
NOT_APPLICABLE = "not_applicable"
#: EU27 + Iceland, Liechtenstein, Norway (ISO 3166-1 alpha-2): where a European framework agreement applies
EEA_COUNTRIES = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU",
    "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
})
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
    "stake_min",
    "lat",
    "lon",
    "status",
    "status_note",
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


def _by_edge_id(item: tuple[str, str, Any]) -> str:
    return item[1]


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


#: per edge kind, the properties the all-sites coverage pass reads
_PASS_PROPS: dict[str, tuple[str, ...]] = {
    "OPERATES": ("share",),
    "SUPPLIES": (),
    "REPRESENTS": ("members", "recognised"),
    "PARTY_TO": ("role",),
    "OWNS": ("share", "share_min", "share_max", "voting", "voting_min", "voting_max", "control", "derived",
             "share_inferred"),
    "COVERS": ("excluded",),
    "MEMBER_OF": (),
}


def _pass_edges(graph: CampaignGraph, day: str) -> dict[str, tuple[list[str], list[str], list[str], list[dict[str, Any]]]]:
    """Per kind of :data:`_PASS_PROPS`, the edges in force on ``day`` as columns
    ``(edge ids, sources, targets, attrs)`` (for OPERATES the ``share`` instead of attrs), each kind in the order of :meth:`CampaignGraph.edges`
    (networkx's: by source node, then target by first appearance, then key).

    A graph still in columnar mode is read through :meth:`CampaignGraph.edge_table` (no per-edge
    attribute dicts from the graph, no networkx): the order is recomputed with numpy from the
    table's rows, which are the edges in the order they were added, and each ``attrs`` holds
    only the properties the pass reads (absent ones as ``None``).
    """
    out: dict[str, tuple[list[str], list[str], list[str], list[dict[str, Any]]]] = {
        k: ([], [], [], []) for k in _PASS_PROPS
    }
    if not getattr(graph, "is_columnar", False):
        for e, u, v, a in graph.edges(list(_PASS_PROPS)):
            vf, vt = a.get("valid_from"), a.get("valid_to")
            if (vf and vf > day) or (vt and vt < day):
                continue
            k = a["kind"]
            cols = out[k]
            cols[0].append(e)
            cols[1].append(u)
            cols[2].append(v)
            cols[3].append(a.get("share") if k == "OPERATES" else a)
        return out
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    t = graph.edge_table(list(_PASS_PROPS))
    n = t.num_rows
    if n == 0:
        return out
    wanted = {"id", "source", "target", "kind", "valid_from", "valid_to", *(p for ps in _PASS_PROPS.values() for p in ps)}
    t = t.select([c for c in t.column_names if c in wanted])  # no list columns (sources, origins) to copy
    node_ids = graph.node_table().column("id")
    # one hash table of the node ids for both ends
    ends = pc.index_in(pa.chunked_array(t.column("source").chunks + t.column("target").chunks), value_set=node_ids)
    ends_np = ends.to_numpy(zero_copy_only=False).astype(np.int64)
    src, dst = ends_np[:n], ends_np[n:]
    row = np.arange(n, dtype=np.int64)
    # networkx keeps a node's targets in the order of their first edge: rank each (source, target)
    # pair by its first row, then order by source node, that rank, and the row (the key order)
    _, inverse = np.unique(src * (len(node_ids) + 1) + dst, return_inverse=True)
    first = np.full(int(inverse.max()) + 1, n, dtype=np.int64)
    np.minimum.at(first, inverse, row)
    keep = np.ones(n, dtype=bool)
    names = t.column_names
    if "valid_from" in names:
        keep &= ~pc.fill_null(pc.greater(t.column("valid_from"), day), False).to_numpy(zero_copy_only=False)
    if "valid_to" in names:
        keep &= ~pc.fill_null(pc.less(t.column("valid_to"), day), False).to_numpy(zero_copy_only=False)
    kind_col = pc.dictionary_encode(t.column("kind")) if not pa.types.is_dictionary(t.column("kind").type) else t.column("kind")
    kind_col = kind_col.unify_dictionaries() if isinstance(kind_col, pa.ChunkedArray) else kind_col
    chunks = kind_col.chunks if isinstance(kind_col, pa.ChunkedArray) else [kind_col]
    kind_names = chunks[0].dictionary.to_pylist() if chunks else []
    codes = np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in chunks]).astype(np.int64)
    order = np.lexsort((row, first[inverse], src))
    order = order[keep[order]]
    order = order[np.argsort(codes[order], kind="stable")]  # kinds contiguous, graph order within each
    part = t.take(pa.array(order))
    bounds = np.searchsorted(codes[order], np.arange(len(kind_names) + 1))
    for code, k in enumerate(kind_names):
        if k not in out:
            continue
        lo, hi = int(bounds[code]), int(bounds[code + 1])
        if lo == hi:
            continue
        sl = part.slice(lo, hi - lo)
        cols = out[k]
        cols[0].extend(sl.column("id").to_pylist())
        cols[1].extend(sl.column("source").to_pylist())
        cols[2].extend(sl.column("target").to_pylist())
        present = [p for p in _PASS_PROPS[k] if p in names]
        if k == "OPERATES":  # only the share is read: no dict per edge
            cols[3].extend(sl.column("share").to_pylist() if present else [None] * (hi - lo))
        elif present:
            values = [sl.column(p).to_pylist() for p in present]
            cols[3].extend(dict(zip(present, vals)) for vals in zip(*values))
        else:
            cols[3].extend([{}] * (hi - lo))
    return out


class CoverageContext:
    """Everything one coverage run reads more than once, computed once."""

    def __init__(
        self, graph: CampaignGraph, as_of: Any, index: OwnershipIndex | None, *, whole_graph: bool = False
    ) -> None:
        self.graph = graph
        self._own_index = index is None
        self.idx = index if index is not None else OwnershipIndex(graph, as_of=as_of)
        self.as_of = self.idx.as_of
        g, day = graph, self.as_of

        def ends(node: str, kind: str, out: bool) -> list[tuple[str, str, str, Mapping[str, Any]]]:
            return edges_at(g, node, kind, day, outgoing=out)

        # Each map reads one node's edges on first use (see LazyMap): a one-group question
        # reads the neighbourhood of that group, not the whole graph.
        #: site -> [(operator, its share or None, edge id)]
        self.operators = LazyMap(lambda n: [(u, a.get("share"), e) for e, u, _v, a in ends(n, "OPERATES", False)])
        #: company -> sites it operates
        self.sites_of = LazyMap(lambda n: [v for _e, _u, v, _a in ends(n, "OPERATES", True)])
        #: site or company -> [(union, edge id, attrs)], by edge id (both coverage paths list a site's
        #: unions in this one order, whatever order the graph holds the edges in)
        self.represents = LazyMap(lambda n: sorted(((u, e, a) for e, u, _v, a in ends(n, "REPRESENTS", False)),
                                                   key=_by_edge_id))
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
        self._scope: dict[str, str | None] = {}
        self._atype: dict[str, str | None] = {}
        self._below: dict[str, set[str]] | None = None
        self._signed_by_complete = False
        self._signers: dict[str | None, list[str]] = {}
        self._below_sup: dict[str, set[str]] | None = None
        self._sup_types: set[str] | None = None
        self._members: dict[str, GroupMembers] = {}
        self._stakes: dict[str, dict[str, float]] = {}
        self._uncertain: dict[str, set[str]] = {}
        self._reach: dict[str, dict[str, _Finding]] = {}
        self._above: dict[tuple[str, str], list[str]] = {}
        self._loops: dict[str, set[str]] = {}
        # memo tables for per-site look-ups that repeat across the sites of one group
        self._signed_by: dict[tuple[str, str], list[str]] = {}
        self._up: dict[str, list[str]] = {}
        self._name_keys: dict[str, str] = {}
        self._fw_fallback: dict[tuple[str, tuple[str, ...]], _Finding] = {}
        self._net_memo: dict[tuple[str, ...], tuple[set[str], list[str]]] = {}
        self._net_info: dict[str, tuple[str, str] | tuple[()]] = {}
        self._cov_type: dict[tuple[str, str], list[str]] = {}
        self._sup_scope: dict[tuple[str, str], list[str]] = {}
        self._sup_walk: dict[str, set[str]] = {}
        if whole_graph:
            self._load_all()
            self._prefill_agreements()

    def close(self) -> None:
        """Forget everything this run remembered (an index built here included).

        The maps hold bound methods of this object, i.e. reference cycles: dropping them here
        frees the memory at once instead of in a later pass of the cyclic garbage collector
        over every object the run made.
        """
        if self._own_index:
            self.idx.close()
        self.__dict__.clear()

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
        # (defaultdicts: the maps are only read with .get and ``in`` afterwards, which add no keys)
        g = self.graph
        edges = _pass_edges(g, self.as_of)
        operators: dict[str, list[Any]] = defaultdict(list)
        sites_of: dict[str, list[Any]] = defaultdict(list)
        eids, us, vs, shares = edges["OPERATES"]
        for e, u, v, sh in zip(eids, us, vs, shares):
            operators[v].append((u, sh, e))
            sites_of[u].append(v)
        suppliers: dict[str, list[Any]] = defaultdict(list)
        customers: dict[str, list[Any]] = defaultdict(list)
        eids, us, vs, _ = edges["SUPPLIES"]
        for e, u, v in zip(eids, us, vs):
            suppliers[v].append((u, e))
            customers[u].append((v, e))
        represents: dict[str, list[Any]] = defaultdict(list)
        eids, us, vs, attrs = edges["REPRESENTS"]
        for e, u, v, a in zip(eids, us, vs, attrs):
            represents[v].append((u, e, a))
        for lst in represents.values():
            lst.sort(key=_by_edge_id)
        parties: dict[str, list[Any]] = defaultdict(list)
        signed: dict[str, list[Any]] = defaultdict(list)
        kind_of = g.kind_of
        company = {}
        eids, us, vs, attrs = edges["PARTY_TO"]
        for e, u, v, a in zip(eids, us, vs, attrs):
            is_company = company.get(u)
            if is_company is None:
                is_company = company[u] = kind_of(u) == "Company"
            if is_company:
                parties[v].append((u, e, a))
            lst = signed[u]
            if v not in lst:
                lst.append(v)
        covers: dict[str, list[Any]] = defaultdict(list)
        covering: dict[str, list[Any]] = defaultdict(list)
        eids, us, vs, attrs = edges["COVERS"]
        for e, u, v, a in zip(eids, us, vs, attrs):
            covers[u].append((v, e, a))
            lst = covering[v]
            if u not in lst:
                lst.append(u)
        networks_of_union: dict[str, list[Any]] = defaultdict(list)
        eids, us, vs, _ = edges["MEMBER_OF"]
        for e, u, v in zip(eids, us, vs):
            networks_of_union[u].append((v, e))
        for name, data in (("operators", operators), ("sites_of", sites_of), ("represents", represents),
                           ("networks_of_union", networks_of_union), ("covers", covers), ("covering", covering),
                           ("parties", parties), ("signed", signed), ("suppliers", suppliers),
                           ("customers", customers)):
            getattr(self, name).complete(data)
        eids, us, vs, attrs = edges["OWNS"]
        self.idx.load_all(zip(eids, us, vs, attrs))

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

    def scope_of(self, agreement: str) -> str | None:
        """An agreement's ``scope`` property (remembered)."""
        try:
            return self._scope[agreement]
        except KeyError:
            sc = self._scope[agreement] = self.graph.node(agreement).get("scope")
            return sc

    def agreement_type(self, agreement: str) -> str | None:
        try:
            return self._atype[agreement]
        except KeyError:
            t = self._atype[agreement] = self.graph.node(agreement).get("agreement_type")
            return t

    def _prefill_agreements(self) -> None:
        """Whole-graph mode: every agreement's type, scope and status from one read of the
        Agreement nodes; each company's agreements sorted by type; the signatories per type."""
        g = self.graph
        day = self.as_of
        status: dict[str, AgreementStatus] = {}
        atype, scopes = self._atype, self._scope
        if getattr(g, "is_columnar", False):
            t = g.node_table("Agreement")
            names = t.column_names
            cols = [(t.column(c).to_pylist() if c in names else [None] * t.num_rows)
                    for c in ("id", "name", "agreement_type", "scope", "signed", "expires", "renewal")]
            for n, name, t_, scope, signed, expires, renewal in zip(*cols):
                atype[n] = t_
                scopes[n] = scope
                status[n] = status_of_values(n if name is None else name, signed, expires, renewal, day)
        else:
            for n, a in g.nodes("Agreement"):
                atype[n] = a.get("agreement_type")
                scopes[n] = a.get("scope")
                status[n] = agreement_status_of(a, n, day)
        self.status.complete(status)
        self._sup_types = {t_ for a, t_ in atype.items() if t_ is not None and scopes.get(a) == "suppliers_included"}
        signers: dict[str | None, list[str]] = {}
        by_type = self._signed_by
        for company, agrs in self.signed._memo.items():
            for a in agrs:
                t_ = atype.get(a)
                lst = by_type.get((t_, company))  # type: ignore[arg-type]
                if lst is None:
                    lst = by_type[(t_, company)] = []  # type: ignore[index]
                    signers.setdefault(t_, []).append(company)
                lst.append(a)
        self._signed_by_complete = True
        self._signers = signers
        self._below = {}  # filled per type on first use (see signed_above)
        # the entities below a signatory of a supplier-scope agreement of each type
        sup_signers: dict[str, list[str]] = {}
        for a, sc in scopes.items():
            if sc == "suppliers_included" and atype.get(a) is not None:
                for company, _e, _pa in self.parties._memo.get(a, ()):
                    sup_signers.setdefault(atype[a], []).append(company)  # type: ignore[arg-type]
        self._below_sup = {t_: self._walk_down(starts) for t_, starts in sup_signers.items()}

    def _signers_of(self, agreement_type: str) -> list[str]:
        """Entities party (in force at ``as_of``) to an agreement of a type: one read of the
        agreements, for a one-group run that has not sorted every company's agreements."""
        g, day = self.graph, self.as_of
        return [u for a in g.node_ids("Agreement") if self.agreement_type(a) == agreement_type
                for _e, u, _v, _a in edges_at(g, a, "PARTY_TO", day, outgoing=False)]

    def _walk_down(self, starts: Iterable[str]) -> set[str]:
        """``starts`` and every entity they hold a stake in, directly or through others."""
        out = self.idx.out
        seen = set(starts)
        stack = list(seen)
        while stack:
            for s_ in out.get(stack.pop(), ()):
                if s_.target not in seen:
                    seen.add(s_.target)
                    stack.append(s_.target)
        return seen

    def signed_above(self, agreement_type: str, company: str) -> list[str]:
        """Agreements of a type signed by ``company`` or any entity above it (remembered)."""
        key = (agreement_type, company)
        if key not in self._above:
            # nothing is signed above an entity no signatory of the type holds a stake in,
            # directly or through others (one walk down per type instead of one walk up per
            # entity, which grew with the square of the ownership depth)
            if self._below is None:
                self._below = {}
            below = self._below.get(agreement_type)
            if below is None:
                signers = self._signers.get(agreement_type, ()) if self._signed_by_complete else self._signers_of(agreement_type)
                below = self._below[agreement_type] = self._walk_down(signers)
            if company not in below:
                return []
            self._fill_above(agreement_type, company, below)
        return self._above[key]

    def _fill_above(self, agreement_type: str, company: str, below: set[str]) -> None:
        """Fill ``_above`` for ``company`` and the single-holder chain above it.

        An entity with one holder that is not on an ownership loop has the holder's ancestors
        after itself, in the same order, so its answer is its own agreements then the holder's:
        a chain costs time linear in its length. Other entities walk their ancestors.
        """
        above, t = self._above, agreement_type
        loops = self._loop_members(t, below)
        path: list[str] = []
        cur = company
        while (t, cur) not in above:
            if cur not in below:
                above[(t, cur)] = []
                break
            holders = self.idx.inn.get(cur, ())
            if len(holders) != 1 or cur in loops or holders[0].holder == cur:
                found: dict[str, None] = {}
                for anc in self.ancestors[cur]:
                    for a in self.signed_by(t, anc):
                        found[a] = None
                above[(t, cur)] = list(found)
                break
            path.append(cur)
            cur = holders[0].holder
        base = above[(t, cur)]
        for x in reversed(path):
            base = above[(t, x)] = list(dict.fromkeys([*self.signed_by(t, x), *base]))

    def _loop_members(self, agreement_type: str, below: set[str]) -> set[str]:
        """Entities in ``below`` on an ownership loop (a strongly connected part of two or more),
        from one pass of scipy's strongly connected components (remembered per type)."""
        loops = self._loops.get(agreement_type)
        if loops is None:
            from scipy.sparse import csr_matrix
            from scipy.sparse.csgraph import connected_components

            ids = list(below)
            pos = {n: i for i, n in enumerate(ids)}
            rows, cols = [], []
            for n in ids:
                for s_ in self.idx.out.get(n, ()):
                    j = pos.get(s_.target)
                    if j is not None:
                        rows.append(pos[n])
                        cols.append(j)
            m = csr_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(len(ids), len(ids)))
            _, labels = connected_components(m, directed=True, connection="strong")
            sizes = np.bincount(labels) if len(ids) else np.zeros(0, dtype=int)
            loops = self._loops[agreement_type] = {n for n, lab in zip(ids, labels) if sizes[lab] > 1}
        return loops

    def cbas_at(self, target: str) -> list[str]:
        """CBAs with a COVERS edge to ``target`` (site or company)."""
        return [a for a in self.covering.get(target, ()) if self.agreement_type(a) == "cba"]

    def cbas_signed(self, company: str) -> list[str]:
        """CBAs ``company`` signs that have no COVERS edges (they cover the signatory's sites)."""
        return [a for a in self.signed_by("cba", company) if a not in self.covers]

    def signed_by(self, agreement_type: str, company: str) -> list[str]:
        """Agreements of a type that ``company`` is a party to (remembered; do not mutate)."""
        key = (agreement_type, company)
        found = self._signed_by.get(key)
        if found is None:
            if self._signed_by_complete:  # every company's agreements were sorted by type up front
                return []
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
        if self._sup_types is not None and agreement_type not in self._sup_types:
            return []
        if self._below_sup is not None:
            # whole graph: only a supplier of a site whose operator is below a signatory of a
            # supplier-scope agreement of the type can have one (the walk below finds none otherwise)
            walk = self._sup_walk.get(agreement_type)
            if walk is None:
                below = self._below_sup.get(agreement_type, set())
                sups, sites_of = self.suppliers._memo, self.sites_of._memo
                walk = self._sup_walk[agreement_type] = {
                    u for op in below for site in sites_of.get(op, ()) for u, _e in sups.get(site, ())
                }
            if supplier not in walk:
                return []
        key = (agreement_type, supplier)
        found = self._sup_scope.get(key)
        if found is None:
            seen: dict[str, None] = {}
            below = self._below_sup.get(agreement_type, set()) if self._below_sup is not None else None
            for customer, _e in self.customers.get(supplier, ()):
                if below is None:  # per-group mode: the kind first (no edge look-up for a company)
                    if self.graph.kind_of(customer) != "Site":
                        continue
                    ops = [op for op, _s, _e2 in self.operators.get(customer, ())]
                else:  # whole graph: the kind look-up only for a customer with an operator that a
                    # supplier-scope agreement may be signed above (the same answer, fewer look-ups)
                    ops = [op for op, _s, _e2 in self.operators.get(customer, ()) if op in below]
                    if not ops or self.graph.kind_of(customer) != "Site":
                        continue
                for op in ops:
                    for a in self.signed_above(agreement_type, op):
                        if self.scope_of(a) == "suppliers_included":
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
    src = source_text(g, sattrs, sattrs.get("union_status_date"), "union_status") if status in ("none", "present") else ""
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
    best, expired = _cba_findings(ctx, applicable_cbas(ctx, site, operators))
    if best is not None:
        return best
    return _cba_fallback(ctx, sattrs, expired)


def _cba_findings(ctx: CoverageContext, applicable: list[tuple[str, str, list[str]]]) -> tuple[_Finding | None, list[_Finding]]:
    """The best finding of the CBAs in force or possibly in force, and those that expired."""
    findings: list[_Finding] = []
    expired: list[_Finding] = []
    for agr, how, ev in applicable:
        st = ctx.status[agr]
        ev = ev + [agr]
        if st.state == "in_force":
            findings.append(_Finding(COVERED, f"{st.text}; it {how}", ev))
        elif st.state == "possibly_in_force":
            findings.append(_Finding(UNKNOWN, f"{st.text}; it {how}", ev))
        elif st.state == "expired":
            expired.append(_Finding(NOT_COVERED, f"{st.text} with none in force; it {how}", ev))
    return _best(findings), expired


def _cba_fallback(ctx: CoverageContext, sattrs: Mapping[str, Any], expired: list[_Finding]) -> _Finding:
    """The cba dimension when no CBA in force reaches the site: expired ones and the site record."""
    g = ctx.graph
    status = sattrs.get("cba_status")
    src = source_text(g, sattrs, sattrs.get("cba_status_date"), "cba_status")
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
    operators = [o for o, _s, _e in ctx.operators.get(site, ())]
    reach = [ctx.reach(a) for a in ctx.framework_candidates(agreement_type, site, operators)]
    best = _best(r[site] for r in reach if site in r)
    if best is not None:
        return best
    return _framework_fallback(ctx, agreement_type, groups)


def _efa_dimension(ctx: CoverageContext, site: str, sattrs: Mapping[str, Any], groups: list[str],
                   reaches: list[dict[str, _Finding]] | None = None) -> _Finding:
    """The efa dimension: ``not_applicable`` outside the EEA, else as gfa (``reaches`` when known)."""
    country = sattrs.get("country")
    if not country:
        return _Finding(UNKNOWN, "the site's country is not recorded: whether a European agreement applies is unknown")
    if str(country).upper() not in EEA_COUNTRIES:
        return _Finding(NOT_APPLICABLE, f"the site is outside the EEA ({country}): European agreements do not apply")
    if reaches is None:
        return _framework_dimension(ctx, site, "efa", groups)
    best = _best(r[site] for r in reaches if site in r)
    return best if best is not None else _framework_fallback(ctx, "efa", groups)


def _predecessors(ctx: CoverageContext, company: str) -> list[tuple[str, str, str]]:
    """``(predecessor, how, its successor)`` of ``company`` through RENAMED_TO / MERGED_INTO edges,
    nearest first."""
    index = getattr(ctx, "_pred_index", None)
    if index is None:  # one scan of the history edges per coverage run
        index = {}
        for _e, u, v, a in ctx.graph.edges(("RENAMED_TO", "MERGED_INTO")):
            how = "renamed to" if a.get("kind") == "RENAMED_TO" else (
                "taken over by" if a.get("mode") == "takeover" else "merged into")
            index.setdefault(v, []).append((u, how))
        ctx._pred_index = index  # type: ignore[attr-defined]
    out: list[tuple[str, str, str]] = []
    seen, queue = {company}, [company]
    while queue:
        succ = queue.pop(0)
        for p, how in index.get(succ, ()):
            if p not in seen:
                seen.add(p)
                out.append((p, how, succ))
                queue.append(p)
    return out


def _predecessor_findings(ctx: CoverageContext, agreement_type: str, groups: list[str]) -> tuple[list[str], list[str], bool]:
    """What the groups' predecessors signed of a type: (texts, agreements, any possibly in force)."""
    texts: list[str] = []
    found: list[str] = []
    live = False
    for c in dict.fromkeys(g for g in groups if g):
        for p, how, succ in _predecessors(ctx, c):
            for a in ctx.signed_by(agreement_type, p):
                if a in found:
                    continue
                found.append(a)
                st = ctx.status[a]
                if st.state in ("in_force", "possibly_in_force"):
                    live = True
                    texts.append(f"{st.text}; it was signed by {ctx.name(p)} ({how} {ctx.name(succ)}): "
                                 f"whether it binds the successor is not on record")
                else:
                    texts.append(f"{ctx.name(p)} ({how} {ctx.name(succ)}): {st.text}")
    return texts, found, live


def _framework_fallback(ctx: CoverageContext, agreement_type: str, groups: list[str]) -> _Finding:
    """A GFA / H&S / EFA dimension no agreement reaches: what the group (and its predecessors)
    has and why it does not reach."""
    word = AGREEMENT_WORDS[agreement_type]
    # the fallback depends only on the groups: built once per group and agreement type
    key = (agreement_type, tuple(groups))
    memo = ctx._fw_fallback.get(key)
    if memo is None:
        related = list(dict.fromkeys(a for c in groups for a in ctx.signed_by(agreement_type, c)))
        before, before_ids, live = _predecessor_findings(ctx, agreement_type, groups)
        value = UNKNOWN if live else NOT_COVERED
        if related:
            parts = []
            for a in related:
                st = ctx.status[a]
                scope = ctx.graph.node(a).get("scope") or "unknown"
                parts.append(st.text if st.state in ("expired", "not_yet") else
                             f"{ctx.name(a)} (scope {scope}) does not reach this site")
            memo = _Finding(value, f"no {word} in force covers this site: " + "; ".join(parts + before),
                            related + before_ids)
        elif before:
            tail = f"no {word} signed by this group is on record" if live else f"no later {word} of this group is on record"
            memo = _Finding(value, "; ".join(before) + "; " + tail, before_ids)
        else:
            memo = _Finding(NOT_COVERED, f"no {word} of this group is on record", [])
        ctx._fw_fallback[key] = memo
    return memo  # shared by the sites of the group: read only


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
    net_info = ctx._net_info
    for u in unions:
        for net, eid in ctx.networks_of_union.get(u, ()):
            info = net_info.get(net)
            if info is None:  # (company, its name key) of a network that exists at as_of, else None
                na = g.node(net)
                company = na.get("company")
                info = net_info[net] = (company, name_key(company)) if company and _founded_by(na, ctx.as_of) else ()
            if info and (info[0] in groups or info[1] in keys):
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


def status_note(graph: CampaignGraph, attrs: Mapping[str, Any], day: str) -> str | None:
    """A note for a site listed operating whose closure year is before ``day``'s year, else None."""
    year = attrs.get("closure_year")
    st = site_status(attrs)
    if year is None or st not in OPERATING_STATUSES:
        return None
    try:
        if int(year) >= int(str(day)[:4]):
            return None
    except (TypeError, ValueError):
        return None
    src = source_text(graph, {"sources": sources_of(attrs, "closure_year")})
    return f"listed {st} but its closure year {int(year)} has passed ({src})"


def _status_columns(df: pd.DataFrame, notes: Mapping[str, str], statuses: frozenset[str],
                    excluded: Mapping[str, int]) -> pd.DataFrame:
    """``status`` as ``unknown`` where none is recorded, ``status_note`` after it, and the status attrs."""
    df["status"] = df["status"].fillna(UNKNOWN_STATUS)
    col = [notes.get(s) for s in df["site_id"]]
    if "status_note" in df.columns:
        df["status_note"] = pd.Series(col, index=df.index, dtype=object)
    else:
        df.insert(df.columns.get_loc("status") + 1, "status_note", pd.Series(col, index=df.index, dtype=object))
    df.attrs.update(status=sorted(statuses), status_excluded=dict(sorted(excluded.items())))
    return df


def place_sites(
    ctx: CoverageContext, company: str | None, *, rule: str, threshold: float, members: str,
    status: Any = None, excluded: dict[str, int] | None = None,
) -> dict[str, tuple[str | None, str, str | None, str, float | None]]:
    """Sites of ``company``'s group (every site when ``None``) with their operator and place in the group.

    Only sites whose status is in ``status`` (see :func:`graphmodel.schema.site_statuses`;
    default: workplaces that exist and unknown status) are kept; ``excluded``, when given,
    counts the others by status.
    """
    statuses = site_statuses(status)
    placed = _place_sites(ctx, company, rule=rule, threshold=threshold, members=members)
    graph = ctx.graph
    out = {}
    for site, place in placed.items():
        st = site_status(graph.node(site))
        if st in statuses:
            out[site] = place
        elif excluded is not None:
            excluded[st] = excluded.get(st, 0) + 1
    return out


def _place_sites(
    ctx: CoverageContext, company: str | None, *, rule: str, threshold: float, members: str
) -> dict[str, tuple[str | None, str, str | None, str, float | None]]:
    graph = ctx.graph
    placed: dict[str, tuple[str | None, str, str | None, str, float | None]] = {}
    if company is not None:
        _check_root(graph, company)
        cm = ctx.members(company)
        stakes = ctx.stakes(company)
        member_of: dict[str, tuple[str, str]] = {}  # member -> (membership, display chain)
        if rule == "control":
            for node, why in list(cm.controlled.items()) + list(cm.joint.items()) + (
                list(cm.possible.items()) if members == "all" else []
            ):
                member_of[node] = (why.membership, cm.chain_text(node))
        else:
            preds = _best_predecessors(ctx.idx, company, stakes)
            paths = _Paths(lambda n: None if n == company else preds.get(n))
            for node, s in stakes.items():
                if s + 1e-9 >= float(threshold):
                    member_of[node] = ("root" if node == company else "effective", paths.text(node))
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
        per_op: dict[str, tuple[str | None, str, str | None, str, float | None]] = {}
        for site in graph.node_ids("Site"):
            ops = ctx.operators.get(site, [])
            if not ops:
                placed[site] = (None, "", None, "", None)
                continue
            op = ops[0][0] if len(ops) == 1 else max(ops, key=lambda o: (o[1] if o[1] is not None else -1.0, o[0]))[0]
            entry = per_op.get(op)
            if entry is None:
                root = ctx.idx.ultimate_parent_id(op)
                entry = per_op[op] = (
                    op, "root" if root == op else "controlled", root, ctx.idx.chain_down_text(op),
                    ctx.stakes(root).get(op, 0.0),
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
    status: Any = None,
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
    status
        Site statuses to count: ``None`` = workplaces that exist and sites of unknown status
        (:data:`graphmodel.schema.DEFAULT_SITE_STATUSES`), ``"all"``, or a list / comma-separated string.

    Returns
    -------
    DataFrame with :data:`COVERAGE_COLUMNS` then :data:`EXTRA_COLUMNS` (``status`` is
    ``unknown`` where none is recorded; ``status_note`` notes a site listed operating whose
    closure year has passed by ``as_of``); ``effective_stake`` is the root's look-through
    stake in the operator (the operator's own share in the site is ``operator_share``),
    empty where a share on the way is not published; ``stake_min`` is then the known part
    (:func:`queries.ownership.stake_columns`). ``attrs``: ``as_of``, ``company``, ``require``,
    ``status`` (the statuses counted), ``status_excluded`` (``{status: sites left out}``).

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
    statuses = site_statuses(status)
    if company is None:  # every site: a pass building many objects that are all kept
        with paused_gc():
            return _coverage_all_sites(graph, as_of, req, rule, members, index, statuses)
    return _coverage(graph, company, as_of, req, rule, threshold, members, index, statuses)


def _coverage(
    graph: CampaignGraph,
    company: str | None,
    as_of: Any,
    req: tuple[str, ...],
    rule: str,
    threshold: float,
    members: str,
    index: OwnershipIndex | None,
    statuses: frozenset[str] | None = None,
) -> pd.DataFrame:
    ctx = CoverageContext(graph, as_of, index)
    statuses = site_statuses(None) if statuses is None else statuses
    excluded: dict[str, int] = {}
    placed = place_sites(ctx, company, rule=rule, threshold=threshold, members=members, status=statuses,
                         excluded=excluded)
    rows = []
    notes: dict[str, str] = {}
    for site, (op, membership, root, chain, stake) in placed.items():
        sattrs = graph.node(site)
        note = status_note(graph, sattrs, ctx.as_of)
        if note:
            notes[site] = note
        operators = [o for o, _, _ in ctx.operators.get(site, [])]
        up_id = ctx.idx.ultimate_parent_id(op) if op is not None else None
        groups = [x for x in (root, up_id) if x]
        presence, recognition, unions = _union_dimensions(ctx, site, sattrs, operators)
        found = {
            "union_presence": presence,
            "recognition": recognition,
            "cba": _cba_dimension(ctx, site, sattrs, operators),
            "gfa": _framework_dimension(ctx, site, "gfa", groups),
            "hs_agreement": _framework_dimension(ctx, site, "hs", groups),
            "network": _network_dimension(ctx, unions, groups, presence),
            "efa": _efa_dimension(ctx, site, sattrs, groups),
        }
        op_share = next((s for o, s, _ in ctx.operators.get(site, []) if o == op), None)
        reasons = [f"{d}: {found[d].reason}" for d in DIMENSIONS if found[d].value not in (COVERED, NOT_APPLICABLE)]
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
            "chain": chain,
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
    _stake_frame(df)
    df["uncovered"] = df["uncovered"].astype(bool)
    df.attrs.update(as_of=ctx.as_of, company=company, require=list(req), rule=rule, members=members)
    return _status_columns(df, notes, statuses, excluded)


def _stake_frame(df: pd.DataFrame) -> None:
    """Split the known stake into ``effective_stake`` and ``stake_min`` in place
    (:func:`queries.ownership.stake_columns`): unknown is NaN (null, empty), never 0."""
    cols = [stake_columns(k, bool(lo)) for k, lo in zip(df["effective_stake"], df["stake_is_lower_bound"])]
    for c in ("effective_stake", "stake_min"):
        values = pd.Series([r[c] for r in cols], index=df.index, dtype="float64")
        if c in df.columns:
            df[c] = values
        else:  # the all-sites pass leaves it out of its row tuples
            df.insert(list(df.columns).index("stake_is_lower_bound") + 1, c, values)


class _OperatorPlace:
    """What every site of one operator shares in the all-sites pass (worked out once per operator)."""

    __slots__ = (
        "cba",
        "chain",
        "fw",
        "fw_fallback",
        "fw_reach",
        "groups",
        "lower",
        "membership",
        "net_memo",
        "op",
        "op_name",
        "presence_unknown",
        "root",
        "root_name",
        "stake",
    )

    def __init__(self, ctx: CoverageContext, op: str) -> None:
        root = ctx.idx.ultimate_parent_id(op)
        self.op = op
        self.membership = "root" if root == op else "controlled"
        self.root = root
        self.chain = ctx.idx.chain_down_text(op)
        self.stake = ctx.stakes(root).get(op, 0.0)
        self.lower = op in ctx.uncertain(root)
        name_of = ctx.graph.name_of
        self.op_name = name_of(op)
        self.root_name = name_of(root)
        self.groups = [root, root]  # (the group's root, the operator's ultimate parent): the same here
        # agreements that may reach the operator's sites, per type, in framework_candidates order
        # (its own COVERS and those signed above it, then supplier-scope ones of what it supplies)
        covered = op in ctx.covering._memo
        supplies = op in ctx.customers._memo
        self.fw = {}
        for t in ("gfa", "hs", "efa"):
            parts = ctx._covering_of_type(t, op) if covered else []
            parts = parts + ctx.signed_above(t, op)
            if supplies:
                parts += ctx._supplier_scope(t, op)
            self.fw[t] = list(dict.fromkeys(parts)) if parts else []
        self.cba: tuple[_Finding | None, list[_Finding]] | None = None
        self.presence_unknown: _Finding | None = None
        self.net_memo: dict[bool, _Finding] = {}
        self.fw_reach: dict[str, list[dict[str, _Finding]]] = {}
        self.fw_fallback: dict[str, _Finding] = {}


def _no_union_recorded(ctx: CoverageContext, operators: list[str]) -> _Finding:
    g = ctx.graph
    company_level = [
        g.name_of(u) for op in operators for u, _e, a in ctx.represents.get(op, ()) if a.get("members") != 0
    ]
    extra = f" ({', '.join(company_level)} represents the operator at company level)" if company_level else ""
    return _Finding(UNKNOWN, f"no union is recorded at this site: unknown, needs research{extra}", [])


_NO_RECOGNITION = _Finding(UNKNOWN, "recognition not recorded: needs research", [])
_NO_CBA = _Finding(UNKNOWN, "no collective agreement is recorded for this site: unknown, needs research")


def _coverage_all_sites(
    graph: CampaignGraph, as_of: Any, req: tuple[str, ...], rule: str, members: str, index: OwnershipIndex | None,
    statuses: frozenset[str] | None = None,
) -> pd.DataFrame:
    """:func:`coverage` for every site: the same rows as the per-site path (``_coverage``), faster.

    One pass over the edges fills plain dicts; what the sites of one operator share (its place
    in its ultimate parent's group, the agreements that may reach it, the texts that depend only
    on the group) is worked out once per operator; each site then costs a few dict look-ups.
    Sites with several operators or none take the general per-site functions.
    """
    ctx = CoverageContext(graph, as_of, index, whole_graph=True)
    try:
        return _all_sites_frame(ctx, graph, req, rule, members, statuses)
    finally:
        ctx.close()  # break the context's reference cycles now, not in a later GC pass


def _all_sites_frame(ctx: CoverageContext, graph: CampaignGraph, req: tuple[str, ...], rule: str, members: str,
                     statuses: frozenset[str] | None = None) -> pd.DataFrame:
    operators_d = ctx.operators._memo
    represents_d = ctx.represents._memo
    covering_d = ctx.covering._memo
    customers_d = ctx.customers._memo
    atype = ctx.agreement_type
    reach = ctx.reach
    supplier_scope = ctx._supplier_scope
    rank = _RANK
    places: dict[str, _OperatorPlace] = {}
    req_set = set(req)
    # status_note is added at the end (_status_columns), stake_min by _stake_frame
    columns = tuple(c for c in (*COVERAGE_COLUMNS, *EXTRA_COLUMNS) if c not in ("status_note", "stake_min"))
    rows: list[tuple[Any, ...]] = []
    req_idx = [k for k, d in enumerate(DIMENSIONS) if d in req_set]
    statuses = site_statuses(None) if statuses is None else statuses
    excluded: dict[str, int] = {}
    notes: dict[str, str] = {}
    day = ctx.as_of
    for site, sattrs in graph.nodes("Site"):
        st = sattrs.get("status") or UNKNOWN_STATUS
        if st not in statuses:  # not a workplace counted by this query (see graphmodel.schema)
            excluded[st] = excluded.get(st, 0) + 1
            continue
        if st in OPERATING_STATUSES and sattrs.get("closure_year") is not None:
            note = status_note(graph, sattrs, day)
            if note:
                notes[site] = note
        ops = operators_d.get(site)
        if ops is not None and len(ops) == 1:
            op = ops[0][0]
            p = places.get(op)
            if p is None:
                p = places[op] = _OperatorPlace(ctx, op)
            operators = [op]
            # union presence and recognition
            if site not in represents_d and sattrs.get("union_status") not in ("present", "none"):
                presence = p.presence_unknown
                if presence is None:
                    presence = p.presence_unknown = _no_union_recorded(ctx, operators)
                recognition, unions = _NO_RECOGNITION, []
            else:
                presence, recognition, unions = _union_dimensions(ctx, site, sattrs, operators)
            # collective agreement
            cov = covering_d.get(site)
            if cov is None or not any(atype(a) == "cba" for a in cov):
                memo = p.cba
                if memo is None:
                    memo = p.cba = _cba_findings(ctx, applicable_cbas(ctx, None, operators))
                cba = memo[0]
                if cba is None:
                    cba = (_NO_CBA if not memo[1] and sattrs.get("cba_status") not in ("none", "in_force")
                           else _cba_fallback(ctx, sattrs, memo[1]))
            else:
                cba = _cba_dimension(ctx, site, sattrs, operators)
            # framework agreements
            fw = []
            for t in ("gfa", "hs", "efa"):
                if t == "efa" and str(sattrs.get("country") or "").upper() not in EEA_COUNTRIES:
                    fw.append(_efa_dimension(ctx, site, sattrs, p.groups, []))  # not applicable, or country unknown
                    continue
                site_cov = [a for a in cov if atype(a) == t] if cov is not None else ()
                site_sup = supplier_scope(t, site) if site in customers_d else ()
                if site_cov or site_sup:
                    cands = list(dict.fromkeys([*site_cov, *ctx._covering_of_type(t, op), *ctx.signed_above(t, op),
                                                *site_sup, *supplier_scope(t, op)]))
                    reaches = [reach(a) for a in cands]
                else:  # the operator's candidates' reach maps, looked up once per operator
                    reaches = p.fw_reach.get(t)
                    if reaches is None:
                        reaches = p.fw_reach[t] = [reach(a) for a in p.fw[t]]
                best = None
                for r in reaches:
                    f = r.get(site)
                    if f is not None and (best is None or rank[f.value] < rank[best.value]):
                        best = f
                if best is None:
                    best = p.fw_fallback.get(t)
                    if best is None:
                        best = p.fw_fallback[t] = _framework_fallback(ctx, t, p.groups)
                fw.append(best)
            # union network
            if unions:
                network = _network_dimension(ctx, unions, p.groups, presence)
            else:
                none_here = presence.value == NOT_COVERED
                network = p.net_memo.get(none_here)
                if network is None:
                    network = p.net_memo[none_here] = _network_dimension(ctx, unions, p.groups, presence)
            membership, up_id, stake, chain = p.membership, p.root, p.stake, p.chain
            op_name, up_name, lower = p.op_name, p.root_name, p.lower
            share = ops[0][1]
        else:  # several operators or none: the general per-site functions
            if ops:
                op = max(ops, key=lambda o: (o[1] if o[1] is not None else -1.0, o[0]))[0]
                p = places.get(op)
                if p is None:
                    p = places[op] = _OperatorPlace(ctx, op)
                membership, up_id, stake, chain = p.membership, p.root, p.stake, p.chain
                op_name, up_name, lower = p.op_name, p.root_name, p.lower
                groups = p.groups
                share = next((s for o, s, _ in ops if o == op), None)
            else:
                op = up_id = stake = op_name = up_name = share = None
                membership, chain, lower, groups = "", "", False, []
            operators = [o for o, _, _ in ops] if ops else []
            presence, recognition, unions = _union_dimensions(ctx, site, sattrs, operators)
            cba = _cba_dimension(ctx, site, sattrs, operators)
            fw = [_framework_dimension(ctx, site, "gfa", groups), _framework_dimension(ctx, site, "hs", groups),
                  _efa_dimension(ctx, site, sattrs, groups)]
            network = _network_dimension(ctx, unions, groups, presence)
        found = (presence, recognition, cba, fw[0], fw[1], network, fw[2])
        # one tuple per site in the order of ``columns``; transposed once at the end
        rows.append((
            site, sattrs.get("name", site), op, up_id, stake, sattrs.get("country"), sattrs.get("commodity"),
            sattrs.get("workforce"), presence.value, recognition.value, cba.value, fw[0].value, fw[1].value,
            network.value, fw[2].value, any(found[k].value == NOT_COVERED for k in req_idx),
            "; ".join([f"{d}: {f.reason}" for d, f in zip(DIMENSIONS, found) if f.value not in (COVERED, NOT_APPLICABLE)]),
            membership, op_name, up_name, chain, share, lower, sattrs.get("lat"), sattrs.get("lon"),
            sattrs.get("status"), presence.reason, recognition.reason, cba.reason, fw[0].reason, fw[1].reason,
            network.reason, fw[2].reason, list(dict.fromkeys([e for f in found for e in f.evidence])),
        ))
    if rows:
        # the per-site path's order: country ("~" when unknown), site name casefolded, site id
        rows.sort(key=lambda r: (str(r[5] or "~"), r[1].casefold(), r[0]))
        cols = dict(zip(columns, (list(c) for c in zip(*rows))))
        del rows
        df = pd.DataFrame(cols, columns=list(columns))
    else:  # as the per-site path builds it: no rows, object columns
        df = pd.DataFrame([], columns=list(columns))
    df["workforce"] = df["workforce"].astype("Int64")
    _stake_frame(df)
    df["uncovered"] = df["uncovered"].astype(bool)
    df.attrs.update(as_of=ctx.as_of, company=None, require=list(req), rule=rule, members=members)
    return _status_columns(df, notes, statuses, excluded)


def _workers(wf: pd.Series) -> Any:
    """Sum of the recorded workforce; 0 over no sites, unknown (NA) over sites with none recorded."""
    if wf.empty:
        return 0
    return int(wf.sum()) if wf.notna().any() else pd.NA


SUMMARY_BY = {"country": "country", "commodity": "commodity", "operator_id": "operator_id",
              "company": "operator_id", "operator": "operator_id", "ultimate_parent_id": "ultimate_parent_id"}


def coverage_summary(rows: pd.DataFrame, by: str = "country") -> pd.DataFrame:
    """Sites and workers covered / not covered / unknown, grouped by ``by``.

    A site counts as *not covered* when it is ``uncovered``; *unknown* when it is not, but a
    required dimension (``rows.attrs["require"]``, default union_presence, recognition, cba)
    is unknown; *covered* otherwise. Workers sum ``workforce`` where recorded;
    ``sites_no_workforce`` counts the rest. A workers figure over sites none of which has a
    recorded workforce is unknown (``<NA>``), never 0. When the rows have the ``efa`` dimension,
    ``sites_efa_covered`` / ``_not_covered`` / ``_unknown`` / ``_not_applicable`` count its
    values (whatever ``require`` is). Only the rows given are counted: a coverage frame holds
    the sites of the statuses it was asked for (by default the workplaces that exist).

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
    efa = "efa" in rows.columns
    efa_values = (COVERED, NOT_COVERED, UNKNOWN, NOT_APPLICABLE)
    if efa:
        out_cols += [f"sites_efa_{v}" for v in efa_values]
    if rows.empty:
        return pd.DataFrame(columns=out_cols)
    unc = rows["uncovered"].astype(bool)
    unknown = ~unc & (rows[req] == UNKNOWN).any(axis=1)
    state = pd.Series("covered", index=rows.index).mask(unknown, "unknown").mask(unc, "not_covered")
    wf = pd.to_numeric(rows["workforce"], errors="coerce")
    frame = pd.DataFrame({
        col: rows[col].fillna("(not recorded)").astype(str),
        "state": state,
        "wf": wf.astype("Int64"),
        "nowf": wf.isna(),
    })
    if efa:
        frame["efa"] = rows["efa"]
    out = []
    for key, part in frame.groupby(col, sort=True):
        rec: dict[str, Any] = {col: key, "sites": len(part)}
        for s in ("covered", "not_covered", "unknown"):
            rec[f"sites_{s}"] = int((part["state"] == s).sum())
        rec["workers"] = _workers(part["wf"])
        for s in ("covered", "not_covered", "unknown"):
            rec[f"workers_{s}"] = _workers(part.loc[part["state"] == s, "wf"])
        rec["sites_no_workforce"] = int(part["nowf"].sum())
        if efa:
            for v in efa_values:
                rec[f"sites_efa_{v}"] = int((part["efa"] == v).sum())
        out.append(rec)
    df = pd.DataFrame(out, columns=out_cols)
    for c in ("workers", "workers_covered", "workers_not_covered", "workers_unknown"):
        df[c] = df[c].astype("Int64")
    if col in ("operator_id", "ultimate_parent_id"):  # say which company, not only its id
        name_col = "operator" if col == "operator_id" else "ultimate_parent"
        if name_col in rows.columns:
            names = dict(zip(rows[col].fillna("(not recorded)").astype(str), rows[name_col]))
            df.insert(1, name_col, df[col].map(names))
    return df.sort_values(["workers_not_covered", "sites_not_covered", col], ascending=[False, False, True],
                          ignore_index=True)
