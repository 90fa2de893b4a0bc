"""进销存 benchmark at 100,000 and 1,000,000 moves (``make bench-stock``, issue 5).

For each backend — a SQLite file (WAL, as the app configures it) and a throwaway
PostgreSQL cluster (tests/support/postgres.py) — and each size, the bench builds a fresh
schema, seeds a year of moves for 300 SKUs in 2 warehouses in bulk
(tests/bench/stock_seed.py: the ledger's arithmetic in Python, then executemany / COPY),
posts a few real ledger calls on top (receipts, issues, a transfer through transit) and
runs ``check_invariants()``. PostgreSQL gets a ``VACUUM ANALYZE`` after the load (what
autovacuum does on its own a little later); SQLite is measured as the app leaves it.
Then, with fresh connections, it times:

- available quantity of one SKU (``queries.available_qty``) on random SKUs and
  warehouses: p50 / p95 / max (target p95 < 5 ms);
- the monthly 进销存 report for all SKUs (``reports.movement_summary``) for the last full
  month and a month half a year back, per warehouse and for all warehouses, with the
  anchor it chose (target < 5 s);
- stock value six months back (``reports.stock_value_at``, target < 5 s);
- the stock list page (first page of ``queries.stock_query``), the moves page of a SKU
  (first page of ``queries.moves_query``) and a SKU's history with running balance
  (``reports.product_history``, last month; no target).

One proposal is measured beside the real thing (a row without a target): the
available-quantity SQL as a statement built once (interleaved call by call with
``available_qty``: what is left is the database's share). (An earlier proposal, the
covering flow indexes on stock_moves, measured ×2–13 faster reports on SQLite at 1M
moves and became migration 0005.)

Prints the seeding figures, then one table: backend, moves, measure, value, target,
pass/fail and how the figure grew from the smallest size to this one. Exit 1 when the
invariants are not clean; 0 otherwise, whatever the speed (the figures are the point).
The machine's load average is printed at the start and the end: on a shared machine
the latency percentiles move with it.

    python -m tests.bench.stock [--sizes 100000,1000000] [--backends sqlite,postgres]
        [--calls 500] [--repeat 3] [--keep] [--seed 1]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import random
import shutil
import statistics
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tests.bench.orders_seed import make_app
from tests.bench.stock_seed import SeedResult, seed_stock

TARGET_AVAILABLE_MS = 5.0
TARGET_REPORT_S = 5.0


# --- results --------------------------------------------------------------------------
@dataclass
class Measure:
    name: str
    value: float  # the headline figure (ms for latencies, s for reports)
    unit: str
    shown: str  # the value column
    target: float | None = None
    detail: str = ""

    @property
    def verdict(self) -> str:
        if self.target is None:
            return "-"
        return "pass" if self.value < self.target else "FAIL"

    @property
    def target_text(self) -> str:
        if self.target is None:
            return "-"
        return f"< {self.target:g} {self.unit}"


@dataclass
class Run:
    backend: str
    size: int
    seed: SeedResult | None = None
    vacuum_s: float | None = None
    check_s: float | None = None
    problems: list[str] = field(default_factory=list)
    ledger_calls: int = 0
    measures: list[Measure] = field(default_factory=list)
    skipped: str = ""


# --- timing helpers -------------------------------------------------------------------
def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    began = time.perf_counter()
    result = fn()
    return time.perf_counter() - began, result


def repeat(fn: Callable[[], Any], times: int) -> tuple[list[float], Any]:
    seconds, result = [], None
    for _ in range(times):
        took, result = timed(fn)
        seconds.append(took)
    return seconds, result


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _runs(seconds: list[float]) -> str:
    return "/".join(f"{s:.2f}" for s in seconds) + " s"


# --- one backend, one size ------------------------------------------------------------
def run_size(
    backend: str, url: str, size: int, args: argparse.Namespace, folder: str
) -> Run:
    from supplychain.bootstrap import ensure_reference_data
    from supplychain.extensions import db
    from supplychain.stock.checks import check_invariants

    run = Run(backend, size)
    app = make_app(url, folder)
    with app.app_context():
        db.drop_all()
        db.create_all()
        ensure_reference_data()
        print(f"[{backend} {size:,}] seeding …", flush=True)
        step = max(size // 5, 1)
        marks = {"next": step}

        def progress(written: int) -> None:
            if written >= marks["next"] or written == size:
                print(f"  {written:,} moves", flush=True)
                marks["next"] = written + step

        run.seed = seed_stock(size, seed=args.seed, end=args.end, progress=progress)
        if backend == "postgresql":
            run.vacuum_s, _ = timed(lambda: _vacuum_analyze(db.engine))
        db.session.remove()
        db.engine.dispose()  # measure on fresh connections, as the app opens them

        run.ledger_calls = ledger_calls_on_top(run.seed)
        print(f"[{backend} {size:,}] check_invariants() …", flush=True)
        run.check_s, run.problems = timed(check_invariants)
        db.session.remove()
        print(
            (
                "  invariants: clean"
                if not run.problems
                else "  invariants: NOT clean\n    " + "\n    ".join(run.problems[:20])
            ),
            f"({run.check_s:.1f} s)",
            flush=True,
        )
        print(f"[{backend} {size:,}] measuring …", flush=True)
        run.measures = measure(run.seed, args)
        db.session.remove()
        db.session.remove()
        db.engine.dispose()
    return run


def _vacuum_analyze(engine: sa.Engine) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))


def ledger_calls_on_top(seed: SeedResult) -> int:
    """Real ledger calls after the seeded year: a receipt of a new lot and of an
    untracked SKU, issues (FEFO over the seeded lots), a transfer through transit.
    Returns how many calls were made (all committed)."""
    from supplychain.catalog.models import Product
    from supplychain.extensions import db
    from supplychain.stock import ledger
    from supplychain.stock.queries import available_qty

    main, other = seed.warehouse_ids
    calls = 0
    for tracked in (True, False):
        product = db.session.scalar(
            sa.select(Product)
            .where(Product.id.in_(seed.product_ids), Product.is_lot_tracked == tracked)
            .order_by(Product.id)
            .limit(1)
        )
        lot = (
            {"lot": f"{product.sku}-BENCH", "expiry_date": dt.date(2031, 12, 31)}
            if tracked
            else {}
        )
        ledger.post_receipt(
            product.id, main, 240, unit_cost=Decimal("8.88"), reason="Bench receipt",
            **lot,
        )  # fmt: skip
        issue = min(30, available_qty(product.id, main))
        if issue > 0:
            ledger.post_issue(product.id, main, issue, reason="Bench issue")
            calls += 1
        out = ledger.dispatch_transfer(product.id, 12, from_warehouse_id=main)
        for move in out:
            ledger.receive_transfer(
                product.id,
                move.qty,
                move.value,
                to_warehouse_id=other,
                lot_id=move.lot_id,
            )
        calls += 2 + len(out)
        db.session.commit()
    db.session.remove()
    return calls


def measure(seed: SeedResult, args: argparse.Namespace) -> list[Measure]:
    from supplychain.extensions import db
    from supplychain.paging import page_of
    from supplychain.stock import queries, reports
    from supplychain.stock.expiry import local_today
    from supplychain.stock.models import Warehouse

    rng = random.Random(args.seed)
    results: list[Measure] = []
    codes = dict(db.session.execute(sa.select(Warehouse.id, Warehouse.code)).all())
    products, warehouses = list(seed.product_ids), list(seed.warehouse_ids)

    # (a) available quantity of one SKU; interleaved with the same SQL built once
    # (the proposal), so that both see the same load
    prebuilt = _prebuilt_available()
    for _ in range(20):  # warm-up: statement cache, connection, page cache
        queries.available_qty(rng.choice(products), rng.choice(warehouses))
        _available_prebuilt(prebuilt, rng.choice(products), rng.choice(warehouses))
    samples: list[float] = []
    built_once: list[float] = []
    for _ in range(args.calls):
        product, warehouse = rng.choice(products), rng.choice(warehouses)
        took, found = timed(lambda: queries.available_qty(product, warehouse))
        samples.append(took * 1000)
        took, again = timed(lambda: _available_prebuilt(prebuilt, product, warehouse))
        built_once.append(took * 1000)
        assert found == again, "the prebuilt statement must give the same answer"
    for name, values, target, detail in (
        ("available_qty (1 SKU)", samples, TARGET_AVAILABLE_MS, f"{args.calls} calls"),
        (
            "  same SQL, statement built once",
            built_once,
            None,
            "proposal: the time left is the database's",
        ),
    ):
        p50, p95 = percentile(values, 0.5), percentile(values, 0.95)
        results.append(
            Measure(
                name,
                p95,
                "ms",
                f"p50 {p50:.2f} / p95 {p95:.2f} / max {max(values):.1f} ms",
                target,
                detail,
            )
        )
    db.session.remove()

    # (b) the monthly 进销存 report, (c) stock value at a past date
    results += measure_reports(warehouses, codes, args.repeat)

    # stock list page, a SKU's moves page, a SKU's history
    seconds, page = repeat(
        lambda: page_of(queries.stock_query(), 1, 50, scalars=False), args.repeat
    )
    db.session.remove()
    value = statistics.median(seconds) * 1000
    results.append(
        Measure(
            "stock list, first page",
            value,
            "ms",
            f"{value:.1f} ms",
            None,
            f"{page.total} rows in all, runs {_runs(seconds)}",
        )
    )
    busiest = _busiest_product()
    seconds, page = repeat(
        lambda: page_of(queries.moves_query(product_id=busiest), 1, 50), args.repeat
    )
    db.session.remove()
    value = statistics.median(seconds) * 1000
    results.append(
        Measure(
            "moves of a SKU, first page",
            value,
            "ms",
            f"{value:.1f} ms",
            None,
            f"busiest SKU, {page.total} moves, runs {_runs(seconds)}",
        )
    )
    recent_first = _months_back(local_today().replace(day=1), 1)
    last_month = reports.period_bounds(recent_first, _month_end(recent_first))
    results.append(_history(busiest, warehouses[0], last_month, args.repeat))
    return results


def measure_reports(
    warehouses: list[int], codes: dict[int, str], times: int
) -> list[Measure]:
    """The monthly 进销存 report (last full month, and the month six months back; per
    warehouse and all warehouses) and stock value six months back."""
    from supplychain.extensions import db
    from supplychain.stock import reports
    from supplychain.stock.expiry import local_today

    results = []
    today = local_today()
    for first in (_months_back(today.replace(day=1), 1), _months_back(today, 6)):
        first = first.replace(day=1)
        start, end = reports.period_bounds(first, _month_end(first))
        for warehouse_id in (*warehouses, None):
            where = codes[warehouse_id] if warehouse_id else "all warehouses"

            def report(s=start, e=end, w=warehouse_id):  # type: ignore[no-untyped-def]
                return reports.movement_summary(s, e, warehouse_id=w)

            seconds, result = repeat(report, times)
            db.session.remove()
            value = statistics.median(seconds)
            results.append(
                Measure(
                    f"进销存 {first:%Y-%m}, {where}",
                    value,
                    "s",
                    f"{value:.2f} s",
                    TARGET_REPORT_S,
                    f"{result.anchored} anchor, {len(result.rows)} rows, "
                    f"runs {_runs(seconds)}",
                )
            )
    past = _months_back(today, 6)
    instant = reports.local_midnight(past)
    seconds, rows = repeat(lambda: reports.stock_value_at(instant), times)
    db.session.remove()
    value = statistics.median(seconds)
    total = sum((r.value for r in rows), Decimal(0))
    results.append(
        Measure(
            f"stock_value_at {past:%Y-%m-%d} 00:00",
            value,
            "s",
            f"{value:.2f} s",
            TARGET_REPORT_S,
            f"{len(rows)} rows, ¥{total:,.2f}, runs {_runs(seconds)}",
        )
    )
    return results


def _prebuilt_available() -> sa.Select:
    """``queries.available_qty``'s SQL as one statement with bind parameters, built
    once (as the ledger builds its reservation UPDATE): only the execution is left per
    call."""
    from supplychain.stock.expiry import unusable_qty
    from supplychain.stock.models import StockLevel

    day = sa.bindparam("on", type_=sa.Date)
    return sa.select(
        StockLevel.on_hand_qty
        - StockLevel.reserved_qty
        - unusable_qty(StockLevel.product_id, StockLevel.warehouse_id, day)
    ).where(
        StockLevel.product_id == sa.bindparam("p"),
        StockLevel.warehouse_id == sa.bindparam("w"),
    )


def _available_prebuilt(
    statement: sa.Select, product_id: int, warehouse_id: int
) -> int:
    from supplychain.extensions import db
    from supplychain.stock.expiry import local_today

    params = {"p": product_id, "w": warehouse_id, "on": local_today()}
    return int(db.session.execute(statement, params).scalar() or 0)


def _history(
    product_id: int,
    warehouse_id: int,
    period: tuple[dt.datetime, dt.datetime],
    times: int,
) -> Measure:
    """A SKU's movement history with running balance over ``period``
    (``reports.product_history``)."""
    from supplychain.extensions import db
    from supplychain.stock import reports

    seconds, result = repeat(
        lambda: reports.product_history(product_id, *period, warehouse_id=warehouse_id),
        times,
    )
    db.session.remove()
    value = statistics.median(seconds) * 1000
    return Measure(
        "SKU history, last month",
        value,
        "ms",
        f"{value:.1f} ms",
        None,
        f"busiest SKU in MAIN, {len(result.lines)} lines, runs {_runs(seconds)}",
    )


def _busiest_product() -> int:
    from supplychain.extensions import db
    from supplychain.stock.models import StockMove

    return int(
        db.session.scalar(
            sa.select(StockMove.product_id)
            .group_by(StockMove.product_id)
            .order_by(sa.func.count().desc())
            .limit(1)
        )
    )


def _months_back(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 - months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, 28))


def _month_end(first: dt.date) -> dt.date:
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(
        days=1
    )


# --- databases ------------------------------------------------------------------------
@contextlib.contextmanager
def postgres_cluster() -> Iterator[Any]:
    """A throwaway cluster (or ``SUPPLYCHAIN_TEST_DATABASE_URL``, a plain URL)."""
    configured = os.environ.get("SUPPLYCHAIN_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    from tests.support.postgres import throwaway_postgres

    with throwaway_postgres("bench-stock") as cluster:
        yield cluster


def database_url(cluster: Any, size: int) -> str:
    if isinstance(cluster, str):  # SUPPLYCHAIN_TEST_DATABASE_URL: tables are dropped
        return cluster
    name = f"bench_stock_{size}"
    cluster.create_database(name)
    return cluster.url(name)


def keep_postgres(cluster: Any, url: str, folder: Path, size: int) -> None:
    """``--keep`` on PostgreSQL: a ``pg_dump -Fc`` of the database into ``folder``
    (a throwaway cluster does not outlive the run: the test suite reaps clusters
    whose owner has exited)."""
    import subprocess

    if isinstance(cluster, str):
        print(f"  kept: the tables stay in {url}")
        return
    target = folder / f"stock-{size}.pgdump"
    libpq = sa.make_url(url).set(drivername="postgresql").render_as_string(False)
    subprocess.run(
        [str(cluster.bindir / "pg_dump"), "-Fc", "-f", str(target), libpq],
        check=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("PG")},
    )
    print(f"  kept: {target} (pg_restore -d DATABASE {target})")


def run_backend(
    backend: str, sizes: list[int], args: argparse.Namespace, runs: list[Run]
) -> None:
    folder = Path(tempfile.mkdtemp(prefix=f"bench-stock-{backend}-"))
    try:
        if backend == "sqlite":
            for size in sizes:
                url = f"sqlite:///{folder / f'stock-{size}.sqlite'}"
                runs.append(run_size("sqlite", url, size, args, str(folder)))
            return
        try:
            with postgres_cluster() as cluster:
                for size in sizes:
                    url = database_url(cluster, size)
                    runs.append(run_size("postgresql", url, size, args, str(folder)))
                    if args.keep:
                        keep_postgres(cluster, url, folder, size)
        except Exception as error:  # noqa: BLE001 - e.g. no PostgreSQL binaries here
            if type(error).__name__ != "PostgresUnavailable":
                raise
            runs.append(Run("postgresql", 0, skipped=str(error)))
    finally:
        if args.keep:
            print(f"kept {backend} files in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


# --- printing -------------------------------------------------------------------------
def _width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(cell: Any, width: int, left: bool) -> str:
    text = str(cell)
    fill = " " * max(0, width - _width(text))
    return text + fill if left else fill + text


def _row(cells: tuple[Any, ...], widths: tuple[int, ...]) -> str:
    return " | ".join(
        _pad(cell, w, i in (2, 3, 7)) for i, (cell, w) in enumerate(zip(cells, widths))
    ).rstrip()


def print_seeding(runs: list[Run]) -> None:
    widths = (10, 9, 9, 7, 9, 7, 10, 11, 12)
    header = (
        "backend", "moves", "seed s", "lots", "balances", "levels", "vacuum s",
        "check s", "invariants",
    )  # fmt: skip
    print("\nseeding (bulk, the ledger's arithmetic) and check_invariants()")
    print(" | ".join(f"{h:>{w}}" for h, w in zip(header, widths)))
    print("-+-".join("-" * w for w in widths))
    for run in runs:
        if run.skipped:
            print(f"{run.backend:>10} | skipped: {run.skipped}")
            continue
        seed = run.seed
        cells = (
            run.backend,
            f"{seed.moves:,}",
            f"{seed.seconds:.1f}",
            f"{seed.lots:,}",
            f"{seed.balances:,}",
            seed.levels,
            f"{run.vacuum_s:.1f}" if run.vacuum_s is not None else "-",
            f"{run.check_s:.1f}",
            "clean" if not run.problems else f"{len(run.problems)} PROBLEMS",
        )
        print(" | ".join(f"{c!s:>{w}}" for c, w in zip(cells, widths)))
    for run in runs:
        seed = run.seed
        if seed is None:
            continue
        print(
            f"{run.backend} {seed.moves:,}: {seed.on_hand:,} units on hand "
            f"({seed.expired:,} in expired lots, {seed.quarantined:,} in quarantine), "
            f"{seed.in_transit:,} in transit, {seed.reserved:,} reserved "
            f"({seed.reserved_levels} SKU × warehouse); {run.ledger_calls} ledger "
            "calls on top; events: "
            + ", ".join(f"{k} {v:,}" for k, v in seed.counts.items())
        )


def print_table(runs: list[Run]) -> None:
    widths = (10, 9, 40, 34, 8, 6, 6, 40)
    header = ("backend", "moves", "measure", "value", "target", "result", "growth",
              "detail")  # fmt: skip
    print("\n进销存 read side (growth = this size's figure / the smallest size's)")
    print(_row(header, widths))
    print("-+-".join("-" * w for w in widths))
    base: dict[tuple[str, str], float] = {}
    for run in sorted(runs, key=lambda r: (r.backend, r.size)):
        if run.skipped:
            print(f"{run.backend:>10} | skipped: {run.skipped}")
            continue
        for m in run.measures:
            key = (run.backend, m.name)
            base.setdefault(key, m.value)
            growth = (
                f"×{m.value / base[key]:.1f}"
                if base[key] and m.value and run.size != min_size(runs, run.backend)
                else ""
            )
            cells = (
                run.backend, f"{run.size:,}", m.name, m.shown, m.target_text,
                m.verdict, growth, m.detail,
            )  # fmt: skip
            print(_row(cells, widths))


def min_size(runs: list[Run], backend: str) -> int:
    return min(r.size for r in runs if r.backend == backend and not r.skipped)


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--calls", type=int, default=500, help="available_qty calls")
    parser.add_argument("--repeat", type=int, default=3, help="runs per report")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the databases: the SQLite files, a pg_dump of each PostgreSQL one",
    )
    args = parser.parse_args(argv)
    try:
        sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s})
    except ValueError:
        parser.error("--sizes: comma-separated whole numbers")
    if not sizes or not all(1_000 <= s <= 5_000_000 for s in sizes):
        parser.error("--sizes: each from 1000 to 5000000")
    if not 1 <= args.calls <= 100_000 or not 1 <= args.repeat <= 20:
        parser.error("--calls 1..100000, --repeat 1..20")
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(backends) - {"sqlite", "postgres"}
    if unknown:
        parser.error(f"unknown backend {', '.join(sorted(unknown))}")
    print(
        f"进销存 bench: sizes {', '.join(f'{s:,}' for s in sizes)} moves, "
        f"backends {', '.join(backends)}, 300 SKUs, 2 warehouses, 1 year"
    )
    # one history for every backend and size: it ends at the start of this hour
    args.end = dt.datetime.now(dt.timezone.utc).replace(
        minute=0, second=0, microsecond=0
    )
    print(f"load average at the start: {_load()} (other work on this machine counts)")
    began = time.perf_counter()
    runs: list[Run] = []
    for backend in backends:
        run_backend(backend, sizes, args, runs)
    print_seeding(runs)
    print_table(runs)
    print(f"\ntotal {time.perf_counter() - began:.0f} s, load average now {_load()}")
    clean = all(run.skipped or not run.problems for run in runs)
    return 0 if clean else 1


if __name__ == "__main__":
    raise SystemExit(main())
