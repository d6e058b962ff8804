"""Linking at load (loaders.linking): the safe rule on hand-made fixtures and on the real files.

Real rows cited: ``data/agreements/agreements.csv`` names "ArcelorMittal", "thyssenkrupp",
"Vallourec", "Rio Tinto", "Glencore"; the GEM plants file has ``ArcelorMittal SA``
(``E100000000687``), ``ArcelorMittal South Africa Ltd`` (``E100001000504``), ``thyssenkrupp AG``
(``E100000004212``), ``Vallourec SA`` (``E100001010324``), ``Rio Tinto PLC`` (``E100000001119``);
the iron ore workbook adds ``Rio Tinto Ltd`` (``E100002002847``); the coal file (no entity ids)
has ``Glencore`` and ``Glencore PLC``.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from exports.cli.main import cli
from graphmodel.graph import CampaignGraph
from graphmodel.records import Source
from loaders.linking import link_companies
from loaders.registry import load_paths
from tests.shared_data import SHARED_DATA

PLANTS = SHARED_DATA / "gem-iron-steel-plants-2025-03-25.csv"
COAL = SHARED_DATA / "gem-coal-mines-2024-05-22.csv"
ORE = SHARED_DATA / "gem-iron-ore-mines-2024-11.xlsx"
AGREEMENTS = SHARED_DATA / "agreements" / "agreements.csv"


def graph(*nodes: tuple) -> CampaignGraph:
    g = CampaignGraph()
    g.add_source(Source("s", title="Fictional test source"))
    for nid, name, props in nodes:
        g.add_node(nid, "Company", name, sources=["s"], **props)
    return g


# ---------------------------------------------------------------------------- the rule, by hand
def test_identifier_match_links_whatever_the_names():
    g = graph(("acme-a", "Acme Steel SA", {"lei": "529900T8BM49AURSDO55"}),
              ("acme-b", "Acme Holding (Luxembourg)", {"lei": "529900t8bm49aursdo55"}))
    r = link_companies(g)
    assert [(x.keep, x.drop, x.how) for x in r.links] == [("acme-a", "acme-b", "identifier")]
    assert "529900T8BM49AURSDO55" in r.links[0].evidence
    assert g.node("acme-a")["linked_ids"] == ["acme-b"]
    assert "Acme Holding (Luxembourg)" in g.node("acme-a")["aliases"]
    assert g.resolve("acme-b") == "acme-a"  # the dropped id still finds the company


def test_name_key_match_links_a_name_only_record_to_the_full_name():
    g = graph(("co-glencore", "Glencore", {}), ("gem-glencore-plc", "Glencore PLC", {}))
    g.add_node("site", "Site", "Mine", sources=["s"])
    g.add_edge("gem-glencore-plc", "site", "OPERATES", sources=["s"])  # the better-connected node is kept
    r = link_companies(g)
    assert [(x.keep, x.drop, x.how) for x in r.links] == [("gem-glencore-plc", "co-glencore", "name")]
    assert r.unlinked == []
    assert sorted(g.node_ids("Company")) == ["gem-glencore-plc"]


def test_two_gem_ids_contradict_a_name_match():
    g = graph(("E100000000001", "Zeta Ore SA", {"gem_id": ["E100000000001"]}),
              ("E100000000002", "Zeta Ore S.A.", {"gem_id": ["E100000000002"]}))
    r = link_companies(g)
    assert r.links == []
    assert sorted(g.node_ids("Company")) == ["E100000000001", "E100000000002"]


def test_a_name_fitting_several_distinct_companies_is_reported_with_its_candidates():
    g = graph(("co-rio-tinto", "Rio Tinto", {}),
              ("E100000001119", "Rio Tinto PLC", {"gem_id": ["E100000001119"]}),
              ("E100002002847", "Rio Tinto Ltd", {"gem_id": ["E100002002847"]}))
    r = link_companies(g)
    assert r.links == []
    assert [(u.id, u.candidates) for u in r.unlinked] == [
        ("co-rio-tinto", (("E100000001119", "Rio Tinto PLC"), ("E100002002847", "Rio Tinto Ltd")))
    ]
    assert "several distinct entities" in r.unlinked[0].reason
    d = r.as_dict()
    assert d["unlinked"][0]["candidates"] == [{"id": "E100000001119", "name": "Rio Tinto PLC"},
                                              {"id": "E100002002847", "name": "Rio Tinto Ltd"}]


def test_arcelormittal_south_africa_is_never_linked_to_arcelormittal_sa():
    g = graph(("E100000000687", "ArcelorMittal SA", {"gem_id": ["E100000000687"]}),
              ("E100001000504", "ArcelorMittal South Africa Ltd", {"gem_id": ["E100001000504"]}),
              ("co-arcelormittal", "ArcelorMittal", {}))
    r = link_companies(g)
    assert [(x.keep, x.drop) for x in r.links] == [("E100000000687", "co-arcelormittal")]
    assert "linked_ids" not in g.node("E100001000504")
    assert sorted(g.node_ids("Company")) == ["E100000000687", "E100001000504"]


def test_different_legal_forms_without_ids_are_listed_not_linked():
    g = graph(("acme-ltd", "Acme Steel Works Ltd", {}), ("acme-plc", "Acme Steel Works PLC", {}))
    r = link_companies(g)
    assert r.links == []
    assert [(u.id, [c for c, _ in u.candidates]) for u in r.unlinked] == [("acme-ltd", ["acme-plc"])]


# ---------------------------------------------------------------------------- real files
@pytest.fixture(scope="module")
def steel():
    return load_paths([PLANTS, AGREEMENTS])


def test_plain_load_links_the_agreements_companies_to_gem(steel):
    g, ctx = steel
    links = {(x.drop, x.keep) for x in ctx.links.links}
    assert {("co-arcelormittal", "E100000000687"), ("co-thyssenkrupp", "E100000004212"),
            ("co-vallourec", "E100001010324")} <= links
    assert not any("E100001000504" in pair for pair in links)
    assert g.has_edge("PARTY_TO:E100000004212->thyssenkrupp-2015-gfa")
    assert g.has_edge("PARTY_TO:E100001010324->vallourec-2008-gfa")
    # Arcelor (2005 GFA) is another company: its own node, MERGED_INTO the linked ArcelorMittal SA
    assert g.has_node("co-arcelor")
    assert [(u, v, a["mode"]) for _e, u, v, a in g.edges("MERGED_INTO") if u == "co-arcelor"] == [
        ("co-arcelor", "E100000000687", "merger")]


def test_load_report_and_summary_list_links_and_unlinked_names(tmp_path):
    report = tmp_path / "load.json"
    res = CliRunner().invoke(cli, ["load", str(PLANTS), str(ORE), str(COAL), str(AGREEMENTS), "-o",
                                   str(tmp_path / "snap"), "--report", str(report)])
    assert res.exit_code == 0, res.output
    data = json.loads(report.read_text(encoding="utf-8"))
    made = {(x["drop"], x["keep"]): x for x in data["links"]}
    assert made[("co-arcelormittal", "E100000000687")]["how"] == "name"
    assert "arcelormittal" in made[("co-arcelormittal", "E100000000687")]["evidence"]
    assert ("gem-glencore", "gem-glencore-plc") in made  # coal file: "Glencore" and "Glencore PLC"
    assert ("co-glencore", "gem-glencore-plc") in made
    rio = [u for u in data["unlinked"] if u["id"] == "co-rio-tinto"]
    assert [sorted(c["id"] for c in u["candidates"]) for u in rio] == [["E100000001119", "E100002002847"]]
    assert "Rio Tinto [co-rio-tinto] -> Rio Tinto PLC [E100000001119] / Rio Tinto Ltd [E100002002847]" in res.output
    # --company: a linked name answers with the GEM company; an ambiguous one lists candidates
    snap = str(tmp_path / "snap")
    res = CliRunner().invoke(cli, ["coverage", snap, "--company", "Rio Tinto", "--format", "json"])
    assert res.exit_code == 1 and "Traceback" not in res.output
    line = res.output.strip()
    assert "\n" not in line
    assert "Rio Tinto PLC [E100000001119]" in line and "Rio Tinto Ltd [E100002002847]" in line
    assert "--company E1" in line and "site(s) in its group" in line
    res = CliRunner().invoke(cli, ["coverage", snap, "--company", "Glencore", "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert rows and {r["chain"].split(" > ")[0] for r in rows} == {"gem-glencore-plc"}  # the group of Glencore PLC


def test_bods_statements_with_one_registry_id_are_linked():
    # bods/*.json: two entity statements of "Platinum Emerald and Plutonim Mining Limited" carry the
    # same registry identifier (gb-coh XE-000079054)
    g, ctx = load_paths([SHARED_DATA / "bods"])
    made = [x for x in ctx.links.links if x.how == "identifier"]
    assert [x.keep_name for x in made] == ["Platinum Emerald and Plutonim Mining Limited"]
    assert "gb-coh:xe-000079054" in made[0].evidence
    assert g.counts_by_kind()["nodes"]["Company"] == 32  # 33 statements' companies, two of them one entity


def test_company_option_lists_candidates_with_their_site_counts(tmp_path):
    from graphmodel.stores.snapshot import save_snapshot

    g = graph(("zeta", "Zeta Mining", {}),
              ("E100000000011", "Zeta Mining PLC", {"gem_id": ["E100000000011"]}),
              ("E100000000012", "Zeta Mining Ltd", {"gem_id": ["E100000000012"]}),
              ("zeta-sub", "Zeta Coal Pty Ltd", {}))
    g.add_edge("E100000000011", "zeta-sub", "OWNS", share=100, sources=["s"])
    for sid, op in (("m1", "E100000000011"), ("m2", "zeta-sub"), ("m3", "E100000000012")):
        g.add_node(sid, "Site", f"Mine {sid}", sources=["s"])
        g.add_edge(op, sid, "OPERATES", sources=["s"])
    snap = tmp_path / "snap"
    save_snapshot(g, snap)
    run = CliRunner().invoke
    res = run(cli, ["coverage", str(snap), "--company", "Zeta Mining"])
    assert res.exit_code == 1
    assert res.output.strip() == (
        "error: 'Zeta Mining' fits 3 company nodes: Zeta Mining [zeta]: 0 site(s) in its group; "
        "Zeta Mining Ltd [E100000000012]: 1 site(s) in its group; Zeta Mining PLC [E100000000011]: 2 site(s) "
        "in its group; choose one with --company <id>, e.g. --company E100000000011")
    res = run(cli, ["group", str(snap), "Zeta Mining"])
    assert res.exit_code == 1 and "give one of the ids instead, e.g. E100000000011" in res.output
    res = run(cli, ["coverage", str(snap), "--company", "E100000000011", "--format", "json"])
    assert res.exit_code == 0 and {r["site_id"] for r in json.loads(res.stdout)} == {"m1", "m2"}
    res = run(cli, ["coverage", str(snap), "--company", "Zeta Mining PLC", "--format", "json"])  # typed as recorded
    assert res.exit_code == 0 and {r["site_id"] for r in json.loads(res.stdout)} == {"m1", "m2"}


def test_rows_added_later_follow_an_id_linked_at_load() -> None:
    """load_onto: a row naming an id that linking folded into another company meets the kept company, as a
    fresh load would have (the dropped record's name an alias, its edges moved, a network's company moved)."""
    from graphmodel.records import EdgeRecord, NodeRecord
    from loaders.context import LoadContext
    from loaders.registry import follow_links

    g = CampaignGraph()
    g.add_node("E1", "Company", "Acme Steel SA", gem_id=["E1"], linked_ids=["co-acme"])
    g.add_node("site", "Site", "Works")
    ctx = LoadContext()
    ctx.emit_node(NodeRecord("co-acme", "Company", "Acme Steel", {"country": "FR"}))
    ctx.emit_node(NodeRecord("co-acme", "Company", "Acme Steel SA"))
    ctx.emit_node(NodeRecord("net", "UnionNetwork", "Acme network", {"company": "co-acme"}))
    ctx.emit_node(NodeRecord("other", "Company", "Other"))
    ctx.emit_edge(EdgeRecord("co-acme", "site", "OPERATES"))
    follow_links(g, ctx)
    assert [(r.id, r.name, r.props) for r, _, _ in ctx.nodes] == [
        ("E1", None, {"country": "FR", "aliases": ["Acme Steel"]}),
        ("E1", "Acme Steel SA", {}),
        ("net", "Acme network", {"company": "E1"}),
        ("other", "Other", {}),
    ]
    assert [(e.source, e.target) for e, _, _ in ctx.edges] == [("E1", "site")]
