import datetime as dt
from decimal import Decimal

import pytest

from printing.orders import (
    ConfirmationLine,
    OrderConfirmationDoc,
    render_order_confirmation,
)
from tests.support.pdf import pdf_fonts, pdf_info, pdf_page_count, pdf_text

PRODUCTS = [
    ("HF-0001", "东阿阿胶 阿胶糕 500g", "Dong-E ejiao cake 500 g", "盒", "168.00"),
    ("HF-0002", "艾灸贴 10 贴装", "Moxibustion patches, pack of 10", "盒", "19.90"),
    ("HF-0003", "同仁堂 枸杞子 250g", "", "袋", "39.90"),
]


def line(sku="HF-0001", name="东阿阿胶 阿胶糕 500g", name_en="", unit="盒", qty=2,
         price="168.00"):  # fmt: skip
    unit_price = Decimal(price)
    return ConfirmationLine(sku, name, name_en, unit, qty, unit_price, unit_price * qty)


def lines(count):
    return tuple(
        line(sku=f"{sku}-{i:03d}", name=name, name_en=en, unit=unit, qty=i % 7 + 1,
             price=price)  # fmt: skip
        for i in range(count)
        for sku, name, en, unit, price in [PRODUCTS[i % len(PRODUCTS)]]
    )


SAMPLE = (
    line(
        "HF-0001", "东阿阿胶 阿胶糕 500g", "Dong-E ejiao cake 500 g", "盒", 2, "168.00"
    ),
    line(
        "HF-0002", "艾灸贴 10 贴装", "Moxibustion patches, pack of 10", "盒", 3, "19.90"
    ),
    line("HF-0003", "同仁堂 枸杞子 250g", "", "袋", 1, "39.90"),
)


def confirmation(order_lines=SAMPLE, **changes):
    order_lines = tuple(order_lines)
    values = dict(
        company="杭州康源健康品配送有限公司",
        number="SO-20261124-0042",
        status="已下单 Placed",
        merchant_code="HZ0042",
        merchant_name="西湖区文三路健康小店",
        address="杭州市西湖区文三路 1 号",
        contact="王店长 13800000000",
        delivery_date=dt.date(2026, 11, 24),
        delivery_window="07:00–10:00",
        placed_at="2026-11-23 18:05",
        cutoff_at="2026-11-23 22:00",
        lines=order_lines,
        total_amount=sum((x.line_amount for x in order_lines), Decimal("0.00")),
        generated_at="2026-11-23 18:06",
        note="请放在后门",
    )
    return OrderConfirmationDoc(**(values | changes))


@pytest.fixture(scope="module")
def small_pdf():
    return render_order_confirmation(confirmation())


@pytest.fixture(scope="module")
def long_pdf():
    return render_order_confirmation(confirmation(lines(120)))


def test_renders_an_a4_pdf_with_title_and_author(small_pdf):
    info = pdf_info(small_pdf)

    assert small_pdf.startswith(b"%PDF-")
    assert info["Title"] == "订单确认单 Order confirmation SO-20261124-0042"
    assert info["Author"] == "杭州康源健康品配送有限公司"
    assert info["Page size"].startswith("595.276 x 841.89")


def test_embeds_only_the_vendored_cjk_font(long_pdf):
    fonts = pdf_fonts(long_pdf)

    assert fonts
    assert all(font["emb"] == "yes" for font in fonts), fonts
    assert all("WenQuanYiMicroHei" in font["name"] for font in fonts), fonts


def test_text_layer_has_merchant_order_lines_and_total(small_pdf):
    text = pdf_text(small_pdf)

    for expected in (
        "杭州康源健康品配送有限公司",
        "SO-20261124-0042",
        "HZ0042 西湖区文三路健康小店",
        "杭州市西湖区文三路 1 号",
        "2026-11-24",
        "07:00–10:00",
        "2026-11-23 18:05",
        "东阿阿胶 阿胶糕 500g",
        "Moxibustion patches, pack of 10",
        "同仁堂 枸杞子 250g",
        "已下单 Placed",
        "请放在后门",
        "336.00",  # 2 × 168.00
        "59.70",  # 3 × 19.90
        "合计 Total",
        "CNY 435.60",  # 336.00 + 59.70 + 39.90
    ):
        assert expected in text, expected


def test_a_long_order_spans_pages_repeating_the_header_and_printing_each_line_once(
    long_pdf,
):
    pages = pdf_text(long_pdf).split("\f")[:-1]
    text = "\f".join(pages)

    assert pdf_page_count(long_pdf) == len(pages) > 2
    for number, page in enumerate(pages, start=1):
        assert f"第 {number} / {len(pages)} 页 · Page {number} of {len(pages)}" in page
        assert "编码 SKU" in page
    assert all(text.count(f"-{i:03d}\n") == 1 for i in range(120))
    assert "合计 Total" in pages[-1] and "合计 Total" not in pages[0]


def test_an_order_without_lines_still_prints():
    pdf = render_order_confirmation(
        confirmation([], status="已取消 Cancelled", total_amount=Decimal("0.00"))
    )

    text = pdf_text(pdf)
    assert "This order has no lines." in text and "已取消 Cancelled" in text


def test_data_that_looks_like_markup_prints_as_written():
    pdf = render_order_confirmation(
        confirmation([line(name="A&B <b>礼盒</b>")], note="<i>不要</i> & 谢谢")
    )

    text = pdf_text(pdf)
    assert "A&B <b>礼盒</b>" in text and "<i>不要</i> & 谢谢" in text


def test_a_total_that_is_not_the_sum_of_the_lines_is_refused():
    with pytest.raises(ValueError, match="sum of the line amounts"):
        confirmation(total_amount=Decimal("1.00"))


@pytest.mark.parametrize(
    "changes, error",
    [
        ({"unit_price": 19.9}, TypeError),
        ({"qty": 0}, ValueError),
        ({"qty": 1.5}, TypeError),
        ({"sku": ""}, ValueError),
        ({"line_amount": Decimal("NaN")}, ValueError),
    ],
)
def test_a_line_refuses_values_a_renderer_could_not_print_faithfully(changes, error):
    values = dict(sku="HF-1", name="枸杞", name_en="", unit="袋", qty=1,
                  unit_price=Decimal("1.00"), line_amount=Decimal("1.00"))  # fmt: skip

    with pytest.raises(error):
        ConfirmationLine(**(values | changes))
