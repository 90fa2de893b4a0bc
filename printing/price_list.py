"""Price list PDF (价格表): products grouped by category at one price grade's prices.

Each category is a table whose band and column header repeat on every page it spans;
prices are right-aligned with two decimals; every page says "第 x / n 页 · Page x of n".
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table

from printing.documents import PriceListDoc, PriceListLine
from printing.layout import (
    PageDecor,
    PdfMeta,
    build_pdf,
    facts_table,
    format_amount,
    group_by_first_seen,
    para,
)
from printing.styles import (
    CONTENT_WIDTH,
    TextStyles,
    band_row_commands,
    table_style,
    text_styles,
)

__all__ = ["render_price_list"]

UNCATEGORISED = "未分类 Uncategorised"
EMPTY_TEXT = "本价格表没有商品。 This price list has no items."
# SKU, name (Chinese + English), unit, case pack, price; the name column takes the rest
_FIXED = (30 * mm, 16 * mm, 16 * mm, 26 * mm)
COLUMN_WIDTHS = (
    _FIXED[0],
    CONTENT_WIDTH - sum(_FIXED),
    _FIXED[1],
    _FIXED[2],
    _FIXED[3],
)


def render_price_list(doc: PriceListDoc) -> bytes:
    """Render ``doc`` as an A4 PDF and return its bytes."""
    styles = text_styles()
    story: list[Flowable] = _title_block(doc, styles)
    if not doc.lines:
        story.append(Paragraph(EMPTY_TEXT, styles.normal))
    groups = group_by_first_seen(doc.lines, key=lambda line: line.category.strip())
    for category, lines in groups:
        story.append(_category_table(category or UNCATEGORISED, lines, doc, styles))
        story.append(Spacer(1, 5 * mm))
    meta = PdfMeta(
        title=doc.title,
        author=doc.company,
        subject=f"{doc.grade_name} · {doc.valid_from.isoformat()} · {doc.currency}",
    )
    decor = PageDecor(
        footer_left=f"{doc.company} · {doc.title} · 生成 Generated {doc.generated_at}",
        running_header=f"{doc.company} · {doc.title} · {doc.grade_name}",
    )
    return build_pdf(story, meta=meta, decor=decor)


def _title_block(doc: PriceListDoc, styles: TextStyles) -> list[Flowable]:
    facts = [
        ("价格等级 Price grade", doc.grade_name),
        ("生效日期 Valid from", doc.valid_from.isoformat()),
        ("币种 Currency", doc.currency),
        ("商品数 Items", str(len(doc.lines))),
    ]
    block: list[Flowable] = [
        Paragraph(para(doc.company), styles.subtitle),
        Paragraph(para(doc.title), styles.title),
        Spacer(1, 2 * mm),
        facts_table(facts, styles),
        Spacer(1, 2 * mm),
    ]
    if doc.note.strip():
        block.append(Paragraph(para(doc.note), styles.small))
    block.append(Spacer(1, 4 * mm))
    return block


def _category_table(
    category: str, lines: list[PriceListLine], doc: PriceListDoc, styles: TextStyles
) -> Table:
    count = f"<font size=7.5>({len(lines)})</font>"
    band = Paragraph(f"{para(category)}　{count}", styles.band)
    header = [
        Paragraph("编码 SKU", styles.table_header),
        Paragraph("品名 Name", styles.table_header),
        Paragraph("单位 Unit", styles.table_header),
        Paragraph("箱规 Case", styles.table_header_right),
        Paragraph(f"单价 Price ({para(doc.currency)})", styles.table_header_right),
    ]
    rows: list[list] = [[band, "", "", "", ""], header]
    rows.extend(_line_row(line, styles) for line in lines)
    table = Table(rows, colWidths=COLUMN_WIDTHS, repeatRows=2, hAlign="LEFT")
    style = table_style(header_row=1, first_body_row=2, right_columns=(3, 4))
    for command in band_row_commands(0):
        style.add(*command)
    table.setStyle(style)
    return table


def _line_row(line: PriceListLine, styles: TextStyles) -> list:
    name: list[Flowable] = [Paragraph(para(line.name), styles.table_cell)]
    if line.name_en.strip():
        name.append(Paragraph(para(line.name_en), styles.latin_small))
    return [
        Paragraph(para(line.sku), styles.table_cell),
        name,
        Paragraph(para(line.unit), styles.table_cell),
        Paragraph(str(line.case_qty), styles.table_cell_right),
        Paragraph(format_amount(line.price), styles.table_cell_right),
    ]
