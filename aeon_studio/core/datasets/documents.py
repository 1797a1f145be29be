"""Documents (TXT, Markdown, PDF) → passages for memory and for question generation.

Passages are stored per dataset in the ``dataset_passage`` table (see :mod:`..storage.datasets_tables`) by
:func:`.importers.import_files`; ``aeon-studio dataset questions NAME`` turns them into candidate Q/A pairs.
Text files are streamed paragraph by paragraph; PDFs are read page by page with pypdf.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..i18n import _
from .errors import DatasetError
from .textio import check_readable, open_text

DEFAULT_MAX_CHARS = 1200
DEFAULT_OVERLAP = 150
DOCUMENT_EXTENSIONS = (".txt", ".md", ".markdown", ".pdf", ".rst")
_PARA = re.compile(r"\n[ \t]*\n+")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def _pieces(text: str, max_chars: int) -> list[str]:
    """A paragraph cut into sentences (or hard slices) no longer than ``max_chars``."""
    if len(text) <= max_chars:
        return [text]
    out, cur = [], ""
    for s in _SENTENCE_END.split(text):
        while len(s) > max_chars:
            out.append(s[:max_chars])
            s = s[max_chars:]
        if cur and len(cur) + 1 + len(s) > max_chars:
            out.append(cur)
            cur = s
        else:
            cur = f"{cur} {s}" if cur else s
    if cur:
        out.append(cur)
    return out


def _overlap_tail(text: str, overlap: int) -> str:
    if overlap <= 0 or len(text) <= overlap:
        return ""
    tail = text[-overlap:]
    cut = tail.find(" ")
    return tail[cut + 1:] if 0 <= cut < len(tail) - 1 else tail


def split_passages(text: str, max_chars: int = DEFAULT_MAX_CHARS, overlap: int = DEFAULT_OVERLAP) -> list[str]:
    """Split ``text`` into passages of at most about ``max_chars`` characters along paragraph and sentence
    boundaries; consecutive passages share up to ``overlap`` characters; Markdown headings start a passage."""
    return [p for _line, p in _split_paragraphs(_paragraphs_of(text, 1), max_chars, overlap)]


def _paragraphs_of(text: str, first_line: int) -> Iterator[tuple[int, str]]:
    pos, line = 0, first_line
    for m in _PARA.finditer(text):
        para = text[pos:m.start()]
        if para.strip():
            yield line + para[:len(para) - len(para.lstrip())].count("\n"), para.strip()
        line += text.count("\n", pos, m.end())
        pos = m.end()
    rest = text[pos:]
    if rest.strip():
        yield line + rest[:len(rest) - len(rest.lstrip())].count("\n"), rest.strip()


def _split_paragraphs(paras: Iterable[tuple[int, str]], max_chars: int, overlap: int) -> Iterator[tuple[int, str]]:
    cur, cur_line = "", 0
    for line, para in paras:
        para = " ".join(para.split()) if not para.startswith("```") else para
        heading = para.startswith("#")
        for piece in _pieces(para, max_chars):
            if cur and (heading or len(cur) + 2 + len(piece) > max_chars):
                yield cur_line, cur
                tail = "" if heading else _overlap_tail(cur, overlap)
                cur, cur_line = (f"{tail} {piece}" if tail else piece), line
            elif cur:
                cur = f"{cur}\n\n{piece}"
            else:
                cur, cur_line = piece, line
            heading = False
    if cur:
        yield cur_line, cur


def _text_paragraphs(path: Path) -> Iterator[tuple[int, str]]:
    with open_text(path) as tf:
        line, carry = 1, ""
        for chunk in tf.chunks():
            text = carry + tf.fix(chunk)
            cut = None
            for m in _PARA.finditer(text):
                cut = m
            if cut is None:
                carry = text
                if len(carry) < 4 * 1024 * 1024:
                    continue
                head, carry = carry, ""
            else:
                head, carry = text[:cut.end()], text[cut.end():]
            yield from _paragraphs_of(head, line)
            line += head.count("\n")
        if carry:
            yield from _paragraphs_of(carry, line)


def _pdf_pages(path: Path) -> Iterator[tuple[int, str]]:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError as exc:  # pragma: no cover - a dependency
        raise DatasetError(_("pypdf is not installed; PDF files cannot be read."),
                           hint=_("Run the setup command from the README.")) from exc
    try:
        reader = PdfReader(str(path))
        pages = reader.pages
        for n, page in enumerate(pages, 1):
            yield n, page.extract_text() or ""
    except (PdfReadError, OSError, ValueError, KeyError, TypeError) as exc:
        raise DatasetError(_("{path}: not a readable PDF: {error}").format(path=path.name, error=exc),
                           hint=_("Open it in a PDF viewer; export it again or save it as text.")) from exc


def read_document(path: str | Path, *, max_chars: int = DEFAULT_MAX_CHARS,
                  overlap: int = DEFAULT_OVERLAP) -> Iterator[tuple[str, str]]:
    """``(ref, passage)`` pairs of a TXT/MD/PDF file; ``ref`` is ``file.md:LINE`` or ``file.pdf:p3``."""
    p = check_readable(path)
    if p.suffix.lower() == ".pdf":
        for page, text in _pdf_pages(p):
            for _line, passage in _split_paragraphs(_paragraphs_of(text, 1), max_chars, overlap):
                yield f"{p.name}:p{page}", passage
        return
    for line, passage in _split_paragraphs(_text_paragraphs(p), max_chars, overlap):
        yield f"{p.name}:{line}", passage
