"""商品数据校验 catalogue value checks shared by the services, the spreadsheet import and the
forms: limits, money and measure parsing, and per-field problem messages.

Pure: no database, no Flask. Every check returns messages instead of raising, so an
import can collect all the problems of a file before refusing it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

MAX_PRICE = Decimal("1000000.00")  # one million yuan: anything above is a typing error
MAX_QTY = 100_000  # case packs, minimums and steps in selling units
MAX_SHELF_LIFE_DAYS = 36_500
MAX_MEASURE = Decimal("100000.000")  # kg or litres per selling unit
MAX_LEAD_TIME_DAYS = 365

# SKUs and codes end up in URLs and file names: no spaces, /, ?, #, % or backslashes
_KEY = re.compile(r"^[^\s/?#%\\\x00-\x1f\x7f]+$")
_TRUE = {"1", "true", "yes", "y", "是", "t", "x", "✓"}
_FALSE = {"0", "false", "no", "n", "否", "f", ""}

TEXT_LIMITS = {
    "sku": 40,
    "name": 200,
    "name_en": 200,
    "unit": 200,
    "barcode": 64,
    "description": 5000,
    "code": 30,
    "contact": 120,
    "phone": 40,
    "address": 300,
    "supplier_sku": 60,
}
REQUIRED_TEXT = {"sku", "name", "unit", "code"}
INT_LIMITS = {
    "case_qty": (1, MAX_QTY),
    "min_order_qty": (1, MAX_QTY),
    "order_step": (1, MAX_QTY),
    "moq": (1, MAX_QTY),
    "shelf_life_days": (1, MAX_SHELF_LIFE_DAYS),
    "lead_time_days": (0, MAX_LEAD_TIME_DAYS),
    "sort": (-1_000_000, 1_000_000),
}
MONEY_FIELDS = {"price", "cost_price"}
MEASURE_FIELDS = {"weight_kg", "volume_l"}
KEY_FIELDS = {"sku", "code", "barcode"}


def key_problem(value: str, limit: int = 40) -> str | None:
    """Why ``value`` cannot be a natural key (sku, code), or None."""
    if not value:
        return "Required."
    if len(value) > limit:
        return f"At most {limit} characters."
    if not _KEY.match(value):
        return "No spaces, slashes or the characters ? # % \\."
    return None


def money_problem(value: Decimal) -> str | None:
    if not value.is_finite():
        return "Not a number."
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        return "At most two decimal places."
    if value < 0:
        return "Must not be negative."
    if value > MAX_PRICE:
        return f"At most {MAX_PRICE}."
    return None


def measure_problem(value: Decimal) -> str | None:
    if not value.is_finite():
        return "Not a number."
    if value.as_tuple().exponent < -3:  # type: ignore[operator]
        return "At most three decimal places."
    if value < 0:
        return "Must not be negative."
    if value > MAX_MEASURE:
        return f"At most {MAX_MEASURE}."
    return None


def int_problem(field: str, value: int) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return "Must be a whole number."
    low, high = INT_LIMITS[field]
    if value < low:
        return f"Must be at least {low}."
    if value > high:
        return f"At most {high}."
    return None


def text_problem(field: str, value: str) -> str | None:
    if not isinstance(value, str):
        return "Must be text."
    if field in KEY_FIELDS and value:
        return key_problem(value, TEXT_LIMITS[field])
    if field in REQUIRED_TEXT and not value.strip():
        return "Required."
    if len(value) > TEXT_LIMITS[field]:
        return f"At most {TEXT_LIMITS[field]} characters."
    return None


def value_problem(field: str, value: Any) -> str | None:
    """Why ``value`` is not acceptable for ``field`` (None = fine; None values pass for
    the optional fields that may be empty)."""
    if value is None:
        return "Required." if field in REQUIRED_TEXT | MONEY_FIELDS else None
    if field in MONEY_FIELDS:
        return (
            money_problem(value)
            if isinstance(value, Decimal)
            else "Must be a decimal amount."
        )
    if field in MEASURE_FIELDS:
        return (
            measure_problem(value)
            if isinstance(value, Decimal)
            else "Must be a decimal number."
        )
    if field in INT_LIMITS:
        return int_problem(field, value)
    if field in TEXT_LIMITS:
        return text_problem(field, value)
    return None


def problems_of(values: Mapping[str, Any]) -> dict[str, list[str]]:
    """Field → messages for every value breaking a limit (marshmallow's error shape)."""
    out: dict[str, list[str]] = {}
    for field, value in values.items():
        problem = value_problem(field, value)
        if problem:
            out[field] = [problem]
    return out


# --- parsing spreadsheet text -------------------------------------------------------


class ParseError(ValueError):
    """A cell's text is not the type the column needs; the message is for the user."""


def _shown(text: str) -> str:
    """A cell quoted in a message, shortened so a stray paragraph stays readable."""
    return text if len(text) <= 40 else text[:37] + "..."


_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")


def parse_decimal(text: str) -> Decimal:
    """A number as typed in a spreadsheet: "12.50", "¥12.50", "1,234.50" (thousands only
    — "12,50" is refused rather than read as 1250)."""
    cleaned = text.strip().lstrip("¥￥").strip()
    if _THOUSANDS.match(cleaned):
        cleaned = cleaned.replace(",", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ParseError(f"'{_shown(text)}' is not a number.") from None
    if not value.is_finite():
        raise ParseError(f"'{_shown(text)}' is not a number.")
    return value


def parse_int(text: str) -> int:
    value = parse_decimal(text)
    if value != value.to_integral_value():
        raise ParseError(f"'{_shown(text)}' is not a whole number.")
    return int(value)


def parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ParseError(f"'{_shown(text)}' is not yes/no (use true or false).")
