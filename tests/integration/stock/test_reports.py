"""The 进销存 summary and stock value at a date reconcile with the ledger to the unit and
the cent, whichever side they are summed from (SQLite and PostgreSQL)."""

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from supplychain.database import utcnow
from supplychain.errors import NotFound, ValidationFailed
from supplychain.extensions import db
from supplychain.stock import ledger, reports
from supplychain.stock.models import Bin, StockLevel
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


# --- reconciliation of every row, the totals and the levels ---------------------------
def levels_by_key():
    return {
        (level.product_id, level.warehouse_id): reports.Figure(
            level.on_hand_qty, level.stock_value
        )
        for level in db.session.scalars(sa.select(StockLevel))
    }


@pytest.mark.parametrize("warehouse", ["MAIN", "NORTH", None])
def test_every_row_and_the_totals_reconcile_and_closing_equals_the_levels(
    history, warehouse
):
    main, other, a, b = history
    chosen = {"MAIN": main, "NORTH": other, None: None}[warehouse]
    report = reports.movement_summary(
        at(-1), utcnow() + dt.timedelta(days=1), warehouse_id=chosen and chosen.id
    )

    for row in report.rows:
        net = row.net
        assert row.opening.qty + net.qty == row.closing.qty
        assert row.opening.value + net.value == row.closing.value
    totals = report.totals
    for column in ("opening", "closing") + reports.FLOWS:
        figures = [getattr(row, column) for row in report.rows]
        assert getattr(totals, column).qty == sum(f.qty for f in figures)
        assert getattr(totals, column).value == sum(f.value for f in figures)
    levels = levels_by_key()
    for row in report.rows:
        expected = reports.Figure()
        for (pid, wid), level in levels.items():
            if pid == row.product_id and (chosen is None or wid == chosen.id):
                expected.add(level.qty, level.value)
        assert row.closing == expected  # to the unit and the cent


def test_the_totals_of_a_period_with_every_kind_of_flow(history):
    main, other, a, b = history
    report = reports.movement_summary(at(0), at(41), warehouse_id=main.id)
    totals = report.totals
    assert (totals.receipts.qty, totals.returns.qty, totals.issues.qty) == (160, 3, 35)
    assert (totals.supplier_returns.qty, totals.transfers_out.qty) == (7, 20)
    assert totals.adjustments.qty == -2  # −4 damage, +2 found
    assert totals.opening == reports.Figure(0, Decimal("0.00"))
    assert totals.closing.qty == 92 + 7


def test_a_product_filter_and_rows_without_stock_or_movement(history):
    main, other, a, b = history
    only_b = reports.movement_summary(at(0), at(41), product_ids=[b.id])
    assert [row.sku for row in only_b.rows] == ["B-1"]
    gone = ProductFactory(sku="Z-1")
    ledger.post_receipt(
        gone.id, main.id, 5, unit_cost=Decimal("1.00"), created_at=at(0)
    )
    ledger.post_issue(gone.id, main.id, 5, created_at=at(1))
    db.session.commit()

    quiet = reports.movement_summary(at(10), at(20), warehouse_id=main.id)
    shown = reports.movement_summary(
        at(10), at(20), warehouse_id=main.id, include_empty=True
    )

    assert "Z-1" not in {row.sku for row in quiet.rows}
    (row,) = [row for row in shown.rows if row.sku == "Z-1"]
    assert row.is_empty and row.closing == reports.Figure(0, Decimal("0.00"))


# --- periods --------------------------------------------------------------------------
def test_periods_are_local_days_and_at_most_366_days(any_db_app):
    start, end = reports.period_bounds(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert start == dt.datetime(2026, 9, 30, 16, tzinfo=UTC)  # Asia/Shanghai midnight
    assert end == dt.datetime(2026, 10, 31, 16, tzinfo=UTC)
    assert reports.month_days(2024, 2) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert reports.month_days(2026, 12) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert reports.last_month(dt.date(2026, 1, 15)) == (
        dt.date(2025, 12, 1),
        dt.date(2025, 12, 31),
    )
    reports.check_period(dt.date(2024, 1, 1), dt.date(2024, 12, 31))  # 366 days
    with pytest.raises(ValidationFailed) as error:
        reports.check_period(dt.date(2025, 1, 1), dt.date(2026, 1, 2))  # 367
    assert "366" in error.value.errors["to"][0]
    with pytest.raises(ValidationFailed):
        reports.check_period(dt.date(2026, 1, 2), dt.date(2026, 1, 1))


# --- value at the end of a local day --------------------------------------------------
def test_value_at_the_end_of_a_day_counts_that_day_and_totals_per_warehouse(history):
    main, other, a, b = history
    day = (at(16) + dt.timedelta(hours=8)).date()  # the local day of the transfer in
    rows = reports.stock_value_at(reports.end_of_day(day))
    north = [r for r in rows if r.warehouse == "NORTH"]
    assert [(r.sku, r.qty) for r in north] == [("A-1", 20)]
    totals = reports.value_totals(rows)
    assert [t.warehouse for t in totals] == ["MAIN", "NORTH", None]
    assert totals[-1].qty == sum(r.qty for r in rows)
    assert totals[-1].value == sum(r.value for r in rows)
    assert totals[0].value + totals[1].value == totals[-1].value
    expected = expected_balance(None, reports.end_of_day(day))
    for row in rows:
        key = (row.product_id, main.id if row.warehouse == "MAIN" else other.id)
        assert (row.qty, row.value) == (expected[key].qty, expected[key].value)


# --- a SKU's history with running balance ---------------------------------------------
def test_history_runs_from_the_opening_to_the_level(history):
    main, other, a, b = history
    for warehouse in (main, other, None):
        found = reports.product_history(
            a.id, at(3), utcnow() + dt.timedelta(days=1),
            warehouse_id=warehouse and warehouse.id,
        )  # fmt: skip
        opening = expected_balance(warehouse, at(3))
        wanted = reports.Figure()
        for (pid, wid), figure in opening.items():
            if pid == a.id:
                wanted.add(figure.qty, figure.value)
        assert found.opening == wanted
        running = reports.Figure(found.opening.qty, found.opening.value)
        for line in found.lines:
            running.add(line.qty_in - line.qty_out, line.value_in - line.value_out)
            assert line.balance == running
        levels = levels_by_key()
        level = reports.Figure()
        for (pid, wid), figure in levels.items():
            if pid == a.id and (warehouse is None or wid == warehouse.id):
                level.add(figure.qty, figure.value)
        assert found.closing == level


def test_history_of_one_warehouse_shows_the_transfer_out_and_in(history):
    main, other, a, b = history
    at_main = reports.product_history(a.id, at(0), at(41), warehouse_id=main.id)
    at_north = reports.product_history(a.id, at(0), at(41), warehouse_id=other.id)
    everywhere = reports.product_history(a.id, at(0), at(41))

    out = [line for line in at_main.lines if line.target.usage == "transit"]
    assert [(line.qty_out, line.source.label) for line in out] == [(20, "MAIN")]
    assert [line.qty_in for line in at_north.lines][:1] == [20]
    assert at_north.closing.qty == 14
    assert everywhere.closing.qty == at_main.closing.qty + at_north.closing.qty == 106
    assert [line.reason for line in at_main.lines][0] == "Receipt"
    assert at_main.total_in.qty - at_main.total_out.qty == at_main.closing.qty


def test_a_move_between_bins_changes_no_balance_and_references_are_numbered(
    any_db_app,
):
    main = default_warehouse()
    product = ProductFactory(sku="BIN-1")
    shelf = Bin(warehouse_id=main.id, aisle=1, block=1, bay=1, side="L", code="A1")
    db.session.add(shelf)
    db.session.commit()
    ledger.post_receipt(product.id, main.id, 8, unit_cost=Decimal("1.25"))
    ledger.post_transfer(
        product.id, 3, from_warehouse_id=main.id, to_warehouse_id=main.id,
        to_bin_id=shelf.id, reason="put away",
        reference_type="stock_document", reference_id=999,
    )  # fmt: skip
    db.session.commit()
    start, end = reports.period_bounds(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    found = reports.product_history(product.id, start, end)

    moved = found.lines[-1]
    assert (moved.moved_qty, moved.qty_in, moved.qty_out) == (3, 0, 0)
    assert (moved.source.label, moved.target.label) == ("MAIN", "MAIN/A1")
    assert moved.balance == reports.Figure(8, Decimal("10.00"))
    assert moved.reference_number is None  # no such document: shown by id
    assert found.closing == reports.Figure(8, Decimal("10.00"))


def test_history_of_an_unknown_product_is_not_found(any_db_app):
    with pytest.raises(NotFound):
        reports.product_history(123456, at(0), at(1))
