"""补货 replenishment signals: reorder rules per product and warehouse (manual, or
suggested from the demand of the last N days and the lead time) and the low-stock list
that purchasing reads.

Demand is what went to customers from the warehouse per local day, minus what
merchants sent back, read in one grouped query over the ledger. A manual rule is never
overwritten by a suggestion. ``low_stock`` counts stock as the queries do (available =
on hand − reserved − unusable) plus what is inbound, as reported by the providers that
other features register (purchasing: open purchase orders).

Each writing function commits once or raises a DomainError with nothing written.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from supplychain import tabular
from supplychain.catalog.models import Product, ProductSupplier, Supplier
from supplychain.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from supplychain.extensions import db
from supplychain.messages import msg
from supplychain.paging import matches
from supplychain.stock.expiry import local_today, unusable_qty
from supplychain.stock.models import (
    Location,
    StockLevel,
    StockMove,
    StockRule,
    Warehouse,
)
from supplychain.stock.replenishment_rules import (
    DEFAULT_DEMAND_DAYS,
    MAX_DEMAND_DAYS,
    MAX_LEAD_TIME_DAYS,
    MAX_RULE_QTY,
    MIN_DEMAND_DAYS,
    is_low,
    order_qty,
    shortfall_qty,
    suggest_rule,
)
from supplychain.stock.reports import local_midnight

DEFAULT_LEAD_TIME_DAYS = 1  # a product without a preferred supplier: next-day supply
VIEWER_ROLES = ("warehouse", "buyer", "finance")  # admin passes every staff check
EDITOR_ROLES = ("warehouse", "buyer")
SECONDS_PER_DAY = 86_400

InboundProvider = Callable[[list[int], int], Mapping[int, int]]
_inbound_providers: list[InboundProvider] = []


# --- who may ------------------------------------------------------------------------
def _check_role(user: Any, roles: tuple[str, ...]) -> None:
    """``user`` None is the system (command line, jobs)."""
    if user is not None and not user.has_role(*roles):
        raise PermissionDenied(msg("Your role may not change reorder rules."))


# --- look-ups with field errors -----------------------------------------------------
def warehouse_for_code(code: str | None, *, field: str = "warehouse") -> Warehouse:
    """The active warehouse with this code, the default one when ``code`` is empty.

    :raise ValidationFailed: unknown or inactive warehouse (on ``field``).
    """
    code = (code or "").strip().upper()
    statement = sa.select(Warehouse)
    statement = statement.where(
        Warehouse.code == code if code else Warehouse.is_default.is_(True)
    )
    warehouse = db.session.scalar(statement)
    if warehouse is None:
        raise ValidationFailed(
            {field: [msg("Unknown warehouse '%(code)s'.", code=code)]}
        )
    if not warehouse.is_active:
        raise ValidationFailed(
            {field: [msg("Warehouse %(code)s is inactive.", code=warehouse.code)]}
        )
    return warehouse


def product_for_sku(sku: str | None, *, field: str = "sku") -> Product:
    """:raise ValidationFailed: unknown SKU (on ``field``)."""
    sku = (sku or "").strip()
    product = db.session.scalar(sa.select(Product).where(Product.sku == sku))
    if product is None:
        raise ValidationFailed({field: [msg("Unknown SKU '%(sku)s'.", sku=sku)]})
    return product


# --- rules: reading -----------------------------------------------------------------
def rules_query(
    q: str = "", *, warehouse_id: int | None = None, sku: str | None = None
) -> sa.Select:
    """Reorder rules (scalars: StockRule) by warehouse code and SKU; ``q`` searches
    SKU and product names."""
    statement = (
        sa.select(StockRule)
        .join(Product, Product.id == StockRule.product_id)
        .join(Warehouse, Warehouse.id == StockRule.warehouse_id)
        .order_by(Warehouse.code, Product.sku)
    )
    if q.strip():
        statement = statement.where(
            matches(q, Product.sku, Product.name, Product.name_en)
        )
    if warehouse_id is not None:
        statement = statement.where(StockRule.warehouse_id == warehouse_id)
    if sku:
        statement = statement.where(Product.sku == sku.strip())
    return statement


def get_rule(product_id: int, warehouse_id: int) -> StockRule | None:
    return db.session.scalar(
        sa.select(StockRule).where(
            StockRule.product_id == product_id, StockRule.warehouse_id == warehouse_id
        )
    )


# --- rules: writing -----------------------------------------------------------------
def _whole_number(
    errors: dict[str, list[str]],
    field: str,
    value: Any,
    high: int,
    *,
    optional: bool = False,
) -> None:
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        errors[field] = [msg("Must be a whole number.")]
    elif not 0 <= value <= high:
        errors[field] = [
            msg("Must be between %(low)s and %(high)s.", low=0, high=f"{high:,}")
        ]


def rule_value_errors(
    reorder_point: Any, safety_stock: Any, lead_time_days: Any
) -> dict[str, list[str]]:
    """Field → messages for a manual rule's numbers (empty when they are fine)."""
    errors: dict[str, list[str]] = {}
    _whole_number(errors, "reorder_point", reorder_point, MAX_RULE_QTY)
    _whole_number(errors, "safety_stock", safety_stock, MAX_RULE_QTY)
    _whole_number(
        errors, "lead_time_days", lead_time_days, MAX_LEAD_TIME_DAYS, optional=True
    )
    if not errors and safety_stock > reorder_point:
        errors["safety_stock"] = [
            msg("The safety stock cannot be above the reorder point.")
        ]
    return errors


def _rule_target(product: Product, warehouse: Warehouse) -> dict[str, list[str]]:
    if not product.is_active:
        return {"sku": [msg("%(sku)s is no longer sold.", sku=product.sku)]}
    if not product.is_stocked:
        return {
            "sku": [
                msg(
                    "%(sku)s is bought to order; reorder points are for stocked "
                    "products only.",
                    sku=product.sku,
                )
            ]
        }
    if not warehouse.is_active:
        return {
            "warehouse": [msg("Warehouse %(code)s is inactive.", code=warehouse.code)]
        }
    return {}


def _commit_rules() -> None:
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(
            msg("Someone else changed these rules at the same moment; try again.")
        ) from None


def set_rule(
    product_id: int,
    warehouse_id: int,
    *,
    reorder_point: int,
    safety_stock: int,
    lead_time_days: int | None = None,
    user: Any = None,
) -> StockRule:
    """Create or replace the manual rule of a product in a warehouse.
    ``lead_time_days`` None means the preferred supplier's lead time.

    :raise ValidationFailed: numbers not whole, negative or absurd (over 1,000,000; a
    lead time over 365 days), safety stock above the reorder point, unknown, inactive
    or bought-to-order product, unknown or inactive warehouse.
    :raise PermissionDenied: ``user`` is neither warehouse staff nor a buyer.
    """
    _check_role(user, EDITOR_ROLES)
    errors = rule_value_errors(reorder_point, safety_stock, lead_time_days)
    product = db.session.get(Product, product_id)
    warehouse = db.session.get(Warehouse, warehouse_id)
    if product is None:
        errors["sku"] = [msg("Unknown product.")]
    if warehouse is None:
        errors["warehouse"] = [msg("Unknown warehouse.")]
    if product is not None and warehouse is not None:
        errors = _rule_target(product, warehouse) | errors
    if errors:
        raise ValidationFailed(errors)
    rule = db.session.scalar(
        sa.select(StockRule)
        .where(
            StockRule.product_id == product_id, StockRule.warehouse_id == warehouse_id
        )
        .with_for_update(of=StockRule)
    )
    if rule is None:
        rule = StockRule(product_id=product_id, warehouse_id=warehouse_id)
        db.session.add(rule)
    rule.reorder_point = reorder_point
    rule.safety_stock = safety_stock
    rule.lead_time_days = lead_time_days
    rule.method = "manual"
    rule.updated_by_id = getattr(user, "id", None)
    _commit_rules()
    return rule


def set_rule_for_sku(
    sku: str,
    warehouse_code: str | None,
    *,
    reorder_point: int,
    safety_stock: int,
    lead_time_days: int | None = None,
    user: Any = None,
) -> StockRule:
    """``set_rule`` by SKU and warehouse code (the default warehouse when empty)."""
    _check_role(user, EDITOR_ROLES)
    errors: dict[str, list[str]] = {}
    product = warehouse = None
    try:
        product = product_for_sku(sku)
    except ValidationFailed as error:
        errors |= error.errors
    try:
        warehouse = warehouse_for_code(warehouse_code)
    except ValidationFailed as error:
        errors |= error.errors
    if errors or product is None or warehouse is None:
        raise ValidationFailed(
            rule_value_errors(reorder_point, safety_stock, lead_time_days) | errors
        )
    return set_rule(
        product.id,
        warehouse.id,
        reorder_point=reorder_point,
        safety_stock=safety_stock,
        lead_time_days=lead_time_days,
        user=user,
    )


def delete_rule(product_id: int, warehouse_id: int, *, user: Any = None) -> None:
    """Remove a rule: the product leaves the low-stock list of that warehouse.

    :raise NotFound: there is no such rule. :raise PermissionDenied:
    """
    _check_role(user, EDITOR_ROLES)
    rule = get_rule(product_id, warehouse_id)
    if rule is None:
        raise NotFound(msg("There is no reorder rule for this product and warehouse."))
    db.session.delete(rule)
    db.session.commit()


def delete_rule_for_sku(
    sku: str, warehouse_code: str | None, *, user: Any = None
) -> None:
    """``delete_rule`` by SKU and warehouse code (the default warehouse when empty)."""
    _check_role(user, EDITOR_ROLES)
    product = product_for_sku(sku)
    warehouse = warehouse_for_code(warehouse_code)
    delete_rule(product.id, warehouse.id, user=user)


# --- demand -------------------------------------------------------------------------
def _day_number(created_at: Any, start: dt.datetime) -> Any:
    """SQL: whole days between ``start`` and the instant (both UTC; ``start`` a local
    midnight). Exact where the time zone has no daylight saving (Asia/Shanghai)."""
    start_epoch = int(start.timestamp())
    if db.session.get_bind().dialect.name == "sqlite":
        # stored as naive UTC text "YYYY-MM-DD HH:MM:SS.ffffff"; strftime would round
        # the fraction (23:59:59.9996 → the next day), so cut it off first. Integer
        # division of non-negative integers floors.
        whole_seconds = sa.func.substr(created_at, 1, 19)
        seconds = sa.cast(sa.func.strftime("%s", whole_seconds), sa.Integer)
        return (seconds - start_epoch) // SECONDS_PER_DAY
    seconds = sa.extract("epoch", created_at)
    return sa.cast(sa.func.floor((seconds - start_epoch) / SECONDS_PER_DAY), sa.Integer)


def demand_window(days: int, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The first and last local day of the last ``days`` complete days (today, still
    under way, is left out)."""
    today = today or local_today()
    return today - dt.timedelta(days=days), today - dt.timedelta(days=1)


def demand_history(
    warehouse_id: int,
    *,
    days: int = DEFAULT_DEMAND_DAYS,
    today: dt.date | None = None,
    product_ids: Iterable[int] | None = None,
) -> dict[int, list[int]]:
    """Net daily demand per product over the last ``days`` complete local days, oldest
    first: quantities moved from the warehouse to customers minus quantities returned
    by customers into it. Products without any such move are left out."""
    first, last = demand_window(days, today)
    start, end = local_midnight(first), local_midnight(last + dt.timedelta(days=1))
    m = StockMove.__table__.c
    src, dst = aliased(Location), aliased(Location)
    signed = sa.case((dst.usage == "customer", m.qty), else_=-m.qty)
    inner = (
        sa.select(
            m.product_id.label("product_id"),
            _day_number(m.created_at, start).label("day_no"),
            signed.label("qty"),
        )
        .select_from(StockMove.__table__)
        .join(src, src.id == m.from_location_id)
        .join(dst, dst.id == m.to_location_id)
        .where(
            m.created_at >= start,
            m.created_at < end,
            sa.or_(
                sa.and_(src.warehouse_id == warehouse_id, dst.usage == "customer"),
                sa.and_(src.usage == "customer", dst.warehouse_id == warehouse_id),
            ),
        )
    )
    if product_ids is not None:
        inner = inner.where(m.product_id.in_(list(product_ids)))
    moves = inner.subquery()
    statement = sa.select(
        moves.c.product_id, moves.c.day_no, sa.func.sum(moves.c.qty)
    ).group_by(moves.c.product_id, moves.c.day_no)
    history: dict[int, list[int]] = {}
    for product_id, day_no, qty in db.session.execute(statement):
        daily = history.setdefault(product_id, [0] * days)
        if 0 <= int(day_no) < days:
            daily[int(day_no)] += int(qty)
    return history


# --- supply terms -------------------------------------------------------------------
@dataclass(frozen=True)
class SupplyTerms:
    """The preferred supplier's terms for a product (None when it has none)."""

    supplier_id: int | None
    supplier_code: str | None
    supplier_name: str | None
    lead_time_days: int
    case_qty: int
    moq: int


NO_SUPPLIER = SupplyTerms(None, None, None, DEFAULT_LEAD_TIME_DAYS, 1, 1)


def supply_terms(product_ids: Iterable[int]) -> dict[int, SupplyTerms]:
    """Preferred supplier, lead time (the product's own with that supplier, else the
    supplier's), case quantity and minimum order per product; ``NO_SUPPLIER`` for
    products without a preferred supplier."""
    ids = list(set(product_ids))
    terms = dict.fromkeys(ids, NO_SUPPLIER)
    if not ids:
        return terms
    rows = db.session.execute(
        sa.select(
            ProductSupplier.product_id,
            Supplier.id,
            Supplier.code,
            Supplier.name,
            sa.func.coalesce(ProductSupplier.lead_time_days, Supplier.lead_time_days),
            ProductSupplier.case_qty,
            ProductSupplier.moq,
        )
        .join(Supplier, Supplier.id == ProductSupplier.supplier_id)
        .where(ProductSupplier.is_preferred, ProductSupplier.product_id.in_(ids))
    )
    for product_id, sid, code, name, lead, case_qty, moq in rows:
        terms[product_id] = SupplyTerms(sid, code, name, int(lead), case_qty, moq)
    return terms


# --- suggestions --------------------------------------------------------------------
@dataclass(frozen=True)
class RuleSuggestion:
    """What the demand of the window suggests for one product, beside its rule."""

    product_id: int
    sku: str
    name: str
    unit: str
    warehouse_id: int
    warehouse: str
    days: int
    total_qty: int
    avg_daily_qty: Decimal
    std_daily_qty: Decimal
    lead_time_days: int
    reorder_point: int
    safety_stock: int
    current_reorder_point: int | None
    current_safety_stock: int | None
    current_method: str | None
    applied: bool = False

    @property
    def is_manual(self) -> bool:
        """A manual rule exists: suggestions never replace it."""
        return self.current_method == "manual"

    @property
    def is_change(self) -> bool:
        return (self.current_reorder_point, self.current_safety_stock) != (
            self.reorder_point,
            self.safety_stock,
        )


def check_days(days: Any) -> int:
    """:raise ValidationFailed: not a whole number of days from 7 to 365."""
    if (
        isinstance(days, bool)
        or not isinstance(days, int)
        or not MIN_DEMAND_DAYS <= days <= MAX_DEMAND_DAYS
    ):
        raise ValidationFailed(
            {
                "days": [
                    msg(
                        "Give a whole number of days from %(low)s to %(high)s.",
                        low=MIN_DEMAND_DAYS,
                        high=MAX_DEMAND_DAYS,
                    )
                ]
            }
        )
    return days


def suggest_rules(
    warehouse_id: int,
    *,
    days: int = DEFAULT_DEMAND_DAYS,
    apply: bool = False,
    user: Any = None,
    today: dt.date | None = None,
) -> list[RuleSuggestion]:
    """Suggested reorder points and safety stocks for every active stocked product
    that had demand in the warehouse over the last ``days`` complete days or already
    has a rule there, by SKU. With ``apply`` they are written as method "suggested"
    (new rules, or replacing earlier suggestions); manual rules are never touched.

    :raise ValidationFailed: days outside 7–365, unknown warehouse.
    :raise PermissionDenied: a role that may not see (or, to apply, change) rules.
    """
    _check_role(user, EDITOR_ROLES if apply else VIEWER_ROLES)
    check_days(days)
    warehouse = db.session.get(Warehouse, warehouse_id)
    if warehouse is None:
        raise ValidationFailed({"warehouse": [msg("Unknown warehouse.")]})
    history = demand_history(warehouse_id, days=days, today=today)
    statement = sa.select(StockRule).where(StockRule.warehouse_id == warehouse_id)
    if apply:
        statement = statement.with_for_update(of=StockRule)
    rules = {rule.product_id: rule for rule in db.session.scalars(statement)}
    products = db.session.scalars(
        sa.select(Product)
        .where(
            Product.id.in_(set(history) | set(rules)),
            Product.is_active,
            Product.is_stocked,
        )
        .order_by(Product.sku)
    ).all()
    terms = supply_terms(p.id for p in products)
    suggestions = []
    for product in products:
        rule = rules.get(product.id)
        suggestion = _suggest_one(
            product, warehouse, rule, history.get(product.id), terms[product.id], days
        )
        if suggestion is None:
            continue
        if apply and not suggestion.is_manual and suggestion.is_change:
            _write_suggestion(rule, suggestion, user)
            suggestion = _applied(suggestion)
        suggestions.append(suggestion)
    if apply:
        _commit_rules()
    return suggestions


def _suggest_one(
    product: Product,
    warehouse: Warehouse,
    rule: StockRule | None,
    daily: list[int] | None,
    terms: SupplyTerms,
    days: int,
) -> RuleSuggestion | None:
    lead = (
        rule.lead_time_days
        if rule is not None and rule.lead_time_days is not None
        else terms.lead_time_days
    )
    result = suggest_rule(daily or [0] * days, lead)
    if rule is None and result.reorder_point == 0:
        return None  # no demand worth a rule
    return RuleSuggestion(
        product_id=product.id,
        sku=product.sku,
        name=product.name,
        unit=product.unit,
        warehouse_id=warehouse.id,
        warehouse=warehouse.code,
        days=days,
        total_qty=result.demand.total_qty,
        avg_daily_qty=result.demand.average_daily_qty,
        std_daily_qty=result.demand.std_daily_qty,
        lead_time_days=lead,
        reorder_point=result.reorder_point,
        safety_stock=result.safety_stock,
        current_reorder_point=rule.reorder_point if rule else None,
        current_safety_stock=rule.safety_stock if rule else None,
        current_method=rule.method if rule else None,
    )


def _write_suggestion(
    rule: StockRule | None, suggestion: RuleSuggestion, user: Any
) -> None:
    if rule is None:
        rule = StockRule(
            product_id=suggestion.product_id, warehouse_id=suggestion.warehouse_id
        )
        db.session.add(rule)
    rule.reorder_point = suggestion.reorder_point
    rule.safety_stock = suggestion.safety_stock
    rule.method = "suggested"
    rule.updated_by_id = getattr(user, "id", None)


def _applied(suggestion: RuleSuggestion) -> RuleSuggestion:
    return replace(suggestion, applied=True)


# --- inbound ------------------------------------------------------------------------
def register_inbound_provider(fn: InboundProvider) -> InboundProvider:
    """Register ``fn(product_ids, warehouse_id) -> {product_id: qty}``: what is on its
    way to the warehouse (purchasing: open purchase orders). Several providers add
    up; registering the same function twice counts it once. Returns ``fn`` (usable as
    a decorator)."""
    if fn not in _inbound_providers:
        _inbound_providers.append(fn)
    return fn


def unregister_inbound_provider(fn: InboundProvider) -> None:
    if fn in _inbound_providers:
        _inbound_providers.remove(fn)


def inbound_for(product_ids: Iterable[int], warehouse_id: int) -> dict[int, int]:
    """Σ of the registered providers per product (0 without providers)."""
    ids = sorted(set(product_ids))
    total = dict.fromkeys(ids, 0)
    if not ids:
        return total
    for provider in list(_inbound_providers):
        for product_id, qty in (provider(list(ids), warehouse_id) or {}).items():
            if product_id in total:
                total[product_id] += max(0, int(qty))
    return total


# --- the low-stock list -------------------------------------------------------------
@dataclass(frozen=True)
class LowStockRow:
    """A product at or below its reorder point in a warehouse, with what to order.

    ``available_qty`` = on hand − reserved − unusable (expired, quarantined);
    ``shortfall_qty`` = reorder point − (available + inbound); ``suggested_qty`` =
    shortfall + safety stock, raised to the preferred supplier's minimum order and
    rounded up to its case quantity."""

    product_id: int
    sku: str
    name: str
    unit: str
    warehouse_id: int
    warehouse: str
    on_hand_qty: int
    reserved_qty: int
    unusable_qty: int
    available_qty: int
    inbound_qty: int
    reorder_point: int
    safety_stock: int
    shortfall_qty: int
    suggested_qty: int
    lead_time_days: int
    supplier_id: int | None
    supplier_code: str | None
    supplier_name: str | None
    case_qty: int
    moq: int
    method: str


def low_stock(
    warehouse_id: int | None = None, *, on: dt.date | None = None
) -> list[LowStockRow]:
    """Every active stocked product whose available + inbound stock is at or below
    its reorder point, in every active warehouse (or one), by warehouse code and SKU.
    Rows with nothing to order (an all-zero rule with nothing available) are left
    out."""
    on = on or local_today()
    level = StockLevel
    on_hand = sa.func.coalesce(level.on_hand_qty, 0)
    reserved = sa.func.coalesce(level.reserved_qty, 0)
    statement = (
        sa.select(
            StockRule.product_id,
            StockRule.warehouse_id,
            Product.sku,
            Product.name,
            Product.unit,
            Warehouse.code,
            StockRule.reorder_point,
            StockRule.safety_stock,
            StockRule.lead_time_days,
            StockRule.method,
            on_hand,
            reserved,
            unusable_qty(StockRule.product_id, StockRule.warehouse_id, on),
        )
        .select_from(StockRule)
        .join(Product, Product.id == StockRule.product_id)
        .join(Warehouse, Warehouse.id == StockRule.warehouse_id)
        .outerjoin(
            level,
            sa.and_(
                level.product_id == StockRule.product_id,
                level.warehouse_id == StockRule.warehouse_id,
            ),
        )
        .where(Product.is_active, Product.is_stocked, Warehouse.is_active)
        .order_by(Warehouse.code, Product.sku)
    )
    if warehouse_id is not None:
        statement = statement.where(StockRule.warehouse_id == warehouse_id)
    rows = db.session.execute(statement).all()
    by_warehouse: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        by_warehouse[row[1]].append(row[0])
    inbound = {wid: inbound_for(ids, wid) for wid, ids in by_warehouse.items()}
    terms = supply_terms(row[0] for row in rows)
    result = []
    for row in rows:
        low = _low_row(row, inbound[row[1]].get(row[0], 0), terms[row[0]])
        if low is not None:
            result.append(low)
    return result


def _low_row(row: Any, inbound_qty: int, terms: SupplyTerms) -> LowStockRow | None:
    (product_id, warehouse_id, sku, name, unit, code, rop, safety, lead, method,
     on_hand, reserved, unusable) = row  # fmt: skip
    on_hand, reserved, unusable = int(on_hand), int(reserved), int(unusable)
    available = on_hand - reserved - unusable
    if not is_low(rop, available, inbound_qty):
        return None
    shortfall = shortfall_qty(rop, available, inbound_qty)
    suggested = order_qty(shortfall + safety, case_qty=terms.case_qty, moq=terms.moq)
    if suggested == 0:
        return None
    return LowStockRow(
        product_id=product_id,
        sku=sku,
        name=name,
        unit=unit,
        warehouse_id=warehouse_id,
        warehouse=code,
        on_hand_qty=on_hand,
        reserved_qty=reserved,
        unusable_qty=unusable,
        available_qty=available,
        inbound_qty=inbound_qty,
        reorder_point=rop,
        safety_stock=safety,
        shortfall_qty=shortfall,
        suggested_qty=suggested,
        lead_time_days=lead if lead is not None else terms.lead_time_days,
        supplier_id=terms.supplier_id,
        supplier_code=terms.supplier_code,
        supplier_name=terms.supplier_name,
        case_qty=terms.case_qty,
        moq=terms.moq,
        method=method,
    )


# --- export -------------------------------------------------------------------------
EXPORT_COLUMNS = (
    "warehouse", "sku", "name", "unit", "on_hand_qty", "reserved_qty",
    "unusable_qty", "available_qty", "inbound_qty", "reorder_point", "safety_stock",
    "shortfall_qty", "suggested_qty", "supplier", "case_qty", "moq",
    "lead_time_days",
)  # fmt: skip
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Export:
    data: bytes
    filename: str
    mimetype: str


def export_low_stock(
    fmt: str, warehouse_id: int | None = None, *, on: dt.date | None = None
) -> Export:
    """The low-stock list as ``csv`` (UTF-8 with BOM, formulas neutralised) or
    ``xlsx`` (number cells), contracts.md §5.

    :raise ValidationFailed: another format.
    """
    if fmt not in ("csv", "xlsx"):
        raise ValidationFailed({"format": [msg("Choose csv or xlsx.")]})
    rows = [
        [
            getattr(row, column) if column != "supplier" else (row.supplier_code or "")
            for column in EXPORT_COLUMNS
        ]
        for row in low_stock(warehouse_id, on=on)
    ]
    day = (on or local_today()).isoformat()
    name = f"low-stock-{day}.{fmt}"
    if fmt == "csv":
        return Export(tabular.write_csv(EXPORT_COLUMNS, rows), name, "text/csv")
    data = tabular.write_xlsx(EXPORT_COLUMNS, rows, title="low stock")
    return Export(data, name, XLSX_MIMETYPE)
