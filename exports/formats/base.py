"""What every snapshot-file exporter shares: rows, typed values, metadata, safety checks.

One module per format sits beside this one (after followthemoney's ``export/``); each has
``write(graph, path) -> list[Path]`` and writes every file atomically, and may have
``check(graph)``, which refuses what the format cannot keep before anything is written. :func:`export_graph`
picks the module, redacts first when asked, and checks where the files go.

Conventions shared by all formats
---------------------------------
- Columns and attribute names are the schema's property names; ``id``, ``kind``, ``name``
  and ``sources`` lead (the generic table format of :mod:`loaders.tables`).
- A list property is a list where the format has lists (JSON, Parquet, Cypher) and its
  items joined with ``"; "`` elsewhere (GraphML, GEXF, CSV, xlsx).
- Text cells of CSV and xlsx that a spreadsheet would run as a formula get a leading ``'``
  (:func:`neutralise`; OWASP's CSV-injection advice); numbers, negatives included, do not.
  The table loader removes that quote again (:func:`loaders.tables.unquote_cell`).
- Every export says whether it was redacted and lists its sources (title, publisher,
  licence) in its metadata: :func:`export_metadata`.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from graphmodel import schema
from graphmodel.cells import cell_text as _safe_cell
from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.records import SOURCE_FIELDS

#: format name -> module with ``write(graph, path) -> list[Path]``
FORMATS: dict[str, str] = {
    "graphml": "exports.formats.graphml",
    "gexf": "exports.formats.gexf",
    "json": "exports.formats.json_nodelink",
    "csv": "exports.formats.csv_tables",
    "parquet": "exports.formats.parquet_tables",
    "xlsx": "exports.formats.xlsx",
    "cypher": "exports.formats.cypher",
    "neo4j-admin": "exports.formats.neo4j_admin",
}

#: formats that write a folder of tables rather than one file
FOLDER_FORMATS = ("csv", "parquet", "neo4j-admin")
#: formats whose Site nodes carry coverage values as of a date (their ``write`` takes ``as_of``)
COVERAGE_FORMATS = ("graphml", "gexf")

NODE_LEAD = ("id", "kind", "name", "sources")
EDGE_LEAD = ("id", "source", "target", "kind", "sources")


LIST_JOIN = "; "

# characters XML 1.0 cannot carry at all (GraphML, GEXF and xlsx are XML)
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

TOOL = "campaign-graph"


def neutralise(text: str) -> str:
    """Text safe for a spreadsheet cell (:func:`graphmodel.cells.cell_text`).

    >>> neutralise("=HYPERLINK(1)"), neutralise("-5 %"), neutralise("Acme"), neutralise("'=x")
    ("'=HYPERLINK(1)", "'-5 %", 'Acme', "''=x")
    """
    return _safe_cell(text)


def prop_of(kind: str, name: str, *, edge: bool) -> schema.Prop | None:
    """The schema's :class:`~graphmodel.schema.Prop` for a node or edge property, if any."""
    props = schema.edge_props(kind) if edge else schema.node_props(kind)
    return props.get(name)


def _ordered(names: set[str], universe: Mapping[str, schema.Prop], lead: tuple[str, ...]) -> list[str]:
    rest = [p for p in universe if p in names and p not in lead]
    extra = sorted(names - set(universe) - set(lead))
    return list(lead) + rest + extra


def _always(graph: CampaignGraph) -> set[str]:
    # An unredacted table always has an ``origins`` column, even empty: it tells the loader
    # that the rows already carry their origins (see loaders.tables), so a round trip
    # through the table adds none and gives back an equal graph.
    return set() if is_redacted(graph) else {"origins"}


def node_columns(graph: CampaignGraph) -> list[str]:
    """Table columns for the nodes: the lead columns, then every property in use (schema order)."""
    used: set[str] = _always(graph)
    for _, a in graph.nodes():
        used.update(a)
    used.discard("kind")
    return _ordered(used, schema.all_node_props(), NODE_LEAD)


def edge_columns(graph: CampaignGraph) -> list[str]:
    """Table columns for the edges: the lead columns, then every property in use."""
    used: set[str] = _always(graph)
    for _, _, _, a in graph.edges():
        used.update(a)
    used.discard("kind")
    return _ordered(used, schema.all_edge_props(), EDGE_LEAD)


def node_rows(graph: CampaignGraph) -> Iterator[dict[str, Any]]:
    """One dict per node, typed values (lists as lists), ``id`` first; sorted by id."""
    for n, a in sorted(graph.nodes(), key=lambda x: x[0]):
        yield {"id": n, **a}


def edge_rows(graph: CampaignGraph) -> Iterator[dict[str, Any]]:
    """One dict per edge with ``id``, ``source``, ``target`` and its attributes; sorted by id."""
    for k, u, v, a in sorted(graph.edges(), key=lambda x: x[0]):
        yield {"id": k, "source": u, "target": v, **a}


def source_rows(graph: CampaignGraph) -> list[dict[str, Any]]:
    """The graph's sources as dicts in table column order, sorted by id."""
    return [{f: graph.sources[s].as_dict()[f] for f in SOURCE_FIELDS} for s in sorted(graph.sources)]


def source_citations(graph: CampaignGraph) -> list[dict[str, str]]:
    """The sources as a reader cites them: id, title, publisher, url, licence, retrieved."""
    keep = ("id", "title", "publisher", "url", "licence", "retrieved")
    return [{f: str(row[f]) for f in keep} for row in source_rows(graph)]


def is_redacted(graph: CampaignGraph) -> bool:
    """Whether ``graph`` came out of :func:`exports.redact.redact`."""
    from exports.redact import is_redacted as _is_redacted

    return _is_redacted(graph)


def write_files(folder: Path, files: Mapping[str, str]) -> list[Path]:
    """Write ``{name: text}`` into ``folder``, each file atomically and never outside it; the paths."""
    from graphmodel.atomic import atomic_write_text, inside

    written = []
    for name, text in files.items():
        target = inside(folder, name)
        atomic_write_text(target, text)
        written.append(target)
    return written


def export_metadata(graph: CampaignGraph) -> dict[str, Any]:
    """What every export says about itself.

    >>> m = export_metadata(CampaignGraph()); (m["tool"], m["redacted"], m["sources"])
    ('campaign-graph', False, [])
    """
    from exports.redact import redaction_summary

    return {
        "tool": TOOL,
        "schema_version": schema.SCHEMA_VERSION,
        "exported": date.today().isoformat(),
        "redacted": is_redacted(graph),
        "redaction": redaction_summary(graph),
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "sources": source_citations(graph),
    }


def flat(value: Any) -> Any:
    """A value for formats without lists: list items joined with ``"; "``.

    >>> flat(["a", "b"]), flat(3)
    ('a; b', 3)
    """
    if isinstance(value, (list, tuple)):
        return LIST_JOIN.join(str(x) for x in value)
    return value


def number_text(value: float) -> str:
    """A number as text that reads back exactly (``repr`` of floats)."""
    return repr(value) if isinstance(value, float) else str(value)


def percent_text(value: float) -> str:
    """A percentage as text the loader reads back: a fraction below 1 gets its ``%`` sign.

    (``parse_percent`` refuses a bare ``0.5`` as ambiguous: 0.5% or 50%?)

    >>> percent_text(51.0), percent_text(0.5), percent_text(0.0)
    ('51.0', '0.5%', '0.0')
    """
    text = number_text(value)
    return text + "%" if 0 < value < 1 else text


def cell_text(prop: schema.Prop | None, value: Any) -> str:
    """The text of one CSV cell: typed values in the form the loader parses, text neutralised.

    >>> from graphmodel.schema import Prop
    >>> cell_text(Prop("float"), -70.5), cell_text(Prop("str"), "-70.5"), cell_text(Prop("bool"), True)
    ('-70.5', "'-70.5", 'true')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        if prop is not None and prop.type == "percent":
            return percent_text(float(value))
        return number_text(value)
    return neutralise(str(flat(value)))


def check_xml_safe(graph: CampaignGraph, fmt: str, *, exact: bool = False) -> None:
    """Refuse, before writing, text that an XML format cannot carry (control characters).

    With ``exact`` (formats promised to load back equal: xlsx) a carriage return is refused
    too: XML readers turn it into a line feed, and openpyxl has no escape for it. The
    message names the node or edge and the property, never the value.
    """
    what = "a control character" + (" or a carriage return" if exact else "")

    def bad(v: Any) -> bool:
        if isinstance(v, str):
            return bool(_XML_ILLEGAL.search(v)) or (exact and "\r" in v)
        if isinstance(v, list):
            return any(bad(x) for x in v)
        return False

    hint = " (csv and json keep it)"
    for n, a in graph.nodes():
        if bad(n):
            raise CampaignGraphError(f"cannot write {fmt}: a node id contains {what}{hint}")
        for p, v in a.items():
            if bad(v):
                raise CampaignGraphError(f"cannot write {fmt}: node {n!r} property {p} contains {what}{hint}")
    for k, _, _, a in graph.edges():
        for p, v in a.items():
            if bad(v):
                raise CampaignGraphError(f"cannot write {fmt}: edge {k!r} property {p} contains {what}{hint}")
    for s in source_rows(graph):
        for p, v in s.items():
            if bad(v):
                raise CampaignGraphError(f"cannot write {fmt}: source {s['id']!r} field {p} contains {what}{hint}")


def check_table_safe(graph: CampaignGraph, fmt: str) -> None:
    """Refuse, before writing, a list item the table format cannot keep: one containing ``;``.

    Tables join list items with ``"; "`` and the loader splits on ``;``, so such an item
    would come back as two. The message names the node or edge and the property.
    """

    def bad(v: Any) -> bool:
        return isinstance(v, list) and any(";" in str(x) for x in v)

    for n, a in graph.nodes():
        for p, v in a.items():
            if bad(v):
                raise CampaignGraphError(
                    f"cannot write {fmt}: node {n!r} property {p} has an item containing ';' (the list separator "
                    "of the table format); json and parquet keep it"
                )
    for k, _, _, a in graph.edges():
        for p, v in a.items():
            if bad(v):
                raise CampaignGraphError(
                    f"cannot write {fmt}: edge {k!r} property {p} has an item containing ';' (the list separator "
                    "of the table format); json and parquet keep it"
                )


def writer(fmt: str) -> Any:
    """The exporter module of ``fmt``."""
    if fmt not in FORMATS:
        raise CampaignGraphError(f"unknown export format {fmt!r} (known: {', '.join(FORMATS)})")
    return importlib.import_module(FORMATS[fmt])


def prepare_folder(path: str | Path) -> Path:
    """The output folder of a folder format: created if missing (its parent must exist)."""
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise CampaignGraphError("expected a folder for this format, found a file", file=str(folder))
    if not folder.exists():
        if not folder.parent.is_dir():
            raise CampaignGraphError(f"folder {folder.parent} does not exist", file=str(folder))
        folder.mkdir()
    return folder


def export_graph(graph: CampaignGraph, fmt: str, path: str | Path, *, redacted: bool = False,
                 as_of: Any = None) -> list[Path]:
    """Write ``graph`` as ``fmt`` to ``path`` (a file, or a folder for csv/parquet).

    Parameters
    ----------
    graph
        The graph to export.
    fmt
        One of :data:`FORMATS`.
    path
        The file to write; for ``csv`` and ``parquet`` a folder (created if missing) that
        receives ``nodes``, ``edges`` and ``sources`` tables.
    redacted
        Export :func:`exports.redact.redact` of the graph instead of the graph (coverage values,
        too, are then those of the redacted graph).
    as_of
        For :data:`COVERAGE_FORMATS`: the date of the sites' coverage values (default today);
        refused for the other formats, which carry none.

    Returns
    -------
    The files written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> g = CampaignGraph(); _ = g.add_node("acme", "Company", "Acme Steel")
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "g.json"
    >>> [p.name for p in export_graph(g, "json", out, redacted=True)]
    ['g.json']
    """
    mod = writer(fmt)
    if as_of is not None and fmt not in COVERAGE_FORMATS:
        raise CampaignGraphError(f"as_of applies to {' and '.join(COVERAGE_FORMATS)} only (their sites carry "
                                 f"coverage values); {fmt} carries no dated answer")
    if redacted:
        from exports.redact import redact

        graph = redact(graph)
    check = getattr(mod, "check", None)
    if check is not None:  # refuse what the format cannot keep before anything is created
        check(graph)
    target = prepare_folder(path) if fmt in FOLDER_FORMATS else Path(path)
    if fmt not in FOLDER_FORMATS and target.is_dir():
        raise CampaignGraphError(f"expected a file name for {fmt}, found a folder", file=str(target))
    extra = {"as_of": as_of} if fmt in COVERAGE_FORMATS else {}
    written: list[Path] = mod.write(graph, target, **extra)
    return written
