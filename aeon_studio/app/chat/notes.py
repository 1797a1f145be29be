"""Small notes under a chat reply: the "Stopped" marker and the "Remembered: …" confirmation with Undo.

Colours come from the palette (placeholder text, alternate base), not from style sheets, so the notes
follow the light and dark themes.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

from aeon_studio.core.i18n import _
from aeon_studio.app.memory.model import one_line


def muted(label: QLabel, *, italic: bool = True, smaller: bool = True) -> QLabel:
    """Grey, small, italic text in the palette's placeholder colour."""
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    font = label.font()
    font.setItalic(italic)
    if smaller and font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * 0.9)
    label.setFont(font)
    return label


def stopped_marker(parent: QWidget | None = None, finish_reason: str = "stopped") -> QLabel:
    """The line under a reply that did not end on its own: the user stopped it (``finish_reason == "stopped"``)
    or it reached the persona's reply length (``"length"``)."""
    if finish_reason == "length":
        label = QLabel("■ " + _("Cut off at the length limit"), parent)
        label.setToolTip(_("The reply reached the persona's maximum length; raise it in the Personas tab, or ask "
                           "the assistant to go on."))
    else:
        label = QLabel("■ " + _("Stopped"), parent)
        label.setToolTip(_("You stopped this reply; it is kept as far as it got."))
    label.setObjectName("stopped_marker")
    return muted(label)


class RememberedNote(QFrame):
    """ "Remembered: “…”" under the reply to a "remember that …" message, with an Undo that forgets it.

    ``undo_requested(item_id)`` asks the owner to forget the item; it calls :meth:`mark_forgotten` when done.
    """

    undo_requested = Signal(int)

    def __init__(self, item_id: int, text: str, *, forgotten: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item_id, self.text = int(item_id), text
        self.setObjectName("remembered_note")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.setAutoFillBackground(True)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 3, 4, 3)
        lay.setSpacing(6)
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.label.setToolTip(_("Saved in the assistant's memory (see the Memory tab)"))
        lay.addWidget(self.label, 1)
        self.undo_button = QToolButton(self)
        self.undo_button.setText(_("Undo"))
        self.undo_button.setToolTip(_("Forget it again; the assistant will not recall it"))
        self.undo_button.setAutoRaise(True)
        self.undo_button.clicked.connect(lambda: self.undo_requested.emit(self.item_id))
        lay.addWidget(self.undo_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.forgotten = False
        self._set_text("✓ " + _("Remembered: “{text}”").format(text=one_line(text, 200)))
        if forgotten:
            self.mark_forgotten()

    def _set_text(self, text: str) -> None:
        self.label.setText(text)
        # A word-wrapped label asks for little width: give a short note its one line (a long one wraps at 520).
        self.label.setMinimumWidth(min(520, self.label.fontMetrics().horizontalAdvance(text) + 4))

    def mark_forgotten(self) -> None:
        self.forgotten = True
        muted(self.label, smaller=False)
        self._set_text(_("Forgotten: “{text}”").format(text=one_line(self.text, 200)))
        self.undo_button.hide()
