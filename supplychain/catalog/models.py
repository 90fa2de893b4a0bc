"""Catalogue models (owner: catalog). Minimal core; extended by the catalogue work."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from supplychain.database import TimestampMixin
from supplychain.extensions import db

__all__ = ["PriceGrade", "Product"]


class PriceGrade(TimestampMixin, db.Model):
    __tablename__ = "price_grades"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(30), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))


class Product(TimestampMixin, db.Model):
    __tablename__ = "products"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    unit: Mapped[str] = mapped_column(sa.String(200))
    price: Mapped[Decimal]  # list price; grades and per-merchant prices override it
    case_qty: Mapped[int] = mapped_column(default=1)
    is_stocked: Mapped[bool] = mapped_column(default=True)
    is_lot_tracked: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
