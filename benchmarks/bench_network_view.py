"""The workbench's network view with thousands of nodes, in headless Chromium.

Run: ``.venv/bin/python -m benchmarks.bench_network_view SNAPSHOT [--node ID] [--runs 2]``

Starts ``campaign-graph serve SNAPSHOT --port 0`` (the whole process), then for the entity page
of ``--node`` (default ``country-CN``: on the generated graph a country has some 17,000 neighbours,
of which one answer holds 5,000, so the view draws 5,001 nodes) times, per run in a fresh page:

- the server's neighbours answer (``/api/nodes/{id}/neighbours``) and the coverage of the sites
  among them (``POST /api/coverage/sites``);
- from navigation to the drawn view (the canvas container's ``data-state="ready"``), plain and with
  sites coloured by union presence (``#colour=union_presence``: drawn first, then recoloured when the
  coverage of every site shown has arrived: ``data-coverage`` empty again).

Goal (issue 19): the view is usable with 5,000 visible nodes; no fixed budget is asserted here.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fixtures_browser import CHROMIUM, CHROMIUM_ARGS


def _serve(snapshot: str) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "exports.cli.main", "serve", snapshot, "--port", "0"], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()  # type: ignore[union-attr]
    m = re.search(r"at (http://\S+/) \(Ctrl-C stops\)", line)
    if not m:
        proc.terminate()
        raise SystemExit(f"serve did not start: {line!r} {proc.communicate(timeout=30)[1][-2000:]}")
    return proc, m[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("snapshot")
    ap.add_argument("--node", default="country-CN")
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    import httpx
    from playwright.sync_api import sync_playwright

    t = time.perf_counter()
    proc, base = _serve(args.snapshot)
    print(f"{'serve: snapshot read, URL printed':<52} {time.perf_counter() - t:7.2f} s")
    try:
        quoted = httpx.URL(base).copy_with(path=f"/api/nodes/{args.node}/neighbours")
        with httpx.Client(timeout=600) as http:
            for run in range(args.runs):
                t = time.perf_counter()
                answer = http.get(quoted, params={"hops": 1}).json()
                took = time.perf_counter() - t
                what = f"neighbours answer ({len(answer['nodes'])} nodes), run {run + 1}"
                print(f"{what:<52} {took:7.2f} s")
            sites = [n["id"] for n in answer["nodes"] if n["kind"] == "Site"]
            for run in range(args.runs):
                t = time.perf_counter()
                http.post(base + "api/coverage/sites", json={"ids": sites}).raise_for_status()
                took = time.perf_counter() - t
                what = f"coverage of {len(sites)} sites, run {run + 1}"
                print(f"{what:<52} {took:7.2f} s")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                for label, fragment in (("drawn", ""), ("drawn, sites coloured by coverage", "#colour=union_presence")):
                    for run in range(args.runs):
                        page = browser.new_page(viewport={"width": 1280, "height": 900})
                        t = time.perf_counter()
                        page.goto(f"{base}nodes/{args.node}{fragment}")
                        page.wait_for_selector("#network[data-state=ready]", timeout=600_000)
                        took = time.perf_counter() - t
                        shown = page.get_attribute("#network", "data-nodes")
                        what = f"navigation to {label} ({shown} nodes), run {run + 1}"
                        print(f"{what:<52} {took:7.2f} s")
                        if fragment:  # the colours come after the drawing: until they are drawn too
                            page.wait_for_selector("#network[data-coverage='']", state="attached", timeout=600_000)
                            page.wait_for_selector("#network[data-state=ready]", timeout=600_000)
                            what = f"  ... and its sites coloured, run {run + 1}"
                            print(f"{what:<52} {time.perf_counter() - t:7.2f} s")
                        if run == 0:
                            page.screenshot(path=f"/tmp/network-view-{len(fragment)}.png")
                        page.close()
            finally:
                browser.close()
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


if __name__ == "__main__":
    main()
