"""Research edits: what a researcher records in the workbench, kept in an edits folder.

An edits folder (default: beside the snapshot, ``<snapshot>.edits/``) holds the edits in the
generic tables format (``nodes.csv``, ``edges.csv``, ``sources.csv``: the rows of the edits
in force, in the order they were applied) and ``log.jsonl``, the operations: one JSON line
per edit recorded (its id, time, local user name, kind, target, the body as recorded and the
rows it makes), undone or redone. The tables are remade from the log on every operation, so
nothing lives only in the app, and ``campaign-graph load SOURCES... FOLDER`` gives the graph
the workbench shows (the folder's rows replace the values they restate: :mod:`loaders.edits`).

Kinds of edit (the body is JSON, as ``POST /api/edits`` takes it; docs/web.md "Research edits"):

- ``set_property``: ``target`` (a node id), ``property``, ``value``, optional ``date``
  (sets ``<property>_date``: ``union_status_date``, ``cba_status_date``): a site's union or
  CBA status, a note (``notes``), any property of the node's kind;
- ``add_node``: ``node_kind``, ``name``, optional ``id`` and ``properties``, and ``edges``
  joining it to nodes that exist (``{"kind", "from" | "to", "properties"}``, the other end the
  new node): a missing company or site, a new union at a site, a CBA and the sites it covers;
- ``add_edge``: ``edge_kind``, ``from``, ``to``, optional ``id`` (an existing edge's id
  restates that edge) and ``properties``: a union at a site (REPRESENTS with recognised,
  members, bargaining_unit), an agreement's coverage or exclusion (COVERS, ``excluded``).

Every edit needs ``source``: an existing source id, or a new source ``{"title", "publisher",
"retrieved" (or "date"), "url", "confidential"}`` (kept in ``sources.csv`` under the id
``research-<edit id>``); each value the edit sets is pinned to it. An edit is checked by
the graph's own rules on a scratch graph before anything is written, and refused with one
line (no value of a sensitive property, no source title in it). Undo takes an edit out (not
one that a later edit in force builds on); redo puts the last undone edit back; a new edit
clears redo. Writes are atomic (:mod:`graphmodel.atomic`) under a file lock; the folder's
other files are never touched, and a folder with tables but no ``log.jsonl`` is refused.
"""

from __future__ import annotations

import csv
import getpass
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graphmodel import provenance, schema
from graphmodel.atomic import atomic_write_text
from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.records import SOURCE_FIELDS, edge_id
from graphmodel.values import coerce, parse_bool, parse_date
from loaders.context import LoadContext
from loaders.edits import LOG, apply_context
from loaders.readers import Table
from loaders.tables import EDGE_LEAD, NODE_LEAD, load_tables

#: the kinds of edit
KINDS = ("set_property", "add_node", "add_edge")
#: the tables of the folder, in the order the loader reads them
TABLES = ("sources", "nodes", "edges")
#: the lock file (the only other file the store makes)
LOCK = ".lock"
#: how long an operation waits for another process's lock
LOCK_SECONDS = 10.0
#: properties an edit never sets: provenance, and the loaders' own markers
_NOT_SETTABLE = frozenset({"kind", "id", "sources", "origins", provenance.VALUE_SOURCES})
#: the lead columns of each table the store writes
_LEAD = {"nodes": [*NODE_LEAD, "origins"], "edges": [*EDGE_LEAD, "origins"], "sources": list(SOURCE_FIELDS)}
#: the fields of a new source in an edit's body
_SOURCE_KEYS = frozenset({"title", "publisher", "url", "retrieved", "date", "licence", "confidential"})


class EditError(CampaignGraphError):
    """An edit refused (bad body, unknown node, a value the schema refuses): one line, 422."""


class EditConflict(CampaignGraphError):
    """An operation that cannot be done now (undo an edit undone, nothing to redo): 409."""


class UnknownEdit(CampaignGraphError):
    """No edit with that id: 404."""


def default_folder(snapshot: str | Path) -> Path:
    """The edits folder beside a snapshot: ``<snapshot>.edits``.

    >>> default_folder("out/sample.snapshot/").as_posix()
    'out/sample.snapshot.edits'
    """
    return Path(str(snapshot).rstrip("/\\") + ".edits")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        return "unknown"


def _cell(prop: schema.Prop | None, value: Any) -> str:
    from exports.formats.base import cell_text

    return cell_text(prop, value)


def _csv_text(header: list[str], rows: Iterable[Mapping[str, str]]) -> str:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, dialect="excel")
    w.writerow(header)
    for row in rows:
        w.writerow([row.get(c, "") for c in header])
    return buf.getvalue()


def _columns(name: str, rows: Iterable[Mapping[str, str]]) -> list[str]:
    lead = _LEAD[name]
    extra = sorted({c for r in rows for c in r} - set(lead))
    return lead + extra


def memory_tables(folder: Path, rows: Mapping[str, list[dict[str, str]]]) -> dict[str, Table]:
    """The rows as the loader's :class:`~loaders.readers.Table` objects, as if read from the folder's files."""
    out = {}
    for name in TABLES:
        rs = rows.get(name) or []
        out[name] = Table(str(folder / f"{name}.csv"), None, _columns(name, rs),
                          [(i + 2, dict(r)) for i, r in enumerate(rs)])
    return out


def one_line(e: CampaignGraphError) -> str:
    text = " ".join(e.message.split())
    return f"{e.column}: {text}" if e.column and not text.startswith(f"{e.column}:") else text


def applied(graph: CampaignGraph, rows: Mapping[str, list[dict[str, str]]], folder: Path = Path("edits"),
            tables: Mapping[str, Any] | None = None) -> tuple[CampaignGraph, LoadContext]:
    """``graph`` with edits' rows applied, as loading the folder applies them
    (:func:`loaders.edits.apply_context`: the values they give replace those they restate), as
    a new graph held in columns (:func:`graphmodel.stores.snapshot.patched`: only the nodes
    and edges the rows name are touched, so a large snapshot's graph is not rebuilt in
    networkx). ``tables``: ``graph``'s :func:`~graphmodel.stores.snapshot.graph_tables` when
    the caller keeps them. The context holds any problem (the rows the graph refused)."""
    from graphmodel.stores.snapshot import graph_tables, patched

    ctx = LoadContext()
    load_tables(memory_tables(folder, rows), ctx)
    nodes = [rec.id for rec, _l, _c in ctx.nodes]
    nodes += [end for rec, _l, _c in ctx.edges for end in (rec.source, rec.target)]
    edges = [rec.id for rec, _l, _c in ctx.edges if rec.id]  # the store names every edge it writes
    out = patched(graph, tables if tables is not None else graph_tables(graph), nodes, edges,
                  lambda small: apply_context(small, ctx))
    return out, ctx


@dataclass
class State:
    """The edits as the log leaves them: every record by id, those in force in the order they
    were applied, and the undone ones redo would put back (last first)."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    active: list[str] = field(default_factory=list)
    redo: list[str] = field(default_factory=list)
    log: list[dict[str, Any]] = field(default_factory=list)

    def next_id(self) -> str:
        n = max((int(i[1:]) for i in self.records if i[1:].isdigit()), default=0)
        return f"e{n + 1}"

    def rows(self) -> dict[str, list[dict[str, str]]]:
        """The rows of the edits in force, table by table, in the order they were applied."""
        out: dict[str, list[dict[str, str]]] = {name: [] for name in TABLES}
        for i in self.active:
            for name in TABLES:
                out[name].extend(self.records[i]["rows"].get(name) or [])
        return out


class EditsStore:
    """One edits folder (module docstring)."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        if self.folder.exists() and not self.folder.is_dir():
            raise CampaignGraphError("the edits folder is a file, not a folder", file=str(self.folder))
        if self.folder.is_dir() and not (self.folder / LOG).is_file() \
                and any((self.folder / f"{t}.csv").exists() for t in TABLES):
            raise CampaignGraphError(f"not an edits folder (tables but no {LOG}): refusing to write into it; "
                                     "give another --edits folder", file=str(self.folder))

    # ---------------------------------------------------------------- reading
    def state(self) -> State:
        """The edits as the log says (an empty state when there is no log yet)."""
        st = State()
        path = self.folder / LOG
        if not path.is_file():
            return st
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                op, eid = entry["op"], entry["id"]
            except (ValueError, KeyError, TypeError):
                raise CampaignGraphError("not an operation of the edits log", file=str(path), row=lineno) from None
            st.log.append(entry)
            if op == "record":
                st.records[eid] = entry
                st.active.append(eid)
                st.redo.clear()
            elif op == "undo" and eid in st.active:
                st.active.remove(eid)
                st.redo.append(eid)
            elif op == "redo" and eid in st.redo:
                st.redo.remove(eid)
                st.active.append(eid)
            else:
                raise CampaignGraphError(f"operation {op!r} of edit {eid!r} does not follow from the lines before",
                                         file=str(path), row=lineno)
        return st

    def has_edits(self) -> bool:
        """Whether any edit is in force."""
        return bool(self.state().active)

    def edits(self) -> list[dict[str, Any]]:
        """Every edit recorded, oldest first, with ``undone`` (and, for the next redo, ``redo_next``)."""
        st = self.state()
        nxt = st.redo[-1] if st.redo else None
        out = []
        for eid, rec in st.records.items():
            out.append({"id": eid, "time": rec["time"], "user": rec["user"], "kind": rec["kind"],
                        "target": rec["target"], "label": rec.get("label", ""), "body": rec["body"],
                        "undone": eid not in st.active, "redo_next": eid == nxt})
        return out

    def applied(self, graph: CampaignGraph, tables: Mapping[str, Any] | None = None) -> tuple[CampaignGraph, LoadContext]:
        """``graph`` with the edits in force applied (a new graph), as loading the folder applies them."""
        return applied(graph, self.state().rows(), self.folder, tables)

    # ---------------------------------------------------------------- writing
    def _lock(self) -> Any:
        from filelock import FileLock

        return FileLock(str(self.folder / LOCK), timeout=LOCK_SECONDS)

    def _locked(self) -> Any:
        from filelock import Timeout

        if not self.folder.is_dir():
            try:
                self.folder.mkdir()
            except OSError as e:
                raise CampaignGraphError(f"cannot make the edits folder: {e.strerror}", file=str(self.folder)) from None
        lock = self._lock()
        try:
            lock.acquire()
        except Timeout:
            raise EditConflict("the edits folder is locked by another process; try again",
                               file=str(self.folder)) from None
        return lock

    def _write(self, st: State, entry: dict[str, Any]) -> None:
        """Append ``entry`` to the log and remake the tables (each file replaced atomically;
        the log last, so a crash before it leaves tables that its next operation remakes)."""
        st.log.append(entry)
        rows = st.rows()
        for name in TABLES:
            atomic_write_text(self.folder / f"{name}.csv", _csv_text(_columns(name, rows[name]), rows[name]))
        text = "".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in st.log)
        atomic_write_text(self.folder / LOG, text)

    def heal(self) -> bool:
        """Remake the tables from the log when they differ (a write cut short between the tables
        and the log); True when it did. Nothing is done without a log."""
        if not (self.folder / LOG).is_file():
            return False
        lock = self._locked()
        try:
            rows = self.state().rows()
            texts = {name: _csv_text(_columns(name, rows[name]), rows[name]) for name in TABLES}
            stale = [n for n, t in texts.items()
                     if not (self.folder / f"{n}.csv").is_file()
                     or (self.folder / f"{n}.csv").read_bytes() != t.encode("utf-8")]
            for name in stale:
                atomic_write_text(self.folder / f"{name}.csv", texts[name])
            return bool(stale)
        finally:
            lock.release()

    def record(self, graph: CampaignGraph, body: Any) -> dict[str, Any]:
        """Check ``body`` against ``graph`` (the graph the edit applies to), record it, and
        return the log entry (its ``rows``: to apply to ``graph``, :func:`applied`)."""
        lock = self._locked()
        try:
            st = self.state()
            eid = st.next_id()
            entry = prepare(graph, body, eid, self.folder)
            entry.update({"op": "record", "time": _now(), "user": _user()})
            st.records[eid] = entry
            st.active.append(eid)
            st.redo.clear()
            self._write(st, entry)
        finally:
            lock.release()
        return entry

    def undo(self, edit_id: str) -> dict[str, Any]:
        """Take edit ``edit_id`` out; return its record."""
        lock = self._locked()
        try:
            st = self.state()
            if edit_id not in st.records:
                raise UnknownEdit(f"no edit with id {edit_id!r}")
            if edit_id not in st.active:
                raise EditConflict(f"edit {edit_id} is undone already")
            made = st.records[edit_id].get("makes", {})
            for other in st.active:
                needs = st.records[other].get("needs", {})
                if other != edit_id and any(set(needs.get(k, ())) & set(made.get(k, ())) for k in ("nodes", "sources")):
                    raise EditConflict(f"edit {other} builds on edit {edit_id} (a node or source it made): "
                                       f"undo {other} first")
            st.active.remove(edit_id)
            st.redo.append(edit_id)
            self._write(st, {"op": "undo", "id": edit_id, "time": _now(), "user": _user()})
            return st.records[edit_id]
        finally:
            lock.release()

    def redo(self) -> dict[str, Any]:
        """Put back the edit undone last (after the edits in force); return its record."""
        lock = self._locked()
        try:
            st = self.state()
            if not st.redo:
                raise EditConflict("nothing to redo")
            edit_id = st.redo.pop()
            st.active.append(edit_id)
            self._write(st, {"op": "redo", "id": edit_id, "time": _now(), "user": _user()})
            return st.records[edit_id]
        finally:
            lock.release()


# -------------------------------------------------------------------- checking a body
def _text(body: Mapping[str, Any], key: str, *, required: bool = True) -> str | None:
    v = body.get(key)
    if v is None or (isinstance(v, str) and not v.strip()):
        if required:
            raise EditError(f"{key!r} is needed")
        return None
    if not isinstance(v, str):
        raise EditError(f"{key!r} must be text")
    return v.strip()


def _typed(props: Mapping[str, schema.Prop], what: str, name: Any, value: Any) -> tuple[schema.Prop, Any]:
    """The schema property ``name`` of ``what`` and ``value`` parsed for it (EditError when either is wrong;
    the message never holds the value)."""
    if not isinstance(name, str) or name not in props or name in _NOT_SETTABLE or name.endswith("_inferred"):
        known = ", ".join(p for p in props if p not in _NOT_SETTABLE and not p.endswith("_inferred"))
        raise EditError(f"a {what} has no property {name!r} an edit can set (it has: {known})")
    prop = props[name]
    if isinstance(value, (dict,)) or (isinstance(value, list) and prop.type != "list"):
        raise EditError(f"{name}: not a {prop.type} value")
    try:
        typed = coerce(prop, value)
    except (ValueError, TypeError, OverflowError) as e:
        raise EditError(f"{name}: {' '.join(str(e).split())}") from None
    if typed is None:
        raise EditError(f"{name}: a value is needed (an edit cannot set a value to unknown)")
    return prop, typed


def _props(props: Mapping[str, schema.Prop], what: str, given: Any) -> dict[str, str]:
    if given is None:
        return {}
    if not isinstance(given, Mapping):
        raise EditError("'properties' must be an object of property: value")
    out = {}
    for name, value in given.items():
        prop, typed = _typed(props, what, name, value)
        out[name] = _cell(prop, typed)
    return out


def _source(graph: CampaignGraph, body: Mapping[str, Any], eid: str) -> tuple[str, dict[str, str] | None]:
    """The edit's source id, and the row of a new source (None for an existing one)."""
    given = body.get("source")
    if given is None or given == "" or given == {}:
        raise EditError("an edit needs a source: give \"source\" as an existing source id, or a new source "
                        "{\"title\", \"publisher\", \"retrieved\", \"confidential\"}")
    if isinstance(given, str):
        if given.strip() not in graph.sources:
            raise EditError(f"no source with id {given.strip()!r} (give a new source as an object instead)")
        return given.strip(), None
    if not isinstance(given, Mapping):
        raise EditError("\"source\" must be a source id or an object {\"title\", \"publisher\", ...}")
    unknown = sorted(set(given) - _SOURCE_KEYS)
    if unknown:
        raise EditError(f"source: unknown field(s) {', '.join(map(repr, unknown))} "
                        f"(known: {', '.join(sorted(_SOURCE_KEYS))})")
    title = _text(given, "title", required=False)
    if title is None:
        raise EditError("source: a new source needs a title")
    row = {"id": f"research-{eid}", "title": title, "loaded": _now()[:10]}
    for key in ("publisher", "url", "licence"):
        v = _text(given, key, required=False)
        if v:
            row[key] = v
    day = given.get("retrieved") or given.get("date")
    if day:
        try:
            row["retrieved"] = parse_date(day)
        except (ValueError, TypeError) as e:
            raise EditError(f"source: retrieved: {' '.join(str(e).split())}") from None
    conf = given.get("confidential")
    if conf not in (None, ""):
        try:
            row["confidential"] = "true" if (conf if isinstance(conf, bool) else parse_bool(conf)) else "false"
        except (ValueError, TypeError):
            raise EditError("source: confidential must be true or false") from None
    return row["id"], {k: _cell(None, v) for k, v in row.items()}


def _node_kind(graph: CampaignGraph, node_id: Any, role: str) -> str:
    if not isinstance(node_id, str) or not node_id.strip():
        raise EditError(f"{role!r} is needed: a node id")
    if not graph.has_node(node_id):
        raise EditError(f"{role}: no node with id {node_id!r}")
    return graph.kind_of(node_id)


def _edge_row(graph: CampaignGraph, kind_text: Any, u: str, v: str, given_id: Any, properties: Any,
              new: Mapping[str, str] | None = None) -> dict[str, str]:
    """The row of an edge ``u -> v`` (``new``: a node being added, id -> kind)."""
    kind = schema.canonical_edge_kind(kind_text) if isinstance(kind_text, str) else None
    if kind is None:
        raise EditError(f"unknown edge kind {kind_text!r} (known: {', '.join(schema.EDGE_KINDS)})")
    new = new or {}
    ends = tuple(new[n] if n in new else graph.kind_of(n) for n in (u, v))
    if ends not in schema.EDGE_KINDS[kind].endpoints:
        allowed = ", ".join(f"{a}->{b}" for a, b in schema.EDGE_KINDS[kind].endpoints)
        raise EditError(f"{kind} cannot run from a {ends[0]} to a {ends[1]} (allowed: {allowed})")
    if u == v:
        raise EditError(f"{kind} edge from {u!r} to itself is not allowed")
    cells = _props(schema.edge_props(kind), f"{kind} edge", properties)
    if given_id is not None:
        if not isinstance(given_id, str) or not given_id.strip():
            raise EditError("'id' must be an edge id")
        eid = given_id.strip()
        if graph.has_edge(eid):
            gu, gv, attrs = graph.edge(eid)
            if (gu, gv, attrs["kind"]) != (u, v, kind):
                raise EditError(f"edge {eid!r} is a {attrs['kind']} from {gu!r} to {gv!r}, not this one")
    else:
        vf = coerce(schema.edge_props(kind)["valid_from"], cells["valid_from"]) if "valid_from" in cells else None
        eid = edge_id(kind, u, v, vf)
    return {"id": eid, "source": u, "target": v, "kind": kind, **cells}


def _new_id(graph: CampaignGraph, name: str) -> str:
    base = LoadContext.make_id(name)
    nid, n = base, 1
    while graph.has_node(nid):
        n += 1
        nid = f"{base}-{n}"
    return nid


def prepare(graph: CampaignGraph, body: Any, eid: str, folder: Path = Path("edits")) -> dict[str, Any]:
    """The log record of edit ``eid`` made from ``body`` (module docstring), checked against
    ``graph``: ``kind``, ``target``, ``label``, the ``body`` as recorded (ids made, the source
    by id), its ``rows`` (cell texts, table by table), and which nodes and sources it
    ``needs`` and ``makes``. Raises :class:`EditError` (one line) when the graph would refuse it.
    """
    if not isinstance(body, Mapping):
        raise EditError("the body must be a JSON object with \"kind\" (" + ", ".join(KINDS) + ")")
    kind = body.get("kind")
    if kind not in KINDS:
        raise EditError(f"unknown kind of edit {kind!r} (known: {', '.join(KINDS)})")
    sid, source_row = _source(graph, body, eid)
    nodes: list[dict[str, str]] = []
    edges: list[dict[str, str]] = []
    needs: set[str] = set()
    makes: list[str] = []
    recorded: dict[str, Any] = {"kind": kind}
    if kind == "set_property":
        target = _text(body, "target")
        nkind = _node_kind(graph, target, "target")
        props = schema.node_props(nkind)
        name = body.get("property")
        prop, typed = _typed(props, nkind, name, body.get("value"))
        row = {"id": target, "kind": nkind, name: _cell(prop, typed)}
        recorded.update({"target": target, "property": name, "value": _plain(typed)})
        if body.get("date") not in (None, ""):
            dated = f"{name}_date"
            if dated not in props:
                raise EditError(f"{name} takes no date (a {nkind} has no property {dated!r})")
            dprop, day = _typed(props, nkind, dated, body["date"])
            row[dated] = _cell(dprop, day)
            recorded["date"] = day
        nodes.append(row)
        needs.add(target)  # type: ignore[arg-type]
        label = f"{name} of {graph.name_of(target)}"  # type: ignore[arg-type]
        target_id = target
    elif kind == "add_node":
        nkind = schema.canonical_node_kind(body.get("node_kind")) if isinstance(body.get("node_kind"), str) else None
        if nkind is None:
            raise EditError(f"unknown node kind {body.get('node_kind')!r} (known: {', '.join(schema.NODE_KINDS)})")
        name = _text(body, "name")
        given_id = _text(body, "id", required=False)
        if given_id is not None and graph.has_node(given_id):
            raise EditError(f"a node with id {given_id!r} exists already (set_property changes it)")
        nid = given_id or _new_id(graph, name)  # type: ignore[arg-type]
        cells = _props(schema.node_props(nkind), nkind, body.get("properties"))
        nodes.append({"id": nid, "kind": nkind, "name": _cell(schema.COMMON_NODE_PROPS["name"], name), **cells})
        makes.append(nid)
        links = body.get("edges") or []
        if not isinstance(links, list):
            raise EditError("'edges' must be a list of {\"kind\", \"from\" or \"to\", \"properties\"}")
        recorded_edges = []
        for link in links:
            if not isinstance(link, Mapping) or (link.get("from") is None) == (link.get("to") is None):
                raise EditError("each of 'edges' needs \"kind\" and one of \"from\" or \"to\" (the other end is "
                                "the new node)")
            other = link.get("from") if link.get("from") is not None else link.get("to")
            _node_kind(graph, other, "from" if link.get("from") is not None else "to")
            u, v = (other, nid) if link.get("from") is not None else (nid, other)
            edges.append(_edge_row(graph, link.get("kind"), u, v, None, link.get("properties"), new={nid: nkind}))
            needs.add(other)
            recorded_edges.append({k: link[k] for k in ("kind", "from", "to", "properties") if link.get(k) is not None})
        recorded.update({"node_kind": nkind, "id": nid, "name": name,
                         "properties": dict(body.get("properties") or {}), "edges": recorded_edges})
        label = f"{nkind} {name}"
        target_id = nid
    else:
        u, v = body.get("from"), body.get("to")
        _node_kind(graph, u, "from")
        _node_kind(graph, v, "to")
        row = _edge_row(graph, body.get("edge_kind"), u, v, body.get("id"), body.get("properties"))  # type: ignore[arg-type]
        edges.append(row)
        needs.update((u, v))  # type: ignore[arg-type]
        recorded.update({"edge_kind": row["kind"], "from": u, "to": v, "id": row["id"],
                         "properties": dict(body.get("properties") or {})})
        label = f"{graph.name_of(u)} {row['kind']} {graph.name_of(v)}"  # type: ignore[arg-type]
        target_id = row["id"]
    origin = f"edits:{eid}"
    for r in (*nodes, *edges):
        r["sources"] = sid
        r["origins"] = origin
    rows = {"sources": [source_row] if source_row else [], "nodes": nodes, "edges": edges}
    recorded["source"] = sid
    if source_row:
        recorded["new_source"] = {k: v for k, v in source_row.items() if k not in ("id", "loaded")}
    _check(graph, rows, folder)
    return {"id": eid, "kind": kind, "target": target_id, "label": label, "body": recorded, "source": sid,
            "rows": rows, "needs": {"nodes": sorted(needs - set(makes)), "sources": [] if source_row else [sid]},
            "makes": {"nodes": makes, "sources": [sid] if source_row else []}}


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, (str, int, float, bool, list)) else str(value)


def _check(graph: CampaignGraph, rows: Mapping[str, list[dict[str, str]]], folder: Path) -> None:
    """Read ``rows`` as the loader reads the folder and add them to a scratch graph holding the
    nodes, edges and sources they name (by kind only): the graph's own rules decide, and a
    refusal is an :class:`EditError` before anything is written."""
    ctx = LoadContext(load_date=_now()[:10])
    load_tables(memory_tables(folder, rows), ctx)
    if ctx.errors:
        raise EditError(one_line(ctx.errors[0]))
    if ctx.warnings:
        raise EditError(ctx.warnings[0].split(": ", 1)[-1])
    scratch = CampaignGraph()
    for rec, _loc, _cols in ctx.nodes:
        for s in rec.sources:
            if s in graph.sources:
                scratch.add_source(graph.sources[s])
    for s in ctx.sources:
        scratch.add_source(s)
    named = {rec.id for rec, _l, _c in ctx.nodes} | {e for rec, _l, _c in ctx.edges for e in (rec.source, rec.target)}
    for n in sorted(named):
        if graph.has_node(n):
            scratch.add_node(n, graph.kind_of(n))
    for rec, _l, _c in ctx.edges:
        for s in rec.sources:
            if s in graph.sources and s not in scratch.sources:
                scratch.add_source(graph.sources[s])
    apply_context(scratch, ctx)
    if ctx.errors:
        raise EditError(one_line(ctx.errors[0]))
