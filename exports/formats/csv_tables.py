"""CSV tables in the generic table format: ``nodes.csv``, ``edges.csv``, ``sources.csv``.

Exactly what :mod:`loaders.tables` reads, so ``campaign-graph load`` on the folder gives
back an equal graph. UTF-8 with a byte-order mark (Excel then reads accents right); text
cells that would run as a formula start with ``'``; ``about.json`` beside the tables
holds the export metadata (redacted or not, the sources, counts).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from exports.formats.base import (
    cell_text,
    check_table_safe,
    edge_columns,
    edge_rows,
    export_metadata,
    node_columns,
    node_rows,
    prop_of,
    source_rows,
    write_files,
)
from graphmodel.graph import CampaignGraph
from graphmodel.records import SOURCE_FIELDS

LEAD_COLUMNS = {"id", "kind", "source", "target"}


def table_cells(columns: list[str], rows: Iterable[dict[str, Any]], *, edge: bool) -> Iterable[list[str]]:
    """Rows of CSV cell texts (header first) for nodes or edges."""
    yield list(columns)
    for row in rows:
        kind = row["kind"]
        yield [cell_text(None if c in LEAD_COLUMNS else prop_of(kind, c, edge=edge), row.get(c)) for c in columns]


def source_cells(graph: CampaignGraph) -> Iterable[list[str]]:
    """Rows of CSV cell texts (header first) for the sources."""
    yield list(SOURCE_FIELDS)
    for row in source_rows(graph):
        yield [cell_text(None, row[f]) for f in SOURCE_FIELDS]


def _csv_text(rows: Iterable[list[str]]) -> str:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, dialect="excel")
    w.writerows(rows)
    return "\ufeff" + buf.getvalue()


def check(graph: CampaignGraph) -> None:
    """Refuse list items containing ``;`` (they would load back split in two)."""
    check_table_safe(graph, "csv")


def write(graph: CampaignGraph, path: Path) -> list[Path]:
    """Write the three tables and ``about.json`` into the folder ``path``."""
    check(graph)
    files = {
        "nodes.csv": _csv_text(table_cells(node_columns(graph), node_rows(graph), edge=False)),
        "edges.csv": _csv_text(table_cells(edge_columns(graph), edge_rows(graph), edge=True)),
        "sources.csv": _csv_text(source_cells(graph)),
        "about.json": json.dumps(export_metadata(graph), ensure_ascii=False, indent=1) + "\n",
    }
    return write_files(path, files)
