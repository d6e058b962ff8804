"""Typed values: dates, percentages, booleans, numbers, lists and validity intervals."""

from __future__ import annotations

import datetime as dt

import pytest

from graphmodel import schema
from graphmodel.values import (
    coerce,
    in_force,
    is_missing,
    normalise_as_of,
    parse_bool,
    parse_date,
    parse_percent,
)


@pytest.mark.parametrize(
    ("text", "end", "expected"),
    [
        ("2008-06-15", False, "2008-06-15"),
        ("2008-06", False, "2008-06-01"),
        ("2008-02", True, "2008-02-29"),  # leap year, end of the month
        ("2008", True, "2008-12-31"),
        ("13.09.2005", False, "2005-09-13"),
        ("13/09/2005", False, "2005-09-13"),
        ("2005-09-13T10:30:00", False, "2005-09-13"),
        (dt.date(2020, 1, 2), False, "2020-01-02"),
        (2019, False, "2019-01-01"),
    ],
)
def test_dates(text: object, end: bool, expected: str) -> None:
    assert parse_date(text, end=end) == expected


@pytest.mark.parametrize("bad", ["next spring", "2020-13-01", "2021-02-29", "31/31/2020", "20200101x"])
def test_bad_dates_refused_without_echoing_the_value(bad: str) -> None:
    with pytest.raises(ValueError) as e:
        parse_date(bad)
    assert bad not in str(e.value)


def test_percentages() -> None:
    assert [parse_percent(x) for x in ("51", "51 %", "51,5", "[72.6%]", 0, 100, "0.5%", "0.05")] == [
        51.0, 51.0, 51.5, 72.6, 0.0, 100.0, 0.5, 0.05,
    ]
    for bad in ("150", "-1", "half", "0.51", True):
        with pytest.raises(ValueError):
            parse_percent(bad)


def test_booleans_and_missing() -> None:
    assert [parse_bool(x) for x in ("Yes", "no", "TRUE", "0", 1, "ja", "non")] == [True, False, True, False, True, True, False]
    with pytest.raises(ValueError):
        parse_bool("maybe")
    assert all(is_missing(x) for x in (None, "", " n/a ", "NaN", float("nan"), "-"))
    assert not any(is_missing(x) for x in (0, "0", "none of it", False))


def test_coerce_by_schema_type() -> None:
    props = schema.node_props("Site")
    assert coerce(props["workforce"], "1,200") == 1200
    assert coerce(props["lat"], "50,5") == 50.5
    assert coerce(props["status"], "Operating") == "operating"
    assert coerce(props["aliases"], "a; b;;c") == ["a", "b", "c"]
    assert coerce(props["workforce"], "") is None
    with pytest.raises(ValueError, match="whole number"):
        coerce(props["workforce"], "12.5")
    with pytest.raises(ValueError, match="must be one of"):
        coerce(props["status"], "exploded")


def test_validity_intervals() -> None:
    assert in_force(None, None, "2020-01-01")
    assert in_force("2010-01-01", None, "2010-01-01")
    assert not in_force("2010-01-02", None, "2010-01-01")
    assert in_force(None, "2015-12-31", "2015-12-31")
    assert not in_force(None, "2015-12-31", "2016-01-01")
    assert normalise_as_of("2020") == "2020-01-01"
    assert normalise_as_of(None) == dt.date.today().isoformat()
