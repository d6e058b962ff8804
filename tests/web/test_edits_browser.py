"""Record research on an entity page in Debian Chromium (Playwright) against a real uvicorn server.

Werk Süd (tests/web/page_fixtures.py): its only union record ended in 2020, so today no union
is recorded there (union presence unknown). Record IG Metall there, recognised, with a new
confidential source: the coverage shows it covered; undo: the gap is back; redo is offered.
No console error, no request to another origin. Screenshots in /tmp/page-shots/.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.page_fixtures import page_graph, serving
from tests.web.test_pages_browser import READY_MS, Watched, browser, shot, wait_facts, watched

pytestmark = pytest.mark.browser
__all__ = ["browser", "watched"]  # the fixtures this module uses from the pages' browser tests


@pytest.fixture(scope="module")
def edits_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("edits") / "page.edits"


@pytest.fixture(scope="module")
def base_url(edits_folder: Path) -> Iterator[str]:
    with serving(page_graph(), edits=edits_folder) as url:
        yield url


def presence(page: Any) -> str:
    return page.locator("#coverage-table tr[data-dimension=union_presence] .coverage-value").get_attribute("data-value")


def wait_research(page: Any) -> None:
    from playwright.sync_api import expect

    wait_facts(page)
    expect(page.locator("#research")).to_have_attribute("data-state", "ready", timeout=READY_MS)


def test_record_a_union_with_a_new_source_see_the_site_covered_undo_and_the_gap_is_back(
        watched: Watched, base_url: str, edits_folder: Path) -> None:
    from playwright.sync_api import expect

    page = watched.new_page()
    page.goto(base_url + "/nodes/sued")
    wait_research(page)
    assert presence(page) == "unknown"
    assert page.locator("#edits-list").inner_text() == "No edits yet."

    form = page.locator("form[data-edit=union-at-site]")
    form.locator("input[name=union]").fill("IG Metall")
    expect(form.locator(".union-match")).to_have_text("existing union (igm)", timeout=READY_MS)
    form.locator("select[name=recognised]").select_option("true")
    form.locator("input[name=members]").fill("40")
    page.locator("#source-title").fill("Works council visit, Werk Süd")
    page.locator("#source-publisher").fill("IG Metall Bezirk")
    page.locator("#source-date").fill("2025-09-02")
    page.locator("#source-confidential").check()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    wait_research(page)
    assert presence(page) == "covered"
    assert page.locator("#coverage-table tr[data-dimension=recognition] .coverage-value").get_attribute(
        "data-value") == "covered"
    expect(page.locator("#research-status")).to_have_text("Recorded e1: IG Metall REPRESENTS Werk Süd.")
    assert page.locator("#edits-list li[data-edit-id=e1] .edit-label").inner_text() == "IG Metall REPRESENTS Werk Süd"
    # the new source is offered for the next edit
    assert "Works council visit, Werk Süd — IG Metall Bezirk (research-e1)" in page.locator(
        "#source-choice").inner_text()
    page.locator("#research").scroll_into_view_if_needed()
    shot(page, "edits-recorded.png")
    # what the page posted is in the folder's log, with its source
    log = [json.loads(x) for x in (edits_folder / "log.jsonl").read_text(encoding="utf-8").splitlines()]
    assert log[0]["body"] == {"kind": "add_edge", "edge_kind": "REPRESENTS", "from": "igm", "to": "sued",
                              "id": "REPRESENTS:igm->sued", "properties": {"recognised": True, "members": 40},
                              "source": "research-e1",
                              "new_source": {"title": "Works council visit, Werk Süd", "publisher": "IG Metall Bezirk",
                                             "retrieved": "2025-09-02", "confidential": "true"}}

    with page.expect_navigation():
        page.locator("#edits-list li[data-edit-id=e1] button.undo").click()
    wait_research(page)
    assert presence(page) == "unknown"
    expect(page.locator("#research-status")).to_have_text("Undone e1: IG Metall REPRESENTS Werk Süd.")
    assert page.locator("#edits-list li[data-edit-id=e1]").get_attribute("class") == "edit undone"
    assert page.locator("#redo-edit").is_enabled()
    shot(page, "edits-undone.png")
    assert watched.problems() == {"console_errors": [], "page_errors": [], "dialogs": [], "foreign_requests": []}


def test_a_refused_edit_says_why_on_the_page(watched: Watched, base_url: str) -> None:
    from playwright.sync_api import expect

    page = watched.new_page()
    page.goto(base_url + "/nodes/acme")
    wait_research(page)
    form = page.locator("form[data-edit=missing-subsidiary]")
    form.locator("input[name=name]").fill("Acme Logistik GmbH")
    form.locator("button[type=submit]").click()  # no source given
    expect(page.locator("#research-status")).to_have_text(
        "Not recorded: give the source: pick one, or give a new source's title")
    page.locator("#source-choice").select_option("ar")
    form.evaluate("f => { f.noValidate = true; }")  # past the browser's own check of the field's 0..100
    form.locator("input[name=share]").fill("150")
    form.locator("button[type=submit]").click()
    expect(page.locator("#research-status")).to_have_text("Not recorded: share: percentage outside 0-100")
    assert watched.problems()["page_errors"] == []
