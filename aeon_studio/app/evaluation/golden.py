"""The golden prompts editor: a persona's questions with what each answer must and must not contain."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget)

from aeon_studio.app.evaluation.data import EvaluationData, Golden
from aeon_studio.core.i18n import _


def _lines(edit: QPlainTextEdit) -> list[str]:
    return [line.strip() for line in edit.toPlainText().splitlines() if line.strip()]


class GoldenEditor(QWidget):
    """Lists a persona's golden prompts; add, edit and remove them. Errors (e.g. a regex that does not
    compile) show under the form and nothing is stored.

    Signals: ``changed()`` after a prompt was stored or removed.
    """

    changed = Signal()

    def __init__(self, data: EvaluationData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data = data
        self.persona_key = ""
        self.items: list[Golden] = []
        self.list = QListWidget()
        self.list.currentRowChanged.connect(self._show_current)
        self.prompt = QLineEdit()
        self.prompt.setPlaceholderText(_("e.g. Who are you?"))
        self.must = QPlainTextEdit()
        self.must.setPlaceholderText(_("one per line, e.g. Aeon"))
        self.must_not = QPlainTextEdit()
        self.must_not.setPlaceholderText(_("one per line, e.g. SmolLM"))
        for edit in (self.must, self.must_not):
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)  # three entries without scrolling
        self.regex = QCheckBox(_("Regular expressions (case-insensitive)"))
        self.regex.setToolTip(_("Each line is a Python regular expression instead of a plain text."))
        self.error = QLabel()
        self.error.setProperty("tone", "error")
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        self.new_button = QPushButton(_("New"))
        self.new_button.clicked.connect(self.new)
        self.save_button = QPushButton(_("Save"))
        self.save_button.clicked.connect(self.save)
        self.remove_button = QPushButton(_("Remove"))
        self.remove_button.clicked.connect(self.remove)

        form = QFormLayout()
        form.addRow(_("Prompt:"), self.prompt)
        form.addRow(_("Must contain:"), self.must)
        form.addRow(_("Must not contain:"), self.must_not)
        form.addRow("", self.regex)
        buttons = QHBoxLayout()
        for b in (self.new_button, self.save_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addWidget(self.error)
        right.addLayout(buttons)
        right.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 2)
        layout.addLayout(right, 3)
        self._update_buttons()

    def set_persona(self, persona_key: str) -> None:
        self.persona_key = persona_key
        self.refresh()

    def refresh(self) -> None:
        """Reload the list, keeping the selected prompt when it still exists."""
        current = self.current()
        self.items = self.data.golden(self.persona_key) if self.persona_key else []
        self.list.blockSignals(True)
        self.list.clear()
        for g in self.items:
            item = QListWidgetItem(g.prompt)
            item.setToolTip(self._summary(g))
            self.list.addItem(item)
        self.list.blockSignals(False)
        ids = [g.id for g in self.items]
        if current is not None and current.id in ids:
            self.list.setCurrentRow(ids.index(current.id))
        else:
            self.new()
        self._update_buttons()

    @staticmethod
    def _summary(g: Golden) -> str:
        lines = [_("Must contain: {list}").format(list=", ".join(g.must) or "—"),
                 _("Must not contain: {list}").format(list=", ".join(g.must_not) or "—")]
        if g.regex:
            lines.append(_("Regular expressions"))
        return "\n".join(lines)

    def current(self) -> Golden | None:
        row = self.list.currentRow()
        return self.items[row] if 0 <= row < len(self.items) else None

    def new(self) -> None:
        """Empty the form for a new prompt."""
        self.list.setCurrentRow(-1)
        self._fill(None)

    def _show_current(self, _row: int) -> None:
        self._fill(self.current())

    def _fill(self, g: Golden | None) -> None:
        self.prompt.setText(g.prompt if g else "")
        self.must.setPlainText("\n".join(g.must) if g else "")
        self.must_not.setPlainText("\n".join(g.must_not) if g else "")
        self.regex.setChecked(bool(g and g.regex))
        self.error.hide()
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.save_button.setText(_("Save") if self.current() else _("Add"))
        self.remove_button.setEnabled(self.current() is not None)
        self.save_button.setEnabled(bool(self.persona_key))

    def _attempt(self, action: Callable[[], None]) -> bool:
        try:
            action()
        except Exception as exc:  # noqa: BLE001 - a user error (bad regex, empty prompt) is shown by the form
            self.error.setText(str(exc))
            self.error.show()
            return False
        self.error.hide()
        self.refresh()
        self.changed.emit()
        return True

    def save(self) -> bool:
        """Store the form (a new prompt, or the selected one changed); returns whether it was stored."""
        prompt = self.prompt.text().strip()
        if not prompt:
            self.error.setText(_("Write the prompt first: the question the assistant will be asked."))
            self.error.show()
            return False
        current = self.current()
        item = Golden(current.id if current else 0, prompt, _lines(self.must), _lines(self.must_not),
                      self.regex.isChecked())
        stored = self._attempt(lambda: self.data.save_golden(self.persona_key, item))
        if stored and not current:  # select the new one (the last with this prompt)
            rows = [i for i, g in enumerate(self.items) if g.prompt == prompt]
            if rows:
                self.list.setCurrentRow(rows[-1])
        return stored

    def remove(self) -> bool:
        current = self.current()
        return current is not None and self._attempt(lambda: self.data.remove_golden(current.id))
