"""Test support: throwaway services (PostgreSQL, Redis), a live server and a browser.

Each module is a pytest plugin (wired through tests/plugins.py) and also exposes plain
context managers, so a script can start the same services outside pytest.

A missing service skips its tests on a laptop; with ``SUPPLYCHAIN_REQUIRE_SERVICES=1``
(set by ``.ci/run``) it fails them instead, so CI cannot pass with PostgreSQL, Redis,
chromium or poppler silently skipped. Use :func:`service_missing` for that decision.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

REQUIRE_SERVICES_ENV = "SUPPLYCHAIN_REQUIRE_SERVICES"


def services_required() -> bool:
    """True when CI demands every service (``SUPPLYCHAIN_REQUIRE_SERVICES=1``)."""
    value = os.environ.get(REQUIRE_SERVICES_ENV, "")
    return value.strip().lower() in {"1", "true", "yes"}


def service_missing(reason: str) -> NoReturn:
    """Skip the test for a missing service, or fail it when services are required.

    ``reason`` should name the service (postgres, redis, chromium, poppler) so the
    REQUIRE_SERVICES hook in tests/plugins.py also recognises skips raised elsewhere.
    """
    if services_required():
        pytest.fail(
            f"{reason} ({REQUIRE_SERVICES_ENV}=1 forbids skipping)", pytrace=False
        )
    pytest.skip(reason)
