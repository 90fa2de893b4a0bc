"""盘点 count commands, for a cron job that starts the night's cycle count and for a
look at what is open: ``supplychain stock start-count --user NAME [--warehouse CODE]
[--aisle N …] [--bin CODE …] [--full] [--not-blind] [--note TEXT]`` and
``supplychain stock counts [--status counting|approved|cancelled] [--warehouse CODE]``
(registered by supplychain.stock.cli)."""

from __future__ import annotations

import sys
from typing import Any

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from supplychain.stock.replenishment_cli import format_table, warehouse_or_exit


def _user_or_exit(username: str) -> Any:
    from supplychain.auth.models import User
    from supplychain.extensions import db

    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None or not user.is_active:
        click.echo(f"No active user '{username}'.", err=True)
        sys.exit(1)
    return user


def _fail(error: Any) -> None:
    """Print a DomainError (field errors one per line) and exit 1."""
    errors = getattr(error, "errors", None)
    if errors:
        for where, messages in errors.items():
            for message in messages:
                click.echo(f"{where}: {message}", err=True)
    else:
        click.echo(str(error), err=True)
    sys.exit(1)


@click.command("start-count")
@click.option("--user", "username", required=True, help="Who counts (warehouse staff).")
@click.option("--warehouse", "warehouse_code", default=None, help="Default: MAIN.")
@click.option("--aisle", "aisles", type=int, multiple=True, help="Repeatable.")
@click.option("--bin", "bins", multiple=True, help="A bin code; repeatable.")
@click.option("--full", is_flag=True, help="Every active bin instead of a cycle count.")
@click.option("--not-blind", is_flag=True, help="Counters see the system quantities.")
@click.option("--note", default="", help="Shown on the count and its sheet.")
@with_appcontext
def start_count_command(
    username: str,
    warehouse_code: str | None,
    aisles: tuple[int, ...],
    bins: tuple[str, ...],
    full: bool,
    not_blind: bool,
    note: str,
) -> None:
    """Start a count: a cycle count of the given aisles and bins, or --full. Prints
    the count's number; exit 1 with the reason when it cannot start (a bin already
    in an open count, unknown bins, …)."""
    from supplychain.errors import DomainError
    from supplychain.stock import counts

    warehouse = warehouse_or_exit(warehouse_code)
    user = _user_or_exit(username)
    try:
        count = counts.start_count(
            warehouse.id,
            kind="full" if full else "cycle",
            aisles=list(aisles),
            bin_codes=list(bins),
            blind=not not_blind,
            note=note,
            user=user,
        )
    except DomainError as error:
        _fail(error)
    _, total = counts.progress(count)
    click.echo(f"{count.number}  {warehouse.code}  {count.kind}  {total} bins")


@click.command("counts")
@click.option(
    "--status",
    type=click.Choice(["counting", "approved", "cancelled"]),
    default="counting",
    show_default=True,
)
@click.option("--warehouse", "warehouse_code", default=None, help="Default: all.")
@with_appcontext
def counts_command(status: str, warehouse_code: str | None) -> None:
    """Counts with this status, newest first: bins counted, variance value."""
    from supplychain.extensions import db
    from supplychain.stock import counts

    warehouse_id = warehouse_or_exit(warehouse_code).id if warehouse_code else None
    rows = db.session.execute(
        counts.counts_query(status=status, warehouse_id=warehouse_id).limit(500)
    ).all()
    click.echo(
        format_table(
            ("number", "warehouse", "kind", "scope", "counted", "bins", "variance ¥"),
            [
                (
                    count.number,
                    count.warehouse.code,
                    count.kind,
                    count.scope or "all bins",
                    counted,
                    total,
                    count.variance_value,
                )
                for count, counted, total in rows
            ],
        )
    )


commands = (start_count_command, counts_command)
