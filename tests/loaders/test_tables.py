"""The generic table format (nodes.csv / edges.csv / sources.csv), broken and whole.

Fixtures are fictional ("Acme Steel", "Site A").
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from graphmodel.errors import CampaignGraphError
from loaders.registry import guess_format, load_paths

NODES = """id,kind,name,country,workforce,aliases,sources
acme,Company,Acme Steel AG,DE,,Acme;Acme Group,s1
acme-sub,Company,Acme Rolling GmbH,DE,,,
site-a,Site,Site A,DE,1200,,s1
x,Factory,Unknown kind thing,,,,
acme,Company,Acme Steel AG,FR,,,
acme-jv,Company,Acme JV Ltd,ZA,,,
"""
EDGES = """source,target,kind,share,valid_from,valid_to,sources
acme,acme-sub,OWNS,75,2010,,s1
acme,ghost,OWNS,10,,,
acme,acme-jv,OWNS,150,,,
acme-sub,site-a,OPERATES,,2011-13-45,,
acme,acme-jv,OWNS,50,,2019-06,
"""
SOURCES = """id,title,publisher,url,retrieved,licence
s1,Fictional field notes,Nobody,https://example.org/notes,2024-05-01,CC0
"""

EXPECTED = {
    ("nodes.csv", 5, "kind", "unknown node kind 'Factory'"),
    ("nodes.csv", 6, "country", "duplicate id 'acme' with a different value for country"),
    ("edges.csv", 3, "target", "'ghost' is not a node"),
    ("edges.csv", 4, "share", "percentage outside 0-100"),
    ("edges.csv", 5, "valid_from", "not a date"),
}


def broken_folder(d: Path) -> Path:
    d.mkdir(exist_ok=True)
    (d / "nodes.csv").write_text(NODES, encoding="utf-8")
    (d / "edges.csv").write_text(EDGES, encoding="utf-8")
    (d / "sources.csv").write_text(SOURCES, encoding="utf-8")
    return d


def test_broken_tables_report_every_error_at_file_row_column(tmp_path: Path) -> None:
    d = broken_folder(tmp_path / "data")
    assert guess_format(d) == "tables"
    g, ctx = load_paths([d])
    got = {(Path(e.file).name, e.row, e.column, e.message) for e in ctx.errors}
    assert len(got) == len(EXPECTED) == len(ctx.errors)
    for f, row, col, text in EXPECTED:
        assert any(gf == f and gr == row and gc == col and text in m for gf, gr, gc, m in got), (f, row, col)
    assert set(g.node_ids()) == {"acme", "acme-sub", "site-a", "acme-jv"}
    assert g.node("acme")["country"] == "DE" and g.node("acme")["aliases"] == ["Acme", "Acme Group"]
    assert g.node("site-a")["workforce"] == 1200
    assert {k for k, *_ in g.edges()} == {"OWNS:acme->acme-sub@2010-01-01", "OWNS:acme->acme-jv"}
    assert g.edge("OWNS:acme->acme-jv")[2]["valid_to"] == "2019-06-30"
    assert g.sources["s1"].title == "Fictional field notes"
    s = ctx.summary()
    # 1 source + 6 node rows + 5 edge rows; loaded + rejected = rows in input
    assert (s["rows_read"], s["rows_rejected"]) == (12, 5)
    assert len(g.sources) + g.number_of_nodes() + g.number_of_edges() + s["rows_rejected"] == s["rows_read"]


def test_broken_tables_strict_stops_at_the_first_error(tmp_path: Path) -> None:
    d = broken_folder(tmp_path / "data")
    with pytest.raises(CampaignGraphError) as e:
        load_paths([d], strict=True)
    assert (Path(e.value.file).name, e.value.row, e.value.column) == ("nodes.csv", 5, "kind")


def test_same_tables_as_an_xlsx_give_the_same_graph_and_sheet_locations(tmp_path: Path) -> None:
    d = broken_folder(tmp_path / "data")
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name in ("sources", "nodes", "edges"):
        ws = wb.create_sheet(name)
        for line in (d / f"{name}.csv").read_text().splitlines():
            ws.append([c if c != "" else None for c in line.split(",")])
    x = tmp_path / "tables.xlsx"
    wb.save(x)
    assert guess_format(x) == "tables"
    gx, ctx = load_paths([x])
    gc, _ = load_paths([d])
    # same facts; only the origins (file:row) differ
    strip = lambda g: [{k: v for k, v in n.items() if k != "origins"} for n in g.canonical()["nodes"]]
    assert strip(gx) == strip(gc)
    assert {(e.sheet, e.row, e.column) for e in ctx.errors} == {
        ("nodes", 5, "kind"), ("nodes", 6, "country"), ("edges", 3, "target"), ("edges", 4, "share"), ("edges", 5, "valid_from"),
    }


def test_load_is_idempotent_and_provenance_carries_file_and_row(tmp_path: Path) -> None:
    d = broken_folder(tmp_path / "data")
    a, _ = load_paths([d])
    b, _ = load_paths([d])
    assert a == b and a.content_hash() == b.content_hash()
    assert a.node("site-a")["origins"] == [f"{d / 'nodes.csv'}:4"]
    assert a.edge("OWNS:acme->acme-sub@2010-01-01")[2]["sources"] == ["s1"]


def test_semicolon_cp1252_csv_and_unknown_columns(tmp_path: Path) -> None:
    d = tmp_path / "d"
    d.mkdir()
    (d / "nodes.csv").write_bytes("id;kind;name;colour\nsa;site;Usine Sàrl;blue\n".encode("cp1252"))
    g, ctx = load_paths([d])
    assert g.node("sa")["name"] == "Usine Sàrl" and g.kind_of("sa") == "Site"
    assert [(e.row, e.column) for e in ctx.errors] == [(1, "colour")]


def test_edge_with_unknown_source_id_and_property_of_wrong_kind(tmp_path: Path) -> None:
    d = tmp_path / "d"
    d.mkdir()
    (d / "nodes.csv").write_text("id,kind,name,workforce\nacme,Company,Acme,\ns,Site,Site A,\nc,Company,Bad Co,12\n")
    (d / "edges.csv").write_text("source,target,kind,sources\nacme,s,OPERATES,nowhere\n")
    g, ctx = load_paths([d])
    got = sorted((Path(e.file).name, e.row, e.column) for e in ctx.errors)
    assert got == [("edges.csv", 2, "sources")]
    assert "unknown source 'nowhere'" in next(e for e in ctx.errors if e.row == 2).message
    # a Company has no workforce: the cell is set aside with a warning, the row loads without it
    assert set(g.node_ids()) == {"acme", "s", "c"} and "workforce" not in g.node("c")
    assert ctx.warnings == [(f"{d / 'nodes.csv'}:4: column 'workforce': a Company has no property 'workforce'; "
                            "the cell is left out")]
    assert ctx.summary()["set_aside"] == [
        {"file": str(d / "nodes.csv"), "sheet": None, "row": 4, "column": "workforce", "kind": "Company", "value": "12"}
    ]


def test_mutated_cells_are_reported_exactly(tmp_path: Path) -> None:
    """docs/threats.md #10: mutate about 5% of cells; the report is exactly the injected set."""
    import random

    rnd = random.Random(20261125)
    d = tmp_path / "m"
    d.mkdir()
    node_rows = [["id", "kind", "name", "workforce", "lat", "status"]]
    node_rows += [[f"c{i}", "Company", f"Company {i}", "", "", ""] for i in range(40)]
    node_rows += [[f"s{i}", "Site", f"Site {i}", str(100 + i), f"{i / 10:.1f}", "operating"] for i in range(160)]
    edge_rows = [["source", "target", "kind", "share", "valid_from"]]
    edge_rows += [[f"c{i}", f"c{(i * 7 + 1) % 40}", "OWNS", str(i % 100), f"20{i % 25:02d}-01-01"] for i in range(40) if i != (i * 7 + 1) % 40]
    bad = {"workforce": "lots", "lat": "north", "status": "exploded", "share": "150", "valid_from": "31/31/2020"}
    injected: set[tuple[str, int, str]] = set()
    for fname, rows, cols in (("nodes.csv", node_rows, ("workforce", "lat", "status")), ("edges.csv", edge_rows, ("share", "valid_from"))):
        header = rows[0]
        for r in range(1, len(rows)):
            if rows[r][1] == "Company":
                continue
            if rnd.random() < 0.05 * len(header):  # about 5% of all cells, one per row at most
                col = rnd.choice(cols)
                rows[r][header.index(col)] = bad[col]
                injected.add((fname, r + 1, col))  # header is row 1
        (d / fname).write_text("\n".join(",".join(x) for x in rows) + "\n")
    assert 10 < len(injected) < 120
    g, ctx = load_paths([d])
    got = {(Path(e.file).name, e.row, e.column) for e in ctx.errors}
    # a status outside the vocabulary is no row error: the status is left unknown, with a warning
    statuses = {x for x in injected if x[2] == "status"}
    assert statuses and got == injected - statuses and len(ctx.errors) == len(injected - statuses)
    assert {("nodes.csv", a["row"], a["column"]) for a in ctx.set_aside} == statuses
    assert all("status" not in g.node(f"s{r - 42}") for _, r, _ in statuses)  # s0 is on row 42
    s = ctx.summary()
    assert s["rows_read"] == len(node_rows) + len(edge_rows) - 2
    assert g.number_of_nodes() + g.number_of_edges() + s["rows_rejected"] == s["rows_read"]


def test_stray_cell_at_xfd1048576_is_read_by_actual_rows(tmp_path: Path) -> None:
    """Issue 17 case 12: the sheet declares A1:XFD1048576; the rows actually stored are read."""
    from click.testing import CliRunner

    from exports.cli.main import cli
    from loaders.readers import read_xlsx

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "nodes"
    ws.append(["id", "kind", "name", "sources"])
    ws.append(["acme", "Company", "Acme Steel AG", "s1"])
    ws.append(["site-a", "Site", "Site A", "s1"])
    ws["XFD1048576"] = "stray"
    src = wb.create_sheet("sources")
    src.append(["id", "title"])
    src.append(["s1", "Fictional field notes"])
    x = tmp_path / "stray.xlsx"
    wb.save(x)
    assert x.stat().st_size < 8 * 1024
    nodes = read_xlsx(x)["nodes"]
    assert nodes.header == ["id", "kind", "name", "sources"]
    assert nodes.rows == [
        (2, {"id": "acme", "kind": "Company", "name": "Acme Steel AG", "sources": "s1"}),
        (3, {"id": "site-a", "kind": "Site", "name": "Site A", "sources": "s1"}),
    ]
    r = CliRunner().invoke(cli, ["validate", str(x), "--format", "json"])
    assert r.exit_code == 0, r.output
    import json

    out = json.loads(r.stdout)
    assert (out["nodes"], out["edges"], out["errors"]) == (2, 0, [])


def test_xlsx_rows_keep_spreadsheet_numbers_across_gaps(tmp_path: Path) -> None:
    """Without the declared dimension, gaps between stored rows still count: row 7 stays row 7."""
    from loaders.readers import read_xlsx

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "nodes"
    ws.append(["id", "kind", None, None])  # trailing empty header cells are dropped
    ws["A7"], ws["B7"], ws["Z7"] = "acme", "Company", "beyond the header"
    x = tmp_path / "gaps.xlsx"
    wb.save(x)
    t = read_xlsx(x)["nodes"]
    assert t.header == ["id", "kind"]
    assert t.rows == [(7, {"id": "acme", "kind": "Company"})]
