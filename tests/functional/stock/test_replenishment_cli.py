import datetime as dt

import sqlalchemy as sa

from supplychain.extensions import db
from supplychain.stock import ledger, replenishment
from supplychain.stock.expiry import local_today
from supplychain.stock.models import StockRule
from supplychain.stock.queries import default_warehouse
from supplychain.stock.reports import local_midnight
from supplychain.stock.replenishment_cli import format_table
from tests.factories import ProductFactory, ProductSupplierFactory


def sold(product, qty, days_ago):
    main = default_warehouse()
    day = local_midnight(local_today() - dt.timedelta(days=days_ago))
    ledger.post_receipt(product.id, main.id, qty, created_at=day)
    ledger.post_issue(product.id, main.id, qty, created_at=day + dt.timedelta(hours=8))
    db.session.commit()


def methods():
    db.session.expire_all()
    return {r.product.sku: r.method for r in db.session.scalars(sa.select(StockRule))}


def test_suggest_rules_previews_a_table_and_writes_nothing(runner):
    product = ProductFactory(sku="CLI-1", name="阿胶膏")
    sold(product, 21, 2)

    result = runner.invoke(args=["stock", "suggest-rules", "--days", "7"])

    assert result.exit_code == 0, result.output
    assert "MAIN: demand of the last 7 days" in result.output
    assert "CLI-1  阿胶膏" in result.output and "3.00" in result.output
    assert "1 suggestions (preview" in result.output
    assert methods() == {}


def test_suggest_rules_apply_writes_and_keeps_manual_rules(runner):
    auto, manual = ProductFactory(sku="A-1"), ProductFactory(sku="M-1")
    sold(auto, 7, 1)
    sold(manual, 7, 1)
    replenishment.set_rule(
        manual.id, default_warehouse().id, reorder_point=9, safety_stock=1
    )

    result = runner.invoke(
        args=["stock", "suggest-rules", "--warehouse", "main", "--days", "7", "--apply"]
    )

    assert result.exit_code == 0, result.output
    assert "1 rules written, 1 manual rules kept" in result.output
    assert "manual 9/1 kept" in result.output
    assert methods() == {"A-1": "suggested", "M-1": "manual"}


def test_suggest_rules_refuses_days_outside_7_to_365_and_unknown_warehouses(runner):
    few = runner.invoke(args=["stock", "suggest-rules", "--days", "3"])
    unknown = runner.invoke(args=["stock", "suggest-rules", "--warehouse", "NOPE"])

    assert few.exit_code == 2 and "--days" in few.output
    assert unknown.exit_code == 1 and "Unknown warehouse 'NOPE'" in unknown.output
    assert methods() == {}


def test_low_stock_prints_what_to_order(runner):
    product = ProductFactory(sku="LS-1", name="艾灸贴")
    link = ProductSupplierFactory(product=product, case_qty=12)
    replenishment.set_rule(
        product.id, default_warehouse().id, reorder_point=5, safety_stock=2
    )

    result = runner.invoke(args=["stock", "low-stock", "--warehouse", "MAIN"])

    assert result.exit_code == 0, result.output
    [line] = [ln for ln in result.output.splitlines() if "LS-1" in ln]
    assert line.split() == ["MAIN", "LS-1", "艾灸贴", "0", "0", "5", "2", "5", "12",
                            link.supplier.code]  # fmt: skip
    assert result.output.rstrip().endswith("1 low")


def test_tables_align_chinese_names_by_their_screen_width():
    table = format_table(["sku", "name", "qty"], [["A", "阿胶", 5], ["BB", "ab", 10]])

    lines = table.splitlines()
    assert lines[0] == "sku  name  qty"
    assert lines[2] == "A    阿胶    5"
    assert lines[3] == "BB   ab     10"
