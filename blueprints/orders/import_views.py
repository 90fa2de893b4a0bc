"""订单导入 order import pages: upload a CSV/XLSX file, download an empty template, see
the orders placed or every refused row with its column. Merchant users import for
their own store; sales staff (and admin) for any merchant (a ``merchant`` column)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.auth.decorators import roles_required
from supplychain.errors import ImportRejected, NotFound
from supplychain.extensions import db
from supplychain.orders import imports

bp = Blueprint(
    "order_import", __name__, url_prefix="/orders/import", template_folder="templates"
)

ROLES = ("merchant", "sales")  # admin passes every staff check


def _render(
    *, errors: dict | None = None, problems: list | None = None, status: int = 200
) -> Any:
    return (
        render_template(
            "orders/import_index.html", errors=errors or {}, problems=problems or [],
            staff=current_user.role != "merchant", aliases=imports.ALIASES,
            max_rows=imports.MAX_ROWS,
        ),
        status,
    )  # fmt: skip


@bp.route("/", methods=["GET", "POST"])
@roles_required(*ROLES)
def index() -> Any:
    """Upload form; on POST the file is imported at once, all or nothing."""
    if request.method == "GET":
        return _render()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _render(errors={"file": [_("Choose a file.")]}, status=422)
    try:
        result = imports.import_orders(
            current_user,
            upload.read(),
            upload.filename,
            again=request.form.get("again") == "1",
        )
    except ImportRejected as error:
        db.session.rollback()
        return _render(problems=error.problems, status=422)
    return render_template("orders/import_result.html", result=result)


@bp.route("/template.<fmt>")
@roles_required(*ROLES)
def template(fmt: str) -> Any:
    """An empty file with the column headers (CSV or XLSX)."""
    if fmt not in ("csv", "xlsx"):
        raise NotFound(_("Templates are CSV or XLSX."))
    data, filename, mimetype = imports.template_file(fmt)
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(data, mimetype=mimetype, headers=headers)
