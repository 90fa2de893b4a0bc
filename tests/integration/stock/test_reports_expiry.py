"""临期 near-expiry report and stock by bin and lot: the expiry boundaries of the one
expiry rule (the expiry day itself is usable; day 60 in, day 61 out), quarantine, values
at the moving average, bin filters (SQLite and PostgreSQL)."""

import datetime as dt
from decimal import Decimal

import pytest

from supplychain.errors import ValidationFailed
from supplychain.extensions import db
from supplychain.stock import ledger, reports
from supplychain.stock.expiry import local_today
from supplychain.stock.models import Bin
from supplychain.stock.queries import default_warehouse
from tests.factories import ProductFactory, WarehouseFactory


def make_bin(warehouse, code, *, aisle, quarantine=False):
    bin_ = Bin(
        warehouse_id=warehouse.id, aisle=aisle, block=1, bay=1, side="L", code=code,
        is_quarantine=quarantine,
    )  # fmt: skip
    db.session.add(bin_)
    db.session.commit()
    return bin_


@pytest.fixture
def lots(any_db_app):
    """One lot-tracked product in MAIN with lots expiring −1, 0, 60 and 61 days from
    today, one with no expiry date, and a quarantined part of the day-0 lot."""
    main = default_warehouse()
    today = local_today()
    product = ProductFactory(sku="EXP-1", name="阿胶糕", is_lot_tracked=True)
    shelf = make_bin(main, "A01-1-01-L1", aisle=1)
    hold = make_bin(main, "Q01-1-01-L1", aisle=9, quarantine=True)
    for lot, days, qty, bin_ in (
        ("L-PAST", -1, 4, shelf),
        ("L-TODAY", 0, 5, shelf),
        ("L-60", 60, 6, None),
        ("L-61", 61, 7, shelf),
    ):
        ledger.post_receipt(
            product.id, main.id, qty, lot=lot,
            expiry_date=today + dt.timedelta(days=days),
            bin_id=bin_ and bin_.id, unit_cost=Decimal("3.00"),
        )  # fmt: skip
    ledger.post_receipt(
        product.id, main.id, 2, lot="L-TODAY", bin_id=hold.id, unit_cost=Decimal("3.00")
    )
    ledger.post_receipt(
        product.id, main.id, 3, lot="L-PAST", bin_id=hold.id, unit_cost=Decimal("3.00")
    )
    db.session.commit()
    return main, product, today


def test_the_expiry_day_is_usable_day_60_is_in_and_day_61_is_out(lots):
    main, product, today = lots
    found = reports.near_expiry()

    assert [(r.lot_no, r.days_left, r.qty) for r in found.expiring] == [
        ("L-TODAY", 0, 5),  # the 2 in quarantine are not offered for a campaign
        ("L-60", 60, 6),
    ]
    assert [(r.lot_no, r.days_left, r.qty) for r in found.expired] == [
        ("L-PAST", -1, 7)  # expired wherever it lies, quarantine included
    ]
    assert found.expiring[0].value == Decimal("15.00")  # 5 × 3.00 moving average
    assert found.expiring_value == Decimal("33.00")
    assert found.expired[0].value == Decimal("21.00")


def test_the_horizon_moves_the_boundary(lots):
    assert [r.lot_no for r in reports.near_expiry(61).expiring] == [
        "L-TODAY", "L-60", "L-61",
    ]  # fmt: skip
    assert [r.lot_no for r in reports.near_expiry(0).expiring] == ["L-TODAY"]
    tomorrow = reports.near_expiry(60, on=lots[2] + dt.timedelta(days=1))
    assert [r.lot_no for r in tomorrow.expired] == ["L-PAST", "L-TODAY"]
    for days in (-1, 3651, True, "60"):
        with pytest.raises(ValidationFailed):
            reports.near_expiry(days)


def test_near_expiry_per_warehouse_and_values_at_the_average_cost(lots):
    main, product, today = lots
    north = WarehouseFactory(code="NORTH")
    db.session.commit()
    ledger.post_receipt(
        product.id, north.id, 10, lot="L-N", expiry_date=today + dt.timedelta(days=9),
        unit_cost=Decimal("1.10"),
    )  # fmt: skip
    ledger.post_receipt(product.id, north.id, 20, lot="L-N", unit_cost=Decimal("1.40"))
    db.session.commit()

    only_north = reports.near_expiry(warehouse_id=north.id)

    assert [(r.warehouse, r.lot_no, r.qty) for r in only_north.expiring] == [
        ("NORTH", "L-N", 30)
    ]
    assert only_north.expiring[0].unit_cost == Decimal("1.3000")
    assert only_north.expiring[0].value == Decimal("39.00")
    assert only_north.expired == []
    everywhere = reports.near_expiry()
    assert [r.lot_no for r in everywhere.expiring] == ["L-TODAY", "L-N", "L-60"]


def test_stock_by_bin_and_lot_with_days_left_and_flags(lots):
    main, product, today = lots
    rows = reports.stock_places(warehouse_id=main.id)

    assert [(r.bin, r.lot_no, r.qty) for r in rows] == [
        (None, "L-60", 6),  # the unbinned location first
        ("A01-1-01-L1", "L-PAST", 4),
        ("A01-1-01-L1", "L-TODAY", 5),
        ("A01-1-01-L1", "L-61", 7),
        ("Q01-1-01-L1", "L-PAST", 3),
        ("Q01-1-01-L1", "L-TODAY", 2),
    ]
    flags = {(r.bin, r.lot_no): r for r in rows}
    assert flags[("A01-1-01-L1", "L-PAST")].is_expired
    assert flags[("A01-1-01-L1", "L-PAST")].days_left == -1
    assert not flags[("A01-1-01-L1", "L-TODAY")].is_expired
    assert flags[("A01-1-01-L1", "L-TODAY")].is_near_expiry
    assert not flags[("A01-1-01-L1", "L-61")].is_near_expiry
    assert flags[("Q01-1-01-L1", "L-TODAY")].is_quarantine
    assert not flags[("Q01-1-01-L1", "L-TODAY")].is_usable
    assert sum(r.qty for r in rows) == 27


def test_stock_by_bin_filters_on_a_bin_prefix_and_a_sku(lots):
    main, product, today = lots
    other = ProductFactory(sku="EXP-2")
    ledger.post_receipt(other.id, main.id, 1, unit_cost=Decimal("1.00"))
    db.session.commit()

    quarantine = reports.stock_places(bin_prefix="q01")
    assert {r.bin for r in quarantine} == {"Q01-1-01-L1"}
    assert [r.sku for r in reports.stock_places(sku="EXP-2")] == ["EXP-2"]
    assert reports.stock_places(bin_prefix="%") == []  # a LIKE wildcard is text
