"""商户资料 merchant values: the pure rules for what a merchant record may hold.

Used by the services (API, pages, CLI, demo) and by the spreadsheet import alike, so
every way in checks the same things. No database and no Flask here: values in, problems
out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from supplychain.database import MAX_MONEY

CODE_RE = re.compile(r"[A-Za-z0-9_-]{1,30}")
PHONE_RE = re.compile(r"[0-9+()\- ]{3,40}")
KINDS = ("store", "group_leader", "wholesale")
# page and API paths beside /merchants/<code>: a merchant with such a code could not
# be opened
RESERVED_CODES = frozenset({"new", "map", "import", "export"})
MAX_PAYMENT_TERMS_DAYS = 365
TEXT_LIMITS = {
    "name": 200,
    "name_en": 200,
    "address": 300,
    "district": 40,
    "contact_name": 80,
    "phone": 40,
    "note": 2000,
}
_TIME_RE = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
_WINDOW_SEPARATORS = re.compile(r"\s*(?:-|~|–|—|至|到)\s*")

Problems = dict[str, list[str]]


def is_valid_code(code: Any) -> bool:
    return (
        isinstance(code, str)
        and CODE_RE.fullmatch(code) is not None
        and code.lower() not in RESERVED_CODES
    )


def parse_time(text: str) -> dt.time:
    """'7:00', '07:00' or '07:00:00' (24-hour, local) → time; ValueError otherwise."""
    match = _TIME_RE.fullmatch(text.strip())
    if not match:
        raise ValueError(f"'{text}' is not a time like 07:30.")
    hour, minute, second = (int(part or 0) for part in match.groups())
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"'{text}' is not a time of day.")
    return dt.time(hour, minute, second)


def parse_window(value: Any) -> tuple[dt.time, dt.time] | None:
    """A delivery window from ``["07:00", "10:00"]``, ``"07:00-10:00"`` (also ~, –, 至)
    or a pair of times; None or "" means no window. Raises ValueError when it is
    malformed or does not end after it starts (windows never span midnight: routes plan
    one local day)."""
    if value is None or value == "" or value == [] or value == ():
        return None
    if isinstance(value, str):
        parts: list[Any] = _WINDOW_SEPARATORS.split(value.strip())
    elif isinstance(value, (list, tuple)):
        parts = list(value)
    else:
        raise ValueError('A delivery window is two times, like ["07:00", "10:00"].')
    if len(parts) != 2:
        raise ValueError("A delivery window is two times, like 07:00-10:00.")
    start, end = (p if isinstance(p, dt.time) else parse_time(str(p)) for p in parts)
    if start >= end:
        raise ValueError(
            "The delivery window must end after it starts (not past midnight)."
        )
    return start, end


def format_time(value: dt.time | None) -> str:
    if value is None:
        return ""
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def format_window(window: tuple[dt.time, dt.time] | None) -> str:
    return f"{format_time(window[0])}-{format_time(window[1])}" if window else ""


def parse_money(text: str) -> Decimal:
    """'5000', '5,000.50', '¥5000' → Decimal; ValueError for anything else, negative
    amounts or more than two decimal places (a limit is never rounded silently)."""
    cleaned = text.strip().replace(",", "").lstrip("¥￥")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"'{text}' is not an amount.") from None
    _check_money(amount)
    return amount


def _check_money(amount: Decimal) -> None:
    if not amount.is_finite():
        raise ValueError("Must be a finite amount.")
    if amount < 0:
        raise ValueError("Must not be negative.")
    if amount > MAX_MONEY:
        raise ValueError(f"Must be at most {MAX_MONEY}.")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError("At most two decimal places.")


def _coordinate_problem(value: Any, limit: int) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return "Must be a number."
    if value != value or not -limit <= value <= limit:  # value != value: NaN
        return f"Must be between -{limit} and {limit}."
    return None


def problems_of(values: Mapping[str, Any], *, creating: bool = False) -> Problems:
    """Every problem with a merchant's values, as field → messages (empty when all is
    well). Only the keys present are checked, except that ``creating`` requires a code,
    a name and both coordinates. ``delivery_window`` must already be parsed (a pair of
    times or None)."""
    problems: Problems = {}

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    if creating:
        for field in ("code", "name", "lat", "lon"):
            if values.get(field) is None or values.get(field) == "":
                add(field, "Required.")
    for check in (
        _check_code, _check_texts, _check_coordinates, _check_kind, _check_terms,
        _check_credit, _check_window,
    ):  # fmt: skip
        check(values, add, problems)
    return problems


def _check_code(values: Mapping[str, Any], add: Any, problems: Problems) -> None:
    code = values.get("code")
    if not code or is_valid_code(code):
        return
    if str(code).lower() in RESERVED_CODES:
        add("code", f"'{code}' is reserved; choose another code.")
    else:
        add("code", "1 to 30 letters, digits, '-' or '_'.")


def _check_texts(values: Mapping[str, Any], add: Any, problems: Problems) -> None:
    if (
        "name" in values
        and "name" not in problems
        and not str(values["name"] or "").strip()
    ):
        add("name", "Required.")
    for field, limit in TEXT_LIMITS.items():
        if len(str(values.get(field) or "")) > limit:
            add(field, f"At most {limit} characters.")
    if values.get("phone") and not PHONE_RE.fullmatch(str(values["phone"])):
        add("phone", "Digits, spaces, '+', '-' and brackets only.")


def _check_coordinates(values: Mapping[str, Any], add: Any, problems: Problems) -> None:
    for field, limit in (("lat", 90), ("lon", 180)):
        if values.get(field) is not None and field not in problems:
            message = _coordinate_problem(values[field], limit)
            if message:
                add(field, message)


def _check_kind(values: Mapping[str, Any], add: Any, problems: Problems) -> None:
    if "kind" in values and values["kind"] not in KINDS:
        add("kind", f"Must be one of: {', '.join(KINDS)}.")


def _check_terms(values: Mapping[str, Any], add: Any, problems: Problems) -> None:
    if "payment_terms_days" not in values:
        return
    days = values["payment_terms_days"]
    if isinstance(days, bool) or not isinstance(days, int):
        add("payment_terms_days", "Must be a whole number of days.")
    elif not 0 <= days <= MAX_PAYMENT_TERMS_DAYS:
        add("payment_terms_days", f"Must be between 0 and {MAX_PAYMENT_TERMS_DAYS}.")


def _check_credit(values: Mapping[str, Any], add: Any, problems: Problems) -> None:
    limit = values.get("credit_limit")
    if limit is None:
        return
    if not isinstance(limit, Decimal):
        add(
            "credit_limit", "Must be an exact amount (a decimal string), never a float."
        )
        return
    try:
        _check_money(limit)
    except ValueError as error:
        add("credit_limit", str(error))


def _check_window(values: Mapping[str, Any], add: Any, problems: Problems) -> None:
    window = values.get("delivery_window")
    if window is None:
        return
    if (
        not isinstance(window, tuple)
        or len(window) != 2
        or not all(isinstance(t, dt.time) for t in window)
    ):
        add("delivery_window", "Must be two times.")
    elif window[0] >= window[1]:
        add("delivery_window", "The delivery window must end after it starts.")
