"""Transition exposure on the shipped real files (issue 20), as of 2026-12-01, default horizon (2036).

Expected rows worked out by hand from the raw rows: ``units rN`` = data/gem-iron-steel-units-2025-03-18.csv,
``coal rN`` = data/gem-coal-mines-2024-05-22.csv, N the spreadsheet row number (header = row 1). The set of
ArcelorMittal plants is also checked against a brute force over the raw unit rows (not the loader).
"""

from __future__ import annotations

import csv
import math
from typing import Any

import pandas as pd
import pytest

from graphmodel.graph import CampaignGraph
from loaders.registry import load_paths
from queries.transition import transition
from tests.acceptance.test_real_data import ARCELORMITTAL_DEFAULT, GLENCORE_DEFAULT
from tests.shared_data import SHARED_DATA

AS_OF = "2026-12-01"
UNITS = SHARED_DATA / "gem-iron-steel-units-2025-03-18.csv"
FILES = [
    SHARED_DATA / "gem-iron-steel-plants-2025-03-25.csv",
    UNITS,
    SHARED_DATA / "gem-iron-ore-mines-2024-11.xlsx",
    SHARED_DATA / "gem-coal-mines-2024-05-22.csv",
    SHARED_DATA / "agreements" / "agreements.csv",
]


@pytest.fixture(scope="module")
def graph() -> CampaignGraph:
    return load_paths(FILES)[0]


def _company(graph: CampaignGraph, name: str) -> str:
    found = [n for n, a in graph.nodes("Company") if a.get("name") == name]
    assert len(found) == 1, found
    return found[0]


@pytest.fixture(scope="module")
def arcelor(graph: CampaignGraph) -> pd.DataFrame:
    return transition(graph, "E100000000687", as_of=AS_OF).set_index("site_id")  # ArcelorMittal SA


@pytest.fixture(scope="module")
def glencore(graph: CampaignGraph) -> pd.DataFrame:
    return transition(graph, _company(graph, "Glencore PLC"), as_of=AS_OF).set_index("site_id")


def _na(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def test_arcelormittal_dunkerque(arcelor: pd.DataFrame) -> None:
    r = arcelor.loc["P100000120472"]  # Dunkerque, units r169-r177
    assert r["exposure"] == ["pre_retirement", "conversion_announced"]
    assert r["capacity_iron_at_risk"] == 1500 + 1800  # BF 2 r174, BF 3 r175 (pre-retirement)
    assert r["capacity_crude_steel_at_risk"] == 2250 + 2250  # BOF r171, r172 (pre-retirement; r173 operating)
    assert r["replacement_crude_steel"] == 2250 + 2250  # EAF (1) r169, EAF (2) r170, announced
    assert r["replacement_iron"] == 2500  # DRI (1) r177, announced
    assert _na(r["capacity_incomplete"])
    assert r["relining"] == ["BF 3: 2022-11"]  # r175
    assert sorted(r["units_at_risk"]) == ["U100000140991", "U100000140992", "U100000143576", "U100000143577"]
    assert r["production_route"] == "IntegratedBFandDRI"
    assert all(o.startswith("gem-iron-steel-units-2025-03-18.csv:") for o in r["origins"])
    # the unit file first (the exposure facts), then the pages behind coverage's reasons, e.g. the 2009 EFA
    # (agreements.csv row 5, https://cbsd.ilo.org/node/123) that efa's reason names
    assert r["sources"][0] == "gem-gist-units-2025-03" and "web-cbsd-ilo-org-node-123" in r["sources"]


def test_arcelormittal_gent_monlevade_esch(arcelor: pd.DataFrame) -> None:
    gent = arcelor.loc["P100000120027"]  # units r186-r192
    assert (gent["capacity_iron_at_risk"], gent["capacity_crude_steel_at_risk"]) == (2700, 2500)  # BF A r190, BOF r189
    assert (gent["replacement_crude_steel"], gent["replacement_iron"]) == (1250 + 1250, 2500)  # EAF r186/r187, DRI r192
    mon = arcelor.loc["P100000120035"]  # EAF (1) r218 under construction beside BF A r221 and BOFs r219/r220
    assert mon["exposure"] == ["conversion_announced"] and mon["replacement_crude_steel"] == 1000
    assert _na(mon["replacement_iron"]) and _na(mon["capacity_iron_at_risk"])
    esch = arcelor.loc["P100000120715"]  # EAF (1) r184 pre-retirement; EAF (2) r185 construction, no BF/BOF
    assert esch["exposure"] == ["pre_retirement"]
    assert esch["capacity_crude_steel_at_risk"] == 1000 and esch["at_risk_eaf"] == 1000
    assert _na(esch["replacement_crude_steel"])
    # no workforce in the steel files: unknown, never 0
    assert arcelor["workforce"].isna().all()
    # conversions where no union or agreement is known come first
    assert arcelor.index[0] == "P100000120035"
    bands = [("conversion_announced" in e, g) for e, g in zip(arcelor["exposure"], arcelor["no_union_or_agreement"])]
    first_other = next(i for i, b in enumerate(bands) if b != (True, True))
    assert all(b != (True, True) for b in bands[first_other:])


def test_arcelormittal_set_by_brute_force(arcelor: pd.DataFrame) -> None:
    """Plants of the group (acceptance set) with a pre-retirement unit, or an EAF/DRI announced or under
    construction beside a BF/BOF operating, pre-retirement, idle or mothballed: straight from the raw rows."""
    units: dict[str, list[tuple[str, str]]] = {}
    with open(UNITS, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            units.setdefault(row["plant-id"], []).append((row["tab-type"], row["status"].replace("_", "-")))
    expected = set()
    for pid in ARCELORMITTAL_DEFAULT:
        us = units.get(pid, [])
        pre = any(s == "operating-pre-retirement" for _, s in us)
        hot = any(t in ("Blast_furnaces", "Basic_oxygen_furnaces") and s in (
            "operating", "operating-pre-retirement", "idle", "mothballed") for t, s in us)
        new = any(t in ("Electric_arc_furnaces", "DRI_furnaces") and s in ("announced", "construction") for t, s in us)
        if pre or (hot and new):
            expected.add(pid)
    assert len(expected) == 12
    assert set(arcelor.index) == expected


def test_glencore_coal(glencore: pd.DataFrame) -> None:
    # Of the group's operating mines (acceptance set) two have a closing year, both past by 2026:
    # coal r107 Newlands (M0083) closing 2023, workforce 610; coal r4060 Integra Underground (M4354), 2024, 230.
    # The retired Newlands row r5273 (same id, 610 workers, closing 2023) is another site, not counted.
    assert set(glencore.index) == {"M0083", "M4354"}
    assert set(glencore.index) <= GLENCORE_DEFAULT
    new = glencore.loc["M0083"]
    assert new["exposure"] == ["closing_overdue"] and int(new["workforce"]) == 610
    assert new["closure_year"] == 2023 and new["start_year"] == 1983
    assert (new["coal_type"], new["mine_type"]) == ("Bituminous", "surface")
    assert new["origins"] == ["gem-coal-mines-2024-05-22.csv:107"]
    integra = glencore.loc["M4354"]
    assert integra["exposure"] == ["closing_overdue"] and int(integra["workforce"]) == 230
    assert integra["closure_year"] == 2024 and integra["mine_type"] == "underground"
    assert list(glencore.index) == ["M0083", "M4354"]  # both with no union or agreement known; more workers first
    assert glencore["no_union_or_agreement"].all()
    assert all(r for r in glencore["sources"])


def test_arcelormittal_agreement_speaking_to_change(arcelor: pd.DataFrame) -> None:
    # agreements.csv row 5 arcelormittal-2009-efa "Managing & Anticipating change" (clauses: restructuring), signed
    # by ArcelorMittal SA, covers (efa) the EEA plants ArcelorMittal SA operates itself: Gent (plants r25, owner =
    # parent = ArcelorMittal SA) and Esch-Belval (plants r692); elsewhere its scope beyond the signatory is unknown.
    named = {s for s, a in arcelor["change_agreements"].items() if isinstance(a, list) and a}
    assert named == {"P100000120027", "P100000120715"}
    assert arcelor.loc["P100000120027", "change_agreements"] == ["arcelormittal-2009-efa"]
