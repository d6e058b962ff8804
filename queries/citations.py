"""The sources a shown fact rests on, value by value.

A fact is an edge (every source asserting the edge is cited) or a property value of a node
or edge. A value is cited by the sources that set it (:func:`graphmodel.provenance.sources_of`:
its pins, else every source of the record). Each of those sources states the value on its
own, so a value whose sources include one already cited adds nothing: a union named on
seven agreement pages is cited by the one page whose MEMBER_OF edge the point uses, not by
all seven. Cite edges before the nodes they join. Per-value provenance:
docs/semantics.md#provenance-and-time.

>>> from graphmodel.graph import CampaignGraph
>>> from graphmodel.records import Source
>>> g = CampaignGraph()
>>> for s in ("a", "b", "c"):
...     g.add_source(Source(s, title=s))
>>> _ = g.add_node("u", "Union", "Union U", sources=["a", "b"])
>>> _ = g.add_node("n", "UnionNetwork", "Net N", sources=["c"])
>>> e = g.add_edge("u", "n", "MEMBER_OF", sources=["b"])
>>> c = Citations(g)
>>> c.element(e); c.element("u"); c.element("n")
>>> c.ids
['b', 'c']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from graphmodel.graph import CampaignGraph
from graphmodel.provenance import sources_of
from graphmodel.values import is_missing

#: the properties of a node, by kind, that leverage points and briefings state about it
FACT_PROPS: Mapping[str, tuple[str, ...]] = {
    "Company": ("name", "listed"),
    "Site": ("name", "country", "commodity"),
    "Union": ("name",),
    "UnionNetwork": ("name", "company", "founded"),
    "Agreement": ("name", "agreement_type", "signed", "expires", "renewal", "scope", "clauses"),
    "Investor": ("name", "workers_capital"),
    "Initiative": ("name", "grievance_mechanism"),
    "Country": ("name", "due_diligence_laws", "ilo_ratifications"),
    "Event": ("name", "date", "event_type", "severity"),
}


class Citations:
    """Source ids of a set of facts, in the order first cited."""

    def __init__(self, graph: CampaignGraph) -> None:
        self.graph = graph
        self._ids: dict[str, None] = {}

    @property
    def ids(self) -> list[str]:
        return list(self._ids)

    def add(self, sources: Iterable[str]) -> None:
        for s in sources:
            if s:
                self._ids.setdefault(str(s), None)

    def value(self, attrs: Mapping[str, Any], prop: str) -> None:
        """Cite the value ``attrs[prop]`` (nothing when it is missing: unknown needs no source)."""
        v = attrs.get(prop)
        if v is None or (not isinstance(v, (list, tuple)) and is_missing(v)):
            return
        cands = sources_of(attrs, prop)
        if not any(s in self._ids for s in cands):
            self.add(cands)

    def node(self, node: str, props: Iterable[str] | None = None) -> None:
        """Cite ``props`` of ``node`` (default: :data:`FACT_PROPS` of its kind, else its name)."""
        g = self.graph
        if not g.has_node(node):
            return
        attrs = g.node(node)
        for p in props if props is not None else FACT_PROPS.get(str(attrs.get("kind")), ("name",)):
            self.value(attrs, p)

    def edge(self, eid: str) -> None:
        """Cite the edge ``eid``: every source asserting it."""
        g = self.graph
        if g.has_edge(eid):
            self.add(g.edge(eid)[2].get("sources") or ())

    def element(self, ident: str, props: Iterable[str] | None = None) -> None:
        """An edge id or a node id, whichever ``ident`` is."""
        if self.graph.has_edge(ident):
            self.edge(ident)
        else:
            self.node(ident, props)

    def evidence(self, ids: Iterable[str]) -> None:
        """Cite a list of node and edge ids: the edges first, then the nodes' values."""
        ids = [str(i) for i in ids if i is not None and not (not isinstance(i, str) and is_missing(i))]
        g = self.graph
        edges = [i for i in ids if g.has_edge(i)]
        for e in edges:
            self.edge(e)
        done = set(edges)
        for n in ids:
            if n not in done:
                self.node(n)
