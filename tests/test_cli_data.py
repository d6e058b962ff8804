"""The data commands of the CLI: load, info, find, validate, template; exit codes 0/1/2.

Fixtures are fictional ("Acme Steel", "Site A"), built by the loader tests' helpers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from exports.cli.main import cli
from tests.loaders.test_tables import broken_folder
from tests.loaders.test_workbook import broken_workbook

ROOT = Path(__file__).resolve().parents[1]
EXE = Path(sys.executable).parent / "campaign-graph"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed console script, as a user runs it."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run([str(EXE), *args], check=False, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def good_folder(d: Path) -> Path:
    d.mkdir()
    (d / "sources.csv").write_text("id,title,licence\ns1,Fictional notes,CC0\n")
    (d / "nodes.csv").write_text(
        "id,kind,name,former_names,sources\n"
        "acme,Company,Acme Steel AG,Acme Iron AG,s1\n"
        "acme-sub,Company,Acme Rolling GmbH,,s1\n"
        "site-a,Site,Site A,,s1\n"
    )
    (d / "edges.csv").write_text("source,target,kind,share,sources\nacme,acme-sub,OWNS,75,s1\nacme-sub,site-a,OPERATES,,s1\n")
    return d


def test_load_info_find_round_trip(runner: CliRunner, tmp_path: Path) -> None:
    data = good_folder(tmp_path / "data")
    snap = tmp_path / "snap"
    r = runner.invoke(cli, ["load", str(data), "-o", str(snap)])
    assert r.exit_code == 0, r.output
    assert f"loaded 3 nodes and 2 edges from 6 rows into {snap}" in r.output
    r = runner.invoke(cli, ["info", str(snap), "--format", "json"])
    assert r.exit_code == 0
    info = json.loads(r.output)
    assert {"nodes", "edges", "by_kind", "errors"} <= set(info)
    assert (info["nodes"], info["edges"], info["errors"]) == (3, 2, [])
    assert info["by_kind"] == {"nodes": {"Company": 2, "Site": 1}, "edges": {"OPERATES": 1, "OWNS": 1}}
    r = runner.invoke(cli, ["info", str(snap)])
    assert r.exit_code == 0 and "3 nodes, 2 edges, 1 sources" in r.output and "validation: ok" in r.output
    r = runner.invoke(cli, ["find", str(snap), "Acme Iron A.G."])
    assert r.exit_code == 0 and r.output == "acme\tCompany\tAcme Steel AG (matched former name)\n"
    r = runner.invoke(cli, ["find", str(snap), "Site A", "--kind", "site", "--format", "json"])
    assert json.loads(r.output)[0]["id"] == "site-a"
    r = runner.invoke(cli, ["find", str(snap), "Nothing Like It"])
    assert r.exit_code == 1


def test_validate_json_reports_spreadsheet_rows(runner: CliRunner, tmp_path: Path) -> None:
    wb = broken_workbook(tmp_path / "broken.xlsx")
    r = runner.invoke(cli, ["validate", str(wb), "--format", "json"])
    assert r.exit_code == 1
    out = json.loads(r.stdout)
    assert {"nodes", "edges", "by_kind", "errors"} <= set(out)
    assert out["nodes"] == 7 and out["edges"] == 3  # the agreement of type "treaty" loads as other
    rows = {(e["sheet"], e["row"], e["column"]) for e in out["errors"]}
    assert rows == {
        ("companies", 6, "Country (ISO code)"), ("agreements", 5, "Signed"),
        ("ownership", 4, "Company id"), ("ownership", 5, "Share %"),
    }
    assert out["warnings"] == [(f"{wb}:agreements:4: column 'Type': not one of cba, gfa, hs, efa, other "
                               "(nor a synonym): kept as other, the text in agreement_type_raw")]
    assert all(set(e) == {"file", "sheet", "row", "column", "message"} and e["file"] == str(wb) for e in out["errors"])
    good = good_folder(tmp_path / "good")
    r = runner.invoke(cli, ["validate", str(good)])
    assert r.exit_code == 0 and "no problems found" in r.output


def test_load_reports_bad_rows_and_keeps_good_ones(runner: CliRunner, tmp_path: Path) -> None:
    d = broken_folder(tmp_path / "data")
    r = runner.invoke(cli, ["load", str(d), "-o", str(tmp_path / "snap"), "--report", str(tmp_path / "report.json")])
    assert r.exit_code == 0
    assert "5 problem(s); 5 row(s) rejected" in r.stderr
    assert f"{d / 'nodes.csv'}: row 5: column kind: unknown node kind 'Factory'" in r.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert (report["rows_read"], report["rows_rejected"], len(report["errors"])) == (12, 5, 5)


def test_template_command(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "planner.xlsx"
    r = runner.invoke(cli, ["template", "-o", str(out)])
    assert r.exit_code == 0 and out.is_file()
    r = runner.invoke(cli, ["template", "-o", str(out)])
    assert r.exit_code == 1 and "file exists (use --force to overwrite)" in r.output
    assert runner.invoke(cli, ["template", "-o", str(out), "--force"]).exit_code == 0
    r = runner.invoke(cli, ["template", "-o", str(tmp_path / "planner.csv")])
    assert r.exit_code == 1 and ".xlsx" in r.output
    r = runner.invoke(cli, ["validate", str(out), "--format", "json"])
    assert r.exit_code == 0 and json.loads(r.output)["errors"] == []


def test_usage_errors_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(cli, ["load", str(tmp_path)]).exit_code == 2  # no -o
    assert runner.invoke(cli, ["no-such-command"]).exit_code == 2
    assert runner.invoke(cli, ["info", str(tmp_path), "--format", "yaml"]).exit_code == 2
    assert runner.invoke(cli, ["load", str(tmp_path / "missing"), "-o", str(tmp_path / "s")]).exit_code == 2


def test_every_command_has_help(runner: CliRunner) -> None:
    for cmd in ("load", "info", "find", "validate", "template"):
        r = runner.invoke(cli, [cmd, "--help"])
        assert r.exit_code == 0 and "Usage:" in r.output and len(r.output.splitlines()) > 4, cmd


# ---------------------------------------------------------------- the real console script
def test_real_process_strict_load_fails_on_one_line(tmp_path: Path) -> None:
    wb = broken_workbook(tmp_path / "broken.xlsx")
    r = run("load", str(wb), "-o", str(tmp_path / "snap"), "--strict")
    assert r.returncode == 1
    assert "Traceback" not in r.stderr and r.stdout == ""
    assert r.stderr.count("\n") == 1
    assert r.stderr.startswith(f"error: {wb}: sheet companies: row 6: column Country (ISO code): duplicate id")
    assert not (tmp_path / "snap").exists()


def test_real_process_exit_codes(tmp_path: Path) -> None:
    data = good_folder(tmp_path / "data")
    r = run("load", str(data), "-o", str(tmp_path / "snap"))
    assert r.returncode == 0, r.stderr
    r = run("info", str(tmp_path / "snap"), "--format", "json")
    assert r.returncode == 0 and json.loads(r.stdout)["nodes"] == 3
    r = run("info", str(tmp_path / "nowhere"))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr == f"error: {tmp_path / 'nowhere'}: snapshot folder does not exist\n"
    r = run("load", "-o", str(tmp_path / "x"))
    assert r.returncode == 2  # a usage error is one line too, naming the command's --help
    assert r.stderr == "error: Missing argument 'SOURCES...'. (see 'campaign-graph load --help')\n"


def test_os_errors_are_one_line_user_errors(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from graphmodel.stores import snapshot as snap

    def full(path, data):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(snap, "atomic_write_bytes", full)
    r = runner.invoke(cli, ["load", str(good_folder(tmp_path / "data")), "-o", str(tmp_path / "snap")])
    assert r.exit_code == 1 and r.output.startswith("error: No space left on device: ") and r.output.count("\n") == 1


def test_loading_twice_gives_the_same_snapshot_and_the_snapshot_equals_the_load(runner: CliRunner, tmp_path: Path) -> None:
    from graphmodel.stores.snapshot import load_snapshot, read_manifest
    from loaders.registry import load_paths

    data = good_folder(tmp_path / "data")
    for name in ("a", "b"):
        assert runner.invoke(cli, ["load", str(data), "-o", str(tmp_path / name)]).exit_code == 0
    assert read_manifest(tmp_path / "a")["content_hash"] == read_manifest(tmp_path / "b")["content_hash"]
    g, _ = load_paths([data])
    assert load_snapshot(tmp_path / "a") == g


def test_workbook_rows_may_cite_sources_from_another_input(runner: CliRunner, tmp_path: Path) -> None:
    import openpyxl

    data = good_folder(tmp_path / "data")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "sites"
    ws.append(["Site id", "Name", "Operator id", "Sources (ids, ; separated)"])
    ws.append(["site-b", "Site B", "acme", "s1"])
    wb.save(tmp_path / "plan.xlsx")
    r = runner.invoke(cli, ["validate", str(data), str(tmp_path / "plan.xlsx"), "--format", "json"])
    out = json.loads(r.output)
    assert r.exit_code == 0 and out["errors"] == []
    assert out["by_kind"]["nodes"] == {"Company": 2, "Site": 2} and out["by_kind"]["edges"]["OPERATES"] == 2


def test_progress_callback_drives_a_bar() -> None:
    from exports.cli.common import progress

    with progress("loading", enabled=True) as update:
        update(5000, 10000)
        update(10000, 10000)
    with progress("loading", enabled=False) as update:
        assert update(1, 2) is None


def test_strict_csv_load_is_one_line_exit_1(runner: CliRunner, tmp_path: Path) -> None:
    d = broken_folder(tmp_path / "data")
    r = runner.invoke(cli, ["load", str(d), "-o", str(tmp_path / "snap"), "--strict"])
    assert r.exit_code == 1 and r.output.count("\n") == 1 and "Traceback" not in r.output
    from graphmodel.schema import NODE_KINDS

    known = ", ".join(NODE_KINDS)
    assert r.output == f"error: {d / 'nodes.csv'}: row 5: column kind: unknown node kind 'Factory' (known: {known})\n"
    assert not (tmp_path / "snap").exists()
