"""The sensitive part of a split snapshot: what the full graph holds beyond its public copy.

A split snapshot (``save_snapshot(graph, folder, public=redacted_copy)``) keeps the public
copy in the usual data files and everything else in one ``sensitive-<hash>.parquet`` file of
statements, one row per fact (after FollowTheMoney's statements): ``element`` (``node``,
``edge`` or ``source``), ``id``, ``property`` and ``value`` (JSON, so every property type
comes back exactly). Share the folder without that file and the recipient loads the public
copy; keep it and :func:`~graphmodel.stores.snapshot.load_snapshot` gives back the full graph.

This module knows nothing about *what* is sensitive: the caller decides by passing the
public copy (``exports.redact.redact`` makes it), and the statements are the difference.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pyarrow as pa

from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.records import SOURCE_FIELDS, Source

COLUMNS = ("element", "id", "property", "value")

#: the property of a statement saying "the public copy's element of this id is not in the full
#: graph" (a pseudonym: redaction renames what is derived from a file name or a person)
PUBLIC_ONLY = "~public-only"


def _dump(value: Any) -> str:
    # ensure_ascii keeps any text exact (astral characters as escapes); floats use repr
    return json.dumps(value, ensure_ascii=True, allow_nan=False)


def _diff(full: Mapping[str, Any], public: Mapping[str, Any] | None) -> list[tuple[str, Any]]:
    if public is None:
        return sorted(full.items())
    return sorted((p, v) for p, v in full.items() if p not in public or public[p] != v)


def sensitive_statements(full: CampaignGraph, public: CampaignGraph) -> pa.Table:
    """The statements that turn ``public`` back into ``full`` (sorted, so the bytes are stable).

    ``public`` must be a reduced copy of ``full`` (what redaction gives): nodes, edges and
    sources it holds are in ``full``, with no property ``full`` lacks, except those it renamed
    (pseudonyms): those get a :data:`PUBLIC_ONLY` statement, so loading drops them again.

    >>> g = CampaignGraph(); _ = g.add_node("u1", "Union", "Acme Workers", email="x@example.org")
    >>> p = CampaignGraph(); _ = p.add_node("u1", "Union", "Acme Workers")
    >>> sensitive_statements(g, p).to_pylist()
    [{'element': 'node', 'id': 'u1', 'property': 'email', 'value': '"x@example.org"'}]
    """
    rows: list[tuple[str, str, str, str]] = []
    for sid in sorted(set(public.sources) - set(full.sources)):
        rows.append(("source", sid, PUBLIC_ONLY, "true"))
    for sid, src in sorted(full.sources.items()):
        pub = public.sources.get(sid)
        for f, v in _diff(src.as_dict(), pub.as_dict() if pub else None):
            rows.append(("source", sid, f, _dump(v)))
    # the graphs' read methods, not .nx: a freshly loaded graph stays columnar
    for n, a in sorted(full.nodes(), key=lambda x: x[0]):
        pa_ = public.node(n) if public.has_node(n) else None
        for p, v in _diff(a, pa_):
            rows.append(("node", n, p, _dump(v)))
    public_edges = {k: (u, v, a) for k, u, v, a in public.edges()}
    for n in sorted(n for n in public.node_ids() if not full.has_node(n)):
        rows.append(("node", n, PUBLIC_ONLY, "true"))
    full_edges = {k for k, *_ in full.edges()}
    for k in sorted(k for k in public_edges if k not in full_edges):
        rows.append(("edge", k, PUBLIC_ONLY, "true"))
    for k, u, v, a in sorted(full.edges(), key=lambda x: x[0]):
        pub = public_edges.get(k)
        if pub is None:
            rows.append(("edge", k, "source", _dump(u)))
            rows.append(("edge", k, "target", _dump(v)))
        for p, val in _diff(a, pub[2] if pub else None):
            rows.append(("edge", k, p, _dump(val)))
    cols = list(zip(*rows)) if rows else [(), (), (), ()]
    return pa.Table.from_arrays([pa.array(list(c), type=pa.string()) for c in cols], names=list(COLUMNS))


def apply_statements(
    table: pa.Table,
    nodes: list[tuple[str, dict[str, Any]]],
    edges: list[tuple[str, str, str, dict[str, Any]]],
    sources: dict[str, Source],
    where: str,
) -> tuple[list[tuple[str, dict[str, Any]]], list[tuple[str, str, str, dict[str, Any]]]]:
    """Put the statements of ``table`` back into the public rows; return the full rows.

    ``sources`` is updated in place. A statement that does not fit (an unknown element,
    an edge without its ends, a value that is not JSON) is refused naming ``where``.
    """
    if tuple(table.column_names) != COLUMNS:
        raise CampaignGraphError("sensitive file does not have the statement columns", file=where)
    node_attrs = dict(nodes)
    edge_rows = {k: [u, v, a] for u, v, k, a in edges}
    new_nodes: dict[str, dict[str, Any]] = {}
    new_edges: dict[str, dict[str, Any]] = {}
    source_fields: dict[str, dict[str, Any]] = {}
    public_only: dict[str, set[str]] = {"node": set(), "edge": set(), "source": set()}
    for element, eid, prop, raw in zip(*(table.column(c).to_pylist() for c in COLUMNS)):
        if prop == PUBLIC_ONLY and element in public_only:
            public_only[element].add(eid)
            continue
        try:
            value = json.loads(raw)
        except (TypeError, ValueError):
            raise CampaignGraphError(f"sensitive file: a {element} value is not JSON", file=where) from None
        if element == "node":
            attrs = node_attrs.get(eid)
            if attrs is None:
                attrs = new_nodes.setdefault(eid, {})
            attrs[prop] = value
        elif element == "edge":
            row = edge_rows.get(eid)
            if row is None:
                new_edges.setdefault(eid, {})[prop] = value
            else:
                row[2][prop] = value
        elif element == "source":
            source_fields.setdefault(eid, {})[prop] = value
        else:
            raise CampaignGraphError(f"sensitive file: unknown element {element!r}", file=where)
    for sid in public_only["source"]:
        sources.pop(sid, None)
    nodes[:] = [(n, a) for n, a in nodes if n not in public_only["node"]]
    for k in public_only["edge"]:
        edge_rows.pop(k, None)
    for sid, fields in source_fields.items():
        base = sources[sid].as_dict() if sid in sources else {f: "" for f in SOURCE_FIELDS}
        base.update(fields)
        sources[sid] = Source(**{f: base[f] if base[f] is not None else "" for f in SOURCE_FIELDS})
    for n, attrs in new_nodes.items():
        if "kind" not in attrs:
            raise CampaignGraphError(f"sensitive file: node {n!r} has no kind", file=where)
        nodes.append((n, attrs))
    known = {n for n, _ in nodes}
    out_edges = [(u, v, k, a) for k, (u, v, a) in edge_rows.items()]
    for k, attrs in new_edges.items():
        u, v = attrs.pop("source", None), attrs.pop("target", None)
        if u not in known or v not in known or "kind" not in attrs:
            raise CampaignGraphError(f"sensitive file: edge {k!r} lacks its ends or kind", file=where)
        out_edges.append((u, v, k, attrs))
    return nodes, out_edges
