"""GraphML and GEXF carry each site's coverage values and status, and each OWNS edge's stake.

Read back with the readers Gephi's users script with: ``networkx.read_graphml`` / ``read_gexf``,
``igraph.Graph.Read_GraphML`` and the GEXF ``<meta>`` with an XML parser. Two oracles: a small
fictional group whose values are worked out by hand below, and ``campaign-graph coverage --format
json --status all`` of the same snapshot and date (read as JSON) for every site of a generated graph.

The hand-worked group (fictional, "Acme"):

    acme (root) --60 %--> acme_de --operates--> site_de  DE, operating; Local 1 REPRESENTS it
                                                         (300 members, recognised); cba_status=none
    acme --share unknown--> acme_poss (a possible member, operates nothing)
    acme --operates--> site_br  BR, closed, union_status=none
    acme --operates--> site_x   no country, no status, nothing recorded
    Acme GFA (signed 2015-01-01, expires 2022-12-31, no renewal, scope controlled), acme a party

As of 2020-06-30 the GFA is in force and reaches every site (all controlled); as of 2024-06-30 it
has expired, so gfa is not_covered everywhere (the list of agreements is taken as complete).
union_presence/recognition: site_de covered (a recognised union with members), site_br
not_covered (union_status=none: no union, so none recognised), site_x unknown. cba: site_de
not_covered (cba_status=none), the others unknown. efa (no European agreement on record):
site_de in the EEA not_covered, site_br outside it not_applicable, site_x (no country) unknown.
hs_agreement: none on record, not_covered. status: as recorded, ``unknown`` when not recorded.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import igraph as ig
import networkx as nx
import pytest
from click.testing import CliRunner

from exports.cli.main import cli
from exports.formats.base import export_graph
from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.records import Source
from graphmodel.stores.snapshot import save_snapshot

DIMS = ("union_presence", "recognition", "cba", "gfa", "hs_agreement", "network", "efa")
NAMES = (*DIMS, "status")
GEXF_NS = {"g": "http://www.gexf.net/1.2draft"}


def acme() -> CampaignGraph:
    g = CampaignGraph()
    g.add_source(Source("s1", title="Fictional site survey"))
    g.add_node("acme", "Company", "Acme Steel SA", sources=["s1"])
    g.add_node("acme_de", "Company", "Acme Deutschland GmbH", sources=["s1"], country="DE")
    g.add_node("acme_poss", "Company", "Acme Possible Ltd", sources=["s1"])
    g.add_edge("acme", "acme_de", "OWNS", sources=["s1"], share=60)
    g.add_edge("acme", "acme_poss", "OWNS", sources=["s1"])  # share not published
    g.add_node("site_de", "Site", "Werk Nord", sources=["s1"], country="DE", status="operating", cba_status="none")
    g.add_node("site_br", "Site", "Usina Sul", sources=["s1"], country="BR", status="closed", union_status="none")
    g.add_node("site_x", "Site", "Site X", sources=["s1"])
    g.add_edge("acme_de", "site_de", "OPERATES", sources=["s1"])
    g.add_edge("acme", "site_br", "OPERATES", sources=["s1"])
    g.add_edge("acme", "site_x", "OPERATES", sources=["s1"])
    g.add_node("local1", "Union", "Fictional Metalworkers Local 1", sources=["s1"])
    g.add_edge("local1", "site_de", "REPRESENTS", sources=["s1"], members=300, recognised=True)
    g.add_node("gfa", "Agreement", "Acme GFA", sources=["s1"], agreement_type="gfa", signed="2015-01-01",
               expires="2022-12-31", renewal="none", scope="controlled")
    g.add_edge("acme", "gfa", "PARTY_TO", sources=["s1"])
    return g


def hand(gfa: str) -> dict[str, dict[str, str]]:
    """The values worked out in the module docstring; ``gfa`` as of the date."""
    return {
        "site_de": {"union_presence": "covered", "recognition": "covered", "cba": "not_covered", "gfa": gfa,
                    "hs_agreement": "not_covered", "efa": "not_covered", "status": "operating"},
        "site_br": {"union_presence": "not_covered", "recognition": "not_covered", "cba": "unknown", "gfa": gfa,
                    "hs_agreement": "not_covered", "efa": "not_applicable", "status": "closed"},
        "site_x": {"union_presence": "unknown", "recognition": "unknown", "cba": "unknown", "gfa": gfa,
                   "hs_agreement": "not_covered", "efa": "unknown", "status": "unknown"},
    }


def _hand_part(attrs: dict[str, Any]) -> dict[str, Any]:
    return {k: attrs[k] for k in NAMES if k != "network"}


@pytest.mark.parametrize(("as_of", "gfa"), [("2020-06-30", "covered"), ("2024-06-30", "not_covered")])
def test_graphml_sites_carry_hand_worked_coverage(tmp_path: Path, as_of: str, gfa: str) -> None:
    out = export_graph(acme(), "graphml", tmp_path / "g.graphml", as_of=as_of)[0]
    h = nx.read_graphml(out, force_multigraph=True)
    assert h.graph["as_of"] == as_of
    assert {s: _hand_part(h.nodes[s]) for s in ("site_de", "site_br", "site_x")} == hand(gfa)
    assert all(isinstance(h.nodes[s]["network"], str) for s in ("site_de", "site_br", "site_x"))
    # only sites carry coverage values; a company's attributes are its own
    assert not set(NAMES) & set(h.nodes["acme"])
    # igraph reads the same values, typed as declared
    ih = ig.Graph.Read_GraphML(str(out))
    assert ih["as_of"] == as_of
    for s, want in hand(gfa).items():
        v = ih.vs.find(id=s)
        assert {k: v[k] for k in want} == want
    text = out.read_text(encoding="utf-8")
    for name in NAMES:
        assert f'for="node" attr.name="{name}" attr.type="string"' in text
    assert 'for="graph" attr.name="as_of" attr.type="string"' in text


def test_owns_edges_carry_their_stake_and_unknown_stays_absent(tmp_path: Path) -> None:
    g = acme()
    out = export_graph(g, "graphml", tmp_path / "g.graphml", as_of="2024-06-30")[0]
    h = nx.read_graphml(out, force_multigraph=True)
    own = {(u, v): a for u, v, a in h.edges(data=True) if a["kind"] == "OWNS"}
    assert own[("acme", "acme_de")]["share"] == 60.0 and type(own[("acme", "acme_de")]["share"]) is float
    assert "share" not in own[("acme", "acme_poss")]  # unknown, never 0
    ih = ig.Graph.Read_GraphML(str(out))
    stakes = {(ih.vs[e.source]["id"], ih.vs[e.target]["id"]): e["share"] for e in ih.es if e["kind"] == "OWNS"}
    assert stakes[("acme", "acme_de")] == 60.0
    assert stakes[("acme", "acme_poss")] != stakes[("acme", "acme_poss")]  # igraph's missing double: NaN, not 0
    gx = nx.read_gexf(export_graph(g, "gexf", tmp_path / "g.gexf", as_of="2024-06-30")[0])
    own = {(u, v): a for u, v, a in gx.edges(data=True) if a["kind"] == "OWNS"}
    assert own[("acme", "acme_de")]["share"] == 60.0 and "share" not in own[("acme", "acme_poss")]
    assert 'title="share" type="double"' in (tmp_path / "g.gexf").read_text(encoding="utf-8")


@pytest.mark.parametrize(("as_of", "gfa"), [("2020-06-30", "covered"), ("2024-06-30", "not_covered")])
def test_gexf_sites_carry_hand_worked_coverage_and_the_date_in_meta(tmp_path: Path, as_of: str, gfa: str) -> None:
    out = export_graph(acme(), "gexf", tmp_path / "g.gexf", as_of=as_of)[0]
    h = nx.read_gexf(out)
    assert {s: _hand_part(h.nodes[s]) for s in ("site_de", "site_br", "site_x")} == hand(gfa)
    assert not set(NAMES) & set(h.nodes["acme"])
    root = ET.parse(out).getroot()
    description = root.find("g:meta/g:description", GEXF_NS)
    assert description is not None and f"coverage as of {as_of};" in (description.text or "")
    node_attrs = {a.get("title"): a.get("type")
                  for a in root.findall("g:graph/g:attributes[@class='node']/g:attribute", GEXF_NS)}
    assert {n: node_attrs[n] for n in NAMES} == dict.fromkeys(NAMES, "string")


def test_default_date_is_today_and_other_formats_refuse_a_date(tmp_path: Path) -> None:
    from datetime import date

    out = export_graph(acme(), "graphml", tmp_path / "g.graphml")[0]
    assert nx.read_graphml(out).graph["as_of"] == date.today().isoformat()
    with pytest.raises(CampaignGraphError, match="as_of applies to graphml and gexf only"):
        export_graph(acme(), "json", tmp_path / "g.json", as_of="2024-06-30")
    assert not (tmp_path / "g.json").exists()


def test_redacted_export_keeps_coverage_and_leaves_membership_out(tmp_path: Path) -> None:
    out = export_graph(acme(), "graphml", tmp_path / "r.graphml", redacted=True, as_of="2020-06-30")[0]
    h = nx.read_graphml(out, force_multigraph=True)
    assert h.graph["redacted"] is True and h.graph["as_of"] == "2020-06-30"
    rep = [a for _, _, a in h.edges(data=True) if a["kind"] == "REPRESENTS"]
    assert rep and all("members" not in a for a in rep)  # membership figures stay out
    # what the redacted graph still says gives the same answers here (members > 0 or unknown: present)
    assert {s: _hand_part(h.nodes[s]) for s in ("site_de", "site_br", "site_x")} == hand("covered")


# ------------------------------------------------------------ the coverage JSON as the oracle
def _cli(*args: str) -> None:
    res = CliRunner().invoke(cli, list(args))
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_every_site_matches_coverage_json(xs_snapshot: Path, tmp_path: Path, fmt: str) -> None:
    as_of = "2023-03-31"
    _cli("coverage", str(xs_snapshot), "--format", "json", "--status", "all", "--as-of", as_of,
         "-o", str(tmp_path / "cov.json"))
    rows = json.loads((tmp_path / "cov.json").read_text(encoding="utf-8"))
    want = {r["site_id"]: {k: r[k] for k in NAMES} for r in rows}
    out = tmp_path / f"x.{fmt}"
    _cli("export", str(xs_snapshot), "--format", fmt, "--as-of", as_of, "-o", str(out))
    h = nx.read_graphml(out, force_multigraph=True) if fmt == "graphml" else nx.read_gexf(out)
    sites = {n for n, a in h.nodes(data=True) if a["kind"] == "Site"}
    assert sites == set(want) and len(sites) > 50
    assert {s: {k: h.nodes[s].get(k) for k in NAMES} for s in sites} == want
    # the generated graph has every value somewhere, so the comparison is not trivially uniform
    seen = {v for r in want.values() for k, v in r.items() if k != "status"}
    assert {"covered", "not_covered", "unknown", "not_applicable"} <= seen
    if fmt == "graphml":
        ih = ig.Graph.Read_GraphML(str(out))
        assert ih["as_of"] == as_of
        got = {v["id"]: {k: v[k] for k in NAMES} for v in ih.vs if v["kind"] == "Site"}
        assert got == want


def test_cli_as_of_errors_are_one_line(tmp_path: Path) -> None:
    snap = tmp_path / "snap"
    save_snapshot(acme(), snap)
    res = CliRunner().invoke(cli, ["export", str(snap), "--format", "csv", "--as-of", "2024-06-30",
                                   "-o", str(tmp_path / "t")])
    assert res.exit_code == 2 and len(res.output.strip().splitlines()) == 1
    assert "--as-of applies to graphml and gexf" in res.output and not (tmp_path / "t").exists()
    res = CliRunner().invoke(cli, ["export", str(snap), "--format", "gexf", "--as-of", "2024-13-01",
                                   "-o", str(tmp_path / "g.gexf")])
    assert res.exit_code == 2 and "2024-13-01" in res.output and not (tmp_path / "g.gexf").exists()
    res = CliRunner().invoke(cli, ["export", str(snap), "--format", "gexf", "--as-of", "2020-06-30",
                                   "-o", str(tmp_path / "g.gexf")])
    assert res.exit_code == 0, res.output
    assert nx.read_gexf(tmp_path / "g.gexf").nodes["site_de"]["gfa"] == "covered"
