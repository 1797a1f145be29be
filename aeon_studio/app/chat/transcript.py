"""The chat's message view: a conversation laid out as bubbles, notes and notices, and what stays in view.

:class:`Transcript` is mixed into :class:`~aeon_studio.app.chat.tab.ChatTab`; it fills the tab's ``chat_layout``
inside its ``scroll`` area and keeps ``bubbles`` (the bubbles shown, in order). The view follows the end while
the user reads there, and holds a widget in view (an open editor, a reply being rewritten) while the content
around it changes.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget
from shiboken6 import isValid

from aeon_studio.core.errors import NotFoundError
from aeon_studio.core.i18n import _
from aeon_studio.app.shared.errors import show_error
from aeon_studio.app.chat.bubble import Bubble
from aeon_studio.app.chat.notes import RememberedNote


class Transcript:
    """Render the open conversation and keep the right part of it in view (a mixin of the chat tab)."""

    def _clear_bubbles(self) -> None:
        self.bubbles.clear()
        self.empty_label.show()
        while self.chat_layout.count() > 1:
            item = self.chat_layout.takeAt(0)
            if item.widget():
                item.widget().hide()
                item.widget().deleteLater()
        self.stream_bubble = None

    def render_messages(self, focus_id: int | None = None) -> None:
        """Show the conversation in its order (a reply's versions in its place); ``focus_id``: a reply
        whose place is kept in view (after a regeneration, an edit or a version switch)."""
        self._clear_bubbles()
        if self.current_id is None:
            return
        store = self.service.store
        msgs = store.messages(self.current_id, active_only=True)
        ratings = store.ratings_for([m.id for m in msgs if m.role == "assistant"])
        for m in msgs:
            if m.role == "user":
                self._add_bubble(Bubble(self, "user", m.content, m))
            elif m.role == "assistant":
                versions = store.versions(m.id)
                self._add_bubble(Bubble(self, "assistant", m.content, m, versions, ratings.get(m.id)))
                self._add_remembered(m)
                for note in (m.meta or {}).get("notices", []):
                    self._add_notice(note)
        if focus_id is not None:
            self._keep_reply_in_view(focus_id)

    def _keep_reply_in_view(self, reply_id: int) -> None:
        try:
            reply = self.service.store.get_message(reply_id)
        except NotFoundError:  # deleted meanwhile: nothing to keep in view
            return
        group = reply.group_id or reply.id
        target = next((b for b in self.bubbles if b.message is not None
                       and (b.message.group_id or b.message.id) == group), None)
        if target is not None:
            self.keep_visible(target)

    def _add_remembered(self, m) -> None:
        """ "Remembered: …" with Undo under the reply to a "remember that …" message."""
        saved = [x for x in (m.meta or {}).get("memory_saved") or [] if isinstance(x.get("id"), int)]
        if not saved:
            return
        alive = Bubble._remembered(saved)
        for item in saved:
            note = RememberedNote(item["id"], str(item.get("text", "")), forgotten=item["id"] not in alive)
            note.undo_requested.connect(lambda item_id, n=note: self.undo_remember(item_id, n))
            note.setMaximumWidth(640)
            row = QWidget(self.chat_widget)
            rl = QHBoxLayout(row)
            rl.setContentsMargins(0, 0, 0, 0)
            rl.addWidget(note)
            rl.addStretch(1)
            self.chat_layout.insertWidget(self.chat_layout.count() - 1, row)

    def undo_remember(self, item_id: int, note: RememberedNote) -> bool:
        """Forget what a "remember that …" message stored (the note's Undo)."""
        from aeon_studio.core import memory  # imported only when used: it is heavy

        try:
            memory.forget(item_id)
        except memory.MemoryNotFoundError:
            pass  # already forgotten (e.g. in the Memory tab): the note just says so
        except Exception as exc:
            show_error(self, _("Could not forget this memory"), exc)
            return False
        note.mark_forgotten()
        return True

    def _add_bubble(self, bubble: Bubble, index: int | None = None) -> Bubble:
        row = QWidget(self.chat_widget)
        rl = QHBoxLayout(row)
        rl.setContentsMargins(0, 0, 0, 0)
        bubble.setMaximumWidth(640)
        fm = bubble.label.fontMetrics()
        longest = max((fm.horizontalAdvance(line) for line in bubble.label.text().splitlines()), default=0)
        bubble.setMinimumWidth(min(640, max(longest + 30, 120 if bubble.role == "user" else 460)))
        if bubble.role == "user":
            rl.addStretch(1)
            rl.addWidget(bubble)
        else:
            rl.addWidget(bubble)
            rl.addStretch(1)
        self.chat_layout.insertWidget(self.chat_layout.count() - 1 if index is None else index, row)
        self.bubbles.append(bubble)
        self.empty_label.hide()
        return bubble

    def _add_notice(self, text: str) -> QLabel:
        lab = QLabel("ⓘ " + text, self.chat_widget)
        lab.setObjectName("notice")
        lab.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lab.setWordWrap(True)
        self.chat_layout.insertWidget(self.chat_layout.count() - 1, lab)
        return lab

    # -- scrolling ----------------------------------------------------------------
    def keep_visible(self, widget: QWidget) -> None:
        """Hold ``widget`` in view while the content around it changes (an editor, a reply being rewritten),
        instead of jumping to the end; the user scrolling lets go of it."""
        self._anchor = widget
        self._show_anchor()
        QTimer.singleShot(0, self, self._show_anchor)  # again once the new layout has its geometry

    def _show_anchor(self) -> bool:
        a = self._anchor
        if a is None or not isValid(a) or not a.isVisible():
            return False
        self.scroll.ensureWidgetVisible(a, 0, 24)
        return True

    def _drop_anchor(self) -> None:
        self._anchor = None

    def _follow_end(self) -> None:
        self._anchor = None
        self._at_bottom = True
        bar = self.scroll.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _on_scrolled(self, value: int) -> None:
        self._at_bottom = value >= self.scroll.verticalScrollBar().maximum() - 4

    def _on_range_changed(self, _lo: int, hi: int) -> None:
        """The content grew or shrank: keep the held widget in view, else follow the end if the view was there."""
        if not self._show_anchor() and self._at_bottom:
            self.scroll.verticalScrollBar().setValue(hi)
