"""任务进度 progress from inside a running job: ``set_progress(percent, message)``.

How the write is done, and why (it must work on PostgreSQL and on SQLite alike):

* Progress is written on a **separate connection in its own short transaction**
  (``db.engine.begin()``), never through the job's session. So it never commits half
  of the job's work, and on PostgreSQL it is visible to the polling page at once,
  even while the job's own transaction is open (the job never locks its own JobRun
  row: the runner commits "running" before calling the job function).
* SQLite allows one writer at a time. While the job's session holds uncommitted
  writes, a second connection would wait for the busy timeout and then fail — a
  self-deadlock. So on SQLite, while the job's connection is inside a write
  transaction, the value is kept in memory and written at the next ``set_progress``
  after the job commits (or with the final status). Jobs that commit their work in
  steps (as services do) therefore show live progress on SQLite too.
* Unchanged values are not rewritten; a change of message alone is written at most
  every ``MESSAGE_INTERVAL_S`` (percent changes are always written, at most 101 of
  them).

Outside a job (a job function called directly, e.g. from a test or the shell)
``set_progress`` does nothing.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field

import sqlalchemy as sa

from supplychain.extensions import db
from supplychain.jobs.models import JobRun

log = logging.getLogger(__name__)

MAX_MESSAGE = 500
MESSAGE_INTERVAL_S = 0.25


@dataclass
class JobContext:
    """The job being executed in this context (set by the runner around the job
    function)."""

    job_id: str
    attempt: int  # 1 on the first execution, 2 on the first retry, …
    user_id: int | None
    percent: int = 0
    message: str = ""
    written: tuple[int, str] = (0, "")
    written_at: float = field(default_factory=time.monotonic)

    @property
    def has_unwritten(self) -> bool:
        return (self.percent, self.message) != self.written


_current: ContextVar[JobContext | None] = ContextVar("job_context", default=None)


def current_job() -> JobContext | None:
    """The running job's context, or None outside a job."""
    return _current.get()


@contextlib.contextmanager
def tracking(context: JobContext) -> Iterator[JobContext]:
    """Make ``context`` the current job for set_progress (used by the runner)."""
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def set_progress(percent: int | float, message: str = "") -> None:
    """Record the running job's progress (0..100, clamped) and a short message."""
    context = _current.get()
    if context is None:
        return
    context.percent = max(0, min(100, int(percent)))
    context.message = (message or "")[:MAX_MESSAGE]
    if not context.has_unwritten:
        return
    percent_changed = context.percent != context.written[0]
    if (
        not percent_changed
        and time.monotonic() - context.written_at < MESSAGE_INTERVAL_S
    ):
        return  # kept; written with the next percent change or the final status
    flush_progress(context)


def flush_progress(context: JobContext) -> bool:
    """Write the context's progress now if that cannot block; True when written."""
    if _job_session_holds_sqlite_write_lock():
        return False
    try:
        with db.engine.begin() as connection:
            connection.execute(
                sa.update(JobRun)
                .where(JobRun.id == context.job_id)
                .values(progress=context.percent, message=context.message)
            )
    except sa.exc.OperationalError:
        # progress is best effort: a busy database must never fail the job itself
        log.warning("could not write progress of job %s", context.job_id, exc_info=True)
        return False
    context.written = (context.percent, context.message)
    context.written_at = time.monotonic()
    return True


def _job_session_holds_sqlite_write_lock() -> bool:
    if db.engine.dialect.name != "sqlite":
        return False
    session = db.session()
    if not session.in_transaction():
        return False
    # pysqlite issues BEGIN only before the first INSERT/UPDATE/DELETE, so an open
    # DB-API transaction on the session's connection means it holds the write lock
    dbapi_connection = session.connection().connection.dbapi_connection
    return bool(getattr(dbapi_connection, "in_transaction", True))
