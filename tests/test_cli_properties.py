"""Every CLI command, run with random arguments and option values (issue 17): exit code 0, 1
or 2, never a traceback, and a failure is one line on stderr (``error: ...``, control
characters escaped). Only the problem report of ``load``/``validate`` (one line per bad row)
may come before that line; ``validate`` exits 1 with its report when it finds problems.

The invocations are built from each click command's own parameters, plausible and not:
the small fictional snapshot below, folders that do not exist, text with control
characters, numbers out of range, dates good and bad, empty strings, ``-o -``. Commands run
in-process through click's ``CliRunner`` in a fresh folder (outputs land there; the
snapshot is a fresh copy, since ``resolve`` replaces it). There is no Neo4j server and no
``NEO4J_*`` setting, so ``push``, ``pull`` and ``--uri`` must fail with one line.
``fetch-wikidata --online`` is never generated (it would use the network). ``serve`` runs up
to the point where it would start serving (its socket bound, the app built), then returns:
uvicorn's ``Server.run`` is replaced by one that closes the socket.

``FUZZ_SNAPSHOT=FOLDER`` uses another snapshot (e.g. one loaded from ``examples/sample``, whose
group names are among the generated ones). ``FUZZ_EXAMPLES=200`` runs more examples per command (default 20: the whole file then takes
well under a minute).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from unittest import mock

import click
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exports.cli.common import DateType
from exports.cli.main import COMMANDS, cli
from graphmodel.graph import CampaignGraph
from graphmodel.records import Source
from graphmodel.stores.snapshot import save_snapshot

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))

#: no server and no credentials: every Neo4j path must fail cleanly
NO_NEO4J = {"NEO4J_URI": None, "NEO4J_PASSWORD": None, "NEO4J_USER": None, "NEO4J_DATABASE": None}

#: options never generated, and why
NEVER = {"online"}  # fetch-wikidata --online would send a query over the network

#: an argv cannot hold NUL (execve stops at it), so neither do these texts
TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=12) | st.sampled_from(
    ["", " ", "Acme Steel", "acme", "Acme", "Site A", "site_a", "IG Metall", "union_a", "\x1b]0;title\x07", "\x1b[2J",
     "\x01=HYPERLINK(\"x\")", "=1+1", "-", "--", "../x", "constructor", "__proto__", "é", "a" * 300])
NUMBERS = st.integers(-(10**20), 10**20).map(str) | st.sampled_from(
    ["0", "-1", "1", "50", "100", "101", "9223372036854775808", "1e30", "nan", "inf", "-inf", "0.5", "", "x"])
DATES = st.sampled_from(["2024-06-30", "2024", "2024-06", "30.06.2024", "today", "2024-13-01", "2010-02-30",
                         "tomorrow", "9999-12-31", "0001-01-01", "1799-12-31", "2200-12-31", "", "\x1b[2J"])


def fictional_graph() -> CampaignGraph:
    """Acme (LU) owns Acme DE 100 % and Acme BR 60 %; Acme DE operates Site A (DE, 1,200
    workers), Acme BR operates Site B (BR); Union A represents Site A and is party to CBA A,
    which covers Site A. All fictional."""
    g = CampaignGraph()
    g.add_source(Source("reg", title="Fictional company register"))
    s = ["reg"]
    g.add_node("acme", "Company", "Acme Steel", sources=s, country="LU")
    g.add_node("acme_de", "Company", "Acme Steel Deutschland", sources=s, country="DE")
    g.add_node("acme_br", "Company", "Acme Brasil", sources=s, country="BR")
    g.add_node("site_a", "Site", "Site A", sources=s, country="DE", lat=51.0, lon=7.0, workforce=1200)
    g.add_node("site_b", "Site", "Site B", sources=s, country="BR", lat=-20.0, lon=-44.0)
    g.add_node("union_a", "Union", "Union A", sources=s, country="DE")
    g.add_node("cba_a", "Agreement", "CBA A", sources=s, agreement_type="cba", signed="2024-01-01",
               expires="2026-12-31")
    g.add_edge("acme", "acme_de", "OWNS", sources=s, share=100)
    g.add_edge("acme", "acme_br", "OWNS", sources=s, share=60)
    g.add_edge("acme_de", "site_a", "OPERATES", sources=s)
    g.add_edge("acme_br", "site_b", "OPERATES", sources=s)
    g.add_edge("union_a", "site_a", "REPRESENTS", sources=s)
    g.add_edge("union_a", "cba_a", "PARTY_TO", sources=s)
    g.add_edge("cba_a", "site_a", "COVERS", sources=s)
    return g


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("FUZZ_SNAPSHOT"):  # a bigger snapshot for a longer run (copied for each example)
        return Path(os.environ["FUZZ_SNAPSHOT"])
    out = tmp_path_factory.mktemp("cliprops") / "snap"
    save_snapshot(fictional_graph(), out)
    return out


def command(name: str) -> click.Command:
    cmd = cli.get_command(click.Context(cli), name)
    assert cmd is not None, name
    return cmd


NAMES = st.sampled_from(["Acme Steel", "acme", "Acme", "acme_de", "Site A", "site_a", "Union A", "union_a", "CBA A",
                         "Acme Brasil", "site_b", "ArcelorMittal", "Glencore", "E100000000687"])


def plausible(param: click.Parameter, work: Path) -> st.SearchStrategy[str]:
    """A value ``param`` accepts, mostly: names in the snapshot, choices, numbers in range."""
    t = param.type
    if isinstance(t, click.Choice):
        return st.sampled_from([str(c) for c in t.choices])
    if isinstance(t, (click.types.IntParamType, click.types.FloatParamType)):
        lo = getattr(t, "min", None)
        hi = getattr(t, "max", None)
        lo, hi = (0 if lo is None else int(lo)), (100 if hi is None else int(min(hi, 10**6)))
        return st.integers(lo, max(lo, hi)).map(str)
    if isinstance(t, DateType):
        return st.sampled_from(["2024-06-30", "2026", "2025-01", "30.06.2024", "today", "1800-01-01", "2200-12-31"])
    if param.name in ("output", "review", "merges"):
        names = ["out.csv", "out.json", "out.xlsx", "out.html", "out.md", "out.png", "out.graphml", "out.gexf",
                 "out.cypher", "out", "newsnap"]
        return st.sampled_from(names).map(lambda n: str(work / n)) | st.just("-")
    if param.name == "uri":
        return st.sampled_from(["bolt://neo4j:s3cr/t@127.0.0.1:1", "neo4j://127.0.0.1:1", "http://127.0.0.1:1"])
    if param.name == "sources":
        return st.sampled_from([str(work / "nodes.csv"), str(work / "snap"), str(work)])
    if param.name in ("snapshot", "snap_a", "snap_b"):  # query commands also take a server URI
        return st.sampled_from([str(work / "snap")] * 6 + ["bolt://neo4j:p/w@127.0.0.1:1", "http://127.0.0.1:1"])
    if isinstance(t, click.Path):
        return st.just(str(work / "snap"))
    if param.name == "status":
        return st.sampled_from(["all", "operating", "operating,idle,retired", "unknown"])
    if param.name == "qid":
        return st.sampled_from(["Q12345", "q1", "Q"])
    return NAMES


def implausible(param: click.Parameter, work: Path) -> st.SearchStrategy[str]:
    """A value that is wrong for ``param`` in some way, or just random text."""
    t = param.type
    if isinstance(t, (click.types.IntParamType, click.types.FloatParamType)):
        return NUMBERS | TEXT
    if isinstance(t, DateType):
        return DATES
    if isinstance(t, click.Path) or param.name in ("snapshot", "snap_a", "snap_b", "sources"):
        missing = str(work / "no" / "such" / "place")
        return st.sampled_from([missing, str(work), str(work / "nodes.csv"), "", "-", "/dev/null"]) | TEXT
    return TEXT


def values(param: click.Parameter, work: Path) -> st.SearchStrategy[str]:
    """One value for ``param``: plausible four times in five."""
    return st.integers(0, 4).flatmap(lambda i: implausible(param, work) if i == 0 else plausible(param, work))


@st.composite
def invocation(draw: st.DrawFn, cmd: click.Command, work: Path) -> list[str]:
    """An argv for ``cmd``: its arguments (sometimes too few or too many) and a random subset
    of its options (about one in three each), now and then an unknown option."""
    args: list[str] = []
    for p in cmd.params:
        if isinstance(p, click.Argument):
            n = p.nargs if p.nargs > 0 else draw(st.integers(1, 2))
            if draw(st.integers(0, 19)) == 0:
                n = draw(st.integers(0, 2))
            args += [draw(values(p, work)) for _ in range(n)]
    options = [p for p in cmd.params if isinstance(p, click.Option) and p.name not in NEVER]
    for p in draw(st.permutations(options)):
        if p.required:
            if draw(st.integers(0, 19)) == 0:
                continue
        elif draw(st.integers(0, 2)):
            continue
        flag = draw(st.sampled_from(p.opts + p.secondary_opts))
        if p.is_flag:
            args.append(flag)
            continue
        for _ in range(draw(st.integers(1, 2)) if p.multiple else 1):
            args += [flag, draw(values(p, work))]
    if draw(st.integers(0, 19)) == 0:
        args.insert(draw(st.integers(0, len(args))), draw(st.sampled_from(["--bogus", "-Z", "--as-of"])))
    return args


def run(argv: list[str], snapshot: Path, work: Path) -> tuple[click.testing.Result, str]:
    shutil.copytree(snapshot, work / "snap")
    (work / "nodes.csv").write_text("id,kind,name,sources\nx1,Company,X One,s\n", encoding="utf-8")
    runner = CliRunner(env=NO_NEO4J)
    cwd = os.getcwd()
    os.chdir(work)  # defaults such as template's planner.xlsx land in the fresh folder
    try:
        result = runner.invoke(cli, argv, catch_exceptions=True)
    finally:
        os.chdir(cwd)
    return result, f"campaign-graph {' '.join(repr(a) for a in argv)}"


def check(result: click.testing.Result, shown: str) -> None:
    assert result.exit_code in (0, 1, 2), (shown, result.exit_code, result.output)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        tb = "".join(traceback.format_exception(result.exception))
        pytest.fail(f"{shown}\n{tb}")
    assert "Traceback" not in result.output, shown
    lines = result.stderr.splitlines()
    errors = [x for x in lines if x.startswith("error: ")]
    if result.exit_code == 2:
        assert len(lines) == 1 and errors, (shown, result.stderr)
    elif result.exit_code == 1:
        if errors:
            assert len(errors) == 1 and lines[-1] == errors[0], (shown, result.stderr)
        else:  # validate found problems: its report is the output
            assert shown.startswith("campaign-graph 'validate'"), (shown, result.stderr)
        # before the error line, only the problem report of load or validate: a heading, one indented
        # line per problem
        report = lines[:-1] if errors else lines
        if report:
            assert "problem(s)" in report[0] and all(x.startswith("  ") for x in report[1:]), (shown, report)
    for line in errors:  # shown as text: no control character reaches the terminal raw (C0, DEL, C1)
        assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in line), (shown, line)


@pytest.mark.parametrize("name", sorted(COMMANDS))
@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_every_command_exits_0_1_or_2_with_one_line_and_no_traceback(name: str, snapshot: Path,
                                                                      data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        argv = [name, *data.draw(invocation(command(name), work), label="argv")]
        with contextlib.ExitStack() as stack:
            if name == "serve":  # everything but serving forever
                stack.enter_context(mock.patch("uvicorn.Server.run", _closes_sockets))
            check(*run(argv, snapshot, work))


def _closes_sockets(_server: object, sockets: list | None = None) -> None:
    for sock in sockets or ():
        sock.close()


# --------------------------------------------------------------------------- worked examples
def invoke(snapshot: Path, *argv: str) -> click.testing.Result:
    return CliRunner(env=NO_NEO4J).invoke(cli, [a.format(snap=snapshot) for a in argv], catch_exceptions=True)


def test_dash_output_prints_the_same_bytes_the_file_gets(snapshot: Path, tmp_path: Path) -> None:
    """``-o -`` writes to stdout exactly what ``-o FILE`` writes, and says nothing else there."""
    cases = [
        (["group", "{snap}", "Acme Steel", "--format", "csv"], "g.csv"),
        (["group", "{snap}", "Acme Steel", "--format", "json"], "g.json"),
        (["solidarity", "{snap}", "Union A", "--format", "csv"], "s.csv"),
        (["export", "{snap}", "--format", "graphml"], "e.graphml"),
        (["export", "{snap}", "--format", "json"], "e.json"),
    ]
    for argv, name in cases:
        to_file = invoke(snapshot, *argv, "-o", str(tmp_path / name))
        assert to_file.exit_code == 0, (argv, to_file.output)
        to_stdout = invoke(snapshot, *argv, "-o", "-")
        assert to_stdout.exit_code == 0, (argv, to_stdout.output)
        assert to_stdout.stdout == (tmp_path / name).read_text(encoding="utf-8"), argv
    # the group of Acme Steel: itself, then Acme DE (100 %) before Acme BR (60 %)
    rows = invoke(snapshot, "group", "{snap}", "Acme Steel", "--format", "csv", "-o", "-").stdout.splitlines()
    assert [r.split(",")[0] for r in rows] == ["id", "acme", "acme_de", "acme_br"]


def test_dash_output_for_pages_puts_the_page_on_stdout_and_the_summary_on_stderr(snapshot: Path) -> None:
    for argv in (["map", "{snap}", "--company", "Acme Steel"], ["brief", "{snap}", "--company", "Acme Steel"],
                 ["geo", "{snap}", "--company", "Acme Steel"]):
        r = invoke(snapshot, *argv, "-o", "-")
        assert r.exit_code == 0, (argv, r.output)
        assert r.stdout.startswith("<!DOCTYPE html>") and r.stdout.rstrip().endswith("</html>"), argv
        assert r.stderr.startswith("wrote -: "), (argv, r.stderr)
    r = invoke(snapshot, "map", "{snap}", "--company", "Acme Steel", "-o", "-")
    assert '"acme_de"' in r.stdout and '"site_a"' in r.stdout  # the group's data is in the page


def test_dash_output_is_refused_where_the_output_is_not_one_text_stream(snapshot: Path) -> None:
    refused = {
        ("load", "{snap}/nodes.parquet"): "-o -: this output is a folder or a binary file",
        ("snapshot", "{snap}"): "-o -: this output is a folder or a binary file",
        ("resolve", "{snap}"): "-o -: this output is a folder or a binary file",
        ("template",): "-o -: this output is a folder or a binary file",
        ("export", "{snap}", "--format", "csv"): "-o -: --format csv writes a folder or a workbook",
        ("export", "{snap}", "--format", "xlsx"): "-o -: --format xlsx writes a folder or a workbook",
    }
    for argv, message in refused.items():
        r = invoke(snapshot, *argv, "-o", "-")
        assert r.exit_code == 2 and r.stdout == "", argv
        assert r.stderr.startswith(f"error: {message}") and r.stderr.count("\n") == 1, (argv, r.stderr)
    r = invoke(snapshot, "group", "{snap}", "Acme Steel", "--format", "xlsx", "-o", "-")
    assert r.exit_code == 1 and r.stderr == "error: --format xlsx is a workbook, not a text stream: give -o FILE.xlsx\n"
    assert not Path("-").exists()


def test_every_output_option_says_what_dash_does() -> None:
    """Each command's ``-o`` help mentions standard output exactly when ``-`` is accepted."""
    streams = {"group", "parent", "coverage", "calendar", "transition", "leverage", "path", "solidarity", "diff", "export",
               "map", "geo", "brief", "fetch-wikidata"}
    for name in sorted(COMMANDS):
        opts = [p for p in command(name).params if isinstance(p, click.Option) and "-o" in p.opts]
        if not opts:
            continue
        says = "standard output" in (opts[0].help or "")
        assert says == (name in streams), name


def test_usage_errors_are_one_line_naming_the_help(snapshot: Path) -> None:
    r = invoke(snapshot, "map", "{snap}", "--hops", "99", "-o", "m.html")
    assert r.exit_code == 2
    assert r.stderr == "error: Invalid value for '--hops': 99 is not in the range 0<=x<=10. (see 'cli map --help')\n"
    r = invoke(snapshot, "nosuch")
    assert r.exit_code == 2 and r.stderr == "error: No such command 'nosuch'. (see 'cli --help')\n"
    r = invoke(snapshot, "group", "{snap}", "Acme", "--as-of", "\x1b[2J")
    assert r.exit_code == 2 and "\x1b" not in r.stderr and r.stderr.count("\n") == 1
    # found by the property test: an unbounded --window-days overflowed date arithmetic
    r = invoke(snapshot, "calendar", "{snap}", "Acme Steel", "--window-days", "9223372036854775808")
    assert r.exit_code == 2 and r.stderr.startswith("error: Invalid value for '--window-days'")
    r = invoke(snapshot, "group", "--help")
    assert r.exit_code == 0 and r.stdout.startswith("Usage: ")


def test_csv_export_of_text_values_writes_them_neutralised(snapshot: Path, tmp_path: Path) -> None:
    """Found by the property test: ``export --format csv`` crashed on the first text cell."""
    r = invoke(snapshot, "export", "{snap}", "--format", "csv", "-o", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output
    nodes = (tmp_path / "out" / "nodes.csv").read_text(encoding="utf-8")
    assert "acme_de,Company,Acme Steel Deutschland" in nodes
