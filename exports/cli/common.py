"""Helpers shared by the command modules: options, progress, printing."""

from __future__ import annotations

import contextlib
import json
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import click

from graphmodel.graph import CampaignGraph
from graphmodel.stores.snapshot import load_snapshot
from graphmodel.values import normalise_as_of


class DateType(click.ParamType):
    """A date option: ``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY``, ``DD.MM.YYYY`` or ``today``, as ISO text.

    Parsed once here, by the function the loaders use (its range check: years 1800–2200,
    graphmodel.values.DATE_YEARS): a bad value is a usage error (exit 2) naming the option,
    never a traceback.
    """

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            iso = normalise_as_of(value)
        except (ValueError, OverflowError) as e:
            self.fail(f"{value!r}: {e}", param, ctx)
        return iso


DATE = DateType()

#: ``--as-of``, the date every query answers for (one definition for every command)
as_of_option = click.option(
    "--as-of", "as_of", type=DATE, default=None, help="Date (YYYY-MM-DD) the answer holds for; default today."
)


def open_snapshot(path: str, names: Iterable[str] = (), modules: Iterable[str] = ()) -> CampaignGraph:
    """Load a snapshot folder (hash-checked); errors become one-line messages.

    ``names``: the names the command is about to look up (a company, a path's two ends);
    ``modules``: the modules its query will import. Both are made ready on a second thread
    while the snapshot is read (see :func:`_meanwhile`); the answers are the same either way.
    """
    meanwhile = _meanwhile(names, modules)
    try:
        return load_snapshot(path)
    finally:
        if meanwhile is not None:
            meanwhile.join()


def _meanwhile(names: Iterable[str], modules: Iterable[str] = ()) -> threading.Thread | None:
    """Start importing ``modules`` and making the name keys of ``names`` on a thread of their
    own (``None``: nothing to do).

    Reading a snapshot mostly waits on Arrow's decoding and checks, which release the GIL,
    while importing a query's modules (pandas, scipy, rich: 0.3-0.5 s) and the first name key
    (the fingerprints library's one-time set-up of its legal-form patterns: 0.1-0.2 s) are
    Python: on a second core the two overlap. The keys land in
    :func:`graphmodel.names.name_key`'s cache, which the search then reads; the modules in
    ``sys.modules``. :func:`open_snapshot` joins the thread before it returns, so nothing else
    makes keys at the same time.
    """
    texts = [t for t in names if isinstance(t, str) and t]
    wanted = list(modules)
    if not texts and not wanted:
        return None
    from graphmodel.names import name_key

    def make() -> None:
        import importlib

        for module in wanted:
            # a module that fails here is imported again by the command, which reports the error itself
            with contextlib.suppress(Exception):
                importlib.import_module(module)
        for text in texts:
            try:
                name_key(text)
            except Exception:  # noqa: BLE001 - the search makes the key again and reports any error itself
                return

    thread = threading.Thread(target=make, name="meanwhile", daemon=True)
    thread.start()
    return thread


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
    """A usage error shown as one line (exit code 2), without click's usage block.

    ``exports.cli.main`` shows every click usage error this way; the line names the
    command's ``--help``.
    """

    def show(self, file: Any = None) -> None:
        from exports.cli.terminal import escape_controls

        hint = f" (see '{self.ctx.command_path} --help')" if self.ctx is not None else ""
        click.echo(f"error: {escape_controls(' '.join(self.format_message().split()))}{hint}", err=True)


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


#: ``-o -``: standard output, for the outputs that are one text stream
STDOUT = "-"


def is_stdout(output: Any) -> bool:
    """True when ``-o -`` was given."""
    return output is not None and str(output) == STDOUT


def output_option(help: str, *, stream: bool, dir_okay: bool = True, dash: str = "'-' writes to standard output.",
                  **kwargs: Any) -> Callable[[Any], Any]:
    """The ``-o/--output`` option of every command.

    ``stream=True``: ``-`` means standard output (the help says so; write with
    :func:`write_output`). ``stream=False`` (a folder, a workbook, an image): ``-`` is a
    one-line usage error.
    """

    def check(_ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
        if is_stdout(value) and not stream:
            raise OneLineUsageError("-o -: this output is a folder or a binary file, not a text stream; "
                                    "name a file or folder")
        return value

    text = f"{help} {dash}" if stream else help
    return click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=dir_okay), callback=check,
                        help=text, **kwargs)


def write_output(output: Path, write: Callable[[Path], Any], suffix: str) -> Any:
    """``write(path)`` to ``output``; for ``-o -``, to a temporary ``out{suffix}`` file whose text
    is then printed, so stdout gets exactly the bytes a file would (one writer for both)."""
    if not is_stdout(output):
        return write(output)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"out{suffix}"
        result = write(path)
        click.echo(path.read_text(encoding="utf-8"), nl=False)
    return result


#: the one help text of ``--company`` (every command about a company's group says the same)
COMPANY_HELP = ("The group's root company: its name, alias, former name or id. A name that fits several "
                "stops with the candidates and the id that picks each.")


_COMPANY_SPELLING = "campaign_graph.company_spelling"


def company_hint() -> str | None:
    """How the running command was given its company, for an ambiguous name's hint
    (``resolve_owner``'s ``option``): ``"--company"``, or ``None`` for the deprecated argument."""
    ctx = click.get_current_context(silent=True)
    return ctx.meta.get(_COMPANY_SPELLING, "--company") if ctx is not None else "--company"


def company_option(*, required: bool = True, absent: str | None = None,
                   positional: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--company NAME``, the subject of every command about a company's group (one definition,
    one help text: :data:`COMPANY_HELP`); the command resolves it with
    :func:`exports.cli.query_cmds.resolve_owner`, as ``coverage --company`` does.

    ``required=False`` with ``absent``: what the command does without it (added to the help).
    ``positional``: the command's name when it used to take the company as a second argument
    (``group SNAPSHOT COMPANY``): that spelling keeps working for a release, with one note on
    stderr naming the new one once the answer is given (an error is its one line alone);
    giving both is a one-line usage error (exit 2). The command function receives ``company``
    either way.
    """
    import functools

    text = COMPANY_HELP + (f" Without it: {absent}." if absent else "")

    def wrap(f: Callable[..., Any]) -> Callable[..., Any]:
        if positional is None:
            return click.option("--company", "company", required=required, metavar="NAME",
                                help=text)(f)

        @functools.wraps(f)
        def run(*args: Any, company: str | None, company_argument: str | None, **kwargs: Any) -> Any:
            if company is not None and company_argument is not None:
                raise OneLineUsageError(f"the company is given twice ({positional} SNAPSHOT --company NAME and "
                                        f"the deprecated {positional} SNAPSHOT COMPANY): give it once, with --company",
                                        ctx=click.get_current_context(silent=True))
            if company_argument is not None:
                company = company_argument
                # an ambiguous name's hint then names ids as the spelling used gives them (an argument)
                click.get_current_context().meta[_COMPANY_SPELLING] = None
            if company is None and required:
                raise OneLineUsageError("missing option '--company' (the group's root: name, alias, former name or "
                                        "id)", ctx=click.get_current_context(silent=True))
            result = f(*args, company=company, **kwargs)
            if company_argument is not None:
                # after the answer: an error stays the one line it is with either spelling
                click.echo(f"note: '{positional} SNAPSHOT COMPANY' is deprecated; "
                           f"use '{positional} SNAPSHOT --company COMPANY'", err=True)
            return result

        # the old spelling: a second argument, optional now that --company names the company
        run = click.argument("company_argument", required=False, metavar="[COMPANY]")(run)
        return click.option("--company", "company", default=None, metavar="NAME", help=text)(run)

    return wrap
