"""Whole-process CLI benchmark: each command as a user types it, beside a naive pandas + networkx path.

Every command runs as its own child process (``python -m exports.cli.main ...``, what the
``campaign-graph`` script runs); its wall time and peak RSS come from ``os.wait4`` on that child,
so interpreter start-up, imports, snapshot reading and printing all count. Each answer must be
non-empty: exit 0 and at least one output row. The naive path (``python -m benchmarks.bench_cli
naive STEP ...``) reads the same tables with pandas, builds a networkx MultiDiGraph, pickles it as
its "snapshot", and answers the same questions the straightforward way; it is timed the same way.

Usage::

    python -m benchmarks.bench_cli --size L            # results in benchmarks/results/cli-latest.{json,md}
    python -m benchmarks --sizes L                     # the in-process figures, then this
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

#: budgets per command (issue 18): max wall s, max peak MB, min rows/s (load only)
BUDGETS: dict[str, dict[str, float]] = {
    "load": {"rows_per_s": 150_000.0, "mb": 1600.0},
    "info": {"s": 1.0, "mb": 1600.0},
    "coverage --company": {"s": 3.0, "mb": 1600.0},
    "coverage (all sites)": {"s": 10.0, "mb": 2000.0},
    "path A B": {"s": 3.0, "mb": 1600.0},
    "group": {"mb": 1600.0},
    "map --company": {"mb": 1600.0},
}
SNAPSHOT_BUDGET_MB = 30.0


def pick_names(data: Path) -> dict[str, str]:
    """Names for the questions, read from the generated tables.

    The largest group is the one with most sites (ids ``g{N}s{k}``; ties: lowest N); ``union`` is
    that group's first union with a name no other union matches, preferring one at a site the root
    operates itself (so a path to the root exists); ``other`` is the root of the second-largest group.
    """
    sites: Counter[int] = Counter()
    unions: dict[int, list[tuple[int, str]]] = {}
    names: dict[str, str] = {}
    with open(data / "nodes.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            m = re.fullmatch(r"g(\d+)([su])(\d+)", row["id"])
            if m and m.group(2) == "s":
                sites[int(m.group(1))] += 1
            elif m:
                unions.setdefault(int(m.group(1)), []).append((int(m.group(3)), row["name"]))
            if re.fullmatch(r"g\d+", row["id"]):
                names[row["id"]] = row["name"]
    ranked = sorted(sites, key=lambda g: (-sites[g], g))
    big, second = ranked[0], ranked[1]
    # name lookup ignores punctuation, so "Union Local 23-1" also fits "Union Local 2-31": a user would
    # type a name that fits one union, so take the first one whose letters and digits no other union shares
    same = Counter(_plain(n) for us in unions.values() for _, n in us)
    by_root: set[str] = set()  # sites the root operates itself: their union reaches the root in two hops
    if (data / "edges.csv").is_file():
        with open(data / "edges.csv", newline="", encoding="utf-8") as f:
            by_root = {r["target"] for r in csv.DictReader(f) if r["source"] == f"g{big}" and r["kind"] == "OPERATES"}
    usable = sorted(unions[big], key=lambda u: (same[_plain(u[1])] != 1, f"g{big}s{u[0]}" not in by_root, u))
    return {"company": names[f"g{big}"], "union": usable[0][1], "other": names[f"g{second}"],
            "company_id": f"g{big}", "company_sites": str(sites[big])}


def _plain(name: str) -> str:
    return re.sub(r"[\W_]", "", name.lower())


def table_rows(text: str) -> int:
    """Rows of a terminal table (:func:`exports.tables.format_table`), counted after the rule under
    the header (runs of ``-`` or ``─`` two or more spaces apart) up to the first blank line or
    footer (``not shown: ...``, ``... more row(s)``). A row's first line fills its narrowest
    column (a flag, a code: too short to wrap), which its wrapped lines leave blank; folded texts
    (indented by four spaces under a wider first column) are skipped."""
    lines = text.splitlines()
    at = next((i for i, line in enumerate(lines) if re.fullmatch(r"[─-]+(  +[─-]+)*", line)), None)
    if at is None:
        return 0
    spans = [(m.start(), m.end()) for m in re.finditer(r"[─-]+", lines[at])]
    a, b = min(spans, key=lambda ab: ab[1] - ab[0])
    n = 0
    for line in lines[at + 1:]:
        if not line.strip() or line.startswith(("not shown:", "... ")):
            break
        if spans[0][1] > 4 and len(line) - len(line.lstrip(" ")) == 4:  # a folded text ("    reasons: ...")
            continue
        n += bool(line[a:b].strip())
    return n


def _first_int(pattern: str, text: str) -> int:
    m = re.search(pattern, text)
    return int(m.group(1)) if m else 0


#: A small intermediate process runs the command and reports its rusage. Measured straight from
#: this (large) process, a child's peak RSS would start at ours: Linux keeps the RSS high-water
#: mark of the address space a process had before exec (fork/vfork + exec copies ours).
_TRAMPOLINE = """
import json, os, subprocess, sys
proc = subprocess.Popen(sys.argv[2:])
_pid, status, usage = os.wait4(proc.pid, 0)
with open(sys.argv[1], "w") as f:
    json.dump({"rc": os.waitstatus_to_exitcode(status), "cpu": usage.ru_utime + usage.ru_stime,
               "maxrss_kb": usage.ru_maxrss}, f)
"""


def run_measured(argv: list[str], timeout: float, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``argv`` as a child; wall seconds, CPU seconds and peak RSS (MB) of that child, exit code, stdout, stderr tail."""
    import json
    import signal

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r", suffix=".json") as rep:
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", _TRAMPOLINE, rep.name, *argv], cwd=ROOT, stdout=out,
                                stderr=err, env=env, start_new_session=True)
        timed_out = False
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the command and the intermediate process
            proc.wait()
            timed_out = True
        wall = time.perf_counter() - t0
        text = rep.read()
        got = json.loads(text) if text else {"rc": -9, "cpu": 0.0, "maxrss_kb": 0}
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    return {"seconds": round(wall, 3), "cpu": round(got["cpu"], 3),
            "peak_mb": round(got["maxrss_kb"] / 1024.0, 1), "rc": got["rc"],
            "timed_out": timed_out, "stdout": stdout, "stderr_tail": " | ".join(stderr.strip().splitlines()[-2:])}


def cli_commands(data: Path, snap: Path, html: Path, names: dict[str, str]) -> list[tuple[str, list[str]]]:
    """(label, arguments) of each command as a user types it, by names, not ids."""
    return [
        ("load", ["load", str(data), "-o", str(snap)]),
        ("info", ["info", str(snap)]),
        ("coverage --company", ["coverage", str(snap), "--company", names["company"]]),
        ("coverage (all sites)", ["coverage", str(snap)]),
        ("path A B", ["path", str(snap), names["union"], names["company"]]),
        ("group", ["group", str(snap), "--company", names["company"]]),
        ("map --company", ["map", str(snap), "--company", names["company"], "-o", str(html)]),
    ]


def answer_rows(label: str, stdout: str) -> int:
    """Rows of the answer a command printed (0 means empty)."""
    if label == "load":
        return _first_int(r"from (\d+) rows", stdout)
    if label == "info":
        return _first_int(r"(\d+) nodes,", stdout)
    if label == "map --company":
        return _first_int(r": (\d+) nodes", stdout)
    return table_rows(stdout)


def verdict(label: str, res: dict[str, Any]) -> tuple[str, bool]:
    """The budget text and whether this result meets it (a failed or empty answer never does)."""
    b = BUDGETS[label]
    parts, ok = [], res.get("rc") == 0 and res.get("rows", 0) > 0
    if "rows_per_s" in b:
        parts.append(f"≥ {b['rows_per_s']:,.0f} rows/s")
        ok = ok and res.get("rows_per_s", 0) >= b["rows_per_s"]
    if "s" in b:
        parts.append(f"≤ {b['s']:g} s")
        ok = ok and res["seconds"] <= b["s"]
    parts.append(f"≤ {b['mb']:,.0f} MB")
    ok = ok and res["peak_mb"] <= b["mb"]
    return ", ".join(parts), ok


# ---- the naive path: one small script, one step per process ---------------------------------


def _naive_load(data: Path, pickle_path: Path) -> int:
    import pickle

    import networkx as nx
    import pandas as pd

    nodes = pd.read_csv(data / "nodes.csv", dtype=str, keep_default_na=False)
    edges = pd.read_csv(data / "edges.csv", dtype=str, keep_default_na=False)
    g = nx.MultiDiGraph()
    for rec in nodes.to_dict("records"):
        g.add_node(rec["id"], **{k: v for k, v in rec.items() if v != ""})
    for rec in edges.to_dict("records"):
        g.add_edge(rec["source"], rec["target"], key=None, **{k: v for k, v in rec.items() if v != ""})
    with open(pickle_path, "wb") as f:
        pickle.dump(g, f, protocol=pickle.HIGHEST_PROTOCOL)
    return len(nodes) + len(edges)


def _by_name(g: Any, name: str) -> str:
    for n, a in g.nodes(data=True):
        if a.get("name") == name:
            return n
    raise SystemExit(f"not found: {name}")


def _naive_group(g: Any, root: str) -> dict[str, float]:
    """Members controlled through OWNS edges with share > 50 (or joint control), with effective stakes."""
    stakes = {root: 100.0}
    todo = [root]
    while todo:
        n = todo.pop()
        for _, t, a in g.out_edges(n, data=True):
            if a.get("kind") != "OWNS" or a.get("valid_to") or t in stakes:
                continue
            share = float(a["share"]) if a.get("share") else None
            if share is None or share > 50 or a.get("control") == "joint":
                stakes[t] = stakes[n] * (share or 0) / 100
                todo.append(t)
    return stakes


def _naive_coverage(g: Any, sites: list[str]) -> list[tuple[str, bool, bool, bool]]:
    rows = []
    for s in sites:
        union = recog = cba = False
        for u, _, a in g.in_edges(s, data=True):
            if a.get("kind") == "REPRESENTS":
                union = True
                recog = recog or a.get("recognised") == "yes"
            elif a.get("kind") == "COVERS":
                cba = True
        rows.append((g.nodes[s].get("name", s), union, recog, cba))
    return rows


def naive(step: str, data: Path, pickle_path: Path, names: dict[str, str], out: Path | None = None) -> int:
    """One step of the naive path; returns the number of answer rows."""
    if step == "load":
        return _naive_load(data, pickle_path)
    import pickle

    import networkx as nx

    with open(pickle_path, "rb") as f:
        g = pickle.load(f)
    if step == "info":
        kinds = Counter(a.get("kind") for _, a in g.nodes(data=True))
        return g.number_of_nodes() if kinds else 0
    if step == "coverage --company":
        members = _naive_group(g, _by_name(g, names["company"]))
        sites = [t for m in members for _, t, a in g.out_edges(m, data=True) if a.get("kind") == "OPERATES"]
        return len(_naive_coverage(g, sites))
    if step == "coverage (all sites)":
        return len(_naive_coverage(g, [n for n, a in g.nodes(data=True) if a.get("kind") == "Site"]))
    if step == "path A B":
        a, b = _by_name(g, names["union"]), _by_name(g, names["company"])
        keep = [(u, v) for u, v, k in g.edges(data="kind") if k not in ("LOCATED_IN", "HOLDS_ROLE")]
        und = nx.Graph(keep)
        paths = []
        for p in nx.shortest_simple_paths(und, a, b):
            if len(p) - 1 > 6 or len(paths) == 3:
                break
            paths.append(p)
        return len(paths)
    if step == "group":
        return len(_naive_group(g, _by_name(g, names["company"])))
    if step == "map --company":
        members = _naive_group(g, _by_name(g, names["company"]))
        keep = set(members)
        for m in members:
            keep.update(t for _, t, k in g.out_edges(m, data="kind") if k == "OPERATES")
        keep.update(nb for n in list(keep) for nb in nx.all_neighbors(g, n))
        sub = g.subgraph(keep)
        assert out is not None
        out.write_text(json.dumps(nx.node_link_data(sub, edges="links"), default=str), encoding="utf-8")
        return sub.number_of_nodes()
    raise SystemExit(f"unknown step: {step}")


# ---- the driver ---------------------------------------------------------------------------------


def _folder_mb(path: Path) -> float:
    if path.is_file():
        return round(path.stat().st_size / 2**20, 2)
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20, 2)


def _data_rows(path: Path) -> int:
    with open(path, newline="", encoding="utf-8") as f:
        return max(0, sum(1 for _ in csv.reader(f)) - 1)


def _load_average() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def measured_median(argv: list[str], timeout: float, env: dict[str, str], repeat: int, settle: float,
                    before: Any = None) -> dict[str, Any]:
    """``run_measured`` ``repeat`` times, each after ``settle`` seconds of rest (and ``before()``): the run with
    the median wall time, with every run's wall seconds in ``runs``.

    The machine is shared: the same command varies by up to a second from run to run, and a command started
    right after a large process waits while the kernel takes that memory back. A user does not run a 1.8 GB
    process before each command, so each run starts on a settled machine; the median of several runs is the
    figure judged, and every run is kept in the results.
    """
    runs = []
    for _ in range(max(1, repeat)):
        if before is not None:
            before()
        time.sleep(settle)
        runs.append(run_measured(argv, timeout, env))
    ordered = sorted(runs, key=lambda r: (r["rc"] != 0, r["seconds"]))
    best = dict(ordered[len(ordered) // 2])  # the middle run; of an even number, the slower middle one
    best["runs"] = [r["seconds"] for r in runs]
    return best


def run(size: str, data_root: Path, seed: int, work: Path, timeout: float = 900.0, repeat: int = 3,
        settle: float = 3.0) -> dict[str, Any]:
    """Measure every command (median of ``repeat`` runs) and its naive counterpart (one run) at ``size``;
    return the results (no files written)."""
    from benchmarks.__main__ import ensure_data

    data = ensure_data(size, data_root, seed)
    names = pick_names(data)
    work.mkdir(parents=True, exist_ok=True)
    snap, html = work / f"cli-{size}.snapshot", work / f"cli-{size}.html"
    pkl, naive_html = work / f"naive-{size}.pickle", work / f"naive-{size}.json"
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONHASHSEED="0", COLUMNS="160")
    env.pop("NO_COLOR", None)
    input_rows = sum(_data_rows(data / f) for f in ("nodes.csv", "edges.csv", "sources.csv"))
    res: dict[str, Any] = {
        "size": size, "seed": seed, "data": str(data), "names": names, "input_rows": input_rows,
        "load_average_at_start": _load_average(), "commands": [],
    }
    import shutil

    def fresh_snapshot() -> None:  # each load writes a new snapshot
        if snap.exists():
            shutil.rmtree(snap)

    res["repeat"], res["settle_s"] = repeat, settle
    for label, args in cli_commands(data, snap, html, names):
        print(f"[cli {size}] {label} ...", file=sys.stderr, flush=True)
        r = measured_median([sys.executable, "-m", "exports.cli.main", *args], timeout, env, repeat, settle,
                            fresh_snapshot if label == "load" else None)
        r["rows"] = answer_rows(label, r.pop("stdout")) if r["rc"] == 0 else 0
        if label == "load" and r["seconds"] > 0:
            r["rows_per_s"] = round(input_rows / r["seconds"])
        n = measured_median([sys.executable, "-m", "benchmarks.bench_cli", "naive", label, "--data", str(data),
                             "--pickle", str(pkl), "--names", json.dumps(names), "--out", str(naive_html)], timeout,
                            env, 1, settle)
        naive_rows = _first_int(r"rows=(\d+)", n.pop("stdout")) if n["rc"] == 0 else 0
        if label == "load" and n["seconds"] > 0:
            n["rows_per_s"] = round(input_rows / n["seconds"])
        budget, met = verdict(label, r)
        res["commands"].append({"command": label, "argv": ["campaign-graph", *args], **r, "budget": budget,
                                "met": met, "naive": {**n, "rows": naive_rows}})
    snap_mb = _folder_mb(snap) if snap.exists() else None
    res["snapshot_mb"] = snap_mb
    res["snapshot_met"] = snap_mb is not None and snap_mb <= SNAPSHOT_BUDGET_MB
    res["naive_pickle_mb"] = _folder_mb(pkl) if pkl.exists() else None
    res["load_average_at_end"] = _load_average()
    res["all_met"] = res["snapshot_met"] and all(c["met"] for c in res["commands"])
    return res


def markdown(res: dict[str, Any]) -> str:
    lines = [
        (f"Whole-process CLI figures, size {res['size']} ({res['input_rows']:,} input rows), {res.get('created', '')}; "
         f"load average {res['load_average_at_start']} at start, {res['load_average_at_end']} at end. "
         f"Each command ran {res.get('repeat', 1)} times, each after {res.get('settle_s', 0):g} s of rest; shown is "
         "the run with the median wall time (every run's wall seconds in brackets). "
         "Wall seconds, CPU seconds (user + system: less disturbed by a busy machine) and peak RSS of each "
         "command's own process; budgets are judged on wall time. naive = pandas + networkx, same questions, "
         "one run."),
        "",
        "| command | wall s | cpu s | peak MB | rows | budget | met? | naive wall s | naive cpu s | naive peak MB | naive rows |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c in res["commands"]:
        wall = f"{c['seconds']:.2f}"
        nwall = f"{c['naive']['seconds']:.2f}"
        if "rows_per_s" in c:
            wall += f" ({c['rows_per_s']:,} rows/s)"
        if len(c.get("runs", ())) > 1:
            wall += " [" + ", ".join(f"{x:.2f}" for x in c["runs"]) + "]"
        if "rows_per_s" in c["naive"]:
            nwall += f" ({c['naive']['rows_per_s']:,} rows/s)"
        met = "yes" if c["met"] else ("**no**" if c["rc"] == 0 else f"**no** (exit {c['rc']})")
        if c.get("timed_out"):
            met = "**no** (stopped at the timeout)"
        nrows = c["naive"]["rows"] if c["naive"]["rc"] == 0 else f"exit {c['naive']['rc']}"
        if c["naive"].get("timed_out"):
            nrows = "stopped at the timeout"
        lines.append(f"| `{c['command']}` | {wall} | {c['cpu']:.2f} | {c['peak_mb']:,.0f} | {c['rows']:,} | {c['budget']} | "
                     f"{met} | {nwall} | {c['naive']['cpu']:.2f} | {c['naive']['peak_mb']:,.0f} | {nrows} |")
    snap = res["snapshot_mb"]
    lines.append(f"| snapshot on disk (MB) | | | {snap if snap is not None else '—'} | | ≤ {SNAPSHOT_BUDGET_MB:g} MB | "
                 f"{'yes' if res['snapshot_met'] else '**no**'} | | | {res['naive_pickle_mb']} (pickle) | |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Whole-process CLI benchmark beside a naive pandas + networkx path")
    sub = ap.add_subparsers(dest="cmd")
    nv = sub.add_parser("naive", help="one step of the naive path (run by the benchmark as a child)")
    nv.add_argument("step")
    nv.add_argument("--data", type=Path, required=True)
    nv.add_argument("--pickle", type=Path, required=True)
    nv.add_argument("--names", required=True, help="JSON of the names (see pick_names)")
    nv.add_argument("--out", type=Path)
    ap.add_argument("--size", default="L", help="XS, S, M or L (L ≈ 1.2M edges)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--data", type=Path, default=HERE / "data", help="where generated tables are cached")
    ap.add_argument("--work", type=Path, default=None, help="where the snapshot and maps go (default: a temp folder)")
    ap.add_argument("--out", type=Path, default=HERE / "results", help="where cli-latest.{json,md} go")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds allowed per command")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each command; the median wall time is judged")
    ap.add_argument("--settle", type=float, default=3.0, help="seconds of rest before each run")
    args = ap.parse_args(argv)
    if args.cmd == "naive":
        rows = naive(args.step, args.data, args.pickle, json.loads(args.names), args.out)
        print(f"rows={rows}")
        return 0 if rows > 0 else 1
    size = args.size.strip().upper()
    args.data.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cg-bench-cli-") as tmp:
        res = run(size, args.data, args.seed, args.work or Path(tmp), args.timeout, args.repeat, args.settle)
    res["created"] = datetime.now(UTC).replace(microsecond=0).isoformat()
    res["command"] = "python -m benchmarks.bench_cli " + " ".join(argv if argv is not None else sys.argv[1:])
    res["budgets"] = BUDGETS | {"snapshot_mb": SNAPSHOT_BUDGET_MB}
    from graphmodel.atomic import atomic_write_text

    args.out.mkdir(parents=True, exist_ok=True)
    md = markdown(res)
    atomic_write_text(args.out / "cli-latest.json", json.dumps(res, indent=2) + "\n")
    atomic_write_text(args.out / "cli-latest.md", md)
    print(md)
    failed = [c["command"] for c in res["commands"] if c["rc"] != 0 or c["rows"] == 0
              or c["naive"]["rc"] != 0 or c["naive"]["rows"] == 0]
    for c in failed:
        print(f"error: {c} gave no answer", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
