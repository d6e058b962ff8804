"""Relationship ends found by the element ids the push's own node batches returned.

A first push creates every relationship with ``MATCH (a:L) WHERE elementId(a) = ... AND a.id
= ...`` (a direct record look-up on the server) instead of the ``id`` index. These tests check
that it is the path taken, that an element id that no longer names its node (or is missing)
falls back to the index look-up with nothing written twice or to the wrong node, and that
nodes a push merges (already on the server) give their element ids too.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from graphmodel.stores.neo4j import Batch, Neo4jStore
from tests.neo4j.graphs import acme_graph, random_graph

pytestmark = pytest.mark.bolt

BY_ELEMENT = "elementId(a) = "
BY_INDEX = "MATCH (a:"  # and "{id: r[0]}": the CREATE that finds both ends by the id index


class _Spy(Neo4jStore):
    """Counts the rows each relationship query carried, by how it finds the ends."""

    def setup(self) -> _Spy:
        self.lock = threading.Lock()
        self.rows: dict[str, int] = {"element": 0, "index": 0}
        return self

    def _run_in(self, tx: Any, query: str, rows: list[Any], attempt: int) -> list[list[Any]]:
        values = super()._run_in(tx, query, rows, attempt)
        with self.lock:
            if BY_ELEMENT in query:
                self.rows["element"] += len(rows)
            elif " CREATE (a)-[" in query and "{id: r[0]}" in query:
                self.rows["index"] += len(rows)
        return values


def _spy(cls: type[_Spy], server: Any, db: str, **kw: Any) -> _Spy:
    return cls(server.uri, user=server.user, password=server.password, database=db, batch_size=40, **kw).setup()


def _relationships_on_server(store: Neo4jStore) -> list[tuple[str, str, str, str]]:
    return sorted((r["t"], r["a"], r["b"], r["id"]) for r in
                  store.run("MATCH (a)-[e]->(b) RETURN type(e) AS t, a.id AS a, b.id AS b, e.id AS id"))


def _relationships_of(g: Any) -> list[tuple[str, str, str, str]]:
    return sorted((a["kind"], u, v, k) for k, u, v, a in g.edges())


@pytest.mark.parametrize("make", [acme_graph, lambda: random_graph(5, n_companies=70, n_sites=110)],
                         ids=["acme", "random"])
def test_a_first_push_finds_every_relationship_end_by_element_id(bolt_server, bolt_db, make):
    g = make()
    with _spy(_Spy, bolt_server, bolt_db) as store:
        report = store.write(g)
        assert store.rows == {"element": g.number_of_edges(), "index": 0}
        assert report.hash_matches is True and report.counts_match and report.extra_on_server == []
        assert report.rows["created"] == g.number_of_nodes() + g.number_of_edges()
        assert _relationships_on_server(store) == _relationships_of(g)
        assert store._element_ids == {}  # held only while the push runs


class _Stale(_Spy):
    """Before the first relationship batch, spoils the element id of that batch's first source node:
    ``swap`` gives it the element id of another node of the same label (which exists: the id check
    must refuse it), ``drop`` removes it (the batch cannot be sent by element id at all)."""

    how = "swap"
    graph: Any = None
    spoiled: str | None = None  # the node whose element id is spoiled
    touching = 0  # rows of the relationship batches with that node at an end

    def _rows_by_element(self, b: Batch) -> list[tuple[Any, ...]] | None:
        with self.lock:
            if self.spoiled is None:
                src = self.spoiled = b.rows[0][0]
                if self.how == "drop":
                    del self._element_ids[src]
                else:
                    kind = self.graph.kind_of(src)
                    other = next(n for n in self.graph.node_ids(kind) if n != src and n in self._element_ids)
                    self._element_ids[src] = self._element_ids[other]
            if any(self.spoiled in t[:2] for t in b.rows):
                self.touching += len(b.rows)
        return super()._rows_by_element(b)


@pytest.mark.parametrize("how", ["swap", "drop"])
def test_a_spoiled_element_id_falls_back_to_the_id_index_with_nothing_misplaced(bolt_server, bolt_db, how):
    g = random_graph(6, n_companies=70, n_sites=110)
    with _spy(_Stale, bolt_server, bolt_db, writers=1) as store:
        store.how, store.graph = how, g
        report = store.write(g)
        assert store.spoiled is not None
        # every relationship is there once, between its own two nodes: nothing went to the node whose
        # element id was handed out, and the rolled-back attempt left nothing behind
        assert _relationships_on_server(store) == _relationships_of(g)
        assert report.hash_matches is True and report.counts_match and report.extra_on_server == []
        # the batches with the spoiled node at an end went the index way, the others by element id;
        # "swap" sent them by element id first (rolled back: the count came back short)
        assert store.touching >= 40
        assert store.rows["index"] == store.touching
        assert store.rows["element"] == g.number_of_edges() - store.touching + (store.touching if how == "swap" else 0)


def test_relationships_added_later_find_merged_nodes_by_element_id(bolt_server, bolt_db):
    g = random_graph(7, n_companies=60, n_sites=90)
    first = g.copy()
    later = sorted(k for k, *_ in g.edges())[::3]
    for k in later:
        first.remove_edge(k)
    with _spy(_Spy, bolt_server, bolt_db) as store:
        store.write(first)
        store.setup()
        report = store.write(g)  # every node is on the server: MERGE batches, which return element ids too
        assert report.rows["created"] == len(later)
        assert store.rows == {"element": len(later), "index": 0}
        assert report.hash_matches is True and _relationships_on_server(store) == _relationships_of(g)
