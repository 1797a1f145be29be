"""Converting one file to an OpenAI-messages JSONL file, without the database.

The output is written under a temporary name and renamed at the end, so a cancel or a failure never leaves a
partial file. Rejects go to ``<out stem>.rejects.jsonl`` next to the output. Large logs are converted on two
cores (:mod:`.parallel`) with the same output as the single-process path.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..i18n import _
from . import parallel
from .clean import load_domains
from .detect import DEFAULT_GAP_MINUTES
from .errors import DatasetError
from .pipeline import ImportCancelled, ImportSummary, LineBatch, Pipeline, RejectsFile, messages_line
from .plan import finish_summary, prepare, repaired_warning, run_plan, unmapped_warning
from .records import Record
from .textio import SAMPLE_BYTES, detect_encoding
from .tokens import default_max_tokens, make_token_counter


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
    t0 = time.perf_counter()
    plan = prepare([src], fmt, speakers, columns)
    out_p = Path(out).expanduser()
    rejects_path = out_p.with_name((out_p.stem if out_p.suffix == ".jsonl" else out_p.name) + ".rejects.jsonl")
    summary = ImportSummary(name=out_p.name, files=1, out_path=out_p)
    try:
        out_p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{out_p.name}.", suffix=".tmp", dir=out_p.parent)
    except OSError as exc:
        raise DatasetError(_("Cannot write {path}: {error}").format(path=out_p, error=exc.strerror or exc),
                           hint=_("Choose a writable folder.")) from exc
    rejects = RejectsFile(rejects_path)
    f = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
    lines = LineBatch(f)

    def sink(msgs: list[dict], rec: Record, h: str, domain: str) -> None:
        if rec.plain and all(len(m) == 2 for m in msgs):  # role and content only: the fast writer
            lines.add(messages_line(msgs))
        else:
            lines.add(json.dumps(converted_row(msgs, rec), ensure_ascii=False))
        summary.imported += 1
        summary.pairs += rec.rejected is not None
        summary.undesirable += rec.label is False

    def passage(ref: str, text: str) -> None:
        summary.passages += 1
        lines.add(json.dumps({"text": text, "ref": ref}, ensure_ascii=False))

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
            max_chars=max_chars, max_tokens=max_tokens or default_max_tokens(), gap_minutes=gap_minutes,
            domains=load_domains(domains_file), progress=progress, cancel=cancel))
        return _end_convert(summary, rejects, rejects_path, ok, t0)
    pipe = Pipeline(summary, rejects, pii=pii, near_dup=near_dup, min_chars=min_chars, max_chars=max_chars,
                    max_tokens=max_tokens or default_max_tokens(),
                    count_tokens=make_token_counter(tokenizer) if tokenizer else None,
                    domains=load_domains(domains_file), sink=sink, db_hash=False)

    def work() -> None:
        run_plan(plan, pipe, summary, columns=columns, gap_minutes=gap_minutes, passages_sink=passage,
                 progress=progress, cancel=cancel)
        lines.flush()
        f.close()

    def cleanup() -> None:
        pipe.close()
        f.close()

    ok = _publish(tmp, out_p, summary, work, cleanup)
    return _end_convert(summary, rejects, rejects_path, ok, t0)


def converted_row(msgs: list[dict[str, Any]], rec: Record) -> dict[str, Any]:
    """The output line of a kept record in OpenAI's shapes: a preference pair as ``{"input": {"messages"},
    "preferred_output", "non_preferred_output"}``; a conversation as ``{"messages"}`` with its ``tools`` and
    its KTO ``label`` when it has them. Every shape imports back as the same record."""
    if rec.rejected is not None:
        return {"input": {"messages": msgs[:-1]}, "preferred_output": msgs[-1:],
                "non_preferred_output": [{"role": "assistant", "content": rec.rejected}]}
    row: dict[str, Any] = {"messages": msgs}
    if rec.tools:
        row["tools"] = rec.tools
    if rec.label is not None:
        row["label"] = rec.label
    return row


def _publish(tmp: str, out_p: Path, summary: ImportSummary, work: Callable[[], None],
             cleanup: Callable[[], None] | None = None) -> bool:
    """Run ``work`` (it fills ``tmp``), then rename ``tmp`` to ``out_p``. A cancel or a failure never leaves a
    partial file; returns whether the output was published."""
    ok = False
    try:
        work()
        os.replace(tmp, out_p)
        ok = True
    except ImportCancelled:
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


def _end_convert(summary: ImportSummary, rejects: RejectsFile, rejects_path: Path, ok: bool,
                 t0: float) -> ImportSummary:
    finish_summary(summary, rejects)
    if summary.rejects_path is None and rejects_path.exists() and ok:
        rejects_path.unlink()  # an old rejects file from an earlier run would mislead
    summary.seconds = time.perf_counter() - t0
    return summary


def _convert_parallel(p: Path, spk: dict[str, str], split: tuple[int, int], encoding: str, tmp: str,
                      rejects: RejectsFile, summary: ImportSummary, *, progress: Callable[[int, int], None] | None,
                      cancel: threading.Event | None, **options: Any) -> None:
    """The two-process log conversion (:mod:`.parallel`), with the same summary as :func:`.plan.run_plan`."""
    summary.formats[p.name] = "log"
    w = unmapped_warning(p, spk)
    if w:
        summary.warnings.append(w)
    summary.encodings[p.name] = encoding
    # looked up at call time: tests wrap it to see that the two-process path ran
    repaired = parallel.convert_parallel(p, split, tmp, rejects.open_binary, summary, encoding=encoding,
                                         speakers=spk, progress=progress, cancel=cancel, **options)
    if repaired:
        summary.repaired_mojibake.append(p.name)
        summary.warnings.append(repaired_warning(p.name))
