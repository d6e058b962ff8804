"""Just-transition exposure (queries/transition.py, ``campaign-graph transition``).

The fixture is fictional ("Acme"), worked out by hand. Acme operates, as of 2024-06-30, horizon 2030:

    site   what                                                            exposure (expected)
    conv   BF pre-ret 2000, BOF pre-ret 1500, BOF operating 1000,          pre_retirement, conversion_announced
           EAF announced 1800, DRI construction (no capacity)              iron at risk 2000, steel 1500;
                                                                           replacement steel 1800, iron unknown
    conv2  BF operating 3000, EAF construction 1200; union_status present  conversion_announced (a union: after gaps)
    iron   BF pre-ret 1000, BF pre-ret (no capacity), no steel units       pre_retirement, iron >= 1000, steel unknown
    eaf    EAF operating 900, EAF announced 1000 (no BF/BOF)               none: not listed
    plant  no units; capacity_iron_pre_retirement 500 (plant file only)    pre_retirement, iron 500
    soon   coal, operating, closes 2028, 300 workers                       closing
    late   coal, operating, closes 2035                                    none within 2030: not listed
    over   coal, operating, closed 2020, workforce unknown                 closing_overdue, workers unknown
    gone   coal, retired, closed 2020                                      none (not listed even with status all)
    M1     coal row 1 of id M1: operating, closes 2026, 100 workers        closing
    M1~p   coal row 2 of id M1: proposed, closes 2029, 100 planned         closing, only with status all; workers
                                                                           unknown (a planned headcount)
Every site is in country XA but plant (XB). Order: conversions with no union or agreement known (conv),
then other sites with none known, most workers first (soon 300, M1 100, then iron, over, plant: unknown,
by country then name), then conversions with a union (conv2).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from exports.cli.main import cli
from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.records import Source
from graphmodel.stores.snapshot import save_snapshot
from queries.transition import transition, transition_summary

AS_OF = "2024-06-30"


def _unit(g: CampaignGraph, uid: str, site: str, t: str, status: str, cap: float | None = None) -> None:
    product = "iron" if t in ("BF", "DRI") else "crude_steel"
    props = {"capacity": cap} if cap is not None else {}
    g.add_node(uid, "Unit", uid, sources=["units"], unit_type=t, product=product, status=status, **props)
    g.add_edge(uid, site, "PART_OF", sources=["units"])


@pytest.fixture()
def acme() -> CampaignGraph:
    g = CampaignGraph()
    for sid in ("units", "plants", "coal"):
        g.add_source(Source(sid, f"fixture {sid}"))
    g.add_node("acme", "Company", "Acme", sources=["plants"])
    sites = {
        "conv": {"status": "operating", "site_type": "steel plant"},
        "conv2": {"status": "operating", "union_status": "present"},
        "iron": {"status": "operating"},
        "eaf": {"status": "operating"},
        "plant": {"status": "operating", "capacity_iron_pre_retirement": 500.0, "capacity_iron": 500.0, "country": "XB"},
        "soon": {"status": "operating", "closure_year": 2028, "workforce": 300, "coal_type": "Bituminous"},
        "late": {"status": "operating", "closure_year": 2035, "workforce": 50},
        "over": {"status": "operating", "closure_year": 2020},
        "gone": {"status": "retired", "closure_year": 2020, "workforce": 20},
        "M1": {"status": "operating", "closure_year": 2026, "workforce": 100},
        "M1~p": {"status": "proposed", "closure_year": 2029, "workforce_not_current": 100},
    }
    for sid, props in sites.items():
        src = "coal" if "closure_year" in props else "plants"
        g.add_node(sid, "Site", sid, sources=[src], **{"country": "XA", **props})
        g.add_edge("acme", sid, "OPERATES", sources=[src])
    _unit(g, "conv-bf", "conv", "BF", "operating-pre-retirement", 2000)
    _unit(g, "conv-bof1", "conv", "BOF", "operating-pre-retirement", 1500)
    _unit(g, "conv-bof2", "conv", "BOF", "operating", 1000)
    _unit(g, "conv-eaf", "conv", "EAF", "announced", 1800)
    _unit(g, "conv-dri", "conv", "DRI", "construction")
    _unit(g, "conv2-bf", "conv2", "BF", "operating", 3000)
    _unit(g, "conv2-eaf", "conv2", "EAF", "construction", 1200)
    _unit(g, "iron-bf1", "iron", "BF", "operating-pre-retirement", 1000)
    _unit(g, "iron-bf2", "iron", "BF", "operating-pre-retirement")
    _unit(g, "eaf-1", "eaf", "EAF", "operating", 900)
    _unit(g, "eaf-2", "eaf", "EAF", "announced", 1000)
    return g


def _na(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def test_rows_and_order(acme: CampaignGraph) -> None:
    df = transition(acme, "acme", as_of=AS_OF, horizon=2030)
    assert list(df["site_id"]) == ["conv", "soon", "M1", "iron", "over", "plant", "conv2"]
    ex = dict(zip(df["site_id"], df["exposure"]))
    assert ex == {
        "conv": ["pre_retirement", "conversion_announced"], "conv2": ["conversion_announced"],
        "iron": ["pre_retirement"], "plant": ["pre_retirement"], "soon": ["closing"], "M1": ["closing"],
        "over": ["closing_overdue"],
    }
    assert df.attrs["horizon"] == 2030


def test_conversion_capacities_by_product(acme: CampaignGraph) -> None:
    r = transition(acme, "acme", as_of=AS_OF).set_index("site_id").loc["conv"]
    assert (r["capacity_iron_at_risk"], r["capacity_crude_steel_at_risk"]) == (2000.0, 1500.0)
    assert (r["at_risk_bf"], r["at_risk_bof"]) == (2000.0, 1500.0)
    assert _na(r["at_risk_eaf"])
    assert r["replacement_crude_steel"] == 1800.0 and r["replacement_eaf"] == 1800.0
    assert _na(r["replacement_iron"])  # the DRI unit has no capacity: unknown, not 0
    assert r["capacity_incomplete"] == ["replacement:iron"]
    assert sorted(r["units_at_risk"]) == ["conv-bf", "conv-bof1"]
    assert sorted(r["units_replacing"]) == ["conv-dri", "conv-eaf"]
    assert r["sources"] == ["units"]
    assert bool(r["no_union_or_agreement"])


def test_only_pre_retirement_iron_units_unit_without_capacity(acme: CampaignGraph) -> None:
    r = transition(acme, "acme", as_of=AS_OF).set_index("site_id").loc["iron"]
    assert r["capacity_iron_at_risk"] == 1000.0  # a lower bound: the second BF has no capacity
    assert r["capacity_incomplete"] == ["at_risk:iron"]
    assert _na(r["capacity_crude_steel_at_risk"]) and _na(r["replacement_crude_steel"])


def test_plant_file_only_and_electric_plant(acme: CampaignGraph) -> None:
    df = transition(acme, "acme", as_of=AS_OF).set_index("site_id")
    assert df.loc["plant", "capacity_iron_at_risk"] == 500.0
    assert df.loc["plant", "sources"] == ["plants"]
    assert "eaf" not in df.index  # a new EAF beside EAFs is no conversion


def test_closing_horizon_and_overdue(acme: CampaignGraph) -> None:
    df = transition(acme, "acme", as_of=AS_OF, horizon=2030).set_index("site_id")
    assert "late" not in df.index and "gone" not in df.index
    assert int(df.loc["soon", "workforce"]) == 300 and df.loc["soon", "coal_type"] == "Bituminous"
    assert _na(df.loc["over", "workforce"])  # unknown stays unknown
    assert df.loc["over", "sources"] == ["coal"]
    later = transition(acme, "acme", as_of=AS_OF, horizon=2035).set_index("site_id")
    assert later.loc["late", "exposure"] == ["closing"]
    with pytest.raises(CampaignGraphError, match="before the as-of year"):
        transition(acme, "acme", as_of=AS_OF, horizon=2020)


def test_one_mine_id_two_rows_counts_workers_once(acme: CampaignGraph) -> None:
    df = transition(acme, "acme", as_of=AS_OF, horizon=2030, status="all").set_index("site_id")
    assert "gone" not in df.index  # retired: a past closing year is no exposure
    assert df.loc["M1~p", "exposure"] == ["closing"] and _na(df.loc["M1~p", "workforce"])
    summ = transition_summary(df.reset_index()).set_index("country")
    # XA: soon 300 + M1 100 (M1~p's 100 is a planned headcount); XB: plant, unknown
    assert int(summ.loc["XA", "workers"]) == 400
    assert _na(summ.loc["XB", "workers"]) and summ.loc["XB", "sites_no_workforce"] == 1
    assert summ.loc["XA", "capacity_iron_at_risk"] == 3000.0  # conv 2000 + iron 1000
    assert summ.loc["XA", "capacity_crude_steel_at_risk"] == 1500.0


def test_cli_table_json_and_errors(acme: CampaignGraph, tmp_path: Path) -> None:
    snap = tmp_path / "acme.snapshot"
    save_snapshot(acme, snap)
    runner = CliRunner()
    res = runner.invoke(cli, ["transition", str(snap), "--company", "Acme", "--as-of", AS_OF, "--horizon", "2030",
                              "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    conv = next(r for r in rows if r["site_id"] == "conv")
    assert conv["capacity_iron_at_risk"] == 2000.0 and conv["exposure"] == ["pre_retirement", "conversion_announced"]
    assert next(r for r in rows if r["site_id"] == "over")["workforce"] is None
    res = runner.invoke(cli, ["transition", str(snap), "--company", "Acme", "--as-of", AS_OF, "--horizon", "2030"])
    assert res.exit_code == 0, res.output
    assert "workers by country: XA 400 (+4 site(s) unknown), XB unknown" in res.output
    assert "none known" in res.output
    res = runner.invoke(cli, ["transition", str(snap), "--company", "Acme", "--as-of", AS_OF, "--horizon", "2001"])
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert "before the as-of year" in res.output and len(res.output.strip().splitlines()) == 1
    assert runner.invoke(cli, ["transition", "--help"]).exit_code == 0


def test_agreement_speaking_to_change(acme: CampaignGraph) -> None:
    """An EFA in force signed by Acme (the operator) covers its sites (coverage's rule; conv and soon are
    given an EEA country); with a restructuring clause it is named in change_agreements, without one not."""
    acme.add_source(Source("page", "fixture agreement page"))
    for sid in ("conv", "soon"):
        acme.add_node(sid, "Site", sid, merge="replace", country="BE")
    acme.add_node("efa1", "Agreement", "Anticipating change", sources=["page"], agreement_type="efa",
                  signed="2010-01-01", scope="controlled", clauses=["restructuring"], clause_quote="Anticipating change")
    acme.add_node("efa2", "Agreement", "Other EFA", sources=["page"], agreement_type="efa", signed="2010-01-01",
                  scope="controlled")
    acme.add_edge("acme", "efa1", "PARTY_TO", sources=["page"], role="employer")
    acme.add_edge("acme", "efa2", "PARTY_TO", sources=["page"], role="employer")
    df = transition(acme, "acme", as_of=AS_OF, horizon=2030).set_index("site_id")
    assert df.loc["conv", "efa"] == "covered"
    assert df.loc["conv", "change_agreements"] == ["efa1"]
    assert "page" in df.loc["conv", "sources"]
    assert _na(df.loc["over", "change_agreements"])  # XA: outside the EEA, the EFA does not apply
    assert not bool(df.loc["conv", "no_union_or_agreement"])


def test_leverage_bargain_before_conversion(acme: CampaignGraph) -> None:
    from queries.leverage import leverage

    lev = leverage(acme, "acme", as_of=AS_OF)
    pts = lev[lev["category"] == "bargaining_calendar"].set_index("node_id")
    # default horizon 2034: conv, conv2, iron, plant, soon, late (2035 is past it: no), over, M1
    assert set(pts.index) == {"conv", "conv2", "iron", "plant", "soon", "over", "M1"}
    assert pts.loc["conv", "score"] == 2.0  # transition_site 1 + no_bargaining_channel 1
    assert pts.loc["conv2", "score"] == 1.0  # a union is recorded there (union_status present)
    assert pts.loc["conv", "explanation"] == (
        "conv: pre retirement, conversion announced (2,000 kt/y iron and 1,500 kt/y crude steel at risk), "
        "workforce unknown; no union or agreement known: organise and bargain before the change is decided")
    assert "units" in pts.loc["conv", "sources"]
    assert pts.loc["soon", "explanation"].startswith("soon: closing (closing year 2028), 300 workers recorded; ")


@pytest.mark.parametrize("args", [["--as-of", "2024-13-01"], ["--horizon", "99999"], ["--horizon", "soon"]])
def test_cli_bad_dates_are_usage_errors(acme: CampaignGraph, tmp_path: Path, args: list[str]) -> None:
    snap = tmp_path / "acme.snapshot"
    save_snapshot(acme, snap)
    r = CliRunner().invoke(cli, ["transition", str(snap), "--company", "Acme", *args])
    assert r.exit_code == 2 and f"Invalid value for '{args[0]}'" in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)
