"""Loader for GEM's Global Iron and Steel Tracker unit file (one row per production unit).

Model: each row is a ``Unit`` node (id = GEM unit id) with a ``PART_OF`` edge to its plant's
Site (the unit file's ``plant-id`` is the plant file's). A unit keeps its own facts as
data: ``unit_type`` (BF, BOF, EAF, DRI, OHF), ``product`` (``iron`` for BF and DRI,
``crude_steel`` for BOF, EAF and OHF), ``status`` (the sites' vocabulary), ``capacity``
(ttpa; absent when GEM gives none, e.g. ``>0``) and ``relining`` (most recent relining as
given). The file has no start year per unit (its ``start-date`` is the plant's), so a
unit's ``start_year`` stays unknown. Units are not sites or companies: group, coverage and
leverage queries never reach them (they follow typed edges), and maps leave them out.

The Site gets capacity by product from its units, never one sum across products (a blast
furnace's iron feeds the converters' steel): ``capacity_iron`` / ``capacity_crude_steel``
add the capacities of the units operating (``operating`` or ``operating-pre-retirement``)
and ``capacity_iron_pre_retirement`` / ``capacity_crude_steel_pre_retirement`` the part of
that in pre-retirement units. An operating unit of unknown capacity adds nothing and puts
its product in ``capacity_incomplete``: the figure is then a lower bound (absent, i.e.
unknown, when no operating unit of that product has a capacity). A product with no
operating unit has no figure (absent), never 0. These figures win over the plant file's
(:func:`loaders.gem_steel.settle_capacity`); ``equipment`` and ``unit_count`` list the
unit types and count the units.

The plant columns the unit file repeats (name, owner, parents, coordinates) give the Site
and its ownership as in :mod:`loaders.gem_steel`, so this file loads on its own too; with
the plant file in the same load, the first file's values win and the rest fill gaps.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from loaders.context import LoadContext, Location
from loaders.gem_common import (
    GemEmitter,
    csv_header,
    map_status,
    norm_space,
    parse_number,
    release_source,
    used_columns_report,
)
from loaders.gem_steel import PRODUCTS, load_plant_row, settle_capacity, site_props, table_hints
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

#: unit type -> its product
PRODUCT = {"BF": "iron", "DRI": "iron", "BOF": "crude_steel", "EAF": "crude_steel", "OHF": "crude_steel"}
#: unit statuses whose capacity counts as operating
OPERATING = ("operating", "operating-pre-retirement")

USED = {
    "tab-type", "gem-plant-id", "gem-unit-id", "unit-name", "status", "current-capacity-(ttpa)",
    "most-recent-relining", "plant-id",
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


def site_capacities(units: Iterable[tuple[str | None, str | None, float | None]]) -> dict[str, Any]:
    """Site capacity by product from its units' ``(product, status, capacity)``.

    >>> site_capacities([("iron", "operating-pre-retirement", 2227.0), ("iron", "operating", None),
    ...                  ("crude_steel", "announced", 1750.0)])
    {'capacity_iron': 2227.0, 'capacity_iron_pre_retirement': 2227.0, 'capacity_incomplete': ['iron']}
    """
    total: dict[str, float] = {}
    pre: dict[str, float] = {}
    incomplete: list[str] = []
    for product, status, cap in units:
        if product is None or status not in OPERATING:
            continue
        if cap is None:
            if product not in incomplete:
                incomplete.append(product)
            continue
        total[product] = total.get(product, 0.0) + cap
        if status == "operating-pre-retirement":
            pre[product] = pre.get(product, 0.0) + cap
    out: dict[str, Any] = {}
    for product in PRODUCTS:
        if total.get(product):
            out[f"capacity_{product}"] = total[product]
        if pre.get(product):
            out[f"capacity_{product}_pre_retirement"] = pre[product]
    if incomplete:
        out["capacity_incomplete"] = [p for p in PRODUCTS if p in incomplete]
    return out


def unit_props(row: dict[str, str]) -> dict[str, Any]:
    """The Unit properties of a unit row."""
    t = unit_type(row.get("tab-type", ""))
    uid = norm_space(row.get("gem-unit-id", ""))
    return {
        "unit_type": t or None,
        "product": PRODUCT.get(t),
        "status": map_status(norm_space(row.get("status", "")).replace("_", "-")),
        "capacity": parse_number(row.get("current-capacity-(ttpa)")),
        "relining": norm_space(row.get("most-recent-relining", "")) or None,
        "gem_id": [uid] if uid else None,
    }


def load(path: Path, ctx: LoadContext) -> None:
    """Load a GEM steel unit file into ``ctx``: a Unit per row, PART_OF one Site per plant."""
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
        units: list[tuple[int, str, dict[str, Any]]] = []
        counted: list[tuple[str | None, str | None, float | None]] = []  # every unit row, with an id or not
        for rownum, row in rows:
            uprops = unit_props(row)
            capacity_fact = (uprops["product"], uprops["status"], uprops["capacity"])
            t = uprops["unit_type"]
            if t and t not in types:
                types.append(t)
            if uprops["product"] is None and t:
                ctx.warnings.append(f"{Location(path.name, rownum).origin()}: tab-type: unit type {t!r} has no known "
                                    "product; its capacity is not counted")
            uid = norm_space(row.get("gem-unit-id", ""))
            if not uid:
                ctx.error_at(Location(path.name, rownum), "unit without a gem-unit-id", column="gem-unit-id",
                             reject_row=False)
                counted.append(capacity_fact)  # no Unit node, but its capacity still counts for the site
                continue
            if norm_space(row.get("status", "")) and uprops["status"] is None:
                ctx.warnings.append(f"{Location(path.name, rownum).origin()}: status: unit status not recognised; left unknown")
            if any(u == uid for _, u, _ in units):
                ctx.warnings.append(f"{Location(path.name, rownum).origin()}: unit {uid} repeated; kept the first row")
                continue
            counted.append(capacity_fact)
            uprops["name"] = norm_space(row.get("unit-name", "")) or uid
            units.append((rownum, uid, uprops))
        props["equipment"] = types or props.get("equipment")
        props["unit_count"] = len(units) or None
        # the plant file's equipment is another measure than the units' types: no warning
        if load_plant_row(em, ctx, first, loc, source, props, quiet=("equipment",), hints=hints):
            ctx.stats["gem_sites"] += 1
            ctx.stats["gem_units"] += len(units)
            for rownum, _ in rows[1:]:
                em._add_origin(em.nodes[pid], Location(path.name, rownum).origin())
            for rownum, uid, uprops in units:
                uloc = Location(path.name, rownum)
                name = uprops.pop("name")
                em.node(uid, "Unit", name, uprops, source, uloc,
                        columns={"name": "unit-name", "unit_type": "tab-type", "status": "status",
                                 "capacity": "current-capacity-(ttpa)", "relining": "most-recent-relining"})
                em.edge(uid, pid, "PART_OF", {}, source, uloc)
            claim = {**site_capacities(counted), "unit_count": props["unit_count"]}
            settle_capacity(em, ctx, pid, source, claim, from_units=True)
    used_columns_report(ctx, path.name, table.header, USED)
