"""A whole-graph coverage run cites the sources an ownership reason cites in a one-group run.

Hand-worked: ``p`` holds an unpublished share of ``x`` (so ``x`` is only possibly in ``p``'s
group); ``x`` holds 60 % of ``y`` on an edge recorded by two sources, the share set by one of them
("Registry B"); ``y`` operates site ``s``; ``p`` signed a GFA for all subsidiaries. ``x`` controls
``y`` and nothing controls ``x``, so ``s`` is in ``x``'s group; the GFA reaches ``s`` only
possibly, and the reason quotes the holding ``x`` -> ``y`` with the source that set its share,
whether the run is over every site or over ``x``'s group alone.
"""

from __future__ import annotations

import pytest

from graphmodel.graph import CampaignGraph
from graphmodel.records import Source
from graphmodel.stores.snapshot import load_snapshot, save_snapshot
from queries.coverage import coverage, site_coverage


def _graph() -> CampaignGraph:
    g = CampaignGraph()
    g.add_source(Source("a", "Registry A"))
    g.add_source(Source("b", "Registry B"))
    for n, name in (("p", "Parent Holding"), ("x", "Middle Co"), ("y", "Mine Operator")):
        g.add_node(n, "Company", name, sources=["a"])
    g.add_node("s", "Site", "Mine S", sources=["a"])
    g.add_node("gfa", "Agreement", "Parent GFA", sources=["a"], agreement_type="gfa", scope="all_subsidiaries",
               signed="2015-01-01")
    g.add_edge("p", "x", "OWNS", sources=["a"])
    g.add_edge("x", "y", "OWNS", sources=["a", "b"], share=60.0, value_sources=["share=b"])
    g.add_edge("y", "s", "OPERATES", sources=["a"])
    g.add_edge("p", "gfa", "PARTY_TO", sources=["a"])
    return g


EXPECTED = ("Parent GFA (signed by Parent Holding) covers all subsidiaries; Mine Operator is only possibly in "
            "Parent Holding's group (possible member: Middle Co holds 60% (Registry B) of Mine Operator, itself a "
            "possible member)")


@pytest.mark.parametrize("columnar", [False, True])
def test_the_gfa_reason_cites_the_share_source_in_every_run(columnar: bool, tmp_path) -> None:
    g = _graph()
    if columnar:
        save_snapshot(g, tmp_path / "snap")
        g = load_snapshot(tmp_path / "snap")
    day = "2024-06-30"
    every = coverage(g, None, as_of=day, status="all").set_index("site_id")
    group = coverage(g, "x", as_of=day, status="all").set_index("site_id")
    one = site_coverage(g, "s", as_of=day).set_index("site_id")
    assert every.loc["s", "ultimate_parent_id"] == "x"
    assert every.loc["s", "gfa"] == "unknown"
    assert group.loc["s", "gfa_reason"] == EXPECTED
    assert every.loc["s", "gfa_reason"] == EXPECTED
    assert one.loc["s", "gfa_reason"] == EXPECTED
