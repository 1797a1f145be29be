"""Exact and near-duplicate detection with bounded memory.

- Exact: the content hash of the normalised turns (:func:`.store.content_hash`).
- Near: a fingerprint of the conversation after case folding, accent stripping and removal of everything that
  is not a letter or a digit (whitespace, punctuation, emoji, markup): ``"Oi, tudo bem?"`` and
  ``"oi tudo bem"`` collide; a changed word or number does not. It costs a few C-level passes per record,
  so it stays on in the hot path.

Both keep 64-bit fingerprints in a :class:`FingerprintSet`: a Python set up to ``cap`` entries (≈ 60 MB for
a million), then spilled into a temporary SQLite file, so memory stays bounded whatever the input size.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import tempfile
import unicodedata
from typing import Any

_NON_ALNUM = re.compile(r"[\W_]+")
DEFAULT_CAP = 1_000_000


def exact_fingerprint(content_hash_hex: str) -> int:
    return int(content_hash_hex[:16], 16)


def near_fingerprint(messages: list[dict[str, Any]]) -> int:
    """64-bit fingerprint of the normalised text of the turns (roles included)."""
    text = "\x1f".join(m["role"][0] + m["content"] for m in messages)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
    norm = _NON_ALNUM.sub("", text.casefold())
    return int.from_bytes(hashlib.blake2b(norm.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")


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
        if self.db is not None and self.db.execute("SELECT 1 FROM fp WHERE v=?", (fp - (1 << 63),)).fetchone():
            return False
        self.mem.add(fp)
        self.count += 1
        if len(self.mem) >= self.cap:
            self._spill()
        return True

    def _spill(self) -> None:
        if self.db is None:
            fd, self.path = tempfile.mkstemp(prefix="aeon-dedup-", suffix=".sqlite")
            os.close(fd)
            self.db = sqlite3.connect(self.path)
            self.db.execute("PRAGMA journal_mode=OFF")
            self.db.execute("PRAGMA synchronous=OFF")
            self.db.execute("CREATE TABLE fp (v INTEGER PRIMARY KEY)")
        self.db.executemany("INSERT OR IGNORE INTO fp VALUES (?)", ((v - (1 << 63),) for v in self.mem))
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
