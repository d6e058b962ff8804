"""``clauses`` / ``clause_quote`` in the agreements table (issue 20): set only with the source's words."""

from __future__ import annotations

from pathlib import Path

from loaders.registry import load_paths
from tests.shared_data import SHARED_DATA

HEADER = ("id,company,kind,title,signatories,signed,renewed,valid_until_or_duration,scope_rule,scope_confidence,"
          "scope_source_url,scope_quote,evidence_quote,source_url,source_title,clauses,clause_quote\n")


def test_clauses_need_a_quote_and_a_known_name(tmp_path: Path) -> None:
    p = tmp_path / "agreements.csv"
    p.write_text(HEADER
                 + "a1,Acme,efa,Change deal,,2010-01-01,,,unknown,unknown,,,,https://example.org/a1,A1,"
                   "restructuring; Just_Transition,\"We anticipate change\"\n"
                 + "a2,Acme,efa,No quote,,2010-01-01,,,unknown,unknown,,,,https://example.org/a2,A2,restructuring,\n"
                 + "a3,Acme,gfa,Odd,,2010-01-01,,,unknown,unknown,,,,https://example.org/a3,A3,pay rise,words\n",
                 encoding="utf-8")
    graph, ctx = load_paths([p])
    assert graph.node("a1")["clauses"] == ["restructuring", "just_transition"]
    assert graph.node("a1")["clause_quote"] == "We anticipate change"
    assert "clauses" not in graph.node("a2") and "clauses" not in graph.node("a3")
    errors = [str(e) for e in ctx.errors]
    assert "agreements.csv: row 3: column clause_quote: clauses without a clause_quote (the source's words); left out" in errors
    assert any(e.startswith("agreements.csv: row 4: column clauses: unknown clause(s) pay rise") for e in errors), errors
    assert graph.has_node("a2") and graph.has_node("a3")  # the rows' other facts are kept


def test_shipped_table_arcelormittal_2009_efa() -> None:
    graph, _ = load_paths([SHARED_DATA / "agreements" / "agreements.csv"])
    a = graph.node("arcelormittal-2009-efa")  # agreements.csv row 5, titled "Managing & Anticipating change"
    assert a["clauses"] == ["restructuring"] and a["clause_quote"] == "Managing & Anticipating change"
    with_clauses = [n for n, x in graph.nodes("Agreement") if x.get("clauses")]
    assert with_clauses == ["arcelormittal-2009-efa"]
