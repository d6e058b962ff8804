"""Walking a columnar graph with numpy: the links of many nodes at once, in networkx's order.

A graph loaded from a snapshot may hold its data as Arrow tables plus numpy indexes
(``graph.is_columnar``): for each node, its out-edge rows and in-edge rows in exactly the
order networkx would iterate them (CSR offsets ``out_ptr`` / ``in_ptr`` into ``out_order`` /
``in_order``), each edge's source and target rows and kind code. Reading those arrays
directly lets a walk touch thousands of nodes without building an attribute dict per edge
(``graph.out_edges`` builds whole kinds of them) and without ``graph.nx`` (which builds the
whole networkx graph). Walks on an ordinary graph read networkx's dicts instead
(:func:`queries.connections.networkx_if_built`); both ways give the same answers, which the
differential tests check.

:func:`columnar_adjacency` returns ``None`` when the graph is not columnar or its store
lacks any of the arrays used here, and callers then take the ordinary path.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from graphmodel.graph import CampaignGraph

#: what this module reads from the graph's columnar store (graphmodel.columnar.Columnar)
_NEEDED = ("ids", "row", "nkind", "nkind_codes", "nkind_names", "ekind_codes", "ekind_names", "src", "dst",
           "out_order", "out_ptr", "in_order", "in_ptr", "ntable", "etable", "eids", "erow")


class ColumnarAdjacency:
    """Numpy views of a columnar graph's edges, with per-day validity masks.

    Examples
    --------
    >>> from graphmodel.graph import CampaignGraph
    >>> columnar_adjacency(CampaignGraph()) is None  # an ordinary graph
    True
    """

    def __init__(self, col: Any) -> None:
        self.col = col
        self.ids: list[str] = col.ids
        self.row: dict[str, int] = col.row
        self.nkind: list[str] = col.nkind
        self.src, self.dst = col.src, col.dst
        self.out_order, self.out_ptr = col.out_order, col.out_ptr
        self.in_order, self.in_ptr = col.in_order, col.in_ptr
        self.ekind_codes = col.ekind_codes
        self.ekind_names: list[str] = col.ekind_names
        self._valid: dict[str, np.ndarray] = {}
        self._kinds: dict[frozenset[str], np.ndarray] = {}
        self._walkable: dict[tuple[str, frozenset[str]], np.ndarray] = {}

    @property
    def eids(self) -> list[str]:
        """Edge ids by edge row (built once per graph by the store)."""
        return self.col.eids  # type: ignore[no-any-return]

    def node_kind_mask(self, kinds: frozenset[str]) -> np.ndarray:
        """Boolean per node row: the node's kind is in ``kinds``."""
        import numpy as np

        wanted = [i for i, k in enumerate(self.col.nkind_names) if k in kinds]
        return np.isin(self.col.nkind_codes, np.asarray(wanted, dtype=self.col.nkind_codes.dtype))

    def kind_mask(self, kinds: frozenset[str]) -> np.ndarray:
        """Boolean per edge row: the edge's kind is in ``kinds`` (kept per set of kinds)."""
        hit = self._kinds.get(kinds)
        if hit is None:
            import numpy as np

            wanted = [i for i, k in enumerate(self.ekind_names) if k in kinds]
            hit = self._kinds[kinds] = np.isin(self.ekind_codes, np.asarray(wanted, dtype=self.ekind_codes.dtype))
        return hit

    def walkable(self, day: str, kinds: frozenset[str]) -> np.ndarray:
        """Boolean per edge row: of one of ``kinds`` and in force on ``day`` (kept per pair)."""
        hit = self._walkable.get((day, kinds))
        if hit is None:
            hit = self._walkable[(day, kinds)] = self.valid(day) & self.kind_mask(kinds)
        return hit

    def valid(self, day: str) -> np.ndarray:
        """Boolean per edge row: the edge is in force on ``day`` (``graphmodel.values.in_force``:
        an empty or missing end is open). Only the rows with a date are compared."""
        hit = self._valid.get(day)
        if hit is not None:
            return hit
        import numpy as np
        import pyarrow.compute as pc

        table = self.col.etable
        ok = np.ones(table.num_rows, dtype=bool)
        for name, too_early in (("valid_from", True), ("valid_to", False)):
            if name not in table.column_names:
                continue
            col = table.column(name)
            if col.null_count == len(col):
                continue
            rows = pc.indices_nonzero(pc.is_valid(col))
            values = col.take(rows)
            # in_force: valid_from after the day, or valid_to before it, puts the edge out of force
            out = pc.greater(values, day) if too_early else pc.less(values, day)
            out = pc.and_(out, pc.not_equal(values, ""))
            bad = rows.to_numpy()[out.to_numpy(zero_copy_only=False).astype(bool)]
            ok[bad] = False
        self._valid[day] = ok
        return ok

    def edges_at(self, rows: np.ndarray, columns: Collection[str]) -> list[tuple[str, str, dict[str, Any]]]:
        """``(source, target, attrs)`` of the edge ``rows``."""
        ids, src, dst = self.ids, self.src, self.dst
        attrs = _row_dicts(self.col.etable, rows, columns)
        return [(ids[u], ids[v], a) for u, v, a in zip(src[rows].tolist(), dst[rows].tolist(), attrs)]

    def gather(self, nodes: np.ndarray, out: bool) -> tuple[np.ndarray, np.ndarray]:
        """``(edge rows, position in nodes)`` of the out-edges (or in-edges) of ``nodes``, node by
        node in the order given, each node's edges in networkx's order."""
        import numpy as np

        ptr, order = (self.out_ptr, self.out_order) if out else (self.in_ptr, self.in_order)
        starts, ends = ptr[nodes], ptr[nodes + 1]
        lengths = ends - starts
        total = int(lengths.sum())
        if total == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        owner = np.repeat(np.arange(len(nodes)), lengths)
        offsets = np.cumsum(lengths) - lengths
        idx = np.arange(total) - offsets[owner] + starts[owner]
        return order[idx], owner


def take(table: Any, rows: Any) -> Any:
    """``table.take(rows)`` (an Arrow table or chunked column) without joining its chunks first.

    A loaded snapshot's columns come in several chunks (Parquet row groups), and Arrow's take
    on a chunked column concatenates every chunk each time: 7 ms for a handful of rows of a
    1.3M-row column. Here each chunk is asked only for its own rows, and the pieces are put
    back in the order of ``rows``.

    >>> import pyarrow as pa
    >>> col = pa.chunked_array([["a", "b"], ["c", "d", "e"]])
    >>> take(col, [4, 0, 2]).to_pylist()
    ['e', 'a', 'c']
    """
    import numpy as np
    import pyarrow as pa

    rows = np.asarray(rows, dtype=np.int64)
    if isinstance(table, pa.Table):
        return pa.Table.from_arrays([take(table.column(c), rows) for c in table.column_names], names=table.column_names)
    if not isinstance(table, pa.ChunkedArray) or table.num_chunks <= 1:
        return table.take(rows)
    lengths = [len(c) for c in table.chunks]
    bounds = np.concatenate(([0], np.cumsum(lengths)))
    which = np.searchsorted(bounds, rows, side="right") - 1
    order = np.argsort(which, kind="stable")
    pieces = []
    for k in np.unique(which).tolist():
        at = rows[which == k] - bounds[k]
        pieces.append(table.chunk(k).take(at))
    joined = pa.concat_arrays(pieces) if pieces else pa.array([], type=table.type)
    back = np.empty_like(order)
    back[order] = np.arange(len(order))
    return joined.take(back)


def _row_dicts(table: Any, rows: Any, columns: Collection[str]) -> list[dict[str, Any]]:
    """One dict per row of ``table`` with its non-null cells in ``columns``."""
    import numpy as np
    import pyarrow.compute as pc

    part = take(table.select([c for c in table.column_names if c in columns]), np.asarray(rows, dtype=np.int64))
    out: list[dict[str, Any]] = [{} for _ in range(part.num_rows)]
    for name in part.column_names:
        col = part.column(name)
        nulls = col.null_count
        if nulls == len(col):
            continue
        if nulls == 0:
            for d, v in zip(out, col.to_pylist()):
                d[name] = v
        else:  # most property columns belong to one kind: visit only the cells with a value
            valid = col.is_valid()
            for i, v in zip(pc.indices_nonzero(valid).to_pylist(), col.filter(valid).to_pylist()):
                out[i][name] = v
    return out


def columnar_adjacency(graph: CampaignGraph) -> ColumnarAdjacency | None:
    """The graph's :class:`ColumnarAdjacency` when it is columnar, else ``None`` (see module doc)."""
    if not getattr(graph, "is_columnar", False):
        return None
    col = getattr(graph, "_col", None)
    # (instance attributes or properties of the class: hasattr on the instance would run the
    # properties, and ``eids`` builds a list of every edge id)
    if col is None or not all(name in vars(col) or hasattr(type(col), name) for name in _NEEDED):
        return None
    cached = getattr(col, "_queries_adjacency", None)
    if cached is None:
        cached = ColumnarAdjacency(col)
        # kept on the (immutable) store so that repeated queries share the validity masks
        col._queries_adjacency = cached
    return cached  # type: ignore[no-any-return]
