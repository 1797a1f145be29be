"""The first-run welcome: language, the first persona, what the stars and Retrain do, where the data lives.

Shown once, before the main window (so the whole window comes up in the chosen language); the choice is
saved in ``settings.json`` (``language``, ``default_persona``, ``welcome_done``).
"""

from __future__ import annotations

from PySide6.QtCore import QUrl, Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QApplication, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout,
                               QLabel, QPushButton, QVBoxLayout, QWidget)

from aeon_studio.core.i18n import _, current_language, set_language

#: (language code, its name in that language): each shown in its own language, so anyone can find theirs.
LANGUAGES = [("en", "English"), ("pt_BR", "Português (Brasil)")]


def needs_welcome() -> bool:
    from aeon_studio.core.settings import get_settings

    return not get_settings().welcome_done


class WelcomeDialog(QDialog):
    """Asks for the language and the first persona; explains ratings, Retrain and the data folder."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from aeon_studio.core.personas import PersonaStore
        from aeon_studio.core.settings import get_settings

        self.settings = get_settings()
        self.setMinimumWidth(560)
        self.heading = QLabel()
        self.heading.setObjectName("welcome_heading")  # resources/style/aeon.qss
        self.language = QComboBox()
        for code, name in LANGUAGES:
            self.language.addItem(name, code)
        lang = current_language()
        index = next((i for i, (code, _name) in enumerate(LANGUAGES) if lang.split("_")[0] == code.split("_")[0]),
                     0)
        self.language.setCurrentIndex(index)
        self.persona = QComboBox()
        self.personas = PersonaStore().list()
        for p in self.personas:
            self.persona.addItem(p.name, p.key)
        current = next((i for i, p in enumerate(self.personas) if p.key == self.settings.default_persona), 0)
        self.persona.setCurrentIndex(current)
        self.persona_about = QLabel()
        self.persona_about.setWordWrap(True)
        self.persona_about.setProperty("tone", "hint")
        self.language_label, self.persona_label = QLabel(), QLabel()
        form = QFormLayout()
        form.addRow(self.language_label, self.language)
        form.addRow(self.persona_label, self.persona)
        form.addRow("", self.persona_about)
        self.how = QLabel()
        self.how.setWordWrap(True)
        self.how.setTextFormat(Qt.TextFormat.RichText)
        self.where = QLabel()
        self.where.setWordWrap(True)
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_folder = QPushButton()
        self.open_folder.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.settings.home))))
        where_row = QHBoxLayout()
        where_row.addWidget(self.where, 1)
        where_row.addWidget(self.open_folder, 0, Qt.AlignmentFlag.AlignTop)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addWidget(self.how)
        layout.addLayout(where_row)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.language.currentIndexChanged.connect(self._language_changed)
        self.persona.currentIndexChanged.connect(self._describe_persona)
        self.retranslate()

    def chosen_language(self) -> str:
        return str(self.language.currentData())

    def chosen_persona(self) -> str | None:
        return self.persona.currentData()

    def _language_changed(self) -> None:
        set_language(self.chosen_language())
        app = QApplication.instance()
        if app is not None:
            from aeon_studio.app.qt_language import install_qt_translations

            install_qt_translations(app, self.chosen_language())
        self.retranslate()

    def _describe_persona(self) -> None:
        i = self.persona.currentIndex()
        self.persona_about.setText(_(self.personas[i].description) if 0 <= i < len(self.personas) else "")

    def retranslate(self) -> None:
        self.setWindowTitle(_("Welcome to Aeon Studio"))
        self.heading.setText(_("Welcome to Aeon Studio"))
        self.language_label.setText(_("Language:"))
        self.persona_label.setText(_("Start with the assistant:"))
        self._describe_persona()
        self.how.setText("<p>" + _("<b>Chat</b> with your assistant. It runs on this computer.") + "</p><p>"
                         + _("<b>Rate each reply</b> with the stars (1 to 5). Replies you rate 4 or 5, and the "
                             "ones you correct, are what your assistant learns from; low-rated replies never "
                             "are.") + "</p><p>"
                         + _("<b>Retrain</b> (the button above the chat) teaches it from those replies. The new version "
                             "is tested first and used only if it is better; you can always go back to an "
                             "earlier one.") + "</p>")
        self.where.setText(_("Your chats, ratings, memories and trained versions stay on this computer, in:")
                           + f"\n{self.settings.home}")
        self.open_folder.setText(_("Open folder"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Start"))

    def save(self) -> None:
        """Remember the choices and never show the welcome again."""
        changes: dict[str, object] = {"language": self.chosen_language(), "welcome_done": True}
        if self.chosen_persona():
            changes["default_persona"] = self.chosen_persona()
        self.settings.save(**changes)


def run_welcome(parent: QWidget | None = None) -> bool:
    """Show the welcome (modal); saves the choices when the user starts. False when the window was closed."""
    dialog = WelcomeDialog(parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    dialog.save()
    return True
