"""``benchmarks/bench_web.py`` end to end at size XS (no browser): a real ``serve`` process answers
every timed request, the CLI alternative answers too, and the table says which budgets are met."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.bench_web import BUDGETS, main, markdown


def test_bench_web_xs_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "results"
    assert main(["--size", "XS", "--data", str(tmp_path / "data"), "--work", str(tmp_path), "--out", str(out),
                 "--repeat", "1", "--no-browser"]) == 0
    res = json.loads((out / "web-latest.json").read_text())
    assert [r["what"] for r in res["requests"]] == [k for k in BUDGETS if not k.startswith("first page")] + [
        k for k in BUDGETS if k.startswith("first page")]
    timed = [r for r in res["requests"] if "seconds" in r]
    assert len(timed) == 9 and all(r["items"] > 0 and r["seconds"] > 0 for r in timed)
    # the group with the most sites (pick_names): a row per site that exists (closed ones are left out)
    coverage = next(r for r in timed if r["what"] == "group coverage")
    assert 0 < coverage["items"] <= int(res["names"]["company_sites"])
    assert [(a["what"], a["rc"]) for a in res["cli_per_request"]] == [("search", 0), ("group coverage", 0)]
    md = (out / "web-latest.md").read_text()
    assert md == markdown(res)
    assert "| first page ready in the browser (company) | `/nodes/g" in md and "--no-browser" in md
