"""exports.tables: CSV / JSON / XLSX writing with formula neutralisation, and the terminal table."""

from __future__ import annotations

import csv
import io
import json
import math

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exports.tables import format_table, table_records, write_table
from graphmodel.cells import cell
from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from queries.coverage import COVERAGE_COLUMNS, coverage
from tests.table_text import header, table_rows


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


# -- tricky cells, worked out by hand ----------------------------------------------------------

def tricky() -> pd.DataFrame:
    return pd.DataFrame({
        "name": ["=SUM(A1)", "-5", "'=x", "\x01@x", 'a, "b"', "Açaí ✓", "", None],
        "n": pd.array([-3, 0, None, 7, 1, 2, 3, 4], dtype="Int64"),
        "share": [-12.5, 0.1, float("nan"), float("inf"), -0.0, 1e-05, 100.0, 2.5],
        "flag": pd.array([True, False, None, True, False, True, False, True], dtype="boolean"),
        "ids": [["=a", "b"], [], None, ["x", None], ["-1"], ["a,b"], ["é"], ['q"r']],
    })


def test_csv_of_tricky_cells_byte_for_byte(tmp_path):
    p = write_table(tricky(), tmp_path / "t.csv")
    assert p.read_bytes().decode("utf-8").split("\r\n") == [
        "name,n,share,flag,ids",
        "'=SUM(A1),-3,-12.5,true,'=a; b",  # formula-like text and a formula-like joined list quoted
        "'-5,0,0.1,false,",  # text that looks negative is quoted, numbers never; an empty list is empty
        "''=x,,,,",  # missing: NA, NaN, a missing boolean, a missing list
        "'\x01@x,7,,true,x; ",  # a control character is looked through; infinity is missing; a missing item
        '"a, ""b""",1,-0.0,false,\'-1',  # CSV quoting of a comma and quotes; -0.0 kept
        'Açaí ✓,2,1e-05,true,"a,b"',
        ",3,100.0,false,é",  # the empty text stays empty
        ',4,2.5,true,"q""r"',
        "",
    ]


def test_json_of_tricky_cells(tmp_path):
    p = write_table(tricky(), tmp_path / "t.json")
    data = json.loads(p.read_text(encoding="utf-8"))
    assert data[0] == {"name": "=SUM(A1)", "n": -3, "share": -12.5, "flag": True, "ids": ["=a", "b"]}
    assert data[2] == {"name": "'=x", "n": None, "share": None, "flag": None, "ids": None}
    assert data[3] == {"name": "\x01@x", "n": 7, "share": None, "flag": True, "ids": ["x", None]}
    assert data[1]["ids"] == [] and data[6]["name"] == "" and data[7]["name"] is None
    assert p.read_text(encoding="utf-8").startswith('[\n {\n  "name": "=SUM(A1)",\n  "n": -3,\n  "share": -12.5,\n'
                                                    '  "flag": true,\n  "ids": [\n   "=a",\n   "b"\n  ]\n },\n')
    assert '"name": "\\u0001@x"' in p.read_text(encoding="utf-8")  # json's own escape
    assert '  "ids": []\n' in p.read_text(encoding="utf-8")


def test_xlsx_of_tricky_cells(tmp_path):
    ws = openpyxl.load_workbook(write_table(tricky(), tmp_path / "t.xlsx")).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1] == ("'=SUM(A1)", -3, -12.5, True, "'=a; b")
    assert rows[3] == ("''=x", None, None, None, None)
    assert rows[4] == ("'@x", 7, None, True, "x; ")  # quoted first, then the control character dropped
    assert rows[5][2] == 0 and rows[7][0] is None and rows[8][4] == 'q"r'


def test_terminal_table_of_tricky_cells():
    text = format_table(tricky()[["n", "share", "flag", "ids"]], width=60)
    assert header(text) == ["n", "share", "flag", "ids"]
    assert table_rows(text) == [
        ["-3", "-12.5", "yes", "=a; b"],
        ["0", "0.1", "no", ""],
        ["-", "-", "-", "-"],
        ["7", "-", "yes", "x; None"],
        ["1", "-0", "no", "-1"],
        ["2", "1e-05", "yes", "a,b"],
        ["3", "100", "no", "é"],
        ["4", "2.5", "yes", 'q"r'],
    ]


def test_object_columns_of_mixed_values(tmp_path):
    df = pd.DataFrame({"v": pd.Series(["=x", 3, 2.5, True, None, [1, None, "=y"], {"b": 1, "a": "=z"},
                                       float("nan"), 2**70], dtype=object)})
    lines = write_table(df, tmp_path / "m.csv").read_bytes().decode("utf-8").split("\r\n")
    # one column: a missing cell is "" (csv.writer's form of a row of one empty field)
    assert lines == ["v", "'=x", "3", "2.5", "true", '""', "1; ; =y", '"{""a"": ""=z"", ""b"": 1}"', '""',
                     str(2**70), ""]
    data = json.loads(write_table(df, tmp_path / "m.json").read_text(encoding="utf-8"))
    assert [r["v"] for r in data] == ["=x", 3, 2.5, True, None, [1, None, "=y"], {"b": 1, "a": "=z"}, None, 2**70]
    shown = [row[0] for row in table_rows(format_table(df, width=60))]
    assert shown == ["=x", "3", "2.5", "yes", "-", "1; None; =y", "{'b': 1, 'a': '=z'}", "-", str(2**70)]


def test_text_of_a_str_subclass_is_neutralised(tmp_path):
    df = pd.DataFrame({"v": pd.Series([np.str_("=w"), "a"], dtype=object), "w": [[np.str_("-1")], ["b"]]})
    assert write_table(df, tmp_path / "s.csv").read_bytes() == b"v,w\r\n'=w,'-1\r\na,b\r\n"


def test_one_column_csv_quotes_an_empty_cell(tmp_path):
    # as csv.writer does: a row of one empty field is "" (a blank line would be no row)
    p = write_table(pd.DataFrame({"a": ["x", "", None]}), tmp_path / "one.csv")
    assert p.read_bytes() == b'a\r\nx\r\n""\r\n""\r\n'


def test_empty_frames(tmp_path):
    df = pd.DataFrame({"a": pd.Series([], dtype=object), "b": pd.Series([], dtype="float64")})
    assert write_table(df, tmp_path / "e.csv").read_bytes() == b"a,b\r\n"
    assert write_table(df, tmp_path / "e.json").read_bytes() == b"[]\n"


# -- the column-wise writers against per-value oracles on random frames --------------------------

_TEXT = st.text(st.sampled_from(["=", "+", "-", "@", "\t", "\r", "\n", "'", '"', ",", ";", "\x01", "\x7f", " ",
                                 "a", "é", "😀", "\\"]), max_size=5)
_FLOAT = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, -0.0, 1e-05, 1e16]))


@st.composite
def frames(draw):
    n = draw(st.integers(0, 6))

    def col(values):
        return draw(st.lists(values, min_size=n, max_size=n))

    return pd.DataFrame({
        "text": pd.Series(col(st.one_of(st.none(), _TEXT)), dtype=object),
        "str": pd.Series(col(st.one_of(st.none(), _TEXT)), dtype="str"),
        "list": pd.Series(col(st.one_of(st.none(), st.lists(st.one_of(st.none(), _TEXT), max_size=3))), dtype=object),
        "int": pd.array(col(st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1))), dtype="Int64"),
        "float": pd.Series(col(_FLOAT), dtype="float64"),
        "bool": pd.Series(col(st.booleans()), dtype=bool),
        "mixed": pd.Series(col(st.one_of(st.none(), _TEXT, st.integers(), _FLOAT, st.booleans(),
                                         st.lists(st.one_of(st.none(), st.integers(), _TEXT), max_size=2))),
                           dtype=object),
    }, index=pd.RangeIndex(n))


def _value(v):
    """The plain value of a cell, as the module docstring says (missing: NA, NaN, infinity)."""
    if v is None or v is pd.NA or (isinstance(v, float) and not math.isfinite(v)):
        return None
    if hasattr(v, "item") and not isinstance(v, (list, str)):
        return _value(v.item())
    return [_value(x) for x in v] if isinstance(v, list) else v


def _spreadsheet(v):
    v = _value(v)
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        v = "; ".join("" if x is None else str(x) for x in v)
    return cell(v)


def _shown(v):
    v = _value(v)
    if v is None:
        return "-"
    if isinstance(v, list):
        return "; ".join(str(x) for x in v)
    if isinstance(v, bool):
        return "yes" if v else "no"
    return f"{v:.4g}" if isinstance(v, float) else str(v)


@settings(deadline=None, max_examples=150)
@given(frames())
def test_writers_equal_the_per_value_rules(tmp_path_factory, df):
    tmp = tmp_path_factory.mktemp("prop")
    rows = [list(df.columns)] + [[_spreadsheet(v) for v in row] for row in df.itertuples(index=False, name=None)]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    assert write_table(df, tmp / "p.csv").read_bytes() == buf.getvalue().encode("utf-8")
    records = [{c: _value(v) for c, v in zip(df.columns, row)} for row in df.itertuples(index=False, name=None)]
    assert table_records(df) == records
    text = json.dumps(records, ensure_ascii=False, indent=1, allow_nan=False) + "\n"
    assert write_table(df, tmp / "p.json").read_bytes() == text.encode("utf-8")
    shown = pd.DataFrame({c: pd.Series([_shown(v) for v in df[c].tolist()], dtype=object) for c in df.columns})
    assert format_table(df, width=200) == format_table(shown, width=200)


def test_terminal_table_shows_markup_and_emoji_codes_as_text() -> None:
    """Names from public data are text: rich markup ("[/]" would stop the command, "[b]" vanish)
    and emoji codes in cells, headers or the title are printed as they are."""
    df = pd.DataFrame({"name [x]": ["Acme [bold]Steel[/bold]", "a [/] b", "x :smile: y"]})
    text = format_table(df, title="Coverage [red]of[/red] :x:", width=60)
    for part in ("Acme [bold]Steel[/bold]", "a [/] b", "x :smile: y", "name [x]", "Coverage [red]of[/red] :x:"):
        assert part in text


# -- a table that fits its width (issue 21) -----------------------------------------------------

def fitting() -> pd.DataFrame:
    return pd.DataFrame({"site": ["Usine Nord", "Site B"], "cc": ["FR", "DE"], "status": ["idle", "operating"],
                         "operator": ["Acme SA", None], "note": ["share not published", None]})


def test_key_columns_first_then_extra_ones_while_they_fit() -> None:
    # widths: site 10, cc 2, status 9, operator 8 (header); two spaces apart.
    # key site+cc = 14; + status = 25; + operator = 35 > 30: operator left out, note folded away
    text = format_table(fitting(), width=30, key=["site", "cc"], extra=["status", "operator"], fold=["note"],
                        plain=True)
    assert text.splitlines() == [
        "site        cc  status",
        "----------  --  ---------",
        "Usine Nord  FR  idle",
        "Site B      DE  operating",
        "not shown: operator, note",
        "(--wide shows every column;",
        "--reasons shows note under",
        "each row)",
    ]
    # at 35 operator fits too; --reasons folds the note under its row (a missing note: no line)
    text = format_table(fitting(), width=35, key=["site", "cc"], extra=["status", "operator"], fold=["note"],
                        reasons=True)
    assert text.splitlines() == [
        "site        cc  status     operator",
        "──────────  ──  ─────────  ────────",
        "Usine Nord  FR  idle       Acme SA",
        "    note: share not published",
        "Site B      DE  operating  -",
    ]


def test_a_long_key_column_wraps_in_what_the_others_leave() -> None:
    df = pd.DataFrame({"name": ["Hüttenwerke Krupp Mannesmann (HKM) steel plant"], "cc": ["DE"]})
    # cc takes 2, the gap 2: the name gets 26 of 30 and wraps between words
    assert format_table(df, width=30, hints=False).splitlines() == [
        "name                        cc",
        "──────────────────────────  ──",
        "Hüttenwerke Krupp           DE",
        "Mannesmann (HKM) steel",
        "plant",
    ]
    # --wide: one line, the whole name
    assert format_table(df, width=30, wide=True).splitlines()[2] == "Hüttenwerke Krupp Mannesmann (HKM) steel plant  DE"


def test_key_columns_wider_than_the_terminal_are_narrowed_not_cut() -> None:
    df = pd.DataFrame({c: ["word " * 8] for c in "abcd"})
    text = format_table(df, width=40)
    assert max(len(line) for line in text.splitlines()) <= 40
    assert text.split("\n", 2)[2].split().count("word") == 32  # every word of the four cells, none cut


@given(
    cells=st.lists(st.lists(st.text(st.sampled_from("ab ü-;"), max_size=40), min_size=4, max_size=4),
                   min_size=1, max_size=5),
    width=st.integers(40, 160),
    keys=st.sets(st.sampled_from("wxyz"), min_size=1),
    reasons=st.booleans(),
)
@settings(max_examples=60, deadline=None)
def test_no_line_is_wider_than_the_width(cells: list[list[str]], width: int, keys: set[str], reasons: bool) -> None:
    df = pd.DataFrame(cells, columns=list("wxyz"))
    text = format_table(df, width=width, key=sorted(keys), extra=[c for c in "wxy" if c not in keys],
                        fold=["z"] if "z" not in keys else [], reasons=reasons, title="t " * 50)
    from rich.cells import cell_len

    assert max(cell_len(line) for line in text.splitlines()) <= width
