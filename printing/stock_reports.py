"""进销存报表 the stock movement report (opening, receipts, returns, transfers, issues,
returns to supplier, adjustments, closing — quantity and value per SKU) as an A4
landscape PDF.

Pure: ``MovementReportDoc`` (every string, quantity and ``Decimal`` decided by the
caller) in, PDF bytes out. Each figure cell prints the quantity over its value; the
column header repeats on every page and the totals row, which must equal the sum of
the lines (checked), closes the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table

from printing.layout import PageDecor, PdfMeta, build_pdf, format_amount, para
from printing.styles import (
    ACCENT,
    HEADER_BG,
    PAGE_MARGINS,
    TextStyles,
    table_style,
    text_styles,
)
from printing.values import check_text

__all__ = [
    "FIGURE_COLUMNS",
    "MovementFigure",
    "MovementLine",
    "MovementReportDoc",
    "render_movement_report",
]

TITLE = "进销存报表 Stock movement report"
EMPTY_TEXT = "本期没有库存或变动。 No stock and no movement in this period."
# the nine figure columns, in print order (the caller gives figures in this order)
FIGURE_COLUMNS = (
    ("期初", "Opening"),
    ("采购入库", "Receipts"),
    ("退货入库", "Returns"),
    ("调拨入", "Transfers in"),
    ("销售出库", "Issues"),
    ("退供应商", "Returns to supplier"),
    ("调拨出", "Transfers out"),
    ("盘盈亏调整", "Adjustments (net)"),
    ("期末", "Closing"),
)
PAGE = landscape(A4)
WIDTH = PAGE[0] - PAGE_MARGINS.left - PAGE_MARGINS.right
_SKU, _UNIT, _FIGURE = 22 * mm, 10 * mm, 22 * mm
COLUMN_WIDTHS = (
    _SKU,
    WIDTH - _SKU - _UNIT - len(FIGURE_COLUMNS) * _FIGURE,
    _UNIT,
) + (
    _FIGURE,
) * len(FIGURE_COLUMNS)


@dataclass(frozen=True)
class MovementFigure:
    """A quantity and its cost value (signed for net adjustments)."""

    qty: int
    value: Decimal

    def __post_init__(self) -> None:
        if isinstance(self.qty, bool) or not isinstance(self.qty, int):
            raise TypeError(f"qty must be an int, not {type(self.qty).__name__}")
        if not isinstance(self.value, Decimal):
            raise TypeError(f"value must be a Decimal, not {type(self.value).__name__}")
        if not self.value.is_finite():
            raise ValueError(f"value must be finite, got {self.value}")


def _figures(value: Any) -> tuple[MovementFigure, ...]:
    figures = tuple(value)
    if len(figures) != len(FIGURE_COLUMNS):
        raise ValueError(
            f"a line has {len(FIGURE_COLUMNS)} figures, got {len(figures)}"
        )
    for figure in figures:
        if not isinstance(figure, MovementFigure):
            raise TypeError(f"figures must be MovementFigure, not {type(figure)}")
    return figures


@dataclass(frozen=True)
class MovementLine:
    """One SKU: figures in ``FIGURE_COLUMNS`` order."""

    sku: str
    name: str
    unit: str
    figures: tuple[MovementFigure, ...]

    def __post_init__(self) -> None:
        check_text("sku", self.sku)
        check_text("name", self.name)
        check_text("unit", self.unit, required=False)
        object.__setattr__(self, "figures", _figures(self.figures))


@dataclass(frozen=True)
class MovementReportDoc:
    """The report of one period. ``period`` and ``warehouse`` are display text
    ("2026-10-01 – 2026-10-31", "MAIN 主仓" or "全部仓库 All warehouses");
    ``generated_at`` local wall-clock text; ``totals`` the column sums (checked)."""

    company: str
    period: str
    warehouse: str
    generated_at: str
    lines: tuple[MovementLine, ...]
    totals: tuple[MovementFigure, ...]
    note: str = ""
    currency: str = "CNY"

    def __post_init__(self) -> None:
        for field in ("company", "period", "warehouse", "generated_at", "currency"):
            check_text(field, getattr(self, field))
        check_text("note", self.note, required=False)
        lines = tuple(self.lines)
        for line in lines:
            if not isinstance(line, MovementLine):
                raise TypeError(f"lines must hold MovementLine, not {type(line)}")
        object.__setattr__(self, "lines", lines)
        totals = _figures(self.totals)
        object.__setattr__(self, "totals", totals)
        for column, total in enumerate(totals):
            qty = sum(line.figures[column].qty for line in lines)
            value = sum((line.figures[column].value for line in lines), Decimal(0))
            if (qty, value) != (total.qty, total.value):
                raise ValueError(
                    f"totals of column {FIGURE_COLUMNS[column][1]!r} must equal the "
                    "sum of the lines"
                )


def render_movement_report(doc: MovementReportDoc) -> bytes:
    """Render ``doc`` as an A4 landscape PDF and return its bytes."""
    styles = text_styles()
    story: list[Flowable] = [
        Paragraph(para(doc.company), styles.subtitle),
        Paragraph(TITLE, styles.title),
        Paragraph(
            f"期间 Period: {para(doc.period)} · 仓库 Warehouse: {para(doc.warehouse)}"
            f" · 金额 Values: {para(doc.currency)}",
            styles.normal,
        ),
        Spacer(1, 4 * mm),
    ]
    if doc.lines:
        story.append(_lines_table(doc, styles))
    else:
        story.append(Paragraph(EMPTY_TEXT, styles.normal))
    if doc.note.strip():
        story += [Spacer(1, 3 * mm), Paragraph(para(doc.note), styles.muted)]
    meta = PdfMeta(
        title=f"{TITLE} {doc.period}", author=doc.company, subject=doc.warehouse
    )
    decor = PageDecor(
        footer_left=f"{doc.company} · {doc.period} · 打印 Printed {doc.generated_at}",
        running_header=f"{doc.company} · {TITLE} · {doc.period} · {doc.warehouse}",
    )
    return build_pdf(story, meta=meta, decor=decor, page_size=PAGE)


def _figure_cell(figure: MovementFigure, style: ParagraphStyle) -> Paragraph:
    return Paragraph(
        f"{figure.qty:,}<br/><font size=7>{format_amount(figure.value)}</font>", style
    )


def _lines_table(doc: MovementReportDoc, styles: TextStyles) -> Table:
    # Latin wrapping (at spaces, never inside "Receipts"); the Chinese part is short
    head = ParagraphStyle("head", parent=styles.table_header, wordWrap=None)
    head_right = ParagraphStyle("head_right", parent=styles.table_header_right)
    head_right.wordWrap = None
    header = [
        Paragraph("编码<br/>SKU", head),
        Paragraph("品名<br/>Name", head),
        Paragraph("单位<br/>Unit", head),
    ] + [Paragraph(f"{zh}<br/>{en}", head_right) for zh, en in FIGURE_COLUMNS]
    cell = ParagraphStyle("figure", parent=styles.table_cell_right, leading=10)
    rows: list[list[Any]] = [header]
    for line in doc.lines:
        rows.append(
            [
                Paragraph(para(line.sku), styles.table_cell),
                Paragraph(para(line.name), styles.table_cell),
                Paragraph(para(line.unit), styles.table_cell),
            ]
            + [_figure_cell(figure, cell) for figure in line.figures]
        )
    count = f"合计 Total ({len(doc.lines)})"
    rows.append(
        [Paragraph(count, styles.table_header), "", ""]
        + [_figure_cell(figure, cell) for figure in doc.totals]
    )
    table = Table(rows, colWidths=COLUMN_WIDTHS, repeatRows=1, hAlign="LEFT")
    style = table_style(right_columns=range(3, 3 + len(FIGURE_COLUMNS)))
    last = len(rows) - 1
    style.add("SPAN", (0, last), (2, last))
    style.add("BACKGROUND", (0, last), (-1, last), HEADER_BG)
    style.add("LINEABOVE", (0, last), (-1, last), 0.8, ACCENT)
    table.setStyle(style)
    return table
