"""How long loading the demo distributor takes, and how much memory: for each store
count, a fresh SQLite file, then ``supplychain demo --stores N --seed 1`` in a
subprocess (timed, its peak RSS read from the child's rusage), then ``supplychain
check`` on the result.

    python -m tests.bench.demo [--stores 2000 ...] [--products 300] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Result:
    stores: int
    products: int
    merchants: int
    moves: int
    seconds: float
    peak_rss_mb: float
    check_ok: bool


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        args, env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _make_schema(env: dict[str, str]) -> None:
    _run([str(BIN / "supplychain"), "db", "upgrade"], env)


def _timed_child(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process, from its own rusage."""
    started = time.perf_counter()
    child = subprocess.Popen(
        args, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{output.decode(errors='replace')}")
    return seconds, usage.ru_maxrss / 1024  # Linux reports kilobytes


def measure(stores: int, products: int, seed: int) -> Result:
    with tempfile.TemporaryDirectory(prefix="bench-demo-") as tmp:
        path = Path(tmp) / "demo.sqlite"
        env = os.environ | {
            "SUPPLYCHAIN_DATABASE_URL": f"sqlite:///{path}",
            "SUPPLYCHAIN_INSTANCE_PATH": tmp,
            "SUPPLYCHAIN_SECRET_KEY": "bench",
        }
        env.pop("SUPPLYCHAIN_REDIS_URL", None)
        _make_schema(env)
        cli = str(BIN / "supplychain")
        seconds, rss = _timed_child(
            [
                cli,
                "demo",
                "--stores",
                str(stores),
                "--seed",
                str(seed),
                "--products",
                str(products),
            ],
            env,
        )
        check = subprocess.run(
            [cli, "check"], env=env, cwd=ROOT, capture_output=True, check=False
        )
        with sqlite3.connect(path) as conn:
            merchants = conn.execute("SELECT count(*) FROM merchants").fetchone()[0]
            moves = conn.execute("SELECT count(*) FROM stock_moves").fetchone()[0]
        return Result(
            stores, products, merchants, moves, seconds, rss, check.returncode == 0
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=int, nargs="+", default=[2000])
    parser.add_argument("--products", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    results = [measure(stores, args.products, args.seed) for stores in args.stores]
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print("\nDemo load into a fresh SQLite file (supplychain demo, 30 days of history)")
    print(
        f"{'stores':>6} {'products':>8} {'merchants':>9} {'moves':>7} {'seconds':>8} "
        f"{'peak RSS MB':>11} {'check':>5}"
    )
    for r in results:
        check = "ok" if r.check_ok else "FAIL"
        print(
            f"{r.stores:>6} {r.products:>8} {r.merchants:>9} {r.moves:>7} "
            f"{r.seconds:>8.1f} {r.peak_rss_mb:>11.1f} {check:>5}"
        )
    print(f"(largest child of this run, RUSAGE_CHILDREN: {children:.1f} MB)")


if __name__ == "__main__":
    main()
