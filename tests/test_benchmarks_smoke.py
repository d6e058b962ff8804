"""Smoke test of the benchmark runner at size XS: it runs end to end and reports every figure.

No timing is asserted (speed goals live in ``benchmarks/``); the side-by-side comparisons must
agree: the optimised effective stakes equal the networkx walk's, igraph's betweenness equals
networkx's.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.__main__ import BUDGETS, main, markdown
from benchmarks.generate import generate
from benchmarks.runner import nx_effective_stakes_all, timed


@pytest.mark.slow
def test_runner_xs_end_to_end(tmp_path: Path) -> None:
    rc = main(["--sizes", "XS", "--repeats", "1", "--out", str(tmp_path / "out"), "--data", str(tmp_path / "data"),
               "--no-browser", "--no-cli", "--map-nodes", "500"])
    assert rc == 0
    res = json.loads((tmp_path / "out" / "latest.json").read_text())
    xs = res["sizes"]["XS"]
    assert xs["graph"]["nodes"] > 1000 and xs["graph"]["edges"] > xs["graph"]["nodes"]
    assert xs["load_tables"]["errors"] == 0
    assert xs["load_tables"]["rows"] == xs["graph"]["nodes"] + xs["graph"]["edges"] + 1  # + the one source row
    m = xs["metrics"]
    for key in BUDGETS:
        if key != "map_browser_s":
            assert m[key] is not None and m[key] > 0, key
    q = xs["queries"]
    assert q["coverage_all"]["rows"] > q["coverage_group"]["rows"] > 0
    assert q["connections"]["paths"] >= 1
    assert q["map_focused"]["nodes"] == 500  # the focused view is cut at --map-nodes
    ratios = q["ratios"]
    assert ratios["effective_stakes_all_groups"]["max_abs_difference_pct"] < 1e-6
    assert ratios["betweenness_supply"]["max_abs_difference"] < 1e-6
    md = (tmp_path / "out" / "latest.md").read_text()
    assert "| coverage_all_s |" in md and "speed-up" in md


def test_markdown_says_which_budgets_are_met() -> None:
    sizes = {"L": {"graph": {"nodes": 10, "edges": 20}, "load_tables": {"rows_per_s": 200_000, "rows_per_cpu_s": 200_000},
                   "snapshot_save": {"seconds": 4.5, "cpu": 1.5}, "queries": {}}}
    text = markdown({"created": "2026-01-01", "machine": {"summary": "2 cores"}, "sizes": sizes})
    assert "| load_rows_per_s | 200,000 | ≥ 150,000 rows/s | yes | yes |" in text
    assert "| snapshot_save_s | 4.500 (1.500) | ≤ 3.000 s | **no** (1.5×) | yes |" in text
    assert "| coverage_all_s | — | ≤ 1.000 s | not measured | not measured |" in text


def test_timed_takes_the_median_and_stops_at_the_budget() -> None:
    calls = []
    stats, out = timed(lambda: calls.append(1) or len(calls), 5, budget_s=0.0)
    assert out == 1 and stats["runs"] == 1 and len(calls) == 1
    stats, _ = timed(lambda: None, 3)
    assert stats["runs"] == 3 and len(stats["all"]) == 3


def test_networkx_reference_stakes_match_worked_example(tmp_path: Path) -> None:
    from graphmodel.graph import CampaignGraph

    g = CampaignGraph()
    for n in "abcd":
        g.add_node(n, "Company", n.upper())
    g.add_edge("a", "b", "OWNS", share=40)
    g.add_edge("a", "c", "OWNS", share=50)
    g.add_edge("c", "b", "OWNS", share=30)  # b: 40 + 50*30% = 55
    g.add_edge("b", "d", "OWNS", share=10)  # d: 55 * 10% = 5.5
    res = nx_effective_stakes_all(g, ["a"])["a"]
    assert res["b"] == pytest.approx(55.0) and res["d"] == pytest.approx(5.5) and res["a"] == 100.0
    c = generate(tmp_path / "xs", "XS")
    assert c.nodes > 1000


@pytest.mark.slow
def test_cli_benchmark_xs_end_to_end(tmp_path: Path) -> None:
    """Every command as a whole process at XS: non-empty answers, figures and the naive path beside them."""
    from benchmarks.bench_cli import main as cli_main

    rc = cli_main(["--size", "XS", "--data", str(tmp_path / "data"), "--out", str(tmp_path / "out"),
                   "--work", str(tmp_path / "work"), "--repeat", "2", "--settle", "0"])
    assert rc == 0
    res = json.loads((tmp_path / "out" / "cli-latest.json").read_text())
    labels = [c["command"] for c in res["commands"]]
    assert labels == ["load", "info", "coverage --company", "coverage (all sites)", "path A B", "group", "map --company"]
    by = {c["command"]: c for c in res["commands"]}
    for c in res["commands"]:
        assert c["rc"] == 0 and c["rows"] > 0 and c["seconds"] > 0 and c["peak_mb"] > 10, c["command"]
        # two runs each, the one shown is the slower of two (the median taken as the upper one), naive once
        assert len(c["runs"]) == 2 and c["seconds"] == max(c["runs"]) and len(c["naive"]["runs"]) == 1, c["command"]
        assert c["naive"]["rc"] == 0 and c["naive"]["rows"] > 0, c["command"]
    # typed by names, not ids
    assert by["group"]["argv"][-1] == res["names"]["company"] and res["names"]["company"].startswith("Group ")
    # generate() wrote the rows load read: nodes + edges + the one source row
    counts = generate(tmp_path / "again", "XS")
    assert by["load"]["rows"] == res["input_rows"] == counts.nodes + counts.edges + 1
    assert by["info"]["rows"] == counts.nodes  # "N nodes, M edges"
    assert by["coverage (all sites)"]["rows"] > by["coverage --company"]["rows"]
    assert 1 <= by["path A B"]["rows"] <= 3  # -k 3 by default
    assert by["path A B"]["argv"][-2:] == [res["names"]["union"], res["names"]["company"]]
    assert 0 < res["snapshot_mb"] < 30
    md = (tmp_path / "out" / "cli-latest.md").read_text()
    assert "| `coverage (all sites)` |" in md and "naive wall s" in md and "load average" in md


def test_cli_pick_names_takes_the_group_with_most_sites(tmp_path: Path) -> None:
    rows = ["id,kind,name", "g0,Company,Group 0 Holding", "g1,Company,Group 1 Holding", "g2,Company,Group 2 Holding",
            "g0s0,Site,Site 0-0", "g1s0,Site,Site 1-0", "g1s1,Site,Site 1-1", "g1s2,Site,Site 1-2",
            "g2s0,Site,Site 2-0", "g2s1,Site,Site 2-1", "g1u12,Union,Union Local 1-12", "g1u11,Union,Union Local 1-11",
            "g11u1,Union,Union Local 11-1", "g11u3,Union,Union Local 11-3"]
    (tmp_path / "nodes.csv").write_text("\n".join(rows) + "\n")
    from benchmarks.bench_cli import pick_names

    names = pick_names(tmp_path)
    # g1 has 3 sites, g2 has 2, g0 has 1; g1's first union, "Union Local 1-11", reads "unionlocal111"
    # without punctuation, as "Union Local 11-1" does, so the next one is taken
    assert names["company"] == "Group 1 Holding" and names["other"] == "Group 2 Holding"
    assert names["union"] == "Union Local 1-12" and names["company_sites"] == "3"


def test_cli_table_rows_skip_wrapped_lines() -> None:
    from benchmarks.bench_cli import answer_rows, table_rows

    # three rows: the first wraps its site name onto two more lines (starting at the margin) and
    # has a folded reason; the footer and the summary after it are no rows
    lines = ["Coverage of X group", "site          operator  cba  uncovered", "------------  --------  ---  ---------",
             "Mine A of     Op One    yes", "the North", "Works", "    reasons: to research: cba",
             "Mine B        Op Two    NO   UNCOVERED", "Mine C        Op Two    ?",
             "not shown: reasons (--reasons shows reasons under each row)", "3 site(s): 1 uncovered"]
    table = "\n".join(lines)
    assert table_rows(table) == 3
    assert table_rows("\n".join([*lines[:7], "... 10 more row(s) not shown", "Mine Z        Op     NO"])) == 1
    assert table_rows("no sites match") == 0
    assert answer_rows("load", "loaded 5 nodes and 7 edges from 13 rows into x") == 13
    assert answer_rows("map --company", "wrote x.html: 141 nodes, 241 links") == 141


def test_cli_measure_reports_the_child_peak_not_the_parent(tmp_path: Path) -> None:
    import sys

    from benchmarks.bench_cli import run_measured

    ballast = bytearray(400 * 2**20)  # a large parent (as pytest is in a full run): its RSS must not count
    ballast[::4096] = b"x" * len(ballast[::4096])
    small = run_measured([sys.executable, "-c", "pass"], 60)
    big = run_measured([sys.executable, "-c", "b = bytearray(300 * 2**20); b[::4096] = b'x' * len(b[::4096])"], 60)
    assert small["rc"] == big["rc"] == 0
    assert small["peak_mb"] < 100 and big["peak_mb"] >= 300  # 300 MiB touched page by page
    failed = run_measured([sys.executable, "-c", "import sys; print('x'); sys.exit(3)"], 60)
    assert failed["rc"] == 3 and failed["stdout"] == "x\n"
    slow = run_measured([sys.executable, "-c", "import time; time.sleep(30)"], 1)
    assert slow["timed_out"] and slow["seconds"] < 10
    del ballast


def test_cli_verdict_needs_an_answer_and_every_budget() -> None:
    from benchmarks.bench_cli import verdict

    ok = {"rc": 0, "rows": 4, "seconds": 0.9, "peak_mb": 300.0}
    assert verdict("info", ok) == ("≤ 1 s, ≤ 1,600 MB", True)
    assert verdict("info", {**ok, "seconds": 1.1})[1] is False
    assert verdict("info", {**ok, "rows": 0})[1] is False  # an empty answer never meets a budget
    assert verdict("coverage (all sites)", {**ok, "seconds": 9.9, "peak_mb": 1900.0})[1] is True
    assert verdict("group", {**ok, "peak_mb": 1700.0})[1] is False
    text, met = verdict("load", {**ok, "seconds": 10, "rows_per_s": 149_999})
    assert text == "≥ 150,000 rows/s, ≤ 1,600 MB" and met is False
