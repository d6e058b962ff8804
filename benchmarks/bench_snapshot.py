"""Snapshot load and save on one generated size: CPU and wall seconds, peak RSS, content hash.

Run from the project root (the snapshot comes from ``python -m benchmarks`` or
``python -m benchmarks.generate``)::

    .venv/bin/python -m benchmarks.bench_snapshot benchmarks/data/M-seed7.snapshot --repeats 3

Each load runs in this one process, so the peak RSS printed is that of the first load plus
whatever the later ones did not give back; run with ``--repeats 1`` for the load's own peak.
CPU seconds (``time.process_time``) are the figure to compare on a busy shared machine.
``--mode networkx`` loads the old way (networkx built during the load); the default keeps the
graph columnar and also reports what building networkx later costs (``graph.nx``).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import tempfile
import time


def main(argv: list[str] | None = None) -> None:
    """Measure and print; e.g. ``main(["benchmarks/data/S-seed7.snapshot", "--repeats", "1"])``."""
    from graphmodel.stores.snapshot import load_snapshot, save_snapshot

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("snapshot")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--mode", choices=("columnar", "networkx"), default="columnar")
    args = ap.parse_args(argv)
    columnar = args.mode == "columnar"
    load_cpu, load_wall, save_cpu, save_wall = [], [], [], []
    graph = None
    for _ in range(args.repeats):
        graph = None
        c, w = time.process_time(), time.perf_counter()
        graph = load_snapshot(args.snapshot, columnar=columnar)
        load_cpu.append(time.process_time() - c)
        load_wall.append(time.perf_counter() - w)
        if len(load_cpu) == 1:
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out = tempfile.mkdtemp(prefix="bench-snapshot-")
    try:
        for i in range(args.repeats):
            c, w = time.process_time(), time.perf_counter()
            manifest = save_snapshot(graph, f"{out}/s{i}", created="bench")
            save_cpu.append(time.process_time() - c)
            save_wall.append(time.perf_counter() - w)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    med = statistics.median
    c = time.process_time()
    graph.nx  # noqa: B018 - builds networkx once (a no-op in networkx mode)
    nx_cpu = time.process_time() - c
    nx_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"nodes {graph.number_of_nodes()} edges {graph.number_of_edges()}")
    print(f"mode {args.mode}")
    print(f"load  cpu {med(load_cpu):.2f} s  wall {med(load_wall):.2f} s  peak RSS after first load {rss:.0f} MB")
    print(f"then graph.nx  cpu {nx_cpu:.2f} s  peak RSS after it {nx_rss:.0f} MB")
    print(f"save  cpu {med(save_cpu):.2f} s  wall {med(save_wall):.2f} s  content_hash {manifest['content_hash'][:16]}")


if __name__ == "__main__":
    main()
