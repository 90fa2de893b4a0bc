"""库存单据 input checks: the syntax and references of a document's header and lines
(SKU or bar code, quantity, bins, lots and dates, cost), collected over the whole
document as field errors keyed ``lines.<i>.<field>`` before anything is posted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from supplychain.auth.models import User
from supplychain.catalog.models import Product
from supplychain.database import MAX_MONEY, to_money
from supplychain.errors import NotFound, PermissionDenied, ValidationFailed
from supplychain.extensions import db
from supplychain.messages import msg
from supplychain.stock import ledger
from supplychain.stock.locations import MAX_LOT_NO
from supplychain.stock.models import Bin, Lot, Warehouse

MAX_LINES = 200


MAX_NOTE = 500


MAX_LINE_NOTE = 200


MAX_EXTERNAL_REF = 60


MAX_TOKEN = 255


MAX_ID = 2**31 - 1  # ids are INTEGER: a larger one can only be unknown


ISSUE_DESTINATIONS = ("customer", "supplier")


_BASE_FIELDS = ("sku", "product_id", "qty", "lot", "bin", "note")


_DATES = ("production_date", "expiry_date")


# the line fields each kind takes; anything else on a line is refused
LINE_FIELDS: dict[str, tuple[str, ...]] = {
    "receipt": _BASE_FIELDS + _DATES + ("unit_cost",),
    "issue": _BASE_FIELDS,
    "move": _BASE_FIELDS + ("to_bin",),
    "transfer": _BASE_FIELDS,
    "adjustment": _BASE_FIELDS + _DATES + ("unit_cost",),
    "return": _BASE_FIELDS + _DATES,
    "scrap": _BASE_FIELDS,
}


class _Errors:
    """Field errors collected over the whole document (marshmallow shape)."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)

    def line(self, index: int, name: str, message: str) -> None:
        self.add(f"lines.{index}.{name}", message)

    def merge_line(self, index: int, errors: Mapping[str, Any]) -> None:
        """A ledger refusal of one line, its keys put under that line."""
        for key, messages in errors.items():
            for message in messages if isinstance(messages, list) else [messages]:
                self.line(index, key, message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)


@dataclass
class _Line:
    """One submitted line after the syntax checks (semantics are checked per kind)."""

    index: int
    product: Product
    qty: int  # signed on adjustments
    lot: str | None = None
    production_date: dt.date | None = None
    expiry_date: dt.date | None = None
    bin: Bin | None = None
    to_bin: Bin | None = None
    unit_cost: Decimal | None = None
    note: str = ""
    found_lot: Lot | None = None


def _text(value: Any, limit: int, key: str, errors: _Errors) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.add(key, msg("Must be text."))
        return ""
    value = value.strip()
    if len(value) > limit:
        errors.add(key, msg("At most %(n)s characters.", n=limit))
    return value


def _whole(value: Any, *, signed: bool) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    if signed:
        return value if value != 0 and abs(value) <= ledger.MAX_MOVE_QTY else None
    return value if 0 < value <= ledger.MAX_MOVE_QTY else None


def _products(raw_lines: Sequence[Mapping[str, Any]]) -> dict[str, Product]:
    """Products by SKU (or, failing that, by a bar code only one product has), in
    two queries for the whole document."""
    codes = {
        line["sku"].strip()
        for line in raw_lines
        if isinstance(line.get("sku"), str) and line["sku"].strip()
    }
    if not codes:
        return {}
    found = {
        p.sku: p
        for p in db.session.scalars(sa.select(Product).where(Product.sku.in_(codes)))
    }
    missing = codes - set(found)
    if missing:
        by_barcode: dict[str, list[Product]] = {}
        for product in db.session.scalars(
            sa.select(Product).where(Product.barcode.in_(missing))
        ):
            by_barcode.setdefault(product.barcode or "", []).append(product)
        for code, products in by_barcode.items():
            if len(products) == 1:
                found[code] = products[0]
    return found


class _Bins:
    """Bins of one warehouse by code, each looked up once."""

    def __init__(self, warehouse: Warehouse) -> None:
        self.warehouse = warehouse
        self._cache: dict[str, Bin | None] = {}

    def get(self, code: str) -> Bin | None:
        code = code.strip().upper()
        if code not in self._cache:
            self._cache[code] = db.session.scalar(
                sa.select(Bin).where(
                    Bin.warehouse_id == self.warehouse.id, Bin.code == code
                )
            )
        return self._cache[code]


def _bin(
    value: Any,
    bins: _Bins,
    index: int,
    name: str,
    errors: _Errors,
    *,
    destination: bool,
) -> Bin | None:
    """A line's bin by code. Goods may leave an inactive bin (to empty it) but never go
    into one."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value.strip()) > 30:
        errors.line(index, name, msg("Give a bin code."))
        return None
    found = bins.get(value)
    if found is None:
        errors.line(
            index,
            name,
            msg(
                "No bin %(code)s in warehouse %(warehouse)s.",
                code=value.strip().upper(),
                warehouse=bins.warehouse.code,
            ),
        )
    elif destination and not found.is_active:
        errors.line(index, name, msg("Bin %(code)s is not active.", code=found.code))
    return found


def _parse_lines(
    kind: str,
    raw_lines: Any,
    bins: _Bins,
    errors: _Errors,
    *,
    destination_bin: bool,
) -> list[_Line]:
    """Syntax and references of every line (SKU, qty, bins, lots, dates, cost)."""
    if (
        not isinstance(raw_lines, Sequence)
        or isinstance(raw_lines, (str, bytes))
        or not raw_lines
    ):
        errors.add("lines", msg("Give at least one line."))
        return []
    if len(raw_lines) > MAX_LINES:
        errors.add("lines", msg("At most %(n)s lines per document.", n=MAX_LINES))
        return []
    if not all(isinstance(raw, Mapping) for raw in raw_lines):
        errors.add("lines", msg("Each line must be an object."))
        return []
    products = _products(raw_lines)
    allowed = LINE_FIELDS[kind]
    parsed: list[_Line] = []
    for index, raw in enumerate(raw_lines):
        line = _parse_line(kind, index, raw, products, bins, errors, destination_bin)
        for name in sorted(set(raw) - set(allowed)):
            if raw[name] not in (None, ""):
                errors.line(index, name, msg("Not used on this kind of document."))
        if line is not None:
            parsed.append(line)
    return parsed


def _parse_line(
    kind: str,
    index: int,
    raw: Mapping[str, Any],
    products: dict[str, Product],
    bins: _Bins,
    errors: _Errors,
    destination_bin: bool,
) -> _Line | None:
    product = _line_product(index, raw, products, errors)
    signed = kind == "adjustment"
    qty = _whole(raw.get("qty"), signed=signed)
    if qty is None:
        errors.line(
            index,
            "qty",
            (
                msg(
                    "Must be a non-zero whole number from -%(n)s to %(n)s.",
                    n=ledger.MAX_MOVE_QTY,
                )
                if signed
                else msg(
                    "Must be a whole number from 1 to %(n)s.", n=ledger.MAX_MOVE_QTY
                )
            ),
        )
    lot = raw.get("lot")
    if lot in (None, ""):
        lot = None
    elif not isinstance(lot, str) or not 0 < len(lot.strip()) <= MAX_LOT_NO:
        errors.line(
            index, "lot", msg("A lot number has 1 to %(n)s characters.", n=MAX_LOT_NO)
        )
        lot = None
    else:
        lot = lot.strip()
    dates = {}
    for name in _DATES:
        value = raw.get(name)
        if value is not None and (
            not isinstance(value, dt.date) or isinstance(value, dt.datetime)
        ):
            errors.line(index, name, msg("Give a date (YYYY-MM-DD)."))
            value = None
        dates[name] = value
    if (
        dates["production_date"]
        and dates["expiry_date"]
        and dates["expiry_date"] < dates["production_date"]
    ):
        errors.line(
            index, "expiry_date", msg("The expiry date is before the production date.")
        )
    into = destination_bin and not (signed and qty is not None and qty < 0)
    bin_ = _bin(raw.get("bin"), bins, index, "bin", errors, destination=into)
    to_bin = _bin(raw.get("to_bin"), bins, index, "to_bin", errors, destination=True)
    unit_cost = _unit_cost(index, raw.get("unit_cost"), qty, errors)
    note = _text(raw.get("note"), MAX_LINE_NOTE, f"lines.{index}.note", errors)
    if product is None or qty is None:
        return None
    line = _Line(index, product, qty, lot, bin=bin_, to_bin=to_bin, note=note)
    line.production_date = dates["production_date"]
    line.expiry_date = dates["expiry_date"]
    line.unit_cost = unit_cost
    incoming = kind in ("receipt", "return") or (signed and qty > 0)
    _check_lot(line, errors, incoming=incoming, lot_required=incoming or signed)
    return line


def _line_product(
    index: int, raw: Mapping[str, Any], products: dict[str, Product], errors: _Errors
) -> Product | None:
    product_id = raw.get("product_id")
    if product_id is not None:
        product = (
            db.session.get(Product, product_id)
            if isinstance(product_id, int)
            and not isinstance(product_id, bool)
            and 0 < product_id <= MAX_ID
            else None
        )
        if product is None:
            errors.line(index, "product_id", msg("Unknown product."))
        return product
    sku = raw.get("sku")
    if not isinstance(sku, str) or not sku.strip():
        errors.line(index, "sku", msg("Give the SKU or bar code."))
        return None
    product = products.get(sku.strip())
    if product is None:
        errors.line(index, "sku", msg("Unknown SKU '%(sku)s'.", sku=sku.strip()))
    return product


def _unit_cost(
    index: int, value: Any, qty: int | None, errors: _Errors
) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        try:
            value = Decimal(value)
        except ArithmeticError:
            value = None
    if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
        errors.line(index, "unit_cost", msg("Give a cost from 0 upwards."))
        return None
    value = to_money(value)
    if value * abs(qty or 1) > MAX_MONEY:
        errors.line(index, "unit_cost", msg("The value is out of range."))
        return None
    return value


def _check_lot(
    line: _Line, errors: _Errors, *, incoming: bool, lot_required: bool
) -> None:
    """Lot rules that can be checked before anything is posted: a lot-tracked product
    names its lot where one is needed, other products have none, a lot number belongs
    to one product, and dates agree with the recorded ones."""
    i = line.index
    if not line.product.is_lot_tracked:
        if line.lot:
            errors.line(i, "lot", msg("This product is not lot-tracked."))
        for name in _DATES:
            if getattr(line, name) is not None:
                errors.line(i, name, msg("Only lot-tracked products have one."))
    elif line.lot is None:
        if lot_required:
            errors.line(
                i, "lot", msg("This product is lot-tracked: give the lot number.")
            )
    else:
        _check_lot_number(line, errors, incoming=incoming)


def _check_lot_number(line: _Line, errors: _Errors, *, incoming: bool) -> None:
    i = line.index
    lots = list(db.session.scalars(sa.select(Lot).where(Lot.lot_no == line.lot)))
    mine = next((lot for lot in lots if lot.product_id == line.product.id), None)
    other = next((lot for lot in lots if lot.product_id != line.product.id), None)
    if mine is None and other is not None:
        errors.line(
            i,
            "lot",
            msg(
                "Lot %(lot)s is already used for product %(sku)s.",
                lot=line.lot,
                sku=other.product.sku,
            ),
        )
    elif mine is None and not incoming:
        errors.line(
            i, "lot", msg("Unknown lot '%(lot)s' for this product.", lot=line.lot)
        )
    elif mine is not None:
        line.found_lot = mine
        for name in _DATES:
            given, recorded = getattr(line, name), getattr(mine, name)
            if given is not None and recorded is not None and given != recorded:
                errors.line(
                    i,
                    name,
                    msg(
                        "Lot %(lot)s has %(date)s on record.",
                        lot=line.lot,
                        date=recorded.isoformat(),
                    ),
                )


def _effective_expiry(line: _Line) -> dt.date | None:
    if line.expiry_date is not None:
        return line.expiry_date
    return line.found_lot.expiry_date if line.found_lot is not None else None


@dataclass
class _Header:
    kind: str
    warehouse: Warehouse | None
    values: dict[str, Any] = field(default_factory=dict)


def _check_user(user_id: int | None) -> None:
    if user_id is None:
        return
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(msg("User %(id)s does not exist.", id=user_id))
    if user.role == "merchant":
        raise PermissionDenied(msg("Merchant users cannot post stock documents."))


def _warehouse(
    code: str | None, key: str, errors: _Errors, *, active: bool
) -> Warehouse | None:
    if code is None or (isinstance(code, str) and not code.strip()):
        if key != "warehouse":
            errors.add(key, msg("Choose the destination warehouse."))
            return None
        warehouse = db.session.scalar(sa.select(Warehouse).where(Warehouse.is_default))
    elif not isinstance(code, str) or len(code.strip()) > 20:
        warehouse = None
    else:
        warehouse = db.session.scalar(
            sa.select(Warehouse).where(Warehouse.code == code.strip().upper())
        )
    if warehouse is None:
        errors.add(key, msg("Unknown warehouse '%(code)s'.", code=code))
    elif active and not warehouse.is_active:
        errors.add(key, msg("Warehouse %(code)s is not active.", code=warehouse.code))
    return warehouse


_UNKNOWN = {
    "supplier": msg("Unknown supplier."),
    "merchant": msg("Unknown merchant."),
}


def _party(
    model: type,
    key: str,
    party_id: Any,
    code: Any,
    errors: _Errors,
) -> Any:
    """A supplier or merchant by id or by code (None when neither is given)."""
    if party_id is not None:
        if (
            isinstance(party_id, int)
            and not isinstance(party_id, bool)
            and 0 < party_id <= MAX_ID
        ):
            found = db.session.get(model, party_id)
        else:
            found = None
        if found is None:
            errors.add(key, _UNKNOWN[key])
        return found
    if code is None or code == "":
        return None
    found = (
        db.session.scalar(sa.select(model).where(model.code == code.strip()))
        if isinstance(code, str)
        else None
    )
    if found is None:
        errors.add(key, _UNKNOWN[key])
    return found


def _header(
    kind: str,
    errors: _Errors,
    *,
    warehouse_code: str | None,
    active_warehouse: bool,
    note: Any = "",
    external_ref: Any = "",
    user_id: int | None = None,
) -> _Header:
    _check_user(user_id)
    warehouse = _warehouse(warehouse_code, "warehouse", errors, active=active_warehouse)
    return _Header(
        kind,
        warehouse,
        {
            "note": _text(note, MAX_NOTE, "note", errors),
            "external_ref": _text(
                external_ref, MAX_EXTERNAL_REF, "external_ref", errors
            ),
            "created_by_id": user_id,
        },
    )


def _lines_for(
    header: _Header,
    kind: str,
    lines: Any,
    errors: _Errors,
    *,
    destination_bin: bool,
) -> list[_Line]:
    if header.warehouse is None:
        return []
    return _parse_lines(
        kind, lines, _Bins(header.warehouse), errors, destination_bin=destination_bin
    )
