"""The edits folder (exports/edits.py) and the loader's rule for it (loaders/edits.py).

The rule that makes the folder reproducible: loading the original sources plus the folder
gives the graph the workbench shows, checked by canonical equality on the hand-worked Acme
group (tests/web/fixtures.py, exported as tables) and on the sample (examples/sample).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from exports.cli.main import cli
from exports.edits import EditConflict, EditError, EditsStore, default_folder
from exports.formats.base import export_graph
from graphmodel.errors import CampaignGraphError
from graphmodel.stores.snapshot import load_snapshot
from loaders.registry import guess_format, load_paths
from tests.web.fixtures import acme_graph, client

VISIT = {"title": "Works council visit, Werk Süd", "publisher": "IG Metall Bezirk", "retrieved": "2025-09-02",
         "confidential": True}
EDITS = [
    {"kind": "add_edge", "edge_kind": "REPRESENTS", "from": "igm", "to": "sued",
     "properties": {"recognised": True, "members": 40}, "source": VISIT},
    {"kind": "set_property", "target": "mine", "property": "union_status", "value": "none", "date": "2019-05-01",
     "source": "ar"},
    # a later edit restating a value an earlier one set: the later wins
    {"kind": "set_property", "target": "mine", "property": "union_status", "value": "present", "date": "2019-06-01",
     "source": "research-e1"},
    {"kind": "add_node", "node_kind": "Company", "name": "Acme Logistik GmbH", "properties": {"country": "DE"},
     "edges": [{"kind": "OWNS", "from": "acme", "properties": {"share": 100}}], "source": "ar"},
    {"kind": "set_property", "target": "acme", "property": "notes", "value": "works council chair: ask the union",
     "source": "research-e1"},
]


def record_all(c, bodies) -> None:  # type: ignore[no-untyped-def]
    for b in bodies:
        r = c.post("/api/edits", json=b)
        assert r.status_code == 201, r.text


def test_loading_the_sources_plus_the_edits_folder_gives_the_graph_the_workbench_shows(tmp_path: Path) -> None:
    tables = tmp_path / "acme"
    export_graph(acme_graph(), "csv", tables)
    base, _ = load_paths([tables])
    folder = tmp_path / "acme.edits"
    c = client(base, edits=folder)
    record_all(c, EDITS)
    assert c.delete("/api/edits/e4").status_code == 200  # an undone edit leaves no row
    shown = c.app.state.graph  # type: ignore[attr-defined]
    assert guess_format(folder) == "edits"
    loaded, ctx = load_paths([tables, folder])
    assert ctx.errors == [] and ctx.warnings == []
    assert loaded.canonical() == shown.canonical()
    # worked out: the mine's union_status is the later edit's, pinned to its source; the company edit undone
    mine = loaded.node("mine")
    assert (mine["union_status"], mine["union_status_date"]) == ("present", "2019-06-01")
    assert "union_status=research-e1" in mine["value_sources"]
    assert not loaded.has_node("acme-logistik-gmbh")
    assert loaded.node("acme")["notes"] == "works council chair: ask the union"
    # the order of the paths does not matter: the folder is applied last
    again, _ = load_paths([folder, tables])
    assert again.canonical() == shown.canonical()
    # without the rule the restating rows would be errors (first row wins)
    plain, ctx = load_paths([tables, folder], fmt="tables")
    assert plain.canonical() == shown.canonical()


def test_the_sample_snapshot_plus_its_edits_folder_is_what_load_makes(tmp_path: Path) -> None:
    runner = CliRunner()
    snap = tmp_path / "sample.snapshot"
    assert runner.invoke(cli, ["load", "examples/sample", "-o", str(snap)]).exit_code == 0
    folder = default_folder(snap)
    c = client(load_snapshot(snap), edits=folder)
    record_all(c, [
        {"kind": "add_edge", "edge_kind": "REPRESENTS", "from": "union-fellesforbundet", "to": "M0005",
         "properties": {"recognised": True}, "source": {"title": "Fictional test note", "retrieved": "2025-01-01"}},
        {"kind": "set_property", "target": "M0006", "property": "union_status", "value": "none",
         "date": "2025-02-01", "source": "research-e1"},
        {"kind": "add_node", "node_kind": "Site", "name": "Fictional Test Mine", "properties": {"country": "AU"},
         "edges": [{"kind": "OPERATES", "from": "E100000000015"}], "source": "research-e1"},
    ])
    result = runner.invoke(cli, ["load", "examples/sample", str(folder), "-o", str(tmp_path / "with-edits")])
    assert result.exit_code == 0, result.output
    shown = c.app.state.graph  # type: ignore[attr-defined]
    assert shown.is_columnar  # the edits were spliced into the snapshot's columns (graphmodel.stores.snapshot.patched)
    assert load_snapshot(tmp_path / "with-edits").content_hash() == shown.content_hash()
    # diff shows the edits as it shows changes between two snapshots
    out = runner.invoke(cli, ["diff", str(snap), str(folder), "--format", "json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)
    assert {(r["change"], r["element"], r["id"], r["property"]) for r in rows} >= {
        ("added", "edge", "REPRESENTS:union-fellesforbundet->M0005", None),
        ("changed", "node", "M0006", "union_status"),
        ("changed", "node", "M0006", "union_status_date"),
        ("added", "node", "fictional-test-mine", None),
        ("added", "edge", "OPERATES:E100000000015->fictional-test-mine", None),
        ("added", "source", "research-e1", None),
    }
    # the same with --edits; without either, one line and exit 1
    assert json.loads(runner.invoke(cli, ["diff", str(snap), "--edits", str(folder), "--format", "json"]).stdout) == rows
    bare = runner.invoke(cli, ["diff", str(snap)])
    assert bare.exit_code == 1 and "give SNAP_B (a snapshot or an edits folder) or --edits DIR" in bare.output


def test_undo_redo_and_the_log(tmp_path: Path) -> None:
    g = acme_graph()
    store = EditsStore(tmp_path / "e")
    store.record(g, EDITS[1])
    store.record(g, EDITS[0])
    assert store.undo("e1")["id"] == "e1"
    assert [(e["id"], e["undone"], e["redo_next"]) for e in store.edits()] == [("e1", True, True), ("e2", False, False)]
    with pytest.raises(EditConflict, match="edit e1 is undone already"):
        store.undo("e1")
    assert store.redo()["id"] == "e1"
    with pytest.raises(EditConflict, match="nothing to redo"):
        store.redo()
    # redo puts e1 after e2: the tables' rows follow the order the edits were applied
    lines = (tmp_path / "e" / "edges.csv").read_text().splitlines()
    assert lines[1].startswith("REPRESENTS:igm->sued,igm,sued,REPRESENTS,research-e2,edits:e2,")
    nodes = (tmp_path / "e" / "nodes.csv").read_text().splitlines()
    assert nodes == ["id,kind,name,sources,origins,union_status,union_status_date",
                     "mine,Site,,ar,edits:e1,none,2019-05-01"]
    log = [json.loads(x) for x in (tmp_path / "e" / "log.jsonl").read_text().splitlines()]
    assert [(x["op"], x["id"]) for x in log] == [("record", "e1"), ("record", "e2"), ("undo", "e1"), ("redo", "e1")]
    assert all(x["user"] and x["time"] for x in log)
    assert log[0]["body"] == {"kind": "set_property", "target": "mine", "property": "union_status", "value": "none",
                              "date": "2019-05-01", "source": "ar"}
    # a new edit after an undo clears redo
    store.undo("e2")
    store.record(g, EDITS[1])
    with pytest.raises(EditConflict, match="nothing to redo"):
        store.redo()


def test_a_failed_write_leaves_the_folder_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "e"
    store = EditsStore(folder)
    store.record(acme_graph(), EDITS[1])
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    def boom(path: Path, text: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("exports.edits.atomic_write_text", boom)
    with pytest.raises(OSError):
        store.record(acme_graph(), EDITS[0])
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_tables_written_before_a_cut_short_log_write_are_remade_from_the_log(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from graphmodel.atomic import atomic_write_text

    folder = tmp_path / "e"
    store = EditsStore(folder)
    store.record(acme_graph(), EDITS[1])
    nodes = (folder / "nodes.csv").read_text()

    def tables_only(path: Path, text: str) -> None:
        if Path(path).name == "log.jsonl":
            raise OSError("power cut")
        atomic_write_text(path, text)

    monkeypatch.setattr("exports.edits.atomic_write_text", tables_only)
    with pytest.raises(OSError):
        store.record(acme_graph(), EDITS[0])
    monkeypatch.undo()
    assert (folder / "edges.csv").read_text().count("\n") == 2  # the tables hold the edit the log lacks
    assert store.heal() is True
    assert (folder / "edges.csv").read_text() == "id,source,target,kind,sources,origins\n"
    assert (folder / "nodes.csv").read_text() == nodes
    assert store.heal() is False


def test_the_store_touches_no_file_it_did_not_make_and_refuses_a_tables_folder(tmp_path: Path) -> None:
    folder = tmp_path / "e"
    folder.mkdir()
    (folder / "README.txt").write_text("my notes")
    EditsStore(folder).record(acme_graph(), EDITS[1])
    assert sorted(p.name for p in folder.iterdir()) == [".lock", "README.txt", "edges.csv", "log.jsonl", "nodes.csv",
                                                       "sources.csv"]
    assert (folder / "README.txt").read_text() == "my notes"
    export_graph(acme_graph(), "csv", tmp_path / "tables")
    with pytest.raises(CampaignGraphError, match=r"not an edits folder \(tables but no log.jsonl\)"):
        EditsStore(tmp_path / "tables")


def test_a_broken_log_line_is_named_by_file_and_row(tmp_path: Path) -> None:
    folder = tmp_path / "e"
    EditsStore(folder).record(acme_graph(), EDITS[1])
    with open(folder / "log.jsonl", "a", encoding="utf-8") as f:
        f.write('{"op": "undo", "id": "e9"}\n')
    with pytest.raises(CampaignGraphError) as e:
        EditsStore(folder).state()
    assert str(e.value).splitlines()[0].startswith(f"{folder / 'log.jsonl'}")
    assert "row 2" in str(e.value) or ":2" in str(e.value)


def test_a_locked_folder_is_a_clear_conflict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from filelock import FileLock

    folder = tmp_path / "e"
    store = EditsStore(folder)
    store.record(acme_graph(), EDITS[1])
    monkeypatch.setattr("exports.edits.LOCK_SECONDS", 0.1)
    with FileLock(str(folder / ".lock")), pytest.raises(EditConflict, match="locked by another process"):
        store.undo("e1")


def test_a_bad_edit_raises_one_line_without_the_value(tmp_path: Path) -> None:
    with pytest.raises(EditError) as e:
        EditsStore(tmp_path / "e").record(acme_graph(), {"kind": "set_property", "target": "sued",
                                                         "property": "workforce", "value": "secret-123",
                                                         "source": "ar"})
    assert str(e.value) == "workforce: not a whole number"
    assert not (tmp_path / "e" / "log.jsonl").exists()
