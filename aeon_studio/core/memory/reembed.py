"""Switch memory to another embedding model: embed every stored item again, then swap.

The new vectors are computed first, off to the side, while the chat keeps recalling with the current model and
index; nothing is written until all of them are ready, so a cancelled or failed run changes nothing. Then one
transaction stores them, the ``embedding_model`` setting is saved, and the store for the new model builds its
index from the stored vectors (:meth:`MemoryStore.warm_up`) — items added or edited meanwhile are embedded again
there, so none is left with the old model's vector.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, update
from sqlmodel import select

from ..i18n import _, ngettext
from ..settings import Settings, get_settings
from ..storage import get_database
from ..storage.memory_tables import MemoryItemRow
from .embedder import Embedder
from .embedding_models import SHIPPED, display_name

log = logging.getLogger(__name__)

#: ``progress(fraction 0..1, or -1 when unknown, message)``; ``cancel()`` turns true to stop.
Progress = Callable[[float, str], None]
Cancel = Callable[[], bool]
#: Items per encoding step: small enough that Cancel answers within a second or two on a laptop.
BATCH = 32


@dataclass
class ReembedResult:
    """What :func:`reembed` did.

    Attributes:
        model: The model memory uses now (the new one, unless cancelled).
        items: Items embedded with it.
        changed: Items edited or forgotten while it ran (the new store embeds the edited ones again).
        cancelled: Stopped before the end: nothing was changed.
    """

    model: str
    items: int = 0
    changed: int = 0
    cancelled: bool = False


def _nothing(_fraction: float, _message: str) -> None:
    return None


def reembed(spec: str, *, settings: Settings | None = None, progress: Progress | None = None,
            cancel: Cancel | None = None) -> ReembedResult:
    """Make ``spec`` (a folder, a cached Hugging Face model, or ``all-MiniLM-L6-v2``) memory's embedding model.

    Raises:
        MemoryError: the model cannot be found or loaded (nothing changed).
    """
    progress = progress or _nothing
    settings = settings or get_settings()
    progress(-1, _("Loading the embedding model…"))
    target = Embedder(spec)
    target.warm_up()  # a model that does not load fails here, before any work
    db = get_database(settings.db_path)
    with db.session() as s:
        total = int(s.exec(select(func.count()).select_from(MemoryItemRow)).one())
    done: list[tuple[int, object, bytes]] = []  # (id, updated_at, vector) kept in memory until all are ready
    last = 0
    while True:
        if cancel is not None and cancel():
            return ReembedResult(model=getattr(settings, "embedding_model", "") or SHIPPED, cancelled=True)
        with db.session() as s:
            rows = s.exec(select(MemoryItemRow.id, MemoryItemRow.text, MemoryItemRow.updated_at)
                          .where(MemoryItemRow.id > last).order_by(MemoryItemRow.id).limit(BATCH)).all()
        if not rows:
            break
        vectors = target.encode([r[1] for r in rows])
        done.extend((r[0], r[2], v.tobytes()) for r, v in zip(rows, vectors))
        last = rows[-1][0]
        progress(0.9 * min(1.0, len(done) / max(1, total)),
                 ngettext("Embedding {done} of {total} memory…", "Embedding {done} of {total} memories…",
                          total).format(done=len(done), total=total))
    progress(0.92, _("Saving the new vectors…"))
    stored = 0
    with db.session() as s:  # one transaction: all of the new vectors, or (on an error) none
        for item_id, updated_at, blob in done:
            # Only the text that was embedded: an item edited meanwhile keeps its vector, and the new
            # store embeds it again (its model differs).
            stored += s.exec(update(MemoryItemRow).where(MemoryItemRow.id == item_id,
                                                        MemoryItemRow.updated_at == updated_at)
                             .values(embedding=blob, embedding_model=target.name)).rowcount or 0
    name = "" if target.model.name == SHIPPED else target.model.name  # the setting names the model, not the glosses
    saved = settings.save(embedding_model=name)
    progress(0.95, _("Building the search index…"))
    from .store import get_memory

    if saved.home == get_settings().home:
        get_memory().warm_up()  # the new model's store, its index built from the vectors just stored
    log.info("memory re-embedded with %s: %d items (%d changed meanwhile)", target.name, stored,
             len(done) - stored)
    progress(1.0, ngettext("{n} memory embedded with {model}.", "{n} memories embedded with {model}.",
                           stored).format(n=stored, model=display_name(target.name)))
    return ReembedResult(model=target.name, items=stored, changed=len(done) - stored)
