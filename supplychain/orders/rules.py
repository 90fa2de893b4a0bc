"""订单规则 ordering rules: life cycle, numbers, line amounts, submit fingerprints. Pure.

Life cycle: ``placed`` (editable by the merchant until the cutoff) → ``confirmed`` (at
the cutoff) → ``picking`` → ``delivered`` → ``invoiced``; ``placed`` and ``confirmed``
orders may be ``cancelled`` (a confirmed one only by staff with a reason).

Money: a line amount is qty × unit price rounded half-up to the fen; an order's total is
the sum of its line amounts (never rounded again).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

MAX_LINES = 500  # an order of more lines is refused (split it)
MAX_LINE_QTY = 1_000_000  # the ledger's largest move
MAX_KEY_LENGTH = 255
MAX_NOTE = 500

TRANSITIONS: dict[str, frozenset[str]] = {
    "placed": frozenset({"confirmed", "cancelled"}),
    "confirmed": frozenset({"picking", "cancelled", "placed"}),
    "picking": frozenset({"delivered"}),
    "delivered": frozenset({"invoiced"}),
    "invoiced": frozenset(),
    "cancelled": frozenset(),
}
OPEN_STATUSES = ("placed", "confirmed", "picking")  # hold reserved stock
# count towards a merchant's credit exposure (invoiced ones count through invoices)
EXPOSURE_STATUSES = ("placed", "confirmed", "picking", "delivered")
EDITABLE_STATUSES = ("placed",)
CANCELLABLE_STATUSES = ("placed", "confirmed")


def can_transition(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


def format_number(delivery_date: dt.date, sequence: int) -> str:
    """``SO-20261124-0042``: the delivery date and the day's running number."""
    return f"SO-{delivery_date:%Y%m%d}-{sequence:04d}"


def line_amount(qty: int, unit_price: Decimal) -> Decimal:
    if isinstance(unit_price, float):
        raise TypeError("money must be Decimal, not float")
    return (Decimal(qty) * unit_price).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def order_total(amounts: Iterable[Decimal]) -> Decimal:
    return sum(amounts, Decimal("0.00"))


def is_valid_key(key: Any) -> bool:
    """An Idempotency-Key: 1–255 printable ASCII characters (contracts.md §2)."""
    return (
        isinstance(key, str)
        and 1 <= len(key) <= MAX_KEY_LENGTH
        and all(32 <= ord(ch) < 127 for ch in key)
    )


def fingerprint(request: Mapping[str, Any]) -> str:
    """A stable hash of a submit's meaning (same body ⇒ same fingerprint)."""
    text = json.dumps(request, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
