"""Ownership: groups under control and effective rules, effective stakes, ultimate parents.

All companies are fictional; each test states the answer worked out by hand.
"""

from __future__ import annotations

import math

import pytest

from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.records import Source
from queries.ownership import GROUP_COLUMNS, OwnershipIndex, effective_stakes, group, ultimate_parent

AS_OF = "2024-06-30"


def make(*companies: str, kind: str = "Company") -> CampaignGraph:
    g = CampaignGraph()
    g.add_source(Source("s1", title="Fictional registry extract"))
    for c in companies:
        g.add_node(c, kind, f"Acme {c.title()}", sources=["s1"])
    return g


def rows(df):
    return {r["id"]: r for r in df.to_dict("records")}


def test_columns_follow_the_contract():
    g = make("root", "sub")
    g.add_edge("root", "sub", "OWNS", share=60)
    df = group(g, "root", as_of=AS_OF)
    assert list(df.columns[: len(GROUP_COLUMNS)]) == list(GROUP_COLUMNS)
    assert df.attrs["as_of"] == AS_OF and df.attrs["company"] == "root"


def test_chain_of_majority_stakes():
    # top -60-> mid -80-> low: both controlled; effective 60 and 0.6*0.8 = 48
    g = make("top", "mid", "low")
    g.add_edge("top", "mid", "OWNS", share=60)
    g.add_edge("mid", "low", "OWNS", share=80)
    r = rows(group(g, "top", as_of=AS_OF))
    assert set(r) == {"top", "mid", "low"}
    assert r["top"]["membership"] == "root" and r["top"]["controlled"] == "true"
    assert r["low"]["controlled"] == "true" and r["low"]["membership"] == "controlled"
    assert r["low"]["effective_stake"] == pytest.approx(48.0)
    assert r["low"]["chain"] == "top > mid > low"
    assert r["low"]["reason"] == "Acme Mid holds 80% of Acme Low"
    assert r["low"]["evidence"] == ["OWNS:mid->low"]
    up = ultimate_parent(g, "low", as_of=AS_OF)
    assert up.id == "top" and up.chain == ["low", "mid", "top"]
    assert "Acme Mid holds 80% of Acme Low" in up.explanation
    assert "Acme Top has no owner on record" in up.explanation


def test_minority_stake_is_outside_the_control_group_but_inside_effective_at_10():
    g = make("root", "minor")
    g.add_edge("root", "minor", "OWNS", share=20)
    assert group(g, "root", as_of=AS_OF)["id"].tolist() == ["root"]
    eff = rows(group(g, "root", rule="effective", threshold=10, as_of=AS_OF))
    assert eff["minor"]["effective_stake"] == pytest.approx(20.0)
    assert eff["minor"]["membership"] == "effective" and eff["minor"]["controlled"] == "false"
    assert "minor" not in rows(group(g, "root", rule="effective", threshold=25, as_of=AS_OF))
    assert ultimate_parent(g, "minor", as_of=AS_OF).id == "minor"


def test_two_paths_summing_over_half_give_control():
    # root holds 30% of x directly and 25% through a (100% owned): 55% of votes -> controlled;
    # effective stake 30 + 1.0*25 = 55
    g = make("root", "a", "x")
    g.add_edge("root", "a", "OWNS", share=100)
    g.add_edge("root", "x", "OWNS", share=30)
    g.add_edge("a", "x", "OWNS", share=25)
    r = rows(group(g, "root", as_of=AS_OF))
    assert r["x"]["controlled"] == "true"
    assert r["x"]["effective_stake"] == pytest.approx(55.0)
    assert r["x"]["reason"] == "55% held together by Acme Root (30%), Acme A (25%)"
    up = ultimate_parent(g, "x", as_of=AS_OF)
    assert up.chain == ["x", "root"]
    assert "Acme Root holds 55% of Acme X directly and through entities it controls" in up.explanation


def test_voting_rights_decide_control_not_equity():
    g = make("root", "x")
    g.add_edge("root", "x", "OWNS", share=40, voting=60)
    r = rows(group(g, "root", as_of=AS_OF))
    assert r["x"]["controlled"] == "true" and r["x"]["effective_stake"] == pytest.approx(40.0)


def test_cross_holding_cycle_converges():
    # root -60-> a -60-> b -20-> a. x_a = .6 + .2 x_b, x_b = .6 x_a  =>  x_a = .6/.88, x_b = .36/.88
    g = make("root", "a", "b")
    g.add_edge("root", "a", "OWNS", share=60)
    g.add_edge("a", "b", "OWNS", share=60)
    g.add_edge("b", "a", "OWNS", share=20)
    st = effective_stakes(g, "root", as_of=AS_OF)
    assert st["a"] == pytest.approx(100 * 0.6 / 0.88)
    assert st["b"] == pytest.approx(100 * 0.36 / 0.88)
    r = rows(group(g, "root", as_of=AS_OF))
    assert r["a"]["controlled"] == r["b"]["controlled"] == "true"
    assert r["b"]["chain"] == "root > a > b"
    # upward: a is held 60% by root and 20% by b; b is held 60% by a
    assert ultimate_parent(g, "b", as_of=AS_OF).chain == ["b", "a", "root"]


def test_full_mutual_holding_terminates_and_caps_at_100():
    # a and b hold 100% of each other: the series diverges; the stake is capped at 100
    g = make("root", "a", "b")
    g.add_edge("root", "a", "OWNS", share=50)
    g.add_edge("a", "b", "OWNS", share=100)
    g.add_edge("b", "a", "OWNS", share=100)
    st = effective_stakes(g, "root", as_of=AS_OF)
    assert st["a"] == pytest.approx(100.0) and st["b"] == pytest.approx(100.0)
    up = ultimate_parent(g, "a", as_of=AS_OF)
    assert up.chain == ["a", "b"] and "ownership cycle" in up.explanation


def test_joint_venture_flagged_joint_and_its_subsidiary():
    g = make("root", "jv", "jvsub", "partner")
    g.add_edge("root", "jv", "OWNS", share=40, control="joint")
    g.add_edge("partner", "jv", "OWNS", share=60, control="joint")
    g.add_edge("jv", "jvsub", "OWNS", share=100)
    r = rows(group(g, "root", as_of=AS_OF))
    assert r["jv"]["controlled"] == "joint" and r["jv"]["membership"] == "joint"
    # the reason names the entities; the edge id is evidence, not text
    assert r["jv"]["reason"] == "jointly controlled with Acme Root (control=joint recorded on its holding)"
    assert r["jv"]["evidence"] == ["OWNS:root->jv"]
    assert r["jvsub"]["controlled"] == "joint" and r["jvsub"]["chain"] == "root > jv > jvsub"
    assert r["jvsub"]["effective_stake"] == pytest.approx(40.0)


def test_fifty_fifty_joint_venture_is_joint_and_its_own_ultimate_parent():
    g = make("root", "other", "jv")
    g.add_edge("root", "jv", "OWNS", share=50)
    g.add_edge("other", "jv", "OWNS", share=50)
    r = rows(group(g, "root", as_of=AS_OF))
    assert r["jv"]["controlled"] == "joint"
    assert "exactly 50%" in r["jv"]["reason"]
    up = ultimate_parent(g, "jv", as_of=AS_OF)
    assert up.id == "jv" and up.chain == ["jv"]
    assert "50/50 joint venture of Acme Root and Acme Other" in up.explanation


def test_control_yes_outright_beats_joint():
    g = make("root", "x")
    g.add_edge("root", "x", "OWNS", control="yes")  # GLEIF: consolidated, share unknown
    r = rows(group(g, "root", as_of=AS_OF))
    assert r["x"]["controlled"] == "true"
    # the share is not published: the stake is unknown (empty), not 0, and nothing is known of it
    assert math.isnan(r["x"]["effective_stake"]) and math.isnan(r["x"]["stake_min"]) and r["x"]["stake_is_lower_bound"]


def test_expired_edge_does_not_count():
    g = make("root", "old")
    g.add_edge("root", "old", "OWNS", share=100, valid_from="2010-01-01", valid_to="2020-12-31")
    assert "old" in rows(group(g, "root", as_of="2020-06-01"))
    assert "old" not in rows(group(g, "root", as_of=AS_OF))
    assert ultimate_parent(g, "old", as_of=AS_OF).id == "old"
    assert ultimate_parent(g, "old", as_of="2015-01-01").id == "root"


def test_unknown_share_makes_a_possible_member_never_zero_or_hundred():
    g = make("root", "u", "usub")
    g.add_edge("root", "u", "OWNS")  # share not published
    g.add_edge("u", "usub", "OWNS", share=100)
    r = rows(group(g, "root", as_of=AS_OF))
    assert r["u"]["controlled"] == "unknown" and r["u"]["membership"] == "possible"
    assert r["u"]["reason"] == "possible member: Acme Root's share in Acme U is not published"
    assert r["u"]["evidence"] == ["OWNS:root->u"]
    assert r["usub"]["membership"] == "possible" and r["usub"]["chain"] == "root > u > usub"
    assert set(rows(group(g, "root", members="known", as_of=AS_OF))) == {"root"}
    eff = rows(group(g, "root", rule="effective", threshold=0, as_of=AS_OF))
    # unknown shares add nothing: u is not reached through known equity at all
    assert "u" not in eff
    assert OwnershipIndex(g, as_of=AS_OF).uncertain_below("root") == {"u", "usub"}
    up = ultimate_parent(g, "u", as_of=AS_OF)
    assert up.id == "u" and up.explanation == ("Acme U has no controlling owner; shares not published for Acme Root: "
                                               "it is its own ultimate parent")


def test_uncertain_below_with_every_edge_read_skips_only_branches_without_unknown_shares():
    # top -60-> mid -(unpublished)-> u -100-> usub; top -70-> clean -100-> leaf; other -40-> clean
    g = make("top", "mid", "u", "usub", "clean", "leaf", "other")
    g.add_edge("top", "mid", "OWNS", share=60)
    g.add_edge("mid", "u", "OWNS")
    g.add_edge("u", "usub", "OWNS", share=100)
    g.add_edge("top", "clean", "OWNS", share=70)
    g.add_edge("clean", "leaf", "OWNS", share=100)
    g.add_edge("other", "clean", "OWNS", share=40)
    for idx in (OwnershipIndex(g, as_of=AS_OF), OwnershipIndex(g, as_of=AS_OF).load_all()):
        assert idx.uncertain_below("top") == {"u", "usub"}
        assert idx.uncertain_below("mid") == {"u", "usub"}
        assert idx.uncertain_below("u") == set()  # below u every share is published
        assert idx.uncertain_below("other") == set()
        assert idx.uncertain_below("leaf") == set()


def test_ultimate_parent_explains_control_flag_and_aggregated_control():
    g = make("p", "a", "b", "x", "y")
    g.add_edge("p", "x", "OWNS", share=10, control="yes")
    g.add_edge("p", "a", "OWNS", share=60)
    g.add_edge("a", "y", "OWNS", share=30)
    g.add_edge("p", "y", "OWNS", share=25)
    g.add_edge("b", "y", "OWNS", share=45)
    assert ultimate_parent(g, "x", as_of=AS_OF).explanation.startswith(
        "Acme P controls Acme X (control=yes recorded on its holding); "
    )
    up = ultimate_parent(g, "y", as_of=AS_OF)
    assert up.id == "p" and up.chain == ["y", "p"]
    assert up.explanation.startswith("Acme P holds 55% of Acme Y directly and through entities it controls")


def test_unknown_share_cannot_be_a_majority_when_others_hold_60():
    g = make("root", "x", "other")
    g.add_edge("other", "x", "OWNS", share=60)
    g.add_edge("root", "x", "OWNS")
    assert set(rows(group(g, "root", as_of=AS_OF))) == {"root"}


def test_effective_stake_is_a_lower_bound_past_an_unknown_edge():
    g = make("root", "a", "b")
    g.add_edge("root", "a", "OWNS", share=80)
    g.add_edge("root", "b", "OWNS")
    g.add_edge("a", "b", "OWNS", share=40)
    r = rows(group(g, "root", rule="effective", threshold=30, as_of=AS_OF))
    # b: 0.8 * 40 = 32 known through a, plus an unpublished direct share: at least 32, unknown
    assert math.isnan(r["b"]["effective_stake"]) and r["b"]["stake_is_lower_bound"]
    assert r["b"]["stake_min"] == pytest.approx(32.0)
    assert not r["a"]["stake_is_lower_bound"] and r["a"]["effective_stake"] == r["a"]["stake_min"] == 80.0


def test_inferred_and_gem_parent_edges_count_as_known_direct_stakes():
    g = make("parent", "owner")
    g.add_edge("parent", "owner", "OWNS", share=100, share_inferred="sole GEM parent without a percentage",
               derived="gem_parent")
    r = rows(group(g, "parent", as_of=AS_OF))
    assert r["owner"]["controlled"] == "true" and not r["owner"]["stake_is_lower_bound"]
    assert "GEM ultimate-parent assertion" in r["owner"]["reason"]
    assert "share inferred: sole GEM parent" in r["owner"]["reason"]


def test_investor_and_person_holders():
    g = make("fund", kind="Investor")
    g.add_node("co", "Company", "Acme Co")
    g.add_node("p1", "Person", "Fictional Person")
    g.add_edge("fund", "co", "OWNS", share=30)
    g.add_edge("p1", "co", "OWNS", share=70)
    assert ultimate_parent(g, "co", as_of=AS_OF).id == "p1"
    assert rows(group(g, "fund", rule="effective", threshold=20, as_of=AS_OF))["co"]["effective_stake"] == 30.0


def test_bad_arguments_are_campaign_graph_errors():
    g = make("root")
    g.add_node("s", "Site", "Site A")
    with pytest.raises(CampaignGraphError, match="no company"):
        group(g, "nope")
    with pytest.raises(CampaignGraphError, match="not a Company"):
        group(g, "s")
    with pytest.raises(CampaignGraphError, match="unknown rule"):
        group(g, "root", rule="magic")
    with pytest.raises(CampaignGraphError, match="threshold"):
        group(g, "root", rule="effective", threshold=150)


def test_cli_group_and_parent(tmp_path):
    import json

    from click.testing import CliRunner

    from exports.cli.main import cli
    from graphmodel.stores.snapshot import save_snapshot

    g = make("top", "mid", "low")
    g.add_edge("top", "mid", "OWNS", share=60)
    g.add_edge("mid", "low", "OWNS", share=80)
    save_snapshot(g, tmp_path / "snap")
    run = CliRunner().invoke
    res = run(cli, ["group", str(tmp_path / "snap"), "Acme Top", "--as-of", AS_OF])
    assert res.exit_code == 0, res.output
    assert "Acme Low" in res.output and "root: 1, controlled: 2" in res.output
    res = run(cli, ["group", str(tmp_path / "snap"), "Acme Top", "--format", "json", "--rule", "effective",
                    "--threshold", "50"])
    assert [r["id"] for r in json.loads(res.stdout)] == ["top", "mid"]
    res = run(cli, ["parent", str(tmp_path / "snap"), "Acme Low", "--as-of", AS_OF])
    assert res.exit_code == 0
    assert "ultimate parent: Acme Top (top)" in res.output and "chain: Acme Low < Acme Mid < Acme Top" in res.output


@pytest.mark.parametrize("length", [50, 450])  # dense solve below 400 entities, sparse above
def test_long_chain_with_a_cross_holding_dense_and_sparse(length):
    # c0 -90-> c1 -90-> ... ; plus c2 holds 10% of c1 back. Worked answer: with x_k the stake
    # in c_k, x_1 = .9 + .1 x_2 and x_2 = .9 x_1, so x_1 = .9/.91; x_k = x_1 * .9^(k-1) for k >= 2.
    g = CampaignGraph()
    for i in range(length):
        g.add_node(f"c{i}", "Company", f"Fictional {i}")
    for i in range(length - 1):
        g.add_edge(f"c{i}", f"c{i + 1}", "OWNS", share=90)
    g.add_edge("c2", "c1", "OWNS", share=10)
    st = effective_stakes(g, "c0", as_of=AS_OF)
    x1 = 0.9 / 0.91
    assert st["c1"] == pytest.approx(100 * x1)
    assert st["c40"] == pytest.approx(100 * x1 * 0.9**39)
    # stakes are rounded to 1e-9 percent; those that round to 0 are left out (from c248 on)
    expected = {f"c{k}" for k in range(length) if k < 2 or round(100 * x1 * 0.9 ** (k - 1), 9) > 0}
    assert set(st) == expected and len(expected) == min(length, 248)


def test_majority_holding_flagged_joint_is_a_joint_venture_from_both_sides():
    # docs/semantics.md#ownership-semantics: control=joint makes X jointly controlled unless X is controlled outright. The
    # partner's own 60% edge says control=joint (a shareholders' agreement, say), so the partner
    # does not control jv alone either: jv is a JV in both groups and its own ultimate parent.
    g = make("root", "jv", "partner")
    g.add_edge("root", "jv", "OWNS", share=40, control="joint")
    g.add_edge("partner", "jv", "OWNS", share=60, control="joint")
    assert rows(group(g, "root", as_of=AS_OF))["jv"]["controlled"] == "joint"
    p = rows(group(g, "partner", as_of=AS_OF))
    assert p["jv"]["controlled"] == "joint" and p["jv"]["membership"] == "joint"
    assert p["jv"]["effective_stake"] == pytest.approx(60.0)
    up = ultimate_parent(g, "jv", as_of=AS_OF)
    assert up.id == "jv" and up.chain == ["jv"]
    assert "Acme Partner 60% with joint control" in up.explanation
    # controlled outright by other means still wins: a further 20% through a controlled subsidiary
    g2 = make("root", "jv", "partner", "sub")
    g2.add_edge("partner", "jv", "OWNS", share=40, control="joint")
    g2.add_edge("root", "sub", "OWNS", share=100)
    g2.add_edge("root", "jv", "OWNS", share=40)
    g2.add_edge("sub", "jv", "OWNS", share=20)
    assert rows(group(g2, "root", as_of=AS_OF))["jv"]["controlled"] == "true"
    assert ultimate_parent(g2, "jv", as_of=AS_OF).id == "root"


def test_fifty_percent_plus_an_unpublished_share_is_a_possible_member_not_a_joint_venture():
    # a (100% owned) holds exactly 50% of x and root holds a further share that is not published:
    # the known shares do not decide (50% is no majority) and the unknown edge may tip it, so x is
    # a possible member (docs/semantics.md#ownership-semantics), not a 50/50 joint venture (joint ventures are excluded from
    # a `controlled`-scope agreement, which would make x's sites not_covered without the data saying so).
    g = make("root", "a", "x")
    g.add_edge("root", "a", "OWNS", share=100)
    g.add_edge("a", "x", "OWNS", share=50)
    g.add_edge("root", "x", "OWNS")
    r = rows(group(g, "root", as_of=AS_OF))
    assert r["x"]["controlled"] == "unknown" and r["x"]["membership"] == "possible"
    assert "Acme Root's share in Acme X is not published" in r["x"]["reason"]
    # when a partner's published 50% leaves no room for more, it stays a 50/50 joint venture
    g.add_node("partner", "Company", "Acme Partner")
    g.add_edge("partner", "x", "OWNS", share=50)
    r = rows(group(g, "root", as_of=AS_OF))
    assert r["x"]["controlled"] == "joint" and r["x"]["membership"] == "joint"


def test_gem_parent_assertion_is_not_counted_twice_when_the_chain_is_on_record():
    # GEM says parent holds 60% of owner (derived=gem_parent: its ultimate-parent assertion); a
    # registry gives the chain parent -100%-> mid -60%-> owner. Both describe one holding: the
    # look-through stake is 60%, not 60 + 60 = 120 (capped to 100).
    g = make("parent", "mid", "owner", "other")
    g.add_edge("parent", "owner", "OWNS", share=60, derived="gem_parent")
    g.add_edge("parent", "mid", "OWNS", share=100)
    g.add_edge("mid", "owner", "OWNS", share=60)
    assert effective_stakes(g, "parent", as_of=AS_OF)["owner"] == pytest.approx(60.0)
    assert ultimate_parent(g, "owner", as_of=AS_OF).chain == ["owner", "mid", "parent"]
    # without the chain on record, the assertion is the direct stake
    g2 = make("parent", "owner")
    g2.add_edge("parent", "owner", "OWNS", share=60, derived="gem_parent")
    assert effective_stakes(g2, "parent", as_of=AS_OF)["owner"] == pytest.approx(60.0)


def test_gem_parent_assertion_does_not_double_count_towards_control():
    # GEM: parent holds 30% of owner (ultimate-parent assertion); on record: parent -100%-> mid -30%-> owner.
    # One 30% holding seen twice is still 30%: no control from it, downward or upward.
    g = make("parent", "mid", "owner")
    g.add_edge("parent", "owner", "OWNS", share=30, derived="gem_parent")
    g.add_edge("parent", "mid", "OWNS", share=100)
    g.add_edge("mid", "owner", "OWNS", share=30)
    assert set(rows(group(g, "parent", as_of=AS_OF))) == {"parent", "mid"}
    assert ultimate_parent(g, "owner", as_of=AS_OF).id == "owner"
