"""``--format gem``: any Global Energy Monitor tracker file, dispatched by its header.

The issue's umbrella name for the GEM loaders: steel plants (:mod:`loaders.gem_steel`),
steel units (:mod:`loaders.gem_steel_units`), iron ore mines (:mod:`loaders.gem_iron_ore`)
and coal mines (:mod:`loaders.gem_coal`). Each file goes to the first of them whose
``sniff`` recognises it.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from graphmodel.errors import CampaignGraphError
from loaders import gem_coal, gem_iron_ore, gem_steel, gem_steel_units
from loaders.context import LoadContext

TRACKERS: tuple[ModuleType, ...] = (gem_steel_units, gem_steel, gem_iron_ore, gem_coal)


def tracker_for(path: Path) -> ModuleType | None:
    """The tracker loader that recognises ``path`` (None if none does).

    >>> tracker_for(Path("tests/loaders/data/gem/gem-coal-mines-2024-05-22.csv")).__name__  # doctest: +SKIP
    'loaders.gem_coal'
    """
    for mod in TRACKERS:
        if mod.sniff(path):
            return mod
    return None


def sniff(path: Path) -> bool:
    """Any GEM tracker file this package reads."""
    return tracker_for(path) is not None


def load(path: Path, ctx: LoadContext) -> None:
    """Load ``path`` with the loader of its tracker."""
    mod = tracker_for(path)
    if mod is None:
        raise CampaignGraphError(
            "not a GEM tracker file this tool reads (steel plants, steel units, iron ore mines, coal mines)",
            file=path.name,
        )
    mod.load(path, ctx)
