"""The workbench's pages in Debian Chromium (Playwright) against a real uvicorn server.

search -> entity page -> network view -> click a node to expand it -> filter by kind -> the URL
reopens the same view; on the way: no console error, no request to any other origin, payload
names stay text. Screenshots go to /tmp/page-shots/ (looked at when the pages change).
The graph and the counts are worked out in tests/web/page_fixtures.py.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from exports.html import COVERAGE_LABELS
from queries.coverage import DIMENSIONS
from tests.fixtures_browser import CHROMIUM
from tests.web.page_fixtures import PAYLOAD_ID, PAYLOAD_NAME, SCRIPT_ID, SCRIPT_NAME, page_graph, serving

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/page-shots")
READY_MS = 20_000
#: the characters encodeURIComponent leaves as they are (besides letters, digits and -_.~)
SAFE = "!*'()"


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serving(page_graph()) as url:
        yield url


@pytest.fixture(scope="module")
def browser(request: pytest.FixtureRequest) -> Any:
    """The session's headless Debian Chromium (tests/fixtures_browser.py: one Playwright per
    process), or a clean skip when Debian's chromium is not installed."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Debian chromium is not installed at {CHROMIUM} (make system-deps)")
    return request.getfixturevalue("chromium_browser")


@dataclass
class Watched:
    """A browser context whose pages' misbehaviour is recorded."""

    context: Any
    origin: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def new_page(self) -> Any:
        page = self.context.new_page()
        page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))

        def on_dialog(d: Any) -> None:
            self.dialogs.append(f"{d.type}: {d.message}")
            d.dismiss()

        page.on("dialog", on_dialog)

        def on_request(r: Any) -> None:
            self.requests.append(r.url)
            parts = urlsplit(r.url)
            if f"{parts.scheme}://{parts.netloc}" != self.origin and parts.scheme != "data":
                self.foreign_requests.append(r.url)

        page.on("request", on_request)
        return page

    def problems(self) -> dict[str, list[str]]:
        return {"console_errors": self.console_errors, "page_errors": self.page_errors, "dialogs": self.dialogs,
                "foreign_requests": self.foreign_requests}


@pytest.fixture
def watched(browser: Any, base_url: str) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)

    def route(r: Any) -> None:  # anything not from the served origin is refused, and recorded above
        if r.request.url.startswith(base_url + "/"):
            r.continue_()
        else:
            r.abort()

    context.route("**/*", route)
    w = Watched(context, base_url)
    try:
        yield w
    finally:
        context.close()


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def wait_ready(page: Any, nodes: int) -> None:
    """Wait until the network view is settled with ``nodes`` visible nodes."""
    from playwright.sync_api import expect

    net = page.locator("#network")
    expect(net).to_have_attribute("data-nodes", str(nodes), timeout=READY_MS)
    expect(net).to_have_attribute("data-state", "ready", timeout=READY_MS)


def wait_facts(page: Any) -> None:
    """Wait until the entity's properties, sources and coverage are written."""
    from playwright.sync_api import expect

    expect(page.locator("#entity")).to_have_attribute("data-facts", "loaded", timeout=READY_MS)


def click_node(page: Any, node_id: str) -> None:
    """A real mouse click on the canvas where ``node_id`` is drawn."""
    at = page.evaluate(
        """(id) => { const v = window.campaignView; const s = v.visId(id);
                     return v.network.canvasToDOM(v.network.getPositions([s])[s]); }""", node_id)
    box = page.locator("#network canvas").bounding_box()
    page.mouse.click(box["x"] + at["x"], box["y"] + at["y"])


def view_state(page: Any) -> dict[str, Any]:
    return page.evaluate("() => window.campaignView.state()")


def api(base_url: str, path: str) -> Any:
    with urllib.request.urlopen(base_url + path, timeout=10) as r:
        return json.load(r)


def test_search_entity_page_expand_filter_and_the_link_reopens_the_view(watched: Watched, base_url: str) -> None:
    page = watched.new_page()
    page.goto(base_url + "/")
    page.fill("#q", "Acme Steel")
    page.press("#q", "Enter")
    page.wait_for_url(f"{base_url}/?q=Acme+Steel&kind=")
    links = page.locator(".results-kind[data-kind=Company] a.result-link")
    links.nth(1).wait_for()
    # ranked as find ranks them (tests/web/test_api.py: acme, then acme-gb)
    assert links.all_text_contents() == ["Acme Steel GmbH", "Acme Steel Ltd"]
    assert page.locator(".results-kind").count() == 1
    shot(page, "1-search.png")

    links.first.click()
    page.wait_for_url(f"{base_url}/nodes/acme")
    wait_ready(page, 5)  # itself, Acme Holding SA and its three sites
    assert page.locator("#network canvas").count() == 1
    assert page.locator("#network").get_attribute("data-edges") == "4"
    assert page.locator("h1").text_content() == "Acme Steel GmbH"
    wait_facts(page)
    row = page.locator("#properties-table tr[data-property=country] td")
    assert row.all_text_contents() == ["country", "DE", "ar"]
    assert row.nth(2).get_attribute("title") == "Acme annual report 2024"
    assert page.locator("#sources-table tbody td").all_text_contents() == [
        "ar", "Acme annual report 2024", "Acme Steel", "CC BY 4.0"]
    assert page.locator("#coverage-section").is_hidden()  # a company has no coverage dimensions
    shot(page, "2-entity.png")

    # click Werk Nord: its details, and its neighbours IG Metall and the payload union join the view
    click_node(page, "nord")
    wait_ready(page, 7)
    assert page.locator("#network").get_attribute("data-edges") == "6"
    assert page.locator("#details-title").text_content() == "Werk Nord <b>&"
    page.locator("#details-body h4", has_text="Coverage").wait_for()
    assert view_state(page) == {"expanded": ["nord"], "hidden": [], "selected": "nord"}
    shot(page, "3-expanded.png")

    # hide unions: the two unions and their two edges leave the drawing
    page.locator("#kind-filter input[data-kind=Union]").uncheck()
    wait_ready(page, 5)
    assert page.locator("#network").get_attribute("data-edges") == "4"
    assert page.locator("#network-status").text_content().startswith(
        "5 nodes and 4 edges shown, 2 hidden by the kind filter.")
    url = page.url
    assert urlsplit(url).fragment == "expand=nord&hide=Union&select=nord"

    # the link reopens the same view, in a fresh page
    again = watched.new_page()
    again.goto(url)
    wait_ready(again, 5)
    assert view_state(again) == {"expanded": ["nord"], "hidden": ["Union"], "selected": "nord"}
    assert not again.locator("#kind-filter input[data-kind=Union]").is_checked()
    assert again.locator("#kind-filter input[data-kind=Site]").is_checked()
    assert again.locator("#details-title").text_content() == "Werk Nord <b>&"
    again.locator("#details-body h4", has_text="Coverage").wait_for()
    shot(again, "4-reopened.png")

    # and a reload of it too; then the filter back on shows all seven
    again.reload()
    wait_ready(again, 5)
    again.locator("#kind-filter input[data-kind=Union]").check()
    wait_ready(again, 7)
    assert again.locator("#network").get_attribute("data-edges") == "6"
    assert urlsplit(again.url).fragment == "expand=nord&select=nord"
    assert watched.problems() == {"console_errors": [], "page_errors": [], "dialogs": [], "foreign_requests": []}
    # every request stayed on the served origin, the vendored library among them
    assert f"{base_url}/static/vendor/vis-network/vis-network.min.js" in watched.requests


def test_collapse_and_reset(watched: Watched, base_url: str) -> None:
    page = watched.new_page()
    page.goto(f"{base_url}/nodes/acme#expand=nord&expand=hold")
    # acme's 5, nord's IG Metall and payload union, hold's payload owner: 8
    wait_ready(page, 8)
    click_node(page, "nord")  # already expanded: shows its details with a Collapse button
    page.locator("#details-body button.collapse").click()
    wait_ready(page, 6)
    assert view_state(page)["expanded"] == ["hold"]
    page.locator("#reset-view").click()
    wait_ready(page, 5)
    assert view_state(page) == {"expanded": [], "hidden": [], "selected": None}
    assert urlsplit(page.url).fragment == ""
    assert watched.problems() == {"console_errors": [], "page_errors": [], "dialogs": [], "foreign_requests": []}


def test_a_sites_coverage_dimensions_with_their_reasons(watched: Watched, base_url: str) -> None:
    page = watched.new_page()
    page.goto(f"{base_url}/nodes/nord")
    wait_ready(page, 4)  # Werk Nord, Acme Steel GmbH, IG Metall, the payload union
    wait_facts(page)
    answer = api(base_url, "/api/nodes/nord")
    rows = page.locator("#coverage-table tbody tr")
    assert rows.count() == len(DIMENSIONS)
    got = [rows.nth(i).locator("td").all_text_contents() for i in range(rows.count())]
    assert got == [[d.replace("_", " "), COVERAGE_LABELS[answer["coverage"][d]["value"]],
                    answer["coverage"][d]["reason"] or ""] for d in DIMENSIONS]
    # worked out: IG Metall is recognised at Werk Nord; no CBA on record; no group-wide agreement or network
    values = page.locator("#coverage-table td.coverage-value")
    assert [values.nth(i).get_attribute("data-value") for i in range(values.count())] == [
        "covered", "covered", "unknown", "not_covered", "not_covered", "not_covered", "not_covered"]
    assert got[3][1] == "not covered"
    shot(page, "5-site.png")
    assert watched.problems() == {"console_errors": [], "page_errors": [], "dialogs": [], "foreign_requests": []}


def test_payload_names_and_ids_stay_text(watched: Watched, base_url: str) -> None:
    page = watched.new_page()
    page.goto(base_url + "/?q=" + quote("onerror"))
    link = page.locator(".results-kind[data-kind=Union] a.result-link")
    link.wait_for()
    assert link.text_content() == PAYLOAD_NAME
    assert page.locator("img").count() == 0
    assert page.title() == "onerror · search · campaign-graph"
    link.click()
    page.wait_for_url(f"{base_url}/nodes/{quote(PAYLOAD_ID, safe=SAFE)}")
    wait_ready(page, 2)  # the union and Werk Nord
    wait_facts(page)
    assert page.locator("h1").text_content() == PAYLOAD_NAME
    assert page.title() == f"{PAYLOAD_NAME} (Union) · campaign-graph"
    assert page.locator("#entity").get_attribute("data-node-id") == PAYLOAD_ID
    click_node(page, PAYLOAD_ID)
    page.locator("#details-title", has_text=PAYLOAD_NAME).wait_for()
    assert page.locator("img").count() == 0
    shot(page, "6-payload.png")

    # an id with "/" in it (sent as %2F) and a name that would close a script element
    page.goto(base_url + "/?q=" + quote("script"))
    link = page.locator(".results-kind[data-kind=Company] a.result-link")
    link.wait_for()
    assert link.text_content() == SCRIPT_NAME
    link.click()
    page.wait_for_url(f"{base_url}/nodes/{quote(SCRIPT_ID, safe=SAFE)}")  # its "/" went as %2F
    wait_ready(page, 2)  # it and Acme Holding SA
    wait_facts(page)
    assert page.locator("h1").text_content() == SCRIPT_NAME
    assert view_state(page)["selected"] is None
    click_node(page, "hold")
    wait_ready(page, 3)  # Acme Holding SA's neighbour Acme Steel GmbH joins
    assert urlsplit(page.url).fragment == "expand=hold&select=hold"
    assert page.locator("script:not([src])").count() == 0
    assert watched.problems() == {"console_errors": [], "page_errors": [], "dialogs": [], "foreign_requests": []}


def test_an_unknown_node_is_a_404_page(watched: Watched, base_url: str) -> None:
    page = watched.new_page()
    response = page.goto(f"{base_url}/nodes/nobody")
    assert response.status == 404
    assert page.locator("h1").text_content() == "No node with this id"
    assert page.locator("main code").text_content() == "nobody"
    # the browser logs the 404 of the document itself; nothing else went wrong
    assert len(watched.console_errors) <= 1
    assert watched.page_errors == [] and watched.foreign_requests == []


def test_with_a_token_the_first_url_opens_the_pages_and_then_leaves_the_address_bar(browser: Any) -> None:
    token = "s3cret-token"
    with serving(page_graph(), token=token) as url:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        w = Watched(context, url)
        try:
            page = w.new_page()
            page.goto(f"{url}/nodes/acme?token={token}")
            page.wait_for_url(f"{url}/nodes/acme")  # the server moved the token into a cookie
            wait_ready(page, 5)  # the scripts, styles and API calls went with the cookie
            wait_facts(page)
            click_node(page, "nord")
            wait_ready(page, 7)
            assert not any(token in u for u in w.requests[1:])
            assert token not in page.url
            # without the cookie nothing is served
            other = browser.new_context()
            try:
                assert other.new_page().goto(f"{url}/nodes/acme").status == 401
            finally:
                other.close()
            assert w.problems() == {"console_errors": [], "page_errors": [], "dialogs": [], "foreign_requests": []}
        finally:
            context.close()
