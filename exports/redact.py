"""Redaction: a copy of the graph that is safe to hand to a wider audience.

Everything here is driven by the schema's flags (:mod:`graphmodel.schema`):

- node kinds marked ``sensitive`` (Person) are dropped whole, with every edge that touches
  them; edge kinds marked ``sensitive`` (HOLDS_ROLE) are dropped, and so are edges of a kind
  whose ``sensitive_if_touches`` names the kind of one of their ends;
- properties marked ``sensitive`` are dropped (membership figures and density, emails,
  phones, addresses, contacts, confidential notes, campaign goals, ``origins``, which hold
  internal file paths);
- properties marked ``people_count`` (a site's workforce) are dropped when under
  :data:`SMALL_COUNT` (5): a count that small can identify the people counted;
- only properties the schema knows are kept (an allow-list: something that reached the
  graph outside the schema is not exported by accident);
- confidential sources are dropped, with every reference to them from ``sources`` lists
  and from the per-value pins ``value_sources`` (the values stay); a value that only
  confidential sources set is pinned to :data:`WITHHELD`, so that it is not credited to
  the record's public sources; the ``file`` field of the other sources (an internal path)
  is emptied.

The copy records that it was redacted in ``graph.meta["redacted"]`` (``graph.nx.graph``; see
:func:`is_redacted`), which every exporter prints into its metadata or header.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from graphmodel import provenance, schema
from graphmodel.graph import CampaignGraph
from graphmodel.records import SENSITIVE_SOURCE_FIELDS, Source

#: counts of people below this are dropped from redacted exports
SMALL_COUNT = 5

#: the source id a value is pinned to when only confidential sources set it
WITHHELD = "withheld"

#: the key in ``graph.meta`` that marks a redacted copy
REDACTED_KEY = "redacted"
#: the key in ``graph.meta`` holding what a redaction removed (counts only, never values)
REDACTION_SUMMARY_KEY = "redaction"


def is_redacted(graph: CampaignGraph) -> bool:
    """Whether ``graph`` is a copy made by :func:`redact`.

    >>> is_redacted(CampaignGraph()), is_redacted(redact(CampaignGraph()))
    (False, True)
    """
    return bool(graph.meta.get(REDACTED_KEY, False))


def redaction_summary(graph: CampaignGraph) -> dict[str, int]:
    """What :func:`redact` removed from ``graph`` (counts by category; empty if not redacted)."""
    return dict(graph.meta.get(REDACTION_SUMMARY_KEY, {}))


def _keep_prop(prop: schema.Prop | None, value: Any) -> bool:
    if prop is None or prop.sensitive:
        return False
    if prop.people_count and isinstance(value, (int, float)) and not isinstance(value, bool):
        return value >= SMALL_COUNT
    return True


def _clean_attrs(
    attrs: Mapping[str, Any],
    allowed: Mapping[str, schema.Prop],
    public_sources: set[str],
    counts: dict[str, int],
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for p, value in attrs.items():
        if p == "kind":
            out[p] = value
            continue
        if p == "sources":
            kept = [s for s in value if s in public_sources]
            if len(kept) != len(value):
                counts["confidential_source_references"] += len(value) - len(kept)
            if kept:
                out[p] = kept
            continue
        if p == provenance.VALUE_SOURCES:
            continue  # below, once the kept properties are known
        prop = allowed.get(p)
        if not _keep_prop(prop, value):
            if prop is not None and prop.people_count and not prop.sensitive:
                counts["small_counts"] += 1
            else:
                counts["properties"] += 1
            continue
        out[p] = list(value) if isinstance(value, list) else value
    pinned = provenance.pins(attrs)
    if pinned:
        entries: list[str] = []
        for p, sids in pinned.items():
            kept = [s for s in sids if s in public_sources]
            counts["confidential_source_references"] += len(sids) - len(kept)
            if p in out:
                entries += provenance.entries(p, kept or [WITHHELD])
        if entries:
            out[provenance.VALUE_SOURCES] = entries
    return out


def redact(graph: CampaignGraph) -> CampaignGraph:
    """A redacted copy of ``graph``; ``graph`` itself is not changed.

    Parameters
    ----------
    graph
        Any campaign graph.

    Returns
    -------
    A new :class:`CampaignGraph` without people, sensitive properties, small people
    counts, confidential sources or internal file paths, with ``is_redacted(copy)`` true.

    Examples
    --------
    >>> g = CampaignGraph()
    >>> g.add_node("u1", "Union", "Acme Workers Union", email="organiser@example.org")
    'u1'
    >>> g.add_node("p1", "Person", "A. Organiser")
    'p1'
    >>> _ = g.add_edge("p1", "u1", "HOLDS_ROLE", role="organiser")
    >>> r = redact(g)
    >>> r.node_ids(), "email" in r.node("u1"), r.number_of_edges()
    (['u1'], False, 0)
    """
    counts: dict[str, int] = {
        "nodes": 0,
        "edges": 0,
        "properties": 0,
        "small_counts": 0,
        "sources": 0,
        "confidential_source_references": 0,
        "source_files": 0,
    }
    public_sources: dict[str, Source] = {}
    for sid, src in graph.sources.items():
        if src.confidential:
            counts["sources"] += 1
            continue
        cleaned = src
        for f in SENSITIVE_SOURCE_FIELDS:
            if getattr(cleaned, f):
                cleaned = replace(cleaned, **{f: ""})
                counts["source_files"] += 1
        public_sources[sid] = cleaned
    keep_sources = set(public_sources)

    nodes: list[tuple[str, dict[str, Any]]] = []
    kept_kind: dict[str, str] = {}
    for n, a in graph.nodes():  # the read methods: a freshly loaded graph stays columnar
        kind = a.get("kind")
        nk = schema.NODE_KINDS.get(kind) if isinstance(kind, str) else None
        if nk is None or nk.sensitive:
            counts["nodes"] += 1
            continue
        nodes.append((n, _clean_attrs(a, schema.node_props(kind), keep_sources, counts)))
        kept_kind[n] = kind

    edges: list[tuple[str, str, str, dict[str, Any]]] = []
    for k, u, v, a in graph.edges():
        kind = a.get("kind")
        ek = schema.EDGE_KINDS.get(kind) if isinstance(kind, str) else None
        if (
            ek is None
            or ek.sensitive
            or u not in kept_kind
            or v not in kept_kind
            or kept_kind[u] in ek.sensitive_if_touches
            or kept_kind[v] in ek.sensitive_if_touches
        ):
            counts["edges"] += 1
            continue
        edges.append((u, v, k, _clean_attrs(a, schema.edge_props(kind), keep_sources, counts)))

    out = CampaignGraph()
    out.sources = public_sources
    out.bulk_add(nodes, edges)
    out.meta[REDACTED_KEY] = True
    out.meta[REDACTION_SUMMARY_KEY] = counts
    return out
