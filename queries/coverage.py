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
(:func:`place_sites`), so every caller counts the same set.

One code answers for one group and for every site: :func:`place_sites` lists the sites (a
group's members' sites, or every site in its ultimate parent's group), :func:`site_rows` works
out each site's findings (``_site_dimensions``: what depends only on a site's operators or group
is shared) and :func:`coverage_columns` makes the columns. Only the reading differs: a group
reads its neighbourhood node by node, all sites read the edge tables once
(``CoverageContext(whole_graph=True)``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, pairwise, repeat
from operator import attrgetter, is_not, itemgetter
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from graphmodel.errors import CampaignGraphError
from graphmodel.gcpause import paused_gc
from graphmodel.graph import CampaignGraph
from graphmodel.names import name_key
from graphmodel.provenance import sources_of
from graphmodel.schema import OPERATING_STATUSES, UNKNOWN_STATUS, site_status, site_statuses, status_value
from queries._frames import (
    AGREEMENT_WORDS,
    COVERED,
    NOT_COVERED,
    UNKNOWN,
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

_T = TypeVar("_T")
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


@dataclass(slots=True)  # one per site and dimension at most: no per-instance dict
class _Finding:
    value: str
    reason: str
    evidence: list[str] = field(default_factory=list)


def _best(findings: Iterable[_Finding]) -> _Finding | None:
    found = findings if isinstance(findings, list) else list(findings)
    if len(found) < 2:
        return found[0] if found else None
    return min(found, key=lambda f: _RANK[f.value])


#: per edge kind, the properties a whole-graph coverage run reads (:func:`_pass_edges`)
_PASS_PROPS: dict[str, tuple[str, ...]] = {
    "OPERATES": ("share",),
    "SUPPLIES": (),
    "REPRESENTS": ("members", "recognised"),
    "PARTY_TO": ("role",),
    # (the sources too: a reason quoting a holding cites the source that set its share, as
    # :func:`queries.ownership._stake_from_attrs` reads it)
    "OWNS": ("share", "share_min", "share_max", "voting", "voting_min", "voting_max", "control", "derived",
             "share_inferred", "sources", "value_sources"),
    "COVERS": ("excluded",),
    "MEMBER_OF": (),
}


def _in_force_mask(t: Any, day: str) -> np.ndarray:
    """Which rows of an edge table (:meth:`CampaignGraph.edge_table`) are in force on ``day``, as
    :func:`graphmodel.values.in_force` says for one edge: a null or empty end is open."""
    import pyarrow.compute as pc

    keep = np.ones(t.num_rows, dtype=bool)
    names = t.column_names
    if "valid_from" in names:
        keep &= ~pc.fill_null(pc.greater(t.column("valid_from"), day), False).to_numpy(zero_copy_only=False)
    if "valid_to" in names:
        vt = t.column("valid_to")
        late = pc.and_(pc.less(vt, day), pc.not_equal(vt, ""))
        keep &= ~pc.fill_null(late, False).to_numpy(zero_copy_only=False)
    return keep


class _KindEdges:
    """The edges of one kind in force on a day, in the order of :meth:`CampaignGraph.edges`
    (networkx's: by source node, then target by first appearance, then key).

    Their ends are node positions (numpy, into :attr:`_Pass.nodes`), so maps can be grouped and
    ordered with numpy; the edge ids and properties are read only when asked, already in the order
    asked (``order``: positions into this kind's edges), so no per-edge list is built twice.
    """

    __slots__ = ("_attrs", "_column", "dst", "src")

    def __init__(self, src: np.ndarray, dst: np.ndarray, column: Any, attrs: Any) -> None:
        self.src, self.dst = src, dst
        self._column, self._attrs = column, attrs

    def __len__(self) -> int:
        return len(self.src)

    def column(self, name: str, order: np.ndarray | None = None) -> list[Any]:
        """The ``id`` (or one property of :data:`_PASS_PROPS`; ``None`` where absent) of each edge."""
        return self._column(name, np.arange(len(self.src)) if order is None else order)

    def attrs(self, order: np.ndarray | None = None) -> list[Mapping[str, Any]]:
        """Each edge's attributes: the properties of :data:`_PASS_PROPS` the rules read, as
        documented in :meth:`CoverageContext.__init__` (a graph held in networkx: its own dicts)."""
        return self._attrs(np.arange(len(self.src)) if order is None else order)


@dataclass
class _Pass:
    """The edges a whole-graph run reads (:func:`_pass_edges`): per kind of :data:`_PASS_PROPS`."""

    #: node id by position, position by node id, and each position's kind code (an index into ``kind_names``)
    nodes: list[str]
    position: Mapping[str, int]
    node_kinds: np.ndarray
    kind_names: list[str]
    edges: dict[str, _KindEdges]
    _by_position: np.ndarray | None = None

    def ids(self, positions: np.ndarray) -> list[str]:
        """The node ids at ``positions`` (the graph's own id strings, not one per edge end).

        Taken from an object array of the ids (one numpy take): twice as fast as a list
        look-up per position over a million edge ends."""
        if self._by_position is None:
            self._by_position = _object_array(self.nodes)
        return self._by_position[positions].tolist()

    def is_kind(self, positions: np.ndarray, kind: str) -> np.ndarray:
        """Boolean per position: the node is a ``kind``."""
        if kind not in self.kind_names:
            return np.zeros(len(positions), dtype=bool)
        return self.node_kinds[positions] == self.kind_names.index(kind)


def _pass_edges(graph: CampaignGraph, day: str) -> _Pass:
    """The edges of each kind of :data:`_PASS_PROPS` in force on ``day``, in the order of
    :meth:`CampaignGraph.edges` (see :class:`_KindEdges`).

    A graph held in columns is read through its CSR adjacency (:meth:`CampaignGraph.adjacency`):
    its out-edge rows are already in that order and its day mask says which are in force, so the
    kept rows are one numpy selection; ids and properties are then taken from
    :meth:`CampaignGraph.edge_table` (whose rows are the adjacency's edge rows) for just those
    rows, each ``attrs`` holding only the properties the pass reads (absent ones as ``None``).
    """
    adj = graph.adjacency()
    if adj is None:
        return _pass_edges_nx(graph, day)
    from graphmodel.adjacency import take

    out: dict[str, _KindEdges] = {}
    rows = adj.out_order[adj.walkable(day, frozenset(_PASS_PROPS))[adj.out_order]]
    codes = adj.ekind_codes[rows]
    t = graph.edge_table(columns={"id", *(p for ps in _PASS_PROPS.values() for p in ps)})
    names = set(t.column_names)
    for k, props in _PASS_PROPS.items():
        if k not in adj.ekind_names:
            kr = rows[:0]
        else:
            kr = rows[codes == adj.ekind_names.index(k)]
        present = [p for p in props if p in names]

        def column(name: str, order: np.ndarray, kr: np.ndarray = kr) -> list[Any]:
            if name != "id" and name not in names:
                return [None] * len(order)
            return take(t.column(name), kr[order]).to_pylist()

        def attrs(order: np.ndarray, kr: np.ndarray = kr, present: list[str] = present) -> list[Mapping[str, Any]]:
            if not present:
                return [{}] * len(order)
            values = [take(t.column(p), kr[order]).to_pylist() for p in present]
            return list(map(dict, map(zip, repeat(present), zip(*values))))

        out[k] = _KindEdges(adj.src[kr], adj.dst[kr], column, attrs)
    return _Pass(adj.ids, adj.row, adj.nkind_codes, adj.nkind_names, out)


def _pass_edges_nx(graph: CampaignGraph, day: str) -> _Pass:
    """:func:`_pass_edges` of a graph held in networkx: one walk of :meth:`CampaignGraph.edges`."""
    nodes, kinds = [], []
    for n, a in graph.nodes():
        nodes.append(n)
        kinds.append(a["kind"])
    kind_names = list(dict.fromkeys(kinds))
    code = {k: i for i, k in enumerate(kind_names)}
    pos = {n: i for i, n in enumerate(nodes)}
    cols: dict[str, tuple[list[int], list[int], list[str], list[Mapping[str, Any]]]] = {
        k: ([], [], [], []) for k in _PASS_PROPS
    }
    for e, u, v, a in graph.edges(list(_PASS_PROPS)):
        vf, vt = a.get("valid_from"), a.get("valid_to")
        if (vf and vf > day) or (vt and vt < day):
            continue
        c = cols[a["kind"]]
        c[0].append(pos[u])
        c[1].append(pos[v])
        c[2].append(e)
        c[3].append(a)
    out: dict[str, _KindEdges] = {}
    for k, (us, vs, es, ats) in cols.items():

        def column(name: str, order: np.ndarray, es: list[str] = es, ats: list[Any] = ats) -> list[Any]:
            picked = order.tolist()
            if name == "id":
                return [es[i] for i in picked]
            return [ats[i].get(name) for i in picked]

        def attrs(order: np.ndarray, ats: list[Any] = ats) -> list[Mapping[str, Any]]:
            return [ats[i] for i in order.tolist()]

        out[k] = _KindEdges(np.array(us, dtype=np.int64), np.array(vs, dtype=np.int64), column, attrs)
    return _Pass(nodes, pos, np.array([code[k] for k in kinds], dtype=np.int64), kind_names, out)


def _groups(keys: np.ndarray, values: list[Any], label: Any) -> dict[Any, list[Any]]:
    """``{label of key k: [the values of key k]}`` over the keys present, from ``keys`` sorted
    (stably: each group keeps the order of its values) and ``values`` in the same order;
    ``label(ks)`` gives the dict keys of an array of distinct keys (e.g. :meth:`_Pass.ids`).

    Grouping by sorted keys builds one list slice per key in C (``map``), instead of a Python
    append per edge into a dict of lists.
    """
    if not len(keys):
        return {}
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    if len(starts) == len(keys):  # one value per key (a site's operator, an agreement's COVERS edge)
        return dict(zip(label(keys), [[v] for v in values]))
    bounds = [*starts.tolist(), len(keys)]
    return dict(zip(label(keys[starts]), [values[a:b] for a, b in pairwise(bounds)]))


def _lazy_groups(p: _Pass, keys: np.ndarray, build: Any) -> LazyMap:
    """node -> ``build(positions of the edges whose key is that node, in edge order)``, made on the
    first look-up of each node: for maps a whole-graph run reads at a few of their keys only
    (a site's suppliers, an agreement's signatories), so their tuples are made for those."""
    perm = np.argsort(keys, kind="stable")
    sorted_keys = keys[perm]
    position = p.position

    def load(node: str) -> list[Any]:
        r = position.get(node)
        if r is None:
            return []
        lo, hi = np.searchsorted(sorted_keys, (r, r + 1)).tolist()
        return build(perm[lo:hi]) if hi > lo else []

    return LazyMap(load)


def _first_of_each(keys: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Positions of the first of each distinct ``(key, value)`` pair, in their order (what
    ``if v not in lst: lst.append(v)`` keeps, per key)."""
    if not len(keys):
        return np.zeros(0, dtype=np.int64)
    pair = keys.astype(np.int64) * (int(values.max()) + 1) + values  # one int per pair (node positions)
    _, first = np.unique(pair, return_index=True)
    return np.sort(first)


#: the Site properties coverage reads (a whole-graph run reads only these: :func:`_site_props`)
_SITE_PROPS = ("name", "status", "union_status", "union_status_date", "cba_status", "cba_status_date",
               "closure_year", "country", "commodity", "workforce", "lat", "lon", "sources", "value_sources")
_SITE_PROP_SET = frozenset(_SITE_PROPS)


def _site_props(graph: CampaignGraph) -> Mapping[str, Mapping[str, Any]]:
    """Every site's non-null :data:`_SITE_PROPS`: the values of :meth:`CampaignGraph.nodes`.

    A loaded snapshot's are read from the Site columns as :class:`_SiteColumns` (no attribute
    dict per site); a graph held as networkx gives its own dicts.
    """
    if not getattr(graph, "is_columnar", False):
        return dict(graph.nodes("Site"))
    return _SiteColumns(graph.node_table("Site", columns=("id", *_SITE_PROPS)))


class _SiteColumns(Mapping[str, Mapping[str, Any]]):
    """site -> its properties (:class:`_SiteRecord`), held as one column per property.

    A whole-graph run reads a few properties of every site (:meth:`take`) and
    every property of the few sites a rule works out on its own (a record): building a dict per
    site, then reading each property back out of 200k of them, cost more than the run's rules.
    A column is made Python values (:func:`graphmodel.columnar.py_values`) on its first read.
    """

    __slots__ = ("_cols", "_position", "_table")

    def __init__(self, table: Any) -> None:
        self._table = table
        ids = table.column("id").to_pylist()
        self._position = dict(zip(ids, range(len(ids))))
        self._cols: dict[str, np.ndarray] = {}

    def column(self, prop: str) -> np.ndarray:
        """The property's values in the table's order (None where null), as a numpy object array."""
        col = self._cols.get(prop)
        if col is None:
            from graphmodel.columnar import py_values

            n = len(self._position)
            values = py_values(self._table.column(prop)) if prop in self._table.column_names else repeat(None, n)
            col = self._cols[prop] = np.fromiter(values, dtype=object, count=n)
        return col

    def take(self, sites: Sequence[str], props: Iterable[str]) -> dict[str, list[Any]]:
        """``{prop: [its value at each site]}`` (None where null)."""
        at = np.fromiter(map(self._position.__getitem__, sites), dtype=np.int64, count=len(sites))
        return {p: self.column(p)[at].tolist() for p in props}

    def __getitem__(self, site: str) -> _SiteRecord:
        return _SiteRecord(self, self._position[site])

    def __contains__(self, site: object) -> bool:
        return site in self._position

    def __iter__(self) -> Any:
        return iter(self._position)

    def __len__(self) -> int:
        return len(self._position)


class _SiteRecord(Mapping[str, Any]):
    """One site's non-null properties, read from :class:`_SiteColumns` (a read-only view)."""

    __slots__ = ("_i", "_of")

    def __init__(self, of: _SiteColumns, i: int) -> None:
        self._of, self._i = of, i

    def get(self, prop: str, default: Any = None) -> Any:
        col = self._of._cols.get(prop)
        if col is None:
            if prop not in _SITE_PROP_SET:
                return default
            col = self._of.column(prop)
        v = col[self._i]
        return default if v is None else v

    def __getitem__(self, prop: str) -> Any:
        v = self.get(prop)
        if v is None:
            raise KeyError(prop)
        return v

    def __iter__(self) -> Any:
        return (p for p in _SITE_PROPS if self.get(p) is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _site_values(site_attrs: Mapping[str, Mapping[str, Any]], sites: Sequence[str],
                 props: Iterable[str]) -> dict[str, list[Any]]:
    """``{prop: [its value at each site]}`` (None where not recorded), read as columns when the
    run holds the sites' properties as columns."""
    if isinstance(site_attrs, _SiteColumns):
        return site_attrs.take(sites, props)
    records = [site_attrs[s] for s in sites]
    return {p: [a.get(p) for a in records] for p in props}


class CoverageContext:
    """Everything one coverage run reads more than once, computed once.

    A one-group run reads the graph per node on first use (:class:`~queries.ownership.LazyMap`);
    a whole-graph run (``whole_graph=True``) fills the same maps from one pass over the edges.
    Either way the rules read the maps the same way, so one code answers both.
    """

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
        #: site -> its attributes (a whole-graph run: only :data:`_SITE_PROPS`)
        self.site_attrs = LazyMap(g.node)
        #: site -> [(operator, its share or None, edge id)]
        self.operators = LazyMap(lambda n: [(u, a.get("share"), e) for e, u, _v, a in ends(n, "OPERATES", False)])
        #: company -> sites it operates
        self.sites_of = LazyMap(lambda n: [v for _e, _u, v, _a in ends(n, "OPERATES", True)])
        #: site or company -> [(union, edge id, attrs)], by edge id (a site's unions are listed in
        #: this one order, whatever order the graph holds the edges in)
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
        #: supplier -> its customers, one per SUPPLIES edge (the rules read no edge of this side)
        self.customers = LazyMap(lambda n: [v for _e, _u, v, _a in ends(n, "SUPPLIES", True)])
        #: agreement -> its status at as_of
        self.status = LazyMap(lambda n: agreement_status(g, n, day))
        #: company -> itself and every entity above it through OWNS edges in force
        self.ancestors = LazyMap(self._ancestors)
        self._scope: dict[str, str | None] = {}
        self._atype: dict[str, str | None] = {}
        self._agreements_read = False
        self._of_type: dict[str, frozenset[str]] = {}
        self._cand_tests: dict[str, tuple[Callable[[str], bool], ...]] = {}
        self._owns: tuple[Any, dict[str, int], list[str]] | None = None
        self._ends_tables: dict[str, Any] = {}
        self._loops: set[str] | None = None
        self._below: dict[str, set[str]] = {}
        self._below_sup: dict[str, set[str]] = {}
        self._named: dict[str, set[str]] = {}
        self._signed_by_complete = False
        self._members: dict[str, GroupMembers] = {}
        self._stakes: dict[str, dict[str, float]] = {}
        self._uncertain: dict[str, set[str]] = {}
        self._reach: dict[str, dict[str, _Finding]] = {}
        self._above: dict[tuple[str, str], list[str]] = {}
        # memo tables for look-ups that repeat across the sites of one group or one operator
        self._signed_by: dict[tuple[str | None, str], list[str]] = {}
        self._up: dict[str, list[str]] = {}
        self._name_keys: dict[str, str] = {}
        self._fw_fallback: dict[tuple[str, tuple[str, ...]], _Finding] = {}
        self._net_memo: dict[tuple[str, ...], tuple[set[str], list[str]]] = {}
        self._net_info: dict[str, tuple[str, str] | tuple[()]] = {}
        self._net_none: dict[tuple[tuple[str, ...], bool, bool], _Finding] = {}
        self._networks_by_company: dict[str, list[str]] | None = None
        self._pred_index: dict[str, list[tuple[str, str]]] | None = None
        self._fallback_reads: dict[str, set[str]] = {}
        self._cov_type: dict[tuple[str, str], list[str]] = {}
        self._sup_scope: dict[tuple[str, str], list[str]] = {}
        self._op_reach: dict[tuple[Any, ...], list[dict[str, _Finding]]] = {}
        self._op_cba: dict[tuple[str, ...], tuple[_Finding | None, list[_Finding]]] = {}
        self._brings_cbas: dict[str, bool] = {}
        self._no_union: dict[tuple[str, ...], tuple[_Finding, _Finding, list[str]]] = {}
        self._outside_eea: dict[str, _Finding] = {}
        self._pred_of: dict[str, list[tuple[str, str, str]]] = {}
        #: a whole-graph run: the indexes over the whole graph that let sites share findings
        #: (:meth:`named_sites`, :meth:`candidate_tests`, the walks down from the signatories) pay
        #: for themselves; a run over a neighbourhood (one group, one site) reads node by node
        #: and works out each of its few sites on its own, so it never builds them
        self.whole_graph = whole_graph
        if whole_graph:
            self._load_all()

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
        # One pass over the edges (:func:`_pass_edges`) fills every map: faster than per-node
        # look-ups for all sites. Each map is grouped by sorting its key column (numpy, stable: a
        # group keeps the graph's edge order) and its tuples are made in that order by zip, with
        # no Python step per edge; the maps a run reads at a few keys only are filled per key.
        import pyarrow as pa
        import pyarrow.compute as pc

        g = self.graph
        p = _pass_edges(g, self.as_of)
        ids = p.ids

        def by(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            perm = np.argsort(keys, kind="stable")
            return perm, keys[perm]

        e = p.edges["OPERATES"]
        perm, keys = by(e.dst)
        self.operators = _groups(keys, list(zip(ids(e.src[perm]), e.column("share", perm), e.column("id", perm))),
                                 ids)
        perm, keys = by(e.src)
        self.sites_of = _groups(keys, ids(e.dst[perm]), ids)

        sup = p.edges["SUPPLIES"]
        self.suppliers = _lazy_groups(p, sup.dst, lambda at: list(zip(ids(sup.src[at]), sup.column("id", at))))
        perm, keys = by(sup.src)
        self.customers = _groups(keys, ids(sup.dst[perm]), ids)

        e = p.edges["REPRESENTS"]
        # by target, then by edge id (Arrow sorts UTF-8 bytes, i.e. by code point as Python's str)
        id_rank = np.empty(len(e), dtype=np.int64)
        id_rank[pc.sort_indices(pa.array(e.column("id"), type=pa.string())).to_numpy()] = np.arange(len(e))
        perm = np.lexsort((id_rank, e.dst))
        self.represents = _groups(e.dst[perm], list(zip(ids(e.src[perm]), e.column("id", perm), e.attrs(perm))), ids)

        party = p.edges["PARTY_TO"]
        company = np.flatnonzero(p.is_kind(party.src, "Company"))

        def signatories(at: np.ndarray) -> list[Any]:
            rows = company[at]
            return list(zip(ids(party.src[rows]), party.column("id", rows), party.attrs(rows)))

        self.parties = _lazy_groups(p, party.dst[company], signatories)
        # each party's agreements once, in the order of their first edge
        first = _first_of_each(party.src, party.dst)
        perm, keys = by(party.src[first])
        signer, agreement = keys, party.dst[first[perm]]
        self.signed = _groups(signer, ids(agreement), ids)

        e = p.edges["COVERS"]
        perm, keys = by(e.src)
        self.covers = _groups(keys, list(zip(ids(e.dst[perm]), e.column("id", perm), e.attrs(perm))), ids)
        first = _first_of_each(e.dst, e.src)
        perm, keys = by(e.dst[first])
        self.covering = _groups(keys, ids(e.src[first[perm]]), ids)

        e = p.edges["MEMBER_OF"]
        perm, keys = by(e.src)
        self.networks_of_union = _groups(keys, list(zip(ids(e.dst[perm]), e.column("id", perm))), ids)
        # (plain dicts answer .get and ``in`` as the complete LazyMap would: only non-empty lists are stored)

        e = p.edges["OWNS"]
        self.idx.load_all(zip(e.column("id"), ids(e.src), ids(e.dst), e.attrs()))
        self.site_attrs = _site_props(g)
        self._prefill_agreements(p, signer, agreement)

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

    def _read_agreements(self, table: Any = None) -> None:
        """Every agreement's type and scope, from one read of the Agreement columns (``table``:
        those columns when the caller has read them already)."""
        if self._agreements_read:
            return
        t = table if table is not None else self.graph.node_table("Agreement", columns=("id", "agreement_type", "scope"))
        names = t.column_names
        ids = t.column("id").to_pylist()
        for prop, memo in (("agreement_type", self._atype), ("scope", self._scope)):
            values = t.column(prop).to_pylist() if prop in names else [None] * len(ids)
            memo.update(zip(ids, values))
        self._agreements_read = True

    def scope_of(self, agreement: str) -> str | None:
        """An agreement's ``scope`` property."""
        try:
            return self._scope[agreement]
        except KeyError:
            return self._agreement_prop(agreement, "scope", self._scope)

    def agreement_type(self, agreement: str) -> str | None:
        """An agreement's ``agreement_type`` property."""
        try:
            return self._atype[agreement]
        except KeyError:
            return self._agreement_prop(agreement, "agreement_type", self._atype)

    def _agreement_prop(self, agreement: str, prop: str, memo: dict[str, str | None]) -> str | None:
        """``prop`` of a node not in ``memo`` yet: a whole-graph run reads every Agreement's once
        (:meth:`_read_agreements`); a neighbourhood run, and a node that is no Agreement, its node's."""
        if self.whole_graph and not self._agreements_read:
            self._read_agreements()
            if agreement in memo:
                return memo[agreement]
        found = memo[agreement] = self.graph.node(agreement).get(prop)
        return found

    def _prefill_agreements(self, p: _Pass, signer: np.ndarray, agreement: np.ndarray) -> None:
        """Whole-graph mode: every agreement's status, type and scope from one read of the
        Agreement nodes, and each party's agreements sorted by type (``signer`` / ``agreement``:
        the node positions of each party and each agreement it is party to, once, grouped by
        party in the order of :attr:`signed`)."""
        g = self.graph
        day = self.as_of
        if getattr(g, "is_columnar", False):
            import pyarrow.compute as pc

            t = g.node_table("Agreement", columns=("id", "name", "signed", "expires", "renewal", "agreement_type",
                                                   "scope"))
            names = t.column_names
            ids = t.column("id")
            # an agreement with no name is named by its id
            label = pc.coalesce(t.column("name"), ids) if "name" in names else ids
            cols = [(t.column(c).to_pylist() if c in names else [None] * t.num_rows)
                    for c in ("signed", "expires", "renewal")]
            self.status = dict(zip(ids.to_pylist(), map(status_of_values, label.to_pylist(), *cols, repeat(day))))
            self._read_agreements(t)
        else:
            self.status = {n: agreement_status_of(a, n, day) for n, a in g.nodes("Agreement")}
        # each (type, party) group keeps the party's order: sort by party, then type code, stably
        distinct, at = np.unique(agreement, return_inverse=True)
        types = list(map(self.agreement_type, p.ids(distinct)))
        type_names = list(dict.fromkeys(types))
        code = {x: i for i, x in enumerate(type_names)}
        n_types = len(type_names)
        key = signer * n_types + np.array([code[x] for x in types], dtype=np.int64)[at]
        perm = np.argsort(key, kind="stable")

        def type_and_party(keys: np.ndarray) -> Iterable[tuple[str | None, str]]:
            return zip(map(type_names.__getitem__, (keys % n_types).tolist()), p.ids(keys // n_types))

        # (the memo is still empty: filled here, not merged)
        self._signed_by = _groups(key[perm], p.ids(agreement[perm]), type_and_party)
        self._signed_by_complete = True

    # ------------------------------------------------------------------ ownership walks
    def _owns_matrix(self) -> tuple[Any, dict[str, int], list[str]]:
        """The OWNS edges in force at ``as_of`` as a scipy CSR matrix (holder -> held) over the
        entities at their ends, with the row of each entity and the entity of each row (built once).

        Vectorised from :meth:`CampaignGraph.edge_table`: the walks below touch every entity
        under every signatory, which per-entity edge look-ups made the cost of a one-group run.
        """
        if self._owns is None:
            import pyarrow as pa
            import pyarrow.compute as pc
            from scipy.sparse import csr_matrix

            t = self._ends_in_force("OWNS")
            src, dst = t.column("source"), t.column("target")
            ids = pc.unique(pa.chunked_array(src.chunks + dst.chunks, type=src.type))
            rows = pc.index_in(src, value_set=ids).to_numpy(zero_copy_only=False).astype(np.int64)
            cols = pc.index_in(dst, value_set=ids).to_numpy(zero_copy_only=False).astype(np.int64)
            n = len(ids)
            m = csr_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n, n))
            id_list = ids.to_pylist()
            self._owns = (m, {x: i for i, x in enumerate(id_list)}, id_list)
        return self._owns

    def _walk_down(self, starts: Iterable[str]) -> set[str]:
        """``starts`` and every entity they hold a stake in (OWNS in force), directly or through others."""
        m, pos, ids = self._owns_matrix()
        seen = set(starts)
        frontier = np.unique(np.array([pos[s] for s in seen if s in pos], dtype=np.int64))
        visited = np.zeros(len(ids), dtype=bool)
        visited[frontier] = True
        while frontier.size:  # breadth first, one level of the whole frontier per step
            nxt = np.unique(m[frontier].indices)
            nxt = nxt[~visited[nxt]]
            visited[nxt] = True
            frontier = nxt
        seen.update(ids[i] for i in np.flatnonzero(visited))
        return seen

    def _loop_members(self) -> set[str]:
        """Entities on an ownership loop (a strongly connected part of two or more), from one
        pass of scipy's strongly connected components over the OWNS edges in force (remembered).

        Everything an entity holds is below it, so a loop through an entity below a signatory
        lies wholly below it: one pass over the whole graph serves every agreement type.
        """
        if self._loops is None:
            from scipy.sparse.csgraph import connected_components

            m, _pos, ids = self._owns_matrix()
            if not ids:
                self._loops = set()
            else:
                _, labels = connected_components(m, directed=True, connection="strong")
                sizes = np.bincount(labels)
                self._loops = {ids[i] for i in np.flatnonzero(sizes[labels] > 1)}
        return self._loops

    def _party_sources(self, agreements: set[str]) -> list[str]:
        """Entities party (PARTY_TO in force at ``as_of``) to any of ``agreements``."""
        return self._edge_ends("PARTY_TO", agreements, at="target")

    def _ends_in_force(self, kind: str) -> Any:
        """The ``source`` and ``target`` columns of the ``kind`` edges in force at ``as_of``, in
        edge-table order (one read of the edge table per kind and run)."""
        found = self._ends_tables.get(kind)
        if found is None:
            import pyarrow as pa

            t = self.graph.edge_table(kind, columns=("source", "target", "valid_from", "valid_to"))
            keep = _in_force_mask(t, self.as_of)
            found = self._ends_tables[kind] = t.select(["source", "target"]).filter(pa.array(keep))
        return found

    def _edge_ends(self, kind: str, ends: set[str], *, at: str) -> list[str]:
        """The other ends of the ``kind`` edges in force whose ``at`` end (``source`` or
        ``target``) is in ``ends``: one vectorised look-up in the edge table."""
        if not ends:
            return []
        import pyarrow as pa
        import pyarrow.compute as pc

        t = self._ends_in_force(kind)
        keep = pc.is_in(t.column(at), value_set=pa.array(sorted(ends), type=pa.string()))
        return t.column("target" if at == "source" else "source").filter(keep).to_pylist()

    def named_sites(self, agreement_type: str) -> set[str]:
        """Nodes that bring framework candidates of a type of their own (see
        :meth:`framework_candidates`): the targets of COVERS edges from agreements of the type, and
        the suppliers of sites operated below a signatory of a supplier-scope agreement of the type.
        Any other site has only its operators' candidates. A superset, read once per type."""
        found = self._named.get(agreement_type)
        if found is None:
            found = set(self._edge_ends("COVERS", self._agreements_of(agreement_type), at="source"))
            below = self._sup_below(agreement_type)
            if below:
                found.update(self._edge_ends("SUPPLIES", set(self._edge_ends("OPERATES", below, at="source")),
                                             at="target"))
            self._named[agreement_type] = found
        return found

    def _sup_below(self, agreement_type: str) -> set[str]:
        """The entities below a signatory of a supplier-scope agreement of the type (remembered)."""
        below = self._below_sup.get(agreement_type)
        if below is None:
            below = self._below_sup[agreement_type] = self._walk_down(
                self._party_sources(self._agreements_of(agreement_type, "suppliers_included")))
        return below

    def _agreements_of(self, agreement_type: str, scope: str | None = None) -> set[str]:
        of_type = self.of_type(agreement_type)
        return set(of_type) if scope is None else {a for a in of_type if self._scope.get(a) == scope}

    def of_type(self, agreement_type: str) -> frozenset[str]:
        """The agreements of a type (every Agreement node's type read once; remembered per type)."""
        found = self._of_type.get(agreement_type)
        if found is None:
            self._read_agreements()
            found = self._of_type[agreement_type] = frozenset(
                a for a, t_ in self._atype.items() if t_ == agreement_type)
        return found

    def signed_above(self, agreement_type: str, company: str) -> list[str]:
        """Agreements of a type signed by ``company`` or any entity above it (remembered)."""
        key = (agreement_type, company)
        if key not in self._above:
            if not self.whole_graph:  # a few entities: each walks up its own ancestors
                self._above[key] = self._signed_by_ancestors(agreement_type, company)
                return self._above[key]
            # nothing is signed above an entity no signatory of the type holds a stake in,
            # directly or through others (one walk down per type instead of one walk up per
            # entity, which grew with the square of the ownership depth)
            below = self._signatories_and_below(agreement_type)
            if company not in below:
                return []
            self._fill_above(agreement_type, company, below)
        return self._above[key]

    def _signed_by_ancestors(self, agreement_type: str, company: str) -> list[str]:
        """Agreements of a type signed by ``company`` or an entity above it, in the order of its
        ancestors (what :meth:`signed_above` answers)."""
        found: dict[str, None] = {}
        for anc in self.ancestors[company]:
            for a in self.signed_by(agreement_type, anc):
                found[a] = None
        return list(found)

    def _signatories_and_below(self, agreement_type: str) -> set[str]:
        """The signatories of the type's agreements and every entity they hold a stake in (remembered)."""
        below = self._below.get(agreement_type)
        if below is None:
            below = self._below[agreement_type] = self._walk_down(
                self._party_sources(self._agreements_of(agreement_type)))
        return below

    def fallback_reads(self, agreement_type: str) -> set[str]:
        """Whole-graph mode: the companies :func:`_framework_fallback` finds anything of a type
        for: those party to an agreement of the type, and those with a predecessor (whose
        agreements it cites). Groups with none of them get the same fallback (remembered)."""
        found = self._fallback_reads.get(agreement_type)
        if found is None:
            assert self._signed_by_complete  # (whole-graph mode: every party's agreements are indexed)
            found = {c for (t, c), agreements in self._signed_by.items() if t == agreement_type and agreements}
            found.update(_predecessor_index(self))
            self._fallback_reads[agreement_type] = found
        return found

    def candidate_tests(self, agreement_type: str) -> tuple[Callable[[str], bool], ...]:
        """Membership tests an operator passes one of when it may bring framework candidates of a
        type to its sites (see :meth:`framework_candidates`): a COVERS edge to it, a signatory of
        the type at or above it, a supplier-scope agreement of the type to reach through the sites
        it supplies. An operator that passes none brings none; one that passes may still bring none."""
        tests = self._cand_tests.get(agreement_type)
        if tests is None:
            tests = (self.covering.__contains__, self._signatories_and_below(agreement_type).__contains__)
            if self._sup_below(agreement_type):
                tests += (self.customers.__contains__,)
            self._cand_tests[agreement_type] = tests
        return tests

    def brings_candidates(self, agreement_type: str, operators: Iterable[str]) -> bool:
        """False when none of ``operators`` brings framework candidates of a type (:meth:`candidate_tests`)."""
        tests = self.candidate_tests(agreement_type)
        return any(test(op) for op in operators for test in tests)

    def _fill_above(self, agreement_type: str, company: str, below: set[str]) -> None:
        """Fill ``_above`` for ``company`` and the single-holder chain above it.

        An entity with one holder that is not on an ownership loop has the holder's ancestors
        after itself, in the same order, so its answer is its own agreements then the holder's:
        a chain costs time linear in its length. Other entities walk their ancestors.
        """
        above, t = self._above, agreement_type
        loops = self._loop_members()
        path: list[str] = []
        cur = company
        while (t, cur) not in above:
            if cur not in below:
                above[(t, cur)] = []
                break
            holders = self.idx.inn.get(cur, ())
            if len(holders) != 1 or cur in loops or holders[0].holder == cur:
                above[(t, cur)] = self._signed_by_ancestors(t, cur)
                break
            path.append(cur)
            cur = holders[0].holder
        base = above[(t, cur)]
        for x in reversed(path):
            base = above[(t, x)] = list(dict.fromkeys([*self.signed_by(t, x), *base]))

    def cbas_at(self, target: str) -> list[str]:
        """CBAs with a COVERS edge to ``target`` (site or company), in edge order (remembered)."""
        return self._covering_of_type("cba", target)

    def cbas_signed(self, company: str) -> list[str]:
        """CBAs ``company`` signs that have no COVERS edges (they cover the signatory's sites)."""
        signed = self.signed_by("cba", company)
        return [a for a in signed if a not in self.covers] if signed else []

    def brings_cbas(self, company: str) -> bool:
        """Whether CBAs reach the sites ``company`` operates through it (:func:`applicable_cbas`):
        a CBA COVERS it, or it signs a CBA that has no COVERS edges (remembered: asked per site)."""
        if company not in self.covering and company not in self.signed:
            return False
        found = self._brings_cbas.get(company)
        if found is None:
            found = self._brings_cbas[company] = bool(self.cbas_at(company) or self.cbas_signed(company))
        return found

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

    def framework_candidates(self, agreement_type: str, site: str, operators: Sequence[str]) -> list[str]:
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
        if target not in self.covering:
            return []
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
        if supplier not in self.customers:  # it supplies nothing
            return []
        key = (agreement_type, supplier)
        found = self._sup_scope.get(key)
        if found is None:
            # only an operator below a signatory can have a supplier-scope agreement above it
            # (a whole-graph run knows them all; a neighbourhood run asks each operator)
            below = self._sup_below(agreement_type) if self.whole_graph else None
            if below is not None and not below:
                return []
            seen: dict[str, None] = {}
            kind_of = self.graph.kind_of
            for customer in self.customers.get(supplier, ()):
                if kind_of(customer) != "Site":
                    continue
                for op, _s, _e2 in self.operators.get(customer, ()):
                    if below is not None and op not in below:
                        continue
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


_STATUS_SET = frozenset(("none", "present"))  # union_status values a site record answers with
_CBA_STATUS_SET = frozenset(("none", "in_force"))  # cba_status values a site record answers with
_NO_RECOGNITION = _Finding(UNKNOWN, "recognition not recorded: needs research", [])
_NO_CBA = _Finding(UNKNOWN, "no collective agreement is recorded for this site: unknown, needs research")
_NO_COUNTRY = _Finding(UNKNOWN, "the site's country is not recorded: whether a European agreement applies is unknown")


def _shared(own: np.ndarray, keys: np.ndarray, finding: Callable[[int], _T]) -> tuple[np.ndarray, list[_T]]:
    """``finding(row)`` of every row as codes into the distinct results, worked out once per key.

    ``keys`` (non-negative integers): rows with the same key share the result of the first of
    them, so the caller keys a row only by what the rule reads for it; a row marked ``own`` is
    worked out on its own.
    """
    return _shared_rows(own, keys, lambda rows: [finding(i) for i in rows])


def _shared_rows(own: np.ndarray, keys: np.ndarray,
                 findings: Callable[[list[int]], list[_T]]) -> tuple[np.ndarray, list[_T]]:
    """As :func:`_shared`, with a rule that works out many rows at once: ``findings(rows)``
    gives the results of the rows worked out (the first of each key, and the ``own`` rows)."""
    n = len(keys)
    if n == 0:
        return np.zeros(0, dtype=np.int64), []
    keys = np.where(own, int(keys.max()) + 1 + np.arange(n, dtype=np.int64), keys)
    _, first, codes = np.unique(keys, return_index=True, return_inverse=True)
    return codes.astype(np.int64).reshape(n), findings(first.tolist())


def _factorize(values: Sequence[Hashable]) -> tuple[np.ndarray, list[Hashable]]:
    """Each value's number (in order of first appearance) and the distinct values."""
    numbers: dict[Hashable, int] = {}
    codes = np.fromiter((numbers.setdefault(v, len(numbers)) for v in values), dtype=np.int64, count=len(values))
    return codes, list(numbers)


def _site_dimensions(ctx: CoverageContext, sites: Sequence[str], props: Mapping[str, list[Any]],
                     operators: Sequence[tuple[str, ...]],
                     groups: Sequence[tuple[str, ...]]) -> list[tuple[np.ndarray, list[_Finding]]]:
    """The findings of the rows, per dimension of :data:`DIMENSIONS`: ``(codes, distinct findings)``.

    ``props``: each site's ``union_status``, ``cba_status`` and ``country`` (:func:`_site_values`);
    the rules read a site's other properties from ``ctx.site_attrs``. ``operators``: each
    site's operators; ``groups``: the group's root and the operator's ultimate
    parent (the groups whose agreements and networks count). Each rule is one function of one
    site; a site that nothing records or names for a dimension gets what the rule makes of its
    operators and groups alone, so that is worked out once per combination (:func:`_shared`):

    - union_presence, recognition: no union REPRESENTS the site and its ``union_status`` is
      neither none nor present -> its operators' (one finding for all whose operators no union
      represents at company level);
    - cba: no CBA COVERS the site and its ``cba_status`` is neither none nor in_force -> its
      operators' (one finding for all whose operators bring no CBA: :meth:`CoverageContext.brings_cbas`);
    - gfa, hs_agreement, efa: no agreement of the type names the site (``named_sites``) -> its
      operators' and groups' (an agreement reaches the other sites through the companies that
      operate them), its groups' alone when the operators bring no candidates
      (:meth:`CoverageContext.brings_candidates`); efa outside the EEA -> the country's, with no
      country -> one finding; nothing names the site and its operators bring no candidates ->
      no agreement reaches it (the groups' fallback, not asked per site). A run over a
      neighbourhood (``ctx.whole_graph`` false) works out each of its few sites on its own here.
    - network: no union present -> its groups' and whether a union is known to be absent.
    """
    site_attrs = ctx.site_attrs
    op_code, distinct_ops = _factorize(operators)
    group_code, distinct_groups = _factorize(groups)
    width = len(distinct_groups)
    represents = ctx.represents
    covering = ctx.covering

    each_operator = list(dict.fromkeys(op for ops in distinct_ops for op in ops))

    def per_operators(*tests: Callable[[str], bool]) -> np.ndarray:
        """Per row: does any of its operators pass any of ``tests`` (asked once per operator)."""
        passing = set().union(*(filter(test, each_operator) for test in tests))
        none_pass = np.fromiter(map(passing.isdisjoint, distinct_ops), dtype=bool, count=len(distinct_ops))
        return ~none_pass[op_code]

    def rows_in(test: Callable[[Any], bool], values: Iterable[Any]) -> np.ndarray:
        return np.fromiter(map(test, values), dtype=bool, count=len(sites))

    # no union recorded at the site: its operators' finding, one for all whose operators no union
    # represents at company level
    own = rows_in(represents.__contains__, sites) | rows_in(_STATUS_SET.__contains__, props["union_status"])
    keys = np.where(per_operators(represents.__contains__), op_code + 1, 0)
    union_status = props["union_status"]
    union_codes, unions = _shared_rows(own, keys, lambda rows: _union_findings(
        ctx, [sites[i] for i in rows], [union_status[i] for i in rows], [operators[i] for i in rows],
        lambda k: site_attrs[sites[rows[k]]]))
    out = [(union_codes, [u[0] for u in unions]), (union_codes, [u[1] for u in unions])]

    # no CBA names the site: its operators' finding, one for all whose operators bring no CBA
    # (none covers them, they sign none without COVERS edges: :meth:`CoverageContext.brings_cbas`)
    named_by_cba = {s for s in filter(covering.__contains__, sites) if ctx.cbas_at(s)}
    own = rows_in(named_by_cba.__contains__, sites) | rows_in(_CBA_STATUS_SET.__contains__, props["cba_status"])
    keys = np.where(per_operators(ctx.brings_cbas), op_code + 1, 0)
    out.append(_shared(own, keys, lambda i: _cba_dimension(ctx, sites[i], site_attrs[sites[i]], operators[i])))

    whole = ctx.whole_graph

    def framework_keys(agreement_type: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(own, keys, asked)``: the rows worked out on their own (named by an agreement of the
        type), the others' keys (their operators' and groups' finding; the groups' alone, the
        fallback, when the operators bring no candidates of the type) and the rows the rule is
        asked about at all: no agreement of the type reaches a row that nothing names and whose
        operators bring none, so for those the answer is None without asking."""
        if not whole:  # a neighbourhood run's few rows: each worked out on its own (no whole-graph index)
            own = np.ones(len(sites), dtype=bool)
            return own, op_code, own
        own = rows_in(ctx.named_sites(agreement_type).__contains__, sites)
        brings = per_operators(*ctx.candidate_tests(agreement_type))
        return own, np.where(brings, width + op_code * width + group_code, group_code), own | brings

    def or_fallback(agreement_type: str, shared: tuple[np.ndarray, list[_Finding | None]]
                    ) -> tuple[np.ndarray, list[_Finding]]:
        # rows no agreement reaches: the groups' finding (the fallback), once per group; the
        # groups the fallback finds nothing for (no company in them party to an agreement of the
        # type, none with a predecessor: :meth:`CoverageContext.fallback_reads`) share one key
        if whole:
            reads = ctx.fallback_reads(agreement_type)
            bare = np.fromiter((reads.isdisjoint(gs) for gs in distinct_groups), dtype=bool, count=width)
            keys = np.where(bare[group_code], 0, group_code + 1)
            first_bare = int(np.argmax(bare)) if width else 0  # (asked only when some group is bare)
            return _fill_missing(*shared, keys, lambda k: _framework_fallback(
                ctx, agreement_type, distinct_groups[k - 1 if k else first_bare]))
        return _fill_missing(*shared, group_code, lambda k: _framework_fallback(ctx, agreement_type,
                                                                                 distinct_groups[k]))

    for agreement_type in ("gfa", "hs"):
        own, keys, asked = framework_keys(agreement_type)
        out.append(or_fallback(agreement_type, _shared(own, keys, lambda i, t=agreement_type, asked=asked: (
            _framework_reach(ctx, sites[i], t, operators[i]) if asked[i] else None))))

    # no union present: the groups' finding and whether a union is known to be absent
    present = np.array([bool(u[2]) for u in unions], dtype=bool)[union_codes]
    absent = np.array([u[0].value == NOT_COVERED for u in unions], dtype=bool)[union_codes]
    # a union present: the first one in a network of the groups, else the groups' finding
    matched = _shared_rows(present, group_code * 2 + absent, lambda rows: _network_matches(
        ctx, [unions[union_codes[i]][2] for i in rows], [groups[i] for i in rows]))
    # the others: what the groups' networks say, by whether a union is present and known absent;
    # the groups with no network share one key (the finding says only that)
    no_network = np.fromiter((not _group_memo(ctx, gs)[1] for gs in distinct_groups), dtype=bool, count=width)
    gap_key = np.where(no_network[group_code], 0, 1 + np.where(present, 2 * width, 0) + group_code * 2 + absent)
    first_bare = int(np.argmax(no_network)) if width else 0  # (asked only when some group has no network)

    def gap(k: int) -> _Finding:
        if k == 0:
            return _network_gap(ctx, distinct_groups[first_bare], False, False)
        k -= 1
        return _network_gap(ctx, distinct_groups[(k % (2 * width)) // 2], k >= 2 * width, bool(k % 2))

    out.append(_fill_missing(*matched, gap_key, gap))

    # outside the EEA: the country's finding (no country: one finding); in it: as gfa
    country_code, countries = _factorize([c or None for c in props["country"]])
    in_eea = np.array([bool(c) and str(c).upper() in EEA_COUNTRIES for c in countries], dtype=bool)[country_code]
    own, keys, asked = framework_keys("efa")
    own &= in_eea
    keys = np.where(in_eea, len(countries) + keys, country_code)
    asked = asked | ~in_eea
    out.append(or_fallback("efa", _shared(own, keys, lambda i: (
        _efa_reach(ctx, sites[i], site_attrs[sites[i]], operators[i]) if asked[i] else None))))
    return [_each_once(codes, distinct) for codes, distinct in out]


def _each_once(codes: np.ndarray, distinct: list[_T]) -> tuple[np.ndarray, list[_T]]:
    """``(codes, distinct)`` with each finding listed once: a rule hands the same finding object
    to many rows (an agreement's reach to every site of a company, a constant), and the columns
    are made from the distinct findings' texts."""
    number: dict[int, int] = {}
    renumber = np.fromiter((number.setdefault(id(f), len(number)) for f in distinct), dtype=np.int64,
                           count=len(distinct))
    if len(number) == len(distinct):
        return codes, distinct
    return renumber[codes], list({id(f): f for f in distinct}.values())


def _fill_missing(codes: np.ndarray, distinct: list[_T | None], group: np.ndarray,
                  make: Callable[[int], _T]) -> tuple[np.ndarray, list[_T]]:
    """``(codes, distinct)`` of :func:`_shared` with each row whose finding is None given
    ``make(its group)`` instead, made once per group."""
    missing = np.fromiter((f is None for f in distinct), dtype=bool, count=len(distinct))
    if not missing.any():
        return codes, distinct  # type: ignore[return-value]
    kept = [f for f in distinct if f is not None]
    new_code = np.cumsum(~missing) - 1  # the place of each kept finding among the kept
    rows = missing[codes]
    groups, at = np.unique(group[rows], return_inverse=True)
    out = new_code[codes]
    out[rows] = len(kept) + at.reshape(-1)
    return out, kept + [make(k) for k in groups.tolist()]


def _union_dimensions(ctx: CoverageContext, site: str, sattrs: Mapping[str, Any],
                      operators: tuple[str, ...]) -> tuple[_Finding, _Finding, list[str]]:
    """``union_presence`` and ``recognition`` of a site, plus the unions present (do not mutate):
    :func:`_union_findings` of one site."""
    return _union_findings(ctx, [site], [sattrs.get("union_status")], [operators], lambda _k: sattrs)[0]


def _union_findings(ctx: CoverageContext, sites: Sequence[str], status: Sequence[Any],
                    operators: Sequence[tuple[str, ...]], record: Callable[[int], Mapping[str, Any]]
                    ) -> list[tuple[_Finding, _Finding, list[str]]]:
    """``union_presence`` and ``recognition`` of each site, plus the unions present (do not mutate).

    ``status``: each site's ``union_status``; ``record(k)``: the properties of ``sites[k]`` (read
    for the source of its ``union_status``).

    A site with no REPRESENTS edge and a ``union_status`` neither none nor present gets its
    operators' finding (:func:`_no_union_recorded`, once per operators). For the others the
    REPRESENTS edges (in edge-id order) are read as columns: a union with ``members`` 0 is
    recorded but not present; the present unions' names are joined per site by Arrow
    (``binary_join``), and ``recognised`` True / False counted per site with numpy.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    g = ctx.graph
    n = len(sites)
    recorded = [ctx.represents.get(s, ()) for s in sites]
    out: list[Any] = [None] * n
    for i in range(n):
        if not recorded[i] and status[i] not in _STATUS_SET:  # the answer depends on the operators only
            memo = ctx._no_union.get(operators[i])
            if memo is None:
                memo = ctx._no_union[operators[i]] = (_no_union_recorded(ctx, operators[i]), _NO_RECOGNITION, [])
            out[i] = memo
    edges = [e for rec in recorded for e in rec]
    row = np.repeat(np.arange(n, dtype=np.int64), np.fromiter(map(len, recorded), dtype=np.int64, count=n))
    union_ids = [u for u, _e, _a in edges]
    edge_ids = pa.array([e for _u, e, _a in edges], type=pa.string())
    present = np.fromiter((a.get("members") != 0 for _u, _e, a in edges), dtype=bool, count=len(edges))
    recognised = [a.get("recognised") for _u, _e, a in edges]
    yes = present & np.fromiter((r is True for r in recognised), dtype=bool, count=len(edges))
    no = present & np.fromiter((r is False for r in recognised), dtype=bool, count=len(edges))
    names = pa.array(g.names_of(union_ids), type=pa.string())
    unions = pa.array(union_ids, type=pa.string())

    def per_site(mask: np.ndarray, with_unions: bool = False) -> tuple[np.ndarray, list[str], list[list[str]],
                                                                      list[list[str]] | None]:
        # for each site: how many edges ``mask`` keeps, their names joined by ", ", their edge ids
        # (and, asked for, their unions)
        at = pa.array(np.flatnonzero(mask))
        counts = np.bincount(row[mask], minlength=n)
        offsets = pa.array(np.concatenate(([0], np.cumsum(counts))), type=pa.int32())

        def lists(values: Any) -> Any:
            return pa.ListArray.from_arrays(offsets, values.take(at))

        return (counts, pc.binary_join(lists(names), ", ").to_pylist(), lists(edge_ids).to_pylist(),
                lists(unions).to_pylist() if with_unions else None)

    n_present, present_names, present_ids, present_unions = per_site(present, with_unions=True)
    assert present_unions is not None
    _, zero_names, zero_ids, _ = per_site(~present)
    n_yes, yes_names, yes_ids, _ = per_site(yes)
    n_no, no_names, no_ids, _ = per_site(no)
    # each site's case, then each case's findings made over its sites at once
    todo = np.flatnonzero(np.fromiter((o is None for o in out), dtype=bool, count=n))
    st = np.array([status[i] for i in todo.tolist()], dtype=object)
    has = n_present[todo] > 0
    src = {i: source_text(g, a, a.get("union_status_date"), "union_status")
           for i in todo[np.isin(st, ("none", "present"))].tolist() for a in (record(i),)}
    presence: dict[int, _Finding] = {}
    for i in todo[has].tolist():
        presence[i] = _Finding(COVERED, f"{present_names[i]} represent{'s' if n_present[i] == 1 else ''} workers here",
                               present_ids[i])
    for i in todo[has & (st == "none")].tolist():
        presence[i].reason += f" (the site record says union_status=none, {src[i]}: check which is current)"
    for i in todo[~has & (st == "present")].tolist():
        presence[i] = _Finding(COVERED, f"union_status=present ({src[i]}); the union is not named", [])
    for i in todo[~has & (st == "none")].tolist():
        presence[i] = _Finding(NOT_COVERED, f"no union at this site: union_status=none ({src[i]})", [])
    for i in todo[~has & (st != "none") & (st != "present")].tolist():  # only unions with no members here
        presence[i] = _Finding(NOT_COVERED, f"the recorded union(s) {zero_names[i]} have no members here", zero_ids[i])

    absent = todo[~has & (st != "present")]  # presence not covered
    recognition = {i: _Finding(NOT_COVERED, "no union present to be recognised", []) for i in absent.tolist()}
    yes_at = todo[has & (n_yes[todo] > 0)]
    no_at = todo[has & (n_yes[todo] == 0) & (n_no[todo] == n_present[todo])]
    unknown_at = todo[has & (n_yes[todo] == 0) & (n_no[todo] != n_present[todo])]
    recognition.update((i, _Finding(COVERED, f"{yes_names[i]} recognised for bargaining", yes_ids[i]))
                       for i in yes_at.tolist())
    recognition.update((i, _Finding(NOT_COVERED, f"{no_names[i]} not recognised for bargaining (recognised=false)",
                                     no_ids[i])) for i in no_at.tolist())
    recognition.update((i, _Finding(UNKNOWN, "whether the union here is recognised is not recorded: needs research",
                                    present_ids[i])) for i in unknown_at.tolist())
    for i in todo.tolist():  # the rest: status=present and no union named
        out[i] = (presence[i], recognition.get(i, _NO_RECOGNITION), present_unions[i])
    return out


def _no_union_recorded(ctx: CoverageContext, operators: Sequence[str]) -> _Finding:
    g = ctx.graph
    company_level = [
        g.name_of(u) for op in operators for u, _e, a in ctx.represents.get(op, ()) if a.get("members") != 0
    ]
    extra = f" ({', '.join(company_level)} represents the operator at company level)" if company_level else ""
    return _Finding(UNKNOWN, f"no union is recorded at this site: unknown, needs research{extra}", [])


def applicable_cbas(ctx: CoverageContext, site: str, operators: Sequence[str]) -> list[tuple[str, str, list[str]]]:
    """CBAs that reach ``site``: ``(agreement, how, evidence)``, whatever their dates.

    A CBA reaches a site when it COVERS the site, or COVERS one of its operators (and does
    not exclude the site), or, having no COVERS edges at all, is signed by an operator as employer.
    """
    g = ctx.graph
    out = []
    # candidates through the per-target index (not a scan over every CBA per site), each once
    # in order of first appearance
    candidates = ctx.cbas_at(site)  # (listed once each)
    if any(map(ctx.brings_cbas, operators)):  # (most sites: their own CBAs only)
        candidates = list(dict.fromkeys([*candidates, *(a for op in operators for a in ctx.cbas_at(op)),
                                         *(a for op in operators for a in ctx.cbas_signed(op))]))
    covers_of = ctx.covers.get
    for agr in candidates:
        covers = covers_of(agr, [])
        excluded = False
        for t, _, a in covers:
            if t == site and a.get("excluded"):
                excluded = True
                break
        if excluded:
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
            for comp, peid, pa_ in ctx.parties.get(agr, ()):
                if comp in operators and pa_.get("role") in (None, "employer"):
                    how, ev = f"is signed by the operator {g.name_of(comp)}", [peid]
                    break
        if how is not None:
            out.append((agr, how, ev))
    return out


def _cba_dimension(ctx: CoverageContext, site: str, sattrs: Mapping[str, Any], operators: tuple[str, ...]) -> _Finding:
    if site in ctx.covering and ctx.cbas_at(site):
        best, expired = _cba_findings(ctx, applicable_cbas(ctx, site, operators))
    else:
        # no CBA names the site (none covers or excludes it): only its operators' CBAs reach it,
        # the same for every site of those operators
        memo = ctx._op_cba.get(operators)
        if memo is None:
            if any(map(ctx.brings_cbas, operators)):
                memo = _cba_findings(ctx, applicable_cbas(ctx, site, operators))
            else:  # no CBA covers the operators and they sign none that covers their sites: none reaches the site
                memo = (None, [])
            ctx._op_cba[operators] = memo
        best, expired = memo
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
    if not expired and status not in ("none", "in_force"):
        return _NO_CBA
    if expired:
        last = max(expired, key=lambda f: f.reason)
        if status == "in_force":  # the site record says one is in force: "with none in force" is in doubt
            src = source_text(g, sattrs, sattrs.get("cba_status_date"), "cba_status")
            when = sattrs.get("cba_status_date")
            ends = [g.node(f.evidence[-1]).get("expires") or "" for f in expired]
            if when and when > max(ends):
                return _Finding(COVERED, f"cba_status=in_force ({src}), recorded after {last.reason.split(' with none')[0]}; "
                                "the agreement in force is not on record", last.evidence)
            if not when:
                return _Finding(UNKNOWN, f"{last.reason.split(' with none')[0]}, but the site record says "
                                f"cba_status=in_force ({src}, undated): needs checking", last.evidence)
        return last  # (the site record's source is cited only when it is read)
    src = source_text(g, sattrs, sattrs.get("cba_status_date"), "cba_status")
    if status == "none":
        return _Finding(NOT_COVERED, f"no collective agreement: cba_status=none ({src})")
    return _Finding(COVERED, f"cba_status=in_force ({src}); the agreement is not on record")


def _framework_dimension(ctx: CoverageContext, site: str, agreement_type: str, operators: tuple[str, ...],
                         groups: tuple[str, ...]) -> _Finding:
    """A GFA / H&S / EFA dimension: the best finding of the agreements that reach the site, else
    what the groups have (:func:`_framework_fallback`)."""
    return (_framework_reach(ctx, site, agreement_type, operators)
            or _framework_fallback(ctx, agreement_type, groups))


def _framework_reach(ctx: CoverageContext, site: str, agreement_type: str,
                     operators: tuple[str, ...]) -> _Finding | None:
    """The best finding of the agreements of a type that reach the site; None when none does."""
    # the candidates (framework_candidates) are the operators' and those naming the site itself;
    # their reach maps are looked up once per such combination
    covering = ctx._covering_of_type(agreement_type, site)
    scoped = ctx._supplier_scope(agreement_type, site)
    key = (agreement_type, operators, tuple(covering), tuple(scoped))
    reaches = ctx._op_reach.get(key)
    if reaches is None:
        if not covering and not scoped and ctx.whole_graph and not ctx.brings_candidates(agreement_type, operators):
            reaches = ctx._op_reach[key] = []  # nothing names the site and its operators bring nothing
        else:
            cands = ctx.framework_candidates(agreement_type, site, operators)
            reaches = ctx._op_reach[key] = [ctx.reach(a) for a in cands]
    best = None
    for r in reaches:  # the best value; the first candidate among equals
        f = r.get(site)
        if f is not None and (best is None or _RANK[f.value] < _RANK[best.value]):
            best = f
    return best


def _efa_dimension(ctx: CoverageContext, site: str, sattrs: Mapping[str, Any], operators: tuple[str, ...],
                   groups: tuple[str, ...]) -> _Finding:
    """The efa dimension: ``not_applicable`` outside the EEA, else as gfa."""
    return _efa_reach(ctx, site, sattrs, operators) or _framework_fallback(ctx, "efa", groups)


def _efa_reach(ctx: CoverageContext, site: str, sattrs: Mapping[str, Any],
               operators: tuple[str, ...]) -> _Finding | None:
    """The efa dimension outside the EEA or with no country; in it, :func:`_framework_reach`."""
    country = sattrs.get("country")
    if not country:
        return _NO_COUNTRY
    if str(country).upper() not in EEA_COUNTRIES:
        f = ctx._outside_eea.get(country)
        if f is None:
            f = ctx._outside_eea[country] = _Finding(
                NOT_APPLICABLE, f"the site is outside the EEA ({country}): European agreements do not apply")
        return f
    return _framework_reach(ctx, site, "efa", operators)


def _predecessors(ctx: CoverageContext, company: str) -> list[tuple[str, str, str]]:
    """``(predecessor, how, its successor)`` of ``company`` through RENAMED_TO / MERGED_INTO edges,
    nearest first (remembered: asked once per agreement type)."""
    found = ctx._pred_of.get(company)
    if found is None:
        found = ctx._pred_of[company] = _walk_predecessors(ctx, company)
    return found


def _predecessor_index(ctx: CoverageContext) -> dict[str, list[tuple[str, str]]]:
    """successor -> [(predecessor, how)] of every RENAMED_TO / MERGED_INTO edge (one scan of
    the history edges per coverage run)."""
    index = ctx._pred_index
    if index is None:
        index = {}
        for _e, u, v, a in ctx.graph.edges(("RENAMED_TO", "MERGED_INTO")):
            how = "renamed to" if a.get("kind") == "RENAMED_TO" else (
                "taken over by" if a.get("mode") == "takeover" else "merged into")
            index.setdefault(v, []).append((u, how))
        ctx._pred_index = index
    return index


def _walk_predecessors(ctx: CoverageContext, company: str) -> list[tuple[str, str, str]]:
    index = _predecessor_index(ctx)
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


def _predecessor_findings(ctx: CoverageContext, agreement_type: str, groups: tuple[str, ...]) -> tuple[list[str], list[str], bool]:
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


def _framework_fallback(ctx: CoverageContext, agreement_type: str, groups: tuple[str, ...]) -> _Finding:
    """A GFA / H&S / EFA dimension no agreement reaches: what the group (and its predecessors)
    has and why it does not reach."""
    word = AGREEMENT_WORDS[agreement_type]
    # the fallback depends only on the groups: built once per group and agreement type
    key = (agreement_type, groups)
    memo = ctx._fw_fallback.get(key)
    if memo is None:
        related = list(dict.fromkeys(a for c in groups for a in ctx.signed_by(agreement_type, c)))
        before, before_ids, live = _predecessor_findings(ctx, agreement_type, groups)
        value = UNKNOWN if live else NOT_COVERED
        if related:
            parts = []
            for a in related:
                st = ctx.status[a]
                scope = ctx.scope_of(a) or "unknown"
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


def _group_networks(ctx: CoverageContext, groups: tuple[str, ...]) -> list[str]:
    """UnionNetwork nodes whose ``company`` is one of ``groups`` (by id, or by name key)."""
    g = ctx.graph
    by_company = ctx._networks_by_company
    if by_company is None:  # built once per coverage run: one scan of the network nodes
        by_company = {}
        for net, a in g.nodes("UnionNetwork"):
            company = a.get("company")
            if company and _founded_by(a, ctx.as_of):
                by_company.setdefault(company, []).append(net)
                by_company.setdefault("~" + name_key(company), []).append(net)
        ctx._networks_by_company = by_company
    found: list[str] = []
    for c in groups:
        if not c:
            continue
        for key in (c, "~" + ctx.name_key_of(c)):
            nets = by_company.get(key)
            if nets:  # (most groups: no network)
                found.extend(n for n in nets if n not in found)
    return found


def company_networks(graph: CampaignGraph, companies: Iterable[str], *, as_of: Any = None) -> list[str]:
    """The UnionNetwork nodes of ``companies`` founded by ``as_of``: those whose ``company``
    names one of them (by id or by name), as the network dimension finds a group's networks
    (:func:`_group_networks`), in the order of ``companies``.

    >>> from graphmodel.graph import CampaignGraph
    >>> g = CampaignGraph()
    >>> _ = g.add_node("co", "Company", "Acme Steel"); _ = g.add_node("other", "Company", "Beta")
    >>> _ = g.add_node("n1", "UnionNetwork", "Acme network", company="co")
    >>> _ = g.add_node("n2", "UnionNetwork", "Acme world council", company="ACME steel")
    >>> _ = g.add_node("n3", "UnionNetwork", "Later network", company="co", founded="2030-01-01")
    >>> company_networks(g, ["co"], as_of="2024-01-01"), company_networks(g, ["other"], as_of="2024-01-01")
    (['n1', 'n2'], [])
    """
    ctx = CoverageContext(graph, as_of, None)
    try:
        return _group_networks(ctx, tuple(companies))
    finally:
        ctx.close()


def _network_dimension(ctx: CoverageContext, unions: list[str], groups: tuple[str, ...], presence: _Finding) -> _Finding:
    """The network dimension of a site: a union here in one of the groups' networks
    (:func:`_network_matches`), else what the groups' networks say (:func:`_network_gap`)."""
    # The list of networks is taken as complete, but the list of unions at a site is not: when the
    # group has a network and no union is recorded here, whether one belongs to it is unknown
    # (a gap in the data, not in organisation).
    return (_network_matches(ctx, [unions], [groups])[0]
            or _network_gap(ctx, groups, bool(unions), presence.value == NOT_COVERED))


def _network_matches(ctx: CoverageContext, unions: Sequence[list[str]],
                     groups: Sequence[tuple[str, ...]]) -> list[_Finding | None]:
    """For each site (its unions present, its groups): the first union (in order) in a network of
    the groups (by company id or name key), as a covered finding; None when there is none."""
    g = ctx.graph
    net_info = ctx._net_info
    out: list[_Finding | None] = []
    for site_unions, site_groups in zip(unions, groups):
        found = None
        keys = None
        for u in site_unions:
            for net, eid in ctx.networks_of_union.get(u, ()):
                info = net_info.get(net)
                if info is None:  # (company, its name key) of a network that exists at as_of, else ()
                    na = g.node(net)
                    company = na.get("company")
                    info = net_info[net] = (company, name_key(company)) if company and _founded_by(na, ctx.as_of) else ()
                if not info:
                    continue
                if keys is None:
                    keys = _group_keys(ctx, site_groups)
                if info[0] in site_groups or info[1] in keys:
                    found = _Finding(COVERED, f"{g.name_of(u)} is in {g.name_of(net)}", [eid])
                    break
            if found is not None:
                break
        out.append(found)
    return out


def _group_memo(ctx: CoverageContext, groups: tuple[str, ...]) -> tuple[set[str], list[str]]:
    """The groups' name keys and their networks (remembered per groups)."""
    memo = ctx._net_memo.get(groups)
    if memo is None:
        memo = ctx._net_memo[groups] = ({ctx.name_key_of(c) for c in groups if c}, _group_networks(ctx, groups))
    return memo


def _group_keys(ctx: CoverageContext, groups: tuple[str, ...]) -> set[str]:
    """The name keys of the groups (remembered per groups)."""
    return _group_memo(ctx, groups)[0]


def _network_gap(ctx: CoverageContext, groups: tuple[str, ...], has_unions: bool, absent: bool) -> _Finding:
    """The network dimension of a site none of whose unions is in the groups' networks, by whether
    it has unions and whether a union is known to be absent (remembered: shared by such sites)."""
    key = (groups, has_unions, absent)
    f = ctx._net_none.get(key)
    if f is not None:
        return f
    nets = list(_group_memo(ctx, groups)[1])
    g = ctx.graph
    if not nets:
        f = _Finding(NOT_COVERED, "this group has no union network on record")
    else:
        names = ", ".join(g.name_of(n) for n in nets[:3])
        if absent:
            f = _Finding(NOT_COVERED, f"no union at this site, so none in {names}", nets)
        elif not has_unions:
            f = _Finding(UNKNOWN, f"the group has a union network ({names}) but no union is recorded at this site", nets)
        else:
            f = _Finding(NOT_COVERED, f"the unions here are not in {names}", nets)
    ctx._net_none[key] = f
    return f


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
    col = [notes.get(s) for s in df["site_id"].tolist()] if notes else [None] * len(df)
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
    recorded = _site_values(ctx.site_attrs, list(placed), ("status",))["status"]
    out = {}
    for (site, place), st in zip(placed.items(), map(status_value, recorded)):
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
        placed = _place_each(ctx, graph.node_ids("Site"))

    return placed


#: the place of a site with no operator: no group
_NO_PLACE: tuple[str | None, str, str | None, str, float | None] = (None, "", None, "", None)


def _place_each(ctx: CoverageContext, sites: Iterable[str]
                ) -> dict[str, tuple[str | None, str, str | None, str, float | None]]:
    """Each site's operator and place in its ultimate parent's group (the operator with the
    largest share, ties by id; none: no group). Many sites share an operator: its place is
    worked out once."""
    operators_of = ctx.operators.get
    idx = ctx.idx
    per_op: dict[str, tuple[str | None, str, str | None, str, float | None]] = {}
    placed: dict[str, tuple[str | None, str, str | None, str, float | None]] = {}
    for site in sites:
        ops = operators_of(site)
        if not ops:
            placed[site] = _NO_PLACE
            continue
        op = ops[0][0] if len(ops) == 1 else max(ops, key=lambda o: (o[1] if o[1] is not None else -1.0, o[0]))[0]
        entry = per_op.get(op)
        if entry is None:
            root = idx.ultimate_parent_id(op)
            # a root holds 100 % of itself (:meth:`OwnershipIndex.effective_stakes`): its group's
            # stakes are worked out only when a site's operator is below it
            entry = per_op[op] = (
                op, "root" if root == op else "controlled", root, idx.chain_down_text(op),
                100.0 if root == op else ctx.stakes(root).get(op, 0.0),
            )
        placed[site] = entry
    return placed


def site_coverage(graph: CampaignGraph, site: str, *, as_of: Any = None) -> pd.DataFrame:
    """The coverage row of one site, in its ultimate parent's group: the row
    ``coverage(graph, None, as_of=as_of, status="all")`` has for it, read from the site's
    neighbourhood rather than the whole graph (an entity page asks for one site).

    Examples
    --------
    >>> from graphmodel.graph import CampaignGraph
    >>> g = CampaignGraph()
    >>> _ = g.add_node("co", "Company", "Acme Steel"); _ = g.add_node("s", "Site", "Site A", status="closed")
    >>> _ = g.add_edge("co", "s", "OPERATES")
    >>> row = site_coverage(g, "s", as_of="2024-01-01").iloc[0]
    >>> row["site_id"], row["ultimate_parent_id"], row["union_presence"]
    ('s', 'co', 'unknown')
    """
    return sites_coverage(graph, [site], as_of=as_of)


def sites_coverage(graph: CampaignGraph, sites: Iterable[str], *, as_of: Any = None) -> pd.DataFrame:
    """The coverage rows of these sites (each the row :func:`site_coverage` gives it), in one pass:
    the sites share the ownership index and each operator's place in its group (a network view
    asks for the hundreds of sites it shows).

    Examples
    --------
    >>> from graphmodel.graph import CampaignGraph
    >>> g = CampaignGraph()
    >>> _ = g.add_node("co", "Company", "Acme Steel")
    >>> _ = g.add_node("s", "Site", "Site A", status="closed"); _ = g.add_node("t", "Site", "Site B")
    >>> _ = g.add_edge("co", "s", "OPERATES")
    >>> df = sites_coverage(g, ["t", "s"], as_of="2024-01-01")
    >>> list(df["site_id"]), list(df["ultimate_parent_id"].fillna("none"))
    (['s', 't'], ['co', 'none'])
    """
    wanted = list(dict.fromkeys(sites))
    for site in wanted:
        if graph.kind_of(site) != "Site":
            raise CampaignGraphError(f"{site!r} is a {graph.kind_of(site)}, not a Site")
    statuses = site_statuses("all")
    with paused_gc():
        ctx = CoverageContext(graph, as_of, None)
        try:
            rows, notes = site_rows(ctx, _place_each(ctx, wanted))
            day = ctx.as_of
        finally:
            ctx.close()
        df = _coverage_frame(coverage_columns(rows, DEFAULT_REQUIRE))
    df.attrs.update(as_of=day, company=None, require=list(DEFAULT_REQUIRE), rule="control", members="all")
    return _status_columns(df, notes, statuses, {})


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
    texts: int | None = None,
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
    texts
        Make the reason columns, ``reasons`` and ``evidence`` for the first ``texts`` rows only
        (the frame's order); below them they are null. For a caller that shows only the first
        rows of a long frame and counts the rest by their values (the command line's table):
        the texts of 200,000 sites take a tenth of an all-sites run. ``None`` (default): every row.

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
    # a pass building many objects that are all kept: the cyclic collector would only walk them
    with paused_gc():
        ctx = CoverageContext(graph, as_of, index, whole_graph=company is None)
        try:
            excluded: dict[str, int] = {}
            placed = place_sites(ctx, company, rule=rule, threshold=threshold, members=members, status=statuses,
                                 excluded=excluded)
            rows, notes = site_rows(ctx, placed)
            day = ctx.as_of
        finally:
            ctx.close()  # free the maps before the columns are made; break their reference cycles now
        df = _coverage_frame(coverage_columns(rows, req, texts))
        del rows
    df.attrs.update(as_of=day, company=company, require=list(req), rule=rule, members=members)
    return _status_columns(df, notes, statuses, excluded)


#: the columns :func:`coverage_columns` builds, in order (``stake_min`` and ``status_note`` are added after)
_ROW_COLUMNS = tuple(c for c in (*COVERAGE_COLUMNS, *EXTRA_COLUMNS) if c not in ("stake_min", "status_note"))
#: the Site properties :func:`site_rows` reads for every site (as columns: :func:`_site_values`)
_ROW_PROPS = ("name", "country", "commodity", "workforce", "lat", "lon", "status", "closure_year", "union_status",
              "cba_status")


def site_rows(
    ctx: CoverageContext, placed: Mapping[str, tuple[str | None, str, str | None, str, float | None]],
) -> tuple[dict[str, list[Any]], dict[str, str]]:
    """The findings and the place of each site in ``placed`` (:func:`place_sites`: site -> its
    operator and place in the group), as lists in the order of ``placed`` (see
    :func:`coverage_columns`), and the status notes of the sites that have one.

    One code for one group and for every site: what depends only on a site's place (its
    operator, membership and group) is worked out once per place, the findings once per
    combination of what each rule reads (:func:`_site_dimensions`).
    """
    graph, day = ctx.graph, ctx.as_of
    site_attrs, operators_of, idx = ctx.site_attrs, ctx.operators, ctx.idx
    site_ids = list(placed)
    ops_, memberships, roots, chains, stakes = (list(c) for c in zip(*placed.values())) if placed else ([],) * 5
    distinct_ops = list(dict.fromkeys(o for o in ops_ if o is not None))
    ups = list(map(idx.ultimate_parent_id, distinct_ops))
    # the names of every operator and group in one batch read of the graph's names
    named = list(dict.fromkeys([*distinct_ops, *ups]))
    name = dict(zip(named, graph.names_of(named))).__getitem__
    per_op: dict[str, tuple[str, str, str]] = dict(zip(distinct_ops, zip(ups, map(name, distinct_ops), map(name, ups))))
    # the groups' name keys (union networks are matched to groups by name): one batch read of
    # the graph's name index instead of a fingerprint per group
    groups_all = dict.fromkeys(r for r in roots if r)
    groups_all.update(dict.fromkeys(info[0] for info in per_op.values()))
    ctx._name_keys.update(graph.name_keys(groups_all))

    # what depends on a site's place only, once per place
    place_code, places = _factorize(list(zip(ops_, memberships, roots)))
    per_place: list[tuple[Any, ...]] = []
    for op, membership, root in places:  # type: ignore[misc]
        if op is None:
            up_id = op_name = up_name = None
            groups: tuple[str, ...] = (root,) if root else ()
        else:
            up_id, op_name, up_name = per_op[op]
            groups = (root, up_id) if root else (up_id,)
        why = None
        if membership == "possible" and op is not None and root:
            w = ctx.members(root).why(op)
            why = f"membership: {w.reason}" if w is not None else None
        # (a root is never below itself: OwnershipIndex.uncertain_below leaves it out)
        per_place.append((up_id, op_name, up_name, groups, why,
                          bool(root and op and op != root and op in ctx.uncertain(root))))
    up_ids, op_names, up_names, groups_col, why_col, lowers = (
        _object_array(list(c))[place_code].tolist() for c in zip(*per_place)) if per_place else ([],) * 6

    props = _site_values(site_attrs, site_ids, _ROW_PROPS)
    notes: dict[str, str] = {}
    for i in np.flatnonzero(np.fromiter(map(is_not, props["closure_year"], repeat(None)), dtype=bool,
                                        count=len(site_ids))).tolist():
        note = status_note(graph, site_attrs[site_ids[i]], day)
        if note:
            notes[site_ids[i]] = note
    edges = [operators_of.get(s, ()) for s in site_ids]
    first = itemgetter(0)
    ops_col = [tuple(map(first, e)) for e in edges]
    # the operator's own share in the site (its first OPERATES edge in force)
    shares = [e[0][1] if e and e[0][0] == op else next((s for o, s, _e in e if o == op), None)
              for e, op in zip(edges, ops_)]
    del edges
    rows = {
        "site_id": site_ids, "site": [s if nm is None else nm for nm, s in zip(props["name"], site_ids)],
        "operator_id": ops_, "ultimate_parent_id": up_ids, "effective_stake": stakes, "country": props["country"],
        "commodity": props["commodity"], "workforce": props["workforce"], "membership": memberships,
        "operator": op_names, "ultimate_parent": up_names, "chain": chains, "operator_share": shares,
        "stake_is_lower_bound": lowers, "lat": props["lat"], "lon": props["lon"], "status": props["status"],
        "dimensions": _site_dimensions(ctx, site_ids, props, ops_col, groups_col), "membership_reason": why_col,
    }
    return rows, notes


def _object_array(values: list[Any]) -> np.ndarray:
    """``values`` as a numpy object array (tuples and lists kept as elements, not made into axes)."""
    return np.fromiter(values, dtype=object, count=len(values))


def coverage_columns(rows: dict[str, list[Any]], req: tuple[str, ...], texts: int | None = None) -> dict[str, Any]:
    """The coverage columns (:data:`_ROW_COLUMNS`, see :func:`_coverage_frame`) of the rows of
    :func:`site_rows` as pandas columns, sorted by country (``"~"`` when unknown), site name
    casefolded, site id (:func:`_sort_order`). Empties ``rows``.

    The rows' own lists are typed by pandas (as a frame of them is typed) in the sites' order
    and sorted by one take; a dimension's value and reason columns are its distinct findings'
    texts, taken by index (Arrow); ``uncovered``, ``reasons`` and ``evidence`` are worked out
    with numpy and Arrow. ``texts``: the reason columns, ``reasons`` and ``evidence`` are made
    for the first ``texts`` rows only (in the sorted order), null below them (None: every row).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if not rows["site_id"]:
        return {}
    dimensions, why_col = rows.pop("dimensions"), rows.pop("membership_reason")
    n = len(rows["site_id"])
    t = n if texts is None else max(0, min(int(texts), n))  # the rows whose texts are made
    positions = _sort_order(rows["country"], rows["site"], rows["site_id"])
    # typed while in the sites' order: a list's objects lie together in memory then, and taking
    # them in the sorted order one by one would cost more than typing them
    plain = pd.DataFrame(rows).take(positions)
    rows.clear()
    plain.index = pd.RangeIndex(n)
    data: dict[str, Any] = dict(plain.items())
    del plain
    dims = [(codes[positions], distinct) for codes, distinct in dimensions]
    del dimensions
    uncovered = np.zeros(n, dtype=bool)
    # Every finding's value in one array. The texts in one array: "dim: " and "; dim: " of each
    # dimension, the membership reasons (in the sites' order), then each dimension's findings'
    # reasons (its reason column is taken from that slice).
    sizes = [len(distinct) for _codes, distinct in dims]
    findings = list(chain.from_iterable(distinct for _codes, distinct in dims))
    values = _pa_text(list(map(attrgetter("value"), findings)))
    heads = [f"{d}: " for d in DIMENSIONS[:len(dims)]]
    texts_ = _pa_text([*heads, *(f"; {h}" for h in heads), *why_col, *map(attrgetter("reason"), findings)])
    del findings
    why_rows = np.flatnonzero(np.fromiter(map(is_not, why_col, repeat(None)), dtype=bool, count=n)[positions[:t]])
    del why_col
    # reasons: the membership reason, then "dim: reason" of each dimension not covered, joined by
    # "; ". Each row's items (its membership reason; each such dimension's "; dim: " and reason)
    # are listed as (row, slot) keys and places in ``texts_``, ordered with numpy (a row's first
    # "; dim: " loses its "; "), taken once and concatenated per row by Arrow (pyarrow.compute.binary_join).
    m = 2 * len(dims)
    keys, items = [why_rows * 16], [positions[why_rows] + m]
    skip = pa.array([COVERED, NOT_APPLICABLE], type=pa.large_string())
    at = 0
    for k, (d, (codes, _distinct), size) in enumerate(zip(DIMENSIONS, dims, sizes)):
        value = values.slice(at, size)
        data[d] = _text_column(value.take(codes))
        data[f"{d}_reason"] = _text_column(_padded(texts_.slice(m + n + at, size).take(codes[:t]), n))
        if d in req:
            uncovered |= _flags(pc.equal(value, NOT_COVERED))[codes]
        rows_k = np.flatnonzero(_flags(pc.invert(pc.is_in(value, value_set=skip)))[codes[:t]])
        keys += [rows_k * 16 + 2 * k + 1, rows_k * 16 + 2 * k + 2]
        items += [np.full(len(rows_k), len(dims) + k), codes[rows_k] + (m + n + at)]
        at += size
    key = np.concatenate(keys)
    item = np.concatenate(items)[np.argsort(key, kind="stable")]
    offsets = np.zeros(t + 1, dtype=np.int64)
    np.cumsum(np.bincount(key // 16, minlength=t), out=offsets[1:])
    first = offsets[:-1][offsets[:-1] < offsets[1:]]  # each row's first item
    first = first[(item[first] >= len(dims)) & (item[first] < m)]  # ... when it is a "; dim: "
    item[first] -= len(dims)
    data["uncovered"] = pd.Series(uncovered)
    parts = pa.ListArray.from_arrays(pa.array(offsets, type=pa.int32()), texts_.take(item))
    del texts_
    data["reasons"] = _text_column(_padded(pc.binary_join(parts, _pa_scalar("")), n))
    del parts
    data["evidence"] = pd.Series([*_evidence_column([(codes[:t], distinct) for codes, distinct in dims], t),
                                  *repeat(None, n - t)], dtype=object)
    return data


def _padded(texts: Any, n: int) -> Any:
    """An Arrow text array made ``n`` long with nulls after its values."""
    import pyarrow as pa

    if len(texts) == n:
        return texts
    return pa.concat_arrays([texts, pa.nulls(n - len(texts), type=texts.type)])


def _sort_order(countries: list[Any], names: list[str], site_ids: list[str]) -> np.ndarray:
    """Positions of the rows in the order of (country or ``"~"``, name casefolded, site id).

    The keys are made by Python (``str.casefold``) and sorted by Arrow, which compares UTF-8
    bytes: the order of code points, as Python compares text.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    keys = pa.table({"country": _pa_text([str(c or "~") for c in countries]),
                     "name": _pa_text([nm.casefold() for nm in names]), "site_id": _pa_text(site_ids)})
    return pc.sort_indices(keys, sort_keys=[(c, "ascending") for c in keys.column_names]).to_numpy().astype(np.int64)


def _flags(mask: Any) -> np.ndarray:
    """An Arrow boolean array as numpy, null as False."""
    return mask.fill_null(False).to_numpy(zero_copy_only=False)


def _coverage_frame(columns: dict[str, Any]) -> pd.DataFrame:
    """The coverage frame of :func:`coverage_columns`: :data:`_ROW_COLUMNS`, then ``stake_min``."""
    if not columns:  # no rows: object columns
        df = pd.DataFrame([], columns=list(_ROW_COLUMNS))
    else:
        df = pd.DataFrame(columns, columns=list(_ROW_COLUMNS), copy=False)
    df["workforce"] = df["workforce"].astype("Int64")
    _stake_frame(df)
    df["uncovered"] = df["uncovered"].astype(bool)
    return df


def _pa_text(values: list[str | None]) -> Any:
    """An Arrow string array of ``values`` (text or None), with pandas' text layout (large_string)."""
    import pyarrow as pa

    return pa.array(values, type=pa.large_string())


def _pa_scalar(text: str) -> Any:
    """An Arrow text scalar of :func:`_pa_text`'s type."""
    import pyarrow as pa

    return pa.scalar(text, type=pa.large_string())


#: pandas' text dtype, as it infers it for a column of Python strings
_TEXT = pd.Series(["x"]).dtype


def _text_column(values: Any) -> Any:
    """A pandas text column from an Arrow string array (no copy through Python strings)."""
    return pd.array(values, dtype=_TEXT)


def _evidence_column(dims: list[tuple[np.ndarray, list[_Finding]]], n: int) -> list[list[str]]:
    """Each row's evidence: the ids its findings cite, in dimension order, each once.

    With numpy: every (row, dimension, place, id) is listed, ordered, and only the first of each
    (row, id) kept; each row's list is a slice of the kept ids (one Python text per distinct id).
    """
    import pyarrow as pa

    # every distinct finding's ids, all dimensions in one list, numbered by Arrow's dictionary encoding
    cited = [e for _codes, distinct in dims for f in distinct for e in f.evidence]
    encoded = pa.array(cited, type=pa.string()).dictionary_encode()
    ids = _object_array(encoded.dictionary.to_pylist())
    numbers = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    del cited
    rows, ranks, items = [], [], []
    at = 0
    for k, (codes, distinct) in enumerate(dims):
        lens = np.fromiter(map(len, map(attrgetter("evidence"), distinct)), dtype=np.int64, count=len(distinct))
        flat = numbers[at:at + int(lens.sum())]
        at += len(flat)
        starts = np.cumsum(lens) - lens
        count = lens[codes]  # items per row
        total = int(count.sum())
        within = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
        rows.append(np.repeat(np.arange(n, dtype=np.int64), count))
        items.append(flat[np.repeat(starts[codes], count) + within])
        ranks.append(within + (k << 32))  # dimension first, then the place in its list
    row, rank, item = np.concatenate(rows), np.concatenate(ranks), np.concatenate(items)
    order = np.lexsort((rank, row))
    row, item = row[order], item[order]
    _, first = np.unique(row * max(len(ids), 1) + item, return_index=True)
    keep = np.zeros(len(row), dtype=bool)
    keep[first] = True
    row, item = row[keep], item[keep]
    bounds = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=n), out=bounds[1:])
    kept = ids[item].tolist()
    return [kept[a:b] for a, b in pairwise(bounds.tolist())]


def _stake_frame(df: pd.DataFrame) -> None:
    """Split the known stake into ``effective_stake`` and ``stake_min`` in place, ``stake_min``
    after ``stake_is_lower_bound`` (:func:`queries.ownership.stake_columns` on the columns):
    unknown is NaN (null, empty), never 0."""
    cols = stake_columns(df["effective_stake"].to_numpy(dtype=np.float64, na_value=np.nan),
                         df["stake_is_lower_bound"].to_numpy(dtype=bool))
    df["effective_stake"] = pd.Series(cols["effective_stake"], index=df.index, dtype="float64")
    df.insert(list(df.columns).index("stake_is_lower_bound") + 1, "stake_min",
              pd.Series(cols["stake_min"], index=df.index, dtype="float64"))


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
