"""Build the bundled sample dataset ``examples/sample/`` from the real public data.

Run from the repository root (reads ``data/``):

    .venv/bin/python examples/build_sample.py            # writes examples/sample/
    .venv/bin/python examples/build_sample.py --check    # exit 1 if the committed copy differs

What it does, step by step (every fact keeps the Source and ``file:row`` it came from):

1. loads the GEM trackers (steel plants and units, iron ore workbook, coal mines) and the
   sourced agreements and union networks table (``agreements/agreements.csv``);
2. resolves entities (:func:`loaders.resolution.resolve`, default threshold, no manual
   decisions), which joins e.g. the agreements table's ``ArcelorMittal`` with GEM's
   ``ArcelorMittal SA`` (E100000000687) and leaves ``ArcelorMittal South Africa Ltd`` apart;
3. keeps the base-metals multinationals the seed texts name (:data:`ROOTS`, as the data
   holds them), every company they own down the OWNS edges, the sites those companies
   operate, the co-operators and direct co-owners of those (one step, not their groups),
   and all agreements, networks and the named unions;
4. writes the generic tables (``nodes.csv``, ``edges.csv``, ``sources.csv``) with the
   same writer as ``campaign-graph export --format csv``, minus the dated ``about.json``,
   so the output is byte-for-byte reproducible.

Nothing is added by hand: no unions at sites, no CBAs, no members. Site-level union facts
stay unknown.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graphmodel.graph import CampaignGraph
from loaders.builder import build
from loaders.context import LoadContext
from loaders.registry import loader
from loaders.resolution import resolve

DATA = ROOT / "data"
OUT = ROOT / "examples" / "sample"
#: the date the sample was loaded (fixed, so a rebuild gives the same bytes)
LOAD_DATE = "2026-11-25"

FILES = (
    ("gem-steel", "gem-iron-steel-plants-2025-03-25.csv"),
    ("gem-units", "gem-iron-steel-units-2025-03-18.csv"),
    ("gem-iron-ore", "gem-iron-ore-mines-2024-11.xlsx"),
    ("gem-coal", "gem-coal-mines-2024-05-22.csv"),
    ("agreements", "agreements/agreements.csv"),
)

#: the groups' top companies as the data names them (exact names after resolution)
ROOTS = (
    "ArcelorMittal SA",
    "Glencore PLC",
    "Vale SA",
    "Rio Tinto PLC",
    "Rio Tinto Ltd",
    "BHP Group Ltd",
    "BHP",
    "South32 Ltd",
    "South32",
    "Anglo American PLC",
    "Gerdau SA",
    "Ternium SA",
    "Tenaris SA",
    "Vallourec SA",
    "thyssenkrupp AG",
)


def load_raw(data: Path = DATA) -> tuple[CampaignGraph, LoadContext]:
    """Load the real files (fixed load date), before entity resolution."""
    ctx = LoadContext(load_date=LOAD_DATE)
    for fmt, name in FILES:
        loader(fmt).load(data / name, ctx)
    return build(ctx), ctx


def load_all(data: Path = DATA) -> CampaignGraph:
    """Load the real files (fixed load date) and resolve entities."""
    graph, _ = load_raw(data)
    resolve(graph)
    return graph


def roots(graph: CampaignGraph) -> list[str]:
    """Node ids of :data:`ROOTS` present in the graph (exact name matches only)."""
    out: list[str] = []
    for name in ROOTS:
        for n, a in graph.nodes("Company"):
            if a.get("name") == name and n not in out:
                out.append(n)
    return sorted(out)


def select(graph: CampaignGraph) -> set[str]:
    """The node ids the sample keeps (see the module docstring)."""
    companies: set[str] = set()
    stack = roots(graph)
    while stack:  # every company owned down the OWNS edges, any share
        n = stack.pop()
        if n in companies:
            continue
        companies.add(n)
        stack.extend(v for _, _, v, _ in graph.out_edges(n, "OWNS") if graph.kind_of(v) == "Company")
    sites = {v for c in companies for _, _, v, _ in graph.out_edges(c, "OPERATES")}
    neighbours = {u for s in sites for _, u, _, _ in graph.in_edges(s, "OPERATES")}
    neighbours |= {u for c in companies for _, u, _, _ in graph.in_edges(c, "OWNS")}
    keep = companies | sites | neighbours
    for kind in ("Agreement", "UnionNetwork", "Union"):
        keep |= set(graph.node_ids(kind))
    for _, u, v, _ in graph.edges(("PARTY_TO", "MEMBER_OF")):
        keep |= {u, v}
    for _, a in graph.nodes("UnionNetwork"):
        if a.get("company") and graph.has_node(a["company"]):
            keep.add(a["company"])
    return keep


def subgraph(graph: CampaignGraph, keep: set[str]) -> CampaignGraph:
    """A copy of ``graph`` with only ``keep`` and the edges between them, and the sources they use."""
    sub = CampaignGraph()
    used: set[str] = set()
    nodes = [(n, dict(a)) for n, a in graph.nodes() if n in keep]
    edges = [(u, v, k, dict(a)) for k, u, v, a in graph.edges() if u in keep and v in keep]
    for _, a in nodes:
        used.update(a.get("sources") or [])
    for *_, a in edges:
        used.update(a.get("sources") or [])
    for s in sorted(used):
        sub.add_source(graph.sources[s])
    sub.bulk_add(sorted(nodes, key=lambda x: x[0]), sorted(edges, key=lambda x: x[2]))
    return sub


def write_tables(graph: CampaignGraph, folder: Path) -> list[Path]:
    """The generic tables, as ``campaign-graph export --format csv`` writes them (no about.json)."""
    from exports.formats.base import edge_columns, edge_rows, node_columns, node_rows
    from exports.formats.csv_tables import _csv_text, source_cells, table_cells
    from graphmodel.atomic import atomic_write_text, inside

    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "nodes.csv": _csv_text(table_cells(node_columns(graph), node_rows(graph), edge=False)),
        "edges.csv": _csv_text(table_cells(edge_columns(graph), edge_rows(graph), edge=True)),
        "sources.csv": _csv_text(source_cells(graph)),
    }
    out = []
    for name, text in files.items():
        target = inside(folder, name)
        atomic_write_text(target, text)
        out.append(target)
    return out


def build_sample(folder: Path = OUT, data: Path = DATA, graph: CampaignGraph | None = None) -> CampaignGraph:
    """Build the sample into ``folder`` (from ``graph``, the resolved full graph, if given); return it."""
    graph = graph if graph is not None else load_all(data)
    sample = subgraph(graph, select(graph))
    write_tables(sample, folder)
    return sample


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Build examples/sample from data/.")
    ap.add_argument("--check", action="store_true", help="compare with the committed sample instead of writing")
    args = ap.parse_args(argv)
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            build_sample(Path(tmp))
            bad = [n for n in ("nodes.csv", "edges.csv", "sources.csv")
                   if (Path(tmp) / n).read_bytes() != (OUT / n).read_bytes()]
        print("sample is up to date" if not bad else f"sample differs: {', '.join(bad)}")
        return 1 if bad else 0
    sample = build_sample()
    c = sample.counts_by_kind()
    print(f"wrote {OUT}: {sample.number_of_nodes()} nodes {c['nodes']}, {sample.number_of_edges()} edges {c['edges']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
