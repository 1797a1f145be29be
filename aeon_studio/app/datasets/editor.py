"""Edit one example's messages: a row per turn (role + text), add / remove / move turns."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFrame, QHBoxLayout, QLabel, QPlainTextEdit,
                               QPushButton, QScrollArea, QVBoxLayout, QWidget)

from aeon_studio.core.i18n import N_, _
from aeon_studio.app.datasets.readable import calls_text

ROLES = [("user", N_("user")), ("assistant", N_("assistant")), ("system", N_("system"))]
#: Keys of a stored turn the editor keeps as they are (tool calls, a tool's result id, "weight": 0).
KEPT_KEYS = ("tool_calls", "tool_call_id", "weight")


class TurnRow(QFrame):
    def __init__(self, role: str, content: str, editor: "ExampleEditor",
                 kept: dict[str, Any] | None = None) -> None:
        super().__init__()
        #: What the editor does not change: a tool call or result keeps its role and ids (saving without them
        #: would break the conversation).
        self.kept = dict(kept or {})
        self.setFrameShape(QFrame.Shape.StyledPanel)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        side = QVBoxLayout()
        self.role = QComboBox()
        for key, label in ROLES:
            self.role.addItem(_(label), key)
        if role == "tool":
            self.role.addItem(_("tool result"), "tool")
        self.role.setCurrentIndex(max(0, self.role.findData(role)))
        self.role.setEnabled(not (self.kept.keys() & {"tool_calls", "tool_call_id"}))
        side.addWidget(self.role)
        buttons = QHBoxLayout()
        up, down, remove = QPushButton("↑"), QPushButton("↓"), QPushButton("✕")
        up.setToolTip(_("Move up"))
        down.setToolTip(_("Move down"))
        remove.setToolTip(_("Remove this turn"))
        for b in (up, down, remove):
            b.setFixedWidth(30)
            buttons.addWidget(b)
        up.clicked.connect(lambda: editor.move(self, -1))
        down.clicked.connect(lambda: editor.move(self, 1))
        remove.clicked.connect(lambda: editor.remove(self))
        side.addLayout(buttons)
        side.addStretch(1)
        lay.addLayout(side)
        self.text = QPlainTextEdit(content)
        self.text.setMinimumHeight(70)
        calls = calls_text(self.kept)
        if calls:
            body = QVBoxLayout()
            body.addWidget(self.text, 1)
            note = QLabel("→ " + calls)
            note.setWordWrap(True)
            note.setProperty("tone", "hint")
            body.addWidget(note)
            lay.addLayout(body, 1)
        else:
            lay.addWidget(self.text, 1)

    def message(self) -> dict[str, Any]:
        return {"role": self.role.currentData(), "content": self.text.toPlainText(), **self.kept}


class ExampleEditor(QDialog):
    """``messages()`` is what the user left; the caller saves it (and shows errors) on accept."""

    def __init__(self, messages: list[dict[str, Any]], parent: QWidget | None = None, *, title: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title or _("Edit example"))
        self.resize(720, 560)
        lay = QVBoxLayout(self)
        hint = QLabel(_("Each turn has a role and its text. The last turn must be the assistant's reply; "
                        "the original is kept in the edit history."))
        hint.setWordWrap(True)
        lay.addWidget(hint)
        self.rows: list[TurnRow] = []
        self._holder = QWidget()
        self._list = QVBoxLayout(self._holder)
        self._list.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._holder)
        lay.addWidget(scroll, 1)
        add_row = QHBoxLayout()
        self.add_user = QPushButton(_("Add user turn"))
        self.add_assistant = QPushButton(_("Add assistant reply"))
        self.add_user.clicked.connect(lambda: self.add_turn("user", ""))
        self.add_assistant.clicked.connect(lambda: self.add_turn("assistant", ""))
        add_row.addWidget(self.add_user)
        add_row.addWidget(self.add_assistant)
        add_row.addStretch(1)
        lay.addLayout(add_row)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        for m in messages:
            self.add_turn(str(m.get("role", "user")), str(m.get("content") or ""),
                          {k: m[k] for k in KEPT_KEYS if k in m})

    def add_turn(self, role: str, content: str, kept: dict[str, Any] | None = None) -> TurnRow:
        row = TurnRow(role, content, self, kept)
        self.rows.append(row)
        self._list.insertWidget(len(self.rows) - 1, row)
        return row

    def remove(self, row: TurnRow) -> None:
        self.rows.remove(row)
        self._list.removeWidget(row)
        row.deleteLater()

    def move(self, row: TurnRow, delta: int) -> None:
        i = self.rows.index(row)
        j = i + delta
        if not 0 <= j < len(self.rows):
            return
        self.rows[i], self.rows[j] = self.rows[j], self.rows[i]
        self._list.removeWidget(row)
        self._list.insertWidget(j, row)

    def messages(self) -> list[dict[str, Any]]:
        return [r.message() for r in self.rows]
