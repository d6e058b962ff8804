"""Rich display in Jupyter: query results as readable HTML tables, maps inline.

Jupyter shows any object with a ``_repr_html_`` method as HTML. These helpers wrap what the
queries and exports already produce, so a notebook cell ends with ``show(df)`` or
``inline_map(graph, company=...)`` instead of printing a raw DataFrame or writing a file:

- :func:`show` / :class:`Table`: a DataFrame as an escaped HTML table with the columns that
  matter for that query first, coverage values coloured (covered / not covered / unknown,
  unknown never shown as "none"), lists joined, missing values as blanks, long results cut
  with a note saying how many rows were left out;
- :func:`inline_map`: the self-contained network map (:mod:`exports.netmap`) in an iframe;
- :func:`inline_geo`: the geographic view of a group's sites (:mod:`exports.geo`) in an iframe.

Every cell and attribute goes through :func:`exports.html.esc`; the maps reach the notebook as
the ``srcdoc`` of a sandboxed iframe (scripts allowed, no same-origin access, the page's own
Content-Security-Policy still forbids any network request). Nothing is written to disk.

>>> import pandas as pd
>>> t = show(pd.DataFrame({"site": ["<b>Site A</b>"], "cba": ["unknown"]}))
>>> "&lt;b&gt;Site A&lt;/b&gt;" in t._repr_html_() and "cov-unknown" in t._repr_html_()
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from exports.html import COVERAGE_COLOURS, COVERAGE_LABELS, esc, fmt

if TYPE_CHECKING:
    from graphmodel.graph import CampaignGraph

#: the columns shown first for each query's result (the rest stay in the DataFrame)
PRESETS: dict[str, tuple[str, ...]] = {
    "group": ("name", "kind", "membership", "controlled", "effective_stake", "stake_is_lower_bound", "stake_min",
              "reason"),
    "coverage": ("site", "operator", "country", "commodity", "status", "workforce", "union_presence", "recognition",
                 "cba", "gfa", "hs_agreement", "network", "uncovered"),
    "gaps": ("site", "country", "commodity", "workforce", "uncovered", "reasons"),
    "summary": ("country", "commodity", "operator_id", "company", "sites", "sites_covered", "sites_not_covered",
                "sites_unknown", "workers", "workers_covered", "workers_not_covered", "workers_unknown",
                "sites_no_workforce"),
    "leverage": ("category", "node", "score", "explanation"),
    "calendar": (),
    "connections": ("rank", "hops", "explanation"),
    "diff": ("change", "element", "id", "kind", "property", "before", "after"),
}

_COVERAGE_VALUES = frozenset(COVERAGE_COLOURS)
_STYLE = (
    "<style>"
    ".cg-table{border-collapse:collapse;font-size:12px}"
    ".cg-table th,.cg-table td{border-bottom:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}"
    ".cg-table td.num{text-align:right}"
    + "".join(f".cg-table td.cov-{k}{{color:{v};font-weight:600}}" for k, v in COVERAGE_COLOURS.items())
    + ".cg-table td.cov-unknown{font-weight:normal;font-style:italic}"
    ".cg-note{font-size:11px;color:#555}"
    "</style>"
)


def _cell(value: Any) -> tuple[str, str]:
    """(display text, CSS class) for one value."""
    if isinstance(value, str) and value in _COVERAGE_VALUES:
        return COVERAGE_LABELS[value], f"cov-{value}"
    if value is None or value is pd.NA or value is pd.NaT:
        return "", ""
    if isinstance(value, np.generic):
        value = value.item()  # numpy scalars as Python values
    if isinstance(value, bool):
        return ("yes" if value else "no"), ""
    if isinstance(value, (int, float)):
        return fmt(value), "num"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {fmt(v)}" for k, v in value.items()), ""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    return fmt(value), ""


@dataclass
class Table:
    """A DataFrame shown as an HTML table in Jupyter (``_repr_html_``) and as text elsewhere.

    >>> Table(pd.DataFrame({"a": [1, 2, 3]}), max_rows=2)._repr_html_().count("<tr>")
    3
    """

    df: pd.DataFrame
    columns: Sequence[str] | None = None
    title: str | None = None
    max_rows: int = 50
    max_chars: int = 160
    _cols: list[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.columns:
            cols = [c for c in self.columns if c in self.df.columns]
            self._cols = cols or list(self.df.columns)
        else:
            self._cols = list(self.df.columns)

    def _repr_html_(self) -> str:
        shown = self.df.head(self.max_rows)
        head = "".join(f"<th>{esc(c)}</th>" for c in self._cols)
        rows = []
        for rec in shown[self._cols].itertuples(index=False, name=None):
            cells = []
            for v in rec:
                text, cls = _cell(v)
                if len(text) > self.max_chars:
                    text = text[: self.max_chars - 1] + "…"
                attr = f' class="{cls}"' if cls else ""
                cells.append(f"<td{attr}>{esc(text)}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
        note = f"{len(self.df):,} row(s)"
        if len(self.df) > self.max_rows:
            note += f", the first {self.max_rows:,} shown"
        hidden = len(self.df.columns) - len(self._cols)
        if hidden:
            note += f"; {hidden} more column(s) in the DataFrame"
        title = f"<strong>{esc(self.title)}</strong><br>" if self.title else ""
        return (f"<div>{_STYLE}{title}<table class='cg-table'><thead><tr>{head}</tr></thead>"
                f"<tbody>{''.join(rows)}</tbody></table><div class='cg-note'>{esc(note)}</div></div>")

    def __repr__(self) -> str:
        from exports.tables import format_table

        return format_table(self.df, columns=self._cols, title=self.title, max_rows=self.max_rows)


def show(df: pd.DataFrame, preset: str | None = None, *, columns: Sequence[str] | None = None,
         title: str | None = None, max_rows: int = 50) -> Table:
    """Wrap a query result for display; ``preset`` picks the columns of a known query
    (``group``, ``coverage``, ``gaps``, ``summary``, ``leverage``, ``calendar``, ``connections``, ``diff``).

    >>> show(pd.DataFrame({"category": ["finance"], "node": ["Fund A"], "score": [1.5], "x": [0]}), "leverage")._cols
    ['category', 'node', 'score']
    """
    if preset is not None and preset not in PRESETS:
        from graphmodel.errors import CampaignGraphError

        raise CampaignGraphError(f"unknown table preset {preset!r} (known: {', '.join(PRESETS)})")
    cols = columns or (PRESETS[preset] if preset else None) or None
    return Table(df, columns=cols, title=title, max_rows=max_rows)


@dataclass
class Frame:
    """A self-contained HTML page shown in a sandboxed iframe (``srcdoc``)."""

    html: str
    height: int = 600
    title: str = "map"

    def _repr_html_(self) -> str:
        return (f'<iframe title="{esc(self.title)}" srcdoc="{esc(self.html)}" sandbox="allow-scripts" '
                f'style="width:100%;height:{int(self.height)}px;border:1px solid #ccc"></iframe>')

    def __repr__(self) -> str:
        return f"<Frame {self.title!r}: {len(self.html):,} characters of HTML>"


def inline_map(graph: CampaignGraph, *, height: int = 600, heading: str | None = None,
               redact_output: bool = False, **view_args: Any) -> Frame:
    """The interactive network map (:func:`exports.netmap.select_view` arguments) for a notebook cell.

    >>> frame = inline_map(graph, company="E100000000687", max_nodes=150)  # doctest: +SKIP
    """
    from exports.netmap import redacted_view_args, render_map, select_view

    if redact_output:
        graph, view_args = redacted_view_args(graph, view_args)
    view = select_view(graph, **view_args)
    return Frame(render_map(graph, view, heading=heading, redacted=redact_output), height=height, title="network map")


def inline_geo(graph: CampaignGraph, company: str, *, as_of: Any = None, height: int = 650) -> Frame:
    """The group's sites on the geographic view (:mod:`exports.geo`), with hover text and the site table.

    >>> frame = inline_geo(graph, "E100000000687")  # doctest: +SKIP
    """
    from exports.geo import group_points, render_html
    from graphmodel.values import normalise_as_of

    day = normalise_as_of(as_of)
    root, points = group_points(graph, company, as_of=day)
    page = render_html(points, f"Sites of the {graph.name_of(root)} group by coverage", as_of=day)
    return Frame(page, height=height, title="geographic view")
