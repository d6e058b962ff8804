"""Redaction: people, sensitive properties, small counts and confidential sources go.

The fixture is fictional (Acme Steel, Site A...) and planted with canary values: every
string in ``CANARIES`` must be absent from a redacted graph (and, in test_formats.py,
from every redacted export file).
"""

from __future__ import annotations

import json

from exports.redact import SMALL_COUNT, is_redacted, redact, redaction_summary
from graphmodel.graph import CampaignGraph
from graphmodel.records import Source

#: values that must never appear in a redacted export
CANARIES = (
    "Zorba Canaryperson",  # an organiser's name (Person node)
    "person-canary",  # the Person's id
    "canary.organiser@example.org",  # a Person's and a Union's email
    "+99 555 0123 4567",  # a union phone
    "17 Canary Lane",  # a union address
    "Canary Contact",  # a union contact
    "98761",  # a membership count (REPRESENTS members)
    "CANARY-NOTE",  # confidential notes on a node and an edge
    "CANARY-GOAL",  # a campaign goal
    "CANARY-PATH",  # an internal path in origins
    "CANARY-FILE",  # an internal path in a source's file field
    "canary-informant",  # a confidential source's id
    "CANARY-INFORMANT",  # its title
    "organiser-role-canary",  # the HOLDS_ROLE role
)


def canary_graph() -> CampaignGraph:
    """A small fictional group with sensitive values planted everywhere they can go."""
    g = CampaignGraph()
    g.add_source(
        Source(
            "pub",
            title="Acme Steel annual report 2024",
            publisher="Acme Steel",
            url="https://example.org/acme-2024.pdf",
            file="/srv/internal/CANARY-FILE.xlsx",
            retrieved="2025-01-15",
            licence="CC BY 4.0",
            loaded="2025-02-01",
        )
    )
    g.add_source(
        Source(
            "canary-informant",
            title="CANARY-INFORMANT report",
            publisher="a steward",
            loaded="2025-02-01",
            confidential=True,
        )
    )
    g.add_node("acme", "Company", "Acme Steel", sources=["pub"], country="DE", listed=True,
               notes="CANARY-NOTE: the CFO is leaving", origins=["/home/research/CANARY-PATH.csv:2"])
    g.add_node("acme-sub", "Company", "Acme Steel Brasil Ltda", sources=["pub", "canary-informant"], country="BR")
    g.add_node("site-a", "Site", "Site A", sources=["pub"], country="DE", commodity="steel", workforce=1200,
               lat=51.5, lon=-0.25, status="operating", precarious_share=0.5)
    g.add_node("site-b", "Site", "Site B", sources=["canary-informant"], country="BR", commodity="iron ore",
               workforce=3, lat=-20.1, lon=-44.2)
    g.add_node("u1", "Union", "Acme Workers Union", sources=["pub"], level="local", country="DE",
               email="canary.organiser@example.org", phone="+99 555 0123 4567", address="17 Canary Lane",
               contact="Canary Contact", website="https://example.org/union")
    g.add_node("camp", "Campaign", "Organise Site B", sources=["pub"], goal="CANARY-GOAL: recognition by May",
               status="active", start="2025-01-01")
    g.add_node("person-canary", "Person", "Zorba Canaryperson", role="organiser",
               email="canary.organiser@example.org", sources=["canary-informant"])
    g.add_edge("acme", "acme-sub", "OWNS", sources=["pub"], share=60.0, voting=60.0, control="yes")
    g.add_edge("acme", "site-a", "OPERATES", sources=["pub"])
    g.add_edge("acme-sub", "site-b", "OPERATES", sources=["pub"], share=100.0)
    g.add_edge("u1", "site-a", "REPRESENTS", sources=["pub"], members=98761, density=62.5, recognised=True,
               notes="CANARY-NOTE: ballot planned")
    g.add_edge("u1", "site-b", "REPRESENTS", sources=["canary-informant"], members=4, recognised=False)
    g.add_edge("person-canary", "u1", "HOLDS_ROLE", role="organiser-role-canary", sources=["canary-informant"])
    g.add_edge("camp", "acme", "TARGETS", sources=["pub"], valid_from="2025-01-01")
    g.add_edge("u1", "camp", "SUPPORTS", sources=["pub"])
    return g


def canary_hits(text: str) -> list[str]:
    """The canaries present in ``text``."""
    return [c for c in CANARIES if c in text]


def test_redact_drops_people_and_sensitive_values() -> None:
    g = canary_graph()
    before = g.canonical()
    r = redact(g)
    assert g.canonical() == before, "redact() must not change its input"
    assert is_redacted(r) and not is_redacted(g)
    # the Person and its HOLDS_ROLE edge are gone; everything else stays
    assert sorted(r.node_ids()) == ["acme", "acme-sub", "camp", "site-a", "site-b", "u1"]
    assert sorted(a["kind"] for _, _, _, a in r.edges()) == [
        "OPERATES", "OPERATES", "OWNS", "REPRESENTS", "REPRESENTS", "SUPPORTS", "TARGETS",
    ]
    u1 = r.node("u1")
    assert {k: u1[k] for k in sorted(u1)} == {
        "country": "DE", "kind": "Union", "level": "local", "name": "Acme Workers Union",
        "sources": ["pub"], "website": "https://example.org/union",
    }
    assert "notes" not in r.node("acme") and "origins" not in r.node("acme")
    assert "goal" not in r.node("camp") and r.node("camp")["status"] == "active"
    # membership figures and density are sensitive; recognition is not
    _, _, rep = r.edge("REPRESENTS:u1->site-a")
    assert dict(rep) == {"kind": "REPRESENTS", "recognised": True, "sources": ["pub"]}
    # a workforce under 5 could identify the workers; 1200 cannot
    assert r.node("site-a")["workforce"] == 1200
    assert "workforce" not in r.node("site-b")
    assert SMALL_COUNT == 5


def test_redact_confidential_sources_and_files() -> None:
    r = redact(canary_graph())
    assert sorted(r.sources) == ["pub"]
    assert r.sources["pub"].file == "" and r.sources["pub"].title == "Acme Steel annual report 2024"
    # references to the confidential source are removed; a fact it alone asserts keeps no source
    assert r.node("acme-sub")["sources"] == ["pub"]
    assert "sources" not in r.node("site-b")
    _, _, rep_b = r.edge("REPRESENTS:u1->site-b")
    assert dict(rep_b) == {"kind": "REPRESENTS", "recognised": False}
    assert r.validate() == []
    assert redaction_summary(r) == {
        "nodes": 1,  # the Person
        "edges": 1,  # HOLDS_ROLE
        # notes x2, origins, email, phone, address, contact, goal, members x2, density
        "properties": 11,
        "small_counts": 1,  # workforce 3
        "sources": 1,
        "confidential_source_references": 3,  # acme-sub, site-b, REPRESENTS u1->site-b (the Person goes whole)
        "source_files": 1,
        "pseudonyms": 0,  # no source named after its file, no id holding the person's id or name
    }


def test_redacted_graph_has_no_canary_anywhere() -> None:
    r = redact(canary_graph())
    blob = json.dumps(r.canonical(), default=str)
    assert canary_hits(blob) == []
    # the unredacted graph has every one of them (the canaries are really planted)
    full = json.dumps(canary_graph().canonical(), default=str)
    assert canary_hits(full) == list(CANARIES)


def test_redact_unknown_properties_are_not_kept() -> None:
    g = canary_graph()
    g.nx.nodes["acme"]["secret_field"] = "CANARY-NOTE outside the schema"
    r = redact(g)
    assert "secret_field" not in r.node("acme")


def test_redact_twice_is_stable() -> None:
    once = redact(canary_graph())
    assert redact(once) == once


def test_redact_drops_confidential_value_pins_and_keeps_the_values() -> None:
    # one site from three records: a public report (workforce), an informant (union_status,
    # cba_status) and a public press article (cba_status too); all three give the name
    g = CampaignGraph()
    g.add_source(Source("pub", title="Acme Steel annual report 2024"))
    g.add_source(Source("press", title="Fictional press article"))
    g.add_source(Source("informant", title="Informant report", confidential=True))
    g.add_node("site", "Site", "Site A", sources=["pub"], workforce=900)
    g.add_node("site", "Site", "Site A", sources=["informant"], union_status="none", cba_status="in_force",
               merge="fill")
    g.add_node("site", "Site", "Site A", sources=["press"], cba_status="in_force", merge="fill")
    assert sorted(g.node("site")["value_sources"]) == [
        "cba_status=informant", "cba_status=press", "union_status=informant", "workforce=pub"]
    a = redact(g).node("site")
    # the values stay; the informant's id goes from every pin; union_status, which it alone set,
    # is pinned to "withheld" rather than credited to the public sources left on the record
    assert (a["union_status"], a["cba_status"], a["workforce"]) == ("none", "in_force", 900)
    assert a["sources"] == ["pub", "press"]
    assert sorted(a["value_sources"]) == ["cba_status=press", "union_status=withheld", "workforce=pub"]
    assert "informant" not in json.dumps(dict(a))
    # 1 in the sources list + 2 in value_sources pins
    assert redaction_summary(redact(g))["confidential_source_references"] == 3


def test_what_the_readme_calls_sensitive_is_flagged_and_dropped() -> None:
    """docs/data-protection.md: the schema flags exactly the listed kinds and properties, and
    redaction drops each of them from every kind that has it; people counts under 5 go, 5 stays."""
    from graphmodel import schema

    assert [k for k, nk in schema.NODE_KINDS.items() if nk.sensitive] == ["Person"]
    assert [k for k, ek in schema.EDGE_KINDS.items() if ek.sensitive] == ["HOLDS_ROLE"]
    flagged = {p for k in schema.NODE_KINDS for p, pr in schema.node_props(k).items() if pr.sensitive}
    flagged |= {p for k in schema.EDGE_KINDS for p, pr in schema.edge_props(k).items() if pr.sensitive}
    readme = {"email", "phone", "address", "contact", "birth_date", "nationality", "members", "density", "notes",
              "goal", "origins", "country"}  # country: a person's (Person is dropped whole anyway)
    assert flagged == readme
    samples = {"str": "ZQX-7", "list": ["ZQX-7"], "date": "2001-02-03", "int": 77, "percent": 55.5}
    g = CampaignGraph()
    for kind, nk in schema.NODE_KINDS.items():
        if nk.sensitive:
            continue
        props = {p: samples[pr.type] for p, pr in schema.node_props(kind).items() if pr.sensitive}
        g.add_node(f"n-{kind}", kind, f"{kind} one", **props)
    g.add_edge("n-Union", "n-Site", "REPRESENTS", members=77, density=55.5, notes="ZQX-7", origins=["ZQX-7"])
    g.add_node("small", "Site", "Small site", workforce=SMALL_COUNT - 1)
    g.add_node("five", "Site", "Five site", workforce=SMALL_COUNT)
    r = redact(g)
    readme.discard("country")  # flagged on Person only; a company's or site's country is public
    left = [(n, p) for n, a in r.nodes() for p in a if p in readme]
    left += [(k, p) for k, _, _, a in r.edges() for p in a if p in readme]
    assert left == [] and r.number_of_edges() == 1
    assert "workforce" not in r.node("small") and r.node("five")["workforce"] == 5
    assert r.node("n-Union")["name"] == "Union one"


def test_a_people_count_that_is_not_a_number_is_dropped() -> None:
    """A count stored as text (a tampered snapshot) or NaN cannot be checked against SMALL_COUNT: it goes."""
    g = CampaignGraph()
    g.bulk_add(
        [("s1", {"kind": "Site", "name": "S1", "workforce": "3"}), ("s2", {"kind": "Site", "name": "S2", "workforce": float("nan")}),
         ("s3", {"kind": "Site", "name": "S3", "workforce": 12})],
        [],
    )
    r = redact(g)
    assert [r.node(n).get("workforce") for n in ("s1", "s2", "s3")] == [None, None, 12]
    assert redaction_summary(r)["small_counts"] == 2


def test_which_real_sources_count_as_named_after_their_file() -> None:
    """examples/sample/sources.csv: the GEM releases have fixed ids and titles (loaders/gem_common.py
    RELEASES) and the agreements table a fixed id, so they keep their names; the compiled-notes
    source is titled after its file (``agreements/NOTES.md (compiled notes)``), so it is renamed."""
    import csv
    from pathlib import Path

    from exports.redact import named_from_file, pseudonym

    path = Path(__file__).resolve().parents[2] / "examples" / "sample" / "sources.csv"
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    srcs = {r["id"]: Source(**{**r, "confidential": r["confidential"] == "true"}) for r in rows}
    assert sorted(s for s, src in srcs.items() if named_from_file(src)) == ["file-agreements-notes-md"]
    g = CampaignGraph()
    for src in srcs.values():
        g.add_source(src)
    r = redact(g)
    new = pseudonym("file-agreements-notes-md", "src")
    # "agreements/NOTES.md" is replaced, but "compiled notes" still holds the file's stem ("notes"):
    # a title that still holds the stem is replaced whole
    assert r.sources[new].title == new and r.sources[new].file == ""
    assert set(r.sources) == (set(srcs) - {"file-agreements-notes-md"}) | {new}
