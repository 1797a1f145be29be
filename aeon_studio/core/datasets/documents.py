"""Documents (TXT, Markdown, PDF) → passages for a dataset, and for question generation.

Passages are stored per dataset in the ``dataset_passage`` table (see :mod:`..storage.datasets_tables`) by
:func:`.importers.import_files`; ``aeon-studio dataset questions NAME`` turns them into candidate Q/A pairs.
The cutting is :mod:`aeon_studio.core.documents` (shared with memory); text files are streamed through this
area's encoding detection and mojibake repair (:mod:`.textio`), PDFs are read page by page.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..documents import (DEFAULT_MAX_CHARS, DEFAULT_OVERLAP, DOCUMENT_EXTENSIONS, DocumentError,  # noqa: F401
                         pdf_passages, split_passages, stream_passages)
from .errors import DatasetError
from .textio import check_readable, open_text


def read_document(path: str | Path, *, max_chars: int = DEFAULT_MAX_CHARS,
                  overlap: int = DEFAULT_OVERLAP) -> Iterator[tuple[str, str]]:
    """``(ref, passage)`` pairs of a TXT/MD/PDF file; ``ref`` is ``file.md:LINE`` or ``file.pdf:p3``.

    Raises :class:`DatasetError` when the file cannot be read.
    """
    p = check_readable(path)
    try:
        if p.suffix.lower() == ".pdf":
            for page, passage in pdf_passages(p, p.name, max_chars, overlap):
                yield f"{p.name}:p{page}", passage
            return
        with open_text(p) as tf:
            for line, passage in stream_passages((tf.fix(chunk) for chunk in tf.chunks()), max_chars, overlap):
                yield f"{p.name}:{line}", passage
    except DocumentError as exc:
        raise DatasetError(exc.message, hint=exc.hint) from exc
