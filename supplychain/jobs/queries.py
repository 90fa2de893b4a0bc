"""后台任务 read side: which jobs a user may see (own jobs; admin all), newest first."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from supplychain.errors import NotFound
from supplychain.extensions import db
from supplychain.jobs.models import JobRun


def jobs_visible_to(
    user: Any, *, status: str | None = None, q: str | None = None
) -> sa.Select:
    """Jobs ``user`` may see, newest first: an admin sees all, anyone else their own.

    ``q`` matches kind, title or the start of the id (case-insensitive).
    """
    stmt = sa.select(JobRun).order_by(JobRun.created_at.desc(), JobRun.id)
    if getattr(user, "role", None) != "admin":
        stmt = stmt.where(JobRun.user_id == user.id)
    if status:
        stmt = stmt.where(JobRun.status == status)
    if q and q.strip():
        term = q.strip().lower()
        like = (
            "%"
            + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            + "%"
        )
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(JobRun.kind).like(like, escape="\\"),
                sa.func.lower(JobRun.title).like(like, escape="\\"),
                JobRun.id.startswith(term, autoescape=True),
            )
        )
    return stmt


def job_for(user: Any, job_id: str) -> JobRun:
    """The job if ``user`` may see it.

    :raise NotFound: unknown id, or another user's job (existence is not revealed).
    """
    run = db.session.get(JobRun, job_id) if len(job_id) <= 64 else None
    if run is None or (
        getattr(user, "role", None) != "admin" and run.user_id != user.id
    ):
        raise NotFound("There is no such job.", details={"id": job_id})
    return run


def recent_jobs(limit: int = 20, status: str | None = None) -> list[JobRun]:
    """The newest jobs of everyone (for the command line)."""
    stmt = sa.select(JobRun).order_by(JobRun.created_at.desc(), JobRun.id).limit(limit)
    if status:
        stmt = stmt.where(JobRun.status == status)
    return list(db.session.scalars(stmt))
