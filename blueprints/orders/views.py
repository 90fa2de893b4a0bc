"""订单生成 ordering pages, phone first: the shop (catalogue at the merchant's prices,
− / + quantities, cart badge, delivery date and cutoff countdown), the cart and
submit, order history, an order's page (change, cancel a line or the order, repeat,
print the confirmation), the frequent-items list (常买清单), and staff entry on behalf
of a merchant (sales, admin: ``?merchant=CODE`` on the same pages).

The web submit is idempotent through the cart token (``"cart:" + token``): a double
click or a second tab showing the same cart places one order; a cart changed since the
page was shown is sent back for review.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import (
    Blueprint,
    Response,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from blueprints.auth.decorators import roles_required
from blueprints.i18n import localize
from blueprints.orders import forms
from supplychain.catalog.queries import category_choices, products_query
from supplychain.catalog.services import get_product, prices_for
from supplychain.database import utcnow
from supplychain.errors import (
    Conflict,
    CreditLimitExceeded,
    IdempotencyKeyInUse,
    NotFound,
    OrderCutoffPassed,
    OutOfStock,
    ValidationFailed,
)
from supplychain.merchants.models import Merchant
from supplychain.merchants.queries import merchants_query
from supplychain.merchants.services import get_merchant
from supplychain.orders import cart as carts
from supplychain.orders import idempotency, queries, services
from supplychain.orders.calendar import DeliveryCalendar
from supplychain.orders.documents import confirmation_pdf
from supplychain.orders.models import ORDER_STATUSES, Order
from supplychain.orders.rules import CANCELLABLE_STATUSES, EDITABLE_STATUSES
from supplychain.orders.schedule import calendar_for
from supplychain.paging import page_of
from supplychain.stock.queries import available_for, default_warehouse

bp = Blueprint("orders", __name__, url_prefix="/orders", template_folder="templates")

ENTRY_ROLES = ("admin", "sales")  # staff who order on behalf of a merchant
ORDER_ROLES = ("merchant",) + ENTRY_ROLES
VIEW_ROLES = ORDER_ROLES + ("buyer", "warehouse", "finance", "dispatcher")
SHOP_PER_PAGE = 24
PER_PAGE = 30
BACK_PAGES = ("shop", "cart", "frequent")

STATUS_LABELS = {
    "placed": _l("Placed"),
    "confirmed": _l("Confirmed"),
    "picking": _l("Picking"),
    "delivered": _l("Delivered"),
    "invoiced": _l("Invoiced"),
    "cancelled": _l("Cancelled"),
}
STATUS_BADGES = {"placed": "warn", "confirmed": "ok", "cancelled": "bad"}
SOURCE_LABELS = {
    "web": _l("Web"),
    "api": _l("API"),
    "staff": _l("Staff"),
    "import": _l("Import"),
    "standing": _l("Standing order"),
}


# --- who orders for whom --------------------------------------------------------------


@dataclass(frozen=True)
class Ordering:
    """The merchant the pages order for, and whether a staff user does it for them."""

    merchant: Merchant
    staff: bool

    @property
    def args(self) -> dict[str, str]:
        return {"merchant": self.merchant.code} if self.staff else {}

    def url(self, endpoint: str, **values: Any) -> str:
        return url_for(endpoint, **self.args, **values)


def _ordering() -> Ordering | None:
    """A merchant user orders for its own merchant; sales/admin for ``?merchant=CODE``
    (None: no merchant chosen yet). An unknown code is a 404."""
    if current_user.role == "merchant":
        return Ordering(current_user.merchant, staff=False)
    code = (request.values.get("merchant") or "").strip()
    if not code:
        return None
    return Ordering(get_merchant(code), staff=True)


def _choose_merchant() -> Response:
    flash(_("Choose the merchant you are ordering for."), "info")
    return redirect(url_for("orders.new"), 303)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


# --- delivery date and cutoff ---------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """The delivery date an order placed now is for, and when ordering for it ends."""

    delivery_date: dt.date
    cutoff_at: dt.datetime  # aware UTC
    seconds_left: int

    @property
    def cutoff_iso(self) -> str:
        return self.cutoff_at.isoformat()


def _deadline(calendar: DeliveryCalendar, now: dt.datetime) -> Deadline:
    day = calendar.next_delivery_date(now)
    cutoff = calendar.cutoff(day)
    return Deadline(day, cutoff, max(0, int((cutoff - now).total_seconds())))


def _date_choices(
    calendar: DeliveryCalendar, now: dt.datetime, *, staff: bool
) -> list[tuple[str, str]]:
    """(value, label) of the delivery dates one may order for; staff also get the
    dates whose cutoff has passed (a late order needs a reason)."""
    open_dates = calendar.open_dates(now)
    dates = list(open_dates)
    if staff:
        day = calendar.local_date(now) + dt.timedelta(days=1)
        late = []
        while day < open_dates[0]:
            if calendar.date_problem(day, now) is None:
                late.append(day)
            day += dt.timedelta(days=1)
        dates = late + dates
    choices = []
    for day in dates:
        label = f"{day.isoformat()} {format_date(day, 'EEE')}"
        if day in open_dates:
            cutoff = format_datetime(calendar.cutoff(day), "MM-dd HH:mm")
            label += " · " + _("order by %(time)s", time=cutoff)
        else:
            label += " · " + _("cutoff passed: late order, reason needed")
        choices.append((day.isoformat(), label))
    return choices


# --- shop -----------------------------------------------------------------------------


def _page_number(args: Any) -> int:
    text = str(args.get("page") or "1")
    return max(1, int(text)) if text.isdigit() and len(text) < 7 else 1


def _shop_args(args: Any) -> dict[str, str]:
    """The shop's filters, as they travel in links and hidden inputs."""
    kept = {
        "q": (args.get("q") or "").strip()[:200],
        "category": (args.get("category") or "").strip()[:30],
        "page": str(_page_number(args)),
    }
    return {key: value for key, value in kept.items() if value and value != "1"}


def _cart_summary(ctx: Ordering) -> carts.Cart:
    return carts.get_cart(current_user.id, ctx.merchant.id)


def _render_shop(
    ctx: Ordering,
    args: Any,
    *,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Any:
    filters = _shop_args(args)
    stmt = products_query(
        q=filters.get("q"), category=filters.get("category") or None, active=True
    )
    page = page_of(stmt, _page_number(args), SHOP_PER_PAGE)
    prices = prices_for([p.id for p in page.items], ctx.merchant.id)
    warehouse = default_warehouse()
    available = available_for([p.id for p in page.items if p.is_stocked], warehouse.id)
    cart = _cart_summary(ctx)
    now = utcnow()
    return (
        render_template(
            "orders/shop.html", ctx=ctx, page=page, prices=prices,
            available=available, cart=cart,
            in_cart={item.product.id: item.qty for item in cart.items},
            filters=filters, categories=category_choices(),
            deadline=_deadline(calendar_for(ctx.merchant), now),
            errors=errors or {}, values=values or {},
        ),
        status,
    )  # fmt: skip


@bp.route("/shop")
@roles_required(*ORDER_ROLES)
def shop() -> Any:
    """Order goods: the catalogue at the merchant's prices with quantity steppers."""
    ctx = _ordering()
    if ctx is None:
        return _choose_merchant()
    return _render_shop(ctx, request.args)


def _step_or_typed(form: Any, sku: str) -> tuple[int | None, str]:
    """The quantity a stepper form asks for: typed, or stepped from the typed value by
    − / +. (None, raw text) when the typed text is not a whole number."""
    raw = (form.get("qty") or "").strip()
    qty = forms.parse_qty(raw)
    step = form.get("step")
    if step not in ("-1", "1"):
        return qty, raw
    try:
        product = get_product(sku, active_only=True)
    except NotFound:
        return qty, raw  # set_qty reports the unknown SKU
    direction = 1 if step == "1" else -1
    return forms.stepped_qty(qty or 0, direction, product.min_order_qty,
                             product.order_step), raw  # fmt: skip


def _set_qty_failed(
    ctx: Ordering, back: str, sku: str, raw: str, messages: list[str]
) -> Any:
    if _wants_json():
        body = {"error": {"code": "validation_error", "message": " ".join(messages),
                          "details": {"qty": messages}}}  # fmt: skip
        return jsonify(body), 422
    errors, values = {sku: messages}, {sku: raw}
    if back == "cart":
        return _render_cart(ctx, line_errors=errors, values=values, status=422)
    if back == "frequent":
        return _render_frequent(ctx, errors=errors, values=values, status=422)
    return _render_shop(ctx, request.form, errors=errors, values=values, status=422)


@bp.route("/cart/set", methods=["POST"])
@roles_required(*ORDER_ROLES)
def set_qty() -> Any:
    """Put a quantity of a product in the cart (0 removes it); − / + step it."""
    ctx = _ordering()
    if ctx is None:
        return _choose_merchant()
    sku = (request.form.get("sku") or "").strip()[:40]
    back = (
        request.form.get("back") if request.form.get("back") in BACK_PAGES else "shop"
    )
    qty, raw = _step_or_typed(request.form, sku)
    if qty is None:
        message = _("Enter a whole number of at most %(max)s.", max="1,000,000")
        return _set_qty_failed(ctx, back, sku, raw, [message])
    try:
        carts.set_qty(current_user.id, ctx.merchant.id, sku, qty)
    except ValidationFailed as error:
        fields, _lines = forms.split_errors(error.errors, [])
        messages = [m for value in fields.values() for m in value]
        return _set_qty_failed(ctx, back, sku, raw, messages)
    cart = _cart_summary(ctx)
    if _wants_json():
        line = next((item for item in cart.items if item.product.sku == sku), None)
        return jsonify(
            sku=sku, qty=qty, count=cart.count, total=str(cart.total),
            line_amount=str(line.line_amount) if line else "0.00", token=cart.token,
        )  # fmt: skip
    flash(_("Cart updated: %(sku)s × %(qty)s.", sku=sku, qty=qty), "success")
    args = _shop_args(request.form) if back == "shop" else {}
    return redirect(ctx.url(f"orders.{back}", **args, _anchor=f"p-{sku}"), 303)


# --- cart and submit ------------------------------------------------------------------


def _render_cart(
    ctx: Ordering,
    *,
    errors: dict[str, list[str]] | None = None,
    line_errors: dict[str, list[str]] | None = None,
    values: dict[str, str] | None = None,
    shortages: dict[str, int] | None = None,
    credit: dict[str, str] | None = None,
    status: int = 200,
) -> Any:
    cart = _cart_summary(ctx)
    calendar = calendar_for(ctx.merchant)
    now = utcnow()
    form = request.form if request.method == "POST" else {}
    return (
        render_template(
            "orders/cart.html", ctx=ctx, cart=cart,
            deadline=_deadline(calendar, now),
            dates=_date_choices(calendar, now, staff=ctx.staff),
            form=form, errors=errors or {}, line_errors=line_errors or {},
            values=values or {}, shortages=shortages or {}, credit=credit,
            largest_valid_qty=forms.largest_valid_qty,
        ),
        status,
    )  # fmt: skip


@bp.route("/cart")
@roles_required(*ORDER_ROLES)
def cart() -> Any:
    """Review the cart: lines, problems, totals, delivery date, note, submit."""
    ctx = _ordering()
    if ctx is None:
        return _choose_merchant()
    return _render_cart(ctx)


def _placed_order_url(order_id: int) -> str:
    order = services.get_order(current_user, order_id)
    return url_for("orders.detail", number=order.number)


def _refused(ctx: Ordering, error: Exception, skus: list[str]) -> Any:
    """A refused submit, shown on the cart next to what caused it."""
    if isinstance(error, ValidationFailed):
        fields, lines = forms.split_errors(error.errors, skus)
        return _render_cart(ctx, errors=fields, line_errors=lines, status=422)
    if isinstance(error, OutOfStock):
        short = {line["sku"]: int(line["available_qty"]) for line in error.lines}
        return _render_cart(ctx, shortages=short, status=409)
    if isinstance(error, CreditLimitExceeded):
        return _render_cart(ctx, credit=error.details, status=409)
    details = error.details if isinstance(error, OrderCutoffPassed) else {}
    message = _(
        "Ordering for %(date)s has closed. The next delivery date is %(next)s: "
        "check the date and place the order again.",
        date=details.get("delivery_date", ""),
        next=details.get("next_delivery_date", ""),
    )
    errors = {"delivery_date": [message]}
    if ctx.staff:
        errors["late_reason"] = [_("Give a reason to order late for this date.")]
    return _render_cart(ctx, errors=errors, status=409)


@bp.route("/cart/submit", methods=["POST"])
@roles_required(*ORDER_ROLES)
def submit() -> Any:
    """Place the order in the cart (once per cart token)."""
    ctx = _ordering()
    if ctx is None:
        return _choose_merchant()
    token = (request.form.get("token") or "").strip()[:64]
    key = "cart:" + token
    done = idempotency.find_done(current_user.id, key) if token else None
    if done is not None:
        flash(_("This order was already placed; here it is."), "info")
        return redirect(_placed_order_url(done), 303)
    cart = _cart_summary(ctx)
    if cart.is_empty:
        flash(_("Your cart is empty."), "error")
        return redirect(ctx.url("orders.shop"), 303)
    if token != cart.token:
        flash(_("Your cart changed in another tab or window; check it and submit "
                "again."), "warning")  # fmt: skip
        return redirect(ctx.url("orders.cart"), 303)
    try:
        delivery_date = forms.parse_date(request.form.get("delivery_date"))
    except ValueError:
        errors = {"delivery_date": [_("Choose a delivery date from the list.")]}
        return _render_cart(ctx, errors=errors, status=422)
    try:
        placed = services.place_order(
            current_user, cart.as_lines(),
            merchant_code=ctx.merchant.code if ctx.staff else None,
            delivery_date=delivery_date, note=request.form.get("note", ""),
            source="staff" if ctx.staff else "web", idempotency_key=key,
            late_reason=request.form.get("late_reason", "") if ctx.staff else "",
            credit_reason=request.form.get("credit_reason", "") if ctx.staff else "",
            clear_cart=True,
        )  # fmt: skip
    except IdempotencyKeyInUse:
        flash(_("This order is being placed right now; it will appear in your "
                "orders in a moment."), "info")  # fmt: skip
        return redirect(url_for("orders.index"), 303)
    except (ValidationFailed, OutOfStock, CreditLimitExceeded, OrderCutoffPassed) as e:
        return _refused(ctx, e, [item.product.sku for item in cart.items])
    order = placed.order
    flash(_("Order %(number)s placed for delivery on %(date)s.", number=order.number,
            date=order.delivery_date.isoformat()), "success")  # fmt: skip
    return redirect(url_for("orders.detail", number=order.number), 303)


# --- history --------------------------------------------------------------------------


@bp.route("/")
@roles_required(*VIEW_ROLES)
def index() -> Any:
    """Order history (merchants: their own; staff: all, with filters)."""
    q = (request.args.get("q") or "").strip()[:100]
    status = request.args.get("status") or ""
    status = status if status in ORDER_STATUSES else ""
    errors: dict[str, list[str]] = {}
    try:
        delivery_date = forms.parse_date(request.args.get("delivery_date"))
    except ValueError:
        delivery_date = None
        errors["delivery_date"] = [_("Enter a date as YYYY-MM-DD.")]
    stmt = services.orders_query(
        current_user,
        status=status or None,
        delivery_date=delivery_date,
        q=q,
        with_lines=True,
    )
    page = page_of(stmt, _page_number(request.args), PER_PAGE)
    return render_template(
        "orders/index.html", page=page, q=q, status=status,
        delivery_date=request.args.get("delivery_date", "")[:10], errors=errors,
        staff=current_user.is_staff, statuses=ORDER_STATUSES,
        status_labels=STATUS_LABELS, badges=STATUS_BADGES,
        can_enter=current_user.has_role(*ENTRY_ROLES),
    )  # fmt: skip


@bp.route("/new")
@roles_required(*ENTRY_ROLES)
def new() -> Any:
    """Staff entry: pick the merchant to order for (search by code or name)."""
    q = (request.args.get("q") or "").strip()[:100]
    page = page_of(merchants_query(q, active=True), _page_number(request.args), 20)
    counts = {m.id: carts.cart_count(current_user.id, m.id) for m in page.items}
    return render_template("orders/new.html", page=page, q=q, counts=counts)


# --- one order ------------------------------------------------------------------------


@dataclass(frozen=True)
class Editing:
    """What the current user may still do with an order."""

    can_edit: bool
    can_cancel: bool
    needs_reason: bool  # staff after the cutoff (or a confirmed order): say why
    can_repeat: bool


def _editing(order: Order, now: dt.datetime) -> Editing:
    role_may_order = current_user.has_role(*ORDER_ROLES)
    before_cutoff = now < order.cutoff_at
    if current_user.role == "merchant":
        open_ = order.status in EDITABLE_STATUSES and before_cutoff
        return Editing(open_, open_, False, True)
    if not current_user.has_role(*ENTRY_ROLES):
        return Editing(False, False, False, False)
    open_ = order.status in CANCELLABLE_STATUSES
    late = not before_cutoff or order.status not in EDITABLE_STATUSES
    return Editing(open_, open_, late and open_, role_may_order)


def _render_detail(
    order: Order,
    *,
    errors: dict[str, list[str]] | None = None,
    line_errors: dict[str, list[str]] | None = None,
    shortages: dict[str, int] | None = None,
    status: int = 200,
) -> Any:
    now = utcnow()
    refused = bool(errors or line_errors or shortages)
    return (
        render_template(
            "orders/detail.html", order=order, editing=_editing(order, now),
            seconds_left=max(0, int((order.cutoff_at - now).total_seconds())),
            status_labels=STATUS_LABELS, source_labels=SOURCE_LABELS,
            badges=STATUS_BADGES, form=request.form if refused else {},
            errors=errors or {}, line_errors=line_errors or {},
            shortages=shortages or {},
        ),
        status,
    )  # fmt: skip


@bp.route("/<number>")
@roles_required(*VIEW_ROLES)
def detail(number: str) -> Any:
    """One order: lines, totals, status; change or cancel it before the cutoff."""
    return _render_detail(services.get_order(current_user, number))


def _edited_lines(order: Order) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """The line set the edit form asks for: "remove" drops one line as it is; else
    every line with its typed quantity (0 drops it)."""
    remove = request.form.get("remove")
    if remove:
        kept = [{"sku": x.sku, "qty": x.qty} for x in order.lines if x.sku != remove]
        return kept, {}
    typed = dict(zip(request.form.getlist("sku"), request.form.getlist("qty")))
    lines, errors = [], {}
    for line in order.lines:
        qty = forms.parse_qty(typed.get(line.sku, line.qty))
        if qty is None:
            errors[line.sku] = [_("Enter a whole number (0 removes the line).")]
        elif qty:
            lines.append({"sku": line.sku, "qty": qty})
    return lines, errors


@bp.route("/<number>/lines", methods=["POST"])
@roles_required(*ORDER_ROLES)
def update_lines(number: str) -> Any:
    """Change quantities or remove a line (before the cutoff; staff with a reason)."""
    order = services.get_order(current_user, number)
    lines, line_errors = _edited_lines(order)
    if line_errors:
        return _render_detail(order, line_errors=line_errors, status=422)
    if not lines:
        message = _("An order needs at least one line: cancel the order instead.")
        return _render_detail(order, errors={"lines": [message]}, status=422)
    staff = current_user.is_staff
    try:
        services.amend_order(
            current_user, order.id, lines,
            override_reason=request.form.get("override_reason", "") if staff else "",
            credit_reason=request.form.get("credit_reason", "") if staff else "",
        )  # fmt: skip
    except ValidationFailed as error:
        fields, by_sku = forms.split_errors(error.errors, [x["sku"] for x in lines])
        order = services.get_order(current_user, number)
        return _render_detail(order, errors=fields, line_errors=by_sku, status=422)
    except OutOfStock as error:
        order = services.get_order(current_user, number)
        held = {line.sku: line.reserved_qty for line in order.lines}
        # the ledger reports what is free beyond this order; the order keeps its own
        short = {x["sku"]: int(x["available_qty"]) + held.get(x["sku"], 0)
                 for x in error.lines}  # fmt: skip
        return _render_detail(order, shortages=short, status=409)
    except (Conflict, OrderCutoffPassed) as error:
        order = services.get_order(current_user, number)
        return _render_detail(
            order, errors={"_": [localize(error.message)]}, status=409
        )
    if request.form.get("remove"):
        flash(_("Line %(sku)s removed.", sku=request.form["remove"]), "success")
    else:
        flash(_("Order %(number)s changed.", number=number), "success")
    return redirect(url_for("orders.detail", number=order.number), 303)


@bp.route("/<number>/cancel", methods=["GET", "POST"])
@roles_required(*ORDER_ROLES)
def cancel(number: str) -> Any:
    """Cancel the order (a confirmation step first); reserved stock is released."""
    order = services.get_order(current_user, number)
    now = utcnow()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        reason = (
            request.form.get("override_reason", "") if current_user.is_staff else ""
        )
        try:
            services.cancel_order(current_user, order.id, override_reason=reason)
        except ValidationFailed as error:
            errors, _lines = forms.split_errors(error.errors, [])
        except (Conflict, OrderCutoffPassed) as error:
            errors = {"_": [localize(error.message)]}
        else:
            flash(_("Order %(number)s cancelled; its reserved stock is released.",
                    number=order.number), "success")  # fmt: skip
            return redirect(url_for("orders.detail", number=order.number), 303)
        order = services.get_order(current_user, number)
    return (
        render_template(
            "orders/cancel.html", order=order, editing=_editing(order, now),
            errors=errors, form=request.form,
        ),
        422 if errors else 200,
    )  # fmt: skip


@bp.route("/<number>/repeat", methods=["POST"])
@roles_required(*ORDER_ROLES)
def repeat(number: str) -> Any:
    """再来一单: put this order's lines in the cart at today's prices."""
    order = services.get_order(current_user, number)
    added, skipped = carts.repeat_order(current_user.id, order)
    if added:
        flash(_("%(n)s products from %(number)s are in your cart at today's prices.",
                n=len(added), number=order.number), "success")  # fmt: skip
    if skipped:
        flash(_("No longer sold, left out: %(skus)s.", skus=", ".join(skipped)),
              "warning")  # fmt: skip
    args = {"merchant": order.merchant.code} if current_user.is_staff else {}
    return redirect(url_for("orders.cart", **args), 303)


@bp.route("/<number>/confirmation.pdf")
@roles_required(*VIEW_ROLES)
def confirmation(number: str) -> Any:
    """The printable order confirmation (A4 PDF)."""
    order = services.get_order(current_user, number)
    response = Response(confirmation_pdf(order), mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="order-{order.number}.pdf"'
    )
    return response


# --- frequent items -------------------------------------------------------------------


def _render_frequent(
    ctx: Ordering,
    *,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Any:
    items = queries.frequent_items(ctx.merchant.id)
    cart = _cart_summary(ctx)
    return (
        render_template(
            "orders/frequent.html", ctx=ctx, items=items, cart=cart,
            in_cart={item.product.id: item.qty for item in cart.items},
            prices=prices_for([i.product.id for i in items], ctx.merchant.id),
            last=queries.last_order(ctx.merchant.id),
            errors=errors or {}, values=values or {},
        ),
        status,
    )  # fmt: skip


@bp.route("/frequent")
@roles_required(*ORDER_ROLES)
def frequent() -> Any:
    """常买清单: what this merchant orders most, with quick add and repeat last order."""
    ctx = _ordering()
    if ctx is None:
        return _choose_merchant()
    return _render_frequent(ctx)


@bp.route("/frequent/add", methods=["POST"])
@roles_required(*ORDER_ROLES)
def quick_add() -> Any:
    """Add a frequent item to the cart with its last quantity."""
    ctx = _ordering()
    if ctx is None:
        return _choose_merchant()
    sku = (request.form.get("sku") or "").strip()[:40]
    raw = request.form.get("qty", "")
    qty = forms.parse_qty(raw)
    if not qty:
        message = _("Enter a whole number of at least 1.")
        return _render_frequent(ctx, errors={sku: [message]}, values={sku: raw},
                                status=422)  # fmt: skip
    product = get_product(sku, active_only=True)
    carts.add_lines(current_user.id, ctx.merchant.id, [(product.id, qty)])
    flash(_("%(name)s added to your cart.", name=product.name), "success")
    return redirect(ctx.url("orders.frequent", _anchor=f"p-{sku}"), 303)
