"""Snapshot folders: a whole graph as Parquet tables plus a manifest.

Layout of a snapshot folder::

    manifest.json              format, schema version, counts, sources, file hashes
    nodes-<hash>.parquet       one row per node: id, kind, name, one typed column per property
    edges-<hash>.parquet       one row per edge: id, source, target, kind, properties
    sources-<hash>.parquet     one row per Source record
    names-<hash>.parquet       the name index find() searches (graphmodel.nameindex), made at save

The manifest also holds the validation summary made at save (``validation``), which
``info`` shows. A snapshot without a names file (older format) still loads: find() then
builds its index in memory as it always did. See docs/snapshot.md.

Data files are named by their content, and ``manifest.json`` is replaced last, atomically:
whatever happens midway (an exception, kill -9), the folder holds either the old complete
snapshot or the new one. Old data files are removed only after the new manifest is in place.
Rows are sorted by id and columns by the schema, so the same graph gives the same bytes
and the same content hash. No pickle anywhere.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock, Timeout

from graphmodel import schema
from graphmodel.atomic import atomic_write_bytes, atomic_write_text, sha256_file
from graphmodel.columnar import (
    Columnar,
    edge_rows_table,
    fill_props,
    node_rows_table,
    shared_strings,
    table_from_columns,
)
from graphmodel.errors import CampaignGraphError
from graphmodel.gcpause import paused_gc
from graphmodel.graph import CampaignGraph
from graphmodel.nameindex import StoredNameIndex, names_table
from graphmodel.records import SOURCE_FIELDS, Source
from graphmodel.tablecheck import END_ROWS, check_layout, check_names, check_tables, end_rows, kind_codes

FORMAT = "campaign-graph-snapshot"
#: whether loading keeps the tables (columnar mode, networkx built on first use) by default
COLUMNAR = True
MANIFEST = "manifest.json"
#: the writers' lock file inside a snapshot folder (readers ignore it)
LOCK_NAME = ".campaign-graph.lock"
#: seconds a second writer waits for the first before refusing
LOCK_TIMEOUT = 120.0
#: times a reader re-reads the manifest when a listed file vanished under it
READ_ATTEMPTS = 3

def _parquet_bytes(table: pa.Table) -> bytes:
    buf = io.BytesIO()
    rows = [c for c in END_ROWS if c in table.column_names]
    # node rows are integers that mostly rise with the edge id: delta encoding packs them tight
    pq.write_table(table, buf, compression="zstd", write_statistics=False,
                   use_dictionary=[c for c in table.column_names if c not in rows] if rows else True,
                   column_encoding=dict.fromkeys(rows, "DELTA_BINARY_PACKED") or None)
    return buf.getvalue()


def _edges_file(edges: pa.Table, ends: tuple[Any, Any]) -> pa.Table:
    """The edges table as the snapshot's file holds it: each end as its row in the nodes
    file (:data:`graphmodel.tablecheck.END_ROWS`), not as the node's id."""
    out = edges
    for end, column, rows in zip(("source", "target"), END_ROWS, ends):
        out = out.set_column(out.column_names.index(end), column, pa.array(rows, type=pa.int32()))
    return out


def _edges_in_memory(edges: pa.Table, nodes: pa.Table, ends: tuple[Any, Any]) -> pa.Table:
    """The edges table with ``source`` / ``target`` ids again (a file written before node rows is unchanged)."""
    if END_ROWS[0] not in edges.column_names:
        return edges
    ids = nodes.column("id")
    out = edges
    for end, column, rows in zip(("source", "target"), END_ROWS, ends):
        i = out.column_names.index(column)
        out = out.set_column(i, end, ids.take(pa.array(rows)))
    return out


def graph_tables(graph: CampaignGraph) -> dict[str, pa.Table]:
    """The graph as three Arrow tables (``nodes``, ``edges``, ``sources``), sorted by id."""
    if graph.is_columnar:
        # the loaded tables themselves, in the same layout (no dict round trip)
        nodes_t, edges_t = graph._col.sorted_tables()  # type: ignore[union-attr]
        return {"nodes": nodes_t, "edges": edges_t, "sources": _sources_table(graph)}
    # the adjacency dicts directly: networkx's edge views cost more than the rest of the save
    G = graph.nx
    nodes = sorted(G._node.items(), key=itemgetter(0))
    edges = sorted(
        ((u, v, k, a) for u, nbrs in G._succ.items() for v, keyed in nbrs.items() for k, a in keyed.items()),
        key=itemgetter(2),
    )
    return {"nodes": node_rows_table(nodes), "edges": edge_rows_table(edges), "sources": _sources_table(graph)}


def _sources_table(graph: CampaignGraph) -> pa.Table:
    scols: dict[str, list[Any]] = {f: [] for f in SOURCE_FIELDS}
    for sid in sorted(graph.sources):
        d = graph.sources[sid].as_dict()
        for f in SOURCE_FIELDS:
            scols[f].append(d[f])
    stypes = {f: pa.string() for f in SOURCE_FIELDS}
    stypes["confidential"] = pa.bool_()
    return table_from_columns(scols, stypes)


def save_snapshot(
    graph: CampaignGraph, path: str | os.PathLike[str], *, created: str | None = None, public: CampaignGraph | None = None,
    settings: Mapping[str, Any] | None = None,
) -> dict:
    """Write ``graph`` to the snapshot folder ``path`` (created if needed); return the manifest.

    ``settings`` (JSON values) go to the manifest's ``settings``, outside the content hash:
    choices of the user that queries read, e.g. ``{"us": [ids]}``, the user's own
    organisation(s) that leverage never scores (see :func:`read_settings`).

    With ``public`` (a redacted copy of ``graph``, see ``exports.redact.redact``) the snapshot
    is *split*: the data files and the manifest hold only ``public``, and what ``graph`` has
    beyond it goes to one ``sensitive-<hash>.parquet`` file (see
    :mod:`graphmodel.stores.sensitive`). Loading with that file gives ``graph``; share the
    folder without it and the recipient loads ``public``.

    Examples
    --------
    >>> import tempfile
    >>> g = CampaignGraph()
    >>> m = save_snapshot(g, tempfile.mkdtemp() + "/snap")
    >>> m["counts"]["nodes"]
    0
    """
    with paused_gc():
        return _save_snapshot(graph, Path(path), created, public, dict(settings or {}))


def _kind_counts(col: pa.ChunkedArray) -> dict[str, int]:
    """``{kind: rows}`` of a ``kind`` column, sorted by kind (what ``counts_by_kind`` gives)."""
    import numpy as np

    names, codes = kind_codes(col)
    return dict(sorted(zip(names, np.bincount(codes, minlength=len(names)).tolist())))


def _write_data_file(folder: Path, name: str, data: bytes, rows: int, written: list[str]) -> dict[str, Any]:
    """Write ``data`` as ``<name>-<hash>.parquet`` (unless that very file is there); its manifest entry."""
    digest = hashlib.sha256(data).hexdigest()
    fname = f"{name}-{digest[:16]}.parquet"
    target = folder / fname
    if not (target.exists() and sha256_file(target) == digest):
        atomic_write_bytes(target, data)
        written.append(fname)
    return {"path": fname, "sha256": digest, "bytes": len(data), "rows": rows}


def _previous_files(folder: Path) -> set[str] | None:
    """The data files the snapshot in ``folder`` lists (empty for a new or empty folder).

    ``None`` when the folder holds anything that is not a snapshot of ours: the save refuses
    it rather than mix its files with another program's (or delete them).
    """
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        return None
    if not folder.exists():
        return set()
    present = {p.name for p in folder.iterdir()} - {LOCK_NAME}
    if not present:
        return set()
    if MANIFEST not in present:
        return None
    try:
        manifest = read_manifest(folder)
    except CampaignGraphError:
        return None
    entries = [e for e in (manifest.get("files") or {}).values()] + [manifest.get("sensitive")]
    return {Path(e["path"]).name for e in entries if isinstance(e, dict) and isinstance(e.get("path"), str)}


def _refuse_target(folder: Path) -> CampaignGraphError:
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        return CampaignGraphError("exists and is not a folder: choose a new folder for the snapshot", file=str(folder))
    return CampaignGraphError(
        "folder is not empty and holds no snapshot: choose a new or empty folder (nothing was written)",
        file=str(folder),
    )


def _save_snapshot(graph: CampaignGraph, folder: Path, created: str | None, public: CampaignGraph | None,
                   settings: dict[str, Any] | None = None) -> dict:
    # checked before anything is created, so a refused folder is left exactly as it was
    if _previous_files(folder) is None:
        raise _refuse_target(folder)
    folder.mkdir(parents=True, exist_ok=True)
    # one writer at a time (a second waits, then refuses); readers need no lock (see _load_snapshot)
    lock = FileLock(folder / LOCK_NAME, timeout=LOCK_TIMEOUT)
    try:
        lock.acquire()
    except Timeout:
        raise CampaignGraphError(
            f"another campaign-graph is writing this snapshot (waited {LOCK_TIMEOUT:.0f} s); try again when it is done",
            file=str(folder),
        ) from None
    try:
        previous = _previous_files(folder)  # again, under the lock: another writer may have just finished
        if previous is None:
            raise _refuse_target(folder)
        return _save_locked(graph, folder, created, public, previous, settings)
    finally:
        lock.release()


def _save_locked(
    graph: CampaignGraph, folder: Path, created: str | None, public: CampaignGraph | None, previous: set[str],
    settings: dict[str, Any] | None = None,
) -> dict:
    shown = public if public is not None else graph
    tables = graph_tables(shown)
    # work done once here rather than by every command: the validation summary ``info`` shows
    # and the name index of the graph that may be shared (never the sensitive names). One step
    # after the other, each handing its freed memory back (Arrow's allocator keeps freed
    # pages): the save's peak is the graph, its sorted tables and one step's work
    release = pa.default_memory_pool().release_unused
    release()
    validation, ends = _validation_summary(shown, tables)
    release()
    tables["names"] = names_table(tables["nodes"])
    release()
    files_tables = dict(tables, edges=_edges_file(tables["edges"], ends or end_rows(tables["nodes"], tables["edges"])))
    encoded = {name: _parquet_bytes(table) for name, table in files_tables.items()}
    written: list[str] = []  # data files this save added: a failed save removes them again
    try:
        files = {}
        for name, table in tables.items():
            files[name] = _write_data_file(folder, name, encoded.pop(name), table.num_rows, written)
        sensitive: dict[str, Any] | None = None
        if public is not None:
            from graphmodel.stores.sensitive import sensitive_statements

            stmts = sensitive_statements(graph, public)
            sensitive = _write_data_file(folder, "sensitive", _parquet_bytes(stmts), stmts.num_rows, written)
        manifest = _write_manifest(folder, created, shown, tables, files, sensitive, settings, validation)
    except BaseException:
        for name in written:
            if name not in previous:
                (folder / name).unlink(missing_ok=True)
        raise
    # only the files the replaced snapshot listed go: nothing else in the folder is ours
    keep = {f["path"] for f in files.values()} | ({sensitive["path"]} if sensitive else set())
    for name in previous - keep:
        old = folder / name
        if old.is_file() and not old.is_symlink():
            old.unlink()
    return manifest


def _write_manifest(
    folder: Path, created: str | None, graph: CampaignGraph, tables: dict[str, pa.Table],
    files: dict[str, Any], sensitive: dict[str, Any] | None, settings: dict[str, Any] | None = None,
    validation: dict[str, Any] | None = None,
) -> dict:
    """Write ``manifest.json`` (last, atomically) for ``graph``, the graph that may be shared."""
    content_hash = hashlib.sha256(
        "".join(files[n]["sha256"] for n in ("nodes", "edges", "sources")).encode()
        + (sensitive["sha256"].encode() if sensitive else b"")
    ).hexdigest()
    # counted from the tables just written (same numbers as graph.counts_by_kind(), without
    # a second walk over networkx's edge views, which cost as much as building the tables)
    counts = {"nodes": _kind_counts(tables["nodes"].column("kind")), "edges": _kind_counts(tables["edges"].column("kind"))}
    manifest = {
        "format": FORMAT,
        "schema_version": schema.SCHEMA_VERSION,
        "created": created or datetime.now(UTC).replace(microsecond=0).isoformat(),
        "content_hash": content_hash,
        "counts": {
            "nodes": tables["nodes"].num_rows,
            "edges": tables["edges"].num_rows,
            "sources": len(graph.sources),
            "by_kind": counts,
        },
        "sources": [
            {k: v for k, v in graph.sources[s].as_dict().items() if k in ("id", "title", "publisher", "licence")}
            for s in sorted(graph.sources)
        ],
        "files": files,
    }
    if validation is not None:
        manifest["validation"] = validation
    if sensitive is not None:
        manifest["sensitive"] = sensitive
    if settings:
        manifest["settings"] = settings
    atomic_write_text(folder / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return manifest


def _validation_summary(graph: CampaignGraph, tables: dict[str, pa.Table]) -> tuple[dict[str, Any], Any]:
    """What ``graph.validate()`` finds, as the manifest keeps it: the number of problems, how
    many are about nodes and about edges, and each problem (as ``info`` shows them).

    The tables about to be written are first checked column by column (the check every
    open runs, :func:`graphmodel.tablecheck.check_tables`, about a second for a million
    edges); only when that refuses them is the slow per-value ``graph.validate()`` run, to
    list every problem. (One difference: an impossible calendar date such as 2024-02-30
    passes the column check; the add methods refuse it, so only a graph edited through
    ``.nx`` can hold one.)
    """
    ends = None  # each edge's ends as node rows, when the check found them
    try:
        ends = check_tables(tables["nodes"], tables["edges"], tables["sources"])
        errors: list[CampaignGraphError] = []
        checked = "tablecheck"
    except CampaignGraphError:
        errors = graph.validate()
        checked = "validate"
    on = {"node": 0, "edge": 0}
    for e in errors:
        what = e.message.split(" ", 1)[0]
        if what in on:
            on[what] += 1
    return {"problems": len(errors), "nodes": on["node"], "edges": on["edge"], "checked_by": checked,
            "errors": [e.as_dict() for e in errors]}, ends


def validation_summary(path: str | os.PathLike[str], manifest: dict | None = None) -> list[CampaignGraphError] | None:
    """The problems ``graph.validate()`` found when the snapshot was saved, from its manifest
    (``None`` for a snapshot saved before the manifest kept them). ``manifest``: already read."""
    manifest = manifest if manifest is not None else read_manifest(path)
    summary = manifest.get("validation")
    if not isinstance(summary, dict) or not isinstance(summary.get("errors"), list):
        return None
    keys = ("message", "file", "sheet", "row", "column")
    out = []
    for row in summary["errors"]:
        if not isinstance(row, dict) or not isinstance(row.get("message"), str):
            raise CampaignGraphError("manifest.json: validation.errors must be objects with a message",
                                     file=str(Path(path) / MANIFEST))
        out.append(CampaignGraphError(row["message"], **{k: row.get(k) for k in keys[1:]}))
    return out


def read_manifest(path: str | os.PathLike[str]) -> dict:
    """Read and check a snapshot's manifest (format and schema version)."""
    folder = Path(path)
    mpath = folder / MANIFEST
    if not folder.exists():
        raise CampaignGraphError("snapshot folder does not exist", file=str(folder))
    if not mpath.is_file():
        raise CampaignGraphError("not a snapshot folder: no manifest.json", file=str(folder))
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise CampaignGraphError(f"manifest.json is not valid JSON ({e.__class__.__name__})", file=str(mpath)) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise CampaignGraphError("manifest.json is not a campaign-graph snapshot manifest", file=str(mpath))
    version = manifest.get("schema_version")
    if not isinstance(version, int) or version > schema.SCHEMA_VERSION:
        raise CampaignGraphError(
            f"snapshot schema version {version} is newer than this tool's ({schema.SCHEMA_VERSION}): "
            "upgrade campaign-graph",
            file=str(mpath),
        )
    return manifest


def read_settings(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The snapshot's ``settings`` (``{}`` when none): ``us``, a list of node ids, is the
    user's own organisation(s), written by ``campaign-graph load --us``."""
    manifest = read_manifest(path)
    settings = manifest.get("settings") or {}
    if not isinstance(settings, dict) or not isinstance(settings.get("us", []), list):
        raise CampaignGraphError("manifest.json: settings must be an object, settings.us a list of ids",
                                 file=str(Path(path) / MANIFEST))
    return settings


def _file_bytes(folder: Path, manifest: dict, name: str, verify: bool) -> tuple[bytes, Path, dict]:
    """The bytes of the manifest's file ``name`` (hash-checked when ``verify``), its path and entry."""
    entry = manifest.get("files", {}).get(name)
    if not isinstance(entry, dict) or "path" not in entry:
        raise CampaignGraphError(f"manifest.json lists no {name} file", file=str(folder / MANIFEST))
    fpath = folder / Path(entry["path"]).name
    try:
        data = fpath.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        raise _Vanished(f"{name} file is missing", file=str(fpath)) from None
    if verify and hashlib.sha256(data).hexdigest() != entry.get("sha256"):
        raise CampaignGraphError(
            f"{name} file does not match the hash in manifest.json: it was corrupted or edited", file=str(fpath)
        )
    return data, fpath, entry


def _parquet_error(name: str, fpath: Path, e: Exception) -> CampaignGraphError:
    return CampaignGraphError(f"{name} file is not readable Parquet ({e.__class__.__name__})", file=str(fpath))


def _rows_error(name: str, fpath: Path, rows: int, entry: dict) -> CampaignGraphError:
    return CampaignGraphError(f"{name} file has {rows} rows, the manifest says {entry.get('rows')}", file=str(fpath))


def _read_table(folder: Path, manifest: dict, name: str, verify: bool) -> pa.Table:
    data, fpath, entry = _file_bytes(folder, manifest, name, verify)
    try:
        # ParquetFile, not pq.read_table: the latter imports pyarrow.dataset and pandas (0.3 s per command)
        table = pq.ParquetFile(io.BytesIO(data)).read()
    except (pa.ArrowException, OSError) as e:
        raise _parquet_error(name, fpath, e) from None
    if table.num_rows != entry.get("rows"):
        raise _rows_error(name, fpath, table.num_rows, entry)
    return table


def _read_kinds(folder: Path, manifest: dict, name: str) -> tuple[pa.Schema, pa.ChunkedArray]:
    """The hash-checked file ``name``'s full schema and its ``kind`` column (the only one decoded)."""
    data, fpath, entry = _file_bytes(folder, manifest, name, True)
    try:
        pfile = pq.ParquetFile(io.BytesIO(data))
        full = pfile.schema_arrow
        # a missing kind column is reported by check_layout, by name
        kinds = pfile.read(columns=["kind"]).column("kind") if "kind" in full.names else pa.chunked_array([], pa.string())
        rows = pfile.metadata.num_rows
    except (pa.ArrowException, OSError) as e:
        raise _parquet_error(name, fpath, e) from None
    if rows != entry.get("rows"):
        raise _rows_error(name, fpath, rows, entry)
    return full, kinds


def _lead_columns(table: pa.Table, lead: list[str]) -> list[list[Any]]:
    out = []
    for c in lead:
        col = table.column(c)
        if pa.types.is_dictionary(col.type):
            col = col.cast(pa.string())
        out.append(col.to_pylist())
    return out


def _endpoints(col: pa.ChunkedArray, ids: list[str], id_col: pa.ChunkedArray) -> list[str] | None:
    """Edge endpoints as the very ``str`` objects of the node ids (``None`` if one is unknown).

    Sharing the node's id object instead of a fresh string per edge end saves two strings
    per edge in the loaded graph (about 190 MB at 1.3M edges).
    """
    import pyarrow.compute as pc

    if pa.types.is_dictionary(col.type):
        col = col.cast(pa.string())
    idx = pc.index_in(col, value_set=id_col.combine_chunks())
    if idx.null_count:
        return None
    return [ids[i] for i in idx.to_pylist()]


def load_snapshot(path: str | os.PathLike[str], *, verify: bool = True, columnar: bool = COLUMNAR) -> CampaignGraph:
    """Load a snapshot folder written by :func:`save_snapshot`.

    Checks the format, the schema version and (``verify=True``) every file's sha256
    against the manifest, and refuses a corrupted or edited snapshot with a message that
    names the file. The tables are then checked against the schema column by column
    (:func:`graphmodel.tablecheck.check_tables`: types, kinds, vocabularies, ranges, edge
    ends), which refuses a snapshot edited with its hashes recomputed; no per-row Python pass.

    With ``columnar`` (the default) the graph keeps the loaded tables and builds its
    networkx graph only when ``graph.nx`` is first used or the graph is changed (see
    :attr:`CampaignGraph.nx`); every read method gives the same answers in the same order.

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp() + "/snap"
    >>> g = CampaignGraph(); _ = save_snapshot(g, d)
    >>> load_snapshot(d) == g
    True
    """
    with paused_gc():
        return _load_snapshot(Path(path), verify, columnar)


def _load_snapshot(folder: Path, verify: bool, columnar: bool = False) -> CampaignGraph:
    # A writer replaces manifest.json atomically, then removes the old data files. A reader
    # that read the old manifest just before may find a file gone: it reads the new manifest
    # and tries again (a missing file that stays missing is reported as such).
    for attempt in range(READ_ATTEMPTS):
        try:
            return _load_once(folder, verify, columnar)
        except _Vanished:
            if attempt == READ_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


class _Vanished(CampaignGraphError):
    """A data file the manifest lists is missing (perhaps replaced by a writer meanwhile)."""


def check_snapshot(path: str | os.PathLike[str]) -> tuple[dict, dict[str, Source], dict[str, Any]]:
    """What ``info`` needs, without reading the data columns: the manifest, the sources and
    the counts (``nodes``, ``edges``, ``by_kind`` as :meth:`CampaignGraph.counts_by_kind`,
    counted from the ``kind`` columns). Each file is hash-checked; the tables' columns and
    types, their kinds and the sources table are checked as :func:`load_snapshot` checks them
    (:func:`graphmodel.tablecheck.check_layout`); the values are checked when the snapshot is
    opened for a query. Well under a second for a million edges. (A split snapshot's
    sensitive file is not read.)

    >>> import tempfile
    >>> d = tempfile.mkdtemp() + "/snap"
    >>> _ = save_snapshot(CampaignGraph(), d)
    >>> check_snapshot(d)[2]
    {'nodes': 0, 'edges': 0, 'by_kind': {'nodes': {}, 'edges': {}}}
    """
    folder = Path(path)
    for attempt in range(READ_ATTEMPTS):
        try:
            manifest = read_manifest(folder)
            nschema, nkinds = _read_kinds(folder, manifest, "nodes")
            eschema, ekinds = _read_kinds(folder, manifest, "edges")
            stable = _read_table(folder, manifest, "sources", True)
            files = {name: str(folder / Path(manifest["files"][name]["path"]).name)
                     for name in ("nodes", "edges", "sources")}
            check_layout(nschema, eschema, nkinds, ekinds, stable, files=files)
            if isinstance(manifest.get("files", {}).get("names"), dict):
                names = _read_table(folder, manifest, "names", True)
                check_names(names, len(nkinds), file=str(folder / Path(manifest["files"]["names"]["path"]).name))
            counts = {"nodes": len(nkinds), "edges": len(ekinds),
                      "by_kind": {"nodes": _kind_counts(nkinds), "edges": _kind_counts(ekinds)}}
            return manifest, _sources_of(stable), counts
        except _Vanished:
            if attempt == READ_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _sources_of(stable: pa.Table) -> dict[str, Source]:
    sources = {}
    for row in stable.to_pylist():
        sources[row["id"]] = Source(**{f: (row.get(f) if row.get(f) is not None else "") for f in SOURCE_FIELDS})
    return sources


def _read_checked(folder: Path, verify: bool) -> tuple[dict, pa.Table, pa.Table, Any, dict[str, Source], pa.Table | None]:
    """The manifest, the nodes and edges tables, the edge ends, the sources and the name index
    (``None`` for an older snapshot), each file hash-checked and each table schema-checked."""
    manifest = read_manifest(folder)
    ntable = _read_table(folder, manifest, "nodes", verify)
    etable = _read_table(folder, manifest, "edges", verify)
    stable = _read_table(folder, manifest, "sources", verify)
    # the hashes prove the files are the manifest's, not that this tool wrote them
    ends = check_tables(ntable, etable, stable, files={
        name: str(folder / Path(manifest["files"][name]["path"]).name) for name in ("nodes", "edges", "sources")
    })
    etable = _edges_in_memory(etable, ntable, ends)
    names = None
    if isinstance(manifest.get("files", {}).get("names"), dict):  # older snapshots have none: find() builds it
        names = _read_table(folder, manifest, "names", verify)
        check_names(names, ntable.num_rows, file=str(folder / Path(manifest["files"]["names"]["path"]).name))
    return manifest, ntable, etable, ends, _sources_of(stable), names


def _load_once(folder: Path, verify: bool, columnar: bool) -> CampaignGraph:
    manifest, ntable, etable, ends, sources, names = _read_checked(folder, verify)
    sensitive = None
    public_only = False
    entry = manifest.get("sensitive")
    if isinstance(entry, dict) and "path" in entry:
        if (folder / Path(entry["path"]).name).is_file():
            stmts = _read_table(folder, {"files": {"sensitive": entry}}, "sensitive", verify)
            sensitive = (stmts, str(folder / Path(entry["path"]).name))
        else:
            public_only = True  # a shared copy: the sensitive file stayed with its owner
    graph = _graph_from_tables(ntable, etable, sources, where=str(folder), sensitive=sensitive, columnar=columnar,
                               ends=ends)
    if names is not None and sensitive is None:  # the stored index holds the public names only
        ids = graph._col.ids if graph.is_columnar else _lead_columns(ntable, ["id"])[0]  # type: ignore[union-attr]
        graph._index = StoredNameIndex(names, ids)
    if public_only:
        graph.meta["redacted"] = True  # what exports.redact marks: exports label it redacted
    return graph


def graph_from_tables(
    nodes: pa.Table, edges: pa.Table, sources: Mapping[str, Source], *, where: str = "", columnar: bool = COLUMNAR,
    ends: tuple[Any, Any] | None = None,
) -> CampaignGraph:
    """A graph from trusted, typed tables in the snapshot's column layout.

    ``nodes`` has ``id, kind, name`` and one column per schema property (types as written by
    :func:`graph_tables`); ``edges`` has ``id, source, target, kind`` and properties. The rows
    are not re-validated (callers validate them first, as the table loaders do); the columns
    must fit the schema and every edge end must be a node, or a :class:`CampaignGraphError`
    naming ``where`` is raised. ``ends``: each edge's source and target as rows of ``nodes``,
    when the caller has them (a columnar graph then need not look them up).

    >>> g = CampaignGraph(); _ = g.add_node("a", "Company", "Acme")
    >>> t = graph_tables(g)
    >>> graph_from_tables(t["nodes"], t["edges"], {}) == g
    True
    """
    with paused_gc():
        return _graph_from_tables(nodes, edges, dict(sources), where=where, sensitive=None, columnar=columnar,
                                  ends=ends)


def _graph_from_tables(
    ntable: pa.Table,
    etable: pa.Table,
    sources: dict[str, Source],
    *,
    where: str,
    sensitive: tuple[pa.Table, str] | None,
    columnar: bool = False,
    ends: tuple[Any, Any] | None = None,
) -> CampaignGraph:
    node_props, edge_props = schema.all_node_props(), schema.all_edge_props()
    for table, known, lead, what in (
        (ntable, node_props, ["id", "kind", "name"], "nodes"),
        (etable, edge_props, ["id", "source", "target", "kind"], "edges"),
    ):
        missing = [c for c in lead if c not in table.column_names]
        extra = [c for c in table.column_names if c not in lead and c not in known]
        if missing or extra:
            raise CampaignGraphError(
                f"{what} table does not fit this tool's schema (missing {missing}, unknown {extra})",
                file=where or None,
            )

    graph = CampaignGraph()
    graph.sources.update(sources)
    if columnar and sensitive is None:
        graph._set_columnar(Columnar(ntable, etable, where=where, ends=ends))
        return graph

    (ids, names), kinds = _lead_columns(ntable, ["id", "name"]), shared_strings(ntable.column("kind"))
    nattrs: list[dict[str, Any]] = [
        {"kind": k, "name": nm} if nm is not None else {"kind": k} for k, nm in zip(kinds, names)
    ]
    fill_props(nattrs, ntable, ["id", "kind", "name"])
    nodes = list(zip(ids, nattrs))

    (eids,), ekinds = _lead_columns(etable, ["id"]), shared_strings(etable.column("kind"))
    id_col = ntable.column("id")
    us = _endpoints(etable.column("source"), ids, id_col)
    vs = _endpoints(etable.column("target"), ids, id_col)
    ends_checked = us is not None and vs is not None
    if not ends_checked:
        # the slow path, only to name the offending edge in the error below
        _, us, vs = _lead_columns(etable, ["id", "source", "target"])
    eattrs: list[dict[str, Any]] = [{"kind": k} for k in ekinds]
    del ekinds
    fill_props(eattrs, etable, ["id", "source", "target", "kind"])
    edges = list(zip(us, vs, eids, eattrs))
    # the Arrow tables and column lists are not needed any more: free them before the build
    del us, vs, eids, eattrs, id_col, ntable, etable, table
    if sensitive is not None:
        from graphmodel.stores.sensitive import apply_statements

        nodes, edges = apply_statements(sensitive[0], nodes, edges, graph.sources, sensitive[1])
        _check_full_rows(nodes, edges, graph.sources, sensitive[1])
        ids = [n for n, _ in nodes]
        ends_checked = False  # the statements may add edges
    node_set = set() if ends_checked else set(ids)
    for u, v, k, _ in [] if ends_checked else edges:
        if u not in node_set or v not in node_set:
            raise CampaignGraphError(f"edge {k!r} points to a node that is not in the snapshot", file=where or None)
    graph.bulk_add(nodes, edges)
    return graph


def _check_full_rows(nodes: list[tuple[str, dict[str, Any]]], edges: list[tuple[str, str, str, dict[str, Any]]],
                     sources: Mapping[str, Source], where: str) -> None:
    """The graph the sensitive file completes, checked like the public tables (the file's
    values are JSON: a recomputed hash lets anything through)."""
    try:
        ntable, etable = node_rows_table(nodes), edge_rows_table(edges)
        scols: dict[str, list[Any]] = {f: [] for f in SOURCE_FIELDS}
        for sid in sorted(sources):
            d = sources[sid].as_dict()
            for f in SOURCE_FIELDS:
                scols[f].append(d[f])
        stable = table_from_columns(scols, {f: pa.bool_() if f == "confidential" else pa.string() for f in SOURCE_FIELDS})
    except (pa.ArrowException, TypeError, ValueError, OverflowError, CampaignGraphError):
        raise CampaignGraphError("sensitive file: a value does not fit the schema (type or property)",
                                 file=where) from None
    check_tables(ntable, etable, stable, files={"nodes": where, "edges": where, "sources": where})


class SnapshotStore:
    """A snapshot folder as a :class:`~graphmodel.stores.base.GraphStore`."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def write(self, graph: CampaignGraph) -> dict:
        return save_snapshot(graph, self.path)

    def read(self) -> CampaignGraph:
        return load_snapshot(self.path)


def patched(base: CampaignGraph, tables: Mapping[str, pa.Table], node_ids: Iterable[str], edge_ids: Iterable[str],
            change: Callable[[CampaignGraph], Any]) -> CampaignGraph:
    """``base`` after ``change`` to a few of its nodes and edges, held in columns (a new graph).

    ``tables`` are ``base``'s :func:`graph_tables` (made once by the caller). The nodes
    ``node_ids`` and edges ``edge_ids`` that ``base`` has (and the edges' ends) are copied into
    a small ordinary graph with all of ``base``'s sources; ``change(small)`` adds and merges
    there through the graph's own methods (its rules, its merge policies); the small graph's
    rows then replace those rows of ``tables`` and new ones are added, and the result is read
    back in columns. So a change to a large loaded graph keeps it columnar (its CSR adjacency,
    the fast read paths of the queries) instead of building its networkx graph, and gives the
    same graph as making the change on a copy of ``base`` (tests/web/test_edits_store.py).
    The change may add nodes and edges and change them; it must not remove any.

    >>> g = CampaignGraph(); _ = g.add_node("a", "Company", "A", country="DE"); _ = g.add_node("b", "Company", "B")
    >>> h = patched(g, graph_tables(g), ["a"], [], lambda s: s.add_node("a", "Company", country="FR", merge="replace"))
    >>> h.is_columnar, h.node("a")["country"], g.node("a")["country"], h.node("b")["name"]
    (True, 'FR', 'DE', 'B')
    """
    from graphmodel.columnar import EDGE_LEAD, NODE_LEAD, _sorted_by_id, normalised_table

    def attrs(a: Mapping[str, Any]) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, list) else v for k, v in a.items()}

    small = CampaignGraph()
    small.sources = dict(base.sources)
    nodes = {n for n in node_ids if base.has_node(n)}
    edges = []
    for e in dict.fromkeys(edge_ids):
        if base.has_edge(e):
            u, v, a = base.edge(e)
            nodes.update((u, v))
            edges.append((e, u, v, a))
    G = small.nx
    for n in sorted(nodes):
        G.add_node(n, **attrs(base.node(n)))
    for e, u, v, a in edges:
        G.add_edge(u, v, key=e, **attrs(a))
        small._edge_ends[e] = (u, v)
    change(small)
    made = graph_tables(small)

    def spliced(old: pa.Table, new: pa.Table, lead: tuple[str, ...], props: Mapping[str, schema.Prop]) -> pa.Table:
        # ``old`` is sorted by id and ``new`` holds a few rows: each new row replaces the old row of
        # its id or goes in at its place, found by bisection (the stdlib's, by code point as Arrow
        # sorts UTF-8), instead of hashing and sorting a million ids again
        keep, new = (t.set_column(t.column_names.index("kind"), "kind", t.column("kind").cast(pa.string()))
                     for t in (old, _sorted_by_id(new)))
        ids = keep.column("id").combine_chunks()
        pieces, start = [], 0
        for i, nid in enumerate(new.column("id").to_pylist()):
            lo = bisect_left(ids, nid, start, key=lambda x: x.as_py())
            pieces += [keep.slice(start, lo - start), new.slice(i, 1)]
            start = lo + 1 if lo < len(ids) and ids[lo].as_py() == nid else lo
        pieces.append(keep.slice(start))
        return normalised_table(pa.concat_tables(pieces, promote_options="default"), lead, props)

    with paused_gc():
        # an untouched edges table is kept as it is (sorting a million ids is most of the cost)
        etable = (spliced(tables["edges"], made["edges"], EDGE_LEAD, schema.all_edge_props())
                  if made["edges"].num_rows else tables["edges"])
        out = graph_from_tables(spliced(tables["nodes"], made["nodes"], NODE_LEAD, schema.all_node_props()), etable,
                                small.sources, where="edits", columnar=True)
    out.meta.update(base.meta)
    return out
