import io
from decimal import Decimal

import pytest
import sqlalchemy as sa

from supplychain.catalog import services
from supplychain.catalog.models import (
    Category,
    MerchantPrice,
    PriceGrade,
    Product,
    ProductPrice,
    Supplier,
)
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

PRODUCT_FORM = {
    "sku": "AJ-001", "name": "艾灸贴", "unit": "盒", "price": "12.50", "case_qty": "24",
    "min_order_qty": "1", "order_step": "1", "is_stocked": "1",
}  # fmt: skip


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def as_admin(login_as):
    login_as(UserFactory(role="admin"))


@pytest.mark.parametrize(
    "path",
    [
        "/catalog/products", "/catalog/products/new", "/catalog/categories",
        "/catalog/grades", "/catalog/suppliers", "/catalog/import",
        "/catalog/export.csv", "/catalog/price-list.pdf",
    ],
)  # fmt: skip
def test_pages_need_a_login(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "role", ["admin", "sales", "buyer", "warehouse", "finance", "dispatcher"]
)
def test_staff_see_the_product_list(client, login_as, role):
    ProductFactory(sku="A1", name="艾灸贴")
    login_as(UserFactory(role=role))

    response = client.get("/catalog/products")

    assert response.status_code == 200
    assert "艾灸贴" in response.get_data(as_text=True)


def test_the_product_list_searches_filters_and_pages(client, as_admin):
    health = CategoryFactory(code="HLTH")
    ProductFactory(sku="AJ-001", name="艾灸贴", category_id=health.id)
    ProductFactory(sku="EJ-001", name="阿胶膏")
    for n in range(55):
        ProductFactory(sku=f"Z{n:03d}", name=f"其他 {n}")

    searched = client.get("/catalog/products?q=艾灸").get_data(as_text=True)
    filtered = client.get("/catalog/products?category=HLTH").get_data(as_text=True)
    second = client.get("/catalog/products?page=2").get_data(as_text=True)

    assert "AJ-001" in searched and "EJ-001" not in searched
    assert "AJ-001" in filtered and "EJ-001" not in filtered
    assert "Z054" in second and "AJ-001" not in second
    assert 'data-label="' in second


def test_a_merchant_sees_active_products_at_its_own_price_read_only(client, login_as):
    merchant = MerchantFactory()
    ProductFactory(sku="A1", name="艾灸贴", price=Decimal("12.50"))
    ProductFactory(sku="OFF", name="停售商品", is_active=False)
    services.set_merchant_price(merchant.code, "A1", Decimal("9.90"))
    login_as(merchant_user(merchant))

    page = client.get("/catalog/products?status=all").get_data(as_text=True)
    detail = client.get("/catalog/products/A1").get_data(as_text=True)

    assert "9.90" in page and "12.50" not in page
    assert "停售商品" not in page
    assert "/catalog/products/new" not in page and "/catalog/export" not in page
    assert "9.90" in detail and "Suppliers" not in detail
    assert client.get("/catalog/products/OFF").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/catalog/suppliers",
        "/catalog/grades",
        "/catalog/categories",
        "/catalog/export.csv",
        "/catalog/products/new",
    ],
)
def test_merchants_may_not_open_staff_pages(client, login_as, path):
    login_as(merchant_user())

    assert client.get(path).status_code == 403


def test_a_new_product_is_created_from_the_form(client, as_admin):
    response = client.post("/catalog/products/new", data=PRODUCT_FORM)

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/catalog/products/AJ-001")
    product = services.get_product("AJ-001")
    assert (
        product.price,
        product.case_qty,
        product.is_stocked,
        product.is_lot_tracked,
    ) == (
        Decimal("12.50"),
        24,
        True,
        False,
    )


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"price": "12.345"}, "price", "At most two decimal places."),
        ({"price": "-3"}, "price", "Must not be negative."),
        ({"unit": ""}, "unit", "Must not be blank."),
        ({"case_qty": "abc"}, "case_qty", "Not a valid integer."),
        ({"sku": "a b"}, "sku", "No spaces"),
        ({"category": "NOPE"}, "category", "Unknown category"),
    ],
)
def test_a_bad_product_form_shows_the_error_next_to_the_field(
    client, as_admin, change, field, message
):
    response = client.post("/catalog/products/new", data=PRODUCT_FORM | change)

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="e-{field}"' in html
    assert message in html
    assert count(Product) == 0


def test_a_duplicate_sku_on_the_form_is_a_field_error(client, as_admin):
    ProductFactory(sku="AJ-001")

    response = client.post("/catalog/products/new", data=PRODUCT_FORM)

    assert response.status_code == 422
    assert 'id="e-sku"' in response.get_data(as_text=True)
    assert count(Product) == 1


def test_only_admins_create_products_from_pages(client, login_as):
    login_as(UserFactory(role="sales"))

    assert client.post("/catalog/products/new", data=PRODUCT_FORM).status_code == 403
    assert count(Product) == 0


def test_a_product_is_edited_from_the_form(client, as_admin):
    ProductFactory(sku="A1", name="旧名", price=Decimal("5.00"), barcode="123")

    response = client.post(
        "/catalog/products/A1/edit",
        data={
            "name": "新名",
            "unit": "瓶",
            "price": "6.60",
            "barcode": "",
            "is_lot_tracked": "1",
        },
    )

    assert response.status_code == 302
    db.session.expire_all()
    product = services.get_product("A1")
    assert (product.name, product.unit, product.price, product.barcode) == (
        "新名",
        "瓶",
        Decimal("6.60"),
        None,
    )
    assert product.is_lot_tracked and not product.is_stocked


def test_a_bad_edit_changes_nothing(client, as_admin):
    ProductFactory(sku="A1", name="旧名", price=Decimal("5.00"))

    response = client.post(
        "/catalog/products/A1/edit", data={"name": "新名", "unit": "盒", "price": "x"}
    )

    assert response.status_code == 422
    db.session.expire_all()
    assert services.get_product("A1").name == "旧名"


def test_a_product_is_deactivated_and_reactivated(client, as_admin):
    ProductFactory(sku="A1")

    client.post("/catalog/products/A1/active", data={"active": "0"})
    db.session.expire_all()
    off = services.get_product("A1").is_active
    client.post("/catalog/products/A1/active", data={"active": "1"})
    db.session.expire_all()

    assert off is False and services.get_product("A1").is_active is True


def test_an_image_is_uploaded_and_shown(client, as_admin):
    ProductFactory(sku="A1")
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16

    response = client.post(
        "/catalog/products/A1/image", data={"image": (io.BytesIO(png), "a.png")}
    )

    assert response.status_code == 302
    assert client.get("/catalog/products/A1/image").data == png
    assert "/catalog/products/A1/image" in client.get("/catalog/products/A1").get_data(
        as_text=True
    )


def test_a_fake_image_is_refused_next_to_the_field(client, as_admin):
    ProductFactory(sku="A1")

    response = client.post(
        "/catalog/products/A1/image",
        data={"image": (io.BytesIO(b"GIF89a..."), "a.png")},
    )

    assert response.status_code == 422
    assert "Only PNG, JPEG or WebP images are accepted." in response.get_data(
        as_text=True
    )


def test_grade_prices_are_saved_from_the_product_page(client, as_admin):
    PriceGradeFactory(code="RETAIL")
    PriceGradeFactory(code="LEADER")
    ProductFactory(sku="A1")

    response = client.post(
        "/catalog/products/A1/prices",
        data={"grade-RETAIL": "11.00", "grade-LEADER": ""},
    )

    assert response.status_code == 302
    assert db.session.scalars(sa.select(ProductPrice.price)).all() == [Decimal("11.00")]


def test_a_bad_grade_price_is_shown_and_nothing_is_saved(client, as_admin):
    PriceGradeFactory(code="RETAIL")
    PriceGradeFactory(code="LEADER")
    ProductFactory(sku="A1")

    response = client.post(
        "/catalog/products/A1/prices",
        data={"grade-RETAIL": "11.00", "grade-LEADER": "-1"},
    )

    assert response.status_code == 422
    assert "Must not be negative." in response.get_data(as_text=True)
    assert count(ProductPrice) == 0


def test_a_merchant_price_for_an_unknown_merchant_is_a_field_error(client, login_as):
    ProductFactory(sku="A1")
    login_as(UserFactory(role="sales"))

    response = client.post(
        "/catalog/products/A1/merchant-prices",
        data={"merchant": "NOPE", "merchant_price": "1"},
    )

    assert response.status_code == 422
    assert 'id="e-merchant"' in response.get_data(as_text=True)
    assert count(MerchantPrice) == 0


def test_sales_set_a_merchant_price(client, login_as):
    merchant = MerchantFactory()
    ProductFactory(sku="A1")
    login_as(UserFactory(role="sales"))

    response = client.post(
        "/catalog/products/A1/merchant-prices",
        data={"merchant": merchant.code, "merchant_price": "9.90"},
    )

    assert response.status_code == 302
    assert db.session.scalars(sa.select(MerchantPrice.price)).all() == [Decimal("9.90")]


def test_a_buyer_links_a_supplier_to_a_product(client, login_as):
    supplier = SupplierFactory(code="HZ01")
    ProductFactory(sku="A1")
    login_as(UserFactory(role="buyer"))

    response = client.post(
        "/catalog/products/A1/suppliers",
        data={"supplier": "HZ01", "cost_price": "8.00", "case_qty": "24", "moq": "48"},
    )
    bad = client.post(
        "/catalog/products/A1/suppliers",
        data={"supplier": "HZ01", "cost_price": "", "moq": "0"},
    )

    assert response.status_code == 302
    page = client.get("/catalog/products/A1").get_data(as_text=True)
    assert supplier.name in page and "8.00" in page
    assert bad.status_code == 422
    assert 'id="e-cost_price"' in bad.get_data(
        as_text=True
    ) and 'id="e-moq"' in bad.get_data(as_text=True)


def test_categories_are_added_and_edited(client, as_admin):
    created = client.post(
        "/catalog/categories", data={"code": "HEALTH", "name": "保健", "sort": "1"}
    )
    child = client.post(
        "/catalog/categories", data={"code": "MOXA", "name": "艾灸", "parent": "HEALTH"}
    )
    duplicate = client.post(
        "/catalog/categories", data={"code": "HEALTH", "name": "again"}
    )
    edited = client.post(
        "/catalog/categories/HEALTH/edit",
        data={"name": "保健品", "sort": "2", "parent": ""},
    )

    assert (created.status_code, child.status_code, edited.status_code) == (
        302,
        302,
        302,
    )
    assert duplicate.status_code == 422 and 'id="e-code"' in duplicate.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert services.get_category("MOXA").parent.code == "HEALTH"
    assert services.get_category("HEALTH").name == "保健品"
    assert count(Category) == 2


def test_staff_who_are_not_admins_cannot_add_categories(client, login_as):
    login_as(UserFactory(role="warehouse"))

    assert client.get("/catalog/categories").status_code == 200
    assert (
        client.post("/catalog/categories", data={"code": "X", "name": "x"}).status_code
        == 403
    )
    assert count(Category) == 0


def test_price_grades_are_added_and_their_prices_edited(client, as_admin):
    ProductFactory(sku="A1", price=Decimal("12.50"))
    ProductFactory(sku="A2")

    created = client.post("/catalog/grades", data={"code": "LEADER", "name": "团长价"})
    saved = client.post(
        "/catalog/grades/LEADER", data={"price-A1": "11.00", "price-A2": ""}
    )
    bad = client.post("/catalog/grades/LEADER", data={"price-A1": "abc"})

    assert created.status_code == 302 and saved.status_code == 302
    assert count(PriceGrade) == 1
    assert db.session.scalars(sa.select(ProductPrice.price)).all() == [Decimal("11.00")]
    assert bad.status_code == 422 and "Not a valid amount" in bad.get_data(as_text=True)
    assert "11.00" in client.get("/catalog/grades/LEADER").get_data(as_text=True)


def test_suppliers_are_created_shown_and_edited(client, login_as):
    login_as(UserFactory(role="buyer"))

    created = client.post(
        "/catalog/suppliers/new",
        data={"code": "HZ01", "name": "杭州艾草厂", "lead_time_days": "2"},
    )
    bad = client.post(
        "/catalog/suppliers/new",
        data={"code": "HZ02", "name": "", "lead_time_days": "-1"},
    )
    edited = client.post(
        "/catalog/suppliers/HZ01/edit",
        data={"name": "杭州艾草厂", "lead_time_days": "3"},
    )

    assert created.status_code == 302 and edited.status_code == 302
    assert bad.status_code == 422 and 'id="e-name"' in bad.get_data(as_text=True)
    assert count(Supplier) == 1
    db.session.expire_all()
    supplier = services.get_supplier("HZ01")
    assert (supplier.lead_time_days, supplier.is_active) == (
        3,
        False,
    )  # checkbox left unticked
    assert "杭州艾草厂" in client.get("/catalog/suppliers?q=艾草&status=all").get_data(
        as_text=True
    )
    assert client.get("/catalog/suppliers/HZ01").status_code == 200


def test_an_import_runs_as_a_job_and_shows_the_counts(client, as_admin):
    data = "sku,name,unit,price\nA1,艾灸贴,盒,12.50\n".encode("gbk")

    response = client.post(
        "/catalog/import", data={"file": (io.BytesIO(data), "商品.csv")}
    )
    status = client.get(response.headers["Location"])

    assert response.status_code == 302
    assert "1 created, 0 updated" in status.get_data(as_text=True)
    assert services.get_product("A1").name == "艾灸贴"


def test_a_refused_import_shows_every_row_problem(client, as_admin):
    data = b"sku,name,unit,price\nA1,x,y,-1\nA2,,y,1\n"

    response = client.post(
        "/catalog/import", data={"file": (io.BytesIO(data), "p.csv")}
    )
    html = client.get(response.headers["Location"]).get_data(as_text=True)

    assert "Must not be negative." in html and "Required for a new product." in html
    assert count(Product) == 0


@pytest.mark.parametrize("upload", [None, (b"x", "p.xls"), (b"", "p.csv")])
def test_a_missing_or_wrong_import_file_is_a_field_error(client, as_admin, upload):
    data = {} if upload is None else {"file": (io.BytesIO(upload[0]), upload[1])}

    response = client.post(
        "/catalog/import", data=data, content_type="multipart/form-data"
    )

    assert response.status_code == 422
    assert 'id="e-file"' in response.get_data(as_text=True)


def test_import_status_of_an_unknown_job_is_404(client, as_admin):
    assert client.get("/catalog/import/nope").status_code == 404


@pytest.mark.parametrize(
    "fmt, mimetype",
    [
        ("csv", "text/csv"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_exports_download_as_attachments(client, login_as, fmt, mimetype):
    ProductFactory(sku="A1")
    login_as(UserFactory(role="finance"))

    response = client.get(f"/catalog/export.{fmt}")

    assert response.status_code == 200 and response.mimetype == mimetype
    assert f"products.{fmt}" in response.headers["Content-Disposition"]


def test_an_unknown_export_format_is_404(client, as_admin):
    assert client.get("/catalog/export.pdf").status_code == 404


def test_the_price_list_pdf_is_served_to_staff_and_merchants(client, login_as):
    grade = PriceGradeFactory(code="LEADER")
    ProductFactory(sku="A1")
    login_as(UserFactory(role="sales"))
    staff = client.get("/catalog/price-list.pdf?grade=LEADER")
    client.post("/auth/logout")
    login_as(merchant_user(MerchantFactory(price_grade_id=grade.id)))
    merchant = client.get("/catalog/price-list.pdf")

    assert staff.mimetype == "application/pdf" and staff.data.startswith(b"%PDF")
    assert merchant.mimetype == "application/pdf" and merchant.data.startswith(b"%PDF")


def test_a_price_list_for_an_unknown_grade_is_404(client, as_admin):
    assert client.get("/catalog/price-list.pdf?grade=NOPE").status_code == 404
