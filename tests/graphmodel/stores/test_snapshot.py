"""Snapshot folders: round trip, determinism, atomicity, refusal of corrupted or newer snapshots.

Fixture facts are fictional ("Acme Steel", "Site A").
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from graphmodel import schema
from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.records import Source
from graphmodel.stores import snapshot as snap
from graphmodel.stores.snapshot import SnapshotStore, load_snapshot, read_manifest, save_snapshot


def sample_graph() -> CampaignGraph:
    g = CampaignGraph()
    g.add_source(Source("s1", title="Fictional notes", licence="CC0", retrieved="2024-05-01"))
    g.add_source(Source("inf", title="Informant report", file="/home/x/secret.docx", confidential=True))
    g.add_node("acme", "Company", "Acme Steel AG", sources=["s1"], country="DE", listed=True, aliases=["Acme", "Acme Group"])
    g.add_node("acme-sub", "Company", "Acme Rolling GmbH", former_names=["Acme Walzwerk (until 2001-01-01)"])
    g.add_node("site-a", "Site", "Site A \u2013 Hütte \U0001f3ed \x01", workforce=1200, lat=50.5, lon=-7.25, status="operating")
    g.add_node("u1", "Union", "Union of Site A workers", level="local", email="organiser@example.org")
    g.add_node("gfa", "Agreement", "Acme GFA", agreement_type="gfa", signed="2015-06-01", clauses=["H&S", "subcontractors"])
    g.add_edge("acme", "acme-sub", "OWNS", share=75.5, control="yes", valid_from="2010", sources=["s1"])
    g.add_edge("acme-sub", "site-a", "OPERATES", share=100)
    g.add_edge("u1", "site-a", "REPRESENTS", members=300, recognised=False, sources=["inf"])
    g.add_edge("acme", "gfa", "PARTY_TO", role="employer")
    return g


def test_round_trip_gives_an_equal_graph(tmp_path: Path) -> None:
    g = sample_graph()
    m = save_snapshot(g, tmp_path / "snap")
    h = load_snapshot(tmp_path / "snap")
    assert h == g and h.content_hash() == g.content_hash()
    assert h.node("site-a")["name"] == "Site A \u2013 Hütte \U0001f3ed \x01"
    assert h.node("acme")["listed"] is True and h.node("site-a")["workforce"] == 1200
    assert h.edge("REPRESENTS:u1->site-a")[2]["recognised"] is False
    assert h.sources["inf"].confidential is True
    assert m["counts"]["nodes"] == 5 and m["counts"]["edges"] == 4
    assert m["counts"]["by_kind"]["edges"] == {"OPERATES": 1, "OWNS": 1, "PARTY_TO": 1, "REPRESENTS": 1}
    assert m["schema_version"] == schema.SCHEMA_VERSION
    assert h.find("Acme Walzwerk")[0].id == "acme-sub" and h.validate() == []
    assert SnapshotStore(tmp_path / "snap").read() == g


def _data_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.parquet"))}


def test_same_graph_same_bytes_and_hash(tmp_path: Path) -> None:
    m1 = save_snapshot(sample_graph(), tmp_path / "a")
    m2 = save_snapshot(sample_graph(), tmp_path / "b")
    assert _data_files(tmp_path / "a") == _data_files(tmp_path / "b")
    assert m1["content_hash"] == m2["content_hash"] and m1["files"] == m2["files"]
    # insertion order does not matter
    g = sample_graph()
    rev = CampaignGraph()
    for s in reversed(list(g.sources.values())):
        rev.add_source(s)
    rev.bulk_add(reversed(list(g.nx.nodes(data=True))), reversed(list(g.nx.edges(keys=True, data=True))))
    m3 = save_snapshot(rev, tmp_path / "c", created=m1["created"])
    assert _data_files(tmp_path / "c") == _data_files(tmp_path / "a") and m3["content_hash"] == m1["content_hash"]
    # with the same created time the manifests are byte-identical too
    save_snapshot(sample_graph(), tmp_path / "d", created="2026-01-01T00:00:00+00:00")
    save_snapshot(sample_graph(), tmp_path / "e", created="2026-01-01T00:00:00+00:00")
    assert (tmp_path / "d/manifest.json").read_bytes() == (tmp_path / "e/manifest.json").read_bytes()


def test_resave_replaces_old_files_and_changes_the_hash(tmp_path: Path) -> None:
    folder = tmp_path / "snap"
    m1 = save_snapshot(sample_graph(), folder)
    g = sample_graph()
    g.add_node("new", "Company", "New Co")
    m2 = save_snapshot(g, folder)
    assert m2["content_hash"] != m1["content_hash"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["manifest.json", ".campaign-graph.lock"] + [f["path"] for f in m2["files"].values()]
    )
    assert load_snapshot(folder) == g


@pytest.mark.parametrize("fail_at", ["parquet", "manifest"])
def test_exception_mid_save_leaves_the_previous_snapshot_loadable_and_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_at: str
) -> None:
    folder = tmp_path / "snap"
    old = sample_graph()
    save_snapshot(old, folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.startswith(".")}
    new = sample_graph()  # every table changes, so the save writes four new files
    new.add_source(Source("s2", title="More notes"))
    new.add_node("new", "Company", "New Co", sources=["s2"])
    new.add_edge("new", "acme", "OWNS", share=5)
    calls = {"n": 0}
    real_bytes, real_text = snap.atomic_write_bytes, snap.atomic_write_text

    def failing_bytes(path, data):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if fail_at == "parquet" and calls["n"] == 2:
            raise OSError("disk full (injected)")
        return real_bytes(path, data)

    def failing_text(path, text):  # type: ignore[no-untyped-def]
        raise OSError("disk full (injected)")

    monkeypatch.setattr(snap, "atomic_write_bytes", failing_bytes)
    if fail_at == "manifest":
        monkeypatch.setattr(snap, "atomic_write_text", failing_text)
    with pytest.raises(OSError, match="injected"):
        save_snapshot(new, folder)
    monkeypatch.setattr(snap, "atomic_write_bytes", real_bytes)
    monkeypatch.setattr(snap, "atomic_write_text", real_text)
    after = {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.startswith(".")}
    for name, data in before.items():
        assert after[name] == data  # every file of the old snapshot is byte-identical
    assert load_snapshot(folder) == old
    save_snapshot(new, folder)  # the next save cleans up the orphans
    # nodes, edges, sources and the name index: nothing else is left
    assert load_snapshot(folder) == new and len(list(folder.glob("*.parquet"))) == 4


def test_kill_9_during_the_manifest_write_leaves_the_previous_snapshot(tmp_path: Path) -> None:
    folder = tmp_path / "snap"
    save_snapshot(sample_graph(), folder)
    before = (folder / "manifest.json").read_bytes()
    script = textwrap.dedent(
        f"""
        import os, signal
        from graphmodel.stores import snapshot as snap
        from graphmodel.atomic import atomic_write
        from graphmodel.graph import CampaignGraph
        real = snap.atomic_write_text
        def killed(path, text):
            # die inside the write, after part of the bytes reached the temporary file
            with atomic_write(path, "w") as f:
                f.write(text[:10]); f.flush()
                os.kill(os.getpid(), signal.SIGKILL)
        snap.atomic_write_text = killed
        g = CampaignGraph(); g.add_node("other", "Company", "Other Co")
        snap.save_snapshot(g, {str(folder)!r})
        """
    )
    r = subprocess.run([sys.executable, "-c", script], check=False, cwd=Path(__file__).resolve().parents[3], capture_output=True)
    assert r.returncode == -9, r.stderr.decode()
    assert (folder / "manifest.json").read_bytes() == before
    assert load_snapshot(folder) == sample_graph()


def test_corrupted_or_edited_parquet_is_refused_naming_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "snap"
    m = save_snapshot(sample_graph(), folder)
    edges = folder / m["files"]["edges"]["path"]
    data = bytearray(edges.read_bytes())
    data[len(data) // 2] ^= 0xFF
    edges.write_bytes(bytes(data))
    with pytest.raises(CampaignGraphError, match="edges file does not match the hash in manifest.json") as e:
        load_snapshot(folder)
    assert e.value.file == str(edges) and edges.name in str(e.value)
    edges.unlink()
    with pytest.raises(CampaignGraphError, match="edges file is missing"):
        load_snapshot(folder)


def test_newer_schema_version_and_broken_manifests_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "snap"
    save_snapshot(sample_graph(), folder)
    mpath = folder / "manifest.json"
    manifest = json.loads(mpath.read_text())
    mpath.write_text(json.dumps({**manifest, "schema_version": schema.SCHEMA_VERSION + 1}))
    with pytest.raises(CampaignGraphError, match=r"schema version \d+ is newer than this tool's"):
        load_snapshot(folder)
    mpath.write_text("{not json")
    with pytest.raises(CampaignGraphError, match="manifest.json is not valid JSON"):
        read_manifest(folder)
    mpath.write_text(json.dumps({"format": "something-else"}))
    with pytest.raises(CampaignGraphError, match="not a campaign-graph snapshot manifest"):
        load_snapshot(folder)
    mpath.unlink()
    with pytest.raises(CampaignGraphError, match="no manifest.json"):
        load_snapshot(folder)
    with pytest.raises(CampaignGraphError, match="does not exist"):
        load_snapshot(tmp_path / "nowhere")
    (tmp_path / "file").write_text("x")
    with pytest.raises(CampaignGraphError, match="not a folder"):
        save_snapshot(sample_graph(), tmp_path / "file")


def test_pickle_is_never_read(tmp_path: Path) -> None:
    """A .pkl dropped into a snapshot folder is ignored: only manifest-listed Parquet is read."""
    folder = tmp_path / "snap"
    save_snapshot(sample_graph(), folder)
    marker = tmp_path / "marker"
    import pickle

    class Evil:
        def __reduce__(self):  # type: ignore[no-untyped-def]
            return (open, (str(marker), "w"))

    (folder / "nodes.pkl").write_bytes(pickle.dumps(Evil()))
    assert load_snapshot(folder) == sample_graph()
    assert not marker.exists()


def test_any_text_round_trips_or_is_refused_before_writing(tmp_path_factory: pytest.TempPathFactory) -> None:
    """docs/threats.md #5: names, aliases and notes with control characters, NULs and lone surrogates."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    text = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(name=text, alias=text, note=text)
    def check(name: str, alias: str, note: str) -> None:
        g = CampaignGraph()
        try:
            g.add_node("n", "Company", name, aliases=[alias], notes=note)
        except CampaignGraphError:
            assert any(c == "\x00" or 0xD800 <= ord(c) <= 0xDFFF for c in name + alias + note)
            assert not g.has_node("n")
            return
        folder = tmp_path_factory.mktemp("h")
        save_snapshot(g, folder)
        assert load_snapshot(folder) == g

    check()


def test_load_restores_the_garbage_collector_state(tmp_path: Path) -> None:
    import gc

    save_snapshot(sample_graph(), tmp_path / "snap")
    assert gc.isenabled()
    load_snapshot(tmp_path / "snap")
    assert gc.isenabled()
    with pytest.raises(CampaignGraphError):
        load_snapshot(tmp_path / "nowhere")
    assert gc.isenabled()
    gc.disable()
    try:
        load_snapshot(tmp_path / "snap")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_bulk_add_fast_path_builds_the_same_networkx_graph() -> None:
    import networkx as nx

    g = sample_graph()
    nodes = list(g.nx.nodes(data=True))
    edges = list(g.nx.edges(keys=True, data=True))
    fast = CampaignGraph()
    fast.bulk_add([(n, dict(a)) for n, a in nodes], [(u, v, k, dict(a)) for u, v, k, a in edges])
    slow = nx.MultiDiGraph()
    slow.add_nodes_from(nodes)
    slow.add_edges_from(edges)
    assert nx.utils.graphs_equal(fast.nx, slow)
    assert fast.nx._pred["site-a"]["acme-sub"] is fast.nx._succ["acme-sub"]["site-a"]  # shared, as networkx does
    assert [k for k, *_ in fast.in_edges("site-a")] == ["OPERATES:acme-sub->site-a", "REPRESENTS:u1->site-a"]
    fast.remove_edge("OPERATES:acme-sub->site-a")
    assert not fast.nx.has_edge("acme-sub", "site-a") and fast.nx.in_degree("site-a") == 1
