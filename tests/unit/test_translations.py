"""界面翻译 The zh_CN catalogue: complete, not fuzzy, in step with the code, placeholders
intact.

When one of these fails after you added or changed UI text: run `tools/i18n.sh update`,
translate the listed strings in
blueprints/translations/zh_Hans_CN/LC_MESSAGES/messages.po,
then `tools/i18n.sh compile`.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "blueprints" / "translations"
# Babel parses the app's "zh_CN" as zh_Hans_CN; gettext looks in zh_Hans_CN/ (or zh/).
ZH_PO = TRANSLATIONS / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
# The same keywords as tools/i18n.sh extract.
KEYWORDS = DEFAULT_KEYWORDS | {
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "msg": None,  # supplychain.messages: rule messages shown on pages
    "Msg": None,
}
# A %-directive: %(name)s, %(qty)+d, %s, %%, ...
DIRECTIVE = re.compile(r"%(?:\([^)]*\))?[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")

MsgId = str | tuple[str, ...]


@cache
def zh_catalog() -> Catalog:
    with ZH_PO.open("rb") as handle:
        return read_po(handle, locale="zh_CN")


@cache
def extracted() -> dict[MsgId, list[str]]:
    """Every msgid in the code and templates now (`pybabel extract -F babel.cfg .`)."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found: dict[MsgId, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message if isinstance(message, str) else tuple(message)
        found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


def entries(catalog: Catalog) -> list:
    return [message for message in catalog if message.id]


def strings_of(message) -> list[str]:
    string = message.string
    return list(string) if isinstance(string, tuple) else [string]


def ids_of(message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple) else [message.id]


def describe(msgid: MsgId) -> str:
    return " | ".join(msgid) if isinstance(msgid, tuple) else msgid


def test_the_extraction_finds_the_ui_strings_of_templates_and_python():
    found = extracted()

    assert "Log out" in found  # base.html
    assert "Audit log" in found  # shell.py, lazy_gettext as _l
    assert ("%(num)s day", "%(num)s days") in found  # ngettext in a template
    assert len(found) > 300


def test_every_entry_of_the_zh_catalogue_is_translated_and_none_is_fuzzy():
    messages = entries(zh_catalog())
    untranslated = [
        describe(m.id) for m in messages if not all(s.strip() for s in strings_of(m))
    ]
    fuzzy = [describe(m.id) for m in messages if m.fuzzy]

    assert (
        not untranslated and not fuzzy
    ), "untranslated:\n  %s\nfuzzy (check, then drop the flag):\n  %s" % (
        "\n  ".join(untranslated) or "-",
        "\n  ".join(fuzzy) or "-",
    )


def test_every_string_in_the_code_has_a_zh_translation():
    catalogue = {
        m.id for m in entries(zh_catalog()) if all(s.strip() for s in strings_of(m))
    }

    missing = sorted(
        f"{describe(msgid)!r}  ({', '.join(where[:2])})"
        for msgid, where in extracted().items()
        if msgid not in catalogue
    )

    assert not missing, (
        "%d UI string(s) without a zh_CN translation; run tools/i18n.sh update and "
        "translate them:\n  %s" % (len(missing), "\n  ".join(missing))
    )


def test_every_translation_keeps_the_placeholders_of_its_msgid():
    wrong = []
    for message in entries(zh_catalog()):
        # Singular and plural msgids carry the same placeholders; Chinese has one form.
        expected = Counter(DIRECTIVE.findall(ids_of(message)[-1]))
        for string in strings_of(message):
            if string and Counter(DIRECTIVE.findall(string)) != expected:
                wrong.append(f"{describe(message.id)!r} -> {string!r}")

    assert not wrong, "placeholders differ:\n  %s" % "\n  ".join(wrong)


def test_plural_entries_have_the_single_chinese_form():
    plurals = [m for m in entries(zh_catalog()) if m.pluralizable]

    assert zh_catalog().num_plurals == 1
    assert all(len(strings_of(m)) == 1 for m in plurals)


def test_babel_finds_the_catalogue_for_the_apps_zh_cn_locale(tmp_path):
    target = tmp_path / ZH_PO.parent.parent.name / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as handle:
        write_mo(handle, zh_catalog())

    translations = Translations.load(str(tmp_path), [Locale.parse("zh_CN")])

    assert translations.gettext("Log out") == "退出登录"
    assert (
        translations.ngettext("%(num)s day", "%(num)s days", 3) % {"num": 3} == "3 天"
    )
