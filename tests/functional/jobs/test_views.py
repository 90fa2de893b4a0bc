import re

import pytest
import sqlalchemy as sa

from supplychain.extensions import db
from supplychain.jobs.demo import start_demo_job
from supplychain.jobs.models import JobRun
from tests.factories import JobRunFactory, UserFactory, merchant_user


def _fresh(job_id):
    db.session.rollback()
    return db.session.get(JobRun, job_id)


def test_jobs_page_needs_login(client):
    response = client.get("/jobs/")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/jobs/"),
        ("get", "/jobs/{id}"),
        ("post", "/jobs/{id}/retry"),
        ("post", "/jobs/demo"),
    ],
)
def test_merchant_users_may_not_use_the_jobs_pages(client, login_as, method, path):
    user = merchant_user()
    run = JobRunFactory(user=user, status="failed")
    login_as(user)

    response = getattr(client, method)(path.format(id=run.id))

    assert response.status_code == 403
    assert _fresh(run.id).status == "failed"


def test_staff_see_their_own_jobs_and_admin_sees_everyones(client, login_as):
    clerk, other = UserFactory(role="warehouse"), UserFactory(role="finance")
    JobRunFactory(user=clerk, title="拣货单打印")
    JobRunFactory(user=other, title="对账单生成")

    login_as(clerk)
    own = client.get("/jobs/").get_data(as_text=True)
    login_as(UserFactory(role="admin"))
    everyone = client.get("/jobs/").get_data(as_text=True)

    assert "拣货单打印" in own and "对账单生成" not in own
    assert "拣货单打印" in everyone and "对账单生成" in everyone


def test_list_filters_by_status_and_searches_titles(client, login_as):
    admin = UserFactory(role="admin")
    JobRunFactory(title="count to 3", status="finished")
    JobRunFactory(title="plan routes", status="failed", error="no vehicles")
    login_as(admin)

    failed = client.get("/jobs/?status=failed").get_data(as_text=True)
    searched = client.get("/jobs/?q=ROUTES").get_data(as_text=True)

    assert "plan routes" in failed and "count to 3" not in failed
    assert "plan routes" in searched and "count to 3" not in searched


def test_list_is_paged(client, login_as, app):
    admin = UserFactory(role="admin")
    app.config["PER_PAGE"] = 2
    for _ in range(3):
        JobRunFactory(user=admin)
    login_as(admin)

    first = client.get("/jobs/").get_data(as_text=True)
    second = client.get("/jobs/?page=2").get_data(as_text=True)

    assert first.count('data-label="Job"') == 2
    assert second.count('data-label="Job"') == 1
    for absurd in ("10" * 20, "-3", "x"):
        assert client.get(f"/jobs/?page={absurd}").status_code == 200


def test_job_page_shows_progress_and_loads_the_polling_script_without_inline_code(
    client, login_as
):
    user = UserFactory(role="dispatcher")
    run = JobRunFactory(
        user=user, status="running", progress=40, message="step 4 of 10"
    )
    login_as(user)

    response = client.get(f"/jobs/{run.id}")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert f'data-job-url="/api/v1/jobs/{run.id}"' in page
    assert 'data-status="running"' in page
    assert 'aria-valuenow="40"' in page and "step 4 of 10" in page
    assert '<script src="/static/js/jobs.js" defer></script>' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)


def test_polling_script_is_served(client):
    response = client.get("/static/js/jobs.js")

    assert response.status_code == 200
    assert b"data-job-url" in response.data
    response.close()


def test_finished_job_page_shows_its_result(client, login_as):
    user = UserFactory(role="buyer")
    run = JobRunFactory(user=user, result={"订单": 3})
    login_as(user)

    page = client.get(f"/jobs/{run.id}").get_data(as_text=True)

    assert "&#34;订单&#34;: 3" in page or '"订单": 3' in page
    assert "Retry" not in page


@pytest.mark.parametrize("whose", ["unknown", "another user's"])
def test_job_page_is_404_for_unknown_or_another_users_job(client, login_as, whose):
    user = UserFactory(role="warehouse")
    job_id = (
        "f" * 32
        if whose == "unknown"
        else JobRunFactory(user=UserFactory(role="buyer")).id
    )
    login_as(user)

    assert client.get(f"/jobs/{job_id}").status_code == 404
    assert client.post(f"/jobs/{job_id}/retry").status_code == 404


def test_failed_job_shows_its_error_and_a_retry_button_that_finishes_it(
    client, login_as
):
    user = UserFactory(role="warehouse")
    login_as(user)
    run = start_demo_job(4, fail_at=2, user_id=user.id)

    page = client.get(f"/jobs/{run.id}").get_data(as_text=True)
    response = client.post(f"/jobs/{run.id}/retry")

    assert "SimulatedFault: simulated fault at step 2 of 4" in page
    assert f'action="/jobs/{run.id}/retry"' in page
    assert response.status_code == 303
    assert response.headers["Location"] == f"/jobs/{run.id}"
    assert _fresh(run.id).status == "finished"
    assert "The job was queued again." in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)


def test_retrying_a_finished_job_is_refused_with_a_message(client, login_as):
    user = UserFactory(role="warehouse")
    run = JobRunFactory(user=user)
    login_as(user)

    response = client.post(
        f"/jobs/{run.id}/retry", headers={"Referer": f"/jobs/{run.id}"}
    )

    assert response.status_code == 303
    assert "Only a failed job can be retried." in client.get(
        f"/jobs/{run.id}"
    ).get_data(as_text=True)
    assert _fresh(run.id).attempts == 1


def test_admin_starts_the_demo_job_from_the_jobs_page(client, login_as):
    admin = UserFactory(role="admin")
    login_as(admin)

    assert 'action="/jobs/demo"' in client.get("/jobs/").get_data(as_text=True)
    response = client.post("/jobs/demo", data={"steps": "3", "fail_at": ""})

    assert response.status_code == 303
    run = db.session.scalars(sa.select(JobRun)).one()
    assert response.headers["Location"] == f"/jobs/{run.id}"
    assert (run.status, run.progress, run.user_id) == ("finished", 100, admin.id)


def test_staff_other_than_admin_cannot_start_the_demo_job(client, login_as):
    login_as(UserFactory(role="warehouse"))

    assert 'action="/jobs/demo"' not in client.get("/jobs/").get_data(as_text=True)
    assert client.post("/jobs/demo", data={"steps": "3"}).status_code == 403


@pytest.mark.parametrize(
    "form, field",
    [
        ({"steps": "abc"}, "steps"),
        ({"steps": "0"}, "steps"),
        ({"steps": "100000000000000000000"}, "steps"),
        ({"steps": "3", "fail_at": "4"}, "fail_at"),
        ({"steps": "3", "fail_at": "-1"}, "fail_at"),
    ],
)
def test_bad_demo_numbers_are_shown_next_to_the_field_and_nothing_starts(
    client, login_as, form, field
):
    login_as(UserFactory(role="admin"))

    response = client.post("/jobs/demo", data=form)

    assert response.status_code == 400
    assert f'id="e-{field}"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JobRun)) == 0
