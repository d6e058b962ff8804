"""The benchmark runner: ``python -m benchmarks`` (or ``make bench``).

For each size (default S, M, L) it generates the synthetic tables once (seeded, cached in
``benchmarks/data/``), then runs each measurement group in a fresh process
(:mod:`benchmarks.runner`) so sizes and groups do not pollute each other's memory, and
writes ``benchmarks/results/latest.json`` and ``latest.md`` (the Markdown table is printed too).
Then the whole-process CLI benchmark (:mod:`benchmarks.bench_cli`) runs at the largest size
asked for, beside the naive pandas + networkx path, into ``cli-latest.json`` and ``cli-latest.md``.

Examples::

    python -m benchmarks                       # S, M, L (under 20 minutes on 2 cores)
    python -m benchmarks --sizes XS,S --repeats 1 --out /tmp/bench   # the smoke test's run
    python -m benchmarks --sizes L --cli-only  # only the whole-process CLI figures at L
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

#: budgets at size L (issue 7): metric -> (limit, "max"/"min", unit)
BUDGETS: dict[str, tuple[float, str, str]] = {
    "snapshot_load_s": (6.0, "max", "s"),
    "snapshot_load_rss_mb": (1600.0, "max", "MB"),
    "snapshot_save_s": (3.0, "max", "s"),
    "snapshot_size_mb": (30.0, "max", "MB"),
    "coverage_all_s": (1.0, "max", "s"),
    "coverage_group_s": (0.1, "max", "s"),
    "leverage_group_s": (3.0, "max", "s"),
    "connections_s": (0.05, "max", "s"),
    "load_rows_per_s": (150_000.0, "min", "rows/s"),
    "map_focused_s": (1.0, "max", "s"),
    "map_browser_s": (5.0, "max", "s"),
}

SIZE_ORDER = {"XS": 0, "S": 1, "M": 2, "L": 3}


def _worker(args: list[str], timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.runner", *args]
    env = dict(os.environ, PYTHONHASHSEED="0")
    try:
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-3:]
        return {"error": " | ".join(tail) or f"exit {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def ensure_data(size: str, data_root: Path, seed: int) -> Path:
    """Generate the tables for ``size`` once (the generator is seeded: same files every time)."""
    from benchmarks.generate import generate

    folder = data_root / f"{size}-seed{seed}"
    if not (folder / "edges.csv").is_file() or not (folder / ".complete").is_file():
        generate(folder, size, seed)
        (folder / ".complete").write_text("ok\n")
    return folder


def run_size(size: str, data_root: Path, seed: int, repeats: int, browser: bool, map_nodes: int,
             timeout: float) -> dict[str, Any]:
    t0 = time.perf_counter()
    data = ensure_data(size, data_root, seed)
    gen_s = time.perf_counter() - t0
    snap = data_root / f"{size}-seed{seed}.snapshot"
    res: dict[str, Any] = {"generate_s": round(gen_s, 2)}
    print(f"[{size}] load from tables + snapshot save ...", file=sys.stderr, flush=True)
    res.update(_worker(["load", "--data", str(data), "--snapshot", str(snap), "--repeats", str(repeats)], timeout))
    if "error" in res:
        return res
    print(f"[{size}] snapshot load (fresh processes) ...", file=sys.stderr, flush=True)
    loads = [_worker(["snapload", "--snapshot", str(snap)], timeout) for _ in range(max(1, repeats))]
    good = [x for x in loads if "error" not in x]
    if good:
        walls = sorted(x["seconds"] for x in good)
        cpus = sorted(x["cpu"] for x in good)
        res["snapshot_load"] = {
            "seconds": walls[len(walls) // 2],
            "cpu": cpus[len(cpus) // 2],
            "runs": len(good),
            "all": [x["seconds"] for x in good],
            "peak_rss_mb": max(x["peak_rss_mb"] for x in good),
            "rss_before_mb": good[0]["rss_before_mb"],
        }
    else:
        res["snapshot_load"] = loads[0]
    print(f"[{size}] queries, map export and side-by-side ratios ...", file=sys.stderr, flush=True)
    res["queries"] = _worker(
        ["queries", "--snapshot", str(snap), "--repeats", str(repeats), "--map-nodes", str(map_nodes)], timeout
    )
    if browser:
        print(f"[{size}] default map in headless Chromium ...", file=sys.stderr, flush=True)
        res["browser"] = _worker(["browser", "--snapshot", str(snap)], timeout)
    res["total_s"] = round(time.perf_counter() - t0, 1)
    return res


def _get(d: dict[str, Any], *path: str) -> Any:
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return None
        d = d[p]
    return d


def metrics(res: dict[str, Any], cpu: bool = False) -> dict[str, Any]:
    """The budgeted figures of one size's results (None when not measured).

    ``cpu=True`` gives the same figures in process CPU seconds (what an idle machine's wall
    clock would show for this single-threaded code; memory, size and browser stay as measured).
    """
    q = res.get("queries", {})
    t = "cpu" if cpu else "seconds"
    return {
        "load_rows_per_s": _get(res, "load_tables", "rows_per_cpu_s" if cpu else "rows_per_s"),
        "snapshot_save_s": _get(res, "snapshot_save", t),
        "snapshot_load_s": _get(res, "snapshot_load", t),
        "snapshot_load_rss_mb": _get(res, "snapshot_load", "peak_rss_mb"),
        "snapshot_size_mb": _get(res, "snapshot_size", "mb"),
        "coverage_all_s": _get(q, "coverage_all", t),
        "coverage_group_s": _get(q, "coverage_group", t),
        "leverage_group_s": _get(q, "leverage_group", t),
        "connections_s": _get(q, "connections", t),
        "map_focused_s": _get(q, "map_focused", "total_cpu" if cpu else "total_seconds"),
        "map_browser_s": _get(res, "browser", "seconds"),
    }


def _verdict(value: Any, limit: float, how: str) -> str:
    if value is None:
        return "not measured"
    ok = value <= limit if how == "max" else value >= limit
    if ok:
        return "yes"
    return f"**no** ({value / limit:.1f}×)" if how == "max" else f"**no** ({value / limit:.2f}×)"


def _fmt(v: Any, unit: str) -> str:
    if v is None:
        return "—"
    if unit == "rows/s":
        return f"{v:,.0f}"
    if unit == "MB":
        return f"{v:,.1f}"
    return f"{v:.3f}" if v < 10 else f"{v:.1f}"


def markdown(results: dict[str, Any]) -> str:
    sizes = list(results["sizes"])
    lines = [
        (f"Benchmarks of {results['created']} on {results['machine']['summary']}, load average "
         f"{results['machine'].get('load_average_at_start')} at start. Each cell: wall-clock median "
         "(process CPU seconds in brackets: what an idle machine would show)."),
        "",
        ("| measure | " + " | ".join(sizes) + " | budget at L | met at L (wall) | met at L (CPU) |"),
        "|---|" + "---|" * len(sizes) + "---|---|---|",
    ]
    graph_row = "| graph (nodes / edges) | " + " | ".join(
        f"{_get(results['sizes'][s], 'graph', 'nodes') or 0:,} / {_get(results['sizes'][s], 'graph', 'edges') or 0:,}"
        for s in sizes) + " | | | |"
    lines.append(graph_row)
    for key, (limit, how, unit) in BUDGETS.items():
        cells = []
        for s in sizes:
            wall, cpu = metrics(results["sizes"][s]).get(key), metrics(results["sizes"][s], cpu=True).get(key)
            cell = _fmt(wall, unit)
            if wall is not None and cpu is not None and cpu != wall:
                cell += f" ({_fmt(cpu, unit)})"
            cells.append(cell)
        big = results["sizes"].get("L", {})
        met = _verdict(metrics(big).get(key), limit, how)
        met_cpu = _verdict(metrics(big, cpu=True).get(key), limit, how)
        budget = ("≤ " if how == "max" else "≥ ") + _fmt(limit, unit) + f" {unit}"
        lines.append(f"| {key} | " + " | ".join(cells) + f" | {budget} | {met} | {met_cpu} |")
    lines += ["", "Optimised path vs straightforward networkx path (same run, same graph):", "",
              "| size | comparison | optimised s | networkx s | speed-up |", "|---|---|---|---|---|"]
    for s in sizes:
        ratios = _get(results["sizes"][s], "queries", "ratios") or {}
        for name, r in ratios.items():
            opt = r.get("optimised_s", r.get("igraph_s"))
            ref = r.get("networkx_s", r.get("pyvis_from_nx_s"))
            sp = r.get("speedup")
            lines.append(f"| {s} | {name} ({r.get('what', 'igraph vs networkx, exact')}) | "
                         f"{_fmt(opt, 's')} | {_fmt(ref, 's')} | {f'{sp:.1f}×' if sp else '—'} |")
    return "\n".join(lines) + "\n"


def machine() -> dict[str, Any]:
    try:
        import psutil

        mem = round(psutil.virtual_memory().total / 2**30, 1)
        load = round(os.getloadavg()[0], 1)
    except (ImportError, OSError):  # psutil missing: report what the standard library knows
        mem, load = None, None
    cores = os.cpu_count()
    return {
        "cores": cores,
        "memory_gb": mem,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_at_start": load,
        "summary": f"{cores} cores, {mem} GB RAM, Python {platform.python_version()}, {platform.system()}",
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Run the campaign-graph benchmarks")
    ap.add_argument("--sizes", default="S,M,L", help="comma-separated sizes among XS,S,M,L")
    ap.add_argument("--repeats", type=int, default=3, help="runs per measurement (median); long ones run fewer")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--data", type=Path, default=HERE / "data", help="where generated tables are cached")
    ap.add_argument("--out", type=Path, default=HERE / "results", help="where latest.json / latest.md go")
    ap.add_argument("--no-browser", action="store_true", help="skip the headless Chromium map measurement")
    ap.add_argument("--map-nodes", type=int, default=20_000)
    ap.add_argument("--timeout", type=float, default=1800.0, help="seconds allowed per worker process")
    ap.add_argument("--merge", type=Path, action="append", default=[],
                    help="a previous latest.json whose sizes not measured in this run are kept (repeatable)")
    ap.add_argument("--browser-only", action="store_true",
                    help="only the headless-Chromium map measurement, added to the sizes of --merge")
    ap.add_argument("--no-cli", action="store_true", help="skip the whole-process CLI benchmark")
    ap.add_argument("--cli-only", action="store_true",
                    help="only the whole-process CLI benchmark, at the largest of --sizes")
    args = ap.parse_args(argv)
    sizes = [s.strip().upper() for s in args.sizes.split(",") if s.strip()]
    args.data.mkdir(parents=True, exist_ok=True)
    cli_argv = ["--size", max(sizes, key=lambda s: SIZE_ORDER.get(s, -1)), "--seed", str(args.seed),
                "--data", str(args.data), "--out", str(args.out), "--timeout", str(args.timeout)]
    if args.cli_only:
        from benchmarks.bench_cli import main as cli_main

        return cli_main(cli_argv)
    t0 = time.perf_counter()
    results: dict[str, Any] = {
        "created": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "machine": machine(),
        "command": "python -m benchmarks " + " ".join(argv if argv is not None else sys.argv[1:]),
        "budgets_at_L": {k: {"limit": v[0], "kind": v[1], "unit": v[2]} for k, v in BUDGETS.items()},
        "sizes": {},
    }
    for old in args.merge:
        previous = json.loads(old.read_text(encoding="utf-8"))
        for size, res in previous.get("sizes", {}).items():
            res.setdefault("measured", previous.get("created"))
            results["sizes"][size] = res
    for size in sizes:
        if args.browser_only:
            snap = args.data / f"{size}-seed{args.seed}.snapshot"
            results["sizes"].setdefault(size, {})["browser"] = _worker(["browser", "--snapshot", str(snap)], args.timeout)
            continue
        results["sizes"][size] = run_size(size, args.data, args.seed, args.repeats, not args.no_browser,
                                          args.map_nodes, args.timeout)
        results["sizes"][size]["measured"] = datetime.now(UTC).replace(microsecond=0).isoformat()
    results["sizes"] = dict(sorted(results["sizes"].items(), key=lambda x: SIZE_ORDER.get(x[0], 9)))
    for res in results["sizes"].values():
        res["metrics"] = metrics(res)
    results["total_s"] = round(time.perf_counter() - t0, 1)
    from graphmodel.atomic import atomic_write_text

    args.out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out / "latest.json", json.dumps(results, indent=2) + "\n")
    md = markdown(results) + f"\nWhole run: {results['total_s']} s.\n"
    atomic_write_text(args.out / "latest.md", md)
    print(md)
    errors = {s: r["error"] for s, r in results["sizes"].items() if "error" in r}
    for s, r in results["sizes"].items():
        for part in ("queries", "browser", "snapshot_load"):
            if isinstance(r.get(part), dict) and "error" in r[part]:
                errors[f"{s}.{part}"] = r[part]["error"]
    for k, e in errors.items():
        print(f"error in {k}: {e}", file=sys.stderr)
    cli_rc = 0
    if not args.no_cli and not args.browser_only:
        from benchmarks.bench_cli import main as cli_main

        cli_rc = cli_main(cli_argv)
    return 1 if errors or cli_rc else 0


if __name__ == "__main__":
    raise SystemExit(main())
