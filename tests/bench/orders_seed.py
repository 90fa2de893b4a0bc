"""Seed data for the 订单生成 (ordering) benchmark, written straight through the app's
models and services (not the API), in a few transactions, so it takes seconds.

One price grade; a flash-sale SKU with exactly ``flash_qty`` on hand; ``skus`` everyday
SKUs with plenty of stock and grade prices; ``merchants`` merchants on that grade with a
generous credit limit (so the credit check runs, as in production, but never refuses),
one merchant user each and one API bearer token each (``issue_token``).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

FLASH_SKU = "FLASH-AJT-01"
SKU_PREFIX = "BENCH-"
MERCHANT_PREFIX = "BM"
PASSWORD = "bench-password-2026"
CREDIT_LIMIT = Decimal("100000000.00")


@dataclass(frozen=True)
class Seeded:
    flash_sku: str
    flash_qty: int
    skus: tuple[str, ...]
    tokens: tuple[str, ...]  # one bearer token per merchant user
    merchant_codes: tuple[str, ...]
    seconds: float


def make_app(url: str, instance: str) -> Any:
    """The app on ``url`` with its instance folder in ``instance`` (a temp dir)."""
    from supplychain.app import create_app

    previous = os.environ.get("SUPPLYCHAIN_INSTANCE_PATH")
    os.environ["SUPPLYCHAIN_INSTANCE_PATH"] = instance
    try:
        return create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    finally:
        if previous is None:
            del os.environ["SUPPLYCHAIN_INSTANCE_PATH"]
        else:
            os.environ["SUPPLYCHAIN_INSTANCE_PATH"] = previous


def seed(
    app: Any,
    *,
    merchants: int = 200,
    skus: int = 10,
    flash_qty: int = 50,
    stock_per_sku: int = 1_000_000,
) -> Seeded:
    """Write the benchmark's master data and stock into an empty, migrated database."""
    from supplychain.auth.models import User
    from supplychain.auth.services import hash_password, issue_token
    from supplychain.bootstrap import ensure_reference_data
    from supplychain.catalog.models import PriceGrade, Product, ProductPrice
    from supplychain.extensions import db
    from supplychain.merchants.models import Merchant
    from supplychain.stock import ledger
    from supplychain.stock.queries import default_warehouse

    started = time.perf_counter()
    with app.app_context():
        ensure_reference_data()
        grade = PriceGrade(code="BENCH-STORE", name="门店价 bench")
        db.session.add(grade)
        flash = Product(
            sku=FLASH_SKU,
            name="艾灸贴 直播秒杀装",
            name_en="Moxa patch, live-stream deal",
            unit="盒",
            price=Decimal("39.90"),
        )
        everyday = [
            Product(
                sku=f"{SKU_PREFIX}{n:03d}",
                name=f"保健品 {n} 号",
                name_en=f"Health product {n}",
                unit="瓶" if n % 2 else "盒",
                price=Decimal("12.50") + n,
                case_qty=12,
            )
            for n in range(1, skus + 1)
        ]
        db.session.add_all([flash, *everyday])
        db.session.flush()
        db.session.add_all(
            ProductPrice(
                product_id=p.id,
                price_grade_id=grade.id,
                price=(p.price * Decimal("0.9")).quantize(Decimal("0.01")),
            )
            for p in everyday
        )
        shops = [
            Merchant(
                code=f"{MERCHANT_PREFIX}{n:04d}",
                name=f"杭州健康小店 压测 {n} 号",
                address=f"杭州市西湖区文三路 {n} 号",
                lat=30.27 + n / 10_000,
                lon=120.15 + n / 10_000,
                price_grade_id=grade.id,
                credit_limit=CREDIT_LIMIT,
            )
            for n in range(1, merchants + 1)
        ]
        db.session.add_all(shops)
        db.session.flush()
        password_hash = hash_password(PASSWORD)  # argon2 once, shared by every user
        users = [
            User(
                username=f"bench-{shop.code.lower()}",
                display_name=shop.name,
                password_hash=password_hash,
                role="merchant",
                merchant_id=shop.id,
            )
            for shop in shops
        ]
        db.session.add_all(users)
        db.session.commit()

        warehouse_id = default_warehouse().id
        ledger.post_adjustment(flash.id, warehouse_id, flash_qty, "bench flash stock")
        for product in everyday:
            ledger.post_adjustment(
                product.id, warehouse_id, stock_per_sku, "bench opening stock"
            )
        db.session.commit()

        hours = app.config["API_TOKEN_HOURS"]
        tokens = tuple(issue_token(user, hours=hours).access_token for user in users)
        result = Seeded(
            flash_sku=FLASH_SKU,
            flash_qty=flash_qty,
            skus=tuple(p.sku for p in everyday),
            tokens=tokens,
            merchant_codes=tuple(shop.code for shop in shops),
            seconds=0.0,
        )
        db.session.remove()
        db.engine.dispose()
    return replace(result, seconds=time.perf_counter() - started)


@dataclass(frozen=True)
class StockState:
    on_hand: int
    reserved: int
    orders_holding: int  # open orders with a line of the SKU
    units_on_orders: int  # Σ qty of those lines


def stock_state(app: Any, sku: str) -> StockState:
    """What the database says about one SKU after a run."""
    import sqlalchemy as sa

    from supplychain.catalog.models import Product
    from supplychain.extensions import db
    from supplychain.orders.models import Order, OrderLine
    from supplychain.orders.rules import OPEN_STATUSES
    from supplychain.stock.models import StockLevel

    with app.app_context():
        product_id = db.session.scalar(sa.select(Product.id).where(Product.sku == sku))
        level = db.session.execute(
            sa.select(
                sa.func.coalesce(sa.func.sum(StockLevel.on_hand_qty), 0),
                sa.func.coalesce(sa.func.sum(StockLevel.reserved_qty), 0),
            ).where(StockLevel.product_id == product_id)
        ).one()
        held = db.session.execute(
            sa.select(
                sa.func.count(sa.distinct(Order.id)),
                sa.func.coalesce(sa.func.sum(OrderLine.qty), 0),
            )
            .join(Order, Order.id == OrderLine.order_id)
            .where(OrderLine.product_id == product_id, Order.status.in_(OPEN_STATUSES))
        ).one()
        db.session.remove()
        db.engine.dispose()
    return StockState(int(level[0]), int(level[1]), int(held[0]), int(held[1]))
