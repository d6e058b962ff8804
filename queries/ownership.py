"""Company groups, effective stakes and ultimate parents (docs/semantics.md#ownership-semantics).

Three notions, all over OWNS edges in force at ``as_of`` (holders may be Company, Investor
or Person; targets are companies):

- **control** (IFRS 10): the root controls itself; it controls X when the voting (else
  equity) shares in X held by the root and by entities it already controls add up to more
  than 50 %, or an edge with ``control=yes`` runs to X from one of them; iterated to a
  fixpoint. ``control=joint`` from the group makes X *jointly controlled* (a joint venture)
  unless X is controlled outright; so does a holding of exactly 50 % (a 50/50 joint
  venture), which the design leaves open and a planner expects in the group.
- **effective stake** (look-through ownership): the sum over every path of the product of
  the equity shares, i.e. row ``root`` of the Leontief inverse ``(I - W)^-1``, solved with
  ``scipy.sparse`` on the part of the graph reachable from the root, capped at 100 %.
- **unknown shares** are never 0 and never 100: an entity the known shares do not decide but
  an unknown-share edge from the group reaches is a *possible* member (``controlled`` =
  ``unknown``) when the unknown shares can reach 50 % or more (more: control; exactly 50 %,
  a co-owner holding the rest: joint control). Unknown shares add nothing to a stake: where
  a path has one, ``effective_stake`` is empty, ``stake_is_lower_bound`` true and
  ``stake_min`` the part the known shares prove (:func:`stake_columns`).

Edges marked ``derived=gem_parent`` are GEM's ultimate-parent assertions: they count as a
direct stake for group purposes, and reasons say that the chain in between is not on record.

Examples
--------
>>> from graphmodel.graph import CampaignGraph
>>> g = CampaignGraph()
>>> for n in ("top", "mid", "low"):
...     _ = g.add_node(n, "Company", n.title())
>>> _ = g.add_edge("top", "mid", "OWNS", share=60)
>>> _ = g.add_edge("mid", "low", "OWNS", share=80)
>>> group(g, "top")[["id", "effective_stake", "controlled", "chain"]].values.tolist()
[['top', 100.0, 'true', 'top'], ['mid', 60.0, 'true', 'top > mid'], ['low', 48.0, 'true', 'top > mid > low']]
>>> ultimate_parent(g, "low").chain
['low', 'mid', 'top']
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.provenance import VALUE_SOURCES, sources_of
from graphmodel.values import in_force, normalise_as_of
from queries._compat import renamed_keyword
from queries._frames import source_titles

#: columns of :func:`group`, in order (the output contract; more may follow)
GROUP_COLUMNS = (
    "id",
    "name",
    "kind",
    "effective_stake",
    "stake_is_lower_bound",
    "stake_min",
    "controlled",
    "membership",
    "chain",
    "reason",
    "evidence",
    "parent_id",
    "depth",
)

#: a displayed chain longer than 2 * CHAIN_ENDS + 1 shows its first and last CHAIN_ENDS ids around "…"
CHAIN_ENDS = 3

RULES = ("control", "effective")
MEMBERS = ("all", "known")
_EPS = 1e-9
_DENSE_MAX = 400  # reachable entities up to which effective stakes use a dense solve
_HOLDER_KINDS = ("Company", "Investor", "Person")


def _pct(x: float) -> str:
    """``51.0`` -> ``"51%"``, ``33.333`` -> ``"33.33%"``."""
    return f"{round(x, 2):g}%"


@dataclass(slots=True)  # one per OWNS edge of the graph: slots keep 100k+ of them small
class Stake:
    """One holder's stake in one company at ``as_of`` (parallel edges merged).

    ``low``/``high`` bound the voting (else equity) percentage used for control;
    ``equity`` is the known equity share (``None`` when unknown, a range's minimum
    counts as known-at-least with ``equity_exact=False``).
    """

    holder: str
    target: str
    edges: list[str]
    low: float
    high: float
    exact: bool
    equity: float
    equity_exact: bool
    control: str | None = None
    derived: str | None = None
    inferred: str | None = None
    #: every source of the merged edges, and the sources that set the value used (``low``)
    sources: tuple[str, ...] = ()
    value_src: tuple[str, ...] = ()

    @property
    def gem_parent(self) -> bool:
        return self.derived == "gem_parent"


def _stake_from_attrs(eid: str, u: str, v: str, a: Mapping[str, Any]) -> Stake:
    vote = a.get("voting")
    share = a.get("share")
    value = vote if vote is not None else share
    if value is not None:
        low = high = float(value)
        exact = True
    else:
        mins = [a.get("voting_min"), a.get("share_min")]
        maxs = [a.get("voting_max"), a.get("share_max")]
        lo = next((m for m in mins if m is not None), None)
        hi = next((m for m in maxs if m is not None), None)
        low = float(lo) if lo is not None else 0.0
        high = float(hi) if hi is not None else 100.0
        exact = False
    if share is not None:
        equity, equity_exact = float(share), True
    else:
        equity, equity_exact = float(a.get("share_min") or 0.0), False
    srcs = tuple(a.get("sources") or ())
    value_src = srcs
    if a.get(VALUE_SOURCES):  # the value may come from only some of the edge's sources
        prop = ("voting" if vote is not None else "share") if value is not None else (
            "voting_min" if a.get("voting_min") is not None else "share_min")
        value_src = tuple(sources_of(a, prop))
    # by position, in field order (one per OWNS edge: keywords cost a third of this function)
    return Stake(
        u, v, [eid], low, max(high, low), exact, equity, equity_exact,
        a.get("control"), a.get("derived"), a.get("share_inferred"), srcs, value_src,
    )


def _merge_stakes(a: Stake, b: Stake) -> Stake:
    # Two edges between the same holder and company in force on the same day are two
    # assertions of one holding (e.g. two sources, or a GEM parent edge beside a registry
    # edge), not two holdings: take the best-known value, never the sum.
    if a.exact and b.exact:
        low = high = max(a.low, b.low)
        exact = True
        value_src = _union(*(s.value_src for s in (a, b) if s.low == low))
    elif a.exact or b.exact:
        e = a if a.exact else b
        low, high, exact = e.low, e.high, True
        value_src = e.value_src
    else:
        low, high, exact = max(a.low, b.low), max(max(a.low, b.low), min(a.high, b.high)), False
        value_src = _union(a.value_src, b.value_src)
    if a.equity_exact or b.equity_exact:
        equity = max(s.equity for s in (a, b) if s.equity_exact)
        equity_exact = True
    else:
        equity, equity_exact = max(a.equity, b.equity), False
    rank = {"yes": 3, "joint": 2, "no": 1, "unknown": 0, None: -1}
    control = max((a.control, b.control), key=lambda c: rank.get(c, -1))
    derived = a.derived if a.derived == b.derived else None
    return Stake(
        a.holder, a.target, a.edges + b.edges, low, high, exact, equity, equity_exact,
        control, derived, a.inferred or b.inferred, _union(a.sources, b.sources), value_src,
    )


def _union(*groups: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(x for g in groups for x in g))


def edges_at(
    graph: CampaignGraph, node: str, kind: str, day: str, *, outgoing: bool
) -> list[tuple[str, str, str, Mapping[str, Any]]]:
    """``(edge id, source, target, attrs)`` of ``kind`` leaving (or entering) ``node``, in force on ``day``.

    ``day`` is already an ISO date: this skips re-parsing it on every call, which matters when
    a query looks up thousands of nodes.
    """
    # through the graph's read API (never ``graph.nx``: a columnar graph would build networkx first)
    if not graph.has_node(node):
        return []
    it = graph.out_edges(node, kind) if outgoing else graph.in_edges(node, kind)
    return [t for t in it if in_force(t[3].get("valid_from"), t[3].get("valid_to"), day)]


_MISSING = object()


class LazyMap:
    """A read-only mapping filled on the first look-up of each key, then remembered.

    Queries touch the part of the graph around one group; looking edges up per node keeps
    their cost proportional to that part instead of a pass over every edge of the graph.
    ``get`` returns ``default`` for an empty answer; ``key in m`` is true for a non-empty one.
    """

    def __init__(self, load: Any) -> None:
        self._load = load
        self._memo: dict[str, Any] = {}
        self._complete = False

    def complete(self, data: dict[str, Any]) -> None:
        """Fill every key at once (from one pass over the graph); absent keys are then empty."""
        self._memo = data
        self._complete = True

    def __getitem__(self, key: str) -> Any:
        value = self._memo.get(key, _MISSING)  # no exception for a key not there: most are not
        if value is _MISSING:
            if self._complete:
                return []
            value = self._memo[key] = self._load(key)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        value = self._memo.get(key, _MISSING)
        if value is _MISSING:
            if self._complete:
                return default
            value = self._memo[key] = self._load(key)
        return value if value else default

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and bool(self[key])

    @property
    def getter(self) -> Any:
        """A callable answering as :meth:`get`: the memo's own ``dict.get`` once complete (only
        non-empty values are stored then, so the answers are the same at a C call's cost)."""
        return self._memo.get if self._complete else self.get


class OwnershipIndex:
    """The OWNS edges in force at one date, looked up per entity both ways and remembered.

    Build one per ``as_of`` and pass it to several queries (``index=``): coverage over every
    group asks it for many roots and chains, and each entity's edges are read once.

    Examples
    --------
    >>> from graphmodel.graph import CampaignGraph
    >>> g = CampaignGraph()
    >>> _ = g.add_node("a", "Company", "A"); _ = g.add_node("b", "Company", "B")
    >>> _ = g.add_edge("a", "b", "OWNS", share=30)
    >>> idx = OwnershipIndex(g, as_of="2024-01-01")
    >>> idx.out["a"][0].low, idx.inn["b"][0].holder
    (30.0, 'a')
    """

    def __init__(self, graph: CampaignGraph, *, as_of: Any = None) -> None:
        self.graph = graph
        self.as_of = normalise_as_of(as_of)
        #: holder -> its stakes (parallel edges to one company merged)
        self.out = LazyMap(lambda n: self._stakes(n, outgoing=True))
        #: company -> the stakes held in it
        self.inn = LazyMap(lambda n: self._stakes(n, outgoing=False))
        self._up_memo: dict[str, Control | None] = {}
        self._up_busy: set[str] = set()
        self._up_len: dict[str, tuple[int, tuple[str, ...]]] = {}
        self._unknown_above: set[str] | None = None

    def _stakes(self, node: str, *, outgoing: bool) -> list[Stake]:
        pairs: dict[tuple[str, str], Stake] = {}
        for eid, u, v, a in edges_at(self.graph, node, "OWNS", self.as_of, outgoing=outgoing):
            s = _stake_from_attrs(eid, u, v, a)
            old = pairs.get((u, v))
            pairs[(u, v)] = _merge_stakes(old, s) if old else s
        return list(pairs.values())

    def load_all(self, owns: Iterable[tuple[str, str, str, Mapping[str, Any]]] | None = None) -> OwnershipIndex:
        """Read every OWNS edge in one pass (faster than per-entity look-ups for all groups).

        ``owns``: the OWNS edges in force at ``as_of`` as ``(edge id, source, target, attrs)``
        when the caller already has them from its own pass over the edges.
        """
        pairs: dict[tuple[str, str], Stake] = {}
        for eid, u, v, a in (self.graph.edges("OWNS", as_of=self.as_of) if owns is None else owns):
            s = _stake_from_attrs(eid, u, v, a)
            old = pairs.get((u, v))
            pairs[(u, v)] = _merge_stakes(old, s) if old else s
        out: dict[str, list[Stake]] = {}
        inn: dict[str, list[Stake]] = {}
        for (u, v), s in pairs.items():
            out.setdefault(u, []).append(s)
            inn.setdefault(v, []).append(s)
        self.out.complete(out)
        self.inn.complete(inn)
        return self

    def name(self, node: str) -> str:
        return self.graph.name_of(node)

    def close(self) -> None:
        """Forget every remembered look-up (breaks the index's reference cycles; unusable afterwards)."""
        self.__dict__.clear()

    # ------------------------------------------------------------------ effective stakes
    def effective_stakes(self, root: str) -> dict[str, float]:
        """Effective (look-through) stake of ``root`` in every entity it reaches, percent.

        Solves ``(I - W_R)^T x = e_root`` on the set ``R`` reachable through known
        equity, which is the sum over all paths (the Leontief inverse); cross-holdings
        converge because every company's holders hold at most 100 % of it. A cycle of
        100 % holdings makes the matrix singular: then the series is summed by capped
        fixed-point iteration, which is monotone and bounded, so it terminates.
        """
        # The part reachable through known equity, found by a walk whose cost is the size of
        # the group, not of the graph; then one linear solve on it.
        order = [root]
        pos = {root: 0}
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        gem: list[int] = []  # positions in rows/cols/vals of GEM ultimate-parent assertions
        tree = True  # every entity reached once: no second path, no cycle
        # while ``tree`` holds, each entity's forward substitution (see below) made as it is reached
        xs = [1.0]
        out_get = self.out.getter
        i = 0
        while i < len(order):
            x_holder = xs[i]
            for s in out_get(order[i], ()):
                if s.equity <= 0:
                    continue
                w = min(s.equity, 100.0) / 100.0
                j = pos.get(s.target)
                if j is None:
                    j = pos[s.target] = len(order)
                    order.append(s.target)
                    xs.append(0.0 - (-w) * x_holder)
                else:
                    tree = False
                if s.gem_parent:
                    gem.append(len(rows))
                rows.append(i)
                cols.append(j)
                vals.append(w)
            i += 1
        if gem:
            self._drop_duplicate_gem_edges(gem, rows, cols, vals)
        n = len(order)
        if n == 1:
            return {root: 100.0}
        if tree and not gem:
            # I - W^T is then unit lower triangular in walk order, and LU with partial pivoting
            # keeps every pivot on the diagonal (|-w| <= 1, ties go to the first row): the dense
            # solve below is exactly this forward substitution, x[target] = w * x[holder], which
            # the walk made in its order (a holder is reached before what it holds).
            # Then as below: x * 100 clipped to [0, 100] and rounded to 1e-9 the way numpy rounds
            # (times 1e9, to the nearest even integer, divided by 1e9), so no numpy call is needed.
            tree_out = {}
            for node, xv in zip(order, xs):
                pct = xv * 100.0
                pct = min(max(pct, 0.0), 100.0)
                v = round(pct * 1e9) / 1e9
                if v > 0.0:
                    tree_out[node] = v
            tree_out[root] = 100.0
            return tree_out
        rhs = np.zeros(n)
        rhs[0] = 1.0
        x: np.ndarray | None = None
        if n <= _DENSE_MAX:  # small groups: a dense solve is faster than sparse set-up
            a = np.eye(n)
            a[np.asarray(cols), np.asarray(rows)] -= np.asarray(vals)  # I - W^T
            try:
                x = np.linalg.solve(a, rhs)
            except np.linalg.LinAlgError:
                x = None
        sub = None
        if x is None or not np.all(np.isfinite(x)) or np.any(x < -_EPS):
            # scipy is imported here, not with the module: most groups never get this far, and
            # scipy.sparse with its solvers costs a command 0.2-0.3 s of imports
            import scipy.sparse as sp

            sub = sp.csc_matrix((np.asarray(vals, dtype=float), (rows, cols)), shape=(n, n))
        if sub is not None and n > _DENSE_MAX:
            import warnings

            from scipy.sparse.linalg import MatrixRankWarning, spsolve

            with warnings.catch_warnings():
                warnings.simplefilter("error", MatrixRankWarning)
                try:
                    x = np.atleast_1d(spsolve((sp.identity(n, format="csc") - sub.T).tocsc(), rhs))
                except (MatrixRankWarning, RuntimeError):
                    x = None
        if sub is not None and (x is None or not np.all(np.isfinite(x)) or np.any(x < -_EPS)):
            x = self._capped_series(sub, rhs)
        assert x is not None
        x = np.clip(x * 100.0, 0.0, 100.0)
        # rounded to 1e-9 percent; entities whose stake rounds to 0 are left out
        out = {order[k]: v for k in range(n) if (v := float(round(x[k], 9))) > 0.0}
        out[root] = 100.0
        return out

    def effective_stakes_many(self, roots: Iterable[str]) -> dict[str, dict[str, float]]:
        """:meth:`effective_stakes` of many roots (each exactly as asked alone).

        A block-diagonal sparse factorisation of all groups at once was tried and dropped: the
        equity graph's components are joined by investors' minority stakes into one giant
        component, so a solve per root touches the whole graph, and the floating-point sums
        differ in the last bits from the per-group answer. The per-root method is fast where it
        matters instead: a group whose holdings form a tree is summed along its paths (bitwise the
        forward substitution of the dense solve), only the others take a linear solve.

        Examples
        --------
        >>> from graphmodel.graph import CampaignGraph
        >>> g = CampaignGraph()
        >>> for n in "abc":
        ...     _ = g.add_node(n, "Company", n)
        >>> _ = g.add_edge("a", "b", "OWNS", share=60); _ = g.add_edge("b", "c", "OWNS", share=50)
        >>> OwnershipIndex(g).effective_stakes_many(["a", "b"])["a"]
        {'a': 100.0, 'b': 60.0, 'c': 30.0}
        """
        return {r: self.effective_stakes(r) for r in dict.fromkeys(roots)}

    @staticmethod
    def _drop_duplicate_gem_edges(gem: list[int], rows: list[int], cols: list[int], vals: list[float]) -> None:
        """Zero a GEM ultimate-parent edge ``h -> t`` when ``t`` is also reached from ``h`` through
        other edges: the chain in between is then on record, and the assertion describes the
        same holding (counting both would add it twice)."""
        gem_set = set(gem)
        adj: dict[int, list[int]] = {}
        for k, (r, c) in enumerate(zip(rows, cols)):
            if k not in gem_set:
                adj.setdefault(r, []).append(c)
        reached: dict[int, set[int]] = {}  # one walk per asserting parent (GEM: usually one per group)
        for k in gem:
            start = rows[k]
            if start not in reached:
                seen, stack = {start}, [start]
                while stack:
                    for nxt in adj.get(stack.pop(), ()):
                        if nxt not in seen:
                            seen.add(nxt)
                            stack.append(nxt)
                reached[start] = seen
            if cols[k] in reached[start]:
                vals[k] = 0.0

    @staticmethod
    def _capped_series(sub: Any, rhs: np.ndarray, tol: float = 1e-12, max_iter: int = 100_000) -> np.ndarray:
        # x_{k+1} = min(1, e + W^T x_k) from x_0 = 0 is monotone increasing and bounded by 1,
        # so it converges; it equals the Leontief series wherever that series is below 100 %.
        wt = sub.T.tocsr()
        x = np.zeros_like(rhs)
        for _ in range(max_iter):
            nxt = np.minimum(1.0, rhs + wt @ x)
            if np.max(np.abs(nxt - x)) < tol:
                return nxt
            x = nxt
        return x

    def uncertain_below(self, root: str) -> set[str]:
        """Entities reached from ``root`` through at least one OWNS edge of unknown equity share."""
        out_get = self.out.getter
        # with every edge read (load_all), the walk skips the entities from which no such edge
        # can be reached: most groups have none, and those answer at once
        above = self._unknown_holders_above() if self.out._complete else None
        if above is not None and root not in above:
            return set()
        seen = {root}
        queue = deque([root])
        starts: set[str] = set()
        while queue:
            h = queue.popleft()
            for s in out_get(h, ()):
                if not s.equity_exact:
                    starts.add(s.target)
                if s.target not in seen and (above is None or s.target in above):
                    seen.add(s.target)
                    queue.append(s.target)
        out = set(starts)
        queue = deque(starts)
        while queue:
            h = queue.popleft()
            for s in out_get(h, ()):
                if s.target not in out:
                    out.add(s.target)
                    queue.append(s.target)
        out.discard(root)
        return out

    def _unknown_holders_above(self) -> set[str]:
        """Every entity with a path of OWNS edges to the holder of an edge of unknown equity share
        (that holder included): one walk up over the whole index, remembered."""
        if self._unknown_above is None:
            inn_get = self.inn.getter
            above = {s.holder for stakes in self.out._memo.values() for s in stakes if not s.equity_exact}
            queue = deque(above)
            while queue:
                for s in inn_get(queue.popleft(), ()):
                    if s.holder not in above:
                        above.add(s.holder)
                        queue.append(s.holder)
            self._unknown_above = above
        return self._unknown_above

    # ------------------------------------------------------------------ control
    def closure(
        self, members: dict[str, _Why], *, optimistic: bool = False, membership: str = "controlled"
    ) -> tuple[dict[str, _Why], dict[str, float]]:
        """Grow ``members`` to the control fixpoint; returns ``(new members, known-share totals)``.

        Pessimistic (default): uncertain stakes count at their lower bound (0 when unknown).
        Optimistic: they count at their upper bound, capped by what the known holders outside
        the set leave over; what only the optimistic pass adds is *possibly* controlled.
        """
        grp_low: dict[str, float] = {}
        grp_high: dict[str, float] = {}
        contrib: dict[str, list[Stake]] = {}
        new: dict[str, _Why] = {}
        inside = dict(members)
        queue = deque(inside)
        while queue:
            h = queue.popleft()
            for s in self.out.get(h, ()):
                v = s.target
                if v in inside:
                    continue
                # a holding flagged control=joint is the source saying it gives joint control,
                # not a vote towards sole control (docs/semantics.md#ownership-semantics: joint unless controlled outright)
                sole = s.control != "joint"
                grp_low[v] = grp_low.get(v, 0.0) + (s.low if sole else 0.0)
                grp_high[v] = grp_high.get(v, 0.0) + (s.high if sole else 0.0)
                contrib.setdefault(v, []).append(s)
                decided = s.control == "yes" or grp_low[v] > 50.0 + _EPS
                if decided and s.control != "yes" and any(t.gem_parent for t in contrib[v]):
                    decided = _without_gem_duplicates(inside, contrib[v]) > 50.0 + _EPS
                joint = False
                if not decided and optimistic:
                    outsiders = [t for t in self.inn.get(v, ()) if t.holder not in inside]
                    high = grp_high[v]
                    if any(t.gem_parent for t in contrib[v]):
                        high = _without_gem_duplicates(inside, contrib[v], high=True)
                        # GEM's ultimate parent may hold through the direct holders on record
                        # (a joint venture's members): only other ultimate-parent claims cap it
                        outsiders = [t for t in outsiders if t.gem_parent]
                    outside = sum(t.low for t in outsiders)
                    reach = min(high, 100.0 - outside)
                    decided = reach > 50.0 + _EPS
                    # an unpublished share that can reach exactly 50 % may give joint control
                    # (a co-owner holds the other half): a possible member too
                    joint = not decided and reach >= 50.0 - _EPS
                    decided = decided or joint
                if decided:
                    why = _Why.from_contributors(
                        self, v, contrib[v], membership, optimistic=optimistic,
                        joint_with=[t for t in outsiders if t.low > 0] if joint else None,
                    )
                    inside[v] = why
                    new[v] = why
                    queue.append(v)
        return new, grp_low

    # ------------------------------------------------------------------ upward
    def controller(self, node: str) -> Control | None:
        """The owner that controls ``node`` at ``as_of`` (see :class:`Control`), or ``None``."""
        if node in self._up_memo:
            return self._up_memo[node]
        if node in self._up_busy:  # a cross-holding loop being resolved: no answer from here
            return None
        self._up_busy.add(node)
        try:
            found = self._find_controller(node)
        finally:
            self._up_busy.discard(node)
        self._up_memo[node] = found
        return found

    def _find_controller(self, node: str) -> Control | None:
        holders = self.inn.getter(node)
        if not holders:
            return None
        for s in holders:  # the first holding flagged control=yes
            if s.control == "yes":
                return Control(s.holder, s.edges, _flagged_text, self, s)
        # holdings flagged control=joint give joint control only: they do not count towards a majority
        holders = [s for s in holders if s.control != "joint"]
        if not holders:
            return None
        # on a tie, the chain on record (most entities have one holder: no key to compare then)
        best = holders[0] if len(holders) == 1 else max(holders, key=lambda s: (s.low, not s.gem_parent))
        if best.low > 50.0 + _EPS:
            return Control(best.holder, best.edges, _held_text, self, best)
        if len(holders) == 1 or sum(s.low for s in holders) <= 50.0 + _EPS:  # (one: its share is not above 50)
            return None
        # Aggregated control: several holders, none a majority alone; an owner controls
        # the node when it and the entities it controls hold more than half together.
        tally: dict[str, float] = {}
        edges: dict[str, list[str]] = {}
        order: dict[str, int] = {}
        chains = [self.chain_up(s.holder) for s in holders]
        for k, s in enumerate(holders):
            if s.gem_parent and any(s.holder in c[1:] for j, c in enumerate(chains) if j != k):
                continue  # GEM's assertion of the holding another holder's recorded chain already brings
            for depth, anc in enumerate(chains[k]):
                tally[anc] = tally.get(anc, 0.0) + s.low
                edges.setdefault(anc, []).extend(s.edges)
                order[anc] = min(order.get(anc, depth), depth)
        winners = [a for a, t in tally.items() if t > 50.0 + _EPS and a != node]
        if not winners:
            return None
        top = min(winners, key=lambda a: (order[a], a))
        return Control(top, edges[top], _aggregated_text, self, top, tally[top], node)

    def up_summary(self, node: str) -> tuple[int, tuple[str, ...]]:
        """``(len(chain_up(node)), chain_up(node)[-CHAIN_ENDS:])`` without building the chain.

        Remembered per node, so asking it for every entity costs time linear in their number
        (each chain is walked once, not once per entity below it; a loop once per loop).
        """
        memo = self._up_len
        if node in memo:
            return memo[node]
        path: list[str] = []
        pos: dict[str, int] = {}
        cur: str | None = node
        while cur is not None and cur not in memo:
            if cur in pos:  # a loop of controllers: chain_up of each member goes once round it
                loop = path[pos[cur]:]
                n = len(loop)
                for i, x in enumerate(loop):
                    memo[x] = (n, tuple(loop[(i + n - k) % n] for k in range(min(n, CHAIN_ENDS), 0, -1)))
                del path[pos[cur]:]
                break
            pos[cur] = len(path)
            path.append(cur)
            step = self.controller(cur)
            if step is None:
                memo[path.pop()] = (1, (cur,))
                break
            cur = step.holder
        # off the loop or below a top: chain_up(x) = [x] + chain_up(parent); each path entry's
        # controller is the next entry, the last one's is ``cur`` (a top, a loop member or known)
        parent = cur
        for x in reversed(path):
            n, top = memo[parent]  # type: ignore[index]
            memo[x] = (n + 1, top if n >= CHAIN_ENDS else (x, *top))
            parent = x
        return memo[node]

    def ultimate_parent_id(self, node: str) -> str:
        """``chain_up(node)[-1]``, in constant time once remembered."""
        known = self._up_len.get(node)  # asked again for every site of an operator: one dict look-up
        return (known or self.up_summary(node))[1][-1]

    def chain_down_text(self, node: str) -> str:
        """The chain from ``node``'s ultimate parent down to it, as display text cut by :func:`cut_chain`."""
        n, top = self.up_summary(node)
        if n <= 2 * CHAIN_ENDS + 1:
            return cut_chain(self.chain_up(node)[::-1], n)
        below = [node]
        for _ in range(CHAIN_ENDS - 1):
            below.append(self.controller(below[-1]).holder)  # type: ignore[union-attr]
        return cut_chain([*top[::-1], *below[::-1]], n)

    def chain_up(self, node: str) -> list[str]:
        """``[node, its controlling owner, that owner's controlling owner, ...]``; stops on a loop."""
        chain = [node]
        seen = {node}
        cur = node
        while True:
            step = self.controller(cur)
            if step is None or step.holder in seen:
                return chain
            cur = step.holder
            chain.append(cur)
            seen.add(cur)


def _without_gem_duplicates(inside: Mapping[str, _Why], stakes: list[Stake], *, high: bool = False) -> float:
    """Sum of the group's stakes in one company, leaving out a GEM ultimate-parent assertion
    whose holder is above another contributing holder (the chain in between is on record, so
    the assertion describes a holding already counted)."""
    def above(h: str, x: str) -> bool:
        seen = set()
        while x in inside and x not in seen:
            seen.add(x)
            x = inside[x].pred  # type: ignore[assignment]
            if x == h:
                return True
            if x is None:
                return False
        return False

    total = 0.0
    for s in stakes:
        if s.control == "joint":
            continue
        if s.gem_parent and any(above(s.holder, t.holder) for t in stakes if t is not s):
            continue
        total += s.high if high else s.low
    return total


def _value_source_text(idx: OwnershipIndex, s: Stake, *, sep: str | None = None) -> str:
    """`` (Source title)`` (or ``sep`` and the title) when the share cited was set by only some
    of the edge's sources (another file than the rest of the record), else empty."""
    if not s.value_src or set(s.value_src) == set(s.sources):
        return ""
    titles = "; ".join(source_titles(idx.graph, s.value_src))
    return f"{sep}{titles}" if sep is not None else f" ({titles})"


def _held_text(idx: OwnershipIndex, s: Stake) -> str:
    amount = _pct(s.low) if s.exact else f"at least {_pct(s.low)}"
    text = f"{idx.name(s.holder)} holds {amount}{_value_source_text(idx, s)} of {idx.name(s.target)}"
    if s.inferred:
        text += f" (share inferred: {s.inferred})"
    if s.gem_parent:
        text += " (GEM ultimate-parent assertion; the chain in between is not in the source)"
    return text


class Control:
    """The owner that controls a company (:meth:`OwnershipIndex.controller`): ``holder``, the
    ``edges`` that give it control, and ``reason``, the plain text saying why.

    The reason is written when read: a whole-graph run asks for the controller of every
    company to find ultimate parents but shows few reasons.
    """

    __slots__ = ("_args", "_text", "edges", "holder")

    def __init__(self, holder: str, edges: list[str], text: Any, *args: Any) -> None:
        self.holder = holder
        self.edges = edges
        self._text = text
        self._args = args

    @property
    def reason(self) -> str:
        return self._text(*self._args)

    def __repr__(self) -> str:
        return f"Control({self.holder!r}, {self.edges!r})"


#: a holding marked as giving control. Reasons are read by people: they name the entities; the
#: edge ids stay in the ``evidence`` column
_FLAGGED = "control=yes recorded on its holding"


def _flagged_text(idx: OwnershipIndex, s: Stake) -> str:
    return f"{idx.name(s.holder)} controls {idx.name(s.target)} ({_FLAGGED})"


def _aggregated_text(idx: OwnershipIndex, top: str, total: float, node: str) -> str:
    return f"{idx.name(top)} holds {_pct(total)} of {idx.name(node)} directly and through entities it controls"


def _joint_text(idx: OwnershipIndex, stakes: list[Stake], unknown: list[Stake], outsiders: list[Stake]) -> str:
    """``"Peabody Energy Corp holds 50%, so Glencore PLC may hold the other 50% jointly"``."""
    if not unknown:  # reached through a possible member holding exactly 50 %
        return "50% would give joint control"
    names = " and ".join(dict.fromkeys(idx.name(s.holder) for s in stakes))  # the group's holders
    if not outsiders:
        return f"so {names} may hold 50% jointly"
    held = sorted(outsiders, key=lambda s: (-s.low, idx.name(s.holder)))
    told = ", ".join(
        f"{idx.name(s.holder)} holds {'' if s.exact else 'at least '}{_pct(s.low)}{_value_source_text(idx, s)}"
        for s in held
    )
    rest = 100.0 - sum(s.low for s in held)
    return f"{told}, so {names} may hold the other {_pct(rest)} jointly"


class _Why:
    """Why an entity is in a group: the holder it came through, a plain reason, evidence.

    ``reason`` may be given as a function that writes it: it is then written when first read
    (a whole-graph run finds the members of every signatory's group but shows few reasons).
    """

    __slots__ = ("_reason", "edges", "membership", "pred")

    def __init__(self, pred: str | None, reason: str | Callable[[], str], edges: list[str] | None = None,
                 membership: str = "controlled") -> None:
        self.pred = pred
        self._reason = reason
        self.edges = [] if edges is None else edges
        self.membership = membership

    @property
    def reason(self) -> str:
        r = self._reason
        if not isinstance(r, str):
            r = self._reason = r()
        return r

    @reason.setter
    def reason(self, text: str) -> None:
        self._reason = text

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _Why):
            return NotImplemented
        return (self.pred, self.reason, self.edges, self.membership) == (
            other.pred, other.reason, other.edges, other.membership)

    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass it replaces

    def __repr__(self) -> str:
        return f"_Why(pred={self.pred!r}, reason={self.reason!r}, edges={self.edges!r}, membership={self.membership!r})"

    @staticmethod
    def from_contributors(
        idx: OwnershipIndex, node: str, stakes: list[Stake], membership: str, *, optimistic: bool,
        joint_with: list[Stake] | None = None,
    ) -> _Why:
        """``joint_with``: the known holders outside the group when the group's unpublished
        shares can reach 50 % at most (a possible joint venture), else ``None``."""
        edges = [e for s in stakes for e in s.edges]
        flagged = [s for s in stakes if s.control == "yes"]
        if flagged:
            s = flagged[0]
            text = f"{idx.name(s.holder)} controls {idx.name(node)} ({_FLAGGED})"
            if optimistic:
                text = f"possible member: {text}, itself a possible member"
            return _Why(s.holder, text, edges, membership)
        best = max(stakes, key=lambda s: (s.low, s.high))
        if optimistic:
            unknown = [s for s in stakes if not s.exact]
            parts = [
                f"{idx.name(s.holder)}'s share in {idx.name(node)} is not published"
                if s.low == 0 and s.high >= 100
                else f"{idx.name(s.holder)}'s share in {idx.name(node)} is only known as "
                f"{_pct(s.low)}-{_pct(s.high)}"
                for s in unknown
            ]
            if not parts:  # reached only through possible members with known shares
                parts = [f"{_held_text(idx, best)}, itself a possible member"]
            if joint_with is not None:
                parts.append(_joint_text(idx, stakes, unknown, joint_with))
            pred = unknown[0].holder if unknown else best.holder
            return _Why(pred, "possible member: " + "; ".join(parts), edges, "possible")
        if len(stakes) == 1:
            return _Why(best.holder, lambda: _held_text(idx, best), edges, membership)
        return _Why(best.holder, lambda: _together_text(idx, stakes), edges, membership)


def _together_text(idx: OwnershipIndex, stakes: list[Stake]) -> str:
    """``"60% held together by A (40%), B (20%)"``: the reason of a member several holders control."""
    total = sum(s.low for s in stakes)
    reason = f"{_pct(total)} held together by " + ", ".join(
        f"{idx.name(s.holder)} ({_pct(s.low)}{_value_source_text(idx, s, sep=', ')})"
        for s in sorted(stakes, key=lambda s: -s.low)
    )
    if any(s.gem_parent for s in stakes):
        reason += " (incl. GEM ultimate-parent assertions)"
    return reason


def cut_chain(ids: list[str], length: int) -> str:
    """Display text of a chain of ``length`` ids: ``ids`` is the whole chain, or its first and
    last :data:`CHAIN_ENDS` ids when it is longer than ``2 * CHAIN_ENDS + 1`` (then "…" between).

    Text for people only: the chain is data in ``parent_id`` and ``depth`` (rebuild it from them).

    >>> cut_chain(["a", "b"], 2)
    'a > b'
    >>> cut_chain(["c0", "c1", "c2", "c7", "c8", "c9"], 10)
    'c0 > c1 > c2 > … > c7 > c8 > c9'
    """
    if length > len(ids):
        return " > ".join([*ids[:CHAIN_ENDS], "…", *ids[-CHAIN_ENDS:]])
    return " > ".join(ids)


class _Paths:
    """Paths down a tree given by each node's parent (``parent(node)``; ``None`` at a top):
    depth and the first ids of each path, remembered, so all rows cost linear time."""

    def __init__(self, parent: Any) -> None:
        self.parent = parent
        self._memo: dict[str, tuple[int, tuple[str, ...]]] = {}

    def info(self, node: str) -> tuple[int, tuple[str, ...]]:
        """``(depth, first ids of the path from its top down to node)``; a loop is cut where met."""
        memo = self._memo
        path: list[str] = []
        seen: set[str] = set()
        cur: str | None = node
        while cur is not None and cur not in memo and cur not in seen:
            seen.add(cur)
            path.append(cur)
            cur = self.parent(cur)
        base: tuple[int, tuple[str, ...]] = memo[cur] if cur is not None and cur in memo else (-1, ())
        for x in reversed(path):
            d, head = base
            base = memo[x] = (d + 1, head if len(head) >= CHAIN_ENDS else (*head, x))
        return memo[node]

    def chain(self, node: str) -> list[str]:
        """The ids from the top down to ``node``, whole (for short paths and tests)."""
        d, _ = self.info(node)
        out = [node]
        for _ in range(d):
            out.append(self.parent(out[-1]))
        return out[::-1]

    def text(self, node: str) -> str:
        """:func:`cut_chain` of the path to ``node``."""
        d, head = self.info(node)
        if d + 1 <= 2 * CHAIN_ENDS + 1:
            return cut_chain(self.chain(node), d + 1)
        tail = [node]
        for _ in range(CHAIN_ENDS - 1):
            tail.append(self.parent(tail[-1]))
        return cut_chain([*head, *tail[::-1]], d + 1)


@dataclass(frozen=True)
class GroupMembers:
    """The result of the control analysis for one root (used by :func:`group` and coverage)."""

    root: str
    controlled: dict[str, _Why]
    joint: dict[str, _Why]
    possible: dict[str, _Why]
    paths: _Paths = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "paths", _Paths(self.parent_id))

    def parent_id(self, node: str) -> str | None:
        """The member ``node`` came into the group through (``None`` for the root)."""
        if node == self.root:
            return None
        w = self.why(node)
        return None if w is None else w.pred

    def status(self, node: str) -> str:
        """``"true"``, ``"joint"``, ``"unknown"`` (possible) or ``"false"``."""
        if node in self.controlled:
            return "true"
        if node in self.joint:
            return "joint"
        if node in self.possible:
            return "unknown"
        return "false"

    def why(self, node: str) -> _Why | None:
        return self.controlled.get(node) or self.joint.get(node) or self.possible.get(node)

    def chain(self, node: str) -> list[str]:
        """Ids from the root down to ``node`` along the holdings that brought each in (whole:
        linear in the depth; rows use :meth:`depth` and :meth:`chain_text`)."""
        return self.paths.chain(node)

    def depth(self, node: str) -> int:
        """Holdings between the root and ``node`` (0 for the root)."""
        return self.paths.info(node)[0]

    def chain_text(self, node: str) -> str:
        """The display chain of ``node`` (cut by :func:`cut_chain`)."""
        return self.paths.text(node)


def control_members(idx: OwnershipIndex, root: str) -> GroupMembers:
    """Controlled, jointly controlled and possible members of ``root``'s group.

    Examples
    --------
    >>> from graphmodel.graph import CampaignGraph
    >>> g = CampaignGraph()
    >>> for n in ("p", "jv", "x"):
    ...     _ = g.add_node(n, "Company", n)
    >>> _ = g.add_edge("p", "jv", "OWNS", share=50)
    >>> _ = g.add_edge("p", "x", "OWNS")
    >>> m = control_members(OwnershipIndex(g), "p")
    >>> m.status("jv"), m.status("x")
    ('joint', 'unknown')
    """
    controlled: dict[str, _Why] = {root: _Why(None, "the group's root", [], "root")}
    new, totals = idx.closure(controlled)
    controlled.update(new)
    joint: dict[str, _Why] = {}
    while True:
        inside = {**controlled, **joint}
        seeds: dict[str, _Why] = {}
        for h in inside:
            for s in idx.out.get(h, ()):
                if s.target in inside or s.target in seeds:
                    continue
                if s.control == "joint":
                    seeds[s.target] = _Why(
                        h, f"jointly controlled with {idx.name(h)} (control=joint recorded on its holding)", s.edges,
                        "joint"
                    )
        for v, total in totals.items():
            if v not in inside and v not in seeds and abs(total - 50.0) <= 1e-6:
                stakes = [s for s in idx.inn.get(v, ()) if s.holder in inside]
                # an unpublished share from the group on top of the 50% may make it a majority:
                # then it is a possible member (the optimistic pass below), not a 50/50 JV
                high = sum(s.high for s in stakes if s.control != "joint")
                outside = sum(s.low for s in idx.inn.get(v, ()) if s.holder not in inside)
                if min(high, 100.0 - outside) > 50.0 + _EPS:
                    continue
                best = max(stakes, key=lambda s: s.low)
                seeds[v] = _Why(
                    best.holder,
                    f"the group holds exactly 50% of {idx.name(v)}: treated as a 50/50 joint venture (jointly controlled)",
                    [e for s in stakes for e in s.edges],
                    "joint",
                )
        if not seeds:
            break
        joint.update(seeds)
        grown, totals = idx.closure({**controlled, **joint}, membership="joint")
        for v, w in grown.items():
            w.membership = "joint"
            w.reason += ", within a jointly controlled entity"
        joint.update(grown)
        # totals now counts the JV's holdings too; a 50 % there is a JV of the JV: loop
    possible, _ = idx.closure({**controlled, **joint}, optimistic=True, membership="possible")
    return GroupMembers(root, controlled, joint, possible)


def _check_root(graph: CampaignGraph, company: str, what: str = "company") -> str:
    if not isinstance(company, str) or not graph.has_node(company):
        raise CampaignGraphError(f"no {what} with id {company!r} (look names up with graph.resolve)")
    kind = graph.kind_of(company)
    if kind not in _HOLDER_KINDS:
        raise CampaignGraphError(f"{company!r} is a {kind}, not a Company, Investor or Person")
    return company


@renamed_keyword("root", "company")
def effective_stakes(graph: CampaignGraph, company: str, *, as_of: Any = None) -> dict[str, float]:
    """Effective (look-through) stake of ``company`` (the group's root: a Company, Investor or
    Person id) in every entity it reaches, in percent. ``root=`` is the deprecated name of
    ``company`` (a DeprecationWarning; same answer).

    Examples
    --------
    >>> from graphmodel.graph import CampaignGraph
    >>> g = CampaignGraph()
    >>> for n in "abc":
    ...     _ = g.add_node(n, "Company", n)
    >>> _ = g.add_edge("a", "b", "OWNS", share=40); _ = g.add_edge("a", "c", "OWNS", share=50)
    >>> _ = g.add_edge("c", "b", "OWNS", share=30)
    >>> effective_stakes(g, "a")["b"]
    55.0
    """
    _check_root(graph, company)
    return OwnershipIndex(graph, as_of=as_of).effective_stakes(company)


def group(
    graph: CampaignGraph,
    company: str,
    *,
    rule: str = "control",
    threshold: float = 50.0,
    as_of: Any = None,
    members: str = "all",
    index: OwnershipIndex | None = None,
) -> pd.DataFrame:
    """The group of ``company``: one row per member with stake, control, chain and reason.

    Parameters
    ----------
    graph
        The campaign graph.
    company
        Node id of the root (Company, Investor or Person; resolve names first).
    rule
        ``"control"`` (root, controlled, jointly controlled and possible members) or
        ``"effective"`` (every entity with an effective stake of at least ``threshold``).
    threshold
        Percent, for ``rule="effective"``.
    as_of
        Date (ISO text); OWNS edges not in force then do not count. Default today.
    members
        ``"all"`` or ``"known"`` (drops possible members).
    index
        A prebuilt :class:`OwnershipIndex` for the same ``as_of`` (reuse across calls).

    Returns
    -------
    DataFrame with :data:`GROUP_COLUMNS`; ``attrs`` holds ``company``, ``rule``, ``as_of``.
    ``effective_stake`` is empty (NaN) where a share on some path is not published
    (``stake_is_lower_bound``); ``stake_min`` is then the part the known shares prove, and
    equals ``effective_stake`` where every share is known (:func:`stake_columns`).

    Examples
    --------
    >>> from graphmodel.graph import CampaignGraph
    >>> g = CampaignGraph()
    >>> for n in ("root", "sub", "minor"):
    ...     _ = g.add_node(n, "Company", n)
    >>> _ = g.add_edge("root", "sub", "OWNS", share=70); _ = g.add_edge("root", "minor", "OWNS", share=20)
    >>> group(g, "root")["id"].tolist()
    ['root', 'sub']
    >>> group(g, "root", rule="effective", threshold=10)["id"].tolist()
    ['root', 'sub', 'minor']
    """
    if rule not in RULES:
        raise CampaignGraphError(f"unknown rule {rule!r} (use control or effective)")
    if members not in MEMBERS:
        raise CampaignGraphError(f"unknown members option {members!r} (use all or known)")
    try:
        threshold = float(threshold)
    except (TypeError, ValueError):
        raise CampaignGraphError("threshold must be a percentage between 0 and 100") from None
    if not 0.0 <= threshold <= 100.0:
        raise CampaignGraphError("threshold must be a percentage between 0 and 100")
    _check_root(graph, company)
    idx = index if index is not None else OwnershipIndex(graph, as_of=as_of)
    stakes = idx.effective_stakes(company)
    lower = idx.uncertain_below(company)
    cm = control_members(idx, company)
    rows: list[dict[str, Any]] = []
    if rule == "control":
        chosen: list[tuple[str, _Why]] = list(cm.controlled.items()) + list(cm.joint.items())
        if members == "all":
            chosen += list(cm.possible.items())
        for node, why in chosen:
            rows.append(_row(graph, idx, cm, node, why.membership, stakes, lower, cm.paths, why))
    else:
        preds = _best_predecessors(idx, company, stakes)
        paths = _Paths(lambda n: None if n == company else preds.get(n))
        for node, stake in stakes.items():
            if stake + _EPS < threshold:
                continue
            why = cm.why(node)
            if node == company:
                reason = "the group's root"
            else:
                reason = f"effective stake {_pct(stake)} (sum over every ownership path)"
                if why is not None and why.membership != "possible":
                    reason += f"; {why.reason}"
            ev = [e for s in idx.inn.get(node, ()) if s.holder in stakes for e in s.edges]
            w = _Why(preds.get(node), reason, ev)
            rows.append(_row(graph, idx, cm, node, "root" if node == company else "effective", stakes, lower, paths, w))
    order = {"root": 0, "controlled": 1, "effective": 1, "joint": 2, "possible": 3}
    rows.sort(key=lambda r: (order[r["membership"]], r["depth"], -(r["stake_min"] or 0.0), r["name"].casefold(), r["id"]))
    df = pd.DataFrame(rows, columns=list(GROUP_COLUMNS))
    for c in ("effective_stake", "stake_min"):  # unknown is NaN (null in JSON, empty in CSV), never 0
        df[c] = df[c].astype("float64")
    df.attrs.update(company=company, rule=rule, threshold=threshold, as_of=idx.as_of, members=members)
    return df


def _row(
    graph: CampaignGraph,
    idx: OwnershipIndex,
    cm: GroupMembers,
    node: str,
    membership: str,
    stakes: Mapping[str, float],
    lower: set[str],
    paths: _Paths,
    why: _Why,
) -> dict[str, Any]:
    return {
        "id": node,
        "name": graph.name_of(node),
        "kind": graph.kind_of(node),
        **stake_columns(stakes.get(node, 0.0), node in lower),
        "controlled": cm.status(node),
        "membership": membership,
        "chain": paths.text(node),
        "reason": why.reason,
        "evidence": list(dict.fromkeys(why.edges)),
        "parent_id": paths.parent(node),
        "depth": paths.info(node)[0],
    }


def stake_columns(known: Any, lower: Any) -> dict[str, Any]:
    """``effective_stake``, ``stake_is_lower_bound`` and ``stake_min`` of one row, or of many.

    ``known`` is the stake summed over the paths whose shares are known; ``lower`` says that
    some path has a share that is not published. Then the stake is unknown: ``effective_stake``
    is ``None`` (never 0) and ``stake_min`` the known part when there is one (else ``None``).
    With every share known, ``effective_stake`` is the number and ``stake_min`` equals it, so
    ``stake_min`` is always the stake the data proves. Given numpy arrays (``known`` as floats
    with NaN for none, ``lower`` as bools) the three are numpy columns, NaN where a row's is ``None``.

    >>> stake_columns(48.0, False)
    {'effective_stake': 48.0, 'stake_is_lower_bound': False, 'stake_min': 48.0}
    >>> stake_columns(12.0, True)
    {'effective_stake': None, 'stake_is_lower_bound': True, 'stake_min': 12.0}
    >>> stake_columns(0.0, True)["stake_min"] is None
    True
    >>> stake_columns(np.array([48.0, 12.0, 0.0, np.nan]), np.array([False, True, True, False]))["stake_min"]
    array([48., 12., nan, nan])
    """
    k = np.asarray(np.nan if known is None else known, dtype=np.float64)  # no operator: nothing to say
    lo = np.asarray(lower, dtype=bool)
    effective = np.where(lo, np.nan, k)
    least = np.where(lo & ~(k > 0.0), np.nan, k)
    if k.ndim or lo.ndim:
        return {"effective_stake": effective, "stake_is_lower_bound": lo, "stake_min": least}
    return {"effective_stake": _number(effective), "stake_is_lower_bound": bool(lo), "stake_min": _number(least)}


def _number(x: np.ndarray) -> float | None:
    """A 0-d float array as a Python float, NaN as None."""
    v = float(x)
    return None if math.isnan(v) else v


def _best_predecessors(idx: OwnershipIndex, root: str, stakes: Mapping[str, float]) -> dict[str, str]:
    # The chain shown for an effective member is its heaviest path: each entity's holder
    # that passes it the largest part of the root's stake, walked breadth-first from the
    # root so the predecessors form a tree (no loops on cross-holdings).
    preds: dict[str, str] = {}
    best: dict[str, float] = {}
    seen = {root}
    queue = deque([root])
    while queue:
        h = queue.popleft()
        for s in idx.out.get(h, ()):
            v = s.target
            if v not in stakes or v == root:
                continue
            passed = stakes.get(h, 0.0) * s.equity / 100.0
            if v not in seen:
                seen.add(v)
                queue.append(v)
                preds[v], best[v] = h, passed
            elif passed > best[v] + _EPS and h != v and _not_below(preds, h, v):
                preds[v], best[v] = h, passed
    return preds


def _not_below(preds: Mapping[str, str], h: str, v: str) -> bool:
    """True unless ``v`` is an ancestor of ``h`` in the predecessor tree (that would loop)."""
    cur, seen = h, set()
    while cur in preds and cur not in seen:
        if cur == v:
            return False
        seen.add(cur)
        cur = preds[cur]
    return cur != v


def _chain_from_preds(preds: Mapping[str, str], root: str, node: str) -> list[str]:
    out, seen, cur = [node], {node}, node
    while cur != root and cur in preds and preds[cur] not in seen:
        cur = preds[cur]
        out.append(cur)
        seen.add(cur)
    return out[::-1]


@dataclass(frozen=True)
class UltimateParent:
    """The answer of :func:`ultimate_parent`: the parent's id, the chain up to it, and why."""

    id: str
    chain: list[str]
    explanation: str


def ultimate_parent(graph: CampaignGraph, entity: str, *, as_of: Any = None, index: OwnershipIndex | None = None) -> UltimateParent:
    """Follow the owner that controls ``entity`` upward until none is left.

    An entity with no controlling owner (widely held, a 50/50 joint venture, or owners whose
    shares are not published) is its own ultimate parent. ``chain`` runs from the entity up.

    Examples
    --------
    >>> from graphmodel.graph import CampaignGraph
    >>> g = CampaignGraph()
    >>> for n in ("a", "b", "jv"):
    ...     _ = g.add_node(n, "Company", n.upper())
    >>> _ = g.add_edge("a", "jv", "OWNS", share=50); _ = g.add_edge("b", "jv", "OWNS", share=50)
    >>> ultimate_parent(g, "jv").id
    'jv'
    """
    if not isinstance(entity, str) or not graph.has_node(entity):
        raise CampaignGraphError(f"no entity with id {entity!r} (look names up with graph.resolve)")
    idx = index if index is not None else OwnershipIndex(graph, as_of=as_of)
    chain = idx.chain_up(entity)
    steps = []
    for node in chain[:-1]:
        step = idx.controller(node)
        assert step is not None
        steps.append(step.reason)
    top = chain[-1]
    tail = _no_controller_text(idx, top)
    loop = idx.controller(top)
    if loop is not None:  # stopped because the next owner is already on the chain
        tail = f"{loop.reason}, which closes an ownership cycle: stopped at {graph.name_of(top)}"
    explanation = "; ".join(steps + [tail])
    return UltimateParent(top, chain, explanation)


def _no_controller_text(idx: OwnershipIndex, node: str) -> str:
    name = idx.name(node)
    holders = idx.inn.get(node, [])
    if not holders:
        reason = idx.graph.node(node).get("parent_unknown_reason")
        extra = f" (parent not reported: {reason})" if reason else ""
        return f"{name} has no owner on record{extra}: it is its own ultimate parent"
    known = [s for s in holders if s.exact]
    unknown = [s for s in holders if not s.exact]
    parts = [
        f"{idx.name(s.holder)} {_pct(s.low)}{_value_source_text(idx, s)}" + (" with joint control" if s.control == "joint" else "")
        for s in sorted(known, key=lambda s: -s.low)
    ]
    text = f"{name} has no controlling owner"
    if len(known) == 2 and all(abs(s.low - 50.0) <= 1e-6 for s in known):
        text += f" (a 50/50 joint venture of {idx.name(known[0].holder)} and {idx.name(known[1].holder)})"
    elif parts:
        text += f" (holders: {', '.join(parts)})"
    if unknown:
        text += "; shares not published for " + ", ".join(idx.name(s.holder) for s in unknown)
    return text + ": it is its own ultimate parent"


def ultimate_parents(index: OwnershipIndex, entities: Iterable[str]) -> dict[str, list[str]]:
    """Chains up from many entities at once, sharing one memo (for coverage over all sites)."""
    return {e: index.chain_up(e) for e in entities}


@dataclass(frozen=True)
class SiteOperatorParent:
    """One operator of a site and that operator's ultimate parent (see :func:`site_parents`).

    ``counted``: coverage places the site in this operator's group (the operator with the
    largest share, ties by id: :func:`queries.coverage.site_coverage`'s ``operator_id``).
    ``parent.chain`` runs from the operator up; ``share`` is the OPERATES edge's, ``None``
    when not recorded.
    """

    operator: str
    share: float | None
    counted: bool
    parent: UltimateParent


def site_parents(graph: CampaignGraph, site: str, *, as_of: Any = None) -> list[SiteOperatorParent]:
    """The ultimate parent of each operator of ``site`` (OPERATES edges in force at ``as_of``),
    the operator coverage places the site under first, the others by share (largest first)
    then id. Empty when no operator is on record: the site's owner is unknown.

    The chains are :func:`ultimate_parent`'s and the operator that counts is coverage's own
    choice (read from :func:`queries.coverage.site_coverage`, so there is one rule for where a
    site belongs).

    Examples
    --------
    >>> from graphmodel.graph import CampaignGraph
    >>> g = CampaignGraph()
    >>> for n in ("top", "op", "other"):
    ...     _ = g.add_node(n, "Company", n.title())
    >>> _ = g.add_node("s", "Site", "Pit")
    >>> _ = g.add_edge("top", "op", "OWNS", share=80)
    >>> _ = g.add_edge("op", "s", "OPERATES", share=60); _ = g.add_edge("other", "s", "OPERATES", share=40)
    >>> [(p.operator, p.counted, p.parent.id) for p in site_parents(g, "s", as_of="2024-01-01")]
    [('op', True, 'top'), ('other', False, 'other')]
    """
    # coverage builds on this module: imported here, when a site is asked about
    from queries.coverage import site_coverage

    if not isinstance(site, str) or not graph.has_node(site):
        raise CampaignGraphError(f"no site with id {site!r} (look names up with graph.resolve)")
    if graph.kind_of(site) != "Site":
        raise CampaignGraphError(f"{site!r} is a {graph.kind_of(site)}, not a Site (ultimate_parent answers for owners)")
    day = normalise_as_of(as_of)
    shares: dict[str, float | None] = {}
    for _e, op, _s, attrs in edges_at(graph, site, "OPERATES", day, outgoing=False):
        share = attrs.get("share")
        share = None if share is None or (isinstance(share, float) and math.isnan(share)) else float(share)
        # one operator with several edges: its largest recorded share
        if op not in shares or (share is not None and (shares[op] is None or share > shares[op])):  # type: ignore[operator]
            shares[op] = share
    if not shares:
        return []
    counted = site_coverage(graph, site, as_of=day)["operator_id"].iloc[0]
    idx = OwnershipIndex(graph, as_of=day)
    order = sorted(shares, key=lambda op: (op != counted, -(shares[op] if shares[op] is not None else -1.0), op))
    return [SiteOperatorParent(op, shares[op], op == counted, ultimate_parent(graph, op, index=idx)) for op in order]
