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
  is emptied;
- names derived from a file name or a person are pseudonymised (:func:`pseudonym`): a
  source named after its input file (its title holds the file's name, or its id ends with
  the file's stem: how the FtM, BODS, Wikidata, GLEIF and GEM loaders name a source, so a file
  named ``tip-from-<someone>.ftm.jsonl`` would otherwise name its informant) becomes
  ``src-<hex>``, its title keeping only the text around the file name; a kept node or edge
  whose id holds the id or the name of a person (or of a sensitive record) becomes
  ``<kind>-<hex>`` / ``edge-<hex>``; ``sources`` lists, ``value_sources`` pins and
  ``linked_ids`` are rewritten with them.

Pseudonyms are a keyed hash (HMAC-SHA256) of the original id. The key is
``$CAMPAIGN_GRAPH_PSEUDONYM_KEY`` when set, else a fixed one. Trade-off: a fixed key makes
every redacted output of the same data carry the same pseudonyms (CSV, JSON, maps, briefings
and redacted snapshots line up, and are reproducible), but a reader who guesses an original
id exactly can confirm the guess by hashing it; set a secret key to rule that out (outputs
made with the same key still agree with each other).

The copy records that it was redacted in ``graph.meta["redacted"]`` (see :func:`is_redacted`), which
every exporter prints into its metadata or header.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import PurePath
from typing import Any

from graphmodel import provenance, schema
from graphmodel.graph import CampaignGraph
from graphmodel.records import SENSITIVE_SOURCE_FIELDS, Source

#: counts of people below this are dropped from redacted exports
SMALL_COUNT = 5

#: the source id a value is pinned to when only confidential sources set it
WITHHELD = "withheld"

#: the environment variable holding the pseudonym key (see the module docstring)
KEY_ENV = "CAMPAIGN_GRAPH_PSEUDONYM_KEY"
_FIXED_KEY = b"campaign-graph pseudonyms v1"

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


def pseudonym(original: str, prefix: str) -> str:
    """``<prefix>-<hex>``: a keyed hash of ``original`` (the same input gives the same pseudonym).

    >>> pseudonym("ftm-tip-from-someone", "src") == pseudonym("ftm-tip-from-someone", "src")
    True
    >>> pseudonym("a", "src") != pseudonym("b", "src"), pseudonym("a", "src")[:4]
    (True, 'src-')
    """
    key = os.environ.get(KEY_ENV, "").encode("utf-8") or _FIXED_KEY
    return f"{prefix}-{hmac.new(key, original.encode('utf-8'), hashlib.sha256).hexdigest()[:16]}"


def _parts(text: str) -> tuple[str, ...]:
    """The words of ``text`` for matching ids, folded as loaders fold ids (accents dropped, lower case).

    >>> _parts("José Pérez-Núñez"), _parts("ftm-jose-perez-nunez")
    (('jose', 'perez', 'nunez'), ('ftm', 'jose', 'perez', 'nunez'))
    """
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return tuple(w for w in re.split(r"[\W_]+", text) if w)


def _holds(words: tuple[str, ...], token: tuple[str, ...]) -> bool:
    n = len(token)
    return n > 0 and any(words[i : i + n] == token for i in range(len(words) - n + 1))


def named_from_file(src: Source) -> bool:
    """Whether ``src``'s id or title was built from its input file's name.

    True when the title holds the file's name, or the id ends with the file's stem (what
    the FtM, BODS, Wikidata, GLEIF and GEM loaders do for a file they have no fixed name for).

    >>> named_from_file(Source("ftm-tip-x-ftm", title="FollowTheMoney entities: tip-x.ftm.jsonl",
    ...                        file="/in/tip-x.ftm.jsonl"))
    True
    >>> named_from_file(Source("agreements-table", title="Union agreements", file="agreements.csv"))
    False
    """
    if not src.file:
        return False
    path = PurePath(str(src.file).replace("\\", "/"))
    if path.name and path.name in src.title:
        return True
    stem = _parts(path.stem)
    words = _parts(src.id)
    return bool(stem) and words[-len(stem) :] == stem


def _file_title(src: Source, new_id: str) -> str:
    """The title of a file-named source with the file's name (and stem) replaced by ``new_id``."""
    path = PurePath(str(src.file).replace("\\", "/"))
    title = src.title
    for text in (str(src.file), path.name, path.stem):
        if text:
            title = title.replace(text, new_id)
    stem = _parts(path.stem)
    return new_id if _holds(_parts(title), stem) else title


class _Tokens:
    """Word sequences (the ids and names of people) that an id must not hold."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.tokens = {t for t in (_parts(x) for x in texts) if t}
        self.lengths = sorted({len(t) for t in self.tokens})

    def held_by(self, text: str) -> bool:
        words = _parts(text)
        return any(words[i : i + n] in self.tokens for n in self.lengths for i in range(len(words) - n + 1))


def redacted_id(graph: CampaignGraph, node_id: str) -> str:
    """The id ``node_id`` has in ``redact(graph)``: its pseudonym if it holds a person's id or name.

    For commands that find a record in the full graph and then draw the redacted one.

    >>> g = CampaignGraph()
    >>> _ = g.add_node("p1", "Person", "Jane Example"); _ = g.add_node("jane-example-ltd", "Company", "JE Ltd")
    >>> redacted_id(g, "jane-example-ltd") == pseudonym("jane-example-ltd", "company"), redacted_id(g, "x")
    (True, 'x')
    """
    if not isinstance(node_id, str) or not graph.has_node(node_id):
        return node_id
    kind = graph.node(node_id).get("kind")
    hidden: list[str] = []
    for n, a in graph.nodes():
        nk = schema.NODE_KINDS.get(a.get("kind")) if isinstance(a.get("kind"), str) else None
        if nk is not None and nk.sensitive:
            hidden += [n, str(a.get("name") or "")]
    nk = schema.NODE_KINDS.get(kind) if isinstance(kind, str) else None
    if nk is None or nk.sensitive or not _Tokens(hidden).held_by(node_id):
        return node_id
    return pseudonym(node_id, kind.casefold())


def _keep_prop(prop: schema.Prop | None, value: Any) -> bool:
    if prop is None or prop.sensitive:
        return False
    if prop.people_count:  # anything but a number of at least SMALL_COUNT goes (text, NaN, a bool)
        return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= SMALL_COUNT
    return True


def _clean_attrs(
    attrs: Mapping[str, Any],
    allowed: Mapping[str, schema.Prop],
    public_sources: Mapping[str, str],
    counts: dict[str, int],
    node_ids: Mapping[str, str],
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for p, value in attrs.items():
        if p == "kind":
            out[p] = value
            continue
        if p == "sources":
            kept = [public_sources[s] for s in value if s in public_sources]
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
        if p == "linked_ids" and isinstance(value, list):
            value = [node_ids.get(x, x) for x in value]
        out[p] = list(value) if isinstance(value, list) else value
    pinned = provenance.pins(attrs)
    if pinned:
        entries: list[str] = []
        for p, sids in pinned.items():
            kept = [public_sources[s] for s in sids if s in public_sources]
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
        "pseudonyms": 0,
    }
    public_sources: dict[str, Source] = {}
    source_ids: dict[str, str] = {}  # kept source id -> its id in the copy
    for sid, src in graph.sources.items():
        if src.confidential:
            counts["sources"] += 1
            continue
        cleaned = src
        if named_from_file(src):
            new_id = pseudonym(sid, "src")
            cleaned = replace(cleaned, id=new_id, title=_file_title(src, new_id))
            counts["pseudonyms"] += 1
        for f in SENSITIVE_SOURCE_FIELDS:
            if getattr(cleaned, f):
                cleaned = replace(cleaned, **{f: ""})
                counts["source_files"] += 1
        public_sources[cleaned.id] = cleaned
        source_ids[sid] = cleaned.id

    kept_nodes: list[tuple[str, str, Mapping[str, Any]]] = []
    hidden: list[str] = []  # ids and names of dropped (sensitive) records
    for n, a in graph.nodes():  # the read methods: a freshly loaded graph stays columnar
        kind = a.get("kind")
        nk = schema.NODE_KINDS.get(kind) if isinstance(kind, str) else None
        if nk is None or nk.sensitive:
            counts["nodes"] += 1
            if nk is not None:
                hidden += [n, str(a.get("name") or "")]
            continue
        kept_nodes.append((n, kind, a))
    # a kept id that holds a person's id or name is pseudonymised
    tokens = _Tokens(hidden)
    node_ids: dict[str, str] = {}
    if tokens.tokens:
        for n, kind, _ in kept_nodes:
            if tokens.held_by(n):
                node_ids[n] = pseudonym(n, kind.casefold())
                counts["pseudonyms"] += 1
        for n in hidden[::2]:
            node_ids.setdefault(n, pseudonym(n, "person"))  # in linked_ids, if anywhere

    nodes: list[tuple[str, dict[str, Any]]] = []
    kept_kind: dict[str, str] = {}
    for n, kind, a in kept_nodes:
        nodes.append((node_ids.get(n, n), _clean_attrs(a, schema.node_props(kind), source_ids, counts, node_ids)))
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
        if u in node_ids or v in node_ids or (tokens.tokens and tokens.held_by(k)):
            k = pseudonym(k, "edge")
            counts["pseudonyms"] += 1
        cleaned = _clean_attrs(a, schema.edge_props(kind), source_ids, counts, node_ids)
        edges.append((node_ids.get(u, u), node_ids.get(v, v), k, cleaned))

    out = CampaignGraph()
    out.sources = public_sources
    out.bulk_add(nodes, edges)
    out.meta[REDACTED_KEY] = True
    out.meta[REDACTION_SUMMARY_KEY] = counts
    return out
