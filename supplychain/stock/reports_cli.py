"""进销存报表 command line: ``supplychain stock report`` (the 进销存 report, printed or
written as XLSX/CSV), ``supplychain stock value-at DATE`` and ``supplychain stock
near-expiry`` (lots to push in a campaign, and expired ones). Tables are printed with
columns aligned for Chinese (wide) characters."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext

from supplychain.errors import DomainError
from supplychain.stock.expiry import NEAR_EXPIRY_DAYS, local_today

DATE = click.DateTime(formats=["%Y-%m-%d"])


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def format_table(
    header: Sequence[str], rows: Sequence[Sequence[Any]], *, right: Sequence[int] = ()
) -> str:
    """A plain-text table; columns in ``right`` are right-aligned (numbers)."""
    cells = [list(header)] + [[_cell(v) for v in row] for row in rows]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for number, row in enumerate(cells):
        parts = []
        for i, text in enumerate(row):
            pad = " " * (widths[i] - _width(text))
            parts.append(pad + text if i in right else text + pad)
        lines.append("  ".join(parts).rstrip())
        if number == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _warehouse_id(code: str | None) -> int | None:
    from supplychain.stock.queries import warehouse_by_code

    return warehouse_by_code(code).id if code else None


def _fail(error: DomainError) -> click.ClickException:
    details = "; ".join(
        f"{field}: {' '.join(map(str, messages))}"
        for field, messages in (getattr(error, "errors", None) or {}).items()
    )
    return click.ClickException(f"{error.message} {details}".strip())


@click.command("report")
@click.option("--from", "first", type=DATE, required=True, help="first day YYYY-MM-DD")
@click.option("--to", "last", type=DATE, required=True, help="last day YYYY-MM-DD")
@click.option("--warehouse", help="warehouse code (default: all warehouses)")
@click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False), help="write XLSX")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), help="write CSV")
@with_appcontext
def report_command(
    first: dt.datetime,
    last: dt.datetime,
    warehouse: str | None,
    xlsx: str | None,
    csv_path: str | None,
) -> None:
    """The 进销存 report of local days FROM–TO (at most 366): printed, or written to an
    XLSX or CSV file with every row and the totals."""
    from supplychain.stock import reports
    from supplychain.stock.reports_export import movements_file

    if xlsx and csv_path:
        raise click.UsageError("Give --xlsx or --csv, not both.")
    try:
        reports.check_period(first.date(), last.date())
        start, end = reports.period_bounds(first.date(), last.date())
        found = reports.movement_summary(
            start, end, warehouse_id=_warehouse_id(warehouse)
        )
    except DomainError as error:
        raise _fail(error) from error
    target = xlsx or csv_path
    if target:
        exported = movements_file(
            found, "xlsx" if xlsx else "csv", first.date(), last.date()
        )
        Path(target).write_bytes(exported.data)
        click.echo(f"wrote {len(found.rows)} rows and the totals to {target}")
        return
    names = ("opening",) + reports.FLOWS + ("closing",)
    header = ["SKU", "name", "unit"] + [n.replace("_", " ") for n in names]
    rows = [
        [row.sku, row.name, row.unit] + [getattr(row, n).qty for n in names]
        for row in found.rows
    ]
    totals = found.totals
    rows.append(["TOTAL", "", ""] + [getattr(totals, n).qty for n in names])
    values = ["value", "", ""] + [getattr(totals, n).value for n in names]
    click.echo(
        f"进销存 {first.date()} – {last.date()} · {warehouse or 'all warehouses'} "
        f"· {len(found.rows)} SKUs (quantities; the last line is the total value)"
    )
    click.echo(format_table(header, rows + [values], right=range(3, len(header))))


@click.command("value-at")
@click.argument("day", type=DATE)
@click.option("--warehouse", help="warehouse code (default: all warehouses)")
@with_appcontext
def value_at_command(day: dt.datetime, warehouse: str | None) -> None:
    """Stock quantity and value per product and warehouse at the end of local DAY,
    then the totals per warehouse."""
    from supplychain.stock import reports

    if day.date() > local_today():
        raise click.BadParameter("The date is in the future.", param_hint="DAY")
    try:
        rows = reports.stock_value_at(
            reports.end_of_day(day.date()), warehouse_id=_warehouse_id(warehouse)
        )
    except DomainError as error:
        raise _fail(error) from error
    click.echo(
        format_table(
            ["warehouse", "SKU", "name", "qty", "unit cost", "value"],
            [
                [r.warehouse, r.sku, r.name, r.qty,
                 f"{r.unit_cost:,.4f}" if r.unit_cost is not None else None, r.value]
                for r in rows
            ],  # fmt: skip
            right=(3, 4, 5),
        )
    )
    click.echo("")
    click.echo(
        format_table(
            ["warehouse", "qty", "value"],
            [
                [t.warehouse or "TOTAL", t.qty, t.value]
                for t in reports.value_totals(rows)
            ],
            right=(1, 2),
        )
    )


@click.command("near-expiry")
@click.option(
    "--days",
    type=click.IntRange(0, 3650),
    default=NEAR_EXPIRY_DAYS,
    show_default=True,
    help="horizon in days",
)
@click.option("--warehouse", help="warehouse code (default: all warehouses)")
@with_appcontext
def near_expiry_command(days: int, warehouse: str | None) -> None:
    """Lots expiring within --days (usable, to push in a campaign) and expired lots
    (write off or return), by expiry date. Exit code 0 whatever is found."""
    from supplychain.stock import reports

    try:
        found = reports.near_expiry(days, warehouse_id=_warehouse_id(warehouse))
    except DomainError as error:
        raise _fail(error) from error
    header = ["expiry", "days left", "warehouse", "SKU", "name", "lot", "qty", "value"]

    def table(rows: list[reports.ExpiryRow]) -> str:
        return format_table(
            header,
            [
                [r.expiry_date, r.days_left, r.warehouse, r.sku, r.name, r.lot_no,
                 r.qty, r.value]  # fmt: skip
                for r in rows
            ],
            right=(1, 6, 7),
        )

    count = len(found.expiring)
    click.echo(
        f"{count} {'lot expires' if count == 1 else 'lots expire'} within {days} days"
        f" · {len(found.expired)} expired (on {found.on.isoformat()})"
    )
    if found.expiring:
        click.echo(f"\nExpiring within {days} days (push in a campaign):")
        click.echo(table(found.expiring))
    if found.expired:
        click.echo("\nExpired (write off or return to the supplier):")
        click.echo(table(found.expired))
    click.echo("\nReserved quantities per lot are not known (reserved per product).")


commands: tuple = (report_command, value_at_command, near_expiry_command)
