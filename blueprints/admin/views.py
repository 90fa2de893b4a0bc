"""Administration pages: users and roles, the audit log."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.admin.schemas import PasswordSchema, UserCreateSchema
from blueprints.auth.decorators import roles_required
from blueprints.shell import role_label
from blueprints.forms import domain_field_errors, load_form
from supplychain.audit.queries import audit_query, audited_entities
from supplychain.auth import services
from supplychain.auth.models import ROLES
from supplychain.auth.queries import users_query
from supplychain.errors import ValidationFailed
from supplychain.paging import page_of

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


def _page() -> int:
    return request.args.get("page", 1, type=int) or 1


@bp.route("/users", methods=["GET", "POST"])
@roles_required("admin")
def users() -> Any:
    """Users: list, search and create."""
    errors: dict[str, str] = {}
    form: dict[str, Any] = {}
    if request.method == "POST":
        form = request.form.to_dict()
        data, errors = load_form(UserCreateSchema(), request.form)
        if data is not None:
            try:
                services.create_user_by_codes(
                    data["username"],
                    data["password"],
                    role=data["role"],
                    merchant_code=data.get("merchant"),
                    display_name=data.get("display_name", ""),
                )
            except ValidationFailed as error:
                errors = domain_field_errors(error)
            else:
                flash(_("User %(name)s created.", name=data["username"]), "success")
                return redirect(url_for("admin.users"))
    q, role = request.args.get("q", ""), request.args.get("role", "")
    page = page_of(users_query(q, role), _page())
    status = 400 if errors else 200
    role_options = [(r, role_label(r)) for r in ROLES]
    return (
        render_template(
            "admin/users.html",
            page=page,
            q=q,
            role=role,
            role_options=role_options,
            errors=errors,
            form=form,
        ),
        status,
    )


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@roles_required("admin")
def set_active(user_id: int) -> Any:
    """Activate or deactivate a user."""
    active = request.form.get("active") == "1"
    services.set_user_active(user_id, active, acting_user_id=current_user.id)
    flash(_("Saved."), "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@roles_required("admin")
def reset_password(user_id: int) -> Any:
    """Set a new password for a user."""
    data, errors = load_form(PasswordSchema(), request.form)
    if data is None:
        flash(_("Password: %(msg)s", msg=errors.get("password", "")), "error")
    else:
        services.reset_password(user_id, data["password"])
        flash(_("Password changed."), "success")
    return redirect(url_for("admin.users"))


@bp.route("/audit")
@roles_required("admin")
def audit() -> Any:
    """The audit log: who changed what, when, before and after."""
    entity, actor = request.args.get("entity", ""), request.args.get("actor", "")
    entity_id = request.args.get("entity_id", "")
    page = page_of(audit_query(entity, actor, entity_id), _page())
    return render_template(
        "admin/audit.html",
        page=page,
        entity=entity,
        actor=actor,
        entity_id=entity_id,
        entities=audited_entities(),
    )
