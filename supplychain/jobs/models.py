"""JobRun: one row per background job (id = the RQ job id), polled by the jobs page."""
from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from supplychain.database import UTCDateTime, utcnow
from supplychain.extensions import db


class JobRun(db.Model):
    __tablename__ = "job_runs"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(80), index=True)
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    status: Mapped[str] = mapped_column(sa.String(20), default="queued")  # queued|running|finished|failed
    progress: Mapped[int] = mapped_column(default=0)  # 0..100
    message: Mapped[str] = mapped_column(sa.Text, default="")
    args: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    result: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    error: Mapped[str | None] = mapped_column(sa.Text)
    attempts: Mapped[int] = mapped_column(default=0)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
