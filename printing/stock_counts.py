"""盘点表 count sheet: the paper a counter takes round the bins when a phone is not at
hand — per bin, the products and lots listed with an empty box for the counted
number (the system's quantity only on counts that are not blind), blank rows for items
found that were not listed, and a line for the counter's signature.

Pure: ``CountSheetDoc`` (every string and number decided by the caller) in, A4 PDF
bytes out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Spacer, Table

from printing.layout import PageDecor, PdfMeta, build_pdf, facts_table, para
from printing.styles import CONTENT_WIDTH, TextStyles, table_style, text_styles
from printing.values import check_text

__all__ = ["CountSheetBin", "CountSheetDoc", "CountSheetLine", "render_count_sheet"]

TITLE = "盘点表 Count sheet"
FOUND_ROWS = 2  # blank rows per bin for items found that were not listed
SIGNATURE = "盘点人 Counted by ____________    日期 Date ____________"
# #, SKU, name, lot / expiry, unit, system, counted; the name takes the rest
_FIXED = (7 * mm, 26 * mm, 30 * mm, 17 * mm, 22 * mm, 26 * mm)


@dataclass(frozen=True)
class CountSheetLine:
    """A listed product (and lot); ``system_qty`` None on blind counts."""

    sku: str
    name: str
    unit: str
    lot: str = ""
    expiry_date: date | None = None
    system_qty: int | None = None

    def __post_init__(self) -> None:
        for name in ("sku", "name", "unit"):
            check_text(name, getattr(self, name))
        check_text("lot", self.lot, required=False)
        if self.expiry_date is not None and not isinstance(self.expiry_date, date):
            raise TypeError("expiry_date must be a date")
        qty = self.system_qty
        if qty is not None and (isinstance(qty, bool) or not isinstance(qty, int)):
            raise TypeError("system_qty must be an int or None")


@dataclass(frozen=True)
class CountSheetBin:
    code: str
    lines: tuple[CountSheetLine, ...]

    def __post_init__(self) -> None:
        check_text("code", self.code)
        object.__setattr__(self, "lines", tuple(self.lines))
        for line in self.lines:
            if not isinstance(line, CountSheetLine):
                raise TypeError("lines must hold CountSheetLine")


@dataclass(frozen=True)
class CountSheetDoc:
    """A count's sheet: ``blind`` counts leave the system column out (and every
    line's ``system_qty`` must then be None)."""

    company: str
    number: str
    warehouse: str
    scope: str
    blind: bool
    generated_at: str
    bins: tuple[CountSheetBin, ...]

    def __post_init__(self) -> None:
        for name in ("company", "number", "warehouse", "scope", "generated_at"):
            check_text(name, getattr(self, name))
        object.__setattr__(self, "bins", tuple(self.bins))
        for bin_ in self.bins:
            if not isinstance(bin_, CountSheetBin):
                raise TypeError("bins must hold CountSheetBin")
            if self.blind and any(line.system_qty is not None for line in bin_.lines):
                raise ValueError("a blind count sheet shows no system quantity")


def render_count_sheet(doc: CountSheetDoc) -> bytes:
    """Render ``doc`` as an A4 PDF and return its bytes."""
    styles = text_styles()
    story: list[Flowable] = [
        Paragraph(para(doc.company), styles.subtitle),
        Paragraph(TITLE, styles.title),
        Spacer(1, 2 * mm),
        facts_table(
            [
                ("单号 No.", doc.number),
                ("仓库 Warehouse", doc.warehouse),
                ("范围 Scope", doc.scope),
                (
                    "账面数 System qty",
                    "不显示（盲盘）Hidden (blind)" if doc.blind else "显示 Shown",
                ),
            ],
            styles,
            label_share=0.7,
            valign="TOP",
            padding=1.5,
        ),
        Spacer(1, 4 * mm),
    ]
    for bin_ in doc.bins:
        story += [
            CondPageBreak(40 * mm),
            Paragraph(f"库位 Bin <b>{para(bin_.code)}</b>", styles.subtitle),
            Spacer(1, 1 * mm),
            _bin_table(bin_, doc.blind, styles),
            Spacer(1, 5 * mm),
        ]
    if not doc.bins:
        story.append(Paragraph("没有库位。 No bins.", styles.normal))
    story += [Spacer(1, 8 * mm), Paragraph(SIGNATURE, styles.normal)]
    meta = PdfMeta(
        title=f"{TITLE} {doc.number}", author=doc.company, subject=doc.number
    )
    decor = PageDecor(
        footer_left=f"{doc.company} · {doc.number} · 打印 Printed {doc.generated_at}",
        running_header=f"{doc.company} · {TITLE} · {doc.number}",
    )
    return build_pdf(story, meta=meta, decor=decor)


def _bin_table(bin_: CountSheetBin, blind: bool, styles: TextStyles) -> Table:
    heads = ["#", "编码 SKU", "品名 Name", "批次 Lot", "单位 Unit"]
    widths = [*_FIXED[:2], 0.0, *_FIXED[2:4]]
    if not blind:
        heads.append("账面 System")
        widths.append(_FIXED[4])
    heads.append("实盘 Counted")
    widths.append(_FIXED[5])
    widths[2] = CONTENT_WIDTH - sum(widths)
    rows: list[list[Any]] = [[Paragraph(h, styles.table_header) for h in heads]]
    for number, line in enumerate(bin_.lines, start=1):
        lot: list[Flowable] = [Paragraph(para(line.lot or "—"), styles.table_cell)]
        if line.expiry_date is not None:
            lot.append(Paragraph(f"至 {line.expiry_date.isoformat()}", styles.muted))
        row: list[Any] = [
            Paragraph(str(number), styles.table_cell),
            Paragraph(para(line.sku), styles.table_cell),
            Paragraph(para(line.name), styles.table_cell),
            lot,
            Paragraph(para(line.unit), styles.table_cell),
        ]
        if not blind:
            row.append(Paragraph(f"{line.system_qty or 0:,}", styles.table_cell_right))
        rows.append(row + [""])
    for _ in range(FOUND_ROWS):  # items found that were not listed
        rows.append([Paragraph("+", styles.muted)] + [""] * (len(heads) - 1))
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    right = (len(heads) - 2,) if not blind else ()
    table.setStyle(table_style(right_columns=right, zebra=False))
    # room to write a number by hand
    table.setStyle([("BOTTOMPADDING", (0, 1), (-1, -1), 7)])
    return table
