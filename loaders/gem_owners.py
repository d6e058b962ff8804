"""Read GEM's owner and parent fields: holders, their stakes, and joint ventures' members.

Pure functions on text; no graph, no context. The grammar, as the trackers write it:

- holders are separated by ``;`` or ``；``; a comma (``,`` ``，``) separates holders only
  where the holder before it has its stake and the text after it states one too
  (``Government of Telengana (51%), Government of India (49%)``); other commas belong to
  names (``Co., Ltd.``);
- a stake is a percentage in brackets after the name (``[70%]``, ``[70.0%]``, ``[ 9%）``;
  ASCII and full-width brackets, mixed as GEM mixes them), a bare one (``Group 84%``), or one
  before the name (``[12%] A``); a name with stakes before and after it gives the first to
  the holder before, which has none (``Baoshan ... Company; [12%] China Huarong ... [5%]``);
  a stake closes its holder, so ``China Coal [51%] Shanxi Xiangning ... [49%]`` is two holders;
- a bracket without a percentage is part of the name (``Bulga Coal Management [BCM]``,
  ``Shanxi Lu'an Mining [Group] Company``), unless it lists holders with stakes: then it
  names the members of a joint venture, who own it with those stakes
  (``JV [member [70%]; member [17%]]``);
- a bare legal form after a separator belongs to the name before it
  (``Chinese Academy Of Sciences Holdings Co.;ltd.`` is one company);
- placeholders (``Others``, ``small shareholder(s)``, ``natural person(s)``, ``unknown``,
  ``--``...) are unknown holders, never companies.

A field that does not fit (a bracket never closed, two stakes for one name...) comes back
unreadable, with no entries; a stake over 100 is a problem and stays unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: holder texts that name no company (compared case-insensitively, whitespace-collapsed)
PLACEHOLDERS = frozenset(
    {
        "",
        "-",
        "--",
        "n/a",
        "na",
        "none",
        "unknown",
        "unknown owner",
        "other",
        "others",
        "natural person",
        "natural persons",
        "natural person(s)",
        "individual(s)",
        "individuals",
        "small shareholder",
        "small shareholders",
        "small shareholder(s)",
        "other unknown/mixed entity types",
        "other shareholders",
        "public",
        "public shareholders",
        "state-owned",
    }
)

OPEN = "[(（"
CLOSE = "])）"
SEMI = ";；"
COMMA = ",，"

_NUM = r"(\d+(?:[.,]\d+)?)\s*%"
_PCT_ONLY = re.compile(r"^\s*" + _NUM + r"\s*$")
_PCT_TAIL = re.compile(r"^(.*?)\s*" + _NUM + r"\s*$", re.DOTALL)
_PCT_HEAD = re.compile(r"^\s*" + _NUM + r"\s+(.*)$", re.DOTALL)
_LEGAL = r"(?:ltd|limited|co|inc|llc|corp|corporation|plc|sa|ag|gmbh|bv|nv|pty ltd|co\.?,? ?ltd)"
#: a bare legal form as a whole "holder"
_BARE_LEGAL = re.compile(r"^\W*" + _LEGAL + r"\W*$", re.IGNORECASE)
#: a separator followed by a bare legal form (then the end, a separator or a bracket)
_SEP_LEGAL = re.compile(r"\s*[;；]\s*(?=" + _LEGAL + r"\.?\s*(?:$|[;；,，\[\]()（）]))", re.IGNORECASE)


@dataclass(frozen=True)
class Entry:
    """One holder of a field: its name, stake (None when not given) and JV members."""

    name: str
    share: float | None = None
    members: tuple[Entry, ...] = ()
    placeholder: bool = False


@dataclass(frozen=True)
class Parsed:
    """The entries of a field, the problems met (stakes over 100), and why it is unreadable."""

    entries: tuple[Entry, ...] = ()
    problems: tuple[str, ...] = ()
    unreadable: str | None = None


class _Unreadable(Exception):
    pass


def norm_space(text: str) -> str:
    return " ".join((text or "").split())


def is_placeholder(name: str) -> bool:
    """True for holder texts that are not companies.

    >>> is_placeholder("natural person(s)"), is_placeholder(" -- "), is_placeholder("Glencore PLC")
    (True, True, False)
    """
    return norm_space(name).casefold() in PLACEHOLDERS


def is_balanced(text: str) -> bool:
    """Brackets of any kind (ASCII or full-width) open and close in order."""
    depth = 0
    for ch in text:
        if ch in OPEN:
            depth += 1
        elif ch in CLOSE:
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


# ------------------------------------------------------------------ tokens
# ("text", str) | ("sep", ch) | ("stray", ch) | ("group", raw, tokens)


def _scan(text: str, i: int, depth: int) -> tuple[list[tuple], int]:
    """Tokens from ``text[i:]`` up to the bracket that closes this level (consumed)."""
    tokens: list[tuple] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            tokens.append(("text", "".join(buf)))
            buf.clear()

    n = len(text)
    while i < n:
        ch = text[i]
        if ch in OPEN:
            flush()
            start = i
            sub, i = _scan(text, i + 1, depth + 1)
            tokens.append(("group", text[start:i], sub))
        elif ch in CLOSE:
            if depth == 0:
                flush()
                tokens.append(("stray", ch))
                i += 1
            else:
                flush()
                return tokens, i + 1
        elif ch in SEMI or ch in COMMA:
            if depth and not tokens and _PCT_ONLY.match("".join(buf)):
                # "[51%，Weihua ..." : a stake whose bracket GEM never closed
                flush()
                return tokens, i
            flush()
            tokens.append(("sep", ch))
            i += 1
        else:
            buf.append(ch)
            i += 1
    if depth:
        raise _Unreadable("a bracket is never closed")
    flush()
    return tokens, i


def _group_share(tok: tuple) -> str | None:
    """The percentage text of a group that holds only a stake."""
    if tok[0] == "group" and len(tok[2]) == 1 and tok[2][0][0] == "text":
        m = _PCT_ONLY.match(tok[2][0][1])
        if m:
            return m.group(1)
    return None


def _has_share(tokens: list[tuple]) -> bool:
    for t in tokens:
        if t[0] == "group" and (_group_share(t) is not None or _has_share(t[2])):
            return True
        if t[0] == "text" and re.search(_NUM, t[1]):
            return True
    return False


class _Holder:
    __slots__ = ("lead", "members", "parts", "share")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.share: str | None = None
        self.lead: str | None = None
        self.members: tuple[Entry, ...] = ()

    def has_name(self) -> bool:
        return bool("".join(self.parts).strip())


def _value(text: str | None, problems: list[str]) -> float | None:
    if text is None:
        return None
    v = float(text.replace(",", "."))
    if v > 100:
        problems.append(f"share {text}% is over 100; kept unknown")
        return None
    return v


def _assemble(tokens: list[tuple], problems: list[str]) -> list[Entry]:
    out: list[Entry] = []
    raw: list[_Holder] = []
    cur = _Holder()

    def finish() -> None:
        nonlocal cur
        h, cur = cur, _Holder()
        name = norm_space("".join(h.parts))
        if h.share is None and h.lead is None:
            m = _PCT_TAIL.match(name)
            if m and m.group(1).strip():  # "Shaanxi Yanchang Petroleum Group 84%"
                name, h.share = m.group(1).strip(), m.group(2)
            else:
                m = _PCT_HEAD.match(name)
                if m:  # "12% China Huarong ..."
                    h.lead, name = m.group(1), m.group(2).strip()
        if "%" in name:
            raise _Unreadable("a percentage inside a name")
        if h.lead is not None:
            if h.share is None:
                h.share, h.lead = h.lead, None  # a stake written before the name
            else:
                # "Baoshan Iron and Steel Company; [12%] China Huarong ... [5%]": the first
                # stake belongs to the holder before, which has none
                prev = raw[-1] if raw else None
                if prev is None or prev.share is not None or out[-1].members:
                    raise _Unreadable("two stakes for one holder")
                prev.share = h.lead
                out[-1] = Entry(out[-1].name, _value(h.lead, problems), (), out[-1].placeholder)
        if not name:
            if h.share is None and not h.members:
                return  # an empty part ("A; ; B")
            raise _Unreadable("a stake without a name")
        if _BARE_LEGAL.match(name):
            raise _Unreadable("a bare legal form without a name")
        raw.append(h)
        out.append(Entry(name, _value(h.share, problems), h.members, is_placeholder(name)))

    for k, tok in enumerate(tokens):
        kind = tok[0]
        if kind == "text":
            if cur.share is not None and tok[1].strip():
                finish()  # a stake closes its holder: "China Coal [51%] Shanxi ... [49%]"
            cur.parts.append(tok[1])
        elif kind == "group":
            pct = _group_share(tok)
            if pct is not None:
                if not cur.has_name() and not cur.members:
                    if cur.lead is not None:
                        raise _Unreadable("two stakes for one holder")
                    cur.lead = pct
                elif cur.share is None:
                    cur.share = pct  # with a stake before the name too, finish() sorts them out
                else:
                    raise _Unreadable("two stakes for one holder")
            elif _has_share(tok[2]):
                if not cur.has_name() or cur.members or cur.share is not None:
                    raise _Unreadable("a list of members without a joint venture")
                cur.members = tuple(_assemble(tok[2], problems))
            else:
                if cur.share is not None:
                    raise _Unreadable("text in brackets after a stake")
                cur.parts.append(tok[1])  # "[BCM]", "（Group）": part of the name
        elif kind == "sep":
            if tok[1] in SEMI:
                finish()
                continue
            rest: list[tuple] = []
            for t in tokens[k + 1:]:
                if t[0] == "sep" and t[1] in SEMI:
                    break
                rest.append(t)
            if cur.share is not None and _has_share(rest):
                finish()
            elif cur.share is not None or cur.members:
                raise _Unreadable("a comma after a stake, and no stake after it")
            else:
                cur.parts.append(tok[1])  # "Co., Ltd."
        else:  # a stray closing bracket
            joined = "".join(cur.parts)
            if not (cur.share is None and _PCT_TAIL.match(joined) and joined.strip()):
                raise _Unreadable("a closing bracket that nothing opened")
            # "Company 49%]": a stake whose bracket GEM never opened
    finish()
    return out


def parse(text: str) -> Parsed:
    """Parse one owner or parent field (or its GEM id field, same layout).

    >>> p = parse("Macquerie JV [Oceanic Coal Australia Limited [70%]; Marubeni Coal Pty Ltd [17%]]")
    >>> [(e.name, e.share, [(m.name, m.share) for m in e.members]) for e in p.entries]
    [('Macquerie JV', None, [('Oceanic Coal Australia Limited', 70.0), ('Marubeni Coal Pty Ltd', 17.0)])]
    >>> [(e.name, e.share, e.placeholder) for e in parse("ArcelorMittal SA [97.1%]; small shareholder(s)").entries]
    [('ArcelorMittal SA', 97.1, False), ('small shareholder(s)', None, True)]
    >>> parse("A [Group; B").unreadable
    'a bracket is never closed'
    """
    text = norm_space(text)
    if not text:
        return Parsed()
    problems: list[str] = []
    try:
        tokens, _ = _scan(_SEP_LEGAL.sub(", ", text), 0, 0)
        entries = _assemble(tokens, problems)
    except _Unreadable as e:
        return Parsed((), (), str(e))
    return Parsed(tuple(entries), tuple(problems), None)


def flatten(entries: tuple[Entry, ...] | list[Entry]) -> list[Entry]:
    """Entries in reading order, each joint venture followed by its members."""
    out: list[Entry] = []
    for e in entries:
        out.append(e)
        out.extend(flatten(e.members))
    return out
