"""One cell sanitiser for every table a spreadsheet opens: control characters are handled before
the formula check, so a hidden ``\\x01`` never leaves a live formula (issue 17, case 10)."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from exports.cli.main import cli
from graphmodel.cells import FORMULA_TRIGGERS, cell_text, cell_texts
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


# the rule as the module documents it, step by step: control characters looked through (removed),
# then leading quotes, then a trigger first
_DOCUMENTED_CONTROL = "".join(map(chr, [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0xFFFE, 0xFFFF]))
_TRICKY = st.sampled_from(["=", "+", "-", "@", "\t", "\r", "\n", "'", "\x00", "\x01", "\x0b", "\x1f", "\x7f",
                           "\ufffe", "\uffff", " ", "a", "é", "€", "😀", ";", ","])


def _documented(text: str) -> str:
    looked_through = "".join(c for c in text if c not in _DOCUMENTED_CONTROL).lstrip("'")
    return "'" + text if looked_through.startswith(("=", "+", "-", "@", "\t", "\r", "\n")) else text


@settings(deadline=None)  # the first example imports pyarrow.compute
@given(st.lists(st.one_of(st.none(), st.text(_TRICKY, max_size=6), st.text(max_size=6)), max_size=30))
def test_cell_texts_is_cell_text_over_a_column(texts: list[str | None]) -> None:
    import pyarrow as pa

    expected = [None if t is None else _documented(t) for t in texts]
    assert [None if t is None else cell_text(t) for t in texts] == expected
    for arrow_type in (pa.string(), pa.large_string()):
        assert cell_texts(pa.array(texts, arrow_type)).to_pylist() == expected


def test_cell_texts_worked_examples() -> None:
    import pyarrow as pa

    got = cell_texts(pa.array(["=1+1", "-5", "'=x", "\x01@x", "\ufffe+1", "a=1", "'", "", None, "Açaí", "\n"]))
    assert got.to_pylist() == ["'=1+1", "'-5", "''=x", "'\x01@x", "'\ufffe+1", "a=1", "'", "", None, "Açaí", "'\n"]
