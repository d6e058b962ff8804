"""Commands that draw the graph for people: map, geo, brief.

Each writes exactly the file named with ``-o`` (atomically) and nothing else.
"""

from __future__ import annotations

from pathlib import Path

import click

from exports.cli.common import (
    as_of_option,
    company_option,
    is_stdout,
    open_snapshot,
    output_option,
    status_option,
    write_output,
)
from exports.cli.query_cmds import resolve_owner
from graphmodel.errors import CampaignGraphError

snapshot_arg = click.argument("snapshot", type=click.Path(path_type=Path))
redact_option = click.option(
    "--redact", is_flag=True,
    help="Drop people, contacts, membership figures, confidential notes and sources; the output says so.",
)


def _output_option(suffixes: tuple[str, ...]) -> click.Option:
    return output_option(f"File to write ({' or '.join(suffixes)}).", dash="'-' writes the HTML page to standard output.",
                         stream=True, required=True, dir_okay=False)


def _check_suffix(output: Path, suffixes: tuple[str, ...]) -> str:
    if is_stdout(output):
        return ".html"
    suffix = output.suffix.lower()
    if suffix not in suffixes:
        raise CampaignGraphError(f"{output}: the output must end in {' or '.join(suffixes)}")
    if output.exists() and output.is_dir():
        raise CampaignGraphError(f"{output} is a folder; name a file")
    return suffix


@click.command(name="map")
@snapshot_arg
@company_option(required=False, absent="the roots of the 25 largest groups by sites, unless --around names a focus")
@click.option("--around", default=None, help="Show the neighbourhood of this node (any kind).")
@click.option("--hops", default=2, show_default=True, type=click.IntRange(0, 10), help="Links to follow with --around.")
@click.option("--query", type=click.Choice(["coverage", "leverage"]), default=None,
              help="Show a query's result for --company.")
@as_of_option
@click.option("--max-nodes", default=400, show_default=True, type=click.IntRange(1, 1_000_000),
              help="Cut larger views to this many nodes (nearest the focus); the page says what was left out.")
@click.option("--coverage/--no-coverage", "coverage_status", default=True, show_default=True,
              help="Colour sites by coverage status.")
@click.option("--colour", "colour", type=click.Choice(["coverage", "exposure"]), default="coverage",
              show_default=True, help="Colour sites by coverage, or by transition exposure (closure, conversion; "
                                      "needs --company).")
@status_option
@redact_option
@_output_option((".html",))
def map_cmd(snapshot: Path, company: str | None, around: str | None, hops: int, query: str | None,
            as_of: str | None, max_nodes: int, coverage_status: bool, colour: str, status: frozenset[str],
            redact: bool, output: Path) -> None:
    """Write an interactive network map: one HTML file that works offline.

    Without --company or --around, the map shows the ultimate parents of the 25 largest groups
    by sites (hover one for its count), to choose a --company from.

    Readable as opened: the focus and its neighbours are labelled at 13 px or more (the focus 16 px),
    other labels appear as you zoom in; the legend lists each colour and line style drawn; hover a
    node or line for its facts and sources. See docs/maps.md.

    Example: campaign-graph map snap --company "Acme Steel" -o acme.html
    """
    from exports.netmap import write_map

    _check_suffix(output, (".html", ".htm"))
    graph = open_snapshot(str(snapshot))
    if company is not None:
        company = resolve_owner(graph, company, kinds=("Company",))
    view = write_output(output, lambda path: write_map(
        graph, path, redact_output=redact, company=company, around=around, hops=hops, query=query, as_of=as_of,
        max_nodes=max_nodes, coverage_status=coverage_status, status=status, colour=colour), ".html")
    err = is_stdout(output)  # the page is on stdout: the summary goes to stderr
    click.echo(f"wrote {output}: {len(view.nodes)} nodes, {len(view.edges)} links", err=err)
    if view.omitted:
        click.echo(f"  {view.omitted_total} node(s) left out (raise --max-nodes or narrow the view)", err=err)
    if company is None and around is None:
        click.echo(f"  no focus: the {len(view.nodes)} largest groups by sites; "
                   "name one with --company NAME (or --around NAME)", err=err)


@click.command(name="geo")
@snapshot_arg
@company_option()
@as_of_option
@status_option
@click.option("--colour", "colour", type=click.Choice(["coverage", "exposure"]), default="coverage",
              show_default=True, help="Colour sites by coverage, or by transition exposure (closure, conversion).")
@redact_option
@_output_option((".html", ".png"))
def geo_cmd(snapshot: Path, company: str, as_of: str | None, status: frozenset[str], colour: str, redact: bool,
            output: Path) -> None:
    """Draw a group's sites on a world map coloured by coverage or exposure (HTML or PNG; works offline).

    Example: campaign-graph geo snap --company "Acme Steel" -o sites.html
    """
    from exports.geo import write_geo

    _check_suffix(output, (".html", ".htm", ".png"))
    graph = open_snapshot(str(snapshot))
    company = resolve_owner(graph, company, kinds=("Company",))
    points = write_output(output, lambda path: write_geo(graph, company, path, as_of=as_of, redact_output=redact,
                                                          status=status, colour=colour), ".html")
    drawn = sum(1 for p in points if p.placed)
    click.echo(f"wrote {output}: {drawn} of {len(points)} sites drawn", err=is_stdout(output))


@click.command(name="brief")
@snapshot_arg
@company_option()
@as_of_option
@status_option
@redact_option
@click.option("--us", "us", multiple=True, metavar="ORG",
              help="Your own organisation (name or id; repeatable): never scored as a lever. "
                   "Default: the snapshot's setting from `load --us`.")
@_output_option((".html", ".md"))
def brief_cmd(snapshot: Path, company: str, as_of: str | None, status: frozenset[str], redact: bool,
              us: tuple[str, ...], output: Path) -> None:
    """Write a one-page briefing on a company's group (HTML or Markdown).

    Ownership tree, sites with coverage (unknown apart from not covered), summaries by
    country and commodity with charts, leverage points (with the categories that had
    nothing to score, and your own organisation left out), bargaining calendar, a small
    map, and the sources of the facts shown with their licences. Countries are named
    with their codes ("Germany (DE)"). A briefing that cites sources marked confidential
    says so at the top and marks them in its source list; --redact leaves them out.

    `-o FILE.html` writes one self-contained page (charts embedded, works offline).
    `-o FILE.md` writes the Markdown text and its map and charts as PNG files in
    FILE-charts/ beside it, linked relatively (hand on both); a rerun replaces the
    charts it wrote and touches no other file there.

    Example: campaign-graph brief snap --company "Acme Steel" -o out/acme.md
    """
    from exports.brief import charts_folder, write_brief
    from graphmodel.stores.snapshot import read_manifest

    _check_suffix(output, (".html", ".htm", ".md"))
    graph = open_snapshot(str(snapshot))
    created = str(read_manifest(snapshot).get("created") or "")[:10] or None
    company = resolve_owner(graph, company, kinds=("Company",))
    from exports.cli.analysis_cmds import snapshot_us

    b = write_output(output, lambda path: write_brief(graph, company, path, as_of=as_of, data_date=created,
                                                      redact_output=redact, status=status,
                                                      us=us or snapshot_us(snapshot)), ".html")
    charts = "" if is_stdout(output) or output.suffix.lower() != ".md" else f"; charts in {charts_folder(output)}/"
    click.echo(f"wrote {output}: {len(b.sites)} sites, {len(b.group)} companies, {len(b.leverage)} leverage points"
               + (" (redacted)" if redact else "") + charts, err=is_stdout(output))
