"""Benchmark workers: each measurement group runs in its own process (``python -m benchmarks.runner``).

The driver (:mod:`benchmarks.__main__`) starts one process per (size, group) so the sizes
do not pollute each other's memory figures, and reads back one JSON object per process.

Groups
------
``load``      load the generic CSV tables (rows/s), save the snapshot (median), size on disk
``snapload``  one snapshot load into the in-memory graph in a fresh process: time and peak RSS
``queries``   coverage for all groups and for one large group, leverage for that group,
              connections between two far nodes, map export of a focused 20k-node view, and
              the side-by-side ratios of the optimised paths to straightforward networkx ones
``browser``   render time of the default (capped) map in headless Chromium

Every timing is the median of several runs (fewer when one run is long: see :func:`timed`);
``cpu`` figures are process CPU seconds, which a busy shared machine disturbs less than wall time.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: stop repeating a measurement once its runs have taken this many seconds together
REPEAT_BUDGET_S = 20.0


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (``ru_maxrss`` is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def timed(fn: Callable[[], Any], repeats: int, budget_s: float = REPEAT_BUDGET_S) -> tuple[dict[str, Any], Any]:
    """Run ``fn`` up to ``repeats`` times (at least once; fewer once ``budget_s`` is spent).

    Returns ``({"seconds": median wall, "cpu": median CPU, "runs": n, "all": [...]}, last result)``.

    >>> stats, out = timed(lambda: 41 + 1, 3)
    >>> out, stats["runs"]
    (42, 3)
    """
    walls: list[float] = []
    cpus: list[float] = []
    result: Any = None
    spent = 0.0
    for _ in range(max(1, repeats)):
        gc.collect()
        c0, t0 = time.process_time(), time.perf_counter()
        result = fn()
        t1, c1 = time.perf_counter(), time.process_time()
        walls.append(t1 - t0)
        cpus.append(c1 - c0)
        spent += t1 - t0
        if spent >= budget_s:
            break
    return (
        {
            "seconds": round(statistics.median(walls), 4),
            "cpu": round(statistics.median(cpus), 4),
            "runs": len(walls),
            "all": [round(w, 4) for w in walls],
        },
        result,
    )


def folder_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.iterdir() if f.is_file())


# ---------------------------------------------------------------------------------- load
def run_load(data: Path, snapshot: Path, repeats: int) -> dict[str, Any]:
    """Load the CSV tables, then save the snapshot ``repeats`` times into fresh folders."""
    from graphmodel.stores.snapshot import save_snapshot
    from loaders.registry import load_paths

    out: dict[str, Any] = {}
    holder: dict[str, Any] = {}

    def load() -> Any:
        holder.pop("g", None)
        gc.collect()
        g, ctx = load_paths([data], fmt="tables")
        holder["g"] = g
        return ctx

    stats, ctx = timed(load, repeats)
    g = holder["g"]
    rows = int(ctx.summary()["rows_read"])
    stats.update(rows=rows, rows_per_s=round(rows / stats["seconds"]), rows_per_cpu_s=round(rows / stats["cpu"]),
                 errors=len(ctx.errors))
    out["load_tables"] = stats
    out["graph"] = {"nodes": g.number_of_nodes(), "edges": g.number_of_edges()}
    del ctx
    tmp = Path(tempfile.mkdtemp(prefix="cg-bench-save-"))
    try:
        counter = iter(range(1000))

        def save() -> None:
            save_snapshot(g, tmp / f"s{next(counter)}", created="2026-01-01T00:00:00+00:00")

        stats, _ = timed(save, repeats)
        out["snapshot_save"] = stats
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if snapshot.exists():
        shutil.rmtree(snapshot)
    save_snapshot(g, snapshot, created="2026-01-01T00:00:00+00:00")
    out["snapshot_size"] = {"bytes": folder_bytes(snapshot), "mb": round(folder_bytes(snapshot) / 1e6, 2)}
    out["load_tables"]["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return out


# ---------------------------------------------------------------------------------- snapshot load
def run_snapload(snapshot: Path) -> dict[str, Any]:
    """One snapshot load in this (fresh) process: wall/CPU time, peak RSS before and after."""
    from graphmodel.stores.snapshot import load_snapshot

    base = peak_rss_mb()
    c0, t0 = time.process_time(), time.perf_counter()
    g = load_snapshot(snapshot)
    t1, c1 = time.perf_counter(), time.process_time()
    return {
        "seconds": round(t1 - t0, 4),
        "cpu": round(c1 - c0, 4),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "rss_before_mb": round(base, 1),
        "nodes": g.number_of_nodes(),
    }


# ---------------------------------------------------------------------------------- queries
def _far_pair(graph: Any, start: str, max_hops: int) -> tuple[str, int]:
    """The Site farthest from ``start`` (undirected, at most ``max_hops``, links of the default
    path kinds whatever their dates), by plain BFS; ties go to the largest id.

    Never reads ``graph.nx`` (which would build the networkx graph of a columnar snapshot and
    so change what the timed queries after it measure): a columnar graph is walked on its
    numpy arrays, an ordinary one through ``out_edges`` / ``in_edges``.
    """
    from queries.connections import DEFAULT_PATH_KINDS

    kinds = frozenset(DEFAULT_PATH_KINDS)
    c = graph.adjacency()
    if c is not None:
        import numpy as np

        ok = c.kind_mask(kinds)
        far = np.full(len(c.ids), -1, dtype=np.int64)
        s = c.row[start]
        far[s] = 0
        frontier = np.asarray([s], dtype=np.int64)
        for d in range(1, max_hops + 1):
            rows_out, _ = c.gather(frontier, True)
            rows_in, _ = c.gather(frontier, False)
            others = np.concatenate((c.dst[rows_out[ok[rows_out]]], c.src[rows_in[ok[rows_in]]]))
            others = np.unique(others[far[others] < 0])
            if not len(others):
                break
            far[others] = d
            frontier = others
        sites = c.node_kind_mask(frozenset({"Site"})) & (far >= 0)
        sites[s] = False
        best = max((int(far[r]), c.ids[r]) for r in np.flatnonzero(sites).tolist())
        return best[1], best[0]
    dist = {start: 0}
    queue = deque([start])
    while queue:
        n = queue.popleft()
        if dist[n] >= max_hops:
            continue
        for o in [v for _, _, v, a in graph.out_edges(n) if a["kind"] in kinds] + [
            u for _, u, _, a in graph.in_edges(n) if a["kind"] in kinds
        ]:
            if o not in dist:
                dist[o] = dist[n] + 1
                queue.append(o)
    found = max((d, n) for n, d in dist.items() if graph.kind_of(n) == "Site" and n != start)
    return found[1], found[0]


def nx_effective_stakes_all(graph: Any, roots: list[str]) -> dict[str, dict[str, float]]:
    """Straightforward networkx reference: per root, a Python fixpoint walk over OWNS out-edges.

    Same semantics as the sparse path (sum over every path of the products of known equity
    shares, capped at 100 %), one dict-based walk per root.
    """
    from graphmodel.values import in_force, normalise_as_of

    day = normalise_as_of(None)
    G = graph.nx
    pair: dict[tuple[str, str], float] = {}  # parallel edges in force: one holding, the best-known share
    for u, v, a in G.edges(data=True):
        if a["kind"] == "OWNS" and a.get("share") and in_force(a.get("valid_from"), a.get("valid_to"), day):
            pair[(u, v)] = max(pair.get((u, v), 0.0), min(float(a["share"]), 100.0) / 100.0)
    out_w: dict[str, list[tuple[str, float]]] = {}
    for (u, v), w in pair.items():
        out_w.setdefault(u, []).append((v, w))
    result = {}
    for r in roots:
        # x = e_r + W^T x by fixed-point iteration (the Leontief series), clipped to 100 % at the
        # end as the solver does; cross-holdings below 100 % make it converge geometrically
        x = {r: 1.0}
        for _ in range(1000):
            nxt = {r: 1.0}
            for h, val in x.items():
                for v, w in out_w.get(h, ()):
                    nxt[v] = nxt.get(v, 0.0) + val * w
            if nxt.keys() == x.keys() and all(abs(nxt[k] - x[k]) < 1e-13 for k in x):
                x = nxt
                break
            x = nxt
        out = {k: min(100.0, v * 100.0) for k, v in x.items() if round(v * 100.0, 9) > 0.0}
        out[r] = 100.0
        result[r] = out
    return result


def run_queries(snapshot: Path, repeats: int, map_nodes: int) -> dict[str, Any]:
    from graphmodel.stores.snapshot import load_snapshot
    from queries.connections import connections
    from queries.coverage import coverage
    from queries.leverage import leverage

    g = load_snapshot(snapshot)
    out: dict[str, Any] = {}
    stats, rows = timed(lambda: coverage(g), repeats)
    stats["rows"] = len(rows)
    out["coverage_all"] = stats
    root = str(rows["ultimate_parent_id"].value_counts().idxmax())
    stats, grows = timed(lambda: coverage(g, root), repeats)
    stats.update(rows=len(grows), company=root)
    out["coverage_group"] = stats
    stats, lev = timed(lambda: leverage(g, root), repeats)
    stats.update(rows=len(lev), company=root, engine=lev.attrs.get("engine"))
    out["leverage_group"] = stats
    a = str(grows["site_id"].iloc[0])
    b, hops = _far_pair(g, a, 6)
    stats, paths = timed(lambda: connections(g, a, b), max(repeats, 5))
    stats.update(a=a, b=b, bfs_hops=hops, paths=len(paths))
    out["connections"] = stats
    out["map_focused"] = _map_export(g, root, map_nodes, repeats)
    out["ratios"] = _ratios(g, rows, repeats)
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return out


def _map_export(g: Any, root: str, map_nodes: int, repeats: int) -> dict[str, Any]:
    """A focused view of ``map_nodes`` nodes around the group's root, written as HTML.

    The view is the neighbourhood of the root with the fewest hops (4 or more) that holds
    ``map_nodes`` nodes, so the measured map really has that many (at 4 hops the largest
    group's neighbourhood has about 5k nodes at M and L); ``hops`` and ``ball`` (nodes within
    that many hops, before the cut) are reported. The first run also builds caches (for a
    columnar graph, the attribute dicts of the kinds shown): ``all`` keeps every run.
    """
    from exports.netmap import render_map, select_view
    from graphmodel.atomic import atomic_write_text

    hops = 4
    while True:
        probe = select_view(g, around=root, hops=hops, max_nodes=map_nodes, coverage_status=False)
        if len(probe.nodes) >= map_nodes or hops >= 10:
            break
        hops += 1
    tmp = Path(tempfile.mkdtemp(prefix="cg-bench-map-"))
    try:
        sel, view = timed(lambda: select_view(g, around=root, hops=hops, max_nodes=map_nodes, coverage_status=False),
                          repeats)

        def render() -> int:
            html = render_map(g, view)
            atomic_write_text(tmp / "map.html", html)  # as write_map writes it
            return len(html)

        stats, size = timed(render, repeats)
        stats.update(select_seconds=sel["seconds"], select_cpu=sel["cpu"], select_all=sel["all"], nodes=len(view.nodes),
                     edges=len(view.edges), html_bytes=size, hops=hops, ball=len(view.nodes) + view.omitted_total,
                     columnar=bool(getattr(g, "is_columnar", False)))
        stats["total_seconds"] = round(stats["seconds"] + sel["seconds"], 4)
        stats["total_cpu"] = round(stats["cpu"] + sel["cpu"], 4)
        return stats
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _ratios(g: Any, rows: Any, repeats: int) -> dict[str, Any]:
    """Optimised path vs the straightforward networkx path, side by side on the same graph."""
    import networkx as nx

    from queries.ownership import OwnershipIndex

    out: dict[str, Any] = {}
    # 1. the snapshot's graph build: the columnar store from the Arrow tables (what
    # load_snapshot does after reading the files) vs a networkx MultiDiGraph with one attribute
    # dict per node and edge (add_nodes_from/add_edges_from, what the graph was before)
    from graphmodel.stores.snapshot import graph_from_tables

    ntable, etable = g.node_table(), g.edge_table()
    sources = dict(g.sources)

    def fast() -> None:
        graph_from_tables(ntable, etable, sources, columnar=True)

    def plain() -> None:
        h = nx.MultiDiGraph()
        h.add_nodes_from((n, dict(a)) for n, a in g.nodes())
        h.add_edges_from((u, v, k, dict(a)) for k, u, v, a in g.edges())

    f, _ = timed(fast, repeats)
    p, _ = timed(plain, 1)
    out["graph_build"] = {"optimised_s": f["seconds"], "networkx_s": p["seconds"],
                          "optimised_cpu": f["cpu"], "networkx_cpu": p["cpu"],
                          "speedup": round(p["seconds"] / max(f["seconds"], 1e-9), 2),
                          "what": "columnar store from the snapshot's Arrow tables vs networkx MultiDiGraph "
                                  "add_nodes_from+add_edges_from"}
    # 2. effective stakes of every group root: sparse (scipy) vs a per-root networkx walk
    roots = sorted(set(rows["ultimate_parent_id"].dropna()))
    idx = OwnershipIndex(g)

    def sparse_all() -> dict[str, dict[str, float]]:
        fn = getattr(idx, "effective_stakes_many", None)
        if fn is not None:
            return fn(roots)
        return {r: idx.effective_stakes(r) for r in roots}

    f, fast_res = timed(sparse_all, repeats)
    p, nx_res = timed(lambda: nx_effective_stakes_all(g, roots), repeats)
    worst = 0.0
    for r in roots:
        a_, b_ = fast_res.get(r, {}), nx_res.get(r, {})
        for k in set(a_) | set(b_):
            worst = max(worst, abs(a_.get(k, 0.0) - b_.get(k, 0.0)))
    out["effective_stakes_all_groups"] = {
        "optimised_s": f["seconds"], "networkx_s": p["seconds"],
        "speedup": round(p["seconds"] / max(f["seconds"], 1e-9), 2), "roots": len(roots),
        "max_abs_difference_pct": worst,
        "what": "OwnershipIndex (scipy.sparse) vs per-root networkx walk",
    }
    # 3. betweenness on the supply projection: igraph (when installed) vs networkx, exact.
    # The whole supply component is far too big for exact betweenness in either library at
    # M and L (O(nodes x edges)), so both run on the same 1000-node ball of it.
    supply = nx.Graph()
    supply.add_edges_from((u, v) for u, v, a in g.nx.edges(data=True) if a["kind"] == "SUPPLIES")
    comp = max(nx.connected_components(supply), key=len) if supply.number_of_nodes() else set()
    sub = supply.subgraph(comp)
    # (networkx exact took 230 s on the 4k-node component of size S)
    if sub.number_of_nodes() > 2:
        hub = max(sub.degree, key=lambda x: (x[1], x[0]))[0]
        ball = list(dict.fromkeys(n for _, n in nx.bfs_edges(sub, hub)))[:999] + [hub]
        small = sub.subgraph(ball).copy()
        r: dict[str, Any] = {"nodes": small.number_of_nodes(), "what": "igraph vs networkx exact betweenness, 1000-node supply ball"}
        p, nx_b = timed(lambda: nx.betweenness_centrality(small, normalized=False), 1)
        r["networkx_s"] = p["seconds"]
        try:
            import igraph as ig

            names = list(small.nodes)
            index = {x: i for i, x in enumerate(names)}
            h2 = ig.Graph(n=len(names), edges=[(index[u], index[v]) for u, v in small.edges()], directed=False)
            f, ig_b = timed(lambda: h2.betweenness(directed=False), repeats)
            r["optimised_s"] = f["seconds"]
            r["speedup"] = round(p["seconds"] / max(f["seconds"], 1e-9), 2)
            r["max_abs_difference"] = max(abs(ig_b[i] - nx_b[names[i]]) for i in range(len(names)))
        except ImportError:
            r["optimised_s"] = None
        out["betweenness_supply"] = r
    # 4. map: pyvis from_nx (quadratic) vs our direct list filling, on a 2000-node view
    try:
        from pyvis.network import Network

        from exports.netmap import map_data, select_view

        view = select_view(g, around=str(rows["ultimate_parent_id"].iloc[0]), hops=4, max_nodes=2000, coverage_status=False)
        sub = g.nx.subgraph(view.nodes)
        f, _ = timed(lambda: map_data(g, view), repeats)

        def pyvis() -> None:
            net = Network()
            net.from_nx(nx.DiGraph(sub))

        p, _ = timed(pyvis, 1)
        out["map_lists"] = {"optimised_s": f["seconds"], "pyvis_from_nx_s": p["seconds"], "nodes": len(view.nodes),
                            "speedup": round(p["seconds"] / max(f["seconds"], 1e-9), 2),
                            "what": "exports.netmap.map_data vs pyvis Network.from_nx"}
    except ImportError:
        pass
    return out


# ---------------------------------------------------------------------------------- browser
def _tree_cpu() -> dict[int, float]:
    """CPU seconds (user + system) of every descendant process of this one, by pid (Linux ``/proc``).

    Chromium runs in several processes (browser, renderer, GPU); their CPU over a page's
    life is a steadier figure than wall time on a machine shared with other work.
    """
    tick = os.sysconf("SC_CLK_TCK")
    parent: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat", encoding="ascii", errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent[int(d)] = int(fields[1])
        cpu[int(d)] = (int(fields[11]) + int(fields[12])) / tick
    children: dict[int, list[int]] = {}
    for pid, pp in parent.items():
        children.setdefault(pp, []).append(pid)
    out: dict[int, float] = {}
    stack = [os.getpid()]
    while stack:
        for kid in children.get(stack.pop(), ()):
            out[kid] = cpu[kid]
            stack.append(kid)
    return out


def run_browser(snapshot: Path) -> dict[str, Any]:
    """Time until the default (capped) maps have stabilised in headless Chromium.

    Two maps with the default cap (``exports.netmap.DEFAULT_MAX_NODES``): the largest group's
    map (``company=root``; the top-level figures) and the neighbourhood of its root within
    4 hops (``capped``: far more nodes than the cap, so the cut applies). Each page is opened
    three times in a fresh browser context: the median wall time from navigation until
    ``window.campaignMap.stabilized``, and the median CPU of Chromium's processes meanwhile.
    """
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(chromium):
        return {"skipped": "no chromium"}
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"skipped": "playwright not installed"}
    from exports.netmap import DEFAULT_MAX_NODES, map_options, write_map
    from graphmodel.stores.snapshot import load_snapshot
    from queries.coverage import coverage

    g = load_snapshot(snapshot)
    root = str(coverage(g)["ultimate_parent_id"].value_counts().idxmax())
    tmp = Path(tempfile.mkdtemp(prefix="cg-bench-browser-"))
    try:
        maps = {"group": write_map(g, tmp / "group.html", company=root),
                "capped": write_map(g, tmp / "capped.html", around=root, hops=4)}
        out: dict[str, Any] = {}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            for name, view in maps.items():
                walls, loads, cpus = [], [], []
                for _ in range(3):
                    page = browser.new_context(bypass_csp=True).new_page()  # the page's CSP forbids string eval
                    c0 = _tree_cpu()
                    t0 = time.perf_counter()
                    page.goto((tmp / f"{name}.html").resolve().as_uri(), wait_until="load", timeout=60_000)
                    loads.append(time.perf_counter() - t0)
                    page.wait_for_function("window.campaignMap && window.campaignMap.stabilized", timeout=120_000)
                    walls.append(time.perf_counter() - t0)
                    c1 = _tree_cpu()
                    cpus.append(sum(v - c0.get(k, 0.0) for k, v in c1.items()))
                    page.context.close()
                out[name] = {"seconds": round(statistics.median(walls), 3), "cpu": round(statistics.median(cpus), 3),
                             "load_seconds": round(statistics.median(loads), 3), "all": [round(w, 3) for w in walls],
                             "nodes": len(view.nodes), "edges": len(view.edges), "omitted": view.omitted_total,
                             "iterations": map_options(len(view.nodes))["physics"]["stabilization"]["iterations"]}
            browser.close()
        res = dict(out["group"])
        res.update(company=root, max_nodes=DEFAULT_MAX_NODES, capped=out["capped"])
        return res
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="one benchmark group in this process; prints JSON")
    ap.add_argument("group", choices=["load", "snapload", "queries", "browser"])
    ap.add_argument("--data", type=Path)
    ap.add_argument("--snapshot", type=Path, required=True)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--map-nodes", type=int, default=20_000)
    args = ap.parse_args(argv)
    if args.group == "load":
        res = run_load(args.data, args.snapshot, args.repeats)
    elif args.group == "snapload":
        res = run_snapload(args.snapshot)
    elif args.group == "queries":
        res = run_queries(args.snapshot, args.repeats, args.map_nodes)
    else:
        res = run_browser(args.snapshot)
    sys.stdout.write(json.dumps(res) + "\n")


if __name__ == "__main__":
    main()
