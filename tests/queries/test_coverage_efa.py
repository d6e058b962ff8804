"""The efa coverage dimension, predecessors in the reasons, and --company on the real files.

Hand-worked fixtures are fictional. Real rows cited: ``data/agreements/agreements.csv`` rows
``arcelor-2005-gfa`` (signed 2005-09-13, "3 years" -> ended 2008-09-12, signed by Arcelor),
``arcelormittal-2009-efa`` (signed 2009-11-02, indeterminate duration, scope unknown),
``thyssenkrupp-2015-gfa`` (signed 2015-03-16, no end, all_subsidiaries),
``vallourec-2008-gfa`` (signed 2008-04-09, no end, controlled); ``data/company_history.csv``
(Arcelor merged into ArcelorMittal); GEM plants file lines 42 (Vallourec Jeceaba, BR, owner
Vallourec Solucoes Tubulares do Brasil SA, parent Vallourec SA), 417 (HKM, parents Salzgitter
AG; thyssenkrupp AG; Vallourec SA without percentages), 939 (Vallourec Star Youngstown, US).
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from exports.cli.main import cli
from graphmodel.graph import CampaignGraph
from graphmodel.records import Source
from loaders.registry import load_paths
from queries.coverage import EEA_COUNTRIES, coverage
from tests.shared_data import SHARED_DATA

AS_OF = "2025-06-30"


def by_site(df):
    return {r["site_id"]: r for r in df.to_dict("records")}


def efa_graph() -> CampaignGraph:
    g = CampaignGraph()
    g.add_source(Source("s1", title="Fictional survey"))
    for cid, name in [("acme", "Acme Steel SA"), ("acme-de", "Acme Deutschland GmbH"), ("other", "Other Metals SA")]:
        g.add_node(cid, "Company", name, sources=["s1"])
    g.add_edge("acme", "acme-de", "OWNS", share=100)
    for sid, op, country in [("de", "acme-de", "DE"), ("no", "acme", "NO"), ("us", "acme", "US"),
                             ("gb", "acme", "GB"), ("nowhere", "acme", None), ("fr", "other", "FR")]:
        props = {"country": country} if country else {}
        g.add_node(sid, "Site", f"Site {sid}", sources=["s1"], **props)
        g.add_edge(op, sid, "OPERATES", sources=["s1"])
    g.add_node("efa1", "Agreement", "Acme European Framework Agreement", agreement_type="efa", signed="2020-01-01",
               scope="controlled", sources=["s1"])
    g.add_edge("acme", "efa1", "PARTY_TO", role="employer", sources=["s1"])
    return g


def test_efa_covers_eea_sites_and_is_not_applicable_elsewhere():
    g = efa_graph()
    for df in (coverage(g, "acme", as_of=AS_OF), coverage(g, as_of=AS_OF)):  # per-group and all-sites paths
        r = by_site(df)
        assert r["de"]["efa"] == "covered" and r["no"]["efa"] == "covered"  # Norway: EEA, not EU
        assert r["us"]["efa"] == "not_applicable" and r["gb"]["efa"] == "not_applicable"
        assert "outside the EEA (GB)" in r["gb"]["efa_reason"]
        assert r["nowhere"]["efa"] == "unknown"
        assert "efa" not in r["us"]["reasons"]  # not applicable is not a gap to research
    r = by_site(coverage(g, as_of=AS_OF))
    assert r["fr"]["efa"] == "not_covered"
    assert r["fr"]["efa_reason"] == "no European framework agreement of this group is on record"
    # not in the default require; required, only the EEA site without one is uncovered
    assert not r["fr"]["uncovered"]
    r = by_site(coverage(g, as_of=AS_OF, require="efa"))
    assert [s for s, x in sorted(r.items()) if x["uncovered"]] == ["fr"]


def test_efa_before_signing_is_not_covered():
    r = by_site(coverage(efa_graph(), "acme", as_of="2019-06-30"))
    assert r["de"]["efa"] == "not_covered" and "signed only on 2020-01-01" in r["de"]["efa_reason"]


def test_eea_list_is_eu27_plus_iceland_liechtenstein_norway():
    assert len(EEA_COUNTRIES) == 30 and {"IS", "LI", "NO", "GR", "HR"} <= EEA_COUNTRIES
    assert not {"GB", "CH", "EL", "TR"} & EEA_COUNTRIES


def predecessor_graph(expires: str | None) -> CampaignGraph:
    g = CampaignGraph()
    g.add_source(Source("s1", title="Fictional survey"))
    g.add_node("new", "Company", "Newco SA", sources=["s1"])
    g.add_node("old", "Company", "Oldco", sources=["s1"])
    g.add_node("site", "Site", "Site", country="BE", sources=["s1"])
    g.add_edge("new", "site", "OPERATES", sources=["s1"])
    g.add_edge("old", "new", "MERGED_INTO", mode="merger", sources=["s1"])
    props = {"expires": expires} if expires else {}
    g.add_node("gfa-old", "Agreement", "Oldco GFA", agreement_type="gfa", signed="2005-09-13", scope="controlled",
               sources=["s1"], **props)
    g.add_edge("old", "gfa-old", "PARTY_TO", role="employer", sources=["s1"])
    return g


def test_reason_names_the_predecessors_ended_agreement():
    g = predecessor_graph("2008-09-12")
    for df in (coverage(g, "new", as_of=AS_OF), coverage(g, as_of=AS_OF)):
        r = by_site(df)["site"]
        assert r["gfa"] == "not_covered"
        assert r["gfa_reason"] == ("Oldco (merged into Newco SA): Oldco GFA expired on 2008-09-12; "
                                   "no later global framework agreement of this group is on record")
        assert "gfa-old" in r["evidence"]


def test_predecessors_agreement_in_force_is_unknown_not_covered():
    r = by_site(coverage(predecessor_graph(None), "new", as_of=AS_OF))["site"]
    assert r["gfa"] == "unknown"
    assert "signed by Oldco (merged into Newco SA): whether it binds the successor is not on record" in r["gfa_reason"]


# ---------------------------------------------------------------------------- real files
@pytest.fixture(scope="module")
def steel_snapshot(tmp_path_factory):
    """A plain load (no resolve) of the GEM plants file and the agreements folder's table."""
    snap = tmp_path_factory.mktemp("steel") / "snap"
    res = CliRunner().invoke(cli, ["load", str(SHARED_DATA / "gem-iron-steel-plants-2025-03-25.csv"),
                                   str(SHARED_DATA / "agreements" / "agreements.csv"), "-o", str(snap)])
    assert res.exit_code == 0, res.output
    return snap


def _cov(snap, *args):
    res = CliRunner().invoke(cli, ["coverage", str(snap), "--as-of", AS_OF, "--format", "json", *args])
    assert res.exit_code == 0, res.output
    return by_site_list(json.loads(res.stdout))


def by_site_list(rows):
    return {r["site_id"]: r for r in rows}


def test_real_gfa_reaches_thyssenkrupp_and_vallourec_after_a_plain_load(steel_snapshot):
    r = _cov(steel_snapshot)
    assert r["P100000120421"]["gfa"] == "covered"  # ThyssenKrupp Steel Duisburg: thyssenkrupp-2015-gfa
    assert "thyssenkrupp-2015-gfa" in r["P100000120421"]["evidence"]
    assert r["P100000120044"]["gfa"] == "covered"  # Vallourec Jeceaba (line 42): vallourec-2008-gfa
    assert r["P100000120974"]["gfa"] == "covered"  # Vallourec Star Youngstown (line 939)
    # HKM (line 417): three parents, no percentages: only possibly in either group -> unknown
    r = _cov(steel_snapshot, "--company", "Vallourec")
    assert set(r) == {"P100000120044", "P100000120422", "P100000120974"}
    assert r["P100000120422"]["gfa"] == "unknown"


def test_real_company_arcelormittal_is_arcelormittal_sa_with_arcelors_gfa_and_the_efa(steel_snapshot):
    # --status all: Bellary is a cancelled project, left out by default
    r = _cov(steel_snapshot, "--company", "ArcelorMittal", "--status", "all")
    same = _cov(steel_snapshot, "--company", "E100000000687", "--status", "all")
    assert set(r) == set(same) and len(r) > 30
    assert {x["chain"].split(" > ")[0] for x in r.values()} == {"E100000000687"}  # ArcelorMittal SA's group
    gent, bellary = r["P100000120027"], r["P100000120532"]  # ArcelorMittal Gent (BE), Bellary (IN)
    assert gent["gfa"] == "not_covered"
    assert gent["gfa_reason"].startswith("Arcelor (merged into ArcelorMittal SA): Worldwide Agreement on the "
                                         "Priciples of Arcelor`s Corporate Social responsibility expired on 2008-09-12")
    assert gent["gfa_reason"].endswith("no later global framework agreement of this group is on record")
    # the 2009 European framework agreement: scope unknown, so it covers the signatory's own sites (Gent)
    assert gent["efa"] == "covered" and "arcelormittal-2009-efa" in gent["evidence"]
    assert bellary["efa"] == "not_applicable"
    # the all-sites path gives the same efa and gfa answers
    every = _cov(steel_snapshot, "--status", "all")
    assert {k: (every[k]["gfa"], every[k]["efa"]) for k in ("P100000120027", "P100000120532")} == {
        "P100000120027": ("not_covered", "covered"), "P100000120532": ("not_covered", "not_applicable")}
    # ArcelorMittal South Africa's sites are not in ArcelorMittal SA's group
    g, _ = load_paths([SHARED_DATA / "gem-iron-steel-plants-2025-03-25.csv"], link=False)
    sa_sites = {v for _e, u, v, _a in g.edges("OPERATES") if u == "E100001000504"}
    assert sa_sites and not sa_sites & set(r)


def test_summary_counts_efa_values_per_country():
    from queries.coverage import coverage_summary

    s = coverage_summary(coverage(efa_graph(), as_of=AS_OF), by="country")
    got = {r["country"]: (r["sites_efa_covered"], r["sites_efa_not_covered"], r["sites_efa_unknown"],
                          r["sites_efa_not_applicable"]) for r in s.to_dict("records")}
    assert got == {"DE": (1, 0, 0, 0), "NO": (1, 0, 0, 0), "FR": (0, 1, 0, 0), "US": (0, 0, 0, 1),
                   "GB": (0, 0, 0, 1), "(not recorded)": (0, 0, 1, 0)}


def test_takeover_and_renaming_chain_in_the_reason():
    g = CampaignGraph()
    g.add_source(Source("s1", title="Fictional survey"))
    for cid, name in (("new", "Newco SA"), ("mid", "Midco"), ("old", "Oldco")):
        g.add_node(cid, "Company", name, sources=["s1"])
    g.add_node("site", "Site", "Site", country="BE", sources=["s1"])
    g.add_edge("new", "site", "OPERATES", sources=["s1"])
    g.add_edge("old", "mid", "RENAMED_TO", sources=["s1"])
    g.add_edge("mid", "new", "MERGED_INTO", mode="takeover", sources=["s1"])
    g.add_node("gfa-old", "Agreement", "Oldco GFA", agreement_type="gfa", signed="2005-09-13", expires="2008-09-12",
               sources=["s1"])
    g.add_edge("old", "gfa-old", "PARTY_TO", role="employer", sources=["s1"])
    g.add_node("hs-mid", "Agreement", "Midco H&S", agreement_type="hs", signed="2010-01-01", sources=["s1"])
    g.add_edge("mid", "hs-mid", "PARTY_TO", role="employer", sources=["s1"])
    for df in (coverage(g, "new", as_of=AS_OF), coverage(g, as_of=AS_OF)):
        r = by_site(df)["site"]
        # Oldco was renamed Midco, which Newco took over: each step names its own successor
        assert r["gfa"] == "not_covered"
        assert r["gfa_reason"] == ("Oldco (renamed to Midco): Oldco GFA expired on 2008-09-12; "
                                   "no later global framework agreement of this group is on record")
        assert r["hs_agreement"] == "unknown"
        assert r["hs_agreement_reason"] == (
            "Midco H&S is in force (signed 2010-01-01 (no end date)); it was signed by Midco (taken over by Newco SA): "
            "whether it binds the successor is not on record; no health & safety agreement signed by this group is "
            "on record")
