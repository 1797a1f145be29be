"""Chat tab: conversations on the left, persona/model pickers on top, streamed bubbles, rating and versions.

The model is loaded lazily on the first send, inside a :class:`ReplyWorker` thread; nothing here
imports llama_cpp/torch at start-up.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (QComboBox, QFrame, QHBoxLayout, QInputDialog, QLabel, QLineEdit, QListView,
                               QMessageBox, QPlainTextEdit, QPushButton, QScrollArea, QSplitter, QToolButton,
                               QVBoxLayout, QWidget)
from shiboken6 import isValid

from aeon_studio.core.errors import NotFoundError
from aeon_studio.core.i18n import _
from aeon_studio.app.context import AppContext
from aeon_studio.app.shared.live import LiveView
from aeon_studio.app.shared.errors import show_error
from aeon_studio.app.chat.streaming import TextCoalescer
from aeon_studio.app.chat.versions import VersionSwitcher
from aeon_studio.app.shared.rating import StarRating
from aeon_studio.app.shared.survey import SurveyDialog
from aeon_studio.app.chat.header import AdapterHeader
from aeon_studio.app.chat.notes import RememberedNote, stopped_marker
from aeon_studio.app.shared.table_model import Column, ListModel
from aeon_studio.app.chat.workers import ReplyWorker

log = logging.getLogger(__name__)


class ConversationModel(ListModel):
    """The conversation list: titles, the last change as tooltip, the id as ``UserRole``."""

    columns = (Column("", lambda c: c.title or _("New conversation"),
                      tooltip=lambda c: c.updated_at.strftime("%Y-%m-%d %H:%M")),)
    row_roles = {Qt.ItemDataRole.UserRole: lambda c: c.id}


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

    def __init__(self, tab: "ChatTab", role: str, text: str, message=None, versions: list | None = None,
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
        lay.addWidget(self.meta_label)
        if (message.meta or {}).get("finish_reason") == "stopped":
            self.stopped_label = stopped_marker(self)
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
        parts = [_("persona: {p}").format(p=m.persona_key or "—"), _("model: {m}").format(m=m.model_id or "—")]
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


class ChatTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.worker: ReplyWorker | None = None
        self.current_id: int | None = None
        self.stream_bubble: Bubble | None = None
        #: Tokens reach the streaming bubble in batches (at most one relabel per ~30 ms), not one by one.
        self.stream_text = TextCoalescer(self._show_streamed, parent=self)
        self._worker_connections: list = []
        self.bubbles: list[Bubble] = []
        self._survey_dismissed_at = -1
        #: A widget held in view while the content changes (an open editor, a reply being rewritten).
        self._anchor: QWidget | None = None
        #: Whether the view was at the end before the content changed (then it follows new text).
        self._at_bottom = True
        #: The reply being regenerated: its place is kept in view when the new version is shown.
        self._rewriting: int | None = None
        self._build()
        QTimer.singleShot(0, self, self.refresh_conversations)

    def tab_title(self) -> str:
        return _("Chat")

    @property
    def service(self):
        return self.ctx.chat

    # -- layout -------------------------------------------------------------------
    def _build(self) -> None:
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        outer.addWidget(split)

        left = QWidget(split)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(8, 8, 4, 8)
        self.search_box = QLineEdit(left)
        self.search_box.setPlaceholderText(_("Search conversations…"))
        self.search_box.setClearButtonEnabled(True)
        self.search_box.textChanged.connect(lambda _t: self.refresh_conversations())
        ll.addWidget(self.search_box)
        self.conv_model = ConversationModel(self)
        self.conv_view = QListView(left)
        self.conv_view.setModel(self.conv_model)
        self.conv_view.setUniformItemSizes(True)
        self.conv_view.setSpacing(3)
        self.conv_view.clicked.connect(lambda idx: self.open_conversation(idx.data(Qt.ItemDataRole.UserRole)))
        ll.addWidget(self.conv_view, 1)
        row = QHBoxLayout()
        self.new_button = QPushButton(_("New"), left)
        self.rename_button = QPushButton(_("Rename"), left)
        self.delete_button = QPushButton(_("Delete"), left)
        self.new_button.clicked.connect(self.new_conversation)
        self.rename_button.clicked.connect(self.rename_conversation)
        self.delete_button.clicked.connect(self.delete_conversation)
        for b in (self.new_button, self.rename_button, self.delete_button):
            row.addWidget(b)
        ll.addLayout(row)

        right = QWidget(split)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(4, 8, 8, 8)
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Persona:"), right))
        self.persona_combo = QComboBox(right)
        self.persona_combo.setMinimumWidth(150)
        top.addWidget(self.persona_combo)
        top.addSpacing(12)
        top.addWidget(QLabel(_("Model:"), right))
        self.model_combo = QComboBox(right)
        self.model_combo.setMinimumWidth(220)
        top.addWidget(self.model_combo)
        top.addStretch(1)
        self.status_label = QLabel(right)
        self.status_label.setProperty("tone", "muted")
        top.addWidget(self.status_label)
        #: other areas add buttons here (e.g. "Retrain")
        self.toolbar_layout = QHBoxLayout()
        top.addLayout(self.toolbar_layout)
        self.arena_button = QPushButton(_("Compare…"), right)  # the arena on any question
        self.arena_button.setToolTip(_("Blind A/B: two models answer the same question; vote for the better one"))
        self.arena_button.clicked.connect(lambda: self.compare())
        self.toolbar_layout.addWidget(self.arena_button)
        rl.addLayout(top)
        self.header = AdapterHeader(right)
        self.header.back_requested.connect(self.use_previous_adapter)
        rl.addWidget(self.header)

        self.banner = QFrame(right)
        self.banner.setObjectName("survey_banner")
        bl = QHBoxLayout(self.banner)
        bl.setContentsMargins(10, 4, 6, 4)
        bl.addWidget(QLabel(_("Got a minute? Tell us how Aeon Studio is working for you."), self.banner), 1)
        self.banner_open = QPushButton(_("Give feedback"), self.banner)
        self.banner_close = QToolButton(self.banner)
        self.banner_close.setText("✕")
        self.banner_close.setToolTip(_("Dismiss"))
        self.banner_open.clicked.connect(self.open_survey)
        self.banner_close.clicked.connect(self.dismiss_survey)
        bl.addWidget(self.banner_open)
        bl.addWidget(self.banner_close)
        self.banner.hide()
        rl.addWidget(self.banner)

        self.empty_label = QLabel(_("Start a conversation: pick a persona and a model, then type a message below.\n"
                                    "Rate replies with the stars — ratings teach your assistant."), right)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setProperty("tone", "empty")
        rl.addWidget(self.empty_label)
        self.scroll = QScrollArea(right)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.chat_widget = QWidget()
        self.chat_layout = QVBoxLayout(self.chat_widget)
        self.chat_layout.setSpacing(10)
        self.chat_layout.addStretch(1)
        self.scroll.setWidget(self.chat_widget)
        bar = self.scroll.verticalScrollBar()
        bar.rangeChanged.connect(self._on_range_changed)
        bar.valueChanged.connect(self._on_scrolled)
        bar.actionTriggered.connect(lambda _action: self._drop_anchor())  # the user scrolls: let go
        rl.addWidget(self.scroll, 1)

        bottom = QHBoxLayout()
        self.input = MessageInput(right)
        self.input.setPlaceholderText(_("Type a message — Enter sends, Shift+Enter adds a line"))
        self.input.setFixedHeight(72)
        self.input.submit.connect(self.send)
        bottom.addWidget(self.input, 1)
        col = QVBoxLayout()
        self.send_button = QPushButton(_("Send"), right)
        self.send_button.setDefault(True)
        self.stop_button = QPushButton(_("Stop"), right)
        self.stop_button.setEnabled(False)
        self.send_button.clicked.connect(self.send)
        self.stop_button.clicked.connect(self.stop)
        col.addWidget(self.send_button)
        col.addWidget(self.stop_button)
        bottom.addLayout(col)
        rl.addLayout(bottom)
        split.setSizes([260, 900])
        split.setStretchFactor(1, 1)
        self.reload_pickers()
        self.persona_combo.currentIndexChanged.connect(lambda _i: self.refresh_header())
        self.model_combo.currentIndexChanged.connect(lambda _i: self.refresh_header())
        self.refresh_header()
        # An adapter bound elsewhere (Models tab, Retrain, the CLI) shows in the header without a restart.
        # Personas and models added, renamed or removed elsewhere show in the pickers too.
        self.live = LiveView(self, self.ctx.changes, {"personas", "adapters", "models"}, self._data_changed)

    def _data_changed(self, _topics: frozenset[str]) -> None:
        self.reload_pickers()
        self.refresh_header()

    @staticmethod
    def _items(combo: QComboBox) -> list[tuple[str, object]]:
        return [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count())]

    def reload_pickers(self) -> None:
        svc = self.service
        keep_p, keep_m = self.persona_combo.currentData(), self.model_combo.currentData()
        personas = [(p.name, p.key) for p in svc.personas.list()]
        models = [(m.name, m.id) for m in svc.models.list() if m.chat]
        if personas == self._items(self.persona_combo) and models == self._items(self.model_combo):
            return  # nothing changed: no flicker, no selection signal
        self.persona_combo.clear()
        for name, key in personas:
            self.persona_combo.addItem(name, key)
        self.model_combo.clear()
        for name, mid in models:
            self.model_combo.addItem(name, mid)
        settings = self.ctx.settings
        self._select(self.persona_combo, keep_p or settings.default_persona)
        self._select(self.model_combo, keep_m or settings.default_model)

    @staticmethod
    def _select(combo: QComboBox, value) -> None:
        i = combo.findData(value)
        if i >= 0:
            combo.setCurrentIndex(i)

    # -- conversations ------------------------------------------------------------
    def refresh_conversations(self) -> None:
        try:
            rows = self.service.store.list_conversations(self.search_box.text().strip())
        except Exception as exc:
            show_error(self, _("Could not list conversations"), exc)
            return
        self.conv_model.set_rows(rows)
        for r, c in enumerate(rows):
            if c.id == self.current_id:
                self.conv_view.setCurrentIndex(self.conv_model.index(r))

    def new_conversation(self) -> None:
        self.stop(wait=True)
        self.current_id = None
        self._follow_end()
        self._clear_bubbles()
        self.input.setFocus()
        self.conv_view.clearSelection()

    def rename_conversation(self) -> None:
        if self.current_id is None:
            return
        conv = self.service.store.get_conversation(self.current_id)
        title, ok = QInputDialog.getText(self, _("Rename conversation"), _("New title:"), text=conv.title)
        if ok and title.strip():
            self.service.store.rename_conversation(conv.id, title.strip())
            self.refresh_conversations()

    def delete_conversation(self, confirm: bool = True) -> None:
        if self.current_id is None:
            return
        if confirm and QMessageBox.question(
                self, _("Delete conversation"),
                _("Delete this conversation and all its messages and ratings? This cannot be undone.")
        ) != QMessageBox.StandardButton.Yes:
            return
        self.stop(wait=True)
        self.service.store.delete_conversation(self.current_id)
        self.current_id = None
        self._clear_bubbles()
        self.refresh_conversations()

    def open_conversation(self, conv_id: int | None) -> None:
        if conv_id is None:
            return
        if self.worker is not None and conv_id != self.current_id:
            self.stop(wait=True)
        if conv_id != self.current_id:
            self._follow_end()
        self.current_id = conv_id
        conv = self.service.store.get_conversation(conv_id)
        self._select(self.persona_combo, conv.persona_key)
        self._select(self.model_combo, conv.model_id)
        self.render_messages()

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

    # -- sending ------------------------------------------------------------------
    def send(self) -> None:
        text = self.input.toPlainText()
        if not text.strip() or self.worker is not None:
            return
        persona, model = self.persona_combo.currentData(), self.model_combo.currentData()
        try:
            if self.current_id is None:
                conv = self.service.new_conversation(persona, model)
                self.current_id = conv.id
                self.service.store.rename_conversation(conv.id, " ".join(text.split())[:60])
        except Exception as exc:
            show_error(self, _("Could not start a conversation"), exc)
            return
        conv_id = self.current_id
        self.input.clear()
        self._follow_end()  # a new message is read at the end
        self._pending_user = self._add_bubble(Bubble(self, "user", text))
        self._start(lambda: self.service.send(conv_id, text, persona_key=persona, model_id=model))
        self.refresh_conversations()

    def regenerate(self, reply_id: int) -> None:
        """A new version of a reply, streamed in the reply's place (not at the end)."""
        if self.worker is None:
            self._pending_user = None
            old = next((b for b in self.bubbles if b.message is not None and b.message.id == reply_id), None)
            self._start(lambda: self.service.regenerate(reply_id), replacing=old)
            self._rewriting = reply_id

    def _start(self, make_reply, replacing: Bubble | None = None) -> None:
        self._rewriting = None
        row = replacing.parentWidget() if replacing is not None else None
        index = self.chat_layout.indexOf(row) if row is not None else -1
        if index >= 0:
            self.stream_bubble = self._add_bubble(Bubble(self, "assistant", ""), index=index + 1)
            row.hide()
            self.keep_visible(self.stream_bubble)
        else:
            self.stream_bubble = self._add_bubble(Bubble(self, "assistant", ""))
        self.stream_bubble.label.setText("")
        # Plain while it streams: a selectable label lays out a whole QTextDocument on every relabel (about 3x the
        # cost) and a relabel drops the selection anyway; the finished reply is rendered selectable again.
        self.stream_bubble.label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.status_label.setText(_("Loading model…"))
        self.send_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        w = ReplyWorker(make_reply, self)
        # Kept to disconnect exactly these later: on Python 3.11, PySide6 6.12.0's SignalInstance.disconnect()
        # drops a reference to True on every call (so does emit()); once True's count reaches zero Python aborts.
        self._worker_connections = [
            w.started_reply.connect(lambda _r: self.status_label.setText(_("Writing…"))),
            w.chunk.connect(self._on_chunk),
            w.finished_reply.connect(self._on_finished),
            w.failed.connect(self._on_failed)]
        self.worker = w
        w.start()

    def _on_chunk(self, piece: str) -> None:
        self.stream_text.add(piece)

    def _show_streamed(self, text: str) -> None:
        if self.stream_bubble is not None:
            self.stream_bubble.append(text)

    def _end_worker(self) -> None:
        self.stream_text.flush()  # the bubble shows every piece received before the stream ends
        if self.worker is not None:
            # A stop(wait=True) ends the worker here; its queued finished/failed signals must not
            # re-render later (the tab may be closing, or showing another conversation by then).
            for connection in self._worker_connections:
                QObject.disconnect(connection)
            self._worker_connections = []
            self.worker.wait(2000)
            self.worker.deleteLater()
        self.worker = None
        self.status_label.setText("")
        self.send_button.setEnabled(True)
        self.stop_button.setEnabled(False)

    def _on_finished(self, reply) -> None:
        self._end_worker()
        self.render_messages(focus_id=self._rewriting)
        self.refresh_conversations()

    def _on_failed(self, exc) -> None:
        self._end_worker()
        self.render_messages(focus_id=self._rewriting)
        show_error(self, _("The reply failed"), exc)

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

    # -- header: the persona's adapter --------------------------------------------
    def refresh_header(self) -> None:
        """Show which model and adapter the chosen persona answers with, and whether it can go back."""
        persona = self.persona_combo.currentData()
        binding = None
        if persona:
            try:
                from aeon_studio.core.export.adapters import persona_binding

                binding = persona_binding(persona, self.ctx.db)
            except Exception:  # the chat works without the header; the log keeps why
                log.warning("could not read the adapter of persona %s", persona, exc_info=True)
        self.header.show_binding(binding, self.model_combo.currentText() or "—")

    def use_previous_adapter(self) -> None:
        """The header's "back to the previous version": bind the adapter the persona used before."""
        persona = self.persona_combo.currentData()
        if not persona:
            return
        from aeon_studio.core.export.adapters import use_previous

        try:
            use_previous(persona, self.ctx.db)
        except Exception as exc:
            show_error(self, _("Could not go back to the previous version"), exc)
        self.refresh_header()

    def stop(self, wait: bool = False) -> None:
        """Stop the stream; what was shown is stored by the reply itself."""
        w = self.worker
        if w is None:
            return
        w.cancel()
        if wait:
            w.wait(10000)
            self._end_worker()

    def shutdown(self) -> None:
        self.stop(wait=True)

    # -- reply actions ------------------------------------------------------------
    def rate(self, message_id: int, value: int) -> None:
        try:
            self.service.store.rate(message_id, value)
        except Exception as exc:
            show_error(self, _("Could not save the rating"), exc)
            return
        self.maybe_show_survey()

    def compare(self, reply_id: int | None = None):
        """Open Compare (blind A/B arena) on the question this reply answered."""
        from aeon_studio.app.chat.compare import open_compare

        return open_compare(self, reply_id)

    def activate_version(self, message_id: int) -> None:
        try:
            self.service.store.activate_version(message_id)
        except Exception as exc:
            show_error(self, _("Could not switch version"), exc)
            return
        QTimer.singleShot(0, self, lambda: self.render_messages(focus_id=message_id))

    def save_edit(self, message_id: int, text: str) -> None:
        try:
            self.service.edit(message_id, text)
        except Exception as exc:
            show_error(self, _("Could not save the correction"), exc)
            return
        QTimer.singleShot(0, self, lambda: self.render_messages(focus_id=message_id))

    # -- surveys ------------------------------------------------------------------
    def survey_due(self) -> bool:
        store = self.service.store
        every = max(1, int(getattr(self.ctx.settings, "survey_every", 10) or 10))
        rated = store.rated_count()
        since = max(store.last_survey_at_rated_count(), self._survey_dismissed_at, 0)
        return rated >= every and rated - since >= every

    def maybe_show_survey(self) -> None:
        if self.survey_due():
            self.banner.show()

    def dismiss_survey(self) -> None:
        self._survey_dismissed_at = self.service.store.rated_count()
        self.banner.hide()

    def open_survey(self) -> SurveyDialog:
        self.banner.hide()
        dlg = SurveyDialog(self.service.store, self)
        dlg.finished.connect(lambda _r: dlg.deleteLater())
        dlg.open()
        return dlg
