import datetime as dt
from collections import defaultdict

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supplychain.errors import DomainError
from supplychain.extensions import db
from supplychain.stock import ledger
from supplychain.stock.checks import check_invariants
from supplychain.stock.models import StockLevel, Warehouse
from tests.factories import ProductFactory

LOTS = {"L-EARLY": dt.date(2027, 1, 1), "L-LATE": dt.date(2028, 1, 1)}
WAREHOUSES = ("MAIN", "PROP")

warehouse = st.sampled_from(WAREHOUSES)
lot = st.sampled_from(sorted(LOTS))
qty = st.integers(min_value=1, max_value=8)
operation = st.one_of(
    st.tuples(st.just("receipt"), warehouse, qty, lot),
    st.tuples(st.just("adjust"), warehouse, qty.map(lambda q: -q) | qty, lot),
    st.tuples(st.just("reserve"), warehouse, qty),
    st.tuples(st.just("release"), warehouse, qty),
    st.tuples(st.just("pick"), warehouse, qty),
    st.tuples(st.just("transfer"), warehouse, qty),
)


class Model:
    """What the ledger should do, in plain dicts: on hand per warehouse and lot,
    reserved per warehouse; first-expiry-first-out where no lot is named."""

    def __init__(self):
        self.on_hand = defaultdict(int)
        self.reserved = defaultdict(int)

    def total(self, wh):
        return sum(q for (w, _), q in self.on_hand.items() if w == wh)

    def take_fefo(self, wh, q):
        for lot_no in sorted(LOTS, key=LOTS.get):
            taken = min(q, self.on_hand[(wh, lot_no)])
            self.on_hand[(wh, lot_no)] -= taken
            q -= taken
            yield lot_no, taken

    def free(self, wh):
        return self.total(wh) - self.reserved[wh]

    def apply(self, op):
        """True if the op should succeed (and then applies it)."""
        return getattr(self, op[0])(*op[1:])

    def receipt(self, wh, q, lot_no):
        self.on_hand[(wh, lot_no)] += q
        return True

    def adjust(self, wh, q, lot_no):
        if q < 0 and (self.on_hand[(wh, lot_no)] < -q or self.free(wh) < -q):
            return False
        self.on_hand[(wh, lot_no)] += q
        return True

    def reserve(self, wh, q):
        if self.free(wh) < q:
            return False
        self.reserved[wh] += q
        return True

    def release(self, wh, q):
        if self.reserved[wh] < q:
            return False
        self.reserved[wh] -= q
        return True

    def pick(self, wh, q):
        if self.reserved[wh] < q or self.total(wh) < q:
            return False
        list(self.take_fefo(wh, q))
        self.reserved[wh] -= q
        return True

    def transfer(self, wh, q):
        if self.free(wh) < q:
            return False
        other = WAREHOUSES[1 - WAREHOUSES.index(wh)]
        for lot_no, taken in list(self.take_fefo(wh, q)):
            self.on_hand[(other, lot_no)] += taken
        return True


def run(op, product_id, ids):
    kind, wh, q = op[:3]
    # a lot number belongs to one product: each example's product has its own
    lot = f"{op[3]}-{product_id}" if len(op) > 3 else None
    if kind == "receipt":
        ledger.post_receipt(product_id, ids[wh], q, lot=lot, expiry_date=LOTS[op[3]])
    elif kind == "adjust":
        ledger.post_adjustment(
            product_id,
            ids[wh],
            q,
            "count",
            lot=lot,
            expiry_date=LOTS[op[3]] if q > 0 else None,
        )
    elif kind == "reserve":
        ledger.reserve(product_id, ids[wh], q)
    elif kind == "release":
        ledger.release(product_id, ids[wh], q)
    elif kind == "pick":
        ledger.issue_reserved(product_id, ids[wh], q)
    else:
        other = WAREHOUSES[1 - WAREHOUSES.index(wh)]
        ledger.post_transfer(
            product_id, q, from_warehouse_id=ids[wh], to_warehouse_id=ids[other]
        )


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ops=st.lists(operation, max_size=30))
def test_ledger_agrees_with_a_plain_model_and_balances_equal_the_sum_of_moves(app, ops):
    if (
        db.session.scalar(sa.select(Warehouse.id).where(Warehouse.code == "PROP"))
        is None
    ):
        db.session.add(Warehouse(code="PROP", name="属性测试仓"))
        db.session.commit()
    ids = dict(db.session.execute(sa.select(Warehouse.code, Warehouse.id)).all())
    product = ProductFactory(is_lot_tracked=True)
    model = Model()

    for op in ops:
        expected = model.apply(op)
        try:
            run(op, product.id, ids)
            db.session.commit()
            happened = True
        except DomainError:
            db.session.rollback()
            happened = False
        assert happened == expected, op

    levels = {
        code: (on_hand, reserved)
        for code, on_hand, reserved in db.session.execute(
            sa.select(Warehouse.code, StockLevel.on_hand_qty, StockLevel.reserved_qty)
            .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
            .where(StockLevel.product_id == product.id)
        )
    }
    for wh in WAREHOUSES:
        assert levels.get(wh, (0, 0)) == (model.total(wh), model.reserved[wh])
    assert check_invariants() == []
