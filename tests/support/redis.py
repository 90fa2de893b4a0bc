"""A throwaway redis-server for @pytest.mark.redis tests: session fixture ``redis_url``.

Starts ``redis-server`` on a free 127.0.0.1 port in a temp dir (no persistence) and
stops it at session end. ``SUPPLYCHAIN_TEST_REDIS_URL`` points the tests at an
existing server instead. Without redis-server the tests are skipped — unless
SUPPLYCHAIN_REQUIRE_SERVICES=1, then they fail (CI must not pass with them silently
skipped).
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

START_DEADLINE_S = 20.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _missing(reason: str) -> None:
    if os.environ.get("SUPPLYCHAIN_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (SUPPLYCHAIN_REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(reason)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _start(binary: str, directory: Path) -> tuple[subprocess.Popen, str]:
    """Start redis-server; a port taken between choice and bind gets another try."""
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    log_path = directory / "redis.log"
    for _attempt in range(3):
        port = _free_port()
        process = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(directory),
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--logfile",
                str(log_path),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        client = Redis(host="127.0.0.1", port=port, socket_connect_timeout=1)
        deadline = time.monotonic() + START_DEADLINE_S
        while process.poll() is None and time.monotonic() < deadline:
            try:
                client.ping()
                client.close()
                return process, f"redis://127.0.0.1:{port}/0"
            except RedisConnectionError:
                time.sleep(
                    0.05
                )  # waiting for the server to listen, not a timing assertion
        _stop(process)
    log = log_path.read_text(errors="replace") if log_path.exists() else ""
    raise RuntimeError(f"redis-server did not start; its log:\n{log[-3000:]}")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """redis://127.0.0.1:<port>/0 of a server that lives for the test session."""
    external = os.environ.get("SUPPLYCHAIN_TEST_REDIS_URL")
    if external:
        yield external
        return
    binary = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if os.access("/usr/bin/redis-server", os.X_OK) else None
    )
    if binary is None:
        _missing("redis-server is not installed: the redis (RQ worker) tests need it")
    directory = tmp_path_factory.mktemp("redis")
    try:
        process, url = _start(binary, directory)
    except RuntimeError as error:  # installed but broken: a real failure, never a skip
        pytest.fail(str(error), pytrace=False)
    atexit.register(_stop, process)
    try:
        yield url
    finally:
        _stop(process)
