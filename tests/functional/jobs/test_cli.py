import sqlalchemy as sa

from supplychain.extensions import db
from supplychain.jobs.models import JobRun


def _jobs():
    db.session.rollback()
    return list(db.session.scalars(sa.select(JobRun).order_by(JobRun.created_at)))


def test_demo_command_runs_the_demo_job_and_prints_it(runner):
    result = runner.invoke(args=["jobs", "demo", "--steps", "3"])

    assert result.exit_code == 0, result.output
    (run,) = _jobs()
    assert run.id in result.output and "finished" in result.output
    assert run.progress == 100


def test_a_failed_demo_job_is_retried_from_the_command_line(runner):
    runner.invoke(args=["jobs", "demo", "--steps", "4", "--fail-at", "2"])
    (failed,) = _jobs()
    assert failed.status == "failed"

    result = runner.invoke(args=["jobs", "retry", failed.id])

    assert result.exit_code == 0, result.output
    assert "finished" in result.output
    assert _jobs()[0].attempts == 2


def test_list_command_shows_jobs_and_filters_by_status(runner):
    runner.invoke(args=["jobs", "demo", "--steps", "2"])
    runner.invoke(args=["jobs", "demo", "--steps", "2", "--fail-at", "1"])

    everything = runner.invoke(args=["jobs", "list"]).output
    failed = runner.invoke(args=["jobs", "list", "--status", "failed"]).output

    assert len(everything.strip().splitlines()) == 2
    assert len(failed.strip().splitlines()) == 1 and "SimulatedFault" in failed


def test_retry_of_an_unknown_job_fails_with_a_message(runner):
    result = runner.invoke(args=["jobs", "retry", "nope"])

    assert result.exit_code == 1
    assert "There is no such job." in result.output


def test_demo_command_refuses_bad_numbers_and_starts_nothing(runner):
    result = runner.invoke(args=["jobs", "demo", "--steps", "0"])

    assert result.exit_code == 1
    assert "steps" in result.output
    assert _jobs() == []
