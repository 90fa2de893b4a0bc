import datetime as dt
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from supplychain.checks import run_checks
from supplychain.database import utcnow
from supplychain.extensions import db
from supplychain.orders import services
from supplychain.orders.models import CartLine, Order
from supplychain.stock.queries import available_qty, default_warehouse
from tests.factories import MerchantFactory, UserFactory, merchant_user, stocked_product
from tests.support.pdf import pdf_fonts, pdf_text


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def cart_qty(user, product):
    return db.session.scalar(
        sa.select(CartLine.qty).where(
            CartLine.user_id == user.id, CartLine.product_id == product.id
        )
    )


def available(product):
    return available_qty(product.id, default_warehouse().id)


def text(response):
    return response.get_data(as_text=True)


@pytest.fixture
def shop():
    return MerchantFactory(name="西湖区文三路健康小店")


@pytest.fixture
def shopper(shop, login_as):
    user = merchant_user(shop)
    login_as(user)
    return user


@pytest.fixture
def moxa():
    return stocked_product(
        20, name="艾灸贴 10 贴装", name_en="Moxibustion patches", price=Decimal("19.90")
    )


@pytest.fixture
def goji():
    return stocked_product(10, name="同仁堂 枸杞子 250g", price=Decimal("39.90"))


def place(user, *lines, **kwargs):
    wanted = [{"sku": product.sku, "qty": qty} for product, qty in lines]
    return services.place_order(user, wanted, **kwargs).order


def put_in_cart(client, product, qty, **extra):
    return client.post(
        "/orders/cart/set", data={"sku": product.sku, "qty": str(qty)} | extra
    )


def cart_token(client, **args):
    page = text(client.get("/orders/cart", query_string=args))
    return re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)


# --- pages render -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/orders/", "/orders/shop", "/orders/cart", "/orders/frequent",
             "/orders/new", "/orders/SO-20261124-0001"],
)  # fmt: skip
def test_pages_need_a_login(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_a_merchant_sees_each_ordering_page(client, shopper, moxa, goji):
    put_in_cart(client, moxa, 2)
    order = place(shopper, (goji, 1))

    pages = {
        "/orders/shop": [
            "艾灸贴 10 贴装",
            "Moxibustion patches",
            "19.90",
            "data-countdown",
        ],
        "/orders/cart": ["艾灸贴 10 贴装", "39.80", 'name="token"', "Place order"],
        "/orders/": [order.number, "39.90"],
        f"/orders/{order.number}": [order.number, "同仁堂 枸杞子 250g", "Cancel order"],
        "/orders/frequent": ["同仁堂 枸杞子 250g", "Repeat last order"],
    }
    for path, expected in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        body = text(response)
        assert all(item in body for item in expected), (path, expected)
        assert 'name="late_reason"' not in body  # staff-only fields


def test_the_shop_shows_the_merchants_price_stock_or_to_order_and_the_steps(
    client, shopper, shop
):
    from tests.factories import MerchantPriceFactory

    stocked = stocked_product(7, name="西洋参片", min_order_qty=6, order_step=6)
    ordered_in = stocked_product(0, name="定制礼盒", is_stocked=False)
    MerchantPriceFactory(merchant=shop, product=stocked, price=Decimal("9.80"))

    body = text(client.get("/orders/shop"))

    card = body.split(f'id="p-{stocked.sku}"')[1].split("</li>")[0]
    assert "9.80" in card and "12.50" not in card
    assert "7 available" in card and "min 6, step 6" in card
    assert 'data-min="6" data-step="6"' in card
    special = body.split(f'id="p-{ordered_in.sku}"')[1].split("</li>")[0]
    assert "to order" in special


def test_the_shop_searches_by_name_sku_and_barcode(client, shopper, moxa, goji):
    from tests.factories import ProductFactory

    scanned = ProductFactory(name="鱼跃 血压计", barcode="6901234567890")

    by_name = text(client.get("/orders/shop", query_string={"q": "枸杞"}))
    by_sku = text(client.get("/orders/shop", query_string={"q": moxa.sku}))
    by_barcode = text(client.get("/orders/shop", query_string={"q": "6901234567890"}))

    assert goji.name in by_name and moxa.name not in by_name
    assert moxa.name in by_sku and goji.name not in by_sku
    assert scanned.name in by_barcode and goji.name not in by_barcode


def test_the_banner_names_the_delivery_date_and_the_cutoff_instant(client, shopper):
    calendar = services.calendar_for(None)
    day = calendar.next_delivery_date(utcnow())

    body = text(client.get("/orders/shop"))

    assert f'data-delivery-date="{day.isoformat()}"' in body
    assert f'data-cutoff="{calendar.cutoff(day).isoformat()}"' in body


@pytest.mark.parametrize("role", ["warehouse", "finance", "buyer"])
def test_staff_who_do_not_take_orders_may_read_but_not_shop(
    client, login_as, role, moxa
):
    order = place(merchant_user(), (moxa, 1))
    login_as(UserFactory(role=role))

    assert client.get("/orders/").status_code == 200
    detail = client.get(f"/orders/{order.number}")
    assert detail.status_code == 200
    assert "Cancel order" not in text(detail) and 'name="qty"' not in text(detail)
    assert client.get("/orders/shop").status_code == 403
    assert client.post(f"/orders/{order.number}/cancel").status_code == 403


# --- cart -----------------------------------------------------------------------------


def test_adding_to_the_cart_keeps_the_shop_filters_and_returns_to_the_product(
    client, shopper, moxa
):
    response = put_in_cart(client, moxa, 3, q="艾灸", back="shop")

    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        f"/orders/shop?q=%E8%89%BE%E7%81%B8#p-{moxa.sku}"
    )
    assert cart_qty(shopper, moxa) == 3


@pytest.mark.parametrize("typed", ["abc", "-1", "2.5", "", "1000000000000", "7"])
def test_a_bad_quantity_shows_the_message_next_to_the_product_and_writes_nothing(
    client, shopper, typed
):
    product = stocked_product(50, min_order_qty=6, order_step=6)

    response = put_in_cart(client, product, typed)

    assert response.status_code == 422
    body = text(response)
    card = body.split(f'id="p-{product.sku}"')[1].split("</li>")[0]
    assert f'id="e-q-{product.sku}"' in card and 'aria-invalid="true"' in card
    assert re.search(r"whole number|minimum|multiples", card)
    assert count(CartLine) == 0


def test_plus_and_minus_step_from_the_minimum_by_the_order_step(client, shopper):
    product = stocked_product(50, min_order_qty=6, order_step=4)
    steps = []
    for step in ("1", "1", "1", "-1", "-1", "-1"):
        qty = cart_qty(shopper, product) or 0
        client.post(
            "/orders/cart/set",
            data={"sku": product.sku, "qty": str(qty), "step": step},
        )
        steps.append(cart_qty(shopper, product))

    assert steps == [6, 10, 14, 10, 6, None]


def test_the_stepper_answers_json_for_the_script(client, shopper, moxa):
    response = client.post(
        "/orders/cart/set",
        data={"sku": moxa.sku, "qty": "2"},
        headers={"Accept": "application/json"},
    )
    refused = client.post(
        "/orders/cart/set",
        data={"sku": moxa.sku, "qty": "x"},
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 200
    assert response.json | {"token": None} == {
        "sku": moxa.sku, "qty": 2, "count": 1, "total": "39.80",
        "line_amount": "39.80", "token": None,
    }  # fmt: skip
    assert refused.status_code == 422
    assert refused.json["error"]["code"] == "validation_error"
    assert cart_qty(shopper, moxa) == 2


def test_zero_removes_a_product_from_the_cart(client, shopper, moxa):
    put_in_cart(client, moxa, 2)

    put_in_cart(client, moxa, 0, back="cart")

    assert cart_qty(shopper, moxa) is None


def test_the_cart_shows_a_problem_per_line(client, shopper, moxa):
    put_in_cart(client, moxa, 5)
    moxa.min_order_qty = 10
    db.session.commit()

    body = text(client.get("/orders/cart"))

    line = body.split(f'id="p-{moxa.sku}"')[1].split("</li>")[0]
    assert "has-problem" in body and "The minimum order quantity is 10." in line


# --- submit ---------------------------------------------------------------------------


def test_submitting_the_cart_places_one_order_and_empties_the_cart(
    client, shopper, moxa, goji
):
    put_in_cart(client, moxa, 4)
    put_in_cart(client, goji, 1)
    token = cart_token(client)

    response = client.post(
        "/orders/cart/submit", data={"token": token, "note": "请放后门"}
    )

    order = db.session.scalar(sa.select(Order))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/orders/{order.number}")
    assert order.source == "web" and order.note == "请放后门"
    assert [(line.sku, line.qty) for line in order.lines] == [
        (moxa.sku, 4),
        (goji.sku, 1),
    ]
    assert order.total_amount == Decimal("119.50")
    assert count(CartLine) == 0
    assert available(moxa) == 16
    page = text(client.get(response.headers["Location"]))
    assert f"Order {order.number} placed" in page


def test_submitting_the_same_cart_twice_places_one_order(client, shopper, moxa):
    put_in_cart(client, moxa, 4)
    token = cart_token(client)

    first = client.post("/orders/cart/submit", data={"token": token})
    second = client.post("/orders/cart/submit", data={"token": token})

    assert count(Order) == 1
    assert second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    assert "already placed" in text(client.get(second.headers["Location"]))
    assert available(moxa) == 16


def test_a_cart_changed_in_another_tab_is_sent_back_for_review(client, shopper, moxa):
    put_in_cart(client, moxa, 4)
    token = cart_token(client)
    put_in_cart(client, moxa, 6)  # the other tab

    response = client.post("/orders/cart/submit", data={"token": token})

    assert response.status_code == 303
    assert response.headers["Location"].endswith("/orders/cart")
    assert count(Order) == 0
    assert "changed in another tab" in text(client.get("/orders/cart"))


def test_out_of_stock_shows_what_is_available_next_to_the_line(
    client, shopper, moxa, goji
):
    put_in_cart(client, moxa, 2)
    put_in_cart(client, goji, 8)
    place(merchant_user(), (goji, 5))  # someone else took stock meanwhile
    token = cart_token(client)

    response = client.post("/orders/cart/submit", data={"token": token})

    assert response.status_code == 409
    line = text(response).split(f'id="p-{goji.sku}"')[1].split("</li>")[0]
    assert "only 5 available" in line and "Order 5 instead" in line
    assert count(Order) == 1  # only the other merchant's
    assert available(moxa) == 20 and cart_qty(shopper, goji) == 8


def test_a_passed_cutoff_names_the_next_delivery_date(client, shopper, moxa):
    from supplychain.orders.schedule import update_settings

    update_settings(cutoff_time=dt.time(0, 0), delivery_weekdays="1234567")
    calendar = services.calendar_for(None)
    now = utcnow()
    tomorrow = calendar.local_date(now) + dt.timedelta(days=1)
    put_in_cart(client, moxa, 1)
    token = cart_token(client)
    assert f'value="{tomorrow.isoformat()}"' not in text(client.get("/orders/cart"))

    response = client.post(
        "/orders/cart/submit",
        data={"token": token, "delivery_date": tomorrow.isoformat()},
    )

    assert response.status_code == 409
    body = text(response)
    assert f"Ordering for {tomorrow.isoformat()} has closed" in body
    assert calendar.next_delivery_date(now).isoformat() in body
    assert count(Order) == 0


def test_a_credit_refusal_shows_the_figures(client, shop, shopper, moxa):
    shop.credit_limit = Decimal("50.00")
    db.session.commit()
    put_in_cart(client, moxa, 3)  # 59.70
    token = cart_token(client)

    response = client.post("/orders/cart/submit", data={"token": token})

    assert response.status_code == 409
    body = text(response)
    assert 'data-credit="credit_limit">¥50.00' in body
    assert 'data-credit="order_amount">¥59.70' in body
    assert 'data-credit="available_credit">¥50.00' in body
    assert count(Order) == 0


@pytest.mark.parametrize(
    "form, field",
    [
        ({"delivery_date": "tomorrow"}, "Choose a delivery date from the list."),
        ({"delivery_date": "2001-01-01"}, "The delivery date must be after today."),
        ({"note": "长" * 501}, "At most 500 characters."),
    ],
)
def test_bad_submit_fields_show_a_message_next_to_the_field(
    client, shopper, moxa, form, field
):
    put_in_cart(client, moxa, 1)

    response = client.post(
        "/orders/cart/submit", data={"token": cart_token(client)} | form
    )

    assert response.status_code == 422
    assert field in text(response)
    assert count(Order) == 0 and cart_qty(shopper, moxa) == 1


def test_a_merchant_cannot_send_staff_overrides(client, shopper, moxa):
    from supplychain.orders.schedule import update_settings

    update_settings(cutoff_time=dt.time(0, 0), delivery_weekdays="1234567")
    tomorrow = services.calendar_for(None).local_date(utcnow()) + dt.timedelta(days=1)
    put_in_cart(client, moxa, 1)

    response = client.post(
        "/orders/cart/submit",
        data={"token": cart_token(client), "delivery_date": tomorrow.isoformat(),
              "late_reason": "I am staff, honest"},
    )  # fmt: skip

    assert response.status_code == 409
    assert count(Order) == 0


# --- one order ------------------------------------------------------------------------


def test_removing_a_line_releases_its_stock(client, shopper, moxa, goji):
    order = place(shopper, (moxa, 2), (goji, 3))

    response = client.post(f"/orders/{order.number}/lines", data={"remove": goji.sku})

    assert response.status_code == 303
    db.session.refresh(order)
    assert [line.sku for line in order.lines] == [moxa.sku]
    assert order.total_amount == Decimal("39.80")
    assert available(goji) == 10 and available(moxa) == 18
    assert run_checks() == {}


def test_changing_quantities_moves_the_reservation(client, shopper, moxa, goji):
    order = place(shopper, (moxa, 2), (goji, 3))

    response = client.post(
        f"/orders/{order.number}/lines",
        data={"sku": [moxa.sku, goji.sku], "qty": ["5", "0"]},
    )

    assert response.status_code == 303
    db.session.refresh(order)
    assert [(line.sku, line.qty) for line in order.lines] == [(moxa.sku, 5)]
    assert available(moxa) == 15 and available(goji) == 10


@pytest.mark.parametrize(
    "qtys, message",
    [
        (["x", "1"], "Enter a whole number"),
        (["0", "0"], "cancel the order instead"),
        (["500", "1"], "Only 20 available."),
    ],
)
def test_a_refused_change_changes_nothing(client, shopper, moxa, goji, qtys, message):
    order = place(shopper, (moxa, 2), (goji, 3))

    response = client.post(
        f"/orders/{order.number}/lines", data={"sku": [moxa.sku, goji.sku], "qty": qtys}
    )

    assert response.status_code in (409, 422)
    assert message in text(response)
    db.session.refresh(order)
    assert [(line.sku, line.qty) for line in order.lines] == [
        (moxa.sku, 2),
        (goji.sku, 3),
    ]
    assert available(moxa) == 18


def test_cancelling_asks_first_then_releases_the_stock(client, shopper, moxa):
    order = place(shopper, (moxa, 4))

    confirm = client.get(f"/orders/{order.number}/cancel")
    response = client.post(f"/orders/{order.number}/cancel")

    assert confirm.status_code == 200 and "Yes, cancel the order" in text(confirm)
    assert response.status_code == 303
    db.session.refresh(order)
    assert order.status == "cancelled" and available(moxa) == 20
    assert run_checks() == {}
    page = text(client.get(f"/orders/{order.number}"))
    assert 'data-status="cancelled"' in page and "Cancel order" not in page


def test_after_the_cutoff_a_merchant_can_no_longer_change_or_cancel(
    client, shopper, moxa, goji
):
    order = place(shopper, (moxa, 2), (goji, 1))
    order.cutoff_at = utcnow() - dt.timedelta(minutes=1)
    db.session.commit()

    page = text(client.get(f"/orders/{order.number}"))
    change = client.post(f"/orders/{order.number}/lines", data={"remove": goji.sku})
    cancel = client.post(f"/orders/{order.number}/cancel")

    assert 'name="qty"' not in page and "Cancel order" not in page
    assert change.status_code == 409 and "closed for changes" in text(change)
    assert cancel.status_code == 422
    db.session.refresh(order)
    assert order.status == "placed" and len(order.lines) == 2


def test_repeating_an_order_fills_the_cart_at_todays_prices(
    client, shopper, moxa, goji
):
    order = place(shopper, (moxa, 2), (goji, 3))
    moxa.price = Decimal("21.00")
    db.session.commit()

    response = client.post(f"/orders/{order.number}/repeat")

    assert response.status_code == 303
    assert response.headers["Location"].endswith("/orders/cart")
    assert (cart_qty(shopper, moxa), cart_qty(shopper, goji)) == (2, 3)
    cart = text(client.get("/orders/cart"))
    assert "2 products from" in cart and "42.00" in cart


def test_the_frequent_list_adds_the_last_quantity(client, shopper, moxa, goji):
    place(shopper, (moxa, 2), (goji, 3))
    place(shopper, (moxa, 4))

    page = text(client.get("/orders/frequent"))
    response = client.post("/orders/frequent/add", data={"sku": moxa.sku, "qty": "4"})
    refused = client.post("/orders/frequent/add", data={"sku": goji.sku, "qty": "-2"})

    assert page.index(moxa.name) < page.index(goji.name)  # ordered most often first
    assert "Ordered 2 times, last 4" in page
    assert response.status_code == 303 and cart_qty(shopper, moxa) == 4
    assert refused.status_code == 422 and cart_qty(shopper, goji) is None


def test_the_confirmation_pdf_has_the_order_in_its_text_layer(
    client, shopper, moxa, shop
):
    order = place(shopper, (moxa, 3), note="请放后门")

    response = client.get(f"/orders/{order.number}/confirmation.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    pdf = response.data
    body = pdf_text(pdf)
    for expected in (order.number, shop.name, shop.code, moxa.name, "59.70",
                     order.delivery_date.isoformat(), "请放后门"):  # fmt: skip
        assert expected in body, expected
    assert all(font["emb"] == "yes" for font in pdf_fonts(pdf))


def test_history_lists_only_the_merchants_own_orders(client, shopper, moxa):
    own = place(shopper, (moxa, 1))
    other = place(merchant_user(), (moxa, 1))

    body = text(client.get("/orders/"))
    searched = text(client.get("/orders/", query_string={"q": other.number}))

    assert f'data-order="{own.number}"' in body
    assert f'data-order="{other.number}"' not in body and other.number not in body
    assert "data-order=" not in searched


@pytest.mark.parametrize(
    "method, suffix",
    [("get", ""), ("get", "/confirmation.pdf"), ("get", "/cancel"),
     ("post", "/cancel"), ("post", "/lines"), ("post", "/repeat")],
)  # fmt: skip
def test_another_merchants_order_is_not_found(client, shopper, moxa, method, suffix):
    other = place(merchant_user(), (moxa, 2))

    response = getattr(client, method)(f"/orders/{other.number}{suffix}")

    assert response.status_code == 404
    db.session.refresh(other)
    assert other.status == "placed" and other.lines[0].qty == 2
    assert count(CartLine) == 0


def test_a_cutoff_more_than_a_day_away_counts_down_in_days(client, login_as):
    from supplychain.orders import schedule

    today = schedule.calendar_for(None).local_date(utcnow())
    closed = {(today + dt.timedelta(days=n)).isoweekday() for n in (1, 2)}
    weekdays = "".join(str(d) for d in range(1, 8) if d not in closed)
    schedule.update_settings(cutoff_time=dt.time(22, 0), delivery_weekdays=weekdays)
    stocked_product(10)
    login_as(merchant_user())

    page = client.get("/orders/shop").get_data(as_text=True)

    countdown = re.search(r'data-countdown[^>]*>([^<]*)<', page).group(1)
    assert re.fullmatch(r"\d+ d \d\d:\d\d:\d\d", countdown.strip()), countdown
