"""Usability (1–7) and NPS (0–10) survey; the spin boxes make out-of-range answers impossible."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from ...core.i18n import _


class SurveyDialog(QDialog):
    def __init__(self, store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle(_("Your feedback"))
        self.setModal(False)
        lay = QVBoxLayout(self)
        intro = QLabel(_("Two quick questions help improve Aeon Studio. Both are optional."), self)
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.usability = QSpinBox(self)
        self.usability.setRange(1, 7)
        self.usability.setValue(4)
        self.nps = QSpinBox(self)
        self.nps.setRange(0, 10)
        self.nps.setValue(7)
        form.addRow(_("How easy is Aeon Studio to use? (1 = very hard, 7 = very easy)"), self.usability)
        form.addRow(_("How likely are you to recommend it to a friend? (0–10)"), self.nps)
        lay.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Send"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Not now"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def accept(self) -> None:
        self.store.add_survey("usability", self.usability.value())
        self.store.add_survey("nps", self.nps.value())
        super().accept()
