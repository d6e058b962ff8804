"""GEXF 1.2 for Gephi: typed attributes, node labels, the export metadata in ``<meta>``.

The same graph as the GraphML export (:func:`exports.formats.graphml.to_networkx`): each Site
node carries its coverage values and ``status`` as string attributes, each OWNS edge its
``share`` (a ``double``; absent when unknown). GEXF has no graph attributes, so the date of the
coverage values is in ``<meta>``: ``<description>`` says ``coverage as of YYYY-MM-DD``.

networkx's GEXF writer treats attributes named ``start`` and ``end`` as dynamic time
intervals (a Campaign's ``start``/``end`` would turn the whole graph dynamic), so those
two are written as ``start_date`` and ``end_date`` (see :data:`RENAMED`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.etree.ElementTree import SubElement

import networkx as nx
from networkx.readwrite.gexf import GEXFWriter

from exports.formats.base import check_xml_safe, export_metadata
from exports.formats.graphml import SiteCoverage, site_coverage, to_networkx
from graphmodel.atomic import atomic_write
from graphmodel.graph import CampaignGraph

#: schema property -> GEXF attribute title, for names GEXF reserves
RENAMED = {"start": "start_date", "end": "end_date"}


def _rename(attrs: dict[str, Any]) -> dict[str, Any]:
    return {RENAMED.get(k, k): v for k, v in attrs.items()}


def to_gexf_graph(graph: CampaignGraph, coverage: SiteCoverage | None = None) -> nx.MultiDiGraph:
    """The networkx graph written to GEXF (reserved attribute names renamed), sites with ``coverage``."""
    g = to_networkx(graph, coverage)
    out = nx.MultiDiGraph()
    for n, a in g.nodes(data=True):
        out.add_node(n, **_rename(a))
    for u, v, k, a in g.edges(keys=True, data=True):
        out.add_edge(u, v, key=k, **_rename(a), id=k)  # the GEXF edge id is ours, not a counter
    return out


def write(graph: CampaignGraph, path: Path, *, as_of: Any = None) -> list[Path]:
    """Write ``graph`` as GEXF 1.2 to ``path`` (atomically), sites with their coverage as of ``as_of``."""
    check_xml_safe(graph, "GEXF")
    coverage = site_coverage(graph, as_of)
    meta = export_metadata(graph)
    w = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    meta_el = w.xml.find("meta")
    assert meta_el is not None  # GEXFWriter always adds it
    for child in list(meta_el):
        meta_el.remove(child)
    SubElement(meta_el, "creator").text = meta["tool"]
    SubElement(meta_el, "keywords").text = "redacted" if meta["redacted"] else "not redacted"
    cites = "; ".join(
        " — ".join(x for x in (s["title"] or s["id"], s["publisher"], s["licence"]) if x) for s in meta["sources"]
    )
    SubElement(meta_el, "description").text = (
        f"campaign-graph export (schema {meta['schema_version']}, {meta['exported']}); "
        f"coverage as of {coverage.as_of}; "
        f"redacted: {'yes' if meta['redacted'] else 'no'}; sources: {cites or 'none'}"
    )
    w.add_graph(to_gexf_graph(graph, coverage))
    with atomic_write(path, "wb") as f:
        w.write(f)
    return [Path(path)]
