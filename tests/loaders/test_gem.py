"""GEM tracker loaders: field-by-field on committed cuts of the real files (tests/loaders/data/gem)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from loaders.gem_coal import site_ids
from loaders.gem_common import country_code, is_placeholder, parse_holders, split_holder
from loaders.registry import guess_format, load_paths

DATA = Path(__file__).resolve().parent / "data" / "gem"
PLANTS = DATA / "gem-iron-steel-plants-2025-03-25.csv"
UNITS = DATA / "gem-iron-steel-units-2025-03-18.csv"
ORE_XLSX = DATA / "gem-iron-ore-mines-2024-11.xlsx"
ORE_CSV = DATA / "gem-iron-ore-mines-map-2024-11-25.csv"
COAL = DATA / "gem-coal-mines-2024-05-22.csv"

AM = "E100000000687"  # ArcelorMittal SA
AM_BRASIL = "E100001000493"
AMSA = "E100001000504"  # ArcelorMittal South Africa Ltd


def owns(g, src, dst):
    eid = f"OWNS:{src}->{dst}"
    return g.edge(eid)[2] if g.has_edge(eid) else None


# ------------------------------------------------------------------ parsing
def test_parse_holders_percentages_placeholders_and_ids():
    hl = parse_holders(
        "Maanshan Iron & Steel Co Ltd [55.0%]; natural person(s) [37.2%]; unknown [7.8%]",
        "E100000123737 [55.0%]; E100000123261 [37.2%]; E100000132388 [7.8%]",
    )
    assert [(h.name, h.share, h.gem_id) for h in hl.holders] == [("Maanshan Iron & Steel Co Ltd", 55.0, "E100000123737")]
    assert hl.raw_count == 3 and hl.placeholders == 2
    assert split_holder("Bulga Coal Management [BCM]") == ("Bulga Coal Management [BCM]", None)
    assert split_holder("Glencore PLC [100%]") == ("Glencore PLC", 100.0)
    assert split_holder("Glencore PLC [50.00%]") == ("Glencore PLC", 50.0)
    for p in ("natural person(s)", "small shareholder(s)", "unknown", "--", "", "Others"):
        assert is_placeholder(p)
    assert parse_holders("--").holders == () and parse_holders("").raw_count == 0
    # id lists of another length than the names are not paired by position
    assert parse_holders("A Ltd; B Ltd", "E100000000001").holders[0].gem_id is None


def test_country_codes():
    assert [country_code(c) for c in ("Belgium", "Türkiye", "Russia", "South Africa", "United States", "Nowhere")] == [
        "BE", "TR", "RU", "ZA", "US", None,
    ]


def test_sniff_guesses_each_format():
    assert guess_format(PLANTS) == "gem-steel"
    assert guess_format(UNITS) == "gem-units"
    assert guess_format(ORE_XLSX) == "gem-iron-ore"
    assert guess_format(ORE_CSV) == "gem-iron-ore"
    assert guess_format(COAL) == "gem-coal"


# ------------------------------------------------------------------ steel plants
@pytest.fixture(scope="module")
def steel():
    return load_paths([PLANTS])


def test_plant_site_fields(steel):
    g, ctx = steel
    gent = g.node("P100000120027")
    assert gent["kind"] == "Site" and gent["name"] == "ArcelorMittal Gent steel plant"
    assert (gent["country"], gent["subnational"], gent["status"]) == ("BE", "Vlaanderen", "operating")
    assert (gent["lat"], gent["lon"], gent["coordinate_accuracy"]) == (51.169929, 3.804462, "exact")
    assert gent["start_year"] == 1966 and gent["gem_id"] == ["P100000120027"]
    # row 3: operating 2500 + operating-pre-retirement 2500 ttpa crude steel (BOF)
    assert gent["capacity"] == 2500.0 + 2500.0 and gent["capacity_unit"] == "ttpa crude steel"
    assert gent["aliases"] == ["ArcelorMittal Ghent"]
    assert gent["url"] == "https://www.gem.wiki/ArcelorMittal_Gent_steel_plant"
    assert gent["origins"] == ["gem-iron-steel-plants-2025-03-25.csv:3"]
    # a cell with doubled quotes inside ("АО ""КМК ""ТЭМПО""...") does not shift the columns
    assert g.node("P100000120830")["country"] == "RU"
    assert not ctx.errors


def test_owner_equal_to_parent_is_direct_operation(steel):
    g, _ = steel
    assert g.has_edge(f"OPERATES:{AM}->P100000120027")
    assert [e for e in g.edges("OWNS") if e[1] == e[2]] == []
    assert g.out_edges("E100001016181", "OWNS") == []  # Emsteel: its own parent


def test_known_share_beats_unknown_and_keeps_all_rows(steel):
    g, _ = steel
    e = owns(g, AM, AM_BRASIL)  # 97.1% in Barra Mansa's row, no % in Monlevade's
    assert e["share"] == 97.1 and "share_inferred" not in e and e["derived"] == "gem_parent"
    assert sorted(e["origins"]) == ["gem-iron-steel-plants-2025-03-25.csv:4", "gem-iron-steel-plants-2025-03-25.csv:5"]
    assert e["sources"] == ["gem-gist-plants-2025-03"]


def test_sole_parent_without_percentage_is_inferred_100(steel):
    g, _ = steel
    e = owns(g, AM, "E100001000495")  # ArcelorMittal Dofasco GP, parent "ArcelorMittal SA"
    assert e["share"] == 100.0 and e["share_inferred"] == "sole GEM parent listed without a percentage"


def test_missing_percentage_beside_others_is_unknown(steel):
    g, _ = steel
    # Hazira: "ArcelorMittal SA; Nippon Steel Corp" -> both shares unknown (absent, never 0 or 100)
    for parent in (AM, "E100000000652"):
        e = owns(g, parent, "E100000002455")
        assert e is not None and "share" not in e
    # Dillinger: "ArcelorMittal SA; Montan-Stiftung-Saar; unknown": unknown is no company
    assert "share" not in owns(g, AM, "E100000002380")
    assert not g.find("unknown", "Company", partial=False)
    # "natural person(s) [37.2%]" is not a company either, and the known 55% stays
    assert owns(g, "E100000123737", "E100000123155")["share"] == 55.0
    assert not any("natural person" in a.get("name", "") for _, a in g.nodes("Company"))


def test_arcelormittal_south_africa_is_a_separate_group(steel):
    g, _ = steel
    assert g.name_of(AMSA) == "ArcelorMittal South Africa Ltd"
    assert g.has_edge(f"OPERATES:{AMSA}->P100000121027")
    assert g.in_edges(AMSA, "OWNS") == [] and owns(g, AM, AMSA) is None


def test_sources_and_unused_columns(steel):
    g, ctx = steel
    s = g.sources["gem-gist-plants-2025-03"]
    assert (s.publisher, s.licence, s.file, s.retrieved) == (
        "Global Energy Monitor", "CC BY 4.0", "gem-iron-steel-plants-2025-03-25.csv", "2025-03-25",
    )
    assert "Iron and Steel Tracker" in s.title
    for _, a in g.nodes():
        assert a["sources"] == ["gem-gist-plants-2025-03"]
    for _, _, _, a in g.edges():
        assert a["sources"] == ["gem-gist-plants-2025-03"] and a["origins"]
    unused = ctx.unused_columns["gem-iron-steel-plants-2025-03-25.csv"]
    assert "steel-products" in unused and "plant-id" not in unused and "owner" not in unused


# ------------------------------------------------------------------ units
def test_units_aggregate_onto_plant_sites():
    g, ctx = load_paths([UNITS])
    # one Site per plant, never one per unit
    rows = list(csv.DictReader(UNITS.open(encoding="utf-8", newline="")))
    plants = {r["plant-id"] for r in rows}
    assert len(g.node_ids("Site")) == len(plants) == 11 and len(rows) > 11
    gent = g.node("P100000120027")
    # 7 units (rows 25-31): 2 EAF (announced), 2 BOF, 2 BF, 1 DRI (announced); operating crude steel
    # 2500 (BOF) + 2500 (BOF, pre-retirement), operating iron 2300 (BF B) + 2700 (BF A, pre-retirement)
    assert gent["unit_count"] == 7
    assert sorted(gent["equipment"]) == ["BF", "BOF", "DRI", "EAF"]
    assert (gent["capacity_crude_steel"], gent["capacity_crude_steel_pre_retirement"]) == (5000.0, 2500.0)
    assert (gent["capacity_iron"], gent["capacity_iron_pre_retirement"]) == (5000.0, 2700.0)
    assert "capacity" not in gent  # never one figure summed across products
    assert g.has_edge(f"OPERATES:{AM}->P100000120027")
    assert len(gent["origins"]) == 7
    assert ctx.stats["gem_units"] == len(rows)


def test_plants_and_units_together_merge_into_one_site():
    g, ctx = load_paths([PLANTS, UNITS])
    gent = g.node("P100000120027")
    assert gent["capacity"] == 5000.0  # the plant file's crude steel figure; the unit file sets none
    assert gent["unit_count"] == 7  # the unit file fills what the plant file lacks
    assert gent["sources"] == ["gem-gist-plants-2025-03", "gem-gist-units-2025-03"]
    assert not ctx.errors


# ------------------------------------------------------------------ iron ore
def test_iron_ore_workbook():
    g, ctx = load_paths([ORE_XLSX])
    ghoryan = g.node("P100000129290")
    assert ghoryan["name"] == "Ghoryan Mine" and ghoryan["status"] == "proposed" and ghoryan["country"] == "AF"
    # owner "unknown" (which GEM even gives an entity id) is no company
    assert g.in_edges("P100000129290") == []
    assert ghoryan["origins"] == ["gem-iron-ore-mines-2024-11.xlsx:Main Data:2"]
    assert not ctx.errors
    assert g.sources["gem-giomt-2024-11"].retrieved == "2024-11-25"
    sites = g.node_ids("Site")
    assert all(g.node(s)["commodity"] == "iron ore" for s in sites)


def test_iron_ore_map_csv_uses_name_ids():
    g, _ = load_paths([ORE_CSV])
    assert g.has_node("gem-arcelormittal-sa") and g.has_node("gem-ore-brazil-vale-itabira-complex-mine")
    e = owns(g, "gem-arcelormittal-sa", "gem-arcelormittal-brasil-sa")
    assert e["share"] == 97.1


# ------------------------------------------------------------------ coal
@pytest.fixture(scope="module")
def coal():
    return load_paths([COAL])


def test_coal_reads_utf16_and_splits_repeated_ids(coal):
    g, ctx = coal
    assert COAL.read_bytes()[:2] == b"\xff\xfe"
    bulga, expansion = g.node("M0017"), g.node("M0017~proposed")
    assert bulga["status"] == "operating" and bulga["workforce"] == 750 and bulga["name"] == "Bulga Coal Mine"
    assert expansion["status"] == "proposed" and "workforce" not in expansion
    # Glendell: the shelved expansion row repeats 254 workers: a planned figure, not counted twice
    assert g.node("M0042")["workforce"] == 254
    glendell = g.node("M0042~shelved")
    assert "workforce" not in glendell and glendell["workforce_not_current"] == 254
    assert g.node("M0061")["status"] == "retired" and g.node("M0061")["workforce_not_current"] == 395
    assert expansion["name"] == "Bulga Coal Mine (proposed)" and expansion["gem_id"] == ["M0017"]
    assert {m.id for m in g.find("M0017")} == {"M0017", "M0017~proposed"}
    # every row became a site: 17 rows, 4 of them repeats of an earlier id
    assert len(g.node_ids("Site")) == 17 and ctx.stats["gem_coal_repeated_rows"] == 4


def test_coal_ownership(coal):
    g, _ = coal
    bcm = "gem-bulga-coal-management-bcm"
    assert g.name_of(bcm) == "Bulga Coal Management [BCM]"  # an abbreviation in brackets, not a share
    assert owns(g, "gem-glencore-plc", bcm)["share"] == 72.6
    assert owns(g, "gem-nippon-steel-corp", bcm)["share"] == 12.5
    # owners with shares (Liddell, parent empty)
    assert g.edge("OPERATES:gem-glencore-australia->M0061")[2]["share"] == 67.5
    # M0932: Glencore is an owner [50%] and the parent [100%]: it does not own its co-owner
    assert g.edge("OPERATES:gem-glencore-plc->M0932")[2]["share"] == 50.0
    assert owns(g, "gem-glencore-plc", "gem-phembani-group-pty-ltd") is None
    # M0004: a sole parent at 100% of a site with two 50/50 owners holds both
    for o in ("gem-centennial-springvale-pty-ltd", "gem-boulder-mining-pty-ltd"):
        assert owns(g, "gem-banpu-pcl", o)["share"] == 100.0


def test_site_ids_rank_statuses():
    rows = [(2, {"id": "M9", "status": "proposed"}), (3, {"id": "M9", "status": "proposed"}), (4, {"id": "M9", "status": "shelved"})]
    assert site_ids(rows) == {4: "M9", 2: "M9~proposed", 3: "M9~proposed-2"}


# ------------------------------------------------------------------ CLI
def test_cli_load_gem_formats(tmp_path):
    from exports.cli.main import cli

    res = CliRunner().invoke(cli, ["load", "--format", "gem-coal", str(COAL), "-o", str(tmp_path / "snap")])
    assert res.exit_code == 0, res.output
    assert "Site: 17" in res.output
    res = CliRunner().invoke(cli, ["load", str(PLANTS), str(UNITS), str(ORE_XLSX), "-o", str(tmp_path / "s2"),
                                   "--report", str(tmp_path / "r.json")])
    assert res.exit_code == 0, res.output
    assert "merged:" in res.output  # rows restating a company or edge are folded, and said so
    import json

    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["rows_rejected"] == 0 and report["stats"]["node_rows_merged"] > 0 and "warnings" in report


def test_id_hints_fix_rows_that_list_ids_in_another_order():
    from loaders.gem_common import id_hints

    # the plant file lists these two owners' ids in the other order on a multi-holder row;
    # single-holder rows elsewhere pair each name with its id unambiguously
    hints = id_hints([
        ("Tangshan Zhengfeng Steel Co Ltd", "E100000127360"),
        ("Tianjin Rongcheng Group Tangshan Special Steel Co Ltd [100%]", "E100001012092 [100%]"),
    ])
    hl = parse_holders(
        "Tangshan Zhengfeng Steel Co Ltd; Tianjin Rongcheng Group Tangshan Special Steel Co Ltd",
        "E100001012092; E100000127360",
        hints,
    )
    assert [(h.name, h.gem_id) for h in hl.holders] == [
        ("Tangshan Zhengfeng Steel Co Ltd", "E100000127360"),
        ("Tianjin Rongcheng Group Tangshan Special Steel Co Ltd", "E100001012092"),
    ]


def test_iron_ore_map_file_joins_workbook_sites_by_url():
    g, _ = load_paths([ORE_XLSX, ORE_CSV])
    wb_sites = load_paths([ORE_XLSX])[0].node_ids("Site")
    # every mine of the map cut is also in the workbook cut: no site twice
    assert sorted(g.node_ids("Site")) == sorted(wb_sites)
    itabira = next(n for n, a in g.nodes("Site") if a["name"] == "Vale Itabira Complex Mine")
    assert g.node(itabira)["sources"] == ["gem-giomt-2024-11", "gem-giomt-map-2024-11"]


def test_umbrella_gem_format_dispatches_by_header(tmp_path):
    g, ctx = load_paths([COAL, PLANTS], fmt="gem")
    assert g.has_node("M0017") and g.has_node("P100000120027") and not ctx.errors
    other = tmp_path / "x.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    from graphmodel.errors import CampaignGraphError

    with pytest.raises(CampaignGraphError, match="not a GEM tracker file"):
        load_paths([other], fmt="gem")


def test_loading_is_deterministic():
    a, _ = load_paths([PLANTS, UNITS, ORE_XLSX, COAL])
    b, _ = load_paths([PLANTS, UNITS, ORE_XLSX, COAL])
    assert a == b and a.content_hash() == b.content_hash()


def test_several_owners_and_parents_pair_by_their_stakes(tmp_path):
    # fictional rows in the map-file layout; the pattern is GEM's (BHP Area C: owners 85/8/7, parents 85/8/7)
    header = "country/area,name-(english),design-capacity-(ttpa),status,owner,parent,coordinates,url"
    rows = [
        (
            'Australia,Site A,100,operating,"Acme Minerals Pty Ltd [85.0%]; Beta Ore Pty Ltd [8.0%]; Gamma Iron Pty Ltd [7.0%]",'
            '"Acme Group Ltd [85.0%]; Beta Corp [8.0%]; Gamma Co Ltd [7.000000000000001%]","-22.0, 118.0",'
        ),
        'Australia,Site B,100,operating,"Delta Pty Ltd [50%]; Epsilon Pty Ltd [50%]","Zeta Corp [50%]; Eta Corp [50%]","-22.0, 119.0",',
    ]
    f = tmp_path / "gem-iron-ore-mines-map-test.csv"
    f.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    g, ctx = load_paths([f], fmt="gem-iron-ore")
    for parent, owner in (("acme-group-ltd", "acme-minerals-pty-ltd"), ("beta-corp", "beta-ore-pty-ltd"), ("gamma-co-ltd", "gamma-iron-pty-ltd")):
        e = owns(g, f"gem-{parent}", f"gem-{owner}")
        assert e["share"] == 100.0 and "same stake in the site" in e["share_inferred"]
    assert owns(g, "gem-acme-group-ltd", "gem-beta-ore-pty-ltd") is None
    # 50/50 owners under 50/50 parents: nothing says who holds whom
    assert g.in_edges("gem-delta-pty-ltd", "OWNS") == [] and ctx.stats["gem_parents_not_assigned"] == 2
