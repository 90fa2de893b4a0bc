"""User accounts and hashed API bearer tokens."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supplychain.database import TimestampMixin, UTCDateTime, utcnow
from supplychain.extensions import db

ROLES = (
    "admin",
    "sales",
    "buyer",
    "warehouse",
    "warehouse_manager",  # 仓库主管: a warehouse user who also approves counts
    "dispatcher",
    "driver",
    "finance",
    "merchant",
)
STAFF_ROLES = tuple(r for r in ROLES if r != "merchant")


class User(TimestampMixin, db.Model):
    __tablename__ = "users"
    __audited__ = True
    __audit_exclude__ = ("password_hash", "last_login_at")
    __table_args__ = (
        sa.CheckConstraint(
            "(role = 'merchant') = (merchant_id IS NOT NULL)",
            name="merchant_user_has_merchant",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(120), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(20))
    merchant_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("merchants.id"), index=True
    )
    locale: Mapped[str | None] = mapped_column(sa.String(10))
    is_active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    merchant = relationship("Merchant", lazy="joined")

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def is_staff(self) -> bool:
        return self.role != "merchant"

    def has_role(self, *roles: str) -> bool:
        """One of ``roles``; admin passes wherever any staff role is listed, a
        warehouse manager wherever the warehouse role is."""
        return (
            self.role in roles
            or (self.role == "warehouse_manager" and "warehouse" in roles)
        ) or (
            self.role == "admin" and any(r != "merchant" for r in roles)
        )


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)  # sha256 hex
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(lazy="joined")
