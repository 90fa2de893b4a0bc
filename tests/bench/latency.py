"""Request latency of the product list and the stock page on a large database.

For each backend (SQLite file, throwaway PostgreSQL): migrate, load the demo distributor
with 2,000 stores, top the stock ledger up to 100,000 moves, start gunicorn on 127.0.0.1
(the production server), log in, and time sequential GETs of the HTML pages and their
API twins.
Prints p50/p95/max in milliseconds. Only loopback traffic; every loop is bounded.

    python -m tests.bench.latency [--stores 2000] [--moves 100000] [--requests 200]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TOP_UP = """
import sys
import sqlalchemy as sa
from supplychain.app import create_app
from supplychain.extensions import db
from supplychain.catalog.models import Product
from supplychain.stock.models import StockMove, Warehouse
from supplychain.stock import ledger

target = int(sys.argv[1])
app = create_app()
with app.app_context():
    have = db.session.scalar(sa.select(sa.func.count(StockMove.id)))
    products = list(
        db.session.scalars(
            sa.select(Product.id).where(Product.is_stocked, ~Product.is_lot_tracked)
        )
    )
    warehouse = db.session.scalar(sa.select(Warehouse.id).where(Warehouse.is_default))
    i = 0
    while have < target:
        # +2 then -1: stock grows slowly, never negative
        qty = 2 if i % 2 == 0 else -1
        ledger.post_adjustment(
            products[(i // 2) % len(products)], warehouse, qty, "bench top-up"
        )
        have += 1
        i += 1
        if i % 2000 == 0:
            db.session.commit()
    db.session.commit()
    print(db.session.scalar(sa.select(sa.func.count(StockMove.id))))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        args, env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@contextlib.contextmanager
def backend(name: str) -> Iterator[str]:
    if name == "sqlite":
        with tempfile.TemporaryDirectory(prefix="bench-sqlite-") as tmp:
            yield f"sqlite:///{tmp}/bench.sqlite"
    else:
        from tests.support.postgres import throwaway_postgres

        with throwaway_postgres("bench") as cluster:
            yield cluster.url()


@contextlib.contextmanager
def gunicorn(env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--log-level",
            "warning",
            "supplychain.app:create_app()",
        ],
        env=env,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def login(client: httpx.Client, username: str, password: str) -> None:
    page = client.get("/auth/login").text
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    token = match.group(1)  # type: ignore[union-attr]
    response = client.post(
        "/auth/login",
        data={"username": username, "password": password, "csrf_token": token},
    )
    if response.status_code != 302:
        raise SystemExit(f"login failed: {response.status_code}")


def timed(
    client: httpx.Client,
    paths: list[str],
    requests: int,
    headers: dict[str, str] | None = None,
) -> list[float]:
    for path in paths[:3]:  # warm-up
        client.get(path, headers=headers)
    samples = []
    for i in range(requests):
        path = paths[i % len(paths)]
        start = time.perf_counter()
        response = client.get(path, headers=headers)
        samples.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} → {response.status_code}")
    return samples


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure(name: str, stores: int, moves: int, requests: int) -> list[tuple]:
    rows = []
    with backend(name) as url:
        env = os.environ | {
            "SUPPLYCHAIN_DATABASE_URL": url,
            "SUPPLYCHAIN_SECRET_KEY": "bench",
        }
        env.pop("SUPPLYCHAIN_REDIS_URL", None)
        cli = str(BIN / "supplychain")
        run([cli, "db", "upgrade"], env)
        started = time.perf_counter()
        run([cli, "demo", "--stores", str(stores), "--seed", "1"], env)
        load_s = time.perf_counter() - started
        total_moves = int(
            run([str(BIN / "python"), "-c", TOP_UP, str(moves)], env)
            .strip()
            .splitlines()[-1]
        )
        with gunicorn(env) as base, httpx.Client(base_url=base, timeout=30) as client:
            login(client, "admin", "demo-admin-2026")
            token = client.post(
                "/api/v1/auth/token",
                json={"username": "admin", "password": "demo-admin-2026"},
            ).json()
            bearer = {"Authorization": f"Bearer {token['access_token']}"}
            cases = [
                (
                    "product list page",
                    [f"/catalog/products?page={p}" for p in range(1, 7)],
                    None,
                ),
                (
                    "product search page",
                    ["/catalog/products?q=艾灸", "/catalog/products?q=阿胶"],
                    None,
                ),
                ("stock page", [f"/stock/?page={p}" for p in range(1, 7)], None),
                (
                    "GET /api/v1/products",
                    [f"/api/v1/products?page={p}&per_page=50" for p in range(1, 7)],
                    bearer,
                ),
                (
                    "GET /api/v1/stock",
                    [f"/api/v1/stock?page={p}&per_page=50" for p in range(1, 7)],
                    bearer,
                ),
            ]
            for label, paths, headers in cases:
                samples = timed(client, paths, requests, headers)
                rows.append(
                    (
                        name,
                        label,
                        stores,
                        total_moves,
                        len(samples),
                        statistics.median(samples),
                        pct(samples, 0.95),
                        max(samples),
                        load_s,
                    )
                )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=int, default=2000)
    parser.add_argument("--moves", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args(argv)
    rows = []
    for name in args.backends.split(","):
        rows += measure(name, args.stores, args.moves, args.requests)
    print(
        "\nRequest latency (gunicorn 2 workers × 4 threads, sequential client, "
        f"{args.requests} requests each)"
    )
    print(
        f"{'backend':<9} {'request':<22} {'stores':>6} {'moves':>7} {'n':>4} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
    )
    for backend_name, label, stores, moves, n, p50, p95, worst, _load in rows:
        print(
            f"{backend_name:<9} {label:<22} {stores:>6} {moves:>7} {n:>4} "
            f"{p50:>8.1f} {p95:>8.1f} {worst:>8.1f}"
        )


if __name__ == "__main__":
    main()
