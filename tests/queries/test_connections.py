"""connections() and solidarity() on a small fictional graph with worked answers.

The graph (all names fictional):

    Union A --REPRESENTS(recognised)--> Site X <--OPERATES-- Y Steel <--OWNS 100%-- Zeta Holding
    Union A --REPRESENTS--> Site W --SUPPLIES(iron ore)--> Site X
    Union A --MEMBER_OF--> World Network <--MEMBER_OF-- Union B --REPRESENTS--> Site V <--OPERATES-- Zeta Holding
    Union A --REPRESENTS (valid_to 2020-12-31)--> Site V                      (expired)
    Union C --REPRESENTS--> Site S --SUPPLIES--> Site X                       (supply chain)
    Union D --MEMBER_OF--> World Network                                      (network only)
    Union E --REPRESENTS--> Site Q <--OPERATES-- Other Co                     (unconnected group)
    Person P --HOLDS_ROLE--> Zeta Holding, Person P --HOLDS_ROLE--> Union A    (excluded by default)
"""

from __future__ import annotations

import pytest

from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.records import Source
from queries.connections import connections, hop_text, solidarity

AS_OF = "2024-06-01"


@pytest.fixture()
def graph() -> CampaignGraph:
    g = CampaignGraph()
    g.add_source(Source("s1", title="Fictional test source"))
    nodes = [
        ("ua", "Union", "Union A"),
        ("ub", "Union", "Union B"),
        ("uc", "Union", "Union C"),
        ("ud", "Union", "Union D"),
        ("ue", "Union", "Union E"),
        ("net", "UnionNetwork", "World Network"),
        ("sx", "Site", "Site X"),
        ("sw", "Site", "Site W"),
        ("sv", "Site", "Site V"),
        ("ss", "Site", "Site S"),
        ("sq", "Site", "Site Q"),
        ("y", "Company", "Y Steel"),
        ("z", "Company", "Zeta Holding"),
        ("other", "Company", "Other Co"),
        ("p", "Person", "Person P"),
    ]
    for i, kind, name in nodes:
        g.add_node(i, kind, name, sources=["s1"])
    g.add_edge("ua", "sx", "REPRESENTS", recognised=True, sources=["s1"])
    g.add_edge("y", "sx", "OPERATES")
    g.add_edge("z", "y", "OWNS", share=100)
    g.add_edge("ua", "sw", "REPRESENTS")
    g.add_edge("sw", "sx", "SUPPLIES", commodity="iron ore")
    g.add_edge("ua", "net", "MEMBER_OF")
    g.add_edge("ub", "net", "MEMBER_OF")
    g.add_edge("ub", "sv", "REPRESENTS")
    g.add_edge("z", "sv", "OPERATES")
    g.add_edge("ua", "sv", "REPRESENTS", valid_to="2020-12-31")
    g.add_edge("uc", "ss", "REPRESENTS")
    g.add_edge("ss", "sx", "SUPPLIES")
    g.add_edge("ud", "net", "MEMBER_OF")
    g.add_edge("ue", "sq", "REPRESENTS")
    g.add_edge("other", "sq", "OPERATES")
    g.add_edge("p", "z", "HOLDS_ROLE", role="director")
    g.add_edge("p", "ua", "HOLDS_ROLE", role="officer")
    return g


def test_shortest_path_explained_word_for_word(graph: CampaignGraph) -> None:
    df = connections(graph, "Union A", "Zeta Holding", k=1, as_of=AS_OF)
    assert len(df) == 1
    row = df.iloc[0]
    assert row["rank"] == 1 and row["hops"] == 3
    assert row["path"] == "ua > sx > y > z"
    assert row["explanation"] == (
        "Union A REPRESENTS Site X (recognised); Site X is OPERATED BY Y Steel; Y Steel is 100% OWNED BY Zeta Holding"
    )
    assert row["path_names"] == "Union A > Site X > Y Steel > Zeta Holding"
    assert row["evidence"] == ["REPRESENTS:ua->sx", "OPERATES:y->sx", "OWNS:z->y"]


def test_k_paths_ordered_by_length_then_names(graph: CampaignGraph) -> None:
    df = connections(graph, "ua", "z", k=3, as_of=AS_OF)
    # 3 hops via Site X; then two 4-hop paths, "Site W" sorting before "World Network"
    assert df["hops"].tolist() == [3, 4, 4]
    assert df["path"].tolist() == [
        "ua > sx > y > z",
        "ua > sw > sx > y > z",
        "ua > net > ub > sv > z",
    ]
    assert df.loc[1, "explanation"] == (
        "Union A REPRESENTS Site W; Site W SUPPLIES Site X (iron ore); Site X is OPERATED BY Y Steel; "
        "Y Steel is 100% OWNED BY Zeta Holding"
    )
    assert df.loc[2, "explanation"] == (
        "Union A is MEMBER OF World Network; World Network has as MEMBER Union B; Union B REPRESENTS Site V; "
        "Site V is OPERATED BY Zeta Holding"
    )
    assert df["rank"].tolist() == [1, 2, 3]


def test_expired_edge_excluded_by_as_of(graph: CampaignGraph) -> None:
    # in 2019 the REPRESENTS edge to Site V was in force: a 2-hop path exists
    before = connections(graph, "ua", "z", k=1, as_of="2019-06-01")
    assert before.loc[0, "path"] == "ua > sv > z"
    assert before.loc[0, "explanation"] == "Union A REPRESENTS Site V; Site V is OPERATED BY Zeta Holding"
    after = connections(graph, "ua", "z", k=5, as_of=AS_OF)
    assert "ua > sv > z" not in after["path"].tolist()
    assert after["hops"].min() == 3


def test_max_hops_bounds_the_paths(graph: CampaignGraph) -> None:
    df = connections(graph, "ua", "z", k=3, max_hops=3, as_of=AS_OF)
    assert df["path"].tolist() == ["ua > sx > y > z"]
    assert connections(graph, "ua", "z", max_hops=2, as_of=AS_OF).empty


def test_people_only_when_asked(graph: CampaignGraph) -> None:
    # by default HOLDS_ROLE does not count, so the 2-hop path through Person P is absent
    assert "ua > p > z" not in connections(graph, "ua", "z", k=5, as_of=AS_OF)["path"].tolist()
    df = connections(graph, "ua", "z", k=1, kinds=["HOLDS_ROLE"], as_of=AS_OF)
    assert df.loc[0, "explanation"] == "Union A has as ROLE HOLDER Person P; Person P HOLDS A ROLE AT Zeta Holding"


def test_kinds_filter_and_unreachable(graph: CampaignGraph) -> None:
    assert connections(graph, "ua", "z", kinds=["OWNS", "OPERATES"], as_of=AS_OF).empty
    assert connections(graph, "ue", "z", as_of=AS_OF).empty  # Other Co's site is not linked


def test_bad_arguments_are_one_clear_error(graph: CampaignGraph) -> None:
    with pytest.raises(CampaignGraphError, match="unknown edge kind"):
        connections(graph, "ua", "z", kinds=["FRIENDS_WITH"])
    with pytest.raises(CampaignGraphError, match="no node matches"):
        connections(graph, "ua", "Nobody Ltd")
    with pytest.raises(CampaignGraphError, match="same node"):
        connections(graph, "ua", "Union A")


def test_hop_text_owns_variants() -> None:
    g = CampaignGraph()
    g.add_node("a", "Company", "Alpha Mining")
    g.add_node("b", "Company", "Beta Metals")
    unknown = g.add_edge("a", "b", "OWNS")
    assert hop_text(g, "b", "a", unknown) == "Beta Metals is OWNED BY Alpha Mining (share not published)"
    g.add_node("c", "Company", "Gamma JV")
    joint = g.add_edge("a", "c", "OWNS", share=50, control="joint")
    assert hop_text(g, "a", "c", joint) == "Alpha Mining OWNS 50% OF Gamma JV (joint control)"


def test_solidarity_group_supply_chain_network(graph: CampaignGraph) -> None:
    df = solidarity(graph, "Union A", as_of=AS_OF)
    got = list(zip(df["union_id"], df["relation"], df["explanation"]))
    assert got == [
        ("ub", "group", "Union B represents Site V, in the Zeta Holding group, like Site X, where Union A represents workers"),
        ("uc", "supply_chain", "Union C represents Site S, which supplies Site X, where Union A represents workers"),
        ("ub", "network", "Union B and Union A are both members of World Network"),
        ("ud", "network", "Union D and Union A are both members of World Network"),
    ]
    assert "ue" not in set(df["union_id"])  # Other Co is not in the group nor in the supply chain
    assert df.loc[0, "evidence"] == ["REPRESENTS:ub->sv", "OPERATES:z->sv", "REPRESENTS:ua->sx", "OPERATES:y->sx"]


def test_solidarity_respects_as_of(graph: CampaignGraph) -> None:
    # in 2019 Union A also represented Site V; Union B is still reached through the group
    df = solidarity(graph, "ua", as_of="2019-06-01")
    assert ("ub", "group") in set(zip(df["union_id"], df["relation"]))
    graph.add_edge("uc", "ss", "REPRESENTS", id="REPRESENTS:uc->ss", valid_to="2020-01-01", merge="replace")
    now = solidarity(graph, "ua", as_of=AS_OF)
    assert "uc" not in set(now["union_id"])


def test_cli_path_and_solidarity(graph: CampaignGraph, tmp_path) -> None:
    from click.testing import CliRunner

    from exports.cli.main import cli
    from graphmodel.stores.snapshot import save_snapshot

    save_snapshot(graph, tmp_path / "snap")
    runner = CliRunner()
    res = runner.invoke(cli, ["path", str(tmp_path / "snap"), "Union A", "Zeta Holding", "-k", "1", "--as-of", AS_OF])
    assert res.exit_code == 0, res.output
    assert "Y Steel is 100% OWNED BY Zeta Holding" in " ".join(res.output.split())
    none = runner.invoke(cli, ["path", str(tmp_path / "snap"), "ua", "z", "--max-hops", "2", "--as-of", AS_OF])
    assert none.exit_code == 0 and "no path of at most 2 hops" in none.output
    bad = runner.invoke(cli, ["path", str(tmp_path / "snap"), "ua", "Nobody Ltd"])
    assert bad.exit_code == 1 and "no node matches 'Nobody Ltd'" in bad.output
    sol = runner.invoke(cli, ["solidarity", str(tmp_path / "snap"), "Union A", "--as-of", AS_OF, "--format", "json"])
    assert sol.exit_code == 0, sol.output
    import json

    assert [r["union_id"] for r in json.loads(sol.stdout)] == ["ub", "uc", "ub", "ud"]


@pytest.mark.parametrize("seed", range(6))
def test_k_shortest_lengths_match_networkx(seed: int) -> None:
    """The lazy Yen search finds the same k shortest lengths as networkx on the projection."""
    import random
    from itertools import islice, pairwise

    import networkx as nx

    rng = random.Random(seed)
    g = CampaignGraph()
    n = 40
    for i in range(n):
        g.add_node(f"c{i:02d}", "Company", f"Company {i}")
    simple = nx.Graph()
    simple.add_nodes_from(f"c{i:02d}" for i in range(n))
    for _ in range(70):
        u, v = rng.sample(range(n), 2)
        a, b = f"c{u:02d}", f"c{v:02d}"
        if not g.has_edge(f"OWNS:{a}->{b}"):
            g.add_edge(a, b, "OWNS", share=rng.choice([10, 50, 100]))
            simple.add_edge(a, b)
    for a, b in [("c00", "c39"), ("c05", "c17"), ("c11", "c30")]:
        k, max_hops = 6, 7
        try:
            want = [len(p) - 1 for p in islice(nx.shortest_simple_paths(simple, a, b), k)]
        except nx.NetworkXNoPath:
            want = []
        want = [h for h in want if h <= max_hops]
        got = connections(g, a, b, k=k, max_hops=max_hops, as_of=AS_OF)
        assert got["hops"].tolist() == want
        for nodes in got["nodes"]:
            assert len(set(nodes)) == len(nodes)  # simple paths
            assert all(simple.has_edge(x, y) for x, y in pairwise(nodes))
