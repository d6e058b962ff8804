"""Beneficial Ownership Data Standard (BODS 0.4) statements.

A BODS file is a JSON array (or JSON lines) of statements; each has a ``recordType``:

- ``entity`` -> a Company node (id ``bods-<recordId>``): ``name``, ``alternateNames`` ->
  ``aliases``, ``jurisdiction.code`` (or the registered address's country) -> ``country``,
  a business address's country -> ``hq_country``, identifiers: scheme ``XI-LEI`` -> ``lei``,
  every other -> ``registry_ids`` as ``SCHEME:id``, ``publicListing.hasPublicListing`` -> ``listed``,
  ``entityType`` -> ``legal_form`` (``arrangement/trust``), a closed record or a
  ``dissolutionDate`` -> ``status=closed``.
- ``person`` -> a Person node (sensitive whole: redacted exports drop it): the legal name,
  ``birthDate`` -> ``birth_date``, nationalities -> ``nationality``, the first address -> ``address``.
- ``relationship`` (``subject`` is owned, ``interestedParty`` holds the interests): the
  interests of one period (``startDate``/``endDate`` -> ``valid_from``/``valid_to``) make one edge:

  * ``shareholding`` -> ``share`` (``exact``; else ``minimum``/``exclusiveMinimum`` -> ``share_min``
    and ``maximum``/``exclusiveMaximum`` -> ``share_max``: a range stays a range, never its midpoint);
  * ``votingRights`` -> ``voting`` (or ``voting_min``/``voting_max``);
  * ``appointmentOfBoard``, ``otherInfluenceOrControl``, ``controlViaCompanyRulesOrArticles``,
    ``controlByLegalFramework`` with ``beneficialOwnershipOrControl=true`` -> ``control=yes``;
  * other interests (rights to profit, beneficiary of a trust, unknown...), or none published,
    give an OWNS edge of unknown share;
  * roles (``boardMember``, ``boardChair``, ``seniorManagingOfficial``, ``trustee``, ``settlor``,
    ``protector``, ``nominee``, ``nominator``) held by a person -> HOLDS_ROLE with ``role`` = the
    interest type (sensitive); held by an entity they are noted and skipped (HOLDS_ROLE runs
    from a Person only).

  ``directOrIndirect=indirect`` is not a direct edge (docs/formats.md#bods). When the relationship lists
  its ``componentRecords``, the chain is in the file as direct relationships, so the indirect
  interest is skipped (counted as ``bods_indirect_skipped``; adding it would count the stake
  twice). Without components the intermediaries are unpublished: the interest becomes an OWNS
  edge marked ``derived=bods_indirect`` (like GEM's ``gem_parent``: an assertion about the
  end of a chain whose middle is not in the file).

  An ``interestedParty`` that is an unspecified-party object (``reason``, e.g.
  ``subjectExemptFromDisclosure``) gives the subject ``parent_unknown_reason``.

Statements with the same ``recordId`` are versions of one record (``new``, ``updated``,
``closed``), applied in ``statementDate`` order: the latest version of an entity or person
wins; for a relationship every period seen is kept, a period that a later version no longer
lists ends the day before the next period starts (or on the later statement's date), and a
``closed`` record ends its open periods on the closing statement's date.

Rows in error messages are statement indexes (0-based, as in the JSON pointer; for JSON lines:
the line number), columns are JSON pointers (``/3/recordDetails/interests/0/share/exact``).

Licence: the BODS examples in ``data/bods`` are Apache-2.0, (c) Open Ownership; a
publisher's own licence (``publicationDetails.license``) is kept on the Source.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from graphmodel.errors import CampaignGraphError
from graphmodel.records import EdgeRecord, NodeRecord, Source
from graphmodel.values import parse_date
from loaders.context import LoadContext, Location

#: refuse JSON files larger than this (a BODS bulk file should be split or streamed as JSON lines)
MAX_JSON_BYTES = 512 * 1024 * 1024

CONTROL_TYPES = {
    "appointmentOfBoard",
    "otherInfluenceOrControl",
    "controlViaCompanyRulesOrArticles",
    "controlByLegalFramework",
}
ROLE_TYPES = {
    "boardMember",
    "boardChair",
    "seniorManagingOfficial",
    "trustee",
    "settlor",
    "protector",
    "nominee",
    "nominator",
}
_COUNTRY = re.compile(r"^[A-Za-z]{2}(?:-|$)")


# ---------------------------------------------------------------------------- JSON helpers
def read_json(path: Path, display: str | None = None) -> Any:
    """Parse a JSON file, turning every parse failure into a :class:`CampaignGraphError`.

    Truncated files, bad encodings and absurdly deep nesting (``[[[[...``, which makes
    Python's parser recurse) are refused with a one-line message and no traceback.

    >>> read_json(Path("/nonexistent.json"))  # doctest: +SKIP
    """
    file = display or str(path)
    try:
        if path.stat().st_size > MAX_JSON_BYTES:
            raise CampaignGraphError(f"JSON file larger than {MAX_JSON_BYTES // 2**20} MB", file=file)
        data = path.read_bytes()
    except OSError as e:
        raise CampaignGraphError(f"cannot read file ({e.strerror})", file=file) from None
    return parse_json_text(data, file)


def parse_json_text(data: bytes | str, file: str, row: int | None = None) -> Any:
    """``json.loads`` with user-facing errors (see :func:`read_json`)."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise CampaignGraphError("not UTF-8 text: save the file as UTF-8 JSON", file=file, row=row) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        where = f"line {e.lineno} column {e.colno}" if row is None else f"column {e.colno}"
        raise CampaignGraphError(f"invalid JSON at {where}: {e.msg} (truncated file?)", file=file, row=row) from None
    except RecursionError:
        raise CampaignGraphError("JSON nested too deeply to be a real record", file=file, row=row) from None


def _head(path: Path, n: int = 65536) -> str:
    try:
        with open(path, "rb") as fh:
            return fh.read(n).decode("utf-8", errors="replace")
    except OSError:
        return ""


def sniff(path: Path) -> bool:
    """A ``.json``/``.jsonl`` file of BODS statements, or a folder holding one."""
    if path.is_dir():
        return any(sniff(p) for p in sorted(path.glob("*.json"))[:20])
    if path.suffix.lower() not in (".json", ".jsonl", ".ndjson"):
        return False
    head = _head(path).lstrip("\ufeff \t\r\n")
    return (
        head[:1] in ("[", "{")
        and '"statementId"' in head
        and ('"recordType"' in head or '"statementType"' in head)
    )


def _statements(path: Path, display: str) -> tuple[list[tuple[int, Any]], bool]:
    """(row, statement) pairs from a JSON array or JSON lines file, and whether it was JSON lines."""
    raw = path.read_bytes() if path.stat().st_size <= MAX_JSON_BYTES else None
    if raw is None:
        raise CampaignGraphError(f"JSON file larger than {MAX_JSON_BYTES // 2**20} MB", file=display)
    text = raw.decode("utf-8-sig", errors="strict") if raw else ""
    stripped = text.lstrip()
    if not stripped:
        raise CampaignGraphError("file is empty", file=display)
    if stripped.startswith("["):
        data = parse_json_text(text, display)
        if not isinstance(data, list):
            raise CampaignGraphError("expected a JSON array of BODS statements", file=display)
        return list(enumerate(data)), False
    out = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            out.append((lineno, parse_json_text(line, display, row=lineno)))
    return out, True


# ---------------------------------------------------------------------------- record state
@dataclass
class _Period:
    start: str | None
    end: str | None
    interests: list[tuple[int, dict[str, Any]]]  # (interest index, interest)
    row: int
    closed_on: str | None = None


@dataclass
class _Relationship:
    subject: str
    party: Any
    row: int
    components: bool
    periods: dict[tuple[str | None, bool], _Period] = field(default_factory=dict)


class _Bad(Exception):
    """A malformed statement: message and JSON pointer."""

    def __init__(self, message: str, pointer: str) -> None:
        super().__init__(message)
        self.message = message
        self.pointer = pointer


def _obj(value: Any, pointer: str, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Bad(f"{what} must be an object", pointer)
    return value


def _str(value: Any, pointer: str, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Bad(f"{what} must be a non-empty string", pointer)
    return value.strip()


def _date(value: Any, pointer: str) -> str | None:
    if value in (None, ""):
        return None
    try:
        return parse_date(value)
    except ValueError as e:  # the message names the form or the range, never the value (it may be sensitive)
        raise _Bad(str(e), pointer) from None
    except (TypeError, CampaignGraphError):
        raise _Bad("not a date", pointer) from None


def _pct(value: Any, pointer: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Bad("a share must be a number", pointer)
    if not 0 <= value <= 100:
        raise _Bad(f"a share must be between 0 and 100, not {value}", pointer)
    return float(value)


def _node_id(record_id: str) -> str:
    return LoadContext.make_id("bods", record_id)


def _country(code: Any) -> str | None:
    if isinstance(code, str) and _COUNTRY.match(code):
        return code[:2].upper()
    return None


def _entity_props(rd: dict[str, Any], status: str, p: str) -> tuple[str, dict[str, Any]]:
    name = _str(rd.get("name"), f"{p}/recordDetails/name", "an entity's name")
    props: dict[str, Any] = {}
    alt = rd.get("alternateNames")
    if isinstance(alt, list):
        aliases = [a.strip() for a in alt if isinstance(a, str) and a.strip() and a.strip() != name]
        if aliases:
            props["aliases"] = aliases
    jur = rd.get("jurisdiction")
    if isinstance(jur, dict) and _country(jur.get("code")):
        props["country"] = _country(jur.get("code"))
    for i, addr in enumerate(rd.get("addresses") or []):
        if not isinstance(addr, dict):
            raise _Bad("an address must be an object", f"{p}/recordDetails/addresses/{i}")
        c = addr.get("country")
        code = _country(c.get("code")) if isinstance(c, dict) else None
        if code and addr.get("type") == "registered":
            props.setdefault("country", code)
        elif code and addr.get("type") in ("business", "headquarters"):
            props.setdefault("hq_country", code)
    registry: list[str] = []
    for i, ident in enumerate(rd.get("identifiers") or []):
        ident = _obj(ident, f"{p}/recordDetails/identifiers/{i}", "an identifier")
        value = ident.get("id")
        if not isinstance(value, str) or not value.strip():
            continue  # an identifier with only a URI names nothing we can match on
        scheme = ident.get("scheme") or ident.get("schemeName") or "unknown"
        if scheme == "XI-LEI":
            props["lei"] = value.strip()
        else:
            registry.append(f"{str(scheme).strip()}:{value.strip()}")
    if registry:
        props["registry_ids"] = registry
    listing = rd.get("publicListing")
    if isinstance(listing, dict) and isinstance(listing.get("hasPublicListing"), bool):
        props["listed"] = listing["hasPublicListing"]
    et = rd.get("entityType")
    if isinstance(et, dict) and et.get("type") and et.get("type") != "registeredEntity":
        props["legal_form"] = "/".join(str(x) for x in (et.get("type"), et.get("subtype")) if x)
    if status == "closed" or rd.get("dissolutionDate"):
        props["status"] = "closed"
    return name, props


def _person_props(rd: dict[str, Any], p: str, soft: list[_Bad] | None = None) -> tuple[str, dict[str, Any]]:
    """A person's name and properties; a malformed birth date is left out and added to ``soft``
    (the person still loads)."""
    names = [n for n in (rd.get("names") or []) if isinstance(n, dict)]
    names.sort(key=lambda n: 0 if n.get("type") == "legal" else 1)
    name = None
    for n in names:
        full = n.get("fullName") or " ".join(str(x) for x in (n.get("givenName"), n.get("familyName")) if x)
        if isinstance(full, str) and full.strip():
            name = full.strip()
            break
    props: dict[str, Any] = {}
    if name is None:
        unspecified = rd.get("unspecifiedPersonDetails")
        reason = unspecified.get("reason") if isinstance(unspecified, dict) else None
        name = f"unnamed person ({reason or rd.get('personType') or 'unknown'})"
    bd = rd.get("birthDate")
    if bd:
        try:
            props["birth_date"] = _date(bd, f"{p}/recordDetails/birthDate")
        except _Bad as e:
            if soft is None:
                raise
            soft.append(e)
    nats = [n.get("code") or n.get("name") for n in (rd.get("nationalities") or []) if isinstance(n, dict)]
    nats = [str(n) for n in nats if n]
    if nats:
        props["nationality"] = ";".join(nats)
    for addr in rd.get("addresses") or []:
        if isinstance(addr, dict) and addr.get("address"):
            props["address"] = str(addr["address"])
            break
    return name, props


# ---------------------------------------------------------------------------- load
def load(path: Path, ctx: LoadContext, *, licence: str = "") -> None:
    """Load a BODS 0.4 file (JSON array or JSON lines) or every ``*.json`` in a folder into ``ctx``.

    Examples
    --------
    >>> ctx = LoadContext()
    >>> load(Path("data/bods/indirect-ownership.json"), ctx)  # doctest: +SKIP
    >>> sorted(r.name for r, _, _ in ctx.nodes)  # doctest: +SKIP
    ['Company A', 'Company B', 'Person 1']
    """
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".json", ".jsonl", ".ndjson"))
        if not files:
            raise CampaignGraphError("folder holds no .json files", file=str(path))
        for f in files:
            try:
                _load_file(f, ctx, licence=licence)
            except CampaignGraphError as e:
                if ctx.strict:
                    raise
                ctx.errors.append(e)
        return
    _load_file(path, ctx, licence=licence)


def _load_file(path: Path, ctx: LoadContext, *, licence: str) -> None:
    display = str(path)
    try:
        statements, lines = _statements(path, display)
    except UnicodeDecodeError:
        raise CampaignGraphError("not UTF-8 text: save the file as UTF-8 JSON", file=display) from None
    ctx.rows_read[display] += len(statements)
    source = _source_for(path, statements, licence)
    ctx.add_source(source)
    sid = source.id

    # versions of each record, in statementDate order (stable: file order breaks ties)
    ordered: list[tuple[str, int, dict[str, Any]]] = []
    for row, st in statements:
        p = "" if lines else f"/{row}"
        try:
            st = _obj(st, p, "a statement")
            if "statementType" in st and "recordType" not in st:
                raise _Bad("BODS 0.2/0.3 statement (statementType); this loader reads BODS 0.4 (recordType)", p + "/statementType")
            _str(st.get("recordId"), p + "/recordId", "recordId")
            rt = st.get("recordType")
            if rt not in ("entity", "person", "relationship"):
                raise _Bad(f"recordType must be entity, person or relationship, not {str(rt)[:30]!r}", p + "/recordType")
            _obj(st.get("recordDetails"), p + "/recordDetails", "recordDetails")
            sdate = _date(st.get("statementDate"), p + "/statementDate") or ""
        except _Bad as e:
            ctx.error(e.message, file=display, row=row, column=e.pointer)
            continue
        ordered.append((sdate, row, st))
    ordered.sort(key=lambda t: t[0])

    nodes: dict[str, tuple[NodeRecord, int]] = {}
    rels: dict[str, _Relationship] = {}
    exempt: dict[str, tuple[str, int]] = {}
    for sdate, row, st in ordered:
        p = "" if lines else f"/{row}"
        rid, rt, rd, status = st["recordId"].strip(), st["recordType"], st["recordDetails"], st.get("recordStatus", "new")
        try:
            if rt == "entity":
                name, props = _entity_props(rd, status, p)
                nodes[rid] = (NodeRecord(_node_id(rid), "Company", name, props, (sid,)), row)
            elif rt == "person":
                soft: list[_Bad] = []
                name, props = _person_props(rd, p, soft)
                nodes[rid] = (NodeRecord(_node_id(rid), "Person", name, props, (sid,)), row)
                for e in soft:
                    ctx.error(f"{e.message}; left unknown", file=display, row=row, column=e.pointer, reject_row=False)
            else:
                _relationship_version(rels, exempt, rid, rd, status, sdate, row, p)
        except _Bad as e:
            ctx.error(e.message, file=display, row=row, column=e.pointer)
    for rid, (reason, row) in exempt.items():
        if rid in nodes:
            nodes[rid][0].props["parent_unknown_reason"] = reason
    for rec, row in nodes.values():
        ctx.emit_node(rec, Location(display, row))
        ctx.stats[f"bods_{rec.kind.lower()}s"] += 1
    kinds = {rid: rec.kind for rid, (rec, _) in nodes.items()}
    for rid, rel in rels.items():
        _emit_relationship(ctx, display, sid, rid, rel, kinds)


def _source_for(path: Path, statements: list[tuple[int, Any]], licence: str) -> Source:
    publisher, lic, pubdate = "", licence, ""
    for _, st in statements[:1]:
        pd = st.get("publicationDetails") if isinstance(st, dict) else None
        if isinstance(pd, dict):
            pub = pd.get("publisher")
            publisher = str(pub.get("name", "")) if isinstance(pub, dict) else ""
            lic = lic or str(pd.get("license") or "")
            pubdate = str(pd.get("publicationDate") or "")
    return Source(
        id=LoadContext.make_id("bods", path.stem),
        title=f"BODS statements: {path.name}",
        publisher=publisher,
        file=str(path),
        retrieved=pubdate,
        licence=lic,
    )


def _relationship_version(
    rels: dict[str, _Relationship],
    exempt: dict[str, tuple[str, int]],
    rid: str,
    rd: dict[str, Any],
    status: str,
    sdate: str,
    row: int,
    p: str,
) -> None:
    subject = rd.get("subject")
    if isinstance(subject, dict):  # an unspecified subject names nothing to attach facts to
        raise _Bad("relationship subject is unspecified", p + "/recordDetails/subject")
    subject = _str(subject, p + "/recordDetails/subject", "subject")
    party = rd.get("interestedParty")
    if isinstance(party, dict):
        reason = party.get("reason") or "unspecified"
        exempt[subject] = (str(reason), row)
        return
    party = _str(party, p + "/recordDetails/interestedParty", "interestedParty")
    interests = rd.get("interests") or []
    if not isinstance(interests, list):
        raise _Bad("interests must be a list", p + "/recordDetails/interests")
    periods: dict[tuple[str | None, bool], _Period] = {}
    for i, it in enumerate(interests):
        ip = f"{p}/recordDetails/interests/{i}"
        it = _obj(it, ip, "an interest")
        start = _date(it.get("startDate"), ip + "/startDate")
        end = _date(it.get("endDate"), ip + "/endDate")
        share = it.get("share")
        if share is not None:
            share = _obj(share, ip + "/share", "share")
            for k in ("exact", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
                if k in share and share[k] is not None:
                    _pct(share[k], f"{ip}/share/{k}")
        indirect = it.get("directOrIndirect") == "indirect"
        key = (start, indirect)
        per = periods.setdefault(key, _Period(start, end, [], row))
        per.interests.append((i, it))
        if end and (per.end is None or end > per.end):
            per.end = end
    if not periods:  # a declared relationship whose interests are not published: unknown share
        periods[(None, False)] = _Period(None, None, [], row)
    rel = rels.get(rid)
    if rel is None:
        rel = rels[rid] = _Relationship(subject, party, row, bool(rd.get("componentRecords")))
    else:
        rel.subject, rel.party = subject, party
        rel.components = rel.components or bool(rd.get("componentRecords"))
        # periods the new version no longer lists have ended
        for key, old in rel.periods.items():
            if key in periods or old.end or old.closed_on:
                continue
            later = sorted(s for (s, _), _p in periods.items() if s and (old.start is None or s > old.start))
            if later:
                old.closed_on = (date.fromisoformat(later[0]) - timedelta(days=1)).isoformat()
            elif sdate:
                old.closed_on = sdate
    for key, per in periods.items():
        rel.periods[key] = per
    if status == "closed":
        for per in rel.periods.values():
            if not per.end and not per.closed_on and sdate:
                per.closed_on = sdate


def _emit_relationship(
    ctx: LoadContext, file: str, sid: str, rid: str, rel: _Relationship, kinds: dict[str, str]
) -> None:
    src, dst = _node_id(rel.party), _node_id(rel.subject)
    party_kind = kinds.get(rel.party)
    for (start, indirect), per in sorted(rel.periods.items(), key=lambda kv: (kv[0][0] or "", kv[0][1])):
        loc = Location(file, per.row)
        if indirect and rel.components:
            ctx.stats["bods_indirect_skipped"] += 1
            ctx.warnings.append(
                f"{file}: row {per.row}: indirect interest of {rel.party} in {rel.subject} skipped: "
                "its chain is in the file as direct relationships"
            )
            continue
        own: dict[str, Any] = {}
        roles: list[str] = []
        has_ownership = not per.interests
        for _, it in per.interests:
            t = it.get("type")
            share = it.get("share") or {}
            if t in ROLE_TYPES:
                roles.append(t)
                continue
            has_ownership = True
            if t == "shareholding":
                _range_into(own, "share", share)
            elif t == "votingRights":
                _range_into(own, "voting", share)
            elif t in CONTROL_TYPES and it.get("beneficialOwnershipOrControl") is True:
                own["control"] = "yes"
        end = per.end or per.closed_on
        validity = {k: v for k, v in (("valid_from", start), ("valid_to", end)) if v}
        if has_ownership:
            if indirect:
                own["derived"] = "bods_indirect"
            props = {**own, **validity}
            eid = None
            if indirect:
                eid = f"OWNS:{src}->{dst}{'@' + start if start else ''}#indirect"
            ctx.emit_edge(EdgeRecord(src, dst, "OWNS", props, (sid,), id=eid), loc)
            ctx.stats["bods_owns"] += 1
        if roles:
            if party_kind == "Person" or (party_kind is None and rel.party not in kinds):
                for role in roles:
                    eid = f"HOLDS_ROLE:{src}->{dst}:{role}{'@' + start if start else ''}"
                    ctx.emit_edge(EdgeRecord(src, dst, "HOLDS_ROLE", {"role": role, **validity}, (sid,), id=eid), loc)
                    ctx.stats["bods_roles"] += 1
            else:
                ctx.stats["bods_entity_roles_skipped"] += len(roles)
                ctx.warnings.append(
                    f"{file}: row {per.row}: role(s) {', '.join(roles)} held by entity {rel.party} not loaded "
                    "(HOLDS_ROLE runs from a person)"
                )


def _range_into(props: dict[str, Any], name: str, share: dict[str, Any]) -> None:
    if share.get("exact") is not None:
        props[name] = float(share["exact"])
        return
    lo = share.get("minimum", share.get("exclusiveMinimum"))
    hi = share.get("maximum", share.get("exclusiveMaximum"))
    if lo is not None:
        props[f"{name}_min"] = float(lo)
    if hi is not None:
        props[f"{name}_max"] = float(hi)
