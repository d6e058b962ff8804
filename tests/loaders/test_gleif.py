"""GLEIF loader: Level 1, Level 2 and reporting exceptions, XML and CSV, and hostile XML.

Fixtures (``fixtures/gleif``, see its README): real GLEIF records cut from ``data/gleif``
(CC0) in XML and the same records as GLEIF-style CSV; fictional ``ACME...`` records for fields
the real cut lacks (quantifiers, trading names, inactive relationships).
"""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

from exports.cli.main import cli
from graphmodel.errors import CampaignGraphError
from loaders import gleif
from loaders.builder import build
from loaders.context import LoadContext
from loaders.registry import guess_format, load_paths
from tests.shared_data import SHARED_DATA

FIX = Path(__file__).parent / "fixtures" / "gleif"
SHARED = SHARED_DATA / "gleif"

FIDELITY, ESG, DENTSU = "lei-001GPB6A9XPE8XJICC14", "lei-00TR8NKAEL48RGTZEW89", "lei-213800FERQ5LE3H7WJ58"
CHILD, DIRECT_PARENT, ULTIMATE_PARENT = "lei-010CMKZ3VON21WF2ZD45", "lei-ZZG38T0MDR3QY1ETUA76", "lei-3C7474T6CDKPR9K6YT90"


def _load(*names: str):
    ctx = LoadContext()
    for n in names:
        gleif.load(FIX / n, ctx)
    return build(ctx), ctx


def _attrs(g, nid):
    return {k: v for k, v in g.node(nid).items() if k not in ("sources", "origins")}


def _eprops(g, eid):
    _, _, a = g.edge(eid)
    return {k: v for k, v in a.items() if k not in ("kind", "sources", "origins")}


EXPECTED_LEI = {
    FIDELITY: {
        "kind": "Company",
        "name": "Fidelity Advisor Leveraged Company Stock Fund",
        "lei": "001GPB6A9XPE8XJICC14",
        "country": "US",
        "hq_country": "US",
        "former_names": ["FIDELITY ADVISOR SERIES I - Fidelity Advisor Leveraged Company Stock Fund"],
        "legal_form": "FUND",
        "status": "active",
        "registry_ids": ["RA000665:S000005113"],
    },
    ESG: {
        "kind": "Company",
        "name": "ESG DOMESTIC OPPORTUNITY OFFSHORE FUND LTD.",
        "lei": "00TR8NKAEL48RGTZEW89",
        "country": "KY",
        "hq_country": "CW",
        "legal_form": "CAYMAN ISLANDS ORDINARY NON-RESIDENT COMPANY",
        "status": "inactive",
        "registry_ids": ["RA000087:574206"],
    },
    DENTSU: {
        "kind": "Company",
        "name": "DENTSU INTERNATIONAL LIMITED",
        "lei": "213800FERQ5LE3H7WJ58",
        "country": "GB",
        "hq_country": "GB",
        "former_names": ["DENTSU AEGIS NETWORK LTD.", "AEGIS GROUP PLC"],
        "legal_form": "H0PO",
        "status": "active",
        "registry_ids": ["RA000585:01403668"],
    },
}


@pytest.mark.parametrize("name", ["lei-data.xml", "lei-data.csv"])
def test_level1_every_field(name):
    g, ctx = _load(name)
    assert {n: _attrs(g, n) for n in g.node_ids()} == EXPECTED_LEI
    assert ctx.stats["gleif_entities"] == 3 and not ctx.errors
    src = g.sources[f"gleif-{Path(name).stem}"]
    assert src.licence == "CC0 1.0 (GLEIF)" and src.publisher.startswith("GLEIF")


def test_former_names_are_searchable():
    g, _ = _load("lei-data.xml")
    assert [m.id for m in g.find("AEGIS GROUP PLC")] == [DENTSU]


def test_csv_reports_unused_columns():
    _, ctx = _load("lei-data.csv")
    assert sorted(ctx.unused_columns[str(FIX / "lei-data.csv")]) == [
        "Entity.EntityCategory", "Entity.LegalAddress.City", "Entity.LegalJurisdiction",
    ]


@pytest.mark.parametrize("name", ["rr-data.xml", "rr-data.csv"])
def test_level2_direct_and_ultimate_parents(name):
    g, ctx = _load(name)
    # IS_DIRECTLY_CONSOLIDATED_BY: parent -> child, control=yes, share unknown, relationship period only
    assert _eprops(g, f"OWNS:{DIRECT_PARENT}->{CHILD}@2018-02-06") == {"control": "yes", "valid_from": "2018-02-06"}
    # IS_ULTIMATELY_CONSOLIDATED_BY: an ultimate-parent assertion, marked, never a plain direct edge
    assert _eprops(g, f"OWNS:{ULTIMATE_PARENT}->{CHILD}#gleif_ultimate") == {
        "control": "yes", "valid_from": "2018-02-06", "derived": "gleif_ultimate",
    }
    assert g.number_of_edges() == 2
    assert ctx.stats["gleif_fund_relationships_skipped"] == 1  # IS_FUND-MANAGED_BY is not ownership
    # LEIs with no Level 1 record in this load: named by their id, LEI kept
    assert _attrs(g, DIRECT_PARENT) == {"kind": "Company", "name": DIRECT_PARENT, "lei": "ZZG38T0MDR3QY1ETUA76"}
    assert not ctx.errors


@pytest.mark.parametrize("name", ["repex-data.xml", "repex-data.csv"])
def test_reporting_exceptions(name):
    g, _ = _load(name)
    assert {n: g.node(n)["parent_unknown_reason"] for n in g.node_ids()} == {
        FIDELITY: "NO_KNOWN_PERSON (direct parent)",
        "lei-004L5FPTUREIWK9T2N63": "NON_CONSOLIDATING (direct parent)",
        "lei-01370W6ZIY66KQ4J3570": "NON_PUBLIC (direct parent)",
    }


@pytest.mark.parametrize("order", [("repex-data.xml", "lei-data.xml"), ("lei-data.csv", "repex-data.csv")])
def test_exceptions_and_entities_merge_in_either_order(order):
    g, ctx = _load(*order)
    a = _attrs(g, FIDELITY)
    assert a["name"] == EXPECTED_LEI[FIDELITY]["name"]
    assert a["parent_unknown_reason"] == "NO_KNOWN_PERSON (direct parent)"
    assert len(g.node(FIDELITY)["sources"]) == 2
    assert not ctx.errors


def test_fictional_quantifiers_inactive_and_bad_rows():
    g, ctx = _load("acme-fictional-lei.csv", "acme-fictional-rr.csv")
    steel, mines, ports = "lei-ACMESTEELFICTIONAL01", "lei-ACMEMINESFICTIONAL02", "lei-ACMEPORTSFICTIONAL03"
    assert _attrs(g, steel) == {
        "kind": "Company", "name": "Acme Steel Holdings (fictional)", "lei": "ACMESTEELFICTIONAL01",
        "country": "NL", "hq_country": "BE", "aliases": ["Acme Steel"],
        "former_names": ["Acme Iron Works (fictional)"], "legal_form": "XXXX", "status": "active",
    }
    # quantifier in PERCENTAGE -> share
    assert _eprops(g, f"OWNS:{steel}->{mines}@2015-03-01") == {"control": "yes", "valid_from": "2015-03-01", "share": 75.0}
    assert ctx.stats["gleif_ultimate_same_as_direct"] == 1
    # an ended relationship keeps its period
    assert _eprops(g, f"OWNS:{steel}->{ports}@2010-01-01") == {
        "control": "yes", "valid_from": "2010-01-01", "valid_to": "2014-06-30",
    }
    assert ctx.stats["gleif_inactive_undated_skipped"] == 1
    assert ctx.stats["gleif_fund_relationships_skipped"] == 1
    assert g.number_of_edges() == 2
    errs = sorted((e.row, e.column) for e in ctx.errors)
    assert errs == [(7, "Relationship.StartNode.NodeID"), (8, "Relationship.Period.N.startDate")]


def test_whole_shared_folder_loads():
    g, ctx = load_paths([SHARED])
    assert not ctx.errors
    assert g.number_of_nodes() == 19 and g.number_of_edges() == 2
    assert ctx.stats["gleif_entities"] == 13 and ctx.stats["gleif_reporting_exceptions"] == 10
    assert ctx.stats["gleif_fund_relationships_skipped"] == 8


def test_format_guessing_and_cli(tmp_path):
    for f in FIX.iterdir():
        if f.suffix in (".xml", ".csv"):
            assert guess_format(f) == "gleif", f
    res = CliRunner().invoke(cli, ["load", str(FIX / "lei-data.xml"), str(FIX / "rr-data.csv"), "-o", str(tmp_path / "s")])
    assert res.exit_code == 0, res.output
    assert "loaded 6 nodes and 2 edges" in res.output


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lei:LEIData xmlns:lei="http://www.gleif.org/data/schema/leidata/2016"><lei:LEIRecords><lei:LEIRecord>
<lei:LEI>001GPB6A9XPE8XJICC14</lei:LEI><lei:Entity><lei:LegalName>&lol9;</lei:LegalName></lei:Entity>
</lei:LEIRecord></lei:LEIRecords></lei:LEIData>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY secret SYSTEM "file://{path}">]>
<rr:RelationshipData xmlns:rr="http://www.gleif.org/data/schema/rr/2016"><rr:RelationshipRecords>
<rr:RelationshipRecord><rr:Relationship><rr:StartNode><rr:NodeID>&secret;</rr:NodeID></rr:StartNode>
</rr:Relationship></rr:RelationshipRecord></rr:RelationshipRecords></rr:RelationshipData>
"""


@pytest.mark.parametrize("kind", ["billion-laughs", "external-entity"])
def test_hostile_xml_is_refused_quickly(tmp_path, kind):
    secret = tmp_path / "secret.txt"
    secret.write_text("CANARY-SECRET-VALUE")
    f = tmp_path / "evil.xml"
    f.write_text(BILLION_LAUGHS if kind == "billion-laughs" else EXTERNAL_ENTITY.format(path=secret))
    assert guess_format(f) == "gleif"  # it looks like GLEIF: the parser, not the sniffer, must refuse it
    tracemalloc.start()
    t0 = time.perf_counter()
    with pytest.raises(CampaignGraphError, match="DTD") as info:
        gleif.load(f, LoadContext())
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 2 and peak < 200 * 2**20
    assert "CANARY" not in str(info.value)
    res = CliRunner().invoke(cli, ["load", str(f), "-o", str(tmp_path / "s")])
    assert res.exit_code == 1 and "DTD" in res.output and "Traceback" not in res.output


def test_truncated_xml(tmp_path):
    f = tmp_path / "cut.xml"
    f.write_text((FIX / "lei-data.xml").read_text()[:3000])
    with pytest.raises(CampaignGraphError, match="invalid XML"):
        gleif.load(f, LoadContext())
