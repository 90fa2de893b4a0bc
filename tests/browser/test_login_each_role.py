"""Logging in through the real login form as every role, in chromium (登录与导航).

Each role sees its home page with its role name and only the menu entries meant for it,
then logs out. At phone width the menu collapses behind a button; the language button
switches the page between Chinese and English.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import url_for
from flask_babel import force_locale

from blueprints.shell import nav_for, role_label
from supplychain.auth.models import ROLES
from tests.factories import PASSWORD, MerchantFactory, UserFactory, merchant_user
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser

expect = pytest.importorskip(
    "playwright.sync_api", reason="playwright (chromium)"
).expect


@dataclass(frozen=True)
class Account:
    username: str
    display_name: str
    role: str
    role_label: str  # as the default (Chinese) page shows it
    nav: list[str]  # hrefs the shell's role rules give this user, in order
    admin_links: list[str]
    merchant_name: str | None


def create_account(live_server: LiveServer, role: str) -> Account:
    with live_server.app_context() as app:
        user = merchant_user() if role == "merchant" else UserFactory(role=role)
        with app.test_request_context("/"), force_locale("zh_CN"):
            return Account(
                username=user.username,
                display_name=user.display_name or user.username,
                role=role,
                role_label=role_label(role),
                nav=[url_for(endpoint) for endpoint, _label in nav_for(user)],
                admin_links=[url_for("admin.users"), url_for("admin.audit")],
                merchant_name=user.merchant.name if user.merchant else None,
            )


def log_in(page, live_server: LiveServer, account: Account) -> None:
    page.goto("/auth/login")
    page.locator("#f-username").fill(account.username)
    page.locator("#f-password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(live_server.url_for("/"))


def nav_hrefs(page) -> list[str]:
    return page.locator("nav.mainnav a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )


@pytest.mark.parametrize("role", ROLES)
def test_each_role_logs_in_sees_its_home_and_menu_then_logs_out(
    browser_page, live_server, role
):
    page = browser_page
    account = create_account(live_server, role)

    log_in(page, live_server, account)

    role_name = page.locator(".role-name")
    expect(role_name).to_have_attribute("data-role", role)
    expect(role_name).to_have_text(account.role_label)
    expect(page.locator("h1")).to_contain_text(account.display_name)
    if account.merchant_name:
        expect(page.locator("main")).to_contain_text(account.merchant_name)
    expect(page.locator("nav.mainnav")).to_be_visible()
    expect(page.locator(".menu-button")).to_be_hidden()
    shown = nav_hrefs(page)
    assert shown == account.nav
    assert shown[0] == "/"
    if role == "admin":
        assert set(account.admin_links) <= set(shown)
    else:
        assert not set(account.admin_links) & set(shown)
    if role == "merchant":
        assert not [
            href for href in shown if href.startswith(("/merchants", "/stock", "/jobs"))
        ]

    page.locator("form[action$='/auth/logout'] button").click()

    page.wait_for_url("**/auth/login")
    expect(page.locator("#f-username")).to_be_visible()
    page.goto("/")
    page.wait_for_url("**/auth/login?next=*")


def test_a_wrong_password_keeps_the_user_on_the_login_form(browser_page, live_server):
    page = browser_page
    account = create_account(live_server, "sales")

    page.goto("/auth/login")
    page.locator("#f-username").fill(account.username)
    page.locator("#f-password").fill("not the password")
    page.locator("main form button[type=submit]").click()

    expect(page.locator("#e-password")).to_be_visible()
    expect(page.locator("#f-username")).to_have_value(account.username)
    assert page.url.startswith(live_server.url_for("/auth/login"))


def test_on_a_phone_the_menu_hides_behind_a_button_that_toggles_it(
    phone_page, live_server
):
    page = phone_page
    account = create_account(live_server, "warehouse")
    log_in(page, live_server, account)
    menu_button = page.locator(".menu-button")
    nav = page.locator("nav.mainnav")

    expect(menu_button).to_be_visible()
    expect(nav).to_be_hidden()

    menu_button.click()
    expect(nav).to_be_visible()
    expect(nav.locator("a").first).to_be_visible()
    assert nav_hrefs(page) == account.nav

    menu_button.click()
    expect(nav).to_be_hidden()


def test_on_a_phone_the_home_page_does_not_scroll_sideways(phone_page, live_server):
    page = phone_page
    log_in(page, live_server, create_account(live_server, "admin"))
    page.locator(".menu-button").click()

    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth"
        " - document.documentElement.clientWidth"
    )

    assert overflow <= 0


def test_on_a_phone_a_long_store_name_does_not_squeeze_the_header_buttons(
    phone_page, live_server
):
    with live_server.app_context():
        shop = MerchantFactory(
            name="杭州市西湖区文三路健康养生保健品专卖旗舰店（第二分店）"
        )
        user = merchant_user(shop)
        account = Account(
            user.username, user.username, "merchant", "", [], [], shop.name
        )
    page = phone_page
    log_in(page, live_server, account)
    count_lines = (
        "el => { const r = document.createRange(); r.selectNodeContents(el);"
        " return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; }"
    )

    language = page.locator("form[action*='/auth/lang/'] button")
    logout = page.locator("form[action$='/auth/logout'] button")

    assert language.evaluate(count_lines) == 1
    assert logout.evaluate(count_lines) == 1
    assert (
        page.evaluate(
            "() => document.documentElement.scrollWidth"
            " - document.documentElement.clientWidth"
        )
        <= 0
    )


def test_the_language_button_switches_the_page_language(browser_page, live_server):
    page = browser_page
    log_in(page, live_server, create_account(live_server, "finance"))
    html = page.locator("html")
    switch = page.locator("form[action*='/auth/lang/'] button")
    expect(html).to_have_attribute("lang", "zh-CN")

    switch.click()
    expect(html).to_have_attribute("lang", "en")
    assert page.url == live_server.url_for("/")  # stays on the same page
    expect(switch).to_have_text("中文")

    switch.click()
    expect(html).to_have_attribute("lang", "zh-CN")


def test_the_language_button_works_before_logging_in(browser_page):
    page = browser_page
    page.goto("/auth/login")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "zh-CN")

    page.locator("form[action*='/auth/lang/'] button").click()

    expect(html).to_have_attribute("lang", "en")
    expect(page.locator("#f-username")).to_be_visible()
