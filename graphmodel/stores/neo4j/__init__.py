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

The package, by concern: :mod:`.connect` (driver, URIs, server kind), :mod:`.queries` (labels,
types, query text), :mod:`.plan` (the batches of a push), :mod:`.wire` (joined string columns),
:mod:`.push` (transactions, writers, prune, count check), :mod:`.pull` (read back, checked).
"""

from __future__ import annotations

from graphmodel.stores.neo4j.connect import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_WRITERS,
    URI_SCHEMES,
    ServerInfo,
    _Connection,
    check_uri,
    detect_server,
    safe_uri,
)
from graphmodel.stores.neo4j.plan import Batch, _Planner
from graphmodel.stores.neo4j.pull import (
    _Puller,
    add_checked_edges,
    add_checked_nodes,
    source_from_server,
    typed_props,
)
from graphmodel.stores.neo4j.push import ProgressFn, PushReport, _Pusher
from graphmodel.stores.neo4j.push import _ranges as _ranges  # used by tests
from graphmodel.stores.neo4j.queries import SOURCE_LABEL
from graphmodel.stores.neo4j.wire import _SEP as _SEP  # used by tests
from graphmodel.stores.neo4j.wire import _wire as _wire  # used by tests


class Neo4jStore(_Pusher, _Planner, _Puller, _Connection):
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


__all__ = [
    "DEFAULT_BATCH_SIZE", "DEFAULT_WRITERS", "SOURCE_LABEL", "URI_SCHEMES", "Batch", "Neo4jStore", "ProgressFn",
    "PushReport", "ServerInfo", "add_checked_edges", "add_checked_nodes", "check_uri", "detect_server", "safe_uri",
    "source_from_server", "typed_props",
]
