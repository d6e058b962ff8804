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

import itertools
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from graphmodel import schema
from graphmodel.errors import CampaignGraphError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
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


# ---------------------------------------------------------------------------- column values
def shared_strings(col: pa.ChunkedArray | pa.Array) -> list[Any]:
    """A low-cardinality string column as a list whose equal values are one Python object.

    ``to_pylist`` makes a new ``str`` per row; going through the dictionary makes one per
    distinct value (the kinds: a few dozen objects instead of a million), which saves both
    the conversion time and the memory of the loaded graph.
    """
    import pyarrow as pa

    arr = _one_chunk(col)
    if not pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_encode()
    values = arr.dictionary.to_pylist()
    if arr.null_count:
        return [None if i is None else values[i] for i in arr.indices.to_pylist()]
    return [values[i] for i in arr.indices.to_pylist()]


def py_values(col: pa.ChunkedArray | pa.Array) -> list[Any]:
    """``col.to_pylist()``, but repeated strings (also inside string lists) share one object.

    Enum-like columns (country, status, a list of source ids) repeat a few values over
    hundreds of thousands of rows; one ``str`` per distinct value instead of one per cell
    saves memory in the loaded graph. Lists stay separate objects (callers may mutate them).
    """
    import pyarrow as pa

    t = col.type
    if pa.types.is_string(t) or pa.types.is_dictionary(t):
        arr = _one_chunk(col)
        if not pa.types.is_dictionary(arr.type):
            arr = arr.dictionary_encode()
        if 2 * len(arr.dictionary) > len(arr):
            return col.to_pylist()  # mostly distinct: nothing to share
        return shared_strings(arr)
    if pa.types.is_list(t) and pa.types.is_string(t.value_type):
        arr = _one_chunk(col)
        if arr.null_count:
            return col.to_pylist()
        flat = py_values(arr.flatten())
        offs = arr.offsets.to_pylist()
        base = offs[0] if offs else 0
        return [flat[a - base : b - base] for a, b in itertools.pairwise(offs)]
    return col.to_pylist()


def _one_chunk(col: pa.ChunkedArray | pa.Array) -> pa.Array:
    import pyarrow as pa

    if isinstance(col, pa.ChunkedArray):
        if col.num_chunks == 1:
            return col.chunk(0)
        if pa.types.is_dictionary(col.type):
            col = col.cast(col.type.value_type)
        return col.combine_chunks()
    return col


def fill_props(attrs: list[dict[str, Any]], table: pa.Table, lead: Iterable[str]) -> None:
    """Set each row's non-null property values, column by column (keys in column order).

    Property columns are sparse (most belong to one kind), so only the valid cells of each
    column are converted to Python: much faster than a per-row loop over every column.
    """
    import pyarrow.compute as pc

    lead = set(lead)
    for name in table.column_names:
        if name in lead:
            continue
        col = table.column(name)
        nulls = col.null_count
        if nulls == len(col):
            continue
        if nulls == 0:
            for d, v in zip(attrs, py_values(col)):
                d[name] = v
            continue
        valid = col.is_valid()
        for i, v in zip(pc.indices_nonzero(valid).to_pylist(), py_values(col.filter(valid))):
            attrs[i][name] = v


def normalised_table(table: pa.Table, lead: tuple[str, ...], props: Mapping[str, schema.Prop]) -> pa.Table:
    """``table`` in exactly the layout :func:`node_rows_table` / :func:`edge_rows_table` give.

    Lead columns first, then the property columns that hold a value, in schema order, with
    the schema's Arrow types, one chunk each, ``kind`` dictionary-encoded in first-appearance
    order: so a graph's tables and files are the same whichever mode built them.
    """
    import pyarrow as pa

    types = arrow_types()
    names, arrays = [], []
    present = set(table.column_names)
    # a lead column is missing only from a table cut to some columns (:func:`only_columns`)
    for name in [c for c in lead if c in present] + [p for p in props if p in present and p not in lead]:
        col = table.column(name)
        if name not in lead and col.null_count == len(col):
            continue
        want = pa.string() if name in lead else types[props[name].type]
        if str(col.type) != str(want):  # also list<element: string> (Parquet) -> list<item: string>
            col = col.cast(want)
        arr = _one_chunk(col) if len(col) else pa.array([], type=want)
        if name == "kind":
            arr = arr.dictionary_encode()
        names.append(name)
        arrays.append(arr)
    return pa.Table.from_arrays(arrays, names=names)


# ---------------------------------------------------------------------------- columnar store
def row_index(ids: list[str], id_col: pa.Array) -> Mapping[str, int]:
    """Row by id of the node ids ``ids`` (``id_col``: the same ids as an Arrow array).

    Ids in strictly rising order (a snapshot's nodes table is sorted by id) get a
    :class:`SortedRows`; any others a dict (which then shows repeated ids by its size).
    """
    import pyarrow.compute as pc

    if len(ids) > 1 and not id_col.null_count and pc.all(pc.less(id_col[:-1], id_col[1:])).as_py():
        return SortedRows(ids)
    return dict(zip(ids, range(len(ids))))


class SortedRows(Mapping[str, int]):
    """Row by id for ids in strictly rising order: a binary search of the id list, then a dict.

    A dict of every id costs 0.1-0.2 s at 500k nodes, more than most commands spend looking
    ids up (a path, one company's group: tens to thousands of look-ups), so every snapshot
    open would pay it for nothing. Look-ups first bisect the sorted list (stdlib ``bisect``,
    a few µs each; Python orders str by code point, as Arrow's ``less`` orders UTF-8 bytes);
    after ``len / DICT_AFTER`` of them the dict is built once and answers from then on, so
    a command that looks up many ids pays at most a share more than with the dict alone.
    Iterates (and compares) like the dict ``{id: row}`` in row order.
    """

    DICT_AFTER = 16

    def __init__(self, ids: list[str]) -> None:
        self._ids = ids
        self._dict: dict[str, int] | None = None
        self._left = max(len(ids) // self.DICT_AFTER, 64)

    def __getitem__(self, key: str) -> int:
        d = self._dict
        if d is None:
            self._left -= 1
            if self._left >= 0:
                return self._search(key)
            d = self._dict = dict(zip(self._ids, range(len(self._ids))))
        return d[key]

    def expect(self, lookups: int) -> None:
        """Say that ``lookups`` look-ups follow (a batch): when they are more than the binary
        searches left, the dict is built at the next look-up instead of after those searches."""
        self._left -= lookups

    def _search(self, key: str) -> int:
        from bisect import bisect_left

        if isinstance(key, str):
            i = bisect_left(self._ids, key)
            if i < len(self._ids) and self._ids[i] == key:
                return i
        else:
            hash(key)  # an unhashable key raises TypeError, as a dict does
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        d = self._dict
        if d is not None:  # once built, the dict answers (one C call)
            return key in d
        try:
            self[key]  # type: ignore[index]
        except KeyError:
            return False
        return True

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        d = self._dict
        if d is not None:  # once built, the dict answers (one C call, not Mapping.get's three)
            return d.get(key, default)
        try:
            return self[key]
        except KeyError:
            return default

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


class Columnar:
    """A whole graph held as its typed Arrow tables plus numpy indexes (no networkx).

    Built once from trusted tables (a verified snapshot); immutable afterwards except for
    caches filled on demand: the attribute dicts (per node or edge kind, in the exact key
    order the networkx graph would hold), the edge-id list and index, the name list.

    Order. networkx iterates a node's out-edges by target in the order the first edge to
    that target was added, then by key in insertion order; in-edges likewise by source.
    ``out_order`` / ``in_order`` hold the edge rows in that order, grouped per node
    (``out_ptr`` / ``in_ptr`` are CSR offsets), so every read gives the same order as the
    materialised graph.

    Read-only attributes :class:`graphmodel.adjacency.Adjacency` exposes (keep the names):
    ``ids`` / ``row`` (node id by row, row by id), ``nkind`` / ``nkind_codes`` / ``nkind_names``,
    ``ekind_codes`` / ``ekind_names``, ``src`` / ``dst`` (node rows per edge row),
    ``out_order`` / ``out_ptr`` / ``in_order`` / ``in_ptr``, ``etable`` / ``ntable``, ``eids``.
    """

    def __init__(self, ntable: pa.Table, etable: pa.Table, *, where: str = "",
                 ends: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        """``ends``: the node row of each edge's source and target, when the caller has them
        (:func:`graphmodel.tablecheck.check_tables` gives them); else they are looked up."""
        import numpy as np
        import pyarrow as pa

        self.ntable, self.etable = ntable, etable
        n, m = ntable.num_rows, etable.num_rows
        id_col = _one_chunk(ntable.column("id"))
        if pa.types.is_dictionary(id_col.type):
            id_col = id_col.cast(pa.string())
        self.ids: list[str] = id_col.to_pylist()
        self.row: Mapping[str, int] = row_index(self.ids, id_col)
        if len(self.row) != n or id_col.null_count:
            raise CampaignGraphError("nodes table has empty or repeated ids", file=where or None)
        self.nkind_names, self.nkind_codes = _codes(ntable.column("kind"), "nodes", where)
        self.nkind: list[str] = [self.nkind_names[c] for c in self.nkind_codes.tolist()]
        self.ekind_names, self.ekind_codes = _codes(etable.column("kind"), "edges", where)
        if ends is None:
            from graphmodel.tablecheck import end_rows

            ends = end_rows(ntable, etable)
            if any(len(e) and e.min() < 0 for e in ends):
                raise CampaignGraphError("an edge points to a node that is not in the snapshot", file=where or None)
        self.src, self.dst = ends
        # first edge row of each (source, target) pair: networkx orders neighbours by it
        rows = np.arange(m, dtype=np.int64)
        pair = self.src * max(n, 1) + self.dst
        by_pair = np.argsort(pair, kind="stable")
        sp = pair[by_pair]
        starts = np.ones(m, dtype=bool)
        starts[1:] = sp[1:] != sp[:-1]
        first = np.empty(m, dtype=np.int64)
        first[by_pair] = by_pair[np.flatnonzero(starts)][np.cumsum(starts) - 1]
        self.out_order = np.lexsort((rows, first, self.src))
        self.in_order = np.lexsort((rows, first, self.dst))
        self.out_ptr = np.concatenate(([0], np.cumsum(np.bincount(self.src, minlength=n))))
        self.in_ptr = np.concatenate(([0], np.cumsum(np.bincount(self.dst, minlength=n))))
        self._init_caches()

    def _init_caches(self) -> None:
        self.nattrs: list[dict[str, Any] | None] = [None] * self.ntable.num_rows
        self.eattrs: list[dict[str, Any] | None] = [None] * self.etable.num_rows
        self.nbuilt: set[int] = set()
        self.ebuilt: set[int] = set()
        # rows built one at a time, per kind code, and the property columns each kind uses
        self._asked: dict[tuple[bool, int], int] = {}
        self._row_cols: dict[tuple[bool, int], list[tuple[str, Any]]] = {}
        self._col_kinds: dict[bool, list[tuple[str, Any, frozenset[int]]]] = {}
        self._sizes: dict[bool, list[int]] = {}
        self._names: list[str | None] | None = None
        self._eids: list[str] | None = None
        self._cells_asked = {False: 0, True: 0}  # node names, edge ids read row by row (cells)
        self._erow: dict[str, int] | None = None
        self._ekind_list: list[int] | None = None

    def fresh(self) -> Columnar:
        """A copy sharing the immutable tables and indexes, with its own attribute dicts."""
        other = object.__new__(Columnar)
        other.__dict__.update(self.__dict__)
        names, eids, erow, ek = self._names, self._eids, self._erow, self._ekind_list
        other._init_caches()
        other._names, other._eids, other._erow, other._ekind_list = names, eids, erow, ek  # immutable: shared
        return other

    # ---------------------------------------------------------------- sizes and lookups
    @property
    def n_nodes(self) -> int:
        return self.ntable.num_rows

    @property
    def n_edges(self) -> int:
        return self.etable.num_rows

    @property
    def names(self) -> list[str | None]:
        if self._names is None:
            self._names = self.ntable.column("name").to_pylist()
        return self._names

    @property
    def eids(self) -> list[str]:
        if self._eids is None:
            self._eids = self.etable.column("id").to_pylist()
        return self._eids

    @property
    def erow(self) -> dict[str, int]:
        if self._erow is None:
            self._erow = dict(zip(self.eids, range(self.n_edges)))
        return self._erow

    def name_of(self, r: int) -> str:
        names = self._names
        name = names[r] if names is not None else self.cells(False, [r])[0]
        return self.ids[r] if name is None else name

    def counts(self) -> dict[str, dict[str, int]]:
        import numpy as np

        out = {}
        for what, names, codes in (("nodes", self.nkind_names, self.nkind_codes), ("edges", self.ekind_names, self.ekind_codes)):
            counts = np.bincount(codes, minlength=len(names)).tolist()
            out[what] = dict(sorted((k, c) for k, c in zip(names, counts) if c))
        return out

    # ---------------------------------------------------------------- attribute dicts
    def node_rows(self, kind: str | None = None) -> list[int]:
        """Node rows (all, or of one kind) in node order."""
        import numpy as np

        if kind is None:
            return list(range(self.n_nodes))
        if kind not in self.nkind_names:
            return []
        return np.flatnonzero(self.nkind_codes == self.nkind_names.index(kind)).tolist()

    def node_attrs(self, r: int) -> dict[str, Any]:
        a = self.nattrs[r]
        if a is None:
            self.build_rows(False, (r,))
            a = self.nattrs[r]
        return a  # type: ignore[return-value]

    def edge_attrs(self, r: int) -> dict[str, Any]:
        a = self.eattrs[r]
        if a is None:
            self.build_rows(True, (r,))
            a = self.eattrs[r]
        return a  # type: ignore[return-value]

    def build_node_kind(self, kind: str) -> None:
        """Build the attribute dicts of every node of ``kind`` (for iterating over the kind)."""
        if kind in self.nkind_names:
            self._build_nodes({self.nkind_names.index(kind)})

    #: a kind whose rows are asked for one by one more than (its size / this) times is built
    #: whole instead: a row on its own costs a scalar read per property column the kind uses
    #: (tens of µs), a row of a whole-kind build a few µs, so the one-by-one reads of a
    #: kind never cost much more than building it whole, and a single look-up (one company's
    #: group, one site) after loading a large snapshot does not build hundreds of thousands
    #: of dicts first (12 s at L)
    ROWWISE_SHARE = 8

    def build_rows(self, edges: bool, rows: Iterable[int]) -> None:
        """Build the attribute dicts of ``rows`` (edge rows if ``edges``) not built yet.

        Gives the same dicts, with keys in the same order, as the whole-kind build (kind,
        name, then the property columns in table order with their non-null values).
        """
        attrs = self.eattrs if edges else self.nattrs
        todo = [r for r in rows if attrs[r] is None]
        if not todo:
            return
        codes = self.ekind_codes if edges else self.nkind_codes
        by_code: dict[int, list[int]] = {}
        for r, c in zip(todo, codes[todo].tolist()):
            by_code.setdefault(c, []).append(r)
        whole: set[int] = set()
        for c, rs in by_code.items():
            asked = self._asked.get((edges, c), 0) + len(rs)
            self._asked[(edges, c)] = asked
            if asked * self.ROWWISE_SHARE > self._kind_size(edges, c):
                whole.add(c)
        if whole:
            (self._build_edges if edges else self._build_nodes)(set(whole))
        kind_names = self.ekind_names if edges else self.nkind_names
        one_by_one = [r for c, rs in by_code.items() if c not in whole for r in rs]
        names = {} if edges else dict(zip(one_by_one, self.cells(False, one_by_one)))
        for c, rs in by_code.items():
            if c in whole:
                continue
            cols, kind = self._kind_columns(edges, c), kind_names[c]
            for r in rs:
                d: dict[str, Any] = {"kind": kind}
                if names.get(r) is not None:
                    d["name"] = names[r]
                for pname, col in cols:
                    v = col[r]
                    if v.is_valid:
                        d[pname] = v.as_py()
                attrs[r] = d

    def _kind_size(self, edges: bool, code: int) -> int:
        import numpy as np

        sizes = self._sizes.get(edges)
        if sizes is None:
            codes, n = (self.ekind_codes, len(self.ekind_names)) if edges else (self.nkind_codes, len(self.nkind_names))
            sizes = self._sizes[edges] = np.bincount(codes, minlength=n).tolist()
        return sizes[code]

    def _kind_columns(self, edges: bool, code: int) -> list[tuple[str, Any]]:
        """The property columns (name, Arrow column) with a value in some row of kind ``code``."""
        found = self._row_cols.get((edges, code))
        if found is None:
            by_column = self._col_kinds.get(edges)
            if by_column is None:
                # once per table: each property column with the kind codes of its valid rows (a
                # column's validity is read once, not once per kind asked for)
                from graphmodel.tablecheck import kinds_with_values

                table, codes, lead = ((self.etable, self.ekind_codes, EDGE_LEAD) if edges
                                      else (self.ntable, self.nkind_codes, NODE_LEAD))
                by_column = [(name, table.column(name), frozenset(kinds_with_values(table.column(name), codes)))
                             for name in table.column_names
                             if name not in lead and table.column(name).null_count < table.num_rows]
                self._col_kinds[edges] = by_column
            found = [(name, col) for name, col, kinds in by_column if code in kinds]
            self._row_cols[(edges, code)] = found
        return found

    def all_node_attrs(self) -> list[dict[str, Any]]:
        self._build_nodes(set(range(len(self.nkind_names))))
        return self.nattrs  # type: ignore[return-value]

    def all_edge_attrs(self) -> list[dict[str, Any]]:
        self._build_edges(set(range(len(self.ekind_names))))
        return self.eattrs  # type: ignore[return-value]

    def _build_nodes(self, codes: set[int]) -> None:
        codes -= self.nbuilt
        if not codes:
            return
        kinds = self.nkind
        rows, sub = self._rows_for(codes, self.nkind_codes, len(self.nkind_names), self.ntable)
        which = rows.tolist() if rows is not None else range(self.n_nodes)
        names = self.names if rows is None else self.cells(False, which)  # type: ignore[arg-type]
        made = [
            {"kind": kinds[r], "name": name} if name is not None else {"kind": kinds[r]}
            for r, name in zip(which, names)
        ]
        fill_props(made, sub, NODE_LEAD)
        self._store(self.nattrs, rows, made)
        self.nbuilt |= codes

    def _build_edges(self, codes: set[int]) -> None:
        codes -= self.ebuilt
        if not codes:
            return
        kinds = self.ekind_names
        rows, sub = self._rows_for(codes, self.ekind_codes, len(kinds), self.etable)
        codes_list = (self.ekind_codes[rows] if rows is not None else self.ekind_codes).tolist()
        made: list[dict[str, Any]] = [{"kind": kinds[c]} for c in codes_list]
        fill_props(made, sub, EDGE_LEAD)
        self._store(self.eattrs, rows, made)
        self.ebuilt |= codes

    @staticmethod
    def _rows_for(codes: set[int], all_codes: np.ndarray, n_kinds: int, table: pa.Table) -> tuple[Any, pa.Table]:
        """The rows of ``codes`` (``None``: every row) and the table restricted to them."""
        import numpy as np

        if len(codes) == n_kinds:
            return None, table
        rows = np.flatnonzero(np.isin(all_codes, np.fromiter(codes, dtype=all_codes.dtype)))
        return rows, table.take(rows)

    @staticmethod
    def _store(cache: list[Any], rows: Any, made: list[dict[str, Any]]) -> None:
        if rows is None:
            cache[:] = made
            return
        for r, a in zip(rows.tolist(), made):
            if cache[r] is None:
                cache[r] = a

    # ---------------------------------------------------------------- edges
    def edge_codes(self, kinds: set[str] | None) -> set[int] | None:
        if kinds is None:
            return None
        return {i for i, k in enumerate(self.ekind_names) if k in kinds}

    def edge_rows(self, order: np.ndarray, codes: set[int] | None) -> list[int]:
        """Rows of ``order`` whose kind code is in ``codes`` (``None``: all), order kept."""
        import numpy as np

        if codes is None:
            return order.tolist()
        if not codes:
            return []
        keep = np.isin(self.ekind_codes[order], np.fromiter(codes, dtype=self.ekind_codes.dtype))
        return order[keep].tolist()

    def edge_tuples(self, rows: list[int]) -> list[tuple[str, str, str, dict[str, Any]]]:
        """``(source, target, edge_id, attrs)`` of ``rows`` (the networkx tuple order)."""
        import numpy as np

        if not rows:
            return []
        arr = np.asarray(rows, dtype=np.int64)
        self._build_edges(set(np.unique(self.ekind_codes[arr]).tolist()))
        ids, eids, attrs = self.ids, self.eids, self.eattrs
        return [
            (ids[u], ids[v], eids[r], attrs[r])  # type: ignore[misc]
            for r, u, v in zip(rows, self.src[arr].tolist(), self.dst[arr].tolist())
        ]

    @property
    def ekind_list(self) -> list[int]:
        """Kind code per edge row as a Python list (small ints: one shared object each)."""
        if self._ekind_list is None:
            self._ekind_list = self.ekind_codes.tolist()
        return self._ekind_list

    def adjacent(self, r: int, out: bool, codes: set[int] | None) -> list[tuple[str, str, str, dict[str, Any]]]:
        """``(source, target, edge_id, attrs)`` of node row ``r``'s out- (or in-) edges of ``codes``.

        The per-node path of ``out_edges`` / ``in_edges``: Python lists for the few rows of
        one node (numpy's per-call overhead would dominate), in networkx's order.
        """
        order, ptr, other = (self.out_order, self.out_ptr, self.dst) if out else (self.in_order, self.in_ptr, self.src)
        sl = order[ptr[r] : ptr[r + 1]]
        if not len(sl):
            return []
        rows = sl.tolist()
        ek = self.ekind_list
        if codes is not None:
            rows = [x for x in rows if ek[x] in codes]
            if not rows:
                return []
        if len(self.ebuilt) < len(self.ekind_names):
            self.build_rows(True, rows)
        ids, attrs, me = self.ids, self.eattrs, self.ids[r]
        others, keys = other[rows].tolist(), self.cells(True, rows)
        if out:
            return [(me, ids[v], k, attrs[x]) for x, v, k in zip(rows, others, keys)]  # type: ignore[misc]
        return [(ids[u], me, k, attrs[x]) for x, u, k in zip(rows, others, keys)]  # type: ignore[misc]

    def cells(self, edges: bool, rows: list[int]) -> list[Any]:
        """The ids of edge rows ``rows`` (``edges``) or the names of node rows ``rows``.

        Read from the column row by row until :data:`ROWWISE_SHARE` says the list of the whole
        column (:attr:`eids`, :attr:`names`: 0.1 s and about 90 MB for a million edge ids) pays:
        the edges of one company's group or one path's nodes are a few thousand rows.
        """
        if (self._eids if edges else self._names) is None:
            self._cells_asked[edges] += len(rows)
            if self._cells_asked[edges] * self.ROWWISE_SHARE <= (self.n_edges if edges else self.n_nodes):
                col = self.etable.column("id") if edges else self.ntable.column("name")
                return [col[x].as_py() for x in rows]
        values = self.eids if edges else self.names
        return [values[x] for x in rows]

    # ---------------------------------------------------------------- networkx
    def fill_networkx(self, G: Any) -> dict[str, tuple[str, str]]:
        """Fill the empty ``MultiDiGraph`` ``G`` with this graph; return the edge-ends index.

        Gives exactly the dicts ``CampaignGraph.bulk_add`` builds from the rows in table order
        (the same insertion orders, the keydict shared between ``_succ`` and ``_pred``), but
        walks the edges in the precomputed adjacency order: one dict per (source, target)
        pair made once, no membership test per edge. Hand-written because networkx has no
        bulk constructor for attributed multigraphs that is not per-edge Python.
        """
        import numpy as np

        nattrs, eattrs = self.all_node_attrs(), self.all_edge_attrs()
        ids, eids = self.ids, self.eids
        node, succ, pred = G._node, G._succ, G._pred
        node.update(zip(ids, nattrs))
        succ_rows = [{} for _ in ids]  # by node row, then keyed by id below
        pred_rows: list[dict[str, Any]] = [{} for _ in ids]
        order = self.out_order
        prev_u = prev_v = -1
        kd: dict[str, Any] = {}
        for r, u, v in zip(order.tolist(), self.src[order].tolist(), self.dst[order].tolist()):
            if v != prev_v or u != prev_u:
                kd = succ_rows[u][ids[v]] = {}
                prev_u, prev_v = u, v
            kd[eids[r]] = eattrs[r]
        order = self.in_order
        s, d = self.src[order], self.dst[order]
        starts = np.ones(len(order), dtype=bool)
        if len(order):
            starts[1:] = (s[1:] != s[:-1]) | (d[1:] != d[:-1])
        for u, v in zip(s[starts].tolist(), d[starts].tolist()):
            pred_rows[v][ids[u]] = succ_rows[u][ids[v]]
        succ.update(zip(ids, succ_rows))
        pred.update(zip(ids, pred_rows))
        us = [ids[u] for u in self.src.tolist()]
        vs = [ids[v] for v in self.dst.tolist()]
        return dict(zip(eids, zip(us, vs)))

    # ---------------------------------------------------------------- tables
    def node_table(self, kinds: set[str] | None, columns: set[str] | None = None) -> pa.Table:
        t = only_columns(self.ntable, columns)
        if kinds is not None:
            t = t.take(self._kind_rows(self.nkind_codes, self.nkind_names, kinds))
        return normalised_table(t, NODE_LEAD, schema.all_node_props())

    def edge_table(self, kinds: set[str] | None, columns: set[str] | None = None) -> pa.Table:
        t = only_columns(self.etable, columns)
        if kinds is not None:
            t = t.take(self._kind_rows(self.ekind_codes, self.ekind_names, kinds))
        return normalised_table(t, EDGE_LEAD, schema.all_edge_props())

    @staticmethod
    def _kind_rows(codes: np.ndarray, names: list[str], kinds: set[str]) -> np.ndarray:
        import numpy as np

        wanted = np.array([i for i, k in enumerate(names) if k in kinds], dtype=codes.dtype)
        return np.flatnonzero(np.isin(codes, wanted))

    def sorted_tables(self) -> tuple[pa.Table, pa.Table]:
        """Nodes and edges tables sorted by id in the snapshot layout (for saving).

        The two tables are sorted at the same time: Arrow's sort and take release the GIL, so
        on two cores a save of a large graph loaded from CSV waits for the longer one only.
        """
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=2) as pool:
            nodes = pool.submit(lambda: normalised_table(_sorted_by_id(self.ntable), NODE_LEAD, schema.all_node_props()))
            edges = pool.submit(lambda: normalised_table(_sorted_by_id(self.etable), EDGE_LEAD, schema.all_edge_props()))
            return nodes.result(), edges.result()


def only_columns(table: pa.Table, columns: Iterable[str] | None) -> pa.Table:
    """``table`` with only the ``columns`` it has (all of them for ``None``), in its own order:
    what the ``columns`` argument of :meth:`CampaignGraph.node_table` / ``edge_table`` keeps."""
    if columns is None:
        return table
    wanted = set(columns)
    return table.select([c for c in table.column_names if c in wanted])



def _codes(col: pa.ChunkedArray, what: str, where: str) -> tuple[list[str], np.ndarray]:
    """Distinct kinds and one int code per row."""
    from graphmodel.tablecheck import kind_codes

    if col.null_count:
        raise CampaignGraphError(f"{what} table has rows without a kind", file=where or None)
    return kind_codes(col)


def _sorted_by_id(table: pa.Table) -> pa.Table:
    import pyarrow.compute as pc

    ids = _one_chunk(table.column("id"))
    if len(ids) < 2 or pc.all(pc.less(ids[:-1], ids[1:])).as_py():
        return table
    return table.take(pc.sort_indices(ids))
