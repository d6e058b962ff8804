"""Loader for GEM's Global Iron Ore Mines Tracker: the published workbook or the map CSV.

The workbook (sheet ``Main Data``) has GEM asset ids (site ids) and GEM entity ids for
owners and parents; the flat map file has neither, so there the site id is built from
country and mine name and companies get name-based ids (entity resolution joins them
with the workbook's). Load one of the two; when both are loaded, the workbook first, the
map file's mines join the workbook's sites by their GEM wiki URL (the map file loaded
first would give each mine twice). Capacity is the design capacity in ttpa.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graphmodel.errors import CampaignGraphError
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
from loaders.readers import Table, read_csv, read_xlsx

XLSX_SHEET = "Main Data"
XLSX_SIGNATURE = ("GEM Asset ID", "Owner GEM Entity ID", "Parent GEM Entity ID")
CSV_SIGNATURE = ("name-(english)", "design-capacity-(ttpa)", "owner", "parent")

#: column names of the two layouts -> one vocabulary
XLSX_COLUMNS = {
    "id": "GEM Asset ID", "name": "Asset name (English)", "name_other": "Asset name (other language)",
    "coordinates": "Coordinates", "accuracy": "Coordinate accuracy", "subnational": "Subnational unit",
    "country": "Country/Area", "capacity": "Design capacity (ttpa)", "status": "Operating status",
    "start": "Start date", "stop": "Stop date", "owner": "Owner", "owner_ids": "Owner GEM Entity ID",
    "owner_local": "Owner name in local language/script", "parent": "Parent", "parent_ids": "Parent GEM Entity ID",
    "url": "GEM wiki page URL",
}
CSV_COLUMNS = {
    "name": "name-(english)", "name_other": "name-(other-language)", "coordinates": "coordinates",
    "accuracy": "coordinate-accuracy", "subnational": "subnational-unit", "country": "country/area",
    "capacity": "design-capacity-(ttpa)", "status": "status", "start": "start-date", "owner": "owner",
    "parent": "parent", "url": "url", "lat": "lat", "lng": "lng",
}


def sniff(path: Path) -> bool:
    """The tracker workbook (a ``Main Data`` sheet with GEM ids) or its map CSV."""
    if path.is_dir():
        return False
    if path.suffix.lower() == ".xlsx":
        try:
            import openpyxl

            wb = openpyxl.load_workbook(path, read_only=True)
            try:
                if XLSX_SHEET not in wb.sheetnames:
                    return False
                header = next(wb[XLSX_SHEET].iter_rows(values_only=True, max_row=1))
            finally:
                wb.close()
            return all(c in header for c in XLSX_SIGNATURE)
        except Exception:  # noqa: BLE001 - openpyxl raises many types; not our workbook, another loader may take it
            return False
    if path.suffix.lower() == ".csv":
        h = set(csv_header(path))
        return all(c in h for c in CSV_SIGNATURE)
    return False


def _table(path: Path) -> tuple[Table, dict[str, str]]:
    if path.suffix.lower() == ".xlsx":
        sheets = read_xlsx(path, display=path.name, sheets=[XLSX_SHEET])
        if XLSX_SHEET not in sheets:
            raise CampaignGraphError(f"no sheet {XLSX_SHEET!r}: not a GEM iron ore tracker workbook", file=path.name)
        return sheets[XLSX_SHEET], XLSX_COLUMNS
    return read_csv(path, display=path.name), CSV_COLUMNS


def load(path: Path, ctx: LoadContext) -> None:
    """Load the iron ore tracker (workbook or map CSV) into ``ctx``: one Site per mine."""
    table, cols = _table(path)
    em = GemEmitter.of(ctx)
    title = "Global Iron Ore Mines Tracker" + (" (map file)" if path.suffix.lower() == ".csv" else "")
    source = em.source(release_source(path, fallback_title=title))
    missing = [cols[k] for k in ("name", "owner", "parent") if cols[k] not in table.header]
    if missing:
        ctx.error(f"not a GEM iron ore file: missing column(s) {', '.join(missing)}", file=path.name, sheet=table.sheet)
        return
    prefix = "gem"

    def get(row: dict[str, str], key: str) -> str:
        c = cols.get(key)
        return norm_space(row.get(c, "")) if c else ""

    hints = id_hints(
        pair for _, r in table.rows for pair in ((get(r, "owner"), get(r, "owner_ids")), (get(r, "parent"), get(r, "parent_ids")))
    )
    for rownum, row in table.rows:
        ctx.rows_read[path.name] += 1
        loc = Location(path.name, rownum, table.sheet)
        name = get(row, "name")
        country = country_code(get(row, "country"))
        url_key = get(row, "url").casefold().replace("https://www.", "https://")
        site_id = get(row, "id") or em.site_by_url.get(url_key) or LoadContext.make_id("gem-ore", get(row, "country"), name)
        if url_key and get(row, "id"):
            em.site_by_url.setdefault(url_key, site_id)
        if not name and not get(row, "id"):
            ctx.error_at(loc, "mine without a name or asset id", column=cols["name"])
            continue
        coords = parse_coordinates(get(row, "coordinates")) or parse_latlon(get(row, "lat"), get(row, "lng"))
        status_text = get(row, "status")
        props: dict[str, Any] = {
            "site_type": "iron ore mine",
            "commodity": "iron ore",
            "country": country,
            "subnational": get(row, "subnational") if get(row, "subnational").casefold() not in ("", "unknown") else None,
            "lat": coords[0] if coords else None,
            "lon": coords[1] if coords else None,
            "coordinate_accuracy": get(row, "accuracy") or None,
            "status": map_status(status_text) or ("unknown" if status_text.casefold() == "unknown" else None),
            "start_year": parse_year(get(row, "start")),
            "closure_year": parse_year(get(row, "stop")),
            "capacity": parse_number(get(row, "capacity")),
            "capacity_unit": "ttpa (design capacity)" if parse_number(get(row, "capacity")) is not None else None,
            "url": get(row, "url") or None,
            "gem_id": [get(row, "id")] if get(row, "id") else None,
        }
        if status_text and props["status"] is None:
            ctx.warnings.append(f"{loc.origin()}: status {status_text!r} not recognised; left unknown")
        aliases = [get(row, "name_other")]
        em.node(site_id, "Site", name or site_id, props, source, loc, aliases=aliases,
                columns={"name": cols["name"], "status": cols["status"], "capacity": cols["capacity"]})
        owners = parse_holders(get(row, "owner"), get(row, "owner_ids"), hints)
        parents = parse_holders(get(row, "parent"), get(row, "parent_ids"), hints)
        em.ownership(site_id, owners, parents, source, loc, id_prefix=prefix,
                     owner_column=cols["owner"], parent_column=cols["parent"])
        ctx.stats["gem_sites"] += 1
    used_columns_report(ctx, path.name, table.header, set(cols.values()))
