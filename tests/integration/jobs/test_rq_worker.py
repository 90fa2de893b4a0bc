import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from supplychain.extensions import db
from supplychain.jobs import runner
from supplychain.jobs.demo import start_demo_job
from supplychain.jobs.models import JobRun

pytestmark = pytest.mark.redis

ROOT = Path(__file__).resolve().parents[3]
DEADLINE_S = 60.0


@pytest.fixture
def app_config(redis_url):
    return {"REDIS_URL": redis_url, "JOB_QUEUE": f"test-{uuid.uuid4().hex}"}


@pytest.fixture
def worker(app, tmp_path):
    """A real `python -m supplychain.worker` on the test's SQLite file and queue."""
    env = os.environ | {
        "SUPPLYCHAIN_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SUPPLYCHAIN_REDIS_URL": app.config["REDIS_URL"],
        "SUPPLYCHAIN_JOB_QUEUE": app.config["JOB_QUEUE"],
        "SUPPLYCHAIN_INSTANCE_PATH": str(tmp_path / "worker-instance"),
        "SUPPLYCHAIN_SECRET_KEY": "worker-test",
    }
    log_path = tmp_path / "worker.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "supplychain.worker"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        process.log_path = log_path
        try:
            yield process
        finally:
            process.terminate()  # warm shutdown: RQ ends the current job, then exits
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def wait_for(job_id, statuses, worker):
    """Poll the database until the job reaches one of ``statuses`` (with a deadline)."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        db.session.rollback()
        run = db.session.get(JobRun, job_id)
        if run.status in statuses:
            return run
        if worker.poll() is not None or time.monotonic() > deadline:
            log = worker.log_path.read_text(errors="replace")[-4000:]
            pytest.fail(
                f"job {job_id} is {run.status}; worker exit {worker.poll()};"
                f" log:\n{log}"
            )
        time.sleep(0.05)  # polling interval, not a timing assertion


def test_the_demo_job_runs_on_a_real_worker_and_finishes(app, worker):
    assert isinstance(app.extensions["job_runner"], runner.RqRunner)

    run = start_demo_job(5, delay=0)
    assert run.status == "queued"

    run = wait_for(run.id, ("finished", "failed"), worker)
    assert run.status == "finished", run.error
    assert run.progress == 100
    assert run.result == {"counted": 5, "attempt": 1}
    assert run.attempts == 1


def test_a_job_failing_on_the_worker_is_retried_and_finishes(app, worker):
    run = start_demo_job(4, fail_at=2, delay=0)

    failed = wait_for(run.id, ("finished", "failed"), worker)
    assert failed.status == "failed"
    assert failed.error.startswith("SimulatedFault: simulated fault at step 2 of 4")
    assert failed.progress == 25

    runner.retry(run.id)

    run = wait_for(run.id, ("finished", "failed"), worker)
    assert run.status == "finished", run.error
    assert run.attempts == 2
    assert run.result == {"counted": 4, "attempt": 2}


def test_a_job_whose_work_horse_dies_is_marked_failed(app, worker):
    from tests.integration.jobs import jobfuncs

    run = runner.enqueue(jobfuncs.killed_worker_job, kind="test.killed")

    run = wait_for(run.id, ("finished", "failed"), worker)
    assert run.status == "failed"
    assert run.error.startswith(
        "The worker lost the job: Work-horse terminated unexpectedly"
    )
