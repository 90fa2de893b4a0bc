"""订单 page input: quantities typed on a phone, the − / + stepper, delivery dates, and
a service's ValidationFailed turned into messages next to lines and fields.

Pure helpers (no request, no database) so the views stay short and the rules are
testable on their own.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from blueprints.i18n import localize
from supplychain.catalog.rules import round_up_order_qty
from supplychain.orders.rules import MAX_LINE_QTY

_WHOLE = re.compile(r"^\s*\+?(\d{1,12})\s*$")


def parse_qty(text: Any) -> int | None:
    """A typed quantity: a whole number 0 … MAX_LINE_QTY, else None ("", "2.5", "-3",
    "abc", 10**12). Full-width digits from a Chinese input method count ("１２")."""
    match = _WHOLE.match(str(text or ""))
    if match is None:
        return None
    value = int(match.group(1))
    return value if value <= MAX_LINE_QTY else None


def stepped_qty(qty: int, direction: int, min_qty: int, step: int) -> int:
    """The − / + buttons: + from nothing (or below the minimum) gives the minimum, then
    whole steps; − from the minimum gives 0 (out of the cart). A quantity between
    valid ones moves to the next valid one in that direction."""
    min_qty, step = max(1, min_qty), max(1, step)
    if direction > 0:
        if qty < min_qty:
            return min_qty
        return min(round_up_order_qty(qty + 1, min_qty, step), MAX_LINE_QTY)
    if qty <= min_qty:
        return 0
    return min_qty + ((qty - 1 - min_qty) // step) * step


def largest_valid_qty(limit: int, min_qty: int, step: int) -> int:
    """The largest orderable quantity not above ``limit`` (0 when even the minimum is
    too much): what to offer when only ``limit`` is available."""
    if limit < min_qty:
        return 0
    return min_qty + ((limit - min_qty) // step) * step


def parse_date(text: Any) -> dt.date | None:
    """``YYYY-MM-DD`` → a date; "" → None. :raise ValueError: anything else."""
    text = str(text or "").strip()
    if not text:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(text)
    return dt.date.fromisoformat(text)


def _messages(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [m for inner in value.values() for m in _messages(inner)]
    if isinstance(value, (list, tuple)):
        return [localize(v) for v in value]
    return [localize(value)]


def split_errors(
    errors: dict[str, Any], skus: Sequence[str]
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """A ValidationFailed's errors as (field → messages, sku → messages): the
    ``lines`` entry of the service is keyed by the index of the line sent, which
    ``skus`` maps back to the product."""
    fields: dict[str, list[str]] = {}
    lines: dict[str, list[str]] = {}
    for field, value in errors.items():
        if field == "lines" and isinstance(value, dict):
            for index, problems in value.items():
                position = int(index) if str(index).isdigit() else -1
                key = skus[position] if 0 <= position < len(skus) else ""
                lines.setdefault(key, []).extend(_messages(problems))
        else:
            fields[field] = _messages(value)
    if "" in lines:
        fields.setdefault("lines", []).extend(lines.pop(""))
    return fields, lines
