"""The schema as data: internal consistency, sensitivity, kind spelling, and the table in docs/schema.md."""

from __future__ import annotations

from pathlib import Path

from graphmodel import schema
from graphmodel.schema_doc import END, START, readme_section, replace_section, schema_markdown

SCHEMA_PAGE = Path(__file__).resolve().parents[2] / "docs" / "schema.md"
TYPES = {"str", "int", "float", "bool", "date", "list", "percent", "enum"}


def test_every_property_has_a_known_type_and_enums_have_values() -> None:
    props = [*schema.COMMON_NODE_PROPS.values(), *schema.COMMON_EDGE_PROPS.values()]
    for k in schema.NODE_KINDS.values():
        props += list(k.props.values())
    for e in schema.EDGE_KINDS.values():
        props += list(e.props.values())
    for p in props:
        assert p.type in TYPES
        assert (p.type == "enum") == bool(p.values)


def test_a_property_name_has_one_storage_type_across_kinds() -> None:
    """Snapshots store one column per property name, so its Arrow type must agree across kinds
    (``status`` is free text on a Company and an enum on a Site: both are strings)."""
    from graphmodel.columnar import arrow_types

    _ARROW = arrow_types()

    for table in (
        [(n, p) for k in schema.NODE_KINDS.values() for n, p in {**schema.COMMON_NODE_PROPS, **k.props}.items()],
        [(n, p) for e in schema.EDGE_KINDS.values() for n, p in {**schema.COMMON_EDGE_PROPS, **e.props}.items()],
    ):
        seen: dict[str, str] = {}
        for name, p in table:
            assert seen.setdefault(name, str(_ARROW[p.type])) == str(_ARROW[p.type]), name


def test_endpoints_name_known_node_kinds() -> None:
    for e in schema.EDGE_KINDS.values():
        assert e.endpoints
        for a, b in e.endpoints:
            assert a in schema.NODE_KINDS and b in schema.NODE_KINDS, e.name
    assert ("Union", "Site") in schema.EDGE_KINDS["REPRESENTS"].endpoints
    assert ("Investor", "Company") in schema.EDGE_KINDS["OWNS"].endpoints


def test_sensitivity_flags() -> None:
    assert schema.NODE_KINDS["Person"].sensitive and schema.EDGE_KINDS["HOLDS_ROLE"].sensitive
    assert schema.is_sensitive_edge_prop("REPRESENTS", "members")
    assert schema.is_sensitive_node_prop("Union", "email") and schema.is_sensitive_node_prop("Site", "notes")
    assert not schema.is_sensitive_node_prop("Company", "country")
    assert not schema.is_sensitive_node_prop("Company", "no_such_prop")


def test_kind_spellings() -> None:
    assert schema.canonical_node_kind(" union network ") == "UnionNetwork"
    assert schema.canonical_node_kind("company") == "Company"
    assert schema.canonical_node_kind("Factory") is None
    assert schema.canonical_edge_kind("member of") == "MEMBER_OF"
    assert schema.canonical_edge_kind("owns") == "OWNS"
    assert schema.canonical_edge_kind("EMPLOYS") is None


def test_schema_markdown_lists_every_kind_and_property() -> None:
    md = schema_markdown()
    for k in schema.NODE_KINDS.values():
        row = next(line for line in md.splitlines() if line.startswith(f"| {k.name} |"))
        for p in k.props:
            assert f"`{p}`" in row, (k.name, p)
    for e in schema.EDGE_KINDS.values():
        row = next(line for line in md.splitlines() if line.startswith(f"| {e.name} |"))
        for a, b in e.endpoints:
            assert f"{a} → {b}" in row
    assert "| Person | a natural person (the whole record is sensitive) — **the whole record is sensitive**" in md
    assert "`members` (int, **sensitive**, count of people)" in md


def test_docs_schema_table_is_the_generated_one() -> None:
    text = SCHEMA_PAGE.read_text(encoding="utf-8")
    assert START in text and END in text
    assert readme_section(text) == schema_markdown(), (
        "docs/schema.md is out of date: run `.venv/bin/python -m graphmodel.schema_doc --write docs/schema.md`"
    )


def test_replace_section_is_idempotent() -> None:
    text = f"intro\n{START}\nold\n{END}\noutro\n"
    once = replace_section(text)
    assert replace_section(once) == once and once.startswith("intro\n") and once.endswith("outro\n")
    assert readme_section(once) == schema_markdown()
