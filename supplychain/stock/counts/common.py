"""盘点 stock counts: limits, roles and the helpers every count service shares (loading
a count, claiming its row while it is open)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from supplychain.database import utcnow
from supplychain.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
)
from supplychain.extensions import db
from supplychain.messages import Msg, msg
from supplychain.stock import ledger
from supplychain.stock.models import (
    StockCount,
    StockCountBin,
)

SERIES = "PD"
MAX_COUNT_QTY = ledger.MAX_MOVE_QTY  # a counted quantity must be postable as a move
MAX_BIN_CODES = 500
MAX_AISLES = 100
MAX_NOTE = 500
MAX_SCOPE = 200
MAX_FOUND = 50  # found items per bin and submission (the page)
MAX_ENTRIES = 2_000  # items per bin and submission (the API)
COUNTER_ROLES = ("warehouse",)  # a warehouse manager and an admin pass this too
MANAGER_ROLES = ("warehouse_manager",)  # an admin passes this too
# a change of any of these after a bin was counted makes its count unusable
POSITION_FIELDS = frozenset(
    ("warehouse_id", "aisle", "block", "bay", "side", "level", "code", "is_active")
)


def require_role(user: Any, roles: tuple[str, ...], message: Msg) -> None:
    if user is None or not user.has_role(*roles):
        raise PermissionDenied(message)


def may_approve(user: Any) -> bool:
    """Whether ``user`` approves counts, sends bins back and cancels counts."""
    return user is not None and user.has_role(*MANAGER_ROLES)


def may_count(user: Any) -> bool:
    """Whether ``user`` starts counts and counts bins."""
    return user is not None and user.has_role(*COUNTER_ROLES)


def load_count(count_id: int) -> StockCount:
    count = db.session.get(StockCount, count_id)
    if count is None:
        raise NotFound(msg("Count %(id)s does not exist.", id=count_id))
    return count


def claim_open(count: StockCount, **values: Any) -> None:
    """Update the count's row only while it is counting (the row lock serialises
    recording, resetting, approving and cancelling the same count).

    :raise Conflict: the count is approved or cancelled.
    """
    values.setdefault("updated_at", utcnow())
    changed = db.session.execute(
        sa.update(StockCount)
        .where(StockCount.id == count.id, StockCount.status == "counting")
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(count)
    if changed != 1:
        raise closed_error(count)


def closed_error(count: StockCount) -> Conflict:
    if count.status == "approved":
        return Conflict(
            msg(
                "Count %(number)s is already approved: nothing can change it.",
                number=count.number,
            ),
            details={"status": count.status},
        )
    return Conflict(
        msg("Count %(number)s is cancelled.", number=count.number),
        details={"status": count.status},
    )


def count_bin_of(count: StockCount, bin_id: int) -> StockCountBin:
    count_bin = db.session.scalar(
        sa.select(StockCountBin).where(
            StockCountBin.count_id == count.id, StockCountBin.bin_id == bin_id
        )
    )
    if count_bin is None:
        raise NotFound(
            msg(
                "That bin is not part of count %(number)s.",
                number=count.number,
            )
        )
    return count_bin
