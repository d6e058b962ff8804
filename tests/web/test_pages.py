"""The workbench's pages without a browser: vendored files as recorded, every static file a page
references shipped in the package, templates that escape, scripts that never write HTML.

The graph is tests/web/page_fixtures.py's (the API's hand-worked Acme group plus payload names).
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from exports.web.pages import STATIC_DIR
from tests.web.page_fixtures import PAYLOAD_ID, PAYLOAD_NAME, SCRIPT_ID, SCRIPT_NAME, page_graph

REPO = Path(__file__).resolve().parents[2]
WEB = REPO / "exports" / "web"
VENDOR = STATIC_DIR / "vendor" / "vis-network"
BASE = "http://127.0.0.1:8765"


@pytest.fixture(scope="module")
def client() -> TestClient:
    from exports.web.app import create_app

    g = page_graph()
    # a value pinned to its own source: Werk Nord's workforce comes from the annual report
    g.set_node_props("nord", value_sources=["workforce=ar"])
    return TestClient(create_app(g, host="127.0.0.1", port=8765), base_url=BASE)


class _Page(HTMLParser):
    """Elements, attributes, and the text of script and style elements of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.starts: list[tuple[str, dict[str, str | None]]] = []
        self.inline: list[str] = []  # script or style elements with content, or style attributes
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.starts.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._in = tag
        if any(k == "style" or k.startswith("on") for k, _ in attrs):
            self.inline.append(f"attribute on <{tag}>")

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in and data.strip():
            self.inline.append(f"<{self._in}>{data[:40]}")

    def urls(self) -> list[str]:
        return [v for _, a in self.starts for k, v in a.items() if k in ("src", "href") and v]

    def attr(self, element_id: str, name: str) -> str | None:
        return next(a.get(name) for _, a in self.starts if a.get("id") == element_id)


def parse(text: str) -> _Page:
    p = _Page()
    p.feed(text)
    return p


# --------------------------------------------------------------------------- vendored files
def _recorded_sums() -> dict[str, str]:
    text = (VENDOR / "VENDORED.md").read_text(encoding="utf-8")
    return {name: digest for digest, name in re.findall(r"^([0-9a-f]{64})  (\S+)$", text, flags=re.MULTILINE)}


def test_vendored_files_match_the_sha256_in_vendored_md() -> None:
    sums = _recorded_sums()
    assert sorted(sums) == ["LICENSE-APACHE-2.0", "LICENSE-MIT", "vis-network.min.css", "vis-network.min.js"]
    for name, digest in sums.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name
    # nothing in the folder that is not recorded
    assert sorted(p.name for p in VENDOR.iterdir()) == sorted([*sums, "VENDORED.md"])


def test_the_pinned_version_is_the_same_everywhere() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    version = re.search(r"^VIS_NETWORK_VERSION := (\S+)$", makefile, flags=re.MULTILINE).group(1)
    assert version == "10.1.5"
    assert f"- Version: {version} " in (VENDOR / "VENDORED.md").read_text(encoding="utf-8")
    assert f"@version {version}\n" in (VENDOR / "vis-network.min.js").read_text(encoding="utf-8")[:1000]


def test_the_vendored_build_injects_no_style_element() -> None:
    # the CSP (style-src 'self') refuses <style> elements made at run time: the standalone build's way
    assert 'createElement("style")' not in (VENDOR / "vis-network.min.js").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- package files
def test_package_data_ships_every_template_and_static_file() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["exports.web"]
    shipped = {p for pattern in patterns for p in WEB.glob(pattern) if p.is_file()}
    files = {p for folder in ("static", "templates") for p in (WEB / folder).rglob("*")
             if p.is_file() and "__pycache__" not in p.parts}
    assert files - shipped == set()
    assert VENDOR / "LICENSE-MIT" in shipped and VENDOR / "VENDORED.md" in shipped


def test_every_static_file_the_pages_reference_exists_and_is_served(client: TestClient) -> None:
    referenced: set[str] = set()
    for path in ("/", "/?q=acme", "/nodes/acme", "/nodes/nord", "/nodes/nobody"):
        referenced |= {u for u in parse(client.get(path).text).urls() if u.startswith("/static/")}
    assert referenced == {
        "/static/favicon.svg", "/static/web.css", "/static/common.js", "/static/search.js", "/static/node.js",
            "/static/network.js", "/static/edits.js", "/static/profile.js",
        "/static/vendor/vis-network/vis-network.min.css", "/static/vendor/vis-network/vis-network.min.js"}
    for url in referenced:
        assert (STATIC_DIR / url.removeprefix("/static/")).is_file(), url
        r = client.get(url)
        assert r.status_code == 200, url
        assert r.content == (STATIC_DIR / url.removeprefix("/static/")).read_bytes()
    # the stylesheets load nothing but data: images and files of the package beside them (a fragment-only
    # url(#...) is an old Internet Explorer `behavior`, never fetched)
    for css in STATIC_DIR.rglob("*.css"):
        for u in (u.strip("\"'") for u in re.findall(r"url\(([^)]*)\)", css.read_text(encoding="utf-8"))):
            if u.startswith(("data:", "#")):
                continue
            assert ":" not in u and not u.startswith("/") and ".." not in u, (css, u)
            assert (css.parent / u).is_file(), (css, u)


def test_page_scripts_never_write_html() -> None:
    for js in STATIC_DIR.glob("*.js"):
        # the code without its comments (which name the sinks they avoid)
        text = re.sub(r"/\*.*?\*/", "", js.read_text(encoding="utf-8"), flags=re.DOTALL)
        text = re.sub(r"(^|\s)//.*$", "", text, flags=re.MULTILINE)
        assert "textContent" in text or "el(" in text
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
            assert sink not in text, f"{js.name}: {sink}"


# --------------------------------------------------------------------------- pages
def test_pages_have_no_inline_script_style_or_handler_and_no_outside_url(client: TestClient) -> None:
    for path in ("/", "/?q=%3Cscript%3E", "/nodes/acme", "/nodes/nord", "/nodes/nobody",
                 "/nodes/" + quote(PAYLOAD_ID, safe="")):
        r = client.get(path)
        page = parse(r.text)
        assert page.inline == [], path
        assert [u for u in page.urls() if not u.startswith("/")] == [], path
        assert r.headers["content-security-policy"].startswith("default-src 'self'; script-src 'self'")


def test_the_entity_page_writes_name_kind_and_id_as_text(client: TestClient) -> None:
    r = client.get("/nodes/" + quote(PAYLOAD_ID, safe=""))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    for raw in (PAYLOAD_ID, PAYLOAD_NAME, "<img"):
        assert raw not in r.text
    assert "<h1 id=\"entity-name\">&lt;img src=x onerror=alert(1)&gt;</h1>" in r.text
    page = parse(r.text)
    assert page.attr("entity", "data-node-id") == PAYLOAD_ID  # the parser unescapes: the id survives
    assert page.attr("entity", "data-kind") == "Union"
    assert [t for t, _ in page.starts].count("img") == 0
    # an id holding "/" (sent as %2F) names its node
    r = client.get("/nodes/" + quote(SCRIPT_ID, safe=""))
    assert r.status_code == 200
    assert SCRIPT_NAME not in r.text and "</script><script>" not in r.text
    assert parse(r.text).attr("entity", "data-node-id") == SCRIPT_ID


def test_the_search_page_keeps_the_query_as_text(client: TestClient) -> None:
    r = client.get("/", params={"q": PAYLOAD_NAME, "kind": "Union"})
    assert PAYLOAD_NAME not in r.text
    page = parse(r.text)
    assert page.attr("search", "data-q") == PAYLOAD_NAME and page.attr("q", "value") == PAYLOAD_NAME
    selected = [a.get("value") for t, a in page.starts if t == "option" and "selected" in a]
    assert selected == ["Union"]


def test_property_sources_are_the_values_own_sources(client: TestClient) -> None:
    page = parse(client.get("/nodes/nord").text)
    # worked out: Werk Nord's record comes from the GEM tracker, its workforce is pinned to the annual report
    assert json.loads(page.attr("entity", "data-property-sources")) == {
        "country": ["gem"], "status": ["gem"], "workforce": ["ar"]}
    styles = json.loads(next(a["data-styles"] for t, a in page.starts if t == "body"))
    assert styles["nodes"]["Site"] == {"colour": "#9e9e9e", "shape": "square"}
    assert styles["coverage"]["not_covered"] == {"label": "not covered", "colour": "#c62828"}


def test_an_unknown_node_is_a_404_page(client: TestClient) -> None:
    r = client.get("/nodes/nobody")
    assert r.status_code == 404
    assert "<code>nobody</code>" in r.text and "No node with this id" in r.text


def test_pages_are_not_in_the_api_description(client: TestClient) -> None:
    paths = set(client.get("/openapi.json").json()["paths"])
    assert not any(p == "/" or p.startswith(("/nodes", "/static")) for p in paths)
