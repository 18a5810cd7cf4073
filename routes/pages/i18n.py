"""A small gettext-like catalogue: English message ids, translated per language from JSON files.

* Message ids are the English text. `translations/<lang>.json` maps each id to its translation;
  English needs no file. A missing translation falls back to the English text.
* In templates: `{{ _("Declarations") }}`, with named placeholders
  `{{ _("{count} tasks", count=n) }}`. In Python: `gettext(lang, "...")`; strings that are only
  *marked* for translation (labels in tables) use `N_("...")`.
* `tests/browser/test_browser_i18n.py` checks every marked string has a Chinese translation.
"""

import json
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
