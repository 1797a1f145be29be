"""Chat tab: conversations on the left, persona/model pickers on top, streamed bubbles, rating and versions.

The model is loaded lazily on the first send, inside a :class:`ReplyWorker` thread; nothing here
imports llama_cpp/torch at start-up. The conversation list lives in :mod:`~aeon_studio.app.chat.conversations`,
the message view and its scrolling in :mod:`~aeon_studio.app.chat.transcript`, one message in
:mod:`~aeon_studio.app.chat.bubble`; this module builds the tab and sends, streams, stops and rates.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import (QComboBox, QFrame, QHBoxLayout, QLabel, QLineEdit, QListView, QPushButton,
                               QScrollArea, QSplitter, QToolButton, QVBoxLayout, QWidget)

from aeon_studio.core.i18n import _
from aeon_studio.app.context import AppContext
from aeon_studio.app.shared.live import LiveView
from aeon_studio.app.shared.errors import show_error
from aeon_studio.app.chat.bubble import Bubble, MessageInput
from aeon_studio.app.chat.conversations import ConversationList, ConversationModel
from aeon_studio.app.chat.streaming import TextCoalescer
from aeon_studio.app.chat.transcript import Transcript
from aeon_studio.app.shared.survey import SurveyDialog
from aeon_studio.app.chat.header import AdapterHeader
from aeon_studio.app.chat.workers import ReplyWorker

log = logging.getLogger(__name__)


class ChatTab(ConversationList, Transcript, QWidget):
    """The Chat tab; the conversation list and the message view are its mixins (see the module docstring)."""

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
        if persona:
            try:
                p = self.service.personas.get(persona)
                self.header.show_backend(p)
                # The model picker only matters when the embedded engine may answer (first or as a fallback).
                local = not p.backends or any(b.kind == "embedded" for b in p.backends)
                self.model_combo.setEnabled(local)
                self.model_combo.setToolTip("" if local else _("Not used: this persona answers through a server "
                                                               "(see the line below and the Personas tab)."))
            except Exception:  # the header is informative only; the reply reports a real problem
                log.warning("could not read the backends of persona %s", persona, exc_info=True)

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
