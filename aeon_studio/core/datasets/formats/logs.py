"""Speaker-labelled logs (``VOCÊ: …`` / ``AEON: …``, chat exports with names and timestamps), streamed.

Rules:
- a line starting with a known label (case-insensitive, optional ``[12/03/2025 14:02]`` or WhatsApp-style
  ``12/03/2025 14:02 - `` timestamp before it) starts a turn of that speaker;
- other lines continue the last speaker's turn (multi-line messages, paragraphs after a blank line);
- consecutive turns of one speaker are merged;
- a conversation ends at a blank line followed by a labelled line, at a separator line (``-----``, ``=== … ===``)
  after a blank line, or when two timestamps are more than ``gap_minutes`` apart;
- text before any speaker label is reported as a problem (``file:line``), never dropped silently;
- a line that cannot be a turn nor a continuation (unreadable junk, a misspelt speaker label such as ``VOCE:``;
  see :mod:`.garbled`) is left out of its conversation and reported as a problem with its text;
- media placeholders, deleted messages and system notices of chat exports (``<Mídia oculta>``, ``This message
  was deleted``, the encryption notice; see :mod:`.noise`) are left out and reported as dropped, by kind.

The hot path works per block of text with C-level regex scans, not per line in Python: a 200 MB log converts
faster than a naive line-pairing loop (see ``bench/convert_logs.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import accumulate, compress, repeat
from operator import add, attrgetter, eq
from datetime import date
from functools import lru_cache
from typing import Any

from ...i18n import _, ngettext
from ..records import Record
from ..textio import TextFile
from .garbled import SENTINEL, LineScreen, remove_sentinels
from .noise import NoiseScreen

_TS_BRACKET = r"\[(?P<ts>[^\]\n]{1,40})\][ \t]*"
_TS_DASH = (r"(?P<ts2>\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4},?[ \t]+\d{1,2}:\d{2}(?::\d{2})?(?:[ \t]?[AaPp]\.?[Mm]\.?)?)"
            r"[ \t]+-[ \t]+")
_TS_DATE = re.compile(r"(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})")
_TS_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::\d{2})?(?:\s?([AaPp])\.?[Mm])?")
_SEP = (r"(?:[=\-_*#~]{3,}[^\n]*|\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}(?:,?[ \t]+\d{1,2}:\d{2}(?::\d{2})?)?"
        r"[ \t]*[=\-_*#~]*[ \t]*)")
#: A separator line (``-----``, ``=== Sessão 2 ===``, a bare date) at the start of a text.
_SEPARATOR = re.compile(r"[ \t]*" + _SEP + r"(?:\n|$)")
_SEP_LINE = re.compile(r"[ \t]*" + _SEP)
_SEP_ANY = re.compile(r"\n[ \t]*(?:[=\-_*#~]{3}|\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}[ \t]*(?:$|\n|[=\-_*#~]|,?[ \t]+\d{1,2}:\d{2}(?::\d{2})?[ \t]*(?:$|\n)))")
_WS_BLANK = re.compile(r"\n[ \t\f\v]+(?=\n)")
_GENERIC_LABEL = re.compile(r"^[ \t]*(?:" + _TS_BRACKET + "|" + _TS_DASH + r")?(?P<label>[^\W\d_][^:\n\[\]]{0,30}?)"
                            r"[ \t]*:(?:[ \t]|$)", re.M)
#: An optional timestamp before a label, without groups.
_TS_ANY = "(?:" + _TS_BRACKET.replace("?P<ts>", "?:") + "|" + _TS_DASH.replace("?P<ts2>", "?:") + ")?"
_ALT = ["user", "assistant"] * 2048
_ALT_A = ["assistant", "user"] * 2048
#: Conversation text kept in memory at most; longer "conversations" are rejected as too long anyway.
MAX_CONVERSATION_CHARS = 4_000_000


def label_pattern(labels: list[str]) -> re.Pattern:
    """The regex that matches a labelled line start for these speaker labels (longest first); groups
    ``ts``/``ts2`` (timestamp) and ``label``."""
    alts = "|".join(re.escape(lab) for lab in sorted(labels, key=len, reverse=True))
    return re.compile(r"^[ \t]*(?:" + _TS_BRACKET + "|" + _TS_DASH + r")?(?P<label>(?i:" + alts
                      + r"))[ \t]*:[ \t]*", re.M)


def split_pattern(labels: list[str]) -> re.Pattern:
    """``re.split`` pattern for ``"\\n" + block``: the line end before a labelled line, its timestamp groups
    and the label. Starting with a literal ``\\n`` lets the regex engine skip ahead fast."""
    alts = "|".join(re.escape(lab) for lab in sorted(labels, key=len, reverse=True))
    return re.compile(r"\n[ \t]*(?:" + _TS_BRACKET.replace("?P<ts>", "") + "|" + _TS_DASH.replace("?P<ts2>", "")
                      + r")?((?i:" + alts + r"))[ \t]*:[ \t]*")


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


def timestamped_labels(lines: list[str]) -> int:
    """How many of ``lines`` start with a timestamp and a speaker label (chat-export style)."""
    n = 0
    for ln in lines:
        m = _GENERIC_LABEL.match(ln)
        if m is not None and (m.group("ts") or m.group("ts2")):
            n += 1
    return n


class LogParser:
    """Stateful parser: feed it text chunks that end at line ends; it yields finished conversations.

    A chunk is cut at blank lines (``str.split``) into blocks; one ``findall`` per block returns its turns.
    A block that does not start with a label continues the last turn (a paragraph after a blank line) or,
    when no conversation is open, is orphan text (a problem)."""

    def __init__(self, name: str, speakers: dict[str, str], *, gap_minutes: float | None = 30) -> None:
        self.name = name
        self.roles_cf = {k.casefold(): v for k, v in speakers.items()}
        self.roles: dict[str, str] = {}
        self.labels = sorted(speakers)
        self.line_rx = label_pattern(list(speakers))
        self.split_rx = split_pattern(list(speakers))
        self.gap = int(gap_minutes) if gap_minutes else 0
        self.line = 1  # line number where the next chunk starts
        self.msgs: list[dict[str, str]] = []
        self.start = 0
        self.size = 0
        self.last_ts: int | None = None
        self.pending_break = False
        #: Reports of left-out lines not yet returned: each waits until the conversation it was in is closed,
        #: so the records come out in line order whatever the chunk boundaries (single and parallel convert).
        self.held: list[Record] = []
        #: Whether an open or just-closed turn may still hold a :data:`.garbled.SENTINEL` line.
        self.dirty = False
        self.screen = LineScreen(list(speakers), self.line_rx, _TS_ANY)
        #: Media placeholders, deleted messages and system notices of chat exports (see :mod:`.noise`).
        self.noise = NoiseScreen()

    def _close(self) -> None:
        """Close the open conversation (if any) into ``self.out``."""
        self.pending_break = False
        self.last_ts = None
        msgs = self.msgs
        if not msgs:
            return
        rec = Record(messages=msgs, ref=f"{self.name}:{self.start}", line=self.start)
        if self.size > MAX_CONVERSATION_CHARS:
            rec.messages = [{"role": m["role"], "content": m["content"][:1000]} for m in msgs]
            rec.problem = ngettext("the conversation is longer than {n} character",
                                   "the conversation is longer than {n} characters",
                                   MAX_CONVERSATION_CHARS).format(n=MAX_CONVERSATION_CHARS)
        self.msgs = []
        self.size = 0
        self.out.append(rec)

    def _role(self, label: str) -> str:
        role = self.roles_cf.get(label.casefold())
        if role is None:  # the regex's case-insensitive match and casefold() disagree (rare letters)
            role = next(v for k, v in self.roles_cf.items() if re.fullmatch(re.escape(k), label, re.I))
        if len(self.roles) < 4096:
            self.roles[label] = role
        return role

    def feed(self, chunk: str) -> list[Record]:
        """Parse ``chunk`` (starts at a line start, ends at a line end except maybe the file's last one);
        return the conversations (and problems) it closes."""
        out = self.out = []
        if "\n " in chunk or "\n\t" in chunk or chunk[:1] in (" ", "\t"):
            chunk = _WS_BLANK.sub("\n", "\n" + chunk)[1:]  # whitespace-only lines are blank lines
        parts = self.split_rx.split("\n" + chunk)  # [head, ts, ts2, label, body, ts, ts2, label, body, …]
        if self.screen.suspect(chunk, parts):
            chunk, left_out = self.screen.leave_out(chunk, self.name, self.line)
            if left_out:
                self.held += left_out
                self.dirty = True
                parts = self.split_rx.split("\n" + chunk)
        if self.noise.suspect(chunk, parts):
            chunk, dropped = self.noise.leave_out(chunk, self.name, self.line)
            if dropped:  # reported in line order with the other left-out lines
                self.held = sorted(self.held + dropped, key=attrgetter("line"))
                self.dirty = True
                parts = self.split_rx.split("\n" + chunk)
        if _SEP_ANY.search("\n" + chunk[:64]) is not None or _SEP_ANY.search(chunk) is not None \
                or not self._fast(parts):
            self._blocks(chunk)
        if self.held or self.dirty:
            self._settle(out)
        return out

    def _settle(self, out: list[Record]) -> None:
        """Remove the sentinels from the turns of ``out``; add the held reports of lines before the open
        conversation (all of them when none is open), in line order."""
        if self.dirty:
            for rec in out:
                for m in rec.messages:
                    if SENTINEL in m["content"]:
                        m["content"] = remove_sentinels(m["content"])
            self.dirty = any(SENTINEL in m["content"] for m in self.msgs)
        if self.held:
            start = self.start if self.msgs else None
            done = [r for r in self.held if start is None or r.line < start]
            if done:
                self.held = self.held[len(done):]
                out.extend(done)
                out.sort(key=attrgetter("line"))

    def _fast(self, parts: list[str]) -> bool:
        """The whole chunk (``split_rx.split("\\n" + chunk)``) in a few C-level passes when it has no separators,
        no timestamps to check and only known label spellings; ``False`` (nothing consumed) otherwise."""
        n = len(parts) // 4
        if not n:
            return False
        tss, tss2, labels, bodies = parts[1::4], parts[2::4], parts[3::4], parts[4::4]
        if self.gap and (any(tss) or any(tss2)):
            return False
        rl = list(map(self.roles.get, labels))
        if None in rl:  # a new spelling of a known label (VOCÊ/você/Você): learn it once
            for label in set(labels) - self.roles.keys():
                self._role(label)
            rl = list(map(self.roles.get, labels))
        if parts[0]:  # text before the first label: blank lines, a continuation, orphan text
            self._blocks(parts[0][1:] + "\n")
        first = self.line
        counts = list(map(str.count, bodies, repeat("\n")))
        starts = list(accumulate(map(add, counts, repeat(1)), initial=first))
        self.line = starts[-1] - 1
        contents = list(map(str.rstrip, bodies))
        ends = list(compress(range(n - 1), map(str.endswith, bodies[:-1], repeat("\n"))))
        ends.append(n - 1)
        # turns whose speaker repeats the previous one (merged below); usually none
        repeats = set(compress(range(1, n), map(eq, rl[:-1], rl[1:])))
        turns = [{"role": r, "content": c} for r, c in zip(rl, contents)]
        name, out = self.name, self.out
        a = 0
        for b in ends:
            b += 1
            if a == 0 and self.msgs and not self.pending_break:
                self._merge_into(rl[a:b], contents[a:b])  # the open conversation goes on
            else:
                if self.pending_break or a:
                    self._close()
                self.start = starts[a]
                if repeats and any(i in repeats for i in range(a + 1, b)):
                    self.msgs = []
                    self._merge_into(rl[a:b], contents[a:b])
                else:
                    self.msgs = turns[a:b]
            self.pending_break = False
            a = b
            if b < n:  # closed right here (a blank line follows): skip _close's bookkeeping
                msgs = self.msgs
                if msgs:
                    out.append(Record(msgs, f"{name}:{self.start}", None, self.start))
                    self.msgs = []
        self.size = sum(map(len, [m["content"] for m in self.msgs]))
        if bodies[-1].endswith("\n\n"):
            self.pending_break = True
        return True

    def _merge_into(self, roles: list[str], contents: list[str]) -> None:
        msgs = self.msgs
        for r, c in zip(roles, contents):
            if msgs and msgs[-1]["role"] == r:
                msgs[-1]["content"] += "\n" + c
            else:
                msgs.append({"role": r, "content": c})

    def _blocks(self, chunk: str) -> None:
        """The general path: the chunk cut at blank lines into blocks."""
        blocks = chunk.split("\n\n")
        last = len(blocks) - 1
        line = self.line
        for i, block in enumerate(blocks):
            if i:
                self.pending_break = True
            if block:
                if block[0] == "\n":  # one more blank line (the chunk started with one)
                    stripped = block.lstrip("\n")
                    line += len(block) - len(stripped)
                    self.pending_break = True
                    block = stripped
                if block:
                    self._block(block, line)
            line += block.count("\n") + (2 if i < last else 0)
        self.line = line

    def _block(self, block: str, line: int) -> None:
        parts = self.split_rx.split("\n" + block)  # [head, ts, ts2, label, body, ts, ts2, label, body, …]
        if parts[0]:  # the block starts with unlabelled text
            head = parts[0][1:]
            self._head(head, line)
            if len(parts) == 1:
                return
            line += head.count("\n") + 1
        elif self.pending_break:
            self._close()
        self.pending_break = False
        tss, tss2, labels, bodies = parts[1::4], parts[2::4], parts[3::4], parts[4::4]
        # Fast path, all C-level: no timestamps to check, known labels, strict alternation, no separators.
        rl = list(map(self.roles.get, labels))
        msgs = self.msgs
        if not ((self.gap and (any(tss) or any(tss2))) or None in rl or any(map(eq, rl, rl[1:]))
                or (msgs and msgs[-1]["role"] == rl[0]) or _SEP_ANY.search(block) is not None
                or self.size + len(block) > MAX_CONVERSATION_CHARS):
            if not msgs:
                self.start = line
            self.size += len(block)
            msgs.extend([{"role": r, "content": c} for r, c in zip(rl, map(str.rstrip, bodies))])
            return
        self._slow(list(zip(tss, tss2, labels, bodies)), line)

    def _slow(self, turns: list[tuple[str, str, str, str]], line: int) -> None:
        """The general case: timestamps (gaps), merged speakers, separators, unusual label spellings."""
        roles, gap, msgs = self.roles, self.gap, self.msgs
        tline = line
        for ts, ts2, label, body in turns:
            role = roles.get(label) or self._role(label)
            if ts or ts2:
                if gap:
                    now = timestamp_minutes(ts or ts2)
                    prev = self.last_ts
                    if msgs and now is not None and prev is not None and (now < 0) == (prev < 0):
                        delta = (prev - now) if now < 0 else (now - prev)
                        if now < 0 and delta < 0:
                            delta += 1440  # a bare time that wrapped past midnight
                        if delta > gap:
                            self._close()
                            msgs = self.msgs
                    self.last_ts = now
            if not msgs:
                self.start = tline
            body = body.rstrip()
            self.size += len(body)
            if "\n" in body:
                tline += body.count("\n")
                cut = _sep_at_end(body)
                if cut is not None:
                    body = body[:cut].rstrip()
                    self._append(msgs, role, body)
                    self._close()
                    msgs = self.msgs
                    tline += 1
                    continue
            tline += 1
            if msgs and msgs[-1]["role"] == role:
                msgs[-1]["content"] += "\n" + body
            elif self.size <= MAX_CONVERSATION_CHARS:
                msgs.append({"role": role, "content": body})

    @staticmethod
    def _append(msgs: list[dict[str, str]], role: str, body: str) -> None:
        if msgs and msgs[-1]["role"] == role:
            msgs[-1]["content"] += "\n" + body
        else:
            msgs.append({"role": role, "content": body})

    def finish(self) -> list[Record]:
        """Close the last conversation; return it and the reports of left-out lines not returned yet."""
        out = self.out = []
        self._close()
        self._settle(out)
        return out

    def _head(self, head: str, line: int) -> None:
        """Lines before the first label of a block: a separator, a continuation of the last turn (a paragraph
        after a blank line), or orphan text (a problem)."""
        if self.pending_break:
            sep = _SEPARATOR.match(head)
            if sep is not None:
                self._close()
                self._orphan(head[sep.end():], line + head.count("\n", 0, sep.end()))
                return
        if self.msgs:
            text = head.rstrip()
            self.msgs[-1]["content"] += ("\n\n" if self.pending_break else "\n") + text
            self.size += len(text)
            self.pending_break = False
            return
        self._orphan(head, line)

    def _orphan(self, text: str, line: int) -> None:
        if SENTINEL in text:  # left-out lines are reported already
            text = "\n".join("" if ln == SENTINEL else ln for ln in text.split("\n"))
        stripped = text.lstrip(" \t\f\v\n")
        if not stripped.strip():
            return
        line += text.count("\n", 0, len(text) - len(stripped))
        self.out.append(Record(messages=[], ref=f"{self.name}:{line}", line=line,
                     problem=_("text without a speaker label (expected one of: {labels})").format(
                         labels=", ".join(f"{k}:" for k in self.labels)),
                     extra={"text": stripped.strip()[:2000]}))


def _sep_at_end(body: str) -> int | None:
    """Where a separator line that ends ``body`` starts (``… \\n-----``), or ``None``."""
    k = body.rfind("\n")
    lastline = body[k + 1:]
    if lastline.lstrip()[:1] in ("=", "-", "_", "*", "#", "~") or lastline[:1].isdigit():
        if _SEP_LINE.fullmatch(lastline):
            return k
    return None


def read_log(tf: TextFile, *, speakers: dict[str, str], gap_minutes: float | None = 30,
             **_ignored: Any) -> Iterator[Record]:
    """Conversations of a speaker-labelled log (see the module docstring)."""
    parser = LogParser(tf.name, speakers, gap_minutes=gap_minutes)
    for chunk in tf.chunks():
        yield from parser.feed(tf.fix(chunk))
    yield from parser.finish()
