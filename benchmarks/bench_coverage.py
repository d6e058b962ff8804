"""Coverage on one snapshot in its two layouts: CPU seconds of ``queries.coverage`` on the graph
held in networkx (``load_snapshot(..., columnar=False)``) and on the graph as ``load_snapshot``
gives it (columnar by default), side by side in one process, with the two answers compared for
equality (every site whatever its status, and the largest group).

Run from the repository root::

    .venv/bin/python -m benchmarks.bench_coverage benchmarks/data/M-seed7.snapshot --repeats 3

Prints one JSON object. At L this needs two loaded graphs (about 4 GB) and several minutes.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any


def main(argv: list[str] | None = None) -> None:
    import pandas as pd

    from graphmodel.stores.snapshot import load_snapshot
    from queries.coverage import coverage as query

    def coverage(graph: Any, *args: Any) -> Any:
        return query(graph, *args, status="all")  # every site, whatever its status

    networkx_coverage = coverage  # the same code, read on the networkx layout

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("snapshot", type=Path)
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args(argv)
    clock = time.process_time
    new_graph = load_snapshot(args.snapshot)
    old_graph = load_snapshot(args.snapshot, columnar=False)
    out: dict[str, Any] = {"snapshot": str(args.snapshot), "cpu": {}}
    cpu: dict[str, list[float]] = {"columnar_all": [], "networkx_all": [], "columnar_group": [], "networkx_group": []}
    root = None
    for _ in range(args.repeats):
        t = clock()
        new_rows = coverage(new_graph)
        cpu["columnar_all"].append(round(clock() - t, 3))
        t = clock()
        old_rows = networkx_coverage(old_graph)
        cpu["networkx_all"].append(round(clock() - t, 3))
        pd.testing.assert_frame_equal(new_rows, old_rows, check_exact=True)
        if root is None:
            root = str(new_rows["ultimate_parent_id"].value_counts().idxmax())
        t = clock()
        new_group = coverage(new_graph, root)
        cpu["columnar_group"].append(round(clock() - t, 4))
        t = clock()
        old_group = networkx_coverage(old_graph, root)
        cpu["networkx_group"].append(round(clock() - t, 4))
        pd.testing.assert_frame_equal(new_group, old_group, check_exact=True)
    out.update(cpu=cpu, sites=len(new_rows), largest_group=root, group_sites=len(new_group), equal=True,
               still_columnar=bool(getattr(new_graph, "is_columnar", False)))
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
