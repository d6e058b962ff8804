"""The campaign graph's schema, as plain data.

Everything that knows about node kinds, edge kinds, allowed endpoints, property types
and sensitivity reads it from here: validation, the table loaders, snapshots, redaction,
Neo4j labels and the schema table in docs/schema.md. Adding a property touches this file only.

Property types
--------------
``str``, ``int``, ``float``, ``bool``, ``date`` (ISO ``YYYY-MM-DD`` string; partial dates
``YYYY`` / ``YYYY-MM`` are widened to the start of the period, or its end for properties
marked ``end``), ``list`` (list of strings; ``;``-separated in tables), ``percent``
(float in 0..100), and ``enum`` (one of ``values``; ``tristate`` is the enum yes/no/joint/unknown).

A property marked ``sensitive`` is dropped by redacted exports; a kind marked ``sensitive``
is dropped whole, with every edge that touches it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from graphmodel.errors import CampaignGraphError

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Prop:
    type: str = "str"
    values: tuple[str, ...] = ()
    sensitive: bool = False
    end: bool = False  # for dates: a partial date means the end of the period
    doc: str = ""
    #: a count of people: redacted exports drop values under 5, which could identify them
    people_count: bool = False
    #: for floats: the smallest and largest value allowed (inclusive), e.g. a latitude's -90..90
    bounds: tuple[float, float] | None = None


@dataclass(frozen=True)
class NodeKind:
    name: str
    doc: str
    props: Mapping[str, Prop]
    sensitive: bool = False


@dataclass(frozen=True)
class EdgeKind:
    name: str
    doc: str
    endpoints: tuple[tuple[str, str], ...]
    props: Mapping[str, Prop]
    sensitive: bool = False
    sensitive_if_touches: tuple[str, ...] = field(default=())


def _p(**kw: Prop) -> Mapping[str, Prop]:
    return MappingProxyType(dict(kw))


S = Prop("str")
I = Prop("int")
F = Prop("float")
B = Prop("bool")
D = Prop("date")
DE = Prop("date", end=True)
L = Prop("list")
PCT = Prop("percent")
SENS = Prop("str", sensitive=True)
SENS_L = Prop("list", sensitive=True)

SITE_STATUS = (
    "operating",
    "idle",
    "closed",
    "planned",
    "construction",
    "mothballed",
    "retired",
    "cancelled",
    "proposed",
    "shelved",
    "announced",
    "operating-pre-retirement",
    "unknown",
)

#: Site statuses of workplaces that exist: coverage rows and summaries, group site lists, maps,
#: geo, briefs, leverage and the bargaining calendar count these by default, together with sites
#: whose status is not recorded (shown as ``unknown``). The other statuses (cancelled, retired,
#: closed, announced, proposed, planned, shelved) are left out unless asked for with
#: ``status="all"`` or a list (CLI ``--status all`` / ``--status operating,announced``).
EXISTING_STATUSES = ("operating", "operating-pre-retirement", "idle", "mothballed", "construction")
#: what a site with no recorded status is counted and shown as
UNKNOWN_STATUS = "unknown"
#: the statuses counted when none are asked for
DEFAULT_SITE_STATUSES = (*EXISTING_STATUSES, UNKNOWN_STATUS)
#: statuses that say the site is (still) listed as working: a closure year already past is worth a note
OPERATING_STATUSES = ("operating", "operating-pre-retirement")


def site_status(attrs: Mapping[str, object]) -> str:
    """A Site's status, ``"unknown"`` when none is recorded."""
    return status_value(attrs.get("status"))


def status_value(status: object) -> str:
    """A Site's recorded ``status`` value (None when not recorded) as counted: ``"unknown"`` when none."""
    return str(status) if status else UNKNOWN_STATUS


def site_statuses(spec: object = None) -> frozenset[str]:
    """The site statuses a ``status=`` argument selects.

    ``None`` (or ``"default"``) = :data:`DEFAULT_SITE_STATUSES`; ``"all"`` = every status;
    otherwise a comma-separated string or an iterable of :data:`SITE_STATUS` values.
    An unknown value raises :class:`CampaignGraphError` naming it and the known ones.

    >>> sorted(site_statuses("operating, announced"))
    ['announced', 'operating']
    >>> "cancelled" in site_statuses(), "unknown" in site_statuses(), "cancelled" in site_statuses("all")
    (False, True, True)
    """
    if spec is None:
        return frozenset(DEFAULT_SITE_STATUSES)
    if isinstance(spec, str):
        items = [s.strip().casefold() for s in spec.split(",") if s.strip()]
    else:
        items = [str(s).strip().casefold() for s in spec if str(s).strip()]  # type: ignore[attr-defined]
    if items == ["default"]:
        return frozenset(DEFAULT_SITE_STATUSES)
    if items == ["all"]:
        return frozenset(SITE_STATUS)
    bad = [s for s in items if s not in SITE_STATUS]
    if bad or not items:
        raise CampaignGraphError(
            f"unknown site status {', '.join(bad) or '(empty)'} (use all, default, or a comma-separated list of "
            f"{', '.join(SITE_STATUS)})"
        )
    return frozenset(items)

#: Documented synonyms of closed vocabularies (enum values), the one table every loader reads:
#: synonym (lower case, words separated by one space) -> the schema's value. A synonym counts
#: for every enum that lists its value, so each synonym names one value only (tested). The
#: values themselves are matched in any case with ``_``, ``-`` and spaces alike.
#: A table cell that is neither a value nor a synonym is kept as ``other`` with the cell text
#: in ``<prop>_raw`` where the enum lists ``other`` (and the schema has ``<prop>_raw``), else
#: left unknown; either way with a warning, and the row loads (see loaders/tables.py).
ENUM_SYNONYMS: Mapping[str, str] = MappingProxyType(
    {
        # PARTY_TO role
        "union signatory": "union",
        "signatory union": "union",
        "trade union": "union",
        "workers": "union",
        "employer signatory": "employer",
        "signatory employer": "employer",
        "company": "employer",
        "management": "employer",
        "employer organisation": "employer",
        "employer organization": "employer",
        "observer": "witness",
        # Union level
        "local union": "local",
        "plant union": "local",
        "national union": "national",
        "global union": "global",
        "global union federation": "global",
        "international": "global",
        "regional union": "regional",
        "european": "regional",
        "european federation": "regional",
        # Agreement agreement_type
        "collective agreement": "cba",
        "collective bargaining agreement": "cba",
        "global framework agreement": "gfa",
        "international framework agreement": "gfa",
        "ifa": "gfa",
        "european framework agreement": "efa",
        "health and safety": "hs",
        "health and safety agreement": "hs",
        "h&s": "hs",
        "ohs": "hs",
        # Agreement renewal, scope, scope_confidence
        "tacitly renewed": "tacit",
        "automatic": "tacit",
        "automatically renewed": "tacit",
        "subsidiaries": "all_subsidiaries",
        "supply chain": "suppliers_included",
        "suppliers": "suppliers_included",
        "majority": "majority_owned",
        "explicit": "stated",
        # Site and Unit status
        "operational": "operating",
        "active": "operating",
        "in operation": "operating",
        "idled": "idle",
        "under construction": "construction",
        "canceled": "cancelled",
        "decommissioned": "retired",
        # Site union_status, cba_status
        "unionised": "present",
        "unionized": "present",
        "no union": "none",
        "non union": "none",
        "covered": "in_force",
        "no cba": "none",
        # Unit product
        "steel": "crude_steel",
        "pig iron": "iron",
        # OWNS control
        "joint control": "joint",
        # MERGED_INTO mode
        "acquisition": "takeover",
        "acquired": "takeover",
        "merged": "merger",
    }
)

#: properties every node has (besides id and kind)
COMMON_NODE_PROPS: Mapping[str, Prop] = _p(
    name=S,
    aliases=L,
    former_names=Prop("list", doc="earlier names, each optionally 'Name (until YYYY-MM-DD)'"),
    sources=L,
    origins=Prop("list", sensitive=True, doc="file:row each fact came from (internal paths: sensitive)"),
    value_sources=Prop("list", doc="'prop=source id' for values set by only some of the record's sources"),
    user_entered=Prop("bool", doc="entered by a user with no source"),
    notes=Prop("str", sensitive=True, doc="free-text notes (confidential)"),
)

#: properties every edge has
COMMON_EDGE_PROPS: Mapping[str, Prop] = _p(
    valid_from=D,
    valid_to=DE,
    sources=L,
    origins=Prop("list", sensitive=True),
    value_sources=Prop("list", doc="'prop=source id' for values set by only some of the record's sources"),
    user_entered=B,
    notes=Prop("str", sensitive=True),
)

NODE_KINDS: Mapping[str, NodeKind] = MappingProxyType(
    {
        "Company": NodeKind(
            "Company",
            "any legal entity: parent, subsidiary, joint venture, holding",
            _p(
                country=Prop("str", doc="ISO 3166-1 alpha-2"),
                hq_country=S,
                lei=S,
                wikidata=S,
                gem_id=L,
                registry_ids=L,
                linked_ids=Prop("list", doc="ids of records linked into this one at load (same identifier or name key)"),
                listed=B,
                website=S,
                legal_form=S,
                status=S,
                parent_unknown_reason=Prop(
                    "str", doc="why the parent is not reported (GLEIF reporting exception)"
                ),
            ),
        ),
        "Site": NodeKind(
            "Site",
            "a workplace: mine, smelter, refinery, steel plant, rolling mill, port, office",
            _p(
                site_type=S,
                commodity=S,
                country=S,
                subnational=S,
                lat=Prop("float", bounds=(-90.0, 90.0), doc="latitude, WGS 84 degrees"),
                lon=Prop("float", bounds=(-180.0, 180.0), doc="longitude, WGS 84 degrees"),
                coordinate_accuracy=S,
                status=Prop("enum", values=SITE_STATUS, doc="see EXISTING_STATUSES for which count by default"),
                start_year=I,
                closure_year=I,
                capacity=F,
                capacity_unit=S,
                capacity_iron=Prop(
                    "float", doc="iron (BF, DRI) capacity of the operating units, pre-retirement ones included (ttpa)"
                ),
                capacity_iron_pre_retirement=Prop(
                    "float", doc="the part of capacity_iron in units operating pre-retirement (ttpa)"
                ),
                capacity_crude_steel=Prop(
                    "float",
                    doc="crude steel (BOF, EAF, OHF) capacity of the operating units, pre-retirement ones included (ttpa)",
                ),
                capacity_crude_steel_pre_retirement=Prop(
                    "float", doc="the part of capacity_crude_steel in units operating pre-retirement (ttpa)"
                ),
                capacity_incomplete=Prop(
                    "list",
                    doc="products (iron, crude_steel) with an operating unit of unknown capacity: a lower bound",
                ),
                workforce=Prop("int", people_count=True, doc="number of workers"),
                workforce_not_current=Prop(
                    "int", people_count=True,
                    doc="a headcount the source gives for a proposed, shelved, cancelled or retired site (planned or past)",
                ),
                precarious_share=PCT,
                gem_id=L,
                wikidata=Prop("str", doc="Wikidata QID of the site"),
                equipment=Prop("list", doc="main production equipment or unit types (BF, BOF, EAF, DRI...)"),
                production_route=Prop(
                    "str", doc="steel plant's production route as GEM names it (IntegratedBF, Electric, IntegratedDRI...)"
                ),
                coal_type=Prop("str", doc="coal mined (Bituminous, Subbituminous, Lignite, Anthracite...)"),
                mine_type=Prop("str", doc="surface, underground or both, as the source gives it"),
                unit_count=Prop("int", doc="number of production units recorded for the site"),
                union_status=Prop("enum", values=("none", "present", "unknown")),
                union_status_date=D,
                cba_status=Prop("enum", values=("none", "in_force", "unknown")),
                cba_status_date=D,
                url=S,
            ),
        ),
        "Unit": NodeKind(
            "Unit",
            "a production unit (blast furnace, converter, EAF, DRI plant): PART_OF its Site, never a site itself",
            _p(
                unit_type=Prop("str", doc="BF, BOF, EAF, DRI, OHF (GEM's abbreviations)"),
                product=Prop(
                    "enum", values=("iron", "crude_steel"),
                    doc="what the unit makes: iron (BF, DRI) or crude_steel (BOF, EAF, OHF)",
                ),
                status=Prop("enum", values=SITE_STATUS),
                capacity=Prop("float", doc="the unit's current capacity of its product (ttpa)"),
                relining=Prop("str", doc="most recent relining as the source gives it (YYYY or YYYY-MM-DD)"),
                start_year=I,
                gem_id=L,
            ),
        ),
        "Union": NodeKind(
            "Union",
            "a trade union: local, national union, federation, global union federation",
            _p(
                level=Prop("enum", values=("local", "national", "federation", "global", "regional", "other")),
                level_raw=Prop("str", doc="the level as the source wrote it, when it is none of the values (level=other)"),
                country=S,
                website=S,
                email=SENS,
                phone=SENS,
                address=SENS,
                contact=SENS,
            ),
        ),
        "UnionNetwork": NodeKind(
            "UnionNetwork",
            "a company-wide union network",
            _p(
                company=Prop("str", doc="id of the multinational"),
                coordinator=S,
                founded=D,
                signatories=Prop("str", doc="the founders or members as the source states them"),
                evidence_quote=Prop("str", doc="a short quote from the source (a citation, not our text)"),
                url=S,
            ),
        ),
        "Agreement": NodeKind(
            "Agreement",
            "a CBA, global or European framework agreement, health & safety agreement",
            _p(
                agreement_type=Prop("enum", values=("cba", "gfa", "hs", "efa", "other")),
                agreement_type_raw=Prop(
                    "str", doc="the type as the source wrote it, when it is none of the values (agreement_type=other)"
                ),
                country=Prop("str", doc="ISO 3166-1 alpha-2 of a national agreement"),
                signed=D,
                expires=DE,
                renewal=Prop("enum", values=("tacit", "unknown", "none")),
                duration=S,
                scope=Prop(
                    "enum",
                    values=("controlled", "majority_owned", "all_subsidiaries", "suppliers_included", "unknown"),
                ),
                scope_confidence=Prop("enum", values=("stated", "inferred", "unknown")),
                clauses=L,
                url=S,
                signatories=Prop("str", doc="the signatories as the source states them"),
                evidence_quote=Prop("str", doc="a short quote from the source (a citation, not our text)"),
                scope_quote=Prop("str", doc="a short quote from the scope clause (a citation)"),
                clause_quote=Prop("str", doc="a short quote from the source that sets clauses such as restructuring"),
            ),
        ),
        "Campaign": NodeKind(
            "Campaign",
            "a campaign or organizing project",
            _p(
                goal=Prop("str", sensitive=True),
                status=S,
                start=D,
                end=DE,
                target=S,
            ),
        ),
        "Country": NodeKind(
            "Country",
            "a country (id: ISO 3166-1 alpha-2)",
            _p(
                iso2=S,
                ilo_ratifications=L,
                ituc_rating=S,
                due_diligence_laws=L,
                national_action_plan=B,
            ),
        ),
        "Initiative": NodeKind(
            "Initiative",
            "a standard or multi-stakeholder initiative (EITI, IRMA, ASI, OECD NCP)",
            _p(grievance_mechanism=B, url=S),
        ),
        "Investor": NodeKind(
            "Investor",
            "a shareholder or lender, e.g. a pension fund",
            _p(workers_capital=Prop("bool", doc="union trustees on the board"), country=S),
        ),
        "Event": NodeKind(
            "Event",
            "a dated incident: union busting, dismissal, fatality, strike, renaming, relocation",
            _p(date=D, event_type=S, severity=I, description=S),
        ),
        "Person": NodeKind(
            "Person",
            "a natural person (the whole record is sensitive)",
            _p(role=S, email=SENS, phone=SENS, address=SENS, nationality=SENS, birth_date=Prop("date", sensitive=True),
               country=Prop("str", sensitive=True, doc="country of residence or work")),
            sensitive=True,
        ),
    }
)

_ORG = ("Company",)
_HOLDERS = ("Company", "Investor", "Person")

EDGE_KINDS: Mapping[str, EdgeKind] = MappingProxyType(
    {
        "OWNS": EdgeKind(
            "OWNS",
            "equity or control held",
            tuple((h, "Company") for h in _HOLDERS),
            _p(
                share=PCT,
                share_min=PCT,
                share_max=PCT,
                voting=PCT,
                voting_min=PCT,
                voting_max=PCT,
                control=Prop("enum", values=("yes", "no", "joint", "unknown")),
                share_inferred=Prop("str", doc="why the share was inferred, if it was"),
                derived=Prop("str", doc="e.g. gem_parent: an ultimate-parent assertion, not a direct holding"),
            ),
        ),
        "OPERATES": EdgeKind("OPERATES", "a company operates a site", (("Company", "Site"),), _p(share=PCT)),
        "PART_OF": EdgeKind("PART_OF", "a production unit belongs to a site", (("Unit", "Site"),), _p()),
        "SUPPLIES": EdgeKind(
            "SUPPLIES",
            "supply relation",
            tuple((a, b) for a in ("Site", "Company") for b in ("Site", "Company")),
            _p(commodity=S, volume=F, unit=S),
        ),
        "REPRESENTS": EdgeKind(
            "REPRESENTS",
            "a union represents workers at a site or company",
            (("Union", "Site"), ("Union", "Company")),
            _p(
                members=Prop("int", sensitive=True, people_count=True),
                density=Prop("percent", sensitive=True),
                recognised=B,
                bargaining_unit=S,
            ),
        ),
        "AFFILIATED_TO": EdgeKind("AFFILIATED_TO", "union affiliation", (("Union", "Union"),), _p()),
        "MEMBER_OF": EdgeKind("MEMBER_OF", "union in a company network", (("Union", "UnionNetwork"),), _p()),
        "PARTY_TO": EdgeKind(
            "PARTY_TO",
            "signatory of an agreement",
            (("Company", "Agreement"), ("Union", "Agreement")),
            _p(
                role=Prop("enum", values=("employer", "union", "witness", "other")),
                role_raw=Prop("str", doc="the role as the source wrote it, when it is none of the values (role=other)"),
            ),
        ),
        "COVERS": EdgeKind(
            "COVERS",
            "explicit coverage, overriding the scope rule",
            (("Agreement", "Site"), ("Agreement", "Company")),
            _p(excluded=Prop("bool", doc="explicitly excluded from coverage")),
        ),
        "LOCATED_IN": EdgeKind(
            "LOCATED_IN", "location", (("Site", "Country"), ("Company", "Country")), _p()
        ),
        "CERTIFIED_BY": EdgeKind(
            "CERTIFIED_BY",
            "certification",
            (("Company", "Initiative"), ("Site", "Initiative")),
            _p(level=S, audit_date=D),
        ),
        "MEMBER_OF_INITIATIVE": EdgeKind(
            "MEMBER_OF_INITIATIVE",
            "initiative membership",
            (("Company", "Initiative"), ("Site", "Initiative")),
            _p(level=S, audit_date=D),
        ),
        "TARGETS": EdgeKind("TARGETS", "campaign target", (("Campaign", "Company"), ("Campaign", "Site")), _p()),
        "SUPPORTS": EdgeKind("SUPPORTS", "union supports campaign", (("Union", "Campaign"),), _p()),
        "INVOLVES": EdgeKind(
            "INVOLVES",
            "an event involves",
            (("Event", "Company"), ("Event", "Site"), ("Event", "Union")),
            _p(),
        ),
        "HOLDS_ROLE": EdgeKind(
            "HOLDS_ROLE",
            "a person holds a role",
            (("Person", "Company"), ("Person", "Union")),
            _p(role=S),
            sensitive=True,
        ),
        "RENAMED_TO": EdgeKind(
            "RENAMED_TO", "a renaming or re-registration", (("Company", "Company"),), _p(date=D)
        ),
        "MERGED_INTO": EdgeKind(
            "MERGED_INTO",
            "a company ceased as a separate group by merger or takeover (predecessor -> successor)",
            (("Company", "Company"),),
            _p(date=D, mode=Prop("enum", values=("merger", "takeover"), doc="merger, or takeover by the successor")),
        ),
    }
)


def node_props(kind: str) -> Mapping[str, Prop]:
    """All properties a node of ``kind`` may carry (common ones included).

    Examples
    --------
    >>> "workforce" in node_props("Site")
    True
    """
    k = NODE_KINDS[kind]
    return {**COMMON_NODE_PROPS, **k.props}


def edge_props(kind: str) -> Mapping[str, Prop]:
    """All properties an edge of ``kind`` may carry (common ones included)."""
    k = EDGE_KINDS[kind]
    return {**COMMON_EDGE_PROPS, **k.props}


def all_node_props() -> dict[str, Prop]:
    """Union of every node property over every kind (for wide tables).

    Where two kinds give one name different types, the first declaration wins; the
    schema keeps them consistent (tested).
    """
    out: dict[str, Prop] = dict(COMMON_NODE_PROPS)
    for k in NODE_KINDS.values():
        for name, p in k.props.items():
            out.setdefault(name, p)
    return out


def all_edge_props() -> dict[str, Prop]:
    """Union of every edge property over every kind."""
    out: dict[str, Prop] = dict(COMMON_EDGE_PROPS)
    for k in EDGE_KINDS.values():
        for name, p in k.props.items():
            out.setdefault(name, p)
    return out


def is_sensitive_node_prop(kind: str, prop: str) -> bool:
    """True when redacted exports must drop ``prop`` of a ``kind`` node."""
    p = node_props(kind).get(prop)
    return bool(p and p.sensitive)


def is_sensitive_edge_prop(kind: str, prop: str) -> bool:
    """True when redacted exports must drop ``prop`` of a ``kind`` edge."""
    p = edge_props(kind).get(prop)
    return bool(p and p.sensitive)


def canonical_node_kind(text: str) -> str | None:
    """The schema's spelling of a node kind given in any case (``company`` -> ``Company``)."""
    key = text.strip().replace("_", "").replace(" ", "").casefold()
    for k in NODE_KINDS:
        if k.casefold() == key:
            return k
    return None


def canonical_edge_kind(text: str) -> str | None:
    """The schema's spelling of an edge kind given in any case (``owns`` -> ``OWNS``)."""
    key = text.strip().replace(" ", "_").upper()
    return key if key in EDGE_KINDS else None
