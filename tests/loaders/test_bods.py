"""BODS 0.4 loader: statements -> Company / Person / OWNS / HOLDS_ROLE, versions, ranges, bad input.

Fixtures: ``fixtures/bods/*.json`` are copies of Open Ownership's BODS examples (Apache-2.0,
``data/bods``) except ``acme-fictional.json``, written from the BODS 0.4 schema with
fictional entities. Expected values below are read off those files.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from exports.cli.main import cli
from graphmodel.errors import CampaignGraphError
from loaders import bods
from loaders.builder import build
from loaders.context import LoadContext
from loaders.registry import guess_format, load_paths
from tests.shared_data import SHARED_DATA

FIX = Path(__file__).parent / "fixtures" / "bods"
SHARED = SHARED_DATA / "bods"


def _load(*names: str):
    ctx = LoadContext()
    for n in names:
        bods.load(FIX / n, ctx)
    return build(ctx), ctx


def _props(g, eid):
    _, _, a = g.edge(eid)
    return {k: v for k, v in a.items() if k not in ("kind", "sources", "origins")}


def test_indirect_ownership_chain_is_direct_edges_and_indirect_is_skipped():
    g, ctx = _load("indirect-ownership.json")
    assert {n: g.name_of(n) for n in g.node_ids()} == {
        "bods-ad3f6c2fcc9e": "Company A",
        "bods-d4ab89ea169a": "Company B",
        "bods-c25d4d612c2c": "Person 1",
    }
    assert g.kind_of("bods-c25d4d612c2c") == "Person"
    person = g.node("bods-c25d4d612c2c")
    assert person["birth_date"] == "1965-11-01" and person["nationality"] == "GB"
    assert g.node("bods-ad3f6c2fcc9e")["registry_ids"] == ["GB-COH:XE9999"]
    # Company B holds 60% of Company A since 2017-11-01; Person 1 -> Company B: interest of unknown kind
    assert _props(g, "OWNS:bods-d4ab89ea169a->bods-ad3f6c2fcc9e@2017-11-01") == {"share": 60.0, "valid_from": "2017-11-01"}
    assert _props(g, "OWNS:bods-c25d4d612c2c->bods-d4ab89ea169a") == {}
    # the indirect 30% of Person 1 in Company A has its chain in the file: not a third edge
    assert g.number_of_edges() == 2
    assert ctx.stats["bods_indirect_skipped"] == 1
    assert not ctx.errors


def test_record_versions_end_superseded_periods_tecido():
    g, ctx = _load("tecido.json")
    maria, tecido, other = "bods-018af6b3eb", "bods-01b68d7633", "bods-033e84672b"
    assert g.kind_of(maria) == "Person"
    assert _props(g, f"OWNS:{maria}->{tecido}@2002-03-09") == {
        "share": 100.0, "voting": 100.0, "valid_from": "2002-03-09", "valid_to": "2021-09-23",
    }
    assert _props(g, f"OWNS:{maria}->{tecido}@2021-09-24") == {
        "share": 40.0, "voting": 40.0, "valid_from": "2021-09-24", "valid_to": "2022-09-20",
    }
    # closed on 2023-03-03 (closing statement's date, no endDate given)
    assert _props(g, f"OWNS:{maria}->{tecido}@2022-09-21")["valid_to"] == "2023-03-03"
    assert _props(g, f"OWNS:{other}->{tecido}@2023-03-01") == {"share": 80.0, "voting": 80.0, "valid_from": "2023-03-01"}
    assert _props(g, f"OWNS:{other}->{tecido}@2022-09-21")["valid_to"] == "2023-02-28"
    role = _props(g, f"HOLDS_ROLE:{maria}->{tecido}:boardChair@2002-03-09")
    assert role == {"role": "boardChair", "valid_from": "2002-03-09", "valid_to": "2021-09-23"}
    # as of 2022-01-01 the two holders add up to 100%, not 200%
    live = [a.get("share") for _, _, _, a in g.edges("OWNS", as_of="2022-01-01")]
    assert sorted(live) == [40.0, 60.0]
    assert not ctx.errors


def test_closed_relationships_take_their_end_dates_fermcat():
    g, _ = _load("fermcat.json")
    ferm = "bods-ent-93c75c87ab28f889"
    riyadh = _props(g, f"OWNS:bods-per-5faa4103dee78621->{ferm}@2019-09-11")
    assert riyadh == {"share": 50.0, "valid_from": "2019-09-11", "valid_to": "2021-04-03"}
    declan = _props(g, f"OWNS:bods-per-e334cc6258e56467->{ferm}@2021-04-03")
    assert declan == {"share": 50.0, "valid_from": "2021-04-03", "valid_to": "2022-01-21"}
    patrick = _props(g, f"OWNS:bods-per-41c0bb0cef246f7c->{ferm}@2019-09-11")
    assert patrick == {"share": 100.0, "valid_from": "2019-09-11"}  # the latest version wins
    assert g.name_of(ferm) == "Fermcat Ltd"


def test_exempt_subject_gets_parent_unknown_reason():
    g, _ = _load("listed-company-exempt-from-disclosure.json")
    (cid,) = g.node_ids("Company")
    assert g.node(cid)["parent_unknown_reason"] == "subjectExemptFromDisclosure"
    assert g.node(cid)["listed"] is True
    assert g.number_of_edges() == 0


def test_roles_from_persons_become_holds_role_entity_roles_are_noted():
    g, ctx = _load("nomination.json")
    roles = sorted((u, v, a["role"]) for _, u, v, a in g.edges("HOLDS_ROLE"))
    assert roles == [
        ("bods-101ab1984f", "bods-103ab1984d", "nominator"),
        ("bods-102ab1984e", "bods-103ab1984d", "nominee"),
    ]
    assert ctx.stats["bods_entity_roles_skipped"] == 1
    assert ctx.stats["bods_indirect_skipped"] == 1


def test_state_ownership_without_beneficial_control_has_no_control_flag():
    g, _ = _load("bods-package-fi-soe.json")
    assert _props(g, "OWNS:bods-7ff95ba3682c->bods-19f1c5afe9d7@2020-01-01") == {"share": 23.5, "valid_from": "2020-01-01"}
    assert _props(g, "OWNS:bods-0199c515a699->bods-19f1c5afe9d7@2020-01-01") == {"share": 76.5, "valid_from": "2020-01-01"}
    assert _props(g, "OWNS:bods-05ce06ec97b1->bods-7ff95ba3682c") == {}  # otherInfluenceOrControl, BOoC false


def test_fictional_fixture_every_field_and_row_errors():
    g, ctx = _load("acme-fictional.json")
    steel = g.node("bods-acme-steel")
    assert steel["name"] == "Acme Steel Holdings (fictional)"
    assert steel["aliases"] == ["Acme Steel"]
    assert steel["country"] == "GB"  # jurisdiction GB-SCT
    assert steel["hq_country"] == "BE"
    assert steel["lei"] == "ACMESTEELFICTIONAL01"
    assert steel["registry_ids"] == ["GB-COH:SC000001"]
    assert steel["listed"] is True
    assert g.node("bods-acme-mines")["country"] == "ZA"  # registered address
    # shareholding exact, voting as a range (never its midpoint), board appointment with BO/control -> control=yes
    assert _props(g, "OWNS:bods-acme-steel->bods-acme-mines@2015-03-01") == {
        "share": 51.0, "voting_min": 50.0, "voting_max": 75.0, "control": "yes", "valid_from": "2015-03-01",
    }
    # indirect with no component records: the end of a chain whose middle is unpublished
    assert _props(g, "OWNS:bods-john-example->bods-acme-steel@2016-01-01#indirect") == {
        "share": 30.0, "derived": "bods_indirect", "valid_from": "2016-01-01",
    }
    assert _props(g, "HOLDS_ROLE:bods-john-example->bods-acme-mines:boardMember@2017-06-01") == {
        "role": "boardMember", "valid_from": "2017-06-01", "valid_to": "2020-06-30",
    }
    assert g.node("bods-john-example")["birth_date"] == "1960-02-01"
    errs = sorted((e.row, e.column, e.message) for e in ctx.errors)
    assert errs == [
        (6, "/6/recordDetails/interests/0/share/exact", "a share must be a number"),
        (7, "/7/recordType", "recordType must be entity, person or relationship, not 'company'"),
        (8, "/8", "a statement must be an object"),
    ]
    assert all(e.file.endswith("acme-fictional.json") for e in ctx.errors)
    assert ctx.summary()["rows_read"] == 9 and ctx.summary()["rows_rejected"] == 3


def test_every_shared_bods_file_loads_without_error():
    g, ctx = load_paths([SHARED], link=False)  # every statement as published (linking: tests/loaders/test_linking.py)
    assert not ctx.errors
    assert g.counts_by_kind()["nodes"] == {"Company": 33, "Person": 20}
    assert ctx.stats["bods_indirect_skipped"] == 6
    # 47 = 46 with published interests + 1 relationship (bods-package-annotations.json) without any
    assert g.number_of_edges() == 47


def test_json_lines_flavour(tmp_path):
    statements = json.loads((FIX / "indirect-ownership.json").read_text())
    f = tmp_path / "statements.jsonl"
    f.write_text("\n".join(json.dumps(s) for s in statements) + "\n")
    assert guess_format(f) == "bods"
    g, ctx = load_paths([f])
    assert g.number_of_nodes() == 3 and g.number_of_edges() == 2 and not ctx.errors


@pytest.mark.parametrize(
    "content, message",
    [
        ('[{"statementId": "x", "recordType": "entity", "recordId": "a", "recordDetails": {"name": "Tru', "invalid JSON"),
        ("[" * 200_000 + "]" * 200_000, "nested too deeply"),
        ('{"statementId": "x", "recordType": "entity"', "invalid JSON"),
        ("", "empty"),
    ],
    ids=["truncated", "deeply-nested", "truncated-line", "empty"],
)
def test_bad_files_give_one_clear_error(tmp_path, content, message):
    f = tmp_path / "bad.json"
    f.write_text(content)
    t0 = time.perf_counter()
    with pytest.raises(CampaignGraphError, match=message) as info:
        bods.load(f, LoadContext())
    assert time.perf_counter() - t0 < 5
    assert info.value.file == str(f)


def test_bad_file_in_a_folder_does_not_stop_the_good_ones(tmp_path):
    (tmp_path / "a.json").write_text((FIX / "indirect-ownership.json").read_text())
    (tmp_path / "b.json").write_text("[" * 100_000)
    g, ctx = load_paths([tmp_path], fmt="bods")
    assert g.number_of_nodes() == 3
    assert [e.file for e in ctx.errors] == [str(tmp_path / "b.json")]


def test_old_bods_versions_are_named(tmp_path):
    ctx = LoadContext()
    f = tmp_path / "bods-0.2-like.json"
    f.write_text(json.dumps([{"statementId": "s", "statementType": "entityStatement", "recordId": "r"}]))
    bods.load(f, ctx)
    assert "BODS 0.2/0.3" in ctx.errors[0].message


def test_cli_load_and_guess(tmp_path):
    for name in ("indirect-ownership.json", "acme-fictional.json", "tecido.json"):
        assert guess_format(FIX / name) == "bods"
    runner = CliRunner()
    out = tmp_path / "snap"
    res = runner.invoke(cli, ["load", str(FIX / "indirect-ownership.json"), "--format", "bods", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "loaded 3 nodes and 2 edges" in res.output
    bad = tmp_path / "bad.json"
    bad.write_text("[" * 100_000)
    res = runner.invoke(cli, ["load", str(bad), "--format", "bods", "-o", str(tmp_path / "snap2")])
    assert res.exit_code == 1
    assert "Traceback" not in res.output
    assert "nested too deeply" in res.output


def test_persons_are_dropped_by_redaction():
    from exports.redact import redact

    g, _ = _load("tecido.json")
    assert g.counts_by_kind()["nodes"]["Person"] == 1
    r = redact(g)
    assert r.counts_by_kind() == {"nodes": {"Company": 2}, "edges": {"OWNS": 3}}
    assert "Maria Esteves" not in json.dumps(r.canonical(), default=str)


def test_relationship_without_interests_is_an_unknown_share_edge(tmp_path):
    statements = json.loads((FIX / "indirect-ownership.json").read_text())
    statements[3]["recordDetails"]["interests"] = []
    f = tmp_path / "no-interests.json"
    f.write_text(json.dumps(statements))
    g, ctx = load_paths([f])
    assert _props(g, "OWNS:bods-d4ab89ea169a->bods-ad3f6c2fcc9e") == {}
    assert not ctx.errors
