"""Reserve-if-available throughput of the stock ledger under contention.

8 threads (each with its own app context, session and connection) race to reserve 1 unit
of one SKU at a time, one transaction per reservation, on a SQLite file and on a
throwaway PostgreSQL cluster (tests/support/postgres.py). Prints: backend, reservations
attempted, succeeded, refused, seconds, reservations/s, and whether the final on hand /
reserved is consistent (reserved = successes, on hand unchanged, every ledger invariant
holds).

    python -m tests.bench.ledger [--threads 8] [--attempts 200] [--stock 800]
                                 [--backends sqlite,postgres]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa


@dataclass(frozen=True)
class Result:
    backend: str
    attempted: int
    succeeded: int
    refused: int
    errors: int
    seconds: float
    consistent: bool

    @property
    def per_second(self) -> float:
        return self.attempted / self.seconds if self.seconds else 0.0


def _make_app(url: str, instance: str):  # type: ignore[no-untyped-def]
    from supplychain.app import create_app

    os.environ["SUPPLYCHAIN_INSTANCE_PATH"] = instance
    try:
        return create_app(
            {"DATABASE_URL": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False}
        )
    finally:
        del os.environ["SUPPLYCHAIN_INSTANCE_PATH"]


def run_backend(
    name: str, url: str, *, threads: int, attempts: int, stock: int
) -> Result:
    """Fresh schema, one SKU with ``stock`` on hand, then the race."""
    from supplychain.bootstrap import ensure_reference_data
    from supplychain.catalog.models import Product
    from supplychain.errors import OutOfStock
    from supplychain.extensions import db
    from supplychain.stock import ledger
    from supplychain.stock.checks import check_invariants
    from supplychain.stock.models import StockLevel, Warehouse

    with tempfile.TemporaryDirectory(prefix="bench-ledger-") as instance:
        app = _make_app(url, instance)
        with app.app_context():
            db.drop_all()
            db.create_all()
            ensure_reference_data()
            product = Product(
                sku="BENCH-1",
                name="压测商品 bench item",
                unit="盒",
                price=Decimal("1.00"),
            )
            db.session.add(product)
            db.session.commit()
            product_id = product.id
            warehouse_id = db.session.scalar(
                sa.select(Warehouse.id).where(Warehouse.is_default)
            )
            ledger.post_adjustment(
                product_id, warehouse_id, stock, "bench opening stock"
            )
            db.session.commit()

        start = threading.Barrier(threads + 1)
        lock = threading.Lock()
        counts = {"ok": 0, "refused": 0, "errors": 0}

        def worker() -> None:
            with app.app_context():
                start.wait()
                for _ in range(attempts):
                    try:
                        ledger.reserve(product_id, warehouse_id, 1)
                        db.session.commit()
                        outcome = "ok"
                    except OutOfStock:
                        db.session.rollback()
                        outcome = "refused"
                    except (
                        Exception
                    ):  # noqa: BLE001 - counted and reported as inconsistent
                        db.session.rollback()
                        outcome = "errors"
                    with lock:
                        counts[outcome] += 1
                db.session.remove()

        pool = [threading.Thread(target=worker) for _ in range(threads)]
        for thread in pool:
            thread.start()
        start.wait()
        began = time.perf_counter()
        for thread in pool:
            thread.join()
        seconds = time.perf_counter() - began

        with app.app_context():
            on_hand, reserved = db.session.execute(
                sa.select(StockLevel.on_hand_qty, StockLevel.reserved_qty).where(
                    StockLevel.product_id == product_id
                )
            ).one()
            consistent = (
                counts["errors"] == 0
                and reserved == counts["ok"] == min(stock, threads * attempts)
                and on_hand == stock
                and check_invariants() == []
            )
            db.session.remove()
            db.engine.dispose()
    return Result(
        name,
        threads * attempts,
        counts["ok"],
        counts["refused"],
        counts["errors"],
        seconds,
        consistent,
    )


@contextlib.contextmanager
def postgres_url() -> Iterator[str]:
    """SUPPLYCHAIN_TEST_DATABASE_URL if set, else a throwaway cluster for this run."""
    configured = os.environ.get("SUPPLYCHAIN_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    from tests.support.postgres import throwaway_postgres

    with throwaway_postgres("bench-ledger") as cluster:
        yield cluster.url()


def print_table(results: list[Result | tuple[str, str]]) -> None:
    header = (
        "backend",
        "attempted",
        "succeeded",
        "refused",
        "seconds",
        "reservations/s",
        "consistent",
    )
    print(" | ".join(f"{h:>14}" for h in header))
    print("-+-".join("-" * 14 for _ in header))
    for r in results:
        if isinstance(r, tuple):
            print(f"{r[0]:>14} | skipped: {r[1]}")
            continue
        cells = (
            r.backend,
            r.attempted,
            r.succeeded,
            r.refused,
            f"{r.seconds:.2f}",
            f"{r.per_second:.0f}",
            "yes" if r.consistent else f"NO ({r.errors} errors)",
        )
        print(" | ".join(f"{c!s:>14}" for c in cells))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument(
        "--attempts", type=int, default=200, help="reservations per thread"
    )
    parser.add_argument(
        "--stock", type=int, default=800, help="units on hand at the start"
    )
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args(argv)
    if not (
        1 <= args.threads <= 64
        and 1 <= args.attempts <= 100_000
        and 1 <= args.stock <= 1_000_000
    ):
        parser.error("threads 1..64, attempts 1..100000, stock 1..1000000")
    settings = {"threads": args.threads, "attempts": args.attempts, "stock": args.stock}
    print(
        f"ledger reserve-if-available: {args.threads} threads × {args.attempts} "
        "reservations of 1 unit, "
        f"{args.stock} on hand"
    )
    results: list[Result | tuple[str, str]] = []
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        if backend == "sqlite":
            with tempfile.TemporaryDirectory(prefix="bench-ledger-db-") as folder:
                results.append(
                    run_backend(
                        "sqlite", f"sqlite:///{folder}/bench.sqlite", **settings
                    )
                )
        elif backend == "postgres":
            try:
                with postgres_url() as url:
                    results.append(run_backend("postgresql", url, **settings))
            except (
                Exception
            ) as error:  # noqa: BLE001 - e.g. no PostgreSQL binaries here
                if type(error).__name__ != "PostgresUnavailable":
                    raise
                results.append(("postgresql", str(error)))
        else:
            parser.error(f"unknown backend {backend}")
    print_table(results)
    return 0 if all(isinstance(r, tuple) or r.consistent for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
