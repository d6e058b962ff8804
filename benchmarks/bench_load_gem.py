"""Loading the real GEM files: rows per second and peak memory, per file and all together.

Run: ``.venv/bin/python benchmarks/bench_load_gem.py [--repeat N]`` (reads ``data/``).

Each measurement runs in a fresh subprocess so peak memory is that load's own: it reads the
file, parses it into records, builds the graph (the full ``load_paths``), and reports rows
read, nodes and edges, wall time, rows/s, the peak resident set size (``ru_maxrss``; the
interpreter with its imports is the "before" figure). The largest file is the coal tracker
(3.4 MB, UTF-16, 6,580 rows).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
FILES = [
    "gem-coal-mines-2024-05-22.csv",
    "gem-iron-steel-units-2025-03-18.csv",
    "gem-iron-steel-plants-2025-03-25.csv",
    "gem-iron-ore-mines-2024-11.xlsx",
]

_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from loaders.registry import load_paths
paths = sys.argv[2:]
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t0 = time.perf_counter()
g, ctx = load_paths(paths)
dt = time.perf_counter() - t0
rows = ctx.summary()["rows_read"]
print(json.dumps({"rows": rows, "nodes": g.number_of_nodes(), "edges": g.number_of_edges(), "seconds": dt,
                  "errors": len(ctx.errors), "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "rss_before_mb": base}))
"""


def measure(paths: list[Path]) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(ROOT), *map(str, paths)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=1, help="runs per file; the fastest is shown")
    args = ap.parse_args(argv)
    if not (DATA / FILES[0]).exists():
        print(f"no data at {DATA}", file=sys.stderr)
        return 1
    print(f"{'file':<40} {'rows':>6} {'nodes':>6} {'edges':>6} {'s':>6} {'rows/s':>8} {'RSS MB':>7} {'before':>6}")
    runs = [[DATA / f] for f in FILES] + [[DATA / f for f in FILES]]
    for paths in runs:
        best = min((measure(paths) for _ in range(max(1, args.repeat))), key=lambda r: r["seconds"])
        label = paths[0].name if len(paths) == 1 else "all four together"
        print(f"{label:<40} {best['rows']:>6} {best['nodes']:>6} {best['edges']:>6} {best['seconds']:>6.2f} "
              f"{best['rows'] / best['seconds']:>8,.0f} {best['peak_rss_mb']:>7.0f} {best['rss_before_mb']:>6.0f}"
              + (f"  ({best['errors']} errors)" if best["errors"] else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
