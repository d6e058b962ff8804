"""The Neo4j store: push a :class:`CampaignGraph` to a Bolt server and pull it back.

Works with Neo4j 5+ (local, Desktop, Aura) and with ArcadeDB's Bolt plugin (used by the
tests). Layout on the server:

- one node per graph node, labelled with its kind (``:Company``, ``:Site``...) and carrying
  ``id``, ``name`` and the schema properties (lists as lists, dates as ISO strings);
- one relationship per graph edge, typed with its kind (``:OWNS``...) and carrying the
  edge ``id`` and its properties;
- one ``:Source`` node per Source record (its fields as properties).

Safety: labels and relationship types come only from the schema's whitelist
(:data:`graphmodel.schema.NODE_KINDS`, :data:`~graphmodel.schema.EDGE_KINDS`), every value
travels as a query parameter (``UNWIND $rows AS r MERGE ... {id: r.id}``), and every MERGE
is on a label that has a uniqueness constraint on ``id`` (created first), so no index is
missed and no duplicate can appear. Pushing is idempotent (MERGE by id, then ``SET x =
props`` replaces the whole property map), which is also how an interrupted push heals:
push again. Rows whose id the server does not have yet (read first) are written with
``CREATE`` and an explicit property map, which costs the server less; a CREATE batch that a
constraint refuses or that the driver retries is run as MERGE, so it converges all the same
(see :meth:`Neo4jStore.plan`). The property names in such a map are checked identifiers, the
values still parameters. Node batches return the element ids the server gave their nodes, and a
CREATE batch of relationships finds both ends by those (with each end's ``id`` still compared)
instead of the ``id`` index (see :meth:`Neo4jStore._write_batch`). Up to ``writers`` transactions
run at once, only on disjoint labels and relationship types, starting while the later batches are
still being built (see :meth:`Neo4jStore._run_batches`). Positional rows travel column by column,
string columns joined into one value and split on the server, where its ``split`` is probed to be
Python's (see :func:`_wire`). The password is never part of a message.

Where Neo4j and ArcadeDB differ, :func:`detect_server` is the one place that tells them
apart (and probes ``split``); callers branch on :attr:`ServerInfo.kind`.
"""

from __future__ import annotations

import math
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, Self

from graphmodel import schema
from graphmodel.errors import CampaignGraphError
from graphmodel.gcpause import paused_gc
from graphmodel.graph import CampaignGraph
from graphmodel.records import SOURCE_FIELDS, Source, edge_id
from graphmodel.values import coerce

#: label of the nodes holding Source records
SOURCE_LABEL = "Source"
DEFAULT_BATCH_SIZE = 5000
#: write transactions run at once by a push (see :meth:`Neo4jStore.write`)
DEFAULT_WRITERS = 2
#: property names written into a CREATE query's map (backquoted); anything else goes the SET way
_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
#: keys of the two ends in :meth:`Batch.row_dicts` of relationships (no schema property starts with "__")
_SRC, _DST = "__src", "__dst"

ProgressFn = Callable[[int, int], None]
#: what a node batch returns: its rows' ids and the element ids the server gave those nodes (two
#: lists in one record, aligned: both are collected from the same rows in the same order)
_ELEMENT_IDS = " RETURN collect({id}) AS k, collect(elementId(n)) AS e"

#: what joins a string column of positional rows into one value on the wire (ASCII unit
#: separator); a column with a value that contains it travels as a list (see :func:`_wire`)
_SEP = "\x1f"
_UNWIND_ROWS = "UNWIND $rows AS r "
_ROW_REF = re.compile(r"\br\[(\d+)\]")

#: the phases of a push, in the order they are written
_PHASES = ("sources", "nodes", "edges")


class _EndsMissing(Exception):
    """A relationship batch by element ids created fewer relationships than it has rows (an end
    is gone or is another node now); its transaction is rolled back and the id look-up runs."""


_PY_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "date": (str,),
    "enum": (str,),
    "int": (int,),
    "float": (float,),
    "percent": (float,),
    "bool": (bool,),
    "list": (list,),
}


def _label(kind: str) -> str:
    """The backquoted label for a node kind; refuses anything not in the schema."""
    if kind not in schema.NODE_KINDS and kind != SOURCE_LABEL:
        raise CampaignGraphError(f"not a node kind of the schema: {kind!r}")
    return f"`{kind}`"


def _rel_type(kind: str) -> str:
    """The backquoted relationship type for an edge kind; refuses anything not in the schema."""
    if kind not in schema.EDGE_KINDS:
        raise CampaignGraphError(f"not an edge kind of the schema: {kind!r}")
    return f"`{kind}`"


def safe_uri(uri: str) -> str:
    """``uri`` without any ``user:password@`` part, for messages."""
    # greedy: a password may itself hold "/" or "@" (unencoded), so everything up to the
    # last "@" goes (in a message, dropping too much is safe; too little leaks)
    return re.sub(r"//.*@", "//", uri, flags=re.DOTALL)


#: URI schemes the Bolt driver takes (anything else, http:// included, is refused before the driver sees it)
URI_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


def check_uri(uri: str) -> None:
    """Refuse a URI whose scheme is not a Bolt one, naming only the scheme (never the URI: it may hold a password).

    >>> check_uri("bolt://localhost:7687")
    >>> check_uri("http://user:pw@host:7474")
    Traceback (most recent call last):
    ...
    graphmodel.errors.CampaignGraphError: a http:// URI is not a Bolt server address: use bolt://HOST:7687 or neo4j://HOST:7687 (+s for TLS)
    """
    m = re.match(r"([A-Za-z][A-Za-z0-9+.-]{0,19})://", uri or "")
    scheme = m.group(1).casefold() if m else None
    if scheme in URI_SCHEMES:
        return
    shown = f"a {scheme}:// URI" if scheme else "a URI without a scheme"
    raise CampaignGraphError(f"{shown} is not a Bolt server address: use bolt://HOST:7687 or neo4j://HOST:7687 (+s for TLS)")


@dataclass(frozen=True)
class ServerInfo:
    """What kind of server answers at the URI."""

    kind: str  # "neo4j" or "arcadedb"
    agent: str
    version: str
    gds: bool  # the Graph Data Science library is installed
    #: ``split`` keeps empty pieces and splits on the plain string (probed): positional rows can
    #: then travel as joined string columns (see :func:`_wire`)
    split_columns: bool = False


@dataclass
class Batch:
    """One write transaction of a push."""

    number: int
    what: str  # "Company nodes 1-5000"
    query: str
    #: property maps (MERGE); for a CREATE batch, tuples in the order of :attr:`columns`
    rows: list[Any]
    phase: str = "nodes"  # "sources", "nodes" or "edges"
    #: for a CREATE batch: the MERGE query that writes the same rows idempotently, run instead when a
    #: uniqueness constraint refuses the CREATE (someone wrote one of the ids in between) and when the
    #: driver retries the transaction (the first attempt may have committed before the link dropped:
    #: a second CREATE would duplicate relationships, MERGE converges)
    fallback: str | None = None
    create: bool = False  # rows the server did not have (CREATE), else MERGE
    #: what the transaction writes to: ``label:X`` for each node label it touches, ``type:T`` for its
    #: relationship type. Two batches run at once only if these are disjoint (see ``write``).
    resources: frozenset[str] = frozenset()
    group: int = 0  # batches of one label / one (type, start label, end label) share a group
    #: the names of a CREATE batch's tuple positions: ``id, name, props...`` for nodes,
    #: ``source, target, id, props...`` for relationships (None in a tuple: no such property)
    columns: tuple[str, ...] = ()
    #: for a CREATE batch of relationships: the same CREATE with both ends found by the element ids
    #: that the push's node batches returned (two more tuple positions at the end, see
    #: :meth:`Neo4jStore._write_batch`), and each end's ``id`` checked too
    by_element: str | None = None

    def row_dicts(self) -> list[dict[str, Any]]:
        """The rows as property maps with ``id`` (no absent property); relationships also ``__src``/``__dst``."""
        if not self.create:
            if self.phase == "edges":
                return [{**r["p"], _SRC: r["src"], _DST: r["dst"]} for r in self.rows]
            return self.rows
        names = (_SRC, _DST, *self.columns[2:]) if self.phase == "edges" else self.columns
        return [{k: v for k, v in zip(names, t) if v is not None} for t in self.rows]

    def merge_form(self) -> tuple[str, list[dict[str, Any]]] | None:
        """The (MERGE query, rows) that write what this CREATE batch writes; None for a MERGE batch."""
        if self.fallback is None:
            return None
        if self.phase != "edges":
            return self.fallback, _maps(self.columns, self.rows)
        return self.fallback, _ends_and_maps(self.columns, self.rows)


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


def _neo4j_error(e: BaseException, uri: str, database: str | None, user: str) -> CampaignGraphError:
    """One user-facing line for a driver exception (never the password)."""
    from neo4j import exceptions as nx

    where = safe_uri(uri)
    code = getattr(e, "code", None) or ""
    if isinstance(e, nx.AuthError) or "Unauthorized" in code or "Authentication" in code:
        return CampaignGraphError(
            f"{where} refused the login for user {user!r}: wrong user name or password (NEO4J_PASSWORD)"
        )
    if "DatabaseNotFound" in code:
        return CampaignGraphError(f"database {database!r} does not exist on {where}")
    if isinstance(e, (nx.ServiceUnavailable, nx.SessionExpired, OSError)):
        return CampaignGraphError(f"cannot reach a Bolt server at {where} ({e.__class__.__name__})")
    if isinstance(e, nx.ConfigurationError):
        return CampaignGraphError(f"bad Neo4j URI {where!r}: use bolt://HOST:PORT or neo4j://HOST:PORT")
    if isinstance(e, nx.Neo4jError):
        return CampaignGraphError(f"{where}: server error {code or e.__class__.__name__}")
    return CampaignGraphError(f"{where}: {e.__class__.__name__}")


def detect_server(driver: Any, database: str | None) -> ServerInfo:
    """Tell Neo4j from ArcadeDB (the one place the two are told apart).

    ArcadeDB answers ``CALL dbms.components()`` as a Neo4j 5 kernel, so the server agent
    string (``Neo4j/5.26.0 compatible (ArcadeDB ...)``) is what decides.
    """
    info = driver.get_server_info()
    agent = str(info.agent or "")
    kind = "arcadedb" if "arcadedb" in agent.casefold() else "neo4j"
    version = agent.split("/", 1)[1].split()[0] if "/" in agent else ""
    gds = False
    if kind == "neo4j":  # ArcadeDB has a gds.version() stub but not the algorithms
        from neo4j.exceptions import Neo4jError

        try:
            driver.execute_query("CALL gds.version()", database_=database)
            gds = True
        except Neo4jError:
            gds = False
    return ServerInfo(kind=kind, agent=agent, version=version, gds=gds, split_columns=_splits_as_python(driver, database))


#: what the probe of ``split`` sends: empty pieces at the start, middle and end, and a regex character
_SPLIT_PROBE = ".\x1f\x1fa.b\x1f"


def _splits_as_python(driver: Any, database: str | None) -> bool:
    """Whether the server's ``split(s, sep)`` gives exactly Python's ``s.split(sep)`` for :data:`_SEP`.

    Joined string columns (:func:`_wire`) rely on that: one piece per row, empty ones kept,
    the separator taken as a plain string (not a regular expression). Both Neo4j and ArcadeDB
    do; a server that does not gets the rows one list per row, as before.
    """
    from neo4j.exceptions import Neo4jError

    try:
        records, _, _ = driver.execute_query("RETURN split($s, $sep) AS x", s=_SPLIT_PROBE, sep=_SEP,
                                             database_=database)
    except Neo4jError:
        return False
    return bool(records) and records[0]["x"] == _SPLIT_PROBE.split(_SEP)


def _wire(query: str, rows: list[Any], split_columns: bool) -> tuple[str, dict[str, Any]]:
    """The query and parameters that carry ``rows`` to the server.

    Positional rows (tuples, read as ``r[0]``, ``r[1]``...) of an ``UNWIND $rows AS r ...``
    query travel column by column when the server's ``split`` is Python's (probed): a column of
    strings as one string joined by :data:`_SEP` and split once per batch on the server, a
    column of one-item string lists (``sources``, ``origins``) the same way and wrapped back
    into lists, any other column as one list; each ``r[k]`` then reads ``ck[i]``. The driver
    packs a few values per batch instead of one or two per cell. Measured on ArcadeDB with the
    pure-Python driver (150k rows of 7 strings): client 13.0 -> 0.9 us per row, server 13.3 ->
    11.7 us per row on a warm server (unpacking one string is cheaper than thousands of values);
    in a whole push of the goal graph (832k rows) the client's CPU fell from 29 to 7 us per row
    and the server's stayed the same within the noise.
    Written by hand: the driver has no columnar parameter form. Property maps (MERGE rows) and
    any query that reads ``r`` otherwise go as they are, ``$rows``.
    """
    if not split_columns or not rows or not isinstance(rows[0], tuple) or not query.startswith(_UNWIND_ROWS):
        return query, {"rows": rows}
    body = query[len(_UNWIND_ROWS):]
    used = {int(k) for k in _ROW_REF.findall(body)}
    try:
        cols = list(zip(*rows, strict=True))
    except ValueError:  # rows of different widths
        return query, {"rows": rows}
    if re.search(r"\br\b", _ROW_REF.sub("", body)) or max(used, default=0) >= len(cols):
        return query, {"rows": rows}
    params: dict[str, Any] = {"n": len(rows), "sep": _SEP}
    columns: list[str] = []
    reads: dict[int, str] = {}
    for k, col in enumerate(cols):
        if k not in used:
            continue
        joined, reads[k] = _joined(col), f"c{k}[i]"
        if joined is None and all(type(v) is list and len(v) == 1 for v in col):
            joined, reads[k] = _joined([v[0] for v in col]), f"[c{k}[i]]"
        if joined is not None:
            params[f"s{k}"] = joined
            columns.append(f"split($s{k}, $sep) AS c{k}")
        else:
            params[f"l{k}"], reads[k] = list(col), f"c{k}[i]"
            columns.append(f"$l{k} AS c{k}")
    head = f"WITH {', '.join(columns)} " if columns else ""
    return head + "UNWIND range(0, $n - 1) AS i " + _ROW_REF.sub(lambda m: reads[int(m[1])], body), params


def _joined(values: Any) -> str | None:
    """The strings joined by :data:`_SEP`, or None if one is not a string or contains the separator."""
    try:
        joined = _SEP.join(values)
    except TypeError:  # None, a number, a list...
        return None
    return joined if joined.count(_SEP) == len(values) - 1 else None


def _maps(columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """Positional node rows as property maps, without the absent (None) values."""
    return [{k: v for k, v in zip(columns, t) if v is not None} for t in rows]


def _ends_and_maps(columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """Positional relationship rows ``(source, target, id, props...)`` as MERGE rows ``{src, dst, p}``."""
    names = columns[2:]
    return [{"src": t[0], "dst": t[1], "p": {k: v for k, v in zip(names, t[2:]) if v is not None}} for t in rows]


def _absent(rows: list[tuple[Any, ...]], at: int, ids: set[Any] | None, columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """The rows whose id (position ``at``) the server lacks, to CREATE; none when the ids were not
    read or a property name is not a plain identifier (those rows go the generic MERGE way)."""
    if ids is None or not all(_IDENT.fullmatch(c) for c in columns):
        return []
    return [t for t in rows if t[at] not in ids]


def _positional_map(columns: tuple[str, ...], first: int) -> str:
    """``{`id`: r[first], `name`: r[first + 1], ...}`` without the braces (names checked identifiers)."""
    return ", ".join(f"`{k}`: r[{i}]" for i, k in enumerate(columns[first:], first))


def _columns_and_tuples(table: Any, lead: tuple[str, ...], skip: str = "kind") -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    """A node or edge table as (column names, one tuple per row), ``lead`` columns first.

    Built column-wise from the Arrow table (``py_values``: repeated strings shared) and zipped
    into tuples: no per-row dict. A tuple travels as a list and the query reads it by position,
    so the property names are not repeated in every row on the wire.
    """
    names = tuple(lead) + tuple(c for c in table.column_names if c not in lead and c != skip)
    return names, list(zip(*(_column_values(table.column(c)) for c in names), strict=True))


def _column_values(col: Any) -> list[Any]:
    """A column as Python values for the wire, one-item string lists built cheaply.

    Most list cells (``sources``, ``origins``) hold one string: those rows get one list per
    distinct string, shared (the rows are only packed, never changed), instead of one slice
    per row. Anything else goes through :func:`~graphmodel.columnar.py_values`.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from graphmodel.columnar import py_values

    t = col.type
    if pa.types.is_list(t) and pa.types.is_string(t.value_type) and col.null_count == 0 and len(col):
        arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
        if pc.all(pc.equal(pc.list_value_length(arr), 1)).as_py():
            flat = arr.flatten().dictionary_encode()
            if flat.null_count == 0:
                lists = [[v] for v in flat.dictionary.to_pylist()]
                return [lists[i] for i in flat.indices.to_pylist()]
    return py_values(col)


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


def _chunks(rows: list[Any], size: int) -> Iterator[tuple[int, list[Any]]]:
    for start in range(0, len(rows), size):
        yield start, rows[start : start + size]


class Neo4jStore:
    """A database on a Neo4j (or ArcadeDB Bolt) server as a :class:`GraphStore`.

    Parameters
    ----------
    uri
        ``bolt://HOST:PORT`` or ``neo4j://HOST:PORT`` (``neo4j+s://`` for Aura).
    user, password
        Credentials; the CLI takes the password from ``NEO4J_PASSWORD`` or a prompt only.
    database
        Database name (``None``: the server's default).
    batch_size
        Rows per write transaction (1k-10k is the sweet spot).
    writers
        Write transactions a push runs at once, on separate connections (1: one after the
        other). Only batches that touch disjoint labels and relationship types run together
        (see :meth:`write`).
    max_retry_time
        Seconds the driver keeps retrying a transaction after a transient failure.

    Examples
    --------
    >>> store = Neo4jStore("bolt://localhost:7687", user="neo4j", password="...")  # doctest: +SKIP
    >>> report = store.write(graph, prune=True)  # doctest: +SKIP
    >>> store.read() == graph  # doctest: +SKIP
    True
    """

    def __init__(
        self,
        uri: str,
        *,
        user: str = "neo4j",
        password: str = "",
        database: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_retry_time: float = 15.0,
        connection_timeout: float = 10.0,
        writers: int = DEFAULT_WRITERS,
    ) -> None:
        if batch_size < 1:
            raise CampaignGraphError("batch size must be at least 1")
        if writers < 1:
            raise CampaignGraphError("the number of writers must be at least 1")
        self.uri = uri
        self.user = user
        self._password = password
        self.database = database
        self.batch_size = batch_size
        self.writers = writers
        self.max_retry_time = max_retry_time
        self.connection_timeout = connection_timeout
        self._driver: Any = None
        self._server: ServerInfo | None = None
        #: node id -> element id of the nodes the running push wrote (see :meth:`_write_batch`)
        self._element_ids: dict[str, str] = {}

    def __repr__(self) -> str:  # never the password
        return f"<Neo4jStore {safe_uri(self.uri)} database={self.database!r}>"

    # ------------------------------------------------------------------ connection
    def _error(self, e: BaseException) -> CampaignGraphError:
        return _neo4j_error(e, self.uri, self.database, self.user)

    def connect(self) -> ServerInfo:
        """Open the driver, check the login and the database; return the server's kind."""
        if self._driver is not None and self._server is not None:
            return self._server
        check_uri(self.uri)
        import neo4j
        from neo4j.exceptions import DriverError, Neo4jError

        try:
            self._driver = neo4j.GraphDatabase.driver(
                self.uri,
                auth=(self.user, self._password),
                max_transaction_retry_time=self.max_retry_time,
                connection_timeout=self.connection_timeout,
                connection_acquisition_timeout=max(self.connection_timeout, 30.0),
                notifications_min_severity="OFF",
            )
            self._driver.verify_connectivity()
            self._driver.execute_query("RETURN 1", database_=self.database)
            self._server = detect_server(self._driver, self.database)
        except (DriverError, Neo4jError, OSError, ValueError) as e:
            self.close()
            raise self._error(e) from None
        return self._server

    def close(self) -> None:
        if self._driver is not None:
            self._driver.close()
        self._driver = None
        self._server = None

    def __enter__(self) -> Self:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def server(self) -> ServerInfo:
        return self.connect()

    def run(self, query: str, **params: Any) -> list[dict[str, Any]]:
        """Run a read query (parameters only) and return its records as dicts."""
        self.connect()
        from neo4j.exceptions import DriverError, Neo4jError

        try:
            records, _, _ = self._driver.execute_query(
                query, parameters_=params, database_=self.database, routing_="r"
            )
        except (DriverError, Neo4jError, OSError) as e:
            raise self._error(e) from None
        return [r.data() for r in records]

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

    # ------------------------------------------------------------------ push
    def plan(self, graph: CampaignGraph, *, skip_unchanged: bool = False, create_absent: bool = True) -> list[Batch]:
        """The write transactions a push of ``graph`` runs, in order (sources, nodes, edges).

        With ``skip_unchanged`` the server's current rows are read first (one query per
        label and per relationship type and end labels) and rows already there with exactly
        these properties are left out, so a re-push, an incremental sync or the re-push that
        heals an interrupted one writes only what differs (one write transaction per batch of
        changed rows instead of one per batch of all rows).
        Anything that is not an exact match is written (MERGE by id), so this never loses a row.

        With ``create_absent`` (the default) the ids on the server are read first (one query
        per label and per relationship type: only ids) and the rows whose id the server does
        not have at all are written with ``CREATE`` and an explicit property map instead of
        ``MERGE ... SET``: what MERGE would do for them (create), without its search, its
        nested transaction and the second write of SET. Measured on ArcadeDB this costs the
        server about half as much per row, and it is what a first push is made of. Rows whose
        id is there go the MERGE way as before. If a node's id appears on the server between
        the read and the CREATE (someone else writing), the uniqueness constraint refuses the
        batch and it is run again with MERGE (:attr:`Batch.fallback`).
        """
        return [b for group in self.plan_groups(graph, skip_unchanged=skip_unchanged, create_absent=create_absent)
                for b in group]

    def plan_groups(self, graph: CampaignGraph, *, skip_unchanged: bool = False,
                    create_absent: bool = True) -> Iterator[list[Batch]]:
        """The batches of :meth:`plan`, one group (a label, or a relationship type between two
        labels, CREATE or MERGE) at a time, each built only when asked for.

        A push (:meth:`write`) writes the first groups while the later ones are still being
        built. Every node group comes before every relationship group, so when a relationship
        batch is handed over, all the node batches it must wait for are already known.
        """
        numbers = iter(range(1, 1 << 30))
        groups = iter(range(1, 1 << 30))

        def add(what: str, phase: str, query: str, rows: list[Any], resources: frozenset[str],
                fallback: str | None = None, create: bool = False, columns: tuple[str, ...] = (),
                by_element: str | None = None) -> list[Batch]:
            group = next(groups)
            return [Batch(next(numbers), f"{what} {start + 1}-{start + len(chunk)}", query, chunk,
                          phase, fallback, create, resources, group, columns, by_element)
                    for start, chunk in _chunks(rows, self.batch_size)]

        def current(query: str) -> dict[Any, Any]:
            return {(r["k"] if not isinstance(r["k"], list) else tuple(r["k"])): r["p"] for r in self.run(query)}

        # Rows are flat property maps that carry their own ``id`` (``SET n = r``): measured on
        # ArcadeDB, a nested ``{id, props: {...}}`` row costs about twice as much to ship and
        # decode as the flat one (every map key is a value on the wire), and the id once less.
        srows = [dict(s.as_dict()) for _, s in sorted(graph.sources.items())]
        merge_source = f"UNWIND $rows AS r MERGE (s:{_label(SOURCE_LABEL)} {{id: r.id}}) SET s = r"
        if skip_unchanged:
            have = current(f"MATCH (s:{_label(SOURCE_LABEL)}) RETURN s.id AS k, properties(s) AS p")
            srows = [r for r in srows if have.get(r["id"]) != r]
        yield add("sources", "sources", merge_source, srows, frozenset({f"label:{SOURCE_LABEL}"}))

        # Rows come column-wise from the graph's Arrow tables (a loaded snapshot keeps them as they
        # are: no networkx, no per-row dict). Rows the server lacks travel as tuples read by
        # position (``r[0]``, ``r[1]``...): a map row repeats every property name on the wire and
        # costs the client a dict per row. MERGE rows are property maps (``SET n = r``).
        counts = graph.counts_by_kind()
        kind_of: dict[str, str] = {}
        for kind in sorted(counts["nodes"]):
            label = _label(kind)
            touches = frozenset({f"label:{kind}"})
            cols, rows = _columns_and_tuples(graph.node_table(kind), ("id",))
            kind_of.update(dict.fromkeys([t[0] for t in rows], kind))
            merge = f"UNWIND $rows AS r MERGE (n:{label} {{id: r.id}}) SET n = r" + _ELEMENT_IDS.format(id="r.id")
            if skip_unchanged:
                have = current(f"MATCH (n:{label}) RETURN n.id AS k, properties(n) AS p")
                rows = [t for t, m in zip(rows, _maps(cols, rows), strict=True) if have.get(m["id"]) != m]
                ids: set[Any] | None = set(have) if create_absent else None
            else:
                ids = self._ids_on_server(f"MATCH (n:{label}) RETURN n.id AS k") if create_absent else None
            absent = _absent(rows, 0, ids, cols)
            if absent:
                yield add(f"{kind} nodes (new)", "nodes",
                          f"UNWIND $rows AS r CREATE (n:{label} {{{_positional_map(cols, 0)}}})"
                          + _ELEMENT_IDS.format(id="r[0]"),
                    absent, touches, fallback=merge, create=True, columns=cols)
                rows = [t for t in rows if t[0] in ids] if ids is not None else rows
            yield add(f"{kind} nodes", "nodes", merge, _maps(cols, rows), touches)

        for kind in sorted(counts["edges"]):
            rel = _rel_type(kind)
            cols, rows = _columns_and_tuples(graph.edge_table(kind), ("source", "target", "id"))
            by_ends: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
            for t in rows:
                by_ends.setdefault((kind_of[t[0]], kind_of[t[1]]), []).append(t)
            rel_ids = (self._ids_on_server(f"MATCH ()-[e:{rel}]->() RETURN e.id AS k")
                       if create_absent else None)  # ids of this type between any labels
            for (sk, dk) in sorted(by_ends):
                erows = by_ends[(sk, dk)]
                touches = frozenset({f"label:{sk}", f"label:{dk}", f"type:{kind}"})
                # both ends matched by label + id, so each lookup is an index seek (checked with PROFILE)
                ends = f"UNWIND $rows AS r MATCH (a:{_label(sk)} {{id: r.src}}) MATCH (b:{_label(dk)} {{id: r.dst}}) "
                merge = ends + f"MERGE (a)-[e:{rel} {{id: r.p.id}}]->(b) SET e = r.p"
                if skip_unchanged:
                    have = current(f"MATCH (a:{_label(sk)})-[e:{rel}]->(b:{_label(dk)}) "
                                   "RETURN [e.id, a.id, b.id] AS k, properties(e) AS p")
                    erows = [t for t, m in zip(erows, _ends_and_maps(cols, erows), strict=True)
                             if have.get((m["p"]["id"], m["src"], m["dst"])) != m["p"]]
                absent = _absent(erows, 2, rel_ids, cols)
                if absent:
                    made = f"CREATE (a)-[e:{rel} {{{_positional_map(cols, 2)}}}]->(b)"
                    create = (f"UNWIND $rows AS r MATCH (a:{_label(sk)} {{id: r[0]}}) "
                              f"MATCH (b:{_label(dk)} {{id: r[1]}}) {made}")
                    # the ends' element ids go after the row's own positions
                    ea, eb = len(cols), len(cols) + 1
                    by_element = (f"UNWIND $rows AS r MATCH (a:{_label(sk)}) WHERE elementId(a) = r[{ea}] AND a.id = r[0] "
                                  f"MATCH (b:{_label(dk)}) WHERE elementId(b) = r[{eb}] AND b.id = r[1] {made} "
                                  "RETURN count(e) AS c")
                    yield add(f"{kind} edges ({sk}->{dk}, new)", "edges", create, absent, touches, fallback=merge,
                              by_element=by_element,
                        create=True, columns=cols)
                    erows = [t for t in erows if t[2] in rel_ids] if rel_ids is not None else erows
                yield add(f"{kind} edges ({sk}->{dk})", "edges", merge, _ends_and_maps(cols, erows), touches)

    def _ids_on_server(self, query: str) -> set[Any]:
        """The ids a ``... RETURN x.id AS k`` query finds (which rows a push may CREATE)."""
        return {r["k"] for r in self.run(query)}

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

    # ------------------------------------------------------------------ pull
    def read(self, problems: list[CampaignGraphError] | None = None) -> CampaignGraph:
        """Read the database back into a :class:`CampaignGraph` (push -> pull gives an equal graph).

        The server is read like any input: every Source, node and relationship goes through
        the checks of ``load`` (:meth:`CampaignGraph.add_node` / ``add_edge``: kinds, endpoints,
        types, vocabularies, ranges, known source ids), plus no control characters in ids,
        no NaN or infinity, latitude and longitude in range. With ``problems`` (a list) each
        record that breaks a rule is appended to it as one error naming label, id and
        property, and skipped; the good ones are kept. Without it the first problem raises.
        An edge without an ``id`` gets the stable one.
        """

        def bad(err: CampaignGraphError) -> None:
            if problems is None:
                raise err
            problems.append(err)

        graph = CampaignGraph()
        sources: dict[str, Source] = {}
        for row in self.run(f"MATCH (s:{_label(SOURCE_LABEL)}) RETURN properties(s) AS p"):
            try:
                src = source_from_server(row["p"])
                if src.id in sources:
                    raise CampaignGraphError(f"Source {src.id}: id is on two Source nodes: push with --prune",
                                             column="id")
            except CampaignGraphError as e:
                bad(e)
                continue
            sources[src.id] = src
        # in id order, like a snapshot loads (queries break ties in iteration order)
        graph.sources = dict(sorted(sources.items()))

        nodes: list[tuple[str, str, dict[str, Any]]] = []
        seen: dict[str, str] = {}
        for kind in schema.NODE_KINDS:
            props_allowed = schema.node_props(kind)
            for row in self.run(f"MATCH (n:{_label(kind)}) RETURN properties(n) AS p"):
                p = dict(row["p"])
                nid = p.pop("id", None)
                try:
                    _check_server_id(nid, kind)
                    if nid in seen:
                        raise CampaignGraphError(
                            f"id {nid!r} is on two nodes ({seen[nid]} and {kind}): push with --prune", column="id")
                    props = typed_props(props_allowed, p, f"{kind} {nid}")
                except CampaignGraphError as e:
                    bad(e)
                    continue
                seen[nid] = kind
                nodes.append((nid, kind, props))
        add_checked_nodes(graph, [(nid, {"kind": kind, **props}) for nid, kind, props in nodes], bad)

        edges: list[tuple[str, str, str, str, dict[str, Any]]] = []
        for kind in schema.EDGE_KINDS:
            props_allowed = schema.edge_props(kind)
            q = f"MATCH (a)-[e:{_rel_type(kind)}]->(b) RETURN a.id AS src, b.id AS dst, properties(e) AS p"
            for row in self.run(q):
                p = dict(row["p"])
                eid = p.pop("id", None)
                u, v = row["src"], row["dst"]
                where = f"{kind} {u!r}->{v!r}"
                try:
                    if not isinstance(u, str) or not isinstance(v, str) or u not in seen or v not in seen:
                        raise CampaignGraphError(f"{where}: touches a node outside the schema or skipped")
                    props = typed_props(props_allowed, p, f"{kind} {u}->{v}")
                    if not eid:
                        eid = edge_id(kind, u, v, props.get("valid_from"))
                    _check_server_id(eid, kind)
                except CampaignGraphError as e:
                    bad(e)
                    continue
                edges.append((str(eid), u, v, kind, props))
        add_checked_edges(graph, [(u, v, eid, {"kind": kind, **props}) for eid, u, v, kind, props in edges], bad)
        return graph


def add_checked_nodes(graph: CampaignGraph, nodes: list[tuple[str, dict[str, Any]]],
                      bad: Callable[[CampaignGraphError], None]) -> None:
    """Add server nodes ``(id, attrs with kind)`` in id order through :meth:`CampaignGraph.add_node`
    (the checks of ``load``); a refused one goes to ``bad`` and is left out."""
    for nid, attrs in sorted(nodes, key=lambda n: n[0]):
        props = dict(attrs)
        kind, name, srcs = props.pop("kind"), props.pop("name", None), props.pop("sources", ())
        try:
            _check_server_id(nid, kind)
            graph.add_node(nid, kind, name, sources=srcs, **props)
        except CampaignGraphError as e:
            bad(_located(e, f"{kind} {nid}"))


def add_checked_edges(graph: CampaignGraph, edges: list[tuple[str, str, str, dict[str, Any]]],
                      bad: Callable[[CampaignGraphError], None]) -> None:
    """Add server relationships ``(source, target, id, attrs with kind)`` in id order through
    :meth:`CampaignGraph.add_edge`; a refused one goes to ``bad`` and is left out."""
    for u, v, eid, attrs in sorted(edges, key=lambda e: e[2]):
        props = dict(attrs)
        kind, srcs = props.pop("kind"), props.pop("sources", ())
        try:
            _check_server_id(eid, kind)
            graph.add_edge(u, v, kind, id=eid, sources=srcs, **props)
        except CampaignGraphError as e:
            bad(_located(e, f"{kind} {u}->{v}"))


def _located(e: CampaignGraphError, where: str) -> CampaignGraphError:
    """``e`` with the record it is about at the front of its message (once)."""
    if e.message.startswith(where):
        return e
    return CampaignGraphError(f"{where}: {e.message}", column=e.column)


#: C0, DEL and C1 control characters: not allowed in ids read from a server
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _check_server_id(value: Any, label: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise CampaignGraphError(f"a {label} on the server has no string id", column="id")
    if _CONTROL.search(value):
        raise CampaignGraphError(f"{label} {value!r}: id holds a control character", column="id")


def source_from_server(p: Mapping[str, Any]) -> Source:
    """A Source record from a ``:Source`` node's properties, checked as the sources table is."""
    from graphmodel.values import parse_bool, parse_date

    sid = p.get("id")
    _check_server_id(sid, SOURCE_LABEL)
    values: dict[str, Any] = {"id": sid}
    for f in SOURCE_FIELDS:
        v = p.get(f)
        if f == "id" or v is None:
            continue
        if f == "confidential":
            if isinstance(v, bool):
                values[f] = v
                continue
            if not isinstance(v, str):
                raise CampaignGraphError(f"Source {sid}: confidential is a {type(v).__name__}, not yes/no", column=f)
            try:
                values[f] = parse_bool(v) if v.strip() else False
            except ValueError as e:
                raise CampaignGraphError(f"Source {sid}: confidential: {e}", column=f) from None
            continue
        if not isinstance(v, str):
            raise CampaignGraphError(f"Source {sid}: {f} is a {type(v).__name__}, not text", column=f)
        if f == "retrieved" and v.strip():
            try:
                v = parse_date(v)
            except ValueError as e:
                raise CampaignGraphError(f"Source {sid}: retrieved: {e}", column=f) from None
        values[f] = v
    return Source(**values)


def typed_props(allowed: Mapping[str, schema.Prop], props: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Server values as the schema's Python types (fast path when they already are)."""
    out: dict[str, Any] = {}
    for p, v in props.items():
        prop = allowed.get(p)
        if prop is None:
            raise CampaignGraphError(f"{where}: property {p!r} is not in the schema", column=p)
        if v is None:
            continue
        ok = _PY_TYPES[prop.type]
        if isinstance(v, float) and not math.isfinite(v):
            raise CampaignGraphError(f"{where}: {p}: not a finite number", column=p)
        if isinstance(v, ok) and not (prop.type in ("int", "float", "percent") and isinstance(v, bool)):
            if prop.type == "list":
                v = [str(x) for x in v]
                if not v:
                    continue
            out[p] = v
            continue
        try:
            c = coerce(prop, v)
        except ValueError as e:
            raise CampaignGraphError(f"{where}: {p}: {e}", column=p) from None
        if c is not None:
            out[p] = c
    return out

