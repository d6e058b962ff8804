"""Sensitive data (issue 8 part 3, docs/threats.md row 12): redaction through every CLI output,
split snapshots that can be shared, and no sensitive value in any log line or error message.

The canary fixture (fictional Acme Steel) is :func:`tests.exports.test_redact.canary_graph`:
every sensitive field holds a value listed in ``CANARIES``.
"""

from __future__ import annotations

import json
import logging
import shutil
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from exports.cli.main import cli
from exports.redact import is_redacted, redact
from graphmodel.errors import CampaignGraphError
from graphmodel.stores.snapshot import load_snapshot, save_snapshot
from loaders.registry import load_paths
from tests.exports.test_redact import CANARIES, canary_graph, canary_hits


def _text_of(path: Path) -> str:
    """Every byte of a file or folder as text: xlsx parts (docProps included), Parquet rows and PNG text chunks too."""
    parts: list[str] = []
    for p in sorted(path.rglob("*")) if path.is_dir() else [path]:
        if not p.is_file():
            continue
        data = p.read_bytes()
        if zipfile.is_zipfile(p):
            with zipfile.ZipFile(p) as z:
                parts += [z.read(n).decode("utf-8", "replace") for n in z.namelist()]
        elif data.startswith(b"\x89PNG"):  # a chart: its text chunks, not its compressed pixels (random bytes
            from PIL import Image  # that spell "doe" now and then); text drawn as pixels is out of reach here

            with Image.open(p) as im:
                parts.append(json.dumps(im.info, default=str, ensure_ascii=False))
        elif p.suffix == ".parquet":
            t = pq.read_table(p)
            parts.append(json.dumps(t.to_pylist(), default=str, ensure_ascii=False))
            parts.append(data.decode("latin-1"))
        else:
            parts.append(data.decode("utf-8", "replace"))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def canary_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("canary") / "snap"
    save_snapshot(canary_graph(), d)
    return d


# --- split snapshots ------------------------------------------------------------------------


def test_split_snapshot_loads_whole_and_shares_redacted(tmp_path: Path) -> None:
    g = canary_graph()
    m = save_snapshot(g, tmp_path / "split", public=redact(g))
    sensitive = tmp_path / "split" / m["sensitive"]["path"]
    assert sensitive.is_file() and m["sensitive"]["rows"] > 0
    # with its sensitive file the folder is the full graph, every value exact
    assert load_snapshot(tmp_path / "split") == g
    # the shareable part: everything but the sensitive file, with no canary at all (manifest included)
    shared = tmp_path / "shared"
    shutil.copytree(tmp_path / "split", shared, ignore=shutil.ignore_patterns("sensitive-*"))
    assert canary_hits(_text_of(shared)) == []
    assert set(canary_hits(sensitive.read_bytes().decode("latin-1") + _text_of(sensitive))) == set(CANARIES)
    h = load_snapshot(shared)
    assert h == redact(g) and is_redacted(h)
    assert "Person" not in m["counts"]["by_kind"]  # the manifest does not even count the people


def test_tampered_sensitive_file_is_refused_naming_it(tmp_path: Path) -> None:
    g = canary_graph()
    m = save_snapshot(g, tmp_path / "s", public=redact(g))
    f = tmp_path / "s" / m["sensitive"]["path"]
    data = bytearray(f.read_bytes())
    data[len(data) // 2] ^= 0xFF
    f.write_bytes(bytes(data))
    with pytest.raises(CampaignGraphError) as ei:
        load_snapshot(tmp_path / "s")
    assert "does not match the hash" in ei.value.message and ei.value.file.endswith(m["sensitive"]["path"])
    assert canary_hits(str(ei.value)) == []


def test_resaving_unsplit_removes_the_old_sensitive_file(tmp_path: Path) -> None:
    g = canary_graph()
    save_snapshot(g, tmp_path / "s", public=redact(g))
    save_snapshot(redact(g), tmp_path / "s")
    assert list((tmp_path / "s").glob("sensitive-*")) == []
    assert canary_hits(_text_of(tmp_path / "s")) == []


def test_cli_snapshot_split_and_redact(canary_snapshot: Path, tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["snapshot", str(canary_snapshot), "-o", str(tmp_path / "split"), "--split-sensitive"])
    assert r.exit_code == 0, r.output
    assert "leave it out when sharing" in r.output and canary_hits(r.output) == []
    assert load_snapshot(tmp_path / "split") == canary_graph()
    r = CliRunner().invoke(cli, ["snapshot", str(canary_snapshot), "-o", str(tmp_path / "red"), "--redact"])
    assert r.exit_code == 0, r.output
    assert canary_hits(_text_of(tmp_path / "red")) == [] and load_snapshot(tmp_path / "red") == redact(canary_graph())
    r = CliRunner().invoke(cli, ["snapshot", str(canary_snapshot), "-o", str(tmp_path / "x")])
    assert r.exit_code == 1 and r.output.startswith("error: ")


# --- every CLI output with --redact ----------------------------------------------------------

OUTPUTS = [
    ("export-graphml", ["export", "{snap}", "--format", "graphml", "-o", "{out}/x.graphml"]),
    ("export-gexf", ["export", "{snap}", "--format", "gexf", "-o", "{out}/x.gexf"]),
    ("export-json", ["export", "{snap}", "--format", "json", "-o", "{out}/x.json"]),
    ("export-csv", ["export", "{snap}", "--format", "csv", "-o", "{out}/csv"]),
    ("export-parquet", ["export", "{snap}", "--format", "parquet", "-o", "{out}/pq"]),
    ("export-xlsx", ["export", "{snap}", "--format", "xlsx", "-o", "{out}/x.xlsx"]),
    ("export-cypher", ["export", "{snap}", "--format", "cypher", "-o", "{out}/x.cypher"]),
    ("export-neo4j-admin", ["export", "{snap}", "--format", "neo4j-admin", "-o", "{out}/admin"]),
    ("map", ["map", "{snap}", "--company", "acme", "-o", "{out}/map.html"]),
    ("geo-html", ["geo", "{snap}", "--company", "acme", "-o", "{out}/geo.html"]),
    ("brief-html", ["brief", "{snap}", "--company", "acme", "-o", "{out}/brief.html"]),
    ("brief-md", ["brief", "{snap}", "--company", "acme", "-o", "{out}/brief.md"]),
]


@pytest.mark.parametrize("name,args", OUTPUTS, ids=[o[0] for o in OUTPUTS])
def test_every_cli_output_with_redact_has_no_canary(
    canary_snapshot: Path, tmp_path: Path, name: str, args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    full, red, cwd = tmp_path / "full", tmp_path / "red", tmp_path / "cwd"
    full.mkdir()
    red.mkdir()
    cwd.mkdir()
    monkeypatch.chdir(cwd)  # docs/threats.md row 8: nothing may land in the working directory (pyvis' lib/ folder)
    argv = [a.format(snap=canary_snapshot, out=full) for a in args]
    r = CliRunner().invoke(cli, argv)
    assert r.exit_code == 0, r.output
    unredacted = canary_hits(_text_of(full))
    r = CliRunner().invoke(cli, [a.format(snap=canary_snapshot, out=red) for a in args] + ["--redact"])
    assert r.exit_code == 0, r.output
    assert canary_hits(_text_of(red)) == [], name
    assert canary_hits(r.output) == []
    assert list(cwd.iterdir()) == []
    # exactly the named file or folder (and a Markdown briefing's chart files beside it, checked above too)
    assert len(list(red.iterdir())) == 1 + (name == "brief-md")
    if name.startswith("export"):
        assert unredacted, "the unredacted export should carry canaries (else this test proves nothing)"


# --- logs and error messages -----------------------------------------------------------------

MARKER = "ZQX-SECRET-7731"


def test_no_sensitive_value_reaches_an_error_message_or_log(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Bad rows whose cells hold a marker value: the errors, the log, stderr and the report never show it."""
    (tmp_path / "nodes.csv").write_text(
        "id,kind,name,email,phone,notes,workforce,birth_date\n"
        f"p1,Person,Person One,{MARKER}@x,+1 {MARKER},ok,,{MARKER}\n"  # birth_date not a date
        f"u1,Union,Union One,a@example.org,{MARKER}-phone,{MARKER} note,,\n"
        f"s1,Site,Site One,,,{MARKER},{MARKER},\n"  # workforce not a number
        f"s1,Site,Site One,,,other {MARKER},,\n"  # duplicate id with a different (sensitive) note
        f"u2,Union,Union Two,,,,,\n"
        f"{MARKER},Person,x,,,,,\n"  # ids are not values: this one may be named, its fields not
    )
    (tmp_path / "edges.csv").write_text(
        "source,target,kind,members,role,notes\n"
        f"u1,s1,REPRESENTS,{MARKER},,\n"  # members not a number
        f"p1,u1,HOLDS_ROLE,,organiser,{MARKER}\n"
        f"u2,s1,REPRESENTS,12,,{MARKER}\n"
        f"p1,zz,HOLDS_ROLE,,{MARKER},\n"  # missing target
    )
    caplog.set_level(logging.DEBUG)
    _, ctx = load_paths([tmp_path])
    messages = [str(e) for e in ctx.errors] + ctx.warnings
    assert len(ctx.errors) >= 4
    leaks = [m for m in messages if MARKER in m and not m.startswith(f"{tmp_path}")]
    assert [m for m in messages if MARKER in m.replace(f"'{MARKER}'", "")] == [], leaks
    assert MARKER not in caplog.text
    # the CLI: stderr/stdout and the --report file
    report = tmp_path / "report.json"
    r = CliRunner().invoke(cli, ["load", str(tmp_path), "-o", str(tmp_path / "snap"), "--report", str(report)])
    assert r.exit_code == 0, r.output
    assert MARKER not in r.output.replace(f"'{MARKER}'", "")
    assert MARKER not in report.read_text(encoding="utf-8").replace(f"'{MARKER}'", "").replace(f'"{MARKER}"', "")
    # --strict fails on the first bad row with one line that does not echo the value
    r = CliRunner().invoke(cli, ["load", str(tmp_path), "-o", str(tmp_path / "snap2"), "--strict"])
    assert r.exit_code == 1 and len(r.output.strip().splitlines()) == 1
    assert MARKER not in r.output


@pytest.mark.parametrize("prop,value", [("birth_date", "bad-date"), ("members", "many"), ("density", "lots")])
def test_graph_api_errors_do_not_echo_sensitive_values(prop: str, value: str) -> None:
    from graphmodel.graph import CampaignGraph

    g = CampaignGraph()
    g.add_node("u", "Union", "U")
    g.add_node("s", "Site", "S")
    g.add_node("p", "Person", "P")
    v = f"{MARKER}{value}"
    with pytest.raises(CampaignGraphError) as ei:
        if prop == "birth_date":
            g.add_node("p2", "Person", "P2", birth_date=v)
        else:
            g.add_edge("u", "s", "REPRESENTS", **{prop: v})
    assert MARKER not in str(ei.value)
