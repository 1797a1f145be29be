"""A 1–5 star control; clicking a star emits ``rated(int)`` at once."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QToolButton, QWidget

from aeon_studio.core.i18n import _
from aeon_studio.app.style import set_style_property


class StarRating(QWidget):
    rated = Signal(int)

    def __init__(self, value: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        self.buttons: list[QToolButton] = []
        for i in range(1, 6):
            b = QToolButton(self)
            b.setAutoRaise(True)
            b.setToolTip(_("Rate {n} of 5").format(n=i))
            b.setObjectName("star")
            b.clicked.connect(lambda _checked=False, n=i: self.set_value(n, emit=True))
            lay.addWidget(b)
            self.buttons.append(b)
        self._value: int | None = None
        self.set_value(value)

    def value(self) -> int | None:
        return self._value

    def set_value(self, value: int | None, emit: bool = False) -> None:
        if value is not None and not 1 <= value <= 5:
            return
        self._value = value
        for i, b in enumerate(self.buttons, start=1):
            on = value is not None and i <= value
            b.setText("★" if on else "☆")
            set_style_property(b, "on", on)
        if emit and value is not None:
            self.rated.emit(value)
