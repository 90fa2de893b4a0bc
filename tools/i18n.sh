#!/usr/bin/env bash
# Translation catalogue tooling (Flask-Babel), independent of the Makefile.
#
# Usage (from anywhere; it works in the repository root):
#   tools/i18n.sh extract   # scan code + templates (babel.cfg) -> blueprints/translations/messages.pot
#   tools/i18n.sh update    # extract, then merge new/changed msgids into every .po,
#                           # keeping existing translations (changed ones come back "fuzzy")
#   tools/i18n.sh compile   # .po -> .mo (the app reads the .mo files; they are gitignored)
#   tools/i18n.sh init LANG # start a new catalogue, e.g. `tools/i18n.sh init ja`
#
# Workflow for a developer who adds or changes UI text:
#   1. wrap it: `_('...')` in templates, `gettext as _` / `lazy_gettext as _l` in Python;
#   2. tools/i18n.sh update;
#   3. translate the new empty entries and the "#, fuzzy" ones in
#      blueprints/translations/zh_Hans_CN/LC_MESSAGES/messages.po (then delete the fuzzy flag);
#   4. tools/i18n.sh compile, reload the page;
#   5. tests/unit/test_translations.py fails while anything is missing, fuzzy or mismatched.
#
# Directory name: the app asks for "zh_CN", which Babel parses as zh_Hans_CN, and gettext
# then looks in zh_Hans_CN/ or zh/ only -- so the catalogue lives in zh_Hans_CN/, not zh_CN/.
#
# Environment: PYBABEL (default .venv/bin/pybabel, else pybabel on PATH).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PYBABEL="${PYBABEL:-}"
if [[ -z "$PYBABEL" ]]; then
  if [[ -x .venv/bin/pybabel ]]; then PYBABEL=.venv/bin/pybabel; else PYBABEL=pybabel; fi
fi

DIR=blueprints/translations
POT="$DIR/messages.pot"
# Keep in sync with KEYWORDS in tests/unit/test_translations.py.
KEYWORDS=(-k _l -k lazy_gettext -k gettext -k ngettext:1,2 -k lazy_ngettext:1,2 -k msg -k Msg)

extract() {
  mkdir -p "$DIR"
  # The input path is "." because babel.cfg patterns (supplychain/**.py, blueprints/**...)
  # are matched relative to it; dot-directories such as .venv are skipped.
  "$PYBABEL" -q extract -F babel.cfg "${KEYWORDS[@]}" --sort-by-file --no-wrap \
    --project=supplychain --copyright-holder="" --msgid-bugs-address="" -o "$POT" .
  echo "wrote $POT ($(grep -c '^msgid "' "$POT") entries, header included)"
}

update() {
  extract
  "$PYBABEL" update -i "$POT" -d "$DIR" --no-wrap --ignore-obsolete --previous \
    --ignore-pot-creation-date
}

compile() {
  # -f as in `make install`: a fuzzy entry still shows (the unit test rejects fuzzy ones).
  "$PYBABEL" compile -f --statistics -d "$DIR"
}

init() {
  local lang="${1:?usage: tools/i18n.sh init LANG}"
  [[ -f "$POT" ]] || extract
  "$PYBABEL" init -i "$POT" -d "$DIR" -l "$lang" --no-wrap
}

case "${1:-}" in
  extract) extract ;;
  update) update ;;
  compile) compile ;;
  init) shift; init "$@" ;;
  *) sed -n '2,24p' "$0"; exit 2 ;;
esac
