"""补货 replenishment commands: ``supplychain stock suggest-rules [--warehouse CODE]
[--days 28] [--apply]`` and ``supplychain stock low-stock [--warehouse CODE]``, printing
plain-text tables (registered by supplychain.stock.cli)."""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import click
from flask.cli import with_appcontext

from supplychain.stock.replenishment_rules import (
    DEFAULT_DEMAND_DAYS,
    MAX_DEMAND_DAYS,
    MIN_DEMAND_DAYS,
)


def _width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool) -> str:
    space = " " * (width - _width(text))
    return space + text if right else text + space


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Columns aligned (numbers to the right), a rule under the header."""
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    numeric = [
        all(isinstance(row[i], int | Decimal) or row[i] is None for row in rows)
        and bool(rows)
        for i in range(len(headers))
    ]
    widths = [
        max([_width(h)] + [_width(row[i]) for row in cells])
        for i, h in enumerate(headers)
    ]
    lines = ["  ".join(_pad(h, w, n) for h, w, n in zip(headers, widths, numeric))]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append("  ".join(_pad(v, w, n) for v, w, n in zip(row, widths, numeric)))
    return "\n".join(line.rstrip() for line in lines)


def warehouse_or_exit(code: str | None) -> Any:
    from supplychain.errors import ValidationFailed
    from supplychain.stock.replenishment import warehouse_for_code

    try:
        return warehouse_for_code(code)
    except ValidationFailed as error:
        click.echo(" ".join(error.errors["warehouse"]), err=True)
        sys.exit(1)


@click.command("suggest-rules")
@click.option("--warehouse", "warehouse_code", default=None, help="Default: MAIN.")
@click.option(
    "--days",
    type=click.IntRange(MIN_DEMAND_DAYS, MAX_DEMAND_DAYS),
    default=DEFAULT_DEMAND_DAYS,
    show_default=True,
    help="Complete days of demand to average.",
)
@click.option("--apply", is_flag=True, help="Write them (manual rules are kept).")
@with_appcontext
def suggest_rules_command(warehouse_code: str | None, days: int, apply: bool) -> None:
    """Suggest reorder points and safety stocks from the last days' demand."""
    from supplychain.stock.replenishment import suggest_rules

    warehouse = warehouse_or_exit(warehouse_code)
    suggestions = suggest_rules(warehouse.id, days=days, apply=apply)
    rows = [
        [
            s.sku,
            s.name,
            s.avg_daily_qty,
            s.std_daily_qty,
            s.lead_time_days,
            s.reorder_point,
            s.safety_stock,
            _status(s, apply),
        ]
        for s in suggestions
    ]
    headers = ["sku", "name", "avg/day", "σ/day", "lead", "reorder", "safety", "now"]
    click.echo(f"{warehouse.code}: demand of the last {days} days")
    click.echo(format_table(headers, rows))
    written = sum(1 for s in suggestions if s.applied)
    kept = sum(1 for s in suggestions if s.is_manual)
    if apply:
        click.echo(f"{written} rules written, {kept} manual rules kept")
    else:
        click.echo(f"{len(suggestions)} suggestions (preview; --apply writes them)")


def _status(suggestion: Any, apply: bool) -> str:
    if suggestion.is_manual:
        return (
            f"manual {suggestion.current_reorder_point}/"
            f"{suggestion.current_safety_stock} kept"
        )
    if suggestion.applied:
        return "written"
    if suggestion.current_method is None:
        return "new"
    if suggestion.is_change:
        current = (
            f"{suggestion.current_reorder_point}/{suggestion.current_safety_stock}"
        )
        return f"was {current}"
    return "unchanged"


@click.command("low-stock")
@click.option("--warehouse", "warehouse_code", default=None, help="Default: all.")
@with_appcontext
def low_stock_command(warehouse_code: str | None) -> None:
    """Products at or below their reorder point, with the quantity to order."""
    from supplychain.stock.replenishment import low_stock

    warehouse_id = warehouse_or_exit(warehouse_code).id if warehouse_code else None
    rows = [
        [
            r.warehouse,
            r.sku,
            r.name,
            r.available_qty,
            r.inbound_qty,
            r.reorder_point,
            r.safety_stock,
            r.shortfall_qty,
            r.suggested_qty,
            r.supplier_code or "-",
        ]
        for r in low_stock(warehouse_id)
    ]
    headers = [
        "warehouse", "sku", "name", "available", "inbound", "reorder", "safety",
        "shortfall", "order", "supplier",
    ]  # fmt: skip
    click.echo(format_table(headers, rows))
    click.echo(f"{len(rows)} low")


commands: tuple = (suggest_rules_command, low_stock_command)
