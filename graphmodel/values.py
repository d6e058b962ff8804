"""Parsing and checking of typed property values, shared by validation and the loaders.

Every parser takes the raw value (string from a table, or an already typed value) and
returns the canonical Python value, or raises :class:`ValueError` with a message that
names the expected form but never echoes the value (it may be sensitive).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from graphmodel.schema import ENUM_SYNONYMS, Prop

LIST_SEPARATOR = ";"

_TRUE = {"true", "yes", "y", "1", "t", "x", "ja", "oui", "si", "sí"}
_FALSE = {"false", "no", "n", "0", "f", "nein", "non"}
_NA = {"", "n/a", "na", "nan", "none", "null", "-", "--", "?"}

_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_DMY = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")

#: the years a date value may name unless a caller says otherwise: outside them date arithmetic
#: (durations, the day before) breaks, and no campaign question is about them
DATE_YEARS = (1800, 2200)


def is_missing(value: Any) -> bool:
    """True for None, NaN, empty strings and common "no value" spellings (``n/a``).

    >>> is_missing(" n/a "), is_missing(0)
    (True, False)
    """
    if value is None:
        return True
    if isinstance(value, str):  # the common case, from tables: decide without touching pandas
        return value == "" or (len(value) < 16 and value.strip().casefold() in _NA)
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, (int, bool, list, tuple)):
        return False
    # pandas' missing markers (pd.NA, pd.NaT) without importing pandas here
    return type(value).__name__ in ("NAType", "NaTType")


def parse_date(value: Any, *, end: bool = False, years: tuple[int, int] = DATE_YEARS) -> str:
    """Normalise a date to ISO ``YYYY-MM-DD``; the one parser of every date cell and option.

    Accepts ISO dates, ``YYYY-MM`` and ``YYYY`` (widened to the start of the period, or its
    end with ``end=True``), ``DD.MM.YYYY`` / ``DD/MM/YYYY``, ISO date-times, and
    ``date``/``datetime`` objects. The year must lie within ``years`` (inclusive).

    >>> parse_date("2008-06"), parse_date("2008", end=True), parse_date("13.09.2005")
    ('2008-06-01', '2008-12-31', '2005-09-13')
    >>> parse_date("0001-01-01")
    Traceback (most recent call last):
    ...
    ValueError: date outside the years 1800-2200
    """
    iso = _parse_date(value, end)
    if not years[0] <= int(iso[:4]) <= years[1]:
        raise ValueError(f"date outside the years {years[0]}-{years[1]}")
    return iso


def _parse_date(value: Any, end: bool) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime().date().isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        value = str(int(value))
    text = str(value).strip()
    if "T" in text or " " in text:
        head = re.split(r"[T ]", text, maxsplit=1)[0]
        if _ISO.match(head):
            text = head
    m = _ISO.match(text)
    try:
        if m:
            y = int(m.group(1))
            if m.group(3):
                return date(y, int(m.group(2)), int(m.group(3))).isoformat()
            if m.group(2):
                mo = int(m.group(2))
                if not end:
                    return date(y, mo, 1).isoformat()
                nxt = date(y + (mo == 12), mo % 12 + 1, 1)
                return date.fromordinal(nxt.toordinal() - 1).isoformat()
            return date(y, 12, 31).isoformat() if end else date(y, 1, 1).isoformat()
        m = _DMY.match(text)
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1))).isoformat()
    except ValueError:
        pass
    raise ValueError("not a date (expected YYYY-MM-DD, YYYY-MM, YYYY or DD.MM.YYYY)")


def parse_percent(value: Any) -> float:
    """A percentage in 0..100. Accepts ``51``, ``"51 %"``, ``"51,5"``, ``"[72.6%]"``.

    A bare fraction such as ``"0,51"`` is ambiguous (0.51% or 51%?) and is refused,
    unless written with a percent sign.

    >>> parse_percent("51 %"), parse_percent("[72.6%]"), parse_percent(100)
    (51.0, 72.6, 100.0)
    """
    if isinstance(value, bool):
        raise ValueError("not a percentage")  # noqa: TRY004 - a bad cell is a value problem for the user
    if isinstance(value, (int, float)):
        f = float(value)
        has_sign = False
    else:
        text = str(value).strip().strip("[]()").strip()
        has_sign = text.endswith("%")
        text = text.rstrip("%").strip().replace("\u00a0", "").replace(" ", "")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        try:
            f = float(text)
        except ValueError:
            raise ValueError("not a percentage (expected a number from 0 to 100)") from None
        if 0 < f < 1 and not has_sign and not str(value).strip().startswith(("0.0", "0,0")):
            raise ValueError(
                "ambiguous percentage: a fraction below 1 with no % sign (write 51 for 51%, or 0.5% for half a percent)"
            )
    if math.isnan(f) or f < 0 or f > 100:
        raise ValueError("percentage outside 0-100")
    return f


def parse_bool(value: Any) -> bool:
    """``yes``/``no``, ``true``/``false``, ``1``/``0`` (any case).

    >>> parse_bool("Yes"), parse_bool(0)
    (True, False)
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("not a yes/no value")


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def parse_int(value: Any) -> int:
    """A whole number within int64 (what every store keeps); ``"1,200"`` and ``1200.0`` are accepted.

    >>> parse_int("1,200")
    1200
    >>> parse_int("9223372036854775808")
    Traceback (most recent call last):
    ...
    ValueError: whole number too large to store (more than 9223372036854775807)
    """
    if isinstance(value, bool):
        raise ValueError("not a whole number")  # noqa: TRY004 - a bad cell is a value problem for the user
    if isinstance(value, int):
        return _in_int64(value)
    if isinstance(value, float):
        if value.is_integer():
            return _in_int64(int(value))
        raise ValueError("not a whole number")
    text = str(value).strip().replace(",", "").replace("\u00a0", "").replace(" ", "")
    try:
        return _in_int64(int(text))  # exact for long digit strings (a float would round them)
    except ValueError as e:
        if "to store" in str(e):
            raise
    try:
        f = float(text)
    except ValueError:
        raise ValueError("not a whole number") from None
    if not f.is_integer():
        raise ValueError("not a whole number")
    return _in_int64(int(f))


def _in_int64(n: int) -> int:
    if n > INT64_MAX:
        raise ValueError(f"whole number too large to store (more than {INT64_MAX})")
    if n < INT64_MIN:
        raise ValueError(f"whole number too small to store (less than {INT64_MIN})")
    return n


def parse_float(value: Any) -> float:
    """A number. ``"1 200,5"`` is read as 1200.5 when the comma is the only separator."""
    if isinstance(value, bool):
        raise ValueError("not a number")  # noqa: TRY004 - a bad cell is a value problem for the user
    if isinstance(value, (int, float)):
        f = float(value)
    else:
        text = str(value).strip().replace("\u00a0", "").replace(" ", "")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        else:
            text = text.replace(",", "")
        try:
            f = float(text)
        except ValueError:
            raise ValueError("not a number") from None
    if math.isnan(f) or math.isinf(f):
        raise ValueError("not a finite number")
    return f


def parse_list(value: Any) -> list[str]:
    """A list of strings: a list/tuple as is, or a ``;``-separated string; blanks dropped.

    >>> parse_list("a; b;;c")
    ['a', 'b', 'c']
    """
    if isinstance(value, (list, tuple, set)):
        items: Iterable[Any] = value
    elif hasattr(value, "tolist"):
        items = value.tolist()
    else:
        items = str(value).split(LIST_SEPARATOR)
    out = []
    for it in items:
        if it is None:
            continue
        s = str(it).strip()
        # a "no value" spelling (n/a, none, -) is no item: a one-item cell "NA" reads as
        # missing, so keeping the item here would make table export -> load lose it
        if s and not (len(s) < 16 and s.casefold() in _NA):
            out.append(s)
    return out


def parse_enum(value: Any, values: tuple[str, ...]) -> str:
    """One of ``values``, in any case, ``_``/``-``/space alike, or a synonym of one
    (:data:`graphmodel.schema.ENUM_SYNONYMS`).

    >>> parse_enum("Union signatory", ("employer", "union", "witness", "other"))
    'union'
    """
    raw = str(value).strip().casefold()
    text = raw.replace(" ", "_")
    for v in values:
        if v.casefold() == text or v.casefold().replace("-", "_") == text:
            return v
    syn = ENUM_SYNONYMS.get(" ".join(raw.replace("_", " ").replace("-", " ").split()))
    if syn is not None and syn in values:
        return syn
    raise ValueError("must be one of: " + ", ".join(values))


def parse_str(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if "\x00" in text:
        raise ValueError("contains a NUL character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("contains text that is not valid Unicode (a lone surrogate)") from None
    return text.strip()


def is_answer(prop: Prop | None, value: str) -> bool:
    """True when ``value`` spells a missing value but is a real answer for ``prop``.

    ``none`` for an enum that lists it (``union_status=none``: a source says there is no
    union), and upper-case ``NA`` for text (Namibia's ISO code in a country column; lower
    case ``na`` and ``n/a`` stay missing, and so does ``NA`` in number and date columns, as
    R writes it). Loaders check this before dropping a cell as empty.

    >>> from graphmodel.schema import Prop
    >>> is_answer(Prop("str"), "NA"), is_answer(Prop("int"), "NA"), is_answer(Prop("enum", ("none",)), "None")
    (True, False, True)
    """
    if prop is None:
        return False
    if prop.type == "enum":
        return value.strip().casefold() in prop.values
    return prop.type == "str" and value.strip() == "NA"


def coerce(prop: Prop, value: Any) -> Any:
    """Turn ``value`` into the canonical value for ``prop``; ``None`` when missing.

    Raises ``ValueError`` (without the value in the message) when it cannot.
    """
    if prop.type == "list":
        if isinstance(value, (list, tuple, set)) or hasattr(value, "tolist"):
            items = parse_list(value)
            return [parse_str(x) for x in items] or None
        if is_missing(value):
            return None
        return [parse_str(x) for x in parse_list(value)] or None
    # "none" is a real answer for enums that list it (union_status=none: a source says there is
    # no union), not a missing value: check it before the missing-value spellings.
    if prop.type == "enum" and isinstance(value, str) and value.strip().casefold() in prop.values:
        return parse_enum(value, prop.values)
    if prop.type == "str" and isinstance(value, str) and value.strip() == "NA":
        return "NA"  # Namibia's ISO code (GEM's Namibian plants lost their country): see is_answer
    if is_missing(value):
        return None
    t = prop.type
    if t == "str":
        s = parse_str(value)
        return s if s else None
    if t == "int":
        n = parse_int(value)
        if prop.people_count and n < 0:
            raise ValueError("a count of people cannot be negative")
        return n
    if t == "float":
        f = parse_float(value)
        if prop.bounds is not None and not prop.bounds[0] <= f <= prop.bounds[1]:
            raise ValueError(f"must be between {prop.bounds[0]:g} and {prop.bounds[1]:g}")
        return f
    if t == "percent":
        return parse_percent(value)
    if t == "bool":
        return parse_bool(value)
    if t == "date":
        return parse_date(value, end=prop.end)
    if t == "enum":
        return parse_enum(value, prop.values)
    raise ValueError(f"unknown property type {t}")


def today_iso() -> str:
    """Today's date as ISO text (the default ``as_of``)."""
    return date.today().isoformat()


def normalise_as_of(as_of: Any = None) -> str:
    """``as_of`` as ISO text; ``None`` means today.

    >>> normalise_as_of("2020")
    '2020-01-01'
    """
    if as_of is None or (isinstance(as_of, str) and as_of.strip().casefold() in ("", "today")):
        return today_iso()
    return parse_date(as_of)


def ends_before_start(valid_from: str | None, valid_to: str | None) -> bool:
    """Whether an interval (ISO strings, None for an open end) ends before it starts: refused.

    >>> ends_before_start("2020-01-01", "2019-12-31"), ends_before_start(None, "2019-12-31")
    (True, False)
    """
    return bool(valid_from and valid_to and valid_to < valid_from)


def in_force(valid_from: str | None, valid_to: str | None, as_of: str) -> bool:
    """Whether an interval with open (None) ends contains ``as_of`` (all ISO strings).

    >>> in_force("2008-01-01", None, "2020-01-01"), in_force(None, "2010-12-31", "2020-01-01")
    (True, False)
    """
    if valid_from and valid_from > as_of:
        return False
    return not (valid_to and valid_to < as_of)
