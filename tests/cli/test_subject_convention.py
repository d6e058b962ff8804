"""One way to name a command's subject (issue 21): ``--company NAME`` for every command about
a company's group, entities positional; ``parent`` of any entity, sites included; the same
keyword in the Python API.

The sample (examples/sample) is loaded once; the hand-built graph below has worked-out answers.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from exports.cli.common import COMPANY_HELP
from exports.cli.main import cli
from graphmodel.graph import CampaignGraph
from graphmodel.records import Source
from graphmodel.stores.snapshot import save_snapshot

REPO = Path(__file__).resolve().parents[2]
DAY = "2025-06-30"
#: ArcelorMittal SA in examples/sample (nodes.csv)
AM = "E100000000687"
#: every command about a company's group
GROUP_COMMANDS = ("group", "coverage", "calendar", "leverage", "map", "geo", "brief", "transition")
#: the commands that took the company as their second argument before
POSITIONAL_BEFORE = ("group", "calendar")


def run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    snap = tmp_path_factory.mktemp("subject") / "sample.snapshot"
    res = run("load", REPO / "examples" / "sample", "-o", snap)
    assert res.exit_code == 0, res.output
    return snap


# ------------------------------------------------------------------ one option, one help text
def test_every_group_command_has_the_one_company_option():
    for name in GROUP_COMMANDS:
        command = cli.get_command(None, name)  # type: ignore[arg-type]
        options = [p for p in command.params if "--company" in getattr(p, "opts", ())]
        assert len(options) == 1, name
        assert options[0].help.startswith(COMPANY_HELP), name
        assert options[0].metavar == "NAME", name


def test_entity_commands_keep_their_subject_positional():
    for name, argument in (("parent", "entity"), ("find", "name"), ("path", "a"), ("solidarity", "union")):
        command = cli.get_command(None, name)  # type: ignore[arg-type]
        assert argument in [p.name for p in command.params if p.param_type_name == "argument"], name
        assert not any("--company" in getattr(p, "opts", ()) for p in command.params), name


# ------------------------------------------------------------------ name or id, same answer
def _answer(sample: Path, command: str, company: str, tmp: Path) -> str:
    """What ``command`` answers for ``company``: its JSON, or the file it writes."""
    if command in ("map", "geo"):
        out = tmp / f"{command}-{company}.html"
        res = run(command, sample, "--company", company, "--as-of", DAY, "-o", out)
        assert res.exit_code == 0, res.output
        return out.read_text(encoding="utf-8")
    if command == "brief":  # the briefing names the minute it was made: its summary line is compared
        out = tmp / "brief.md"  # one name for both runs: the line names the file (and anything written beside it)
        res = run(command, sample, "--company", company, "--as-of", DAY, "-o", out)
        assert res.exit_code == 0, res.output
        return res.stdout
    res = run(command, sample, "--company", company, "--as-of", DAY, "--format", "json")
    assert res.exit_code == 0, res.output
    assert res.stderr == "" or command == "leverage", res.stderr  # leverage's footer is on stderr
    return res.stdout


@pytest.mark.parametrize("command", GROUP_COMMANDS)
def test_company_by_name_and_by_id_give_the_same_answer(sample: Path, command: str, tmp_path: Path):
    by_name = _answer(sample, command, "ArcelorMittal", tmp_path)
    assert by_name.strip()
    assert _answer(sample, command, AM, tmp_path) == by_name


def test_group_of_arcelormittal_in_the_sample_by_hand(sample: Path):
    # examples/sample/edges.csv: ArcelorMittal SA owns 29 companies directly. Over 50 %: 21
    # (16 at 95-100 %, Nippon Steel India 60, Liberia 85, Mining Canada 85, Prijedor 51, Acindar
    # 100); Peña Colorada 50/50 with another holder: joint; 7 with no share published
    # (Dillinger, Tubarão Comercial, Sestao, Olaberria-Bergara, Acciaierie d'Italia, AM/NS
    # Calvert, Baffinland): possible members.
    res = run("group", sample, "--company", "ArcelorMittal", "--as-of", DAY, "--format", "json")
    rows = json.loads(res.stdout)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["membership"]] = counts.get(r["membership"], 0) + 1
    assert counts == {"root": 1, "controlled": 21, "joint": 1, "possible": 7}
    assert [r["id"] for r in rows if r["membership"] == "root"] == [AM]


# ------------------------------------------------------------------ the old spelling, for a release
@pytest.mark.parametrize("command", POSITIONAL_BEFORE)
def test_old_positional_spelling_gives_the_same_answer_and_one_note(sample: Path, command: str):
    new = run(command, sample, "--company", "ArcelorMittal", "--as-of", DAY, "--format", "json")
    old = run(command, sample, "ArcelorMittal", "--as-of", DAY, "--format", "json")
    assert (old.exit_code, new.exit_code) == (0, 0)
    assert old.stdout == new.stdout
    assert new.stderr == ""
    assert old.stderr == (f"note: '{command} SNAPSHOT COMPANY' is deprecated; "
                          f"use '{command} SNAPSHOT --company COMPANY'\n")


@pytest.mark.parametrize("command", POSITIONAL_BEFORE)
def test_both_spellings_at_once_or_neither_is_a_one_line_usage_error(sample: Path, command: str):
    both = run(command, sample, "ArcelorMittal", "--company", "ArcelorMittal")
    assert both.exit_code == 2 and both.stdout == ""
    assert both.stderr.count("\n") == 1 and both.stderr.startswith("error: the company is given twice")
    neither = run(command, sample)
    assert neither.exit_code == 2 and neither.stdout == ""
    assert neither.stderr.count("\n") == 1 and neither.stderr.startswith("error: missing option '--company'")


# ------------------------------------------------------------------ parent of any entity
@pytest.fixture(scope="module")
def pits(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Top Holding owns 80 % of Mid Steel, which owns all of Op Mining. Pit One: operated by Op
    Mining (60 %) and Other Co (40 %); Pit Two: by Other Co alone (no share); Tie Pit: by Alpha Co
    and Beta Co (no shares); Lonely Pit: by nobody."""
    g = CampaignGraph()
    g.add_source(Source("s", title="Fictional test source"))
    for nid, name in (("top", "Top Holding"), ("mid", "Mid Steel"), ("op", "Op Mining"), ("other", "Other Co"),
                      ("a-co", "Alpha Co"), ("b-co", "Beta Co")):
        g.add_node(nid, "Company", name, sources=["s"])
    for nid, name in (("pit1", "Pit One"), ("pit2", "Pit Two"), ("lonely", "Lonely Pit"), ("tie", "Tie Pit")):
        g.add_node(nid, "Site", name, sources=["s"], status="operating")
    g.add_node("u", "Union", "Pit Union", sources=["s"])
    g.add_edge("top", "mid", "OWNS", share=80, sources=["s"])
    g.add_edge("mid", "op", "OWNS", share=100, sources=["s"])
    g.add_edge("op", "pit1", "OPERATES", share=60, sources=["s"])
    g.add_edge("other", "pit1", "OPERATES", share=40, sources=["s"])
    g.add_edge("other", "pit2", "OPERATES", sources=["s"])
    g.add_edge("a-co", "tie", "OPERATES", sources=["s"])
    g.add_edge("b-co", "tie", "OPERATES", sources=["s"])
    snap = tmp_path_factory.mktemp("pits") / "snap"
    save_snapshot(g, snap)
    return snap


def test_parent_of_a_site_follows_the_larger_operator_to_the_top(pits: Path):
    res = run("parent", pits, "Pit One")
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == [
        "ultimate parent: Top Holding (top)",
        "chain: Pit One < Op Mining < Mid Steel < Top Holding",
        ("why: Op Mining operates Pit One (60 %; coverage counts the site in this operator's group: largest share, "
        "ties by id); Mid Steel holds 100% of Op Mining; Top Holding holds 80% of Mid Steel; Top Holding has no "
        "owner on record: it is its own ultimate parent"),
        "other operator: Other Co (other, 40 %): ultimate parent Other Co (other); chain: Other Co",
    ]
    data = json.loads(run("parent", pits, "pit1", "--format", "json").stdout)
    assert (data["entity"], data["kind"], data["ultimate_parent"]) == ("pit1", "Site", "top")
    assert data["chain"] == ["pit1", "op", "mid", "top"]
    assert [(o["operator"], o["share"], o["counted"], o["ultimate_parent"], o["chain"]) for o in data["operators"]] \
        == [("op", 60.0, True, "top", ["op", "mid", "top"]), ("other", 40.0, False, "other", ["other"])]


def test_parent_of_a_site_with_one_operator_or_none(pits: Path):
    assert run("parent", pits, "Pit Two").stdout.splitlines() == [
        "ultimate parent: Other Co (other)",
        "chain: Pit Two < Other Co",
        ("why: Other Co operates Pit Two (share not recorded); Other Co has no owner on record: it is its own "
        "ultimate parent"),
    ]
    res = run("parent", pits, "Lonely Pit", "--as-of", DAY)
    assert (res.exit_code, res.stdout) == (
        0, f"ultimate parent: unknown (no operator of Lonely Pit on record as of {DAY}: its owner is unknown)\n")
    data = json.loads(run("parent", pits, "lonely", "--as-of", DAY, "--format", "json").stdout)
    assert (data["ultimate_parent"], data["chain"], data["operators"]) == (None, ["lonely"], [])


def test_parent_of_a_site_agrees_with_where_coverage_places_it(pits: Path):
    # Tie Pit: no shares, so coverage's rule (largest share, ties by the larger id) picks b-co
    res = run("coverage", pits, "--as-of", DAY, "--format", "json", "--status", "all")
    placed = {r["site_id"]: (r["operator_id"], r["ultimate_parent_id"]) for r in json.loads(res.stdout)}
    assert placed == {"pit1": ("op", "top"), "pit2": ("other", "other"), "tie": ("b-co", "b-co"),
                      "lonely": (None, None)}
    for site, (operator, top) in placed.items():
        data = json.loads(run("parent", pits, site, "--as-of", DAY, "--format", "json").stdout)
        assert data["ultimate_parent"] == top
        assert [o["operator"] for o in data["operators"] if o["counted"]] == ([operator] if operator else [])


def test_parent_of_an_owner_is_unchanged_and_other_kinds_are_one_line_errors(pits: Path):
    assert run("parent", pits, "Op Mining").stdout.splitlines() == [
        "ultimate parent: Top Holding (top)",
        "chain: Op Mining < Mid Steel < Top Holding",
        ("why: Mid Steel holds 100% of Op Mining; Top Holding holds 80% of Mid Steel; Top Holding has no owner on "
        "record: it is its own ultimate parent"),
    ]
    assert json.loads(run("parent", pits, "op", "--format", "json").stdout) == {
        "entity": "op", "ultimate_parent": "top", "chain": ["op", "mid", "top"],
        "explanation": "Mid Steel holds 100% of Op Mining; Top Holding holds 80% of Mid Steel; Top Holding has no "
                       "owner on record: it is its own ultimate parent"}
    res = run("parent", pits, "Pit Union")
    assert res.exit_code == 1
    assert res.stderr == ("error: no company, investor, person or site matches 'Pit Union' "
                          "('Pit Union' names a Union: Pit Union [u])\n")
    res = run("parent", pits, "Pit")  # four sites fit: no silent pick
    assert res.exit_code == 1 and res.stderr.count("\n") == 1 and "is ambiguous" in res.stderr


def test_parent_of_a_site_in_the_sample(sample: Path):
    # examples/sample/edges.csv: Rio Tinto West Angelas Mine is operated by Rio Tinto Ltd (53 %),
    # Mitsui Iron Ore Development (33 %, owned by Mitsui & Co) and Nippon Steel (14 %)
    data = json.loads(run("parent", sample, "Rio Tinto West Angelas Mine", "--as-of", DAY, "--format", "json").stdout)
    assert data["ultimate_parent"] == "E100002002847"
    assert [(o["operator"], o["share"], o["counted"], o["ultimate_parent"]) for o in data["operators"]] == [
        ("E100002002847", 53.0, True, "E100002002847"),
        ("E100002002914", 33.0, False, "E100000000651"),
        ("E100000000652", 14.0, False, "E100000000652"),
    ]


# ------------------------------------------------------------------ the Python API
def test_effective_stakes_old_keyword_warns_and_answers_the_same(pits: Path):
    from graphmodel.stores.snapshot import load_snapshot
    from queries.ownership import effective_stakes

    g = load_snapshot(str(pits))
    new = effective_stakes(g, company="top", as_of=DAY)
    assert new == {"top": 100.0, "mid": 80.0, "op": 80.0}
    with pytest.warns(DeprecationWarning, match=r"effective_stakes\(root=\.\.\.\) is deprecated; use "
                                                r"effective_stakes\(company=\.\.\.\)"):
        old = effective_stakes(g, root="top", as_of=DAY)
    assert old == new
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the new keyword and the positional form do not warn
        assert effective_stakes(g, "top", as_of=DAY) == new
    with pytest.raises(TypeError, match="both company= and its deprecated name root="):
        effective_stakes(g, company="top", root="top")


def test_site_parents_in_the_python_api(pits: Path):
    from graphmodel.errors import CampaignGraphError
    from graphmodel.stores.snapshot import load_snapshot
    from queries.ownership import site_parents

    g = load_snapshot(str(pits))
    ups = site_parents(g, "pit1", as_of=DAY)
    assert [(p.operator, p.share, p.counted, p.parent.id, p.parent.chain) for p in ups] == [
        ("op", 60.0, True, "top", ["op", "mid", "top"]), ("other", 40.0, False, "other", ["other"])]
    assert site_parents(g, "lonely", as_of=DAY) == []
    with pytest.raises(CampaignGraphError, match="is a Company, not a Site"):
        site_parents(g, "op")


def test_group_query_functions_name_their_subject_company():
    import inspect

    from queries import calendar, coverage, cypher, leverage, ownership, transition

    for f in (ownership.group, ownership.effective_stakes, coverage.coverage, calendar.bargaining_calendar,
              transition.transition, leverage.leverage, cypher.group, cypher.effective_stakes, cypher.coverage,
              cypher.leverage):
        assert list(inspect.signature(f).parameters)[1] == "company", f.__qualname__


@pytest.mark.parametrize("command", ["transition", "leverage", "geo", "brief"])
def test_a_command_that_needs_the_company_says_so_in_one_line(sample: Path, command: str, tmp_path: Path):
    res = run(command, sample, *(["-o", tmp_path / "out.html"] if command in ("geo", "brief") else []))
    assert res.exit_code == 2 and res.stdout == ""
    assert res.stderr == f"error: Missing option '--company'. (see 'cli {command} --help')\n"


@pytest.mark.bolt
def test_parent_of_a_site_on_a_server_is_the_snapshot_answer(pits: Path, bolt_server, bolt_db):
    conn = ["--user", bolt_server.user, "--database", bolt_db]
    pushed = run("push", pits, "--uri", bolt_server.uri, *conn)
    assert pushed.exit_code == 0, pushed.output
    for site in ("Pit One", "pit2", "Tie Pit", "Lonely Pit"):
        for fmt in ("text", "json"):
            local = run("parent", pits, site, "--as-of", DAY, "--format", fmt)
            remote = run("parent", bolt_server.uri, site, "--as-of", DAY, "--format", fmt, *conn)
            assert (local.exit_code, remote.exit_code) == (0, 0), remote.output
            assert remote.stdout == local.stdout, (site, fmt)
    remote = run("parent", bolt_server.uri, "Pit Union", *conn)
    assert remote.exit_code == 1
    assert remote.stderr == "error: no company, investor, person or site matches 'Pit Union'\n"
