"""The shipped data in ``data/``: every file matches its hash in ``data/SHA256SUMS`` and has an
entry in ``data/README.md`` (what it is, where it comes from, its licence)."""

from __future__ import annotations

import hashlib
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
NOT_LISTED = {"README.md", "SHA256SUMS"}  # the two files that describe the others


def _sums(folder: Path) -> dict[str, str]:
    """``SHA256SUMS`` as {relative path: hex digest} (sha256sum's text format)."""
    out: dict[str, str] = {}
    for line in (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            out[name.lstrip("*")] = digest
    return out


def _mismatches(folder: Path) -> list[str]:
    """Listed files that are missing or whose sha256 differs from the listed one."""
    bad = []
    for name, digest in _sums(folder).items():
        path = folder / name
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            bad.append(name)
    return bad


def _data_files(folder: Path) -> list[str]:
    return sorted(
        p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.name not in NOT_LISTED
    )


def test_every_listed_file_matches_its_hash() -> None:
    assert len(_sums(DATA)) == 33  # 5 GEM, 3 GLEIF, 19 BODS, 2 agreements, company history, 3 licence files
    assert _mismatches(DATA) == []


def test_every_data_file_is_listed_in_sha256sums() -> None:
    assert sorted(_sums(DATA)) == _data_files(DATA)


def test_every_data_file_has_an_entry_in_the_readme() -> None:
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert [f for f in _data_files(DATA) if f"`{f}`" not in readme] == []


def test_attribution_section_names_each_licence() -> None:
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    attribution = " ".join(readme.split("## Attribution", 1)[1].split("\n## ", 1)[0].split())
    for needle in (
        "Global Energy Monitor, Global Iron and Steel Tracker, March 2025 map files",
        "Global Energy Monitor, Global Iron Ore Mines Tracker, November 2024 (V1) release",
        "Global Energy Monitor, Global Coal Mine Tracker, May 2024 map file",
        "CC BY 4.0",
        "CC0",
        "Apache-2.0",
        "© Open Ownership",
        "compiled by this project",
    ):
        assert needle in attribution, needle


def test_the_check_catches_a_changed_and_a_missing_file(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_bytes(b"x,y\n1,2\n")
    (tmp_path / "b.csv").write_bytes(b"z\n")
    good = hashlib.sha256(b"x,y\n1,2\n").hexdigest()
    (tmp_path / "SHA256SUMS").write_text(f"{good}  a.csv\n{good}  b.csv\n{good}  gone.csv\n", encoding="utf-8")
    assert _mismatches(tmp_path) == ["b.csv", "gone.csv"]
