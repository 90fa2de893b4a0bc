"""进销存 demo steps: what a warehouse looks like on an ordinary evening, on top of the
year of stock history the core demo posted — a quarantine bin with a merchant's damaged
return (part of it scrapped), a transfer to the Xiaoshan warehouse still on the road and
one received, today's goods receipt of a lot-tracked product, one lot that expired
yesterday (it shows in the near-expiry report and is no longer available), reorder
rules suggested from the last 28 days, and a cycle count of one aisle half counted,
waiting for the counter and then for the manager.

Everything goes through the stock services, so ``supplychain check`` holds.
"""

from __future__ import annotations

import sqlalchemy as sa

from supplychain.auth.models import User
from supplychain.catalog.models import Product, ProductSupplier, Supplier
from supplychain.demo.loader import LoadContext, LoadStep, step
from supplychain.extensions import db
from supplychain.merchants.models import Merchant
from supplychain.stock import counts, documents, ledger, replenishment, services
from supplychain.stock.models import Bin, Location, StockBalance, Warehouse
from supplychain.stock.queries import available_for

TRANSFER_SKUS = 2  # products on the road to Xiaoshan
COUNT_BINS = 8  # bins in the demo's open cycle count
# the reference of a move the demo posts straight through the ledger (every other move
# of these steps belongs to a stock document): tells them from the generated history
STAGED = "demo"


def _user_id(ctx: LoadContext, name: str) -> int | None:
    return ctx.ids.get("user", {}).get(name)


def _user(ctx: LoadContext, name: str) -> User | None:
    user_id = _user_id(ctx, name)
    return db.session.get(User, user_id) if user_id else None


def _warehouse(code: str) -> Warehouse | None:
    return db.session.scalar(sa.select(Warehouse).where(Warehouse.code == code))


def _busy_products(warehouse: Warehouse, *, lot_tracked: bool, n: int) -> list[Product]:
    """Stocked, active products with the most available in the warehouse."""
    products = list(
        db.session.scalars(
            sa.select(Product)
            .where(
                Product.is_active,
                Product.is_stocked,
                Product.is_lot_tracked.is_(lot_tracked),
            )
            .order_by(Product.sku)
        )
    )
    available = available_for([p.id for p in products], warehouse.id)
    products.sort(key=lambda p: (-available.get(p.id, 0), p.sku))
    return [p for p in products if available.get(p.id, 0) >= 40][:n]


def _empty_bin(warehouse: Warehouse) -> Bin | None:
    """The last active bin of the warehouse holding nothing."""
    held = (
        sa.select(Location.bin_id)
        .join(StockBalance, StockBalance.location_id == Location.id)
        .where(Location.bin_id.is_not(None), StockBalance.on_hand_qty != 0)
    )
    return db.session.scalar(
        sa.select(Bin)
        .where(Bin.warehouse_id == warehouse.id, Bin.is_active, Bin.id.not_in(held))
        .order_by(Bin.aisle.desc(), Bin.block.desc(), Bin.bay.desc(), Bin.code.desc())
        .limit(1)
    )


def _slot_bin(ctx: LoadContext, warehouse: Warehouse, product: Product) -> str | None:
    bin_id = ctx.ids.get("slot", {}).get((warehouse.code, product.sku))
    bin_ = db.session.get(Bin, bin_id) if bin_id else None
    return bin_.code if bin_ else None


@step("quarantine and a damaged return", lambda d: 3)
def load_quarantine(ctx: LoadContext) -> None:
    main = _warehouse("MAIN")
    if main is None:  # pragma: no cover - the core demo always lays MAIN out
        return
    bin_ = _empty_bin(main)
    if bin_ is None:  # pragma: no cover
        return
    services.set_bin_quarantine(bin_.id, True, user=None)
    ctx.advance(1, f"quarantine bin {bin_.code}")
    store = db.session.scalar(
        sa.select(Merchant).where(Merchant.kind == "store").order_by(Merchant.code)
    )
    product = _busy_products(main, lot_tracked=False, n=1)
    if store is None or not product:  # pragma: no cover
        return
    documents.accept_return(
        [{"sku": product[0].sku, "qty": 3}],
        disposition="quarantine",
        warehouse_code=main.code,
        merchant_id=store.id,
        note="外包装破损，待检",
        user_id=_user_id(ctx, "warehouse"),
    )
    ctx.advance(1, "return")
    documents.scrap_goods(
        [{"sku": product[0].sku, "qty": 1, "bin": bin_.code}],
        warehouse_code=main.code,
        reason_code="damage",
        note="破损严重，无法销售",
        user_id=_user_id(ctx, "warehouse"),
    )
    ctx.advance(1, "scrap")
    ctx.count("stock documents", 2)


@step("transfers to Xiaoshan", lambda d: 2)
def load_transfers(ctx: LoadContext) -> None:
    main, xs = _warehouse("MAIN"), _warehouse("XS")
    if main is None or xs is None:  # pragma: no cover - two warehouses in the demo
        return
    products = _busy_products(main, lot_tracked=False, n=TRANSFER_SKUS + 1)
    if len(products) < 2:  # pragma: no cover
        return
    user = _user_id(ctx, "warehouse")
    received = documents.dispatch_transfer(
        [{"sku": products[0].sku, "qty": 12}],
        warehouse_code=main.code,
        to_warehouse_code=xs.code,
        note="萧山仓补货",
        user_id=user,
    )
    documents.receive_transfer(received.number, None, user_id=user)
    ctx.advance(1, received.number)
    on_the_road = documents.dispatch_transfer(
        [{"sku": p.sku, "qty": 10} for p in products[1:]],
        warehouse_code=main.code,
        to_warehouse_code=xs.code,
        note="今晚发车，明早到萧山仓",
        user_id=user,
    )
    ctx.advance(1, on_the_road.number)
    ctx.count("stock documents", 2)


@step("today's receipt and an expired lot", lambda d: 2)
def load_receipt(ctx: LoadContext) -> None:
    main = _warehouse("MAIN")
    products = _busy_products(main, lot_tracked=True, n=2) if main else []
    if main is None or len(products) < 2:  # pragma: no cover
        return
    product, other = products
    supplier = db.session.scalar(
        sa.select(Supplier)
        .join(ProductSupplier, ProductSupplier.supplier_id == Supplier.id)
        .where(ProductSupplier.product_id == product.id)
        .order_by(ProductSupplier.is_preferred.desc())
        .limit(1)
    )
    shelf = product.shelf_life_days or 365
    documents.receive_goods(
        [
            {
                "sku": product.sku,
                "qty": 10 * max(1, product.case_qty),
                "lot": f"D{ctx.today:%y%m%d}{product.id:03d}",
                "production_date": ctx.date_in(-20),
                "expiry_date": ctx.date_in(shelf - 20),
                "bin": _slot_bin(ctx, main, product),
                "unit_cost": ledger.fallback_unit_cost(product.id),
            }
        ],
        warehouse_code=main.code,
        supplier_id=supplier.id if supplier else None,
        external_ref=f"送货单 {ctx.today:%m%d}-07",
        user_id=_user_id(ctx, "warehouse"),
    )
    ctx.advance(1, "receipt")
    # a lot received long ago that nobody sold in time: expired yesterday
    ledger.post_receipt(
        other.id,
        main.id,
        4,
        lot=f"X{other.id:04d}OLD",
        production_date=ctx.date_in(-(other.shelf_life_days or 365) - 1),
        expiry_date=ctx.date_in(-1),
        bin_id=ctx.ids.get("slot", {}).get((main.code, other.sku)),
        reason="Receipt (demo: a lot left to expire)",
        reference_type=STAGED,
        user_id=_user_id(ctx, "warehouse"),
        created_at=ctx.at(120, 600),
    )
    db.session.commit()
    ctx.advance(1, "expired lot")
    ctx.count("stock documents")


@step("a cycle count half done", lambda d: COUNT_BINS)
def load_count(ctx: LoadContext) -> None:
    """A blind cycle count of the bins of a few busy products in MAIN: the first half
    counted (one bin two short), the rest waiting for the counter."""
    main = _warehouse("MAIN")
    counter, manager = _user(ctx, "warehouse"), _user(ctx, "manager")
    if main is None or counter is None or manager is None:  # pragma: no cover
        return
    codes = sorted(
        {
            code
            for p in _busy_products(main, lot_tracked=False, n=3 * COUNT_BINS)
            if (code := _slot_bin(ctx, main, p))
        }
    )[:COUNT_BINS]
    if not codes:  # pragma: no cover
        return
    count = counts.start_count(
        main.id,
        kind="cycle",
        bin_codes=codes,
        note="周二循环盘点 畅销品库位",
        user=counter,
    )
    ctx.advance(1, count.number)
    for i, count_bin in enumerate(list(count.bins)[: len(codes) // 2]):
        held = counts.current_quantities(count_bin)
        short = 2 if i == 0 else 0
        entries = {
            line.id: max(0, held[line.id] - short) for line in count_bin.lines
        }
        counts.record_bin_count(count.id, count_bin.bin_id, entries, user=counter)
        ctx.advance(1, count_bin.bin.code)
    ctx.count("stock counts")


@step("reorder rules", lambda d: 2)
def load_rules(ctx: LoadContext) -> None:
    for code in ("MAIN", "XS"):
        warehouse = _warehouse(code)
        if warehouse is not None:
            applied = replenishment.suggest_rules(
                warehouse.id, apply=True, user=None, today=ctx.today
            )
            ctx.count("reorder rules", len(applied))
        ctx.advance(1, code)


def demo_steps() -> list[LoadStep]:
    return [load_quarantine, load_transfers, load_receipt, load_count, load_rules]
