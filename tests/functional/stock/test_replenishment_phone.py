"""补货 on a 375 px phone, in chromium: a warehouse user reads the low-stock list and
edits a rule inline; nothing on the page scrolls sideways."""

from __future__ import annotations

import os

import pytest

from supplychain.stock import replenishment
from supplychain.stock.queries import default_warehouse
from tests.factories import (
    PASSWORD,
    ProductFactory,
    ProductSupplierFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser

expect = pytest.importorskip(
    "playwright.sync_api", reason="playwright (chromium)"
).expect

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def test_a_keeper_reads_low_stock_and_edits_a_rule_on_a_phone(
    live_server, phone_page, tmp_path
):
    with live_server.app_context():
        main = default_warehouse()
        for n, name in enumerate(
            ["阿胶膏 250g 礼盒装", "艾灸贴 大盒", "维生素C 泡腾片"]
        ):
            product = ProductFactory(sku=f"HZ-{n:03d}", name=name)
            ProductSupplierFactory(product=product, case_qty=12, moq=24)
            replenishment.set_rule(
                product.id, main.id, reorder_point=30 + n, safety_stock=6
            )
        username = UserFactory(role="warehouse").username
    page = phone_page
    page.goto("/auth/login")
    page.locator("#f-username").fill(username)
    page.locator("#f-password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/")

    page.goto("/stock/replenishment/")
    expect(page.locator("table[data-low-stock] tr[data-sku]")).to_have_count(3)
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    shots = os.environ.get("SUPPLYCHAIN_SCREENSHOTS", str(tmp_path))
    page.screenshot(path=os.path.join(shots, "replenishment-375.png"), full_page=True)

    row = page.locator('tr[data-rule="HZ-001"]')
    row.locator("input[name=reorder_point]").fill("-4")
    row.locator("button.primary").click()
    expect(page.locator('tr[data-rule="HZ-001"] p.error')).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    row = page.locator('tr[data-rule="HZ-001"]')
    row.locator("input[name=reorder_point]").fill("40")
    row.locator("button.primary").click()
    expect(page.locator(".flash-success")).to_contain_text("HZ-001")
    expect(
        page.locator('tr[data-rule="HZ-001"] input[name=reorder_point]')
    ).to_have_value("40")

    page.goto("/stock/replenishment/suggest")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.screenshot(
        path=os.path.join(shots, "replenishment-suggest-375.png"), full_page=True
    )
