"""Spreadsheet files in and out (CSV and XLSX) for imports and exports.

Reading: UTF-8 (with or without BOM) or GBK/GB18030 CSV as Excel saves it in a Chinese
locale, or XLSX; every refusal names the row and column. Writing: CSV as UTF-8 with BOM
(opens correctly in Excel), cells beginning with = + - @ neutralised; XLSX with typed
cells (contracts.md §5).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from supplychain.errors import ImportRejected

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[
        tuple[int, dict[str, str]]
    ]  # (spreadsheet row number, header → text); header is row 1


def _reject(message: str, row: int = 0, column: str = "") -> ImportRejected:
    return ImportRejected([{"row": row, "column": column, "message": message}], message)


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # Excel in a Chinese locale saves "CSV" as GBK; GB18030 is its superset
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise _reject(
            "The file is neither UTF-8 nor GBK text; save it as CSV UTF-8 or XLSX."
        ) from None
    if "\x00" in text:
        raise _reject("The file looks binary (UTF-16?); save it as CSV UTF-8 or XLSX.")
    return text


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        # XLSX numbers arrive as floats; keep integers integral, the rest via repr's
        # shortest form
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return (
            value.date().isoformat() if value.time() == dt.time() else value.isoformat()
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _csv_rows(data: bytes) -> list[list[str]]:
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return [
            [c.strip() for c in row] for row in csv.reader(io.StringIO(text), dialect)
        ]
    except csv.Error as error:
        raise _reject(f"The CSV is malformed: {error}.") from None


def _xlsx_rows(data: bytes, max_rows: int) -> list[list[str]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise _reject("The file is not a valid XLSX workbook.") from None
    sheet = book.worksheets[0]
    rows = []
    for values in sheet.iter_rows(values_only=True):
        rows.append([_cell_text(v) for v in values])
        if len(rows) > max_rows + 1:
            break
    book.close()
    return rows


def unneutralise(text: str) -> str:
    """Undo write_csv's formula guard ("'=x" → "=x") so our own exports re-import
    unchanged."""
    if text.startswith("'") and text[1:2] in ("=", "+", "-", "@"):
        return text[1:]
    return text


def _raw_rows(data: bytes, filename: str, max_rows: int) -> list[list[str]]:
    if not data or not data.strip():
        raise _reject("The file is empty.")
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        raw = _xlsx_rows(data, max_rows)
    elif name.endswith((".csv", ".txt")):
        raw = _csv_rows(data)
    else:
        raise _reject("Only .csv and .xlsx files can be imported.")
    while raw and not any(raw[0]):
        raw.pop(0)
    if not raw:
        raise _reject("The file is empty.")
    return raw


def _header(cells: list[str], required: Sequence[str]) -> list[str]:
    columns = [c.strip().lstrip("\ufeff") for c in cells]
    while columns and not columns[-1]:
        columns.pop()
    problems = [
        {"row": 1, "column": col, "message": f"Missing column '{col}'."}
        for col in required
        if col not in columns
    ]
    duplicates = {c for c in columns if c and columns.count(c) > 1}
    problems += [
        {"row": 1, "column": c, "message": f"Column '{c}' appears twice."}
        for c in sorted(duplicates)
    ]
    if problems:
        raise ImportRejected(problems)
    return columns


def read_table(
    data: bytes, filename: str, *, required: Sequence[str] = (), max_rows: int = 20000
) -> Table:
    """Parse a CSV or XLSX upload into a header and numbered rows (blank rows
    skipped)."""
    raw = _raw_rows(data, filename, max_rows)
    columns = _header(raw[0], required)
    rows = []
    for number, values in enumerate(raw[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        if len(rows) >= max_rows:
            raise _reject(f"The file has more than {max_rows} rows; split it.", number)
        padded = list(values) + [""] * (len(columns) - len(values))
        cells = {
            col: unneutralise(padded[i].strip()) for i, col in enumerate(columns) if col
        }
        rows.append((number, cells))
    if not rows:
        raise _reject("The file has a header but no rows.", 2)
    return Table(columns, rows)


def _neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(_neutralise(value)) if isinstance(value, str) else str(value)


def write_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_csv_cell(c) for c in columns])
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def write_xlsx(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str
) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31] or "Sheet1")
    sheet.append([_neutralise(c) for c in columns])
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, Decimal):
                cells.append(value)  # openpyxl writes Decimal as a number cell
            elif isinstance(value, str):
                cells.append(_neutralise(value))
            else:
                cells.append(value)
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
