"""RQ worker (后台任务): ``python -m supplychain.worker [--burst] [--queue NAME]``.

Builds the app once per worker process, from SUPPLYCHAIN_* environment variables, and
runs an RQ worker on JOB_QUEUE. RQ forks a work horse per job; the horse pushes an
app context around the job and opens its own database connections (pooled connections
are never shared across fork). When a horse dies without recording its job (killed,
out of memory), the JobRun is marked failed so it can be retried.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from flask import Flask
from rq import Queue, Worker

from supplychain.extensions import db


class AppWorker(Worker):
    """An rq.Worker that runs each job inside the app's context."""

    def __init__(self, *args: Any, app: Flask, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.app = app

    def perform_job(self, job: Any, queue: Any, execution: Any) -> bool:
        with self.app.app_context():
            db.engine.dispose(close=False)  # forget connections inherited through fork
            try:
                return super().perform_job(job, queue, execution)
            finally:
                db.session.remove()
                db.engine.dispose()

    def handle_job_failure(
        self, job: Any, queue: Any, *args: Any, **kwargs: Any
    ) -> None:
        super().handle_job_failure(job, queue, *args, **kwargs)
        from supplychain.jobs.runner import mark_lost

        reason = kwargs.get("exc_string") or "the job failed on the worker"
        with self.app.app_context():
            try:
                if mark_lost(job.id, f"The worker lost the job: {reason}"):
                    self.log.warning("job %s marked failed: %s", job.id, reason)
            except (
                Exception
            ):  # noqa: BLE001 — the worker must survive a database hiccup
                self.log.exception("could not mark job %s failed", job.id)
            finally:
                db.session.remove()
                if not self.is_horse:
                    db.engine.dispose()  # so the next fork inherits no open connection


def build_worker(app: Flask, queue_name: str | None = None) -> AppWorker:
    from redis import Redis

    url = app.config.get("REDIS_URL")
    if not url:
        raise SystemExit(
            "SUPPLYCHAIN_REDIS_URL is not set: there is no queue to work on."
        )
    connection = Redis.from_url(url)
    queue = Queue(queue_name or app.config["JOB_QUEUE"], connection=connection)
    return AppWorker([queue], connection=connection, app=app)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m supplychain.worker", description=__doc__
    )
    parser.add_argument(
        "--burst", action="store_true", help="quit when the queue is empty"
    )
    parser.add_argument("--queue", help="queue name (default: JOB_QUEUE)")
    options = parser.parse_args(argv)

    from supplychain.app import create_app

    app = create_app()
    worker = build_worker(app, options.queue)
    worker.work(burst=options.burst, logging_level="INFO")
    return 0


if __name__ == "__main__":
    sys.exit(main())
