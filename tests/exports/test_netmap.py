"""Interactive network map: view selection, escaping, self-containment, and the page in Chromium.

Every company, site and union here is fictional ("Acme Steel", "Site A").
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from exports.netmap import DEFAULT_MAX_NODES, map_data, render_map, select_view, write_map
from graphmodel.graph import CampaignGraph
from graphmodel.records import Source
from graphmodel.stores.snapshot import save_snapshot

AS_OF = "2026-06-30"
PAYLOADS = ("<img src=x onerror=alert(1)>", "</script><script>alert(1)</script>")


def acme_graph() -> CampaignGraph:
    """A small fictional group.

    Acme Steel Holding (LU) owns Acme Deutschland 100 %, Acme Brasil 60 %, half of the
    Acme-Beta JV (control=joint, the other half is Beta Mining's) and 20 % of Gamma Metals.
    Site A (DE, 1,200 workers, recognised union, CBA in force), Site B (BR, 800, union not
    recognised), Site C (ZA, 300, nothing recorded), Site D (CL, Gamma's, outside the group).
    """
    g = CampaignGraph()
    g.add_source(Source("reg", title="Fictional company register", publisher="Test", licence="CC0-1.0"))
    g.add_source(Source("survey", title="Fictional union survey", publisher="Test", licence="CC BY 4.0"))
    s = ["reg"]
    g.add_node("acme", "Company", "Acme Steel Holding", sources=s, country="LU")
    g.add_node("acme_de", "Company", "Acme Steel Deutschland GmbH", sources=s, country="DE")
    g.add_node("acme_br", "Company", "Acme Brasil SA", sources=s, country="BR")
    g.add_node("jv", "Company", "Acme-Beta JV", sources=s, country="ZA")
    g.add_node("beta", "Company", "Beta Mining", sources=s, country="ZA")
    g.add_node("gamma", "Company", "Gamma Metals", sources=s, country="CL")
    g.add_edge("acme", "acme_de", "OWNS", sources=s, share=100)
    g.add_edge("acme", "acme_br", "OWNS", sources=s, share=60)
    g.add_edge("acme", "jv", "OWNS", sources=s, share=50, control="joint")
    g.add_edge("beta", "jv", "OWNS", sources=s, share=50, control="joint")
    g.add_edge("acme", "gamma", "OWNS", sources=s, share=20)
    sites = [
        ("site_a", "Site A", "DE", "steel", 1200, 51.2, 6.8, "acme_de"),
        ("site_b", "Site B", "BR", "iron ore", 800, -20.0, -44.0, "acme_br"),
        ("site_c", "Site C", "ZA", "coal", 300, -26.0, 29.0, "jv"),
        ("site_d", "Site D", "CL", "copper", 500, -23.0, -70.0, "gamma"),
    ]
    for sid, name, country, commodity, workforce, lat, lon, op in sites:
        g.add_node(sid, "Site", name, sources=s, country=country, commodity=commodity, workforce=workforce,
                   lat=lat, lon=lon, status="operating")
        g.add_edge(op, sid, "OPERATES", sources=s)
    g.add_node("DE", "Country", "Germany", sources=s)
    g.add_edge("site_a", "DE", "LOCATED_IN", sources=s)
    g.add_node("u1", "Union", "Union One", sources=["survey"], country="DE", level="national")
    g.add_node("u2", "Union", "Union Two", sources=["survey"], country="BR", level="national")
    g.add_edge("u1", "site_a", "REPRESENTS", sources=["survey"], recognised=True, members=900)
    g.add_edge("u2", "site_b", "REPRESENTS", sources=["survey"], recognised=False, members=120)
    g.add_node("cba1", "Agreement", "Site A collective agreement", sources=["survey"], agreement_type="cba",
               signed="2024-01-01", expires="2027-12-31")
    g.add_edge("acme_de", "cba1", "PARTY_TO", sources=["survey"], role="employer")
    g.add_edge("u1", "cba1", "PARTY_TO", sources=["survey"], role="union")
    g.add_edge("cba1", "site_a", "COVERS", sources=["survey"])
    return g


def payload_graph() -> CampaignGraph:
    """Script payloads in ids, names, tooltips (properties) and edge titles, plus a title with "href"."""
    g = CampaignGraph()
    g.add_source(Source("p", title=PAYLOADS[0]))
    g.add_node(PAYLOADS[0], "Company", PAYLOADS[0], sources=["p"], country="DE", website='<a href="x">href</a>')
    g.add_node(PAYLOADS[1], "Company", PAYLOADS[1], sources=["p"], legal_form=PAYLOADS[1])
    g.add_node("s1", "Site", "Site <b>bold</b> href", sources=["p"], commodity=PAYLOADS[1], lat=1.0, lon=2.0,
               country="DE")
    g.add_edge(PAYLOADS[0], PAYLOADS[1], "OWNS", sources=["p"], share=51)
    g.add_edge(PAYLOADS[1], "s1", "OPERATES", sources=["p"])
    return g


class _Attrs(HTMLParser):
    """Collects src/href attribute values and element names of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.tags: list[str] = []
        self.img_srcs: list[str] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.urls.extend(v or "" for k, v in attrs if k in ("src", "href"))
        self.handlers.extend(k for k, _ in attrs if k.startswith("on"))
        if tag == "img":
            self.img_srcs.extend(v or "" for k, v in attrs if k == "src")


def assert_self_contained_and_escaped(text: str) -> None:
    """No network addresses in src/href, no external script or stylesheet, no raw payload."""
    p = _Attrs()
    p.feed(text)
    assert not [u for u in p.urls if re.match(r"\s*(https?:)?//", u, re.IGNORECASE)]
    # the payload's <img> never became an element: the only images are our data: URIs
    assert all(src.startswith("data:image/png;base64,") for src in p.img_srcs)
    assert p.handlers == []  # no inline event handler attribute anywhere
    assert "<link" not in text
    assert not re.search(r"<script[^>]+src=", text)
    for payload in PAYLOADS:
        assert payload not in text


# --------------------------------------------------------------------------- selection
def test_company_view_holds_the_group_its_sites_and_what_touches_them() -> None:
    g = acme_graph()
    view = select_view(g, company="Acme Steel Holding", as_of=AS_OF, coverage_status=False)
    # group (control rule): acme, acme_de, acme_br (60 %), jv (joint); then their sites;
    # then their other neighbours (gamma 20 %, beta, the CBA); then unions at the sites.
    # Site D (Gamma's) and the Country node are not in the view.
    assert view.nodes[0] == "acme"
    assert set(view.nodes[:4]) == {"acme", "acme_de", "acme_br", "jv"}
    assert view.nodes[4:7] == ["site_a", "site_b", "site_c"]
    assert set(view.nodes) == {"acme", "acme_de", "acme_br", "jv", "site_a", "site_b", "site_c", "gamma", "beta",
                               "cba1", "u1", "u2"}
    assert len(view.edges) == 13
    assert view.omitted == {}
    assert view.title == "Acme Steel Holding group"


def test_large_views_are_cut_nearest_first_with_a_note() -> None:
    g = acme_graph()
    view = select_view(g, company="acme", as_of=AS_OF, max_nodes=5, coverage_status=False)
    assert len(view.nodes) == 5 and view.nodes[4] == "site_a"
    assert view.omitted == {"Agreement": 1, "Company": 2, "Site": 2, "Union": 2}
    html = render_map(g, view)
    assert "cut to 5 nodes: 7 more were left out" in html
    assert "2 Site" in html


def test_ego_view_follows_links_both_ways_up_to_the_hop_limit() -> None:
    g = acme_graph()
    one = select_view(g, around="Site A", hops=1, as_of=AS_OF, coverage_status=False)
    assert set(one.nodes) == {"site_a", "acme_de", "u1", "cba1", "DE"}
    two = select_view(g, around="Site A", hops=2, as_of=AS_OF, coverage_status=False)
    assert set(two.nodes) == set(one.nodes) | {"acme"}
    assert two.title == "Within 2 links of Site A"
    # a country is shown but not walked through: another German company is not Site A's neighbour
    g.add_node("other", "Company", "Other GmbH", sources=["reg"])
    g.add_edge("other", "DE", "LOCATED_IN", sources=["reg"])
    assert "other" not in select_view(g, around="Site A", hops=3, as_of=AS_OF, coverage_status=False).nodes
    assert set(select_view(g, around="DE", hops=1, as_of=AS_OF, coverage_status=False).nodes) == {
        "DE", "site_a", "other"}


def test_edges_outside_their_validity_are_left_out() -> None:
    g = acme_graph()
    g.add_node("old", "Company", "Old Owner Ltd", sources=["reg"])
    g.add_edge("old", "acme", "OWNS", sources=["reg"], share=30, valid_from="2001-01-01", valid_to="2010-12-31")
    assert "old" not in select_view(g, around="acme", hops=1, as_of=AS_OF, coverage_status=False).nodes
    assert "old" in select_view(g, around="acme", hops=1, as_of="2005-06-01", coverage_status=False).nodes


def test_sites_are_coloured_by_coverage_status() -> None:
    g = acme_graph()
    # Site A: recognised union and CBA in force; Site B: union not recognised (a recorded gap);
    # Site C: nothing recorded at the JV's site
    expected = {"site_a": "covered", "site_b": "not_covered", "site_c": "unknown"}
    assert select_view(g, company="acme", as_of=AS_OF).site_status == expected
    # outside a company view every site's own coverage is used (Site B's group is still Acme)
    assert select_view(g, around="Union Two", hops=1, as_of=AS_OF).site_status == {"site_b": "not_covered"}


def test_query_views_show_coverage_gaps_and_leverage_points() -> None:
    g = acme_graph()
    cov = select_view(g, company="acme", query="coverage", as_of=AS_OF)
    # root, then the sites (gaps first) each with its operator
    assert cov.nodes == ["acme", "site_b", "acme_br", "site_a", "acme_de", "site_c", "jv"]
    assert cov.site_status == {"site_b": "not_covered", "site_a": "covered", "site_c": "unknown"}
    assert cov.title == "Coverage of the Acme Steel Holding group"
    assert len(cov.edges) == 6  # three OWNS, three OPERATES
    lev = select_view(g, company="acme", query="leverage", as_of=AS_OF)
    # the one leverage point: Site A (recognised union and CBA) with Union One as evidence
    assert lev.nodes == ["acme", "site_a", "u1"]
    assert lev.title == "Leverage points on the Acme Steel Holding group"


def test_bad_view_arguments_are_user_errors() -> None:
    from graphmodel.errors import CampaignGraphError

    g = acme_graph()
    with pytest.raises(CampaignGraphError, match="needs --company"):
        select_view(g, query="coverage")
    with pytest.raises(CampaignGraphError, match="unknown query"):
        select_view(g, company="acme", query="gossip")
    with pytest.raises(CampaignGraphError):
        select_view(g, company="No Such Company Plc")


# --------------------------------------------------------------------------- rendering
def test_map_data_rows_carry_kind_status_stake_and_tooltip_values() -> None:
    from exports.netmap import EDGE_ROW, NODE_ROW

    g = acme_graph()
    view = select_view(g, company="acme", as_of=AS_OF, coverage_status=False)
    view.site_status["site_a"] = "covered"
    view.site_reasons["site_a"] = "recognised union, CBA in force"
    data = map_data(g, view)
    assert data["nodes"]["columns"] == list(NODE_ROW) and data["edges"]["columns"] == list(EDGE_ROW)
    nodes = {r[0]: dict(zip(NODE_ROW, r)) for r in data["nodes"]["rows"]}
    assert data["kinds"][nodes["acme"]["kind"]] == "Company" and nodes["acme"]["size"] == 26  # the focus is bigger
    assert data["statuses"][nodes["site_a"]["status"]] == "covered"
    assert data["statuses"][nodes["site_b"]["status"]] == "unknown"
    assert nodes["u1"]["status"] == -1  # not a site
    assert data["kindStyle"]["Union"] == ["#6a1b9a", "triangle"]
    assert nodes["site_a"]["values"] == {"commodity": "steel", "country": "DE", "lat": 51.2, "lon": 6.8, "status": "operating",
                     "workforce": 1200}
    assert [data["sources"][i] for i in nodes["site_a"]["sources"]] == ["Fictional company register"]
    edges = {(r[0], r[1]): dict(zip(EDGE_ROW, r)) for r in data["edges"]["rows"]}
    assert edges["acme", "acme_de"]["width"] == 7.0  # 100 %
    assert edges["acme", "acme_br"]["width"] == 4.6  # 60 %: 1 + 6 * 0.6
    assert edges["acme_de", "site_a"]["width"] == 1.5 and edges["acme_de", "site_a"]["dashed"] == 0
    assert edges["acme", "jv"]["values"] == {"control": "joint", "share": 50.0}
    # membership counts are sensitive: not even sent to the page
    assert edges["u1", "site_a"]["values"] == {"recognised": True}
    assert data["percentKeys"] == ["share", "share_max", "share_min", "voting", "voting_max", "voting_min"]


def test_page_is_one_self_contained_file_with_legend_search_and_freeze() -> None:
    g = acme_graph()
    html = render_map(g, select_view(g, company="acme", as_of=AS_OF, coverage_status=False))
    assert_self_contained_and_escaped(html)
    assert "vis.Network" in html and len(html) > 400_000  # vis-network inlined
    assert 'id="freeze"' in html and 'id="search"' in html and 'class="legend"' in html
    assert "default-src 'none'" in html  # the page may not load anything


def test_payloads_never_reach_the_page_raw() -> None:
    g = payload_graph()
    html = render_map(g, select_view(g, around="s1", hops=2, coverage_status=False), heading=PAYLOADS[1] + PAYLOADS[0])
    assert_self_contained_and_escaped(html)
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img" in html  # heading, as text
    assert "\\u003c/script\\u003e" in html  # JSON data, escaped


def test_write_map_writes_exactly_the_named_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    out.mkdir()
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    write_map(acme_graph(), out / "map.html", company="acme", as_of=AS_OF, coverage_status=False)
    assert [p.name for p in out.iterdir()] == ["map.html"]
    assert list(cwd.iterdir()) == []  # pyvis would have left a lib/ folder here


def test_redacted_map_drops_people_and_says_so(tmp_path: Path) -> None:
    g = acme_graph()
    g.add_node("p1", "Person", "Canary Organiser Name", sources=["survey"])
    g.add_edge("p1", "u1", "HOLDS_ROLE", sources=["survey"], role="organiser")
    g.add_node("u1", "Union", "Union One", merge="replace", email="canary@example.org", notes="canary note")
    write_map(g, tmp_path / "m.html", redact_output=True, around="u1", hops=1, coverage_status=False)
    text = (tmp_path / "m.html").read_text(encoding="utf-8")
    assert "Canary Organiser Name" not in text and "canary" not in text
    assert "Redacted export" in text
    # unredacted, the person is on the map, but sensitive properties never reach a tooltip
    write_map(g, tmp_path / "u.html", around="u1", hops=1, coverage_status=False)
    text = (tmp_path / "u.html").read_text(encoding="utf-8")
    assert "Canary Organiser Name" in text and "canary@example.org" not in text and "canary note" not in text


def test_cli_map_command(tmp_path: Path) -> None:
    from exports.cli.main import cli

    snap = tmp_path / "snap"
    save_snapshot(payload_graph(), snap)
    out = tmp_path / "m.html"
    result = CliRunner().invoke(cli, ["map", str(snap), "--around", "s1", "--hops", "2", "--no-coverage",
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 nodes" in result.output
    assert_self_contained_and_escaped(out.read_text(encoding="utf-8"))
    bad = CliRunner().invoke(cli, ["map", str(snap), "--company", "nobody at all", "-o", str(out)])
    assert bad.exit_code == 1 and "Traceback" not in bad.output


def test_default_max_nodes_is_modest() -> None:
    assert 100 <= DEFAULT_MAX_NODES <= 1000


# --------------------------------------------------------------------------- in the browser
@pytest.mark.browser
def test_map_draws_offline_in_chromium(tmp_path: Path, offline_page) -> None:
    g = acme_graph()
    path = tmp_path / "map.html"
    write_map(g, path, company="acme", as_of=AS_OF, coverage_status=False)
    page = offline_page.open(path, wait_for="window.campaignMap && window.campaignMap.stabilized")
    assert page.evaluate("window.campaignMap.network.body.data.nodes.length") == 12
    assert page.evaluate("window.campaignMap.network.body.data.edges.length") == 13
    # physics settled and froze; the button unfreezes
    assert page.evaluate("window.campaignMap.network.physics.physicsEnabled") is False
    page.click("#freeze")
    assert page.evaluate("window.campaignMap.network.physics.physicsEnabled") is True
    site_a = page.evaluate("window.campaignMap.node('site_a')")
    assert site_a["shape"] == "square" and site_a["color"]["background"] == "#9e9e9e"  # unknown (no coverage run)
    assert site_a["title"].splitlines()[:3] == ["Site A", "Site · id site_a", "commodity: steel"]
    assert site_a["title"].splitlines()[-2:] == ["coverage: unknown", "sources: Fictional company register"]
    owns = page.evaluate("window.campaignMap.edges.get({filter: e => e.fromId === 'acme' && e.toId === 'acme_br'})")
    assert owns[0]["width"] == 4.6
    assert owns[0]["title"] == ("OWNS: Acme Steel Holding → Acme Brasil SA\nshare: 60 %\n"
                                "sources: Fictional company register")
    op = page.evaluate("window.campaignMap.edges.get({filter: e => e.fromId === 'acme_de' && e.toId === 'site_a'})")
    assert op[0]["title"].splitlines()[1:] == ["share: not published (unknown)", "sources: Fictional company register"]
    page.fill("#q", "Site B")
    page.click("#search button")
    assert page.evaluate("window.campaignMap.nodeIds(window.campaignMap.network.getSelectedNodes())") == ["site_b"]
    page.screenshot(path=str(tmp_path / "map.png"))
    assert (tmp_path / "map.png").stat().st_size > 10_000
    assert offline_page.problems() == {"console_errors": [], "page_errors": [], "dialogs": [], "external_requests": []}


@pytest.mark.browser
def test_map_payloads_do_not_run_in_chromium(tmp_path: Path, offline_page) -> None:
    g = payload_graph()
    path = tmp_path / "evil.html"
    write_map(g, path, heading=PAYLOADS[0] + PAYLOADS[1], around="s1", hops=2, coverage_status=False)
    page = offline_page.open(path, wait_for="window.campaignMap && window.campaignMap.stabilized")
    assert page.evaluate("window.campaignMap.network.body.data.nodes.length") == 3
    labels = page.evaluate("window.campaignMap.nodes.get().map(n => n.label).sort()")
    assert labels == sorted([PAYLOADS[0], PAYLOADS[1], "Site <b>bold</b> href"])  # data intact, as text
    assert page.inner_text("h1") == PAYLOADS[0] + PAYLOADS[1]
    # hover every node and edge so each tooltip is shown
    net = "window.campaignMap.network"
    for nid in page.evaluate("window.campaignMap.nodes.getIds()"):
        pos = page.evaluate(f"(() => {{ const p = {net}.getPositions([{_js(nid)}])[{_js(nid)}]; "
                            f"return {net}.canvasToDOM(p); }})()")
        box = page.locator("#map").bounding_box()
        page.mouse.move(box["x"] + pos["x"], box["y"] + pos["y"])
        page.wait_for_timeout(250)
    assert page.locator("div.vis-tooltip img").count() == 0
    assert page.evaluate("document.querySelectorAll('img, iframe, object').length") == 0
    page.screenshot(path=str(tmp_path / "evil.png"))
    assert offline_page.problems() == {"console_errors": [], "page_errors": [], "dialogs": [], "external_requests": []}


def _js(value: str) -> str:
    import json

    return json.dumps(value)


#: ids that name properties every plain JavaScript object inherits
PROTO_IDS = ("constructor", "toString", "__proto__", "valueOf", "hasOwnProperty")


def proto_graph() -> CampaignGraph:
    """A fictional group whose ids are inherited JavaScript property names.

    ``constructor`` owns ``toString`` (60 %) and ``valueOf`` (share not published); ``toString``
    operates the site ``__proto__``; ``hasOwnProperty`` is a union representing workers there. Five nodes,
    four links.
    """
    g = CampaignGraph()
    g.add_source(Source("reg", title="Fictional company register"))
    s = ["reg"]
    g.add_node("constructor", "Company", "Constructor Holding", sources=s, country="LU")
    g.add_node("toString", "Company", "ToString GmbH", sources=s, country="DE")
    g.add_node("valueOf", "Company", "ValueOf SA", sources=s, country="FR")
    g.add_node("__proto__", "Site", "Proto Works", sources=s, country="DE", lat=50.0, lon=8.0)
    g.add_node("hasOwnProperty", "Union", "Own Property Union", sources=s, country="DE")
    g.add_edge("constructor", "toString", "OWNS", sources=s, share=60)
    g.add_edge("constructor", "valueOf", "OWNS", sources=s)
    g.add_edge("toString", "__proto__", "OPERATES", sources=s)
    g.add_edge("hasOwnProperty", "__proto__", "REPRESENTS", sources=s)
    return g


@pytest.mark.browser
def test_map_with_inherited_property_ids_draws_in_chromium(tmp_path: Path, offline_page) -> None:
    g = proto_graph()
    path = tmp_path / "proto.html"
    view = write_map(g, path, around="constructor", hops=3, as_of=AS_OF, coverage_status=False)
    assert sorted(view.nodes) == sorted(PROTO_IDS)
    page = offline_page.open(path, wait_for="window.campaignMap && window.campaignMap.stabilized")
    assert page.evaluate("window.campaignMap.network.body.data.nodes.length") == 5
    assert page.evaluate("window.campaignMap.network.body.data.edges.length") == 4
    assert sorted(page.evaluate("window.campaignMap.nodes.get().map(n => n.nodeId)")) == sorted(PROTO_IDS)
    proto = page.evaluate("window.campaignMap.node('__proto__')")
    assert proto["label"] == "Proto Works" and proto["title"].splitlines()[1] == "Site · id __proto__"
    owns = page.evaluate("window.campaignMap.edges.get({filter: e => e.fromId === 'constructor'})")
    assert sorted(e["title"].splitlines()[0] for e in owns) == [
        "OWNS: Constructor Holding → ToString GmbH", "OWNS: Constructor Holding → ValueOf SA"]
    # every node is drawn somewhere on the canvas
    positions = page.evaluate("window.campaignMap.network.getPositions()")
    drawn = page.evaluate("window.campaignMap.nodeIds(Object.keys(window.campaignMap.network.getPositions()))")
    assert sorted(drawn) == sorted(PROTO_IDS)
    assert all(abs(p["x"]) < 1e6 and abs(p["y"]) < 1e6 for p in positions.values())
    page.fill("#q", "ToString GmbH")
    page.click("#search button")
    assert page.evaluate("window.campaignMap.nodeIds(window.campaignMap.network.getSelectedNodes())") == ["toString"]
    page.screenshot(path=str(tmp_path / "proto.png"))
    assert offline_page.problems() == {"console_errors": [], "page_errors": [], "dialogs": [], "external_requests": []}


def test_page_script_keeps_no_plain_object_dictionaries() -> None:
    """A quick guard for the browser test above: the page's script builds no ``{}`` to fill by key."""
    from exports.html import static_text

    _MAP_JS = static_text("map.js")

    assert re.findall(r"=\s*\{\s*\}", _MAP_JS) == []
    assert "new Map(" in _MAP_JS and "visIdOf" in _MAP_JS
    data = map_data(proto_graph(), select_view(proto_graph(), around="constructor", hops=3, as_of=AS_OF,
                                               coverage_status=False))
    assert sorted(row[0] for row in data["nodes"]["rows"]) == sorted(PROTO_IDS)  # the real ids reach the page
