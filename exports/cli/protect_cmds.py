"""The ``snapshot`` command: copy a snapshot, redacted or with its sensitive part split off."""

from __future__ import annotations

from pathlib import Path

import click

from exports.cli.common import open_snapshot, output_option
from graphmodel.errors import CampaignGraphError


@click.command()
@click.argument("snapshot", type=click.Path(path_type=Path))
@output_option("Snapshot folder to write.", stream=False, required=True)
@click.option("--redact", "mode", flag_value="redact",
              help="Write only the redacted copy (no people, contacts, membership figures, notes, confidential sources).")
@click.option("--split-sensitive", "mode", flag_value="split",
              help="Write the redacted copy plus one sensitive-*.parquet file holding the rest; "
                   "share the folder without that file.")
def snapshot(snapshot: Path, output: Path, mode: str | None) -> None:
    """Copy SNAPSHOT to OUTPUT, redacted (--redact) or split (--split-sensitive).

    A split snapshot loads as the full graph while its sensitive-*.parquet file is there,
    and as the redacted copy when it is not: copy the folder without that file to share it.

    Example: campaign-graph snapshot snap -o shared --split-sensitive
    """
    from exports.redact import redact, redacted_id
    from graphmodel.stores.snapshot import read_settings, save_snapshot

    if mode is None:
        raise CampaignGraphError("say --redact or --split-sensitive")
    if output.resolve() == snapshot.resolve():
        raise CampaignGraphError("write the copy to another folder than the snapshot itself", file=str(output))
    graph = open_snapshot(str(snapshot))
    public = redact(graph)
    if mode == "redact":
        settings = read_settings(snapshot)
        if settings.get("us"):  # ids that redaction renamed follow (exports.redact.redacted_id)
            settings = {**settings, "us": [redacted_id(graph, u) for u in settings["us"]]}
        m = save_snapshot(public, output, settings=settings)
        click.echo(f"wrote the redacted snapshot {output} ({m['counts']['nodes']} nodes, {m['counts']['edges']} edges)")
    else:
        m = save_snapshot(graph, output, public=public, settings=read_settings(snapshot))
        click.echo(f"wrote {output}: {m['counts']['nodes']} public nodes; the sensitive part "
                   f"({m['sensitive']['rows']} facts) is {m['sensitive']['path']}: leave it out when sharing the folder")
