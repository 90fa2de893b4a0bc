"""Readable document numbers per series and day (``RC-20261123-0007``), taken in the
document's own transaction so that a refused document leaves no gap.

One upsert per number: ``INSERT … ON CONFLICT DO UPDATE … RETURNING``; the counter row
is locked from there to the commit, so take the number as the last step before the
document is written.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from supplychain.extensions import db


class DocumentCounter(db.Model):
    """Last number used per series (``RC``, ``TR``, ``PD``…) and day."""

    __tablename__ = "document_counters"

    series: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    day: Mapped[dt.date] = mapped_column(sa.Date, primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)


def next_number(series: str, day: dt.date) -> str:
    """The next number of ``series`` for ``day``: ``SERIES-YYYYMMDD-NNNN``."""
    from supplychain.stock.locations import dialect_insert

    table = DocumentCounter.__table__
    insert = dialect_insert(table).values(series=series, day=day, last_value=1)
    value = db.session.execute(
        insert.on_conflict_do_update(
            index_elements=["series", "day"],
            set_={"last_value": table.c.last_value + 1},
        ).returning(table.c.last_value)
    ).scalar_one()
    return f"{series}-{day:%Y%m%d}-{value:04d}"
