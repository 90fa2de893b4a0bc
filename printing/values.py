"""Checks the document dataclasses run in ``__post_init__``: a renderer gets only values
it can print faithfully (text that is text, whole numbers, finite Decimals)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def check_text(name: str, value: Any, *, required: bool = True) -> None:
    """:raise TypeError: not a str. :raise ValueError: blank where ``required``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if required and not value.strip():
        raise ValueError(f"{name} must not be empty")


def check_int(name: str, value: Any, *, minimum: int | None = None) -> None:
    """:raise TypeError: not an int (a bool is not). :raise ValueError: below
    ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")


def check_money(name: str, value: Any) -> None:
    """:raise TypeError: not a Decimal (a float never is money). :raise ValueError:
    NaN or infinite."""
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
    if not value.is_finite():
        raise ValueError(f"{name} must be finite, got {value}")
