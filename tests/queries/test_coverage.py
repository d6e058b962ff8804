"""Coverage: each dimension covered / not covered / unknown, GFA scopes, COVERS, dates.

The group below is fictional ("Acme Steel"); every expectation is worked out by hand:

    acme (root) --100%--> site_a, site_c        (operated directly)
    acme --60%--> brasil --> site_b
    acme --50% control=joint--> jv <--50%-- partner ; jv --> site_jv
    acme --share unknown--> poss --> site_p     (possible member)
    acme --20%--> minor --> site_m
    supplier (outside the group) --> site_sup, which SUPPLIES site_a
"""

from __future__ import annotations

import pandas as pd
import pytest

from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.records import Source
from queries.coverage import COVERAGE_COLUMNS, coverage, coverage_summary

AS_OF = "2024-06-30"


def base() -> CampaignGraph:
    g = CampaignGraph()
    g.add_source(Source("s1", title="Fictional site survey"))
    for cid, name in [("acme", "Acme Steel SA"), ("brasil", "Acme Brasil Ltda"), ("jv", "Acme-Partner JV"),
                      ("partner", "Partner Metals"), ("poss", "Acme Possible"), ("minor", "Minor Mining"),
                      ("supplier", "Supplier Ore Co")]:
        g.add_node(cid, "Company", name, sources=["s1"])
    sites = [("site_a", "Site A", "acme", "XA", 1000), ("site_c", "Site C", "acme", "XA", 200),
             ("site_b", "Site B", "brasil", "XB", 500), ("site_jv", "Site JV", "jv", "XB", None),
             ("site_p", "Site P", "poss", "XC", 50), ("site_m", "Site M", "minor", "XC", 10),
             ("site_sup", "Site Sup", "supplier", "XD", 70)]
    for sid, name, op, country, wf in sites:
        props = {"country": country, "commodity": "steel"}
        if wf is not None:
            props["workforce"] = wf
        g.add_node(sid, "Site", name, sources=["s1"], **props)
        g.add_edge(op, sid, "OPERATES", sources=["s1"])
    g.add_edge("acme", "brasil", "OWNS", share=60)
    g.add_edge("acme", "jv", "OWNS", share=50, control="joint")
    g.add_edge("partner", "jv", "OWNS", share=50, control="joint")
    g.add_edge("acme", "poss", "OWNS")
    g.add_edge("acme", "minor", "OWNS", share=20)
    g.add_edge("site_sup", "site_a", "SUPPLIES", commodity="iron ore")
    return g


def by_site(df: pd.DataFrame) -> dict[str, dict]:
    return {r["site_id"]: r for r in df.to_dict("records")}


def test_group_sites_membership_and_contract_columns():
    df = coverage(base(), "acme", as_of=AS_OF)
    assert list(df.columns[: len(COVERAGE_COLUMNS)]) == list(COVERAGE_COLUMNS)
    r = by_site(df)
    # minority (20%) and outside companies are not in the control group
    assert set(r) == {"site_a", "site_c", "site_b", "site_jv", "site_p"}
    assert r["site_a"]["membership"] == "root" and r["site_b"]["membership"] == "controlled"
    assert r["site_jv"]["membership"] == "joint" and r["site_p"]["membership"] == "possible"
    assert r["site_b"]["effective_stake"] == pytest.approx(60.0) and r["site_b"]["chain"] == "acme > brasil"
    assert r["site_b"]["operator_id"] == "brasil" and r["site_b"]["ultimate_parent_id"] == "acme"
    assert r["site_b"]["workforce"] == 500 and pd.isna(r["site_jv"]["workforce"])
    assert "membership: possible member: Acme Steel SA's share in Acme Possible is not published" in r["site_p"]["reasons"]
    assert set(by_site(coverage(base(), "acme", as_of=AS_OF, members="known"))) == {
        "site_a", "site_c", "site_b", "site_jv"}
    eff = by_site(coverage(base(), "acme", as_of=AS_OF, rule="effective", threshold=20))
    assert set(eff) == {"site_a", "site_c", "site_b", "site_jv", "site_m"}
    assert eff["site_m"]["effective_stake"] == pytest.approx(20.0) and eff["site_m"]["membership"] == "effective"


def test_union_presence_and_recognition_three_ways():
    g = base()
    g.add_node("u1", "Union", "Fictional Steelworkers Local 1")
    g.add_node("u2", "Union", "Fictional Metal Union")
    g.add_edge("u1", "site_a", "REPRESENTS", recognised=True)  # members unknown: counts as present
    g.add_edge("u2", "site_c", "REPRESENTS", members=120, recognised=False)
    g.add_node("site_b", "Site", merge="replace", union_status="none", union_status_date="2023-05-01")
    g.add_edge("u2", "site_jv", "REPRESENTS", members=40)  # recognition not recorded
    r = by_site(coverage(g, "acme", as_of=AS_OF))
    assert (r["site_a"]["union_presence"], r["site_a"]["recognition"]) == ("covered", "covered")
    assert (r["site_c"]["union_presence"], r["site_c"]["recognition"]) == ("covered", "not_covered")
    assert "not recognised for bargaining (recognised=false)" in r["site_c"]["recognition_reason"]
    assert (r["site_b"]["union_presence"], r["site_b"]["recognition"]) == ("not_covered", "not_covered")
    assert r["site_b"]["union_presence_reason"] == (
        "no union at this site: union_status=none (source Fictional site survey, 2023-05-01)")
    assert (r["site_jv"]["union_presence"], r["site_jv"]["recognition"]) == ("covered", "unknown")
    assert (r["site_p"]["union_presence"], r["site_p"]["recognition"]) == ("unknown", "unknown")
    assert r["site_p"]["union_presence_reason"] == "no union is recorded at this site: unknown, needs research"
    # uncovered: a required dimension is not_covered; unknown never uncovers
    assert r["site_c"]["uncovered"] and r["site_b"]["uncovered"]
    assert not r["site_p"]["uncovered"] and not r["site_jv"]["uncovered"]
    # membership figures are sensitive: never in a reason
    assert "120" not in r["site_c"]["reasons"] and "40" not in r["site_jv"]["reasons"]


def test_zero_members_is_not_presence():
    g = base()
    g.add_node("u1", "Union", "Fictional Union")
    g.add_edge("u1", "site_a", "REPRESENTS", members=0)
    assert by_site(coverage(g, "acme", as_of=AS_OF))["site_a"]["union_presence"] == "not_covered"


def _cba_graph() -> CampaignGraph:
    g = base()
    g.add_node("cba1", "Agreement", "Site A CBA 2022-2025", agreement_type="cba", signed="2022-01-01",
               expires="2025-12-31")
    g.add_edge("cba1", "site_a", "COVERS")
    # company-level CBA of Acme Brasil: covers the sites it operates; tacit renewal after 2023
    g.add_node("cba2", "Agreement", "Acme Brasil CBA", agreement_type="cba", signed="2021-07-01",
               expires="2023-12-31", renewal="tacit")
    g.add_edge("cba2", "brasil", "COVERS")
    g.add_node("site_c", "Site", merge="replace", cba_status="none", cba_status_date="2024-02-01")
    return g


def test_cba_covered_expired_possibly_in_force_and_status_none():
    g = _cba_graph()
    r = by_site(coverage(g, "acme", as_of=AS_OF))
    assert r["site_a"]["cba"] == "covered"
    assert r["site_b"]["cba"] == "unknown"  # past its end, renewal tacit: possibly in force
    assert "possibly in force" in r["site_b"]["cba_reason"] and "covers the operator Acme Brasil Ltda" in r["site_b"]["cba_reason"]
    assert r["site_c"]["cba"] == "not_covered" and "cba_status=none" in r["site_c"]["cba_reason"]
    assert r["site_jv"]["cba"] == "unknown"
    before = by_site(coverage(g, "acme", as_of="2023-06-01"))
    assert before["site_b"]["cba"] == "covered"
    after = by_site(coverage(g, "acme", as_of="2026-03-01"))
    assert after["site_a"]["cba"] == "not_covered"
    assert "expired on 2025-12-31 with none in force" in after["site_a"]["cba_reason"]
    assert after["site_a"]["uncovered"]
    # signed after as_of: not in force yet, and not an expiry either
    assert by_site(coverage(g, "acme", as_of="2021-06-01"))["site_a"]["cba"] == "unknown"


def test_cba_excluded_site_and_cba_signed_by_operator():
    g = _cba_graph()
    g.add_edge("cba2", "site_b", "COVERS", excluded=True)
    g.add_node("cba3", "Agreement", "Acme Steel company agreement", agreement_type="cba", signed="2023-01-01")
    g.add_edge("acme", "cba3", "PARTY_TO", role="employer")
    r = by_site(coverage(g, "acme", as_of="2023-06-01"))
    assert r["site_b"]["cba"] == "unknown"  # excluded from cba2: back to no record
    assert r["site_c"]["cba"] == "covered" and "signed by the operator Acme Steel SA" in r["site_c"]["cba_reason"]


SCOPE_EXPECTED = {
    # site:           a          c          b          jv             p          (m and sup are outside the group)
    "controlled": {"site_a": "covered", "site_c": "covered", "site_b": "covered", "site_jv": "not_covered",
                   "site_p": "unknown"},
    "majority_owned": {"site_a": "covered", "site_c": "covered", "site_b": "covered", "site_jv": "not_covered",
                       "site_p": "unknown"},
    "all_subsidiaries": {"site_a": "covered", "site_c": "covered", "site_b": "covered", "site_jv": "covered",
                         "site_p": "unknown"},
    "suppliers_included": {"site_a": "covered", "site_c": "covered", "site_b": "covered", "site_jv": "not_covered",
                           "site_p": "unknown"},
    "unknown": {"site_a": "covered", "site_c": "covered", "site_b": "unknown", "site_jv": "unknown",
                "site_p": "unknown"},
}


@pytest.mark.parametrize("scope", sorted(SCOPE_EXPECTED))
def test_gfa_scope_rules(scope):
    g = base()
    g.add_node("gfa", "Agreement", "Acme Global Framework Agreement", agreement_type="gfa", signed="2019-03-01",
               scope=scope)
    g.add_edge("acme", "gfa", "PARTY_TO", role="employer")
    r = by_site(coverage(g, "acme", as_of=AS_OF))
    assert {s: r[s]["gfa"] for s in SCOPE_EXPECTED[scope]} == SCOPE_EXPECTED[scope]
    # outside the group: all sites view; the supplier's site is covered only under suppliers_included,
    # the 20% minority only under all_subsidiaries (effective stake of 10% or more)
    every = by_site(coverage(g, None, as_of=AS_OF))
    assert every["site_sup"]["gfa"] == ("covered" if scope == "suppliers_included" else "not_covered")
    assert every["site_m"]["gfa"] == ("covered" if scope == "all_subsidiaries" else "not_covered")
    if scope == "unknown":
        assert "no recorded scope" in r["site_b"]["gfa_reason"]
    if scope == "controlled":
        assert "(scope controlled) does not reach this site" in r["site_jv"]["gfa_reason"]


def test_gfa_explicit_covers_and_exclusion_override_scope():
    g = base()
    g.add_node("gfa", "Agreement", "Acme GFA", agreement_type="gfa", signed="2019-03-01", scope="controlled")
    g.add_edge("acme", "gfa", "PARTY_TO")
    g.add_edge("gfa", "site_jv", "COVERS")
    g.add_edge("gfa", "brasil", "COVERS", excluded=True)
    r = by_site(coverage(g, "acme", as_of=AS_OF))
    assert r["site_jv"]["gfa"] == "covered" and r["site_jv"]["gfa_reason"] == "Acme GFA explicitly covers Site JV"
    assert r["site_b"]["gfa"] == "not_covered"
    assert r["site_b"]["gfa_reason"] == "Acme GFA explicitly excludes Acme Brasil Ltda"


def test_gfa_possibly_in_force_is_unknown_and_expired_is_not_covered():
    g = base()
    g.add_node("gfa", "Agreement", "Acme GFA", agreement_type="gfa", signed="2015-01-01", expires="2018-01-01",
               renewal="unknown", scope="controlled")
    g.add_edge("acme", "gfa", "PARTY_TO")
    r = by_site(coverage(g, "acme", as_of=AS_OF))
    assert r["site_a"]["gfa"] == "unknown" and "possibly in force" in r["site_a"]["gfa_reason"]
    assert by_site(coverage(g, "acme", as_of="2017-01-01"))["site_a"]["gfa"] == "covered"
    g.add_node("gfa", "Agreement", merge="replace", renewal="none")
    r = by_site(coverage(g, "acme", as_of=AS_OF))
    assert r["site_a"]["gfa"] == "not_covered" and "Acme GFA expired on 2018-01-01" in r["site_a"]["gfa_reason"]


def test_hs_agreement_dimension():
    g = base()
    g.add_node("hs", "Agreement", "Acme H&S agreement", agreement_type="hs", signed="2020-01-01", scope="controlled")
    g.add_edge("brasil", "hs", "PARTY_TO")
    r = by_site(coverage(g, "acme", as_of=AS_OF))
    assert r["site_b"]["hs_agreement"] == "covered"
    assert r["site_a"]["hs_agreement"] == "not_covered"  # signed by the subsidiary: covers its group only
    assert r["site_a"]["gfa"] == "not_covered"
    assert r["site_a"]["gfa_reason"] == "no global framework agreement of this group is on record"


def test_network_dimension():
    g = base()
    g.add_node("u1", "Union", "Fictional Local 1")
    g.add_node("u2", "Union", "Fictional Local 2")
    g.add_node("net", "UnionNetwork", "Acme world union network", company="acme")
    g.add_edge("u1", "site_a", "REPRESENTS")
    g.add_edge("u2", "site_b", "REPRESENTS")
    g.add_edge("u1", "net", "MEMBER_OF")
    r = by_site(coverage(g, "acme", as_of=AS_OF))
    assert r["site_a"]["network"] == "covered"
    assert r["site_b"]["network"] == "not_covered"
    # no union recorded at site_c while the group has a network: a gap in the data, not in organisation
    assert r["site_c"]["network"] == "unknown"
    assert r["site_c"]["network_reason"] == (
        "the group has a union network (Acme world union network) but no union is recorded at this site"
    )


def test_network_dimension_without_any_network_or_without_a_union():
    g = base()
    r = by_site(coverage(g, "acme", as_of=AS_OF))
    assert r["site_c"]["network"] == "not_covered"
    assert r["site_c"]["network_reason"] == "this group has no union network on record"
    g.add_node("net", "UnionNetwork", "Acme world union network", company="acme")
    g.add_node("site_c", "Site", merge="replace", union_status="none")
    r = by_site(coverage(g, "acme", as_of=AS_OF))
    assert r["site_c"]["network"] == "not_covered"
    assert r["site_c"]["network_reason"] == "no union at this site, so none in Acme world union network"


def test_all_sites_use_each_sites_ultimate_parent():
    g = base()
    df = coverage(g, None, as_of=AS_OF)
    r = by_site(df)
    assert len(df) == 7
    assert r["site_b"]["ultimate_parent_id"] == "acme" and r["site_b"]["chain"] == "acme > brasil"
    assert r["site_jv"]["ultimate_parent_id"] == "jv"  # 50/50 JV: its own ultimate parent
    assert r["site_sup"]["ultimate_parent_id"] == "supplier" and r["site_sup"]["effective_stake"] == 100.0


def test_required_dimensions_and_bad_input():
    g = base()
    g.add_node("site_a", "Site", merge="replace", cba_status="none")
    assert by_site(coverage(g, "acme", as_of=AS_OF))["site_a"]["uncovered"]
    assert not by_site(coverage(g, "acme", as_of=AS_OF, require="union_presence"))["site_a"]["uncovered"]
    assert by_site(coverage(g, "acme", as_of=AS_OF, require=["gfa"]))["site_a"]["uncovered"]
    with pytest.raises(CampaignGraphError, match="unknown coverage dimension"):
        coverage(g, "acme", require=["unions"])
    with pytest.raises(CampaignGraphError, match="no company"):
        coverage(g, "nobody")


def test_summary_counts_sites_and_workers():
    g = base()
    g.add_node("site_b", "Site", merge="replace", union_status="none")  # 500 workers not covered
    g.add_node("u1", "Union", "Fictional Local 1")
    g.add_node("cba", "Agreement", "Site A CBA", agreement_type="cba", signed="2020-01-01")
    g.add_edge("u1", "site_a", "REPRESENTS", recognised=True)
    g.add_edge("cba", "site_a", "COVERS")  # 1000 workers covered
    rows = coverage(g, "acme", as_of=AS_OF)
    s = coverage_summary(rows, by="country").set_index("country")
    # fictional countries XA, XB are outside the EEA: the efa counts (tests/queries/test_coverage_efa.py) say n/a
    assert s.loc["XA", "sites_efa_not_applicable"] == 2 and s.loc["XB", "sites_efa_not_applicable"] == 2
    s = s.drop(columns=[c for c in s.columns if c.startswith("sites_efa_")])
    assert s.loc["XA"].to_dict() == {"sites": 2, "sites_covered": 1, "sites_not_covered": 0, "sites_unknown": 1,
                                     "workers": 1200, "workers_covered": 1000, "workers_not_covered": 0,
                                     "workers_unknown": 200, "sites_no_workforce": 0}
    assert s.loc["XB"].to_dict() == {"sites": 2, "sites_covered": 0, "sites_not_covered": 1, "sites_unknown": 1,
                                     "workers": 500, "workers_covered": 0, "workers_not_covered": 500,
                                     "workers_unknown": None, "sites_no_workforce": 1}  # its one site has no workforce
    by_op = coverage_summary(rows, by="company").set_index("operator_id")
    assert by_op.loc["brasil", "workers_not_covered"] == 500 and by_op.loc["brasil", "operator"] == "Acme Brasil Ltda"
    with pytest.raises(CampaignGraphError):
        coverage_summary(rows, by="planet")


# ---------------------------------------------------------------------------- CLI
def _snapshot(tmp_path, g: CampaignGraph):
    from graphmodel.stores.snapshot import save_snapshot

    folder = tmp_path / "snap"
    save_snapshot(g, folder)
    return folder


def test_cli_coverage_table_files_summary_and_ambiguous_names(tmp_path):
    import json

    from click.testing import CliRunner

    from exports.cli.main import cli

    g = base()
    g.add_node("site_b", "Site", merge="replace", union_status="none")
    g.add_node("acme2", "Company", "Acme Steel Ltd")  # "Acme Steel" is now ambiguous
    snap = _snapshot(tmp_path, g)
    run = CliRunner().invoke
    # a wide terminal, so that the summary is one line; --reasons prints each site's reasons under it
    res = run(cli, ["coverage", str(snap), "--company", "Acme Steel SA", "--as-of", AS_OF, "--reasons"],
              env={"COLUMNS": "300"})
    assert res.exit_code == 0, res.output
    assert "Site B" in res.output and "UNCOVERED" in res.output
    assert "5 site(s): 1 uncovered, 4 with unknowns, 0 covered; workers: 1750 recorded, 500 at uncovered sites" in res.output
    assert "union_status=none" in res.output
    out = tmp_path / "gaps.csv"
    res = run(cli, ["coverage", str(snap), "--company", "acme", "--as-of", AS_OF, "--format", "csv", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_text(encoding="utf-8").splitlines()[0].startswith(",".join(COVERAGE_COLUMNS))
    res = run(cli, ["coverage", str(snap), "--company", "acme", "--as-of", AS_OF, "--format", "json", "--members", "known"])
    assert res.exit_code == 0
    assert {r["site_id"] for r in json.loads(res.stdout)} == {"site_a", "site_c", "site_b", "site_jv"}
    res = run(cli, ["coverage", str(snap), "--as-of", AS_OF, "--summary", "country", "--format", "json"])
    assert {r["country"]: r["workers_not_covered"] for r in json.loads(res.stdout)}["XB"] == 500
    res = run(cli, ["coverage", str(snap), "--company", "Acme Steel", "--as-of", AS_OF])
    assert res.exit_code == 1 and "Acme Steel SA" in res.output and "Acme Steel Ltd" in res.output
    res = run(cli, ["coverage", str(snap), "--company", "Nobody Mining"])
    assert res.exit_code == 1 and "no company, investor or person matches" in res.output
    res = run(cli, ["coverage", str(snap), "--require", "unions"])
    assert res.exit_code == 1 and "unknown coverage dimension" in res.output
    assert "Traceback" not in res.output


def test_stake_past_an_unpublished_share_is_a_lower_bound():
    r = by_site(coverage(base(), "acme", as_of=AS_OF))
    # acme -> poss has no share: the stake is unknown (NaN, null in JSON), never 0; nothing is known of it
    assert r["site_p"]["stake_is_lower_bound"] and pd.isna(r["site_p"]["effective_stake"])
    assert pd.isna(r["site_p"]["stake_min"])
    # acme -60-> brasil: known, and stake_min equals it
    assert not r["site_b"]["stake_is_lower_bound"] and r["site_b"]["effective_stake"] == r["site_b"]["stake_min"] == 60.0


def test_network_founded_after_as_of_does_not_count_yet():
    # docs/semantics.md#provenance-and-time: every query takes as_of. A network founded later was not
    # there to join: before its founding date the group has no network on record.
    g = base()
    g.add_node("u1", "Union", "Fictional Local 1")
    g.add_node("net", "UnionNetwork", "Acme world union network", company="acme", founded="2020-03-01")
    g.add_edge("u1", "site_a", "REPRESENTS")
    g.add_edge("u1", "net", "MEMBER_OF")
    before = by_site(coverage(g, "acme", as_of="2019-06-30"))
    assert before["site_a"]["network"] == "not_covered"
    assert before["site_a"]["network_reason"] == "this group has no union network on record"
    assert before["site_c"]["network"] == "not_covered"
    after = by_site(coverage(g, "acme", as_of=AS_OF))
    assert after["site_a"]["network"] == "covered"
    assert after["site_c"]["network"] == "unknown"


@pytest.mark.parametrize("exclusion_first", [True, False])
def test_gfa_site_exclusion_beats_company_covers_whatever_the_edge_order(exclusion_first):
    # explicit COVERS of the operator, with the site excluded: the more specific edge wins,
    # however the edges happen to be stored
    g = base()
    g.add_node("gfa", "Agreement", "Acme GFA", agreement_type="gfa", signed="2020-01-01", scope="controlled")
    edges = [("gfa", "site_c", {"excluded": True}), ("gfa", "acme", {})]
    for u, v, props in edges if exclusion_first else edges[::-1]:
        g.add_edge(u, v, "COVERS", **props)
    r = by_site(coverage(g, "acme", as_of=AS_OF))
    assert r["site_c"]["gfa"] == "not_covered"
    assert r["site_c"]["gfa_reason"] == "Acme GFA explicitly excludes Site C"
    assert r["site_a"]["gfa"] == "covered"


def test_expired_cba_against_a_later_cba_status_in_force():
    # "not_covered" for an expired CBA holds only "with none in force": a site record dated after
    # the expiry saying a CBA is in force (unnamed) outweighs it; an undated one leaves it unknown.
    g = base()
    g.add_node("cba", "Agreement", "Site C CBA", agreement_type="cba", signed="2016-01-01", expires="2019-12-31")
    g.add_edge("cba", "site_c", "COVERS")
    assert by_site(coverage(g, "acme", as_of=AS_OF))["site_c"]["cba"] == "not_covered"
    g.add_node("site_c", "Site", merge="replace", cba_status="in_force", cba_status_date="2018-05-01")
    assert by_site(coverage(g, "acme", as_of=AS_OF))["site_c"]["cba"] == "not_covered"  # the old one
    g.add_node("site_c", "Site", merge="replace", cba_status="in_force", cba_status_date="2023-05-01")
    r = by_site(coverage(g, "acme", as_of=AS_OF))["site_c"]
    assert r["cba"] == "covered" and "cba_status=in_force" in r["cba_reason"]
    g2 = base()
    g2.add_node("cba", "Agreement", "Site C CBA", agreement_type="cba", signed="2016-01-01", expires="2019-12-31")
    g2.add_edge("cba", "site_c", "COVERS")
    g2.add_node("site_c", "Site", merge="replace", cba_status="in_force")
    r = by_site(coverage(g2, "acme", as_of=AS_OF))["site_c"]
    assert r["cba"] == "unknown"
    assert "Site C CBA expired on 2019-12-31" in r["cba_reason"] and "cba_status=in_force" in r["cba_reason"]


def test_cli_terminal_table_shows_500_rows_and_says_how_to_get_the_rest(tmp_path):
    from click.testing import CliRunner

    from exports.cli.main import cli
    from graphmodel.stores.snapshot import save_snapshot

    g = CampaignGraph()
    g.add_source(Source("s1", title="Fictional register"))
    g.add_node("acme", "Company", "Acme", sources=["s1"])
    for i in range(620):
        g.add_node(f"s{i:03d}", "Site", f"Site {i:03d}", sources=["s1"], country="DE")
        g.add_edge("acme", f"s{i:03d}", "OPERATES", sources=["s1"])
    snap = tmp_path / "snap"
    save_snapshot(g, snap)
    res = CliRunner().invoke(cli, ["coverage", str(snap), "--company", "Acme", "--as-of", AS_OF])
    assert res.exit_code == 0, res.output
    assert "Site 499" in res.output and "Site 500" not in res.output
    assert "... 120 more row(s) not shown (write them with --format csv -o FILE)" in res.output
    assert "620 site(s)" in res.output  # the summary counts every row
    res = CliRunner().invoke(cli, ["coverage", str(snap), "--company", "Acme", "--as-of", AS_OF, "--format", "csv"])
    import csv
    import io

    assert len(list(csv.DictReader(io.StringIO(res.stdout)))) == 620  # a file format gets every row
