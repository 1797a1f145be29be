"""The memory store the app uses, and loading its embedding model in the background after start.

Nothing here loads torch when imported: :func:`memory_store` only builds the store, and
:func:`schedule_warm_up` loads the model on a thread, and only when there is something to recall.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from aeon_studio.app.context import AppContext

if TYPE_CHECKING:
    from aeon_studio.core.memory import MemoryStore

log = logging.getLogger(__name__)


def memory_store(ctx: AppContext) -> MemoryStore:
    """The memory store of ``ctx``: the process-wide one when ``ctx`` uses the current settings (the chat
    recalls through it too), else one over ``ctx``'s own database and settings."""
    from aeon_studio.core.memory import MemoryStore, get_memory
    from aeon_studio.core.settings import get_settings

    if ctx.settings is get_settings():
        return get_memory()
    return MemoryStore(ctx.db, ctx.settings)


#: Seconds after the window appears before the embedding model is loaded in the background.
WARM_UP_DELAY_MS = 2000


def schedule_warm_up(ctx: AppContext) -> None:
    """Main-window extension: when there are memories to recall, load the embedding model in the
    background shortly after the window appears, so the first message does not wait for torch.
    With an empty memory nothing is loaded (recall has nothing to search)."""
    QTimer.singleShot(WARM_UP_DELAY_MS, lambda: _warm_up_if_needed(ctx))


def _warm_up_if_needed(ctx: AppContext) -> None:
    import threading

    try:
        from aeon_studio.core.personas import PersonaStore

        store = memory_store(ctx)
        if store.count() == 0 or not any(p.memory_enabled for p in PersonaStore(ctx.db).list()):
            return
    except Exception:  # the memory tab reports its own errors when opened
        log.exception("memory warm-up check failed")
        return

    def run() -> None:
        try:
            store.warm_up()
        except Exception:
            log.exception("memory warm-up failed")

    threading.Thread(target=run, name="aeon-memory-warm-up", daemon=True).start()
