import pytest
import sqlalchemy as sa

from supplychain.audit.models import AuditLog
from supplychain.errors import Conflict, NotFound
from supplychain.extensions import db
from supplychain.jobs import progress, runner
from supplychain.jobs.demo import count_to_job, start_demo_job
from supplychain.jobs.models import JobRun
from supplychain.stock.models import Warehouse
from tests.factories import UserFactory
from tests.integration.jobs import jobfuncs


def _fresh(job_id):
    db.session.rollback()
    return db.session.get(JobRun, job_id)


def _warehouse_count(code):
    return db.session.scalar(sa.select(sa.func.count()).where(Warehouse.code == code))


def test_inline_job_finishes_with_progress_100_and_its_result(any_db_app):
    run = runner.enqueue(count_to_job, 4, kind="jobs.demo", title="count")

    run = _fresh(run.id)
    assert run.status == "finished"
    assert run.progress == 100
    assert run.message == "step 4 of 4"
    assert run.result == {"counted": 4, "attempt": 1}
    assert run.attempts == 1
    assert run.target == "supplychain.jobs.demo:count_to_job"
    assert run.args == [4]
    assert run.error is None
    assert run.started_at <= run.finished_at


def test_progress_is_visible_on_another_connection_while_the_job_runs(any_db_app):
    run = runner.enqueue(jobfuncs.progress_probe_job, kind="test.probe")

    assert _fresh(run.id).result == {"seen_progress": 40, "seen_message": "probing"}


def test_progress_while_holding_uncommitted_writes_neither_blocks_nor_commits_them(
    any_db_app,
):
    run = runner.enqueue(jobfuncs.uncommitted_work_job, "WIP", kind="test.wip")

    run = _fresh(run.id)
    assert run.status == "finished"
    assert run.progress == 100
    # PostgreSQL shows it at once; SQLite (one writer) defers it until the job commits
    expected = 0 if db.engine.dialect.name == "sqlite" else 50
    assert run.result == {"seen_progress": expected}
    assert _warehouse_count("WIP") == 1


def test_domain_error_is_recorded_with_message_and_details(any_db_app):
    run = runner.enqueue(jobfuncs.domain_failure_job, kind="test.fail")

    run = _fresh(run.id)
    assert run.status == "failed"
    assert run.error == 'Nothing to consolidate. {"date": "2026-11-24"}'
    assert run.finished_at is not None
    assert run.result is None


def test_unexpected_error_rolls_back_the_jobs_work_and_keeps_the_last_progress(
    any_db_app,
):
    run = runner.enqueue(jobfuncs.half_written_failure_job, "HALF", kind="test.fail")

    run = _fresh(run.id)
    assert run.status == "failed"
    assert run.error == "RuntimeError: disk full"
    assert (run.progress, run.message) == (30, "about to fail")
    assert _warehouse_count("HALF") == 0


def test_retry_after_fixing_the_cause_finishes_without_duplicating_effects(
    any_db_app, tmp_path
):
    ready = tmp_path / "printer-online"
    run = runner.enqueue(
        jobfuncs.add_warehouse_job, "W-RETRY", str(ready), kind="test.retry"
    )
    failed = _fresh(run.id)
    assert failed.status == "failed"
    assert failed.error.startswith("The label printer is offline.")
    assert _warehouse_count("W-RETRY") == 1

    ready.touch()
    runner.retry(run.id)

    run = _fresh(run.id)
    assert run.status == "finished"
    assert run.attempts == 2
    assert run.error is None
    assert run.result == {"code": "W-RETRY"}
    assert _warehouse_count("W-RETRY") == 1


def test_demo_job_fails_on_its_first_attempt_and_a_retry_finishes(any_db_app):
    run = start_demo_job(5, fail_at=3)
    assert _fresh(run.id).status == "failed"
    assert _fresh(run.id).progress == 40

    runner.retry(run.id)

    run = _fresh(run.id)
    assert (run.status, run.progress, run.attempts) == ("finished", 100, 2)
    assert run.result == {"counted": 5, "attempt": 2}


def test_only_a_failed_job_can_be_retried(any_db_app):
    run = runner.enqueue(count_to_job, 2, kind="jobs.demo")

    with pytest.raises(Conflict):
        runner.retry(run.id)

    assert _fresh(run.id).attempts == 1


def test_retrying_an_unknown_job_is_not_found(any_db_app):
    with pytest.raises(NotFound):
        runner.retry("0" * 32)


def test_a_stuck_running_job_can_be_forced_to_run_again(any_db_app):
    run = runner.enqueue(count_to_job, 2, kind="jobs.demo")
    db.session.execute(sa.update(JobRun).values(status="running"))
    db.session.commit()

    runner.retry(run.id, force=True)

    assert _fresh(run.id).status == "finished"
    assert _fresh(run.id).attempts == 2


def test_a_finished_job_delivered_again_is_not_run_again(any_db_app, tmp_path):
    path = tmp_path / "ran.txt"
    run = runner.enqueue(jobfuncs.append_line_job, str(path), kind="test.once")

    runner.execute_job(run.id, run.target, run.args)

    assert path.read_text() == "ran\n"
    assert _fresh(run.id).attempts == 1


def test_job_work_is_audited_as_the_job_for_the_starting_user(any_db_app):
    user = UserFactory(role="warehouse")

    run = runner.enqueue(
        jobfuncs.audited_job, "AUD", kind="test.audit", user_id=user.id
    )

    entry = db.session.scalars(
        sa.select(AuditLog)
        .where(AuditLog.entity == "warehouses", AuditLog.action == "create")
        .order_by(AuditLog.id.desc())
    ).first()
    assert (entry.actor, entry.actor_id) == (f"job:{run.id}", user.id)


def test_job_belongs_to_the_current_audit_actor_unless_told_otherwise(any_db_app):
    from supplychain.audit.recorder import Actor, acting_as

    user = UserFactory(role="buyer")
    with acting_as(Actor(user.id, user.username)):
        run = runner.enqueue(count_to_job, 1, kind="jobs.demo")

    assert _fresh(run.id).user_id == user.id


def test_results_with_decimals_and_dates_are_stored_as_strings(any_db_app):
    run = runner.enqueue(jobfuncs.rich_result_job, kind="test.result")

    assert _fresh(run.id).result == {
        "total_amount": "12.50",
        "day": "2026-11-24",
        "名称": "艾灸贴",
    }


def test_a_result_that_is_not_a_dict_is_wrapped(any_db_app):
    run = runner.enqueue(jobfuncs.list_result_job, kind="test.result")

    assert _fresh(run.id).result == {"value": [1, 2, 3]}


@pytest.mark.parametrize(
    "func, args",
    [
        (count_to_job, (object(),)),
        (count_to_job, (float("nan"),)),
        (lambda: None, ()),
        ("supplychain.jobs.demo:no_such_job", ()),
        ("no-colon", ()),
    ],
)
def test_bad_job_functions_or_arguments_are_refused_before_anything_is_written(
    any_db_app, func, args
):
    with pytest.raises((TypeError, LookupError)):
        runner.enqueue(func, *args, kind="test.bad")

    assert db.session.scalar(sa.select(sa.func.count()).select_from(JobRun)) == 0


def test_orm_objects_are_refused_as_job_arguments(any_db_app):
    user = UserFactory()

    with pytest.raises(TypeError):
        runner.enqueue(count_to_job, user, kind="test.bad")


def test_set_progress_outside_a_job_does_nothing(any_db_app):
    progress.set_progress(50, "nobody listens")

    assert progress.current_job() is None


def test_a_missing_job_function_at_run_time_fails_the_job(any_db_app):
    run = runner.enqueue(count_to_job, 1, kind="jobs.demo")
    db.session.execute(
        sa.update(JobRun).values(status="failed", target="supplychain.jobs.demo:gone")
    )
    db.session.commit()

    runner.retry(run.id)

    run = _fresh(run.id)
    assert run.status == "failed"
    assert run.error.startswith("LookupError")


def test_mark_lost_fails_only_unfinished_jobs(any_db_app):
    done = runner.enqueue(count_to_job, 1, kind="jobs.demo")
    stuck = runner.enqueue(count_to_job, 1, kind="jobs.demo")
    db.session.execute(
        sa.update(JobRun).where(JobRun.id == stuck.id).values(status="running")
    )
    db.session.commit()

    assert runner.mark_lost(done.id, "horse killed") is False
    assert runner.mark_lost(stuck.id, "horse killed") is True
    assert _fresh(stuck.id).error == "horse killed"
    assert _fresh(done.id).status == "finished"


def test_demo_job_checks_its_numbers(any_db_app):
    from supplychain.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as error:
        start_demo_job(3, fail_at=4)

    assert "fail_at" in error.value.details
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JobRun)) == 0


def test_a_domain_error_keeps_its_details_on_the_row(app):
    run = runner.enqueue(jobfuncs.refuse_file_job, kind="test.refuse")

    db.session.expire_all()
    assert run.status == "failed"
    assert run.error_details == {"rows": jobfuncs.REFUSED_ROWS}
    assert run.error.startswith("The file was refused")
