"""Speaker-labelled logs (``VOCÊ: …`` / ``AEON: …``, chat exports with names and timestamps), streamed.

Rules:
- a line starting with a known label (case-insensitive, optional ``[12/03/2025 14:02]`` or WhatsApp-style
  ``12/03/2025 14:02 - `` timestamp before it) starts a turn of that speaker;
- other lines continue the last speaker's turn (multi-line messages, paragraphs after a blank line);
- consecutive turns of one speaker are merged;
- a conversation ends at a blank line followed by a labelled line, at a separator line (``-----``, ``=== … ===``)
  after a blank line, or when two timestamps are more than ``gap_minutes`` apart;
- text before any speaker label is reported as a problem (``file:line``), never dropped silently.

The hot path works per block of text with C-level regex scans, not per line in Python: a 200 MB log converts
faster than a naive line-pairing loop (see ``bench/convert_logs.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from typing import Any

from ...i18n import _
from ..records import Record
from ..textio import TextFile

_TS_BRACKET = r"\[(?P<ts>[^\]\n]{1,40})\][ \t]*"
_TS_DASH = (r"(?P<ts2>\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4},?[ \t]+\d{1,2}:\d{2}(?::\d{2})?(?:[ \t]?[AaPp]\.?[Mm]\.?)?)"
            r"[ \t]+-[ \t]+")
_TS_DATE = re.compile(r"(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})")
_TS_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::\d{2})?(?:\s?([AaPp])\.?[Mm])?")
_BLANKS = re.compile(r"(?:^[ \t\f\v]*\n)+", re.M)
_SEPARATOR = re.compile(r"[ \t]*(?:[=\-_*#~]{3,}|\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}[ \t]*)[^\n]*(?:\n|$)")
_GENERIC_LABEL = re.compile(r"^[ \t]*(?:" + _TS_BRACKET + "|" + _TS_DASH + r")?(?P<label>[^\W\d_][^:\n\[\]]{0,30}?)"
                            r"[ \t]*:(?:[ \t]|$)", re.M)
#: Conversation text kept in memory at most; longer "conversations" are rejected as too long anyway.
MAX_CONVERSATION_CHARS = 4_000_000


def label_pattern(labels: list[str]) -> re.Pattern:
    """The regex that finds a labelled line start for these speaker labels (longest first)."""
    alts = "|".join(re.escape(lab) for lab in sorted(labels, key=len, reverse=True))
    return re.compile(r"^[ \t]*(?:" + _TS_BRACKET + "|" + _TS_DASH + r")?(?P<label>" + alts + r")[ \t]*:[ \t]*",
                      re.M | re.I)


@lru_cache(maxsize=8192)
def timestamp_minutes(text: str) -> int | None:
    """Minutes since year 1 for ``12/03/2025 14:02`` (day first), ``2025-03-12 14:02:05``; for a bare
    ``14:02`` the minutes of the day (negative marker: ``-1 - minutes``); ``None`` when unreadable."""
    t = _TS_TIME.search(text)
    if t is None:
        return None
    hour, minute = int(t.group(1)), int(t.group(2))
    if t.group(3):
        hour = hour % 12 + (12 if t.group(3) in "pP" else 0)
    if hour > 23 or minute > 59:
        return None
    d = _TS_DATE.search(text)
    if d is None:
        return -1 - (hour * 60 + minute)
    a, b, c = (int(x) for x in d.groups())
    year, month, day = (a, b, c) if a > 31 else (c, b, a)
    if year < 100:
        year += 2000
    try:
        return date(year, month, day).toordinal() * 1440 + hour * 60 + minute
    except ValueError:
        return None


def speakers_in(text: str, limit: int = 20) -> list[str]:
    """Labels that start lines of ``text`` (``Ana``, ``VOCÊ``…), most frequent first, for the mapping editor."""
    counts: dict[str, int] = {}
    for m in _GENERIC_LABEL.finditer(text):
        lab = m.group("label").strip()
        if lab and len(lab.split()) <= 4 and not lab.lower().startswith(("http", "https")):
            counts[lab] = counts.get(lab, 0) + 1
    return [k for k, _n in sorted(counts.items(), key=lambda kv: -kv[1])][:limit]


class LogParser:
    """Stateful parser: feed it text chunks that end at line ends; it yields finished conversations."""

    def __init__(self, name: str, speakers: dict[str, str], *, gap_minutes: float | None = 30) -> None:
        self.name = name
        self.roles = {k.casefold(): v for k, v in speakers.items()}
        self.rx = label_pattern(list(speakers))
        self.gap = int(gap_minutes) if gap_minutes else 0
        self.line = 1  # line number where the next chunk starts
        self.turns: list[list[Any]] = []  # [role, [pieces], first line]
        self.start = 0
        self.size = 0
        self.too_long = False
        self.last_ts: int | None = None
        self.pending_break = False

    # -- conversation state ------------------------------------------------------------
    def _close(self) -> Record | None:
        if not self.turns:
            return None
        msgs = [{"role": r, "content": "\n".join(p).strip()} for r, p, _l in self.turns]
        rec = Record(messages=msgs, ref=f"{self.name}:{self.start}", line=self.start)
        if self.too_long:
            rec.problem = _("the conversation is longer than {n} characters").format(n=MAX_CONVERSATION_CHARS)
        self.turns, self.size, self.too_long, self.last_ts = [], 0, False, None
        return rec

    def _add(self, role: str, text: str, line: int) -> None:
        if not self.turns:
            self.start = line
        self.size += len(text)
        if self.size > MAX_CONVERSATION_CHARS:
            self.too_long = True
            text = ""
        if self.turns and self.turns[-1][0] == role:
            self.turns[-1][1].append(text)
        else:
            self.turns.append([role, [text], line])

    # -- parsing -------------------------------------------------------------------------
    def feed(self, chunk: str) -> Iterator[Record]:
        """Parse ``chunk`` (ends at a line end, except maybe the file's last); yield closed conversations."""
        pos, line = 0, self.line
        for blank in _BLANKS.finditer(chunk):
            if blank.start() > pos:
                yield from self._block(chunk, pos, blank.start(), line)
                line += chunk.count("\n", pos, blank.start())
            line += chunk.count("\n", blank.start(), blank.end())
            pos = blank.end()
            self.pending_break = True
        if pos < len(chunk):
            yield from self._block(chunk, pos, len(chunk), line)
            line += chunk.count("\n", pos)
        self.line = line

    def finish(self) -> Iterator[Record]:
        rec = self._close()
        if rec is not None:
            yield rec

    def _block(self, text: str, start: int, end: int, line: int) -> Iterator[Record]:
        matches = self.rx.finditer(text, start, end)
        first = next(matches, None)
        head_end = first.start() if first is not None else end
        if head_end > start:
            yield from self._head(text[start:head_end], line)
            line += text.count("\n", start, head_end)
        elif self.pending_break:
            rec = self._close()
            if rec is not None:
                yield rec
        self.pending_break = False
        m = first
        roles, gap = self.roles, self.gap
        while m is not None:
            nxt = next(matches, None)
            body_end = nxt.start() if nxt is not None else end
            role = roles[m.group("label").casefold()]
            if gap:
                ts = m.group("ts") or m.group("ts2")
                if ts:
                    now = timestamp_minutes(ts)
                    if now is not None:
                        last = self.last_ts
                        if last is not None and self.turns and (now < 0) == (last < 0):
                            delta = (last - now) if now < 0 else (now - last)
                            if now < 0 and delta < 0:
                                delta += 1440  # a bare time that wrapped past midnight
                            if delta > gap:
                                rec = self._close()
                                if rec is not None:
                                    yield rec
                        self.last_ts = now
            self._add(role, text[m.end():body_end], line)
            line += text.count("\n", m.start(), body_end)
            m = nxt

    def _head(self, head: str, line: int) -> Iterator[Record]:
        """Lines before the first label of a block: a continuation, a separator, or orphan text."""
        if self.pending_break:
            sep = _SEPARATOR.match(head)
            if sep is not None:
                rec = self._close()
                if rec is not None:
                    yield rec
                line += head.count("\n", 0, sep.end())
                head = head[sep.end():]
                if not head.strip():
                    return
        if self.turns:
            self._add(self.turns[-1][0], ("\n" if self.pending_break else "") + head, line)
            return
        stripped = head.lstrip("\n \t")
        line += head.count("\n", 0, len(head) - len(stripped))
        if not stripped.strip():
            return
        yield Record(messages=[], ref=f"{self.name}:{line}", line=line,
                     problem=_("text without a speaker label (expected one of: {labels})").format(
                         labels=", ".join(f"{k}:" for k in self.roles_display())),
                     extra={"text": stripped[:2000]})

    def roles_display(self) -> list[str]:
        return sorted({k.upper() if k.islower() else k for k in self.roles})


def read_log(tf: TextFile, *, speakers: dict[str, str], gap_minutes: float | None = 30,
             **_ignored: Any) -> Iterator[Record]:
    """Conversations of a speaker-labelled log (see the module docstring)."""
    parser = LogParser(tf.name, speakers, gap_minutes=gap_minutes)
    for chunk in tf.chunks():
        yield from parser.feed(tf.fix(chunk))
    yield from parser.finish()
