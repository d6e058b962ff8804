"""The docs cite what exists: every test named in docs/threats.md is defined, and every
``docs/<page>.md#anchor`` cited in a tracked file is a heading of that page."""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEST_REF = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")
ANCHOR_REF = re.compile(r"docs/(\w+)\.md#([\w-]+)")


def _defined(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


def missing_tests(text: str, root: Path) -> list[str]:
    """The ``path::name`` references in ``text`` whose file or function does not exist under ``root``."""
    out = []
    for path, name in TEST_REF.findall(text):
        f = root / path
        if not f.is_file() or name not in _defined(f):
            out.append(f"{path}::{name}")
    return out


def slug(heading: str) -> str:
    """GitHub's anchor for a Markdown heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    return {slug(m) for m in re.findall(r"^#{1,6} (.+)$", page.read_text(encoding="utf-8"), flags=re.MULTILINE)}


def test_every_test_cited_in_threats_exists() -> None:
    text = (REPO / "docs" / "threats.md").read_text(encoding="utf-8")
    assert len(TEST_REF.findall(text)) >= 50
    assert missing_tests(text, REPO) == []


def test_every_threat_row_has_a_section() -> None:
    text = (REPO / "docs" / "threats.md").read_text(encoding="utf-8")
    assert re.findall(r"^## (\d+)\. ", text, flags=re.MULTILINE) == [str(i) for i in range(1, 19)]


def test_a_missing_test_or_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text("def test_here():\n    pass\n", encoding="utf-8")
    text = "`tests/test_x.py::test_here` `tests/test_x.py::test_gone` `tests/test_y.py::test_here`"
    assert missing_tests(text, tmp_path) == ["tests/test_x.py::test_gone", "tests/test_y.py::test_here"]


def test_slug_matches_githubs_rule() -> None:
    assert slug("FollowTheMoney (FtM)") == "followthemoney-ftm"
    assert slug("1. Script injection in maps") == "1-script-injection-in-maps"
    assert slug("Just-transition exposure") == "just-transition-exposure"


def test_every_cited_docs_anchor_exists() -> None:
    files = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    cited: dict[str, set[str]] = {}
    for name in files:
        p = REPO / name
        if p.suffix not in {".py", ".md", ".ipynb", ".txt", ".toml"} or not p.is_file():
            continue
        for page, anchor in ANCHOR_REF.findall(p.read_text(encoding="utf-8", errors="replace")):
            cited.setdefault(page, set()).add(anchor)
    assert "semantics" in cited  # the code does cite the semantics page
    bad = {page: sorted(a - anchors(REPO / "docs" / f"{page}.md")) for page, a in cited.items()}
    assert {p: a for p, a in bad.items() if a} == {}


def test_every_test_cited_in_data_protection_exists() -> None:
    text = (REPO / "docs" / "data-protection.md").read_text(encoding="utf-8")
    section = text[text.index("**Each promise above and its test**") :]
    assert len(TEST_REF.findall(section)) >= 25  # one line per promise, each naming its tests
    assert missing_tests(section, REPO) == []


def test_cli_reference_is_the_generated_one() -> None:
    from exports.cli.doc import cli_markdown, page_section

    text = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert page_section(text) == cli_markdown(), (
        "docs/cli.md is out of date: run `.venv/bin/python -m exports.cli.doc --write docs/cli.md`"
    )


def test_cli_reference_lists_every_command_and_option() -> None:
    """Independent of the generator: each command's --help output names the same options as its section."""
    from click.testing import CliRunner

    from exports.cli.main import COMMANDS, cli

    text = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    generated = text.split("<!-- cli:start -->", 1)[1]
    sections = dict(re.findall(r"^## ([\w-]+)\n(.*?)(?=^## |\Z)", generated, re.MULTILINE | re.DOTALL))
    assert sorted(sections) == sorted(COMMANDS)
    for name in ("coverage", "load", "push"):
        out = CliRunner().invoke(cli, [name, "--help"], terminal_width=200).output
        in_help = re.findall(r"^  (?:-\w, )?(--[\w-]+)", out, re.MULTILINE)
        in_page = re.findall(r"^\| `(?:-\w, )?(--[\w-]+)", sections[name], re.MULTILINE)
        assert len(in_help) > 3 and in_page == in_help, name


def test_readme_is_a_short_manual_linking_existing_pages() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(text) <= 12_500
    for page in re.findall(r"\]\((docs/[\w.-]+\.md)", text):
        assert (REPO / page).is_file(), page
    index = (REPO / "docs" / "README.md").read_text(encoding="utf-8")
    pages = {p.name for p in (REPO / "docs").glob("*.md")} - {"README.md"}
    assert pages <= set(re.findall(r"\]\(([\w.-]+\.md)\)", index))
