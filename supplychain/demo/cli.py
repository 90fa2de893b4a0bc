"""演示数据 command line: ``supplychain demo --stores N --seed S [--reset | --if-empty]``
and ``supplychain demo-logins`` (registered by supplychain.cli)."""

from __future__ import annotations

import unicodedata

import click
from flask import current_app
from flask.cli import with_appcontext

from supplychain.demo.generator import (
    DEFAULT_PRODUCTS,
    DEFAULT_STORES,
    MAX_STORES,
    max_products,
)
from supplychain.errors import DomainError


@click.command("demo")
@click.option(
    "--stores",
    default=DEFAULT_STORES,
    show_default=True,
    type=click.IntRange(1, MAX_STORES),
    help="number of merchants (1–5000)",
)
@click.option(
    "--seed",
    default=1,
    show_default=True,
    type=int,
    help="the same seed always gives the same demo",
)
@click.option(
    "--products",
    default=DEFAULT_PRODUCTS,
    show_default=True,
    type=click.IntRange(1, max_products()),
    help="number of products",
)
@click.option(
    "--reset",
    is_flag=True,
    help="delete ALL data in the database first, then load the demo",
)
@click.option(
    "--if-empty",
    "if_empty",
    is_flag=True,
    help="do nothing (and succeed) when the database already has data",
)
@with_appcontext
def demo_command(
    stores: int, seed: int, products: int, reset: bool, if_empty: bool
) -> None:
    """Load the demo distributor: a health-products wholesaler in Hangzhou with its
    catalogue, merchants, warehouses, fleet, users and the last 30 days of stock
    history.
    """
    from supplychain.demo.services import load_demo_distributor

    if reset and if_empty:
        raise click.UsageError("--reset and --if-empty contradict each other.")

    def progress(percent: int, message: str) -> None:
        click.echo(f"  {percent:3d}%  {message}")

    try:
        result = load_demo_distributor(
            stores, seed, products=products, reset=reset, if_empty=if_empty,
            timezone=current_app.config["TIMEZONE"], progress=progress,
        )  # fmt: skip
    except DomainError as error:
        raise click.ClickException(error.message) from error
    if not result.loaded:
        click.echo(
            "The database already has data; the demo was not loaded (--if-empty)."
        )
        return
    assert result.summary is not None
    counts = ", ".join(f"{n} {what}" for what, n in result.summary.counts.items())
    wiped = " (after deleting the previous data)" if result.wiped else ""
    click.echo(f"Demo loaded in {result.summary.seconds:.1f} s{wiped}: {counts}.")


@click.command("demo-logins")
@click.option(
    "--no-verify", is_flag=True, help="do not check that each password still works"
)
@with_appcontext
def demo_logins_command(no_verify: bool) -> None:
    """Print the demo logins: username, password, role and merchant."""
    from supplychain.demo.services import demo_logins

    logins = demo_logins(verify=not no_verify)
    if not logins:
        click.echo(
            "No demo logins in this database: load the demo with `supplychain demo`."
        )
        return
    rows = [("USERNAME", "PASSWORD", "ROLE", "MERCHANT")]
    for login in logins:
        password = login.password if login.password_works is not False else "(changed)"
        merchant = (
            f"{login.merchant_code} {login.merchant_name}"
            if login.merchant_code
            else ""
        )
        rows.append((login.username, password, login.role, merchant))
    click.echo("Demo logins (one documented password per role; for demos only):")
    for line in table(rows):
        click.echo(line)


def _width(text: str) -> int:
    """Terminal columns: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(rows: list[tuple[str, ...]]) -> list[str]:
    """Rows as aligned text columns (CJK-aware); the last column is not padded."""
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row[:-1])
        ]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return lines


commands = (demo_command, demo_logins_command)
