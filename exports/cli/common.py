"""Helpers shared by the command modules: options, progress, printing."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from typing import Any

import click

from graphmodel.graph import CampaignGraph
from graphmodel.stores.snapshot import load_snapshot
from graphmodel.values import normalise_as_of

#: the years a date given on the command line may name (outside them date arithmetic breaks
#: and no campaign question is asked)
YEARS = (1800, 2200)


class DateType(click.ParamType):
    """A date option: ``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY``, ``DD.MM.YYYY`` or ``today``, as ISO text.

    Parsed once here, by the same function the loaders use, with a range check: a bad value is
    a usage error (exit 2) naming the option, never a traceback.
    """

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            iso = normalise_as_of(value)
        except (ValueError, OverflowError) as e:
            self.fail(f"{value!r}: {e}", param, ctx)
        if not YEARS[0] <= int(iso[:4]) <= YEARS[1]:
            self.fail(f"{value!r}: the year must be between {YEARS[0]} and {YEARS[1]}", param, ctx)
        return iso


DATE = DateType()

#: ``--as-of``, the date every query answers for (one definition for every command)
as_of_option = click.option(
    "--as-of", "as_of", type=DATE, default=None, help="Date (YYYY-MM-DD) the answer holds for; default today."
)


def open_snapshot(path: str) -> CampaignGraph:
    """Load a snapshot folder (hash-checked); errors become one-line messages."""
    return load_snapshot(path)


@contextlib.contextmanager
def progress(description: str, enabled: bool | None = None) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on stderr when it is a terminal; a no-op callback otherwise."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield lambda done, total: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=Console(stderr=True), transient=True,
    ) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


format_option = click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format."
)


class OneLineUsageError(click.UsageError):
    """A usage error shown as one line (exit code 2), without click's usage block."""

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {' '.join(self.format_message().split())}", err=True)


def _status_callback(_ctx: click.Context, _param: click.Parameter, value: str | None) -> frozenset[str]:
    from graphmodel.errors import CampaignGraphError
    from graphmodel.schema import site_statuses

    try:
        return site_statuses(value)
    except CampaignGraphError as e:
        raise OneLineUsageError(f"--status: {e}") from None


#: ``--status``: which sites count by their status (graphmodel.schema.site_statuses)
status_option = click.option(
    "--status", "status", default=None, metavar="all|STATUS[,STATUS...]", callback=_status_callback,
    help="Site statuses to count. Default: workplaces that exist (operating, operating-pre-retirement, idle, "
         "mothballed, construction) and sites with no recorded status (shown as unknown). 'all' adds cancelled, "
         "retired, closed, announced, proposed, planned and shelved; or a comma-separated list.",
)
