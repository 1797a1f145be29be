"""Small dialogs of the Dataset tab: from chats, identity set, export options, review generated questions."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPlainTextEdit, QProgressBar, QPushButton, QSpinBox, QSplitter,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from aeon_studio.core.i18n import N_, _, ngettext

PERIODS = [("", N_("Any time")), ("7d", N_("Last 7 days")), ("30d", N_("Last 30 days")), ("90d", N_("Last 90 days"))]
SPLITS = [("all", N_("All examples")), ("train", N_("Train split")), ("eval", N_("Eval split"))]


def _buttons(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    box.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setProperty("tone", "hint")
    return label


class FromChatsDialog(QDialog):
    """Options of :meth:`DatasetStore.build_from_chats`."""

    def __init__(self, personas: list[tuple[str, str]], name: str = "from-chats",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Dataset from chats"))
        form = QFormLayout(self)
        form.addRow(_hint(_("Replies you rated well become examples; your corrections, the regenerations you kept "
                            "and differently rated replies become preference pairs for DPO.")))
        self.name = QLineEdit(name)
        form.addRow(_("Dataset:"), self.name)
        self.min_likert = QSpinBox()
        self.min_likert.setRange(1, 5)
        self.min_likert.setValue(4)
        self.min_likert.setSuffix(" ★")
        form.addRow(_("Minimum rating:"), self.min_likert)
        self.since = QComboBox()
        for key, label in PERIODS:
            self.since.addItem(_(label), key)
        form.addRow(_("Chats from:"), self.since)
        self.persona = QComboBox()
        self.persona.addItem(_("All personas"), None)
        for key, label in personas:
            self.persona.addItem(label, key)
        form.addRow(_("Persona:"), self.persona)
        form.addRow(_buttons(self, _("Build")))

    def options(self) -> dict[str, Any]:
        return {"name": self.name.text().strip(), "min_likert": self.min_likert.value(),
                "since": self.since.currentData() or None, "persona": self.persona.currentData()}


class IdentityDialog(QDialog):
    """Options of :meth:`DatasetStore.build_identity`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Identity set"))
        self.resize(460, 0)
        form = QFormLayout(self)
        form.addRow(_hint(_("Generates questions and answers in English and Portuguese about who the assistant is "
                            "(\"Who are you?\", \"Quem criou você?\" …), so a retrain changes how it introduces "
                            "itself.")))
        self.assistant = QLineEdit("Aeon")
        self.creator = QLineEdit()
        self.creator.setPlaceholderText(_("you, or your team"))
        self.description = QLineEdit()
        self.description.setPlaceholderText(_("a local assistant that helps with…"))
        self.name = QLineEdit("identity")
        form.addRow(_("Assistant name:"), self.assistant)
        form.addRow(_("Creator:"), self.creator)
        form.addRow(_("Description:"), self.description)
        form.addRow(_("Dataset:"), self.name)
        form.addRow(_buttons(self, _("Generate")))

    def options(self) -> dict[str, str]:
        return {"name": self.name.text().strip(), "assistant_name": self.assistant.text().strip(),
                "creator": self.creator.text().strip(), "description": self.description.text().strip()}


class ReviewDialog(QDialog):
    """Accept, edit or reject the questions generated from documents (``api`` is the core's candidate API)."""

    def __init__(self, api: dict[str, Any], dataset: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api = api
        self.dataset = dataset
        self.accepted_count = 0
        self.setWindowTitle(_("Review generated questions"))
        self.resize(860, 560)
        lay = QVBoxLayout(self)
        lay.addWidget(_hint(_("Questions generated from your documents wait here until you accept them; accepted "
                              "ones join the dataset as examples. Edit the text before accepting if needed.")))
        split = QSplitter(Qt.Orientation.Horizontal)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels([_("Question"), _("Passage")])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.currentCellChanged.connect(lambda *_a: self._show_current())
        split.addWidget(self.table)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(QLabel(_("Question")))
        self.question = QPlainTextEdit()
        rl.addWidget(self.question, 1)
        rl.addWidget(QLabel(_("Answer")))
        self.answer = QPlainTextEdit()
        rl.addWidget(self.answer, 2)
        row = QHBoxLayout()
        self.accept_btn = QPushButton(_("Accept"))
        self.reject_btn = QPushButton(_("Reject"))
        self.accept_btn.clicked.connect(self.accept_current)
        self.reject_btn.clicked.connect(self.reject_current)
        row.addStretch(1)
        row.addWidget(self.reject_btn)
        row.addWidget(self.accept_btn)
        rl.addLayout(row)
        split.addWidget(right)
        split.setSizes([420, 420])
        lay.addWidget(split, 1)
        bottom = QHBoxLayout()
        self.status = QLabel()
        self.status.setWordWrap(True)
        bottom.addWidget(self.status, 1)
        self.progress = QProgressBar()
        self.progress.hide()
        bottom.addWidget(self.progress)
        self.generate_btn = QPushButton(_("Generate from documents"))
        self.generate_btn.setToolTip(_("Ask the local model for questions and answers about the document passages "
                                       "of this dataset (import TXT, MD or PDF files first)."))
        self.generate_btn.clicked.connect(lambda: self.generate())
        self.generate_btn.setVisible("generate" in api)
        bottom.addWidget(self.generate_btn)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        bottom.addWidget(close)
        lay.addLayout(bottom)
        self.job = None
        self.candidates: list[Any] = []
        self.reload()

    def generate(self):
        """Run the core's question generation in a thread (Cancel stops it); the list reloads after."""
        from aeon_studio.app.datasets.jobs import DatasetJob

        if self.job is not None:
            self.job.cancel()
            return self.job
        fn = self.api["generate"]
        self.job = DatasetJob(lambda progress, cancel: fn(self.dataset, progress=progress, cancel=cancel), self)
        self.job.progressed.connect(lambda d, t: (self.progress.setRange(0, max(1, t)), self.progress.setValue(d)))
        self.job.succeeded.connect(self._generated)
        self.job.failed.connect(self._generate_failed)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.generate_btn.setText(_("Cancel generation"))
        self.status.setText(_("Generating questions with the local model…"))
        self.job.start()
        return self.job

    def _generate_done(self) -> None:
        self.job = None
        self.progress.hide()
        self.generate_btn.setText(_("Generate from documents"))

    def _generated(self, result) -> None:
        self._generate_done()
        self.reload()

    def _generate_failed(self, err) -> None:
        from aeon_studio.app.shared.errors import show_error

        self._generate_done()
        self.reload()
        show_error(self, _("Cannot generate questions"), err)

    def done(self, code: int) -> None:  # noqa: D401 - Qt name: closing waits for a running generation
        if self.job is not None:
            self.job.cancel()
            self.job.wait(10000)
        super().done(code)

    @staticmethod
    def _field(c: Any, key: str) -> Any:
        return c.get(key) if isinstance(c, dict) else getattr(c, key, None)

    def reload(self) -> None:
        rows = [c for c in self.api["list"](self.dataset) if (self._field(c, "status") or "pending") == "pending"]
        self.candidates = rows
        self.table.setRowCount(len(rows))
        for i, c in enumerate(rows):
            self.table.setItem(i, 0, QTableWidgetItem(" ".join(str(self._field(c, "question") or "").split())))
            self.table.setItem(i, 1, QTableWidgetItem(str(self._field(c, "passage_ref") or "")))
        self.status.setText(ngettext("{n} question to review · {a} accepted in this session",
                                     "{n} questions to review · {a} accepted in this session", len(rows)).format(
            n=len(rows), a=self.accepted_count) if rows else _("Nothing left to review."))
        if rows:
            self.table.setCurrentCell(0, 0)
        self._show_current()

    def _current(self) -> Any:
        i = self.table.currentRow()
        return self.candidates[i] if 0 <= i < len(self.candidates) else None

    def _show_current(self) -> None:
        c = self._current()
        self.question.setPlainText(str(self._field(c, "question") or "") if c is not None else "")
        self.answer.setPlainText(str(self._field(c, "answer") or "") if c is not None else "")
        for w in (self.accept_btn, self.reject_btn, self.question, self.answer):
            w.setEnabled(c is not None)

    def accept_current(self) -> None:
        c = self._current()
        if c is None:
            return
        q, a = self.question.toPlainText().strip(), self.answer.toPlainText().strip()
        changed = q != str(self._field(c, "question") or "").strip() or a != str(self._field(c, "answer") or "").strip()
        try:
            if changed:
                self.api["accept"](self._field(c, "id"), question=q, answer=a)
            else:
                self.api["accept"](self._field(c, "id"))
        except Exception as err:  # noqa: BLE001 - shown to the user
            from aeon_studio.app.shared.errors import show_error

            show_error(self, _("Cannot accept the question"), err)
            return
        self.accepted_count += 1
        self.reload()

    def reject_current(self) -> None:
        c = self._current()
        if c is None:
            return
        try:
            self.api["reject"](self._field(c, "id"))
        except Exception as err:  # noqa: BLE001 - shown to the user
            from aeon_studio.app.shared.errors import show_error

            show_error(self, _("Cannot reject the question"), err)
            return
        self.reload()
