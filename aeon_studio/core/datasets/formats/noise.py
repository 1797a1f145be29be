"""Lines of a chat export that are not messages: media placeholders, deleted messages, call and system notices.

WhatsApp (Android and iOS, English and Portuguese) and Telegram exports put lines such as ``<Mídia oculta>``,
``<Media omitted>``, ``‎image omitted`` (with an invisible LRM mark), ``This message was deleted``,
``Esta mensagem foi apagada``, ``Missed voice call`` and the end-to-end encryption notice among the messages.
Kept, they become (or join) a turn and get trained on. :class:`NoiseScreen` finds them in the log parser's
chunks and puts :data:`.garbled.SENTINEL` in their place (line numbers stay right; the parser removes it), and
returns one record per line left out (and per edit mark cut), with its kind (:data:`KINDS`) in ``extra["dropped"]``: the pipeline counts
them by kind, the preview shows them. Edit marks (``<This message was edited>``) are cut from the line and
counted; the message stays.

A line is noise when its whole text, after an optional timestamp and speaker label, is one of these notices;
a line of a chat export that starts with a timestamp but has no speaker label (``12/03/2025 14:02 - Ana created
group "Família"``) is a system message. Text that merely mentions them stays. Chunks without any of the
telltale words cost a few substring searches. In JSON exports (Telegram's ``result.json``), service messages and
media messages without a caption are left out the same way (:func:`export_object`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ...i18n import _, ngettext
from ..records import Record
from .garbled import SENTINEL

#: Kinds of left-out lines (``extra["dropped"]``), in the order a report lists them.
KINDS = ("media", "deleted", "call", "system", "edited")

_MARKS = "\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff"
_MEDIA = (r"<(?:media omitted|m[ií]dia oculta|arquivo de m[ií]dia oculto|m[ií]dia omitida)>"
          r"|<(?:attached|anexado|anexo)[ \t]*:[^>\n]*>"
          r"|(?:image|photo|video|audio|sticker|gif|document|contact card|voice message)[ \t]+(?:omitted|attached)"
          r"|(?:imagem|foto|v[ií]deo|[aá]udio|figurinha|gif|documento|arquivo|cart[aã]o de contato|mensagem de voz)"
          r"[ \t]+(?:omitid[oa]|ocultad[oa]|ocult[oa]|anexad[oa])"
          r"|[^\s/\\<>]{1,120}\.\w{2,5}[ \t]+\((?:file attached|arquivo anexado)\)"
          r"|\[(?:photo|video|voice message|video message|sticker|gif|animation|file|audio|foto|v[ií]deo"
          r"|mensagem de voz|mensagem de v[ií]deo|figurinha|anima[cç][aã]o|arquivo|[aá]udio)(?:[ \t][^\]\n]{0,60})?\]")
_DELETED = (r"this message was deleted(?: by [^\n]{1,60})?|you deleted this message"
            r"|(?:esta )?mensagem (?:foi )?(?:apagada|eliminada)(?: por [^\n]{1,60})?"
            r"|voc[eê] (?:apagou|eliminou) esta mensagem|eliminou esta mensagem|deleted message|mensagem exclu[ií]da")
_CALL = (r"missed (?:group )?(?:voice|video) call(?:,[^\n]{0,40})?"
         r"|(?:chamada|liga[cç][aã]o) (?:de (?:voz|v[ií]deo) )?(?:em grupo )?perdida(?:,[^\n]{0,40})?"
         r"|(?:chamada|liga[cç][aã]o) de (?:voz|v[ií]deo) perdida(?:,[^\n]{0,40})?")
_SYSTEM = (r"(?:messages (?:and calls )?(?:to this (?:group|chat) )?are (?:now )?end-to-end encrypted[^\n]*)"
           r"|(?:(?:as )?mensagens (?:e (?:as )?(?:liga[cç][oõ]es|chamadas) )?(?:s[aã]o|est[aã]o) "
           r"(?:agora )?protegidas com (?:a )?criptografia de ponta[ -]a[ -]ponta[^\n]*)"
           r"|(?:your security code with [^\n]{1,80} changed[^\n]*|o seu c[oó]digo de seguran[cç]a com [^\n]{1,80} "
           r"mudou[^\n]*|seu c[oó]digo de seguran[cç]a com [^\n]{1,80} mudou[^\n]*)")
_TS = (r"(?:\[[^\]\n]{1,40}\][ \t]*|\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4},?[ \t]+\d{1,2}:\d{2}(?::\d{2})?"
       r"(?:[ \t]?[AaPp]\.?[Mm]\.?)?[ \t]+-[ \t]+)?")
#: A whole line that is a notice: optional timestamp and label, then only the notice (and invisible marks).
_LINE = re.compile(r"^[ \t]*" + _TS + r"(?:[^\W\d_][^:\n\[\]]{0,40}?[ \t]*:[ \t]*)?[" + _MARKS + r" \t]*(?:"
                   r"(?P<media>" + _MEDIA + r")|(?P<deleted>" + _DELETED + r")|(?P<call>" + _CALL + r")|(?P<system>"
                   + _SYSTEM + r"))[" + _MARKS + r" \t.]*$", re.M | re.I)
#: A chat-export line with a date-and-time stamp but no speaker label after it: a system message.
_SYSTEM_LINE = re.compile(
    r"^[ \t]*(?:\[\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4},?[ \t]+\d{1,2}:\d{2}(?::\d{2})?(?:[ \t]?[AaPp]\.?[Mm]\.?)?\]"
    r"[ \t]*+|\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4},?[ \t]+\d{1,2}:\d{2}(?::\d{2})?(?:[ \t]?[AaPp]\.?[Mm]\.?)?[ \t]+-[ \t]++)"
    r"(?![" + _MARKS + r"]*[^\W\d_][^:\n\[\]]{0,30}?[ \t]*:(?:[ \t]|$))(?=[^\n]*\S)[^\n]*$", re.M)
_EDITED = re.compile(r"[ \t]*<(?:this message was edited|esta mensagem foi editada|mensagem editada|editada|"
                     r"edited)>(?=[ \t]*$)", re.M | re.I)
#: Substrings one of which every notice holds (as exports write them): a chunk without any is not searched.
_HINTS = ("<", "\u200e", "omitted", "omitid", "ocult", "anexad", "attached", "deleted", "apagad", "apagou",
          "eliminad", "exclu", "ncrypted", "criptografia", "issed ", "perdida", "security code", "seguran", "[")
_TS_HINTS = (" - ", "] ")
_INVISIBLE = re.compile("[" + _MARKS + "]")
#: Where a chat export without timestamps is recognised: the start of its first chunk.
_HEAD_CHARS = 256 * 1024
#: Notices that mark a file as a chat export even without timestamps (checked at the start of a file only).
_EXPORT_MARKERS = ("<Mídia oculta>", "<Media omitted>", "<Arquivo de mídia oculto>", "\u200e",
                   "This message was deleted", "Esta mensagem foi apagada", "Mensagem apagada",
                   "end-to-end encrypted", "criptografia de ponta")


#: Keys of a Telegram (Desktop JSON export) message that carry media instead of text.
_MEDIA_KEYS = ("media_type", "photo", "file", "sticker_emoji", "location_information", "contact_information",
               "poll", "live_location_period_seconds")
#: A whole message text that is a notice (a chat export turned into JSON keeps WhatsApp's own lines).
_TEXT = re.compile(r"[" + _MARKS + r" \t]*(?:(?P<media>" + _MEDIA + r")|(?P<deleted>" + _DELETED + r")|(?P<call>"
                   + _CALL + r")|(?P<system>" + _SYSTEM + r"))[" + _MARKS + r" \t.]*", re.I)


#: Keys that hold a message's text in JSON exports (see :mod:`.objects`).
_TEXT_KEYS = ("text", "message", "mensagem", "body", "content")
_HINT_RX = re.compile("|".join(re.escape(h) for h in _HINTS if h != "["), re.I)


def export_object(obj: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """One message object of a chat export in JSON (Telegram Desktop's ``result.json``, or sender/message exports):
    ``(kind, obj)`` with the :data:`KINDS` key when it is a notice to leave out (a Telegram service message, a
    media message without a caption, a text that is a notice), else ``(None, obj)`` with Telegram's rich text
    (a list of strings and ``{"type": "bold", "text": …}`` entities) joined into one string."""
    if obj.get("type") == "service" and ("action" in obj or "actor" in obj):
        return ("call" if "call" in str(obj.get("action", "")) else "system"), obj
    text = obj.get("text")
    if isinstance(text, list) and ("text_entities" in obj or "from_id" in obj):
        text = "".join(p if isinstance(p, str) else str(p.get("text", "")) if isinstance(p, dict) else ""
                       for p in text)
        obj = {**obj, "text": text}
    if isinstance(text, str) and not text.strip() and any(k in obj for k in _MEDIA_KEYS):
        return "media", obj
    for key in _TEXT_KEYS:  # one turn of a sender/message export whose whole text is a notice
        value = obj.get(key)
        if isinstance(value, str) and len(value) < 300 and _HINT_RX.search(value):
            m = _TEXT.fullmatch(value.strip())
            if m is not None:
                return m.lastgroup or "system", obj
    return None, obj


def shown_notice(obj: dict[str, Any]) -> str:
    """What a left-out message object of a JSON export is, for the preview (``[photo]``, the action, the text)."""
    text = obj.get("text")
    if isinstance(text, str) and text.strip():
        return text.strip()[:500]
    if obj.get("type") == "service":
        return f"[{obj.get('action', 'service')}]"
    key = next((k for k in _MEDIA_KEYS if k in obj), "media")
    return f"[{obj['media_type'] if key == 'media_type' else key}]"


def dropped_kind(rec: Record) -> str | None:
    """The :data:`KINDS` key of a record that reports a left-out line of a chat export, else ``None``."""
    if rec.messages or rec.problem is not None or not rec.extra:
        return None
    return rec.extra.get("dropped")


def dropped_text(counts: Mapping[str, int]) -> str:
    """``"3 media placeholders, 1 deleted message"`` for the counts by kind (known kinds first)."""
    parts = []
    for kind in [*KINDS, *sorted(set(counts) - set(KINDS))]:
        n = counts.get(kind, 0)
        if not n:
            continue
        if kind == "media":
            parts.append(ngettext("{n} media placeholder", "{n} media placeholders", n).format(n=n))
        elif kind == "deleted":
            parts.append(ngettext("{n} deleted message", "{n} deleted messages", n).format(n=n))
        elif kind == "call":
            parts.append(ngettext("{n} call notice", "{n} call notices", n).format(n=n))
        elif kind == "system":
            parts.append(ngettext("{n} system message", "{n} system messages", n).format(n=n))
        elif kind == "edited":
            parts.append(ngettext("{n} edit mark", "{n} edit marks", n).format(n=n))
        else:
            parts.append(f"{n} {kind}")
    return ", ".join(parts)


def kind_reason(kind: str) -> str:
    """Why a line of ``kind`` was left out (shown in the preview)."""
    if kind == "media":
        return _("left out: media placeholder")
    if kind == "deleted":
        return _("left out: deleted message")
    if kind == "call":
        return _("left out: call notice")
    if kind == "edited":
        return _("edit mark removed, message kept")
    return _("left out: system message")


class NoiseScreen:
    """Finds the notices of a chat export in the log parser's chunks (see the module docstring).

    Only a chat export is screened: a file whose turns carry timestamps, or whose first chunk holds one of the
    unmistakable notices. Any other log (``VOCÊ:``/``AEON:`` transcripts, hundreds of megabytes) pays one
    check of the parser's split per chunk, and a few substring searches in its first 256 KB."""

    def __init__(self) -> None:
        self.active = False
        self.first = True

    def suspect(self, chunk: str, parts: list[str]) -> bool:
        """Whether ``chunk`` (split by the parser: ``[head, ts, ts2, label, body, …]``) is to be screened."""
        if not self.active:
            if any(parts[1::4]) or any(parts[2::4]):
                self.active = True
            elif self.first:  # a whole line that is a notice, not a sentence about one, near the top
                head = chunk[:_HEAD_CHARS]
                self.active = any(m in head for m in _EXPORT_MARKERS) and _LINE.search(head) is not None
            self.first = False
        return self.active and (any(h in chunk for h in _HINTS) or any(h in chunk for h in _TS_HINTS))

    def leave_out(self, chunk: str, name: str, first_line: int) -> tuple[str, list[Record]]:
        """``chunk`` (starting at line ``first_line`` of the file ``name``) with every notice line replaced by
        :data:`.garbled.SENTINEL` and edit marks cut, and a record for each, in line order."""
        cuts: dict[int, tuple[int, str, str]] = {}  # start → (end, kind, what replaces it)
        if any(h in chunk for h in _HINTS):
            for m in _LINE.finditer(chunk):
                cuts[m.start()] = (m.end(), m.lastgroup or "system", SENTINEL)
        if any(h in chunk for h in _TS_HINTS):
            for m in _SYSTEM_LINE.finditer(chunk):
                cuts.setdefault(m.start(), (m.end(), "system", SENTINEL))
        if "<" in chunk:
            for m in _EDITED.finditer(chunk):
                line_start = chunk.rfind("\n", 0, m.start()) + 1
                if line_start not in cuts:  # an edited notice goes whole
                    cuts[m.start()] = (m.end(), "edited", "")
        if not cuts:
            return chunk, []
        pieces, records, pos, lineno, counted = [], [], 0, first_line, 0
        for start in sorted(cuts):
            if start < pos:
                continue
            end, kind, repl = cuts[start]
            lineno += chunk.count("\n", counted, start)
            counted = start
            text = chunk[start:end] if repl else chunk[chunk.rfind("\n", 0, start) + 1:end]
            text = _INVISIBLE.sub("", text).strip()[:500]  # the marks are invisible: shown, they would puzzle
            records.append(Record([], f"{name}:{lineno}", None, lineno, {"dropped": kind, "text": text}))
            pieces += (chunk[pos:start], repl)
            pos = end
        pieces.append(chunk[pos:])
        return "".join(pieces), records
