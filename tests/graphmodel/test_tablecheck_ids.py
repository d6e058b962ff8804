"""The id check of :mod:`graphmodel.tablecheck` (no control character in an id), run once over
each chunk's value buffer: it must find a control character exactly where Python's ``re`` with
the same pattern finds one in some value, however the column is chunked or sliced.

Oracle: ``re.search(ID_CONTROL_PATTERN, value)`` value by value.
"""

from __future__ import annotations

import re

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphmodel.errors import CampaignGraphError
from graphmodel.graph import ID_CONTROL_PATTERN
from graphmodel.tablecheck import _has_control, check_tables

#: ordinary letters, accents, and characters either side of the control ranges (\x1f/\x20, \x7e..\xa0)
CHARS = st.sampled_from(list("ab-:>é\u20ac\U0001f600 ~") + ["\x00", "\x07", "\x1f", "\x7f", "\x80", "\x85", "\x9f", "\xa0"])


def oracle(values: list[str]) -> bool:
    return any(re.search(ID_CONTROL_PATTERN, v) for v in values)


@settings(max_examples=200, deadline=None)
@given(chunks=st.lists(st.lists(st.text(CHARS, max_size=6), max_size=5), min_size=1, max_size=4),
       cut=st.integers(0, 3), large=st.booleans())
def test_the_buffer_search_finds_a_control_character_exactly_where_a_value_holds_one(chunks, cut, large) -> None:  # type: ignore[no-untyped-def]
    typ = pa.large_string() if large else pa.string()
    col = pa.chunked_array([pa.array(c, typ) for c in chunks], typ)
    assert _has_control(col) == oracle([v for c in chunks for v in c])
    # a slice of one array: its offsets do not start at 0, bytes before and after are not its values
    flat = pa.array([v for c in chunks for v in c], typ)
    part = flat.slice(min(cut, len(flat)), 2)
    assert _has_control(part) == oracle(part.to_pylist())


@pytest.mark.parametrize("bad", ["OWNS:a->b\x85", "\x1bOWNS:a->b"])
def test_an_edge_id_with_a_control_character_is_refused(bad: str) -> None:
    nodes = pa.table({"id": ["a", "b"], "kind": ["Company", "Company"], "name": ["Acme", "Acme Rolling"]})
    edges = pa.table({"id": [bad], "source": ["a"], "target": ["b"], "kind": ["OWNS"]})
    sources = pa.table({"id": pa.array([], pa.string())})
    with pytest.raises(CampaignGraphError) as e:
        check_tables(nodes, edges, sources, files={"edges": "edges.parquet"})
    assert (e.value.file, e.value.column) == ("edges.parquet", "id") and "control character" in e.value.message
    good = pa.table({"id": ["OWNS:a->b"], "source": ["a"], "target": ["b"], "kind": ["OWNS"]})
    check_tables(nodes, good, sources)  # the same table with a clean id passes
