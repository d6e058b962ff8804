"""FollowTheMoney (FtM) entities as JSON lines, as OpenSanctions and Aleph export them.

Each line is one entity: ``{"id": ..., "schema": "Company", "properties": {"name": [...], ...}}``
(property values are always lists of strings). The mapping is written by hand from the
published model (followthemoney's ``schema/*.yaml``): the ``followthemoney`` package would
give the model as data, but it pulls in a large dependency tree (rdflib, phonenumbers,
babel, prefixdate, a YAML model of ~70 schemata) to read the handful of fields below, so
we name those fields here instead.

- ``Company``, ``Organization``, ``LegalEntity``, ``PublicBody`` -> Company ``ftm-<id>``:
  first ``name`` -> ``name``, other names and ``alias``/``weakAlias`` -> ``aliases``,
  ``previousName`` -> ``former_names``, ``jurisdiction`` (else ``country``,
  ``mainCountry``) -> ``country`` (upper-cased ISO alpha-2), ``leiCode`` -> ``lei``,
  ``wikidataId`` -> ``wikidata``, ``registrationNumber``/``taxNumber``/``innCode``/``ogrnCode``/
  ``vatCode``/``okpoCode``/``swiftBic``/``permId``/``opencorporatesUrl`` -> ``registry_ids``
  (``field:value``), ``legalForm`` -> ``legal_form``, ``status`` -> ``status``,
  ``website`` -> ``website``, a ``dissolutionDate`` -> ``status=dissolved`` when no status is given.
- ``Person`` -> Person (sensitive whole): ``name``, ``birthDate`` -> ``birth_date``,
  ``nationality`` -> ``nationality``, ``email``/``phone``/``address`` (sensitive), ``position`` -> ``role``.
- ``Ownership`` (``owner`` -> ``asset``) -> OWNS: ``percentage`` -> ``share`` (``"50"``,
  ``"50.5%"``; a value outside 0-100 is a row error), ``startDate``/``endDate`` -> validity.
  An asset that is not a company (a vessel, land) is noted and skipped.
- ``Directorship`` (``director`` -> ``organization``) -> HOLDS_ROLE (sensitive) with ``role``
  (default ``director``) and validity; a director that is not a person (a corporate
  director) is noted and skipped, since HOLDS_ROLE runs from a Person.
- Every other schema (Address, Sanction, Vessel, Payment...) is counted by schema and skipped.

Rows in error messages are line numbers; columns name the property (``properties.percentage``).
Licence: set by the publisher (OpenSanctions data is CC BY-NC 4.0, Aleph collections vary);
give it with ``licence=`` or it is left empty.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graphmodel.errors import CampaignGraphError
from graphmodel.records import EdgeRecord, NodeRecord, Source
from graphmodel.values import parse_date, parse_percent
from loaders.bods import MAX_JSON_BYTES, parse_json_text
from loaders.context import LoadContext, Location

COMPANY_SCHEMATA = {"Company", "Organization", "LegalEntity", "PublicBody"}
REGISTRY_FIELDS = (
    "registrationNumber",
    "taxNumber",
    "innCode",
    "ogrnCode",
    "vatCode",
    "okpoCode",
    "swiftBic",
    "permId",
    "opencorporatesUrl",
)
LINK_SCHEMATA = {"Ownership": ("owner", "asset"), "Directorship": ("director", "organization")}


def node_id(entity_id: str) -> str:
    """The node id of an FtM entity.

    >>> node_id("NK-abc123")
    'ftm-nk-abc123'
    """
    return LoadContext.make_id("ftm", entity_id)


def _head(path: Path, n: int = 16384) -> str:
    try:
        with open(path, "rb") as fh:
            return fh.read(n).decode("utf-8", errors="replace")
    except OSError:
        return ""


def sniff(path: Path) -> bool:
    """A JSON lines file whose first entity has ``schema`` and ``properties``."""
    if path.is_dir() or path.suffix.lower() not in (".json", ".jsonl", ".ndjson", ".ftm"):
        return False
    first = _head(path).lstrip("\ufeff \r\n\t").split("\n", 1)[0]
    if not first.startswith("{"):
        return False
    try:
        obj = parse_json_text(first, str(path))
    except CampaignGraphError:
        return False
    return isinstance(obj, dict) and "schema" in obj and isinstance(obj.get("properties"), dict) and "id" in obj


def _values(props: dict[str, Any], name: str) -> list[str]:
    v = props.get(name)
    if v is None:
        return []
    items = v if isinstance(v, list) else [v]
    return [str(x).strip() for x in items if isinstance(x, (str, int, float)) and str(x).strip()]


def _first(props: dict[str, Any], *names: str) -> str | None:
    for n in names:
        vals = _values(props, n)
        if vals:
            return vals[0]
    return None


def _date(props: dict[str, Any], name: str, end: bool = False) -> str | None:
    v = _first(props, name)
    if v is None:
        return None
    return parse_date(v, end=end)


def load(path: Path, ctx: LoadContext, *, licence: str = "") -> None:
    """Load a FollowTheMoney JSON lines file into ``ctx``.

    Examples
    --------
    >>> ctx = LoadContext()
    >>> load(Path("tests/loaders/fixtures/ftm/acme.ftm.jsonl"), ctx)  # doctest: +SKIP
    >>> ctx.stats["ftm_companies"]  # doctest: +SKIP
    3
    """
    path = Path(path)
    display = str(path)
    try:
        if path.stat().st_size > MAX_JSON_BYTES:
            raise CampaignGraphError(f"file larger than {MAX_JSON_BYTES // 2**20} MB", file=display)
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as e:
        raise CampaignGraphError(f"cannot read file ({e.strerror})", file=display) from None
    except UnicodeDecodeError:
        raise CampaignGraphError("not UTF-8 text: FtM JSON lines are UTF-8", file=display) from None
    source = ctx.add_source(
        Source(id=LoadContext.make_id("ftm", path.stem), title=f"FollowTheMoney entities: {path.name}", file=display, licence=licence)
    )
    sid = source.id
    entities: list[tuple[int, dict[str, Any]]] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        ctx.rows_read[display] += 1
        try:
            obj = parse_json_text(line, display, row=lineno)
        except CampaignGraphError as e:
            ctx.error(e.message, file=display, row=lineno)
            continue
        if not isinstance(obj, dict) or not isinstance(obj.get("schema"), str):
            ctx.error("not an FtM entity (no schema)", file=display, row=lineno, column="schema")
            continue
        if not isinstance(obj.get("id"), str) or not obj["id"].strip():
            ctx.error("entity without an id", file=display, row=lineno, column="id")
            continue
        if not isinstance(obj.get("properties", {}), dict):
            ctx.error("properties must be an object", file=display, row=lineno, column="properties")
            continue
        entities.append((lineno, obj))

    kinds: dict[str, str] = {}
    # ids of entities of other schemata (vessels, addresses...): links to them are not loaded;
    # ids in no line of this file may be in another file of the same load (the builder checks)
    others = {o["id"] for _, o in entities if o["schema"] not in COMPANY_SCHEMATA and o["schema"] != "Person"}
    for lineno, obj in entities:
        loc = Location(display, lineno)
        schema, props = obj["schema"], obj.get("properties") or {}
        try:
            if schema in COMPANY_SCHEMATA:
                rec = _company(obj["id"], props, sid)
            elif schema == "Person":
                rec = _person(obj["id"], props, sid)
            else:
                continue
        except (ValueError, CampaignGraphError) as e:
            ctx.error_at(loc, f"bad value: {getattr(e, 'message', e)}", column=_column_of(e))
            continue
        if rec is None:
            ctx.error_at(loc, f"{schema} without a name", column="properties.name")
            continue
        kinds[obj["id"]] = rec.kind
        ctx.emit_node(rec, loc)
        ctx.stats["ftm_companies" if rec.kind == "Company" else "ftm_persons"] += 1

    for lineno, obj in entities:
        loc = Location(display, lineno)
        schema, props = obj["schema"], obj.get("properties") or {}
        if schema in COMPANY_SCHEMATA or schema == "Person":
            continue
        if schema not in LINK_SCHEMATA:
            ctx.stats[f"ftm_skipped_{schema}"] += 1
            continue
        a_field, b_field = LINK_SCHEMATA[schema]
        a, b = _first(props, a_field), _first(props, b_field)
        missing = next((f for f, v in ((a_field, a), (b_field, b)) if not v), None)
        if missing:
            ctx.error_at(loc, f"{schema} without {missing}", column=f"properties.{missing}")
            continue
        assert a is not None and b is not None
        try:
            validity = {k: v for k, v in (("valid_from", _date(props, "startDate")), ("valid_to", _date(props, "endDate", end=True))) if v}
        except (ValueError, CampaignGraphError):
            ctx.error_at(loc, "not a date", column="properties.startDate/endDate")
            continue
        if schema == "Ownership":
            if b in others or kinds.get(b, "Company") != "Company":
                ctx.stats["ftm_ownership_of_non_company_skipped"] += 1
                ctx.warnings.append(f"{display}: row {lineno}: asset {b!r} is not a company; ownership skipped")
                continue
            edge_props: dict[str, Any] = dict(validity)
            pct = _first(props, "percentage")
            if pct is not None:
                try:
                    share = parse_percent(pct)
                except (ValueError, CampaignGraphError):
                    share = None
                if share is None or not 0 <= share <= 100:
                    ctx.error_at(loc, "percentage must be a number between 0 and 100", column="properties.percentage")
                    continue
                edge_props["share"] = share
            ctx.emit_edge(EdgeRecord(node_id(a), node_id(b), "OWNS", edge_props, (sid,)), loc)
            ctx.stats["ftm_ownerships"] += 1
        else:
            if a in others or kinds.get(a, "Person") != "Person":
                ctx.stats["ftm_corporate_directors_skipped"] += 1
                ctx.warnings.append(f"{display}: row {lineno}: director {a!r} is not a person; directorship skipped")
                continue
            role = _first(props, "role") or "director"
            eid = f"HOLDS_ROLE:{node_id(a)}->{node_id(b)}:{LoadContext.make_id(role)}"
            if validity.get("valid_from"):
                eid += f"@{validity['valid_from']}"
            ctx.emit_edge(EdgeRecord(node_id(a), node_id(b), "HOLDS_ROLE", {"role": role, **validity}, (sid,), id=eid), loc)
            ctx.stats["ftm_directorships"] += 1


def _column_of(e: Exception) -> str | None:
    col = getattr(e, "column", None)
    return f"properties.{col}" if col else None


def _names(props: dict[str, Any]) -> tuple[str | None, list[str]]:
    names = _values(props, "name")
    if not names:
        return None, []
    aliases = names[1:] + _values(props, "alias") + _values(props, "weakAlias")
    return names[0], [a for a in dict.fromkeys(aliases) if a != names[0]]


def _company(eid: str, props: dict[str, Any], sid: str) -> NodeRecord | None:
    name, aliases = _names(props)
    if name is None:
        return None
    out: dict[str, Any] = {}
    if aliases:
        out["aliases"] = aliases
    former = _values(props, "previousName")
    if former:
        out["former_names"] = former
    country = _first(props, "jurisdiction", "country", "mainCountry")
    if country and len(country) == 2 and country.isalpha():
        out["country"] = country.upper()
    for field, prop in (("leiCode", "lei"), ("wikidataId", "wikidata"), ("legalForm", "legal_form"), ("status", "status"), ("website", "website")):
        v = _first(props, field)
        if v:
            out[prop] = v.upper() if prop == "lei" else v
    registry = [f"{f}:{v}" for f in REGISTRY_FIELDS for v in _values(props, f)]
    if registry:
        out["registry_ids"] = registry
    if "status" not in out and _first(props, "dissolutionDate"):
        out["status"] = "dissolved"
    return NodeRecord(node_id(eid), "Company", name, out, (sid,))


def _person(eid: str, props: dict[str, Any], sid: str) -> NodeRecord | None:
    name, aliases = _names(props)
    if name is None:
        first, last = _first(props, "firstName"), _first(props, "lastName")
        name = " ".join(x for x in (first, last) if x) or None
    if name is None:
        return None
    out: dict[str, Any] = {}
    if aliases:
        out["aliases"] = aliases
    bd = _first(props, "birthDate")
    if bd:
        out["birth_date"] = parse_date(bd)
    for field, prop in (("nationality", "nationality"), ("email", "email"), ("phone", "phone"), ("address", "address"), ("position", "role")):
        vals = _values(props, field)
        if field == "nationality":
            vals = [v.upper() if len(v) == 2 else v for v in vals]
        if vals:
            out[prop] = ";".join(vals)
    return NodeRecord(node_id(eid), "Person", name, out, (sid,))
