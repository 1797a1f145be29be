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


#: Separates the singular and plural msgid of a plural entry in a parsed catalogue (as GNU gettext does).
PLURAL_SEP = "\x00"


def parse_po(text: str) -> dict[str, str]:
    """Minimal gettext ``.po`` reader: msgid/msgstr pairs with continued strings.

    A plural entry (``msgid``/``msgid_plural``/``msgstr[N]``) is stored under
    ``"singular\x00plural"`` with its forms joined by ``"\x00"``, like a compiled ``.mo`` catalogue.
    """
    entries: dict[str, str] = {}
    fields: dict[str, list[str]] = {}
    current: list[str] | None = None

    def flush() -> None:
        if "msgid" not in fields:
            return
        key = "".join(fields["msgid"])
        if "msgid_plural" in fields:
            key += PLURAL_SEP + "".join(fields["msgid_plural"])
            forms = sorted((k for k in fields if k.startswith("msgstr[")), key=lambda k: int(k[7:-1]))
            value = PLURAL_SEP.join("".join(fields[k]) for k in forms)
            if not all("".join(fields[k]) for k in forms):
                value = ""
        else:
            value = "".join(fields.get("msgstr", []))
        if key and value:
            entries[key] = value

    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            if current is not None:
                current.append(ast.literal_eval(line))
            continue
        name, _sep, rest = line.partition(" ")
        if name == "msgid":
            flush()
            fields = {}
        if name in ("msgid", "msgid_plural", "msgstr") or name.startswith("msgstr["):
            current = fields[name] = [ast.literal_eval(rest)]
    flush()
    return entries


def plural_index(n: int, lang: str | None = None) -> int:
    """Which plural form ``n`` takes: the singular for 1 only, in English and Portuguese alike.

    gettext's classic pt_BR rule (``n > 1``) makes "0 exemplo separado"; people write "0 exemplos", so the app
    counts like English. French (``n > 1``) keeps its own rule."""
    lang = lang or current_language()
    if lang.split("_")[0] == "fr":
        return int(abs(n) > 1)
    return int(abs(n) != 1)


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


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a counted text for ``n`` in the user's language (use ``.format(n=n)`` after it).

    Example: ``ngettext("{n} example", "{n} examples", n).format(n=n)``.
    """
    forms = _catalogue().get(singular + PLURAL_SEP + plural)
    idx = plural_index(n)
    if forms:
        parts = forms.split(PLURAL_SEP)
        return parts[min(idx, len(parts) - 1)]
    return singular if plural_index(n, "en") == 0 else plural


def N_(text: str) -> str:
    """Mark ``text`` for translation without translating it now (module-level constants)."""
    return text
