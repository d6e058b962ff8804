"""The vectorised steps of coverage checked against plain oracles, on seeded random fictional
graphs in both layouts (networkx and columnar, from one snapshot):

- the walk down the OWNS edges in force (scipy CSR) equals ``networkx.descendants``;
- the entities on an ownership loop equal networkx's strongly connected components of two or more;
- the in-force row mask of an edge table equals :func:`graphmodel.values.in_force` per edge;
- a finding worked out once for the sites that share what its rule reads (their operators and
  groups) is what the rule gives each of those sites on its own, read node by node;
- the ``reasons``, ``uncovered`` and ``evidence`` columns (Arrow takes, numpy) equal each row's
  findings joined, checked and listed one by one as ``docs/semantics.md`` words them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from graphmodel.graph import CampaignGraph
from graphmodel.stores.snapshot import load_snapshot, save_snapshot
from graphmodel.values import in_force
from queries._frames import COVERED, NOT_COVERED
from queries.coverage import (
    DEFAULT_REQUIRE,
    DIMENSIONS,
    NOT_APPLICABLE,
    CoverageContext,
    _cba_dimension,
    _efa_dimension,
    _framework_dimension,
    _in_force_mask,
    _network_dimension,
    _union_dimensions,
    applicable_cbas,
    coverage_columns,
    place_sites,
    site_rows,
)
from tests.queries.random_graphs import DATES, random_campaign_graph

SEEDS = (1, 7, 23)


def _layouts(seed: int, folder: Path) -> list[CampaignGraph]:
    save_snapshot(random_campaign_graph(seed), folder)
    return [load_snapshot(folder, columnar=True), load_snapshot(folder, columnar=False)]


def _owns_digraph(g: CampaignGraph, day: str) -> nx.DiGraph:
    d = nx.DiGraph()
    for _e, u, v, _a in g.edges("OWNS", as_of=day):
        d.add_edge(u, v)
    return d


@pytest.mark.parametrize("seed", SEEDS)
def test_walk_down_and_loops_equal_networkx(seed: int, tmp_path: Path) -> None:
    for g in _layouts(seed, tmp_path / "snap"):
        for day in DATES:
            d = _owns_digraph(g, day)
            ctx = CoverageContext(g, day, None)
            holders = sorted(n for n, _ in g.nodes()) + ["not-a-node"]
            for x in holders:
                want = {x} | (nx.descendants(d, x) if x in d else set())
                assert ctx._walk_down([x]) == want, (seed, day, x)
            starts = holders[::3]
            assert ctx._walk_down(starts) == set(starts).union(*(nx.descendants(d, x) for x in starts if x in d))
            loops = {n for part in nx.strongly_connected_components(d) if len(part) > 1 for n in part}
            assert ctx._loop_members() == loops, (seed, day)
            ctx.close()


@pytest.mark.parametrize("seed", SEEDS)
def test_in_force_mask_equals_in_force(seed: int, tmp_path: Path) -> None:
    for g in _layouts(seed, tmp_path / "snap"):
        t = g.edge_table()
        rows = t.to_pylist()
        assert any(r.get("valid_from") or r.get("valid_to") for r in rows)  # dated edges are in the sample
        for day in DATES:
            want = [in_force(r.get("valid_from"), r.get("valid_to"), day) for r in rows]
            assert _in_force_mask(t, day).tolist() == want, (seed, day)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("company", [None, "c0"])
def test_row_texts_are_the_findings_one_by_one(seed: int, company: str | None, tmp_path: Path) -> None:
    for g in _layouts(seed, tmp_path / "snap"):
        ctx = CoverageContext(g, "2024-06-30", None, whole_graph=company is None)
        placed = place_sites(ctx, company, rule="control", threshold=50.0, members="all", status="all")
        rows, _notes = site_rows(ctx, placed)
        expected = {}
        findings = [[distinct[c] for c in codes.tolist()] for codes, distinct in rows["dimensions"]]
        for site, found, why in zip(rows["site_id"], zip(*findings), rows["membership_reason"]):
            reasons = ([why] if why else []) + [
                f"{d}: {f.reason}" for d, f in zip(DIMENSIONS, found) if f.value not in (COVERED, NOT_APPLICABLE)]
            evidence: list[str] = []
            for f in found:
                evidence += [e for e in f.evidence if e not in evidence]
            uncovered = any(f.value == NOT_COVERED for d, f in zip(DIMENSIONS, found) if d in DEFAULT_REQUIRE)
            expected[site] = ("; ".join(reasons), uncovered, evidence, [f.value for f in found])
        cols = coverage_columns(rows, DEFAULT_REQUIRE)
        ctx.close()
        assert len(cols["site_id"]) == len(expected) > 0
        for i, site in enumerate(cols["site_id"]):
            reasons, uncovered, evidence, values = expected[site]
            assert cols["reasons"][i] == reasons, site
            assert bool(cols["uncovered"][i]) is uncovered, site
            assert cols["evidence"][i] == evidence, site
            assert [cols[d][i] for d in DIMENSIONS] == values, site


@pytest.mark.parametrize("columnar", [True, False])
def test_name_keys_from_the_stored_index_equal_name_key_of_each_name(tmp_path: Path, columnar: bool) -> None:
    """Union networks are matched to groups by the name key of the group's name: the batch read
    of the snapshot's name index gives what ``name_key(name_of(n))`` gives, one node at a time,
    also for a node with no name (its id is its name) and a name whose key is empty."""
    from graphmodel.names import name_key

    g = random_campaign_graph(7)
    g.add_node("noname", "Company", None)
    g.add_node("punct", "Company", "S.A.")
    g.add_node("alias", "Company", "Ferro Holding plc", aliases=["Other Name"])
    save_snapshot(g, tmp_path / "snap")
    loaded = load_snapshot(tmp_path / "snap", columnar=columnar)
    ids = loaded.node_ids()
    assert loaded.name_keys([*ids, "not-a-node"]) == {n: name_key(loaded.name_of(n)) for n in [*ids, "not-a-node"]}
    assert loaded.name_keys(["alias"]) == {"alias": "ferro holding"}  # the name, not its alias


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("whole_graph", [True, False])
def test_operators_that_bring_no_agreements_bring_none(seed: int, whole_graph: bool, tmp_path: Path) -> None:
    """The quick tests that skip a search find nothing the search would: a site nothing names whose
    operators all fail ``brings_candidates`` has no framework candidates, and a site no CBA names
    whose operators are covered by nothing and sign nothing has no applicable CBA."""
    for g in _layouts(seed, tmp_path / "snap"):
        for day in DATES:
            ctx = CoverageContext(g, day, None, whole_graph=whole_graph)
            skipped = no_cba = 0
            for site in g.node_ids("Site"):
                ops = tuple(o for o, _s, _e in ctx.operators.get(site, ()))
                # the cba dimension's quick test: no CBA names the site, none covers or is signed by an operator
                if not ctx.cbas_at(site) and not any(op in ctx.covering or op in ctx.signed for op in ops):
                    no_cba += 1
                    assert applicable_cbas(ctx, site, ops) == [], (seed, day, site)
                for t in ("gfa", "hs", "efa"):
                    if site in ctx.named_sites(t) or ctx.brings_candidates(t, ops):
                        continue
                    skipped += 1
                    assert ctx.framework_candidates(t, site, ops) == [], (seed, day, site, t)
            assert skipped > 0 and no_cba > 0  # the test is not vacuous
            ctx.close()


@pytest.mark.parametrize("seed", SEEDS)
def test_site_props_are_the_graphs_values(seed: int, tmp_path: Path) -> None:
    """A whole-graph run reads each site's properties from the Site columns: the same values as
    the graph's attribute dicts, for every property coverage reads (absent where null)."""
    from queries.coverage import _SITE_PROPS, _site_props

    g0 = random_campaign_graph(seed)
    g0.add_node("s_closed", "Site", "Closed Works", status="operating", closure_year=2001, country="DE",
                workforce=120, cba_status="in_force", cba_status_date="2019-01-01")
    save_snapshot(g0, tmp_path / "snap")
    for g in [load_snapshot(tmp_path / "snap", columnar=True), load_snapshot(tmp_path / "snap", columnar=False)]:
        assert g.node("s_closed")["closure_year"] == 2001
        props = _site_props(g)
        assert set(props) == set(g.node_ids("Site"))
        for site, a in g.nodes("Site"):
            read = {k: v for k, v in props[site].items() if k in _SITE_PROPS}  # a networkx graph's are whole
            assert read == {k: v for k, v in a.items() if k in _SITE_PROPS}, site
        if g.is_columnar:
            assert all(set(a) <= set(_SITE_PROPS) for a in props.values())


def _finding(f: object) -> tuple[str, str, list[str]]:
    return (f.value, f.reason, list(f.evidence))  # type: ignore[attr-defined]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("company", [None, "c0"])
def test_shared_findings_equal_each_sites_own(seed: int, company: str | None, tmp_path: Path) -> None:
    """``site_rows`` works a finding out once for the sites that share what the rule reads; each
    site's finding is what the dimension's rule gives that site alone, in a fresh run that reads
    the graph node by node (no shared work)."""
    shared_rows = 0
    for g in _layouts(seed, tmp_path / "snap"):
        for day in DATES:
            ctx = CoverageContext(g, day, None, whole_graph=company is None)
            placed = place_sites(ctx, company, rule="control", threshold=50.0, members="all", status="all")
            rows, _notes = site_rows(ctx, placed)
            dims = rows["dimensions"]
            shared_rows += sum(len(codes) - len(set(codes.tolist())) for codes, _ in dims)
            alone = CoverageContext(g, day, None)
            for i, site in enumerate(rows["site_id"]):
                attrs = alone.site_attrs[site]
                ops = tuple(o for o, _s, _e in alone.operators.get(site, ()))
                root, up = placed[site][2], rows["ultimate_parent_id"][i]
                groups = ((root,) if root else ()) if placed[site][0] is None else ((root, up) if root else (up,))
                presence, recognition, unions = _union_dimensions(alone, site, attrs, ops)
                own = [presence, recognition, _cba_dimension(alone, site, attrs, ops),
                       _framework_dimension(alone, site, "gfa", ops, groups),
                       _framework_dimension(alone, site, "hs", ops, groups),
                       _network_dimension(alone, unions, groups, presence),
                       _efa_dimension(alone, site, attrs, ops, groups)]
                got = [distinct[codes[i]] for codes, distinct in dims]
                assert list(map(_finding, got)) == list(map(_finding, own)), (seed, day, site)
            alone.close()
            ctx.close()
    assert shared_rows > 0  # the sample has sites that share findings


def _hand_made_rows() -> dict[str, Any]:
    """Six hand-made rows of :func:`site_rows` (see :func:`test_columns_of_hand_made_rows`)."""
    from queries.coverage import _Finding

    def f(value: str, reason: str, evidence: list[str] | None = None) -> _Finding:
        return _Finding(value, reason, evidence or [])

    import numpy as np

    covered = f("covered", "")
    rows = {
        "site_id": ["s1", "s2", "s3", "s4", "s5", "s6"],
        "site": ["b", "a", "Ä", "B", "a", "ß"],
        "operator_id": ["o"] * 6, "ultimate_parent_id": ["o"] * 6,
        "effective_stake": [50.0, None, 12.0, 0.0, 100.0, 30.0],
        "country": ["DE", None, "DE", "DE", "", "DE"],
        "commodity": ["steel"] * 6, "workforce": [10, None, 30, 40, 50, 60],
        "membership": ["controlled"] * 6, "operator": ["O"] * 6, "ultimate_parent": ["O"] * 6, "chain": ["o"] * 6,
        "operator_share": [100.0] * 6, "stake_is_lower_bound": [False, False, True, True, False, False],
        "lat": [1.0] * 6, "lon": [2.0] * 6, "status": ["operating"] * 6,
        "membership_reason": [None, "membership: possibly", None, "", None, None],
        "dimensions": [
            (np.array([0, 1, 0, 1, 0, 0]), [f("covered", "u here", ["e1"]), f("not_covered", "no union")]),
            (np.array([0, 1, 1, 0, 0, 0]), [f("covered", "rec", ["e1"]), f("unknown", "rec unknown", ["e2", "e1"])]),
            (np.array([0, 0, 1, 0, 0, 0]), [f("covered", "cba ok", ["a1"]), f("not_covered", "cba expired", ["a1"])]),
            (np.zeros(6, dtype=np.int64), [covered]),
            (np.zeros(6, dtype=np.int64), [covered]),
            (np.zeros(6, dtype=np.int64), [covered]),
            (np.array([0, 0, 0, 1, 0, 0]), [f("not_applicable", "outside the EEA"), f("unknown", "no country")]),
        ],
    }
    return rows


def test_columns_of_hand_made_rows() -> None:
    """The columns of six hand-made rows, worked out by hand: the order (country, "~" when none
    or empty, after the letters; name casefolded as Python does, "ß" as "ss", "Ä" after "b"; site
    id on a tie), a reason for each part not covered (an empty membership reason still counts as
    a part), no reason text for a row with every dimension covered, evidence each id once in
    dimension order, and the stake split (:func:`queries.ownership.stake_columns`)."""
    import math

    from queries.coverage import _coverage_frame

    rows = _hand_made_rows()
    df = _coverage_frame(coverage_columns(rows, DEFAULT_REQUIRE))
    assert rows == {}  # the lists are let go
    assert df["site_id"].tolist() == ["s1", "s4", "s6", "s3", "s2", "s5"]
    assert df["reasons"].tolist() == [
        "",
        "; union_presence: no union; efa: no country",
        "",
        "recognition: rec unknown; cba: cba expired",
        "membership: possibly; union_presence: no union; recognition: rec unknown",
        "",
    ]
    assert df["evidence"].tolist() == [["e1", "a1"], ["e1", "a1"], ["e1", "a1"], ["e1", "e2", "a1"],
                                       ["e2", "e1", "a1"], ["e1", "a1"]]
    assert df["uncovered"].tolist() == [False, True, False, True, True, False]
    assert df["union_presence"].tolist() == ["covered", "not_covered", "covered", "covered", "not_covered", "covered"]
    assert df["efa_reason"].tolist() == ["outside the EEA", "no country"] + ["outside the EEA"] * 4
    assert df["workforce"].tolist()[:4] == [10, 40, 60, 30] and df["workforce"].isna().tolist()[4]
    nan = math.nan
    for col, want in (("effective_stake", [50.0, nan, 30.0, nan, nan, 100.0]),
                      ("stake_min", [50.0, nan, 30.0, 12.0, nan, 100.0])):
        got = df[col].tolist()
        assert all((math.isnan(a) and math.isnan(b)) or a == b for a, b in zip(got, want)), (col, got)
    assert [str(t) for t in df.dtypes[["workforce", "effective_stake", "stake_min", "uncovered", "reasons"]]] == [
        "Int64", "float64", "float64", "bool", "str"]
    assert df["evidence"].dtype == object and all(type(e) is list for e in df["evidence"])


@pytest.mark.parametrize("texts", [0, 2, 6, 9])
def test_texts_of_the_first_rows_only(texts: int) -> None:
    """``texts=k``: the reason columns, ``reasons`` and ``evidence`` of the first k rows (in the
    sorted order) are those of the whole frame, the others null; every value column is the whole
    frame's (the table of the command line shows its first rows and counts the rest)."""
    from queries.coverage import _coverage_frame

    whole = _coverage_frame(coverage_columns(_hand_made_rows(), DEFAULT_REQUIRE))
    part = _coverage_frame(coverage_columns(_hand_made_rows(), DEFAULT_REQUIRE, texts))
    made = min(texts, len(whole))
    text_cols = ["reasons", "evidence", *(f"{d}_reason" for d in DIMENSIONS)]
    assert list(part.columns) == list(whole.columns)
    for col in whole.columns:
        if col not in text_cols:
            assert part[col].equals(whole[col]), col
    for col in text_cols:
        assert part[col].tolist()[:made] == whole[col].tolist()[:made], col
        assert part[col].isna().tolist()[made:] == [True] * (len(whole) - made), col
    assert whole["reasons"].notna().all()  # (the whole frame has every row's texts)


@pytest.mark.parametrize("company", [None, "c0"])
def test_coverage_texts_limit_keeps_every_value(company: str | None, tmp_path: Path) -> None:
    """``coverage(texts=3)`` on a random graph: the whole answer's values on every row, its
    reasons and evidence on the first three."""
    from queries.coverage import coverage

    for g in _layouts(7, tmp_path / "snap"):
        whole = coverage(g, company, as_of=DATES[-1], status="all")
        part = coverage(g, company, as_of=DATES[-1], status="all", texts=3)
        assert len(whole) > 3
        texts = ["reasons", "evidence", *(f"{d}_reason" for d in DIMENSIONS)]
        values = [c for c in whole.columns if c not in texts]
        assert part[values].equals(whole[values])
        assert part[texts].head(3).equals(whole[texts].head(3))
        assert part[texts].iloc[3:].isna().all().all()
