"""Arrow tables of a campaign graph, and the columnar store behind a freshly loaded graph.

Two things live here, both internal to :mod:`graphmodel`:

- building the snapshot's typed Arrow tables from ``(id, attrs)`` rows
  (:func:`node_rows_table`, :func:`edge_rows_table`), shared by snapshot saving and by
  :meth:`~graphmodel.graph.CampaignGraph.node_table` / ``edge_table``;
- :class:`Columnar`, which holds a graph as its typed tables plus compact numpy indexes,
  so that loading a snapshot does not build 1.3M networkx attribute dicts. A
  :class:`~graphmodel.graph.CampaignGraph` in *columnar mode* answers its read methods
  from here (attribute dicts are made lazily, one node or edge kind at a time) and builds
  the real networkx graph only when ``graph.nx`` is used or the graph is changed.

pyarrow and numpy are imported inside the functions: ``graphmodel.graph`` is imported by
every command, most of which never touch a table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from graphmodel import schema
from graphmodel.errors import CampaignGraphError

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

NODE_LEAD = ("id", "kind", "name")
EDGE_LEAD = ("id", "source", "target", "kind")


def arrow_types() -> dict[str, pa.DataType]:
    """Arrow type per schema property type (the snapshot's column types)."""
    import pyarrow as pa

    return {
        "str": pa.string(),
        "int": pa.int64(),
        "float": pa.float64(),
        "percent": pa.float64(),
        "bool": pa.bool_(),
        "date": pa.string(),
        "enum": pa.string(),
        "list": pa.list_(pa.string()),
    }


def table_from_columns(rows_cols: dict[str, list[Any]], types: dict[str, pa.DataType]) -> pa.Table:
    """An Arrow table of Python columns; ``kind`` is dictionary-encoded (first-appearance order)."""
    import pyarrow as pa

    arrays = []
    for name, values in rows_cols.items():
        arr = pa.array(values, type=types[name])
        if name == "kind":
            arr = arr.dictionary_encode()
        arrays.append(arr)
    return pa.Table.from_arrays(arrays, names=list(rows_cols))


def sparse_columns(
    items: list[tuple[str, Mapping[str, Any]]], lead: Iterable[str], props: Mapping[str, schema.Prop]
) -> dict[str, list[Any]]:
    """Property columns (``None`` where absent) in schema order, from one pass over the cells.

    Each row's attributes are visited once and written into their column, so the cost is the
    number of values present, not rows × columns (property columns are sparse: most belong
    to one kind).
    """
    n = len(items)
    lead = set(lead)
    cols: dict[str, list[Any]] = {}
    for i, (_, a) in enumerate(items):
        for p, v in a.items():
            col = cols.get(p)
            if col is None:
                col = cols[p] = [None] * n
            col[i] = v
    unknown = set(cols) - set(props) - lead
    if unknown:
        raise CampaignGraphError(f"cannot save: properties not in the schema: {', '.join(sorted(unknown))}")
    return {p: cols[p] for p in props if p in cols and p not in lead}


def node_rows_table(nodes: list[tuple[str, Mapping[str, Any]]]) -> pa.Table:
    """The nodes table (``id, kind, name, <props in schema order>``) of ``(id, attrs)`` rows, in that order.

    Only properties with at least one value get a column.
    """
    import pyarrow as pa

    node_props = schema.all_node_props()
    types = arrow_types()
    nprops = sparse_columns(nodes, NODE_LEAD, node_props)
    ncols: dict[str, list[Any]] = {
        "id": [n for n, _ in nodes],
        "kind": [a["kind"] for _, a in nodes],
        "name": [a.get("name") for _, a in nodes],
        **nprops,
    }
    ntypes = {"id": pa.string(), "kind": pa.string(), "name": pa.string()}
    ntypes.update({p: types[node_props[p].type] for p in nprops})
    return table_from_columns(ncols, ntypes)


def edge_rows_table(edges: list[tuple[str, str, str, Mapping[str, Any]]]) -> pa.Table:
    """The edges table (``id, source, target, kind, <props>``) of ``(source, target, id, attrs)`` rows."""
    import pyarrow as pa

    edge_props = schema.all_edge_props()
    types = arrow_types()
    eprops = sparse_columns([(k, a) for _, _, k, a in edges], EDGE_LEAD, edge_props)
    ecols: dict[str, list[Any]] = {
        "id": [k for _, _, k, _ in edges],
        "source": [u for u, _, _, _ in edges],
        "target": [v for _, v, _, _ in edges],
        "kind": [a["kind"] for _, _, _, a in edges],
        **eprops,
    }
    etypes = {c: pa.string() for c in EDGE_LEAD}
    etypes.update({p: types[edge_props[p].type] for p in eprops})
    return table_from_columns(ecols, etypes)


def kinds_filter(kind: str | Iterable[str] | None) -> set[str] | None:
    """``kind`` argument of the table accessors as a set (``None``: all kinds)."""
    if kind is None:
        return None
    return {kind} if isinstance(kind, str) else set(kind)
