"""enqueue(): run a job function in-process (embedded) or on RQ (SUPPLYCHAIN_REDIS_URL set).

STUB — the jobs work replaces this with InlineRunner / RqRunner, keeping this signature:

    enqueue(func, *args, kind="catalog.import", title="…", user_id=None) -> JobRun
    set_progress(percent, message="")   # from inside a job function
"""
from __future__ import annotations

from typing import Any


def make_runner(app: Any) -> Any:
    return None
