"""Commands for campaign analysis: leverage, path, solidarity, diff.

Each command is a few lines over a function of ``queries/`` that notebooks call too;
output goes through ``exports.tables`` (terminal table, or CSV / JSON / XLSX files with
formula neutralisation).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pandas as pd

from exports.cli.common import (
    as_of_option,
    company_option,
    is_stdout,
    open_snapshot,
    status_option,
    write_output,
)
from exports.cli.common import output_option as shared_output_option
from exports.cli.neo4j_cmds import open_graph, snapshot_or_uri
from exports.cli.query_cmds import TABLE_ROWS, resolve_owner
from exports.cli.terminal import echo_table, echo_wrapped, wide_option
from graphmodel.errors import CampaignGraphError

FORMATS = ("table", "csv", "json", "xlsx")

format_choice = click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
    help="table prints to the terminal; csv/json print to stdout or write -o FILE; xlsx needs -o FILE.",
)
output_option = shared_output_option("File to write.", stream=True, default=None)


def _factors_text(f: Any) -> str:
    if not isinstance(f, dict):
        return "" if f is None else str(f)
    return "; ".join(f"{k}={v:g}" for k, v in f.items())


def _emit(df: pd.DataFrame, fmt: str, output: Path | None, table_columns: list[str]) -> None:
    """Print or write ``df`` in ``fmt`` through exports.tables."""
    from exports.tables import write_table

    if is_stdout(output):
        if fmt == "xlsx":
            raise CampaignGraphError("--format xlsx is a workbook, not a text stream: give -o FILE.xlsx")
        if fmt != "table":  # exactly the bytes -o FILE gets
            write_output(output, lambda path: write_table(df, path, fmt=fmt), f".{fmt}")
            return
        output = None
    if fmt == "table":
        if output is not None:
            write_table(df, output, fmt="csv")
            click.echo(f"wrote {len(df)} rows to {output}", err=True)
            return
        # explanations are folded under their rows, at the terminal's width
        echo_table(df, columns=[c for c in table_columns if c in df.columns], max_rows=TABLE_ROWS)
        return
    if output is None:
        if fmt == "xlsx":
            raise CampaignGraphError("--format xlsx needs -o FILE")
        import tempfile

        # write through write_table (formula neutralisation, exact columns), then print the file
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"out.{fmt}"
            write_table(df, path, fmt=fmt)
            click.echo(path.read_text(encoding="utf-8"), nl=False)
        return
    write_table(df, output, fmt=fmt)
    click.echo(f"wrote {len(df)} rows to {output}", err=True)


def _parse_weights(values: tuple[str, ...]) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in values:
        name, sep, number = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"expected NAME=NUMBER, got {item!r}", param_hint="--weight")
        try:
            out[name.strip()] = float(number)
        except ValueError:
            raise click.BadParameter(f"{name.strip()}: {number!r} is not a number", param_hint="--weight") from None
    return out


@click.command()
@snapshot_or_uri(exists=False)
@company_option()
@as_of_option
@click.option(
    "--weight", "weight", multiple=True, metavar="NAME=NUMBER",
    help="Override a score weight (a category such as finance=2, or a factor such as workers_capital=5). Repeatable.",
)
@click.option(
    "--us", "us", multiple=True, metavar="ORG",
    help="Your own organisation (name or id; repeatable): never scored as a lever against the company. "
         "Default: the snapshot's setting from `load --us`.",
)
@status_option
@format_choice
@output_option
def leverage(snapshot: Path, company: str, as_of: str | None, weight: tuple[str, ...], us: tuple[str, ...],
             status: frozenset[str], fmt: str, output: Path | None) -> None:
    """Leverage points against a company's group, scored and explained.

    Categories: internal_solidarity, agreements, supply_chain, finance, standards_and_law,
    bargaining_calendar, history. Every score is a weighted sum of the factors shown.
    Rows with an empty score follow the points: your own organisation (--us), left out,
    and each category with nothing to score, with the reason (e.g. no Country nodes loaded).

    Example: campaign-graph leverage out/sample.snapshot --company "Acme Holding" --us "Union A" --weight finance=2
    """
    from queries.leverage import leverage as run
    from queries.leverage import with_unscored

    graph = open_graph(snapshot, query="leverage", subject=company)
    df = run(graph, resolve_owner(graph, company, kinds=("Company",)), as_of=as_of, weights=_parse_weights(weight),
             us=us or snapshot_us(snapshot), status=status)
    engine = df.attrs.get("engine", "")
    points = len(df)
    df = with_unscored(df)
    df = df.assign(factors=df["factors"].map(_factors_text))
    _emit(df, fmt, output, ["category", "node", "score", "explanation"])
    if fmt == "table":
        root = df.attrs.get("company", "")
        ours = "; not scored (your organisation): " + ", ".join(o["name"] for o in df.attrs["us"]) if df.attrs.get("us") else ""
        click.echo(
            f"{points} leverage points for {graph.name_of(root)} [{root}] as of {df.attrs.get('as_of', '')}; "
            f"chokepoints computed with {engine}{ours}",
            err=True,
        )


def snapshot_us(snapshot: Path | str | None) -> list[str]:
    """The ``us`` setting of a snapshot folder (``[]`` for a server URI or a folder without it)."""
    from exports.cli.neo4j_cmds import is_bolt_uri
    from graphmodel.stores.snapshot import read_settings

    if snapshot is None or is_bolt_uri(snapshot):
        return []
    return [str(x) for x in read_settings(snapshot).get("us", [])]


@click.command()
@snapshot_or_uri(exists=False)
@click.argument("a")
@click.argument("b")
@click.option("--max-hops", default=6, show_default=True, type=click.IntRange(1, 20), help="Longest path reported.")
@click.option("-k", "k", default=3, show_default=True, type=click.IntRange(1, 100), help="How many paths.")
@click.option("--kind", "kinds", multiple=True, help="Edge kinds the path may use (repeatable); default all but LOCATED_IN and HOLDS_ROLE.")
@as_of_option
@format_choice
@output_option
def path(
    snapshot: Path, a: str, b: str, max_hops: int, k: int, kinds: tuple[str, ...], as_of: str | None, fmt: str,
    output: Path | None,
) -> None:
    """The K shortest paths between A and B, every hop explained in words.

    Example: campaign-graph path out/sample.snapshot "Union A" "Acme Holding" -k 3
    """
    from queries.connections import connections

    graph = open_graph(snapshot, query="path", subject=(a, b),
                       path_args={"max_hops": max_hops, "kinds": list(kinds) or None, "as_of": as_of})
    df = connections(graph, a, b, max_hops=max_hops, k=k, kinds=list(kinds) or None, as_of=as_of)
    if df.empty and fmt == "table":
        click.echo(f"no path of at most {max_hops} hops between {a!r} and {b!r}")
        return
    _emit(df, fmt, output, ["rank", "hops", "explanation"])


@click.command()
@snapshot_or_uri(exists=False)
@click.argument("union")
@as_of_option
@format_choice
@output_option
def solidarity(snapshot: Path, union: str, as_of: str | None, fmt: str, output: Path | None) -> None:
    """Unions UNION can reach through a group, supply chain, network, federation or agreement.

    One row per union and relation, explained in one line with names: group (a union at a
    site of the same ultimate parent's group), supply_chain (a union at a site or company
    that supplies, or is supplied by, UNION's workplace or its operator), network (the same
    union network, each side a member or affiliated to a federation that is), federation
    (UNION's federations, its affiliates and its sister unions), co_signed (a union that
    signed an agreement UNION or its federation signed; an expired agreement is named as
    expired, one signed after --as-of not at all). Only links in force at --as-of count.
    csv/json/xlsx add the ids: via (the nodes between) and evidence (the edges).

    Example: campaign-graph solidarity out/sample.snapshot "Union A"
    """
    from queries.connections import solidarity as run

    graph = open_graph(snapshot, query="solidarity", subject=union)
    df = run(graph, union, as_of=as_of)
    if df.empty and fmt == "table":
        click.echo(f"no union reachable from {union!r} through a group, supply chain, network, federation "
                   "or co-signed agreement")
        return
    _emit(df, fmt, output, ["union", "relation", "explanation"])


@click.command()
@click.argument("snap_a", type=click.Path(path_type=Path))
@click.argument("snap_b", type=click.Path(path_type=Path), required=False)
@click.option("--edits", "edits", type=click.Path(path_type=Path), default=None, metavar="DIR",
              help="A research edits folder (serve's): compare SNAP_B (or SNAP_A) with these edits applied.")
@as_of_option
@click.option(
    "--redact", is_flag=True,
    help="Compare redacted copies (no people, membership figures, contacts, notes, confidential sources): for wider audiences.",
)
@format_choice
@output_option
def diff(snap_a: Path, snap_b: Path | None, edits: Path | None, as_of: str | None, redact: bool, fmt: str,
         output: Path | None) -> None:
    """What changed from snapshot SNAP_A (before) to SNAP_B (after), property by property.

    SNAP_B may be a research edits folder (`serve`'s, SNAP_A.edits): then what the edits
    change in SNAP_A, as loading the sources plus the folder would (same as --edits DIR).
    The first line (on stderr for csv/json) summarises it for a briefing. Sensitive values
    appear in before/after unless --redact is given.

    Example: campaign-graph diff out/2024.snapshot out/2025.snapshot --redact
    """
    from loaders.edits import is_edits_folder
    from queries.diff import diff as run
    from queries.diff import diff_summary

    if snap_b is not None and is_edits_folder(snap_b):
        if edits is not None:
            raise CampaignGraphError("give the edits folder once: as SNAP_B or as --edits")
        snap_b, edits = None, snap_b
    if snap_b is None and edits is None:
        raise CampaignGraphError("give SNAP_B (a snapshot or an edits folder) or --edits DIR")
    a = open_snapshot(str(snap_a))
    b = open_snapshot(str(snap_b)) if snap_b is not None else a.copy()
    if edits is not None:
        from loaders.edits import apply

        if not is_edits_folder(edits):
            raise CampaignGraphError("not an edits folder (no log.jsonl beside nodes.csv)", file=str(edits))
        ctx = apply(b, edits)
        if ctx.errors:
            click.echo(f"{len(ctx.errors)} edit row(s) could not be applied; the first: {ctx.errors[0]}", err=True)
    if redact:
        from exports.redact import redact as redacted

        a, b = redacted(a), redacted(b)
    df = run(a, b)
    summary = diff_summary(df, as_of=as_of)
    if fmt == "table":  # above the table, at its width
        echo_wrapped(summary)
    else:
        click.echo(summary, err=True)
    if df.empty:
        return
    _emit(df, fmt, output, ["change", "element", "kind", "id", "property", "before", "after"])


# --wide of every table here (one shared option: exports.cli.terminal)
for _command in (leverage, path, solidarity, diff):
    wide_option(_command)
