"""The network view in Debian Chromium (Playwright) against a real uvicorn server with a views folder:
filters, colours, expand by kind, hide, pin, the ownership hierarchy, the as-of date, the URL that
reopens a view, named views and the downloads (map, GraphML, PNG). Screenshots in /tmp/page-shots/.

The graph is tests/web/page_fixtures.py's (counts worked out there); coverage as of today
(tests/web/test_views.py): Werk Nord's union presence covered, Werk Süd's and Old Mine's unknown
(IG Metall represented Werk Süd until 2020-12-31); Old Mine is closed, the other two operating.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import networkx as nx
import pytest

from exports.html import COVERAGE_COLOURS
from tests.web import test_pages_browser as pages
from tests.web.page_fixtures import PAYLOAD_ID, page_graph, serving
from tests.web.test_pages_browser import Watched, click_node, shot, wait_ready

# the pages' fixtures (Chromium, a watched context), over this module's server (base_url below)
browser = pages.browser
watched = pages.watched

pytestmark = pytest.mark.browser
CLEAN = {"console_errors": [], "page_errors": [], "dialogs": [], "foreign_requests": []}


@pytest.fixture(scope="module")
def views_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("snap") / "snap.views"


@pytest.fixture(scope="module")
def base_url(views_dir: Path) -> Iterator[str]:
    with serving(page_graph(), views_dir=views_dir) as url:
        yield url


def shown(page: Any) -> list[str]:
    return sorted(page.evaluate("() => window.campaignView.shown()"))


def untick(page: Any, details: str, value: str, dimension: str | None = None) -> None:
    box = page.locator(f"#{details}")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    scope = box.locator(f".coverage-row[data-dimension={dimension}]") if dimension else box
    scope.locator(f"input[data-value={value}]").uncheck()
    box.locator("summary").click()  # closed again


def test_filter_to_operating_sites_with_a_union_gap_and_the_link_and_a_named_view_reopen_it(
        watched: Watched, base_url: str, views_dir: Path) -> None:
    page = watched.new_page()
    page.goto(f"{base_url}/nodes/acme")
    wait_ready(page, 5)
    click_node(page, "nord")
    wait_ready(page, 7)
    # Werk Nord's neighbours highlighted: Acme Steel GmbH, IG Metall, the payload union
    assert page.locator("#network").get_attribute("data-highlight") == "3"
    # operating sites only: Old Mine (closed) leaves
    untick(page, "status-filter", "closed")
    wait_ready(page, 6)
    assert page.locator("#network").get_attribute("data-edges") == "5"
    # union presence a gap or unknown: Werk Nord (covered) leaves, and its two union edges with it
    untick(page, "coverage-filter", "covered", "union_presence")
    wait_ready(page, 5)
    assert page.locator("#network").get_attribute("data-edges") == "2"
    assert shown(page) == sorted(["acme", "hold", "sued", "igm", PAYLOAD_ID])
    assert page.locator("#network-status").text_content().startswith(
        "5 nodes and 2 edges shown, 2 by the other filters.")
    page.select_option("#colour-by", "union_presence")
    wait_ready(page, 5)
    colour = page.evaluate("() => { const v = window.campaignView; return v.nodes.get(v.visId('sued')).color.background; }")
    assert colour == COVERAGE_COLOURS["unknown"]
    assert page.locator("#colour-legend li[data-value=not_covered]").text_content() == "not covered"
    fragment = urlsplit(page.url).fragment
    assert fragment == ("expand=nord&status=operating&cov=union_presence%3Anot_covered&cov=union_presence%3Aunknown"
                        "&colour=union_presence&select=nord")
    shot(page, "v1-filtered.png")

    # a reload keeps it
    page.reload()
    wait_ready(page, 5)
    assert shown(page) == sorted(["acme", "hold", "sued", "igm", PAYLOAD_ID])

    # the link reopens the same view in a fresh page
    again = watched.new_page()
    again.goto(page.url)
    wait_ready(again, 5)
    assert shown(again) == shown(page)
    assert not again.locator("#status-filter input[data-value=closed]").is_checked()
    assert again.locator("#colour-by").input_value() == "union_presence"

    # saved under a name (beside the snapshot), then reopened from another entity page
    page.fill("#view-name", "Union gaps")
    page.click("#view-save button[type=submit]")
    page.locator("#view-status", has_text="Saved the view “Union gaps”.").wait_for()
    assert (views_dir / "Union gaps.view.json").exists()
    other = watched.new_page()
    other.goto(f"{base_url}/nodes/hold")
    wait_ready(other, 3)
    other.locator("#view-list option[value='Union gaps']").wait_for(state="attached")
    other.select_option("#view-list", "Union gaps")
    other.click("#view-open")
    other.wait_for_url(f"{base_url}/nodes/acme#{fragment}")
    wait_ready(other, 5)
    assert shown(other) == shown(page)
    shot(other, "v2-named-view.png")
    assert watched.problems() == CLEAN


def test_expand_by_kind_hide_pin_and_the_as_of_date(watched: Watched, base_url: str) -> None:
    page = watched.new_page()
    page.goto(f"{base_url}/nodes/igm")
    wait_ready(page, 3)  # IG Metall, Werk Nord, Werk Süd
    click_node(page, "nord")
    wait_ready(page, 5)  # + Acme Steel GmbH and the payload union
    page.locator("#details-body button.collapse").click()
    wait_ready(page, 3)
    page.locator("#details-body button.expand-kind[data-kind=Union]").click()
    wait_ready(page, 4)  # the payload union only
    assert urlsplit(page.url).fragment == "expand=nord&by=Union%3Anord&select=nord"
    page.reload()
    wait_ready(page, 4)
    # pin Werk Nord where it is, then hide Werk Süd
    page.locator("#details-body button.pin-node").click()
    page.locator("#details-body button.pin-node", has_text="Unpin").wait_for()
    pinned = page.evaluate("() => window.campaignView.view().pin")
    assert [p["id"] for p in pinned] == ["nord"]
    click_node(page, "sued")
    wait_ready(page, 5)  # Werk Süd expanded: Acme Steel GmbH joins
    page.locator("#details-body button.hide-node").click()
    wait_ready(page, 4)
    assert "sued" not in shown(page)
    assert "hidenode=sued" in urlsplit(page.url).fragment
    again = watched.new_page()
    again.goto(page.url)
    wait_ready(again, 4)
    assert shown(again) == shown(page)
    at = again.evaluate("() => { const v = window.campaignView; return v.network.getPositions([v.visId('nord')]); }")
    assert [round(p["x"]) for p in at.values()] == [pinned[0]["x"]]
    again.click("#show-hidden")
    wait_ready(again, 5)
    # as of 2024: IG Metall no longer represents Werk Süd
    page.goto(f"{base_url}/nodes/igm#as_of=2024-01-01")
    wait_ready(page, 2)
    assert page.locator("#as-of").input_value() == "2024-01-01"
    assert watched.problems() == CLEAN


def test_the_ownership_hierarchy_puts_owners_above(watched: Watched, base_url: str) -> None:
    page = watched.new_page()
    page.goto(f"{base_url}/nodes/acme#layout=hierarchical")
    wait_ready(page, 5)
    y = page.evaluate("""() => { const v = window.campaignView; const p = v.network.getPositions();
                                 const at = (id) => p[v.visId(id)].y;
                                 return [at('hold'), at('acme'), at('nord'), at('sued'), at('mine')]; }""")
    assert y[0] < y[1] < y[2] and y[2] == y[3] == y[4]
    shot(page, "v3-hierarchy.png")
    assert watched.problems() == CLEAN


def test_the_view_downloads_as_map_graphml_and_png(watched: Watched, base_url: str) -> None:
    from PIL import Image

    page = watched.new_page()
    page.goto(f"{base_url}/nodes/acme#hide=Union")
    wait_ready(page, 5)
    with page.expect_download() as info:
        page.click("#export-graphml")
    g = nx.read_graphml(info.value.path())
    assert info.value.suggested_filename.startswith("view-acme-") and info.value.suggested_filename.endswith(".graphml")
    assert sorted(g.nodes) == shown(page)
    assert g.nodes["nord"]["union_presence"] == "covered"
    with page.expect_download() as info:
        page.click("#export-map")
    assert Path(info.value.path()).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    with page.expect_download() as info:
        page.click("#export-png")
    data = Path(info.value.path()).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(io.BytesIO(data))
    box = page.locator("#network canvas").bounding_box()
    assert image.size == (round(box["width"]), round(box["height"]))
    assert info.value.suggested_filename == "view-acme.png"
    assert watched.problems() == CLEAN


def test_the_country_filter_lists_the_countries_in_view(watched: Watched, base_url: str) -> None:
    page = watched.new_page()
    page.goto(f"{base_url}/nodes/acme")
    wait_ready(page, 5)
    page.locator("#country-filter summary").click()
    labels = page.locator("#country-filter .filter-body label").all_text_contents()
    assert labels == ["DE (4)", "LU (1)"]  # Acme Steel GmbH and its three sites; Acme Holding SA
    page.locator("#country-filter input[data-value=LU]").uncheck()
    wait_ready(page, 4)
    assert "hold" not in shown(page)
    assert urlsplit(page.url).fragment == "country=DE"
    assert page.locator("#country-filter summary").text_content() == "Country (1 of 2)"
    page.locator("#country-filter input[data-value=LU]").check()
    wait_ready(page, 5)
    assert urlsplit(page.url).fragment == ""
    assert watched.problems() == CLEAN


def test_colours_arrive_after_the_drawing(watched: Watched, base_url: str) -> None:
    from playwright.sync_api import expect

    page = watched.new_page()
    page.goto(f"{base_url}/nodes/acme#colour=union_presence")
    wait_ready(page, 5)
    expect(page.locator("#network")).to_have_attribute("data-coverage", "", timeout=20_000)
    wait_ready(page, 5)
    fills = page.evaluate("""() => { const v = window.campaignView;
        return ['nord', 'sued', 'mine', 'acme'].map((id) => v.nodes.get(v.visId(id)).color.background); }""")
    # Werk Nord covered; Werk Süd and Old Mine unknown; the company keeps its kind's colour
    assert fills[:3] == [COVERAGE_COLOURS["covered"], COVERAGE_COLOURS["unknown"], COVERAGE_COLOURS["unknown"]]
    assert fills[3] not in COVERAGE_COLOURS.values()
    assert watched.problems() == CLEAN
