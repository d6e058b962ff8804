"""Loading a generic-table folder: CPU and wall seconds, rows/s, read+validate vs graph build, peak RSS.

Run from the project root on a folder the generator wrote (``python -m benchmarks.generate``)::

    .venv/bin/python -m benchmarks.bench_load_tables benchmarks/data/M-seed7 --repeats 3
    .venv/bin/python -m benchmarks.bench_load_tables benchmarks/data/M-seed7 --repeats 1 --path row

``--path fast`` (the default) is what ``load_paths([folder], fmt="tables")`` and ``campaign-graph load``
run: the column-wise path of ``loaders._fast_tables``; ``--path row`` forces the row-by-row loader.
``--compare`` also loads the folder the other way and checks that both graphs and error lists are
equal (slow at L: the row path takes minutes there). CPU seconds (``time.process_time``) are the
figure to compare on a busy shared machine; the graph-build share is the time spent in
``graph_from_tables`` (fast path) or ``loaders.builder.build`` (row path).
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import time
from pathlib import Path
from typing import Any


def main(argv: list[str] | None = None) -> None:
    """Measure and print; e.g. ``main(["benchmarks/data/S-seed7", "--repeats", "1"])``."""
    from graphmodel.stores import snapshot
    from loaders import registry

    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--path", choices=("fast", "row"), default="fast")
    ap.add_argument("--compare", action="store_true")
    args = ap.parse_args(argv)
    fast = args.path == "fast"

    build_cpu: list[float] = []

    def timed_build(fn: Any) -> Any:
        def wrapper(*a: Any, **k: Any) -> Any:
            c = time.process_time()
            try:
                return fn(*a, **k)
            finally:
                build_cpu.append(time.process_time() - c)

        return wrapper

    snapshot.graph_from_tables = timed_build(snapshot.graph_from_tables)  # type: ignore[assignment]
    registry.build = timed_build(registry.build)  # type: ignore[assignment]
    cpu, wall, builds = [], [], []
    graph = ctx = None
    for _ in range(args.repeats):
        graph = ctx = None
        gc.collect()
        build_cpu.clear()
        c, w = time.process_time(), time.perf_counter()
        graph, ctx = registry.load_paths([args.folder], fmt="tables", fast=fast)
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
        builds.append(sum(build_cpu))
    assert graph is not None and ctx is not None
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = int(ctx.summary()["rows_read"])
    med = statistics.median
    c, b, w = med(cpu), med(builds), med(wall)
    print(f"{args.folder}: {rows} rows -> {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges, "
          f"{len(ctx.errors)} errors ({args.path} path, median of {args.repeats})")
    print(f"CPU  {c:.2f} s = {rows / c:,.0f} rows/s   (read+validate {c - b:.2f} s = {rows / max(c - b, 1e-9):,.0f} rows/s, "
          f"graph build {b:.2f} s)")
    print(f"wall {w:.2f} s = {rows / w:,.0f} rows/s   peak RSS {rss:,.0f} MB")
    if args.compare:
        other, octx = registry.load_paths([args.folder], fmt="tables", fast=not fast)
        same = other == graph and [str(e) for e in octx.errors] == [str(e) for e in ctx.errors]
        print(f"same graph and errors as the {'row' if fast else 'fast'} path: {same}")


if __name__ == "__main__":
    main()
