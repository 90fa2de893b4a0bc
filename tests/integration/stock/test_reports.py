"""The 进销存 summary and stock value at a date reconcile with the ledger to the unit and
the cent, whichever side they are summed from (SQLite and PostgreSQL)."""

import datetime as dt
from decimal import Decimal

import pytest

from supplychain.extensions import db
from supplychain.stock import ledger, reports
from supplychain.stock.queries import default_warehouse
from tests.factories import ProductFactory, WarehouseFactory

UTC = dt.timezone.utc
DAY1 = dt.datetime(2026, 9, 1, 4, tzinfo=UTC)


def at(days: int) -> dt.datetime:
    return DAY1 + dt.timedelta(days=days)


@pytest.fixture
def history(any_db_app):
    """Two products, two warehouses, moves on days 0–40 of every kind."""
    main, other = default_warehouse(), WarehouseFactory(code="NORTH")
    db.session.commit()
    a, b = ProductFactory(sku="A-1"), ProductFactory(sku="B-1")
    ledger.post_receipt(a.id, main.id, 100, unit_cost=Decimal("2.00"), created_at=at(0))
    ledger.post_receipt(b.id, main.id, 10, unit_cost=Decimal("9.99"), created_at=at(1))
    ledger.post_issue(a.id, main.id, 30, created_at=at(5))
    ledger.post_receipt(a.id, main.id, 50, unit_cost=Decimal("2.30"), created_at=at(12))
    ledger.post_receipt(
        a.id, main.id, 3, from_usage="customer", created_at=at(14)
    )  # a merchant's return, at the average
    out = ledger.dispatch_transfer(
        a.id, 20, from_warehouse_id=main.id, created_at=at(15)
    )
    ledger.receive_transfer(
        a.id, 20, out[0].value, to_warehouse_id=other.id, created_at=at(16)
    )
    ledger.post_adjustment(a.id, main.id, -4, "damage", created_at=at(20))
    ledger.post_adjustment(b.id, main.id, 2, "found", created_at=at(21))
    ledger.post_issue(a.id, main.id, 7, to_usage="supplier", created_at=at(25))
    ledger.post_issue(b.id, main.id, 5, created_at=at(33))
    ledger.post_issue(a.id, other.id, 6, created_at=at(40))
    db.session.commit()
    return main, other, a, b


def expected_balance(main_or_none, instant):
    """Straight from the definition: Σ moves before the instant."""
    flows = reports._flows(
        None,
        instant,
        warehouse_id=main_or_none.id if main_or_none else None,
        product_ids=None,
    )
    return {key: reports._net(f) for key, f in flows.items()}


def test_the_summary_reconciles_to_the_ledger(history):
    main, other, a, b = history
    start, end = at(10), at(30)
    report = reports.movement_summary(start, end, warehouse_id=main.id)

    rows = {row.sku: row for row in report.rows}
    row = rows["A-1"]
    assert (row.opening.qty, row.receipts.qty, row.returns.qty) == (70, 50, 3)
    assert (row.transfers_out.qty, row.supplier_returns.qty) == (20, 7)
    assert (row.adjustments.qty, row.issues.qty, row.closing.qty) == (-4, 0, 92)
    before, after = expected_balance(main, start), expected_balance(main, end)
    for sku, product in (("A-1", a), ("B-1", b)):
        key = (product.id, main.id)
        assert rows[sku].opening == before[key]
        assert rows[sku].closing == after[key]
        net = rows[sku].net
        assert rows[sku].opening.value + net.value == rows[sku].closing.value


def test_both_anchors_give_the_same_figures(history, monkeypatch):
    main, *_ = history
    forward = reports.movement_summary(at(2), at(22))
    monkeypatch.setattr(reports, "_moves_since", lambda instant: 0)
    backward = reports.movement_summary(at(2), at(22))
    assert (forward.anchored, backward.anchored) == ("forward", "backward")
    assert forward.rows == backward.rows
    assert forward.totals.closing == backward.totals.closing


def test_stock_value_at_a_past_date_and_now(history):
    main, other, a, b = history
    rows = reports.stock_value_at(at(17))
    found = {(r.sku, r.warehouse): (r.qty, r.value) for r in rows}
    expected = expected_balance(None, at(17))
    assert found[("A-1", "MAIN")] == (
        expected[(a.id, main.id)].qty,
        expected[(a.id, main.id)].value,
    )
    assert found[("A-1", "NORTH")][0] == 20
    now = {(r.sku, r.warehouse): r.qty for r in reports.stock_value_at()}
    assert now == {("A-1", "MAIN"): 92, ("A-1", "NORTH"): 14, ("B-1", "MAIN"): 7}
