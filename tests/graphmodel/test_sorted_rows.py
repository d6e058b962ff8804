"""Row by id of a columnar graph's nodes (:func:`graphmodel.columnar.row_index`): for ids in
rising order a binary search that turns into a dict after many look-ups. It must answer every
look-up as the dict ``{id: row}`` does, before and after the switch.

Oracle: the dict ``dict(zip(ids, range(len(ids))))``.
"""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphmodel.columnar import SortedRows, row_index

IDS = st.lists(st.text(st.sampled_from(list("ab-:é\u20ac\U0001f600")), max_size=4), unique=True, max_size=40)


@settings(max_examples=200, deadline=None)
@given(ids=IDS, asked=st.lists(st.text(st.sampled_from(list("ab-:é\u20ac\U0001f600")), max_size=4), max_size=300))
def test_every_look_up_is_the_dicts_answer_before_and_after_the_switch(ids, asked) -> None:  # type: ignore[no-untyped-def]
    ids = sorted(ids)
    want = dict(zip(ids, range(len(ids))))
    got = row_index(ids, pa.array(ids, pa.string()))
    assert isinstance(got, SortedRows) == (len(ids) > 1)
    # more look-ups than the switch allows (64 for small lists): both ways are asked
    for key in asked + ids + asked:
        assert got.get(key) == want.get(key)
        assert (key in got) == (key in want)
    assert list(got) == list(want) and len(got) == len(want) and got == want


def test_the_switch_to_a_dict_happens_after_a_share_of_the_ids_and_keeps_the_answers() -> None:
    ids = [f"n{i:05d}" for i in range(64 * SortedRows.DICT_AFTER * 2)]
    rows = SortedRows(ids)
    limit = len(ids) // SortedRows.DICT_AFTER
    for i in range(limit):
        assert rows[ids[i]] == i
    assert rows._dict is None  # all answered by the search
    assert rows[ids[-1]] == len(ids) - 1 and rows._dict is not None
    with pytest.raises(KeyError):
        rows["n"]


@pytest.mark.parametrize("key, error", [(3, KeyError), (None, KeyError), (["a"], TypeError)])
def test_a_key_that_is_not_text_fails_as_with_a_dict(key: object, error: type[Exception]) -> None:
    rows = SortedRows(["a", "b"])
    with pytest.raises(error):
        rows[key]  # type: ignore[index]
    with pytest.raises(error):
        {"a": 0, "b": 1}[key]  # type: ignore[index]


def test_ids_not_in_rising_order_get_a_dict_which_shows_repeats() -> None:
    assert row_index(["b", "a"], pa.array(["b", "a"])) == {"b": 0, "a": 1}
    assert type(row_index(["b", "a"], pa.array(["b", "a"]))) is dict
    assert len(row_index(["a", "a"], pa.array(["a", "a"]))) == 1  # Columnar refuses repeated ids by this size
