"""The ordering pages' input helpers (pure: no app, no database)."""

import datetime as dt

import pytest

from blueprints.orders.forms import (
    largest_valid_qty,
    parse_date,
    parse_qty,
    split_errors,
    stepped_qty,
)


@pytest.mark.parametrize(
    "text, qty",
    [("3", 3), (" 12 ", 12), ("+4", 4), ("0", 0), ("1000000", 1_000_000),
     ("1000001", None), ("", None), ("2.5", None), ("-1", None), ("abc", None),
     ("１２", 12), (None, None)],
)  # fmt: skip
def test_a_typed_quantity_is_a_whole_number_in_range_full_width_digits_too(text, qty):
    assert parse_qty(text) == qty


@pytest.mark.parametrize(
    "qty, direction, expected",
    [(0, 1, 6), (3, 1, 6), (6, 1, 10), (7, 1, 10), (10, 1, 14),
     (14, -1, 10), (12, -1, 10), (10, -1, 6), (6, -1, 0), (3, -1, 0), (0, -1, 0)],
)  # fmt: skip
def test_plus_and_minus_move_between_valid_quantities(qty, direction, expected):
    assert stepped_qty(qty, direction, min_qty=6, step=4) == expected


@pytest.mark.parametrize(
    "limit, expected", [(0, 0), (5, 0), (6, 6), (9, 6), (10, 10), (13, 10)]
)
def test_the_largest_valid_quantity_within_what_is_available(limit, expected):
    assert largest_valid_qty(limit, 6, 4) == expected


def test_dates_are_iso_or_empty():
    assert parse_date("2026-11-24") == dt.date(2026, 11, 24)
    assert parse_date("") is None
    for bad in ("24/11/2026", "2026-02-30", "tomorrow"):
        with pytest.raises(ValueError):
            parse_date(bad)


def test_service_errors_by_line_index_map_back_to_skus():
    errors = {
        "lines": {1: {"qty": ["The minimum order quantity is 6."]}, 7: {"sku": ["?"]}},
        "delivery_date": ["2026-11-29 is not a delivery day."],
    }

    fields, lines = split_errors(errors, ["A-1", "B-2"])

    assert lines == {"B-2": ["The minimum order quantity is 6."]}
    assert fields == {
        "delivery_date": ["2026-11-29 is not a delivery day."],
        "lines": ["?"],
    }
