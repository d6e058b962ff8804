"""GraphML for Gephi, yEd and networkx: typed attributes, lists joined with ``"; "``.

Numbers are written as ``double``/``long`` and booleans as ``boolean``, so Gephi and
``nx.read_graphml`` get them back typed. Nodes carry ``label`` (the name) for Gephi;
the graph element carries the export metadata (``redacted``, ``sources`` as JSON, and
``as_of``, the date of the coverage values).

Each Site node carries its coverage values (:func:`site_coverage`): the dimensions of
:data:`queries.coverage.DIMENSIONS` and ``status``, named and valued as ``campaign-graph
coverage --format json`` gives them, so Gephi can colour and filter sites by them. Each
OWNS edge carries its stake as ``share`` (a ``double``, in percent) when it is published;
an unknown share is an absent attribute, never 0.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from exports.formats.base import check_xml_safe, export_metadata, flat
from graphmodel.atomic import atomic_write
from graphmodel.graph import CampaignGraph


@dataclass(frozen=True)
class SiteCoverage:
    """Each site's coverage values as of one date: ``values[site]`` is a tuple in the order of ``names``."""

    as_of: str
    names: tuple[str, ...]
    values: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)

    def of(self, site: str) -> dict[str, Any]:
        """The attributes of ``site`` (none for a node that is not a site); ``None`` values left out."""
        row = self.values.get(site)
        return {} if row is None else {k: v for k, v in zip(self.names, row, strict=True) if v is not None}


def site_coverage(graph: CampaignGraph, as_of: Any = None) -> SiteCoverage:
    """Every site's coverage values and status as of ``as_of`` (default today).

    The answer of :func:`queries.coverage.coverage` for all sites (``company=None``: each site
    in its ultimate parent's group; ``status="all"``: closed and planned sites too), the rows
    ``campaign-graph coverage --format json --status all`` prints, reduced to the dimension
    columns and ``status``.

    >>> g = CampaignGraph(); _ = g.add_node("co", "Company", "Acme Steel")
    >>> _ = g.add_node("s", "Site", "Site A"); _ = g.add_edge("co", "s", "OPERATES")
    >>> c = site_coverage(g, "2024-01-01"); c.as_of, c.of("s")["union_presence"], c.of("s")["status"]
    ('2024-01-01', 'unknown', 'unknown')
    """
    from queries.coverage import coverage

    return coverage_of_rows(coverage(graph, None, as_of=as_of, status="all"))


def coverage_of_rows(df: Any) -> SiteCoverage:
    """The :class:`SiteCoverage` of coverage rows (a frame of :mod:`queries.coverage`: its
    dimension columns, ``status`` and ``attrs["as_of"]``)."""
    from queries.coverage import DIMENSIONS

    names = (*DIMENSIONS, "status")
    # many sites share one combination of values: each distinct tuple is kept once (at 500k
    # nodes the export builds a networkx graph of every node, so its extra memory counts)
    distinct: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    values: dict[str, tuple[Any, ...]] = {}
    for site, *row in zip(df["site_id"].tolist(), *(df[c].tolist() for c in names), strict=True):
        key = tuple(row)
        values[site] = distinct.setdefault(key, key)
    return SiteCoverage(str(df.attrs["as_of"]), names, values)


def to_networkx(graph: CampaignGraph, coverage: SiteCoverage | None = None) -> nx.MultiDiGraph:
    """A plain networkx copy for XML formats: lists joined, ``label`` added, metadata on the graph.

    With ``coverage``, each site node gets its coverage values and the graph its ``as_of``.

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
    if coverage is not None:
        out.graph["as_of"] = coverage.as_of
    for n, a in sorted(graph.nodes(), key=lambda x: x[0]):
        attrs = {p: flat(v) for p, v in a.items()}
        attrs["label"] = a.get("name", n)
        if coverage is not None:
            attrs.update(coverage.of(n))
        out.add_node(n, **attrs)
    for k, u, v, a in sorted(graph.edges(), key=lambda x: x[0]):
        out.add_edge(u, v, key=k, **{p: flat(x) for p, x in a.items()})
    return out


def write(graph: CampaignGraph, path: Path, *, as_of: Any = None) -> list[Path]:
    """Write ``graph`` as GraphML to ``path`` (atomically), sites with their coverage as of ``as_of``."""
    check_xml_safe(graph, "GraphML")
    g = to_networkx(graph, site_coverage(graph, as_of))
    with atomic_write(path, "w") as f:
        for line in nx.generate_graphml(g, encoding="utf-8", prettyprint=True, named_key_ids=False):
            f.write(line + "\n")
    return [Path(path)]
