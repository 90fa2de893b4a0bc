"""后台任务 jobs pages: recent jobs, one job with a live progress bar, retry, demo job."""

from __future__ import annotations

import json
from typing import Any

import marshmallow as ma
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.auth.decorators import roles_required, staff_required
from blueprints.jobs.schemas import DemoJobFormSchema
from supplychain.jobs import queries, runner
from supplychain.jobs.demo import start_demo_job
from supplychain.jobs.models import STATUSES
from supplychain.paging import page_of

bp = Blueprint("jobs", __name__, url_prefix="/jobs", template_folder="templates")


def _render_index(
    form: dict[str, Any] | None = None,
    errors: dict[str, Any] | None = None,
    status: int = 200,
) -> Any:
    state = (
        request.args.get("status") if request.args.get("status") in STATUSES else None
    )
    q = request.args.get("q", "")[:100]
    number = min(max(request.args.get("page", 1, type=int) or 1, 1), 10**6)
    page = page_of(
        queries.jobs_visible_to(current_user, status=state, q=q),
        number,
        current_app.config["PER_PAGE"],
    )
    return (
        render_template(
            "jobs/index.html",
            page=page,
            status=state,
            q=q,
            statuses=STATUSES,
            form=form or {"steps": 10, "fail_at": ""},
            errors=errors or {},
        ),
        status,
    )


@bp.route("/")
@staff_required
def index() -> Any:
    """Recent background jobs with their status and progress."""
    return _render_index()


@bp.route("/<job_id>")
@staff_required
def show(job_id: str) -> Any:
    """One job; the progress bar follows it while it runs (static/js/jobs.js)."""
    run = queries.job_for(current_user, job_id)
    result_text = (
        json.dumps(run.result, ensure_ascii=False, indent=2)
        if run.result is not None
        else ""
    )
    return render_template("jobs/show.html", run=run, result_text=result_text)


@bp.route("/<job_id>/retry", methods=["POST"])
@staff_required
def retry(job_id: str) -> Any:
    """Run a failed job again with the same arguments."""
    queries.job_for(current_user, job_id)
    runner.retry(job_id)
    flash(_("The job was queued again."), "success")
    return redirect(url_for("jobs.show", job_id=job_id), 303)


@bp.route("/demo", methods=["POST"])
@roles_required("admin")
def demo() -> Any:
    """Start the counting demo job (admins)."""
    form = request.form.to_dict()
    try:
        data = DemoJobFormSchema().load(form)
    except ma.ValidationError as error:
        return _render_index(form, error.normalized_messages(), 400)
    run = start_demo_job(
        data["steps"], fail_at=data["fail_at"], user_id=current_user.id
    )
    flash(_("Demo job started."), "success")
    return redirect(url_for("jobs.show", job_id=run.id), 303)
