"""Redaction of derived text (issue 17 case 7, docs/threats.md section 14).

Source ids and titles built from an input file's name, and ids that hold a person's id or
name, must not survive ``--redact``. The input files here are named after an informant
(``tip-from-jane-doe-at-acme.ftm.jsonl`` and a BODS, a Wikidata and a GEM-like file named
the same way); the FtM file also holds a person ``person-jane-doe`` and a company whose id
holds her name. Every redacted output must carry neither ``jane``, ``doe`` nor
``tip-from``, and the pseudonyms must be the same in every output.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from exports.cli.main import cli
from exports.redact import pseudonym, redact
from graphmodel.stores.snapshot import load_snapshot, save_snapshot
from loaders.registry import load_paths
from tests.security.test_sensitive import _text_of
from tests.shared_data import SHARED_DATA

FIXTURES = Path(__file__).resolve().parents[1] / "loaders" / "fixtures"

#: a fictional FtM file: a group, its owner Jane Doe, her holding company and her directorship
FTM_LINES = [
    {"id": "acme-steel", "schema": "Company", "properties": {"name": ["Acme Steel (fictional)"], "country": ["nl"]}},
    {"id": "acme-mines", "schema": "Company", "properties": {"name": ["Acme Mines (fictional)"]}},
    {"id": "person-jane-doe", "schema": "Person", "properties": {"name": ["Jane Doe"], "email": ["jd@example.org"]}},
    {"id": "jane-doe-holdings", "schema": "Company", "properties": {"name": ["JD Holdings (fictional)"]}},
    {"id": "o1", "schema": "Ownership", "properties": {"owner": ["acme-steel"], "asset": ["acme-mines"], "percentage": ["75"]}},
    {"id": "o2", "schema": "Ownership", "properties": {"owner": ["jane-doe-holdings"], "asset": ["acme-steel"], "percentage": ["40"]}},
    {"id": "o3", "schema": "Ownership", "properties": {"owner": ["person-jane-doe"], "asset": ["jane-doe-holdings"], "percentage": ["100"]}},
    {"id": "d1", "schema": "Directorship", "properties": {"director": ["person-jane-doe"], "organization": ["acme-steel"]}},
]

#: the source ids the loaders build from these file names (worked out from loaders' make_id)
FILE_SOURCES = {
    "ftm-tip-from-jane-doe-at-acme-ftm",
    "bods-bods-tip-from-jane-doe",
    "wikidata-wikidata-tip-from-jane-doe",
    "gem-gem-coal-tip-from-jane-doe-2024-05-22",
}
# whole words only: the base64 of embedded images and fonts holds any short letter sequence
LEAK = re.compile(r"(?<![A-Za-z0-9+/])(jane|doe|tip-from)(?![A-Za-z0-9+/])", re.IGNORECASE)
SRC = re.compile(r"src-[0-9a-f]{16}")
COMPANY = re.compile(r"company-[0-9a-f]{16}")


def _leaks(text: str) -> list[str]:
    return sorted({text[max(m.start() - 20, 0) : m.end() + 20] for m in LEAK.finditer(text)})


@pytest.fixture(scope="module")
def derived_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("derived")
    inp = d / "in"
    inp.mkdir()
    (inp / "tip-from-jane-doe-at-acme.ftm.jsonl").write_text("\n".join(json.dumps(x) for x in FTM_LINES) + "\n")
    shutil.copy(FIXTURES / "bods" / "indirect-ownership.json", inp / "bods-tip-from-jane-doe.json")
    shutil.copy(FIXTURES / "wikidata" / "acme-group.json", inp / "wikidata-tip-from-jane-doe.json")
    # the header and first 5 rows of the real coal tracker (data/gem-coal-mines-2024-05-22.csv, UTF-16)
    with open(SHARED_DATA / "gem-coal-mines-2024-05-22.csv", encoding="utf-16", newline="") as f:
        rows = [r for _, r in zip(range(6), csv.reader(f))]
    with open(inp / "gem-coal-tip-from-jane-doe-2024-05-22.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    g = None
    for name, fmt, bad in [
        ("tip-from-jane-doe-at-acme.ftm.jsonl", "ftm", 0),
        ("bods-tip-from-jane-doe.json", "bods", 0),
        ("wikidata-tip-from-jane-doe.json", "wikidata", 2),  # the fixture's two planted bad rows
        ("gem-coal-tip-from-jane-doe-2024-05-22.csv", None, 0),
    ]:
        g, ctx = load_paths([inp / name], fmt=fmt, graph=g)
        assert len(ctx.errors) == bad, (name, ctx.errors)
    assert g is not None
    assert FILE_SOURCES <= set(g.sources)  # the loaders name the sources after the files (the defect)
    assert g.has_node("ftm-jane-doe-holdings") and g.has_node("ftm-person-jane-doe")
    save_snapshot(g, d / "snap")
    return d / "snap"


def test_redact_pseudonymises_file_named_sources_and_person_ids(derived_snapshot: Path) -> None:
    g = load_snapshot(derived_snapshot)
    r = redact(g)
    expected = {pseudonym(s, "src") for s in FILE_SOURCES}
    assert expected <= set(r.sources) and not FILE_SOURCES & set(r.sources)
    ftm = r.sources[pseudonym("ftm-tip-from-jane-doe-at-acme-ftm", "src")]
    assert ftm.title == f"FollowTheMoney entities: {ftm.id}" and ftm.file == ""
    gem = r.sources[pseudonym("gem-gem-coal-tip-from-jane-doe-2024-05-22", "src")]
    assert gem.title == f"Global Energy Monitor, Global Coal Mine Tracker ({gem.id})" and gem.publisher == "Global Energy Monitor"
    # the company whose id holds the person's name, and the OWNS edge to Acme, are renamed
    jd = pseudonym("ftm-jane-doe-holdings", "company")
    assert r.has_node(jd) and r.node(jd)["name"] == "JD Holdings (fictional)"
    assert [(u, v) for _, u, v, a in r.edges() if u == jd] == [(jd, "ftm-acme-steel")]
    # every reference follows: sources lists and value pins name the pseudonyms only
    assert r.node("ftm-acme-steel")["sources"] == [ftm.id]
    assert all(e.split("=", 1)[1] in r.sources or e.endswith("=withheld")
               for _, a in r.nodes() for e in a.get("value_sources") or [])
    assert r.validate() == []
    text = json.dumps([[n, a] for n, a in r.nodes()] + [[k, u, v, a] for k, u, v, a in r.edges()]
                      + [s.as_dict() for s in r.sources.values()], default=str)
    assert _leaks(text) == []
    assert redact(r) == r  # redacting again changes nothing
    assert r == redact(g)  # deterministic: the same pseudonyms every time


def test_pseudonym_key_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    fixed = pseudonym("ftm-tip-from-jane-doe-at-acme-ftm", "src")
    monkeypatch.setenv("CAMPAIGN_GRAPH_PSEUDONYM_KEY", "a secret")
    keyed = pseudonym("ftm-tip-from-jane-doe-at-acme-ftm", "src")
    assert keyed != fixed and keyed == pseudonym("ftm-tip-from-jane-doe-at-acme-ftm", "src")


FTM_SRC = "ftm-tip-from-jane-doe-at-acme-ftm"
#: (name, arguments, the sources it shows: "all", one source id, or None when it shows none)
OUTPUTS = [
    ("export-graphml", ["export", "{snap}", "--format", "graphml", "-o", "{out}/x.graphml"], "all"),
    ("export-gexf", ["export", "{snap}", "--format", "gexf", "-o", "{out}/x.gexf"], "all"),
    ("export-json", ["export", "{snap}", "--format", "json", "-o", "{out}/x.json"], "all"),
    ("export-csv", ["export", "{snap}", "--format", "csv", "-o", "{out}/csv"], "all"),
    ("export-parquet", ["export", "{snap}", "--format", "parquet", "-o", "{out}/pq"], "all"),
    ("export-xlsx", ["export", "{snap}", "--format", "xlsx", "-o", "{out}/x.xlsx"], "all"),
    ("export-cypher", ["export", "{snap}", "--format", "cypher", "-o", "{out}/x.cypher"], "all"),
    ("snapshot", ["snapshot", "{snap}", "-o", "{out}/snap"], "all"),
    ("map", ["map", "{snap}", "--company", "ftm-acme-steel", "-o", "{out}/map.html"], FTM_SRC),
    ("geo-html", ["geo", "{snap}", "--company", "gem-south32-ltd", "-o", "{out}/geo.html"], None),
    ("brief-html", ["brief", "{snap}", "--company", "ftm-acme-steel", "-o", "{out}/brief.html"], FTM_SRC),
    ("brief-md", ["brief", "{snap}", "--company", "ftm-acme-steel", "-o", "{out}/brief.md"], FTM_SRC),
]


@pytest.mark.parametrize("name,args,shows", OUTPUTS, ids=[o[0] for o in OUTPUTS])
def test_redacted_outputs_hold_no_file_or_person_name(
    derived_snapshot: Path, tmp_path: Path, name: str, args: list[str], shows: str | None
) -> None:
    full, red = tmp_path / "full", tmp_path / "red"
    full.mkdir()
    red.mkdir()
    whole = ["--split-sensitive"] if name == "snapshot" else []
    r = CliRunner().invoke(cli, [a.format(snap=derived_snapshot, out=full) for a in args] + whole)
    assert r.exit_code == 0, r.output
    if shows is not None:  # unredacted, the file names are there (else this proves nothing)
        assert "tip-from" in _text_of(full)
    r = CliRunner().invoke(cli, [a.format(snap=derived_snapshot, out=red) for a in args] + ["--redact"])
    assert r.exit_code == 0, r.output
    text = _text_of(red)
    assert _leaks(text) == [] and _leaks(r.output) == [], name
    found = set(SRC.findall(text))
    expected = {pseudonym(s, "src") for s in FILE_SOURCES}
    if shows == "all":  # the whole graph: exactly the four pseudonyms, and the renamed company
        assert found == expected
        assert set(COMPANY.findall(text)) == {pseudonym("ftm-jane-doe-holdings", "company")}
    elif shows is not None:  # a company's view: the pseudonym of the file that states its facts
        assert pseudonym(shows, "src") in found and found <= expected
    else:
        assert found <= expected


@pytest.mark.parametrize("cmd,out", [("brief", "b.md"), ("map", "m.html"), ("geo", "g.html")])
def test_a_company_named_by_its_old_id_is_shown_under_its_pseudonym(
    derived_snapshot: Path, tmp_path: Path, cmd: str, out: str
) -> None:
    """``--company ftm-jane-doe-holdings --redact``: found in the full graph, drawn as its pseudonym."""
    r = CliRunner().invoke(cli, [cmd, str(derived_snapshot), "--company", "ftm-jane-doe-holdings",
                                 "-o", str(tmp_path / out), "--redact"])
    assert r.exit_code == 0, r.output
    text = (tmp_path / out).read_text(encoding="utf-8")
    assert _leaks(text) == [] and "JD Holdings" in text
    if cmd == "map":  # the map carries node ids
        assert pseudonym("ftm-jane-doe-holdings", "company") in text


def test_split_snapshot_with_pseudonyms_loads_whole_and_shares_none(derived_snapshot: Path, tmp_path: Path) -> None:
    g = load_snapshot(derived_snapshot)
    m = save_snapshot(g, tmp_path / "split", public=redact(g))
    assert load_snapshot(tmp_path / "split") == g  # the sensitive file puts the original names back
    shared = tmp_path / "shared"
    shutil.copytree(tmp_path / "split", shared, ignore=shutil.ignore_patterns("sensitive-*"))
    assert _leaks(_text_of(shared)) == []
    assert load_snapshot(shared) == redact(g)
    assert m["sensitive"]["rows"] > 0


def test_snapshot_redact_renames_the_us_setting_with_its_union(tmp_path: Path) -> None:
    from graphmodel.graph import CampaignGraph
    from graphmodel.stores.snapshot import read_settings

    g = CampaignGraph()
    g.add_node("p1", "Person", "Jane Doe")
    g.add_node("jane-doe-workers-union", "Union", "JD Workers Union (fictional)")
    g.add_node("u2", "Union", "Other Union (fictional)")
    save_snapshot(g, tmp_path / "s", settings={"us": ["jane-doe-workers-union", "u2"]})
    r = CliRunner().invoke(cli, ["snapshot", str(tmp_path / "s"), "-o", str(tmp_path / "red"), "--redact"])
    assert r.exit_code == 0, r.output
    renamed = pseudonym("jane-doe-workers-union", "union")
    assert read_settings(tmp_path / "red") == {"us": [renamed, "u2"]}
    assert load_snapshot(tmp_path / "red").node_ids() == sorted([renamed, "u2"])
    assert _leaks(_text_of(tmp_path / "red")) == []
