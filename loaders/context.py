"""The context handed to every loader (after OpenSanctions' zavod ``Context``).

It makes stable ids, collects the records a loader emits with their location, collects
row errors instead of aborting, counts what happened, and remembers the source columns
a loader left unused so the load report can say which were ignored.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from graphmodel.errors import CampaignGraphError
from graphmodel.records import EdgeRecord, NodeRecord, Source


@dataclass(frozen=True)
class Location:
    """Where a record came from: file, sheet (xlsx) and the row number a spreadsheet shows."""

    file: str
    row: int | None = None
    sheet: str | None = None

    def origin(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(self.sheet)
        if self.row is not None:
            parts.append(str(self.row))
        return ":".join(parts)


@dataclass
class LoadContext:
    """Collects sources, records, errors and statistics for one load.

    Examples
    --------
    >>> ctx = LoadContext()
    >>> ctx.make_id("gem", "ArcelorMittal S.A.")
    'gem-arcelormittal-s-a'
    """

    strict: bool = False
    load_date: str = field(default_factory=lambda: date.today().isoformat())
    sources: list[Source] = field(default_factory=list)
    nodes: list[tuple[NodeRecord, Location | None, dict[str, str]]] = field(default_factory=list)
    edges: list[tuple[EdgeRecord, Location | None, dict[str, str]]] = field(default_factory=list)
    errors: list[CampaignGraphError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    stats: Counter = field(default_factory=Counter)
    unused_columns: dict[str, list[str]] = field(default_factory=dict)
    rows_read: Counter = field(default_factory=Counter)
    rows_rejected: dict[str, set[int]] = field(default_factory=dict)
    #: records a column-wise loader (loaders._fast_tables) put into the graph without a record object
    bulk_nodes: int = 0
    bulk_edges: int = 0
    #: what linking at load did (a :class:`loaders.linking.LinkReport`), None when it did not run
    links: Any = None
    #: cells kept out of the graph while their row loaded (a property the row's kind lacks, an
    #: enum value left unknown): file, sheet, row, column, kind and the cell text ("value"), the
    #: text left out when the column is sensitive for the kind or in the schema
    set_aside: list[dict[str, Any]] = field(default_factory=list)

    @staticmethod
    def make_id(*parts: object) -> str:
        """A stable, readable id from parts (slugified, lower case, ASCII where possible)."""
        text = "-".join(str(p) for p in parts if p is not None and str(p) != "")
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
        text = re.sub(r"[^\w]+", "-", text, flags=re.UNICODE).strip("-")
        return text or "x"

    def add_source(self, source: Source) -> Source:
        if not source.loaded:
            source = Source(**{**source.as_dict(), "loaded": self.load_date})
        self.sources.append(source)
        return source

    def emit_node(self, rec: NodeRecord, loc: Location | None = None, columns: dict[str, str] | None = None) -> None:
        """Emit a node; ``columns`` maps property names to the source column they came from."""
        if loc is not None and rec.origin is None:
            rec.origin = loc.origin()
        self.nodes.append((rec, loc, columns or {}))

    def emit_edge(self, rec: EdgeRecord, loc: Location | None = None, columns: dict[str, str] | None = None) -> None:
        if loc is not None and rec.origin is None:
            rec.origin = loc.origin()
        self.edges.append((rec, loc, columns or {}))

    def error(
        self,
        message: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        reject_row: bool = True,
    ) -> None:
        """Record a problem at file/sheet/row/column; ``--strict`` turns it into a failure."""
        err = CampaignGraphError(message, file=file, sheet=sheet, row=row, column=column)
        if self.strict:
            raise err
        self.errors.append(err)
        if reject_row and file is not None and row is not None:
            self.rows_rejected.setdefault(f"{file}:{sheet or ''}", set()).add(row)

    def error_at(self, loc: Location | None, message: str, column: str | None = None, reject_row: bool = True) -> None:
        if loc is None:
            self.error(message, column=column, reject_row=False)
        else:
            self.error(message, file=loc.file, sheet=loc.sheet, row=loc.row, column=column, reject_row=reject_row)

    def warn_at(self, loc: Location | None, column: str, message: str) -> None:
        """A warning about one cell of a row that still loads: ``file:sheet:row: column 'c': message``."""
        where = loc.origin() if loc is not None else "?"
        self.warnings.append(f"{where}: column {column!r}: {message}")

    def report_unused(self, file: str, columns: list[str]) -> None:
        """Remember source columns the loader did not use (shown in the load report)."""
        if columns:
            self.unused_columns[file] = list(columns)

    def summary(self) -> dict[str, object]:
        """Counts for the load report: rows read and rejected, records, errors."""
        return {
            "rows_read": sum(self.rows_read.values()),
            "rows_rejected": sum(len(v) for v in self.rows_rejected.values()),
            "nodes_emitted": len(self.nodes) + self.bulk_nodes,
            "edges_emitted": len(self.edges) + self.bulk_edges,
            "errors": len(self.errors),
            "stats": dict(self.stats),
            "unused_columns": dict(self.unused_columns),
            "set_aside": list(self.set_aside),
        }
