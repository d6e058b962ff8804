"""Company-name keys for alias-aware search.

We lean on ``fingerprints`` (the OpenSanctions/Aleph normaliser) for case, accents,
punctuation and legal forms (S.A., Ltd, plc, GmbH, Tbk, Pty...), and add one thing it
does not do: a compact key without spaces, so "Arcelor Mittal SA" meets "ArcelorMittal".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache, lru_cache

import fingerprints
import fingerprints.cleanup
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_SPACE = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def _plain_steps(text: str) -> str:
    """Casefolded, accent-free (NFKD, combining marks dropped), runs of non-word characters
    made one space, trimmed: what :func:`plain_text` is."""
    if not text.isascii():  # ASCII text has no compatibility forms or combining marks to drop
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return _SPACE.sub(" ", _NON_WORD.sub(" ", text.casefold())).strip()


def _plain(text: str) -> str:
    """:func:`_plain_steps`; ASCII text by its per-character map (read off it, :func:`_char_map`)."""
    tables = _char_tables()
    if tables is not None and text.isascii():
        return " ".join(text.translate(tables[1]).split())
    return _plain_steps(text)


def _cleaned(text: str) -> str | None:
    """fingerprints' ``clean_name_ascii(text)``; ASCII text by its per-character map (read off
    it, :func:`_char_map`), spaces collapsed, ``None`` under two characters as it does."""
    tables = _char_tables()
    if tables is not None and text.isascii():
        cleaned = " ".join(text.translate(tables[0]).split())
        return cleaned if len(cleaned) >= 2 else None
    return fingerprints.cleanup.clean_name_ascii(text)


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
    stripped = _remove_types(name)
    key = _plain(stripped) if stripped else ""
    return key or _plain(name)


def _remove_types(name: str) -> str:
    """``fingerprints.remove_types(name)``, its legal-form pattern run only where it can match.

    The pattern is an alternation of 800 forms (15 µs a name in Python's ``re``, most of a
    name key). It matches whole words of the cleaned name only (:func:`_form_starts`), so a
    cleaned name none of whose words starts a form is what ``remove_types`` gives back.
    """
    cleaned = _cleaned(name)
    if cleaned is None:
        return ""
    starts = _form_starts()
    if starts is not None and starts.isdisjoint(cleaned.split(" ")):
        return cleaned
    return fingerprints.remove_types(name)


@cache
def _form_starts() -> frozenset[str] | None:
    """The first words of fingerprints' legal forms, when a form can only match whole words.

    A cleaned name is words of ``[a-z0-9]`` between single spaces (every character the clean
    step keeps, read off it below; transliteration gives ASCII first), and each form is such
    words: ``\\b(form)\\b`` then starts on a whole word equal to the form's first word.
    ``None`` (always run the pattern) when a fingerprints version keeps other characters.
    """
    from fingerprints.types.replacer import get_replacer

    maps = _char_maps()
    chars = maps[0] if maps is not None else None
    if chars is None or not set("".join(chars)) <= set("abcdefghijklmnopqrstuvwxyz0123456789 "):
        return None
    replacer = get_replacer(fingerprints.cleanup.clean_name_ascii, remove=True)
    forms = {*replacer.replacements, *replacer.replacements.values()}
    if any(not f or f != " ".join(f.split()) or not set(f) <= set("abcdefghijklmnopqrstuvwxyz0123456789 ") for f in forms):
        return None
    return frozenset(f.split(" ")[0] for f in forms)


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


def former_name_text(entry: str) -> str:
    """A former name without its dates: "Old Name (until 2010-05-01)" -> "Old Name"."""
    if entry.endswith(")") and " (" in entry:
        head, _, tail = entry.rpartition(" (")
        if tail.startswith(("until", "from", "to")):
            return head
    return entry


# --------------------------------------------------------------------------- column-wise keys
# The keys above, made for a whole column at once (the name index of a 500k-node snapshot is
# made at save). Same functions, laid out as columns: for ASCII text every step of name_key is
# either a per-character map followed by collapsing spaces, or fingerprints' own legal-form
# pattern; the per-character maps are read off the scalar functions themselves (one call per
# ASCII character, below), the pattern is the one fingerprints compiles, run by Arrow's RE2
# (leftmost-first like Python's re, and ``\b`` is the same on ASCII text). Any other text goes
# through the scalar function, once per distinct text. tests/graphmodel/test_names.py holds the
# columns to the scalar functions on generated names.


def _char_map(fn: Callable[[str], str | None]) -> list[str] | None:
    """What ``fn`` makes of each ASCII character, read off ``fn("a" + c + "a")``: one character
    or none (``fn`` maps text character by character, then collapses and trims spaces).
    ``None`` when a library version maps a character otherwise (then no table is used)."""
    out = []
    for code in range(128):
        got = fn(f"a{chr(code)}a") or ""
        mapped = got[1:-1]
        if not (got.startswith("a") and got.endswith("a") and len(got) <= 3) or (mapped.isspace() and mapped != " "):
            return None
        out.append(mapped)
    return out


def _clean(text: str) -> str | None:
    return fingerprints.cleanup.clean_name_ascii(text)


@cache
def _char_maps() -> tuple[list[str], list[str]] | None:
    """The per-character maps of the clean step (fingerprints) and the plain step, read once;
    ``None`` when a library version maps a character otherwise (then every text goes through
    the scalar functions)."""
    clean, plain = _char_map(_clean), _char_map(_plain_steps)
    return None if clean is None or plain is None else (clean, plain)


@cache
def _char_tables() -> tuple[dict[int, str | None], dict[int, str | None]] | None:
    """``str.translate`` tables of :func:`_char_maps`."""
    maps = _char_maps()
    if maps is None:
        return None
    clean, plain = maps
    return dict(enumerate(c or None for c in clean)), dict(enumerate(c or None for c in plain))


@cache
def _tables() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, str] | None:
    """:func:`_char_maps` as byte arrays (code, kept) for the column steps, and the legal-form pattern."""
    from fingerprints.types.replacer import get_replacer

    maps = _char_maps()
    if maps is None:
        return None  # no per-character map: every text through the scalar function
    arrays = []
    for chars in maps:
        arrays += [np.array([ord(c) if c else 0 for c in chars], dtype=np.uint8), np.array([bool(c) for c in chars])]
    # the pattern fingerprints.remove_types runs (its default clean function, remove=True)
    forms = get_replacer(fingerprints.cleanup.clean_name_ascii, remove=True).matcher.pattern
    return arrays[0], arrays[1], arrays[2], arrays[3], forms


def _translate(texts: pa.Array, to: np.ndarray, keep: np.ndarray) -> pa.Array:
    """Each character of ``texts`` (ASCII, no nulls) mapped by ``to``, dropped where not ``keep``."""
    texts = pa.concat_arrays([texts.cast(pa.string())])  # offsets from 0
    n = len(texts)
    offsets = np.frombuffer(texts.buffers()[1], dtype=np.int32, count=n + 1)
    data = texts.buffers()[2]
    chars = np.frombuffer(data, dtype=np.uint8, count=int(offsets[-1])) if data is not None else np.zeros(0, np.uint8)
    kept = keep[chars]
    out = to[chars][kept]
    # each text's length less its dropped characters (few: no running count over every character)
    dropped = np.bincount(np.searchsorted(offsets, np.flatnonzero(~kept), side="right") - 1, minlength=n)
    new_offsets = np.concatenate(([0], np.cumsum(np.diff(offsets) - dropped[:n]))).astype(np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(new_offsets), pa.py_buffer(out.tobytes()))


def _squash(texts: pa.Array) -> pa.Array:
    """Runs of spaces made one, trimmed (the only white space the character maps give)."""
    return pc.utf8_trim(pc.replace_substring_regex(texts, "  +", " "), " ")


def _ascii_name_keys(texts: pa.Array) -> pa.Array:
    clean_to, clean_keep, plain_to, plain_keep, forms = _tables()  # type: ignore[misc]
    texts = pc.replace_substring(texts, "&", " and ")
    cleaned = _squash(_translate(texts, clean_to, clean_keep))
    cleaned = pc.if_else(pc.less(pc.utf8_length(cleaned), 2), "", cleaned)  # clean_name_ascii's None
    stripped = _squash(pc.replace_substring_regex(cleaned, forms, " "))
    keys = _squash(_translate(stripped, plain_to, plain_keep))
    return pc.if_else(pc.equal(keys, ""), _squash(_translate(texts, plain_to, plain_keep)), keys)


def _ascii_plain(texts: pa.Array) -> pa.Array:
    _, _, plain_to, plain_keep, _ = _tables()  # type: ignore[misc]
    return _squash(_translate(texts, plain_to, plain_keep))


def _by_column(texts: pa.Array | pa.ChunkedArray, ascii_fn: Callable[[pa.Array], pa.Array],
               one: Callable[[str], str]) -> pa.Array:
    """``[one(t) for t in texts]`` (null: ``""``) as a column: ``ascii_fn`` on the ASCII texts,
    ``one`` once per distinct other text."""
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks() if texts.num_chunks else pa.array([], pa.string())
    texts = texts.cast(pa.string()).fill_null("")
    if _tables() is None:  # no per-character maps (another library version): all per text
        is_ascii, out = pa.array(np.zeros(len(texts), dtype=bool)), pa.array([""] * len(texts), pa.string())
    else:
        is_ascii = pc.string_is_ascii(texts)
        if pc.all(is_ascii).as_py() is not False:
            return ascii_fn(texts)
        out = ascii_fn(pc.if_else(is_ascii, texts, ""))
    other = pc.invert(is_ascii)
    return pc.replace_with_mask(out, other, per_distinct(texts.filter(other), one))


def per_distinct(texts: pa.Array, fn: Callable[[str], str]) -> pa.Array:
    """``[fn(t) for t in texts]`` as a string column, ``fn`` called once per distinct text."""
    distinct = pc.unique(texts)
    return pa.array([fn(t) for t in distinct.to_pylist()], pa.string()).take(pc.index_in(texts, value_set=distinct))


def name_keys(texts: pa.Array | pa.ChunkedArray) -> pa.Array:
    """:func:`name_key` of every text of a column (null as ``""``), made column-wise.

    >>> name_keys(pa.array(["ArcelorMittal S.A.", "Société Générale", None])).to_pylist()
    ['arcelormittal', 'societe generale', '']
    """
    return _by_column(texts, _ascii_name_keys, name_key)


def plain_texts(texts: pa.Array | pa.ChunkedArray) -> pa.Array:
    """:func:`plain_text` of every text of a column (null as ``""``), made column-wise."""
    return _by_column(texts, _ascii_plain, plain_text)


def casefolded(texts: pa.Array | pa.ChunkedArray) -> pa.Array:
    """``str.casefold`` of every text of a column (null as ``""``); ASCII case folds as it lowers."""
    return _by_column(texts, pc.ascii_lower, str.casefold)
