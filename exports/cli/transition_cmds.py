"""``campaign-graph transition``: sites of a group facing closure or conversion (queries/transition.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pandas as pd

from exports.cli.common import as_of_option, company_option, status_option
from exports.cli.neo4j_cmds import open_graph, snapshot_or_uri
from exports.cli.query_cmds import _SHORT, _emit, format_choice, members_option, output_option, resolve_owner
from exports.cli.terminal import echo_wrapped, wide_option

#: the table's short exposure labels (csv/json/xlsx keep the names)
_LABEL = {"pre_retirement": "pre-retirement", "conversion_announced": "conversion", "closing": "closing",
          "closing_overdue": "overdue"}


def _ttpa(v: Any) -> str:
    return "" if v is None or pd.isna(v) else f"{float(v):,.0f}"


def _capacity_text(row: dict[str, Any], prefix: str, suffix: str) -> str:
    """``"iron 4,782 / steel 3,500"`` for the terminal; a lower bound gets ``≥``; none is blank."""
    marks = row.get("capacity_incomplete") or []
    parts = []
    for product, word in (("iron", "iron"), ("crude_steel", "steel")):
        v = row.get(f"{prefix}{product}{suffix}")
        lower = f"{'at_risk' if prefix == 'capacity_' else 'replacement'}:{product}" in marks
        if v is not None and not pd.isna(v):
            parts.append(f"{word} {'≥ ' if lower else ''}{_ttpa(v)}")
        elif lower:
            parts.append(f"{word} unknown")
    return " / ".join(parts)


@click.command()
@snapshot_or_uri()
@company_option()
@click.option("--horizon", type=click.IntRange(1900, 2200), default=None,
              help="Last closing year counted as 'closing' (default: the as-of year + 10).")
@as_of_option
@members_option
@status_option
@format_choice
@output_option
def transition(snapshot: Path, company: str, horizon: int | None, as_of: str | None, members: str,
               status: frozenset[str], fmt: str, output: Path | None) -> None:
    """Sites of a group facing closure or conversion, with capacity at risk, workers and who can bargain.

    Exposure: pre_retirement (units marked pre-retirement), conversion_announced (EAF/DRI announced
    or under construction beside blast furnaces or converters), closing (closing year up to
    --horizon), closing_overdue (listed operating past its closing year). Capacities in kt/y, iron
    and crude steel apart. Sites with no union or agreement known come first.

    Example: campaign-graph transition snap --company ArcelorMittal --horizon 2035
    """
    from queries.transition import transition as transition_query
    from queries.transition import transition_summary

    graph = open_graph(snapshot, query="transition", subject=company)
    root = resolve_owner(graph, company)
    df = transition_query(graph, root, horizon=horizon, as_of=as_of, members=members, status=status)
    title = (f"Transition exposure of {graph.name_of(root)} group as of {df.attrs['as_of']} "
             f"(closing up to {df.attrs['horizon']}; capacity kt/y)")
    if fmt != "table":
        _emit(df, fmt, output)
        return
    recs = df.to_dict("records")
    view = pd.DataFrame({
        "site": df["site"],
        "country": df["country"],
        "exposure": [", ".join(_LABEL.get(x, x) for x in r["exposure"]) for r in recs],
        "at risk": [_capacity_text(r, "capacity_", "_at_risk") for r in recs],
        "replacement": [_capacity_text(r, "replacement_", "") for r in recs],
        "closes": [_ttpa(r["closure_year"]).replace(",", "") for r in recs],
        "workers": ["unknown" if pd.isna(r["workforce"]) else f"{int(r['workforce']):,}" for r in recs],
        "union": df["union_presence"].map(_SHORT),
        "cba": df["cba"].map(_SHORT),
        "gfa": df["gfa"].map(_SHORT),
        "efa": df["efa"].map(_SHORT),
        "bargaining": ["none known" if r["no_union_or_agreement"] else "" for r in recs],
    })
    _emit(view, "table", None, title=title, key=["site", "country", "exposure", "at risk", "workers", "union", "cba"],
          extra=["closes", "bargaining", "replacement", "gfa", "efa"])
    if df.empty:
        click.echo("no site of the group faces closure or conversion in the data "
                   "(check --horizon, --status, and that units or closing years are loaded)")
        return
    summ = transition_summary(df)
    echo_wrapped("workers by country: " + ", ".join(
        f"{r['country']} {'unknown' if pd.isna(r['workers']) else format(int(r['workers']), ',')}"
        + (f" (+{r['sites_no_workforce']} site(s) unknown)" if r["sites_no_workforce"] and not pd.isna(r["workers"])
           else "")
        for r in summ.to_dict("records")))
    left = df.attrs.get("status_excluded") or {}
    if left:
        echo_wrapped("left out by status: " + ", ".join(f"{k} {v}" for k, v in left.items())
                     + " (--status all counts them)")


wide_option(transition)  # the table's --wide (exports.cli.terminal)
