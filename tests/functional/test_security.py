import pytest

from tests.factories import UserFactory


@pytest.fixture
def app_config():
    return {
        "WTF_CSRF_ENABLED": True,
        "RATELIMIT_ENABLED": True,
        "LOGIN_RATE_LIMIT": "3 per minute",
    }


def test_form_post_without_csrf_token_is_refused(client):
    user = UserFactory()

    response = client.post(
        "/auth/login", data={"username": user.username, "password": "correct horse 42"}
    )

    assert response.status_code == 400


def test_api_is_exempt_from_csrf_and_uses_tokens(client):
    user = UserFactory()

    response = client.post(
        "/api/v1/auth/token",
        json={"username": user.username, "password": "correct horse 42"},
    )

    assert response.status_code == 200


def test_token_requests_are_throttled_with_retry_after(client):
    for _ in range(3):
        client.post(
            "/api/v1/auth/token",
            json={"username": "nobody", "password": "wrong password"},
        )

    response = client.post(
        "/api/v1/auth/token", json={"username": "nobody", "password": "wrong password"}
    )

    assert response.status_code == 429
    assert response.json["error"]["code"] == "rate_limited"
    assert int(response.headers["Retry-After"]) > 0
