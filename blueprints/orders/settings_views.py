"""截单设置 ordering calendar pages (admin): the distributor's cutoff, delivery weekdays,
lead and horizon; ordering groups and routes with their own cutoff and weekdays, and
which merchants are in them; delivery holidays. A preview shows which delivery date an
order placed now is for and when that date closes."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import marshmallow as ma
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from blueprints.auth.decorators import roles_required
from blueprints.forms import domain_field_errors, field_errors
from supplychain.database import utcnow
from supplychain.errors import NotFound, ValidationFailed
from supplychain.extensions import db
from supplychain.merchants.models import Merchant
from supplychain.orders import schedule
from supplychain.orders.calendar import DeliveryCalendar
from supplychain.orders.models import DeliveryHoliday, OrderingGroup
from supplychain.paging import Page, page_of

bp = Blueprint(
    "order_settings",
    __name__,
    url_prefix="/orders/settings",
    template_folder="templates",
)

ADMIN = "admin"
WEEKDAY_NAMES = (
    (1, _l("Mon")),
    (2, _l("Tue")),
    (3, _l("Wed")),
    (4, _l("Thu")),
    (5, _l("Fri")),
    (6, _l("Sat")),
    (7, _l("Sun")),
)
KIND_LABELS = {"route": _l("Delivery route"), "group": _l("Merchant group")}
HOLIDAYS_SHOWN_BACK = 30  # days of past holidays still listed


# --- form shapes (syntax; the schedule service checks the rest) -----------------------


def _minutes(value: dt.time | None) -> dt.time | None:
    return None if value is None else value.replace(second=0, microsecond=0)


class SettingsFormSchema(ma.Schema):
    cutoff_time = ma.fields.Time(required=True)
    delivery_weekdays = ma.fields.String(
        required=True, error_messages={"required": "Tick at least one weekday."}
    )
    lead_days = ma.fields.Integer(
        required=True, validate=ma.validate.Range(min=1, max=7)
    )
    horizon_days = ma.fields.Integer(
        required=True, validate=ma.validate.Range(min=1, max=90)
    )

    @ma.post_load
    def _whole_minutes(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        data["cutoff_time"] = _minutes(data["cutoff_time"])
        return data


class GroupFormSchema(ma.Schema):
    code = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=30))
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100))
    kind = ma.fields.String(
        required=True, validate=ma.validate.OneOf(["route", "group"])
    )
    cutoff_time = ma.fields.Time(load_default=None)  # blank: the distributor's
    delivery_weekdays = ma.fields.String(load_default=None)  # none ticked: same

    @ma.post_load
    def _whole_minutes(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        data["cutoff_time"] = _minutes(data["cutoff_time"])
        data["code"] = data["code"].strip()
        return data


class AssignFormSchema(ma.Schema):
    merchant = ma.fields.String(
        required=True, validate=ma.validate.Length(min=1, max=30)
    )
    kind = ma.fields.String(
        required=True, validate=ma.validate.OneOf(["route", "group"])
    )
    group = ma.fields.String(load_default=None, validate=ma.validate.Length(max=30))


class HolidayFormSchema(ma.Schema):
    date = ma.fields.Date(required=True)
    name = ma.fields.String(load_default="", validate=ma.validate.Length(max=100))


def _load(
    schema: ma.Schema, form: MultiDict, *, weekdays: bool = False
) -> tuple[dict[str, Any] | None, dict[str, str], dict[str, Any]]:
    """(data, errors, values to show again). Blank fields count as missing; the
    weekday checkboxes (``weekday`` 1–7, several) become ``delivery_weekdays``."""
    raw = {
        k: v.strip() for k, v in form.items() if k != "csrf_token" and k != "weekday"
    }
    raw = {k: v for k, v in raw.items() if v != ""}
    if weekdays:
        ticked = "".join(sorted(set(form.getlist("weekday"))))
        if ticked:
            raw["delivery_weekdays"] = ticked
    try:
        return schema.load(raw, unknown=ma.EXCLUDE), {}, raw
    except ma.ValidationError as error:
        return None, field_errors(error.normalized_messages()), raw


def _holidays() -> list[DeliveryHoliday]:
    since = _today() - dt.timedelta(days=HOLIDAYS_SHOWN_BACK)
    return list(db.session.scalars(schedule.holidays_query(since=since)))


# --- preview --------------------------------------------------------------------------


def _today() -> dt.date:
    return schedule.calendar_for(None).local_date(utcnow())


def _preview(calendar: DeliveryCalendar) -> dict[str, Any]:
    """The delivery date an order placed now is for, its cutoff (local) and the other
    dates open now."""
    now = utcnow()
    try:
        day = calendar.next_delivery_date(now)
    except ValueError:
        return {"day": None}
    cutoff = calendar.cutoff(day).astimezone(calendar.zone)
    left = calendar.cutoff(day) - now
    return {
        "now": now.astimezone(calendar.zone),
        "day": day,
        "cutoff": cutoff,
        "hours_left": int(left.total_seconds() // 3600),
        "minutes_left": int(left.total_seconds() % 3600 // 60),
        "open_dates": calendar.open_dates(now),
    }


def _group_calendar(group: OrderingGroup) -> DeliveryCalendar:
    # schedule.calendar_for reads only route_id / group_id of the merchant it is given
    member = SimpleNamespace(
        route_id=group.id if group.kind == "route" else None,
        group_id=group.id if group.kind == "group" else None,
    )
    return schedule.calendar_for(member)  # type: ignore[arg-type]


def _settings_values() -> dict[str, Any]:
    row = schedule.settings()
    return {
        "cutoff_time": row.cutoff_time.strftime("%H:%M"),
        "delivery_weekdays": row.delivery_weekdays,
        "lead_days": row.lead_days,
        "horizon_days": row.horizon_days,
    }


def _group_values(group: OrderingGroup) -> dict[str, Any]:
    return {
        "code": group.code,
        "name": group.name,
        "kind": group.kind,
        "cutoff_time": group.cutoff_time.strftime("%H:%M") if group.cutoff_time else "",
        "delivery_weekdays": group.delivery_weekdays or "",
    }


def _page() -> int:
    return max(1, request.args.get("page", 1, type=int) or 1)


@bp.context_processor
def _helpers() -> dict[str, Any]:
    names = dict(WEEKDAY_NAMES)
    return {
        "weekday_names": WEEKDAY_NAMES,
        "weekdays_text": lambda digits: " ".join(
            str(names[int(d)]) for d in (digits or "") if d in "1234567"
        ),
        "kind_label": lambda kind: str(KIND_LABELS.get(kind, kind)),
        "timezone": current_app.config["TIMEZONE"],
    }


# --- pages ----------------------------------------------------------------------------


def _index_page(status: int = 200, **forms: Any) -> Any:
    q = request.args.get("q", "").strip()
    groups: Page = page_of(schedule.groups_query(q=q), _page())
    context = {
        "preview": _preview(schedule.calendar_for(None)),
        "groups": groups,
        "group_previews": {g.id: _preview(_group_calendar(g)) for g in groups.items},
        "members": schedule.group_member_counts(),
        "holidays": _holidays(),
        "today": _today(),
        "q": q,
        "settings_form": _settings_values(),
        "assign_form": {"kind": "group"},
        "holiday_form": {},
        "settings_errors": {},
        "assign_errors": {},
        "holiday_errors": {},
    }
    context.update(forms)
    return render_template("orders/settings_index.html", **context), status


@bp.route("/")
@roles_required(ADMIN)
def index() -> Any:
    """Cutoffs and delivery days: settings, groups and routes, holidays, preview."""
    return _index_page()


@bp.route("/", methods=["POST"])
@roles_required(ADMIN)
def update() -> Any:
    """Save the distributor's cutoff, delivery weekdays, lead and horizon."""
    data, errors, raw = _load(SettingsFormSchema(), request.form, weekdays=True)
    if data is not None:
        try:
            schedule.update_settings(**data)
        except ValidationFailed as error:
            errors = domain_field_errors(error)
        else:
            flash(_("Ordering calendar saved."), "success")
            return redirect(url_for("order_settings.index"))
    return _index_page(400, settings_form=raw, settings_errors=errors)


def _save_group(form: MultiDict) -> tuple[OrderingGroup | None, dict[str, str], dict]:
    data, errors, raw = _load(GroupFormSchema(), form, weekdays=True)
    if data is None:
        return None, errors, raw
    try:
        group = schedule.save_group(data.pop("code"), **data)
    except ValidationFailed as error:
        return None, domain_field_errors(error), raw
    return group, {}, raw


def _new_group_page(form: dict[str, Any], errors: dict[str, str], status: int) -> Any:
    return (
        render_template(
            "orders/settings_group.html",
            group=None,
            group_form=form,
            group_errors=errors,
        ),
        status,
    )


@bp.route("/groups/new")
@roles_required(ADMIN)
def new_group() -> Any:
    """Form for a new ordering group or route."""
    return _new_group_page({"kind": request.args.get("kind", "group")}, {}, 200)


@bp.route("/groups", methods=["POST"])
@roles_required(ADMIN)
def create_group() -> Any:
    """Create (or, for an existing code, change) an ordering group or route."""
    group, errors, raw = _save_group(request.form)
    if group is None:
        return _new_group_page(raw, errors, 400)
    flash(_("%(code)s saved.", code=group.code), "success")
    return redirect(url_for("order_settings.group", code=group.code))


def _group_page(group: OrderingGroup, status: int = 200, **forms: Any) -> Any:
    q = request.args.get("q", "").strip()
    context = {
        "group": group,
        "preview": _preview(_group_calendar(group)),
        "members": page_of(schedule.group_members_query(group, q), _page()),
        "q": q,
        "group_form": _group_values(group),
        "group_errors": {},
        "assign_form": {"kind": group.kind, "group": group.code},
        "assign_errors": {},
    }
    context.update(forms)
    return render_template("orders/settings_group.html", **context), status


@bp.route("/groups/<code>")
@roles_required(ADMIN)
def group(code: str) -> Any:
    """One ordering group or route: its cutoff and weekdays, and its merchants."""
    return _group_page(schedule.get_group(code))


@bp.route("/groups/<code>", methods=["POST"])
@roles_required(ADMIN)
def update_group(code: str) -> Any:
    """Change a group's name, cutoff and weekdays (code and kind stay: merchants are
    assigned to it as a route or as a group)."""
    current = schedule.get_group(code)
    form = MultiDict(request.form)
    form.setlist("code", [current.code])
    form.setlist("kind", [current.kind])
    saved, errors, raw = _save_group(form)
    if saved is None:
        return _group_page(
            schedule.get_group(code), 400, group_form=raw, group_errors=errors
        )
    flash(_("%(code)s saved.", code=saved.code), "success")
    return redirect(url_for("order_settings.group", code=saved.code))


def _assign(form: MultiDict) -> tuple[Merchant | None, dict[str, str], dict]:
    data, errors, raw = _load(AssignFormSchema(), form)
    if data is None:
        return None, errors, raw
    try:
        merchant = schedule.assign_group(
            data["merchant"], data["group"], kind=data["kind"]
        )
    except ValidationFailed as error:
        errors = domain_field_errors(error)
        errors.setdefault("group", errors.pop(data["kind"], ""))
        return None, {k: v for k, v in errors.items() if v}, raw
    except NotFound as error:
        field = "group" if error.message.startswith("No ordering group") else "merchant"
        return None, {field: error.message}, raw
    return merchant, {}, raw


@bp.route("/assign", methods=["POST"])
@roles_required(ADMIN)
def assign() -> Any:
    """Put a merchant (by code) on a route or in a group; no group takes it out."""
    merchant, errors, raw = _assign(request.form)
    back = request.form.get("back", "")
    if merchant is None:
        if back:
            try:
                group = schedule.get_group(back)
            except NotFound:
                abort(404)
            return _group_page(group, 400, assign_form=raw, assign_errors=errors)
        return _index_page(400, assign_form=raw, assign_errors=errors)
    if raw.get("group"):
        flash(
            _(
                "%(merchant)s is now in %(group)s.",
                merchant=merchant.code,
                group=raw["group"],
            ),
            "success",
        )
    else:
        flash(_("%(merchant)s was taken out.", merchant=merchant.code), "success")
    if back:
        return redirect(url_for("order_settings.group", code=back))
    return redirect(url_for("order_settings.index"))


@bp.route("/holidays", methods=["POST"])
@roles_required(ADMIN)
def add_holiday() -> Any:
    """Add a date without deliveries."""
    data, errors, raw = _load(HolidayFormSchema(), request.form)
    if data is not None:
        try:
            schedule.add_holiday(data["date"], data["name"])
        except ValidationFailed as error:
            errors = domain_field_errors(error)
        else:
            flash(_("%(date)s is now a holiday.", date=data["date"]), "success")
            return redirect(url_for("order_settings.index"))
    return _index_page(400, holiday_form=raw, holiday_errors=errors)


@bp.route("/holidays/<day>/remove", methods=["POST"])
@roles_required(ADMIN)
def remove_holiday(day: str) -> Any:
    """Deliver again on a former holiday."""
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        abort(404)
    schedule.remove_holiday(date)
    flash(_("%(date)s is a delivery date again.", date=date), "success")
    return redirect(url_for("order_settings.index"))
