"""What a memory item shows the user: its source and its text, in the language of the interface.

A remembered exchange is stored as ``"User: …\\nAssistant: …"`` in English, because that text is the
model's input (see :mod:`.hook`); a source such as ``"conversation 6"`` is stored in the language the app
had when it was written. Both are translated only when shown, so switching the language changes what
the Memory tab and the chat's sources show, and never what the model reads.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from ..i18n import N_, TRANSLATIONS_DIR, _, parse_po

#: Sources the app writes itself (:mod:`.hook`, :meth:`.store.MemoryStore.import_documents`).
SOURCE_PATTERNS = (N_("you said, conversation {id}"), N_("you mentioned it, conversation {id}"),
                   N_("conversation {id}"), N_("{name}, passage {n}"), N_("added by you"))
#: Speaker labels of a stored exchange (English, as the model reads them) and their translatable names.
SPEAKERS = (("User:", N_("User:")), ("Assistant:", N_("Assistant:")))
_FIELD = re.compile(r"\\\{(\w+)\\\}")


@lru_cache(maxsize=1)
def _catalogues() -> tuple[dict[str, str], ...]:
    """Every shipped catalogue: a source stored in any language is recognised whatever the current one is."""
    out = []
    for folder in sorted(p for p in TRANSLATIONS_DIR.iterdir() if p.is_dir()):
        merged: dict[str, str] = {}
        for po in sorted(folder.glob("*.po")):
            merged.update(parse_po(po.read_text(encoding="utf-8")))
        out.append(merged)
    return tuple(out)


def _regex(pattern: str) -> re.Pattern[str]:
    def field(m: re.Match[str]) -> str:
        return rf"(?P<{m.group(1)}>\d+)" if m.group(1) in ("id", "n") else rf"(?P<{m.group(1)}>.+?)"

    return re.compile(_FIELD.sub(field, re.escape(pattern)))


@lru_cache(maxsize=1)
def _source_forms() -> tuple[tuple[str, re.Pattern[str]], ...]:
    forms = []
    for msgid in SOURCE_PATTERNS:
        written = {msgid} | {cat[msgid] for cat in _catalogues() if msgid in cat}
        forms += [(msgid, _regex(w)) for w in sorted(written, key=len, reverse=True)]
    return tuple(forms)


def source_text(source: str | None) -> str:
    """A stored source in the interface language (``"conversation 6"`` → ``"conversa 6"``); others as stored."""
    if not source:
        return ""
    for msgid, regex in _source_forms():
        m = regex.fullmatch(source)
        if m:
            return _(msgid).format(**m.groupdict())
    return source


def _speaker_forms() -> list[tuple[str, str]]:
    """``(stored label, shown label)`` for each speaker, stored as English or, by hand, as a translation."""
    return [(stored, _(label)) for stored, label in SPEAKERS]


def exchange_text(text: str) -> str:
    """A stored exchange with its speaker labels translated (``"User: hi"`` → ``"Você: hi"``)."""
    for stored, shown in _speaker_forms():
        if stored != shown:
            text = re.sub(rf"(?m)^{re.escape(stored)}(?=\s)", shown.replace("\\", r"\\"), text)
    return text


def stored_exchange(text: str) -> str:
    """The inverse of :func:`exchange_text`: an exchange edited in the interface language, as stored."""
    for stored, shown in _speaker_forms():
        if stored != shown:
            text = re.sub(rf"(?m)^{re.escape(shown)}(?=\s)", stored, text)
    return text


def item_text(kind: str | None, text: str) -> str:
    """What a memory item's text shows: an exchange with translated speakers, anything else as stored."""
    return exchange_text(text) if kind == "exchange" else text


#: Words of the question named at most in a match's explanation.
MATCH_WORDS = 4


def match_text(match: str | None, score: float | None = None, words: Sequence[str] = ()) -> str:
    """How a recalled memory matched the question, in words: "similar meaning (72%)", "same words: cachorro,
    Thor", or both joined by " · " (``match``: "dense", "lexical", "both"). A reply stored before hybrid recall
    has no ``match``: its cosine ``score`` is shown as before ("match 72%").

    Args:
        match: Which part of the search found the memory.
        score: The cosine similarity with the question, shown for a match by meaning; None leaves it out.
        words: The question's words the memory shares.
    """
    parts = []
    if match in ("dense", "both"):
        parts.append(_("similar meaning ({p:.0%})").format(p=score) if isinstance(score, (int, float))
                     else _("similar meaning"))
    if match in ("lexical", "both"):
        shown = [str(w) for w in words][:MATCH_WORDS]
        parts.append(_("same words: {words}").format(words=", ".join(shown)) if shown else _("same words"))
    if not parts and isinstance(score, (int, float)):
        return _("match {p:.0%}").format(p=score)
    return " · ".join(parts)
