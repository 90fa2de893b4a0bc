import pytest

from supplychain.extensions import db
from supplychain.jobs.demo import start_demo_job
from supplychain.jobs.models import JobRun
from tests.factories import JobRunFactory, UserFactory, merchant_user

JOB_KEYS = {
    "id",
    "kind",
    "title",
    "status",
    "progress",
    "message",
    "result",
    "error",
    "created_at",
    "started_at",
    "finished_at",
}


def test_list_returns_own_jobs_newest_first_with_the_total(client, auth_headers):
    user = UserFactory(role="finance")
    older = JobRunFactory(user=user, title="older")
    newer = JobRunFactory(user=user, title="newer")
    JobRunFactory(user=UserFactory(role="buyer"))

    response = client.get("/api/v1/jobs", headers=auth_headers(user))

    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == "2"
    assert [job["id"] for job in response.json] == [newer.id, older.id]
    assert set(response.json[0]) == JOB_KEYS


def test_list_pages_and_filters_by_status(client, auth_headers):
    admin = UserFactory(role="admin")
    for _ in range(3):
        JobRunFactory(status="failed", error="boom")
    JobRunFactory(status="finished")

    response = client.get(
        "/api/v1/jobs?status=failed&per_page=2&page=2", headers=auth_headers(admin)
    )

    assert response.headers["X-Total-Count"] == "3"
    assert len(response.json) == 1
    assert response.json[0]["status"] == "failed"


@pytest.mark.parametrize(
    "query", ["status=done", "per_page=0", "per_page=201", "page=abc"]
)
def test_bad_list_arguments_are_422(client, auth_headers, query):
    response = client.get(f"/api/v1/jobs?{query}", headers=auth_headers(UserFactory()))

    assert response.status_code == 422
    assert response.json["error"]["code"] == "validation_error"


def test_one_job_has_the_documented_shape(client, auth_headers):
    user = UserFactory(role="warehouse")
    run = start_demo_job(2, user_id=user.id)

    response = client.get(f"/api/v1/jobs/{run.id}", headers=auth_headers(user))

    body = response.json
    assert response.status_code == 200
    assert set(body) == JOB_KEYS
    assert (body["status"], body["progress"], body["kind"]) == (
        "finished",
        100,
        "jobs.demo",
    )
    assert body["result"] == {"counted": 2, "attempt": 1}
    assert body["error"] is None
    assert body["created_at"].endswith("+00:00") and body["finished_at"].endswith(
        "+00:00"
    )


@pytest.mark.parametrize("whose", ["unknown", "another user's", "overlong"])
def test_unknown_or_other_users_job_is_404_with_the_error_shape(
    client, auth_headers, whose
):
    user = UserFactory(role="warehouse")
    job_id = {
        "unknown": "0" * 32,
        "another user's": JobRunFactory(user=UserFactory(role="buyer")).id,
        "overlong": "x" * 500,
    }[whose]

    response = client.get(f"/api/v1/jobs/{job_id}", headers=auth_headers(user))

    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
    assert (
        client.post(
            f"/api/v1/jobs/{job_id}/retry", headers=auth_headers(user)
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/v1/jobs"),
        ("get", "/api/v1/jobs/{id}"),
        ("post", "/api/v1/jobs/{id}/retry"),
    ],
)
def test_merchant_users_are_forbidden(client, auth_headers, method, path):
    user = merchant_user()
    run = JobRunFactory(user=user, status="failed")

    response = getattr(client, method)(
        path.format(id=run.id), headers=auth_headers(user)
    )

    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/v1/jobs"),
        ("get", "/api/v1/jobs/{id}"),
        ("post", "/api/v1/jobs/{id}/retry"),
    ],
)
def test_no_token_is_401(client, method, path):
    run = JobRunFactory(status="failed")

    response = getattr(client, method)(path.format(id=run.id))

    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"


def test_the_job_page_session_may_read_a_job_but_not_retry_it(client, login_as):
    user = UserFactory(role="dispatcher")
    run = JobRunFactory(user=user, status="failed", error="boom")
    login_as(user)

    read = client.get(f"/api/v1/jobs/{run.id}")
    retried = client.post(f"/api/v1/jobs/{run.id}/retry")

    assert read.status_code == 200 and read.json["status"] == "failed"
    assert retried.status_code == 401
    db.session.rollback()
    assert db.session.get(JobRun, run.id).attempts == 1


def test_merchant_page_session_may_not_read_jobs(client, login_as):
    user = merchant_user()
    run = JobRunFactory(user=user)
    login_as(user)

    assert client.get(f"/api/v1/jobs/{run.id}").status_code == 403


def test_retry_runs_a_failed_job_again(client, auth_headers):
    user = UserFactory(role="warehouse")
    run = start_demo_job(3, fail_at=1, user_id=user.id)

    response = client.post(f"/api/v1/jobs/{run.id}/retry", headers=auth_headers(user))

    assert response.status_code == 200
    assert set(response.json) == JOB_KEYS
    assert (response.json["status"], response.json["error"]) == ("finished", None)


def test_retrying_a_job_that_did_not_fail_is_409(client, auth_headers):
    user = UserFactory(role="warehouse")
    run = JobRunFactory(user=user, status="running", progress=30)

    response = client.post(f"/api/v1/jobs/{run.id}/retry", headers=auth_headers(user))

    assert response.status_code == 409
    assert response.json["error"]["code"] == "conflict"
    assert response.json["error"]["details"]["status"] == "running"


def test_jobs_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]

    assert {
        "/api/v1/jobs",
        "/api/v1/jobs/{job_id}",
        "/api/v1/jobs/{job_id}/retry",
    } <= set(paths)
    assert paths["/api/v1/jobs/{job_id}"]["get"]["security"] == [{"bearerAuth": []}]
