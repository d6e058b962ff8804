"""Loader for the sourced agreements and union networks table (``agreements/agreements.csv``).

Columns: ``id, company, kind, title, signatories, signed, renewed, valid_until_or_duration,
scope_rule, scope_confidence, scope_source_url, scope_quote, evidence_quote, source_url,
source_title``. Each row becomes:

- ``kind`` ``gfa`` / ``hs`` / ``efa`` / ``other``: an **Agreement** (id = the row id) with
  ``agreement_type``, ``signed``, ``expires`` and ``renewal`` from the duration text (below),
  ``scope`` from ``scope_rule``; the company and the named unions are PARTY_TO it
  (roles ``employer`` / ``union``);
- ``kind`` ``network``: a **UnionNetwork** whose ``company`` is the company node's id;
  named unions are MEMBER_OF it.

A ``company_history.csv`` beside the table or one folder up loads with it
(:mod:`loaders.company_history`: predecessors such as Arcelor -> ArcelorMittal).

Every row's page is a Source (title, url, publisher = the site's host); the quotes are
kept verbatim as citations (``evidence_quote``, ``scope_quote``). Signatories are only
turned into Union nodes when they name an organisation (``...of the European
Metalworkers Federation (EMF)``, ``IndustriALL Global Union``); descriptions such as
"eleven unions representing workers at Gerdau" create nothing (no invented unions), and
works councils (EWC) are not unions. The signatories text is kept as stated.

Duration: ``"3 years"`` -> ``expires`` = signed (or renewed) + 3 years - 1 day, the end
of the last known period; ``"..., tacitly renewed ..."`` -> ``renewal=tacit``;
``"... may be prolonged ..."`` -> ``renewal=unknown``; ``"Termination of agreement
December 31, 2010"`` -> ``expires=2010-12-31``; ``"Not defined"`` / empty / indeterminate
-> no end date.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from graphmodel.records import Source
from graphmodel.values import DATE_YEARS, parse_date
from loaders.context import LoadContext, Location
from loaders.gem_common import GemEmitter, csv_header, norm_space, used_columns_report
from loaders.readers import read_csv

COLUMNS = (
    "id", "company", "kind", "title", "signatories", "signed", "renewed", "valid_until_or_duration",
    "scope_rule", "scope_confidence", "scope_source_url", "scope_quote", "evidence_quote", "source_url",
    "source_title", "clauses", "clause_quote",
)
#: clauses the table may set (each only with the source's words in ``clause_quote``)
CLAUSES = ("restructuring", "just_transition")
AGREEMENT_KINDS = {"gfa": "gfa", "hs": "hs", "efa": "efa", "other": "other", "cba": "cba"}
SCOPES = ("controlled", "majority_owned", "all_subsidiaries", "suppliers_included", "unknown")
TABLE_SOURCE = Source(
    id="agreements-table",
    title="Union agreements and union networks at base-metals multinationals (compiled from public pages, see NOTES.md)",
    publisher="campaign-graph project",
    file="agreements.csv",
    licence="facts with citations; quotes belong to their pages",
)
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
_YEARS = re.compile(r"\b(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)[\s-]+years?\b", re.IGNORECASE)
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]
_MONTH_DATE = re.compile(r"\b(" + "|".join(_MONTHS) + r")\s+(\d{1,2}),?\s+(\d{4})\b", re.IGNORECASE)
_DAY_MONTH_DATE = re.compile(r"\b(\d{1,2})\s+(" + "|".join(_MONTHS) + r"),?\s+(\d{4})\b", re.IGNORECASE)
_ISO_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")

#: signatory texts that describe people or groups, not one organisation: no Union is made
_GENERIC = re.compile(
    r"\b(unions|affiliates|delegates|members of|leaders|employees|workers at)\b", re.IGNORECASE
)
_COUNCIL = re.compile(r"\b(EWC|works council|european works council)\b", re.IGNORECASE)
_EMPLOYER_WORDS = re.compile(r"\b(management|ceo|chairman|board|human resources|president and ceo)\b", re.IGNORECASE)
_ORG_AFTER_ROLE = re.compile(r"\bof (?:the )?(?P<org>[A-Z].*)$")
_ACRONYM = re.compile(r"\(([A-Z][A-Za-z/&-]{1,11})\)\s*$")
#: global and regional union federations whose level is a matter of record
_LEVELS = {
    "imf": "global", "icem": "global", "industriall": "global", "industriall global union": "global",
    "emf": "regional",
}


def sniff(path: Path) -> bool:
    """A CSV with this table's columns."""
    if path.is_dir() or path.suffix.lower() != ".csv":
        return False
    h = set(csv_header(path))
    return {"id", "company", "kind", "signatories", "valid_until_or_duration", "scope_rule", "source_url"} <= h


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def parse_duration(text: str, start: str | None) -> tuple[str | None, str | None]:
    """``(expires, renewal)`` from a duration as a page states it, counted from ``start`` (ISO).

    >>> parse_duration("3 years", "2005-09-13")
    ('2008-09-12', None)
    >>> parse_duration("4 years, tacitly renewed for periods of 4 years unless terminated", "2008-06-03")
    ('2012-06-02', 'tacit')
    >>> parse_duration("2 years, after which it may be prolonged or renegotiated", "2016-09-07")
    ('2018-09-06', 'unknown')
    >>> parse_duration("Termination of agreement December 31, 2010", "2007-01-19")
    ('2010-12-31', None)
    >>> parse_duration("Not defined", "2008-06-03"), parse_duration("", None)
    ((None, None), (None, None))

    A date that does not exist ("February 31, 2010") or an end outside the years of
    :func:`graphmodel.values.parse_date` raises ``ValueError``.
    """
    t = norm_space(text)
    if not t:
        return None, None
    low = t.casefold()
    renewal: str | None = None
    if "tacit" in low or "automatically renewed" in low:
        renewal = "tacit"
    elif any(w in low for w in ("prolong", "renegotiat", "may be renewed", "extended")):
        renewal = "unknown"
    for rx, order in ((_ISO_DATE, None), (_MONTH_DATE, "mdy"), (_DAY_MONTH_DATE, "dmy")):
        m = rx.search(t)
        if m:
            if order is None:
                return parse_date(m.group(1)), renewal
            if order == "mdy":
                month, day, year = _MONTHS.index(m.group(1).casefold()) + 1, int(m.group(2)), int(m.group(3))
            else:
                day, month, year = int(m.group(1)), _MONTHS.index(m.group(2).casefold()) + 1, int(m.group(3))
            return parse_date(f"{year:04d}-{month:02d}-{day:02d}"), renewal
    if "indeterminate" in low or "not defined" in low or "unlimited" in low:
        return None, renewal
    m = _YEARS.search(t)
    if m and start:
        n = m.group(1).casefold()
        years = int(n) if n.isdigit() else _NUMBERS[n]
        first = date.fromisoformat(parse_date(start))
        if first.year + years > DATE_YEARS[1]:
            raise ValueError(f"date outside the years {DATE_YEARS[0]}-{DATE_YEARS[1]}")
        end = _add_years(first, years) - timedelta(days=1)
        return parse_date(end), renewal
    return None, renewal


def union_of(text: str) -> tuple[str, str] | None:
    """``(id, name)`` of the union a signatory text names, or None.

    >>> union_of("Secretary General of the European Metalworkers Federation (EMF)")
    ('union-emf', 'European Metalworkers Federation (EMF)')
    >>> union_of("IMF"), union_of("IndustriALL Global Union")
    (('union-imf', 'IMF'), ('union-industriall-global-union', 'IndustriALL Global Union'))
    >>> union_of("eleven unions representing workers at Gerdau globally") is None
    True
    """
    t = norm_space(text)
    if not t or _GENERIC.search(t) or _COUNCIL.search(t):
        return None
    m = _ORG_AFTER_ROLE.search(t)
    org = norm_space(m.group("org")) if m and t[: m.start()].strip() else t
    acr = _ACRONYM.search(org)
    if acr:
        return LoadContext.make_id("union", acr.group(1)), org
    if re.fullmatch(r"[A-Z][A-Z/&-]{1,11}", org):
        return LoadContext.make_id("union", org), org
    if org[:1].isupper():
        return LoadContext.make_id("union", org), org
    return None


def _is_employer(text: str, company: str) -> bool:
    low = norm_space(text).casefold()
    if _GENERIC.search(low):
        return False
    return (bool(company) and company.casefold() in low) or bool(_EMPLOYER_WORDS.search(low))


def company_name(text: str) -> str:
    """The company column without a trailing note: ``"Xstrata (taken over by Glencore)"`` -> ``"Xstrata"``."""
    return norm_space(re.sub(r"\s*\([^)]*\)\s*$", "", text or ""))


def page_source(url: str, title: str) -> Source | None:
    if not url:
        return None
    host = urlparse(url).netloc.lower().removeprefix("www.")
    sid = "web-" + LoadContext.make_id(host, urlparse(url).path)[:80]
    return Source(id=sid, title=title or url, publisher=host, url=url)


def _clauses(ctx: LoadContext, loc: Location, text: str, quote: str) -> dict[str, Any]:
    """``clauses`` and ``clause_quote`` of a row: known clause names, and only with the source's words."""
    items = [norm_space(c).casefold() for c in text.split(";") if norm_space(c)]
    bad = [c for c in items if c not in CLAUSES]
    if bad:
        ctx.error_at(loc, f"unknown clause(s) {', '.join(bad)} (use {', '.join(CLAUSES)}); left out", column="clauses",
                     reject_row=False)
        items = [c for c in items if c in CLAUSES]
    if items and not quote:
        ctx.error_at(loc, "clauses without a clause_quote (the source's words); left out", column="clause_quote",
                     reject_row=False)
        return {}
    return {"clauses": items or None, "clause_quote": (quote or None) if items else None}


def load(path: Path, ctx: LoadContext) -> None:
    """Load the agreements table into ``ctx`` (Agreements, UnionNetworks, Companies, Unions)."""
    table = read_csv(path, display=path.name)
    missing = [c for c in ("id", "company", "kind") if c not in table.header]
    if missing:
        ctx.error(f"not an agreements table: missing column(s) {', '.join(missing)}", file=path.name)
        return
    em = GemEmitter.of(ctx)
    table_src = em.source(Source(**{**TABLE_SOURCE.as_dict(), "file": path.name}))
    for rownum, row in table.rows:
        ctx.rows_read[path.name] += 1
        loc = Location(path.name, rownum)

        def get(c: str, row: dict[str, str] = row) -> str:
            return norm_space(row.get(c, ""))

        rid, kind = get("id"), get("kind").casefold()
        if not rid:
            ctx.error_at(loc, "row without an id", column="id")
            continue
        if kind not in AGREEMENT_KINDS and kind != "network":
            ctx.error_at(loc, f"unknown kind {kind!r} (gfa, hs, efa, other, network)", column="kind")
            continue
        page = page_source(get("source_url"), get("source_title"))
        src = em.source(page) if page else table_src
        sources = [src]
        scope_page = page_source(get("scope_source_url"), "")
        if scope_page and (page is None or scope_page.id != page.id):
            sources.append(em.source(scope_page))
        dates: dict[str, str | None] = {}
        for col in ("signed", "renewed"):
            if get(col):
                try:
                    dates[col] = parse_date(get(col))
                except ValueError as e:
                    ctx.error_at(loc, f"{col}: {e}; left unknown", column=col, reject_row=False)
        cname = company_name(get("company"))
        cid = LoadContext.make_id("co", cname) if cname else None
        if cid:
            em.node(cid, "Company", cname, {}, src, loc, columns={"name": "company"})
        if kind == "network":
            props: dict[str, Any] = {
                "company": cid,
                "founded": dates.get("signed"),
                "signatories": get("signatories") or None,
                "evidence_quote": get("evidence_quote") or None,
                "url": get("source_url") or None,
            }
            name = get("title") or f"{cname} union network"
            node = em.node(rid, "UnionNetwork", name, props, src, loc, columns={"founded": "signed"})
        else:
            start = dates.get("renewed") or dates.get("signed")
            try:
                expires, renewal = parse_duration(get("valid_until_or_duration"), start)
            except ValueError as e:
                ctx.error_at(loc, f"valid_until_or_duration: {e}; expiry left unknown",
                             column="valid_until_or_duration", reject_row=False)
                expires, renewal = None, None
            scope = get("scope_rule").casefold() or "unknown"
            if scope not in SCOPES:
                ctx.error_at(loc, f"unknown scope_rule {scope!r}; kept as unknown", column="scope_rule", reject_row=False)
                scope = "unknown"
            conf = get("scope_confidence").casefold()
            props = {
                "agreement_type": AGREEMENT_KINDS[kind],
                "signed": dates.get("signed"),
                "expires": expires,
                "renewal": renewal,
                "duration": get("valid_until_or_duration") or None,
                "scope": scope,
                "scope_confidence": conf if conf in ("stated", "inferred", "unknown") else None,
                "signatories": get("signatories") or None,
                "evidence_quote": get("evidence_quote") or None,
                "scope_quote": get("scope_quote") or None,
                "url": get("source_url") or None,
                **_clauses(ctx, loc, get("clauses"), get("clause_quote")),
            }
            node = em.node(rid, "Agreement", get("title") or rid, props, src, loc, columns={"scope": "scope_rule"})
        for extra in sources[1:]:
            if extra not in node.sources:
                node.sources = node.sources + (extra,)
        employer_done = False
        for part in (p for p in get("signatories").split(";") if p.strip()):
            if kind != "network" and cid and _is_employer(part, cname):
                if not employer_done:
                    em.edge(cid, rid, "PARTY_TO", {"role": "employer"}, src, loc, columns={"role": "signatories"})
                    employer_done = True
                continue
            u = union_of(part)
            if u is None:
                continue
            uid, uname = u
            level = _LEVELS.get(uname.casefold()) or _LEVELS.get(uid.removeprefix("union-"))
            em.node(uid, "Union", uname, {"level": level}, src, loc, columns={"name": "signatories"})
            if kind == "network":
                em.edge(uid, rid, "MEMBER_OF", {}, src, loc)
            else:
                em.edge(uid, rid, "PARTY_TO", {"role": "union"}, src, loc, columns={"role": "signatories"})
        if kind != "network" and cid and not employer_done:
            # the company the agreement is with signs it even when the signatory text names a body of it
            em.edge(cid, rid, "PARTY_TO", {"role": "employer"}, src, loc, columns={"role": "company"})
        ctx.stats["agreements_rows"] += 1
    used_columns_report(ctx, path.name, table.header, set(COLUMNS))
    # the company history (predecessors) loads with the agreements unless this load read it already
    from loaders import company_history

    history = company_history.beside(path)
    if history is not None and history.name not in ctx.rows_read:
        company_history.load(history, ctx)
