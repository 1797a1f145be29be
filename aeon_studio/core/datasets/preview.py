"""The preview of an import: the first records of a file as they would be imported, problems included.

Nothing is stored; the import dialog and ``aeon-studio dataset import --preview`` show it before the user commits.
Placeholders (``{{name}}``) found in the file's first 64 KB are listed, filled in the records from ``values``;
lines of a chat export that will be left out (media placeholders, deleted messages…) come in line order with the
conversations (:func:`is_dropped`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .detect import DEFAULT_GAP_MINUTES, DEFAULT_SPEAKERS, FORMATS, auto_speakers, open_records, parse_speakers, \
    resolve_format
from .documents import read_document
from .formats.logs import speakers_in
from .formats.noise import dropped_kind
from .formats.tabular import sniff_dialect
from .placeholders import fill_messages, placeholders_in
from .records import Record, check_record
from .textio import check_readable, open_text, read_sample
from .tokens import default_max_tokens

#: Reports of left-out log lines shown by a preview, on top of its conversations.
MAX_PREVIEW_LINES = 20


@dataclass
class Preview:
    """The first records of a file as they would be imported (problems included)."""

    format: str
    records: list[Record]
    speakers_found: list[str]
    columns: list[str]
    encoding: str
    repaired_mojibake: bool
    passages: list[tuple[str, str]] = field(default_factory=list)
    speakers: dict[str, str] = field(default_factory=dict)
    #: ``{{placeholder}}`` names seen in the first 64 KB of the file, in order of appearance.
    placeholders: list[str] = field(default_factory=list)
    #: The placeholder values the records were filled with.
    values: dict[str, str] = field(default_factory=dict)

    @property
    def unfilled(self) -> list[str]:
        """The placeholders without a (non-empty) value: they would be trained on literally."""
        return [n for n in self.placeholders if not self.values.get(n)]

    @property
    def conversations(self) -> list[Record]:
        """The records that are conversations (valid or not), without :attr:`line_problems` and
        :attr:`dropped`."""
        return [r for r in self.records if not is_line_problem(r, self.format) and not is_dropped(r)]

    @property
    def dropped(self) -> list[Record]:
        """Lines of a chat export that will be left out (``extra["dropped"]`` is the kind)."""
        return [r for r in self.records if is_dropped(r)]

    @property
    def line_problems(self) -> list[Record]:
        """Lines of a log that are not part of any conversation (text without a label, unreadable lines,
        broken speaker labels); each has its text in ``extra["text"]``."""
        return [r for r in self.records if is_line_problem(r, self.format)]


def is_dropped(rec: Record) -> bool:
    """Whether ``rec`` reports a line of a chat export that is left out (a media placeholder, a deleted message,
    a system notice; see :mod:`.formats.noise`): not a problem, not a conversation."""
    return dropped_kind(rec) is not None


def is_line_problem(rec: Record, fmt: str) -> bool:
    """Whether ``rec`` reports a line of a log that was left out, rather than a conversation."""
    return fmt == "log" and not rec.messages and rec.problem is not None


def preview_file(path: str | Path, *, fmt: str | None = None, speakers: str | dict[str, str] | None = None,
                 columns: str | dict[str, str] | None = None, limit: int = 5,
                 gap_minutes: float | None = DEFAULT_GAP_MINUTES, max_tokens: int | None = None,
                 values: dict[str, str] | None = None) -> Preview:
    """The first ``limit`` records of ``path`` (valid and invalid, with their problems), the speaker labels and
    CSV columns seen, the encoding, whether mojibake was repaired and the ``{{placeholders}}`` seen (filled from
    ``values`` in the records). Nothing is stored."""
    p = check_readable(path)
    given = parse_speakers(speakers) if speakers else None
    fmt = resolve_format(p, fmt, given)
    sample, encoding = read_sample(p)
    spk = auto_speakers(sample, given) if fmt == "log" else (given or dict(DEFAULT_SPEAKERS))
    found = speakers_in(sample) if fmt in ("log", "document") else []
    names = placeholders_in(sample)
    values = {k: v for k, v in (values or {}).items() if v}
    cols: list[str] = []
    if fmt == "csv":
        import csv

        first = next(csv.reader(sample.splitlines()[:1], sniff_dialect(sample)), [])
        cols = [c.strip().lstrip("\ufeff") for c in first]
    if FORMATS[fmt].passages:
        passages = []
        for ref, text in read_document(p):
            passages.append((ref, text))
            if len(passages) >= limit:
                break
        return Preview(fmt, [], found, cols, encoding, sample != _raw_sample(p, encoding), passages, spk, names,
                       values)
    tf, it = open_records(p, fmt, spk, columns, gap_minutes)
    records: list[Record] = []
    limit_tokens = max_tokens or default_max_tokens()
    shown = 0
    try:
        for rec in it:
            # reports of left-out log lines come after their conversation and do not count against the limit
            line_problem = is_line_problem(rec, fmt) or is_dropped(rec)
            if shown >= limit and not line_problem:
                break
            if rec.messages and values:
                rec.messages = fill_messages(rec.messages, values)
            if rec.problem is None and not line_problem:
                rec.problem = check_record(rec.messages, max_tokens=limit_tokens)
            records.append(rec)
            shown += not line_problem
            if len(records) >= limit + MAX_PREVIEW_LINES:
                break
        repaired = tf.repaired
    finally:
        tf.close()
    if fmt == "log":  # lines left out come after their conversation is closed: show everything in line order
        records.sort(key=lambda r: r.line)
    for rec in records:  # placeholders past the sample's first 64 KB, in the records shown
        for m in rec.messages:
            if isinstance(m.get("content"), str) and "{{" in m["content"]:
                names += [n for n in placeholders_in(m["content"]) if n not in names]
    return Preview(fmt, records, found, cols, encoding, repaired, [], spk, names, values)


def _raw_sample(p: Path, encoding: str) -> str:
    with open_text(p, encoding=encoding) as tf:
        return tf.handle.read(64 * 1024)
