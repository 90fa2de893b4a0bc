"""Messages the rules hand to people: English text that remembers its template and
values, so a page can show it in the reader's language.

``msg("Only %(qty)s available.", qty=5)`` is the str ``"Only 5 available."`` (what the
JSON API, logs and tests see) and carries ``template`` and ``params``;
``blueprints.i18n.localize`` translates it through the zh_CN catalogue. The template is
extracted for translation like ``gettext`` (keyword ``msg``). Pure: no Flask here.
"""

from __future__ import annotations

from typing import Any


class Msg(str):
    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> Msg:
        text = template % params if params else template
        obj = super().__new__(cls, text)
        obj.template = template
        obj.params = params
        return obj

    def __reduce__(self) -> Any:  # pickles (RQ job results) keep the template
        return (_rebuild, (self.template, self.params))


def _rebuild(template: str, params: dict[str, Any]) -> Msg:
    return Msg(template, **params)


def msg(template: str, **params: Any) -> Msg:
    return Msg(template, **params)
