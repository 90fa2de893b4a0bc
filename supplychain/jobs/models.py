"""后台任务 JobRun: one row per background job (id = the RQ job id), polled by pages.

Status moves queued → running → finished | failed; a failed job may be queued again
(retry). `target` ("module:function") and `args` (JSON primitives) are what a retry
runs again. Not audited: progress updates would flood the audit log; the job's own
work is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supplychain.database import UTCDateTime, utcnow
from supplychain.extensions import db

if TYPE_CHECKING:
    from supplychain.auth.models import User

QUEUED, RUNNING, FINISHED, FAILED = "queued", "running", "finished", "failed"
STATUSES = (QUEUED, RUNNING, FINISHED, FAILED)
ACTIVE_STATUSES = (QUEUED, RUNNING)


class JobRun(db.Model):
    __tablename__ = "job_runs"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(80), index=True)
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    target: Mapped[str] = mapped_column(sa.String(200), default="")  # "module:function"
    status: Mapped[str] = mapped_column(sa.String(20), default=QUEUED, index=True)
    progress: Mapped[int] = mapped_column(default=0)  # 0..100
    message: Mapped[str] = mapped_column(sa.Text, default="")
    args: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    result: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    error: Mapped[str | None] = mapped_column(sa.Text)
    # a DomainError's structured details (an import's {"rows": [...]}), else None
    error_details: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    attempts: Mapped[int] = mapped_column(default=0)  # executions started
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), default=utcnow, index=True
    )
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User | None] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def __repr__(self) -> str:
        return f"<JobRun {self.id} {self.kind} {self.status} {self.progress}%>"
