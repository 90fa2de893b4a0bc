"""周期送 standing orders: the services and the generator, on SQLite and PostgreSQL."""

import datetime as dt
import threading

import pytest
import sqlalchemy as sa

from supplychain.checks import run_checks
from supplychain.errors import NotFound, ValidationFailed
from supplychain.extensions import db
from supplychain.orders import schedule, services, standing
from supplychain.orders.models import Order, StandingOrderRun
from supplychain.stock import ledger
from supplychain.stock.queries import available_qty, default_warehouse
from tests.factories import MerchantFactory, UserFactory, merchant_user, stocked_product

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone.utc)  # Mon 18:00 Shanghai
TUESDAY = dt.date(2026, 11, 24)  # the next delivery date at NOW
AFTER_CUTOFF = dt.datetime(2026, 11, 23, 14, 30, tzinfo=dt.timezone.utc)  # 22:30


def make_standing(user, product, *, weekdays="2", qty=2, **kwargs):
    return standing.create_standing_order(
        user, name="每周二", weekdays=weekdays,
        lines=[{"sku": product.sku, "qty": qty}], **kwargs,
    )  # fmt: skip


def orders_of(standing_order):
    return list(
        db.session.scalars(
            sa.select(Order).where(Order.standing_order_id == standing_order.id)
        )
    )


def runs_of(standing_order):
    return list(
        db.session.scalars(
            sa.select(StandingOrderRun).where(
                StandingOrderRun.standing_order_id == standing_order.id
            )
        )
    )


def test_generating_twice_places_one_order(any_db_app):
    product = stocked_product(10)
    user = merchant_user()
    pattern = make_standing(user, product)

    first = standing.generate_due(NOW)
    second = standing.generate_due(NOW + dt.timedelta(minutes=1))

    assert len(first.created) == 1 and second.created == []
    [order] = orders_of(pattern)
    assert order.delivery_date == TUESDAY
    assert order.source == "standing" and order.placed_by_id is None
    assert [(line.sku, line.qty) for line in order.lines] == [(product.sku, 2)]
    [run] = runs_of(pattern)
    assert (run.outcome, run.order_id) == ("created", order.id)
    assert available_qty(product.id, default_warehouse().id) == 8
    assert run_checks() == {}


def test_short_stock_skips_with_a_notice_then_places_once_stock_arrives(any_db_app):
    product = stocked_product(1)
    user = merchant_user()
    pattern = make_standing(user, product, qty=3)

    report = standing.generate_due(NOW)

    assert report.created == [] and report.skipped[0][0] == pattern.id
    assert orders_of(pattern) == []
    [notice] = standing.skipped_notices(user, now=NOW)
    assert notice.delivery_date == TUESDAY
    assert "not enough stock" in notice.message
    assert standing.run_details(notice) == [
        f"{product.sku} {product.name}: 3 wanted, 1 available"
    ]
    assert available_qty(product.id, default_warehouse().id) == 1

    ledger.post_adjustment(product.id, default_warehouse().id, 5, reason="收货")
    db.session.commit()
    later = standing.generate_due(NOW + dt.timedelta(hours=1))

    assert len(later.created) == 1
    [order] = orders_of(pattern)
    assert order.delivery_date == TUESDAY
    [run] = runs_of(pattern)
    assert (run.outcome, run.order_id) == ("created", order.id)
    assert standing.skipped_notices(user, now=NOW) == []
    assert run_checks() == {}


def test_nothing_is_generated_for_a_date_whose_cutoff_has_passed(any_db_app):
    product = stocked_product(1)
    user = merchant_user()
    pattern = make_standing(user, product, qty=3)  # Tuesdays only
    standing.generate_due(NOW)  # skipped: short
    ledger.post_adjustment(product.id, default_warehouse().id, 5, reason="收货")
    db.session.commit()

    report = standing.generate_due(AFTER_CUTOFF)  # Tuesday is closed now

    assert report.created == []
    assert orders_of(pattern) == []
    [run] = runs_of(pattern)
    assert run.outcome == "skipped" and run.delivery_date == TUESDAY


def test_a_weekday_outside_the_pattern_generates_nothing(any_db_app):
    product = stocked_product(10)
    pattern = make_standing(merchant_user(), product, weekdays="35")

    report = standing.generate_due(NOW)

    assert report.created == [] and report.skipped == []
    assert orders_of(pattern) == [] and runs_of(pattern) == []


def test_a_deactivated_merchant_or_a_paused_standing_order_generates_nothing(
    any_db_app,
):
    product = stocked_product(10)
    user = merchant_user()
    pattern = make_standing(user, product)
    paused = make_standing(merchant_user(), product)
    standing.set_standing_order_active(UserFactory(role="sales"), paused.id, False)
    user.merchant.is_active = False
    db.session.commit()

    report = standing.generate_due(NOW)

    assert report.created == []
    assert orders_of(pattern) == [] and orders_of(paused) == []


def test_outside_its_start_and_end_dates_nothing_is_generated(any_db_app):
    product = stocked_product(10)
    user = merchant_user()
    later = make_standing(user, product, start_date=TUESDAY + dt.timedelta(days=1))
    ended = make_standing(user, product)
    standing.update_standing_order(
        user, ended.id, end_date=dt.date(2026, 11, 23), now=NOW
    )

    assert standing.generate_due(NOW).created == []
    assert orders_of(later) == [] and orders_of(ended) == []
    assert standing.next_run_date(later, NOW) == dt.date(2026, 12, 1)
    assert standing.next_run_date(ended, NOW) is None


def test_an_order_placed_by_a_racing_scheduler_is_not_placed_again(any_db_app):
    product = stocked_product(10)
    user = merchant_user()
    pattern = make_standing(user, product)
    # what another scheduler committed a moment ago, before its run row was visible
    services.build_order(
        None, user.merchant, [{"sku": product.sku, "qty": 2}], delivery_date=TUESDAY,
        source="standing", standing_order_id=pattern.id, now=NOW,
    )  # fmt: skip
    db.session.commit()

    report = standing.generate_due(NOW)

    assert report.created == [] and report.unchanged == 1
    assert len(orders_of(pattern)) == 1
    assert available_qty(product.id, default_warehouse().id) == 8
    assert run_checks() == {}


def test_a_credit_refusal_and_a_delisted_product_are_skipped_with_reasons(any_db_app):
    product = stocked_product(10)
    poor = MerchantFactory(credit_limit=1)
    by_credit = make_standing(merchant_user(poor), product)
    delisted = stocked_product(10)
    by_product = make_standing(merchant_user(), delisted)
    delisted.is_active = False
    db.session.commit()

    report = standing.generate_due(NOW)

    assert report.created == []
    assert {sid for sid, _ in report.skipped} == {by_credit.id, by_product.id}
    [credit_run] = runs_of(by_credit)
    assert "credit limit" in credit_run.message
    [product_run] = runs_of(by_product)
    assert standing.run_details(product_run) == [
        f"{delisted.sku}: {delisted.sku} is no longer sold."
    ]


def test_weekdays_must_be_delivery_days_of_the_merchants_calendar(any_db_app):
    schedule.update_settings(
        cutoff_time=dt.time(22, 0), delivery_weekdays="135", lead_days=1,
        horizon_days=14,
    )  # fmt: skip
    product = stocked_product(10)

    with pytest.raises(ValidationFailed) as refused:
        make_standing(merchant_user(), product, weekdays="12")

    assert "Tue" in refused.value.errors["weekdays"][0]
    assert "Mon, Wed, Fri" in refused.value.errors["weekdays"][0]


def test_bad_fields_are_reported_together_and_nothing_is_written(any_db_app):
    product = stocked_product(10)
    user = merchant_user()

    with pytest.raises(ValidationFailed) as refused:
        standing.create_standing_order(
            user, name="x" * 101, weekdays="8",
            lines=[{"sku": "NOPE", "qty": 1}, {"sku": product.sku, "qty": 0}],
            start_date=dt.date(2027, 1, 10), end_date=dt.date(2027, 1, 1),
        )  # fmt: skip

    errors = refused.value.errors
    assert set(errors) == {"name", "weekdays", "lines", "end_date"}
    assert errors["lines"][0]["sku"] == ["Unknown SKU 'NOPE'."]
    assert "qty" in errors["lines"][1]
    assert standing.list_standing_orders(user) == []


def test_a_merchant_user_may_not_name_a_merchant_and_staff_must(any_db_app):
    product = stocked_product(10)
    merchant = MerchantFactory()
    sales = UserFactory(role="sales")

    with pytest.raises(ValidationFailed) as by_merchant:
        make_standing(merchant_user(), product, merchant_code=merchant.code)
    with pytest.raises(ValidationFailed) as by_staff:
        make_standing(sales, product)
    created = make_standing(sales, product, merchant_code=merchant.code)

    assert "merchant" in by_merchant.value.errors
    assert "merchant" in by_staff.value.errors
    assert created.merchant_id == merchant.id and created.created_by_id == sales.id


def test_another_merchants_standing_order_is_not_found(any_db_app):
    product = stocked_product(10)
    mine = make_standing(merchant_user(), product)
    stranger = merchant_user()

    for call in (
        lambda: standing.get_standing_order(stranger, mine.id),
        lambda: standing.update_standing_order(stranger, mine.id, name="hack"),
        lambda: standing.set_standing_order_active(stranger, mine.id, False),
        lambda: standing.delete_standing_order(stranger, mine.id),
    ):
        with pytest.raises(NotFound):
            call()
    assert standing.list_standing_orders(stranger) == []
    assert standing.get_standing_order(UserFactory(role="sales"), mine.id).is_active


def test_updating_lines_replaces_them_and_deleting_keeps_generated_orders(any_db_app):
    first, second = stocked_product(10), stocked_product(10)
    user = merchant_user()
    pattern = make_standing(user, first)
    standing.generate_due(NOW)

    standing.update_standing_order(
        user, pattern.id, lines=[{"sku": second.sku, "qty": 4}], weekdays=[4, 2]
    )
    assert [(line.product_id, line.qty) for line in pattern.lines] == [(second.id, 4)]
    assert pattern.weekdays == "24"

    [order] = orders_of(pattern)
    standing.delete_standing_order(user, pattern.id)

    kept = db.session.get(Order, order.id)
    assert kept.standing_order_id is None and kept.source == "standing"
    assert db.session.scalar(sa.select(sa.func.count(StandingOrderRun.id))) == 0


def test_two_schedulers_racing_place_the_order_once(any_db_app):
    product = stocked_product(10)
    pattern = make_standing(merchant_user(), product)
    db.session.commit()
    start = threading.Barrier(2)
    reports, failures = [], []

    def scheduler():
        with any_db_app.app_context():
            try:
                start.wait(timeout=10)
                reports.append(standing.generate_due(NOW))
            except Exception as error:  # reported below, not lost in the thread
                failures.append(error)

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    assert sorted(len(report.created) for report in reports) == [0, 1]
    db.session.expire_all()
    assert len(orders_of(pattern)) == 1
    assert available_qty(product.id, default_warehouse().id) == 8
    assert run_checks() == {}


def test_an_unexpected_error_is_reported_and_the_others_still_generate(
    any_db_app, monkeypatch
):
    product = stocked_product(10)
    broken = make_standing(merchant_user(), product)
    fine = make_standing(merchant_user(), product)
    build = services.build_order

    def flaky(user, merchant, lines, **kwargs):
        if kwargs["standing_order_id"] == broken.id:
            raise RuntimeError("disk on fire")
        return build(user, merchant, lines, **kwargs)

    monkeypatch.setattr(services, "build_order", flaky)

    report = standing.generate_due(NOW)

    assert report.failed == [(broken.id, "RuntimeError: disk on fire")]
    assert len(report.created) == 1 and len(orders_of(fine)) == 1
    assert orders_of(broken) == [] and runs_of(broken) == []
