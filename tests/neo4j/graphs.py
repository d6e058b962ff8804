"""Small, obviously fictional graphs for the Bolt tests ("Acme Steel", "Site A")."""

from __future__ import annotations

import random

from graphmodel.graph import CampaignGraph
from graphmodel.records import Source


def acme_graph() -> CampaignGraph:
    """A group with every property type: lists, floats, ints, bools, dates, enums, sources."""
    g = CampaignGraph()
    g.add_source(Source("s1", title="Acme annual report 2024", publisher="Acme", url="https://example.org/acme",
                        retrieved="2025-01-10", licence="CC BY 4.0"))
    g.add_source(Source("s2", title="Field notes", confidential=True))
    g.add_node("acme", "Company", "Acme Steel SA", sources=["s1"], country="LU", aliases=["Acme", "Acme Steel"],
               listed=True, gem_id=["E100000000001"])
    g.add_node("acme-br", "Company", "Acme Steel Brasil Ltda", sources=["s1"], country="BR")
    g.add_node("acme-jv", "Company", "Acme-Beta JV", sources=["s1"], country="ZA")
    g.add_node("beta", "Company", "Beta Metals plc", sources=["s1"], country="GB")
    g.add_node("site-a", "Site", "Site A", sources=["s1"], commodity="steel", country="BR", lat=-20.1, lon=-44.2,
               workforce=1200, status="operating", precarious_share=35.5, union_status="present")
    g.add_node("site-b", "Site", "Site B", sources=["s1"], commodity="iron ore", country="ZA", workforce=800,
               cba_status="none", cba_status_date="2024-06-01")
    g.add_node("u1", "Union", "Metalworkers Union of Site A", sources=["s2"], level="local", email="x@example.org")
    g.add_node("cba1", "Agreement", "Site A CBA 2023", sources=["s1"], agreement_type="cba", signed="2023-01-01",
               expires="2025-12-31", clauses=["precarious work", "H&S"])
    g.add_node("gfa1", "Agreement", "Acme GFA", sources=["s1"], agreement_type="gfa", signed="2019-05-01",
               scope="controlled", renewal="tacit")
    g.add_node("p1", "Person", "Jane Doe", sources=["s2"], role="organiser")
    g.add_node("br", "Country", "Brazil", iso2="BR", ilo_ratifications=["C098"], national_action_plan=False)
    g.add_edge("acme", "acme-br", "OWNS", sources=["s1"], share=100.0, voting=100.0, valid_from="2010-01-01")
    g.add_edge("acme", "acme-jv", "OWNS", sources=["s1"], share=50.0, control="joint")
    g.add_edge("beta", "acme-jv", "OWNS", sources=["s1"], share=50.0, control="joint")
    g.add_edge("acme-br", "site-a", "OPERATES", sources=["s1"])
    g.add_edge("acme-jv", "site-b", "OPERATES", sources=["s1"], share=50.0)
    g.add_edge("u1", "site-a", "REPRESENTS", sources=["s2"], members=450, recognised=True)
    g.add_edge("cba1", "site-a", "COVERS", sources=["s1"])
    g.add_edge("acme", "gfa1", "PARTY_TO", sources=["s1"], role="employer")
    g.add_edge("u1", "cba1", "PARTY_TO", sources=["s1"], role="union")
    g.add_edge("p1", "u1", "HOLDS_ROLE", sources=["s2"], role="organiser")
    g.add_edge("site-a", "br", "LOCATED_IN")
    g.add_edge("site-a", "site-b", "SUPPLIES", commodity="iron ore", volume=1.5e6, unit="t")
    return g


def random_graph(seed: int, n_companies: int = 30, n_sites: int = 40) -> CampaignGraph:
    """A seeded random ownership/operation graph with cycles, unknown shares and unions."""
    rng = random.Random(seed)
    g = CampaignGraph()
    g.add_source(Source("gen", title="generated"))
    for i in range(n_companies):
        g.add_node(f"c{i}", "Company", f"Company {i}", sources=["gen"], country=rng.choice(["DE", "BR", "ZA"]))
    for i in range(n_sites):
        props = {"commodity": rng.choice(["steel", "coal"]), "country": rng.choice(["DE", "BR", "ZA"])}
        if rng.random() < 0.7:
            props["workforce"] = rng.randint(10, 5000)
        if rng.random() < 0.1:
            props["union_status"] = "none"
        g.add_node(f"s{i}", "Site", f"Site {i}", sources=["gen"], **props)
    pairs: set[tuple[int, int]] = set()
    for i in range(1, n_companies):
        for _ in range(rng.choice([1, 1, 2])):
            j = rng.randrange(n_companies)
            if j == i or (j, i) in pairs:
                continue
            pairs.add((j, i))
            props = {}
            r = rng.random()
            if r < 0.7:
                props["share"] = float(rng.choice([10, 25, 30, 50, 51, 60, 100]))
            elif r < 0.8:
                props["control"] = rng.choice(["yes", "joint"])
            g.add_edge(f"c{j}", f"c{i}", "OWNS", sources=["gen"], **props)
    for i in range(n_sites):
        g.add_edge(f"c{rng.randrange(n_companies)}", f"s{i}", "OPERATES", sources=["gen"])
    for i in range(n_sites // 2):
        u = f"u{i}"
        g.add_node(u, "Union", f"Union {i}", sources=["gen"])
        props = {"recognised": rng.random() < 0.6}
        if rng.random() < 0.5:
            props["members"] = rng.randint(0, 900)
        g.add_edge(u, f"s{rng.randrange(n_sites)}", "REPRESENTS", sources=["gen"], **props)
    return g
