"""Reading user text files: encoding detection, CRLF, bad bytes and mojibake repair, streamed.

Files are never read whole. The encoding is chosen from the first megabyte (BOM → ``utf-8-sig``; valid UTF-8 →
``utf-8``; otherwise ``cp1252``, or ``latin-1`` when a byte is undefined in CP1252). A stray byte further down
that does not fit the chosen encoding is decoded as CP1252/Latin-1 instead of raising (error handler
``aeon-fallback``), so a reader never fails on a bad byte. Newlines are universal (``\\r\\n`` and ``\\r`` → ``\\n``).

Text garbled by an earlier wrong decode (``VOCÃŠ``, ``Ã©``) is repaired with ftfy, but only on strings that
contain one of the telltale characters, so clean text costs one ``str.isascii`` or one C-level search.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ..i18n import _
from .errors import DatasetError

SAMPLE_BYTES = 1 << 20
CHUNK_CHARS = 1 << 22
# Characters a UTF-8 text shows after being decoded as CP1252/Latin-1: "Ã", "Â", "â€", "Å", "Ä" …
_MOJIBAKE = re.compile("[\u00c2\u00c3\u00c4\u00c5\u00e2][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d"
                       "\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039"
                       "\u203a\u20ac\u2122]")


def _fallback(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start:exc.end]
    return bad.decode("cp1252", errors="replace").replace("\ufffd", "") or bad.decode("latin-1"), exc.end


codecs.register_error("aeon-fallback", _fallback)


def has_mojibake(text: str) -> bool:
    """``True`` when ``text`` shows UTF-8 bytes decoded as CP1252/Latin-1 (``Ã©``, ``Ã§``, ``â€™`` …)."""
    if text.isascii():
        return False
    # cheap substring checks first (memchr-fast); the regex only runs when a lead character is present
    if not ("\u00c3" in text or "\u00c2" in text or "\u00e2" in text or "\u00c5" in text or "\u00c4" in text):
        return False
    return _MOJIBAKE.search(text) is not None


def fix_mojibake(text: str) -> str:
    """Repair UTF-8 text that went through a wrong CP1252/Latin-1 decode; other text is returned as is."""
    if not has_mojibake(text):
        return text
    import ftfy

    return ftfy.fix_encoding(text)


def detect_encoding(sample: bytes) -> str:
    """``utf-8-sig``, ``utf-8``, ``cp1252`` or ``latin-1`` for the first bytes of a file."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


@dataclass
class TextFile:
    """An open text file: ``encoding`` detected, ``repaired`` set once mojibake was fixed, ``bytes_read`` for
    progress (the position of the underlying binary file)."""

    path: Path
    encoding: str
    handle: IO[str]
    raw: IO[bytes]
    repaired: bool = False

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def bytes_read(self) -> int:
        try:
            return self.raw.tell()
        except (OSError, ValueError):
            return 0

    def fix(self, text: str) -> str:
        """:func:`fix_mojibake`, remembering that something was repaired."""
        if not has_mojibake(text):
            return text
        if "\n" in text:  # line by line: a file may mix clean and garbled lines
            fixed = "".join(fix_mojibake(line) for line in text.splitlines(keepends=True))
        else:
            fixed = fix_mojibake(text)
        if fixed != text:
            self.repaired = True
        return fixed

    def chunks(self, size: int = CHUNK_CHARS) -> Iterator[str]:
        """The text in pieces of about ``size`` characters, each ending at a line end (but the last)."""
        rest = ""
        while True:
            block = self.handle.read(size)
            if not block:
                break
            block = rest + block
            cut = block.rfind("\n") + 1
            if cut == 0:
                rest = block
                if len(rest) < 16 * size:
                    continue
                cut = len(rest)  # one absurdly long line: hand it over anyway
            rest = block[cut:]
            yield block[:cut]
        if rest:
            yield rest

    def close(self) -> None:
        self.handle.close()

    def __enter__(self) -> "TextFile":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def check_readable(path: str | Path) -> Path:
    """The path as a :class:`Path`, or :class:`DatasetError` when it is missing, a folder or unreadable."""
    p = Path(path).expanduser()
    if not p.exists():
        raise DatasetError(_("{path}: no such file.").format(path=p), hint=_("Check the path and try again."))
    if p.is_dir():
        raise DatasetError(_("{path} is a folder, not a file.").format(path=p),
                           hint=_("Pass the files inside it (e.g. folder/*.log)."))
    try:
        with open(p, "rb") as f:
            f.read(1)
    except OSError as exc:
        raise DatasetError(_("{path}: cannot read the file: {error}").format(path=p, error=exc.strerror or exc),
                           hint=_("Check the file's permissions.")) from exc
    return p


def open_text(path: str | Path, *, newline: str | None = None, encoding: str | None = None) -> TextFile:
    """Open ``path`` for streaming text (see the module docstring). ``newline=""`` keeps line ends for csv."""
    p = check_readable(path)
    raw = open(p, "rb")  # noqa: SIM115 - closed by TextFile.close
    try:
        enc = encoding or detect_encoding(raw.read(SAMPLE_BYTES))
        raw.seek(0)
    except OSError as exc:
        raw.close()
        raise DatasetError(_("{path}: cannot read the file: {error}").format(path=p, error=exc.strerror or exc)) \
            from exc
    handle = io.TextIOWrapper(raw, encoding=enc, errors="aeon-fallback", newline=newline)
    return TextFile(path=p, encoding=enc, handle=handle, raw=raw)


def read_sample(path: str | Path, max_chars: int = 64 * 1024) -> tuple[str, str]:
    """The first ``max_chars`` characters (mojibake repaired) and the encoding, for sniffing."""
    with open_text(path) as tf:
        text = tf.handle.read(max_chars)
        return tf.fix(text), tf.encoding
