"""solidarity() through networks, federations and co-signed agreements, with worked answers.

The issue's case (issue 21; every name fictional):

    Riverside Steelworkers --AFFILIATED_TO--> Metalworkers Federation --MEMBER_OF (from 2019)--> Acme World Union Network
    Northern Metalworkers --AFFILIATED_TO (from 2020)--> Metalworkers Federation      (the sister union)
    Northern Metalworkers --PARTY_TO--> Acme Health and Safety Agreement <--PARTY_TO-- Acme Steel Holding
    Harbour Workers Union --PARTY_TO--> Acme Health and Safety Agreement
    Southern Miners Union --MEMBER_OF--> Acme World Union Network
    Island Dockers Union --AFFILIATED_TO--> Transport Federation --MEMBER_OF--> Acme World Union Network
    Riverside Steelworkers --REPRESENTS--> Riverside Mill <--OPERATES-- Riverside Metals   (no other union there)
    Northern Metalworkers --REPRESENTS--> Acme Works North <--OPERATES-- Acme Steel Holding

Riverside Steelworkers is in no network itself and signed nothing; before the change solidarity
found nobody for it. The expected rows below were worked out by hand from the picture.
Then each relation alone on small graphs, the dates, the CLI, and an oracle on seeded random
graphs (networkx over the AFFILIATED_TO, MEMBER_OF and PARTY_TO edges in force).
"""

from __future__ import annotations

import json
import random

import networkx as nx
import pytest

from graphmodel.graph import CampaignGraph
from graphmodel.records import Source
from queries.connections import SOLIDARITY_COLUMNS, solidarity

AS_OF = "2024-06-30"
NET = "Acme World Union Network"


def issue_graph() -> CampaignGraph:
    g = CampaignGraph()
    g.add_source(Source("s1", title="Fictional test source"))
    props = {"net": {"company": "acme"}, "hs": {"agreement_type": "hs", "signed": "2018-05-01"}}
    for i, kind, name in [
        ("ux", "Union", "Riverside Steelworkers"),
        ("fed", "Union", "Metalworkers Federation"),
        ("us", "Union", "Northern Metalworkers"),
        ("uh", "Union", "Harbour Workers Union"),
        ("um", "Union", "Southern Miners Union"),
        ("ui", "Union", "Island Dockers Union"),
        ("tf", "Union", "Transport Federation"),
        ("net", "UnionNetwork", NET),
        ("hs", "Agreement", "Acme Health and Safety Agreement"),
        ("acme", "Company", "Acme Steel Holding"),
        ("river", "Company", "Riverside Metals"),
        ("north", "Site", "Acme Works North"),
        ("mill", "Site", "Riverside Mill"),
    ]:
        g.add_node(i, kind, name, sources=["s1"], **props.get(i, {}))
    g.add_edge("ux", "fed", "AFFILIATED_TO")
    g.add_edge("fed", "net", "MEMBER_OF", valid_from="2019-01-01")
    g.add_edge("us", "fed", "AFFILIATED_TO", valid_from="2020-01-01")
    g.add_edge("us", "hs", "PARTY_TO", role="union")
    g.add_edge("acme", "hs", "PARTY_TO", role="employer")
    g.add_edge("uh", "hs", "PARTY_TO", role="union")
    g.add_edge("um", "net", "MEMBER_OF")
    g.add_edge("ui", "tf", "AFFILIATED_TO")
    g.add_edge("tf", "net", "MEMBER_OF")
    g.add_edge("ux", "mill", "REPRESENTS")
    g.add_edge("river", "mill", "OPERATES")
    g.add_edge("us", "north", "REPRESENTS")
    g.add_edge("acme", "north", "OPERATES")
    return g


@pytest.fixture()
def graph() -> CampaignGraph:
    return issue_graph()


def rows(df) -> list[tuple[str, str, str]]:
    return list(zip(df["union_id"], df["relation"], df["explanation"]))


FED_IN_NET = "MEMBER_OF:fed->net@2019-01-01"
UX_FED = "AFFILIATED_TO:ux->fed"
US_FED = "AFFILIATED_TO:us->fed@2020-01-01"


def test_the_issue_case_is_found_with_each_path_explained(graph: CampaignGraph) -> None:
    df = solidarity(graph, "Riverside Steelworkers", as_of=AS_OF)
    assert list(df.columns) == SOLIDARITY_COLUMNS
    assert rows(df) == [
        ("ui", "network", (f"Island Dockers Union (affiliated to Transport Federation, a member) and Riverside "
                          f"Steelworkers (affiliated to Metalworkers Federation, a member) are both in {NET}")),
        ("us", "network", (f"Northern Metalworkers and Riverside Steelworkers are both affiliated to Metalworkers "
                          f"Federation, a member of {NET}")),
        ("um", "network", (f"Southern Miners Union (a member) and Riverside Steelworkers (affiliated to "
                          f"Metalworkers Federation, a member) are both in {NET}")),
        ("tf", "network", (f"Transport Federation (a member) and Riverside Steelworkers (affiliated to "
                          f"Metalworkers Federation, a member) are both in {NET}")),
        ("fed", "federation", "Metalworkers Federation is a federation Riverside Steelworkers is affiliated to"),
        ("us", "federation", ("Northern Metalworkers and Riverside Steelworkers are both affiliated to "
                             "Metalworkers Federation")),
    ]
    # ids travel in via and evidence, from the other union towards the asking one
    by = {(u, r): (v, e) for u, r, v, e in zip(df["union_id"], df["relation"], df["via"], df["evidence"])}
    assert by[("ui", "network")] == (["tf", "net", "fed"],
                                     ["AFFILIATED_TO:ui->tf", "MEMBER_OF:tf->net", FED_IN_NET, UX_FED])
    assert by[("us", "network")] == (["fed", "net"], [US_FED, FED_IN_NET, UX_FED])
    assert by[("um", "network")] == (["net", "fed"], ["MEMBER_OF:um->net", FED_IN_NET, UX_FED])
    assert by[("fed", "federation")] == ([], [UX_FED])
    assert by[("us", "federation")] == (["fed"], [US_FED, UX_FED])
    # the Harbour Workers signed the H&S agreement with the sister union, not with Riverside or its federation
    assert "uh" not in set(df["union_id"])


def test_the_sister_union_reaches_its_co_signatory_and_the_network(graph: CampaignGraph) -> None:
    df = solidarity(graph, "us", as_of=AS_OF)
    got = [(u, r) for u, r, _ in rows(df)]
    assert got == [("ui", "network"), ("ux", "network"), ("um", "network"), ("tf", "network"),
                   ("fed", "federation"), ("ux", "federation"), ("uh", "co_signed")]
    co = df[df["relation"] == "co_signed"].iloc[0]
    assert co["explanation"] == ("Harbour Workers Union and Northern Metalworkers both signed Acme Health and Safety "
                                 "Agreement (health & safety agreement, in force)")
    assert co["via"] == ["hs"] and co["evidence"] == ["PARTY_TO:uh->hs", "PARTY_TO:us->hs"]


def test_as_of_before_an_edge_starts(graph: CampaignGraph) -> None:
    # 2018: the federation is not yet in the network, the sister not yet affiliated
    assert [(u, r) for u, r, _ in rows(solidarity(graph, "ux", as_of="2018-06-01"))] == [("fed", "federation")]
    # 2019: the federation is in the network; the sister union is not affiliated yet
    assert [(u, r) for u, r, _ in rows(solidarity(graph, "ux", as_of="2019-06-01"))] == [
        ("ui", "network"), ("um", "network"), ("tf", "network"), ("fed", "federation"),
    ]
    # the H&S agreement is signed on 2018-05-01: before that there is nothing co-signed
    assert "co_signed" not in set(solidarity(graph, "us", as_of="2018-01-01")["relation"])
    assert "co_signed" in set(solidarity(graph, "us", as_of="2018-05-01")["relation"])


# ------------------------------------------------------------------------- each relation alone


def small(nodes: list[tuple[str, str, str]]) -> CampaignGraph:
    g = CampaignGraph()
    for i, kind, name in nodes:
        g.add_node(i, kind, name)
    return g


def test_network_each_way() -> None:
    g = small([("a", "Union", "Union A"), ("b", "Union", "Union B"), ("c", "Union", "Union C"),
               ("fa", "Union", "Federation FA"), ("fb", "Union", "Federation FB"), ("n", "UnionNetwork", "Net N"),
               ("m", "UnionNetwork", "Net M")])
    g.add_edge("b", "n", "MEMBER_OF")
    g.add_edge("fa", "n", "MEMBER_OF")
    g.add_edge("a", "fa", "AFFILIATED_TO")
    g.add_edge("c", "fb", "AFFILIATED_TO")
    g.add_edge("fb", "n", "MEMBER_OF")
    g.add_edge("a", "m", "MEMBER_OF")  # a network nobody else is in
    df = solidarity(g, "a", as_of=AS_OF)
    assert rows(df) == [
        ("fb", "network", ("Federation FB (a member) and Union A (affiliated to Federation FA, a member) are both "
                          "in Net N")),
        ("b", "network", "Union B (a member) and Union A (affiliated to Federation FA, a member) are both in Net N"),
        ("c", "network", ("Union C (affiliated to Federation FB, a member) and Union A (affiliated to Federation FA, "
                         "a member) are both in Net N")),
        ("fa", "federation", "Federation FA is a federation Union A is affiliated to"),
    ]
    # the other side: Union B reaches Union A through Union A's federation
    b = solidarity(g, "b", as_of=AS_OF)
    a_row = b[b["union_id"] == "a"].iloc[0]
    assert a_row["explanation"] == (
        "Union A (affiliated to Federation FA, a member) and Union B (a member) are both in Net N")
    assert a_row["via"] == ["fa", "n"]
    assert a_row["evidence"] == ["AFFILIATED_TO:a->fa", "MEMBER_OF:fa->n", "MEMBER_OF:b->n"]
    # a federation member lists its affiliates under federation, not as network members through itself
    fa = solidarity(g, "fa", as_of=AS_OF)
    assert [(u, r) for u, r, _ in rows(fa)] == [("fb", "network"), ("b", "network"), ("c", "network"),
                                                 ("a", "federation")]
    assert fa.iloc[-1]["explanation"] == "Union A is affiliated to Federation FA"


def test_network_prefers_direct_membership() -> None:
    g = small([("a", "Union", "Union A"), ("b", "Union", "Union B"), ("f", "Union", "Federation F"),
               ("n", "UnionNetwork", "Net N")])
    for u in ("a", "b", "f"):
        g.add_edge(u, "n", "MEMBER_OF")
    g.add_edge("a", "f", "AFFILIATED_TO")
    g.add_edge("b", "f", "AFFILIATED_TO")
    df = solidarity(g, "a", as_of=AS_OF)
    b = df[(df["union_id"] == "b") & (df["relation"] == "network")].iloc[0]
    assert b["explanation"] == "Union B and Union A are both members of Net N"
    assert b["evidence"] == ["MEMBER_OF:b->n", "MEMBER_OF:a->n"]
    # Federation F is both a member of the network and Union A's federation: reported under both
    assert [(u, r) for u, r, _ in rows(df)] == [("f", "network"), ("b", "network"), ("f", "federation"),
                                                ("b", "federation")]
    assert df.iloc[0]["explanation"] == "Federation F and Union A are both members of Net N"


def test_federation_each_way() -> None:
    g = small([("a", "Union", "Union A"), ("f", "Union", "Federation F"), ("g", "Union", "Federation G"),
               ("s", "Union", "Sister S"), ("l", "Union", "Local L"), ("x", "Union", "Unrelated X")])
    g.add_edge("a", "f", "AFFILIATED_TO")
    g.add_edge("s", "f", "AFFILIATED_TO")
    g.add_edge("l", "a", "AFFILIATED_TO")
    g.add_edge("l", "g", "AFFILIATED_TO")  # Federation G is Local L's, not Union A's: not reached
    g.add_edge("x", "g", "AFFILIATED_TO")
    df = solidarity(g, "a", as_of=AS_OF)
    assert rows(df) == [
        ("f", "federation", "Federation F is a federation Union A is affiliated to"),
        ("l", "federation", "Local L is affiliated to Union A"),
        ("s", "federation", "Sister S and Union A are both affiliated to Federation F"),
    ]
    assert list(df["via"]) == [[], [], ["f"]]
    assert list(df["evidence"]) == [["AFFILIATED_TO:a->f"], ["AFFILIATED_TO:l->a"],
                                    ["AFFILIATED_TO:s->f", "AFFILIATED_TO:a->f"]]


def agreements_graph() -> CampaignGraph:
    g = small([("a", "Union", "Union A"), ("f", "Union", "Federation F"), ("b", "Union", "Union B"),
               ("c", "Union", "Union C"), ("d", "Union", "Union D"), ("e", "Union", "Union E"),
               ("k", "Company", "Kappa Mining"),
               ("cba", "Agreement", "Kappa CBA"), ("gfa", "Agreement", "Kappa GFA"),
               ("old", "Agreement", "Old Kappa CBA"), ("new", "Agreement", "New Kappa CBA"),
               ("tac", "Agreement", "Tacit Kappa Accord")])
    g.nx.nodes["cba"].update(agreement_type="cba", signed="2022-01-01", expires="2025-12-31")
    g.nx.nodes["gfa"].update(agreement_type="gfa", signed="2015-03-16")
    g.nx.nodes["old"].update(agreement_type="cba", signed="2017-01-01", expires="2020-12-31", renewal="none")
    g.nx.nodes["new"].update(agreement_type="cba", signed="2026-01-01")
    g.nx.nodes["tac"].update(agreement_type="other", signed="2016-01-01", expires="2019-12-31", renewal="tacit")
    g.add_edge("a", "f", "AFFILIATED_TO")
    g.add_edge("a", "cba", "PARTY_TO", role="union")
    g.add_edge("b", "cba", "PARTY_TO", role="union")
    g.add_edge("k", "cba", "PARTY_TO", role="employer")  # a company signatory is no union to reach
    g.add_edge("f", "gfa", "PARTY_TO", role="union")
    g.add_edge("c", "gfa", "PARTY_TO", role="union")
    g.add_edge("a", "old", "PARTY_TO", role="union")
    g.add_edge("d", "old", "PARTY_TO", role="union")
    g.add_edge("b", "old", "PARTY_TO", role="union")  # B also signed the old one: the one in force is named
    g.add_edge("a", "new", "PARTY_TO", role="union")
    g.add_edge("e", "new", "PARTY_TO", role="union")  # signed only in 2026: not yet co-signed
    g.add_edge("a", "tac", "PARTY_TO", role="union")
    g.add_edge("e", "tac", "PARTY_TO", role="union", valid_to="2018-12-31")  # E left the accord in 2018
    return g


def test_co_signed_each_way() -> None:
    df = solidarity(agreements_graph(), "a", as_of=AS_OF)
    co = df[df["relation"] == "co_signed"]
    assert rows(co) == [
        ("b", "co_signed", "Union B and Union A both signed Kappa CBA (collective agreement, in force)"),
        ("c", "co_signed", ("Union C signed Kappa GFA, as did Federation F, to which Union A is affiliated "
                           "(global framework agreement, in force)")),
        ("d", "co_signed", ("Union D and Union A both signed Old Kappa CBA (collective agreement, expired on "
                           "2020-12-31)")),
    ]
    assert list(co["via"]) == [["cba"], ["gfa", "f"], ["old"]]
    assert list(co["evidence"]) == [["PARTY_TO:b->cba", "PARTY_TO:a->cba"],
                                    ["PARTY_TO:c->gfa", "PARTY_TO:f->gfa", "AFFILIATED_TO:a->f"],
                                    ["PARTY_TO:d->old", "PARTY_TO:a->old"]]
    # Federation F signed the GFA, but it is Union A's own federation: named under federation only
    assert [(u, r) for u, r in zip(df["union_id"], df["relation"])
            if u == "f"] == [("f", "federation")]


def test_co_signed_follows_the_date() -> None:
    g = agreements_graph()
    # 2018: Union E was still party to the tacit accord, whose last known period ended in 2019
    e = solidarity(g, "a", as_of="2018-06-01")
    assert ("e", "co_signed", "Union E and Union A both signed Tacit Kappa Accord (agreement, in force)") in rows(e)
    # 2027: the new CBA is signed; the tacitly renewed accord is possibly in force, but E left it
    later = solidarity(g, "a", as_of="2027-01-01")
    assert ("e", "co_signed", "Union E and Union A both signed New Kappa CBA (collective agreement, in force)") \
        in rows(later)
    g.add_edge("e", "tac", "PARTY_TO", role="union", valid_from="2020-01-01")  # E back in the accord
    e_row = solidarity(g, "a", as_of="2024-06-01")
    assert ("e", "co_signed", ("Union E and Union A both signed Tacit Kappa Accord (agreement, possibly in force: "
                              "its last known period ended on 2019-12-31)")) in rows(e_row)


def test_cli_table_and_json(graph: CampaignGraph, tmp_path) -> None:
    from click.testing import CliRunner

    from exports.cli.main import cli
    from graphmodel.stores.snapshot import save_snapshot

    save_snapshot(graph, tmp_path / "snap")
    runner = CliRunner()
    res = runner.invoke(cli, ["solidarity", str(tmp_path / "snap"), "Riverside Steelworkers", "--as-of", AS_OF,
                              "--format", "json"])
    assert res.exit_code == 0, res.output
    got = json.loads(res.stdout)
    assert [(r["union"], r["relation"]) for r in got] == [
        ("Island Dockers Union", "network"), ("Northern Metalworkers", "network"), ("Southern Miners Union", "network"),
        ("Transport Federation", "network"), ("Metalworkers Federation", "federation"),
        ("Northern Metalworkers", "federation"),
    ]
    assert got[4]["evidence"] == [UX_FED]
    # the Harbour Workers' only link is the H&S agreement, signed in 2018
    none = runner.invoke(cli, ["solidarity", str(tmp_path / "snap"), "Harbour Workers Union", "--as-of",
                               "2010-01-01"])
    assert none.exit_code == 0
    assert none.output.strip() == ("no union reachable from 'Harbour Workers Union' through a group, supply chain, "
                                   "network, federation or co-signed agreement")


# ------------------------------------------------------------------------- oracle on random graphs

DATES = ["2015-01-01", "2019-06-30", "2022-03-15", "2025-12-31"]


def random_union_graph(seed: int) -> CampaignGraph:
    """Fictional unions, federations, networks and agreements with dated links, reproducible from ``seed``."""
    rnd = random.Random(seed)
    g = CampaignGraph()
    unions = [f"u{i:02d}" for i in range(14)]
    for i, u in enumerate(unions):
        g.add_node(u, "Union", f"Union {i % 9}")  # repeated names: ties broken by id
    nets = [f"n{i}" for i in range(3)]
    for i, n in enumerate(nets):
        g.add_node(n, "UnionNetwork", f"Network {i}")
    agreements = [f"a{i}" for i in range(6)]
    for i, a in enumerate(agreements):
        props = {"agreement_type": rnd.choice(["cba", "gfa", "hs", "other", None])}
        if rnd.random() < 0.8:
            props["signed"] = rnd.choice(DATES)
        if rnd.random() < 0.6:
            props["expires"] = rnd.choice(DATES)
        if rnd.random() < 0.5:
            props["renewal"] = rnd.choice(["tacit", "unknown", "none"])
        if props.get("expires") and props.get("signed") and props["expires"] < props["signed"]:
            props["expires"] = props["signed"]
        g.add_node(a, "Agreement", f"Agreement {i % 4}", **{k: v for k, v in props.items() if v is not None})
    g.add_node("co", "Company", "Company Zero")

    def dated() -> dict:
        out = {}
        if rnd.random() < 0.25:
            out["valid_from"] = rnd.choice(DATES)
        if rnd.random() < 0.25:
            out["valid_to"] = rnd.choice(DATES)
        if out.get("valid_from") and out.get("valid_to") and out["valid_to"] < out["valid_from"]:
            out.pop("valid_to")
        return out

    def link(u: str, v: str, kind: str, **props: object) -> None:
        attrs = dated()
        eid = f"{kind}:{u}->{v}" + (f"@{attrs['valid_from']}" if attrs.get("valid_from") else "")
        if not g.has_edge(eid):
            g.add_edge(u, v, kind, **attrs, **props)

    for _ in range(16):
        u, v = rnd.sample(unions, 2)
        link(u, v, "AFFILIATED_TO")
    for _ in range(12):
        link(rnd.choice(unions), rnd.choice(nets), "MEMBER_OF")
    for _ in range(16):
        link(rnd.choice(unions), rnd.choice(agreements), "PARTY_TO", role="union")
    for a in rnd.sample(agreements, 3):
        link("co", a, "PARTY_TO", role="employer")
    return g


def in_force_digraph(g: CampaignGraph, kinds: list[str], day: str) -> nx.MultiDiGraph:
    d = nx.MultiDiGraph()
    d.add_nodes_from(g.node_ids())
    for eid, u, v, _a in g.edges(kinds, as_of=day):
        d.add_edge(u, v, key=eid, kind=_a["kind"])
    return d


def edge_paths(d: nx.MultiDiGraph, a: str, b: str, cutoff: int) -> list[list[tuple[str, str, str, str]]]:
    """Simple paths from ``a`` to ``b`` of at most ``cutoff`` edges, read undirected; each edge as
    ``(edge id, kind, direction, node reached)``, direction ``+`` along the edge, ``-`` against it."""
    und = nx.MultiGraph()
    und.add_nodes_from(d.nodes)
    for u, v, k, data in d.edges(keys=True, data=True):
        und.add_edge(u, v, key=k, kind=data["kind"], frm=u)
    out = []
    for path in nx.all_simple_edge_paths(und, a, b, cutoff=cutoff):
        steps, at = [], a
        for u, v, k in path:
            data = und.edges[u, v, k]
            nxt = v if u == at else u
            steps.append((k, data["kind"], "+" if data["frm"] == at else "-", nxt))
            at = nxt
        out.append(steps)
    return out


def pattern(steps: list[tuple[str, str, str, str]]) -> tuple[str, ...]:
    short = {"AFFILIATED_TO": "A", "MEMBER_OF": "M", "PARTY_TO": "P"}
    return tuple(short[k] + d for _e, k, d, _n in steps)


FEDERATION_PATTERNS = {("A+",), ("A-",), ("A+", "A-")}
CO_SIGNED_PATTERNS = {("P+", "P-"), ("A+", "P+", "P-")}


def networks_reached(d: nx.MultiDiGraph, g: CampaignGraph, union: str, without: str) -> dict[str, int]:
    """network -> edges from ``union`` to it along the edges (MEMBER_OF, or AFFILIATED_TO then
    MEMBER_OF), not passing through ``without``."""
    sub = d.subgraph([n for n in d.nodes if n != without])
    dist = nx.single_source_shortest_path_length(sub, union, cutoff=2)
    return {n: k for n, k in dist.items() if g.kind_of(n) == "UnionNetwork"}


@pytest.mark.parametrize("seed", range(8))
def test_relations_match_networkx_on_random_graphs(seed: int) -> None:
    from queries._frames import agreement_status

    g = random_union_graph(seed)
    unions = g.node_ids("Union")
    rank = {"in_force": 0, "possibly_in_force": 1, "expired": 2}
    for day in DATES[1:]:
        aff_mem = in_force_digraph(g, ["AFFILIATED_TO", "MEMBER_OF"], day)
        aff = in_force_digraph(g, ["AFFILIATED_TO"], day)
        aff_party = in_force_digraph(g, ["AFFILIATED_TO", "PARTY_TO"], day)
        in_force_ids = {e for e, *_ in g.edges(["AFFILIATED_TO", "MEMBER_OF", "PARTY_TO"], as_of=day)}
        for me in unions:
            df = solidarity(g, me, as_of=day)
            got = {(u, r): (v, e, x) for u, r, v, e, x in zip(df["union_id"], df["relation"], df["via"],
                                                                df["evidence"], df["explanation"])}
            want: dict[tuple[str, str], object] = {}
            for other in unions:
                if other == me:
                    continue
                # network: a network both reach, neither through the other
                mine, theirs = networks_reached(aff_mem, g, me, other), networks_reached(aff_mem, g, other, me)
                common = set(mine) & set(theirs)
                if common:
                    want[(other, "network")] = min(mine[n] + theirs[n] for n in common)
                fed_paths = [p for p in edge_paths(aff, me, other, 2) if pattern(p) in FEDERATION_PATTERNS]
                if fed_paths:
                    want[(other, "federation")] = min(len(p) for p in fed_paths)
                co = []
                for p in edge_paths(aff_party, me, other, 3):
                    if pattern(p) in CO_SIGNED_PATTERNS:
                        agreement = p[-2][3]
                        state = agreement_status(g, agreement, day).state
                        if state != "not_yet":
                            co.append(rank[state])
                if co:
                    want[(other, "co_signed")] = min(co)
            assert set(got) == set(want), (seed, day, me)
            for (other, relation), (via, evidence, text) in got.items():
                assert len(set(evidence)) == len(evidence) and set(evidence) <= in_force_ids
                touched = set()
                for eid in evidence:
                    u, v, _a = g.edge(eid)
                    touched |= {u, v}
                assert touched == {me, other, *via}, (seed, day, me, other, relation)
                walk = nx.Graph([g.edge(e)[:2] for e in evidence])
                assert nx.has_path(walk, me, other)
                if relation == "co_signed":
                    assert rank[agreement_status(g, via[0], day).state] == want[(other, relation)]
                    assert g.name_of(via[0]) in text
                elif relation == "federation":
                    assert len(evidence) == want[(other, relation)]
                else:  # a federation both are in through shares its MEMBER_OF edge
                    assert len(evidence) <= want[(other, relation)]
                assert text.startswith(g.name_of(other))
            # rows: by relation, then name, then id
            order = {"group": 0, "supply_chain": 1, "network": 2, "federation": 3, "co_signed": 4}
            keys = [(order[r], n.casefold(), u) for r, n, u in zip(df["relation"], df["union"], df["union_id"])]
            assert keys == sorted(keys)


@pytest.mark.parametrize("seed", range(3))
def test_same_answer_on_a_snapshot_held_in_columns(seed: int, tmp_path) -> None:
    from graphmodel.stores.snapshot import load_snapshot, save_snapshot

    g = random_union_graph(seed)
    save_snapshot(g, tmp_path / "snap")
    columns = load_snapshot(tmp_path / "snap")
    assert columns.adjacency() is not None  # the columnar store, not networkx
    for me in g.node_ids("Union"):
        for day in DATES[1:]:
            a, b = solidarity(g, me, as_of=day), solidarity(columns, me, as_of=day)
            assert a.to_dict("records") == b.to_dict("records")


def test_walk_helper_reads_directions() -> None:
    """The oracle's own reading of a path, checked by hand on three edges."""
    g = small([("a", "Union", "A"), ("f", "Union", "F"), ("b", "Union", "B"), ("x", "Agreement", "X")])
    g.add_edge("a", "f", "AFFILIATED_TO")
    g.add_edge("f", "x", "PARTY_TO")
    g.add_edge("b", "x", "PARTY_TO")
    d = in_force_digraph(g, ["AFFILIATED_TO", "PARTY_TO"], AS_OF)
    (path,) = edge_paths(d, "a", "b", 3)
    assert pattern(path) == ("A+", "P+", "P-")
    assert [n for *_r, n in path] == ["f", "x", "b"]


@pytest.mark.parametrize("seed", range(4))
def test_network_and_federation_are_symmetric(seed: int) -> None:
    """If A reaches B through a network or a federation, B reaches A the same way (co_signed is
    one-sided: a union's federation signing counts for the union, not for the other signatory)."""
    g = random_union_graph(seed)
    day = DATES[2]
    found: dict[str, set[tuple[str, str]]] = {}
    for u in g.node_ids("Union"):
        df = solidarity(g, u, as_of=day)
        found[u] = set(zip(df["union_id"], df["relation"]))
    pairs = {(a, b, r) for a, got in found.items() for b, r in got if r in ("network", "federation")}
    assert pairs, "the random graphs hold networks and federations"
    assert {(b, a, r) for a, b, r in pairs} == pairs
