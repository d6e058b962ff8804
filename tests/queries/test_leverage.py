"""leverage() on a small fictional group: one worked point (explanation and score) per category.

The group of Acme Holding (all names fictional), as of 2024-06-01:

    Acme Holding (DE, listed) --OWNS 100%--> Acme Steel GmbH ; --OWNS 50% joint--> Acme-Beta JV <--50% joint-- Beta Metals
    Acme Steel GmbH operates Site One (steel, DE: recognised Union One, CBA One to 2025-03-31)
                         and Site Two (steel, DE: union_status=none -> uncovered)
    Acme Holding operates Site Three (steel, ZA: cba_status=none -> uncovered)
                      and Site Four (iron ore, ZA: recognised Union Four, CBA Four to 2025-05-15)
    Acme-Beta JV operates Site Five (ZA)
    Acme GFA (scope controlled, freedom-of-association clause) signed by Acme Holding; Beta GFA signed by Beta Metals
    Supply: Supplier Mine -> Site Four -> Site One -> Customer Plant (operated by Car Co: listed, H&S agreement,
            certified by Steel Standard X)
    Investors: Workers Pension Fund (union trustees) 5% of Acme Holding; Big Asset Manager 10%
    Site One certified by Steel Standard X (grievance mechanism); an OECD Guidelines initiative node exists
    Countries: DE (due-diligence law; ILO C087, C098), ZA (C087, C098, C176)
    Event: union busting at Site Two (severity 3); Acme Steel Works AG was renamed to Acme Steel GmbH
    Acme World Union Network (company: Acme Holding): Union One and Union Three members
"""

from __future__ import annotations

import sys

import pytest

from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.records import Source
from queries.leverage import CATEGORIES, DEFAULT_WEIGHTS, leverage

AS_OF = "2024-06-01"


@pytest.fixture()
def graph() -> CampaignGraph:
    g = CampaignGraph()
    g.add_source(Source("src", title="Fictional research notes"))
    S = ["src"]
    companies = [
        ("acme", "Acme Holding", {"country": "DE", "listed": True}),
        ("acme-steel", "Acme Steel GmbH", {"country": "DE"}),
        ("jv", "Acme-Beta JV", {"country": "ZA"}),
        ("beta", "Beta Metals", {"country": "AU"}),
        ("carco", "Car Co", {"country": "FR", "listed": True}),
        ("old", "Acme Steel Works AG", {"country": "DE"}),
    ]
    for i, name, props in companies:
        g.add_node(i, "Company", name, sources=S, **props)
    sites = [
        ("s1", "Site One", {"commodity": "steel", "country": "DE", "workforce": 1000}),
        ("s2", "Site Two", {"commodity": "steel", "country": "DE", "workforce": 400, "union_status": "none",
                            "union_status_date": "2024-01-15"}),
        ("s3", "Site Three", {"commodity": "steel", "country": "ZA", "workforce": 700, "cba_status": "none",
                              "cba_status_date": "2024-02-01"}),
        ("s4", "Site Four", {"commodity": "iron ore", "country": "ZA", "workforce": 300}),
        ("s5", "Site Five", {"commodity": "coal", "country": "ZA"}),
        ("cust", "Customer Plant", {"commodity": "cars", "country": "FR"}),
        ("mine", "Supplier Mine", {"commodity": "iron ore", "country": "BR"}),
    ]
    for i, name, props in sites:
        g.add_node(i, "Site", name, sources=S, **props)
    for i, name in [("u1", "Union One"), ("u3", "Union Three"), ("u4", "Union Four")]:
        g.add_node(i, "Union", name, sources=S)
    g.add_node("net", "UnionNetwork", "Acme World Union Network", company="acme", sources=S)
    g.add_node("cba1", "Agreement", "CBA One", agreement_type="cba", signed="2023-01-01", expires="2025-03-31", sources=S)
    g.add_node("cba4", "Agreement", "CBA Four", agreement_type="cba", signed="2023-05-01", expires="2025-05-15", sources=S)
    g.add_node("gfa", "Agreement", "Acme GFA", agreement_type="gfa", signed="2020-01-01", scope="controlled",
               clauses=["freedom of association"], sources=S)
    g.add_node("gfa-beta", "Agreement", "Beta GFA", agreement_type="gfa", signed="2019-01-01", scope="controlled",
               sources=S)
    g.add_node("hs-car", "Agreement", "Car Co H&S", agreement_type="hs", signed="2021-01-01", sources=S)
    g.add_node("ssx", "Initiative", "Steel Standard X", grievance_mechanism=True, sources=S)
    g.add_node("oecd", "Initiative", "OECD Guidelines for MNEs", grievance_mechanism=True, sources=S)
    g.add_node("wpf", "Investor", "Workers Pension Fund", workers_capital=True, sources=S)
    g.add_node("bam", "Investor", "Big Asset Manager", workers_capital=False, sources=S)
    g.add_node("DE", "Country", "Germany", due_diligence_laws=["DE supply-chain act"], ilo_ratifications=["C087", "C098"])
    g.add_node("ZA", "Country", "South Africa", ilo_ratifications=["C087", "C098", "C176"])
    g.add_node("ev1", "Event", "Dismissal of union organisers at Site Two", event_type="union_busting",
               date="2023-05-01", severity=3, sources=S)

    e = g.add_edge
    e("acme", "acme-steel", "OWNS", share=100, sources=S)
    e("acme", "jv", "OWNS", share=50, control="joint", sources=S)
    e("beta", "jv", "OWNS", share=50, control="joint", sources=S)
    e("acme-steel", "s1", "OPERATES", sources=S)
    e("acme-steel", "s2", "OPERATES", sources=S)
    e("acme", "s3", "OPERATES", sources=S)
    e("acme", "s4", "OPERATES", sources=S)
    e("jv", "s5", "OPERATES", sources=S)
    e("carco", "cust", "OPERATES", sources=S)
    e("u1", "s1", "REPRESENTS", recognised=True, sources=S)
    e("u3", "s3", "REPRESENTS", recognised=True, sources=S)
    e("u4", "s4", "REPRESENTS", recognised=True, sources=S)
    e("u1", "net", "MEMBER_OF", sources=S)
    e("u3", "net", "MEMBER_OF", sources=S)
    e("cba1", "s1", "COVERS", sources=S)
    e("cba4", "s4", "COVERS", sources=S)
    e("acme", "gfa", "PARTY_TO", role="employer", sources=S)
    e("beta", "gfa-beta", "PARTY_TO", role="employer", sources=S)
    e("carco", "hs-car", "PARTY_TO", role="employer", sources=S)
    e("mine", "s4", "SUPPLIES", commodity="iron ore", sources=S)
    e("s4", "s1", "SUPPLIES", commodity="iron ore", sources=S)
    e("s1", "cust", "SUPPLIES", commodity="steel", sources=S)
    e("wpf", "acme", "OWNS", share=5, sources=S)
    e("bam", "acme", "OWNS", share=10, sources=S)
    e("s1", "ssx", "CERTIFIED_BY", sources=S)
    e("carco", "ssx", "CERTIFIED_BY", sources=S)
    e("ev1", "s2", "INVOLVES", sources=S)
    e("old", "acme-steel", "RENAMED_TO", date="2015-01-01", sources=S)
    return g


def _point(df, category: str, node_id: str, factor: str | None = None) -> dict:
    sel = df[(df["category"] == category) & (df["node_id"] == node_id)]
    if factor is not None:
        sel = sel[sel["factors"].map(lambda f: factor in f)]
    assert len(sel) == 1, f"expected one {category} point for {node_id}, got {len(sel)}"
    return sel.iloc[0].to_dict()


@pytest.fixture()
def result(graph: CampaignGraph):
    return leverage(graph, "Acme Holding", as_of=AS_OF)


def test_every_category_present(result) -> None:
    assert set(result["category"]) == set(CATEGORIES)
    assert list(result.columns[:6]) == ["category", "node_id", "node", "score", "explanation", "evidence"]
    # ordered by score, highest first
    assert result["score"].tolist() == sorted(result["score"].tolist(), reverse=True)


def test_internal_solidarity_strong_site_paired(result) -> None:
    p = _point(result, "internal_solidarity", "s1")
    assert p["explanation"] == (
        "Site One has a recognised union (Union One) and a collective agreement in force; it can support "
        "Site Two (same commodity steel, same country DE) and Site Three (same commodity steel, other countries)"
    )
    # strong_site 2 + one same-country pair 1 + one other-country pair 0.5
    assert p["factors"] == {"strong_site": 2.0, "paired_same_commodity_country": 1.0, "paired_same_commodity": 0.5}
    assert p["score"] == 3.5
    assert p["evidence"][:3] == ["s1", "u1", "REPRESENTS:u1->s1"]
    assert p["sources"] == ["src"]
    lone = _point(result, "internal_solidarity", "s4")
    assert lone["explanation"].endswith("no other group site has its commodity")
    assert lone["score"] == 2.0


def test_internal_solidarity_network_union(result) -> None:
    p = _point(result, "internal_solidarity", "u3")
    assert p["explanation"] == "Union Three is a member of Acme World Union Network and represents 1 group site (Site Three)"
    assert p["score"] == 1.5  # network_member 1 + represents_group_site 0.5


def test_agreements_gfa_invocable_at_uncovered_sites(result) -> None:
    p = _point(result, "agreements", "gfa")
    assert p["explanation"] == (
        "Acme GFA (global framework agreement, in force) is signed by Acme Holding; it can be invoked at "
        "2 uncovered group sites: Site Two, Site Three; it has a freedom-of-association clause"
    )
    assert p["score"] == 5.0  # agreement_in_force 2 + 2 invocable sites × 1 + foa_clause 1
    assert "PARTY_TO:acme->gfa" in p["evidence"]


def test_agreements_jv_partner(result) -> None:
    p = _point(result, "agreements", "gfa-beta")
    assert p["explanation"] == (
        "Beta Metals, co-owner of the joint venture Acme-Beta JV, is bound by Beta GFA "
        "(global framework agreement, in force): it can be raised at the joint venture"
    )
    assert p["score"] == 1.5


def test_supply_chain_partner(result) -> None:
    p = _point(result, "supply_chain", "cust")
    assert p["explanation"] == (
        "Customer Plant is a customer of Site One; bound by Car Co H&S; certified by / member of Steel Standard X; "
        "brand exposure: Car Co is listed"
    )
    # supply_link 1 + one agreement 1.5 + one certification 1 + brand exposure 1
    assert p["score"] == 4.5
    assert p["factors"] == {"supply_link": 1.0, "partner_agreement": 1.5, "partner_certification": 1.0,
                            "brand_exposure": 1.0}
    assert _point(result, "supply_chain", "mine")["explanation"] == "Supplier Mine is a supplier of Site Four"


def test_supply_chain_chokepoint(result) -> None:
    # the supply network is the path Supplier Mine - Site Four - Site One - Customer Plant: Site Four and
    # Site One are cut vertices; each lies on 2 of the 3 pairs' shortest paths not ending at it: 2 / 3
    rows = result[(result["category"] == "supply_chain") & (result["factors"].map(lambda f: "articulation_point" in f))]
    assert sorted(rows["node_id"]) == ["s1", "s4"]
    p = rows[rows["node_id"] == "s1"].iloc[0]
    assert p["explanation"] == (
        "Site One (group) is a supply-chain chokepoint: losing it splits its supply network into 2 parts; betweenness 0.67"
    )
    assert p["score"] == pytest.approx(4.0)  # articulation_point 2 + betweenness 3 × 2/3
    assert result.attrs["engine"] in ("igraph", "networkx")


def test_chokepoints_same_with_networkx(graph: CampaignGraph, result, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "igraph", None)  # import igraph now raises ImportError
    nx_result = leverage(graph, "acme", as_of=AS_OF)
    assert nx_result.attrs["engine"] == "networkx"
    cols = ["category", "node_id", "score", "explanation"]
    assert nx_result[cols].values.tolist() == result[cols].values.tolist()


def test_finance_union_trustees_first(result) -> None:
    fin = result[result["category"] == "finance"]
    assert fin["node_id"].tolist() == ["wpf", "bam"]
    p = fin.iloc[0]
    assert p["explanation"] == "Workers Pension Fund (workers’ capital: union trustees) holds 5% of Acme Holding"
    assert p["score"] == pytest.approx(4.25)  # investor 1 + workers_capital 3 + 5% × 0.05
    assert fin.iloc[1]["score"] == pytest.approx(1.5)  # investor 1 + 10% × 0.05


def test_standards_and_law(result) -> None:
    cert = _point(result, "standards_and_law", "ssx")
    assert cert["explanation"] == "Site One is certified by / member of Steel Standard X, which has a grievance mechanism"
    assert cert["score"] == 2.5
    law = _point(result, "standards_and_law", "DE", factor="due_diligence_law")
    assert law["explanation"] == "Acme Holding is based in Germany, where DE supply-chain act applies"
    assert law["score"] == 2.0
    de = _point(result, "standards_and_law", "DE", factor="ilo_convention")
    assert de["explanation"] == "Germany has ratified ILO C087, C098; 2 group sites are there (Site One, Site Two)"
    assert de["score"] == pytest.approx(1.5)
    za = _point(result, "standards_and_law", "ZA")
    assert za["explanation"] == (
        "South Africa has ratified ILO C087, C098, C176; 3 group sites are there (Site Three, Site Four, Site Five)"
    )
    assert za["score"] == pytest.approx(2.25)  # 3 conventions × 0.5 + 3 sites × 0.25
    ncp = _point(result, "standards_and_law", "oecd")
    assert ncp["explanation"].startswith(
        "OECD Guidelines for MNEs: a specific instance about the group's conduct can go to the National Contact Point of DE, ZA"
    )
    assert ncp["score"] == 1.5


def test_bargaining_calendar_window(result) -> None:
    p = _point(result, "bargaining_calendar", "cba1")
    assert p["explanation"] == (
        "2 collective agreements covering 2 group sites (1300 workers recorded) expire between 2025-03-31 and 2025-05-15: "
        "a window for coordinated bargaining (CBA One, CBA Four)"
    )
    assert p["score"] == 3.0  # 2 agreements × 1 + 2 sites × 0.5


def test_history(result) -> None:
    ev = _point(result, "history", "ev1")
    assert ev["explanation"] == (
        "2023-05-01: union busting at Site Two — Dismissal of union organisers at Site Two (severity 3)"
    )
    assert ev["score"] == 2.5  # event 1 + severity 3 × 0.5
    ren = _point(result, "history", "acme-steel")
    assert ren["explanation"].startswith("Acme Steel Works AG was renamed to Acme Steel GmbH on 2015-01-01")
    assert ren["score"] == 1.0


def test_weights_override_and_parts_add_up(graph: CampaignGraph, result) -> None:
    doubled = leverage(graph, "acme", as_of=AS_OF, weights={"finance": 2.0, "workers_capital": 0})
    wpf = _point(doubled, "finance", "wpf")
    assert wpf["score"] == pytest.approx(2 * (1 + 0.25))
    assert wpf["factors"]["workers_capital"] == 0.0  # the factor is shown, weighted to nothing
    for f, s in zip(result["factors"], result["score"]):
        assert sum(f.values()) == pytest.approx(s)
    assert set(DEFAULT_WEIGHTS) >= set(CATEGORIES)
    with pytest.raises(CampaignGraphError, match="unknown leverage weight 'charm'"):
        leverage(graph, "acme", weights={"charm": 1})


def test_as_of_after_expiry_drops_the_window(graph: CampaignGraph) -> None:
    later = leverage(graph, "acme", as_of="2025-04-15")  # CBA One has expired, CBA Four alone left
    assert "bargaining_calendar" not in set(later["category"])


def test_unknown_company_is_a_clear_error(graph: CampaignGraph) -> None:
    with pytest.raises(CampaignGraphError, match="no Company matches"):
        leverage(graph, "Nobody Mining")


def test_cli_leverage_json_and_bad_weight(graph: CampaignGraph, tmp_path) -> None:
    import json

    from click.testing import CliRunner

    from exports.cli.main import cli
    from graphmodel.stores.snapshot import save_snapshot

    save_snapshot(graph, tmp_path / "snap")
    runner = CliRunner()
    res = runner.invoke(cli, ["leverage", str(tmp_path / "snap"), "--company", "Acme Holding", "--as-of", AS_OF,
                              "--weight", "finance=2", "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert list(rows[0])[:6] == ["category", "node_id", "node", "score", "explanation", "evidence"]
    wpf = next(r for r in rows if r["node_id"] == "wpf")
    assert wpf["score"] == pytest.approx(8.5)  # (1 + 3 + 0.25) × 2
    bad = runner.invoke(cli, ["leverage", str(tmp_path / "snap"), "--company", "acme", "--weight", "charm=1"])
    assert bad.exit_code == 1 and "unknown leverage weight 'charm'" in bad.output
    out = tmp_path / "lev.csv"
    res = runner.invoke(cli, ["leverage", str(tmp_path / "snap"), "--company", "acme", "--as-of", AS_OF,
                              "--format", "csv", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_text(encoding="utf-8").splitlines()[0].startswith("category,node_id,node,score,explanation,evidence")


def test_chokepoint_engines_agree_on_a_random_network(monkeypatch: pytest.MonkeyPatch) -> None:
    import networkx as nx

    from queries.leverage import _chokepoints

    pytest.importorskip("igraph")  # the dev extra installs it; without it only networkx exists
    g = nx.relabel_nodes(nx.gnm_random_graph(80, 110, seed=5), lambda i: f"n{i:02d}")
    ends = [f"n{i:02d}" for i in range(0, 80, 4)]
    eng1, art1, btw1, blocks1 = _chokepoints(g, ends)
    monkeypatch.setitem(sys.modules, "igraph", None)
    eng2, art2, btw2, blocks2 = _chokepoints(g, ends)
    assert (eng1, eng2) == ("igraph", "networkx")
    assert art1 == art2 and blocks1 == blocks2
    assert btw1 == pytest.approx(btw2)
    assert max(btw2.values()) <= 1.0


def test_agreement_possibly_in_force_after_tacit_renewal(graph: CampaignGraph) -> None:
    graph.add_node("hs-acme", "Agreement", "Acme H&S", agreement_type="hs", signed="2020-01-01",
                   expires="2023-12-31", renewal="tacit", sources=["src"])
    graph.add_edge("acme", "hs-acme", "PARTY_TO", role="employer", sources=["src"])
    p = _point(leverage(graph, "acme", as_of=AS_OF), "agreements", "hs-acme")
    assert p["explanation"] == (
        "Acme H&S (health & safety agreement, possibly in force: its last known period ended 2023-12-31, "
        "renewal tacit) is signed by Acme Holding; whether it applies at 5 group sites is unknown"
    )  # Site One to Five: it may still be in force, so its reach is unknown, never "none"
    assert p["factors"] == {"agreement_possibly_in_force": 1.0}
    assert p["score"] == 1.0
    graph.add_node("hs-acme", "Agreement", renewal="none", merge="replace")
    assert "hs-acme" not in set(leverage(graph, "acme", as_of=AS_OF)["node_id"])  # expired for good


def test_agreement_claims_only_the_uncovered_sites_it_reaches(graph: CampaignGraph) -> None:
    # Two GFAs: Acme GFA (signed by the holding, scope controlled) reaches Site Two and Site Three;
    # a second one signed by the subsidiary Acme Steel reaches only its own sites (Site One, Site Two).
    # Each may only claim the uncovered sites under its own cover, not those another agreement covers.
    graph.add_node("gfa-sub", "Agreement", "Acme Steel GFA", agreement_type="gfa", signed="2021-01-01",
                   scope="controlled", sources=["src"])
    graph.add_edge("acme-steel", "gfa-sub", "PARTY_TO", role="employer", sources=["src"])
    res = leverage(graph, "acme", as_of=AS_OF)
    sub = _point(res, "agreements", "gfa-sub")
    assert sub["explanation"] == (
        "Acme Steel GFA (global framework agreement, in force) is signed by Acme Steel GmbH; it can be invoked at "
        "1 uncovered group site: Site Two"
    )
    assert sub["factors"] == {"agreement_in_force": 2.0, "invocable_site": 1.0}
    top = _point(res, "agreements", "gfa")
    assert "2 uncovered group sites: Site Two, Site Three" in top["explanation"]


def test_network_founded_after_as_of_is_not_a_leverage_point_yet(graph: CampaignGraph) -> None:
    # as coverage's network dimension: a union network founded after as_of did not exist then
    graph.add_node("net", "UnionNetwork", merge="replace", founded="2025-01-01")
    res = leverage(graph, "acme", as_of=AS_OF)
    assert not ((res["category"] == "internal_solidarity") & res["node_id"].isin(["u1", "u3"])).any()
    res = leverage(graph, "acme", as_of="2025-06-01")
    assert _point(res, "internal_solidarity", "u3")["factors"]["network_member"] == 1.0
