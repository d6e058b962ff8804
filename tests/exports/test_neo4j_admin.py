"""``export --format neo4j-admin`` against the documented rules of Neo4j's import header format.

No Neo4j server here, so the import itself is not run. The files are read back by
:class:`AdminReader`, written from Neo4j's documentation of ``neo4j-admin database import``
(not from the exporter): a header field is ``name:type`` (no type: string), ``:ID(space)``
keeps the value as property ``name`` when a name is given, ``:LABEL``, ``:START_ID``,
``:END_ID`` and ``:TYPE`` are not properties, ``type[]`` is an array split on the
``--array-delimiter``, an empty unquoted field is no property; ``int``/``long`` are whole
numbers, ``float``/``double`` decimals, ``boolean`` is ``true``/``false``. The options the
reader uses are the ones ``IMPORT.txt`` gives.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from exports.cli.main import cli
from exports.formats.base import export_graph
from graphmodel import schema
from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.records import Source
from tests.exports.test_redact import CANARIES, canary_graph
from tests.generated import xs  # noqa: F401  (module fixture)

SCALARS = {
    "int": int, "long": int, "short": int, "byte": int,
    "float": float, "double": float,
    "boolean": lambda s: {"true": True, "false": False}[s],
    "string": str, "char": str,
}


class AdminReader:
    """Reads an export folder the way ``neo4j-admin database import full`` documents it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        command = (folder / "IMPORT.txt").read_text(encoding="utf-8")
        m = re.search(r"--array-delimiter='([^']+)'", command)
        assert m, "IMPORT.txt names the array delimiter"
        code = m.group(1)
        self.delimiter = chr(int(code.removeprefix("U+"), 16)) if code.startswith("U+") else code
        self.multiline = "--multiline-fields=true" in command
        self.node_files = re.findall(r"--nodes=(\S+)", command)
        self.rel_files = re.findall(r"--relationships=(\S+)", command)
        assert "--id-type=string" in command

    def value(self, typ: str, text: str) -> Any:
        if typ.endswith("[]"):
            return [SCALARS[typ[:-2]](x) for x in text.split(self.delimiter)]
        return SCALARS[typ](text)

    def records(self, name: str) -> list[dict[str, Any]]:
        """One dict per row: ``_id``/``_space``, ``_labels``, ``_start``/``_end``/``_type``, properties."""
        with (self.folder / name).open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        header, out = rows[0], []
        for row in rows[1:]:
            assert len(row) == len(header), f"{name}: a row with {len(row)} fields under {len(header)} headers"
            rec: dict[str, Any] = {}
            for field, text in zip(header, row, strict=True):
                name_, _, typ = field.partition(":")
                m = re.fullmatch(r"(ID|START_ID|END_ID)(?:\((\w+)\))?", typ)
                if m:
                    key = {"ID": "_id", "START_ID": "_start", "END_ID": "_end"}[m.group(1)]
                    rec[key], rec[key + "_space"] = text, m.group(2)
                    if m.group(1) == "ID" and name_:
                        rec[name_] = text
                elif typ == "LABEL":
                    rec["_labels"] = text.split(self.delimiter)
                elif typ == "TYPE":
                    rec["_type"] = text
                elif text != "":
                    rec[name_] = self.value(typ or "string", text)
            out.append(rec)
        return out

    def nodes(self) -> list[dict[str, Any]]:
        return [r for f in self.node_files for r in self.records(f)]

    def relationships(self) -> list[dict[str, Any]]:
        return [r for f in self.rel_files for r in self.records(f)]


def hand_graph() -> CampaignGraph:
    g = CampaignGraph()
    g.add_source(Source("pub", title='Report, "2024"', publisher="Acme", loaded="2025-02-01"))
    g.add_node("acme", "Company", 'Acme, "Steel"\nplc', sources=["pub"], aliases=["Acme AG", "ACME"], listed=True,
               country="DE")
    g.add_node("site-a", "Site", "Site A", sources=["pub"], workforce=1200, lat=51.5, lon=-0.25, status="operating")
    g.add_edge("acme", "site-a", "OPERATES", sources=["pub"], share=100.0)
    return g


def test_hand_fixture_headers_and_values(tmp_path: Path) -> None:
    written = export_graph(hand_graph(), "neo4j-admin", tmp_path / "out")
    assert sorted(p.name for p in written) == sorted([
        "sources.csv", "nodes_Company.csv", "nodes_Site.csv", "relationships_OPERATES.csv", "IMPORT.txt", "about.json",
    ])
    out = tmp_path / "out"
    first = {p.name: p.read_text(encoding="utf-8").split("\n", 1)[0] for p in written if p.suffix == ".csv"}
    assert first == {
        "sources.csv": "id:ID(Source),:LABEL,title:string,publisher:string,url:string,file:string,"
                       "retrieved:string,licence:string,loaded:string,confidential:boolean",
        "nodes_Company.csv": "id:ID(Node),:LABEL,name:string,aliases:string[],sources:string[],country:string,"
                             "listed:boolean",
        "nodes_Site.csv": "id:ID(Node),:LABEL,name:string,sources:string[],status:string,lat:double,lon:double,"
                          "workforce:long",
        "relationships_OPERATES.csv": ":START_ID(Node),:END_ID(Node),:TYPE,id:string,sources:string[],share:double",
    }
    r = AdminReader(out)
    assert r.delimiter == ";" and r.multiline  # the company name has a line break
    assert r.node_files == ["sources.csv", "nodes_Company.csv", "nodes_Site.csv"]
    assert r.nodes() == [
        {"_id": "pub", "_id_space": "Source", "id": "pub", "_labels": ["Source"], "title": 'Report, "2024"',
         "publisher": "Acme", "loaded": "2025-02-01", "confidential": False},
        {"_id": "acme", "_id_space": "Node", "id": "acme", "_labels": ["Company"], "name": 'Acme, "Steel"\nplc',
         "aliases": ["Acme AG", "ACME"], "sources": ["pub"], "country": "DE", "listed": True},
        {"_id": "site-a", "_id_space": "Node", "id": "site-a", "_labels": ["Site"], "name": "Site A",
         "sources": ["pub"], "status": "operating", "lat": 51.5, "lon": -0.25, "workforce": 1200},
    ]
    assert r.relationships() == [
        {"_start": "acme", "_start_space": "Node", "_end": "site-a", "_end_space": "Node", "_type": "OPERATES",
         "id": "OPERATES:acme->site-a", "sources": ["pub"], "share": 100.0},
    ]
    # types survive: 1200 is a whole number, 100.0 a decimal, True a boolean
    assert type(r.nodes()[2]["workforce"]) is int and type(r.relationships()[0]["share"]) is float


def test_generated_graph_every_node_edge_and_property(tmp_path: Path, xs: CampaignGraph) -> None:  # noqa: F811
    export_graph(xs, "neo4j-admin", tmp_path / "out")
    r = AdminReader(tmp_path / "out")
    nodes = r.nodes()
    got_nodes = {n["_id"]: n for n in nodes if n["_id_space"] == "Node"}
    assert len(got_nodes) == xs.number_of_nodes() == sum(1 for n in nodes if n["_id_space"] == "Node")
    for nid, attrs in xs.nodes():
        n = got_nodes[nid]
        assert n["_labels"] == [attrs["kind"]]
        props = {k: v for k, v in n.items() if not k.startswith("_") and k != "id"}
        want = {k: v for k, v in attrs.items() if k != "kind" and v not in (None, "", [])}
        assert props == want, nid
        for k, v in props.items():  # the header type matches the schema's type
            t = schema.node_props(attrs["kind"])[k].type
            assert isinstance(v, {"int": int, "float": float, "percent": float, "bool": bool,
                                  "list": list}.get(t, str)), (nid, k)
    got_sources = {n["_id"]: n for n in nodes if n["_id_space"] == "Source"}
    assert set(got_sources) == set(xs.sources)
    rels = r.relationships()
    assert len(rels) == xs.number_of_edges()
    by_id = {e["id"]: e for e in rels}
    for eid, u, v, attrs in xs.edges():
        e = by_id[eid]
        assert (e["_start"], e["_end"], e["_type"]) == (u, v, attrs["kind"])
        props = {k: x for k, x in e.items() if not k.startswith("_") and k != "id"}
        assert props == {k: x for k, x in attrs.items() if k != "kind" and x not in (None, "", [])}, eid


def test_generated_graph_with_pandas(tmp_path: Path, xs: CampaignGraph) -> None:  # noqa: F811
    export_graph(xs, "neo4j-admin", tmp_path / "out")
    r = AdminReader(tmp_path / "out")
    frames = [pd.read_csv(tmp_path / "out" / f, dtype=str, keep_default_na=False) for f in r.node_files]
    nodes = pd.concat([f for f in frames if "id:ID(Node)" in f.columns])
    assert nodes["id:ID(Node)"].is_unique and len(nodes) == xs.number_of_nodes()
    rels = pd.concat([pd.read_csv(tmp_path / "out" / f, dtype=str, keep_default_na=False) for f in r.rel_files])
    assert len(rels) == xs.number_of_edges()
    # every relationship end is a node of the export (no dangling id for the importer to skip)
    ids = set(nodes["id:ID(Node)"])
    assert set(rels[":START_ID(Node)"]) <= ids and set(rels[":END_ID(Node)"]) <= ids
    for f in r.node_files + r.rel_files:  # every header field parses under the documented grammar
        for h in pd.read_csv(tmp_path / "out" / f, nrows=0).columns:
            assert re.fullmatch(r"(\w*):(ID\(\w+\)|START_ID\(\w+\)|END_ID\(\w+\)|LABEL|TYPE)|"
                                r"\w+:(string|long|double|boolean)(\[\])?", h), (f, h)


def test_list_item_with_semicolon_switches_the_array_delimiter(tmp_path: Path) -> None:
    g = hand_graph()
    g.add_node("b", "Company", "B", aliases=["x; y", "z"])
    export_graph(g, "neo4j-admin", tmp_path / "out")
    r = AdminReader(tmp_path / "out")
    assert r.delimiter == "|"
    assert {n["_id"]: n.get("aliases") for n in r.nodes()}["b"] == ["x; y", "z"]
    g.add_node("c", "Company", "C", aliases=["p|q"])
    export_graph(g, "neo4j-admin", tmp_path / "out2")
    r2 = AdminReader(tmp_path / "out2")
    assert r2.delimiter == "\x1f" and "--array-delimiter='U+001F'" in (tmp_path / "out2" / "IMPORT.txt").read_text()
    assert {n["_id"]: n.get("aliases") for n in r2.nodes()}["c"] == ["p|q"]
    g.add_node("d", "Company", "D", aliases=["u\x1fv"])
    with pytest.raises(CampaignGraphError, match="no array delimiter is free"):
        export_graph(g, "neo4j-admin", tmp_path / "out3")
    assert not (tmp_path / "out3").exists()  # refused before the folder is made


def test_no_line_break_no_multiline_option(tmp_path: Path) -> None:
    g = CampaignGraph()
    g.add_node("a", "Company", "Acme")
    export_graph(g, "neo4j-admin", tmp_path / "out")
    text = (tmp_path / "out" / "IMPORT.txt").read_text()
    assert "--multiline-fields" not in text and "--nodes=nodes_Company.csv" in text
    assert not (tmp_path / "out" / "sources.csv").exists()  # no sources, no empty file without rows


def test_redacted_export_has_no_canary(tmp_path: Path) -> None:
    export_graph(canary_graph(), "neo4j-admin", tmp_path / "out", redacted=True)
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted((tmp_path / "out").iterdir()))
    assert "redacted: yes" in (tmp_path / "out" / "IMPORT.txt").read_text()
    for canary in CANARIES:
        assert canary.lower() not in text.lower(), canary
    ids = {n["_id"] for n in AdminReader(tmp_path / "out").nodes()}
    assert "acme" in ids and "person-canary" not in ids


def test_cli_writes_a_folder_and_refuses_stdout(tmp_path: Path) -> None:
    runner = CliRunner()
    snap = tmp_path / "snap"
    from graphmodel.stores.snapshot import save_snapshot

    save_snapshot(hand_graph(), snap)
    res = runner.invoke(cli, ["export", str(snap), "--format", "neo4j-admin", "-o", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "out" / "relationships_OPERATES.csv").is_file()
    res = runner.invoke(cli, ["export", str(snap), "--format", "neo4j-admin", "-o", "-"])
    assert res.exit_code == 2 and "writes a folder" in res.output  # a usage error (exports.cli.main)
