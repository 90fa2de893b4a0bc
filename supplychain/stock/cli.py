"""进销存 command line: ``supplychain stock …`` (registered by supplychain.cli). Each
part of the feature adds its commands from its own module."""

from __future__ import annotations

from importlib import import_module

import click

PARTS = (
    "supplychain.stock.reports_cli",
    "supplychain.stock.replenishment_cli",
    "supplychain.stock.counts_cli",
)


@click.group("stock", help="Stock control (进销存): reports, reorder rules, counts.")
def stock_group() -> None:
    pass


for _module in PARTS:
    for _command in import_module(_module).commands:
        stock_group.add_command(_command)

commands: tuple = (stock_group,)
