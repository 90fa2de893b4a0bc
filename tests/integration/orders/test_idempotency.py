"""幂等提交: one Idempotency-Key (or web cart token) makes at most one order per user —
on a retry, a double click, two tabs or eight threads at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from supplychain.checks import run_checks
from supplychain.errors import IdempotencyKeyInUse, OutOfStock, ValidationFailed
from supplychain.extensions import db
from supplychain.orders import cart, idempotency, services
from supplychain.orders.models import IdempotencyKey, Order
from supplychain.orders.rules import fingerprint
from supplychain.stock import ledger
from supplychain.stock.queries import available_qty, default_warehouse
from tests.factories import merchant_user, stocked_product
from tests.integration.orders.test_concurrency import (
    NOW,
    reserved_qty,
    run_threads,
    unexpected,
    user_of,
)


def order_count() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count(Order.id)))


def key_rows() -> list[tuple[str, str, int | None]]:
    return [
        tuple(row)
        for row in db.session.execute(
            sa.select(
                IdempotencyKey.key, IdempotencyKey.status, IdempotencyKey.order_id
            )
        )
    ]


@pytest.fixture
def shop(any_db_app):
    return {"user": merchant_user(), "product": stocked_product(10)}


def lines(shop, qty=2):
    return [{"sku": shop["product"].sku, "qty": qty}]


def test_the_same_key_and_request_returns_the_first_order(shop):
    first = services.place_order(
        shop["user"], lines(shop), idempotency_key="k", now=NOW
    )

    again = services.place_order(
        shop["user"], lines(shop), idempotency_key="k", now=NOW
    )

    assert first.created and not again.created
    assert again.order.id == first.order.id
    assert order_count() == 1
    assert reserved_qty(shop["product"].id) == 2
    assert key_rows() == [("k", "done", first.order.id)]


def test_the_same_key_answers_alike_even_after_the_cutoff(shop):
    first = services.place_order(
        shop["user"], lines(shop), idempotency_key="k", now=NOW
    )

    later = NOW + dt.timedelta(days=1)
    again = services.place_order(
        shop["user"], lines(shop), idempotency_key="k", now=later
    )

    assert again.order.id == first.order.id and not again.created


def test_the_same_key_with_another_request_is_refused_and_writes_nothing(shop):
    services.place_order(shop["user"], lines(shop), idempotency_key="k", now=NOW)

    for changed in (
        {"lines": lines(shop, qty=3)},
        {"lines": lines(shop), "note": "another"},
        {"lines": lines(shop), "delivery_date": NOW.date() + dt.timedelta(days=2)},
    ):
        with pytest.raises(ValidationFailed) as refused:
            services.place_order(shop["user"], idempotency_key="k", now=NOW, **changed)
        assert "Idempotency-Key" in refused.value.errors

    assert order_count() == 1
    assert reserved_qty(shop["product"].id) == 2


def test_a_refused_request_frees_its_key_for_a_retry(shop):
    product = shop["product"]
    with pytest.raises(OutOfStock):
        services.place_order(
            shop["user"], lines(shop, 12), idempotency_key="k", now=NOW
        )
    assert key_rows() == []

    ledger.post_adjustment(product.id, default_warehouse().id, 5, reason="到货")
    db.session.commit()
    retry = services.place_order(
        shop["user"], lines(shop, 12), idempotency_key="k", now=NOW
    )

    assert retry.created
    assert available_qty(product.id, default_warehouse().id) == 3


def test_a_request_refused_for_bad_input_frees_its_key(shop):
    with pytest.raises(ValidationFailed):
        services.place_order(shop["user"], lines(shop, 0), idempotency_key="k", now=NOW)

    assert key_rows() == []
    assert services.place_order(
        shop["user"], lines(shop, 1), idempotency_key="k", now=NOW
    ).created


def test_keys_belong_to_one_user(shop):
    other = merchant_user()

    mine = services.place_order(shop["user"], lines(shop), idempotency_key="k", now=NOW)
    theirs = services.place_order(other, lines(shop), idempotency_key="k", now=NOW)

    assert mine.created and theirs.created
    assert mine.order.id != theirs.order.id


def _pending(user, key: str, request: dict[str, Any], claimed_at: dt.datetime) -> None:
    db.session.add(
        IdempotencyKey(
            user_id=user.id,
            key=key,
            request_hash=fingerprint(request),
            status="pending",
            claimed_at=claimed_at,
        )
    )
    db.session.commit()


def _request(shop) -> dict[str, Any]:
    return {"merchant": None, "delivery_date": None, "lines": lines(shop), "note": ""}


def test_a_key_still_being_processed_is_a_conflict(shop):
    _pending(shop["user"], "k", _request(shop), NOW - dt.timedelta(seconds=5))

    with pytest.raises(IdempotencyKeyInUse):
        services.place_order(shop["user"], lines(shop), idempotency_key="k", now=NOW)

    assert order_count() == 0


def test_a_claim_left_by_a_dead_process_is_taken_over(shop):
    stale = NOW - idempotency.STALE_AFTER - dt.timedelta(seconds=1)
    _pending(shop["user"], "k", _request(shop), stale)

    placed = services.place_order(
        shop["user"], lines(shop), idempotency_key="k", now=NOW
    )

    assert placed.created
    assert key_rows() == [("k", "done", placed.order.id)]


def test_a_submitted_cart_is_emptied_with_the_order_and_known_by_its_token(shop):
    user, product = shop["user"], shop["product"]
    cart.set_qty(user.id, user.merchant_id, product.sku, 3)
    basket = cart.get_cart(user.id, user.merchant_id)
    key = "cart:" + basket.token

    placed = services.place_order(
        user,
        basket.as_lines(),
        idempotency_key=key,
        clear_cart=True,
        source="web",
        now=NOW,
    )

    assert cart.get_cart(user.id, user.merchant_id).is_empty
    assert idempotency.find_done(user.id, key) == placed.order.id


def test_a_refused_cart_submit_keeps_the_cart(shop):
    user, product = shop["user"], shop["product"]
    cart.set_qty(user.id, user.merchant_id, product.sku, 11)
    basket = cart.get_cart(user.id, user.merchant_id)

    with pytest.raises(OutOfStock):
        services.place_order(
            user,
            basket.as_lines(),
            idempotency_key="cart:" + basket.token,
            clear_cart=True,
            now=NOW,
        )

    assert cart.cart_count(user.id, user.merchant_id) == 1
    assert idempotency.find_done(user.id, "cart:" + basket.token) is None


# --- the same key from eight threads at once ------------------------------------------


def test_eight_threads_with_one_key_make_exactly_one_order(any_db_app):
    product = stocked_product(100)
    user = merchant_user()
    body = [{"sku": product.sku, "qty": 3}]

    def submit(index: int) -> Any:
        return services.place_order(
            user_of(user.id), body, idempotency_key="double-click", now=NOW
        ).order.id

    results = run_threads(any_db_app, 8, submit)

    assert unexpected(results) == []
    orders = {r for r in results if isinstance(r, int)}
    assert len(orders) == 1
    assert all(isinstance(r, (int, IdempotencyKeyInUse)) for r in results)
    assert order_count() == 1
    assert reserved_qty(product.id) == 3
    assert run_checks() == {}


def test_eight_threads_with_one_key_and_two_bodies_make_at_most_one_order(any_db_app):
    product = stocked_product(100)
    user = merchant_user()

    def submit(index: int) -> Any:
        body = [{"sku": product.sku, "qty": 1 + index % 2}]
        return services.place_order(
            user_of(user.id), body, idempotency_key="two-tabs", now=NOW
        ).order.id

    results = run_threads(any_db_app, 8, submit)

    assert unexpected(results) == []
    assert len({r for r in results if isinstance(r, int)}) == 1
    assert all(
        isinstance(r, (int, IdempotencyKeyInUse, ValidationFailed)) for r in results
    )
    assert order_count() == 1
    order = db.session.scalars(sa.select(Order)).one()
    assert reserved_qty(product.id) == order.lines[0].qty
    assert run_checks() == {}


def test_after_a_rush_the_key_answers_with_the_order_it_made(any_db_app):
    product = stocked_product(100)
    user = merchant_user()
    body = [{"sku": product.sku, "qty": 3}]
    results = run_threads(
        any_db_app,
        8,
        lambda i: services.place_order(
            user_of(user.id), body, idempotency_key="retry", now=NOW
        ).order.id,
    )
    [made] = {r for r in results if isinstance(r, int)}

    retry = services.place_order(user, body, idempotency_key="retry", now=NOW)

    assert (retry.order.id, retry.created) == (made, False)
