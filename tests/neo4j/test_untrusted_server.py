"""Issue 17 cases 14 (server part) and 16: a server is read like any input; a redacted push
leaves no sensitive records behind.

The server is seeded by Cypher with one bad record of each kind the issue lists, beside a
good graph; the pull must keep every good record and report each bad one (label, id,
property). Fixture facts are fictional ("Acme Steel", "Site A").
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from exports.cli.main import cli
from graphmodel.errors import CampaignGraphError
from graphmodel.records import Source
from graphmodel.stores.neo4j import Neo4jStore
from graphmodel.stores.snapshot import load_snapshot, save_snapshot
from tests.neo4j.graphs import acme_graph

#: each bad record seeded (Cypher, parameters) and the (label/type, id, column) its problem names
BAD_RECORDS = [
    ("CREATE (:Source {id: 's-num', title: 42})", {}, ("Source", "s-num", "title")),
    ("CREATE (:Source {id: 's-maybe', title: 'Rumour', confidential: 'perhaps'})", {},
     ("Source", "s-maybe", "confidential")),
    ("CREATE (:Site {id: 'site-nan', name: 'Site NaN', lat: $nan})", {"nan": math.nan}, ("Site", "site-nan", "lat")),
    ("CREATE (:Site {id: 'site-far', name: 'Site Far', lat: 95.0})", {}, ("Site", "site-far", "lat")),
    ("CREATE (:Site {id: 'site-boom', name: 'Site Boom', status: 'exploded'})", {}, ("Site", "site-boom", "status")),
    ("CREATE (:Company {id: 'ghost-src', name: 'Ghost Source Co', sources: ['nowhere']})", {},
     ("Company", "ghost-src", "sources")),
    ("CREATE (:Company {id: $id, name: 'Bell Co'})", {"id": "bell\x07co"}, ("Company", "'bell\\x07co'", "id")),
    ("MATCH (a:Company {id: 'acme'}), (b:Company {id: 'beta'}) CREATE (a)-[:OWNS {id: 'own-nan', share: $nan}]->(b)",
     {"nan": math.nan}, ("OWNS", "acme->beta", "share")),
    ("MATCH (s:Site {id: 'site-a'}), (c:Company {id: 'beta'}) CREATE (s)-[:OWNS {id: 'own-site', share: 10.0}]->(c)",
     {}, ("OWNS", "site-a->beta", "source")),
]


def good_graph():
    g = acme_graph()
    # a Source stored with confidential as text: "no" reads as the sources table reads it
    g.add_source(Source("s-no", title="Public note"))
    return g


@pytest.fixture
def seeded(bolt_server, bolt_db):
    """The good graph pushed, then the bad records added by hand."""
    with Neo4jStore(bolt_server.uri, user=bolt_server.user, password=bolt_server.password, database=bolt_db) as s:
        report = s.write(acme_graph())
        assert report.counts_match
        run = s._driver.execute_query
        run("CREATE (:Source {id: 's-no', title: 'Public note', confidential: 'no'})", database_=bolt_db)
        for query, params, _ in BAD_RECORDS:
            run(query, parameters_=params, database_=bolt_db)
    return ["--uri", bolt_server.uri, "--user", bolt_server.user, "--database", bolt_db]


@pytest.mark.bolt
def test_pull_keeps_the_good_records_and_reports_each_bad_one(bolt_server, bolt_db, seeded):
    problems: list[CampaignGraphError] = []
    with Neo4jStore(bolt_server.uri, user=bolt_server.user, password=bolt_server.password, database=bolt_db) as s:
        back = s.read(problems)
    assert back == good_graph()
    assert back.sources["s-no"].confidential is False
    want = sorted((col, f"{label} {rid}") for _, _, (label, rid, col) in BAD_RECORDS)
    got = sorted((e.column, str(e)) for e in problems)
    assert len(got) == len(want), [str(e) for e in problems]
    for (col, where), (gcol, text) in zip(want, got):
        assert gcol == col and where in text, (where, text)
    with pytest.raises(CampaignGraphError):  # without a list: the first problem raises
        Neo4jStore(bolt_server.uri, user=bolt_server.user, password=bolt_server.password, database=bolt_db).read()


@pytest.mark.bolt
def test_cli_pull_reports_exit_0_and_every_query_works_on_the_result(bolt_server, bolt_db, seeded, tmp_path: Path):
    out, report = tmp_path / "pulled", tmp_path / "report.json"
    runner = CliRunner()
    res = runner.invoke(cli, ["pull", *seeded, "-o", str(out), "--report", str(report)])
    assert res.exit_code == 0, res.output
    assert f"{len(BAD_RECORDS)} problem(s); {len(BAD_RECORDS)} record(s) skipped" in res.stderr
    assert "\x07" not in res.output
    rep = json.loads(report.read_text())
    assert rep["records_skipped"] == len(BAD_RECORDS)
    assert sorted(e["column"] for e in rep["errors"]) == sorted(c for _, _, (_, _, c) in BAD_RECORDS)
    assert load_snapshot(out) == good_graph()
    for args in (
        ["info", str(out)],
        ["group", str(out), "Acme Steel SA"],
        ["coverage", str(out), "--company", "Acme Steel SA"],
        ["map", str(out), "--company", "Acme Steel SA", "-o", str(tmp_path / "m.html")],
        ["brief", str(out), "--company", "Acme Steel SA", "-o", str(tmp_path / "b.html")],
        ["export", str(out), "--format", "json", "-o", str(tmp_path / "g.json")],
    ):
        r = runner.invoke(cli, args)
        assert r.exit_code == 0 and r.exception is None, (args, r.output)


@pytest.mark.bolt
def test_cli_pull_strict_fails_on_the_first_bad_record_writing_nothing(bolt_server, bolt_db, seeded, tmp_path):
    res = CliRunner().invoke(cli, ["pull", *seeded, "-o", str(tmp_path / "pulled"), "--strict"])
    assert res.exit_code == 1
    assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.output
    assert not (tmp_path / "pulled").exists()


def test_pull_with_an_http_uri_is_one_line_naming_only_the_scheme(monkeypatch, tmp_path):
    monkeypatch.setenv("NEO4J_PASSWORD", "x")
    res = CliRunner().invoke(cli, ["pull", "--uri", "http://neo4j:s3cr3t@localhost:7474", "-o", str(tmp_path / "o")])
    assert res.exit_code == 1
    lines = res.stderr.strip().splitlines()
    want = "error: a http:// URI is not a Bolt server address: use bolt://HOST:7687 or neo4j://HOST:7687 (+s for TLS)"
    assert lines == [want]
    assert "s3cr3t" not in res.output


@pytest.mark.bolt
def test_push_redact_without_prune_over_a_full_push_removes_the_sensitive_records(bolt_server, bolt_db, tmp_path):
    save_snapshot(acme_graph(), tmp_path / "snap")
    conn = ["--uri", bolt_server.uri, "--user", bolt_server.user, "--database", bolt_db]
    full = CliRunner().invoke(cli, ["push", str(tmp_path / "snap"), *conn])
    assert full.exit_code == 0, full.output
    with Neo4jStore(bolt_server.uri, user=bolt_server.user, password=bolt_server.password, database=bolt_db) as s:
        before = s.counts()
    assert before["nodes"]["Person"] == 1 and before["edges"]["HOLDS_ROLE"] == 1 and before["sources"]["Source"] == 2

    res = CliRunner().invoke(cli, ["push", str(tmp_path / "snap"), *conn, "--redact"])
    assert res.exit_code == 0, res.output
    # acme_graph: Person p1, its HOLDS_ROLE edge, the confidential source s2
    assert "removed sensitive records from the server: 1 nodes, 1 edges, 1 sources" in res.output
    with Neo4jStore(bolt_server.uri, user=bolt_server.user, password=bolt_server.password, database=bolt_db) as s:
        after = s.counts()
        assert s.run("MATCH (s:Source) WHERE s.confidential = true RETURN count(s) AS n")[0]["n"] == 0
        emails = s.run("MATCH (u:Union) WHERE u.email IS NOT NULL RETURN count(u) AS n")[0]["n"]
    assert "Person" not in after["nodes"] and "HOLDS_ROLE" not in after["edges"]
    assert after["sources"] == {"Source": 1} and emails == 0
    # everything else stays: the other 10 nodes and 11 edges of acme_graph
    assert sum(after["nodes"].values()) == 10 and sum(after["edges"].values()) == 11


@pytest.mark.bolt
def test_a_query_on_the_server_refuses_a_bad_record_in_one_line(bolt_server, bolt_db, seeded):
    # group fetches acme's ownership: the OWNS edges with a NaN share and from a Site are in it
    res = CliRunner().invoke(cli, ["group", bolt_server.uri, "Acme Steel SA", "--user", bolt_server.user,
                                   "--database", bolt_db])
    assert res.exit_code == 1, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "OWNS" in lines[0] and "Traceback" not in res.output
