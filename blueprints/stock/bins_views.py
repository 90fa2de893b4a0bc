"""进销存 bin settings pages: put a bin into quarantine (待检/隔离区: its stock stays on
hand but is never available) or release it, from the warehouse page's bins table."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.auth.decorators import roles_required
from supplychain.stock import services

bp = Blueprint("stock_bins", __name__, url_prefix="/stock/bins")

KEEPERS = ("warehouse",)  # admin passes every staff check


def _back(warehouse_code: str) -> str:
    """Back to the warehouse page (keeping its filters), never off the site."""
    target = request.form.get("next", "")
    parts = urlsplit(target)
    prefix = url_for("stock.warehouse", code=warehouse_code)
    if not parts.scheme and not parts.netloc and parts.path == prefix:
        return target
    return prefix


@bp.route("/<warehouse_code>/<bin_code>/quarantine", methods=["POST"])
@roles_required(*KEEPERS)
def quarantine(warehouse_code: str, bin_code: str) -> Any:
    """Quarantine a bin (``is_quarantine=1``) or release it (``0``)."""
    found = services.bin_for_codes(warehouse_code, bin_code)
    on = request.form.get("is_quarantine") == "1"
    services.set_bin_quarantine(found.id, on, user=current_user)
    flash(
        (
            _(
                "Bin %(bin)s is in quarantine: its stock is no longer available.",
                bin=found.code,
            )
            if on
            else _("Bin %(bin)s released from quarantine.", bin=found.code)
        ),
        "success",
    )
    return redirect(_back(found.warehouse.code))
