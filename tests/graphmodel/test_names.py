"""Name keys made column-wise (graphmodel.names.name_keys and friends) and the name index
(graphmodel.nameindex.names_table).

The column functions are held to the scalar ones, whose steps are the fingerprints library's
(the oracle); the legal-form shortcut of name_key is held to fingerprints.remove_types itself;
the index is checked against rows worked out by hand. Names are fictional.
"""

from __future__ import annotations

import fingerprints
import pyarrow as pa
from fingerprints.cleanup import clean_name_ascii
from fingerprints.types.replacer import get_replacer
from hypothesis import given, settings
from hypothesis import strategies as st

from graphmodel import names
from graphmodel.columnar import node_rows_table
from graphmodel.nameindex import names_table
from graphmodel.names import casefolded, name_key, name_keys, plain_text, plain_texts

# words that make names interesting: legal forms (several words, dotted, other scripts),
# punctuation that the keys drop or turn into spaces, accents, an ampersand
_FORMS = sorted(get_replacer(clean_name_ascii, remove=True).replacements)[:200]
WORDS = [*_FORMS, "S.A.", "Ltd.", "Pty", "GmbH", "plc", "Co.", "&", "Acme", "Steel", "Société", "Générale",
         "d'Acier", "O'Brien", "Ærø", "İstanbul", "ß", "-", "_", "(Pty)", "[x]", "'s", "’", "\t", "3at", "a"]
pieces = st.one_of(st.sampled_from(WORDS), st.text(max_size=4),
                   st.text(alphabet=st.characters(max_codepoint=127), max_size=6))
texts = st.lists(pieces, max_size=7).flatmap(
    lambda parts: st.sampled_from([" ", "", "  ", ".", ",", " - ", "/"]).map(lambda sep: sep.join(parts)))


@settings(max_examples=400, deadline=None)
@given(st.lists(texts, min_size=1, max_size=30))
def test_column_keys_are_the_scalar_keys(values: list[str]) -> None:
    col = pa.array(values + [None])
    assert name_keys(col).to_pylist() == [name_key(v) for v in values] + [""]
    assert plain_texts(col).to_pylist() == [plain_text(v) for v in values] + [""]
    assert casefolded(col).to_pylist() == [v.casefold() for v in values] + [""]


@settings(max_examples=400, deadline=None)
@given(texts)
def test_the_shortcuts_are_what_the_libraries_give(text: str) -> None:
    # the legal-form pattern skipped where no word starts a form; ASCII text cleaned and made
    # plain by per-character tables read off the library functions
    assert names._remove_types(text) == fingerprints.remove_types(text)
    assert names._cleaned(text) == clean_name_ascii(text)
    assert names.plain_text(text) == names._plain_steps(text)
    stripped = fingerprints.remove_types(text.replace("&", " and "))
    key = names._plain_steps(stripped) if stripped else ""
    assert name_key(text) == (key or names._plain_steps(text.replace("&", " and ")) if text else "")


def test_hand_worked_keys() -> None:
    col = pa.array(["ArcelorMittal S.A.", "Arcelor Mittal SA", "Iron & Coal Pty Ltd", "S.A.", "!!!", "Société Générale"])
    # legal forms and punctuation go; a name that is only a legal form keeps it (as plain text)
    assert name_keys(col).to_pylist() == ["arcelormittal", "arcelor mittal", "iron and coal", "s a", "",
                                          "societe generale"]
    assert plain_texts(col).to_pylist() == ["arcelormittal s a", "arcelor mittal sa", "iron coal pty ltd", "s a", "",
                                            "societe generale"]


def test_the_index_rows_worked_out_by_hand() -> None:
    nodes = node_rows_table([
        ("am", {"kind": "Company", "name": "Arcelor Mittal SA", "lei": "LEI00AM", "aliases": ["AM", "Arcelor-Mittal"],
                "gem_id": ["E100"]}),
        ("old", {"kind": "Company", "name": "New Steel plc", "former_names": ["Old Steel Ltd (until 2010-05-01)"]}),
        ("u", {"kind": "Union", "name": "!!!"}),
    ])
    rows = [(r["table"], r["key"], r["node"]) for r in names_table(nodes).to_pylist()]
    assert rows == [
        ("identifier", "lei00am", 0), ("identifier", "e100", 0),
        ("name", "arcelor mittal", 0), ("name", "~arcelormittal", 0),
        ("alias", "am", 0), ("alias", "~am", 0),
        # "Arcelor-Mittal" keys as the name does: its alias rows, the partial text once
        ("alias", "arcelor mittal", 0), ("alias", "~arcelormittal", 0),
        ("partial", "arcelor mittal sa", 0), ("partial", "am", 0), ("partial", "arcelor mittal", 0),
        ("name", "new steel", 1), ("name", "~newsteel", 1),
        ("former_name", "old steel", 1), ("former_name", "~oldsteel", 1),
        ("partial", "new steel plc", 1), ("partial", "old steel ltd until 2010 05 01", 1),
        ("name", "~", 2),  # no key, and the compact key is "~" alone; no partial text
    ]


def test_the_index_is_the_same_in_chunks(monkeypatch: object) -> None:
    rows = [(f"n{i}", {"kind": "Company", "name": f"Acme {i % 7} Ltd", "aliases": [f"A{i % 3}", "Acme"]})
            for i in range(50)]
    nodes = node_rows_table(rows)
    whole = names_table(nodes)
    import graphmodel.nameindex as ni

    monkeypatch.setattr(ni, "CHUNK", 7)  # type: ignore[attr-defined]
    assert names_table(nodes).equals(whole)


def test_without_character_tables_every_text_takes_the_library_path(monkeypatch: object) -> None:
    # a fingerprints version whose clean step maps a character to two: no tables, same keys
    values = ["ArcelorMittal S.A.", "Iron & Coal Pty Ltd", "Société Générale", "", "S.A."]
    expected = [name_key(v) for v in values]
    caches = (names._char_maps, names._tables, names._char_tables, names._form_starts)
    monkeypatch.setattr(names, "_char_map", lambda fn: None)  # type: ignore[attr-defined]
    for c in caches:
        c.cache_clear()
    try:
        assert name_keys(pa.array(values)).to_pylist() == expected
        assert [names.name_key.__wrapped__(v) for v in values] == expected
    finally:
        monkeypatch.undo()  # type: ignore[attr-defined]
        for c in caches:
            c.cache_clear()
