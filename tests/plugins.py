"""Pytest wiring for tests/support: service fixtures, markers, no silent skips in CI.

Loaded by ``pytest_plugins = ["tests.plugins"]`` in tests/conftest.py. It brings in the
fixtures of tests/support (``postgres_url``, ``live_server``,
``browser_page``, ``phone_page``, and the Redis fixtures when tests/support/redis.py
exists), and:

- marks tests by the services they use (``postgres``, ``redis``, ``browser``), so
  ``-m "not browser"`` works without every test remembering its marker, and keeps
  browser tests in one xdist group (one chromium and one live server per run, not one
  per worker);
- with ``SUPPLYCHAIN_REQUIRE_SERVICES=1`` (CI), turns any skip whose reason names
  PostgreSQL, Redis, chromium/Playwright or poppler into a failure.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import REQUIRE_SERVICES_ENV, services_required

pytest_plugins = [
    "tests.support.postgres",
    "tests.support.live_server",
    "tests.support.browser",
]
if importlib.util.find_spec("tests.support.redis") is not None:
    pytest_plugins.append("tests.support.redis")

SERVICE_WORDS = re.compile(
    r"postgres|psql|initdb|redis|chromium|chrome|playwright"
    r"|poppler|pdftotext|pdffonts|pdftoppm",
    re.IGNORECASE,
)
POSTGRES_FIXTURES = {"postgres_url"}
REDIS_FIXTURES = {"redis_url"}
BROWSER_FIXTURES = {
    "live_server",
    "live_server_session",
    "chromium_browser",
    "browser_page",
    "phone_page",
}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    xdist = config.pluginmanager.hasplugin("xdist")
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & POSTGRES_FIXTURES and item.get_closest_marker("postgres") is None:
            item.add_marker(pytest.mark.postgres)
        if fixtures & REDIS_FIXTURES and item.get_closest_marker("redis") is None:
            item.add_marker(pytest.mark.redis)
        if fixtures & BROWSER_FIXTURES and item.get_closest_marker("browser") is None:
            item.add_marker(pytest.mark.browser)
        if (
            xdist
            and item.get_closest_marker("browser")
            and not item.get_closest_marker("xdist_group")
        ):
            item.add_marker(pytest.mark.xdist_group("browser"))


def skip_reason(report: Any) -> str:
    """The text of a skip: longrepr is (path, line, "Skipped: reason") for skips."""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr or "")


def _fail_service_skip(report: Any) -> None:
    if (
        report.skipped
        and services_required()
        and not hasattr(report, "wasxfail")
        and SERVICE_WORDS.search(skip_reason(report))
    ):
        report.outcome = "failed"
        report.longrepr = (
            f"{REQUIRE_SERVICES_ENV}=1 and this was skipped for a missing service: "
            f"{skip_reason(report)}"
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[Any]:
    report = yield
    _fail_service_skip(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Iterator[Any]:
    """Module-level skips (``pytest.importorskip("redis")``) count too."""
    report = yield
    _fail_service_skip(report)
    return report
