"""Entity resolution: one node for one company arriving from several sources.

The same company arrives as ``ArcelorMittal`` (agreements table), ``ArcelorMittal SA``
(GEM, entity id ``E100000000687``), ``Arcelor Mittal S.A.``, or by LEI or Wikidata QID.
:func:`resolve` merges such nodes in three passes, each merge recorded with its evidence:

1. **identifiers**: nodes sharing a LEI, a Wikidata QID, a GEM entity id or a registry id;
2. **normalised names** (:mod:`graphmodel.names`, i.e. ``fingerprints``: case, accents,
   punctuation and legal forms ignored; German ``ue``/``oe``/``ae`` read as ``u``/``o``/``a``)
   when the countries agree (or one is unknown) and the legal forms agree (or one name
   has none): ``Glencore`` = ``Glencore PLC``, but ``Rio Tinto Ltd`` and ``Rio Tinto PLC``
   (two entities of a dual-listed group) go to review;
3. **fuzzy names** (rapidfuzz ``ratio`` of the normalised names) at or above ``threshold``,
   with the same country and legal-form conditions.

What it never does: merge two nodes that carry *different* GEM entity ids, LEIs or QIDs
(the source says they are distinct: ``ArcelorMittal South Africa Ltd`` ≠
``ArcelorMittal SA``), merge a name-only node that matches several such distinct nodes
(ambiguous), or merge on a generic name (``Steel``). Uncertain pairs are not merged but
listed for review (:meth:`ResolutionReport.write_review`); a researcher marks each row
``accept`` / ``reject`` / ``renamed`` and feeds the file back as ``decisions``, which
:func:`resolve` applies first on every later run, so decisions persist across reloads.

Renamings are edges, never overwritten names: a node's ``former_names`` entry that is
another node's name (GLEIF ``PREVIOUS_LEGAL_NAME``) and a ``renamed`` decision both give
``RENAMED_TO`` (old -> new, with the date when known).

Why the default threshold is strict: in GEM's own files, distinct entities differ by one
letter (``Hebei Huaxi Special Steel`` / ``Hebei Huaxin Special Steel``, ratio 98);
``benchmarks/bench_resolution.py`` measures precision and recall on the labelled pairs in
``tests/loaders/data/name_pairs.csv``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import fingerprints
from rapidfuzz import fuzz, process

from graphmodel.atomic import atomic_write_text
from graphmodel.cells import cell
from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.names import name_key
from graphmodel.records import Source
from graphmodel.values import parse_date

#: fuzzy score (0-100) at or above which two names are merged without review
DEFAULT_THRESHOLD = 99.0
#: fuzzy score at or above which a pair is listed for review
DEFAULT_REVIEW_THRESHOLD = 90.0
#: cores this short, or made only of these words, are never merged on their name alone
MIN_CORE_CHARS = 4
GENERIC_WORDS = frozenset(
    ["steel", "iron", "coal", "mining", "mines", "mine", "metal", "metals", "minerals", "resources", "group", "holding", "holdings", "industries", "industry", "company", "corporation", "international", "investment", "investments", "energy", "power", "development", "trading", "the", "and", "of"]
)
REVIEW_COLUMNS = ("a_id", "a_name", "b_id", "b_name", "score", "how", "reason", "decision", "date", "note")
ACCEPT = {"accept", "accepted", "yes", "y", "match", "merge", "same"}
REJECT = {"reject", "rejected", "no", "n", "distinct", "different", "non-match"}
RENAMED = {"renamed", "rename", "renamed_to"}
DECISIONS_SOURCE = Source(
    id="resolution-decisions",
    title="Researcher's entity-resolution decisions (review file)",
    publisher="campaign-graph user",
)

_TRANSLIT = (("ue", "u"), ("oe", "o"), ("ae", "a"))
_GEM_ENTITY = re.compile(r"^E\d{6,}$")


# ---------------------------------------------------------------------------- names
@dataclass(frozen=True)
class NameInfo:
    """A name's normalised core (legal forms removed) and its legal-form tokens."""

    raw: str
    core: str
    compact: str
    form: frozenset[str]


def _translit(text: str) -> str:
    for a, b in _TRANSLIT:
        text = text.replace(a, b)
    return text


@lru_cache(maxsize=200_000)
def name_core(name: str) -> str:
    """:attr:`NameInfo.core` alone (half the work of :func:`name_info`: no legal forms kept)."""
    return _translit(name_key(name or ""))


@lru_cache(maxsize=200_000)
def name_info(name: str) -> NameInfo:
    """Normalise ``name`` for comparison.

    >>> i = name_info("Mt Owen Pty Limited")
    >>> i.core, sorted(i.form)
    ('mt owen', ['pty'])
    >>> name_info("Georgsmarienhütte GmbH").core == name_info("Georgsmarienhuette GmbH").core
    True
    """
    core = name_core(name)
    full = fingerprints.generate(name or "", keep_order=True) or ""
    core_tokens = set(name_key(name or "").split())
    form = {t for t in full.split() if t not in core_tokens}
    if "pty" in form:  # "Pty Ltd" and "Pty Limited" are one Australian form
        form.discard("ltd")
    return NameInfo(name, core, core.replace(" ", ""), frozenset(form))


def is_generic(core: str) -> bool:
    """True for cores too short or too common to identify a company (``steel``, ``bhp``)."""
    tokens = core.split()
    return len(core.replace(" ", "")) < MIN_CORE_CHARS or all(t in GENERIC_WORDS for t in tokens)


@dataclass(frozen=True)
class Verdict:
    """The outcome of comparing two names: ``match``, ``review`` or ``distinct``."""

    decision: str
    how: str
    score: float
    reason: str


def compare_names(
    a: str,
    b: str,
    *,
    country_a: str | None = None,
    country_b: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    review_threshold: float = DEFAULT_REVIEW_THRESHOLD,
) -> Verdict:
    """Decide whether two company names (with optional ISO countries) name one entity.

    >>> compare_names("Glencore", "Glencore PLC").decision
    'match'
    >>> compare_names("ArcelorMittal South Africa Ltd", "ArcelorMittal SA").decision
    'distinct'
    >>> compare_names("Rio Tinto Ltd", "Rio Tinto PLC").decision
    'review'
    >>> compare_names("Vale SA", "Vale SA", country_a="BR", country_b="MZ").decision
    'review'
    """
    ia, ib = name_info(a), name_info(b)
    if not ia.core or not ib.core:
        return Verdict("distinct", "none", 0.0, "empty name")
    same_core = ia.core == ib.core or ia.compact == ib.compact
    score = 100.0 if same_core else float(fuzz.ratio(ia.core, ib.core))
    forms_ok = ia.form == ib.form or not ia.form or not ib.form
    countries_differ = bool(country_a and country_b and country_a != country_b)
    if same_core:
        how = "name"
        identical = " ".join(a.casefold().split()) == " ".join(b.casefold().split())
        if all(t in GENERIC_WORDS for t in ia.core.split()):
            return Verdict("distinct", how, score, f"generic name {ia.core!r}")
        if len(ia.compact) < 3 or (len(ia.compact) < MIN_CORE_CHARS and not identical):
            # "Company A" of one source and of another are not known to be one entity
            return Verdict("review", how, score, f"short name {ia.core!r}")
        if countries_differ:
            return Verdict("review", how, score, f"same name, different countries ({country_a}, {country_b})")
        if not forms_ok:
            return Verdict(
                "review", how, score,
                f"same name, different legal forms ({' '.join(sorted(ia.form))} / {' '.join(sorted(ib.form))})",
            )
        return Verdict("match", how, score, f"same name up to case, accents, punctuation and legal form: {ia.core!r}")
    if score >= threshold and forms_ok and not countries_differ and not is_generic(ia.core) and len(ia.compact) >= 10:
        return Verdict("match", "fuzzy", score, f"names {score:.1f}% alike: {ia.core!r} / {ib.core!r}")
    if score >= review_threshold:
        return Verdict("review", "fuzzy", score, f"names {score:.1f}% alike: {ia.core!r} / {ib.core!r}")
    return Verdict("distinct", "fuzzy", score, "names differ")


# ---------------------------------------------------------------------------- report
@dataclass(frozen=True)
class Merge:
    """One merge: ``drop`` folded into ``keep``, with how and why."""

    keep: str
    drop: str
    keep_name: str
    drop_name: str
    how: str  # identifier, name, fuzzy, decision
    evidence: str


@dataclass
class ReviewPair:
    """An uncertain pair for a researcher to decide (one row of the review file)."""

    a_id: str
    a_name: str
    b_id: str
    b_name: str
    score: float
    how: str
    reason: str
    decision: str = ""
    date: str = ""
    note: str = ""

    def key(self) -> tuple[str, str]:
        return tuple(sorted((self.a_id, self.b_id)))  # type: ignore[return-value]


@dataclass(frozen=True)
class Decision:
    """A researcher's decision on a pair: ``accept``, ``reject`` or ``renamed`` (a_id -> b_id)."""

    a_id: str
    b_id: str
    decision: str
    date: str = ""
    row: int | None = None


@dataclass
class ResolutionReport:
    """What :func:`resolve` did: merges with evidence, pairs for review, renamings."""

    merges: list[Merge] = field(default_factory=list)
    review: list[ReviewPair] = field(default_factory=list)
    renamings: list[tuple[str, str, str]] = field(default_factory=list)  # (old id, new id, date)
    decided: list[ReviewPair] = field(default_factory=list)  # decisions carried into the review file
    skipped_decisions: list[str] = field(default_factory=list)
    nodes_before: int = 0
    nodes_after: int = 0

    def summary(self) -> dict[str, Any]:
        """Counts for the CLI and logs."""
        by_how: dict[str, int] = {}
        for m in self.merges:
            by_how[m.how] = by_how.get(m.how, 0) + 1
        return {
            "merged": len(self.merges),
            "merged_by": dict(sorted(by_how.items())),
            "for_review": len(self.review),
            "renamings": len(self.renamings),
            "decisions_skipped": len(self.skipped_decisions),
            "companies_before": self.nodes_before,
            "companies_after": self.nodes_after,
        }

    def merges_frame(self) -> Any:
        import pandas as pd

        cols = ["keep", "drop", "keep_name", "drop_name", "how", "evidence"]
        return pd.DataFrame([asdict(m) for m in self.merges], columns=cols)

    def review_rows(self) -> list[dict[str, Any]]:
        """The review file's rows: earlier decisions first (kept), then open pairs."""
        rows, seen = [], set()
        for p in self.decided + self.review:
            if p.key() in seen:
                continue
            seen.add(p.key())
            rows.append({c: getattr(p, c) for c in REVIEW_COLUMNS})
        return rows

    def write_review(self, path: str | Path) -> int:
        """Write the review CSV (atomic); returns the number of open pairs.

        Cells a spreadsheet would run as formulas are prefixed with ``'`` (see docs/threats.md).
        """
        buf = io.StringIO(newline="")
        w = csv.DictWriter(buf, fieldnames=list(REVIEW_COLUMNS), lineterminator="\n")
        w.writeheader()
        for r in self.review_rows():
            w.writerow({k: _neutralise(v) for k, v in r.items()})
        atomic_write_text(Path(path), buf.getvalue())
        return len(self.review)


def _neutralise(value: Any) -> Any:
    return cell(value)  # the one cell sanitiser (graphmodel.cells)


def read_decisions(path: str | Path) -> list[Decision]:
    """Read a review file a researcher edited: rows with a ``decision`` become decisions.

    Blank decisions are open pairs (ignored); an unknown word is a
    :class:`CampaignGraphError` at its row and column.
    """
    p = Path(path)
    from loaders.readers import read_csv

    table = read_csv(p, display=p.name)
    for col in ("a_id", "b_id", "decision"):
        if col not in table.header:
            raise CampaignGraphError(f"not a review file: no {col!r} column", file=p.name, row=1, column=col)
    out: list[Decision] = []
    for rownum, row in table.rows:
        word = (row.get("decision") or "").strip().casefold()
        if not word:
            continue
        a, b = _unquote(row.get("a_id", "")), _unquote(row.get("b_id", ""))
        if not a or not b:
            raise CampaignGraphError("a decision needs both a_id and b_id", file=p.name, row=rownum, column="a_id")
        if word in ACCEPT:
            d = "accept"
        elif word in REJECT:
            d = "reject"
        elif word in RENAMED:
            d = "renamed"
        else:
            raise CampaignGraphError(
                f"decision {word!r} not understood (accept, reject or renamed)", file=p.name, row=rownum, column="decision"
            )
        date = (row.get("date") or "").strip()
        if date:
            try:
                date = parse_date(date)
            except ValueError:
                raise CampaignGraphError(f"not a date: {date!r}", file=p.name, row=rownum, column="date") from None
        out.append(Decision(a, b, d, date, rownum))
    return out


def _unquote(text: str) -> str:
    text = (text or "").strip()
    return text[1:] if text.startswith("'") and text[1:2] in ("=", "+", "-", "@") else text


# ---------------------------------------------------------------------------- resolving
class _Clusters:
    """Union-find over node ids, with each cluster's identifiers (to refuse conflicts)."""

    def __init__(self, ids: Mapping[str, dict[str, frozenset[str]]]) -> None:
        self.parent = {n: n for n in ids}
        self.idents = {n: {k: set(v) for k, v in d.items()} for n, d in ids.items()}
        self.how: dict[str, tuple[str, str, str]] = {}  # member -> (how, evidence, other)

    def find(self, n: str) -> str:
        while self.parent[n] != n:
            self.parent[n] = self.parent[self.parent[n]]
            n = self.parent[n]
        return n

    def conflict(self, a: str, b: str) -> str | None:
        """Why clusters ``a`` and ``b`` are known to be distinct (None if they are not)."""
        ra, rb = self.find(a), self.find(b)
        for kind, label in (("gem", "GEM entity ids"), ("lei", "LEIs"), ("wikidata", "Wikidata QIDs")):
            x, y = self.idents[ra].get(kind, set()), self.idents[rb].get(kind, set())
            if x and y and not (x & y):
                return f"different {label} ({', '.join(sorted(x))} / {', '.join(sorted(y))})"
        return None

    def has_ids(self, a: str) -> bool:
        return any(self.idents[self.find(a)].values())

    def union(self, a: str, b: str) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        self.parent[rb] = ra
        for k, v in self.idents[rb].items():
            self.idents[ra].setdefault(k, set()).update(v)
        return True


def _identifiers(attrs: Mapping[str, Any]) -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}
    gem = [g for g in attrs.get("gem_id") or [] if _GEM_ENTITY.match(str(g))]
    if gem:
        out["gem"] = frozenset(gem)
    for k in ("lei", "wikidata"):
        if attrs.get(k):
            out[k] = frozenset([str(attrs[k]).strip().upper()])
    if attrs.get("registry_ids"):
        out["registry"] = frozenset(str(x).strip().casefold() for x in attrs["registry_ids"])
    return out


def _names(attrs: Mapping[str, Any], node_id: str) -> list[str]:
    return [attrs.get("name", node_id)] + [a for a in attrs.get("aliases") or [] if a]


def _keep_order(graph: CampaignGraph, ids: Iterable[str]) -> list[str]:
    """Which node survives a merge: identifier-bearing first, then the most connected, then by id."""
    def rank(n: str) -> tuple[int, int, str]:
        a = graph.node(n)
        has_ids = bool(_identifiers(a))
        return (0 if has_ids else 1, -graph.degree(n), n)

    return sorted(ids, key=rank)


def resolve(
    graph: CampaignGraph,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    review_threshold: float = DEFAULT_REVIEW_THRESHOLD,
    decisions: Iterable[Decision] | str | Path | None = None,
    kinds: tuple[str, ...] = ("Company",),
    fuzzy: bool = True,
    renamings: bool = True,
) -> ResolutionReport:
    """Merge nodes that are one entity, in place; return what was done and what needs review.

    Parameters
    ----------
    graph
        The graph to resolve (changed in place; use ``graph.copy()`` to keep the original).
    threshold
        Fuzzy score (0-100) at or above which names merge without review.
    review_threshold
        Fuzzy score at or above which an unmerged pair is listed for review.
    decisions
        A researcher's decisions (a review file path or :class:`Decision` records),
        applied before anything else: ``accept`` merges, ``reject`` never merges,
        ``renamed`` adds a dated ``RENAMED_TO`` edge from ``a_id`` to ``b_id``.
    fuzzy
        False skips pass 3 (fuzzy names): only identifiers and exact name keys merge
        (the safe rule :mod:`loaders.linking` applies at load).
    renamings
        False adds no ``RENAMED_TO`` edges from former names.

    Examples
    --------
    >>> g = CampaignGraph()
    >>> _ = g.add_node("E100000000687", "Company", "ArcelorMittal SA", gem_id=["E100000000687"])
    >>> _ = g.add_node("co-arcelormittal", "Company", "ArcelorMittal")
    >>> _ = g.add_node("E100001000504", "Company", "ArcelorMittal South Africa Ltd", gem_id=["E100001000504"])
    >>> r = resolve(g)
    >>> [(m.keep, m.drop, m.how) for m in r.merges]
    [('E100000000687', 'co-arcelormittal', 'name')]
    >>> sorted(g.node_ids("Company"))
    ['E100000000687', 'E100001000504']
    """
    if isinstance(decisions, (str, Path)):
        decisions = read_decisions(decisions)
    decisions = list(decisions or [])
    report = ResolutionReport()
    nodes = {n: dict(a) for kind in kinds for n, a in graph.nodes(kind)}
    report.nodes_before = len(nodes)
    clusters = _Clusters({n: _identifiers(a) for n, a in nodes.items()})
    rejected: set[tuple[str, str]] = set()
    review: dict[tuple[str, str], ReviewPair] = {}
    evidence: list[tuple[str, str, str, str]] = []  # (a, b, how, evidence) in the order merged

    def pair_key(a: str, b: str) -> tuple[str, str]:
        return (a, b) if a <= b else (b, a)

    def blocked(a: str, b: str) -> bool:
        ra, rb = clusters.find(a), clusters.find(b)
        return any(pair_key(x, y) in rejected for x in (a, ra) for y in (b, rb))

    def merge(a: str, b: str, how: str, why: str, force: bool = False) -> bool:
        if blocked(a, b) or (not force and clusters.conflict(a, b)):
            return False
        if clusters.union(a, b):
            evidence.append((a, b, how, why))
            return True
        return False

    def propose_review(a: str, b: str, v: Verdict) -> None:
        k = pair_key(a, b)
        if k in rejected or clusters.find(a) == clusters.find(b) or k in review:
            return
        review[k] = ReviewPair(a, nodes[a].get("name", a), b, nodes[b].get("name", b), round(v.score, 1), v.how, v.reason)

    # 0. the researcher's decisions
    for d in decisions:
        row = ReviewPair(d.a_id, nodes.get(d.a_id, {}).get("name", ""), d.b_id, nodes.get(d.b_id, {}).get("name", ""),
                         0.0, "decision", "decided earlier", d.decision, d.date)
        report.decided.append(row)
        if d.a_id not in nodes or d.b_id not in nodes:
            report.skipped_decisions.append(f"row {d.row}: {d.a_id} or {d.b_id} is not in the graph")
            continue
        if d.decision == "reject" or d.decision == "renamed":
            rejected.add(pair_key(d.a_id, d.b_id))
        if d.decision == "accept":
            merge(d.a_id, d.b_id, "decision", f"accepted by a researcher (review file row {d.row})", force=True)
        elif d.decision == "renamed":
            report.renamings.append((d.a_id, d.b_id, d.date))

    # 1. shared identifiers
    by_ident: dict[tuple[str, str], list[str]] = {}
    for n in sorted(nodes):
        for kind, values in clusters.idents[n].items():
            for v in values:
                by_ident.setdefault((kind, v), []).append(n)
    for (kind, v), members in sorted(by_ident.items()):
        for other in members[1:]:
            merge(members[0], other, "identifier", f"same {kind} identifier {v}", force=True)

    # 2. normalised names (core or compact core equal)
    by_key: dict[str, set[str]] = {}
    for n, a in nodes.items():
        for name in _names(a, n):
            core = name_core(name)
            for key in {core, "~" + core.replace(" ", "")}:
                if key and key != "~":
                    by_key.setdefault(key, set()).add(n)
    for key in sorted(by_key):
        members = sorted(by_key[key])
        if len(members) < 2:
            continue
        reps = sorted({clusters.find(m) for m in members})
        if len(reps) < 2:
            continue
        verdicts: dict[tuple[str, str], Verdict] = {}
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if clusters.conflict(a, b):
                    continue  # the sources say these are distinct entities
                verdicts[(a, b)] = _best_verdict(nodes[a], a, nodes[b], b, threshold, review_threshold, key)

        def matches_of(x: str, verdicts: dict[tuple[str, str], Verdict] = verdicts) -> list[str]:
            return [b if a == x else a for (a, b), v in verdicts.items() if x in (a, b) and v.decision == "match"]

        for (a, b), v in sorted(verdicts.items()):
            if clusters.find(a) == clusters.find(b) or blocked(a, b):
                continue
            if v.decision == "match":
                # a node that matches several entities known to be distinct cannot pick one
                ambiguous = False
                for x in (a, b):
                    cands = {clusters.find(y) for y in matches_of(x) if clusters.has_ids(y)}
                    if any(clusters.conflict(c, d) for c in cands for d in cands if c < d):
                        ambiguous = True
                if ambiguous:
                    propose_review(a, b, Verdict("review", v.how, v.score, v.reason + "; several distinct entities have this name"))
                elif not merge(a, b, v.how, v.reason):
                    propose_review(a, b, v)
            elif v.decision == "review":
                propose_review(a, b, v)

    # 3. fuzzy names, blocked by the first three letters of the compact core
    entries: list[tuple[str, str]] = []  # (node, core)
    for n, a in (nodes.items() if fuzzy else ()):
        for name in _names(a, n):
            core = name_core(name)
            if core:
                entries.append((n, core))
    blocks: dict[str, list[tuple[str, str]]] = {}
    for n, core in entries:
        blocks.setdefault(core.replace(" ", "")[:3], []).append((n, core))
    for _, block in sorted(blocks.items()):
        if len(block) < 2:
            continue
        cores = [c for _, c in block]
        scores = process.cdist(cores, cores, scorer=fuzz.ratio, score_cutoff=review_threshold, workers=1)
        for i in range(len(block)):
            for j in range(i + 1, len(block)):
                if not scores[i][j]:
                    continue
                a, b = block[i][0], block[j][0]
                if a == b or clusters.find(a) == clusters.find(b) or blocked(a, b) or clusters.conflict(a, b):
                    continue
                v = compare_names(
                    block[i][1], block[j][1], country_a=nodes[a].get("country"), country_b=nodes[b].get("country"),
                    threshold=threshold, review_threshold=review_threshold,
                )
                if v.decision == "match" and v.how == "fuzzy":
                    merge(a, b, "fuzzy", v.reason)
                elif v.decision != "distinct":
                    propose_review(a, b, v)

    # apply: fold every cluster into its preferred node
    groups: dict[str, list[str]] = {}
    for n in nodes:
        groups.setdefault(clusters.find(n), []).append(n)
    why: dict[frozenset[str], tuple[str, str]] = {frozenset((a, b)): (h, e) for a, b, h, e in evidence}
    for members in groups.values():
        if len(members) < 2:
            continue
        order = _keep_order(graph, members)
        keep = order[0]
        for drop in order[1:]:
            how, ev = _evidence_for(drop, members, why, clusters)
            report.merges.append(Merge(keep, drop, graph.name_of(keep), graph.name_of(drop), how, ev))
            graph.merge_nodes(keep, drop, evidence=ev)
    merged_into = {m.drop: m.keep for m in report.merges}
    # properties that hold a node id (a network's company) follow the merge
    for n, a in list(graph.nodes("UnionNetwork")):
        target = a.get("company")
        if target in merged_into:
            graph.set_node_props(n, company=merged_into[target])

    # renamings: former names that are other nodes' names, and "renamed" decisions
    for n, a in (list(graph.nodes("Company")) if renamings else ()):
        for entry in a.get("former_names") or []:
            old_name, _, tail = entry.partition(" (")
            date = ""
            m = re.search(r"\d{4}-\d{2}-\d{2}", tail)
            if m:
                date = m.group(0)
            for other in graph.find(old_name, "Company", partial=False):
                if other.id != n and other.how == "name":
                    report.renamings.append((other.id, n, date))
    for old, new, date in report.renamings:
        old, new = merged_into.get(old, old), merged_into.get(new, new)
        if not (graph.has_node(old) and graph.has_node(new)) or old == new:
            continue
        graph.add_source(DECISIONS_SOURCE)
        props: dict[str, Any] = {"date": date} if date else {}
        graph.add_edge(old, new, "RENAMED_TO", sources=[DECISIONS_SOURCE.id], merge="fill", **props)
    report.review = sorted(
        (p for p in review.values() if graph.has_node(p.a_id) and graph.has_node(p.b_id)),
        key=lambda p: (-p.score, p.a_id, p.b_id),
    )
    report.nodes_after = sum(1 for kind in kinds for _ in graph.nodes(kind))
    return report


def _best_verdict(
    a_attrs: Mapping[str, Any], a: str, b_attrs: Mapping[str, Any], b: str, threshold: float, review: float, key: str
) -> Verdict:
    """Compare the names of ``a`` and ``b`` that produced ``key`` (the best verdict wins)."""
    order = {"match": 0, "review": 1, "distinct": 2}
    best: Verdict | None = None
    for na in _names(a_attrs, a):
        ia = name_info(na)
        if key not in (ia.core, "~" + ia.compact):
            continue
        for nb in _names(b_attrs, b):
            ib = name_info(nb)
            if key not in (ib.core, "~" + ib.compact):
                continue
            v = compare_names(na, nb, country_a=a_attrs.get("country"), country_b=b_attrs.get("country"),
                              threshold=threshold, review_threshold=review)
            if best is None or order[v.decision] < order[best.decision]:
                best = v
    return best or Verdict("distinct", "name", 0.0, "no comparable names")


def _evidence_for(
    drop: str, members: list[str], why: Mapping[frozenset[str], tuple[str, str]], clusters: _Clusters
) -> tuple[str, str]:
    for other in members:
        hit = why.get(frozenset((drop, other)))
        if hit:
            return hit
    # merged through a chain: report the first link that touched this node
    for pair, hit in why.items():
        if drop in pair:
            return hit
    return ("identifier", "same cluster")
