"""The ``template`` command: write the empty planner's workbook."""

from __future__ import annotations

from pathlib import Path

import click

from exports.cli.common import output_option
from graphmodel.errors import CampaignGraphError
from loaders.workbook import write_template


@click.command()
@output_option("Workbook to write (.xlsx).", stream=False, dir_okay=False, default=Path("planner.xlsx"),
               show_default=True)
@click.option("--force", is_flag=True, help="Overwrite the file if it exists.")
def template(output: Path, force: bool) -> None:
    """Write an empty planner's workbook: one sheet per thing, a help row and drop-down lists.

    Fill it in Excel or LibreOffice, then check it with `campaign-graph validate FILE`
    and load it with `campaign-graph load FILE -o SNAPSHOT`.

    Example: campaign-graph template -o planner.xlsx
    """
    if output.suffix.lower() != ".xlsx":
        raise CampaignGraphError("the template is an .xlsx workbook: give a name ending in .xlsx", file=str(output))
    if output.exists() and not force:
        raise CampaignGraphError("file exists (use --force to overwrite)", file=str(output))
    write_template(output)
    click.echo(f"wrote {output}")
