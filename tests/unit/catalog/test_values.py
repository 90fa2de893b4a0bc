from decimal import Decimal

import pytest

from supplychain.catalog.values import (
    ParseError,
    key_problem,
    parse_bool,
    parse_decimal,
    parse_int,
    problems_of,
)


@pytest.mark.parametrize(
    "text, value",
    [
        ("12.50", "12.50"),
        (" 7 ", "7"),
        ("¥12.5", "12.5"),
        ("￥3", "3"),
        ("1,234.50", "1234.50"),
    ],
)
def test_spreadsheet_numbers_parse_exactly(text, value):
    assert parse_decimal(text) == Decimal(value)


@pytest.mark.parametrize("text", ["12,50", "abc", "NaN", "Infinity", "1.2.3", ""])
def test_ambiguous_or_non_numbers_are_refused(text):
    with pytest.raises(ParseError):
        parse_decimal(text)


def test_whole_numbers_refuse_fractions():
    assert parse_int("12") == 12
    assert parse_int("12.0") == 12
    with pytest.raises(ParseError):
        parse_int("1.5")


@pytest.mark.parametrize(
    "text, value",
    [("true", True), ("是", True), ("1", True), ("FALSE", False), ("否", False)],
)
def test_yes_no_cells_parse_in_english_and_chinese(text, value):
    assert parse_bool(text) is value


def test_yes_no_refuses_anything_else():
    with pytest.raises(ParseError):
        parse_bool("maybe")


@pytest.mark.parametrize("key", ["", "a b", "a/b", "x?", "#1", "50%", "a\\b", "a" * 41])
def test_keys_refuse_spaces_url_characters_and_overlong_text(key):
    assert key_problem(key) is not None


def test_keys_accept_usual_skus():
    assert key_problem("AJ-001_x.2") is None
    assert key_problem("艾灸贴01") is None


def test_limits_report_every_bad_field():
    problems = problems_of(
        {
            "price": Decimal("-1"),
            "case_qty": 0,
            "unit": " ",
            "weight_kg": Decimal("0.0001"),
            "name": "ok",
        }
    )

    assert set(problems) == {"price", "case_qty", "unit", "weight_kg"}


def test_prices_need_at_most_two_places_and_a_sane_size():
    assert problems_of({"price": Decimal("12.345")})["price"] == [
        "At most two decimal places."
    ]
    assert "price" in problems_of({"price": Decimal("1000000.01")})
    assert problems_of({"price": Decimal("1000000.00")}) == {}
