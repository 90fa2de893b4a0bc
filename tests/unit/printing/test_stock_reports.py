"""The 进销存 report PDF: A4 landscape, Chinese names in the text layer, the embedded
font, totals checked against the lines, many pages with the header repeated."""

from decimal import Decimal

import pytest

from printing.stock_reports import (
    FIGURE_COLUMNS,
    MovementFigure,
    MovementLine,
    MovementReportDoc,
    render_movement_report,
)
from tests.support.pdf import pdf_fonts, pdf_info, pdf_page_count, pdf_text

NAMES = ("东阿阿胶 阿胶糕 500g", "艾灸贴 10 贴装", "同仁堂 枸杞子 250g <特级> & 礼盒")


def figures(base):
    quantities = (base, 50, 3, 0, 30, 7, 20, -4, base - 8)
    return tuple(MovementFigure(q, Decimal(q) * Decimal("2.35")) for q in quantities)


def line(n):
    return MovementLine(f"HF-{n:04d}", NAMES[n % 3], "盒", figures(100 + n))


def totals(lines):
    return tuple(
        MovementFigure(
            sum(item.figures[c].qty for item in lines),
            sum((item.figures[c].value for item in lines), Decimal(0)),
        )
        for c in range(len(FIGURE_COLUMNS))
    )


def doc(count=3, **overrides):
    lines = tuple(line(n) for n in range(count))
    values = dict(
        company="配送中心 Distribution centre",
        period="2026-10-01 – 2026-10-31",
        warehouse="MAIN 主仓",
        generated_at="2026-11-23 18:00",
        lines=lines,
        totals=totals(lines),
    )
    return MovementReportDoc(**(values | overrides))


def test_the_report_shows_chinese_names_period_and_totals():
    pdf = render_movement_report(doc())

    text = pdf_text(pdf)
    assert "进销存报表" in text and "东阿阿胶 阿胶糕 500g" in text
    # markup characters print as text (the long name wraps inside its column)
    assert "同仁堂 枸杞子 250g <特级> & 礼盒" in text.replace("\n", "")
    assert "2026-10-01 – 2026-10-31" in text and "MAIN 主仓" in text
    assert "合计 Total (3)" in text and "303" in text  # opening 100 + 101 + 102
    fonts = pdf_fonts(pdf)
    assert fonts and all(font["emb"] == "yes" for font in fonts), fonts


def test_the_page_is_a4_landscape_and_long_reports_repeat_the_header():
    pdf = render_movement_report(doc(count=80))

    assert pdf_info(pdf)["Page size"].startswith("841.89 x 595.276")
    assert pdf_page_count(pdf) > 1
    pages = pdf_text(pdf).split("\f")
    assert all("Receipts" in page for page in pages if page.strip())


def test_an_empty_period_says_so():
    text = pdf_text(render_movement_report(doc(count=0)))
    assert "No stock and no movement in this period." in text


def test_totals_that_do_not_add_up_are_refused():
    good = doc()
    wrong = list(good.totals)
    wrong[1] = MovementFigure(wrong[1].qty + 1, wrong[1].value)
    with pytest.raises(ValueError, match="Receipts"):
        doc(totals=tuple(wrong))


@pytest.mark.parametrize(
    "figure",
    [(1.5, Decimal(1)), (1, 1.0), (True, Decimal(1)), (1, Decimal("NaN"))],
)
def test_figures_must_be_integers_and_exact_decimals(figure):
    with pytest.raises((TypeError, ValueError)):
        MovementFigure(*figure)


def test_a_line_needs_nine_figures_and_a_sku():
    with pytest.raises(ValueError):
        MovementLine("HF-1", "阿胶", "盒", figures(1)[:8])
    with pytest.raises(ValueError):
        MovementLine(" ", "阿胶", "盒", figures(1))
