"""进销存 stock counts (盘点) on SQLite and PostgreSQL: the snapshot, blind counting,
the reconcile rule (moves after a bin was counted are not variances), approval posting
adjustments all or nothing, and the bad input that must write nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from supplychain.errors import (
    Conflict,
    NotFound,
    OutOfStock,
    PermissionDenied,
    ValidationFailed,
)
from supplychain.extensions import db
from supplychain.stock import counts, ledger
from supplychain.stock.checks import check_invariants
from supplychain.stock.counts import FoundItem
from supplychain.stock.models import (
    Bin,
    StockBalance,
    StockCount,
    StockCountBin,
    StockCountLine,
    StockMove,
)
from supplychain.stock.locations import internal_location
from supplychain.stock.queries import default_warehouse
from tests.factories import (
    ProductFactory,
    ProductSupplierFactory,
    UserFactory,
    WarehouseFactory,
    merchant_user,
)


# --- helpers ------------------------------------------------------------------------
@pytest.fixture
def main(any_db_app):
    return default_warehouse()


@pytest.fixture
def counter(any_db_app):
    return UserFactory(role="warehouse")


@pytest.fixture
def manager(any_db_app):
    return UserFactory(role="warehouse_manager")


def make_bin(warehouse, aisle=1, bay=1, level=1, active=True):
    code = f"A{aisle:02d}-1-{bay:02d}-L{level}"
    bin_ = Bin(
        warehouse_id=warehouse.id,
        aisle=aisle,
        block=1,
        bay=bay,
        side="L",
        level=level,
        code=code,
        is_active=active,
    )
    db.session.add(bin_)
    db.session.commit()
    return bin_


def receive(product, warehouse, qty, bin_=None, lot=None, expiry=None, cost="10.00"):
    move = ledger.post_receipt(
        product.id,
        warehouse.id,
        qty,
        bin_id=bin_.id if bin_ else None,
        lot=lot,
        expiry_date=expiry,
        unit_cost=Decimal(cost),
    )
    db.session.commit()
    return move


def balance(product, bin_, lot_id=None):
    location = internal_location(bin_.warehouse_id, bin_.id)
    qty = db.session.scalar(
        sa.select(StockBalance.on_hand_qty).where(
            StockBalance.product_id == product.id,
            StockBalance.location_id == location.id,
            StockBalance.lot_key == (lot_id or 0),
        )
    )
    return int(qty or 0)


def written():
    """Everything a refused call must leave as it was."""
    tables = (StockMove, StockCount, StockCountBin, StockCountLine)
    rows = tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in tables
    )
    balances = tuple(
        db.session.execute(
            sa.select(
                StockBalance.product_id,
                StockBalance.location_id,
                StockBalance.lot_key,
                StockBalance.on_hand_qty,
            ).order_by(StockBalance.id)
        ).all()
    )
    lines = tuple(
        db.session.execute(
            sa.select(
                StockCountLine.id,
                StockCountLine.counted_qty,
                StockCountLine.expected_qty,
                StockCountLine.variance_qty,
            ).order_by(StockCountLine.id)
        ).all()
    )
    statuses = tuple(
        db.session.execute(
            sa.select(StockCount.id, StockCount.status).order_by(StockCount.id)
        ).all()
    )
    return rows, balances, lines, statuses


def refused(error, call):
    before = written()
    with pytest.raises(error) as raised:
        call()
    db.session.rollback()
    assert written() == before, "a refused call wrote something"
    return raised.value


def lines_of(count_bin):
    return {(line.product_id, line.lot_key): line for line in count_bin.lines}


def count_bin_of(count, bin_):
    return db.session.scalar(
        sa.select(StockCountBin).where(
            StockCountBin.count_id == count.id, StockCountBin.bin_id == bin_.id
        )
    )


def record(count, bin_, numbers, user, added=()):
    """numbers: product id (or (product id, lot id)) → counted."""
    count_bin = count_bin_of(count, bin_)
    entries = {}
    for key, qty in numbers.items():
        key = key if isinstance(key, tuple) else (key, 0)
        entries[lines_of(count_bin)[key].id] = qty
    return counts.record_bin_count(count.id, bin_.id, entries, user=user, added=added)


# --- starting ----------------------------------------------------------------------
def test_a_full_count_snapshots_every_active_bin_per_product_and_lot(main, counter):
    bin1, bin2 = make_bin(main, bay=1), make_bin(main, bay=2)
    make_bin(main, bay=3, active=False)
    plain = ProductFactory()
    lotted = ProductFactory(is_lot_tracked=True)
    receive(plain, main, 7, bin1)
    receive(lotted, main, 3, bin1, lot="L1", expiry=dt.date(2030, 1, 1))
    receive(lotted, main, 4, bin1, lot="L2", expiry=dt.date(2030, 6, 1))
    receive(plain, main, 5)  # unbinned: not countable per bin

    count = counts.start_count(main.id, kind="full", user=counter)

    assert count.number.startswith("PD-") and count.status == "counting"
    assert count.blind and count.kind == "full" and count.created_by_id == counter.id
    assert {cb.bin_id for cb in count.bins} == {bin1.id, bin2.id}
    assert all(cb.status == "pending" for cb in count.bins)
    snapshot = {
        (line.product_id, line.lot.lot_no if line.lot else None): line.snapshot_qty
        for line in count_bin_of(count, bin1).lines
    }
    assert snapshot == {(plain.id, None): 7, (lotted.id, "L1"): 3, (lotted.id, "L2"): 4}
    assert count_bin_of(count, bin2).lines == []
    unbinned = counts.unbinned_stock(main.id)
    assert [(r.sku, r.on_hand_qty) for r in unbinned] == [(plain.sku, 5)]


def test_a_cycle_count_takes_the_given_aisles_and_bins(main, counter):
    a1 = make_bin(main, aisle=1, bay=1)
    a1b = make_bin(main, aisle=1, bay=2)
    a2 = make_bin(main, aisle=2, bay=1)
    make_bin(main, aisle=3, bay=1)

    count = counts.start_count(
        main.id, kind="cycle", aisles=[1], bin_codes=[a2.code.lower()], user=counter
    )

    assert {cb.bin_id for cb in count.bins} == {a1.id, a1b.id, a2.id}
    assert count.scope == f"A01, {a2.code}"


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"kind": "cycle"}, "bins"),
        ({"kind": "cycle", "bin_codes": ["Z99-9-99-L9"]}, "bins"),
        ({"kind": "cycle", "aisles": [42]}, "aisles"),
        ({"kind": "cycle", "aisles": [0]}, "aisles"),
        ({"kind": "cycle", "bin_codes": ["A01-1-03-L1"]}, "bins"),  # inactive
        ({"kind": "full", "aisles": [1]}, "bins"),
        ({"kind": "weekly"}, "kind"),
        ({"kind": "full", "note": "x" * 501}, "note"),
    ],
)
def test_bad_scopes_are_field_errors_and_write_nothing(main, counter, kwargs, field):
    make_bin(main, bay=1)
    make_bin(main, bay=3, active=False)

    error = refused(
        ValidationFailed, lambda: counts.start_count(main.id, user=counter, **kwargs)
    )

    assert field in error.errors


def test_a_warehouse_without_bins_has_nothing_to_count(main, counter):
    empty = WarehouseFactory()
    error = refused(
        ValidationFailed, lambda: counts.start_count(empty.id, user=counter)
    )
    assert "warehouse" in error.errors


def test_a_bin_in_another_open_count_is_refused_until_that_count_ends(
    main, counter, manager
):
    bin1, bin2 = make_bin(main, bay=1), make_bin(main, bay=2)
    first = counts.start_count(
        main.id, kind="cycle", bin_codes=[bin1.code], user=counter
    )

    error = refused(
        Conflict, lambda: counts.start_count(main.id, kind="full", user=counter)
    )
    assert error.details["bins"] == [bin1.code]
    other = counts.start_count(
        main.id, kind="cycle", bin_codes=[bin2.code], user=counter
    )
    counts.cancel_count(first.id, manager)
    again = counts.start_count(
        main.id, kind="cycle", bin_codes=[bin1.code], user=counter
    )

    assert other.number != first.number != again.number
    assert first.status == "cancelled" and again.status == "counting"


def test_merchants_and_other_roles_cannot_count(main):
    make_bin(main)
    for user in (merchant_user(), UserFactory(role="sales")):
        refused(PermissionDenied, lambda: counts.start_count(main.id, user=user))


# --- the reconcile rule ------------------------------------------------------------
def test_moves_after_a_bin_was_counted_are_not_variances_and_moves_before_are(
    main, counter, manager
):
    """10 in the bin at the start; before counting a pick of 2 and a receipt of 3
    (11 there); the counter finds 10; then a pick of 3 and a receipt of 4 land in the
    bin. Expected = what was there when counted = 11, variance −1, posted as one
    write-off."""
    bin_ = make_bin(main)
    product = ProductFactory()
    receive(product, main, 10, bin_, cost="10.00")
    count = counts.start_count(main.id, user=counter)
    ledger.reserve(product.id, main.id, 5)
    ledger.issue_reserved(product.id, main.id, 2, bin_id=bin_.id)
    receive(product, main, 3, bin_, cost="10.00")
    db.session.commit()

    record(count, bin_, {product.id: 10}, counter)
    ledger.issue_reserved(product.id, main.id, 3, bin_id=bin_.id)
    receive(product, main, 4, bin_, cost="10.00")
    review = counts.count_variances(count)
    approved = counts.approve_count(count.id, user=manager)

    [row] = review.bins[0].rows
    assert (row.counted, row.expected, row.variance) == (10, 11, -1)
    assert row.value == Decimal("-10.00")
    [line] = count_bin_of(approved, bin_).lines
    assert (line.snapshot_qty, line.counted_qty, line.expected_qty) == (10, 10, 11)
    assert (line.variance_qty, line.variance_value) == (-1, Decimal("-10.00"))
    assert approved.status == "approved" and approved.approved_by_id == manager.id
    assert approved.variance_value == Decimal("-10.00")
    [move] = db.session.scalars(
        sa.select(StockMove).where(
            StockMove.reference_type == "stock_count",
            StockMove.reference_id == count.id,
        )
    )
    assert (move.qty, move.delta_qty, move.lot_id) == (1, -1, None)
    assert move.reason == f"Count {count.number}"
    assert move.from_location.bin_id == bin_.id
    assert balance(product, bin_) == 11  # 10 − 2 + 3 − 3 + 4 − 1
    assert check_invariants() == [] and counts.check_counts() == []


def test_found_items_and_lots_post_gains_and_losses_per_lot(main, counter, manager):
    bin_ = make_bin(main)
    lotted = ProductFactory(is_lot_tracked=True, barcode="6901234567890")
    plain = ProductFactory()
    ProductSupplierFactory(product=plain, cost_price=Decimal("4.00"))
    receive(lotted, main, 5, bin_, lot="L1", expiry=dt.date(2030, 1, 1), cost="2.00")
    receive(lotted, main, 6, lot="L2", expiry=dt.date(2030, 2, 1), cost="2.00")
    count = counts.start_count(main.id, user=counter)
    lot1 = lines_of(count_bin_of(count, bin_))
    [(lotted_id, lot1_id)] = list(lot1)

    record(
        count,
        bin_,
        {(lotted_id, lot1_id): 4},
        counter,
        added=[
            FoundItem("6901234567890", 2, lot="L2"),  # by barcode, another lot
            FoundItem(plain.sku, 3),
        ],
    )
    approved = counts.approve_count(count.id, user=manager)

    rows = {
        (line.product.sku, line.lot.lot_no if line.lot else None): (
            line.is_added,
            line.expected_qty,
            line.variance_qty,
            line.variance_value,
        )
        for line in count_bin_of(approved, bin_).lines
    }
    assert rows == {
        (lotted.sku, "L1"): (False, 5, -1, Decimal("-2.00")),
        (lotted.sku, "L2"): (True, 0, 2, Decimal("4.00")),
        (plain.sku, None): (True, 0, 3, Decimal("12.00")),  # at the supplier's cost
    }
    assert approved.variance_value == Decimal("14.00")
    assert check_invariants() == [] and counts.check_counts() == []


def test_a_recount_replaces_the_numbers_the_found_items_and_the_time(
    main, counter, manager
):
    bin_ = make_bin(main)
    product, extra = ProductFactory(), ProductFactory()
    receive(product, main, 4, bin_)
    count = counts.start_count(main.id, user=counter)
    first = record(
        count, bin_, {product.id: 9}, counter, added=[FoundItem(extra.sku, 1)]
    )
    first_time = first.counted_at

    other = UserFactory(role="warehouse")
    again = record(count, bin_, {product.id: 3}, other)

    assert again.counted_at > first_time and again.counted_by_id == other.id
    assert [(ln.product_id, ln.counted_qty) for ln in again.lines] == [(product.id, 3)]
    counts.reset_bin(count.id, bin_.id, manager)
    assert count_bin_of(count, bin_).status == "pending"
    assert count_bin_of(count, bin_).lines[0].counted_qty is None
    assert count_bin_of(count, bin_).counted_at is None


# --- approving ---------------------------------------------------------------------
def test_approving_twice_is_a_conflict_that_writes_nothing(main, counter, manager):
    bin_ = make_bin(main)
    product = ProductFactory()
    receive(product, main, 4, bin_)
    count = counts.start_count(main.id, user=counter)
    record(count, bin_, {product.id: 2}, counter)
    counts.approve_count(count.id, user=manager)

    error = refused(Conflict, lambda: counts.approve_count(count.id, user=manager))

    assert "already approved" in error.message
    refused(Conflict, lambda: record(count, bin_, {product.id: 1}, counter))
    refused(Conflict, lambda: counts.cancel_count(count.id, manager))
    refused(Conflict, lambda: counts.reset_bin(count.id, bin_.id, manager))


def test_a_count_with_bins_still_to_count_cannot_be_approved(main, counter, manager):
    bin1, bin2 = make_bin(main, bay=1), make_bin(main, bay=2)
    product = ProductFactory()
    receive(product, main, 4, bin1)
    count = counts.start_count(main.id, user=counter)
    record(count, bin1, {product.id: 4}, counter)

    error = refused(Conflict, lambda: counts.approve_count(count.id, user=manager))

    assert error.details["bins"] == [bin2.code]


def test_only_a_manager_approves_resets_and_cancels(main, counter):
    bin_ = make_bin(main)
    count = counts.start_count(main.id, user=counter)
    counts.record_bin_count(count.id, bin_.id, {}, user=counter)

    for call in (
        lambda: counts.approve_count(count.id, user=counter),
        lambda: counts.reset_bin(count.id, bin_.id, counter),
        lambda: counts.cancel_count(count.id, counter),
    ):
        refused(PermissionDenied, call)
    admin = UserFactory(role="admin")
    assert counts.approve_count(count.id, user=admin).status == "approved"


@pytest.mark.parametrize("change", ["code", "position", "deactivated"])
def test_a_bin_changed_after_it_was_counted_must_be_recounted(
    main, counter, manager, change
):
    bin_ = make_bin(main)
    product = ProductFactory()
    receive(product, main, 4, bin_)
    count = counts.start_count(main.id, user=counter)
    record(count, bin_, {product.id: 3}, counter)
    if change == "deactivated":  # emptied and deactivated meanwhile
        ledger.post_adjustment(product.id, main.id, -4, "move out", bin_id=bin_.id)
        bin_.is_active = False
    elif change == "code":
        bin_.code = "A01-1-01-L9"
    else:
        bin_.bay = 9
    db.session.commit()

    error = refused(Conflict, lambda: counts.approve_count(count.id, user=manager))

    assert error.details["bins"] == [bin_.code]
    if change != "deactivated":
        record(count, bin_, {product.id: 3}, counter)
        approved = counts.approve_count(count.id, user=manager)
        assert approved.status == "approved"
        assert balance(product, bin_) == 3
    else:
        refused(Conflict, lambda: record(count, bin_, {product.id: 0}, counter))
    assert check_invariants() == []


def test_quarantining_a_counted_bin_does_not_invalidate_its_count(
    main, counter, manager
):
    bin_ = make_bin(main)
    product = ProductFactory()
    receive(product, main, 4, bin_)
    count = counts.start_count(main.id, user=counter)
    record(count, bin_, {product.id: 4}, counter)
    bin_.is_quarantine = True
    db.session.commit()

    assert counts.approve_count(count.id, user=manager).status == "approved"


def test_a_write_off_of_reserved_stock_refuses_the_whole_count_and_writes_nothing(
    main, counter, manager
):
    """Two bins: one with a gain, one where the shortage is reserved for orders."""
    bin1, bin2 = make_bin(main, bay=1), make_bin(main, bay=2)
    reserved, other = ProductFactory(), ProductFactory()
    receive(reserved, main, 5, bin1)
    receive(other, main, 1, bin2)
    ledger.reserve(reserved.id, main.id, 5)
    db.session.commit()
    count = counts.start_count(main.id, user=counter)
    record(count, bin1, {reserved.id: 3}, counter)
    record(count, bin2, {other.id: 2}, counter)

    error = refused(OutOfStock, lambda: counts.approve_count(count.id, user=manager))

    assert error.code == "insufficient_stock"
    assert error.lines == [
        {
            "bin": bin1.code,
            "sku": reserved.sku,
            "lot": None,
            "requested_qty": 2,
            "available_qty": 0,
        }
    ]
    assert reserved.sku in error.message
    db.session.expire_all()
    assert db.session.get(StockCount, count.id).status == "counting"
    assert check_invariants() == []


# --- bad counts --------------------------------------------------------------------
@pytest.mark.parametrize(
    "qty, problem",
    [
        (-1, "negative"),
        (2.5, "whole number"),
        ("3", "whole number"),
        (True, "whole number"),
        (10**9, "At most"),
    ],
)
def test_bad_quantities_are_refused_next_to_their_line(main, counter, qty, problem):
    bin_ = make_bin(main)
    product = ProductFactory()
    receive(product, main, 4, bin_)
    count = counts.start_count(main.id, user=counter)
    line = count_bin_of(count, bin_).lines[0]

    error = refused(
        ValidationFailed,
        lambda: counts.record_bin_count(
            count.id, bin_.id, {line.id: qty}, user=counter
        ),
    )

    assert problem in error.errors[f"line_{line.id}"][0]


def test_every_listed_line_needs_a_number(main, counter):
    bin_ = make_bin(main)
    product = ProductFactory()
    receive(product, main, 4, bin_)
    count = counts.start_count(main.id, user=counter)
    line = count_bin_of(count, bin_).lines[0]

    error = refused(
        ValidationFailed,
        lambda: counts.record_bin_count(count.id, bin_.id, {}, user=counter),
    )

    assert list(error.errors) == [f"line_{line.id}"]


def test_found_items_must_be_known_products_with_their_own_lots(main, counter):
    bin_ = make_bin(main)
    listed = ProductFactory()
    lotted = ProductFactory(is_lot_tracked=True)
    foreign = ProductFactory(is_lot_tracked=True)
    receive(listed, main, 4, bin_)
    receive(foreign, main, 1, lot="F-1", expiry=dt.date(2030, 1, 1))
    receive(lotted, main, 1, lot="L-1", expiry=dt.date(2030, 1, 1))
    count = counts.start_count(main.id, user=counter)
    line = count_bin_of(count, bin_).lines[0]
    added = [
        FoundItem("NO-SUCH-SKU", 1),
        FoundItem(lotted.sku, 1, lot="F-1"),  # another product's lot
        FoundItem(lotted.sku, 1),  # lot missing
        FoundItem(lotted.sku, 1, lot="NEW-9"),  # never received
        FoundItem(listed.sku, 1, lot="X"),  # not lot-tracked
        FoundItem(listed.sku, 2),  # listed above
        FoundItem(lotted.sku, -3, lot="L-1"),
    ]

    error = refused(
        ValidationFailed,
        lambda: counts.record_bin_count(
            count.id, bin_.id, {line.id: 4}, user=counter, added=added
        ),
    )

    assert set(error.errors) == {
        "found_0_code",
        "found_1_lot",
        "found_2_lot",
        "found_3_lot",
        "found_4_lot",
        "found_5_code",
        "found_6_qty",
    }
    assert foreign.sku in error.errors["found_1_lot"][0]


def test_api_entries_fill_listed_lines_by_sku_and_the_rest_are_found(main, counter):
    bin_ = make_bin(main)
    listed, extra = ProductFactory(), ProductFactory()
    receive(listed, main, 4, bin_)
    count = counts.start_count(main.id, user=counter)

    missing = refused(
        ValidationFailed,
        lambda: counts.record_bin_items(
            count.id, bin_.id, [{"sku": extra.sku, "qty": 1}], user=counter
        ),
    )
    twice = refused(
        ValidationFailed,
        lambda: counts.record_bin_items(
            count.id,
            bin_.id,
            [{"sku": listed.sku, "qty": 1}, {"sku": listed.sku, "qty": 2}],
            user=counter,
        ),
    )
    done = counts.record_bin_items(
        count.id,
        bin_.id,
        [{"sku": listed.sku, "qty": 0}, {"sku": extra.sku, "qty": 2}],
        user=counter,
    )

    assert listed.sku in missing.errors["entries"][0]
    assert "entries.1.sku" in twice.errors
    assert {(ln.product_id, ln.counted_qty, ln.is_added) for ln in done.lines} == {
        (listed.id, 0, False),
        (extra.id, 2, True),
    }


def test_a_bin_of_another_warehouse_or_outside_the_count_is_not_found(main, counter):
    bin_ = make_bin(main)
    elsewhere = make_bin(WarehouseFactory())
    count = counts.start_count(main.id, user=counter)

    refused(
        NotFound,
        lambda: counts.record_bin_count(count.id, elsewhere.id, {}, user=counter),
    )
    refused(NotFound, lambda: counts.record_bin_count(10**9, bin_.id, {}, user=counter))


def test_recording_into_a_cancelled_count_is_refused(main, counter, manager):
    bin_ = make_bin(main)
    count = counts.start_count(main.id, user=counter)
    counts.cancel_count(count.id, manager)

    error = refused(
        Conflict, lambda: counts.record_bin_count(count.id, bin_.id, {}, user=counter)
    )
    assert "cancelled" in error.message


def test_counts_list_with_progress_and_search(main, counter):
    bin1, bin2 = make_bin(main, bay=1), make_bin(main, bay=2)
    count = counts.start_count(main.id, note="月末盘点", user=counter)
    counts.record_bin_count(count.id, bin1.id, {}, user=counter)

    rows = db.session.execute(counts.counts_query("月末")).all()
    none = db.session.execute(counts.counts_query(status="approved")).all()

    assert [(r[0].number, r.counted_bins, r.total_bins) for r in rows] == [
        (count.number, 1, 2)
    ]
    assert none == []
    assert counts.get_count(count.number.lower()).id == count.id
    assert counts.next_pending_bin(count).bin_id == bin2.id


def test_the_next_bin_to_count_follows_the_labels_and_wraps_round(main, counter):
    a2 = make_bin(main, aisle=2, bay=1)
    a1_2, a1_1 = make_bin(main, aisle=1, bay=2), make_bin(main, aisle=1, bay=1)
    a1_1_up = make_bin(main, aisle=1, bay=1, level=2)
    count = counts.start_count(main.id, user=counter)
    bins = {cb.bin_id: cb for cb in count.bins}
    counts.record_bin_count(count.id, a1_2.id, {}, user=counter)

    def after(bin_):
        return counts.next_pending_bin(count, bins[bin_.id]).bin_id

    assert counts.next_pending_bin(count).bin_id == a1_1.id
    assert after(a1_1) == a1_1_up.id  # level 2 of the same bay comes next
    assert after(a1_1_up) == a2.id  # A01-1-02 is counted: skipped
    assert after(a2) == a1_1.id  # round again to the first one still pending
    for bin_ in (a1_1, a1_1_up, a2):
        counts.record_bin_count(count.id, bin_.id, {}, user=counter)
    assert counts.next_pending_bin(count, bins[a2.id]) is None


def test_the_count_check_finds_lines_that_disagree_with_their_moves(
    main, counter, manager
):
    bin_ = make_bin(main)
    product = ProductFactory()
    receive(product, main, 4, bin_)
    count = counts.start_count(main.id, user=counter)
    record(count, bin_, {product.id: 1}, counter)
    counts.approve_count(count.id, user=manager)
    assert counts.check_counts() == []

    line = count_bin_of(count, bin_).lines[0]
    line.variance_qty = -2  # tampered with: the move wrote off 3
    line.variance_value = Decimal("-1.00")
    db.session.commit()

    problems = counts.check_counts()
    assert len(problems) == 2
    assert "variance -2 but its moves net -3" in problems[0]
    assert "lines add up to" in problems[1]
