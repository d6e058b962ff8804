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
