"""A briefing's source list is the sources of the facts it shows, and nothing else.

Hand-made fixture (all names fictional), worked by hand:

    Acme Metals (reg) --OWNS 100% (reg)--> Acme Mining Ltd (named by reg and tracker)
    Acme Mining Ltd --OPERATES (tracker)--> Mine One, Mine Two (tracker: name, country, commodity, workforce)
    Mine One: union_status=none set by the researcher's notes only (a pinned value)
    Fed Global Union (named on netpage and otherpage) --MEMBER_OF (netpage)--> Acme Global Network (netpage,
        company acme); --MEMBER_OF (otherpage)--> Other Corp network (otherpage, company other)
    Other Corp (otherpage) operates Mine Nine; Unrelated Co (unused)

Facts shown and their sources: the group's OWNS edge and Acme Metals' name (reg); Acme Mining's name
(reg or tracker: reg is cited already); the OPERATES edges and the mines' values (tracker); Mine One's
union_status (notes); the network named by the network dimension and by the internal-solidarity point
(netpage), whose MEMBER_OF edge is netpage's, and the union's name, which netpage states too. So the list
is exactly netpage, notes, reg, tracker: never otherpage (another company's page that also names the
union) nor unused.

Real data: a plain load of ``data/gem-*`` and ``data/agreements/agreements.csv`` (see data/README.md).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from exports.brief import build_briefing, md, render_html, render_markdown
from graphmodel.graph import CampaignGraph
from graphmodel.records import Source
from graphmodel.stores.snapshot import save_snapshot
from tests.shared_data import SHARED_DATA

AS_OF = "2026-06-30"


def fixture_graph() -> CampaignGraph:
    g = CampaignGraph()
    g.add_source(Source("reg", title="Fictional company register", publisher="Reg", licence="CC0-1.0"))
    g.add_source(Source("tracker", title="Fictional mine tracker", publisher="Tracker", licence="CC BY 4.0",
                        retrieved="2026-03-01"))
    g.add_source(Source("notes", title="Fictional researcher notes", publisher="Us", retrieved="2026-05-01"))
    g.add_source(Source("netpage", title="Fictional network launch page", url="https://example.org/net"))
    g.add_source(Source("otherpage", title="Fictional page about Other Corp", retrieved="2026-09-09"))
    g.add_source(Source("unused", title="Fictional unused register", licence="CC0-1.0"))
    g.add_node("acme", "Company", "Acme Metals", sources=["reg"])
    g.add_node("acme_sub", "Company", "Acme Mining Ltd", sources=["reg", "tracker"])
    g.add_node("other", "Company", "Other Corp", sources=["otherpage"])
    g.add_node("unrelated", "Company", "Unrelated Co", sources=["unused"])
    g.add_edge("acme", "acme_sub", "OWNS", sources=["reg"], share=100)
    for sid, name, wf in (("m1", "Mine One", 500), ("m2", "Mine Two", 200)):
        g.add_node(sid, "Site", name, sources=["tracker"], country="ZA", commodity="coal", workforce=wf)
        g.add_edge("acme_sub", sid, "OPERATES", sources=["tracker"])
    g.add_node("m1", "Site", "Mine One", sources=["notes"], union_status="none", union_status_date="2026-04-01")
    g.add_node("m9", "Site", "Mine Nine", sources=["otherpage"], country="ZA", commodity="coal")
    g.add_edge("other", "m9", "OPERATES", sources=["otherpage"])
    g.add_node("fed", "Union", "Fed Global Union", sources=["netpage", "otherpage"], level="global")
    g.add_node("net", "UnionNetwork", "Acme Global Network", sources=["netpage"], company="acme")
    g.add_node("othernet", "UnionNetwork", "Other Corp network", sources=["otherpage"], company="other")
    g.add_edge("fed", "net", "MEMBER_OF", sources=["netpage"])
    g.add_edge("fed", "othernet", "MEMBER_OF", sources=["otherpage"])
    return g


def test_fixture_pins_the_union_status_to_the_notes() -> None:
    from graphmodel.provenance import sources_of

    a = fixture_graph().node("m1")
    assert sources_of(a, "union_status") == ["notes"] and sources_of(a, "workforce") == ["tracker"]


def test_briefing_cites_exactly_the_sources_of_its_facts() -> None:
    b = build_briefing(fixture_graph(), "Acme Metals", as_of=AS_OF, charts=False)
    assert [s.id for s in b.sources] == ["netpage", "notes", "reg", "tracker"]
    # the data date comes from the cited sources only (otherpage, retrieved 2026-09-09, is not one)
    assert b.data_date.startswith("sources retrieved up to 2026-05-01")
    # the internal-solidarity point about the union cites the network page alone
    point = b.leverage[b.leverage["node_id"] == "fed"].iloc[0]
    assert point["sources"] == ["netpage"]


def test_every_listed_source_shows_its_licence_or_says_it_is_not_stated() -> None:
    b = build_briefing(fixture_graph(), "acme", as_of=AS_OF, charts=False)
    text = render_markdown(b)
    section = text[text.index("## Sources"):]
    rows = {line.split(" | ")[0].lstrip("| "): line for line in section.splitlines() if line.startswith("| Fictional")}
    assert set(rows) == {"Fictional company register", "Fictional mine tracker", "Fictional researcher notes",
                         "Fictional network launch page"}
    assert "| CC0-1.0 |" in rows["Fictional company register"] and "| CC BY 4.0 |" in rows["Fictional mine tracker"]
    assert "| licence not stated |" in rows["Fictional researcher notes"]
    assert "| licence not stated |" in rows["Fictional network launch page"]
    html = render_html(b)
    assert html.count("<td>licence not stated</td>") == 2 and "Other Corp" not in html


def test_briefing_leaves_our_own_organisation_out_and_says_why_categories_are_empty(tmp_path: Path) -> None:
    b = build_briefing(fixture_graph(), "acme", as_of=AS_OF, charts=False, us=["Fed Global Union"])
    assert "fed" not in set(b.leverage["node_id"])
    assert b.leverage.attrs["excluded"][0]["node_id"] == "fed"
    # the network is still named by the sites' network dimension: its page stays cited
    assert [s.id for s in b.sources] == ["netpage", "notes", "reg", "tracker"]
    text = render_markdown(b)
    assert md("Not scored: Fed Global Union is your own organisation (internal solidarity point left out).") in text
    assert md("standards and law: no country data loaded (no Country nodes)") in text
    html = render_html(b)
    assert "internal solidarity: only your own organisation (Fed Global Union) was found, left out" in html


def test_cli_brief_takes_us_from_the_option_and_from_the_snapshot(tmp_path: Path) -> None:
    from exports.cli.main import cli

    snap = tmp_path / "snap"
    save_snapshot(fixture_graph(), snap, settings={"us": ["fed"]})
    r = CliRunner().invoke(cli, ["brief", str(snap), "--company", "acme", "--as-of", AS_OF, "-o", str(tmp_path / "a.md")])
    assert r.exit_code == 0, r.output
    assert "Not scored: Fed Global Union is your own organisation" in (tmp_path / "a.md").read_text(encoding="utf-8")
    plain = tmp_path / "plain"
    save_snapshot(fixture_graph(), plain)
    r = CliRunner().invoke(cli, ["brief", str(plain), "--company", "acme", "--as-of", AS_OF, "-o", str(tmp_path / "b.md")])
    assert r.exit_code == 0 and "Not scored" not in (tmp_path / "b.md").read_text(encoding="utf-8")
    r = CliRunner().invoke(cli, ["brief", str(plain), "--company", "acme", "--us", "fed", "-o", str(tmp_path / "c.md")])
    assert r.exit_code == 0 and "Not scored: Fed" in (tmp_path / "c.md").read_text(encoding="utf-8")
    r = CliRunner().invoke(cli, ["brief", str(plain), "--company", "acme", "--us", "No Such Federation",
                                 "-o", str(tmp_path / "d.md")])
    assert r.exit_code == 1 and len(r.output.strip().splitlines()) == 1 and "Traceback" not in r.output
    assert not (tmp_path / "d.md").exists()


# --------------------------------------------------------------------------- real data
def _agreement_rows() -> list[dict[str, str]]:
    with open(SHARED_DATA / "agreements" / "agreements.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _source_ids_of(g: CampaignGraph, urls: set[str]) -> set[str]:
    return {sid for sid, s in g.sources.items() if s.url in urls}


@pytest.fixture(scope="module")
def real_graph() -> CampaignGraph:
    from loaders.registry import load_paths

    files = sorted(SHARED_DATA.glob("gem-*.csv")) + sorted(SHARED_DATA.glob("gem-*.xlsx"))
    files = [f for f in files if "map" not in f.name]  # the iron ore map file restates the xlsx
    g, _ = load_paths([*files, SHARED_DATA / "agreements" / "agreements.csv"])
    if len(g.find("Glencore", "Company")) > 1:
        # until load links the agreements table's "Glencore" to GEM's "Glencore PLC" itself, the
        # step that does it today (campaign-graph resolve) is run here
        from loaders.resolution import resolve

        resolve(g)
    return g


@pytest.mark.slow
def test_real_glencore_briefing_cites_its_tracker_and_its_networks_only(real_graph: CampaignGraph) -> None:
    g = real_graph
    rows = _agreement_rows()
    b = build_briefing(g, "Glencore", as_of=AS_OF, charts=False)
    cited = {s.id for s in b.sources}
    assert "gem-gcmt-2024-05" in cited  # the coal tracker: Glencore's mines
    # agreements.csv rows 18 and 19 (Xstrata's and Glencore's networks); the Glencore network's page is cited
    own = _source_ids_of(g, {r["source_url"] for r in rows if r["company"].startswith(("Glencore", "Xstrata"))})
    glencore_net = _source_ids_of(g, {r["source_url"] for r in rows if r["id"] == "glencore-2014-network"})
    assert glencore_net and glencore_net <= cited
    others = _source_ids_of(g, {r["source_url"] for r in rows
                                if r["company"].split(" ")[0] in ("Norsk", "thyssenkrupp", "ThyssenKrupp", "Anglo")})
    assert len(others) >= 3 and not (others & cited)
    # everything cited is a GEM tracker or a page of Glencore's / Xstrata's rows
    assert all(s.startswith("gem-") or s in own for s in cited), sorted(cited)
    # IndustriALL is named on seven pages; its membership of the Glencore network cites that network's page
    point = b.leverage[b.leverage["node"] == "IndustriALL Global Union"]
    assert len(point) == 1 and set(point.iloc[0]["sources"]) == glencore_net


@pytest.mark.slow
def test_real_arcelormittal_briefing_cites_its_agreements_and_shows_every_licence(real_graph: CampaignGraph) -> None:
    g = real_graph
    rows = _agreement_rows()
    b = build_briefing(g, "E100000000687", as_of=AS_OF, charts=False)
    cited = {s.id for s in b.sources}
    # its health & safety agreements (agreements.csv rows 3 and 4, kind hs, company ArcelorMittal) and its networks
    hs = _source_ids_of(g, {r["source_url"] for r in rows if r["company"] == "ArcelorMittal" and r["kind"] == "hs"})
    nets = _source_ids_of(g, {r["source_url"] for r in rows if r["company"] == "ArcelorMittal" and r["kind"] == "network"})
    assert len(hs) == 2 and hs <= cited
    assert nets and nets <= cited
    others = _source_ids_of(g, {r["source_url"] for r in rows if not r["company"].startswith(("ArcelorMittal", "Arcelor"))})
    assert not (others & cited)
    text = render_markdown(b)
    section = text[text.index("## Sources"):]
    for s in b.sources:
        line = next(x for x in section.splitlines() if x.startswith(f"| {md(s.title or s.id)} |"))
        assert (f"| {md(s.licence)} |" if s.licence else "| licence not stated |") in line
