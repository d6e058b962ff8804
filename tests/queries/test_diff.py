"""diff() and diff_summary() on two small fictional snapshots, with the exact expected rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphmodel.graph import CampaignGraph
from graphmodel.records import Source
from graphmodel.stores.snapshot import load_snapshot, save_snapshot
from queries.diff import DIFF_COLUMNS, diff, diff_summary


def _before() -> CampaignGraph:
    g = CampaignGraph()
    g.add_source(Source("s1", title="Acme annual report 2023"))
    g.add_node("acme", "Company", "Acme Holding", sources=["s1"], country="DE")
    g.add_node("sa", "Site", "Site A", sources=["s1"], workforce=100)
    g.add_node("sb", "Site", "Site B", sources=["s1"])
    g.add_node("cba", "Agreement", "Site A CBA", agreement_type="cba", expires="2030-12-31")
    g.add_edge("acme", "sa", "OPERATES", sources=["s1"])
    g.add_edge("acme", "sb", "OPERATES", sources=["s1"])
    g.add_edge("cba", "sa", "COVERS")
    return g


def _after() -> CampaignGraph:
    g = CampaignGraph()
    g.add_source(Source("s1", title="Acme annual report 2023"))
    g.add_source(Source("s2", title="Acme annual report 2024"))
    g.add_node("acme", "Company", "Acme Holding", sources=["s1"], country="DE")
    g.add_node("sa", "Site", "Site A", sources=["s1", "s2"], workforce=120, commodity="steel")
    g.add_node("sc", "Site", "Site C", sources=["s2"])
    g.add_node("cba", "Agreement", "Site A CBA", agreement_type="cba", expires="2024-03-31")
    g.add_edge("acme", "sa", "OPERATES", sources=["s1"], share=80)
    g.add_edge("acme", "sc", "OPERATES", sources=["s2"])
    g.add_edge("cba", "sa", "COVERS")
    return g


EXPECTED = [
    # change, element, id, kind, property, before, after
    ("added", "node", "sc", "Site", None, None, "Site C"),
    ("removed", "node", "sb", "Site", None, "Site B", None),
    ("changed", "node", "cba", "Agreement", "expires", "2030-12-31", "2024-03-31"),
    ("changed", "node", "sa", "Site", "commodity", None, "steel"),
    ("changed", "node", "sa", "Site", "sources", ["s1"], ["s1", "s2"]),
    ("changed", "node", "sa", "Site", "workforce", 100, 120),
    ("added", "edge", "OPERATES:acme->sc", "OPERATES", None, None, "Acme Holding OPERATES Site C"),
    ("removed", "edge", "OPERATES:acme->sb", "OPERATES", None, "Acme Holding OPERATES Site B", None),
    ("changed", "edge", "OPERATES:acme->sa", "OPERATES", "share", None, 80.0),
    ("added", "source", "s2", "Source", None, None, "Acme annual report 2024"),
]


def _tuples(df):
    return [tuple(r) for r in df[DIFF_COLUMNS[:7]].itertuples(index=False)]


def test_diff_exact_rows() -> None:
    df = diff(_before(), _after())
    assert list(df.columns[:7]) == ["change", "element", "id", "kind", "property", "before", "after"]
    assert _tuples(df) == EXPECTED


def test_diff_reverse_swaps_added_and_removed() -> None:
    df = diff(_after(), _before())
    rows = _tuples(df)
    assert rows[0] == ("added", "node", "sb", "Site", None, None, "Site B")
    assert rows[1] == ("removed", "node", "sc", "Site", None, "Site C", None)
    assert ("changed", "node", "sa", "Site", "workforce", 120, 100) in rows
    assert ("removed", "source", "s2", "Source", None, "Acme annual report 2024", None) in rows


def test_diff_identical_is_empty_and_deterministic() -> None:
    assert diff(_before(), _before()).empty
    assert diff_summary(diff(_before(), _before())) == "no changes"
    a, b = diff(_before(), _after()), diff(_before(), _after())
    assert a.equals(b)


def test_diff_survives_snapshot_round_trip(tmp_path: Path) -> None:
    save_snapshot(_before(), tmp_path / "a")
    save_snapshot(_after(), tmp_path / "b")
    df = diff(load_snapshot(tmp_path / "a"), load_snapshot(tmp_path / "b"))
    assert _tuples(df) == EXPECTED


def test_summary_for_a_briefing() -> None:
    text = diff_summary(diff(_before(), _after()), as_of="2024-06-01")
    assert text == (
        "1 site added, 1 site removed, 1 agreement expired, 1 site changed, "
        "1 OPERATES edge added, 1 OPERATES edge removed, 1 OPERATES edge changed, 1 source added"
    )


def test_summary_before_the_expiry_counts_a_change() -> None:
    # seen from 2024-01-01 the CBA has not expired yet: its end date merely moved
    text = diff_summary(diff(_before(), _after()), as_of="2024-01-01")
    assert "1 agreement changed" in text and "expired" not in text


def test_summary_ended_edge() -> None:
    a, b = _before(), _before()
    b.add_edge("acme", "sa", "OPERATES", valid_to="2023-12-31", merge="replace")
    assert diff_summary(diff(a, b), as_of="2024-06-01") == "1 OPERATES edge ended"


@pytest.mark.parametrize("kind, many", [("Company", "companies"), ("Country", "countries"), ("Person", "people")])
def test_summary_plurals(kind: str, many: str) -> None:
    a, b = CampaignGraph(), CampaignGraph()
    b.add_node("x1", kind, "X1")
    b.add_node("x2", kind, "X2")
    assert diff_summary(diff(a, b)) == f"2 {many} added"


def test_cli_diff(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from exports.cli.main import cli

    save_snapshot(_before(), tmp_path / "a")
    save_snapshot(_after(), tmp_path / "b")
    runner = CliRunner()
    res = runner.invoke(cli, ["diff", str(tmp_path / "a"), str(tmp_path / "b"), "--as-of", "2024-06-01",
                              "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert [(r["change"], r["id"], r["property"]) for r in rows][:3] == [
        ("added", "sc", None), ("removed", "sb", None), ("changed", "cba", "expires")
    ]
    assert res.stderr.startswith("1 site added, 1 site removed, 1 agreement expired")
    table = runner.invoke(cli, ["diff", str(tmp_path / "a"), str(tmp_path / "a")])
    assert table.exit_code == 0 and table.output.strip() == "no changes"


def test_cli_diff_redact_hides_sensitive_changes(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from exports.cli.main import cli

    a, b = _before(), _before()
    b.add_node("sa", "Site", notes="CANARY-organiser-meeting-notes", merge="replace")
    b.add_node("u1", "Union", "Union One", email="canary@example.org")
    b.add_edge("u1", "sa", "REPRESENTS", members=250, recognised=True)
    save_snapshot(a, tmp_path / "a")
    save_snapshot(b, tmp_path / "b")
    runner = CliRunner()
    plain = runner.invoke(cli, ["diff", str(tmp_path / "a"), str(tmp_path / "b"), "--format", "json"])
    assert plain.exit_code == 0 and "CANARY-organiser-meeting-notes" in plain.stdout
    res = runner.invoke(cli, ["diff", str(tmp_path / "a"), str(tmp_path / "b"), "--redact", "--format", "json"])
    assert res.exit_code == 0, res.output
    for canary in ("CANARY", "canary@example.org", "250", "notes", "members"):
        assert canary not in res.stdout
    assert '"id": "u1"' in res.stdout  # the union itself is not secret, only its sensitive fields
