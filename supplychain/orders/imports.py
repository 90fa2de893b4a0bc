"""订单导入 order import: group-buy leaders (团长) and sales staff collect orders in a
spreadsheet; one CSV/XLSX file becomes one or many orders, all or nothing.

Columns (header row; English names or the Chinese aliases in ``ALIASES``; other columns,
e.g. a consumer's name or phone, are ignored):
- ``merchant`` — merchant code. Staff: required on every row. A merchant user: leave
  it empty or put the user's own code (so a file prepared by staff still works); any
  other code refuses the row.
- ``sku``, ``qty`` — required. Several rows of the same SKU in one order are added
  up (a group-buy leader's consumers); minimum and step apply to the sum.
- ``delivery_date`` — optional (YYYY-MM-DD; empty = the merchant's next delivery date).
- ``note`` — optional; the distinct notes of an order's rows are joined.
- ``order_ref`` — optional: rows with the same merchant, date and ref form one order;
  without it one order per merchant and date. The ref is put at the front of the note.

Every row is checked first and every problem is listed as ``{"row", "column",
"message"}`` (row = spreadsheet row number, the header is row 1). Then all orders are
placed in ONE transaction through ``services.build_order`` (source ``import``); any
refusal (stock, credit, cutoff) is mapped back to its rows and nothing is written:
``ImportRejected``. Files of more than ``MAX_ROWS`` rows are refused (split them); the
import runs synchronously (≤ 5,000 rows take seconds).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from supplychain import tabular
from supplychain.catalog.models import Product
from supplychain.catalog.rules import order_qty_problem
from supplychain.catalog.values import ParseError, parse_int
from supplychain.database import utcnow
from supplychain.errors import DomainError, ImportRejected, OutOfStock, ValidationFailed
from supplychain.extensions import db
from supplychain.merchants.models import Merchant
from supplychain.orders import idempotency, services
from supplychain.orders.calendar import DeliveryCalendar
from supplychain.orders.models import IdempotencyKey, Order
from supplychain.orders.rules import MAX_LINE_QTY, MAX_LINES, MAX_NOTE
from supplychain.orders.schedule import calendar_for

COLUMNS = ("merchant", "sku", "qty", "delivery_date", "note", "order_ref")
ALIASES = {
    "商户": "merchant", "商户编码": "merchant", "商户代码": "merchant", "门店编码": "merchant",
    "门店": "merchant", "客户编码": "merchant", "商品编码": "sku", "编码": "sku",
    "货号": "sku", "数量": "qty", "订货数量": "qty", "订购数量": "qty",
    "送货日期": "delivery_date", "配送日期": "delivery_date", "交货日期": "delivery_date",
    "备注": "note", "订单号": "order_ref", "单号": "order_ref", "订单参考": "order_ref",
    "团购单号": "order_ref", "参考号": "order_ref",
}  # fmt: skip
MAX_ROWS = 5000
MAX_REF = 40
MAX_PROBLEMS = 100
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d")
_DATE_PROBLEMS = {
    "past": "{date} has passed; orders are for a later date.",
    "holiday": "There are no deliveries on {date} (holiday).",
    "not_delivery_day": "{date} is not a delivery day for this store.",
    "too_far": "{date} is too far ahead; orders open {horizon} days in advance.",
}
TEMPLATE_COLUMNS = list(COLUMNS)


@dataclass(frozen=True)
class ImportedOrder:
    id: int
    number: str
    merchant_code: str
    merchant_name: str
    delivery_date: dt.date
    line_count: int
    total_amount: Decimal


@dataclass(frozen=True)
class ImportResult:
    orders: list[ImportedOrder]
    rows: int  # data rows read

    @property
    def total_amount(self) -> Decimal:
        return sum((o.total_amount for o in self.orders), Decimal("0.00"))

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "total_amount": str(self.total_amount),
            "orders": [
                {
                    "id": o.id,
                    "number": o.number,
                    "merchant": o.merchant_code,
                    "merchant_name": o.merchant_name,
                    "delivery_date": o.delivery_date.isoformat(),
                    "line_count": o.line_count,
                    "total_amount": str(o.total_amount),
                }
                for o in self.orders
            ],
        }


@dataclass
class _Row:
    number: int
    merchant: Merchant
    product: Product
    qty: int
    day: dt.date
    note: str
    ref: str


@dataclass
class _Group:
    """The rows that become one order."""

    merchant: Merchant
    day: dt.date
    ref: str
    rows: list[_Row] = field(default_factory=list)

    def quantities(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for row in self.rows:
            totals[row.product.sku] = totals.get(row.product.sku, 0) + row.qty
        return totals

    def rows_of(self, sku: str) -> list[_Row]:
        return [row for row in self.rows if row.product.sku == sku]

    def note(self) -> str:
        notes: list[str] = []
        for row in self.rows:
            if row.note and row.note not in notes:
                notes.append(row.note)
        text = "; ".join(notes)
        return f"[{self.ref}] {text}".strip() if self.ref else text


class _Context:
    """What row checks need: the user, the file's columns, products, merchants and one
    calendar per merchant."""

    def __init__(self, user: Any, columns: dict[str, str], now: dt.datetime) -> None:
        self.user = user
        self.staff = user is None or services.is_staff(user)
        self.column = columns  # field → the file's header text
        self.now = now
        self.products: dict[str, Product] = {}
        self.merchants: dict[str, Merchant] = {}
        self.calendars: dict[int, DeliveryCalendar] = {}
        self.own: Merchant | None = None

    def calendar(self, merchant: Merchant) -> DeliveryCalendar:
        if merchant.id not in self.calendars:
            self.calendars[merchant.id] = calendar_for(merchant)
        return self.calendars[merchant.id]

    def problem(self, row: int, field_name: str, message: str) -> dict[str, Any]:
        return {
            "row": row,
            "column": self.column.get(field_name, field_name),
            "message": message,
        }


# --- reading the file -----------------------------------------------------------------


def map_columns(columns: list[str], staff: bool) -> tuple[dict[str, str], list[dict]]:
    """field → the file's column name, plus header problems (unknown columns are
    ignored: leaders keep consumers' names and phones beside the order rows)."""
    mapping: dict[str, str] = {}
    problems = []
    for column in columns:
        text = column.strip()
        name = ALIASES.get(text) or text.lower().replace(" ", "_")
        if name not in COLUMNS:
            continue
        if name in mapping:
            problems.append(
                {
                    "row": 1,
                    "column": column,
                    "message": f"Column '{name}' appears twice.",
                }
            )
            continue
        mapping[name] = column
    required = ("merchant", "sku", "qty") if staff else ("sku", "qty")
    for name in required:
        if name not in mapping:
            problems.append(
                {"row": 1, "column": name, "message": f"Missing column '{name}'."}
            )
    return mapping, problems


def _preload(table: tabular.Table, ctx: _Context) -> None:
    def values(name: str) -> set[str]:
        column = ctx.column.get(name)
        return {cells.get(column, "") for _, cells in table.rows} if column else set()

    skus = sorted(values("sku") - {""})
    for start in range(0, len(skus), 500):
        chunk = skus[start : start + 500]
        ctx.products.update(
            (p.sku, p)
            for p in db.session.scalars(
                sa.select(Product).where(Product.sku.in_(chunk))
            )
        )
    codes = sorted(values("merchant") - {""})
    for start in range(0, len(codes), 500):
        chunk = codes[start : start + 500]
        ctx.merchants.update(
            (m.code, m)
            for m in db.session.scalars(
                sa.select(Merchant).where(Merchant.code.in_(chunk))
            )
        )
    if not ctx.staff:
        ctx.own = db.session.get(Merchant, ctx.user.merchant_id)


def parse_date(text: str) -> dt.date:
    """A date as typed or as a spreadsheet exports it ("2026-11-24", "2026/11/24",
    "20261124", "2026-11-24T00:00:00")."""
    cleaned = text.strip()
    cleaned = re.sub(r"[T ]00:00(:00)?$", "", cleaned)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    shown = text if len(text) <= 40 else text[:37] + "..."
    raise ParseError(f"'{shown}' is not a date (YYYY-MM-DD).")


def _merchant_of(number: int, text: str, ctx: _Context, out: list[dict]) -> Any:
    if not ctx.staff:
        own = ctx.own
        if own is None or not own.is_active:
            out.append(ctx.problem(number, "merchant", "Your store cannot order."))
            return None
        if text and text != own.code:
            out.append(
                ctx.problem(
                    number, "merchant",
                    f"You can import orders for your own store ({own.code}) only; "
                    "leave this column empty.",
                )  # fmt: skip
            )
            return None
        return own
    if not text:
        out.append(ctx.problem(number, "merchant", "Required: the merchant code."))
        return None
    merchant = ctx.merchants.get(text)
    if merchant is None:
        out.append(ctx.problem(number, "merchant", f"Unknown merchant '{text[:40]}'."))
        return None
    if not merchant.is_active:
        out.append(ctx.problem(number, "merchant", f"{merchant.code} is deactivated."))
        return None
    return merchant


def _product_of(number: int, text: str, ctx: _Context, out: list[dict]) -> Any:
    product = ctx.products.get(text)
    if not text:
        out.append(ctx.problem(number, "sku", "Required."))
    elif product is None:
        out.append(ctx.problem(number, "sku", f"Unknown SKU '{text[:40]}'."))
    elif not product.is_active:
        out.append(ctx.problem(number, "sku", f"{product.sku} is no longer sold."))
    else:
        return product
    return None


def _qty_of(number: int, text: str, ctx: _Context, out: list[dict]) -> int | None:
    if not text:
        out.append(ctx.problem(number, "qty", "Required."))
        return None
    try:
        qty = parse_int(text)
    except ParseError as error:
        out.append(ctx.problem(number, "qty", str(error)))
        return None
    if qty < 1:
        out.append(ctx.problem(number, "qty", "The quantity must be at least 1."))
    elif qty > MAX_LINE_QTY:
        out.append(
            ctx.problem(
                number, "qty", f"The quantity must be at most {MAX_LINE_QTY:,}."
            )
        )
    else:
        return qty
    return None


def _day_of(
    number: int, text: str, merchant: Merchant | None, ctx: _Context, out: list[dict]
) -> dt.date | None:
    try:
        day = parse_date(text) if text else None
    except ParseError as error:
        out.append(ctx.problem(number, "delivery_date", str(error)))
        return None
    if merchant is None:
        return day
    calendar = ctx.calendar(merchant)
    if day is None:
        return calendar.next_delivery_date(ctx.now)
    problem = calendar.date_problem(day, ctx.now)
    if problem:
        message = _DATE_PROBLEMS[problem].format(
            date=day, horizon=calendar.horizon_days
        )
        out.append(ctx.problem(number, "delivery_date", message))
        return None
    if not calendar.is_open(day, ctx.now):
        cutoff = services.local_text(calendar, calendar.cutoff(day))
        out.append(
            ctx.problem(
                number, "delivery_date",
                f"Orders for {day} closed at {cutoff}; the next delivery date is "
                f"{calendar.next_delivery_date(ctx.now)}.",
            )  # fmt: skip
        )
        return None
    return day


def _text_of(
    number: int, name: str, text: str, limit: int, ctx: _Context, out: list[dict]
) -> str:
    if len(text) > limit:
        out.append(ctx.problem(number, name, f"At most {limit} characters."))
    return text


def _read_row(number: int, cells: dict[str, str], ctx: _Context) -> tuple[Any, list]:
    def cell(name: str) -> str:
        column = ctx.column.get(name)
        return cells.get(column, "").strip() if column else ""

    out: list[dict] = []
    merchant = _merchant_of(number, cell("merchant"), ctx, out)
    product = _product_of(number, cell("sku"), ctx, out)
    qty = _qty_of(number, cell("qty"), ctx, out)
    day = _day_of(number, cell("delivery_date"), merchant, ctx, out)
    note = _text_of(number, "note", cell("note"), MAX_NOTE, ctx, out)
    ref = _text_of(number, "order_ref", cell("order_ref"), MAX_REF, ctx, out)
    if out:
        return None, out
    return _Row(number, merchant, product, qty, day, note, ref), []


def _group_rows(rows: list[_Row]) -> list[_Group]:
    groups: dict[tuple[int, dt.date, str], _Group] = {}
    for row in rows:
        key = (row.merchant.id, row.day, row.ref)
        if key not in groups:
            groups[key] = _Group(row.merchant, row.day, row.ref)
        groups[key].rows.append(row)
    return list(groups.values())  # in the file's order of first rows


def _group_problems(group: _Group, ctx: _Context) -> list[dict]:
    """Checks on an order as a whole: summed quantities, line count, note length."""
    out = []
    first = group.rows[0].number
    for sku, qty in group.quantities().items():
        product = ctx.products[sku]
        rows = group.rows_of(sku)
        summed = f" (rows {', '.join(str(r.number) for r in rows)} add up to {qty})"
        if qty > MAX_LINE_QTY:
            problem: str | None = f"The quantity must be at most {MAX_LINE_QTY:,}."
        else:
            problem = order_qty_problem(qty, product.min_order_qty, product.order_step)
        if problem:
            suffix = summed if len(rows) > 1 else ""
            out += [ctx.problem(r.number, "qty", problem + suffix) for r in rows]
    if len(group.quantities()) > MAX_LINES:
        out.append(
            ctx.problem(
                first, "sku",
                f"The order for {group.merchant.code} on {group.day} has more than "
                f"{MAX_LINES} products; split it with order_ref.",
            )  # fmt: skip
        )
    if len(group.note()) > MAX_NOTE:
        out.append(
            ctx.problem(
                first, "note",
                f"The notes of this order add up to more than {MAX_NOTE} characters.",
            )  # fmt: skip
        )
    return out


# --- placing --------------------------------------------------------------------------


def _refusal(group: _Group, error: DomainError, ctx: _Context) -> list[dict]:
    """A refused order's problems, on the rows they concern."""
    label = f"{group.merchant.code} {group.day}"
    if isinstance(error, OutOfStock):
        out = []
        for line in error.lines:
            for row in group.rows_of(line["sku"]):
                out.append(
                    ctx.problem(
                        row.number, "qty",
                        f"Not enough stock of {line['sku']} for the order of {label}: "
                        f"{line['requested_qty']} wanted, {line['available_qty']} "
                        "available.",
                    )  # fmt: skip
                )
        if out:
            return out
    return [
        ctx.problem(
            row.number, "", f"The order of {label} was refused: {error.message}"
        )
        for row in group.rows[:1]
    ]


def _place(groups: list[_Group], ctx: _Context) -> tuple[list, list[dict]]:
    """Build every order in the session; the problems of refused ones. Stock and
    validation refusals leave the session clean (the ledger undoes a short
    reservation), so the next orders are still checked; any other refusal stops."""
    placed, problems = [], []
    for group in groups:
        lines = [{"sku": sku, "qty": qty} for sku, qty in group.quantities().items()]
        try:
            order = services.build_order(
                ctx.user, group.merchant, lines, delivery_date=group.day,
                note=group.note(), source="import", now=ctx.now,
            )  # fmt: skip
        except (OutOfStock, ValidationFailed) as error:
            problems += _refusal(group, error, ctx)
            continue
        except DomainError as error:
            problems += _refusal(group, error, ctx)
            break
        placed.append((group, order))
    return placed, problems


def _capped(problems: list[dict]) -> list[dict]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    rest = len(problems) - MAX_PROBLEMS
    return problems[:MAX_PROBLEMS] + [
        {
            "row": problems[MAX_PROBLEMS]["row"],
            "column": "",
            "message": f"…and {rest} more problems.",
        }
    ]


def _reject(problems: list[dict]) -> ImportRejected:
    db.session.rollback()
    return ImportRejected(
        _capped(sorted(problems, key=lambda p: p["row"])),
        f"The file was refused: {len(problems)} problem(s); no order was placed.",
    )


def _file_key(data: bytes) -> str:
    return "import:" + hashlib.sha256(data).hexdigest()


def _already_imported(user: Any, key: str) -> ImportRejected | None:
    order_id = idempotency.find_done(user.id, key)
    if order_id is None:
        return None
    number = db.session.scalar(sa.select(Order.number).where(Order.id == order_id))
    return ImportRejected(
        [
            {
                "row": 0,
                "column": "file",
                "message": (
                    f"This file was already imported (orders from {number or '?'}); "
                    "to place its orders a second time, import it again with "
                    "'import again' ticked."
                ),
            }
        ],
        message="This file was already imported; nothing was placed again.",
    )


def _remember(
    user: Any, key: str, placed: list, now: dt.datetime, *, again: bool
) -> None:
    """Record the file (its SHA-256) as this user's import, in the orders' transaction;
    a second identical upload is refused unless asked for (``again``). Without
    ``again`` a concurrent identical import hits the unique key and is refused."""
    table = IdempotencyKey.__table__
    if again:
        db.session.execute(
            sa.delete(table).where(table.c.user_id == user.id, table.c.key == key)
        )
    db.session.execute(
        sa.insert(table).values(
            user_id=user.id,
            key=key,
            request_hash=key[len("import:") :],
            status="done",
            order_id=placed[0][1].id if placed else None,
            claimed_at=now,
        )
    )


def _read_groups(
    table: tabular.Table, user: Any, now: dt.datetime
) -> tuple[list[_Group], _Context]:
    """Every row read and checked, grouped into orders; ImportRejected if any fails."""
    staff = user is None or services.is_staff(user)
    mapping, problems = map_columns(table.columns, staff)
    if problems:
        raise _reject(problems)
    ctx = _Context(user, mapping, now)
    _preload(table, ctx)
    rows: list[_Row] = []
    for number, cells in table.rows:
        row, row_problems = _read_row(number, cells, ctx)
        problems += row_problems
        if row is not None:
            rows.append(row)
    groups = _group_rows(rows)
    for group in groups:
        problems += _group_problems(group, ctx)
    if problems:
        raise _reject(problems)
    return groups, ctx


def import_orders(
    user: Any,
    data: bytes,
    filename: str,
    *,
    again: bool = False,
    now: dt.datetime | None = None,
) -> ImportResult:
    """Place the orders of a CSV/XLSX file, all or nothing (see the module rules).
    ``user`` None imports as the system (staff rules, no user recorded). The same file
    (byte for byte) imported twice by one user is refused the second time unless
    ``again`` — an upload clicked twice must not deliver twice.

    :raise ImportRejected: details ``{"rows": [{"row", "column", "message"}]}``;
        nothing written."""
    now = now or utcnow()
    key = _file_key(data)
    if user is not None and not again and (repeated := _already_imported(user, key)):
        raise repeated
    table = tabular.read_table(data, filename, max_rows=MAX_ROWS)
    groups, ctx = _read_groups(table, user, now)
    try:
        placed, problems = _place(groups, ctx)
        if problems:
            raise _reject(problems)
        result = ImportResult(
            orders=[
                ImportedOrder(
                    id=order.id, number=order.number,
                    merchant_code=group.merchant.code,
                    merchant_name=group.merchant.name,
                    delivery_date=order.delivery_date, line_count=len(order.lines),
                    total_amount=order.total_amount,
                )  # fmt: skip
                for group, order in placed
            ],
            rows=len(table.rows),
        )
        if user is not None:
            _remember(user, key, placed, now, again=again)
        db.session.commit()
    except IntegrityError:  # the same file, imported at this moment by another request
        db.session.rollback()
        raise _already_imported(user, key) or ImportRejected(
            [{"row": 0, "column": "file", "message": "Import the file again."}]
        ) from None
    except BaseException:
        db.session.rollback()
        raise
    return result


def template_file(fmt: str) -> tuple[bytes, str, str]:
    """An empty import file with the header row: (data, filename, mimetype)."""
    columns = TEMPLATE_COLUMNS
    if fmt == "csv":
        return tabular.write_csv(columns, []), "order-import.csv", "text/csv"
    if fmt == "xlsx":
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        data = tabular.write_xlsx(columns, [], title="orders")
        return data, "order-import.xlsx", mimetype
    raise ValidationFailed({"format": ["Choose csv or xlsx."]})


__all__ = [
    "ALIASES",
    "COLUMNS",
    "ImportResult",
    "ImportedOrder",
    "import_orders",
    "map_columns",
    "parse_date",
    "template_file",
]
