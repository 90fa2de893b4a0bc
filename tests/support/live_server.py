"""The real app on a real port for browser tests: ``live_server``, ``run_live_server``.

One server per test session (per xdist worker): a file SQLite database in a temp
directory with the schema and reference data, test config but CSRF **on** (the browser
submits real forms) and rate limits off, served by werkzeug's threaded ``make_server``
on 127.0.0.1 and a port the OS picks. Tests share the database, so they create their
own uniquely named rows (factories do) inside ``live_server.app_context()``.

Errors logged while the server handles a request (an unhandled exception, a 500) are
collected; the ``live_server`` fixture fails the test that caused them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

LIVE_CONFIG: dict[str, Any] = {
    "TESTING": True,
    "SECRET_KEY": "live-server-secret",
    "WTF_CSRF_ENABLED": True,
    "RATELIMIT_ENABLED": False,
    "PROPAGATE_UNEXPECTED": False,  # the app's own error pages, as in production
}


class _ServerErrors(logging.Handler):
    """Collects ERROR records emitted by the server's request threads."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []
        self.main_thread = threading.main_thread().ident

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.main_thread:
            self.records.append(record)

    def describe(self) -> str:
        formatter = logging.Formatter("%(name)s: %(message)s")
        return "\n\n".join(formatter.format(record) for record in self.records)


@dataclass
class LiveServer:
    """A running app: ``url`` ("http://127.0.0.1:PORT"), ``app``, logged errors."""

    url: str
    app: Flask
    _errors: _ServerErrors = field(repr=False, default_factory=_ServerErrors)

    @contextlib.contextmanager
    def app_context(self) -> Iterator[Flask]:
        """Push the server app's context and bind the test factories to its session."""
        from supplychain.extensions import db
        from tests import factories

        with self.app.app_context():
            factories.bind(db.session)
            try:
                yield self.app
            finally:
                db.session.remove()

    def url_for(self, path: str) -> str:
        return self.url + (path if path.startswith("/") else "/" + path)

    @property
    def errors(self) -> list[logging.LogRecord]:
        return self._errors.records


def build_live_app(directory: Path, **overrides: Any) -> Flask:
    """The app on ``directory/live.sqlite`` with schema and reference data in place."""
    from supplychain.app import create_app
    from supplychain.bootstrap import ensure_reference_data
    from supplychain.extensions import db

    instance = directory / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    previous = os.environ.get("SUPPLYCHAIN_INSTANCE_PATH")
    os.environ["SUPPLYCHAIN_INSTANCE_PATH"] = str(instance)
    try:
        config = LIVE_CONFIG | {
            "DATABASE_URL": f"sqlite:///{directory / 'live.sqlite'}"
        }
        app = create_app(config | overrides)
    finally:
        if previous is None:
            del os.environ["SUPPLYCHAIN_INSTANCE_PATH"]
        else:
            os.environ["SUPPLYCHAIN_INSTANCE_PATH"] = previous
    with app.app_context():
        db.create_all()
        ensure_reference_data()
        db.session.remove()
    return app


@contextlib.contextmanager
def run_live_server(
    directory: Path | None = None, **overrides: Any
) -> Iterator[LiveServer]:
    """Serve the app in a background thread until the block exits (pytest or not)."""
    from supplychain.extensions import db

    with contextlib.ExitStack() as stack:
        if directory is None:
            directory = Path(
                stack.enter_context(tempfile.TemporaryDirectory(prefix="live-"))
            )
        app = build_live_app(directory, **overrides)
        server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
        server.daemon_threads = True
        thread = threading.Thread(
            target=server.serve_forever, name="live-server", daemon=True
        )
        live = LiveServer(f"http://127.0.0.1:{server.server_port}", app)
        logging.getLogger().addHandler(live._errors)
        thread.start()
        try:
            yield live
        finally:
            logging.getLogger().removeHandler(live._errors)
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)
            with app.app_context():
                db.engine.dispose()


@pytest.fixture(scope="session")
def live_server_session(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LiveServer]:
    """The one live server of this session (per xdist worker)."""
    with run_live_server(tmp_path_factory.mktemp("live-server")) as live:
        yield live


@pytest.fixture
def live_server(live_server_session: LiveServer) -> Iterator[LiveServer]:
    """The live server; the test fails if the server logged an error while it ran."""
    live_server_session.errors.clear()
    yield live_server_session
    if live_server_session.errors:
        details = live_server_session._errors.describe()
        live_server_session.errors.clear()
        pytest.fail(
            f"the live server logged errors during this test:\n{details}", pytrace=False
        )
