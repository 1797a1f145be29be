"""JSON Lines and JSON arrays, streamed.

JSONL: one object per line; a broken line is a problem at its own ``file:line``. JSON arrays (``[{…}, {…}]``)
are split into their elements by :class:`ArraySplitter`, an incremental scanner that tracks strings and
nesting with C-level regex searches, so a 1 GB array never sits in memory; each element is parsed on its own
and carries the line where it starts. A top-level object is read whole: a single conversation, or a wrapper
whose list value holds the records (``{"data": [...]}``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from ...i18n import _
from ..records import Record
from ..textio import TextFile
from .jsonerrors import json_error
from .noise import export_object, shown_notice
from .objects import TurnGrouper, read_object

_STR = re.compile(r'["\\]')
_STRUCT = re.compile(r'["\[\]{}]')
_NEXT = re.compile(r"[^\s,]")
_SCALAR_END = re.compile(r"[\s,\]]")
#: An element larger than this is rejected (and skipped) instead of being collected in memory.
MAX_ELEMENT_CHARS = 64 * 1024 * 1024


class ArraySplitter:
    """Feed chunks of a JSON text whose top level is an array; get ``(element_text, line, index)`` back."""

    def __init__(self) -> None:
        self.state = "before"  # before | between | element | after
        self.depth = 0
        self.in_str = False
        self.esc = False
        self.kind = ""  # "{", "[", '"' or "s" (a scalar)
        self.parts: list[str] = []
        self.size = 0
        self.elem_line = 0
        self.elem_col = 1
        self.index = 0
        self.line = 1
        self.trailing = ""

    def feed(self, chunk: str) -> Iterator[tuple[str | None, int, int, int]]:
        """``(element_text or None when too large, line, index, column)`` of each element closed in ``chunk``."""
        pos, n, base_line = 0, len(chunk), self.line
        start = 0  # where the open element's text starts in this chunk

        def line_at(p: int) -> int:
            return base_line + chunk.count("\n", 0, p)

        while pos < n:
            if self.state == "before":
                m = _NEXT.search(chunk, pos)
                if m is None:
                    break
                if m.group() != "[":
                    raise ValueError(line_at(m.start()))
                self.state, self.depth, pos = "between", 1, m.end()
                continue
            if self.state == "after":
                m = _NEXT.search(chunk, pos)
                if m is not None:
                    self.trailing = self.trailing or str(line_at(m.start()))
                break
            if self.state == "between":
                m = _NEXT.search(chunk, pos)
                if m is None:
                    break
                c = m.group()
                if c == "]":
                    self.state, pos = "after", m.end()
                    continue
                self.state, self.kind, start = "element", c if c in '{["' else "s", m.start()
                self.parts, self.size, self.elem_line = [], 0, line_at(m.start())
                self.elem_col = m.start() - chunk.rfind("\n", 0, m.start())
                if c in "{[":
                    self.depth, pos = 2, m.end()
                elif c == '"':
                    self.in_str, pos = True, m.end()
                else:
                    pos = m.start()
                continue
            # inside an element
            if self.esc:
                self.esc, pos = False, pos + 1
                continue
            if self.in_str:
                m = _STR.search(chunk, pos)
                if m is None:
                    pos = n
                    break
                if m.group() == "\\":
                    pos = m.end() + 1
                    if pos > n:
                        self.esc, pos = True, n
                    continue
                self.in_str, pos = False, m.end()
                if self.kind == '"':
                    yield from self._done(chunk, start, pos)
                continue
            if self.kind == "s":
                m = _SCALAR_END.search(chunk, pos)
                if m is None:
                    pos = n
                    break
                yield from self._done(chunk, start, m.start())
                pos = m.start()
                continue
            m = _STRUCT.search(chunk, pos)
            if m is None:
                pos = n
                break
            c, pos = m.group(), m.end()
            if c == '"':
                self.in_str = True
            elif c in "{[":
                self.depth += 1
            else:
                self.depth -= 1
                if self.depth == 1:
                    yield from self._done(chunk, start, pos)
        if self.state == "element":
            self._keep(chunk[start:])
        self.line = base_line + chunk.count("\n")

    def _keep(self, piece: str) -> None:
        if self.size <= MAX_ELEMENT_CHARS:
            self.parts.append(piece)
        self.size += len(piece)

    def _done(self, chunk: str, start: int, end: int) -> Iterator[tuple[str | None, int, int, int]]:
        self._keep(chunk[start:end])
        text = "".join(self.parts) if self.size <= MAX_ELEMENT_CHARS else None
        self.parts, self.state = [], "between"
        self.index += 1
        yield text, self.elem_line, self.index, self.elem_col


def _records_from(obj: Any, ref: str, line: int, grouper: TurnGrouper, speakers: dict[str, str],
                  extra: dict[str, Any] | None = None, original: Any = None) -> Iterator[Record]:
    """The record(s) of one parsed object. ``original`` is the object as it was read (before any mojibake
    repair): a reject keeps it, so the rejects file always shows the record the user gave."""
    if isinstance(obj, dict):  # chat exports: service and media messages are left out, counted (.noise)
        kind, obj = export_object(obj)
        if kind is not None:
            yield Record([], ref, None, line, {"dropped": kind, "text": shown_notice(obj), **(extra or {})})
            return
    got = read_object(obj, speakers)
    if got.messages is None and got.problem is None:  # a single turn
        yield from grouper.add(obj, ref, line)
        return
    yield from grouper.finish()
    keep = {"object": obj if original is None else original, **(extra or {})}
    if got.problem is not None:
        yield Record([], ref, got.problem, line=line, extra=keep)
    else:
        yield Record(got.messages, ref, line=line, extra=keep, rejected=got.rejected, label=got.label,
                     tools=got.tools)


def read_jsonl(tf: TextFile, *, speakers: dict[str, str], gap_minutes: float | None = 30,
               **_ignored: Any) -> Iterator[Record]:
    """One JSON object per line; blank lines are skipped; a broken line is reported at its line."""
    grouper = TurnGrouper(speakers, gap_minutes=gap_minutes)
    loads, name = json.loads, tf.name
    for n, line in enumerate(tf.handle, 1):
        if not line.strip():
            continue
        ref = f"{name}:{n}"
        try:
            obj = loads(line)
        except ValueError as exc:
            fixed = tf.fix(line)
            try:
                obj = loads(fixed)
            except ValueError:
                yield from grouper.finish()
                yield Record([], ref, json_error(exc, line, first_line=n), line=n, extra={"text": line[:2000]})
                continue
            yield from _records_from(obj, ref, n, grouper, speakers)
            continue
        yield from _records_from(_fix_obj(tf, obj) if isinstance(obj, dict) else obj, ref, n, grouper, speakers,
                                 original=obj)
    yield from grouper.finish()


def _fix_obj(tf: TextFile, obj: Any) -> Any:
    """Repair mojibake inside the string values of a parsed object."""
    if isinstance(obj, str):
        return tf.fix(obj)
    if isinstance(obj, list):
        return [_fix_obj(tf, v) for v in obj]
    if isinstance(obj, dict):
        return {k: _fix_obj(tf, v) for k, v in obj.items()}
    return obj


def _first_char(tf: TextFile) -> str:
    pos = tf.handle.tell()
    head = tf.handle.read(4096).lstrip()
    tf.handle.seek(pos)
    return head[:1]


def read_json(tf: TextFile, *, speakers: dict[str, str], gap_minutes: float | None = 30,
              **_ignored: Any) -> Iterator[Record]:
    """A JSON array of records (streamed), or one top-level object."""
    name = tf.name
    grouper = TurnGrouper(speakers, gap_minutes=gap_minutes)
    if _first_char(tf) != "[":
        text = tf.handle.read()
        try:
            obj = json.loads(text)
        except ValueError as exc:
            line = getattr(exc, "lineno", 1)
            yield Record([], f"{name}:{line}", json_error(exc, text), line=line)
            return
        raw, obj = obj, _fix_obj(tf, obj)
        lists = [v for v in obj.values() if isinstance(v, list)] if isinstance(obj, dict) else []
        if isinstance(obj, dict) and read_object(obj, speakers).problem is not None and len(lists) == 1:
            raw_list = next(v for v in raw.values() if isinstance(v, list))
            for i, (item, orig) in enumerate(zip(lists[0], raw_list), 1):
                yield from _records_from(item, f"{name}:1", 1, grouper, speakers, {"item": i}, orig)
        else:
            yield from _records_from(obj, f"{name}:1", 1, grouper, speakers, original=raw)
        yield from grouper.finish()
        return
    splitter = ArraySplitter()
    for chunk in tf.chunks():
        try:
            parts = list(splitter.feed(chunk))
        except ValueError as exc:  # not an array after all (cannot happen after the check above)
            yield Record([], f"{name}:{exc.args[0]}", _("expected a JSON array"), line=int(exc.args[0]))
            return
        for text, line, index, col in parts:
            ref = f"{name}:{line}"
            if text is None:
                yield Record([], ref, _("array item {n} is larger than {mb} MB").format(
                    n=index, mb=MAX_ELEMENT_CHARS >> 20), line=line, extra={"item": index})
                continue
            try:
                obj = json.loads(text)
            except ValueError as exc:
                yield from grouper.finish()
                yield Record([], ref, _("array item {n}: {error}").format(
                    n=index, error=json_error(exc, text, first_line=line, first_col=col)), line=line,
                    extra={"item": index, "text": text[:2000]})
                continue
            yield from _records_from(_fix_obj(tf, obj), ref, line, grouper, speakers, {"item": index}, obj)
    yield from grouper.finish()
    if splitter.state in ("before", "between", "element"):
        line = splitter.elem_line if splitter.state == "element" else splitter.line
        what = (_("array item {n} is not closed").format(n=splitter.index + 1) if splitter.state == "element"
                else _("the JSON array is not closed (missing ']')"))
        yield Record([], f"{name}:{line}", _("invalid JSON: {what}").format(what=what), line=line)
    elif splitter.trailing:
        line = int(splitter.trailing)
        yield Record([], f"{name}:{line}", _("invalid JSON: text after the end of the array"), line=line)
