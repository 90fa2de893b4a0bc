import datetime as dt

import pytest
import sqlalchemy as sa

from supplychain.errors import Conflict, OutOfStock, ValidationFailed
from supplychain.extensions import db
from supplychain.stock import ledger
from supplychain.stock.checks import check_invariants
from supplychain.stock.models import (
    Location,
    StockBalance,
    StockLevel,
    StockMove,
    Warehouse,
)
from supplychain.stock.queries import default_warehouse
from tests.factories import ProductFactory, WarehouseFactory


def level(product, warehouse):
    row = db.session.execute(
        sa.select(StockLevel.on_hand_qty, StockLevel.reserved_qty).where(
            StockLevel.product_id == product.id, StockLevel.warehouse_id == warehouse.id
        )
    ).first()
    return tuple(row) if row else (0, 0)


def move_count():
    return db.session.scalar(sa.select(sa.func.count(StockMove.id)))


@pytest.fixture
def main(any_db_app):
    return default_warehouse()


def test_receipt_books_a_move_and_raises_balance_and_level(main):
    product = ProductFactory()

    move = ledger.post_receipt(
        product.id, main.id, 40, reference_type="po", reference_id=7
    )
    db.session.commit()

    assert (move.qty, move.from_location.usage, move.to_location.label) == (
        40,
        "supplier",
        "MAIN",
    )
    assert move.delta_qty == 40
    assert level(product, main) == (40, 0)
    assert check_invariants() == []


def test_adjustment_in_and_out_keep_balance_equal_to_the_sum_of_moves(main):
    product = ProductFactory()

    ledger.post_adjustment(product.id, main.id, 10, "count found more")
    out = ledger.post_adjustment(product.id, main.id, -4, "broken boxes")
    db.session.commit()

    assert (out.qty, out.from_location.label, out.to_location.usage) == (
        4,
        "MAIN",
        "adjustment",
    )
    assert out.delta_qty == -4
    assert level(product, main) == (6, 0)
    assert check_invariants() == []


def test_write_off_may_not_take_on_hand_below_reserved(main):
    product = ProductFactory()
    ledger.post_adjustment(product.id, main.id, 10, "opening stock")
    ledger.reserve(product.id, main.id, 7)
    db.session.commit()
    moves_before = move_count()

    with pytest.raises(OutOfStock) as refused:
        ledger.post_adjustment(product.id, main.id, -4, "damaged")

    assert refused.value.lines == [
        {"sku": product.sku, "requested_qty": 4, "available_qty": 3}
    ]
    db.session.commit()  # the ledger undid its own updates: committing writes nothing
    assert level(product, main) == (10, 7)
    assert move_count() == moves_before
    assert check_invariants() == []


def test_write_off_may_not_take_on_hand_below_zero(main):
    product = ProductFactory()
    ledger.post_adjustment(product.id, main.id, 2, "opening stock")

    with pytest.raises(OutOfStock):
        ledger.post_adjustment(product.id, main.id, -3, "lost")

    db.session.commit()
    assert level(product, main) == (2, 0)


@pytest.mark.parametrize("qty", [0, True, 1.5, 10**7, -(10**7)])
def test_adjustment_quantity_must_be_a_sensible_non_zero_integer(main, qty):
    product = ProductFactory()

    with pytest.raises(ValidationFailed) as refused:
        ledger.post_adjustment(product.id, main.id, qty, "typo")

    assert "qty" in refused.value.errors


@pytest.mark.parametrize("reason", ["", "   ", "x" * 201])
def test_adjustment_needs_a_reason_of_at_most_200_characters(main, reason):
    product = ProductFactory()

    with pytest.raises(ValidationFailed) as refused:
        ledger.post_adjustment(product.id, main.id, 1, reason)

    assert "reason" in refused.value.errors


def test_reason_of_exactly_200_characters_in_chinese_is_kept(main):
    product = ProductFactory()

    move = ledger.post_adjustment(product.id, main.id, 1, "盘" * 200)
    db.session.commit()

    assert db.session.get(StockMove, move.id).reason == "盘" * 200


def test_lot_tracked_product_needs_a_lot_and_keeps_its_expiry(main):
    product = ProductFactory(is_lot_tracked=True)

    with pytest.raises(ValidationFailed) as refused:
        ledger.post_receipt(product.id, main.id, 5)
    move = ledger.post_receipt(
        product.id, main.id, 5, lot="L1", expiry_date=dt.date(2027, 3, 1)
    )
    db.session.commit()

    assert "lot" in refused.value.errors
    assert (move.lot.lot_no, move.lot.expiry_date) == ("L1", dt.date(2027, 3, 1))


def test_a_lot_keeps_one_expiry_date(main):
    product = ProductFactory(is_lot_tracked=True)
    ledger.post_receipt(
        product.id, main.id, 5, lot="L1", expiry_date=dt.date(2027, 3, 1)
    )

    with pytest.raises(ValidationFailed) as refused:
        ledger.post_receipt(
            product.id, main.id, 5, lot="L1", expiry_date=dt.date(2028, 1, 1)
        )

    assert "expiry_date" in refused.value.errors


def test_product_without_lot_tracking_refuses_a_lot(main):
    product = ProductFactory()

    with pytest.raises(ValidationFailed) as refused:
        ledger.post_receipt(product.id, main.id, 5, lot="L1")

    assert "lot" in refused.value.errors


def test_reserve_and_release_move_reserved_only(main):
    product = ProductFactory()
    ledger.post_receipt(product.id, main.id, 10)

    ledger.reserve(product.id, main.id, 6)
    ledger.release(product.id, main.id, 2)
    db.session.commit()

    assert level(product, main) == (10, 4)
    assert check_invariants() == []


def test_reserve_refuses_more_than_available(main):
    product = ProductFactory()
    ledger.post_receipt(product.id, main.id, 10)
    ledger.reserve(product.id, main.id, 8)

    with pytest.raises(OutOfStock) as refused:
        ledger.reserve(product.id, main.id, 3)

    assert refused.value.lines == [
        {"sku": product.sku, "requested_qty": 3, "available_qty": 2}
    ]
    assert level(product, main) == (10, 8)


def test_reserve_of_a_product_never_stocked_is_refused_with_zero_available(main):
    product = ProductFactory()

    with pytest.raises(OutOfStock) as refused:
        ledger.reserve(product.id, main.id, 1)

    assert refused.value.lines[0]["available_qty"] == 0


def test_reserve_many_is_all_or_nothing_and_lists_every_short_line(main):
    plenty, short_a, short_b = ProductFactory(), ProductFactory(), ProductFactory()
    ledger.post_receipt(plenty.id, main.id, 100)
    ledger.post_receipt(short_a.id, main.id, 2)
    db.session.commit()

    with pytest.raises(OutOfStock) as refused:
        ledger.reserve_many(
            [
                (plenty.id, main.id, 5),
                (short_a.id, main.id, 2),
                (short_a.id, main.id, 1),
                (short_b.id, main.id, 4),
            ]
        )

    assert refused.value.lines == [
        {"sku": short_a.sku, "requested_qty": 3, "available_qty": 2},
        {"sku": short_b.sku, "requested_qty": 4, "available_qty": 0},
    ]
    db.session.commit()
    assert level(plenty, main) == (100, 0)
    assert level(short_a, main) == (2, 0)


def test_purchase_to_order_items_are_reserved_beyond_stock(main):
    product = ProductFactory(is_stocked=False)

    ledger.reserve_many([(product.id, main.id, 30)])
    db.session.commit()

    assert level(product, main) == (0, 30)
    assert check_invariants() == []


def test_releasing_more_than_reserved_is_a_conflict_and_changes_nothing(main):
    a, b = ProductFactory(), ProductFactory()
    ledger.post_receipt(a.id, main.id, 10)
    ledger.post_receipt(b.id, main.id, 10)
    ledger.reserve_many([(a.id, main.id, 5), (b.id, main.id, 1)])

    with pytest.raises(Conflict):
        ledger.release_many([(a.id, main.id, 5), (b.id, main.id, 2)])

    assert level(a, main) == (10, 5)
    assert level(b, main) == (10, 1)


def test_issue_reserved_drops_on_hand_and_reserved_first_expiry_first(main):
    product = ProductFactory(is_lot_tracked=True)
    ledger.post_receipt(
        product.id, main.id, 5, lot="LATE", expiry_date=dt.date(2028, 1, 1)
    )
    ledger.post_receipt(
        product.id, main.id, 3, lot="EARLY", expiry_date=dt.date(2027, 1, 1)
    )
    ledger.reserve(product.id, main.id, 6)

    moves = ledger.issue_reserved(
        product.id, main.id, 6, reference_type="order", reference_id=1
    )
    db.session.commit()

    assert [(m.lot.lot_no, m.qty, m.to_location.usage) for m in moves] == [
        ("EARLY", 3, "customer"),
        ("LATE", 3, "customer"),
    ]
    assert level(product, main) == (2, 0)
    assert check_invariants() == []


def test_issue_reserved_refuses_more_than_reserved(main):
    product = ProductFactory()
    ledger.post_receipt(product.id, main.id, 10)
    ledger.reserve(product.id, main.id, 2)

    with pytest.raises(OutOfStock):
        ledger.issue_reserved(product.id, main.id, 3)

    assert level(product, main) == (10, 2)


def test_unreserved_issue_cannot_take_reserved_stock(main):
    product = ProductFactory()
    ledger.post_receipt(product.id, main.id, 10)
    ledger.reserve(product.id, main.id, 9)

    with pytest.raises(OutOfStock):
        ledger.post_issue(product.id, main.id, 2)
    ledger.post_issue(
        product.id, main.id, 1, to_usage="supplier", reason="return to supplier"
    )
    db.session.commit()

    assert level(product, main) == (9, 9)


def test_transfer_between_warehouses_moves_on_hand_and_keeps_lots(main):
    other = WarehouseFactory()
    product = ProductFactory(is_lot_tracked=True)
    ledger.post_receipt(
        product.id, main.id, 8, lot="A1", expiry_date=dt.date(2027, 5, 1)
    )

    moves = ledger.post_transfer(
        product.id, 5, from_warehouse_id=main.id, to_warehouse_id=other.id
    )
    db.session.commit()

    assert [
        (m.lot.lot_no, m.from_location.label, m.to_location.label) for m in moves
    ] == [("A1", "MAIN", other.code)]
    assert level(product, main) == (3, 0)
    assert level(product, other) == (5, 0)
    assert check_invariants() == []


def test_put_away_into_a_bin_leaves_the_warehouse_level_alone(main):
    from supplychain.stock.services import generate_bins
    from supplychain.stock.models import Bin

    db.session.get(Warehouse, main.id).n_aisles = 1
    db.session.commit()
    generate_bins(main.id)
    bin_ = db.session.scalars(sa.select(Bin).where(Bin.warehouse_id == main.id)).first()
    product = ProductFactory()
    ledger.post_receipt(product.id, main.id, 10)
    ledger.reserve(product.id, main.id, 10)

    ledger.post_transfer(
        product.id,
        4,
        from_warehouse_id=main.id,
        to_warehouse_id=main.id,
        to_bin_id=bin_.id,
        reason="put-away",
    )
    picked = ledger.issue_reserved(product.id, main.id, 4, bin_id=bin_.id)
    db.session.commit()

    assert picked[0].from_location.label == f"MAIN/{bin_.code}"
    assert level(product, main) == (6, 6)
    assert check_invariants() == []


def test_moves_are_append_only_in_the_database(main):
    product = ProductFactory()
    move = ledger.post_receipt(product.id, main.id, 3)
    db.session.commit()

    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.update(StockMove.__table__).values(qty=300))
    db.session.rollback()
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(
            sa.delete(StockMove.__table__).where(StockMove.id == move.id)
        )
    db.session.rollback()

    assert db.session.get(StockMove, move.id).qty == 3


def test_checks_find_a_tampered_balance_and_a_tampered_level(main):
    product = ProductFactory()
    ledger.post_receipt(product.id, main.id, 10)
    db.session.commit()
    internal = db.session.scalar(
        sa.select(Location.id).where(Location.key == f"wh:{main.id}")
    )

    db.session.execute(
        sa.update(StockBalance.__table__)
        .where(StockBalance.location_id == internal)
        .values(on_hand_qty=11)
    )
    db.session.execute(sa.update(StockLevel.__table__).values(reserved_qty=12))
    db.session.commit()
    problems = check_invariants()

    assert any("moves sum to 10" in p for p in problems)
    assert any("exceeds on hand" in p for p in problems)


def test_virtual_locations_are_created_once(main):
    product = ProductFactory()

    ledger.post_receipt(product.id, main.id, 1)
    ledger.post_receipt(product.id, main.id, 1)
    ledger.post_adjustment(product.id, main.id, -1, "lost")
    db.session.commit()

    usages = db.session.scalars(
        sa.select(Location.usage).order_by(Location.usage)
    ).all()
    assert usages == ["adjustment", "internal", "supplier"]


def test_moves_may_carry_a_past_timestamp_for_history(main):
    product = ProductFactory()
    then = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.timezone.utc)

    move = ledger.post_receipt(product.id, main.id, 1, created_at=then)
    db.session.commit()

    assert db.session.get(StockMove, move.id).created_at == then
