"""Server-side time of the workbench's site entity page and group coverage on one snapshot.

``GET /api/nodes/{site}`` answers a site's coverage (:func:`queries.coverage.site_coverage`,
which reads only the site's neighbourhood) and ``GET /api/coverage?company=`` a group's. Both
are asked through FastAPI's ``TestClient`` in this process, so the figures are the server's
work (routing, the query, the JSON), not a browser's or the network's. Sites are picked spread
over the node order (seeded), each asked once cold and the median taken; the snapshot's
opening is not counted. Budgets (issue 18's web slice): site page <= 200 ms, group <= 500 ms.

Run from the repository root::

    .venv/bin/python -m benchmarks.time_site_page SNAP --company "Group 23 Holding" --sites 20

Prints one JSON object (milliseconds).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path
from typing import Any


def _ms(seconds: float) -> float:
    return round(seconds * 1000.0, 1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("snapshot", type=Path)
    parser.add_argument("--company", default="Group 23 Holding", help="group asked by /api/coverage (a name)")
    parser.add_argument("--sites", type=int, default=20, help="how many sites' pages to ask")
    parser.add_argument("--repeat", type=int, default=3, help="times the group is asked")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    from fastapi.testclient import TestClient

    from exports.web.app import create_app
    from graphmodel.stores.snapshot import load_snapshot

    graph = load_snapshot(args.snapshot)
    client = TestClient(create_app(graph, host="127.0.0.1", port=8765), base_url="http://127.0.0.1:8765")
    sites = graph.node_ids("Site")
    picked = random.Random(args.seed).sample(sites, min(args.sites, len(sites)))

    def ask(url: str, **params: Any) -> float:
        t = time.perf_counter()
        r = client.get(url, params=params)
        took = time.perf_counter() - t
        r.raise_for_status()
        return took

    ask(f"/api/nodes/{picked[0]}")  # the first request pays the app's and the graph's one-time set-up
    site_times = [ask(f"/api/nodes/{s}") for s in picked]
    group_times = [ask("/api/coverage", company=args.company) for _ in range(args.repeat)]
    print(json.dumps({
        "snapshot": str(args.snapshot),
        "site_page_ms": {"median": _ms(statistics.median(site_times)), "max": _ms(max(site_times)),
                         "min": _ms(min(site_times)), "n": len(site_times)},
        "group_coverage_ms": {"company": args.company, "runs": [_ms(t) for t in group_times],
                              "median": _ms(statistics.median(group_times))},
    }, indent=2))


if __name__ == "__main__":
    main()
