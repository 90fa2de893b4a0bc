import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supplychain.stock.allocation import StockLot, allocate_fefo, fefo_order

JAN, FEB, MAR = dt.date(2027, 1, 1), dt.date(2027, 2, 1), dt.date(2027, 3, 1)


def make_lot(key, qty, expiry=None, lot_no=""):
    return StockLot(key=key, qty=qty, expiry_date=expiry, lot_no=lot_no)


def test_takes_the_earliest_expiry_first():
    late, early = make_lot("late", 10, MAR), make_lot("early", 4, JAN)

    assert allocate_fefo(6, [late, early]) == [(early, 4), (late, 2)]


def test_stock_without_expiry_goes_last():
    undated, dated = make_lot("undated", 10), make_lot("dated", 1, FEB)

    assert allocate_fefo(3, [undated, dated]) == [(dated, 1), (undated, 2)]


def test_one_lot_is_enough_when_it_holds_the_quantity():
    lot = make_lot("a", 10, JAN)

    assert allocate_fefo(10, [lot, make_lot("b", 5, FEB)]) == [(lot, 10)]


def test_short_stock_gives_everything_there_is():
    a, b = make_lot("a", 2, JAN), make_lot("b", 1, FEB)

    assert allocate_fefo(5, [a, b]) == [(a, 2), (b, 1)]


def test_empty_and_negative_lots_are_skipped():
    empty, negative, good = (
        make_lot("e", 0, JAN),
        make_lot("n", -3, JAN),
        make_lot("g", 5, FEB),
    )

    assert allocate_fefo(2, [empty, negative, good]) == [(good, 2)]


def test_expired_lots_are_skipped_when_a_day_is_given():
    expired, fresh = make_lot("x", 5, JAN), make_lot("f", 5, MAR)

    assert allocate_fefo(3, [expired, fresh], usable_on=FEB) == [(fresh, 3)]
    assert allocate_fefo(3, [expired, fresh]) == [(expired, 3)]


def test_ties_are_broken_by_lot_number_then_key():
    b, a = make_lot(2, 1, JAN, "B"), make_lot(1, 1, JAN, "A")

    assert fefo_order([b, a]) == [a, b]


@pytest.mark.parametrize("qty", [0, -1, 1.5, True, "3"])
def test_quantity_must_be_a_positive_integer(qty):
    with pytest.raises(ValueError):
        allocate_fefo(qty, [make_lot("a", 5)])


lots_strategy = st.lists(
    st.builds(
        StockLot,
        key=st.uuids(),
        qty=st.integers(min_value=-5, max_value=50),
        expiry_date=st.none()
        | st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2030, 1, 1)),
        lot_no=st.text(alphabet="ABC123", max_size=3),
    ),
    max_size=12,
)


@given(qty=st.integers(min_value=1, max_value=400), lots=lots_strategy)
def test_never_takes_more_than_asked_or_than_a_lot_holds(qty, lots):
    allocation = allocate_fefo(qty, lots)

    usable = sum(lot.qty for lot in lots if lot.qty > 0)
    assert sum(taken for _, taken in allocation) == min(qty, usable)
    assert all(0 < taken <= lot.qty for lot, taken in allocation)
    assert len({lot.key for lot, _ in allocation}) == len(allocation)


@given(qty=st.integers(min_value=1, max_value=400), lots=lots_strategy)
def test_a_later_expiry_is_touched_only_when_every_earlier_lot_is_used_up(qty, lots):
    allocation = allocate_fefo(qty, lots)

    taken = {lot.key: t for lot, t in allocation}
    used = [lot for lot, _ in allocation]
    for lot in used:
        for other in lots:
            earlier = (other.expiry_date or dt.date.max) < (
                lot.expiry_date or dt.date.max
            )
            if earlier and other.qty > 0:
                assert taken.get(other.key) == other.qty
