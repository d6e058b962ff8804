"""``CampaignGraph.node_table`` / ``edge_table``: the graph as typed Arrow tables for vectorised queries.

Fixture facts are fictional ("Acme Steel", "Site A").
"""

from __future__ import annotations

import pyarrow as pa

from graphmodel.graph import CampaignGraph
from graphmodel.records import Source


def small_graph() -> CampaignGraph:
    g = CampaignGraph()
    g.add_source(Source("s1", title="Fictional notes"))
    g.add_node("b-sub", "Company", "Acme Rolling GmbH", country="DE")
    g.add_node("a-top", "Company", "Acme Steel AG", sources=["s1"], listed=True, aliases=["Acme"])
    g.add_node("site-a", "Site", "Site A", workforce=1200, status="operating")
    g.add_node("u1", "Union", "Union of Site A workers")
    g.add_edge("b-sub", "site-a", "OPERATES", share=100)
    g.add_edge("a-top", "b-sub", "OWNS", share=75.5, valid_from="2010", sources=["s1"])
    g.add_edge("u1", "site-a", "REPRESENTS", members=300)
    return g


def test_node_table_rows_in_node_order_columns_with_values_only() -> None:
    t = small_graph().node_table()
    assert t.column_names == ["id", "kind", "name", "aliases", "sources", "country", "listed", "status", "workforce"]
    assert t.column("id").to_pylist() == ["b-sub", "a-top", "site-a", "u1"]
    assert t.column("kind").cast(pa.string()).to_pylist() == ["Company", "Company", "Site", "Union"]
    assert t.column("workforce").to_pylist() == [None, None, 1200, None]
    assert t.column("listed").to_pylist() == [None, True, None, None]
    assert t.schema.field("workforce").type == pa.int64()


def test_node_table_of_kinds() -> None:
    g = small_graph()
    t = g.node_table("Site")
    assert t.column_names == ["id", "kind", "name", "status", "workforce"]
    assert t.to_pylist() == [{"id": "site-a", "kind": "Site", "name": "Site A", "status": "operating", "workforce": 1200}]
    assert g.node_table(["Union", "Site"]).column("id").to_pylist() == ["site-a", "u1"]
    assert g.node_table("Agreement").num_rows == 0


def test_edge_table_rows_in_insertion_order() -> None:
    g = small_graph()
    t = g.edge_table()
    assert t.column("id").to_pylist() == ["OPERATES:b-sub->site-a", "OWNS:a-top->b-sub@2010-01-01", "REPRESENTS:u1->site-a"]
    assert t.column_names[:4] == ["id", "source", "target", "kind"]
    owns = g.edge_table("OWNS").to_pylist()
    assert owns == [{"id": "OWNS:a-top->b-sub@2010-01-01", "source": "a-top", "target": "b-sub", "kind": "OWNS",
                     "valid_from": "2010-01-01", "sources": ["s1"], "share": 75.5}]
    assert g.edge_table(["OWNS", "OPERATES"]).column("share").to_pylist() == [100.0, 75.5]


def test_kind_codes_reads_a_dictionary_column_naming_each_kind_once() -> None:
    import numpy as np
    import pyarrow as pa

    from graphmodel.tablecheck import kind_codes

    # a file's dictionary may repeat an entry ("Site" at 0 and 2) or hold one no row uses ("Union")
    col = pa.chunked_array([
        pa.DictionaryArray.from_arrays(pa.array([0, 1, 2], pa.int32()), pa.array(["Site", "Company", "Site", "Union"])),
        pa.DictionaryArray.from_arrays(pa.array([1, 0], pa.int32()), pa.array(["Company", "Site"])),
    ])
    names, codes = kind_codes(col)
    assert [names[c] for c in codes.tolist()] == ["Site", "Company", "Site", "Site", "Company"]
    assert sorted(names) == ["Company", "Site"] and codes.dtype == np.int32
    plain = pa.chunked_array([pa.array(["Union", "Site", "Union"])])
    names, codes = kind_codes(plain)
    assert [names[c] for c in codes.tolist()] == ["Union", "Site", "Union"] and len(names) == 2
