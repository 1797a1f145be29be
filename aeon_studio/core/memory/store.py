"""``MemoryStore``: remembered facts, past exchanges and document passages.

SQLite (table ``memory_item``) is the source of truth and keeps every item's embedding; the FAISS
index in ``settings.memory_dir`` is loaded on first use, checked against the database, and rebuilt
from it when it is missing, corrupt or made for another model — never trusted blindly. Forgetting
removes an item from both. Every method is thread-safe; only the first search/add loads the
embedding model (call :meth:`MemoryStore.warm_up` off the UI thread to pay that early).
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, or_, text as text_sql, update as sa_update
from sqlmodel import col, select

from ..i18n import _, ngettext
from ..settings import Settings, get_settings
from ..storage import Database, get_database
from ..storage.memory_tables import MemoryItemRow
from ..storage.tables import utcnow
from .documents import ImportResult, import_documents
from .embedder import Embedder, query_vector
from .errors import MemoryInputError, MemoryNotFoundError
from .glossary import find_dictionaries
from .index import VectorIndex
from .lexical import LexicalIndex, matched_words
from .recall import dense_margin, fuse, helpful_only, match_kind, reference_floor, reference_vectors

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

log = logging.getLogger(__name__)

KINDS = ("fact", "exchange", "passage")
#: Indexes up to this many vectors are saved after every change; larger ones on flush/exit
#: (a crash in between only costs a rebuild from the stored embeddings, no re-embedding).
SAVE_EACH_CHANGE_UP_TO = 20_000
#: ``progress(fraction 0..1, or -1 when unknown, message)``; ``cancel()`` turns true to stop.
Progress = Callable[[float, str], None]
Cancel = Callable[[], bool]


@dataclass
class MemoryItem:
    id: int
    kind: str  # "fact" | "exchange" | "passage"
    text: str
    source: str  # human label: "you said, conversation 12", "notes.md, passage 3", "added by you"
    source_ref: str  # a document's path, "conversation:12/message:40", or ""
    persona_key: str | None
    created_at: datetime
    updated_at: datetime


@dataclass
class Hit:
    item: MemoryItem
    score: float  # cosine similarity with the query (also for a hit found only by its words)
    match: str = "dense"  # how it was found: "dense" (close in meaning), "lexical" (shares words), "both"
    lexical: float | None = None  # BM25 score of the word match (higher is better), None without one
    fused: float | None = None  # reciprocal rank fusion score the hits are ordered by (hybrid search)
    words: list[str] = field(default_factory=list)  # the query's words the item shares (a lexical match)


@dataclass
class IndexStatus:
    items: int  # rows in the database
    indexed: int  # vectors in the index (or in its manifest when not loaded yet)
    model: str
    dim: int
    path: Path
    state: str  # "ok" | "missing" | "rebuilt" | "stale" | "not loaded"
    reason: str = ""  # why the last load rebuilt the index, if it did
    glossary: Path | None = None  # the Portuguese-English dictionaries of the English glosses, if in use


_ITEM_COLUMNS = (MemoryItemRow.id, MemoryItemRow.kind, MemoryItemRow.text, MemoryItemRow.source,
                 MemoryItemRow.source_ref, MemoryItemRow.persona_key, MemoryItemRow.created_at,
                 MemoryItemRow.updated_at)


def _item(row: Any) -> MemoryItem:
    return MemoryItem(id=row.id, kind=row.kind, text=row.text, source=row.source, source_ref=row.source_ref,
                      persona_key=row.persona_key, created_at=row.created_at, updated_at=row.updated_at)


def _nothing(_fraction: float, _message: str) -> None:
    return None


class MemoryStore:
    """Long-term memory over one database and one index folder."""

    def __init__(self, db: Database | None = None, settings: Settings | None = None,
                 embedder: Embedder | None = None) -> None:
        self.settings = settings or get_settings()
        self.db = db or get_database(self.settings.db_path)
        self.embedder = embedder or Embedder.for_settings(self.settings)
        self._lock = threading.RLock()
        self._index = VectorIndex(self.settings.memory_dir, self.embedder.name, self.embedder.dim)
        self._lexical = LexicalIndex(self.db)
        self._loaded = False
        self._state = "not loaded"
        self._reason = ""

    # -- index lifecycle ----------------------------------------------------------------
    @property
    def index_path(self) -> Path:
        return self._index.index_path

    def _all_ids(self) -> "np.ndarray":
        import numpy as np

        with self.db.session() as s:
            ids = s.exec(select(MemoryItemRow.id)).all()
        return np.asarray(ids, dtype=np.int64)

    def _ensure_index(self, progress: Progress | None = None) -> None:
        """Load the persisted index, or rebuild it from SQLite when it cannot be trusted."""
        with self._lock:
            if not self._lexical.ready:  # a store made before hybrid recall gets its word index here, once
                added = self._lexical.ensure()
                if added:
                    log.info("memory word index: %d items indexed", added)
            if self._loaded and not self._index.manifest_changed():
                return
            ids = self._all_ids()
            why = self._index.load(ids)
            if why is None:
                self._loaded, self._state, self._reason = True, "ok", ""
                return
            if why == "missing" and not len(ids):
                self._index.reset(ids, None)
                self._loaded, self._state, self._reason = True, "ok", ""
                return
            log.warning("memory index %s: %s; rebuilding it from the database", self._index.index_path, why)
            self._rebuild_locked(progress or _nothing, reembed=False)
            self._state, self._reason = "rebuilt", why

    def _rebuild_locked(self, progress: Progress, *, reembed: bool) -> None:
        import numpy as np

        dim, model = self.embedder.dim, self.embedder.name
        progress(-1, _("Reading the memory database…"))
        with self.db.session() as s:
            rows = s.exec(select(MemoryItemRow.id, MemoryItemRow.embedding, MemoryItemRow.embedding_model)
                          .order_by(MemoryItemRow.id)).all()
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        vectors = np.zeros((len(rows), dim), dtype=np.float32)
        stale: list[int] = []
        for i, (_id, blob, made_by) in enumerate(rows):
            if not reembed and made_by == model and blob is not None and len(blob) == dim * 4:
                vectors[i] = np.frombuffer(blob, dtype=np.float32)
            else:
                stale.append(i)
        if stale:
            self._reembed(ids, vectors, stale, progress)
        progress(0.95, _("Building the index…"))
        self._index.reset(ids, vectors)
        self._index.save()
        self._loaded = True
        progress(1.0, ngettext("Index ready: {n} item.", "Index ready: {n} items.", len(ids)).format(n=len(ids)))

    def _reembed(self, ids: "np.ndarray", vectors: "np.ndarray", stale: list[int], progress: Progress) -> None:
        batch = 256
        for start in range(0, len(stale), batch):
            part = stale[start:start + batch]
            part_ids = [int(ids[i]) for i in part]
            with self.db.session() as s:
                texts = dict(s.exec(select(MemoryItemRow.id, MemoryItemRow.text)
                                    .where(col(MemoryItemRow.id).in_(part_ids))).all())
            vecs = self.embedder.encode([texts[i] for i in part_ids])
            with self.db.session() as s:
                for item_id, vec in zip(part_ids, vecs):
                    s.exec(sa_update(MemoryItemRow).where(MemoryItemRow.id == item_id).values(
                        embedding=vec.tobytes(), embedding_model=self.embedder.name))
            for i, vec in zip(part, vecs):
                vectors[i] = vec
            progress(0.9 * min(1.0, (start + len(part)) / len(stale)),
                     ngettext("Embedding {done} of {total} item…", "Embedding {done} of {total} items…",
                              len(stale)).format(done=start + len(part), total=len(stale)))

    def _persist(self) -> None:
        if self._index.ntotal <= SAVE_EACH_CHANGE_UP_TO:
            self._index.save()

    def flush(self) -> None:
        """Write the index if it has unsaved changes."""
        with self._lock:
            if self._loaded and self._index.dirty:
                self._index.save()

    def rebuild(self, *, progress: Progress | None = None, reembed: bool = False) -> IndexStatus:
        """Rebuild the index from SQLite (re-embedding only items made by another model, or all with
        ``reembed=True``), and the word index with it."""
        with self._lock:
            self._lexical.ensure(rebuild=True)
            self._rebuild_locked(progress or _nothing, reembed=reembed)
            self._state, self._reason = "rebuilt", "asked"
        return self.status()

    def status(self) -> IndexStatus:
        """Cheap: never loads the embedding model nor the index."""
        items = self.count()
        base = dict(items=items, model=self.embedder.name, dim=self.embedder.dim, path=self._index.index_path,
                    glossary=getattr(self.embedder, "pivot_dir", None))
        with self._lock:
            if self._loaded:
                state = self._state if self._index.ntotal == items else "stale"
                return IndexStatus(indexed=self._index.ntotal, state=state, reason=self._reason, **base)
        manifest = self._index.read_manifest() or {}
        indexed = int(manifest.get("count") or 0)
        if not self._index.index_path.exists():
            state = "missing"
        elif manifest.get("model") != self.embedder.name or manifest.get("dim") != self.embedder.dim \
                or indexed != items:
            state = "stale"
        else:
            state = "not loaded"
        return IndexStatus(indexed=indexed, state=state, **base)

    def warm_up(self) -> None:
        """Load the embedding model and the index now (call it off the UI thread)."""
        self.embedder.warm_up()
        self._ensure_index()
        reference_vectors(self.embedder, self.settings.memory_dir)

    def close(self) -> None:
        self.flush()

    # -- writing ---------------------------------------------------------------------------
    @staticmethod
    def _check_text(text: str) -> str:
        text = (text or "").strip()
        if not text:
            raise MemoryInputError(_("The memory text is empty; nothing was stored."))
        return text

    def add(self, text: str, *, kind: str = "fact", source: str | None = None, source_ref: str = "",
            persona_key: str | None = None) -> MemoryItem:
        """Remember ``text``. ``source`` defaults to "added by you"."""
        text = self._check_text(text)
        if kind not in KINDS:
            raise MemoryInputError(_("Unknown memory kind '{kind}' (use fact, exchange or passage).").format(
                kind=kind))
        vec = self.embedder.encode([text])
        with self._lock:
            self._ensure_index()
            row = MemoryItemRow(kind=kind, text=text, source=source if source is not None else _("added by you"),
                                source_ref=source_ref, persona_key=persona_key, embedding=vec[0].tobytes(),
                                embedding_model=self.embedder.name)
            with self.db.session() as s:
                s.add(row)
                s.flush()
                item = _item(row)
                self._lexical.add(s, [item.id], [text])
            self._index.add([item.id], vec)
            self._persist()
        return item

    def add_many(self, texts: list[str], *, kind: str, sources: list[str], source_refs: list[str],
                 persona_key: str | None = None, doc_hash: str | None = None,
                 vectors: "np.ndarray | None" = None, chunk_start: int | None = None) -> list[int]:
        """Bulk insert (imports, benchmarks). ``vectors`` (unit float32 rows) skip the embedding step."""
        import numpy as np

        if vectors is None:
            vectors = self.embedder.encode(texts)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.shape != (len(texts), self.embedder.dim):
            raise MemoryInputError(ngettext("Expected {n} vector of size {dim}.", "Expected {n} vectors of size {dim}.",
                                            len(texts)).format(n=len(texts), dim=self.embedder.dim))
        now = utcnow()
        with self._lock:
            self._ensure_index()
            with self.db.session() as s:
                first = self._next_id(s)
                ids = list(range(first, first + len(texts)))
                rows = [dict(id=i, kind=kind, text=t, source=src, source_ref=ref, persona_key=persona_key,
                             doc_hash=doc_hash, chunk_index=(chunk_start + n) if chunk_start is not None else None,
                             embedding=v.tobytes(), embedding_model=self.embedder.name, created_at=now,
                             updated_at=now)
                        for n, (i, t, src, ref, v) in enumerate(zip(ids, texts, sources, source_refs, vectors))]
                if rows:
                    s.execute(MemoryItemRow.__table__.insert(), rows)
                    self._lexical.add(s, ids, texts)
            self._index.add(np.asarray(ids, dtype=np.int64), vectors)
            self._persist()
        return ids

    @staticmethod
    def _next_id(session) -> int:
        """The next id AUTOINCREMENT would give (never one of a forgotten item)."""
        top = session.exec(select(func.max(MemoryItemRow.id))).one() or 0
        seq = session.exec(text_sql("SELECT seq FROM sqlite_sequence WHERE name = 'memory_item'")).first()
        return max(top, seq[0] if seq else 0) + 1

    def update(self, item_id: int, text: str) -> MemoryItem:
        """Change an item's text (it is embedded again)."""
        text = self._check_text(text)
        self.get(item_id)
        vec = self.embedder.encode([text])
        with self._lock:
            self._ensure_index()
            with self.db.session() as s:
                row = s.get(MemoryItemRow, item_id)
                if row is None:
                    raise self._not_found(item_id)
                row.text, row.updated_at = text, utcnow()
                row.embedding, row.embedding_model = vec[0].tobytes(), self.embedder.name
                s.add(row)
                s.flush()
                item = _item(row)
                self._lexical.remove(s, [item_id])
                self._lexical.add(s, [item_id], [text])
            self._index.remove([item_id])
            self._index.add([item_id], vec)
            self._persist()
        return item

    def forget(self, item_id: int) -> None:
        """Remove an item from the database and from the index."""
        if not self._forget_ids([int(item_id)]):
            raise self._not_found(item_id)

    def forget_many(self, ids: Iterable[int]) -> int:
        """Forget every item of ``ids`` that is still remembered; returns how many were."""
        return self._forget_ids([int(i) for i in ids])

    def _forget_ids(self, ids: list[int]) -> int:
        if not ids:
            return 0
        with self._lock:
            self._ensure_index()
            with self.db.session() as s:
                n = s.exec(delete(MemoryItemRow).where(col(MemoryItemRow.id).in_(ids))).rowcount
                self._lexical.remove(s, ids)
            self._index.remove(ids)
            self._persist()
        return int(n or 0)

    def forget_about(self, topic: str, *, threshold: float | None = None,
                     dry_run: bool = False) -> list[MemoryItem]:
        """Items about ``topic`` — semantically close (``threshold``, default the higher of the recall
        threshold and 0.5) or containing it — forgotten unless ``dry_run``. Returns them."""
        topic = self._check_text(topic)
        threshold = max(self.settings.memory_threshold, 0.5) if threshold is None else threshold
        found: dict[int, MemoryItem] = {h.item.id: h.item for h in self.search(topic, k=500, threshold=threshold,
                                                                            mode="dense")}
        for item in self.list(topic, limit=100_000):
            found.setdefault(item.id, item)
        items = sorted(found.values(), key=lambda i: i.id)
        if not dry_run:
            self._forget_ids([i.id for i in items])
        return items

    # -- reading ---------------------------------------------------------------------------
    @staticmethod
    def _not_found(item_id: int) -> MemoryNotFoundError:
        return MemoryNotFoundError(_("No memory with id {id}.").format(id=item_id),
                                   hint=_("It may have been forgotten; 'aeon-studio memory list' shows the ids."))

    def get(self, item_id: int) -> MemoryItem:
        with self.db.session() as s:
            row = s.exec(select(*_ITEM_COLUMNS).where(MemoryItemRow.id == int(item_id))).first()
        if row is None:
            raise self._not_found(item_id)
        return _item(row)

    def exists(self, ids: Iterable[int]) -> set[int]:
        """Which of ``ids`` are still remembered."""
        ids = [int(i) for i in ids]
        if not ids:
            return set()
        with self.db.session() as s:
            return set(s.exec(select(MemoryItemRow.id).where(col(MemoryItemRow.id).in_(ids))).all())

    @staticmethod
    def _filtered(stmt, query: str | None, kind: str | None, source_ref: str | None = None, helpful: bool = False):
        if query:
            like = f"%{query.strip()}%"
            stmt = stmt.where(or_(col(MemoryItemRow.text).ilike(like), col(MemoryItemRow.source).ilike(like)))
        if kind:
            stmt = stmt.where(MemoryItemRow.kind == kind)
        if source_ref is not None:
            stmt = stmt.where(MemoryItemRow.source_ref == source_ref)
        return helpful_only(stmt) if helpful else stmt

    def list(self, query: str | None = None, *, kind: str | None = None, offset: int = 0, limit: int = 200,
             source_ref: str | None = None, helpful: bool = False) -> list[MemoryItem]:
        """Newest first; ``query`` keeps items whose text or source contains it (case-insensitive). ``helpful``
        leaves out the exchanges recall does not use (a reply rated low, or corrected since)."""
        stmt = self._filtered(select(*_ITEM_COLUMNS), query, kind, source_ref, helpful)
        stmt = stmt.order_by(col(MemoryItemRow.created_at).desc(), col(MemoryItemRow.id).desc())
        with self.db.session() as s:
            return [_item(r) for r in s.exec(stmt.offset(max(0, offset)).limit(max(0, limit))).all()]

    def by_source_refs(self, refs: Iterable[str], *, kind: str | None = None) -> list[MemoryItem]:
        """The items whose ``source_ref`` is one of ``refs`` (oldest first), in one query."""
        refs = list(dict.fromkeys(refs))
        if not refs:
            return []
        stmt = self._filtered(select(*_ITEM_COLUMNS), None, kind).where(col(MemoryItemRow.source_ref).in_(refs))
        with self.db.session() as s:
            return [_item(r) for r in s.exec(stmt.order_by(MemoryItemRow.id)).all()]

    def count(self, query: str | None = None, *, kind: str | None = None, helpful: bool = False) -> int:
        stmt = self._filtered(select(func.count()).select_from(MemoryItemRow), query, kind, helpful=helpful)
        with self.db.session() as s:
            return int(s.exec(stmt).one())

    def search(self, query: str, *, k: int = 5, threshold: float | None = None,
               exclude_ids: Iterable[int] = (), mode: str = "dense", helpful: bool = False) -> list[Hit]:
        """The ``k`` items that best match ``query``, best first.

        ``mode="dense"``: by meaning (FAISS), items with a cosine similarity ≥ ``threshold`` (default: the
        ``memory_threshold`` setting). ``"lexical"``: by words (:mod:`.lexical`: an item sharing a content word
        with the query, by stem and without diacritics), BM25 order. ``"hybrid"`` (the chat's recall, the CLI's
        search) fuses both rankings by reciprocal rank fusion; an item needs a shared word, or a cosine ≥
        ``threshold`` that also stands out from everyday sentences (:func:`.recall.dense_margin`), so an unrelated
        memory stays out even where the model scores every sentence of a language alike. Every hit says which part
        found it and its scores.
        ``helpful`` leaves out the exchanges recall does not use (see :meth:`list`).
        """
        if mode not in ("hybrid", "dense", "lexical"):
            raise ValueError(f"unknown search mode {mode!r}")
        if not query or not query.strip() or k <= 0:
            return []
        query = query.strip()
        threshold = self.settings.memory_threshold if threshold is None else threshold
        excluded = set(exclude_ids)
        pool = k if mode == "dense" else max(2 * k, 10)  # fusion needs more than k candidates of each kind
        with self._lock:
            self._ensure_index()
            if self._index.ntotal == 0:
                return []  # nothing to find: do not load the embedding model for it
        # The word search runs on a side thread while the query is embedded (both release the GIL), so it adds
        # nothing to the recall's latency but its own spread.
        words_job = _side_thread().submit(self._lexical.search, query, pool + len(excluded)) \
            if mode != "dense" else None
        meaning: dict[int, float] = {}
        vec = None
        if mode != "lexical":
            vec = query_vector(self.embedder, query)  # E5 models want their query prefix
            with self._lock:
                scores, ids = self._index.search(vec, pool + len(excluded))
            if mode == "hybrid":  # by meaning alone, a hit must stand out from everyday sentences
                floor = reference_floor(vec[0], reference_vectors(self.embedder, self.settings.memory_dir))
                threshold = max(threshold, floor + dense_margin(self.embedder))
            meaning = {int(i): float(sc) for i, sc in zip(ids[0], scores[0])
                       if i >= 0 and sc >= threshold and int(i) not in excluded}
        words = {i: sc for i, sc in words_job.result() if i not in excluded} if words_job is not None else {}
        fused = fuse([list(meaning)[:pool], list(words)[:pool]])
        best = sorted(fused, key=lambda i: (-fused[i], -meaning.get(i, -2.0)))[:k]
        if not best:
            return []
        stmt = self._filtered(select(*_ITEM_COLUMNS), None, None, helpful=helpful)
        with self.db.session() as s:
            rows = {r.id: r for r in s.exec(stmt.where(col(MemoryItemRow.id).in_(best))).all()}
        cosine = dict(meaning)
        if vec is not None:
            cosine.update(self._cosines(vec[0], [i for i in best if i not in meaning and i in rows]))
        hits = []
        for i in best:
            if i not in rows:
                continue
            item = _item(rows[i])
            hits.append(Hit(item, round(cosine.get(i, 0.0), 4), match=match_kind(i in meaning, i in words),
                            lexical=round(words[i], 4) if i in words else None,
                            fused=round(fused[i], 5) if mode == "hybrid" else None,
                            words=matched_words(query, item.text) if i in words else []))
        return hits

    def _cosines(self, vec: "np.ndarray", ids: list[int]) -> dict[int, float]:
        """Cosine similarity of ``vec`` with the stored embeddings of ``ids`` (items found by words only)."""
        import numpy as np

        if not ids:
            return {}
        with self.db.session() as s:
            rows = s.exec(select(MemoryItemRow.id, MemoryItemRow.embedding, MemoryItemRow.embedding_model)
                          .where(col(MemoryItemRow.id).in_(ids))).all()
        dim, model = self.embedder.dim, self.embedder.name
        return {i: float(np.frombuffer(blob, dtype=np.float32) @ vec) for i, blob, made_by in rows
                if blob is not None and made_by == model and len(blob) == dim * 4}

    # -- documents ---------------------------------------------------------------------------
    def import_documents(self, paths: Iterable[str | Path], *, progress: Progress | None = None,
                         cancel: Cancel | None = None) -> ImportResult:
        """Import TXT/MD/PDF files as overlapping passages. A file imported before with the same content
        is skipped; with other content its passages are replaced. A failing file is reported in
        ``errors`` and does not stop the others (see :func:`.documents.import_documents`)."""
        return import_documents(self, paths, progress=progress or _nothing, cancel=cancel)

    def replace_passages(self, old_ids: list[int], chunks: list[str], *, sources: list[str], ref: str,
                         digest: str, vectors: "np.ndarray") -> int:
        """Forget ``old_ids`` and store a document's passages in their place, under one lock (no search in
        between sees neither); returns how many old passages were forgotten."""
        with self._lock:
            removed = self._forget_ids(old_ids) if old_ids else 0
            self.add_many(chunks, kind="passage", sources=sources, source_refs=[ref] * len(chunks),
                          doc_hash=digest, vectors=vectors, chunk_start=1)
        return removed

    def passage_hashes(self, ref: str) -> list[tuple[int, str | None]]:
        """``(id, doc_hash)`` of the passages stored for the document ``ref``."""
        with self.db.session() as s:
            return list(s.exec(select(MemoryItemRow.id, MemoryItemRow.doc_hash)
                               .where(MemoryItemRow.kind == "passage", MemoryItemRow.source_ref == ref)).all())


_side_lock = threading.Lock()
_side: ThreadPoolExecutor | None = None


def _side_thread() -> ThreadPoolExecutor:
    """One thread for the word searches of every store (started on the first hybrid search)."""
    global _side
    with _side_lock:
        if _side is None:
            _side = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aeon-memory-words")
        return _side


_stores_lock = threading.Lock()
_stores: dict[tuple[str, str, str, str], MemoryStore] = {}


def get_memory() -> MemoryStore:
    """The process-wide store for the current settings (database + memory folder)."""
    settings = get_settings()
    # A new model, or dictionaries found or gone (another vector shape): a new store.
    key = (str(settings.db_path), str(settings.memory_dir), settings.embedding_model, str(find_dictionaries()))
    with _stores_lock:
        store = _stores.get(key)
        if store is None:
            store = _stores[key] = MemoryStore(settings=settings)
        return store


def forget(item_id: int) -> None:
    """Forget one memory item (the chat's Forget button)."""
    get_memory().forget(item_id)


@atexit.register
def _flush_all() -> None:
    for store in list(_stores.values()):
        try:
            store.flush()
        except Exception:  # at exit: the next start rebuilds from SQLite anyway
            log.warning("could not save the memory index at exit", exc_info=True)
