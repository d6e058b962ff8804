"""Issue 17 case 9: a snapshot edited with its hashes recomputed is read like any input.

Each test rewrites one table of a good snapshot with pyarrow, recomputes the file's sha256
and row count in the manifest (so the hash check passes), and expects the snapshot to be
refused on opening with one line naming the file and the column. Fixture facts are
fictional ("Acme Steel", "Site A").
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from exports.cli.main import cli
from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.records import Source
from graphmodel.stores.snapshot import load_snapshot, save_snapshot


def good_graph() -> CampaignGraph:
    g = CampaignGraph()
    g.add_source(Source("s1", title="Fictional notes", licence="CC0"))
    g.add_node("acme", "Company", "Acme Steel AG", sources=["s1"], country="DE", status="active")
    g.add_node("site-a", "Site", "Site A", sources=["s1"], workforce=3, lat=50.5, lon=7.25, status="operating",
               union_status_date="2024-01-01")
    g.add_node("u1", "Union", "Union of Site A workers", level="local")
    g.add_node("p1", "Person", "Pat Example", role="organiser")
    g.add_edge("acme", "site-a", "OPERATES", share=100.0, sources=["s1"])
    g.add_edge("u1", "site-a", "REPRESENTS", members=2)
    g.add_edge("p1", "u1", "HOLDS_ROLE", role="organiser")
    return g


def tamper(folder: Path, name: str, edit: Callable[[pa.Table], pa.Table]) -> Path:
    """Rewrite the ``name`` table with ``edit`` and recompute its hash and rows in the manifest."""
    mpath = folder / "manifest.json"
    manifest = json.loads(mpath.read_text())
    entry = manifest["files"][name]
    old = folder / entry["path"]
    table = edit(pq.read_table(old))
    old.unlink()
    pq.write_table(table, old)
    data = old.read_bytes()
    entry["sha256"] = hashlib.sha256(data).hexdigest()
    entry["bytes"], entry["rows"] = len(data), table.num_rows
    mpath.write_text(json.dumps(manifest))
    return old


def set_column(column: str, values: list, type_: pa.DataType | None = None) -> Callable[[pa.Table], pa.Table]:
    def edit(t: pa.Table) -> pa.Table:
        arr = pa.array(values, type=type_)
        if column in t.column_names:
            return t.set_column(t.column_names.index(column), column, arr)
        return t.append_column(column, arr)

    return edit


def cell(column: str, row_id: str, value: object, type_: pa.DataType | None = None) -> Callable[[pa.Table], pa.Table]:
    """Set one cell (the row with id ``row_id``), keeping the column's other values."""

    def edit(t: pa.Table) -> pa.Table:
        ids = t.column("id").to_pylist()
        old = t.column(column).to_pylist() if column in t.column_names else [None] * len(ids)
        new = [value if i == row_id else v for i, v in zip(ids, old)]
        typ = type_ or (t.column(column).type if column in t.column_names else None)
        if typ is not None and pa.types.is_dictionary(typ):
            typ = typ.value_type
        return set_column(column, new, typ)(t)

    return edit


@pytest.fixture
def snap(tmp_path: Path) -> Path:
    folder = tmp_path / "snap"
    save_snapshot(good_graph(), folder)
    return folder


def refused(folder: Path) -> CampaignGraphError:
    with pytest.raises(CampaignGraphError) as e:
        load_snapshot(folder)
    return e.value


def test_workforce_stored_as_text_is_refused_naming_file_and_column(snap: Path) -> None:
    # the case: workforce as strings, hashes recomputed; "3" is a small count that
    # redaction must drop, and as text it escaped the people_count rule
    path = tamper(snap, "nodes", lambda t: t.set_column(
        t.column_names.index("workforce"), "workforce", pc_cast_str(t.column("workforce"))))
    err = refused(snap)
    assert err.file == str(path) and err.column == "workforce"
    assert "string" in err.message and "int" in err.message
    assert str(err).startswith(f"{path}: column workforce: ")


def pc_cast_str(col: pa.ChunkedArray) -> pa.ChunkedArray:
    return col.cast(pa.string())


@pytest.mark.parametrize("command", [
    ["info", "{snap}"],
    ["coverage", "{snap}"],
    ["snapshot", "{snap}", "--redact", "-o", "{out}"],
])
def test_tampered_snapshot_is_one_line_exit_1_in_info_coverage_and_redact(
    snap: Path, tmp_path: Path, command: list[str]
) -> None:
    path = tamper(snap, "nodes", lambda t: t.set_column(
        t.column_names.index("workforce"), "workforce", pc_cast_str(t.column("workforce"))))
    args = [a.format(snap=snap, out=tmp_path / "out") for a in command]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 1, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.output
    assert str(path) in lines[0] and "column workforce" in lines[0]
    assert "validation: ok" not in res.stdout
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", [
    ["info", "{snap}"],
    ["map", "{snap}", "-o", "{out}.html"],
    ["export", "{snap}", "--format", "csv", "-o", "{out}"],
    ["export", "{snap}", "--format", "xlsx", "-o", "{out}.xlsx"],
])
def test_node_kind_outside_the_schema_is_refused(snap: Path, tmp_path: Path, command: list[str]) -> None:
    path = tamper(snap, "nodes", cell("kind", "u1", "Spaceship", pa.string()))
    err = refused(snap)
    assert (err.file, err.column) == (str(path), "kind") and "Spaceship" in err.message
    res = CliRunner().invoke(cli, [a.format(snap=snap, out=tmp_path / "out") for a in command])
    assert res.exit_code == 1, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and "column kind" in lines[0]
    assert not list(tmp_path.glob("out*"))


#: each node's row in the nodes file (the file is sorted by id); checked by test_rows_are_the_nodes_file_order
ROW = {"acme": 0, "p1": 1, "site-a": 2, "u1": 3}


def test_rows_are_the_nodes_file_order(snap: Path) -> None:
    manifest = json.loads((snap / "manifest.json").read_text())
    nodes = pq.read_table(snap / manifest["files"]["nodes"]["path"])
    edges = pq.read_table(snap / manifest["files"]["edges"]["path"])
    assert nodes.column("id").to_pylist() == list(ROW)
    assert edges.column_names[:4] == ["id", "source_row", "target_row", "kind"]
    # edges sorted by id: HOLDS_ROLE p1->u1, OPERATES acme->site-a, REPRESENTS u1->site-a
    assert edges.column("source_row").to_pylist() == [ROW["p1"], ROW["acme"], ROW["u1"]]
    assert edges.column("target_row").to_pylist() == [ROW["u1"], ROW["site-a"], ROW["site-a"]]


def test_a_snapshot_whose_edges_name_their_ends_by_id_still_opens(snap: Path) -> None:
    # snapshots written before the rows layout hold source / target ids; they open the same
    ids = list(ROW)

    def to_ids(t: pa.Table) -> pa.Table:
        for end in ("source", "target"):
            i = t.column_names.index(f"{end}_row")
            t = t.set_column(i, end, pa.array([ids[r] for r in t.column(f"{end}_row").to_pylist()]))
        return t

    tamper(snap, "edges", to_ids)
    assert load_snapshot(snap) == good_graph()
    assert load_snapshot(snap, columnar=False) == good_graph()


def test_an_id_layout_edge_to_a_missing_node_is_refused(snap: Path) -> None:
    ids = list(ROW)

    def to_ids(t: pa.Table) -> pa.Table:
        ends = {end: [ids[r] for r in t.column(f"{end}_row").to_pylist()] for end in ("source", "target")}
        ends["target"][1] = "ghost"
        for end in ("source", "target"):
            t = t.set_column(t.column_names.index(f"{end}_row"), end, pa.array(ends[end]))
        return t

    path = tamper(snap, "edges", to_ids)
    err = refused(snap)
    assert (err.file, err.column) == (str(path), "target") and "not in the snapshot" in err.message


# (table, edit, column refused): each is a value CampaignGraph.add_node / add_edge refuses
BAD = {
    "share over 100": ("edges", cell("share", "OPERATES:acme->site-a", 150.0), "share"),
    "NaN share": ("edges", cell("share", "OPERATES:acme->site-a", math.nan), "share"),
    "NaN latitude": ("nodes", cell("lat", "site-a", math.nan), "lat"),
    "latitude 95": ("nodes", cell("lat", "site-a", 95.0), "lat"),
    "longitude -181": ("nodes", cell("lon", "site-a", -181.0), "lon"),
    "site status outside its vocabulary": ("nodes", cell("status", "site-a", "exploded"), "status"),
    "union level outside its vocabulary": ("nodes", cell("level", "u1", "galactic"), "level"),
    "date that is not a date": ("nodes", cell("union_status_date", "site-a", "tomorrow"), "union_status_date"),
    "workforce on a Company": ("nodes", cell("workforce", "acme", 5), "workforce"),
    "unknown source id": ("nodes", cell("sources", "acme", ["s1", "nowhere"]), "sources"),
    "id with a BEL character": ("nodes", cell("id", "u1", "u1\x07"), "id"),
    "edge kind outside the schema": ("edges", cell("kind", "OPERATES:acme->site-a", "BRIBES", pa.string()), "kind"),
    "OWNS to a Site": ("edges", cell("kind", "OPERATES:acme->site-a", "OWNS", pa.string()), "target_row"),
    # the edges file names each end by its row in the nodes file (ROW)
    "OWNS from a Site": ("edges", lambda t: cell("target_row", "OPERATES:acme->site-a", ROW["acme"])(
        cell("source_row", "OPERATES:acme->site-a", ROW["site-a"])(
            cell("kind", "OPERATES:acme->site-a", "OWNS", pa.string())(t))), "source_row"),
    "edge end not a node": ("edges", cell("target_row", "OPERATES:acme->site-a", len(ROW)), "target_row"),
    "edge end below row 0": ("edges", cell("source_row", "OPERATES:acme->site-a", -1), "source_row"),
    "edge end missing": ("edges", cell("target_row", "OPERATES:acme->site-a", None), "target_row"),
    "edge end as text": ("edges", set_column("source_row", ["0", "3", "1"], pa.string()), "source_row"),
    "self-loop": ("edges", cell("target_row", "OPERATES:acme->site-a", ROW["acme"]), "target_row"),
    "confidential as text": ("sources", cell("confidential", "s1", "no", pa.string()), "confidential"),
    "share as text": ("edges", cell("share", "OPERATES:acme->site-a", "100", pa.string()), "share"),
    "unknown property": ("nodes", cell("favourite_colour", "acme", "red", pa.string()), "favourite_colour"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_each_bad_value_is_refused_with_its_column(snap: Path, case: str) -> None:
    table, edit, column = BAD[case]
    path = tamper(snap, table, edit)
    err = refused(snap)
    assert (err.file, err.column) == (str(path), column), str(err)


def test_secret_values_are_not_echoed(snap: Path) -> None:
    # the message names the column, never the cell (it may be sensitive)
    tamper(snap, "nodes", cell("status", "site-a", "secret-canary-42"))
    assert "secret-canary-42" not in str(refused(snap))


def test_the_good_snapshot_still_opens_in_both_modes(snap: Path) -> None:
    want = good_graph()
    assert load_snapshot(snap) == want
    assert load_snapshot(snap, columnar=False) == want


def _split(tmp_path: Path) -> Path:
    from exports.redact import redact

    folder = tmp_path / "split"
    g = good_graph()
    save_snapshot(g, folder, public=redact(g))
    return folder


def _tamper_sensitive(folder: Path, element: str, prop: str, value: str) -> Path:
    """Set the JSON ``value`` of every ``element``/``prop`` statement; recompute the hash."""
    mpath = folder / "manifest.json"
    manifest = json.loads(mpath.read_text())
    entry = manifest["sensitive"]
    path = folder / entry["path"]
    t = pq.read_table(path)
    rows = t.to_pylist()
    hits = [r for r in rows if (r["element"], r["property"]) == (element, prop)]
    assert hits, (element, prop, rows)
    for r in hits:
        r["value"] = value
    table = pa.Table.from_pylist(rows, schema=t.schema)
    path.unlink()
    pq.write_table(table, path)
    data = path.read_bytes()
    entry["sha256"], entry["bytes"], entry["rows"] = hashlib.sha256(data).hexdigest(), len(data), table.num_rows
    mpath.write_text(json.dumps(manifest))
    return path


@pytest.mark.parametrize(("element", "prop", "value", "column"), [
    ("edge", "members", '"many"', None),  # members as text: the type does not fit
    ("node", "role", "7", None),  # a Person's role as a number
    ("edge", "members", "-3", "members"),  # a count of people below 0
])
def test_a_split_snapshots_sensitive_file_is_checked_too(tmp_path: Path, element: str, prop: str, value: str,
                                                         column: str | None) -> None:
    folder = _split(tmp_path)
    assert load_snapshot(folder) == good_graph()
    path = _tamper_sensitive(folder, element, prop, value)
    err = refused(folder)
    assert err.file == str(path) and err.column == column
    assert "sensitive file" in err.message or column is not None


def _kinds_as_dictionary(dictionary: list[str]) -> Callable[[pa.Table], pa.Table]:
    """The nodes' kind column re-encoded against ``dictionary`` (which may repeat or not use an entry)."""

    def edit(t: pa.Table) -> pa.Table:
        kinds = t.column("kind").to_pylist()
        indices = pa.array([dictionary.index(k) for k in kinds], pa.int32())
        arr = pa.DictionaryArray.from_arrays(indices, pa.array(dictionary))
        return t.set_column(t.column_names.index("kind"), "kind", arr)

    return edit


@pytest.mark.parametrize("dictionary", [
    ["Company", "Site", "Union", "Person", "Spaceship"],  # an entry no row uses is not a kind of the graph
    ["Company", "Company", "Site", "Union", "Person"],  # the same kind twice in the file's dictionary
])
def test_kind_dictionary_with_unused_or_repeated_entries_counts_each_kind_once(snap: Path,
                                                                               dictionary: list[str]) -> None:
    from graphmodel.stores.snapshot import check_snapshot

    tamper(snap, "nodes", _kinds_as_dictionary(dictionary))
    g = load_snapshot(snap)
    assert g == good_graph()
    want = {"Company": 1, "Person": 1, "Site": 1, "Union": 1}
    assert g.counts_by_kind()["nodes"] == want
    assert check_snapshot(snap)[2]["by_kind"]["nodes"] == want


def test_a_used_kind_outside_the_schema_in_the_dictionary_is_refused(snap: Path) -> None:
    def edit(t: pa.Table) -> pa.Table:
        kinds = ["Spaceship" if k == "Union" else k for k in t.column("kind").to_pylist()]
        return t.set_column(t.column_names.index("kind"), "kind", pa.array(kinds).dictionary_encode())

    path = tamper(snap, "nodes", edit)
    err = refused(snap)
    assert (err.file, err.column) == (str(path), "kind") and "Spaceship" in err.message
