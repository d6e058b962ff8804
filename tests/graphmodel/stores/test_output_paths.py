"""Output paths: a snapshot save never deletes or overwrites what it did not write, refuses
devices, FIFOs and foreign folders, and several writers and readers at once lose nothing.

Fixtures are fictional; the concurrency test runs the real console script, as a user would.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graphmodel.atomic import atomic_write_text
from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.records import Source
from graphmodel.stores.snapshot import LOCK_NAME, MANIFEST, load_snapshot, read_manifest, save_snapshot

ROOT = Path(__file__).resolve().parents[3]
EXE = Path(sys.executable).parent / "campaign-graph"


def small(n: int) -> CampaignGraph:
    g = CampaignGraph()
    g.add_source(Source("s1", title="Fictional register"))
    for i in range(n):
        g.add_node(f"c{i}", "Company", f"Company {i}", sources=["s1"])
    return g


def listed(folder: Path) -> set[str]:
    m = read_manifest(folder)
    return {e["path"] for e in m["files"].values()}


def test_a_folder_holding_other_files_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    theirs = {"nodes-final.parquet": b"mine", "edges-2024.parquet": b"also mine", "sensitive-notes.parquet": b"x"}
    for name, data in theirs.items():
        (out / name).write_bytes(data)
    with pytest.raises(CampaignGraphError, match="not empty and holds no snapshot"):
        save_snapshot(small(2), out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == theirs  # no lock file, nothing removed


def test_another_programs_manifest_is_not_overwritten(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / MANIFEST).write_text('{"name": "some other tool"}')
    with pytest.raises(CampaignGraphError, match="holds no snapshot"):
        save_snapshot(small(1), out)
    assert (out / MANIFEST).read_text() == '{"name": "some other tool"}'
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST]


def test_replacing_a_snapshot_removes_only_what_its_manifest_listed(tmp_path: Path) -> None:
    out = tmp_path / "snap"
    save_snapshot(small(2), out)
    first = listed(out)
    # files a person put beside the snapshot, named like ours
    (out / "nodes-final.parquet").write_bytes(b"keep me")
    (out / "notes.txt").write_text("keep me too")
    save_snapshot(small(3), out)
    second = listed(out)
    assert first != second
    names = {p.name for p in out.iterdir()}
    assert names == second | {MANIFEST, LOCK_NAME, "nodes-final.parquet", "notes.txt"}
    assert (out / "nodes-final.parquet").read_bytes() == b"keep me"
    assert load_snapshot(out).number_of_nodes() == 3


def test_a_file_or_link_where_the_folder_should_be_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "file"
    f.write_text("data")
    with pytest.raises(CampaignGraphError, match="not a folder"):
        save_snapshot(small(1), f)
    assert f.read_text() == "data"
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    with pytest.raises(CampaignGraphError, match="not a folder"):
        save_snapshot(small(1), link)
    assert list(real.iterdir()) == []


def test_atomic_write_refuses_a_fifo_a_folder_and_a_link(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    folder = tmp_path / "dir"
    folder.mkdir()
    target = tmp_path / "t.txt"
    target.write_text("original")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    for path in (fifo, folder, link):
        with pytest.raises(CampaignGraphError, match="not a regular file"):
            atomic_write_text(path, "new")
    assert fifo.is_fifo() and folder.is_dir() and link.is_symlink()
    assert target.read_text() == "original"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir", "link.txt", "pipe", "t.txt"]  # no temp left


def test_cli_refuses_a_device_or_fifo_as_output(tmp_path: Path) -> None:
    # a character device: replacing it as root would replace the system's /dev/null
    src = _tables(tmp_path / "in", 2)
    before = os.stat("/dev/null")
    proc = subprocess.run(check=False, args=[str(EXE), "load", str(src), "-o", "/dev/null"], capture_output=True, text=True, timeout=120)
    after = os.stat("/dev/null")
    assert proc.returncode == 1, proc.stderr
    assert "not a folder" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert (before.st_ino, before.st_rdev) == (after.st_ino, after.st_rdev)
    fifo = tmp_path / "planner.xlsx"
    os.mkfifo(fifo)
    proc = subprocess.run(check=False, args=[str(EXE), "template", "-o", str(fifo), "--force"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and "not a regular file" in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and fifo.is_fifo()


def _tables(folder: Path, n: int) -> Path:
    folder.mkdir()
    (folder / "sources.csv").write_text("id,title,licence\ns1,Fictional register,CC0\n")
    rows = "".join(f"c{i},Company,Company {i},s1\n" for i in range(n))
    (folder / "nodes.csv").write_text("id,kind,name,sources\n" + rows)
    (folder / "edges.csv").write_text("source,target,kind,sources\n")
    return folder


def test_several_writers_and_readers_at_once_lose_nothing(tmp_path: Path) -> None:
    """Three `load -o same` at once, while a reader loads the snapshot in a loop."""
    inputs = [_tables(tmp_path / f"in{n}", n) for n in (3, 4, 5)]
    out = tmp_path / "snap"
    first = subprocess.run(check=False, args=[str(EXE), "load", str(inputs[0]), "-o", str(out)], capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    reader = subprocess.Popen(
        [sys.executable, "-c",
         ("import sys, time\n"
         "from graphmodel.stores.snapshot import load_snapshot\n"
         "seen = set(); end = time.time() + 6\n"
         "while time.time() < end:\n"
         "    seen.add(load_snapshot(sys.argv[1]).number_of_nodes())\n"
         "print(sorted(seen))\n"), str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )
    time.sleep(0.5)
    writers = [
        subprocess.Popen([str(EXE), "load", str(src), "-o", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
        for src in inputs
    ]
    results = [(w.wait(timeout=180), w.stderr.read()) for w in writers]
    assert [rc for rc, _ in results] == [0, 0, 0], results
    rout, rerr = reader.communicate(timeout=180)
    assert reader.returncode == 0, rerr  # the reader never saw a half-written or vanished snapshot
    assert set(eval(rout)) <= {3, 4, 5}
    g = load_snapshot(out)
    assert g.number_of_nodes() in (3, 4, 5)
    # only the last snapshot's files remain, plus the manifest and the lock
    assert {p.name for p in out.iterdir()} == listed(out) | {MANIFEST, LOCK_NAME}
