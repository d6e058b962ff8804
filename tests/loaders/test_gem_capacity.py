"""Steel capacity by product and unit status, on the real GEM files in data/.

Expected figures are worked out by hand from the raw rows (file and row cited; row numbers
are the line numbers of the CSV, header = line 1).
"""

from __future__ import annotations

import pytest

from graphmodel.provenance import sources_of
from loaders.gem_steel import CAPACITY_PROPS
from loaders.gem_steel_units import site_capacities
from loaders.registry import load_paths
from tests.shared_data import GEM_PLANTS, SHARED_DATA

UNITS = SHARED_DATA / "gem-iron-steel-units-2025-03-18.csv"
PLANTS_SRC, UNITS_SRC = "gem-gist-plants-2025-03", "gem-gist-units-2025-03"

DILLINGER = "P100000120423"  # AG der Dillinger Hüttenwerke Dillingen steel plant (plants row 418)
OXELOSUND = "P100000120844"  # SSAB Oxelösund steel plant (plants row 814)
HWANGHAE = "P100000120688"  # Hwanghae Iron and Steel Complex steel plant (plants row 667)
CHIJI = "P100000120370"  # Guangxi Chiji Iron and Steel Co Ltd (plants row 366)


@pytest.fixture(scope="module")
def both():
    g, ctx = load_paths([GEM_PLANTS, UNITS])
    assert not ctx.errors
    return g


@pytest.fixture(scope="module")
def plants_only():
    return load_paths([GEM_PLANTS])[0]


def capacities(attrs):
    return {k: attrs[k] for k in CAPACITY_PROPS if k in attrs}


def test_dillinger_capacity_by_product_and_status_from_its_units(both):
    # units rows 38-45: EAF (1) 1750 and EAF (2) 1400 announced; two BOF 1380 each operating
    # pre-retirement (rows 40, 41); BF 3 730 mothballed (row 42); BF 4 2227 and BF 5 2555 operating
    # pre-retirement (rows 43, 44); DRI (1) 2500 announced (row 45).
    site = both.node(DILLINGER)
    assert capacities(site) == {
        "capacity_iron": 2227.0 + 2555.0,  # 4782: BF 4 + BF 5; BF 3 is mothballed, the DRI announced
        "capacity_iron_pre_retirement": 2227.0 + 2555.0,
        "capacity_crude_steel": 1380.0 + 1380.0,  # 2760: the two converters; the EAFs are announced
        "capacity_crude_steel_pre_retirement": 1380.0 + 1380.0,
    }
    # the old figure, 7542 "sum of operating units", was iron + crude steel: no property holds it
    sums = {a + b for a in (4782.0, 4782.0 + 730.0) for b in (2760.0, 2760.0 + 3150.0)}
    assert not [k for k, v in site.items() if isinstance(v, (int, float)) and v in sums]
    assert (site["capacity"], site["capacity_unit"]) == (2760.0, "ttpa crude steel")
    # the plant file (row 418) says the same: iron 0 + 4782 pre-retirement, crude steel 0 + 2760
    assert sources_of(site, "capacity_iron") == [PLANTS_SRC, UNITS_SRC]
    assert sources_of(site, "capacity") == [PLANTS_SRC] and sources_of(site, "unit_count") == [UNITS_SRC]


def test_dillinger_units_are_nodes_part_of_the_site(both):
    units = sorted(u for _e, u, _v, _a in both.in_edges(DILLINGER, "PART_OF"))
    assert units == sorted(["U100000141796", "U100000141797", "U100000143544", "U100000143545",
                            "U100000140974", "U100000140975", "U100000140976", "U100000143297"])
    bf3, bf5, bof = both.node("U100000140974"), both.node("U100000140976"), both.node("U100000143544")
    assert (bf3["kind"], bf3["name"], bf3["unit_type"], bf3["product"], bf3["status"], bf3["capacity"],
            bf3["relining"]) == ("Unit", "BF 3", "BF", "iron", "mothballed", 730.0, "2003")
    assert (bf5["status"], bf5["capacity"], bf5["relining"]) == ("operating-pre-retirement", 2555.0, "2010-10-21")
    assert (bof["unit_type"], bof["product"], bof["capacity"]) == ("BOF", "crude_steel", 1380.0)
    assert "relining" not in bof and "start_year" not in bof  # the file gives neither for this unit
    assert both.node("U100000143297")["product"] == "iron"  # a DRI plant makes iron
    assert bf5["origins"] == ["gem-iron-steel-units-2025-03-18.csv:44"]
    assert both.node(DILLINGER)["unit_count"] == 8


def test_plant_file_alone(plants_only):
    site = plants_only.node(DILLINGER)
    assert capacities(site) == {"capacity_iron": 4782.0, "capacity_iron_pre_retirement": 4782.0,
                                "capacity_crude_steel": 2760.0, "capacity_crude_steel_pre_retirement": 2760.0}
    assert "Unit" not in plants_only.counts_by_kind()["nodes"]
    # Chiji, row 366: operating iron 5680 (BF 5253 + other/unspecified 427), crude steel 4800, no pre-retirement
    assert capacities(plants_only.node(CHIJI)) == {"capacity_iron": 5680.0, "capacity_crude_steel": 4800.0}


def test_units_win_over_the_plant_file_and_the_pins_say_who_said_what(both):
    # Chiji units rows 3089-3094: three BOF 1600 and three BF 1751, all operating; the plant file's
    # 427 ttpa other/unspecified iron has no unit row
    site = both.node(CHIJI)
    assert capacities(site) == {"capacity_iron": 3 * 1751.0, "capacity_crude_steel": 3 * 1600.0}
    assert sources_of(site, "capacity_iron") == [UNITS_SRC]  # the plant file said 5680
    assert sources_of(site, "capacity_crude_steel") == [PLANTS_SRC, UNITS_SRC]  # both say 4800


def test_load_order_does_not_change_the_figures(both):
    g, _ = load_paths([UNITS, GEM_PLANTS])
    for site in (DILLINGER, CHIJI, OXELOSUND, HWANGHAE):
        a, b = both.node(site), g.node(site)
        assert capacities(a) == capacities(b)
        props = [*capacities(a), "capacity", "capacity_unit", "unit_count"]
        assert {p: sorted(sources_of(a, p)) for p in props} == {p: sorted(sources_of(b, p)) for p in props}
        assert (a["capacity"], a["unit_count"]) == (b["capacity"], b["unit_count"])


def test_plant_with_only_pre_retirement_units(both):
    # Oxelösund units rows 2167-2170: EAF (1) 1500 construction; BOF 1500, BF 2 550, BF 4 1000, all
    # operating pre-retirement. Plant row 814 agrees (pre-retirement iron 1550, crude steel 1500).
    assert capacities(both.node(OXELOSUND)) == {
        "capacity_iron": 550.0 + 1000.0, "capacity_iron_pre_retirement": 550.0 + 1000.0,
        "capacity_crude_steel": 1500.0, "capacity_crude_steel_pre_retirement": 1500.0,
    }


def test_unit_without_capacity_makes_the_total_a_lower_bound(both):
    # Hwanghae units rows 992-997: EAF (1) 750 and an OHF 750 operating; BF (1)-(3) 250 each operating;
    # BF (4) (row 997, U100001048365) operating with capacity ">0": not a figure
    site = both.node(HWANGHAE)
    assert capacities(site) == {"capacity_iron": 3 * 250.0, "capacity_crude_steel": 750.0 + 750.0,
                                "capacity_incomplete": ["iron"]}
    assert "capacity" not in both.node("U100001048365")  # unknown, not 0
    assert sources_of(site, "capacity_incomplete") == [UNITS_SRC]


def test_site_capacities_hand_cases():
    assert site_capacities([]) == {}
    # units that are not operating give no figure: absent, never 0
    assert site_capacities([("iron", "announced", 2500.0), ("crude_steel", "retired", 900.0)]) == {}
    # only units of unknown capacity: unknown (absent), marked incomplete
    assert site_capacities([("crude_steel", "operating", None)]) == {"capacity_incomplete": ["crude_steel"]}
    assert site_capacities([("iron", "operating", 100.0), ("iron", "operating-pre-retirement", 50.0),
                            ("crude_steel", "operating", 120.0), (None, "operating", 999.0)]) == {
        "capacity_iron": 150.0, "capacity_iron_pre_retirement": 50.0, "capacity_crude_steel": 120.0}


def test_units_stay_out_of_groups_coverage_and_maps(both, plants_only):
    from exports.netmap import select_view
    from queries.coverage import coverage
    from queries.leverage import leverage
    from queries.ownership import group

    am = "E100000000687"  # ArcelorMittal SA, a parent of Dillinger's owner (plants row 418)
    day = "2025-06-30"
    assert list(group(both, am, as_of=day)["id"]) == list(group(plants_only, am, as_of=day)["id"])
    assert list(coverage(both, am, as_of=day)["site_id"]) == list(coverage(plants_only, am, as_of=day)["site_id"])
    lev = leverage(both, am, as_of=day)

    def not_transition(df):  # units add "bargain before conversion" points (issue 20); the rest is unchanged
        return [n for n, f in zip(df["node_id"], df["factors"]) if "transition_site" not in f]

    assert not_transition(lev) == not_transition(leverage(plants_only, am, as_of=day))
    assert not [n for n in lev["node_id"] if both.kind_of(n) == "Unit"]
    for kw in ({"company": am}, {"around": DILLINGER, "hops": 2}):
        view = select_view(both, as_of=day, coverage_status=False, max_nodes=10**6, **kw)  # type: ignore[arg-type]
        assert not [n for n in view.nodes if both.kind_of(n) == "Unit"]
        assert view.omitted == {}
    # a unit asked for as the centre is drawn, its fellow units are not
    view = select_view(both, around="U100000140976", hops=2, as_of=day, coverage_status=False)
    assert [n for n in view.nodes if both.kind_of(n) == "Unit"] == ["U100000140976"]
    assert DILLINGER in view.nodes


def test_units_survive_a_snapshot_and_stay_off_columnar_maps(both, tmp_path):
    from exports.netmap import select_view
    from graphmodel.stores.snapshot import load_snapshot, save_snapshot

    save_snapshot(both, tmp_path / "snap", created="test")
    col = load_snapshot(tmp_path / "snap", columnar=True)
    assert col.is_columnar
    assert col.counts_by_kind() == both.counts_by_kind()
    assert col.node("U100000140976") == both.node("U100000140976")
    assert capacities(col.node(DILLINGER)) == capacities(both.node(DILLINGER))
    view = select_view(col, around=DILLINGER, hops=2, as_of="2025-06-30", coverage_status=False, max_nodes=10**6)
    assert view.nodes and not [n for n in view.nodes if col.kind_of(n) == "Unit"]


def test_bad_unit_rows_get_one_line_and_lose_no_good_data(tmp_path):
    import csv

    from tests.loaders.test_gem import UNITS as UNITS_CUT

    # the committed cut: ArcelorMittal Gent's units are rows 25-31 (row 27: BOF U100000143497, operating, 2500)
    with UNITS_CUT.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        header, rows = reader.fieldnames, list(reader)
    rows[27 - 2]["gem-unit-id"] = ""  # an operating converter without an id
    rows[25 - 2]["tab-type"] = "Sinter_plants"  # an announced unit of a type with no known product
    bad = tmp_path / "gem-iron-steel-units-2025-03-18.csv"
    with bad.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header)
        w.writeheader()
        w.writerows(rows)
    g, ctx = load_paths([bad])
    [err] = [e for e in ctx.errors if "gem-unit-id" in str(e)]
    assert (err.file, err.row, err.column) == (bad.name, 27, "gem-unit-id")
    assert [w for w in ctx.warnings if "Sinter" in w] == [
        f"{bad.name}:25: tab-type: unit type 'Sinter plants' has no known product; its capacity is not counted"]
    gent = g.node("P100000120027")
    # the id-less converter still counts: 2500 + 2500 (pre-retirement), as with the intact file
    assert (gent["capacity_crude_steel"], gent["capacity_crude_steel_pre_retirement"]) == (5000.0, 2500.0)
    assert not g.has_node("U100000143497") and g.has_node("U100000143498")
    sinter = g.node("U100000141491")
    assert sinter["unit_type"] == "Sinter plants" and "product" not in sinter and sinter["capacity"] == 1250.0
