"""Where the project's shared real data lives: ``../shared/data`` beside the repository
(CI puts a copy of shared/ there), overridable with ``CAMPAIGN_GRAPH_SHARED_DATA``."""

from __future__ import annotations

import os
from pathlib import Path

SHARED_DATA = Path(
    os.environ.get("CAMPAIGN_GRAPH_SHARED_DATA") or Path(__file__).resolve().parents[1].parent / "shared" / "data"
)
GEM_PLANTS = SHARED_DATA / "gem-iron-steel-plants-2025-03-25.csv"
