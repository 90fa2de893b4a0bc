import io
from decimal import Decimal

import pytest
import sqlalchemy as sa

from supplychain.catalog import services
from supplychain.catalog.models import Product, ProductSupplier
from supplychain.extensions import db
from tests.factories import (
    CategoryFactory,
    MerchantFactory,
    PriceGradeFactory,
    ProductFactory,
    SupplierFactory,
    UserFactory,
    merchant_user,
)

NEW = {"sku": "AJ-001", "name": "艾灸贴", "unit": "盒", "price": "12.50"}


@pytest.fixture
def admin_headers(auth_headers):
    return auth_headers(UserFactory(role="admin"))


def product_count():
    return db.session.scalar(sa.select(sa.func.count(Product.id)))


def error_fields(response):
    return set(response.json["error"]["details"])


def test_creating_a_product_returns_201_with_the_product(client, admin_headers):
    CategoryFactory(code="HLTH")

    response = client.post(
        "/api/v1/products",
        json=NEW
        | {
            "case_qty": 24,
            "category": "HLTH",
            "barcode": "6901234567892",
            "is_lot_tracked": True,
        },
        headers=admin_headers,
    )

    assert response.status_code == 201
    body = response.json
    assert {k: body[k] for k in NEW} == NEW
    assert (body["case_qty"], body["category"], body["barcode"]) == (
        24,
        "HLTH",
        "6901234567892",
    )
    assert (
        body["is_stocked"] is True
        and body["is_lot_tracked"] is True
        and body["is_active"] is True
    )


def test_a_duplicate_sku_is_a_422_validation_error_on_sku(client, admin_headers):
    ProductFactory(sku="AJ-001")

    response = client.post("/api/v1/products", json=NEW, headers=admin_headers)

    assert response.status_code == 422
    assert response.json["error"]["code"] == "validation_error"
    assert error_fields(response) == {"sku"}
    assert product_count() == 1


@pytest.mark.parametrize(
    "change, field",
    [
        ({"price": "-1.00"}, "price"),
        ({"price": "12.345"}, "price"),
        ({"price": "abc"}, "price"),
        ({"price": True}, "price"),
        ({"price": "99999999999"}, "price"),
        ({"unit": ""}, "unit"),
        ({"unit": "   "}, "unit"),
        ({"unit": "x" * 201}, "unit"),
        ({"name": 5}, "name"),
        ({"sku": "has space"}, "sku"),
        ({"case_qty": 0}, "case_qty"),
        ({"case_qty": "6"}, "case_qty"),
        ({"case_qty": 1.5}, "case_qty"),
        ({"case_qty": 10**9}, "case_qty"),
        ({"category": "NOPE"}, "category"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_writes_nothing(
    client, admin_headers, change, field
):
    response = client.post("/api/v1/products", json=NEW | change, headers=admin_headers)

    assert response.status_code == 422
    assert field in error_fields(response)
    assert product_count() == 0


@pytest.mark.parametrize("missing", ["sku", "name", "unit", "price"])
def test_each_required_field_is_required(client, admin_headers, missing):
    body = {k: v for k, v in NEW.items() if k != missing}

    response = client.post("/api/v1/products", json=body, headers=admin_headers)

    assert response.status_code == 422
    assert error_fields(response) == {missing}


def test_free_text_units_up_to_200_characters_are_accepted(client, admin_headers):
    response = client.post(
        "/api/v1/products",
        json=NEW | {"unit": "箱（24 盒）" + "x" * 190},
        headers=admin_headers,
    )

    assert response.status_code == 201


def test_a_json_number_price_is_read_exactly(client, admin_headers):
    response = client.post(
        "/api/v1/products", json=NEW | {"price": 0.1}, headers=admin_headers
    )

    assert response.json["price"] == "0.10"
    assert db.session.scalar(sa.select(Product.price)) == Decimal("0.10")


def test_malformed_json_is_a_400(client, admin_headers):
    response = client.post(
        "/api/v1/products",
        data="{nope",
        headers=admin_headers | {"Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_request"


def test_without_a_token_the_api_answers_401(client):
    assert client.get("/api/v1/products").status_code == 401
    assert client.post("/api/v1/products", json=NEW).status_code == 401


@pytest.mark.parametrize("role", ["sales", "buyer", "warehouse", "finance", "merchant"])
def test_only_admins_create_products(client, auth_headers, role):
    user = merchant_user() if role == "merchant" else UserFactory(role=role)

    response = client.post("/api/v1/products", json=NEW, headers=auth_headers(user))

    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"


def test_staff_see_list_prices_and_the_total_count(client, auth_headers):
    for n in range(3):
        ProductFactory(sku=f"A{n}", price=Decimal("12.50"))

    response = client.get(
        "/api/v1/products?per_page=2", headers=auth_headers(UserFactory(role="sales"))
    )

    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == "3"
    assert [p["sku"] for p in response.json] == ["A0", "A1"]
    assert {p["price"] for p in response.json} == {"12.50"}


def test_a_merchant_sees_its_own_price(client, auth_headers):
    grade = PriceGradeFactory(code="LEADER")
    special, graded, plain = (
        ProductFactory(sku="S"),
        ProductFactory(sku="G"),
        ProductFactory(sku="L"),
    )
    merchant = MerchantFactory(price_grade_id=grade.id)
    other = MerchantFactory(price_grade_id=grade.id)
    services.set_grade_price("S", "LEADER", Decimal("11.00"))
    services.set_grade_price("G", "LEADER", Decimal("11.50"))
    services.set_merchant_price(merchant.code, "S", Decimal("10.20"))
    services.set_merchant_price(other.code, "G", Decimal("1.00"))

    response = client.get(
        "/api/v1/products", headers=auth_headers(merchant_user(merchant))
    )

    assert {p["sku"]: p["price"] for p in response.json} == {
        "G": "11.50",
        "L": "12.50",
        "S": "10.20",
    }
    assert special and graded and plain


def test_a_merchant_never_sees_inactive_products(client, auth_headers):
    ProductFactory(sku="ON")
    ProductFactory(sku="OFF", is_active=False)
    headers = auth_headers(merchant_user())

    listed = client.get("/api/v1/products?active=false", headers=headers)
    single = client.get("/api/v1/products/OFF", headers=headers)

    assert [p["sku"] for p in listed.json] == ["ON"]
    assert single.status_code == 404
    assert single.json["error"]["code"] == "not_found"


def test_products_are_searched_by_sku_name_english_name_and_barcode(
    client, auth_headers
):
    ProductFactory(sku="AJ-001", name="艾灸贴", name_en="Moxa patch", barcode="6901")
    ProductFactory(sku="EJ-002", name="阿胶膏", name_en="Ejiao paste", barcode="6902")
    headers = auth_headers(UserFactory(role="sales"))

    def skus(query):
        return [
            p["sku"]
            for p in client.get(f"/api/v1/products?{query}", headers=headers).json
        ]

    assert skus("q=艾灸") == ["AJ-001"]
    assert skus("q=ejiao") == ["EJ-002"]
    assert skus("q=6902") == ["EJ-002"]
    assert skus("q=aj-") == ["AJ-001"]
    assert skus("sku=EJ-002") == ["EJ-002"]
    assert skus("sku=EJ") == []
    assert skus("q=%25") == []


def test_products_filter_by_category_including_sub_categories(client, auth_headers):
    parent = CategoryFactory(code="HEALTH")
    child = CategoryFactory(code="MOXA", parent_id=parent.id)
    ProductFactory(sku="A1", category_id=child.id)
    ProductFactory(sku="B1")
    headers = auth_headers(UserFactory(role="sales"))

    response = client.get("/api/v1/products?category=HEALTH", headers=headers)
    unknown = client.get("/api/v1/products?category=NOPE", headers=headers)

    assert [p["sku"] for p in response.json] == ["A1"]
    assert unknown.json == []


@pytest.mark.parametrize(
    "query", ["page=0", "per_page=201", "per_page=x", "active=maybe"]
)
def test_bad_list_arguments_are_a_422(client, auth_headers, query):
    response = client.get(
        f"/api/v1/products?{query}", headers=auth_headers(UserFactory(role="sales"))
    )

    assert response.status_code == 422


def test_one_product_by_sku_and_an_unknown_sku_is_404(client, auth_headers):
    ProductFactory(sku="A1")
    headers = auth_headers(UserFactory(role="warehouse"))

    assert client.get("/api/v1/products/A1", headers=headers).json["sku"] == "A1"
    assert client.get("/api/v1/products/NOPE", headers=headers).status_code == 404


def test_patching_changes_the_given_fields(client, admin_headers):
    ProductFactory(sku="A1", price=Decimal("12.50"), name="艾灸贴")

    response = client.patch(
        "/api/v1/products/A1",
        json={"price": "13.00", "is_active": False},
        headers=admin_headers,
    )

    assert response.status_code == 200
    assert (
        response.json["price"],
        response.json["name"],
        response.json["is_active"],
    ) == ("13.00", "艾灸贴", False)


@pytest.mark.parametrize(
    "body", [{"sku": "B1"}, {"price": "-1"}, {"name": ""}, {"min_order_qty": 0}]
)
def test_a_bad_patch_is_a_422_and_changes_nothing(client, admin_headers, body):
    ProductFactory(sku="A1", price=Decimal("12.50"))

    response = client.patch("/api/v1/products/A1", json=body, headers=admin_headers)

    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.scalar(sa.select(Product.price)) == Decimal("12.50")


def test_patching_an_unknown_sku_is_404(client, admin_headers):
    assert (
        client.patch(
            "/api/v1/products/NOPE", json={"name": "x"}, headers=admin_headers
        ).status_code
        == 404
    )


def test_import_creates_or_updates_and_answers_counts(client, admin_headers):
    ProductFactory(sku="A1")
    data = "sku,name,unit,price\nA1,艾灸贴,盒,12.50\nA2,阿胶膏,瓶,30.00\n".encode("gbk")

    response = client.post(
        "/api/v1/products/import",
        data={"file": (io.BytesIO(data), "p.csv")},
        headers=admin_headers,
    )

    assert response.status_code == 200
    assert response.json == {"created": 1, "updated": 1}


def test_a_refused_import_is_a_422_with_the_rows_and_writes_nothing(
    client, admin_headers
):
    data = b"sku,name,unit,price\nA1,x,y,1\nA2,x,y,-5\n"

    response = client.post(
        "/api/v1/products/import",
        data={"file": (io.BytesIO(data), "p.csv")},
        headers=admin_headers,
    )

    assert response.status_code == 422
    assert response.json["error"]["code"] == "validation_error"
    assert response.json["error"]["details"]["rows"] == [
        {"row": 3, "column": "price", "message": "Must not be negative."}
    ]
    assert product_count() == 0


def test_an_import_must_be_multipart(client, admin_headers):
    response = client.post(
        "/api/v1/products/import", json={"file": "x"}, headers=admin_headers
    )

    assert response.status_code == 415
    assert response.json["error"]["code"] == "unsupported_media_type"


def test_an_import_without_a_file_is_a_422(client, admin_headers):
    response = client.post(
        "/api/v1/products/import", data={"other": "x"}, headers=admin_headers,
        content_type="multipart/form-data",
    )  # fmt: skip

    assert response.status_code == 422
    assert "file" in error_fields(response)


def test_an_oversize_upload_is_a_413(app, client, admin_headers):
    app.config["MAX_CONTENT_LENGTH"] = 1024

    response = client.post(
        "/api/v1/products/import",
        data={"file": (io.BytesIO(b"x" * 4096), "p.csv")},
        headers=admin_headers,
    )

    assert response.status_code == 413
    assert response.json["error"]["code"] == "payload_too_large"


def test_categories_are_listed_and_created(client, admin_headers, auth_headers):
    created = client.post(
        "/api/v1/categories",
        json={"code": "HEALTH", "name": "保健"},
        headers=admin_headers,
    )
    child = client.post(
        "/api/v1/categories",
        json={"code": "MOXA", "name": "艾灸", "parent": "HEALTH"},
        headers=admin_headers,
    )
    listed = client.get("/api/v1/categories", headers=auth_headers(merchant_user()))

    assert created.status_code == 201 and child.json["parent"] == "HEALTH"
    assert [c["code"] for c in listed.json] == ["HEALTH", "MOXA"]


def test_a_duplicate_category_is_a_422_on_code(client, admin_headers):
    CategoryFactory(code="HEALTH")

    response = client.post(
        "/api/v1/categories",
        json={"code": "HEALTH", "name": "x"},
        headers=admin_headers,
    )

    assert response.status_code == 422 and error_fields(response) == {"code"}


def test_price_grades_are_listed_by_staff_and_created_by_admins(
    client, admin_headers, auth_headers
):
    created = client.post(
        "/api/v1/price-grades",
        json={"code": "LEADER", "name": "团长价"},
        headers=admin_headers,
    )
    listed = client.get(
        "/api/v1/price-grades", headers=auth_headers(UserFactory(role="sales"))
    )
    merchant = client.get("/api/v1/price-grades", headers=auth_headers(merchant_user()))

    assert created.status_code == 201
    assert listed.json == [{"code": "LEADER", "name": "团长价"}]
    assert merchant.status_code == 403


def test_grade_and_merchant_prices_are_set_through_the_api(client, admin_headers):
    PriceGradeFactory(code="LEADER", name="团长价")
    merchant = MerchantFactory()
    ProductFactory(sku="A1")

    grade = client.put(
        "/api/v1/products/A1/prices/LEADER",
        json={"price": "11.00"},
        headers=admin_headers,
    )
    own = client.put(
        f"/api/v1/products/A1/merchant-prices/{merchant.code}",
        json={"price": "10.00"},
        headers=admin_headers,
    )

    assert grade.json == [{"grade": "LEADER", "name": "团长价", "price": "11.00"}]
    assert own.json == {"merchant": merchant.code, "sku": "A1", "price": "10.00"}
    assert services.price_for(services.get_product("A1").id, merchant.id) == Decimal(
        "10.00"
    )


def test_a_price_for_an_unknown_grade_or_merchant_is_404(client, admin_headers):
    ProductFactory(sku="A1")

    assert (
        client.put(
            "/api/v1/products/A1/prices/NOPE",
            json={"price": "1"},
            headers=admin_headers,
        ).status_code
        == 404
    )
    assert (
        client.put(
            "/api/v1/products/A1/merchant-prices/NOPE",
            json={"price": "1"},
            headers=admin_headers,
        ).status_code
        == 404
    )


def test_suppliers_are_created_listed_and_linked_to_products(client, auth_headers):
    headers = auth_headers(UserFactory(role="buyer"))
    ProductFactory(sku="A1")

    created = client.post(
        "/api/v1/suppliers",
        json={"code": "HZ01", "name": "杭州艾草厂", "lead_time_days": 2},
        headers=headers,
    )
    listed = client.get("/api/v1/suppliers?q=艾草", headers=headers)
    linked = client.post(
        "/api/v1/products/A1/suppliers",
        json={"supplier": "HZ01", "cost_price": "8.00", "case_qty": 24, "moq": 48},
        headers=headers,
    )

    assert created.status_code == 201
    assert [s["code"] for s in listed.json] == ["HZ01"] and listed.headers[
        "X-Total-Count"
    ] == "1"
    assert linked.status_code == 200
    assert linked.json["cost_price"] == "8.00" and linked.json["is_preferred"] is True
    assert (
        client.get("/api/v1/products/A1/suppliers", headers=headers).json[0]["supplier"]
        == "HZ01"
    )


def test_suppliers_are_not_for_merchants(client, auth_headers):
    SupplierFactory()

    assert (
        client.get(
            "/api/v1/suppliers", headers=auth_headers(merchant_user())
        ).status_code
        == 403
    )


def test_linking_an_unknown_supplier_is_404_and_writes_nothing(client, auth_headers):
    ProductFactory(sku="A1")

    response = client.post(
        "/api/v1/products/A1/suppliers", json={"supplier": "NOPE", "cost_price": "1"},
        headers=auth_headers(UserFactory(role="buyer")),
    )  # fmt: skip

    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(ProductSupplier.id))) == 0


def test_a_product_image_is_uploaded_and_served(client, admin_headers, auth_headers):
    ProductFactory(sku="A1")
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16

    uploaded = client.put(
        "/api/v1/products/A1/image",
        data={"image": (io.BytesIO(png), "a.png")},
        headers=admin_headers,
    )
    served = client.get(
        "/api/v1/products/A1/image", headers=auth_headers(merchant_user())
    )

    assert uploaded.status_code == 200 and uploaded.json["has_image"] is True
    assert (
        served.status_code == 200
        and served.data == png
        and served.mimetype == "image/png"
    )


def test_a_fake_image_is_a_422(client, admin_headers):
    ProductFactory(sku="A1")

    response = client.put(
        "/api/v1/products/A1/image",
        data={"image": (io.BytesIO(b"<svg/>"), "a.png")},
        headers=admin_headers,
    )

    assert response.status_code == 422 and error_fields(response) == {"image"}


def test_the_openapi_document_lists_the_catalogue_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]

    assert {
        "/api/v1/products",
        "/api/v1/products/{sku}",
        "/api/v1/products/import",
    } <= set(paths)
