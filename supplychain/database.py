"""Declarative base, exact money columns and time helpers shared by every feature's
models.

Money is exact in both databases: NUMERIC(14, 2) on PostgreSQL and integer cents on
SQLite (SQLite's NUMERIC affinity would round-trip through a binary float).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CENT = Decimal("0.01")
MAX_MONEY = Decimal("999999999999.99")  # fits NUMERIC(14, 2)


def to_money(value: Any) -> Decimal:
    """Round a Decimal/int/str to cents, half up (never accepts float)."""
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class ExactDecimal(TypeDecorator):
    """Exact Decimal with fixed places: NUMERIC(digits, places) on PostgreSQL, a scaled
    integer on SQLite. Floats are refused, values are rounded half up to the places."""

    impl = sa.Numeric
    cache_ok = True
    digits = 14
    places = 2

    def __init__(
        self, *args: Any, **kwargs: Any
    ) -> None:  # args from migrations: ignored
        super().__init__(self.digits, self.places)
        self._quantum = Decimal(1).scaleb(-self.places)
        self._factor = 10**self.places

    def load_dialect_impl(self, dialect):  # type: ignore[no-untyped-def]
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.BigInteger())
        return dialect.type_descriptor(
            sa.Numeric(self.digits, self.places, asdecimal=True)
        )

    def quantize(self, value: Any) -> Decimal:
        """The value as the database will store it; floats and out-of-range values
        refused."""
        if isinstance(value, float):
            raise TypeError(f"{type(self).__name__} values must not be floats")
        exact = Decimal(value).quantize(self._quantum, rounding=ROUND_HALF_UP)
        if abs(exact) >= Decimal(10) ** (self.digits - self.places):
            # PostgreSQL's NUMERIC refuses it; SQLite's integers would not: refuse on
            # both
            raise ValueError(
                f"{exact} does not fit NUMERIC({self.digits}, {self.places})"
            )
        return exact

    def process_bind_param(self, value, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        exact = self.quantize(value)
        return int(exact * self._factor) if dialect.name == "sqlite" else exact

    def process_result_value(self, value, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        if dialect.name == "sqlite":
            return (Decimal(int(value)) / self._factor).quantize(self._quantum)
        return Decimal(value).quantize(self._quantum)

    @property
    def python_type(self) -> type:
        return Decimal


class Money(ExactDecimal):
    """Money: two places, up to 999,999,999,999.99 (NUMERIC(14, 2))."""

    cache_ok = True
    digits, places = 14, 2


class Measure(ExactDecimal):
    """Weights and volumes (kg, litres): three places (NUMERIC(12, 3))."""

    cache_ok = True
    digits, places = 12, 3


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in and out, on SQLite (naive storage) and PostgreSQL
    alike."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.timezone.utc)

    def process_result_value(self, value, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


class Base(DeclarativeBase):
    # Decimal annotations become exact Money columns, datetimes aware UTC columns
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={Decimal: Money(), dt.datetime: UTCDateTime()},
    )


class TimestampMixin:
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow
    )
