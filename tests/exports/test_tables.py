"""exports.tables: CSV / JSON / XLSX writing with formula neutralisation, and the terminal table."""

from __future__ import annotations

import csv
import json

import openpyxl
import pandas as pd
import pytest

from exports.tables import format_table, write_table
from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from queries.coverage import COVERAGE_COLUMNS, coverage


def frame() -> pd.DataFrame:
    return pd.DataFrame({
        "site": ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR", "Usine Açaí"],
        "workforce": pd.array([-5, 10, None, 0, 1, 2, 3], dtype="Int64"),
        "stake": [-12.5, 50.0, float("nan"), 0.0, 1.0, 2.0, 3.0],
        "uncovered": [True, False, True, False, True, False, True],
        "evidence": [["OWNS:a->b", "=x"], [], ["e1"], ["e2"], [], [], []],
    })


def test_csv_neutralises_text_but_not_numbers(tmp_path):
    p = write_table(frame(), tmp_path / "out.csv", "csv")
    rows = list(csv.reader(p.open(encoding="utf-8", newline="")))
    assert rows[0] == ["site", "workforce", "stake", "uncovered", "evidence"]
    assert [r[0] for r in rows[1:]] == ["'=HYPERLINK(\"http://x\")", "'+1", "'-2+3", "'@SUM(A1)", "'\tTab", "'\rCR",
                                        "Usine Açaí"]
    assert rows[1][1:] == ["-5", "-12.5", "true", "OWNS:a->b; =x"]
    assert rows[3][1:3] == ["", ""]  # missing values are empty cells
    assert rows[2][4] == ""  # an empty list
    assert not [f for f in tmp_path.iterdir() if f.name.endswith(".tmp")]


def test_json_is_a_list_of_objects_with_values_kept(tmp_path):
    p = write_table(frame(), tmp_path / "out.json")
    data = json.loads(p.read_text(encoding="utf-8"))
    assert isinstance(data, list) and len(data) == 7
    assert data[0] == {"site": "=HYPERLINK(\"http://x\")", "workforce": -5, "stake": -12.5, "uncovered": True,
                       "evidence": ["OWNS:a->b", "=x"]}
    assert data[2]["workforce"] is None and data[2]["stake"] is None


def test_xlsx_cells_are_text_not_formulas_and_numbers_stay_numbers(tmp_path):
    p = write_table(frame(), tmp_path / "out.xlsx", "xlsx")
    ws = openpyxl.load_workbook(p).active
    values = list(ws.iter_rows(values_only=True))
    assert values[0] == ("site", "workforce", "stake", "uncovered", "evidence")
    assert values[1] == ("'=HYPERLINK(\"http://x\")", -5, -12.5, True, "OWNS:a->b; =x")
    assert all(ws.cell(row=r, column=1).data_type == "s" for r in range(2, 9))
    assert values[7][0] == "Usine Açaí"


def test_contract_columns_come_first(tmp_path):
    g = CampaignGraph()
    g.add_node("co", "Company", "Acme Steel")
    g.add_node("s", "Site", "Site A", country="XA", workforce=12)
    g.add_edge("co", "s", "OPERATES")
    df = coverage(g, "co", as_of="2024-01-01")
    p = write_table(df, tmp_path / "cov.csv")
    header = p.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[: len(COVERAGE_COLUMNS)] == list(COVERAGE_COLUMNS)
    data = json.loads(write_table(df, tmp_path / "cov.json").read_text(encoding="utf-8"))
    assert list(data[0])[: len(COVERAGE_COLUMNS)] == list(COVERAGE_COLUMNS)
    assert data[0]["workforce"] == 12 and data[0]["uncovered"] is False


def test_bad_targets_are_campaign_graph_errors(tmp_path):
    with pytest.raises(CampaignGraphError, match="does not exist"):
        write_table(frame(), tmp_path / "missing" / "x.csv")
    with pytest.raises(CampaignGraphError, match="unknown table format"):
        write_table(frame(), tmp_path / "x.parquet")
    with pytest.raises(CampaignGraphError, match="no such column"):
        write_table(frame(), tmp_path / "x.csv", columns=["nope"])


def test_format_table_readable_and_cut():
    text = format_table(frame(), columns=["site", "workforce", "evidence"], max_rows=2, width=120)
    assert "OWNS:a->b; =x" in text and "-5" in text
    assert "... 5 more row(s) not shown" in text
    assert "Usine" not in text
