"""盘点 stock count pages through the test client: the list, the start form, the blind
count of a bin (the expected quantity never reaches a counter), the manager's review,
recount, approval with its confirm step and cancellation; roles and errors next to
fields."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from supplychain.extensions import db
from supplychain.stock import counts, ledger
from supplychain.stock.models import Bin, StockCount, StockCountLine, StockMove
from supplychain.stock.queries import default_warehouse
from tests.conftest import login
from tests.factories import ProductFactory, UserFactory, merchant_user

SNAPSHOT = 4711  # a number that appears nowhere else on the pages


def moves():
    return db.session.scalar(sa.select(sa.func.count(StockMove.id)))


def make_bin(bay=1, aisle=1):
    bin_ = Bin(
        warehouse_id=default_warehouse().id,
        aisle=aisle,
        block=1,
        bay=bay,
        side="L",
        level=1,
        code=f"A{aisle:02d}-1-{bay:02d}-L1",
    )
    db.session.add(bin_)
    db.session.commit()
    return bin_


@pytest.fixture
def stocked_bins(app):
    """Two bins: the first holds SNAPSHOT of a product, the second nothing."""
    first, second = make_bin(1), make_bin(2)
    product = ProductFactory(sku="PD-1", name="艾灸贴 大盒")
    ledger.post_receipt(
        product.id,
        default_warehouse().id,
        SNAPSHOT,
        bin_id=first.id,
        unit_cost=Decimal("2.00"),
    )
    db.session.commit()
    return first, second, product


@pytest.fixture
def counter(app):
    return UserFactory(role="warehouse", locale="en")


@pytest.fixture
def manager(app):
    return UserFactory(role="warehouse_manager", locale="en")


def started(user):
    return counts.start_count(default_warehouse().id, user=user)


def line_id(count, bin_):
    return db.session.scalar(
        sa.select(StockCountLine.id)
        .join(StockCountLine.count_bin)
        .where(StockCountLine.count_id == count.id)
        .where(StockCountLine.count_bin.has(bin_id=bin_.id))
    )


def text(response):
    return response.get_data(as_text=True)


# --- list and start -------------------------------------------------------------------
def test_the_list_shows_counts_with_their_progress(client, counter, stocked_bins):
    count = started(counter)
    login(client, UserFactory(role="finance", locale="en"))

    html = text(client.get("/stock/counts/"))
    found = text(client.get(f"/stock/counts/?q={count.number[-4:]}&status=counting"))
    none = text(client.get("/stock/counts/?status=approved"))

    assert count.number in html and "0/2" in html
    assert count.number in found and count.number not in none
    assert "Start a count" not in html  # finance looks, does not count


def test_starting_a_cycle_count_from_the_form(client, counter, stocked_bins):
    first, _, _ = stocked_bins
    login(client, counter)

    response = client.post(
        "/stock/counts/new",
        data={
            "warehouse": "MAIN",
            "kind": "cycle",
            "bins": first.code.lower(),
            "aisles": "",
            "blind": "1",
        },
    )

    count = db.session.scalar(sa.select(StockCount))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/stock/counts/{count.number}")
    assert [cb.bin_id for cb in count.bins] == [first.id] and count.blind


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"kind": "cycle", "bins": "Z99-1-01-L1"}, "bins", "No such bins"),
        ({"kind": "cycle", "aisles": "3-x"}, "aisles", "aisle numbers like"),
        ({"kind": "cycle", "aisles": "7"}, "aisles", "No active bins in aisle 7"),
        ({"kind": "cycle"}, "bins", "Choose the bins or the aisles"),
        ({"kind": "monthly"}, "kind", "Must be one of"),
    ],
)
def test_start_form_errors_are_shown_next_to_their_field_and_nothing_starts(
    client, counter, stocked_bins, data, field, message
):
    login(client, counter)

    response = client.post("/stock/counts/new", data={"warehouse": "MAIN"} | data)

    html = text(response)
    assert response.status_code == 400
    error = re.search(rf'<p class="error" id="e-{field}">([^<]*)</p>', html)
    assert error and message in error.group(1)
    assert db.session.scalar(sa.select(sa.func.count(StockCount.id))) == 0


def test_a_bin_in_another_open_count_is_refused_with_a_message(
    client, counter, stocked_bins
):
    started(counter)
    login(client, counter)

    response = client.post(
        "/stock/counts/new",
        data={"warehouse": "MAIN", "kind": "full"},
        follow_redirects=True,
    )

    assert "already being counted" in text(response)
    assert db.session.scalar(sa.select(sa.func.count(StockCount.id))) == 1


# --- counting a bin -------------------------------------------------------------------
def test_a_scanned_bin_code_opens_the_bin_and_stock_outside_bins_is_mentioned(
    client, counter, stocked_bins
):
    first, _, product = stocked_bins
    ledger.post_receipt(product.id, default_warehouse().id, 3)  # no bin
    db.session.commit()
    count = started(counter)
    login(client, counter)

    page = text(client.get(f"/stock/counts/{count.number}"))
    scanned = client.get(f"/stock/counts/{count.number}?q={first.code}")

    assert "move it into bins to count it" in page and "PD-1" in page
    assert scanned.status_code == 302
    assert scanned.headers["Location"].endswith(f"/bins/{first.code}")


def test_a_blind_counter_never_sees_the_expected_quantity(
    client, counter, stocked_bins
):
    first, _, _ = stocked_bins
    count = started(counter)
    login(client, counter)

    pages = [
        client.get(f"/stock/counts/{count.number}/bins/{first.code}"),
        client.get(f"/stock/counts/{count.number}"),
        client.get(f"/stock/counts/{count.number}/review"),
    ]

    for page in pages:
        assert page.status_code == 200
        assert str(SNAPSHOT) not in text(page)
    bin_page = text(pages[0])
    assert "艾灸贴 大盒" in bin_page and "PD-1" in bin_page
    assert 'inputmode="numeric"' in bin_page
    assert "Add an item found here" in bin_page


def test_counting_a_bin_goes_on_to_the_next_bin(client, counter, stocked_bins):
    first, second, _ = stocked_bins
    count = started(counter)
    login(client, counter)

    response = client.post(
        f"/stock/counts/{count.number}/bins/{first.code}",
        data={f"line_{line_id(count, first)}": "4710"},
    )
    last = client.post(f"/stock/counts/{count.number}/bins/{second.code}", data={})

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/bins/{second.code}")
    assert last.headers["Location"].endswith(f"/stock/counts/{count.number}")
    assert counts.progress(counts.get_count(count.number)) == (2, 2)


@pytest.mark.parametrize(
    "value, message",
    [
        ("-2", "cannot be negative"),
        ("2.5", "whole number"),
        ("", "Enter the count"),
        ("99999999", "At most"),
    ],
)
def test_bad_numbers_are_shown_next_to_their_line_and_nothing_is_saved(
    client, counter, stocked_bins, value, message
):
    first, _, _ = stocked_bins
    count = started(counter)
    field = f"line_{line_id(count, first)}"
    login(client, counter)

    response = client.post(
        f"/stock/counts/{count.number}/bins/{first.code}", data={field: value}
    )

    html = text(response)
    assert response.status_code == 400
    error = re.search(rf'<p class="error" id="e-{field}">([^<]*)</p>', html)
    assert error and message in error.group(1)
    assert counts.progress(counts.get_count(count.number)) == (0, 2)


def test_found_items_are_added_and_unknown_ones_refused_next_to_the_row(
    client, counter, stocked_bins
):
    first, second, _ = stocked_bins
    other = ProductFactory(sku="PD-2", barcode="6900000000002")
    count = started(counter)
    login(client, counter)

    bad = client.post(
        f"/stock/counts/{count.number}/bins/{second.code}",
        data={"found_0_code": "NOPE", "found_0_qty": "1"},
    )
    good = client.post(
        f"/stock/counts/{count.number}/bins/{second.code}",
        data={"found_0_code": "6900000000002", "found_0_qty": "5"},
    )

    assert bad.status_code == 400
    assert re.search(
        r'id="e-found_0_code">No product has the SKU or barcode NOPE', text(bad)
    )
    assert good.status_code == 302
    [line] = counts.count_bin_by_code(counts.get_count(count.number), second.code).lines
    assert (line.product_id, line.counted_qty, line.is_added) == (other.id, 5, True)


def test_more_found_rows_keep_what_was_typed(client, counter, stocked_bins):
    first, _, _ = stocked_bins
    count = started(counter)
    field = f"line_{line_id(count, first)}"
    login(client, counter)

    response = client.post(
        f"/stock/counts/{count.number}/bins/{first.code}",
        data={field: "12", "more_rows": "5"},
    )

    html = text(response)
    assert response.status_code == 200
    assert 'name="found_4_code"' in html and 'value="12"' in html
    assert counts.progress(counts.get_count(count.number)) == (0, 2)


# --- review, recount, approval --------------------------------------------------------
def counted(count, counter, first, second, qty):
    counts.record_bin_count(
        count.id, first.id, {line_id(count, first): qty}, user=counter
    )
    counts.record_bin_count(count.id, second.id, {}, user=counter)


def test_the_manager_reviews_recounts_and_approves_with_a_confirm_step(
    client, counter, manager, stocked_bins
):
    first, second, product = stocked_bins
    count = started(counter)
    counted(count, counter, first, second, SNAPSHOT - 3)
    login(client, manager)

    review = text(client.get(f"/stock/counts/{count.number}/review"))
    reset = client.post(f"/stock/counts/{count.number}/bins/{first.code}/reset")
    counted(count, counter, first, second, SNAPSHOT - 3)
    confirm = text(client.get(f"/stock/counts/{count.number}/approve"))
    before = moves()
    approved = client.post(f"/stock/counts/{count.number}/approve")
    after = text(client.get(f"/stock/counts/{count.number}/review"))

    assert str(SNAPSHOT) in review and "-3" in review and "-¥6.00" in review
    assert reset.status_code == 302
    assert "Approve and post" in confirm and "-¥6.00" in confirm
    assert approved.status_code == 302 and moves() == before + 1
    assert counts.get_count(count.number).status == "approved"
    assert "Approved" in after and "-¥6.00" in after
    again = client.post(f"/stock/counts/{count.number}/approve", follow_redirects=True)
    assert "is closed" in text(again) and moves() == before + 1


def test_a_write_off_of_reserved_stock_is_refused_with_the_lines_named(
    client, counter, manager, stocked_bins
):
    first, second, product = stocked_bins
    ledger.reserve(product.id, default_warehouse().id, SNAPSHOT)
    db.session.commit()
    count = started(counter)
    counted(count, counter, first, second, SNAPSHOT - 1)
    login(client, manager)
    before = moves()

    response = client.post(
        f"/stock/counts/{count.number}/approve", follow_redirects=True
    )

    assert "reserved for orders" in text(response) and "PD-1" in text(response)
    assert moves() == before
    assert counts.get_count(count.number).status == "counting"


def test_approval_needs_every_bin_counted(client, counter, manager, stocked_bins):
    first, _, _ = stocked_bins
    count = started(counter)
    counts.record_bin_count(
        count.id, first.id, {line_id(count, first): 1}, user=counter
    )
    login(client, manager)

    response = client.get(
        f"/stock/counts/{count.number}/approve", follow_redirects=True
    )

    assert "Every bin must be counted" in text(response)


def test_cancelling_needs_the_box_ticked(client, counter, manager, stocked_bins):
    count = started(counter)
    login(client, manager)

    unticked = client.post(
        f"/stock/counts/{count.number}/cancel", follow_redirects=True
    )
    ticked = client.post(f"/stock/counts/{count.number}/cancel", data={"confirm": "1"})

    assert "Tick the box" in text(unticked)
    assert ticked.status_code == 302
    assert counts.get_count(count.number).status == "cancelled"


# --- roles ----------------------------------------------------------------------------
def test_counters_cannot_review_expected_approve_reset_or_cancel(
    client, counter, stocked_bins
):
    first, _, _ = stocked_bins
    count = started(counter)
    login(client, counter)

    for method, url in [
        ("post", f"/stock/counts/{count.number}/approve"),
        ("get", f"/stock/counts/{count.number}/approve"),
        ("post", f"/stock/counts/{count.number}/bins/{first.code}/reset"),
        ("post", f"/stock/counts/{count.number}/cancel"),
    ]:
        assert getattr(client, method)(url).status_code == 403


def test_merchant_users_get_403_on_every_count_page(client, counter, stocked_bins):
    first, _, _ = stocked_bins
    count = started(counter)
    login(client, merchant_user())

    for url in [
        "/stock/counts/",
        "/stock/counts/new",
        f"/stock/counts/{count.number}",
        f"/stock/counts/{count.number}/bins/{first.code}",
        f"/stock/counts/{count.number}/review",
    ]:
        assert client.get(url).status_code == 403, url
    assert client.post(f"/stock/counts/{count.number}/approve").status_code == 403


def test_unknown_counts_and_bins_are_404(client, counter, stocked_bins):
    count = started(counter)
    login(client, counter)

    assert client.get("/stock/counts/PD-20990101-0001").status_code == 404
    assert client.get(f"/stock/counts/{count.number}/bins/Z99").status_code == 404


# --- the count sheet ------------------------------------------------------------------
def test_the_count_sheet_lists_each_bin_and_is_blind_for_counters(
    client, counter, manager, stocked_bins
):
    from tests.support.pdf import pdf_fonts, pdf_text

    first, second, _ = stocked_bins
    count = started(counter)
    login(client, counter)

    response = client.get(f"/stock/counts/{count.number}/sheet.pdf")
    login(client, manager)
    managers = client.get(f"/stock/counts/{count.number}/sheet.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text_layer = pdf_text(response.data)
    assert first.code in text_layer and second.code in text_layer
    assert "艾灸贴 大盒" in text_layer and "PD-1" in text_layer
    assert "4,711" not in text_layer and str(SNAPSHOT) not in text_layer
    assert "4,711" in pdf_text(managers.data)
    assert all(font["emb"] == "yes" for font in pdf_fonts(response.data))
