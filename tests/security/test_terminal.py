"""Terminal escapes in names and source titles are shown escaped, never obeyed, on a terminal;
piped output stays byte for byte (issue 17, case 11)."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from exports.cli.terminal import escape_controls
from graphmodel.graph import CampaignGraph
from graphmodel.records import Source
from graphmodel.stores.snapshot import save_snapshot

EXE = Path(sys.executable).parent / "campaign-graph"
TITLE = "Acme\x1b]0;pwned\x07 Steel"
CLEAR = "Site\x1b[2J A"


def test_escape_controls_shows_every_control_character() -> None:
    assert escape_controls(TITLE) == "Acme\\x1b]0;pwned\\x07 Steel"
    assert escape_controls("a\tb\nc\x9bd\x7f") == "a\tb\nc\\x9bd\\x7f"  # C1 CSI and DEL too


@pytest.fixture(scope="module")
def snap(tmp_path_factory: pytest.TempPathFactory) -> Path:
    g = CampaignGraph()
    g.add_source(Source("s1", title="Register\x1b[2J of\x1b]0;x\x07 things"))
    g.add_node("acme", "Company", TITLE, sources=["s1"])
    g.add_node("a", "Site", CLEAR, sources=["s1"], country="DE")
    g.add_edge("acme", "a", "OPERATES", sources=["s1"])
    out = tmp_path_factory.mktemp("t") / "snap"
    save_snapshot(g, out)
    return out


def _on_a_terminal(args: list[str], columns: int = 200) -> str:
    """Run the console script with stdout on a pseudo-terminal ``columns`` wide; return what it wrote."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([str(EXE), *args], stdout=slave, stderr=subprocess.PIPE,
                            env={**os.environ, "COLUMNS": str(columns)})
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the other end closed
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(master)
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize(
    "args", [["find", "{snap}", "Acme"], ["group", "{snap}", "acme"], ["info", "{snap}"], ["coverage", "{snap}"]]
)
def test_names_and_titles_are_printed_escaped_on_a_terminal(snap: Path, args: list[str]) -> None:
    out = _on_a_terminal([a.format(snap=snap) for a in args])
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b" in out  # shown, so the reader sees something odd is in the data


def test_piped_output_keeps_the_bytes(snap: Path) -> None:
    proc = subprocess.run(check=False, args=[str(EXE), "find", str(snap), "acme"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and TITLE in proc.stdout
