"""Invariant checks run by `supplychain check`; each feature contributes a function."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

# modules exposing check_invariants() -> list[str] (a list of problems, empty when all
# hold)
CHECK_MODULES = (
    "supplychain.stock.checks",
    "supplychain.merchants.checks",
    "supplychain.orders.checks",
)


def run_checks() -> dict[str, list[str]]:
    failures: dict[str, list[str]] = {}
    for name in CHECK_MODULES:
        try:
            check: Callable[[], list[str]] = import_module(name).check_invariants
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
            continue
        problems = check()
        if problems:
            failures[name.split(".")[1]] = problems
    return failures
