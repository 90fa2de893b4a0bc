"""演示数据 commands: ``demo`` loads, refuses, skips or resets; ``demo-logins`` lists."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from supplychain.auth import services as auth_services
from supplychain.checks import run_checks
from supplychain.demo import loader
from supplychain.demo.generator import generate
from supplychain.demo.reset import database_has_data, wipe_domain_data
from supplychain.demo.services import load_demo_distributor
from supplychain.errors import ValidationFailed
from supplychain.extensions import db
from supplychain.merchants.models import Merchant
from supplychain.stock.models import StockMove, Warehouse
from tests.factories import UserFactory
from tests.support.demo import history_move_count

SMALL = ["--stores", "5", "--products", "20"]


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        auth_services,
        "_hasher",
        PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
    )


def merchant_names() -> list[str]:
    return list(db.session.scalars(sa.select(Merchant.name).order_by(Merchant.code)))


def move_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(StockMove.id)))


def test_demo_loads_an_empty_database_and_reports_progress(app, runner):
    result = runner.invoke(args=["demo", *SMALL, "--seed", "3"])

    assert result.exit_code == 0, result.output
    assert "  0%  starting" in result.output and "100%" in result.output
    assert "Demo loaded" in result.output and "5 merchants" in result.output
    assert set(merchant_names()) == {
        m.name for m in generate(5, 3, products=20).merchants
    }
    assert run_checks() == {}


def test_demo_refuses_a_database_that_already_has_data(app, runner):
    assert runner.invoke(args=["demo", *SMALL]).exit_code == 0
    before = (merchant_names(), move_count())

    result = runner.invoke(args=["demo", *SMALL, "--seed", "2"])

    assert result.exit_code == 1
    assert "already has data" in result.output and "--reset" in result.output
    assert (merchant_names(), move_count()) == before


def test_demo_refuses_even_a_database_with_only_a_user(app, runner):
    UserFactory(username="boss")

    result = runner.invoke(args=["demo", *SMALL])

    assert result.exit_code == 1
    assert db.session.scalar(sa.select(sa.func.count(Merchant.id))) == 0


def test_demo_if_empty_does_nothing_and_succeeds_when_data_exists(app, runner):
    assert runner.invoke(args=["demo", *SMALL]).exit_code == 0
    before = (merchant_names(), move_count())

    result = runner.invoke(args=["demo", *SMALL, "--seed", "2", "--if-empty"])

    assert result.exit_code == 0
    assert "not loaded" in result.output
    assert (merchant_names(), move_count()) == before


def test_demo_if_empty_loads_an_empty_database(app, runner):
    result = runner.invoke(args=["demo", *SMALL, "--if-empty"])

    assert result.exit_code == 0 and "Demo loaded" in result.output
    assert len(merchant_names()) == 5


def test_demo_reset_replaces_the_data_with_a_fresh_demo(app, runner):
    assert runner.invoke(args=["demo", *SMALL, "--seed", "1"]).exit_code == 0
    first = merchant_names()

    result = runner.invoke(args=["demo", *SMALL, "--seed", "2", "--reset"])

    assert result.exit_code == 0, result.output
    assert "after deleting the previous data" in result.output
    assert merchant_names() != first and len(merchant_names()) == 5
    assert history_move_count() == len(generate(5, 2, products=20).stock_events)
    assert run_checks() == {}


def test_the_same_seed_loads_the_same_demo_after_a_reset(app, runner):
    assert runner.invoke(args=["demo", *SMALL, "--seed", "4"]).exit_code == 0
    first = (merchant_names(), move_count())

    assert runner.invoke(args=["demo", *SMALL, "--seed", "4", "--reset"]).exit_code == 0

    assert (merchant_names(), move_count()) == first


@pytest.mark.parametrize(
    "args",
    [
        ["--stores", "0"],
        ["--stores", "5001"],
        ["--stores", "many"],
        ["--products", "0"],
        ["--reset", "--if-empty"],
    ],
)
def test_demo_rejects_bad_arguments_and_writes_nothing(app, runner, args):
    result = runner.invoke(args=["demo", *args])

    assert result.exit_code == 2
    assert not database_has_data()


def test_the_service_refuses_out_of_range_counts_before_wiping_anything(app):
    load_demo_distributor(3, 1, products=10)

    with pytest.raises(ValidationFailed) as caught:
        load_demo_distributor(0, 1, reset=True)

    assert "stores" in caught.value.errors
    assert len(merchant_names()) == 3


def test_wiping_keeps_the_ledger_append_only_and_restores_the_main_warehouse(app):
    load_demo_distributor(3, 1, products=10)

    wipe_domain_data()

    assert not database_has_data()
    assert list(db.session.scalars(sa.select(Warehouse.code))) == ["MAIN"]
    load_demo_distributor(3, 1, products=10)
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.session.execute(sa.update(StockMove).values(qty=StockMove.qty + 1))
    db.session.rollback()


def test_demo_logins_prints_a_table_of_the_demo_users(app, runner):
    assert runner.invoke(args=["demo", *SMALL]).exit_code == 0

    result = runner.invoke(args=["demo-logins"])

    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[1].split() == ["USERNAME", "PASSWORD", "ROLE", "MERCHANT"]
    admin = next(line for line in lines if line.startswith("admin "))
    store = next(line for line in lines if line.startswith("store1 "))
    assert admin.split() == ["admin", "demo-admin-2026", "admin"]
    assert store.split()[:4] == ["store1", "demo-merchant-2026", "merchant", "S0001"]


def test_demo_logins_marks_a_password_that_was_changed(app, runner):
    assert runner.invoke(args=["demo", *SMALL]).exit_code == 0
    user = auth_services.authenticate("sales", "demo-sales-2026")
    auth_services.reset_password(user.id, "a brand new secret")

    result = runner.invoke(args=["demo-logins"])

    sales = next(
        line for line in result.output.splitlines() if line.startswith("sales ")
    )
    assert sales.split() == ["sales", "(changed)", "sales"]


def test_demo_logins_on_a_database_without_the_demo_says_how_to_load_it(app, runner):
    result = runner.invoke(args=["demo-logins"])

    assert result.exit_code == 0
    assert "supplychain demo" in result.output


@pytest.mark.slow
def test_loads_and_resets_on_every_database(any_db_app: Any):
    load_demo_distributor(4, 5, products=15)
    assert run_checks() == {}

    load_demo_distributor(4, 6, products=15, reset=True)

    assert run_checks() == {}
    assert db.session.scalar(sa.select(sa.func.min(Merchant.id))) >= 1
    assert history_move_count() == len(generate(4, 6, products=15).stock_events)


def test_a_later_feature_adds_its_history_as_an_extension_step(app, monkeypatch):
    seen: dict[str, Any] = {}

    def run(ctx: loader.LoadContext) -> None:
        seen["merchants"] = sorted(ctx.ids["merchant"])
        seen["yesterday_9am"] = ctx.at(1, 9 * 60)
        ctx.count("orders", 7)
        ctx.advance(3, "orders")

    module = types.ModuleType("demo_orders_extension")
    module.demo_steps = lambda: [loader.LoadStep("orders history", run, lambda d: 3)]
    monkeypatch.setitem(sys.modules, "demo_orders_extension", module)
    monkeypatch.setattr(loader, "EXTENSION_MODULES", ("demo_orders_extension",))
    reports: list[tuple[int, str]] = []

    result = load_demo_distributor(
        3, 1, products=10, progress=lambda p, m: reports.append((p, m))
    )

    assert seen["merchants"] == ["S0001", "S0002", "S0003"]
    assert seen["yesterday_9am"].utcoffset().total_seconds() == 0
    assert seen["yesterday_9am"].hour == 1  # 09:00 in Asia/Shanghai
    assert result.summary.counts["orders"] == 7
    assert [step.name for step in loader.all_steps()][-1] == "orders history"
    percents = [p for p, _ in reports]
    assert percents == sorted(percents) and percents[0] == 0 and percents[-1] == 100
