"""How two entities are connected, and which unions can reach each other.

``connections`` finds the k shortest paths between two nodes over an undirected reading
of the graph and explains every hop in words with its real direction ("USW REPRESENTS
Site X; Site X is OPERATED BY Y; Y is 100% OWNED BY Z"). ``solidarity`` lists the unions
a union can reach through the same company group, the same supply chain, a union network
(directly or through its federation), a federation, or an agreement signed together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pandas as pd

from graphmodel import schema
from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.values import in_force, normalise_as_of

#: edge kinds a path may use by default: every kind except LOCATED_IN (a country links
#: everything in it, which explains nothing) and HOLDS_ROLE (people are sensitive: ask
#: for them explicitly with ``kinds=``).
DEFAULT_PATH_KINDS: tuple[str, ...] = tuple(k for k in schema.EDGE_KINDS if k not in ("LOCATED_IN", "HOLDS_ROLE"))

#: edge kind -> (phrase read from source to target, phrase read from target to source)
_PHRASES: dict[str, tuple[str, str]] = {
    "OWNS": ("OWNS", "is OWNED BY"),
    "OPERATES": ("OPERATES", "is OPERATED BY"),
    "SUPPLIES": ("SUPPLIES", "is SUPPLIED BY"),
    "REPRESENTS": ("REPRESENTS", "is REPRESENTED BY"),
    "AFFILIATED_TO": ("is AFFILIATED TO", "has as AFFILIATE"),
    "MEMBER_OF": ("is MEMBER OF", "has as MEMBER"),
    "PARTY_TO": ("is PARTY TO", "has as PARTY"),
    "COVERS": ("COVERS", "is COVERED BY"),
    "LOCATED_IN": ("is LOCATED IN", "is the LOCATION OF"),
    "CERTIFIED_BY": ("is CERTIFIED BY", "CERTIFIES"),
    "MEMBER_OF_INITIATIVE": ("is MEMBER OF INITIATIVE", "has as MEMBER"),
    "TARGETS": ("TARGETS", "is TARGETED BY"),
    "SUPPORTS": ("SUPPORTS", "is SUPPORTED BY"),
    "INVOLVES": ("INVOLVES", "is INVOLVED IN"),
    "HOLDS_ROLE": ("HOLDS A ROLE AT", "has as ROLE HOLDER"),
    "RENAMED_TO": ("was RENAMED TO", "was RENAMED FROM"),
}

#: when two nodes are joined by several edges, the hop is explained by the first kind here
_KIND_RANK: dict[str, int] = {k: i for i, k in enumerate(_PHRASES)}

PATH_COLUMNS = ["rank", "hops", "path", "explanation", "path_names", "nodes", "evidence"]
SOLIDARITY_COLUMNS = ["union_id", "union", "relation", "explanation", "via", "evidence"]


def _fmt_pct(x: float) -> str:
    return f"{x:g}%"


def hop_text(graph: CampaignGraph, frm: str, to: str, eid: str) -> str:
    """One hop in words, read from ``frm`` to ``to`` along edge ``eid`` (either direction).

    Examples
    --------
    >>> g = CampaignGraph()
    >>> _ = g.add_node("z", "Company", "Zeta Holdings"); _ = g.add_node("y", "Company", "Ypsilon Steel")
    >>> e = g.add_edge("z", "y", "OWNS", share=100)
    >>> hop_text(g, "y", "z", e)
    'Ypsilon Steel is 100% OWNED BY Zeta Holdings'
    >>> hop_text(g, "z", "y", e)
    'Zeta Holdings OWNS 100% OF Ypsilon Steel'
    """
    u, _v, a = graph.edge(eid)
    return _hop_text(graph, frm, to, u, a)


#: the edge properties :func:`hop_text` reads
_HOP_COLUMNS = frozenset(("kind", "share", "voting", "control", "recognised", "commodity"))


def _hop_text(graph: CampaignGraph, frm: str, to: str, u: str, a: Mapping[str, Any]) -> str:
    """:func:`hop_text` of an edge from ``u`` with attributes ``a``."""
    kind = a["kind"]
    forward = frm == u
    a_name, b_name = graph.name_of(frm), graph.name_of(to)
    if kind == "OWNS":
        pct = a.get("voting") if a.get("share") is None else a.get("share")
        control = a.get("control")
        if pct is not None:
            text = (
                f"{a_name} OWNS {_fmt_pct(pct)} OF {b_name}" if forward else f"{a_name} is {_fmt_pct(pct)} OWNED BY {b_name}"
            )
        else:
            text = f"{a_name} OWNS {b_name}" if forward else f"{a_name} is OWNED BY {b_name}"
            text += " (share not published)" if control not in ("yes", "joint") else ""
        if control == "joint":
            text += " (joint control)"
        elif control == "yes" and pct is None:
            text += " (controlling)"
        return text
    active, passive = _PHRASES.get(kind, (kind.replace("_", " "), f"is {kind.replace('_', ' ')} of"))
    text = f"{a_name} {active if forward else passive} {b_name}"
    if kind == "REPRESENTS" and a.get("recognised") is True:
        text += " (recognised)"
    if kind == "SUPPLIES" and a.get("commodity"):
        text += f" ({a['commodity']})"
    return text


class _Walk:
    """An undirected, time-filtered, kind-filtered reading of the graph, walked lazily.

    The walk never copies the graph: a query on a million edges only touches the
    neighbourhoods it explores, each read once (memoised for the query).
    """

    def __init__(self, graph: CampaignGraph, kinds: frozenset[str], day: str) -> None:
        self.graph, self.kinds, self.day = graph, kinds, day
        self._memo: dict[str, dict[str, Any]] = {}
        # a columnar graph: its CSR arrays (graph.adjacency()); else the read methods
        self.adj = graph.adjacency()
        if self.adj is not None:
            import numpy as np

            c = self.adj
            self._ok = c.walkable(day, kinds)
            self._rank = np.asarray([_KIND_RANK.get(k, 99) for k in c.ekind_names], dtype=np.int64)

    def _links(self, n: str) -> list[tuple[str, str, Mapping[str, Any]]]:
        """``(other end, edge id, attrs)`` of every edge at ``n``: out-edges, then in-edges."""
        g = self.graph
        return [(v, k, a) for k, _u, v, a in g.out_edges(n)] + [(u, k, a) for k, u, _v, a in g.in_edges(n)]

    def _best_columnar(self, n: str) -> dict[str, int]:
        """neighbour -> row of the edge explaining the hop (lowest kind rank, then id), from the
        numpy arrays. Edge ids are read only to break a tie between parallel edges of one rank
        (the list of every edge id costs a second at a million edges)."""
        c = self.adj
        assert c is not None
        r = c.row.get(n)
        if r is None:
            return {}
        rows, others = c.links(r, self._ok)
        ranks = self._rank[c.ekind_codes[rows]]
        ids = c.ids
        best: dict[str, tuple[int, int]] = {}
        for o, rank, e in zip(others.tolist(), ranks.tolist(), rows.tolist()):
            other = ids[o]
            old = best.get(other)
            if old is None or rank < old[0] or (rank == old[0] and self._eid(e) < self._eid(old[1])):
                best[other] = (rank, e)
        return {o: v[1] for o, v in best.items()}

    def _eid(self, row: int) -> str:
        assert self.adj is not None
        return self.adj.edge_ids_at([row])[0]

    def neighbours(self, n: str) -> dict[str, Any]:
        """neighbour -> the edge id that explains the hop (lowest kind rank, then id), in id order
        (on a columnar graph, that edge's row)."""
        hit = self._memo.get(n)
        if hit is not None:
            return hit
        kinds, day = self.kinds, self.day
        best: dict[str, tuple[int, str]] = {}
        if self.adj is not None:
            # a columnar graph: the values are edge rows (ids are read for the final paths only)
            best_rows = self._best_columnar(n)
            out: dict[str, Any] = {o: best_rows[o] for o in sorted(best_rows)}
            self._memo[n] = out
            return out
        for other, k, a in self._links(n):
            kind = a["kind"]
            if kind not in kinds:
                continue
            vf, vt = a.get("valid_from"), a.get("valid_to")
            if (vf is not None or vt is not None) and not in_force(vf, vt, day):
                continue
            key = (_KIND_RANK.get(kind, 99), k)
            old = best.get(other)
            if old is None or key < old:
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
        # banned pairs as node -> banned neighbours: one set lookup per link instead of a frozenset
        banned_at: dict[str, set[str]] = {}
        for pair in banned_pairs:
            x, *rest = tuple(pair)
            y = rest[0] if rest else x
            banned_at.setdefault(x, set()).add(y)
            banned_at.setdefault(y, set()).add(x)
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
                no_go = banned_at.get(n, ()) if banned_at else ()
                for o in self.neighbours(n):
                    if o in banned_nodes or o in no_go:
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
    src, dst = graph.resolve(a), graph.resolve(b)
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
    path_eids = [[walk.neighbours(p[i])[p[i + 1]] for i in range(len(p) - 1)] for p in paths]
    wanted = list(dict.fromkeys(e for eids in path_eids for e in eids))
    if walk.adj is not None:
        # a columnar graph: the hops are edge rows; read just these edges (graph.edge would
        # build every edge of their kinds)
        import numpy as np

        ids = walk.adj.edge_ids_at(wanted)
        hops = walk.adj.edges_at(np.asarray(wanted, dtype=np.int64), _HOP_COLUMNS)
        edge_of: dict[Any, tuple[str, Mapping[str, Any]]] = {e: (u, a) for e, (u, _v, a) in zip(wanted, hops)}
        id_of = dict(zip(wanted, ids))
        path_eids_text = [[id_of[e] for e in eids] for eids in path_eids]
    else:
        edge_of = {e: (graph.edge(e)[0], graph.edge(e)[2]) for e in wanted}
        path_eids_text = path_eids
    rows = []
    for rank, (p, eids, eid_texts) in enumerate(zip(paths, path_eids, path_eids_text), start=1):
        rows.append(
            {
                "rank": rank,
                "hops": len(p) - 1,
                "path": " > ".join(p),
                "explanation": "; ".join(_hop_text(graph, p[i], p[i + 1], *edge_of[eids[i]]) for i in range(len(p) - 1)),
                "path_names": " > ".join(graph.name_of(n) for n in p),
                "nodes": list(p),
                "evidence": eid_texts,
            }
        )
    return pd.DataFrame(rows, columns=PATH_COLUMNS)


# ---------------------------------------------------------------------------------- solidarity


def _operators(graph: CampaignGraph, site: str, day: str) -> list[tuple[str, str]]:
    return sorted((u, eid) for eid, u, _v, _a in graph.in_edges(site, "OPERATES", as_of=day))


def _workplaces(graph: CampaignGraph, union: str, day: str) -> list[tuple[str, str]]:
    """(site or company, REPRESENTS edge id) the union represents at ``day``."""
    return sorted((v, eid) for eid, _u, v, _a in graph.out_edges(union, "REPRESENTS", as_of=day))


def _unions_at(graph: CampaignGraph, node: str, day: str) -> list[tuple[str, str]]:
    return sorted((u, eid) for eid, u, _v, _a in graph.in_edges(node, "REPRESENTS", as_of=day))


#: the relations :func:`solidarity` reports, in the order its rows come
SOLIDARITY_RELATIONS = ("group", "supply_chain", "network", "federation", "co_signed")

#: which co-signed agreement is named first, by its status at ``as_of`` (``not_yet`` does not count)
_STATE_RANK = {"in_force": 0, "possibly_in_force": 1, "expired": 2}

_Add = Callable[[str, str, str, list[str], list[str]], None]


def _affiliations(graph: CampaignGraph, union: str, day: str) -> list[tuple[str, str]]:
    """(federation, AFFILIATED_TO edge id) for each union ``union`` is affiliated to at ``day``."""
    return sorted((v, eid) for eid, _u, v, _a in graph.out_edges(union, "AFFILIATED_TO", as_of=day) if v != union)


def _affiliates(graph: CampaignGraph, federation: str, day: str) -> list[tuple[str, str]]:
    """(union, AFFILIATED_TO edge id) for each union affiliated to ``federation`` at ``day``."""
    return sorted((u, eid) for eid, u, _v, _a in graph.in_edges(federation, "AFFILIATED_TO", as_of=day)
                  if u != federation)


def _network_ways(graph: CampaignGraph, union: str, day: str) -> dict[str, list[tuple[str | None, list[str]]]]:
    """network -> the ways ``union`` is in it at ``day``: ``(None, [its MEMBER_OF edge])`` as a
    member, ``(federation, [its AFFILIATED_TO edge, the federation's MEMBER_OF edge])`` through a
    federation it is affiliated to that is a member."""
    ways: dict[str, list[tuple[str | None, list[str]]]] = {}
    for eid, _u, net, _a in graph.out_edges(union, "MEMBER_OF", as_of=day):
        ways.setdefault(net, []).append((None, [eid]))
    for fed, aff in _affiliations(graph, union, day):
        for eid, _u, net, _a in graph.out_edges(fed, "MEMBER_OF", as_of=day):
            ways.setdefault(net, []).append((fed, [aff, eid]))
    return ways


def _best(found: dict[str, tuple[Any, tuple[str, list[str], list[str]]]], other: str, key: Any,
          row: tuple[str, list[str], list[str]]) -> None:
    """Keep for ``other`` the candidate ``(explanation, via, evidence)`` with the smallest ``key``."""
    old = found.get(other)
    if old is None or key < old[0]:
        found[other] = (key, row)


def _way_text(graph: CampaignGraph, federation: str | None) -> str:
    """How a union is in a network: ``a member``, or ``affiliated to F, a member``."""
    return "a member" if federation is None else f"affiliated to {graph.name_of(federation)}, a member"


def _networks(graph: CampaignGraph, me: str, day: str, add: _Add) -> None:
    """``network``: unions in a UnionNetwork that ``me`` is in, each as a member or through a
    federation it is affiliated to that is a member (either side). Of several ways to one union,
    the one of fewest edges, then of the smallest edge ids, is explained."""
    my_name = graph.name_of(me)
    found: dict[str, tuple[Any, tuple[str, list[str], list[str]]]] = {}
    for net, my_ways in _network_ways(graph, me, day).items():
        theirs: list[tuple[str, str | None, list[str]]] = []  # (union, its federation, edges from it to net)
        for eid, member, _v, _a in graph.in_edges(net, "MEMBER_OF", as_of=day):
            theirs.append((member, None, [eid]))
            theirs += [(other, member, [aff, eid]) for other, aff in _affiliates(graph, member, day)]
        for other, their_fed, their_ev in theirs:
            if other == me:
                continue
            for my_fed, my_ev in my_ways:
                if other == my_fed or their_fed == me:
                    continue  # my own federation or affiliate: the federation relation names it
                # the key keeps the answer of the member-to-member case as it always was:
                # the smallest of my MEMBER_OF edge ids, then of theirs
                key = (len(their_ev) + len(my_ev), tuple(my_ev), tuple(their_ev))
                if other in found and found[other][0] <= key:
                    continue
                net_name, other_name = graph.name_of(net), graph.name_of(other)
                if my_fed is None and their_fed is None:
                    text = f"{other_name} and {my_name} are both members of {net_name}"
                elif my_fed == their_fed:
                    text = (f"{other_name} and {my_name} are both affiliated to {graph.name_of(my_fed)}, "
                            f"a member of {net_name}")
                else:
                    text = (f"{other_name} ({_way_text(graph, their_fed)}) and {my_name} "
                            f"({_way_text(graph, my_fed)}) are both in {net_name}")
                via = list(dict.fromkeys(n for n in (their_fed, net, my_fed) if n is not None))
                # through one federation both ways share its MEMBER_OF edge: listed once
                _best(found, other, key, (text, via, list(dict.fromkeys(their_ev + my_ev[::-1]))))
    for other, (_key, (text, via, evidence)) in found.items():
        add(other, "network", text, via, evidence)


def _federations(graph: CampaignGraph, me: str, day: str, add: _Add) -> None:
    """``federation``: the federations ``me`` is AFFILIATED_TO, the unions affiliated to ``me``,
    and its sister unions (affiliated to a federation ``me`` is affiliated to)."""
    my_name = graph.name_of(me)
    found: dict[str, tuple[Any, tuple[str, list[str], list[str]]]] = {}
    mine = _affiliations(graph, me, day)
    for fed, aff in mine:
        _best(found, fed, (1, 0, (aff,)), (f"{graph.name_of(fed)} is a federation {my_name} is affiliated to", [], [aff]))
    for other, aff in _affiliates(graph, me, day):
        _best(found, other, (1, 1, (aff,)), (f"{graph.name_of(other)} is affiliated to {my_name}", [], [aff]))
    for fed, aff in mine:
        for other, aff2 in _affiliates(graph, fed, day):
            if other == me:
                continue
            text = f"{graph.name_of(other)} and {my_name} are both affiliated to {graph.name_of(fed)}"
            _best(found, other, (2, 2, (aff2, aff)), (text, [fed], [aff2, aff]))
    for other, (_key, (text, via, evidence)) in found.items():
        add(other, "federation", text, via, evidence)


def _agreement_words(attrs: Mapping[str, Any], status: Any) -> str:
    """``"health & safety agreement, expired on 2020-12-31"``: an agreement's type and status."""
    from queries._frames import AGREEMENT_WORDS

    what = AGREEMENT_WORDS.get(attrs.get("agreement_type") or "other", "agreement")
    if status.state == "in_force":
        return f"{what}, in force"
    if status.state == "possibly_in_force":
        return f"{what}, possibly in force: its last known period ended on {attrs.get('expires')}"
    return f"{what}, expired on {attrs.get('expires')}"


def _co_signed(graph: CampaignGraph, me: str, day: str, add: _Add) -> None:
    """``co_signed``: unions PARTY_TO an agreement that ``me``, or a federation ``me`` is
    affiliated to, is PARTY_TO. An agreement signed after ``day`` does not count; an expired one
    does, and the explanation says so. Of several agreements, one in force is named first, then
    one possibly in force, then an expired one; then the fewest edges, then the agreement's name."""
    from queries._frames import agreement_status_of

    my_name = graph.name_of(me)
    mine: list[tuple[str, str | None, list[str]]] = []  # (agreement, federation or None, edges from it to me)
    mine += [(a, None, [eid]) for eid, _u, a, _x in graph.out_edges(me, "PARTY_TO", as_of=day)]
    for fed, aff in _affiliations(graph, me, day):
        mine += [(a, fed, [eid, aff]) for eid, _u, a, _x in graph.out_edges(fed, "PARTY_TO", as_of=day)]
    found: dict[str, tuple[Any, tuple[str, list[str], list[str]]]] = {}
    for agreement, fed, my_ev in mine:
        attrs = graph.node(agreement)
        status = agreement_status_of(attrs, agreement, day)
        if status.state not in _STATE_RANK:
            continue  # signed after the day asked about: nothing was co-signed yet
        a_name, words = graph.name_of(agreement), _agreement_words(attrs, status)
        for eid, other, _v, _x in graph.in_edges(agreement, "PARTY_TO", as_of=day):
            if other in (me, fed) or graph.kind_of(other) != "Union":
                continue
            key = (_STATE_RANK[status.state], len(my_ev), a_name.casefold(), agreement, tuple(my_ev), eid)
            if other in found and found[other][0] <= key:
                continue
            if fed is None:
                text = f"{graph.name_of(other)} and {my_name} both signed {a_name} ({words})"
            else:
                text = (f"{graph.name_of(other)} signed {a_name}, as did {graph.name_of(fed)}, "
                        f"to which {my_name} is affiliated ({words})")
            _best(found, other, key, (text, [agreement] + ([fed] if fed else []), [eid] + my_ev))
    for other, (_key, (text, via, evidence)) in found.items():
        add(other, "co_signed", text, via, evidence)


def solidarity(graph: CampaignGraph, union: str, *, as_of: Any = None) -> pd.DataFrame:
    """Unions that ``union`` can reach through the ways unions meet: the same company group or
    supply chain, a union network, a federation, an agreement signed together.

    * ``group``: a union representing a site (or company) whose operator has the same
      ultimate parent (as :func:`queries.ownership.ultimate_parent` defines it) as the
      operator of a workplace ``union`` represents;
    * ``supply_chain``: a union representing a site or company that SUPPLIES, or is
      supplied by, a workplace of ``union`` or that workplace's operator;
    * ``network``: a union in the same UnionNetwork, each side either MEMBER_OF it or
      AFFILIATED_TO a federation that is (a union's own federation or affiliate is left to
      ``federation``);
    * ``federation``: a federation ``union`` is AFFILIATED_TO, a union affiliated to
      ``union``, and a sister union affiliated to the same federation;
    * ``co_signed``: a union PARTY_TO an agreement (CBA, GFA, H&S, ...) that ``union`` or a
      federation it is affiliated to is PARTY_TO. An agreement signed after ``as_of`` does
      not count; an expired one does, and the explanation says so.

    Only edges in force at ``as_of`` count. One row per (union, relation), with a one-line
    explanation in names, the nodes it goes ``via`` and the edge ids as ``evidence`` (both
    from the other union towards ``union``). Of several ways to one union in one relation,
    the shortest is explained (for ``co_signed``, an agreement in force first). Rows are
    ordered by relation (as in :data:`SOLIDARITY_RELATIONS`), then name.

    Examples
    --------
    >>> g = CampaignGraph()
    >>> for i, kd, nm in [("u1", "Union", "Union One"), ("u2", "Union", "Union Two"),
    ...                   ("s1", "Site", "Site A"), ("s2", "Site", "Site B")]:
    ...     _ = g.add_node(i, kd, nm)
    >>> _ = g.add_edge("u1", "s1", "REPRESENTS"); _ = g.add_edge("u2", "s2", "REPRESENTS")
    >>> _ = g.add_edge("s1", "s2", "SUPPLIES")
    >>> solidarity(g, "Union One").loc[0, "explanation"]
    'Union Two represents Site B, which is supplied by Site A, where Union One represents workers'
    """
    day = normalise_as_of(as_of)
    me = graph.resolve(union, "Union")
    rows: dict[tuple[str, str], dict[str, Any]] = {}

    def add(other: str, relation: str, explanation: str, via: list[str], evidence: list[str]) -> None:
        if other == me or (other, relation) in rows:
            return
        rows[(other, relation)] = {
            "union_id": other,
            "union": graph.name_of(other),
            "relation": relation,
            "explanation": explanation,
            "via": via,
            "evidence": evidence,
        }

    from queries.ownership import OwnershipIndex, group, ultimate_parent

    index = OwnershipIndex(graph, as_of=day)  # one pass over OWNS for every chain asked below
    my_name = graph.name_of(me)
    places = _workplaces(graph, me, day)

    # --- group: sites of companies with the same ultimate parent
    parents: dict[str, tuple[str, str, list[str]]] = {}  # ultimate parent -> (my workplace, its edge, evidence)
    for place, rep in places:
        ops = [(place, "")] if graph.kind_of(place) == "Company" else _operators(graph, place, day)
        for op, op_edge in ops:
            root = ultimate_parent(graph, op, as_of=day, index=index).id
            parents.setdefault(root, (place, rep, [e for e in (rep, op_edge) if e]))
    if parents:
        for root, (place, _rep, ev) in sorted(parents.items()):
            members = group(graph, root, as_of=day, members="known", index=index)
            for comp, comp_kind in zip(members["id"], members["kind"]):
                if comp_kind != "Company":
                    continue
                targets = [(comp, "")] + sorted(
                    (v, eid) for eid, _u, v, _a in graph.out_edges(comp, "OPERATES", as_of=day)
                )
                for workplace, op_edge in targets:
                    for other, rep2 in _unions_at(graph, workplace, day):
                        if other == me:
                            continue
                        where = graph.name_of(workplace)
                        if op_edge and comp != root:
                            where += f", operated by {graph.name_of(comp)}"
                        explanation = (
                            f"{graph.name_of(other)} represents {where}, in the {graph.name_of(root)} group, "
                            f"like {graph.name_of(place)}, where {my_name} represents workers"
                        )
                        add(other, "group", explanation, [workplace, comp, root, place],
                            [rep2] + ([op_edge] if op_edge else []) + ev)

    # --- supply chain: one SUPPLIES hop from a workplace or its operator
    for place, rep in places:
        anchors = [(place, rep, "")]
        if graph.kind_of(place) == "Site":
            anchors += [(op, rep, op_edge) for op, op_edge in _operators(graph, place, day)]
        for anchor, rep_e, op_edge in anchors:
            partners = [(v, eid, "supplies") for eid, _u, v, _a in graph.out_edges(anchor, "SUPPLIES", as_of=day)]
            partners += [(u, eid, "is supplied by") for eid, u, _v, _a in graph.in_edges(anchor, "SUPPLIES", as_of=day)]
            for partner, s_edge, verb in sorted(partners):
                # the partner's verb is read from the partner's side
                their = "is supplied by" if verb == "supplies" else "supplies"
                for other, rep2 in _unions_at(graph, partner, day):
                    anchor_text = graph.name_of(anchor)
                    if anchor != place:
                        anchor_text += f", operator of {graph.name_of(place)}"
                    explanation = (
                        f"{graph.name_of(other)} represents {graph.name_of(partner)}, which {their} "
                        f"{anchor_text}, where {my_name} represents workers"
                    )
                    add(other, "supply_chain", explanation, [partner, anchor],
                        [rep2, s_edge, rep_e] + ([op_edge] if op_edge else []))

    _networks(graph, me, day, add)
    _federations(graph, me, day, add)
    _co_signed(graph, me, day, add)

    order = {r: i for i, r in enumerate(SOLIDARITY_RELATIONS)}
    out = sorted(rows.values(), key=lambda r: (order[r["relation"]], r["union"].casefold(), r["union_id"]))
    return pd.DataFrame(out, columns=SOLIDARITY_COLUMNS)
