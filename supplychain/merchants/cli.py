"""商户管理 command line: `supplychain merchants import FILE` and `… export`."""

from __future__ import annotations

import os

import click
from flask.cli import with_appcontext

from supplychain.errors import DomainError, ImportRejected


@click.group("merchants")
def merchants_group() -> None:
    """Merchants (商户): import and export."""


@merchants_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_command(path: str) -> None:
    """Create or update merchants from a CSV or XLSX file (all or nothing)."""
    from supplychain.merchants.spreadsheets import import_merchants

    with open(path, "rb") as handle:
        data = handle.read()
    try:
        result = import_merchants(data, os.path.basename(path))
    except ImportRejected as error:
        for problem in error.problems:
            click.echo(
                f"row {problem['row']} {problem['column']}: {problem['message']}",
                err=True,
            )
        raise click.ClickException(error.message) from error
    click.echo(f"created {result.created}, updated {result.updated}")


@merchants_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv")
@click.option("--out", type=click.Path(dir_okay=False), required=True)
@with_appcontext
def export_command(fmt: str, out: str) -> None:
    """Write every merchant to a CSV (UTF-8 with BOM) or XLSX file."""
    from supplychain.merchants.spreadsheets import export_merchants

    try:
        exported = export_merchants(fmt)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    with open(out, "wb") as handle:
        handle.write(exported.data)
    click.echo(f"wrote {out}")


commands: tuple = (merchants_group,)
