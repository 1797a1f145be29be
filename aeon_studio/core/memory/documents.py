"""Reading a document (TXT, MD, PDF) for memory: its text and the hash that tells a re-import what changed.

The passages are cut by :func:`aeon_studio.core.documents.split_passages`, the chunker datasets use too.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ..documents import DOCUMENT_EXTENSIONS, DocumentError, pdf_pages
from ..i18n import _
from .errors import MemoryInputError


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

