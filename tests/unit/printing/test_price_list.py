from decimal import Decimal

import pytest

from printing.price_list import render_price_list
from tests.support.pdf import pdf_fonts, pdf_info, pdf_page_count, pdf_text, pdf_words
from tests.unit.printing.samples import price_line, price_list, price_lines


@pytest.fixture(scope="module")
def small_pdf():
    return render_price_list(price_list())


@pytest.fixture(scope="module")
def long_pdf():
    return render_price_list(price_list(price_lines(300)))


def test_renders_a_pdf_document(small_pdf):
    assert small_pdf.startswith(b"%PDF-")
    assert small_pdf.rstrip().endswith(b"%%EOF")


def test_embeds_every_font_and_uses_only_the_vendored_cjk_font(long_pdf):
    fonts = pdf_fonts(long_pdf)

    assert fonts, "pdffonts found no fonts"
    assert all(font["emb"] == "yes" for font in fonts), fonts
    assert all("WenQuanYiMicroHei" in font["name"] for font in fonts), fonts
    assert all(font["uni"] == "yes" for font in fonts), fonts  # text stays extractable


def test_text_layer_has_chinese_names_skus_categories_and_prices(small_pdf):
    text = pdf_text(small_pdf)

    for expected in (
        "杭州康源健康品配送有限公司",
        "2026年12月 批发价格表",
        "东阿阿胶 阿胶糕 500g",
        "Dong-E ejiao cake 500 g",
        "SKU-00001",
        "SKU-00010",
        "中药饮片 Herbal slices",
        "A 级门店价",
        "2026-12-01",
        "1,280.00",
        "39.90",
        "价格含税",
    ):
        assert expected in text, expected


def test_sets_title_and_author_metadata(small_pdf):
    info = pdf_info(small_pdf)

    assert info["Title"] == "2026年12月 批发价格表 Wholesale price list"
    assert info["Author"] == "杭州康源健康品配送有限公司"
    assert info["Page size"].startswith("595.276 x 841.89")  # A4 portrait


def test_page_count_grows_with_the_number_of_lines(small_pdf, long_pdf):
    assert pdf_page_count(small_pdf) == 1
    assert pdf_page_count(long_pdf) > 5


def test_every_page_says_page_x_of_n_and_repeats_the_column_header(long_pdf):
    pages = pdf_text(long_pdf).split("\f")[:-1]
    total = len(pages)

    for number, page in enumerate(pages, start=1):
        assert f"第 {number} / {total} 页 · Page {number} of {total}" in page
        assert "编码 SKU" in page and "单价 Price (CNY)" in page
    assert all("杭州康源健康品配送有限公司 · 2026年12月" in page for page in pages[1:])


def test_prints_every_line_once(long_pdf):
    text = pdf_text(long_pdf)

    assert all(text.count(f"SKU-{i:05d}\n") == 1 for i in range(1, 301))


def test_groups_lines_under_their_category_in_the_callers_order():
    lines = (
        price_line(sku="P-1", category="医疗器械 Devices"),
        price_line(sku="P-2", category="保健食品 Health food"),
        price_line(sku="P-3", category="医疗器械 Devices"),
        price_line(sku="P-4", category=""),
    )

    text = pdf_text(render_price_list(price_list(lines)), layout=True)

    devices, food = text.index("医疗器械 Devices (2)"), text.index(
        "保健食品 Health food (1)"
    )
    uncategorised = text.index("未分类 Uncategorised (1)")
    assert devices < text.index("P-1") < text.index("P-3") < food < text.index("P-2")
    assert food < uncategorised < text.index("P-4")


def test_prices_are_right_aligned_with_two_decimals():
    lines = (
        price_line(sku="P-1", price=Decimal("5")),
        price_line(sku="P-2", price=Decimal("12345.6")),
    )

    words = pdf_words(render_price_list(price_list(lines)))

    small = next(word for word in words if word["text"] == "5.00")
    large = next(word for word in words if word["text"] == "12,345.60")
    header = next(word for word in words if word["text"] == "(CNY)")
    assert small["x_max"] == pytest.approx(large["x_max"], abs=0.5)
    assert small["x_max"] == pytest.approx(header["x_max"], abs=0.5)


def test_prints_markup_characters_in_names_as_written():
    line = price_line(
        name="买一送一 <特价> & 包邮", name_en="Buy 1 get 1 <sale> & free"
    )

    text = pdf_text(render_price_list(price_list((line,))))

    assert "买一送一 <特价> & 包邮" in text and "Buy 1 get 1 <sale> & free" in text


def test_long_names_and_skus_wrap_inside_the_page():
    line = price_line(
        sku="HZ-HEALTH-2026-EXTRA-LONG-SKU-0000000001",
        name="同仁堂 北京同仁堂 六味地黄丸 浓缩丸 水蜜丸 360丸 家庭装 买二送一 限时特惠"
        * 2,
        name_en="Tongrentang Liuwei Dihuang pills, concentrated, family pack " * 3,
    )

    pdf = render_price_list(price_list((line,)))

    assert pdf_page_count(pdf) == 1
    assert "六味地黄丸" in pdf_text(pdf)


def test_an_empty_price_list_prints_one_page_saying_so():
    pdf = render_price_list(price_list(()))

    assert pdf_page_count(pdf) == 1
    assert "This price list has no items." in pdf_text(pdf)


def test_rendering_the_same_document_twice_gives_identical_bytes(small_pdf):
    assert render_price_list(price_list()) == small_pdf
