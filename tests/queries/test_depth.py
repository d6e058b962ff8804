"""Deep ownership costs linear time and output (issue 17 case 13): rows carry ``parent_id`` and
``depth``; the displayed chain is cut to its first and last three ids around "…".

Fixtures are fictional chains and cycles of companies ``c0``, ``c1``... each owning 100 % of the next.
"""

from __future__ import annotations

import pandas as pd

from graphmodel.graph import CampaignGraph
from queries.coverage import coverage
from queries.ownership import OwnershipIndex, group, ultimate_parent


def chain_graph(n: int, *, cycle: bool = False, sites: bool = False) -> CampaignGraph:
    g = CampaignGraph()
    for i in range(n):
        g.add_node(f"c{i}", "Company", f"Company {i}")
        if sites:
            g.add_node(f"s{i}", "Site", f"Site {i}")
            g.add_edge(f"c{i}", f"s{i}", "OPERATES")
    for i in range(n if cycle else n - 1):
        g.add_edge(f"c{i}", f"c{(i + 1) % n}", "OWNS", share=100)
    return g


def test_chain_rows_carry_depth_parent_and_a_cut_chain() -> None:
    df = group(chain_graph(9), "c0").set_index("id")
    assert list(df.index) == [f"c{i}" for i in range(9)]  # rows by depth
    assert df["depth"].tolist() == list(range(9))
    assert [p if isinstance(p, str) else None for p in df["parent_id"]] == [None] + [f"c{i}" for i in range(8)]
    # seven ids are shown whole; past seven, the first three and the last three around "…"
    assert df.loc["c6", "chain"] == "c0 > c1 > c2 > c3 > c4 > c5 > c6"
    assert df.loc["c7", "chain"] == "c0 > c1 > c2 > … > c5 > c6 > c7"
    assert df.loc["c8", "chain"] == "c0 > c1 > c2 > … > c6 > c7 > c8"
    eff = group(chain_graph(9), "c0", rule="effective", threshold=0).set_index("id")
    assert eff["depth"].tolist() == list(range(9))
    assert eff.loc["c8", "chain"] == "c0 > c1 > c2 > … > c6 > c7 > c8"
    assert eff.loc["c8", "parent_id"] == "c7"


def test_parent_ids_rebuild_the_whole_chain() -> None:
    df = group(chain_graph(30), "c0")
    parent = dict(zip(df["id"], df["parent_id"]))
    path, cur = [], "c29"
    while isinstance(cur, str):
        path.append(cur)
        cur = parent[cur]
    assert path[::-1] == [f"c{i}" for i in range(30)]


def test_cycle_lists_each_member_once_and_terminates() -> None:
    g = chain_graph(5, cycle=True)
    df = group(g, "c2")
    assert df["id"].tolist() == ["c2", "c3", "c4", "c0", "c1"]
    assert df["depth"].tolist() == [0, 1, 2, 3, 4]
    assert df["chain"].tolist()[-1] == "c2 > c3 > c4 > c0 > c1"
    # the chain of controlling owners goes once round the loop: c2's owner is c1, ... up to c3
    assert ultimate_parent(g, "c2").chain == ["c2", "c1", "c0", "c4", "c3"]


def test_up_summary_agrees_with_walking_each_chain() -> None:
    """Oracle: ``chain_up`` walked from each entity on its own (no memo shared between entities)."""
    g = chain_graph(10, cycle=True)
    for i in range(4):  # a tail of four companies hanging below c5, and a plain chain beside
        g.add_node(f"t{i}", "Company", f"Tail {i}")
        g.add_edge("c5" if i == 0 else f"t{i - 1}", f"t{i}", "OWNS", share=100)
    for i in range(3):
        g.add_node(f"p{i}", "Company", f"Plain {i}")
    g.add_edge("p0", "p1", "OWNS", share=60)
    g.add_edge("p1", "p2", "OWNS", share=51)
    ids = [n for n, _ in g.nodes("Company")]
    fresh = {n: OwnershipIndex(g).chain_up(n) for n in ids}
    idx = OwnershipIndex(g)
    for n in reversed(ids):
        whole = fresh[n]
        assert idx.up_summary(n) == (len(whole), tuple(whole[-3:]))
        assert idx.ultimate_parent_id(n) == whole[-1]
        down = whole[::-1]
        shown = down if len(down) <= 7 else [*down[:3], "…", *down[-3:]]
        assert idx.chain_down_text(n) == " > ".join(shown)
    assert idx.ultimate_parent_id("t3") == "c6"  # round the loop from c5: stops before c5 again
    assert idx.chain_down_text("t3") == "c6 > c7 > c8 > … > t1 > t2 > t3"


def test_coverage_chain_column_is_cut() -> None:
    g = chain_graph(9, sites=True)
    one = coverage(g, "c0").set_index("site_id")
    assert one.loc["s8", "chain"] == "c0 > c1 > c2 > … > c6 > c7 > c8"
    assert one.loc["s3", "chain"] == "c0 > c1 > c2 > c3"
    assert set(one["ultimate_parent_id"]) == {"c0"}
    every = coverage(g, None).set_index("site_id")
    assert every.loc["s8", "chain"] == "c0 > c1 > c2 > … > c6 > c7 > c8"
    assert set(every["ultimate_parent_id"]) == {"c0"}


def _csv_bytes(df: pd.DataFrame) -> int:
    return len(df.to_csv(index=False).encode())


def test_output_grows_linearly_with_depth() -> None:
    """Ten times the depth gives about ten times the bytes (the whole chain in each row gave
    about a hundred times): the bound 20x leaves room for longer ids and numbers."""
    small, large = chain_graph(200, sites=True), chain_graph(2000, sites=True)
    assert _csv_bytes(group(large, "c0")) < 20 * _csv_bytes(group(small, "c0"))
    assert _csv_bytes(coverage(large, "c0")) < 20 * _csv_bytes(coverage(small, "c0"))
    small_cycle, large_cycle = chain_graph(200, cycle=True, sites=True), chain_graph(2000, cycle=True, sites=True)
    assert _csv_bytes(group(large_cycle, "c0")) < 20 * _csv_bytes(group(small_cycle, "c0"))
    assert _csv_bytes(coverage(large_cycle, "c0")) < 20 * _csv_bytes(coverage(small_cycle, "c0"))


def _with_gfa(g: CampaignGraph, *signers: str) -> CampaignGraph:
    for who in signers:
        g.add_node(f"gfa-{who}", "Agreement", f"Framework agreement of {who}", agreement_type="gfa",
                   scope="all_subsidiaries")
        g.add_edge(who, f"gfa-{who}", "PARTY_TO")
    return g


def test_agreements_signed_above_match_walking_every_ancestor() -> None:
    """Oracle: the agreements of every ancestor, in the order a walk up from each entity finds
    them (``CoverageContext._ancestors``, the per-entity walk this replaces on chains)."""
    from queries.coverage import CoverageContext

    g = _with_gfa(chain_graph(12), "c0", "c4", "c9")
    g.add_node("x", "Company", "Co-owner")  # c6 has two holders; c10 -> c11 -> c10 is a loop
    g.add_edge("x", "c6", "OWNS", share=10)
    g.add_edge("c11", "c10", "OWNS", share=5)
    _with_gfa(g, "x")
    for order in (list(range(12)), list(range(11, -1, -1))):
        ctx = CoverageContext(g, None, None)
        for i in order:
            got = ctx.signed_above("gfa", f"c{i}")
            want = list(dict.fromkeys(a for anc in ctx._ancestors(f"c{i}") for a in ctx.signed_by("gfa", anc)))
            assert got == want, i
    ctx = CoverageContext(g, None, None)
    assert ctx.signed_above("gfa", "c5") == ["gfa-c4", "gfa-c0"]
    # c6's holders c5 and x are found together, before c5's holder c4: x's agreement first
    assert ctx.signed_above("gfa", "c7") == ["gfa-x", "gfa-c4", "gfa-c0"]
    assert ctx.signed_above("gfa", "c11") == ["gfa-c9", "gfa-x", "gfa-c4", "gfa-c0"]


def test_output_with_a_signatory_on_top_grows_linearly() -> None:
    small, large = _with_gfa(chain_graph(200, sites=True), "c0"), _with_gfa(chain_graph(2000, sites=True), "c0")
    s, big = coverage(small, "c0"), coverage(large, "c0")
    assert set(big["gfa"]) == {"covered"}
    assert _csv_bytes(big) < 20 * _csv_bytes(s)
