"""The static network map readable as opened (issue 21): label sizes at the default zoom, the map
without a focus, the legend, wrapping tooltips.

Oracles: hand-worked answers on fictional groups (``test_netmap.acme_graph`` and the hub below), the
legend's colours and styles worked out here from the map's data rows, and in Chromium what the page
really draws: every label is caught as the canvas draws it (``fillText`` with the context's font and
transform), so a label's size on screen is its font size times the canvas scale.
Every company, site and union here is fictional.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from exports.netmap import DEFAULT_GROUPS, STYLE_SWATCH, legend, map_data, render_map, select_view, write_map
from graphmodel.graph import CampaignGraph
from graphmodel.records import Source
from graphmodel.stores.snapshot import save_snapshot
from tests.exports.test_netmap import AS_OF, acme_graph

N_SUBS = 30


def hub_graph() -> CampaignGraph:
    """Hub Holding owns 30 subsidiaries ("Hub Subsidiary 01 GmbH"...) outright; each operates one site
    ("Hub Works 01"...). The focus has 30 neighbours, so the fitted view of 61 nodes is well below
    full size; the sites are the nodes whose labels wait for a zoom."""
    g = CampaignGraph()
    g.add_source(Source("reg", title="Fictional company register"))
    s = ["reg"]
    g.add_node("hub", "Company", "Hub Holding", sources=s, country="LU")
    for i in range(1, N_SUBS + 1):
        g.add_node(f"sub{i:02d}", "Company", f"Hub Subsidiary {i:02d} GmbH", sources=s, country="DE")
        g.add_edge("hub", f"sub{i:02d}", "OWNS", sources=s, share=100)
        g.add_node(f"works{i:02d}", "Site", f"Hub Works {i:02d}", sources=s, country="DE", status="operating")
        g.add_edge(f"sub{i:02d}", f"works{i:02d}", "OPERATES", sources=s)
    return g


# --------------------------------------------------------------------------- the map without a focus
def test_a_map_without_focus_shows_the_largest_groups_roots_and_says_how_to_focus() -> None:
    g = acme_graph()
    view = select_view(g, as_of=AS_OF)
    # worked answer: Site A (Acme Deutschland, 100 %) and Site B (Acme Brasil, 60 %) are in Acme Steel
    # Holding's group; the JV is jointly controlled, so Site C's group is the JV's own; Gamma Metals
    # (20 % Acme's) is its own group with Site D. Ties (one site each) go by id.
    assert view.nodes == ["acme", "gamma", "jv"]
    assert view.group_sites == {"acme": 2, "gamma": 1, "jv": 1}
    assert view.focus == [] and view.omitted == {}
    assert set(view.edges) == {"OWNS:acme->jv", "OWNS:acme->gamma"}  # the stakes between the roots shown
    assert view.title == "The 3 largest groups by sites"
    assert "--company NAME" in view.notes[-1] and "3 largest of 3 groups with sites" in view.notes[-1]
    # only sites of the statuses asked for count: Site A closed leaves Acme with Site B
    g.add_node("site_a", "Site", "Site A", merge="replace", status="closed")
    assert select_view(g, as_of=AS_OF).group_sites == {"acme": 1, "gamma": 1, "jv": 1}
    assert select_view(g, as_of=AS_OF, status="all").group_sites == {"acme": 2, "gamma": 1, "jv": 1}
    # the cap applies too
    assert select_view(g, as_of=AS_OF, max_nodes=1).nodes == ["acme"]


def test_the_map_without_focus_holds_at_most_the_default_number_of_groups() -> None:
    g = CampaignGraph()
    for i in range(DEFAULT_GROUPS + 5):  # 30 one-company groups, group i with i + 1 sites
        g.add_node(f"c{i:02d}", "Company", f"Company {i:02d}")
        for j in range(i + 1):
            g.add_node(f"s{i:02d}_{j:02d}", "Site", f"Site {i:02d}-{j:02d}", status="operating")
            g.add_edge(f"c{i:02d}", f"s{i:02d}_{j:02d}", "OPERATES")
    view = select_view(g, as_of=AS_OF, coverage_status=False)
    assert DEFAULT_GROUPS == 25
    assert view.nodes == [f"c{i:02d}" for i in range(29, 4, -1)]  # 30 sites, 29, ..., 6
    assert view.group_sites["c29"] == 30 and view.group_sites["c05"] == 6
    assert "25 largest of 30 groups" in view.notes[-1]


def test_a_graph_with_no_operated_site_gives_an_empty_map_that_says_how_to_focus() -> None:
    g = CampaignGraph()
    g.add_node("x", "Company", "X Corp")
    view = select_view(g, coverage_status=False)
    assert view.nodes == [] and view.title == "No group with sites"
    assert "--around NAME" in view.notes[-1]


def test_the_map_data_marks_the_labels_to_read_and_the_groups_sites() -> None:
    g = acme_graph()
    data = map_data(g, select_view(g, company="acme", as_of=AS_OF, coverage_status=False))
    cols = data["nodes"]["columns"]
    near = {r[0] for r in data["nodes"]["rows"] if r[cols.index("near")] == 1}
    # the focus and what an edge links it to: its subsidiaries (group or not), nothing else
    assert near == {"acme", "acme_de", "acme_br", "jv", "gamma"}
    assert all(r[cols.index("sites")] is None for r in data["nodes"]["rows"])
    roots = map_data(g, select_view(g, as_of=AS_OF))
    cols = roots["nodes"]["columns"]
    assert {r[0]: (r[cols.index("near")], r[cols.index("sites")]) for r in roots["nodes"]["rows"]} == {
        "acme": (1, 2), "gamma": (1, 1), "jv": (1, 1)}


def test_cli_map_without_focus(tmp_path: Path) -> None:
    from exports.cli.main import cli

    snap = tmp_path / "snap"
    save_snapshot(acme_graph(), snap)
    out = tmp_path / "m.html"
    result = CliRunner().invoke(cli, ["map", str(snap), "--as-of", AS_OF, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 nodes" in result.output and "--company NAME" in result.output
    assert "campaign-graph map SNAPSHOT --company NAME -o map.html" in out.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- the legend
def legend_oracle(data: dict[str, Any]) -> set[tuple[str, str]]:
    """(what, colour) of every colour and style the rows draw, worked out from the rows alone."""
    n, e = data["nodes"], data["edges"]
    nk, ns = n["columns"].index("kind"), n["columns"].index("status")
    ek, ed, ev = e["columns"].index("kind"), e["columns"].index("dashed"), e["columns"].index("values")
    out = set()
    for r in n["rows"]:
        kind = data["kinds"][r[nk]]
        if kind == "Site":
            out.add(("site", data["statusColours"][data["statuses"][r[ns]]]))
        else:
            out.add(("node", data["kindStyle"][kind][0]))
    for r in e["rows"]:
        kind = data["kinds"][r[ek]]
        out.add(("edge", data["edgeColours"][kind]))
        if kind in ("OWNS", "OPERATES") and ("share" in r[ev] or "voting" in r[ev]):
            out.add(("width", STYLE_SWATCH))
        if r[ed]:
            out.add(("dashed", STYLE_SWATCH))
    return out


class _Legend(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.items: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "li" and "data-what" in a:
            self.items.append((a["data-what"] or "", a["data-colour"] or ""))


def page_legend(html: str) -> list[tuple[str, str]]:
    p = _Legend()
    p.feed(html)
    return p.items


def _views(g: CampaignGraph) -> dict[str, dict[str, Any]]:
    return {
        "group": {"company": "acme"}, "coverage": {"company": "acme", "query": "coverage"},
        "roots": {}, "union": {"around": "u2", "hops": 1}, "uncoloured": {"company": "acme", "coverage_status": False},
        "supply": {"around": "site_c", "hops": 1},
    }


def test_the_legend_has_an_entry_for_every_colour_and_style_drawn_and_only_those() -> None:
    g = acme_graph()
    g.add_node("buyer", "Company", "Buyer Works Ltd", sources=["reg"], country="ZA")
    g.add_edge("site_c", "buyer", "SUPPLIES", sources=["reg"], commodity="coal")
    g.add_node("owner_x", "Company", "Owner X", sources=["reg"])
    g.add_edge("owner_x", "beta", "OWNS", sources=["reg"])  # share not published: a dashed line
    seen = {}
    for name, args in _views(g).items():
        view = select_view(g, as_of=AS_OF, **args)
        data = map_data(g, view)
        items = legend(data)
        pairs = [(i["what"], i["colour"]) for i in items]
        assert len(pairs) == len(set(pairs)), name
        assert set(pairs) == legend_oracle(data), name
        assert page_legend(render_map(g, view)) == pairs, name
        seen[name] = items
    # worked answers: the union view has one union, Site B (a recorded gap) and one line, no stake
    assert [(i["what"], i["text"]) for i in seen["union"]] == [
        ("node", "Union (triangle)"), ("site", "Site: not covered (1)"), ("edge", "union represents workers at")]
    # the group view has no dashed line (every share on it is published; Owner X's stake in Beta is
    # not on it); the buyer Site C supplies is
    group = {i["text"] for i in seen["group"]}
    assert "dashed = share not published" not in group and "supplies" in group
    assert {"Site: covered (1)", "Site: not covered (1)", "Site: unknown (1)", "owns", "operates",
            "party to an agreement", "agreement covers", "line width = ownership or operating stake"} <= group
    assert {i["text"] for i in seen["uncoloured"] if i["what"] == "site"} == {"Site: unknown (3)"}
    # around Site C: its operator the JV, the supply line to the buyer; no ownership line, so no width note
    assert [(i["what"], i["text"]) for i in seen["supply"] if i["what"] != "node"] == [
        ("site", "Site: unknown (1)"), ("edge", "operates"), ("edge", "supplies")]
    dashed = select_view(g, as_of=AS_OF, around="beta", hops=1)
    assert ("dashed", STYLE_SWATCH) in {(i["what"], i["colour"]) for i in legend(map_data(g, dashed))}


# --------------------------------------------------------------------------- in Chromium
#: wraps the canvas's fillText to record each text drawn with its font size on screen (CSS px):
#: the font's px times the context's scale (view scale and device pixel ratio) over the pixel ratio
_RECORD = """(() => {
  const drawn = [];
  const original = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function (text, x, y) {
    const px = parseFloat(/([0-9.]+)px/.exec(this.font)[1]);
    drawn.push([String(text), px * this.getTransform().a / window.devicePixelRatio]);
    return original.apply(this, arguments);
  };
  window.__drawn = drawn;
  window.campaignMap.network.redraw();
  return true;
})()"""


def drawn_labels(page: Any) -> dict[str, float]:
    """Each text the canvas draws on the next redraw -> its largest size on screen (px)."""
    page.evaluate("window.__drawn ? (window.__drawn.length = 0, window.campaignMap.network.redraw(), true) : "
                  + _RECORD)
    page.wait_for_timeout(300)
    out: dict[str, float] = {}
    for text, px in page.evaluate("window.__drawn"):
        out[text] = max(px, out.get(text, 0.0))
    return out


def label_px(drawn: dict[str, float], label: str) -> float | None:
    """The size a label was drawn at (its lines are drawn one by one: the first line names it)."""
    sizes = [px for text, px in drawn.items() if text and label.startswith(text) and len(text) >= min(len(label), 8)]
    return min(sizes) if sizes else None


def near_oracle(data: dict[str, Any]) -> set[str]:
    """The focus and the nodes an edge of the view links to it, from the rows (every node without a focus)."""
    cols, ecols = data["nodes"]["columns"], data["edges"]["columns"]
    focus = {r[0] for r in data["nodes"]["rows"] if r[cols.index("size")] >= 26}
    if not focus:
        return {r[0] for r in data["nodes"]["rows"]}
    ends = [(r[ecols.index("from")], r[ecols.index("to")]) for r in data["edges"]["rows"]]
    return focus | {v for u, v in ends if u in focus} | {u for u, v in ends if v in focus}


def _open(offline_page: Any, path: Path) -> Any:
    return offline_page.open(path, wait_for="window.campaignMap && window.campaignMap.stabilized")


@pytest.mark.browser
def test_labels_of_the_focus_and_its_neighbours_read_at_12_px_at_the_default_zoom(tmp_path: Path,
                                                                                  offline_page: Any) -> None:
    g = hub_graph()
    view = select_view(g, company="hub", as_of=AS_OF, coverage_status=False)
    data = map_data(g, view)
    near = near_oracle(data)
    assert near == {"hub"} | {f"sub{i:02d}" for i in range(1, N_SUBS + 1)}
    path = tmp_path / "hub.html"
    path.write_text(render_map(g, view), encoding="utf-8")
    page = _open(offline_page, path)
    scale = page.evaluate("window.campaignMap.network.getScale()")
    assert scale < 0.8  # the fitted view is zoomed out: 12-unit fonts alone would read below 10 px
    drawn = drawn_labels(page)
    names = dict(zip(view.nodes, g.names_of(view.nodes)))
    sizes = {n: label_px(drawn, names[n]) for n in view.nodes}
    assert all(sizes[n] is not None and sizes[n] >= 12 for n in near), sizes
    assert sizes["hub"] >= 16  # the focus reads larger
    # the sites' labels would be smaller than 8 px: not drawn until one zooms in
    assert 12 * scale < 8 and all(sizes[f"works{i:02d}"] is None for i in range(1, N_SUBS + 1))
    page.screenshot(path=str(tmp_path / "hub.png"))
    # zoomed in on a site, its label is drawn, at 12 px
    page.evaluate("(() => { const m = window.campaignMap; const v = m.visId('works07');"
                  " m.network.moveTo({position: m.network.getPositions([v])[v], scale: 1.0}); return true; })()")
    zoomed = drawn_labels(page)
    assert label_px(zoomed, "Hub Works 07") == pytest.approx(12, abs=0.01)
    page.screenshot(path=str(tmp_path / "hub-zoomed.png"))
    assert offline_page.problems() == {"console_errors": [], "page_errors": [], "dialogs": [], "external_requests": []}


@pytest.mark.browser
def test_the_map_without_focus_labels_every_group_readably_and_says_how_to_focus(tmp_path: Path,
                                                                                  offline_page: Any) -> None:
    g = acme_graph()
    path = tmp_path / "roots.html"
    view = write_map(g, path, as_of=AS_OF)
    page = _open(offline_page, path)
    drawn = drawn_labels(page)
    for name in ("Acme Steel Holding", "Gamma Metals", "Acme-Beta JV"):
        assert (label_px(drawn, name) or 0) >= 12, (name, drawn)
    assert "--company NAME" in page.inner_text("body")
    tip = page.evaluate("window.campaignMap.node('acme').title").splitlines()
    assert "sites of its group: 2" in tip
    assert len(view.nodes) == 3
    assert offline_page.problems() == {"console_errors": [], "page_errors": [], "dialogs": [], "external_requests": []}


@pytest.mark.browser
def test_the_page_legend_matches_what_the_page_draws(tmp_path: Path, offline_page: Any) -> None:
    g = acme_graph()
    path = tmp_path / "acme.html"
    view = write_map(g, path, company="acme", as_of=AS_OF)
    page = _open(offline_page, path)
    shown = page.evaluate("""(() => { const m = window.campaignMap; const out = [];
      m.nodes.get().forEach(n => out.push([n.kind === 'Site' ? 'site' : 'node', n.color.background]));
      m.edges.get().forEach(e => { out.push(['edge', e.color.color]); if (e.dashes) out.push(['dashed', '#37474f']); });
      return out; })()""")
    listed = page.evaluate("Array.from(document.querySelectorAll('#legend li')).map(li => [li.dataset.what, li.dataset.colour])")
    drawn = {tuple(x) for x in shown}
    assert {tuple(x) for x in listed if x[0] != "width"} == drawn
    assert set(map(tuple, listed)) == legend_oracle(map_data(g, view))
    assert page.locator("#legend li").count() == len(listed) == len({tuple(x) for x in listed})


@pytest.mark.browser
def test_tooltips_wrap_and_stay_inside_the_window(tmp_path: Path, offline_page: Any) -> None:
    g = acme_graph()
    long_word = "https://example.org/" + "fictional-register-entry-" * 12
    g.add_node("site_a", "Site", "Site A", merge="replace", url=long_word,
               site_type=("an integrated works with a blast furnace line, a converter shop, a hot strip mill, "
                          "a cold mill and a coating line, all on one fictional estate by a river"))
    path = tmp_path / "tips.html"
    write_map(g, path, company="acme", as_of=AS_OF)
    page = _open(offline_page, path)
    width = page.evaluate("window.innerWidth")
    height = page.evaluate("window.innerHeight")
    # put Site A 10 px from the map's right edge, then hover it
    box = page.locator("#map").bounding_box()
    page.evaluate(f"""(() => {{ const m = window.campaignMap, n = m.network, v = m.visId('site_a');
      const p = n.DOMtoCanvas({{x: {box['width'] - 10}, y: {box['height'] / 2}}});
      n.moveNode(v, p.x, p.y); n.redraw(); return true; }})()""")
    page.mouse.move(box["x"] + box["width"] - 10, box["y"] + box["height"] / 2)
    page.wait_for_timeout(600)
    tip = page.locator("#map div.vis-tooltip")
    assert tip.is_visible()
    assert "fictional-register-entry" in tip.inner_text()
    r = page.evaluate("(() => { const t = document.querySelector('#map div.vis-tooltip');"
                      " const b = t.getBoundingClientRect();"
                      " return {left: b.left, right: b.right, top: b.top, bottom: b.bottom,"
                      " scroll: t.scrollWidth, client: t.clientWidth, width: parseFloat(getComputedStyle(t).width)};"
                      " })()")
    assert 0 <= r["left"] and r["right"] <= width and 0 <= r["top"] and r["bottom"] <= height, r
    assert r["width"] <= 420 and r["scroll"] <= r["client"], r  # wrapped at the max width, nothing cut off
    page.screenshot(path=str(tmp_path / "tooltip.png"))
    assert offline_page.problems() == {"console_errors": [], "page_errors": [], "dialogs": [], "external_requests": []}


def test_the_page_script_sizes_labels_from_the_data() -> None:
    """The sizes the browser tests measure come from netmap's constants, not numbers in the script."""
    from exports.html import static_text

    js = static_text("map.js")
    assert "sizes.labelPx" in js and "sizes.focusLabelPx" in js and "sizes.labelWrapPx" in js
    assert not re.search(r"\bfont: \{size: 1[2-9]\b", js.split("function readableLabels")[1])
