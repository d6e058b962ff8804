"""Linking at load: one node for a company that two sources name in the same safe way.

``campaign-graph load`` (through :func:`loaders.registry.load_paths`) runs
:func:`link_companies` after building the graph. It is :func:`loaders.resolution.resolve`
restricted to its two safe passes:

1. a shared identifier (GEM entity id, LEI, Wikidata QID, registry id);
2. the same name key up to case, accents, punctuation and legal form
   (:mod:`graphmodel.names`), when nothing contradicts it: no two different GEM ids, LEIs
   or QIDs, countries and legal forms compatible, and not several distinct entities with
   that name (``Rio Tinto`` = ``Rio Tinto PLC`` or ``Rio Tinto Ltd``: not linked, reported
   with both candidates).

So the agreements table's ``ArcelorMittal`` becomes ``ArcelorMittal SA`` (GEM
``E100000000687``) and the coal file's ``Glencore`` becomes ``Glencore PLC``;
``ArcelorMittal South Africa Ltd`` keeps its own node (another name key and its own GEM
id). Fuzzy matching and researcher decisions stay with ``campaign-graph resolve``.

What is recorded: the kept node's ``linked_ids`` lists the ids folded into it (the dropped
name is in its ``aliases``); the load report's ``links`` lists each link with its evidence,
and ``unlinked`` each name left alone with its candidates and why.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from graphmodel.graph import CampaignGraph
from loaders.resolution import _identifiers, resolve


@dataclass(frozen=True)
class Link:
    """``drop`` folded into ``keep`` at load, with how (identifier / name) and why."""

    keep: str
    keep_name: str
    drop: str
    drop_name: str
    how: str
    evidence: str


@dataclass(frozen=True)
class Unlinked:
    """A name left unlinked: its node, the nodes it could be, and why none was chosen."""

    id: str
    name: str
    candidates: tuple[tuple[str, str], ...]  # (id, name)
    reason: str


@dataclass
class LinkReport:
    """What :func:`link_companies` did."""

    links: list[Link] = field(default_factory=list)
    unlinked: list[Unlinked] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The load report's ``links`` and ``unlinked`` lists (JSON-ready)."""
        return {
            "links": [asdict(x) for x in self.links],
            "unlinked": [
                {"id": u.id, "name": u.name, "candidates": [{"id": i, "name": n} for i, n in u.candidates],
                 "reason": u.reason}
                for u in self.unlinked
            ],
        }


def link_companies(graph: CampaignGraph) -> LinkReport:
    """Link Company nodes by identifier or name key (the safe rule above), in place.

    Examples
    --------
    >>> g = CampaignGraph()
    >>> _ = g.add_node("E100000000687", "Company", "ArcelorMittal SA", gem_id=["E100000000687"])
    >>> _ = g.add_node("co-arcelormittal", "Company", "ArcelorMittal")
    >>> _ = g.add_node("E100001000504", "Company", "ArcelorMittal South Africa Ltd", gem_id=["E100001000504"])
    >>> r = link_companies(g)
    >>> [(x.keep, x.drop, x.how) for x in r.links], g.node("E100000000687")["linked_ids"]
    ([('E100000000687', 'co-arcelormittal', 'name')], ['co-arcelormittal'])
    """
    out = LinkReport()
    if not any(True for _ in graph.nodes("Company")):
        return out
    res = resolve(graph, fuzzy=False, renamings=False)
    for m in res.merges:
        out.links.append(Link(m.keep, m.keep_name, m.drop, m.drop_name, m.how, m.evidence))
    kept: dict[str, list[str]] = {}
    for m in res.merges:
        kept.setdefault(m.keep, []).append(m.drop)
    for keep, drops in kept.items():  # (set_node_props makes the linked ids searchable)
        graph.set_node_props(keep, linked_ids=list(dict.fromkeys([*(graph.node(keep).get("linked_ids") or []), *drops])))
    # names left alone: a node without identifiers is "the name", the others its candidates
    cands: dict[str, dict[str, str]] = {}
    why: dict[str, str] = {}
    for p in res.review:
        a_ids = bool(_identifiers(graph.node(p.a_id)))
        b_ids = bool(_identifiers(graph.node(p.b_id)))
        sides = [(p.a_id, p.b_id, p.b_name)] if not a_ids and b_ids else []
        sides += [(p.b_id, p.a_id, p.a_name)] if not b_ids and a_ids else []
        if not sides:  # both or neither carry identifiers: listed once, under the first
            sides = [(p.a_id, p.b_id, p.b_name)]
        for name_id, cand, cand_name in sides:
            cands.setdefault(name_id, {})[cand] = cand_name
            why.setdefault(name_id, p.reason)
    # names with the most candidates first (Rio Tinto before a pair of spellings)
    for n in sorted(cands, key=lambda x: (-len(cands[x]), graph.name_of(x).casefold(), x)):
        out.unlinked.append(Unlinked(n, graph.name_of(n), tuple(sorted(cands[n].items())), why[n]))
    return out
