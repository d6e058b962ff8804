"""A push's rows are exactly the graph's nodes and edges, in both row forms, from both graph forms.

Rows are built column-wise from the graph's Arrow tables: CREATE rows as positional tuples,
MERGE rows as property maps. Differential against the straightforward rows built from
``graph.nodes()`` / ``graph.edges()`` (what the push sent before), on a loaded snapshot
(columnar) and on the same graph held in networkx. No server: the id reads answer "none".
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from graphmodel.stores.neo4j import Neo4jStore
from graphmodel.stores.snapshot import load_snapshot, save_snapshot
from tests.neo4j.graphs import acme_graph, random_graph


class _EmptyServer(Neo4jStore):
    """Answers every read with no rows: every node and relationship is new (CREATE)."""

    def run(self, query: str, **params: Any) -> list[dict[str, Any]]:
        return []


def _expected(graph) -> tuple[dict[str, list], dict[tuple, list]]:
    nodes: dict[str, list] = {}
    for n, a in graph.nodes():
        row = {k: v for k, v in a.items() if k != "kind"}
        nodes.setdefault(a["kind"], []).append({**row, "id": n})
    edges: dict[tuple, list] = {}
    for k, u, v, a in graph.edges():
        row = {x: y for x, y in a.items() if x != "kind"}
        key = (a["kind"], graph.kind_of(u), graph.kind_of(v))
        edges.setdefault(key, []).append({**row, "id": k, "__src": u, "__dst": v})
    return nodes, edges


def _planned(batches) -> tuple[dict[str, list], dict[tuple, list]]:
    nodes: dict[str, list] = {}
    edges: dict[tuple, list] = {}
    for b in batches:
        if b.phase == "nodes":
            nodes.setdefault(b.what.split(" nodes")[0], []).extend(b.row_dicts())
        elif b.phase == "edges":
            kind, sk, dk = re.match(r"(\w+) edges \((\w+)->(\w+)[,)]", b.what).groups()
            edges.setdefault((kind, sk, dk), []).extend(b.row_dicts())
    return nodes, edges


def _sorted(groups: dict) -> dict:
    return {k: sorted(v, key=lambda r: r["id"]) for k, v in groups.items()}


def _generated(tmp_path):
    from benchmarks.generate import generate
    from loaders.registry import load_paths

    generate(tmp_path / "xs", "XS", seed=5, groups=4)
    return load_paths([tmp_path / "xs"])[0]


@pytest.mark.parametrize("columnar", [True, False], ids=["columnar", "networkx"])
@pytest.mark.parametrize("make", [acme_graph, lambda: random_graph(8, n_companies=90, n_sites=120), "generated"],
                         ids=["acme", "random", "generated"])
@pytest.mark.parametrize("create", [True, False], ids=["create", "merge"])
def test_planned_rows_are_the_graphs_rows(tmp_path, make, columnar, create):
    g = _generated(tmp_path) if make == "generated" else make()
    save_snapshot(g, tmp_path / "snap")
    graph = load_snapshot(tmp_path / "snap", columnar=columnar)
    assert graph.is_columnar is columnar
    store = _EmptyServer("bolt://127.0.0.1:1", batch_size=13)
    batches = store.plan(graph, create_absent=create)
    assert all(b.create is create for b in batches if b.phase != "sources")
    want_nodes, want_edges = _expected(graph)
    got_nodes, got_edges = _planned(batches)
    assert _sorted(got_nodes) == _sorted(want_nodes)
    assert _sorted(got_edges) == _sorted(want_edges)
    if create:
        # the MERGE form a refused or retried CREATE batch runs writes the same property maps
        for b in batches:
            if b.phase == "nodes":
                query, rows = b.merge_form()
                assert " MERGE (" in query and rows == b.row_dicts()
            elif b.phase == "edges":
                query, rows = b.merge_form()
                assert [{**r["p"], "__src": r["src"], "__dst": r["dst"]} for r in rows] == b.row_dicts()
                assert all(len(t) == len(b.columns) for t in b.rows)  # tuples in column order
