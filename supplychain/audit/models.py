"""AuditLog rows: who, when, what, before and after."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from supplychain.database import UTCDateTime, utcnow
from supplychain.extensions import db


class AuditLog(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        sa.Integer
    )  # users.id; no FK: logs outlive users
    actor: Mapped[str] = mapped_column(sa.String(120))  # "admin", "cli", "job:abc123"
    action: Mapped[str] = mapped_column(sa.String(10))  # create | update | delete
    entity: Mapped[str] = mapped_column(sa.String(60), index=True)  # table name
    entity_id: Mapped[str] = mapped_column(sa.String(60), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
