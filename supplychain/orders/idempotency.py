"""幂等提交 idempotent submits: one key (an API ``Idempotency-Key`` or a web cart
token) creates at most one order per user.

``claim`` runs in its own short transaction on its own connection before the order's
(so the caller's session keeps what it has loaded): it inserts a ``pending`` row or
finds the key's earlier use. The order's transaction marks the row
``done`` with the order (``complete``), so "done" and "order exists" commit together; a
refused or failed submit deletes its claim (``release``) so the same request may be
retried. A claim left ``pending`` by a process that died is taken over after
``STALE_AFTER``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from supplychain.errors import IdempotencyKeyInUse, ValidationFailed
from supplychain.extensions import db
from supplychain.orders.models import IdempotencyKey

STALE_AFTER = dt.timedelta(seconds=60)
_keys = IdempotencyKey.__table__


@dataclass(frozen=True)
class Claim:
    id: int
    order_id: int | None = None  # set: the key was used already; this is its order


def claim(user_id: int, key: str, request_hash: str, now: dt.datetime) -> Claim:
    """Claim ``key`` for a new submit, or return the order it already made.

    :raise ValidationFailed: the key was used with a different request (422).
    :raise IdempotencyKeyInUse: the first request with this key is still running (409).
    """
    with db.engine.begin() as connection:
        inserted = connection.execute(
            _insert(connection)
            .values(
                user_id=user_id,
                key=key,
                request_hash=request_hash,
                status="pending",
                claimed_at=now,
            )
            .on_conflict_do_nothing(index_elements=["user_id", "key"])
            .returning(_keys.c.id)
        ).scalar()
        if inserted is not None:
            return Claim(inserted)
        row = connection.execute(
            sa.select(
                _keys.c.id,
                _keys.c.request_hash,
                _keys.c.status,
                _keys.c.order_id,
                _keys.c.claimed_at,
            ).where(_keys.c.user_id == user_id, _keys.c.key == key)
        ).one_or_none()
        if row is None:  # released between our insert and select: try once more
            return claim(user_id, key, request_hash, now)
        if row.request_hash != request_hash:
            raise ValidationFailed(
                {
                    "Idempotency-Key": [
                        "This Idempotency-Key was already used with a different "
                        "request; use a new key for a new order."
                    ]
                }
            )
        if row.status == "done":
            return Claim(row.id, order_id=row.order_id)
        taken = 0
        if row.claimed_at <= now - STALE_AFTER:  # its request died: take it over
            taken = connection.execute(
                sa.update(_keys)
                .where(
                    _keys.c.id == row.id,
                    _keys.c.status == "pending",
                    _keys.c.claimed_at == row.claimed_at,
                )
                .values(claimed_at=now)
            ).rowcount
        if taken != 1:
            raise IdempotencyKeyInUse(
                "A request with this Idempotency-Key is still being processed; "
                "retry in a moment.",
            )
        return Claim(row.id)


def _insert(connection: sa.Connection) -> Any:
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(_keys)


def complete(claimed: Claim, order_id: int) -> None:
    """Mark the claim done with its order, in the order's transaction."""
    db.session.execute(
        sa.update(_keys)
        .where(_keys.c.id == claimed.id)
        .values(status="done", order_id=order_id)
    )


def release(claimed: Claim) -> None:
    """Forget a claim whose submit was refused or failed (own transaction)."""
    with db.engine.begin() as connection:
        connection.execute(
            sa.delete(_keys).where(
                _keys.c.id == claimed.id, _keys.c.status == "pending"
            )
        )


def find_done(user_id: int, key: str) -> int | None:
    """The order a used key made, if any (for the web: a resubmitted cart)."""
    return db.session.scalar(
        sa.select(_keys.c.order_id).where(
            _keys.c.user_id == user_id, _keys.c.key == key, _keys.c.status == "done"
        )
    )
