"""后台任务 background jobs: ``enqueue(func, *args, kind=…)`` runs a job function in-process
(InlineRunner, the embedded default and tests) or on RQ workers (RqRunner, when
REDIS_URL is set), and records it in a JobRun row (id = uuid4 hex = the RQ job id).

Rules for job functions (``<verb>_<thing>_job`` in ``supplychain/jobs/<family>.py``):

* They are module-level functions taking **ids, paths and JSON primitives only** —
  never ORM objects — because the arguments are stored on the JobRun (for retry) and
  sent to RQ.
* They must be **idempotent: safe to run twice**. A retry re-runs the whole function
  after a failure that may have happened half-way, so work is keyed by natural keys
  ("insert if absent", "set to", not "add one more") and committed in steps, service
  by service.
* They run inside an app context with a fresh ``db.session``; the audit actor is
  ``job:<id>`` with the starting user's id; ``progress.set_progress()`` reports
  progress.
* They return None or a JSON-able dict (Decimal and dates are turned into strings),
  stored as the JobRun's ``result``. Work left uncommitted when the function returns
  is committed together with the "finished" status; on an exception it is rolled back
  and the job is marked failed with the error (a DomainError's message and details,
  or the exception type and message, with the traceback logged).

How progress is written while the job's own transaction is open (PostgreSQL and
SQLite alike) is explained in ``supplychain/jobs/progress.py``.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import logging
import uuid
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, Protocol

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context

from supplychain.audit.recorder import Actor, acting_as, current_actor
from supplychain.database import utcnow
from supplychain.errors import Conflict, DomainError, NotFound
from supplychain.extensions import db
from supplychain.jobs import progress
from supplychain.jobs.models import (
    ACTIVE_STATUSES,
    FAILED,
    FINISHED,
    QUEUED,
    RUNNING,
    JobRun,
)

log = logging.getLogger(__name__)

EXECUTE_JOB = "supplychain.jobs.runner.execute_job"
DEFAULT_JOB_TIMEOUT_S = 3600
# large enough that a DomainError's details (e.g. import problems per row) stay whole
MAX_ERROR = 1_000_000


class Runner(Protocol):
    is_async: bool

    def submit(self, job_id: str, target: str, args: list[Any]) -> None: ...


class InlineRunner:
    """Runs the job now, in this process, in a fresh app context (a fresh session)."""

    is_async = False

    def submit(self, job_id: str, target: str, args: list[Any]) -> None:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        with app.app_context():
            execute_job(job_id, target, args)


class RqRunner:
    """Puts ``execute_job(job_id, target, args)`` on an RQ queue; connects lazily."""

    is_async = True

    def __init__(self, redis_url: str, queue_name: str, timeout_s: int) -> None:
        self.redis_url = redis_url
        self.queue_name = queue_name
        self.timeout_s = timeout_s
        self._queue: Any = None

    @property
    def queue(self) -> Any:
        if self._queue is None:
            from redis import Redis
            from rq import Queue

            self._queue = Queue(
                self.queue_name, connection=Redis.from_url(self.redis_url)
            )
        return self._queue

    def submit(self, job_id: str, target: str, args: list[Any]) -> None:
        from redis.exceptions import RedisError
        from rq.exceptions import NoSuchJobError
        from rq.job import Job

        try:
            # a retry reuses the id: drop the earlier RQ job and its registry entries
            try:
                Job.fetch(job_id, connection=self.queue.connection).delete()
            except NoSuchJobError:
                pass
            self.queue.enqueue(
                EXECUTE_JOB,
                job_id,
                target,
                args,
                job_id=job_id,
                job_timeout=self.timeout_s,
                description=f"{target} [{job_id}]",
            )
        except RedisError as error:
            log.exception("could not put job %s on queue %s", job_id, self.queue_name)
            mark_lost(job_id, f"Could not reach the job queue: {error}")


def make_runner(app: Flask) -> Runner:
    """InlineRunner unless REDIS_URL is set (or JOB_RUNNER = "inline" forces it)."""
    choice = app.config.get("JOB_RUNNER")
    url = app.config.get("REDIS_URL")
    if choice == "inline" or (not url and choice != "rq"):
        return InlineRunner()
    if not url:
        raise RuntimeError("JOB_RUNNER = 'rq' needs REDIS_URL (SUPPLYCHAIN_REDIS_URL).")
    timeout = int(app.config.get("JOB_TIMEOUT", DEFAULT_JOB_TIMEOUT_S))
    return RqRunner(url, app.config["JOB_QUEUE"], timeout)


def current_runner() -> Runner:
    runner = current_app.extensions.get("job_runner")
    if runner is None:
        runner = current_app.extensions["job_runner"] = make_runner(current_app)
    return runner


# -- starting jobs ---------------------------------------------------------------------


def enqueue(
    func: Callable[..., Any] | str,
    *args: Any,
    kind: str,
    title: str = "",
    user_id: int | None = None,
) -> JobRun:
    """Record a JobRun (committing the current session) and run or queue the job.

    Call it as the last step of a service, in place of its commit. ``user_id``
    defaults to the current audit actor's user (the logged-in user on a page), so the
    job shows on that user's jobs page. Raises TypeError for a non-module-level
    function or non-JSON args, before anything is written. With the inline runner the
    job has finished (or failed) when this returns; the returned row reloads its
    state on first access.
    """
    target = _target_of(func)
    plain_args = _plain_args(args)
    if not kind or len(kind) > 80:
        raise ValueError("kind must be 1 to 80 characters")
    job_id = uuid.uuid4().hex
    run = JobRun(
        id=job_id,
        kind=kind,
        title=(title or "")[:200],
        target=target,
        args=plain_args,
        status=QUEUED,
        progress=0,
        message="",
        attempts=0,
        user_id=user_id if user_id is not None else current_actor().id,
    )
    db.session.add(run)
    db.session.commit()
    current_runner().submit(job_id, target, plain_args)
    return run


def retry(job_id: str, *, force: bool = False) -> JobRun:
    """Queue a failed job again with the same function and arguments.

    :raise NotFound: no such job.
    :raise Conflict: the job is not failed (``force`` also re-queues a queued or running
        job whose worker died without recording it — for operators, via the CLI).
    """
    allowed = (FAILED, *ACTIVE_STATUSES) if force else (FAILED,)
    run = db.session.get(JobRun, job_id)
    if run is None:
        raise NotFound("There is no such job.", details={"id": job_id})
    # conditional update: two retries at once queue the job only once
    changed = db.session.execute(
        sa.update(JobRun)
        .where(JobRun.id == job_id, JobRun.status.in_(allowed))
        .values(
            status=QUEUED,
            progress=0,
            message="",
            error=None,
            result=None,
            started_at=None,
            finished_at=None,
        )
    ).rowcount
    if changed != 1:
        db.session.rollback()
        raise Conflict(
            "Only a failed job can be retried.",
            details={"id": job_id, "status": run.status},
        )
    target, args = run.target, list(run.args or [])
    db.session.commit()
    current_runner().submit(job_id, target, args)
    return run


def mark_lost(job_id: str, reason: str) -> bool:
    """Mark a queued or running job failed when its execution was lost (queue
    unreachable, worker process killed). Commits; True when the row changed."""
    changed = db.session.execute(
        sa.update(JobRun)
        .where(JobRun.id == job_id, JobRun.status.in_(ACTIVE_STATUSES))
        .values(status=FAILED, error=reason[:MAX_ERROR], finished_at=utcnow())
    ).rowcount
    db.session.commit()
    return changed == 1


# -- executing jobs (inline and on the worker) -----------------------------------------

_worker_app: Flask | None = None


def execute_job(job_id: str, target: str, args: Sequence[Any]) -> dict[str, Any] | None:
    """Run one job and record its outcome; the RQ entry point and the inline runner's.

    Needs an app context; without one (a plain ``rq worker``) it builds the app once
    per process. Only a queued job is started, so a duplicate delivery never runs it
    twice at once. Returns the result (None when failed or skipped).
    """
    if has_app_context():
        return _execute(job_id, target, list(args))
    global _worker_app
    if _worker_app is None:
        from supplychain.app import create_app

        _worker_app = create_app()
    with _worker_app.app_context():
        return _execute(job_id, target, list(args))


def _execute(job_id: str, target: str, args: list[Any]) -> dict[str, Any] | None:
    context = _start(job_id)
    if context is None:
        return None
    actor = Actor(context.user_id, f"job:{job_id}")
    try:
        with acting_as(actor), progress.tracking(context):
            result = _jsonable_result(resolve_target(target)(*args))
            _finish(context, result)
    except Exception as error:  # noqa: BLE001 — every failure is recorded on the row
        db.session.rollback()
        _fail(context, error)
        return None
    return result


def _start(job_id: str) -> progress.JobContext | None:
    db.session.rollback()  # whatever the context's session held is not this job's
    changed = db.session.execute(
        sa.update(JobRun)
        .where(JobRun.id == job_id, JobRun.status == QUEUED)
        .values(
            status=RUNNING,
            started_at=utcnow(),
            finished_at=None,
            error=None,
            progress=0,
            message="",
            attempts=JobRun.attempts + 1,
        )
    ).rowcount
    db.session.commit()
    run = db.session.get(JobRun, job_id)
    if changed != 1:
        status = run.status if run else "missing"
        log.warning(
            "job %s not started: it is %s (duplicate delivery?)", job_id, status
        )
        return None
    return progress.JobContext(job_id=job_id, attempt=run.attempts, user_id=run.user_id)


def _finish(context: progress.JobContext, result: dict[str, Any] | None) -> None:
    run = db.session.get(JobRun, context.job_id)
    run.status, run.progress, run.message = FINISHED, 100, context.message
    run.result, run.finished_at = result, utcnow()
    db.session.commit()  # together with any work the job function left uncommitted


def _fail(context: progress.JobContext, error: Exception) -> None:
    details = None
    if isinstance(error, DomainError):
        text = error.message
        if error.details:
            details = json.loads(json.dumps(error.details, default=str))
            text += " " + json.dumps(details, ensure_ascii=False)
        log.warning("job %s failed: %s", context.job_id, text)
    else:
        text = f"{type(error).__name__}: {error}"
        log.error("job %s failed", context.job_id, exc_info=error)
    try:
        run = db.session.get(JobRun, context.job_id)
        run.status, run.error, run.finished_at = FAILED, text[:MAX_ERROR], utcnow()
        run.error_details = details
        run.progress, run.message = context.percent, context.message
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("could not record the failure of job %s", context.job_id)
        raise error from None  # RQ then records it; the worker marks the row lost


# -- helpers ---------------------------------------------------------------------------


def resolve_target(target: str) -> Callable[..., Any]:
    """Turn "package.module:function" into the function."""
    module_name, _, name = target.partition(":")
    if not module_name or not name:
        raise LookupError(
            f"job target must look like 'package.module:function': {target!r}"
        )
    func = getattr(importlib.import_module(module_name), name, None)
    if not callable(func):
        raise LookupError(f"no job function {target!r}")
    return func


def _target_of(func: Callable[..., Any] | str) -> str:
    if isinstance(func, str):
        resolve_target(func)  # a typo fails here, before anything is written
        target = func
    else:
        module = getattr(func, "__module__", None)
        name = getattr(func, "__qualname__", "")
        if module in (None, "__main__") or "<" in name or "." in name:
            raise TypeError(
                f"a job function must be a module-level function, not {func!r}"
            )
        target = f"{module}:{name}"
        if resolve_target(target) is not func:
            raise TypeError(f"{target} does not resolve to the given function")
    if len(target) > 200:
        raise TypeError("job target name is too long")
    return target


def _plain_args(args: Sequence[Any]) -> list[Any]:
    try:
        return json.loads(json.dumps(list(args), allow_nan=False))
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"job arguments must be ids, paths or JSON primitives: {error}"
        ) from error


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    if isinstance(value, uuid.UUID):
        return value.hex
    raise TypeError(f"job result is not JSON-able: {type(value).__name__}")


def _jsonable_result(result: Any) -> dict[str, Any] | None:
    if result is None:
        return None
    plain = json.loads(json.dumps(result, default=_json_default, allow_nan=False))
    return plain if isinstance(plain, dict) else {"value": plain}
