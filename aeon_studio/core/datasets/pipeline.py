"""The record pipeline every import and conversion runs: validate, scrub, deduplicate, tag, write.

Every record goes through :class:`Pipeline`: validation (:func:`.records.check_record`), optional PII scrubbing,
exact and near-duplicate removal (:mod:`.dedup`), domain tagging. Rejected records are written with their
``ref`` (``file:line``) and ``reason`` to a :class:`RejectsFile`; the :class:`ImportSummary` counts them.
This module holds no file-format or database code, so the conversion workers of :mod:`.parallel` import it
without loading either.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .clean import DomainTagger, scrub_messages, scrub_pii, text_keys
from .dedup import FingerprintSet, exact_fingerprint, joined_text
from .placeholders import fill_messages, message_placeholders, unfilled_warning
from .records import Record, check_record, content_hash, dedup_suffix, record_hash

#: Problems listed in a summary (the rejects file has them all).
MAX_PROBLEMS = 50
#: Lines (or rows) written at a time.
BATCH = 1000


@dataclass
class ImportSummary:
    """What an import or a conversion did. ``read`` = imported + duplicates + near_duplicates + rejected."""

    name: str
    files: int = 0
    read: int = 0
    imported: int = 0
    duplicates: int = 0
    near_duplicates: int = 0
    rejected: int = 0
    rejects_path: Path | None = None
    problems: list[str] = field(default_factory=list)
    pii_replacements: int = 0
    domains: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    passages: int = 0
    formats: dict[str, str] = field(default_factory=dict)
    encodings: dict[str, str] = field(default_factory=dict)
    repaired_mojibake: list[str] = field(default_factory=list)
    out_path: Path | None = None
    cancelled: bool = False
    seconds: float = 0.0
    #: Of ``imported``: preference pairs, and examples labelled undesirable (KTO ``label: false``).
    pairs: int = 0
    undesirable: int = 0
    #: Of ``imported``: conversations that call tools (tool definitions kept with them).
    tools: int = 0
    #: Lines of chat exports left out (media placeholders, deleted messages, system notices), by kind
    #: (:data:`.formats.noise.KINDS`); they are not records, so ``read`` does not count them.
    dropped: dict[str, int] = field(default_factory=dict)
    #: Placeholder values used (``{"name": "Aeon"}``) and the kept examples they changed.
    placeholder_values: dict[str, str] = field(default_factory=dict)
    filled: int = 0
    #: Placeholders left unfilled in kept examples: name → examples holding it; ``unfilled`` examples in all.
    placeholders: dict[str, int] = field(default_factory=dict)
    unfilled: int = 0


class ImportCancelled(Exception):
    """Raised inside a run when the user cancelled; the caller leaves everything as it was."""


_enc = getattr(json.encoder, "c_encode_basestring", None) or json.encoder.py_encode_basestring
_PREFIX = {r: '{"role": "' + r + '", "content": ' for r in ("system", "user", "assistant")}


def messages_line(messages: list[dict[str, Any]]) -> str:
    """``json.dumps({"messages": messages}, ensure_ascii=False)`` for role/content turns, without the
    encoder set-up that ``json.dumps`` pays on every call (the hot path of a conversion)."""
    return '{"messages": [' + "}, ".join([_PREFIX[m["role"]] + _enc(m["content"]) for m in messages]) + "}]}"


class LineBatch:
    """Text lines written to ``f`` ``BATCH`` at a time: one write call per batch on the hot path."""

    def __init__(self, f: IO[str]) -> None:
        self.f = f
        self.lines: list[str] = []

    def add(self, line: str) -> None:
        self.lines.append(line)
        if len(self.lines) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.lines:
            self.f.write("\n".join(self.lines) + "\n")
            self.lines.clear()


class RejectsFile:
    """The rejects JSONL file (``ref``, ``reason`` and what was read), created on the first reject."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.f: IO[Any] | None = None
        self.buf: list[str] = []

    def add(self, rec: Record, reason: str) -> None:
        """Record ``rec`` as rejected for ``reason`` (written in batches)."""
        row: dict[str, Any] = {"ref": rec.ref, "reason": reason}
        if rec.messages:
            row["messages"] = rec.messages
        for k in ("text", "object", "row", "item"):
            if k in rec.extra:
                row[k] = rec.extra[k]
        self.buf.append(json.dumps(row, ensure_ascii=False, default=str))
        if len(self.buf) >= 256:
            self.flush()

    def open_binary(self) -> IO[bytes]:
        """The file opened for bytes (rejects written elsewhere, e.g. by conversion workers, are copied in);
        :meth:`close` closes it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.f = open(self.path, "wb")  # noqa: SIM115 - closed by close()
        return self.f

    def flush(self) -> None:
        if not self.buf:
            return
        if self.f is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.f = open(self.path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        self.f.write("\n".join(self.buf) + "\n")
        self.buf.clear()

    def close(self) -> bool:
        """Close; ``True`` when something was written."""
        self.flush()
        if self.f is not None:
            self.f.close()
            return True
        return False


class Pipeline:
    """Validation, PII scrubbing, dedup and domain tagging of records; ``sink(messages, record, hash, domain)``
    receives every kept record. ``values`` fill ``{{placeholders}}`` (:mod:`.placeholders`) before validation;
    placeholders left in kept records are counted in the summary. Reports of chat-export lines left out
    (:mod:`.formats.noise`) are counted in ``summary.dropped``."""

    def __init__(self, summary: ImportSummary, rejects: RejectsFile, *, pii: bool, near_dup: bool,
                 min_chars: int, max_chars: int | None, max_tokens: int | None,
                 count_tokens: Callable[[list[dict[str, Any]]], int] | None,
                 domains: dict[str, tuple[str, ...]], sink: Callable[[list[dict], Record, str, str], None],
                 db_hash: bool = True, values: dict[str, str] | None = None) -> None:
        self.s, self.rejects = summary, rejects
        self.values = dict(values or {})
        summary.placeholder_values = dict(self.values)
        self.pii, self.near_dup = pii, near_dup
        self.min_chars, self.max_chars = max(1, min_chars), max_chars
        self.max_tokens, self.count_tokens = max_tokens, count_tokens
        self.tagger, self.sink = DomainTagger(domains), sink
        self.check = functools.partial(check_record, max_tokens=max_tokens, min_chars=self.min_chars,
                                       max_chars=max_chars, count_tokens=count_tokens)
        self.db_hash = db_hash
        self.exact, self.near = FingerprintSet(), FingerprintSet()
        #: ``track(exact_key, near_key, domain)`` for each kept record and (``domain=None``) each near-duplicate:
        #: the parallel convert (:mod:`.parallel`) replays dedup across parts with these keys.
        self.track: Callable[[int, int, str | None], None] | None = None

    def reject(self, rec: Record, reason: str) -> None:
        s = self.s
        s.rejected += 1
        if len(s.problems) < MAX_PROBLEMS:
            s.problems.append(f"{rec.ref}: {reason}")
        self.rejects.add(rec, reason)

    def add(self, rec: Record) -> None:
        """Validate, clean, deduplicate and tag one record; hand it to the sink or to the rejects."""
        s = self.s
        s.read += 1
        if rec.problem is not None:
            self.reject(rec, rec.problem)
            return
        msgs = rec.messages
        if not msgs and rec.extra and "dropped" in rec.extra:  # a left-out line of a chat export: not a record
            s.read -= 1
            kind = rec.extra["dropped"]
            s.dropped[kind] = s.dropped.get(kind, 0) + 1
            return
        was_filled = False
        if self.values:
            filled = fill_messages(msgs, self.values)
            if any(a is not b for a, b in zip(filled, msgs)):
                msgs, was_filled = filled, True
        problem = self.check(msgs)
        if problem is None and rec.rejected is not None:  # a pair's rejected reply meets the same limits
            problem = self.check(msgs[:-1] + [{"role": "assistant", "content": rec.rejected}])
        if problem is not None:
            self.reject(rec, problem)
            return
        if self.pii:
            msgs, n = scrub_messages(msgs)
            s.pii_replacements += n
            if rec.rejected is not None:  # a pair's rejected reply is text the user gave too
                rec.rejected, n = scrub_pii(rec.rejected)
                s.pii_replacements += n
        # a pair, a label or tool definitions make a record distinct from the plain conversation it holds
        joined = joined_text(msgs) + dedup_suffix(rec)
        unfilled = message_placeholders(msgs) if "{{" in joined else None
        words, squeezed = text_keys(joined)
        if self.db_hash:
            h = content_hash(msgs) if rec.plain else record_hash(msgs, rec)
            key = exact_fingerprint(h)
        else:  # convert: identical turns; whitespace variants are caught as near-duplicates
            h, key = "", hash(joined)
        exact = self.exact
        if key in exact.mem or not exact.add(key):
            s.duplicates += 1
            return
        nkey = 0
        if self.near_dup:
            near, nkey = self.near, hash(squeezed)
            if nkey in near.mem or not near.add(nkey):
                s.near_duplicates += 1
                if self.track is not None:
                    self.track(key, nkey, None)
                return
        domain = self.tagger(words)
        domains = s.domains
        domains[domain] = domains.get(domain, 0) + 1
        if self.track is not None:
            self.track(key, nkey, domain)
        s.filled += was_filled
        if unfilled:
            s.unfilled += 1
            for name in unfilled:
                s.placeholders[name] = s.placeholders.get(name, 0) + 1
        self.sink(msgs, rec, h, domain)

    def close(self) -> None:
        self.exact.close()
        self.near.close()


def kept_nothing(summary: ImportSummary) -> bool:
    """Whether a finished import or conversion kept nothing at all: no example, pair or passage."""
    return not (summary.imported or summary.passages or getattr(summary, "pairs", 0))


def placeholder_warning(summary: ImportSummary) -> str | None:
    """The warning for kept examples that still hold ``{{placeholders}}``, or ``None``."""
    if not summary.unfilled:
        return None
    return unfilled_warning(summary.placeholders, summary.unfilled)
