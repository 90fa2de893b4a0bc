"""库存单据 stock documents: pages — the list with filters, a "new" form per kind (N
line rows, more on request, no JavaScript), the document with its lines and moves (a
transfer's receive form), and its A4 PDF."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import marshmallow as ma
from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound as HttpNotFound

from blueprints.auth.decorators import roles_required
from blueprints.forms import field_errors, load_form
from blueprints.stock.documents_schemas import (
    DocumentFormSchema,
    DocumentLineFormSchema,
    ReceiveLineFormSchema,
)
from supplychain.errors import NotFound, OutOfStock, ValidationFailed
from supplychain.paging import page_of
from supplychain.stock import documents, queries

bp = Blueprint(
    "stock_documents",
    __name__,
    url_prefix="/stock/documents",
    template_folder="templates",
)

READERS = ("warehouse", "buyer", "finance")  # admin passes every staff check
KEEPERS = ("warehouse",)  # warehouse managers pass too
DEFAULT_ROWS, MORE_ROWS = 5, 5
KIND_LABELS = {
    "receipt": _l("Receipt"),
    "issue": _l("Issue"),
    "move": _l("Bin move"),
    "transfer": _l("Transfer"),
    "adjustment": _l("Adjustment"),
    "return": _l("Return"),
    "scrap": _l("Scrap"),
}
NEW_TITLES = {
    "receipt": _l("New goods receipt"),
    "issue": _l("New goods issue"),
    "move": _l("New bin move"),
    "transfer": _l("New transfer"),
    "adjustment": _l("New stock adjustment"),
    "return": _l("New merchant return"),
    "scrap": _l("New scrap"),
}
STATUS_LABELS = {
    "posted": _l("Posted"),
    "in_transit": _l("In transit"),
    "received": _l("Received"),
}
REASON_LABELS = {
    "damage": _l("Damage"),
    "expiry": _l("Expired"),
    "found": _l("Found"),
    "lost": _l("Lost"),
    "count": _l("Count difference"),
    "other": _l("Other"),
    "stock": _l("Back to stock"),
    "quarantine": _l("To quarantine"),
}


USAGE_LABELS = {
    "supplier": _l("Supplier"),
    "customer": _l("Customer"),
    "adjustment": _l("Inventory adjustment"),
    "transit": _l("In transit"),
}


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {
        "kind_labels": KIND_LABELS,
        "status_labels": STATUS_LABELS,
        "reason_labels": REASON_LABELS,
        "location_text": _location_text,
    }


def _location_text(location: Any) -> str:
    """A move's location for people: warehouse (and bin) code, or the usage."""
    if location.is_internal:
        return str(location.label)
    return str(USAGE_LABELS.get(location.usage, location.usage))


def _page() -> int:
    return max(1, request.args.get("page", 1, type=int) or 1)


def _date_arg(name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _document_or_404(number: str) -> Any:
    try:
        return documents.get_document(number)
    except NotFound:
        raise HttpNotFound() from None


@bp.route("/")
@roles_required(*READERS)
def index() -> Any:
    """Documents, newest first, by kind, warehouse, dates, number or SKU."""
    kind = request.args.get("kind", "")
    kind = kind if kind in KIND_LABELS else ""
    filters = {
        "kind": kind,
        "warehouse": request.args.get("warehouse", "")[:20],
        "q": request.args.get("q", "")[:100],
        "date_from": _date_arg("date_from"),
        "date_to": _date_arg("date_to"),
    }
    stmt = documents.documents_query(
        kind=kind or None,
        warehouse_code=filters["warehouse"] or None,
        q=filters["q"],
        date_from=filters["date_from"],
        date_to=filters["date_to"],
    )
    page = page_of(stmt, _page())
    return render_template(
        "stock/documents.html",
        page=page,
        views=documents.document_views(page.items),
        filters=filters,
        warehouses=queries.active_warehouses(),
        can_post=current_user.has_role(*KEEPERS),
    )


# --- new documents --------------------------------------------------------------------
def _form_fields(kind: str) -> list[str]:
    """The line fields the form shows (the API takes a line note too)."""
    return [f for f in documents.LINE_FIELDS[kind] if f not in ("product_id", "note")]


def _rows_of(form: MultiDict, kind: str, count: int) -> list[dict[str, str]]:
    fields = _form_fields(kind)
    return [
        {f: form.get(f"lines-{i}-{f}", "").strip() for f in fields}
        for i in range(count)
    ]


def _read_lines(
    kind: str, rows: list[dict[str, str]], errors: dict[str, str]
) -> tuple[list[dict[str, Any]], list[int]]:
    """The filled rows through the form schema: (lines, row index of each line). A
    field the schema refuses gets its message in ``errors`` and stays raw text in its
    line, so the service can still check the rest of the row."""
    lines, row_of = [], []
    for i, row in enumerate(rows):
        filled = {k: v for k, v in row.items() if v}
        if not filled:
            continue
        try:
            data = DocumentLineFormSchema().load(filled)
        except ma.ValidationError as error:
            messages = field_errors(error.normalized_messages())
            errors.update({f"lines-{i}-{k}": v for k, v in messages.items()})
            data = {**filled, **(error.valid_data or {})}
        allowed = documents.LINE_FIELDS[kind]
        lines.append({k: v for k, v in data.items() if k in allowed})
        row_of.append(i)
    return lines, row_of


def _page_errors(messages: dict[str, Any], row_of: list[int]) -> dict[str, str]:
    """Service errors (``lines.<k>.<field>``) as the form's field names
    (``lines-<row>-<field>``)."""
    out = {}
    for key, message in field_errors(messages).items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "lines" and parts[1].isdigit():
            k = int(parts[1])
            row = row_of[k] if k < len(row_of) else k
            key = f"lines-{row}-{parts[2]}"
        out[_RENAMED.get(key, key)] = message
    return out


_RENAMED = {"supplier": "supplier_id"}  # the form picks a supplier by id


def _header_fields(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    allowed = documents.HEADER_FIELDS[kind]
    return {k: v for k, v in data.items() if k in allowed and v is not None}


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*KEEPERS)
def new() -> Any:
    """A new document of one kind (``?kind=receipt``)."""
    kind = request.values.get("kind", "receipt")
    if kind not in KIND_LABELS:
        raise HttpNotFound()
    form = request.form if request.method == "POST" else request.args
    rows_count = min(
        documents.MAX_LINES,
        max(1, form.get("rows", DEFAULT_ROWS, type=int) or DEFAULT_ROWS),
    )
    token = form.get("client_token") or secrets.token_hex(16)
    errors: dict[str, str] = {}
    if request.method == "POST" and request.form.get("action") == "more":
        rows_count = min(documents.MAX_LINES, rows_count + MORE_ROWS)
    elif request.method == "POST":
        document, errors = _submit(kind, token, rows_count)
        if document is not None:
            flash(
                _(
                    "%(kind)s %(number)s posted.",
                    kind=KIND_LABELS[kind],
                    number=document.number,
                ),
                "success",
            )
            return redirect(url_for(".show", number=document.number))
    return render_template(
        "stock/document_new.html",
        kind=kind,
        title=NEW_TITLES[kind],
        header_fields=documents.HEADER_FIELDS[kind],
        line_fields=_form_fields(kind),
        general_errors=_general_errors(kind, errors),
        form=form,
        rows=_rows_of(form, kind, rows_count),
        token=token,
        errors=errors,
        warehouses=queries.active_warehouses(),
        default_warehouse=queries.default_warehouse(),
        suppliers=documents.active_suppliers(),
    ), (400 if errors else 200)


def _submit(kind: str, token: str, rows_count: int) -> tuple[Any, dict[str, str]]:
    """Post the form: (document, {}) or (None, errors by field name). With a syntax
    error anywhere, nothing is posted but every other error is shown as well."""
    header, errors = load_form(DocumentFormSchema(), request.form)
    rows = _rows_of(request.form, kind, rows_count)
    lines, row_of = _read_lines(kind, rows, errors)
    fields = _header_fields(kind, header or {})
    if header is None or errors:
        found = documents.check_document(
            kind, lines, fields=fields, user_id=current_user.id
        )
        return None, _page_errors(found, row_of) | errors
    try:
        document = documents.post_document(
            kind, lines, fields=fields, client_token=token, user_id=current_user.id
        )
    except (ValidationFailed, OutOfStock) as error:
        return None, _page_errors(documents.posting_error_lines(error), row_of)
    return document, {}


def _general_errors(kind: str, errors: dict[str, str]) -> list[str]:
    """Errors no field of the form shows (shown above the form)."""
    shown = set(documents.HEADER_FIELDS[kind]) | {"supplier_id"}
    return [
        message
        for key, message in errors.items()
        if not key.startswith("lines-") and key not in shown
    ]


# --- one document ---------------------------------------------------------------------
@bp.route("/<number>")
@roles_required(*READERS)
def show(number: str) -> Any:
    """A document: header, lines with lots and bins, the moves it posted; a transfer
    in transit can be received here."""
    document = _document_or_404(number)
    return _render_show(document, {}, {})


def _render_show(document: Any, errors: dict[str, str], form: Any) -> Any:
    view = documents.document_view(document)
    can_receive = document.status == "in_transit" and current_user.has_role(*KEEPERS)
    return render_template(
        "stock/document.html",
        view=view,
        document=document,
        can_receive=can_receive,
        errors=errors,
        form=form,
    ), (400 if errors else 200)


@bp.route("/<number>/receive", methods=["POST"])
@roles_required(*KEEPERS)
def receive(number: str) -> Any:
    """Receive a transfer: per line the quantity that arrived and its bin."""
    document = _document_or_404(number)
    errors: dict[str, str] = {}
    lines, row_of = [], []
    for i, line in enumerate(document.lines):
        row = MultiDict(
            {
                "line_no": str(line.line_no),
                "qty": request.form.get(f"receive-{i}-qty", "").strip(),
                "to_bin": request.form.get(f"receive-{i}-to_bin", "").strip(),
            }
        )
        data, row_errors = load_form(ReceiveLineFormSchema(), row)
        errors.update({f"receive-{i}-{k}": v for k, v in row_errors.items()})
        if data is not None:
            lines.append(data)
            row_of.append(i)
    if not errors:
        try:
            documents.receive_transfer(
                document.number,
                lines,
                write_off_missing=request.form.get("write_off_missing") == "1",
                expected_received_qty=request.form.get("expected", type=int),
                user_id=current_user.id,
            )
        except ValidationFailed as error:
            errors = {
                key.replace("lines-", "receive-"): message
                for key, message in _page_errors(error.errors, row_of).items()
            }
        else:
            flash(_("Transfer %(number)s received.", number=document.number), "success")
            return redirect(url_for(".show", number=document.number))
    return _render_show(_document_or_404(number), errors, request.form)


@bp.route("/<number>.pdf")
@roles_required(*READERS)
def pdf(number: str) -> Any:
    """The document as an A4 PDF (入库单, 出库单, 调拨单 …)."""
    document = _document_or_404(number)
    return Response(
        documents.document_pdf(document),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{document.number}.pdf"'},
    )
