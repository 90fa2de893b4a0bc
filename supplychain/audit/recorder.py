"""Records audit rows from the session's flush, so no service can forget to.

A model opts in with ``__audited__ = True`` (and may list ``__audit_exclude__`` columns,
e.g. password hashes). The actor comes from a context variable that the web layer, the
CLI and the job runner set; rows are written on the flushing connection, inside the same
transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from supplychain.audit.models import AuditLog
from supplychain.database import ExactDecimal, utcnow


@dataclass(frozen=True)
class Actor:
    id: int | None
    name: str


SYSTEM = Actor(None, "system")
_actor: ContextVar[Actor] = ContextVar("audit_actor", default=SYSTEM)


def set_actor(actor: Actor) -> None:
    _actor.set(actor)


def current_actor() -> Actor:
    return _actor.get()


@contextlib.contextmanager
def acting_as(actor: Actor) -> Iterator[None]:
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


_PLANS: dict[type, list[tuple[str, ExactDecimal | None]]] = {}


def _plan(obj: Any) -> list[tuple[str, ExactDecimal | None]]:
    """The audited columns of a model class, each with its exact-decimal type (if any);
    worked out once per class."""
    cls = type(obj)
    plan = _PLANS.get(cls)
    if plan is None:
        excluded = set(getattr(obj, "__audit_exclude__", ()))
        mapper = inspect(cls)
        plan = []
        for attr in mapper.column_attrs:
            if attr.key in excluded:
                continue
            column_type = mapper.columns[attr.key].type
            exact = column_type if isinstance(column_type, ExactDecimal) else None
            plan.append((attr.key, exact))
        _PLANS[cls] = plan
    return plan


def _stored(exact: ExactDecimal | None, value: Any) -> Any:
    """The value as the database keeps it (exact decimals rounded to their places)."""
    if value is not None and exact is not None:
        return _plain(exact.quantize(value))
    return _plain(value)


def _snapshot(obj: Any) -> dict[str, Any]:
    return {key: _stored(exact, getattr(obj, key)) for key, exact in _plan(obj)}


def _changes(obj: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    state = inspect(obj)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for key, exact in _plan(obj):
        hist = state.attrs[key].history
        if hist.has_changes():
            before[key] = _stored(exact, hist.deleted[0]) if hist.deleted else None
            after[key] = _stored(exact, hist.added[0]) if hist.added else None
    return before, after


def _entity_id(obj: Any) -> str:
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    return ",".join(str(part) for part in key)


def _rows(session: Session) -> list[dict[str, Any]]:
    actor = current_actor()
    base = {"at": utcnow(), "actor_id": actor.id, "actor": actor.name}
    rows = []
    for action, objects in (
        ("create", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in objects:
            if not getattr(obj, "__audited__", False):
                continue
            if action == "create":
                before, after = None, _snapshot(obj)
            elif action == "delete":
                before, after = _snapshot(obj), None
            else:
                before, after = _changes(obj)
                if not after:
                    continue
            rows.append(
                base
                | {
                    "action": action,
                    "entity": obj.__tablename__,
                    "entity_id": _entity_id(obj),
                    "before": before,
                    "after": after,
                }
            )
    return rows


def _after_flush(session: Session, flush_context: Any) -> None:
    rows = _rows(session)
    if rows:
        session.connection().execute(sa.insert(AuditLog.__table__), rows)


def install(session_factory: Any) -> None:
    """Listen on the given session (class or scoped_session); idempotent."""
    if not event.contains(session_factory, "after_flush", _after_flush):
        event.listen(session_factory, "after_flush", _after_flush)
