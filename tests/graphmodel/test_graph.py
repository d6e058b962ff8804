"""CampaignGraph: schema validation, provenance merging, search, as_of filtering.

Real names here come from data/gem-iron-steel-plants-2025-03-25.csv (Global Energy
Monitor, CC BY 4.0): "ArcelorMittal SA" (GEM id E100000000687) owns and operates the
"ArcelorMittal Gent steel plant" (P100000120027); "ArcelorMittal South Africa Ltd"
(E100001000504) is a distinct entity. Everything else is fictional ("Acme", "Site A").
"""

from __future__ import annotations

import pytest

from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.records import Source


@pytest.fixture
def g() -> CampaignGraph:
    g = CampaignGraph()
    g.add_source(Source("gem-steel", title="Global Iron and Steel Tracker", licence="CC BY 4.0"))
    g.add_source(Source("notes", title="Fictional notes"))
    g.add_node("E100000000687", "Company", "ArcelorMittal SA", sources=["gem-steel"], gem_id=["E100000000687"])
    g.add_node("E100001000504", "Company", "ArcelorMittal South Africa Ltd", sources=["gem-steel"])
    g.add_node("P100000120027", "Site", "ArcelorMittal Gent steel plant", sources=["gem-steel"], aliases=["ArcelorMittal Ghent"])
    g.add_node("acme", "Company", "Acme Steel AG", former_names=["Acme Iron & Coal AG (until 2001-03-31)"])
    g.add_node("acme-sub", "Company", "Acme Rolling GmbH")
    return g


# ---------------------------------------------------------------- schema validation
def test_unknown_node_kind_is_refused(g: CampaignGraph) -> None:
    with pytest.raises(CampaignGraphError, match="unknown node kind 'Factory'"):
        g.add_node("f", "Factory", "F")
    assert not g.has_node("f")


def test_kinds_are_case_insensitive(g: CampaignGraph) -> None:
    assert g.add_node("u", "union", "Union X") == "u" and g.kind_of("u") == "Union"
    assert g.add_edge("acme", "acme-sub", "owns", share=10) == "OWNS:acme->acme-sub"


def test_unknown_edge_kind_and_bad_endpoints_are_refused(g: CampaignGraph) -> None:
    with pytest.raises(CampaignGraphError, match="unknown edge kind 'EMPLOYS'"):
        g.add_edge("acme", "acme-sub", "EMPLOYS")
    with pytest.raises(CampaignGraphError, match=r"OWNS cannot run from a Site to a Company") as e:
        g.add_edge("P100000120027", "acme", "OWNS")
    assert e.value.column == "source"
    with pytest.raises(CampaignGraphError, match=r"OPERATES cannot run from a Company to a Company") as e:
        g.add_edge("acme", "acme-sub", "OPERATES")
    assert e.value.column == "target"
    with pytest.raises(CampaignGraphError, match="'ghost' is not a node"):
        g.add_edge("acme", "ghost", "OWNS")
    with pytest.raises(CampaignGraphError, match="self-loop"):
        g.add_edge("acme", "acme", "OWNS")
    assert g.number_of_edges() == 0


def test_unknown_property_share_range_and_bad_dates(g: CampaignGraph) -> None:
    with pytest.raises(CampaignGraphError, match="unknown property 'colour'") as e:
        g.add_node("x", "Company", "X", colour="blue")
    assert e.value.column == "colour"
    with pytest.raises(CampaignGraphError, match="unknown property 'workforce'"):
        g.add_node("x", "Company", "X", workforce=10)  # a Site property, not a Company one
    for bad in (150, -1, "101 %"):
        with pytest.raises(CampaignGraphError, match="outside 0-100") as e:
            g.add_edge("acme", "acme-sub", "OWNS", share=bad)
        assert e.value.column == "share"
    with pytest.raises(CampaignGraphError, match="not a date") as e:
        g.add_edge("acme", "acme-sub", "OWNS", valid_from="next spring")
    assert e.value.column == "valid_from"
    with pytest.raises(CampaignGraphError, match="not a date"):
        g.add_edge("acme", "acme-sub", "OWNS", valid_from="2020-02-30")
    with pytest.raises(CampaignGraphError, match="valid_to is before valid_from"):
        g.add_edge("acme", "acme-sub", "OWNS", valid_from="2020", valid_to="2019")
    with pytest.raises(CampaignGraphError, match="must be one of"):
        g.add_node("a1", "Agreement", "A", agreement_type="treaty")
    with pytest.raises(CampaignGraphError, match="unknown source 'nowhere'"):
        g.add_node("x", "Company", "X", sources=["nowhere"])
    assert not g.has_node("x") and g.number_of_edges() == 0
    assert g.validate() == []


def test_values_are_parsed_to_canonical_forms(g: CampaignGraph) -> None:
    eid = g.add_edge("acme", "acme-sub", "OWNS", share="51,5 %", valid_from="2008-06", valid_to="2020", control="Yes")
    assert eid == "OWNS:acme->acme-sub@2008-06-01"
    a = g.edge(eid)[2]
    assert (a["share"], a["valid_from"], a["valid_to"], a["control"]) == (51.5, "2008-06-01", "2020-12-31", "yes")
    g.add_node("s", "Site", "Site A", workforce="1,200", lat="50.5", union_status="")
    assert g.node("s")["workforce"] == 1200 and "union_status" not in g.node("s")  # empty = unknown, not stored


def test_validate_catches_edits_made_behind_the_graphs_back(g: CampaignGraph) -> None:
    g.nx.nodes["acme"]["colour"] = "blue"
    g.nx.add_node("zz", kind="Factory", name="Z")
    msgs = [e.message for e in g.validate()]
    assert msgs == ["node 'acme': Company has no property 'colour'", "node 'zz': unknown kind 'Factory'"]


# ---------------------------------------------------------------- provenance merging
def test_sources_union_on_re_add(g: CampaignGraph) -> None:
    g.add_node("E100000000687", "Company", "ArcelorMittal SA", sources=["notes"], country="LU")
    a = g.node("E100000000687")
    assert a["sources"] == ["gem-steel", "notes"] and a["country"] == "LU"
    e1 = g.add_edge("E100000000687", "P100000120027", "OPERATES", sources=["gem-steel"])
    e2 = g.add_edge("E100000000687", "P100000120027", "OPERATES", sources=["notes", "gem-steel"])
    assert e1 == e2 and g.edge(e1)[2]["sources"] == ["gem-steel", "notes"] and g.number_of_edges() == 1
    # a second Source record with the same id fills empty fields, never overwrites
    g.add_source(Source("notes", title="Other title", publisher="Nobody"))
    assert (g.sources["notes"].title, g.sources["notes"].publisher) == ("Fictional notes", "Nobody")


def test_conflicting_values_refused_with_merge_error_and_graph_unchanged(g: CampaignGraph) -> None:
    g.add_node("acme", "Company", "Acme Steel AG", country="DE")
    before = g.canonical()
    with pytest.raises(CampaignGraphError, match="duplicate id 'acme' with a different value for country") as e:
        g.add_node("acme", "Company", "Acme Steel AG", sources=["notes"], country="FR")
    assert e.value.column == "country"
    assert g.canonical() == before  # nothing changed, not even the sources
    with pytest.raises(CampaignGraphError, match="already a Company, not a Site"):
        g.add_node("acme", "Site", "Acme")
    g.add_node("acme", "Company", "Acme Steel AG", merge="fill", country="FR", sources=["notes"])
    assert g.node("acme")["country"] == "DE" and g.node("acme")["sources"] == ["notes"]
    g.add_node("acme", "Company", "Acme Steel AG", merge="replace", country="FR")
    assert g.node("acme")["country"] == "FR"
    g.add_edge("acme", "acme-sub", "OWNS", share=60)
    with pytest.raises(CampaignGraphError, match="different value for share"):
        g.add_edge("acme", "acme-sub", "OWNS", share=70)
    assert g.edge("OWNS:acme->acme-sub")[2]["share"] == 60.0


def test_merge_nodes_moves_edges_and_keeps_the_name_as_alias(g: CampaignGraph) -> None:
    g.add_node("am-dup", "Company", "Arcelormittal S.A.", sources=["notes"])
    g.add_edge("am-dup", "P100000120027", "OPERATES", sources=["notes"])
    g.merge_nodes("E100000000687", "am-dup")
    a = g.node("E100000000687")
    assert a["aliases"] == ["Arcelormittal S.A."] and a["sources"] == ["gem-steel", "notes"]
    assert [k for k, *_ in g.out_edges("E100000000687")] == ["OPERATES:E100000000687->P100000120027"]
    assert not g.has_node("am-dup") and g.validate() == []


# ---------------------------------------------------------------- search
def test_legal_form_punctuation_and_case_insensitive_search(g: CampaignGraph) -> None:
    for text in ("ArcelorMittal S.A.", "arcelormittal sa", "ARCELORMITTAL  S.A", "ArcelorMittal"):
        assert next(m.id for m in g.find(text, "Company")) == "E100000000687", text
    assert g.resolve("ArcelorMittal S.A.", "Company") == "E100000000687"


def test_similar_names_stay_distinct(g: CampaignGraph) -> None:
    found = g.find("ArcelorMittal South Africa Ltd")
    assert [m.id for m in found] == ["E100001000504"]
    assert "E100001000504" not in [m.id for m in g.find("ArcelorMittal S.A.") if m.how != "partial"]
    assert g.resolve("ArcelorMittal South Africa", "Company") == "E100001000504"


def test_alias_former_name_identifier_and_accent_search(g: CampaignGraph) -> None:
    assert [(m.id, m.how) for m in g.find("ArcelorMittal Ghent")] == [("P100000120027", "alias")]
    assert [(m.id, m.how) for m in g.find("Acme Iron and Coal AG")] == [("acme", "former_name")]
    assert [(m.id, m.how) for m in g.find("Acme Iron & Coal")] == [("acme", "former_name")]
    assert [(m.id, m.how) for m in g.find("e100000000687")] == [("E100000000687", "identifier")]
    g.add_node("u", "Union", "Sindicato Metalúrgico de São Paulo")
    assert [m.id for m in g.find("sindicato metalurgico de sao paulo")] == ["u"]
    assert [(m.id, m.how) for m in g.find("Rolling")] == [("acme-sub", "partial")]
    assert g.find("Nothing like it") == []
    with pytest.raises(CampaignGraphError, match="no Company matches"):
        g.resolve("Nothing like it", "Company")


def test_ambiguous_resolve_lists_candidates(g: CampaignGraph) -> None:
    g.add_node("x1", "Company", "Site Services Ltd")
    g.add_node("x2", "Company", "Site Services GmbH")
    with pytest.raises(CampaignGraphError, match=r"ambiguous: Site Services (GmbH|Ltd) \[x\d, Company\]"):
        g.resolve("Site Services")


# ---------------------------------------------------------------- time
def test_as_of_filters_edges_by_validity(g: CampaignGraph) -> None:
    g.add_edge("acme", "acme-sub", "OWNS", share=100, valid_from="2001-01-01", valid_to="2009-12-31")
    g.add_edge("acme", "acme-sub", "OWNS", share=40, valid_from="2010-01-01")
    g.add_edge("E100000000687", "P100000120027", "OPERATES")  # open on both ends
    ids = lambda as_of: sorted(k for k, *_ in g.edges("OWNS", as_of=as_of))
    assert ids("2005-06-01") == ["OWNS:acme->acme-sub@2001-01-01"]
    assert ids("2009-12-31") == ["OWNS:acme->acme-sub@2001-01-01"]  # valid_to is inclusive
    assert ids("2010-01-01") == ["OWNS:acme->acme-sub@2010-01-01"]
    assert ids("2000-12-31") == []
    assert len(ids(None)) == 2
    assert [k for k, *_ in g.out_edges("acme", "OWNS", as_of="2030-01-01")] == ["OWNS:acme->acme-sub@2010-01-01"]
    assert [k for k, *_ in g.in_edges("P100000120027", as_of="1900-01-01")] == ["OPERATES:E100000000687->P100000120027"]
    assert len(list(g.edges(["OWNS", "OPERATES"], as_of="today"))) == 2


def test_equality_copy_and_hash(g: CampaignGraph) -> None:
    h = g.copy()
    assert h == g and h.content_hash() == g.content_hash()
    h.add_node("new", "Company", "New Co")
    assert h != g and h.content_hash() != g.content_hash() and not g.has_node("new")


def test_resolve_an_id_answers_like_find_without_the_name_index() -> None:
    g = CampaignGraph()
    g.add_node("acme", "Company", "Other Name")
    g.add_node("c2", "Company", "acme")  # another node whose *name* is the first one's id
    g.add_node("s1", "Site", "Site One")
    assert g.resolve(" acme ") == "acme"
    assert g._index is None  # answered from the id alone
    assert g.find("acme")[0].id == "acme"  # what the name index ranks first
    assert g.resolve("acme", "company") == "acme"
    # the id names a node of another kind: the name search decides, as before
    with pytest.raises(CampaignGraphError, match="no Site matches"):
        g.resolve("acme", "Site")
    with pytest.raises(CampaignGraphError, match="unknown node kind"):
        g.resolve("acme", "Planet")
