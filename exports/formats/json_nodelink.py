"""Node-link JSON (networkx's ``node_link_data`` with ``edges="edges"``), lists kept as lists.

The ``graph`` object carries the export metadata: ``redacted``, ``sources`` (title,
publisher, licence...), ``schema_version``. Read it back with
``nx.node_link_graph(data, edges="edges")``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import networkx as nx

from exports.formats.base import export_metadata
from graphmodel.atomic import atomic_write_text
from graphmodel.graph import CampaignGraph


def node_link(graph: CampaignGraph) -> dict[str, Any]:
    """The node-link document for ``graph``.

    >>> g = CampaignGraph(); _ = g.add_node("a", "Company", "Acme")
    >>> d = node_link(g); d["nodes"], d["graph"]["redacted"]
    ([{'kind': 'Company', 'name': 'Acme', 'id': 'a'}], False)
    """
    g = nx.MultiDiGraph()
    g.graph.update(export_metadata(graph))
    for n, a in sorted(graph.nodes(), key=lambda x: x[0]):
        g.add_node(n, **{p: (list(v) if isinstance(v, list) else v) for p, v in a.items()})
    for k, u, v, a in sorted(graph.edges(), key=lambda x: x[0]):
        g.add_edge(u, v, key=k, **{p: (list(x) if isinstance(x, list) else x) for p, x in a.items()})
    data: dict[str, Any] = nx.node_link_data(g, edges="edges")
    return data


def write(graph: CampaignGraph, path: Path) -> list[Path]:
    """Write ``graph`` as node-link JSON to ``path`` (UTF-8, atomically)."""
    text = json.dumps(node_link(graph), ensure_ascii=False, indent=1, allow_nan=False)
    atomic_write_text(path, text + "\n")
    return [Path(path)]
