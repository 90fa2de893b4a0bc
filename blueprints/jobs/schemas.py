"""Request and response shapes for background jobs (后台任务)."""

from __future__ import annotations

import marshmallow as ma

from blueprints.api import PageArgsSchema
from supplychain.jobs.demo import MAX_STEPS
from supplychain.jobs.models import STATUSES


class JobRunSchema(ma.Schema):
    id = ma.fields.String()
    kind = ma.fields.String()
    title = ma.fields.String()
    status = ma.fields.String(metadata={"enum": list(STATUSES)})
    progress = ma.fields.Integer(metadata={"description": "0..100"})
    message = ma.fields.String()
    result = ma.fields.Dict(allow_none=True)
    error = ma.fields.String(allow_none=True)
    created_at = ma.fields.AwareDateTime()
    started_at = ma.fields.AwareDateTime(allow_none=True)
    finished_at = ma.fields.AwareDateTime(allow_none=True)


class JobsQueryArgsSchema(PageArgsSchema):
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    q = ma.fields.String(validate=ma.validate.Length(max=100))


class DemoJobFormSchema(ma.Schema):
    """The "start demo job" form (HTML form values arrive as strings)."""

    class Meta:
        unknown = ma.EXCLUDE  # the CSRF token and the button

    steps = ma.fields.Integer(
        load_default=10, validate=ma.validate.Range(min=1, max=MAX_STEPS)
    )
    fail_at = ma.fields.Integer(
        load_default=None,
        allow_none=True,
        validate=ma.validate.Range(min=1, max=MAX_STEPS),
    )

    @ma.pre_load
    def blank_is_none(self, data: dict, **kwargs: object) -> dict:
        data = dict(data)
        if str(data.get("fail_at", "")).strip() == "":
            data["fail_at"] = None
        if str(data.get("steps", "")).strip() == "":
            data.pop("steps", None)
        return data

    @ma.validates_schema
    def fail_at_within_steps(self, data: dict, **kwargs: object) -> None:
        if data.get("fail_at") and data["fail_at"] > data.get("steps", 10):
            raise ma.ValidationError("Must not be after the last step.", "fail_at")
