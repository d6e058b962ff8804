"""The research edits API on the hand-worked Acme group (tests/web/fixtures.py).

Worked out by hand: Werk Süd's only union record (IG Metall, rep-sued) ended on 2020-12-31,
so on 2024-06-30 no union is recorded there (union_presence unknown, needs research).
Recording IG Metall at Werk Süd, recognised, makes a second REPRESENTS edge
``REPRESENTS:igm->sued`` (no dates: in force) and union_presence and recognition covered;
undoing it brings the gap back; redo covers it again. A site's union_status=present with
its date and a new source makes union_presence covered with a reason that cites the
source's title and the date.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.web.fixtures import BASE, acme_graph, client

DAY = "2024-06-30"
VISIT = {"title": "Works council visit, Werk Süd", "publisher": "IG Metall Bezirk", "retrieved": "2025-09-02",
         "confidential": True}
REPRESENTS = {"kind": "add_edge", "edge_kind": "REPRESENTS", "from": "igm", "to": "sued",
              "properties": {"recognised": True, "members": 40, "bargaining_unit": "production"}, "source": VISIT}


def presence(c, site: str = "sued") -> tuple[str, str]:  # type: ignore[no-untyped-def]
    cov = c.get(f"/api/nodes/{site}", params={"as_of": DAY}).json()["coverage"]
    return cov["union_presence"]["value"], cov["union_presence"]["reason"]


def group_row(c, site: str = "sued") -> dict:  # type: ignore[no-untyped-def]
    rows = c.get("/api/coverage", params={"company": "hold", "as_of": DAY}).json()["rows"]
    return next(r for r in rows if r["site_id"] == site)


def test_a_union_recorded_at_a_site_covers_it_at_once_undo_brings_the_gap_back_and_redo_covers_it(
        tmp_path: Path) -> None:
    c = client(edits=tmp_path / "acme.edits")
    assert presence(c) == ("unknown", "no union is recorded at this site: unknown, needs research")
    r = c.post("/api/edits", json=REPRESENTS)
    assert r.status_code == 201
    made = r.json()
    assert (made["id"], made["kind"], made["target"], made["label"], made["source"], made["undone"]) == (
        "e1", "add_edge", "REPRESENTS:igm->sued", "IG Metall REPRESENTS Werk Süd", "research-e1", False)
    assert presence(c) == ("covered", "IG Metall represents workers here")
    cov = c.get("/api/nodes/sued", params={"as_of": DAY}).json()["coverage"]
    assert cov["recognition"] == {"value": "covered", "reason": "IG Metall recognised for bargaining"}
    assert group_row(c)["union_presence"] == "covered"
    # the new edge is a neighbour, with the values the edit gave
    edges = c.get("/api/nodes/sued/neighbours").json()["edges"]
    assert {e["id"]: e["properties"] for e in edges}["REPRESENTS:igm->sued"] == {
        "recognised": True, "members": 40, "bargaining_unit": "production", "origins": ["edits:e1"]}

    undone = c.delete("/api/edits/e1")
    assert undone.status_code == 200
    assert undone.json()["undone"]["id"] == "e1" and undone.json()["undone"]["undone"] is True
    assert presence(c) == ("unknown", "no union is recorded at this site: unknown, needs research")
    assert group_row(c)["union_presence"] == "unknown"
    assert c.delete("/api/edits/e1").json() == {"detail": "edit e1 is undone already"}

    redone = c.post("/api/edits/redo")
    assert redone.status_code == 200 and redone.json()["redone"]["id"] == "e1"
    assert presence(c) == ("covered", "IG Metall represents workers here")
    assert c.post("/api/edits/redo").status_code == 409


def test_a_site_status_with_its_date_cites_the_edits_source_by_title(tmp_path: Path) -> None:
    c = client(edits=tmp_path / "acme.edits")
    r = c.post("/api/edits", json={"kind": "set_property", "target": "sued", "property": "union_status",
                                   "value": "present", "date": "2025-09-01", "source": VISIT})
    assert r.status_code == 201, r.text
    assert presence(c) == ("covered", ("union_status=present (source Works council visit, Werk Süd, 2025-09-01); "
                                       "the union is not named"))
    node = c.get("/api/nodes/sued").json()
    assert node["properties"]["union_status"] == "present"
    assert node["properties"]["union_status_date"] == "2025-09-01"
    assert [s["id"] for s in node["sources"]] == ["gem", "research-e1"]
    # a second edit: a CBA status, with a source of its own
    r = c.post("/api/edits", json={"kind": "set_property", "target": "sued", "property": "cba_status",
                                   "value": "none", "date": "2025-09-01",
                                   "source": {"title": "Tarifregister NRW", "retrieved": "2025-09-03"}})
    assert r.status_code == 201
    cba = c.get("/api/nodes/sued", params={"as_of": DAY}).json()["coverage"]["cba"]
    assert cba == {"value": "not_covered",
                   "reason": "no collective agreement: cba_status=none (source Tarifregister NRW, 2025-09-01)"}
    # undoing the first edit leaves the second: union status back to unknown, the CBA status stays
    assert c.delete("/api/edits/e1").status_code == 200
    assert presence(c)[0] == "unknown"
    assert c.get("/api/nodes/sued").json()["properties"]["cba_status"] == "none"


def test_a_cba_with_its_dates_covering_a_site_and_a_missing_site_of_a_company(tmp_path: Path) -> None:
    c = client(edits=tmp_path / "acme.edits")
    r = c.post("/api/edits", json={
        "kind": "add_node", "node_kind": "Agreement", "name": "Haustarifvertrag Werk Süd",
        "properties": {"agreement_type": "cba", "signed": "2023-01-01", "expires": "2026-12-31"},
        "edges": [{"kind": "COVERS", "to": "sued"}], "source": VISIT})
    assert r.status_code == 201, r.text
    assert r.json()["target"] == "haustarifvertrag-werk-sud"
    cba = c.get("/api/nodes/sued", params={"as_of": DAY}).json()["coverage"]["cba"]
    assert cba["value"] == "covered"
    r = c.post("/api/edits", json={
        "kind": "add_node", "node_kind": "Site", "name": "Werk West",
        "properties": {"country": "DE", "status": "operating", "workforce": 80},
        "edges": [{"kind": "OPERATES", "from": "acme"}], "source": "ar"})
    assert r.status_code == 201
    assert "werk-west" in [row["site_id"] for row in c.get("/api/coverage", params={"company": "hold"}).json()["rows"]]
    # no edit builds on the new site: it can be undone, and it is gone
    assert c.delete("/api/edits/e2").status_code == 200
    assert c.get("/api/nodes/werk-west").status_code == 404


def test_an_edit_on_a_node_another_edit_made_must_be_undone_first(tmp_path: Path) -> None:
    c = client(edits=tmp_path / "acme.edits")
    assert c.post("/api/edits", json={"kind": "add_node", "node_kind": "Union", "name": "ver.di",
                                      "source": VISIT}).status_code == 201
    assert c.post("/api/edits", json={"kind": "add_edge", "edge_kind": "REPRESENTS", "from": "ver-di",
                                      "to": "sued", "source": "research-e1"}).status_code == 201
    r = c.delete("/api/edits/e1")
    assert (r.status_code, r.json()) == (409, {"detail": "edit e2 builds on edit e1 (a node or source it made): "
                                                         "undo e2 first"})
    assert c.delete("/api/edits/nope").status_code == 404


@pytest.mark.parametrize(("body", "detail"), [
    ({k: v for k, v in REPRESENTS.items() if k != "source"},
     ('an edit needs a source: give "source" as an existing source id, or a new source '
      '{"title", "publisher", "retrieved", "confidential"}')),
    ({**REPRESENTS, "source": "no-such-source"},
     "no source with id 'no-such-source' (give a new source as an object instead)"),
    ({**REPRESENTS, "source": {"publisher": "x"}}, "source: a new source needs a title"),
    ({"kind": "set_property", "target": "sued", "property": "union_status", "value": "maybe", "source": "ar"},
     "union_status: must be one of: none, present, unknown"),
    ({"kind": "set_property", "target": "sued", "property": "workforce", "value": "many", "source": "ar"},
     "workforce: not a whole number"),
    ({"kind": "set_property", "target": "sued", "property": "workforce", "value": None, "source": "ar"},
     "workforce: a value is needed (an edit cannot set a value to unknown)"),
    ({"kind": "set_property", "target": "nowhere", "property": "status", "value": "closed", "source": "ar"},
     "target: no node with id 'nowhere'"),
    ({"kind": "set_property", "target": "sued", "property": "country", "value": "DE", "date": "2024",
      "source": "ar"}, "country takes no date (a Site has no property 'country_date')"),
    ({"kind": "add_edge", "edge_kind": "OWNS", "from": "igm", "to": "sued", "source": "ar"},
     "OWNS cannot run from a Union to a Site (allowed: Company->Company, Investor->Company, Person->Company)"),
    ({"kind": "delete_everything", "source": "ar"},
     "unknown kind of edit 'delete_everything' (known: set_property, add_node, add_edge)"),
    (["not", "an", "object"], 'the body must be a JSON object with "kind" (set_property, add_node, add_edge)'),
])
def test_a_bad_edit_is_one_clear_422_and_writes_nothing(tmp_path: Path, body: object, detail: str) -> None:
    folder = tmp_path / "acme.edits"
    c = client(edits=folder)
    r = c.post("/api/edits", json=body)
    assert (r.status_code, r.json()) == (422, {"detail": detail})
    assert not (folder / "log.jsonl").exists()


def test_a_bad_property_name_lists_what_the_kind_has(tmp_path: Path) -> None:
    r = client(edits=tmp_path / "e").post("/api/edits", json={"kind": "set_property", "target": "igm",
                                                               "property": "share", "value": 5, "source": "ar"})
    assert r.status_code == 422
    assert r.json()["detail"].startswith("a Union has no property 'share' an edit can set (it has: name, ")


def test_a_note_and_a_confidential_source_never_reach_an_error_or_the_server_log(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    c = client(edits=tmp_path / "acme.edits")
    secret = "informant Jane at gate 3"
    r = c.post("/api/edits", json={"kind": "set_property", "target": "sued", "property": "notes", "value": secret,
                                   "source": {"title": "Conversation with a steward", "confidential": True}})
    assert r.status_code == 201
    bad = c.post("/api/edits", json={"kind": "set_property", "target": "sued", "property": "workforce",
                                     "value": secret, "source": "research-e1"})
    assert bad.status_code == 422 and secret not in bad.text and "steward" not in bad.text
    assert secret not in caplog.text and "steward" not in caplog.text


def test_the_edits_list_says_what_was_recorded_by_whom_and_what_is_undone(tmp_path: Path) -> None:
    c = client(edits=tmp_path / "acme.edits")
    c.post("/api/edits", json=REPRESENTS)
    c.post("/api/edits", json={"kind": "set_property", "target": "mine", "property": "union_status",
                               "value": "none", "source": "research-e1"})
    c.delete("/api/edits/e2")
    body = c.get("/api/edits").json()
    assert (body["enabled"], body["reason"], body["redo"], body["problems"]) == (True, None, "e2", [])
    assert [(e["id"], e["kind"], e["target"], e["label"], e["undone"]) for e in body["edits"]] == [
        ("e1", "add_edge", "REPRESENTS:igm->sued", "IG Metall REPRESENTS Werk Süd", False),
        ("e2", "set_property", "mine", "union_status of Old Mine", True)]
    assert all(e["user"] and e["time"].endswith("+00:00") for e in body["edits"])
    # a new edit clears redo
    c.post("/api/edits", json={"kind": "set_property", "target": "mine", "property": "cba_status",
                               "value": "none", "source": "research-e1"})
    assert c.get("/api/edits").json()["redo"] is None
    assert c.post("/api/edits/redo").json() == {"detail": "nothing to redo"}
    sources = c.get("/api/edits/sources").json()["sources"]
    assert [s["id"] for s in sources] == ["ar", "gem", "research-e1"]


def test_a_new_server_on_the_same_folder_shows_the_edits(tmp_path: Path) -> None:
    folder = tmp_path / "acme.edits"
    client(edits=folder).post("/api/edits", json=REPRESENTS)
    assert presence(client(edits=folder)) == ("covered", "IG Metall represents workers here")
    assert presence(client()) == ("unknown", "no union is recorded at this site: unknown, needs research")


def test_an_edit_of_a_node_the_snapshot_no_longer_has_is_listed_as_a_problem(tmp_path: Path) -> None:
    folder = tmp_path / "acme.edits"
    client(edits=folder).post("/api/edits", json=REPRESENTS)
    smaller = acme_graph()
    smaller.remove_node("igm")  # a later snapshot without IG Metall
    body = client(smaller, edits=folder).get("/api/edits").json()
    assert body["problems"] == ["source: REPRESENTS edge source 'igm' is not a node in the graph"]


def test_a_redacted_server_refuses_edits_and_the_log(tmp_path: Path) -> None:
    folder = tmp_path / "acme.edits"
    client(edits=folder).post("/api/edits", json=REPRESENTS)
    c = client(edits=folder, redact=True)
    r = c.post("/api/edits", json=REPRESENTS)
    assert (r.status_code, r.json()) == (403, {"detail": "refused: this server shows the redacted graph (--redact, "
                                                         "for a projector); it records no edits"})
    assert c.get("/api/edits").json() == {
        "enabled": False, "reason": "refused: this server shows the redacted graph (--redact, for a projector); "
                                    "it records no edits", "edits": [], "redo": None}
    assert c.get("/api/edits/sources").status_code == 403
    assert c.delete("/api/edits/e1").status_code == 403
    # the projector still shows the graph with the edits (redacted)
    assert presence(c)[0] == "covered"


def test_without_an_edits_folder_edits_are_off() -> None:
    c = client()
    r = c.post("/api/edits", json=REPRESENTS)
    assert (r.status_code, r.json()) == (409, {"detail": "research edits are off: serve with --edits DIR"})
    assert c.get("/api/edits").json() == {"enabled": False, "reason": "research edits are off: serve with --edits DIR",
                                          "edits": [], "redo": None}


def test_the_real_routes_keep_the_origin_and_json_rules(tmp_path: Path) -> None:
    c = client(edits=tmp_path / "acme.edits")
    form = c.post("/api/edits", content="kind=add_edge", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert form.status_code == 415
    foreign = c.post("/api/edits", json=REPRESENTS, headers={"Origin": "http://evil.example"})
    assert foreign.status_code == 403
    assert c.delete("/api/edits/e1", headers={"Origin": "http://evil.example"}).status_code == 403
    ours = c.post("/api/edits", json=REPRESENTS, headers={"Origin": BASE})
    assert ours.status_code == 201
    assert not json.loads((tmp_path / "acme.edits" / "log.jsonl").read_text().splitlines()[0]).get("undone")


def test_a_token_server_needs_the_token_for_edits(tmp_path: Path) -> None:
    c = client(acme_graph(), edits=tmp_path / "acme.edits", token="s3cret")
    assert c.post("/api/edits", json=REPRESENTS).status_code == 401
    assert c.post("/api/edits", json=REPRESENTS, headers={"Authorization": "Bearer s3cret"}).status_code == 201
