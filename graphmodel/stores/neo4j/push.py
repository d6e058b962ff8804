"""Pushing: write transactions, up to ``writers`` at once on disjoint labels, prune, redact, count check."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from graphmodel import schema
from graphmodel.errors import CampaignGraphError
from graphmodel.gcpause import paused_gc
from graphmodel.graph import CampaignGraph
from graphmodel.stores.neo4j.connect import ServerInfo, safe_uri
from graphmodel.stores.neo4j.plan import Batch, _chunks
from graphmodel.stores.neo4j.queries import SOURCE_LABEL, _label, _rel_type
from graphmodel.stores.neo4j.wire import _wire

ProgressFn = Callable[[int, int], None]
#: the phases of a push, in the order they are written
_PHASES = ("sources", "nodes", "edges")


class _EndsMissing(Exception):
    """A relationship batch by element ids created fewer relationships than it has rows (an end
    is gone or is another node now); its transaction is rolled back and the id look-up runs."""


@dataclass
class PushReport:
    """What a push did and what the final count check found."""

    uri: str
    database: str | None
    server: ServerInfo
    batches: int = 0
    nodes: int = 0
    edges: int = 0
    sources: int = 0
    pruned_nodes: int = 0
    pruned_edges: int = 0
    pruned_sources: int = 0
    server_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    count_problems: list[str] = field(default_factory=list)
    extra_on_server: list[str] = field(default_factory=list)
    content_hash: str | None = None  # read back from the server, when verified
    snapshot_hash: str | None = None
    #: wall-clock seconds and rows written per phase ("sources", "nodes", "edges", "prune", "check")
    seconds: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    #: (seconds since the first batch started, rows written so far) at the end of each batch,
    #: from (0, 0): the push's throughput over time
    timeline: list[tuple[float, int]] = field(default_factory=list)

    @property
    def counts_match(self) -> bool:
        return not self.count_problems

    @property
    def hash_matches(self) -> bool | None:
        if self.content_hash is None:
            return None
        return self.content_hash == self.snapshot_hash

    def as_dict(self) -> dict[str, Any]:
        return {
            "uri": safe_uri(self.uri),
            "database": self.database,
            "server": self.server.kind,
            "batches": self.batches,
            "nodes": self.nodes,
            "edges": self.edges,
            "sources": self.sources,
            "pruned": {"nodes": self.pruned_nodes, "edges": self.pruned_edges, "sources": self.pruned_sources},
            "server_counts": self.server_counts,
            "counts_match": self.counts_match,
            "count_problems": self.count_problems,
            "extra_on_server": self.extra_on_server,
            "content_hash": self.content_hash,
            "snapshot_hash": self.snapshot_hash,
            "hash_matches": self.hash_matches,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
            "rows": self.rows,
        }


def _ranges(numbers: list[int]) -> str:
    """``[1, 2, 3, 5, 7, 8]`` as ``"1-3, 5, 7-8"`` (sorted input)."""
    parts: list[str] = []
    start = prev = None
    for x in [*numbers, None]:
        if x is not None and prev is not None and x == prev + 1:
            prev = x
            continue
        if start is not None:
            parts.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = x
    return ", ".join(parts)


class _Pusher:
    """The push part of :class:`~graphmodel.stores.neo4j.Neo4jStore`."""

    def _write(self, query: str, rows: list[Any],
               retry: Callable[[], tuple[str, list[Any]] | None] | None = None,
               expect: int | None = None) -> list[list[Any]]:
        """One managed write transaction; ``retry`` gives the (query, rows) of the driver's later attempts.

        Returns the records of the attempt that committed (as lists of values). With ``expect``,
        a first attempt whose one value (a count) is not ``expect`` raises :class:`_EndsMissing`
        (the transaction is rolled back).
        """
        attempts = 0
        values: list[list[Any]] = []

        def work(tx: Any) -> None:
            nonlocal attempts, values
            attempts += 1
            q, r = (retry() or (query, rows)) if attempts > 1 and retry is not None else (query, rows)
            values = self._run_in(tx, q, r, attempts)
            if expect is not None and q == query and (not values or values[0][0] != expect):
                raise _EndsMissing

        # the bookmark manager of execute_query: reads after a write see it, also on a cluster (Aura)
        with self._driver.session(
            database=self.database, bookmark_manager=self._driver.execute_query_bookmark_manager
        ) as session:
            session.execute_write(work)
        return values

    def _run_in(self, tx: Any, query: str, rows: list[Any], attempt: int) -> list[list[Any]]:
        """Run one query of a write transaction (``attempt`` counts the driver's tries, from 1); its records."""
        q, params = _wire(query, rows, self._server is not None and self._server.split_columns)
        return tx.run(q, params).values()

    # ------------------------------------------------------------------ schema
    def ensure_constraints(self) -> None:
        """A uniqueness constraint on ``id`` for every node label (and Source), before any write."""
        self.connect()
        from neo4j.exceptions import DriverError, Neo4jError

        try:
            for kind in list(schema.NODE_KINDS) + [SOURCE_LABEL]:
                self._driver.execute_query(
                    f"CREATE CONSTRAINT cg_{kind}_id IF NOT EXISTS FOR (n:{_label(kind)}) REQUIRE n.id IS UNIQUE",
                    database_=self.database,
                )
        except (DriverError, Neo4jError, OSError) as e:
            raise self._error(e) from None

    # ------------------------------------------------------------------ counts
    def counts(self) -> dict[str, dict[str, int]]:
        """Nodes per schema label, relationships per schema type, and Source nodes on the server."""
        queries = ([("nodes", kind, f"MATCH (n:{_label(kind)}) RETURN count(n) AS c") for kind in schema.NODE_KINDS]
                   + [("edges", kind, f"MATCH ()-[e:{_rel_type(kind)}]->() RETURN count(e) AS c")
                      for kind in schema.EDGE_KINDS]
                   + [("sources", "Source", f"MATCH (s:{_label(SOURCE_LABEL)}) RETURN count(s) AS c")])
        # one count per label and type, on as many connections as the push writes with (read-only:
        # nothing to conflict); counting a large type is a scan on some servers
        with ThreadPoolExecutor(max_workers=max(1, self.writers), thread_name_prefix="cg-count") as pool:
            found = list(pool.map(lambda q: self.run(q[2])[0]["c"], queries))
        out: dict[str, dict[str, int]] = {"nodes": {}, "edges": {}, "sources": {}}
        for (part, kind, _), n in zip(queries, found, strict=True):
            if n:
                out[part][kind] = n
        return out

    def write(
        self,
        graph: CampaignGraph,
        *,
        prune: bool = False,
        verify: bool = True,
        progress: ProgressFn | None = None,
        skip_unchanged: bool = False,
        create_absent: bool = True,
    ) -> PushReport:
        """Push ``graph``: constraints first, then batches, optional prune, then the count check.

        Each batch is its own managed write transaction (the driver retries transient
        failures); up to :attr:`writers` run at once (see :meth:`_run_batches`). If the
        connection is lost for good, the error says which batches are written, which are in
        doubt and which were not sent; pushing again converges.
        With ``verify`` the whole database is read back and its content hash compared.
        With ``skip_unchanged`` rows the server already has, exactly, are not written again
        (see :meth:`plan`); ``report.rows["unchanged"]`` counts them. Off by default: on
        ArcadeDB reading a row back costs about as much as MERGE-ing an existing one
        (measured), so it pays only where reads are much cheaper than writes.
        """
        server = self.connect()
        self.ensure_constraints()
        # the rows are millions of small objects that live until the end: the cyclic collector's
        # passes over them cost seconds of client CPU and find nothing (measured: building the
        # rows of 1.2M nodes and relationships takes 7 s with it on)
        with paused_gc():
            report = PushReport(uri=self.uri, database=self.database, server=server)
            report.rows["created"] = 0
            self._element_ids = {}
            try:
                # the batches are written while the later ones are still being built (plan_groups is
                # consumed on a thread of its own): the server starts on the first label at once
                # instead of waiting for the whole plan (measured: 2.3-2.6 s for 830k rows)
                self._run_batches(self.plan_groups(graph, skip_unchanged=skip_unchanged,
                                                   create_absent=create_absent),
                                  report, progress, more=1 if prune else 0,
                                  estimate=self._batches_estimate(graph))
            finally:
                self._element_ids = {}
            report.rows["unchanged"] = (len(graph.sources) + graph.number_of_nodes() + graph.number_of_edges()
                                        - sum(report.rows.get(p, 0) for p in _PHASES))
        report.sources = len(graph.sources)
        report.nodes = graph.number_of_nodes()
        report.edges = graph.number_of_edges()
        if prune:
            started = time.perf_counter()
            report.pruned_sources, report.pruned_nodes, report.pruned_edges = self.prune(graph)
            report.seconds["prune"] = time.perf_counter() - started
            if progress:
                progress(report.batches + 1, report.batches + 1)
        started = time.perf_counter()
        self._count_check(graph, report)
        if verify:
            report.snapshot_hash = graph.content_hash()
            report.content_hash = self.read().content_hash()
        report.seconds["check"] = time.perf_counter() - started
        return report

    def _write_batch(self, b: Batch) -> bool:
        """Write one batch as its own transaction; True if its rows were created (CREATE).

        A node batch returns the element ids the server gave its nodes (kept for this push); a
        CREATE batch of relationships whose ends all have one finds them by element id (a direct
        record look-up) instead of the ``id`` index. Measured on ArcadeDB: 11-13 us of server CPU
        per relationship instead of 26-36 us; each end's ``id`` is still compared, so an element id
        that no longer names that node finds nothing, the count comes back short, the transaction
        is rolled back and the batch runs the index way.
        """
        from neo4j.exceptions import ConstraintError, IncompleteCommit

        try:
            try:
                if b.by_element is not None and (rows := self._rows_by_element(b)) is not None:
                    try:
                        self._write(b.by_element, rows, retry=b.merge_form, expect=len(rows))
                        return True
                    except _EndsMissing:
                        pass
                self._remember(b, self._write(b.query, b.rows, retry=b.merge_form))
            except ConstraintError:
                merge = b.merge_form()
                if merge is None:
                    raise
                self._remember(b, self._write(*merge))  # an id arrived meanwhile: MERGE converges
                return False
            return b.create
        except IncompleteCommit:
            # the link dropped while the server committed: the batch may or may not be in. The driver
            # does not retry that (it cannot know the work is idempotent); the MERGE form is, so running
            # it converges either way (a second failure is reported as "in doubt")
            self._remember(b, self._write(*(b.merge_form() or (b.query, b.rows))))
            return False

    def _remember(self, b: Batch, values: list[list[Any]]) -> None:
        """Keep the element ids a node batch returned (``[[ids, element ids]]``)."""
        if b.phase == "nodes" and values and len(values[0]) == 2:
            ids, elements = values[0]
            self._element_ids.update(zip(ids, elements, strict=True))

    def _rows_by_element(self, b: Batch) -> list[tuple[Any, ...]] | None:
        """The batch's rows with both ends' element ids appended; None if an end has none."""
        e = self._element_ids
        try:
            return [(*t, e[t[0]], e[t[1]]) for t in b.rows]
        except KeyError:
            return None

    def _batches_estimate(self, graph: CampaignGraph) -> int:
        """How many batches a push of ``graph`` has at least, for a progress bar before the plan is done."""
        counts = graph.counts_by_kind()
        n = sum(-(-c // self.batch_size) for part in ("nodes", "edges") for c in counts[part].values())
        return n + (1 if graph.sources else 0)

    def _run_batches(self, batches: list[Batch] | Iterator[list[Batch]], report: PushReport,
                     progress: ProgressFn | None, *, more: int = 0, estimate: int = 0) -> None:
        """Run the batches, up to ``self.writers`` at once, and fill the report's rows and seconds.

        ``batches`` is the whole plan, or :meth:`plan_groups` still to be consumed: then a
        thread of its own builds the groups while the first ones are written, and the progress
        total is ``estimate`` until the plan is complete (then its length plus ``more``).

        The rules that make running transactions side by side safe and quick:

        - two batches run at the same time only if their :attr:`Batch.resources` (node labels,
          relationship type) are disjoint. They then write disjoint nodes, so on Neo4j they
          take no common lock (no deadlock, no waiting) and on ArcadeDB they change no common
          record (no concurrent-modification retry; measured: two writers on disjoint labels write
          1.4-2x the rows per second of one, while two on one relationship type and shared
          labels are retried after conflicts and write fewer rows per second than one);
        - a batch waits for every batch of an earlier phase that shares one of its labels
          (a relationship is written after the nodes at both its ends), and batches of one
          group go in plan order. A plan being built hands over every node group before any
          relationship group, so the node batches a relationship batch waits for are known;
        - among the batches free to start, one of the earliest phase goes first, and within a
          phase the one whose group has the most rows left (longest first), so a large
          relationship type is not left running alone at the end. With one writer the plan
          order is kept. (Keeping the label with the most rows left busy instead gave the same
          schedule on the generated graphs, in a simulation of the goal's 500k relationships.)

        A transaction that fails for good stops new ones from starting; those running are
        waited for; the error then says which batches are written, which are in doubt and
        which were not sent. Pushing again converges (MERGE by id), whatever the order was.
        """
        from neo4j.exceptions import DriverError, Neo4jError

        writers = max(1, self.writers)
        pending: list[Batch] = []
        known: list[Batch] = []  # every batch handed over so far, in plan order
        left: dict[int, int] = {}  # rows not yet written, per group
        running: dict[Future[bool], tuple[Batch, float]] = {}
        written: list[int] = []
        doubt: list[tuple[Batch, BaseException]] = []
        spans: dict[str, list[float]] = {}
        rows_done = 0
        started_all = time.perf_counter()
        report.timeline.append((0.0, 0))

        def take(group: list[Batch]) -> None:
            for b in group:
                left[b.group] = left.get(b.group, 0) + len(b.rows)
            pending.extend(group)
            known.extend(group)

        planned: queue.Queue[tuple[str, Any]] = queue.Queue()
        planning = not isinstance(batches, list)
        complete = not planning  # every batch of the plan handed over
        stop_planning = threading.Event()
        planner: threading.Thread | None = None
        plan_error: BaseException | None = None
        if isinstance(batches, list):
            take(batches)
        else:
            feed = batches

            def plan_all() -> None:
                began = time.perf_counter()
                outcome: tuple[str, Any] = ("stopped", None)
                try:
                    for group in feed:
                        if stop_planning.is_set():
                            return
                        planned.put(("group", group))
                    outcome = ("done", time.perf_counter() - began)
                except Exception as e:  # noqa: BLE001 - re-raised by the writing thread
                    outcome = ("error", e)
                finally:
                    planned.put(outcome)

            planner = threading.Thread(target=plan_all, name="cg-plan", daemon=True)
            planner.start()

        def receive(block: bool) -> None:
            nonlocal planning, plan_error, complete
            while planning:
                try:
                    what, item = planned.get(block=block)
                except queue.Empty:
                    return
                block = False
                if what == "group":
                    take(item)
                elif what == "done":
                    planning, complete = False, True
                    report.seconds["plan"] = item  # the planner's own time (it overlaps the writes)
                else:
                    planning = False
                    plan_error = item  # None when stopped

        def progress_total() -> int:
            return (max(estimate, len(known)) if planning else len(known)) + more

        def next_batch() -> Batch | None:
            busy: set[str] = set()
            for rb, _ in running.values():
                busy |= rb.resources
            earlier: dict[str, set[str]] = {}  # phase -> resources of pending batches of earlier phases
            seen_phase: set[str] = set()
            heads: set[int] = set()
            best: Batch | None = None
            best_key = (0, 0)
            for b in pending:  # plan order: sources, nodes, edges
                if b.phase not in earlier:
                    earlier[b.phase] = set().union(*(x.resources for x in pending if x.phase in seen_phase))
                    seen_phase.add(b.phase)
                if b.group in heads:
                    continue
                heads.add(b.group)
                if b.resources & busy or b.resources & earlier[b.phase]:
                    continue
                if writers == 1:
                    return b
                key = (_PHASES.index(b.phase), -left[b.group])
                if best is None or key < best_key:
                    best, best_key = b, key
            return best

        with ThreadPoolExecutor(max_workers=writers, thread_name_prefix="cg-push") as pool:
            try:
                while pending or running or planning:
                    receive(block=not running and not pending)
                    while (not doubt and plan_error is None and len(running) < writers
                           and (b := next_batch()) is not None):
                        pending.remove(b)
                        running[pool.submit(self._write_batch, b)] = (b, time.perf_counter())
                    if not running:
                        if planning and plan_error is None and not doubt:
                            continue  # wait for the next group
                        break
                    # while the plan is being built, look at the queue now and then
                    done, _ = wait(running, timeout=0.02 if planning else None, return_when=FIRST_COMPLETED)
                    now = time.perf_counter()
                    for f in sorted(done, key=lambda f: running[f][0].number):
                        b, began = running.pop(f)
                        e = f.exception()
                        if e is not None:
                            if not isinstance(e, (DriverError, Neo4jError, OSError)):
                                raise e
                            doubt.append((b, e))
                            continue
                        written.append(b.number)
                        rows_done += len(b.rows)
                        report.timeline.append((now - started_all, rows_done))
                        left[b.group] -= len(b.rows)
                        report.rows["created"] += len(b.rows) if f.result() else 0
                        report.rows[b.phase] = report.rows.get(b.phase, 0) + len(b.rows)
                        span = spans.setdefault(b.phase, [began, now])
                        span[0], span[1] = min(span[0], began), max(span[1], now)
                        if progress:
                            progress(len(written), progress_total())
            finally:
                stop_planning.set()
                pool.shutdown(wait=True, cancel_futures=True)
                if planner is not None:  # it stops at its next group (the queue never blocks it)
                    planner.join()
                    receive(block=False)
        report.batches = len(known)
        for phase, (a, z) in spans.items():
            report.seconds[phase] = z - a  # wall time from its first batch's start to its last one's end
        report.seconds["write"] = time.perf_counter() - started_all
        unsent = sorted(b.number for b in pending)
        later = f"; batches {_ranges(unsent)} were not sent" if unsent else ""
        if plan_error is not None and not doubt:
            if written and isinstance(plan_error, CampaignGraphError):
                raise CampaignGraphError(
                    f"push interrupted while building the batches after batch {len(known)}: {plan_error.message}; "
                    f"batches {_ranges(sorted(written))} are written{later}; push again: it converges "
                    "(MERGE by id) with no duplicates"
                ) from None
            raise plan_error
        if doubt:
            first, e = doubt[0]
            base = self._error(e)
            n = len(known)
            numbers = [b.number for b, _ in doubt]
            in_doubt = (f"batch {numbers[0]} is in doubt (it may or may not be committed)" if len(numbers) == 1
                        else f"batches {_ranges(numbers)} are in doubt (they may or may not be committed)")
            done = f"batches {_ranges(sorted(written))} are written, " if written else "no batch is written, "
            of = f"{n}" if complete else f"{n} planned so far"
            raise CampaignGraphError(
                f"push interrupted at batch {first.number} of {of} ({first.what}): {base.message}; "
                f"{done}{in_doubt}{later}; push again: it converges (MERGE by id) with no duplicates"
            )

    def _count_check(self, graph: CampaignGraph, report: PushReport) -> None:
        server = self.counts()
        report.server_counts = server
        want = graph.counts_by_kind()
        want["sources"] = {"Source": len(graph.sources)} if graph.sources else {}
        for part, label in (("nodes", "node"), ("edges", "edge"), ("sources", "source")):
            for kind in sorted(set(want[part]) | set(server[part])):
                w, s = want[part].get(kind, 0), server[part].get(kind, 0)
                if s < w:
                    report.count_problems.append(f"{kind} {label}s: server has {s}, snapshot {w}")
                elif s > w:
                    report.extra_on_server.append(f"{kind} {label}s: server has {s - w} more than the snapshot")

    def prune(self, graph: CampaignGraph) -> tuple[int, int, int]:
        """Delete what the server has and ``graph`` does not: (sources, nodes, edges) removed."""

        def keep_edge(eid: Any, kind: str, src: Any, dst: Any, la: str, lb: str) -> bool:
            if eid is None or not graph.has_edge(eid):
                return False
            u, v, _ = graph.edge(eid)
            return (u, v) == (src, dst)

        return self._delete_unless(
            keep_edge,
            lambda nid, kind: nid is not None and graph.has_node(nid) and graph.kind_of(nid) == kind,
            lambda sid, props: sid in graph.sources,
        )

    def remove_sensitive(self, full: CampaignGraph, public: CampaignGraph) -> tuple[int, int, int]:
        """Delete the sensitive records a redacted push must not leave behind: (sources, nodes, edges) removed.

        That is every node of a kind the schema marks sensitive (``Person``), every
        relationship of a sensitive type (``HOLDS_ROLE``) or touching a sensitive node, every
        ``:Source`` marked confidential, and whatever ``full`` (the unredacted snapshot) holds
        that ``public`` (its redacted copy) does not, by id. Other records are left alone.
        """
        sens_nodes = {k for k, nk in schema.NODE_KINDS.items() if nk.sensitive}
        sens_edges = {k for k, ek in schema.EDGE_KINDS.items() if ek.sensitive}

        def keep_edge(eid: Any, kind: str, src: Any, dst: Any, la: str, lb: str) -> bool:
            if kind in sens_edges or la in sens_nodes or lb in sens_nodes:
                return False
            return not (eid is not None and full.has_edge(eid) and not public.has_edge(eid))

        def keep_node(nid: Any, kind: str) -> bool:
            if kind in sens_nodes:
                return False
            return not (nid is not None and full.has_node(nid) and not public.has_node(nid))

        def keep_source(sid: Any, props: Mapping[str, Any]) -> bool:
            conf = props.get("confidential")
            if conf is not None and conf is not False and str(conf).strip().casefold() not in ("false", "no", "0", ""):
                return False  # anything but a clear "not confidential" counts as confidential
            return not (sid in full.sources and sid not in public.sources)

        return self._delete_unless(keep_edge, keep_node, keep_source)

    def _delete_unless(
        self,
        keep_edge: Callable[[Any, str, Any, Any, str, str], bool],
        keep_node: Callable[[Any, str], bool],
        keep_source: Callable[[Any, Mapping[str, Any]], bool],
    ) -> tuple[int, int, int]:
        """Delete the relationships, nodes and sources the ``keep_*`` tests refuse: (sources, nodes, edges)."""
        n_edges = 0
        for kind in schema.EDGE_KINDS:
            rows = self.run(
                f"MATCH (a)-[e:{_rel_type(kind)}]->(b) RETURN e.id AS id, a.id AS src, b.id AS dst, "
                "labels(a) AS la, labels(b) AS lb"
            )
            stale: dict[tuple[str, str], list[dict[str, Any]]] = {}
            for r in rows:
                la = next((x for x in r["la"] if x in schema.NODE_KINDS), None)
                lb = next((x for x in r["lb"] if x in schema.NODE_KINDS), None)
                if la and lb and not keep_edge(r["id"], kind, r["src"], r["dst"], la, lb):
                    stale.setdefault((la, lb), []).append({"id": r["id"], "src": r["src"], "dst": r["dst"]})
            for (la, lb), items in stale.items():
                q = (
                    f"UNWIND $rows AS r MATCH (a:{_label(la)} {{id: r.src}})-[e:{_rel_type(kind)}]->"
                    f"(b:{_label(lb)} {{id: r.dst}}) WHERE e.id = r.id OR (r.id IS NULL AND e.id IS NULL) DELETE e"
                )
                for _, chunk in _chunks(items, self.batch_size):
                    self._write_checked(q, chunk)
                n_edges += len(items)
        n_nodes = 0
        for kind in schema.NODE_KINDS:
            ids = [r["id"] for r in self.run(f"MATCH (n:{_label(kind)}) RETURN n.id AS id")]
            stale_ids = [{"id": i} for i in ids if not keep_node(i, kind)]
            q = (f"UNWIND $rows AS r MATCH (n:{_label(kind)}) WHERE n.id = r.id OR (r.id IS NULL AND n.id IS NULL) "
                 "DETACH DELETE n")
            for _, chunk in _chunks(stale_ids, self.batch_size):
                self._write_checked(q, chunk)
            n_nodes += len(stale_ids)
        srows = self.run(f"MATCH (s:{_label(SOURCE_LABEL)}) RETURN s.id AS id, properties(s) AS p")
        stale_s = [{"id": r["id"]} for r in srows if not keep_source(r["id"], r["p"])]
        q = f"UNWIND $rows AS r MATCH (s:{_label(SOURCE_LABEL)}) WHERE s.id = r.id DETACH DELETE s"
        for _, chunk in _chunks(stale_s, self.batch_size):
            self._write_checked(q, chunk)
        return len(stale_s), n_nodes, n_edges

    def _write_checked(self, query: str, rows: list[dict[str, Any]]) -> None:
        from neo4j.exceptions import DriverError, Neo4jError

        try:
            self._write(query, rows)
        except (DriverError, Neo4jError, OSError) as e:
            raise self._error(e) from None
