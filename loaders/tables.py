"""The generic table format: ``nodes.csv``, ``edges.csv``, ``sources.csv``.

A folder holding the three CSV files, or one .xlsx with sheets ``nodes``, ``edges`` and
``sources``. Columns:

- ``nodes``: ``id, kind, name, sources`` then any schema property (``country``, ``workforce``...);
  list properties (``aliases``, ``gem_id``...) are ``;``-separated.
- ``edges``: ``source, target, kind, sources`` then properties (``share, valid_from, valid_to,
  recognised, members, role``...); an optional ``id`` column names the edge.
- ``sources``: ``id, title, publisher, url, retrieved, licence`` (and optionally ``file``,
  ``confidential``).

Property names are exactly the schema's (see docs/schema.md). Every bad row is
reported at file/sheet/row/column and skipped; good rows load. A cell for a property the row's
kind lacks, or an enum text outside the vocabulary, is a warning and the row loads
(:func:`set_aside`, :func:`settle_enums`; docs/formats.md "Generic tables").
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from operator import methodcaller
from pathlib import Path

from graphmodel import schema
from graphmodel.cells import formula_like
from graphmodel.records import EdgeRecord, NodeRecord, Source
from graphmodel.values import coerce, is_answer, is_missing, parse_bool, parse_date
from loaders.context import LoadContext, Location
from loaders.readers import MAX_CELL_CHARS, Table, read_csv, read_xlsx, too_long, xlsx_sheet_names

NODE_LEAD = ("id", "kind", "name", "sources")
EDGE_LEAD = ("id", "source", "target", "kind", "sources")
SOURCE_COLUMNS = ("id", "title", "publisher", "url", "file", "retrieved", "licence", "loaded", "confidential")
SHEETS = ("nodes", "edges", "sources")


def sniff(path: Path) -> bool:
    """A folder with nodes.csv, or an .xlsx with a ``nodes`` sheet."""
    if path.is_dir():
        return (path / "nodes.csv").is_file()
    if path.suffix.lower() == ".xlsx":
        names = xlsx_sheet_names(path)
        return names is not None and "nodes" in [s.casefold() for s in names]
    return path.name.casefold() in ("nodes.csv", "edges.csv")


def _tables(path: Path, ctx: LoadContext | None = None) -> dict[str, Table | None]:
    if path.is_dir():
        out: dict[str, Table | None] = {}
        for name in SHEETS:
            f = path / f"{name}.csv"
            out[name] = read_csv(f, display=str(f)) if f.is_file() else None
        return out
    if path.suffix.lower() == ".xlsx":
        hidden: list[str] = []
        sheets = read_xlsx(path, hidden=hidden)
        for name in hidden:
            if ctx is not None and name.casefold() in SHEETS:
                ctx.error(f"sheet {name!r} is hidden and was not loaded (unhide it to load its rows)",
                          file=str(path), sheet=name, reject_row=False)
        by_name = {k.casefold(): v for k, v in sheets.items()}
        return {name: by_name.get(name) for name in SHEETS}
    if path.suffix.lower() == ".csv":
        folder = path.parent
        return {name: (read_csv(folder / f"{name}.csv") if (folder / f"{name}.csv").is_file() else None) for name in SHEETS}
    from graphmodel.errors import CampaignGraphError

    raise CampaignGraphError("expected a folder with nodes.csv/edges.csv/sources.csv or an .xlsx", file=str(path))




def unquote_cell(text: str) -> str:
    """Undo the formula neutralisation of :mod:`exports.formats` (one leading ``'``).

    An export writes ``'`` before a cell whose text (after any leading quotes) starts with a
    formula trigger, so only such a quote is removed and ``'abc`` stays as it is.

    >>> unquote_cell("'=1+1"), unquote_cell("''=x"), unquote_cell("'abc")
    ('=1+1', "'=x", "'abc")
    """
    if text.startswith("'") and formula_like(text[1:]):
        return text[1:]
    return text


_QUOTED = methodcaller("startswith", "'")


def check_row(ctx: LoadContext, t: Table, rownum: int, row: dict[str, str]) -> bool:
    vals = row.values()
    if "\x00extra" not in row and not any(map(_QUOTED, vals)) and not too_long(max(map(len, vals), default=0)):
        return True  # the common row: nothing to unquote, no extra cells, no overlong cell (C-level checks)
    for col, val in row.items():
        if val.startswith("'"):
            row[col] = unquote_cell(val)
    loc = Location(t.file, rownum, t.sheet)
    if row.pop("\x00extra", None):
        ctx.error_at(loc, "row has more cells than the header has columns")
        return False
    for col, val in row.items():
        if too_long(len(val)):
            ctx.error_at(loc, f"cell longer than {MAX_CELL_CHARS} characters", column=col)
            return False
    return True


def load(path: str | Path, ctx: LoadContext) -> None:
    """Read a generic-table folder or workbook into ``ctx``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "nodes.csv").write_text("id,kind,name\\nam,Company,ArcelorMittal SA\\n")
    >>> ctx = LoadContext(); load(d, ctx); [r.id for r, _, _ in ctx.nodes]
    ['am']
    """
    from graphmodel.gcpause import paused_gc

    with paused_gc():  # rows and records are all kept: the collector's passes would be pure cost
        _load(Path(path), ctx)


def _load(p: Path, ctx: LoadContext) -> None:
    tables = _tables(p, ctx)
    if tables["nodes"] is None and tables["edges"] is None:
        from graphmodel.errors import CampaignGraphError

        raise CampaignGraphError("no nodes or edges table found", file=str(p))
    load_tables(tables, ctx)


def load_tables(tables: Mapping[str, Table | None], ctx: LoadContext) -> None:
    """Check the rows of the ``sources``, ``nodes`` and ``edges`` tables (any may be missing or
    None) into ``ctx``: a folder's, or tables made in memory (:mod:`exports.edits`)."""
    if tables.get("sources") is not None:
        load_sources(tables["sources"], ctx)  # type: ignore[arg-type]
    if tables.get("nodes") is not None:
        _load_nodes(tables["nodes"], ctx)  # type: ignore[arg-type]
    if tables.get("edges") is not None:
        _load_edges(tables["edges"], ctx)  # type: ignore[arg-type]


def load_sources(t: Table, ctx: LoadContext) -> None:
    if "id" not in t.header:
        ctx.error("sources table has no id column", file=t.file, sheet=t.sheet, row=1, column="id", reject_row=False)
        return
    extra = [h for h in t.header if h and h not in SOURCE_COLUMNS]
    for h in extra:
        ctx.error(f"unknown column {h!r} in the sources table (ignored)", file=t.file, sheet=t.sheet, row=1, column=h, reject_row=False)
    seen: dict[str, dict[str, str]] = {}
    for rownum, row in t.rows:
        ctx.rows_read[f"{t.file}:{t.sheet or ''}"] += 1
        if not check_row(ctx, t, rownum, row):
            continue
        sid = row.get("id", "").strip()
        if not sid:
            ctx.error("source has no id", file=t.file, sheet=t.sheet, row=rownum, column="id")
            continue
        values = {c: row.get(c, "").strip() for c in SOURCE_COLUMNS if c != "confidential"}
        if sid in seen and seen[sid] != values:
            ctx.error(f"duplicate source id {sid!r} with different values", file=t.file, sheet=t.sheet, row=rownum, column="id")
            continue
        seen[sid] = values
        retrieved = values["retrieved"]
        if retrieved:
            try:
                retrieved = parse_date(retrieved)
            except ValueError as e:
                ctx.error(str(e), file=t.file, sheet=t.sheet, row=rownum, column="retrieved")
                continue
        confidential = False
        if row.get("confidential", "").strip():
            try:
                confidential = parse_bool(row["confidential"])
            except ValueError as e:
                ctx.error(str(e), file=t.file, sheet=t.sheet, row=rownum, column="confidential")
                continue
        ctx.add_source(
            Source(
                id=sid,
                title=values["title"],
                publisher=values["publisher"],
                url=values["url"],
                file=values["file"],
                retrieved=retrieved,
                licence=values["licence"],
                loaded=values["loaded"],
                confidential=confidential,
            )
        )


#: what a cell does for its row (:func:`cell_status`, :func:`enum_status`)
ABSENT, KEEP, ASIDE, OTHER = "absent", "keep", "aside", "other"


def cell_status(prop: schema.Prop | None, text: str, known: bool) -> str:
    """What a row keeps of cell ``text`` of a property column: ``prop`` is the property for the
    row's kind (None: the kind has none of that name), ``known`` whether the column is a
    schema property at all. ``ABSENT``: empty, or a missing-value spelling that is no answer
    (:func:`graphmodel.values.is_answer`), or an unknown column (reported once, for the
    header); ``ASIDE``: a property of other kinds (the row loads, the cell is set aside);
    ``KEEP``: the graph parses it.

    >>> cell_status(schema.node_props("Site")["status"], "n/a", True), cell_status(None, "DE", True)
    ('absent', 'aside')
    """
    if not text or (is_missing(text) and not is_answer(prop, text)):
        return ABSENT
    if prop is None:
        return ASIDE if known else ABSENT
    return KEEP


def enum_status(name: str, prop: schema.Prop, text: str, allowed: Mapping[str, schema.Prop]) -> str:
    """For an enum cell: ``KEEP`` when it is a value or a synonym of one, else ``OTHER`` (kept
    as ``other``, the text in ``<name>_raw``) where the kind has both, else ``ASIDE``.

    >>> enum_status("role", schema.edge_props("PARTY_TO")["role"], "co-signer", schema.edge_props("PARTY_TO"))
    'other'
    """
    try:
        coerce(prop, text)
        return KEEP
    except ValueError:
        return OTHER if "other" in prop.values and f"{name}_raw" in allowed else ASIDE


def split_props(
    ctx: LoadContext, t: Table, rownum: int, row: dict[str, str], allowed: dict[str, schema.Prop], lead: tuple[str, ...], kind: str
) -> dict[str, str] | None:
    props: dict[str, str] = {}
    aside: list[str] = []
    known = _all_props(lead)
    for col, val in row.items():
        if not val or col in lead:  # "" first: most cells of a wide table are empty
            continue
        status = cell_status(allowed.get(col), val, col in known)
        if status == ASIDE:
            aside.append(col)
        elif status == KEEP:
            props[col] = val
    if aside or any(allowed[p].type == "enum" for p in props):
        loc = Location(t.file, rownum, t.sheet)
        for col in aside:
            set_aside(ctx, loc, kind, col, row[col], f"a {kind} has no property {col!r}; the cell is left out")
        settle_enums(ctx, loc, kind, props, allowed)
    return props


@cache
def _sensitive(kind: str, column: str) -> bool:
    """True when a ``column`` cell of a ``kind`` row may be sensitive: the kind is, or the
    column is a sensitive property of another kind (``email`` on a Company row is still an
    email; a sensitive kind's own properties, such as a Person's country, count for it alone)."""
    k = schema.NODE_KINDS.get(kind) or schema.EDGE_KINDS.get(kind)
    if k is not None and k.sensitive:
        return True
    kinds = [*schema.NODE_KINDS.values(), *schema.EDGE_KINDS.values()]
    tables = [schema.COMMON_NODE_PROPS, schema.COMMON_EDGE_PROPS, *(x.props for x in kinds if not x.sensitive)]
    return any(column in t and t[column].sensitive for t in tables)


def set_aside(ctx: LoadContext, loc: Location, kind: str, column: str, value: str, message: str) -> None:
    """Keep a cell out of the graph while its row loads: a warning naming file, row and column,
    and an entry in the load report's ``set_aside`` (without the text when it may be sensitive)."""
    entry: dict[str, object] = {"file": loc.file, "sheet": loc.sheet, "row": loc.row, "column": column, "kind": kind}
    if not _sensitive(kind, column):
        entry["value"] = value
    ctx.set_aside.append(entry)
    ctx.warn_at(loc, column, message)


def settle_enums(
    ctx: LoadContext, loc: Location, kind: str, props: dict[str, str], allowed: Mapping[str, schema.Prop],
    columns: Mapping[str, str] | None = None,
) -> None:
    """Enum cells of ``props`` (in place) that are neither a value nor a synonym of one
    (:data:`graphmodel.schema.ENUM_SYNONYMS`): kept as ``other`` with the text in ``<prop>_raw``
    where the enum lists ``other``, else left unknown and set aside; a warning either way.

    >>> ctx, props = LoadContext(), {"role": "co-signer"}
    >>> settle_enums(ctx, Location("e.csv", 3), "PARTY_TO", props, schema.edge_props("PARTY_TO"))
    >>> props, ctx.warnings
    ({'role': 'other', 'role_raw': 'co-signer'}, ["e.csv:3: column 'role': not one of employer, union, witness, other (nor a synonym): kept as other, the text in role_raw"])
    """
    for p in [p for p, prop in allowed.items() if prop.type == "enum" and p in props]:
        prop, val = allowed[p], props[p]
        status = enum_status(p, prop, val, allowed)
        if status == KEEP:
            continue
        col = (columns or {}).get(p, p)
        what = f"not one of {', '.join(prop.values)} (nor a synonym)"
        raw = f"{p}_raw"
        if status == OTHER:
            props[p] = "other"
            if not props.get(raw):
                props[raw] = str(val).strip()
            ctx.warn_at(loc, col, f"{what}: kept as other, the text in {raw}")
        else:
            del props[p]
            set_aside(ctx, loc, kind, col, str(val), f"{what}: left unknown")


@cache
def _all_props(lead: tuple[str, ...]) -> frozenset[str]:
    return frozenset(schema.all_node_props() if lead == NODE_LEAD else schema.all_edge_props())


def header_check(ctx: LoadContext, t: Table, lead: tuple[str, ...], required: tuple[str, ...]) -> bool:
    known = _all_props(lead) | set(lead)
    for h in t.header:
        if h and h not in known:
            ctx.error(f"unknown column {h!r} (not a property in the schema; ignored)", file=t.file, sheet=t.sheet, row=1, column=h, reject_row=False)
    missing = [c for c in required if c not in t.header]
    for c in missing:
        ctx.error(f"missing required column {c!r}", file=t.file, sheet=t.sheet, row=1, column=c, reject_row=False)
    return not missing


def source_list(text: str) -> tuple[str, ...]:
    """The source ids of a ``sources`` cell (``;``-separated, blanks dropped).

    >>> source_list(" s1; ;s2 ")
    ('s1', 's2')
    """
    return tuple(s.strip() for s in text.split(";") if s.strip())


def node_name(text: str) -> str | None:
    """The name a ``name`` cell gives its node (None: none, the graph names it by its id)."""
    return text.strip() or None


def _sources_of(row: dict[str, str], memo: dict[str, tuple[str, ...]] | None = None) -> tuple[str, ...]:
    raw = row.get("sources", "")
    if memo is not None and raw in memo:
        return memo[raw]  # the same few source lists repeat on every row
    out = source_list(raw)
    if memo is not None:
        memo[raw] = out
    return out


def _load_nodes(t: Table, ctx: LoadContext) -> None:
    if not header_check(ctx, t, NODE_LEAD, ("id", "kind")):
        return
    node_rows(ctx, t, t.rows)


def node_rows(ctx: LoadContext, t: Table, rows: list[tuple[int, dict[str, str]]]) -> None:
    """Check ``rows`` of the nodes table ``t`` one by one and emit their records into ``ctx``.

    The header was checked already; :mod:`loaders._fast_tables` sends the rows its
    column-wise checks cannot vouch for through here, so their errors read the same.

    >>> ctx = LoadContext(); t = Table("n.csv", None, ["id", "kind"], [])
    >>> node_rows(ctx, t, [(2, {"id": "a", "kind": "Company"}), (3, {"id": " ", "kind": "Company"})])
    >>> [r.id for r, _, _ in ctx.nodes], [(e.row, e.column) for e in ctx.errors]
    (['a'], [(3, 'id')])
    """
    # per-table memos: the allowed properties of a kind and the parsed source lists repeat
    props_of: dict[str, dict[str, schema.Prop]] = {}
    src_memo: dict[str, tuple[str, ...]] = {}
    kind_memo: dict[str, str | None] = {}
    counter = f"{t.file}:{t.sheet or ''}"
    origin = _origin(t)
    for rownum, row in rows:
        ctx.rows_read[counter] += 1
        if not check_row(ctx, t, rownum, row):
            continue
        loc = Location(t.file, rownum, t.sheet)
        nid = row.get("id", "").strip()
        if not nid:
            ctx.error_at(loc, "node has no id", column="id")
            continue
        raw_kind = row.get("kind", "")
        kind = kind_memo.get(raw_kind) if raw_kind in kind_memo else kind_memo.setdefault(
            raw_kind, schema.canonical_node_kind(raw_kind)
        )
        if kind is None:
            ctx.error_at(loc, f"unknown node kind {row.get('kind', '')!r} (known: {', '.join(schema.NODE_KINDS)})", column="kind")
            continue
        allowed = props_of.get(kind)
        if allowed is None:
            allowed = props_of[kind] = dict(schema.node_props(kind))
        props = split_props(ctx, t, rownum, row, allowed, NODE_LEAD, kind)
        if props is None:
            continue
        name = node_name(row.get("name", ""))
        ctx.emit_node(NodeRecord(nid, kind, name, props, _sources_of(row, src_memo), origin=origin), loc)


def _load_edges(t: Table, ctx: LoadContext) -> None:
    if not header_check(ctx, t, EDGE_LEAD, ("source", "target", "kind")):
        return
    edge_rows(ctx, t, t.rows)


def edge_rows(ctx: LoadContext, t: Table, rows: list[tuple[int, dict[str, str]]]) -> None:
    """Check ``rows`` of the edges table ``t`` one by one and emit their records (see :func:`node_rows`).

    >>> ctx = LoadContext(); t = Table("e.csv", None, ["source", "target", "kind"], [])
    >>> edge_rows(ctx, t, [(2, {"source": "a", "target": "b", "kind": "owns"})])
    >>> [(r.source, r.target, r.kind) for r, _, _ in ctx.edges]
    [('a', 'b', 'OWNS')]
    """
    props_of: dict[str, dict[str, schema.Prop]] = {}
    src_memo: dict[str, tuple[str, ...]] = {}
    kind_memo: dict[str, str | None] = {}
    counter = f"{t.file}:{t.sheet or ''}"
    origin = _origin(t)
    for rownum, row in rows:
        ctx.rows_read[counter] += 1
        if not check_row(ctx, t, rownum, row):
            continue
        loc = Location(t.file, rownum, t.sheet)
        raw_kind = row.get("kind", "")
        kind = kind_memo.get(raw_kind) if raw_kind in kind_memo else kind_memo.setdefault(
            raw_kind, schema.canonical_edge_kind(raw_kind)
        )
        if kind is None:
            ctx.error_at(loc, f"unknown edge kind {row.get('kind', '')!r} (known: {', '.join(schema.EDGE_KINDS)})", column="kind")
            continue
        src, dst = row.get("source", "").strip(), row.get("target", "").strip()
        if not src or not dst:
            ctx.error_at(loc, "edge needs both a source and a target", column="source" if not src else "target")
            continue
        allowed = props_of.get(kind)
        if allowed is None:
            allowed = props_of[kind] = dict(schema.edge_props(kind))
        props = split_props(ctx, t, rownum, row, allowed, EDGE_LEAD, kind)
        if props is None:
            continue
        eid = row.get("id", "").strip() or None
        ctx.emit_edge(EdgeRecord(src, dst, kind, props, _sources_of(row, src_memo), id=eid, origin=origin), loc)


def _origin(t: Table) -> str | None:
    # A table with an ``origins`` column (a campaign-graph export) already says where each
    # fact came from; the exported file is not a new origin, so none is added (an empty
    # origin is skipped by the graph) and export -> load gives back an equal graph.
    return "" if "origins" in t.header else None
