"""Usability (1–7) and NPS (0–10) survey.

Both questions start unanswered: the user picks a number on each scale (picking it again clears it), Send stays
disabled until at least one is answered, and only the answered ones are stored. A thank-you replaces the
questions after Send.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (QButtonGroup, QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPushButton,
                               QStackedWidget, QVBoxLayout, QWidget)

from aeon_studio.core.i18n import _


class ScaleChoice(QWidget):
    """A row of numbered buttons from ``low`` to ``high`` with a word under each end; no answer at first.

    Signals: ``changed(value)`` with the picked number, or ``None`` when the pick was cleared.
    """

    changed = Signal(object)

    def __init__(self, low: int, high: int, low_text: str, high_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.group = QButtonGroup(self)
        self.group.setExclusive(False)  # exclusive groups cannot go back to "no answer"
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        row = QHBoxLayout()
        row.setSpacing(4)
        for n in range(low, high + 1):
            button = QPushButton(str(n), self)
            button.setCheckable(True)
            button.setFixedWidth(38)
            button.setAccessibleName(f"{n}")
            button.toggled.connect(lambda on, b=button: self._paint(b, on))
            self.group.addButton(button, n)
            row.addWidget(button)
        row.addStretch(1)
        lay.addLayout(row)
        ends = QHBoxLayout()
        ends.addWidget(QLabel(low_text, self))
        ends.addStretch(1)
        ends.addWidget(QLabel(high_text, self))
        ends_box = QWidget(self)
        ends_box.setLayout(ends)
        ends.setContentsMargins(0, 0, 0, 0)
        ends_box.setFixedWidth((high - low + 1) * 42 - 4)
        lay.addWidget(ends_box)
        self.group.idClicked.connect(self._clicked)

    def _paint(self, button: QPushButton, on: bool) -> None:
        """The picked number in the theme's selection colours (a checked button alone is barely visible)."""
        palette = self.palette()
        if on:
            palette.setColor(QPalette.ColorRole.Button, palette.color(QPalette.ColorRole.Highlight))
            palette.setColor(QPalette.ColorRole.ButtonText, palette.color(QPalette.ColorRole.HighlightedText))
        button.setPalette(palette)
        font = button.font()
        font.setBold(on)
        button.setFont(font)

    def _clicked(self, n: int) -> None:
        on = self.group.button(n).isChecked()
        for button in self.group.buttons():
            if button is not self.group.button(n):
                button.setChecked(False)
        self.changed.emit(n if on else None)

    def value(self) -> int | None:
        """The picked number, or ``None`` when there is no answer."""
        checked = self.group.checkedId()
        return None if checked == -1 else checked

    def set_value(self, value: int | None) -> None:
        """Pick ``value`` (``None`` clears); numbers outside the scale are not possible and clear too."""
        for button in self.group.buttons():
            button.setChecked(self.group.id(button) == value)
        self.changed.emit(self.value())


class SurveyDialog(QDialog):
    """Signals: ``sent(answers)`` with the stored answers, e.g. ``{"nps": 9}``."""

    sent = Signal(dict)

    def __init__(self, store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle(_("Your feedback"))
        self.setModal(False)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._questions())
        self.thanks = QLabel(self)
        self.thanks.setWordWrap(True)
        self.thanks.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages.addWidget(self.thanks)
        self.buttons = QDialogButtonBox(self)
        self.send_button = self.buttons.addButton(_("Send"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.send_button.setEnabled(False)
        self.send_button.setToolTip(_("Answer at least one question to send."))
        self.send_button.clicked.connect(self.send)
        self.later_button = self.buttons.addButton(_("Not now"), QDialogButtonBox.ButtonRole.RejectRole)
        self.later_button.clicked.connect(self.reject)
        self.close_button = self.buttons.addButton(_("Close"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.close_button.clicked.connect(self.accept)
        self.close_button.hide()
        lay = QVBoxLayout(self)
        lay.addWidget(self.pages)
        lay.addWidget(self.buttons)
        self.later_button.setFocus()  # a focus frame on "1" would look like an answer given

    def _questions(self) -> QWidget:
        page = QWidget(self)
        lay = QVBoxLayout(page)
        lay.setContentsMargins(0, 0, 0, 0)
        intro = QLabel(_("Two quick questions help improve Aeon Studio. Both are optional."), page)
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.usability = ScaleChoice(1, 7, _("very hard"), _("very easy"), page)
        self.nps = ScaleChoice(0, 10, _("not at all likely"), _("extremely likely"), page)
        for question, scale in ((_("How easy is Aeon Studio to use?"), self.usability),
                                (_("How likely are you to recommend Aeon Studio to a friend?"), self.nps)):
            label = QLabel(question, page)
            label.setWordWrap(True)
            lay.addSpacing(8)
            lay.addWidget(label)
            lay.addWidget(scale)
            scale.changed.connect(self._update_send)
        return page

    def answers(self) -> dict[str, int]:
        """The questions answered so far: ``{"usability": 1-7, "nps": 0-10}``, each only when picked."""
        picked = {"usability": self.usability.value(), "nps": self.nps.value()}
        return {kind: value for kind, value in picked.items() if value is not None}

    def _update_send(self, *_args) -> None:
        self.send_button.setEnabled(bool(self.answers()))

    def send(self) -> dict[str, int]:
        """Store what was answered (nothing when nothing was) and thank the user; returns what was stored."""
        from aeon_studio.app.shared.errors import show_error

        answers = self.answers()
        if not answers:
            return {}
        try:
            for kind, value in answers.items():
                self.store.add_survey(kind, value)
        except Exception as err:  # noqa: BLE001 - shown to the user; the dialog stays open to retry
            show_error(self, _("Your feedback"), err)
            return {}
        self.thanks.setText(_("Thank you! Your answers help make Aeon Studio better."))
        self.pages.setCurrentWidget(self.thanks)
        self.close_button.show()  # before the others go: a button box left empty for a moment loses its height
        self.send_button.hide()
        self.later_button.hide()
        self.close_button.setDefault(True)
        self.close_button.setFocus()
        self.sent.emit(answers)
        return answers
