"""Benchmark: push throughput to a Bolt server, and server-side vs in-memory coverage.

Starts ArcadeDB with its Bolt plugin (as the tests do), or uses ``NEO4J_URI`` /
``NEO4J_USER`` / ``NEO4J_PASSWORD`` / ``NEO4J_DATABASE`` when set; generates a seeded
synthetic graph with :mod:`benchmarks.generate`; then measures

- a first push (nodes/s, relationships/s, rows/s; the driver in use is printed: the
  ``neo4j-fast`` extra installs ``neo4j-rust-ext``),
- the whole ``write()`` (plan, constraints, id reads, count check) and the slowest stretch,
- a second push of the same graph (idempotent: nothing changes) unless ``--no-repush``,
- server-side coverage (:mod:`queries.cypher`) against the in-memory one for a few groups
  and for every site.

Usage::

    python -m benchmarks.bench_neo4j --size S            # ~10k nodes
    python -m benchmarks.bench_neo4j --size M --heap 4g  # ~100k nodes / 250k edges
    python -m benchmarks.bench_neo4j --size S --warm-push  # figures of a warmed-up server JVM
    python -m benchmarks.bench_neo4j --snapshot benchmarks/data/M-seed7.snapshot --heap 3g --warm-push 2 --no-coverage
    python -m benchmarks.bench_neo4j --gen-groups 2200 --relationships 500000 --heap 4g --no-coverage --no-repush  # the goal's size
    python -m benchmarks.bench_neo4j --gen-groups 2200 --heap 4g --warm-push 1 --no-coverage --no-repush  # 1.18M rows

Goal (issue 5): a 330k-node, 500k-relationship graph in under 30 s, never under 20k rows/s.
Numbers depend heavily on the machine's other load: the table prints the load average.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


def _driver_name() -> str:
    rust = importlib.util.find_spec("neo4j._rust") is not None or importlib.util.find_spec("neo4j_rust_ext") is not None
    return "neo4j + neo4j-rust-ext" if rust else "neo4j (pure Python)"


def _process_cpu(pid: int) -> float:
    """User + system CPU seconds of a local process (the server), from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    import pandas as pd

    try:
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False)
    except AssertionError:
        return False
    return True


def _write_timeline(path: Path, timeline: list[tuple[float, int]]) -> None:
    """The push's timeline as a CSV (seconds since the first batch, rows written by then), written atomically."""
    from graphmodel.atomic import atomic_write_text

    atomic_write_text(path, "seconds,rows\n" + "".join(f"{t:.3f},{r}\n" for t, r in timeline))


def _slowest_stretch(timeline: list[tuple[float, int]], window: int) -> float | None:
    """The lowest rate (rows/s) over any stretch of at least ``window`` rows of a push's timeline.

    ``timeline`` is :attr:`PushReport.timeline`: (seconds since the first batch started, rows
    written so far) at each batch's end, starting with (0, 0).
    """
    worst = None
    j = 0
    for i, (t0, r0) in enumerate(timeline):
        j = max(j, i + 1)
        while j < len(timeline) and timeline[j][1] - r0 < window:
            j += 1
        if j == len(timeline):
            break
        t1, r1 = timeline[j]
        if t1 > t0:
            rate = (r1 - r0) / (t1 - t0)
            worst = rate if worst is None else min(worst, rate)
    return worst


def _keep_relationships(edges_csv: Path, n: int, seed: int) -> None:
    """Keep a seeded random ``n`` of the rows of a generated ``edges.csv`` (in their order)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pcsv

    with open(edges_csv, encoding="utf-8") as f:
        header = f.readline().strip().split(",")
    table = pcsv.read_csv(edges_csv, convert_options=pcsv.ConvertOptions(column_types=dict.fromkeys(header, pa.string())))
    if n < table.num_rows:
        keep = np.sort(np.random.default_rng(seed).choice(table.num_rows, size=n, replace=False))
        pcsv.write_csv(table.take(keep), edges_csv)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="S", help="generator size: XS, S, M, L (default S)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--batch-size", type=int, default=5000)
    ap.add_argument("--writers", type=int, default=None,
                    help="write transactions at once (default: the store's default, DEFAULT_WRITERS)")
    ap.add_argument("--heap", default="2g", help="ArcadeDB JVM heap (when started here)")
    ap.add_argument("--groups", type=int, default=3, help="groups timed for coverage")
    ap.add_argument("--warm-push", type=int, nargs="?", const=1, default=0, metavar="N",
                    help="push the whole graph N times (default 1) to scratch databases first "
                         "(steady-state JVM figures)")
    ap.add_argument("--snapshot", type=Path, help="push this snapshot instead of generating one "
                    "(e.g. benchmarks/data/M-seed7.snapshot)")
    ap.add_argument("--gen-groups", type=int, help="generate this many groups instead of the size's number "
                    "(about 150 nodes and 380 relationships each; 2200 groups = 330k nodes)")
    ap.add_argument("--relationships", type=int, metavar="N",
                    help="keep a seeded random N of the generated relationships (every kind in proportion), "
                         "e.g. --gen-groups 2200 --relationships 500000: the goal's 330k nodes + 500k relationships")
    ap.add_argument("--jvm-opt", action="append", default=[], help="more ArcadeDB JVM options (repeatable), "
                    "e.g. -XX:TieredStopAtLevel=1")
    ap.add_argument("--no-coverage", action="store_true", help="push figures only")
    ap.add_argument("--no-repush", action="store_true", help="skip the two re-pushes (same graph, --skip-unchanged)")
    ap.add_argument("--verify", action="store_true", help="read the database back after the first push and "
                    "compare it with the graph")
    ap.add_argument("--window", type=int, default=50_000,
                    help="rows in the stretch whose rate is the 'slowest stretch' (default 50,000)")
    ap.add_argument("--timeline", type=Path, metavar="CSV",
                    help="write the first push's timeline (seconds, rows written) to this CSV file")
    ap.add_argument("--row-wire", action="store_true", help="positional rows one list per row on the wire "
                    "(as on a server whose split() is not Python's) instead of joined string columns, for comparison")
    ap.add_argument("--merge-only", action="store_true", help="first push with MERGE for every row "
                    "(the path before CREATE for absent rows), for comparison")
    args = ap.parse_args(argv)

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from benchmarks.generate import generate
    from graphmodel.stores.neo4j import DEFAULT_WRITERS, Neo4jStore
    from graphmodel.stores.snapshot import load_snapshot, save_snapshot
    from loaders.registry import load_paths
    from queries import coverage as cov
    from queries import cypher
    from tests.fixtures_bolt import server_from_env, start_arcadedb, stop_arcadedb

    writers = args.writers or DEFAULT_WRITERS

    tmp = Path(tempfile.mkdtemp(prefix="cg-bench-neo4j-"))
    t = time.perf_counter()
    if args.snapshot:
        graph = load_snapshot(args.snapshot)
        print(f"loaded {graph} from {args.snapshot} in {time.perf_counter() - t:.1f} s")
    else:
        generate(tmp / "data", args.size, seed=args.seed, groups=args.gen_groups)
        if args.relationships is not None:
            _keep_relationships(tmp / "data" / "edges.csv", args.relationships, args.seed)
        graph, _ = load_paths([tmp / "data"])
        save_snapshot(graph, tmp / "snap")
        graph = load_snapshot(tmp / "snap")  # as the CLI sees it (snapshot order)
        shutil.rmtree(tmp, ignore_errors=True)
        print(f"generated and loaded {graph} (size {args.size}, groups {args.gen_groups or 'default'}, "
              f"seed {args.seed}{f', {args.relationships:,} relationships kept' if args.relationships else ''}) in {time.perf_counter() - t:.1f} s")

    server = server_from_env()
    started_here = server is None
    if server is None:
        t = time.perf_counter()
        server = start_arcadedb(heap=args.heap, extra_args=args.jvm_opt)
        print(f"ArcadeDB started in {time.perf_counter() - t:.1f} s at {server.uri}")
    try:
        db = server.new_database("bench")
        store = Neo4jStore(server.uri, user=server.user, password=server.password, database=db,
                           batch_size=args.batch_size, writers=writers)
        with store:
            if args.row_wire:  # what a server without a Python-like split() gets (see graphmodel.stores.neo4j._wire)
                store._server = dataclasses.replace(store.server, split_columns=False)
            # a small warm-up push so the server's query compilation is not in the numbers
            from tests.neo4j.graphs import random_graph

            for _ in range(max(args.warm_push, 1)):
                warm = server.new_database("warm")
                with Neo4jStore(server.uri, user=server.user, password=server.password, database=warm,
                                batch_size=args.batch_size, writers=writers) as w:
                    # --warm-push: the whole graph into a scratch database, so a freshly started JVM
                    # has compiled its hot paths (measured: cost per row falls 3-8x over the first ~200k rows)
                    w.write(graph if args.warm_push else random_graph(1, 200, 200), verify=False,
                            create_absent=not args.merge_only)
                server.drop_database(warm)

            def cpu() -> float | None:
                return _process_cpu(server.process.pid) if server.process else None

            cpu0, client0, wall0 = cpu(), time.process_time(), time.perf_counter()
            first = store.write(graph, verify=False, create_absent=not args.merge_only)
            wall_first = time.perf_counter() - wall0
            client_cpu = time.process_time() - client0
            cpu1 = cpu()
            server_cpu = cpu1 - cpu0 if cpu1 is not None and cpu0 is not None else None
            rows_total = sum(first.rows.get(p, 0) for p in ("sources", "nodes", "edges"))
            secs_total = first.seconds["write"]  # the batches' wall time (phases may overlap)
            rate = rows_total / secs_total
            slowest = _slowest_stretch(first.timeline, args.window)
            if args.timeline:
                _write_timeline(args.timeline, first.timeline)
            goal_rows = 330_000 + 500_000
            table = [
                ("server", f"{first.server.kind} ({first.server.agent})"),
                ("driver", _driver_name()),
                ("positional rows", "joined string columns" if store.server.split_columns else "one list per row"),
                ("load average", " ".join(f"{x:.1f}" for x in os.getloadavg())),
                ("graph", f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} relationships"),
                ("batch size, writers", f"{args.batch_size}, {writers}"),
                ("warm-up", f"the whole graph pushed {args.warm_push} time(s) before" if args.warm_push
                            else "a 400-node push before (a freshly started server)"),
                ("push nodes", f"{first.rows.get('nodes', 0) / max(first.seconds.get('nodes', 1e-9), 1e-9):,.0f} nodes/s"),
                ("push relationships",
                 f"{first.rows.get('edges', 0) / max(first.seconds.get('edges', 1e-9), 1e-9):,.0f} rels/s"),
                ("push total", (f"{rows_total:,} rows in {secs_total:.1f} s = {rate:,.0f} rows/s "
                               f"({first.rows.get('created', 0):,} created, the rest merged); whole write() "
                               f"with plan, constraints, id reads and count check {wall_first:.1f} s = "
                               f"{rows_total / wall_first:,.0f} rows/s")),
                ("seconds by part", ", ".join(f"{k} {v:.1f}" for k, v in first.seconds.items())
                                    + f" (whole write() {wall_first:.1f}; phases may overlap)"),
                ("slowest stretch", (f"{slowest:,.0f} rows/s over the slowest {args.window:,} rows "
                                     "(goal: never under 20k rows/s)" if slowest else "n/a (too few rows)")),
                ("330k nodes + 500k rels", (f"{goal_rows / rate:.0f} s at the batches' rate, "
                                            f"{goal_rows * wall_first / rows_total:.0f} s at the whole write()'s "
                                            "(goal: under 30 s, 27.7k rows/s)")),
                ("client CPU", f"{client_cpu:.1f} s in the first push = {client_cpu * 1e6 / max(rows_total, 1):,.0f} us per row"),
                ("server CPU", (f"{server_cpu:.1f} s in the first push = {server_cpu * 1e6 / max(rows_total, 1):,.0f} us per row"
                                if server_cpu is not None else "n/a")),
                ("count check", "ok" if first.counts_match and not first.extra_on_server else "MISMATCH"),
            ]
            if args.verify:
                t = time.perf_counter()
                same = store.read() == graph
                table.append(("read back", (f"{'equal to the snapshot' if same else 'DIFFERENT'} "
                                            f"({time.perf_counter() - t:.1f} s)")))
            if not args.no_repush:
                cpu1 = cpu()
                rewrite = store.write(graph, verify=False)
                cpu2 = cpu()
                rewrite_cpu = cpu2 - cpu1 if cpu2 is not None and cpu1 is not None else None
                second = store.write(graph, verify=not args.no_coverage, skip_unchanged=True)
                hashes = {True: "equal", False: "DIFFERENT", None: "not checked"}
                table += [
                    ("re-push (same graph)", (f"{rewrite.seconds['write']:.1f} s = "
                                           f"{rows_total / max(rewrite.seconds['write'], 1e-9):,.0f} rows/s "
                                           "(MERGE on rows that exist)"
                                           + (f", server CPU {rewrite_cpu:.1f} s" if rewrite_cpu is not None else ""))),
                    ("re-push --skip-unchanged", (f"{second.seconds['plan'] + second.seconds['write']:.1f} s "
                                              f"({second.rows.get('unchanged', 0):,} rows unchanged, not written); "
                                              f"content hash {hashes[second.hash_matches]}")),
                ]
            table.append(("server JVM options", " ".join(args.jvm_opt) or "(defaults)"))
            if args.no_coverage:
                args.groups = 0
            roots = sorted(n for n in graph.node_ids("Company") if not graph.in_edges(n, "OWNS")
                           and graph.out_edges(n, "OWNS"))[: args.groups]
            # each group's sites, then every site (None) unless --no-coverage
            for root in roots + ([] if args.no_coverage else [None]):
                t = time.perf_counter()
                a = cypher.coverage(store, root)
                ts = time.perf_counter() - t
                t = time.perf_counter()
                b = cov.coverage(graph, root)
                tm = time.perf_counter() - t
                table.append((f"coverage {root}" if root else "coverage, all sites",
                              f"server-side {ts:.2f} s, in-memory {tm:.3f} s, {len(a)} sites, equal: {_same(a, b)}"))
        width = max(len(k) for k, _ in table)
        print()
        for k, v in table:
            print(f"{k:<{width}}  {v}")
    finally:
        if started_here:
            stop_arcadedb(server)


if __name__ == "__main__":
    main()
