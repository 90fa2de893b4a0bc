"""打包配送 delivery models: the fleet of vans (minimal; the delivery feature extends it).

A vehicle is based at one warehouse and works one shift a day (local wall-clock times).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from supplychain.database import TimestampMixin
from supplychain.extensions import db

__all__ = ["Vehicle"]


class Vehicle(TimestampMixin, db.Model):
    __tablename__ = "vehicles"
    __audited__ = True
    __table_args__ = (
        sa.CheckConstraint("capacity_boxes > 0", name="capacity_boxes_positive"),
        sa.CheckConstraint("capacity_kg > 0", name="capacity_kg_positive"),
        sa.CheckConstraint("shift_start < shift_end", name="shift_start_before_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    plate: Mapped[str] = mapped_column(sa.String(20), unique=True)  # e.g. 浙A·D12345
    capacity_boxes: Mapped[int] = mapped_column(sa.Integer)  # cartons of any size
    capacity_kg: Mapped[int] = mapped_column(sa.Integer)  # payload in whole kilograms
    home_warehouse_id: Mapped[int] = mapped_column(
        sa.ForeignKey("warehouses.id"), index=True
    )
    shift_start: Mapped[dt.time] = mapped_column(sa.Time)  # local time
    shift_end: Mapped[dt.time] = mapped_column(sa.Time)
    is_active: Mapped[bool] = mapped_column(default=True)
