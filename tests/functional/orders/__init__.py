"""订单生成 functional tests: the orders pages and JSON API through the test client.

Helpers shared by the API tests live here (plain functions, no fixtures)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import sqlalchemy as sa

from supplychain.audit.models import AuditLog
from supplychain.database import utcnow
from supplychain.extensions import db
from supplychain.orders import schedule
from supplychain.orders.models import IdempotencyKey, Order, OrderLine
from supplychain.stock.models import StockLevel, StockMove

ORDERS = "/api/v1/orders"
_keys = itertools.count(1)


def place(
    client: Any, headers: dict[str, str], body: Any, key: str | None = None
) -> Any:
    """POST /api/v1/orders with a fresh Idempotency-Key unless one is given."""
    key = key if key is not None else f"test-key-{next(_keys)}"
    return client.post(ORDERS, headers=headers | {"Idempotency-Key": key}, json=body)


def written() -> dict[str, Any]:
    """Everything an order placement could write: compare before and after a refusal."""

    def count(model: Any) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))

    db.session.expire_all()
    return {
        "orders": count(Order),
        "lines": count(OrderLine),
        "keys": count(IdempotencyKey),
        "moves": count(StockMove),
        "audit": count(AuditLog),
        "reserved": sorted(
            db.session.execute(
                sa.select(StockLevel.product_id, StockLevel.reserved_qty)
            ).all()
        ),
    }


def local_today() -> dt.date:
    return schedule.calendar_for(None).local_date(utcnow())


def error_of(response: Any) -> tuple[int, str, dict[str, Any]]:
    """(status, error code, details) of an error response in the contracts.md shape."""
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    assert body["error"]["message"]
    return response.status_code, body["error"]["code"], body["error"]["details"]
