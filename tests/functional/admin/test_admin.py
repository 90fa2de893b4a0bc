import pytest
import sqlalchemy as sa

from supplychain.audit.models import AuditLog
from supplychain.auth.models import User
from supplychain.extensions import db
from tests.factories import MerchantFactory, UserFactory, merchant_user


def _count_users():
    return db.session.scalar(sa.select(sa.func.count(User.id)))


def test_admin_creates_a_merchant_user_through_the_form(client, login_as):
    login_as(UserFactory(role="admin"))
    merchant = MerchantFactory(code="HZ001")

    response = client.post(
        "/admin/users",
        data={
            "username": "store-1",
            "role": "merchant",
            "merchant": "HZ001",
            "password": "long enough 1",
        },
    )

    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.username == "store-1"))
    assert user.merchant_id == merchant.id


@pytest.mark.parametrize(
    "form, field",
    [
        (
            {
                "username": "x",
                "role": "merchant",
                "merchant": "NOPE",
                "password": "long enough 1",
            },
            "merchant",
        ),
        (
            {"username": "x", "role": "merchant", "password": "long enough 1"},
            "merchant",
        ),
        ({"username": "x", "role": "king", "password": "long enough 1"}, "role"),
        ({"username": "x", "role": "sales", "password": "short"}, "password"),
        ({"username": "", "role": "sales", "password": "long enough 1"}, "username"),
    ],
)
def test_bad_user_form_shows_error_next_to_field_and_writes_nothing(
    client, login_as, form, field
):
    login_as(UserFactory(role="admin"))
    before = _count_users()

    response = client.post("/admin/users", data=form)

    assert response.status_code == 400
    assert f'id="e-{field}"' in response.get_data(as_text=True)
    assert _count_users() == before


def test_duplicate_username_is_refused(client, login_as):
    admin = UserFactory(role="admin")
    login_as(admin)

    response = client.post(
        "/admin/users",
        data={"username": admin.username, "role": "sales", "password": "long enough 1"},
    )

    assert response.status_code == 400
    assert "already in use" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["sales", "warehouse", "finance", "merchant"])
def test_only_admin_opens_admin_pages(client, login_as, role):
    user = merchant_user() if role == "merchant" else UserFactory(role=role)
    login_as(user)

    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/audit").status_code == 403


def test_deactivated_user_cannot_log_in_and_token_stops_working(
    client, login_as, auth_headers
):
    admin = UserFactory(role="admin")
    victim = UserFactory(role="sales")
    headers = auth_headers(victim)
    login_as(admin)

    client.post(f"/admin/users/{victim.id}/active", data={"active": "0"})

    assert client.get("/api/v1/users", headers=headers).status_code == 401
    response = client.post(
        "/api/v1/auth/token",
        json={"username": victim.username, "password": "correct horse 42"},
    )
    assert response.status_code == 401


def test_admin_cannot_deactivate_itself(client, login_as):
    admin = UserFactory(role="admin")
    login_as(admin)

    client.post(f"/admin/users/{admin.id}/active", data={"active": "0"})

    db.session.refresh(admin)
    assert admin.is_active


def test_audit_log_records_who_changed_what(client, login_as):
    admin = UserFactory(role="admin")
    login_as(admin)
    client.post(
        "/admin/users",
        data={"username": "buyer-1", "role": "buyer", "password": "long enough 1"},
    )

    row = db.session.scalar(
        sa.select(AuditLog)
        .where(AuditLog.entity == "users", AuditLog.action == "create")
        .order_by(AuditLog.id.desc())
    )

    assert row.actor == admin.username and row.actor_id == admin.id
    assert row.after["username"] == "buyer-1" and "password_hash" not in row.after
    assert "buyer-1" in client.get("/admin/audit?entity=users").get_data(as_text=True)


def test_users_api_creates_and_lists_with_total_header(client, auth_headers):
    headers = auth_headers(UserFactory(role="admin"))

    created = client.post(
        "/api/v1/users",
        json={"username": "d1", "role": "driver", "password": "long enough 1"},
        headers=headers,
    )
    listed = client.get("/api/v1/users?per_page=1", headers=headers)

    assert (
        created.status_code == 201
        and created.json["role"] == "driver"
        and "password" not in created.json
    )
    assert listed.status_code == 200 and len(listed.json) == 1
    assert int(listed.headers["X-Total-Count"]) == 2


def test_users_api_is_forbidden_for_other_roles(client, auth_headers):
    headers = auth_headers(UserFactory(role="sales"))

    response = client.get("/api/v1/users", headers=headers)

    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"
