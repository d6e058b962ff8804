"""Geographic view: sites on the bundled Natural Earth basemap, offline, escaped.

The group is the fictional Acme Steel group of ``test_netmap.acme_graph``: Site A (DE,
covered), Site B (BR, union not recognised: not covered), Site C (ZA, JV, nothing recorded:
unknown); Site D belongs to Gamma Metals (20 %), outside the group.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from exports.geo import SitePoint, extent_for, group_points, render_html, render_png, write_geo
from graphmodel.stores.snapshot import save_snapshot
from tests.exports.test_netmap import AS_OF, PAYLOADS, acme_graph, assert_self_contained_and_escaped

NO_PROBLEMS = {"console_errors": [], "page_errors": [], "dialogs": [], "external_requests": []}


def test_group_points_carry_coverage_status_and_coordinates() -> None:
    root, points = group_points(acme_graph(), "Acme Steel Holding", as_of=AS_OF)
    assert root == "acme"
    got = {p.id: (p.status, p.lat, p.lon, p.country) for p in points}
    assert got == {
        "site_a": ("covered", 51.2, 6.8, "DE"),
        "site_b": ("not_covered", -20.0, -44.0, "BR"),
        "site_c": ("unknown", -26.0, 29.0, "ZA"),
    }


def test_extent_holds_every_site_with_a_2_to_1_box() -> None:
    pts = [SitePoint("a", "A", 51.2, 6.8), SitePoint("b", "B", -20.0, -44.0), SitePoint("c", "C", None, None)]
    e = extent_for(pts)
    assert e.west <= -44.0 - 15 and e.east >= 6.8 + 15 and e.south <= -20 - 9 and e.north >= 51.2 + 9
    assert e.east - e.west == pytest.approx(2 * (e.north - e.south))
    assert -180 <= e.west and e.east <= 180 and -90 <= e.south and e.north <= 90
    assert extent_for([SitePoint("x", "X", None, None)]).west == -180.0  # nothing placed: the world


def _colour_pixels(png: bytes, hex_colour: str, tol: float = 0.06) -> int:
    import matplotlib.image as mpimg

    img = mpimg.imread(io.BytesIO(png))[..., :3]
    rgb = np.array([int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    return int((np.abs(img - rgb).max(axis=-1) < tol).sum())


def test_png_draws_each_status_in_its_colour() -> None:
    _, points = group_points(acme_graph(), "acme", as_of=AS_OF)
    png = render_png(points, "Acme sites")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    # one marker per status, plus its legend entry: each colour clearly present
    for colour in ("#2e7d32", "#c62828", "#9e9e9e"):
        assert _colour_pixels(png, colour) > 30, colour


def test_html_page_has_one_marker_per_placed_site_and_lists_unplaced_ones() -> None:
    _, points = group_points(acme_graph(), "acme", as_of=AS_OF)
    points.append(SitePoint("site_x", "Site X", None, None, "unknown", country="PE"))
    html = render_html(points, "Acme sites", as_of=AS_OF)
    assert len(re.findall(r'<circle class="site', html)) == 3
    assert 'data-site="site_b"' in html and "st-not_covered" in html
    assert "1 site(s) without coordinates" in html and "no coordinates" in html
    assert "Natural Earth" in html
    assert_self_contained_and_escaped(html)


def test_payloads_in_site_names_are_text() -> None:
    pts = [SitePoint("s1", PAYLOADS[0], 10.0, 10.0, "covered", operator=PAYLOADS[1], country='"><b>'),
           SitePoint(PAYLOADS[1], PAYLOADS[1], 12.0, 11.0, "unknown")]
    html = render_html(pts, PAYLOADS[0] + PAYLOADS[1])
    assert_self_contained_and_escaped(html)


def test_write_geo_writes_only_the_named_file_and_refuses_other_suffixes(tmp_path: Path) -> None:
    from graphmodel.errors import CampaignGraphError

    g = acme_graph()
    write_geo(g, "acme", tmp_path / "sites.png", as_of=AS_OF)
    write_geo(g, "acme", tmp_path / "sites.html", as_of=AS_OF, redact_output=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sites.html", "sites.png"]
    assert "Redacted export" in (tmp_path / "sites.html").read_text(encoding="utf-8")
    with pytest.raises(CampaignGraphError, match=".html or .png"):
        write_geo(g, "acme", tmp_path / "sites.svg")


def test_cli_geo(tmp_path: Path) -> None:
    from exports.cli.main import cli

    snap = tmp_path / "snap"
    save_snapshot(acme_graph(), snap)
    out = tmp_path / "g.html"
    result = CliRunner().invoke(cli, ["geo", str(snap), "--company", "Acme Steel Holding", "--as-of", AS_OF,
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 of 3 sites drawn" in result.output
    bad = CliRunner().invoke(cli, ["geo", str(snap), "--company", "acme", "-o", str(tmp_path / "g.jpg")])
    assert bad.exit_code == 1 and "must end in" in bad.output


@pytest.mark.browser
def test_geo_view_draws_offline_in_chromium(tmp_path: Path, offline_page) -> None:
    path = tmp_path / "sites.html"
    write_geo(acme_graph(), "acme", path, as_of=AS_OF)
    page = offline_page.open(path)
    assert page.evaluate("document.querySelectorAll('svg.geo circle.site').length") == 3
    assert page.evaluate("JSON.parse(document.getElementById('geo-data').textContent).not_covered") == 1
    # the basemap image decoded (a data: URI, no tile server)
    assert page.evaluate("document.querySelector('svg.geo image').getBBox().width") > 500
    page.screenshot(path=str(tmp_path / "geo.png"), full_page=True)
    assert offline_page.problems() == NO_PROBLEMS


@pytest.mark.browser
def test_geo_payloads_do_not_run_in_chromium(tmp_path: Path, offline_page) -> None:
    from exports.html import page as _page  # noqa: F401  (the page helper adds the CSP)
    from graphmodel.atomic import atomic_write_text

    pts = [SitePoint("s1", PAYLOADS[0], 10.0, 10.0, "covered", operator=PAYLOADS[1]),
           SitePoint(PAYLOADS[1], PAYLOADS[1] + " href", 12.0, 11.0, "unknown")]
    path = tmp_path / "evil.html"
    atomic_write_text(path, render_html(pts, PAYLOADS[0] + PAYLOADS[1]))
    page = offline_page.open(path)
    assert page.inner_text("h1") == PAYLOADS[0] + PAYLOADS[1]
    assert page.evaluate("document.querySelectorAll('svg.geo circle.site').length") == 2
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    page.hover("circle.site >> nth=0")
    page.wait_for_timeout(200)
    assert offline_page.problems() == NO_PROBLEMS


def test_geo_legend_lists_only_the_colours_drawn_and_the_size_note_only_when_sizes_vary() -> None:
    pts = [SitePoint("a", "Site A", 51.2, 6.8, "covered"), SitePoint("b", "Site B", -20.0, -44.0, "covered"),
           SitePoint("c", "Site C", None, None, "not_covered")]
    html = render_html(pts, "Fictional sites")
    # two covered markers; the not-covered site has no coordinates, so no red marker and no red entry
    assert re.findall(r'<span class="swatch" style="background:([^"]+)"></span>([^<]+)', html) == [
        ("#2e7d32", "covered: 2")]
    assert "marker size" not in html  # no workforce known: every marker is one size
    pts[0] = SitePoint("a", "Site A", 51.2, 6.8, "covered", workforce=1200)
    assert "marker size: workforce" in render_html(pts, "Fictional sites")
