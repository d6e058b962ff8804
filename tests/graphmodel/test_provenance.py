"""Per-value provenance: every value keeps the sources that set it through merges (hand-worked cases)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graphmodel.graph import CampaignGraph
from graphmodel.provenance import pins, sources_of
from graphmodel.records import Source


def graph() -> CampaignGraph:
    g = CampaignGraph()
    for s in ("gem", "me", "ore"):
        g.add_source(Source(s, title=s.upper()))
    g.add_node("am", "Company", "AM SA", sources=["gem"])
    g.add_node("br", "Company", "AM Brasil", sources=["gem"])
    return g


def test_a_researchers_value_is_cited_to_the_researcher_not_the_tracker() -> None:
    g = graph()
    g.add_node("s", "Site", "Plant", sources=["gem"], country="BR", workforce=100)
    g.add_node("s", "Site", "Plant", sources=["me"], union_status="none", merge="fill")
    a = g.node("s")
    assert a["sources"] == ["gem", "me"]
    assert sources_of(a, "union_status") == ["me"]
    assert sources_of(a, "country") == ["gem"] and sources_of(a, "workforce") == ["gem"]
    assert sources_of(a, "name") == ["gem", "me"]  # both rows state the same name


def test_a_value_both_state_alike_is_set_by_both_and_a_kept_old_value_by_its_own() -> None:
    g = graph()
    g.add_node("s", "Site", "Plant", sources=["gem"], country="BR", workforce=100)
    g.add_node("s", "Site", "Plant", sources=["me"], country="BR", workforce=120, merge="fill")
    a = g.node("s")
    assert a["workforce"] == 100 and sources_of(a, "workforce") == ["gem"]  # fill keeps the first value
    assert sources_of(a, "country") == ["gem", "me"]
    g.add_node("s", "Site", "Plant", sources=["ore"], workforce=130, merge="replace")
    a = g.node("s")
    assert a["workforce"] == 130 and sources_of(a, "workforce") == ["ore"]
    assert sources_of(a, "country") == ["gem", "me"]


def test_stated_share_beats_an_inferred_one_in_either_order() -> None:
    for first, second in (("inferred", "stated"), ("stated", "inferred")):
        g = graph()
        rows = {
            "inferred": {"sources": ["gem"], "share": 100, "share_inferred": "sole parent listed without a share"},
            "stated": {"sources": ["ore"], "share": 97.1},
        }
        g.add_edge("am", "br", "OWNS", **rows[first])
        g.add_edge("am", "br", "OWNS", merge="error", **rows[second])  # not a conflict: the stated value wins
        e = g.edge("OWNS:am->br")[2]
        assert e["share"] == 97.1 and "share_inferred" not in e, (first, e)
        assert sorted(e["sources"]) == ["gem", "ore"]
        assert sources_of(e, "share") == ["ore"], (first, e)


def test_two_inferred_or_two_stated_shares_merge_as_usual() -> None:
    g = graph()
    g.add_edge("am", "br", "OWNS", sources=["gem"], share=60)
    with pytest.raises(Exception, match="different value for share"):
        g.add_edge("am", "br", "OWNS", sources=["ore"], share=70)
    g.add_edge("am", "br", "OWNS", sources=["ore"], share=60)
    assert sources_of(g.edge("OWNS:am->br")[2], "share") == ["gem", "ore"]


values = st.one_of(st.none(), st.sampled_from(["BR", "DE"]))


@given(st.lists(st.tuples(st.sampled_from(["gem", "me", "ore"]), values, values), min_size=1, max_size=5))
def test_every_value_is_cited_to_exactly_the_rows_that_stated_it_first_wins(rows: list) -> None:
    """Oracle: replay the rows by hand under merge="fill" (first stated value wins; a later row
    stating the same value adds its source)."""
    g = graph()
    expect: dict[str, tuple[str, list[str]]] = {}
    for src, country, region in rows:
        props = {k: v for k, v in (("country", country), ("subnational", region)) if v is not None}
        g.add_node("s", "Site", "Plant", sources=[src], merge="fill", **props)
        for k, v in props.items():
            if k not in expect:
                expect[k] = (v, [src])
            elif expect[k][0] == v and src not in expect[k][1]:
                expect[k][1].append(src)
    a = g.node("s")
    for k, (v, srcs) in expect.items():
        assert a[k] == v
        assert sources_of(a, k) == srcs, (rows, dict(a))
    assert set(pins(a)) <= set(expect) | {"name"}
