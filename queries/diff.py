"""What changed between two snapshots: "what changed since the last briefing".

``diff(a, b)`` compares two graphs node by node, edge by edge (by their stable ids) and
source by source, property by property; ``diff_summary`` turns the rows into one short
sentence for a briefing ("3 sites added, 1 agreement expired, 2 OWNS edges changed").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from graphmodel.graph import CampaignGraph
from graphmodel.values import normalise_as_of

DIFF_COLUMNS = ["change", "element", "id", "kind", "property", "before", "after", "label"]

_ELEMENT_ORDER = {"node": 0, "edge": 1, "source": 2}
_CHANGE_ORDER = {"added": 0, "removed": 1, "changed": 2}


def _props_diff(
    element: str, ident: str, kind: str, label: str, before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[dict[str, Any]]:
    rows = []
    for p in sorted(set(before) | set(after)):
        if p == "kind":
            continue
        x, y = before.get(p), after.get(p)
        if x == y:
            continue
        rows.append(
            {"change": "changed", "element": element, "id": ident, "kind": kind, "property": p,
             "before": x, "after": y, "label": label}
        )
    return rows


def _whole(change: str, element: str, ident: str, kind: str, label: str) -> dict[str, Any]:
    return {"change": change, "element": element, "id": ident, "kind": kind, "property": None,
            "before": label if change == "removed" else None, "after": label if change == "added" else None,
            "label": label}


def _edge_label(g: CampaignGraph, u: str, v: str, kind: str) -> str:
    return f"{g.name_of(u)} {kind} {g.name_of(v)}"


def diff(a: CampaignGraph, b: CampaignGraph) -> pd.DataFrame:
    """Nodes, edges and sources added, removed and changed from ``a`` (before) to ``b`` (after).

    Nodes and edges are matched by their stable ids. An added or removed element is one
    row (``property`` empty; ``before``/``after`` hold its name or label); a changed one
    gives one row per property that differs, with both values (``None`` = absent, i.e.
    unknown). An edge whose ends changed under the same id is reported as a change of
    ``source``/``target``.

    Rows are ordered by element (nodes, edges, sources), change (added, removed,
    changed), kind, id and property, so the same two snapshots always give the same table.

    Returns
    -------
    DataFrame with ``change, element, id, kind, property, before, after`` and ``label``
    (the node's name, or "Owner OWNS Owned" for an edge).

    Examples
    --------
    >>> a, b = CampaignGraph(), CampaignGraph()
    >>> _ = a.add_node("s1", "Site", "Site A", workforce=100)
    >>> _ = b.add_node("s1", "Site", "Site A", workforce=120)
    >>> _ = b.add_node("s2", "Site", "Site B")
    >>> diff(a, b)[["change", "id", "property", "before", "after"]].values.tolist()
    [['added', 's2', None, None, 'Site B'], ['changed', 's1', 'workforce', 100, 120]]
    """
    rows: list[dict[str, Any]] = []
    # the read methods, not ``.nx``: a columnar snapshot is compared without building networkx
    na, nb = dict(a.nodes()), dict(b.nodes())
    for n in set(na) - set(nb):
        rows.append(_whole("removed", "node", n, na[n]["kind"], a.name_of(n)))
    for n in set(nb) - set(na):
        rows.append(_whole("added", "node", n, nb[n]["kind"], b.name_of(n)))
    for n in set(na) & set(nb):
        x, y = na[n], nb[n]
        if x == y:
            continue
        if x["kind"] != y["kind"]:
            rows.append({"change": "changed", "element": "node", "id": n, "kind": y["kind"], "property": "kind",
                         "before": x["kind"], "after": y["kind"], "label": b.name_of(n)})
        rows.extend(_props_diff("node", n, y["kind"], b.name_of(n), x, y))

    ea = {k: (u, v, d) for k, u, v, d in a.edges()}
    eb = {k: (u, v, d) for k, u, v, d in b.edges()}
    for k in set(ea) - set(eb):
        u, v, d = ea[k]
        rows.append(_whole("removed", "edge", k, d["kind"], _edge_label(a, u, v, d["kind"])))
    for k in set(eb) - set(ea):
        u, v, d = eb[k]
        rows.append(_whole("added", "edge", k, d["kind"], _edge_label(b, u, v, d["kind"])))
    for k in set(ea) & set(eb):
        (u1, v1, d1), (u2, v2, d2) = ea[k], eb[k]
        if u1 == u2 and v1 == v2 and d1 == d2:
            continue  # most edges of two snapshots are unchanged: no label, no copies
        label = _edge_label(b, u2, v2, d2["kind"])
        before = {**d1, "source": u1, "target": v1}
        after = {**d2, "source": u2, "target": v2}
        rows.extend(_props_diff("edge", k, d2["kind"], label, before, after))

    sa, sb = a.sources, b.sources
    for s in set(sa) - set(sb):
        rows.append(_whole("removed", "source", s, "Source", sa[s].title or s))
    for s in set(sb) - set(sa):
        rows.append(_whole("added", "source", s, "Source", sb[s].title or s))
    for s in set(sa) & set(sb):
        if sa[s] != sb[s]:
            rows.extend(_props_diff("source", s, "Source", sb[s].title or s, sa[s].as_dict(), sb[s].as_dict()))

    rows.sort(
        key=lambda r: (
            _ELEMENT_ORDER[r["element"]], _CHANGE_ORDER[r["change"]], r["kind"], r["id"], r["property"] or ""
        )
    )
    # object dtype keeps values as they are: None stays None (unknown), 100 stays an int
    return pd.DataFrame(rows, columns=DIFF_COLUMNS, dtype=object)


_PLURAL = {
    "Company": ("company", "companies"),
    "Site": ("site", "sites"),
    "Union": ("union", "unions"),
    "UnionNetwork": ("union network", "union networks"),
    "Agreement": ("agreement", "agreements"),
    "Campaign": ("campaign", "campaigns"),
    "Country": ("country", "countries"),
    "Initiative": ("initiative", "initiatives"),
    "Investor": ("investor", "investors"),
    "Event": ("event", "events"),
    "Person": ("person", "people"),
    "Source": ("source", "sources"),
}


def _noun(kind: str, element: str, n: int) -> str:
    if element == "edge":
        return f"{kind} edge" + ("" if n == 1 else "s")
    one, many = _PLURAL.get(kind, (kind.lower(), kind.lower() + "s"))
    return one if n == 1 else many


def _expired_agreements(rows: pd.DataFrame, day: str) -> set[str]:
    """Agreements whose ``expires`` moved to (or was set at) a date on or before ``day``
    from an open or later one: they expired between the two snapshots."""
    out = set()
    sel = rows[(rows["element"] == "node") & (rows["kind"] == "Agreement") & (rows["property"] == "expires")]
    for ident, before, after in zip(sel["id"], sel["before"], sel["after"]):
        if after is not None and after <= day and (before is None or before > day):
            out.add(ident)
    return out


def _ended_edges(rows: pd.DataFrame, day: str) -> set[str]:
    out = set()
    sel = rows[(rows["element"] == "edge") & (rows["property"] == "valid_to")]
    for ident, before, after in zip(sel["id"], sel["before"], sel["after"]):
        if after is not None and after < day and (before is None or before >= day):
            out.add(ident)
    return out


def diff_summary(rows: pd.DataFrame, *, as_of: Any = None) -> str:
    """One short sentence summarising :func:`diff` rows for a briefing.

    Counts elements (not property rows) by change and kind, nodes first. An Agreement
    whose ``expires`` moved on or before ``as_of`` (default today) from an open or later
    date counts as *expired*; an edge whose ``valid_to`` moved before ``as_of`` counts as
    *ended*; they are not counted again as changed.

    Examples
    --------
    >>> a, b = CampaignGraph(), CampaignGraph()
    >>> _ = a.add_node("g", "Agreement", "Acme GFA", agreement_type="gfa", expires="2030-01-01")
    >>> _ = b.add_node("g", "Agreement", "Acme GFA", agreement_type="gfa", expires="2024-06-30")
    >>> for i in ("s1", "s2", "s3"):
    ...     _ = b.add_node(i, "Site", i)
    >>> diff_summary(diff(a, b), as_of="2025-01-01")
    '3 sites added, 1 agreement expired'
    """
    if rows.empty:
        return "no changes"
    day = normalise_as_of(as_of)
    expired = _expired_agreements(rows, day)
    ended = _ended_edges(rows, day)
    counts: dict[tuple[int, int, str, str, str], set[str]] = {}
    for r in rows.itertuples(index=False):
        change = r.change
        if change == "changed" and r.element == "node" and r.id in expired:
            change = "expired"
        elif change == "changed" and r.element == "edge" and r.id in ended:
            change = "ended"
        key = (_ELEMENT_ORDER[r.element], ["added", "removed", "expired", "ended", "changed"].index(change),
               r.kind, r.element, change)
        counts.setdefault(key, set()).add(r.id)
    parts = [
        f"{len(ids)} {_noun(kind, element, len(ids))} {change}"
        for (_, _, kind, element, change), ids in sorted(counts.items())
    ]
    return ", ".join(parts)


def changed_ids(rows: pd.DataFrame, element: str = "node") -> Iterable[str]:
    """Ids of ``element``s that appear in ``diff`` rows (for highlighting in a map)."""
    return sorted(set(rows.loc[rows["element"] == element, "id"]))
