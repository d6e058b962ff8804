"""Commands for the public open-data sources: fetch-wikidata (the only one that uses the network)."""

from __future__ import annotations

from pathlib import Path

import click

from exports.cli.common import is_stdout, output_option
from graphmodel.atomic import atomic_write_bytes
from loaders import wikidata


@click.command("fetch-wikidata")
@click.argument("qid")
@output_option("Where to save the SPARQL JSON results.", stream=True)
@click.option("--online", is_flag=True, help="Allow the network: send the query to query.wikidata.org.")
@click.option("--show-query", is_flag=True, help="Print the SPARQL query (to run it yourself) and stop.")
def fetch_wikidata(qid: str, output: Path | None, online: bool, show_query: bool) -> None:
    """Fetch the corporate group around Wikidata item QID (parent organization, subsidiary,
    owned by, operator) with the shipped SPARQL query, and save the results for `load`.

    Nothing goes over the network unless you pass --online.

    Example: campaign-graph fetch-wikidata Q12345 --online -o group.json &&
    campaign-graph load group.json -o snap
    """
    if show_query:
        click.echo(wikidata.query_text(qid))
        return
    if output is None:
        raise click.UsageError("give -o FILE to save the results")
    body = wikidata.fetch(qid, online=online)
    if is_stdout(output):
        click.get_binary_stream("stdout").write(body)
        click.echo(f"Wikidata results for {qid.upper()} written to standard output", err=True)
        return
    atomic_write_bytes(output, body)
    click.echo(f"saved Wikidata results for {qid.upper()} to {output}")
