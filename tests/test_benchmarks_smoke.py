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
               "--no-browser", "--map-nodes", "500"])
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
