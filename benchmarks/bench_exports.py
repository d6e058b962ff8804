"""Export speed: every snapshot-file format on a synthetic graph, and the table round trips.

Run: ``.venv/bin/python benchmarks/bench_exports.py [--size XS|S|M] [--redact]``

Generates a seeded synthetic graph (:mod:`benchmarks.generate`, nothing real), loads it,
then times :func:`exports.formats.base.export_graph` for each format, the size of what it
wrote, and for csv and xlsx the load back (checking the graph comes back equal).
Measured 2026-11-25 on 2 busy cores (load average 7-9), size S (9,470 nodes, 24,055 edges):
graphml 17 s, gexf 12 s, json 4 s, csv 6 s (+6 s load back, equal), parquet 3 s,
xlsx 32 s (+44 s load back, equal), cypher 6 s. openpyxl's pure-Python XML writer is
the xlsx bottleneck (XlsxWriter measured only 1.7x faster; lxml would speed openpyxl up
but also replace defusedxml in its reader, so it is not installed).
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
from exports.formats.base import FOLDER_FORMATS, FORMATS, export_graph
from loaders.registry import load_paths


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.iterdir()) if path.is_dir() else path.stat().st_size


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="S", choices=["XS", "S", "M"])
    ap.add_argument("--redact", action="store_true", help="export redacted copies")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="cg-bench-exports-") as tmp:
        base = Path(tmp)
        generate(base / "data", args.size)
        t = time.perf_counter()
        graph, _ = load_paths([base / "data"])
        print(f"loaded {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges in {time.perf_counter() - t:.1f} s")
        print(f"{'format':<8} {'export s':>9} {'MB':>7} {'load back s':>12}  equal")
        for fmt in FORMATS:
            target = base / (f"out_{fmt}" if fmt in FOLDER_FORMATS else f"out.{fmt}")
            t = time.perf_counter()
            export_graph(graph, fmt, target, redacted=args.redact)
            took = time.perf_counter() - t
            back, equal = "", ""
            if fmt in ("csv", "xlsx") and not args.redact:
                t = time.perf_counter()
                again, _ = load_paths([target])
                back = f"{time.perf_counter() - t:.1f}"
                equal = "yes" if again == graph else "NO"
            print(f"{fmt:<8} {took:>9.2f} {_size(target) / 1e6:>7.1f} {back:>12}  {equal}")


if __name__ == "__main__":
    main()
