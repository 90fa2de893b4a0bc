import pytest

from supplychain.extensions import db
from supplychain.jobs import runner
from supplychain.jobs.demo import count_to_job
from supplychain.jobs.models import JobRun
from tests.conftest import make_app


def test_embedded_default_is_the_inline_runner(app):
    assert isinstance(app.extensions["job_runner"], runner.InlineRunner)


def test_redis_url_selects_rq_without_connecting(tmp_path):
    # nothing listens on port 1: creating the app must not try to connect
    app = make_app(
        f"sqlite:///{tmp_path / 'x.sqlite'}",
        tmp_path,
        REDIS_URL="redis://127.0.0.1:1/0",
    )

    chosen = app.extensions["job_runner"]

    assert isinstance(chosen, runner.RqRunner)
    assert chosen.queue_name == app.config["JOB_QUEUE"]
    assert chosen._queue is None


def test_job_runner_inline_overrides_redis_url(tmp_path):
    app = make_app(
        f"sqlite:///{tmp_path / 'x.sqlite'}",
        tmp_path,
        REDIS_URL="redis://127.0.0.1:1/0",
        JOB_RUNNER="inline",
    )

    assert isinstance(app.extensions["job_runner"], runner.InlineRunner)


def test_unreachable_queue_marks_the_job_failed_so_it_can_be_retried(app):
    app.extensions["job_runner"] = runner.RqRunner(
        "redis://127.0.0.1:1/0", "nowhere", 60
    )

    run = runner.enqueue(count_to_job, 1, kind="jobs.demo")

    db.session.rollback()
    run = db.session.get(JobRun, run.id)
    assert run.status == "failed"
    assert run.error.startswith("Could not reach the job queue")


def test_rq_without_redis_url_is_a_configuration_error(tmp_path):
    with pytest.raises(RuntimeError):
        make_app(f"sqlite:///{tmp_path / 'x.sqlite'}", tmp_path, JOB_RUNNER="rq")
