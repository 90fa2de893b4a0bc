"""订单 services through SQLite and PostgreSQL: reservations stay exact through place,
amend, cancel and confirm, and every refusal writes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from supplychain.audit.models import AuditLog
from supplychain.catalog.models import Product
from supplychain.checks import run_checks
from supplychain.errors import (
    Conflict,
    CreditLimitExceeded,
    NotFound,
    OrderCutoffPassed,
    OutOfStock,
    ValidationFailed,
)
from supplychain.extensions import db
from supplychain.merchants.models import Merchant
from supplychain.orders import schedule, services
from supplychain.orders.models import IdempotencyKey, Order, OrderLine
from supplychain.stock.models import StockLevel
from supplychain.stock.queries import available_qty, default_warehouse
from tests.factories import (
    MerchantFactory,
    UserFactory,
    merchant_user,
    stocked_product,
)

UTC = dt.timezone.utc


def _a_monday_ahead() -> dt.date:
    # a Monday at least a week ahead of the real clock: holidays are read from the
    # real "today" on, so a fixed date in the past would hide them
    today = dt.datetime.now(UTC).date()
    return today + dt.timedelta(days=14 - today.weekday())


MONDAY = _a_monday_ahead()
TUESDAY, WEDNESDAY = MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=2)
NOW = dt.datetime.combine(MONDAY, dt.time(10, 0), tzinfo=UTC)  # 18:00 in Shanghai
CUTOFF = dt.datetime.combine(MONDAY, dt.time(14, 0), tzinfo=UTC)  # 22:00 Shanghai
AFTER_CUTOFF = CUTOFF + dt.timedelta(minutes=1)


def line(product, qty):
    return {"sku": product.sku, "qty": qty}


def reserved(product) -> int:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(StockLevel.reserved_qty), 0)).where(
            StockLevel.product_id == product.id
        )
    )


def available(product) -> int:
    db.session.expire_all()
    return available_qty(product.id, default_warehouse().id)


def written() -> dict[str, int]:
    """Row counts and the total reserved: what a refused call must leave alone."""
    db.session.expire_all()

    def count(model):
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))

    return {
        "orders": count(Order),
        "lines": count(OrderLine),
        "audit": count(AuditLog),
        "keys": count(IdempotencyKey),
        "reserved": db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(StockLevel.reserved_qty), 0))
        ),
    }


@pytest.fixture
def shop(any_db_app):
    """A merchant user and two stocked products (10 and 5 on hand)."""
    return {
        "user": merchant_user(),
        "a": stocked_product(10, price=Decimal("12.50")),
        "b": stocked_product(5, price=Decimal("3.35")),
    }


# --- placing --------------------------------------------------------------------------


def test_placing_reserves_each_line_and_snapshots_price_and_name(shop):
    user, a, b = shop["user"], shop["a"], shop["b"]

    placed = services.place_order(user, [line(a, 3), line(b, 5)], now=NOW)

    order = placed.order
    assert placed.created
    assert (order.status, order.delivery_date, order.cutoff_at) == (
        "placed",
        TUESDAY,
        CUTOFF,
    )
    assert order.number == f"SO-{TUESDAY:%Y%m%d}-0001"
    assert [(ol.sku, ol.qty, ol.reserved_qty, ol.unit_price) for ol in order.lines] == [
        (a.sku, 3, 3, Decimal("12.50")),
        (b.sku, 5, 5, Decimal("3.35")),
    ]
    assert order.lines[0].name == a.name and order.lines[0].unit == "盒"
    assert order.total_amount == Decimal("37.50") + Decimal("16.75")
    assert (available(a), available(b)) == (7, 0)
    assert run_checks() == {}


def test_order_numbers_count_up_per_delivery_date(shop):
    user, a = shop["user"], shop["a"]

    first = services.place_order(user, [line(a, 1)], now=NOW).order
    second = services.place_order(user, [line(a, 1)], now=NOW).order
    other_day = services.place_order(
        user, [line(a, 1)], delivery_date=WEDNESDAY, now=NOW
    ).order

    assert [first.number[-4:], second.number[-4:]] == ["0001", "0002"]
    assert other_day.number == f"SO-{WEDNESDAY:%Y%m%d}-0001"


def test_after_the_cutoff_an_order_without_a_date_goes_to_the_day_after(shop):
    order = services.place_order(shop["user"], [line(shop["a"], 1)], now=CUTOFF).order

    assert order.delivery_date == WEDNESDAY
    assert order.cutoff_at == CUTOFF + dt.timedelta(days=1)


def test_a_later_open_date_may_be_chosen(shop):
    day = MONDAY + dt.timedelta(days=5)

    order = services.place_order(
        shop["user"], [line(shop["a"], 1)], delivery_date=day, now=NOW
    ).order

    assert order.delivery_date == day


def test_purchase_to_order_items_are_reserved_beyond_stock(any_db_app):
    user = merchant_user()
    to_order = stocked_product(0, is_stocked=False)

    order = services.place_order(user, [line(to_order, 40)], now=NOW).order

    assert order.lines[0].reserved_qty == 40
    assert reserved(to_order) == 40
    assert run_checks() == {}


def test_staff_order_for_a_merchant_and_may_override_a_passed_cutoff(shop):
    staff = UserFactory(role="sales")
    merchant = shop["user"].merchant

    order = services.place_order(
        staff,
        [line(shop["a"], 2)],
        merchant_code=merchant.code,
        delivery_date=TUESDAY,
        late_reason="客户电话下单，司机还没出发",
        source="staff",
        now=AFTER_CUTOFF,
    ).order

    assert (order.merchant_id, order.delivery_date) == (merchant.id, TUESDAY)
    assert order.late_override_reason == "客户电话下单，司机还没出发"
    assert order.placed_by_id == staff.id
    audit = db.session.scalars(
        sa.select(AuditLog).where(
            AuditLog.entity == "orders", AuditLog.entity_id == str(order.id)
        )
    ).all()
    assert [row.action for row in audit] == ["create"]
    assert audit[0].after["late_override_reason"] == "客户电话下单，司机还没出发"


def test_a_late_reason_before_the_cutoff_is_not_recorded_as_an_override(shop):
    staff = UserFactory(role="sales")

    order = services.place_order(
        staff,
        [line(shop["a"], 2)],
        merchant_code=shop["user"].merchant.code,
        late_reason="just in case",
        now=NOW,
    ).order

    assert order.late_override_reason == ""


# --- refusals write nothing -----------------------------------------------------------


def _bad_lines(shop):
    a, b = shop["a"], shop["b"]
    stepped = stocked_product(100, min_order_qty=6, order_step=6)
    retired = stocked_product(100, is_active=False)
    return {
        "unknown sku": [{"sku": "NO-SUCH", "qty": 1}],
        "missing sku": [{"qty": 1}],
        "inactive": [line(retired, 1)],
        "zero": [line(a, 0)],
        "negative": [line(a, -1)],
        "fractional": [line(a, 1.5)],
        "text": [line(a, "2")],
        "boolean": [line(a, True)],
        "absurd": [line(a, 10**12)],
        "not a step": [line(stepped, 8)],
        "below minimum": [line(stepped, 3)],
        "same sku twice": [line(a, 1), line(a, 1)],
        "empty": [],
        "not a list": "A1",
        "line not an object": [["sku", 1]],
        "too many lines": [line(a, 1)] * 501,
        "one bad line among good": [line(a, 1), line(b, 1), {"sku": "X", "qty": 1}],
    }


BAD_LINE_CASES = [
    "unknown sku", "missing sku", "inactive", "zero", "negative", "fractional", "text",
    "boolean", "absurd", "not a step", "below minimum", "same sku twice", "empty",
    "not a list", "line not an object", "too many lines", "one bad line among good",
]  # fmt: skip


@pytest.mark.parametrize("case", BAD_LINE_CASES)
def test_bad_lines_are_refused_with_nothing_written(shop, case):
    lines = _bad_lines(shop)[case]
    before = written()

    with pytest.raises(ValidationFailed) as refused:
        services.place_order(shop["user"], lines, idempotency_key=f"k-{case}", now=NOW)

    assert "lines" in refused.value.errors
    assert written() == before


def test_line_errors_are_keyed_by_line_index_and_field(shop):
    a = shop["a"]

    with pytest.raises(ValidationFailed) as refused:
        services.place_order(
            shop["user"],
            [line(a, 1), {"sku": "NOPE", "qty": 0}, line(a, 2)],
            now=NOW,
        )

    errors = refused.value.errors["lines"]
    assert set(errors) == {1, 2}
    assert set(errors[1]) == {"sku", "qty"}
    assert "already on line 1" in errors[2]["sku"][0]


def test_dates_that_may_not_be_ordered_for_are_refused_with_nothing_written(shop):
    schedule.add_holiday(WEDNESDAY, "停运")
    schedule.update_settings(cutoff_time=dt.time(22, 0), delivery_weekdays="12345")
    before = written()
    saturday = MONDAY + dt.timedelta(days=5)

    for day, words in [
        (MONDAY - dt.timedelta(days=1), "after today"),
        (MONDAY, "after today"),
        (WEDNESDAY, "holiday"),
        (saturday, "not a delivery day"),
        (MONDAY + dt.timedelta(days=15), "too far"),
        ("2026-01-01", "Not a valid date"),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            services.place_order(
                shop["user"], [line(shop["a"], 1)], delivery_date=day, now=NOW
            )
        assert words in refused.value.errors["delivery_date"][0]
    assert written() == before


def test_a_passed_cutoff_is_a_conflict_for_a_merchant_with_nothing_written(shop):
    before = written()

    with pytest.raises(OrderCutoffPassed) as refused:
        services.place_order(
            shop["user"], [line(shop["a"], 1)], delivery_date=TUESDAY, now=CUTOFF
        )

    assert refused.value.details["next_delivery_date"] == WEDNESDAY.isoformat()
    assert written() == before


def test_a_merchant_cannot_give_a_late_or_credit_reason(shop):
    before = written()

    for field in ("late_reason", "credit_reason"):
        with pytest.raises(ValidationFailed) as refused:
            services.place_order(
                shop["user"], [line(shop["a"], 1)], now=NOW, **{field: "please"}
            )
        assert field in refused.value.errors
    assert written() == before


def test_who_the_order_is_for_is_checked_with_nothing_written(shop):
    staff = UserFactory(role="sales")
    closed = MerchantFactory(is_active=False)
    before = written()

    cases = [
        (shop["user"], shop["user"].merchant.code),  # merchant names itself
        (shop["user"], "ANY"),
        (staff, None),
        (staff, "NO-SUCH"),
        (staff, closed.code),
    ]
    for user, code in cases:
        with pytest.raises(ValidationFailed) as refused:
            services.place_order(
                user, [line(shop["a"], 1)], merchant_code=code, now=NOW
            )
        assert "merchant" in refused.value.errors
    assert written() == before


def test_a_note_that_is_too_long_or_not_text_is_refused(shop):
    before = written()

    for note in ("x" * 501, 42):
        with pytest.raises(ValidationFailed) as refused:
            services.place_order(shop["user"], [line(shop["a"], 1)], note=note, now=NOW)
        assert "note" in refused.value.errors
    assert written() == before


def test_a_short_line_refuses_the_whole_order_and_says_what_is_available(shop):
    a, b = shop["a"], shop["b"]
    services.place_order(shop["user"], [line(b, 2)], now=NOW)
    before = written()

    with pytest.raises(OutOfStock) as refused:
        services.place_order(
            shop["user"], [line(a, 4), line(b, 4)], idempotency_key="short", now=NOW
        )

    assert refused.value.details["lines"] == [
        {"sku": b.sku, "requested_qty": 4, "available_qty": 3}
    ]
    assert written() == before
    assert (available(a), available(b)) == (10, 3)


def test_the_credit_limit_refuses_an_order_with_the_figures(any_db_app):
    merchant = MerchantFactory(credit_limit=Decimal("100.00"))
    user = merchant_user(merchant)
    product = stocked_product(100, price=Decimal("10.00"))
    services.place_order(user, [line(product, 6)], now=NOW)
    before = written()

    with pytest.raises(CreditLimitExceeded) as refused:
        services.place_order(user, [line(product, 5)], now=NOW)

    assert refused.value.details == {
        "credit_limit": "100.00",
        "exposure": "60.00",
        "order_amount": "50.00",
        "available_credit": "40.00",
    }
    assert written() == before
    assert services.place_order(user, [line(product, 4)], now=NOW).created


def test_staff_may_override_the_credit_limit_with_a_reason(any_db_app):
    merchant = MerchantFactory(credit_limit=Decimal("10.00"))
    product = stocked_product(100, price=Decimal("10.00"))
    staff = UserFactory(role="sales")

    order = services.place_order(
        staff,
        [line(product, 3)],
        merchant_code=merchant.code,
        credit_reason="老板担保",
        now=NOW,
    ).order

    assert order.credit_override_reason == "老板担保"


def test_an_unlimited_merchant_is_never_refused_for_credit(any_db_app):
    user = merchant_user(MerchantFactory(credit_limit=None))
    product = stocked_product(1000, price=Decimal("999.99"))

    assert services.place_order(user, [line(product, 1000)], now=NOW).created


# --- amending -------------------------------------------------------------------------


def test_amending_moves_reservations_by_the_difference_only(shop):
    user, a, b = shop["user"], shop["a"], shop["b"]
    c = stocked_product(3)
    order = services.place_order(user, [line(a, 4), line(b, 2)], now=NOW).order

    services.amend_order(user, order.id, [line(a, 7), line(c, 3)], now=NOW)

    assert (available(a), available(b), available(c)) == (3, 5, 0)
    db.session.refresh(order)
    assert [(ol.sku, ol.qty, ol.reserved_qty, ol.position) for ol in order.lines] == [
        (a.sku, 7, 7, 0),
        (c.sku, 3, 3, 1),
    ]
    assert run_checks() == {}


def test_kept_lines_keep_their_price_and_new_lines_get_todays(shop):
    user, a, b = shop["user"], shop["a"], shop["b"]
    order = services.place_order(user, [line(a, 2)], now=NOW).order
    db.session.execute(
        sa.update(Product).where(Product.id.in_([a.id, b.id])).values(price="20.00")
    )
    db.session.commit()

    order = services.amend_order(user, order.number, [line(a, 3), line(b, 1)], now=NOW)

    assert [(ol.sku, ol.unit_price, ol.line_amount) for ol in order.lines] == [
        (a.sku, Decimal("12.50"), Decimal("37.50")),
        (b.sku, Decimal("20.00"), Decimal("20.00")),
    ]
    assert order.total_amount == Decimal("57.50")
    assert run_checks() == {}


def test_an_amend_that_is_short_changes_nothing(shop):
    user, a, b = shop["user"], shop["a"], shop["b"]
    order = services.place_order(user, [line(a, 4), line(b, 1)], now=NOW).order
    before = written()

    with pytest.raises(OutOfStock):
        services.amend_order(user, order.id, [line(a, 1), line(b, 6)], now=NOW)

    assert written() == before
    db.session.refresh(order)
    assert [(ol.qty, ol.reserved_qty) for ol in order.lines] == [(4, 4), (1, 1)]


@pytest.mark.parametrize(
    "lines", [[], [{"sku": "NOPE", "qty": 1}], [{"sku": "X", "qty": 0}]]
)
def test_an_amend_with_bad_lines_changes_nothing(shop, lines):
    order = services.place_order(shop["user"], [line(shop["a"], 4)], now=NOW).order
    before = written()

    with pytest.raises(ValidationFailed):
        services.amend_order(shop["user"], order.id, lines, now=NOW)

    assert written() == before


def test_a_merchant_cannot_amend_after_the_cutoff_but_staff_can_with_a_reason(shop):
    user, a = shop["user"], shop["a"]
    order = services.place_order(user, [line(a, 4)], now=NOW).order
    before = written()

    with pytest.raises(OrderCutoffPassed):
        services.amend_order(user, order.id, [line(a, 1)], now=CUTOFF)
    assert written() == before

    staff = UserFactory(role="sales")
    services.amend_order(
        staff, order.id, [line(a, 1)], override_reason="司机少带一箱", now=CUTOFF
    )
    assert available(a) == 9
    assert services.get_order(staff, order.id).late_override_reason == "司机少带一箱"


def test_another_merchants_order_is_not_found(shop):
    order = services.place_order(shop["user"], [line(shop["a"], 1)], now=NOW).order
    stranger = merchant_user()
    before = written()

    with pytest.raises(NotFound):
        services.get_order(stranger, order.id)
    with pytest.raises(NotFound):
        services.amend_order(stranger, order.id, [line(shop["a"], 2)], now=NOW)
    with pytest.raises(NotFound):
        services.cancel_order(stranger, order.number, now=NOW)
    assert written() == before
    assert available(shop["a"]) == 9


def test_amending_an_increase_beyond_the_credit_limit_is_refused(any_db_app):
    user = merchant_user(MerchantFactory(credit_limit=Decimal("100.00")))
    product = stocked_product(100, price=Decimal("10.00"))
    order = services.place_order(user, [line(product, 5)], now=NOW).order

    with pytest.raises(CreditLimitExceeded):
        services.amend_order(user, order.id, [line(product, 11)], now=NOW)

    assert reserved(product) == 5
    services.amend_order(user, order.id, [line(product, 2)], now=NOW)  # a decrease
    assert reserved(product) == 2


def test_amending_up_to_the_credit_limit_is_allowed(any_db_app):
    user = merchant_user(MerchantFactory(credit_limit=Decimal("100.00")))
    product = stocked_product(100, price=Decimal("10.00"))
    order = services.place_order(user, [line(product, 5)], now=NOW).order

    # exposure after the amend is 90.00, within the limit of 100.00
    services.amend_order(user, order.id, [line(product, 9)], now=NOW)

    assert reserved(product) == 9


# --- cancelling and confirming --------------------------------------------------------


def test_cancelling_releases_every_line_and_is_a_no_op_the_second_time(shop):
    user, a, b = shop["user"], shop["a"], shop["b"]
    order = services.place_order(user, [line(a, 4), line(b, 5)], now=NOW).order

    cancelled = services.cancel_order(user, order.id, now=NOW)
    again = services.cancel_order(user, order.id, now=NOW)

    assert cancelled.status == again.status == "cancelled"
    assert cancelled.cancelled_by_id == user.id
    assert all(ol.reserved_qty == 0 for ol in cancelled.lines)
    assert (available(a), available(b)) == (10, 5)
    assert run_checks() == {}


def test_a_cancelled_order_cannot_be_amended(shop):
    order = services.place_order(shop["user"], [line(shop["a"], 1)], now=NOW).order
    services.cancel_order(shop["user"], order.id, now=NOW)

    with pytest.raises(Conflict):
        services.amend_order(shop["user"], order.id, [line(shop["a"], 2)], now=NOW)

    assert available(shop["a"]) == 10


def test_confirming_at_the_cutoff_keeps_reservations_and_runs_once(shop):
    user, a = shop["user"], shop["a"]
    due = services.place_order(user, [line(a, 2)], now=NOW).order
    later = services.place_order(user, [line(a, 3)], delivery_date=WEDNESDAY, now=NOW)

    assert services.confirm_due(CUTOFF - dt.timedelta(seconds=1)) == 0
    assert services.confirm_due(CUTOFF) == 1
    assert services.confirm_due(CUTOFF) == 0

    db.session.expire_all()
    assert services.get_order(user, due.id).status == "confirmed"
    assert services.get_order(user, later.order.id).status == "placed"
    assert available(a) == 5
    assert run_checks() == {}


def test_a_confirmed_order_is_closed_to_the_merchant_but_staff_may_cancel_it(shop):
    user, a = shop["user"], shop["a"]
    order = services.place_order(user, [line(a, 2)], now=NOW).order
    services.confirm_due(CUTOFF)
    before = written()

    with pytest.raises(Conflict):
        services.amend_order(user, order.id, [line(a, 1)], now=AFTER_CUTOFF)
    with pytest.raises(OrderCutoffPassed):
        services.cancel_order(user, order.id, now=AFTER_CUTOFF)
    assert written() == before

    staff = UserFactory(role="sales")
    services.cancel_order(staff, order.id, override_reason="客户停业", now=AFTER_CUTOFF)
    assert available(a) == 10
    assert run_checks() == {}


def test_orders_query_shows_a_merchant_only_its_own_orders(shop):
    mine = services.place_order(shop["user"], [line(shop["a"], 1)], now=NOW).order
    other = merchant_user()
    services.place_order(other, [line(shop["a"], 1)], now=NOW)
    staff = UserFactory(role="sales")

    def ids(user, **kwargs):
        query = services.orders_query(user, **kwargs)
        return [order.id for order in db.session.scalars(query)]

    assert ids(shop["user"]) == [mine.id]
    assert len(ids(staff)) == 2
    assert ids(staff, q=mine.number) == [mine.id]
    assert ids(staff, merchant_id=db.session.get(Merchant, mine.merchant_id).id) == [
        mine.id
    ]
