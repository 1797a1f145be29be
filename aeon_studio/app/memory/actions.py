"""What the Memory tab's buttons do to memories: add a fact, edit one, forget the selected ones, and "forget
everything about…" (list what matches, confirm, then forget exactly those).

:class:`MemoryActions` is mixed into :class:`~aeon_studio.app.memory.tab.MemoryTab`; every change runs as a
background job through the tab's ``_start`` (so the embedding model never loads on the UI thread) and ends in
the tab's ``_changed``, which lists again and says what happened.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QInputDialog, QMessageBox

from aeon_studio.core.i18n import _, ngettext
from aeon_studio.core.memory.display import item_text, stored_exchange
from aeon_studio.app.shared.jobs import BackgroundJob, Progress
from aeon_studio.app.memory.model import one_line


class MemoryActions:
    """Add, edit and forget memories (a mixin of the Memory tab)."""

    def add_fact(self, text: str | None = None) -> BackgroundJob | None:
        """Remember a fact the user types (or ``text``); embedding runs off the UI thread."""
        if text is None:
            text, ok = QInputDialog.getMultiLineText(self, _("Add a memory"),
                                                     _("Something the assistant should remember:"))
            if not ok:
                return None
        text = text.strip()
        if not text:
            return None
        return self._start(_simple(_("Remembering…"), lambda: self.store.add(text, kind="fact")),
                           lambda item: self._changed(_("Remembered: {text}").format(text=one_line(item.text, 80))),
                           _("Could not add the memory"), name="add")

    def edit_selected(self, text: str | None = None) -> BackgroundJob | None:
        items = self.selected_items()
        if len(items) != 1 or self.job is not None:
            return None
        item = items[0]
        if text is None:
            text, ok = QInputDialog.getMultiLineText(self, _("Edit memory"), _("What the assistant remembers:"),
                                                     item_text(item.kind, item.text))
            if not ok:
                return None
            text = stored_exchange(text) if item.kind == "exchange" else text
        text = text.strip()
        if not text or text == item.text:
            return None
        return self._start(_simple(_("Saving…"), lambda: self.store.update(item.id, text)),
                           lambda _item: self._changed(_("Memory updated.")),
                           _("Could not update the memory"), name="edit")

    def forget_selected(self) -> BackgroundJob | None:
        items = self.selected_items()
        if not items or self.job is not None:
            return None
        if len(items) == 1:
            question = _("Forget this memory?\n\n“{text}”\n\nThe assistant will not recall it again.").format(
                text=one_line(item_text(items[0].kind, items[0].text), 200))
        else:
            question = ngettext("Forget this {n} memory? The assistant will not recall it again.",
                                "Forget these {n} memories? The assistant will not recall them again.",
                                len(items)).format(n=len(items))
        if QMessageBox.question(self, _("Forget memories"), question) != QMessageBox.StandardButton.Yes:
            return None
        return self._forget_items([i.id for i in items])

    def _forget_items(self, ids: list[int], message: str | None = None) -> BackgroundJob | None:
        def work(progress: Progress, cancelled: Callable[[], bool]) -> int:
            from aeon_studio.core.memory.errors import MemoryNotFoundError

            done = 0
            for n, item_id in enumerate(ids):
                if cancelled():
                    break
                progress(n / len(ids), _("Forgetting…"))
                try:
                    self.store.forget(item_id)
                except MemoryNotFoundError:  # already forgotten (e.g. from the chat meanwhile)
                    continue
                done += 1
            return done

        def finished(n: int) -> None:
            self._changed(message or ngettext("Forgot {n} memory.", "Forgot {n} memories.", n).format(n=n))

        return self._start(work, finished, _("Could not forget the memories"), name="forget")

    def forget_about(self, topic: str | None = None) -> BackgroundJob | None:
        """Ask for a topic, list what matches (nothing is removed yet), confirm, then forget exactly those."""
        if self.job is not None:
            return None
        if topic is None:
            topic, ok = QInputDialog.getText(self, _("Forget everything about…"),
                                             _("Forget every memory about (a person, a place, a subject):"))
            if not ok:
                return None
        topic = topic.strip()
        if not topic:
            return None
        return self._start(
            _simple(_("Looking for memories about “{topic}”…").format(topic=topic),
                    lambda: self.store.forget_about(topic, dry_run=True)),
            lambda matches: self._confirm_forget_about(topic, matches),
            _("Could not look for memories about this topic"), name="forget-about")

    def _confirm_forget_about(self, topic: str, matches: list) -> None:
        self.last_matches = list(matches)
        if not matches:
            self.message_label.setText(_("Nothing in memory is about “{topic}”.").format(topic=topic))
            QMessageBox.information(self, _("Forget everything about…"),
                                    _("Nothing in memory is about “{topic}”.").format(topic=topic))
            return
        shown = "\n".join("• " + one_line(item_text(m.kind, m.text), 110) for m in matches[:12])
        more = len(matches) - 12
        if more > 0:
            shown += "\n" + _("…and {n} more").format(n=more)
        box = QMessageBox.question(
            self, _("Forget everything about “{topic}”").format(topic=topic),
            ngettext("{n} memory is about “{topic}”:\n\n{items}\n\nForget it?",
                     "{n} memories are about “{topic}”:\n\n{items}\n\nForget all of them?",
                     len(matches)).format(n=len(matches), topic=topic, items=shown))
        if box != QMessageBox.StandardButton.Yes:
            self.message_label.setText(_("Nothing was forgotten."))
            return
        self._forget_items([m.id for m in matches],
                           ngettext("Forgot {n} memory about “{topic}”.",
                                    "Forgot {n} memories about “{topic}”.", len(matches)).format(
                               n=len(matches), topic=topic))


def _simple(message: str, fn: Callable[[], Any]) -> Callable[[Progress, Callable[[], bool]], Any]:
    """A job body that shows ``message`` with a busy bar while ``fn()`` runs."""
    def work(progress: Progress, _cancelled: Callable[[], bool]) -> Any:
        progress(-1, message)
        return fn()

    return work
