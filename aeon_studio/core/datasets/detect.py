"""The input formats of an import (a registry) and how a file's format and speakers are found.

Formats (:data:`FORMATS`): ``log`` (speaker-labelled logs), ``csv`` (CSV/TSV of questions and answers),
``json`` (a JSON array or object), ``jsonl`` (JSON Lines), ``document`` (TXT/MD/PDF → passages).
:func:`detect_format` picks one by extension, then by content.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..i18n import N_, _
from .documents import DOCUMENT_EXTENSIONS, read_document
from .errors import DatasetError
from .formats.jsonfmt import read_json, read_jsonl
from .formats.logs import label_pattern, read_log, speakers_in, timestamped_labels
from .formats.tabular import check_header, read_csv, sniff_dialect
from .records import ROLE_SYNONYMS, Record
from .textio import TextFile, check_readable, open_text, read_sample

DEFAULT_SPEAKERS: dict[str, str] = {"VOCÊ": "user", "AEON": "assistant"}
#: Gap between two timestamps that starts a new conversation.
DEFAULT_GAP_MINUTES = 30


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
    """The format keys, comma-separated (for hints)."""
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


def auto_speakers(sample: str, speakers: dict[str, str] | None) -> dict[str, str]:
    """The given mapping, or the defaults plus labels of the sample that are role names (``User``, ``Bot``…)."""
    if speakers:
        return speakers
    out = dict(DEFAULT_SPEAKERS)
    for lab in speakers_in(sample):
        role = ROLE_SYNONYMS.get(lab.casefold())
        if role and lab.casefold() not in {k.casefold() for k in out}:
            out[lab] = role
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
    lines = [ln for ln in sample.splitlines()[:400] if ln.strip()]
    if not lines:
        return False
    rx = label_pattern(list(speakers or DEFAULT_SPEAKERS))
    known = sum(1 for ln in lines if rx.match(ln))
    if known >= 2 or (known and len(lines) < 4):
        return True
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


def resolve_format(path: Path, fmt: str | None, speakers: dict[str, str] | None) -> str:
    """``fmt`` when it is a known format (:class:`DatasetError` otherwise), else :func:`detect_format`."""
    if fmt:
        if fmt not in FORMATS:
            raise DatasetError(_("Unknown format '{fmt}'.").format(fmt=fmt),
                               hint=_("Use one of: {formats}.").format(formats=format_list()))
        return fmt
    return detect_format(path, speakers)


def open_records(path: Path, fmt: str, speakers: dict[str, str], columns: Any,
                 gap_minutes: float | None) -> tuple[TextFile, Iterator[Record]]:
    """The open text file and the records its format's reader yields from it (the caller closes the file)."""
    info = FORMATS[fmt]
    tf = open_text(path, newline=info.newline)
    return tf, info.reader(tf, speakers=speakers, columns=columns, gap_minutes=gap_minutes)
