"""The Memory tab's "Change model…": choose an embedding model, then embed every memory again in the background
with progress and Cancel (the chat keeps recalling with the current model until the new vectors are ready)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QDialog

from aeon_studio.core.i18n import _, ngettext
from aeon_studio.app.shared.errors import show_error
from aeon_studio.app.shared.jobs import BackgroundJob, Progress

log = logging.getLogger(__name__)


class MemoryModelSwitch:
    """Mixin for :class:`~aeon_studio.app.memory.tab.MemoryTab` (it provides ``ctx``, ``store``, ``_start``,
    ``_changed`` and ``message_label``)."""

    def change_model(self) -> BackgroundJob | None:
        """Ask which model to use, then :meth:`switch_model` to it."""
        from aeon_studio.app.memory.model_dialog import EmbeddingModelDialog
        from aeon_studio.core.memory.embedding_models import cached_models, resolve_model

        try:
            models = [resolve_model(None)] + cached_models()
            current = self.store.embedder.model
            if all(m.name != current.name for m in models):  # a folder of the user's own
                models.append(current)
            items = self.store.count()
        except Exception as exc:
            show_error(self, _("Could not list the embedding models"), exc)
            return None
        dialog = EmbeddingModelDialog(models, current.name, items, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return self.switch_model(dialog.spec())

    def switch_model(self, spec: str) -> BackgroundJob | None:
        """Embed every memory with ``spec``'s model off the UI thread, then use it; Cancel changes nothing."""
        from aeon_studio.core.memory.embedding_models import display_name
        from aeon_studio.core.memory.reembed import reembed

        settings = self.ctx.settings
        before = display_name(self.store.embedder.name)

        def work(progress: Progress, cancelled: Callable[[], bool]) -> Any:
            return reembed(spec, settings=settings, progress=progress, cancel=cancelled)

        def done(result) -> None:
            from aeon_studio.core.settings import get_settings

            self.last_switch = result
            if result.cancelled:
                self._changed(_("Model change cancelled; memory still uses {model}.").format(model=before))
                return
            fresh = get_settings()
            if fresh.home == self.ctx.settings.home:
                self.ctx.settings = fresh  # the saved setting: the store for the new model from now on
            self._store = None
            self._changed(ngettext("Memory now uses {model}: {n} memory embedded again.",
                                   "Memory now uses {model}: {n} memories embedded again.", result.items).format(
                model=display_name(result.model), n=result.items))

        return self._start(work, done, _("Could not switch the embedding model"), name="reembed", cancellable=True)
