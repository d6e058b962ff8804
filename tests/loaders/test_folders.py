"""A folder that is not a table folder stands for the data files in it (``load data/``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from graphmodel.errors import CampaignGraphError
from loaders.registry import expand, load_paths
from tests.shared_data import SHARED_DATA


def test_the_agreements_folder_loads_its_table_and_leaves_the_notes_aside(tmp_path: Path) -> None:
    folder = tmp_path / "agreements"
    shutil.copytree(SHARED_DATA / "agreements", folder)
    files, aside = expand([folder])
    assert [f.name for f in files] == ["agreements.csv"]
    assert [f.name for f in aside] == ["NOTES.md"]
    g, ctx = load_paths([folder])
    alone, _ = load_paths([folder / "agreements.csv"])
    assert g == alone  # the same graph as naming the file
    assert any("NOTES.md: not a data file this tool reads; left aside" in w for w in ctx.warnings)


def test_the_data_folder_takes_every_file_a_loader_reads() -> None:
    files, aside = expand([SHARED_DATA])
    names = {f.relative_to(SHARED_DATA).as_posix() for f in files}
    assert {"gem-coal-mines-2024-05-22.csv", "gem-iron-steel-plants-2025-03-25.csv", "gem-iron-steel-units-2025-03-18.csv",
            "gem-iron-ore-mines-2024-11.xlsx", "agreements/agreements.csv", "company_history.csv",
            "gleif/lei-data.xml"} <= names
    assert {f.name for f in aside} >= {"README.md", "SHA256SUMS", "NOTES.md"}


def test_a_table_folder_stays_one_path_and_an_empty_folder_is_refused(tmp_path: Path) -> None:
    assert expand([Path("examples/sample")]) == ([Path("examples/sample")], [])
    (tmp_path / "notes.txt").write_text("nothing to load")
    with pytest.raises(CampaignGraphError, match="no file in this folder is in a format"):
        expand([tmp_path])
