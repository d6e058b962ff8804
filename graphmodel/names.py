"""Company-name keys for alias-aware search.

We lean on ``fingerprints`` (the OpenSanctions/Aleph normaliser) for case, accents,
punctuation and legal forms (S.A., Ltd, plc, GmbH, Tbk, Pty...), and add one thing it
does not do: a compact key without spaces, so "Arcelor Mittal SA" meets "ArcelorMittal".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import fingerprints

_SPACE = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def _plain(text: str) -> str:
    if not text.isascii():  # ASCII text has no compatibility forms or combining marks to drop
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return _SPACE.sub(" ", _NON_WORD.sub(" ", text.casefold())).strip()


@lru_cache(maxsize=200_000)
def name_key(name: str) -> str:
    """Case-, accent-, punctuation- and legal-form-insensitive key of a name.

    >>> name_key("ArcelorMittal S.A.") == name_key("arcelormittal")
    True
    >>> name_key("ArcelorMittal South Africa Ltd") == name_key("ArcelorMittal SA")
    False
    """
    if not name:
        return ""
    name = name.replace("&", " and ")  # "Iron & Coal" meets "Iron and Coal"
    stripped = fingerprints.remove_types(name)
    key = _plain(stripped) if stripped else ""
    return key or _plain(name)


def compact_key(name: str) -> str:
    """:func:`name_key` without spaces ("Arcelor Mittal" == "ArcelorMittal").

    >>> compact_key("Arcelor Mittal SA") == compact_key("ArcelorMittal")
    True
    """
    return name_key(name).replace(" ", "")


def plain_text(text: str) -> str:
    """Casefolded, accent-free, punctuation-free text (for substring search)."""
    return _plain(text)


#: the name-index tables, in the order :meth:`CampaignGraph.find` reads them
INDEX_TABLES = ("identifier", "name", "alias", "former_name")
#: node properties the name index reads
INDEX_PROPS = ("name", "lei", "wikidata", "gem_id", "registry_ids", "linked_ids", "aliases", "former_names")


def former_name_text(entry: str) -> str:
    """A former name without its dates: "Old Name (until 2010-05-01)" -> "Old Name"."""
    if entry.endswith(")") and " (" in entry:
        head, _, tail = entry.rpartition(" (")
        if tail.startswith(("until", "from", "to")):
            return head
    return entry


def index_entries(attrs: dict) -> list[tuple[str, str]]:
    """The ``(table, key)`` pairs under which a node with ``attrs`` is found.

    The one definition of the name index: :meth:`CampaignGraph.find` builds it from these
    in memory and the snapshot stores them at save (``names-<hash>.parquet``). Identifiers
    are casefolded; names, aliases and former names give :func:`name_key` and ``"~"`` +
    :func:`compact_key`. Empty keys are left out.
    (Keys are plain text, never shown: they are as sensitive as the names they come from.)

    >>> index_entries({"name": "Acme S.A.", "lei": "ABC"})
    [('identifier', 'abc'), ('name', 'acme'), ('name', '~acme')]
    """
    out: list[tuple[str, str]] = []
    for ident_prop in ("lei", "wikidata"):
        if attrs.get(ident_prop):
            out.append(("identifier", str(attrs[ident_prop]).casefold()))
    for ident in list(attrs.get("gem_id") or []) + list(attrs.get("registry_ids") or []) + list(attrs.get("linked_ids") or []):
        if ident.casefold():
            out.append(("identifier", ident.casefold()))
    for table, texts in (
        ("name", [attrs.get("name", "")]),
        ("alias", attrs.get("aliases") or []),
        ("former_name", [former_name_text(x) for x in attrs.get("former_names") or []]),
    ):
        for t in texts:
            for key in (name_key(t), "~" + compact_key(t)):
                if key:  # "~" alone (no compact key) is a key too, as it always was
                    out.append((table, key))
    return out


def partial_texts(attrs: dict) -> list[str]:
    """The plain texts (:func:`plain_text`) a partial search looks inside: name, aliases, former names."""
    names = [attrs.get("name", "")] + list(attrs.get("aliases") or []) + list(attrs.get("former_names") or [])
    return [plain_text(x) for x in names if x]
