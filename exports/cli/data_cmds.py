"""Commands that bring data in and look at it: load, info, find, validate."""

from __future__ import annotations

from pathlib import Path

import click

from exports.cli.common import (
    OneLineUsageError,
    echo_json,
    format_option,
    open_snapshot,
    output_option,
    progress,
)
from graphmodel.errors import CampaignGraphError
from graphmodel.stores.snapshot import (
    MANIFEST,
    check_snapshot,
    read_manifest,
    save_snapshot,
    validation_summary,
)
from loaders.registry import FORMATS, load_paths


def _error_rows(errors: list[CampaignGraphError]) -> list[dict]:
    return [e.as_dict() for e in errors]


def _print_errors(errors: list[CampaignGraphError], limit: int = 50) -> None:
    for e in errors[:limit]:
        click.echo(f"  {e}", err=True)
    if len(errors) > limit:
        click.echo(f"  ... and {len(errors) - limit} more (use --format json for all)", err=True)


@click.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@output_option("Snapshot folder to write (a new folder, or a snapshot to replace; never the snapshot being added to).",
               stream=False, required=True)
@click.option(
    "--format", "fmt", type=click.Choice(sorted(FORMATS)), default=None,
    help="Source format (guessed from the files when not given).",
)
@click.option("--strict", is_flag=True, help="Fail on the first bad row instead of reporting and skipping it.")
@click.option("--report", type=click.Path(path_type=Path), help="Write the full load report (JSON) here.")
@click.option("--us", "us", multiple=True, metavar="ORG",
              help="Your own organisation (name or id; repeatable), kept in the snapshot's settings: "
                   "leverage and brief never score it as a lever against a company. When adding to a "
                   "snapshot, the snapshot's own setting is kept unless this is given.")
@click.option("--no-link", "no_link", is_flag=True,
              help="Do not link companies named the same way by different sources (see below).")
def load(sources: tuple[Path, ...], output: Path, fmt: str | None, strict: bool, report: Path | None,
         us: tuple[str, ...], no_link: bool) -> None:
    """Load SOURCES (table folders, workbooks, public datasets) into a snapshot folder.

    Bad rows are reported with file, sheet, row and column and skipped; the good rows load.
    Exit code 1 when --strict and anything is wrong.

    Companies are linked into one node when they share an identifier, or their names are
    the same up to case, punctuation and legal form and nothing contradicts it
    ("ArcelorMittal" = "ArcelorMittal SA"); names that fit several companies are listed, not
    linked. The report's "links" and "unlinked" say which. `resolve` does the rest.

    Adding research to a snapshot: when the first of SOURCES is a snapshot folder, the other
    sources are added to it and the result is written to -o, a folder other than that
    snapshot (which stays as it was). The same rules, linking and report as a fresh load:
    a value a new row states differently from the snapshot is a problem at its row and the
    snapshot's value stays; every value keeps the source that set it. The result equals a
    fresh load of the snapshot's files and the new ones (see docs/research-loop.md).

    Example: campaign-graph load examples/sample -o out/sample.snapshot --us "IndustriALL Global Union"

    Example: campaign-graph load out/sample.snapshot planner.xlsx -o out/sample-2.snapshot
    """
    from queries.leverage import resolve_us

    base, new = _split_snapshot(sources, output)
    before: tuple[int, int] | None = None
    settings: dict = {}
    whole = False
    with progress("loading") as update:
        if base is None:
            graph, ctx = load_paths(new, fmt=fmt, strict=strict, progress=update, link=not no_link)
        else:
            from graphmodel.stores.snapshot import read_settings
            from loaders.registry import load_onto

            graph = open_snapshot(str(base))
            settings, whole = dict(read_settings(base)), _sensitive_present(base)
            before = (graph.number_of_nodes(), graph.number_of_edges())
            graph, ctx = load_onto(graph, new, fmt=fmt, strict=strict, progress=update, link=not no_link)
    if us or base is None:  # --us given, or a fresh load: before writing anything (an unknown name writes nothing)
        ours = resolve_us(graph, us)
        settings.pop("us", None)
        if ours:
            settings["us"] = ours
    else:  # added to a snapshot without --us: the snapshot's own setting stays
        ours = list(settings.get("us") or [])
    public = None
    if whole:  # a split snapshot stays split: its sensitive part goes to its own file again
        from exports.redact import redact

        public = redact(graph)
    manifest = save_snapshot(graph, output, settings=settings or None, public=public)
    summary = ctx.summary()
    if before is None:
        click.echo(
            f"loaded {manifest['counts']['nodes']} nodes and {manifest['counts']['edges']} edges "
            f"from {summary['rows_read']} rows into {output}"
        )
        for kind, n in manifest["counts"]["by_kind"]["nodes"].items():
            click.echo(f"  {kind}: {n}")
    else:
        n, e = graph.number_of_nodes(), graph.number_of_edges()
        click.echo(
            f"added {summary['rows_read']} rows of {len(new)} source(s) to {base} ({before[0]} nodes, {before[1]} edges): "
            f"{n - before[0]:+d} nodes, {e - before[1]:+d} edges; wrote {output} ({n} nodes, {e} edges)"
        )
        for kind, count in graph.counts_by_kind()["nodes"].items():
            click.echo(f"  {kind}: {count}")
        if whole:
            click.echo(f"  the snapshot was split: the sensitive part is {manifest['sensitive']['path']} again")
    if ours:
        click.echo(f"  your organisation (never scored as a lever): {', '.join(f'{graph.name_of(o)} [{o}]' for o in ours)}")
    if ctx.errors:
        click.echo(f"{len(ctx.errors)} problem(s); {summary['rows_rejected']} row(s) rejected:", err=True)
        _print_errors(ctx.errors)
    for file, cols in ctx.unused_columns.items():
        click.echo(f"  note: {file}: {len(cols)} column(s) not used: {', '.join(cols[:12])}{' ...' if len(cols) > 12 else ''}")
    stats = summary["stats"]
    merged = stats.get("node_rows_merged", 0) + stats.get("edge_rows_merged", 0)
    if merged:
        click.echo(f"  merged: {merged} row(s) restated a node or edge already loaded (one record, sources of all rows kept)")
    if ctx.warnings:
        click.echo(f"  {len(ctx.warnings)} warning(s) (kept values, unassigned parents...){'; see --report' if report is None else ''}")
    links = ctx.links.as_dict() if ctx.links is not None else {"links": [], "unlinked": []}
    if ctx.links is not None:
        _print_links(links)
    if report is not None:
        import json

        from graphmodel.atomic import atomic_write_text

        atomic_write_text(report, json.dumps({**summary, "errors": _error_rows(ctx.errors), "warnings": ctx.warnings,
                                              **links}, indent=2, default=str))


def _is_snapshot(path: Path) -> bool:
    return path.is_dir() and (path / MANIFEST).is_file()


def _split_snapshot(sources: tuple[Path, ...], output: Path) -> tuple[Path | None, list[Path]]:
    """The snapshot to add to (the first of ``sources`` when it is one) and the sources to load."""
    later = next((p for p in sources[1:] if _is_snapshot(p)), None)
    if later is not None:
        raise CampaignGraphError("a snapshot can only come first (load SNAPSHOT NEW_SOURCES... -o OUT); "
                                 "to combine two snapshots, load the files each was made from", file=str(later))
    if not _is_snapshot(sources[0]):
        return None, list(sources)
    base = sources[0]
    read_manifest(base)  # a folder with a manifest that is not a snapshot's: one line, here
    if len(sources) == 1:
        raise CampaignGraphError("give the sources to add after the snapshot (load SNAPSHOT NEW_SOURCES... -o OUT)",
                                 file=str(base))
    if output.resolve() == base.resolve():
        raise CampaignGraphError("-o names the snapshot being added to: write to another folder "
                                 "(the snapshot stays as it was, to compare or go back to)", file=str(output))
    return base, list(sources[1:])


def _sensitive_present(folder: Path, manifest: dict | None = None) -> bool:
    """A split snapshot whose sensitive file is there (it loads as the whole graph)."""
    entry = (manifest if manifest is not None else read_manifest(folder)).get("sensitive")
    return (isinstance(entry, dict) and isinstance(entry.get("path"), str)
            and (folder / Path(entry["path"]).name).is_file())


def _print_links(links: dict, limit: int = 10) -> None:
    made, left = links["links"], links["unlinked"]
    click.echo(f"  linked: {len(made)} company record(s) into the company they name (same identifier or name)")
    for x in made[:limit]:
        click.echo(f"    {x['drop_name']} [{x['drop']}] -> {x['keep_name']} [{x['keep']}] ({x['how']})")
    if len(made) > limit:
        click.echo(f"    ... and {len(made) - limit} more (see --report)")
    if left:
        click.echo(f"  not linked: {len(left)} name(s) that fit several companies or differ in country or legal form:")
        for u in left[:limit]:
            cands = " / ".join(f"{c['name']} [{c['id']}]" for c in u["candidates"])
            click.echo(f"    {u['name']} [{u['id']}] -> {cands}")
        if len(left) > limit:
            click.echo(f"    ... and {len(left) - limit} more (see --report; `campaign-graph resolve` decides them)")


@click.command()
@click.argument("snapshot", type=click.Path(path_type=Path))
@format_option
def info(snapshot: Path, fmt: str) -> None:
    """Show what a snapshot holds: counts by kind, sources, validation summary."""
    manifest = read_manifest(snapshot)
    whole = _sensitive_present(snapshot, manifest)
    saved = None
    if not whole:  # the validation made at save describes what is loaded (a split snapshot's is the public part)
        manifest, sources, counted = check_snapshot(snapshot)  # hash- and schema-checked, no graph built
        saved = validation_summary(snapshot, manifest)
    if saved is not None:
        errors, n_nodes, n_edges, counts = saved, counted["nodes"], counted["edges"], counted["by_kind"]
    else:  # an older snapshot, or a split one with its sensitive file: validate now
        graph = open_snapshot(str(snapshot))
        errors, sources = graph.validate(), graph.sources
        n_nodes, n_edges, counts = graph.number_of_nodes(), graph.number_of_edges(), graph.counts_by_kind()
    if fmt == "json":
        echo_json(
            {
                "nodes": n_nodes,
                "edges": n_edges,
                "by_kind": counts,
                "sources": [s.as_dict() for _, s in sorted(sources.items()) if not s.confidential]
                + [{"id": s.id, "confidential": True} for _, s in sorted(sources.items()) if s.confidential],
                "created": manifest.get("created"),
                "content_hash": manifest.get("content_hash"),
                "errors": _error_rows(errors),
            }
        )
        return
    click.echo(f"snapshot {snapshot} (created {manifest.get('created')}, hash {manifest.get('content_hash', '')[:12]})")
    click.echo(f"{n_nodes} nodes, {n_edges} edges, {len(sources)} sources")
    click.echo("nodes by kind:")
    for k, n in counts["nodes"].items():
        click.echo(f"  {k:<14} {n}")
    click.echo("edges by kind:")
    for k, n in counts["edges"].items():
        click.echo(f"  {k:<14} {n}")
    click.echo("sources:")
    for sid, s in sorted(sources.items()):
        label = "(confidential)" if s.confidential else f"{s.title} {('— ' + s.licence) if s.licence else ''}"
        click.echo(f"  {sid}: {label}")
    click.echo(f"validation: {'ok' if not errors else f'{len(errors)} problem(s)'}")
    _print_errors(errors)


@click.command()
@click.argument("snapshot", type=click.Path(path_type=Path))
@click.argument("name")
@click.option("--kind", default=None, help="Only nodes of this kind (Company, Site, Union...).")
@format_option
def find(snapshot: Path, name: str, kind: str | None, fmt: str) -> None:
    """Find nodes by name, alias, former name or identifier (LEI, QID, GEM id).

    Case, accents, punctuation and legal forms are ignored: "ArcelorMittal S.A." finds
    "ArcelorMittal SA"; an old name finds the renamed company.
    """
    graph = open_snapshot(str(snapshot))
    matches = graph.find(name, kind)
    if fmt == "json":
        echo_json([m.__dict__ for m in matches])
        return
    if not matches:
        raise CampaignGraphError(f"nothing matches {name!r}")
    for m in matches:
        extra = "" if m.how in ("id", "name") else f" (matched {m.how.replace('_', ' ')})"
        click.echo(f"{m.id}\t{m.kind}\t{m.name}{extra}")


#: what ``validate --format`` accepts besides the source formats: the report's formats
_REPORT_FORMATS = ("text", "json")


@click.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format", "formats", multiple=True, type=click.Choice([*sorted(FORMATS), *_REPORT_FORMATS]),
    metavar="FORMAT",
    help="The format of SOURCES, as load's --format (guessed from the files when not given: "
         f"{', '.join(sorted(FORMATS))}), and/or of this report: text (the default) or json. "
         "Give it twice for both, e.g. --format gem-coal --format json.",
)
@click.option("--source-format", "fmt", type=click.Choice(sorted(FORMATS)), default=None, hidden=True,
              help="Deprecated: say --format.")
@click.option("--against", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              metavar="SNAPSHOT",
              help="Check SOURCES as added to SNAPSHOT (as `load SNAPSHOT SOURCES -o OUT` would add them): "
                   "ids the snapshot holds count as known (ids linked into a company at load too), companies "
                   "named as the snapshot's are linked to them as at load, and a value stated differently "
                   "from the snapshot's is a problem.")
def validate(sources: tuple[Path, ...], formats: tuple[str, ...], fmt: str | None, against: Path | None) -> None:
    """Check SOURCES without writing anything; list every problem at file/sheet/row/column.

    With --against SNAPSHOT the sources are checked as additions to that snapshot: a filled
    planner's workbook that cites GEM ids of the snapshot's sites and companies is clean,
    while an id neither the workbook nor the snapshot holds is still one line naming the
    file, sheet, row and column.

    Exit code 0 when clean, 1 when any problem was found.

    Example: campaign-graph validate planner.xlsx --against out/sample.snapshot
    """
    deprecated = fmt is not None
    source_fmts = [f for f in formats if f not in _REPORT_FORMATS]
    report_fmts = [f for f in formats if f in _REPORT_FORMATS]
    if fmt is not None:
        source_fmts.append(fmt)
    if len(set(source_fmts)) > 1 or len(set(report_fmts)) > 1:
        raise OneLineUsageError("--format: give at most one source format and one report format (text or json)")
    fmt = source_fmts[0] if source_fmts else None
    out_fmt = report_fmts[0] if report_fmts else "text"
    if against is None:
        graph, ctx = load_paths(sources, fmt=fmt)
        before = {"nodes": {}, "edges": {}}
        n0 = e0 = 0
    else:
        from loaders.registry import load_onto

        graph = open_snapshot(str(against))
        before = graph.counts_by_kind()
        n0, e0 = graph.number_of_nodes(), graph.number_of_edges()
        graph, ctx = load_onto(graph, sources, fmt=fmt)
    counts = graph.counts_by_kind()
    if against is not None:  # what the sources add (linking may fold some of them into the snapshot's)
        counts = {what: {k: n - before[what].get(k, 0) for k, n in by.items() if n != before[what].get(k, 0)}
                  for what, by in counts.items()}
    n_nodes, n_edges = graph.number_of_nodes() - n0, graph.number_of_edges() - e0
    if out_fmt == "json":
        out = {
            "nodes": n_nodes,
            "edges": n_edges,
            "by_kind": counts,
            "rows_read": ctx.summary()["rows_read"],
            "rows_rejected": ctx.summary()["rows_rejected"],
            "errors": _error_rows(ctx.errors),
            "warnings": ctx.warnings,
            "set_aside": ctx.set_aside,
        }
        if against is not None:
            out["against"] = {"snapshot": str(against), "nodes": graph.number_of_nodes(),
                              "edges": graph.number_of_edges()}
        echo_json(out)
    else:
        if against is None:
            click.echo(f"{n_nodes} nodes and {n_edges} edges would load")
        else:
            click.echo(f"{n_nodes} nodes and {n_edges} edges would be added to {against} "
                       f"(then {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)")
        if ctx.errors:
            click.echo(f"{len(ctx.errors)} problem(s):", err=True)
            _print_errors(ctx.errors, limit=1000)
        else:
            click.echo("no problems found")
        if ctx.warnings:  # cells set aside or kept as other: the rows load
            click.echo(f"{len(ctx.warnings)} warning(s) (the rows load):", err=True)
            for w in ctx.warnings[:1000]:
                click.echo(f"  {w}", err=True)
    if ctx.errors:
        raise SystemExit(1)
    if deprecated:  # after a clean run only: a failing one ends with its problems or its one error line
        click.echo("note: --source-format is deprecated: say --format (as load does); it will go in a later release",
                   err=True)
