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


# One read interface: outside graphmodel/, a graph and the other graphmodel objects are read
# through their public names (CampaignGraph's read methods, graph.adjacency(), to_networkx()),
# never through a private attribute. A private name is one graphmodel defines (a ``_x`` method,
# class or module name, or an attribute it sets on ``self``), or one of networkx's private
# adjacency dicts (the store behind a graph held in networkx). A module may read private names
# it defines itself on its own objects (``walk._memo``), except networkx's.
OUTSIDE_GRAPHMODEL = ("loaders", "queries", "exports", "benchmarks")
NETWORKX_PRIVATE = frozenset({"_succ", "_pred", "_node", "_adj", "_edge_ends"})
#: (file, private name) -> why it cannot go through a public name; keep this short
PRIVATE_READ_ALLOWED: dict[tuple[str, str], str] = {
    ("benchmarks/bench_neo4j.py", "_server"): "the --row-wire benchmark switch forces the row wire format on the "
    "store's detected server description, which the store deliberately does not let callers set",
}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and name != "_"


def _defined_private_names(tree: ast.AST, *, all_names: bool = True) -> set[str]:
    """Private names a module defines: functions, classes, names assigned in a class body, ``self._x`` /
    ``cls._x`` it sets, and (``all_names``) any other name it assigns."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.add(node.name)
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    targets = item.targets if isinstance(item, ast.Assign) else [getattr(item, "target", None)]
                    found.update(t.id for t in targets if isinstance(t, ast.Name))
        elif all_names and isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            found.add(node.id)
        elif (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
              and isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
            found.add(node.attr)
    return {n for n in found if _private(n)}


def _graphmodel_private_names(root: Path) -> frozenset[str]:
    names: set[str] = set()
    for p in sorted((root / "graphmodel").rglob("*.py")):
        names |= _defined_private_names(ast.parse(p.read_text(encoding="utf-8"), filename=str(p)))
    return frozenset(names | NETWORKX_PRIVATE)


def _private_reads(tree: ast.AST) -> list[tuple[int, str]]:
    """``(line, name)`` of each ``obj._x`` and ``getattr/hasattr/setattr/delattr(obj, "_x")`` on an object
    other than ``self`` / ``cls``."""
    def foreign(obj: ast.expr) -> bool:
        return not (isinstance(obj, ast.Name) and obj.id in ("self", "cls"))

    hits = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr) and foreign(node.value):
            hits.append((node.lineno, node.attr))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in ("getattr", "hasattr", "setattr", "delattr") and len(node.args) >= 2
              and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)
              and _private(node.args[1].value) and foreign(node.args[0])):
            hits.append((node.lineno, node.args[1].value))
    return hits


def private_graphmodel_reads(root: Path) -> list[str]:
    """``file:line: name`` of every read of a graphmodel private name outside graphmodel/ under ``root``."""
    graphmodel_names = _graphmodel_private_names(root)
    offences = []
    for package in OUTSIDE_GRAPHMODEL:
        for p in sorted((root / package).rglob("*.py")):
            rel = str(p.relative_to(root))
            tree = ast.parse(p.read_text(encoding="utf-8"), filename=rel)
            own = _defined_private_names(tree, all_names=False) - NETWORKX_PRIVATE
            offences += [f"{rel}:{line}: {name}" for line, name in _private_reads(tree)
                         if name in graphmodel_names and name not in own and (rel, name) not in PRIVATE_READ_ALLOWED]
    return offences


def test_nothing_outside_graphmodel_reads_a_private_attribute_of_graphmodel() -> None:
    assert private_graphmodel_reads(REPO) == []


def test_the_allow_list_names_only_reads_that_exist() -> None:
    for (rel, name), why in PRIVATE_READ_ALLOWED.items():
        assert why and name in {n for _, n in _private_reads(ast.parse((REPO / rel).read_text(encoding="utf-8")))}


def _nx_reads(tree: ast.AST) -> list[int]:
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Attribute) and node.attr == "nx"]


def test_queries_exports_and_loaders_do_not_build_networkx_through_graph_nx() -> None:
    """``graph.nx`` outside graphmodel: read methods and ``graph.adjacency()`` instead, ``graph.to_networkx()``
    where a networkx algorithm is really needed (the adapter is then explicit)."""
    hits = [f"{p.relative_to(REPO)}:{line}" for package in ("loaders", "queries", "exports")
            for p in sorted((REPO / package).rglob("*.py"))
            for line in _nx_reads(ast.parse(p.read_text(encoding="utf-8")))]
    assert hits == []


@pytest.mark.parametrize("line,found", [
    ("g._succ[n]", ["_succ"]),                    # networkx's adjacency behind a graph
    ("graph._col.ids", ["_col"]),                 # CampaignGraph's columnar store
    ("getattr(graph, '_col', None)", ["_col"]),   # the same, spelt with getattr
    ("graph._col = None", ["_col"]),              # set as well as read
    ("walk._memo = {}", []),                      # a private name graphmodel does not define
    ("self._col = None", []),                     # the module's own object
    ("graph.adjacency().row", []),
])
def test_private_read_scan(line: str, found: list[str], tmp_path: Path) -> None:
    (tmp_path / "graphmodel").mkdir()
    (tmp_path / "graphmodel" / "m.py").write_text("class G:\n    def __init__(self):\n        self._col = 1\n")
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "q.py").write_text(f"def f(g, graph, walk):\n    {line}\n")
    assert [hit.rsplit(": ", 1)[1] for hit in private_graphmodel_reads(tmp_path)] == found
