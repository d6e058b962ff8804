"""Entity-resolution quality on the labelled name pairs: precision and recall.

Run: ``.venv/bin/python benchmarks/bench_resolution.py [--sweep] [--graph]``

Each pair of ``tests/loaders/data/name_pairs.csv`` (labels from GEM entity ids; see
``make_name_pairs.py`` beside it) is decided by :func:`loaders.resolution.compare_names`
at the default threshold: ``match`` counts as a predicted merge; ``review`` and
``distinct`` do not (review pairs are never merged without a researcher). Prints
precision and recall overall and on Latin-script pairs, the pairs sent to review, and
with ``--sweep`` the same figures for other thresholds.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from loaders.resolution import DEFAULT_REVIEW_THRESHOLD, DEFAULT_THRESHOLD, compare_names

PAIRS = ROOT / "tests" / "loaders" / "data" / "name_pairs.csv"


@dataclass
class Scores:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    review: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0


def read_pairs(path: Path = PAIRS) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def evaluate(pairs: list[dict[str, str]], threshold: float = DEFAULT_THRESHOLD, *, script: str | None = None) -> tuple[Scores, list[tuple[str, str, str]]]:
    """Scores of :func:`compare_names` on ``pairs``; also the false positives."""
    s = Scores()
    false_pos = []
    for p in pairs:
        if script and p["script"] != script:
            continue
        v = compare_names(p["name_a"], p["name_b"], threshold=threshold, review_threshold=min(threshold, DEFAULT_REVIEW_THRESHOLD))
        predicted = v.decision == "match"
        actual = p["label"] == "match"
        s.review += v.decision == "review"
        if predicted and actual:
            s.tp += 1
        elif predicted:
            s.fp += 1
            false_pos.append((p["name_a"], p["name_b"], v.reason))
        elif actual:
            s.fn += 1
        else:
            s.tn += 1
    return s, false_pos


def time_real_graph() -> None:
    """Load the four GEM files and the agreements table, then time :func:`resolve` on them."""
    from loaders.registry import load_paths
    from loaders.resolution import resolve

    data = ROOT / "data"
    files = [data / f for f in ("gem-iron-steel-plants-2025-03-25.csv", "gem-iron-steel-units-2025-03-18.csv",
                                "gem-iron-ore-mines-2024-11.xlsx", "gem-coal-mines-2024-05-22.csv",
                                "agreements/agreements.csv")]
    g, _ = load_paths(files)
    t0 = time.perf_counter()
    r = resolve(g)
    s = r.summary()
    print(f"resolve() on the real graph: {s['companies_before']:,} companies -> {s['companies_after']:,} "
          f"({s['merged']} merged {s['merged_by']}, {s['for_review']} for review) in {time.perf_counter() - t0:.1f} s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sweep", action="store_true", help="also show other thresholds")
    ap.add_argument("--graph", action="store_true", help="also time resolve() on the full real GEM graph (data/)")
    args = ap.parse_args(argv)
    pairs = read_pairs()
    n_match = sum(p["label"] == "match" for p in pairs)
    print(f"{len(pairs)} labelled pairs ({n_match} match, {len(pairs) - n_match} non-match) from {PAIRS.name}")
    t0 = time.perf_counter()
    s, fps = evaluate(pairs)
    dt = time.perf_counter() - t0
    latin, _ = evaluate(pairs, script="latin")
    print(f"default threshold {DEFAULT_THRESHOLD}: precision {s.precision:.3f}  recall {s.recall:.3f}  "
          f"(tp {s.tp}, fp {s.fp}, fn {s.fn}, tn {s.tn}; {s.review} pairs to review)  {len(pairs) / dt:,.0f} pairs/s")
    print(f"  Latin-script pairs only: precision {latin.precision:.3f}  recall {latin.recall:.3f}  "
          f"(tp {latin.tp}, fp {latin.fp}, fn {latin.fn})")
    for a, b, why in fps:
        print(f"  false positive: {a!r} / {b!r}: {why}")
    if args.graph:
        time_real_graph()
    if args.sweep:
        for t in (85, 90, 92, 94, 95, 96, 97, 98, 99, 100):
            st, _ = evaluate(pairs, threshold=t)
            print(f"  threshold {t:>5}: precision {st.precision:.3f}  recall {st.recall:.3f}  (tp {st.tp}, fp {st.fp})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
