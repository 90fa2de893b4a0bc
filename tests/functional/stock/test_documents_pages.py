import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from supplychain.extensions import db
from supplychain.stock import documents, ledger
from supplychain.stock.models import StockDocument, StockMove
from supplychain.stock.queries import default_warehouse
from tests.factories import (
    ProductFactory,
    SupplierFactory,
    UserFactory,
    WarehouseFactory,
    merchant_user,
)
from tests.support.pdf import pdf_text

KINDS = ("receipt", "issue", "move", "transfer", "adjustment", "return", "scrap")


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def error_ids(html):
    return re.findall(r'<p class="error" id="e-([^"]+)"', html)


def form(kind="receipt", **fields):
    return {"kind": kind, "rows": "5", "client_token": "tok-1", **fields}


@pytest.fixture
def keeper(login_as):
    user = UserFactory(locale="en", role="warehouse")
    login_as(user)
    return user


@pytest.fixture
def stocked(app):
    product = ProductFactory(sku="PG-1", name="艾灸贴 大盒")
    ledger.post_receipt(
        product.id, default_warehouse().id, 10, unit_cost=Decimal("2.00")
    )
    db.session.commit()
    return product


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_has_a_form_with_empty_line_rows_and_a_one_time_token(
    client, keeper, kind
):
    html = client.get(f"/stock/documents/new?kind={kind}").get_data(as_text=True)

    assert html.count('class="doc-line"') == 5
    assert 'name="lines-4-sku"' in html and 'name="lines-4-qty"' in html
    assert re.search(r'name="client_token" value="[0-9a-f]{32}"', html)
    assert 'name="csrf_token"' in html


def test_lot_and_dates_are_on_receipt_rows_and_bins_to_bins_on_move_rows(
    client, keeper
):
    receipt = client.get("/stock/documents/new?kind=receipt").get_data(as_text=True)
    move = client.get("/stock/documents/new?kind=move").get_data(as_text=True)

    assert 'name="lines-0-expiry_date"' in receipt
    assert 'name="lines-0-unit_cost"' in receipt
    assert 'name="lines-0-to_bin"' not in receipt
    assert 'name="lines-0-to_bin"' in move and 'name="lines-0-expiry_date"' not in move


def test_more_rows_keeps_what_was_typed_and_posts_nothing(client, keeper, stocked):
    response = client.post(
        "/stock/documents/new?kind=receipt",
        data=form(action="more", **{"lines-0-sku": "PG-1", "lines-0-qty": "3"}),
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count('class="doc-line"') == 10
    assert 'value="PG-1"' in html and 'value="tok-1"' in html
    assert count(StockDocument) == 0


def test_a_posted_receipt_goes_to_its_page_with_lines_and_moves(
    client, keeper, stocked
):
    supplier = SupplierFactory(name="杭州同仁堂批发部")

    response = client.post(
        "/stock/documents/new?kind=receipt",
        data=form(
            supplier_id=str(supplier.id),
            external_ref="DN-1",
            **{
                "lines-1-sku": "PG-1",
                "lines-1-qty": "4",
                "lines-1-unit_cost": "2.50",
            },
        ),
    )

    document = db.session.scalars(sa.select(StockDocument)).one()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/stock/documents/{document.number}")
    assert (document.created_by_id, document.supplier_id) == (keeper.id, supplier.id)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "杭州同仁堂批发部" in page and "DN-1" in page
    assert "¥10.00" in page  # 4 × 2.50
    assert f"Receipt {document.number}" in page  # the move it posted
    assert f"/stock/documents/{document.number}.pdf" in page


def test_a_double_submit_with_the_same_token_posts_once(client, keeper, stocked):
    data = form(**{"lines-0-sku": "PG-1", "lines-0-qty": "1"})

    first = client.post("/stock/documents/new?kind=receipt", data=data)
    second = client.post("/stock/documents/new?kind=receipt", data=data)

    assert first.headers["Location"] == second.headers["Location"]
    assert count(StockDocument) == 1


def test_errors_show_next_to_the_field_on_the_right_line_and_nothing_is_posted(
    client, keeper, stocked
):
    moves = count(StockMove)

    response = client.post(
        "/stock/documents/new?kind=receipt",
        data=form(
            **{
                "lines-0-sku": "PG-1",
                "lines-0-qty": "2",
                "lines-2-sku": "NOPE",
                "lines-2-qty": "1",
                "lines-3-sku": "PG-1",
                "lines-3-qty": "abc",
                "lines-4-sku": "PG-1",
                "lines-4-qty": "1",
                "lines-4-bin": "Z-99",
            }
        ),
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert set(error_ids(html)) == {"lines-2-sku", "lines-3-qty", "lines-4-bin"}
    assert "Unknown SKU &#39;NOPE&#39;." in html
    assert 'value="PG-1"' in html  # the typed rows are kept
    assert (count(StockMove), count(StockDocument)) == (moves, 0)


def test_a_short_issue_line_says_how_many_are_available(client, keeper, stocked):
    response = client.post(
        "/stock/documents/new?kind=issue",
        data=form("issue", **{"lines-1-sku": "PG-1", "lines-1-qty": "11"}),
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert error_ids(html) == ["lines-1-qty"]
    assert "Only 10 available here." in html
    assert count(StockDocument) == 0


def test_a_transfer_to_the_same_warehouse_is_an_error_on_the_destination(
    client, keeper, stocked
):
    response = client.post(
        "/stock/documents/new?kind=transfer",
        data=form(
            "transfer",
            warehouse="MAIN",
            to_warehouse="MAIN",
            **{"lines-0-sku": "PG-1", "lines-0-qty": "1"},
        ),
    )

    assert response.status_code == 400
    assert error_ids(response.get_data(as_text=True)) == ["to_warehouse"]


def test_a_transfer_is_received_on_its_page_partly_then_with_a_write_off(
    client, keeper, stocked
):
    WarehouseFactory(code="XS")
    doc = documents.dispatch_transfer(
        [{"sku": "PG-1", "qty": 3}], to_warehouse_code="XS", user_id=keeper.id
    )
    url = f"/stock/documents/{doc.number}"
    page = client.get(url).get_data(as_text=True)
    assert 'name="receive-0-qty"' in page and 'value="3"' in page

    too_many = client.post(f"{url}/receive", data={"receive-0-qty": "4"})
    partly = client.post(f"{url}/receive", data={"receive-0-qty": "2", "expected": "0"})
    stale = client.post(f"{url}/receive", data={"receive-0-qty": "1", "expected": "0"})
    closed = client.post(
        f"{url}/receive",
        data={"receive-0-qty": "0", "expected": "2", "write_off_missing": "1"},
    )

    assert too_many.status_code == 400
    assert error_ids(too_many.get_data(as_text=True)) == ["receive-0-qty"]
    assert partly.status_code == 302
    assert stale.status_code == 303  # received meanwhile: a flash, nothing posted
    assert closed.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "1 lost" in page and 'name="receive-0-qty"' not in page
    assert db.session.get(StockDocument, doc.id).status == "received"


def test_the_list_filters_by_kind_and_finds_a_sku(client, keeper, stocked):
    ProductFactory(sku="PG-2")
    receipt = documents.receive_goods([{"sku": "PG-2", "qty": 1}], user_id=keeper.id)
    issue = documents.issue_goods([{"sku": "PG-1", "qty": 1}], user_id=keeper.id)

    everything = client.get("/stock/documents/").get_data(as_text=True)
    issues = client.get("/stock/documents/?kind=issue").get_data(as_text=True)
    by_sku = client.get("/stock/documents/?q=PG-2").get_data(as_text=True)

    assert receipt.number in everything and issue.number in everything
    assert issue.number in issues and receipt.number not in issues
    assert receipt.number in by_sku and issue.number not in by_sku


def test_the_print_button_gives_an_a4_pdf_with_the_chinese_title(
    client, keeper, stocked
):
    doc = documents.issue_goods([{"sku": "PG-1", "qty": 2}], user_id=keeper.id)

    response = client.get(f"/stock/documents/{doc.number}.pdf")

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "出库单 Goods issue" in text and "艾灸贴 大盒" in text


def test_unknown_documents_and_kinds_are_404(client, keeper):
    assert client.get("/stock/documents/RC-20990101-0001").status_code == 404
    assert client.get("/stock/documents/RC-20990101-0001.pdf").status_code == 404
    assert client.get("/stock/documents/new?kind=gift").status_code == 404


@pytest.mark.parametrize(
    "role, path, status",
    [
        ("buyer", "/stock/documents/", 200),
        ("finance", "/stock/documents/", 200),
        ("buyer", "/stock/documents/new?kind=receipt", 403),
        ("sales", "/stock/documents/", 403),
        ("warehouse_manager", "/stock/documents/new?kind=receipt", 200),
        ("merchant", "/stock/documents/", 403),
        ("merchant", "/stock/documents/new?kind=receipt", 403),
    ],
)
def test_who_may_see_and_post_documents(client, login_as, role, path, status):
    user = merchant_user() if role == "merchant" else UserFactory(role=role)
    login_as(user)

    assert client.get(path).status_code == status


def test_a_merchant_user_cannot_post_a_document(client, login_as, stocked):
    login_as(merchant_user())

    response = client.post(
        "/stock/documents/new?kind=receipt",
        data=form(**{"lines-0-sku": "PG-1", "lines-0-qty": "1"}),
    )

    assert response.status_code == 403
    assert count(StockDocument) == 0
