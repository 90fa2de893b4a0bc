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
