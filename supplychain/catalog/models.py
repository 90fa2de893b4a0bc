"""商品管理 catalogue models: categories, products, price grades, grade and per-merchant
prices, suppliers and what each supplier delivers of a product.

Prices are exact money (Decimal, two places); quantities are integers in the product's
selling unit; weights and volumes are exact to three places (grams, millilitres).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supplychain.database import Measure, TimestampMixin
from supplychain.extensions import db

if TYPE_CHECKING:
    from supplychain.merchants.models import Merchant

__all__ = [
    "Category",
    "MerchantPrice",
    "PriceGrade",
    "Product",
    "ProductPrice",
    "ProductSupplier",
    "Supplier",
]


class Category(TimestampMixin, db.Model):
    """A product category (商品分类); categories may nest one under another."""

    __tablename__ = "categories"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(30), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    name_en: Mapped[str] = mapped_column(sa.String(120), default="")
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("categories.id"), index=True
    )
    sort: Mapped[int] = mapped_column(default=0)

    parent: Mapped[Category | None] = relationship(remote_side=[id])


class PriceGrade(TimestampMixin, db.Model):
    """A price grade (价格等级), e.g. RETAIL 门店价, LEADER 团长价, WHOLESALE 批发价."""

    __tablename__ = "price_grades"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(30), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))


class Product(TimestampMixin, db.Model):
    """A SKU. ``price`` is the list price; grade and per-merchant prices override it."""

    __tablename__ = "products"
    __audited__ = True
    __table_args__ = (
        sa.CheckConstraint("price >= 0", name="price_not_negative"),
        sa.CheckConstraint("case_qty >= 1", name="case_qty_positive"),
        sa.CheckConstraint("min_order_qty >= 1", name="min_order_qty_positive"),
        sa.CheckConstraint("order_step >= 1", name="order_step_positive"),
        sa.CheckConstraint(
            "shelf_life_days IS NULL OR shelf_life_days >= 1",
            name="shelf_life_positive",
        ),
        sa.CheckConstraint(
            "weight_kg IS NULL OR weight_kg >= 0", name="weight_not_negative"
        ),
        sa.CheckConstraint(
            "volume_l IS NULL OR volume_l >= 0", name="volume_not_negative"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200), default="")
    unit: Mapped[str] = mapped_column(sa.String(200))
    price: Mapped[Decimal]  # list price; grades and per-merchant prices override it
    case_qty: Mapped[int] = mapped_column(default=1)
    category_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("categories.id"), index=True
    )
    barcode: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    image_path: Mapped[str | None] = mapped_column(
        sa.String(255)
    )  # under the instance folder
    shelf_life_days: Mapped[int | None]
    min_order_qty: Mapped[int] = mapped_column(default=1)
    order_step: Mapped[int] = mapped_column(default=1)
    weight_kg: Mapped[Decimal | None] = mapped_column(Measure())
    volume_l: Mapped[Decimal | None] = mapped_column(Measure())
    description: Mapped[str] = mapped_column(sa.Text, default="")
    is_stocked: Mapped[bool] = mapped_column(default=True)
    is_lot_tracked: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)

    category: Mapped[Category | None] = relationship()


class ProductPrice(TimestampMixin, db.Model):
    """The price of a product for one price grade."""

    __tablename__ = "product_prices"
    __audited__ = True
    __table_args__ = (
        sa.UniqueConstraint("product_id", "price_grade_id"),
        sa.CheckConstraint("price >= 0", name="price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"), index=True)
    price_grade_id: Mapped[int] = mapped_column(
        sa.ForeignKey("price_grades.id"), index=True
    )
    price: Mapped[Decimal]

    product: Mapped[Product] = relationship()
    price_grade: Mapped[PriceGrade] = relationship()


class MerchantPrice(TimestampMixin, db.Model):
    """A negotiated price for one merchant (商户专属价); beats the merchant's grade price."""

    __tablename__ = "merchant_prices"
    __audited__ = True
    __table_args__ = (
        sa.UniqueConstraint("merchant_id", "product_id"),
        sa.CheckConstraint("price >= 0", name="price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(sa.ForeignKey("merchants.id"), index=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"), index=True)
    price: Mapped[Decimal]

    product: Mapped[Product] = relationship()
    merchant: Mapped[Merchant] = relationship()


class Supplier(TimestampMixin, db.Model):
    """A supplier (供应商) that purchase orders go to."""

    __tablename__ = "suppliers"
    __audited__ = True
    __table_args__ = (
        sa.CheckConstraint("lead_time_days >= 0", name="lead_time_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(30), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    contact: Mapped[str] = mapped_column(sa.String(120), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    lead_time_days: Mapped[int] = mapped_column(default=1)
    is_active: Mapped[bool] = mapped_column(default=True)


class ProductSupplier(TimestampMixin, db.Model):
    """What a supplier delivers of a product: its code, cost, case pack and minimum
    order.

    At most one supplier per product is preferred (a partial unique index on both
    databases). ``lead_time_days`` None means the supplier's own lead time."""

    __tablename__ = "product_suppliers"
    __audited__ = True
    __table_args__ = (
        sa.UniqueConstraint("product_id", "supplier_id"),
        sa.CheckConstraint("cost_price >= 0", name="cost_price_not_negative"),
        sa.CheckConstraint("case_qty >= 1", name="case_qty_positive"),
        sa.CheckConstraint("moq >= 1", name="moq_positive"),
        sa.CheckConstraint(
            "lead_time_days IS NULL OR lead_time_days >= 0",
            name="lead_time_not_negative",
        ),
        sa.Index(
            "uq_product_suppliers_preferred",
            "product_id",
            unique=True,
            sqlite_where=sa.text("is_preferred"),
            postgresql_where=sa.text("is_preferred"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("suppliers.id"), index=True)
    supplier_sku: Mapped[str] = mapped_column(sa.String(60), default="")
    cost_price: Mapped[Decimal]
    case_qty: Mapped[int] = mapped_column(default=1)
    moq: Mapped[int] = mapped_column(default=1)
    lead_time_days: Mapped[int | None]
    is_preferred: Mapped[bool] = mapped_column(default=False)

    product: Mapped[Product] = relationship()
    supplier: Mapped[Supplier] = relationship()
