"""订单 demo history: the ordering part of the demo distributor's lived month.

Steps, run after the core demo steps (``supplychain.demo.loader``):

1. *ordering calendar* — the distributor settings, a 团长 group with an earlier cutoff
   (20:00) holding every group-buy leader, and a holiday or two ahead.
2. *standing orders* — two 周期送 patterns of store1's merchant.
3. *order history* — the last 30 days of orders: each merchant orders on its own 2–4
   weekdays (leaders more often, wholesalers less) from a basket of products it keeps
   reordering, so 常买清单 and 再来一单 have content. Orders older than two days are
   ``invoiced``, the last two delivery dates ``delivered``, a few ``cancelled``.
   Written in bulk: they hold no reservation, and they do not touch stock (a real
   delivery would have posted issue moves; the core stock history already has the
   month's issues, so the ledger is left as it is).
4. *open orders* — orders for the next delivery date (and any date between, confirmed
   if its cutoff has passed) placed through ``services.build_order``, so every one
   reserves through the stock ledger and ``supplychain check`` holds.

Everything random comes from the load context's seeded streams. Each merchant's
exposure stays well under its credit limit (delivered orders under 40%, with the open
ones under 60%), so the demo logins can always order.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa

from supplychain.auth.models import User
from supplychain.catalog.rules import round_up_order_qty
from supplychain.catalog.services import prices_for
from supplychain.database import utcnow
from supplychain.demo.loader import LoadContext, LoadStep, step
from supplychain.demo.model import DemoData, MerchantRow, ProductRow
from supplychain.errors import DomainError, OutOfStock
from supplychain.extensions import db
from supplychain.merchants.models import Merchant
from supplychain.orders import credit, schedule, services, standing
from supplychain.orders.calendar import DeliveryCalendar
from supplychain.orders.models import (
    Order,
    OrderLine,
    OrderNumberCounter,
    StandingOrder,
    StandingOrderRun,
)
from supplychain.orders.rules import format_number, line_amount, order_total
from supplychain.stock.queries import available_for, default_warehouse

HISTORY_DAYS = 30
DELIVERED_DAYS = 2  # today and yesterday: delivered, not yet invoiced
CANCEL_SHARE = 0.04
# of a merchant's credit limit, at most: delivered orders, then with the open ones
DELIVERED_SHARE, OPEN_SHARE = Decimal("0.40"), Decimal("0.60")
LEADER_GROUP = ("TZ", "团长团购群", dt.time(20, 0))
CHUNK = 500  # orders per bulk insert
NOTES = (
    "早上九点前送到",
    "放门口货架",
    "到了打电话",
    "周末有促销，多备一些",
    "发票抬头同上次",
)
# kind → (weekday counts with weights, basket size range, units per order-day factor)
HABITS = {
    "store": (((2, 2), (3, 4), (4, 3)), (10, 20), 1),
    "group_leader": (((4, 2), (5, 3), (6, 1)), (6, 12), 2),
    "wholesale": (((1, 1), (2, 2)), (20, 35), 5),
}
UNITS_PER_DAY = 6  # a typical merchant's demand, all products together


@dataclass(frozen=True)
class Habit:
    code: str
    kind: str
    weekdays: frozenset[int]
    basket: tuple[tuple[str, float], ...]  # (sku, chance it is on an order)
    units_per_order: int


@dataclass
class PlannedOrder:
    merchant_id: int
    warehouse_id: int
    delivery_date: dt.date
    cutoff_at: dt.datetime
    placed_at: dt.datetime
    status: str
    source: str
    note: str
    placed_by_id: int | None
    lines: list[dict[str, Any]]
    standing_order_id: int | None = None

    @property
    def total(self) -> Decimal:
        return order_total(line["line_amount"] for line in self.lines)


# --- habits: who orders what, when (pure, from the seed) ------------------------------


def _weighted(rng: random.Random, choices: Sequence[tuple[Any, float]]) -> Any:
    values, weights = zip(*choices)
    return rng.choices(values, weights=weights)[0]


def merchant_habits(data: DemoData, seed_rng: random.Random) -> dict[str, Habit]:
    """Each merchant's delivery weekdays and product basket, deterministic per seed.
    The first store (store1's merchant) orders four days a week."""
    products = [p for p in data.products]
    popularity = [(p.sku, float(p.daily_units_per_100_stores) + 0.5) for p in products]
    first_store = next((m.code for m in data.merchants if m.kind == "store"), None)
    habits = {}
    for merchant in data.merchants:
        counts, basket_range, factor = HABITS[merchant.kind]
        days = 4 if merchant.code == first_store else _weighted(seed_rng, counts)
        weekdays = frozenset(seed_rng.sample(range(1, 8), days))
        size = min(len(products), seed_rng.randint(*basket_range))
        basket: list[tuple[str, float]] = []
        pool = list(popularity)
        while len(basket) < size and pool:
            sku = _weighted(seed_rng, pool)
            pool = [item for item in pool if item[0] != sku]
            basket.append((sku, round(seed_rng.uniform(0.3, 0.95), 2)))
        habits[merchant.code] = Habit(
            code=merchant.code,
            kind=merchant.kind,
            weekdays=weekdays,
            basket=tuple(basket),
            units_per_order=max(3, UNITS_PER_DAY * factor * 7 // days),
        )
    return habits


def pick_lines(
    rng: random.Random, habit: Habit, products: dict[str, ProductRow]
) -> list[tuple[str, int]]:
    """One order's (sku, qty): the basket items the merchant wants this time, the
    quantities shared by popularity and rounded up to valid order quantities."""
    chosen = [sku for sku, chance in habit.basket if rng.random() < chance]
    if not chosen:
        chosen = [habit.basket[0][0]]
    weights = {
        sku: float(products[sku].daily_units_per_100_stores) + 1 for sku in chosen
    }
    whole = sum(weights.values())
    lines = []
    for sku in chosen:
        product = products[sku]
        mean = habit.units_per_order * weights[sku] / whole
        qty = max(1, round(rng.gauss(mean, mean * 0.3)))
        lines.append(
            (sku, round_up_order_qty(qty, product.min_order_qty, product.order_step))
        )
    return lines


def _within(
    lines: list[tuple[str, int]], prices: dict[str, Decimal], budget: Decimal
) -> list[tuple[str, int]]:
    """The lines, dropping the last ones until their amount fits ``budget``."""
    kept = list(lines)
    while kept and sum(line_amount(q, prices[s]) for s, q in kept) > budget:
        kept.pop()
    return kept


# --- shared look-ups ------------------------------------------------------------------


def _products(ctx: LoadContext) -> dict[str, ProductRow]:
    return {p.sku: p for p in ctx.data.products}


def _habits(ctx: LoadContext) -> dict[str, Habit]:
    return merchant_habits(ctx.data, ctx.rng("orders:habits"))


def _calendars(ctx: LoadContext) -> dict[str, DeliveryCalendar]:
    """The calendar of each merchant code (leaders have their group's)."""
    base = schedule.calendar_for(None)
    by_group: dict[int | None, DeliveryCalendar] = {None: base}
    rows = db.session.execute(sa.select(Merchant.code, Merchant.group_id)).all()
    calendars = {}
    for code, group_id in rows:
        if group_id not in by_group:
            member = SimpleNamespace(route_id=None, group_id=group_id)
            by_group[group_id] = schedule.calendar_for(member)  # type: ignore[arg-type]
        calendars[code] = by_group[group_id]
    return calendars


def _budget(row: MerchantRow, share: Decimal) -> Decimal | None:
    if row.credit_limit is None:
        return None
    return (row.credit_limit * share).quantize(Decimal("0.01"))


def _login_ids(ctx: LoadContext) -> dict[str, int]:
    """Merchant code → the id of its demo login (store1, leader1…), if it has one."""
    users = ctx.ids.get("user", {})
    return {
        row.merchant_code: users[row.username]
        for row in ctx.data.users
        if row.merchant_code and row.username in users
    }


def _prices(merchant_id: int, product_ids: dict[str, int], skus: Iterable[str]) -> dict:
    wanted = {sku: product_ids[sku] for sku in skus}
    resolved = prices_for(wanted.values(), merchant_id)
    return {sku: resolved[pid].amount for sku, pid in wanted.items()}


def load_now(ctx: LoadContext) -> dt.datetime:
    """The instant the demo is loaded "at": now when loading today's demo; 09:00 local
    of the load day otherwise (a demo for another day)."""
    now = utcnow()
    if now.astimezone(ctx.tz).date() == ctx.today:
        return now
    return ctx.at(0, 9 * 60)


# --- 1. ordering calendar -------------------------------------------------------------


def _public_holiday(after: dt.date) -> tuple[dt.date, str]:
    fixed = ((1, 1, "元旦"), (5, 1, "劳动节"), (10, 1, "国庆节"))
    for year in (after.year, after.year + 1):
        for month, day, name in fixed:
            date = dt.date(year, month, day)
            if date > after:
                return date, name
    raise AssertionError("unreachable")  # pragma: no cover


@step(
    "ordering calendar",
    lambda d: 2 + sum(m.kind == "group_leader" for m in d.merchants),
)
def load_calendar(ctx: LoadContext) -> None:
    schedule.update_settings(
        cutoff_time=dt.time(22, 0), delivery_weekdays="1234567", lead_days=1,
        horizon_days=14,
    )  # fmt: skip
    stocktaking = ctx.date_in(8)
    schedule.add_holiday(stocktaking, "仓库盘点，停止配送")
    holiday, name = _public_holiday(ctx.date_in(2))
    if holiday != stocktaking:
        schedule.add_holiday(holiday, name)
    code, group_name, cutoff = LEADER_GROUP
    schedule.save_group(code, name=group_name, kind="group", cutoff_time=cutoff)
    ctx.advance(2, "settings and holidays")
    leaders = [m.code for m in ctx.data.merchants if m.kind == "group_leader"]
    for leader in leaders:
        schedule.assign_group(leader, code, kind="group")
        ctx.advance(1, leader)
    ctx.count("delivery holidays", 1 + (holiday != stocktaking))
    ctx.count("ordering groups")


# --- 2. standing orders ---------------------------------------------------------------


def _standing_plans(
    habit: Habit, products: dict[str, ProductRow]
) -> list[tuple[str, str, list[dict[str, Any]]]]:
    favourites = [sku for sku, _ in habit.basket]
    plans = []
    for name, weekdays, skus in (
        ("周一周四 常规补货", "14", favourites[:3]),
        ("周六 周末备货", "6", favourites[3:5] or favourites[:1]),
    ):
        lines = [
            {"sku": sku, "qty": round_up_order_qty(2, p.min_order_qty, p.order_step)}
            for sku in skus
            for p in [products[sku]]
        ]
        plans.append((name, weekdays, lines))
    return plans


@step("standing orders", lambda d: 2)
def load_standing_orders(ctx: LoadContext) -> None:
    """Two 周期送 patterns for the first store (store1's merchant), running for the
    last four weeks: the history step adds the orders they made."""
    first = next((m for m in ctx.data.merchants if m.kind == "store"), None)
    login = _login_ids(ctx).get(first.code) if first else None
    if first is None or login is None:
        return
    user = db.session.get(User, login)
    habit = _habits(ctx)[first.code]
    for name, weekdays, lines in _standing_plans(habit, _products(ctx)):
        standing.create_standing_order(
            user,
            name=name,
            weekdays=weekdays,
            lines=lines,
            start_date=ctx.date_in(-(HISTORY_DAYS - 2)),
            now=load_now(ctx),
        )
        ctx.advance(1, name)
        ctx.count("standing orders")


# --- 3. order history -----------------------------------------------------------------


def _line_row(
    position: int, product: ProductRow, product_id: int, qty: int, price: Decimal
) -> dict[str, Any]:
    return {
        "position": position,
        "product_id": product_id,
        "sku": product.sku,
        "name": product.name,
        "name_en": product.name_en,
        "unit": product.unit,
        "qty": qty,
        "unit_price": price,
        "line_amount": line_amount(qty, price),
        "reserved_qty": 0,
    }


class _HistoryPlanner:
    """Plans every past order of the month (nothing is written here)."""

    def __init__(self, ctx: LoadContext) -> None:
        self.ctx = ctx
        self.rng = ctx.rng("orders:history")
        self.products = _products(ctx)
        self.product_ids = ctx.ids["product"]
        self.habits = _habits(ctx)
        self.calendars = _calendars(ctx)
        self.logins = _login_ids(ctx)
        self.sales_id = ctx.ids.get("user", {}).get("sales")
        self.days = min(HISTORY_DAYS, ctx.data.history_days)
        self.warehouses = ctx.ids["warehouse"]

    def status(self, days_ago: int) -> str:
        if self.rng.random() < CANCEL_SHARE:
            return "cancelled"
        return "delivered" if days_ago < DELIVERED_DAYS else "invoiced"

    def source(self, row: MerchantRow) -> tuple[str, int | None]:
        if row.kind == "group_leader" and self.rng.random() < 0.3:
            return "import", self.logins.get(row.code)
        if self.rng.random() < 0.15:
            return "staff", self.sales_id
        return "web", self.logins.get(row.code)

    def plan(self, row: MerchantRow, merchant_id: int) -> list[PlannedOrder]:
        habit, calendar = self.habits[row.code], self.calendars[row.code]
        prices = _prices(merchant_id, self.product_ids, (s for s, _ in habit.basket))
        budget = _budget(row, DELIVERED_SHARE)
        orders = []
        for days_ago in range(self.days - 1, -1, -1):
            day = self.ctx.date_in(-days_ago)
            if day.isoweekday() not in habit.weekdays:
                continue
            if not calendar.is_delivery_day(day):
                continue
            wanted = pick_lines(self.rng, habit, self.products)
            status = self.status(days_ago)
            if status == "delivered" and budget is not None:
                wanted = _within(wanted, prices, budget)
                budget -= sum(line_amount(q, prices[s]) for s, q in wanted)
            if not wanted:
                continue
            cutoff = calendar.cutoff(day)
            source, placed_by = self.source(row)
            orders.append(
                PlannedOrder(
                    merchant_id=merchant_id,
                    warehouse_id=self.warehouses[row.warehouse],
                    delivery_date=day,
                    cutoff_at=cutoff,
                    placed_at=cutoff - dt.timedelta(minutes=self.rng.randint(20, 1500)),
                    status=status,
                    source=source,
                    note=self.rng.choice(NOTES) if self.rng.random() < 0.1 else "",
                    placed_by_id=placed_by,
                    lines=[
                        _line_row(
                            n, self.products[s], self.product_ids[s], q, prices[s]
                        )
                        for n, (s, q) in enumerate(wanted)
                    ],
                )
            )
        return orders


def _standing_history(ctx: LoadContext, planner: _HistoryPlanner) -> list[PlannedOrder]:
    """The orders store1's standing orders made on their weekdays so far."""
    orders = []
    for so in db.session.scalars(sa.select(StandingOrder).order_by(StandingOrder.id)):
        merchant = db.session.get(Merchant, so.merchant_id)
        calendar = planner.calendars[merchant.code]
        row = next(m for m in ctx.data.merchants if m.code == merchant.code)
        skus = {line.product_id: line for line in so.lines}
        by_id = {pid: sku for sku, pid in planner.product_ids.items()}
        prices = _prices(merchant.id, planner.product_ids, (by_id[p] for p in skus))
        day = so.start_date or ctx.today
        while day <= ctx.today:
            if str(day.isoweekday()) in so.weekdays and calendar.is_delivery_day(day):
                cutoff = calendar.cutoff(day)
                days_ago = (ctx.today - day).days
                orders.append(
                    PlannedOrder(
                        merchant_id=merchant.id,
                        warehouse_id=planner.warehouses[row.warehouse],
                        delivery_date=day,
                        cutoff_at=cutoff,
                        placed_at=cutoff - dt.timedelta(hours=6),
                        status="delivered" if days_ago < DELIVERED_DAYS else "invoiced",
                        source="standing",
                        note="",
                        placed_by_id=None,
                        standing_order_id=so.id,
                        lines=[
                            _line_row(
                                n,
                                planner.products[by_id[line.product_id]],
                                line.product_id,
                                line.qty,
                                prices[by_id[line.product_id]],
                            )
                            for n, line in enumerate(so.lines)
                        ],
                    )
                )
            day += dt.timedelta(days=1)
    return orders


def _order_row(order: PlannedOrder, number: str) -> dict[str, Any]:
    cancelled = order.status == "cancelled"
    cancelled_at = order.placed_at + dt.timedelta(minutes=15) if cancelled else None
    return {
        "number": number,
        "merchant_id": order.merchant_id,
        "warehouse_id": order.warehouse_id,
        "delivery_date": order.delivery_date,
        "cutoff_at": order.cutoff_at,
        "status": order.status,
        "source": order.source,
        "note": order.note,
        "total_amount": order.total,
        "placed_at": order.placed_at,
        "placed_by_id": order.placed_by_id,
        "confirmed_at": None if cancelled else order.cutoff_at,
        "cancelled_at": cancelled_at,
        "cancelled_by_id": order.placed_by_id if cancelled else None,
        "late_override_reason": "",
        "credit_override_reason": "",
        "standing_order_id": order.standing_order_id,
        "created_at": order.placed_at,
        "updated_at": cancelled_at or order.cutoff_at,
    }


def _insert_history(orders: list[PlannedOrder]) -> int:
    """Number the orders per delivery date in the order they were placed and insert
    them with their lines in bulk; returns how many lines."""
    orders.sort(key=lambda o: (o.delivery_date, o.placed_at, o.merchant_id))
    counters: dict[dt.date, int] = defaultdict(int)
    rows = []
    for order in orders:
        counters[order.delivery_date] += 1
        number = format_number(order.delivery_date, counters[order.delivery_date])
        rows.append(_order_row(order, number))
    orders_table, lines_table = Order.__table__, OrderLine.__table__
    runs = []
    line_count = 0
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        ids = (
            db.session.execute(
                sa.insert(orders_table).returning(
                    orders_table.c.id, sort_by_parameter_order=True
                ),
                chunk,
            )
            .scalars()
            .all()
        )
        lines = []
        for order_id, order in zip(ids, orders[start : start + CHUNK]):
            lines += [line | {"order_id": order_id} for line in order.lines]
            if order.standing_order_id is not None:
                runs.append(
                    {
                        "standing_order_id": order.standing_order_id,
                        "delivery_date": order.delivery_date,
                        "outcome": "created",
                        "order_id": order_id,
                        "message": "",
                        "details": "[]",
                        "run_at": order.placed_at,
                    }
                )
        db.session.execute(sa.insert(lines_table), lines)
        line_count += len(lines)
    if runs:
        db.session.execute(sa.insert(StandingOrderRun.__table__), runs)
    db.session.execute(
        sa.insert(OrderNumberCounter.__table__),
        [{"day": day, "last_value": value} for day, value in counters.items()],
    )
    db.session.commit()
    return line_count


@step("order history", lambda d: len(d.merchants))
def load_order_history(ctx: LoadContext) -> None:
    planner = _HistoryPlanner(ctx)
    orders: list[PlannedOrder] = []
    for number, row in enumerate(ctx.data.merchants, start=1):
        orders += planner.plan(row, ctx.ids["merchant"][row.code])
        ctx.advance(1, f"{number}/{len(ctx.data.merchants)} merchants")
    orders += _standing_history(ctx, planner)
    if not orders:
        return
    lines = _insert_history(orders)
    ctx.count("past orders", len(orders))
    ctx.count("past order lines", lines)


# --- 4. open orders -------------------------------------------------------------------


def _upcoming(calendar: DeliveryCalendar, now: dt.datetime, today: dt.date) -> list:
    """Delivery dates after today up to the next one still open at ``now``."""
    last = calendar.next_delivery_date(now)
    days = []
    day = today + dt.timedelta(days=1)
    while day <= last:
        if calendar.is_delivery_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _fit(
    lines: list[dict[str, Any]], limits: dict[str, int], products: dict[str, ProductRow]
) -> list[dict[str, Any]]:
    """The lines cut down to ``limits`` (sku → most units) in valid quantities; a
    line that cannot keep its minimum is dropped."""
    fitted = []
    for line in lines:
        product, most = products[line["sku"]], limits.get(line["sku"])
        if most is None or line["qty"] <= most:
            fitted.append(line)
        elif most >= product.min_order_qty:
            steps = (most - product.min_order_qty) // product.order_step
            qty = product.min_order_qty + steps * product.order_step
            fitted.append({"sku": line["sku"], "qty": qty})
    return fitted


def _leave_some_stock(
    lines: list[dict[str, Any]],
    products: dict[str, ProductRow],
    product_ids: dict[str, int],
    warehouse_id: int,
) -> list[dict[str, Any]]:
    """Demo orders take no stocked product below a fifth of what is available (and at
    least its minimum order), so the demo logins find it orderable."""
    stocked = [line["sku"] for line in lines if products[line["sku"]].is_stocked]
    available = available_for([product_ids[sku] for sku in stocked], warehouse_id)
    limits = {}
    for sku in stocked:
        free = available.get(product_ids[sku], 0)
        limits[sku] = free - max(products[sku].min_order_qty, free // 5)
    return _fit(lines, limits, products)


def _place(
    user: Any, merchant: Merchant, lines: list[dict[str, Any]], day: dt.date,
    now: dt.datetime, products: dict[str, ProductRow], source: str,
) -> Order | None:  # fmt: skip
    """Place one order through the order service (reserving through the ledger),
    cutting lines to the stock there is; None when nothing could be placed."""
    for _ in range(3):
        if not lines:
            return None
        try:
            order = services.build_order(
                user, merchant, lines, delivery_date=day, source=source, now=now
            )
            db.session.commit()
            return order
        except OutOfStock as error:
            db.session.rollback()
            short = {line["sku"]: line["available_qty"] for line in error.lines}
            lines = _fit(lines, short, products)
        except DomainError:
            db.session.rollback()
            return None
    return None


@step("open orders", lambda d: len(d.merchants))
def load_open_orders(ctx: LoadContext) -> None:
    """Orders for the next delivery date, through the order service; a couple are
    cancelled again; orders whose cutoff has passed are confirmed."""
    rng = ctx.rng("orders:open")
    now = load_now(ctx)
    products, product_ids = _products(ctx), ctx.ids["product"]
    habits, calendars, logins = _habits(ctx), _calendars(ctx), _login_ids(ctx)
    placed: list[tuple[Order, dt.datetime]] = []
    warehouse = default_warehouse().id  # where build_order reserves
    for number, row in enumerate(ctx.data.merchants, start=1):
        ctx.advance(1, f"{number}/{len(ctx.data.merchants)} merchants")
        merchant = db.session.get(Merchant, ctx.ids["merchant"][row.code])
        calendar, habit = calendars[row.code], habits[row.code]
        login = logins.get(row.code)
        user = (
            db.session.get(User, login)
            if login
            else SimpleNamespace(id=None, role="merchant", merchant_id=merchant.id)
        )
        for day in _upcoming(calendar, now, ctx.today):
            if day.isoweekday() not in habit.weekdays and login is None:
                continue
            wanted = pick_lines(rng, habit, products)
            budget = _budget(row, OPEN_SHARE)
            if budget is not None:
                prices = _prices(merchant.id, product_ids, (s for s, _ in wanted))
                wanted = _within(wanted, prices, budget - credit.exposure(merchant.id))
            at = min(now, calendar.cutoff(day) - dt.timedelta(hours=1))
            lines = _leave_some_stock(
                [{"sku": sku, "qty": qty} for sku, qty in wanted],
                products,
                product_ids,
                warehouse,
            )
            order = _place(user, merchant, lines, day, at, products, "web")
            if order is not None:
                placed.append((order, at))
    _cancel_a_few(ctx, rng, placed, set(logins))
    confirmed = services.confirm_due(now)
    ctx.count("open orders", len(placed))
    ctx.count("orders confirmed at the cutoff", confirmed)


def _cancel_a_few(
    ctx: LoadContext,
    rng: random.Random,
    placed: list[tuple[Order, dt.datetime]],
    with_login: set[str],
) -> None:
    """A merchant without a demo login in ten (at most two) changed its mind: the
    order is cancelled through the service, which releases the reservations."""
    sales_id = ctx.ids.get("user", {}).get("sales")
    if sales_id is None:
        return
    codes = {mid: code for code, mid in ctx.ids["merchant"].items()}
    candidates = [
        (order.id, at)
        for order, at in placed
        if codes[order.merchant_id] not in with_login
    ]
    for order_id, at in rng.sample(candidates, min(2, len(candidates) // 10)):
        staff = db.session.get(User, sales_id)
        services.cancel_order(staff, order_id, now=at + dt.timedelta(minutes=10))
        ctx.count("cancelled open orders")


def demo_steps() -> list[LoadStep]:
    return [load_calendar, load_standing_orders, load_order_history, load_open_orders]
