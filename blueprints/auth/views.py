"""Session login and logout for the web pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import login_user, logout_user

from supplychain.auth import services
from supplychain.extensions import limiter

bp = Blueprint("auth", __name__, url_prefix="/auth", template_folder="templates")


def _safe_next(target: str | None) -> str:
    if (
        target
        and urlsplit(target).netloc == ""
        and target.startswith("/")
        and not target.startswith("//")
    ):
        return target
    return url_for("main.index")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> Any:
    """Log in with username and password."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        if not username:
            errors["username"] = _("Enter your username.")
        if not password:
            errors["password"] = _("Enter your password.")
        if not errors:
            user = services.authenticate(username, password)
            if user is not None:
                session.clear()  # a fresh session on login (fixation)
                login_user(user)
                if user.locale:
                    session["lang"] = user.locale
                return redirect(_safe_next(request.args.get("next")))
            errors["password"] = _("Wrong username or password.")
        return render_template("auth/login.html", errors=errors, username=username), 400
    return render_template("auth/login.html", errors=errors, username="")


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    """Log out."""
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/lang/<lang>", methods=["POST"])
def set_language(lang: str) -> Any:
    """Switch the interface language."""
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        refresh()  # forget the locale Flask-Babel cached for this context
    return redirect(
        _safe_next(
            request.form.get("next")
            or request.referrer
            and urlsplit(request.referrer).path
        )
    )
