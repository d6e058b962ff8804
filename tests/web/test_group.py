"""The group pages' API (coverage rows with filters, CSV/XLSX downloads, briefing, map points) and
pages, on the hand-worked Acme group with places (tests/web/fixtures.py, ``acme_geo_graph``).

Worked out by hand, as of 2024-06-30, default site statuses (the closed mine left out):
nord (steel, 53.55/9.99): IG Metall recognised -> union presence and recognition covered;
sued (no commodity, 48.14/11.58): its representation ended 2020-12-31 -> union presence unknown;
ost (iron ore, latitude only): no union on record -> unknown, and not placed on the map.
"""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from exports.cli.main import cli
from graphmodel.stores.snapshot import save_snapshot
from tests.web.fixtures import acme_geo_graph, client

DAY = "2024-06-30"
VENDOR = Path(__file__).resolve().parents[2] / "exports" / "web" / "static" / "vendor"


@pytest.fixture(scope="module")
def c():
    return client(acme_geo_graph())


def ids(c, path: str = "/api/coverage.json", **params: str) -> list[str]:
    r = c.get(path, params={"company": "hold", "as_of": DAY} | params)
    assert r.status_code == 200, r.text
    return [row["site_id"] for row in r.json()["rows"]]


def test_coverage_json_without_filters_holds_the_coverage_rows_and_the_filter_choices(c) -> None:
    body = c.get("/api/coverage.json", params={"company": "Acme Holding", "as_of": DAY}).json()
    assert body["rows"] == c.get("/api/coverage", params={"company": "Acme Holding", "as_of": DAY}).json()["rows"]
    assert [r["site_id"] for r in body["rows"]] == ["nord", "ost", "sued"]
    assert (body["company"], body["name"], body["as_of"], body["total"]) == ("hold", "Acme Holding SA", DAY, 3)
    assert body["facets"] == {"country": ["DE"], "commodity": ["iron ore", "steel", "unknown"]}
    assert body["status_excluded"] == {"closed": 1}
    assert body["require"] == ["union_presence", "recognition", "cba"]


@pytest.mark.parametrize(("params", "expected"), [
    ({"union_presence": "covered"}, ["nord"]),
    ({"union_presence": "unknown"}, ["ost", "sued"]),
    ({"union_presence": "not_covered,unknown"}, ["ost", "sued"]),
    ({"recognition": "covered", "union_presence": "unknown"}, []),
    ({"gfa": "not_covered"}, ["nord", "ost", "sued"]),
    ({"country": "de"}, ["nord", "ost", "sued"]),
    ({"country": "unknown"}, []),
    ({"commodity": "unknown"}, ["sued"]),
    ({"commodity": "Steel,iron ore"}, ["nord", "ost"]),
    ({"q": "SÜD"}, ["sued"]),
    ({"q": "acme steel"}, ["nord", "ost", "sued"]),  # the operator's name
    ({"q": "werk n"}, ["nord"]),
    ({"status": "all"}, ["mine", "nord", "ost", "sued"]),
    ({"status": "closed"}, ["mine"]),
    ({"status": "all", "commodity": "unknown"}, ["mine", "sued"]),
])
def test_coverage_filters_pick_the_rows(c, params: dict, expected: list[str]) -> None:
    assert ids(c, **params) == expected


def test_total_counts_the_rows_before_the_row_filters(c) -> None:
    body = c.get("/api/coverage.json", params={"company": "hold", "as_of": DAY, "union_presence": "covered"}).json()
    assert (body["total"], len(body["rows"])) == (3, 1)
    assert body["facets"]["commodity"] == ["iron ore", "steel", "unknown"]  # the choices stay all the group's


def test_require_is_coverages_own_option(c) -> None:
    # worked out: with gfa required, every site has a recorded gfa gap -> uncovered
    rows = c.get("/api/coverage.json", params={"company": "hold", "as_of": DAY, "require": "gfa"}).json()["rows"]
    assert [(r["site_id"], r["uncovered"]) for r in rows] == [("nord", True), ("ost", True), ("sued", True)]
    rows = c.get("/api/coverage.json", params={"company": "hold", "as_of": DAY}).json()["rows"]
    assert [r["uncovered"] for r in rows] == [False, False, False]


def test_csv_download_is_the_clis_csv(c, tmp_path) -> None:
    save_snapshot(acme_geo_graph(), tmp_path / "snap")
    for extra in ([], ["--status", "all"]):
        out = CliRunner().invoke(cli, ["coverage", str(tmp_path / "snap"), "--company", "hold", "--as-of", DAY,
                                       "--format", "csv", "-o", str(tmp_path / "cli.csv"), *extra])
        assert out.exit_code == 0, out.output
        r = c.get("/api/coverage.csv", params={"company": "hold", "as_of": DAY} | ({"status": "all"} if extra else {}))
        assert r.status_code == 200
        assert r.headers["content-type"] == "text/csv; charset=utf-8"
        assert r.headers["content-disposition"] == f'attachment; filename="coverage-Acme-Holding-SA-{DAY}.csv"'
        assert r.content == (tmp_path / "cli.csv").read_bytes()


def test_csv_download_holds_the_filtered_rows(c) -> None:
    r = c.get("/api/coverage.csv", params={"company": "hold", "as_of": DAY, "union_presence": "unknown"})
    df = pd.read_csv(io.BytesIO(r.content))
    assert df["site_id"].tolist() == ["ost", "sued"]
    assert df["site"].tolist() == ["Werk Ost", "Werk Süd"]
    assert df["union_presence"].tolist() == ["unknown", "unknown"]
    assert df["commodity"].fillna("").tolist() == ["iron ore", ""]


def test_xlsx_download_holds_the_filtered_rows(c) -> None:
    import openpyxl

    r = c.get("/api/coverage.xlsx", params={"company": "hold", "as_of": DAY, "commodity": "steel,iron ore"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert r.headers["content-disposition"] == f'attachment; filename="coverage-Acme-Holding-SA-{DAY}.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    assert book.sheetnames == ["coverage"]
    rows = list(book["coverage"].values)
    head = list(rows[0])
    got = [dict(zip(head, row)) for row in rows[1:]]
    assert [(g["site_id"], g["site"], g["commodity"], g["union_presence"], g["workforce"]) for g in got] == [
        ("nord", "Werk Nord <b>&", "steel", "covered", 300), ("ost", "Werk Ost", "iron ore", "unknown", 80)]


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_briefing_downloads_name_the_group_and_its_sites(c, fmt: str) -> None:
    r = c.get("/api/brief", params={"company": "Acme Holding", "format": fmt, "as_of": DAY})
    assert r.status_code == 200
    assert r.headers["content-disposition"] == f'attachment; filename="brief-Acme-Holding-SA-{DAY}.{fmt}"'
    text = r.text
    if fmt == "md":
        assert r.headers["content-type"] == "text/markdown; charset=utf-8"
        assert text.startswith("# Briefing: Acme Holding SA group")
        assert "Werk Süd" in text and "Werk Ost" in text
        assert "Old Mine" not in text  # closed: left out by the default statuses, as `brief` does
    else:
        assert r.headers["content-type"] == "text/html; charset=utf-8"
        assert "Acme Holding SA" in text and "Werk Süd" in text
        assert "Werk Nord &lt;b&gt;&amp;" in text and "Werk Nord <b>&" not in text  # names stay text


def test_briefing_is_the_clis_briefing(c, tmp_path) -> None:
    save_snapshot(acme_geo_graph(), tmp_path / "snap")
    out = CliRunner().invoke(cli, ["brief", str(tmp_path / "snap"), "--company", "hold", "--as-of", DAY,
                                   "-o", str(tmp_path / "b.md")])
    assert out.exit_code == 0, out.output
    web = c.get("/api/brief", params={"company": "hold", "format": "md", "as_of": DAY}).text

    def stable(text: str) -> str:  # the moment it was generated and the data date (the CLI reads the snapshot's) differ
        text = re.sub(r"^!\[.*\]\(b-charts/.*\.png\)\n\n", "", text, flags=re.MULTILINE)  # the CLI's chart files
        text = re.sub(r"Generated \d{4}-\d\d-\d\d \d\d:\d\d UTC", "Generated -", text)
        return re.sub(r"Data date: [^.]*\.", "Data date: -.", text)

    assert stable(web) == stable((tmp_path / "b.md").read_text(encoding="utf-8"))


def test_a_redacted_app_serves_the_redacted_briefing() -> None:
    md = client(acme_geo_graph(), redact=True).get("/api/brief", params={"company": "hold", "format": "md",
                                                                          "as_of": DAY}).text
    assert "> **Redacted briefing**" in md
    assert "Redacted briefing" not in client(acme_geo_graph()).get(
        "/api/brief", params={"company": "hold", "format": "md", "as_of": DAY}).text


def test_geo_points_carry_the_coordinates_and_list_the_unplaced_sites(c) -> None:
    body = c.get("/api/geo", params={"company": "Acme Holding", "as_of": DAY}).json()
    assert (body["company"], body["name"], body["as_of"]) == ("hold", "Acme Holding SA", DAY)
    assert [(s["id"], s["name"], s["lat"], s["lon"]) for s in body["sites"]] == [
        ("nord", "Werk Nord <b>&", 53.55, 9.99), ("sued", "Werk Süd", 48.14, 11.58)]
    assert [s["id"] for s in body["unplaced"]] == ["ost"]
    assert all("lat" not in s and "lon" not in s for s in body["unplaced"])
    nord = body["sites"][0]
    assert nord["coverage"] == {"union_presence": "covered", "recognition": "covered", "cba": "unknown",
                                "gfa": "not_covered", "hs_agreement": "not_covered", "network": "not_covered",
                                "efa": "not_covered"}
    assert (nord["status"], nord["operator"], nord["operator_id"], nord["country"]) == (
        "operating", "Acme Steel GmbH", "acme", "DE")
    assert body["sites"][1]["coverage"]["union_presence"] == "unknown"
    assert body["dimensions"] == list(nord["coverage"])
    everything = c.get("/api/geo", params={"company": "hold", "as_of": DAY, "status": "all"}).json()
    assert [s["id"] for s in everything["unplaced"]] == ["mine", "ost"]


@pytest.mark.parametrize("path", ["/api/coverage.json", "/api/coverage.csv", "/api/coverage.xlsx", "/api/brief",
                                  "/api/geo"])
def test_bad_arguments_are_refused_with_the_reason(c, path: str) -> None:
    r = c.get(path, params={"company": "Nobody"})
    assert (r.status_code, r.json()) == (404, {"detail": "no company, investor or person matches 'Nobody'"})
    assert c.get(path, params={"company": "Acme Steel"}).status_code == 409  # two companies fit
    r = c.get(path, params={"company": "hold", "status": "sleeping"})
    assert r.status_code == 422 and "sleeping" in r.json()["detail"]
    assert c.get(path, params={"company": "hold", "as_of": "soon"}).status_code == 422
    assert c.get(path).status_code == 422  # no company


def test_brief_refuses_an_unknown_format(c) -> None:
    assert c.get("/api/brief", params={"company": "hold", "format": "pdf"}).status_code == 422


def test_group_pages_name_the_group_and_keep_names_as_text(c) -> None:
    for path in ("/coverage", "/geo"):
        r = c.get(path, params={"company": "hold"})
        assert r.status_code == 200
        assert '<span id="group-name">Acme Holding SA</span>' in r.text
        assert 'href="/coverage?company=hold"' in r.text and 'href="/geo?company=hold"' in r.text
        assert 'href="/api/brief?company=hold&amp;format=md"' in r.text
        assert "<script>" not in r.text and " style=" not in r.text  # the CSP: no inline script or style
    # without a company: the form only; a name that fits nothing: the page, the script says why
    assert 'id="map"' not in c.get("/geo").text
    assert c.get("/coverage", params={"company": "Nobody"}).status_code == 200


def test_a_companys_entity_page_links_to_its_group_pages(c) -> None:
    page = c.get("/nodes/hold").text
    assert 'href="/coverage?company=hold"' in page and 'href="/geo?company=hold"' in page
    assert 'id="group-links"' not in c.get("/nodes/nord").text  # a site has no group


def test_openapi_describes_the_group_routes(c) -> None:
    paths = c.get("/openapi.json").json()["paths"]
    assert {"/api/coverage.json", "/api/coverage.csv", "/api/coverage.xlsx", "/api/brief", "/api/geo"} <= set(paths)
    assert "/geo" not in paths and "/coverage" not in paths


@pytest.mark.parametrize("name", ["leaflet", "leaflet.markercluster", "topojson-client", "world-atlas"])
def test_vendored_map_files_are_the_pinned_ones(name: str) -> None:
    folder = VENDOR / name
    text = (folder / "VENDORED.md").read_text(encoding="utf-8")
    sums = re.findall(r"^([0-9a-f]{64})  (\S+)$", text, re.MULTILINE)
    assert sums, "VENDORED.md lists the files' sha256 sums"
    files = [p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.name != "VENDORED.md"]
    assert sorted(f for _, f in sums) == sorted(files)
    for digest, file in sums:
        assert hashlib.sha256((folder / file).read_bytes()).hexdigest() == digest, file


def test_the_briefing_leaves_out_the_snapshots_own_organisation_and_gives_its_date() -> None:
    """``serve`` passes the snapshot's ``load --us`` setting and creation date to the app, as
    ``brief`` reads them: the agreement named as ours is listed as not scored, not as a lever."""
    from tests.neo4j.graphs import acme_graph as server_acme

    path = "/api/brief?company=acme&format=md&as_of=2024-06-30"
    plain = client(server_acme()).get(path).text
    ours = client(server_acme(), us=["gfa1"], data_date="2025-01-02").get(path).text
    lever = "| agreements | Acme GFA | 2 |"
    assert lever in plain and "your own orga" not in plain
    assert lever not in ours and "Not scored: Acme GFA is your own orga" in ours
    assert "2025-01-02" in ours
