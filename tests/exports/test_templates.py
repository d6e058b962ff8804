"""Page templates (exports/templates) and the scripts and styles inlined into pages (exports/static).

Each page is rendered from a Jinja2 template with autoescape on: a name holding ``<script>``
reaches every page as text. The package data ships every template, script and style.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from exports import netmap
from exports.brief import write_brief
from exports.geo import write_geo
from exports.html import environment, static_text
from exports.netmap import write_map
from graphmodel.graph import CampaignGraph
from graphmodel.records import Source
from tests.exports.test_netmap import AS_OF, acme_graph

ROOT = Path(__file__).resolve().parents[2]
EVIL = "<script>alert(1)</script>"
EVIL_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


class _Scripts(HTMLParser):
    """Counts ``<script>`` start tags (their content is not parsed as markup)."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.scripts += tag == "script"


def _script_tags(text: str) -> int:
    p = _Scripts()
    p.feed(text)
    return p.scripts


def _evil_group() -> CampaignGraph:
    """A fictional company whose name is a script element, operating one site named likewise."""
    g = CampaignGraph()
    g.add_source(Source("reg", title="Fictional company register"))
    g.add_node("acme", "Company", EVIL, sources=["reg"], country="DE")
    g.add_node("works", "Site", EVIL + " works", sources=["reg"], country="DE", commodity="steel",
               workforce=100, lat=51.2, lon=6.8, status="operating")
    g.add_edge("acme", "works", "OPERATES", sources=["reg"])
    return g


def test_every_template_escapes_a_script_name() -> None:
    env = environment()
    names = sorted(p.name for p in (ROOT / "exports" / "templates").glob("*.j2"))
    assert names == ["brief.html.j2", "geo.html.j2", "map.html.j2", "page.html.j2"]
    for name in names:
        # autoescape is decided per template name: on for each
        tmpl = env.get_template(name)
        assert tmpl.environment.autoescape is True or tmpl.environment.autoescape(name) is True, name
    text = env.get_template("page.html.j2").render(csp="x", title=EVIL, page_style="", head="", body=EVIL)
    assert EVIL not in text and text.count(EVIL_ESCAPED) == 2


def test_a_script_name_is_text_in_the_map_geo_and_brief_pages(tmp_path: Path) -> None:
    g = _evil_group()
    write_map(g, tmp_path / "map.html", company="acme", as_of=AS_OF, coverage_status=False)
    write_geo(g, "acme", tmp_path / "geo.html", as_of=AS_OF)
    write_brief(g, "acme", tmp_path / "brief.html", as_of=AS_OF)
    # script elements: map = data + vis-network + map.js; geo = its data element; brief = none
    expected_scripts = {"map.html": 3, "geo.html": 1, "brief.html": 0}
    for name, scripts in expected_scripts.items():
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert EVIL not in text, name
        assert EVIL_ESCAPED in text, name  # the heading / title, escaped by the template
        assert _script_tags(text) == scripts, name
        assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\';' in text, name


def test_package_data_ships_every_template_script_and_style() -> None:
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert any(d.startswith("jinja2") for d in conf["project"]["dependencies"])
    patterns = conf["tool"]["setuptools"]["package-data"]["exports"]
    files = [str(p.relative_to(ROOT / "exports")) for d in ("templates", "static")
             for p in (ROOT / "exports" / d).iterdir() if p.is_file()]
    assert {"templates/map.html.j2", "static/map.js", "static/map.css", "static/base.css"} <= set(files)
    for f in files:
        assert any(fnmatch.fnmatch(f, pat) for pat in patterns), f


def test_map_script_reads_rows_by_column_name() -> None:
    js = static_text("map.js")
    assert re.findall(r"\br\[\d", js) == []  # no positional cell
    for col in netmap.NODE_ROW + netmap.EDGE_ROW:
        assert f'"{col}")' in js, col


@pytest.mark.browser
def test_map_draws_the_same_with_its_columns_in_another_order(tmp_path: Path, offline_page,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The page finds each cell by its column's name: reversed columns draw the same map."""
    real = netmap.map_data

    def reversed_columns(graph, view):
        data = real(graph, view)
        for key in ("nodes", "edges"):
            data[key] = {"columns": data[key]["columns"][::-1], "rows": [r[::-1] for r in data[key]["rows"]]}
        return data

    monkeypatch.setattr(netmap, "map_data", reversed_columns)
    path = tmp_path / "map.html"
    write_map(acme_graph(), path, company="acme", as_of=AS_OF, coverage_status=False)
    assert '"columns":["sites","near","reason","sources","values"' in path.read_text(encoding="utf-8")
    page = offline_page.open(path, wait_for="window.campaignMap && window.campaignMap.stabilized")
    # the same answers as test_netmap.py::test_map_draws_offline_in_chromium
    assert page.evaluate("window.campaignMap.network.body.data.nodes.length") == 12
    assert page.evaluate("window.campaignMap.network.body.data.edges.length") == 13
    site_a = page.evaluate("window.campaignMap.node('site_a')")
    assert site_a["shape"] == "square" and site_a["color"]["background"] == "#9e9e9e"
    assert site_a["title"].splitlines()[:3] == ["Site A", "Site · id site_a", "commodity: steel"]
    owns = page.evaluate("window.campaignMap.edges.get({filter: e => e.fromId === 'acme' && e.toId === 'acme_br'})")
    assert owns[0]["width"] == 4.6
    assert owns[0]["title"] == ("OWNS: Acme Steel Holding → Acme Brasil SA\nshare: 60 %\n"
                                "sources: Fictional company register")
    assert offline_page.problems() == {"console_errors": [], "page_errors": [], "dialogs": [], "external_requests": []}
