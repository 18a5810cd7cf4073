"""A small gettext-like catalogue: English message ids, translated per language from JSON files.

* Message ids are the English text. `translations/<lang>.json` maps each id to its translation;
  English needs no file. A missing translation falls back to the English text.
* In templates: `{{ _("Declarations") }}`, with named placeholders
  `{{ _("{count} tasks", count=n) }}`. In Python: `gettext(lang, "...")`; strings that are only
  *marked* for translation (labels in tables) use `N_("...")`.
* `tests/browser/test_browser_i18n.py` checks every marked string has a Chinese translation.
"""

import ast
import json
import re
from functools import cache
from pathlib import Path

LANGUAGES = {"zh-CN": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh-CN"
LANG_COOKIE = "clearlane_lang"
TRANSLATIONS_DIR = Path(__file__).parent / "translations"


def N_(message: str) -> str:
    """Marks a string for translation without translating it (translated where shown)."""
    return message


@cache
def catalogue(lang: str) -> dict[str, str]:
    path = TRANSLATIONS_DIR / f"{lang}.json"
    if lang == "en" or not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def gettext(lang: str, message: str, **values: object) -> str:
    text = catalogue(lang).get(message) or message
    return text.format(**values) if values else text


def pick_language(cookie: str | None) -> str:
    """The visitor's choice (a cookie) or Chinese, the default."""
    if cookie in LANGUAGES:
        return cookie
    return DEFAULT_LANGUAGE


# --- extraction: which strings must be translated ---

_TEMPLATE_CALL = re.compile(r"""\b_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")


def extract_messages() -> set[str]:
    """Every message id used by the pages: `_("...")` in templates, `_`/`N_`/`gettext` in code."""
    here = Path(__file__).parent
    found: set[str] = set()
    for path in (here / "templates").rglob("*"):
        if path.suffix in (".html", ".svg"):
            for double, single in _TEMPLATE_CALL.findall(path.read_text(encoding="utf-8")):
                found.add(double or single)
    for path in here.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            position = {"_": 0, "N_": 0, "gettext": 1}.get(node.func.id)
            if position is None or len(node.args) <= position:
                continue
            argument = node.args[position]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                found.add(argument.value)
    return found


def missing(lang: str) -> list[str]:
    return sorted(extract_messages() - set(catalogue(lang)))


if __name__ == "__main__":  # `python -m routes.pages.i18n`: list untranslated strings
    for message in missing(DEFAULT_LANGUAGE):
        print(json.dumps(message, ensure_ascii=False))
