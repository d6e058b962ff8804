"""The maps a whole-graph coverage run fills in one vectorised pass (``CoverageContext(whole_graph=True)``)
hold, for every node, what the per-node reading of a one-group run reads through the graph's
``in_edges`` / ``out_edges`` (the map definitions of ``CoverageContext.__init__``): same entries,
same order, on seeded random fictional graphs in both layouts and on several dates.

Plus a hand-worked graph for the orders the maps promise: a site's unions by edge id (not by
the order the edges were added), a target's agreements and a party's agreements once each in the
graph's edge order, and only companies among an agreement's signatories.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graphmodel.graph import CampaignGraph
from graphmodel.stores.snapshot import load_snapshot, save_snapshot
from queries.coverage import _PASS_PROPS, _SITE_PROPS, CoverageContext
from tests.queries.random_graphs import DATES, random_campaign_graph

#: map -> the edge kind whose properties its tuples carry (attrs compared on the properties the rules read)
MAPS = {
    "operators": None, "sites_of": None, "represents": "REPRESENTS", "networks_of_union": None,
    "covers": "COVERS", "covering": None, "parties": "PARTY_TO", "signed": None, "suppliers": None,
    "customers": None,
}


def _plain(value: Any, kind: str | None) -> Any:
    """A map's value with each attribute dict cut to the properties the rules read."""
    if not value or kind is None:
        return value
    return [(*t[:-1], {p: t[-1].get(p) for p in _PASS_PROPS[kind]}) for t in value]


def _layouts(g: CampaignGraph, folder: Path) -> list[CampaignGraph]:
    save_snapshot(g, folder)
    return [load_snapshot(folder, columnar=True), load_snapshot(folder, columnar=False)]


def _assert_same_maps(g: CampaignGraph, day: str) -> None:
    whole = CoverageContext(g, day, None, whole_graph=True)
    lazy = CoverageContext(g, day, None)
    nodes = [*g.node_ids(), "not-a-node"]
    for name, kind in MAPS.items():
        w, z = getattr(whole, name), getattr(lazy, name)
        for n in nodes:
            assert _plain(w.get(n), kind) == _plain(z.get(n), kind), (name, day, n)
            assert (n in w) is (n in z), (name, day, n)
    types = {whole.agreement_type(a) for a in g.node_ids("Agreement")} | {"efa"}
    for n in nodes:
        for t in types:
            assert whole.signed_by(t, n) == lazy.signed_by(t, n), (day, t, n)
    for a in g.node_ids("Agreement"):
        assert whole.status[a] == lazy.status[a], (day, a)
    for s in g.node_ids("Site"):
        assert {k: v for k, v in whole.site_attrs[s].items() if k in _SITE_PROPS} == {
            k: v for k, v in lazy.site_attrs[s].items() if k in _SITE_PROPS}, s
    for n in nodes:
        assert whole.idx.out.get(n) == lazy.idx.out.get(n), (day, n)
        assert whole.idx.inn.get(n) == lazy.idx.inn.get(n), (day, n)
    whole.close()
    lazy.close()


@pytest.mark.parametrize("seed", (1, 7, 23))
def test_whole_graph_maps_equal_the_per_node_reading(seed: int, tmp_path: Path) -> None:
    for g in _layouts(random_campaign_graph(seed), tmp_path / "snap"):
        for day in DATES:
            _assert_same_maps(g, day)


def _ordered_graph() -> CampaignGraph:
    g = CampaignGraph()
    g.add_node("co", "Company", "Fictional Steel")
    g.add_node("co2", "Company", "Fictional Rolling")
    g.add_node("s", "Site", "Works")
    g.add_node("u1", "Union", "Union One")
    g.add_node("u2", "Union", "Union Two")
    g.add_node("cba", "Agreement", "Works CBA", agreement_type="cba", signed="2015-01-01")
    g.add_node("gfa", "Agreement", "Group GFA", agreement_type="gfa", signed="2015-01-01")
    g.add_edge("co", "s", "OPERATES", share=100)
    # added in the opposite order of their ids
    g.add_edge("u2", "s", "REPRESENTS", id="rep-b", members=10)
    g.add_edge("u1", "s", "REPRESENTS", id="rep-a", recognised=True)
    g.add_edge("u1", "s", "REPRESENTS", id="rep-c", valid_to="2016-01-01")  # ended
    # two COVERS edges from one agreement to one site, and two PARTY_TO edges from one company
    g.add_edge("gfa", "s", "COVERS", id="cov-2")
    g.add_edge("cba", "s", "COVERS", id="cov-1")
    g.add_edge("gfa", "s", "COVERS", id="cov-3", excluded=True)
    g.add_edge("co", "gfa", "PARTY_TO", id="p1", role="employer")
    g.add_edge("co", "cba", "PARTY_TO", id="p2")
    g.add_edge("co", "gfa", "PARTY_TO", id="p3", role="witness")
    g.add_edge("u1", "gfa", "PARTY_TO", id="p4", role="union")
    g.add_edge("co2", "co", "SUPPLIES", id="sup")
    return g


@pytest.mark.parametrize("columnar", [True, False])
def test_whole_graph_maps_of_a_hand_worked_graph(columnar: bool, tmp_path: Path) -> None:
    save_snapshot(_ordered_graph(), tmp_path / "snap")
    g = load_snapshot(tmp_path / "snap", columnar=columnar)
    ctx = CoverageContext(g, "2024-06-30", None, whole_graph=True)
    assert [(u, e, a.get("members"), a.get("recognised")) for u, e, a in ctx.represents["s"]] == [
        ("u1", "rep-a", None, True), ("u2", "rep-b", 10, None)]
    # each once, in the graph's edge order (by source node: a snapshot holds its nodes by id)
    assert ctx.covering["s"] == ["cba", "gfa"]
    assert [(t, e, bool(a.get("excluded"))) for t, e, a in ctx.covers["gfa"]] == [
        ("s", "cov-2", False), ("s", "cov-3", True)]
    assert [(c, e, a.get("role")) for c, e, a in ctx.parties["gfa"]] == [
        ("co", "p1", "employer"), ("co", "p3", "witness")]  # the union signs too, but is no company
    # each once, in the order of its first edge from the party (p1 to gfa before p2 to cba)
    assert ctx.signed["co"] == ["gfa", "cba"] and ctx.signed["u1"] == ["gfa"]
    assert ctx.signed_by("gfa", "co") == ["gfa"] and ctx.signed_by("cba", "co") == ["cba"]
    assert ctx.operators["s"] == [("co", 100.0, "OPERATES:co->s")]
    assert ctx.sites_of["co"] == ["s"]
    assert ctx.suppliers["co"] == [("co2", "sup")] and ctx.customers["co2"] == ["co"]
    assert "s" not in ctx.suppliers and "s" not in ctx.parties and ctx.parties.get("s") is None
    assert ctx.networks_of_union.get("u1") is None
    _assert_same_maps(g, "2024-06-30")
    _assert_same_maps(g, "2015-06-30")
    ctx.close()
