"""演示任务 a demo job that counts, to show the progress bar, a failure and a retry.

``count_to_job`` has no effects besides its JobRun, so running it twice is harmless.
"""

from __future__ import annotations

import time
from typing import Any

from supplychain.errors import ValidationFailed
from supplychain.jobs import progress
from supplychain.jobs.models import JobRun
from supplychain.jobs.runner import current_runner, enqueue

MAX_STEPS = 1000
DEMO_STEP_DELAY_S = 0.5  # on a real queue, slow enough to watch the bar move


class SimulatedFault(RuntimeError):
    """The demo's stand-in for a transient fault (printer offline, service down)."""


def count_to_job(
    n: int, fail_at: int | None = None, delay: float = 0.0
) -> dict[str, Any]:
    """Count from 1 to ``n``, reporting progress after each step.

    With ``fail_at``, the first attempt raises at that step, like a transient fault; a
    retry (attempt 2 and later) then counts through. ``delay`` seconds pass per step.
    """
    job = progress.current_job()
    attempt = job.attempt if job else 1
    for step in range(1, n + 1):
        if fail_at is not None and step == fail_at and attempt == 1:
            raise SimulatedFault(
                f"simulated fault at step {step} of {n}; retry to finish"
            )
        if delay:
            time.sleep(delay)
        progress.set_progress(step * 100 // n, f"step {step} of {n}")
    return {"counted": n, "attempt": attempt}


def start_demo_job(
    steps: int,
    *,
    fail_at: int | None = None,
    user_id: int | None = None,
    delay: float | None = None,
) -> JobRun:
    """Start the counting demo. Without an explicit delay, steps take DEMO_STEP_DELAY_S
    on a real queue (so the page shows the bar moving) and no time when run inline.

    :raise ValidationFailed: steps outside 1..MAX_STEPS or fail_at outside 1..steps.
    """
    errors: dict[str, list[str]] = {}
    if not 1 <= steps <= MAX_STEPS:
        errors["steps"] = [f"Must be between 1 and {MAX_STEPS}."]
    elif fail_at is not None and not 1 <= fail_at <= steps:
        errors["fail_at"] = [f"Must be between 1 and {steps}."]
    if delay is not None and not 0 <= delay <= 10:
        errors["delay"] = ["Must be between 0 and 10 seconds."]
    if errors:
        raise ValidationFailed(errors)
    if delay is None:
        delay = DEMO_STEP_DELAY_S if current_runner().is_async else 0.0
    title = f"count to {steps}" + (f", fail at {fail_at}" if fail_at else "")
    return enqueue(
        count_to_job,
        steps,
        fail_at,
        delay,
        kind="jobs.demo",
        title=title,
        user_id=user_id,
    )
