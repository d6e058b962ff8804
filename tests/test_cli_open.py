"""Opening a snapshot for a command about names (``exports.cli.common.open_snapshot`` with
``names`` and ``modules``): the name keys are made and the query's modules imported on a
second thread while the snapshot is read. The graph and the answers are those of a plain
open; a refused snapshot is still one line, exit 1.
Fixture facts are fictional ("Acme Steel AG", "Site A").
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from exports.cli.common import open_snapshot
from exports.cli.main import cli
from graphmodel.errors import CampaignGraphError
from graphmodel.names import name_key
from graphmodel.stores.snapshot import load_snapshot, save_snapshot
from tests.graphmodel.stores.test_snapshot_untrusted import good_graph, pc_cast_str, tamper


@pytest.fixture
def snap(tmp_path: Path) -> Path:
    folder = tmp_path / "snap"
    save_snapshot(good_graph(), folder)
    return folder


def test_the_graph_is_a_plain_opens_and_the_keys_are_made(snap: Path) -> None:
    name_key.cache_clear()
    g = open_snapshot(str(snap), names=["Acme Steel AG", "Union of Site A workers", ""])
    assert g == load_snapshot(snap)
    assert name_key.cache_info().currsize == 2  # the two names, made on the thread (the empty one skipped)
    assert not [t for t in threading.enumerate() if t.name == "meanwhile"]  # joined before returning
    hits = name_key.cache_info().hits
    assert [m.id for m in g.find("Acme Steel AG")] == ["acme"]
    assert name_key.cache_info().hits > hits  # the search read the key made meanwhile


def test_path_answers_as_before_and_a_refused_snapshot_is_one_line(snap: Path) -> None:
    res = CliRunner().invoke(cli, ["path", str(snap), "Union of Site A workers", "Acme Steel AG", "--format", "csv"])
    assert res.exit_code == 0, res.output
    # hand-worked: the union represents Site A, which Acme Steel AG operates (REPRESENTS then OPERATES)
    assert res.stdout.splitlines()[1].startswith("1,2,")
    path = tamper(snap, "nodes", lambda t: t.set_column(
        t.column_names.index("workforce"), "workforce", pc_cast_str(t.column("workforce"))))
    res = CliRunner().invoke(cli, ["path", str(snap), "Union of Site A workers", "Acme Steel AG"])
    assert res.exit_code == 1
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and "column workforce" in lines[0]
    with pytest.raises(CampaignGraphError):
        open_snapshot(str(snap), names=["Acme Steel AG"])
    assert not [t for t in threading.enumerate() if t.name == "meanwhile"]


def test_the_query_modules_are_imported_meanwhile_and_a_missing_one_is_left_to_the_command(snap: Path) -> None:
    sys.modules.pop("colorsys", None)  # a stdlib module nothing here imports
    g = open_snapshot(str(snap), modules=["colorsys", "no_such_module_here", "this.one.neither"])
    assert g == load_snapshot(snap)
    assert "colorsys" in sys.modules
    assert "no_such_module_here" not in sys.modules
    assert not [t for t in threading.enumerate() if t.name == "meanwhile"]


def test_coverage_of_a_company_answers_as_the_query(snap: Path) -> None:
    from queries.coverage import coverage

    res = CliRunner().invoke(cli, ["coverage", str(snap), "--company", "Acme Steel AG", "--format", "csv"])
    assert res.exit_code == 0, res.output
    want = coverage(load_snapshot(snap), "acme")
    header, *rows = res.stdout.splitlines()
    assert header.split(",")[:2] == ["site_id", "site"]
    assert [r.split(",")[0] for r in rows] == list(want["site_id"]) and len(rows) >= 1
