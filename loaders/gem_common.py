"""Shared helpers for the Global Energy Monitor (GEM) tracker loaders.

The GEM trackers (steel plants, steel units, iron ore mines, coal mines) share one
ownership model: ``owner`` is the immediate owner/operator of the site and ``parent``
lists the ends of GEM's parent branches (ultimate parents) with bracketed stakes:
``Glencore PLC [72.6%]; ENEOS Australia Pty Ltd [13.3%]``. This module parses those
fields, maps countries and statuses, and aggregates the facts that many rows assert
about one company or one ownership relation into a single record (see
:class:`GemEmitter`), so the builder sees each node and edge once.

Mapping (docs/formats.md#gem-trackers):

- each owner OPERATES the site (``share`` = its bracketed stake when given);
- each parent OWNS the owner with its bracketed stake, ``derived=gem_parent``;
- a *sole* parent listed without a percentage gets ``share=100`` with
  ``share_inferred="sole GEM parent listed without a percentage"``; any other missing
  percentage stays unknown (absent, never 0 or 100);
- placeholders (``natural person(s)``, ``small shareholder(s)``, ``unknown``, ``--``,
  ``others``...) are unknown holders, never companies;
- an owner that is its own parent operates directly: no OWNS self-loop;
- GEM entity ids (``E100000000687``) are node ids where the file has them; otherwise the
  id is built from the name (``gem-glencore-plc``) and entity resolution joins them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from graphmodel.records import EdgeRecord, NodeRecord, Source, edge_id
from loaders.context import LoadContext, Location

PUBLISHER = "Global Energy Monitor"
LICENCE = "CC BY 4.0"
REPO_URL = "https://github.com/GlobalEnergyMonitor/maps"

#: holder texts that name no company (compared case-insensitively, whitespace-collapsed)
PLACEHOLDERS = frozenset(
    {
        "",
        "-",
        "--",
        "n/a",
        "na",
        "none",
        "unknown",
        "unknown owner",
        "other",
        "others",
        "natural person",
        "natural persons",
        "natural person(s)",
        "individual(s)",
        "individuals",
        "small shareholder",
        "small shareholders",
        "small shareholder(s)",
        "other unknown/mixed entity types",
        "other shareholders",
        "public",
        "public shareholders",
        "state-owned",
    }
)

#: a bracket at the end of a holder that is a percentage (anything else is part of the name)
_PCT = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*%?\s*$")
_TRAILING_BRACKET = re.compile(r"^(?P<name>.*?)\s*\[(?P<inner>[^\[\]]*)\]\s*$")
_GEM_ENTITY_ID = re.compile(r"E\d{6,}")
_YEAR = re.compile(r"(1[6-9]\d\d|20\d\d|21\d\d)")

#: known GEM releases: file-name prefix -> (source id, title, release date)
RELEASES: dict[str, tuple[str, str, str]] = {
    "gem-iron-steel-plants-2025-03-25": (
        "gem-gist-plants-2025-03",
        "Global Energy Monitor, Global Iron and Steel Tracker, March 2025 map files (plants)",
        "2025-03-25",
    ),
    "gem-iron-steel-units-2025-03-18": (
        "gem-gist-units-2025-03",
        "Global Energy Monitor, Global Iron and Steel Tracker, March 2025 map files (units)",
        "2025-03-18",
    ),
    "gem-iron-ore-mines-2024-11": (
        "gem-giomt-2024-11",
        "Global Energy Monitor, Global Iron Ore Mines Tracker, November 2024 (V1) release",
        "2024-11-25",
    ),
    "gem-iron-ore-mines-map-2024-11-25": (
        "gem-giomt-map-2024-11",
        "Global Energy Monitor, Global Iron Ore Mines Tracker, November 2024 (V1) release (map file)",
        "2024-11-25",
    ),
    "gem-coal-mines-2024-05-22": (
        "gem-gcmt-2024-05",
        "Global Energy Monitor, Global Coal Mine Tracker, May 2024 map file",
        "2024-05-22",
    ),
}

#: country names GEM spells in ways pycountry does not look up
_COUNTRY_OVERRIDES = {
    "türkiye": "TR",
    "turkey": "TR",
    "kosovo": "XK",
    "russia": "RU",
    "iran": "IR",
    "south korea": "KR",
    "north korea": "KP",
    "korea, republic of": "KR",
    "taiwan": "TW",
    "vietnam": "VN",
    "laos": "LA",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "syria": "SY",
    "moldova": "MD",
    "czech republic": "CZ",
    "czechia": "CZ",
    "democratic republic of the congo": "CD",
    "dr congo": "CD",
    "republic of the congo": "CG",
    "congo": "CG",
    "côte d'ivoire": "CI",
    "cote d'ivoire": "CI",
    "ivory coast": "CI",
    "brunei": "BN",
    "palestine": "PS",
    "united kingdom": "GB",
    "united states": "US",
    "eswatini": "SZ",
    "swaziland": "SZ",
    "macedonia": "MK",
    "north macedonia": "MK",
    "micronesia": "FM",
    "cape verde": "CV",
}

#: status words of the trackers -> schema site status
STATUS_MAP = {
    "operating": "operating",
    "operating-pre-retirement": "operating-pre-retirement",
    "operating pre-retirement": "operating-pre-retirement",
    "operating_pre-retirement": "operating-pre-retirement",
    "announced": "announced",
    "construction": "construction",
    "under construction": "construction",
    "mothballed": "mothballed",
    "mothballed-pre-retirement": "mothballed",
    "idle": "idle",
    "retired": "retired",
    "closed": "closed",
    "cancelled": "cancelled",
    "proposed": "proposed",
    "shelved": "shelved",
    "planned": "planned",
}


@dataclass(frozen=True)
class Holder:
    """One holder parsed from a GEM owner/parent field."""

    name: str
    share: float | None = None
    gem_id: str | None = None


@dataclass(frozen=True)
class HolderList:
    """The holders of one field, with the raw count (placeholders included).

    ``raw_count`` tells a *sole* parent (one entry in the field) from a parent listed
    beside ``small shareholder(s)`` (two entries, one of them unknown).
    """

    holders: tuple[Holder, ...]
    raw_count: int
    placeholders: int


def norm_space(text: str) -> str:
    """Collapse runs of whitespace (str.split: much faster than a regex on 80k cells)."""
    return " ".join((text or "").split())


def is_placeholder(name: str) -> bool:
    """True for holder texts that are not companies.

    >>> is_placeholder("natural person(s)"), is_placeholder(" -- "), is_placeholder("Glencore PLC")
    (True, True, False)
    """
    return norm_space(name).casefold() in PLACEHOLDERS


def split_holder(text: str) -> tuple[str, float | None]:
    """``"Glencore PLC [72.6%]"`` -> ``("Glencore PLC", 72.6)``; a bracket that is not a
    percentage stays in the name (``"Bulga Coal Management [BCM]"``).

    >>> split_holder("Glencore PLC [72.6%]"), split_holder("Bulga Coal Management [BCM]")
    (('Glencore PLC', 72.6), ('Bulga Coal Management [BCM]', None))
    """
    text = norm_space(text)
    m = _TRAILING_BRACKET.match(text)
    if m:
        pm = _PCT.match(m.group("inner"))  # digits with an optional %: a stake; letters: part of the name
        if pm:
            value = float(pm.group(1).replace(",", "."))
            if 0 <= value <= 100:
                return norm_space(m.group("name")), value
    return text, None


def id_hints(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Name -> GEM entity id, learnt from fields that hold exactly one holder.

    Some multi-holder rows list their ids in another order than their names
    (``Tangshan Zhengfeng Steel Co Ltd; Tianjin Rongcheng Group ...`` with the ids swapped);
    single-holder fields pair unambiguously, so they tell which id goes with which name.
    A name seen with two ids gives no hint.

    >>> id_hints([("A Ltd [100%]", "E100000000001 [100%]"), ("A Ltd; B Ltd", "E1; E2")])
    {'A Ltd': 'E100000000001'}
    """
    seen: dict[str, set[str]] = {}
    for names, ids in pairs:
        n_parts = [p for p in (names or "").split(";") if p.strip()]
        i_parts = [p for p in (ids or "").split(";") if p.strip()]
        if len(n_parts) == 1 and len(i_parts) == 1:
            name, gid = split_holder(n_parts[0])[0], split_holder(i_parts[0])[0]
            if _GEM_ENTITY_ID.fullmatch(gid) and not is_placeholder(name):
                seen.setdefault(name, set()).add(gid)
    return {n: next(iter(v)) for n, v in seen.items() if len(v) == 1}


def parse_holders(names: str, ids: str = "", hints: Mapping[str, str] | None = None) -> HolderList:
    """Parse a GEM owner or parent field (``;``-separated, stakes in brackets).

    ``ids`` is the matching GEM entity id field (same layout); ids are paired with names
    by position when both lists have the same length, and dropped otherwise.

    >>> hl = parse_holders("ArcelorMittal SA [97.1%]; small shareholder(s)", "E100000000687 [97.1%]; E1")
    >>> [(h.name, h.share, h.gem_id) for h in hl.holders], hl.raw_count
    ([('ArcelorMittal SA', 97.1, 'E100000000687')], 2)
    """
    parts = [p for p in (names or "").split(";") if p.strip()]
    id_parts = [split_holder(p)[0] for p in (ids or "").split(";") if p.strip()]
    pair_ids = len(id_parts) == len(parts)
    if pair_ids and hints and len(parts) > 1:
        # put each hinted id at its name's position; the rest keep their order
        names_only = [split_holder(p)[0] for p in parts]
        fixed = {i: hints[n] for i, n in enumerate(names_only) if hints.get(n) in id_parts}
        rest_count = len([x for x in id_parts if x not in fixed.values()])
        if len(set(fixed.values())) == len(fixed) and rest_count == len(parts) - len(fixed):
            rest = [x for x in id_parts if x not in fixed.values()]
            id_parts = [fixed[i] if i in fixed else rest.pop(0) for i in range(len(parts))]
    holders: list[Holder] = []
    placeholders = 0
    for i, part in enumerate(parts):
        name, share = split_holder(part)
        if is_placeholder(name):
            placeholders += 1
            continue
        gid = id_parts[i] if pair_ids and _GEM_ENTITY_ID.fullmatch(id_parts[i] or "") else None
        holders.append(Holder(name, share, gid))
    return HolderList(tuple(holders), len(parts), placeholders)


@lru_cache(maxsize=1024)
def country_code(name: str) -> str | None:
    """ISO 3166-1 alpha-2 code of a country name as GEM writes it (None if unknown).

    >>> country_code("Türkiye"), country_code("Brazil"), country_code("Atlantis")
    ('TR', 'BR', None)
    """
    import pycountry

    key = norm_space(name).casefold()
    if not key or key in ("unknown", "--"):
        return None
    if key in _COUNTRY_OVERRIDES:
        return _COUNTRY_OVERRIDES[key]
    try:
        return str(pycountry.countries.lookup(norm_space(name)).alpha_2)
    except LookupError:
        pass
    try:
        hits = pycountry.countries.search_fuzzy(norm_space(name))
        return str(hits[0].alpha_2) if len(hits) == 1 else None
    except LookupError:
        return None


def parse_number(text: Any) -> float | None:
    """A number from a GEM cell; ``unknown``, ``N/A``, ``>5`` and blanks give None.

    >>> parse_number("3600.0"), parse_number("N/A"), parse_number("1,200")
    (3600.0, None, 1200.0)
    """
    if text is None:
        return None
    s = str(text).strip().replace(",", "")
    if not s:
        return None
    try:
        v = float(s)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def parse_year(text: Any) -> int | None:
    """The first plausible year in a GEM date cell (``"2003"``, ``"2026-01"``, ``"unknown"``).

    >>> parse_year("2003"), parse_year("1967.0"), parse_year("unknown")
    (2003, 1967, None)
    """
    if text is None:
        return None
    m = _YEAR.search(str(text))
    return int(m.group(1)) if m else None


def parse_coordinates(text: str) -> tuple[float, float] | None:
    """``"51.1699290, 3.8044620"`` -> ``(51.169929, 3.804462)``; None when unparseable or out of range."""
    parts = [p.strip() for p in (text or "").split(",")]
    if len(parts) != 2:
        return None
    lat, lon = parse_number(parts[0]), parse_number(parts[1])
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def parse_latlon(lat: str, lon: str) -> tuple[float, float] | None:
    a, b = parse_number(lat), parse_number(lon)
    if a is None or b is None or not (-90 <= a <= 90 and -180 <= b <= 180):
        return None
    return a, b


def map_status(text: str) -> str | None:
    """GEM status word -> schema site status (None when empty or not recognised)."""
    key = norm_space(text).casefold()
    return STATUS_MAP.get(key)


def release_source(path: Path, *, fallback_title: str) -> Source:
    """The Source record of a GEM file (publisher, file, retrieved date, licence).

    ``retrieved`` is the release date in the file name: the copies in ``data/``
    are byte-identical to that release (see ``data/SHA256SUMS``).
    """
    stem = path.name
    for suffix in (".csv", ".xlsx"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
    if stem in RELEASES:
        sid, title, released = RELEASES[stem]
    else:
        m = re.search(r"(\d{4}-\d{2}(?:-\d{2})?)", stem)
        released = m.group(1) if m else ""
        sid, title = LoadContext.make_id("gem", stem), f"Global Energy Monitor, {fallback_title} ({path.name})"
    if released and len(released) == 7:
        released += "-01"
    return Source(
        id=sid, title=title, publisher=PUBLISHER, url=REPO_URL, file=path.name, retrieved=released, licence=LICENCE
    )


def company_id(holder: Holder, *, prefix: str = "gem") -> str:
    """Node id of a holder: its GEM entity id, else a name-based id.

    >>> company_id(Holder("ArcelorMittal SA", None, "E100000000687")), company_id(Holder("Glencore PLC"))
    ('E100000000687', 'gem-glencore-plc')
    """
    return holder.gem_id or _name_id(prefix, holder.name)


@lru_cache(maxsize=100_000)
def _name_id(prefix: str, name: str) -> str:
    return LoadContext.make_id(prefix, name)


# ---------------------------------------------------------------------------- aggregation
@dataclass
class GemEmitter:
    """Emits each GEM node and edge once per load, folding later rows' facts into it.

    Many rows assert the same company (``ArcelorMittal SA`` on 61 rows) or the same
    ownership relation, sometimes with and sometimes without a percentage. The builder
    would see duplicates with different values; here they become one record: scalar
    properties keep the first value (later different values become a warning), names
    seen under the same id become aliases, sources and origins are unioned, and a known
    share beats an unknown or inferred one.

    One emitter serves a whole load (several GEM files), kept on the context.
    """

    ctx: LoadContext
    nodes: dict[str, NodeRecord] = field(default_factory=dict)
    edges: dict[str, EdgeRecord] = field(default_factory=dict)
    sources_added: set[str] = field(default_factory=set)
    site_by_url: dict[str, str] = field(default_factory=dict)  # GEM wiki URL -> site id (iron ore map file)

    @classmethod
    def of(cls, ctx: LoadContext) -> GemEmitter:
        # kept on the context (not in a module global) so two loads never share state
        em = ctx.__dict__.get("_gem_emitter")
        if em is None:
            em = cls(ctx)
            ctx.__dict__["_gem_emitter"] = em
        return em

    def source(self, src: Source) -> str:
        if src.id not in self.sources_added:
            self.ctx.add_source(src)
            self.sources_added.add(src.id)
        return src.id

    @staticmethod
    def _add_origin(rec: NodeRecord | EdgeRecord, origin: str) -> None:
        if rec.origin == origin:
            return
        origins = rec.props.setdefault("origins", [])
        if origin not in origins:
            origins.append(origin)

    def node(
        self,
        id: str,
        kind: str,
        name: str,
        props: dict[str, Any],
        source: str,
        loc: Location,
        *,
        columns: dict[str, str] | None = None,
        aliases: list[str] | tuple[str, ...] = (),
        quiet: tuple[str, ...] = (),
    ) -> NodeRecord:
        """Emit or enrich the node ``id``; differences in ``quiet`` properties are expected, not warned."""
        props = {k: v for k, v in props.items() if v is not None and v != "" and v != []}
        clean_aliases = [a for a in dict.fromkeys(norm_space(a) for a in aliases) if a and a != name]
        rec = self.nodes.get(id)
        if rec is None:
            if clean_aliases:
                props["aliases"] = clean_aliases
            rec = NodeRecord(id, kind, name, props, (source,))
            self.nodes[id] = rec
            self.ctx.emit_node(rec, loc, columns)
            return rec
        self.ctx.stats["node_rows_merged"] += 1  # a later row about a node already emitted
        if source not in rec.sources:
            rec.sources = rec.sources + (source,)
        self._add_origin(rec, loc.origin())
        al = rec.props.setdefault("aliases", [])
        for a in ([name] if name and name != rec.name else []) + clean_aliases:
            if a != rec.name and a not in al:
                al.append(a)
        if not al:
            rec.props.pop("aliases")
        for k, v in props.items():
            if k in ("gem_id", "registry_ids") and isinstance(v, list):
                cur = rec.props.setdefault(k, [])
                cur.extend(x for x in v if x not in cur)
            elif k not in rec.props:
                rec.props[k] = v
            elif rec.props[k] != v and k not in quiet:
                self.ctx.warnings.append(
                    f"{loc.origin()}: {kind} {id}: {k} differs from an earlier row; kept the first value"
                )
        return rec

    def edge(
        self,
        src: str,
        dst: str,
        kind: str,
        props: dict[str, Any],
        source: str,
        loc: Location,
        *,
        columns: dict[str, str] | None = None,
    ) -> EdgeRecord | None:
        """Emit or enrich the edge ``kind`` ``src -> dst`` (None for a self-loop, which is skipped)."""
        if src == dst:
            return None
        props = {k: v for k, v in props.items() if v is not None and v != ""}
        eid = edge_id(kind, src, dst)
        rec = self.edges.get(eid)
        if rec is None:
            rec = EdgeRecord(src, dst, kind, props, (source,), id=eid)
            self.edges[eid] = rec
            self.ctx.emit_edge(rec, loc, columns)
            return rec
        self.ctx.stats["edge_rows_merged"] += 1  # a later row asserting an edge already emitted
        if source not in rec.sources:
            rec.sources = rec.sources + (source,)
        self._add_origin(rec, loc.origin())
        old_share, new_share = rec.props.get("share"), props.get("share")
        if new_share is not None:
            old_inferred = "share_inferred" in rec.props
            new_inferred = "share_inferred" in props
            if old_share is None or (old_inferred and not new_inferred):
                # a known share beats an unknown one, and a stated one beats an inferred one
                rec.props["share"] = new_share
                rec.props.pop("share_inferred", None)
                if new_inferred:
                    rec.props["share_inferred"] = props["share_inferred"]
            elif old_share != new_share and not new_inferred:
                self.ctx.warnings.append(
                    f"{loc.origin()}: {kind} {src}->{dst}: share {new_share} differs from {old_share} "
                    "in an earlier row; kept the first"
                )
        for k, v in props.items():
            if k not in ("share", "share_inferred") and k not in rec.props:
                rec.props[k] = v
        return rec

    def ownership(
        self,
        site_id: str,
        owners: HolderList,
        parents: HolderList,
        source: str,
        loc: Location,
        *,
        id_prefix: str = "gem",
        owner_column: str = "owner",
        parent_column: str = "parent",
    ) -> None:
        """Owners OPERATE the site; parents OWN the owners (``derived=gem_parent``).

        With one owner, each parent's bracketed stake is its stake in that owner. With
        several owners, a parent that is itself an owner owns none of the others; when one
        owner is left, the remaining parents OWN it (share unknown, or 100% inferred when
        the one parent left holds exactly that owner's stake in the site); a sole parent
        at 100% (or without a percentage) holds every owner; otherwise a parent listed
        with the same stake as exactly one owner (and no other parent with it) holds that
        owner (100%, inferred: :func:`pair_by_share`), and for the rest the file does not
        say who holds whom: no OWNS edge (a warning says so).
        """
        owner_ids: list[str] = []
        owner_share: dict[str, float | None] = {}
        for h in owners.holders:
            oid = company_id(h, prefix=id_prefix)
            self.node(
                oid, "Company", h.name, {"gem_id": [h.gem_id] if h.gem_id else None}, source, loc,
                columns={"name": owner_column},
            )
            self.edge(oid, site_id, "OPERATES", {"share": h.share}, source, loc, columns={"share": owner_column})
            if oid not in owner_ids:
                owner_ids.append(oid)
                owner_share[oid] = h.share
        if not owner_ids:
            return
        sole = parents.raw_count == 1 and len(parents.holders) == 1
        parent_ids = [company_id(p, prefix=id_prefix) for p in parents.holders]
        # owners that are their own parents hold their stake directly; parents that are
        # owners own none of the co-owners (coal M0932: "Glencore PLC [50%]; Phembani [50%]",
        # parent "Glencore PLC [100%]")
        rem_owners = [o for o in owner_ids if o not in parent_ids]
        rem_parents = [(p, pid) for p, pid in zip(parents.holders, parent_ids) if pid not in owner_ids]
        if not rem_owners or not rem_parents:
            return
        edges: list[tuple[Holder, str, str, dict[str, Any]]] = []
        if len(owner_ids) == 1:
            for p, pid in rem_parents:
                props: dict[str, Any] = {"derived": "gem_parent"}
                if p.share is not None:
                    props["share"] = p.share
                elif sole:
                    props["share"] = 100.0
                    props["share_inferred"] = "sole GEM parent listed without a percentage"
                edges.append((p, pid, owner_ids[0], props))
        elif len(rem_owners) == 1:
            o = rem_owners[0]
            for p, pid in rem_parents:
                props = {"derived": "gem_parent"}
                os_ = owner_share.get(o)
                if len(rem_parents) == 1 and p.share is not None and os_ is not None and abs(p.share - os_) < 0.05:
                    props["share"] = 100.0
                    props["share_inferred"] = (
                        "the only GEM parent that is not an owner holds the same stake in the site "
                        "as the only owner that is not a parent"
                    )
                edges.append((p, pid, o, props))
        elif sole and (parents.holders[0].share is None or parents.holders[0].share >= 100.0):
            p, pid = rem_parents[0]
            for o in rem_owners:
                props = {
                    "derived": "gem_parent",
                    "share": 100.0,
                    "share_inferred": "sole GEM parent of a site with several owners",
                }
                edges.append((p, pid, o, props))
        else:
            # several owners and several parents: GEM usually lists each owner's ultimate parent
            # with the owner's own stake in the site (BHP Area C: owners 85/8/7, parents 85/8/7);
            # a stake that one owner and one parent alone hold pairs them; the rest is unknown
            paired = pair_by_share(rem_owners, owner_share, rem_parents)
            for p, pid, o in paired:
                props = {
                    "derived": "gem_parent",
                    "share": 100.0,
                    "share_inferred": "GEM lists this parent with the same stake in the site as this owner "
                    "(and no other owner or parent with that stake)",
                }
                edges.append((p, pid, o, props))
            unassigned = len(rem_parents) - len(paired)
            if unassigned:
                self.ctx.stats["gem_parents_not_assigned"] += unassigned
                self.ctx.warnings.append(
                    f"{loc.origin()}: {unassigned} parent(s) of a site with {len(rem_owners)} owners: "
                    "the file does not say which owner each holds; no OWNS edge made for them"
                )
        for p, pid, o, props in edges:
            self.node(
                pid, "Company", p.name, {"gem_id": [p.gem_id] if p.gem_id else None}, source, loc,
                columns={"name": parent_column},
            )
            self.edge(pid, o, "OWNS", props, source, loc, columns={"share": parent_column})


def pair_by_share(
    owners: list[str], owner_share: Mapping[str, float | None], parents: list[tuple[Holder, str]]
) -> list[tuple[Holder, str, str]]:
    """``(parent, parent id, owner id)`` for stakes held by exactly one owner and one parent.

    >>> ps = [(Holder("BHP Group Ltd", 85.0), "bhp"), (Holder("ITOCHU Corp", 8.0), "itochu"), (Holder("Mitsui", None), "m")]
    >>> [(pid, o) for _, pid, o in pair_by_share(["bhpm", "itm", "mio"], {"bhpm": 85.0, "itm": 8.0, "mio": 7.0}, ps)]
    [('bhp', 'bhpm'), ('itochu', 'itm')]
    >>> pair_by_share(["a", "b"], {"a": 50.0, "b": 50.0}, [(Holder("X", 50.0), "x"), (Holder("Y", 50.0), "y")])
    []
    """
    def same(x: float | None, y: float | None) -> bool:
        return x is not None and y is not None and abs(x - y) < 0.05

    out = []
    for o in owners:
        s = owner_share.get(o)
        owner_twins = [x for x in owners if same(owner_share.get(x), s)]
        cands = [(p, pid) for p, pid in parents if same(p.share, s)]
        if len(owner_twins) == 1 and len(cands) == 1:
            out.append((cands[0][0], cands[0][1], o))
    return out


def csv_header(path: Path) -> list[str]:
    """The header cells of a CSV file (for ``sniff``), any encoding the readers take; [] if unreadable."""
    import codecs
    import csv
    import io

    from graphmodel.errors import CampaignGraphError
    from loaders.readers import decode_bytes

    try:
        with open(path, "rb") as f:
            head = f.read(65536)
    except OSError:
        return []
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and len(head) % 2:
        head = head[:-1]
    try:
        text, _ = decode_bytes(head, str(path))
    except (CampaignGraphError, UnicodeDecodeError):
        return []
    line = text.split("\n", 1)[0].rstrip("\r")
    try:
        cells = next(csv.reader(io.StringIO(line)))
    except (StopIteration, csv.Error):
        return []
    return [c.strip().lstrip("\ufeff") for c in cells]


def used_columns_report(ctx: LoadContext, file: str, header: list[str], used: set[str]) -> None:
    """Tell the context which source columns the loader ignored."""
    ctx.report_unused(file, [h for h in header if h and h not in used])
