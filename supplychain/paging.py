"""One page of a list for the HTML pages (the API uses X-Total-Count instead)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from supplychain.extensions import db


@dataclass(frozen=True)
class Page:
    items: list[Any]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def page_of(
    stmt: sa.Select, number: int = 1, per_page: int = 50, *, scalars: bool = True
) -> Page:
    """Run ``stmt`` for page ``number`` (1-based, clamped) and count the whole
    result."""
    number = max(1, number)
    total = (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
        )
        or 0
    )
    query = stmt.limit(per_page).offset((number - 1) * per_page)
    rows = db.session.scalars(query) if scalars else db.session.execute(query)
    return Page(list(rows), number, per_page, total)


def like_pattern(text: str) -> str:
    """``%text%`` for ILIKE with ``\\``, ``%`` and ``_`` escaped (use ``escape="\\"``):
    a search for "50%" or "A_1" finds exactly that text."""
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def matches(q: str, *columns: Any) -> Any:
    """A case-insensitive "contains q" over any of ``columns`` (for list searches)."""
    pattern = like_pattern(q)
    return sa.or_(*(column.ilike(pattern, escape="\\") for column in columns))
