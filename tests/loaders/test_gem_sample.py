"""The full real files load; the committed sample (examples/sample) is what examples/build_sample.py builds."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from loaders.registry import load_paths
from loaders.resolution import resolve

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "examples" / "sample"
SHARED = REPO / "data"

AM, AM_BRASIL, AMSA = "E100000000687", "E100001000493", "E100001000504"


def _builder():
    spec = importlib.util.spec_from_file_location("build_sample", REPO / "examples" / "build_sample.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


@pytest.fixture(scope="module")
def real():
    """The four GEM files and the agreements table, loaded once for this module (slow)."""
    return _builder().load_raw(SHARED)


def test_sample_loads_with_sources_and_no_invented_union_facts():
    g, ctx = load_paths([SAMPLE])
    assert not ctx.errors and g.validate() == []
    counts = g.counts_by_kind()
    assert counts["nodes"]["Agreement"] == 9 and counts["nodes"]["UnionNetwork"] == 13
    assert 100 < counts["nodes"]["Site"] < 2000
    assert "REPRESENTS" not in counts["edges"]  # no source says which union represents a site
    for _, a in g.nodes():
        assert a.get("sources"), a
        assert "union_status" not in a and "cba_status" not in a
    for _, _, _, a in g.edges():
        assert a.get("sources")
    # the groups the seeds name are there, joined by resolution, and the README's trap holds
    assert g.name_of(AM) == "ArcelorMittal SA"
    assert g.has_edge(f"PARTY_TO:{AM}->arcelormittal-2008-hs")
    assert g.node("glencore-2014-network")["company"] == "gem-glencore-plc"
    assert AMSA not in {v for _, _, v, _ in g.out_edges(AM, "OWNS")}
    gem = g.sources["gem-gist-plants-2025-03"]
    assert (gem.licence, gem.publisher) == ("CC BY 4.0", "Global Energy Monitor")


@pytest.mark.slow
def test_full_real_files_load(real):
    g, ctx = real
    assert not ctx.errors and g.validate() == []
    # + 2: data/company_history.csv loads with the agreements table
    assert ctx.summary()["rows_read"] == 1204 + 4983 + 890 + 6580 + 22 + 2
    # 1,204 plants + 890 mines + 6,580 coal rows (every row its own site, repeated ids included)
    assert len(g.node_ids("Site")) == 1204 + 890 + 6580
    e = g.edge(f"OWNS:{AM}->{AM_BRASIL}")[2]
    assert e["share"] == 97.1 and len(e["origins"]) >= 6
    assert not g.has_edge(f"OWNS:{AM}->{AMSA}")


@pytest.mark.slow
def test_committed_sample_equals_build(real, tmp_path):
    graph = real[0].copy()
    resolve(graph)
    _builder().build_sample(tmp_path, SHARED, graph=graph)
    for name in ("nodes.csv", "edges.csv", "sources.csv"):
        assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes(), f"{name} differs: rerun examples/build_sample.py"
