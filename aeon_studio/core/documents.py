"""Documents (TXT, Markdown, PDF) cut into passages: the one chunker that memory and datasets share.

Passages follow paragraph and sentence boundaries and hold at most about ``max_chars`` characters; neighbours
share up to ``overlap`` characters; a Markdown heading starts a passage; a code fence keeps its line breaks.
Text arrives as a stream of chunks (a large file is never read whole) and every passage keeps the line it
starts on; PDFs are read page by page with pypdf. Decoding a text file is the caller's part: datasets stream it
through their encoding detection (:mod:`.datasets.textio`), memory decodes the bytes it also hashes. Errors are
:class:`DocumentError`; each area re-raises it as its own error type.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from .errors import ValidationError
from .i18n import _

DEFAULT_MAX_CHARS = 1200
DEFAULT_OVERLAP = 150
#: File name endings read as documents (text, except ``.pdf``).
DOCUMENT_EXTENSIONS = (".txt", ".text", ".md", ".markdown", ".pdf", ".rst")
_PARA = re.compile(r"\n[ \t]*\n+")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
#: Text without a paragraph break kept waiting for one before it is cut anyway (characters).
_MAX_CARRY = 4 * 1024 * 1024


class DocumentError(ValidationError):
    """A document cannot be read (e.g. a damaged or protected PDF); nothing was stored."""


def split_passages(text: str, max_chars: int = DEFAULT_MAX_CHARS, overlap: int = DEFAULT_OVERLAP) -> list[str]:
    """Split ``text`` into passages of at most about ``max_chars`` characters along paragraph and sentence
    boundaries; consecutive passages share up to ``overlap`` characters; Markdown headings start a passage."""
    return [p for _line, p in _split_paragraphs(_paragraphs_of(text, 1), max_chars, overlap)]


def stream_passages(chunks: Iterable[str], max_chars: int = DEFAULT_MAX_CHARS,
                    overlap: int = DEFAULT_OVERLAP) -> Iterator[tuple[int, str]]:
    """``(line, passage)`` pairs of a text that arrives in ``chunks`` (decoded, newlines as ``\\n``); ``line`` is
    the 1-based line where the passage starts. Only a paragraph or so is held at a time."""
    return _split_paragraphs(_streamed_paragraphs(chunks), max_chars, overlap)


def pdf_pages(source: str | Path | bytes, name: str) -> Iterator[tuple[int, str]]:
    """``(page number, text)`` of every page of a PDF (a path or its bytes); ``name`` is shown in errors.

    Raises :class:`DocumentError` when pypdf cannot read it (damaged, or encrypted with a password).
    """
    try:
        from pypdf import PdfReader
    except ImportError as exc:  # pragma: no cover - a dependency
        raise DocumentError(_("pypdf is not installed; PDF files cannot be read."),
                            hint=_("Run the setup command from the README.")) from exc
    try:
        reader = PdfReader(io.BytesIO(source) if isinstance(source, bytes) else str(source))
        if reader.is_encrypted:
            reader.decrypt("")  # many PDFs are "encrypted" with an empty password only
        for n, page in enumerate(reader.pages, 1):
            yield n, page.extract_text() or ""
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types for damaged or protected files
        raise DocumentError(_("{path}: not a readable PDF: {error}").format(path=name, error=exc),
                            hint=_("Open it in a PDF viewer; export it again or save it as text.")) from exc


def pdf_passages(source: str | Path | bytes, name: str, max_chars: int = DEFAULT_MAX_CHARS,
                 overlap: int = DEFAULT_OVERLAP) -> Iterator[tuple[int, str]]:
    """``(page number, passage)`` pairs of a PDF (see :func:`pdf_pages`); a passage never spans two pages."""
    for page, text in pdf_pages(source, name):
        for _line, passage in _split_paragraphs(_paragraphs_of(text, 1), max_chars, overlap):
            yield page, passage


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


def _streamed_paragraphs(chunks: Iterable[str]) -> Iterator[tuple[int, str]]:
    line, carry = 1, ""
    for chunk in chunks:
        text = carry + chunk
        cut = None
        for m in _PARA.finditer(text):
            cut = m
        if cut is None:
            carry = text
            if len(carry) < _MAX_CARRY:
                continue
            head, carry = carry, ""
        else:
            head, carry = text[:cut.end()], text[cut.end():]
        yield from _paragraphs_of(head, line)
        line += head.count("\n")
    if carry:
        yield from _paragraphs_of(carry, line)


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
