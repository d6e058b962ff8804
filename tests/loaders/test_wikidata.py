"""Wikidata SPARQL JSON loader, the shipped query, and the --online rule (tests never use the network).

Fixture ``fixtures/wikidata/acme-group.json`` is fictional (QIDs beyond Wikidata's range), in
the SPARQL 1.1 JSON results format with the shipped query's variables.
"""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from exports.cli.main import cli
from graphmodel.errors import CampaignGraphError
from loaders import wikidata
from loaders.builder import build
from loaders.context import LoadContext
from loaders.registry import guess_format, load_paths

FIX = Path(__file__).parent / "fixtures" / "wikidata" / "acme-group.json"
STEEL, MINES, PORTS, MILL = "wd-Q9999999001", "wd-Q9999999002", "wd-Q9999999003", "wd-Q9999999004"
JANE, SITE = "wd-Q9999999009", "wd-Q9999999010"


@pytest.fixture(scope="module")
def loaded():
    ctx = LoadContext()
    wikidata.load(FIX, ctx)
    return build(ctx), ctx


def _eprops(g, eid):
    _, _, a = g.edge(eid)
    return {k: v for k, v in a.items() if k not in ("kind", "sources", "origins")}


def test_nodes_keep_qids_labels_countries_leis(loaded):
    g, _ = loaded
    steel = {k: v for k, v in g.node(STEEL).items() if k not in ("sources", "origins")}
    assert steel == {
        "kind": "Company", "name": "Acme Steel Group (fictional)", "wikidata": "Q9999999001",
        "country": "NL", "lei": "ACMESTEELFICTIONAL01",
    }
    assert g.kind_of(SITE) == "Site" and g.node(SITE)["wikidata"] == "Q9999999010" and g.node(SITE)["country"] == "ZA"
    assert g.kind_of(JANE) == "Person" and "wikidata" not in g.node(JANE)
    assert [m.id for m in g.find("Q9999999002")] == [MINES]


def test_edges_from_each_property(loaded):
    g, ctx = loaded
    # P749 on the child and P355 on the parent state one link: one edge, share from P1107 (0.75)
    assert _eprops(g, f"OWNS:{STEEL}->{MINES}@2015-03-01") == {"share": 75.0, "valid_from": "2015-03-01"}
    # P127 owned by: a company and a human
    assert _eprops(g, f"OWNS:{STEEL}->{PORTS}") == {"share": 60.0}
    assert _eprops(g, f"OWNS:{JANE}->{PORTS}") == {"share": 40.0}
    # end time -> valid_to
    assert _eprops(g, f"OWNS:{STEEL}->{MILL}@1990-01-01") == {"valid_from": "1990-01-01", "valid_to": "2012-12-31"}
    # P137 operator, and the site's owner (P127) -> one OPERATES edge with the share
    assert _eprops(g, f"OPERATES:{MINES}->{SITE}") == {"share": 100.0}
    assert g.number_of_edges() == 5
    assert ctx.stats["wikidata_P749"] == 2 and ctx.stats["wikidata_P355"] == 1 and ctx.stats["wikidata_P137"] == 1


def test_bad_rows(loaded):
    _, ctx = loaded
    assert sorted((e.row, e.column) for e in ctx.errors) == [
        (7, "/results/bindings/7/item"),
        (8, "/results/bindings/8/share"),
    ]


def test_missing_variables_and_bad_json(tmp_path):
    f = tmp_path / "other.json"
    f.write_text('{"head": {"vars": ["x"]}, "results": {"bindings": []}}')
    with pytest.raises(CampaignGraphError, match="lack the variable"):
        wikidata.load(f, LoadContext())
    f.write_text('{"head": {"vars": ["item", "prop", "value"]}, "results": {"bindings": [')
    with pytest.raises(CampaignGraphError, match="invalid JSON"):
        wikidata.load(f, LoadContext())
    f.write_text('{"head": {"vars": ["item", "prop", "value"]}, "results": ' + "[" * 100_000)
    with pytest.raises(CampaignGraphError):
        wikidata.load(f, LoadContext())


def test_shipped_query():
    q = wikidata.query_text("q90")
    assert "VALUES ?root { wd:Q90 }" in q
    for prop in ("P749", "P355", "P127", "P137", "P1107", "P580", "P582"):
        assert prop in q
    with pytest.raises(CampaignGraphError, match="QID"):
        wikidata.query_text("Q1 } DELETE {")


@pytest.fixture
def no_network(monkeypatch):
    calls = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise AssertionError("network call attempted")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    return calls


def test_no_network_without_online(no_network, tmp_path):
    with pytest.raises(CampaignGraphError, match="--online"):
        wikidata.fetch("Q90")
    out = tmp_path / "r.json"
    res = CliRunner().invoke(cli, ["fetch-wikidata", "Q90", "-o", str(out)])
    assert res.exit_code == 1 and "--online" in res.output
    assert not out.exists()
    res = CliRunner().invoke(cli, ["fetch-wikidata", "Q90", "--show-query"])
    assert res.exit_code == 0 and "wd:Q90" in res.output
    # loading saved results never touches the network either
    load_paths([FIX])
    assert no_network == []


def test_online_fetch_saves_results(monkeypatch, tmp_path):
    sent = []

    class Answer:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self, n=-1):
            return FIX.read_bytes()

    def fake_urlopen(req, timeout=None):
        sent.append(req)
        return Answer()

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    out = tmp_path / "group.json"
    res = CliRunner().invoke(cli, ["fetch-wikidata", "Q90", "--online", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert sent[0].full_url == wikidata.ENDPOINT and b"Q90" in sent[0].data
    g, _ = load_paths([out])
    assert g.number_of_edges() == 5


def test_guess_and_cli(tmp_path):
    assert guess_format(FIX) == "wikidata"
    res = CliRunner().invoke(cli, ["load", str(FIX), "-o", str(tmp_path / "s")])
    assert res.exit_code == 0, res.output
    assert "loaded 6 nodes and 5 edges" in res.output
