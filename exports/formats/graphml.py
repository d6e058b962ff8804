"""GraphML for Gephi, yEd and networkx: typed attributes, lists joined with ``"; "``.

Numbers are written as ``double``/``long`` and booleans as ``boolean``, so Gephi and
``nx.read_graphml`` get them back typed. Nodes carry ``label`` (the name) for Gephi;
the graph element carries the export metadata (``redacted``, ``sources`` as JSON).
"""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx

from exports.formats.base import check_xml_safe, export_metadata, flat
from graphmodel.atomic import atomic_write
from graphmodel.graph import CampaignGraph


def to_networkx(graph: CampaignGraph) -> nx.MultiDiGraph:
    """A plain networkx copy for XML formats: lists joined, ``label`` added, metadata on the graph.

    >>> g = CampaignGraph(); _ = g.add_node("a", "Company", "Acme", aliases=["Acme AG", "ACME"])
    >>> to_networkx(g).nodes["a"]["aliases"]
    'Acme AG; ACME'
    """
    meta = export_metadata(graph)
    out = nx.MultiDiGraph()
    out.graph.update(
        tool=meta["tool"],
        schema_version=meta["schema_version"],
        exported=meta["exported"],
        redacted=meta["redacted"],
        sources=json.dumps(meta["sources"], ensure_ascii=False),
    )
    for n, a in sorted(graph.nodes(), key=lambda x: x[0]):
        attrs = {p: flat(v) for p, v in a.items()}
        attrs["label"] = a.get("name", n)
        out.add_node(n, **attrs)
    for k, u, v, a in sorted(graph.edges(), key=lambda x: x[0]):
        out.add_edge(u, v, key=k, **{p: flat(x) for p, x in a.items()})
    return out


def write(graph: CampaignGraph, path: Path) -> list[Path]:
    """Write ``graph`` as GraphML to ``path`` (atomically)."""
    check_xml_safe(graph, "GraphML")
    g = to_networkx(graph)
    with atomic_write(path, "w") as f:
        for line in nx.generate_graphml(g, encoding="utf-8", prettyprint=True, named_key_ids=False):
            f.write(line + "\n")
    return [Path(path)]
