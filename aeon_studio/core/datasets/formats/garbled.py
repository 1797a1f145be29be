"""Lines of a speaker-labelled log that are not turns: unreadable junk and misspelt speaker labels.

A line without a known label normally continues the last turn (multi-line messages, pasted code, ``Nota: …``,
``ERROR: …``); these are left alone. Two kinds of line cannot be a continuation and are left out of the
conversation and reported instead (``file:line``, the reason and the text):

- **unreadable** lines: a NUL or a similar binary control character anywhere (``\x00\x01…PNG``), or at least a third
  of their visible characters are control characters (other than tab), replacement characters (``�``) or
  private-use characters: binary junk or a broken decode;
- lines that start with a **broken speaker label**: ``VOCE:`` / ``V0CÊ:`` / ``AEOM:`` in a log whose speakers
  are ``VOCÊ`` and ``AEON`` (the same letters once accents, case and look-alike digits are ignored, or one
  letter off after the first for labels of four letters or more: ``Leon`` is a name, not a broken ``AEON``),
  or a label without its colon (``AEON;``, and for all-caps
  labels written exactly so, ``AEON - texto`` / ``AEON texto``: prose says "Aeon", a log says "AEON:").
  An unknown name that resembles no speaker (``Nota:``, ``ERROR:``, ``Passo 1:``) is ordinary text; when it
  starts many lines, the import warns that it may be an unmapped speaker.

:class:`LineScreen` finds them in the parser's chunks (a few C-level scans when there are none) and puts
:data:`SENTINEL` in their place; the parser removes it from the turns and returns the reports in line order.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from ...i18n import _
from ..records import Record

#: Put in place of a line that was left out, so the parser's line numbers stay right; removed from every turn
#: afterwards. A line made only of it is itself unreadable, so it can never be mistaken for text.
SENTINEL = "\x00"
#: Characters that never belong to readable text (tab excepted).
JUNK = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffd\ufffe\uffff\ue000-\uf8ff]")
#: A line that holds at least one :data:`JUNK` character (``re.M``: one match per line).
JUNK_LINE = re.compile("^[^\n]*?[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffd\ufffe\uffff\ue000-\uf8ff][^\n]*", re.M)
_ALLOWED_BYTES = bytes(b for b in range(256) if b in (9, 10) or 32 <= b < 0x7f or b > 0x9f)
_CONFUSABLES = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "@": "a"})
_SHOWN_CHARS = 80
#: After an all-caps speaker label (``AEON - …``, ``AEON texto``): no ``:`` where one belongs.
_NO_COLON = r"(?=[ \t]*[^\w\s:;]?[ \t]+\S)"
#: ``NAME:`` / ``NAME;``: what a speaker label looks like (possessive: no backtracking on ordinary lines).
_ANY_LABEL = r"[^\W\d_][^:;\n\[\]]{0,30}+[:;]"


def has_junk(text: str) -> bool:
    """Whether ``text`` holds a :data:`JUNK` character, in a C-level pass or two: Latin-1 text (most chats) as
    bytes with every allowed byte deleted; other text through ``str.isprintable`` (``�`` is a printable symbol:
    looked for on its own), the regex only when that finds tabs, no-break spaces or the like."""
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:
        pass
    else:
        return bool(raw.translate(None, _ALLOWED_BYTES))
    if "\ufffd" in text:
        return True
    flat = text.replace("\n", " ")
    if "\t" in flat:
        flat = flat.replace("\t", " ")
    return not flat.isprintable() and JUNK.search(text) is not None


#: Control characters that no text holds, not even pasted terminal output (tab, line and form feeds, carriage
#: return and ESC of colour codes excepted): one of them marks binary data (``\x00\x01…PNG``), whatever surrounds it.
BINARY = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def unreadable(text: str) -> bool:
    """Whether ``text`` is not text: it holds a NUL or a similar binary control character, or at least a third of
    its visible characters are junk (control, replacement or private-use characters)."""
    junk = len(JUNK.findall(text))
    if not junk:
        return False
    if BINARY.search(text):
        return True
    visible = len(text) - sum(map(text.count, (" ", "\t")))
    return junk * 3 >= visible


@lru_cache(maxsize=4096)
def _norm(label: str) -> str:
    """``VOCÊ`` → ``voce``, ``AE0N`` → ``aeon``: no accents, no case, look-alike digits read as letters, letters
    and digits only."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", label) if not unicodedata.combining(c))
    return "".join(c for c in plain.casefold().translate(_CONFUSABLES) if c.isalnum())


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by at most one inserted, deleted or replaced character."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + (len(a) == len(b)):] == b[i + 1:]


def misspelt_label(label: str, sep: str, labels: list[str]) -> str | None:
    """The known speaker label that ``label`` (followed by ``sep``, ``":"`` or ``";"``) is a broken spelling
    of, or ``None`` when it is a correct label or resembles none."""
    folded = label.strip().casefold()
    for known in labels:
        if folded == known.casefold():
            return known if sep != ":" else None
    norm = _norm(label)
    if not norm:
        return None
    for known in labels:
        want = _norm(known)
        if norm == want or (len(want) >= 4 and norm[0] == want[0] and _one_edit(norm, want)):
            return known
    return None


def shown(text: str) -> str:
    """``text`` quoted for a report: control characters escaped (``'\\x00'``), cut after 80 characters."""
    text = text.strip()
    cut = text[:_SHOWN_CHARS]
    return repr(cut) + ("…" if len(text) > _SHOWN_CHARS else "")


def unreadable_reason(line: str) -> str:
    return _("unreadable line (mostly control or replacement characters), left out of the conversation: "
             "{text}").format(text=shown(line))


def label_reason(found: str, known: str, line: str) -> str:
    """Why ``line``, which starts with ``found`` (``VOCE:``, ``AEON;``, ``AEON``), was left out."""
    label = found.rstrip(":;").strip()
    if label.casefold() == known.casefold():
        return _("the speaker label '{known}' lacks its ':', so the line is not a turn; it was left out of the "
                 "conversation (fix it in the file): {text}").format(known=known, text=shown(line))
    return _("'{label}:' is not a speaker label of this log (did you mean '{known}:'?); the line was left out of "
             "the conversation (fix it in the file, or add '{label}' to the speaker mapping): {text}").format(
        label=label, known=known, text=shown(line))


def remove_sentinels(content: str) -> str:
    """A turn's text without the lines that were left out (and without the blank lines they leave behind)."""
    lines = [ln for ln in content.split("\n") if ln != SENTINEL]
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.lstrip("\n").rstrip()


class LineScreen:
    """Finds the lines of a log's chunks that are not turns and cuts them out, for :class:`.logs.LogParser`.

    ``labels`` are the speaker labels, ``line_rx`` matches a labelled line start (its end is where the turn's
    text starts), ``ts`` is an optional-timestamp regex that may come before a label. Which ``NAME:`` spellings are
    text and which are broken labels is learnt once per spelling.
    """

    def __init__(self, labels: list[str], line_rx: re.Pattern, ts: str) -> None:
        self.labels, self.line_rx, self.ts = labels, line_rx, ts
        caps = "|".join(re.escape(lab) for lab in sorted(labels, key=len, reverse=True) if lab.isupper())
        #: A continuation line (after a ``\\n``) that starts like a label: an all-caps label without its ``:``,
        #: or any ``NAME:`` (most are text: ``Nota:``, ``ERROR:``).
        self.cont_rx = re.compile(r"\n[ \t]*+" + ts + "(" + (f"(?:{caps}){_NO_COLON}|" if caps else "")
                                  + _ANY_LABEL + ")")
        self.label_ok: set[str] = set()  # "Nota:", "ERROR:": text
        self.label_bad: dict[str, str] = {}  # "VOCE:" → "VOCÊ"
        self._bad_rx: tuple[int, re.Pattern | None] = (0, None)

    def suspect(self, chunk: str, parts: list[str]) -> bool:
        """Whether ``chunk`` (split by the parser: ``[head, ts, ts2, label, body, …]``) may hold a line that is
        not a turn: a junk character anywhere, or a continuation line that starts with a broken label. A few
        C-level scans; only the continuation lines are searched for labels (a body's first line follows its
        label, not a ``\\n``)."""
        odd = self._learn(set(self.cont_rx.findall("\x01".join(parts[0::4]))))
        return odd or has_junk(chunk)

    def _learn(self, found: set[str]) -> bool:
        new = found - self.label_ok
        bad = False
        for s in new:
            if s in self.label_bad:
                bad = True
                continue
            known = misspelt_label(s[:-1], s[-1], self.labels) if s[-1] in ":;" else s
            if known is None:
                if len(self.label_ok) < 65536:
                    self.label_ok.add(s)
            else:
                self.label_bad[s] = known
                bad = True
        return bad

    def _bad_labels(self) -> re.Pattern:
        n, rx = self._bad_rx
        if rx is None or n != len(self.label_bad):
            alts = "|".join(re.escape(s) + ("" if s[-1] in ":;" else _NO_COLON)
                            for s in sorted(self.label_bad, key=len, reverse=True))
            rx = re.compile(r"^[ \t]*" + self.ts + "(" + alts + ")", re.M)
            self._bad_rx = (len(self.label_bad), rx)
        return rx

    def leave_out(self, chunk: str, name: str, first_line: int) -> tuple[str, list[Record]]:
        """``chunk`` (starting at line ``first_line`` of the file ``name``) with every line that is not a turn
        replaced by :data:`SENTINEL` (only the text after the label, for a labelled line whose text is
        unreadable), and a report for each, in line order."""
        cuts: dict[int, tuple[int, int, str, str]] = {}  # line start → (cut from, cut to, reason, line)
        for m in JUNK_LINE.finditer(chunk):
            line = m.group()
            lm = self.line_rx.match(line)
            body = line[lm.end():] if lm is not None else line
            if unreadable(body):
                cuts[m.start()] = (m.end() - len(body), m.end(), unreadable_reason(line), line)
        if self.label_bad:
            for m in self._bad_labels().finditer(chunk):
                if m.start() in cuts:
                    continue
                end = chunk.find("\n", m.start())
                end = len(chunk) if end < 0 else end
                line, s = chunk[m.start():end], m.group(1)
                cuts[m.start()] = (m.start(), end, label_reason(s, self.label_bad[s], line), line)
        if not cuts:
            return chunk, []
        pieces, reports, pos, lineno, counted = [], [], 0, first_line, 0
        for start in sorted(cuts):
            a, b, reason, line = cuts[start]
            lineno += chunk.count("\n", counted, start)
            counted = start
            reports.append(Record([], f"{name}:{lineno}", reason, lineno, {"text": line.strip()[:2000]}))
            pieces += (chunk[pos:a], SENTINEL)
            pos = b
        pieces.append(chunk[pos:])
        return "".join(pieces), reports
