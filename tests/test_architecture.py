"""Data flows one way: loaders -> graphmodel -> queries -> exports (docs/semantics.md#data-flow).

graphmodel imports none of the others; queries never imports exports or loaders; loaders never
import queries or exports. Checked on the source text with ast, so a lazy import inside a
function counts too.
"""

from __future__ import annotations

import ast
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
