"""The tutorial notebooks: stored without outputs, and executed top to bottom from a clean kernel.

Each notebook runs in a fresh kernel of *this* interpreter (a kernelspec written to a temporary
``JUPYTER_PATH``, so a user's own ``python3`` kernel cannot be picked up by mistake) with nbclient
and a per-cell timeout; a cell that raises fails the test. Files the notebooks write go to
``CG_NOTEBOOK_OUT`` (a pytest temporary folder); the test checks that nothing appears in the
repository. Notebook 3 runs twice: against the session's Bolt server (ArcadeDB, or ``NEO4J_URI``)
with every cell, and without a server, where it must say so and skip only the server steps.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from itertools import groupby
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.notebooks

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NB_DIR.glob("*.ipynb"))
KERNEL = "campaign-graph-test"
CELL_TIMEOUT = 300  # seconds per cell: generous for a loaded 2-core box (the three take ~1 min in all)
NEO4J_VARS = ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE")


@pytest.fixture(scope="session")
def kernel_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A JUPYTER_PATH holding one kernelspec that runs this very interpreter."""
    base = tmp_path_factory.mktemp("jupyter")
    spec = base / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "campaign-graph (tests)",
        "language": "python",
    }))
    return base


@pytest.fixture
def run_env(kernel_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The kernel's environment: our kernelspec, an output folder outside the repository."""
    monkeypatch.setenv("JUPYTER_PATH", str(kernel_path))
    out = tmp_path / "out"
    monkeypatch.setenv("CG_NOTEBOOK_OUT", str(out))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    return out


def _repo_listing() -> set[str]:
    """Files in the notebooks folder and an ``out`` folder at the root (what a notebook might write by mistake)."""
    found = {str(p.relative_to(ROOT)) for p in NB_DIR.rglob("*") if "__pycache__" not in p.parts}
    found |= {str(p.relative_to(ROOT)) for p in (ROOT / "out").rglob("*")} if (ROOT / "out").exists() else set()
    return found


def execute(name: str) -> nbformat.NotebookNode:
    """Run the notebook from a clean kernel, cwd = notebooks/; raises on the first failing cell."""
    nb = nbformat.read(NB_DIR / name, as_version=4)
    before = _repo_listing()
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name=KERNEL, allow_errors=False,
                            resources={"metadata": {"path": str(NB_DIR)}})
    client.execute()
    after = _repo_listing()
    assert not (after - before), f"the notebook wrote into the repository: {sorted(after - before)}"
    return nb


def texts(nb: nbformat.NotebookNode) -> Iterator[tuple[int, str, str]]:
    """(cell index, mime type, text) of every output.

    Consecutive outputs of one stream (stdout or stderr) in a cell are joined first: the kernel
    flushes stdout on a timer, so on a loaded machine one printed line can arrive as two outputs
    ("A ->" and " B"), and joining those with a newline would split the line (seen in CI on
    test_01's ownership line).
    """
    for i, cell in enumerate(nb.cells):
        outputs = cell.get("outputs", [])
        for stream, run in groupby(outputs, key=lambda o: o.name if o.output_type == "stream" else None):
            if stream is not None:
                yield i, "stream", "".join(o.text for o in run)
                continue
            for out in run:
                if out.output_type in ("execute_result", "display_data"):
                    for mime, data in out.data.items():
                        if isinstance(data, str):
                            yield i, mime, data
                elif out.output_type == "error":
                    yield i, "error", "\n".join(out.traceback)


def all_text(nb: nbformat.NotebookNode, mime: str | None = None) -> str:
    return "\n".join(t for _, m, t in texts(nb) if mime is None or m == mime)


def test_a_line_the_kernel_flushed_in_two_pieces_reads_as_one() -> None:
    cell = nbformat.v4.new_code_cell("print(a, '->', b)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="A ->"),
                    nbformat.v4.new_output("stream", name="stdout", text=" B\n"),
                    nbformat.v4.new_output("stream", name="stderr", text="warning\n"),
                    nbformat.v4.new_output("stream", name="stdout", text="C\n")]
    nb = nbformat.v4.new_notebook(cells=[cell])
    assert list(texts(nb)) == [(0, "stream", "A -> B\n"), (0, "stream", "warning\n"), (0, "stream", "C\n")]


# --------------------------------------------------------------------------- stored form
def test_three_notebooks_are_there() -> None:
    assert [p.name for p in NOTEBOOKS] == [
        "01_explore_a_multinational.ipynb",
        "02_coverage_for_a_campaign.ipynb",
        "03_from_open_data_to_neo4j.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: cell {i} has stored outputs"
            assert cell.execution_count is None, f"{path.name}: cell {i} has an execution count"
    assert "widgets" not in nb.metadata
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_reads_as_a_tutorial(path: Path) -> None:
    """A title, then short markdown before every step; steps numbered 1, 2, 3…; no long runs of bare code."""
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    steps = [int(m) for c in nb.cells if c.cell_type == "markdown"
             for m in re.findall(r"^## Step (\d+)", c.source, flags=re.MULTILINE)]
    assert steps == list(range(1, len(steps) + 1)) and len(steps) >= 4
    run = 0
    for cell in nb.cells:
        run = run + 1 if cell.cell_type == "code" else 0
        assert run <= 3, f"{path.name}: more than three code cells without a word of explanation"
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            assert len(cell.source) < 1500, "markdown cells stay short"


# --------------------------------------------------------------------------- executed
def test_01_explore_a_multinational(run_env: Path) -> None:
    nb = execute("01_explore_a_multinational.ipynb")
    text = all_text(nb)
    assert "0 problems while loading" in text
    # found by any of its names, one id
    assert "'arcelor mittal'         -> [('E100000000687', 'ArcelorMittal SA', 'name')]" in text
    assert "chosen: E100000000687 ArcelorMittal SA" in text
    # the graph and the query results display as HTML tables, not raw dumps
    html = all_text(nb, "text/html")
    # 248 steel units and their PART_OF edges; 2 MERGED_INTO (company history) and the West Wallsend JV
    assert "<strong>CampaignGraph</strong>: 627 nodes, 642 edges" in html
    assert html.count("class='cg-table'") >= 2
    # the ownership tree: the Argentine subsidiary climbs to ArcelorMittal SA
    assert "Acindar Industria Argentina de Aceros SA -> ArcelorMittal SA" in text
    assert "    ArcelorMittal Brasil SA  (controlled, 97.1 %)" in text
    assert "    AM/NS Calvert LLC  (possible, share not published)" in text
    # the geographic view and the interactive map are inline, sandboxed, self-contained
    frames = re.findall(r'<iframe title="([^"]+)" srcdoc="([^"]*)" sandbox="allow-scripts"', html)
    assert [t for t, _ in frames] == ["geographic view", "network map"]
    for _, doc in frames:
        assert "default-src &#x27;none&#x27;" in doc or "default-src 'none'" in doc.replace("&#x27;", "'")
        assert "<script" not in doc  # escaped inside the attribute
    assert "vis.Network" in frames[1][1] or "vis-network" in frames[1][1]
    assert "48 sites, 48 with coordinates" in text  # 55 in the sample, less 4 announced, 1 cancelled, 2 retired
    assert (run_env / "sites.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # the leverage table, with its evidence
    assert "agreements: Terms of reference for a joint global OSH committee at ArcelorMittal (score 2)" in text


def test_02_coverage_for_a_campaign(run_env: Path) -> None:
    nb = execute("02_coverage_for_a_campaign.ipynb")
    text = all_text(nb)
    # as of 2010 the 2008 H&S agreement was in its first term; today it is possibly in force (unknown)
    assert "35 sites changed" in text  # of the 48 counted sites (existing or unknown status)
    assert "possibly in force, needs checking" in text
    assert "0 sites uncovered according to the data; 48 sites where something needs research" in text
    html = all_text(nb, "text/html")
    assert "cov-unknown" in html and "cov-covered" in html
    assert "Glencore by commodity" in html and "14,662" in html  # workers at Glencore's coal mines in the sample
    # (14,162 before United Wambo's 500 workers counted as a possible joint member: coal M0107)
    # the fictional calendar: two CBAs within 90 days of each other form a window
    assert "Acme Steel (fictional): bargaining calendar" in html
    assert "2 agreements expire between" in html
    research = (run_env / "to_research.csv").read_text(encoding="utf-8").splitlines()
    assert len(research) == 1 + 48
    brief = (run_env / "briefing.html").read_text(encoding="utf-8")
    assert "Redacted" in brief or "redacted" in brief
    assert "ArcelorMittal SA" in brief
    assert "origins" not in (run_env / "briefing.md").read_text(encoding="utf-8")


@pytest.mark.bolt
def test_03_open_data_to_neo4j_with_server(run_env: Path, bolt_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    db = bolt_server.new_database("nb")
    monkeypatch.setenv("NEO4J_URI", bolt_server.uri)
    monkeypatch.setenv("NEO4J_USER", bolt_server.user)
    monkeypatch.setenv("NEO4J_PASSWORD", bolt_server.password)
    monkeypatch.setenv("NEO4J_DATABASE", db)
    try:
        nb = execute("03_from_open_data_to_neo4j.ipynb")
    finally:
        bolt_server.drop_database(db)
    text = all_text(nb)
    assert "skipped: no server" not in text and "No Bolt server configured" not in text  # every cell ran for real
    assert "one company now: gem-arcelormittal-sa ArcelorMittal SA" in text
    assert "counts match: True | database equals the graph: True" in text
    assert "same answer on the server and in memory: 14 sites" in text
    assert bolt_server.password not in text  # the password is never printed


def test_03_open_data_to_neo4j_without_server(run_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in NEO4J_VARS:
        monkeypatch.delenv(var, raising=False)
    nb = execute("03_from_open_data_to_neo4j.ipynb")
    text = all_text(nb)
    assert "No Bolt server configured: set NEO4J_URI" in text
    assert text.count("skipped: no server configured") == 2  # push and server-side coverage only
    assert "one company now: gem-arcelormittal-sa ArcelorMittal SA" in text  # the in-memory steps ran
    assert "in memory: 14 sites" in text
    assert os.environ.get("NEO4J_URI") is None
