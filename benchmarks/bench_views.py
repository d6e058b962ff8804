"""Speed of the people-facing views: network map, geographic view, briefing.

Run: ``.venv/bin/python benchmarks/bench_views.py [--groups 140]``

Generates a seeded synthetic graph (:mod:`benchmarks.generate`, nothing real; 140 groups is
about 20k nodes), loads it, then times:

- a 20,000-node map view (the whole graph cut to 20k nodes, degree order) selected and
  rendered without coverage colouring: goal ≤ 1 s (the JSON is built directly);
- the same with sites coloured by coverage (runs ``queries.coverage`` over all sites);
- one group's map, geographic view (PNG and HTML) and briefing (HTML).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.generate import generate
from exports.brief import write_brief
from exports.geo import write_geo
from exports.netmap import render_map, select_view, write_map
from loaders.registry import load_paths


def _timed(label: str, fn):  # type: ignore[no-untyped-def]
    t, c = time.perf_counter(), time.process_time()
    out = fn()
    print(f"{label:<48} {time.perf_counter() - t:7.2f} s  (CPU {time.process_time() - c:.2f} s)")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--groups", type=int, default=140)
    ap.add_argument("--max-nodes", type=int, default=20_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="cg-bench-views-") as tmp:
        base = Path(tmp)
        generate(base / "data", "S", groups=args.groups)
        graph, _ = _timed("load", lambda: load_paths([base / "data"]))
        print(f"graph: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges")
        view = _timed(f"select {args.max_nodes}-node view", lambda: select_view(
            graph, max_nodes=args.max_nodes, as_of="2026-06-30", coverage_status=False))
        html = _timed("render it", lambda: render_map(graph, view))
        print(f"  {len(view.nodes)} nodes, {len(view.edges)} edges, {len(html) / 1e6:.1f} MB")
        root = next(n for n, _ in graph.nodes("Company"))
        best = best_cpu = float("inf")
        for _ in range(3):  # best of three: a shared machine's load comes and goes
            t, c = time.perf_counter(), time.process_time()
            v = select_view(graph, around=root, hops=8, max_nodes=args.max_nodes, as_of="2026-06-30",
                            coverage_status=False)
            render_map(graph, v)
            best = min(best, time.perf_counter() - t)
            best_cpu = min(best_cpu, time.process_time() - c)
        t = time.perf_counter()
        _ = [1 for _ in range(1_000_000)]
        ref = time.perf_counter() - t  # about 0.02-0.03 s on an idle 2-core machine
        print(f"{'20k ego view, select + render (goal <= 1 s)':<48} {best:7.2f} s  {'OK' if best <= 1.0 else 'OVER'}"
              f"  ({len(v.nodes)} nodes; CPU {best_cpu:.2f} s; reference loop {ref:.3f} s, so about "
              f"{best / ref * 0.025:.2f} s idle)")
        _timed("same, sites coloured by coverage", lambda: render_map(graph, select_view(
            graph, max_nodes=args.max_nodes, as_of="2026-06-30")))
        company = next(n for n, a in graph.nodes("Company") if len(graph.out_edges(n)) > 3)
        _timed("one group's map (with coverage)", lambda: write_map(graph, base / "m.html", company=company,
                                                                     as_of="2026-06-30"))
        _timed("geo view png", lambda: write_geo(graph, company, base / "g.png", as_of="2026-06-30"))
        _timed("geo view html", lambda: write_geo(graph, company, base / "g.html", as_of="2026-06-30"))
        _timed("briefing html", lambda: write_brief(graph, company, base / "b.html", as_of="2026-06-30"))


if __name__ == "__main__":
    main()
