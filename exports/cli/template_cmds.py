"""The ``template`` command: write the planner's workbook, empty or pre-filled with a group's sites."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from exports.cli.common import as_of_option, open_snapshot, output_option, status_option
from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from loaders.workbook import write_template


@click.command()
@output_option("Workbook to write (.xlsx).", stream=False, dir_okay=False, default=Path("planner.xlsx"),
               show_default=True)
@click.option("--force", is_flag=True, help="Overwrite the file if it exists.")
@click.option("--company", default=None, metavar="NAME",
              help="Pre-fill the workbook with this company's group (name, alias, former name or id; needs "
                   "--from): the sites sheet lists the group's sites as coverage counts them (id, name, "
                   "operator, country), the companies sheet the group's root and the sites' operators. "
                   "The union and agreement columns stay empty for you to fill.")
@click.option("--from", "snapshot", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              metavar="SNAPSHOT", help="The snapshot the --company group is read from.")
@status_option
@as_of_option
def template(output: Path, force: bool, company: str | None, snapshot: Path | None, status: frozenset[str],
             as_of: str | None) -> None:
    """Write the planner's workbook: one sheet per thing, a help row and drop-down lists.

    Empty by default. With --company NAME --from SNAPSHOT it is pre-filled with the group's
    sites, so you fill in unions, recognition, agreements and coverage next to the site
    names; the rows keep the snapshot's ids, so the workbook reads back onto that snapshot.

    Fill it in Excel or LibreOffice, then check it with `campaign-graph validate FILE`
    (`--against SNAPSHOT` for a pre-filled one) and load it with `campaign-graph load FILE -o
    SNAPSHOT`, or add it to the snapshot with `campaign-graph load SNAPSHOT FILE -o NEW`.

    Example: campaign-graph template -o planner.xlsx

    Example: campaign-graph template --company thyssenkrupp --from out/real.snapshot -o planner.xlsx
    """
    if output.suffix.lower() != ".xlsx":
        raise CampaignGraphError("the template is an .xlsx workbook: give a name ending in .xlsx", file=str(output))
    if (company is None) != (snapshot is None):
        raise CampaignGraphError("--company and --from go together: the group of --company in the snapshot --from")
    if output.exists() and not force:
        raise CampaignGraphError("file exists (use --force to overwrite)", file=str(output))
    if company is None:
        write_template(output)
        click.echo(f"wrote {output}")
        return
    assert snapshot is not None
    from exports.cli.query_cmds import resolve_owner

    graph = open_snapshot(str(snapshot), names=[company], modules=["queries.coverage"])
    root = resolve_owner(graph, company, kinds=("Company",))
    prefill = group_rows(graph, root, as_of=as_of, status=status)
    write_template(output, prefill)
    click.echo(f"wrote {output}: {len(prefill['sites'])} site(s) of {graph.name_of(root)}'s group [{root}] "
               f"and {len(prefill['companies'])} compan{'y' if len(prefill['companies']) == 1 else 'ies'} to fill in")


def group_rows(graph: CampaignGraph, root: str, *, as_of: str | None = None,
               status: Any = None) -> dict[str, list[dict[str, Any]]]:
    """The planner's rows for ``root``'s group: ``{"sites": [...], "companies": [...]}``.

    The sites are those coverage answers for (:func:`queries.coverage.coverage`, same
    ``as_of`` and ``status``), in country then name order; each row restates the site's id,
    name and country as the snapshot holds them, and its operator's id when the row can
    restate that very OPERATES edge (one with no start date: the workbook's operator column
    has none, so another edge would be made). The companies are the group's root and the
    sites' operators. Values only the snapshot states are left out: read back, the rows
    change nothing the researcher did not fill.
    """
    from graphmodel.records import edge_id
    from queries.coverage import coverage

    df = coverage(graph, root, as_of=as_of, status=status)
    sites: list[dict[str, Any]] = []
    operators: list[str] = []
    for site, op in zip(df["site_id"], df["operator_id"]):
        a = graph.node(site)
        row: dict[str, Any] = {"id": site, "name": a.get("name"), "country": a.get("country")}
        if isinstance(op, str) and op:
            if graph.has_edge(edge_id("OPERATES", op, site)):
                row["OPERATES:source"] = op
                row["note:OPERATES:source"] = f"operator: {graph.name_of(op)}"
            if op not in operators:
                operators.append(op)
        sites.append(row)
    sites.sort(key=lambda r: (str(r.get("country") or ""), str(r.get("name") or "").casefold(), r["id"]))
    companies = [{"id": c, "name": graph.node(c).get("name"), "country": graph.node(c).get("country")}
                 for c in [root, *sorted((o for o in operators if o != root), key=lambda o: graph.name_of(o).casefold())]]
    return {"sites": sites, "companies": companies}
