"""The FAISS index of memory vectors, persisted beside a small JSON manifest.

``IndexIDMap(IndexScalarQuantizer fp16)``: exhaustive inner-product search over unit vectors (cosine),
keyed by the SQLite row ids. The vectors are held as 16-bit floats: a one-query search reads every vector, so it is
bound by memory bandwidth, and half the bytes is less than half the time (100k × 384 dimensions: 2.3 ms against
6.0 ms for float32 on one thread) for a cosine within about 0.001 of the exact one; the exact vectors stay in SQLite.

The manifest records the model, the dimension, the item count and a checksum of the ids;
:meth:`VectorIndex.load` accepts the files only when all of them agree with what the caller expects, so a
missing, corrupt or mismatched index is rebuilt, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

log = logging.getLogger(__name__)

INDEX_FILE = "memory.faiss"
MANIFEST_FILE = "memory.json"
#: 2: fp16 vectors (1 was float32). Files of another version are rebuilt from the vectors in SQLite.
MANIFEST_VERSION = 2


_faiss_ready = False


def _faiss():
    """faiss, set to one OpenMP thread: a one-query exact search is memory-bound, and OpenMP's
    spinning threads make it several times slower on a busy 2-core machine."""
    global _faiss_ready
    import faiss

    if not _faiss_ready:
        faiss.omp_set_num_threads(1)
        _faiss_ready = True
    return faiss


def ids_checksum(ids: "np.ndarray") -> str:
    """Order-independent checksum of a set of ids."""
    import numpy as np

    return hashlib.sha256(np.sort(np.asarray(ids, dtype="<i8")).tobytes()).hexdigest()


class VectorIndex:
    """In-memory FAISS index + its files in ``folder``. Not thread-safe: the store locks around it."""

    def __init__(self, folder: Path, model: str, dim: int) -> None:
        self.folder = Path(folder)
        self.model = model
        self.dim = dim
        self.index = None  # faiss.IndexIDMap once loaded or built (see the module docstring)
        self.dirty = False
        self.manifest_mtime: int | None = None

    @property
    def index_path(self) -> Path:
        return self.folder / INDEX_FILE

    @property
    def manifest_path(self) -> Path:
        return self.folder / MANIFEST_FILE

    @property
    def ntotal(self) -> int:
        return int(self.index.ntotal) if self.index is not None else 0

    def read_manifest(self) -> dict | None:
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def manifest_changed(self) -> bool:
        """True when another process rewrote the manifest since this one last read or wrote it."""
        try:
            mtime = self.manifest_path.stat().st_mtime_ns
        except OSError:
            return False
        return self.manifest_mtime is not None and mtime != self.manifest_mtime

    def _empty(self):
        faiss = _faiss()

        return faiss.IndexIDMap(faiss.IndexScalarQuantizer(self.dim, faiss.ScalarQuantizer.QT_fp16,
                                                           faiss.METRIC_INNER_PRODUCT))

    def load(self, expected_ids: "np.ndarray") -> str | None:
        """Load the files if they match ``expected_ids``; otherwise return why not (and load nothing)."""
        manifest = self.read_manifest()
        if not self.index_path.exists():
            return "missing"
        if manifest is None:
            return "no readable manifest"
        if manifest.get("version") != MANIFEST_VERSION or manifest.get("model") != self.model \
                or manifest.get("dim") != self.dim:
            return "made for model {m} dim {d}".format(m=manifest.get("model"), d=manifest.get("dim"))
        want = ids_checksum(expected_ids)
        if manifest.get("count") != len(expected_ids) or manifest.get("ids_sha256") != want:
            return "its items differ from the database"
        try:
            faiss = _faiss()
            index = faiss.read_index(str(self.index_path))
            if index.d != self.dim or index.ntotal != len(expected_ids):
                return "the file does not match its manifest"
            if not isinstance(index, faiss.IndexIDMap):
                return "not an id-mapped index"
            # Keep the object read_index returned: a downcast wrapper does not own the C++ index.
            if ids_checksum(faiss.vector_to_array(index.id_map)) != want:
                return "the file's ids do not match its manifest"
        except Exception as exc:  # a corrupt file: faiss raises RuntimeError, numpy ValueError…
            return f"unreadable ({exc})"
        self.index = index
        self.dirty = False
        self.manifest_mtime = self.manifest_path.stat().st_mtime_ns
        return None

    def reset(self, ids: "np.ndarray", vectors: "np.ndarray") -> None:
        """Replace the whole index with these vectors."""
        self.index = self._empty()
        if len(ids):
            self.add(ids, vectors)
        self.dirty = True

    def add(self, ids: "np.ndarray", vectors: "np.ndarray") -> None:
        import numpy as np

        if self.index is None:
            self.index = self._empty()
        self.index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32),
                                np.ascontiguousarray(ids, dtype=np.int64))
        self.dirty = True

    def remove(self, ids: "np.ndarray") -> int:
        import numpy as np

        if self.index is None or not len(ids):
            return 0
        n = int(self.index.remove_ids(np.ascontiguousarray(ids, dtype=np.int64)))
        self.dirty = self.dirty or n > 0
        return n

    def search(self, query: "np.ndarray", k: int) -> tuple["np.ndarray", "np.ndarray"]:
        """(scores, ids) of the ``k`` nearest vectors to each query row; ids are -1 past the end."""
        import numpy as np

        if self.index is None or self.index.ntotal == 0:
            return np.zeros((len(query), 0), np.float32), np.zeros((len(query), 0), np.int64)
        _faiss()
        return self.index.search(np.ascontiguousarray(query, dtype=np.float32), min(k, int(self.index.ntotal)))

    def ids(self) -> "np.ndarray":
        import faiss
        import numpy as np

        if self.index is None:
            return np.zeros(0, np.int64)
        return faiss.vector_to_array(self.index.id_map)

    def save(self) -> None:
        """Write the index, then its manifest, each atomically (temp file + rename)."""
        import faiss

        if self.index is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.index_path.with_name(f".{INDEX_FILE}.{os.getpid()}.tmp")
        faiss.write_index(self.index, str(tmp))
        tmp.replace(self.index_path)
        manifest = {"version": MANIFEST_VERSION, "model": self.model, "dim": self.dim, "count": self.ntotal,
                    "ids_sha256": ids_checksum(self.ids()), "saved_at": time.time()}
        tmp = self.manifest_path.with_name(f".{MANIFEST_FILE}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        tmp.replace(self.manifest_path)
        self.manifest_mtime = self.manifest_path.stat().st_mtime_ns
        self.dirty = False
