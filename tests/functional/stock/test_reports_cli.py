"""``supplychain stock report / value-at / near-expiry``: printed tables, XLSX and CSV
files, exit codes."""

import datetime as dt
import io

from openpyxl import load_workbook

from supplychain.stock.expiry import local_today
from tests.factories import last_month_stock_history


def test_report_prints_every_sku_and_the_totals(app, runner):
    history = last_month_stock_history()
    result = runner.invoke(
        args=["stock", "report", "--from", str(history["first"]),
              "--to", str(history["last"])]  # fmt: skip
    )

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    cake = next(line for line in lines if line.startswith("RP-1"))
    assert "东阿阿胶 阿胶糕" in cake and cake.split()[-1] == "70"
    total = next(line for line in lines if line.startswith("TOTAL"))
    assert total.split()[-1] == "79"
    assert lines[-1].split()[-1] == "229.91"  # closing value of everything


def test_report_writes_xlsx_or_csv(app, runner, tmp_path):
    history = last_month_stock_history()
    period = ["--from", str(history["first"]), "--to", str(history["last"])]
    xlsx, csv_file = tmp_path / "jxc.xlsx", tmp_path / "jxc.csv"

    first = runner.invoke(args=["stock", "report", *period, "--warehouse", "MAIN",
                                "--xlsx", str(xlsx)])  # fmt: skip
    second = runner.invoke(args=["stock", "report", *period, "--csv", str(csv_file)])

    assert first.exit_code == 0 and "wrote 2 rows" in first.output
    rows = list(load_workbook(io.BytesIO(xlsx.read_bytes())).active.values)
    assert rows[1][0] == "RP-1" and rows[1][3] == "MAIN" and rows[1][5] == 0
    assert second.exit_code == 0
    assert csv_file.read_bytes().startswith(b"\xef\xbb\xbf")


def test_report_refuses_bad_periods_and_warehouses(app, runner):
    long = runner.invoke(
        args=["stock", "report", "--from", "2025-01-01", "--to", "2026-01-02"]
    )
    backwards = runner.invoke(
        args=["stock", "report", "--from", "2026-02-02", "--to", "2026-02-01"]
    )
    unknown = runner.invoke(
        args=["stock", "report", "--from", "2026-01-01", "--to", "2026-01-31",
              "--warehouse", "NOPE"]
    )  # fmt: skip
    both = runner.invoke(args=["stock", "report", "--from", "2026-01-01", "--to",
                               "2026-01-31", "--xlsx", "a", "--csv", "b"])  # fmt: skip

    assert long.exit_code == 1 and "366" in long.output
    assert backwards.exit_code == 1 and "ends before it starts" in backwards.output
    assert unknown.exit_code == 1 and "NOPE" in unknown.output
    assert both.exit_code == 2


def test_value_at_prints_rows_and_totals(app, runner):
    history = last_month_stock_history()
    result = runner.invoke(args=["stock", "value-at", str(history["last"])])
    future = runner.invoke(
        args=["stock", "value-at", str(local_today() + dt.timedelta(days=1))]
    )

    assert result.exit_code == 0, result.output
    assert "RP-2" in result.output and "89.91" in result.output
    assert result.output.rstrip().splitlines()[-1].split() == ["TOTAL", "79", "229.91"]
    assert future.exit_code == 2


def test_near_expiry_prints_the_lots_and_exits_0(app, runner):
    last_month_stock_history()
    result = runner.invoke(args=["stock", "near-expiry", "--days", "60"])
    none = runner.invoke(
        args=["stock", "near-expiry", "--days", "10", "--warehouse", "MAIN"]
    )
    bad = runner.invoke(args=["stock", "near-expiry", "--days", "-5"])

    assert result.exit_code == 0
    assert result.output.startswith("1 lot expires within 60 days · 0 expired")
    assert "LOT-A" in result.output and "140.00" in result.output
    assert none.exit_code == 0 and "LOT-A" not in none.output
    assert bad.exit_code == 2
