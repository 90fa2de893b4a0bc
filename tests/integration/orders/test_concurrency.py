"""订单 under real concurrency (SQLite and PostgreSQL): threads lined up on a barrier,
each with its own app context and session, place and amend orders at once. The stock
is never oversold, reservations equal what the accepted orders hold, and no thread
gets anything but an answer the API maps to 201/409."""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from supplychain.auth.models import User
from supplychain.checks import run_checks
from supplychain.errors import DomainError, OutOfStock
from supplychain.extensions import db
from supplychain.orders import services
from supplychain.orders.models import Order, OrderLine
from supplychain.stock.models import StockLevel
from tests.factories import MerchantFactory, merchant_user, stocked_product

UTC = dt.timezone.utc


def _a_monday_ahead() -> dt.date:
    today = dt.datetime.now(UTC).date()
    return today + dt.timedelta(days=14 - today.weekday())


NOW = dt.datetime.combine(_a_monday_ahead(), dt.time(10, 0), tzinfo=UTC)


def run_threads(app: Any, count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(index)`` in ``count`` threads released together by a barrier, each
    in its own app context (so its own session and connection). Returns each thread's
    result, or the exception it raised (after rolling its session back)."""
    start = threading.Barrier(count)
    results: list[Any] = [None] * count

    def worker(index: int) -> None:
        with app.app_context():
            # wait before touching the database: no thread holds a pooled connection
            # while the others are still arriving
            start.wait()
            try:
                results[index] = work(index)
            except Exception as error:  # noqa: BLE001 - the caller classifies it
                db.session.rollback()
                results[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()
    return results


def unexpected(results: list[Any]) -> list[str]:
    """Exceptions that are not domain refusals (a 5xx for the client)."""
    return [
        repr(r)
        for r in results
        if isinstance(r, Exception) and not isinstance(r, DomainError)
    ]


def user_of(user_id: int) -> User:
    return db.session.get(User, user_id)


def reserved_qty(product_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(StockLevel.reserved_qty), 0)).where(
            StockLevel.product_id == product_id
        )
    )


def held_by_open_lines(product_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(OrderLine.reserved_qty), 0))
        .join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.product_id == product_id, Order.status == "placed")
    )


FLASH_STOCK, FLASH_CLIENTS = 50, 40


def test_a_flash_sale_never_oversells_and_reserves_exactly_what_was_accepted(
    any_db_app,
):
    product = stocked_product(FLASH_STOCK)
    users = [merchant_user().id for _ in range(FLASH_CLIENTS)]
    wanted = [random.Random(f"flash:{i}").randint(1, 3) for i in range(FLASH_CLIENTS)]

    def order(index: int) -> Any:
        user = user_of(users[index])
        line = {"sku": product.sku, "qty": wanted[index]}
        return services.place_order(user, [line], now=NOW).order.id

    results = run_threads(any_db_app, FLASH_CLIENTS, order)

    assert unexpected(results) == []
    accepted = [wanted[i] for i, r in enumerate(results) if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, OutOfStock)]
    assert len(accepted) + len(refused) == FLASH_CLIENTS
    assert sum(accepted) <= FLASH_STOCK
    assert sum(wanted) > FLASH_STOCK and refused  # the sale really sold out
    for refusal in refused:  # refused only for want of stock, with the figures
        [short] = refusal.details["lines"]
        assert short["available_qty"] < short["requested_qty"] <= 3
    # availability only falls: once someone was refused, at most 2 units were left
    assert FLASH_STOCK - sum(accepted) <= 2
    assert reserved_qty(product.id) == held_by_open_lines(product.id) == sum(accepted)
    assert db.session.scalar(sa.select(sa.func.count(Order.id))) == len(accepted)
    assert run_checks() == {}


def test_a_multi_line_rush_reserves_all_lines_of_an_order_or_none(any_db_app):
    a, b = stocked_product(12), stocked_product(12)
    users = [merchant_user().id for _ in range(12)]

    def order(index: int) -> Any:
        # half order a then b, half b then a: the ledger must lock in one order
        lines = [{"sku": a.sku, "qty": 2}, {"sku": b.sku, "qty": 3}]
        if index % 2:
            lines.reverse()
        return services.place_order(user_of(users[index]), lines, now=NOW).order.id

    results = run_threads(any_db_app, 12, order)

    assert unexpected(results) == []
    accepted = sum(isinstance(r, int) for r in results)
    assert accepted == 4  # b runs out after four orders of 3
    assert (reserved_qty(a.id), reserved_qty(b.id)) == (2 * accepted, 3 * accepted)
    assert run_checks() == {}


def test_purchase_to_order_items_are_never_capped_under_a_rush(any_db_app):
    product = stocked_product(0, is_stocked=False)
    users = [merchant_user().id for _ in range(16)]

    def order(index: int) -> Any:
        line = {"sku": product.sku, "qty": index + 1}
        return services.place_order(user_of(users[index]), [line], now=NOW).order.id

    results = run_threads(any_db_app, 16, order)

    assert unexpected(results) == []
    assert all(isinstance(r, int) for r in results)
    assert reserved_qty(product.id) == sum(range(1, 17))
    assert run_checks() == {}


def test_concurrent_amends_of_one_order_leave_it_consistent(any_db_app):
    a, b = stocked_product(20), stocked_product(20)
    user = merchant_user()
    order_id = services.place_order(user, [{"sku": a.sku, "qty": 5}], now=NOW).order.id
    plans = [
        (
            [{"sku": a.sku, "qty": 1 + i}, {"sku": b.sku, "qty": 8 - i}]
            if i % 2
            else [{"sku": b.sku, "qty": 2 + i}]
        )
        for i in range(8)
    ]

    def amend(index: int) -> Any:
        return services.amend_order(
            user_of(user.id), order_id, plans[index], now=NOW
        ).id

    results = run_threads(any_db_app, 8, amend)

    assert unexpected(results) == []
    assert all(r == order_id for r in results)  # every amend went through, in turn
    order = db.session.get(Order, order_id)
    final = {line.sku: line.qty for line in order.lines}
    assert final in [{p["sku"]: p["qty"] for p in plan} for plan in plans]
    assert all(line.reserved_qty == line.qty for line in order.lines)
    assert reserved_qty(a.id) == final.get(a.sku, 0)
    assert reserved_qty(b.id) == final.get(b.sku, 0)
    assert order.total_amount == sum(line.line_amount for line in order.lines)
    assert run_checks() == {}


def test_amends_and_cancels_racing_new_orders_never_oversell(any_db_app):
    product = stocked_product(30)
    owners = [merchant_user() for _ in range(6)]
    existing = [
        services.place_order(o, [{"sku": product.sku, "qty": 5}], now=NOW).order.id
        for o in owners
    ]  # all 30 reserved
    newcomers = [merchant_user().id for _ in range(6)]

    def act(index: int) -> Any:
        if index < 6:  # owners give back: cancel (even) or cut to 1 (odd)
            owner = user_of(owners[index].id)
            if index % 2 == 0:
                return services.cancel_order(owner, existing[index], now=NOW).id
            line = {"sku": product.sku, "qty": 1}
            return services.amend_order(owner, existing[index], [line], now=NOW).id
        line = {"sku": product.sku, "qty": 4}
        newcomer = user_of(newcomers[index - 6])
        return services.place_order(newcomer, [line], now=NOW).order.id

    results = run_threads(any_db_app, 12, act)

    assert unexpected(results) == []
    assert all(isinstance(r, int) for r in results[:6])
    # freed: 3 × 5 cancelled + 3 × 4 cut = 27; six newcomers want 24
    assert all(isinstance(r, (int, OutOfStock)) for r in results[6:])
    assert reserved_qty(product.id) == held_by_open_lines(product.id) <= 30
    assert run_checks() == {}


def test_orders_of_many_merchants_racing_get_distinct_numbers(any_db_app):
    product = stocked_product(100)
    users = [merchant_user().id for _ in range(10)]

    def order(index: int) -> Any:
        line = {"sku": product.sku, "qty": 1}
        return services.place_order(user_of(users[index]), [line], now=NOW).order.number

    results = run_threads(any_db_app, 10, order)

    assert unexpected(results) == []
    assert sorted(int(n[-4:]) for n in results) == list(range(1, 11))


def test_a_merchant_with_an_unlimited_limit_can_race_itself(any_db_app):
    merchant = MerchantFactory(credit_limit=None)
    users = [merchant_user(merchant).id for _ in range(6)]
    product = stocked_product(60)

    def order(index: int) -> Any:
        line = {"sku": product.sku, "qty": 10}
        return services.place_order(user_of(users[index]), [line], now=NOW).order.id

    results = run_threads(any_db_app, 6, order)

    assert all(isinstance(r, int) for r in results)
    assert reserved_qty(product.id) == 60
