"""周期送 and 订单导入 on a 375 px phone, in chromium: a merchant sets up a standing
order and imports a group-buy sheet; nothing on those pages scrolls sideways."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, merchant_user, stocked_product

pytestmark = pytest.mark.browser

expect = pytest.importorskip(
    "playwright.sync_api", reason="playwright (chromium)"
).expect

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def log_in(page, username):
    page.goto("/auth/login")
    page.locator("#f-username").fill(username)
    page.locator("#f-password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/")


def test_a_merchant_sets_up_a_standing_order_and_imports_a_sheet_on_a_phone(
    live_server, phone_page, tmp_path
):
    with live_server.app_context():
        product = stocked_product(20)
        sku, name = product.sku, product.name
        username = merchant_user().username
    page = phone_page
    log_in(page, username)

    page.goto("/standing-orders/new")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.locator("#f-name").fill("周一周四")
    page.locator("input[name=weekdays][value='1']").check()
    page.locator("input[name=weekdays][value='4']").check()
    page.locator("input[name=sku-0]").fill(sku)
    page.locator("input[name=qty-0]").fill("2")
    page.locator("main form.card button[type=submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    page.goto("/standing-orders/")
    row = page.locator("tr[data-standing]")
    expect(row).to_contain_text("周一周四")
    expect(row).to_contain_text(f"{name} × 2")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)

    sheet = tmp_path / "团购.csv"
    sheet.write_text(f"sku,qty,消费者\n{sku},1,张三\n{sku},2,李四\n", encoding="utf-8")
    page.goto("/orders/import/")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.locator("#f-file").set_input_files(str(sheet))
    page.locator("main form button[type=submit]").click()
    table = page.locator("table[data-imported]")
    expect(table).to_contain_text("SO-")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.screenshot(path=str(tmp_path / "import.png"), full_page=True)
