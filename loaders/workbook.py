"""The planner's workbook: one friendly .xlsx sheet per thing, for people who live in Excel.

Sheets (names any case; all optional, but at least one must be there): ``sources``,
``companies``, ``investors``, ``sites``, ``unions``, ``networks``, ``agreements``,
``ownership``, ``representation``, ``supply``, ``signatories``, ``coverage``,
``network members``, ``events``, ``campaigns``. Each sheet's columns have friendly headers ("Company id",
"Country (ISO code)", "Share %", "Valid from"...) that :data:`SHEETS` maps to schema
properties: that table is the only place that knows the mapping, and the template
(:func:`write_template`), the loader and the table in docs/formats.md are all derived from it.

Row 1 holds the headers. The template puts a help row (row 2) under them, which the
loader skips when it still reads as the template wrote it; data rows are numbered as
Excel shows them. Every rejected row is reported with file, sheet, row and the friendly
column header; good rows load.

A few node sheets also declare an edge on the same row: a site's "Operator id" makes an
OPERATES edge from that company, a union's "Affiliated to (union id)" an AFFILIATED_TO
edge, an event's "Involves id" an INVOLVES edge, a campaign's "Target id" a TARGETS edge. A problem with that link rejects only the link, reported at the same row.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphmodel import schema
from graphmodel.errors import CampaignGraphError
from graphmodel.records import EdgeRecord, NodeRecord, Source
from graphmodel.values import is_answer, is_missing, parse_bool, parse_date
from loaders.context import LoadContext, Location
from loaders.readers import MAX_CELL_CHARS, Table, read_xlsx, xlsx_sheet_names
from loaders.tables import settle_enums

#: how many rows of the template carry drop-down lists (data validation)
TEMPLATE_ROWS = 2000


@dataclass(frozen=True)
class Column:
    """One friendly column.

    ``field`` says where the value goes: ``id``/``name``/``sources`` of a node,
    ``source``/``target``/``sources`` of an edge, a schema property name, a Source field
    (``sources`` sheet), or ``KIND:end`` / ``KIND:prop`` for the edge a node row declares
    (``OPERATES:source`` is the other end of the site's OPERATES edge).
    """

    header: str
    field: str
    help: str
    required: bool = False


@dataclass(frozen=True)
class Sheet:
    """One sheet of the workbook: which element it makes and its columns."""

    name: str
    element: str  # "node", "edge" or "source"
    kind: str  # node or edge kind ("" for sources)
    doc: str
    columns: tuple[Column, ...]


def _c(header: str, field: str, help: str, required: bool = False) -> Column:
    return Column(header, field, help, required)


_SOURCES = _c("Sources (ids, ; separated)", "sources", "ids from the sources sheet that state this row")
_NOTES = _c("Notes (confidential)", "notes", "free text; dropped from redacted exports")
_FROM = _c("Valid from", "valid_from", "date the relation began (YYYY-MM-DD, YYYY-MM or YYYY); empty = unknown/open")
_TO = _c("Valid to", "valid_to", "date the relation ended; empty = still in force")
_ALIASES = _c("Aliases (; separated)", "aliases", "other names it goes by")

#: THE mapping of friendly sheets and headers to the schema (the template, loader and docs read it)
SHEETS: tuple[Sheet, ...] = (
    Sheet("sources", "source", "", "where facts come from; other sheets cite these ids", (
        _c("Source id", "id", "a short id you choose, e.g. ar-2024", True),
        _c("Title", "title", "title of the document or dataset"),
        _c("Publisher", "publisher", "who published it"),
        _c("URL", "url", "web address"),
        _c("File", "file", "local file name (confidential: dropped from redacted exports)"),
        _c("Retrieved", "retrieved", "date you read it (YYYY-MM-DD)"),
        _c("Licence", "licence", "e.g. CC BY 4.0"),
        _c("Confidential (yes/no)", "confidential", "yes = never name this source in redacted exports"),
    )),
    Sheet("companies", "node", "Company", "companies: parents, subsidiaries, joint ventures, holdings", (
        _c("Company id", "id", "a stable id you choose, e.g. acme-steel", True),
        _c("Name", "name", "legal or usual name"),
        _c("Country (ISO code)", "country", "two-letter ISO 3166-1 code of incorporation, e.g. LU"),
        _c("HQ country (ISO code)", "hq_country", "two-letter code of the headquarters"),
        _c("Legal form", "legal_form", "e.g. SA, Ltd, GmbH"),
        _c("Listed (yes/no)", "listed", "listed on a stock exchange"),
        _c("LEI", "lei", "20-character Legal Entity Identifier"),
        _c("Wikidata id", "wikidata", "e.g. Q12345"),
        _c("Registry ids (; separated)", "registry_ids", "company register numbers"),
        _ALIASES,
        _c("Former names (; separated)", "former_names", "earlier names, each optionally 'Name (until YYYY-MM-DD)'"),
        _c("Website", "website", "web address"),
        _SOURCES,
        _NOTES,
    )),
    Sheet("investors", "node", "Investor", "shareholders and lenders (pension funds, asset managers)", (
        _c("Investor id", "id", "a stable id you choose", True),
        _c("Name", "name", "name of the fund or lender"),
        _c("Country (ISO code)", "country", "two-letter ISO code"),
        _c("Workers' capital (yes/no)", "workers_capital", "yes when union trustees sit on its board"),
        _SOURCES,
        _NOTES,
    )),
    Sheet("sites", "node", "Site", "workplaces: mines, smelters, plants, ports, offices", (
        _c("Site id", "id", "a stable id you choose, e.g. site-a", True),
        _c("Name", "name", "name of the workplace"),
        _c("Operator id", "OPERATES:source", "id of the operating company (companies sheet)"),
        _c("Operator share %", "OPERATES:share", "operator's equity in the site, 0-100, if known"),
        _c("Site type", "site_type", "mine, smelter, refinery, steel plant, rolling mill, port, office..."),
        _c("Commodity", "commodity", "e.g. steel, iron ore, copper"),
        _c("Country (ISO code)", "country", "two-letter ISO code"),
        _c("Region", "subnational", "state, province or region"),
        _c("Latitude", "lat", "decimal degrees"),
        _c("Longitude", "lon", "decimal degrees"),
        _c("Status", "status", "operating, idle, closed, planned..."),
        _c("Workforce", "workforce", "number of workers (whole number)"),
        _c("Precarious share %", "precarious_share", "share of contract/temporary workers, 0-100"),
        _c("Union status", "union_status", "none only when a source says there is no union; else leave empty"),
        _c("Union status date", "union_status_date", "date of that statement"),
        _c("CBA status", "cba_status", "none only when a source says there is no agreement; else leave empty"),
        _c("CBA status date", "cba_status_date", "date of that statement"),
        _ALIASES,
        _SOURCES,
        _NOTES,
    )),
    Sheet("unions", "node", "Union", "trade unions: locals, national unions, federations, global unions", (
        _c("Union id", "id", "a stable id you choose", True),
        _c("Name", "name", "name of the union"),
        _c("Level", "level", "local, national, federation, global, regional, other"),
        _c("Country (ISO code)", "country", "two-letter ISO code"),
        _c("Affiliated to (union id)", "AFFILIATED_TO:target", "id of the federation or global union it belongs to"),
        _c("Website", "website", "web address"),
        _ALIASES,
        _SOURCES,
        _NOTES,
    )),
    Sheet("networks", "node", "UnionNetwork", "company-wide union networks", (
        _c("Network id", "id", "a stable id you choose", True),
        _c("Name", "name", "name of the network"),
        _c("Company id", "company", "id of the multinational the network covers"),
        _c("Coordinator", "coordinator", "coordinating union or federation"),
        _c("Founded", "founded", "date founded"),
        _SOURCES,
        _NOTES,
    )),
    Sheet("agreements", "node", "Agreement", "collective agreements, framework agreements, H&S agreements", (
        _c("Agreement id", "id", "a stable id you choose", True),
        _c("Name", "name", "title of the agreement"),
        _c("Type", "agreement_type", "cba, gfa (global framework), hs (health & safety), efa (European), other"),
        _c("Signed", "signed", "date signed (YYYY-MM-DD)"),
        _c("Expires", "expires", "end date; empty = no end date"),
        _c("Renewal", "renewal", "tacit (renews itself), unknown, none"),
        _c("Scope", "scope", "gfa/hs only: controlled, majority_owned, all_subsidiaries, suppliers_included, unknown"),
        _c("Clauses (; separated)", "clauses", "e.g. precarious work; subcontractors; H&S; freedom of association"),
        _c("URL", "url", "where the text is"),
        _SOURCES,
        _NOTES,
    )),
    Sheet("ownership", "edge", "OWNS", "who owns whom (one row per holding)", (
        _c("Owner id", "source", "id of the owning company, investor or person", True),
        _c("Company id", "target", "id of the company owned", True),
        _c("Share %", "share", "equity held, 0-100; empty = not published (never guess)"),
        _c("Voting %", "voting", "voting rights held, 0-100, when they differ from the share"),
        _c("Control", "control", "yes / no / joint / unknown (consolidated, joint venture...)"),
        _FROM,
        _TO,
        _SOURCES,
        _NOTES,
    )),
    Sheet("representation", "edge", "REPRESENTS", "which union represents workers where", (
        _c("Union id", "source", "id from the unions sheet", True),
        _c("Site or company id", "target", "id from the sites or companies sheet", True),
        _c("Members", "members", "number of members (sensitive: dropped from redacted exports)"),
        _c("Recognised (yes/no)", "recognised", "recognised for bargaining; empty = unknown"),
        _c("Bargaining unit", "bargaining_unit", "which workers the union bargains for"),
        _FROM,
        _TO,
        _SOURCES,
        _NOTES,
    )),
    Sheet("supply", "edge", "SUPPLIES", "supply relations between sites and companies", (
        _c("Supplier id", "source", "id of the supplying site or company", True),
        _c("Customer id", "target", "id of the receiving site or company", True),
        _c("Commodity", "commodity", "what is supplied"),
        _c("Volume", "volume", "amount (number)"),
        _c("Unit", "unit", "unit of the volume, e.g. t/year"),
        _FROM,
        _TO,
        _SOURCES,
        _NOTES,
    )),
    Sheet("signatories", "edge", "PARTY_TO", "who signed which agreement", (
        _c("Signatory id", "source", "id of the signing company or union", True),
        _c("Agreement id", "target", "id from the agreements sheet", True),
        _c("Role", "role", "employer, union, witness, other"),
        _FROM,
        _TO,
        _SOURCES,
        _NOTES,
    )),
    Sheet("coverage", "edge", "COVERS", "explicit coverage of sites or companies by an agreement", (
        _c("Agreement id", "source", "id from the agreements sheet", True),
        _c("Site or company id", "target", "id of the covered (or excluded) site or company", True),
        _c("Excluded (yes/no)", "excluded", "yes = the agreement explicitly excludes it"),
        _FROM,
        _TO,
        _SOURCES,
        _NOTES,
    )),
    Sheet("network members", "edge", "MEMBER_OF", "unions in a company-wide union network", (
        _c("Union id", "source", "id from the unions sheet", True),
        _c("Network id", "target", "id from the networks sheet", True),
        _FROM,
        _TO,
        _SOURCES,
        _NOTES,
    )),
    Sheet("events", "node", "Event", "dated incidents: union busting, dismissals, fatalities, strikes, renamings", (
        _c("Event id", "id", "a stable id you choose; repeat the row to name more than one party", True),
        _c("Name", "name", "short title"),
        _c("Date", "date", "when it happened (YYYY-MM-DD)"),
        _c("Event type", "event_type", "e.g. union busting, dismissal, fatality, strike, renaming, relocation"),
        _c("Severity", "severity", "a whole number, higher is worse"),
        _c("Description", "description", "what happened, from the source"),
        _c("Involves id", "INVOLVES:target", "id of the company, site or union involved"),
        _SOURCES,
        _NOTES,
    )),
    Sheet("campaigns", "node", "Campaign", "campaigns and organizing projects", (
        _c("Campaign id", "id", "a stable id you choose; repeat the row to name more than one target", True),
        _c("Name", "name", "name of the campaign"),
        _c("Goal (confidential)", "goal", "what it aims for; dropped from redacted exports"),
        _c("Status", "status", "e.g. planned, active, won, closed"),
        _c("Start", "start", "start date"),
        _c("End", "end", "end date"),
        _c("Target id", "TARGETS:target", "id of the company or site targeted"),
        _SOURCES,
        _NOTES,
    )),
)

#: sheets the loader ignores without a word (instructions a planner may add)
IGNORED_SHEETS = ("help", "readme", "instructions", "lists")


def header_key(text: str) -> str:
    """Header matching ignores case, spacing and punctuation other than ``%``.

    >>> header_key(" Share% "), header_key("country (iso code)")
    ('share%', 'countryisocode')
    """
    return re.sub(r"[^\w%]+", "", text.casefold())


def _sheet_key(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", text.casefold())


def sheet_spec(name: str) -> Sheet | None:
    """The spec of the sheet called ``name`` (any case and spacing), or None."""
    key = _sheet_key(name)
    for s in SHEETS:
        if _sheet_key(s.name) == key:
            return s
    return None


def _column_lookup(sheet: Sheet) -> dict[str, Column]:
    """Friendly header -> column; the bare field name (``country``) is accepted too."""
    out: dict[str, Column] = {}
    for c in sheet.columns:
        out.setdefault(header_key(c.header), c)
        # "Country (ISO code)" may also be written "Country"
        out.setdefault(header_key(c.header.split("(")[0]), c)
        out.setdefault(header_key(c.field), c)
    return out


def _prop_spec(sheet: Sheet, field: str) -> schema.Prop | None:
    if sheet.element == "node":
        if ":" in field:
            kind, _, p = field.partition(":")
            return schema.edge_props(kind).get(p)
        return schema.node_props(sheet.kind).get(field)
    if sheet.element == "edge":
        return schema.edge_props(sheet.kind).get(field)
    return None


# ---------------------------------------------------------------------------- loading
def sniff(path: Path) -> bool:
    """An .xlsx whose sheets include at least one planner's sheet and no ``nodes`` sheet."""
    if path.is_dir() or path.suffix.lower() != ".xlsx":
        return False
    names = xlsx_sheet_names(path)
    if names is None:
        return False
    if any(n.casefold() == "nodes" for n in names):
        return False
    return any(sheet_spec(n) is not None for n in names)


def load(path: str | Path, ctx: LoadContext) -> None:
    """Read a planner's workbook into ``ctx``: sources first, then nodes, then edges.

    Examples
    --------
    >>> import tempfile, pathlib, openpyxl
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "plan.xlsx"
    >>> wb = openpyxl.Workbook(); ws = wb.active; ws.title = "companies"
    >>> ws.append(["Company id", "Name", "Country (ISO code)"]); ws.append(["acme", "Acme Steel", "DE"])
    >>> wb.save(p)
    >>> ctx = LoadContext(); load(p, ctx); [(r.id, r.props) for r, _, _ in ctx.nodes]
    [('acme', {'country': 'DE'})]
    """
    p = Path(path)
    hidden: list[str] = []
    tables = read_xlsx(p, hidden=hidden)
    for name in hidden:
        if sheet_spec(name) is not None:
            ctx.error(f"sheet {name!r} is hidden and was not loaded (unhide it to load its rows)",
                      file=str(p), sheet=name, reject_row=False)
    found: list[tuple[Sheet, Table]] = []
    for title, table in tables.items():
        spec = sheet_spec(title)
        if spec is None:
            if _sheet_key(title) not in IGNORED_SHEETS:
                known = ", ".join(s.name for s in SHEETS)
                ctx.error(f"unknown sheet {title!r} (ignored; known sheets: {known})", file=table.file,
                          sheet=title, reject_row=False)
            continue
        found.append((spec, table))
    if not found:
        raise CampaignGraphError(
            "no planner's sheets in this workbook (expected companies, sites, ownership...)", file=str(p)
        )
    order = {"source": 0, "node": 1, "edge": 2}
    for spec, table in sorted(found, key=lambda x: order[x[0].element]):
        _load_sheet(spec, table, ctx)


def _is_help_row(rownum: int, row: dict[str, str], cols: dict[str, Column | None]) -> bool:
    """Row 2 as the template wrote it: every non-empty cell is its column's help text."""
    if rownum != 2:
        return False
    filled = [(h, v) for h, v in row.items() if v.strip()]
    return bool(filled) and all(cols.get(h) is not None and v.strip() == cols[h].help for h, v in filled)  # type: ignore[union-attr]


def _load_sheet(spec: Sheet, t: Table, ctx: LoadContext) -> None:
    lookup = _column_lookup(spec)
    cols: dict[str, Column | None] = {}
    seen: dict[str, str] = {}
    for h in t.header:
        if not h:
            continue
        col = lookup.get(header_key(h))
        if col is None:
            ctx.error(f"unknown column {h!r} in the {spec.name} sheet (ignored)", file=t.file, sheet=t.sheet,
                      row=1, column=h, reject_row=False)
        elif col.field in seen:
            ctx.error(f"column {h!r} repeats {seen[col.field]!r} (ignored)", file=t.file, sheet=t.sheet,
                      row=1, column=h, reject_row=False)
            col = None
        else:
            seen[col.field] = h
        cols[h] = col
    missing = [c.header for c in spec.columns if c.required and c.field not in seen]
    if missing:
        for m in missing:
            ctx.error(f"missing required column {m!r}", file=t.file, sheet=t.sheet, row=1, column=m,
                      reject_row=False)
        return
    counter = f"{t.file}:{t.sheet or ''}"
    for rownum, row in t.rows:
        if _is_help_row(rownum, row, cols):
            continue
        ctx.rows_read[counter] += 1
        loc = Location(t.file, rownum, t.sheet)
        values: dict[str, tuple[str, str]] = {}  # field -> (value, header)
        too_long = next((h for h, v in row.items() if len(v) > MAX_CELL_CHARS), None)
        if too_long is not None:
            ctx.error_at(loc, f"cell longer than {MAX_CELL_CHARS} characters", column=too_long)
            continue
        for h, v in row.items():
            col = cols.get(h)
            if col is not None and (not is_missing(v) or is_answer(_prop_spec(spec, col.field), v)):
                values[col.field] = (v.strip(), h)
        empty_required = [c for c in spec.columns if c.required and c.field not in values]
        if empty_required:
            c = empty_required[0]
            ctx.error_at(loc, f"{c.header} is empty", column=seen.get(c.field, c.header))
            continue
        if spec.element == "source":
            _source_row(values, loc, ctx)
        elif spec.element == "node":
            _node_row(spec, values, loc, ctx)
        else:
            _edge_row(spec, values, loc, ctx)


def _sources_of(values: dict[str, tuple[str, str]]) -> tuple[str, ...]:
    text = values.get("sources", ("", ""))[0]
    return tuple(s.strip() for s in text.split(";") if s.strip())


def _source_row(values: dict[str, tuple[str, str]], loc: Location, ctx: LoadContext) -> None:
    fields = {f: v for f, (v, _) in values.items()}
    retrieved = fields.get("retrieved", "")
    if retrieved:
        try:
            retrieved = parse_date(retrieved)
        except ValueError as e:
            ctx.error_at(loc, str(e), column=values["retrieved"][1])
            return
    confidential = False
    if fields.get("confidential"):
        try:
            confidential = parse_bool(fields["confidential"])
        except ValueError as e:
            ctx.error_at(loc, str(e), column=values["confidential"][1])
            return
    sid = fields["id"]
    earlier = [s for s in ctx.sources if s.id == sid]
    new = Source(
        id=sid, title=fields.get("title", ""), publisher=fields.get("publisher", ""), url=fields.get("url", ""),
        file=fields.get("file", ""), retrieved=retrieved, licence=fields.get("licence", ""),
        confidential=confidential,
    )
    if earlier and any(
        getattr(earlier[0], f) != getattr(new, f) for f in ("title", "publisher", "url", "file", "retrieved", "licence")
    ):
        ctx.error_at(loc, f"duplicate source id {sid!r} with different values", column=values["id"][1])
        return
    if not earlier:
        ctx.add_source(new)


def _node_row(spec: Sheet, values: dict[str, tuple[str, str]], loc: Location, ctx: LoadContext) -> None:
    props: dict[str, str] = {}
    columns: dict[str, str] = {}
    links: dict[str, dict[str, tuple[str, str]]] = {}
    for f, (v, h) in values.items():
        if f in ("id", "name", "sources"):
            columns[f] = h
            continue
        if ":" in f:
            kind, _, part = f.partition(":")
            links.setdefault(kind, {})[part] = (v, h)
            continue
        props[f] = v
        columns[f] = h
    nid = values["id"][0]
    name = values.get("name", (None, ""))[0]
    sources = _sources_of(values)
    settle_enums(ctx, loc, spec.kind, props, schema.node_props(spec.kind), columns)
    ctx.emit_node(NodeRecord(nid, spec.kind, name, props, sources), loc, columns)
    for kind, parts in links.items():
        ends = [p for p in parts if p in ("source", "target")]
        if not ends:  # e.g. an operator share with no operator id
            h = next(iter(parts.values()))[1]
            ctx.error_at(loc, f"{h} is given but not whose ({kind} needs the other end's id)", column=h,
                         reject_row=False)
            continue
        other_end = ends[0]
        other, other_header = parts[other_end]
        src, dst = (other, nid) if other_end == "source" else (nid, other)
        eprops = {p: v for p, (v, _) in parts.items() if p not in ("source", "target")}
        ecolumns = {p: h for p, (_, h) in parts.items()}
        ecolumns[other_end] = other_header
        ecolumns["target" if other_end == "source" else "source"] = values["id"][1]
        settle_enums(ctx, loc, kind, eprops, schema.edge_props(kind), ecolumns)
        ctx.emit_edge(EdgeRecord(src, dst, kind, eprops, sources), loc, ecolumns)


def _edge_row(spec: Sheet, values: dict[str, tuple[str, str]], loc: Location, ctx: LoadContext) -> None:
    props = {f: v for f, (v, _) in values.items() if f not in ("source", "target", "sources")}
    columns = {f: h for f, (_, h) in values.items()}
    for end in ("source", "target"):  # name the id columns even when the error is about them
        columns.setdefault(end, next(c.header for c in spec.columns if c.field == end))
    settle_enums(ctx, loc, spec.kind, props, schema.edge_props(spec.kind), columns)
    rec = EdgeRecord(values["source"][0], values["target"][0], spec.kind, props, _sources_of(values))
    ctx.emit_edge(rec, loc, columns)


# ---------------------------------------------------------------------------- template
def _choices(sheet: Sheet, col: Column) -> tuple[str, ...]:
    """The drop-down list for a column: enum values, yes/no for booleans, else none."""
    if col.field == "confidential":
        return ("yes", "no")
    p = _prop_spec(sheet, col.field)
    if p is None:
        return ()
    if p.type == "enum":
        return p.values
    if p.type == "bool":
        return ("yes", "no")
    return ()


def template_bytes(prefill: Mapping[str, Sequence[Mapping[str, Any]]] | None = None) -> bytes:
    """The planner's workbook as .xlsx bytes: headers, a help row, comments, drop-downs.

    ``prefill`` maps a sheet's name to rows to write under the help row, each row a mapping of
    column ``field`` (as in :data:`SHEETS`: ``id``, ``name``, ``country``, ``OPERATES:source``...)
    to its value; a ``"note:FIELD"`` key puts a comment on that cell (an operator's name beside
    its id). Every value is written as text, so a name starting with ``=`` stays a name and
    never becomes a formula. Read back by :func:`load`, each row restates what it was made from.

    Examples
    --------
    >>> import io, openpyxl
    >>> wb = openpyxl.load_workbook(io.BytesIO(template_bytes()))
    >>> wb.sheetnames[:3]
    ['sources', 'companies', 'investors']
    """
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    grey = Font(italic=True, color="666666")
    fill = PatternFill("solid", fgColor="DDEBF7")
    for sheet in SHEETS:
        ws = wb.create_sheet(sheet.name)
        for i, col in enumerate(sheet.columns, start=1):
            head = ws.cell(row=1, column=i, value=col.header)
            head.font = bold
            head.fill = fill
            head.comment = Comment(col.help + (" (required)" if col.required else ""), "campaign-graph")
            helper = ws.cell(row=2, column=i, value=col.help)
            helper.font = grey
            helper.alignment = Alignment(wrap_text=True, vertical="top")
            letter = get_column_letter(i)
            ws.column_dimensions[letter].width = max(14, min(40, len(col.header) + 4))
            choices = _choices(sheet, col)
            if choices:
                dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
                dv.error = "Choose one of: " + ", ".join(choices)
                dv.showErrorMessage = True
                ws.add_data_validation(dv)
                dv.add(f"{letter}3:{letter}{TEMPLATE_ROWS}")
        for r, values in enumerate((prefill or {}).get(sheet.name, ()), start=3):
            for i, col in enumerate(sheet.columns, start=1):
                value = values.get(col.field)
                if value is None or value == "":
                    continue
                cell = ws.cell(row=r, column=i, value=str(value))
                cell.data_type = "s"  # text, whatever it starts with (openpyxl reads "=..." as a formula)
                note = values.get(f"note:{col.field}")
                if note:
                    cell.comment = Comment(str(note), "campaign-graph")
        ws.freeze_panes = "B3"
    # no author or dates from this machine in the file's metadata
    wb.properties.creator = "campaign-graph"
    wb.properties.lastModifiedBy = None
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_template(path: str | Path, prefill: Mapping[str, Sequence[Mapping[str, Any]]] | None = None) -> Path:
    """Write the planner's workbook to ``path`` atomically (empty, or with ``prefill``'s rows,
    see :func:`template_bytes`); return the path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = write_template(pathlib.Path(tempfile.mkdtemp()) / "planner.xlsx")
    >>> sniff(out)
    True
    """
    from graphmodel.atomic import atomic_write_bytes

    p = Path(path)
    atomic_write_bytes(p, template_bytes(prefill))
    return p


# ---------------------------------------------------------------------------- docs
WORKBOOK_DOC_START = "<!-- workbook:start -->"
WORKBOOK_DOC_END = "<!-- workbook:end -->"


def workbook_markdown() -> str:
    """The planner's workbook sheets and columns as a Markdown table (for docs/formats.md).

    Examples
    --------
    >>> "| ownership | OWNS edges |" in workbook_markdown()
    True
    """
    lines = ["| sheet | makes | columns (required in bold) → schema property |", "|---|---|---|"]
    for s in SHEETS:
        makes = {"source": "Source records", "node": f"{s.kind} nodes", "edge": f"{s.kind} edges"}[s.element]
        cols = []
        for c in s.columns:
            head = f"**{c.header}**" if c.required else c.header
            if ":" in c.field:
                kind, _, part = c.field.partition(":")
                if part == "source":
                    target = f"{kind} edge from that id to this row"
                elif part == "target":
                    target = f"{kind} edge from this row to that id"
                else:
                    target = f"`{part}` of that {kind} edge"
            else:
                target = f"`{c.field}`"
            cols.append(f"{head} → {target}")
        lines.append(f"| {s.name} | {makes} | {'; '.join(cols).replace('|', '/')} |")
    return "\n".join(lines) + "\n"
