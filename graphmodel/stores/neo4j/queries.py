"""Names and Cypher text of the Neo4j store: labels and types only from the schema, query pieces.

Labels and relationship types come only from the schema's whitelist
(:data:`graphmodel.schema.NODE_KINDS`, :data:`~graphmodel.schema.EDGE_KINDS`) and are backquoted;
property names in a query's text must be plain identifiers (:data:`_IDENT`); values are always
parameters.
"""

from __future__ import annotations

import re

from graphmodel import schema
from graphmodel.errors import CampaignGraphError

#: label of the nodes holding Source records
SOURCE_LABEL = "Source"
#: property names written into a CREATE query's map (backquoted); anything else goes the SET way
_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
#: what a node batch returns: its rows' ids and the element ids the server gave those nodes (two
#: lists in one record, aligned: both are collected from the same rows in the same order)
_ELEMENT_IDS = " RETURN collect({id}) AS k, collect(elementId(n)) AS e"


def _label(kind: str) -> str:
    """The backquoted label for a node kind; refuses anything not in the schema."""
    if kind not in schema.NODE_KINDS and kind != SOURCE_LABEL:
        raise CampaignGraphError(f"not a node kind of the schema: {kind!r}")
    return f"`{kind}`"


def _rel_type(kind: str) -> str:
    """The backquoted relationship type for an edge kind; refuses anything not in the schema."""
    if kind not in schema.EDGE_KINDS:
        raise CampaignGraphError(f"not an edge kind of the schema: {kind!r}")
    return f"`{kind}`"


def _positional_map(columns: tuple[str, ...], first: int) -> str:
    """``{`id`: r[first], `name`: r[first + 1], ...}`` without the braces (names checked identifiers)."""
    return ", ".join(f"`{k}`: r[{i}]" for i, k in enumerate(columns[first:], first))
