"""Leverage speaks only for the data it has: the user's own organisation (``us``) is never a
lever, a category with nothing to score says why, and unknown coverage is never worded as covered.

The Acme Holding fixture is the one of ``test_leverage.py`` (its docstring draws it); the small
graphs below are drawn in each test.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.records import Source
from graphmodel.stores.snapshot import read_settings, save_snapshot
from queries.leverage import CATEGORIES, leverage, with_unscored
from tests.queries.test_leverage import AS_OF, graph  # noqa: F401  (the fixture)

S = ["src"]


def _points(df) -> set[tuple[str, str, float]]:
    return {(c, n, s) for c, n, s in zip(df["category"], df["node_id"], df["score"])}


def test_our_own_organisation_is_left_out_and_reported(graph: CampaignGraph) -> None:  # noqa: F811
    # Union One is affiliated to Union Three; naming Union Three as "us" leaves out its one point only
    graph.add_edge("u1", "u3", "AFFILIATED_TO", sources=S)
    full = leverage(graph, "acme", as_of=AS_OF)
    ours = leverage(graph, "acme", as_of=AS_OF, us=["Union Three"])
    u3 = ("internal_solidarity", "u3", 1.5)  # network_member 1 + represents_group_site 0.5 (Site Three)
    assert u3 in _points(full)
    assert _points(ours) == _points(full) - {u3}
    assert ("internal_solidarity", "u1", 1.5) in _points(ours)  # its affiliate still counts
    assert ours.attrs["us"] == [{"id": "u3", "name": "Union Three"}]
    assert ours.attrs["excluded"] == [{
        "category": "internal_solidarity", "node_id": "u3", "node": "Union Three",
        "explanation": "Union Three is a member of Acme World Union Network and represents 1 group site (Site Three)",
    }]
    # named by id: the same answer
    by_id = leverage(graph, "acme", as_of=AS_OF, us=["u3"])
    assert _points(by_id) == _points(ours) and by_id.attrs["excluded"] == ours.attrs["excluded"]
    with pytest.raises(CampaignGraphError, match=r"^your own organisation \(--us\): no node matches 'Nobody'"):
        leverage(graph, "acme", as_of=AS_OF, us=["Nobody"])


def test_a_category_left_with_only_our_organisation_says_so() -> None:
    g = CampaignGraph()
    g.add_source(Source("src", title="Fictional notes"))
    g.add_node("acme", "Company", "Acme Holding", sources=S)
    g.add_node("fed", "Union", "Global Federation", sources=S)
    g.add_node("net", "UnionNetwork", "Acme Network", company="acme", sources=S)
    g.add_edge("fed", "net", "MEMBER_OF", sources=S)
    df = leverage(g, "acme", as_of=AS_OF, us=["Global Federation"])
    assert df.empty
    assert df.attrs["unscored"]["internal_solidarity"] == (
        "only your own organisation (Global Federation) was found, left out — nothing scored")


def test_no_country_nodes_means_standards_and_law_has_no_data() -> None:
    """Acme Holding (DE) operates Site One (coal, ZA); Fund X holds 10% of Acme Holding, with
    union trustees. Finance is the only category with data: 1 + 3 + 0.05 × 10 = 4.5."""
    g = CampaignGraph()
    g.add_source(Source("src", title="Fictional notes"))
    g.add_node("acme", "Company", "Acme Holding", country="DE", sources=S)
    g.add_node("s1", "Site", "Site One", country="ZA", commodity="coal", sources=S)
    g.add_edge("acme", "s1", "OPERATES", sources=S)
    g.add_node("fund", "Investor", "Fund X", workers_capital=True, sources=S)
    g.add_edge("fund", "acme", "OWNS", share=10, sources=S)
    df = leverage(g, "acme", as_of=AS_OF)
    assert list(df["category"]) == ["finance"] and list(df["score"]) == [4.5]
    unscored = df.attrs["unscored"]
    assert set(unscored) == set(CATEGORIES) - {"finance"}
    assert unscored["standards_and_law"] == (
        "no country data loaded (no Country nodes); no initiatives loaded (no Initiative nodes) — nothing scored")
    assert unscored["internal_solidarity"].startswith(
        "no group site is known to have a recognised union and a collective agreement in force (of 1 site, 1 unknown)")
    assert unscored["history"] == "no events loaded (no Event nodes); no renaming on record — nothing scored"
    # with Country nodes loaded (none relevant) the reason changes: data is there, nothing applies
    g.add_node("ZA", "Country", "South Africa", sources=S)
    assert leverage(g, "acme", as_of=AS_OF).attrs["unscored"]["standards_and_law"].startswith(
        "no due-diligence law or relevant ILO ratification on record for the group's countries")
    # the table form: one row per empty category, score empty, after the points
    table = with_unscored(df)
    assert list(table["category"]) == ["finance", *[c for c in CATEGORIES if c != "finance"]]
    assert table["score"].iloc[1:].isna().all() and table["node_id"].iloc[1:].isna().all()


def _unknown_group() -> CampaignGraph:
    """Acme Holding operates Site A, B, C (coal, ZA), nothing recorded about unions at any; Acme GFA
    (scope controlled, in force) is signed by Acme Holding."""
    g = CampaignGraph()
    g.add_source(Source("src", title="Fictional notes"))
    g.add_node("acme", "Company", "Acme Holding", sources=S)
    for s in ("A", "B", "C"):
        g.add_node(f"s{s}", "Site", f"Site {s}", country="ZA", commodity="coal", sources=S)
        g.add_edge("acme", f"s{s}", "OPERATES", sources=S)
    g.add_node("gfa", "Agreement", "Acme GFA", agreement_type="gfa", signed="2020-01-01", scope="controlled", sources=S)
    g.add_edge("acme", "gfa", "PARTY_TO", role="employer", sources=S)
    return g


def test_unknown_sites_are_counted_never_read_as_covered() -> None:
    df = leverage(_unknown_group(), "acme", as_of=AS_OF)
    p = df[df["node_id"] == "gfa"].iloc[0]
    assert p["explanation"] == (
        "Acme GFA (global framework agreement, in force) is signed by Acme Holding; "
        "of 3 group sites under it, 0 known to be uncovered, 0 covered, 3 unknown"
    )
    assert p["score"] == 2.0  # agreement_in_force only: no site is known to be uncovered
    texts = " ".join([*df["explanation"], *df.attrs["unscored"].values()])
    for claim in ("no uncovered", "all covered", "fully covered", "every site is covered"):
        assert claim not in texts


def test_a_strong_site_counts_the_unknown_sites_of_its_commodity() -> None:
    """Site A gets a recognised union and a CBA in force; B and C stay unknown: nothing to pair
    (no site known to be uncovered), and the text counts them as unknown."""
    g = _unknown_group()
    g.add_node("u", "Union", "Union A", sources=S)
    g.add_edge("u", "sA", "REPRESENTS", recognised=True, sources=S)
    g.add_node("cba", "Agreement", "CBA A", agreement_type="cba", signed="2023-01-01", expires="2027-01-01", sources=S)
    g.add_edge("cba", "sA", "COVERS", sources=S)
    df = leverage(g, "acme", as_of=AS_OF)
    p = df[(df["category"] == "internal_solidarity") & (df["node_id"] == "sA")].iloc[0]
    assert p["explanation"] == (
        "Site A has a recognised union (Union A) and a collective agreement in force; "
        "of 2 group sites with commodity coal, 0 known to be uncovered, 0 covered, 2 unknown"
    )
    assert p["score"] == 2.0  # strong_site only
    gfa = df[df["node_id"] == "gfa"].iloc[0]
    assert gfa["explanation"].endswith("of 3 group sites under it, 0 known to be uncovered, 1 covered, 2 unknown")


def test_cli_leverage_us_by_name_id_setting_and_unknown(graph: CampaignGraph, tmp_path) -> None:  # noqa: F811
    from exports.cli.main import cli

    snap = tmp_path / "snap"
    save_snapshot(graph, snap)
    run = CliRunner().invoke
    base = ["leverage", str(snap), "--company", "Acme Holding", "--as-of", AS_OF, "--format", "json"]
    for us in ("Union Three", "u3"):
        res = run(cli, [*base, "--us", us])
        assert res.exit_code == 0, res.output
        rows = json.loads(res.stdout)
        u3 = [r for r in rows if r["node_id"] == "u3"]
        assert u3 == [{**u3[0], "score": None, "explanation": "not scored: Union Three is your own organisation (--us)"}]
        assert not any(r["score"] is not None and r["node_id"] == "u3" for r in rows)
    res = run(cli, [*base[:-2], "--us", "Nobody"])
    assert res.exit_code == 1 and res.output.strip() == "error: your own organisation (--us): no node matches 'Nobody'"
    # the table names the organisation left out
    res = run(cli, [*base[:-2], "--us", "u3"])
    assert res.exit_code == 0 and "not scored (your organisation): Union Three" in res.output
    # the snapshot's setting is the default
    save_snapshot(graph, snap, settings={"us": ["u3"]})
    rows = json.loads(run(cli, base).stdout)
    assert [r["score"] for r in rows if r["node_id"] == "u3"] == [None]


def test_load_us_writes_the_setting_and_refuses_an_unknown_name(tmp_path) -> None:
    from exports.cli.main import cli
    from tests.shared_data import SHARED_DATA

    table = SHARED_DATA / "agreements" / "agreements.csv"
    run = CliRunner().invoke
    res = run(cli, ["load", str(table), "-o", str(tmp_path / "snap"), "--us", "IndustriALL Global Union"])
    assert res.exit_code == 0, res.output
    assert read_settings(tmp_path / "snap") == {"us": ["union-industriall-global-union"]}
    # agreements.csv row 7: IndustriALL is a member of the ArcelorMittal network; the setting leaves it out
    rows = json.loads(run(cli, ["leverage", str(tmp_path / "snap"), "--company", "co-arcelormittal",
                                "--as-of", AS_OF, "--format", "json"]).stdout)
    assert [r["score"] for r in rows if r["node_id"] == "union-industriall-global-union"] == [None]
    # the agreements table loads no Country nodes: the JSON says so in a row of its own
    std = [r for r in rows if r["category"] == "standards_and_law"]
    assert len(std) == 1 and std[0]["score"] is None and std[0]["node_id"] is None
    assert std[0]["explanation"].startswith("no country data loaded (no Country nodes)")
    bad = run(cli, ["load", str(table), "-o", str(tmp_path / "bad"), "--us", "No Such Federation"])
    assert bad.exit_code == 1 and "no node matches 'No Such Federation'" in bad.output
    assert not (tmp_path / "bad").exists()


def test_the_us_setting_survives_resolve_and_snapshot_copies(graph: CampaignGraph, tmp_path) -> None:  # noqa: F811
    from exports.cli.main import cli

    snap = tmp_path / "snap"
    save_snapshot(graph, snap, settings={"us": ["u3"]})
    run = CliRunner().invoke
    for args, out in ((["resolve", str(snap), "-o", str(tmp_path / "resolved")], "resolved"),
                      (["snapshot", str(snap), "-o", str(tmp_path / "red"), "--redact"], "red"),
                      (["snapshot", str(snap), "-o", str(tmp_path / "split"), "--split-sensitive"], "split")):
        res = run(cli, args)
        assert res.exit_code == 0, res.output
        assert read_settings(tmp_path / out) == {"us": ["u3"]}
    # a hand-edited setting of the wrong shape is one clear line naming the manifest
    manifest = snap / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    manifest.write_text(json.dumps({**data, "settings": {"us": "u3"}}), encoding="utf-8")
    res = run(cli, ["leverage", str(snap), "--company", "acme"])
    assert res.exit_code == 1 and len(res.output.strip().splitlines()) == 1
    assert "settings.us a list of ids" in res.output and "manifest.json" in res.output
