"""Importers: a registry of input formats, the preview, and the streaming import/convert pipeline.

Formats (:data:`FORMATS`): ``log`` (speaker-labelled logs), ``csv`` (CSV/TSV of questions and answers),
``json`` (a JSON array or object), ``jsonl`` (JSON Lines), ``document`` (TXT/MD/PDF → passages).
:func:`detect_format` picks one by extension, then by content.

Every record goes through the same pipeline: validation (:func:`.records.check_record`), optional PII scrubbing,
exact and near-duplicate removal (:mod:`.dedup`), domain tagging. Rejected records are written with their
``ref`` (``file:line``) and ``reason`` to a rejects JSONL file (next to the output for :func:`convert_file`,
under ``<home>/datasets/rejects/`` for :func:`import_files`); the summary counts them. Memory stays bounded:
files are read in chunks, output is written in batches, duplicate fingerprints spill to disk.

Document passages are stored in the ``dataset_passage`` table of the dataset (see :mod:`.documents`).
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..i18n import N_, _, ngettext
from .clean import DomainTagger, load_domains, scrub_messages, text_keys
from .dedup import FingerprintSet, exact_fingerprint, joined_text, near_fingerprint
from .documents import DOCUMENT_EXTENSIONS, read_document
from .errors import DatasetError
from .formats.garbled import misspelt_label
from .formats.jsonfmt import read_json, read_jsonl
from .formats.logs import read_log, speakers_in
from .formats.tabular import check_header, parse_columns, read_csv, sniff_dialect
from .records import ROLE_SYNONYMS, Record, check_record, content_hash, estimate_tokens

if TYPE_CHECKING:
    from .store import DatasetStore
from .textio import SAMPLE_BYTES, TextFile, check_readable, detect_encoding, open_text, read_sample

DEFAULT_SPEAKERS: dict[str, str] = {"VOCÊ": "user", "AEON": "assistant"}
#: Gap between two timestamps that starts a new conversation.
DEFAULT_GAP_MINUTES = 30
MAX_PROBLEMS = 50
#: Reports of left-out log lines shown by a preview, on top of its conversations.
MAX_PREVIEW_LINES = 20
BATCH = 1000


@dataclass(frozen=True)
class FormatInfo:
    """One input format: ``reader(TextFile, speakers=, columns=, gap_minutes=) -> Iterator[Record]`` (for
    ``document``: :func:`.documents.read_document`)."""

    key: str
    label: str
    extensions: tuple[str, ...]
    reader: Callable[..., Iterator[Any]]
    newline: str | None = None
    passages: bool = False


FORMATS: dict[str, FormatInfo] = {
    "log": FormatInfo("log", N_("Speaker-labelled log (VOCÊ:/AEON:, chat exports)"), (".log", ".txt", ".chat"),
                      read_log),
    "csv": FormatInfo("csv", N_("CSV/TSV of questions and answers"), (".csv", ".tsv"), read_csv, newline=""),
    "json": FormatInfo("json", N_("JSON array (messages, ShareGPT, Alpaca, pergunta/resposta, sender/message)"),
                       (".json",), read_json),
    "jsonl": FormatInfo("jsonl", N_("JSON Lines (one record per line)"), (".jsonl", ".ndjson"), read_jsonl),
    "document": FormatInfo("document", N_("Document (TXT, Markdown, PDF) → passages"), DOCUMENT_EXTENSIONS,
                           read_document, passages=True),
}


def format_list() -> str:
    return ", ".join(FORMATS)


def parse_speakers(spec: str | dict[str, str] | None) -> dict[str, str]:
    """``"User:=user,Assistant:=assistant"`` or ``"Ana=user, Aeon=assistant"`` → ``{"User": "user", …}``.

    ``None``/empty gives :data:`DEFAULT_SPEAKERS`. Roles: ``user``, ``assistant``, ``system`` (or a synonym
    such as ``human``/``bot``). Raises :class:`DatasetError` on a malformed mapping.
    """
    if spec is None or (isinstance(spec, (str, dict)) and not spec):
        return dict(DEFAULT_SPEAKERS)
    items = list(spec.items()) if isinstance(spec, dict) else []
    if isinstance(spec, str):
        for part in spec.split(","):
            if not part.strip():
                continue
            if "=" not in part:
                raise DatasetError(_("Bad speaker mapping '{part}'.").format(part=part.strip()),
                                   hint=_("Write it as 'User:=user,Assistant:=assistant' (label=role)."))
            label, role = part.rsplit("=", 1)
            items.append((label, role))
    out: dict[str, str] = {}
    for label, role in items:
        lab = str(label).strip()
        lab = lab[:-1].strip() if lab.endswith(":") else lab
        r = ROLE_SYNONYMS.get(str(role).strip().lower())
        if not lab or "\n" in lab or r is None:
            raise DatasetError(_("Bad speaker mapping '{label}={role}'.").format(label=label, role=role),
                               hint=_("Each label needs a role: user, assistant or system."))
        out[lab] = r
    if "user" not in out.values() or "assistant" not in out.values():
        raise DatasetError(_("The speaker mapping needs a user and an assistant (got: {spec}).").format(
            spec=", ".join(f"{k}={v}" for k, v in out.items())),
            hint=_("Write it as 'User:=user,Assistant:=assistant' (label=role)."))
    return out


def _looks_like_jsonl(sample: str) -> bool:
    lines = [ln for ln in sample.splitlines() if ln.strip()][:5]
    if len(lines) < 2 or not lines[0].lstrip().startswith("{"):
        return False
    try:
        json.loads(lines[0])
    except ValueError:
        return False
    return lines[1].lstrip().startswith("{")


def _looks_like_log(sample: str, speakers: dict[str, str] | None) -> bool:
    from .formats.logs import label_pattern

    lines = [ln for ln in sample.splitlines()[:400] if ln.strip()]
    if not lines:
        return False
    rx = label_pattern(list(speakers or DEFAULT_SPEAKERS))
    known = sum(1 for ln in lines if rx.match(ln))
    if known >= 2 or (known and len(lines) < 4):
        return True
    from .formats.logs import timestamped_labels

    if timestamped_labels(lines) >= min(2, len(lines)):
        return True  # "[12/03/2025 14:02] Ana: …" or "12/03/2025 14:02 - Ana: …" lines: a chat export
    labels = speakers_in("\n".join(lines))
    synonyms = [lab for lab in labels if lab.casefold() in ROLE_SYNONYMS]
    return len(synonyms) >= 2


def detect_format(path: str | Path, speakers: dict[str, str] | None = None) -> str:
    """The :data:`FORMATS` key for ``path``: by extension (``.log`` ``.csv`` ``.jsonl`` ``.json`` ``.pdf``
    ``.md``), then by content for ``.txt`` and unknown extensions. :class:`DatasetError` when nothing fits."""
    p = check_readable(path)
    ext = p.suffix.lower()
    if ext == ".pdf":
        return "document"
    if ext in (".csv", ".tsv"):
        return "csv"
    if ext in (".jsonl", ".ndjson"):
        return "jsonl"
    if ext == ".log":
        return "log"
    sample, _enc = read_sample(p)
    head = sample.lstrip()
    if ext == ".json" or (head[:1] in ("[", "{") and not _looks_like_log(sample, speakers)):
        if head[:1] == "{" and _looks_like_jsonl(sample):
            return "jsonl"
        if ext == ".json" or head[:1] == "[":
            return "json"
    if ext == ".log" or _looks_like_log(sample, speakers):
        return "log"
    if ext in DOCUMENT_EXTENSIONS:
        return "document"
    first = sample.split("\n", 1)[0]
    if first and any(d in first for d in ",;\t"):
        try:
            dialect = sniff_dialect(sample)
            import csv

            check_header(next(csv.reader([first], dialect)), None, p.name)
            return "csv"
        except (DatasetError, StopIteration, Exception):  # noqa: BLE001 - a sniffing guess only
            pass
    if not sample.strip():
        raise DatasetError(_("{path} is empty.").format(path=p), hint=_("Choose a file with conversations."))
    raise DatasetError(_("Cannot tell the format of {path}.").format(path=p),
                       hint=_("Pass --format with one of: {formats}.").format(formats=format_list()))


def _resolve_format(path: Path, fmt: str | None, speakers: dict[str, str] | None) -> str:
    if fmt:
        if fmt not in FORMATS:
            raise DatasetError(_("Unknown format '{fmt}'.").format(fmt=fmt),
                               hint=_("Use one of: {formats}.").format(formats=format_list()))
        return fmt
    return detect_format(path, speakers)


# -- preview ----------------------------------------------------------------------------------
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

    @property
    def conversations(self) -> list[Record]:
        """The records that are conversations (valid or not), without :attr:`line_problems`."""
        return [r for r in self.records if not is_line_problem(r, self.format)]

    @property
    def line_problems(self) -> list[Record]:
        """Lines of a log that are not part of any conversation (text without a label, unreadable lines,
        broken speaker labels); each has its text in ``extra["text"]``."""
        return [r for r in self.records if is_line_problem(r, self.format)]


def is_line_problem(rec: Record, fmt: str) -> bool:
    """Whether ``rec`` reports a line of a log that was left out, rather than a conversation."""
    return fmt == "log" and not rec.messages and rec.problem is not None


def _auto_speakers(sample: str, speakers: dict[str, str] | None) -> dict[str, str]:
    """The given mapping, or the defaults plus labels of the sample that are role names (``User``, ``Bot``…)."""
    if speakers:
        return speakers
    out = dict(DEFAULT_SPEAKERS)
    for lab in speakers_in(sample):
        role = ROLE_SYNONYMS.get(lab.casefold())
        if role and lab.casefold() not in {k.casefold() for k in out}:
            out[lab] = role
    return out


def _open_records(path: Path, fmt: str, speakers: dict[str, str], columns: Any,
                  gap_minutes: float | None) -> tuple[TextFile, Iterator[Record]]:
    info = FORMATS[fmt]
    tf = open_text(path, newline=info.newline)
    return tf, info.reader(tf, speakers=speakers, columns=columns, gap_minutes=gap_minutes)


def preview_file(path: str | Path, *, fmt: str | None = None, speakers: str | dict[str, str] | None = None,
                 columns: str | dict[str, str] | None = None, limit: int = 5,
                 gap_minutes: float | None = DEFAULT_GAP_MINUTES, max_tokens: int | None = None) -> Preview:
    """The first ``limit`` records of ``path`` (valid and invalid, with their problems), the speaker labels and
    CSV columns seen, the encoding and whether mojibake was repaired. Nothing is stored."""
    p = check_readable(path)
    given = parse_speakers(speakers) if speakers else None
    fmt = _resolve_format(p, fmt, given)
    sample, encoding = read_sample(p)
    spk = _auto_speakers(sample, given) if fmt == "log" else (given or dict(DEFAULT_SPEAKERS))
    found = speakers_in(sample) if fmt in ("log", "document") else []
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
        return Preview(fmt, [], found, cols, encoding, sample != _raw_sample(p, encoding), passages, spk)
    tf, it = _open_records(p, fmt, spk, columns, gap_minutes)
    records: list[Record] = []
    limit_tokens = max_tokens or _default_max_tokens()
    shown = 0
    try:
        for rec in it:
            # reports of left-out log lines come after their conversation and do not count against the limit
            line_problem = is_line_problem(rec, fmt)
            if shown >= limit and not line_problem:
                break
            if rec.problem is None:
                rec.problem = check_record(rec.messages, max_tokens=limit_tokens)
            records.append(rec)
            shown += not line_problem
            if len(records) >= limit + MAX_PREVIEW_LINES:
                break
        repaired = tf.repaired
    finally:
        tf.close()
    return Preview(fmt, records, found, cols, encoding, repaired, [], spk)


def _raw_sample(p: Path, encoding: str) -> str:
    with open_text(p, encoding=encoding) as tf:
        return tf.handle.read(64 * 1024)


# -- pipeline -----------------------------------------------------------------------------------
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


_enc = getattr(json.encoder, "c_encode_basestring", None) or json.encoder.py_encode_basestring


_PREFIX = {r: '{"role": "' + r + '", "content": ' for r in ("system", "user", "assistant")}


def messages_line(messages: list[dict[str, Any]]) -> str:
    """``json.dumps({"messages": messages}, ensure_ascii=False)`` for role/content turns, without the
    encoder set-up that ``json.dumps`` pays on every call (the hot path of a conversion)."""
    return '{"messages": [' + "}, ".join([_PREFIX[m["role"]] + _enc(m["content"]) for m in messages]) + "}]}"


class _Cancelled(Exception):
    pass


def _default_max_tokens() -> int:
    from ..settings import get_settings

    return int(get_settings().n_ctx)


def make_token_counter(model: str | Path) -> Callable[[list[dict[str, Any]]], int]:
    """Count tokens with the tokenizer of a GGUF (a model id or a path), loaded vocab-only (fast, no weights)."""
    from ..models.registry import ModelRegistry

    path = Path(model).expanduser()
    if not path.exists():
        path = ModelRegistry().resolve_path(str(model))
    try:
        from llama_cpp import Llama

        llm = Llama(model_path=str(path), vocab_only=True, verbose=False)
    except Exception as exc:  # noqa: BLE001 - llama.cpp raises bare exceptions for unusable files
        raise DatasetError(_("Cannot load the tokenizer of {path}: {error}").format(path=path, error=exc),
                           hint=_("Leave out --tokenizer to use the estimate.")) from exc

    def count(messages: list[dict[str, Any]]) -> int:
        return sum(len(llm.tokenize(m["content"].encode("utf-8"), add_bos=False, special=False)) + 8
                   for m in messages)

    return count


class LineBatch:
    """Text lines written to ``f`` ``BATCH`` at a time: one write call per batch on the hot path."""

    def __init__(self, f) -> None:
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


class _Rejects:
    """The rejects JSONL file, created on the first reject."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.f = None
        self.buf: list[str] = []

    def add(self, rec: Record, reason: str) -> None:
        row: dict[str, Any] = {"ref": rec.ref, "reason": reason}
        if rec.messages:
            row["messages"] = rec.messages
        for k in ("text", "object", "row", "item"):
            if k in rec.extra:
                row[k] = rec.extra[k]
        self.buf.append(json.dumps(row, ensure_ascii=False, default=str))
        if len(self.buf) >= 256:
            self.flush()

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
    receives every kept record."""

    def __init__(self, summary: ImportSummary, rejects: _Rejects, *, pii: bool, near_dup: bool,
                 min_chars: int, max_chars: int | None, max_tokens: int | None,
                 count_tokens: Callable[[list[dict[str, Any]]], int] | None,
                 domains: dict[str, tuple[str, ...]], sink: Callable[[list[dict], Record, str, str], None],
                 db_hash: bool = True) -> None:
        self.s, self.rejects = summary, rejects
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
        problem = self.check(msgs)
        if problem is not None:
            self.reject(rec, problem)
            return
        if self.pii:
            msgs, n = scrub_messages(msgs)
            s.pii_replacements += n
        joined = joined_text(msgs)
        words, squeezed = text_keys(joined)
        if self.db_hash:
            h = content_hash(msgs)
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
        self.sink(msgs, rec, h, domain)

    def close(self) -> None:
        self.exact.close()
        self.near.close()


def _prepare(paths: Iterable[str | Path], fmt: str | None, speakers: Any, columns: Any) -> list[tuple[Path, str,
                                                                                                        dict]]:
    """Check every file before any work: readable, a known format, CSV headers usable."""
    plan = []
    given = parse_speakers(speakers) if speakers else None
    cols = parse_columns(columns)
    paths = [Path(p) for p in ([paths] if isinstance(paths, (str, Path)) else paths)]
    if not paths:
        raise DatasetError(_("No input files."), hint=_("Pass one or more files to import."))
    for p in paths:
        p = check_readable(p)
        f = _resolve_format(p, fmt, given)
        spk = given or dict(DEFAULT_SPEAKERS)
        if f == "log":
            sample, _enc = read_sample(p)
            spk = _auto_speakers(sample, given)
        elif f == "csv":
            import csv

            sample, _enc = read_sample(p)
            first = next(csv.reader(sample.splitlines()[:1], sniff_dialect(sample)), None)
            if first is not None:
                check_header([c.strip().lstrip("\ufeff") for c in first], cols, f"{p.name}:1")
        plan.append((p, f, spk))
    return plan


def _unmapped_warning(p: Path, spk: dict[str, str]) -> str | None:
    sample, _enc = read_sample(p)
    mapped = {k.casefold() for k in spk}
    counts: dict[str, int] = {}
    for lab in speakers_in(sample, limit=50):
        if lab.casefold() not in mapped and misspelt_label(lab, ":", list(spk)) is None:  # those are reported
            counts[lab] = sample.count(f"\n{lab}:") + sample.startswith(f"{lab}:")
    frequent = [lab for lab, n in counts.items() if n >= 3]
    if not frequent:
        return None
    return _("{file}: lines starting with {labels} were read as continuation text; map them with --speakers "
             "(e.g. '{example}=user') if they are speakers.").format(
        file=p.name, labels=", ".join(f"'{lab}:'" for lab in frequent[:5]), example=frequent[0])


def _run(plan: list[tuple[Path, str, dict]], pipeline: Pipeline, summary: ImportSummary, **kwargs: Any) -> None:
    """:func:`_run_files` with Python's cyclic garbage collector paused: the hot path creates millions of
    short-lived dicts and lists but no reference cycles, so reference counting frees everything and the
    collector's repeated scans would only cost time."""
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        _run_files(plan, pipeline, summary, **kwargs)
    finally:
        if was_enabled:
            gc.enable()


def _run_files(plan: list[tuple[Path, str, dict]], pipeline: Pipeline, summary: ImportSummary, *, columns: Any,
               gap_minutes: float | None, passages_sink: Callable[[str, str], None] | None,
               progress: Callable[[int, int], None] | None, cancel: threading.Event | None) -> None:
    total = sum(p.stat().st_size for p, _f, _s in plan) or 1
    done = 0
    for p, fmt, spk in plan:
        summary.formats[p.name] = fmt
        if FORMATS[fmt].passages:
            for ref, text in read_document(p):
                if cancel is not None and cancel.is_set():
                    raise _Cancelled
                if passages_sink is not None:
                    passages_sink(ref, text)
                else:
                    summary.passages += 1
            done += p.stat().st_size
            if progress:
                progress(done, total)
            continue
        if fmt == "log":
            w = _unmapped_warning(p, spk)
            if w:
                summary.warnings.append(w)
        tf, it = _open_records(p, fmt, spk, columns, gap_minutes)
        summary.encodings[p.name] = tf.encoding
        try:
            n = 0
            for rec in it:
                pipeline.add(rec)
                n += 1
                if n & 255 == 0:
                    if cancel is not None and cancel.is_set():
                        raise _Cancelled
                    if progress:
                        progress(done + tf.bytes_read, total)
            if tf.repaired:
                summary.repaired_mojibake.append(p.name)
                summary.warnings.append(_("{file}: text garbled by a wrong encoding (e.g. 'Ã©') was repaired.")
                                        .format(file=p.name))
        finally:
            tf.close()
        done += p.stat().st_size
        if progress:
            progress(done, total)


def _finish_summary(summary: ImportSummary, rejects: _Rejects) -> None:
    if rejects.close():
        summary.rejects_path = rejects.path
        summary.warnings.append(ngettext("{n} record was rejected; see {path}.",
                                         "{n} records were rejected; see {path}.", summary.rejected).format(
            n=summary.rejected, path=rejects.path))


def convert_file(src: str | Path, out: str | Path, *, fmt: str | None = None,
                 speakers: str | dict[str, str] | None = None, columns: str | dict[str, str] | None = None,
                 pii: bool = False, near_dup: bool = True, min_chars: int = 1, max_chars: int | None = None,
                 max_tokens: int | None = None, tokenizer: str | Path | None = None,
                 gap_minutes: float | None = DEFAULT_GAP_MINUTES, domains_file: str | Path | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 cancel: threading.Event | None = None) -> ImportSummary:
    """Convert one file to an OpenAI-messages JSONL file (``{"messages": [...]}`` per line; documents give
    ``{"text", "ref"}`` passages) without touching the database. Rejects go to ``<out stem>.rejects.jsonl``
    next to ``out``. The output is written under a temporary name and renamed at the end."""
    import time

    t0 = time.perf_counter()
    plan = _prepare([src], fmt, speakers, columns)
    out_p = Path(out).expanduser()
    rejects_path = out_p.with_name((out_p.stem if out_p.suffix == ".jsonl" else out_p.name) + ".rejects.jsonl")
    summary = ImportSummary(name=out_p.name, files=1, out_path=out_p)
    try:
        out_p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{out_p.name}.", suffix=".tmp", dir=out_p.parent)
    except OSError as exc:
        raise DatasetError(_("Cannot write {path}: {error}").format(path=out_p, error=exc.strerror or exc),
                           hint=_("Choose a writable folder.")) from exc
    rejects = _Rejects(rejects_path)
    f = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
    lines = LineBatch(f)

    def sink(msgs: list[dict], rec: Record, h: str, domain: str) -> None:
        lines.add(messages_line(msgs))
        summary.imported += 1

    def passage(ref: str, text: str) -> None:
        summary.passages += 1
        lines.add(json.dumps({"text": text, "ref": ref}, ensure_ascii=False))

    from . import parallel

    src_p, src_fmt, src_spk = plan[0]
    split = None
    if parallel.usable(src_p, src_fmt, tokenizer):
        with open(src_p, "rb") as fh:
            encoding = detect_encoding(fh.read(SAMPLE_BYTES))
        split = parallel.plan_split(src_p, encoding, src_spk)
    if split is not None:
        f.close()
        ok = _publish(tmp, out_p, summary, lambda: _convert_parallel(
            src_p, src_spk, split, encoding, tmp, rejects, summary, pii=pii, near_dup=near_dup, min_chars=min_chars,
            max_chars=max_chars, max_tokens=max_tokens or _default_max_tokens(), gap_minutes=gap_minutes,
            domains=load_domains(domains_file), progress=progress, cancel=cancel))
        return _end_convert(summary, rejects, rejects_path, ok, t0)
    pipe = Pipeline(summary, rejects, pii=pii, near_dup=near_dup, min_chars=min_chars, max_chars=max_chars,
                    max_tokens=max_tokens or _default_max_tokens(),
                    count_tokens=make_token_counter(tokenizer) if tokenizer else None,
                    domains=load_domains(domains_file), sink=sink, db_hash=False)

    def work() -> None:
        _run(plan, pipe, summary, columns=columns, gap_minutes=gap_minutes, passages_sink=passage,
             progress=progress, cancel=cancel)
        lines.flush()
        f.close()

    def cleanup() -> None:
        pipe.close()
        f.close()

    ok = _publish(tmp, out_p, summary, work, cleanup)
    return _end_convert(summary, rejects, rejects_path, ok, t0)


def _publish(tmp: str, out_p: Path, summary: ImportSummary, work: Callable[[], None],
             cleanup: Callable[[], None] | None = None) -> bool:
    """Run ``work`` (it fills ``tmp``), then rename ``tmp`` to ``out_p``. A cancel or a failure never leaves a
    partial file; returns whether the output was published."""
    ok = False
    try:
        work()
        os.replace(tmp, out_p)
        ok = True
    except _Cancelled:
        summary.cancelled = True
    except OSError as exc:
        raise DatasetError(_("Cannot write {path}: {error}").format(path=out_p, error=exc.strerror or exc),
                           hint=_("Check the free disk space and the folder's permissions.")) from exc
    finally:
        if cleanup is not None:
            cleanup()
        if not ok:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    return ok


def _end_convert(summary: ImportSummary, rejects: _Rejects, rejects_path: Path, ok: bool,
                 t0: float) -> ImportSummary:
    import time

    _finish_summary(summary, rejects)
    if summary.rejects_path is None and rejects_path.exists() and ok:
        rejects_path.unlink()  # an old rejects file from an earlier run would mislead
    summary.seconds = time.perf_counter() - t0
    return summary


def _convert_parallel(p: Path, spk: dict[str, str], split: tuple[int, int], encoding: str, tmp: str,
                      rejects: _Rejects, summary: ImportSummary, *, progress: Callable[[int, int], None] | None,
                      cancel: threading.Event | None, **options: Any) -> None:
    """The two-process log conversion (:mod:`.parallel`), with the same summary as :func:`_run`."""
    from .parallel import convert_parallel

    summary.formats[p.name] = "log"
    w = _unmapped_warning(p, spk)
    if w:
        summary.warnings.append(w)
    summary.encodings[p.name] = encoding

    def rejects_fh() -> Any:
        rejects.path.parent.mkdir(parents=True, exist_ok=True)
        rejects.f = open(rejects.path, "wb")  # noqa: SIM115 - closed by _Rejects.close
        return rejects.f

    repaired = convert_parallel(p, split, tmp, rejects_fh, summary, encoding=encoding, speakers=spk,
                                progress=progress, cancel=cancel, cancelled=_Cancelled, **options)
    if repaired:
        summary.repaired_mojibake.append(p.name)
        summary.warnings.append(_("{file}: text garbled by a wrong encoding (e.g. 'Ã©') was repaired.")
                                .format(file=p.name))


def import_files(name: str, paths: Iterable[str | Path] | str | Path, *, fmt: str | None = None,
                 speakers: str | dict[str, str] | None = None, columns: str | dict[str, str] | None = None,
                 pii: bool = False, near_dup: bool = True, min_chars: int = 1, max_chars: int | None = None,
                 max_tokens: int | None = None, tokenizer: str | Path | None = None,
                 gap_minutes: float | None = DEFAULT_GAP_MINUTES, domains_file: str | Path | None = None,
                 store: DatasetStore | None = None, progress: Callable[[int, int], None] | None = None,
                 cancel: threading.Event | None = None) -> ImportSummary:
    """Import files into the dataset ``name`` (created if needed) in one transaction: a failure or a cancel
    leaves the dataset as it was. Conversations become examples (source ``import``, ``source_ref`` =
    ``file:line``); document passages go to the dataset's passages. Existing examples count as duplicates.
    Rejects go to ``<home>/datasets/rejects/<name>-<time>.jsonl``."""
    import time

    from sqlmodel import select

    from ..settings import get_settings
    from ..storage.datasets_tables import Dataset, Example

    from .store import DatasetStore

    t0 = time.perf_counter()
    store = store or DatasetStore()
    plan = _prepare(paths, fmt, speakers, columns)
    ds = store.create(name)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    rejects = _Rejects(get_settings().datasets_dir / "rejects" / f"{name}-{stamp}.jsonl")
    summary = ImportSummary(name=name, files=len(plan))
    rows: list[dict[str, Any]] = []
    passages: list[tuple[str, str]] = []
    sess: list[Any] = []

    def flush_rows() -> None:
        added, dups = store.insert_rows(sess[0], ds.id, rows)
        summary.imported += added
        summary.duplicates += dups
        rows.clear()

    def passage(ref: str, text: str) -> None:
        passages.append((ref, text))
        if len(passages) >= BATCH:
            summary.passages += store.insert_passages(sess[0], ds.id, passages)
            passages.clear()

    def sink(msgs: list[dict], rec: Record, h: str, domain: str) -> None:
        rows.append({"messages": msgs, "source": "import", "source_ref": rec.ref, "domain": domain,
                     "content_hash": h, "tokens": estimate_tokens(msgs), "split": "train"})
        if len(rows) >= BATCH:
            flush_rows()

    pipe = Pipeline(summary, rejects, pii=pii, near_dup=near_dup, min_chars=min_chars, max_chars=max_chars,
                    max_tokens=max_tokens or _default_max_tokens(),
                    count_tokens=make_token_counter(tokenizer) if tokenizer else None,
                    domains=load_domains(domains_file), sink=sink)
    try:
        with store.db.session() as s:
            sess.append(s)
            if near_dup:  # what the dataset already holds counts for near-duplicates too
                q = s.connection().execute(select(Example.messages).where(Example.dataset_id == ds.id))
                for (msgs,) in q:
                    pipe.near.add(near_fingerprint(msgs))
            _run(plan, pipe, summary, columns=columns, gap_minutes=gap_minutes,
                 passages_sink=passage, progress=progress, cancel=cancel)
            flush_rows()
            stored = store.insert_passages(s, ds.id, passages)
            row = s.get(Dataset, ds.id)
            if row is not None:
                row.updated_at = datetime.now().astimezone()
                s.add(row)
    except _Cancelled:
        summary.cancelled = True
        summary.imported = summary.duplicates = summary.passages = 0
    finally:
        pipe.close()
    if not summary.cancelled:
        summary.passages = summary.passages + stored
        store.resplit(name)
        summary.warnings.extend(w for w in store.stats(name)["warnings"] if w not in summary.warnings)
    _finish_summary(summary, rejects)
    summary.seconds = time.perf_counter() - t0
    return summary
