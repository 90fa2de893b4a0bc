"""Stock models (owner: stock). Minimal core; extended by the stock work."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from supplychain.database import TimestampMixin
from supplychain.extensions import db

__all__ = ["Warehouse"]


class Warehouse(TimestampMixin, db.Model):
    __tablename__ = "warehouses"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    is_default: Mapped[bool] = mapped_column(default=False)
