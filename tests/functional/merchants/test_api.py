import io
from decimal import Decimal

import pytest
import sqlalchemy as sa

from supplychain.auth.models import User
from supplychain.extensions import db
from supplychain.merchants.models import Merchant
from tests.factories import (
    MerchantFactory,
    PriceGradeFactory,
    UserFactory,
    merchant_user,
)

NEW = {
    "code": "HZ001",
    "name": "西湖健康小店",
    "address": "杭州市西湖区文三路 1 号",
    "lat": 30.2741,
    "lon": 120.1551,
}


def _count(model=Merchant):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _is_error_shape(body):
    return set(body) == {"error"} and set(body["error"]) == {
        "code",
        "message",
        "details",
    }


@pytest.fixture
def sales(auth_headers):
    return auth_headers(UserFactory(role="sales"))


def test_sales_creates_a_merchant_with_the_contract_shape(client, sales):
    PriceGradeFactory(code="LEADER")
    body = NEW | {
        "price_grade": "LEADER",
        "credit_limit": "5000",
        "delivery_window": ["07:00", "10:00"],
    }

    response = client.post("/api/v1/merchants", json=body, headers=sales)

    assert response.status_code == 201, response.json
    data = response.json
    assert data["code"] == "HZ001" and data["name"] == "西湖健康小店"
    assert data["price_grade"] == "LEADER"
    assert data["credit_limit"] == "5000.00"
    assert data["delivery_window"] == ["07:00", "10:00"]
    assert (data["lat"], data["lon"]) == (30.2741, 120.1551)
    assert data["kind"] == "store" and data["is_active"] is True


def test_credit_limit_may_be_a_number_or_absent_for_unlimited(client, sales):
    first = client.post(
        "/api/v1/merchants", json=NEW | {"credit_limit": 1200.5}, headers=sales
    )
    second = client.post(
        "/api/v1/merchants", json=NEW | {"code": "HZ002"}, headers=sales
    )

    assert first.json["credit_limit"] == "1200.50"
    assert second.json["credit_limit"] is None
    assert db.session.scalar(
        sa.select(Merchant.credit_limit).where(Merchant.code == "HZ001")
    ) == Decimal("1200.50")


def test_extra_optional_fields_are_accepted(client, sales):
    body = NEW | {
        "kind": "wholesale",
        "district": "西湖区",
        "name_en": "West Lake",
        "payment_terms_days": 30,
        "contact_name": "王老板",
        "phone": "0571-8888 8888",
        "note": "后门",
        "credit_limit": None,
        "delivery_window": None,
        "price_grade": None,
    }

    response = client.post("/api/v1/merchants", json=body, headers=sales)

    assert response.status_code == 201, response.json
    assert (
        response.json["payment_terms_days"] == 30
        and response.json["kind"] == "wholesale"
    )


@pytest.mark.parametrize(
    "change, field",
    [
        ({"lat": 91}, "lat"),
        ({"lon": "east"}, "lon"),
        ({"lat": None}, "lat"),
        ({"code": "HZ 001"}, "code"),
        ({"code": "x" * 31}, "code"),
        ({"name": ""}, "name"),
        ({"name": 5}, "name"),
        ({"name": "店" * 201}, "name"),
        ({"credit_limit": "-1"}, "credit_limit"),
        ({"credit_limit": "12.345"}, "credit_limit"),
        ({"credit_limit": "lots"}, "credit_limit"),
        ({"credit_limit": "1e30"}, "credit_limit"),
        ({"delivery_window": ["10:00", "07:00"]}, "delivery_window"),
        ({"delivery_window": "07:00-10:00"}, "delivery_window"),
        ({"delivery_window": ["07:00"]}, "delivery_window"),
        ({"kind": "shop"}, "kind"),
        ({"payment_terms_days": "30"}, "payment_terms_days"),
        ({"payment_terms_days": -1}, "payment_terms_days"),
        ({"price_grade": "NOPE"}, "price_grade"),
        ({"colour": "red"}, "colour"),
        ({"code": "map"}, "code"),
    ],
)
def test_bad_create_bodies_are_422_by_field_and_nothing_written(
    client, sales, change, field
):
    response = client.post("/api/v1/merchants", json=NEW | change, headers=sales)

    assert response.status_code == 422, response.json
    assert _is_error_shape(response.json)
    assert response.json["error"]["code"] == "validation_error"
    assert field in response.json["error"]["details"]
    assert _count() == 0


@pytest.mark.parametrize("missing", ["code", "name", "address", "lat", "lon"])
def test_each_contract_field_is_required(client, sales, missing):
    body = {k: v for k, v in NEW.items() if k != missing}

    response = client.post("/api/v1/merchants", json=body, headers=sales)

    assert response.status_code == 422
    assert missing in response.json["error"]["details"]


def test_duplicate_code_is_422_and_not_a_second_row(client, sales):
    client.post("/api/v1/merchants", json=NEW, headers=sales)

    response = client.post(
        "/api/v1/merchants", json=NEW | {"name": "again"}, headers=sales
    )

    assert response.status_code == 422
    assert "code" in response.json["error"]["details"]
    assert _count() == 1


def test_malformed_json_and_non_object_bodies_are_refused(client, sales):
    bad_json = client.post(
        "/api/v1/merchants",
        data="{nope",
        content_type="application/json",
        headers=sales,
    )
    a_list = client.post("/api/v1/merchants", json=[NEW], headers=sales)

    assert bad_json.status_code == 400 and _is_error_shape(bad_json.json)
    assert a_list.status_code == 422 and _is_error_shape(a_list.json)
    assert _count() == 0


def test_no_token_is_401(client):
    assert client.post("/api/v1/merchants", json=NEW).status_code == 401
    assert client.get("/api/v1/merchants").status_code == 401
    assert client.get("/api/v1/merchants/HZ001").status_code == 401


@pytest.mark.parametrize(
    "role", ["finance", "warehouse", "dispatcher", "buyer", "driver", "merchant"]
)
def test_roles_other_than_admin_and_sales_may_not_create_or_change(
    client, auth_headers, role
):
    MerchantFactory(code="HZ009")
    headers = auth_headers(
        merchant_user() if role == "merchant" else UserFactory(role=role)
    )

    assert (
        client.post("/api/v1/merchants", json=NEW, headers=headers).status_code == 403
    )
    assert (
        client.patch(
            "/api/v1/merchants/HZ009", json={"name": "x"}, headers=headers
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/merchants/HZ009/users",
            json={"username": "u", "password": "long enough 1"},
            headers=headers,
        ).status_code
        == 403
    )


def test_admin_may_create(client, auth_headers):
    response = client.post(
        "/api/v1/merchants", json=NEW, headers=auth_headers(UserFactory(role="admin"))
    )

    assert response.status_code == 201


def test_list_is_a_bare_array_with_total_count_and_search(client, sales):
    MerchantFactory(code="HZ001", name="西湖店", district="西湖区")
    MerchantFactory(code="HZ002", name="滨江店", district="滨江区", phone="13800000000")
    MerchantFactory(code="HZ003", name="拱墅店", kind="wholesale")

    everything = client.get("/api/v1/merchants?per_page=2", headers=sales)
    by_district = client.get("/api/v1/merchants?q=滨江", headers=sales)
    by_phone = client.get("/api/v1/merchants?q=1380000", headers=sales)
    by_kind = client.get("/api/v1/merchants?kind=wholesale", headers=sales)

    assert isinstance(everything.json, list) and len(everything.json) == 2
    assert everything.headers["X-Total-Count"] == "3"
    assert [m["code"] for m in by_district.json] == ["HZ002"]
    assert [m["code"] for m in by_phone.json] == ["HZ002"]
    assert [m["code"] for m in by_kind.json] == ["HZ003"]


def test_search_wildcards_are_literal(client, sales):
    MerchantFactory(code="HZ001", name="百分百店")

    assert client.get("/api/v1/merchants?q=%25", headers=sales).json == []


@pytest.mark.parametrize("query", ["per_page=201", "page=0", "kind=shop", "per_page=x"])
def test_bad_list_arguments_are_422(client, sales, query):
    response = client.get(f"/api/v1/merchants?{query}", headers=sales)

    assert response.status_code == 422 and _is_error_shape(response.json)


def test_merchant_users_may_not_list_merchants(client, auth_headers):
    headers = auth_headers(merchant_user())

    assert client.get("/api/v1/merchants", headers=headers).status_code == 403


def test_merchant_user_reads_its_own_merchant_without_internal_note(
    client, auth_headers
):
    own = MerchantFactory(code="OWN", note="slow payer")
    headers = auth_headers(merchant_user(own))

    response = client.get("/api/v1/merchants/OWN", headers=headers)

    assert response.status_code == 200
    assert response.json["code"] == "OWN"
    assert "note" not in response.json


def test_merchant_user_gets_404_for_another_merchant_like_an_unknown_one(
    client, auth_headers
):
    MerchantFactory(code="OTHER")
    headers = auth_headers(merchant_user())

    other = client.get("/api/v1/merchants/OTHER", headers=headers)
    unknown = client.get("/api/v1/merchants/NOPE", headers=headers)

    assert other.status_code == unknown.status_code == 404
    assert other.json["error"]["code"] == "not_found"
    assert _is_error_shape(other.json)


def test_staff_read_any_merchant_with_contacts(client, auth_headers):
    merchant = MerchantFactory(code="HZ001", note="后门卸货")
    from supplychain.merchants import services

    services.add_contact("HZ001", name="张三", phone="138 0000 0000", is_primary=True)

    response = client.get(
        "/api/v1/merchants/HZ001", headers=auth_headers(UserFactory(role="driver"))
    )

    assert response.status_code == 200
    assert response.json["note"] == "后门卸货"
    assert response.json["contacts"][0]["name"] == "张三"
    assert merchant.id


def test_patch_changes_fields_and_null_means_unlimited(client, sales):
    MerchantFactory(code="HZ001", credit_limit=Decimal("100"))

    response = client.patch(
        "/api/v1/merchants/HZ001",
        json={
            "credit_limit": None,
            "district": "上城区",
            "delivery_window": ["06:00", "08:30"],
        },
        headers=sales,
    )

    assert response.status_code == 200, response.json
    assert response.json["credit_limit"] is None
    assert response.json["district"] == "上城区"
    assert response.json["delivery_window"] == ["06:00", "08:30"]


def test_patch_deactivates_and_refuses_code_changes(client, sales):
    MerchantFactory(code="HZ001")

    deactivated = client.patch(
        "/api/v1/merchants/HZ001", json={"is_active": False}, headers=sales
    )
    renamed = client.patch(
        "/api/v1/merchants/HZ001", json={"code": "HZ999"}, headers=sales
    )

    assert deactivated.json["is_active"] is False
    assert renamed.status_code == 422 and "code" in renamed.json["error"]["details"]


def test_patch_of_unknown_merchant_is_404(client, sales):
    assert (
        client.patch(
            "/api/v1/merchants/NOPE", json={"name": "x"}, headers=sales
        ).status_code
        == 404
    )


def test_patch_with_a_bad_value_writes_nothing(client, sales):
    MerchantFactory(code="HZ001", name="旧名")

    response = client.patch(
        "/api/v1/merchants/HZ001", json={"name": "新名", "lat": 200}, headers=sales
    )

    assert response.status_code == 422
    db.session.expire_all()
    assert (
        db.session.scalar(sa.select(Merchant.name).where(Merchant.code == "HZ001"))
        == "旧名"
    )


def test_creates_a_merchant_user_without_echoing_the_password(client, sales):
    merchant = MerchantFactory(code="HZ001")

    response = client.post(
        "/api/v1/merchants/HZ001/users",
        json={"username": "hz001-boss", "password": "long enough 1"},
        headers=sales,
    )

    assert response.status_code == 201, response.json
    assert response.json["role"] == "merchant" and response.json["merchant"] == "HZ001"
    assert "password" not in response.json and "password_hash" not in response.json
    user = db.session.scalar(sa.select(User).where(User.username == "hz001-boss"))
    assert user.merchant_id == merchant.id
    token = client.post(
        "/api/v1/auth/token",
        json={"username": "hz001-boss", "password": "long enough 1"},
    )
    assert token.status_code == 200


@pytest.mark.parametrize(
    "body, field",
    [
        ({"username": "u1", "password": "short"}, "password"),
        ({"username": "", "password": "long enough 1"}, "username"),
        ({"password": "long enough 1"}, "username"),
        ({"username": "u1", "password": "long enough 1", "role": "admin"}, "role"),
    ],
)
def test_bad_merchant_user_bodies_are_422(client, sales, body, field):
    MerchantFactory(code="HZ001")
    before = _count(User)

    response = client.post("/api/v1/merchants/HZ001/users", json=body, headers=sales)

    assert response.status_code == 422
    assert field in response.json["error"]["details"]
    assert _count(User) == before


def test_duplicate_username_and_unknown_merchant(client, sales):
    MerchantFactory(code="HZ001")
    client.post(
        "/api/v1/merchants/HZ001/users",
        json={"username": "dup", "password": "long enough 1"},
        headers=sales,
    )

    duplicate = client.post(
        "/api/v1/merchants/HZ001/users",
        json={"username": "dup", "password": "long enough 1"},
        headers=sales,
    )
    unknown = client.post(
        "/api/v1/merchants/NOPE/users",
        json={"username": "x1", "password": "long enough 1"},
        headers=sales,
    )

    assert (
        duplicate.status_code == 422
        and "username" in duplicate.json["error"]["details"]
    )
    assert unknown.status_code == 404


def test_contacts_can_be_added_and_removed(client, sales):
    MerchantFactory(code="HZ001")

    added = client.post(
        "/api/v1/merchants/HZ001/contacts",
        json={"name": "李四", "role": "收货人", "is_primary": True},
        headers=sales,
    )
    removed = client.delete(
        f"/api/v1/merchants/HZ001/contacts/{added.json['id']}", headers=sales
    )
    again = client.delete(
        f"/api/v1/merchants/HZ001/contacts/{added.json['id']}", headers=sales
    )

    assert added.status_code == 201 and added.json["is_primary"] is True
    assert removed.status_code == 204
    assert again.status_code == 404


def test_import_by_multipart_file(client, sales):
    data = "code,name,address,lat,lon\nHZ001,西湖店,文三路,30.27,120.15\n".encode("gbk")

    response = client.post(
        "/api/v1/merchants/import",
        data={"file": (io.BytesIO(data), "m.csv")},
        content_type="multipart/form-data",
        headers=sales,
    )

    assert response.status_code == 200, response.json
    assert response.json == {"created": 1, "updated": 0}


def test_import_with_a_bad_row_is_422_with_rows_and_writes_nothing(client, sales):
    data = b"code,name,address,lat,lon\nHZ001,a,x,30.27,120.15\nHZ002,b,y,91,120.15\n"

    response = client.post(
        "/api/v1/merchants/import",
        data={"file": (io.BytesIO(data), "m.csv")},
        content_type="multipart/form-data",
        headers=sales,
    )

    assert response.status_code == 422
    assert response.json["error"]["details"]["rows"] == [
        {"row": 3, "column": "lat", "message": "Must be between -90 and 90."}
    ]
    assert _count() == 0


def test_import_needs_a_multipart_file(client, sales):
    as_json = client.post("/api/v1/merchants/import", json={"file": "x"}, headers=sales)
    no_file = client.post(
        "/api/v1/merchants/import",
        data={"other": "x"},
        content_type="multipart/form-data",
        headers=sales,
    )

    assert as_json.status_code == 415 and _is_error_shape(as_json.json)
    assert no_file.status_code == 422 and "file" in no_file.json["error"]["details"]


def test_import_is_for_admin_and_sales_only(client, auth_headers):
    headers = auth_headers(UserFactory(role="finance"))

    response = client.post(
        "/api/v1/merchants/import",
        data={"file": (io.BytesIO(b"code\nX\n"), "m.csv")},
        content_type="multipart/form-data",
        headers=headers,
    )

    assert response.status_code == 403


def test_export_through_the_api(client, sales):
    MerchantFactory(code="HZ001")

    csv = client.get("/api/v1/merchants/export?format=csv", headers=sales)
    bad = client.get("/api/v1/merchants/export?format=pdf", headers=sales)

    assert csv.status_code == 200 and csv.data.startswith(b"\xef\xbb\xbfcode,")
    assert "attachment" in csv.headers["Content-Disposition"]
    assert bad.status_code == 422


def test_the_openapi_document_describes_the_merchant_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]

    assert {"post", "get"} <= set(paths["/api/v1/merchants"])
    assert {"get", "patch"} <= set(paths["/api/v1/merchants/{code}"])
    assert "post" in paths["/api/v1/merchants/import"]
