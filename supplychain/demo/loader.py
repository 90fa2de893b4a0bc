"""演示数据 loader: writes a ``DemoData`` into the database through the features' own
services (catalogue, merchants, warehouses, users) and, for stock, only through
``supplychain.stock.ledger`` — so the demo obeys every rule real data obeys.

The load is a list of ``LoadStep``s run in order. Later features add their part of the
lived history (orders, invoices, payments…) without touching the core steps: a module
listed in ``EXTENSION_MODULES`` exposes ``demo_steps() -> Iterable[LoadStep]``; its
steps run after the core ones and see everything loaded so far through ``LoadContext``
(ids by natural key, the load day, a clock for back-dating, a deterministic random
stream).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import import_module
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from supplychain.auth import services as auth_services
from supplychain.catalog import services as catalog
from supplychain.catalog.models import Product
from supplychain.delivery.models import Vehicle
from supplychain.demo.model import DemoData, StockEvent
from supplychain.extensions import db
from supplychain.merchants import services as merchants
from supplychain.stock import ledger, locations
from supplychain.stock import services as stock
from supplychain.stock.models import Bin, Warehouse

Progress = Callable[[int, str], None]  # (percent 0..100, what is being loaded)

# modules exposing demo_steps() -> Iterable[LoadStep], run after the core steps
EXTENSION_MODULES: tuple[str, ...] = (
    "supplychain.orders.demo",
    "supplychain.stock.demo",
)


class _Reporter:
    """Turns work units into a percentage; reports each time another tenth is done."""

    def __init__(self, total: int, progress: Progress | None) -> None:
        self.total = max(1, total)
        self.done = 0
        self.reported = -10
        self.progress = progress
        self.step = ""

    def _report(self, percent: int, message: str) -> None:
        if self.progress:
            self.progress(percent, message)
        self.reported = percent

    def advance(self, units: int, message: str) -> None:
        self.done += units
        percent = min(100, self.done * 100 // self.total)
        if percent // 10 > self.reported // 10:
            self._report(percent, f"{self.step}: {message}" if message else self.step)

    def start(self) -> None:
        self._report(0, "starting")

    def finish(self) -> None:
        if self.reported < 100:
            self._report(100, "done")


@dataclass
class LoadContext:
    """What a step needs: the data, the local load day, what earlier steps made."""

    data: DemoData
    today: dt.date  # local calendar day of the load ("day 0" of the history)
    tz: dt.tzinfo
    # kind ("product", "merchant", "warehouse", "bin", "slot", "user") → key → id
    ids: dict[str, dict[Any, int]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)  # for the summary
    reporter: _Reporter = field(default_factory=lambda: _Reporter(1, None))

    def at(self, days_ago: int, minute: int) -> dt.datetime:
        """The aware UTC instant ``minute`` minutes after local midnight, ``days_ago``
        days before the load day."""
        day = self.today - dt.timedelta(days=days_ago)
        local = dt.datetime.combine(
            day, dt.time(minute // 60, minute % 60), tzinfo=self.tz
        )
        return local.astimezone(dt.timezone.utc)

    def date_in(self, days: int) -> dt.date:
        return self.today + dt.timedelta(days=days)

    def rng(self, section: str) -> random.Random:
        """A random stream for a step that is the same for the same seed, every time."""
        return random.Random(f"supplychain-demo:{self.data.seed}:load:{section}")

    def advance(self, units: int = 1, message: str = "") -> None:
        """Report ``units`` of the step's ``size`` done (drives the progress output)."""
        self.reporter.advance(units, message)

    def count(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n


@dataclass(frozen=True)
class LoadStep:
    name: str
    run: Callable[[LoadContext], None]
    size: Callable[[DemoData], int]  # work units, for the progress report


@dataclass(frozen=True)
class LoadSummary:
    counts: dict[str, int]  # e.g. {"merchants": 200, "stock moves": 10873, ...}
    seconds: float
    step_seconds: dict[str, float]


def load_demo(
    data: DemoData,
    *,
    today: dt.date,
    tz: dt.tzinfo | str = "Asia/Shanghai",
    progress: Progress | None = None,
) -> LoadSummary:
    """Write ``data`` into an empty database (the caller checks that it is empty).

    Each service commits its own piece and the history commits every ``COMMIT_EVERY``
    moves, so progress is visible and memory stays flat; a failure part-way leaves a
    partial demo that ``supplychain demo --reset`` replaces.
    """
    started = time.monotonic()
    steps = list(all_steps())
    reporter = _Reporter(sum(step.size(data) for step in steps), progress)
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    ctx = LoadContext(data=data, today=today, tz=zone, reporter=reporter)
    reporter.start()
    timings: dict[str, float] = {}
    for step in steps:
        reporter.step = step.name
        step_started = time.monotonic()
        step.run(ctx)
        timings[step.name] = time.monotonic() - step_started
    reporter.finish()
    return LoadSummary(dict(ctx.counts), time.monotonic() - started, timings)


def all_steps() -> Iterator[LoadStep]:
    """The core steps, then those of every extension module, in order."""
    yield from CORE_STEPS
    for name in EXTENSION_MODULES:
        yield from import_module(name).demo_steps()


def step(name: str, size: Callable[[DemoData], int]) -> Callable[[Callable], LoadStep]:
    """Decorator making a ``LoadStep`` of a function ``(ctx) -> None``."""

    def wrap(run: Callable[[LoadContext], None]) -> LoadStep:
        return LoadStep(name, run, size)

    return wrap


# --- core steps -----------------------------------------------------------------------


@step("catalogue", lambda d: len(d.categories) + len(d.suppliers) + 3 * len(d.products))
def load_catalogue(ctx: LoadContext) -> None:
    data = ctx.data
    for grade in data.price_grades:
        catalog.create_price_grade(grade.code, grade.name)
    for category in data.categories:
        catalog.create_category(
            category.code,
            category.name,
            name_en=category.name_en,
            parent=category.parent_code,
            sort=category.sort,
        )
        ctx.advance()
    for supplier in data.suppliers:
        catalog.create_supplier(
            supplier.code,
            supplier.name,
            contact=supplier.contact_name,
            phone=supplier.phone,
            address=supplier.address,
            lead_time_days=supplier.lead_time_days,
        )
        ctx.advance()
    links: dict[str, list] = {}
    for link in data.product_suppliers:
        links.setdefault(link.sku, []).append(link)
    ctx.ids["product"] = {}
    for number, product in enumerate(data.products, start=1):
        created = catalog.create_product(
            product.sku,
            product.name,
            unit=product.unit,
            price=product.price,
            case_qty=product.case_qty,
            category=product.category_code,
            barcode=product.barcode,
            is_stocked=product.is_stocked,
            is_lot_tracked=product.is_lot_tracked,
            name_en=product.name_en,
            shelf_life_days=product.shelf_life_days,
            min_order_qty=product.min_order_qty,
            order_step=product.order_step,
            weight_kg=product.weight_kg,
            description=product.description,
        )
        ctx.ids["product"][product.sku] = created.id
        catalog.set_product_grade_prices(product.sku, dict(product.grade_prices))
        for link in links.get(product.sku, []):
            catalog.link_product_supplier(
                product.sku,
                link.supplier_code,
                cost_price=link.cost_price,
                supplier_sku=link.supplier_sku,
                case_qty=link.case_qty,
                moq=link.moq,
                lead_time_days=link.lead_time_days,
                is_preferred=link.is_preferred,
            )
        ctx.advance(3, f"{number}/{len(data.products)} products")
    ctx.count("price grades", len(data.price_grades))
    ctx.count("categories", len(data.categories))
    ctx.count("suppliers", len(data.suppliers))
    ctx.count("products", len(data.products))
    ctx.count("product suppliers", len(data.product_suppliers))


@step("warehouses", lambda d: 20 * len(d.warehouses))
def load_warehouses(ctx: LoadContext) -> None:
    """MAIN exists in every database (reference data): the demo lays it out; the others
    are created. Then the bins of each layout."""
    ctx.ids["warehouse"], ctx.ids["bin"] = {}, {}
    for row in ctx.data.warehouses:
        layout = {
            "n_aisles": row.n_aisles,
            "n_cross_aisles": row.n_cross_aisles,
            "bays_per_block": row.bays_per_block,
            "aisle_spacing": row.aisle_spacing,
            "bay_length": row.bay_length,
            "cross_to_first_bay": row.cross_to_first_bay,
            "depot_aisle": row.depot_aisle,
            "depot_offset": row.depot_offset,
        }
        existing = db.session.scalar(
            sa.select(Warehouse.id).where(Warehouse.code == row.code)
        )
        if existing is None:
            warehouse = stock.create_warehouse(
                row.code,
                row.name,
                address=row.address,
                lat=row.lat,
                lon=row.lon,
                is_default=row.is_default,
                **layout,
            )
        else:
            warehouse = stock.update_warehouse(
                existing,
                name=row.name,
                address=row.address,
                lat=row.lat,
                lon=row.lon,
                **layout,
            )
        warehouse_id = warehouse.id
        stock.generate_bins(warehouse_id, levels=row.levels)
        ctx.ids["warehouse"][row.code] = warehouse_id
        bins = db.session.execute(
            sa.select(Bin.id, Bin.aisle, Bin.block, Bin.bay, Bin.side, Bin.level).where(
                Bin.warehouse_id == warehouse_id
            )
        )
        for bin_id, *position in bins:
            ctx.ids["bin"][(row.code, *position)] = bin_id
        ctx.advance(20, row.code)
    ctx.ids["slot"] = {
        (s.warehouse, s.sku): ctx.ids["bin"][
            (s.warehouse, s.aisle, s.block, s.bay, s.side, s.level)
        ]
        for s in ctx.data.slots
    }
    ctx.count("warehouses", len(ctx.data.warehouses))
    ctx.count("bins", len(ctx.ids["bin"]))


@step(
    "merchants", lambda d: len(d.merchants) + len(d.contacts) + len(d.merchant_prices)
)
def load_merchants(ctx: LoadContext) -> None:
    data = ctx.data
    ctx.ids["merchant"] = {}
    for number, row in enumerate(data.merchants, start=1):
        merchant = merchants.create_merchant(
            row.code,
            name=row.name,
            kind=row.kind,
            address=row.address,
            district=row.district,
            lat=row.lat,
            lon=row.lon,
            price_grade=row.price_grade,
            credit_limit=row.credit_limit,
            delivery_window=(row.window_start, row.window_end),
            payment_terms_days=row.payment_terms_days,
            contact_name=row.contact_name,
            phone=row.phone,
        )
        ctx.ids["merchant"][row.code] = merchant.id
        ctx.advance(1, f"{number}/{len(data.merchants)} merchants")
    for contact in data.contacts:
        merchants.add_contact(
            contact.merchant_code,
            name=contact.name,
            role=contact.role,
            phone=contact.phone,
            wechat=contact.wechat,
            is_primary=contact.is_primary,
        )
        ctx.advance(1, "contacts")
    for price in data.merchant_prices:
        catalog.set_merchant_price(price.merchant_code, price.sku, price.price)
        ctx.advance(1, "merchant prices")
    ctx.count("merchants", len(data.merchants))
    ctx.count("merchant contacts", len(data.contacts))
    ctx.count("merchant prices", len(data.merchant_prices))


@step("fleet", lambda d: len(d.vehicles))
def load_fleet(ctx: LoadContext) -> None:
    """Vans: the delivery feature has no services yet, so rows of its model."""
    for row in ctx.data.vehicles:
        db.session.add(
            Vehicle(
                code=row.code,
                name=row.name,
                plate=row.plate,
                capacity_boxes=row.capacity_boxes,
                capacity_kg=row.capacity_kg,
                home_warehouse_id=ctx.ids["warehouse"][row.warehouse],
                shift_start=row.shift_start,
                shift_end=row.shift_end,
                is_active=True,
            )
        )
    db.session.commit()
    ctx.advance(len(ctx.data.vehicles), "vans")
    ctx.count("vehicles", len(ctx.data.vehicles))


@step("users", lambda d: 10 * len(d.users))  # argon2 hashing is slow by design
def load_users(ctx: LoadContext) -> None:
    ctx.ids["user"] = {}
    for row in ctx.data.users:
        if row.merchant_code is None:
            user = auth_services.create_user(
                row.username, row.password, role=row.role, display_name=row.display_name
            )
        else:
            user = merchants.create_merchant_user(
                row.merchant_code,
                row.username,
                row.password,
                display_name=row.display_name,
            )
        ctx.ids["user"][row.username] = user.id
        ctx.advance(10, row.username)
    ctx.count("users", len(ctx.data.users))


@step("stock history", lambda d: len(d.stock_events))
def load_stock_history(ctx: LoadContext) -> None:
    """Every event of the history through the ledger, back-dated, committed every
    ``COMMIT_EVERY`` events: a commit expires the session, and the ledger looks the
    product and locations up on every call."""
    history = _History(ctx)
    total = len(ctx.data.stock_events)
    for number, event in enumerate(ctx.data.stock_events, start=1):
        history.post(event)
        if number % COMMIT_EVERY == 0:
            db.session.commit()
        if number % 200 == 0:
            ctx.advance(200, f"{number}/{total} moves, {event.days_ago} days ago")
    db.session.commit()
    ctx.advance(total % 200, f"{total}/{total} moves")
    ctx.count("stock moves", total)


COMMIT_EVERY = 2000  # stock events per transaction


class _History:
    """Posts stock events. Receipts and adjustments go through the ledger's named
    functions; issues — most of the history — through ``ledger.post_move`` from the bin
    and lot the generator chose first-expiry-first-out, which saves the ledger
    re-reading the buckets and locations for every one of them."""

    def __init__(self, ctx: LoadContext) -> None:
        self.ctx = ctx
        self.user_id = ctx.ids.get("user", {}).get("warehouse")
        customer = locations.virtual_location("customer")
        self.customer_id = customer.id
        # The session's identity map holds objects weakly: keeping the products,
        # locations and lots referenced here spares the ledger a SELECT for each on
        # every call.
        self.keep: list[Any] = [customer, *db.session.scalars(sa.select(Product))]
        self.internal: dict[tuple[int, int | None], int] = {}
        self.lots: dict[tuple[int, str], int] = {}
        self.costs: dict[int, Decimal] = {}

    def post(self, event: StockEvent) -> None:
        ctx = self.ctx
        product_id = ctx.ids["product"][event.sku]
        warehouse_id = ctx.ids["warehouse"][event.warehouse]
        bin_id = ctx.ids["slot"].get((event.warehouse, event.sku))
        expiry = (
            None if event.expiry_in_days is None else ctx.date_in(event.expiry_in_days)
        )
        common: dict[str, Any] = {
            "reason": event.reason,
            "user_id": self.user_id,
            "created_at": ctx.at(event.days_ago, event.minute),
        }
        if event.kind == "issue":
            ledger.post_move(
                product_id,
                event.qty,
                from_location_id=self._internal(warehouse_id, bin_id),
                to_location_id=self.customer_id,
                lot_id=self._lot(product_id, event.lot_no),
                **common,
            )
        elif event.kind == "receipt":
            ledger.post_receipt(
                product_id,
                warehouse_id,
                event.qty,
                lot=event.lot_no,
                expiry_date=expiry,
                bin_id=bin_id,
                unit_cost=self._cost(product_id, event.days_ago),
                **common,
            )
        elif event.kind in ("opening", "adjustment"):
            incoming = event.qty > 0
            ledger.post_adjustment(
                product_id,
                warehouse_id,
                event.qty,
                lot=event.lot_no,
                expiry_date=expiry if incoming else None,
                bin_id=bin_id,
                **common,
            )
        else:  # pragma: no cover - the generator makes only the kinds above
            raise ValueError(f"unknown stock event kind {event.kind!r}")

    def _cost(self, product_id: int, days_ago: int) -> Decimal:
        """The supplier's cost price, moving a few per cent from week to week (so the
        moving average has something to average)."""
        if product_id not in self.costs:
            self.costs[product_id] = ledger.fallback_unit_cost(product_id)
        factor = Decimal(100 + (days_ago // 7) % 7 - 3) / 100
        return (self.costs[product_id] * factor).quantize(Decimal("0.01"))

    def _internal(self, warehouse_id: int, bin_id: int | None) -> int:
        key = (warehouse_id, bin_id)
        if key not in self.internal:
            location = locations.internal_location(warehouse_id, bin_id)
            self.keep.append(location)
            self.internal[key] = location.id
        return self.internal[key]

    def _lot(self, product_id: int, lot_no: str | None) -> int | None:
        if lot_no is None:
            return None
        key = (product_id, lot_no)
        if key not in self.lots:
            found = locations.find_lot(product_id, lot_no)
            assert found is not None, f"lot {lot_no} was never received"
            self.keep.append(found)
            self.lots[key] = found.id
        return self.lots[key]


CORE_STEPS: tuple[LoadStep, ...] = (
    load_catalogue,
    load_warehouses,
    load_merchants,
    load_fleet,
    load_users,
    load_stock_history,
)
