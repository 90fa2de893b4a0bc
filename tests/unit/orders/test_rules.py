import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supplychain.orders import rules
from supplychain.orders.rules import (
    CANCELLABLE_STATUSES,
    EDITABLE_STATUSES,
    EXPOSURE_STATUSES,
    MAX_KEY_LENGTH,
    OPEN_STATUSES,
    TRANSITIONS,
    can_transition,
    fingerprint,
    format_number,
    is_valid_key,
    line_amount,
    order_total,
)

STATUSES = ("placed", "confirmed", "picking", "delivered", "invoiced", "cancelled")


# --- money ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("qty", "price", "amount"),
    [
        (1, "12.50", "12.50"),
        (3, "0.335", "1.01"),  # 1.005: half-up, not to even (1.00)
        (1, "2.675", "2.68"),
        (1, "2.665", "2.67"),
        (1, "0.005", "0.01"),
        (1, "0.004", "0.00"),
        (7, "1.4285", "10.00"),  # 9.9995
        (1_000_000, "999999.99", "999999990000.00"),
        (2, "0", "0.00"),
    ],
)
def test_line_amount_is_qty_times_price_rounded_half_up_to_the_fen(qty, price, amount):
    result = line_amount(qty, Decimal(price))

    assert result == Decimal(amount)
    assert result.as_tuple().exponent == -2


def test_line_amount_refuses_a_float_price():
    with pytest.raises(TypeError):
        line_amount(1, 12.5)


def test_an_order_total_is_the_sum_of_its_line_amounts_without_rounding_again():
    amounts = [line_amount(3, Decimal("0.335")), line_amount(3, Decimal("0.335"))]

    # rounding each line first: 1.01 + 1.01, not round(2.01) = 2.01
    assert order_total(amounts) == Decimal("2.02")


def test_an_empty_order_totals_zero_with_two_places():
    total = order_total([])

    assert total == Decimal("0") and str(total) == "0.00"


prices = st.decimals(min_value=Decimal("0"), max_value=Decimal("99999.9999"), places=4)


@given(qty=st.integers(1, rules.MAX_LINE_QTY), price=prices)
def test_line_amount_is_within_half_a_fen_of_the_exact_product(qty, price):
    amount = line_amount(qty, price)
    exact = Decimal(qty) * price

    assert amount.as_tuple().exponent == -2
    assert abs(amount - exact) <= Decimal("0.005")
    if abs(amount - exact) == Decimal("0.005"):
        assert amount > exact  # a tie goes up


@given(st.lists(st.tuples(st.integers(1, 1000), prices), max_size=30))
def test_the_total_equals_the_sum_of_the_rounded_lines(lines):
    amounts = [line_amount(qty, price) for qty, price in lines]

    total = order_total(amounts)

    assert total == sum(amounts, Decimal(0))
    assert total.as_tuple().exponent == -2


# --- numbers and fingerprints ---------------------------------------------------------


def test_order_numbers_read_well_on_the_phone():
    assert format_number(dt.date(2026, 11, 24), 42) == "SO-20261124-0042"
    assert format_number(dt.date(2026, 1, 5), 1) == "SO-20260105-0001"
    assert format_number(dt.date(2026, 1, 5), 12345) == "SO-20260105-12345"


def test_the_same_request_has_the_same_fingerprint_whatever_the_key_order():
    a = {"lines": [{"sku": "A", "qty": 1}], "merchant": None, "note": "早上送"}
    b = {"note": "早上送", "merchant": None, "lines": [{"qty": 1, "sku": "A"}]}

    assert fingerprint(a) == fingerprint(b)
    assert len(fingerprint(a)) == 64


@pytest.mark.parametrize(
    "changed",
    [
        {"lines": [{"sku": "A", "qty": 2}]},
        {"lines": [{"sku": "B", "qty": 1}]},
        {"lines": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 1}]},
        {"delivery_date": dt.date(2026, 11, 25)},
        {"note": "x"},
    ],
)
def test_a_different_request_has_a_different_fingerprint(changed):
    base = {"lines": [{"sku": "A", "qty": 1}], "delivery_date": dt.date(2026, 11, 24)}

    assert fingerprint(base | changed) != fingerprint(base)


def test_a_date_and_its_iso_text_fingerprint_alike():
    # default=str: a parsed date and the same date as text are the same request
    assert fingerprint({"d": dt.date(2026, 11, 24)}) == fingerprint({"d": "2026-11-24"})


# --- idempotency keys -----------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "a",
        "8f14e45f-ceea-467f-a0e6-2f3b9c1f7d2e",
        " ",  # printable
        '~!@#$%^&*()_+{}|:"<>?',
        "k" * MAX_KEY_LENGTH,
    ],
)
def test_valid_idempotency_keys(key):
    assert is_valid_key(key)


@pytest.mark.parametrize(
    "key",
    [
        "",
        "k" * (MAX_KEY_LENGTH + 1),
        "订单-1",  # not ASCII
        "tab\there",
        "new\nline",
        "del\x7f",
        "nul\x00",
        None,
        42,
        b"bytes",
        ["a"],
    ],
)
def test_invalid_idempotency_keys(key):
    assert not is_valid_key(key)


# --- life cycle -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "new"),
    [
        ("placed", "confirmed"),
        ("placed", "cancelled"),
        ("confirmed", "picking"),
        ("confirmed", "cancelled"),
        ("picking", "delivered"),
        ("delivered", "invoiced"),
    ],
)
def test_the_life_cycle_moves_forward(current, new):
    assert can_transition(current, new)


@pytest.mark.parametrize(
    ("current", "new"),
    [
        ("placed", "picking"),
        ("placed", "delivered"),
        ("placed", "placed"),
        ("picking", "cancelled"),  # the goods are being picked
        ("delivered", "cancelled"),
        ("invoiced", "delivered"),
        ("cancelled", "placed"),
        ("unknown", "placed"),
        ("placed", "unknown"),
    ],
)
def test_the_life_cycle_refuses_skips_and_going_back(current, new):
    assert not can_transition(current, new)


@pytest.mark.parametrize("final", ["invoiced", "cancelled"])
def test_final_statuses_go_nowhere(final):
    assert not any(can_transition(final, status) for status in STATUSES)


def test_every_transition_leads_to_a_known_status():
    assert set(TRANSITIONS) == set(STATUSES)
    assert all(targets <= set(STATUSES) for targets in TRANSITIONS.values())


def test_status_groups_are_consistent():
    assert set(EDITABLE_STATUSES) <= set(CANCELLABLE_STATUSES) <= set(OPEN_STATUSES)
    assert set(OPEN_STATUSES) <= set(EXPOSURE_STATUSES)
    assert "cancelled" not in EXPOSURE_STATUSES and "invoiced" not in EXPOSURE_STATUSES
    assert all(can_transition(status, "cancelled") for status in CANCELLABLE_STATUSES)
