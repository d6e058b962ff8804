"""Coverage of every site (the whole graph read in one pass, each site in its ultimate parent's
group) gives the same rows as coverage of each group (read node by node) for the sites placed
alike, on a generated (fictional) graph (the session-scoped ``xs`` of tests/generated.py)."""

from __future__ import annotations

import pandas as pd

from graphmodel.graph import CampaignGraph
from queries.coverage import COVERAGE_COLUMNS, EXTRA_COLUMNS, coverage

AS_OF = "2025-06-30"


def test_all_sites_pass_equals_per_group_path(xs: CampaignGraph) -> None:
    g = xs
    fast = coverage(g, as_of=AS_OF, status="all")  # every site, whatever its status
    assert len(fast) == len(g.node_ids("Site")) > 100
    assert list(fast.columns) == list(COVERAGE_COLUMNS) + list(EXTRA_COLUMNS)
    compared = 0
    for root in sorted(fast["ultimate_parent_id"].dropna().unique()):
        slow = coverage(g, root, as_of=AS_OF, status="all").set_index("site_id")
        mine = fast[fast["ultimate_parent_id"] == root].set_index("site_id")
        for site, row in mine.iterrows():
            # a site with one operator sits in its ultimate parent's group the same way on both paths
            if site not in slow.index or len(g.in_edges(site, "OPERATES", as_of=AS_OF)) != 1:
                continue
            ref = slow.loc[site]
            if ref["membership"] not in ("root", "controlled"):
                continue
            for col in fast.columns:
                if col == "site_id":
                    continue
                a, b = row[col], ref[col]
                if not isinstance(a, list) and pd.isna(a):
                    assert not isinstance(b, list) and pd.isna(b), (site, col, b)
                else:
                    assert a == b, (site, col, a, b)
            compared += 1
    assert compared > 0.5 * len(fast)
