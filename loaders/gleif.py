"""GLEIF golden copy: Level 1 (LEI-CDF), Level 2 (RR-CDF) and reporting exceptions, as XML or CSV.

One module takes both flavours GLEIF publishes: the XML files (``lei:LEIData``,
``rr:RelationshipData``, ``repex:ReportingExceptionData``) and the flattened CSV files
(columns ``LEI``, ``Entity.LegalName``, ``Relationship.StartNode.NodeID``,
``Relationship.Period.1.startDate``, ``Exception.Category``...). XML records are first turned
into the same flat ``{column: text}`` rows, so one mapping serves both.

Mapping (docs/formats.md#gleif):

- Level 1 record -> Company ``lei-<LEI>``: ``Entity.LegalName`` -> ``name``, ``LEI`` -> ``lei``,
  legal address country -> ``country``, headquarters country -> ``hq_country``,
  ``OtherEntityName`` of type ``PREVIOUS_LEGAL_NAME`` -> ``former_names``, other other-names
  (trading names, transliterations) -> ``aliases``, ``OtherLegalForm`` (else the ELF code) ->
  ``legal_form``, ``EntityStatus`` -> ``status`` (``active``/``inactive``), registration
  authority and its entity id -> ``registry_ids`` (``RA000665:S000005113``).
- ``IS_DIRECTLY_CONSOLIDATED_BY`` (child ``StartNode``, parent ``EndNode``) -> OWNS parent ->
  child with ``control=yes``; share unknown unless a ``RelationshipQuantifier`` in
  ``PERCENTAGE`` gives it. The ``RELATIONSHIP_PERIOD`` gives ``valid_from``/``valid_to``
  (accounting and filing periods are not the relationship's life).
- ``IS_ULTIMATELY_CONSOLIDATED_BY`` is not a direct holding: it becomes an OWNS edge
  ultimate parent -> child with ``control=yes`` and ``derived=gleif_ultimate`` (the same
  shape as GEM's ``derived=gem_parent``: an assertion about the end of a chain whose middle
  may be missing), id ``OWNS:<parent>-><child>#gleif_ultimate``. When the ultimate parent is
  also the direct parent in the same file, the direct edge already says it and the ultimate
  one is not added.
- Fund relationships (``IS_FUND-MANAGED_BY``, ``IS_SUBFUND_OF``, ``IS_FEEDER_TO``) are not
  ownership: counted (``gleif_fund_relationships_skipped``) and not loaded. Annulled or
  duplicate relationship records, and inactive ones with no end date, are skipped and noted.
- A reporting exception -> ``parent_unknown_reason`` on the entity, e.g.
  ``NON_CONSOLIDATING (direct parent)``; one per category, joined with ``; ``.
- An LEI that a relationship or exception names but no Level 1 file in the same load
  describes becomes a Company named by its LEI; loading its Level 1 record (before or after)
  fills it in.

XML is parsed with defusedxml: a DTD (and so entity expansion, billion laughs, external
entities) is refused with a one-line error before anything expands.

Licence: GLEIF data is CC0 (no attribution required; GLEIF is named as the source anyway).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from graphmodel.errors import CampaignGraphError
from graphmodel.records import EdgeRecord, NodeRecord, Source
from graphmodel.values import parse_date, parse_percent
from loaders.context import LoadContext, Location
from loaders.readers import read_csv

LICENCE = "CC0 1.0 (GLEIF)"
FUND_TYPES = {"IS_FUND-MANAGED_BY", "IS_SUBFUND_OF", "IS_FEEDER_TO"}
DIRECT = "IS_DIRECTLY_CONSOLIDATED_BY"
ULTIMATE = "IS_ULTIMATELY_CONSOLIDATED_BY"
_LEI = re.compile(r"^[A-Z0-9]{18}[0-9]{2}$")

#: the three kinds of GLEIF file, by the root element (XML) or a telling column (CSV)
KINDS = {"LEIData": "lei", "RelationshipData": "rr", "ReportingExceptionData": "repex"}
_RECORD_TAGS = {"LEIRecord": "lei", "RelationshipRecord": "rr", "Exception": "repex"}


def node_id(lei: str) -> str:
    """The node id of the entity with this LEI.

    >>> node_id("001GPB6A9XPE8XJICC14")
    'lei-001GPB6A9XPE8XJICC14'
    """
    return f"lei-{lei.strip().upper()}"


# ---------------------------------------------------------------------------- sniffing
def _head(path: Path, n: int = 8192) -> str:
    try:
        with open(path, "rb") as fh:
            return fh.read(n).decode("utf-8", errors="replace")
    except OSError:
        return ""


def _csv_kind(header_line: str) -> str | None:
    if "Relationship.StartNode.NodeID" in header_line:
        return "rr"
    if "Exception.Category" in header_line or "ExceptionCategory" in header_line:
        return "repex"
    if "Entity.LegalName" in header_line:
        return "lei"
    return None


def file_kind(path: Path) -> str | None:
    """``"lei"``, ``"rr"``, ``"repex"`` for a GLEIF file (XML or CSV), else None."""
    head = _head(path)
    suffix = path.suffix.lower()
    if suffix == ".xml" or head.lstrip("\ufeff \r\n\t").startswith("<"):
        for root, kind in KINDS.items():
            if re.search(rf"<(?:\w+:)?{root}[\s>]", head):
                return kind
        return None
    if suffix == ".csv":
        return _csv_kind(head.lstrip("\ufeff").split("\n", 1)[0])
    return None


def sniff(path: Path) -> bool:
    """A GLEIF LEI, relationship or reporting-exception file (XML or CSV), or a folder of them."""
    if path.is_dir():
        return any(file_kind(p) for p in sorted(path.iterdir())[:50] if p.is_file())
    return file_kind(path) is not None


# ---------------------------------------------------------------------------- XML -> flat rows
def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(el: Element, name: str) -> Element | None:
    for c in el:
        if _local(c.tag) == name:
            return c
    return None


def _text(el: Element | None, *path: str) -> str:
    for name in path:
        if el is None:
            return ""
        el = _child(el, name)
    return (el.text or "").strip() if el is not None else ""


def _flat_lei(rec: Element) -> dict[str, str]:
    ent = _child(rec, "Entity")
    reg = _child(rec, "Registration")
    row = {
        "LEI": _text(rec, "LEI"),
        "Entity.LegalName": _text(ent, "LegalName"),
        "Entity.LegalAddress.Country": _text(ent, "LegalAddress", "Country"),
        "Entity.HeadquartersAddress.Country": _text(ent, "HeadquartersAddress", "Country"),
        "Entity.RegistrationAuthority.RegistrationAuthorityID": _text(ent, "RegistrationAuthority", "RegistrationAuthorityID"),
        "Entity.RegistrationAuthority.RegistrationAuthorityEntityID": _text(
            ent, "RegistrationAuthority", "RegistrationAuthorityEntityID"
        ),
        "Entity.LegalJurisdiction": _text(ent, "LegalJurisdiction"),
        "Entity.EntityCategory": _text(ent, "EntityCategory"),
        "Entity.LegalForm.EntityLegalFormCode": _text(ent, "LegalForm", "EntityLegalFormCode"),
        "Entity.LegalForm.OtherLegalForm": _text(ent, "LegalForm", "OtherLegalForm"),
        "Entity.EntityStatus": _text(ent, "EntityStatus"),
        "Registration.RegistrationStatus": _text(reg, "RegistrationStatus"),
    }
    for group, item in (
        ("OtherEntityNames", "OtherEntityName"),
        ("TransliteratedOtherEntityNames", "TransliteratedOtherEntityName"),
    ):
        container = _child(ent, group) if ent is not None else None
        for n, el in enumerate((c for c in (container if container is not None else []) if _local(c.tag) == item), 1):
            row[f"Entity.{group}.{item}.{n}"] = (el.text or "").strip()
            row[f"Entity.{group}.{item}.{n}.type"] = el.get("type", "")
    return row


def _flat_rr(rec: Element) -> dict[str, str]:
    rel = _child(rec, "Relationship")
    row = {
        "Relationship.StartNode.NodeID": _text(rel, "StartNode", "NodeID"),
        "Relationship.StartNode.NodeIDType": _text(rel, "StartNode", "NodeIDType"),
        "Relationship.EndNode.NodeID": _text(rel, "EndNode", "NodeID"),
        "Relationship.EndNode.NodeIDType": _text(rel, "EndNode", "NodeIDType"),
        "Relationship.RelationshipType": _text(rel, "RelationshipType"),
        "Relationship.RelationshipStatus": _text(rel, "RelationshipStatus"),
        "Registration.RegistrationStatus": _text(rec, "Registration", "RegistrationStatus"),
    }
    periods = _child(rel, "RelationshipPeriods") if rel is not None else None
    for n, p in enumerate(periods if periods is not None else [], 1):
        row[f"Relationship.Period.{n}.startDate"] = _text(p, "StartDate")
        row[f"Relationship.Period.{n}.endDate"] = _text(p, "EndDate")
        row[f"Relationship.Period.{n}.periodType"] = _text(p, "PeriodType")
    quants = _child(rel, "RelationshipQuantifiers") if rel is not None else None
    for n, q in enumerate(quants if quants is not None else [], 1):
        row[f"Relationship.Quantifiers.{n}.MeasurementMethod"] = _text(q, "MeasurementMethod")
        row[f"Relationship.Quantifiers.{n}.QuantifierAmount"] = _text(q, "QuantifierAmount")
        row[f"Relationship.Quantifiers.{n}.QuantifierUnits"] = _text(q, "QuantifierUnits")
    return row


def _flat_repex(rec: Element) -> dict[str, str]:
    row = {"LEI": _text(rec, "LEI"), "Exception.Category": _text(rec, "ExceptionCategory")}
    reasons = [(c.text or "").strip() for c in rec if _local(c.tag) == "ExceptionReason"]
    for n, r in enumerate(reasons, 1):
        row[f"Exception.Reason.{n}"] = r
    return row


_FLATTEN = {"lei": _flat_lei, "rr": _flat_rr, "repex": _flat_repex}


def _xml_rows(path: Path, display: str) -> tuple[str, dict[str, str], list[tuple[int, dict[str, str]]]]:
    """(kind, header fields, [(record number, flat row)]) of a GLEIF XML file."""
    kind: str | None = None
    header: dict[str, str] = {}
    rows: list[tuple[int, dict[str, str]]] = []
    n = 0
    try:
        depth = 0
        for event, el in iterparse(str(path), events=("start", "end"), forbid_dtd=True):
            name = _local(el.tag)
            if event == "start":
                depth += 1
                if depth == 1:
                    kind = KINDS.get(name)
                    if kind is None:
                        raise CampaignGraphError(
                            f"not a GLEIF file: root element {name!r} (expected LEIData, RelationshipData "
                            "or ReportingExceptionData)",
                            file=display,
                        )
                continue
            depth -= 1
            if name in ("ContentDate", "FileContent", "RecordCount") and depth == 2:
                header[name] = (el.text or "").strip()
            elif name in _RECORD_TAGS and _RECORD_TAGS[name] == kind:
                n += 1
                rows.append((n, _FLATTEN[kind](el)))
                el.clear()  # keep memory flat on the 2.4-million-record golden copy
    except DefusedXmlException as e:
        raise CampaignGraphError(
            f"refused: {type(e).__name__} (DTDs and entity declarations are not allowed in GLEIF XML)", file=display
        ) from None
    except ParseError as e:
        raise CampaignGraphError(f"invalid XML ({e}); truncated file?", file=display) from None
    except LookupError as e:  # expat: an XML declaration naming an unknown encoding (found by fuzzing)
        raise CampaignGraphError(f"invalid XML: {e} in the XML declaration", file=display) from None
    except ValueError as e:  # expat: "multi-byte encodings are not supported" (found by fuzzing)
        if "encoding" not in str(e):
            raise
        raise CampaignGraphError(f"invalid XML: {e} (save the file as UTF-8)", file=display) from None
    except OSError as e:
        raise CampaignGraphError(f"cannot read file ({e.strerror})", file=display) from None
    if kind is None:
        raise CampaignGraphError("not a GLEIF XML file", file=display)
    return kind, header, rows


# ---------------------------------------------------------------------------- load
def load(path: Path, ctx: LoadContext) -> None:
    """Load a GLEIF file (XML or CSV; Level 1, Level 2 or reporting exceptions) or a folder of them.

    Examples
    --------
    >>> ctx = LoadContext()
    >>> load(Path("data/gleif/lei-data.xml"), ctx)  # doctest: +SKIP
    >>> ctx.stats["gleif_entities"]  # doctest: +SKIP
    13
    """
    path = Path(path)
    if path.is_dir():
        files = [p for p in sorted(path.iterdir()) if p.is_file() and file_kind(p)]
        if not files:
            raise CampaignGraphError("folder holds no GLEIF XML or CSV files", file=str(path))
        # entities first, so relationships and exceptions fill in known records
        order = {"lei": 0, "rr": 1, "repex": 2}
        for f in sorted(files, key=lambda p: order[file_kind(p) or "lei"]):
            _load_file(f, ctx)
        return
    _load_file(path, ctx)


def _load_file(path: Path, ctx: LoadContext) -> None:
    display = str(path)
    if not path.is_file():
        raise CampaignGraphError("no such file", file=display)
    if path.suffix.lower() == ".csv":
        table = read_csv(path, display=display)
        kind = _csv_kind(",".join(table.header))
        if kind is None:
            raise CampaignGraphError(
                "not a GLEIF CSV: expected columns LEI and Entity.LegalName, Relationship.StartNode.NodeID, "
                "or Exception.Category",
                file=display,
            )
        rows = [(r, {k: (v or "").strip() for k, v in row.items() if k}) for r, row in table.rows]
        header: dict[str, str] = {}
        used = _used_columns(kind, table.header)
        ctx.report_unused(display, [c for c in table.header if c and c not in used])
    else:
        kind, header, rows = _xml_rows(path, display)
    ctx.rows_read[display] += len(rows)
    titles = {"lei": "GLEIF LEI records (Level 1)", "rr": "GLEIF relationship records (Level 2)",
              "repex": "GLEIF reporting exceptions"}
    source = ctx.add_source(
        Source(
            id=LoadContext.make_id("gleif", path.stem),
            title=titles[kind],
            publisher="GLEIF (Global Legal Entity Identifier Foundation)",
            url="https://www.gleif.org/en/lei-data/gleif-golden-copy",
            file=display,
            retrieved=_iso(header.get("ContentDate", "")) or "",
            licence=LICENCE,
        )
    )
    nodes = _NodeIndex(ctx)
    if kind == "lei":
        for row_no, row in rows:
            _lei_record(ctx, nodes, display, row_no, row, source.id)
    elif kind == "rr":
        _relationships(ctx, nodes, display, rows, source.id)
    else:
        _exceptions(ctx, nodes, display, rows, source.id)


def _used_columns(kind: str, header: list[str]) -> set[str]:
    fixed = {
        "lei": {
            "LEI", "Entity.LegalName", "Entity.LegalAddress.Country", "Entity.HeadquartersAddress.Country",
            "Entity.RegistrationAuthority.RegistrationAuthorityID",
            "Entity.RegistrationAuthority.RegistrationAuthorityEntityID", "Entity.LegalForm.EntityLegalFormCode",
            "Entity.LegalForm.OtherLegalForm", "Entity.EntityStatus", "Registration.RegistrationStatus",
        },
        "rr": {
            "Relationship.StartNode.NodeID", "Relationship.StartNode.NodeIDType", "Relationship.EndNode.NodeID",
            "Relationship.EndNode.NodeIDType", "Relationship.RelationshipType", "Relationship.RelationshipStatus",
            "Registration.RegistrationStatus",
        },
        "repex": {"LEI", "Exception.Category", "ExceptionCategory"},
    }[kind]
    pattern = {
        "lei": r"^Entity\.(Transliterated)?OtherEntityNames\.(Transliterated)?OtherEntityName\.\d+(\.type)?$",
        "rr": r"^Relationship\.(Period\.\d+\.(startDate|endDate|periodType)|Quantifiers\.\d+\.\w+)$",
        "repex": r"^Exception\.?Reason(\.\d+)?$",
    }[kind]
    return fixed | {c for c in header if re.match(pattern, c)}


def _iso(value: str, *, end: bool = False) -> str | None:
    if not value:
        return None
    try:
        return parse_date(value, end=end)
    except (ValueError, CampaignGraphError):
        return None


class _NodeIndex:
    """One Company record per LEI in the context, across files of the same load.

    A relationship may name an LEI before (or without) its Level 1 record: it gets a
    record holding only the LEI, which the full record fills in later (or which a later
    partial record adds to), so the builder sees one record per entity and no conflict.
    """

    def __init__(self, ctx: LoadContext) -> None:
        self.ctx = ctx
        self.by_id: dict[str, NodeRecord] = {rec.id: rec for rec, _, _ in ctx.nodes if rec.id.startswith("lei-")}

    def put(self, rec: NodeRecord, loc: Location | None) -> None:
        old = self.by_id.get(rec.id)
        if old is None:
            self.by_id[rec.id] = rec
            self.ctx.emit_node(rec, loc)
            return
        if old.name is None and rec.name is not None:
            old.name = rec.name
            old.origin = loc.origin() if loc else old.origin
        for k, v in rec.props.items():
            if k in ("former_names", "aliases", "registry_ids") and k in old.props:
                old.props[k] = list(old.props[k]) + [x for x in v if x not in old.props[k]]
            elif k == "parent_unknown_reason" and k in old.props and v not in old.props[k]:
                old.props[k] = f"{old.props[k]}; {v}"
            else:
                old.props.setdefault(k, v)
        old.sources = tuple(dict.fromkeys(old.sources + rec.sources))

    def ensure(self, lei: str, source: str, loc: Location) -> str:
        nid = node_id(lei)
        self.put(NodeRecord(nid, "Company", None, {"lei": lei.strip().upper()}, (source,)), loc)
        return nid


def _lei_record(ctx: LoadContext, nodes: _NodeIndex, file: str, row_no: int, row: dict[str, str], sid: str) -> None:
    loc = Location(file, row_no)
    lei = row.get("LEI", "").upper()
    if not _LEI.match(lei):
        ctx.error_at(loc, f"not an LEI: {lei[:30]!r}", column="LEI")
        return
    name = row.get("Entity.LegalName", "")
    if not name:
        ctx.error_at(loc, "entity without a legal name", column="Entity.LegalName")
        return
    props: dict[str, Any] = {"lei": lei}
    for col, prop in (("Entity.LegalAddress.Country", "country"), ("Entity.HeadquartersAddress.Country", "hq_country")):
        if re.fullmatch(r"[A-Za-z]{2}", row.get(col, "")):
            props[prop] = row[col].upper()
    former, aliases = [], []
    for col, value in row.items():
        m = re.match(r"^Entity\.(?:Transliterated)?OtherEntityNames\.(?:Transliterated)?OtherEntityName\.\d+$", col)
        if m and value:
            (former if row.get(f"{col}.type") == "PREVIOUS_LEGAL_NAME" else aliases).append(value)
    if former:
        props["former_names"] = list(dict.fromkeys(former))
    aliases = [a for a in dict.fromkeys(aliases) if a != name]
    if aliases:
        props["aliases"] = aliases
    form = row.get("Entity.LegalForm.OtherLegalForm") or row.get("Entity.LegalForm.EntityLegalFormCode")
    if form:
        props["legal_form"] = form
    if row.get("Entity.EntityStatus"):
        props["status"] = row["Entity.EntityStatus"].lower()
    ra, ra_id = (row.get(f"Entity.RegistrationAuthority.{c}", "") for c in ("RegistrationAuthorityID", "RegistrationAuthorityEntityID"))
    if ra_id:
        props["registry_ids"] = [f"{ra or 'unknown'}:{ra_id}"]
    nodes.put(NodeRecord(node_id(lei), "Company", name, props, (sid,)), loc)
    ctx.stats["gleif_entities"] += 1


def _relationships(
    ctx: LoadContext, nodes: _NodeIndex, file: str, rows: list[tuple[int, dict[str, str]]], sid: str
) -> None:
    direct_pairs = set()
    for _, row in rows:
        if row.get("Relationship.RelationshipType") == DIRECT:
            direct_pairs.add((row.get("Relationship.EndNode.NodeID", "").upper(), row.get("Relationship.StartNode.NodeID", "").upper()))
    for row_no, row in rows:
        loc = Location(file, row_no)
        rtype = row.get("Relationship.RelationshipType", "")
        if rtype in FUND_TYPES:
            ctx.stats["gleif_fund_relationships_skipped"] += 1
            continue
        if rtype not in (DIRECT, ULTIMATE):
            ctx.error_at(loc, f"unknown relationship type {rtype[:40]!r}", column="Relationship.RelationshipType")
            continue
        child = row.get("Relationship.StartNode.NodeID", "").upper()
        parent = row.get("Relationship.EndNode.NodeID", "").upper()
        bad = next(
            (c for c, v in (("Relationship.StartNode.NodeID", child), ("Relationship.EndNode.NodeID", parent)) if not _LEI.match(v)),
            None,
        )
        if bad:
            ctx.error_at(loc, "not an LEI", column=bad)
            continue
        for col in ("Relationship.StartNode.NodeIDType", "Relationship.EndNode.NodeIDType"):
            if row.get(col, "LEI") not in ("LEI", ""):
                ctx.error_at(loc, f"node id type {row[col][:20]!r} is not an LEI", column=col)
                break
        else:
            if row.get("Registration.RegistrationStatus") in ("ANNULLED", "DUPLICATE"):
                ctx.stats["gleif_annulled_relationships_skipped"] += 1
                continue
            props: dict[str, Any] = {"control": "yes"}
            periods = _periods(row)
            start, end = periods.get("RELATIONSHIP_PERIOD", (None, None))
            for col_date, value in (("startDate", start), ("endDate", end)):
                if value is False:
                    ctx.error_at(loc, "not a date", column=f"Relationship.Period.N.{col_date}")
                    break
            else:
                if row.get("Relationship.RelationshipStatus") == "INACTIVE" and not end:
                    ctx.stats["gleif_inactive_undated_skipped"] += 1
                    ctx.warnings.append(f"{file}: row {row_no}: inactive relationship without an end date skipped")
                    continue
                if start:
                    props["valid_from"] = start
                if end:
                    props["valid_to"] = end
                share = _quantified_share(row)
                if share is not None:
                    props["share"] = share
                eid = None
                if rtype == ULTIMATE:
                    if (parent, child) in direct_pairs:
                        ctx.stats["gleif_ultimate_same_as_direct"] += 1
                        continue
                    props["derived"] = "gleif_ultimate"
                    eid = f"OWNS:{node_id(parent)}->{node_id(child)}#gleif_ultimate"
                src, dst = nodes.ensure(parent, sid, loc), nodes.ensure(child, sid, loc)
                ctx.emit_edge(EdgeRecord(src, dst, "OWNS", props, (sid,), id=eid), loc)
                ctx.stats["gleif_direct_parents" if rtype == DIRECT else "gleif_ultimate_parents"] += 1


def _periods(row: dict[str, str]) -> dict[str, tuple[Any, Any]]:
    out: dict[str, tuple[Any, Any]] = {}
    for col, ptype in row.items():
        m = re.match(r"^Relationship\.Period\.(\d+)\.periodType$", col)
        if not m or not ptype:
            continue
        n = m.group(1)
        s, e = row.get(f"Relationship.Period.{n}.startDate", ""), row.get(f"Relationship.Period.{n}.endDate", "")
        start = _iso(s) if s else None
        end = _iso(e, end=True) if e else None
        out[ptype] = (False if s and start is None else start, False if e and end is None else end)
    return out


def _quantified_share(row: dict[str, str]) -> float | None:
    for col, amount in row.items():
        m = re.match(r"^Relationship\.Quantifiers\.(\d+)\.QuantifierAmount$", col)
        if m and amount and row.get(f"Relationship.Quantifiers.{m.group(1)}.QuantifierUnits", "") == "PERCENTAGE":
            try:
                value = parse_percent(amount)
            except (ValueError, CampaignGraphError):
                return None
            if value is not None and 0 <= value <= 100:
                return value
    return None


def _exceptions(
    ctx: LoadContext, nodes: _NodeIndex, file: str, rows: list[tuple[int, dict[str, str]]], sid: str
) -> None:
    reasons: dict[str, list[str]] = defaultdict(list)
    first_row: dict[str, int] = {}
    for row_no, row in rows:
        loc = Location(file, row_no)
        lei = row.get("LEI", "").upper()
        if not _LEI.match(lei):
            ctx.error_at(loc, "not an LEI", column="LEI")
            continue
        category = row.get("Exception.Category") or row.get("ExceptionCategory", "")
        which = {"DIRECT_ACCOUNTING_CONSOLIDATION_PARENT": "direct parent",
                 "ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT": "ultimate parent"}.get(category, category.lower() or "parent")
        why = [v for k, v in sorted(row.items()) if re.match(r"^Exception\.?Reason(\.\d+)?$", k) and v]
        if not why:
            ctx.error_at(loc, "reporting exception without a reason", column="Exception.Reason.1")
            continue
        reasons[lei].append(f"{', '.join(why)} ({which})")
        first_row.setdefault(lei, row_no)
        ctx.stats["gleif_reporting_exceptions"] += 1
    for lei, rs in reasons.items():
        loc = Location(file, first_row[lei])
        nodes.put(
            NodeRecord(node_id(lei), "Company", None, {"lei": lei, "parent_unknown_reason": "; ".join(rs)}, (sid,)), loc
        )


def iter_records(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """The flat rows of a GLEIF XML file (the CSV columns), for inspection and tests.

    >>> next(iter_records(Path("data/gleif/rr-data.xml")))[1]["Relationship.RelationshipType"]  # doctest: +SKIP
    'IS_FUND-MANAGED_BY'
    """
    yield from _xml_rows(Path(path), str(path))[2]
