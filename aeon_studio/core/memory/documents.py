"""Reading documents (TXT, MD, PDF) and cutting them into overlapping passages."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..i18n import _
from .errors import MemoryInputError

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
PDF_SUFFIXES = {".pdf"}
SUPPORTED = TEXT_SUFFIXES | PDF_SUFFIXES


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
    if suffix not in SUPPORTED:
        raise MemoryInputError(_("{path}: unsupported file type '{suffix}' (use .txt, .md or .pdf).").format(
            path=path, suffix=suffix or "?"))
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise MemoryInputError(_("{path}: file not found.").format(path=path)) from exc
    except OSError as exc:
        raise MemoryInputError(_("{path}: cannot be read ({error}).").format(path=path, error=exc)) from exc
    if suffix in PDF_SUFFIXES:
        text = _pdf_text(path, data)
    else:
        text = data.decode("utf-8", errors="replace").lstrip("\ufeff")
    return text, file_hash(data)


def _pdf_text(path: Path, data: bytes) -> str:
    import io

    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            reader.decrypt("")
        return "\n\n".join((page.extract_text() or "") for page in reader.pages)
    except Exception as exc:  # pypdf raises many types for damaged or protected files
        raise MemoryInputError(_("{path}: not a readable PDF ({error}).").format(path=path, error=exc)) from exc


def _normalize(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[ \t\f\v]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def chunk_text(text: str, size: int = 800, overlap: int = 150) -> list[str]:
    """Passages of about ``size`` characters; neighbours share about ``overlap`` characters.

    Cuts prefer a paragraph break, then a sentence end, then a space, in the second half of a window.
    """
    text = _normalize(text)
    if not text:
        return []
    size = max(50, size)
    overlap = max(0, min(overlap, size // 2))
    out: list[str] = []
    start = 0
    n = len(text)
    while start < n:
        end = min(n, start + size)
        if end < n:
            window = text[start + size // 2:end]
            for sep in ("\n\n", "\n", ". ", "? ", "! ", "; ", " "):
                cut = window.rfind(sep)
                if cut >= 0:
                    end = start + size // 2 + cut + len(sep)
                    break
        piece = text[start:end].strip()
        if piece:
            out.append(piece)
        if end >= n:
            break
        nxt = max(end - overlap, start + 1)
        space = text.find(" ", nxt, end)  # start the overlap on a word boundary
        start = space + 1 if 0 <= space < end else nxt
    return out
