"""商品管理 catalogue pages: products (list, detail, forms, image, prices, suppliers),
categories, price grades, suppliers, import as a background job, exports and the price
list.

Staff see list prices and edit according to role; merchant users see active products
only, read-only, at their own prices."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import marshmallow as ma
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.auth.decorators import roles_required
from blueprints.catalog import schemas as s
from blueprints.catalog.forms import field_errors, load_form
from supplychain.catalog import images, price_list, queries, services, spreadsheets
from supplychain.errors import NotFound, ValidationFailed
from supplychain.jobs import imports as import_jobs
from supplychain.paging import page_of

bp = Blueprint("catalog", __name__, url_prefix="/catalog", template_folder="templates")

STAFF = ("admin", "sales", "buyer", "warehouse", "dispatcher", "driver", "finance")
# "admin" is listed explicitly: has_role() lets admin pass only lists without "merchant"
VIEWERS = STAFF + ("merchant",)
EDITORS = ("admin",)
PURCHASING = ("admin", "buyer")
PRICING = ("admin", "sales")
PER_PAGE = 50
PRODUCT_CHECKBOXES = ("is_stocked", "is_lot_tracked")


def _merchant_id() -> int | None:
    return current_user.merchant_id if current_user.role == "merchant" else None


def _page() -> int:
    return max(1, request.args.get("page", 1, type=int) or 1)


def _q() -> str:
    return (request.args.get("q") or "").strip()[:200]


def _money_inputs(
    prefix: str, keys: list[str]
) -> tuple[dict[str, Decimal | None], dict]:
    """Price inputs named ``<prefix><key>``: "" → None (remove), else a Money value."""
    prices: dict[str, Decimal | None] = {}
    errors: dict[str, list[str]] = {}
    for key in keys:
        name = prefix + key
        if name not in request.form:
            continue
        text = request.form[name].strip()
        try:
            prices[key] = s.Money().deserialize(text) if text else None
        except ma.ValidationError as error:
            errors[name] = (
                list(error.messages)
                if isinstance(error.messages, list)
                else [str(error.messages)]
            )
    return prices, errors


# --- products -----------------------------------------------------------------------


@bp.route("/products")
@roles_required(*VIEWERS)
def products() -> Any:
    """Product list: search, category and status filters (merchants: their prices)."""
    merchant_id = _merchant_id()
    status = "active" if merchant_id else request.args.get("status", "active")
    active = {"active": True, "inactive": False}.get(status)
    category = request.args.get("category") or None
    stmt = queries.products_query(q=_q(), category=category, active=active)
    page = page_of(stmt, _page(), PER_PAGE)
    prices = services.prices_for([p.id for p in page.items], merchant_id)
    return render_template(
        "catalog/products.html", page=page, prices=prices, q=_q(), status=status,
        category=category or "", categories=queries.category_choices(),
        grades=queries.price_grade_choices() if not merchant_id else [],
    )  # fmt: skip


def _product_form_values(product: Any) -> dict[str, Any]:
    values = {
        field: getattr(product, field)
        for field in services.PRODUCT_FIELDS
        if field != "category"
    }
    values["category"] = product.category.code if product.category else ""
    return {k: ("" if v is None else v) for k, v in values.items()}


def _render_form(
    product: Any, values: dict[str, Any], errors: dict, status: int = 200
) -> Any:
    return (
        render_template(
            "catalog/product_form.html", product=product, v=values, errors=errors,
            categories=[("", _("— none —"))] + queries.category_choices(),
        ),
        status,
    )  # fmt: skip


@bp.route("/products/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def new_product() -> Any:
    """Create a product."""
    if request.method == "GET":
        return _render_form(
            None,
            {"is_stocked": True, "case_qty": 1, "min_order_qty": 1, "order_step": 1},
            {},
        )
    data, errors = load_form(
        s.ProductCreateSchema(), request.form, checkboxes=PRODUCT_CHECKBOXES
    )
    if not errors:
        try:
            product = services.create_product(data.pop("sku"), data.pop("name"), **data)
        except ValidationFailed as error:
            errors = field_errors(error)
        else:
            flash(_("Product %(sku)s created.", sku=product.sku), "success")
            return redirect(url_for("catalog.product", sku=product.sku))
    return _render_form(None, request.form.to_dict(), errors, 422)


@bp.route("/products/<sku>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit_product(sku: str) -> Any:
    """Edit a product (the SKU stays)."""
    product = services.get_product(sku)
    if request.method == "GET":
        return _render_form(product, _product_form_values(product), {})
    data, errors = load_form(
        s.ProductUpdateSchema(), request.form, checkboxes=PRODUCT_CHECKBOXES
    )
    if not errors:
        try:
            services.update_product(sku, data)
        except ValidationFailed as error:
            errors = field_errors(error)
        else:
            flash(_("Product %(sku)s saved.", sku=sku), "success")
            return redirect(url_for("catalog.product", sku=sku))
    return _render_form(product, request.form.to_dict(), errors, 422)


def _render_product(sku: str, errors: dict | None = None, status: int = 200) -> Any:
    merchant_id = _merchant_id()
    product = services.get_product(sku, active_only=merchant_id is not None)
    price = services.prices_for([product.id], merchant_id)[product.id]
    staff = merchant_id is None
    return (
        render_template(
            "catalog/product.html", product=product, price=price, staff=staff,
            errors=errors or {}, form=request.form if errors else {},
            grade_prices=queries.grade_prices_of(product.id) if staff else [],
            suppliers=queries.suppliers_of(product.id) if staff else [],
            merchant_prices=queries.merchant_prices_of(product.id) if staff else [],
            supplier_choices=queries.supplier_choices() if staff else [],
        ),
        status,
    )  # fmt: skip


@bp.route("/products/<sku>")
@roles_required(*VIEWERS)
def product(sku: str) -> Any:
    """Product detail: prices per grade, merchant prices and suppliers (staff)."""
    return _render_product(sku)


@bp.route("/products/<sku>/active", methods=["POST"])
@roles_required(*EDITORS)
def set_active(sku: str) -> Any:
    """Deactivate or reactivate a product."""
    active = request.form.get("active") == "1"
    services.set_product_active(sku, active)
    flash(_("Product reactivated.") if active else _("Product deactivated."), "success")
    return redirect(url_for("catalog.product", sku=sku))


@bp.route("/products/<sku>/image")
@roles_required(*VIEWERS)
def image(sku: str) -> Any:
    """The product image."""
    stored = images.product_image(sku, active_only=_merchant_id() is not None)
    return send_file(stored.path, mimetype=stored.mimetype, max_age=300)


@bp.route("/products/<sku>/image", methods=["POST"])
@roles_required(*EDITORS)
def upload_image(sku: str) -> Any:
    """Upload or replace the product image (PNG, JPEG or WebP, at most 2 MB)."""
    upload = request.files.get("image")
    try:
        images.save_product_image(sku, upload.read() if upload else b"")
    except ValidationFailed as error:
        return _render_product(sku, field_errors(error), 422)
    flash(_("Image saved."), "success")
    return redirect(url_for("catalog.product", sku=sku))


@bp.route("/products/<sku>/prices", methods=["POST"])
@roles_required(*EDITORS)
def save_grade_prices(sku: str) -> Any:
    """Set the product's price per grade (empty = list price)."""
    codes = [g.code for g in queries.price_grades()]
    prices, errors = _money_inputs("grade-", codes)
    if errors:
        return _render_product(sku, errors, 422)
    services.set_product_grade_prices(sku, prices)
    flash(_("Grade prices saved."), "success")
    return redirect(url_for("catalog.product", sku=sku))


@bp.route("/products/<sku>/merchant-prices", methods=["POST"])
@roles_required(*PRICING)
def save_merchant_price(sku: str) -> Any:
    """Set or remove (empty price) one merchant's own price for the product."""
    code = request.form.get("merchant", "").strip()
    prices, errors = _money_inputs("merchant_", ["price"])
    if not code:
        errors["merchant"] = [_("Enter a merchant code.")]
    if not errors:
        try:
            services.set_merchant_price(code, sku, prices.get("price"))
        except NotFound as error:
            errors["merchant"] = [error.message]
        else:
            flash(_("Merchant price saved."), "success")
            return redirect(url_for("catalog.product", sku=sku))
    return _render_product(sku, errors, 422)


@bp.route("/products/<sku>/suppliers", methods=["POST"])
@roles_required(*PURCHASING)
def link_supplier(sku: str) -> Any:
    """Record what a supplier delivers of this product."""
    data, errors = load_form(
        s.ProductSupplierCreateSchema(), request.form, checkboxes=("is_preferred",)
    )
    if not errors:
        try:
            services.link_product_supplier(sku, data.pop("supplier"), **data)
        except (ValidationFailed, NotFound) as error:
            errors = (
                field_errors(error)
                if isinstance(error, ValidationFailed)
                else {"supplier": [error.message]}
            )
        else:
            flash(_("Supplier saved."), "success")
            return redirect(url_for("catalog.product", sku=sku))
    return _render_product(sku, errors, 422)


@bp.route("/products/<sku>/suppliers/<code>/delete", methods=["POST"])
@roles_required(*PURCHASING)
def unlink_supplier(sku: str, code: str) -> Any:
    """Stop buying this product from the supplier."""
    services.unlink_product_supplier(sku, code)
    flash(_("Supplier removed from the product."), "success")
    return redirect(url_for("catalog.product", sku=sku))


# --- categories ---------------------------------------------------------------------


def _render_categories(errors: dict, status: int = 200) -> Any:
    return (
        render_template(
            "catalog/categories.html", categories=queries.categories(), errors=errors,
            counts=queries.product_counts_by_category(), form=request.form,
            parents=[("", _("— none —"))] + queries.category_choices(),
        ),
        status,
    )  # fmt: skip


@bp.route("/categories", methods=["GET", "POST"])
@roles_required(*STAFF)
def categories() -> Any:
    """Categories; admins add new ones here."""
    if request.method == "GET":
        return _render_categories({})
    if not current_user.has_role(*EDITORS):
        abort(403)
    data, errors = load_form(s.CategoryCreateSchema(), request.form)
    if not errors:
        try:
            category = services.create_category(
                data.pop("code"), data.pop("name"), **data
            )
        except ValidationFailed as error:
            errors = field_errors(error)
        else:
            flash(_("Category %(code)s created.", code=category.code), "success")
            return redirect(url_for("catalog.categories"))
    return _render_categories(errors, 422)


@bp.route("/categories/<code>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit_category(code: str) -> Any:
    """Rename, re-sort or move a category."""
    category = services.get_category(code)
    errors: dict = {}
    if request.method == "POST":
        schema = s.CategoryCreateSchema(exclude=("code",))
        data, errors = load_form(schema, request.form)
        if not errors:
            try:
                services.update_category(code, data)
            except ValidationFailed as error:
                errors = field_errors(error)
            else:
                flash(_("Category saved."), "success")
                return redirect(url_for("catalog.categories"))
    values = request.form if errors else {
        "name": category.name, "name_en": category.name_en, "sort": category.sort,
        "parent": category.parent.code if category.parent else "",
    }  # fmt: skip
    parents = [("", _("— none —"))] + [
        c for c in queries.category_choices() if c[0] != code
    ]
    return (
        render_template(
            "catalog/category_form.html",
            category=category,
            v=values,
            errors=errors,
            parents=parents,
        ),
        422 if errors else 200,
    )


# --- price grades -------------------------------------------------------------------


@bp.route("/grades", methods=["GET", "POST"])
@roles_required(*STAFF)
def grades() -> Any:
    """Price grades; admins add new ones here."""
    errors: dict = {}
    if request.method == "POST":
        if not current_user.has_role(*EDITORS):
            abort(403)
        data, errors = load_form(s.PriceGradeCreateSchema(), request.form)
        if not errors:
            try:
                grade = services.create_price_grade(data["code"], data["name"])
            except ValidationFailed as error:
                errors = field_errors(error)
            else:
                flash(_("Price grade %(code)s created.", code=grade.code), "success")
                return redirect(url_for("catalog.grade", code=grade.code))
    return (
        render_template(
            "catalog/grades.html",
            grades=queries.price_grades(),
            errors=errors,
            form=request.form,
        ),
        422 if errors else 200,
    )


@bp.route("/grades/<code>", methods=["GET", "POST"])
@roles_required(*STAFF)
def grade(code: str) -> Any:
    """One grade's prices, a page of products at a time; admins edit them here."""
    grade = services.get_price_grade(code)
    page = page_of(queries.products_query(q=_q(), active=True), _page(), PER_PAGE)
    errors: dict = {}
    if request.method == "POST":
        if not current_user.has_role(*EDITORS):
            abort(403)
        prices, errors = _money_inputs("price-", [p.sku for p in page.items])
        if not errors:
            services.set_grade_prices(code, prices)
            flash(_("Prices of %(grade)s saved.", grade=grade.name), "success")
            return redirect(request.full_path)
    current = queries.grade_price_map(grade.id, [p.id for p in page.items])
    return (
        render_template(
            "catalog/grade.html", grade=grade, page=page, current=current, q=_q(),
            errors=errors, form=request.form,
        ),
        422 if errors else 200,
    )  # fmt: skip


@bp.route("/grades/<code>/rename", methods=["POST"])
@roles_required(*EDITORS)
def rename_grade(code: str) -> Any:
    """Rename a price grade (its code stays)."""
    name = request.form.get("name", "").strip()
    if not name or len(name) > 80:
        flash(_("Enter a name of at most 80 characters."), "error")
    else:
        services.rename_price_grade(code, name)
        flash(_("Price grade renamed."), "success")
    return redirect(url_for("catalog.grade", code=code))


# --- suppliers ----------------------------------------------------------------------


@bp.route("/suppliers")
@roles_required(*STAFF)
def suppliers() -> Any:
    """Suppliers with search and pagination."""
    status = request.args.get("status", "active")
    active = {"active": True, "inactive": False}.get(status)
    page = page_of(queries.suppliers_query(q=_q(), active=active), _page(), PER_PAGE)
    return render_template("catalog/suppliers.html", page=page, q=_q(), status=status)


@bp.route("/suppliers/<code>")
@roles_required(*STAFF)
def supplier(code: str) -> Any:
    """Supplier detail with the products it delivers."""
    supplier = services.get_supplier(code)
    links = queries.products_of_supplier(supplier.id)
    return render_template("catalog/supplier.html", supplier=supplier, links=links)


def _supplier_form(supplier: Any, values: Any, errors: dict) -> Any:
    return (
        render_template(
            "catalog/supplier_form.html", supplier=supplier, v=values, errors=errors
        ),
        422 if errors else 200,
    )


@bp.route("/suppliers/new", methods=["GET", "POST"])
@roles_required(*PURCHASING)
def new_supplier() -> Any:
    """Create a supplier."""
    if request.method == "GET":
        return _supplier_form(None, {"lead_time_days": 1}, {})
    data, errors = load_form(s.SupplierCreateSchema(), request.form)
    if not errors:
        try:
            supplier = services.create_supplier(
                data.pop("code"), data.pop("name"), **data
            )
        except ValidationFailed as error:
            errors = field_errors(error)
        else:
            flash(_("Supplier %(code)s created.", code=supplier.code), "success")
            return redirect(url_for("catalog.supplier", code=supplier.code))
    return _supplier_form(None, request.form, errors)


@bp.route("/suppliers/<code>/edit", methods=["GET", "POST"])
@roles_required(*PURCHASING)
def edit_supplier(code: str) -> Any:
    """Edit or deactivate a supplier."""
    supplier = services.get_supplier(code)
    if request.method == "GET":
        values = {f: getattr(supplier, f) for f in services.SUPPLIER_FIELDS}
        return _supplier_form(supplier, values, {})
    data, errors = load_form(
        s.SupplierUpdateSchema(), request.form, checkboxes=("is_active",)
    )
    if not errors:
        services.update_supplier(code, data)
        flash(_("Supplier saved."), "success")
        return redirect(url_for("catalog.supplier", code=code))
    return _supplier_form(supplier, request.form, errors)


# --- import, export, price list -----------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
@roles_required(*EDITORS)
def import_products() -> Any:
    """Upload a CSV/XLSX file; the import runs as a background job."""
    if request.method == "GET":
        return render_template("catalog/import.html", errors={})
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return (
            render_template(
                "catalog/import.html", errors={"file": [_("Choose a file.")]}
            ),
            422,
        )
    try:
        run = import_jobs.enqueue_product_import(
            upload.read(), upload.filename, user_id=current_user.id
        )
    except ValidationFailed as error:
        messages = [p["message"] for p in error.details.get("rows", [])] or [
            error.message
        ]
        return render_template("catalog/import.html", errors={"file": messages}), 422
    return redirect(url_for("catalog.import_status", job_id=run.id))


@bp.route("/import/<job_id>")
@roles_required(*EDITORS)
def import_status(job_id: str) -> Any:
    """The result of an import job, or the problems that refused the file."""
    outcome = import_jobs.product_import_outcome(job_id)
    return render_template("catalog/import_status.html", outcome=outcome)


@bp.route("/export.<fmt>")
@roles_required(*STAFF)
def export(fmt: str) -> Any:
    """All products with grade prices as CSV or XLSX (re-importable)."""
    if fmt not in ("csv", "xlsx"):
        raise NotFound(_("Exports are CSV or XLSX."))
    exported = spreadsheets.export_products(fmt)
    headers = {"Content-Disposition": f'attachment; filename="{exported.filename}"'}
    return Response(exported.data, mimetype=exported.mimetype, headers=headers)


@bp.route("/price-list.pdf")
@roles_required(*VIEWERS)
def price_list_pdf() -> Any:
    """Price list PDF: a merchant's own prices, or the chosen grade's (staff)."""
    merchant_id = _merchant_id()
    grade = None if merchant_id else (request.args.get("grade") or None)
    pdf = price_list.render_price_list_pdf(grade_code=grade, merchant_id=merchant_id)
    name = (
        f"price-list-{grade or 'list'}.pdf" if merchant_id is None else "price-list.pdf"
    )
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )
