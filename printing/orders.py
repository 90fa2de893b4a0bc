"""Order confirmation PDF (订单确认单): what a merchant ordered, for which delivery date,
at which prices, as the order stands now.

Pure: ``OrderConfirmationDoc`` (every string, date and ``Decimal`` decided by the
caller) in, A4 PDF bytes out. The lines table repeats its column header on every page;
the total is printed under the last line and must equal the sum of the line amounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table

from printing.layout import (
    PageDecor,
    PdfMeta,
    build_pdf,
    facts_table,
    format_amount,
    para,
    totals_table,
)
from printing.styles import (
    CONTENT_WIDTH,
    TextStyles,
    table_style,
    text_styles,
)
from printing.values import check_money, check_text

__all__ = ["ConfirmationLine", "OrderConfirmationDoc", "render_order_confirmation"]

TITLE = "订单确认单 Order confirmation"
EMPTY_TEXT = "本订单没有商品行。 This order has no lines."
# #, SKU, name (Chinese + English), unit, qty, unit price, amount; the name takes
# the rest
_FIXED = (8 * mm, 26 * mm, 17 * mm, 17 * mm, 24 * mm, 27 * mm)
COLUMN_WIDTHS = (
    _FIXED[0],
    _FIXED[1],
    CONTENT_WIDTH - sum(_FIXED),
    _FIXED[2],
    _FIXED[3],
    _FIXED[4],
    _FIXED[5],
)


@dataclass(frozen=True)
class ConfirmationLine:
    """One order line as the merchant agreed to it (snapshotted name and price)."""

    sku: str
    name: str
    name_en: str
    unit: str
    qty: int
    unit_price: Decimal
    line_amount: Decimal

    def __post_init__(self) -> None:
        for field in ("sku", "name", "unit"):
            check_text(field, getattr(self, field))
        check_text("name_en", self.name_en, required=False)
        if isinstance(self.qty, bool) or not isinstance(self.qty, int):
            raise TypeError(f"qty must be an int, not {type(self.qty).__name__}")
        if self.qty < 1:
            raise ValueError(f"qty must be at least 1, got {self.qty}")
        check_money("unit_price", self.unit_price)
        check_money("line_amount", self.line_amount)


@dataclass(frozen=True)
class OrderConfirmationDoc:
    """An order confirmation. Times are local wall-clock text ("2026-11-23 18:00");
    ``status`` is display text ("已下单 Placed"); ``total_amount`` is the sum of the
    line amounts (checked)."""

    company: str
    number: str
    status: str
    merchant_code: str
    merchant_name: str
    address: str
    contact: str
    delivery_date: date
    delivery_window: str
    placed_at: str
    cutoff_at: str
    lines: tuple[ConfirmationLine, ...]
    total_amount: Decimal
    generated_at: str
    note: str = ""
    currency: str = "CNY"

    def __post_init__(self) -> None:
        for field in (
            "company", "number", "status", "merchant_code", "merchant_name",
            "placed_at", "cutoff_at", "generated_at", "currency",
        ):  # fmt: skip
            check_text(field, getattr(self, field))
        for field in ("address", "contact", "delivery_window", "note"):
            check_text(field, getattr(self, field), required=False)
        if not isinstance(self.delivery_date, date):
            raise TypeError("delivery_date must be a date")
        lines = tuple(self.lines)
        for line in lines:
            if not isinstance(line, ConfirmationLine):
                raise TypeError(
                    f"lines must hold ConfirmationLine, not {type(line).__name__}"
                )
        object.__setattr__(self, "lines", lines)
        check_money("total_amount", self.total_amount)
        if sum((line.line_amount for line in lines), Decimal("0")) != self.total_amount:
            raise ValueError("total_amount must equal the sum of the line amounts")

    @property
    def total_qty(self) -> int:
        return sum(line.qty for line in self.lines)


def render_order_confirmation(doc: OrderConfirmationDoc) -> bytes:
    """Render ``doc`` as an A4 PDF and return its bytes."""
    styles = text_styles()
    story: list[Flowable] = _title_block(doc, styles)
    if doc.lines:
        story.append(_lines_table(doc, styles))
    else:
        story.append(Paragraph(EMPTY_TEXT, styles.normal))
    story.append(Spacer(1, 3 * mm))
    story.append(
        totals_table(
            len(doc.lines), doc.total_qty, doc.currency, doc.total_amount, styles
        )
    )
    if doc.note.strip():
        story.append(Spacer(1, 4 * mm))
        story.append(Paragraph(f"备注 Note: {para(doc.note)}", styles.normal))
    meta = PdfMeta(
        title=f"{TITLE} {doc.number}",
        author=doc.company,
        subject=f"{doc.merchant_code} · {doc.delivery_date.isoformat()}",
    )
    decor = PageDecor(
        footer_left=f"{doc.company} · {doc.number} · 打印 Printed {doc.generated_at}",
        running_header=f"{doc.company} · {TITLE} · {doc.number}",
    )
    return build_pdf(story, meta=meta, decor=decor)


def _title_block(doc: OrderConfirmationDoc, styles: TextStyles) -> list[Flowable]:
    delivery = doc.delivery_date.isoformat()
    if doc.delivery_window.strip():
        delivery += f"  {doc.delivery_window}"
    facts = [
        ("订单号 Order no.", doc.number),
        ("状态 Status", doc.status),
        ("商户 Merchant", f"{doc.merchant_code} {doc.merchant_name}"),
        ("送货日期 Delivery", delivery),
        ("地址 Address", doc.address or "—"),
        ("下单时间 Placed at", doc.placed_at),
        ("联系人 Contact", doc.contact or "—"),
        ("截单时间 Cutoff", doc.cutoff_at),
    ]
    return [
        Paragraph(para(doc.company), styles.subtitle),
        Paragraph(TITLE, styles.title),
        Spacer(1, 2 * mm),
        facts_table(facts, styles, label_share=0.7, valign="TOP", padding=1.5),
        Spacer(1, 5 * mm),
    ]


def _lines_table(doc: OrderConfirmationDoc, styles: TextStyles) -> Table:
    header = [
        Paragraph("#", styles.table_header),
        Paragraph("编码 SKU", styles.table_header),
        Paragraph("品名 Name", styles.table_header),
        Paragraph("单位 Unit", styles.table_header),
        Paragraph("数量 Qty", styles.table_header_right),
        Paragraph(f"单价 Price ({para(doc.currency)})", styles.table_header_right),
        Paragraph(f"金额 Amount ({para(doc.currency)})", styles.table_header_right),
    ]
    rows: list[list[Any]] = [header]
    for number, line in enumerate(doc.lines, start=1):
        name: list[Flowable] = [Paragraph(para(line.name), styles.table_cell)]
        if line.name_en.strip():
            name.append(Paragraph(para(line.name_en), styles.latin_small))
        rows.append(
            [
                Paragraph(str(number), styles.table_cell),
                Paragraph(para(line.sku), styles.table_cell),
                name,
                Paragraph(para(line.unit), styles.table_cell),
                Paragraph(f"{line.qty:,}", styles.table_cell_right),
                Paragraph(format_amount(line.unit_price), styles.table_cell_right),
                Paragraph(format_amount(line.line_amount), styles.table_cell_right),
            ]
        )
    table = Table(rows, colWidths=COLUMN_WIDTHS, repeatRows=1, hAlign="LEFT")
    table.setStyle(table_style(right_columns=(4, 5, 6)))
    return table
