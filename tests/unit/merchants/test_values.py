import datetime as dt
from decimal import Decimal

import pytest

from supplychain.merchants.values import (
    format_window,
    is_valid_code,
    parse_money,
    parse_time,
    parse_window,
    problems_of,
)

T = dt.time


@pytest.mark.parametrize(
    "value, expected",
    [
        (["07:00", "10:00"], (T(7), T(10))),
        (["7:00", "9:30"], (T(7), T(9, 30))),
        ("07:00-10:00", (T(7), T(10))),
        ("07:00 ~ 10:30", (T(7), T(10, 30))),
        ("07:00–10:00", (T(7), T(10))),
        ("7:00至10:00", (T(7), T(10))),
        (["06:00:00", "08:15:00"], (T(6), T(8, 15))),
        ((T(5), T(6)), (T(5), T(6))),
    ],
)
def test_parses_delivery_windows_in_every_accepted_spelling(value, expected):
    assert parse_window(value) == expected


@pytest.mark.parametrize("empty", [None, "", [], ()])
def test_no_window_is_none(empty):
    assert parse_window(empty) is None


@pytest.mark.parametrize(
    "value",
    [
        ["10:00", "07:00"],
        ["07:00", "07:00"],
        ["22:00", "02:00"],
        ["07:00"],
        ["07:00", "08:00", "09:00"],
        "07:00",
        ["25:00", "26:00"],
        ["07:60", "08:00"],
        ["seven", "ten"],
        "07:00-",
        42,
    ],
)
def test_refuses_malformed_or_backwards_windows(value):
    with pytest.raises(ValueError):
        parse_window(value)


def test_parse_time_refuses_am_pm_and_garbage():
    for text in ("7am", "07.00", "0700", "", "12:5"):
        with pytest.raises(ValueError):
            parse_time(text)


def test_formats_window_as_it_is_imported():
    assert format_window((T(7), T(10, 30))) == "07:00-10:30"
    assert parse_window(format_window((T(7), T(10, 30)))) == (T(7), T(10, 30))
    assert format_window(None) == ""


@pytest.mark.parametrize("code", ["HZ001", "a", "store_1-b", "X" * 30])
def test_accepts_codes_of_the_pattern(code):
    assert is_valid_code(code)


@pytest.mark.parametrize(
    "code", ["", "X" * 31, "HZ 001", "杭州01", "a/b", "map", "NEW", None, 7]
)
def test_refuses_codes_outside_the_pattern_or_reserved(code):
    assert not is_valid_code(code)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("5000", Decimal("5000")),
        ("5,000.50", Decimal("5000.50")),
        ("¥12.5", Decimal("12.5")),
        ("0", Decimal("0")),
    ],
)
def test_parses_money_text(text, expected):
    assert parse_money(text) == expected


@pytest.mark.parametrize("text", ["-1", "12.345", "abc", "NaN", "Infinity", "1e20"])
def test_refuses_bad_money_text(text):
    with pytest.raises(ValueError):
        parse_money(text)


def _good(**changes):
    return {"code": "HZ001", "name": "西湖店", "lat": 30.27, "lon": 120.15} | changes


def test_good_values_have_no_problems():
    values = _good(
        kind="group_leader",
        credit_limit=Decimal("5000.00"),
        payment_terms_days=30,
        delivery_window=(T(7), T(10)),
        phone="0571-8888 8888",
    )

    assert problems_of(values, creating=True) == {}


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"lat": 91}, "lat"),
        ({"lat": -90.5}, "lat"),
        ({"lon": 180.01}, "lon"),
        ({"lat": float("nan")}, "lat"),
        ({"lat": "30"}, "lat"),
        ({"lat": True}, "lat"),
        ({"credit_limit": Decimal("-1")}, "credit_limit"),
        ({"credit_limit": 100.0}, "credit_limit"),
        ({"credit_limit": Decimal("1.005")}, "credit_limit"),
        ({"credit_limit": Decimal("1e15")}, "credit_limit"),
        ({"kind": "shop"}, "kind"),
        ({"payment_terms_days": -1}, "payment_terms_days"),
        ({"payment_terms_days": 366}, "payment_terms_days"),
        ({"payment_terms_days": 1.5}, "payment_terms_days"),
        ({"name": "   "}, "name"),
        ({"name": "店" * 201}, "name"),
        ({"phone": "call me"}, "phone"),
        ({"code": "HZ 1"}, "code"),
        ({"code": "export"}, "code"),
        ({"delivery_window": (T(10), T(7))}, "delivery_window"),
    ],
)
def test_reports_each_bad_value_under_its_field(changes, field):
    assert field in problems_of(_good(**changes), creating=True)


def test_creating_requires_code_name_and_coordinates():
    assert set(problems_of({}, creating=True)) == {"code", "name", "lat", "lon"}


def test_updating_checks_only_the_fields_given():
    assert problems_of({"district": "西湖区"}) == {}
