"""``connections`` as it was before the speed work (commit 3328d7b), kept verbatim as the
reference for the differential tests in ``test_connections_fast.py``: the walk reads
networkx's edge views of ``graph.nx`` and checks banned node pairs with a frozenset per link.
Not used by the tool.
"""
# ruff: noqa

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from graphmodel import schema
from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.values import in_force, normalise_as_of
from queries.connections import _KIND_RANK, DEFAULT_PATH_KINDS, PATH_COLUMNS, hop_text


class _Walk:
    """An undirected, time-filtered, kind-filtered reading of the graph, walked lazily.

    The walk never copies the graph: a query on a million edges only touches the
    neighbourhoods it explores, each read once (memoised for the query).
    """

    def __init__(self, graph: CampaignGraph, kinds: frozenset[str], day: str) -> None:
        self.graph, self.kinds, self.day = graph, kinds, day
        self._memo: dict[str, dict[str, str]] = {}

    def neighbours(self, n: str) -> dict[str, str]:
        """neighbour -> the edge id that explains the hop (lowest kind rank, then id), in id order."""
        hit = self._memo.get(n)
        if hit is not None:
            return hit
        g, kinds, day = self.graph.nx, self.kinds, self.day
        best: dict[str, tuple[int, str]] = {}
        for it in (g.out_edges(n, keys=True, data=True), g.in_edges(n, keys=True, data=True)):
            for u, v, k, a in it:
                if a["kind"] not in kinds or not in_force(a.get("valid_from"), a.get("valid_to"), day):
                    continue
                other = v if u == n else u
                key = (_KIND_RANK.get(a["kind"], 99), k)
                if other not in best or key < best[other]:
                    best[other] = key
        out = {o: best[o][1] for o in sorted(best)}
        self._memo[n] = out
        return out

    def shortest_path(
        self,
        a: str,
        b: str,
        limit: int,
        banned_nodes: frozenset[str] | set[str] = frozenset(),
        banned_pairs: frozenset[frozenset[str]] | set[frozenset[str]] = frozenset(),
    ) -> list[str] | None:
        """A shortest path from ``a`` to ``b`` of at most ``limit`` hops avoiding the banned
        nodes and node pairs, by bidirectional breadth-first search; None when there is none.

        Each round expands the whole level of the smaller frontier, so the first level
        where the searches meet gives a shortest path; ties go to the lowest node ids.
        """
        if a == b:
            return [a]
        pred: dict[str, str | None] = {a: None}
        succ: dict[str, str | None] = {b: None}
        dist_a, dist_b = {a: 0}, {b: 0}
        front_a, front_b = [a], [b]
        depth_a = depth_b = 0
        while front_a and front_b and depth_a + depth_b < limit:
            forward = len(front_a) <= len(front_b)
            if forward:
                front, links, dist, other = front_a, pred, dist_a, dist_b
            else:
                front, links, dist, other = front_b, succ, dist_b, dist_a
            nxt: list[str] = []
            meets: list[tuple[int, str]] = []
            for n in front:
                for o in self.neighbours(n):
                    if o in banned_nodes or (banned_pairs and frozenset((n, o)) in banned_pairs):
                        continue
                    if o not in dist:
                        dist[o] = dist[n] + 1
                        links[o] = n
                        nxt.append(o)
                    if o in other:
                        meets.append((dist[o] + other[o], o))
            if forward:
                front_a, depth_a = nxt, depth_a + 1
            else:
                front_b, depth_b = nxt, depth_b + 1
            if meets:
                # the whole level is expanded, so the best meeting point gives a shortest path
                _, meet = min(meets)
                left: list[str] = []
                x: str | None = meet
                while x is not None:
                    left.append(x)
                    x = pred.get(x)
                left.reverse()
                x = succ.get(meet)
                while x is not None:
                    left.append(x)
                    x = succ.get(x)
                return left
        return None


def _resolve(graph: CampaignGraph, text: str, kind: str | None = None) -> str:
    return graph.resolve(text, kind)  # the live module's id-first resolution (CampaignGraph.resolve)


def _k_shortest(walk: _Walk, src: str, dst: str, k: int, max_hops: int) -> list[list[str]]:
    """Yen's k shortest simple paths over the lazy walk (hand-written because networkx's
    ``shortest_simple_paths`` needs a materialised simple graph, and building one from a
    million edges costs far more than the search itself)."""
    first = walk.shortest_path(src, dst, max_hops)
    if first is None:
        return []
    found = [first]
    seen = {tuple(first)}
    candidates: list[tuple[int, tuple[str, ...], list[str]]] = []
    import heapq

    while len(found) < k:
        prev = found[-1]
        for i in range(len(prev) - 1):
            spur, root = prev[i], prev[: i + 1]
            banned_pairs = {frozenset((p[i], p[i + 1])) for p in found if len(p) > i + 1 and p[: i + 1] == root}
            banned_nodes = set(root[:-1])
            tail = walk.shortest_path(spur, dst, max_hops - i, banned_nodes, banned_pairs)
            if tail is None:
                continue
            path = root[:-1] + tail
            key = tuple(path)
            if key not in seen and len(path) - 1 <= max_hops:
                seen.add(key)
                heapq.heappush(candidates, (len(path), key, path))
        if not candidates:
            break
        found.append(heapq.heappop(candidates)[2])
    return found


def connections(
    graph: CampaignGraph,
    a: str,
    b: str,
    *,
    max_hops: int = 6,
    k: int = 3,
    kinds: Iterable[str] | None = None,
    as_of: Any = None,
) -> pd.DataFrame:
    """The ``k`` shortest paths between ``a`` and ``b``, every hop explained.

    The walk is undirected (an OWNS edge links owner and owned both ways) over the edge
    ``kinds`` (default :data:`DEFAULT_PATH_KINDS`) that are valid at ``as_of`` (default
    today); two nodes joined by several edges count as one hop. Paths longer than
    ``max_hops`` are not reported. Paths are ordered by length, then by their node names.

    Parameters
    ----------
    a, b
        Node ids or names (alias-aware; an ambiguous name raises, listing the candidates).

    Returns
    -------
    DataFrame with ``rank, hops, path`` (ids joined by `` > ``), ``explanation`` (one
    sentence per hop, joined by ``; ``), ``path_names``, ``nodes`` (list of ids) and
    ``evidence`` (list of edge ids).

    Examples
    --------
    >>> g = CampaignGraph()
    >>> for i, kind, name in [("u", "Union", "USW"), ("x", "Site", "Site X"), ("y", "Company", "Y Corp")]:
    ...     _ = g.add_node(i, kind, name)
    >>> _ = g.add_edge("u", "x", "REPRESENTS"); _ = g.add_edge("y", "x", "OPERATES")
    >>> connections(g, "USW", "Y Corp").loc[0, "explanation"]
    'USW REPRESENTS Site X; Site X is OPERATED BY Y Corp'
    """
    if max_hops < 1:
        raise CampaignGraphError("max_hops must be at least 1")
    if k < 1:
        raise CampaignGraphError("k must be at least 1")
    src, dst = _resolve(graph, a), _resolve(graph, b)
    if src == dst:
        raise CampaignGraphError(f"{a!r} and {b!r} are the same node ({src})")
    if kinds is None:
        kind_set = frozenset(DEFAULT_PATH_KINDS)
    else:
        wanted = [kinds] if isinstance(kinds, str) else list(kinds)
        kind_set = frozenset()
        for kd in wanted:
            c = schema.canonical_edge_kind(kd)
            if c is None:
                raise CampaignGraphError(f"unknown edge kind {kd!r} (known: {', '.join(schema.EDGE_KINDS)})")
            kind_set |= {c}
    walk = _Walk(graph, kind_set, normalise_as_of(as_of))
    paths = _k_shortest(walk, src, dst, k, max_hops)
    paths.sort(key=lambda p: (len(p), tuple(graph.name_of(n).casefold() for n in p), tuple(p)))
    rows = []
    for rank, p in enumerate(paths, start=1):
        eids = [walk.neighbours(p[i])[p[i + 1]] for i in range(len(p) - 1)]
        rows.append(
            {
                "rank": rank,
                "hops": len(p) - 1,
                "path": " > ".join(p),
                "explanation": "; ".join(hop_text(graph, p[i], p[i + 1], eids[i]) for i in range(len(p) - 1)),
                "path_names": " > ".join(graph.name_of(n) for n in p),
                "nodes": list(p),
                "evidence": eids,
            }
        )
    return pd.DataFrame(rows, columns=PATH_COLUMNS)


