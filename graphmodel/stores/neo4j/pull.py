"""Pulling: the server read like any input, every record through the checks of ``load``."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from graphmodel import schema
from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.records import SOURCE_FIELDS, Source, edge_id
from graphmodel.stores.neo4j.queries import SOURCE_LABEL, _label, _rel_type
from graphmodel.values import coerce

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


class _Puller:
    """The pull part of :class:`~graphmodel.stores.neo4j.Neo4jStore`."""

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
