"""Cut the small GEM fixtures in ``gem/`` from the real files in ``data/``.

Run from the repository root: ``python tests/loaders/data/make_cuts.py``. The cuts keep
whole rows, byte-faithful in content (same header, same encoding: the coal file stays
UTF-16 LE with a BOM), and keep the original file names so the loaders give them the
same Source records. Licence: CC BY 4.0, Global Energy Monitor (see LICENSE.md).
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[2] / "data"
OUT = HERE / "gem"

PLANTS = {
    "P100000120001",  # Emsteel: owner == parent (same GEM id)
    "P100000120027",  # ArcelorMittal Gent: owner == parent
    "P100000120035",  # ArcelorMittal Monlevade: "ArcelorMittal SA; small shareholder(s)" (share unknown)
    "P100000120050",  # ArcelorMittal Barra Mansa: same owner with [97.1%]
    "P100000120058",  # ArcelorMittal Dofasco: sole parent without a percentage
    "P100000120423",  # Dillinger: two parents and "unknown", no percentages
    "P100000120513",  # AM/NS India Hazira: two parents without percentages
    "P100000121027",  # ArcelorMittal South Africa Newcastle: its own parent, a separate group
    "P100000120830",  # Kamsky TEMPO: doubled quotes inside a quoted cell
    "P100000120082",  # several parents with percentages (picked below if present)
}
ORE_NAMES = ("ArcelorMittal", "Ghoryan Mine", "Vale SA", "Rio Tinto")
COAL_IDS = {"M0001", "M0004", "M0017", "M0061", "M0932"}


def _rows(path: Path, encoding: str) -> tuple[list[str], list[list[str]]]:
    text = path.read_bytes().decode(encoding)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]], encoding: str) -> None:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    data = buf.getvalue()
    if encoding == "utf-16":
        path.write_bytes(b"\xff\xfe" + data.encode("utf-16-le"))
    else:
        path.write_bytes(data.encode("utf-8"))


def main() -> int:
    OUT.mkdir(exist_ok=True)
    header, rows = _rows(DATA / "gem-iron-steel-plants-2025-03-25.csv", "utf-8")
    i_id, i_parent = header.index("plant-id"), header.index("parent")
    multi = next(r for r in rows if r[i_parent].count("%]") >= 3)
    keep = [r for r in rows if r[i_id] in PLANTS or r is multi]
    _write(OUT / "gem-iron-steel-plants-2025-03-25.csv", header, keep, "utf-8")
    ids = {r[i_id] for r in keep}

    header, rows = _rows(DATA / "gem-iron-steel-units-2025-03-18.csv", "utf-8")
    i_pid = header.index("plant-id")
    keep = [r for r in rows if r[i_pid] in ids]
    _write(OUT / "gem-iron-steel-units-2025-03-18.csv", header, keep, "utf-8")

    header, rows = _rows(DATA / "gem-iron-ore-mines-map-2024-11-25.csv", "utf-8")
    i_o, i_p, i_n = header.index("owner"), header.index("parent"), header.index("name-(english)")
    keep = [r for r in rows if any(n in r[i_o] + r[i_p] + r[i_n] for n in ORE_NAMES)][:40]
    _write(OUT / "gem-iron-ore-mines-map-2024-11-25.csv", header, keep, "utf-8")
    ore_names = {r[i_n] for r in keep}

    import openpyxl

    src = openpyxl.load_workbook(DATA / "gem-iron-ore-mines-2024-11.xlsx", read_only=True)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet in src.sheetnames:
        ws = wb.create_sheet(sheet)
        for n, row in enumerate(src[sheet].iter_rows(values_only=True)):
            if sheet != "Main Data":
                if n < 30:
                    ws.append(list(row))
                continue
            if n == 0 or row[1] in ore_names:
                ws.append(list(row))
    src.close()
    wb.properties.creator = "campaign-graph fixture cut"
    wb.save(OUT / "gem-iron-ore-mines-2024-11.xlsx")

    header, rows = _rows(DATA / "gem-coal-mines-2024-05-22.csv", "utf-16")
    i_id, i_o, i_p = header.index("id"), header.index("owner"), header.index("parent")
    glencore = [r for r in rows if "Glencore" in r[i_o] + r[i_p]][:12]
    keep = [r for r in rows if r[i_id] in COAL_IDS or r in glencore]
    _write(OUT / "gem-coal-mines-2024-05-22.csv", header, keep, "utf-16")
    return 0


if __name__ == "__main__":
    sys.exit(main())
