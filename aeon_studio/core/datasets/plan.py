"""Running input files through the pipeline: every file checked before any work, then read in a stream.

:func:`prepare` validates every input (readable, a known format, usable CSV headers) so that a bad file fails
before anything is written; :func:`run_plan` reads the files (in chunks, so memory stays bounded) into a
:class:`.pipeline.Pipeline`, and document passages into a passage sink.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..i18n import _, ngettext
from .detect import DEFAULT_SPEAKERS, FORMATS, auto_speakers, open_records, parse_speakers, resolve_format
from .documents import read_document
from .errors import DatasetError
from .formats.garbled import misspelt_label
from .formats.logs import speakers_in
from .formats.tabular import check_header, parse_columns, sniff_dialect
from .pipeline import ImportCancelled, ImportSummary, Pipeline, RejectsFile, placeholder_warning
from .textio import check_readable, read_sample

#: One checked input: its path, its format key and its speaker mapping.
PlannedFile = tuple[Path, str, dict[str, str]]


def prepare(paths: Iterable[str | Path] | str | Path, fmt: str | None, speakers: Any,
            columns: Any) -> list[PlannedFile]:
    """Check every file before any work: readable, a known format, CSV headers usable."""
    plan = []
    given = parse_speakers(speakers) if speakers else None
    cols = parse_columns(columns)
    paths = [Path(p) for p in ([paths] if isinstance(paths, (str, Path)) else paths)]
    if not paths:
        raise DatasetError(_("No input files."), hint=_("Pass one or more files to import."))
    for p in paths:
        p = check_readable(p)
        f = resolve_format(p, fmt, given)
        spk = given or dict(DEFAULT_SPEAKERS)
        if f == "log":
            sample, _enc = read_sample(p)
            spk = auto_speakers(sample, given)
        elif f == "csv":
            import csv

            sample, _enc = read_sample(p)
            first = next(csv.reader(sample.splitlines()[:1], sniff_dialect(sample)), None)
            if first is not None:
                check_header([c.strip().lstrip("\ufeff") for c in first], cols, f"{p.name}:1")
        plan.append((p, f, spk))
    return plan


def unmapped_warning(p: Path, spk: dict[str, str]) -> str | None:
    """A warning when frequent ``Label:`` lines of a log are not mapped to a speaker (read as continuation)."""
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


def repaired_warning(name: str) -> str:
    """The warning for a file whose text was garbled by a wrong encoding and repaired."""
    return _("{file}: text garbled by a wrong encoding (e.g. 'Ã©') was repaired.").format(file=name)


def run_plan(plan: list[PlannedFile], pipeline: Pipeline, summary: ImportSummary, **kwargs: Any) -> None:
    """:func:`_run_files` with Python's cyclic garbage collector paused: the hot path creates millions of
    short-lived dicts and lists but no reference cycles, so reference counting frees everything and the
    collector's repeated scans would only cost time. Raises :class:`.pipeline.ImportCancelled` on a cancel."""
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        _run_files(plan, pipeline, summary, **kwargs)
    finally:
        if was_enabled:
            gc.enable()


def _run_files(plan: list[PlannedFile], pipeline: Pipeline, summary: ImportSummary, *, columns: Any,
               gap_minutes: float | None, passages_sink: Callable[[str, str], None] | None,
               progress: Callable[[int, int], None] | None, cancel: threading.Event | None) -> None:
    total = sum(p.stat().st_size for p, _f, _s in plan) or 1
    done = 0
    for p, fmt, spk in plan:
        summary.formats[p.name] = fmt
        if FORMATS[fmt].passages:
            for ref, text in read_document(p):
                if cancel is not None and cancel.is_set():
                    raise ImportCancelled
                if passages_sink is not None:
                    passages_sink(ref, text)
                else:
                    summary.passages += 1
            done += p.stat().st_size
            if progress:
                progress(done, total)
            continue
        if fmt == "log":
            w = unmapped_warning(p, spk)
            if w:
                summary.warnings.append(w)
        tf, it = open_records(p, fmt, spk, columns, gap_minutes)
        summary.encodings[p.name] = tf.encoding
        try:
            n = 0
            for rec in it:
                pipeline.add(rec)
                n += 1
                if n & 255 == 0:
                    if cancel is not None and cancel.is_set():
                        raise ImportCancelled
                    if progress:
                        progress(done + tf.bytes_read, total)
            if tf.repaired:
                summary.repaired_mojibake.append(p.name)
                summary.warnings.append(repaired_warning(p.name))
        finally:
            tf.close()
        done += p.stat().st_size
        if progress:
            progress(done, total)


def finish_summary(summary: ImportSummary, rejects: RejectsFile) -> None:
    """Close the rejects file; when something was rejected, point the summary (and a warning) at it. Warn about
    kept examples that still hold ``{{placeholders}}``."""
    w = placeholder_warning(summary)
    if w:
        summary.warnings.append(w)
    if rejects.close():
        summary.rejects_path = rejects.path
        summary.warnings.append(ngettext("{n} record was rejected; see {path}.",
                                         "{n} records were rejected; see {path}.", summary.rejected).format(
            n=summary.rejected, path=rejects.path))
