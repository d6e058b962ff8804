"""Cut the small open-data files that ``03_from_open_data_to_neo4j.ipynb`` loads.

Run from the repository root (reads ``data/``): ``python notebooks/data/make_cut.py``.
Keeps whole rows, unchanged, of Global Energy Monitor's iron ore mines map file whose owner or
parent names one of the groups below, and copies the project's agreements table. Licences: see README.md.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1] / "data"
GROUPS = ("ArcelorMittal", "Vale", "Rio Tinto", "BHP", "Anglo American")
MINES = "gem-iron-ore-mines-map-2024-11-25.csv"


def main() -> None:
    with open(DATA / MINES, encoding="utf-8", newline="") as f:
        lines = f.read().splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    cols = next(csv.reader([header]))
    keep = [header]
    for line in rows:
        rec = dict(zip(cols, next(csv.reader([line])), strict=False))
        if any(g in (rec.get("owner", "") + " " + rec.get("parent", "")) for g in GROUPS):
            keep.append(line)
    (HERE / MINES).write_text("".join(keep), encoding="utf-8", newline="")
    shutil.copyfile(DATA / "agreements" / "agreements.csv", HERE / "agreements.csv")
    print(f"{len(keep) - 1} mines kept")


if __name__ == "__main__":
    main()
