"""Coverage and ownership checked against independent oracles (no copy of the production code).

- Effective stakes: the Leontief inverse (I - W)^-1 of the known-share matrix, solved with numpy
  (docs/semantics.md, "Effective stake"), on seeded random graphs and the generated XS graph;
  on acyclic share graphs also the brute-force sum over ``nx.all_simple_paths``.
- Ultimate parents: the upward chain is a real OWNS path (each hop an edge valid on the day).
- Two layouts, one code: a graph loaded from a snapshot in columnar mode gives exactly the answers
  of the same snapshot held in networkx (every coverage and ownership entry point, both membership
  rules, thresholds, ``members="known"``, several dates), on the hand-built fixtures of
  ``test_coverage``, seeded random fictional graphs (``random_graphs``) and generated graphs.
- Properties: the all-sites pass equals the per-group rows for the same sites; many roots at once
  equal one root at a time.
Hand-worked answers for these entry points are in test_coverage, test_ownership and test_stakes.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from graphmodel.graph import CampaignGraph
from graphmodel.stores.snapshot import load_snapshot, save_snapshot
from queries import ownership
from queries.coverage import coverage
from tests.queries.random_graphs import random_campaign_graph
from tests.queries.test_coverage import _cba_graph, base

DATES = ("2019-01-01", "2024-06-30", "2028-06-30")


# --------------------------------------------------------------------------- oracles
def known_part(a: dict) -> float | None:
    """The equity share an OWNS edge proves (docs/semantics.md): the share, else the lower end of a
    published range; None when nothing is published. Voting rights decide control, not stakes."""
    for prop in ("share", "share_min"):
        if a.get(prop) is not None:
            return float(a[prop])
    return None


def share_matrix(g: CampaignGraph, as_of: str) -> tuple[list[str], np.ndarray]:
    """Holders and held entities with W[i, j] = the share (0..1) node i is proved to hold in node j on
    ``as_of``, parallel edges valid on the same day added."""
    ids = [x for k in ("Company", "Investor", "Person") for x in g.node_ids(k)]
    pos = {x: i for i, x in enumerate(ids)}
    w = np.zeros((len(ids), len(ids)))
    for _, u, v, a in g.edges("OWNS", as_of=as_of):
        share = known_part(dict(a))
        if share is not None and u in pos and v in pos:
            w[pos[u], pos[v]] += share / 100.0
    return ids, w


def leontief_stakes(g: CampaignGraph, root: str, as_of: str) -> dict[str, float]:
    """Effective stakes of ``root`` by the series over every ownership walk, (I - W^T)^-1 e_root, capped at 100."""
    ids, w = share_matrix(g, as_of)
    e = np.zeros(len(ids))
    e[ids.index(root)] = 1.0
    x = np.linalg.solve(np.eye(len(ids)) - w.T, e)
    return {i: min(100.0, 100.0 * v) for i, v in zip(ids, x) if i != root and v > 1e-12}


def simple_path_stakes(g: CampaignGraph, root: str, as_of: str) -> dict[str, float]:
    """Brute force on an acyclic share graph: sum over every simple path of the product of shares."""
    ids, w = share_matrix(g, as_of)
    dg = nx.DiGraph()
    dg.add_nodes_from(ids)
    for i, j in zip(*np.nonzero(w)):
        dg.add_edge(ids[i], ids[j], w=w[i, j])
    assert nx.is_directed_acyclic_graph(dg)
    out: dict[str, float] = {}
    for target in nx.descendants(dg, root):
        total = sum(float(np.prod([dg[a][b]["w"] for a, b in itertools.pairwise(p)]))
                    for p in nx.all_simple_paths(dg, root, target))
        out[target] = min(100.0, 100.0 * total)
    return out


def assert_stakes_equal_oracle(got: dict[str, float], want: dict[str, float], root: str) -> None:
    """Every stake the oracle finds, and nothing else but the root's own 100 %."""
    assert got.get(root, 100.0) == 100.0
    for node, value in want.items():
        assert got.get(node, 0.0) == pytest.approx(value, abs=1e-6), node
    extra = {k: v for k, v in got.items() if k not in want and k != root and v > 1e-9}
    assert not extra, extra


def assert_chain_is_an_owns_path(g: CampaignGraph, entity: str, day: str) -> None:
    up = ownership.ultimate_parent(g, entity, as_of=day)
    assert up.chain[0] == entity and up.chain[-1] == up.id
    assert len(set(up.chain)) == len(up.chain)
    for child, parent in zip(up.chain, up.chain[1:]):
        assert any(s == parent for _, s, _, _ in g.in_edges(child, "OWNS", as_of=day)), (child, parent)


# --------------------------------------------------------------------------- stakes against numpy / networkx
@pytest.mark.parametrize("seed", range(8))
def test_effective_stakes_equal_the_leontief_inverse_on_random_graphs(seed: int) -> None:
    g = random_campaign_graph(seed)
    roots = ["c0", "c1", "c2", "c9", "inv", "per"]
    n = 0
    for day in DATES:
        idx = ownership.OwnershipIndex(g, as_of=day)
        for r in roots:
            want = leontief_stakes(g, r, day)
            assert_stakes_equal_oracle(ownership.effective_stakes(g, r, as_of=day), want, r)
            assert_stakes_equal_oracle(idx.effective_stakes(r), want, r)
            assert_chain_is_an_owns_path(g, r, day)
            n += len(want)
    assert n > 0


def test_effective_stakes_equal_the_sum_over_simple_paths_on_an_acyclic_fixture() -> None:
    """Hand-built diamond (fictional): h owns 60 % of a and 30 % of b; a owns 50 % of b; b owns 80 % of s.
    Worked: b = 0.30 + 0.60*0.50 = 0.60; s = 0.60*0.80 = 0.48; brute force over paths agrees."""
    g = CampaignGraph()
    for i in ("h", "a", "b", "s"):
        g.add_node(i, "Company", f"Company {i.upper()}")
    g.add_edge("h", "a", "OWNS", share=60)
    g.add_edge("h", "b", "OWNS", share=30)
    g.add_edge("a", "b", "OWNS", share=50)
    g.add_edge("b", "s", "OWNS", share=80)
    got = ownership.effective_stakes(g, "h", as_of="2024-06-30")
    want = {"a": 60.0, "b": 60.0, "s": 48.0}
    assert simple_path_stakes(g, "h", "2024-06-30") == pytest.approx(want)
    assert_stakes_equal_oracle(got, want, "h")


def test_effective_stakes_equal_the_leontief_inverse_on_generated_xs(xs: CampaignGraph) -> None:
    day = "2025-06-30"
    every = coverage(xs, as_of=day, status="all")
    roots = every["ultimate_parent_id"].value_counts().index[:5].tolist()
    idx = ownership.OwnershipIndex(xs, as_of=day)
    many = idx.effective_stakes_many(roots)
    for r in roots:
        want = leontief_stakes(xs, r, day)
        assert len(want) > 0
        assert_stakes_equal_oracle(many[r], want, r)
        assert_chain_is_an_owns_path(xs, r, day)


def test_effective_stakes_of_many_roots_equal_one_at_a_time() -> None:
    for seed in range(6):
        g = random_campaign_graph(seed, companies=25, sites=10)
        for day in DATES:
            idx = ownership.OwnershipIndex(g, as_of=day)
            roots = [x for k in ("Company", "Investor", "Person") for x in g.node_ids(k)]
            many = idx.effective_stakes_many(roots)
            assert many == {r: ownership.OwnershipIndex(g, as_of=day).effective_stakes(r) for r in roots}


# --------------------------------------------------------------------------- all sites == per group
UNION_RUN = re.compile(r"Union \d+(?:, Union \d+)+")  # a listed run of random_graphs' union names


def _items(value: object) -> object:
    """A list sorted, or a text with each run of union names sorted (for comparing in any order)."""
    if isinstance(value, list):
        return sorted(map(str, value))
    if isinstance(value, str):
        return UNION_RUN.sub(lambda m: ", ".join(sorted(m.group(0).split(", "))), value)
    return value


def assert_all_sites_equal_per_group(g: CampaignGraph, day: str, *, any_order: bool = False, **kw: object) -> int:
    """Each site of the all-sites pass that sits in its ultimate parent's group with one operator
    has the row the per-group query gives it (``any_order``: listed items in any order); returns
    the number compared."""
    every = coverage(g, as_of=day, status="all", **kw)  # type: ignore[arg-type]
    assert len(every) == len(g.node_ids("Site"))
    compared = 0
    for root in sorted(every["ultimate_parent_id"].dropna().unique()):
        per = coverage(g, root, as_of=day, status="all", **kw).set_index("site_id")  # type: ignore[arg-type]
        mine = every[every["ultimate_parent_id"] == root].set_index("site_id")
        for site, row in mine.iterrows():
            if site not in per.index or len(g.in_edges(site, "OPERATES", as_of=day)) != 1:
                continue
            ref = per.loc[site]
            if ref["membership"] not in ("root", "controlled"):
                continue
            for col in every.columns.drop("site_id"):
                a, b = row[col], ref[col]
                if not isinstance(a, list) and pd.isna(a):
                    assert not isinstance(b, list) and pd.isna(b), (site, col, b)
                elif any_order:
                    assert _items(a) == _items(b), (site, col, a, b)
                else:
                    assert a == b, (site, col, a, b)
            compared += 1
    return compared


# Known defect (found by this test, left to the coverage work of issue 18): when a union has two
# REPRESENTS edges to a site, one of them out of date, the all-sites pass lists the site's unions in
# whole-graph edge order and the per-group path in the site's in-edge order, so the reason texts
# and evidence differ in order (seed 0: site s26, "Union 0, Union 5" against "Union 5, Union 0").
ORDER_DEFECT = pytest.mark.xfail(strict=True, reason="all-sites pass and per-group path order a site's unions differently")


@pytest.mark.parametrize("seed", [pytest.param(0, marks=ORDER_DEFECT)])
def test_all_sites_pass_equals_per_group_rows_in_order_on_random_graphs(seed: int) -> None:
    g = random_campaign_graph(seed)
    assert sum(assert_all_sites_equal_per_group(g, day) for day in DATES) > 0


@pytest.mark.parametrize("seed", range(4))
def test_all_sites_pass_equals_per_group_rows_on_random_graphs(seed: int) -> None:
    """The same, with the order of listed items (the defect above) not compared."""
    g = random_campaign_graph(seed)
    assert sum(assert_all_sites_equal_per_group(g, day, any_order=True) for day in DATES) > 0
    assert assert_all_sites_equal_per_group(g, DATES[1], any_order=True, require="gfa,network") > 0


# --------------------------------------------------------------------------- columnar == networkx layout
def assert_same_frame(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Equal columns, dtypes, index, values (lists compared as lists) and attrs."""
    assert list(a.columns) == list(b.columns)
    assert list(a.dtypes) == list(b.dtypes)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    for col in a.columns:  # object columns holding lists: assert_frame_equal may treat them loosely
        if a[col].dtype == object:
            assert a[col].tolist() == b[col].tolist(), col
    assert a.attrs == b.attrs


def layouts(g: CampaignGraph | None, folder: Path) -> tuple[CampaignGraph, CampaignGraph]:
    """(columnar, networkx) loads of ``g``'s snapshot (``None``: the snapshot is in ``folder`` already)."""
    if g is not None:
        save_snapshot(g, folder)
    col = load_snapshot(folder, columnar=True)
    plain = load_snapshot(folder, columnar=False)
    assert col.is_columnar and not plain.is_columnar
    return col, plain


def check_layouts(col: CampaignGraph, plain: CampaignGraph, *, dates: tuple[str, ...] = DATES,
                  roots: list[str] | None = None, variants: bool = True) -> int:
    """Every coverage and ownership entry point gives the same answer on both layouts (the variants on the
    first date); returns the count."""
    n = 0
    holders = [x for k in ("Company", "Investor", "Person") for x in plain.node_ids(k)]
    roots = holders if roots is None else roots
    for day in dates:
        for kw in ({}, {"require": "gfa,network"}, {"status": "all"}):
            assert_same_frame(coverage(col, as_of=day, **kw), coverage(plain, as_of=day, **kw))  # type: ignore[arg-type]
            n += 1
        for r in roots:
            assert_same_frame(coverage(col, r, as_of=day, status="all"), coverage(plain, r, as_of=day, status="all"))
            assert_same_frame(ownership.group(col, r, as_of=day), ownership.group(plain, r, as_of=day))
            assert ownership.effective_stakes(col, r, as_of=day) == ownership.effective_stakes(plain, r, as_of=day)
            up, up2 = ownership.ultimate_parent(col, r, as_of=day), ownership.ultimate_parent(plain, r, as_of=day)
            assert (up.id, up.chain, up.explanation) == (up2.id, up2.chain, up2.explanation)
            n += 4
            if variants and day == dates[0]:
                for kw in ({"members": "known"}, {"rule": "effective", "threshold": 10.0},
                           {"rule": "effective", "threshold": 50.0}):
                    assert_same_frame(coverage(col, r, as_of=day, status="all", **kw),  # type: ignore[arg-type]
                                      coverage(plain, r, as_of=day, status="all", **kw))  # type: ignore[arg-type]
                    assert_same_frame(ownership.group(col, r, as_of=day, **kw),  # type: ignore[arg-type]
                                      ownership.group(plain, r, as_of=day, **kw))  # type: ignore[arg-type]
                    n += 2
    assert col.is_columnar  # the queries never built networkx
    return n


def test_hand_built_fixtures_give_the_same_answers_on_both_layouts(tmp_path: Path) -> None:
    for k, g in enumerate((base(), _cba_graph())):
        assert check_layouts(*layouts(g, tmp_path / f"snap{k}"), dates=DATES[1:]) > 10


@pytest.mark.parametrize("seed", range(8))
def test_random_graphs_give_the_same_answers_on_both_layouts(seed: int, tmp_path: Path) -> None:
    # roots: a few companies high in the ownership forest, one low, the investor and the person
    col, plain = layouts(random_campaign_graph(seed), tmp_path / "snap")
    assert check_layouts(col, plain, dates=(DATES[seed % 3],), roots=["c0", "c1", "c2", "c9", "inv", "per"]) > 20


def test_generated_xs_gives_the_same_answers_on_both_layouts(xs_snapshot: Path) -> None:
    col, plain = layouts(None, xs_snapshot)
    big = coverage(plain, as_of="2025-06-30", status="all")["ultimate_parent_id"].value_counts().index[:5].tolist()
    assert check_layouts(col, plain, dates=("2025-06-30", "2019-01-01"), roots=big) > 20


@pytest.mark.slow
def test_generated_s_gives_the_same_answers_on_both_layouts(s_snapshot: Path) -> None:
    col, plain = layouts(None, s_snapshot)
    big = coverage(col, as_of="2025-06-30", status="all")["ultimate_parent_id"].value_counts().index[:3].tolist()
    assert check_layouts(col, plain, dates=("2025-06-30",), roots=big, variants=False) > 5


def test_empty_and_tiny_graphs_give_the_same_answers_on_both_layouts(tmp_path: Path) -> None:
    """No sites, a site with no operator, one operated site; the last worked by hand: Site A is
    operated by Acme Steel, its own group's root, with no union and no agreement."""
    g = CampaignGraph()
    steps = [lambda: None, lambda: g.add_node("s", "Site", "Site A"), lambda: g.add_node("c", "Company", "Acme Steel"),
             lambda: g.add_edge("c", "s", "OPERATES")]
    for k, step in enumerate(steps):
        step()
        col, plain = layouts(g, tmp_path / f"snap{k}")
        for graph in (col, plain):
            assert_same_frame(coverage(graph, as_of="2024-01-01", status="all"), coverage(g, as_of="2024-01-01", status="all"))
        if g.has_node("c"):
            assert_same_frame(coverage(col, "c", as_of="2024-01-01", status="all"),
                              coverage(g, "c", as_of="2024-01-01", status="all"))
    last = coverage(g, "c", as_of="2024-01-01", status="all")
    assert last["site_id"].tolist() == ["s"]
    assert last.loc[0, "operator_id"] == "c" and last.loc[0, "ultimate_parent_id"] == "c"
    assert last.loc[0, "membership"] == "root"
