"""The read interface's additions: ``adjacency()``, ``degree()``, ``set_node_props()``, ``to_networkx()``.

Oracles: networkx itself (its ``degree``, its ``out_edges`` / ``in_edges`` order, which the CSR arrays must
reproduce), a brute-force filter of ``graph.edges`` for the validity masks, and hand-worked values on the
fictional fixture of ``test_snapshot`` ("Acme Steel", "Site A").
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.stores.snapshot import load_snapshot, save_snapshot
from tests.exports.test_netmap import acme_graph
from tests.graphmodel.stores.test_snapshot import sample_graph


def _loads(g: CampaignGraph, folder: Path) -> tuple[CampaignGraph, CampaignGraph]:
    save_snapshot(g, folder, created="test")
    return load_snapshot(folder, columnar=True), load_snapshot(folder, columnar=False)


@pytest.mark.parametrize("build", [sample_graph, acme_graph])
def test_adjacency_rows_follow_networkx_order_and_its_masks_the_edges_in_force(build, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    col, ordinary = _loads(build(), tmp_path / "snap")
    assert ordinary.adjacency() is None  # held in networkx: the read methods are the way in
    adj = col.adjacency()
    assert adj is not None and col.adjacency() is adj  # made once, kept
    G = ordinary.to_networkx()
    assert adj.ids == list(G.nodes)
    for n in G.nodes:
        r = adj.row[n]
        assert adj.nkind[r] == G.nodes[n]["kind"]
        assert adj.edge_ids_at(adj.out_rows(r)) == [k for _, _, k in G.out_edges(n, keys=True)]
        assert adj.edge_ids_at(adj.in_rows(r)) == [k for _, _, k in G.in_edges(n, keys=True)]
        assert [adj.ids[x] for x in adj.dst[adj.out_rows(r)].tolist()] == [v for _, v in G.out_edges(n)]
    for day in ("2000-01-01", "2024-06-30"):
        in_force = {k for k, _, _, _ in ordinary.edges(as_of=day)}
        assert {adj.eids[r] for r in np.flatnonzero(adj.valid(day)).tolist()} == in_force
        owns = {k for k, _, _, _ in ordinary.edges("OWNS", as_of=day)}
        assert {adj.eids[r] for r in np.flatnonzero(adj.walkable(day, frozenset({"OWNS"}))).tolist()} == owns
    assert col.is_columnar  # reading the arrays built nothing


def test_degree_is_networkx_degree_in_both_layouts(tmp_path: Path) -> None:
    col, ordinary = _loads(acme_graph(), tmp_path / "snap")
    G = ordinary.to_networkx()
    assert {n: col.degree(n) for n in G} == {n: ordinary.degree(n) for n in G} == dict(G.degree())
    assert col.is_columnar
    for g in (col, ordinary):
        with pytest.raises(CampaignGraphError, match="no node"):
            g.degree("nowhere")


def test_set_node_props_parses_replaces_removes_and_is_searchable(tmp_path: Path) -> None:
    col, ordinary = _loads(sample_graph(), tmp_path / "snap")
    for g in (col, ordinary):
        assert g.find("Acme Forge") == []
        g.set_node_props("acme", aliases=["Acme Forge"], country=None, listed="no")
        a = g.node("acme")
        assert a["aliases"] == ["Acme Forge"] and "country" not in a and a["listed"] is False
        assert [m.id for m in g.find("Acme Forge")] == ["acme"]
        assert g.adjacency() is None  # changed: now held in networkx, the old arrays are gone
    assert col == ordinary
    with pytest.raises(CampaignGraphError, match="unknown property"):
        ordinary.set_node_props("acme", colour="blue")
    with pytest.raises(CampaignGraphError, match="cannot set kind"):
        ordinary.set_node_props("acme", kind="Site")
    with pytest.raises(CampaignGraphError, match="no node"):
        ordinary.set_node_props("nowhere", country="DE")


def test_to_networkx_is_a_frozen_view_of_the_same_graph(tmp_path: Path) -> None:
    col, ordinary = _loads(sample_graph(), tmp_path / "snap")
    G = col.to_networkx()
    assert nx.is_frozen(G) and not col.is_columnar  # a columnar graph builds networkx for it
    assert sorted(G.edges(keys=True)) == sorted((u, v, k) for k, u, v, _ in ordinary.edges())
    assert dict(G.nodes(data=True)) == dict(ordinary.nodes())
    with pytest.raises(nx.NetworkXError):
        G.add_node("x")


def test_links_are_out_edges_then_in_edges_and_keep_what_the_mask_marks(tmp_path: Path) -> None:
    col, ordinary = _loads(acme_graph(), tmp_path / "snap")
    adj = col.adjacency()
    assert adj is not None
    day = "2026-06-30"
    for n in ordinary.node_ids():
        rows, others = adj.links(adj.row[n])
        want = [(k, v) for k, _, v, _ in ordinary.out_edges(n)] + [(k, u) for k, u, _, _ in ordinary.in_edges(n)]
        assert list(zip(adj.edge_ids_at(rows), [adj.ids[o] for o in others.tolist()])) == want
        rows, others = adj.links(adj.row[n], adj.valid(day))
        want = [(k, v) for k, _, v, _ in ordinary.out_edges(n, as_of=day)] + [
            (k, u) for k, u, _, _ in ordinary.in_edges(n, as_of=day)]
        assert list(zip(adj.edge_ids_at(rows), [adj.ids[o] for o in others.tolist()])) == want


def test_reading_a_columnar_graph_never_imports_networkx(tmp_path: Path) -> None:
    # networkx is the adapter (to_networkx): opening a snapshot and the read methods run without it
    import subprocess
    import sys
    import textwrap

    save_snapshot(acme_graph(), tmp_path / "snap")
    code = textwrap.dedent(f"""
        import sys
        from graphmodel.stores.snapshot import load_snapshot
        g = load_snapshot({str(tmp_path / "snap")!r})
        ids = g.node_ids()
        for n in ids:
            g.node(n); g.out_edges(n); g.in_edges(n); g.degree(n)
        g.find("Acme"); g.adjacency(); g.copy(); g.meta
        assert "networkx" not in sys.modules, "networkx imported"
        g.to_networkx()
        print(len(ids), "networkx" in sys.modules)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [str(acme_graph().number_of_nodes()), "True"]


def test_info_checks_a_snapshot_without_pandas_or_networkx(tmp_path: Path) -> None:
    # info reads hashes, the column layout and the manifest: no DataFrame, no graph, so neither
    # library is imported (pyarrow imports pandas on its first conversion of a Python value)
    import subprocess
    import sys
    import textwrap

    save_snapshot(acme_graph(), tmp_path / "snap")
    code = textwrap.dedent(f"""
        import sys
        from exports.cli.main import cli
        try:
            cli(["info", {str(tmp_path / "snap")!r}])
        except SystemExit as e:
            assert not e.code, e.code
        print("loaded:", "pandas" in sys.modules, "networkx" in sys.modules)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.returncode == 0, out.stderr
    assert "validation: ok" in out.stdout
    assert out.stdout.strip().splitlines()[-1] == "loaded: False False"


@pytest.mark.parametrize("build", [sample_graph, acme_graph])
def test_tables_cut_to_some_columns_hold_those_columns_of_the_whole_table(build, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    col, ordinary = _loads(build(), tmp_path / "snap")
    for g in (col, ordinary):
        # oracle: the edges as the read methods give them, brute force
        for kind in ("OWNS", "OPERATES", None):
            t = g.edge_table(kind, columns=["target", "valid_to", "source", "no_such_column"])
            assert t.column_names[:2] == ["source", "target"]  # the full table's order, not the argument's
            want = sorted((u, v, a.get("valid_to")) for _, u, v, a in g.edges(kind))
            got = sorted(zip(t.column("source").to_pylist(), t.column("target").to_pylist(),
                             t.column("valid_to").to_pylist() if "valid_to" in t.column_names else [None] * t.num_rows))
            assert got == want
            assert t.column_names == [c for c in g.edge_table(kind).column_names if c in {"source", "target", "valid_to"}]
        for kind in ("Site", None):
            t = g.node_table(kind, columns=("name", "workforce"))
            full = g.node_table(kind)
            assert t.column_names == [c for c in full.column_names if c in {"name", "workforce"}]
            assert t.to_pylist() == full.select(t.column_names).to_pylist()
    assert col.is_columnar
