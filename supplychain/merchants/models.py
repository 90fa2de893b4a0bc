"""商户管理 merchant models: stores (门店), group-buy leaders (团长) and wholesale customers
(批发客户), and their contacts.

A merchant is found by its ``code`` (the natural key). ``credit_limit`` None means
unlimited; delivery windows are local wall-clock times (the app's TIMEZONE) and never
span midnight.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supplychain.database import TimestampMixin
from supplychain.extensions import db
from supplychain.merchants.values import KINDS as MERCHANT_KINDS

if TYPE_CHECKING:
    from supplychain.catalog.models import PriceGrade
    from supplychain.orders.models import OrderingGroup

__all__ = ["MERCHANT_KINDS", "Merchant", "MerchantContact"]


class Merchant(TimestampMixin, db.Model):
    """A customer of the distributor; its users see only its own data."""

    __tablename__ = "merchants"
    __audited__ = True
    __table_args__ = (
        sa.CheckConstraint(
            "lat IS NULL OR (lat >= -90 AND lat <= 90)", name="lat_in_range"
        ),
        sa.CheckConstraint(
            "lon IS NULL OR (lon >= -180 AND lon <= 180)", name="lon_in_range"
        ),
        sa.CheckConstraint(
            "credit_limit IS NULL OR credit_limit >= 0",
            name="credit_limit_not_negative",
        ),
        sa.CheckConstraint(
            "payment_terms_days >= 0", name="payment_terms_not_negative"
        ),

        sa.CheckConstraint(
            "kind IN ('store', 'group_leader', 'wholesale')", name="kind_known"
        ),
        sa.CheckConstraint(
            "(delivery_window_start IS NULL AND delivery_window_end IS NULL) OR "
            "(delivery_window_start IS NOT NULL AND delivery_window_end IS NOT NULL "
            "AND delivery_window_start < delivery_window_end)",
            name="delivery_window_ordered",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(30), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200), default="")
    kind: Mapped[str] = mapped_column(sa.String(20), default="store", index=True)
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    district: Mapped[str] = mapped_column(
        sa.String(40), default="", index=True
    )  # 西湖区
    lat: Mapped[float | None] = mapped_column(sa.Float)  # WGS-84 degrees (not money)
    lon: Mapped[float | None] = mapped_column(sa.Float)
    delivery_window_start: Mapped[dt.time | None] = mapped_column(sa.Time)  # local time
    delivery_window_end: Mapped[dt.time | None] = mapped_column(sa.Time)
    price_grade_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("price_grades.id"), index=True
    )
    credit_limit: Mapped[Decimal | None]  # None = unlimited
    payment_terms_days: Mapped[int] = mapped_column(default=0)  # 0 = cash on delivery
    contact_name: Mapped[str] = mapped_column(sa.String(80), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    note: Mapped[str] = mapped_column(
        sa.Text, default=""
    )  # internal; not shown to the merchant
    is_active: Mapped[bool] = mapped_column(default=True)
    # lots delivered to this merchant must keep at least this many days before expiry
    # on the delivery day (None: only the expiry rule itself)
    min_shelf_life_days: Mapped[int | None]
    # ordering calendar overrides (订单截单): group beats route beats the distributor
    route_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("ordering_groups.id"), index=True
    )
    group_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("ordering_groups.id"), index=True
    )

    price_grade: Mapped[PriceGrade | None] = relationship()
    route: Mapped[OrderingGroup | None] = relationship(foreign_keys=[route_id])
    group: Mapped[OrderingGroup | None] = relationship(foreign_keys=[group_id])
    contacts: Mapped[list[MerchantContact]] = relationship(
        back_populates="merchant",
        cascade="all, delete-orphan",
        order_by="(MerchantContact.is_primary.desc(), MerchantContact.id)",
    )

    @property
    def delivery_window(self) -> tuple[dt.time, dt.time] | None:
        if self.delivery_window_start is None or self.delivery_window_end is None:
            return None
        return self.delivery_window_start, self.delivery_window_end

    @property
    def has_coordinates(self) -> bool:
        return self.lat is not None and self.lon is not None


class MerchantContact(TimestampMixin, db.Model):
    """A person at a merchant (店长, 老板, 收货人…); at most one is the primary contact."""

    __tablename__ = "merchant_contacts"
    __audited__ = True
    __table_args__ = (
        sa.Index(
            "uq_merchant_contacts_primary",
            "merchant_id",
            unique=True,
            sqlite_where=sa.text("is_primary"),
            postgresql_where=sa.text("is_primary"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("merchants.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(80))
    role: Mapped[str] = mapped_column(sa.String(40), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    wechat: Mapped[str] = mapped_column(sa.String(60), default="")
    is_primary: Mapped[bool] = mapped_column(default=False)

    merchant: Mapped[Merchant] = relationship(back_populates="contacts")
