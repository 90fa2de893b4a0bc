"""订单生成 ordering: where does one POST /api/v1/orders spend its time? cProfile of the
app in-process (Flask test client, no network), on a seeded SQLite file or a throwaway
PostgreSQL cluster, sequential 5-line orders from the bench merchants.

Prints, from an unprofiled run, wall and CPU time per order (the app's process, and on
PostgreSQL its backends' CPU read from /proc) and SQL statements per order; then, from a
cProfile run (wall clock; ``--cpu-clock`` times by CPU so that waits and other work on
the machine do not count, at ~5x overhead) a breakdown by step (cumulative time of the
functions that make the step, per order; steps nest, so they do not add up) and the top
functions by own time. cProfile adds its own overhead: read the steps as shares, the
unprofiled line as the cost.

    python -m tests.bench.orders_profile [--backend sqlite|postgres] [--orders 300]
        [--top 25] [--sql] [--cpu-clock]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import pstats
import random
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# step → (module path fragment, function name); cumulative time per order
STEPS: tuple[tuple[str, str, str], ...] = (
    ("request total (WSGI app)", "flask/app.py", "wsgi_app"),
    ("token auth (user_for_token)", "supplychain/auth/services.py", "user_for_token"),
    ("audit actor (set_audit_actor)", "blueprints/shell.py", "set_audit_actor"),
    ("body parsing (webargs/marshmallow)", "webargs/core.py", "parse"),
    ("place_order (service)", "supplychain/orders/services.py", "place_order"),
    ("  idempotency.claim (own commit)", "supplychain/orders/idempotency.py", "claim"),
    ("  resolve_merchant", "supplychain/orders/services.py", "resolve_merchant"),
    ("  build_order", "supplychain/orders/services.py", "build_order"),
    ("    check_lines", "supplychain/orders/services.py", "check_lines"),
    ("    calendar_for", "supplychain/orders/schedule.py", "calendar_for"),
    (
        "    prices_for_products",
        "supplychain/catalog/services.py",
        "prices_for_products",
    ),
    ("    default_warehouse", "supplychain/stock/queries.py", "default_warehouse"),
    ("    ledger.reserve_many", "supplychain/stock/ledger.py", "reserve_many"),
    ("    credit.check", "supplychain/orders/credit.py", "check"),
    ("    next_number", "supplychain/orders/services.py", "next_number"),
    ("    session flush (INSERTs)", "sqlalchemy/orm/session.py", "flush"),
    (
        "      audit rows (_after_flush)",
        "supplychain/audit/recorder.py",
        "_after_flush",
    ),
    ("  idempotency.complete", "supplychain/orders/idempotency.py", "complete"),
    ("  session commit", "sqlalchemy/orm/session.py", "commit"),
    ("response (marshmallow dump)", "marshmallow/schema.py", "dump"),
    ("SQL: cursor.execute (all)", "sqlalchemy/engine/default.py", "do_execute"),
    ("SQL: executemany (all)", "sqlalchemy/engine/default.py", "do_executemany"),
    ("pool checkout", "sqlalchemy/pool/base.py", "_checkout"),
)


def _step_times(stats: pstats.Stats, orders: int) -> list[tuple[str, float, int]]:
    """(label, ms per order, calls per order) for each step."""
    raw: Any = stats.stats  # type: ignore[attr-defined]
    rows = []
    for label, path, name in STEPS:
        cumulative = 0.0
        calls = 0
        for (filename, _line, function), (cc, _nc, _tt, ct, callers) in raw.items():
            if function != name or not filename.replace("\\", "/").endswith(path):
                continue
            cumulative += ct
            calls += cc
        rows.append((label, cumulative * 1000 / orders, round(calls / orders, 1)))
    return rows


@contextlib.contextmanager
def _database(backend: str, folder: Path) -> Iterator[tuple[str, int | None]]:
    """(URL, PostgreSQL postmaster pid or None)."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'profile.sqlite'}", None
        return
    from tests.support.postgres import throwaway_postgres

    with throwaway_postgres("bench-orders-profile") as cluster:
        pid = int((cluster.data / "postmaster.pid").read_text().split()[0])
        yield cluster.url(), pid


class _Orders:
    """Sequential 5-line orders through the Flask test client."""

    def __init__(self, app: Any, seeded: Any, lines: int) -> None:
        self.client = app.test_client()
        self.seeded = seeded
        self.lines = lines
        self.rng = random.Random(1)
        self.n = 0

    def place(self) -> None:
        tokens, skus = self.seeded.tokens, self.seeded.skus
        body = {
            "lines": [
                {"sku": sku, "qty": self.rng.randint(1, 3)}
                for sku in self.rng.sample(skus, self.lines)
            ]
        }
        response = self.client.post(
            "/api/v1/orders",
            json=body,
            headers={
                "Authorization": f"Bearer {tokens[self.n % len(tokens)]}",
                "Idempotency-Key": str(uuid.uuid4()),
            },
        )
        self.n += 1
        if response.status_code != 201:
            raise SystemExit(
                f"POST /api/v1/orders → {response.status_code}: "
                f"{response.get_data(as_text=True)[:300]}"
            )

    def many(self, count: int) -> None:
        for _ in range(count):
            self.place()


def _sql_of_one(engine: Any, orders: _Orders) -> list[str]:
    import sqlalchemy as sa

    seen: list[str] = []

    def log(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split())[:150])

    sa.event.listen(engine, "before_cursor_execute", log)
    orders.place()
    sa.event.remove(engine, "before_cursor_execute", log)
    return seen


@dataclass
class Measured:
    wall_ms: float  # per order, unprofiled
    cpu_ms: float  # this process's CPU per order, unprofiled
    db_cpu_ms: float  # PostgreSQL backends' CPU per order (0 on SQLite)
    statements: float  # SQL statements per order
    stats: pstats.Stats
    sql: list[str]


def measure(
    backend: str,
    orders: int,
    *,
    lines: int = 5,
    show_sql: bool = False,
    cpu_clock: bool = False,
) -> Measured:
    """Seed a fresh database, warm up, then time and profile ``orders`` orders."""
    import sqlalchemy as sa

    from supplychain.extensions import db
    from tests.bench.orders_proc import cpu_seconds
    from tests.bench.orders_seed import make_app, seed

    with tempfile.TemporaryDirectory(prefix="bench-orders-profile-") as tmp:
        with _database(backend, Path(tmp)) as (url, postmaster):
            app = make_app(url, tmp)
            with app.app_context():
                db.create_all()
                engine = db.engine
            placer = _Orders(app, seed(app), lines)
            placer.many(30)  # warm-up: imports, caches, first connections
            sql = _sql_of_one(engine, placer) if show_sql else []

            def db_cpu() -> float:
                return cpu_seconds(parent=postmaster) if postmaster else 0.0

            started, cpu, db0 = time.perf_counter(), time.process_time(), db_cpu()
            placer.many(orders)
            wall = time.perf_counter() - started
            cpu, db0 = time.process_time() - cpu, db_cpu() - db0

            statements = 0

            def count(*_args: Any) -> None:
                nonlocal statements
                statements += 1

            sa.event.listen(engine, "before_cursor_execute", count)
            profiler = cProfile.Profile(
                time.process_time if cpu_clock else time.perf_counter
            )
            profiler.runcall(placer.many, orders)
            sa.event.remove(engine, "before_cursor_execute", count)
            engine.dispose()
    return Measured(
        wall * 1000 / orders,
        cpu * 1000 / orders,
        db0 * 1000 / orders,
        statements / orders,
        pstats.Stats(profiler),
        sql,
    )


def profile(
    backend: str,
    orders: int,
    top: int,
    *,
    lines: int = 5,
    show_sql: bool = False,
    cpu_clock: bool = False,
) -> None:
    m = measure(backend, orders, lines=lines, show_sql=show_sql, cpu_clock=cpu_clock)
    clock = "CPU" if cpu_clock else "wall"
    calls = m.stats.total_calls / orders  # type: ignore[attr-defined]
    if m.sql:
        print(f"\nSQL of one order ({len(m.sql)} statements):")
        for number, text in enumerate(m.sql, 1):
            print(f"{number:>3}. {text}")
    print(
        f"\nPOST /api/v1/orders in-process ({backend}, {lines}-line orders, "
        f"{orders} sequential, unprofiled): {m.wall_ms:.1f} ms wall/order "
        f"({1000 / m.wall_ms:.0f} orders/s on one thread), app CPU "
        f"{m.cpu_ms:.1f} ms/order, PostgreSQL CPU {m.db_cpu_ms:.1f} ms/order; "
        f"{m.statements:.1f} SQL statements and "
        f"{calls:,.0f} Python function calls per order "
        "(the last two do not depend on the machine's load)"
    )
    step = f"step ({clock}, cumulative, nested)"
    print(f"\n{step:<40} {'ms/order':>9} {'calls':>6}")
    print(f"{'-' * 40} {'-' * 9} {'-' * 6}")
    for label, ms, calls in _step_times(m.stats, orders):
        print(f"{label:<40} {ms:>9.2f} {calls:>6}")
    if top:
        print(f"\nTop {top} functions by own {clock} time (inflated by cProfile)")
        m.stats.sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sql", action="store_true", help="list one order's SQL")
    parser.add_argument(
        "--cpu-clock",
        action="store_true",
        help="profile by CPU time (ignores waits and other load; ~5x overhead)",
    )
    args = parser.parse_args(argv)
    if not 10 <= args.orders <= 10_000:
        parser.error("orders 10..10000")
    profile(
        args.backend,
        args.orders,
        args.top,
        show_sql=args.sql,
        cpu_clock=args.cpu_clock,
    )


if __name__ == "__main__":
    main()
