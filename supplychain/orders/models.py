"""订单 order models.

An order belongs to one merchant, is delivered on one ``delivery_date`` from one
warehouse, and snapshots on each line what the merchant saw when ordering: SKU, name,
unit and unit price. ``OrderLine.reserved_qty`` is what the line holds reserved in the
stock ledger right now (the ``orders.checks`` invariant: per product and warehouse the
ledger's reserved quantity equals the sum over open order lines).

Numbers read well on the phone: ``SO-<delivery date>-<NNNN>``, counted per delivery
date in ``order_number_counters``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supplychain.database import TimestampMixin, utcnow
from supplychain.extensions import db

if TYPE_CHECKING:
    from supplychain.catalog.models import Product
    from supplychain.merchants.models import Merchant

__all__ = [
    "CartLine",
    "DeliveryHoliday",
    "IdempotencyKey",
    "Order",
    "OrderLine",
    "OrderNumberCounter",
    "OrderingGroup",
    "OrderingSettings",
    "StandingOrder",
    "StandingOrderLine",
    "StandingOrderRun",
]

ORDER_STATUSES = (
    "placed",
    "confirmed",
    "picking",
    "delivered",
    "invoiced",
    "cancelled",
)
ORDER_SOURCES = ("web", "api", "staff", "import", "standing")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class OrderingSettings(TimestampMixin, db.Model):
    """The distributor's ordering calendar (one row, id 1; absent ⇒ the defaults of
    ``calendar.DEFAULT_*``)."""

    __tablename__ = "ordering_settings"
    __audited__ = True
    __table_args__ = (
        sa.CheckConstraint("lead_days >= 1 AND lead_days <= 7", name="lead_days_range"),
        sa.CheckConstraint(
            "horizon_days >= 1 AND horizon_days <= 90", name="horizon_days_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cutoff_time: Mapped[dt.time] = mapped_column(sa.Time)  # local wall clock
    # ISO weekdays that are delivery days, e.g. "123456" = Monday to Saturday
    delivery_weekdays: Mapped[str] = mapped_column(sa.String(7), default="1234567")
    lead_days: Mapped[int] = mapped_column(default=1)  # cutoff on D - lead_days
    horizon_days: Mapped[int] = mapped_column(default=14)  # how far ahead one may order


class OrderingGroup(TimestampMixin, db.Model):
    """A fixed delivery route (线路, kind ``route``) or a merchant group (kind
    ``group``) whose cutoff and delivery weekdays override the distributor's. A
    merchant's group beats its route, which beats the distributor's settings."""

    __tablename__ = "ordering_groups"
    __audited__ = True
    __table_args__ = (
        sa.CheckConstraint("kind IN ('route', 'group')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(30), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[str] = mapped_column(sa.String(10), default="group")
    cutoff_time: Mapped[dt.time | None] = mapped_column(sa.Time)
    delivery_weekdays: Mapped[str | None] = mapped_column(sa.String(7))


class DeliveryHoliday(TimestampMixin, db.Model):
    """A date with no deliveries (春节, 国庆…)."""

    __tablename__ = "delivery_holidays"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    date: Mapped[dt.date] = mapped_column(sa.Date, unique=True)
    name: Mapped[str] = mapped_column(sa.String(100), default="")


class OrderNumberCounter(db.Model):
    """Last order number used per delivery date (one upsert per new order)."""

    __tablename__ = "order_number_counters"

    day: Mapped[dt.date] = mapped_column(sa.Date, primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)


class Order(TimestampMixin, db.Model):
    __tablename__ = "orders"
    __audited__ = True
    __table_args__ = (
        sa.CheckConstraint(_in("status", ORDER_STATUSES), name="status_known"),
        sa.CheckConstraint(_in("source", ORDER_SOURCES), name="source_known"),
        sa.CheckConstraint("total_amount >= 0", name="total_not_negative"),
        sa.Index("ix_orders_merchant_status", "merchant_id", "status"),
        sa.Index("ix_orders_delivery_status", "delivery_date", "status"),
        sa.Index(
            "uq_orders_standing_date",
            "standing_order_id",
            "delivery_date",
            unique=True,
            sqlite_where=sa.text("standing_order_id IS NOT NULL"),
            postgresql_where=sa.text("standing_order_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(30), unique=True)
    merchant_id: Mapped[int] = mapped_column(sa.ForeignKey("merchants.id"))
    warehouse_id: Mapped[int] = mapped_column(sa.ForeignKey("warehouses.id"))
    delivery_date: Mapped[dt.date] = mapped_column(sa.Date)
    cutoff_at: Mapped[dt.datetime]  # the instant edits stop (UTC)
    status: Mapped[str] = mapped_column(sa.String(20), default="placed")
    source: Mapped[str] = mapped_column(sa.String(20), default="web")
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    total_amount: Mapped[Decimal]
    placed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    placed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    confirmed_at: Mapped[dt.datetime | None]
    cancelled_at: Mapped[dt.datetime | None]
    cancelled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # staff overrides, each with the reason given (audited with the order)
    late_override_reason: Mapped[str] = mapped_column(sa.String(200), default="")
    credit_override_reason: Mapped[str] = mapped_column(sa.String(200), default="")
    standing_order_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("standing_orders.id"), index=True
    )

    merchant: Mapped[Merchant] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order",
        cascade="all, delete-orphan",
        order_by="OrderLine.position",
    )

    @property
    def is_open(self) -> bool:
        """Still holding stock for the merchant (not delivered, not cancelled)."""
        return self.status in ("placed", "confirmed", "picking")


class OrderLine(db.Model):
    __tablename__ = "order_lines"
    __audited__ = True
    __table_args__ = (
        sa.UniqueConstraint("order_id", "product_id"),
        sa.CheckConstraint("qty > 0", name="qty_positive"),
        sa.CheckConstraint("reserved_qty >= 0", name="reserved_not_negative"),
        sa.CheckConstraint("unit_price >= 0", name="price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(
        sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"), index=True)
    # snapshots: what the merchant saw and agreed to
    sku: Mapped[str] = mapped_column(sa.String(40))
    name: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200), default="")
    unit: Mapped[str] = mapped_column(sa.String(200))
    qty: Mapped[int]
    unit_price: Mapped[Decimal]
    line_amount: Mapped[Decimal]
    reserved_qty: Mapped[int] = mapped_column(default=0)

    order: Mapped[Order] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()


class IdempotencyKey(db.Model):
    """One submit (an API ``Idempotency-Key`` or a web cart token) per user. Claimed
    (``pending``) in its own short transaction, then marked ``done`` with the order in
    the order's transaction; a failed submit deletes its claim so it can be retried."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "key"),
        sa.CheckConstraint("status IN ('pending', 'done')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(300))
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")
    order_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("orders.id", ondelete="SET NULL")
    )
    claimed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CartLine(db.Model):
    """What a user has put in the cart for a merchant (a staff user may hold carts for
    several merchants). Survives reloads and devices; emptied when the order is
    placed."""

    __tablename__ = "cart_lines"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "merchant_id", "product_id"),
        sa.CheckConstraint("qty > 0", name="qty_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    merchant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("merchants.id", ondelete="CASCADE")
    )
    product_id: Mapped[int] = mapped_column(
        sa.ForeignKey("products.id", ondelete="CASCADE")
    )
    qty: Mapped[int]
    added_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    product: Mapped[Product] = relationship()


class StandingOrder(TimestampMixin, db.Model):
    """周期送: the same lines on chosen delivery weekdays, generated as orders before
    each cutoff by ``standing.generate_due`` (idempotent per delivery date)."""

    __tablename__ = "standing_orders"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(sa.ForeignKey("merchants.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100), default="")
    weekdays: Mapped[str] = mapped_column(sa.String(7))  # ISO weekdays, "14" = Mon+Thu
    start_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    end_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    merchant: Mapped[Merchant] = relationship()
    lines: Mapped[list[StandingOrderLine]] = relationship(
        back_populates="standing_order",
        cascade="all, delete-orphan",
        order_by="StandingOrderLine.id",
    )


class StandingOrderLine(db.Model):
    __tablename__ = "standing_order_lines"
    __audited__ = True
    __table_args__ = (
        sa.UniqueConstraint("standing_order_id", "product_id"),
        sa.CheckConstraint("qty > 0", name="qty_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    standing_order_id: Mapped[int] = mapped_column(
        sa.ForeignKey("standing_orders.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"))
    qty: Mapped[int]

    standing_order: Mapped[StandingOrder] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()


class StandingOrderRun(db.Model):
    """What the generator did for one standing order and delivery date: ``created``
    (never again), or ``skipped`` with the reason shown to the merchant (tried again on
    the next run while the cutoff has not passed)."""

    __tablename__ = "standing_order_runs"
    __table_args__ = (
        sa.UniqueConstraint("standing_order_id", "delivery_date"),
        sa.CheckConstraint("outcome IN ('created', 'skipped')", name="outcome_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    standing_order_id: Mapped[int] = mapped_column(
        sa.ForeignKey("standing_orders.id", ondelete="CASCADE")
    )
    delivery_date: Mapped[dt.date] = mapped_column(sa.Date)
    outcome: Mapped[str] = mapped_column(sa.String(10))
    order_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("orders.id", ondelete="SET NULL")
    )
    message: Mapped[str] = mapped_column(sa.Text, default="")
    details: Mapped[str] = mapped_column(sa.Text, default="")  # JSON of short lines
    run_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
