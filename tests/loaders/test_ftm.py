"""FollowTheMoney JSON lines loader.

Fixture ``fixtures/ftm/acme.ftm.jsonl`` is fictional, written from the FtM model documentation
(no saved OpenSanctions/Aleph export is available here); see ``fixtures/README.md``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from exports.cli.main import cli
from graphmodel import schema
from graphmodel.errors import CampaignGraphError
from loaders import ftm
from loaders.builder import build
from loaders.context import LoadContext
from loaders.registry import guess_format

FIX = Path(__file__).parent / "fixtures" / "ftm" / "acme.ftm.jsonl"


@pytest.fixture(scope="module")
def loaded():
    ctx = LoadContext()
    ftm.load(FIX, ctx)
    return build(ctx), ctx


def _attrs(g, nid):
    return {k: v for k, v in g.node(nid).items() if k not in ("sources", "origins")}


def _eprops(g, eid):
    _, _, a = g.edge(eid)
    return {k: v for k, v in a.items() if k not in ("kind", "sources", "origins")}


def test_companies_every_field(loaded):
    g, ctx = loaded
    assert _attrs(g, "ftm-acme-steel") == {
        "kind": "Company",
        "name": "Acme Steel Holdings (fictional)",
        "aliases": ["Acme Steel"],
        "former_names": ["Acme Iron Works (fictional)"],
        "country": "NL",
        "lei": "ACMESTEELFICTIONAL01",
        "wikidata": "Q9999999001",
        "legal_form": "N.V.",
        "website": "https://acme-steel.example",
        "registry_ids": ["registrationNumber:NL-000001"],
    }
    assert _attrs(g, "ftm-acme-mines") == {"kind": "Company", "name": "Acme Mines (fictional)", "country": "ZA"}
    # Organization and LegalEntity are companies too
    assert _attrs(g, "ftm-acme-ports") == {"kind": "Company", "name": "Acme Ports Authority (fictional)", "status": "Active"}
    assert _attrs(g, "ftm-acme-trust")["status"] == "dissolved"
    assert ctx.stats["ftm_companies"] == 4


def test_person_is_sensitive_and_complete(loaded):
    g, _ = loaded
    assert _attrs(g, "ftm-p-jane") == {
        "kind": "Person", "name": "Jane Example", "birth_date": "1970-05-01", "nationality": "GB",
        "email": "jane@example.org", "role": "Chief executive",
    }
    assert schema.NODE_KINDS["Person"].sensitive


def test_ownership_and_directorship(loaded):
    g, ctx = loaded
    assert _eprops(g, "OWNS:ftm-acme-steel->ftm-acme-mines@2015-03-01") == {"share": 75.0, "valid_from": "2015-03-01"}
    # "12.5%" is a percentage; partial dates widen to the period (start of 2019, end of 2021)
    assert _eprops(g, "OWNS:ftm-p-jane->ftm-acme-ports@2019-01-01") == {
        "share": 12.5, "valid_from": "2019-01-01", "valid_to": "2021-12-31",
    }
    assert _eprops(g, "OWNS:ftm-acme-steel->ftm-acme-ports") == {}  # no percentage: unknown, not 0 or 100
    assert _eprops(g, "HOLDS_ROLE:ftm-p-jane->ftm-acme-steel:director@2018-01-01") == {
        "role": "Director", "valid_from": "2018-01-01",
    }
    assert schema.EDGE_KINDS["HOLDS_ROLE"].sensitive
    assert g.number_of_edges() == 4
    assert ctx.stats["ftm_corporate_directors_skipped"] == 1
    assert ctx.stats["ftm_ownership_of_non_company_skipped"] == 1
    assert ctx.stats["ftm_skipped_Vessel"] == 1 and ctx.stats["ftm_skipped_Address"] == 1


def test_bad_lines_are_row_errors_and_good_lines_load(loaded):
    g, ctx = loaded
    errs = sorted((e.row, e.column) for e in ctx.errors)
    assert errs == [(13, "properties.percentage"), (14, "properties.asset"), (15, None)]
    assert "invalid JSON" in next(e for e in ctx.errors if e.row == 15).message
    assert all(e.file == str(FIX) for e in ctx.errors)
    assert ctx.summary()["rows_read"] == 16 and ctx.summary()["rows_rejected"] == 3
    assert not g.has_node("ftm-broken")


def test_deeply_nested_line_is_a_row_error(tmp_path):
    f = tmp_path / "deep.jsonl"
    f.write_text(FIX.read_text().splitlines()[0] + "\n" + '{"id": "x", "schema": "Company", "properties": ' + "[" * 100_000 + "\n")
    ctx = LoadContext()
    ftm.load(f, ctx)
    assert [(e.row, "nested too deeply" in e.message) for e in ctx.errors] == [(2, True)]
    assert len(ctx.nodes) == 1


def test_not_utf8_is_one_error(tmp_path):
    f = tmp_path / "x.jsonl"
    f.write_bytes(b'{"id": "a", "schema": "Company", "properties": {"name": ["\xff"]}}\n')
    with pytest.raises(CampaignGraphError, match="UTF-8"):
        ftm.load(f, LoadContext())


def test_guess_and_cli(tmp_path):
    assert guess_format(FIX) == "ftm"
    res = CliRunner().invoke(cli, ["load", str(FIX), "--format", "ftm", "-o", str(tmp_path / "s")])
    assert res.exit_code == 0, res.output
    assert "loaded 5 nodes and 4 edges" in res.output
    assert "3 problem(s)" in res.output
