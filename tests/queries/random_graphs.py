"""Seeded random campaign graphs for the differential tests of the coverage and ownership fast paths.

Everything here is fictional ("Company 3", "Site 17"). The graphs are small but dense in the
cases the queries treat specially: unknown and ranged shares, voting rights, control=yes/joint,
GEM parent assertions, cross-holdings and 100 % cycles, dated edges, several operators per site,
unions with zero or unknown members, site status properties, CBAs/GFAs/H&S agreements of every
scope and renewal, COVERS with exclusions to sites and companies, supply chains, networks named by
id or by company name, and a network founded later.
"""

from __future__ import annotations

import random

from graphmodel.graph import CampaignGraph
from graphmodel.records import Source

DATES = ["2010-01-01", "2018-06-30", "2021-03-15", "2024-06-30", "2027-12-31"]


def random_campaign_graph(seed: int, *, companies: int = 14, sites: int = 30) -> CampaignGraph:
    """A fictional graph with every feature coverage reads, reproducible from ``seed``."""
    rnd = random.Random(seed)
    g = CampaignGraph()
    g.add_source(Source("src1", title="Fictional register"))
    g.add_source(Source("src2", title="Fictional survey"))
    comp = [f"c{i}" for i in range(companies)]
    for i, c in enumerate(comp):
        g.add_node(c, "Company", f"Company {i}" + rnd.choice(["", " SA", " Ltd"]), sources=[rnd.choice(["src1", "src2"])])
    g.add_node("inv", "Investor", "Fund One")
    g.add_node("per", "Person", "Person One")
    holders = comp + ["inv", "per"]
    # ownership: mostly a forest, plus random extra holdings, cycles and parallel edges
    for i, c in enumerate(comp[1:], start=1):
        if rnd.random() < 0.8:
            _owns(g, rnd, rnd.choice(comp[:i]), c)
    for _ in range(companies // 2):
        u, v = rnd.choice(holders), rnd.choice(comp)
        if u != v:
            _owns(g, rnd, u, v)
    # sites and operators
    site_ids = [f"s{i}" for i in range(sites)]
    for i, s in enumerate(site_ids):
        props: dict = {"country": rnd.choice(["XA", "XB", "XC", None]), "commodity": rnd.choice(["steel", "ore"])}
        if rnd.random() < 0.8:
            props["workforce"] = rnd.randint(0, 2000)
        if rnd.random() < 0.3:
            props["union_status"] = rnd.choice(["none", "present", "unknown"])
            if rnd.random() < 0.5:
                props["union_status_date"] = rnd.choice(DATES)
        if rnd.random() < 0.3:
            props["cba_status"] = rnd.choice(["none", "in_force", "unknown"])
            if rnd.random() < 0.5:
                props["cba_status_date"] = rnd.choice(DATES)
        if rnd.random() < 0.5:
            props["lat"], props["lon"] = rnd.uniform(-60, 60), rnd.uniform(-170, 170)
        if rnd.random() < 0.5:
            props["status"] = rnd.choice(["operating", "construction"])
        name = rnd.choice(["Site", "site", "Mine", "Plant"]) + f" {i % 7}"  # repeated names: ties broken by id
        g.add_node(s, "Site", name, sources=[rnd.choice(["src1", "src2"])] if rnd.random() < 0.8 else [], **props)
        r = rnd.random()
        if r < 0.85:
            g.add_edge(rnd.choice(comp), s, "OPERATES", **_maybe(rnd, share=rnd.choice([100, 60, 50])))
        elif r < 0.95:
            a, b = rnd.sample(comp, 2)
            g.add_edge(a, s, "OPERATES", **_maybe(rnd, share=rnd.choice([50, 70, 30])))
            g.add_edge(b, s, "OPERATES", **_maybe(rnd, share=rnd.choice([50, 30])))
        # else: no operator
    # unions and representation
    unions = [f"u{i}" for i in range(6)]
    for i, u in enumerate(unions):
        g.add_node(u, "Union", f"Union {i}")
    for s in site_ids:
        for _ in range(rnd.choice([0, 0, 1, 1, 2])):
            props = {}
            if rnd.random() < 0.7:
                props["members"] = rnd.choice([0, 10, 250])
            if rnd.random() < 0.7:
                props["recognised"] = rnd.choice([True, False])
            _dated(rnd, props)
            g.add_edge(rnd.choice(unions), s, "REPRESENTS", id=f"rep:{s}:{len(g.in_edges(s))}", **props)
    for c in rnd.sample(comp, 3):
        g.add_edge(rnd.choice(unions), c, "REPRESENTS", **_maybe(rnd, members=rnd.choice([0, 40])))
    # networks: by company id, by company name, one founded later
    for i in range(3):
        c = rnd.choice(comp)
        company = c if i != 1 else g.name_of(c)
        props = {"company": company}
        if i == 2:
            props["founded"] = "2026-01-01"
        g.add_node(f"net{i}", "UnionNetwork", f"Network {i}", **props)
        for u in rnd.sample(unions, 2):
            g.add_edge(u, f"net{i}", "MEMBER_OF")
    # agreements
    for j in range(12):
        kind = rnd.choice(["cba", "cba", "gfa", "gfa", "hs", "efa"])
        props = {"agreement_type": kind}
        if rnd.random() < 0.85:
            props["signed"] = rnd.choice(DATES[:4])
        if rnd.random() < 0.7:
            props["expires"] = rnd.choice(DATES[1:])
        if rnd.random() < 0.6:
            props["renewal"] = rnd.choice(["tacit", "unknown", "none"])
        if kind != "cba" or rnd.random() < 0.3:
            props["scope"] = rnd.choice(["controlled", "majority_owned", "all_subsidiaries", "suppliers_included",
                                         "unknown"])
        g.add_node(f"a{j}", "Agreement", f"Agreement {j}", **props)
        for c in rnd.sample(comp, rnd.choice([1, 1, 2])):
            g.add_edge(c, f"a{j}", "PARTY_TO", **_maybe(rnd, role=rnd.choice(["employer", "witness"])))
        if rnd.random() < 0.4:
            g.add_edge(rnd.choice(unions), f"a{j}", "PARTY_TO", role="union")
        for _ in range(rnd.choice([0, 0, 1, 2, 3])):
            target = rnd.choice(site_ids + comp)
            g.add_edge(f"a{j}", target, "COVERS", id=f"cov:a{j}:{target}:{rnd.random():.6f}",
                       **_maybe(rnd, excluded=rnd.choice([True, False])))
    # supply: site -> site, site -> company, company -> site
    for _ in range(sites // 2):
        u = rnd.choice(site_ids + comp[:4])
        v = rnd.choice(site_ids + comp[:4])
        if u != v:
            g.add_edge(u, v, "SUPPLIES", id=f"sup:{u}:{v}:{rnd.random():.6f}")
    return g


def _maybe(rnd: random.Random, **props: object) -> dict:
    return props if rnd.random() < 0.6 else {}


def _dated(rnd: random.Random, props: dict) -> None:
    if rnd.random() < 0.15:
        props["valid_from"] = rnd.choice(DATES)
    if rnd.random() < 0.15:
        props["valid_to"] = rnd.choice([d for d in DATES if d >= props.get("valid_from", "")])


def _owns(g: CampaignGraph, rnd: random.Random, u: str, v: str) -> None:
    props: dict = {}
    r = rnd.random()
    if r < 0.55:
        props["share"] = rnd.choice([100, 75, 60, 51, 50, 40, 30, 20, 10, 5])
    elif r < 0.65:
        props["share_min"], props["share_max"] = rnd.choice([(10, 30), (40, 60), (50, 100)])
    elif r < 0.72:
        props["voting"], props["share"] = rnd.choice([(60, 30), (40, 70)])
    # else: share not published
    if rnd.random() < 0.12:
        props["control"] = rnd.choice(["yes", "joint", "no", "unknown"])
    if rnd.random() < 0.06:
        props["derived"] = "gem_parent"
    _dated(rnd, props)
    eid = f"OWNS:{u}->{v}:{len(g.out_edges(u))}"
    g.add_edge(u, v, "OWNS", id=eid, **props)
