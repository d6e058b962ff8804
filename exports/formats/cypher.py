"""A Cypher script that recreates the graph in Neo4j 5 (``cypher-shell -f graph.cypher``).

Safety (docs/threats.md row 3). A script cannot use query parameters, so:

- every value is a literal written by :func:`literal` (strings single-quoted with
  backslash, quote and control characters escaped), so a company named
  ``x' WITH true AS x MATCH (n) DETACH DELETE n //`` is stored verbatim;
- labels, relationship types and property keys cannot be literals at all: they come only
  from the schema and are checked against :data:`LABEL_RE`, :data:`REL_TYPE_RE` and
  :data:`KEY_RE`; anything else is refused before a line is written.

Shape. First a uniqueness constraint on ``id`` per label (``CREATE CONSTRAINT ... IF NOT
EXISTS``), then the sources as ``:Source`` nodes, then the nodes (``MERGE`` on label +
``id``), then the relationships (``MATCH`` both ends by label + ``id``, ``MERGE`` the
relationship by type + ``id``), in ``UNWIND`` batches of :data:`BATCH` rows. The data
model is the Neo4j store's (:mod:`graphmodel.stores.neo4j`): the label is the kind, the
properties are the schema's plus ``id``, so ``campaign-graph pull`` reads a database the
script made. Running the
script twice changes nothing (unlike followthemoney's label-less ``MERGE``, every MERGE
here has a constraint-backed label). The header comment says whether it was redacted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from exports.formats.base import export_metadata, source_rows
from graphmodel import schema
from graphmodel.atomic import atomic_write
from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph

LABEL_RE = re.compile(r"^[A-Z][A-Za-z0-9_]*$")
REL_TYPE_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")

#: the label of the provenance records (not a node kind of the schema)
SOURCE_LABEL = "Source"
BATCH = 500

_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def _escape_char(ch: str) -> str:
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    code = ord(ch)
    if code < 0x20 or code == 0x7F or code in (0x2028, 0x2029, 0x85):
        return f"\\u{code:04x}"
    return ch


def string_literal(text: str) -> str:
    """A Cypher string literal for ``text``.

    >>> print(string_literal("x' WITH true AS x MATCH (n) DETACH DELETE n //"))
    'x\\' WITH true AS x MATCH (n) DETACH DELETE n //'
    """
    return "'" + "".join(_escape_char(c) for c in text) + "'"


def float_literal(value: float) -> str:
    """A Cypher float literal (always with a decimal point; exponent without ``+``).

    >>> float_literal(51.0), float_literal(1e-05), float_literal(1e22)
    ('51.0', '1.0e-5', '1.0e22')
    """
    if math.isnan(value) or math.isinf(value):
        raise CampaignGraphError("cannot write a non-finite number to Cypher")
    text = repr(float(value))
    if "e" in text:
        mant, exp = text.split("e")
        if "." not in mant:
            mant += ".0"
        text = f"{mant}e{int(exp)}"
    return text


def literal(value: Any) -> str:
    """A Cypher literal for a property value: string, number, boolean or list of strings.

    >>> literal(["a", "b'c"]), literal(True), literal(-70.5), literal(12)
    ("['a', 'b\\\\'c']", 'true', '-70.5', '12')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return float_literal(value)
    if isinstance(value, str):
        return string_literal(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    raise CampaignGraphError(f"cannot write a value of type {type(value).__name__} to Cypher")


def _key(name: str) -> str:
    if not KEY_RE.match(name):
        raise CampaignGraphError(f"refusing property name {name!r} in Cypher (not a plain schema name)")
    return name


def map_literal(props: dict[str, Any]) -> str:
    """A Cypher map literal; keys must be plain schema names.

    >>> map_literal({"name": "Acme", "share": 51.0})
    "{name: 'Acme', share: 51.0}"
    """
    return "{" + ", ".join(f"{_key(k)}: {literal(v)}" for k, v in props.items()) + "}"


def label(kind: str) -> str:
    """The node label for a node kind, only if the schema has it and it is a plain name."""
    if (kind not in schema.NODE_KINDS and kind != SOURCE_LABEL) or not LABEL_RE.match(kind):
        raise CampaignGraphError(f"refusing node label {kind!r} (not a node kind of the schema)")
    return kind


def rel_type(kind: str) -> str:
    """The relationship type for an edge kind, only if the schema has it and it matches ``^[A-Z][A-Z0-9_]*$``."""
    if kind not in schema.EDGE_KINDS or not REL_TYPE_RE.match(kind):
        raise CampaignGraphError(f"refusing relationship type {kind!r} (not an edge kind of the schema)")
    return kind


def _props(attrs: dict[str, Any], allowed: dict[str, schema.Prop]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for p, v in sorted(attrs.items()):
        if p == "kind":
            continue
        if p not in allowed:
            raise CampaignGraphError(f"refusing property {p!r}: not in the schema")
        out[p] = v
    return out


def _batches(rows: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(rows), BATCH):
        yield rows[i : i + BATCH]


def statements(graph: CampaignGraph) -> Iterator[str]:
    """The script, one statement (or comment line) at a time."""
    meta = export_metadata(graph)
    yield "// campaign-graph export: a Cypher script for Neo4j 5 (run: cypher-shell -f FILE)"
    yield f"// schema version {int(meta['schema_version'])}; redacted: {'yes' if meta['redacted'] else 'no'}"
    yield "// the 'sources' property of nodes and relationships lists ids of :Source nodes (title, publisher, licence)"
    node_kinds = sorted({a["kind"] for _, a in graph.nodes()})
    for kind in [SOURCE_LABEL, *node_kinds]:
        lab = label(kind)
        yield (
            f"CREATE CONSTRAINT campaign_graph_{lab.lower()}_id IF NOT EXISTS "
            f"FOR (n:{lab}) REQUIRE n.id IS UNIQUE;"
        )
    src_rows = []
    for s in source_rows(graph):
        props = {k: v for k, v in s.items() if v not in ("", None)}
        src_rows.append(f"{{id: {literal(s['id'])}, props: {map_literal(props)}}}")
    for batch in _batches(src_rows):
        yield (
            f"UNWIND [{', '.join(batch)}] AS row "
            f"MERGE (n:{SOURCE_LABEL} {{id: row.id}}) SET n = row.props;"
        )
    for kind in node_kinds:
        lab = label(kind)
        allowed = dict(schema.node_props(kind))
        rows = [
            f"{{id: {literal(n)}, props: {map_literal({'id': n, **_props(dict(a), allowed)})}}}"
            for n, a in sorted(graph.nodes(kind), key=lambda x: x[0])
        ]
        for batch in _batches(rows):
            yield f"UNWIND [{', '.join(batch)}] AS row MERGE (n:{lab} {{id: row.id}}) SET n = row.props;"
    groups: dict[tuple[str, str, str], list[str]] = {}
    for k, u, v, a in sorted(graph.edges(), key=lambda x: x[0]):
        key = (rel_type(a["kind"]), label(graph.kind_of(u)), label(graph.kind_of(v)))
        allowed = dict(schema.edge_props(a["kind"]))
        groups.setdefault(key, []).append(
            f"{{id: {literal(k)}, source: {literal(u)}, target: {literal(v)}, "
            f"props: {map_literal({'id': k, **_props(dict(a), allowed)})}}}"
        )
    for (kind, su, sv), rows in sorted(groups.items()):
        rt, la, lb = rel_type(kind), label(su), label(sv)
        for batch in _batches(rows):
            yield (
                f"UNWIND [{', '.join(batch)}] AS row "
                f"MATCH (a:{la} {{id: row.source}}) MATCH (b:{lb} {{id: row.target}}) "
                f"MERGE (a)-[r:{rt} {{id: row.id}}]->(b) SET r = row.props;"
            )


def script(graph: CampaignGraph) -> str:
    """The whole Cypher script as text.

    >>> g = CampaignGraph(); _ = g.add_node("a", "Company", "Acme")
    >>> print(script(g).splitlines()[-1])
    UNWIND [{id: 'a', props: {id: 'a', name: 'Acme'}}] AS row MERGE (n:Company {id: row.id}) SET n = row.props;
    """
    return "\n".join(statements(graph)) + "\n"


def write(graph: CampaignGraph, path: Path) -> list[Path]:
    """Write the Cypher script for ``graph`` to ``path`` (UTF-8, atomically)."""
    with atomic_write(path, "w") as f:
        for line in statements(graph):
            f.write(line + "\n")
    return [Path(path)]
