"""Date and number options are parsed once (exports.cli.common.DATE) with range checks: a bad
value is a usage error naming the option, exit 2, never a traceback (issue 17, case 14)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from exports.cli.main import cli
from graphmodel.graph import CampaignGraph
from graphmodel.records import Source
from graphmodel.stores.snapshot import save_snapshot

COMMANDS = [
    ["group", "{snap}", "Acme"],
    ["leverage", "{snap}", "Acme"],
    ["calendar", "{snap}", "Acme"],
    ["path", "{snap}", "Acme", "Site A"],
    ["solidarity", "{snap}", "Acme"],
    ["map", "{snap}", "-o", "{tmp}/m.html"],
    ["brief", "{snap}", "--company", "Acme", "-o", "{tmp}/b.html"],
    ["geo", "{snap}", "--company", "Acme", "-o", "{tmp}/g.html"],
    ["diff", "{snap}", "{snap}"],
]


@pytest.fixture(scope="module")
def snap(tmp_path_factory: pytest.TempPathFactory) -> Path:
    g = CampaignGraph()
    g.add_source(Source("s1", title="Fictional register"))
    g.add_node("acme", "Company", "Acme", sources=["s1"])
    g.add_node("a", "Site", "Site A", sources=["s1"], country="DE")
    g.add_edge("acme", "a", "OPERATES", sources=["s1"])
    out = tmp_path_factory.mktemp("d") / "snap"
    save_snapshot(g, out)
    return out


@pytest.mark.parametrize("bad", ["2024-13-01", "tomorrow", "9999-12-31", "0001-01-01", "2010-02-30"])
@pytest.mark.parametrize("cmd", COMMANDS, ids=lambda c: c[0])
def test_bad_as_of_is_a_usage_error_naming_the_option(snap: Path, tmp_path: Path, cmd: list[str], bad: str) -> None:
    args = [a.format(snap=snap, tmp=tmp_path) for a in cmd] + ["--as-of", bad]
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 2, r.output
    assert "Invalid value for '--as-of'" in r.output and repr(bad) in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)


@pytest.mark.parametrize(("given", "iso"), [("2020", "2020-01-01"), ("15.03.2021", "2021-03-15"), ("2021-06", "2021-06-01")])
def test_good_as_of_forms_are_accepted(snap: Path, given: str, iso: str) -> None:
    from exports.cli.common import DATE

    assert DATE.convert(given, None, None) == iso
    r = CliRunner().invoke(cli, ["group", str(snap), "Acme", "--as-of", given])
    assert r.exit_code == 0, r.output


def test_horizon_beyond_a_century_is_refused(snap: Path) -> None:
    r = CliRunner().invoke(cli, ["calendar", str(snap), "Acme", "--horizon-days", "999999999"])
    assert r.exit_code == 2 and "--horizon-days" in r.output
