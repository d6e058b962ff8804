"""Replay every crash the fuzzers ever found (``tests/fuzz/crashes/<target>/``), and a quick
hypothesis fuzz of the same targets, as part of ``make test``.

``make fuzz`` runs atheris for longer (``tests/fuzz/run_atheris.py``) or, with
``FUZZ_EXAMPLES=...``, this hypothesis fuzz at scale.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.targets import CRASHES, TARGETS, run_target
from tests.security.helpers import time_limit

KEPT = sorted((t.name, f) for t in CRASHES.iterdir() if t.is_dir() and t.name in TARGETS for f in t.iterdir() if f.is_file()) \
    if CRASHES.is_dir() else []

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))


def test_kept_crash_inputs_now_load_or_are_refused(tmp_path: Path) -> None:
    """Every input a fuzzer crashed on (kept in git) now loads or gets a clear error."""
    for name, f in KEPT:
        with time_limit(30):
            assert run_target(name, f.read_bytes(), tmp_path) in ("loaded", "refused"), f


CSV_CELLS = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12) | st.sampled_from(
    ["Company", "site", "OWNS", "operates", "51 %", "0,51", "n/a", "-5", "150", "2020-13-45", "31.01.2020", '"', "'=1+1",
     "a;b", "\ufeff", "\x00", "id", "kind", "name", "share", "source", "target"])


@st.composite
def csv_bytes(draw: st.DrawFn) -> bytes:
    header = draw(st.lists(st.sampled_from(["id", "kind", "name", "sources", "share", "source", "target", "workforce",
                                            "valid_from", "country", "lat", "x"]), min_size=1, max_size=6))
    rows = draw(st.lists(st.lists(CSV_CELLS, min_size=0, max_size=len(header) + 1), max_size=8))
    sep = draw(st.sampled_from([",", ";", "\t"]))
    text = "\n".join(sep.join(r) for r in [header, *rows]) + draw(st.sampled_from(["", "\n", "\r\n"]))
    enc = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    return text.encode(enc, errors="replace")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8)
    | st.sampled_from(["entity", "person", "relationship", "Company", "Ownership", "shareholding", "P749", "uri"]),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(
        st.sampled_from(["recordType", "recordId", "recordDetails", "statementId", "interests", "subject",
                         "interestedParty", "share", "exact", "schema", "id", "properties", "name", "owner", "asset",
                         "percentage", "head", "vars", "results", "bindings", "item", "value", "prop", "type"]),
        kids, max_size=5),
    max_leaves=25,
)


# an exception a loader's callback raises inside a C library is printed to stderr as "ignored":
# users would see a traceback, so here it fails the test
@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=csv_bytes(), target=st.sampled_from(["tables-csv", "tables-edges-csv", "gem-coal", "agreements", "gleif-csv"]))
def test_random_csv_never_crashes_a_loader(data: bytes, target: str) -> None:
    with time_limit(30):
        run_target(target, data)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=JSON_VALUES, target=st.sampled_from(["bods-json", "ftm-json", "wikidata-json"]), lines=st.booleans())
def test_random_json_never_crashes_a_loader(value: object, target: str, lines: bool) -> None:
    import json

    if lines and isinstance(value, list):
        data = "\n".join(json.dumps(v) for v in value).encode()
    else:
        data = json.dumps(value).encode()
    with time_limit(30):
        run_target(target, data)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=2048), target=st.sampled_from(sorted(TARGETS)))
def test_random_bytes_never_crash_a_loader(data: bytes, target: str) -> None:
    with time_limit(30):
        run_target(target, data)
