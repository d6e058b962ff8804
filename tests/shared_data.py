"""Where the project's real public data lives: ``data/`` in this repository (see its README
for each file's origin, licence and attribution), overridable with ``CAMPAIGN_GRAPH_DATA``."""

from __future__ import annotations

import os
from pathlib import Path

SHARED_DATA = Path(os.environ.get("CAMPAIGN_GRAPH_DATA") or Path(__file__).resolve().parents[1] / "data")
GEM_PLANTS = SHARED_DATA / "gem-iron-steel-plants-2025-03-25.csv"
