"""导入任务 import jobs: spreadsheet imports run in the background with progress.

The web page stores the upload under the instance folder
(``files/imports/<uuid>.<ext>``) and enqueues the job with that relative path.
Re-running a job is harmless: the import creates or updates by SKU, so a second run
updates the same rows to the same values."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from supplychain.errors import ImportRejected, NotFound
from supplychain.extensions import db
from supplychain.jobs.models import ACTIVE_STATUSES, FAILED, JobRun

IMPORT_DIR = os.path.join("files", "imports")
EXTENSIONS = (".csv", ".xlsx")
PRODUCT_IMPORT = "catalog.import_products"


def store_upload(data: bytes, filename: str) -> str:
    """Keep an uploaded file for a job; returns its path relative to the instance
    folder. Raises ImportRejected for an empty file or an extension other than .csv /
    .xlsx."""
    extension = os.path.splitext(filename or "")[1].lower()
    if extension not in EXTENSIONS:
        raise ImportRejected(
            [
                {
                    "row": 0,
                    "column": "",
                    "message": "Only .csv and .xlsx files can be imported.",
                }
            ]
        )
    if not data:
        raise ImportRejected(
            [{"row": 0, "column": "", "message": "The file is empty."}]
        )
    relative = os.path.join(IMPORT_DIR, f"{uuid.uuid4().hex}{extension}")
    target = os.path.join(current_app.instance_path, relative)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as handle:
        handle.write(data)
    return relative


def _read_stored(relative: str) -> bytes:
    """The bytes of a stored upload; refuses paths outside ``files/imports``."""
    base = os.path.realpath(os.path.join(current_app.instance_path, IMPORT_DIR))
    path = os.path.realpath(os.path.join(current_app.instance_path, relative))
    if os.path.dirname(path) != base or not os.path.isfile(path):
        raise ImportRejected(
            [
                {
                    "row": 0,
                    "column": "",
                    "message": "The uploaded file is gone; upload it again.",
                }
            ]
        )
    with open(path, "rb") as handle:
        return handle.read()


def import_products_job(path: str) -> dict[str, Any]:
    """Import products from a stored upload (path relative to the instance folder).
    Returns ``{"created", "updated"}``; raises ImportRejected with the per-row problems.
    """
    from supplychain.catalog.spreadsheets import import_products
    from supplychain.jobs.progress import set_progress

    set_progress(1, "Reading the file")
    result = import_products(_read_stored(path), path, progress=set_progress)
    return result.as_dict()


def enqueue_product_import(
    data: bytes, filename: str, *, user_id: int | None
) -> JobRun:
    """Store the upload and start the product import job (inline: finished on return).
    Raises ImportRejected for an empty file or a wrong extension, before any job exists.
    """
    path = store_upload(data, filename)
    title = f"Product import: {os.path.basename(filename)}"[:200]
    return _enqueue(
        import_products_job, path, kind=PRODUCT_IMPORT, title=title, user_id=user_id
    )


def _enqueue(*args: Any, **kwargs: Any) -> JobRun:
    from supplychain.jobs.runner import enqueue

    return enqueue(*args, **kwargs)


@dataclass(frozen=True)
class ImportOutcome:
    """What the import page shows: progress while it runs, then counts or problems."""

    job_id: str
    title: str
    status: str
    progress: int
    message: str
    result: dict[str, Any] | None
    error: str
    problems: list[dict[str, Any]] = field(default_factory=list)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


def _problems_from_error(run: JobRun) -> tuple[str, list[dict[str, Any]]]:
    """The refusal's message and its per-row problems (the runner keeps a DomainError's
    details in ``error_details``; the text also carries them, after the message)."""
    rows = (run.error_details or {}).get("rows")
    if not isinstance(rows, list):
        return run.error or "", []
    text = run.error or ""
    message = text.partition(" {")[0]
    return message, rows


def product_import_outcome(job_id: str) -> ImportOutcome:
    """The state of a product import job; NotFound for another kind of job or none."""
    run = db.session.get(JobRun, job_id)
    if run is None or run.kind != PRODUCT_IMPORT:
        raise NotFound("There is no such import.")
    error, problems = "", []
    if run.status == FAILED:
        error, problems = _problems_from_error(run)
    return ImportOutcome(
        job_id=run.id, title=run.title, status=run.status, progress=run.progress,
        message=run.message, result=run.result, error=error, problems=problems,
    )  # fmt: skip
