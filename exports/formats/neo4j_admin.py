"""CSV files for ``neo4j-admin database import full``: the bulk path into an empty Neo4j database.

One file per node label (``nodes_<Label>.csv``), one for the sources (``sources.csv``,
label ``:Source``) and one per relationship type (``relationships_<TYPE>.csv``), in the
header format of Neo4j's import tool:

- nodes: ``id:ID(Node)``, ``:LABEL``, then one typed column per property
  (``share:double``, ``workforce:long``, ``listed:boolean``, ``aliases:string[]``); the
  ``id`` stays a property, as the Bolt store keeps it;
- sources: ``id:ID(Source)`` in their own id space (a source id may equal a node id);
- relationships: ``:START_ID(Node)``, ``:END_ID(Node)``, ``:TYPE``, then ``id`` and the
  typed properties.

The data model is the Neo4j store's (:mod:`graphmodel.stores.neo4j`): label = kind,
properties = the node and edge tables' columns, dates as ISO text, lists as string
arrays, so ``campaign-graph pull`` reads a database made this way. Numbers are ``long``
(64-bit) and ``double`` (Neo4j's ``int`` and ``float`` are 32-bit). An absent value is an
empty cell: no property (an empty text, too). Labels and types come only from the
schema (:func:`exports.formats.cypher.label`), property keys must be plain names.

The array delimiter is ``;`` unless a list item contains it, then ``|``, then U+001F;
``IMPORT.txt`` gives the exact command (with ``--multiline-fields=true`` only when a value
has a line break) and the constraints the Bolt store expects; ``about.json`` holds the
export metadata. Cells are not neutralised for spreadsheets: these files are for Neo4j.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa

from exports.formats.base import export_metadata, source_rows, write_files
from exports.formats.cypher import KEY_RE, SOURCE_LABEL, label, rel_type
from graphmodel.columnar import py_values
from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph

#: the id space of the graph's nodes, and of the sources
NODE_SPACE = "Node"
SOURCE_SPACE = "Source"
#: array delimiters tried in order; the first no list item contains is used
ARRAY_DELIMITERS = (";", "|", "\x1f")
README = "IMPORT.txt"


def neo4j_type(arrow_type: pa.DataType) -> str | None:
    """The import-header type of an Arrow column (``None``: a column with no value at all).

    >>> neo4j_type(pa.float64()), neo4j_type(pa.int64()), neo4j_type(pa.list_(pa.string()))
    ('double', 'long', 'string[]')
    """
    if pa.types.is_null(arrow_type):
        return None
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "string"
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_integer(arrow_type):
        return "long"
    if pa.types.is_floating(arrow_type):
        return "double"
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        inner = neo4j_type(arrow_type.value_type)
        if inner in ("string", "long", "double", "boolean"):
            return inner + "[]"
    raise CampaignGraphError(f"cannot write a column of type {arrow_type} for neo4j-admin")


def _key(name: str) -> str:
    if not KEY_RE.match(name):
        raise CampaignGraphError(f"refusing property name {name!r} for neo4j-admin (not a plain schema name)")
    return name


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise CampaignGraphError("cannot write a non-finite number for neo4j-admin")
        return repr(value)
    return str(value)


def cell(value: Any, delimiter: str) -> str:
    """The text of one cell: empty for absent, array items joined with ``delimiter``.

    >>> cell(["a", "b"], ";"), cell(True, ";"), cell(51.0, ";"), cell(None, ";")
    ('a;b', 'true', '51.0', '')
    """
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return delimiter.join(_scalar(v) for v in value)
    return _scalar(value)


class _Table:
    """One file: its header and its rows as Python values (lists as lists)."""

    def __init__(self, name: str, header: list[str], rows: list[list[Any]]) -> None:
        self.name, self.header, self.rows = name, header, rows


def _typed_columns(table: pa.Table, skip: set[str]) -> list[tuple[str, str, list[Any]]]:
    out = []
    for name in table.column_names:
        if name in skip:
            continue
        typ = neo4j_type(table.schema.field(name).type)
        if typ is None:
            continue
        out.append((_key(name), typ, py_values(table.column(name))))
    return out


def tables(graph: CampaignGraph) -> list[_Table]:
    """The files to write, in import order: sources, nodes per label, relationships per type."""
    out: list[_Table] = []
    srows = source_rows(graph)
    if srows:
        fields = [f for f in srows[0] if f != "id"]
        types = {f: ("boolean" if isinstance(srows[0][f], bool) else "string") for f in fields}
        header = [f"id:ID({SOURCE_SPACE})", ":LABEL", *(f"{_key(f)}:{types[f]}" for f in fields)]
        rows = [[s["id"], SOURCE_LABEL, *((s[f] if s[f] != "" else None) for f in fields)] for s in srows]
        out.append(_Table("sources.csv", header, rows))
    counts = graph.counts_by_kind()
    for kind in counts["nodes"]:
        lab = label(kind)
        t = graph.node_table(kind)
        cols = _typed_columns(t, {"id", "kind"})
        header = [f"id:ID({NODE_SPACE})", ":LABEL", *(f"{n}:{typ}" for n, typ, _ in cols)]
        ids = py_values(t.column("id"))
        rows = [[i, lab, *(c[2][r] for c in cols)] for r, i in enumerate(ids)]
        out.append(_Table(f"nodes_{lab}.csv", header, rows))
    for kind in counts["edges"]:
        rt = rel_type(kind)
        t = graph.edge_table(kind)
        cols = _typed_columns(t, {"id", "kind", "source", "target"})
        header = [f":START_ID({NODE_SPACE})", f":END_ID({NODE_SPACE})", ":TYPE", "id:string",
                  *(f"{n}:{typ}" for n, typ, _ in cols)]
        src, dst, eid = (py_values(t.column(c)) for c in ("source", "target", "id"))
        rows = [[src[r], dst[r], rt, eid[r], *(c[2][r] for c in cols)] for r in range(t.num_rows)]
        out.append(_Table(f"relationships_{rt}.csv", header, rows))
    return out


def _values(ts: Iterable[_Table]) -> Iterable[Any]:
    for t in ts:
        for row in t.rows:
            yield from row


def array_delimiter(ts: list[_Table]) -> str:
    """The first of :data:`ARRAY_DELIMITERS` that no list item contains."""
    items = {str(x) for v in _values(ts) if isinstance(v, list) for x in v}
    for d in ARRAY_DELIMITERS:
        if not any(d in x for x in items):
            return d
    raise CampaignGraphError("cannot write neo4j-admin: list items contain ';', '|' and U+001F, "
                             "so no array delimiter is free; json and parquet keep them")


def _needs_multiline(ts: list[_Table]) -> bool:
    def has_break(v: Any) -> bool:
        if isinstance(v, list):
            return any(has_break(x) for x in v)
        return isinstance(v, str) and ("\n" in v or "\r" in v)

    return any(has_break(v) for v in _values(ts))


def _csv_text(t: _Table, delimiter: str) -> str:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, dialect="excel", lineterminator="\n")
    w.writerow(t.header)
    for row in t.rows:
        w.writerow([cell(v, delimiter) for v in row])
    return buf.getvalue()


def _option_char(ch: str) -> str:
    return f"U+{ord(ch):04X}" if ord(ch) < 0x20 else ch


def import_command(ts: list[_Table], delimiter: str, multiline: bool, database: str = "neo4j") -> str:
    """The ``neo4j-admin database import full`` command for these files (run from their folder)."""
    parts = ["neo4j-admin database import full", database, "--id-type=string",
             f"--array-delimiter='{_option_char(delimiter)}'"]
    if multiline:
        parts.append("--multiline-fields=true")
    for t in ts:
        parts.append(f"--relationships={t.name}" if t.name.startswith("relationships_") else f"--nodes={t.name}")
    return " \\\n  ".join(parts)


def readme_text(graph: CampaignGraph, ts: list[_Table], delimiter: str, multiline: bool) -> str:
    """``IMPORT.txt``: what the files are, the command, the constraints to create afterwards."""
    meta = export_metadata(graph)
    labels = [SOURCE_LABEL] * bool(graph.sources) + [label(k) for k in graph.counts_by_kind()["nodes"]]
    constraints = "\n".join(
        f"CREATE CONSTRAINT campaign_graph_{lab.lower()}_id IF NOT EXISTS FOR (n:{lab}) REQUIRE n.id IS UNIQUE;"
        for lab in labels
    )
    return (
        "campaign-graph export for neo4j-admin database import (Neo4j 5)\n"
        f"schema version {int(meta['schema_version'])}; redacted: {'yes' if meta['redacted'] else 'no'}; "
        f"{meta['nodes']} nodes, {meta['edges']} relationships, {len(graph.sources)} sources\n\n"
        "1. Stop the database (or use a new database name); the import needs an empty, non-existent database.\n"
        "2. From this folder run:\n\n"
        f"{import_command(ts, delimiter, multiline)}\n\n"
        "3. Start Neo4j, create the database if needed, and create the constraints the campaign-graph\n"
        "   Bolt store (push/pull) expects, for example with cypher-shell:\n\n"
        f"{constraints}\n\n"
        "The 'sources' property of nodes and relationships lists ids of :Source nodes.\n"
        "about.json lists the sources (title, publisher, licence) and says whether the export was redacted.\n"
    )


def check(graph: CampaignGraph) -> None:
    """Refuse what the files cannot keep (no free array delimiter, a label outside the schema)."""
    array_delimiter(tables(graph))


def write(graph: CampaignGraph, path: Path) -> list[Path]:
    """Write the CSV files, ``IMPORT.txt`` and ``about.json`` into the folder ``path``."""
    ts = tables(graph)
    delimiter = array_delimiter(ts)
    multiline = _needs_multiline(ts)
    files = {t.name: _csv_text(t, delimiter) for t in ts}
    files[README] = readme_text(graph, ts, delimiter, multiline)
    files["about.json"] = json.dumps(export_metadata(graph), ensure_ascii=False, indent=1) + "\n"
    return write_files(path, files)
