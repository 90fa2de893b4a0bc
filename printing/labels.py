"""Bin labels PDF (货位标签): a grid of labels per A4 sheet, one per storage bin.

Each label shows the warehouse name, the bin code in large type, its Code128 bar code
and the bin's place (aisle, block, bay, side, level) in Chinese and English. Labels
fill the sheet left to right, top to bottom; a new page starts when a sheet is full.
"""

from __future__ import annotations

import io

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from printing.documents import BinLabel, BinLabelDoc
from printing.fonts import BOLD_FONT_NAME, FONT_NAME
from printing.layout import (
    Cell,
    PdfMeta,
    chunked,
    fit_font_size,
    grid_cells,
    new_canvas,
    truncate_to_width,
)
from printing.styles import (
    GUIDE,
    INK,
    LABEL_PADDING,
    LABEL_SHEET_MARGINS,
    MUTED,
    PAGE_SIZE,
)

__all__ = ["render_bin_labels", "location_lines", "barcode_bar_width"]

AUTHOR = "仓库 Warehouse"
CODE_MAX_SIZE = 22.0
CODE_MIN_SIZE = 4.0  # the code is never cut; a 40-character code shrinks to fit
WAREHOUSE_SIZE = 7.5
DETAIL_MAX_SIZE = 6.5
DETAIL_MIN_SIZE = 4.5
# A Code128 module (narrowest bar) of 0.25-0.35 mm scans well from thermal and laser
# printers.
BAR_WIDTH_MAX = 0.35 * mm
QUIET_MODULES = 10  # quiet zone each side, in modules (the Code128 minimum)
BARCODE_HEIGHT_SHARE = 0.24  # of the label height


def render_bin_labels(doc: BinLabelDoc) -> bytes:
    """Render ``doc`` as A4 label sheets and return the PDF bytes."""
    buffer = io.BytesIO()
    warehouses = sorted({label.warehouse for label in doc.labels})
    meta = PdfMeta(title=doc.title, author=AUTHOR, subject=" · ".join(warehouses))
    canvas = new_canvas(buffer, meta, page_size=PAGE_SIZE)
    cells = grid_cells(PAGE_SIZE, doc.columns, doc.rows, LABEL_SHEET_MARGINS)
    sheets = chunked(doc.labels, len(cells))
    if not sheets:
        _draw_empty_sheet(canvas, doc.title)
        canvas.showPage()
    for sheet in sheets:
        for label, cell in zip(sheet, cells):
            _draw_label(canvas, label, cell)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def location_lines(label: BinLabel) -> tuple[str, str]:
    """The bin's place, spelled out in Chinese and in English."""
    side = f" · {label.side} 面" if label.side.strip() else ""
    side_en = f" · Side {label.side}" if label.side.strip() else ""
    return (
        f"通道 {label.aisle} · 区段 {label.block} · 货位 {label.bay}{side}"
        f" · 第 {label.level} 层",
        f"Aisle {label.aisle} · Block {label.block} · Bay {label.bay}{side_en}"
        f" · Level {label.level}",
    )


def barcode_bar_width(code: str, available_width: float) -> float:
    """Module width (points) so the Code128 symbol of ``code`` with its quiet zones fits
    ``available_width``, capped at ``BAR_WIDTH_MAX``."""
    modules = Code128(code, barWidth=1.0, quiet=0, humanReadable=0).width
    return min(BAR_WIDTH_MAX, available_width / (modules + 2 * QUIET_MODULES))


def _draw_label(canvas: Canvas, label: BinLabel, cell: Cell) -> None:
    _draw_cut_guide(canvas, cell)
    left = cell.x + LABEL_PADDING
    width = cell.width - 2 * LABEL_PADDING
    top = cell.y + cell.height - LABEL_PADDING
    bottom = cell.y + LABEL_PADDING
    canvas.saveState()

    # warehouse name, top left
    canvas.setFillColor(MUTED)
    canvas.setFont(FONT_NAME, WAREHOUSE_SIZE)
    y = top - WAREHOUSE_SIZE
    canvas.drawString(
        left, y, truncate_to_width(label.warehouse, FONT_NAME, WAREHOUSE_SIZE, width)
    )

    # bin code, as large as fits
    size = fit_font_size(
        label.code,
        BOLD_FONT_NAME,
        max_size=CODE_MAX_SIZE,
        min_size=CODE_MIN_SIZE,
        width=width,
    )
    y -= size * 0.95 + 1.5
    _draw_heavy_text(canvas, label.code, left, y, size)

    # place in the warehouse, two small lines at the bottom
    detail_zh, detail_en = location_lines(label)
    detail = min(
        fit_font_size(
            t,
            FONT_NAME,
            max_size=DETAIL_MAX_SIZE,
            min_size=DETAIL_MIN_SIZE,
            width=width,
        )
        for t in (detail_zh, detail_en)
    )
    canvas.setFillColor(MUTED)
    canvas.setFont(FONT_NAME, detail)
    canvas.drawString(
        left, bottom, truncate_to_width(detail_en, FONT_NAME, detail, width)
    )
    canvas.drawString(
        left,
        bottom + detail * 1.25,
        truncate_to_width(detail_zh, FONT_NAME, detail, width),
    )

    # bar code between the code and the details
    gap_top = y - 4
    gap_bottom = bottom + detail * 2.25 + 2
    bar_height = min(cell.height * BARCODE_HEIGHT_SHARE, gap_top - gap_bottom)
    _draw_barcode(canvas, label.code, left, width, gap_bottom, gap_top, bar_height)
    canvas.restoreState()


def _draw_barcode(
    canvas: Canvas,
    code: str,
    left: float,
    width: float,
    low: float,
    high: float,
    height: float,
) -> None:
    bar_width = barcode_bar_width(code, width)
    barcode = Code128(
        code,
        barWidth=bar_width,
        barHeight=height,
        quiet=1,
        lquiet=QUIET_MODULES * bar_width,
        rquiet=QUIET_MODULES * bar_width,
        humanReadable=0,  # the code is printed large above; no Helvetica text
    )
    # left-aligned with the text (the quiet zone lies in the label's padding),
    # centred vertically
    x = left - QUIET_MODULES * bar_width
    y = low + (high - low - height) / 2
    canvas.saveState()
    # bars are drawn in the fill colour: full black for scanners
    canvas.setFillColor(colors.black)
    barcode.drawOn(canvas, max(x, left - LABEL_PADDING), y)
    canvas.restoreState()


def _draw_heavy_text(
    canvas: Canvas, text: str, x: float, y: float, size: float
) -> None:
    # Micro Hei has no bold face: fill and stroke the glyphs (text render mode 2) to
    # make the code heavier; it stays real text for pdftotext and search.
    canvas.saveState()
    canvas.setFillColor(INK)
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(size * 0.035)
    text_object = canvas.beginText(x, y)
    text_object.setFont(BOLD_FONT_NAME, size)
    text_object.setTextRenderMode(2)
    text_object.textOut(text)
    canvas.drawText(text_object)
    canvas.restoreState()


def _draw_cut_guide(canvas: Canvas, cell: Cell) -> None:
    # faint dashed outline: a cutting guide on plain paper, barely visible on labels
    canvas.saveState()
    canvas.setStrokeColor(GUIDE)
    canvas.setLineWidth(0.3)
    canvas.setDash(1, 2)
    canvas.rect(cell.x, cell.y, cell.width, cell.height, stroke=1, fill=0)
    canvas.restoreState()


def _draw_empty_sheet(canvas: Canvas, title: str) -> None:
    page_w, page_h = PAGE_SIZE
    canvas.setFont(FONT_NAME, 12)
    canvas.setFillColor(INK)
    canvas.drawString(20 * mm, page_h - 30 * mm, title)
    canvas.setFillColor(MUTED)
    canvas.setFont(FONT_NAME, 9)
    canvas.drawString(
        20 * mm, page_h - 38 * mm, "没有货位标签。 No bin labels to print."
    )
