"""The "‹ 2/3 ›" switcher between the versions of a reply."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from aeon_studio.core.i18n import _


class VersionSwitcher(QWidget):
    """``picked(index)`` (0-based) when the user moves to another version."""

    picked = Signal(int)

    def __init__(self, index: int, count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        self.prev_button = QToolButton(self)
        self.prev_button.setText("‹")
        self.prev_button.setToolTip(_("Previous version"))
        self.next_button = QToolButton(self)
        self.next_button.setText("›")
        self.next_button.setToolTip(_("Next version"))
        self.label = QLabel(self)
        for w in (self.prev_button, self.label, self.next_button):
            lay.addWidget(w)
        self.prev_button.clicked.connect(lambda: self._move(-1))
        self.next_button.clicked.connect(lambda: self._move(+1))
        self.index, self.count = index, count
        self._update()

    def _move(self, step: int) -> None:
        new = self.index + step
        if 0 <= new < self.count:
            self.index = new
            self._update()
            self.picked.emit(new)

    def _update(self) -> None:
        self.label.setText(f"{self.index + 1}/{self.count}")
        self.prev_button.setEnabled(self.index > 0)
        self.next_button.setEnabled(self.index < self.count - 1)
