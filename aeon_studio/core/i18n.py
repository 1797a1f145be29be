"""Translations for every user-visible string, in the core and the GUI alike.

``_("text")`` returns the text in the user's language. Catalogues are gettext
``.po`` files in ``resources/translations/<lang>/`` (one file per area of the app,
merged; ``pt_BR`` ships); they are parsed directly, so no compile step or Qt tool
is needed. The language comes from the
``language`` setting, then ``LANGUAGE``/``LC_ALL``/``LC_MESSAGES``/``LANG``.
"""

from __future__ import annotations

import ast
import os
from functools import lru_cache
from pathlib import Path

TRANSLATIONS_DIR = Path(__file__).resolve().parents[2] / "resources" / "translations"
_language: str | None = None


def available_languages() -> list[str]:
    return ["en"] + sorted(p.name for p in TRANSLATIONS_DIR.iterdir() if p.is_dir())


def set_language(lang: str | None) -> None:
    """Force a language (``"pt_BR"``, ``"en"``…); ``None`` goes back to the environment."""
    global _language
    _language = lang
    _catalogue.cache_clear()


def current_language() -> str:
    if _language:
        return _language
    for var in ("AEON_STUDIO_LANGUAGE", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return value.split(":")[0].split(".")[0]
    return "en"


def parse_po(text: str) -> dict[str, str]:
    """Minimal gettext ``.po`` reader: msgid/msgstr pairs with continued strings."""
    entries: dict[str, str] = {}
    msgid: list[str] | None = None
    msgstr: list[str] | None = None
    current: list[str] | None = None

    def flush() -> None:
        if msgid is not None and msgstr is not None:
            key, value = "".join(msgid), "".join(msgstr)
            if key and value:
                entries[key] = value

    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("msgid "):
            flush()
            msgid, msgstr = [ast.literal_eval(line[6:])], None
            current = msgid
        elif line.startswith("msgstr "):
            msgstr = [ast.literal_eval(line[7:])]
            current = msgstr
        elif line.startswith('"') and current is not None:
            current.append(ast.literal_eval(line))
        elif not line or line.startswith("#"):
            continue
    flush()
    return entries


@lru_cache(maxsize=4)
def _catalogue(lang: str | None = None) -> dict[str, str]:
    lang = lang or current_language()
    base = lang.split("_")[0]
    candidates = [lang, base] + (["pt_BR"] if base == "pt" else [])
    for candidate in candidates:
        folder = TRANSLATIONS_DIR / candidate
        if folder.is_dir():
            merged: dict[str, str] = {}
            for po in sorted(folder.glob("*.po")):
                merged.update(parse_po(po.read_text(encoding="utf-8")))
            return merged
    return {}


def _(text: str) -> str:
    """Translate ``text`` (use ``.format`` for placeholders after translating)."""
    return _catalogue().get(text, text)


def N_(text: str) -> str:
    """Mark ``text`` for translation without translating it now (module-level constants)."""
    return text
