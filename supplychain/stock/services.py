"""进销存 use cases: stock adjustments by SKU and warehouse code, warehouses with their
layout, bin generation, quarantine bins and bin label PDFs. Each commits once or raises
a DomainError with the session rolled back; stock itself only ever changes through
``ledger``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from supplychain.catalog.models import Product
from supplychain.database import utcnow
from supplychain.errors import (
    Conflict,
    DuplicateKey,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from supplychain.extensions import db
from supplychain.messages import msg
from supplychain.stock import ledger, queries
from supplychain.stock.expiry import local_today, unusable_qty
from supplychain.stock.layout import (
    MAX_BINS,
    MAX_LEVELS,
    SIDES,
    Layout,
    bin_code,
    bin_positions,
    layout_errors,
    position_in_layout,
)
from supplychain.stock.models import (
    Bin,
    Location,
    StockBalance,
    StockLevel,
    StockMove,
    Warehouse,
)
from supplychain.transactions import one_transaction

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,19}$")
LAYOUT_FIELDS = tuple(Layout.__dataclass_fields__)
EDITABLE_FIELDS = (
    "name",
    "address",
    "lat",
    "lon",
    "is_active",
    "is_default",
) + LAYOUT_FIELDS


# --- adjustments ----------------------------------------------------------------------
def adjust_stock(
    sku: str,
    qty: int,
    reason: str,
    *,
    warehouse_code: str | None = None,
    lot: str | None = None,
    expiry_date: dt.date | None = None,
    bin_code: str | None = None,
    user_id: int | None = None,
) -> StockMove:
    """Book a stock correction (盘点调整) by SKU and warehouse code (default warehouse when
    omitted): ``qty`` > 0 adds stock, < 0 writes it off.

    :raise ValidationFailed: unknown sku, warehouse or bin (on that field), lot
    problems.
    :raise OutOfStock: a write-off larger than the unreserved stock at that place.
    """
    with one_transaction():
        product = queries.product_by_sku(sku)
        if product is None:
            raise ValidationFailed({"sku": [f"Unknown SKU '{sku}'."]})
        warehouse = _warehouse_field(warehouse_code)
        bin_id = None
        if bin_code:
            found = queries.bin_by_code(warehouse.id, bin_code)
            if found is None:
                raise ValidationFailed(
                    {"bin": [f"No bin {bin_code} in {warehouse.code}."]}
                )
            bin_id = found.id
        move = ledger.post_adjustment(
            product.id,
            warehouse.id,
            qty,
            reason,
            lot=lot,
            expiry_date=expiry_date,
            bin_id=bin_id,
            user_id=user_id,
        )
    return move


def _warehouse_field(code: str | None) -> Warehouse:
    if not code:
        return queries.default_warehouse()
    try:
        return queries.warehouse_by_code(code)
    except NotFound:
        raise ValidationFailed(
            {"warehouse": [f"Unknown warehouse '{code}'."]}
        ) from None


# --- warehouses -----------------------------------------------------------------------
def _check_warehouse_values(values: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = dict(layout_errors(values))
    name = values.get("name")
    if name is not None and not 0 < len(name.strip()) <= 120:
        errors["name"] = ["Give a name of 1 to 120 characters."]
    if len(values.get("address") or "") > 300:
        errors["address"] = ["At most 300 characters."]
    for field, limit in (("lat", 90), ("lon", 180)):
        value = values.get(field)
        if value is not None and (
            isinstance(value, bool) or not -limit <= value <= limit
        ):
            errors[field] = [f"Must be between -{limit} and {limit}."]
    if errors:
        raise ValidationFailed(errors)


def create_warehouse(
    code: str,
    name: str,
    *,
    address: str = "",
    lat: float | None = None,
    lon: float | None = None,
    is_default: bool = False,
    **layout: Any,
) -> Warehouse:
    """A new warehouse with its layout (fields of ``layout.Layout``; defaults
    otherwise). The code is upper-cased; making it the default takes that role from the
    old default.

    :raise ValidationFailed: bad code, name, coordinates or layout; DuplicateKey on
    code.
    """
    unknown = set(layout) - set(LAYOUT_FIELDS)
    if unknown:
        raise TypeError(f"unknown layout fields: {sorted(unknown)}")
    code = (code or "").strip().upper()
    if not CODE_RE.match(code):
        raise ValidationFailed({"code": ["1 to 20 letters, digits, '-' or '_'."]})
    values = {"name": name, "address": address, "lat": lat, "lon": lon} | layout
    _check_warehouse_values(values)
    with one_transaction():
        if db.session.scalar(sa.select(Warehouse.id).where(Warehouse.code == code)):
            raise DuplicateKey("code", code)
        if is_default:
            _clear_default()
        warehouse = Warehouse(
            code=code,
            name=name.strip(),
            address=address.strip(),
            lat=lat,
            lon=lon,
            is_default=is_default,
            **Layout(**layout).as_dict(),
        )
        db.session.add(warehouse)
    return warehouse


def update_warehouse(warehouse_id: int, **changes: Any) -> Warehouse:
    """Change a warehouse's name, address, coordinates, status, default flag or layout.
    The code (natural key) never changes. Bins outside a shrunk layout are deactivated
    by the next ``generate_bins``.

    :raise ValidationFailed: bad values, or leaving no active default warehouse.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(
            {field: ["Cannot be changed."] for field in sorted(unknown)}
        )
    with one_transaction():
        warehouse = db.session.get(Warehouse, warehouse_id)
        if warehouse is None:
            raise NotFound(f"Warehouse {warehouse_id} does not exist.")
        merged = {f: getattr(warehouse, f) for f in LAYOUT_FIELDS} | changes
        _check_warehouse_values(merged)
        active_after = changes.get("is_active", warehouse.is_active)
        if warehouse.is_default and (
            changes.get("is_default") is False or not active_after
        ):
            raise ValidationFailed(
                {
                    "is_default": [
                        "This is the default warehouse: "
                        "make another warehouse the default first."
                    ]
                }
            )
        if changes.get("is_default") and not warehouse.is_default:
            if not active_after:
                raise ValidationFailed(
                    {"is_default": ["An inactive warehouse cannot be the default."]}
                )
            _clear_default()
        for field, value in changes.items():
            setattr(
                warehouse, field, value.strip() if isinstance(value, str) else value
            )
    return warehouse


def _clear_default() -> None:
    for other in db.session.scalars(sa.select(Warehouse).where(Warehouse.is_default)):
        other.is_default = False
    db.session.flush()  # the partial unique index allows one default at a time


# --- bins -----------------------------------------------------------------------------
@dataclass(frozen=True)
class BinGeneration:
    created: int
    deactivated: int
    total: int


def generate_bins(
    warehouse_id: int, *, levels: int = 1, sides: Iterable[str] = SIDES
) -> BinGeneration:
    """Create every bin of the warehouse's layout that does not exist yet, for
    ``levels`` rack levels (1 = floor) and ``sides`` ("L", "R"). Idempotent: existing
    bins are kept; active bins outside the current layout are deactivated (never
    deleted: moves refer to them).

    :raise ValidationFailed: levels or sides out of range, or more than MAX_BINS bins.
    """
    sides = tuple(dict.fromkeys(sides))
    if (
        isinstance(levels, bool)
        or not isinstance(levels, int)
        or not 1 <= levels <= MAX_LEVELS
    ):
        raise ValidationFailed(
            {"levels": [f"Must be a whole number from 1 to {MAX_LEVELS}."]}
        )
    if not sides or any(side not in SIDES for side in sides):
        raise ValidationFailed({"sides": ["Choose L, R or both."]})
    with one_transaction():
        warehouse = db.session.get(Warehouse, warehouse_id)
        if warehouse is None:
            raise NotFound(f"Warehouse {warehouse_id} does not exist.")
        layout = Layout.of(warehouse)
        wanted = (
            layout.n_aisles
            * layout.n_blocks
            * layout.bays_per_block
            * len(sides)
            * levels
        )
        if wanted > MAX_BINS:
            raise ValidationFailed(
                {"levels": [f"That would be {wanted} bins; at most {MAX_BINS}."]}
            )
        existing = {
            (b.aisle, b.block, b.bay, b.side, b.level): b
            for b in db.session.scalars(
                sa.select(Bin).where(Bin.warehouse_id == warehouse_id)
            )
        }
        new = [
            Bin(
                warehouse_id=warehouse_id,
                aisle=a,
                block=b,
                bay=c,
                side=s,
                level=lv,
                code=bin_code(a, b, c, s, lv),
            )
            for a, b, c, s, lv in bin_positions(layout, levels=levels, sides=sides)
            if (a, b, c, s, lv) not in existing
        ]
        deactivated = 0
        for (a, b, c, _, _), bin_ in existing.items():
            if bin_.is_active and not position_in_layout(layout, a, b, c):
                bin_.is_active = False
                deactivated += 1
        db.session.add_all(new)
        try:
            db.session.flush()
        except sa.exc.IntegrityError:
            raise Conflict(
                "Bins are being generated by someone else; try again."
            ) from None
    return BinGeneration(len(new), deactivated, len(existing) + len(new))


def bin_labels_pdf(warehouse_id: int, *, aisle: int | None = None) -> bytes:
    """A4 sheets of labels (code, warehouse, Code128 bar code) for the warehouse's
    active bins, or one aisle's.

    :raise NotFound: unknown warehouse. :raise ValidationFailed: no bins to print.
    """
    from printing.documents import BinLabel, BinLabelDoc
    from printing.labels import render_bin_labels

    warehouse = db.session.get(Warehouse, warehouse_id)
    if warehouse is None:
        raise NotFound(f"Warehouse {warehouse_id} does not exist.")
    bins = list(
        db.session.scalars(
            queries.bins_query(warehouse_id, aisle=aisle, active_only=True)
        )
    )
    if not bins:
        raise ValidationFailed({"aisle": ["There are no active bins to print."]})
    label_name = f"{warehouse.code} {warehouse.name}"
    labels = tuple(
        BinLabel(
            code=b.code,
            warehouse=label_name,
            aisle=b.aisle,
            block=b.block,
            bay=b.bay,
            side=b.side,
            level=b.level,
        )
        for b in bins
    )
    title = f"{warehouse.code} bin labels" + (
        f" · aisle {aisle}" if aisle is not None else ""
    )
    return render_bin_labels(BinLabelDoc(title=title, labels=labels))


# --- bins: quarantine and status ------------------------------------------------------
BIN_KEEPER_ROLES = ("warehouse",)  # admin passes every staff check


def _bin_on_hand(bin_id: int) -> int:
    b = StockBalance.__table__.c
    return int(
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(b.on_hand_qty), 0))
            .select_from(StockBalance.__table__)
            .join(Location, Location.id == b.location_id)
            .where(Location.bin_id == bin_id, b.on_hand_qty > 0)
        )
        or 0
    )


def _availability(bin_: Bin, *, lock: bool = False) -> dict[int, tuple[str, int]]:
    """Available (on hand − reserved − unusable today) in the bin's warehouse of each
    product that has stock in the bin: {product_id: (sku, available)}. ``lock`` takes
    the levels' row locks (PostgreSQL), so no reservation slips in meanwhile."""
    b = StockBalance.__table__.c
    in_bin = (
        sa.select(b.product_id)
        .join(Location, Location.id == b.location_id)
        .where(Location.bin_id == bin_.id, b.on_hand_qty > 0)
    )
    statement = (
        sa.select(
            StockLevel.product_id,
            Product.sku,
            StockLevel.on_hand_qty
            - StockLevel.reserved_qty
            - unusable_qty(
                StockLevel.product_id, StockLevel.warehouse_id, local_today()
            ),
        )
        .join(Product, Product.id == StockLevel.product_id)
        .where(
            StockLevel.warehouse_id == bin_.warehouse_id,
            StockLevel.product_id.in_(in_bin),
        )
    )
    if lock:
        statement = statement.with_for_update(of=StockLevel)
    return {pid: (sku, int(qty)) for pid, sku, qty in db.session.execute(statement)}


def _check_quarantine_keeps_promises(
    bin_: Bin, before: dict[int, tuple[str, int]]
) -> None:
    """After the flag is flushed: refuse when a product's available quantity went below
    zero because of this bin (stock promised to orders cannot be quarantined)."""
    after = _availability(bin_)
    lines = [
        {
            "sku": sku,
            "bin_qty": before[pid][1] - available,
            "available_qty": max(0, before[pid][1]),
        }
        for pid, (sku, available) in sorted(after.items(), key=lambda i: i[1][0])
        if pid in before and available < 0 and available < before[pid][1]
    ]
    if lines:
        raise Conflict(
            msg(
                "Bin %(bin)s cannot go into quarantine: its stock of %(skus)s is "
                "promised to orders. Move that stock out or release the orders first.",
                bin=bin_.code,
                skus=", ".join(line["sku"] for line in lines),
            ),
            details={"lines": lines},
        )


def update_bin(
    bin_id: int,
    *,
    is_quarantine: bool | None = None,
    is_active: bool | None = None,
    user: Any = None,
) -> Bin:
    """Put a bin into quarantine (待检/隔离: its stock stays on hand and valued but is
    never available) or take it out, and activate or deactivate it. None leaves a flag
    as it is.

    :raise Conflict: quarantining would leave a product with less available than is
    reserved for orders (details ``lines`` = [{sku, bin_qty, available_qty}]).
    :raise ValidationFailed: deactivating a bin that still holds stock.
    :raise NotFound: unknown bin. :raise PermissionDenied: not warehouse staff.
    """
    if user is not None and not user.has_role(*BIN_KEEPER_ROLES):
        raise PermissionDenied(msg("Only warehouse staff change bins."))
    for field, value in (("is_quarantine", is_quarantine), ("is_active", is_active)):
        if value is not None and not isinstance(value, bool):
            raise ValidationFailed({field: [msg("Must be true or false.")]})
    with one_transaction():
        bin_ = db.session.get(Bin, bin_id)
        if bin_ is None:
            raise NotFound(msg("Bin %(id)s does not exist.", id=bin_id))
        if is_active is False and bin_.is_active and _bin_on_hand(bin_.id):
            raise ValidationFailed(
                {
                    "is_active": [
                        msg(
                            "Bin %(bin)s still holds stock: move it out before "
                            "deactivating the bin.",
                            bin=bin_.code,
                        )
                    ]
                }
            )
        if is_quarantine and not bin_.is_quarantine:
            # write the bin row first: that takes SQLite's write lock (PostgreSQL:
            # the row lock), so no reservation overtakes the availability read
            bin_.updated_at = utcnow()
            db.session.flush()
            before = _availability(bin_, lock=True)
            bin_.is_quarantine = True
            db.session.flush()
            _check_quarantine_keeps_promises(bin_, before)
        elif is_quarantine is False:
            bin_.is_quarantine = False
        if is_active is not None:
            bin_.is_active = is_active
    return bin_


def set_bin_quarantine(bin_id: int, is_quarantine: bool, user: Any = None) -> Bin:
    """Put a bin into quarantine or release it (see ``update_bin``)."""
    return update_bin(bin_id, is_quarantine=is_quarantine, user=user)


def bin_for_codes(warehouse_code: str, bin_code: str) -> Bin:
    """:raise NotFound: unknown warehouse or bin."""
    warehouse = queries.warehouse_by_code(warehouse_code)
    found = queries.bin_by_code(warehouse.id, bin_code)
    if found is None:
        raise NotFound(
            msg("No bin %(bin)s in %(wh)s.", bin=bin_code, wh=warehouse.code)
        )
    return found
