"""The Cypher script: injection-proof literals, schema-only labels, and a full round trip.

The script is parsed back in Python by a small reader of Cypher literals (strings with
escapes, numbers, booleans, lists, maps): every statement, with its literals taken out,
must be exactly one of the four statement shapes the exporter writes, so no text in the
data can add a clause; the literals must rebuild the graph exactly.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

import pytest

from exports.formats.base import export_graph
from exports.formats.cypher import script, string_literal
from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.records import Source
from tests.exports.test_redact import canary_graph

PAYLOAD = "x' WITH true AS x MATCH (n) DETACH DELETE n //"


class LiteralReader:
    """Reads one Cypher literal value at a position (the subset the exporter writes)."""

    _ESC: ClassVar[dict[str, str]] = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}
    _NUM = re.compile(r"-?\d+(\.\d+)?([eE]-?\d+)?")
    _KEY = re.compile(r"[a-z][a-z0-9_]*")

    def __init__(self, text: str, pos: int = 0) -> None:
        self.s, self.i = text, pos

    def ws(self) -> None:
        while self.i < len(self.s) and self.s[self.i] == " ":
            self.i += 1

    def expect(self, token: str) -> None:
        self.ws()
        assert self.s.startswith(token, self.i), f"expected {token!r} at {self.i}: {self.s[self.i:self.i + 30]!r}"
        self.i += len(token)

    def string(self) -> str:
        assert self.s[self.i] == "'"
        self.i += 1
        out = []
        while True:
            c = self.s[self.i]
            if c == "'":
                self.i += 1
                return "".join(out)
            if c == "\\":
                e = self.s[self.i + 1]
                if e == "u":
                    out.append(chr(int(self.s[self.i + 2 : self.i + 6], 16)))
                    self.i += 6
                    continue
                out.append(self._ESC[e])
                self.i += 2
                continue
            assert c not in "\n\r", "raw line break inside a literal"
            out.append(c)
            self.i += 1

    def value(self) -> Any:
        self.ws()
        c = self.s[self.i]
        if c == "'":
            return self.string()
        if c == "[":
            self.i += 1
            items: list[Any] = []
            self.ws()
            if self.s[self.i] == "]":
                self.i += 1
                return items
            while True:
                items.append(self.value())
                self.ws()
                if self.s[self.i] == "]":
                    self.i += 1
                    return items
                self.expect(",")
        if c == "{":
            self.i += 1
            out: dict[str, Any] = {}
            while True:
                self.ws()
                m = self._KEY.match(self.s, self.i)
                assert m, f"bad map key at {self.i}"
                self.i = m.end()
                self.expect(":")
                out[m.group()] = self.value()
                self.ws()
                if self.s[self.i] == "}":
                    self.i += 1
                    return out
                self.expect(",")
        for word, val in (("true", True), ("false", False)):
            if self.s.startswith(word, self.i):
                self.i += len(word)
                return val
        m = self._NUM.match(self.s, self.i)
        assert m, f"not a literal at {self.i}: {self.s[self.i:self.i + 30]!r}"
        self.i = m.end()
        return float(m.group()) if (m.group(1) or m.group(2)) else int(m.group())


SHAPES = {
    "constraint": re.compile(
        r"CREATE CONSTRAINT campaign_graph_[a-z]+_id IF NOT EXISTS FOR \(n:([A-Z][A-Za-z]+)\) REQUIRE n\.id IS UNIQUE;"
    ),
    "node": re.compile(r"UNWIND (?P<rows>L) AS row MERGE \(n:(?P<label>[A-Z][A-Za-z]+) \{id: row\.id\}\) SET n = row\.props;"),
    "rel": re.compile(
        r"UNWIND (?P<rows>L) AS row MATCH \(a:(?P<la>[A-Z][A-Za-z]+) \{id: row\.source\}\) "
        r"MATCH \(b:(?P<lb>[A-Z][A-Za-z]+) \{id: row\.target\}\) "
        r"MERGE \(a\)-\[r:(?P<type>[A-Z][A-Z_]+) \{id: row\.id\}\]->\(b\) SET r = row\.props;"
    ),
}


def parse_script(text: str) -> dict[str, Any]:
    """Check every statement's shape and collect the literals: constraints, nodes by label, relationships."""
    out: dict[str, Any] = {"constraints": [], "nodes": {}, "rels": {}}
    for line in text.splitlines():
        if line.startswith("//"):
            continue
        m = SHAPES["constraint"].fullmatch(line)
        if m:
            out["constraints"].append(m.group(1))
            continue
        assert line.startswith("UNWIND ["), line[:80]
        reader = LiteralReader(line, len("UNWIND "))
        rows = reader.value()
        skeleton = "UNWIND L" + line[reader.i :]
        m = SHAPES["node"].fullmatch(skeleton)
        if m:
            for row in rows:
                assert set(row) == {"id", "props"}
                out["nodes"][row["id"]] = (m.group("label"), row["props"])
            continue
        m = SHAPES["rel"].fullmatch(skeleton)
        assert m, f"unexpected statement shape: {skeleton[:200]}"
        for row in rows:
            assert set(row) == {"id", "source", "target", "props"}
            out["rels"][row["id"]] = (m.group("type"), m.group("la"), row["source"], m.group("lb"), row["target"], row["props"])
    return out


def hostile_graph() -> CampaignGraph:
    g = canary_graph()
    g.add_source(Source("src'); DROP", title="A source named like an attack \\' //", licence="CC0", loaded="2025-02-01"))
    g.add_node(PAYLOAD, "Company", PAYLOAD, sources=["src'); DROP"], aliases=[PAYLOAD, "back\\slash"])
    g.add_node("u2", "Union", "Métallos \"Zürich\" ✓ 𝔘nion", country="CH")
    g.add_node("ev", "Event", "Line\nbreak", description="tab\there, CR\rthere, sep\u2028, bell\x07, \\u0027 literal",
               date="2024-01-02", severity=3)
    g.add_edge(PAYLOAD, "site-a", "OPERATES", sources=["src'); DROP"], share=0.5)
    g.add_edge("ev", PAYLOAD, "INVOLVES")
    g.add_edge("acme", PAYLOAD, "OWNS", share=1e-05, voting=100.0, control="no")
    return g


def test_script_round_trips_every_value(tmp_path: Path) -> None:
    g = hostile_graph()
    out = tmp_path / "g.cypher"
    export_graph(g, "cypher", out)
    parsed = parse_script(out.read_text(encoding="utf-8"))
    assert sorted(parsed["constraints"]) == sorted({"Source", *(a["kind"] for _, a in g.nodes())})
    assert parsed["nodes"] == {
        **{n: (a["kind"], {"id": n, **{p: v for p, v in a.items() if p != "kind"}}) for n, a in g.nodes()},
        **{
            sid: ("Source", {k: v for k, v in s.as_dict().items() if v not in ("", None)})
            for sid, s in g.sources.items()
        },
    }
    assert parsed["rels"] == {
        k: (a["kind"], g.kind_of(u), u, g.kind_of(v), v, {"id": k, **{p: x for p, x in a.items() if p != "kind"}})
        for k, u, v, a in g.edges()
    }
    # the payload is stored verbatim, as an id and as a name
    assert parsed["nodes"][PAYLOAD][1]["name"] == PAYLOAD


def test_payload_cannot_leave_its_literal() -> None:
    text = script(hostile_graph())
    assert string_literal(PAYLOAD) in text
    assert string_literal(PAYLOAD) == "'x\\' WITH true AS x MATCH (n) DETACH DELETE n //'"
    for line in text.splitlines():
        assert "\r" not in line  # line breaks inside values are escaped, one statement per line


def test_header_and_order() -> None:
    lines = script(canary_graph()).splitlines()
    assert lines[0].startswith("// campaign-graph export")
    assert lines[1] == "// schema version 1; redacted: no"
    kinds = [ln.split()[0] for ln in lines if not ln.startswith("//")]
    first_unwind = kinds.index("UNWIND")
    assert set(kinds[:first_unwind]) == {"CREATE"} and set(kinds[first_unwind:]) == {"UNWIND"}
    body = [ln for ln in lines if ln.startswith("UNWIND")]
    assert "MERGE (n:Source" in body[0]
    assert all("MATCH (a:" in ln for ln in body if "MERGE (a)-[" in ln)


def test_labels_and_types_only_from_the_schema() -> None:
    g = canary_graph()
    g.nx.nodes["acme"]["kind"] = "Company) DETACH DELETE n //"
    with pytest.raises(CampaignGraphError, match="refusing node label"):
        script(g)
    g = canary_graph()
    u, v, k = "acme", "site-a", "OPERATES:acme->site-a"
    g.nx.edges[u, v, k]["kind"] = "OPERATES]->(b) DETACH DELETE b //"
    with pytest.raises(CampaignGraphError, match="refusing relationship type"):
        script(g)
    g = canary_graph()
    g.nx.nodes["acme"]["x` = 1 DETACH DELETE n //"] = "x"
    with pytest.raises(CampaignGraphError, match="refusing property"):
        script(g)


def test_batches_split_large_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    import exports.formats.cypher as cy

    monkeypatch.setattr(cy, "BATCH", 2)
    g = CampaignGraph()
    for i in range(5):
        g.add_node(f"c{i}", "Company", f"Company {i}")
    parsed = parse_script(script(g))
    assert sorted(parsed["nodes"]) == ["c0", "c1", "c2", "c3", "c4"]
    assert sum(1 for ln in script(g).splitlines() if "MERGE (n:Company" in ln) == 3


def test_redacted_script_has_no_person_label() -> None:
    from exports.redact import redact

    text = script(redact(canary_graph()))
    assert ":Person" not in text and "HOLDS_ROLE" not in text
    assert "redacted: yes" in text.splitlines()[1]


@pytest.mark.bolt
def test_script_runs_on_a_bolt_server_and_pulls_back_equal(bolt_server, bolt_db) -> None:
    """Run the script statement by statement on a real server (ArcadeDB, or Neo4j with
    NEO4J_URI), twice; the Neo4j store then reads back exactly the exported graph."""
    import neo4j

    from graphmodel.stores.neo4j import Neo4jStore

    g = hostile_graph()
    lines = [ln for ln in script(g).splitlines() if ln and not ln.startswith("//")]
    with neo4j.GraphDatabase.driver(bolt_server.uri, auth=(bolt_server.user, bolt_server.password)) as driver:
        for _ in range(2):  # a second run changes nothing (MERGE on constrained ids)
            with driver.session(database=bolt_db) as session:
                for ln in lines:
                    session.run(ln.removesuffix(";")).consume()
    store = Neo4jStore(bolt_server.uri, user=bolt_server.user, password=bolt_server.password, database=bolt_db)
    try:
        back = store.read()
        total = store.run("MATCH (n) RETURN count(n) AS c")[0]["c"]
    finally:
        store.close()
    assert total == g.number_of_nodes() + len(g.sources)  # nothing deleted, nothing doubled
    assert back.node(PAYLOAD)["name"] == PAYLOAD
    assert back == g
