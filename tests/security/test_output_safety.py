"""HTML and spreadsheet output safety (issue 8 part 6, docs/threats.md rows 1 and 2).

Every text field of every node and edge kind the schema has, the source records, some ids
and the heading hold script and event-handler payloads. The map (company view and query
views), the geographic view and the briefing are opened in headless Chromium with the
network cut: no dialog fires, no payload element is created, nothing is fetched. The query
tables written as CSV/XLSX carry no live formula.
"""

from __future__ import annotations

import contextlib
import csv
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Error as PlaywrightError

from exports.brief import write_brief
from exports.geo import write_geo
from exports.netmap import write_map
from exports.tables import write_table
from graphmodel import schema
from graphmodel.graph import CampaignGraph
from graphmodel.records import Source
from queries.coverage import coverage

PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(2)</script>",
    "\" onmouseover=\"alert(3)\" x=\"",
    "'><svg onload=alert(4)>",
    "javascript:alert(5)",
    "<a href=javascript:alert(6)>href</a>",
    "{{constructor.constructor('alert(7)')()}}",
    "=HYPERLINK(\"http://evil.example\",\"x\")",
]
RAW = [p for p in PAYLOADS if "<" in p]


def _p(i: int) -> str:
    return PAYLOADS[i % len(PAYLOADS)]


def payload_everywhere() -> CampaignGraph:
    """A fictional group where every text property of every kind holds a payload."""
    g = CampaignGraph()
    g.add_source(Source("s1", title=_p(0), publisher=_p(1), url="javascript:alert(8)", licence=_p(2), loaded="2025-01-01"))
    g.add_source(Source("s2", title=_p(3), url="https://example.org/" + _p(0), loaded="2025-01-01"))
    i = 0
    ids: dict[str, str] = {}
    coords = {"lat": 50.0, "lon": 5.0}
    for kind in schema.NODE_KINDS:
        props = {}
        for p, prop in schema.node_props(kind).items():
            if p in ("sources", "origins", "name"):
                continue
            if prop.type == "str":
                props[p] = _p(i)
                i += 1
            elif prop.type == "list":
                props[p] = [_p(i), _p(i + 1)]
                i += 2
        if kind == "Site":
            props.update(coords, workforce=100, status="operating")
        if kind == "Agreement":
            props.update(agreement_type="cba", signed="2020-01-01", expires="2030-12-31")
        nid = "acme" if kind == "Company" else f"{kind.lower()}-{_p(i)}"
        ids[kind] = nid
        g.add_node(nid, kind, _p(i + 1), sources=["s1", "s2"], **props)
        i += 2
    g.add_node("site-b", "Site", _p(5), sources=["s2"], lat=51.0, lon=6.0, country="DE")
    g.add_node("sub", "Company", _p(6), sources=["s1"])
    wanted = {("Company", "Site"), ("Company", "Company"), ("Union", "Site"), ("Agreement", "Site"), ("Company", "Agreement")}
    for ek, spec in schema.EDGE_KINDS.items():
        for a, b in spec.endpoints:
            if a in ids and b in ids and ids[a] != ids[b]:
                props = {p: _p(i + j) for j, (p, pr) in enumerate(schema.edge_props(ek).items())
                         if pr.type == "str" and p not in ("sources", "origins")}
                if ek == "REPRESENTS":
                    props.update(recognised=True, members=12)
                g.add_edge(ids[a], ids[b], ek, sources=["s1"], **props)
                i += 1
                if (a, b) in wanted:
                    break
    g.add_edge("acme", "sub", "OWNS", share=60.0, sources=["s2"], notes=_p(2))
    g.add_edge("sub", "site-b", "OPERATES", sources=["s2"])
    return g


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    g = payload_everywhere()
    g.validate()
    d = tmp_path_factory.mktemp("pages")
    out = {
        "map-company": d / "map.html",
        "map-coverage": d / "map-coverage.html",
        "map-leverage": d / "map-leverage.html",
        "geo": d / "geo.html",
        "brief": d / "brief.html",
    }
    write_map(g, out["map-company"], heading=PAYLOADS[0] + PAYLOADS[1], company="acme")
    write_map(g, out["map-coverage"], heading=PAYLOADS[3], company="acme", query="coverage")
    write_map(g, out["map-leverage"], heading=PAYLOADS[2], company="acme", query="leverage")
    write_geo(g, "acme", out["geo"], title=PAYLOADS[0])
    write_brief(g, "acme", out["brief"])
    return out


def test_no_raw_payload_and_no_remote_reference_in_any_page(pages: dict[str, Path]) -> None:
    for name, path in pages.items():
        text = path.read_text(encoding="utf-8")
        for p in RAW:
            assert p not in text, (name, p)
        # self-contained: nothing fetched from anywhere
        import re

        assert re.findall(r"""(?:src|href)\s*=\s*["']?https?://""", text) == [], name


@pytest.mark.browser
@pytest.mark.parametrize("name", ["map-company", "map-coverage", "map-leverage", "geo", "brief"])
def test_payloads_do_not_run_in_chromium(pages: dict[str, Path], name: str, offline_page) -> None:
    path = pages[name]
    is_map = name.startswith("map")
    page = offline_page.open(path, wait_for="window.campaignMap && window.campaignMap.stabilized" if is_map else None)
    if is_map:
        net = "window.campaignMap.network"
        box = page.locator("#map").bounding_box()
        for nid in page.evaluate("window.campaignMap.nodes.getIds()"):
            pos = page.evaluate(f"(id) => {{ const n = {net}; return n.canvasToDOM(n.getPositions([id])[id]); }}", nid)
            page.mouse.move(box["x"] + pos["x"], box["y"] + pos["y"])
            page.wait_for_timeout(120)
        assert page.locator("div.vis-tooltip img, div.vis-tooltip svg, div.vis-tooltip a").count() == 0
    # hover and click every element that carries text, so event handlers would fire
    for el in page.query_selector_all("a, td, th, li, span, h1, h2, h3, p")[:300]:
        with contextlib.suppress(PlaywrightError):  # hidden or detached elements cannot be hovered
            el.hover(timeout=500)
    page.wait_for_timeout(300)
    injected = page.evaluate(
        "document.querySelectorAll('img[src=x], svg[onload], [onerror], [onmouseover], a[href^=javascript]').length"
    )
    assert injected == 0
    problems = offline_page.problems()
    assert problems["dialogs"] == [] and problems["external_requests"] == [] and problems["page_errors"] == [], problems


def test_query_tables_have_no_live_formula(tmp_path: Path) -> None:
    g = payload_everywhere()
    triggers = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1)"]  # names are stripped: no leading tab/CR
    for k, name in enumerate(triggers):
        g.add_node(f"t{k}", "Site", name, country=name, workforce=k)
        g.add_edge("acme", f"t{k}", "OPERATES")
    rows = coverage(g, "acme")
    assert set(triggers) <= set(rows["site"])
    write_table(rows, tmp_path / "c.csv", fmt="csv")
    write_table(rows, tmp_path / "c.xlsx", fmt="xlsx")
    with open(tmp_path / "c.csv", newline="", encoding="utf-8") as f:
        cells = [c for r in csv.reader(f) for c in r]
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r") or (c[:1] == "-" and not _number(c))]
    wb = openpyxl.load_workbook(tmp_path / "c.xlsx")
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
    for t in triggers:
        assert "'" + t in cells, t  # neutralised, and still readable


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
