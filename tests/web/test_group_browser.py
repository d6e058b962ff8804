"""The group pages in Debian Chromium (Playwright) against a real uvicorn server, on the Acme
group with places (tests/web/fixtures.py, ``acme_geo_graph``, as of 2024-06-30):

- /geo: the two placed sites are drawn and the map is fitted to them (no world view), Werk Ost is
  listed as not placed, names appear as text when zoomed in, nearby sites cluster when zoomed
  out, a click opens the site's popup, colouring follows the chosen dimension;
- /coverage: sort by a column, filter by a coverage value, download the filtered CSV;
- on the way: no console error, no request to any other origin (the basemap is vendored).
Screenshots go to /tmp/page-shots/.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from exports.html import COVERAGE_COLOURS
from tests.web import test_pages_browser as pages
from tests.web.fixtures import acme_geo_graph
from tests.web.page_fixtures import serving
from tests.web.test_pages_browser import READY_MS, SHOTS, Watched

pytestmark = pytest.mark.browser

DAY = "2024-06-30"


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serving(acme_geo_graph()) as url:
        yield url


# the pages' fixtures (Chromium, a watched context that accepts downloads), over this module's server
browser = pages.browser
watched = pages.watched


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name))


def no_problems(w: Watched) -> None:
    assert w.problems() == {"console_errors": [], "page_errors": [], "dialogs": [], "foreign_requests": []}


def test_the_map_draws_the_sites_fitted_with_clusters_labels_popups_and_colours(watched: Watched,
                                                                                  base_url: str) -> None:
    from playwright.sync_api import expect

    page = watched.new_page()
    page.goto(f"{base_url}/geo?company=hold&as_of={DAY}")
    m = page.locator("#map")
    expect(m).to_have_attribute("data-state", "ready", timeout=READY_MS)
    assert (m.get_attribute("data-markers"), m.get_attribute("data-unplaced")) == ("2", "1")
    # not placed: Werk Ost (no longitude), listed with a link to its page
    expect(page.locator("#unplaced-count")).to_have_text("1")
    expect(page.locator("#unplaced-list a")).to_have_text(["Werk Ost"])
    assert page.locator("#unplaced-list a").get_attribute("href") == "/nodes/ost"
    # fitted: the two sites 600 km apart, so zoomed far past the world view, both inside the map
    assert int(m.get_attribute("data-zoom")) >= 5
    box = m.bounding_box()
    markers = page.locator("#map path.leaflet-interactive")
    expect(markers).to_have_count(2)
    for i in range(2):
        b = markers.nth(i).bounding_box()
        assert box["x"] < b["x"] and b["x"] + b["width"] < box["x"] + box["width"]
        assert box["y"] < b["y"] and b["y"] + b["height"] < box["y"] + box["height"]
    # the basemap is drawn (countries, vendored): many non-interactive paths
    assert page.locator("#map path:not(.leaflet-interactive)").count() > 100
    # labels as names, kept as text (the payload name <b>& stays text)
    assert m.get_attribute("data-labels") == "on"
    expect(page.locator(".site-label")).to_have_text(["Werk Nord <b>&", "Werk Süd"], ignore_case=False)
    assert page.locator(".site-label b").count() == 0
    # coloured by union presence: nord covered, sued unknown (worked out in the fixture's docstring)
    fills = sorted(markers.nth(i).get_attribute("fill") for i in range(2))
    assert fills == sorted([COVERAGE_COLOURS["covered"], COVERAGE_COLOURS["unknown"]])
    expect(page.locator("#legend .legend-row[data-value=covered]")).to_have_text("covered: 1")
    shot(page, "geo-fitted.png")
    # a click opens the popup with the site's coverage and a link to its page
    nord = next(markers.nth(i) for i in range(2) if markers.nth(i).get_attribute("fill") == COVERAGE_COLOURS["covered"])
    nord.click()
    popup = page.locator(".site-popup")
    expect(popup.locator("h3")).to_have_text("Werk Nord <b>&")
    assert popup.get_attribute("data-site-id") == "nord"
    expect(popup.locator("dd.coverage-value").first).to_have_text("covered")
    assert popup.locator("a").get_attribute("href") == "/nodes/nord"
    page.wait_for_timeout(400)  # the popup's fade-in and the pan that shows it whole
    shot(page, "geo-popup.png")
    # colour by cba: both unknown
    page.select_option("#colour-by", "cba")
    expect(page.locator("#legend .legend-row[data-value=unknown]")).to_have_text("unknown: 2")
    assert [markers.nth(i).get_attribute("fill") for i in range(2)] == [COVERAGE_COLOURS["unknown"]] * 2
    assert "colour=cba" in page.url
    # zoomed out, the two sites make one cluster of 2 and the names go
    for _ in range(4):
        page.locator(".leaflet-control-zoom-out").click()
        page.wait_for_timeout(400)
    expect(page.locator(".cluster-count")).to_have_text(["2"], timeout=READY_MS)
    assert m.get_attribute("data-labels") == "off"
    expect(page.locator(".site-label")).to_have_count(0)
    shot(page, "geo-clustered.png")
    no_problems(watched)


def test_the_coverage_table_sorts_filters_and_downloads(watched: Watched, base_url: str) -> None:
    from playwright.sync_api import expect

    page = watched.new_page()
    page.goto(f"{base_url}/nodes/hold")
    page.locator("#group-links a", has_text="coverage table").click()
    page.wait_for_url("**/coverage?company=hold")
    page.goto(f"{base_url}/coverage?company=hold&as_of={DAY}")
    table = page.locator("#coverage-rows")
    expect(table).to_have_attribute("data-state", "ready", timeout=READY_MS)
    expect(table).to_have_attribute("data-rows", "3")

    def order() -> list[str]:
        return page.locator("#coverage-rows tbody tr").evaluate_all("rows => rows.map(r => r.dataset.siteId)")

    assert order() == ["nord", "ost", "sued"]
    # sort by workers: 80, 120, 300; again: the other way
    page.locator("th[data-key=workforce] button").click()
    assert order() == ["ost", "sued", "nord"]
    page.locator("th[data-key=workforce] button").click()
    assert order() == ["nord", "sued", "ost"]
    assert page.locator("th[data-key=workforce]").get_attribute("aria-sort") == "descending"
    # the values are the coverage labels, the reason on hover
    cell = page.locator("tr[data-site-id=nord] td[data-dimension=union_presence]")
    expect(cell).to_have_text("covered")
    assert cell.get_attribute("title") == "IG Metall represents workers here"
    expect(page.locator("tr[data-site-id=nord] td.site a")).to_have_text("Werk Nord <b>&")
    # filter: union presence unknown -> ost and sued, still sorted by workers
    page.select_option("#value-union_presence", "unknown")
    expect(table).to_have_attribute("data-rows", "2")
    expect(table).to_have_attribute("data-state", "ready")
    assert order() == ["sued", "ost"]
    assert "union_presence=unknown" in page.url and "sort=workforce" in page.url
    expect(page.locator("#table-status")).to_contain_text("2 of 3 site(s)")
    shot(page, "coverage-filtered.png")
    # the download holds the filtered rows
    with page.expect_download() as info:
        page.locator("#download-csv").click()
    download = info.value
    assert download.suggested_filename == f"coverage-Acme-Holding-SA-{DAY}.csv"
    df = pd.read_csv(io.BytesIO(Path(download.path()).read_bytes()))
    assert df["site_id"].tolist() == ["ost", "sued"]
    # the link reopens the view
    page.goto(page.url)
    expect(table).to_have_attribute("data-state", "ready", timeout=READY_MS)
    assert page.locator("#value-union_presence").input_value() == "unknown"
    assert order() == ["sued", "ost"]
    no_problems(watched)
