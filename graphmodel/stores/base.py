"""The interface every store implements (the snapshot folder, Neo4j)."""

from __future__ import annotations

from typing import Protocol

from graphmodel.graph import CampaignGraph


class GraphStore(Protocol):
    """Somewhere a whole :class:`CampaignGraph` can be written and read back."""

    def write(self, graph: CampaignGraph) -> dict:
        """Store ``graph``; return a summary (counts, hash...)."""
        ...

    def read(self) -> CampaignGraph:
        """Read the stored graph back."""
        ...
