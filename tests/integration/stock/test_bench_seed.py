"""The 进销存 benchmark's bulk seed (tests/bench/stock_seed.py) writes exactly what the
ledger writes for the same calls — move by move, to the cent — and a database seeded in
bulk passes every ledger invariant and takes further ledger calls (SQLite and
PostgreSQL), at a small size."""

import datetime as dt
import time
from decimal import Decimal

import pytest
import sqlalchemy as sa

from supplychain.extensions import db
from supplychain.stock import ledger, reports
from supplychain.stock.checks import check_invariants
from supplychain.stock.models import StockBalance, StockLevel, StockMove
from tests.bench.stock_seed import (
    Simulation,
    create_reference_data,
    plan,
    write,
)

UTC = dt.timezone.utc
MOVES, SKUS, DAYS, SEED = 800, 20, 120, 1
END = dt.datetime(2026, 11, 1, 16, tzinfo=UTC)  # midnight, Shanghai
START = END - dt.timedelta(days=DAYS)
TODAY = dt.date(2026, 11, 2)
EVERY_KIND = {
    "receipt", "issue", "pick", "dispatch", "receive", "putaway", "bin move",
    "found", "damage", "expiry", "return", "release", "supplier return",
    "reservation",
}  # fmt: skip


def simulation(products, places, **options) -> Simulation:
    return Simulation(
        products,
        places,
        moves=MOVES,
        start=START,
        end=END,
        today=TODAY,
        timezone="Asia/Shanghai",
        seed=SEED,
        **options,
    )


def stored_moves() -> list[tuple]:
    m = StockMove.__table__.c
    return [
        tuple(row)
        for row in db.session.execute(
            sa.select(
                m.product_id,
                m.qty,
                m.from_location_id,
                m.to_location_id,
                m.lot_id,
                m.value,
                m.reason,
                m.created_at,
            ).order_by(m.id)
        )
    ]


def stored_state() -> tuple[dict, dict]:
    b, lv = StockBalance.__table__.c, StockLevel.__table__.c
    balances = {
        (p, loc, lot): qty
        for p, loc, lot, qty in db.session.execute(
            sa.select(b.product_id, b.location_id, b.lot_key, b.on_hand_qty)
        )
    }
    levels = {
        (p, w): (qty, reserved, value)
        for p, w, qty, reserved, value in db.session.execute(
            sa.select(
                lv.product_id,
                lv.warehouse_id,
                lv.on_hand_qty,
                lv.reserved_qty,
                lv.stock_value,
            )
        )
    }
    return balances, levels


def simulated_state(sim: Simulation) -> tuple[dict, dict]:
    levels = {
        key: (qty, sim.reserved.get(key, 0), sim.level_value[key])
        for key, qty in sim.level_qty.items()
    }
    return dict(sim.balances), levels


def test_the_seed_is_what_the_ledger_writes_for_the_same_calls(any_db_app, monkeypatch):
    products, places = create_reference_data(SKUS, SEED)
    events, sim = plan(
        products, places, MOVES, start=START, end=END, today=TODAY, seed=SEED
    )
    assert EVERY_KIND <= set(sim.counts)
    day = {"on": TODAY}
    monkeypatch.setattr(ledger, "local_today", lambda: day["on"])

    for event in events:  # the same history, one ledger call at a time
        day["on"] = event.day
        for call in event.calls:
            getattr(ledger, call.name)(*call.args, **call.kwargs)
        db.session.commit()  # as the services do (and the session stays small)

    assert stored_moves() == [move for event in events for move in event.moves]
    assert stored_state() == simulated_state(sim)
    assert check_invariants() == []


def test_a_bulk_seeded_database_holds_the_planned_moves_and_every_invariant(
    any_db_app,
):
    products, places = create_reference_data(SKUS, SEED)
    planned, _ = plan(
        products, places, MOVES, start=START, end=END, today=TODAY, seed=SEED
    )
    sim = simulation(products, places)

    result = write(sim, started=time.perf_counter())

    expected = [move for event in planned for move in event.moves]
    assert result.moves == MOVES == len(expected)
    assert stored_moves() == expected
    assert stored_state() == simulated_state(sim)
    assert check_invariants() == []
    # created_at is stored so that SQL compares it as the ledger's own moves
    middle = START + (END - START) / 2
    before = db.session.scalar(
        sa.select(sa.func.count()).where(StockMove.created_at < middle)
    )
    assert before == sum(1 for move in expected if move[7] < middle)
    report = reports.movement_summary(START - dt.timedelta(days=1), middle)
    assert report.totals.closing == reports.Figure(
        *_summed(reports.balances_at(middle).values())
    )


def _summed(figures) -> tuple[int, Decimal]:
    qty, value = 0, Decimal("0.00")
    for figure in figures:
        qty, value = qty + figure.qty, value + figure.value
    return qty, value


@pytest.mark.parametrize("lot_tracked", [False, True])
def test_ledger_calls_on_a_bulk_seeded_database_keep_the_invariants(
    any_db_app, lot_tracked
):
    products, places = create_reference_data(SKUS, SEED)
    sim = simulation(products, places)
    write(sim, started=time.perf_counter())
    main = places.warehouses[0]
    product = next(
        p
        for p in products
        if p.lot_tracked == lot_tracked and sim.level_qty.get((p.id, main), 0) > 0
    )
    lot = {"lot": f"{product.sku}-NEW", "expiry_date": dt.date(2030, 1, 1)}

    ledger.post_receipt(
        product.id,
        main,
        50,
        unit_cost=Decimal("7.77"),
        **(lot if lot_tracked else {}),
    )
    ledger.post_issue(product.id, main, 20)
    out = ledger.dispatch_transfer(product.id, 5, from_warehouse_id=main)
    for move in out:
        ledger.receive_transfer(
            product.id,
            move.qty,
            move.value,
            to_warehouse_id=places.warehouses[1],
            lot_id=move.lot_id,
        )
    db.session.commit()

    assert check_invariants() == []
    level = db.session.scalar(
        sa.select(StockLevel.on_hand_qty).where(
            StockLevel.product_id == product.id, StockLevel.warehouse_id == main
        )
    )
    assert level == sim.level_qty[(product.id, main)] + 50 - 20 - 5
