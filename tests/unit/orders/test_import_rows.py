"""订单导入 the pure parts of the order import: header names and dates."""

import datetime as dt

import pytest

from supplychain.catalog.values import ParseError
from supplychain.orders.imports import map_columns, parse_date


def test_english_and_chinese_headers_map_to_the_fields():
    mapping, problems = map_columns(
        ["商户编码", "SKU", "数量", "送货日期", "备注", "Order Ref"], True
    )

    assert problems == []
    assert mapping == {
        "merchant": "商户编码", "sku": "SKU", "qty": "数量",
        "delivery_date": "送货日期", "note": "备注", "order_ref": "Order Ref",
    }  # fmt: skip


def test_unknown_columns_are_ignored_so_a_leaders_sheet_can_keep_its_consumers():
    mapping, problems = map_columns(["sku", "qty", "消费者", "电话"], False)

    assert problems == []
    assert set(mapping) == {"sku", "qty"}


def test_staff_files_need_the_merchant_column_and_merchant_files_do_not():
    _, for_staff = map_columns(["sku", "qty"], True)
    _, for_merchant = map_columns(["sku", "qty"], False)

    assert for_staff == [
        {"row": 1, "column": "merchant", "message": "Missing column 'merchant'."}
    ]
    assert for_merchant == []


def test_a_field_given_twice_under_two_names_is_a_header_problem():
    _, problems = map_columns(["sku", "商品编码", "qty"], False)

    assert problems == [
        {"row": 1, "column": "商品编码", "message": "Column 'sku' appears twice."}
    ]


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-24",
        "2026/11/24",
        "2026.11.24",
        "20261124",
        "2026-11-24 00:00:00",
        "2026-11-24T00:00:00",
    ],
)
def test_dates_are_read_as_spreadsheets_write_them(text):
    assert parse_date(text) == dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    "text", ["24/11/2026", "tomorrow", "2026-02-30", "2026-11-24 08:00"]
)
def test_other_date_texts_are_refused_with_the_text(text):
    with pytest.raises(ParseError) as refused:
        parse_date(text)

    assert text in str(refused.value)
