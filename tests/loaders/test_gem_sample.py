"""The committed sample dataset (examples/sample) is what examples/build_sample.py builds, and loads cleanly."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from loaders.registry import load_paths

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "examples" / "sample"
SHARED = REPO.parent / "shared" / "data"


def _builder():
    spec = importlib.util.spec_from_file_location("build_sample", REPO / "examples" / "build_sample.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


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
    assert g.name_of("E100000000687") == "ArcelorMittal SA"
    assert g.has_edge("PARTY_TO:E100000000687->arcelormittal-2008-hs")
    assert g.node("glencore-2014-network")["company"] == "gem-glencore-plc"
    am_owns = {v for _, _, v, _ in g.out_edges("E100000000687", "OWNS")}
    assert "E100001000504" not in am_owns  # ArcelorMittal South Africa Ltd is not in AM SA's group
    gem = g.sources["gem-gist-plants-2025-03"]
    assert (gem.licence, gem.publisher) == ("CC BY 4.0", "Global Energy Monitor")


@pytest.mark.slow
@pytest.mark.skipif(not (SHARED / "gem-coal-mines-2024-05-22.csv").exists(), reason="shared/data not beside the repo")
def test_committed_sample_equals_build(tmp_path):
    _builder().build_sample(tmp_path, SHARED)
    for name in ("nodes.csv", "edges.csv", "sources.csv"):
        assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes(), f"{name} differs: rerun examples/build_sample.py"
