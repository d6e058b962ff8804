"""Several writers: which batches a push runs side by side, and what an interruption reports.

The scheduler is exercised without a server: ``_write_batch`` is replaced by a recorder that
checks, at the moment each batch starts, the two safety rules of
:meth:`Neo4jStore._run_batches` (no running batch shares a label or relationship type; every
node batch of its labels is done before a relationship batch starts). The differential test
against the real Bolt server is in ``test_push_paths.py``.
"""

from __future__ import annotations

import re
import threading
import time

import pytest

from graphmodel.errors import CampaignGraphError
from graphmodel.stores.neo4j import Batch, Neo4jStore, PushReport, ServerInfo, _ranges
from tests.neo4j.graphs import acme_graph, random_graph


class _Recorder(Neo4jStore):
    """Runs no query: records each batch's start and end and checks the rules when it starts."""

    def setup(self, batches: list[Batch], fail: set[int] = frozenset(), hold_first: bool = False) -> None:
        self.lock = threading.Lock()
        self.all = batches
        self.running: list[Batch] = []
        self.done: list[int] = []
        self.started: list[int] = []
        self.violations: list[str] = []
        self.max_running = 0
        self.fail = fail
        self.second_started = threading.Event()
        self.hold_first = hold_first

    def _write_batch(self, b: Batch) -> bool:
        with self.lock:
            for r in self.running:
                if r.resources & b.resources:
                    self.violations.append(f"{b.what} ran with {r.what}")
            for e in self.all:
                if (e.phase, b.phase) in (("sources", "nodes"), ("nodes", "edges"), ("sources", "edges")) \
                        and e.resources & b.resources and e.number not in self.done:
                    self.violations.append(f"{b.what} started before {e.what}")
            self.running.append(b)
            self.started.append(b.number)
            self.max_running = max(self.max_running, len(self.running))
            first = len(self.started) == 1
            if len(self.started) == 2:
                self.second_started.set()
        if first and self.hold_first:
            # the first batch finishes only once a second one has started beside it: with one
            # writer at a time this waits the full timeout and the test fails
            self.second_started.wait(timeout=10)
        time.sleep(0.001)
        with self.lock:
            self.running.remove(b)
        if b.number in self.fail:
            from neo4j.exceptions import ServiceUnavailable

            raise ServiceUnavailable("link lost (simulated)")
        with self.lock:
            self.done.append(b.number)
        return b.create


def _run(graph, writers: int, **setup) -> tuple[_Recorder, PushReport, list[Batch]]:
    store = _Recorder("bolt://127.0.0.1:1", writers=writers, batch_size=7)
    batches = store.plan(graph, create_absent=False)  # no id reads: no server needed
    store.setup(batches, **setup)
    report = PushReport(uri=store.uri, database=None, server=ServerInfo("neo4j", "test", "5", False))
    report.rows["created"] = 0
    store._run_batches(batches, report, None)
    return store, report, batches


@pytest.mark.parametrize("writers", [2, 3, 8])
@pytest.mark.parametrize("make", [acme_graph, lambda: random_graph(4, n_companies=80, n_sites=120)],
                         ids=["acme", "random"])
def test_batches_run_side_by_side_only_on_disjoint_labels_and_after_their_nodes(make, writers):
    g = make()
    store, report, batches = _run(g, writers, hold_first=True)
    assert store.violations == []
    assert sorted(store.started) == [b.number for b in batches]  # each batch exactly once
    assert 2 <= store.max_running <= writers
    assert report.rows["nodes"] == g.number_of_nodes() and report.rows["edges"] == g.number_of_edges()
    assert report.rows["sources"] == len(g.sources)
    # the timeline: from (0, 0), one point per batch, rows growing to the total
    assert report.timeline[0] == (0.0, 0) and len(report.timeline) == len(batches) + 1
    assert report.timeline[-1][1] == len(g.sources) + g.number_of_nodes() + g.number_of_edges()
    assert all(a[0] <= b[0] and a[1] < b[1] for a, b in zip(report.timeline, report.timeline[1:]))


def test_one_writer_keeps_the_plan_order():
    store, _, batches = _run(random_graph(4), 1)
    assert store.started == [b.number for b in batches] and store.max_running == 1


def test_resources_name_the_labels_and_type_a_batch_writes():
    store = Neo4jStore("bolt://127.0.0.1:1")
    batches = store.plan(acme_graph(), create_absent=False)
    owns = next(b for b in batches if b.what.startswith("OWNS edges (Company->Company)"))
    assert owns.resources == {"label:Company", "type:OWNS"}
    site_nodes = next(b for b in batches if b.what.startswith("Site nodes"))
    assert site_nodes.resources == {"label:Site"}
    assert next(b for b in batches if b.phase == "sources").resources == {"label:Source"}


def test_an_interrupted_push_says_what_is_written_in_doubt_and_not_sent():
    g = random_graph(4, n_companies=80, n_sites=120)
    store = _Recorder("bolt://127.0.0.1:1", writers=2, batch_size=7)
    batches = store.plan(g, create_absent=False)
    fail_at = batches[len(batches) // 2].number
    store.setup(batches, fail={fail_at})
    report = PushReport(uri=store.uri, database=None, server=ServerInfo("neo4j", "test", "5", False))
    report.rows["created"] = 0
    with pytest.raises(CampaignGraphError) as err:
        store._run_batches(batches, report, None)
    msg = str(err.value)
    assert msg.startswith(f"push interrupted at batch {fail_at} of {len(batches)} (")
    assert f"batch {fail_at} is in doubt" in msg and "push again" in msg

    def numbers(part: str) -> set[int]:
        out: set[int] = set()
        for piece in part.split(", "):
            a, _, z = piece.partition("-")
            out |= set(range(int(a), int(z or a) + 1))
        return out

    written = numbers(re.search(r"batches ([\d, -]+) are written", msg).group(1))
    not_sent = numbers(re.search(r"batches ([\d, -]+) were not sent", msg).group(1))
    assert written == set(store.done)  # what the recorder saw finish
    assert not_sent == {b.number for b in batches} - set(store.started)  # nothing started after the failure
    assert written | not_sent | {fail_at} == {b.number for b in batches}
    assert not written & not_sent and fail_at not in written | not_sent


def test_writers_must_be_positive():
    with pytest.raises(CampaignGraphError, match="writers"):
        Neo4jStore("bolt://127.0.0.1:1", writers=0)


class _SlowPlan(_Recorder):
    """Hands over the relationship groups only once a batch is written (or after 10 s)."""

    fail_before_edges = False

    def plan_groups(self, graph, **kw):  # type: ignore[no-untyped-def]
        self.written_before_edges = None
        for group in super().plan_groups(graph, **kw):
            if group and group[0].phase == "edges" and self.written_before_edges is None:
                self.written_before_edges = self.first_done.wait(timeout=10)
                if self.fail_before_edges:
                    raise CampaignGraphError("cannot reach a Bolt server at bolt://127.0.0.1:1 (ServiceUnavailable)")
            yield group

    def _write_batch(self, b: Batch) -> bool:
        created = super()._write_batch(b)
        self.first_done.set()
        return created


def _slow_plan(g, writers: int, fail: bool = False) -> tuple[_SlowPlan, list[Batch]]:
    batches = Neo4jStore("bolt://127.0.0.1:1", batch_size=7).plan(g, create_absent=False)  # numbered alike
    store = _SlowPlan("bolt://127.0.0.1:1", writers=writers, batch_size=7)
    store.setup(batches)
    store.first_done = threading.Event()
    store.fail_before_edges = fail
    return store, batches


def _run_streamed(store: _SlowPlan, g) -> tuple[PushReport, list[tuple[int, int]]]:
    """Run the scheduler on ``plan_groups`` as a push does: the report and the progress calls."""
    calls: list[tuple[int, int]] = []
    report = PushReport(uri=store.uri, database=None, server=ServerInfo("neo4j", "test", "5", False))
    report.rows["created"] = 0
    store._run_batches(store.plan_groups(g, create_absent=False), report, lambda d, t: calls.append((d, t)),
                       estimate=store._batches_estimate(g))
    return report, calls


@pytest.mark.parametrize("writers", [1, 2, 3])
def test_batches_are_written_while_the_plan_is_still_being_built(writers):
    g = random_graph(4, n_companies=80, n_sites=120)
    store, batches = _slow_plan(g, writers)
    report, calls = _run_streamed(store, g)
    # the relationship groups were held back until a batch was written: a push that waited for the
    # whole plan would have waited the 10 s out
    assert store.written_before_edges is True
    assert store.violations == []
    assert sorted(store.started) == [b.number for b in batches] and report.batches == len(batches)
    if writers == 1:
        assert store.started == [b.number for b in batches]  # plan order
    assert report.rows["nodes"] == g.number_of_nodes() and report.rows["edges"] == g.number_of_edges()
    assert "plan" in report.seconds
    # progress: one call per batch, the total never below what is done, exact once the plan is complete
    assert [d for d, _ in calls] == list(range(1, len(batches) + 1))
    assert all(d <= t for d, t in calls) and calls[-1] == (len(batches), len(batches))
    assert store._batches_estimate(g) <= len(batches)


def test_a_plan_that_fails_midway_stops_the_push_with_its_own_error_and_nothing_running():
    g = random_graph(4, n_companies=80, n_sites=120)
    store, batches = _slow_plan(g, 2, fail=True)
    with pytest.raises(CampaignGraphError) as err:
        _run_streamed(store, g)
    node_batches = [b.number for b in batches if b.phase != "edges"]
    unsent = sorted(set(node_batches) - set(store.started))
    assert str(err.value) == (
        f"push interrupted while building the batches after batch {len(node_batches)}: cannot reach a Bolt "
        f"server at bolt://127.0.0.1:1 (ServiceUnavailable); batches {_ranges(sorted(store.done))} are written"
        + (f"; batches {_ranges(unsent)} were not sent" if unsent else "")
        + "; push again: it converges (MERGE by id) with no duplicates")
    assert store.written_before_edges is True
    # the node batches that started were waited for; no relationship batch started
    assert store.running == [] and store.started and sorted(store.done) == sorted(store.started)
    assert not set(store.started) & {b.number for b in batches if b.phase == "edges"}
