"""盘点 stock counts: cancelling, and approving — the variances against what the ledger
held when each bin was counted, posted as adjustments, all or nothing."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from supplychain.audit.models import AuditLog
from supplychain.database import utcnow
from supplychain.errors import (
    Conflict,
    OutOfStock,
)
from supplychain.extensions import db
from supplychain.messages import msg
from supplychain.stock import ledger
from supplychain.stock.counts.common import (
    MANAGER_ROLES,
    POSITION_FIELDS,
    claim_open,
    load_count,
    require_role,
)
from supplychain.stock.models import (
    Bin,
    StockBalance,
    StockCount,
    StockCountBin,
    StockCountLine,
    StockMove,
)
from supplychain.transactions import one_transaction


def cancel_count(count_id: int, user: Any) -> StockCount:
    """Cancel an open count: nothing is posted, its bins are free for another count.

    :raise PermissionDenied: not a warehouse manager.
    :raise NotFound: unknown count.
    :raise Conflict: the count is approved (post another count to correct it) or
        already cancelled.
    """
    require_role(user, MANAGER_ROLES, msg("Only a warehouse manager cancels counts."))
    with one_transaction():
        count = load_count(count_id)
        claim_open(count, status="cancelled")
    return count


class CountNotPostable(OutOfStock):
    """Some variances cannot be posted (a write-off of stock reserved for orders or
    no longer in its bin): ``lines`` = [{bin, sku, lot, requested_qty,
    available_qty}]. Nothing was posted."""

    def __init__(self, lines: list[dict[str, Any]]) -> None:
        super().__init__(lines)
        self.message = msg(
            "The count was not posted: these write-offs would take stock that is "
            "reserved for orders or no longer in its bin: %(lines)s. Release the "
            "orders or recount the bins, then approve again.",
            lines="; ".join(
                f"{line['bin']} {line['sku']}"
                + (f" ({line['lot']})" if line.get("lot") else "")
                + f" −{line['requested_qty']}"
                for line in lines
            ),
        )
        self.args = (self.message,)


def _changed_bins(count: StockCount) -> list[str]:
    """Codes of bins deactivated, moved or renamed after they were counted."""
    changed = []
    for count_bin in count.bins:
        bin_ = count_bin.bin
        if not bin_.is_active or bin_.warehouse_id != count.warehouse_id:
            changed.append(bin_.code)
            continue
        if count_bin.counted_at is None or bin_.updated_at <= count_bin.counted_at:
            continue
        edits = list(
            db.session.scalars(
                sa.select(AuditLog.after).where(
                    AuditLog.entity == Bin.__tablename__,
                    AuditLog.entity_id == str(bin_.id),
                    AuditLog.action == "update",
                    AuditLog.at > count_bin.counted_at,
                )
            )
        )
        # no audit row explains the newer timestamp: assume the worst
        if not edits or any(POSITION_FIELDS & set(after or {}) for after in edits):
            changed.append(bin_.code)
    return sorted(changed)


def approve_count(count_id: int, *, user: Any) -> StockCount:
    """Approve a count and post its variances: for every line, expected = what the
    ledger held in that bin when it was counted, variance = counted − expected, one
    adjustment per non-zero variance (reason "Count PD-…", reference
    ``stock_count``), found stock first, then the write-offs. Stores each line's
    expected, variance and its value (the move's value, signed), and the count's
    total. All or nothing.

    :raise PermissionDenied: not a warehouse manager (or admin).
    :raise NotFound: unknown count.
    :raise Conflict: already approved or cancelled; bins not counted yet (details
        ``bins``); bins changed or deactivated after they were counted (recount them;
        details ``bins``).
    :raise CountNotPostable: a write-off was refused (reserved or gone); details
        ``lines``; nothing was posted.
    """
    require_role(user, MANAGER_ROLES, msg("Only a warehouse manager approves counts."))
    with one_transaction():
        count = load_count(count_id)
        now = utcnow()
        claim_open(
            count,
            status="approved",
            approved_at=now,
            approved_by_id=user.id,
        )
        pending = sorted(cb.bin.code for cb in count.bins if cb.status != "counted")
        if pending:
            raise Conflict(
                msg(
                    "Every bin must be counted before the count is approved; "
                    "still to count: %(bins)s.",
                    bins=_shorten(pending),
                ),
                details={"bins": pending},
            )
        changed = _changed_bins(count)
        if changed:
            raise Conflict(
                msg(
                    "These bins were changed or deactivated after they were counted: "
                    "%(bins)s. Recount them (a deactivated bin: reactivate it, or "
                    "cancel the count), then approve.",
                    bins=_shorten(changed),
                ),
                details={"bins": changed},
            )
        expected = expected_quantities(count)
        lines = [line for cb in count.bins for line in cb.lines]
        for line in lines:
            line.expected_qty = expected.get(line.id, 0)
            line.variance_qty = (line.counted_qty or 0) - line.expected_qty
            line.variance_value = Decimal("0.00")
        _post_variances(count, lines, user)
        count.variance_value = sum(
            (line.variance_value for line in lines), Decimal("0.00")
        )
    return count


def _shorten(codes: list[str], limit: int = 12) -> str:
    text = ", ".join(codes[:limit])
    return text + (f" … (+{len(codes) - limit})" if len(codes) > limit else "")


def _post_variances(count: StockCount, lines: list[StockCountLine], user: Any) -> None:
    refused: list[dict[str, Any]] = []
    bins = {cb.id: cb for cb in count.bins}
    ordered = sorted(
        (line for line in lines if line.variance_qty),
        key=lambda line: (line.variance_qty < 0, line.count_bin_id, line.id),
    )
    for line in ordered:
        count_bin = bins[line.count_bin_id]
        try:
            move = ledger.post_adjustment(
                line.product_id,
                count.warehouse_id,
                line.variance_qty,
                f"Count {count.number}",
                lot=line.lot.lot_no if line.lot else None,
                bin_id=count_bin.bin_id,
                user_id=user.id,
                reference_type="stock_count",
                reference_id=count.id,
            )
        except OutOfStock as error:
            refused.append(
                {
                    "bin": count_bin.bin.code,
                    "sku": line.product.sku,
                    "lot": line.lot.lot_no if line.lot else None,
                    "requested_qty": -line.variance_qty,
                    "available_qty": error.lines[0]["available_qty"],
                }
            )
            continue
        line.variance_value = move.value if line.variance_qty > 0 else -move.value
    if refused:
        raise CountNotPostable(refused)


def expected_quantities(count: StockCount) -> dict[int, int]:
    """Line id → the ledger's quantity of its (bin, product, lot) when its bin was
    counted: the balance now minus the net moves of that place since ``counted_at``
    (only for counted bins)."""
    cb = StockCountBin.__table__.c
    b = StockBalance.__table__.c
    m = StockMove.__table__.c
    held: dict[tuple[int, int, int], int] = defaultdict(int)  # (count bin, p, lot)
    for count_bin_id, product_id, lot_key, qty in db.session.execute(
        sa.select(cb.id, b.product_id, b.lot_key, b.on_hand_qty)
        .select_from(StockBalance.__table__)
        .join(StockCountBin.__table__, cb.location_id == b.location_id)
        .where(cb.count_id == count.id, cb.status == "counted")
    ):
        held[(count_bin_id, product_id, lot_key)] += int(qty)
    move_lot = sa.func.coalesce(m.lot_id, sa.literal_column("0"))
    for side, sign in ((m.to_location_id, 1), (m.from_location_id, -1)):
        for count_bin_id, product_id, lot_key, qty in db.session.execute(
            sa.select(cb.id, m.product_id, move_lot, sa.func.sum(m.qty))
            .select_from(StockMove.__table__)
            .join(StockCountBin.__table__, cb.location_id == side)
            .where(
                cb.count_id == count.id,
                cb.status == "counted",
                m.created_at > cb.counted_at,
            )
            .group_by(cb.id, m.product_id, move_lot)
        ):
            held[(count_bin_id, product_id, int(lot_key))] -= sign * int(qty)
    return {
        line.id: held.get((line.count_bin_id, line.product_id, line.lot_key), 0)
        for count_bin in count.bins
        for line in count_bin.lines
    }
