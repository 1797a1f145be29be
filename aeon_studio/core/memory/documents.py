"""Documents (TXT, MD, PDF) in memory: reading one (its text and the hash that tells a re-import what changed)
and importing files as passages into a :class:`~.store.MemoryStore`.

The passages are cut by :func:`aeon_studio.core.documents.split_passages`, the chunker datasets use too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..documents import DOCUMENT_EXTENSIONS, DocumentError, pdf_pages, split_passages
from ..i18n import _, ngettext
from .errors import MemoryInputError

Progress = Callable[[float, str], None]
Cancel = Callable[[], bool]


@dataclass
class ImportResult:
    """What :meth:`MemoryStore.import_documents` did.

    ``files``: files imported (new or changed); ``passages``: passages added; ``replaced``: files whose
    earlier passages were replaced because their content changed; ``skipped``: unchanged files;
    ``removed``: old passages removed; ``errors``: one readable line per file that failed.
    """

    files: int = 0
    passages: int = 0
    replaced: int = 0
    errors: list[str] = field(default_factory=list)
    skipped: int = 0
    removed: int = 0
    cancelled: bool = False


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_document(path: Path) -> tuple[str, str]:
    """(text, sha256 of the file's bytes). Raises :class:`MemoryInputError` with a readable reason."""
    suffix = path.suffix.lower()
    if suffix not in DOCUMENT_EXTENSIONS:
        raise MemoryInputError(_("{path}: unsupported file type '{suffix}' (use .txt, .md or .pdf).").format(
            path=path, suffix=suffix or "?"))
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise MemoryInputError(_("{path}: file not found.").format(path=path)) from exc
    except OSError as exc:
        raise MemoryInputError(_("{path}: cannot be read ({error}).").format(path=path, error=exc)) from exc
    if suffix == ".pdf":
        try:
            text = "\n\n".join(page for _n, page in pdf_pages(data, path.name))
        except DocumentError as exc:
            raise MemoryInputError(exc.message, hint=exc.hint) from exc
    else:
        text = data.decode("utf-8", errors="replace").lstrip("\ufeff")
    return text, file_hash(data)



def import_documents(store: Any, paths: Iterable[str | Path], *, progress: Progress,
                     cancel: Cancel | None = None) -> ImportResult:
    """:meth:`MemoryStore.import_documents <.store.MemoryStore.import_documents>`: each file read, cut into
    passages, embedded and stored (replacing the passages of an earlier, different version of it)."""
    files = [Path(p).expanduser() for p in paths]
    result = ImportResult()
    for n, path in enumerate(files):
        if cancel is not None and cancel():
            result.cancelled = True
            break
        base = n / max(1, len(files))
        progress(base, _("Reading {name}…").format(name=path.name))
        try:
            _import_one(store, path.resolve(), result, progress, base, 1 / max(1, len(files)), cancel)
        except MemoryInputError as exc:
            result.errors.append(exc.message)
        if result.cancelled:
            break
    progress(1.0, _("Imported {files}, {passages}.").format(
        files=ngettext("{n} file", "{n} files", result.files).format(n=result.files),
        passages=ngettext("{n} passage", "{n} passages", result.passages).format(n=result.passages)))
    return result


def _import_one(store: Any, path: Path, result: ImportResult, progress: Progress, base: float, share: float,
                cancel: Cancel | None) -> None:
    import numpy as np

    text, digest = read_document(path)
    ref = str(path)
    old = store.passage_hashes(ref)
    if old and all(h == digest for _i, h in old):
        result.skipped += 1
        return
    chunks = split_passages(text, store.settings.memory_chunk_chars, store.settings.memory_chunk_overlap)
    if not chunks:
        raise MemoryInputError(_("{path}: no text found.").format(path=path))
    vectors = []
    batch = 32
    for start in range(0, len(chunks), batch):
        if cancel is not None and cancel():
            result.cancelled = True
            return  # nothing of this file was stored
        vectors.append(store.embedder.encode(chunks[start:start + batch]))
        progress(base + share * min(1.0, (start + batch) / len(chunks)),
                 ngettext("Embedding {name}: {done} of {total} passage…",
                          "Embedding {name}: {done} of {total} passages…", len(chunks)).format(
                     name=path.name, done=min(start + batch, len(chunks)), total=len(chunks)))
    sources = [_("{name}, passage {n}").format(name=path.name, n=i + 1) for i in range(len(chunks))]
    removed = store.replace_passages([i for i, _h in old], chunks, sources=sources, ref=ref, digest=digest,
                                     vectors=np.concatenate(vectors))
    if old:
        result.removed += removed
        result.replaced += 1
    result.files += 1
    result.passages += len(chunks)
