"""订单 command line: ``supplychain orders confirm-due``, ``supplychain orders
generate-standing`` (周期送), ``supplychain orders import FILE`` and the long-running
``supplychain scheduler`` that runs both scheduled jobs every interval (registered by
supplychain.cli).

The scheduled work is idempotent, so two schedulers side by side are harmless; in
production run one ``supplychain scheduler`` process.
"""

from __future__ import annotations

import datetime as dt
import signal
import sys
import threading
from typing import Any
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext


def parse_now(text: str | None) -> dt.datetime | None:
    """``--now`` as an aware instant; a time without offset is local (TIMEZONE)."""
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            "an ISO 8601 instant, e.g. 2026-11-23T18:00+08:00", param_hint="--now"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(current_app.config["TIMEZONE"]))
    return value.astimezone(dt.timezone.utc)


@click.group("orders")
def orders_group() -> None:
    """Orders (订单生成): scheduled jobs and imports."""


@orders_group.command("confirm-due")
@click.option("--now", "now_text", help="pretend it is this instant (ISO 8601)")
@with_appcontext
def confirm_due_command(now_text: str | None) -> None:
    """Confirm every placed order whose cutoff has passed."""
    from supplychain.orders.services import confirm_due

    click.echo(f"{confirm_due(parse_now(now_text))} order(s) confirmed")


@orders_group.command("generate-standing")
@click.option("--now", "now_text", help="pretend it is this instant (ISO 8601)")
@with_appcontext
def generate_standing_command(now_text: str | None) -> None:
    """Place the orders that standing orders (周期送) ask for on the next delivery
    date; running it again creates nothing twice."""
    from supplychain.orders.standing import generate_due

    report = generate_due(parse_now(now_text))
    for number in report.created:
        click.echo(f"created {number}")
    for standing_id, message in report.skipped:
        click.echo(f"skipped standing order {standing_id}: {message}")
    for standing_id, message in report.failed:
        click.echo(f"FAILED standing order {standing_id}: {message}", err=True)
    click.echo(report.summary())
    if report.failed:
        sys.exit(1)


def _user(username: str | None) -> Any:
    if not username:
        return None
    import sqlalchemy as sa

    from supplychain.auth.models import User
    from supplychain.extensions import db

    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None or not user.is_active:
        raise click.BadParameter(f"no active user '{username}'", param_hint="--as")
    return user


@orders_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--as", "username", help="import as this user (default: the system, staff rules)"
)
@with_appcontext
def import_command(path: str, username: str | None) -> None:
    """Place the orders of a CSV/XLSX file, all or nothing."""
    from supplychain.errors import ImportRejected
    from supplychain.orders.imports import import_orders

    user = _user(username)
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        result = import_orders(user, data, path)
    except ImportRejected as error:
        click.echo(error.message, err=True)
        for problem in error.problems:
            where = f"row {problem['row']}" + (
                f", column {problem['column']}" if problem["column"] else ""
            )
            click.echo(f"  {where}: {problem['message']}", err=True)
        sys.exit(1)
    for order in result.orders:
        click.echo(
            f"{order.number}  {order.merchant_code}  {order.delivery_date}  "
            f"{order.line_count} line(s)  {order.total_amount}"
        )
    click.echo(f"{len(result.orders)} order(s) placed, total {result.total_amount}")


def run_scheduled(now: dt.datetime | None = None) -> str:
    """One scheduler round: confirm due orders, then generate standing orders. Returns
    the line the scheduler prints."""
    from supplychain.database import utcnow
    from supplychain.orders.services import confirm_due
    from supplychain.orders.standing import generate_due

    now = now or utcnow()
    confirmed = confirm_due(now)
    report = generate_due(now)
    return (
        f"{now.isoformat(timespec='seconds')} confirmed {confirmed}; "
        f"standing orders: {report.summary()}"
    )


@click.command("scheduler")
@click.option("--once", is_flag=True, help="run one round and exit")
@click.option(
    "--interval",
    type=click.IntRange(1, 86400),
    default=60,
    show_default=True,
    help="seconds between rounds",
)
@with_appcontext
def scheduler_command(once: bool, interval: int) -> None:
    """Run the scheduled order jobs (confirm at cutoff, standing orders) every
    interval, one line per round; stops on SIGINT/SIGTERM."""
    from supplychain.extensions import db

    stop = threading.Event()
    if not once:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
    failed = False
    while not stop.is_set():
        try:
            click.echo(run_scheduled())
            failed = False
        except Exception as error:  # keep the loop alive; the next round retries
            db.session.rollback()
            current_app.logger.exception("scheduler round failed")
            click.echo(f"error: {error}", err=True)
            failed = True
        finally:
            db.session.remove()
        if once:
            break
        stop.wait(interval)
    if once and failed:
        sys.exit(1)


commands: tuple = (orders_group, scheduler_command)
