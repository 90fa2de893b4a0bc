"""演示数据 loaded into a real database: counts, invariants, prices, logins, back-dating."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from supplychain.auth import services as auth_services
from supplychain.auth.models import User
from supplychain.bootstrap import ensure_reference_data
from supplychain.catalog.models import Product, ProductPrice, ProductSupplier
from supplychain.catalog.services import price_for
from supplychain.checks import run_checks
from supplychain.delivery.models import Vehicle
from supplychain.demo.generator import generate
from supplychain.demo.services import demo_logins, load_demo_distributor
from supplychain.extensions import db
from supplychain.merchants.models import Merchant, MerchantContact
from supplychain.stock.demo import STAGED
from supplychain.stock.models import (
    Bin,
    Location,
    Lot,
    StockLevel,
    StockMove,
    Warehouse,
)
from tests.conftest import make_app
from tests.support.demo import HISTORY, history_move_count

# one loaded database for the whole module: keep its tests on one xdist worker
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo-loaded")]
STORES, SEED, PRODUCTS = 20, 1, 60  # the full 300 products: tests/bench/demo.py
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One database with the 20-store demo, shared by this module's read-only tests."""
    tmp = tmp_path_factory.mktemp("demo")
    app = make_app(f"sqlite:///{tmp / 'demo.sqlite'}", tmp)
    with pytest.MonkeyPatch.context() as patch, app.app_context():
        patch.setattr(auth_services, "_hasher", FAST_HASHER)  # argon2 is slow by design
        db.create_all()
        ensure_reference_data()
        result = load_demo_distributor(STORES, SEED, products=PRODUCTS)
        yield result
        db.session.remove()
        db.engine.dispose()


def count(model: Any) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_every_invariant_of_supplychain_check_holds_after_loading(loaded):
    assert run_checks() == {}


def test_loads_the_generated_counts(loaded):
    demo = generate(STORES, SEED, products=PRODUCTS)

    assert loaded.loaded and not loaded.wiped
    assert count(Merchant) == STORES
    assert count(Product) == len(demo.products) == PRODUCTS
    assert count(ProductSupplier) == len(demo.product_suppliers)
    assert count(ProductPrice) == 3 * len(demo.products)
    assert count(MerchantContact) == len(demo.contacts)
    assert count(User) == len(demo.users)
    assert count(Vehicle) == 12
    assert (
        history_move_count()
        == len(demo.stock_events)
        == loaded.summary.counts["stock moves"]
    )
    assert loaded.summary.counts["stock documents"] > 0


def test_the_default_warehouse_is_laid_out_as_the_hangzhou_main_warehouse(loaded):
    warehouses = {w.code: w for w in db.session.scalars(sa.select(Warehouse))}

    assert set(warehouses) == {"MAIN", "XS"}
    assert warehouses["MAIN"].is_default and warehouses["MAIN"].name == "杭州主仓"
    assert warehouses["MAIN"].n_aisles == 12
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Bin.id)).where(
                Bin.warehouse_id == warehouses["XS"].id
            )
        )
        == 6 * 1 * 10 * 2 * 2
    )


def test_stock_on_hand_is_what_the_generated_history_leaves(loaded):
    expected: Counter = Counter()
    for event in generate(STORES, SEED, products=PRODUCTS).stock_events:
        expected[(event.warehouse, event.sku)] += (
            -event.qty if event.kind == "issue" else event.qty
        )
    staged = {
        (code, sku)
        for side in (StockMove.to_location_id, StockMove.from_location_id)
        for code, sku in db.session.execute(
            sa.select(Warehouse.code, Product.sku)
            .join(Location, Location.warehouse_id == Warehouse.id)
            .join(StockMove, side == Location.id)
            .join(Product, Product.id == StockMove.product_id)
            .where(~HISTORY)
        )
    }
    actual = {
        (code, sku): on_hand
        for code, sku, on_hand in db.session.execute(
            sa.select(Warehouse.code, Product.sku, StockLevel.on_hand_qty)
            .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
            .join(Product, Product.id == StockLevel.product_id)
        )
    }

    # purchase-to-order items reserved by the demo's open orders have a level with
    # nothing on hand; reservations themselves are checked against the orders. The
    # stock demo's documents move a few products after the history (run_checks proves
    # those levels equal their moves).
    assert staged and len(staged) < len(expected) // 4
    assert {k: v for k, v in actual.items() if v and k not in staged} == {
        key: qty for key, qty in expected.items() if qty and key not in staged
    }
    assert run_checks() == {}


def test_moves_are_back_dated_over_the_last_month(loaded):
    first, last = db.session.execute(
        sa.select(
            sa.func.min(StockMove.created_at), sa.func.max(StockMove.created_at)
        ).where(HISTORY)
    ).one()
    now = dt.datetime.now(dt.timezone.utc)

    assert dt.timedelta(days=30) < now - first < dt.timedelta(days=33)
    assert dt.timedelta(hours=0) < now - last < dt.timedelta(days=2)


def test_lots_of_lot_tracked_products_expire_in_the_future_but_the_staged_one(loaded):
    lots = db.session.execute(
        sa.select(Lot.id, Lot.expiry_date, Product.is_lot_tracked).join(Product)
    ).all()
    staged = set(
        db.session.scalars(
            sa.select(StockMove.lot_id).where(StockMove.reference_type == STAGED)
        )
    )

    assert lots and all(tracked for _, _, tracked in lots)
    expired = {lot_id for lot_id, expiry, _ in lots if expiry <= dt.date.today()}
    assert expired == staged and len(staged) == 1


def test_merchants_pay_their_negotiated_price_else_their_grade_price(loaded):
    demo = generate(STORES, SEED, products=PRODUCTS)
    products = {p.sku: p for p in demo.products}
    negotiated = {(mp.merchant_code, mp.sku): mp.price for mp in demo.merchant_prices}
    ids = dict(db.session.execute(sa.select(Merchant.code, Merchant.id)).all())
    product_ids = dict(db.session.execute(sa.select(Product.sku, Product.id)).all())

    for merchant in demo.merchants[:: max(1, STORES // 5)] + demo.merchants[-2:]:
        for sku in list(products)[:5] + [
            sku for code, sku in negotiated if code == merchant.code
        ]:
            expected = negotiated.get(
                (merchant.code, sku),
                dict(products[sku].grade_prices)[merchant.price_grade],
            )
            assert price_for(product_ids[sku], ids[merchant.code]) == expected
    assert all(isinstance(price, Decimal) for price in negotiated.values())


def test_every_demo_login_works_with_its_documented_password(loaded):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(auth_services, "_hasher", FAST_HASHER)
        logins = demo_logins()

        assert [login.username for login in logins][:2] == ["admin", "sales"]
        assert all(login.password_works for login in logins)
        assert (
            auth_services.authenticate("store1", "demo-merchant-2026").merchant.code
            == "S0001"
        )
        assert auth_services.authenticate("admin", "wrong password") is None
    roles = {login.role for login in logins}
    assert roles == {
        "admin",
        "sales",
        "buyer",
        "warehouse",
        "warehouse_manager",
        "dispatcher",
        "driver",
        "finance",
        "merchant",
    }
