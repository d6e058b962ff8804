"""docs/threats.md row 10: 5% of cells mutated -> the error report is exactly the injected set.

A clean generated table (fictional sites and companies) loads with no error. Then 5% of
its mutable cells get a value their column refuses, at most one per row so each rejected
row has exactly one cause; the report must be exactly those (file, row, column), and
loaded + rejected must equal the rows in the input.
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

import pytest

from loaders.registry import load_paths

#: closed vocabularies without "other": a text outside them is set aside (left unknown, a warning)
#: and the row loads (issue 17 case 4)
ENUM_COLUMNS = {"status", "union_status", "control"}

#: column -> a value it must refuse (or set aside, for ENUM_COLUMNS)
SITE_BAD = {
    "kind": "Spaceship",
    "workforce": "many",
    "lat": "north",
    "lon": "east",
    "status": "exploded",
    "start_year": "nineteen",
    "precarious_share": "150",
    "union_status": "maybe",
    "cba_status_date": "2020-13-45",
}
OWNS_BAD = {
    "kind": "LIKES",
    "share": "150",
    "voting": "-5",
    "control": "perhaps",
    "valid_from": "32/13/2020",
    "valid_to": "2021-02-29",
}


def _csv(header: list[str], rows: list[dict[str, str]]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, header, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def _tables(rng: random.Random, n_sites: int, n_companies: int) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    statuses = ["operating", "idle", "closed", "planned"]
    nodes = [{"id": f"co-{i}", "kind": "Company", "name": f"Acme Company {i}"} for i in range(n_companies)]
    for i in range(n_sites):
        nodes.append({
            "id": f"site-{i}", "kind": "Site", "name": f"Site {i}",
            "workforce": str(rng.randint(0, 5000)), "lat": f"{rng.uniform(-60, 60):.4f}", "lon": f"{rng.uniform(-170, 170):.4f}",
            "status": rng.choice(statuses), "start_year": str(rng.randint(1900, 2024)),
            "precarious_share": str(rng.randint(0, 100)), "union_status": rng.choice(["none", "present", "unknown"]),
            "cba_status_date": f"20{rng.randint(10, 24)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        })
    edges = []
    for i in range(1, n_companies):
        edges.append({
            "id": f"own-{i}", "source": f"co-{rng.randrange(i)}", "target": f"co-{i}", "kind": "OWNS",
            "share": str(rng.randint(1, 100)), "voting": str(rng.randint(1, 100)), "control": rng.choice(["yes", "no", "joint"]),
            "valid_from": f"20{rng.randint(10, 19)}-01-01", "valid_to": f"20{rng.randint(20, 29)}-12-31",
        })
    return nodes, edges


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_five_percent_mutated_cells_are_reported_exactly(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    nodes, edges = _tables(rng, n_sites=300, n_companies=120)
    node_header = ["id", "kind", "name", *[c for c in SITE_BAD if c != "kind"]]
    edge_header = ["id", "source", "target", "kind", *[c for c in OWNS_BAD if c != "kind"]]
    (tmp_path / "nodes.csv").write_text(_csv(node_header, nodes))
    (tmp_path / "edges.csv").write_text(_csv(edge_header, edges))
    g0, ctx0 = load_paths([tmp_path], fmt="tables")
    assert ctx0.errors == [] and g0.number_of_nodes() == len(nodes) and g0.number_of_edges() == len(edges)

    # mutate: 5% of the mutable cells, one per row at most (site rows and OWNS rows only:
    # no edge touches a site, so a rejected site never takes an edge with it)
    cells = [("nodes.csv", i, c) for i, r in enumerate(nodes) if r["kind"] == "Site" for c in SITE_BAD]
    cells += [("edges.csv", i, c) for i in range(len(edges)) for c in OWNS_BAD]
    target = round(0.05 * len(cells))
    injected: set[tuple[str, int, str]] = set()
    used_rows: set[tuple[str, int]] = set()
    for f, i, c in rng.sample(cells, len(cells)):
        if len(injected) == target:
            break
        if (f, i) in used_rows:
            continue
        used_rows.add((f, i))
        table, bad = (nodes, SITE_BAD) if f == "nodes.csv" else (edges, OWNS_BAD)
        table[i][c] = bad[c]
        injected.add((f, i + 2, c))  # row 1 is the header
    assert len(injected) == target
    (tmp_path / "nodes.csv").write_text(_csv(node_header, nodes))
    (tmp_path / "edges.csv").write_text(_csv(edge_header, edges))

    g, ctx = load_paths([tmp_path], fmt="tables")
    aside = {x for x in injected if x[2] in ENUM_COLUMNS}
    refused = injected - aside
    assert aside and refused
    reported = {(Path(e.file).name, e.row, e.column) for e in ctx.errors}
    assert reported == refused
    assert len(ctx.errors) == len(refused)  # one error per mutated cell, nothing else
    assert {(Path(a["file"]).name, a["row"], a["column"]) for a in ctx.set_aside} == aside
    assert len(ctx.warnings) == len(aside)
    bad_nodes = sum(1 for f, _, _ in refused if f == "nodes.csv")
    bad_edges = len(refused) - bad_nodes
    assert g.number_of_nodes() + bad_nodes == len(nodes)
    assert g.number_of_edges() + bad_edges == len(edges)
    s = ctx.summary()
    assert s["rows_read"] == len(nodes) + len(edges) and s["rows_rejected"] == len(refused)
    # the good rows are the same records as in the clean load, less a cell set aside
    left_out = {nodes[r - 2]["id"]: c for f, r, c in aside if f == "nodes.csv"}
    for n in g.node_ids():
        assert g.node(n) == {k: v for k, v in g0.node(n).items() if k != left_out.get(n)}
