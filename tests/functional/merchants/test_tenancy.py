import pytest

from tests.factories import MerchantFactory, UserFactory, merchant_user

OWN, OTHER = "OWN01", "OTHER01"


@pytest.fixture
def merchants():
    return MerchantFactory(code=OWN), MerchantFactory(code=OTHER)


@pytest.mark.parametrize(
    "path", [f"/api/v1/merchants/{OTHER}", "/api/v1/merchants/NOPE"]
)
def test_merchant_user_api_reads_of_other_merchants_are_404(
    client, auth_headers, merchants, path
):
    headers = auth_headers(merchant_user(merchants[0]))

    response = client.get(path, headers=headers)

    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/v1/merchants"),
        ("get", "/api/v1/merchants/export"),
        ("post", "/api/v1/merchants"),
        ("patch", f"/api/v1/merchants/{OWN}"),
        ("patch", f"/api/v1/merchants/{OTHER}"),
        ("post", f"/api/v1/merchants/{OWN}/users"),
        ("get", f"/api/v1/merchants/{OWN}/users"),
        ("post", f"/api/v1/merchants/{OTHER}/contacts"),
        ("post", "/api/v1/merchants/import"),
    ],
)
def test_merchant_users_may_not_use_staff_endpoints_even_for_their_own_merchant(
    client, auth_headers, merchants, method, path
):
    headers = auth_headers(merchant_user(merchants[0]))

    response = getattr(client, method)(path, json={}, headers=headers)

    assert response.status_code == 403


@pytest.mark.parametrize(
    "path, status",
    [
        (f"/merchants/{OWN}", 200),
        (f"/merchants/{OTHER}", 404),
        ("/merchants/NOPE", 404),
        ("/merchants/", 403),
        ("/merchants/map", 403),
        ("/merchants/export", 403),
        (f"/merchants/{OWN}/edit", 403),
        ("/merchants/import", 403),
    ],
)
def test_merchant_user_pages(client, login_as, merchants, path, status):
    login_as(merchant_user(merchants[0]))

    assert client.get(path).status_code == status


def test_a_deactivated_merchant_user_loses_access(client, auth_headers, merchants):
    user = merchant_user(merchants[0])
    headers = auth_headers(user)
    from supplychain.auth.services import set_user_active

    set_user_active(user.id, False)

    assert client.get(f"/api/v1/merchants/{OWN}", headers=headers).status_code == 401


@pytest.mark.parametrize("role", ["admin", "sales", "finance", "dispatcher"])
def test_staff_open_any_merchant_page(client, login_as, merchants, role):
    login_as(UserFactory(role=role))

    assert client.get(f"/merchants/{OTHER}").status_code == 200
