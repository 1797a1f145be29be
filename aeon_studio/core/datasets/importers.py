"""Importing files into a dataset, and the public face of the import modules.

The work is split by responsibility: :mod:`.detect` (the format registry :data:`FORMATS`, detection, speakers),
:mod:`.preview` (:func:`preview_file`), :mod:`.tokens` (token budgets and counters), :mod:`.pipeline` (validation,
PII scrubbing, dedup, domain tagging, rejects), :mod:`.plan` (checking and streaming the input files) and
:mod:`.convert` (:func:`convert_file`, JSONL without the database). This module adds :func:`import_files` (into
the database, through :class:`.store.DatasetStore`) and re-exports the public names, so callers keep one import.

Rejected records are written with their ``ref`` (``file:line``) and ``reason`` to a rejects JSONL file (next to
the output for :func:`convert_file`, under ``<home>/datasets/rejects/`` for :func:`import_files`); the summary
counts them. Memory stays bounded: files are read in chunks, output is written in batches, duplicate
fingerprints spill to disk. Document passages are stored in the ``dataset_passage`` table of the dataset.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .clean import load_domains
from .convert import convert_file
from .dedup import near_fingerprint
from .detect import (DEFAULT_GAP_MINUTES, DEFAULT_SPEAKERS, FORMATS, FormatInfo, detect_format, format_list,
                     parse_speakers)
from .pipeline import (BATCH, MAX_PROBLEMS, ImportCancelled, ImportSummary, LineBatch, Pipeline, RejectsFile,
                       kept_nothing, messages_line)
from .plan import finish_summary, prepare, run_plan
from .preview import MAX_PREVIEW_LINES, Preview, is_dropped, is_line_problem, preview_file
from .records import Record, estimate_tokens
from .tokens import default_max_tokens, make_token_counter

if TYPE_CHECKING:
    from .store import BulkImport, DatasetStore

__all__ = ["BATCH", "DEFAULT_GAP_MINUTES", "DEFAULT_SPEAKERS", "FORMATS", "MAX_PREVIEW_LINES", "MAX_PROBLEMS",
           "FormatInfo", "ImportCancelled", "ImportSummary", "LineBatch", "Pipeline", "Preview", "RejectsFile",
           "convert_file", "detect_format", "format_list", "import_files", "is_dropped", "is_line_problem",
           "kept_nothing", "make_token_counter",
           "messages_line", "parse_speakers", "preview_file"]


class _DatasetWriter:
    """The kept records and passages of an import, written to the dataset ``BATCH`` at a time."""

    def __init__(self, bulk: BulkImport, summary: ImportSummary) -> None:
        self.bulk, self.summary = bulk, summary
        self.rows: list[dict[str, Any]] = []
        self.pairs: list[dict[str, Any]] = []
        self.passages: list[tuple[str, str]] = []

    def example(self, msgs: list[dict], rec: Record, h: str, domain: str) -> None:
        """The :class:`.pipeline.Pipeline` sink: one kept record (a preference pair goes to the pairs)."""
        if rec.rejected is not None:
            self.pairs.append({"prompt": msgs[:-1], "chosen": msgs[-1]["content"], "rejected": rec.rejected,
                               "source_ref": f"import:{rec.ref}", "content_hash": h})
            if len(self.pairs) >= BATCH:
                self._flush_pairs()
            return
        self.rows.append({"messages": msgs, "source": "import", "source_ref": rec.ref, "domain": domain,
                          "content_hash": h, "tokens": estimate_tokens(msgs), "split": "train",
                          "label": rec.label, "tools": rec.tools})
        if len(self.rows) >= BATCH:
            self._flush_rows()

    def passage(self, ref: str, text: str) -> None:
        """One document passage."""
        self.passages.append((ref, text))
        if len(self.passages) >= BATCH:
            self._flush_passages()

    def flush(self) -> None:
        self._flush_rows()
        self._flush_pairs()
        self._flush_passages()

    def _flush_rows(self) -> None:
        added, dups = self.bulk.add_rows(self.rows)
        self.summary.imported += added
        self.summary.duplicates += dups
        # of the stored rows, those labelled undesirable (a row already in the dataset is not stored again)
        self.summary.undesirable += min(added, sum(r["label"] is False for r in self.rows))
        self.summary.tools += min(added, sum(bool(r["tools"]) for r in self.rows))
        self.rows.clear()

    def _flush_pairs(self) -> None:
        added, dups = self.bulk.add_pairs(self.pairs)
        self.summary.imported += added
        self.summary.pairs += added
        self.summary.duplicates += dups
        self.pairs.clear()

    def _flush_passages(self) -> None:
        self.summary.passages += self.bulk.add_passages(self.passages)
        self.passages.clear()


def import_files(name: str, paths: Iterable[str | Path] | str | Path, *, fmt: str | None = None,
                 speakers: str | dict[str, str] | None = None, columns: str | dict[str, str] | None = None,
                 pii: bool = False, near_dup: bool = True, min_chars: int = 1, max_chars: int | None = None,
                 max_tokens: int | None = None, tokenizer: str | Path | None = None,
                 gap_minutes: float | None = DEFAULT_GAP_MINUTES, domains_file: str | Path | None = None,
                 store: DatasetStore | None = None, progress: Callable[[int, int], None] | None = None,
                 cancel: threading.Event | None = None, values: dict[str, str] | None = None) -> ImportSummary:
    """Import files into the dataset ``name`` (created if needed) in one transaction: a failure or a cancel
    leaves the dataset as it was. Conversations become examples (source ``import``, ``source_ref`` =
    ``file:line``); document passages go to the dataset's passages. Existing examples count as duplicates.
    Rejects go to ``<home>/datasets/rejects/<name>-<time>.jsonl``. ``values`` fill ``{{placeholders}}``
    (``{"name": "Aeon"}``, see :mod:`.placeholders`). An import that keeps nothing (no example, no passage)
    leaves no dataset behind: a dataset it created is removed again (``summary.kept_nothing``)."""
    from ..settings import get_settings
    from .store import DatasetStore  # here, not at the top: a conversion must not load the database layer

    t0 = time.perf_counter()
    store = store or DatasetStore()
    plan = prepare(paths, fmt, speakers, columns)
    count_tokens = make_token_counter(tokenizer) if tokenizer else None
    domains = load_domains(domains_file)
    created = not store.exists(name)
    ds = store.create(name)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    rejects = RejectsFile(get_settings().datasets_dir / "rejects" / f"{name}-{stamp}.jsonl")
    summary = ImportSummary(name=name, files=len(plan))
    try:
        with store.bulk_import(ds.id) as bulk:
            writer = _DatasetWriter(bulk, summary)
            pipe = Pipeline(summary, rejects, pii=pii, near_dup=near_dup, min_chars=min_chars, max_chars=max_chars,
                            max_tokens=max_tokens or default_max_tokens(), count_tokens=count_tokens,
                            domains=domains, sink=writer.example, values=values)
            try:
                if near_dup:  # what the dataset already holds counts for near-duplicates too
                    for msgs in bulk.stored_messages():
                        pipe.near.add(near_fingerprint(msgs))
                run_plan(plan, pipe, summary, columns=columns, gap_minutes=gap_minutes,
                         passages_sink=writer.passage, progress=progress, cancel=cancel)
                writer.flush()
            finally:
                pipe.close()
    except ImportCancelled:  # the transaction was rolled back: nothing was stored
        summary.cancelled = True
        summary.imported = summary.duplicates = summary.passages = 0
    except BaseException:  # rolled back too: a dataset made for this import must not stay behind, empty
        if created:
            store.delete(name)
        rejects.close()
        raise
    if kept_nothing(summary):  # nothing changed: a new dataset goes (the rejects file stays), an old one stays
        if created:
            store.delete(name)
    elif not summary.cancelled:
        store.resplit(name, pairs=summary.pairs > 0)
        summary.warnings.extend(w for w in store.stats(name)["warnings"] if w not in summary.warnings)
    finish_summary(summary, rejects)
    summary.seconds = time.perf_counter() - t0
    return summary
