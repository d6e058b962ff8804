"""A small fictional group for the workbench's tests, worked out by hand.

    Acme Holding SA  (former name Acme Montan AG)
      └─OWNS 100 %──> Acme Steel GmbH ──OPERATES──> Werk Nord <b>&   (DE, operating, 300 workers)
                                       ├─OPERATES──> Werk Süd         (DE, operating, 120 workers)
                                       └─OPERATES──> Old Mine         (DE, closed)
    IG Metall ──REPRESENTS (recognised)──────────────> Werk Nord <b>&
    IG Metall ──REPRESENTS (until 2020-12-31)────────> Werk Süd
    Acme Steel Ltd (GB): no edges; "Acme Steel" fits it and Acme Steel GmbH equally
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from graphmodel.graph import CampaignGraph
from graphmodel.records import Source

#: where the test app is served (the Host and Origin rules name it)
BASE = "http://127.0.0.1:8765"


def acme_graph() -> CampaignGraph:
    g = CampaignGraph()
    g.add_source(Source("ar", title="Acme annual report 2024", publisher="Acme Steel", licence="CC BY 4.0"))
    g.add_source(Source("gem", title="Global Iron Ore Mine Tracker", publisher="Global Energy Monitor",
                        licence="CC BY 4.0"))
    g.add_node("hold", "Company", "Acme Holding SA", sources=["ar"], country="LU",
               former_names=["Acme Montan AG (until 2010-01-01)"])
    g.add_node("acme", "Company", "Acme Steel GmbH", sources=["ar"], country="DE")
    g.add_node("acme-gb", "Company", "Acme Steel Ltd", country="GB")
    g.add_node("nord", "Site", "Werk Nord <b>&", sources=["gem"], country="DE", status="operating", workforce=300)
    g.add_node("sued", "Site", "Werk Süd", sources=["gem"], country="DE", status="operating", workforce=120)
    g.add_node("mine", "Site", "Old Mine", sources=["gem"], country="DE", status="closed")
    g.add_node("igm", "Union", "IG Metall", sources=["ar"], country="DE")
    g.add_edge("hold", "acme", "OWNS", id="own-1", sources=["ar"], share=100.0)
    g.add_edge("acme", "nord", "OPERATES", id="op-nord", sources=["gem"])
    g.add_edge("acme", "sued", "OPERATES", id="op-sued", sources=["gem"])
    g.add_edge("acme", "mine", "OPERATES", id="op-mine", sources=["gem"])
    g.add_edge("igm", "nord", "REPRESENTS", id="rep-nord", sources=["ar"], recognised=True)
    g.add_edge("igm", "sued", "REPRESENTS", id="rep-sued", sources=["ar"], valid_to="2020-12-31")
    return g


def client(graph: CampaignGraph | None = None, **options: object) -> TestClient:
    """A test client of the app over ``graph`` (default :func:`acme_graph`), served at :data:`BASE`."""
    from exports.web.app import create_app

    app = create_app(acme_graph() if graph is None else graph, host="127.0.0.1", port=8765, **options)  # type: ignore[arg-type]
    return TestClient(app, base_url=BASE)


def acme_geo_graph() -> CampaignGraph:
    """:func:`acme_graph` with places and commodities, for the group pages (coverage table, map):

    ==========  =========  ===================  ===========  ======================================
    site        status     lat, lon             commodity    on the map
    ==========  =========  ===================  ===========  ======================================
    nord        operating  53.55, 9.99          steel        placed
    sued        operating  48.14, 11.58         (none)       placed
    ost         operating  51.34, (none)        iron ore     not placed (no longitude)
    mine        closed     (none)               (none)       not placed; counted with status=all only
    ==========  =========  ===================  ===========  ======================================

    Werk Ost (DE) is operated by Acme Steel GmbH and has no union on record: union presence unknown.
    """
    g = acme_graph()
    g.set_node_props("nord", lat=53.55, lon=9.99, commodity="steel")
    g.set_node_props("sued", lat=48.14, lon=11.58)
    g.add_node("ost", "Site", "Werk Ost", sources=["gem"], country="DE", status="operating", workforce=80,
               lat=51.34, commodity="iron ore")
    g.add_edge("acme", "ost", "OPERATES", id="op-ost", sources=["gem"])
    return g


def acme_relations_graph() -> CampaignGraph:
    """tests/neo4j/graphs.py's ``acme_graph`` (agreements, a joint venture, a union with members)
    with a union network, an event and an affiliation, for the entity pages' relations:

        Acme Steel SA (acme) ──OWNS 100 % (since 2010)──> Acme Steel Brasil Ltda ──OPERATES──> Site A
                             └─OWNS 50 % joint ─> Acme-Beta JV <── OWNS 50 % joint ── Beta Metals plc
                                                  └─OPERATES 50 %──> Site B
        Acme GFA (gfa1) <──PARTY_TO employer── acme;  Site A CBA 2023 (cba1) <──PARTY_TO union── u1
        cba1 ──COVERS──> Site A;  u1 ──REPRESENTS (450 members, recognised)──> Site A
        Acme World Council (net1, company=acme) <──MEMBER_OF── u1
        Strike at Site A (ev1, 2024-03-01) ──INVOLVES──> Site A and acme
        u1 ──AFFILIATED_TO──> IndustriALL Brasil (ind)
    """
    from tests.neo4j.graphs import acme_graph as relations_base

    g = relations_base()
    g.add_node("net1", "UnionNetwork", "Acme World Council", sources=["s1"], company="acme", founded="2015-01-01")
    g.add_node("ev1", "Event", "Strike at Site A", sources=["s1"], date="2024-03-01", event_type="strike")
    g.add_node("ind", "Union", "IndustriALL Brasil", sources=["s1"], country="BR")
    g.add_edge("u1", "net1", "MEMBER_OF", id="mem-1", sources=["s1"])
    g.add_edge("ev1", "site-a", "INVOLVES", id="inv-site", sources=["s1"])
    g.add_edge("ev1", "acme", "INVOLVES", id="inv-acme", sources=["s1"])
    g.add_edge("u1", "ind", "AFFILIATED_TO", id="aff-1", sources=["s1"])
    return g
