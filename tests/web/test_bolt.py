"""``serve bolt://…``: every API route asked over a Bolt server (ArcadeDB) gives the answer the
app gives over the same graph in memory.

Each request fetches from the server the part of the graph its answer reads
(``exports/web/source.py``, selections of ``queries/cypher.py``); the reference is the app over
the graph as a snapshot loads it (nodes and edges by id), the order the server side sorts what it
fetches into. Graphs: the workbench's hand-worked fixture (``tests/web/fixtures.py``) and the
richer Acme graph of the server tests (a joint venture, a supplier site, agreements, a person).
"""

from __future__ import annotations

import io
from typing import Any

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from exports.web.app import create_app
from exports.web.source import Neo4jSource
from graphmodel.graph import CampaignGraph
from graphmodel.stores.neo4j import Neo4jStore
from tests.neo4j import graphs as server_graphs
from tests.neo4j.test_cypher_queries import canonical
from tests.web.fixtures import BASE, acme_geo_graph, acme_graph, acme_relations_graph

pytestmark = pytest.mark.bolt

AS_OF = "2024-06-30"

#: requests on the workbench fixture, and what some answers are (worked out by hand in fixtures.py)
WEB_REQUESTS = [
    "/api/search?q=Acme%20Montan%20AG", "/api/search?q=acme", "/api/search?q=Acme%20Steel&kind=company",
    "/api/search?q=werk%20sud", "/api/search?q=metall&kind=Union", "/api/search?q=nothing%20like%20it",
    "/api/search?q=x&kind=Planet",
    "/api/nodes/nord?as_of=2024-06-30", "/api/nodes/sued?as_of=2019-06-30", "/api/nodes/sued?as_of=2024-06-30",
    "/api/nodes/mine?as_of=2024-06-30", "/api/nodes/hold", "/api/nodes/igm", "/api/nodes/acme-gb",
    "/api/nodes/nobody", "/api/nodes/nord?as_of=never",
    "/api/nodes/nord/neighbours", "/api/nodes/igm/neighbours?as_of=2024-06-30", "/api/nodes/hold/neighbours?hops=3",
    "/api/nodes/hold/neighbours?hops=2&kinds=Company,Site", "/api/nodes/acme/neighbours?kinds=Union",
    "/api/nodes/nobody/neighbours",
    "/api/coverage?company=Acme%20Holding&as_of=2024-06-30", "/api/coverage?company=hold&status=all&as_of=2019-01-01",
    "/api/coverage?company=acme&as_of=2024-06-30", "/api/coverage?company=Nobody",
]

#: requests on the server tests' Acme graph (tests/neo4j/graphs.py)
SERVER_REQUESTS = [
    "/api/search?q=Acme", "/api/search?q=Acme%20Steel%20SA", "/api/search?q=site", "/api/search?q=Jane%20Doe",
    f"/api/nodes/site-a?as_of={AS_OF}", f"/api/nodes/site-b?as_of={AS_OF}", "/api/nodes/acme", "/api/nodes/cba1",
    "/api/nodes/p1", "/api/nodes/br",
    "/api/nodes/site-a/neighbours?hops=2", f"/api/nodes/acme/neighbours?hops=3&as_of={AS_OF}",
    "/api/nodes/u1/neighbours?kinds=Site,Agreement&hops=2",
    f"/api/coverage?company=Acme%20Steel%20SA&as_of={AS_OF}", f"/api/coverage?company=beta&status=all&as_of={AS_OF}",
    f"/api/coverage?company=Acme-Beta%20JV&as_of={AS_OF}",
]


@pytest.fixture
def served(bolt_server, bolt_db):
    """``served(graph, **options)``: (the app over ``graph`` in memory, the app over the server
    holding ``graph``), as test clients; the stores are closed at the end."""
    sources: list[Neo4jSource] = []

    def _served(graph: CampaignGraph, **options: Any) -> tuple[TestClient, TestClient]:
        store = Neo4jStore(bolt_server.uri, user=bolt_server.user, password=bolt_server.password, database=bolt_db)
        store.write(graph, prune=True, verify=False)
        source = Neo4jSource(store)
        sources.append(source)
        local = create_app(canonical(graph), host="127.0.0.1", port=8765, **options)
        remote = create_app(source, host="127.0.0.1", port=8765, **options)
        return TestClient(local, base_url=BASE), TestClient(remote, base_url=BASE)

    yield _served
    for s in sources:
        s.close()


def _same_answers(local: TestClient, remote: TestClient, paths: list[str]) -> dict[str, Any]:
    answers = {}
    for path in paths:
        a, b = local.get(path), remote.get(path)
        assert (b.status_code, b.json()) == (a.status_code, a.json()), path
        answers[path] = (a.status_code, a.json())
    return answers


def test_every_route_over_bolt_answers_as_in_memory_on_the_workbench_fixture(served):
    local, remote = served(acme_graph())
    answers = _same_answers(local, remote, WEB_REQUESTS)
    # a few of them worked out by hand (fixtures.py), so the comparison is not of two empty answers
    assert answers["/api/search?q=Acme%20Montan%20AG"] == (200, {"results": [
        {"id": "hold", "kind": "Company", "name": "Acme Holding SA", "how": "former_name"}], "total": 1})
    assert [r["id"] for r in answers["/api/search?q=Acme%20Steel&kind=company"][1]["results"]] == ["acme", "acme-gb"]
    nord = answers["/api/nodes/nord?as_of=2024-06-30"][1]
    assert nord["coverage"]["union_presence"]["value"] == "covered"
    assert nord["coverage"]["cba"]["value"] == "unknown"
    assert [s["id"] for s in nord["sources"]] == ["gem"]
    assert answers["/api/nodes/sued?as_of=2024-06-30"][1]["coverage"]["union_presence"]["value"] != "covered"
    assert answers["/api/nodes/sued?as_of=2019-06-30"][1]["coverage"]["union_presence"]["value"] == "covered"
    igm = answers["/api/nodes/igm/neighbours?as_of=2024-06-30"][1]
    assert [n["id"] for n in igm["nodes"]] == ["igm", "nord"]
    hold3 = answers["/api/nodes/hold/neighbours?hops=3"][1]
    assert {n["id"] for n in hold3["nodes"]} == {"hold", "acme", "nord", "sued", "mine", "igm"}
    assert len(hold3["edges"]) == 6
    cov = answers["/api/coverage?company=Acme%20Holding&as_of=2024-06-30"][1]
    assert cov["company"] == "hold" and [r["site_id"] for r in cov["rows"]] == ["nord", "sued"]
    assert answers["/api/coverage?company=Nobody"][0] == 404
    assert answers["/api/nodes/nobody"][0] == answers["/api/nodes/nobody/neighbours"][0] == 404
    assert answers["/api/search?q=x&kind=Planet"][0] == 422


def test_every_route_over_bolt_answers_as_in_memory_on_a_group_with_agreements(served):
    local, remote = served(server_graphs.acme_graph())
    answers = _same_answers(local, remote, SERVER_REQUESTS)
    # site-b is operated by the 50/50 joint venture: its own ultimate parent, so its row is in the JV's group
    site_b = answers[f"/api/nodes/site-b?as_of={AS_OF}"][1]
    assert site_b["coverage"]["union_presence"]["value"] == "unknown"
    site_a = answers[f"/api/nodes/site-a?as_of={AS_OF}"][1]
    assert site_a["coverage"]["cba"]["value"] == "covered"  # cba1 covers site-a
    assert site_a["coverage"]["gfa"]["value"] == "covered"  # acme's GFA, acme owns acme-br 100 %


def test_the_group_table_map_and_downloads_over_bolt_answer_as_in_memory(served):
    """The group's routes (exports/web/group.py) ask the source too: the table's rows, the map's
    points, the CSV and the briefing over the server equal the in-memory ones."""
    local, remote = served(acme_geo_graph())
    answers = _same_answers(local, remote, [
        f"/api/coverage.json?company=hold&as_of={AS_OF}",
        f"/api/coverage.json?company=hold&as_of={AS_OF}&union_presence=unknown", f"/api/geo?company=hold&as_of={AS_OF}", "/api/geo?company=Nobody"])
    rows = answers[f"/api/coverage.json?company=hold&as_of={AS_OF}&union_presence=unknown"][1]["rows"]
    assert [r["site_id"] for r in rows] == ["ost", "sued"]  # as test_group.py works it out in memory
    geo = answers[f"/api/geo?company=hold&as_of={AS_OF}"][1]
    assert ([s["id"] for s in geo["sites"]], [s["id"] for s in geo["unplaced"]]) == (["nord", "sued"], ["ost"])
    assert answers["/api/geo?company=Nobody"][0] == 404
    path = f"/api/coverage.csv?company=hold&as_of={AS_OF}"
    a, b = local.get(path), remote.get(path)
    assert (b.status_code, b.text) == (a.status_code, a.text) and "Werk Nord" in a.text
    brief = remote.get(f"/api/brief?company=hold&format=md&as_of={AS_OF}")
    assert brief.status_code == 200 and "Acme Holding SA" in brief.text and "Werk Süd" in brief.text


def test_the_network_views_site_coverage_and_export_over_bolt_answer_as_in_memory(served):
    """The network view's batch coverage (exports/web/views.py) asks the server per site; the
    view's export reads the server's graph: both as in memory. Named views are off over a server."""
    local, remote = served(server_graphs.acme_graph())
    body = {"ids": ["site-a", "site-b", "acme", "nobody"], "as_of": AS_OF}
    a, b = local.post("/api/coverage/sites", json=body), remote.post("/api/coverage/sites", json=body)
    assert (b.status_code, b.json()) == (a.status_code, a.json())
    assert sorted(a.json()["sites"]) == ["site-a", "site-b"]
    site_a = a.json()["sites"]["site-a"]["union_presence"]["value"]
    view = {"nodes": ["acme", "site-a"], "edges": [], "focus": "acme", "as_of": AS_OF}
    a, b = (c.post("/api/views/export?format=graphml", json=view) for c in (local, remote))
    assert b.status_code == a.status_code == 200
    ga, gb = (nx.read_graphml(io.StringIO(r.text)) for r in (a, b))
    assert dict(gb.nodes(data=True)) == dict(ga.nodes(data=True)) and list(gb.edges) == list(ga.edges)
    # the file's attributes come in another order (the server's read), the graph they describe is the same
    assert ga.nodes["site-a"]["union_presence"] == site_a == "covered"


def test_research_edits_and_named_views_are_off_over_bolt(served):
    """They are kept beside a snapshot folder: over a server the page is told why, changes get 409."""
    _local, remote = served(acme_graph())
    edits, views = remote.get("/api/edits").json(), remote.get("/api/views").json()
    assert (edits["enabled"], views["enabled"]) == (False, False)
    assert edits["reason"].startswith("research edits are off over a Neo4j server")
    body = {"kind": "set_property", "target": "sued", "property": "union_status", "value": "present",
            "date": "2025-09-01", "source": {"title": "Visit", "publisher": "us", "retrieved": "2025-09-02"}}
    assert remote.post("/api/edits", json=body).status_code == 409
    assert remote.put("/api/views/mine", json={"focus": "hold"}).status_code == 409


def test_redacted_over_bolt_answers_as_the_redacted_graph(served):
    local, remote = served(server_graphs.acme_graph(), redact=True)
    answers = _same_answers(local, remote, ["/api/search?q=Jane%20Doe", "/api/nodes/p1", "/api/nodes/u1",
                                            "/api/nodes/p1/neighbours", "/api/nodes/u1/neighbours"])
    assert answers["/api/search?q=Jane%20Doe"][1]["total"] == 0
    assert answers["/api/nodes/p1"][0] == 404
    assert "email" not in answers["/api/nodes/u1"][1]["properties"]


def test_serve_a_bolt_uri_as_a_real_process_reads_the_server_per_request(bolt_server, bolt_db, tmp_path) -> None:
    """``campaign-graph serve bolt://…``: the answers follow the server (a node written there
    after the start is found), the password never appears in the output."""
    import os
    import re
    import subprocess
    import sys

    import httpx

    from tests.web.test_serve import REPO, _first_line

    store = Neo4jStore(bolt_server.uri, user=bolt_server.user, password=bolt_server.password, database=bolt_db)
    with store:
        store.write(acme_graph(), prune=True, verify=False)
    env = {**os.environ, "PYTHONPATH": str(REPO), "NEO4J_PASSWORD": bolt_server.password}
    proc = subprocess.Popen([sys.executable, "-m", "exports.cli.main", "serve", bolt_server.uri, "--port", "0",
                             "--user", bolt_server.user, "--database", bolt_db], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = _first_line(proc, 60)
        m = re.fullmatch(r"serving bolt://127\.0\.0\.1:\d+ at (http://127\.0\.0\.1:\d+/) \(Ctrl-C stops\)\n", line)
        assert m, line
        with httpx.Client(base_url=m[1], timeout=60) as http:
            assert http.get("api/search", params={"q": "Acme Holding"}).json()["results"][0]["id"] == "hold"
            assert http.get("api/nodes/nord").json()["coverage"]["union_presence"]["value"] == "covered"
            assert http.get("api/search", params={"q": "Werk Ost"}).json()["total"] == 0
            later = acme_graph()
            later.add_node("ost", "Site", "Werk Ost", country="DE", status="operating")
            later.add_edge("acme", "ost", "OPERATES", id="op-ost")
            with store:
                store.write(later, prune=True, verify=False)
            assert http.get("api/search", params={"q": "Werk Ost"}).json()["results"][0]["id"] == "ost"
            rows = http.get("api/coverage", params={"company": "hold", "as_of": AS_OF}).json()["rows"]
            assert [r["site_id"] for r in rows] == ["nord", "ost", "sued"]
            assert http.get("nodes/ost").status_code == 200
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    assert bolt_server.password not in line + out + err


def test_the_entity_profiles_over_bolt_answer_as_in_memory(served):
    """``/api/nodes/{id}/profile`` reads the server's whole graph (exports/web/profile.py); its
    answers over Bolt are the in-memory ones, leverage and a redacted union's members included."""
    paths = [f"/api/nodes/{n}/profile?as_of={AS_OF}" for n in ("acme", "acme-br", "acme-jv", "site-a", "site-b",
                                                                "u1", "ind", "cba1", "nobody")]
    paths += [f"/api/nodes/acme/profile?as_of={AS_OF}&section=leverage", "/api/nodes/site-a/profile?section=leverage"]
    local, remote = served(acme_relations_graph(), us=["u1"])
    answers = _same_answers(local, remote, paths)
    assert answers[f"/api/nodes/site-a/profile?as_of={AS_OF}"][1]["sections"]["unions"][0]["edge_properties"] == {
        "members": 450, "recognised": True}
    assert [m["id"] for m in answers[f"/api/nodes/acme/profile?as_of={AS_OF}"][1]["sections"]["group"]["members"]] == [
        "acme", "acme-br", "acme-jv"]
    assert answers["/api/nodes/nobody/profile?as_of=2024-06-30"][0] == 404
    assert answers["/api/nodes/site-a/profile?section=leverage"][0] == 422
    local, remote = served(acme_relations_graph(), redact=True)
    answers = _same_answers(local, remote, [f"/api/nodes/site-a/profile?as_of={AS_OF}"])
    assert answers[f"/api/nodes/site-a/profile?as_of={AS_OF}"][1]["sections"]["unions"][0]["edge_properties"] == {
        "recognised": True}
