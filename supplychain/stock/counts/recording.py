"""盘点 stock counts: the counter's numbers for a bin (page and API), and a manager
sending a bin back for recount."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from supplychain.catalog.models import Product
from supplychain.database import utcnow
from supplychain.errors import (
    Conflict,
    ValidationFailed,
)
from supplychain.extensions import db
from supplychain.messages import Msg, msg
from supplychain.stock.counts.common import (
    COUNTER_ROLES,
    MANAGER_ROLES,
    MAX_COUNT_QTY,
    MAX_ENTRIES,
    MAX_FOUND,
    claim_open,
    closed_error,
    count_bin_of,
    load_count,
    require_role,
)
from supplychain.stock.locations import find_lot
from supplychain.stock.models import (
    Lot,
    StockCount,
    StockCountBin,
    StockCountLine,
)
from supplychain.transactions import one_transaction


@dataclass
class _Item:
    """One counted item as submitted: a listed line (``line_id``) or a product by
    SKU/barcode (and lot); ``fields`` names the form fields errors go to."""

    qty: Any
    qty_field: str
    line_id: int | None = None
    code: Any = None
    lot: Any = None
    code_field: str = ""
    lot_field: str = ""
    # a coded item may fill a listed line (API) or must be a new one (the page's
    # "found here" rows)
    may_match_listed: bool = False
    product: Product | None = None
    lot_row: Lot | None = None


def qty_problem(value: Any) -> Msg | None:
    """Why a counted quantity is not acceptable (None when it is)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return msg("Enter a whole number (0 if there is none).")
    if value < 0:
        return msg("A count cannot be negative.")
    if value > MAX_COUNT_QTY:
        return msg("At most %(n)s.", n=MAX_COUNT_QTY)
    return None


def _product_for(code: str) -> Product | Msg:
    product = db.session.scalar(sa.select(Product).where(Product.sku == code))
    if product is not None:
        return product
    by_barcode = list(
        db.session.scalars(sa.select(Product).where(Product.barcode == code).limit(2))
    )
    if len(by_barcode) == 1:
        return by_barcode[0]
    if by_barcode:
        return msg(
            "Barcode %(code)s belongs to several products: give the SKU.", code=code
        )
    return msg("No product has the SKU or barcode %(code)s.", code=code)


def _resolve(item: _Item, errors: dict[str, list[Msg]]) -> None:
    """Find the product and lot of a coded item, recording problems in ``errors``."""
    code = item.code.strip() if isinstance(item.code, str) else ""
    if not code or len(code) > 64:
        errors[item.code_field] = [msg("Enter the SKU or barcode.")]
        return
    found = _product_for(code)
    if isinstance(found, Msg):
        errors[item.code_field] = [found]
        return
    item.product = found
    lot = item.lot.strip() if isinstance(item.lot, str) else None
    if item.lot is not None and not isinstance(item.lot, str):
        errors[item.lot_field] = [msg("A lot number is text.")]
    elif not found.is_lot_tracked:
        if lot:
            errors[item.lot_field] = [
                msg("%(sku)s is not lot-tracked: leave the lot empty.", sku=found.sku)
            ]
    elif not lot:
        errors[item.lot_field] = [
            msg("%(sku)s is lot-tracked: give the lot number.", sku=found.sku)
        ]
    elif len(lot) > 60:
        errors[item.lot_field] = [msg("A lot number has 1 to 60 characters.")]
    else:
        row = find_lot(found.id, lot)
        if row is not None:
            item.lot_row = row
            return
        owner = db.session.scalar(
            sa.select(Product.sku)
            .join(Lot, Lot.product_id == Product.id)
            .where(Lot.lot_no == lot)
            .limit(1)
        )
        errors[item.lot_field] = [
            (
                msg(
                    "Lot %(lot)s belongs to product %(sku)s.",
                    lot=lot,
                    sku=owner,
                )
                if owner
                else msg(
                    "%(sku)s has no lot %(lot)s: receive new lots with a receipt.",
                    sku=found.sku,
                    lot=lot,
                )
            )
        ]


class _Entries:
    """Sorts submitted items into listed lines' numbers and found items, collecting
    field errors."""

    def __init__(self, count_bin: StockCountBin) -> None:
        self.listed = {line.id: line for line in count_bin.lines if not line.is_added}
        self.by_key = {(ln.product_id, ln.lot_key): ln for ln in self.listed.values()}
        self.errors: dict[str, list[Msg]] = {}
        self.values: dict[int, int] = {}  # listed line id → counted
        self.touched: set[int] = set()  # listed lines some item addressed
        self.found: dict[tuple[int, int], tuple[_Item, int]] = {}

    def take(self, item: _Item) -> None:
        problem = qty_problem(item.qty)
        if problem is not None:
            self.errors[item.qty_field] = [problem]
        if item.line_id is not None:
            if item.line_id not in self.listed:
                self.errors[item.qty_field] = [msg("This line is not in this bin.")]
                return
            self._fill(self.listed[item.line_id], item, problem)
            return
        _resolve(item, self.errors)
        if item.product is None or item.lot_field in self.errors:
            return
        key = (item.product.id, item.lot_row.id if item.lot_row else 0)
        line = self.by_key.get(key)
        if line is not None and not item.may_match_listed:
            self.errors[item.code_field] = [
                msg("This item is listed above: enter its count on its line.")
            ]
        elif (line is not None and line.id in self.touched) or key in self.found:
            self.errors[item.code_field] = [msg("This item is entered twice.")]
        elif line is not None:
            self._fill(line, item, problem)
        elif problem is None:
            self.found[key] = (item, item.qty)

    def _fill(self, line: StockCountLine, item: _Item, problem: Msg | None) -> None:
        self.touched.add(line.id)
        if problem is None:
            self.values[line.id] = item.qty

    def check_missing(self, missing_field: str | None) -> None:
        """Every listed line needs a number: on its own field (the page) or listed
        on ``missing_field`` (the API)."""
        missing = [ln for i, ln in self.listed.items() if i not in self.touched]
        if not missing:
            return
        if missing_field is None:
            for line in missing:
                self.errors[f"line_{line.id}"] = [
                    msg("Enter the count (0 if there is none).")
                ]
            return
        self.errors.setdefault(missing_field, []).append(
            msg(
                "Count every listed item; missing: %(items)s.",
                items=", ".join(_line_label(line) for line in missing),
            )
        )


def _open_bin(count_id: int, bin_id: int) -> tuple[StockCount, StockCountBin]:
    """The count (open) and its bin (active).

    :raise NotFound: unknown count or bin not in it.
    :raise Conflict: the count is closed or the bin was deactivated.
    """
    count = load_count(count_id)
    if count.status != "counting":
        raise closed_error(count)
    count_bin = count_bin_of(count, bin_id)
    bin_ = count_bin.bin
    if not bin_.is_active or bin_.warehouse_id != count.warehouse_id:
        raise Conflict(
            msg(
                "Bin %(bin)s is no longer active: it cannot be counted. "
                "Cancel the count and start another without it.",
                bin=bin_.code,
            )
        )
    return count, count_bin


def _record(
    count_id: int, bin_id: int, items: list[_Item], user: Any, missing_field: str | None
) -> StockCountBin:
    require_role(user, COUNTER_ROLES, msg("Only warehouse staff count stock."))
    with one_transaction():
        count, count_bin = _open_bin(count_id, bin_id)
        entries = _Entries(count_bin)
        for item in items:
            entries.take(item)
        entries.check_missing(missing_field)
        if entries.errors:
            raise ValidationFailed(entries.errors)
        claim_open(count)
        for line_id, qty in entries.values.items():
            line = entries.listed[line_id]
            line.counted_qty = qty
            line.expected_qty = line.variance_qty = line.variance_value = None
        _replace_added(count_bin, entries.found)
        count_bin.status = "counted"
        count_bin.counted_at = utcnow()
        count_bin.counted_by_id = user.id
    return count_bin


def _line_label(line: StockCountLine) -> str:
    return line.product.sku + (f" ({line.lot.lot_no})" if line.lot else "")


def _replace_added(
    count_bin: StockCountBin, found: Mapping[tuple[int, int], tuple[_Item, int]]
) -> None:
    """Make the bin's added lines exactly ``found`` (a recount replaces them)."""
    existing = {
        (line.product_id, line.lot_key): line
        for line in count_bin.lines
        if line.is_added
    }
    for key, line in existing.items():
        if key not in found:
            count_bin.lines.remove(line)
            db.session.delete(line)
    for key, (item, qty) in found.items():
        line = existing.get(key)
        if line is None:
            line = StockCountLine(
                count_id=count_bin.count_id,
                product_id=key[0],
                lot_id=key[1] or None,
                lot_key=key[1],
                snapshot_qty=0,
                is_added=True,
            )
            count_bin.lines.append(line)
        line.counted_qty = qty
        line.expected_qty = line.variance_qty = line.variance_value = None


@dataclass(frozen=True)
class FoundItem:
    """Something found in a bin that was not listed: a SKU or barcode, the lot
    (lot-tracked products) and the quantity."""

    code: str
    qty: Any
    lot: str | None = None


def record_bin_count(
    count_id: int,
    bin_id: int,
    entries: Mapping[int, Any],
    *,
    user: Any,
    added: Sequence[FoundItem] = (),
) -> StockCountBin:
    """The counter's numbers for a bin: ``entries`` maps every listed line id to its
    counted quantity (0 allowed), ``added`` lists what was found that was not listed.
    Sets the bin counted (now, by ``user``). Counting a bin again while the count is
    open replaces the numbers, the found items and the time.

    Field errors: ``line_<id>`` for a listed line, ``found_<i>_code`` / ``_lot`` /
    ``_qty`` for the i-th found item (the page's field names).

    :raise PermissionDenied: not warehouse staff.
    :raise NotFound: unknown count, or the bin is not in it.
    :raise Conflict: the count is approved or cancelled, the bin was deactivated.
    :raise ValidationFailed: missing, negative, non-integer or absurd quantities,
        unknown SKUs or barcodes, a lot missing, unknown or of another product, an
        item listed twice.
    """
    if len(added) > MAX_FOUND:
        raise ValidationFailed(
            {"found": [msg("At most %(n)s found items at a time.", n=MAX_FOUND)]}
        )
    items = [
        _Item(qty=qty, qty_field=f"line_{line_id}", line_id=line_id)
        for line_id, qty in entries.items()
    ] + [
        _Item(
            qty=item.qty,
            qty_field=f"found_{i}_qty",
            code=item.code,
            lot=item.lot,
            code_field=f"found_{i}_code",
            lot_field=f"found_{i}_lot",
        )
        for i, item in enumerate(added)
    ]
    return _record(count_id, bin_id, items, user, missing_field=None)


def record_bin_items(
    count_id: int, bin_id: int, entries: Sequence[Mapping[str, Any]], *, user: Any
) -> StockCountBin:
    """The same for API clients: ``entries`` = every item counted in the bin, each
    ``{"sku" or "barcode", "lot" (lot-tracked), "qty"}``. Entries matching a listed
    line fill it; the others are found items. Every listed line needs an entry.

    Field errors: ``entries.<i>.sku`` / ``.lot`` / ``.qty``; ``entries`` for listed
    items left out.
    """
    if len(entries) > MAX_ENTRIES:
        raise ValidationFailed(
            {"entries": [msg("At most %(n)s entries.", n=MAX_ENTRIES)]}
        )
    items = [
        _Item(
            qty=entry.get("qty"),
            qty_field=f"entries.{i}.qty",
            code=entry.get("sku") or entry.get("barcode"),
            lot=entry.get("lot"),
            code_field=f"entries.{i}.sku",
            lot_field=f"entries.{i}.lot",
            may_match_listed=True,
        )
        for i, entry in enumerate(entries)
    ]
    return _record(count_id, bin_id, items, user, missing_field="entries")


def reset_bin(count_id: int, bin_id: int, user: Any) -> StockCountBin:
    """Send a counted bin back for recount: its numbers and found items are cleared
    and it is pending again.

    :raise PermissionDenied: not a warehouse manager.
    :raise NotFound: unknown count or bin not in it.
    :raise Conflict: the count is approved or cancelled.
    """
    require_role(
        user,
        MANAGER_ROLES,
        msg("Only a warehouse manager sends bins back for recount."),
    )
    with one_transaction():
        count = load_count(count_id)
        count_bin = count_bin_of(count, bin_id)
        claim_open(count)
        for line in list(count_bin.lines):
            if line.is_added:
                count_bin.lines.remove(line)
                db.session.delete(line)
            else:
                line.counted_qty = None
                line.expected_qty = line.variance_qty = line.variance_value = None
        count_bin.status = "pending"
        count_bin.counted_at = None
        count_bin.counted_by_id = None
    return count_bin
