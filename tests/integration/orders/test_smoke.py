"""First end-to-end pass through the order services (place, amend, cancel, confirm)."""

import datetime as dt

import pytest

from supplychain.checks import run_checks
from supplychain.errors import OutOfStock
from supplychain.orders import services
from supplychain.stock.queries import available_qty, default_warehouse
from tests.factories import merchant_user, stocked_product

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone.utc)  # 18:00 in Shanghai


def test_place_amend_cancel_keeps_reservations_exact(any_db_app):
    product = stocked_product(10)
    other = stocked_product(5)
    user = merchant_user()
    warehouse = default_warehouse()

    placed = services.place_order(
        user, [{"sku": product.sku, "qty": 4}], idempotency_key="k1", now=NOW
    )
    order = placed.order
    assert placed.created
    assert order.number == "SO-20261124-0001"
    assert available_qty(product.id, warehouse.id) == 6
    again = services.place_order(
        user, [{"sku": product.sku, "qty": 4}], idempotency_key="k1", now=NOW
    )
    assert not again.created and again.order.id == order.id

    services.amend_order(
        user, order.id, [{"sku": product.sku, "qty": 2}, {"sku": other.sku, "qty": 5}],
        now=NOW,
    )
    assert available_qty(product.id, warehouse.id) == 8
    assert available_qty(other.id, warehouse.id) == 0
    with pytest.raises(OutOfStock):
        services.amend_order(user, order.id, [{"sku": other.sku, "qty": 6}], now=NOW)
    assert available_qty(product.id, warehouse.id) == 8
    assert run_checks() == {}

    services.cancel_order(user, order.id, now=NOW)
    assert available_qty(product.id, warehouse.id) == 10
    assert available_qty(other.id, warehouse.id) == 5
    assert run_checks() == {}


def test_confirm_due_after_cutoff(any_db_app):
    product = stocked_product(10)
    user = merchant_user()
    order = services.place_order(user, [{"sku": product.sku, "qty": 1}], now=NOW).order
    assert services.confirm_due(NOW) == 0
    assert services.confirm_due(NOW + dt.timedelta(hours=4)) == 1
    assert services.get_order(user, order.number).status == "confirmed"
