"""An entity page's relations: ``GET /api/nodes/{id}/profile`` (exports/web/profile.py).

Worked out by hand on two fixtures of tests/web/fixtures.py:

- ``acme_graph``: Acme Holding SA (hold) owns 100 % of Acme Steel GmbH (acme), which operates
  Werk Nord, Werk Süd and Old Mine; IG Metall represents Werk Nord (recognised) and represented
  Werk Süd until 2020-12-31. acme's chain up is acme < hold (100 %, own-1); hold's group is
  hold (root) and acme (controlled, 100 %).
- ``acme_relations_graph``: Acme Steel SA (acme) owns Acme Steel Brasil (100 %, which operates
  Site A) and half of Acme-Beta JV (joint control with Beta Metals, which holds the other half;
  the JV operates Site B with a 50 % share). acme signed Acme GFA (in force since 2019, tacit
  renewal); the Metalworkers Union of Site A (u1) represents Site A (450 members, recognised),
  signed Site A CBA 2023 (in force on 2025-06-01, until 2025-12-31), which COVERS Site A, is a
  member of Acme World Council (company acme) and affiliated to IndustriALL Brasil. A strike at
  Site A (2024-03-01) involves Site A and acme.
"""

from __future__ import annotations

import pytest

from tests.web.fixtures import acme_relations_graph, client

DAY = "2025-06-01"


@pytest.fixture(scope="module")
def c():
    return client()


@pytest.fixture(scope="module")
def rel():
    return client(acme_relations_graph())


def profile(c, node: str, **params: str) -> dict:
    r = c.get(f"/api/nodes/{node}/profile", params={"as_of": DAY} | params)
    assert r.status_code == 200, r.text
    return r.json()


def test_a_company_s_chain_up_names_each_controlling_owner_with_its_share(c) -> None:
    p = profile(c, "acme")
    assert (p["id"], p["kind"], p["name"], p["as_of"]) == ("acme", "Company", "Acme Steel GmbH", DAY)
    up = p["sections"]["ownership"]
    assert up["ultimate_parent"] == "hold" and up["chain"] == ["acme", "hold"]
    [step] = up["steps"]
    assert (step["id"], step["name"], step["of"], step["share"], step["edges"]) == (
        "hold", "Acme Holding SA", "acme", 100.0, ["own-1"])
    assert "Acme Holding SA holds 100% of Acme Steel GmbH" in step["reason"]


def test_a_group_root_is_its_own_parent_and_lists_its_members_with_stakes(c) -> None:
    p = profile(c, "hold")
    up = p["sections"]["ownership"]
    assert up["ultimate_parent"] == "hold" and up["chain"] == ["hold"] and up["steps"] == []
    assert "no owner on record" in up["explanation"]
    g = p["sections"]["group"]
    assert (g["total"], g["truncated"], g["counts"]) == (2, False, {"root": 1, "controlled": 1})
    assert [(m["id"], m["membership"], m["effective_stake"], m["parent_id"]) for m in g["members"]] == [
        ("hold", "root", 100.0, None), ("acme", "controlled", 100.0, "hold")]
    assert p["deferred"] == ["leverage"] and "leverage" not in p["sections"]


def test_a_joint_venture_is_a_joint_member_at_half_and_its_own_ultimate_parent(rel) -> None:
    g = profile(rel, "acme")["sections"]["group"]
    assert [(m["id"], m["membership"], m["effective_stake"]) for m in g["members"]] == [
        ("acme", "root", 100.0), ("acme-br", "controlled", 100.0), ("acme-jv", "joint", 50.0)]
    up = profile(rel, "acme-jv")["sections"]["ownership"]
    assert up["ultimate_parent"] == "acme-jv" and up["steps"] == []
    assert "50/50 joint venture of Acme Steel SA and Beta Metals plc" in up["explanation"]


def test_a_company_s_agreements_networks_and_events(rel) -> None:
    s = profile(rel, "acme")["sections"]
    [gfa] = s["agreements"]
    assert (gfa["id"], gfa["edge_properties"]["role"], gfa["status"], gfa["in_force"]) == (
        "gfa1", "employer", "in_force", True)
    [net] = s["networks"]
    assert (net["id"], net["name"], [m["id"] for m in net["members"]]) == ("net1", "Acme World Council", ["u1"])
    assert net["company"] == {"id": "acme", "name": "Acme Steel SA"}  # its company by id, with the name to show
    assert [(e["id"], e["edge"], e["properties"]["date"]) for e in s["events"]] == [("ev1", "inv-acme", "2024-03-01")]
    # a subsidiary's networks are its owners' too; a company outside the group has none
    assert [n["id"] for n in profile(rel, "acme-br")["sections"]["networks"]] == ["net1"]
    assert profile(rel, "beta")["sections"]["networks"] == []


def test_leverage_is_its_own_request_with_the_leverage_command_s_rows(rel) -> None:
    p = profile(rel, "acme", section="leverage")
    assert list(p["sections"]) == ["leverage"] and p["deferred"] == []
    lev = p["sections"]["leverage"]
    scored = [(r["category"], r["node_id"], r["score"]) for r in lev["rows"] if r["score"] is not None]
    # strong site 2; GFA in force 2; network member 1 + 0.5 per group site it represents;
    # one event 1; Brazil: ILO C098 0.5 + one group site there 0.25
    assert scored == [("internal_solidarity", "site-a", 2.0), ("agreements", "gfa1", 2.0),
                      ("internal_solidarity", "u1", 1.5), ("history", "ev1", 1.0),
                      ("standards_and_law", "br", 0.75)]
    assert lev["points"] == 5
    assert {r["category"] for r in lev["rows"] if r["score"] is None} == {"supply_chain", "finance",
                                                                         "bargaining_calendar"}


def test_leverage_never_scores_the_served_snapshot_s_own_organisation() -> None:
    lev = profile(client(acme_relations_graph(), us=["u1"]), "acme", section="leverage")["sections"]["leverage"]
    assert lev["us"] == [{"id": "u1", "name": "Metalworkers Union of Site A"}]
    [ours] = [r for r in lev["rows"] if r["node_id"] == "u1"]
    assert ours["score"] is None and "your own organisation" in ours["explanation"]
    assert lev["points"] == 4


def test_a_site_s_operators_chain_placement_status_unions_agreements_and_events(rel) -> None:
    s = profile(rel, "site-a")["sections"]
    [op] = s["operators"]
    assert (op["id"], op["ownership"]["chain"], op["ownership"]["ultimate_parent"]) == (
        "acme-br", ["acme-br", "acme"], "acme")
    assert s["placement"]["operator_id"] == "acme-br" and s["placement"]["ultimate_parent_id"] == "acme"
    assert s["placement"]["membership"] == "controlled"
    assert s["status"] == {"status": "operating", "status_note": None}
    [u] = s["unions"]
    assert (u["id"], u["edge_properties"], u["in_force"]) == ("u1", {"members": 450, "recognised": True}, True)
    # the CBA covers it by a COVERS edge and is cited by its coverage; the GFA only by its coverage
    assert [(a["id"], a["edge"], a["cited_by_coverage"], a["status"]) for a in s["agreements"]] == [
        ("cba1", "COVERS:cba1->site-a", True, "in_force"), ("gfa1", None, True, "in_force")]
    assert [e["id"] for e in s["events"]] == ["ev1"]


def test_a_joint_venture_s_site_has_its_operator_s_share_and_no_agreement(rel) -> None:
    s = profile(rel, "site-b")["sections"]
    [op] = s["operators"]
    assert (op["id"], op["edge_properties"]["share"], op["ownership"]["chain"]) == ("acme-jv", 50.0, ["acme-jv"])
    assert s["placement"]["ultimate_parent_id"] == "acme-jv" and s["placement"]["membership"] == "root"
    assert s["status"]["status"] == "unknown" and s["unions"] == [] and s["agreements"] == []


def test_an_ended_representation_is_listed_as_not_in_force(c) -> None:
    s = profile(c, "igm")["sections"]
    assert [(r["id"], r["in_force"], r["edge_properties"]) for r in s["sites"]] == [
        ("nord", True, {"recognised": True}), ("sued", False, {"valid_to": "2020-12-31"})]
    sued = profile(c, "sued")["sections"]
    assert [(u["id"], u["in_force"]) for u in sued["unions"]] == [("igm", False)]
    # before the end, it was in force
    assert [u["in_force"] for u in profile(c, "sued", as_of="2020-06-30")["sections"]["unions"]] == [True]


def test_a_union_s_sites_networks_agreements_and_affiliations(rel) -> None:
    s = profile(rel, "u1")["sections"]
    assert [r["id"] for r in s["sites"]] == ["site-a"]
    assert [r["id"] for r in s["networks"]] == ["net1"]
    assert [(r["id"], r["edge_properties"]["role"], r["status"]) for r in s["agreements"]] == [
        ("cba1", "union", "in_force")]
    assert [r["id"] for r in s["affiliations"]["to"]] == ["ind"] and s["affiliations"]["from"] == []
    assert [r["id"] for r in profile(rel, "ind")["sections"]["affiliations"]["from"]] == ["u1"]


def test_a_redacting_server_never_shows_a_union_s_members(rel) -> None:
    assert profile(rel, "site-a")["sections"]["unions"][0]["edge_properties"]["members"] == 450
    red = client(acme_relations_graph(), redact=True)
    [u] = profile(red, "site-a")["sections"]["unions"]
    assert u["edge_properties"] == {"recognised": True}
    [s] = profile(red, "u1")["sections"]["sites"]
    assert s["edge_properties"] == {"recognised": True}
    assert "450" not in red.get("/api/nodes/site-a/profile").text


def test_unknown_nodes_sections_and_dates_are_refused(rel) -> None:
    assert rel.get("/api/nodes/nobody/profile").status_code == 404
    r = rel.get("/api/nodes/site-a/profile", params={"section": "leverage"})
    assert r.status_code == 422 and "not a section of a Site" in r.json()["detail"]
    assert rel.get("/api/nodes/acme/profile", params={"as_of": "not a date"}).status_code == 422
    # a kind without relations here answers with no sections; the node's own route still answers
    assert profile(rel, "cba1")["sections"] == {}
    assert rel.get("/api/nodes/acme").json()["name"] == "Acme Steel SA"
