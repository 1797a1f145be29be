"""Exact and near-duplicate detection with bounded memory.

- Exact: the content hash of the normalised turns (:func:`.store.content_hash`).
- Near: a fingerprint of the conversation lower-cased, without whitespace and ASCII punctuation:
  ``"Oi, tudo bem?"`` and ``"oi   tudo bem"`` collide; a changed word, accent or number does not. It costs a
  few C-level passes per record, so it stays on in the hot path.

Both keep 64-bit fingerprints in a :class:`FingerprintSet`: a Python set up to ``cap`` entries (≈ 60 MB for
a million), then spilled into a temporary SQLite file, so memory stays bounded whatever the input size.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterator
from typing import Any

DEFAULT_CAP = 1_000_000
_MASK = (1 << 64) - 1


def exact_fingerprint(content_hash_hex: str) -> int:
    return int(content_hash_hex[:16], 16)


def joined_text(messages: list[dict[str, Any]]) -> str:
    """The turns' text in one string (a leading marker for a system turn; roles otherwise alternate)."""
    text = "\x1e".join([m["content"] for m in messages])
    return "\x1d" + text if messages and messages[0]["role"] == "system" else text


def near_fingerprint(messages: list[dict[str, Any]]) -> int:
    """The near-duplicate key: the text lower-cased without whitespace and ASCII punctuation, hashed
    (Python's ``hash``: stable within a process, which is the lifetime of a :class:`FingerprintSet`)."""
    from .clean import text_keys

    return hash(text_keys(joined_text(messages))[1])


class FingerprintSet:
    """A set of 64-bit ints that moves to a temporary SQLite file once it holds ``cap`` entries."""

    def __init__(self, cap: int = DEFAULT_CAP) -> None:
        self.cap = cap
        self.mem: set[int] = set()
        self.db: sqlite3.Connection | None = None
        self.path: str | None = None
        self.count = 0

    def add(self, fp: int) -> bool:
        """Add ``fp``; ``True`` when it was new."""
        if fp in self.mem:
            return False
        if self.db is not None and self.db.execute("SELECT 1 FROM fp WHERE v=?",
                                                   ((fp & _MASK) - (1 << 63),)).fetchone():
            return False
        self.mem.add(fp)
        self.count += 1
        if len(self.mem) >= self.cap:
            self._spill()
        return True

    def __contains__(self, fp: int) -> bool:
        if fp in self.mem:
            return True
        return self.db is not None and self.db.execute("SELECT 1 FROM fp WHERE v=?",
                                                       ((fp & _MASK) - (1 << 63),)).fetchone() is not None

    def __iter__(self) -> Iterator[int]:
        """Every fingerprint (spilled ones first), as the signed ints that were added."""
        if self.db is not None:
            for (v,) in self.db.execute("SELECT v FROM fp"):
                v += 1 << 63
                yield v - (1 << 64) if v >= 1 << 63 else v
        yield from self.mem

    def _spill(self) -> None:
        if self.db is None:
            fd, self.path = tempfile.mkstemp(prefix="aeon-dedup-", suffix=".sqlite")
            os.close(fd)
            self.db = sqlite3.connect(self.path)
            self.db.execute("PRAGMA journal_mode=OFF")
            self.db.execute("PRAGMA synchronous=OFF")
            self.db.execute("CREATE TABLE fp (v INTEGER PRIMARY KEY)")
        self.db.executemany("INSERT OR IGNORE INTO fp VALUES (?)", (((v & _MASK) - (1 << 63),) for v in self.mem))
        self.db.commit()
        self.mem.clear()

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
        if self.path:
            try:
                os.unlink(self.path)
            except OSError:
                pass
            self.path = None
        self.mem.clear()

    def __enter__(self) -> "FingerprintSet":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
