"""进销存 bin settings pages (stub — being built): quarantine bins."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("stock_bins", __name__, url_prefix="/stock/bins")
