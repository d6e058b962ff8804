"""The workbench's HTML pages and static files (scripts and styles vendored into the package)."""

from __future__ import annotations

from typing import Any


def mount_pages(app: Any) -> None:
    """Add the HTML pages and static files to ``app`` (none yet: the JSON API serves alone)."""
