"""商户导入导出 merchant import and export (CSV / XLSX) through ``supplychain.tabular``.

Import is all-or-nothing: every row is checked, every problem is reported as
``{"row", "column", "message"}`` (row numbers as the spreadsheet shows them, the header
is row 1), and nothing is written unless every row is good; then all rows go in one
commit. A row whose code exists updates that merchant (only the columns present in the
file); a new code creates one. Export writes the same columns, so an export re-imports
unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from supplychain.catalog.models import PriceGrade
from supplychain.errors import ImportRejected, ValidationFailed
from supplychain.extensions import db
from supplychain.merchants.models import Merchant
from supplychain.merchants.queries import merchants_query
from supplychain.merchants.services import apply_merchant_values
from supplychain.merchants.values import (
    format_window,
    parse_money,
    parse_window,
    problems_of,
)
from supplychain.tabular import read_table, write_csv, write_xlsx

COLUMNS = (
    "code", "name", "name_en", "kind", "district", "address", "lat", "lon",
    "price_grade", "credit_limit", "payment_terms_days", "delivery_window",
    "contact_name", "phone", "note", "is_active",
)  # fmt: skip
# Chinese headers as staff type them in Excel
HEADER_ALIASES = {
    "编码": "code", "商户编码": "code", "代码": "code",
    "名称": "name", "商户名称": "name", "店名": "name",
    "英文名称": "name_en", "英文名": "name_en",
    "类型": "kind", "商户类型": "kind",
    "区": "district", "区县": "district", "行政区": "district",
    "地址": "address", "纬度": "lat", "经度": "lon",
    "价格等级": "price_grade", "信用额度": "credit_limit",
    "账期": "payment_terms_days", "账期天数": "payment_terms_days",
    "送货时间": "delivery_window", "配送时间窗": "delivery_window", "送货时间窗": "delivery_window",
    "联系人": "contact_name", "电话": "phone", "手机": "phone",
    "备注": "note", "启用": "is_active", "状态": "is_active",
}  # fmt: skip
KIND_ALIASES = {"门店": "store", "店铺": "store", "团长": "group_leader", "批发": "wholesale",
                "批发商": "wholesale", "批发客户": "wholesale"}  # fmt: skip
_TRUE = {"true", "1", "yes", "y", "是", "启用", "active"}
_FALSE = {"false", "0", "no", "n", "否", "停用", "inactive"}
# an empty cell in these columns keeps the current value (a new merchant: the default);
# in every other column it clears the value (no credit limit = unlimited, no window…)
_KEEP_WHEN_EMPTY = ("kind", "lat", "lon", "payment_terms_days", "is_active", "name")
_IN_CHUNK = 500


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


@dataclass(frozen=True)
class ExportFile:
    data: bytes
    filename: str
    mimetype: str


def _canonical(header: str) -> str:
    key = header.strip()
    return HEADER_ALIASES.get(key, key.lower())


def _parse_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError
    return number


def _parse_kind(text: str) -> str:
    return KIND_ALIASES.get(text, text.lower())


def _parse_coordinate(text: str) -> float:
    try:
        return _parse_float(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a number.") from None


def _parse_days(text: str) -> int:
    if not text.isdigit():
        raise ValueError(f"'{text}' is not a whole number of days.")
    return int(text)


def _parse_bool(text: str) -> bool:
    if text.lower() in _TRUE:
        return True
    if text.lower() in _FALSE:
        return False
    raise ValueError(f"'{text}' is not yes/no (true/false, 是/否).")


_PARSERS = {
    "kind": _parse_kind,
    "lat": _parse_coordinate,
    "lon": _parse_coordinate,
    "credit_limit": lambda text: parse_money(text) if text else None,
    "payment_terms_days": _parse_days,
    "delivery_window": parse_window,
    "is_active": _parse_bool,
}


def _parse_cell(field: str, text: str) -> Any:
    """One cell's text → the service value; ValueError with the message for the user.
    Text columns pass through as they are."""
    parser = _PARSERS.get(field)
    return parser(text) if parser else text


def _existing(codes: Iterable[str]) -> dict[str, Merchant]:
    codes = sorted(set(codes))
    found: dict[str, Merchant] = {}
    for start in range(0, len(codes), _IN_CHUNK):
        chunk = codes[start : start + _IN_CHUNK]
        found.update(
            (m.code, m)
            for m in db.session.scalars(
                sa.select(Merchant).where(Merchant.code.in_(chunk))
            )
        )
    return found


@dataclass
class _Row:
    number: int
    code: str
    values: dict[str, Any]
    existing: Merchant | None


class _Checker:
    """Collects problems across all rows; keeps the parsed rows for the write."""

    def __init__(self, headers: Mapping[str, str], grades: Mapping[str, int]) -> None:
        self.headers = headers  # canonical field → header as written in the file
        self.grades = grades
        self.problems: list[dict[str, Any]] = []

    def add(self, row: int, field: str, message: str) -> None:
        column = self.headers.get(field, field)
        self.problems.append({"row": row, "column": column, "message": message})

    def parse(
        self, number: int, cells: Mapping[str, str], existing: Merchant | None
    ) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for field, header in self.headers.items():
            if field == "code":
                continue
            text = cells.get(header, "").strip()
            if not text and field in _KEEP_WHEN_EMPTY and (existing or field != "name"):
                continue
            try:
                values[field] = _parse_cell(field, text)
            except ValueError as error:
                self.add(number, field, str(error))
        grade = values.get("price_grade")
        if grade and grade not in self.grades:
            self.add(number, "price_grade", f"Unknown price grade '{grade}'.")
        return values

    def check(self, row: _Row) -> None:
        creating = row.existing is None
        for field, messages in problems_of(
            {"code": row.code} | row.values, creating=creating
        ).items():
            for message in messages:
                self.add(row.number, field, message)
        lat = row.values.get("lat", row.existing.lat if row.existing else None)
        lon = row.values.get("lon", row.existing.lon if row.existing else None)
        active = row.values.get(
            "is_active", row.existing.is_active if row.existing else True
        )
        if active and (lat is None or lon is None) and not creating:
            self.add(row.number, "lat", "An active merchant needs coordinates.")


def _read_rows(data: bytes, filename: str) -> tuple[_Checker, list[_Row]]:
    table = read_table(data, filename)
    headers: dict[str, str] = {}
    problems = []
    for header in table.columns:
        field = _canonical(header)
        if field not in COLUMNS:
            problems.append(
                {"row": 1, "column": header, "message": f"Unknown column '{header}'."}
            )
        elif field in headers:
            problems.append(
                {
                    "row": 1,
                    "column": header,
                    "message": f"'{header}' repeats '{headers[field]}'.",
                }
            )
        else:
            headers[field] = header
    if "code" not in headers:
        problems.append(
            {"row": 1, "column": "code", "message": "Missing column 'code' (编码)."}
        )
    if problems:
        raise ImportRejected(problems)
    grades = {
        code: id_
        for code, id_ in db.session.execute(sa.select(PriceGrade.code, PriceGrade.id))
    }
    checker = _Checker(headers, grades)
    existing = _existing(
        cells.get(headers["code"], "").strip() for _, cells in table.rows
    )
    seen: dict[str, int] = {}
    rows = []
    for number, cells in table.rows:
        code = cells.get(headers["code"], "").strip()
        if not code:
            checker.add(number, "code", "Required.")
            continue
        if code in seen:
            checker.add(
                number, "code", f"Code '{code}' is already on row {seen[code]}."
            )
            continue
        seen[code] = number
        row = _Row(number, code, {}, existing.get(code))
        row.values = checker.parse(number, cells, row.existing)
        checker.check(row)
        rows.append(row)
    return checker, rows


def import_merchants(data: bytes, filename: str) -> ImportResult:
    """Create or update merchants from a CSV/XLSX file, all or nothing.

    Required column: ``code`` (编码); new merchants also need ``name``, ``lat`` and
    ``lon``. Chinese headers (编码, 名称, 地址, 纬度, 经度…) and kinds (门店, 团长, 批发) are accepted.
    :raise ImportRejected: with every problem found; nothing is written.
    """
    checker, rows = _read_rows(data, filename)
    if checker.problems:
        raise ImportRejected(
            sorted(checker.problems, key=lambda p: (p["row"], p["column"]))
        )
    created = 0
    with db.session.no_autoflush:
        for row in rows:
            merchant = row.existing or Merchant(code=row.code, is_active=True)
            values = dict(row.values)
            if "price_grade" in values:
                grade = values.pop("price_grade")
                merchant.price_grade_id = checker.grades[grade] if grade else None
            apply_merchant_values(merchant, values)
            if row.existing is None:
                db.session.add(merchant)
                created += 1
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return ImportResult(created=created, updated=len(rows) - created)


# --- export ---------------------------------------------------------------------------


def _export_row(merchant: Merchant, *, typed: bool) -> list[Any]:
    m = merchant
    grade = m.price_grade.code if m.price_grade else ""
    return [
        m.code, m.name, m.name_en, m.kind, m.district, m.address, m.lat, m.lon, grade,
        m.credit_limit, m.payment_terms_days, format_window(m.delivery_window),
        m.contact_name, m.phone, m.note,
        m.is_active if typed else ("true" if m.is_active else "false"),
    ]  # fmt: skip


def export_merchants(
    fmt: str = "csv", *, q: str = "", kind: str = "", active: bool | None = None
) -> ExportFile:
    """Every merchant matching the filters as CSV (UTF-8 with BOM) or XLSX (typed
    cells).
    :raise ValidationFailed: unknown format."""
    if fmt not in ("csv", "xlsx"):
        raise ValidationFailed({"format": ["Must be csv or xlsx."]})
    merchants = db.session.scalars(merchants_query(q, kind=kind, active=active))
    if fmt == "csv":
        data = write_csv(COLUMNS, (_export_row(m, typed=False) for m in merchants))
        return ExportFile(data, "merchants.csv", "text/csv; charset=utf-8")
    data = write_xlsx(
        COLUMNS, (_export_row(m, typed=True) for m in merchants), title="merchants"
    )
    return ExportFile(
        data,
        "merchants.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
