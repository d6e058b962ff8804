"""Graphs of the benchmark generator for differential tests (fictional names only).

``generated_graph(folder, size)`` writes the generator's tables for ``size`` (seed 7) into
``folder`` and loads them as the CLI would; ``xs`` and ``s_graph`` are session-scoped pytest
fixtures built on it, once per run (this module is a conftest plugin), and ``xs_snapshot`` /
``s_snapshot`` their snapshot folders, saved once. Tests must not change them. ``layout`` runs a
test on a graph held in networkx and on the same graph held in columns.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks.generate import generate
from graphmodel.graph import CampaignGraph
from loaders.registry import load_paths


def generated_graph(folder: Path, size: str) -> CampaignGraph:
    generate(folder, size, seed=7)
    loaded = load_paths([folder])
    return loaded[0] if isinstance(loaded, tuple) else loaded


@pytest.fixture(scope="session")
def xs(tmp_path_factory: pytest.TempPathFactory) -> CampaignGraph:
    return generated_graph(Path(tmp_path_factory.mktemp("xs")), "XS")


@pytest.fixture(scope="session")
def s_graph(tmp_path_factory: pytest.TempPathFactory) -> CampaignGraph:
    return generated_graph(Path(tmp_path_factory.mktemp("s")), "S")


def _snapshot(graph: CampaignGraph, folder: Path) -> Path:
    from graphmodel.stores.snapshot import save_snapshot

    save_snapshot(graph, folder, created="test")
    return folder


@pytest.fixture(scope="session")
def xs_snapshot(xs: CampaignGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``xs`` saved once as a snapshot folder (load it columnar or not in each test)."""
    return _snapshot(xs, tmp_path_factory.mktemp("xs-snap") / "snap")


@pytest.fixture(scope="session")
def s_snapshot(s_graph: CampaignGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``s_graph`` saved once as a snapshot folder."""
    return _snapshot(s_graph, tmp_path_factory.mktemp("s-snap") / "snap")


_LAYOUTS: dict[tuple[int, bool], tuple[CampaignGraph, CampaignGraph]] = {}


@pytest.fixture(params=["networkx", "columnar"])
def layout(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Callable[[CampaignGraph], CampaignGraph]:
    """Run a test on both layouts of a graph: ``layout(g)`` is ``g`` held in networkx (read through
    ``out_edges`` / ``in_edges``), or held in columns (walked on ``graph.adjacency()``'s CSR arrays),
    the other one being its snapshot loaded that way (made once per graph and kept)."""
    from graphmodel.stores.snapshot import load_snapshot

    columnar = request.param == "columnar"

    def convert(graph: CampaignGraph) -> CampaignGraph:
        if graph.is_columnar == columnar:
            return graph
        hit = _LAYOUTS.get((id(graph), columnar))
        if hit is None or hit[0] is not graph:
            folder = _snapshot(graph, tmp_path_factory.mktemp("layout") / "snap")
            hit = _LAYOUTS[(id(graph), columnar)] = (graph, load_snapshot(folder, columnar=columnar))
        return hit[1]

    return convert
