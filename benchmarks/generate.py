"""Seeded generator of realistic synthetic campaign graphs, written in the generic table format.

Shapes follow what the real data shows: groups whose ownership trees run up to six levels
deep with minority stakes, joint ventures (control=joint, 50/50) and a few cross-holding
cycles; unknown shares on some edges; sites operated by subsidiaries; unions at a share of
sites (recognised or not); CBAs with validity dates (some expired), GFAs with scopes;
a supply subgraph between sites and customer companies; investors; events.

All names are synthetic ("Group 12 Holding", "Site 12-7"): nothing here is a real company.

Sizes (approximate): S ≈ 10k nodes, M ≈ 100k nodes / 250k edges, L ≈ 500k nodes / 1.2M edges.

Usage::

    python -m benchmarks.generate --size S -o benchmarks/data/S
"""

from __future__ import annotations

import argparse
import csv
import random
from dataclasses import dataclass
from pathlib import Path

SIZES = {"XS": 12, "S": 65, "M": 650, "L": 3300}  # number of groups

COUNTRIES = ["DE", "FR", "BR", "ZA", "IN", "US", "AU", "CL", "PE", "ID", "KZ", "UA", "MX", "CA", "PL", "ES", "TR", "CN"]
COMMODITIES = ["steel", "iron ore", "coal", "copper", "aluminium", "nickel", "zinc"]
SITE_TYPES = {"steel": "steel plant", "iron ore": "mine", "coal": "mine", "copper": "mine", "aluminium": "smelter",
              "nickel": "refinery", "zinc": "smelter"}

NODE_HEADER = ["id", "kind", "name", "sources", "country", "commodity", "site_type", "workforce", "lat", "lon",
               "status", "agreement_type", "signed", "expires", "renewal", "scope", "company", "workers_capital",
               "level", "date", "event_type", "union_status", "cba_status"]
EDGE_HEADER = ["source", "target", "kind", "sources", "share", "voting", "control", "valid_from", "valid_to",
               "recognised", "members", "role", "commodity"]


@dataclass
class Counts:
    nodes: int = 0
    edges: int = 0


def generate(out: str | Path, size: str = "S", seed: int = 7, groups: int | None = None) -> Counts:
    """Write ``nodes.csv``, ``edges.csv`` and ``sources.csv`` for a synthetic graph into ``out``.

    Returns the row counts. Same ``size`` and ``seed`` -> byte-identical files.

    Examples
    --------
    >>> import tempfile
    >>> c = generate(tempfile.mkdtemp(), "XS")
    >>> c.nodes > 1000 and c.edges > c.nodes
    True
    """
    rng = random.Random(seed)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    n_groups = groups if groups is not None else SIZES[size]
    counts = Counts()
    src = "synthetic"
    with open(folder / "sources.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "title", "publisher", "url", "retrieved", "licence"])
        w.writerow([src, f"Synthetic benchmark graph (size {size}, seed {seed})", "campaign-graph benchmarks", "", "2026-01-01", "CC0"])
    with open(folder / "nodes.csv", "w", newline="", encoding="utf-8") as nf, open(folder / "edges.csv", "w", newline="", encoding="utf-8") as ef:
        nw, ew = csv.writer(nf), csv.writer(ef)
        nw.writerow(NODE_HEADER)
        ew.writerow(EDGE_HEADER)
        ni = {h: i for i, h in enumerate(NODE_HEADER)}
        ei = {h: i for i, h in enumerate(EDGE_HEADER)}

        def node(id: str, kind: str, name: str, **props: object) -> None:
            row = [""] * len(NODE_HEADER)
            row[0], row[1], row[2], row[3] = id, kind, name, src
            for k, v in props.items():
                row[ni[k]] = v
            nw.writerow(row)
            counts.nodes += 1

        def edge(s: str, t: str, kind: str, **props: object) -> None:
            row = [""] * len(EDGE_HEADER)
            row[0], row[1], row[2], row[3] = s, t, kind, src
            for k, v in props.items():
                row[ei[k]] = v
            ew.writerow(row)
            counts.edges += 1

        for c in COUNTRIES:
            node(f"country-{c}", "Country", c)
        investors = [f"inv{i}" for i in range(max(5, n_groups // 10))]
        for i, inv in enumerate(investors):
            node(inv, "Investor", f"Pension Fund {i}", workers_capital="yes" if i % 3 == 0 else "no", country=rng.choice(COUNTRIES))
        customers = [f"cust{i}" for i in range(max(10, n_groups // 2))]
        for i, cu in enumerate(customers):
            node(cu, "Company", f"Customer Manufacturing {i}", country=rng.choice(COUNTRIES))
        all_sites: list[str] = []
        roots: list[str] = []
        for g in range(n_groups):
            root = f"g{g}"
            roots.append(root)
            home = rng.choice(COUNTRIES)
            node(root, "Company", f"Group {g} Holding", country=home)
            edge(root, f"country-{home}", "LOCATED_IN")
            if rng.random() < 0.3:
                edge(rng.choice(investors), root, "OWNS", share=round(rng.uniform(1, 9), 2))
            # ownership tree: breadth-first, depth <= 6
            companies = [root]
            frontier = [(root, 0)]
            target = rng.randint(20, 45)
            k = 0
            while frontier and len(companies) < target:
                parent, depth = frontier.pop(0)
                for _ in range(rng.randint(1, 4)):
                    if len(companies) >= target or depth >= 6:
                        break
                    k += 1
                    cid = f"g{g}c{k}"
                    cc = rng.choice(COUNTRIES)
                    node(cid, "Company", f"Group {g} Subsidiary {k}", country=cc)
                    edge(cid, f"country-{cc}", "LOCATED_IN")
                    r = rng.random()
                    if r < 0.70:
                        edge(parent, cid, "OWNS", share=rng.choice([100, 100, 100, 90.5, 75, 60, 51]))
                    elif r < 0.80:
                        edge(parent, cid, "OWNS", share=round(rng.uniform(5, 45), 1))
                    elif r < 0.88:
                        edge(parent, cid, "OWNS", share=50, control="joint")
                        edge(rng.choice(customers), cid, "OWNS", share=50, control="joint")
                    elif r < 0.95:
                        edge(parent, cid, "OWNS")  # share unknown
                    else:
                        edge(parent, cid, "OWNS", share=100, valid_from="2001-01-01", valid_to="2019-12-31")
                        edge(parent, cid, "OWNS", share=30, valid_from="2020-01-01")
                    companies.append(cid)
                    frontier.append((cid, depth + 1))
            if len(companies) > 4 and rng.random() < 0.05:  # a cross-holding cycle (dated, so never a duplicate edge)
                a, b = rng.sample(companies[1:], 2)
                edge(a, b, "OWNS", share=round(rng.uniform(5, 20), 1), valid_from="2015-01-01")
                edge(b, a, "OWNS", share=round(rng.uniform(5, 20), 1), valid_from="2015-01-01")
            network = None
            if rng.random() < 0.3:
                network = f"g{g}net"
                node(network, "UnionNetwork", f"Group {g} World Union Network", company=root)
            if rng.random() < 0.35:
                gfa = f"g{g}gfa"
                node(gfa, "Agreement", f"Group {g} Global Framework Agreement", agreement_type="gfa",
                     signed=f"{rng.randint(2005, 2020)}-06-01",
                     scope=rng.choice(["controlled", "all_subsidiaries", "majority_owned", "suppliers_included", "unknown"]),
                     expires=rng.choice(["", "", f"{rng.randint(2018, 2030)}-12-31"]), renewal=rng.choice(["", "tacit", "unknown"]))
                edge(root, gfa, "PARTY_TO", role="employer")
            # sites
            n_sites = rng.randint(35, 85)
            group_sites = []
            for s in range(n_sites):
                sid = f"g{g}s{s}"
                com = rng.choice(COMMODITIES)
                cc = rng.choice(COUNTRIES)
                node(sid, "Site", f"Site {g}-{s}", commodity=com, site_type=SITE_TYPES[com], country=cc,
                     workforce=rng.randint(50, 6000) if rng.random() < 0.7 else "",
                     lat=round(rng.uniform(-50, 60), 4), lon=round(rng.uniform(-120, 150), 4),
                     status=rng.choice(["operating"] * 8 + ["idle", "closed"]),
                     union_status="none" if rng.random() < 0.05 else "")
                operator = rng.choice(companies)
                edge(operator, sid, "OPERATES", share=100)
                edge(sid, f"country-{cc}", "LOCATED_IN")
                group_sites.append(sid)
                if rng.random() < 0.6:
                    uid = f"g{g}u{s}"
                    node(uid, "Union", f"Union Local {g}-{s}", level="local", country=cc)
                    edge(uid, sid, "REPRESENTS", recognised=rng.choice(["yes", "yes", "no", ""]),
                         members=rng.randint(3, 3000) if rng.random() < 0.5 else "")
                    if network and rng.random() < 0.5:
                        edge(uid, network, "MEMBER_OF")
                    if rng.random() < 0.6:
                        aid = f"g{g}cba{s}"
                        start = rng.randint(2015, 2025)
                        node(aid, "Agreement", f"CBA {g}-{s}", agreement_type="cba", signed=f"{start}-01-01",
                             expires=f"{start + rng.randint(1, 4)}-{rng.randint(1, 12):02d}-28",
                             renewal=rng.choice(["", "", "tacit", "unknown"]))
                        edge(aid, sid, "COVERS")
                        edge(uid, aid, "PARTY_TO", role="union")
                        edge(operator, aid, "PARTY_TO", role="employer")
            # supply: sites feed sister sites and customers
            for sid in group_sites:
                for cu in rng.sample(customers, 2):  # distinct already; a set would order by string hash
                    if rng.random() < 0.6:
                        edge(sid, cu, "SUPPLIES", commodity="product")
                if rng.random() < 0.3 and all_sites:
                    edge(rng.choice(all_sites), sid, "SUPPLIES", commodity="input")
            all_sites.extend(group_sites)
            if rng.random() < 0.5:
                ev = f"g{g}ev"
                node(ev, "Event", f"Dismissal of union leaders at Group {g}", date=f"{rng.randint(2010, 2025)}-03-15", event_type="union busting")
                edge(ev, rng.choice(group_sites), "INVOLVES")
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", choices=sorted(SIZES), default="S")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args()
    c = generate(args.output, args.size, args.seed)
    print(f"wrote {c.nodes} nodes and {c.edges} edges to {args.output}")


if __name__ == "__main__":
    main()
