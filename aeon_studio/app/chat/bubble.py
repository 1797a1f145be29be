"""One chat message as a bubble (:class:`Bubble`) and the message box under the chat (:class:`MessageInput`).

A reply's bubble carries its stars, its versions, Regenerate/Edit/Copy, its metadata and the memories it used;
what those buttons do is asked of the chat that holds it (:class:`BubbleOwner`), so a bubble knows no tab.
"""

from __future__ import annotations

import logging
from typing import Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QToolButton, QVBoxLayout,
                               QWidget)

from aeon_studio.core.i18n import _
from aeon_studio.app.shared.errors import show_error
from aeon_studio.app.chat.versions import VersionSwitcher
from aeon_studio.app.shared.rating import StarRating
from aeon_studio.app.chat.notes import stopped_marker

log = logging.getLogger(__name__)


class BubbleOwner(Protocol):
    """What a reply's bubble asks of the chat it is shown in (the :class:`~aeon_studio.app.chat.tab.ChatTab`)."""

    def rate(self, message_id: int, value: int) -> None: ...

    def activate_version(self, message_id: int) -> None: ...

    def regenerate(self, reply_id: int) -> None: ...

    def save_edit(self, message_id: int, text: str) -> None: ...

    def keep_visible(self, widget: QWidget) -> None: ...

    def compare(self, reply_id: int | None = None) -> object: ...


class MessageInput(QPlainTextEdit):
    """Enter sends, Shift+Enter adds a new line."""

    submit = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
                event.modifiers() & Qt.KeyboardModifier.ShiftModifier):
            self.submit.emit()
            return
        super().keyPressEvent(event)


class Bubble(QFrame):
    """One message. Assistant bubbles carry rating, versions, Regenerate/Edit/Copy and metadata."""

    #: set by ``_add_sources`` on replies that used memory
    sources_toggle: QToolButton | None = None
    source_rows: tuple = ()
    #: the "Stopped" line of a reply the user stopped
    stopped_label: QLabel | None = None

    def __init__(self, tab: BubbleOwner, role: str, text: str, message=None, versions: list | None = None,
                 rating: int | None = None) -> None:
        super().__init__()
        self.tab, self.role, self.message = tab, role, message
        self.setObjectName("bubble_" + role)
        user = role == "user"
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 8, 12, 8)
        lay.setSpacing(4)
        self.label = QLabel(text, self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(self.label)
        self.editor: QPlainTextEdit | None = None
        self.rating: StarRating | None = None
        self.switcher: VersionSwitcher | None = None
        self.meta_label = QLabel(self)
        self.meta_label.setObjectName("meta")
        self.meta_label.setWordWrap(True)
        if user or message is None:
            self.meta_label.hide()
            lay.addWidget(self.meta_label)
            return
        self.meta_label.setText(self._meta_text(message))
        why = ((message.meta or {}).get("route") or {}).get("why")
        if why:  # what decided the domain (keywords, nearest example)
            self.meta_label.setToolTip(_("Domain decided by: {why}").format(why=why))
        lay.addWidget(self.meta_label)
        finish = (message.meta or {}).get("finish_reason")
        if finish in ("stopped", "length"):
            self.stopped_label = stopped_marker(self, finish)
            lay.addWidget(self.stopped_label)
        self._add_sources(lay, message)
        row = QHBoxLayout()
        row.setSpacing(6)
        self.rating = StarRating(rating, self)
        self.rating.rated.connect(lambda v: tab.rate(message.id, v))
        row.addWidget(self.rating)
        versions = versions or [message]
        if len(versions) > 1:
            idx = next((i for i, v in enumerate(versions) if v.id == message.id), len(versions) - 1)
            self.switcher = VersionSwitcher(idx, len(versions), self)
            self.switcher.picked.connect(lambda i: tab.activate_version(versions[i].id))
            row.addWidget(self.switcher)
        row.addStretch(1)
        buttons = []
        for name, tip, slot in ((_("Regenerate"), _("Write a new version of this reply"), self._regenerate),
                                (_("Edit"), _("Correct this reply (the original is kept)"), self._edit),
                                (_("Copy"), _("Copy the reply text"), self._copy),
                                (_("Compare"), _("Blind A/B: two models answer this question"),
                                 lambda: tab.compare(message.id))):
            b = QToolButton(self)
            b.setText(name)
            b.setToolTip(tip)
            b.setAutoRaise(True)
            b.clicked.connect(slot)
            row.addWidget(b)
            buttons.append(b)
        self.regenerate_button, self.edit_button, self.copy_button, self.compare_button = buttons
        lay.addLayout(row)

    @staticmethod
    def _meta_text(m) -> str:
        meta = m.meta or {}
        parts = [_("persona: {p}").format(p=m.persona_key or "—")]
        backend = meta.get("backend")
        if backend and backend != "embedded":  # a server answered: say which, and with which of its models
            from aeon_studio.core.chat.backends.base import backend_label

            parts.append(_("{backend}: {model}").format(backend=backend_label(backend),
                                                        model=meta.get("backend_model") or "—"))
            if meta.get("backend_local") is False:
                parts.append("⚠ " + _("sent off this computer"))
        else:
            parts.append(_("model: {m}").format(m=m.model_id or "—"))
        route = meta.get("route")
        if meta.get("domain") and route:  # routed by domain: which domain, and the plain model when no adapter
            from aeon_studio.core.domains import domain_label

            parts.append(_("domain: {d}").format(d=domain_label(meta["domain"])))
            if not m.adapter_id:
                parts.append(_("no adapter"))
        if m.adapter_id:
            parts.append(_("adapter: {a}").format(a=m.adapter_id))
        tokens, elapsed = meta.get("completion_tokens"), meta.get("elapsed_s")
        if tokens and elapsed:
            first = meta.get("first_token_s") or 0.0
            decode = elapsed - first if tokens > 1 and elapsed > first else elapsed  # without model load/prompt
            parts.append(_("{r:.1f} tokens/s").format(r=(tokens - (1 if decode != elapsed else 0)) / max(decode, 1e-6)))
        if meta.get("edited"):
            parts.append(_("edited"))
        return " · ".join(parts)

    def _add_sources(self, lay: QVBoxLayout, m) -> None:
        """The memories this reply used, under a "Sources (n)" toggle: open one, or forget it."""
        sources = (m.meta or {}).get("memory_sources") or []
        if not sources:
            return
        from aeon_studio.app.memory.sources import SourceRow

        toggle = QToolButton(self)
        toggle.setText(_("Sources ({n})").format(n=len(sources)))
        toggle.setToolTip(_("What the assistant recalled from its memory for this reply"))
        toggle.setCheckable(True)
        toggle.setAutoRaise(True)
        toggle.setArrowType(Qt.ArrowType.RightArrow)
        toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        box = QWidget(self)
        blay = QVBoxLayout(box)
        blay.setContentsMargins(8, 0, 0, 0)
        blay.setSpacing(4)
        for src in sources:
            row = SourceRow(src, box)
            row.open_button.clicked.connect(lambda _c=False, r=row: self._open_source(r))
            row.forget_button.clicked.connect(lambda _c=False, r=row: self._forget(r.source.get("id"), r))
            blay.addWidget(row)
        self.source_rows = tuple(box.findChildren(SourceRow))
        remembered = self._remembered(sources)
        for row in self.source_rows:
            if row.source.get("id") not in remembered:
                row.mark_forgotten()
        box.setVisible(False)

        def show_sources(on: bool) -> None:
            box.setVisible(on)
            toggle.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)

        toggle.toggled.connect(show_sources)
        self.sources_toggle, self.sources_box = toggle, box
        lay.addWidget(toggle)
        lay.addWidget(box)

    @staticmethod
    def _remembered(sources: list[dict]) -> set:
        """Ids of these sources still in memory (a source forgotten since shows as forgotten)."""
        ids = [s.get("id") for s in sources if isinstance(s.get("id"), int)]
        try:
            from aeon_studio.core.memory import get_memory

            return get_memory().exists(ids)
        except Exception:  # the reply still shows; Forget reports a real problem
            log.warning("could not check the memory sources of a reply", exc_info=True)
            return set(ids)

    def _forget(self, item_id, row) -> bool:
        try:
            from aeon_studio.core import memory  # written by the memory area; imported only when used

            memory.forget(item_id)
        except Exception as exc:
            show_error(self, _("Could not forget this memory"), exc)
            return False
        row.mark_forgotten()
        return True

    def _open_source(self, row):
        """A dialog with the whole memory (kind, source, date), Forget and, for a passage, Open document."""
        from aeon_studio.app.memory.sources import MemorySourceDialog, lookup

        try:
            item = lookup(row.source.get("id"))
        except Exception as exc:
            show_error(self, _("Could not open this memory"), exc)
            return None
        dlg = MemorySourceDialog(row.source, item, self)
        if item is None:
            row.mark_forgotten()
        dlg.forgotten.connect(lambda _id: row.mark_forgotten())
        dlg.finished.connect(lambda _r: dlg.deleteLater())
        dlg.open()
        self.source_dialog = dlg
        return dlg

    def append(self, piece: str) -> None:
        self.label.setText(self.label.text() + piece)

    def _regenerate(self) -> None:
        self.tab.regenerate(self.message.id)

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self.label.text())

    def _edit(self) -> None:
        if self.editor is not None:
            return
        self.editor = QPlainTextEdit(self.label.text(), self)
        self.editor.setMinimumHeight(90)
        save = QPushButton(_("Save correction"), self)
        cancel = QPushButton(_("Cancel"), self)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(cancel)
        row.addWidget(save)
        lay = self.layout()
        lay.insertWidget(1, self.editor)
        lay.insertLayout(2, row)
        self.label.hide()
        self.save_edit_button = save
        self.editor.setFocus()
        self.tab.keep_visible(self.editor)  # open in place, not scrolled away to the bottom

        def close_editor() -> None:
            for w in (self.editor, save, cancel):
                w.deleteLater()
            self.editor = None
            self.label.show()
            self.tab.keep_visible(self)

        save.clicked.connect(lambda: self.tab.save_edit(self.message.id, self.editor.toPlainText()))
        cancel.clicked.connect(close_editor)
