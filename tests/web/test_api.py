"""The workbench's JSON API on the hand-worked Acme group (tests/web/fixtures.py)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from exports.cli.main import cli
from graphmodel.stores.snapshot import save_snapshot
from queries.coverage import DIMENSIONS
from queries.coverage import coverage as coverage_query
from tests.web.fixtures import acme_graph, client

DAY = "2024-06-30"


def test_search_ranks_as_find_and_filters_by_kind() -> None:
    c = client()
    assert c.get("/api/search", params={"q": "Acme Steel"}).json() == {
        "results": [{"id": "acme", "kind": "Company", "name": "Acme Steel GmbH", "how": "name"},
                    {"id": "acme-gb", "kind": "Company", "name": "Acme Steel Ltd", "how": "name"}],
        "total": 2,
    }
    # a former name finds the company under its name of today
    assert c.get("/api/search", params={"q": "Acme Montan AG"}).json()["results"] == [
        {"id": "hold", "kind": "Company", "name": "Acme Holding SA", "how": "former_name"}]
    # an id first, then names; kind keeps only sites
    assert [(r["id"], r["how"]) for r in c.get("/api/search", params={"q": "werk", "kind": "site"}).json()["results"]] \
        == [("nord", "partial"), ("sued", "partial")]
    assert c.get("/api/search", params={"q": "igm"}).json()["results"][0] == {
        "id": "igm", "kind": "Union", "name": "IG Metall", "how": "id"}
    assert c.get("/api/search", params={"q": "werk", "limit": 1}).json() == {
        "results": [{"id": "nord", "kind": "Site", "name": "Werk Nord <b>&", "how": "partial"}], "total": 2}
    assert c.get("/api/search", params={"q": ""}).json() == {"results": [], "total": 0}


def test_search_with_an_unknown_kind_is_one_clear_422() -> None:
    r = client().get("/api/search", params={"q": "acme", "kind": "Planet"})
    assert r.status_code == 422
    assert r.json() == {"detail": "unknown node kind 'Planet'"}


def test_payload_names_stay_text_in_json() -> None:
    r = client().get("/api/nodes/nord", params={"as_of": DAY})
    assert '"name":"Werk Nord <b>&"' in r.text  # not &lt;b&gt;&amp;: escaping is the page's job
    assert r.headers["content-type"] == "application/json"


def test_a_company_node_with_its_properties_and_sources() -> None:
    assert client().get("/api/nodes/hold").json() == {
        "id": "hold", "kind": "Company", "name": "Acme Holding SA",
        "properties": {"country": "LU", "former_names": ["Acme Montan AG (until 2010-01-01)"]},
        "sources": [{"id": "ar", "title": "Acme annual report 2024", "publisher": "Acme Steel",
                     "licence": "CC BY 4.0"}],
    }


def test_a_site_node_carries_every_coverage_dimension_with_its_reason() -> None:
    body = client().get("/api/nodes/nord", params={"as_of": DAY}).json()
    assert body["properties"] == {"country": "DE", "status": "operating", "workforce": 300}
    assert body["sources"] == [{"id": "gem", "title": "Global Iron Ore Mine Tracker",
                                "publisher": "Global Energy Monitor", "licence": "CC BY 4.0"}]
    assert body["coverage_as_of"] == DAY
    assert list(body["coverage"]) == list(DIMENSIONS)
    # worked out: IG Metall represents the site and is recognised; no CBA on record; the group has
    # no GFA, H&S agreement, network or European agreement
    assert {d: v["value"] for d, v in body["coverage"].items()} == {
        "union_presence": "covered", "recognition": "covered", "cba": "unknown", "gfa": "not_covered",
        "hs_agreement": "not_covered", "network": "not_covered", "efa": "not_covered"}
    assert body["coverage"]["union_presence"]["reason"] == "IG Metall represents workers here"


@pytest.mark.parametrize("site", ["nord", "sued", "mine"])
@pytest.mark.parametrize("day", ["2019-06-30", DAY])
def test_a_sites_coverage_is_the_coverage_querys_row_for_it(site: str, day: str) -> None:
    g = acme_graph()
    rows = coverage_query(g, "hold", as_of=day, status="all").set_index("site_id")
    body = client(g).get(f"/api/nodes/{site}", params={"as_of": day}).json()
    assert body["coverage"] == {d: {"value": rows.at[site, d], "reason": rows.at[site, f"{d}_reason"]}
                                for d in DIMENSIONS}


def test_as_of_changes_a_sites_coverage() -> None:
    c = client()
    # IG Metall's representation at Werk Süd ended 2020-12-31
    assert c.get("/api/nodes/sued", params={"as_of": "2019-06-30"}).json()["coverage"]["union_presence"]["value"] \
        == "covered"
    assert c.get("/api/nodes/sued", params={"as_of": DAY}).json()["coverage"]["union_presence"]["value"] == "unknown"


def test_unknown_node_and_bad_date() -> None:
    c = client()
    r = c.get("/api/nodes/nobody")
    assert (r.status_code, r.json()) == (404, {"detail": "no node with id 'nobody'"})
    assert c.get("/api/nodes/nobody/neighbours").status_code == 404
    r = c.get("/api/nodes/nord", params={"as_of": "2024-13-45"})
    assert r.status_code == 422 and r.json()["detail"].startswith("as_of: '2024-13-45'")


def _shape(body: dict) -> tuple[list[str], list[tuple[str, str, str, str]]]:
    return ([n["id"] for n in body["nodes"]],
            sorted((e["id"], e["source"], e["target"], e["kind"]) for e in body["edges"]))


def test_neighbours_one_hop() -> None:
    body = client().get("/api/nodes/nord/neighbours").json()
    assert _shape(body) == (["nord", "acme", "igm"], [("op-nord", "acme", "nord", "OPERATES"),
                                                      ("rep-nord", "igm", "nord", "REPRESENTS")])
    assert body["nodes"][1] == {"id": "acme", "kind": "Company", "name": "Acme Steel GmbH",
                                "properties": {"country": "DE"}}
    assert {e["id"]: e["properties"] for e in body["edges"]}["rep-nord"] == {"recognised": True}
    assert (body["hops"], body["truncated"]) == (1, False)


def test_neighbours_two_hops_kinds_and_as_of() -> None:
    c = client()
    ids, edges = _shape(c.get("/api/nodes/nord/neighbours", params={"hops": 2}).json())
    assert sorted(ids) == ["acme", "hold", "igm", "mine", "nord", "sued"]
    assert [e[0] for e in edges] == ["op-mine", "op-nord", "op-sued", "own-1", "rep-nord", "rep-sued"]
    ids, edges = _shape(c.get("/api/nodes/nord/neighbours", params={"hops": 2, "kinds": "company"}).json())
    assert (ids, [e[0] for e in edges]) == (["nord", "acme", "hold"], ["op-nord", "own-1"])
    # the representation at Werk Süd ended 2020-12-31
    assert _shape(c.get("/api/nodes/igm/neighbours", params={"as_of": DAY}).json())[0] == ["igm", "nord"]
    assert _shape(c.get("/api/nodes/igm/neighbours", params={"as_of": "2019-01-01"}).json())[0] == [
        "igm", "nord", "sued"]


@pytest.mark.parametrize("query", [{"hops": 0}, {"hops": 4}, {"kinds": "Planet"}, {"as_of": "soon"}])
def test_neighbours_refuses_bad_arguments(query: dict) -> None:
    assert client().get("/api/nodes/nord/neighbours", params=query).status_code == 422


def test_coverage_rows_are_the_clis_json(tmp_path) -> None:
    g = acme_graph()
    save_snapshot(g, tmp_path / "snap")
    for extra in ([], ["--status", "all"]):
        out = CliRunner().invoke(cli, ["coverage", str(tmp_path / "snap"), "--company", "Acme Holding",
                                       "--as-of", DAY, "--format", "json", *extra])
        assert out.exit_code == 0, out.output
        params = {"company": "Acme Holding", "as_of": DAY} | ({"status": "all"} if extra else {})
        body = client(g).get("/api/coverage", params=params).json()
        assert body["rows"] == json.loads(out.output)
        assert (body["company"], body["as_of"]) == ("hold", DAY)
    # worked out: the closed mine counts only with status=all
    assert [r["site_id"] for r in client(g).get("/api/coverage", params={"company": "hold", "as_of": DAY}).json()
            ["rows"]] == ["nord", "sued"]
    assert [r["site_id"] for r in client(g).get("/api/coverage", params={"company": "hold", "as_of": DAY,
                                                                        "status": "all"}).json()["rows"]] \
        == ["mine", "nord", "sued"]


def test_coverage_names_that_fit_no_or_several_companies() -> None:
    c = client()
    r = c.get("/api/coverage", params={"company": "Nobody"})
    assert (r.status_code, r.json()) == (404, {"detail": "no company, investor or person matches 'Nobody'"})
    r = c.get("/api/coverage", params={"company": "Acme Steel"})
    assert r.status_code == 409
    assert r.json()["detail"] == (
        "'Acme Steel' fits 2 company nodes: Acme Steel GmbH [acme]: 2 site(s) in its group; "
        "Acme Steel Ltd [acme-gb]: 0 site(s) in its group; give one of the ids instead, e.g. acme")
    r = c.get("/api/coverage", params={"company": "hold", "status": "sunk"})
    assert r.status_code == 422 and r.json()["detail"].startswith("status: ")
    assert c.get("/api/coverage").status_code == 422  # company is required


def test_openapi_is_served_and_the_cdn_docs_are_off() -> None:
    c = client()
    spec = c.get("/openapi.json").json()
    assert {"/api/search", "/api/nodes/{node_id}", "/api/nodes/{node_id}/neighbours", "/api/coverage"} \
        <= set(spec["paths"])
    assert c.get("/docs").status_code == 404 and c.get("/redoc").status_code == 404


def test_an_id_holding_a_slash_is_one_path_parameter() -> None:
    g = acme_graph()
    g.add_node("gem/M1", "Site", "Mine One", country="AU")
    g.add_edge("acme", "gem/M1", "OPERATES", id="op-m1")
    c = client(g)
    assert c.get("/api/nodes/gem%2FM1").json()["name"] == "Mine One"
    assert c.get("/api/nodes/gem/M1").json()["id"] == "gem/M1"
    assert _shape(c.get("/api/nodes/gem/M1/neighbours").json()) == (["gem/M1", "acme"],
                                                                     [("op-m1", "acme", "gem/M1", "OPERATES")])
