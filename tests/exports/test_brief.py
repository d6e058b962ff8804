"""Briefing report: content worked out by hand on the fictional Acme group, one real GEM
group, escaping, redaction, Markdown, CLI and the page in Chromium.

Real data: ``data/gem-iron-steel-plants-2025-03-25.csv`` (Global Energy Monitor,
Global Iron and Steel Tracker, March 2025 map files, CC BY 4.0).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from exports.brief import build_briefing, md, render_html, render_markdown, write_brief
from graphmodel.records import Source
from graphmodel.stores.snapshot import save_snapshot
from tests.exports.test_netmap import AS_OF, PAYLOADS, acme_graph, assert_self_contained_and_escaped
from tests.shared_data import GEM_PLANTS as SHARED_GEM_PLANTS

NO_PROBLEMS = {"console_errors": [], "page_errors": [], "dialogs": [], "external_requests": []}
GEM_PLANTS = SHARED_GEM_PLANTS


@pytest.fixture(scope="module")
def acme_brief():
    return build_briefing(acme_graph(), "Acme Steel Holding", as_of=AS_OF, data_date="2026-06-01")


def test_briefing_content_for_the_acme_group(acme_brief) -> None:
    b = acme_brief
    assert b.root == "acme" and b.title == "Briefing: Acme Steel Holding group"
    assert b.data_date == "retrieval dates not recorded; snapshot of 2026-06-01"
    # group: root, two controlled subsidiaries, one joint venture; Gamma (20 %) is not in it
    assert sorted(b.group["id"]) == ["acme", "acme_br", "acme_de", "jv"]
    # sites: the recorded gap first (Site B, union not recognised), then unknown (Site C), then covered (Site A)
    assert list(b.sites.sort_values("site")["site_id"]) == ["site_a", "site_b", "site_c"]
    from exports.brief import _site_rows, _tree

    assert list(_site_rows(b)["site_id"]) == ["site_b", "site_c", "site_a"]
    notes = dict(zip(b.sites["site_id"], b.sites["notes"]))
    assert notes["site_b"].startswith("recognised: ")
    assert notes["site_b"].endswith("research needed: CBA")
    assert notes["site_c"] == "research needed: union, recognised, CBA"
    assert notes["site_a"] == ""
    # the tree: root, then its subsidiaries by stake
    assert [(d, r["id"]) for d, r in _tree(b)] == [(0, "acme"), (1, "acme_de"), (1, "acme_br"), (1, "jv")]
    # summaries with workers: DE 1,200 covered, BR 800 not covered, ZA 300 unknown
    by_country = {r["country"]: r for r in b.by_country.to_dict("records")}
    assert (by_country["DE"]["workers_covered"], by_country["BR"]["workers_not_covered"],
            by_country["ZA"]["workers_unknown"]) == (1200, 800, 300)
    assert list(b.calendar["agreement_id"]) == ["cba1"]
    assert [s.id for s in b.sources] == ["reg", "survey"]
    assert b.map_png and set(b.charts) == {"country", "commodity"}


def test_html_briefing_is_self_contained_and_shows_unknown_apart_from_gaps(acme_brief) -> None:
    html = render_html(acme_brief)
    assert_self_contained_and_escaped(html)
    for heading in ("Sites map", "Ownership", "Sites and coverage", "Summary by country and commodity",
                    "Leverage points", "Bargaining calendar", "Sources"):
        assert f"<h2>{heading}</h2>" in html
    assert html.count('src="data:image/png;base64,') == 3  # map and two charts
    assert '<td class="st-unknown">unknown</td>' in html
    assert '<td class="st-not_covered">not covered</td>' in html
    assert "Data as of <b>2026-06-30</b>" in html
    assert "CC BY 4.0" in html and "Natural Earth" in html
    assert "1,200 / 800 / 300" in html  # workers covered / not covered / unknown


def test_markdown_briefing(acme_brief) -> None:
    text = render_markdown(acme_brief)
    assert text.startswith("# Briefing: Acme Steel Holding group\n")
    assert "- Acme Steel Holding (100%, root)" in text
    assert "  - Acme Brasil SA (60%, controlled)" in text
    assert re.search(r"^\| Site B \| Brazil \(BR\) \| iron ore \|  \| 800 \| .*\| not covered \|", text, re.MULTILINE)  # no capacity recorded
    assert "## Sources" in text and "Fictional union survey" in text
    assert md("a|b <i>x</i> *y*", cell=True) == "a\\|b &lt;i>x&lt;/i> \\*y\\*"


def test_payloads_in_names_and_sources_stay_text(tmp_path: Path) -> None:
    g = acme_graph()
    g.add_source(Source("evil", title=PAYLOADS[1], url="javascript:alert(1)", licence=PAYLOADS[0]))
    g.add_node("acme", "Company", PAYLOADS[0], merge="replace", sources=["evil"])
    g.add_node("site_b", "Site", PAYLOADS[1], merge="replace")
    g.add_node("u2", "Union", PAYLOADS[0] + " href", merge="replace")
    for suffix in ("html", "md"):
        write_brief(g, "acme", tmp_path / f"b.{suffix}", as_of=AS_OF)
        text = (tmp_path / f"b.{suffix}").read_text(encoding="utf-8")
        assert_self_contained_and_escaped(text)
        assert 'href="javascript' not in text


def test_redacted_briefing_drops_canaries_and_says_so(tmp_path: Path) -> None:
    g = acme_graph()
    g.add_source(Source("informant", title="Canary informant report", file="/srv/private/canary.docx",
                        confidential=True))
    g.add_node("u1", "Union", "Union One", merge="replace", email="canary@example.org", phone="+49 000 CANARY",
               sources=["informant"])
    g.add_node("p1", "Person", "Canary Organiser", sources=["survey"])
    g.add_edge("p1", "u1", "HOLDS_ROLE", sources=["survey"], role="organiser")
    g.add_node("site_a", "Site", "Site A", merge="replace", notes="canary note: meeting at the gate")
    g.add_node("site_c", "Site", "Site C", merge="replace", status="mothballed", sources=["informant"])  # a shown value only it sets
    for name in ("r.html", "r.md"):
        write_brief(g, "acme", tmp_path / name, as_of=AS_OF, redact_output=True)
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert "Redacted briefing" in text
        for canary in ("canary", "Canary", "CANARY", "/srv/private"):
            assert canary not in text
    plain = write_brief(g, "acme", tmp_path / "p.html", as_of=AS_OF)
    assert "Canary informant report" in (tmp_path / "p.html").read_text(encoding="utf-8")  # unredacted: listed
    assert not plain.redacted


def test_cli_brief_writes_html_and_markdown(tmp_path: Path) -> None:
    from exports.cli.main import cli

    snap = tmp_path / "snap"
    save_snapshot(acme_graph(), snap, created="2026-06-01T00:00:00+00:00")
    for name in ("b.html", "b.md"):
        r = CliRunner().invoke(cli, ["brief", str(snap), "--company", "Acme Steel Holding", "--as-of", AS_OF,
                                     "-o", str(tmp_path / name)])
        assert r.exit_code == 0, r.output
        assert "3 sites, 4 companies" in r.output
    assert "snapshot of 2026-06-01" in (tmp_path / "b.md").read_text(encoding="utf-8")
    bad = CliRunner().invoke(cli, ["brief", str(snap), "--company", "acme", "-o", str(tmp_path / "b.pdf")])
    assert bad.exit_code == 1 and "must end in" in bad.output
    # the Markdown briefing's charts in a folder beside it; nothing written for the refused .pdf
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b-charts", "b.html", "b.md", "snap"]


@pytest.mark.slow
def test_brief_on_real_gem_data_for_arcelormittal(tmp_path: Path) -> None:
    """ArcelorMittal SA (GEM id E100000000687) in GEM's steel plant file: no union data at all,
    so every site is *unknown* on union, recognition and CBA (never *not covered*)."""
    from loaders.registry import load_paths

    g, _ = load_paths([GEM_PLANTS], fmt="gem-steel")
    b = write_brief(g, "E100000000687", tmp_path / "am.html", as_of=AS_OF)
    assert b.name == "ArcelorMittal SA"
    assert len(b.sites) > 20
    assert set(b.sites["union_presence"]) == {"unknown"} and not b.sites["uncovered"].any()
    assert any("Global Energy Monitor" in s.title and s.licence == "CC BY 4.0" for s in b.sources)
    html = (tmp_path / "am.html").read_text(encoding="utf-8")
    assert_self_contained_and_escaped(html)


@pytest.mark.browser
def test_brief_renders_offline_in_chromium(tmp_path: Path, offline_page) -> None:
    path = tmp_path / "brief.html"
    write_brief(acme_graph(), "acme", path, as_of=AS_OF)
    page = offline_page.open(path)
    # every embedded image decoded (map and two charts), every site row drawn
    assert page.evaluate("Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0).length") == 3
    assert page.evaluate("document.querySelectorAll('table.sites tr.site').length") == 3
    page.screenshot(path=str(tmp_path / "brief.png"), full_page=True)
    assert (tmp_path / "brief.png").stat().st_size > 50_000
    assert offline_page.problems() == NO_PROBLEMS


@pytest.mark.browser
def test_brief_payloads_do_not_run_in_chromium(tmp_path: Path, offline_page) -> None:
    g = acme_graph()
    g.add_node("acme", "Company", PAYLOADS[0] + PAYLOADS[1], merge="replace")
    g.add_node("site_c", "Site", PAYLOADS[0], merge="replace")
    path = tmp_path / "evil.html"
    write_brief(g, "acme", path, as_of=AS_OF)
    page = offline_page.open(path)
    assert page.inner_text("h1") == f"Briefing: {PAYLOADS[0] + PAYLOADS[1]} group"
    assert page.evaluate("Array.from(document.images).every(i => i.src.startsWith('data:image/png'))")
    assert offline_page.problems() == NO_PROBLEMS


def test_capacity_by_product_never_summed(tmp_path: Path) -> None:
    from exports.brief import capacity_text

    g = acme_graph()
    # Site A as an integrated plant (hand-made figures): crude steel 4,300, iron 3,100 of which 1,200 pre-retirement
    g.add_node("site_a", "Site", "Site A", merge="fill", commodity="steel", capacity_crude_steel=4300.0,
               capacity_iron=3100.0, capacity_iron_pre_retirement=1200.0)
    # Site C with one operating unit of unknown iron capacity: a lower bound
    g.add_node("site_c", "Site", "Site C", merge="fill", commodity="steel", capacity_iron=750.0,
               capacity_incomplete=["iron"])
    b = build_briefing(g, "Acme Steel Holding", as_of=AS_OF, charts=False)
    rows = b.sites.set_index("site_id")
    assert rows.loc["site_a", "capacity_iron"] == 3100.0 and rows.loc["site_c", "capacity_incomplete"] == ["iron"]
    assert rows.loc["site_b", "capacity_iron"] is None  # nothing recorded: no figure, not 0
    text = render_markdown(b)
    assert "| crude steel 4,300 ttpa; iron 3,100 ttpa (of which 1,200 pre-retirement) |" in text
    assert "| iron at least 750 ttpa (a unit of unknown capacity) |" in text
    assert "7,400" not in text and "7400" not in text  # 4,300 + 3,100 is no figure of the site
    assert "crude steel 4,300 ttpa; iron 3,100 ttpa (of which 1,200 pre-retirement)" in render_html(b)
    assert capacity_text({"capacity_iron": None, "capacity_incomplete": ["iron"]}) == \
        "iron unknown (a unit of unknown capacity)"
    # other trackers' single capacity keeps its own unit; a steel site's old single figure is not shown
    assert capacity_text({"commodity": "coal", "capacity": 12.5, "capacity_unit": "Mtpa"}) == "12.5 Mtpa"
    assert capacity_text({"commodity": "steel", "capacity": 2500.0, "capacity_unit": "ttpa crude steel"}) == ""


def test_workers_unknown_when_no_site_records_a_workforce() -> None:
    """No site of the group records a workforce: the briefing says unknown, never "0"."""
    from graphmodel.graph import CampaignGraph

    g = CampaignGraph()
    g.add_node("co", "Company", "Acme Steel (fictional)")
    for s in ("s1", "s2"):
        g.add_node(s, "Site", f"Works {s}", country="DE", status="operating")
        g.add_edge("co", s, "OPERATES")
    text = render_markdown(build_briefing(g, "co", as_of=AS_OF, charts=False))
    assert "- workers recorded: **unknown (recorded at none of the 2 sites)**" in text
    g.set_node_props("s1", workforce=250)
    text = render_markdown(build_briefing(g, "co", as_of=AS_OF, charts=False))
    assert "- workers recorded: **250 at 1 of 2 sites**" in text
