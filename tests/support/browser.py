"""Playwright (sync API) driving Debian's chromium: ``browser_page``, ``phone_page``.

One chromium per session (per xdist worker), a fresh context per test (no cookies leak
between tests), ``base_url`` set to the live server so ``page.goto("/auth/login")``
works. ``phone_page`` is a 375×812 touch screen. A failing test leaves a full-page
screenshot (and the page's console errors) in ``/tmp/browser-failures/``; an uncaught
JavaScript error on the page fails the test.

chromium missing (or the playwright package): skipped, or failed under
``SUPPLYCHAIN_REQUIRE_SERVICES=1``. ``SUPPLYCHAIN_CHROMIUM`` overrides the binary path.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import service_missing
from tests.support.live_server import LiveServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
FAILURE_DIR = Path("/tmp/browser-failures")
TIMEOUT_MS = 10_000

REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


def chromium_path() -> str:
    return os.environ.get("SUPPLYCHAIN_CHROMIUM", CHROMIUM)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[Any]:
    """Keep each phase's report on the item: page fixtures look for a failed call."""
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Any]:
    """Debian's chromium launched once by Playwright."""
    executable = chromium_path()
    if not os.access(executable, os.X_OK):
        service_missing(
            f"chromium not found at {executable} (apt-get install chromium)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        service_missing(
            "the playwright package (needed to drive chromium) is not installed"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


def _new_page(
    browser: Any,
    live_server: LiveServer,
    request: pytest.FixtureRequest,
    **context_options: Any,
) -> Iterator[Any]:
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        **context_options,
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    js_errors: list[str] = []
    console_errors: list[str] = []
    page.on("pageerror", lambda error: js_errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            console_errors.append(f"{message.text} ({page.url})")
            if message.type == "error"
            else None
        ),
    )
    try:
        yield page
        reports = request.node.stash.get(REPORTS, {})
        if reports.get("call") is not None and reports["call"].failed:
            _screenshot(page, request.node.nodeid, console_errors)
        if js_errors:
            pytest.fail(
                "uncaught JavaScript error(s) on the page:\n" + "\n".join(js_errors),
                pytrace=False,
            )
    finally:
        context.close()


def _screenshot(page: Any, nodeid: str, console_errors: list[str]) -> None:
    FAILURE_DIR.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid)[-150:]
    try:
        page.screenshot(path=str(FAILURE_DIR / f"{name}.png"), full_page=True)
        (FAILURE_DIR / f"{name}.txt").write_text(
            f"url: {page.url}\nconsole errors:\n" + "\n".join(console_errors) + "\n",
            encoding="utf-8",
        )
    except Exception as exc:  # a crashed page must not hide the real failure
        print(f"screenshot failed: {exc}")


@pytest.fixture
def browser_page(
    chromium_browser: Any, live_server: LiveServer, request: pytest.FixtureRequest
) -> Iterator[Any]:
    """A Playwright ``Page``, desktop size, fresh context, base_url = live server."""
    yield from _new_page(chromium_browser, live_server, request, viewport=DESKTOP)


@pytest.fixture
def phone_page(
    chromium_browser: Any, live_server: LiveServer, request: pytest.FixtureRequest
) -> Iterator[Any]:
    """A Playwright ``Page`` on a 375×812 touch phone, base_url = live server."""
    yield from _new_page(
        chromium_browser,
        live_server,
        request,
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
