"""订单生成 ordering journeys, clicked through in chromium.

1. A merchant on a phone logs in, finds a product by search, steps its quantity with
   − / +, sees the cutoff countdown tick, places the order, repeats last week's order
   from its history and cancels a line of the new order.
2. A sales user takes an order by phone after the cutoff: picks the merchant, adds a
   product, chooses tomorrow (cutoff passed) and places it with a late-order reason.

The live server's database is shared by the session: every test makes its own uniquely
named rows and restores the ordering calendar it changes.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from flask import url_for

from supplychain.database import utcnow
from supplychain.extensions import db
from supplychain.orders import services
from supplychain.orders.models import Order
from supplychain.orders.schedule import calendar_for, settings, update_settings
from supplychain.stock import ledger
from tests.factories import (
    PASSWORD,
    MerchantFactory,
    UserFactory,
    merchant_user,
    stocked_product,
)
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser

expect = pytest.importorskip(
    "playwright.sync_api", reason="playwright (chromium)"
).expect


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8].upper()}"


def endpoint_url(live_server: LiveServer, endpoint: str, **values: Any) -> str:
    with live_server.app.test_request_context("/"):
        return url_for(endpoint, **values)


def log_in(page: Any, live_server: LiveServer, username: str) -> None:
    page.goto("/auth/login")
    page.locator("#f-username").fill(username)
    page.locator("#f-password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(live_server.url_for("/"))


def seed_delivered_order(user: Any, lines: list[dict[str, Any]], days_ago: int) -> str:
    """An order placed ``days_ago`` days ago and since delivered (reservation gone)."""
    order = services.place_order(
        user, lines, now=utcnow() - dt.timedelta(days=days_ago)
    ).order
    ledger.release_many(
        [
            (line.product_id, order.warehouse_id, line.reserved_qty)
            for line in order.lines
        ]
    )
    for line in order.lines:
        line.reserved_qty = 0
    order.status = "delivered"
    db.session.commit()
    return order.number


def no_sideways_scroll(page: Any) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth + 1"
    )


def place_from_cart(page: Any, live_server: LiveServer) -> str:
    """Press "Place order" on the cart page; returns the new order's number."""
    with page.expect_navigation(url=re.compile(r"/orders/SO-\d{8}-\d{4}$")):
        page.locator("main form.submit-form button[type=submit]").click()
    expect(page.locator("main .flash-success")).to_be_visible()
    return page.locator("main h1 .order-number").inner_text().strip()


def test_a_merchant_orders_on_a_phone_repeats_last_weeks_order_and_cancels_a_line(
    phone_page, live_server
):
    page = phone_page
    tag = uuid.uuid4().hex[:6]
    with live_server.app_context():
        shop = MerchantFactory(code=unique("MO"), name=f"文三路健康小店 {tag}")
        user = merchant_user(shop)
        moxa = stocked_product(50, sku=unique("ORD-"), name=f"艾灸贴 {tag}",
                               price=Decimal("19.90"))  # fmt: skip
        goji = stocked_product(50, sku=unique("ORD-"), name=f"枸杞子 {tag}",
                               price=Decimal("39.90"))  # fmt: skip
        last_week = seed_delivered_order(
            user, [{"sku": moxa.sku, "qty": 3}, {"sku": goji.sku, "qty": 2}], 7
        )
        username, moxa_sku, goji_sku = user.username, moxa.sku, goji.sku
    log_in(page, live_server, username)

    # find the product and step its quantity with +
    page.locator(".menu-button").click()
    page.locator(
        f"nav.mainnav a[href='{endpoint_url(live_server, 'orders.shop')}']"
    ).click()
    search = page.locator("main form[role=search]")
    search.locator("input[name=q]").fill(moxa_sku)
    with page.expect_navigation():
        search.locator("button[type=submit]").click()
    card = page.locator(f"main li.product-card[data-sku='{moxa_sku}']")
    expect(card).to_have_count(1)
    plus = card.locator("button.plus")
    plus.click()
    expect(page.locator(".cart-link [data-cart-count]")).to_have_text("1")
    plus.click()
    expect(page.locator(".cart-link [data-cart-total]")).to_have_text("39.80")
    expect(card.locator("input[name=qty]")).to_have_value("2")
    assert no_sideways_scroll(page)

    # the countdown to the cutoff ticks
    countdown = page.locator("main .order-banner [data-countdown]")
    expect(countdown).to_have_text(re.compile(r"^\d{2}:\d{2}:\d{2}$"))
    shown = countdown.inner_text()
    expect(countdown).not_to_have_text(shown)

    # review the cart and place the order
    page.locator("main .cartbar a").click()
    page.wait_for_url(live_server.url_for(endpoint_url(live_server, "orders.cart")))
    expect(page.locator(f"main li.cart-line[data-sku='{moxa_sku}']")).to_be_visible()
    assert no_sideways_scroll(page)
    first = place_from_cart(page, live_server)
    expect(page.locator("main table.order-lines tbody tr")).to_have_count(1)

    # 再来一单: last week's order from the history
    page.goto(endpoint_url(live_server, "orders.index"))
    row = page.locator(f"main tr[data-order='{last_week}']")
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "delivered")
    expect(page.locator(f"main tr[data-order='{first}']")).to_be_visible()
    assert no_sideways_scroll(page)
    row.locator("a").click()
    with page.expect_navigation(url=re.compile(r"/orders/cart$")):
        page.locator("main button.repeat").click()
    expect(page.locator("main li.cart-line")).to_have_count(2)
    second = place_from_cart(page, live_server)
    lines = page.locator("main table.order-lines tbody tr")
    expect(lines).to_have_count(2)

    # cancel one line of the new order
    with page.expect_navigation():
        page.locator(f"main tr[data-sku='{goji_sku}'] button.remove-line").click()
    expect(page.locator("main .flash-success")).to_be_visible()
    expect(lines).to_have_count(1)
    expect(lines.first).to_have_attribute("data-sku", moxa_sku)
    assert no_sideways_scroll(page)
    with live_server.app_context():
        order = db.session.scalar(sa.select(Order).where(Order.number == second))
        assert [(line.sku, line.qty) for line in order.lines] == [(moxa_sku, 3)]
        assert order.total_amount == Decimal("59.70") and order.source == "web"


@pytest.fixture
def closed_tomorrow(live_server):
    """The calendar with a midnight cutoff (tomorrow's has passed), restored after."""
    with live_server.app_context():
        before = settings()
        saved = dict(
            cutoff_time=before.cutoff_time, delivery_weekdays=before.delivery_weekdays,
            lead_days=before.lead_days, horizon_days=before.horizon_days,
        )  # fmt: skip
        update_settings(**(saved | {"cutoff_time": dt.time(0, 0), "lead_days": 1}))
        tomorrow = calendar_for(None).local_date(utcnow()) + dt.timedelta(days=1)
    try:
        yield tomorrow
    finally:
        with live_server.app_context():
            update_settings(**saved)


def test_a_sales_user_enters_a_late_order_for_a_merchant_with_a_reason(
    browser_page, live_server, closed_tomorrow
):
    page = browser_page
    tag = uuid.uuid4().hex[:6]
    with live_server.app_context():
        shop = MerchantFactory(code=unique("MS"), name=f"拱墅区养生馆 {tag}")
        product = stocked_product(30, sku=unique("ORD-"), name=f"西洋参片 {tag}",
                                  price=Decimal("25.60"))  # fmt: skip
        code, sku = shop.code, product.sku
        username = UserFactory(role="sales").username
    log_in(page, live_server, username)

    page.locator(
        f"nav.mainnav a[href='{endpoint_url(live_server, 'orders.index')}']"
    ).click()
    page.locator(
        f"main .actions a[href='{endpoint_url(live_server, 'orders.new')}']"
    ).click()
    picker = page.locator("main form[role=search]")
    picker.locator("input[name=q]").fill(code)
    with page.expect_navigation():
        picker.locator("button[type=submit]").click()
    page.locator(f"main tr[data-merchant='{code}'] a.button").click()
    page.wait_for_url(re.compile(r"/orders/shop\?merchant=" + code))
    expect(page.locator("main .for-merchant")).to_contain_text(code)

    search = page.locator("main form[role=search]")
    search.locator("input[name=q]").fill(sku)
    with page.expect_navigation():
        search.locator("button[type=submit]").click()
    card = page.locator(f"main li.product-card[data-sku='{sku}']")
    card.locator("input[name=qty]").fill("4")
    card.locator("button.set").click()
    expect(page.locator(".cart-link [data-cart-total]")).to_have_text("102.40")

    page.locator("main .cartbar a").click()
    page.wait_for_url(re.compile(r"/orders/cart\?merchant=" + code))
    date = page.locator("main select[name=delivery_date]")
    late_option = date.locator(f"option[value='{closed_tomorrow.isoformat()}']")
    expect(late_option).to_have_count(1)
    date.select_option(closed_tomorrow.isoformat())
    page.locator("main input[name=late_reason]").fill("店长电话补单，司机同意")
    number = place_from_cart(page, live_server)

    expect(page.locator("main .order-facts")).to_contain_text(
        closed_tomorrow.isoformat()
    )
    expect(page.locator("main .order-facts")).to_contain_text("店长电话补单")
    with live_server.app_context():
        order = db.session.scalar(sa.select(Order).where(Order.number == number))
        assert order.merchant.code == code and order.source == "staff"
        assert order.delivery_date == closed_tomorrow
        assert order.late_override_reason == "店长电话补单，司机同意"
        assert [(line.sku, line.qty) for line in order.lines] == [(sku, 4)]
