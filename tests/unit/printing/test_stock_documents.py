import datetime as dt
from decimal import Decimal

import pytest

from printing.stock_documents import (
    TITLES,
    StockDocumentDoc,
    StockDocumentLineDoc,
    render_stock_document,
)
from tests.support.pdf import pdf_fonts, pdf_info, pdf_page_count, pdf_text


def line(line_no=1, qty=12, value="30.00", **changes):
    values = dict(
        line_no=line_no,
        sku=f"HF-{line_no:04d}",
        name="东阿阿胶 阿胶糕 500g",
        unit="盒",
        qty=qty,
        value=Decimal(value) if isinstance(value, str) else value,
        lot="B20261101",
        expiry_date=dt.date(2028, 10, 31),
        from_place="供应商 Supplier",
        to_place="MAIN/A03-1-07-L2",
    )
    return StockDocumentLineDoc(**(values | changes))


def document(lines=(line(),), kind="receipt", **changes):
    lines = tuple(lines)
    values = dict(
        company="杭州康源健康品配送有限公司",
        kind=kind,
        number="RC-20261124-0007",
        status="已过账 Posted",
        facts=(
            ("仓库 Warehouse", "MAIN 主仓"),
            ("供应商 Supplier", "S001 杭州同仁堂批发部"),
            ("制单人 Posted by", "仓管 小王"),
        ),
        lines=lines,
        total_value=sum((ln.value for ln in lines), Decimal("0")),
        generated_at="2026-11-24 09:30",
        note="第二托盘外箱破损，已拍照",
    )
    return StockDocumentDoc(**(values | changes))


def test_a_receipt_prints_its_chinese_title_lines_and_total():
    pdf = render_stock_document(
        document(
            [
                line(1, 12, "30.00"),
                line(
                    2, 3, "105.60", name="同仁堂 枸杞子 250g", lot="", expiry_date=None
                ),
            ]
        )
    )

    text = pdf_text(pdf)
    assert pdf.startswith(b"%PDF")
    assert "入库单 Goods receipt" in text
    assert "RC-20261124-0007" in text and "杭州同仁堂批发部" in text
    assert "东阿阿胶" in text and "枸杞子" in text
    assert "B20261101" in text and "2028-10-31" in text
    assert "135.60" in text  # the total
    assert "第二托盘外箱破损" in text
    assert "制单 Prepared by" in text
    assert pdf_info(pdf)["Page size"].startswith("595.276 x 841.89")  # A4


def test_every_font_is_embedded():
    fonts = pdf_fonts(render_stock_document(document()))

    assert fonts and all(font["emb"] == "yes" for font in fonts)


@pytest.mark.parametrize("kind", sorted(TITLES))
def test_each_kind_has_its_chinese_title(kind):
    text = pdf_text(render_stock_document(document(kind=kind)))

    assert TITLES[kind] in text


def test_a_write_off_prints_a_negative_quantity_and_value():
    pdf = render_stock_document(
        document([line(qty=-3, value="-7.50")], kind="adjustment")
    )

    text = pdf_text(pdf)
    assert "-3" in text and "-7.50" in text


def test_a_transfer_line_shows_what_was_received():
    pdf = render_stock_document(
        document([line(qty=4, received_qty=3)], kind="transfer", number="TR-1")
    )

    assert "已收 3" in pdf_text(pdf)


def test_a_long_document_runs_over_pages_repeating_the_header():
    many = [line(i, 1, "1.00") for i in range(1, 121)]

    pdf = render_stock_document(document(many))

    pages = [page for page in pdf_text(pdf).split("\f") if "HF-" in page]
    assert len(pages) > 1 and pdf_page_count(pdf) >= len(pages)
    assert all("编码 SKU" in page for page in pages)


def test_the_total_must_be_the_sum_of_the_lines():
    with pytest.raises(ValueError):
        document([line(value="1.00")], total_value=Decimal("2.00"))


@pytest.mark.parametrize(
    "changes, error",
    [
        ({"value": 1.5}, TypeError),
        ({"qty": 0}, ValueError),
        ({"qty": 2.0}, TypeError),
        ({"sku": ""}, ValueError),
    ],
)
def test_a_line_refuses_what_it_could_not_print_faithfully(changes, error):
    with pytest.raises(error):
        line(**changes)


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        document(kind="gift")
