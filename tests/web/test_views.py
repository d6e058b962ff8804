"""The network view's API (exports/web/views.py) on the hand-worked Acme group (tests/web/fixtures.py):
the coverage of the sites shown, named views kept in a folder, and the view shown as a file.

Worked out by hand (docs/coverage.md's rules on the fixture):
- Werk Nord: IG Metall represents it, recognised: union presence and recognition covered; no CBA on
  record: unknown; no group agreement or network: gfa, hs_agreement, network, efa (DE is in the EEA) not covered;
- Werk Süd: IG Metall represented it until 2020-12-31: today no union on record (unknown, recognition
  unknown); as of 2020-06-01 union presence covered, recognition unknown (not recorded as recognised);
- Old Mine: no union ever: unknown.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import networkx as nx
import pytest

from tests.web.fixtures import BASE, client

NOT = "not_covered"
NORD = {"union_presence": "covered", "recognition": "covered", "cba": "unknown", "gfa": NOT, "hs_agreement": NOT,
        "network": NOT, "efa": NOT}
SUED_TODAY = {"union_presence": "unknown", "recognition": "unknown", "cba": "unknown", "gfa": NOT,
              "hs_agreement": NOT, "network": NOT, "efa": NOT}
SUED_2020 = dict(SUED_TODAY, union_presence="covered")


def values(answer: dict) -> dict:
    return {site: {d: c["value"] for d, c in dims.items()} for site, dims in answer["sites"].items()}


def test_coverage_of_the_sites_shown_leaves_out_other_kinds_and_unknown_ids() -> None:
    c = client()
    r = c.post("/api/coverage/sites", json={"ids": ["nord", "sued", "mine", "acme", "igm", "nobody", "nord"],
                                            "as_of": "2024-06-30"})
    assert r.status_code == 200
    answer = r.json()
    assert answer["as_of"] == "2024-06-30"
    assert values(answer) == {"nord": NORD, "sued": SUED_TODAY, "mine": SUED_TODAY}
    assert answer["sites"]["nord"]["union_presence"]["reason"] == "IG Metall represents workers here"
    # as of a day when IG Metall still represented Werk Süd
    back = c.post("/api/coverage/sites", json={"ids": ["sued"], "as_of": "2020-06-01"}).json()
    assert values(back) == {"sued": SUED_2020}
    # the same values as each site's entity answer
    for site in ("nord", "sued", "mine"):
        entity = c.get(f"/api/nodes/{site}", params={"as_of": "2024-06-30"}).json()["coverage"]
        assert entity == answer["sites"][site]


def test_coverage_of_sites_refuses_bad_input_with_one_line() -> None:
    c = client()
    r = c.post("/api/coverage/sites", json={"ids": ["nord"], "as_of": "someday"})
    assert r.status_code == 422 and r.json()["detail"].startswith("as_of: 'someday'")
    assert c.post("/api/coverage/sites", json={"ids": "nord"}).status_code == 422
    assert c.post("/api/coverage/sites", content=b"ids=nord",
                  headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code == 415
    assert c.post("/api/coverage/sites", json={"ids": []}).json()["sites"] == {}


STATE = {"focus": "acme", "expand": ["nord"], "status": ["operating"],
         "coverage": {"union_presence": ["not_covered", "unknown"]}, "colour": "union_presence",
         "pin": [{"id": "nord", "x": 10, "y": -20}], "layout": "hierarchical", "select": "nord"}


def test_named_views_are_saved_listed_read_replaced_and_deleted(tmp_path: Path) -> None:
    folder = tmp_path / "snap.views"
    c = client(views_dir=folder)
    assert c.get("/api/views").json() == {"views": [], "enabled": True}
    r = c.put("/api/views/Gaps in Germany", json=STATE)
    assert r.status_code == 201
    doc = r.json()
    assert doc["name"] == "Gaps in Germany"
    assert doc["state"]["focus"] == "acme" and doc["state"]["expand"] == ["nord"]
    assert doc["state"]["pin"] == [{"id": "nord", "x": 10.0, "y": -20.0}]
    assert doc["state"]["hide"] == [] and doc["state"]["as_of"] is None  # defaults filled in
    on_disk = json.loads((folder / "Gaps in Germany.view.json").read_text(encoding="utf-8"))
    assert on_disk == doc
    assert c.get("/api/views/Gaps in Germany").json() == doc
    # replaced: 200; a second view; the list is sorted by name, case folded
    assert c.put("/api/views/Gaps in Germany", json={"focus": "nord"}).status_code == 200
    assert c.put("/api/views/acme all", json={"focus": "acme"}).status_code == 201
    listed = c.get("/api/views").json()
    assert [(v["name"], v["focus"]) for v in listed["views"]] == [("acme all", "acme"), ("Gaps in Germany", "nord")]
    assert c.delete("/api/views/acme all", headers={"Origin": BASE}).status_code == 204
    assert c.get("/api/views/acme all").status_code == 404
    assert c.delete("/api/views/acme all").status_code == 404
    assert sorted(p.name for p in folder.iterdir()) == [".views.lock", "Gaps in Germany.view.json"]  # no temp files


@pytest.mark.parametrize("name", [".hidden", "...", " lead", "a\\b", "x" * 81, "a:b", "a*"])
def test_a_view_name_is_never_a_path(tmp_path: Path, name: str) -> None:
    c = client(views_dir=tmp_path / "v")
    r = c.put(f"/api/views/{name}", json={"focus": "acme"})
    assert r.status_code == 422
    assert r.json()["detail"].startswith("a view name is 1 to 80 letters")
    assert not (tmp_path / "v").exists() or list((tmp_path / "v").glob("*.json")) == []


@pytest.mark.parametrize("name", ["..", ".", "a/b", "", "a\x00b"])
def test_names_a_client_cannot_send_are_refused_too(name: str) -> None:
    from fastapi import HTTPException

    from exports.web.views import ViewStore

    with pytest.raises(HTTPException):
        ViewStore.check_name(name)


def test_a_slash_in_a_name_reaches_no_route(tmp_path: Path) -> None:
    c = client(views_dir=tmp_path / "v")
    assert c.put("/api/views/..%2F..%2Fescape", json={"focus": "acme"}).status_code == 404
    assert not (tmp_path / "escape.view.json").exists()


def test_a_view_state_is_checked(tmp_path: Path) -> None:
    c = client(views_dir=tmp_path / "v")
    assert c.put("/api/views/x", json={"focus": "acme", "colours": "red"}).status_code == 422  # unknown key
    assert c.put("/api/views/x", json={"expand": ["nord"]}).status_code == 422  # no focus
    assert c.put("/api/views/x", json={"focus": "acme", "layout": "circle"}).status_code == 422
    assert c.put("/api/views/x", json={"focus": "acme", "colour": "pink"}).status_code == 422
    assert c.put("/api/views/x", json={"focus": "acme", "coverage": {"unions": ["covered"]}}).status_code == 422
    assert c.put("/api/views/x", json={"focus": "acme", "as_of": "next week"}).status_code == 422
    r = c.put("/api/views/x", json={"focus": "nobody"})
    assert r.status_code == 422 and r.json()["detail"] == "focus: no node with id 'nobody'"
    assert not (tmp_path / "v").exists()  # nothing was written
    assert c.put("/api/views/x", json={"focus": "acme"}, headers={"Origin": "http://evil.example"}).status_code == 403


def test_without_a_views_folder_views_are_off_with_one_line() -> None:
    c = client()
    listed = c.get("/api/views").json()
    assert listed["views"] == [] and listed["enabled"] is False
    assert listed["detail"].startswith("named views are off")
    assert c.get("/api/views/x").status_code == 404
    assert c.put("/api/views/x", json={"focus": "acme"}).status_code == 409
    assert c.delete("/api/views/x").status_code == 409


VIEW = {"nodes": ["acme", "nord", "hold", "igm", "mine"],
        "edges": ["own-1", "op-nord", "rep-nord", "op-mine", "op-sued", "rep-sued"], "focus": "acme",
        "as_of": "2024-06-30"}


def test_the_view_as_graphml_carries_the_coverage_values_of_its_sites() -> None:
    r = client().post("/api/views/export?format=graphml", json=VIEW)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/graphml+xml"
    assert r.headers["content-disposition"] == 'attachment; filename="view-acme-2024-06-30.graphml"'
    g = nx.read_graphml(io.BytesIO(r.content), force_multigraph=True)
    assert sorted(g.nodes) == ["acme", "hold", "igm", "mine", "nord"]
    # op-sued and rep-sued end at Werk Süd, which is not shown
    assert sorted(k for _, _, k in g.edges(keys=True)) == ["op-mine", "op-nord", "own-1", "rep-nord"]
    assert {d: g.nodes["nord"][d] for d in NORD} == NORD
    assert {d: g.nodes["mine"][d] for d in NORD} == SUED_TODAY
    assert g.graph["as_of"] == "2024-06-30"
    assert not any(k.startswith("coverage_") for k in g.nodes["acme"])
    assert g.nodes["nord"]["label"] == "Werk Nord <b>&" and g.nodes["nord"]["workforce"] == 300
    assert g.edges["hold", "acme", "own-1"]["share"] == 100.0
    assert g.edges["igm", "nord", "rep-nord"]["recognised"] is True


def map_rows(html: str) -> tuple[list[dict], list[dict]]:
    start = html.index('<script type="application/json" id="map-data">') + len(
        '<script type="application/json" id="map-data">')
    data = json.loads(html[start:html.index("</script>", start)])
    cols = data["nodes"]["columns"]
    nodes = [dict(zip(cols, row)) for row in data["nodes"]["rows"]]
    ecols = data["edges"]["columns"]
    return nodes, [dict(zip(ecols, row)) for row in data["edges"]["rows"]]


def test_the_view_as_the_static_map_file() -> None:
    r = client().post("/api/views/export?format=map", json=VIEW)
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert r.headers["content-disposition"] == 'attachment; filename="view-acme-2024-06-30.html"'
    html = r.text
    assert html.startswith("<!DOCTYPE html>")
    nodes, edges = map_rows(html)
    assert sorted(n["id"] for n in nodes) == ["acme", "hold", "igm", "mine", "nord"]
    assert len(edges) == 4
    # sites coloured as the map colours a group's rows: covered only when union presence, recognition and CBA
    # are all covered (Werk Nord's CBA is unknown), not covered when a required one is a gap: both unknown here
    from exports.netmap import SITE_STATUSES

    status = {n["id"]: (SITE_STATUSES[n["status"]] if n["status"] >= 0 else None) for n in nodes}
    assert status == {"acme": None, "hold": None, "igm": None, "nord": "unknown", "mine": "unknown"}
    assert "<title>Around Acme Steel GmbH" in html
    assert "Werk Nord <b>&" not in html  # the payload name is escaped in the file


def test_an_export_refuses_unknown_nodes_and_formats() -> None:
    c = client()
    r = c.post("/api/views/export?format=graphml", json={"nodes": ["acme", "nobody"], "edges": []})
    assert r.status_code == 404 and r.json()["detail"] == "1 node id(s) not in the graph, e.g. 'nobody'"
    assert c.post("/api/views/export?format=pdf", json={"nodes": ["acme"]}).status_code == 422
    assert c.post("/api/views/export", json={"nodes": ["acme"], "focus": "nord"}).status_code == 422
