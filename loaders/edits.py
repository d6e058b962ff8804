"""An edits folder: research recorded in the workbench (``campaign-graph serve``, :mod:`exports.edits`).

It is a generic-tables folder (``nodes.csv``, ``edges.csv``, ``sources.csv``, read by
:mod:`loaders.tables` with all its rules) with a ``log.jsonl`` beside them (the operations:
who recorded, undid or redid which edit, when). The ``log.jsonl`` is what marks it; whatever
``--format`` says, such a folder is read by this rule (docs/formats.md "Edits folder"):

- its rows are applied after every other input of the load (and after companies are
  linked), in row order, so they restate what the sources said;
- a row that restates a node or edge replaces the values it gives (``merge="replace"``:
  ``union_status`` ``none`` -> ``present``); values it leaves empty are kept; lists
  (aliases, sources) are unioned;
- each value a row sets is pinned to the row's source (:mod:`graphmodel.provenance`), so a
  coverage reason cites the edit's source by its title as for any fact.

So loading the original sources plus the folder gives the graph the workbench shows.
"""

from __future__ import annotations

from pathlib import Path

from graphmodel.graph import CampaignGraph
from loaders import tables
from loaders.builder import build
from loaders.context import LoadContext

#: the file that marks an edits folder
LOG = "log.jsonl"


def sniff(path: Path) -> bool:
    """A folder with ``log.jsonl`` beside ``nodes.csv``."""
    return is_edits_folder(path)


def is_edits_folder(path: str | Path) -> bool:
    p = Path(path)
    return p.is_dir() and (p / LOG).is_file() and (p / "nodes.csv").is_file()


def load(path: str | Path, ctx: LoadContext) -> None:
    """Read the folder's tables into ``ctx`` (as :func:`loaders.tables.load`; :func:`apply` builds them)."""
    tables.load(path, ctx)


def apply_context(graph: CampaignGraph, ctx: LoadContext) -> CampaignGraph:
    """Add the records of an edits folder read into ``ctx`` to ``graph``: their values replace
    those they restate. Problems become ``ctx.errors`` at their file, row and column."""
    return build(ctx, graph, merge="replace")


def apply(graph: CampaignGraph, path: str | Path, ctx: LoadContext | None = None) -> LoadContext:
    """Apply the edits folder ``path`` to ``graph`` (in place); return the context (errors, counts)."""
    ctx = ctx if ctx is not None else LoadContext()
    load(path, ctx)
    apply_context(graph, ctx)
    return ctx
