"""Terminal tables of the commands (issue 21): they fit the width they are given, key columns
first, reasons folded under rows on --reasons, every column with --wide, plain text when piped.

The golden files (``golden/terminal/*.txt``) are the tables of the bundled sample
(``examples/sample``, GEM's public files) as of 2025-06-30, read and checked by hand against
the ``--format json`` rows; the tests below also read the cells back and compare them with the
JSON rows, so a golden file cannot drift from the data unnoticed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.cells import cell_len

from exports.cli.main import COMMANDS, cli
from tests.table_text import header, table_rows

REPO = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "golden" / "terminal"
AS_OF = "2025-06-30"

#: golden file -> (COLUMNS, command line)
CASES: dict[str, tuple[int, list[str]]] = {
    "coverage-thyssenkrupp-80": (80, ["coverage", "{snap}", "--company", "thyssenkrupp"]),
    "coverage-thyssenkrupp-120": (120, ["coverage", "{snap}", "--company", "thyssenkrupp"]),
    "coverage-thyssenkrupp-reasons-80": (80, ["coverage", "{snap}", "--company", "thyssenkrupp", "--reasons"]),
    "coverage-anglo-american-120": (120, ["coverage", "{snap}", "--company", "Anglo American PLC"]),
    "group-thyssenkrupp-reasons-80": (80, ["group", "{snap}", "thyssenkrupp", "--reasons"]),
    "group-thyssenkrupp-reasons-120": (120, ["group", "{snap}", "thyssenkrupp", "--reasons"]),
}

#: the coverage table's key columns: the site, its country and the verdicts
COVERAGE_KEY = ["site", "country", "union", "recog", "cba", "gfa", "h&s", "netw", "efa", "uncovered"]
#: the table's short values, written out here (not imported) so the test checks the command's choice
SHORT = {"covered": "yes", "not_covered": "NO", "unknown": "?", "not_applicable": "n/a"}
DIMS = {"union": "union_presence", "recog": "recognition", "cba": "cba", "gfa": "gfa", "h&s": "hs_agreement",
        "netw": "network", "efa": "efa"}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    snap = tmp_path_factory.mktemp("terminal") / "sample.snapshot"
    res = CliRunner().invoke(cli, ["load", str(REPO / "examples" / "sample"), "-o", str(snap)])
    assert res.exit_code == 0, res.output
    return snap


def run(snap: Path, args: list[str], columns: int | None) -> str:
    env = {"COLUMNS": None if columns is None else str(columns)}
    res = CliRunner(env=env).invoke(cli, [a.replace("{snap}", str(snap)) for a in args] + ["--as-of", AS_OF])
    assert res.exit_code == 0, res.output
    return res.stdout


def rows_of(snap: Path, args: list[str]) -> list[dict]:
    plain = [a for a in args if a not in ("--reasons", "--wide")]
    return json.loads(run(snap, [*plain, "--format", "json"], None))


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_terminal_table(sample: Path, case: str) -> None:
    width, args = CASES[case]
    text = run(sample, args, width)
    assert text == (GOLDEN / f"{case}.txt").read_text(encoding="utf-8")
    assert max(cell_len(line) for line in text.splitlines()) <= width
    assert "─" not in text and "│" not in text  # piped: plain text, a "-" rule


@pytest.mark.parametrize("case", [c for c in sorted(CASES) if c.startswith("coverage")])
def test_coverage_cells_are_the_data(sample: Path, case: str) -> None:
    width, args = CASES[case]
    text = run(sample, args, width)
    cols = header(text)
    assert cols[: 1] == ["site"] and [c for c in cols if c in COVERAGE_KEY] == COVERAGE_KEY
    data = rows_of(sample, args)
    shown = table_rows(text, fold="--reasons" in args, anchor=cols.index("country"))[: len(data)]
    assert [r[0] for r in shown] == [r["site"] for r in data]
    for cells, row in zip(shown, data):
        cell = dict(zip(cols, cells))
        assert cell["country"] == row["country"]
        assert {c: cell[c] for c in DIMS} == {c: SHORT[row[d]] for c, d in DIMS.items()}
        assert cell["uncovered"] == ("UNCOVERED" if row["uncovered"] else "")
        if "operator" in cell:
            assert cell["operator"] == row["operator"]
        if "workers" in cell:
            assert cell["workers"] == ("-" if row["workforce"] is None else str(row["workforce"]))


def test_narrow_table_names_the_columns_left_out_and_how_to_see_them(sample: Path) -> None:
    text = run(sample, CASES["coverage-thyssenkrupp-80"][1], 80)
    assert "operator" not in header(text)
    footer = " ".join(text.split("not shown: ", 1)[1].splitlines()[:2])
    assert footer.startswith("operator, membership, commodity, status, workers, reasons (--wide shows every column; "
                             "--reasons shows reasons under each row)")


def test_reasons_fold_under_each_row_with_names_not_edge_ids(sample: Path) -> None:
    text = run(sample, CASES["coverage-thyssenkrupp-reasons-80"][1], 80)
    lines = text.splitlines()
    first = lines.index("Finarvedi Acciai      IT       ?      ?      ?    ?    NO   NO    NO")
    assert lines[first + 3].startswith("    reasons: membership: possible member: thyssenkrupp AG's share in Acciai")
    assert "OWNS:" not in text and "E100000004212" not in text


def test_wide_puts_every_column_on_one_line_per_row(sample: Path) -> None:
    args = ["coverage", "{snap}", "--company", "thyssenkrupp", "--wide"]
    text = run(sample, args, 80)
    assert header(text) == ["site", "operator", "membership", "country", "commodity", "status", "workers", *COVERAGE_KEY[2:],
                            "reasons"]
    body = text.splitlines()[3:6]
    assert [line.split("  ")[0] for line in body] == [r["site"] for r in rows_of(sample, args)]
    assert all(cell_len(line) > 80 for line in body) and "not shown" not in text


def test_piped_output_is_plain_text_at_100_columns_without_columns_set(sample: Path) -> None:
    text = run(sample, ["coverage", "{snap}", "--company", "ArcelorMittal SA", "--reasons"], None)
    assert max(cell_len(line) for line in text.splitlines()) == 100
    assert not set(text) & set("─│┃━┏┡└╇┳")


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_table_options_leave_the_data_formats_unchanged(sample: Path, fmt: str) -> None:
    args = ["coverage", "{snap}", "--company", "thyssenkrupp", "--format", fmt]
    assert run(sample, [*args, "--wide", "--reasons"], 80) == run(sample, args, None)


def test_every_table_command_takes_the_one_wide_option_and_reasons_where_there_are_reasons() -> None:
    import importlib

    def command(name: str):
        module, _, attr = COMMANDS[name].partition(":")
        return getattr(importlib.import_module(module), attr)

    tables = ["coverage", "group", "calendar", "transition", "leverage", "path", "solidarity", "diff"]
    helps = {command(n).params[[p.name for p in command(n).params].index("wide")].help for n in tables}
    assert len(helps) == 1 and next(iter(helps)).startswith("Terminal table: every column at its full width")
    assert [n for n in tables if "reasons" in [p.name for p in command(n).params]] == ["coverage", "group"]


def test_on_a_terminal_the_table_takes_its_width_and_draws_the_rule(sample: Path) -> None:
    """The console script on a pseudo-terminal (stdout a tty): COLUMNS=80 is the width, the rule is drawn."""
    from tests.security.test_terminal import _on_a_terminal

    text = _on_a_terminal(["coverage", str(sample), "--company", "thyssenkrupp", "--as-of", AS_OF], columns=80)
    lines = text.replace("\r\n", "\n").splitlines()
    golden = (GOLDEN / "coverage-thyssenkrupp-80.txt").read_text(encoding="utf-8").splitlines()
    assert lines[2] == golden[2].replace("-", "─")  # the same table, with a drawn rule
    assert lines[:2] + lines[3:] == golden[:2] + golden[3:]


def test_summary_headers_wrap_between_words_and_the_counts_are_the_data(sample: Path) -> None:
    args = ["coverage", "{snap}", "--summary", "country"]
    text = run(sample, args, 80)
    lines = text.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    rule = next(i for i, line in enumerate(lines) if set(line) <= {"-", " "} and "--" in line)
    words = {w for c in json.loads(run(sample, [*args, "--format", "json"], None))[0] for w in c.split("_")}
    assert {w for line in lines[1:rule] for w in line.split()} <= words  # no header word cut in two
    shown = {r[0]: r for r in table_rows(text)}
    for row in json.loads(run(sample, [*args, "--format", "json"], None)):
        assert shown[row["country"]][1] == str(row["sites"])  # the second column: sites


def test_a_table_to_a_file_is_still_refused_in_one_line(sample: Path, tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["coverage", str(sample), "--summary", "country", "-o", str(tmp_path / "s.csv")])
    assert res.exit_code == 1 and res.output == "error: --output needs --format csv, json or xlsx\n"
    assert not (tmp_path / "s.csv").exists()
