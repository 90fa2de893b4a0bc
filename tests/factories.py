"""factory_boy factories, bound to the test app's session by conftest (factories.bind).

Each feature appends its factories here; keep them minimal and valid by default.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory
from factory.alchemy import SQLAlchemyModelFactory

from supplychain.auth.models import User
from supplychain.auth.services import hash_password
from supplychain.catalog.models import PriceGrade, Product
from supplychain.merchants.models import Merchant
from supplychain.stock.models import Warehouse

PASSWORD = "correct horse 42"
_PASSWORD_HASH = hash_password(PASSWORD)  # argon2 is slow by design: hash once per run

ALL_FACTORIES: list[type[SQLAlchemyModelFactory]] = []


def bind(session: Any) -> None:
    for factory_class in ALL_FACTORIES:
        factory_class._meta.sqlalchemy_session = session


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_persistence = "commit"

    @classmethod
    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        ALL_FACTORIES.append(cls)


class PriceGradeFactory(Base):
    class Meta:
        model = PriceGrade

    code = factory.Sequence(lambda n: f"G{n}")
    name = factory.Sequence(lambda n: f"价格等级 {n}")


class ProductFactory(Base):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU{n:05d}")
    name = factory.Sequence(lambda n: f"艾灸贴 {n}号")
    unit = "盒"
    price = Decimal("12.50")


class MerchantFactory(Base):
    class Meta:
        model = Merchant

    code = factory.Sequence(lambda n: f"M{n:04d}")
    name = factory.Sequence(lambda n: f"杭州健康小店 {n}")
    address = "杭州市西湖区文三路 1 号"
    lat = 30.2741
    lon = 120.1551


class WarehouseFactory(Base):
    class Meta:
        model = Warehouse

    code = factory.Sequence(lambda n: f"WH{n}")
    name = factory.Sequence(lambda n: f"仓库 {n}")


class UserFactory(Base):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.LazyAttribute(lambda o: o.username)
    password_hash = _PASSWORD_HASH
    role = "admin"
    merchant = None
    merchant_id = factory.LazyAttribute(lambda o: o.merchant.id if o.merchant else None)

    class Params:
        pass


def merchant_user(merchant: Merchant | None = None, **kwargs: Any) -> User:
    merchant = merchant or MerchantFactory()
    return UserFactory(role="merchant", merchant=merchant, **kwargs)


# --- merchants (商户管理) ---------------------------------------------------------------
from supplychain.merchants.models import MerchantContact  # noqa: E402


class MerchantContactFactory(Base):
    class Meta:
        model = MerchantContact

    merchant = factory.SubFactory(MerchantFactory)
    name = factory.Sequence(lambda n: f"联系人 {n}")
    role = "店长"
    phone = "0571-88000000"


# --- jobs (后台任务) ----------------------------------------------------------------------
import uuid as _uuid  # noqa: E402

from supplychain.jobs.models import JobRun  # noqa: E402


class JobRunFactory(Base):
    """A JobRun row as if the demo job had run (no job is executed)."""

    class Meta:
        model = JobRun

    id = factory.LazyFunction(lambda: _uuid.uuid4().hex)
    kind = "jobs.demo"
    title = factory.Sequence(lambda n: f"job {n}")
    target = "supplychain.jobs.demo:count_to_job"
    args = factory.LazyFunction(lambda: [1])
    status = "finished"
    progress = 100
    attempts = 1
    user = None
    user_id = factory.LazyAttribute(lambda o: o.user.id if o.user else None)


# --- catalog (商品管理) -------------------------------------------------------------------
from supplychain.catalog.models import (  # noqa: E402
    Category,
    MerchantPrice,
    ProductPrice,
    ProductSupplier,
    Supplier,
)


class CategoryFactory(Base):
    class Meta:
        model = Category

    code = factory.Sequence(lambda n: f"C{n:03d}")
    name = factory.Sequence(lambda n: f"保健品 {n}")


class ProductPriceFactory(Base):
    class Meta:
        model = ProductPrice

    product = factory.SubFactory(ProductFactory)
    price_grade = factory.SubFactory(PriceGradeFactory)
    price = Decimal("11.00")


class MerchantPriceFactory(Base):
    class Meta:
        model = MerchantPrice

    merchant = factory.SubFactory(MerchantFactory)
    product = factory.SubFactory(ProductFactory)
    price = Decimal("10.00")


class SupplierFactory(Base):
    class Meta:
        model = Supplier

    code = factory.Sequence(lambda n: f"S{n:03d}")
    name = factory.Sequence(lambda n: f"杭州供应商 {n}")
    lead_time_days = 1


class ProductSupplierFactory(Base):
    class Meta:
        model = ProductSupplier

    product = factory.SubFactory(ProductFactory)
    supplier = factory.SubFactory(SupplierFactory)
    cost_price = Decimal("8.00")
    is_preferred = True


# --- delivery (vehicles; the demo feature) --------------------------------------------
import datetime as _dt  # noqa: E402

from supplychain.delivery.models import Vehicle  # noqa: E402


class VehicleFactory(Base):
    class Meta:
        model = Vehicle

    code = factory.Sequence(lambda n: f"V{n:03d}")
    name = factory.Sequence(lambda n: f"{n}号车 上汽大通 EV30")
    plate = factory.Sequence(lambda n: f"浙A·D{n:05d}")
    capacity_boxes = 90
    capacity_kg = 900
    home_warehouse_id = factory.LazyFunction(lambda: WarehouseFactory().id)
    shift_start = _dt.time(7, 0)
    shift_end = _dt.time(15, 0)


# --- orders (订单生成) --------------------------------------------------------------------


def stocked_product(qty: int = 100, **kwargs: Any) -> Product:
    """A product with ``qty`` on hand in the default warehouse (through the ledger)."""
    from supplychain.extensions import db
    from supplychain.stock import ledger
    from supplychain.stock.queries import default_warehouse

    product = ProductFactory(**kwargs)
    if qty:
        ledger.post_adjustment(
            product.id, default_warehouse().id, qty, reason="test stock"
        )
    db.session.commit()
    return product


# --- stock reports (进销存报表) ------------------------------------------------------


def last_month_stock_history() -> dict[str, Any]:
    """Moves dated last month (local days) in MAIN: a lot-tracked 阿胶糕 received (100
    at 2.00, lot LOT-A expiring in 30 days) and partly issued (30); a second product
    received (10 at 9.99) and written off (1, "damage"), whose name starts with "=" (a
    formula for a spreadsheet). Returns the period's first and last day and the
    products."""
    import datetime as dt

    from supplychain.extensions import db
    from supplychain.stock import ledger, reports
    from supplychain.stock.expiry import local_today
    from supplychain.stock.queries import default_warehouse

    first, last = reports.last_month()
    start = reports.local_midnight(first)
    main = default_warehouse()
    cake = ProductFactory(sku="RP-1", name="东阿阿胶 阿胶糕", is_lot_tracked=True)
    odd = ProductFactory(sku="RP-2", name="=1+2 艾灸贴")
    ledger.post_receipt(
        cake.id, main.id, 100, lot="LOT-A",
        expiry_date=local_today() + dt.timedelta(days=30),
        unit_cost=Decimal("2.00"), created_at=start + dt.timedelta(hours=10),
    )  # fmt: skip
    ledger.post_receipt(
        odd.id, main.id, 10, unit_cost=Decimal("9.99"),
        created_at=start + dt.timedelta(hours=11),
    )  # fmt: skip
    ledger.post_issue(
        cake.id, main.id, 30, created_at=start + dt.timedelta(days=5, hours=9)
    )
    ledger.post_adjustment(
        odd.id, main.id, -1, "damage", created_at=start + dt.timedelta(days=6)
    )
    db.session.commit()
    return {"first": first, "last": last, "cake": cake, "odd": odd, "main": main}
