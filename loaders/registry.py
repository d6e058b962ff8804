"""The list of loaders, format guessing, and loading files into a graph."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType

from graphmodel import schema
from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.values import parse_list
from loaders.builder import build
from loaders.context import LoadContext

#: format name -> module. Order matters for guessing: the first whose ``sniff`` says yes wins.
FORMATS: dict[str, str] = {
    "edits": "loaders.edits",
    "tables": "loaders.tables",
    "workbook": "loaders.workbook",
    "gem-steel": "loaders.gem_steel",
    "gem-units": "loaders.gem_steel_units",
    "gem-iron-ore": "loaders.gem_iron_ore",
    "gem-coal": "loaders.gem_coal",
    "agreements": "loaders.agreements",
    "company-history": "loaders.company_history",
    "gem": "loaders.gem",
    "bods": "loaders.bods",
    "gleif": "loaders.gleif",
    "ftm": "loaders.ftm",
    "wikidata": "loaders.wikidata",
}


def loader(fmt: str) -> ModuleType:
    """The loader module for ``fmt``."""
    if fmt not in FORMATS:
        raise CampaignGraphError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    return importlib.import_module(FORMATS[fmt])


def guess_format(path: str | Path) -> str:
    """The first format whose loader recognises ``path``."""
    p = Path(path)
    if not p.exists():
        raise CampaignGraphError("no such file or folder", file=str(p))
    for fmt in FORMATS:
        mod = loader(fmt)
        sniff: Callable[[Path], bool] | None = getattr(mod, "sniff", None)
        if sniff is not None and sniff(p):
            return fmt
    raise CampaignGraphError(f"cannot tell the format of this file; give --format ({', '.join(FORMATS)})", file=str(p))


def expand(paths: Iterable[str | Path], fmt: str | None = None) -> tuple[list[Path], list[Path]]:
    """The files to load for ``paths``, and the files left aside as not data.

    A folder that is itself a format (a table folder) stays one path; any other folder stands
    for the files in it (and its subfolders, in name order) that a loader recognises, so
    ``load data/`` or ``load data/agreements`` does what it says. Files no loader recognises
    inside such a folder (README, notes, checksums, licences) are left aside and listed.
    """
    out: list[Path] = []
    aside: list[Path] = []
    for path in paths:
        p = Path(path)
        if fmt is not None or not p.is_dir():
            out.append(p)
            continue
        try:
            guess_format(p)
        except CampaignGraphError:
            for f in sorted(q for q in p.rglob("*") if q.is_file()):
                if any(part.startswith(".") for part in f.relative_to(p).parts):
                    continue
                try:
                    guess_format(f)
                except CampaignGraphError:
                    aside.append(f)
                else:
                    out.append(f)
            if not any(q.is_relative_to(p) for q in out):
                raise CampaignGraphError(
                    f"no file in this folder is in a format the tool reads; give --format ({', '.join(FORMATS)})",
                    file=str(p),
                ) from None
        else:
            out.append(p)
    return out, aside


def load_paths(
    paths: Iterable[str | Path],
    *,
    fmt: str | None = None,
    strict: bool = False,
    graph: CampaignGraph | None = None,
    merge: str = "error",
    progress: Callable[[int, int], None] | None = None,
    fast: bool = True,
    link: bool = True,
) -> tuple[CampaignGraph, LoadContext]:
    """Load files into a graph; return it with the context (errors, counts, unused columns).

    With ``link`` (the default) companies named the same safe way are linked after the build
    (:func:`loaders.linking.link_companies`); what was linked and what was not is ``ctx.links``.

    With ``strict`` the first problem raises :class:`CampaignGraphError`; otherwise bad
    rows are reported in ``ctx.errors`` and good rows load. ``fast=False`` forces the
    row-by-row path even for one table folder (the column-wise path gives the same result).

    Examples
    --------
    >>> g, ctx = load_paths(["examples/sample"])  # doctest: +SKIP
    """
    paths, aside = expand(paths, fmt)
    # an edits folder (its log.jsonl marks it, whatever fmt says) is applied last, its values
    # replacing those they restate (loaders.edits)
    from loaders.edits import apply_context, is_edits_folder

    edits = [Path(p) for p in paths if is_edits_folder(p)]
    paths = [p for p in paths if not is_edits_folder(p)]
    if edits:
        g, ctx = (load_paths(paths, fmt=fmt, strict=strict, graph=graph, merge=merge, progress=progress, fast=fast,
                             link=link) if paths else (graph if graph is not None else CampaignGraph(), LoadContext(strict=strict)))
        for folder in edits:
            ectx = LoadContext(strict=strict, load_date=ctx.load_date)
            loader("edits").load(folder, ectx)
            apply_context(g, ectx)
            _fold(ctx, ectx)
        return g, ctx
    if fast and len(paths) == 1 and graph is None and merge == "error" and not strict:
        p = Path(paths[0])
        if (fmt or guess_format(p)) == "tables" and p.is_dir():
            # one table folder into a new graph: the column-wise path gives the same graph and
            # report much faster, or None for anything unusual (then the row path below runs)
            from loaders._fast_tables import load_tables_fast

            done = load_tables_fast(p, progress=progress)
            if done is not None:
                if link:
                    _link(*done)
                return done
    ctx = LoadContext(strict=strict)
    for f in aside:
        ctx.warnings.append(f"{f}: not a data file this tool reads; left aside")
    for path in paths:
        p = Path(path)
        f = fmt or guess_format(p)
        if not p.exists():
            raise CampaignGraphError("no such file or folder", file=str(p))
        loader(f).load(p, ctx)
    if graph is not None:
        follow_links(graph, ctx)
    g = build(ctx, graph, merge=merge, progress=progress)
    if link:
        _link(g, ctx)
    return g, ctx


def load_onto(
    graph: CampaignGraph,
    paths: Iterable[str | Path],
    *,
    fmt: str | None = None,
    strict: bool = False,
    progress: Callable[[int, int], None] | None = None,
    link: bool = True,
) -> tuple[CampaignGraph, LoadContext]:
    """Add ``paths`` to ``graph``, a graph an earlier load made (a snapshot's): the same rules,
    linking and report as a fresh load of them, in place; return the graph and the context
    (whose errors, counts and links are the new files' alone).

    The graph's nodes and edges come first, as the earlier files would in a full reload, so a
    value the new files restate differently is a row error at its file/row/column and the
    earlier value stays; sources, aliases and origins are unioned (every value keeps the source
    that set it). A row that names an id linked at load into another company
    (:func:`follow_links`) goes to that company. Companies are then linked over the whole
    graph as after a fresh load. Loading the earlier files and the new ones afresh gives the
    same graph (docs/research-loop.md says where it cannot).

    Examples
    --------
    >>> g, _ = load_paths(["examples/sample"])  # doctest: +SKIP
    >>> g, ctx = load_onto(g, ["planner.xlsx"])  # doctest: +SKIP
    """
    return load_paths(paths, fmt=fmt, strict=strict, graph=graph, progress=progress, link=link)


def follow_links(graph: CampaignGraph, ctx: LoadContext) -> None:
    """Point the records of ``ctx`` that name an id linked into another company (a kept node's
    ``linked_ids``) at that company, in place.

    A fresh load links after building: a row naming ``co-arcelormittal`` builds that node, which
    linking then folds into ``E100000000687`` (its name becomes an alias, its edges move). Added
    to a graph that was linked already, the same row meets the kept node instead: its edges go
    there, a company row's name other than the kept one's becomes an alias, and a network's
    ``company`` follows (as :func:`loaders.resolution.resolve` moves it).
    """
    into: dict[str, str] = {}
    for n, a in graph.nodes("Company"):
        for old in a.get("linked_ids") or ():
            into.setdefault(old, n)
    if not into:
        return
    for rec, _loc, _cols in ctx.nodes:
        company = rec.props.get("company")
        if isinstance(company, str) and company in into and schema.canonical_node_kind(rec.kind) == "UnionNetwork":
            rec.props = {**rec.props, "company": into[company]}
        keep = into.get(rec.id)
        if keep is None or graph.kind_of(keep) != schema.canonical_node_kind(rec.kind):
            continue
        rec.id = keep
        if rec.name is not None and rec.name != graph.name_of(keep):
            rec.props = {**rec.props, "aliases": [*parse_list(rec.props.get("aliases") or []), rec.name]}
            rec.name = None
    for erec, _loc, _cols in ctx.edges:
        erec.source = into.get(erec.source, erec.source)
        erec.target = into.get(erec.target, erec.target)


def _fold(into: LoadContext, ctx: LoadContext) -> None:
    """Add what a second context read and found (an edits folder's) to the load's context."""
    into.sources.extend(ctx.sources)
    into.nodes.extend(ctx.nodes)
    into.edges.extend(ctx.edges)
    into.errors.extend(ctx.errors)
    into.warnings.extend(ctx.warnings)
    into.stats.update(ctx.stats)
    into.rows_read.update(ctx.rows_read)
    for k, rows in ctx.rows_rejected.items():
        into.rows_rejected.setdefault(k, set()).update(rows)
    into.set_aside.extend(ctx.set_aside)


def _link(graph: CampaignGraph, ctx: LoadContext) -> None:
    from loaders.linking import link_companies

    ctx.links = link_companies(graph)
