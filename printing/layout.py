"""Shared layout pieces (版式工具) for every printed document.

Plain helpers (money and page-label formatting, chunking, grouping, label grids,
fitting text) plus the PDF plumbing: metadata, a canvas that knows the page total for
"page x of y", the running header and footer, and ``build_pdf`` which turns a platypus
story into bytes.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple, TypeVar
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from printing.fonts import FONT_NAME, register_fonts
from printing.styles import (
    ACCENT,
    CONTENT_WIDTH,
    FOOTER_BASELINE_FROM_BOTTOM,
    FOOTER_FONT_SIZE,
    HEADER_BASELINE_FROM_TOP,
    HEADER_FONT_SIZE,
    MUTED,
    PAGE_MARGINS,
    PAGE_SIZE,
    RULE,
    Margins,
    TextStyles,
    base_table_commands,
)

__all__ = [
    "CREATOR",
    "facts_table",
    "format_amount",
    "format_money",
    "para",
    "page_label",
    "chunked",
    "group_by_first_seen",
    "Cell",
    "grid_cells",
    "fit_font_size",
    "truncate_to_width",
    "PdfMeta",
    "PageDecor",
    "new_canvas",
    "build_pdf",
]

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

CREATOR = "supplychain printing"
_CENT = Decimal("0.01")


# --- plain formatting helpers -------------------------------------------------------
def format_amount(amount: Decimal) -> str:
    """``Decimal("1234.5")`` → ``"1,234.50"``: two places (half up), thousands
    separators.

    :raise TypeError: for anything but a Decimal (money is never a float).
    :raise ValueError: for NaN or infinity.
    """
    if not isinstance(amount, Decimal):
        raise TypeError(f"money must be a Decimal, not {type(amount).__name__}")
    if not amount.is_finite():
        raise ValueError(f"money must be finite, got {amount}")
    rounded = amount.quantize(_CENT, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0.00"
    return f"{rounded:,.2f}"


def format_money(amount: Decimal, symbol: str = "¥") -> str:
    """``Decimal("-1234.5")`` → ``"-¥1,234.50"`` (the sign goes before the symbol)."""
    text = format_amount(amount)
    if text.startswith("-"):
        return f"-{symbol}{text[1:]}"
    return f"{symbol}{text}"


def para(text: str) -> str:
    """Escape data for a platypus Paragraph (which parses ``<b>``-style markup), keeping
    line breaks: a product called "A&B <new>" prints as written."""
    return escape(text).replace("\n", "<br/>")


def page_label(page: int, total: int) -> str:
    """Bilingual page label: ``page_label(1, 3)`` → ``"第 1 / 3 页 · Page 1 of 3"``."""
    return f"第 {page} / {total} 页 · Page {page} of {total}"


def chunked(items: Sequence[T], size: int) -> list[tuple[T, ...]]:
    """Split ``items`` into consecutive tuples of ``size`` (the last may be shorter)."""
    if size < 1:
        raise ValueError("chunk size must be at least 1")
    return [tuple(items[i : i + size]) for i in range(0, len(items), size)]


def group_by_first_seen(
    items: Iterable[T], key: Callable[[T], K]
) -> list[tuple[K, list[T]]]:
    """Group items by ``key``; groups keep the order of first appearance and items their
    input order (the caller decides the sort; the renderer only groups)."""
    groups: dict[K, list[T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return list(groups.items())


class Cell(NamedTuple):
    """A rectangle in PDF points, origin bottom-left."""

    x: float
    y: float
    width: float
    height: float


def grid_cells(
    page_size: tuple[float, float], columns: int, rows: int, margins: Margins
) -> list[Cell]:
    """Cells of a ``columns`` x ``rows`` label grid in reading order (left to right, top
    to bottom), filling the page inside ``margins``."""
    if columns < 1 or rows < 1:
        raise ValueError("a label grid needs at least one column and one row")
    page_w, page_h = page_size
    width = (page_w - margins.left - margins.right) / columns
    height = (page_h - margins.top - margins.bottom) / rows
    top = page_h - margins.top
    return [
        Cell(margins.left + c * width, top - (r + 1) * height, width, height)
        for r in range(rows)
        for c in range(columns)
    ]


def fit_font_size(
    text: str, font: str, *, max_size: float, min_size: float, width: float
) -> float:
    """The largest size in [min_size, max_size] (0.5 pt steps) at which ``text`` fits
    ``width``; ``min_size`` when even that is too wide (callers then truncate)."""
    natural = stringWidth(text, font, 1.0)
    if natural <= 0:
        return max_size
    size = min(max_size, width / natural)
    size = int(size * 2) / 2  # round down to a half point
    return max(min_size, size)


def truncate_to_width(text: str, font: str, size: float, width: float) -> str:
    """``text`` unchanged if it fits ``width``, else cut and ended with "…"."""
    if stringWidth(text, font, size) <= width:
        return text
    ellipsis = "…"
    while text and stringWidth(text + ellipsis, font, size) > width:
        text = text[:-1]
    return text + ellipsis


# --- PDF plumbing ------------------------------------------------------------------
@dataclass(frozen=True)
class PdfMeta:
    """Document-information fields written into every PDF."""

    title: str
    author: str
    subject: str = ""


@dataclass(frozen=True)
class PageDecor:
    """What every page carries: footer text on the left and "page x of y" on the
    right, and an optional running header shown from page 2 (or from page 1 with
    ``header_on_first``)."""

    footer_left: str = ""
    running_header: str = ""
    header_on_first: bool = False


def _apply_meta(canvas: Canvas, meta: PdfMeta) -> None:
    canvas.setTitle(meta.title)
    canvas.setAuthor(meta.author)
    canvas.setSubject(meta.subject)
    canvas.setCreator(CREATOR)


def new_canvas(
    buffer: io.BytesIO, meta: PdfMeta, *, page_size: tuple[float, float] = PAGE_SIZE
) -> Canvas:
    """A canvas for hand-drawn documents (labels): the CJK font as initial font (so
    no unembedded Helvetica sneaks in), metadata set, deterministic (``invariant``)."""
    font = register_fonts()
    canvas = Canvas(
        buffer,
        pagesize=page_size,
        invariant=1,
        initialFontName=font,
        initialFontSize=9,
        initialLeading=12,
    )
    _apply_meta(canvas, meta)
    return canvas


def _draw_decor(
    canvas: Canvas,
    decor: PageDecor,
    page: int,
    total: int,
    *,
    page_size: tuple[float, float],
    margins: Margins,
) -> None:
    page_w, page_h = page_size
    left, right = margins.left, page_w - margins.right
    canvas.saveState()
    canvas.setFillColor(MUTED)
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.4)
    if decor.running_header and (page > 1 or decor.header_on_first):
        y = page_h - HEADER_BASELINE_FROM_TOP
        canvas.setFont(FONT_NAME, HEADER_FONT_SIZE)
        text = truncate_to_width(
            decor.running_header, FONT_NAME, HEADER_FONT_SIZE, right - left
        )
        canvas.drawString(left, y, text)
        canvas.line(left, y - 2.5, right, y - 2.5)
    y = FOOTER_BASELINE_FROM_BOTTOM
    rule_y = y + FOOTER_FONT_SIZE + 1.5
    canvas.line(left, rule_y, right, rule_y)
    canvas.setFont(FONT_NAME, FOOTER_FONT_SIZE)
    label = page_label(page, total)
    canvas.drawRightString(right, y, label)
    room = right - left - stringWidth(label, FONT_NAME, FOOTER_FONT_SIZE) - 12
    if decor.footer_left and room > 0:
        footer = truncate_to_width(decor.footer_left, FONT_NAME, FOOTER_FONT_SIZE, room)
        canvas.drawString(left, y, footer)
    canvas.restoreState()


def _paged_canvas_class(
    decor: PageDecor, page_size: tuple[float, float], margins: Margins
) -> type[Canvas]:
    """A Canvas that holds back every page until ``save`` so the footer can say "of N"
    (the usual ReportLab recipe; one build pass instead of two)."""

    class PagedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held_pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (ReportLab API name)
            self._held_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._held_pages)
            for number, state in enumerate(self._held_pages, start=1):
                self.__dict__.update(state)
                _draw_decor(
                    self, decor, number, total, page_size=page_size, margins=margins
                )
                super().showPage()
            super().save()

    return PagedCanvas


def build_pdf(
    story: list[Flowable],
    *,
    meta: PdfMeta,
    decor: PageDecor,
    page_size: tuple[float, float] = PAGE_SIZE,
    margins: Margins = PAGE_MARGINS,
) -> bytes:
    """Lay out a platypus ``story`` on pages with header/footer; return the PDF bytes.

    Output is deterministic for the same input (``invariant``: fixed creation date
    and document ids).
    """
    font = register_fonts()
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=page_size,
        leftMargin=margins.left,
        rightMargin=margins.right,
        topMargin=margins.top,
        bottomMargin=margins.bottom,
        title=meta.title,
        author=meta.author,
        subject=meta.subject,
        creator=CREATOR,
        invariant=1,
        initialFontName=font,
        initialFontSize=9,
        initialLeading=12,
    )
    template.build(story, canvasmaker=_paged_canvas_class(decor, page_size, margins))
    return buffer.getvalue()


def facts_table(
    facts: Sequence[tuple[str, str]],
    styles: TextStyles,
    *,
    label_share: float = 0.8,
    valign: str = "MIDDLE",
    padding: float = 1,
) -> Table:
    """A document's header facts, two per row (label, value, label, value), full width
    with an accent rule below. ``label_share`` is a label column's width as a share of
    a quarter of the page."""
    cells = [
        [Paragraph(para(label), styles.muted), Paragraph(para(value), styles.normal)]
        for label, value in facts
    ]
    if len(cells) % 2:
        cells.append(["", ""])
    rows = [cells[i] + cells[i + 1] for i in range(0, len(cells), 2)]
    quarter = CONTENT_WIDTH / 4
    label, value = quarter * label_share, quarter * (2 - label_share)
    table = Table(rows, colWidths=(label, value, label, value), hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                *base_table_commands(),
                ("VALIGN", (0, 0), (-1, -1), valign),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), padding),
                ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
                ("LINEBELOW", (0, -1), (-1, -1), 0.8, ACCENT),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 5),
            ]
        )
    )
    return table


def totals_table(
    line_count: int, total_qty: int, currency: str, total: Decimal, styles: TextStyles
) -> Table:
    """The closing row of a document with lines: "共 N 行 · Q 件" on the left, the
    total (``currency`` and amount, larger) on the right above a rule."""
    count = f"共 {line_count} 行 · {total_qty:,} 件 "
    count += f"{line_count} lines · {total_qty:,} units"
    big = ParagraphStyle(
        "total", parent=styles.table_cell_right, fontSize=12, leading=15
    )
    rows = [
        [
            Paragraph(para(count), styles.muted),
            Paragraph("合计 Total", styles.table_header_right),
            Paragraph(f"{para(currency)} {format_amount(total)}", big),
        ]
    ]
    half = CONTENT_WIDTH / 2
    table = Table(rows, colWidths=(half, half * 0.5, half * 0.5), hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                *base_table_commands(),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEABOVE", (1, 0), (-1, 0), 0.8, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table
