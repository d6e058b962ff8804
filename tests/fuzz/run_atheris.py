"""Run the atheris fuzzers for a bounded time: ``python -m tests.fuzz.run_atheris [seconds] [target...]``.

Each target runs in its own process for ``seconds`` (default 30), seeded with the
corpus in ``tests/corpus`` and the real fixtures; a crash is written to
``tests/fuzz/crashes/<target>/`` (kept in git as a regression case, replayed by
``tests/fuzz/test_fuzz.py``) and makes the run fail. ``make fuzz`` calls this.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from tests.fuzz.targets import CRASHES, TARGETS

ROOT = Path(__file__).resolve().parents[2]

SEEDS = {
    "tables-csv": ["examples/sample/nodes.csv"],
    "tables-edges-csv": ["examples/sample/edges.csv"],
    "gem-coal": [],
    "agreements": [],
    "bods-json": ["tests/loaders/fixtures/bods"],
    "ftm-json": ["tests/loaders/fixtures/ftm"],
    "wikidata-json": ["tests/loaders/fixtures/wikidata"],
    "gleif-xml": ["tests/loaders/fixtures/gleif"],
    "gleif-csv": ["tests/loaders/fixtures/gleif"],
}

CHILD = """
import sys, atheris
with atheris.instrument_imports(include=["loaders", "graphmodel"]):
    import loaders.registry, loaders.tables, loaders.bods, loaders.ftm, loaders.wikidata, loaders.gleif
    import loaders.gem_coal, loaders.agreements, loaders.readers
from tests.fuzz.targets import one_input
atheris.Setup(sys.argv[:1] + sys.argv[2:], one_input(sys.argv[1]))
atheris.Fuzz()
"""


def _seed(work: Path, name: str) -> None:
    """Copy the seed files (real fixtures, hostile corpus cases of the same shape) into ``work``."""
    from tests.corpus.hostile import hostile_files

    n = 0
    for s in SEEDS.get(name, []):
        src = ROOT / s
        for f in sorted(src.iterdir()) if src.is_dir() else [src]:
            if f.is_file() and f.stat().st_size < 65536:
                (work / f"seed-{n}").write_bytes(f.read_bytes())
                n += 1
    suffix = TARGETS[name][1].rsplit(".", 1)[-1]
    for _, fn, data in hostile_files():
        if fn.endswith(suffix) and len(data) < 65536:
            (work / f"seed-{n}").write_bytes(data)
            n += 1


def main(argv: list[str]) -> int:
    seconds = int(argv[0]) if argv else 30
    try:
        import atheris  # noqa: F401
    except ImportError:
        print("atheris does not install for this Python: only the hypothesis fuzz runs (FUZZ_EXAMPLES)", flush=True)
        return 0
    names = argv[1:] or list(TARGETS)
    failed = []
    for name in names:
        out = CRASHES / name
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as work:
            _seed(Path(work), name)
            cmd = [sys.executable, "-c", CHILD, name, f"-max_total_time={seconds}", "-rss_limit_mb=2048",
                   "-timeout=20", f"-artifact_prefix={out}/", "-max_len=65536", work]
            print(f"fuzzing {name} for {seconds} s", flush=True)
            proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
            stats = [line for line in proc.stderr.splitlines() if line.startswith(("#", "Done"))]
            print("  " + (stats[-1] if stats else "(no stats)"), flush=True)
        if proc.returncode != 0:
            print("\n".join(proc.stderr.splitlines()[-25:]), flush=True)
            failed.append(name)
            print(f"  CRASH in {name}: input kept in {out}", flush=True)
    print(f"{len(names) - len(failed)} of {len(names)} targets ran clean", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
