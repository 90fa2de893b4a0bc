"""Merchant models (owner: merchants). Minimal core; extended by the merchants work."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from supplychain.database import TimestampMixin
from supplychain.extensions import db

__all__ = ["Merchant"]


class Merchant(TimestampMixin, db.Model):
    __tablename__ = "merchants"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(30), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    lat: Mapped[float | None] = mapped_column(sa.Float)  # WGS-84 degrees (not money)
    lon: Mapped[float | None] = mapped_column(sa.Float)
    price_grade_id: Mapped[int | None] = mapped_column(sa.ForeignKey("price_grades.id"))
    credit_limit: Mapped[Decimal | None]  # None = unlimited
    is_active: Mapped[bool] = mapped_column(default=True)
