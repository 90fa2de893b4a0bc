import pytest

from tests.factories import UserFactory, merchant_user


def test_login_page_redirects_home_after_good_password(client):
    user = UserFactory(role="sales")

    response = client.post(
        "/auth/login", data={"username": user.username, "password": "correct horse 42"}
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_wrong_password_shows_message_next_to_field(client):
    user = UserFactory()

    response = client.post(
        "/auth/login", data={"username": user.username, "password": "nope"}
    )

    assert response.status_code == 400
    assert 'id="e-password"' in response.get_data(as_text=True)


def test_pages_need_login(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def test_token_endpoint_issues_bearer_token(client):
    user = UserFactory()

    response = client.post(
        "/api/v1/auth/token",
        json={"username": user.username, "password": "correct horse 42"},
    )

    assert response.status_code == 200
    assert response.json["token_type"] == "Bearer"
    assert response.json["expires_at"].endswith("+00:00")


@pytest.mark.parametrize(
    "body, status",
    [
        ({"username": "x", "password": "wrong"}, 401),
        ({"username": "x"}, 422),
        ([], 422),
    ],
)
def test_token_endpoint_errors_have_the_error_shape(client, body, status):
    response = client.post("/api/v1/auth/token", json=body)

    assert response.status_code == status
    assert set(response.json["error"]) == {"code", "message", "details"}


def test_merchant_user_home_shows_its_merchant(client, login_as):
    user = merchant_user()
    login_as(user)

    page = client.get("/").get_data(as_text=True)

    assert user.merchant.name in page
