from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth

from printing.fonts import FONT_NAME, register_fonts
from printing.layout import (
    chunked,
    fit_font_size,
    format_amount,
    format_money,
    grid_cells,
    group_by_first_seen,
    page_label,
    para,
    truncate_to_width,
)
from printing.styles import Margins


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("1234.5", "¥1,234.50"),
        ("0", "¥0.00"),
        ("12.345", "¥12.35"),  # half up, not banker's rounding
        ("12.344", "¥12.34"),
        ("1234567.891", "¥1,234,567.89"),
        ("-1234.5", "-¥1,234.50"),
        ("-0.001", "¥0.00"),  # never "-¥0.00"
        ("7", "¥7.00"),
    ],
)
def test_formats_money_with_symbol_thousands_separator_and_two_places(amount, expected):
    assert format_money(Decimal(amount)) == expected


def test_formats_money_with_another_symbol_and_a_bare_amount():
    assert format_money(Decimal("5"), symbol="HK$") == "HK$5.00"
    assert format_amount(Decimal("-98765.4")) == "-98,765.40"


@pytest.mark.parametrize("bad", [12.5, 12, "12.50", None])
def test_refuses_money_that_is_not_a_decimal(bad):
    with pytest.raises(TypeError):
        format_money(bad)


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-Infinity"])
def test_refuses_money_that_is_not_finite(bad):
    with pytest.raises(ValueError):
        format_amount(Decimal(bad))


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=4))
def test_formatted_amount_reads_back_as_the_amount_rounded_half_up_to_cents(amount):
    text = format_amount(amount)

    assert Decimal(text.replace(",", "")) == amount.quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    assert text.split(".")[1].isdigit() and len(text.split(".")[1]) == 2


def test_page_label_is_bilingual():
    assert page_label(1, 3) == "第 1 / 3 页 · Page 1 of 3"


def test_chunks_keep_order_and_leave_a_short_last_chunk():
    assert chunked([1, 2, 3, 4, 5], 2) == [(1, 2), (3, 4), (5,)]
    assert chunked(list(range(48)), 24) == [tuple(range(24)), tuple(range(24, 48))]
    assert chunked([], 24) == []


def test_refuses_a_chunk_size_below_one():
    with pytest.raises(ValueError):
        chunked([1], 0)


def test_groups_by_first_appearance_and_keeps_item_order_within_a_group():
    items = [("药", 1), ("食", 2), ("药", 3), ("器", 4), ("食", 5)]

    groups = group_by_first_seen(items, key=lambda item: item[0])

    assert groups == [
        ("药", [("药", 1), ("药", 3)]),
        ("食", [("食", 2), ("食", 5)]),
        ("器", [("器", 4)]),
    ]


def test_grid_cells_fill_the_sheet_in_reading_order_without_overlap():
    margins = Margins(top=10, right=5, bottom=10, left=5)

    cells = grid_cells(A4, 3, 8, margins)

    assert len(cells) == 24
    first, second, fourth, last = cells[0], cells[1], cells[3], cells[-1]
    assert first.x == 5 and first.y + first.height == pytest.approx(A4[1] - 10)
    assert second.x == pytest.approx(first.x + first.width) and second.y == first.y
    assert fourth.x == first.x and fourth.y == pytest.approx(first.y - first.height)
    assert last.x + last.width == pytest.approx(A4[0] - 5)
    assert last.y == pytest.approx(10)
    assert first.width == pytest.approx((A4[0] - 10) / 3)


def test_refuses_an_empty_label_grid():
    with pytest.raises(ValueError):
        grid_cells(A4, 0, 8, Margins(0, 0, 0, 0))


def test_fits_text_to_a_width_between_the_size_limits():
    register_fonts()
    text = "A01-0-01-L1"

    size = fit_font_size(text, FONT_NAME, max_size=60, min_size=6, width=100)

    assert stringWidth(text, FONT_NAME, size) <= 100
    assert stringWidth(text, FONT_NAME, size + 0.5) > 100
    assert fit_font_size(text, FONT_NAME, max_size=10, min_size=6, width=1000) == 10
    assert fit_font_size(text, FONT_NAME, max_size=10, min_size=6, width=1) == 6


def test_truncates_text_that_does_not_fit_with_an_ellipsis():
    register_fonts()
    long_name = "杭州余杭中心仓冷链保健品专用库区" * 3

    cut = truncate_to_width(long_name, FONT_NAME, 8, 100)

    assert cut.endswith("…") and long_name.startswith(cut[:-1])
    assert stringWidth(cut, FONT_NAME, 8) <= 100
    assert truncate_to_width("短名", FONT_NAME, 8, 100) == "短名"


def test_escapes_paragraph_markup_in_data():
    assert para("A&B <特价>\n第二行") == "A&amp;B &lt;特价&gt;<br/>第二行"
