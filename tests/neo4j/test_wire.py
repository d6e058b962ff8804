"""Positional rows travel as joined string columns (``_wire``), and nothing changes on the server.

Without a server: the wire form of a batch, evaluated the way Cypher reads it (``split`` once,
``ck[i]`` per row, ``[ck[i]]`` for a one-item list), gives back every row exactly, whatever the
values (the separator itself inside a value, empty strings, None, numbers, lists of any length).
With the server: a graph full of such values pushed with joined columns and with one list per
row gives the same database, equal to the graph.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphmodel.stores.neo4j.push as store_module  # the module whose _run_in calls _wire
from graphmodel.graph import CampaignGraph
from graphmodel.records import Source
from graphmodel.stores.neo4j import _SEP, Neo4jStore, _wire
from tests.neo4j.graphs import acme_graph

_MAP_READ = re.compile(r"`(\w+)`: (\[c(\d+)\[i\]\]|c(\d+)\[i\])")


def _query(width: int) -> str:
    return ("UNWIND $rows AS r CREATE (n:`Company` {" + ", ".join(f"`p{k}`: r[{k}]" for k in range(width))
            + "}) RETURN collect(r[0]) AS k")


def _evaluate(query: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """What the server's rows are: the columns as the WITH clause builds them, read per row."""
    head, _, body = query.partition(" UNWIND range(0, $n - 1) AS i ")
    columns: dict[str, list[Any]] = {}
    for m in re.finditer(r"split\(\$s(\d+), \$sep\) AS c(\d+)|\$l(\d+) AS c(\d+)", head):
        if m[1] is not None:
            assert m[1] == m[2]
            columns[m[2]] = params[f"s{m[1]}"].split(params["sep"])
        else:
            assert m[3] == m[4]
            columns[m[4]] = params[f"l{m[3]}"]
    reads = {int(m[1][1:]): (m[3] or m[4], m[3] is not None) for m in _MAP_READ.finditer(body)}
    assert "r[" not in body and ("collect(c0[i])" in body or "collect([c0[i]])" in body)
    rows = []
    for i in range(params["n"]):
        rows.append(tuple(([columns[c][i]] if wrapped else columns[c][i])
                          for _, (c, wrapped) in sorted(reads.items())))
    return rows


_cell = st.one_of(
    st.none(), st.booleans(), st.integers(-2**40, 2**40), st.floats(allow_nan=False),
    st.text(alphabet=st.sampled_from(["a", "é", " ", _SEP, ".", "|", "\\"]), max_size=4),
    st.lists(st.text(alphabet=st.sampled_from(["x", _SEP]), max_size=3), max_size=3),
)


@st.composite
def _batches(draw: Any) -> list[tuple[Any, ...]]:
    width = draw(st.integers(1, 5))
    # a column is of one sort mostly (all strings, all one-item lists...) with a stray value sometimes
    sorts = [draw(st.sampled_from(["str", "one", "any"])) for _ in range(width)]
    n = draw(st.integers(1, 12))

    def cell(sort: str) -> Any:
        if sort == "str":
            return draw(st.text(alphabet=st.sampled_from(["a", "é", _SEP]), max_size=3))  # "" included
        if sort == "one":
            return [draw(st.sampled_from(["s1", "b", "", _SEP, f"s{_SEP}2"]))]
        return draw(_cell)

    return [tuple(cell(s) for s in sorts) for _ in range(n)]


@settings(max_examples=300, deadline=None)
@given(_batches())
def test_the_wire_form_reads_back_as_the_rows(rows: list[tuple[Any, ...]]) -> None:
    query, params = _wire(_query(len(rows[0])), rows, split_columns=True)
    assert "$rows" not in query and "rows" not in params
    assert _evaluate(query, params) == rows


def test_plain_string_columns_and_one_item_lists_are_one_value_each() -> None:
    rows = [("c1", "Acme", ["s1"], 1.5, None), ("c2", "", ["s2"], 2.0, True), ("c3", "Beta", ["s1"], None, False)]
    query, params = _wire(_query(5), rows, split_columns=True)
    assert params["s0"] == f"c1{_SEP}c2{_SEP}c3" and params["s1"] == f"Acme{_SEP}{_SEP}Beta"
    assert params["s2"] == f"s1{_SEP}s2{_SEP}s1" and "`p2`: [c2[i]]" in query
    assert params["l3"] == [1.5, 2.0, None] and params["l4"] == [None, True, False]
    assert params["n"] == 3 and params["sep"] == _SEP
    assert query.startswith("WITH split($s0, $sep) AS c0, split($s1, $sep) AS c1, split($s2, $sep) AS c2, "
                            "$l3 AS c3, $l4 AS c4 UNWIND range(0, $n - 1) AS i CREATE (n:`Company` {")


def test_a_value_holding_the_separator_sends_its_column_as_a_list() -> None:
    rows = [("a", "x"), ("b", f"x{_SEP}y")]
    _, params = _wire(_query(2), rows, split_columns=True)
    assert params["s0"] == f"a{_SEP}b" and params["l1"] == ["x", f"x{_SEP}y"]
    lists = [("a", ["s1", "s2"]), ("b", ["s1"])]  # a list of two items: not a one-item list column
    assert _wire(_query(2), lists, split_columns=True)[1]["l1"] == [["s1", "s2"], ["s1"]]


def test_columns_the_query_does_not_read_are_not_sent() -> None:
    query, params = _wire("UNWIND $rows AS r MATCH (a:`Site`) WHERE a.id = r[2] RETURN count(a) AS c",
                          [("x", "y", "z"), ("u", "v", "w")], split_columns=True)
    assert params == {"n": 2, "sep": _SEP, "s2": f"z{_SEP}w"}
    assert query == ("WITH split($s2, $sep) AS c2 UNWIND range(0, $n - 1) AS i "
                     "MATCH (a:`Site`) WHERE a.id = c2[i] RETURN count(a) AS c")


@pytest.mark.parametrize("query, rows, split", [
    ("UNWIND $rows AS r MERGE (n:`Site` {id: r.id}) SET n = r", [{"id": "a"}], True),  # property maps
    ("UNWIND $rows AS r CREATE (n:`Site` {id: r[0], name: r.name})", [("a",)], True),  # reads r otherwise
    ("UNWIND $rows AS r CREATE (n:`Site` {id: r[0], name: r[1]})", [("a",)], True),  # reads past the row
    ("UNWIND $rows AS r CREATE (n:`Site` {id: r[0]})", [("a",), ("b", "c")], True),  # rows of two widths
    ("UNWIND $rows AS r CREATE (n:`Site` {id: r[0]})", [("a",)], False),  # the server's split is not Python's
    ("MATCH (n) WHERE n.id IN $rows RETURN n", [("a",)], True),  # not an UNWIND of the rows
])
def test_anything_else_goes_as_rows(query: str, rows: list[Any], split: bool) -> None:
    assert _wire(query, rows, split_columns=split) == (query, {"rows": rows})


# --------------------------------------------------------------------------- against the server
def _awkward_graph() -> CampaignGraph:
    """Values the joined columns must carry exactly: the separator, regex characters, lists of 0-3.

    (Node ids may not hold the separator, a control character, since ids refuse them all; names,
    aliases and source titles still carry it.)"""
    g = acme_graph()
    g.add_source(Source("s-3", title=f"a{_SEP}b"))
    g.add_node("odd-id", "Company", f"Acme{_SEP}Steel", sources=["s-3"], aliases=["x.y", f"p{_SEP}q", "|"])
    g.add_node("dots", "Company", ".*", sources=["s1", "s2"], country="BR")
    g.add_node("plain", "Company", "Ölwerke & Söhne — «Ω»", sources=["s1"])
    g.add_edge("odd-id", "dots", "OWNS", sources=["s-3"], share=12.5)
    g.add_edge("dots", "plain", "OWNS", sources=["s1"], share=None)
    return g


class _RowsOnly(Neo4jStore):
    """The same store with one list per row on the wire (as on a server whose split differs)."""

    def connect(self):  # type: ignore[no-untyped-def]
        server = super().connect()
        if server.split_columns:
            self._server = server = dataclasses.replace(server, split_columns=False)
        return server


@pytest.mark.bolt
def test_joined_columns_and_rows_write_the_same_database(bolt_server, monkeypatch):
    from tests.neo4j.test_push_paths import _server_rows

    a, b = bolt_server.new_database(), bolt_server.new_database()
    if a == b:
        pytest.skip("needs two databases (ArcadeDB fixture)")
    sent: list[str] = []
    wire = store_module._wire

    def spy(query: str, rows: list[Any], split_columns: bool) -> tuple[str, dict[str, Any]]:
        q, params = wire(query, rows, split_columns)
        sent.append("columns" if "rows" not in params else "rows")
        return q, params

    monkeypatch.setattr(store_module, "_wire", spy)
    g = _awkward_graph()
    try:
        kw = {"user": bolt_server.user, "password": bolt_server.password, "batch_size": 4}
        with Neo4jStore(bolt_server.uri, database=a, **kw) as joined, _RowsOnly(bolt_server.uri, database=b, **kw) as rows:
            assert joined.server.split_columns is True  # the probe: ArcadeDB's split is Python's (so is Neo4j's)
            planned = joined.plan(g)
            sent.clear()
            first = joined.write(g)
            used, sent[:] = list(sent), []
            second = rows.write(g)
            assert first.hash_matches is True and second.hash_matches is True
            assert joined.read() == rows.read() == g
            assert _server_rows(joined) == _server_rows(rows)
            # every CREATE batch went as columns on the first store (the sources, property maps, as
            # rows), and every batch as rows on the second
            assert used.count("columns") == sum(1 for x in planned if x.create) >= 5
            assert used.count("rows") == sum(1 for x in planned if not x.create) == 1
            assert set(sent) == {"rows"} and len(sent) == len(used)
            assert joined.run("MATCH (n:Company {id: $i}) RETURN n.name AS name, n.aliases AS al",
                              i="odd-id") == [{"name": f"Acme{_SEP}Steel", "al": ["x.y", f"p{_SEP}q", "|"]}]
    finally:
        bolt_server.drop_database(a)
        bolt_server.drop_database(b)
