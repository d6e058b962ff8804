"""Build ``name_pairs.csv``: labelled company-name pairs from the real GEM files.

Run from the repository root: ``python tests/loaders/data/make_name_pairs.py``.
Every label comes from GEM entity ids (ground truth we do not invent):

- **match**: an owner's name and its ``owner-(other-language)`` / ``Owner name in local
  language/script`` name, given on the same row for one GEM entity id (plants file and
  iron ore workbook). Many are in another script (``script=other``): a name matcher
  without transliteration cannot find those, and the benchmark reports them apart.
- **non-match**: two names with different GEM entity ids that look alike: every pair
  whose normalised names are at least 85% alike (rapidfuzz ratio), the pairs that share
  their first word (up to 3 per word), and the README's trap
  (``ArcelorMittal SA`` / ``ArcelorMittal South Africa Ltd``).

Names that GEM pairs with two different ids in different rows (a few multi-holder rows
list ids in another order than names) are left out, so no label rests on a doubtful id.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz, process

from graphmodel.names import name_key
from loaders.gem_common import parse_holders
from loaders.readers import read_csv, read_xlsx

DATA = ROOT / "data"
OUT = Path(__file__).resolve().parent / "name_pairs.csv"
PLANTS = "gem-iron-steel-plants-2025-03-25.csv"
ORE = "gem-iron-ore-mines-2024-11.xlsx"


def _latin(text: str) -> bool:
    return all(ord(c) < 0x250 for c in text)


def main() -> int:
    ids: dict[str, set[str]] = defaultdict(set)
    where: dict[str, str] = {}
    matches: dict[tuple[str, str], tuple[str, str]] = {}
    plants = read_csv(DATA / PLANTS, display=PLANTS)
    ore = read_xlsx(DATA / ORE, display=ORE, sheets=["Main Data"])["Main Data"]
    layouts = [
        (plants, PLANTS, ("owner", "owner-gem-id"), ("parent", "parent-gem-id"), "owner-(other-language)"),
        (ore, ORE, ("Owner", "Owner GEM Entity ID"), ("Parent", "Parent GEM Entity ID"), "Owner name in local language/script"),
    ]
    for table, file, owner, parent, local in layouts:
        for _, r in table.rows:
            for col, idcol in (owner, parent):
                for h in parse_holders(r.get(col, ""), r.get(idcol, "")).holders:
                    if h.gem_id:
                        ids[h.name].add(h.gem_id)
                        where.setdefault(h.name, file)
            hl = parse_holders(r.get(owner[0], ""), r.get(owner[1], ""))
            other = " ".join((r.get(local) or "").split())
            if len(hl.holders) == 1 and hl.raw_count == 1 and hl.holders[0].gem_id and other and ";" not in other:
                h = hl.holders[0]
                if other != h.name:
                    matches[(h.name, other)] = (h.gem_id, file)
    single = {n: next(iter(v)) for n, v in ids.items() if len(v) == 1}
    rows: list[dict[str, str]] = []
    for (a, b), (gid, file) in sorted(matches.items()):
        if a not in single:
            continue
        rows.append({
            "name_a": a, "name_b": b, "label": "match", "gem_id_a": gid, "gem_id_b": gid,
            "script": "latin" if _latin(b) else "other", "file": file,
            "how": "same GEM entity id: the owner's name and its other-language name on one row",
        })
    names = sorted(single)
    keys = [name_key(n) for n in names]
    scores = process.cdist(keys, keys, scorer=fuzz.ratio, score_cutoff=85, workers=1)
    negatives: dict[tuple[str, str], str] = {}
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            if scores[i][j] and single[names[i]] != single[names[j]]:
                negatives[(names[i], names[j])] = "different GEM entity ids; names at least 85% alike"
    by_first: dict[str, list[str]] = defaultdict(list)
    for n in names:
        first = name_key(n).split(" ")[0] if name_key(n) else ""
        if len(first) >= 4:
            by_first[first].append(n)
    for first, group in sorted(by_first.items()):
        picked = 0
        for i in range(len(group)):
            for j in range(i + 1, len(group)):
                if picked >= 3:
                    break
                a, b = group[i], group[j]
                if single[a] != single[b] and (a, b) not in negatives:
                    negatives[(a, b)] = "different GEM entity ids; same first word"
                    picked += 1
    trap = ("ArcelorMittal SA", "ArcelorMittal South Africa Ltd")
    if all(t in single for t in trap):
        negatives[trap] = "different GEM entity ids (README trap: 'SA' is a legal form in one, a country in the other)"
    for (a, b), how in sorted(negatives.items()):
        rows.append({
            "name_a": a, "name_b": b, "label": "non-match", "gem_id_a": single[a], "gem_id_b": single[b],
            "script": "latin" if _latin(a + b) else "other", "file": where.get(a, ""), "how": how,
        })
    with OUT.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"{len(rows)} pairs: {sum(r['label'] == 'match' for r in rows)} match, "
          f"{sum(r['label'] == 'non-match' for r in rows)} non-match -> {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
