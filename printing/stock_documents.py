"""库存单据 stock document PDFs: 入库单, 出库单, 移库单, 调拨单, 库存调整单, 退货单 and
报废单 — the header facts, one row per line (lot and expiry, from and to, quantity,
cost value), the total and signature boxes.

Pure: ``StockDocumentDoc`` (every string, date and ``Decimal`` decided by the caller)
in, A4 PDF bytes out. The total must equal the sum of the line values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

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
    RULE,
    TextStyles,
    base_table_commands,
    table_style,
    text_styles,
)
from printing.values import check_int, check_money, check_text

__all__ = [
    "TITLES",
    "StockDocumentDoc",
    "StockDocumentLineDoc",
    "render_stock_document",
]

TITLES = {
    "receipt": "入库单 Goods receipt",
    "issue": "出库单 Goods issue",
    "move": "移库单 Bin move",
    "transfer": "调拨单 Transfer",
    "adjustment": "库存调整单 Stock adjustment",
    "return": "退货入库单 Merchant return",
    "scrap": "报废单 Scrap",
}
SIGNATURES = ("制单 Prepared by", "仓管 Storekeeper", "经手 Handled by")
EMPTY_TEXT = "本单没有商品行。 This document has no lines."
# #, SKU, name, lot / expiry, from, to, qty, value; the name takes the rest
_FIXED = (7 * mm, 22 * mm, 26 * mm, 24 * mm, 24 * mm, 22 * mm, 22 * mm)
COLUMN_WIDTHS = (
    _FIXED[0],
    _FIXED[1],
    CONTENT_WIDTH - sum(_FIXED),
    *_FIXED[2:],
)


@dataclass(frozen=True)
class StockDocumentLineDoc:
    """One line: ``qty`` signed on adjustments (− written off); ``from_place`` /
    ``to_place`` are location labels ("MAIN/A01-1-01-L1", "供应商 Supplier");
    ``received_qty`` only on transfers."""

    line_no: int
    sku: str
    name: str
    unit: str
    qty: int
    value: Decimal
    lot: str = ""
    expiry_date: date | None = None
    from_place: str = ""
    to_place: str = ""
    received_qty: int | None = None
    note: str = ""

    def __post_init__(self) -> None:
        check_int("line_no", self.line_no)
        check_int("qty", self.qty)
        if self.qty == 0:
            raise ValueError("qty must not be zero")
        for name in ("sku", "name", "unit"):
            check_text(name, getattr(self, name))
        for name in ("lot", "from_place", "to_place", "note"):
            check_text(name, getattr(self, name), required=False)
        if self.expiry_date is not None and not isinstance(self.expiry_date, date):
            raise TypeError("expiry_date must be a date")
        if self.received_qty is not None:
            check_int("received_qty", self.received_qty)
        check_money("value", self.value)


@dataclass(frozen=True)
class StockDocumentDoc:
    """A stock document. ``kind`` picks the title (TITLES); ``status`` is display
    text ("已过账 Posted"); ``facts`` are the header's (label, value) pairs after the
    number and status (warehouse, supplier, who and when…); ``total_value`` is the
    sum of the line values (checked)."""

    company: str
    kind: str
    number: str
    status: str
    facts: tuple[tuple[str, str], ...]
    lines: tuple[StockDocumentLineDoc, ...]
    total_value: Decimal
    generated_at: str
    note: str = ""
    currency: str = "CNY"

    def __post_init__(self) -> None:
        if self.kind not in TITLES:
            raise ValueError(f"kind must be one of {sorted(TITLES)}, got {self.kind!r}")
        for name in ("company", "number", "status", "generated_at", "currency"):
            check_text(name, getattr(self, name))
        check_text("note", self.note, required=False)
        facts = tuple(tuple(pair) for pair in self.facts)
        for pair in facts:
            if len(pair) != 2:
                raise ValueError("facts are (label, value) pairs")
            check_text("fact label", pair[0])
            check_text("fact value", pair[1], required=False)
        object.__setattr__(self, "facts", facts)
        lines = tuple(self.lines)
        for line in lines:
            if not isinstance(line, StockDocumentLineDoc):
                raise TypeError(
                    f"lines must hold StockDocumentLineDoc, not {type(line).__name__}"
                )
        object.__setattr__(self, "lines", lines)
        check_money("total_value", self.total_value)
        if sum((line.value for line in lines), Decimal("0")) != self.total_value:
            raise ValueError("total_value must equal the sum of the line values")

    @property
    def title(self) -> str:
        return TITLES[self.kind]

    @property
    def total_qty(self) -> int:
        return sum(abs(line.qty) for line in self.lines)


def render_stock_document(doc: StockDocumentDoc) -> bytes:
    """Render ``doc`` as an A4 PDF and return its bytes."""
    styles = text_styles()
    story: list[Flowable] = [
        Paragraph(para(doc.company), styles.subtitle),
        Paragraph(para(doc.title), styles.title),
        Spacer(1, 2 * mm),
        facts_table(
            [("单号 No.", doc.number), ("状态 Status", doc.status), *doc.facts],
            styles,
            label_share=0.7,
            valign="TOP",
            padding=1.5,
        ),
        Spacer(1, 5 * mm),
    ]
    if doc.lines:
        story.append(_lines_table(doc, styles))
    else:
        story.append(Paragraph(EMPTY_TEXT, styles.normal))
    story += [
        Spacer(1, 3 * mm),
        totals_table(
            len(doc.lines), doc.total_qty, doc.currency, doc.total_value, styles
        ),
    ]
    if doc.note.strip():
        story += [
            Spacer(1, 4 * mm),
            Paragraph(f"备注 Note: {para(doc.note)}", styles.normal),
        ]
    story += [Spacer(1, 12 * mm), _signatures(styles)]
    meta = PdfMeta(
        title=f"{doc.title} {doc.number}", author=doc.company, subject=doc.number
    )
    decor = PageDecor(
        footer_left=f"{doc.company} · {doc.number} · 打印 Printed {doc.generated_at}",
        running_header=f"{doc.company} · {doc.title} · {doc.number}",
    )
    return build_pdf(story, meta=meta, decor=decor)


def _lines_table(doc: StockDocumentDoc, styles: TextStyles) -> Table:
    heads = (
        "#",
        "编码 SKU",
        "品名 Name",
        "批次 Lot",
        "从 From",
        "到 To",
    )
    header: list[Any] = [Paragraph(text, styles.table_header) for text in heads]
    header += [
        Paragraph("数量 Qty", styles.table_header_right),
        Paragraph(f"金额 Value ({para(doc.currency)})", styles.table_header_right),
    ]
    rows: list[list[Any]] = [header]
    for line in doc.lines:
        rows.append(_line_row(line, styles))
    table = Table(rows, colWidths=COLUMN_WIDTHS, repeatRows=1, hAlign="LEFT")
    table.setStyle(table_style(right_columns=(6, 7)))
    return table


def _line_row(line: StockDocumentLineDoc, styles: TextStyles) -> list[Any]:
    name: list[Flowable] = [Paragraph(para(line.name), styles.table_cell)]
    if line.note.strip():
        name.append(Paragraph(para(line.note), styles.muted))
    lot: list[Flowable] = [Paragraph(para(line.lot or "—"), styles.table_cell)]
    if line.expiry_date is not None:
        lot.append(Paragraph(f"至 {line.expiry_date.isoformat()}", styles.muted))
    qty: list[Flowable] = [
        Paragraph(f"{line.qty:,} {para(line.unit)}", styles.table_cell_right)
    ]
    if line.received_qty is not None:
        qty.append(Paragraph(f"已收 {line.received_qty:,}", styles.table_cell_right))
    return [
        Paragraph(str(line.line_no), styles.table_cell),
        Paragraph(para(line.sku), styles.table_cell),
        name,
        lot,
        Paragraph(para(line.from_place or "—"), styles.table_cell),
        Paragraph(para(line.to_place or "—"), styles.table_cell),
        qty,
        Paragraph(format_amount(line.value), styles.table_cell_right),
    ]


def _signatures(styles: TextStyles) -> Table:
    """Boxes to sign on paper: a label over a rule, side by side."""
    width = CONTENT_WIDTH / len(SIGNATURES)
    row = [Paragraph(para(label), styles.muted) for label in SIGNATURES]
    table = Table([row, [""] * len(SIGNATURES)], colWidths=[width] * len(SIGNATURES))
    table.setStyle(
        TableStyle(
            [
                *base_table_commands(),
                ("LINEBELOW", (0, 1), (-1, 1), 0.5, RULE),
                ("RIGHTPADDING", (0, 0), (-1, -1), 10),
                ("BOTTOMPADDING", (0, 1), (-1, 1), 14),
            ]
        )
    )
    return table
