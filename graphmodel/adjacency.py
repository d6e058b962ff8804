"""The CSR adjacency of a graph held in columns: node rows, edge rows, neighbours by edge kind, as numpy arrays.

Part of :class:`~graphmodel.graph.CampaignGraph`'s read interface: ``graph.adjacency()`` gives
an :class:`Adjacency` when the graph holds its data as Arrow tables plus CSR indexes (a loaded
snapshot, a table folder read column-wise; ``graph.is_columnar``) and ``None`` when it is held
in networkx, whose read methods (``out_edges`` / ``in_edges`` / ``node`` / ``edge``) are then
the way in. The object is made once per store and kept by the graph, with the masks it
computes (edge kinds, validity on a day), so repeated queries share them.

Layout. Nodes and edges are numbered by their row in the store's tables. For node row ``r``,
``out_order[out_ptr[r]:out_ptr[r + 1]]`` are the rows of its out-edges and
``in_order[in_ptr[r]:in_ptr[r + 1]]`` those of its in-edges, each in exactly the order
networkx iterates them (by neighbour in the order the first edge to it was added, then by
edge); ``src`` / ``dst`` give each edge row's end rows, ``ekind_codes`` its kind (an index into
``ekind_names``), ``nkind_codes`` each node's. Reading these arrays lets a walk touch thousands
of nodes without building an attribute dict per edge and without building networkx.

Everything here is read-only: the arrays and tables belong to the graph's store.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pyarrow as pa

    from graphmodel.columnar import Columnar


class Adjacency:
    """Numpy views of a columnar graph's nodes and edges, with per-day validity masks.

    Get it with :meth:`graphmodel.graph.CampaignGraph.adjacency` (never build it directly).

    Examples
    --------
    >>> from graphmodel.graph import CampaignGraph
    >>> CampaignGraph().adjacency() is None  # a graph held in networkx
    True
    """

    def __init__(self, col: Columnar) -> None:
        self._col = col
        #: node id by node row, and node row by id
        self.ids: list[str] = col.ids
        self.row: Mapping[str, int] = col.row
        #: kind by node row (one shared str per kind), kind code by node row and the code's name
        self.nkind: list[str] = col.nkind
        self.nkind_codes: np.ndarray = col.nkind_codes
        self.nkind_names: list[str] = col.nkind_names
        #: node row of each edge row's source and target
        self.src, self.dst = col.src, col.dst
        #: CSR: edge rows per node row, out-edges and in-edges, in networkx's order
        self.out_order, self.out_ptr = col.out_order, col.out_ptr
        self.in_order, self.in_ptr = col.in_order, col.in_ptr
        #: kind code by edge row and the code's name
        self.ekind_codes: np.ndarray = col.ekind_codes
        self.ekind_names: list[str] = col.ekind_names
        self._valid: dict[str, np.ndarray] = {}
        self._kinds: dict[frozenset[str], np.ndarray] = {}
        self._walkable: dict[tuple[str, frozenset[str]], np.ndarray] = {}

    # ---------------------------------------------------------------- tables and ids
    @property
    def ntable(self) -> pa.Table:
        """The store's nodes table, row ``r`` being node row ``r`` (possibly in several chunks)."""
        return self._col.ntable

    @property
    def etable(self) -> pa.Table:
        """The store's edges table, row ``r`` being edge row ``r`` (possibly in several chunks)."""
        return self._col.etable

    @property
    def eids(self) -> list[str]:
        """Edge ids by edge row (a list of every edge id, built once per graph: a second at a million edges)."""
        return self._col.eids

    @property
    def erow(self) -> dict[str, int]:
        """Edge row by edge id (built once per graph, from :attr:`eids`)."""
        return self._col.erow

    def edge_ids_at(self, rows: Sequence[int] | np.ndarray) -> list[str]:
        """The ids of just the edge ``rows`` (read from the table: no list of every edge id)."""
        return [str(x) for x in take(self.etable.column("id"), rows).to_pylist()]

    def out_rows(self, r: int) -> np.ndarray:
        """Edge rows of node row ``r``'s out-edges, in networkx's order."""
        return self.out_order[self.out_ptr[r] : self.out_ptr[r + 1]]

    def in_rows(self, r: int) -> np.ndarray:
        """Edge rows of node row ``r``'s in-edges, in networkx's order."""
        return self.in_order[self.in_ptr[r] : self.in_ptr[r + 1]]

    def links(self, r: int, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``(edge rows, neighbour rows)`` of every edge at node row ``r``, either way: its out-edges,
        then its in-edges, each in networkx's order; with ``mask`` (a boolean per edge row, e.g.
        :meth:`walkable`) only the edges it marks."""
        import numpy as np

        rows_out, rows_in = self.out_rows(r), self.in_rows(r)
        rows = np.concatenate((rows_out, rows_in))
        others = np.concatenate((self.dst[rows_out], self.src[rows_in]))
        if mask is not None:
            keep = mask[rows]
            rows, others = rows[keep], others[keep]
        return rows, others

    def node_kind_mask(self, kinds: frozenset[str]) -> np.ndarray:
        """Boolean per node row: the node's kind is in ``kinds``."""
        import numpy as np

        wanted = [i for i, k in enumerate(self.nkind_names) if k in kinds]
        return np.isin(self.nkind_codes, np.asarray(wanted, dtype=self.nkind_codes.dtype))

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

        table = self.etable
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
        attrs = _row_dicts(self.etable, rows, columns)
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

    from graphmodel.columnar import fill_props

    part = take(table.select([c for c in table.column_names if c in columns]), np.asarray(rows, dtype=np.int64))
    out: list[dict[str, Any]] = [{} for _ in range(part.num_rows)]
    fill_props(out, part, ())
    return out
