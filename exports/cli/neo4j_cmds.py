"""Commands that talk to a Neo4j (or ArcadeDB Bolt) server: push, pull.

The password comes only from ``NEO4J_PASSWORD`` or an interactive prompt: never from the
command line (it would land in the shell history and the process list), never in a
message. Other command modules that want a ``--backend neo4j`` path use
:func:`neo4j_options` and :func:`store_from_options`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from exports.cli.common import echo_json, format_option, open_snapshot, output_option, progress
from graphmodel.errors import CampaignGraphError
from graphmodel.stores.neo4j import DEFAULT_BATCH_SIZE, DEFAULT_WRITERS, Neo4jStore, check_uri, safe_uri
from graphmodel.stores.snapshot import save_snapshot

if TYPE_CHECKING:
    from graphmodel.graph import CampaignGraph

PASSWORD_ENV = "NEO4J_PASSWORD"


def neo4j_options(uri_required: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add ``--uri``, ``--database`` and ``--user`` to a command (no password option, on purpose)."""

    def wrap(f: Callable[..., Any]) -> Callable[..., Any]:
        f = click.option("--user", default=lambda: os.environ.get("NEO4J_USER", "neo4j"), show_default="neo4j",
                         help="User name (or NEO4J_USER).")(f)
        f = click.option("--database", default=lambda: os.environ.get("NEO4J_DATABASE"),
                         help="Database name (or NEO4J_DATABASE; default: the server's default).")(f)
        f = click.option("--uri", required=uri_required, default=lambda: os.environ.get("NEO4J_URI"),
                         help="bolt://HOST:7687, neo4j://HOST:7687 or neo4j+s://xxxx.databases.neo4j.io "
                              "(or NEO4J_URI). The password is read from NEO4J_PASSWORD or prompted for.")(f)
        return f

    return wrap


def read_password() -> str:
    """``NEO4J_PASSWORD``, else a hidden prompt when stdin is a terminal, else a clear error."""
    pw = os.environ.get(PASSWORD_ENV)
    if pw is not None:
        return pw
    if sys.stdin.isatty():
        return click.prompt("Neo4j password", hide_input=True, err=True)
    raise CampaignGraphError(f"no password: set {PASSWORD_ENV} (the password is never taken from the command line)")


def store_from_options(uri: str, database: str | None, user: str, batch_size: int = DEFAULT_BATCH_SIZE,
                       writers: int = DEFAULT_WRITERS) -> Neo4jStore:
    """A connected :class:`Neo4jStore` for the CLI options (errors are one line)."""
    if not uri:
        raise CampaignGraphError("--uri is needed (or NEO4J_URI)")
    check_uri(uri)  # before the password prompt
    store = Neo4jStore(uri, user=user, password=read_password(), database=database, batch_size=batch_size,
                       writers=writers)
    store.connect()
    return store


@click.command()
@click.argument("snapshot", type=click.Path(path_type=Path))
@neo4j_options()
@click.option("--prune", is_flag=True, help="Delete what the server has and the snapshot no longer has.")
@click.option("--redact", is_flag=True,
              help="Push the redacted copy (no people, no sensitive fields) and first delete from the server "
                   "what an earlier full push left there: Person nodes, HOLDS_ROLE and other sensitive "
                   "relationships, relationships touching them, confidential sources, and every record the "
                   "snapshot has that its redacted copy lacks. Other records stay (use --prune for those).")
@click.option("--batch-size", type=click.IntRange(1, 100_000), default=DEFAULT_BATCH_SIZE, show_default=True,
              help="Rows per write transaction.")
@click.option("--writers", type=click.IntRange(1, 16), default=DEFAULT_WRITERS, show_default=True,
              help="Write transactions at once, each on its own connection; only batches on disjoint labels "
                   "and relationship types run together (1: one after the other).")
@click.option("--no-verify", is_flag=True, help="Skip reading the whole database back to compare content hashes (the read-back "
                   "takes longer than the push on a large graph; the count check still runs).")
@click.option("--skip-unchanged", is_flag=True,
              help="Read the server's rows first and write only those that differ (pays off where reads are "
                   "much cheaper than writes; on ArcadeDB it is about even).")
@format_option
def push(snapshot: Path, uri: str, database: str | None, user: str, prune: bool, redact: bool, batch_size: int,
         writers: int, no_verify: bool, skip_unchanged: bool, fmt: str) -> None:
    """Write SNAPSHOT to a Neo4j database (idempotent: pushing twice changes nothing).

    Creates a uniqueness constraint on `id` for every label first, then writes nodes and
    relationships in batches, each its own transaction (the driver retries transient
    failures), two at a time by default on disjoint labels. A final check compares the
    server's counts with the snapshot, and (unless --no-verify) the content is read
    back and compared.

    Example: NEO4J_PASSWORD=... campaign-graph push out/sample.snapshot --uri bolt://localhost:7687 --prune
    """
    graph = full = open_snapshot(str(snapshot))
    if redact:
        from exports.redact import redact as redact_graph

        graph = redact_graph(full)
    else:
        people = sum(1 for _ in graph.nodes("Person"))
        if people:
            click.echo(f"note: pushing {people} Person record(s) and other sensitive fields; "
                       "use --redact when the database's readers should not see them", err=True)
    removed: tuple[int, int, int] | None = None
    with store_from_options(uri, database, user, batch_size, writers) as store, progress("pushing") as update:
        if redact:  # before the write: a failed push must not leave the people there either
            removed = store.remove_sensitive(full, graph)
        report = store.write(graph, prune=prune, verify=not no_verify, progress=update,
                             skip_unchanged=skip_unchanged)
    if fmt == "json":
        out = report.as_dict()
        if removed is not None:
            out["removed_sensitive"] = dict(zip(("sources", "nodes", "edges"), removed))
        echo_json(out)
    else:
        if removed is not None:
            click.echo(f"removed sensitive records from the server: {removed[1]} nodes, {removed[2]} edges, "
                       f"{removed[0]} sources (people, their roles, confidential sources, what redaction drops)")
        where = f"{safe_uri(uri)}{' database ' + database if database else ''} ({report.server.kind})"
        click.echo(f"pushed {report.nodes} nodes, {report.edges} edges, {report.sources} sources to {where} "
                   f"in {report.batches} batches")
        if report.rows.get("unchanged"):
            click.echo(f"{report.rows['unchanged']} rows were on the server already, unchanged: not written again")
        if prune:
            click.echo(f"pruned {report.pruned_nodes} nodes, {report.pruned_edges} edges, "
                       f"{report.pruned_sources} sources no longer in the snapshot")
        if report.counts_match:
            click.echo("count check: the server's counts match the snapshot")
        for line in report.extra_on_server:
            click.echo(f"count check: {line} (push with --prune to remove them)")
        if report.hash_matches is True:
            click.echo(f"content check: the database equals the snapshot (hash {report.content_hash[:12]})")
        elif report.hash_matches is False and not report.extra_on_server:
            click.echo("content check: the database differs from the snapshot", err=True)
    if not report.counts_match:
        raise CampaignGraphError("count check failed: " + "; ".join(report.count_problems))


@click.command()
@neo4j_options()
@output_option("Snapshot folder to write.", stream=False, required=True)
@click.option("--strict", is_flag=True, help="Fail on the first bad record instead of reporting and skipping it.")
@click.option("--report", type=click.Path(path_type=Path), help="Write the pull report (JSON: every problem) here.")
def pull(uri: str, database: str | None, user: str, output: Path, strict: bool, report: Path | None) -> None:
    """Read a Neo4j database written by `push` (or by hand, same labels) into a snapshot folder.

    The server is read like any input, with the rules of `load`: a Source, node or
    relationship that breaks one (a type or value the schema does not allow, an unknown
    source id, an edge between the wrong kinds, an id with a control character, NaN) is
    reported with its label, id and property and skipped; the good records are kept.
    Exit code 1 with --strict and a bad record (then nothing is written).

    Example: NEO4J_PASSWORD=... campaign-graph pull --uri bolt://localhost:7687 -o out/from-neo4j.snapshot
    """
    from exports.cli.data_cmds import _print_errors

    problems: list[CampaignGraphError] | None = None if strict else []
    with store_from_options(uri, database, user) as store:
        graph = store.read(problems)
    manifest = save_snapshot(graph, output)
    click.echo(f"pulled {manifest['counts']['nodes']} nodes, {manifest['counts']['edges']} edges, "
               f"{manifest['counts']['sources']} sources into {output}")
    if problems:
        click.echo(f"{len(problems)} problem(s); {len(problems)} record(s) skipped:", err=True)
        _print_errors(problems)
    if report is not None:
        import json

        from graphmodel.atomic import atomic_write_text

        atomic_write_text(report, json.dumps({"records_skipped": len(problems or []),
                                              "errors": [e.as_dict() for e in problems or []]}, indent=2))


# ------------------------------------------------------------------ --backend for the query commands
BACKEND_KEY = "campaign_graph.backend"
_OWNER_KINDS = ("Company", "Investor", "Person")


def backend_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--backend memory|neo4j``, ``--uri``, ``--database`` and ``--user`` to a query command.

    The values go to the click context (the command's signature does not change); the
    command then calls :func:`open_graph` where it used to call ``open_snapshot``, and
    declares its SNAPSHOT argument ``required=False``.
    """

    keep = _keep

    opts = [
        click.option("--user", default=lambda: os.environ.get("NEO4J_USER", "neo4j"), show_default="neo4j",
                     expose_value=False, callback=keep, help="With --backend neo4j: user name (or NEO4J_USER)."),
        click.option("--database", default=lambda: os.environ.get("NEO4J_DATABASE"), expose_value=False,
                     callback=keep, help="With --backend neo4j: database name (or NEO4J_DATABASE)."),
        click.option("--uri", default=lambda: os.environ.get("NEO4J_URI"), expose_value=False, callback=keep,
                     help="With --backend neo4j: bolt://HOST:7687 (or NEO4J_URI); password from NEO4J_PASSWORD."),
        click.option("--backend", type=click.Choice(["memory", "neo4j"]), default="memory", show_default=True,
                     expose_value=False, callback=keep, is_eager=True,
                     help="memory: read SNAPSHOT; neo4j: ask the server (the query runs on the part it selects)."),
    ]
    for opt in opts:
        f = opt(f)
    return f


#: URI schemes the neo4j driver accepts: a SNAPSHOT argument starting with one is a server
BOLT_SCHEMES = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")


def is_bolt_uri(text: object) -> bool:
    """``True`` for ``bolt://...`` / ``neo4j://...`` (any TLS variant), not for a folder path.

    >>> is_bolt_uri("bolt://localhost:7687"), is_bolt_uri("out/sample.snapshot")
    (True, False)
    """
    return isinstance(text, str) and text.casefold().startswith(BOLT_SCHEMES)


class SnapshotOrUri(click.ParamType):
    """A snapshot folder (checked like ``click.Path``) or a Bolt URI (kept as a string)."""

    name = "SNAPSHOT|URI"

    def __init__(self, path: click.Path) -> None:
        self.path = path

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if is_bolt_uri(value):
            return str(value)
        return self.path.convert(value, param, ctx)


def _keep(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    ctx.meta.setdefault(BACKEND_KEY, {})[param.name] = value
    return value


def snapshot_or_uri(*, exists: bool = True, required: bool = True, options: bool = True,
                    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The SNAPSHOT argument of a query command, which may also be a Bolt URI, plus
    ``--database`` and ``--user`` for that case (the password: ``NEO4J_PASSWORD`` or a prompt).

    The one rule for every query command: ``campaign-graph group bolt://HOST:7687 "Acme"``
    asks the server where ``campaign-graph group SNAPSHOT "Acme"`` reads the folder. The
    command then calls :func:`open_graph` instead of ``open_snapshot``. ``options=False``
    when :func:`backend_options` adds ``--database`` and ``--user`` already.
    """

    def wrap(f: Callable[..., Any]) -> Callable[..., Any]:
        if f.__doc__:  # click builds the help from the docstring when the command is made, after this
            f.__doc__ = f.__doc__.rstrip() + (
                "\n\n    SNAPSHOT may also be a bolt:// or neo4j:// URI: the query then runs on that server"
                " (password from NEO4J_PASSWORD or a prompt).\n"
            )
        path = click.Path(exists=exists, file_okay=False, path_type=Path) if exists else click.Path(path_type=Path)
        if not options:
            return click.argument("snapshot", required=required, type=SnapshotOrUri(path))(f)
        f = click.option("--user", default=lambda: os.environ.get("NEO4J_USER", "neo4j"), show_default="neo4j",
                         expose_value=False, callback=_keep,
                         help="With a bolt:// SNAPSHOT: user name (or NEO4J_USER).")(f)
        f = click.option("--database", default=lambda: os.environ.get("NEO4J_DATABASE"), expose_value=False,
                         callback=_keep, help="With a bolt:// SNAPSHOT: database name (or NEO4J_DATABASE).")(f)
        return click.argument("snapshot", required=required, type=SnapshotOrUri(path))(f)

    return wrap


def resolve_owner_on_server(store: Neo4jStore, text: str) -> str:
    from queries import cypher

    last: CampaignGraphError | None = None
    for kind in _OWNER_KINDS:
        try:
            return cypher.resolve(store, text, kind)
        except CampaignGraphError as e:
            if not str(e).startswith("no "):
                raise  # ambiguous: the message lists the candidates
            last = e
    raise CampaignGraphError(f"no company, investor or person matches {text!r}") from last


def open_graph(snapshot: Path | str | None, *, query: str, subject: str | tuple[str, str] | None = None,
               path_args: dict[str, Any] | None = None, modules: tuple[str, ...] = ()) -> CampaignGraph:
    """The graph a query command works on: the snapshot, or the part of the server's graph it needs.

    ``snapshot`` is a folder or a ``bolt://`` / ``neo4j://`` URI (then ``--database`` and
    ``--user`` apply; ``coverage`` also takes ``--backend neo4j --uri URI``). ``query`` is
    ``group``, ``parent``, ``coverage``, ``calendar``, ``leverage``, ``solidarity`` or
    ``path``; ``subject`` the company (entity, union; for ``path`` the pair of ends) it is
    about (``None``: every site, which reads the whole graph); ``path_args`` the path's
    ``max_hops``, ``kinds`` and ``as_of`` (``parent``'s: ``as_of``, the day a site's operators
    are placed on). The server-side selection is the one :mod:`queries.cypher` uses, so the
    command's own query on it gives the in-memory answer (tested).
    ``modules``: what the query will import, imported while a snapshot is read (:func:`open_snapshot`).

    Example: ``graph = open_graph("bolt://localhost:7687", query="group", subject="Acme Steel")``
    """
    ctx = click.get_current_context(silent=True)
    opts = dict((ctx.meta.get(BACKEND_KEY, {}) if ctx is not None else {}) or {})
    if is_bolt_uri(snapshot):  # the one rule: SNAPSHOT may be a server
        opts["backend"], opts["uri"] = "neo4j", str(snapshot)
    if opts.get("backend", "memory") != "neo4j":
        if snapshot is None:
            raise CampaignGraphError("SNAPSHOT is needed: a snapshot folder or a bolt://HOST:7687 URI")
        return open_snapshot(str(snapshot), names=subject if isinstance(subject, tuple) else (subject or "",),
                             modules=modules)
    from queries import cypher

    with store_from_options(opts.get("uri") or "", opts.get("database"), opts.get("user") or "neo4j") as store:
        if query == "path":
            a, b = subject if isinstance(subject, tuple) else (subject, subject)
            return cypher.connections_subgraph(store, a, b, **(path_args or {}))
        if subject is None or query == "calendar":
            # calendar: the whole graph (always the in-memory answer; no narrower selection is tested yet)
            return store.read()
        if query == "parent":
            try:
                root = resolve_owner_on_server(store, subject)
            except CampaignGraphError as e:
                if not str(e).startswith("no "):
                    raise
                # a site, asked only when no owner has the name (as parent does on a snapshot):
                # its operators, the owners above them and the operators' groups
                try:
                    site = cypher.resolve(store, subject, "Site")
                except CampaignGraphError as site_error:
                    if not str(site_error).startswith("no "):
                        raise
                    raise CampaignGraphError(f"no company, investor, person or site matches {subject!r}") from None
                return cypher.site_subgraph(store, site, as_of=(path_args or {}).get("as_of"))
        elif query == "solidarity":
            root = cypher.resolve(store, subject, "Union")
        elif query == "leverage":
            root = cypher.resolve(store, subject, "Company")  # as queries.leverage resolves it
        else:
            root = resolve_owner_on_server(store, subject)
        if query == "group":
            return cypher.ownership_subgraph(store, root)
        if query == "parent":
            return cypher.ownership_subgraph(store, root, down=False)
        if query == "coverage":
            return cypher.coverage_subgraph(store, root)
        if query in ("leverage", "solidarity"):
            return cypher.component_subgraph(store, root)
        raise CampaignGraphError(f"no server-side selection for {query!r}")
