"""订单 commands: confirm-due, generate-standing, import and the scheduler."""

import datetime as dt

import sqlalchemy as sa

from supplychain.extensions import db
from supplychain.orders import services, standing
from supplychain.orders.models import Order
from tests.factories import MerchantFactory, UserFactory, merchant_user, stocked_product

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone.utc)  # Mon 18:00 Shanghai
NOW_TEXT = "2026-11-23T18:00+08:00"


def order_count():
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count(Order.id)))


def test_generate_standing_prints_what_it_did_and_never_repeats(runner):
    product = stocked_product(10)
    standing.create_standing_order(
        merchant_user(), weekdays="2", lines=[{"sku": product.sku, "qty": 1}]
    )

    first = runner.invoke(args=["orders", "generate-standing", "--now", NOW_TEXT])
    second = runner.invoke(args=["orders", "generate-standing", "--now", NOW_TEXT])

    assert first.exit_code == 0, first.output
    assert "created SO-20261124-0001" in first.output
    assert "1 created, 0 skipped, 0 unchanged" in first.output
    assert "0 created, 0 skipped, 1 unchanged" in second.output
    assert order_count() == 1


def test_a_local_time_without_offset_is_read_in_the_distributors_zone(runner):
    product = stocked_product(10)
    standing.create_standing_order(
        merchant_user(), weekdays="3", lines=[{"sku": product.sku, "qty": 1}]
    )

    # 22:30 Shanghai on Monday: Tuesday has closed, Wednesday is next
    result = runner.invoke(
        args=["orders", "generate-standing", "--now", "2026-11-23T22:30"]
    )

    assert "created SO-20261125-0001" in result.output


def test_confirm_due_confirms_orders_past_their_cutoff(runner):
    product = stocked_product(10)
    services.place_order(merchant_user(), [{"sku": product.sku, "qty": 1}], now=NOW)

    before = runner.invoke(args=["orders", "confirm-due", "--now", NOW_TEXT])
    after = runner.invoke(
        args=["orders", "confirm-due", "--now", "2026-11-23T22:01+08:00"]
    )

    assert before.output.strip() == "0 order(s) confirmed"
    assert after.output.strip() == "1 order(s) confirmed"


def test_a_bad_now_is_a_usage_error(runner):
    result = runner.invoke(args=["orders", "generate-standing", "--now", "soon"])

    assert result.exit_code == 2 and "--now" in result.output


def test_import_places_the_orders_of_a_file(runner, tmp_path):
    product = stocked_product(10)
    merchant = MerchantFactory()
    path = tmp_path / "orders.csv"
    path.write_text(f"merchant,sku,qty\n{merchant.code},{product.sku},2\n")
    UserFactory(role="sales", username="xiaowang")

    result = runner.invoke(args=["orders", "import", str(path), "--as", "xiaowang"])

    assert result.exit_code == 0, result.output
    assert (
        merchant.code in result.output
        and "1 order(s) placed, total 25.00" in result.output
    )
    order = db.session.scalar(sa.select(Order))
    assert order.source == "import" and order.placed_by_id is not None


def test_a_refused_import_exits_1_with_the_rows(runner, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("merchant,sku,qty\nNOBODY,NOPE,1\n")

    result = runner.invoke(args=["orders", "import", str(path)])

    assert result.exit_code == 1
    assert "row 2, column merchant: Unknown merchant 'NOBODY'." in result.output
    assert "row 2, column sku: Unknown SKU 'NOPE'." in result.output
    assert order_count() == 0


def test_import_as_an_unknown_user_is_a_usage_error(runner, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("sku,qty\nA,1\n")

    result = runner.invoke(args=["orders", "import", str(path), "--as", "ghost"])

    assert result.exit_code == 2 and "ghost" in result.output


def test_the_scheduler_runs_one_round_with_once(runner):
    product = stocked_product(10)
    standing.create_standing_order(
        merchant_user(), weekdays="1234567", lines=[{"sku": product.sku, "qty": 1}]
    )

    result = runner.invoke(args=["scheduler", "--once"])

    assert result.exit_code == 0, result.output
    [line] = result.output.splitlines()
    assert "confirmed 0; standing orders: 1 created, 0 skipped, 0 unchanged" in line
    assert order_count() == 1
