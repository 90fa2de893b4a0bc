"""Job functions for the jobs tests: module-level, primitives in, importable by a
worker."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from supplychain.errors import Conflict
from supplychain.extensions import db
from supplychain.jobs.models import JobRun
from supplychain.jobs.progress import current_job, set_progress
from supplychain.stock.models import Warehouse


def _ensure_warehouse(code: str) -> None:
    if db.session.scalar(sa.select(Warehouse.id).where(Warehouse.code == code)) is None:
        db.session.add(Warehouse(code=code, name=f"仓库 {code}"))


def add_warehouse_job(code: str, ready_path: str) -> dict[str, Any]:
    """Idempotent step 1 (insert if absent, committed), then fails until ready_path
    exists."""
    _ensure_warehouse(code)
    db.session.commit()
    set_progress(50, "warehouse added")
    if not os.path.exists(ready_path):
        raise Conflict("The label printer is offline.", details={"printer": "P1"})
    set_progress(90, "labels printed")
    return {"code": code}


def seen_progress(job_id: str) -> tuple[int, str]:
    with db.engine.connect() as connection:
        row = connection.execute(
            sa.select(JobRun.progress, JobRun.message).where(JobRun.id == job_id)
        ).one()
    return row.progress, row.message


def progress_probe_job() -> dict[str, Any]:
    set_progress(40, "probing")
    progress, message = seen_progress(current_job().job_id)
    return {"seen_progress": progress, "seen_message": message}


def uncommitted_work_job(code: str) -> dict[str, Any]:
    """Holds an uncommitted write while reporting progress; leaves the commit to the
    runner."""
    db.session.add(Warehouse(code=code, name="未提交"))
    db.session.flush()
    set_progress(50, "half way")
    progress, _ = seen_progress(current_job().job_id)
    return {"seen_progress": progress}


def half_written_failure_job(code: str) -> None:
    db.session.add(Warehouse(code=code, name="半途"))
    db.session.flush()
    set_progress(30, "about to fail")
    raise RuntimeError("disk full")


def domain_failure_job() -> None:
    raise Conflict("Nothing to consolidate.", details={"date": "2026-11-24"})


def rich_result_job() -> dict[str, Any]:
    return {
        "total_amount": Decimal("12.50"),
        "day": dt.date(2026, 11, 24),
        "名称": "艾灸贴",
    }


def list_result_job() -> list[int]:
    return [1, 2, 3]


def audited_job(code: str) -> None:
    _ensure_warehouse(code)
    db.session.commit()


def append_line_job(path: str) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("ran\n")


def killed_worker_job() -> None:
    """Dies like an out-of-memory kill: no chance to record anything."""
    import signal

    os.kill(os.getpid(), signal.SIGKILL)


REFUSED_ROWS = [{"row": 2, "column": "price", "message": "Must not be negative."}]


def refuse_file_job() -> None:
    """Fails like an import whose file is refused (a DomainError with details)."""
    from supplychain.errors import ImportRejected

    raise ImportRejected(REFUSED_ROWS)
