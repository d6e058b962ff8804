"""`validate` on a small .xlsx whose nodes sheet has one stray cell at XFD1048576 (issue 17 case 12).

The sheet declares its dimension as A1:XFD1048576; the reader must go by the rows actually
present. Run from the project root::

    .venv/bin/python -m benchmarks.bench_stray_cell [--timeout 120]

Prints the file size, the wall seconds of ``campaign-graph validate FILE`` (a subprocess) and
its exit code; the budget is 30 s.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def make_workbook(path: Path) -> None:
    """A normal nodes sheet (three companies) plus one cell at XFD1048576."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "nodes"
    ws.append(["id", "kind", "name", "country", "sources"])
    ws.append(["acme", "Company", "Acme Steel", "DE", "s1"])
    ws.append(["beta", "Company", "Beta Mining", "FR", "s1"])
    ws.append(["gamma", "Company", "Gamma Coal", "PL", "s1"])
    ws["XFD1048576"] = "x"
    src = wb.create_sheet("sources")
    src.append(["id", "title"])
    src.append(["s1", "Hand-made test source"])
    wb.save(path)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--timeout", type=float, default=600.0, help="give up after this many seconds")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "stray.xlsx"
        make_workbook(path)
        t0 = time.perf_counter()
        try:
            proc = subprocess.run([sys.executable, "-m", "exports.cli.main", "validate", str(path)],
                                  capture_output=True, text=True, timeout=args.timeout, check=False)
            rc: int | str = proc.returncode
        except subprocess.TimeoutExpired:
            rc = f"timeout after {args.timeout:.0f} s"
        wall = time.perf_counter() - t0
        print(f"file size   {path.stat().st_size / 1024:.1f} KB")
        print(f"validate    {wall:.2f} s (budget 30 s), exit {rc}")


if __name__ == "__main__":
    main()
