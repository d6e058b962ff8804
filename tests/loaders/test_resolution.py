"""Entity resolution: identifiers, names, fuzzy, review file and decisions, renamings, measured precision."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from graphmodel.graph import CampaignGraph
from graphmodel.records import Source
from loaders.registry import load_paths
from loaders.resolution import (
    DEFAULT_THRESHOLD,
    compare_names,
    read_decisions,
    resolve,
)

DATA = Path(__file__).resolve().parent / "data"
GEM = DATA / "gem"


def company(g: CampaignGraph, id: str, name: str, **props) -> None:
    g.add_node(id, "Company", name, sources=["s"], **props)


@pytest.fixture
def g() -> CampaignGraph:
    g = CampaignGraph()
    g.add_source(Source("s", title="test"))
    return g


# ------------------------------------------------------------------ names
@pytest.mark.parametrize(
    "a,b,expected",
    [
        ("ArcelorMittal", "ArcelorMittal S.A.", "match"),
        ("Arcelor Mittal SA", "ArcelorMittal", "match"),
        ("Glencore", "Glencore PLC", "match"),
        ("Georgsmarienhütte GmbH", "Georgsmarienhuette GmbH", "match"),
        ("Lamines Marchands Europeens SA", "Laminés Marchands Européens", "match"),
        ("ArcelorMittal South Africa Ltd", "ArcelorMittal SA", "distinct"),
        ("Rio Tinto Ltd", "Rio Tinto PLC", "review"),  # two entities of a dual-listed group
        ("Masteel Nanshan Mining Co Ltd", "Masteel Nanshan Mining Co", "review"),  # distinct GEM ids
        ("Hebei Huaxi Special Steel Co Ltd", "Hebei Huaxin Special Steel Co Ltd", "review"),  # distinct GEM ids
        ("KG Steel Co Ltd", "YK Steel Corp", "distinct"),  # only legal forms and a generic word
        ("BHP", "BHP", "match"),  # a short name, written the same
        ("Company A", "Company A", "review"),  # a one-letter name is no evidence (BODS examples)
    ],
)
def test_compare_names(a, b, expected):
    assert compare_names(a, b).decision == expected


def test_countries_must_agree():
    assert compare_names("Vale SA", "Vale", country_a="BR", country_b="BR").decision == "match"
    assert compare_names("Vale SA", "Vale", country_a="BR", country_b="MZ").decision == "review"
    assert compare_names("Vale SA", "Vale", country_a="BR").decision == "match"  # unknown country: no conflict


# ------------------------------------------------------------------ resolving a graph
def test_identifiers_first(g):
    company(g, "a", "ArcelorMittal", lei="2EULGUTUI56JI9SAL165")
    company(g, "b", "AM Luxembourg holding", lei="2EULGUTUI56JI9SAL165")
    company(g, "c", "Something Else", wikidata="Q123")
    company(g, "d", "Totally Different", wikidata="Q123")
    r = resolve(g)
    assert {(m.keep, m.drop, m.how) for m in r.merges} == {("a", "b", "identifier"), ("c", "d", "identifier")}
    assert "same lei identifier 2EULGUTUI56JI9SAL165" in {m.evidence for m in r.merges}
    assert g.node("a")["aliases"] == ["AM Luxembourg holding"]


def test_distinct_ids_never_merge_and_ambiguous_names_go_to_review(g):
    company(g, "E100000001119", "Rio Tinto PLC", gem_id=["E100000001119"])
    company(g, "E100002002847", "Rio Tinto Ltd", gem_id=["E100002002847"])
    company(g, "co-rio-tinto", "Rio Tinto")
    r = resolve(g)
    assert r.merges == []
    assert {(p.a_id, p.b_id) for p in r.review} == {("E100000001119", "co-rio-tinto"), ("E100002002847", "co-rio-tinto")}
    assert all("several distinct entities" in p.reason for p in r.review)


def test_merges_keep_sources_edges_and_names(g):
    g.add_source(Source("t", title="other"))
    company(g, "E100000000687", "ArcelorMittal SA", gem_id=["E100000000687"])
    g.add_node("co-arcelormittal", "Company", "ArcelorMittal", sources=["t"])
    g.add_node("gfa", "Agreement", "A GFA", sources=["t"], agreement_type="gfa")
    g.add_edge("co-arcelormittal", "gfa", "PARTY_TO", sources=["t"], role="employer")
    company(g, "E100001000504", "ArcelorMittal South Africa Ltd", gem_id=["E100001000504"])
    r = resolve(g)
    [m] = r.merges
    assert (m.keep, m.drop, m.how) == ("E100000000687", "co-arcelormittal", "name")
    assert "arcelormittal" in m.evidence
    a = g.node("E100000000687")
    assert a["sources"] == ["s", "t"] and a["aliases"] == ["ArcelorMittal"]
    assert g.has_edge("PARTY_TO:E100000000687->gfa")
    assert g.has_node("E100001000504")  # ArcelorMittal South Africa stays its own entity
    assert r.summary()["merged_by"] == {"name": 1}


def test_fuzzy_threshold(g):
    # fictional: one letter apart in a long name (ratio 99.3)
    company(g, "x", "Acme Westland Steel and Wire Rolling Mills of the Northern Provinces")
    company(g, "y", "Acme Westland Steel and Wire Rolling Mills of the Northern Province")
    r = resolve(g)
    assert r.merges and r.merges[0].how == "fuzzy" and r.merges[0].evidence.startswith("names 9")
    g2 = CampaignGraph()
    g2.add_source(Source("s"))
    company(g2, "x", "Hebei Huaxi Special Steel Co Ltd")
    company(g2, "y", "Hebei Huaxin Special Steel Co Ltd")
    r2 = resolve(g2)
    assert r2.merges == [] and [(p.a_id, p.b_id, p.how) for p in r2.review] == [("x", "y", "fuzzy")]


def test_review_file_decisions_persist_across_reloads(tmp_path):
    coal = GEM / "gem-coal-mines-2024-05-22.csv"
    g, _ = load_paths([coal], link=False)  # resolve from the unlinked graph
    # a name-only short form and the full name in the coal file: one is a review pair here
    company_ids = set(g.node_ids("Company"))
    assert {"gem-mt-owen-pty-limited", "gem-mt-owen-pty-ltd"} <= company_ids
    r = resolve(g)
    # "Mt Owen Pty Limited" / "Mt Owen Pty Ltd": one Australian legal form written two ways
    assert ("gem-mt-owen-pty-limited", "gem-mt-owen-pty-ltd") in {(m.keep, m.drop) for m in r.merges} | {
        (m.drop, m.keep) for m in r.merges
    }
    # fictional look-alikes that need a researcher: same name, different legal forms
    def reload() -> CampaignGraph:
        g, _ = load_paths([coal], link=False)  # resolve from the unlinked graph
        for nid, name in (("acme-ltd", "Acme Steel Works Ltd"), ("acme-plc", "Acme Steel Works PLC"),
                          ("zeta-co", "Zeta Ore Trading Co"), ("zeta-corp", "Zeta Ore Trading Corp")):
            g.add_node(nid, "Company", name, sources=["gem-gcmt-2024-05"])
        return g

    r2 = resolve(reload())
    assert {(p.a_id, p.b_id) for p in r2.review} == {("acme-ltd", "acme-plc"), ("zeta-co", "zeta-corp")}
    review = tmp_path / "review.csv"
    assert r2.write_review(review) == 2
    rows = list(csv.DictReader(review.open(encoding="utf-8")))
    for row in rows:
        row["decision"] = "accept" if row["a_id"] == "acme-ltd" else "reject"
    with review.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    # reload from the sources: the decisions apply again, and nothing decided is asked again
    g3 = reload()
    r3 = resolve(g3, decisions=review)
    assert [(m.keep, m.drop, m.how) for m in r3.merges if m.how == "decision"] == [("acme-ltd", "acme-plc", "decision")]
    assert g3.has_node("zeta-co") and g3.has_node("zeta-corp")
    assert r3.review == []
    # writing the review again keeps the researcher's decisions
    r3.write_review(review)
    again = read_decisions(review)
    assert sorted((d.a_id, d.b_id, d.decision) for d in again) == [
        ("acme-ltd", "acme-plc", "accept"), ("zeta-co", "zeta-corp", "reject"),
    ]


def test_renamings_become_edges(g, tmp_path):
    company(g, "bhp", "BHP Group Ltd", former_names=["BHP Billiton Ltd (until 2018-11-19)"])
    company(g, "bhp-billiton", "BHP Billiton Ltd")
    company(g, "old", "Xstrata")
    company(g, "new", "Glencore Xstrata")
    review = tmp_path / "d.csv"
    review.write_text("a_id,b_id,decision,date\nold,new,renamed,2013-05\n", encoding="utf-8")
    r = resolve(g, decisions=review)
    assert g.edge("RENAMED_TO:bhp-billiton->bhp")[2]["date"] == "2018-11-19"
    assert g.edge("RENAMED_TO:old->new")[2]["date"] == "2013-05-01"
    assert g.name_of("bhp-billiton") == "BHP Billiton Ltd" and g.name_of("bhp") == "BHP Group Ltd"
    assert ("old", "new", "2013-05-01") in r.renamings


def test_bad_decision_is_a_clear_error(tmp_path):
    from graphmodel.errors import CampaignGraphError

    p = tmp_path / "d.csv"
    p.write_text("a_id,b_id,decision\na,b,maybe\n", encoding="utf-8")
    with pytest.raises(CampaignGraphError) as e:
        read_decisions(p)
    assert (e.value.row, e.value.column) == (2, "decision")


# ------------------------------------------------------------------ measured precision
def test_labelled_pairs_precision_at_default_threshold():
    from benchmarks.bench_resolution import evaluate, read_pairs

    pairs = read_pairs(DATA / "name_pairs.csv")
    assert len(pairs) >= 200
    assert {p["label"] for p in pairs} == {"match", "non-match"}
    s, false_positives = evaluate(pairs, DEFAULT_THRESHOLD)
    assert s.precision >= 0.98, false_positives
    assert s.tp >= 8  # it does merge: accents, legal forms, transliterated umlauts


def test_real_graph_arcelormittal_joins_and_south_africa_stays():
    g, _ = load_paths([GEM / "gem-iron-steel-plants-2025-03-25.csv", DATA / "agreements" / "agreements.csv"],
                      link=False)
    resolve(g)
    assert not g.has_node("co-arcelormittal")
    assert g.has_edge("PARTY_TO:E100000000687->arcelormittal-2008-hs")
    assert g.has_node("E100001000504")


def test_cli_resolve(tmp_path):
    from click.testing import CliRunner

    from exports.cli.main import cli
    from graphmodel.stores.snapshot import load_snapshot

    snap = tmp_path / "snap"
    runner = CliRunner()
    res = runner.invoke(cli, ["load", str(GEM / "gem-iron-steel-plants-2025-03-25.csv"),
                              str(DATA / "agreements" / "agreements.csv"), "-o", str(snap), "--no-link"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(cli, ["resolve", str(snap), "-o", str(tmp_path / "out"), "--review", str(tmp_path / "r.csv"),
                              "--merges", str(tmp_path / "m.csv")])
    assert res.exit_code == 0, res.output
    assert "merged" in res.output and (tmp_path / "r.csv").exists()
    merges = list(csv.DictReader((tmp_path / "m.csv").open(encoding="utf-8")))
    assert {"keep": "E100000000687", "drop": "co-arcelormittal"}.items() <= merges[[m["drop"] for m in merges].index("co-arcelormittal")].items()
    g = load_snapshot(tmp_path / "out")
    assert not g.has_node("co-arcelormittal") and g.has_node("E100001000504")
    bad = tmp_path / "bad.csv"
    bad.write_text("a_id,b_id,decision\nx,y,perhaps\n", encoding="utf-8")
    res = runner.invoke(cli, ["resolve", str(snap), "--decisions", str(bad)])
    assert res.exit_code == 1 and "perhaps" in res.output and "Traceback" not in res.output


def test_resolving_twice_changes_nothing_more():
    g, _ = load_paths([GEM / "gem-coal-mines-2024-05-22.csv", GEM / "gem-iron-steel-plants-2025-03-25.csv",
                       DATA / "agreements" / "agreements.csv"], link=False)
    first = resolve(g)
    assert first.merges
    h = g.content_hash()
    second = resolve(g)
    assert second.merges == [] and g.content_hash() == h
