"""信用控制: exposure counts what a merchant owes or has on order, and concurrent orders
of one merchant never take it over its credit limit together."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from supplychain.checks import run_checks
from supplychain.errors import CreditLimitExceeded, OutOfStock
from supplychain.extensions import db
from supplychain.orders import credit, services
from supplychain.orders.models import Order
from tests.factories import MerchantFactory, UserFactory, merchant_user, stocked_product
from tests.integration.orders.test_concurrency import (
    NOW,
    run_threads,
    unexpected,
    user_of,
)

LIMIT = Decimal("100.00")


def line(product, qty):
    return {"sku": product.sku, "qty": qty}


@pytest.fixture
def limited(any_db_app):
    merchant = MerchantFactory(credit_limit=LIMIT)
    return {
        "merchant": merchant,
        "user": merchant_user(merchant),
        "product": stocked_product(1000, price=Decimal("10.00")),
    }


def test_exposure_counts_open_and_delivered_orders_only(limited):
    user, product = limited["user"], limited["product"]
    orders = [
        services.place_order(user, [line(product, 1)], now=NOW).order for _ in range(6)
    ]
    for order, status in zip(
        orders, ["placed", "confirmed", "picking", "delivered", "invoiced", "cancelled"]
    ):
        order.status = status  # bookkeeping only: the statuses later features set
        if status in ("delivered", "invoiced", "cancelled"):
            for order_line in order.lines:
                order_line.reserved_qty = 0
    db.session.commit()

    # placed + confirmed + picking + delivered; invoiced go through finance's invoices
    assert credit.exposure(limited["merchant"].id) == Decimal("40.00")


def test_unpaid_invoices_count_through_the_finance_hook(limited, monkeypatch):
    monkeypatch.setattr(credit, "UNPAID_INVOICES", lambda merchant_id: Decimal("95.00"))

    with pytest.raises(CreditLimitExceeded) as refused:
        services.place_order(limited["user"], [line(limited["product"], 1)], now=NOW)

    assert refused.value.details["exposure"] == "95.00"


def test_an_order_exactly_up_to_the_limit_is_accepted(limited):
    placed = services.place_order(
        limited["user"], [line(limited["product"], 10)], now=NOW
    )

    assert placed.order.total_amount == LIMIT


def test_cancelling_gives_the_credit_back(limited):
    user, product = limited["user"], limited["product"]
    order = services.place_order(user, [line(product, 10)], now=NOW).order
    with pytest.raises(CreditLimitExceeded):
        services.place_order(user, [line(product, 1)], now=NOW)

    services.cancel_order(user, order.id, now=NOW)

    assert services.place_order(user, [line(product, 1)], now=NOW).created


def test_purchase_to_order_items_count_towards_credit(limited):
    to_order = stocked_product(0, is_stocked=False, price=Decimal("60.00"))
    services.place_order(limited["user"], [line(to_order, 1)], now=NOW)

    with pytest.raises(CreditLimitExceeded):
        services.place_order(limited["user"], [line(to_order, 1)], now=NOW)


def test_a_staff_override_is_only_recorded_when_it_was_needed(limited):
    staff = UserFactory(role="sales")
    code = limited["merchant"].code

    within = services.place_order(
        staff, [line(limited["product"], 5)], merchant_code=code,
        credit_reason="老客户", now=NOW,
    ).order  # fmt: skip
    beyond = services.place_order(
        staff, [line(limited["product"], 6)], merchant_code=code,
        credit_reason="老客户", now=NOW,
    ).order  # fmt: skip

    assert within.credit_override_reason == ""
    assert beyond.credit_override_reason == "老客户"


def test_a_refusal_for_stock_comes_before_the_credit_check(limited):
    scarce = stocked_product(1, price=Decimal("500.00"))

    with pytest.raises(OutOfStock):
        services.place_order(limited["user"], [line(scarce, 2)], now=NOW)


# --- concurrency ----------------------------------------------------------------------


def test_concurrent_orders_of_one_merchant_never_pass_its_limit_together(
    any_db_app, limited
):
    product = limited["product"]
    users = [merchant_user(limited["merchant"]).id for _ in range(10)]
    wanted = [2 + index % 2 for index in range(10)]  # 20.00 or 30.00 each, 250 in all

    def order(index: int) -> Any:
        user = user_of(users[index])
        return services.place_order(user, [line(product, wanted[index])], now=NOW).order

    results = run_threads(any_db_app, 10, order)

    assert unexpected(results) == []
    accepted = [
        wanted[i] * Decimal("10.00")
        for i, r in enumerate(results)
        if isinstance(r, Order)
    ]
    refused = [r for r in results if isinstance(r, CreditLimitExceeded)]
    assert len(accepted) + len(refused) == 10 and refused
    assert sum(accepted) <= LIMIT
    # a refusal means exposure + order > limit, so little can be left unused
    assert LIMIT - sum(accepted) < Decimal("30.00")
    assert credit.exposure(limited["merchant"].id) == sum(accepted)
    for refusal in refused:
        figures = refusal.details
        assert Decimal(figures["exposure"]) + Decimal(figures["order_amount"]) > LIMIT
    assert run_checks() == {}


def test_concurrent_amends_upwards_never_pass_the_limit(any_db_app, limited):
    user, product = limited["user"], limited["product"]
    orders = [
        services.place_order(user, [line(product, 1)], now=NOW).order.id
        for _ in range(4)
    ]  # 40.00 of 100.00 on order

    def amend(index: int) -> Any:
        return services.amend_order(
            user_of(user.id), orders[index], [line(product, 3)], now=NOW
        ).id  # each wants 20.00 more: three of the four fit

    results = run_threads(any_db_app, 4, amend)

    assert unexpected(results) == []
    assert all(isinstance(r, (int, CreditLimitExceeded)) for r in results)
    assert any(isinstance(r, int) for r in results)
    assert credit.exposure(limited["merchant"].id) <= LIMIT
    assert run_checks() == {}


def test_merchants_racing_each_other_are_limited_separately(any_db_app):
    product = stocked_product(1000, price=Decimal("10.00"))
    merchants = [MerchantFactory(credit_limit=LIMIT) for _ in range(3)]
    users = [merchant_user(m).id for m in merchants for _ in range(4)]

    def order(index: int) -> Any:
        return services.place_order(
            user_of(users[index]), [line(product, 3)], now=NOW
        ).order  # 30.00: three fit under each limit, the fourth does not

    results = run_threads(any_db_app, 12, order)

    assert unexpected(results) == []
    assert sum(isinstance(r, Order) for r in results) == 9
    for merchant in merchants:
        assert credit.exposure(merchant.id) == Decimal("90.00")
