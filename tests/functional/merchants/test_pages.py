import io
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from supplychain.auth.models import User
from supplychain.extensions import db
from supplychain.merchants.geo import MapMarker, register_marker_source
from supplychain.merchants.models import Merchant, MerchantContact
from tests.factories import (
    MerchantContactFactory,
    MerchantFactory,
    PriceGradeFactory,
    UserFactory,
    merchant_user,
)

FORM = {
    "code": "HZ001", "name": "西湖健康小店", "address": "文三路 1 号", "lat": "30.2741",
    "lon": "120.1551", "kind": "store", "window_start": "07:00", "window_end": "10:00",
    "credit_limit": "", "payment_terms_days": "0",
}  # fmt: skip


def _count(model=Merchant):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _text(response):
    return response.get_data(as_text=True)


@pytest.fixture
def as_sales(login_as):
    user = UserFactory(role="sales")
    login_as(user)
    return user


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    MerchantFactory(code="HZ001")

    for path in (
        "/merchants/",
        "/merchants/HZ001",
        "/merchants/map",
        "/merchants/new",
        "/merchants/import",
    ):
        response = client.get(path)
        assert (
            response.status_code == 302
            and "/auth/login" in response.headers["Location"]
        ), path


@pytest.mark.parametrize("role", ["warehouse", "buyer", "driver"])
def test_roles_without_merchant_work_may_not_open_the_list(client, login_as, role):
    login_as(UserFactory(role=role))

    assert client.get("/merchants/").status_code == 403


@pytest.mark.parametrize("role", ["finance", "dispatcher"])
def test_viewers_may_read_but_not_create(client, login_as, role):
    login_as(UserFactory(role=role))

    assert client.get("/merchants/").status_code == 200
    assert client.get("/merchants/new").status_code == 403
    assert client.post("/merchants/", data=FORM).status_code == 403
    assert _count() == 0


def test_list_searches_filters_by_kind_and_pages(client, as_sales):
    for n in range(55):
        MerchantFactory(code=f"S{n:03d}", name=f"门店{n}")
    MerchantFactory(code="W001", name="批发部", kind="wholesale", district="上城区")

    first = _text(client.get("/merchants/"))
    second = _text(client.get("/merchants/?page=2"))
    searched = _text(client.get("/merchants/?q=上城"))
    wholesale = _text(client.get("/merchants/?kind=wholesale"))

    assert "S000" in first and "S050" not in first
    assert "S050" in second
    assert "W001" in searched and "S001" not in searched
    assert "W001" in wholesale and "S001" not in wholesale
    assert 'class="responsive"' in first and "data-label=" in first


def test_creating_through_the_form_redirects_to_the_detail_page(client, as_sales):
    PriceGradeFactory(code="RETAIL")

    response = client.post(
        "/merchants/", data=FORM | {"price_grade": "RETAIL", "credit_limit": "3000"}
    )

    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/merchants/HZ001"
    )
    merchant = db.session.scalar(sa.select(Merchant).where(Merchant.code == "HZ001"))
    assert merchant.credit_limit == Decimal("3000.00")
    assert merchant.price_grade.code == "RETAIL"
    assert merchant.delivery_window_start.hour == 7


@pytest.mark.parametrize(
    "change, field",
    [
        ({"code": "HZ 1"}, "code"),
        ({"code": ""}, "code"),
        ({"name": ""}, "name"),
        ({"lat": "abc"}, "lat"),
        ({"lat": "100"}, "lat"),
        ({"lon": ""}, "lon"),
        ({"credit_limit": "-5"}, "credit_limit"),
        ({"credit_limit": "1.234"}, "credit_limit"),
        ({"window_start": "10:00", "window_end": "07:00"}, "delivery_window"),
        ({"window_end": ""}, "delivery_window"),
        ({"payment_terms_days": "many"}, "payment_terms_days"),
        ({"price_grade": "NOPE"}, "price_grade"),
        ({"phone": "call me"}, "phone"),
    ],
)
def test_bad_form_shows_the_error_next_to_the_field_and_writes_nothing(
    client, as_sales, change, field
):
    response = client.post("/merchants/", data=FORM | change)

    assert response.status_code == 400
    assert f'id="e-{field}"' in _text(response)
    assert _count() == 0


def test_duplicate_code_on_the_form_is_a_field_error(client, as_sales):
    MerchantFactory(code="HZ001")

    response = client.post("/merchants/", data=FORM)

    assert response.status_code == 400
    assert 'id="e-code"' in _text(response) and "already in use" in _text(response)
    assert _count() == 1


def test_the_form_keeps_what_was_typed_after_an_error(client, as_sales):
    response = client.post(
        "/merchants/", data=FORM | {"lat": "abc", "name": "保留的名字"}
    )

    assert "保留的名字" in _text(response)


def test_edit_form_shows_current_values_and_blank_clears(client, as_sales):
    MerchantFactory(code="HZ001", credit_limit=Decimal("500"), district="西湖区")

    page = _text(client.get("/merchants/HZ001/edit"))
    response = client.post(
        "/merchants/HZ001/edit",
        data={k: v for k, v in FORM.items() if k != "code"} | {"district": ""},
    )

    assert 'value="500.00"' in page and 'value="西湖区"' in page
    assert response.status_code == 302
    db.session.expire_all()
    merchant = db.session.scalar(sa.select(Merchant).where(Merchant.code == "HZ001"))
    assert merchant.credit_limit is None and merchant.district == ""


def test_bad_edit_writes_nothing(client, as_sales):
    MerchantFactory(code="HZ001", name="旧名")

    response = client.post(
        "/merchants/HZ001/edit",
        data={k: v for k, v in FORM.items() if k != "code"}
        | {"name": "新名", "lat": "95"},
    )

    assert response.status_code == 400 and 'id="e-lat"' in _text(response)
    db.session.expire_all()
    assert (
        db.session.scalar(sa.select(Merchant.name).where(Merchant.code == "HZ001"))
        == "旧名"
    )


def test_detail_page_shows_properties_contacts_users_grade_and_credit(client, as_sales):
    grade = PriceGradeFactory(code="LEADER", name="团长价")
    merchant = MerchantFactory(
        code="HZ001",
        price_grade_id=grade.id,
        credit_limit=Decimal("8000"),
        payment_terms_days=15,
    )
    MerchantContactFactory(merchant=merchant, name="张店长", is_primary=True)
    merchant_user(merchant, username="hz001-boss")

    page = _text(client.get("/merchants/HZ001"))

    for expected in (
        "HZ001",
        merchant.name,
        "张店长",
        "hz001-boss",
        "LEADER",
        "团长价",
        "8000.00",
        "15",
    ):
        assert expected in page


def test_unknown_merchant_page_is_404(client, as_sales):
    assert client.get("/merchants/NOPE").status_code == 404
    assert client.get("/merchants/NOPE/edit").status_code == 404


def test_deactivate_and_reactivate_from_the_detail_page(client, as_sales):
    MerchantFactory(code="HZ001")

    client.post("/merchants/HZ001/active", data={"active": "0"})
    db.session.expire_all()
    assert (
        db.session.scalar(sa.select(Merchant.is_active).where(Merchant.code == "HZ001"))
        is False
    )

    client.post("/merchants/HZ001/active", data={"active": "1"})
    db.session.expire_all()
    assert (
        db.session.scalar(sa.select(Merchant.is_active).where(Merchant.code == "HZ001"))
        is True
    )


def test_add_a_user_from_the_detail_page(client, as_sales):
    merchant = MerchantFactory(code="HZ001")

    response = client.post(
        "/merchants/HZ001/users",
        data={"username": "hz001-staff", "password": "long enough 1"},
    )

    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.username == "hz001-staff"))
    assert (user.role, user.merchant_id) == ("merchant", merchant.id)


@pytest.mark.parametrize(
    "form, field",
    [
        ({"username": "x1", "password": "short"}, "password"),
        ({"username": "", "password": "long enough 1"}, "username"),
    ],
)
def test_bad_user_form_shows_error_next_to_field(client, as_sales, form, field):
    MerchantFactory(code="HZ001")
    before = _count(User)

    response = client.post("/merchants/HZ001/users", data=form)

    assert response.status_code == 400 and f'id="e-{field}"' in _text(response)
    assert _count(User) == before


def test_duplicate_username_on_the_user_form_is_a_field_error(client, as_sales):
    MerchantFactory(code="HZ001")

    response = client.post(
        "/merchants/HZ001/users",
        data={"username": as_sales.username, "password": "long enough 1"},
    )

    assert response.status_code == 400 and 'id="e-username"' in _text(response)


def test_contacts_from_the_detail_page(client, as_sales):
    MerchantFactory(code="HZ001")

    bad = client.post("/merchants/HZ001/contacts", data={"name": "", "phone": "x"})
    good = client.post(
        "/merchants/HZ001/contacts",
        data={"name": "李四", "phone": "138 0000 0000", "is_primary": "true"},
    )
    contact = db.session.scalar(sa.select(MerchantContact))
    removed = client.post(f"/merchants/HZ001/contacts/{contact.id}/delete")

    assert bad.status_code == 400 and 'id="e-name"' in _text(bad)
    assert good.status_code == 302 and contact.is_primary
    assert removed.status_code == 302 and _count(MerchantContact) == 0


def test_merchant_user_sees_its_own_page_read_only(client, login_as):
    own = MerchantFactory(code="OWN", note="internal remark")
    login_as(merchant_user(own))

    response = client.get("/merchants/OWN")

    assert response.status_code == 200
    page = _text(response)
    assert "OWN" in page and "internal remark" not in page
    assert "/merchants/OWN/edit" not in page


def test_merchant_user_gets_404_for_another_merchants_page(client, login_as):
    MerchantFactory(code="OTHER")
    login_as(merchant_user())

    assert client.get("/merchants/OTHER").status_code == 404
    assert client.get("/merchants/").status_code == 403
    assert client.get("/merchants/OTHER/edit").status_code == 403


def test_import_page_lists_every_problem_and_writes_nothing(client, as_sales):
    data = (
        b"code,name,address,lat,lon\n"
        b"HZ001,a,x,30.27,120.15\nHZ002,b,y,95,120.15\nHZ003,c,z,30.1,abc\n"
    )

    response = client.post(
        "/merchants/import",
        data={"file": (io.BytesIO(data), "m.csv")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 400
    page = _text(response)
    assert "nothing was imported" in page
    assert re.search(r">3</td>\s*<td[^>]*>lat</td>", page) and re.search(
        r">4</td>\s*<td[^>]*>lon</td>", page
    )
    assert _count() == 0


def test_import_page_without_a_file_says_so_next_to_the_field(client, as_sales):
    response = client.post(
        "/merchants/import", data={}, content_type="multipart/form-data"
    )

    assert response.status_code == 400 and 'id="e-file"' in _text(response)


def test_import_page_imports_a_good_file(client, as_sales):
    data = "编码,名称,地址,纬度,经度\nHZ001,西湖店,文三路,30.27,120.15\n".encode("gbk")

    response = client.post(
        "/merchants/import",
        data={"file": (io.BytesIO(data), "m.csv")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 302
    assert _count() == 1


def test_export_downloads_csv_and_xlsx_of_the_filtered_list(client, as_sales):
    MerchantFactory(code="S001")
    MerchantFactory(code="W001", kind="wholesale")

    csv = client.get("/merchants/export?format=csv&kind=wholesale")
    xlsx = client.get("/merchants/export?format=xlsx")

    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert b"W001" in csv.data and b"S001" not in csv.data
    assert xlsx.data[:2] == b"PK"


def test_map_draws_one_circle_per_active_merchant_with_coordinates(client, login_as):
    login_as(UserFactory(role="dispatcher"))
    for n, kind in enumerate(["store", "store", "group_leader", "wholesale"]):
        MerchantFactory(
            code=f"M{n}", kind=kind, lat=30.2 + n * 0.02, lon=120.1 + n * 0.03
        )
    MerchantFactory(code="OFF", is_active=False)
    MerchantFactory(code="NOGEO", lat=None, lon=None, is_active=False)

    page = _text(client.get("/merchants/map"))

    svg = page[page.index("<svg") : page.index("</svg>")]
    assert svg.count("<circle") == 4
    assert "<title>M2 " in svg and 'href="/merchants/M2"' in svg
    assert "OFF" not in svg
    assert 'class="legend"' in page


def test_map_can_show_one_kind(client, login_as):
    login_as(UserFactory(role="sales"))
    MerchantFactory(code="S1", kind="store")
    MerchantFactory(code="G1", kind="group_leader")

    svg = _text(client.get("/merchants/map?kind=group_leader"))

    assert svg.count("<circle") == 1 and "G1" in svg


def test_map_shows_markers_other_features_register(app, client, login_as):
    login_as(UserFactory(role="sales"))
    MerchantFactory(code="S1")
    register_marker_source(
        app, lambda: [MapMarker(30.3, 120.2, "MAIN 主仓", "warehouse")]
    )

    page = _text(client.get("/merchants/map"))

    assert page.count("<circle") == 1
    assert '<rect class="marker kind-warehouse"' in page and "MAIN 主仓" in page


def test_map_with_no_merchants_still_renders(client, login_as):
    login_as(UserFactory(role="sales"))

    response = client.get("/merchants/map")

    assert response.status_code == 200 and "<svg" in _text(response)


def test_map_is_not_for_finance(client, login_as):
    login_as(UserFactory(role="finance"))

    assert client.get("/merchants/map").status_code == 403
