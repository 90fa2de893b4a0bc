from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from supplychain.catalog.pricing import ResolvedPrice, resolve_price

LIST = Decimal("12.50")
prices = st.decimals(min_value=0, max_value=1_000_000, places=2, allow_nan=False)
maybe_prices = st.none() | prices


def test_list_price_applies_without_overrides():
    assert resolve_price(LIST) == ResolvedPrice(LIST, "list")


def test_grade_price_beats_list_price():
    resolved = resolve_price(LIST, grade_price=Decimal("11.00"))

    assert (resolved.amount, resolved.source) == (Decimal("11.00"), "grade")


def test_merchant_price_beats_grade_price():
    resolved = resolve_price(
        LIST, grade_price=Decimal("11.00"), merchant_price=Decimal("10.20")
    )

    assert (resolved.amount, resolved.source) == (Decimal("10.20"), "merchant")


def test_merchant_price_applies_without_a_grade_price():
    resolved = resolve_price(LIST, merchant_price=Decimal("13.00"))

    assert (resolved.amount, resolved.source) == (Decimal("13.00"), "merchant")


def test_zero_override_is_a_price_not_a_missing_one():
    assert resolve_price(LIST, grade_price=Decimal("0.00")).amount == Decimal("0.00")
    assert resolve_price(LIST, merchant_price=Decimal("0")).source == "merchant"


@given(list_price=prices, grade=maybe_prices, merchant=maybe_prices)
def test_resolved_price_is_the_most_specific_price_given(list_price, grade, merchant):
    resolved = resolve_price(list_price, grade_price=grade, merchant_price=merchant)

    expected = next(p for p in (merchant, grade, list_price) if p is not None)
    assert resolved.amount == expected
    assert isinstance(resolved.amount, Decimal)
