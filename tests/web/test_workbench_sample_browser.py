"""The issue's "done when", on the bundled real sample (examples/sample: GEM's public files), in
Debian Chromium against a real uvicorn server with an edits folder and a views folder:

find ArcelorMittal, open its group, expand a site, filter to operating sites without a known
union, record a union with its source, see the site turn covered, undo it, and reopen the view
from its link — with no console error and no request to another origin.

Golden answers (read off the sample by hand, `campaign-graph coverage out/sample.snapshot --company
ArcelorMittal --status operating --format json`): ArcelorMittal SA [E100000000687]; its group has 47
operating sites, and no union is recorded at any of them (union presence unknown at all 47), so a
union recorded at ArcelorMittal Gent steel plant [P100000120027] is the only one there.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from exports.cli.main import cli
from tests.web import test_pages_browser as pages
from tests.web.page_fixtures import serving
from tests.web.test_pages_browser import READY_MS, Watched, click_node, shot, wait_facts
from tests.web.test_views_browser import shown, untick

# the pages' fixtures (Chromium, a watched context), over this module's server (base_url below)
browser = pages.browser
watched = pages.watched

pytestmark = pytest.mark.browser

ARCELORMITTAL, GENT = "E100000000687", "P100000120027"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    snap = tmp_path_factory.mktemp("sample") / "sample.snapshot"
    result = CliRunner().invoke(cli, ["load", str(REPO / "examples" / "sample"), "-o", str(snap)])
    assert result.exit_code == 0, result.output
    return snap


@pytest.fixture(scope="module")
def base_url(snapshot: Path) -> Iterator[str]:
    from graphmodel.stores.snapshot import load_snapshot

    with serving(load_snapshot(snapshot), edits=Path(f"{snapshot}.edits"),
                 views_dir=Path(f"{snapshot}.views")) as url:
        yield url


def ready(page: Any) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#network")).to_have_attribute("data-state", "ready", timeout=READY_MS)


def presence(page: Any) -> str:
    return page.locator("#coverage-table tr[data-dimension=union_presence] .coverage-value").get_attribute("data-value")


def test_find_the_group_filter_record_a_union_undo_and_reopen_the_link(watched: Watched, base_url: str,
                                                                      snapshot: Path) -> None:
    from playwright.sync_api import expect

    page = watched.new_page()
    page.goto(base_url + "/")
    page.fill("input[name=q]", "ArcelorMittal")
    page.keyboard.press("Enter")
    page.locator(f"a[href='/nodes/{ARCELORMITTAL}']").click()
    wait_facts(page)
    ready(page)
    assert page.locator("h1").inner_text() == "ArcelorMittal SA"
    # its group: the coverage table counts the 47 operating sites, none with a known union
    table = page.context.request.get(f"{base_url}/api/coverage.json?company={ARCELORMITTAL}&status=operating")
    rows = table.json()["rows"]
    assert len(rows) == 47 and {r["union_presence"] for r in rows} == {"unknown"}

    # expand a site, then keep operating sites without a known union, coloured by union presence
    click_node(page, GENT)
    ready(page)
    untick(page, "coverage-filter", "covered", "union_presence")
    ready(page)
    untick(page, "status-filter", "cancelled")
    ready(page)
    page.select_option("#colour-by", "union_presence")
    ready(page)
    link, view = page.url, shown(page)
    assert GENT in view and "status=operating" in link and "cov=union_presence%3Aunknown" in link
    shot(page, "sample-filtered.png")

    # record a union at Gent with a new source: the site turns covered; undo: unknown again
    page.goto(f"{base_url}/nodes/{GENT}")
    wait_facts(page)
    expect(page.locator("#research")).to_have_attribute("data-state", "ready", timeout=READY_MS)
    assert presence(page) == "unknown"
    form = page.locator("form[data-edit=union-at-site]")
    form.locator("input[name=union]").fill("Example works council union")
    form.locator("select[name=recognised]").select_option("true")
    page.locator("#source-title").fill("Shop stewards' meeting notes, Gent")
    page.locator("#source-publisher").fill("Research department")
    page.locator("#source-date").fill("2026-12-01")
    page.locator("#source-confidential").check()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    wait_facts(page)
    assert presence(page) == "covered"
    assert (Path(f"{snapshot}.edits") / "log.jsonl").is_file()
    shot(page, "sample-recorded.png")
    with page.expect_navigation():
        page.locator("#edits-list button", has_text="Undo").first.click()
    wait_facts(page)
    assert presence(page) == "unknown"

    # the link reopens the same view in a fresh page
    again = watched.new_page()
    again.goto(link)
    ready(again)
    assert shown(again) == view
    assert not again.locator("#status-filter input[data-value=cancelled]").is_checked()
    assert watched.problems() == {"console_errors": [], "page_errors": [], "dialogs": [], "foreign_requests": []}
