"""盘点 a stock count clicked through in chromium on a phone (zh-CN): a warehouse
keeper starts a blind cycle count of an aisle, scans the bin code, counts the bin —
never seeing the system's quantity — and adds an item found there; a warehouse
manager reviews the variances and approves them after the confirm step, which posts
the adjustments to the ledger. And the whole journey of issue 5: the keeper receives a
lot into the receiving bin, moves it to a storage bin, counts that bin, and the
manager approves the variance.

The live server's database is shared by the session: the test makes its own
warehouse, bin and products. With ``SUPPLYCHAIN_SCREENSHOT_DIR`` set, it leaves
375 px screenshots of the bin count page and the review page there.
"""

from __future__ import annotations

import os
import re
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from supplychain.extensions import db
from supplychain.stock import ledger
from supplychain.stock.models import Bin, StockCount, StockMove, Warehouse
from supplychain.stock.queries import available_qty
from tests.factories import PASSWORD, ProductFactory, UserFactory, WarehouseFactory
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser

expect = pytest.importorskip(
    "playwright.sync_api", reason="playwright (chromium)"
).expect

IN_THE_BIN = 17  # what the ledger holds; the counter must never see it


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8].upper()}"


def translated(live_server: LiveServer, text: str, **values: Any) -> str:
    with live_server.app.test_request_context("/"), force_locale("zh_CN"):
        return _(text, **values)


def log_in(page: Any, live_server: LiveServer, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/auth/login")
    page.locator("#f-username").fill(username)
    page.locator("#f-password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(live_server.url_for("/"))


def screenshot(page: Any, name: str) -> None:
    folder = os.environ.get("SUPPLYCHAIN_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def warehouse_with_a_bin(live_server: LiveServer) -> dict[str, Any]:
    with live_server.app_context():
        warehouse = WarehouseFactory(code=unique("PD"), name="盘点测试仓")
        bin_ = Bin(
            warehouse_id=warehouse.id,
            aisle=1,
            block=1,
            bay=3,
            side="L",
            level=1,
            code="A01-1-03-L1",
        )
        db.session.add(bin_)
        db.session.commit()
        listed = ProductFactory(sku=unique("CNT"), name="艾灸贴 温灸型 10贴装")
        found = ProductFactory(sku=unique("FND"), name="阿胶红枣糕")
        ledger.post_receipt(
            listed.id,
            warehouse.id,
            IN_THE_BIN,
            bin_id=bin_.id,
            unit_cost=Decimal("6.50"),
        )
        ledger.post_receipt(found.id, warehouse.id, 1, unit_cost=Decimal("9.00"))
        db.session.commit()
        return {
            "warehouse": warehouse.code,
            "warehouse_id": warehouse.id,
            "bin": bin_.code,
            "listed": listed.sku,
            "found": found.sku,
            "counter": UserFactory(role="warehouse", display_name="仓管 小李").username,
            "manager": UserFactory(
                role="warehouse_manager", display_name="仓库主管 王姐"
            ).username,
        }


def test_a_keeper_counts_a_bin_on_a_phone_and_a_manager_approves_the_variance(
    phone_page: Any, live_server: LiveServer, warehouse_with_a_bin: dict[str, Any]
) -> None:
    page, data = phone_page, warehouse_with_a_bin

    # the keeper starts a blind cycle count of aisle 1 of the test warehouse
    log_in(page, live_server, data["counter"])
    page.goto("/stock/counts/new")
    page.locator("#f-warehouse").select_option(data["warehouse"])
    page.locator("input[name=kind][value=cycle]").check()
    page.locator("#f-aisles").fill("1")
    expect(page.locator("input[name=blind]")).to_be_checked()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/stock/counts/PD-\d{8}-\d{4}$"))
    number = page.url.rsplit("/", 1)[1]
    screenshot(page, "count")

    # scans the bin's label: the bin page opens
    page.locator("input[name=q]").fill(data["bin"])
    page.locator("input[name=q]").press("Enter")
    page.wait_for_url(re.compile(rf"/bins/{data['bin']}$"))
    expect(page.locator("h1 .bin-code")).to_have_text(data["bin"])
    expect(page.locator(".count-line .pname")).to_have_text("艾灸贴 温灸型 10贴装")
    qty = page.locator(".count-line input.count-qty")
    expect(qty).to_have_attribute("inputmode", "numeric")
    assert str(IN_THE_BIN) not in page.locator("main").inner_text()

    # counts 15 where the ledger says 17, and finds 2 of another product
    qty.fill("15")
    page.locator("#f-found_0_code").fill(data["found"])
    page.locator("#f-found_0_qty").fill("2")
    screenshot(page, "count-bin")
    box = qty.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 375  # fits the phone
    page.locator("#save-count").click()
    page.wait_for_url(re.compile(rf"/stock/counts/{number}$"))
    expect(page.locator(".flash-info")).to_contain_text(
        translated(
            live_server,
            "Every bin is counted: a warehouse manager can now review the count.",
        )
    )

    # the manager reviews: expected 17, counted 15, −2 worth ¥13.00; found +2
    log_in(page, live_server, data["manager"])
    page.goto(f"/stock/counts/{number}/review")
    rows = page.locator(".count-bin tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text=data["listed"])).to_contain_text("-2")
    expect(rows.filter(has_text=data["listed"])).to_contain_text("-¥13.00")
    expect(rows.filter(has_text=data["found"])).to_contain_text("+2")
    screenshot(page, "count-review")
    page.locator("#approve").click()
    page.wait_for_url(re.compile(rf"/stock/counts/{number}/approve$"))
    expect(page.locator("main")).to_contain_text("-¥13.00")
    page.locator("#confirm-approve").click()
    page.wait_for_url(re.compile(rf"/stock/counts/{number}/review$"))
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("h1 .badge")).to_have_text(translated(live_server, "Approved"))

    with live_server.app_context():
        count = db.session.scalar(
            sa.select(StockCount).where(StockCount.number == number)
        )
        moves = list(
            db.session.scalars(
                sa.select(StockMove).where(
                    StockMove.reference_type == "stock_count",
                    StockMove.reference_id == count.id,
                )
            )
        )
        assert count.status == "approved"
        assert sorted((m.product.sku, m.delta_qty) for m in moves) == sorted(
            [(data["listed"], -2), (data["found"], 2)]
        )
        assert count.variance_value == Decimal("5.00")  # −13.00 + 2 × 9.00


@pytest.fixture
def warehouse_with_two_bins(live_server: LiveServer) -> dict[str, Any]:
    with live_server.app_context():
        warehouse = WarehouseFactory(code=unique("RC"), name="收货测试仓")
        for bay in (1, 4):
            db.session.add(
                Bin(
                    warehouse_id=warehouse.id,
                    aisle=2,
                    block=1,
                    bay=bay,
                    side="R",
                    level=1,
                    code=f"A02-1-0{bay}-R1",
                )
            )
        product = ProductFactory(
            sku=unique("LOT"), name="灵芝孢子粉 60粒", is_lot_tracked=True
        )
        db.session.commit()
        return {
            "warehouse": warehouse.code,
            "sku": product.sku,
            "product_id": product.id,
            "counter": UserFactory(role="warehouse", display_name="仓管 小张").username,
            "manager": UserFactory(
                role="warehouse_manager", display_name="仓库主管 王姐"
            ).username,
        }


def post_document(page: Any, kind: str, warehouse: str, line: dict[str, str]) -> str:
    page.goto(f"/stock/documents/new?kind={kind}")
    page.locator("#f-warehouse").select_option(warehouse)
    for name, value in line.items():
        page.locator(f"#f-lines-0-{name}").fill(value)
    page.locator("button[name=action][value=post]").click()
    page.wait_for_url(re.compile(r"/stock/documents/[A-Z]{2}-\d{8}-\d{4}$"))
    expect(page.locator(".flash-success")).to_be_visible()
    return page.url.rsplit("/", 1)[1]


def test_a_keeper_receives_a_lot_moves_it_counts_its_bin_and_a_manager_approves(
    phone_page: Any, live_server: LiveServer, warehouse_with_two_bins: dict[str, Any]
) -> None:
    page, data = phone_page, warehouse_with_two_bins
    log_in(page, live_server, data["counter"])

    # goods in at the receiving bin: 24 of lot LZ2611, 6.50 each
    receipt = post_document(
        page,
        "receipt",
        data["warehouse"],
        {
            "sku": data["sku"],
            "qty": "24",
            "lot": "LZ2611",
            "production_date": "2026-11-01",
            "expiry_date": "2028-10-31",
            "bin": "A02-1-01-R1",
            "unit_cost": "6.50",
        },
    )
    expect(page.locator("main")).to_contain_text("LZ2611")
    # put away into the storage bin
    move = post_document(
        page,
        "move",
        data["warehouse"],
        {
            "sku": data["sku"],
            "qty": "24",
            "lot": "LZ2611",
            "bin": "A02-1-01-R1",
            "to_bin": "A02-1-04-R1",
        },
    )
    assert receipt.startswith("RC-") and move != receipt

    # a blind cycle count of the storage bin: 23 found where 24 were put
    page.goto("/stock/counts/new")
    page.locator("#f-warehouse").select_option(data["warehouse"])
    page.locator("input[name=kind][value=cycle]").check()
    page.locator("#f-bins").fill("A02-1-04-R1")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/stock/counts/PD-\d{8}-\d{4}$"))
    number = page.url.rsplit("/", 1)[1]
    page.locator("input[name=q]").fill("A02-1-04-R1")
    page.locator("input[name=q]").press("Enter")
    page.wait_for_url(re.compile(r"/bins/A02-1-04-R1$"))
    expect(page.locator(".count-line")).to_contain_text("LZ2611")
    assert "24" not in page.locator(".count-line").inner_text()
    page.locator(".count-line input.count-qty").fill("23")
    page.locator("#save-count").click()
    page.wait_for_url(re.compile(rf"/stock/counts/{number}$"))

    # the manager sees −1 worth −¥6.50 and approves it
    log_in(page, live_server, data["manager"])
    page.goto(f"/stock/counts/{number}/review")
    row = page.locator(".count-bin tbody tr").filter(has_text=data["sku"])
    expect(row).to_contain_text("-1")
    expect(row).to_contain_text("-¥6.50")
    page.locator("#approve").click()
    page.locator("#confirm-approve").click()
    page.wait_for_url(re.compile(rf"/stock/counts/{number}/review$"))
    expect(page.locator("h1 .badge")).to_have_text(translated(live_server, "Approved"))

    with live_server.app_context():
        moves = list(
            db.session.scalars(
                sa.select(StockMove)
                .where(StockMove.product_id == data["product_id"])
                .order_by(StockMove.id)
            )
        )
        assert [(m.reference_type, m.qty) for m in moves] == [
            ("stock_document", 24),
            ("stock_document", 24),
            ("stock_count", 1),
        ]
        assert moves[-1].lot.lot_no == "LZ2611"
        assert moves[-1].value == Decimal("6.50")
        warehouse = db.session.scalar(
            sa.select(Warehouse).where(Warehouse.code == data["warehouse"])
        )
        assert available_qty(data["product_id"], warehouse.id) == 23
