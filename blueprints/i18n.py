"""Locale and time-zone selection for Flask-Babel: the user's choice, the session,
then zh_CN."""

from __future__ import annotations

from typing import Any

from flask import current_app, request, session
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang") or session.get("lang")
    if chosen in languages:
        return chosen
    if (
        current_user
        and getattr(current_user, "is_authenticated", False)
        and current_user.locale in languages
    ):
        return current_user.locale
    if request.path.startswith("/api/"):
        return "en"
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["TIMEZONE"]


def localize(text: Any) -> str:
    """A rule's message (supplychain.messages.Msg) in the reader's language; any other
    value as its str."""
    from flask_babel import gettext

    from supplychain.messages import Msg

    if isinstance(text, Msg):
        return (
            gettext(text.template, **text.params)
            if text.params
            else gettext(text.template)
        )
    return str(text)


def init_app(app: Any) -> None:
    """Rule messages printed in templates come out translated."""
    from supplychain.messages import Msg

    app.jinja_env.finalize = lambda value: (
        localize(value) if isinstance(value, Msg) else value
    )
    app.jinja_env.globals["localize"] = localize
