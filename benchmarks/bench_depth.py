"""Cost of deep ownership: a long chain and a long cycle through the whole CLI (issue 17 case 13).

Generates two generic-table folders (fictional companies ``c00000``...; each owns 100 % of
the next, and each operates one site): a chain of ``--chain`` companies and a cycle of
``--cycle`` companies (the last owns the first). Loads each once into a snapshot, then runs
``group --format csv``, ``coverage --format csv`` and ``leverage --format csv`` on the top
company as subprocesses and prints wall seconds, peak RSS (``/usr/bin/time -v``, else
``getrusage(RUSAGE_CHILDREN)``) and bytes written. Budgets: under 60 s, 1.5 GB and 100 MB.

Run from the project root::

    .venv/bin/python -m benchmarks.bench_depth                      # 20,000 chain, 10,000 cycle
    .venv/bin/python -m benchmarks.bench_depth --chain 2000 --cycle 1000 --work /tmp/depth
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGET_S, BUDGET_RSS_MB, BUDGET_OUT_MB = 60.0, 1536.0, 100.0


def write_tables(folder: Path, n: int, *, cycle: bool) -> None:
    """``n`` companies each owning 100 % of the next (the last the first when ``cycle``), one site each."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "sources.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "title"])
        w.writerow(["s1", "Generated benchmark data (fictional)"])
    with open(folder / "nodes.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "kind", "name", "sources"])
        for i in range(n):
            w.writerow([f"c{i:05d}", "Company", f"Company {i:05d}", "s1"])
            w.writerow([f"s{i:05d}", "Site", f"Site {i:05d}", "s1"])
    with open(folder / "edges.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["source", "target", "kind", "share", "sources"])
        for i in range(n):
            if i + 1 < n or cycle:
                w.writerow([f"c{i:05d}", f"c{(i + 1) % n:05d}", "OWNS", "100", "s1"])
            w.writerow([f"c{i:05d}", f"s{i:05d}", "OPERATES", "", "s1"])


def run(args: list[str], out: Path | None, timeout: float) -> tuple[float, float, float, int | str]:
    """Wall seconds, peak RSS in MB, output MB and exit code of one CLI run."""
    cmd = [sys.executable, "-m", "exports.cli.main", *args]
    timer = shutil.which("time") or ("/usr/bin/time" if os.path.exists("/usr/bin/time") else None)
    log = Path(tempfile.mkstemp(suffix=".time")[1])
    if timer:
        cmd = [timer, "-v", "-o", str(log), *cmd]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=timeout)
        rc: int | str = proc.returncode
        if rc:
            print(f"  ! {' '.join(args[:1])}: {proc.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
    except subprocess.TimeoutExpired:
        rc = f"timeout {timeout:.0f}s"
    wall = time.perf_counter() - t0
    rss_kb = 0.0
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", log.read_text()) if timer and log.exists() else None
    if m:
        rss_kb = float(m.group(1))
    else:  # the largest child so far: only right when this child is the largest
        rss_kb = float(max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before))
    log.unlink(missing_ok=True)
    size = out.stat().st_size / 1e6 if out is not None and out.exists() else 0.0
    return wall, rss_kb / 1024, size, rc


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chain", type=int, default=20_000, help="companies in the chain (0: skip)")
    ap.add_argument("--cycle", type=int, default=10_000, help="companies in the cycle (0: skip)")
    ap.add_argument("--commands", default="group,coverage,leverage", help="comma-separated")
    ap.add_argument("--work", type=Path, default=None, help="folder for the tables and snapshots (default: a temp dir)")
    ap.add_argument("--timeout", type=float, default=600.0, help="give up on one command after this many seconds")
    args = ap.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-depth-"))
    commands = [c for c in args.commands.split(",") if c]
    print(f"{'case':<14} {'command':<9} {'wall s':>8} {'peak MB':>8} {'out MB':>8}  exit  budget")
    for name, n, cycle in (("chain", args.chain, False), ("cycle", args.cycle, True)):
        if n <= 0:
            continue
        label = f"{name} {n}"
        tables, snap = work / f"{name}-{n}", work / f"{name}-{n}.snapshot"
        if not snap.exists():
            write_tables(tables, n, cycle=cycle)
            wall, rss, _, rc = run(["load", str(tables), "-o", str(snap)], None, args.timeout)
            print(f"{label:<14} {'load':<9} {wall:>8.1f} {rss:>8.0f} {'':>8}  {rc!s:<5}")
        for cmd in commands:
            out = work / f"{name}-{n}-{cmd}.csv"
            out.unlink(missing_ok=True)
            wall, rss, size, rc = run([cmd, str(snap), "--company", "c00000", "--format", "csv", "-o", str(out)], out,
                                      args.timeout)
            ok = rc == 0 and wall < BUDGET_S and rss < BUDGET_RSS_MB and size < BUDGET_OUT_MB
            print(f"{label:<14} {cmd:<9} {wall:>8.1f} {rss:>8.0f} {size:>8.1f}  {rc!s:<5} {'ok' if ok else 'OVER'}")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
