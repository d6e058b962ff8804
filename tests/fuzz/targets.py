"""Fuzz targets shared by the atheris runner (``make fuzz``) and the regression test.

A target takes raw bytes, writes them where a loader expects a file, and loads them.
The only acceptable outcomes are a load or a :class:`CampaignGraphError`; anything else
is a crash, and the input is kept under ``tests/fuzz/crashes/<target>/`` as a regression case.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from graphmodel.errors import CampaignGraphError

#: target name -> (loader format, file name the bytes are written to)
TARGETS: dict[str, tuple[str, str]] = {
    "tables-csv": ("tables", "nodes.csv"),
    "tables-edges-csv": ("tables", "edges.csv"),
    "gem-coal": ("gem-coal", "coal.csv"),
    "agreements": ("agreements", "agreements.csv"),
    "bods-json": ("bods", "statements.json"),
    "ftm-json": ("ftm", "entities.ftm.json"),
    "wikidata-json": ("wikidata", "query.json"),
    "gleif-xml": ("gleif", "lei-data.xml"),
    "gleif-csv": ("gleif", "rr.csv"),
}

CRASHES = Path(__file__).parent / "crashes"


def run_target(name: str, data: bytes, folder: Path | None = None) -> str:
    """Load ``data`` with target ``name``; return ``"loaded"`` or ``"refused"``; raise on a crash."""
    from loaders.registry import load_paths

    fmt, fname = TARGETS[name]
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        d = Path(tmp)
        if name == "tables-edges-csv":
            (d / "nodes.csv").write_text("id,kind,name\na,Company,A\nb,Company,B\ns,Site,S\n")
        (d / fname).write_bytes(data)
        try:
            load_paths([d if fmt == "tables" else d / fname], fmt=fmt)
        except CampaignGraphError:
            return "refused"
    return "loaded"


def one_input(name: str) -> Callable[[bytes], None]:
    """The atheris ``TestOneInput`` for target ``name``."""

    def test_one_input(data: bytes) -> None:
        run_target(name, data)

    return test_one_input
