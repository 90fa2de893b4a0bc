"""商品规则 catalogue rules for ordering: minimum order quantity (起订量) and order step (递增量).

A valid quantity is the minimum or the minimum plus whole steps: with minimum 6 and step
6, 6, 12, 18…; with minimum 5 and step 2, 5, 7, 9…. Quantities are integers in the
selling unit."""

from __future__ import annotations

from supplychain.messages import msg


def _check_settings(min_qty: int, step: int) -> None:
    if min_qty < 1 or step < 1:
        raise ValueError("min_qty and step must be at least 1")


def is_valid_order_qty(qty: int, min_qty: int = 1, step: int = 1) -> bool:
    """True when ``qty`` is ``min_qty`` or a whole number of steps above it."""
    _check_settings(min_qty, step)
    if isinstance(qty, bool) or not isinstance(qty, int):
        return False
    return qty >= min_qty and (qty - min_qty) % step == 0


def round_up_order_qty(qty: int, min_qty: int = 1, step: int = 1) -> int:
    """The smallest valid quantity not below ``qty`` (what to suggest instead)."""
    _check_settings(min_qty, step)
    if qty <= min_qty:
        return min_qty
    steps = -(-(qty - min_qty) // step)  # ceiling division
    return min_qty + steps * step


def order_qty_problem(qty: int, min_qty: int = 1, step: int = 1) -> str | None:
    """A sentence saying why ``qty`` cannot be ordered, or None when it can."""
    if is_valid_order_qty(qty, min_qty, step):
        return None
    if isinstance(qty, bool) or not isinstance(qty, int):
        return msg("The quantity must be a whole number.")
    if qty < min_qty:
        return msg("The minimum order quantity is %(min)s.", min=min_qty)
    return msg(
        "Order %(min)s plus multiples of %(step)s; the nearest quantity is %(next)s.",
        min=min_qty,
        step=step,
        next=round_up_order_qty(qty, min_qty, step),
    )
