"""An Excel workbook in the generic table format: sheets ``nodes``, ``edges``, ``sources``.

The same table the loader reads (``campaign-graph load export.xlsx`` gives back an equal
graph), plus an ``about`` sheet with the export metadata (redacted or not, sources).
Numbers and booleans are typed cells; text is always a text cell (never a formula), and
text a spreadsheet would run as a formula starts with ``'`` (OWASP CSV-injection advice).
Workbook properties are neutral (creator and title name the tool, nothing about the
machine or the user).

A percentage between 0 and 1 is written as text with its ``%`` sign (``0.5%``): the
loader refuses a bare ``0.5`` as ambiguous.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from exports.formats.base import (
    check_table_safe,
    check_xml_safe,
    edge_columns,
    edge_rows,
    export_metadata,
    flat,
    neutralise,
    node_columns,
    node_rows,
    percent_text,
    source_rows,
)
from graphmodel import schema
from graphmodel.atomic import atomic_write_bytes
from graphmodel.graph import CampaignGraph
from graphmodel.records import SOURCE_FIELDS
from graphmodel.schema import Prop

LEAD_COLUMNS = {"id", "kind", "source", "target"}

#: a fixed creation time for the workbook properties (openpyxl would put the current time)
NEUTRAL_TIME = datetime(2000, 1, 1)


def _value(prop: Prop | None, value: Any) -> Any:
    """The cell value: numbers and booleans typed, text neutralised (so never a formula)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        if prop is not None and prop.type == "percent" and 0 < value < 1:
            return percent_text(float(value))
        return value
    text = neutralise(str(flat(value)))
    # openpyxl makes a formula of text starting with "="; neutralise() never leaves one
    assert not text.startswith("="), "neutralise() must quote formula text"
    return text


def _sheet(wb: Workbook, title: str, columns: list[str], rows: Iterable[dict[str, Any]], edge: bool | None) -> None:
    ws = wb.create_sheet(title)
    ws.append([neutralise(c) for c in columns])
    cache: dict[str, dict[str, Prop]] = {}
    for row in rows:
        kind = row.get("kind", "")
        if edge is None:
            props: dict[str, Prop] = {}
        else:
            props = cache.get(kind) or cache.setdefault(
                kind, dict(schema.edge_props(kind) if edge else schema.node_props(kind))
            )
        ws.append([_value(None if c in LEAD_COLUMNS else props.get(c), row.get(c)) for c in columns])


def check(graph: CampaignGraph) -> None:
    """Refuse what the workbook cannot give back exactly: control characters, carriage
    returns, list items containing ``;``."""
    check_xml_safe(graph, "xlsx", exact=True)
    check_table_safe(graph, "xlsx")


def workbook_bytes(graph: CampaignGraph) -> bytes:
    """The .xlsx file for ``graph`` as bytes."""
    check(graph)
    meta = export_metadata(graph)
    wb = Workbook(write_only=True)
    _sheet(wb, "nodes", node_columns(graph), node_rows(graph), edge=False)
    _sheet(wb, "edges", edge_columns(graph), edge_rows(graph), edge=True)
    _sheet(wb, "sources", list(SOURCE_FIELDS), source_rows(graph), edge=None)
    about = [
        {"key": "tool", "value": meta["tool"]},
        {"key": "schema_version", "value": meta["schema_version"]},
        {"key": "exported", "value": meta["exported"]},
        {"key": "redacted", "value": "yes" if meta["redacted"] else "no"},
        {"key": "redaction", "value": json.dumps(meta["redaction"])},
        {"key": "note", "value": "text cells starting with = + - @ are prefixed with ' so they are not run as formulas"},
    ]
    _sheet(wb, "about", ["key", "value"], about, edge=None)
    p = wb.properties
    p.creator = meta["tool"]
    p.title = "campaign-graph export" + (" (redacted)" if meta["redacted"] else "")
    p.lastModifiedBy = None
    p.description = None
    p.created = NEUTRAL_TIME
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write(graph: CampaignGraph, path: Path) -> list[Path]:
    """Write ``graph`` as an .xlsx workbook to ``path`` (atomically)."""
    atomic_write_bytes(path, workbook_bytes(graph))
    return [Path(path)]
