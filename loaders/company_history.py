"""Loader for the company history table (``company_history.csv``): predecessors and successors.

Columns: ``predecessor, successor, kind, date, source_url, source_title, quote, quote_from``.
Each row is an edge from the predecessor to the successor company:

- ``kind`` ``renamed`` -> ``RENAMED_TO``;
- ``merged_into`` -> ``MERGED_INTO`` with ``mode=merger``;
- ``taken_over_by`` -> ``MERGED_INTO`` with ``mode=takeover``;

with ``date`` when the row gives one (empty: the date is not on record). Companies get the
agreements table's ids (``co-`` + name), so linking at load joins them with the GEM
companies they name. The row's page is its source when it has a URL; otherwise the source
is the file named in ``quote_from`` (the quote stays in the table).

It loads on its own (``--format company-history``, or guessed from its header) and with
the agreements table: a ``company_history.csv`` beside ``agreements.csv`` or one folder up
(the repository's ``data/``) is loaded with it unless this load already read one.
"""

from __future__ import annotations

from pathlib import Path

from graphmodel.records import Source
from graphmodel.values import parse_date
from loaders.context import LoadContext, Location
from loaders.gem_common import GemEmitter, csv_header, norm_space, used_columns_report
from loaders.readers import read_csv

FILE_NAME = "company_history.csv"
COLUMNS = ("predecessor", "successor", "kind", "date", "source_url", "source_title", "quote", "quote_from")
KINDS = {
    "renamed": ("RENAMED_TO", None),
    "merged_into": ("MERGED_INTO", "merger"),
    "taken_over_by": ("MERGED_INTO", "takeover"),
}


def sniff(path: Path) -> bool:
    """A CSV with this table's columns."""
    if path.is_dir() or path.suffix.lower() != ".csv":
        return False
    return {"predecessor", "successor", "kind"} <= set(csv_header(path))


def beside(agreements: Path) -> Path | None:
    """The history table that goes with an agreements table, if there is one."""
    for folder in (agreements.parent, agreements.parent.parent):
        p = folder / FILE_NAME
        if p.is_file():
            return p
    return None


def load(path: Path, ctx: LoadContext) -> None:
    """Load the history table into ``ctx`` (Companies and RENAMED_TO / MERGED_INTO edges)."""
    from loaders.agreements import page_source

    table = read_csv(path, display=path.name)
    missing = [c for c in ("predecessor", "successor", "kind") if c not in table.header]
    if missing:
        ctx.error(f"not a company history table: missing column(s) {', '.join(missing)}", file=path.name)
        return
    em = GemEmitter.of(ctx)
    for rownum, row in table.rows:
        ctx.rows_read[path.name] += 1
        loc = Location(path.name, rownum)

        def get(c: str, row: dict[str, str] = row) -> str:
            return norm_space(row.get(c, ""))

        old, new, kind = get("predecessor"), get("successor"), get("kind").casefold()
        if not old or not new:
            ctx.error_at(loc, "a row needs both predecessor and successor", column="predecessor" if not old else "successor")
            continue
        if kind not in KINDS:
            ctx.error_at(loc, f"unknown kind {kind!r} ({', '.join(KINDS)})", column="kind")
            continue
        date = None
        if get("date"):
            try:
                date = parse_date(get("date"))
            except ValueError:
                ctx.error_at(loc, f"not a date: {get('date')!r}", column="date", reject_row=False)
        page = page_source(get("source_url"), get("source_title"))
        if page is None:  # no page: the row cites the file its quote is from
            cited = get("quote_from") or path.name
            page = Source(id="file-" + LoadContext.make_id(cited), title=f"{cited} (compiled notes)",
                          publisher="campaign-graph project", file=cited)
        src = em.source(page)
        old_id, new_id = LoadContext.make_id("co", old), LoadContext.make_id("co", new)
        em.node(old_id, "Company", old, {}, src, loc, columns={"name": "predecessor"})
        em.node(new_id, "Company", new, {}, src, loc, columns={"name": "successor"})
        edge_kind, mode = KINDS[kind]
        props = {"date": date}
        if mode:
            props["mode"] = mode
        em.edge(old_id, new_id, edge_kind, props, src, loc, columns={"mode": "kind"})
        ctx.stats["company_history_rows"] += 1
    used_columns_report(ctx, path.name, table.header, set(COLUMNS))
