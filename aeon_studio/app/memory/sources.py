"""Memory sources of a chat reply: a row per source, and the dialog that opens one (Forget, Open document)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QFrame, QHBoxLayout, QLabel, QPlainTextEdit,
                               QPushButton, QToolButton, QVBoxLayout, QWidget)

from aeon_studio.core.i18n import _
from aeon_studio.core.memory.display import item_text, match_text, source_text
from aeon_studio.app.style import set_style_property
from aeon_studio.app.memory.model import date_text, kind_text, one_line

log = logging.getLogger(__name__)


def document_path(item: Any) -> Path | None:
    """The imported file a passage came from, when it still exists."""
    if item is None or getattr(item, "kind", "") != "passage" or not getattr(item, "source_ref", ""):
        return None
    ref = str(item.source_ref).split("#", 1)[0]
    path = Path(ref).expanduser()
    return path if path.is_file() else None


def default_forget(item_id: int) -> None:
    from aeon_studio.core import memory  # imported only when used

    memory.forget(item_id)


def lookup(item_id: int | None) -> Any:
    """The stored memory item, or None when it was forgotten (or the id is unknown)."""
    if item_id is None:
        return None
    from aeon_studio.core.memory import MemoryError, get_memory

    try:
        return get_memory().get(int(item_id))
    except MemoryError:
        return None


class MemorySourceDialog(QDialog):
    """Shows one memory item (or what a reply recorded of it, once forgotten) with Forget and Open document.

    Args:
        source: the reply's record ``{"id", "text", "source", "kind", "score"}``.
        item: the stored :class:`MemoryItem`, or None when it no longer exists.
        forget: called with the item id by the Forget button (``aeon_studio.core.memory.forget``).
    """

    forgotten = Signal(int)

    def __init__(self, source: dict, item: Any = None, parent: QWidget | None = None,
                 forget: Callable[[int], None] | None = None) -> None:
        super().__init__(parent)
        self.source, self.item = source, item
        self._forget_fn = forget or default_forget
        self.setWindowTitle(_("Memory source"))
        self.resize(560, 380)
        lay = QVBoxLayout(self)
        form = QFormLayout()
        kind = item.kind if item is not None else source.get("kind", "")
        self.kind_label = QLabel(kind_text(kind), self)
        self.source_label = QLabel(source_text(item.source if item is not None else source.get("source")) or "—",
                                   self)
        self.source_label.setWordWrap(True)
        self.source_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.date_label = QLabel(date_text(item.created_at) if item is not None else "—", self)
        form.addRow(_("Kind:"), self.kind_label)
        form.addRow(_("Source:"), self.source_label)
        form.addRow(_("Remembered on:"), self.date_label)
        score = source.get("score")
        if isinstance(score, (int, float)):
            form.addRow(_("Match with the question:"), QLabel(f"{score:.0%}", self))
        if source.get("match"):  # which part of the search found it (replies stored before hybrid recall: none)
            # the similarity is on the row above: here only which part found it, and the shared words
            self.match_label = QLabel(match_text(source["match"], None, source.get("words") or ()), self)
            self.match_label.setWordWrap(True)
            form.addRow(_("Found by:"), self.match_label)
        lay.addLayout(form)
        text = item.text if item is not None else str(source.get("text", ""))
        self.text_view = QPlainTextEdit(item_text(kind, text), self)
        self.text_view.setReadOnly(True)
        lay.addWidget(self.text_view, 1)
        self.note = QLabel(self)
        self.note.setProperty("tone", "warning")
        self.note.setWordWrap(True)
        lay.addWidget(self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        self.open_button = QPushButton(_("Open document"), self)
        self.open_button.setToolTip(_("Open the imported file this passage comes from"))
        self.open_button.clicked.connect(self.open_document)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        # after addButton, which shows the button again: only a passage of an imported document can be opened
        self.open_button.setVisible(document_path(item) is not None)
        self.forget_button = QPushButton(_("Forget"), self)
        self.forget_button.setToolTip(_("Remove this memory; the assistant will not recall it again"))
        self.forget_button.clicked.connect(self.forget)
        self.forget_button.setAutoDefault(False)  # Enter closes the dialog; it never forgets a memory
        buttons.addButton(self.forget_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setDefault(True)
        lay.addWidget(buttons)
        if item is None:
            self.mark_forgotten()

    def mark_forgotten(self) -> None:
        self.note.setText(_("This memory was forgotten; the assistant will not recall it again."))
        self.forget_button.setEnabled(False)
        self.open_button.setVisible(False)

    def forget(self) -> bool:
        """Forget the item (one click, like the Forget button beside the source); True when it was forgotten."""
        item_id = self.source.get("id")
        if item_id is None:
            return False
        try:
            self._forget_fn(int(item_id))
        except Exception as exc:
            from aeon_studio.app.shared.errors import show_error

            show_error(self, _("Could not forget this memory"), exc)
            return False
        self.mark_forgotten()
        self.forgotten.emit(int(item_id))
        return True

    def open_document(self) -> bool:
        path = document_path(self.item)
        if path is None:
            return False
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class SourceRow(QFrame):
    """One source under a chat reply: kind, the text cut to two lines, where it came from; Open and Forget."""

    def __init__(self, source: dict, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self.setObjectName("memory_source")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 4, 4, 4)
        lay.setSpacing(6)
        col = QVBoxLayout()
        col.setSpacing(1)
        text = item_text(source.get("kind"), str(source.get("text", "")))
        self.text_label = QLabel(one_line(text, 160), self)
        self.text_label.setTextFormat(Qt.TextFormat.PlainText)
        self.text_label.setWordWrap(True)
        self.text_label.setToolTip(one_line(text, 1500))
        col.addWidget(self.text_label)
        kind = source.get("kind", "")
        parts = [kind_text(kind)] if kind else []
        if source.get("source"):
            parts.append(source_text(str(source["source"])))
        found = match_text(source.get("match"), source.get("score"), source.get("words") or ())
        if found:
            parts.append(found)
        self.origin_label = QLabel(" · ".join(parts), self)
        self.origin_label.setObjectName("source_origin")
        self.origin_label.setTextFormat(Qt.TextFormat.PlainText)
        self.origin_label.setWordWrap(True)
        col.addWidget(self.origin_label)
        lay.addLayout(col, 1)
        self.open_button = QToolButton(self)
        self.open_button.setText(_("Open"))
        self.open_button.setToolTip(_("Show the whole memory, where it came from and when"))
        self.open_button.setAutoRaise(True)
        self.forget_button = QToolButton(self)
        self.forget_button.setText(_("Forget"))
        self.forget_button.setToolTip(_("Remove this memory; the assistant will not recall it again"))
        self.forget_button.setAutoRaise(True)
        lay.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignTop)
        lay.addWidget(self.forget_button, 0, Qt.AlignmentFlag.AlignTop)
        self.forgotten = False

    def mark_forgotten(self) -> None:
        if self.forgotten:
            return
        self.forgotten = True
        self.origin_label.setText(self.origin_label.text() + "  " + _("(forgotten)"))
        set_style_property(self.text_label, "forgotten", True)
        self.forget_button.setEnabled(False)
