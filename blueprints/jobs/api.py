"""后台任务 JSON API: list jobs, one job (polled by the jobs page), retry a failed job.

A user sees their own jobs, an admin all; merchant users get 403; another user's job
is 404. The two GET routes also accept the logged-in page session (no bearer token),
so that static/js/jobs.js on the job page can poll them; POST always needs the bearer
token.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, request
from flask_login import current_user
from werkzeug.exceptions import Forbidden

from blueprints.api import ApiBlueprint, auth_required, paginate
from blueprints.jobs.schemas import JobRunSchema, JobsQueryArgsSchema
from supplychain.auth.models import STAFF_ROLES
from supplychain.jobs import queries, runner

api_bp = ApiBlueprint(
    "jobs_api", __name__, url_prefix="/api/v1", description="Background jobs (后台任务)"
)


def bearer_or_page_session(
    *roles: str,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """auth_required(*roles), but a safe (GET) request without an Authorization header
    may use the page's login session instead. Reading is all it allows: cross-site
    pages cannot read the response, and state changes still need the bearer token."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        with_bearer = auth_required(*roles)(view)

        @wraps(with_bearer)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if (
                request.method in ("GET", "HEAD")
                and "Authorization" not in request.headers
                and current_user.is_authenticated
            ):
                if roles and not current_user.has_role(*roles):
                    raise Forbidden("Your role may not do this.")
                g.api_user = current_user._get_current_object()
                return view(*args, **kwargs)
            return with_bearer(*args, **kwargs)

        return wrapper

    return decorator


@api_bp.route("/jobs")
@bearer_or_page_session(*STAFF_ROLES)
@api_bp.arguments(JobsQueryArgsSchema, location="query")
@api_bp.response(200, JobRunSchema(many=True))
def list_jobs(args: dict[str, Any]) -> Any:
    """List jobs, newest first (own jobs; admin: all)."""
    stmt = queries.jobs_visible_to(
        g.api_user, status=args.get("status"), q=args.get("q")
    )
    items, headers = paginate(stmt, args["page"], args["per_page"])
    return items, 200, headers


@api_bp.route("/jobs/<job_id>")
@bearer_or_page_session(*STAFF_ROLES)
@api_bp.response(200, JobRunSchema)
def show_job(job_id: str) -> Any:
    """One job with its status, progress, message, result and error."""
    return queries.job_for(g.api_user, job_id)


@api_bp.route("/jobs/<job_id>/retry", methods=["POST"])
@auth_required(*STAFF_ROLES)
@api_bp.response(200, JobRunSchema)
def retry_job(job_id: str) -> Any:
    """Run a failed job again with the same arguments (409 unless it failed)."""
    queries.job_for(g.api_user, job_id)
    return runner.retry(job_id)
