"""Atomic, verifiable snapshots (issue 8 part 5, docs/threats.md row 5).

A child process builds a large generated graph and saves it over an existing snapshot; the
test kills it with SIGKILL at several moments of the save. Each time the previous snapshot
must be byte-identical (manifest and every file it lists), load, and give the same content
hash; temporary files left behind by the killed writer must not disturb it. A tampered data
file or manifest is refused with a message naming the file.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.stores.snapshot import MANIFEST, load_snapshot, save_snapshot

ROOT = Path(__file__).resolve().parents[2]
CREATED = "2025-01-01T00:00:00+00:00"

CHILD = r"""
import sys, time
from graphmodel.graph import CampaignGraph
from graphmodel.stores.snapshot import save_snapshot
n = int(sys.argv[2])
g = CampaignGraph()
nodes = [(f"c{i}", {"kind": "Company", "name": f"Acme Company {i}", "country": "DE", "aliases": [f"Acme {i}"]}) for i in range(n)]
nodes += [(f"s{i}", {"kind": "Site", "name": f"Site {i}", "workforce": i, "lat": i / n}) for i in range(n)]
edges = [(f"c{i // 2}", f"c{i}", f"OWNS:c{i // 2}->c{i}", {"kind": "OWNS", "share": 51.0}) for i in range(1, n)]
edges += [(f"c{i}", f"s{i}", f"OPERATES:c{i}->s{i}", {"kind": "OPERATES"}) for i in range(n)]
g.bulk_add(nodes, edges)
print("ready", flush=True)
t0 = time.monotonic()
save_snapshot(g, sys.argv[1])
print("saved", time.monotonic() - t0, flush=True)
"""


def _old_graph() -> CampaignGraph:
    g = CampaignGraph()
    g.add_node("acme", "Company", "Acme Steel", country="LU")
    g.add_node("site-a", "Site", "Site A", workforce=1200)
    g.add_edge("acme", "site-a", "OPERATES")
    return g


def _fingerprint(folder: Path) -> dict[str, str]:
    manifest = json.loads((folder / MANIFEST).read_text())
    files = [MANIFEST] + [f["path"] for f in manifest["files"].values()]
    return {f: hashlib.sha256((folder / f).read_bytes()).hexdigest() for f in files}


def _start(folder: Path, n: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(folder), str(n)], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    return proc


def _check_old_or_new(folder: Path, before: dict[str, str], old: CampaignGraph, manifest: dict, n: int) -> None:
    """Whatever moment the kill hit, the folder holds the old snapshot or (after the manifest
    was replaced) the complete new one: never a mix. The old one is put back for the next round."""
    after = _fingerprint(folder)
    if after == before:
        g = load_snapshot(folder)
        assert g == old and json.loads((folder / MANIFEST).read_text())["content_hash"] == manifest["content_hash"]
    else:
        g = load_snapshot(folder)  # the new snapshot, complete and hash-checked
        assert g.number_of_nodes() == 2 * n
        save_snapshot(old, folder, created=CREATED)
        assert _fingerprint(folder) == before


@pytest.mark.slow
def test_kill_9_at_any_moment_of_a_large_save_leaves_the_previous_snapshot(tmp_path: Path) -> None:
    folder = tmp_path / "snap"
    old = _old_graph()
    manifest = save_snapshot(old, folder, created=CREATED)
    before = _fingerprint(folder)
    n = 20_000
    # how long a whole save takes here, so the kills land inside it
    timing = _start(tmp_path / "timing", n)
    out, _ = timing.communicate(timeout=300)
    duration = float(out.split()[-1])
    assert duration > 0.05
    killed = 0
    # a busy machine makes one save slower or faster than the timing run: a save that finished
    # before its kill is tried again with an earlier kill, so at least four kills land mid-save
    for fraction in (0.05, 0.3, 0.6, 0.9, 0.98):
        for attempt in range(4):
            proc = _start(folder, n)
            time.sleep(duration * fraction / 2**attempt)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=60)
            if proc.returncode == -signal.SIGKILL:
                killed += 1
                break
            _check_old_or_new(folder, before, old, manifest, n)
        _check_old_or_new(folder, before, old, manifest, n)
    assert killed >= 4  # the kills landed mid-save
    # stray temporary files of killed writers are ignored by loading and cleaned by nothing else
    assert load_snapshot(folder) == old


def test_tampered_files_are_refused_naming_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "snap"
    m = save_snapshot(_old_graph(), folder)
    nodes = folder / m["files"]["nodes"]["path"]
    good = nodes.read_bytes()
    nodes.write_bytes(good[:-10] + b"\x00" * 10)
    with pytest.raises(CampaignGraphError) as ei:
        load_snapshot(folder)
    assert "does not match the hash in manifest.json" in ei.value.message and ei.value.file == str(nodes)
    nodes.write_bytes(good)
    edited = json.loads((folder / MANIFEST).read_text())
    edited["files"]["edges"]["rows"] = 99
    (folder / MANIFEST).write_text(json.dumps(edited))
    with pytest.raises(CampaignGraphError, match="the manifest says 99"):
        load_snapshot(folder)
    (folder / MANIFEST).write_text("{truncated")
    with pytest.raises(CampaignGraphError, match="not valid JSON"):
        load_snapshot(folder)
    (folder / MANIFEST).unlink()
    with pytest.raises(CampaignGraphError, match="no manifest.json"):
        load_snapshot(folder)
