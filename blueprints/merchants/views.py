"""商户管理 merchant pages: list, detail, forms, contacts, users, import/export, map."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from blueprints.auth.decorators import roles_required
from blueprints.forms import domain_field_errors, load_form
from blueprints.merchants.schemas import (
    ContactFormSchema,
    MerchantEditFormSchema,
    MerchantFormSchema,
    MerchantUserCreateSchema,
)
from supplychain.errors import ImportRejected, ValidationFailed
from supplychain.merchants import services
from supplychain.merchants.access import get_visible_merchant
from supplychain.merchants.geo import MapMarker, extra_markers, fit_markers
from supplychain.merchants.models import Merchant
from supplychain.merchants.queries import (
    districts,
    mappable_merchants,
    merchant_users,
    merchants_query,
    price_grade_options,
)
from supplychain.merchants.spreadsheets import (
    COLUMNS,
    export_merchants,
    import_merchants,
)
from supplychain.merchants.values import KINDS, format_time
from supplychain.paging import page_of

bp = Blueprint(
    "merchants", __name__, url_prefix="/merchants", template_folder="templates"
)

VIEWERS = ("sales", "finance", "dispatcher")  # admin passes every staff check
EDITORS = ("sales",)
KIND_LABELS = {
    "store": _l("Store"),
    "group_leader": _l("Group-buy leader"),
    "wholesale": _l("Wholesale"),
    "warehouse": _l("Warehouse"),
}
MARKER_COLOURS = {
    "store": "#0b6e4f",
    "group_leader": "#d97706",
    "wholesale": "#0b5cad",
    "warehouse": "#b3261e",
}


@bp.context_processor
def _merchant_helpers() -> dict[str, Any]:
    return {
        "kind_label": lambda kind: str(KIND_LABELS.get(kind, kind)),
        "format_time": format_time,
    }


def _page() -> int:
    return max(1, request.args.get("page", 1, type=int) or 1)


def _active_arg() -> bool | None:
    return {"1": True, "0": False}.get(request.args.get("active", ""))


def _kind_arg() -> str:
    kind = request.args.get("kind", "")
    return kind if kind in KINDS else ""


def _can_edit() -> bool:
    return current_user.has_role(*EDITORS)


@bp.route("/")
@roles_required(*VIEWERS)
def index() -> Any:
    """Merchants: search, filter by kind and status, page through."""
    q, kind, active = request.args.get("q", ""), _kind_arg(), _active_arg()
    page = page_of(merchants_query(q, kind=kind, active=active), _page())
    return render_template(
        "merchants/index.html",
        page=page,
        q=q,
        kind=kind,
        active=active,
        can_edit=_can_edit(),
    )


def _form_page(merchant: Merchant | None, form: Any, errors: dict[str, str]) -> str:
    return render_template(
        "merchants/form.html",
        merchant=merchant,
        form=form,
        errors=errors,
        grades=price_grade_options(),
        districts=districts(),
    )


@bp.route("/new")
@roles_required(*EDITORS)
def new() -> Any:
    """Form for a new merchant."""
    return _form_page(None, {"kind": "store", "payment_terms_days": "0"}, {})


@bp.route("/", methods=["POST"])
@roles_required(*EDITORS)
def create() -> Any:
    """Create a merchant from the form; errors next to the fields, nothing written."""
    data, errors = load_form(MerchantFormSchema(), request.form)
    if data is not None:
        try:
            merchant = services.create_merchant(data.pop("code"), **data)
        except ValidationFailed as error:
            errors = domain_field_errors(error)
        else:
            flash(_("Merchant %(code)s created.", code=merchant.code), "success")
            return redirect(url_for("merchants.show", code=merchant.code))
    return _form_page(None, request.form, errors), 400


def _edit_values(merchant: Merchant) -> dict[str, Any]:
    m, window = merchant, merchant.delivery_window
    return {
        "name": m.name, "name_en": m.name_en, "kind": m.kind, "address": m.address,
        "district": m.district, "lat": m.lat, "lon": m.lon,
        "price_grade": m.price_grade.code if m.price_grade else "",
        "credit_limit": m.credit_limit, "payment_terms_days": m.payment_terms_days,
        "min_shelf_life_days": m.min_shelf_life_days,
        "window_start": format_time(window[0]) if window else "",
        "window_end": format_time(window[1]) if window else "",
        "contact_name": m.contact_name, "phone": m.phone, "note": m.note,
    }  # fmt: skip


@bp.route("/<code>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit(code: str) -> Any:
    """Edit a merchant: every field on the form; a blank optional field clears it."""
    merchant = services.get_merchant(code)
    if request.method == "GET":
        return _form_page(merchant, _edit_values(merchant), {})
    data, errors = load_form(MerchantEditFormSchema(), request.form)
    if data is not None:
        try:
            services.update_merchant(code, **data)
        except ValidationFailed as error:
            errors = domain_field_errors(error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("merchants.show", code=code))
    return _form_page(services.get_merchant(code), request.form, errors), 400


def _show_page(merchant: Merchant, **forms: Any) -> str:
    staff = current_user.is_staff
    return render_template(
        "merchants/show.html",
        merchant=merchant,
        users=merchant_users(merchant.id) if staff else [],
        can_edit=staff and _can_edit(),
        is_staff=staff,
        contact_form=forms.get("contact_form", {}),
        contact_errors=forms.get("contact_errors", {}),
        user_form=forms.get("user_form", {}),
        user_errors=forms.get("user_errors", {}),
    )


@bp.route("/<code>")
@roles_required("admin", *VIEWERS, "merchant")
def show(code: str) -> Any:
    """A merchant's details; a merchant user sees only its own (others are 404)."""
    return _show_page(get_visible_merchant(current_user, code))


@bp.route("/<code>/active", methods=["POST"])
@roles_required(*EDITORS)
def set_active(code: str) -> Any:
    """Deactivate or reactivate a merchant."""
    active = request.form.get("active") == "1"
    services.set_merchant_active(code, active)
    flash(
        _("Merchant reactivated.") if active else _("Merchant deactivated."), "success"
    )
    return redirect(url_for("merchants.show", code=code))


@bp.route("/<code>/contacts", methods=["POST"])
@roles_required(*EDITORS)
def add_contact(code: str) -> Any:
    """Add a contact person."""
    data, errors = load_form(ContactFormSchema(), request.form)
    if data is not None:
        try:
            services.add_contact(code, **data)
        except ValidationFailed as error:
            errors = domain_field_errors(error)
        else:
            flash(_("Contact added."), "success")
            return redirect(url_for("merchants.show", code=code))
    merchant = services.get_merchant(code)
    return _show_page(merchant, contact_form=request.form, contact_errors=errors), 400


@bp.route("/<code>/contacts/<int:contact_id>/delete", methods=["POST"])
@roles_required(*EDITORS)
def remove_contact(code: str, contact_id: int) -> Any:
    """Remove a contact person."""
    services.remove_contact(code, contact_id)
    flash(_("Contact removed."), "success")
    return redirect(url_for("merchants.show", code=code))


@bp.route("/<code>/users", methods=["POST"])
@roles_required(*EDITORS)
def create_user(code: str) -> Any:
    """Create a login for the merchant."""
    data, errors = load_form(MerchantUserCreateSchema(), request.form)
    if data is not None:
        try:
            user = services.create_merchant_user(
                code,
                data["username"],
                data["password"],
                display_name=data["display_name"],
            )
        except ValidationFailed as error:
            errors = domain_field_errors(error)
        else:
            flash(_("User %(name)s created.", name=user.username), "success")
            return redirect(url_for("merchants.show", code=code))
    merchant = services.get_merchant(code)
    form = {k: v for k, v in request.form.items() if k != "password"}
    return _show_page(merchant, user_form=form, user_errors=errors), 400


@bp.route("/import", methods=["GET", "POST"])
@roles_required(*EDITORS)
def import_file() -> Any:
    """Upload a CSV/XLSX; every problem listed by row and column, nothing written."""
    errors: dict[str, str] = {}
    problems: list[dict[str, Any]] = []
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            errors = {"file": _("Choose a CSV or XLSX file.")}
        else:
            try:
                result = import_merchants(upload.read(), upload.filename)
            except ImportRejected as error:
                problems = error.problems
            else:
                flash(
                    _(
                        "Imported: %(c)s created, %(u)s updated.",
                        c=result.created,
                        u=result.updated,
                    ),
                    "success",
                )
                return redirect(url_for("merchants.index"))
    status = 400 if errors or problems else 200
    return (
        render_template(
            "merchants/import.html", errors=errors, problems=problems, columns=COLUMNS
        ),
        status,
    )


@bp.route("/export")
@roles_required(*VIEWERS)
def export() -> Any:
    """Download the (filtered) list as CSV or XLSX."""
    fmt = request.args.get("format", "csv")
    exported = export_merchants(
        fmt, q=request.args.get("q", ""), kind=_kind_arg(), active=_active_arg()
    )
    return Response(
        exported.data,
        mimetype=exported.mimetype,
        headers={"Content-Disposition": f"attachment; filename={exported.filename}"},
    )


@bp.route("/map")
@roles_required("sales", "dispatcher")
def map() -> Any:  # noqa: A001  (endpoint name merchants.map is used by the navigation)
    """Every active merchant on a plain SVG map (offline, no tiles), by kind."""
    kind = _kind_arg()
    markers = [
        MapMarker(
            m.lat,
            m.lon,
            f"{m.code} {m.name}",
            m.kind,
            url_for("merchants.show", code=m.code),
        )
        for m in mappable_merchants(kind)
    ]
    markers += extra_markers(
        current_app
    )  # e.g. warehouses, registered by other features
    layout = fit_markers(markers)
    kinds_shown = sorted(
        {p.marker.kind for p in layout.markers} | set(KINDS), key=_kind_order
    )
    return render_template(
        "merchants/map.html",
        layout=layout,
        kind=kind,
        colours=MARKER_COLOURS,
        legend=[(k, MARKER_COLOURS.get(k, "#5f6b73")) for k in kinds_shown],
        merchant_count=sum(1 for p in layout.markers if p.marker.kind in KINDS),
    )


def _kind_order(kind: str) -> tuple[int, str]:
    return (KINDS.index(kind) if kind in KINDS else len(KINDS), kind)
