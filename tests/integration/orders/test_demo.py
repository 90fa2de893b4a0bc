"""订单 demo history: a small demo loads a month of orders and open orders that keep
every invariant, give store1 a frequent-items list and leave every merchant room to
order."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from supplychain.auth import services as auth_services
from supplychain.auth.models import User
from supplychain.bootstrap import ensure_reference_data
from supplychain.checks import run_checks
from supplychain.demo.generator import generate
from supplychain.demo.services import load_demo_distributor
from supplychain.extensions import db
from supplychain.merchants.models import Merchant
from supplychain.orders import credit, queries, schedule, services
from supplychain.orders.demo import merchant_habits, pick_lines
from supplychain.orders.models import (
    DeliveryHoliday,
    Order,
    OrderNumberCounter,
    StandingOrder,
    StandingOrderRun,
)
from supplychain.stock.queries import available_qty, default_warehouse
from tests.conftest import make_app
from tests.support.demo import history_move_count

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("orders-demo")]
STORES, SEED, PRODUCTS = 12, 1, 40
SHANGHAI = ZoneInfo("Asia/Shanghai")
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def _load(tmp: Any, name: str, today: dt.date) -> Any:
    app = make_app(f"sqlite:///{tmp / name}", tmp)
    with app.app_context():
        db.create_all()
        ensure_reference_data()
        load_demo_distributor(STORES, SEED, products=PRODUCTS, today=today)
    return app


def _today() -> dt.date:
    return dt.datetime.now(SHANGHAI).date()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("orders-demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(auth_services, "_hasher", FAST_HASHER)
        app = _load(tmp, "demo.sqlite", _today())
        with app.app_context():
            yield {"app": app, "tmp": tmp, "today": _today()}
            db.session.remove()
            db.engine.dispose()


def merchant(code: str) -> Merchant:
    return db.session.scalar(sa.select(Merchant).where(Merchant.code == code))


def history(today: dt.date) -> list[tuple]:
    rows = db.session.scalars(
        sa.select(Order).where(Order.delivery_date <= today).order_by(Order.number)
    )
    return [
        (
            o.number, o.merchant.code, o.status, o.source, o.total_amount,
            tuple((line.sku, line.qty, line.unit_price) for line in o.lines),
        )
        for o in rows
    ]  # fmt: skip


def test_every_invariant_holds_after_loading(loaded):
    assert run_checks() == {}


def test_a_month_of_orders_with_every_status(loaded):
    today = loaded["today"]
    statuses = Counter(db.session.scalars(sa.select(Order.status)))

    assert statuses["invoiced"] > statuses["delivered"] > 0
    assert 0 < statuses["cancelled"] < statuses["invoiced"] // 5
    assert statuses["placed"] + statuses["confirmed"] > 0
    dates = set(db.session.scalars(sa.select(Order.delivery_date)))
    assert min(dates) >= today - dt.timedelta(days=29)
    assert max(dates) > today
    old = db.session.scalars(
        sa.select(Order.status).where(
            Order.delivery_date < today - dt.timedelta(days=2)
        )
    )
    assert set(old) <= {"invoiced", "cancelled"}


def test_past_orders_hold_no_stock_and_left_the_ledger_alone(loaded):
    today = loaded["today"]
    past = db.session.scalars(sa.select(Order).where(Order.delivery_date <= today))

    assert all(line.reserved_qty == 0 for order in past for line in order.lines)
    events = generate(STORES, SEED, products=PRODUCTS).stock_events
    assert history_move_count() == len(events)


def test_open_orders_reserve_every_line_through_the_ledger(loaded):
    open_orders = list(
        db.session.scalars(
            sa.select(Order).where(Order.status.in_(["placed", "confirmed"]))
        )
    )

    assert open_orders
    assert all(o.delivery_date > loaded["today"] for o in open_orders)
    assert all(line.reserved_qty == line.qty for o in open_orders for line in o.lines)


def test_store1_has_frequent_items_a_last_order_and_an_open_order(loaded):
    store1 = db.session.scalar(
        sa.select(User).where(User.username == "store1")
    ).merchant

    frequent = queries.frequent_items(store1.id)

    assert len(frequent) >= 5
    assert frequent[0].times_ordered >= 4
    assert queries.last_order(store1.id) is not None
    statuses = set(
        db.session.scalars(
            sa.select(Order.status).where(Order.merchant_id == store1.id)
        )
    )
    assert statuses & {"placed", "confirmed"}


def test_no_merchant_is_near_its_credit_limit(loaded):
    for m in db.session.scalars(sa.select(Merchant)):
        if m.credit_limit is not None:
            assert credit.exposure(m.id) <= m.credit_limit * Decimal("0.7"), m.code


def test_order_numbers_run_per_delivery_date_and_the_counters_know_them(loaded):
    numbers = defaultdict(list)
    for number, day in db.session.execute(sa.select(Order.number, Order.delivery_date)):
        assert number.startswith(f"SO-{day:%Y%m%d}-")
        numbers[day].append(int(number[-4:]))
    counters = dict(
        db.session.execute(
            sa.select(OrderNumberCounter.day, OrderNumberCounter.last_value)
        ).all()
    )

    for day, values in numbers.items():
        assert sorted(values) == list(range(1, len(values) + 1)), day
        assert counters[day] == len(values), day


def test_leaders_are_in_the_group_with_the_earlier_cutoff(loaded):
    group = schedule.get_group("TZ")
    leaders = list(
        db.session.scalars(sa.select(Merchant).where(Merchant.kind == "group_leader"))
    )

    assert group.cutoff_time == dt.time(20, 0)
    assert leaders and all(m.group_id == group.id for m in leaders)
    cutoffs = db.session.scalars(
        sa.select(Order.cutoff_at).where(Order.merchant_id.in_([m.id for m in leaders]))
    )
    assert {c.astimezone(SHANGHAI).time() for c in cutoffs} == {dt.time(20, 0)}


def test_holidays_lie_ahead(loaded):
    days = list(db.session.scalars(sa.select(DeliveryHoliday.date)))

    assert days and all(day > loaded["today"] for day in days)


def test_store1_has_standing_orders_that_made_past_orders(loaded):
    store1 = merchant("S0001")
    standing = list(
        db.session.scalars(
            sa.select(StandingOrder).where(StandingOrder.merchant_id == store1.id)
        )
    )
    made = list(
        db.session.scalars(sa.select(Order).where(Order.standing_order_id.is_not(None)))
    )
    runs = list(db.session.scalars(sa.select(StandingOrderRun)))

    assert len(standing) == 2 and all(so.lines and so.is_active for so in standing)
    assert made and all(o.source == "standing" for o in made)
    assert {(r.standing_order_id, r.delivery_date, r.order_id) for r in runs} == {
        (o.standing_order_id, o.delivery_date, o.id) for o in made
    }


def test_a_demo_login_can_order_right_after_loading(loaded):
    user = db.session.scalar(sa.select(User).where(User.username == "store1"))
    warehouse = default_warehouse().id
    favourites = [item.product for item in queries.frequent_items(user.merchant_id)]
    orderable = [
        p
        for p in favourites
        if not p.is_stocked or available_qty(p.id, warehouse) >= p.min_order_qty
    ]
    assert len(orderable) >= len(favourites) // 2

    lines = [{"sku": p.sku, "qty": p.min_order_qty} for p in orderable[:5]]
    placed = services.place_order(user, lines)

    assert placed.created
    services.cancel_order(user, placed.order.id)
    assert run_checks() == {}


def test_habits_and_baskets_come_from_the_seed_alone():
    data = generate(STORES, SEED, products=PRODUCTS)
    first = merchant_habits(data, random.Random("x"))
    again = merchant_habits(data, random.Random("x"))
    products = {p.sku: p for p in data.products}

    assert first == again
    habit = first["S0001"]
    assert len(habit.weekdays) == 4
    assert pick_lines(random.Random(1), habit, products) == pick_lines(
        random.Random(1), habit, products
    )
    for sku, qty in pick_lines(random.Random(2), habit, products):
        product = products[sku]
        assert qty >= product.min_order_qty
        assert (qty - product.min_order_qty) % product.order_step == 0


def test_the_same_seed_and_day_give_the_same_history(loaded):
    today = loaded["today"]
    mine = history(today)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(auth_services, "_hasher", FAST_HASHER)
        again = _load(loaded["tmp"], "again.sqlite", today)
        with again.app_context():
            theirs = history(today)
            db.session.remove()
            db.engine.dispose()

    assert mine and mine == theirs


def test_the_demo_loads_on_postgresql_with_every_invariant(postgres_url, tmp_path):
    from tests.support.postgres import reset_database

    app = make_app(postgres_url, tmp_path)
    with pytest.MonkeyPatch.context() as patch, app.app_context():
        patch.setattr(auth_services, "_hasher", FAST_HASHER)
        reset_database(db.engine, db.metadata)
        ensure_reference_data()
        load_demo_distributor(STORES, SEED, products=PRODUCTS)

        assert run_checks() == {}
        numbers = list(db.session.scalars(sa.select(Order.number)))
        assert len(numbers) == len(set(numbers)) > 100
        assert len(queries.frequent_items(merchant("S0001").id)) >= 5
        db.session.remove()
        db.engine.dispose()
