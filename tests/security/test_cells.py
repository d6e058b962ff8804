"""One cell sanitiser for every table a spreadsheet opens: control characters are handled before
the formula check, so a hidden ``\\x01`` never leaves a live formula (issue 17, case 10)."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from exports.cli.main import cli
from graphmodel.cells import FORMULA_TRIGGERS, cell_text
from graphmodel.graph import CampaignGraph
from graphmodel.records import Source
from graphmodel.stores.snapshot import save_snapshot
from loaders.tables import unquote_cell

PAYLOAD = "\x01=HYPERLINK(\"http://example.invalid\",\"x\")"


@given(st.text())
def test_no_cell_starts_a_formula_and_the_loader_gets_the_text_back(text: str) -> None:
    out = cell_text(text)
    assert not out.startswith(FORMULA_TRIGGERS)
    # what an XML writer keeps (control characters dropped) is no formula either
    assert not "".join(c for c in out if ord(c) >= 32 or c in "\t\r\n").startswith(FORMULA_TRIGGERS)
    assert unquote_cell(out) == text


@pytest.fixture
def snap(tmp_path: Path) -> Path:
    g = CampaignGraph()
    g.add_source(Source("s1", title="Fictional register"))
    g.add_node("acme", "Company", "Acme", sources=["s1"])
    g.add_node("sub", "Company", PAYLOAD, sources=["s1"])
    g.add_node("a", "Site", PAYLOAD, sources=["s1"], country="DE")
    g.add_edge("acme", "sub", "OWNS", sources=["s1"], share=100)
    g.add_edge("sub", "a", "OPERATES", sources=["s1"])
    out = tmp_path / "snap"
    save_snapshot(g, out)
    return out


def _cells_xlsx(path: Path) -> list[object]:
    wb = openpyxl.load_workbook(path)
    return [c.value for ws in wb for row in ws.iter_rows() for c in row]


@pytest.mark.parametrize("cmd", [["group", "{snap}", "Acme"], ["coverage", "{snap}", "--company", "Acme"]])
def test_group_and_coverage_xlsx_and_csv_hold_no_live_formula(snap: Path, tmp_path: Path, cmd: list[str]) -> None:
    args = [a.format(snap=snap) for a in cmd]
    for fmt in ("xlsx", "csv"):
        out = tmp_path / f"t.{fmt}"
        r = CliRunner().invoke(cli, [*args, "--format", fmt, "-o", str(out)])
        assert r.exit_code == 0, r.output
        if fmt == "xlsx":
            values = [v for v in _cells_xlsx(out) if isinstance(v, str)]
            wb = openpyxl.load_workbook(out)
            assert not any(c.data_type == "f" for ws in wb for row in ws.iter_rows() for c in row)
        else:
            with out.open(newline="", encoding="utf-8-sig") as f:
                values = [v for row in csv.reader(f) for v in row]
        # quoted before anything else: XLSX drops the control character, CSV keeps it (exact round trip)
        kept = "'=HYPERLINK" if fmt == "xlsx" else "'\x01=HYPERLINK"
        assert kept + "(\"http://example.invalid\",\"x\")" in values
        assert not any(v.lstrip("\x00\x01 ").startswith("=") for v in values)
