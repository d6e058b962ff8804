"""Research added to a snapshot (issue 21): ``load SNAPSHOT NEW_SOURCES -o OUT``, ``validate --against``,
``template --company --from`` and ``validate --format``.

The fixture group is fictional: Acme Holding AG owns Acme Steel GmbH (100 %), which operates Acme Works A (DE)
and Acme Works B (FR); Other Co operates Other Works C. A second record, ``co-acme-holding`` ("Acme Holding"),
is linked into ``acme-holding`` at load (same name up to the legal form; ``acme-holding`` is kept, it has the
OWNS edge: docs/semantics.md, loaders.linking). The researcher's workbook (fictional union, agreement and
notes) is the one a planner fills after ``template --company "Acme Holding" --from SNAPSHOT``.

Expected coverage, worked out from docs/semantics.md "Coverage semantics" as of 2026-06-01:
- before: nothing is recorded at either site: union_presence, recognition and cba are ``unknown`` (never
  ``not_covered`` without a source saying so), so neither site is uncovered;
- after: Works A is represented by the Metal Union, recognised (REPRESENTS recognised=yes, from 2020) ->
  union_presence and recognition ``covered``; the CBA cba-a (signed 2024-01-01, expires 2027-12-31, in force)
  COVERS Works A -> cba ``covered``; the union is a member of the Acme network whose company is the group's root
  (the workbook names it by the linked id ``co-acme-holding``) -> network ``covered``. Works B: the notes say
  there is no union (union_status none, dated) -> union_presence ``not_covered`` and so recognition
  ``not_covered``; no CBA recorded -> cba ``unknown``; uncovered (a default --require dimension is not covered).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from exports.cli.main import cli
from graphmodel.provenance import sources_of
from graphmodel.stores.snapshot import load_snapshot, read_manifest, save_snapshot
from loaders.registry import load_onto, load_paths
from queries.coverage import coverage
from tests.shared_data import SHARED_DATA

AS_OF = "2026-06-01"
DIMS = ("union_presence", "recognition", "cba")


def _csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    import csv

    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


@pytest.fixture()
def tables(tmp_path: Path) -> Path:
    return make_tables(tmp_path / "acme")


def make_tables(d: Path) -> Path:
    """The fictional group's table folder (module docstring)."""
    d.mkdir()
    _csv(d / "sources.csv", ["id", "title"], [["reg", "Company register extract (fictional test fixture)"]])
    _csv(d / "nodes.csv", ["id", "kind", "name", "sources", "country", "status"], [
        ["acme-holding", "Company", "Acme Holding AG", "reg", "DE", ""],
        ["co-acme-holding", "Company", "Acme Holding", "reg", "", ""],
        ["acme-steel", "Company", "Acme Steel GmbH", "reg", "DE", ""],
        ["other-co", "Company", "Other Co", "reg", "NL", ""],
        ["site-a", "Site", "Acme Works A", "reg", "DE", "operating"],
        ["site-b", "Site", "Acme Works B", "reg", "FR", "operating"],
        ["site-c", "Site", "Other Works C", "reg", "NL", "operating"],
    ])
    _csv(d / "edges.csv", ["source", "target", "kind", "sources", "share"], [
        ["acme-holding", "acme-steel", "OWNS", "reg", "100"],
        ["acme-steel", "site-a", "OPERATES", "reg", ""],
        ["acme-steel", "site-b", "OPERATES", "reg", ""],
        ["other-co", "site-c", "OPERATES", "reg", ""],
    ])
    return d


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def _ok(r):
    assert r.exit_code == 0, r.output
    return r


def _sheet_rows(ws) -> list[dict[str, object]]:
    head = [c.value for c in ws[1]]
    return [dict(zip(head, row)) for row in ws.iter_rows(min_row=3, values_only=True) if any(row)]


def _col(ws, header: str) -> int:
    return next(c.column for c in ws[1] if c.value == header)


def _fill(planner: Path) -> Path:
    """What a researcher writes into the pre-filled workbook (fictional facts, one source)."""
    wb = openpyxl.load_workbook(planner)
    wb["sources"].append(["notes", "Interview notes (fictional test fixture)", "", "", "", "2026-05-01", "", "yes"])
    sites = wb["sites"]
    b = next(r for r in range(3, sites.max_row + 1) if sites.cell(r, 1).value == "site-b")
    sites.cell(b, _col(sites, "Union status")).value = "none"
    sites.cell(b, _col(sites, "Union status date")).value = "2026-05-01"
    sites.cell(b, _col(sites, "Sources (ids, ; separated)")).value = "notes"
    wb["unions"].append(["u-metal", "Metal Union (fictional)", "local", "DE", "", "", "", "notes"])
    wb["representation"].append(["u-metal", "site-a", "", "yes", "", "2020-01-01", "", "notes"])
    wb["agreements"].append(["cba-a", "Works A agreement (fictional)", "cba", "2024-01-01", "2027-12-31", "", "", "",
                             "", "notes"])
    wb["coverage"].append(["cba-a", "site-a", "", "", "", "notes"])
    wb["signatories"].append(["acme-steel", "cba-a", "employer", "", "", "notes"])
    wb["signatories"].append(["u-metal", "cba-a", "union", "", "", "notes"])
    wb["networks"].append(["net-acme", "Acme union network (fictional)", "co-acme-holding", "", "", "notes"])
    wb["network members"].append(["u-metal", "net-acme", "", "", "notes"])
    wb.save(planner)
    return planner


def facts(graph) -> dict:
    """``graph.canonical()`` with the unioned lists (sources, origins, aliases, linked ids, value pins) as sorted
    lists: sets of provenance whose order says when linking ran. A fresh load links once, after every row; a
    snapshot was linked before the new rows came, so on a company that linking folded a record into and a new
    row restates, ``origins`` reads [own, linked record's, new row's] rather than [own, new row's, linked
    record's]. Every value, every source of it and every row it came from are the same."""
    from graphmodel.graph import _UNION_LISTS

    c = graph.canonical()
    for what in ("nodes", "edges"):
        c[what] = [{p: sorted(v) if p in _UNION_LISTS | {"linked_ids"} and isinstance(v, list) else v
                    for p, v in rec.items()} for rec in c[what]]
    return c


def _values(graph, root: str) -> dict[str, tuple]:
    df = coverage(graph, root, as_of=AS_OF)
    return {s: (*(row[d] for d in DIMS), bool(row["uncovered"])) for s, (_, row) in zip(df["site_id"], df.iterrows())}


def test_template_round_trip_changes_coverage_as_the_filled_facts_say(runner: CliRunner, tables: Path,
                                                                       tmp_path: Path) -> None:
    snap, planner, new = tmp_path / "snap", tmp_path / "planner.xlsx", tmp_path / "snap2"
    _ok(runner.invoke(cli, ["load", str(tables), "-o", str(snap)]))
    r = _ok(runner.invoke(cli, ["template", "--company", "Acme Holding", "--from", str(snap), "--as-of", AS_OF,
                                "-o", str(planner)]))
    assert "2 site(s) of Acme Holding AG's group [acme-holding] and 2 companies" in r.output
    wb = openpyxl.load_workbook(planner)
    sites = _sheet_rows(wb["sites"])
    # country then name order; the union and CBA columns empty; the operator restates its OPERATES edge
    assert [(s["Site id"], s["Name"], s["Operator id"], s["Country (ISO code)"], s["Union status"], s["CBA status"])
            for s in sites] == [("site-a", "Acme Works A", "acme-steel", "DE", None, None),
                                ("site-b", "Acme Works B", "acme-steel", "FR", None, None)]
    assert wb["sites"].cell(3, _col(wb["sites"], "Operator id")).comment.text == "operator: Acme Steel GmbH"
    assert [(c["Company id"], c["Name"], c["Country (ISO code)"]) for c in _sheet_rows(wb["companies"])] == [
        ("acme-holding", "Acme Holding AG", "DE"), ("acme-steel", "Acme Steel GmbH", "DE")]
    before = load_snapshot(snap)
    assert _values(before, "acme-holding") == {
        "site-a": ("unknown", "unknown", "unknown", False), "site-b": ("unknown", "unknown", "unknown", False)}

    _fill(planner)
    r = _ok(runner.invoke(cli, ["validate", str(planner), "--against", str(snap)]))
    assert "no problems found" in r.output
    r = _ok(runner.invoke(cli, ["load", str(snap), str(planner), "-o", str(new)]))
    assert r.output.startswith(f"added 13 rows of 1 source(s) to {snap} (6 nodes, 4 edges): +3 nodes, +5 edges; "
                               f"wrote {new} (9 nodes, 9 edges)")
    after = load_snapshot(new)
    assert _values(after, "acme-holding") == {
        "site-a": ("covered", "covered", "covered", False), "site-b": ("not_covered", "not_covered", "unknown", True)}
    df = coverage(after, "acme-holding", as_of=AS_OF).set_index("site_id")
    assert df.loc["site-a", "network"] == "covered"
    assert after.node("net-acme")["company"] == "acme-holding"  # the linked id followed to the kept company
    # provenance: the researcher's value cites the notes, the register's values keep the register
    b = after.node("site-b")
    assert sources_of(b, "union_status") == ["notes"] and sources_of(b, "status") == ["reg"]
    assert b["sources"] == ["reg", "notes"]
    # a value the pre-filled row restates (the country) is then stated by the row's source too
    assert sources_of(b, "country") == ["reg", "notes"]
    # the old snapshot is untouched; the new one as a fresh save writes it (hash, validation, names)
    assert load_snapshot(snap) == before
    m = read_manifest(new)
    assert m["validation"]["problems"] == 0 and m["counts"]["nodes"] == 9 and "names" in m["files"]

    # the same through the coverage command
    r = _ok(runner.invoke(cli, ["coverage", str(new), "--company", "Acme Holding", "--as-of", AS_OF,
                                "--format", "json"]))
    rows = {x["site_id"]: x for x in json.loads(r.output)}
    assert (rows["site-b"]["union_presence"], rows["site-b"]["uncovered"]) == ("not_covered", True)


def test_incremental_load_equals_a_full_reload(tables: Path, tmp_path: Path) -> None:
    snap, planner = tmp_path / "snap", tmp_path / "planner.xlsx"
    graph, _ = load_paths([tables])
    save_snapshot(graph, snap)
    from exports.cli.template_cmds import group_rows
    from loaders.workbook import write_template

    write_template(planner, group_rows(graph, "acme-holding", as_of=AS_OF))
    _fill(planner)
    added, ctx = load_onto(load_snapshot(snap), [planner])
    full, fctx = load_paths([tables, planner])
    assert ctx.errors == [] and fctx.errors == []
    assert facts(added) == facts(full)
    # only the order of acme-holding's origins differs (see facts): its template row came after linking
    a, f = added.canonical()["nodes"], full.canonical()["nodes"]
    assert [x["id"] for x, y in zip(a, f) if x != y] == ["acme-holding"]
    assert {**a[0], "origins": None} == {**f[0], "origins": None}


def test_validate_against_a_snapshot_knows_its_ids(runner: CliRunner, tables: Path, tmp_path: Path) -> None:
    snap, wb_path = tmp_path / "snap", tmp_path / "plain.xlsx"
    _ok(runner.invoke(cli, ["load", str(tables), "-o", str(snap)]))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "unions"
    ws.append(["Union id", "Name"])
    ws.append(["u-1", "Union One (fictional)"])
    rep = wb.create_sheet("representation")
    rep.append(["Union id", "Site or company id"])
    rep.append(["u-1", "site-a"])  # the snapshot's site
    rep.append(["u-1", "co-acme-holding"])  # an id linked at load into acme-holding
    rep.append(["u-1", "site-z"])  # in neither
    wb.save(wb_path)
    alone = runner.invoke(cli, ["validate", str(wb_path)])
    assert alone.exit_code == 1
    assert f"{wb_path}: sheet representation: row 2: column Site or company id: REPRESENTS edge target 'site-a'" \
        in alone.output
    against = runner.invoke(cli, ["validate", str(wb_path), "--against", str(snap)])
    assert against.exit_code == 1
    problems = [line for line in against.output.splitlines() if line.startswith("  ")]
    assert problems == [(f"  {wb_path}: sheet representation: row 4: column Site or company id: REPRESENTS edge "
                         "target 'site-z' is not a node in the graph")]
    assert against.output.startswith(f"1 nodes and 2 edges would be added to {snap} (then 7 nodes, 6 edges)")
    j = json.loads(runner.invoke(cli, ["validate", str(wb_path), "--against", str(snap), "--format", "json"]).output)
    assert (j["nodes"], j["edges"], j["by_kind"], j["against"]["nodes"]) == (
        1, 2, {"nodes": {"Union": 1}, "edges": {"REPRESENTS": 2}}, 7)
    assert [(e["sheet"], e["row"], e["column"]) for e in j["errors"]] == [("representation", 4, "Site or company id")]


def test_validate_format_names_the_sources_format_as_load_does(runner: CliRunner, tables: Path) -> None:
    # 7 records, 6 nodes: co-acme-holding is linked into acme-holding
    r = runner.invoke(cli, ["validate", str(tables), "--format", "tables", "--format", "json"])
    assert r.exit_code == 0 and json.loads(r.output)["nodes"] == 6
    r = runner.invoke(cli, ["validate", str(tables), "--format", "tables"])
    assert r.exit_code == 0 and r.output.startswith("6 nodes and 4 edges would load")
    # a source format the files are not in: the loader for it is used, as load --format does
    r = runner.invoke(cli, ["validate", str(tables), "--format", "workbook"])
    assert r.exit_code == 1
    # the old name works, hidden from --help, with a note
    r = runner.invoke(cli, ["validate", str(tables), "--source-format", "tables", "--format", "json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["nodes"] == 6
    assert "--source-format is deprecated: say --format" in r.stderr
    assert "--source-format" not in runner.invoke(cli, ["validate", "--help"]).output
    r = runner.invoke(cli, ["validate", str(tables), "--format", "tables", "--format", "gem-coal"])
    assert r.exit_code == 2 and "at most one source format" in r.output
    # the same names for the sources' formats as load's --format, and the report's two
    from exports.cli.data_cmds import load, validate

    load_fmt = next(p for p in load.params if p.name == "fmt")
    validate_fmt = next(p for p in validate.params if p.name == "formats")
    assert load_fmt.opts == validate_fmt.opts == ["--format"]
    assert set(validate_fmt.type.choices) == {*load_fmt.type.choices, "text", "json"}


def test_load_onto_a_snapshot_refuses_what_it_cannot_do(runner: CliRunner, tables: Path, tmp_path: Path) -> None:
    snap = tmp_path / "snap"
    _ok(runner.invoke(cli, ["load", str(tables), "-o", str(snap)]))
    files = sorted(p.name for p in snap.iterdir())
    r = runner.invoke(cli, ["load", str(snap), str(tables), "-o", str(snap)])
    assert r.exit_code == 1 and "-o names the snapshot being added to" in r.output
    r = runner.invoke(cli, ["load", str(snap), "-o", str(tmp_path / "x")])
    assert r.exit_code == 1 and "give the sources to add after the snapshot" in r.output
    r = runner.invoke(cli, ["load", str(tables), str(snap), "-o", str(tmp_path / "x")])
    assert r.exit_code == 1 and "a snapshot can only come first" in r.output
    assert sorted(p.name for p in snap.iterdir()) == files and not (tmp_path / "x").exists()
    # --strict: the first bad row fails the load and writes nothing
    bad = tmp_path / "bad.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "representation"
    wb.active.append(["Union id", "Site or company id"])
    wb.active.append(["nobody", "site-a"])
    wb.save(bad)
    r = runner.invoke(cli, ["load", str(snap), str(bad), "-o", str(tmp_path / "y"), "--strict"])
    assert r.exit_code == 1 and "REPRESENTS edge source 'nobody' is not a node" in r.output
    assert not (tmp_path / "y").exists() and "Traceback" not in r.output


def test_adding_to_a_snapshot_keeps_its_settings_and_its_split(runner: CliRunner, tables: Path, tmp_path: Path) -> None:
    snap, split, out = tmp_path / "snap", tmp_path / "split", tmp_path / "out"
    _ok(runner.invoke(cli, ["load", str(tables), "-o", str(snap), "--us", "Other Co"]))
    _ok(runner.invoke(cli, ["snapshot", str(snap), "-o", str(split), "--split-sensitive"]))
    wb = tmp_path / "w.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "sites"
    book.active.append(["Site id", "Name", "Workforce", "Notes (confidential)"])
    book.active.append(["site-a", "Acme Works A", "120", "met the works council (fictional)"])
    book.save(wb)
    r = _ok(runner.invoke(cli, ["load", str(split), str(wb), "-o", str(out)]))
    assert "your organisation (never scored as a lever): Other Co [other-co]" in r.output
    m = read_manifest(out)
    assert m["settings"] == {"us": ["other-co"]} and isinstance(m.get("sensitive"), dict)
    a = load_snapshot(out).node("site-a")
    assert (a["workforce"], a["notes"]) == (120, "met the works council (fictional)")
    # without its sensitive file the folder loads as the public part: no notes
    (out / m["sensitive"]["path"]).unlink()
    a = load_snapshot(out).node("site-a")
    assert a["workforce"] == 120 and "notes" not in a


@pytest.mark.skipif(not (SHARED_DATA / "gem-coal-mines-2024-05-22.csv").exists(), reason="real data not shipped")
def test_real_files_plus_a_workbook_equal_a_full_reload(runner: CliRunner, tmp_path: Path) -> None:
    """The real GEM files and agreements table (README), then a workbook: the template's thyssenkrupp rows as
    written (restating the snapshot), a fictional company, site and union, and a row naming the agreements
    table's ``co-arcelormittal``, which linking folded into ``E100000000687``. No fact about a real entity is
    added: only fictional nodes and restatements."""
    files = [SHARED_DATA / f for f in ("gem-iron-steel-plants-2025-03-25.csv", "gem-iron-steel-units-2025-03-18.csv",
                                       "gem-iron-ore-mines-2024-11.xlsx", "gem-coal-mines-2024-05-22.csv",
                                       "agreements/agreements.csv")]
    snap, planner, new = tmp_path / "real", tmp_path / "planner.xlsx", tmp_path / "real2"
    _ok(runner.invoke(cli, ["load", *map(str, files), "-o", str(snap)]))
    r = _ok(runner.invoke(cli, ["template", "--company", "thyssenkrupp", "--from", str(snap), "--as-of", "2026-12-01",
                                "-o", str(planner)]))
    assert "3 site(s) of thyssenkrupp AG's group [E100000004212]" in r.output
    wb = openpyxl.load_workbook(planner)
    assert {s["Site id"]: s["Operator id"] for s in _sheet_rows(wb["sites"])} == {
        "P100000120421": "E100001000542", "P100000120422": "E100000003277", "P100000120630": "E100001010325"}
    wb["sources"].append(["fx", "Fictional test fixture"])
    wb["companies"].append(["fx-co", "Fictional Example Steel GmbH", "DE", "", "", "", "", "", "", "", "", "", "fx"])
    wb["sites"].append(["fx-site", "Fictional Example Works", "fx-co", "", "", "", "DE", "", "", "", "", "", "", "",
                        "", "", "", "", "fx"])
    wb["unions"].append(["fx-union", "Fictional Example Union", "local", "DE", "", "", "", "fx"])
    wb["representation"].append(["fx-union", "fx-site", "", "yes", "", "", "", "fx"])
    wb["signatories"].append(["co-arcelormittal", "arcelormittal-2008-hs", "employer"])  # restates the agreements table
    wb.save(planner)
    _ok(runner.invoke(cli, ["validate", str(planner), "--against", str(snap)]))
    r = _ok(runner.invoke(cli, ["load", str(snap), str(planner), "-o", str(new)]))
    assert ": +3 nodes, +2 edges; " in r.output
    full, ctx = load_paths([*files, planner])
    assert ctx.errors == []
    assert facts(load_snapshot(new)) == facts(full)
    shutil.rmtree(snap)
