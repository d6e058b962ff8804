"""The sourced agreements and networks table (a copy of data/agreements/agreements.csv)."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.agreements import company_name, parse_duration, union_of
from loaders.registry import guess_format, load_paths

TABLE = Path(__file__).resolve().parent / "data" / "agreements" / "agreements.csv"


@pytest.fixture(scope="module")
def loaded():
    return load_paths([TABLE])


def test_sniffed():
    assert guess_format(TABLE) == "agreements"


def test_counts(loaded):
    g, ctx = loaded
    assert not ctx.errors
    counts = g.counts_by_kind()["nodes"]
    # 9 agreements (gfa, hs, efa, other) and 13 networks in the 22 rows
    assert counts["Agreement"] == 9 and counts["UnionNetwork"] == 13
    assert ctx.summary()["rows_read"] == 22


@pytest.mark.parametrize(
    "text,start,expected",
    [
        ("3 years", "2005-09-13", ("2008-09-12", None)),
        ("4 years, tacitly renewed for periods of 4 years unless terminated with 6 months' notice", "2008-06-03", ("2012-06-02", "tacit")),
        ("2 years, after which it may be prolonged or renegotiated", "2016-09-07", ("2018-09-06", "unknown")),
        ("Termination of agreement December 31, 2010", "2007-01-19", ("2010-12-31", None)),
        ("Not defined", "2008-06-03", (None, None)),
        ("indeterminate duration (Art. 1.3 valid 1 year)", "2009-11-02", (None, None)),
        ("", "2008-04-09", (None, None)),
        ("two years", "2012-02-29", ("2014-02-27", None)),
    ],
)
def test_parse_duration(text, start, expected):
    assert parse_duration(text, start) == expected


def test_agreement_fields(loaded):
    g, _ = loaded
    hs = g.node("arcelormittal-2008-hs")
    assert (hs["agreement_type"], hs["signed"], hs["expires"], hs["renewal"]) == ("hs", "2008-06-03", "2012-06-02", "tacit")
    assert (hs["scope"], hs["scope_confidence"]) == ("controlled", "inferred")
    assert hs["evidence_quote"] == "Date of signature 03 June 2008"
    assert hs["url"] == "https://cbsd.ilo.org/node/125"
    # Norsk Hydro: renewed 2016, valid 2 years at a time, no later renewal on record
    nh = g.node("norskhydro-2011-gfa")
    assert (nh["signed"], nh["expires"], nh["renewal"], nh["scope"]) == ("2011-03-15", "2018-09-06", "unknown", "unknown")
    assert g.node("thyssenkrupp-2007-other")["expires"] == "2010-12-31"
    assert "expires" not in g.node("vallourec-2008-gfa")
    assert g.node("thyssenkrupp-2015-gfa")["scope"] == "all_subsidiaries"


def test_sources_are_the_cited_pages(loaded):
    g, _ = loaded
    hs = g.node("arcelormittal-2008-hs")
    [sid] = hs["sources"]
    s = g.sources[sid]
    assert (s.url, s.publisher) == ("https://cbsd.ilo.org/node/125", "cbsd.ilo.org")
    assert s.title == "Agreement on minimum requirements for Plant level Joint H&S Committees at ArcelorMittal"
    for _, _, _, a in g.edges():
        assert a["sources"] and a["origins"]


def test_signatories(loaded):
    g, _ = loaded
    parties = sorted((u, a["role"]) for _, u, v, a in g.edges("PARTY_TO") if v == "arcelormittal-2008-hs")
    assert parties == [
        ("co-arcelormittal", "employer"),
        ("union-emf", "union"),
        ("union-imf", "union"),
        ("union-usw", "union"),
    ]
    assert g.node("union-emf")["name"] == "European Metalworkers Federation (EMF)"
    assert g.node("union-imf")["level"] == "global"
    # "IMF" alone is the same union as "International Metalworkers' Federation (IMF)"
    assert g.has_edge("PARTY_TO:union-imf->vallourec-2008-gfa")
    # works councils are not unions; descriptions of groups create no union
    assert not any("council" in a["name"].casefold() or a["name"].casefold() == "ewc" for _, a in g.nodes("Union"))
    assert not g.find("eleven unions representing workers at Gerdau globally", "Union", partial=False)
    assert len(g.node_ids("Union")) == 8


def test_networks(loaded):
    g, _ = loaded
    net = g.node("glencore-2014-network")
    assert net["company"] == "co-glencore" and net["founded"] == "2014-11-01"
    assert g.has_edge("MEMBER_OF:union-industriall-global-union->glencore-2014-network")
    assert g.node("xstrata-2008-network")["company"] == "co-xstrata"
    assert "founded" not in g.node("ternium-network")
    # a network signed by a description only has no member unions
    assert g.in_edges("gerdau-2006-network") == []


def test_helpers():
    assert company_name("Xstrata (taken over by Glencore)") == "Xstrata"
    assert union_of("President of United Steel Workers (USW)") == ("union-usw", "United Steel Workers (USW)")
    assert union_of("EWC") is None
    assert union_of("GMB members of ArcelorMittal") is None
