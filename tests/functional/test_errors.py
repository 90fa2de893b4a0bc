import pytest

from tests.factories import UserFactory


def _is_error_shape(body):
    return set(body) == {"error"} and set(body["error"]) == {
        "code",
        "message",
        "details",
    }


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert _is_error_shape(response.json)


def test_wrong_method_is_json_405(client):
    response = client.delete("/api/v1/auth/token")

    assert response.status_code == 405
    assert response.json["error"]["code"] == "method_not_allowed"


def test_missing_token_is_401_with_challenge(client):
    response = client.get("/api/v1/users")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert _is_error_shape(response.json)


def test_garbage_token_is_401(client):
    response = client.get("/api/v1/users", headers={"Authorization": "Bearer nonsense"})

    assert response.status_code == 401


def test_malformed_json_is_400(client):
    response = client.post(
        "/api/v1/auth/token", data="{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert _is_error_shape(response.json)


def test_wrong_content_type_is_rejected_with_error_shape(client):
    response = client.post(
        "/api/v1/auth/token", data="username=a", content_type="text/plain"
    )

    assert response.status_code in (400, 415, 422)
    assert _is_error_shape(response.json)


@pytest.fixture
def app_config():
    return {"MAX_CONTENT_LENGTH": 1024}


def test_oversize_payload_is_json_413(client):
    response = client.post(
        "/api/v1/auth/token", data="x" * 5000, content_type="application/json"
    )

    assert response.status_code == 413
    assert response.json["error"]["code"] == "payload_too_large"


def test_unexpected_error_is_json_500_without_traceback(app, client):
    @app.route("/api/v1/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = client.get("/api/v1/boom")

    assert response.status_code == 500
    assert "secret" not in response.get_data(as_text=True)
    assert response.json["error"]["code"] == "internal_error"


def test_pages_send_security_headers(client):
    response = client.get("/auth/login")

    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_openapi_document_validates(client):
    from openapi_spec_validator import validate

    spec = client.get("/api/v1/openapi.json").json

    validate(spec)
    assert "bearerAuth" in spec["components"]["securitySchemes"]


def test_docs_page_loads_vendored_swagger(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)

    assert "vendor/swagger-ui/swagger-ui-bundle.js" in page
    assert (
        client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    )


def test_healthz(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_api_calls_with_a_token_set_no_session_cookie(client, auth_headers):
    headers = auth_headers(UserFactory(role="admin"))

    response = client.get("/api/v1/users", headers=headers)

    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
