"""The 进销存 page in chromium on a 375 px phone and a 1280 px desktop: the filters and
the report fit the screen (nothing wider than the viewport but the table's own scroll
box), the month picker and the exports work. Screenshots are left in the test's
tmp_path for a person to look at."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from supplychain.extensions import db
from supplychain.stock import ledger, reports
from supplychain.stock.queries import default_warehouse
from tests.factories import PASSWORD, ProductFactory, UserFactory

pytestmark = pytest.mark.browser

NAMES = (
    "东阿阿胶 阿胶糕 500g",
    "艾灸贴 10 贴装",
    "同仁堂 枸杞子 250g",
    "云南白药 创可贴",
)


def seed(live_server) -> tuple[str, str]:
    """Products with last month's receipts, issues and a write-off; the SKU prefix and
    a user name."""
    prefix = f"SC{uuid.uuid4().hex[:5].upper()}-"
    with live_server.app_context():
        first, _last = reports.last_month()
        start = reports.local_midnight(first) + dt.timedelta(hours=9)
        main = default_warehouse()
        for n, name in enumerate(NAMES):
            product = ProductFactory(sku=f"{prefix}{n}", name=name)
            ledger.post_receipt(
                product.id, main.id, 120 + n, unit_cost=Decimal("12.35") + n,
                created_at=start,
            )  # fmt: skip
            ledger.post_issue(
                product.id, main.id, 40 + n, created_at=start + dt.timedelta(days=3)
            )
            ledger.post_adjustment(
                product.id,
                main.id,
                -2,
                "damage",
                created_at=start + dt.timedelta(days=9),
            )
        db.session.commit()
        return prefix, UserFactory(role="finance").username


def log_in(page, live_server, username: str) -> None:
    page.goto("/auth/login")
    page.locator("#f-username").fill(username)
    page.locator("#f-password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(live_server.url_for("/"))


def overflow(page) -> int:
    """How far the page is wider than the viewport (0 = it fits)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_movement_report_fits_the_screen(request, live_server, size, tmp_path):
    page = request.getfixturevalue("phone_page" if size == "phone" else "browser_page")
    prefix, username = seed(live_server)
    log_in(page, live_server, username)

    page.goto(f"/stock/reports/movements?q={prefix}")
    page.locator("main table tbody tr").first.wait_for()

    assert page.locator("main table tbody tr").count() == len(NAMES)
    assert page.locator("main table tfoot").inner_text().count("damage") == 0
    assert overflow(page) <= 0
    assert page.locator("a.button", has_text="XLSX").is_visible()
    page.screenshot(path=str(tmp_path / f"jxc-{size}.png"), full_page=True)
    with page.expect_download() as download:
        page.locator("a.button", has_text="CSV").click()
    assert download.value.suggested_filename.startswith("jxc-")
