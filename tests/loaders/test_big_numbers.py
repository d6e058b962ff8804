"""A whole number too large to store is a reported row, never a crash at save (issue 17, case 5)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from exports.cli.main import cli
from graphmodel.stores.snapshot import load_snapshot
from graphmodel.values import parse_int


@pytest.mark.parametrize(
    ("text", "expected"),
    [("9223372036854775807", 9223372036854775807), ("-9223372036854775808", -9223372036854775808),
     ("12345678901234567", 12345678901234567), ("1,200", 1200), ("1e3", 1000)],
)
def test_whole_numbers_within_int64_are_exact(text: str, expected: int) -> None:
    assert parse_int(text) == expected


@pytest.mark.parametrize("text", ["9223372036854775808", "1e30", "-9223372036854775809", 1e30, 2**63])
def test_whole_numbers_beyond_int64_are_refused(text: object) -> None:
    with pytest.raises(ValueError, match="too (large|small) to store"):
        parse_int(text)


def test_validate_reports_and_load_keeps_the_good_rows(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "sources.csv").write_text("id,title\ns1,Fictional notes\n")
    (src / "nodes.csv").write_text(
        "id,kind,name,sources,workforce,start_year\n"
        "a,Site,Site A,s1,1e30,\n"
        "b,Site,Site B,s1,,9223372036854775808\n"
        "c,Site,Site C,s1,12,2001\n"
    )
    (src / "edges.csv").write_text("source,target,kind,sources\n")
    runner = CliRunner()
    v = runner.invoke(cli, ["validate", str(src)])
    assert v.exit_code == 1
    assert "row 2: column workforce:" in v.output and "row 3: column start_year:" in v.output
    out = tmp_path / "snap"
    r = runner.invoke(cli, ["load", str(src), "-o", str(out)])
    assert r.exit_code == 0, r.output
    g = load_snapshot(out)
    assert g.node_ids() == ["c"] and g.node("c")["workforce"] == 12
