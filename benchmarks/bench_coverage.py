"""Coverage before/after on one snapshot: CPU seconds of the frozen earlier implementation
(``tests/queries/_reference_coverage.py``, on the graph held in networkx as it was before issue 7)
and of ``queries.coverage`` (on the graph as ``load_snapshot`` gives it, columnar by default),
side by side in one process, with the two answers compared for equality.

Run from the repository root (the reference lives in the tests package)::

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
    from tests.queries.test_coverage_differential import new_cov as coverage  # every site, as the reference
    from tests.queries.test_coverage_differential import ref_cov_frame as reference_coverage

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("snapshot", type=Path)
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args(argv)
    clock = time.process_time
    new_graph = load_snapshot(args.snapshot)
    old_graph = load_snapshot(args.snapshot, columnar=False)
    out: dict[str, Any] = {"snapshot": str(args.snapshot), "cpu": {}}
    cpu: dict[str, list[float]] = {"new_all": [], "old_all": [], "new_group": [], "old_group": []}
    root = None
    for _ in range(args.repeats):
        t = clock()
        new_rows = coverage(new_graph)
        cpu["new_all"].append(round(clock() - t, 3))
        t = clock()
        old_rows = reference_coverage(old_graph)
        cpu["old_all"].append(round(clock() - t, 3))
        pd.testing.assert_frame_equal(new_rows, old_rows, check_exact=True)
        if root is None:
            root = str(new_rows["ultimate_parent_id"].value_counts().idxmax())
        t = clock()
        new_group = coverage(new_graph, root)
        cpu["new_group"].append(round(clock() - t, 4))
        t = clock()
        old_group = reference_coverage(old_graph, root)
        cpu["old_group"].append(round(clock() - t, 4))
        pd.testing.assert_frame_equal(new_group, old_group, check_exact=True)
    out.update(cpu=cpu, sites=len(new_rows), largest_group=root, group_sites=len(new_group), equal=True,
               still_columnar=bool(getattr(new_graph, "is_columnar", False)))
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
