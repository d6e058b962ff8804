"""Loader for GEM's Global Iron and Steel Tracker plant file (one row per plant).

``gem-iron-steel-plants-*.csv``: a Site per plant (id = GEM plant id), its owner(s)
OPERATING it and the parents OWNING the owner (see :mod:`loaders.gem_common`).

Capacity is kept by product, never summed across products (iron feeds crude steel: adding
them counts the same tonnes twice). ``capacity_iron`` and ``capacity_crude_steel`` are the
operating capacities (the ``operating`` and ``operating-pre-retirement`` columns added),
``capacity_iron_pre_retirement`` and ``capacity_crude_steel_pre_retirement`` the part in
pre-retirement units; all in thousand tonnes per annum (ttpa), absent when the file gives
none (GEM writes 0 for "no figure": never kept as 0). When the unit file is loaded too,
:mod:`loaders.gem_steel_units` sums the units instead and its figures win
(:func:`settle_capacity` pins each value to the file that set it). ``capacity`` stays the
plant's crude steel capacity for its status (iron for iron-only plants), as before.

Examples
--------
>>> from loaders.context import LoadContext
>>> ctx = LoadContext()
>>> load(Path("tests/loaders/data/gem-iron-steel-plants-cut.csv"), ctx)  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from loaders.context import LoadContext, Location
from loaders.gem_common import (
    GemEmitter,
    country_code,
    csv_header,
    id_hints,
    map_status,
    norm_space,
    parse_coordinates,
    parse_holders,
    parse_latlon,
    parse_number,
    parse_year,
    release_source,
    used_columns_report,
)
from loaders.readers import read_csv

SIGNATURE = ("plant-id", "plant-name-(english)", "owner-gem-id", "parent-gem-id", "plant-status")

USED = {
    "plant-id", "plant-name-(english)", "plant-name-(other-language)", "other-plant-names-(english)",
    "other-plant-names-(other-language)", "owner", "owner-gem-id", "parent", "parent-gem-id",
    "subnational-unit-(province/state)", "country/area", "coordinates", "coordinate-accuracy", "gem-wiki-page",
    "main-production-equipment", "start-date", "plant-status", "lat", "lng", "prod-method-tier",
}


def sniff(path: Path) -> bool:
    """A CSV whose header has the plant file's columns (and no unit id)."""
    if path.is_dir() or path.suffix.lower() != ".csv":
        return False
    h = set(csv_header(path))
    return all(c in h for c in SIGNATURE) and "gem-unit-id" not in h


def split_names(text: str) -> list[str]:
    """Other-name fields are comma-separated lists."""
    return [norm_space(x) for x in (text or "").split(",") if norm_space(x)]


#: the Site properties that keep capacity by product (see the module docstring)
CAPACITY_PROPS = (
    "capacity_iron", "capacity_iron_pre_retirement",
    "capacity_crude_steel", "capacity_crude_steel_pre_retirement",
    "capacity_incomplete",
)
PRODUCTS = ("iron", "crude_steel")
#: Site properties one of the two files alone sets: pinned to it when both files are loaded
_ONE_FILE_PROPS = ("capacity", "capacity_unit", "unit_count")


def plant_capacities(row: dict[str, str]) -> dict[str, Any]:
    """The by-product capacities of a plant row (ttpa); a product without a figure is left out.

    >>> plant_capacities({"operating-nominal-iron-capacity-(ttpa)": "0",
    ...                   "operating-pre-retirement-nominal-iron-capacity-(ttpa)": "4782"})
    {'capacity_iron': 4782.0, 'capacity_iron_pre_retirement': 4782.0}
    """
    out: dict[str, Any] = {}
    for product in PRODUCTS:
        col = product.replace("_", "-")
        op = parse_number(row.get(f"operating-nominal-{col}-capacity-(ttpa)")) or 0.0
        pre = parse_number(row.get(f"operating-pre-retirement-nominal-{col}-capacity-(ttpa)")) or 0.0
        if op + pre > 0:
            out[f"capacity_{product}"] = op + pre
        if pre > 0:
            out[f"capacity_{product}_pre_retirement"] = pre
    return out


def capacity(row: dict[str, str], status: str | None) -> tuple[float | None, str | None]:
    """Nominal crude steel capacity for the plant's status, else iron capacity (ttpa).

    An operating plant's capacity includes its units operating pre-retirement.
    """
    prefix = status or "operating"
    prefixes = ("operating", "operating-pre-retirement") if prefix.startswith("operating") else (prefix,)
    for what, unit in (("crude-steel", "ttpa crude steel"), ("iron", "ttpa iron")):
        v = sum(parse_number(row.get(f"{p}-nominal-{what}-capacity-(ttpa)")) or 0.0 for p in prefixes)
        if v:
            return v, unit
    return None, None


def settle_capacity(em: GemEmitter, ctx: LoadContext, site: str, source: str, claim: dict[str, Any],
                    from_units: bool) -> None:
    """Record one file's by-product capacities for ``site`` and set the Site's values.

    Per product, the unit file's figures (total and pre-retirement part, as one block) win
    over the plant file's when the units give a total; otherwise the plant file's block is
    kept. The plant file may hold capacity no unit row carries (its ``other/unspecified``
    columns), so the two can differ: each value is pinned (``value_sources``) to the
    file(s) that gave that very value, and a file that gave another one is not cited for it.
    ``capacity`` and ``capacity_unit`` (plant file) and ``unit_count`` (unit file), which one
    file alone sets, are pinned to it the same way.
    """
    rec = em.nodes.get(site)
    if rec is None:
        return
    claims = ctx.__dict__.setdefault("_steel_capacity_claims", {}).setdefault(site, {})
    claims[source] = (from_units, claim)
    values: dict[str, tuple[Any, list[str]]] = {}
    incomplete: list[str] = []
    incomplete_by: list[str] = []
    for product in PRODUCTS:
        total = f"capacity_{product}"
        block = (total, f"{total}_pre_retirement")
        ranked = sorted((not u, s) for s, (u, c) in claims.items() if c.get(total) is not None)  # units first
        winner = ranked[0] if ranked else None
        for prop in block:
            value = claims[winner[1]][1].get(prop) if winner else None
            if value is not None:
                values[prop] = (value, [s for s, (_u, c) in claims.items() if c.get(prop) == value])
        if winner is None or not winner[0]:  # a unit file's total, or none: its lower-bound mark applies
            by = [s for s, (u, c) in claims.items() if u and product in (c.get("capacity_incomplete") or ())]
            if by:
                incomplete.append(product)
                incomplete_by.extend(x for x in by if x not in incomplete_by)
    if incomplete:
        values["capacity_incomplete"] = (incomplete, incomplete_by)
    for prop in _ONE_FILE_PROPS:
        if rec.props.get(prop) is not None:
            values[prop] = (rec.props[prop], [s for s, (_u, c) in claims.items() if c.get(prop) == rec.props[prop]])
    pins = [p for p in rec.props.get("value_sources") or []
            if p.partition("=")[0] not in CAPACITY_PROPS + _ONE_FILE_PROPS]
    for prop in CAPACITY_PROPS + _ONE_FILE_PROPS:
        if prop not in values:
            rec.props.pop(prop, None)
            continue
        value, setters = values[prop]
        rec.props[prop] = value
        if setters and set(setters) != set(rec.sources):
            pins.extend(f"{prop}={s}" for s in setters)
    if pins:
        rec.props["value_sources"] = pins
    else:
        rec.props.pop("value_sources", None)


def site_props(row: dict[str, str]) -> dict[str, Any]:
    """The Site properties of a plant row (shared with the unit file, which repeats them)."""
    status = map_status(row.get("plant-status") or row.get("status_display") or "")
    coords = parse_coordinates(row.get("coordinates", "")) or parse_latlon(row.get("lat", ""), row.get("lng", ""))
    equipment = [norm_space(x) for x in (row.get("main-production-equipment") or "").split(";") if norm_space(x)]
    props: dict[str, Any] = {
        "site_type": "steel plant",
        "commodity": "steel",
        "country": country_code(row.get("country/area", "")),
        "subnational": norm_space(row.get("subnational-unit-(province/state)", "")) or None,
        "lat": coords[0] if coords else None,
        "lon": coords[1] if coords else None,
        "coordinate_accuracy": norm_space(row.get("coordinate-accuracy", "")) or None,
        "status": status,
        "start_year": parse_year(row.get("start-date")),
        "url": norm_space(row.get("gem-wiki-page", "")) or None,
        "equipment": equipment or None,
        "production_route": norm_space(row.get("prod-method-tier", "")) or None,
    }
    return props


def plant_aliases(row: dict[str, str]) -> list[str]:
    return (
        [norm_space(row.get("plant-name-(other-language)", ""))]
        + split_names(row.get("other-plant-names-(english)", ""))
        + split_names(row.get("other-plant-names-(other-language)", ""))
    )


def load_plant_row(
    em: GemEmitter,
    ctx: LoadContext,
    row: dict[str, str],
    loc: Location,
    source: str,
    props: dict[str, Any],
    quiet: tuple[str, ...] = (),
    hints: dict[str, str] | None = None,
) -> str | None:
    """Emit the plant's Site and its ownership; return the site id (None if rejected)."""
    pid = norm_space(row.get("plant-id", ""))
    name = norm_space(row.get("plant-name-(english)", ""))
    if not pid:
        ctx.error_at(loc, "plant without a plant-id", column="plant-id")
        return None
    if not name:
        name = pid
    if row.get("country/area") and props.get("country") is None:
        ctx.warnings.append(f"{loc.origin()}: country {row.get('country/area')!r} has no ISO code; left unknown")
    props = {**props, "gem_id": [pid]}
    em.node(pid, "Site", name, props, source, loc, aliases=plant_aliases(row), quiet=quiet,
            columns={"name": "plant-name-(english)", "lat": "coordinates", "lon": "coordinates",
                     "status": "plant-status", "start_year": "start-date", "country": "country/area"})
    owners = parse_holders(row.get("owner", ""), row.get("owner-gem-id", ""), hints)
    parents = parse_holders(row.get("parent", ""), row.get("parent-gem-id", ""), hints)
    em.ownership(pid, owners, parents, source, loc)
    return pid


def table_hints(rows: list[tuple[int, dict[str, str]]]) -> dict[str, str]:
    """Name -> GEM id hints from the owner and parent columns (see :func:`gem_common.id_hints`)."""
    return id_hints(
        pair for _, r in rows for pair in ((r.get("owner", ""), r.get("owner-gem-id", "")), (r.get("parent", ""), r.get("parent-gem-id", "")))
    )


def load(path: Path, ctx: LoadContext) -> None:
    """Load a GEM steel plant file into ``ctx`` (one Site per row)."""
    table = read_csv(path, display=path.name)
    em = GemEmitter.of(ctx)
    source = em.source(release_source(path, fallback_title="Global Iron and Steel Tracker (plants)"))
    missing = [c for c in ("plant-id", "plant-name-(english)", "owner", "parent") if c not in table.header]
    if missing:
        ctx.error(f"not a GEM steel plant file: missing column(s) {', '.join(missing)}", file=path.name)
        return
    used = set(USED)
    hints = table_hints(table.rows)
    for rownum, row in table.rows:
        ctx.rows_read[path.name] += 1
        loc = Location(path.name, rownum)
        props = site_props(row)
        cap, unit = capacity(row, props.get("status"))
        props["capacity"], props["capacity_unit"] = cap, unit
        pid = load_plant_row(em, ctx, row, loc, source, props, hints=hints)
        if pid:
            ctx.stats["gem_sites"] += 1
            claim = {**plant_capacities(row), "capacity": cap, "capacity_unit": unit}
            settle_capacity(em, ctx, pid, source, claim, from_units=False)
    used |= {h for h in table.header if h.endswith(("-nominal-crude-steel-capacity-(ttpa)", "-nominal-iron-capacity-(ttpa)"))}
    used_columns_report(ctx, path.name, table.header, used)
