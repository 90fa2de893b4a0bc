"""商品管理 catalogue commands: ``supplychain catalog import FILE`` and
``supplychain catalog export --format csv|xlsx --out FILE`` (registered by
supplychain.cli).
"""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext


@click.group("catalog")
def catalog_group() -> None:
    """Catalogue (商品管理): import and export products."""


@catalog_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_command(path: str) -> None:
    """Create or update products from a CSV/XLSX file, all or nothing."""
    from supplychain.catalog.spreadsheets import import_products
    from supplychain.errors import ImportRejected

    with open(path, "rb") as handle:
        data = handle.read()
    try:
        result = import_products(data, path)
    except ImportRejected as error:
        click.echo(error.message, err=True)
        for problem in error.problems:
            where = f"row {problem['row']}" + (
                f", column {problem['column']}" if problem["column"] else ""
            )
            click.echo(f"  {where}: {problem['message']}", err=True)
        sys.exit(1)
    click.echo(f"{result.created} created, {result.updated} updated")


@catalog_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv")
@click.option("--out", "out", type=click.Path(dir_okay=False), required=True)
@with_appcontext
def export_command(fmt: str, out: str) -> None:
    """Write every product with its grade prices to a CSV or XLSX file."""
    from supplychain.catalog.spreadsheets import export_products

    with open(out, "wb") as handle:
        handle.write(export_products(fmt).data)
    click.echo(f"wrote {out}")


commands: tuple = (catalog_group,)
