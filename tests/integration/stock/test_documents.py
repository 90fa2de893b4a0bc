"""库存单据 stock documents on SQLite and PostgreSQL: every kind posts its moves through
the ledger with values, transfers go through transit, submits are idempotent, and bad
input is refused with a field error and nothing written."""

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from supplychain.errors import Conflict, OutOfStock, PermissionDenied, ValidationFailed
from supplychain.extensions import db
from supplychain.numbering import DocumentCounter
from supplychain.stock import documents, ledger
from supplychain.stock.checks import check_invariants
from supplychain.stock.documents import writing
from supplychain.stock.expiry import local_today
from supplychain.stock.models import (
    Bin,
    Lot,
    StockDocument,
    StockDocumentLine,
    StockLevel,
    StockMove,
)
from supplychain.stock.queries import available_qty, default_warehouse
from tests.factories import (
    MerchantFactory,
    ProductFactory,
    ProductSupplierFactory,
    SupplierFactory,
    UserFactory,
    WarehouseFactory,
    merchant_user,
)


def make_bin(warehouse, code, *, aisle, quarantine=False, active=True):
    bin_ = Bin(
        warehouse_id=warehouse.id,
        aisle=aisle,
        block=1,
        bay=1,
        side="L",
        code=code,
        is_quarantine=quarantine,
        is_active=active,
    )
    db.session.add(bin_)
    db.session.commit()
    return bin_


def level(product, warehouse):
    row = db.session.execute(
        sa.select(StockLevel.on_hand_qty, StockLevel.stock_value).where(
            StockLevel.product_id == product.id,
            StockLevel.warehouse_id == warehouse.id,
        )
    ).first()
    return (int(row[0]), row[1]) if row else (0, Decimal("0.00"))


def written():
    """Everything a refused document could have left behind."""
    count = lambda model: db.session.scalar(  # noqa: E731
        sa.select(sa.func.count()).select_from(model)
    )
    counters = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(DocumentCounter.last_value), 0))
    )
    return (
        count(StockMove),
        count(StockDocument),
        count(StockDocumentLine),
        count(Lot),
        counters,
    )


def days(n):
    return local_today() + dt.timedelta(days=n)


@pytest.fixture
def main(any_db_app):
    return default_warehouse()


@pytest.fixture
def keeper(main):
    return UserFactory(role="warehouse")


@pytest.fixture
def far(main):
    return WarehouseFactory(code="XS", name="萧山仓")


# --- every kind -----------------------------------------------------------------------
def test_receipt_posts_one_move_per_line_valued_at_its_unit_cost(main, keeper):
    plain = ProductFactory(sku="RC-1")
    tracked = ProductFactory(sku="RC-2", is_lot_tracked=True)
    supplier = SupplierFactory()
    shelf = make_bin(main, "A01-1-01-L1", aisle=1)

    doc = documents.receive_goods(
        [
            {"sku": "RC-1", "qty": 10, "unit_cost": Decimal("2.35")},
            {
                "sku": "RC-2",
                "qty": 4,
                "lot": "B2027",
                "production_date": days(-30),
                "expiry_date": days(300),
                "bin": "a01-1-01-l1",
                "unit_cost": Decimal("10.00"),
            },
        ],
        supplier_id=supplier.id,
        external_ref="送货单 DN-77",
        user_id=keeper.id,
    )

    assert doc.number == f"RC-{local_today():%Y%m%d}-0001"
    assert (doc.kind, doc.status, doc.supplier_id) == ("receipt", "posted", supplier.id)
    assert (doc.created_by_id, doc.external_ref) == (keeper.id, "送货单 DN-77")
    assert [(ln.line_no, ln.qty, ln.value) for ln in doc.lines] == [
        (1, 10, Decimal("23.50")),
        (2, 4, Decimal("40.00")),
    ]
    second = doc.lines[1]
    assert (second.lot.lot_no, second.bin_id, second.expiry_date) == (
        "B2027",
        shelf.id,
        days(300),
    )
    moves = documents.document_moves(doc)
    assert [(m.reason, m.reference_type, m.reference_id, m.user_id) for m in moves] == [
        (f"Receipt {doc.number}", "stock_document", doc.id, keeper.id)
    ] * 2
    assert moves[1].to_location.bin_id == shelf.id
    assert level(plain, main) == (10, Decimal("23.50"))
    assert level(tracked, main) == (4, Decimal("40.00"))
    assert check_invariants() == []


def test_receipt_without_a_unit_cost_takes_the_supplier_cost_price(main, keeper):
    product = ProductFactory(sku="RC-3")
    ProductSupplierFactory(product=product, cost_price=Decimal("8.00"))

    doc = documents.receive_goods([{"sku": "RC-3", "qty": 3}], user_id=keeper.id)

    assert doc.lines[0].value == Decimal("24.00")
    assert doc.lines[0].unit_cost is None


def test_a_product_is_found_by_its_bar_code(main, keeper):
    ProductFactory(sku="BC-1", barcode="6901234567892")

    doc = documents.receive_goods(
        [{"sku": "6901234567892", "qty": 2}], user_id=keeper.id
    )

    assert doc.lines[0].product.sku == "BC-1"


def test_issue_takes_the_earliest_expiry_first_across_lots(main, keeper):
    product = ProductFactory(sku="IS-1", is_lot_tracked=True)
    for lot, expiry, cost in (("LATE", days(200), "4.00"), ("SOON", days(20), "2.00")):
        ledger.post_receipt(
            product.id,
            main.id,
            5,
            lot=lot,
            expiry_date=expiry,
            unit_cost=Decimal(cost),
        )
    db.session.commit()
    merchant = MerchantFactory()

    doc = documents.issue_goods(
        [{"sku": "IS-1", "qty": 7}], merchant_id=merchant.id, user_id=keeper.id
    )

    moves = documents.document_moves(doc)
    assert [(m.lot.lot_no, m.qty) for m in moves] == [("SOON", 5), ("LATE", 2)]
    assert all(m.to_location.usage == "customer" for m in moves)
    line = doc.lines[0]
    assert line.lot_id is None  # two lots: the moves say which
    assert line.value == sum(m.value for m in moves) == Decimal("21.00")  # avg 3.00
    assert (doc.merchant_id, level(product, main)) == (
        merchant.id,
        (3, Decimal("9.00")),
    )
    assert check_invariants() == []


def test_issue_to_a_merchant_skips_lots_too_short_for_its_shelf_life(main, keeper):
    product = ProductFactory(sku="IS-2", is_lot_tracked=True)
    ledger.post_receipt(product.id, main.id, 5, lot="SHORT", expiry_date=days(10))
    ledger.post_receipt(product.id, main.id, 5, lot="LONG", expiry_date=days(400))
    db.session.commit()
    picky = MerchantFactory(min_shelf_life_days=30)

    doc = documents.issue_goods(
        [{"sku": "IS-2", "qty": 3}], merchant_id=picky.id, user_id=keeper.id
    )

    assert doc.lines[0].lot.lot_no == "LONG"


def test_a_supplier_return_may_take_quarantined_stock(main, keeper):
    product = ProductFactory(sku="IS-3")
    quarantine = make_bin(main, "Q-1", aisle=9, quarantine=True)
    ledger.post_receipt(product.id, main.id, 4, bin_id=quarantine.id)
    db.session.commit()
    supplier = SupplierFactory()

    with pytest.raises(OutOfStock):  # never to a customer
        documents.issue_goods([{"sku": "IS-3", "qty": 4}], user_id=keeper.id)
    doc = documents.issue_goods(
        [{"sku": "IS-3", "qty": 4, "bin": "Q-1"}],
        supplier_id=supplier.id,
        user_id=keeper.id,
    )

    move = documents.document_moves(doc)[0]
    assert (move.to_location.usage, doc.supplier_id) == ("supplier", supplier.id)
    assert doc.lines[0].bin_id == quarantine.id
    assert level(product, main)[0] == 0


def test_a_move_puts_unbinned_stock_away_and_changes_no_level(main, keeper):
    product = ProductFactory(sku="MV-1")
    shelf = make_bin(main, "A02-1-01-L1", aisle=2)
    ledger.post_receipt(product.id, main.id, 6, unit_cost=Decimal("1.50"))
    db.session.commit()

    doc = documents.move_goods(
        [{"sku": "MV-1", "qty": 4, "to_bin": "A02-1-01-L1"}], user_id=keeper.id
    )

    move = documents.document_moves(doc)[0]
    assert (move.from_location.bin_id, move.to_location.bin_id) == (None, shelf.id)
    assert (doc.lines[0].bin_id, doc.lines[0].to_bin_id) == (None, shelf.id)
    assert doc.lines[0].value == Decimal("6.00")  # informative: 4 × 1.50
    assert level(product, main) == (6, Decimal("9.00"))
    assert check_invariants() == []


def test_a_transfer_is_in_transit_until_received_and_its_value_arrives(
    main, far, keeper
):
    product = ProductFactory(sku="TR-1")
    dock = make_bin(far, "XS-A01", aisle=1)
    ledger.post_receipt(product.id, main.id, 10, unit_cost=Decimal("3.30"))
    db.session.commit()

    doc = documents.dispatch_transfer(
        [{"sku": "TR-1", "qty": 4}], to_warehouse_code="xs", user_id=keeper.id
    )

    assert (doc.status, doc.to_warehouse_id) == ("in_transit", far.id)
    assert doc.lines[0].value == Decimal("13.20")
    assert level(product, main) == (6, Decimal("19.80"))
    assert level(product, far) == (0, Decimal("0.00"))
    assert documents.document_lines(doc)[0].in_transit_qty == 4
    assert check_invariants() == []

    received = documents.receive_transfer(
        doc.number, [{"line_no": 1, "qty": 4, "to_bin": "XS-A01"}], user_id=keeper.id
    )

    assert (received.status, received.received_by_id) == ("received", keeper.id)
    assert (received.lines[0].received_qty, received.lines[0].to_bin_id) == (4, dock.id)
    assert level(product, far) == (4, Decimal("13.20"))
    arrival = documents.document_moves(doc)[-1]
    assert (arrival.reason, arrival.to_location.bin_id) == (
        f"Transfer in {doc.number}",
        dock.id,
    )
    assert check_invariants() == []


def test_a_partial_receipt_leaves_the_rest_in_transit_until_written_off(
    main, far, keeper
):
    product = ProductFactory(sku="TR-2", is_lot_tracked=True)
    ledger.post_receipt(
        product.id, main.id, 3, lot="A", expiry_date=days(50), unit_cost=Decimal("1")
    )
    ledger.post_receipt(
        product.id, main.id, 5, lot="B", expiry_date=days(90), unit_cost=Decimal("2")
    )
    db.session.commit()
    doc = documents.dispatch_transfer(
        [{"sku": "TR-2", "qty": 7}], to_warehouse_code="XS", user_id=keeper.id
    )
    assert doc.lines[0].value == Decimal("11.38")  # 7 × 13/8 = 11.375, half up

    partial = documents.receive_transfer(
        doc.number, [{"line_no": 1, "qty": 4}], user_id=keeper.id
    )

    assert (partial.status, partial.lines[0].received_qty) == ("in_transit", 4)
    assert documents.document_lines(partial)[0].in_transit_qty == 3
    assert check_invariants() == []

    closed = documents.receive_transfer(
        doc.number,
        [{"line_no": 1, "qty": 1}],
        write_off_missing=True,
        user_id=keeper.id,
    )

    assert closed.status == "received"
    view = documents.document_lines(closed)[0]
    assert (view.in_transit_qty, view.lost_qty) == (0, 2)
    moves = documents.document_moves(closed)
    arrived = [m for m in moves if m.reason.startswith("Transfer in")]
    lost = [m for m in moves if m.reason.startswith("Lost in transit")]
    # lot A (3 units) arrives first, then 2 of lot B; the last 2 of B are lost
    assert [(m.lot.lot_no, m.qty) for m in arrived] == [("A", 3), ("B", 1), ("B", 1)]
    assert [(m.lot.lot_no, m.qty, m.to_location.usage) for m in lost] == [
        ("B", 2, "adjustment")
    ]
    sent = sum(m.value for m in moves if m.to_location.usage == "transit")
    assert sum(m.value for m in arrived + lost) == sent == Decimal("11.38")
    assert level(product, far) == (5, sum(m.value for m in arrived))
    assert check_invariants() == []


def test_an_adjustment_books_in_and_writes_off_with_its_reason(main, keeper):
    product = ProductFactory(sku="AD-1")
    ledger.post_receipt(product.id, main.id, 10, unit_cost=Decimal("2.00"))
    db.session.commit()

    doc = documents.adjust_stock_document(
        [
            {"sku": "AD-1", "qty": -3},
            {"sku": "AD-1", "qty": 2, "unit_cost": Decimal("2.00")},
        ],
        reason_code="count",
        user_id=keeper.id,
    )

    views = documents.document_lines(doc)
    assert [(v.signed_qty, v.signed_value) for v in views] == [
        (-3, Decimal("-6.00")),
        (2, Decimal("4.00")),
    ]
    assert [ln.qty for ln in doc.lines] == [3, 2]
    assert documents.document_view(doc).net_value == Decimal("-2.00")
    assert documents.document_moves(doc)[0].reason == f"Adjustment {doc.number} (count)"
    assert (doc.reason_code, level(product, main)) == ("count", (9, Decimal("18.00")))
    assert check_invariants() == []


def test_a_return_to_stock_comes_in_from_the_customer(main, keeper):
    product = ProductFactory(sku="RT-1")
    ProductSupplierFactory(product=product, cost_price=Decimal("5.00"))
    merchant = MerchantFactory(code="M-RT")

    doc = documents.accept_return(
        [{"sku": "RT-1", "qty": 2}],
        disposition="stock",
        merchant_code="M-RT",
        external_ref="SO-20261120-0003",
        user_id=keeper.id,
    )

    move = documents.document_moves(doc)[0]
    assert (move.from_location.usage, move.to_location.label) == ("customer", "MAIN")
    assert (doc.merchant_id, doc.reason_code, doc.lines[0].value) == (
        merchant.id,
        "stock",
        Decimal("10.00"),
    )
    assert available_qty(product.id, main.id) == 2


def test_a_return_to_quarantine_goes_to_the_quarantine_bin_and_is_not_available(
    main, keeper
):
    product = ProductFactory(sku="RT-2", is_lot_tracked=True)
    ledger.post_receipt(product.id, main.id, 1, lot="OLD", expiry_date=days(5))
    db.session.commit()
    quarantine = make_bin(main, "Q-9", aisle=9, quarantine=True)
    merchant = MerchantFactory()
    expired = local_today() - dt.timedelta(days=3)

    doc = documents.accept_return(
        [
            {"sku": "RT-2", "qty": 2, "lot": "OLD"},
            {"sku": "RT-2", "qty": 1, "lot": "GONE", "expiry_date": expired},
        ],
        disposition="quarantine",
        merchant_id=merchant.id,
        user_id=keeper.id,
    )

    assert [ln.bin_id for ln in doc.lines] == [quarantine.id, quarantine.id]
    assert level(product, main)[0] == 4
    assert available_qty(product.id, main.id) == 1  # only the shelf unit
    assert check_invariants() == []


def test_scrap_takes_quarantined_stock_to_the_adjustment_location(main, keeper):
    product = ProductFactory(sku="SC-1")
    quarantine = make_bin(main, "Q-2", aisle=9, quarantine=True)
    ledger.post_receipt(
        product.id, main.id, 3, bin_id=quarantine.id, unit_cost=Decimal("4.00")
    )
    db.session.commit()

    doc = documents.scrap_goods(
        [{"sku": "SC-1", "qty": 3, "bin": "Q-2"}],
        reason_code="damage",
        user_id=keeper.id,
    )

    move = documents.document_moves(doc)[0]
    assert (move.to_location.usage, move.value) == ("adjustment", Decimal("12.00"))
    assert documents.document_lines(doc)[0].signed_qty == 3
    assert level(product, main) == (0, Decimal("0.00"))
    assert check_invariants() == []


def test_build_receipt_posts_in_the_callers_transaction_without_committing(
    main, keeper
):
    ProductFactory(sku="PO-1")

    doc = documents.build_receipt(
        [{"sku": "PO-1", "qty": 5}],
        source_type="purchase_order",
        source_id=42,
        user_id=keeper.id,
    )
    assert (doc.source_type, doc.source_id) == ("purchase_order", 42)
    db.session.rollback()

    assert written()[:2] == (0, 0)


def test_documents_are_found_by_kind_warehouse_number_and_sku(main, far, keeper):
    ProductFactory(sku="Q-SKU-1")
    ProductFactory(sku="Q-SKU-2")
    receipt = documents.receive_goods([{"sku": "Q-SKU-1", "qty": 5}], user_id=keeper.id)
    transfer = documents.dispatch_transfer(
        [{"sku": "Q-SKU-1", "qty": 1}], to_warehouse_code="XS", user_id=keeper.id
    )
    documents.receive_goods(
        [{"sku": "Q-SKU-2", "qty": 1}], warehouse_code="XS", user_id=keeper.id
    )

    def numbers(**filters):
        stmt = documents.documents_query(**filters)
        return [d.number for d in db.session.scalars(stmt)]

    assert len(numbers()) == 3
    assert numbers(kind="transfer") == [transfer.number]
    assert set(numbers(warehouse_id=main.id)) == {receipt.number, transfer.number}
    assert len(numbers(warehouse_code="XS")) == 2  # a transfer's destination counts
    assert numbers(warehouse_code="NOPE") == []
    assert set(numbers(q="q-sku-1")) == {receipt.number, transfer.number}
    assert numbers(q=receipt.number.lower()) == [receipt.number]
    assert len(numbers(date_from=local_today(), date_to=local_today())) == 3
    assert numbers(date_to=local_today() - dt.timedelta(days=1)) == []


# --- idempotent submits ---------------------------------------------------------------
def test_the_same_client_token_returns_the_same_document_and_posts_once(main, keeper):
    ProductFactory(sku="ID-1")
    submit = dict(lines=[{"sku": "ID-1", "qty": 5}], user_id=keeper.id)

    first = documents.receive_goods(client_token="form-7f3a", **submit)
    before = written()
    again = documents.receive_goods(client_token="form-7f3a", **submit)

    assert again.id == first.id
    assert written() == before


def test_the_same_token_from_another_user_is_another_document(main, keeper):
    ProductFactory(sku="ID-2")
    other = UserFactory(role="warehouse")

    one = documents.receive_goods(
        [{"sku": "ID-2", "qty": 1}], client_token="abc", user_id=keeper.id
    )
    two = documents.receive_goods(
        [{"sku": "ID-2", "qty": 1}], client_token="abc", user_id=other.id
    )

    assert one.id != two.id


def test_a_racing_submit_with_the_same_token_returns_the_first_document(
    main, keeper, monkeypatch
):
    ProductFactory(sku="ID-3")
    first = documents.receive_goods(
        [{"sku": "ID-3", "qty": 2}], client_token="race", user_id=keeper.id
    )
    before = written()
    real = writing._by_token
    calls = []

    def missed_once(token):  # the second request looked before the first committed
        calls.append(token)
        return None if len(calls) == 1 else real(token)

    monkeypatch.setattr(writing, "_by_token", missed_once)

    again = documents.receive_goods(
        [{"sku": "ID-3", "qty": 2}], client_token="race", user_id=keeper.id
    )

    assert again.id == first.id and len(calls) == 2
    assert written()[:3] == before[:3]
    assert check_invariants() == []


def test_a_client_token_must_be_printable_ascii(main, keeper):
    ProductFactory(sku="ID-4")

    with pytest.raises(ValidationFailed) as refused:
        documents.receive_goods(
            [{"sku": "ID-4", "qty": 1}], client_token="键" * 3, user_id=keeper.id
        )

    assert "client_token" in refused.value.errors


# --- bad input: a clear error, nothing written ----------------------------------------
@pytest.fixture
def world(main, far, keeper):
    plain = ProductFactory(sku="PL")
    tracked = ProductFactory(sku="LT", is_lot_tracked=True)
    ProductFactory(sku="LT2", is_lot_tracked=True)
    ledger.post_receipt(plain.id, main.id, 10, unit_cost=Decimal("1.00"))
    ledger.post_receipt(tracked.id, main.id, 5, lot="L1", expiry_date=days(100))
    db.session.commit()
    make_bin(main, "A01-1-01-L1", aisle=1)
    make_bin(main, "OLD-1", aisle=2, active=False)
    make_bin(far, "XS-1", aisle=1)
    return keeper


class Days(int):
    """A date n days from today, resolved when the test runs (not at import)."""


def resolved(lines):
    return [
        {k: days(v) if isinstance(v, Days) else v for k, v in line.items()}
        for line in lines
    ]


def receipt(*lines, **kw):
    return lambda user: documents.receive_goods(resolved(lines), user_id=user.id, **kw)


BAD = [
    ("unknown sku", receipt({"sku": "NOPE", "qty": 1}), "lines.0.sku"),
    ("missing sku", receipt({"qty": 1}), "lines.0.sku"),
    ("no such bin", receipt({"sku": "PL", "qty": 1, "bin": "Z9"}), "lines.0.bin"),
    ("inactive bin", receipt({"sku": "PL", "qty": 1, "bin": "OLD-1"}), "lines.0.bin"),
    (
        "other warehouse's bin",
        receipt({"sku": "PL", "qty": 1, "bin": "XS-1"}),
        "lines.0.bin",
    ),
    ("zero qty", receipt({"sku": "PL", "qty": 0}), "lines.0.qty"),
    ("negative qty", receipt({"sku": "PL", "qty": -2}), "lines.0.qty"),
    ("absurd qty", receipt({"sku": "PL", "qty": 10**9}), "lines.0.qty"),
    ("text qty", receipt({"sku": "PL", "qty": "5"}), "lines.0.qty"),
    ("float qty", receipt({"sku": "PL", "qty": 1.5}), "lines.0.qty"),
    (
        "negative cost",
        receipt({"sku": "PL", "qty": 1, "unit_cost": Decimal("-1")}),
        "lines.0.unit_cost",
    ),
    (
        "float cost",
        receipt({"sku": "PL", "qty": 1, "unit_cost": 1.5}),
        "lines.0.unit_cost",
    ),
    ("no lines", receipt(), "lines"),
    ("201 lines", receipt(*[{"sku": "PL", "qty": 1}] * 201), "lines"),
    (
        "a bad second line",
        receipt({"sku": "PL", "qty": 1}, {"sku": "PL", "qty": 0}),
        "lines.1.qty",
    ),
    ("lot-tracked without a lot", receipt({"sku": "LT", "qty": 1}), "lines.0.lot"),
    (
        "a lot on a plain product",
        receipt({"sku": "PL", "qty": 1, "lot": "X"}),
        "lines.0.lot",
    ),
    (
        "a field of another kind",
        receipt({"sku": "PL", "qty": 1, "to_bin": "A01-1-01-L1"}),
        "lines.0.to_bin",
    ),
    (
        "expiry before production",
        receipt(
            {
                "sku": "LT",
                "qty": 1,
                "lot": "N1",
                "production_date": Days(10),
                "expiry_date": Days(5),
            }
        ),
        "lines.0.expiry_date",
    ),
    (
        "lot of another product",
        receipt({"sku": "LT2", "qty": 1, "lot": "L1"}),
        "lines.0.lot",
    ),
    (
        "expired on arrival",
        receipt({"sku": "LT", "qty": 1, "lot": "N2", "expiry_date": Days(-1)}),
        "lines.0.expiry_date",
    ),
    (
        "another expiry for a known lot",
        receipt({"sku": "LT", "qty": 1, "lot": "L1", "expiry_date": Days(7)}),
        "lines.0.expiry_date",
    ),
    (
        # passes the checks; the ledger refuses line 1 reusing line 0's new lot
        "a new lot twice for two products",
        receipt(
            {"sku": "LT", "qty": 1, "lot": "NEW"},
            {"sku": "LT2", "qty": 1, "lot": "NEW"},
        ),
        "lines.1.lot",
    ),
    (
        "unknown supplier id",
        receipt({"sku": "PL", "qty": 1}, supplier_id=9999),
        "supplier",
    ),
    (
        "unknown warehouse",
        receipt({"sku": "PL", "qty": 1}, warehouse_code="ZZ"),
        "warehouse",
    ),
    ("note too long", receipt({"sku": "PL", "qty": 1}, note="x" * 501), "note"),
    (
        "unknown merchant id",
        lambda u: documents.issue_goods(
            [{"sku": "PL", "qty": 1}], merchant_id=9999, user_id=u.id
        ),
        "merchant",
    ),
    (
        "an unknown lot to issue",
        lambda u: documents.issue_goods(
            [{"sku": "LT", "qty": 1, "lot": "NOPE"}], user_id=u.id
        ),
        "lines.0.lot",
    ),
    (
        "transfer to the same warehouse",
        lambda u: documents.dispatch_transfer(
            [{"sku": "PL", "qty": 1}], to_warehouse_code="MAIN", user_id=u.id
        ),
        "to_warehouse",
    ),
    (
        "transfer without a destination",
        lambda u: documents.dispatch_transfer([{"sku": "PL", "qty": 1}], user_id=u.id),
        "to_warehouse",
    ),
    (
        "a move to the same place",
        lambda u: documents.move_goods(
            [{"sku": "PL", "qty": 1, "bin": "A01-1-01-L1", "to_bin": "A01-1-01-L1"}],
            user_id=u.id,
        ),
        "lines.0.to_bin",
    ),
    (
        "an unknown adjustment reason",
        lambda u: documents.adjust_stock_document(
            [{"sku": "PL", "qty": 1}], reason_code="theft", user_id=u.id
        ),
        "reason_code",
    ),
    (
        "a write-off of a lot-tracked product without its lot",
        lambda u: documents.adjust_stock_document(
            [{"sku": "LT", "qty": -1}], reason_code="damage", user_id=u.id
        ),
        "lines.0.lot",
    ),
    (
        "a return to quarantine without a quarantine bin",
        lambda u: documents.accept_return(
            [{"sku": "PL", "qty": 1}],
            disposition="quarantine",
            merchant_id=MerchantFactory().id,
            user_id=u.id,
        ),
        "disposition",
    ),
    (
        "a return to stock of an expired lot",
        lambda u: documents.accept_return(
            resolved([{"sku": "LT", "qty": 1, "lot": "EXP", "expiry_date": Days(-2)}]),
            disposition="stock",
            merchant_id=MerchantFactory().id,
            user_id=u.id,
        ),
        "lines.0.lot",
    ),
    (
        "a return without a merchant",
        lambda u: documents.accept_return(
            [{"sku": "PL", "qty": 1}], disposition="stock", user_id=u.id
        ),
        "merchant",
    ),
    (
        "an unknown kind",
        lambda u: documents.post_document(
            "gift", [{"sku": "PL", "qty": 1}], user_id=u.id
        ),
        "kind",
    ),
    (
        "a header field of another kind",
        lambda u: documents.post_document(
            "move", [{"sku": "PL", "qty": 1}], fields={"supplier": "S1"}, user_id=u.id
        ),
        "supplier",
    ),
]


@pytest.mark.parametrize(
    "post, key", [case[1:] for case in BAD], ids=[c[0] for c in BAD]
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_written(world, post, key):
    before = written()

    with pytest.raises(ValidationFailed) as refused:
        post(world)

    assert key in refused.value.errors, refused.value.errors
    db.session.rollback()
    assert written() == before
    assert check_invariants() == []


def test_issuing_more_than_on_hand_names_the_line_and_what_is_available(world):
    before = written()

    with pytest.raises(OutOfStock) as refused:
        documents.issue_goods(
            [{"sku": "PL", "qty": 4}, {"sku": "LT", "qty": 6}], user_id=world.id
        )

    details = refused.value.details
    assert details["lines"] == [
        {"sku": "LT", "requested_qty": 6, "available_qty": 5, "line": 1}
    ]
    assert details["errors"] == {"lines.1.qty": ["Only 5 available here."]}
    assert written() == before
    assert check_invariants() == []


def test_receiving_a_transfer_twice_or_more_than_was_sent_is_refused(world):
    doc = documents.dispatch_transfer(
        [{"sku": "PL", "qty": 3}], to_warehouse_code="XS", user_id=world.id
    )
    before = written()

    with pytest.raises(ValidationFailed) as too_many:
        documents.receive_transfer(doc.number, [{"line_no": 1, "qty": 4}])
    with pytest.raises(ValidationFailed) as unknown_line:
        documents.receive_transfer(doc.number, [{"line_no": 2, "qty": 1}])
    with pytest.raises(ValidationFailed) as unknown_bin:
        documents.receive_transfer(
            doc.number, [{"line_no": 1, "qty": 1, "to_bin": "A01-1-01-L1"}]
        )
    with pytest.raises(ValidationFailed) as nothing:
        documents.receive_transfer(doc.number, [{"line_no": 1, "qty": 0}])
    with pytest.raises(Conflict):
        documents.receive_transfer(doc.number, [], expected_received_qty=2)
    assert written() == before

    documents.receive_transfer(doc.number, user_id=world.id)
    after = written()
    with pytest.raises(Conflict):
        documents.receive_transfer(doc.number, user_id=world.id)

    assert "lines.0.qty" in too_many.value.errors
    assert "lines.0.line_no" in unknown_line.value.errors
    assert "lines.0.to_bin" in unknown_bin.value.errors  # a bin of MAIN, not XS
    assert "lines" in nothing.value.errors
    assert written() == after
    assert check_invariants() == []


def test_only_a_transfer_is_received(world):
    doc = documents.receive_goods([{"sku": "PL", "qty": 1}], user_id=world.id)

    with pytest.raises(Conflict):
        documents.receive_transfer(doc.number)


def test_a_merchant_user_may_not_post_a_document(world):
    before = written()

    with pytest.raises(PermissionDenied):
        documents.receive_goods([{"sku": "PL", "qty": 1}], user_id=merchant_user().id)

    assert written()[:4] == before[:4]


def test_a_refused_document_leaves_no_gap_in_the_numbers(world):
    with pytest.raises(OutOfStock):
        documents.issue_goods([{"sku": "PL", "qty": 99}], user_id=world.id)

    doc = documents.issue_goods([{"sku": "PL", "qty": 1}], user_id=world.id)

    assert doc.number.endswith("-0001")
