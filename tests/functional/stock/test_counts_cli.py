"""盘点 from the command line: ``supplychain stock start-count`` (what a nightly cron job
runs) and ``supplychain stock counts``."""

from __future__ import annotations

import sqlalchemy as sa

from supplychain.extensions import db
from supplychain.stock.models import Bin, StockCount
from supplychain.stock.queries import default_warehouse
from tests.factories import UserFactory


def make_bins(aisle, n=2):
    for bay in range(1, n + 1):
        db.session.add(
            Bin(
                warehouse_id=default_warehouse().id,
                aisle=aisle,
                block=1,
                bay=bay,
                side="L",
                level=1,
                code=f"A{aisle:02d}-1-{bay:02d}-L1",
            )
        )
    db.session.commit()


def open_counts():
    return db.session.scalar(
        sa.select(sa.func.count(StockCount.id)).where(StockCount.status == "counting")
    )


def test_start_count_starts_a_cycle_count_of_an_aisle_and_counts_lists_it(runner):
    make_bins(3)
    make_bins(4)
    counter = UserFactory(role="warehouse")

    started = runner.invoke(
        args=["stock", "start-count", "--user", counter.username, "--aisle", "3",
              "--note", "夜间循环盘点"]
    )  # fmt: skip
    listed = runner.invoke(args=["stock", "counts"])

    assert started.exit_code == 0, started.output
    number = started.output.split()[0]
    assert number.startswith("PD-") and "MAIN  cycle  2 bins" in started.output
    row = next(line for line in listed.output.splitlines() if number in line)
    assert row.split() == [number, "MAIN", "cycle", "A03", "0", "2"]  # no value yet


def test_start_count_refuses_a_busy_bin_an_unknown_user_and_a_merchant(runner):
    make_bins(5)
    counter = UserFactory(role="warehouse")
    first = runner.invoke(
        args=["stock", "start-count", "--user", counter.username, "--aisle", "5"]
    )
    assert first.exit_code == 0, first.output

    again = runner.invoke(
        args=["stock", "start-count", "--user", counter.username,
              "--bin", "A05-1-01-L1"]
    )  # fmt: skip
    nobody = runner.invoke(args=["stock", "start-count", "--user", "nobody", "--full"])
    buyer = UserFactory(role="buyer")
    not_staff = runner.invoke(
        args=["stock", "start-count", "--user", buyer.username, "--full"]
    )
    unknown_bin = runner.invoke(
        args=["stock", "start-count", "--user", counter.username, "--bin", "Z99"]
    )

    assert again.exit_code == 1 and "A05-1-01-L1" in again.output
    assert nobody.exit_code == 1 and "No active user 'nobody'" in nobody.output
    assert not_staff.exit_code == 1 and "warehouse staff" in not_staff.output
    assert unknown_bin.exit_code == 1 and "Z99" in unknown_bin.output
    assert open_counts() == 1
