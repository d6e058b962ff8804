"""The two write paths of a push give the same database: CREATE for absent rows, MERGE for the rest.

Differential: the same graph pushed with ``create_absent=True`` (the default) and with
``create_absent=False`` (MERGE for every row, the path before) into two empty databases; both
read back equal to the graph, and every node and relationship carries exactly the same
property map on the server (CREATE with a shared map stores no null for a missing property).
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from graphmodel.stores.neo4j import Neo4jStore
from tests.neo4j.graphs import acme_graph, random_graph

pytestmark = pytest.mark.bolt


def _store(server, db: str, batch_size: int = 7) -> Neo4jStore:
    return Neo4jStore(server.uri, user=server.user, password=server.password, database=db, batch_size=batch_size)


def _server_rows(store: Neo4jStore) -> tuple[list[tuple], list[tuple]]:
    nodes = store.run("MATCH (n) RETURN labels(n) AS l, properties(n) AS p")
    rels = store.run("MATCH (a)-[e]->(b) RETURN type(e) AS t, a.id AS a, b.id AS b, properties(e) AS p")

    def key(p: dict[str, Any]) -> tuple:
        return tuple(sorted((k, repr(v)) for k, v in p.items()))

    return (sorted((tuple(sorted(r["l"])), key(r["p"])) for r in nodes),
            sorted((r["t"], r["a"], r["b"], key(r["p"])) for r in rels))


@pytest.fixture
def two_dbs(bolt_server):
    a, b = bolt_server.new_database(), bolt_server.new_database()
    if a == b:  # a real Neo4j (NEO4J_URI) has one scratch database: the differential needs two
        pytest.skip("needs two databases (ArcadeDB fixture)")
    yield a, b
    bolt_server.drop_database(a)
    bolt_server.drop_database(b)


@pytest.mark.parametrize("make", [acme_graph, lambda: random_graph(11, n_companies=60, n_sites=80)],
                         ids=["acme", "random"])
def test_create_path_and_merge_path_write_the_same_database(bolt_server, two_dbs, make):
    g = make()
    with _store(bolt_server, two_dbs[0]) as fast, _store(bolt_server, two_dbs[1]) as merge:
        a = fast.write(g)
        b = merge.write(g, create_absent=False)
        assert a.hash_matches is True and b.hash_matches is True
        assert a.rows["created"] == g.number_of_nodes() + g.number_of_edges()  # all new: every node and edge
        assert b.rows["created"] == 0
        assert fast.read() == merge.read() == g
        assert _server_rows(fast) == _server_rows(merge)
        # no null stored: a Site without workforce has no such key on the server
        site_keys = fast.run("MATCH (n:Site {id: 'site-b'}) RETURN keys(n) AS k") if g.has_node("site-b") else []
        if site_keys:
            assert "lat" not in site_keys[0]["k"] and "workforce" in site_keys[0]["k"]


def test_generated_graph_both_paths_equal(bolt_server, two_dbs, tmp_path):
    from benchmarks.generate import generate
    from loaders.registry import load_paths

    generate(tmp_path / "xs", "XS", seed=3, groups=3)
    g, _ = load_paths([tmp_path / "xs"])
    with _store(bolt_server, two_dbs[0], 500) as fast, _store(bolt_server, two_dbs[1], 500) as merge:
        assert fast.write(g).hash_matches is True
        assert merge.write(g, create_absent=False).hash_matches is True
        assert _server_rows(fast) == _server_rows(merge)


def test_plan_creates_only_what_the_server_lacks(bolt_server, bolt_db):
    g = acme_graph()
    part = acme_graph()
    part.remove_node("site-b")  # with its OPERATES and SUPPLIES edges
    with _store(bolt_server, bolt_db, batch_size=100) as store:
        first = store.plan(g)
        assert all(b.create for b in first if b.phase in ("nodes", "edges"))
        store.write(part)
        plan = store.plan(g)
        created = [r for b in plan if b.create for r in b.row_dicts()]
        assert [r["id"] for r in created] == ["site-b", "OPERATES:acme-jv->site-b", "SUPPLIES:site-a->site-b"]
        merged = sum(len(b.rows) for b in plan if not b.create and b.phase != "sources")
        assert merged == part.number_of_nodes() + part.number_of_edges()
        report = store.write(g)
        assert report.rows["created"] == 3 and report.hash_matches is True
        assert not any(b.create for b in store.plan(g))  # everything there: MERGE only


class _RacedStore(Neo4jStore):
    """Someone else creates one of the new ids between the id read and the CREATE."""

    def _ids_on_server(self, query: str) -> set:  # type: ignore[type-arg]
        ids = super()._ids_on_server(query)
        if "(n:`Site`)" in query:  # the push has read the Site ids: site-a is not among them
            assert "site-a" not in ids
            self._write("UNWIND $rows AS r CREATE (n:Site {id: r.id, name: 'written by someone else'})",
                        [{"id": "site-a"}])
        return ids


def test_a_constraint_refusing_a_create_falls_back_to_merge(bolt_server, bolt_db):
    g = acme_graph()
    with _RacedStore(bolt_server.uri, user=bolt_server.user, password=bolt_server.password, database=bolt_db,
                     batch_size=100) as store:
        report = store.write(g)
        assert report.counts_match and report.extra_on_server == [] and report.hash_matches is True
        assert store.run("MATCH (n:Site {id: 'site-a'}) RETURN n.name AS name") == [{"name": "Site A"}]
        assert report.rows["created"] == g.number_of_nodes() + g.number_of_edges() - 2  # 2 Site rows merged


class _LostAnswerStore(Neo4jStore):
    """The first CREATE batch of nodes and of relationships commits, then its answer is lost.

    That is what a link dropping right after a commit does: the driver retries the
    transaction, and a second CREATE would write the rows twice (relationships have no
    uniqueness constraint to refuse them). The retry must be the MERGE form.
    """

    lost: list[str]

    def _run_in(self, tx, query, rows, attempt):  # type: ignore[no-untyped-def]
        from neo4j.exceptions import SessionExpired

        kind = "edges" if "]->(b)" in query else "nodes"
        with self.lock:  # two writers: one batch of each kind loses its answer
            lose = attempt == 1 and " CREATE (" in query and kind not in self.lost
            if lose:
                self.lost.append(kind)
        if lose:
            with self._driver.session(database=self.database) as s:
                s.execute_write(lambda t: t.run(query, rows=rows).consume())  # committed elsewhere
            raise SessionExpired("the answer to a committed transaction was lost (simulated)")
        return super()._run_in(tx, query, rows, attempt)


def test_a_retried_create_after_a_lost_answer_writes_no_duplicates(bolt_server, bolt_db):
    g = acme_graph()
    with _LostAnswerStore(bolt_server.uri, user=bolt_server.user, password=bolt_server.password,
                          database=bolt_db, batch_size=100) as store:
        store.lost, store.lock = [], threading.Lock()
        report = store.write(g)
        assert sorted(store.lost) == ["edges", "nodes"]  # both retried by the driver
        assert report.counts_match and report.extra_on_server == [] and report.hash_matches is True
        assert store.run("MATCH ()-[e]->() RETURN count(e) AS c") == [{"c": g.number_of_edges()}]


@pytest.mark.parametrize("make", [acme_graph, lambda: random_graph(12, n_companies=120, n_sites=160)],
                         ids=["acme", "random"])
def test_one_writer_and_several_write_the_same_database(bolt_server, two_dbs, make):
    g = make()
    one = Neo4jStore(bolt_server.uri, user=bolt_server.user, password=bolt_server.password, database=two_dbs[0],
                     batch_size=9, writers=1)
    three = Neo4jStore(bolt_server.uri, user=bolt_server.user, password=bolt_server.password, database=two_dbs[1],
                       batch_size=9, writers=3)
    with one, three:
        a, b = one.write(g), three.write(g)
        assert a.hash_matches is True and b.hash_matches is True
        assert a.counts_match and b.counts_match and a.extra_on_server == b.extra_on_server == []
        assert _server_rows(one) == _server_rows(three)
        again = three.write(g)  # idempotent with several writers too (MERGE batches side by side)
        assert again.rows["created"] == 0 and again.hash_matches is True
        assert _server_rows(three) == _server_rows(one)
