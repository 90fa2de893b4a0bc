"""后台任务 command line: ``supplychain jobs list | retry ID | demo --steps N``."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from supplychain.errors import DomainError
from supplychain.jobs.models import STATUSES, JobRun

jobs_group = AppGroup("jobs", help="Background jobs: list, retry, demo.")


def _line(run: JobRun) -> str:
    created = run.created_at.strftime("%Y-%m-%d %H:%M:%S") if run.created_at else ""
    error = f"  {run.error.splitlines()[0][:120]}" if run.error else ""
    return (
        f"{run.id}  {created}  {run.status:<8} {run.progress:>3}%  "
        f"{run.kind}  {run.title}{error}"
    )


@jobs_group.command("list")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--status", type=click.Choice(STATUSES))
def list_command(limit: int, status: str | None) -> None:
    """Show the newest jobs (id, created UTC, status, progress, kind, title, error)."""
    from supplychain.jobs.queries import recent_jobs

    for run in recent_jobs(limit, status):
        click.echo(_line(run))


@jobs_group.command("retry")
@click.argument("job_id")
@click.option(
    "--force", is_flag=True, help="also re-queue a queued/running job whose worker died"
)
def retry_command(job_id: str, force: bool) -> None:
    """Queue a failed job again with the same arguments."""
    from supplychain.jobs.runner import retry

    try:
        run = retry(job_id, force=force)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(_line(run))


@jobs_group.command("demo")
@click.option("--steps", default=10, show_default=True, type=int)
@click.option("--fail-at", type=int, help="the first attempt fails at this step")
@click.option(
    "--delay", type=float, help="seconds per step (default: 0.5 on RQ, 0 inline)"
)
def demo_command(steps: int, fail_at: int | None, delay: float | None) -> None:
    """Start the counting demo job and print it."""
    from supplychain.jobs.demo import start_demo_job

    try:
        run = start_demo_job(steps, fail_at=fail_at, delay=delay)
    except DomainError as error:
        raise click.ClickException(f"{error.message} {error.details}") from error
    click.echo(_line(run))


commands = (jobs_group,)
