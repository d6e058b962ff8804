"""An entity page's Relations section in Debian Chromium (Playwright) against a real uvicorn server,
on tests/web/fixtures.py's ``acme_relations_graph`` (worked out in tests/web/test_profile.py):

- Acme Steel SA's page: its own ultimate parent, its group (root, Acme Steel Brasil controlled,
  the JV joint), the group's two sites with their coverage, the GFA, Acme World Council with its
  member union, the strike, and the leverage points loaded after the rest; following a member's
  link opens its page, whose chain up leads back to Acme Steel SA;
- Site A's page: its operator with the chain up, placement, status, the union, the CBA and GFA,
  the strike; following the union's link opens the union's page (its sites, network, agreements,
  affiliation);
- the answers hold for the page URL's as_of (2025-06-01: the CBA is in force);
- on the way: no console error, no request to any other origin. Screenshots go to /tmp/page-shots/.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.web import test_pages_browser as pages
from tests.web.fixtures import acme_relations_graph
from tests.web.page_fixtures import serving
from tests.web.test_pages_browser import READY_MS, SHOTS, Watched

pytestmark = pytest.mark.browser

DAY = "2025-06-01"


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serving(acme_relations_graph()) as url:
        yield url


# the pages' fixtures (Chromium, a watched context), over this module's server
browser = pages.browser
watched = pages.watched


def relations_ready(page: Any, *later: str) -> Any:
    """The Relations section once drawn (and its ``later`` parts: ``sites``, ``leverage``)."""
    from playwright.sync_api import expect

    section = page.locator("#profile")
    expect(section).to_have_attribute("data-state", "loaded", timeout=READY_MS)
    for part in later:
        expect(section).to_have_attribute(f"data-{part}", "loaded", timeout=READY_MS)
    return section


def part_ids(page: Any, name: str) -> list[str]:
    return page.locator(f'#profile [data-section="{name}"] tbody tr').evaluate_all(
        "rows => rows.map(r => r.dataset.id || r.dataset.category)")


def sections(page: Any) -> list[str]:
    return page.locator("#profile [data-section]").evaluate_all("s => s.map(x => x.dataset.section)")


def no_problems(w: Watched) -> None:
    assert w.problems() == {"console_errors": [], "page_errors": [], "dialogs": [], "foreign_requests": []}


def test_a_company_page_shows_its_chain_group_sites_agreements_networks_events_and_leverage(
        watched: Watched, base_url: str) -> None:
    from playwright.sync_api import expect

    page = watched.new_page()
    page.goto(f"{base_url}/nodes/acme?as_of={DAY}")
    relations_ready(page, "sites", "leverage")
    assert sections(page) == ["ownership", "group", "sites", "agreements", "networks", "events", "leverage"]
    own = page.locator('#profile [data-section="ownership"]')
    assert own.get_attribute("data-parent") == "acme"
    assert part_ids(page, "group") == ["acme", "acme-br", "acme-jv"]
    assert part_ids(page, "sites") == ["site-a", "site-b"]
    assert part_ids(page, "agreements") == ["gfa1"]
    assert part_ids(page, "networks") == ["net1"]
    expect(page.locator('#profile [data-section="networks"] a[data-node="u1"]')).to_have_text(
        "Metalworkers Union of Site A")
    assert part_ids(page, "events") == ["ev1"]
    categories = part_ids(page, "leverage")
    assert categories[:2] == ["internal_solidarity", "agreements"] and "history" in categories
    # every entity named in the section is a link to its page
    for a in page.locator("#profile a[data-node]").all():
        assert a.get_attribute("href") == f"/nodes/{a.get_attribute('data-node')}"
    page.locator('#profile [data-section="sites"] a[href="/coverage?company=acme"]').wait_for()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#profile").screenshot(path=str(SHOTS / "profile-company.png"))

    page.locator('#profile [data-section="group"] a[data-node="acme-br"]').click()
    expect(page).to_have_url(f"{base_url}/nodes/acme-br")
    relations_ready(page, "sites")
    assert page.locator('#profile [data-section="ownership"]').get_attribute("data-parent") == "acme"
    expect(page.locator('#profile [data-section="ownership"] tbody tr')).to_have_count(1)
    no_problems(watched)


def test_a_site_page_shows_its_operator_chain_unions_agreements_and_leads_to_the_union(
        watched: Watched, base_url: str) -> None:
    from playwright.sync_api import expect

    page = watched.new_page()
    page.goto(f"{base_url}/nodes/site-a?as_of={DAY}")
    relations_ready(page)
    assert sections(page) == ["operators", "placement", "status", "unions", "agreements", "events"]
    assert part_ids(page, "operators") == ["acme-br"]
    chain = page.locator('#profile [data-section="operators"] tbody tr td').nth(2).locator("a")
    assert chain.evaluate_all("as => as.map(a => a.dataset.node)") == ["acme-br", "acme"]
    expect(page.locator('#profile [data-section="placement"] a[data-node="acme"]')).to_have_text("Acme Steel SA")
    expect(page.locator('#profile [data-section="status"]')).to_contain_text("operating")
    assert part_ids(page, "unions") == ["u1"]
    expect(page.locator('#profile [data-section="unions"] tbody td').nth(2)).to_have_text("450")
    assert part_ids(page, "agreements") == ["cba1", "gfa1"]
    assert part_ids(page, "events") == ["ev1"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#profile").screenshot(path=str(SHOTS / "profile-site.png"))

    page.locator('#profile [data-section="unions"] a[data-node="u1"]').click()
    expect(page).to_have_url(f"{base_url}/nodes/u1")
    relations_ready(page)
    assert sections(page) == ["sites", "networks", "agreements", "affiliations", "events"]
    assert part_ids(page, "sites") == ["site-a"]
    assert part_ids(page, "networks") == ["net1"]
    assert part_ids(page, "agreements") == ["cba1"]
    assert part_ids(page, "affiliations") == ["ind"]
    no_problems(watched)
