"""The workbench's research edits API (docs/web.md "Research edits"): record, list, undo, redo.

The edits live in an edits folder (:class:`exports.edits.EditsStore`); this module only turns
requests into the store's operations and keeps ``app.state.graph`` what the snapshot plus the
edits in force make: a new edit (or a redo) is applied to the served graph at once, as loading
the folder applies it (:func:`exports.edits.applied`: a new graph, still in columns, in which
only the nodes and edges the edit names changed); an undo makes it again from the snapshot's
graph and the edits left. A ``--redact`` server refuses edits (403): it is for a
projector. Errors are one line and never hold a source's title or a note.
"""

from __future__ import annotations

from typing import Any

from fastapi import Body, FastAPI, HTTPException
from fastapi.responses import JSONResponse

from exports.edits import EditConflict, EditsStore, UnknownEdit, applied, one_line
from exports.web.app import serialised
from graphmodel.graph import CampaignGraph

#: what a record of the log shows through the API (its rows and dependencies are the store's)
_SHOWN = ("id", "kind", "target", "label", "time", "user", "source", "body")
#: the edit's JSON body (any JSON: the store checks it and answers one line)
_BODY = Body(None, description="The edit: {\"kind\": \"set_property\" | \"add_node\" | \"add_edge\", ..., "
                               "\"source\": ...} (docs/web.md \"Research edits\").")


def _shown(entry: dict[str, Any], undone: bool) -> dict[str, Any]:
    return {**{k: entry.get(k) for k in _SHOWN}, "undone": undone}


def mount_edits(app: FastAPI) -> None:
    """Add ``/api/edits`` routes; apply the folder's edits in force to the served graph."""
    serial = serialised(app)
    folder = app.state.edits_folder
    store = EditsStore(folder) if folder is not None else None
    app.state.edits = store
    app.state.edit_problems = []

    base_tables: dict[str, Any] = {}

    def rebuilt() -> CampaignGraph:
        """The snapshot's graph with the edits in force (redacted when the server is)."""
        base: CampaignGraph = app.state.base_graph
        if store is None or not store.has_edits():
            graph = base
        else:
            if not base_tables:  # the snapshot's tables, made once
                from graphmodel.stores.snapshot import graph_tables

                base_tables.update(graph_tables(base))
            graph, ctx = store.applied(base, base_tables)
            # rows the graph refuses (a node the snapshot no longer has) are listed by GET /api/edits
            app.state.edit_problems = [one_line(e) for e in ctx.errors]
        if app.state.redacted:
            from exports.redact import redact

            graph = redact(graph)
        return graph

    if store is not None:
        store.heal()  # tables that a cut-short write left behind the log are remade first
        if store.has_edits():
            app.state.graph = rebuilt()

    def refusal() -> tuple[int, str] | None:
        if app.state.redacted:
            return 403, "refused: this server shows the redacted graph (--redact, for a projector); it records no edits"
        if store is None and getattr(app.state, "source", None) is not None:
            return 409, ("research edits are off over a Neo4j server: they are kept beside a snapshot folder "
                         "(serve SNAPSHOT)")
        if store is None:
            return 409, "research edits are off: serve with --edits DIR"
        return None

    def usable() -> EditsStore:
        refused = refusal()
        if refused is not None:
            raise HTTPException(*refused)
        assert store is not None
        return store

    def apply(entry: dict[str, Any]) -> None:
        """Apply a new or redone edit's rows to the served graph (a new graph: the snapshot's stays as it is)."""
        graph, ctx = applied(app.state.graph, entry["rows"], store.folder)  # type: ignore[union-attr]
        if ctx.errors:  # checked on a scratch graph before it was recorded: not expected; take it back
            store.undo(entry["id"])  # type: ignore[union-attr]
            app.state.graph = rebuilt()
            raise HTTPException(422, one_line(ctx.errors[0]))
        app.state.graph = graph

    @app.get("/api/edits", summary="Whether edits can be recorded here; the research edits recorded in the edits "
                                   "folder, oldest first, and which redo would put back.")
    @serial
    def list_edits() -> dict[str, Any]:
        refused = refusal()
        if refused is not None:  # the page asks this first: an answer, not an error, and no edit is shown
            return {"enabled": False, "reason": refused[1], "edits": [], "redo": None}
        edits = usable().edits()
        nxt = [e["id"] for e in edits if e.pop("redo_next")]
        return {"enabled": True, "reason": None, "edits": edits, "redo": nxt[0] if nxt else None,
                "problems": list(app.state.edit_problems)}

    @app.get("/api/edits/sources", summary="The sources an edit can cite (id, title, publisher, confidential).")
    @serial
    def edit_sources() -> dict[str, Any]:
        usable()
        graph = app.state.graph
        rows = [{"id": s.id, "title": s.title or s.id, "publisher": s.publisher, "confidential": s.confidential}
                for s in graph.sources.values()]
        return {"sources": sorted(rows, key=lambda r: (r["title"].casefold(), r["id"]))}

    @app.post("/api/edits", status_code=201, summary="Record a research edit (set_property, add_node, add_edge) "
                                                     "with its source; the answers change at once.")
    @serial
    def add_edit(body: Any = _BODY) -> JSONResponse:
        s = usable()
        try:
            entry = s.record(app.state.graph, body)  # an EditError is a 422 (the app's handler)
        except EditConflict as e:
            raise HTTPException(409, one_line(e)) from None
        apply(entry)
        return JSONResponse(_shown(entry, False), status_code=201)

    @app.post("/api/edits/redo", summary="Put back the research edit undone last.")
    @serial
    def redo_edit() -> dict[str, Any]:
        s = usable()
        try:
            entry = s.redo()
        except EditConflict as e:
            raise HTTPException(409, one_line(e)) from None
        apply(entry)
        return {"redone": _shown(entry, False)}

    @app.delete("/api/edits/{edit_id}", summary="Undo a research edit (the graph is rebuilt without it).")
    @serial
    def undo_edit(edit_id: str) -> dict[str, Any]:
        s = usable()
        try:
            entry = s.undo(edit_id)
        except UnknownEdit as e:
            raise HTTPException(404, one_line(e)) from None
        except EditConflict as e:
            raise HTTPException(409, one_line(e)) from None
        app.state.graph = rebuilt()
        return {"undone": _shown(entry, True)}
