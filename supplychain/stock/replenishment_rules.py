"""补货 replenishment rules, pure: average daily demand and its spread, safety stock,
reorder point, and an order quantity rounded to the supplier's case pack and minimum
order. No database, no Flask.

Arithmetic is exact (fractions and integer square roots), so a reorder point is never
one unit off because of a float:

- safety stock = ⌈z · σ · √L⌉ with z = 1.65 (95 % service level), σ the standard
  deviation of the daily demand and L the lead time in days;
- reorder point = ⌈mean daily demand · L⌉ + safety stock.

Both are whole units and never negative; no demand gives zeros.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

Z_95 = Fraction(165, 100)  # one-sided 95 % service level
DEFAULT_DEMAND_DAYS = 28
MIN_DEMAND_DAYS = 7
MAX_DEMAND_DAYS = 365
MAX_LEAD_TIME_DAYS = 365
MAX_RULE_QTY = 1_000_000  # a reorder point or safety stock beyond this is a typo
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Demand:
    """Daily demand over ``days`` days: the exact mean and (population) variance."""

    days: int
    total_qty: int
    mean: Fraction
    variance: Fraction

    @property
    def average_daily_qty(self) -> Decimal:
        """The mean, rounded to two places (for people)."""
        return _two_places(self.mean)

    @property
    def std_daily_qty(self) -> Decimal:
        """The standard deviation σ, rounded to two places (for people)."""
        root = (Decimal(self.variance.numerator) / self.variance.denominator).sqrt()
        return root.quantize(_CENT)


@dataclass(frozen=True)
class Suggestion:
    reorder_point: int
    safety_stock: int
    demand: Demand
    lead_time_days: int


def _two_places(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(_CENT)


def daily_demand(daily_qty: Sequence[int]) -> Demand:
    """Mean and variance of the daily quantities. A day on which more came back than
    went out counts as a day without demand (never as negative demand), so returns
    can lower the figures but never below zero."""
    days = [max(0, int(q)) for q in daily_qty]
    if not days:
        return Demand(0, 0, Fraction(0), Fraction(0))
    n, total = len(days), sum(days)
    mean = Fraction(total, n)
    variance = sum((Fraction(q) - mean) ** 2 for q in days) / n
    return Demand(n, total, mean, variance)


def ceil_sqrt(value: Fraction) -> int:
    """The smallest whole k ≥ 0 with k² ≥ value (exact, for value ≥ 0)."""
    if value <= 0:
        return 0
    k = math.isqrt(math.ceil(value))  # never above the answer
    while k * k < value:
        k += 1
    return k


def safety_stock(demand: Demand, lead_time_days: int, *, z: Fraction = Z_95) -> int:
    """⌈z · σ · √L⌉ computed as ⌈√(z² · σ² · L)⌉ exactly."""
    _check_lead_time(lead_time_days)
    return ceil_sqrt(z * z * demand.variance * lead_time_days)


def reorder_point(demand: Demand, lead_time_days: int, safety: int) -> int:
    """⌈mean · L⌉ + safety stock: what is sold during the lead time, plus the buffer."""
    _check_lead_time(lead_time_days)
    return math.ceil(demand.mean * lead_time_days) + max(0, safety)


def suggest_rule(daily_qty: Sequence[int], lead_time_days: int) -> Suggestion:
    """The reorder point and safety stock for this demand history and lead time."""
    demand = daily_demand(daily_qty)
    safety = safety_stock(demand, lead_time_days)
    return Suggestion(
        reorder_point(demand, lead_time_days, safety),
        safety,
        demand,
        lead_time_days,
    )


def shortfall_qty(reorder_point: int, available_qty: int, inbound_qty: int) -> int:
    """How far available + inbound is below the reorder point (negative: above it)."""
    return reorder_point - (available_qty + inbound_qty)


def is_low(reorder_point: int, available_qty: int, inbound_qty: int) -> bool:
    """At or below the reorder point once what is on its way is counted."""
    return available_qty + inbound_qty <= reorder_point


def order_qty(need: int, *, case_qty: int = 1, moq: int = 1) -> int:
    """``need`` raised to the minimum order quantity, then up to whole cases; 0 when
    nothing is needed."""
    if need <= 0:
        return 0
    case_qty, moq = max(1, case_qty), max(1, moq)
    qty = max(need, moq)
    return -(-qty // case_qty) * case_qty


def _check_lead_time(days: int) -> None:
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise ValueError(f"lead time must be a whole number of days >= 0, not {days!r}")
