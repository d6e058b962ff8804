"""The ``export`` command: snapshot files for Gephi, Neo4j, Excel and other tools."""

from __future__ import annotations

from pathlib import Path

import click

from exports.cli.common import DATE, OneLineUsageError, is_stdout, open_snapshot, output_option, write_output
from exports.formats.base import COVERAGE_FORMATS, FOLDER_FORMATS, FORMATS, export_graph


@click.command()
@click.argument("snapshot", type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(list(FORMATS)), required=True,
    help="graphml/gexf (Gephi), json (node-link), csv/parquet (a folder of tables), xlsx (Excel), "
    "cypher (Neo4j), neo4j-admin (a folder of CSV files for neo4j-admin database import).",
)
@output_option("File to write; for csv, parquet and neo4j-admin a folder (created if missing). "
               "For graphml, gexf, json and cypher,", stream=True, required=True)
@click.option(
    "--redact", "redacted", is_flag=True,
    help="Drop people, contacts, membership figures, notes, confidential sources and internal paths.",
)
@click.option(
    "--as-of", "as_of", type=DATE, default=None,
    help="graphml/gexf: the date (YYYY-MM-DD) of the coverage values each site carries; default today. "
    "Written into the file's metadata (GraphML graph attribute as_of, GEXF <meta> description).",
)
def export(snapshot: Path, fmt: str, output: Path, redacted: bool, as_of: str | None) -> None:
    """Export SNAPSHOT as a file another tool opens.

    The csv and xlsx exports are in the table format `campaign-graph load` reads, so an
    export loads back into an equal graph. Every export lists its sources and says
    whether it was redacted.

    In graphml and gexf, each site carries its coverage values (union_presence, recognition,
    cba, gfa, hs_agreement, network, efa: covered, not_covered, unknown, not_applicable) and
    its status, as `campaign-graph coverage --format json --status all` gives them, so Gephi
    can colour sites by coverage; each OWNS edge carries its stake as share (percent; absent
    when unknown).

    Example: campaign-graph export snap --format xlsx -o briefing.xlsx --redact

    Example: campaign-graph export snap --format gexf -o sites.gexf --as-of 2024-06-30
    """
    if as_of is not None and fmt not in COVERAGE_FORMATS:
        raise OneLineUsageError(f"--as-of: --format {fmt} carries no coverage values; "
                                f"--as-of applies to {' and '.join(COVERAGE_FORMATS)}")
    if is_stdout(output) and (fmt in FOLDER_FORMATS or fmt == "xlsx"):
        raise OneLineUsageError(f"-o -: --format {fmt} writes a folder or a workbook, not a text stream")
    graph = open_snapshot(str(snapshot))
    written = write_output(output, lambda path: export_graph(graph, fmt, path, redacted=redacted, as_of=as_of), f".{fmt}")
    what = f"folder {output}" if fmt in FOLDER_FORMATS else str(output)
    note = ", redacted" if redacted else ""
    click.echo(
        err=is_stdout(output),
        message=f"exported {fmt}{note} from {graph.number_of_nodes()} nodes and {graph.number_of_edges()} edges "
        f"to {what}: {', '.join(p.name for p in written)}"
    )
