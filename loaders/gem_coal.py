"""Loader for GEM's Global Coal Mine Tracker map file (UTF-16 LE with a BOM).

The file has no GEM entity ids: companies get name-based ids (``gem-glencore-plc``) and
entity resolution joins short forms (``Glencore``) and other files' ids.

**Repeated mine ids** (207 ids on several rows, e.g. ``M0017`` Bulga: an ``operating``
row with workforce 750 and a ``proposed`` expansion row) are never overwritten: every
row becomes its own Site with its own facts. The row with the most current status
(operating, then mothballed, retired, shelved, proposed, cancelled; file order breaks
ties) keeps the plain id (``M0017``); each other row gets ``M0017~<status>`` (and a
number if that repeats), its name says the status (``Bulga Coal Mine (proposed)``), and
all carry the GEM id ``M0017`` in ``gem_id`` so a search by id finds them all. GEM's
headcount is ``workforce`` for operating and mothballed rows only; for proposed, shelved,
cancelled and retired rows it is a planned or past figure, kept as
``workforce_not_current``, so an operating mine and its expansion row never count the
same workers twice.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from loaders.context import LoadContext, Location
from loaders.gem_common import (
    GemEmitter,
    country_code,
    csv_header,
    map_status,
    norm_space,
    parse_holders,
    parse_latlon,
    parse_number,
    parse_year,
    release_source,
    used_columns_report,
)
from loaders.readers import read_csv

SIGNATURE = ("id", "project", "owner", "parent", "workforce", "coal_type")
USED = {
    "id", "country", "project", "status", "owner", "parent", "capacity", "mine-type", "workforce",
    "opening_year", "closing_year", "url", "lat", "lng", "coal_type",
}
STATUS_RANK = ("operating", "mothballed", "retired", "shelved", "proposed", "cancelled")


def sniff(path: Path) -> bool:
    """A CSV with the coal tracker's columns (``project``, ``workforce``, ``coal_type``)."""
    if path.is_dir() or path.suffix.lower() != ".csv":
        return False
    h = set(csv_header(path))
    return all(c in h for c in SIGNATURE)


def _rank(status: str) -> int:
    s = norm_space(status).casefold()
    return STATUS_RANK.index(s) if s in STATUS_RANK else len(STATUS_RANK)


def site_ids(rows: list[tuple[int, dict[str, str]]]) -> dict[int, str]:
    """Row number -> site id, with repeated mine ids split as the module docstring says.

    >>> site_ids([(2, {"id": "M1", "status": "proposed"}), (3, {"id": "M1", "status": "operating"})])
    {3: 'M1', 2: 'M1~proposed'}
    """
    groups: dict[str, list[tuple[int, dict[str, str]]]] = defaultdict(list)
    for n, r in rows:
        groups[norm_space(r.get("id", ""))].append((n, r))
    out: dict[int, str] = {}
    for mid, grp in groups.items():
        if not mid:
            continue
        ordered = sorted(grp, key=lambda x: (_rank(x[1].get("status", "")), x[0]))
        out[ordered[0][0]] = mid
        seen: dict[str, int] = {}
        for n, r in ordered[1:]:
            st = LoadContext.make_id(norm_space(r.get("status", "")) or "row")
            seen[st] = seen.get(st, 0) + 1
            out[n] = f"{mid}~{st}" + (f"-{seen[st]}" if seen[st] > 1 else "")
    return out


def workforce_props(workforce: float | None, status: str) -> dict[str, int | None]:
    """``workforce`` for operating and mothballed mines; for the others (proposed, shelved,
    cancelled, retired) GEM's figure is a planned or past headcount, kept as
    ``workforce_not_current`` so worker totals count today's workers once (Glendell:
    operating row 254, shelved expansion row 254).

    >>> workforce_props(750.0, "operating"), workforce_props(875.0, "proposed")
    ({'workforce': 750}, {'workforce_not_current': 875})
    """
    if workforce is None or workforce < 0:
        return {}
    if norm_space(status).casefold() in ("operating", "mothballed", ""):
        return {"workforce": int(workforce)}
    return {"workforce_not_current": int(workforce)}


def load(path: Path, ctx: LoadContext) -> None:
    """Load the GEM coal mine file into ``ctx``: a Site per row (see the module docstring)."""
    table = read_csv(path, display=path.name)
    em = GemEmitter.of(ctx)
    source = em.source(release_source(path, fallback_title="Global Coal Mine Tracker"))
    missing = [c for c in ("id", "project", "owner", "parent") if c not in table.header]
    if missing:
        ctx.error(f"not a GEM coal mine file: missing column(s) {', '.join(missing)}", file=path.name)
        return
    ids = site_ids(table.rows)
    for rownum, row in table.rows:
        ctx.rows_read[path.name] += 1
        loc = Location(path.name, rownum)
        mid = norm_space(row.get("id", ""))
        if not mid:
            ctx.error_at(loc, "mine without an id", column="id")
            continue
        site_id = ids[rownum]
        name = norm_space(row.get("project", "")) or mid
        status_text = norm_space(row.get("status", ""))
        if site_id != mid:
            name = f"{name} ({status_text or 'another row'})"
            ctx.stats["gem_coal_repeated_rows"] += 1
        coords = parse_latlon(row.get("lat", ""), row.get("lng", ""))
        mine_type = norm_space(row.get("mine-type", ""))
        workforce = parse_number(row.get("workforce"))
        cap = parse_number(row.get("capacity"))
        props: dict[str, Any] = {
            "site_type": f"coal mine ({mine_type})" if mine_type else "coal mine",
            "mine_type": mine_type if mine_type and mine_type != "unknown" else None,
            "coal_type": norm_space(row.get("coal_type", "")) or None,
            "commodity": "coal",
            "country": country_code(row.get("country", "")),
            "lat": coords[0] if coords else None,
            "lon": coords[1] if coords else None,
            "status": map_status(status_text),
            "start_year": parse_year(row.get("opening_year")),
            "closure_year": parse_year(row.get("closing_year")),
            "capacity": cap,
            "capacity_unit": "Mtpa" if cap is not None else None,
            **workforce_props(workforce, status_text),
            "url": norm_space(row.get("url", "")) or None,
            "gem_id": [mid],
        }
        em.node(site_id, "Site", name, props, source, loc,
                columns={"workforce": "workforce", "capacity": "capacity", "status": "status"})
        owners = parse_holders(row.get("owner", ""))
        parents = parse_holders(row.get("parent", ""))
        em.ownership(site_id, owners, parents, source, loc, id_prefix="gem")
        ctx.stats["gem_sites"] += 1
    used_columns_report(ctx, path.name, table.header, USED)
