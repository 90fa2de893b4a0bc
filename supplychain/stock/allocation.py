"""进销存 FEFO allocation (先到期先出): which lots (and locations) a pick takes, as a pure rule.

Earliest expiry first; stock without an expiry date goes last; ties are broken by lot
number and then by the bucket's key, so the same input always gives the same allocation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

_FAR_FUTURE = dt.date.max


@dataclass(frozen=True)
class StockLot:
    """A bucket of stock that a pick can take from: one lot at one location.

    ``key`` is opaque to the rule (the ledger uses ``(location_id, lot_id)``)."""

    key: Hashable
    qty: int
    expiry_date: dt.date | None = None
    lot_no: str = ""


def fefo_order(lots: Iterable[StockLot]) -> list[StockLot]:
    """Lots in the order FEFO takes them (earliest expiry first, no expiry last)."""
    return sorted(
        lots,
        key=lambda lot: (lot.expiry_date or _FAR_FUTURE, lot.lot_no, repr(lot.key)),
    )


def allocate_fefo(
    qty: int, lots: Iterable[StockLot], *, usable_on: dt.date | None = None
) -> list[tuple[StockLot, int]]:
    """Take ``qty`` from ``lots`` first-expiry-first-out.

    Returns ``[(lot, taken_qty), ...]`` with every ``taken_qty > 0``, never more than a
    lot holds. The total is ``min(qty, usable stock)``: the caller decides what a short
    allocation means. With ``usable_on``, lots that expire before that day are skipped.

    :raise ValueError: ``qty`` is not a positive integer.
    """
    if isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0:
        raise ValueError("qty must be a positive integer")
    allocation: list[tuple[StockLot, int]] = []
    remaining = qty
    for lot in fefo_order(lots):
        if remaining == 0:
            break
        if lot.qty <= 0:
            continue
        if (
            usable_on is not None
            and lot.expiry_date is not None
            and lot.expiry_date < usable_on
        ):
            continue  # expired stock is never shipped; it waits for a write-off
        taken = min(lot.qty, remaining)
        allocation.append((lot, taken))
        remaining -= taken
    return allocation
