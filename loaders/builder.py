"""The single builder that adds a loader's records to a graph.

Sources first, then nodes, then edges; a record the graph refuses becomes a row error at
its file/sheet/row/column and the load goes on, so good rows are never lost.
"""

from __future__ import annotations

from collections.abc import Callable

from graphmodel.errors import CampaignGraphError
from graphmodel.gcpause import paused_gc
from graphmodel.graph import CampaignGraph
from loaders.context import LoadContext, Location


def build(
    ctx: LoadContext,
    graph: CampaignGraph | None = None,
    *,
    merge: str = "error",
    progress: Callable[[int, int], None] | None = None,
) -> CampaignGraph:
    """Add everything ``ctx`` collected to ``graph`` (a new one if None) and return it.

    ``merge`` is passed to :meth:`CampaignGraph.add_node`: ``"error"`` reports a duplicate
    id with conflicting values as a row error (the first row wins). ``progress(done, total)``
    is called every few thousand records (for a progress bar).

    Examples
    --------
    >>> from graphmodel.records import NodeRecord
    >>> ctx = LoadContext()
    >>> ctx.emit_node(NodeRecord("am", "Company", "ArcelorMittal SA"))
    >>> build(ctx).number_of_nodes()
    1
    """
    with paused_gc():
        return _build(ctx, graph if graph is not None else CampaignGraph(), merge, progress)


def _build(
    ctx: LoadContext, graph: CampaignGraph, merge: str, progress: Callable[[int, int], None] | None
) -> CampaignGraph:
    for s in ctx.sources:
        graph.add_source(s)
    total, done = len(ctx.nodes) + len(ctx.edges), 0
    rejected: set[Location] = set()
    for rec, loc, columns in ctx.nodes:
        done += 1
        if progress is not None and done % 5000 == 0:
            progress(done, total)
        try:
            graph.add_node_record(rec, merge=merge)
            ctx.stats["nodes_added"] += 1
        except CampaignGraphError as e:
            ctx.error_at(loc, e.message, column=columns.get(e.column or "", e.column))
            if loc is not None:
                rejected.add(loc)
    for rec, loc, columns in ctx.edges:
        done += 1
        if progress is not None and done % 5000 == 0:
            progress(done, total)
        if loc is not None and loc in rejected:
            # an edge declared on a rejected node's row (a site's operator): the row loads nothing
            ctx.stats["edges_skipped_with_their_row"] += 1
            continue
        try:
            graph.add_edge_record(rec, merge=merge)
            ctx.stats["edges_added"] += 1
        except CampaignGraphError as e:
            ctx.error_at(loc, e.message, column=columns.get(e.column or "", e.column))
    if progress is not None:
        progress(total, total)
    return graph
