"""Reading tabular files safely: CSV in any common encoding, xlsx without bombs.

Rows come back as ``(row_number, {column: text})`` where ``row_number`` is what a
spreadsheet shows (the header is row 1). Cells are text; typing is the schema's job.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphmodel.errors import CampaignGraphError

#: refuse xlsx files that unpack to more than this, or compress better than RATIO
MAX_XLSX_UNPACKED = 512 * 1024 * 1024
MAX_XLSX_RATIO = 200
MAX_CELL_CHARS = 32_767  # Excel's own limit; longer cells are refused, not truncated


def too_long(length: Any) -> Any:
    """Whether a cell of ``length`` characters is refused (an int, or a numpy array of them).

    >>> too_long(MAX_CELL_CHARS), too_long(MAX_CELL_CHARS + 1)
    (False, True)
    """
    return length > MAX_CELL_CHARS

csv.field_size_limit(16 * 1024 * 1024)


@dataclass
class Table:
    """One sheet or CSV file: its header and rows, with where it came from."""

    file: str
    sheet: str | None
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]


def decode_bytes(data: bytes, file: str) -> tuple[str, str]:
    """Decode a text file: BOMs first (UTF-8, UTF-16 LE/BE), then UTF-8, then cp1252.

    Returns ``(text, encoding)``. A file that is none of these is refused with a message.
    """
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                raise CampaignGraphError(f"file starts with a {enc} byte-order mark but is not {enc}", file=file) from None
    if b"\x00" in data[:4096] and len(data) >= 2:
        # UTF-16 without a BOM: every other byte of ASCII text is zero
        enc = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            raise CampaignGraphError("binary file (contains NUL bytes), not a text table", file=file) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        raise CampaignGraphError("cannot tell the text encoding: save the file as UTF-8", file=file) from None


def clean_header(cells: list[Any]) -> list[str]:
    """Header cells as column names: text, stripped, without a byte-order mark."""
    return [("" if c is None else str(c)).strip().lstrip("\ufeff") for c in cells]


def blank_row(cells: list[str]) -> bool:
    """A row whose every cell is blank: skipped (its row number is not reused)."""
    return not any(c.strip() for c in cells)


def extra_cells(cells: list[str], width: int) -> bool:
    """Whether a CSV row has non-blank cells beyond the header's ``width`` (the row is refused)."""
    return len(cells) > width and not blank_row(cells[width:])


def sniff_dialect(text: str) -> Any:
    """The CSV dialect of ``text`` (delimiter one of ``,;\\t``), as :func:`read_csv` reads it.

    Only the start of the header line is looked at. Quotes always double (RFC 4180).

    >>> sniff_dialect("id;kind\\na;Company\\n").delimiter
    ';'
    """
    # csv.Sniffer's quote regex is quadratic in the line length (a 20,000-character header
    # took 6 s): it only needs the start of the header line to tell the delimiter
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample.splitlines()[0] if sample else "", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    # the sniffer guesses doublequote=False from a header without quotes, which splits
    # RFC 4180 cells like "AO ""KMK"", X" (GEM plant names): quotes double, as everywhere
    dialect.doublequote = True
    return dialect


def read_csv(path: str | Path, *, display: str | None = None) -> Table:
    """Read a CSV (any delimiter of ``,;\\t``) as text cells with spreadsheet row numbers."""
    p = Path(path)
    file = display or str(p)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise CampaignGraphError(f"cannot read file ({e.strerror})", file=file) from None
    text, _ = decode_bytes(data, file)
    if not text.strip():
        raise CampaignGraphError("file is empty", file=file)
    dialect = sniff_dialect(text)
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = clean_header(next(reader))
    except StopIteration:
        raise CampaignGraphError("file is empty", file=file) from None
    except csv.Error as e:
        raise CampaignGraphError(f"not a readable CSV ({e})", file=file, row=1) from None
    rows: list[tuple[int, dict[str, str]]] = []
    line = 1
    try:
        for cells in reader:
            line += 1
            if blank_row(cells):
                continue
            rows.append((line, {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header) if h}))
            if extra_cells(cells, len(header)):
                rows[-1][1]["\x00extra"] = "1"
    except csv.Error as e:
        raise CampaignGraphError(f"not a readable CSV ({e})", file=file, row=line) from None
    return Table(file, None, header, rows)


def check_xlsx_bomb(path: str | Path, *, display: str | None = None) -> None:
    """Refuse an .xlsx that is not a zip, or unpacks too large or too well (a zip bomb)."""
    file = display or str(path)
    try:
        with zipfile.ZipFile(path) as z:
            total = 0
            packed = 0
            for info in z.infolist():
                total += info.file_size
                packed += info.compress_size
            if total > MAX_XLSX_UNPACKED:
                raise CampaignGraphError(
                    f"refusing the workbook: it unpacks to {total // (1024 * 1024)} MB (limit {MAX_XLSX_UNPACKED // (1024 * 1024)} MB)",
                    file=file,
                )
            if packed and total / packed > MAX_XLSX_RATIO and total > 10 * 1024 * 1024:
                raise CampaignGraphError(
                    f"refusing the workbook: it compresses {total // packed}:1, like a zip bomb", file=file
                )
    except zipfile.BadZipFile:
        raise CampaignGraphError("not an .xlsx workbook (not a zip file)", file=file) from None
    except OSError as e:
        raise CampaignGraphError(f"cannot read file ({e.strerror})", file=file) from None


def xlsx_sheet_names(path: str | Path) -> list[str] | None:
    """The sheet names of an .xlsx, for format sniffing; None when it is not a readable workbook.

    The zip-bomb check runs first and its refusal propagates: no loader may open a bomb,
    not even to look at its sheet names.
    """
    import openpyxl

    check_xlsx_bomb(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many types for a broken file; not ours to read
        return None
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def read_xlsx(
    path: str | Path, *, display: str | None = None, sheets: list[str] | None = None, hidden: list[str] | None = None
) -> dict[str, Table]:
    """Read the visible sheets of an .xlsx as text tables (formulas as their text, never evaluated).

    The names of hidden sheets that were skipped are appended to ``hidden`` when it is given,
    so a loader can say that a sheet it would have read was not (never a silent loss).

    openpyxl parses the XML with defusedxml when it is installed (it is a dependency), and
    :func:`check_xlsx_bomb` runs first.
    """
    import openpyxl

    file = display or str(path)
    check_xlsx_bomb(path, display=file)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as e:  # noqa: BLE001 - openpyxl raises many types for a broken file
        raise CampaignGraphError(f"not a readable .xlsx workbook ({e.__class__.__name__})", file=file) from None
    out: dict[str, Table] = {}
    try:
        for ws in wb.worksheets:
            if sheets is not None and ws.title not in sheets:
                continue
            if ws.sheet_state != "visible" and sheets is None:
                if hidden is not None:
                    hidden.append(ws.title)
                continue
            # the declared dimension (<dimension ref="A1:XFD1048576"/>) is not trusted: one stray
            # cell would make openpyxl pad every row to 16,384 columns and fill 1,048,576 rows.
            # Without it, rows come as stored (gaps are empty tuples) and each row is cut to
            # the header's width, so the cells read are bounded by what the file holds.
            ws.reset_dimensions()
            try:
                first = next(ws.iter_rows(max_row=1, values_only=True))
            except StopIteration:
                out[ws.title] = Table(file, ws.title, [], [])
                continue
            header = clean_header(list(first))
            while header and not header[-1]:
                header.pop()
            rows = []
            it = ws.iter_rows(min_row=2, max_col=len(header) or None, values_only=True)
            for n, cells in enumerate(it, start=2):
                if not cells or not any(c is not None and str(c).strip() for c in cells):
                    continue
                row: dict[str, str] = {}
                for i, h in enumerate(header):
                    if not h:
                        continue
                    c = cells[i] if i < len(cells) else None
                    row[h] = _cell_text(c)
                rows.append((n, row))
            out[ws.title] = Table(file, ws.title, header, rows)
    finally:
        wb.close()
    return out


def _cell_text(c: Any) -> str:
    if c is None:
        return ""
    if isinstance(c, bool):
        return "true" if c else "false"
    if isinstance(c, float) and c.is_integer():
        return str(int(c))
    if hasattr(c, "isoformat"):
        text = c.isoformat()
        return text[:10] if text.endswith("T00:00:00") or len(text) == 19 and text.endswith("00:00:00") else text
    return str(c)


def iter_tables(tables: dict[str, Table]) -> Iterator[Table]:
    yield from tables.values()
