"""Printing styles (打印样式): page geometry, colours, paragraph and table styles.

All layout constants live here so renderers do not scatter page geometry. Every style
uses the embedded CJK font; paragraphs that may hold Chinese wrap with
``wordWrap="CJK"``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import TableStyle

from printing.fonts import BOLD_FONT_NAME, FONT_NAME, register_fonts

__all__ = [
    "PAGE_SIZE",
    "Margins",
    "PAGE_MARGINS",
    "CONTENT_WIDTH",
    "HEADER_FONT_SIZE",
    "FOOTER_FONT_SIZE",
    "HEADER_BASELINE_FROM_TOP",
    "FOOTER_BASELINE_FROM_BOTTOM",
    "LABEL_SHEET_MARGINS",
    "LABEL_PADDING",
    "INK",
    "MUTED",
    "RULE",
    "ACCENT",
    "HEADER_BG",
    "BAND_BG",
    "BAND_INK",
    "GUIDE",
    "ZEBRA_BG",
    "TextStyles",
    "text_styles",
    "base_table_commands",
    "table_style",
    "band_row_commands",
]

# --- page geometry (points; A4 portrait by default, contracts.md §4) ----------------
PAGE_SIZE: tuple[float, float] = A4


@dataclass(frozen=True)
class Margins:
    top: float
    right: float
    bottom: float
    left: float


# top/bottom leave room for the running header and the "page x of y" footer
PAGE_MARGINS = Margins(top=18 * mm, right=15 * mm, bottom=17 * mm, left=15 * mm)
CONTENT_WIDTH: float = PAGE_SIZE[0] - PAGE_MARGINS.left - PAGE_MARGINS.right
HEADER_FONT_SIZE = 7.5
FOOTER_FONT_SIZE = 7.5
HEADER_BASELINE_FROM_TOP = 10 * mm
FOOTER_BASELINE_FROM_BOTTOM = 9 * mm

# Label sheets: the common A4 "3 x 8, 70 x 36 mm" stock has no side margins and 4.5 mm
# at top and bottom. Content keeps LABEL_PADDING away from every cut so printers that
# cannot reach the paper edge still print it whole.
LABEL_SHEET_MARGINS = Margins(top=4.5 * mm, right=0, bottom=4.5 * mm, left=0)
LABEL_PADDING = 4 * mm

# --- colours ----------------------------------------------------------------------
INK = colors.HexColor("#1A1A1A")
MUTED = colors.HexColor("#5F6368")
RULE = colors.HexColor("#B0B4B8")
ACCENT = colors.HexColor("#1F4E79")
HEADER_BG = colors.HexColor("#DCE6F0")
BAND_BG = colors.HexColor("#1F4E79")
BAND_INK = colors.white
ZEBRA_BG = colors.HexColor("#F4F6F8")
GUIDE = colors.HexColor("#D0D0D0")


# --- paragraph styles -------------------------------------------------------------
@dataclass(frozen=True)
class TextStyles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    normal: ParagraphStyle
    small: ParagraphStyle
    muted: ParagraphStyle
    latin_small: ParagraphStyle  # English-only text: wraps at spaces, never mid-word
    table_header: ParagraphStyle
    table_header_right: ParagraphStyle
    table_cell: ParagraphStyle
    table_cell_right: ParagraphStyle
    band: ParagraphStyle


@functools.cache
def text_styles() -> TextStyles:
    """The paragraph styles every document shares (registers the font on first use)."""
    register_fonts()
    base = ParagraphStyle(
        "normal",
        fontName=FONT_NAME,
        fontSize=9,
        leading=12,
        textColor=INK,
        alignment=TA_LEFT,
        wordWrap="CJK",
    )

    def derive(name: str, **kw: object) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kw)

    cell = derive("table_cell", fontSize=8.5, leading=11)
    header = derive(
        "table_header",
        fontName=BOLD_FONT_NAME,
        fontSize=8,
        leading=10,
        textColor=ACCENT,
    )
    return TextStyles(
        title=derive("title", fontName=BOLD_FONT_NAME, fontSize=17, leading=22),
        subtitle=derive("subtitle", fontSize=11, leading=15, textColor=ACCENT),
        normal=base,
        small=derive("small", fontSize=7.5, leading=10),
        muted=derive("muted", fontSize=7.5, leading=10, textColor=MUTED),
        latin_small=derive(
            "latin_small", fontSize=7, leading=9, textColor=MUTED, wordWrap=None
        ),
        table_header=header,
        table_header_right=ParagraphStyle(
            "table_header_right", parent=header, alignment=TA_RIGHT
        ),
        table_cell=cell,
        table_cell_right=ParagraphStyle(
            "table_cell_right", parent=cell, alignment=TA_RIGHT
        ),
        band=derive("band", fontSize=9.5, leading=12, textColor=BAND_INK),
    )


# --- table styles -----------------------------------------------------------------
def base_table_commands() -> list[tuple]:
    """Commands every Table needs: without FONTNAME, ReportLab sets Helvetica (not
    embedded) on the canvas for each cell, even when every cell is a Paragraph."""
    register_fonts()
    return [
        ("FONTNAME", (0, 0), (-1, -1), FONT_NAME),
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
    ]


def table_style(
    *,
    header_row: int = 0,
    first_body_row: int = 1,
    right_columns: Iterable[int] = (),
    zebra: bool = True,
) -> TableStyle:
    """Grid style shared by document tables: tinted header row, hairlines, zebra.

    ``header_row`` is the column-header row; body rows start at ``first_body_row``.
    ``right_columns`` are right-aligned (numbers, money).
    """
    cmds: list[tuple] = [
        *base_table_commands(),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
        ("BACKGROUND", (0, header_row), (-1, header_row), HEADER_BG),
        ("LINEBELOW", (0, header_row), (-1, header_row), 0.8, ACCENT),
        ("LINEBELOW", (0, first_body_row), (-1, -1), 0.25, RULE),
    ]
    if zebra:
        cmds.append(
            ("ROWBACKGROUNDS", (0, first_body_row), (-1, -1), [colors.white, ZEBRA_BG])
        )
    for col in right_columns:
        cmds.append(("ALIGN", (col, 0), (col, -1), "RIGHT"))
    return TableStyle(cmds)


def band_row_commands(row: int) -> list[tuple]:
    """Commands that turn ``row`` into a full-width section band (a category name)."""
    return [
        ("SPAN", (0, row), (-1, row)),
        ("BACKGROUND", (0, row), (-1, row), BAND_BG),
        ("TOPPADDING", (0, row), (-1, row), 3),
        ("BOTTOMPADDING", (0, row), (-1, row), 4),
    ]
