"""Data flows one way: loaders -> graphmodel -> queries -> exports (docs/semantics.md#data-flow).

graphmodel imports none of the others; queries never imports exports or loaders; loaders never
import queries or exports. Checked on the source text with ast, so a lazy import inside a
function counts too.
"""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "graphmodel": {"loaders", "queries", "exports"},
    "queries": {"loaders", "exports"},
    "loaders": {"queries", "exports"},
}


def _imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_only_upstream(package: str) -> None:
    offenders = {
        str(p.relative_to(REPO)): sorted(_imported_packages(p) & FORBIDDEN[package])
        for p in sorted((REPO / package).rglob("*.py"))
    }
    assert {k: v for k, v in offenders.items() if v} == {}


# The repository stands alone: nothing cites or reads files from outside it. The names are
# built from parts so that this file does not match itself.
_NAME = "sha" + "red"
OUTSIDE_REFS = ["../" + _NAME, _NAME + "/data", "DESIGN" + ".md", "THREATS" + ".md", "CONVENTIONS" + ".md"]
CODE_DIRS = ("graphmodel", "loaders", "queries", "exports", "tests", "benchmarks", "examples", "notebooks")
# a path built upward into a sibling folder of that name (its name from parts, as above):
# `.parent / NAME`, `.parents[2] / NAME`, `Path("..") / NAME`, `os.path.join("..", NAME)`
SHARED_PATH = re.compile(
    r"""(\.parents?(\[\d+\])?|["']\.\.["']\)?)\s*/\s*\\?["']NAME\\?["']|["']\.\.["']\s*,\s*\\?["']NAME\\?["']""".replace(
        "NAME", _NAME)
)


def _tracked() -> list[str]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    return [f for f in out.decode("utf-8").split("\0") if f]


def _text(name: str) -> str | None:
    data = (REPO / name).read_bytes() if (REPO / name).is_file() else b""
    if b"\0" in data[:8192]:
        return None  # binary
    return data.decode("utf-8", errors="replace")


def test_no_tracked_file_cites_files_outside_the_repository() -> None:
    files = [f for f in _tracked() if not f.startswith("data/") or f == "data/README.md"]
    assert len(files) > 100
    hits = []
    for name in files:
        text = _text(name)
        if text is not None:
            hits += [f"{name}: {ref}" for ref in OUTSIDE_REFS if ref in text]
    assert hits == []


def test_no_code_builds_a_path_to_a_shared_folder_beside_the_repository() -> None:
    hits = []
    for name in _tracked():
        if name == "tests/test_architecture.py":
            continue  # its pattern examples below
        if name.split("/")[0] in CODE_DIRS and name.endswith((".py", ".ipynb")):
            text = _text(name) or ""
            hits += [f"{name}: {m.group(0)}" for m in SHARED_PATH.finditer(text)]
    assert hits == []


# The example lines name the folder as {S}, filled in below: written out, they would be the very
# references to a folder outside the repository that the scans above look for.
_PATTERN_CASES = [
    ('SHARED = Path(__file__).resolve().parents[3] / "{S}" / "data"', True),
    ('DATA = ROOT.parent / "{S}" / "data"', True),
    ('SHARED = ROOT.parent / \\"{S}\\" / \\"data\\"\\n', True),  # inside notebook JSON
    ('p = Path("..") / "{S}"', True),
    ('os.path.join("..", "{S}", "data")', True),
    ('shared = tmp_path / "{S}"', False),  # a temporary folder of that name is fine
    ('DATA = ROOT / "data"', False),
]


@pytest.mark.parametrize("line,found", [(line.replace("{S}", _NAME), found) for line, found in _PATTERN_CASES])
def test_shared_path_pattern(line: str, found: bool) -> None:
    assert bool(SHARED_PATH.search(line)) is found
