"""The ``resolve`` command: entity resolution over a snapshot, with a review file."""

from __future__ import annotations

from pathlib import Path

import click

from exports.cli.common import echo_json, format_option, open_snapshot, output_option


@click.command()
@click.argument("snapshot", type=click.Path(path_type=Path))
@output_option("Snapshot folder for the resolved graph (default: replace SNAPSHOT).", stream=False, default=None)
@click.option("--review", type=click.Path(path_type=Path), default=None,
              help="Write the uncertain pairs here (CSV) for a researcher to mark accept / reject / renamed.")
@click.option("--decisions", type=click.Path(exists=True, path_type=Path), default=None,
              help="A review file with decisions filled in; applied before anything else, on every run.")
@click.option("--merges", type=click.Path(path_type=Path), default=None,
              help="Write every merge with its evidence here (CSV).")
@click.option("--threshold", type=click.FloatRange(0, 100), default=None,
              help="Fuzzy score (0-100) from which names merge without review (default: the library's).")
@format_option
def resolve(
    snapshot: Path,
    output: Path | None,
    review: Path | None,
    decisions: Path | None,
    merges: Path | None,
    threshold: float | None,
    fmt: str,
) -> None:
    """Merge companies that are one entity (shared LEI / QID / GEM id, same normalised name, near-identical name).

    Every merge is recorded with its evidence; uncertain pairs are not merged but go to
    the --review file. Edit its `decision` column (accept, reject, renamed + date) and
    feed it back with --decisions: the decisions apply again on every later run, so they
    survive reloading the sources.

    Example: campaign-graph resolve out/gem.snapshot --review review.csv --decisions review.csv
    """
    from graphmodel.atomic import atomic_write_text
    from graphmodel.stores.snapshot import read_settings, save_snapshot
    from loaders.resolution import DEFAULT_THRESHOLD
    from loaders.resolution import resolve as run_resolve

    graph = open_snapshot(str(snapshot))
    report = run_resolve(graph, threshold=threshold if threshold is not None else DEFAULT_THRESHOLD, decisions=decisions)
    target = output or snapshot
    save_snapshot(graph, target, settings=read_settings(snapshot))
    if review is not None:
        report.write_review(review)
    if merges is not None:
        atomic_write_text(merges, report.merges_frame().to_csv(index=False))
    summary = report.summary()
    if fmt == "json":
        echo_json({**summary, "snapshot": str(target), "skipped_decisions": report.skipped_decisions})
        return
    by = ", ".join(f"{k} {v}" for k, v in summary["merged_by"].items()) or "none"
    click.echo(
        f"{summary['companies_before']} companies -> {summary['companies_after']}: "
        f"{summary['merged']} merged ({by}); {summary['for_review']} pair(s) for review; "
        f"{summary['renamings']} renaming(s); written to {target}"
    )
    if review is not None:
        click.echo(f"review file: {review} (fill in the decision column, then pass it with --decisions)")
    for s in report.skipped_decisions[:10]:
        click.echo(f"  decision skipped: {s}", err=True)
