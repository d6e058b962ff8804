"""Commands that ask the planner's questions: group, parent, coverage, calendar.

Each is a few lines over a function in ``queries/`` (which notebooks call the same way);
tables go to the terminal (rich) or to a file with ``--format csv|json|xlsx -o FILE``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
import pandas as pd

from exports.cli.common import (
    as_of_option,
    company_hint,
    company_option,
    echo_json,
    is_stdout,
    status_option,
    write_output,
)
from exports.cli.common import output_option as shared_output_option
from exports.cli.neo4j_cmds import backend_options, open_graph, snapshot_or_uri
from exports.cli.terminal import echo_table, echo_wrapped, reasons_option, wide_option
from exports.tables import stake_text, table_records, write_table
from graphmodel.errors import CampaignGraphError
from graphmodel.gcpause import paused_gc
from graphmodel.graph import CampaignGraph

_OWNER_KINDS = ("Company", "Investor", "Person")
_SHORT = {"covered": "yes", "not_covered": "NO", "unknown": "?", "not_applicable": "n/a"}
_DIMS = ("union_presence", "recognition", "cba", "gfa", "hs_agreement", "network", "efa")


def resolve_owner(graph: CampaignGraph, text: str, *, option: str | None = "--company",
                  kinds: tuple[str, ...] = _OWNER_KINDS) -> str:
    """The Company (else Investor, else Person) that ``text`` names; never a silent pick.

    A name that fits several nodes equally well (``Rio Tinto``: Rio Tinto PLC and Rio
    Tinto Ltd) is an error listing the candidates with the sites in each one's group and
    the option that chooses one (``option`` followed by an id; ``None`` for an argument).
    A company linked at load answers to its linked ids and names (one node, no choice).
    """
    last: CampaignGraphError | None = None
    # The search ignores legal forms ("Acme SA" finds "Acme Ltd"); a name typed exactly as
    # recorded, legal form included, picks that entity rather than being called ambiguous.
    # A bare name ("Rio Tinto") typed as some record has it does not pick that record.
    from loaders.resolution import name_info

    typed = " ".join(text.split()).casefold()
    if name_info(text).form:
        exact = [m.id for m in graph.find(text, partial=False)
                 if m.kind in kinds and " ".join(m.name.split()).casefold() == typed]
        if len(exact) == 1:
            return exact[0]
    for kind in kinds:
        try:
            return graph.resolve(text, kind)
        except CampaignGraphError as e:
            if "matches" not in str(e) or not str(e).startswith("no "):
                raise _ambiguous(graph, text, kind, option) from None
            last = e
    raise CampaignGraphError(f"no company, investor or person matches {text!r}") from last


def _ambiguous(graph: CampaignGraph, text: str, kind: str, option: str | None) -> CampaignGraphError:
    """One line: the candidates for ``text``, the sites in each one's group, how to choose."""
    from queries.coverage import CoverageContext, place_sites

    matches = graph.find(text, kind)
    best = [m for m in matches if m.how == matches[0].how]
    ctx = CoverageContext(graph, None, None)
    counts: dict[str, int] = {}
    try:
        for m in best[:10]:
            try:
                counts[m.id] = len(place_sites(ctx, m.id, rule="control", threshold=50.0, members="all"))
            except CampaignGraphError:
                counts[m.id] = 0  # not a group root (a person...): no sites of its own
    finally:
        ctx.close()
    shown = "; ".join(f"{m.name} [{m.id}]: {counts[m.id]} site(s) in its group" for m in best[:10])
    more = f" and {len(best) - 10} more" if len(best) > 10 else ""
    top = max(best[:10], key=lambda m: (counts[m.id], m.id)).id
    how = f"choose one with {option} <id>, e.g. {option} {top}" if option else f"give one of the ids instead, e.g. {top}"
    return CampaignGraphError(f"{text!r} fits {len(best)} {kind.lower()} nodes: {shown}{more}; {how}")


#: rows a terminal table shows (rendering 100,000 wrapped rows takes minutes and helps nobody)
TABLE_ROWS = 500


def _emit(df: pd.DataFrame, fmt: str, output: Path | None, *, table_columns: list[str] | None = None,
          title: str | None = None, rows: int | None = None, **layout: Any) -> None:
    """``df`` as a terminal table or a file; for a table, ``rows`` counts the whole result when
    ``df`` holds only the rows the table shows, and ``layout`` says which columns are key, extra
    or folded (:func:`exports.cli.terminal.echo_table`)."""
    if is_stdout(output):
        if fmt == "xlsx":
            raise CampaignGraphError("--format xlsx is a workbook, not a text stream: give -o FILE.xlsx")
        if fmt != "table":  # exactly the bytes -o FILE gets
            write_output(output, lambda path: write_table(df, path, fmt), f".{fmt}")
            return
        output = None
    if fmt == "table":
        if output is not None:
            raise CampaignGraphError("--output needs --format csv, json or xlsx")
        # a terminal table is for reading: past TABLE_ROWS rows it says how to get them all (a file);
        # summaries and totals printed after the table count every row
        echo_table(df, columns=table_columns, title=title, max_rows=TABLE_ROWS, rows=rows, **layout)
        return
    if output is not None:
        write_table(df, output, fmt)
        click.echo(f"wrote {len(df)} row(s) to {output}", err=True)
        return
    if fmt == "xlsx":
        raise CampaignGraphError("--format xlsx needs --output FILE")
    if fmt == "json":
        echo_json(table_records(df))
    else:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:  # one writer for files and stdout alike
            p = write_table(df, Path(tmp) / "out.csv", "csv")
            sys.stdout.write(p.read_text(encoding="utf-8"))


format_choice = click.option(
    "--format", "fmt", type=click.Choice(["table", "csv", "json", "xlsx"]), default="table", show_default=True,
    help="Terminal table, or a file format (csv and json also print to stdout without -o).",
)
output_option = shared_output_option("File to write (csv, json, xlsx).", stream=True, dir_okay=False)
rule_option = click.option("--rule", type=click.Choice(["control", "effective"]), default="control", show_default=True,
                           help="Group by control (IFRS 10) or by effective stake >= --threshold.")
threshold_option = click.option("--threshold", type=click.FloatRange(0, 100), default=50.0, show_default=True,
                                help="Effective-stake threshold in percent (with --rule effective).")
members_option = click.option("--members", type=click.Choice(["all", "known"]), default="all", show_default=True,
                              help="'known' leaves out possible members (owners whose shares are not published).")


@click.command()
@snapshot_or_uri()
@company_option(positional="group")
@rule_option
@threshold_option
@as_of_option
@members_option
@format_choice
@output_option
def group(snapshot: Path, company: str, rule: str, threshold: float, as_of: str | None, members: str, fmt: str,
          output: Path | None) -> None:
    """List the group of a company: members, effective stakes, control, ownership chains.

    The old spelling with the company as a second argument (group SNAPSHOT COMPANY) still
    works for this release, with a note on stderr; use --company.

    Example: campaign-graph group snap --company "ArcelorMittal SA" --rule effective --threshold 20
    """
    from queries.ownership import group as group_query

    graph = open_graph(snapshot, query="group", subject=company)
    root = resolve_owner(graph, company, option=company_hint())
    df = group_query(graph, root, rule=rule, threshold=threshold, as_of=as_of, members=members)
    view = df
    if fmt == "table":  # one stake cell: "48 %", "≥ 12 %" (lower bound) or "unknown"
        view = df.assign(stake=[stake_text(e, m, lo) for e, m, lo in
                                zip(df["effective_stake"], df["stake_min"], df["stake_is_lower_bound"])])
    _emit(view, fmt, output, title=f"Group of {graph.name_of(root)} ({rule}) as of {df.attrs['as_of']}",
          table_columns=["name", "kind", "stake", "controlled", "membership", "reason"])
    if fmt == "table":
        counts = df["membership"].value_counts()
        click.echo(", ".join(f"{k}: {counts[k]}" for k in df["membership"].unique()))


@click.command()
@snapshot_or_uri()
@click.argument("entity")
@as_of_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def parent(snapshot: Path, entity: str, as_of: str | None, fmt: str) -> None:
    """Show the ultimate parent of ENTITY and the chain of controlling owners up to it.

    ENTITY is a company, investor, person or site (name, alias, former name or id). For a
    site: its operator's chain, the operator being the one coverage counts the site under
    (the largest share); other operators follow, each with its own ultimate parent. A site
    with no operator on record has an unknown parent.

    Example: campaign-graph parent snap "ArcelorMittal Brasil"; a site: campaign-graph parent
    snap "Vale Itabira Complex Mine"
    """
    from queries.ownership import ultimate_parent

    graph = open_graph(snapshot, query="parent", subject=entity, path_args={"as_of": as_of})
    try:
        node = resolve_owner(graph, entity, option=None)
    except CampaignGraphError as e:
        if not str(e).startswith("no company, investor or person matches"):
            raise
        try:  # a site: asked only when no owner has the name, so every owner's answer stays as it was
            node = graph.resolve(entity, "Site")
        except CampaignGraphError as site_error:
            if not str(site_error).startswith("no "):
                raise
            other = graph.find(entity, partial=False)
            what = f" ({entity!r} names a {other[0].kind}: {other[0].name} [{other[0].id}])" if other else ""
            raise CampaignGraphError(f"no company, investor, person or site matches {entity!r}{what}") from None
        _site_parent(graph, node, as_of, fmt)
        return
    up = ultimate_parent(graph, node, as_of=as_of)
    if fmt == "json":
        echo_json({"entity": node, "ultimate_parent": up.id, "chain": up.chain, "explanation": up.explanation})
        return
    click.echo(f"ultimate parent: {graph.name_of(up.id)} ({up.id})")
    click.echo("chain: " + " < ".join(graph.name_of(n) for n in up.chain))
    click.echo(f"why: {up.explanation}")


def _site_parent(graph: CampaignGraph, site: str, as_of: str | None, fmt: str) -> None:
    """``parent``'s answer for a site: the counted operator's chain first, then the other operators'."""
    from graphmodel.values import normalise_as_of
    from queries.ownership import site_parents

    day = normalise_as_of(as_of)
    ups = site_parents(graph, site, as_of=day)
    name = graph.name_of(site)

    def share(s: float | None) -> str:
        return "share not recorded" if s is None else f"{s:g} %"

    def why(p: Any) -> str:
        # one operator: nothing to choose; several: say which one coverage counts the site under
        role = "" if len(ups) == 1 else "; coverage counts the site in this operator's group: largest share, ties by id"
        return f"{graph.name_of(p.operator)} operates {name} ({share(p.share)}{role}); {p.parent.explanation}"

    if not ups:
        text = f"no operator of {name} on record as of {day}: its owner is unknown"
        if fmt == "json":
            echo_json({"entity": site, "kind": "Site", "ultimate_parent": None, "chain": [site],
                       "explanation": text, "operators": []})
        else:
            click.echo(f"ultimate parent: unknown ({text})")
        return
    first = ups[0]
    if fmt == "json":
        echo_json({"entity": site, "kind": "Site", "ultimate_parent": first.parent.id,
                   "chain": [site, *first.parent.chain], "explanation": why(first),
                   "operators": [{"operator": p.operator, "share": p.share, "counted": p.counted,
                                  "ultimate_parent": p.parent.id, "chain": p.parent.chain,
                                  "explanation": p.parent.explanation} for p in ups]})
        return
    click.echo(f"ultimate parent: {graph.name_of(first.parent.id)} ({first.parent.id})")
    click.echo("chain: " + " < ".join(graph.name_of(n) for n in [site, *first.parent.chain]))
    click.echo(f"why: {why(first)}")
    for p in ups[1:]:
        click.echo(f"other operator: {graph.name_of(p.operator)} ({p.operator}, {share(p.share)}): ultimate parent "
                   f"{graph.name_of(p.parent.id)} ({p.parent.id}); chain: "
                   + " < ".join(graph.name_of(n) for n in p.parent.chain))


@click.command()
@snapshot_or_uri(required=False, options=False)
@backend_options
@company_option(required=False, absent="every site")
@as_of_option
@rule_option
@threshold_option
@click.option("--require", default="union_presence,recognition,cba", show_default=True,
              help="Dimensions that make a site uncovered when not covered (comma-separated).")
@members_option
@format_choice
@output_option
@click.option("--summary", type=click.Choice(["country", "commodity", "company"]), default=None,
              help="Print counts of sites and workers by country, commodity or operating company instead of sites.")
@status_option
@paused_gc()  # the frame's objects all live until the command ends: collector passes over them are pure cost
def coverage(snapshot: Path, company: str | None, as_of: str | None, rule: str, threshold: float, require: str,
             members: str, fmt: str, output: Path | None, summary: str | None, status: frozenset[str]) -> None:
    """Coverage gaps per site: union presence, recognition, CBA, GFA, H&S agreement, union network,
    European framework agreement (efa).

    In the table, yes = covered, NO = not covered (the data says so), ? = unknown (not
    recorded: needs research), n/a = not applicable (efa outside the EEA). A site is
    uncovered when a --require dimension is NO.

    Example: campaign-graph coverage snap --company ArcelorMittal --as-of 2024-06-30
    """
    # the query's modules are imported while the snapshot is read (open_graph's modules)
    graph = open_graph(snapshot, query="coverage", subject=company,
                       modules=("queries.coverage", "scipy.sparse.csgraph", "rich.table"))
    from queries.coverage import coverage as coverage_query
    from queries.coverage import coverage_summary

    root = resolve_owner(graph, company) if company else None
    # a table shows its first rows and counts the rest by their values: only the shown rows'
    # reasons and evidence are made (a summary shows none)
    texts = 0 if summary is not None else TABLE_ROWS if fmt == "table" else None
    df = coverage_query(graph, root, as_of=as_of, require=require, rule=rule, threshold=threshold, members=members,
                        status=status, texts=texts)
    who = f"{graph.name_of(root)} group" if root else "all sites"
    if summary is not None:
        out = coverage_summary(df, by=summary)
        layout: dict[str, Any] = {}
        if fmt == "table":  # headers that wrap between words; the site counts first, then workers, then efa
            out = out.rename(columns=lambda c: c.replace("_", " "))
            by = [c for c in ("country", "commodity", "operator") if c in out.columns]
            layout = {"key": [*by, "sites", "sites not covered", "sites unknown", "sites covered", "workers"],
                      "extra": ["workers not covered", "workers unknown", "workers covered", "sites no workforce",
                                "sites efa not covered", "sites efa unknown", "sites efa covered",
                                "sites efa not applicable", "operator id"]}
        _emit(out, fmt, output, title=f"Coverage of {who} by {summary}, as of {df.attrs['as_of']}", **layout)
    elif fmt == "table":
        # only the rows the table shows (TABLE_ROWS) are made into its cells; the footer counts them all
        head = df.head(TABLE_ROWS)
        view = head.copy(deep=False)
        for d in _DIMS:
            view[d] = view[d].map(_SHORT)
        view["uncovered"] = view["uncovered"].map({True: "UNCOVERED", False: ""})
        view["reasons"] = [_table_reason(r, df.attrs["require"]) for r in head.to_dict("records")]
        view = view.rename(columns={"union_presence": "union", "recognition": "recog", "hs_agreement": "h&s",
                                    "network": "netw", "workforce": "workers"})
        cols = ["site", "operator", "country", "commodity", "status", "workers", "union", "recog", "cba", "gfa", "h&s",
                "netw", "efa", "uncovered", "reasons"]
        if root and (df["membership"] == "possible").any():
            cols.insert(2, "membership")
        # always: the site, its country and the verdicts; then, while they fit, who operates it,
        # whether it is surely in the group, its workers, status, commodity; reasons under the row
        _emit(view, fmt, None, table_columns=cols,
              title=f"Coverage of {who} as of {df.attrs['as_of']} (yes / NO / ? = unknown)", rows=len(df),
              key=["site", "country", "union", "recog", "cba", "gfa", "h&s", "netw", "efa", "uncovered"],
              extra=["operator", "membership", "workers", "status", "commodity"])
    else:
        _emit(df, fmt, output)
    if fmt == "table":
        echo_wrapped(summary_line(df))
        left = df.attrs.get("status_excluded") or {}
        if left:
            echo_wrapped("left out by status: " + ", ".join(f"{k} {v}" for k, v in left.items())
                         + " (--status all counts them)")


def _table_reason(row: dict[str, Any], require: list[str]) -> str:
    """The terminal's short reason: gaps in the required dimensions, then what to research."""
    parts = [str(row["status_note"])] if row.get("status_note") else []
    if row.get("membership") == "possible":
        parts.append(str(row["reasons"]).split("; ")[0])
    parts += [f"{d}: {row[f'{d}_reason']}" for d in require if row[d] == "not_covered"]
    unknown = [d for d in require if row[d] == "unknown"]
    if unknown:
        parts.append("to research: " + ", ".join(unknown))
    return "; ".join(parts)


def summary_line(df: pd.DataFrame) -> str:
    """One line counting sites and workers: uncovered, unknown, covered (the table's footer)."""
    from queries.coverage import coverage_summary

    if df.empty:
        return "no sites found (check the company name, --as-of, and that OPERATES edges exist)"
    frame = df.assign(country="all")
    frame.attrs = dict(df.attrs)
    s: dict[str, Any] = coverage_summary(frame, by="country").iloc[0].to_dict()
    text = (f"{s['sites']} site(s): {s['sites_not_covered']} uncovered, {s['sites_unknown']} with unknowns, "
            f"{s['sites_covered']} covered; ")
    if pd.isna(s["workers"]):  # unknown, not 0
        return text + "workers: unknown (workforce not recorded at any of these sites)"
    s = {k: "unknown" if k.startswith("workers") and pd.isna(v) else v for k, v in s.items()}
    text += (
        f"workers: {s['workers']} recorded, {s['workers_not_covered']} at uncovered "
        f"sites, {s['workers_unknown']} at sites with unknowns, {s['workers_covered']} covered"
    )
    if s["sites_no_workforce"]:
        text += f" (workforce not recorded at {s['sites_no_workforce']} site(s))"
    return text


@click.command()
@snapshot_or_uri()
@company_option(positional="calendar")
@as_of_option
@click.option("--horizon-days", type=click.IntRange(0, 36500), default=730, show_default=True, help="How far ahead to look.")
@click.option("--window-days", type=click.IntRange(1, 36500), default=90, show_default=True,
              help="Width of a bargaining window: expiries this close together form a cluster.")
@rule_option
@threshold_option
@status_option
@format_choice
@output_option
def calendar(snapshot: Path, company: str, as_of: str | None, horizon_days: int, window_days: int, rule: str,
             threshold: float, status: frozenset[str], fmt: str, output: Path | None) -> None:
    """CBA expiry dates across a company's group, and windows where several expire together.

    The old spelling with the company as a second argument (calendar SNAPSHOT COMPANY) still
    works for this release, with a note on stderr; use --company.

    Example: campaign-graph calendar snap --company "Acme Steel" --horizon-days 365 --window-days 60
    """
    from queries.calendar import bargaining_calendar

    graph = open_graph(snapshot, query="calendar", subject=company)
    root = resolve_owner(graph, company, option=company_hint())
    df = bargaining_calendar(graph, root, as_of=as_of, horizon_days=horizon_days, window_days=window_days,
                             rule=rule, threshold=threshold, status=status)
    _emit(df, fmt, output, title=f"Bargaining calendar of {graph.name_of(root)} group from {df.attrs['as_of']}",
          table_columns=["expires", "agreement", "sites", "countries", "workers", "cluster", "explanation"])
    if fmt == "table":
        n = len(df.attrs["clusters"])
        echo_wrapped(f"{len(df)} agreement(s) expire within {horizon_days} days; {n} window(s) of {window_days} "
                     f"days with two or more expiries")


# --wide of every table here, --reasons of those with reasons (one shared pair of options: exports.cli.terminal)
for _command in (group, coverage, calendar):
    wide_option(_command)
for _command in (group, coverage):
    reasons_option(_command)
