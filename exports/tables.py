"""Query results (DataFrames) to CSV, JSON and Excel files, and to a terminal table.

Every file goes through :mod:`graphmodel.atomic` (temporary file, fsync, replace). Files a
spreadsheet opens (CSV, XLSX) get *formula neutralisation*: a text cell that begins with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with ``'`` so that a
company or site name taken from public data cannot run as a formula (CSV injection, OWASP).
Numbers, negative ones included, are written as numbers and never touched. JSON is not
opened by spreadsheets, so it keeps the values exactly.

List cells (evidence ids, site lists) are joined with ``"; "`` in CSV and XLSX and stay
lists in JSON. Missing values are empty cells (``null`` in JSON); booleans are ``true`` /
``false`` in CSV, as the output contract says.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from graphmodel.atomic import atomic_write
from graphmodel.cells import cell
from graphmodel.errors import CampaignGraphError

FORMATS = ("csv", "json", "xlsx")


def neutralise(value: Any) -> Any:
    """A value as a spreadsheet cell may hold it (:func:`graphmodel.cells.cell`): text that a
    spreadsheet would read as a formula is quoted, control characters removed first.

    >>> neutralise("=HYPERLINK(\\"x\\")"), neutralise("-5"), neutralise(-5), neutralise("Site A")
    ('\\'=HYPERLINK("x")', "'-5", -5, 'Site A')
    """
    return cell(value)


def _is_na(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, (list, tuple, dict, set, str, bool, int)):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _plain(value: Any) -> Any:
    """A cell as a JSON-able Python value (numpy scalars, NA, dates, tuples handled)."""
    if _is_na(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(value, (tuple, set)):
        return [_plain(v) for v in value]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (datetime, date, pd.Timestamp)):
        return value.isoformat()
    if isinstance(value, float) and math.isinf(value):
        return None
    return value


def _flat(value: Any) -> Any:
    """A cell for CSV / XLSX: lists joined with ``"; "``, dicts as JSON text, text neutralised."""
    value = _plain(value)
    if value is None:
        return None
    if isinstance(value, list):
        value = "; ".join("" if v is None else str(v) for v in value)
    elif isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return neutralise(value)


def _columns(df: pd.DataFrame, columns: Sequence[str] | None) -> list[str]:
    if columns is None:
        return [str(c) for c in df.columns]
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise CampaignGraphError(f"no such column(s): {', '.join(missing)}")
    return list(columns)


def table_records(df: pd.DataFrame, columns: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Rows as plain dicts (the JSON form: lists stay lists, missing is ``None``).

    >>> table_records(pd.DataFrame({"a": [1, None], "b": [["x", "y"], []]}))
    [{'a': 1.0, 'b': ['x', 'y']}, {'a': None, 'b': []}]
    """
    cols = _columns(df, columns)
    return [{c: _plain(v) for c, v in zip(cols, row)} for row in df[cols].itertuples(index=False, name=None)]


def write_table(df: pd.DataFrame, path: str | os.PathLike[str], fmt: str | None = None, *,
                columns: Sequence[str] | None = None, sheet: str = "results") -> Path:
    """Write a query result to ``path`` as CSV, JSON (a list of objects) or XLSX, atomically.

    Parameters
    ----------
    df
        The query result; its column order is kept (the contract columns come first).
    path
        File to write; its folder must exist.
    fmt
        ``"csv"``, ``"json"`` or ``"xlsx"``; guessed from the suffix when ``None``.
    columns
        Only these columns, in this order.
    sheet
        Worksheet name for XLSX.

    Returns
    -------
    The path written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "gaps.csv"
    >>> _ = write_table(pd.DataFrame({"site": ["=cmd()"], "workforce": [-3]}), p)
    >>> p.read_text(encoding="utf-8").splitlines()
    ['site,workforce', "'=cmd(),-3"]
    """
    target = Path(path)
    fmt = (fmt or target.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise CampaignGraphError(f"unknown table format {fmt!r} (use {', '.join(FORMATS)})", file=str(target))
    cols = _columns(df, columns)
    if fmt == "json":
        text = json.dumps(table_records(df, cols), ensure_ascii=False, indent=1, allow_nan=False)
        with atomic_write(target, "w") as f:
            f.write(text + "\n")
    elif fmt == "csv":
        with atomic_write(target, "w") as f:
            w = csv.writer(f, lineterminator="\r\n")  # RFC 4180; also makes csv quote a bare \r
            w.writerow([neutralise(c) for c in cols])
            for row in df[cols].itertuples(index=False, name=None):
                w.writerow([_csv_cell(v) for v in row])
    else:
        _write_xlsx(df, cols, target, sheet)
    return target


def _csv_cell(value: Any) -> Any:
    v = _flat(value)
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return v


def _write_xlsx(df: pd.DataFrame, cols: list[str], target: Path, sheet: str) -> None:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def cell(v: Any) -> Any:
        v = _flat(v)
        if isinstance(v, str):
            # control characters make a workbook unreadable; Excel cells also stop at 32,767
            v = ILLEGAL_CHARACTERS_RE.sub("", v)[:32767]
        return v

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=(sheet or "results")[:31])
    ws.append([cell(c) for c in cols])
    for row in df[cols].itertuples(index=False, name=None):
        ws.append([cell(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    with atomic_write(target, "wb") as f:
        f.write(buf.getvalue())


def format_table(
    df: pd.DataFrame,
    *,
    columns: Sequence[str] | None = None,
    title: str | None = None,
    max_rows: int | None = None,
    width: int = 160,
) -> str:
    """Render ``df`` as a terminal table (rich, no colour codes) and return the text.

    Lists are joined with ``"; "``, missing values shown as ``-``. ``max_rows`` cuts long
    results and says how many rows were left out.

    >>> print(format_table(pd.DataFrame({"site": ["Site A"], "cba": ["unknown"]}), width=40))
    ┏━━━━━━━━┳━━━━━━━━━┓
    ┃ site   ┃ cba     ┃
    ┡━━━━━━━━╇━━━━━━━━━┩
    │ Site A │ unknown │
    └────────┴─────────┘
    """
    from rich.console import Console
    from rich.table import Table

    cols = _columns(df, columns)
    table = Table(title=title, show_lines=False)
    for c in cols:
        table.add_column(str(c), overflow="fold")
    shown = df if max_rows is None else df.head(max_rows)
    for row in shown[cols].itertuples(index=False, name=None):
        table.add_row(*[_text(v) for v in row])
    out = io.StringIO()
    Console(file=out, width=width, color_system=None, force_terminal=False, legacy_windows=False).print(table)
    text = out.getvalue().rstrip("\n")
    if max_rows is not None and len(df) > max_rows:
        text += f"\n... {len(df) - max_rows} more row(s) not shown (write them with --format csv -o FILE)"
    return text


def _text(value: Any) -> str:
    v = _plain(value)
    if v is None:
        return "-"
    if isinstance(v, list):
        return "; ".join(str(x) for x in v)
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def stake_text(effective: Any, stake_min: Any, lower: Any) -> str:
    """A stake for a terminal cell: ``"48 %"``, ``"≥ 12 %"`` (a lower bound) or ``"unknown"``.

    >>> stake_text(48.0, 48.0, False), stake_text(None, 12.0, True), stake_text(float("nan"), None, True)
    ('48 %', '≥ 12 %', 'unknown')
    """
    e, m = _plain(effective), _plain(stake_min)
    if e is not None and not lower:
        return f"{e:.4g} %"
    if m is not None and m > 0:
        return f"≥ {m:.4g} %"
    return "unknown"


def iter_rows(df: pd.DataFrame, columns: Iterable[str] | None = None) -> Iterable[dict[str, Any]]:
    """Rows as flat dicts (lists joined, text neutralised): what CSV and XLSX cells hold."""
    cols = _columns(df, list(columns) if columns is not None else None)
    for row in df[cols].itertuples(index=False, name=None):
        yield {c: _flat(v) for c, v in zip(cols, row)}
