"""Parquet tables: ``nodes.parquet``, ``edges.parquet``, ``sources.parquet``, typed by the schema.

Columns have the schema's types (int64, float64, bool, date32, list<string>, string), so
pandas and pyarrow users get typed data; every file's key-value metadata holds the export
metadata under ``campaign_graph`` (JSON: redacted or not, the sources).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from exports.formats.base import (
    edge_columns,
    edge_rows,
    export_metadata,
    node_columns,
    node_rows,
    source_rows,
)
from graphmodel import schema
from graphmodel.atomic import atomic_write, inside
from graphmodel.graph import CampaignGraph
from graphmodel.records import SOURCE_FIELDS

METADATA_KEY = b"campaign_graph"

_ARROW_TYPES: dict[str, pa.DataType] = {
    "str": pa.string(),
    "enum": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "percent": pa.float64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "list": pa.list_(pa.string()),
}


def arrow_type(prop: schema.Prop | None) -> pa.DataType:
    """The Arrow type of a schema property (string when the schema does not know it)."""
    return _ARROW_TYPES.get(prop.type, pa.string()) if prop is not None else pa.string()


def _column(values: list[Any], typ: pa.DataType) -> pa.Array:
    if typ == pa.date32():
        values = [date.fromisoformat(v) if isinstance(v, str) else v for v in values]
    return pa.array(values, type=typ)


def _table(columns: list[str], rows: list[dict[str, Any]], universe: dict[str, schema.Prop], meta: bytes) -> pa.Table:
    arrays, fields = [], []
    for c in columns:
        typ = pa.list_(pa.string()) if c == "sources" else arrow_type(universe.get(c)) if c not in (
            "id", "kind", "name", "source", "target") else pa.string()
        arrays.append(_column([r.get(c) for r in rows], typ))
        fields.append(pa.field(c, typ))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata={METADATA_KEY: meta}))


def tables(graph: CampaignGraph) -> dict[str, pa.Table]:
    """The three Arrow tables of ``graph``, keyed ``nodes``, ``edges``, ``sources``."""
    meta = json.dumps(export_metadata(graph), ensure_ascii=False).encode("utf-8")
    src = source_rows(graph)
    src_fields = [pa.field(f, pa.bool_() if f == "confidential" else pa.string()) for f in SOURCE_FIELDS]
    sources = pa.Table.from_pylist(src, schema=pa.schema(src_fields, metadata={METADATA_KEY: meta}))
    return {
        "nodes": _table(node_columns(graph), list(node_rows(graph)), schema.all_node_props(), meta),
        "edges": _table(edge_columns(graph), list(edge_rows(graph)), schema.all_edge_props(), meta),
        "sources": sources,
    }


def write(graph: CampaignGraph, path: Path) -> list[Path]:
    """Write ``nodes.parquet``, ``edges.parquet`` and ``sources.parquet`` into the folder ``path``."""
    written = []
    for name, table in tables(graph).items():
        target = inside(path, f"{name}.parquet")
        with atomic_write(target, "wb") as f:
            pq.write_table(table, f)
        written.append(target)
    return written
