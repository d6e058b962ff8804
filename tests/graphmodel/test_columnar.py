"""Columnar mode: a loaded snapshot answers every read exactly as the networkx graph does.

Differential tests: each graph is saved, then loaded twice, once kept columnar and once
built into networkx the old way (``columnar=False``); every read method must give equal
results in the same order, the query functions equal DataFrames, and saving either gives
the same bytes. Graphs: the hand-built fixtures of the other test modules (fictional:
"Acme Steel", "Site A") and generated XS / S graphs (``benchmarks.generate``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from exports.redact import is_redacted, redact, redaction_summary
from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.records import Source
from graphmodel.stores.snapshot import graph_from_tables, graph_tables, load_snapshot, save_snapshot
from tests.exports.test_netmap import acme_graph, payload_graph
from tests.generated import generated_graph
from tests.graphmodel.stores.test_snapshot import sample_graph
from tests.queries.test_calendar import graph as calendar_graph
from tests.queries.test_coverage import _cba_graph
from tests.queries.test_coverage import base as coverage_graph

AS_OFS = (None, "2000-01-01", "2015-06-30", "2024-06-30", "2030-01-01")


def _generated(size: str) -> Callable[[], CampaignGraph]:
    def build() -> CampaignGraph:
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            return generated_graph(Path(folder), size)

    build.__name__ = f"generated_{size}"
    return build


FIXTURES: list[Callable[[], CampaignGraph]] = [
    sample_graph, coverage_graph, _cba_graph, calendar_graph, acme_graph, payload_graph, _generated("XS"),
]


def _pair(g: CampaignGraph, folder: Path) -> tuple[CampaignGraph, CampaignGraph]:
    """(columnar, ordinary) loads of ``g``'s snapshot."""
    save_snapshot(g, folder, created="test")
    col, ordinary = load_snapshot(folder, columnar=True), load_snapshot(folder, columnar=False)
    assert col.is_columnar and not ordinary.is_columnar
    return col, ordinary


@pytest.fixture(scope="module")
def generated_xs_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("xs") / "snap"
    save_snapshot(_generated("XS")(), folder, created="test")
    return folder


def assert_same_reads(c: CampaignGraph, o: CampaignGraph) -> None:
    """Every read method of ``c`` equals ``o``'s, order included; ``c`` stays columnar."""
    assert c.number_of_nodes() == o.number_of_nodes() and c.number_of_edges() == o.number_of_edges()
    assert c.counts_by_kind() == o.counts_by_kind()
    assert list(c.nodes()) == list(o.nodes())
    kinds = sorted({a["kind"] for _, a in o.nodes()}) + ["NoSuchKind"]
    for k in kinds:
        assert list(c.nodes(k)) == list(o.nodes(k)), k
        assert c.node_ids(k) == o.node_ids(k), k
    assert c.node_ids() == o.node_ids()
    for n in o.node_ids():
        assert dict(c.node(n)) == dict(o.node(n)) and list(c.node(n)) == list(o.node(n)), n
        assert c.kind_of(n) == o.kind_of(n) and c.name_of(n) == o.name_of(n) and c.has_node(n)
    assert not c.has_node("no-such-node") and c.name_of("no-such-node") == "no-such-node"
    with pytest.raises(CampaignGraphError):
        c.node("no-such-node")
    with pytest.raises(CampaignGraphError):
        c.kind_of("no-such-node")
    edge_kinds = sorted({a["kind"] for _, _, _, a in o.edges()})
    for as_of in AS_OFS:
        assert list(c.edges(as_of=as_of)) == list(o.edges(as_of=as_of)), as_of
        for k in edge_kinds + ["NO_SUCH"]:
            assert list(c.edges(k, as_of=as_of)) == list(o.edges(k, as_of=as_of)), (k, as_of)
        assert list(c.edges(edge_kinds[:2], as_of=as_of)) == list(o.edges(edge_kinds[:2], as_of=as_of))
    for n in o.node_ids():
        assert c.out_edges(n) == o.out_edges(n) and c.in_edges(n) == o.in_edges(n), n
        for k in edge_kinds[:3]:
            assert c.out_edges(n, k, as_of="2024-06-30") == o.out_edges(n, k, as_of="2024-06-30")
            assert c.in_edges(n, [k], as_of="2024-06-30") == o.in_edges(n, [k], as_of="2024-06-30")
    assert c.out_edges("no-such-node") == o.out_edges("no-such-node") == []
    for eid, u, v, a in o.edges():
        cu, cv, ca = c.edge(eid)
        assert (cu, cv, dict(ca), list(ca)) == (u, v, dict(a), list(a)) and c.has_edge(eid)
    assert not c.has_edge("OWNS:x->y")
    with pytest.raises(CampaignGraphError):
        c.edge("OWNS:x->y")
    for n, a in list(o.nodes())[:50]:
        for text in (a.get("name", n), n, str(a.get("name", n))[:4]):
            assert c.find(text) == o.find(text), text
            assert c.find(text, "Site") == o.find(text, "Site")
    assert c.find("zzz no such name") == o.find("zzz no such name") == []
    assert c.canonical() == o.canonical() and c.content_hash() == o.content_hash() and c == o
    assert c.validate() == [] and o.validate() == []
    assert c._repr_html_() == o._repr_html_() and repr(c) == repr(o)
    assert c.meta == o.meta
    for k in [None, *kinds, kinds[:2]]:
        assert c.node_table(k).equals(o.node_table(k)), k
    for k in [None, *edge_kinds, edge_kinds[:2]]:
        assert c.edge_table(k).equals(o.edge_table(k)), k
    copied = c.copy()
    assert copied.is_columnar and copied == o
    assert c.is_columnar, "a read materialised the networkx graph"


@pytest.mark.parametrize("build", FIXTURES, ids=lambda f: f.__name__)
def test_every_read_method_equal_in_both_modes(build: Callable[[], CampaignGraph], tmp_path: Path) -> None:
    c, o = _pair(build(), tmp_path / "snap")
    assert_same_reads(c, o)
    # materialising gives exactly the networkx graph the row loader builds (same dict order too)
    c.nx  # noqa: B018 - the property builds it
    assert not c.is_columnar
    assert list(c.nx.nodes(data=True)) == list(o.nx.nodes(data=True))
    assert list(c.nx.edges(keys=True, data=True)) == list(o.nx.edges(keys=True, data=True))
    assert [list(a) for _, _, a in c.nx.edges(data=True)] == [list(a) for _, _, a in o.nx.edges(data=True)]
    assert list(c.nx.pred.items()) == list(o.nx.pred.items())
    assert c._edge_ends == o._edge_ends


def test_generated_s_graph_reads_equal(tmp_path: Path) -> None:
    c, o = _pair(_generated("S")(), tmp_path / "snap")
    assert c.number_of_edges() > 20_000
    assert list(c.edges()) == list(o.edges())
    for as_of in AS_OFS:
        assert list(c.edges(["OWNS", "OPERATES"], as_of=as_of)) == list(o.edges(["OWNS", "OPERATES"], as_of=as_of))
    for n in o.node_ids():
        assert c.out_edges(n) == o.out_edges(n) and c.in_edges(n) == o.in_edges(n)
    assert c.canonical() == o.canonical() and c.is_columnar


def _frames_equal(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


def test_queries_give_equal_frames_on_a_columnar_graph(generated_xs_snapshot: Path) -> None:
    from exports.netmap import select_view
    from queries.connections import connections
    from queries.coverage import coverage
    from queries.leverage import leverage
    from queries.ownership import group, ultimate_parent

    def load(columnar: bool) -> CampaignGraph:
        return load_snapshot(generated_xs_snapshot, columnar=columnar)

    o = load(False)
    parents = [n for n in o.node_ids("Company") if not o.in_edges(n, "OWNS")]
    big = max(parents, key=lambda n: len(group(o, n)))
    sites = o.node_ids("Site")
    as_of = "2025-06-30"
    _frames_equal(coverage(load(True), as_of=as_of), coverage(o, as_of=as_of))
    _frames_equal(coverage(load(True), big, as_of=as_of), coverage(o, big, as_of=as_of))
    _frames_equal(group(load(True), big), group(o, big))
    _frames_equal(group(load(True), big, rule="effective"), group(o, big, rule="effective"))
    assert ultimate_parent(load(True), sites[0]) == ultimate_parent(o, sites[0])
    _frames_equal(leverage(load(True), big, as_of=as_of), leverage(o, big, as_of=as_of))
    _frames_equal(connections(load(True), sites[0], sites[-1]), connections(o, sites[0], sites[-1]))
    a, b = select_view(load(True), company=big, as_of=as_of), select_view(o, company=big, as_of=as_of)
    assert (a.nodes, a.edges, a.site_status) == (b.nodes, b.edges, b.site_status)


def test_save_from_columnar_writes_the_same_bytes(tmp_path: Path) -> None:
    for i, build in enumerate(FIXTURES):
        c, o = _pair(build(), tmp_path / f"src{i}")
        mc = save_snapshot(c, tmp_path / f"c{i}", created="t")
        mo = save_snapshot(o, tmp_path / f"o{i}", created="t")
        assert c.is_columnar, "saving materialised the graph"
        assert mc == mo, build.__name__
        files = sorted(p.name for p in (tmp_path / f"c{i}").iterdir())
        assert files == sorted(p.name for p in (tmp_path / f"o{i}").iterdir())
        for name in files:
            assert (tmp_path / f"c{i}" / name).read_bytes() == (tmp_path / f"o{i}" / name).read_bytes()


def test_tables_from_elsewhere_unsorted_with_empty_columns(tmp_path: Path) -> None:
    """graph_from_tables with rows not sorted by id and all-null columns: same graph, same snapshot."""
    import pyarrow as pa

    g = sample_graph()
    t = graph_tables(g)
    nodes = t["nodes"].take(pa.array([3, 0, 4, 2, 1])).append_column("website", pa.array([None] * 5, pa.string()))
    nodes = nodes.set_column(1, "kind", nodes.column("kind").cast(pa.string()))
    edges = t["edges"].take(pa.array([2, 0, 3, 1]))
    sources = {s: g.sources[s] for s in g.sources}
    c = graph_from_tables(nodes, edges, sources, columnar=True)
    o = graph_from_tables(nodes, edges, sources, columnar=False)
    assert c.is_columnar and c.node_ids() == ["site-a", "acme", "u1", "gfa", "acme-sub"]
    assert_same_reads(c, o)
    assert c == g
    assert save_snapshot(c, tmp_path / "c", created="t") == save_snapshot(g, tmp_path / "g", created="t")


def test_bad_tables_are_refused_in_columnar_mode() -> None:
    import pyarrow as pa

    t = graph_tables(sample_graph())
    edges = t["edges"].set_column(1, "source", pa.array(["ghost"] * t["edges"].num_rows))
    with pytest.raises(CampaignGraphError, match="not in the snapshot"):
        graph_from_tables(t["nodes"], edges, {}, columnar=True)
    dup = pa.concat_tables([t["nodes"], t["nodes"]])
    with pytest.raises(CampaignGraphError, match="repeated ids"):
        graph_from_tables(dup, t["edges"], {}, columnar=True)


def _mutate(g: CampaignGraph) -> CampaignGraph:
    g.add_source(Source("s9", title="Later notes"))
    g.add_node("site-z", "Site", "Site Z", sources=["s9"], workforce=40)
    g.add_edge("acme-sub", "site-z", "OPERATES", share=100)
    g.add_node("acme", "Company", "Acme Steel AG", merge="fill", aliases=["Acme Stahl"])
    g.merge_nodes("acme", "acme-sub")
    g.remove_edge("REPRESENTS:u1->site-a")
    g.remove_node("gfa")
    return g


def test_mutation_after_load_materialises_and_works(tmp_path: Path) -> None:
    c, o = _pair(sample_graph(), tmp_path / "snap")
    before = c.copy()
    node_view = c.node("acme")  # handed out in columnar mode: still the node's attributes afterwards
    _mutate(c)
    _mutate(o)
    assert not c.is_columnar and c == o and c.content_hash() == o.content_hash()
    assert node_view["aliases"] == o.node("acme")["aliases"]
    assert c.find("Acme Stahl")[0].id == "acme" and c.validate() == []
    assert before.is_columnar and before == sample_graph()  # the copy kept its own data
    # each change works on a graph that is still columnar
    for change in (lambda g: g.remove_edge("OWNS:acme->acme-sub@2010-01-01"), lambda g: g.remove_node("u1"),
                   lambda g: g.add_edge("u1", "site-a", "REPRESENTS", id="R2", members=5),
                   lambda g: g.add_node("u1", "Union", "Union of Site A workers", merge="fill", level="local"),
                   lambda g: g.merge_nodes("acme", "acme-sub")):
        fresh, plain = load_snapshot(tmp_path / "snap", columnar=True), load_snapshot(tmp_path / "snap", columnar=False)
        change(fresh)
        change(plain)
        assert not fresh.is_columnar and fresh == plain and fresh._edge_ends == plain._edge_ends
        assert list(fresh.edges()) == list(plain.edges())
    loaded = load_snapshot(tmp_path / "snap", columnar=True)
    assert loaded._edge_ends == load_snapshot(tmp_path / "snap", columnar=False)._edge_ends  # builds networkx first
    # bulk_add on a columnar graph goes through the ordinary path
    d = load_snapshot(tmp_path / "snap", columnar=True)
    d.bulk_add([("extra", {"kind": "Company", "name": "Extra Co"})], [])
    assert d.number_of_nodes() == 6 and d.node("extra")["name"] == "Extra Co" and d.has_edge("OWNS:acme->acme-sub@2010-01-01")


def test_nx_setter_and_meta(tmp_path: Path) -> None:
    import networkx as nx

    c, _ = _pair(sample_graph(), tmp_path / "snap")
    c.meta["note"] = "kept"
    assert c.is_columnar and c.nx.graph["note"] == "kept" and c.meta is c.nx.graph
    d, _ = _pair(sample_graph(), tmp_path / "snap2")
    d.nx = nx.MultiDiGraph()
    assert not d.is_columnar and d.number_of_nodes() == 0


def test_redaction_and_split_snapshots_stay_columnar(tmp_path: Path) -> None:
    c, o = _pair(sample_graph(), tmp_path / "snap")
    rc, ro = redact(c), redact(o)
    assert c.is_columnar and rc == ro and redaction_summary(rc) == redaction_summary(ro)
    save_snapshot(c, tmp_path / "split", public=rc, created="t")
    assert c.is_columnar
    m_o = save_snapshot(o, tmp_path / "split_o", public=ro, created="t")
    assert read_bytes(tmp_path / "split") == read_bytes(tmp_path / "split_o") and m_o["sensitive"]
    full = load_snapshot(tmp_path / "split", columnar=True)
    assert full == o and not is_redacted(full)
    for f in (tmp_path / "split").glob("sensitive-*.parquet"):
        f.unlink()
    public = load_snapshot(tmp_path / "split", columnar=True)
    assert public.is_columnar and is_redacted(public) and public == ro
    public.nx  # noqa: B018 - materialise: the marker moves to networkx's graph dict
    assert is_redacted(public) and public.nx.graph["redacted"] is True


def read_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_rows_built_one_by_one_equal_the_whole_kind_build(generated_xs_snapshot: Path) -> None:
    """A single look-up builds only its own row (no whole-kind build); the dict, key order
    included, is the one the whole-kind build gives; many look-ups of a kind switch to it."""
    g = load_snapshot(generated_xs_snapshot, columnar=True)
    ref = load_snapshot(generated_xs_snapshot, columnar=True)
    col, rcol = g._col, ref._col
    rcol.all_node_attrs()
    rcol.all_edge_attrs()
    site = next(n for n, a in ref.nodes("Site"))
    a = g.node(site)
    assert list(a.items()) == list(ref.node(site).items())
    assert col.nbuilt == set()  # only that row
    assert sum(x is not None for x in col.nattrs) == 1
    for eid, u, v, attrs in g.out_edges(site) + g.in_edges(site):
        assert list(attrs.items()) == list(ref.edge(eid)[2].items())
    assert col.ebuilt == set() and sum(x is not None for x in col.eattrs) == len(g.out_edges(site) + g.in_edges(site))
    # every node looked up one by one: the kinds end up built whole, with equal dicts
    for n, attrs in ref.nodes():
        assert list(g.node(n).items()) == list(attrs.items())
    assert col.nbuilt == set(range(len(col.nkind_names)))
    for eid, _u, _v, attrs in ref.edges():
        assert list(g.edge(eid)[2].items()) == list(attrs.items())
    assert g == ref


def test_edge_ids_and_names_read_row_by_row_then_as_one_list_are_the_ordinary_graphs(generated_xs_snapshot: Path) -> None:
    # a few nodes' edges are read without the list of every edge id; then every node's, which
    # passes the share (Columnar.ROWWISE_SHARE) and builds the list: the same edges both ways
    c, o = load_snapshot(generated_xs_snapshot, columnar=True), load_snapshot(generated_xs_snapshot, columnar=False)
    col = c._col
    assert col is not None
    nodes = [n for n, _ in o.nodes()]
    few = nodes[:3]
    for n in few:
        assert list(c.out_edges(n)) == list(o.out_edges(n)) and list(c.in_edges(n)) == list(o.in_edges(n))
        assert c.name_of(n) == o.name_of(n) and dict(c.node(n)) == dict(o.node(n))
    assert col._eids is None and col._names is None  # answered row by row (Columnar.cells)
    for n in nodes:
        assert list(c.out_edges(n)) == list(o.out_edges(n)) and list(c.in_edges(n)) == list(o.in_edges(n))
        assert c.name_of(n) == o.name_of(n)
    assert col._eids is not None and col._names is not None and c.is_columnar
