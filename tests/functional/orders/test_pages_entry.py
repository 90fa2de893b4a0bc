"""Staff order entry for a merchant (sales, admin) and staff views of orders."""

import datetime as dt
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from supplychain.database import utcnow
from supplychain.extensions import db
from supplychain.orders import services
from supplychain.orders.models import CartLine, Order
from supplychain.orders.schedule import calendar_for, update_settings
from supplychain.stock.queries import available_qty, default_warehouse
from tests.factories import (
    MerchantFactory,
    MerchantPriceFactory,
    UserFactory,
    merchant_user,
    stocked_product,
)


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def text(response):
    return response.get_data(as_text=True)


@pytest.fixture
def shop():
    return MerchantFactory(code="HZ0042", name="拱墅区养生馆")


@pytest.fixture
def sales(login_as):
    user = UserFactory(role="sales")
    login_as(user)
    return user


@pytest.fixture
def moxa():
    return stocked_product(20, name="艾灸贴 10 贴装", price=Decimal("19.90"))


def fill_cart(client, shop, product, qty):
    response = client.post(
        "/orders/cart/set",
        data={"sku": product.sku, "qty": str(qty), "merchant": shop.code},
    )
    assert response.status_code == 303, text(response)


def cart_token(client, shop):
    page = text(client.get("/orders/cart", query_string={"merchant": shop.code}))
    return re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)


def submit(client, shop, **form):
    data = {"token": cart_token(client, shop), "merchant": shop.code} | form
    return client.post("/orders/cart/submit", data=data)


def close_tomorrow():
    """Cutoff at midnight the evening before: tomorrow's cutoff has always passed."""
    update_settings(cutoff_time=dt.time(0, 0), delivery_weekdays="1234567")
    return calendar_for(None).local_date(utcnow()) + dt.timedelta(days=1)


def test_staff_without_a_merchant_are_sent_to_pick_one(client, sales):
    for path in ("/orders/shop", "/orders/cart", "/orders/frequent"):
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["Location"].endswith("/orders/new")


def test_the_merchant_picker_searches_by_code_and_name(client, sales, shop):
    MerchantFactory(name="余杭区别的店")

    by_code = text(client.get("/orders/new", query_string={"q": "HZ0042"}))
    by_name = text(client.get("/orders/new", query_string={"q": "养生"}))

    assert 'data-merchant="HZ0042"' in by_code and "余杭区别的店" not in by_code
    assert 'data-merchant="HZ0042"' in by_name
    assert "/orders/shop?merchant=HZ0042" in by_name


def test_the_shop_for_a_merchant_shows_that_merchants_prices(client, sales, shop, moxa):
    MerchantPriceFactory(merchant=shop, product=moxa, price=Decimal("15.00"))

    body = text(client.get("/orders/shop", query_string={"merchant": shop.code}))

    assert "Ordering for" in body and "HZ0042 拱墅区养生馆" in body
    card = body.split(f'id="p-{moxa.sku}"')[1].split("</li>")[0]
    assert "15.00" in card and 'name="merchant" value="HZ0042"' in card


def test_an_unknown_merchant_code_is_not_found(client, sales):
    assert client.get("/orders/shop?merchant=NOPE").status_code == 404


def test_a_merchant_user_cannot_order_for_another_merchant(
    client, login_as, shop, moxa
):
    own = merchant_user()
    login_as(own)

    client.post(
        "/orders/cart/set", data={"sku": moxa.sku, "qty": "1", "merchant": shop.code}
    )

    assert db.session.scalar(sa.select(CartLine.merchant_id)) == own.merchant_id
    assert client.get("/orders/new").status_code == 403


@pytest.mark.parametrize("role", ["sales", "admin"])
def test_staff_place_an_order_for_the_merchant(client, login_as, role, shop, moxa):
    user = UserFactory(role=role)
    login_as(user)
    fill_cart(client, shop, moxa, 3)
    page = text(client.get("/orders/cart", query_string={"merchant": shop.code}))
    assert 'name="late_reason"' in page and 'name="credit_reason"' in page

    response = submit(client, shop, note="电话下单")

    order = db.session.scalar(sa.select(Order))
    assert response.status_code == 303
    assert order.merchant_id == shop.id and order.source == "staff"
    assert order.placed_by_id == user.id and order.total_amount == Decimal("59.70")
    assert count(CartLine) == 0


def test_staff_are_offered_dates_whose_cutoff_passed_and_need_a_reason(
    client, sales, shop, moxa
):
    tomorrow = close_tomorrow()
    fill_cart(client, shop, moxa, 2)
    page = text(client.get("/orders/cart", query_string={"merchant": shop.code}))
    assert f'value="{tomorrow.isoformat()}"' in page
    assert "cutoff passed: late order, reason needed" in page

    refused = submit(client, shop, delivery_date=tomorrow.isoformat())
    placed = submit(
        client, shop, delivery_date=tomorrow.isoformat(), late_reason="店长电话补单"
    )

    assert refused.status_code == 409 and "has closed" in text(refused)
    assert placed.status_code == 303
    order = db.session.scalar(sa.select(Order))
    assert order.delivery_date == tomorrow
    assert order.late_override_reason == "店长电话补单"


def test_staff_may_override_the_credit_limit_with_a_reason(client, sales, shop, moxa):
    shop.credit_limit = Decimal("10.00")
    db.session.commit()
    fill_cart(client, shop, moxa, 1)

    refused = submit(client, shop)
    placed = submit(client, shop, credit_reason="老客户，经理同意")

    assert refused.status_code == 409
    assert "Give a credit override reason" in text(refused)
    assert placed.status_code == 303
    assert (
        db.session.scalar(sa.select(Order.credit_override_reason)) == "老客户，经理同意"
    )


def test_staff_see_all_orders_and_filter_them(client, sales, shop, moxa):
    mine = services.place_order(
        merchant_user(shop), [{"sku": moxa.sku, "qty": 1}]
    ).order
    other = services.place_order(merchant_user(), [{"sku": moxa.sku, "qty": 1}]).order
    services.cancel_order(merchant_user(other.merchant), other.id)

    everything = text(client.get("/orders/"))
    by_merchant = text(client.get("/orders/", query_string={"q": "养生馆"}))
    cancelled = text(client.get("/orders/", query_string={"status": "cancelled"}))
    by_date = text(client.get("/orders/", query_string={"delivery_date": "2001-01-01"}))
    bad_date = client.get("/orders/", query_string={"delivery_date": "soon"})

    assert f'data-order="{mine.number}"' in everything
    assert f'data-order="{other.number}"' in everything
    assert "拱墅区养生馆" in everything  # the merchant column
    assert f'data-order="{other.number}"' not in by_merchant
    assert f'data-order="{mine.number}"' not in cancelled
    assert f'data-order="{other.number}"' in cancelled
    assert "data-order=" not in by_date
    assert bad_date.status_code == 200 and "YYYY-MM-DD" in text(bad_date)


def test_after_the_cutoff_staff_change_and_cancel_only_with_a_reason(
    client, sales, shop, moxa
):
    order = services.place_order(
        merchant_user(shop), [{"sku": moxa.sku, "qty": 2}]
    ).order
    order.cutoff_at = utcnow() - dt.timedelta(minutes=5)
    db.session.commit()
    page = text(client.get(f"/orders/{order.number}"))
    assert 'name="override_reason"' in page and "Cancel order" in page

    no_reason = client.post(
        f"/orders/{order.number}/lines", data={"sku": moxa.sku, "qty": "5"}
    )
    changed = client.post(
        f"/orders/{order.number}/lines",
        data={"sku": moxa.sku, "qty": "5", "override_reason": "客户来电加量"},
    )
    cancel_no_reason = client.post(f"/orders/{order.number}/cancel")
    cancelled = client.post(
        f"/orders/{order.number}/cancel", data={"override_reason": "门店停业"}
    )

    assert no_reason.status_code == 409
    assert changed.status_code == 303
    assert cancel_no_reason.status_code == 422
    assert cancelled.status_code == 303
    db.session.refresh(order)
    assert order.status == "cancelled" and order.lines[0].qty == 5
    assert order.late_override_reason == "门店停业"
    assert available_qty(moxa.id, default_warehouse().id) == 20


def test_staff_repeat_an_order_into_their_cart_for_that_merchant(
    client, sales, shop, moxa
):
    order = services.place_order(
        merchant_user(shop), [{"sku": moxa.sku, "qty": 2}]
    ).order

    response = client.post(f"/orders/{order.number}/repeat")

    assert response.status_code == 303
    assert response.headers["Location"].endswith("/orders/cart?merchant=HZ0042")
    line = db.session.scalar(sa.select(CartLine))
    assert (line.user_id, line.merchant_id, line.qty) == (sales.id, shop.id, 2)


def test_the_frequent_list_for_a_merchant(client, sales, shop, moxa):
    services.place_order(merchant_user(shop), [{"sku": moxa.sku, "qty": 6}])

    body = text(client.get("/orders/frequent", query_string={"merchant": shop.code}))
    client.post(
        "/orders/frequent/add",
        data={"sku": moxa.sku, "qty": "6", "merchant": shop.code},
    )

    assert moxa.name in body and "Repeat last order" in body
    line = db.session.scalar(sa.select(CartLine))
    assert (line.user_id, line.merchant_id, line.qty) == (sales.id, shop.id, 6)
