"""Moving-average valuation, transfers through transit, and the one expiry rule
(expired lots and quarantine bins are on hand but never available), on SQLite and
PostgreSQL."""

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from supplychain.errors import OutOfStock, ValidationFailed
from supplychain.extensions import db
from supplychain.stock import ledger
from supplychain.stock.checks import check_invariants
from supplychain.stock.expiry import local_today
from supplychain.stock.models import Bin, StockLevel
from supplychain.stock.queries import available_qty, default_warehouse
from tests.factories import ProductFactory, WarehouseFactory


@pytest.fixture
def main(any_db_app):
    return default_warehouse()


def value_of(product, warehouse):
    return db.session.scalar(
        sa.select(StockLevel.stock_value).where(
            StockLevel.product_id == product.id,
            StockLevel.warehouse_id == warehouse.id,
        )
    )


def make_bin(warehouse, code="Q-1", quarantine=False, aisle=9):
    bin_ = Bin(
        warehouse_id=warehouse.id,
        aisle=aisle,
        block=1,
        bay=1,
        side="L",
        code=code,
        is_quarantine=quarantine,
    )
    db.session.add(bin_)
    db.session.commit()
    return bin_


def test_receipts_average_the_cost_and_issues_take_it_to_the_cent(main):
    product = ProductFactory()
    ledger.post_receipt(product.id, main.id, 10, unit_cost=Decimal("5.00"))
    ledger.post_receipt(product.id, main.id, 20, unit_cost=Decimal("6.10"))
    db.session.commit()
    assert value_of(product, main) == Decimal("172.00")  # 50 + 122, avg 5.7333…

    first = ledger.post_issue(product.id, main.id, 7)
    db.session.commit()
    assert [m.value for m in first] == [Decimal("40.13")]  # 172 × 7 / 30, half up
    assert value_of(product, main) == Decimal("131.87")

    rest = ledger.post_issue(product.id, main.id, 23)
    db.session.commit()
    assert [m.value for m in rest] == [Decimal("131.87")]  # the last unit takes all
    assert value_of(product, main) == Decimal("0.00")
    assert check_invariants() == []


def test_a_receipt_without_a_cost_is_valued_at_the_average(main):
    product = ProductFactory()
    ledger.post_receipt(product.id, main.id, 4, unit_cost=Decimal("2.50"))
    found = ledger.post_adjustment(product.id, main.id, 2, "found")
    db.session.commit()
    assert found.value == Decimal("5.00")
    assert value_of(product, main) == Decimal("15.00")
    assert check_invariants() == []


def test_a_transfer_carries_its_value_through_transit(main):
    product = ProductFactory()
    other = WarehouseFactory()
    db.session.commit()
    ledger.post_receipt(product.id, main.id, 9, unit_cost=Decimal("3.33"))
    out = ledger.dispatch_transfer(product.id, 4, from_warehouse_id=main.id)
    db.session.commit()
    assert sum(m.value for m in out) == Decimal("13.32")
    assert available_qty(product.id, main.id) == 5
    assert available_qty(product.id, other.id) == 0  # in transit: nowhere yet

    ledger.receive_transfer(
        product.id, 4, out[0].value, to_warehouse_id=other.id, lot_id=None
    )
    db.session.commit()
    assert value_of(product, other) == Decimal("13.32")
    assert value_of(product, main) == Decimal("16.65")
    assert check_invariants() == []

    with pytest.raises(OutOfStock):  # nothing left in transit
        ledger.receive_transfer(
            product.id, 1, Decimal("0"), to_warehouse_id=other.id, lot_id=None
        )


def test_an_expired_lot_is_on_hand_but_never_available(main):
    product = ProductFactory(is_lot_tracked=True)
    today = local_today()
    ledger.post_receipt(
        product.id, main.id, 5, lot="OLD", expiry_date=today - dt.timedelta(days=1)
    )
    ledger.post_receipt(
        product.id, main.id, 3, lot="NEW", expiry_date=today + dt.timedelta(days=90)
    )
    db.session.commit()

    assert available_qty(product.id, main.id) == 3
    with pytest.raises(OutOfStock) as refused:
        ledger.reserve(product.id, main.id, 4)
    assert refused.value.lines[0]["available_qty"] == 3
    ledger.reserve(product.id, main.id, 3)
    db.session.commit()

    # the expired lot is never picked; a write-off of it goes through
    with pytest.raises(OutOfStock):
        ledger.issue_reserved(product.id, main.id, 3, lot="OLD")
    ledger.post_adjustment(product.id, main.id, -5, "expired", lot="OLD")
    db.session.commit()
    moves = ledger.issue_reserved(product.id, main.id, 3)
    db.session.commit()
    assert [m.lot.lot_no for m in moves] == ["NEW"]
    assert check_invariants() == []


def test_the_expiry_day_itself_is_still_usable(main):
    product = ProductFactory(is_lot_tracked=True)
    today = local_today()
    ledger.post_receipt(product.id, main.id, 2, lot="EDGE", expiry_date=today)
    db.session.commit()
    assert available_qty(product.id, main.id) == 2
    # but not for a merchant who needs a day of shelf life
    with pytest.raises(OutOfStock):
        ledger.reserve(
            product.id, main.id, 1, usable_from=today + dt.timedelta(days=1)
        )


def test_quarantine_stock_is_valued_but_not_available(main):
    product = ProductFactory()
    quarantine = make_bin(main, quarantine=True)
    shelf = make_bin(main, code="A-1", aisle=1)
    ledger.post_receipt(product.id, main.id, 6, unit_cost=Decimal("1.00"))
    ledger.post_receipt(
        product.id,
        main.id,
        2,
        from_usage="customer",
        bin_id=quarantine.id,
        unit_cost=Decimal("1.00"),
    )
    db.session.commit()
    assert available_qty(product.id, main.id) == 6
    assert value_of(product, main) == Decimal("8.00")

    ledger.reserve(product.id, main.id, 5)
    db.session.commit()
    # moving usable stock into quarantine would take stock promised to orders
    with pytest.raises(OutOfStock):
        ledger.post_transfer(
            product.id,
            2,
            from_warehouse_id=main.id,
            to_warehouse_id=main.id,
            to_bin_id=quarantine.id,
        )
    # releasing from quarantine makes it available
    ledger.post_transfer(
        product.id,
        2,
        from_warehouse_id=main.id,
        to_warehouse_id=main.id,
        from_bin_id=quarantine.id,
        to_bin_id=shelf.id,
    )
    db.session.commit()
    assert available_qty(product.id, main.id) == 3
    assert check_invariants() == []


def test_a_lot_number_belongs_to_one_product_and_dates_must_be_in_order(main):
    first, second = ProductFactory(is_lot_tracked=True), ProductFactory(
        is_lot_tracked=True
    )
    ledger.post_receipt(first.id, main.id, 1, lot="L-2026-01")
    db.session.commit()
    with pytest.raises(ValidationFailed) as reused:
        ledger.post_receipt(second.id, main.id, 1, lot="L-2026-01")
    assert "lot" in reused.value.errors
    with pytest.raises(ValidationFailed) as backwards:
        ledger.post_receipt(
            second.id,
            main.id,
            1,
            lot="L-X",
            production_date=dt.date(2027, 1, 2),
            expiry_date=dt.date(2027, 1, 1),
        )
    assert "expiry_date" in backwards.value.errors
