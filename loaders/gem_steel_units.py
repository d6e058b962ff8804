"""Loader for GEM's Global Iron and Steel Tracker unit file (one row per production unit).

Units belong to plants: the unit file's ``plant-id`` is the plant file's. A unit is never
a site of its own; its facts are aggregated onto the plant's Site: ``equipment`` (the
unit types present, e.g. BF, BOF, EAF), ``unit_count``, and ``capacity`` (the sum of the
current capacities of the operating units, in ttpa). The plant columns the unit file
repeats (name, owner, parents, coordinates) give the Site and its ownership as in
:mod:`loaders.gem_steel`, so this file loads on its own too; with the plant file in the
same load, the first file's values win and the rest fill gaps.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from loaders.context import LoadContext, Location
from loaders.gem_common import (
    GemEmitter,
    csv_header,
    norm_space,
    parse_number,
    release_source,
    used_columns_report,
)
from loaders.gem_steel import load_plant_row, site_props, table_hints
from loaders.readers import read_csv

SIGNATURE = ("gem-unit-id", "plant-id", "owner", "parent")

#: ``tab-type`` -> unit type as GEM abbreviates it
UNIT_TYPES = {
    "blast_furnaces": "BF",
    "basic_oxygen_furnaces": "BOF",
    "electric_arc_furnaces": "EAF",
    "dri_furnaces": "DRI",
    "direct_reduced_iron": "DRI",
    "direct_reduction_plants": "DRI",
    "open_hearth_furnaces": "OHF",
}

USED = {
    "tab-type", "gem-plant-id", "gem-unit-id", "status", "current-capacity-(ttpa)", "plant-id",
    "plant-name-(english)", "plant-name-(other-language)", "other-plant-names-(english)",
    "other-plant-names-(other-language)", "owner", "owner-gem-id", "parent", "parent-gem-id",
    "subnational-unit-(province/state)", "country/area", "coordinates", "coordinate-accuracy", "gem-wiki-page",
    "main-production-equipment", "start-date", "lat", "lng",
}


def sniff(path: Path) -> bool:
    """A CSV whose header has a ``gem-unit-id`` and the plant columns."""
    if path.is_dir() or path.suffix.lower() != ".csv":
        return False
    h = set(csv_header(path))
    return all(c in h for c in SIGNATURE)


def unit_type(tab: str) -> str:
    key = norm_space(tab).casefold().replace(" ", "_")
    return UNIT_TYPES.get(key, norm_space(tab).replace("_", " "))


def load(path: Path, ctx: LoadContext) -> None:
    """Load a GEM steel unit file into ``ctx``: one Site per plant, unit facts aggregated."""
    table = read_csv(path, display=path.name)
    em = GemEmitter.of(ctx)
    source = em.source(release_source(path, fallback_title="Global Iron and Steel Tracker (units)"))
    missing = [c for c in ("plant-id", "gem-unit-id", "owner", "parent") if c not in table.header]
    if missing:
        ctx.error(f"not a GEM steel unit file: missing column(s) {', '.join(missing)}", file=path.name)
        return
    by_plant: dict[str, list[tuple[int, dict[str, str]]]] = defaultdict(list)
    for rownum, row in table.rows:
        ctx.rows_read[path.name] += 1
        pid = norm_space(row.get("plant-id") or row.get("gem-plant-id") or "")
        if not pid:
            ctx.error_at(Location(path.name, rownum), "unit without a plant-id", column="plant-id")
            continue
        by_plant[pid].append((rownum, row))
    hints = table_hints(table.rows)
    for pid, rows in by_plant.items():
        first_row_num, first = rows[0]
        loc = Location(path.name, first_row_num)
        props: dict[str, Any] = site_props(first)
        props["status"] = None  # the unit file has no plant status; units' statuses differ
        types: list[str] = []
        units: set[str] = set()
        operating = 0.0
        for _, row in rows:
            t = unit_type(row.get("tab-type", ""))
            if t and t not in types:
                types.append(t)
            uid = norm_space(row.get("gem-unit-id", ""))
            if uid:
                units.add(uid)
            if norm_space(row.get("status", "")).casefold() in ("operating", "operating_pre-retirement"):
                operating += parse_number(row.get("current-capacity-(ttpa)")) or 0.0
        props["equipment"] = types or props.get("equipment")
        props["unit_count"] = len(units) or None
        if operating:
            props["capacity"], props["capacity_unit"] = operating, "ttpa (sum of operating units)"
        # the plant file's capacity and equipment are other measures than the units' sums: no warning
        if load_plant_row(em, ctx, first, loc, source, props, quiet=("capacity", "capacity_unit", "equipment"), hints=hints):
            ctx.stats["gem_sites"] += 1
            ctx.stats["gem_units"] += len(rows)
            for rownum, _ in rows[1:]:
                em._add_origin(em.nodes[pid], Location(path.name, rownum).origin())
    used_columns_report(ctx, path.name, table.header, USED)
