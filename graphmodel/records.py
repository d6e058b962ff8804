"""Record types that travel from loaders into the graph."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

#: the columns of a Source record, in table order
SOURCE_FIELDS = ("id", "title", "publisher", "url", "file", "retrieved", "licence", "loaded", "confidential")

#: Source fields a redacted export drops (internal paths may point to an informant)
SENSITIVE_SOURCE_FIELDS = ("file",)


@dataclass(frozen=True)
class Source:
    """Provenance: where facts come from.

    ``confidential`` marks a source (an informant's report, an internal file) that a
    redacted export must not name at all.

    Examples
    --------
    >>> Source("gem-steel-2025-03", title="Global Iron and Steel Tracker", licence="CC BY 4.0").id
    'gem-steel-2025-03'
    """

    id: str
    title: str = ""
    publisher: str = ""
    url: str = ""
    file: str = ""
    retrieved: str = ""
    licence: str = ""
    loaded: str = ""
    confidential: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def merged_with(self, other: Source) -> Source:
        """Fill this source's empty fields from ``other`` (same id)."""
        values = {}
        for f in fields(self):
            mine = getattr(self, f.name)
            values[f.name] = mine if mine not in ("", None, False) else getattr(other, f.name)
        return Source(**values)


@dataclass
class NodeRecord:
    """A node as a loader emits it, before it is validated into the graph."""

    id: str
    kind: str
    name: str | None = None
    props: dict[str, Any] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    origin: str | None = None  # "file:row" (or "file:sheet:row")


@dataclass
class EdgeRecord:
    """An edge as a loader emits it. ``id`` is derived when not given."""

    source: str
    target: str
    kind: str
    props: dict[str, Any] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    id: str | None = None
    origin: str | None = None


def edge_id(kind: str, source: str, target: str, valid_from: str | None = None) -> str:
    """The stable id of an edge: the same edge loaded twice gets the same id.

    >>> edge_id("OWNS", "a", "b"), edge_id("OWNS", "a", "b", "2020-01-01")
    ('OWNS:a->b', 'OWNS:a->b@2020-01-01')
    """
    base = f"{kind}:{source}->{target}"
    return f"{base}@{valid_from}" if valid_from else base
