"""The import dialog's two pages: the setup (files, dataset, format, speakers or columns, cleaning, preview of the
first conversations) and the result (summary, warnings, problems, the rejects file).

:class:`ImportPages` is mixed into :class:`~aeon_studio.app.datasets.import_dialog.ImportDialog`; it only creates
the widgets and connects them to the dialog's methods.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
                               QPlainTextEdit, QPushButton, QTableWidget, QTreeWidget, QVBoxLayout, QWidget)

from aeon_studio.core.i18n import _


def suggest_name(paths: list[Path]) -> str:
    """A dataset name from the first file's name (``conversation.log`` → ``conversation``)."""
    import re

    stem = paths[0].stem if paths else "imported"
    name = re.sub(r"[^\w.\-]+", "-", stem, flags=re.UNICODE).strip("-.") or "imported"
    return name[:80]


class ImportPages:
    """The setup and result pages of the import dialog (a mixin of the dialog)."""

    def _setup_page(self, dataset: str | None, datasets: list[str]) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(0, 0, 0, 0)
        top = QFormLayout()
        names = ", ".join(p.name for p in self.paths[:4]) + (
            _(" and {n} more").format(n=len(self.paths) - 4) if len(self.paths) > 4 else "")
        self.files_label = QLabel(names)
        self.files_label.setToolTip("\n".join(str(p) for p in self.paths))
        self.preview_file = QComboBox()
        for p in self.paths:
            self.preview_file.addItem(p.name, str(p))
        self.preview_file.currentIndexChanged.connect(lambda _i: self._reset_mapping_and_preview())
        files_row = QHBoxLayout()
        files_row.addWidget(self.files_label, 1)
        if len(self.paths) > 1:
            files_row.addWidget(QLabel(_("Preview:")))
            files_row.addWidget(self.preview_file)
        top.addRow(_("Files:"), files_row)
        self.dataset = QComboBox()
        self.dataset.setEditable(True)
        self.dataset.addItems(datasets)
        self.dataset.setCurrentText(dataset or suggest_name(self.paths))
        self.dataset.setToolTip(_("An existing dataset gets the new examples added; a new name creates one."))
        top.addRow(_("Dataset:"), self.dataset)
        self.format = QComboBox()
        self.format.addItem(_("Detect automatically"), None)
        for key, info in self.importers.FORMATS.items():
            self.format.addItem(_(getattr(info, "label", key)), key)
        self.format.currentIndexChanged.connect(lambda _i: self._reset_mapping_and_preview())
        fmt_row = QHBoxLayout()
        self.format.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.format.setMinimumContentsLength(24)
        fmt_row.addWidget(self.format)
        self.detected = QLabel()
        self.detected.setWordWrap(True)
        fmt_row.addWidget(self.detected, 1)
        top.addRow(_("Format:"), fmt_row)
        lay.addLayout(top)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setProperty("tone", "warning-box")
        self.notice.hide()
        lay.addWidget(self.notice)

        middle = QHBoxLayout()
        self.speakers_box = QGroupBox(_("Speakers"))
        sl = QVBoxLayout(self.speakers_box)
        hint = QLabel(_("Which label is the user and which is the assistant. Edit a label or add one if the "
                        "log uses other names."))
        hint.setWordWrap(True)
        hint.setProperty("tone", "hint")
        sl.addWidget(hint)
        self.speakers = QTableWidget(0, 2)
        self.speakers.setHorizontalHeaderLabels([_("Label"), _("Role")])
        self.speakers.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.speakers.verticalHeader().hide()
        self.speakers.itemChanged.connect(lambda _it: self._mapping_edited())
        sl.addWidget(self.speakers, 1)
        srow = QHBoxLayout()
        add, remove = QPushButton(_("Add label")), QPushButton(_("Remove"))
        add.clicked.connect(lambda: (self.add_speaker("", "user"), self.speakers.editItem(
            self.speakers.item(self.speakers.rowCount() - 1, 0))))
        remove.clicked.connect(self._remove_speaker)
        srow.addWidget(add)
        srow.addWidget(remove)
        srow.addStretch(1)
        sl.addLayout(srow)
        middle.addWidget(self.speakers_box, 1)

        self.columns_box = QGroupBox(_("Columns"))
        cl = QFormLayout(self.columns_box)
        self.user_column = QComboBox()
        self.reply_column = QComboBox()
        self.user_column.currentIndexChanged.connect(lambda _i: self._mapping_edited())
        self.reply_column.currentIndexChanged.connect(lambda _i: self._mapping_edited())
        cl.addRow(_("Question column:"), self.user_column)
        cl.addRow(_("Answer column:"), self.reply_column)
        middle.addWidget(self.columns_box, 1)

        self.placeholders_box = QGroupBox(_("Placeholders"))
        phl = QVBoxLayout(self.placeholders_box)
        ph_hint = QLabel(_("The file is a template: fill in what replaces each {{placeholder}} (the assistant's "
                           "name, its author…)."))
        ph_hint.setWordWrap(True)
        ph_hint.setProperty("tone", "hint")
        phl.addWidget(ph_hint)
        self.placeholder_form = QFormLayout()
        phl.addLayout(self.placeholder_form)
        self.placeholder_note = QLabel()
        self.placeholder_note.setWordWrap(True)
        self.placeholder_note.setProperty("tone", "warning")
        phl.addWidget(self.placeholder_note)
        phl.addStretch(1)
        self.placeholders_box.hide()
        middle.addWidget(self.placeholders_box, 1)

        clean_box = QGroupBox(_("Cleaning"))
        kl = QVBoxLayout(clean_box)
        self.pii = QCheckBox(_("Replace personal data (e-mail, phone, CPF/CNPJ, card numbers)"))
        self.pii.toggled.connect(lambda _on: self._show_pii())
        self.near_dup = QCheckBox(_("Remove near-duplicates"))
        self.near_dup.setChecked(True)
        kl.addWidget(self.pii)
        kl.addWidget(self.near_dup)
        self.pii_view = QTreeWidget()
        self.pii_view.setHeaderLabels([_("Before"), _("After")])
        self.pii_view.setRootIsDecorated(False)
        self.pii_view.setWordWrap(True)
        self.pii_view.header().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.pii_note = QLabel()
        self.pii_note.setProperty("tone", "hint")
        self.pii_note.setWordWrap(True)
        kl.addWidget(self.pii_note)
        kl.addWidget(self.pii_view, 1)
        self.clean_spacer = QWidget()
        kl.addWidget(self.clean_spacer, 1)
        middle.addWidget(clean_box, 1)
        lay.addLayout(middle, 2)

        prev_box = QGroupBox(_("Preview of the first conversations"))
        pl = QVBoxLayout(prev_box)
        self.records = QTreeWidget()
        self.records.setHeaderLabels([_("Where"), _("Turns"), _("First user turn"), _("Reply or problem"),
                                      _("Rejected reply (pairs)")])
        self.records.setRootIsDecorated(False)
        self.records.setUniformRowHeights(True)
        header = self.records.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(2, 320)
        header.resizeSection(3, 300)
        pl.addWidget(self.records)
        lay.addWidget(prev_box, 3)
        return page

    def _result_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        self.result_title = QLabel()
        font = self.result_title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.result_title.setFont(font)
        self.result_title.setWordWrap(True)
        lay.addWidget(self.result_title)
        self.result_details = QLabel()
        self.result_details.setWordWrap(True)
        self.result_details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.result_details)
        self.result_warnings = QLabel()
        self.result_warnings.setWordWrap(True)
        self.result_warnings.setProperty("tone", "warning-box")
        lay.addWidget(self.result_warnings)
        row = QHBoxLayout()
        row.addWidget(QLabel(_("Problems:")))
        row.addStretch(1)
        self.rejects_btn = QPushButton(_("Open rejects file"))
        self.rejects_btn.clicked.connect(self.open_rejects)
        row.addWidget(self.rejects_btn)
        lay.addLayout(row)
        self.problems = QPlainTextEdit()
        self.problems.setReadOnly(True)
        # wrapped: a problem names its file:line, then the reason and the offending text, often wider than the page
        self.problems.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        lay.addWidget(self.problems, 1)
        return page
