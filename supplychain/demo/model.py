"""演示数据 demo data as plain frozen dataclasses: what generator.py produces and loader.py
writes. No database, no randomness.

Dates in the history are relative to the day the demo is loaded (day 0, local time): an
event happens ``days_ago`` days before it at ``minute`` minutes after local midnight,
and a lot expires ``expiry_in_days`` after it. That keeps ``generate(stores, seed)`` a
pure function: the same seed always gives the same data, whatever the day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class PriceGradeRow:
    code: str
    name: str


@dataclass(frozen=True)
class CategoryRow:
    code: str
    name: str
    name_en: str
    parent_code: str | None
    sort: int


@dataclass(frozen=True)
class SupplierRow:
    code: str
    name: str
    contact_name: str
    phone: str
    address: str
    lead_time_days: int


@dataclass(frozen=True)
class ProductRow:
    sku: str
    name: str
    name_en: str
    category_code: str
    unit: str
    case_qty: int
    barcode: str  # EAN-13, 69x prefix
    price: Decimal  # list price, two places
    grade_prices: tuple[tuple[str, Decimal], ...]  # (grade code, price)
    is_stocked: bool  # False: purchase-to-order (以销定采)
    is_lot_tracked: bool
    shelf_life_days: int | None
    weight_kg: Decimal  # per selling unit, two places
    min_order_qty: int
    order_step: int
    description: str
    daily_units_per_100_stores: Decimal  # demand rate used by the history


@dataclass(frozen=True)
class ProductSupplierRow:
    sku: str
    supplier_code: str
    supplier_sku: str
    cost_price: Decimal
    case_qty: int
    moq: int  # minimum order, in selling units (a whole number of cases)
    lead_time_days: int
    is_preferred: bool


@dataclass(frozen=True)
class MerchantRow:
    code: str
    name: str
    kind: str  # store | group_leader | wholesale
    district: str
    address: str
    lat: float
    lon: float
    price_grade: str
    credit_limit: Decimal | None  # None = unlimited
    payment_terms_days: int
    window_start: dt.time
    window_end: dt.time
    contact_name: str
    phone: str
    warehouse: str  # code of the warehouse that delivers to it


@dataclass(frozen=True)
class ContactRow:
    merchant_code: str
    name: str
    role: str  # 老板, 店长, 收货人…
    phone: str
    wechat: str
    is_primary: bool


@dataclass(frozen=True)
class MerchantPriceRow:
    merchant_code: str
    sku: str
    price: Decimal


@dataclass(frozen=True)
class WarehouseRow:
    code: str
    name: str
    address: str
    lat: float
    lon: float
    is_default: bool
    n_aisles: int
    n_cross_aisles: int
    bays_per_block: int
    # layout of contracts.md §3 in metres (measurements, not money: floats)
    aisle_spacing: float
    bay_length: float
    cross_to_first_bay: float
    depot_aisle: float
    depot_offset: float
    levels: int  # rack levels of bins


@dataclass(frozen=True)
class SlotRow:
    """A product's pick face: 1-based aisle, block and bay, side L/R, 1-based level."""

    sku: str
    warehouse: str
    aisle: int
    block: int
    bay: int
    side: str
    level: int


@dataclass(frozen=True)
class VehicleRow:
    code: str
    name: str
    plate: str
    capacity_boxes: int
    capacity_kg: int
    warehouse: str
    shift_start: dt.time
    shift_end: dt.time


@dataclass(frozen=True)
class UserRow:
    username: str
    password: str
    role: str
    merchant_code: str | None
    display_name: str


@dataclass(frozen=True)
class StockEvent:
    """One stock move of the lived history.

    kind: ``opening`` (count booked in before the history starts), ``receipt`` (from a
    supplier), ``issue`` (to customers) or ``adjustment`` (``qty`` signed). Other kinds
    have ``qty`` > 0. ``lot_no``/``expiry_in_days`` are set for lot-tracked products
    only.
    """

    days_ago: int
    minute: int  # minutes after local midnight
    kind: str
    warehouse: str
    sku: str
    qty: int
    lot_no: str | None
    expiry_in_days: int | None
    reason: str
    supplier_code: str | None = None
    merchant_count: int = 0  # issues: how many merchants the delivery went to


@dataclass(frozen=True)
class DemoData:
    stores: int
    seed: int
    price_grades: tuple[PriceGradeRow, ...]
    categories: tuple[CategoryRow, ...]
    suppliers: tuple[SupplierRow, ...]
    products: tuple[ProductRow, ...]
    product_suppliers: tuple[ProductSupplierRow, ...]
    warehouses: tuple[WarehouseRow, ...]
    slots: tuple[SlotRow, ...]
    merchants: tuple[MerchantRow, ...]
    contacts: tuple[ContactRow, ...]
    merchant_prices: tuple[MerchantPriceRow, ...]
    vehicles: tuple[VehicleRow, ...]
    users: tuple[UserRow, ...]
    stock_events: tuple[StockEvent, ...]
    history_days: int
