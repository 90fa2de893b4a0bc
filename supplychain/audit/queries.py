"""Read side for the audit log page and API."""

from __future__ import annotations

import sqlalchemy as sa

from supplychain.audit.models import AuditLog


def audit_query(entity: str = "", actor: str = "", entity_id: str = "") -> sa.Select:
    stmt = sa.select(AuditLog).order_by(AuditLog.id.desc())
    if entity:
        stmt = stmt.where(AuditLog.entity == entity)
    if actor:
        stmt = stmt.where(AuditLog.actor == actor)
    if entity_id:
        stmt = stmt.where(AuditLog.entity_id == entity_id)
    return stmt


def audited_entities() -> list[str]:
    from supplychain.extensions import db

    return list(
        db.session.scalars(
            sa.select(AuditLog.entity).distinct().order_by(AuditLog.entity)
        )
    )
