"""Per-value provenance: which sources set each property value of a node or edge.

Every node and edge has ``sources`` (every source that asserts the record). When records
from several rows or files are merged, a value may come from only some of them (a GEM row
names the site, a researcher's workbook row says ``union_status = none``). Those values
are pinned in the list property ``value_sources``: entries ``"prop=source_id"``, one per
(property, source) pair. A property with no entry was set by every source of the record.

Why a list of ``prop=id`` strings rather than a map: it is a plain list of strings in every
store (Arrow ``list<string>``, a Neo4j list property, a ``;``-separated table cell), like
``origins``; property names never contain ``=``, so the split is exact.

>>> attrs = {"sources": ["gem", "me"], "value_sources": ["union_status=me"]}
>>> sources_of(attrs, "union_status")
['me']
>>> sources_of(attrs, "name")
['gem', 'me']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

#: the property that holds the pins
VALUE_SOURCES = "value_sources"

#: record-level lists that are never pinned (they are provenance themselves, or unioned)
UNPINNED = frozenset({"sources", "origins", VALUE_SOURCES})


def pins(attrs: Mapping[str, Any]) -> dict[str, list[str]]:
    """``{prop: [source ids]}`` of the pinned values of ``attrs``."""
    out: dict[str, list[str]] = {}
    for entry in attrs.get(VALUE_SOURCES) or ():
        prop, sep, sid = str(entry).partition("=")
        if sep and sid:
            lst = out.setdefault(prop, [])
            if sid not in lst:
                lst.append(sid)
    return out


def sources_of(attrs: Mapping[str, Any], prop: str) -> list[str]:
    """The source ids that set ``attrs[prop]``: its pins, else every source of the record."""
    own = pins(attrs).get(prop)
    if own:
        return own
    return list(attrs.get("sources") or [])


def entries(prop: str, sources: Iterable[str]) -> list[str]:
    """The ``value_sources`` entries pinning ``prop`` to ``sources``."""
    return [f"{prop}={s}" for s in sources]


def merge_pins(existing: dict[str, Any], new: Mapping[str, Any], taken: Iterable[str]) -> None:
    """Record in ``existing`` (before its ``sources`` are unioned with ``new``'s) who set what.

    ``taken`` names the properties whose value after the merge is ``new``'s (set where
    there was none, or replaced). Every other property of ``existing`` keeps the sources it
    had before the merge; a property both records state with the same value is set by both.
    Pins that ``new`` carries itself are kept.
    """
    old_src = list(existing.get("sources") or [])
    new_src = list(new.get("sources") or [])
    if old_src == new_src and not new.get(VALUE_SOURCES):
        return
    before = pins(existing)
    carried = pins(new)
    taken = set(taken)
    out: dict[str, list[str]] = {}
    for p, val in existing.items():
        if p in UNPINNED or p == "kind" or isinstance(val, list):
            continue  # list values are unioned across records: every source contributed
        if p in taken:
            continue
        mine = before.get(p) or old_src
        if p in new and new[p] == val:
            theirs = carried.get(p) or new_src
            mine = mine + [s for s in theirs if s not in mine]
        out[p] = mine
    for p in taken:
        if p not in UNPINNED and not isinstance(new[p], list):
            out[p] = carried.get(p) or new_src
    merged_src = old_src + [s for s in new_src if s not in old_src]
    flat: list[str] = []
    # by property name: the attribute dicts' order depends on how the record was made (a row's
    # columns, a snapshot's schema order), the facts do not (a snapshot with a workbook added
    # equals a fresh load of both, loaders.registry.load_onto)
    for p, srcs in sorted(out.items(), key=lambda x: x[0]):
        if srcs and srcs != merged_src:
            flat.extend(entries(p, srcs))
    if flat:
        existing[VALUE_SOURCES] = flat
    else:
        existing.pop(VALUE_SOURCES, None)
