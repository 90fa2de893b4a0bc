"""进销存报表导出 the stock reports as files: XLSX and CSV (contracts.md §5, through
``supplychain.tabular``: typed numbers and dates, UTF-8 with BOM, formula cells
neutralised) and the 进销存 report as an A4 landscape PDF (``printing.stock_reports``).

Every export holds all rows of the report (never one page of it). Column headers are
bilingual (中文 English), like the printed documents, so one file reads in either
locale and in the command line. Times are local wall-clock times in TIMEZONE.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app

from printing.stock_reports import (
    MovementFigure,
    MovementLine,
    MovementReportDoc,
    render_movement_report,
)
from supplychain import tabular
from supplychain.database import utcnow
from supplychain.errors import ValidationFailed
from supplychain.messages import msg
from supplychain.stock.reports import (
    FLOWS,
    Figure,
    MovementReport,
    MovementRow,
    NearExpiryReport,
    PlaceRow,
    ProductHistory,
    ValueRow,
    value_totals,
)

FORMATS = ("xlsx", "csv")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEFAULT_COMPANY = "配送中心 Distribution centre"
ALL_WAREHOUSES = "全部仓库 All warehouses"
FIGURES = ("opening",) + FLOWS + ("closing",)
FIGURE_HEADERS = {
    "opening": "期初 Opening",
    "receipts": "采购入库 Receipts",
    "returns": "退货入库 Returns",
    "transfers_in": "调拨入 Transfers in",
    "issues": "销售出库 Issues",
    "supplier_returns": "退供应商 Returns to supplier",
    "transfers_out": "调拨出 Transfers out",
    "adjustments": "盘盈亏调整 Adjustments (net)",
    "closing": "期末 Closing",
}
PLACE_LABELS = {
    "supplier": "供应商 Supplier",
    "customer": "客户 Customer",
    "adjustment": "库存调整 Inventory adjustment",
    "transit": "在途 In transit",
}
TOTAL = "合计 Total"


@dataclass(frozen=True)
class Export:
    data: bytes
    filename: str
    mimetype: str


def _file(
    fmt: str, name: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Export:
    """:raise ValidationFailed: on ``format`` unless csv or xlsx."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", name)  # safe as file and sheet name
    if fmt == "csv":
        return Export(tabular.write_csv(columns, rows), f"{name}.csv", "text/csv")
    if fmt == "xlsx":
        data = tabular.write_xlsx(columns, rows, title=name[:31])
        return Export(data, f"{name}.xlsx", XLSX_TYPE)
    raise ValidationFailed({"format": [msg("Choose csv or xlsx.")]})


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def local_time(instant: dt.datetime) -> dt.datetime:
    """A stored UTC instant as a naive local wall-clock time (spreadsheet cells have
    no time zone)."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=dt.timezone.utc)
    return instant.astimezone(_zone()).replace(tzinfo=None)


def period_text(first: dt.date, last: dt.date) -> str:
    return f"{first.isoformat()} – {last.isoformat()}"


def _slug(first: dt.date, last: dt.date, warehouse: str | None) -> str:
    return f"{first.isoformat()}_{last.isoformat()}-{warehouse or 'ALL'}"


# --- 进销存 ---------------------------------------------------------------------------
def _movement_columns() -> list[str]:
    columns = ["编码 SKU", "品名 Name", "单位 Unit", "仓库 Warehouse"]
    for name in FIGURES:
        columns += [
            f"{FIGURE_HEADERS[name]} 数量 qty",
            f"{FIGURE_HEADERS[name]} 金额 value",
        ]
    return columns


def _movement_cells(row: MovementRow, warehouse: str) -> list[Any]:
    cells: list[Any] = [row.sku, row.name, row.unit, warehouse]
    for name in FIGURES:
        figure = getattr(row, name)
        cells += [figure.qty, figure.value]
    return cells


def movements_file(
    report: MovementReport, fmt: str, first: dt.date, last: dt.date
) -> Export:
    """Every row of the 进销存 report, then the totals row."""
    warehouse = report.warehouse or ALL_WAREHOUSES
    rows = [_movement_cells(row, warehouse) for row in report.rows]
    totals = _movement_cells(report.totals, warehouse)
    totals[:3] = [TOTAL, f"{len(report.rows)}", ""]
    return _file(
        fmt,
        f"jxc-{_slug(first, last, report.warehouse)}",
        _movement_columns(),
        rows + [totals],
    )


def movements_pdf(
    report: MovementReport,
    first: dt.date,
    last: dt.date,
    *,
    warehouse_name: str = "",
) -> Export:
    """The 进销存 report as an A4 landscape PDF."""

    def figures(row: MovementRow) -> tuple[MovementFigure, ...]:
        return tuple(
            MovementFigure(getattr(row, n).qty, getattr(row, n).value) for n in FIGURES
        )

    warehouse = (
        f"{report.warehouse} {warehouse_name}".strip()
        if report.warehouse
        else ALL_WAREHOUSES
    )
    doc = MovementReportDoc(
        company=current_app.config.get("COMPANY_NAME") or DEFAULT_COMPANY,
        period=period_text(first, last),
        warehouse=warehouse,
        generated_at=local_time(utcnow()).strftime("%Y-%m-%d %H:%M"),
        lines=tuple(
            MovementLine(row.sku, row.name, row.unit, figures(row))
            for row in report.rows
        ),
        totals=figures(report.totals),
        note=(
            "数量为销售单位；金额为移动平均成本（元）。 Quantities in selling units; "
            "values at moving-average cost (yuan)."
        ),
    )
    pdf = render_movement_report(doc)
    return Export(
        pdf, f"jxc-{_slug(first, last, report.warehouse)}.pdf", "application/pdf"
    )


# --- stock value at a date ------------------------------------------------------------
def value_file(rows: list[ValueRow], fmt: str, day: dt.date) -> Export:
    """Every product and warehouse with stock at the end of ``day``, then the totals
    per warehouse and the grand total."""
    columns = [
        "仓库 Warehouse", "编码 SKU", "品名 Name", "数量 Qty",
        "单位成本 Unit cost", "金额 Value",
    ]  # fmt: skip
    cells: list[list[Any]] = [
        [r.warehouse, r.sku, r.name, r.qty, r.unit_cost, r.value] for r in rows
    ]
    for total in value_totals(rows):
        label = f"{TOTAL} {total.warehouse}" if total.warehouse else TOTAL
        cells.append([total.warehouse or ALL_WAREHOUSES, label, "", total.qty, None,
                      total.value])  # fmt: skip
    return _file(fmt, f"stock-value-{day.isoformat()}", columns, cells)


# --- stock by bin and lot -------------------------------------------------------------
def places_file(rows: list[PlaceRow], fmt: str, on: dt.date) -> Export:
    columns = [
        "仓库 Warehouse", "库位 Bin", "编码 SKU", "品名 Name", "单位 Unit", "批次 Lot",
        "生产日期 Production date", "有效期至 Expiry date", "剩余天数 Days left",
        "待检隔离 Quarantine", "已过期 Expired", "数量 Qty",
    ]  # fmt: skip
    cells = [
        [
            r.warehouse, r.bin or "无库位 No bin", r.sku, r.name, r.unit,
            r.lot_no or "", r.production_date, r.expiry_date, r.days_left,
            r.is_quarantine, r.is_expired, r.qty,
        ]  # fmt: skip
        for r in rows
    ]
    return _file(fmt, f"stock-places-{on.isoformat()}", columns, cells)


# --- movement history -----------------------------------------------------------------
def place_label(place: Any) -> str:
    return (
        place.label if place.is_internal else PLACE_LABELS.get(place.usage, place.usage)
    )


def history_file(history: ProductHistory, fmt: str) -> Export:
    """The opening row, every move, the closing row (= the level when the period
    reaches now)."""
    columns = [
        "时间 Time", "摘要 Reason", "单据 Reference", "从 From", "到 To", "批次 Lot",
        "入库数量 Qty in", "出库数量 Qty out", "库内移动 Moved qty",
        "入库金额 Value in", "出库金额 Value out",
        "结存数量 Balance qty", "结存金额 Balance value",
    ]  # fmt: skip

    def edge(label: str, instant: dt.datetime, figure: Figure) -> list[Any]:
        return [local_time(instant), label, "", "", "", "", None, None, None, None,
                None, figure.qty, figure.value]  # fmt: skip

    cells = [edge("期初 Opening", history.start, history.opening)]
    for line in history.lines:
        cells.append(
            [
                local_time(line.created_at), line.reason,
                line.reference_number or (
                    f"{line.reference_type} {line.reference_id or ''}".strip()
                    if line.reference_type else ""
                ),
                place_label(line.source), place_label(line.target), line.lot_no or "",
                line.qty_in, line.qty_out, line.moved_qty,
                line.value_in, line.value_out, line.balance.qty, line.balance.value,
            ]  # fmt: skip
        )
    closing = edge("期末 Closing", history.end, history.closing)
    total_in, total_out = history.total_in, history.total_out
    closing[6:8] = [total_in.qty, total_out.qty]
    closing[9:11] = [total_in.value, total_out.value]
    cells.append(closing)
    first = local_time(history.start).date()
    last = (local_time(history.end) - dt.timedelta(seconds=1)).date()
    name = f"history-{history.sku}-{_slug(first, last, history.warehouse)}"
    return _file(fmt, name, columns, cells)


# --- near expiry ----------------------------------------------------------------------
RESERVED_UNKNOWN = "未知 unknown (reserved per product, not per lot)"


def near_expiry_file(report: NearExpiryReport, fmt: str) -> Export:
    """Expiring lots (push them in a campaign), then expired ones (write off or return
    to the supplier), each by expiry date."""
    columns = [
        "状态 Status", "仓库 Warehouse", "编码 SKU", "品名 Name", "单位 Unit",
        "批次 Lot", "生产日期 Production date", "有效期至 Expiry date",
        "剩余天数 Days left", "库存数量 On hand", "其中预留 Reserved",
        "单位成本 Unit cost", "金额 Value",
    ]  # fmt: skip
    cells = []
    for status, rows in (
        (f"临期 Expires within {report.days} days", report.expiring),
        ("已过期 Expired: write off or return", report.expired),
    ):
        for r in rows:
            cells.append(
                [
                    status, r.warehouse, r.sku, r.name, r.unit, r.lot_no,
                    r.production_date, r.expiry_date, r.days_left, r.qty,
                    RESERVED_UNKNOWN, r.unit_cost, r.value,
                ]  # fmt: skip
            )
    return _file(fmt, f"near-expiry-{report.on.isoformat()}", columns, cells)


__all__ = [
    "Export",
    "FORMATS",
    "history_file",
    "local_time",
    "movements_file",
    "movements_pdf",
    "near_expiry_file",
    "period_text",
    "place_label",
    "places_file",
    "value_file",
]
