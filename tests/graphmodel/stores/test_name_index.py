"""The name index made at save (``names-<hash>.parquet``) and the validation summary in the manifest.

find() on a loaded snapshot (index read from the file, searched with pyarrow.compute) must
answer exactly as find() on the same graph built in memory (index built by find() itself).
Fixture names are fictional.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exports.cli.main import cli
from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.nameindex import StoredNameIndex
from graphmodel.records import Source
from graphmodel.stores.snapshot import load_snapshot, save_snapshot
from tests.graphmodel.stores.test_snapshot_untrusted import tamper


def hand_graph() -> CampaignGraph:
    g = CampaignGraph()
    g.add_source(Source("s1", title="Fictional notes"))
    g.add_node("sg", "Company", "Société Générale d'Acier S.A.", sources=["s1"], lei="LEI0000000000000SGA1")
    g.add_node("sg2", "Company", "Societe Generale d'Acier GmbH", sources=["s1"])
    g.add_node("am", "Company", "Arcelor Mittal Ltd", sources=["s1"], aliases=["AM Steel"], wikidata="Q999001")
    g.add_node("old", "Company", "New Name plc", sources=["s1"], former_names=["Old Steel Works (until 2010-05-01)"])
    g.add_node("site", "Site", "Société Mine 1", sources=["s1"], gem_id=["M100"])
    g.add_node("noname", "Union", "", sources=["s1"])
    g.add_node("punct", "Union", "!!!", sources=["s1"])
    return g


QUERIES = ["societe generale d'acier", "SOCIÉTÉ GÉNÉRALE D ACIER SA", "ArcelorMittal", "arcelor mittal", "am steel",
           "AM-Steel", "Old Steel Works", "old steel", "lei0000000000000sga1", "q999001", "m100", "site", "Mine",
           "société", "???", "!!!", "zzz", "New Name", "sg"]


def answers(g: CampaignGraph, queries: list[str]) -> list[list[tuple]]:
    out = []
    for q in queries:
        for kind in (None, "Company"):
            for partial in (True, False):
                out.append([(m.id, m.kind, m.name, m.matched, m.how) for m in g.find(q, kind, partial=partial)])
    return out


def saved_and_loaded(g: CampaignGraph, folder: Path) -> CampaignGraph:
    save_snapshot(g, folder)
    loaded = load_snapshot(folder)
    assert isinstance(loaded._index, StoredNameIndex)  # read from the file, not built
    return loaded


def test_hand_fixture_answers_are_the_worked_ones_from_the_file(tmp_path: Path) -> None:
    g = hand_graph()
    loaded = saved_and_loaded(g, tmp_path / "snap")
    # worked out by hand: accents, case and legal forms ignored; both Société rows share one key
    assert [(m.id, m.how) for m in loaded.find("SOCIÉTÉ GÉNÉRALE D ACIER SA")] == [("sg2", "name"), ("sg", "name")]
    assert [(m.id, m.how) for m in loaded.find("ArcelorMittal")] == [("am", "name")]  # compact key
    assert [(m.id, m.how) for m in loaded.find("am-steel")] == [("am", "alias")]
    assert [(m.id, m.how) for m in loaded.find("Old Steel Works")] == [("old", "former_name")]
    assert [(m.id, m.how) for m in loaded.find("q999001")] == [("am", "identifier")]
    assert [(m.id, m.how) for m in loaded.find("M100")] == [("site", "identifier")]
    assert [(m.id, m.how) for m in loaded.find("mine 1")] == [("site", "partial")]
    assert loaded.find("mine 1", partial=False) == []
    assert [(m.id, m.how) for m in loaded.find("Mine", "Company")] == []
    assert answers(loaded, QUERIES) == answers(g, QUERIES)
    assert isinstance(loaded._index, StoredNameIndex)  # still no index built in memory


def test_the_generated_graph_answers_alike(tmp_path: Path, xs: CampaignGraph) -> None:  # xs: tests/generated.py
    loaded = saved_and_loaded(xs, tmp_path / "snap")
    queries = sorted({a.get("name") or "" for _, a in xs.nodes()})[::7] + ["Group 1", "holding", "Site 3-1", "g1"]
    assert len(queries) > 20
    assert answers(loaded, queries) == answers(xs, queries)


WORDS = st.sampled_from(["Acier", "Société", "Générale", "Mittal", "Arcelor", "Çelik", "Stahl", "Nord", "Øst",
                         "S.A.", "SA", "Ltd", "plc", "GmbH", "Tbk", "&", "and", "-", "Iron", "Coal", "!"])
NAME = st.lists(WORDS, min_size=1, max_size=4).map(" ".join)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(NAME, st.lists(NAME, max_size=2), st.lists(NAME, max_size=1)), min_size=1, max_size=8),
       queries=st.lists(NAME, min_size=1, max_size=6))
def test_any_names_answer_alike_from_the_file(tmp_path_factory: pytest.TempPathFactory, rows: list, queries: list) -> None:
    g = CampaignGraph()
    for i, (name, aliases, former) in enumerate(rows):
        g.add_node(f"n{i}", "Company", name, aliases=aliases, former_names=[f"{f} (until 2001-01-01)" for f in former])
    loaded = saved_and_loaded(g, tmp_path_factory.mktemp("h") / "snap")
    queries = queries + [name for name, _, _ in rows] + [a for _, al, _ in rows for a in al]
    assert answers(loaded, queries) == answers(g, queries)


def test_a_snapshot_without_the_index_file_still_loads_and_finds(tmp_path: Path) -> None:
    g = hand_graph()
    folder = tmp_path / "snap"
    save_snapshot(g, folder)
    new_info = CliRunner().invoke(cli, ["info", str(folder), "--format", "json"]).output
    mpath = folder / "manifest.json"
    manifest = json.loads(mpath.read_text())
    (folder / manifest["files"].pop("names")["path"]).unlink()
    manifest.pop("validation")
    mpath.write_text(json.dumps(manifest))  # as an older version wrote it
    loaded = load_snapshot(folder)
    assert loaded._index is None
    assert answers(loaded, QUERIES) == answers(g, QUERIES)
    result = CliRunner().invoke(cli, ["info", str(folder)])
    assert result.exit_code == 0 and "validation: ok" in result.output
    # info from the manifest and tables says what info from the whole graph says
    assert CliRunner().invoke(cli, ["info", str(folder), "--format", "json"]).output == new_info


def test_a_changed_graph_searches_its_own_names(tmp_path: Path) -> None:
    loaded = saved_and_loaded(hand_graph(), tmp_path / "snap")
    copied = loaded.copy()
    assert copied._index is loaded._index and answers(copied, QUERIES) == answers(hand_graph(), QUERIES)
    loaded.add_node("fresh", "Company", "Fresh Acier AG")
    assert [(m.id, m.how) for m in loaded.find("fresh acier")] == [("fresh", "name")]
    assert loaded._index is not copied._index  # built again (names_table) after the change
    copied.add_node("other", "Company", "Other Acier AG")
    assert [m.id for m in copied.find("Other Acier")] == ["other"] and loaded.find("Other Acier") == []


def test_tampered_index_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "snap"
    save_snapshot(hand_graph(), folder)
    entry = json.loads((folder / "manifest.json").read_text())["files"]["names"]
    path = folder / entry["path"]
    path.write_bytes(path.read_bytes()[:-1] + b"\0")
    with pytest.raises(CampaignGraphError, match="names file does not match the hash"):
        load_snapshot(folder)


@pytest.mark.parametrize("edit, column", [
    (lambda t: t.set_column(2, "node", pa.array([99] * t.num_rows, pa.int32())), "node"),
    (lambda t: t.set_column(0, "table", pa.array(["nickname"] * t.num_rows)), "table"),
    (lambda t: t.drop_columns(["key"]), ""),
])
def test_index_edited_with_its_hash_recomputed_is_refused(tmp_path: Path, edit, column: str) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "snap"
    save_snapshot(hand_graph(), folder)
    path = tamper(folder, "names", edit)
    with pytest.raises(CampaignGraphError) as e:
        load_snapshot(folder)
    assert e.value.file == str(path) and (e.value.column or "") == column


def test_the_index_holds_only_the_shared_names_of_a_split_snapshot(tmp_path: Path) -> None:
    from exports.redact import redact

    g = hand_graph()
    g.add_node("secret", "Person", "Hidden Organiser")  # people never reach the shared part
    folder = tmp_path / "snap"
    save_snapshot(g, folder, public=redact(g))
    entry = json.loads((folder / "manifest.json").read_text())["files"]["names"]
    keys = pq.read_table(folder / entry["path"]).column("key").to_pylist()
    assert keys and not any("hidden" in k for k in keys)
    info = json.loads(CliRunner().invoke(cli, ["info", str(folder), "--format", "json"]).output)
    assert info["nodes"] == g.number_of_nodes() and info["by_kind"]["nodes"]["Person"] == 1  # the whole graph
    whole = load_snapshot(folder)  # with the sensitive file: the index is built from the whole graph
    assert whole._index is None
    assert [(m.id, m.how) for m in whole.find("Hidden Organiser")] == [("secret", "name")]


def test_info_reads_the_validation_summary_from_the_manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "snap"
    manifest = save_snapshot(hand_graph(), folder)
    assert {k: manifest["validation"][k] for k in ("problems", "nodes", "edges")} == {"problems": 0, "nodes": 0, "edges": 0}

    def no_validate(self: CampaignGraph) -> list:
        raise AssertionError("info validated the graph again")

    monkeypatch.setattr(CampaignGraph, "validate", no_validate)
    result = CliRunner().invoke(cli, ["info", str(folder), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["errors"] == []


def test_a_graph_edited_through_nx_has_its_problems_in_the_manifest(tmp_path: Path) -> None:
    g = hand_graph()
    g.nx.nodes["am"]["sources"] = ["nowhere"]  # a source the graph does not hold: validate() finds it
    expected = [e.as_dict() for e in g.validate()]
    assert len(expected) == 1
    folder = tmp_path / "snap"
    manifest = save_snapshot(g, folder)
    assert manifest["validation"]["problems"] == 1 and manifest["validation"]["nodes"] == 1
    assert manifest["validation"]["errors"] == expected
