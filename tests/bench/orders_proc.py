"""Processes for the 订单生成 (ordering) benchmark: the database, the web server under
test (gunicorn or the embedded ``supplychain run``), and CPU accounting read from
/proc, so that "CPU ms per order" can be given for the server and the database
separately — a figure that holds even when other work shares the machine.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TICKS = os.sysconf("SC_CLK_TCK")
LOCKED = "database is locked"


@dataclass(frozen=True)
class Database:
    url: str
    postmaster_pid: int | None = None  # PostgreSQL: whose children are the backends


@dataclass(frozen=True)
class Server:
    base: str
    pgid: int  # the server's process group (it runs in its own session)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_cli(
    args: list[str], env: dict[str, str], timeout: float = 120
) -> tuple[int, str]:
    """``supplychain ARGS`` → (exit code, output)."""
    done = subprocess.run(
        [str(BIN / "supplychain"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return done.returncode, (done.stdout + done.stderr).strip()


@contextlib.contextmanager
def database(backend: str, folder: Path) -> Iterator[Database]:
    """A SQLite file in ``folder`` or a throwaway PostgreSQL cluster (removed on exit;
    ``SUPPLYCHAIN_TEST_DATABASE_URL`` instead uses that database, whose tables the
    bench drops)."""
    if backend == "sqlite":
        yield Database(f"sqlite:///{folder / 'bench.sqlite'}")
        return
    configured = os.environ.get("SUPPLYCHAIN_TEST_DATABASE_URL")
    if configured:
        yield Database(configured)
        return
    from tests.support.postgres import throwaway_postgres

    with throwaway_postgres("bench-orders") as cluster:
        pid = int((cluster.data / "postmaster.pid").read_text().split()[0])
        yield Database(cluster.url(), pid)


def server_command(
    kind: str, port: int, workers: int, threads: int, folder: Path
) -> list[str]:
    if kind == "gunicorn":
        # `make serve` minus `db upgrade` (done before seeding); access log to a file
        return [
            str(BIN / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--access-logfile",
            str(folder / "access.log"),
            "--graceful-timeout",
            "10",
            "--no-control-socket",  # not the shared ~/.gunicorn/gunicorn.ctl
            "supplychain.app:create_app()",
        ]
    # `make demo`'s server: Flask's CLI `run` (werkzeug, a thread per request, no
    # reloader, no debugger)
    return [
        str(BIN / "supplychain"),
        "run",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-reload",
        "--no-debugger",
    ]


@contextlib.contextmanager
def server(
    kind: str, env: dict[str, str], folder: Path, *, workers: int, threads: int
) -> Iterator[Server]:
    """Start the server (log: ``folder/server.log``), wait for /healthz, yield it; stop
    it and its whole process group on exit."""
    port = free_port()
    log = open(folder / "server.log", "wb")
    proc = subprocess.Popen(
        server_command(kind, port, workers, threads, folder),
        env=env,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: nothing outlives the bench
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"{kind} exited ({proc.returncode}):\n{tail(folder)}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{kind} did not answer /healthz:\n{tail(folder)}")
            time.sleep(0.2)
        yield Server(base, proc.pid)
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):  # workers left behind, if any
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def tail(folder: Path, lines: int = 30) -> str:
    try:
        text = (folder / "server.log").read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def scan_log(folder: Path) -> tuple[int, int]:
    """("database is locked" mentions, tracebacks) in the server's log."""
    try:
        text = (folder / "server.log").read_text(errors="replace")
    except OSError:
        return 0, 0
    return text.count(LOCKED), text.count("Traceback (most recent call last)")


# --- CPU accounting -------------------------------------------------------------------
def _processes() -> Iterator[tuple[int, int, int, float]]:
    """(pid, ppid, pgrp, CPU seconds) of every process we can read."""
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                raw = handle.read().decode(errors="replace")
        except OSError:
            continue
        rest = raw[raw.rfind(")") + 2 :].split()
        yield (
            int(entry.name),
            int(rest[1]),
            int(rest[2]),
            (int(rest[11]) + int(rest[12])) / TICKS,
        )


def cpu_seconds(*, pgid: int | None = None, parent: int | None = None) -> float:
    """CPU seconds so far of a process group, or of a process and its children."""
    total = 0.0
    for pid, ppid, pgrp, seconds in _processes():
        if (pgid is not None and pgrp == pgid) or (
            parent is not None and (pid == parent or ppid == parent)
        ):
            total += seconds
    return total


@dataclass
class CpuMeter:
    """CPU used between ``start()`` and ``stop()`` by the server, the database and
    this process (the load generator)."""

    server_pgid: int
    postmaster_pid: int | None
    server: float = 0.0
    database: float = 0.0
    client: float = 0.0

    def _now(self) -> tuple[float, float, float]:
        import resource

        usage = resource.getrusage(resource.RUSAGE_SELF)
        db_cpu = (
            cpu_seconds(parent=self.postmaster_pid)
            if self.postmaster_pid is not None
            else 0.0
        )
        return (
            cpu_seconds(pgid=self.server_pgid),
            db_cpu,
            usage.ru_utime + usage.ru_stime,
        )

    def start(self) -> None:
        self._start = self._now()

    def stop(self) -> None:
        end = self._now()
        self.server, self.database, self.client = (
            e - s for e, s in zip(end, self._start)
        )


def _target(query: str) -> str:
    """``UPDATE stock_levels`` from the start of a statement."""
    words = query.split()
    if len(words) >= 3 and words[0].upper() in ("INSERT", "DELETE"):
        return f"{words[0].upper()} {words[2]}"
    return " ".join(words[:2])


class PgWaits:
    """Samples pg_stat_activity every ``interval`` s in a thread: how many of the
    database's backends were running a statement, and how many of those were waiting
    for a lock (a hot row: the day's order-number counter, a flash-sale stock level)."""

    QUERY = (
        "SELECT state = 'active', wait_event_type = 'Lock', left(query, 40) "
        "FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid()"
    )

    def __init__(self, url: str | None, interval: float = 0.1) -> None:
        self.url = url
        self.interval = interval
        self.samples: list[tuple[int, int]] = []
        self.waiting_on: Counter[str] = Counter()  # the waiting statements' starts
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> PgWaits:
        if self.url:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        import psycopg
        import sqlalchemy as sa

        url = sa.make_url(self.url)
        try:
            with psycopg.connect(
                host=url.host,
                port=url.port,
                user=url.username,
                password=url.password,
                dbname=url.database,
                autocommit=True,
            ) as conn:
                while not self._stop.wait(self.interval):
                    rows = conn.execute(self.QUERY).fetchall()
                    active = sum(1 for a, _, _ in rows if a)
                    waiting = [_target(q) for a, w, q in rows if a and w]
                    self.samples.append((active, len(waiting)))
                    self.waiting_on.update(waiting)
        except psycopg.Error:
            return  # diagnostics only: no samples

    @property
    def active(self) -> float:
        return (
            sum(a for a, _ in self.samples) / len(self.samples) if self.samples else 0
        )

    def top_wait(self) -> str:
        """The statements most often found waiting for a lock, with their shares."""
        if not self.waiting_on:
            return "-"
        total = sum(self.waiting_on.values())
        return ", ".join(
            f"{statement} {count * 100 // total}%"
            for statement, count in self.waiting_on.most_common(2)
        )

    @property
    def waiting(self) -> float:
        return (
            sum(w for _, w in self.samples) / len(self.samples) if self.samples else 0
        )
