import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from printing.documents import BinLabelDoc, PriceListDoc
from tests.unit.printing.samples import bin_label, bin_labels, price_line, price_list


def test_documents_are_frozen_and_store_sequences_as_tuples():
    doc = price_list(lines=list(price_list().lines))

    assert isinstance(doc.lines, tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.title = "changed"
    assert isinstance(BinLabelDoc("标签", list(bin_labels(2))).labels, tuple)


@pytest.mark.parametrize("price", [12.5, 12, "12.50"])
def test_price_line_refuses_a_price_that_is_not_a_decimal(price):
    with pytest.raises(TypeError):
        price_line(price=price)


def test_price_line_refuses_non_finite_price_and_empty_case_pack():
    with pytest.raises(ValueError):
        price_line(price=Decimal("NaN"))
    with pytest.raises(ValueError):
        price_line(case_qty=0)
    with pytest.raises(TypeError):
        price_line(case_qty=True)


def test_price_line_needs_a_sku_and_name_but_not_an_english_name_or_category():
    line = price_line(name_en="", category="")

    assert line.name_en == "" and line.category == ""
    with pytest.raises(ValueError):
        price_line(sku="  ")
    with pytest.raises(ValueError):
        price_line(name="")


def test_price_list_refuses_a_datetime_string_and_foreign_lines():
    with pytest.raises(TypeError):
        price_list(valid_from="2026-12-01")
    with pytest.raises(TypeError):
        price_list(lines=("not a line",))
    assert price_list(valid_from=date(2027, 1, 1)).valid_from == date(2027, 1, 1)


@pytest.mark.parametrize("code", ["货位-01", "A01\n02", "", "X" * 41])
def test_bin_label_refuses_a_code_that_code128_cannot_carry(code):
    with pytest.raises(ValueError):
        bin_label(code=code)


def test_bin_label_accepts_block_zero_and_refuses_negative_positions():
    assert bin_label(block=0).block == 0
    with pytest.raises(ValueError):
        bin_label(aisle=-1)
    with pytest.raises(TypeError):
        bin_label(level="2")


@pytest.mark.parametrize(("columns", "rows"), [(0, 8), (3, 0), (7, 8), (3, 21)])
def test_bin_label_doc_refuses_an_unprintable_grid(columns, rows):
    with pytest.raises(ValueError):
        BinLabelDoc("标签", bin_labels(1), columns=columns, rows=rows)


def test_price_list_doc_is_a_plain_value():
    assert price_list() == price_list()
    assert isinstance(price_list(), PriceListDoc)
