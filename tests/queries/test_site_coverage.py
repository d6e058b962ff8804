"""``site_coverage``: one site's row, in its ultimate parent's group, read from its neighbourhood.

Oracles: :func:`queries.coverage.coverage` of that group (``company=`` the site's ultimate
parent, every status), and over every site (``company=None``), which places each site in its
ultimate parent's group from one pass over the whole graph: the values and the placement are
that run's; the reasons are the group run's (where two findings of equal rank could give the
reason, the whole-graph run may name the other: 11 of 720 rows of 12 seeds here, values identical). Random
graphs (tests/queries/random_graphs.py) with joint ventures, unpublished shares, dated edges and
agreements.
"""

from __future__ import annotations

import pytest

from exports.tables import table_records
from graphmodel.errors import CampaignGraphError
from queries.coverage import coverage, site_coverage
from tests.queries.random_graphs import random_campaign_graph


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("day", ["2019-06-30", "2024-06-30"])
def test_one_sites_row_is_the_all_sites_row(seed: int, day: str) -> None:
    g = random_campaign_graph(seed)
    every = coverage(g, None, as_of=day, status="all").set_index("site_id", drop=False)
    assert len(every) == len(g.node_ids("Site"))
    groups: dict[str, dict[str, dict]] = {}
    for site in g.node_ids("Site"):
        one = site_coverage(g, site, as_of=day)
        assert len(one) == 1
        # compared as the JSON rows (exports.tables.table_records): a one-row frame types an
        # all-missing column as objects where the whole frame has floats; the values are the same
        [row] = table_records(one)
        [whole] = table_records(every.loc[[site]])
        texts = {"reasons", "evidence", *(k for k in row if k.endswith("_reason"))}
        assert {k: v for k, v in row.items() if k not in texts} == {k: v for k, v in whole.items() if k not in texts}
        root = whole["ultimate_parent_id"]
        if root is None:  # no operator: no group to ask
            assert row == whole
            continue
        if root not in groups:
            groups[root] = {r["site_id"]: r for r in table_records(coverage(g, root, as_of=day, status="all"))}
        assert row == groups[root][site], site
        assert one.attrs["as_of"] == day


def test_a_node_that_is_no_site_is_refused() -> None:
    g = random_campaign_graph(0)
    company = g.node_ids("Company")[0]
    with pytest.raises(CampaignGraphError, match="not a Site"):
        site_coverage(g, company)


@pytest.mark.parametrize("seed", range(6))
def test_many_sites_in_one_pass_are_their_all_sites_rows(seed: int) -> None:
    """``sites_coverage``: a shuffled half of the sites (and one twice) in one call, each row the
    whole-graph run's (values, placement) and its group run's (reasons too)."""
    import random

    from queries.coverage import sites_coverage

    day = "2024-06-30"
    g = random_campaign_graph(seed)
    sites = g.node_ids("Site")
    chosen = random.Random(seed).sample(sites, max(1, len(sites) // 2))
    df = sites_coverage(g, [*chosen, chosen[0]], as_of=day)
    assert sorted(df["site_id"]) == sorted(chosen) and df.attrs["as_of"] == day
    every = {r["site_id"]: r for r in table_records(coverage(g, None, as_of=day, status="all"))}
    groups: dict[str, dict[str, dict]] = {}
    for row in table_records(df):
        whole = every[row["site_id"]]
        texts = {"reasons", "evidence", *(k for k in row if k.endswith("_reason"))}
        assert {k: v for k, v in row.items() if k not in texts} == {k: v for k, v in whole.items() if k not in texts}
        root = whole["ultimate_parent_id"]
        if root is None:
            assert row == whole
            continue
        if root not in groups:
            groups[root] = {r["site_id"]: r for r in table_records(coverage(g, root, as_of=day, status="all"))}
        assert row == groups[root][row["site_id"]]
