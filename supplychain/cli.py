"""Command line: `supplychain` is Flask's CLI for the app (run, db upgrade, demo, users,
check…)."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from supplychain.audit.recorder import Actor, set_actor


def _create_app() -> Flask:
    from supplychain.app import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main() -> None:
    """Supply-chain and wholesale order management (配送货企业)."""
    set_actor(Actor(None, "cli"))


@click.group("users")
def users_group() -> None:
    """Manage user accounts."""


@users_group.command("create")
@click.argument("username")
@click.option(
    "--role",
    required=True,
    help="admin, sales, buyer, warehouse, dispatcher, driver, finance or merchant",
)
@click.option("--merchant", "merchant_code", help="merchant code (for role merchant)")
@click.option(
    "--password-stdin",
    is_flag=True,
    required=True,
    help="read the password from one line of stdin",
)
@with_appcontext
def create_user_command(
    username: str, role: str, merchant_code: str | None, password_stdin: bool
) -> None:
    """Create a user; the password is read from standard input."""
    from supplychain.auth.services import create_user_by_codes
    from supplychain.errors import DomainError

    password = sys.stdin.readline().rstrip("\r\n")
    try:
        user = create_user_by_codes(
            username, password, role=role, merchant_code=merchant_code
        )
    except DomainError as error:
        raise click.ClickException(
            f"{error.message} {error.details or ''}".strip()
        ) from error
    click.echo(f"created user {user.username} ({user.role})")


@click.command("check")
@with_appcontext
def check_command() -> None:
    """Verify the invariants of the whole database; exit 1 with a report when one
    fails."""
    from supplychain.checks import run_checks

    failures = run_checks()
    for name, problems in failures.items():
        for problem in problems:
            click.echo(f"FAIL {name}: {problem}")
    if failures:
        sys.exit(1)
    click.echo("all invariants hold")


# feature modules exposing ``commands``: a tuple of click commands or groups
COMMAND_MODULES = (
    "supplychain.demo.cli",
    "supplychain.catalog.cli",
    "supplychain.merchants.cli",
    "supplychain.stock.cli",
    "supplychain.jobs.cli",
    "supplychain.orders.cli",
)


def register_commands(app: Flask) -> None:
    from importlib import import_module

    app.cli.add_command(users_group)
    app.cli.add_command(check_command)
    for module in COMMAND_MODULES:
        for command in import_module(module).commands:
            app.cli.add_command(command)
