"""The main user journeys of the foundation, clicked through in chromium (主要业务流程).

Each test is one person's task through the real pages (CSRF on, real form posts, real
clicks and downloads): an admin imports products from a CSV and finds them, and sees a
bad file refused row by row; a warehouse keeper generates bins and prints their labels;
a sales user browses a merchant, its map point and the English page; a merchant user on
a phone sees its own price and is refused another store's page; an admin watches a
background job finish and retries a failed one.

The live server's database is shared by the whole session, so every test creates its
own uniquely named rows and looks for them by search, never by position.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from supplychain.catalog.models import Product
from supplychain.extensions import db
from tests.factories import (
    PASSWORD,
    MerchantFactory,
    MerchantPriceFactory,
    ProductFactory,
    UserFactory,
    WarehouseFactory,
    merchant_user,
)
from tests.support.live_server import LiveServer
from tests.support.pdf import pdf_text

pytestmark = pytest.mark.browser

expect = pytest.importorskip(
    "playwright.sync_api", reason="playwright (chromium)"
).expect


# --- helpers -----------------------------------------------------------------------


def unique(prefix: str) -> str:
    """A natural key no other test (or earlier run on this server) has used."""
    return f"{prefix}{uuid.uuid4().hex[:8].upper()}"


@dataclass(frozen=True)
class Login:
    username: str


def make_user(live_server: LiveServer, role: str) -> Login:
    with live_server.app_context():
        return Login(UserFactory(role=role).username)


def log_in(page: Any, live_server: LiveServer, login: Login) -> None:
    """Log in through the login form and wait for the home page."""
    page.goto("/auth/login")
    page.locator("#f-username").fill(login.username)
    page.locator("#f-password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(live_server.url_for("/"))


def translated(live_server: LiveServer, locale: str, text: str, **values: Any) -> str:
    """``text`` as the pages show it in ``locale`` (the catalogue may change)."""
    with live_server.app.test_request_context("/"), force_locale(locale):
        return _(text, **values)


def endpoint_url(live_server: LiveServer, endpoint: str, **values: Any) -> str:
    """The path of an endpoint (what the pages put in href/action)."""
    with live_server.app.test_request_context("/"):
        return url_for(endpoint, **values)


def search(page: Any, text: str) -> None:
    """Type into the page's search form and submit it."""
    form = page.locator("main form[role=search]")
    form.locator("input[name=q]").fill(text)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def table_row(page: Any, href: str) -> Any:
    """The list row that links to ``href`` (rows are found by their link, not order)."""
    return page.locator("main table tbody tr").filter(
        has=page.locator(f"a[href='{href}']")
    )


def expect_job_finished(page: Any) -> None:
    """On a job page: the status is finished and the progress bar is full."""
    box = page.locator("main section[data-job-url]")
    expect(box).to_have_attribute("data-status", "finished")
    bar = box.locator("[data-job-bar]")
    expect(bar).to_have_attribute("aria-valuenow", "100")
    expect(box.locator("[data-job-field=progress]")).to_have_text("100")
    expect(bar.locator("span")).to_have_attribute("style", "width: 100%")


JOB_ID = r"/[0-9a-f]{32}$"  # job ids are uuid4 hex


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    path.write_text(
        "\n".join(",".join(cells) for cells in rows) + "\n", encoding="utf-8"
    )
    return path


# --- 1. admin imports products -----------------------------------------------------


def test_an_admin_imports_a_product_csv_watches_the_job_finish_and_finds_the_product(
    browser_page, live_server, tmp_path
):
    page = browser_page
    sku, name = unique("JRN-"), f"艾灸贴导入测试 {uuid.uuid4().hex[:6]}"
    upload = write_csv(
        tmp_path / "商品导入.csv",
        [["sku", "name", "unit", "price"], [sku, name, "盒", "23.40"]],
    )
    log_in(page, live_server, make_user(live_server, "admin"))

    page.locator(
        f"nav.mainnav a[href='{endpoint_url(live_server, 'catalog.products')}']"
    ).click()
    import_url = endpoint_url(live_server, "catalog.import_products")
    page.locator(f"main .actions a[href='{import_url}']").click()
    page.wait_for_url(live_server.url_for(import_url))
    page.locator("#f-file").set_input_files(upload)
    page.locator("main form[enctype='multipart/form-data'] button[type=submit]").click()

    page.wait_for_url(re.compile(re.escape(live_server.url_for(import_url)) + JOB_ID))
    job_id = page.url.rsplit("/", 1)[1]
    finished = translated(
        live_server,
        "zh_CN",
        "Import finished: %(c)s created, %(u)s updated.",
        c=1,
        u=0,
    )
    # the status page refreshes itself while a queued import runs (RQ): allow for it
    expect(page.locator("main .flash-success")).to_have_text(finished, timeout=10_000)
    expect(page.locator("main .progress")).to_have_count(0)  # no longer running
    page.goto(endpoint_url(live_server, "jobs.show", job_id=job_id))
    expect_job_finished(page)

    page.goto(endpoint_url(live_server, "catalog.products"))
    search(page, sku)
    row = table_row(page, endpoint_url(live_server, "catalog.product", sku=sku))
    expect(row.locator("a")).to_have_text(sku)
    expect(row).to_contain_text(name)
    expect(row.locator("td.num").last).to_have_text("23.40")


def test_a_csv_with_a_negative_price_is_refused_row_by_row_and_imports_nothing(
    browser_page, live_server, tmp_path
):
    page = browser_page
    good_sku, bad_sku = unique("JRN-"), unique("JRN-")
    upload = write_csv(
        tmp_path / "bad.csv",
        [
            ["sku", "name", "unit", "price"],
            [good_sku, "正常的商品", "盒", "5.00"],
            [bad_sku, "负价格商品", "盒", "-3.00"],
        ],
    )
    log_in(page, live_server, make_user(live_server, "admin"))
    import_url = endpoint_url(live_server, "catalog.import_products")

    page.goto(endpoint_url(live_server, "catalog.products"))
    page.locator(f"main .actions a[href='{import_url}']").click()
    page.locator("#f-file").set_input_files(upload)
    page.locator("main form[enctype='multipart/form-data'] button[type=submit]").click()

    page.wait_for_url(re.compile(re.escape(live_server.url_for(import_url)) + JOB_ID))
    expect(page.locator("main .flash-error[role=alert]")).to_be_visible(timeout=10_000)
    problems = page.locator("main table tbody tr")
    expect(problems).to_have_count(1)
    cells = problems.first.locator("td")
    expect(cells.nth(0)).to_have_text("3")  # the header is row 1
    expect(cells.nth(1)).to_have_text("price")
    expect(cells.nth(2)).not_to_be_empty()
    expect(
        page.locator(f"main a.button[href='{import_url}']")
    ).to_be_visible()  # "upload a corrected file"

    page.goto(endpoint_url(live_server, "catalog.products", status="all"))
    found = page.locator("main table a[href*='/catalog/products/']")
    for sku in (good_sku, bad_sku):
        search(page, sku)
        expect(found).to_have_count(0)
    with live_server.app_context():
        assert (
            db.session.scalar(
                db.select(db.func.count())
                .select_from(Product)
                .where(Product.sku.in_([good_sku, bad_sku]))
            )
            == 0
        )


# --- 2. warehouse keeper prints bin labels -----------------------------------------


def test_a_warehouse_keeper_generates_bins_and_downloads_their_labels_as_a_pdf(
    browser_page, live_server
):
    page = browser_page
    with live_server.app_context():
        warehouse = WarehouseFactory(
            code=unique("WJ"), n_aisles=2, n_cross_aisles=2, bays_per_block=3
        )
        code = warehouse.code
    log_in(page, live_server, make_user(live_server, "warehouse"))
    warehouse_url = endpoint_url(live_server, "stock.warehouse", code=code)

    page.locator(
        f"nav.mainnav a[href='{endpoint_url(live_server, 'stock.warehouses')}']"
    ).click()
    search(page, code)
    page.locator(f"main table a[href='{warehouse_url}']").click()
    page.wait_for_url(live_server.url_for(warehouse_url))
    labels_link = page.locator(f"main a[href^='{warehouse_url}/labels.pdf']")
    expect(labels_link).to_have_count(0)  # nothing to print before the bins exist

    generate = page.locator(f"main form[action='{warehouse_url}/bins']")
    with page.expect_navigation(url=live_server.url_for(warehouse_url)):
        generate.locator("button[type=submit]").click()

    expect(page.locator("main .flash-success")).to_be_visible()
    bin_codes = page.locator("main table tbody td code")
    expect(bin_codes).to_have_count(2 * 1 * 3 * 2)  # aisles × blocks × bays × sides
    shown = bin_codes.all_inner_texts()
    expect(labels_link).to_have_count(1)
    with page.expect_download() as download_info:
        labels_link.click()
    download = download_info.value
    assert download.suggested_filename == f"bin-labels-{code}.pdf"
    pdf = Path(download.path()).read_bytes()

    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert shown and all(bin_code in text for bin_code in shown), (shown, text)


# --- 3. sales user browses merchants -----------------------------------------------


def test_a_sales_user_finds_a_merchant_sees_it_on_the_map_and_switches_to_english(
    browser_page, live_server
):
    page = browser_page
    with live_server.app_context():
        merchant = MerchantFactory(
            code=unique("MJ"),
            name=f"杭州拱墅区养生馆 {uuid.uuid4().hex[:6]}",
            lat=30.3190,
            lon=120.1420,
        )
        code, name = merchant.code, merchant.name
    log_in(page, live_server, make_user(live_server, "sales"))
    detail_url = endpoint_url(live_server, "merchants.show", code=code)
    map_url = endpoint_url(live_server, "merchants.map")
    heading = page.locator("main h1")

    page.locator(
        f"nav.mainnav a[href='{endpoint_url(live_server, 'merchants.index')}']"
    ).click()
    expect(heading).to_have_text(translated(live_server, "zh_CN", "Merchants"))
    search(page, name)
    row = table_row(page, detail_url)
    expect(row).to_contain_text(name)
    row.locator(f"a[href='{detail_url}']").click()

    page.wait_for_url(live_server.url_for(detail_url))
    expect(heading).to_contain_text(code)
    expect(heading).to_contain_text(name)
    page.locator(f"main .actions a[href='{map_url}']").click()

    page.wait_for_url(live_server.url_for(map_url))
    svg = page.locator("main svg.map")
    expect(svg).to_be_visible()
    assert svg.locator(".marker").count() >= 1
    point = svg.locator(f"a[href='{detail_url}'] circle.marker")
    expect(point).to_have_count(1)
    expect(point.locator("title")).to_have_text(f"{code} {name}")
    zh_heading = translated(live_server, "zh_CN", "Merchant map")
    en_heading = translated(live_server, "en", "Merchant map")
    assert zh_heading != en_heading, "the Chinese catalogue lacks 'Merchant map'"
    expect(heading).to_have_text(zh_heading)

    page.locator("form[action*='/auth/lang/'] button").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(heading).to_have_text(en_heading)
    assert page.url == live_server.url_for(map_url)
    expect(svg.locator(f"a[href='{detail_url}'] circle.marker")).to_have_count(1)


# --- 4. merchant user on a phone ---------------------------------------------------


def test_a_merchant_on_a_phone_sees_its_own_price_and_not_another_stores_page(
    phone_page, live_server
):
    page = phone_page
    with live_server.app_context():
        shop = MerchantFactory(code=unique("MJ"), name="西湖区小店 测试")
        other = MerchantFactory(code=unique("MJ"), name="余杭区别人的店")
        product = ProductFactory(sku=unique("JRN-"), price=Decimal("12.50"))
        MerchantPriceFactory(merchant=shop, product=product, price=Decimal("9.80"))
        login = Login(merchant_user(shop).username)
        sku, own_code, other_code = product.sku, shop.code, other.code
    log_in(page, live_server, login)
    products_url = endpoint_url(live_server, "catalog.products")
    nav = page.locator("nav.mainnav")

    expect(nav).to_be_hidden()
    page.locator(".menu-button").click()
    expect(nav).to_be_visible()
    nav.locator(f"a[href='{products_url}']").click()

    page.wait_for_url(live_server.url_for(products_url))
    search(page, sku)
    row = table_row(page, endpoint_url(live_server, "catalog.product", sku=sku))
    expect(row.locator("a")).to_be_visible()
    price = row.locator("td.num").last
    expect(price).to_be_visible()
    expect(price).to_have_text("9.80")  # the merchant's price, not the list 12.50

    own = page.goto(endpoint_url(live_server, "merchants.show", code=own_code))
    assert own is not None and own.status == 200
    response = page.goto(endpoint_url(live_server, "merchants.show", code=other_code))

    assert response is not None and response.status == 404
    expect(page.locator("main h1")).to_have_text("404")
    expect(page.locator("main")).not_to_contain_text("余杭区别人的店")
    refused = page.locator("main").inner_text().replace(other_code, "CODE")
    missing_code = unique("MJ")
    missing = page.goto(endpoint_url(live_server, "merchants.show", code=missing_code))
    assert missing is not None and missing.status == 404
    # the same page as for a code that does not exist: nothing tells the store exists
    assert page.locator("main").inner_text().replace(missing_code, "CODE") == refused


# --- 5. admin runs background jobs -------------------------------------------------


def _drop_simulated_fault_logs(live_server: LiveServer) -> int:
    """The runner logs a non-domain job failure at ERROR with its traceback, which the
    live server would count as a server error; the demo's deliberate fault is expected.
    Removes exactly those records and returns how many there were."""
    from supplychain.jobs.demo import SimulatedFault

    expected = [
        record
        for record in live_server.errors
        if record.name == "supplychain.jobs.runner"
        and record.exc_info
        and isinstance(record.exc_info[1], SimulatedFault)
    ]
    for record in expected:
        live_server.errors.remove(record)
    return len(expected)


def start_demo_job(page: Any, live_server: LiveServer, steps: int, fail_at: str) -> str:
    """Fill the admin's demo form on the jobs page; returns the job page's path."""
    page.locator(
        f"nav.mainnav a[href='{endpoint_url(live_server, 'jobs.index')}']"
    ).click()
    form = page.locator(f"main form[action='{endpoint_url(live_server, 'jobs.demo')}']")
    form.locator("#f-steps").fill(str(steps))
    form.locator("#f-fail_at").fill(fail_at)
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(live_server.url_for("/jobs")) + JOB_ID))
    return page.url.removeprefix(live_server.url)


def test_an_admin_starts_the_demo_job_and_sees_its_progress_bar_finish(
    browser_page, live_server
):
    page = browser_page
    log_in(page, live_server, make_user(live_server, "admin"))

    job_path = start_demo_job(page, live_server, 7, "")

    expect(page.locator("main .flash-success")).to_be_visible()
    expect(page.locator("main h1")).to_have_text("count to 7")
    expect_job_finished(page)
    expect(page.locator("main pre.error")).to_have_count(0)
    expect(page.locator("main pre.wrap").last).to_contain_text('"counted": 7')

    page.locator(f"main a[href='{endpoint_url(live_server, 'jobs.index')}']").click()
    listed = table_row(page, job_path)
    expect(listed).to_have_attribute("data-status", "finished")
    expect(listed.locator("[data-job-bar]")).to_have_attribute("aria-valuenow", "100")


def test_an_admin_retries_a_failed_demo_job_and_it_finishes(browser_page, live_server):
    page = browser_page
    log_in(page, live_server, make_user(live_server, "admin"))

    job_path = start_demo_job(page, live_server, 4, "3")

    box = page.locator("main section[data-job-url]")
    expect(box).to_have_attribute("data-status", "failed")
    bar = box.locator("[data-job-bar]")
    expect(bar).to_have_class(re.compile(r"\bfailed\b"))
    expect(bar).to_have_attribute("aria-valuenow", "50")  # steps 1 and 2 of 4 done
    expect(page.locator("main pre.error")).to_contain_text("step 3 of 4")
    assert _drop_simulated_fault_logs(live_server) == 1
    retry = page.locator(f"main form[action='{job_path}/retry'] button[type=submit]")

    with page.expect_navigation(url=live_server.url_for(job_path)):
        retry.click()

    expect(page.locator("main .flash-success")).to_be_visible()
    expect_job_finished(page)
    expect(bar).not_to_have_class(re.compile(r"\bfailed\b"))
    expect(retry).to_have_count(0)
    expect(page.locator("main pre.error")).to_have_count(0)
    expect(page.locator("main pre.wrap").last).to_contain_text('"attempt": 2')
