"""The import dialog: detected format, encoding, speaker/column mapping, PII preview, a preview of the first
conversations, then the import itself in a thread with progress, Cancel and a summary.

The work is :mod:`aeon_studio.core.datasets.importers` (``preview_file``, ``import_files``) and
:func:`aeon_studio.core.datasets.clean.pii_preview`; the dialog only collects options and shows results.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QColor, QDesktopServices
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView,
                               QLabel, QPlainTextEdit, QProgressBar, QPushButton, QStackedWidget, QTableWidget,
                               QTableWidgetItem, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from aeon_studio.core.datasets.formats.garbled import misspelt_label, shown
from aeon_studio.core.i18n import N_, _, ngettext
from aeon_studio.app.datasets.jobs import DatasetJob

log = logging.getLogger(__name__)

FILE_FILTER = N_("Conversations and documents (*.log *.txt *.csv *.tsv *.json *.jsonl *.md *.pdf);;All files (*)")
ROLE_CHOICES = [("user", N_("user")), ("assistant", N_("assistant")), ("system", N_("system"))]
PREVIEW_LIMIT = 8
RED = QColor("#b3261e")


def _short(text: str, limit: int = 160) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def suggest_name(paths: list[Path]) -> str:
    """A dataset name from the first file's name (``conversation.log`` → ``conversation``)."""
    import re

    stem = paths[0].stem if paths else "imported"
    name = re.sub(r"[^\w.\-]+", "-", stem, flags=re.UNICODE).strip("-.") or "imported"
    return name[:80]


def guess_roles(labels: list[str], known: dict[str, str]) -> dict[str, str]:
    """Roles for speaker labels: ``known`` first (case-insensitive), then role-like names (``User``, ``Bot``…),
    then the first unknown label is the user and the next ones the assistant. A broken spelling of a known label
    (``AEOM``, ``V0CÊ``) gets no role: the import reports its lines."""
    from aeon_studio.core.datasets.records import ROLE_SYNONYMS

    lower = {k.casefold(): v for k, v in known.items()}
    out: dict[str, str] = {}
    unknown: list[str] = []
    for label in labels:
        role = lower.get(label.casefold()) or ROLE_SYNONYMS.get(label.strip().casefold())
        if role:
            out[label] = role
        elif misspelt_label(label, ":", list(known)) is None:
            unknown.append(label)
    has_user = "user" in out.values()
    for label in unknown:
        out[label] = "assistant" if has_user else "user"
        has_user = True
    return out


class ImportDialog(QDialog):
    """Signals: ``imported(name)`` after rows were added; ``finished_import(summary_or_None)`` when the run
    ended (``None`` when it failed)."""

    imported = Signal(str)
    finished_import = Signal(object)

    def __init__(self, ctx, paths: list[Path], *, dataset: str | None = None, datasets: list[str] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from aeon_studio.core.datasets import importers

        self.ctx = ctx
        self.importers = importers
        self.paths = [Path(p) for p in paths]
        self.preview: Any = None
        self.job: DatasetJob | None = None
        self.summary: Any = None
        self._filling = False
        self.setWindowTitle(_("Import into a dataset"))
        self.resize(960, 720)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self.refresh_preview)

        lay = QVBoxLayout(self)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._setup_page(dataset, datasets or []))
        self.pages.addWidget(self._result_page())
        lay.addWidget(self.pages, 1)
        bottom = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress.setTextVisible(True)
        self.progress.setFormat("%p%")
        self.progress.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        bottom.addWidget(self.progress, 2)
        bottom.addWidget(self.status, 3)
        self.import_btn = QPushButton(_("Import"))
        self.import_btn.setDefault(True)
        self.import_btn.clicked.connect(lambda: self.start_import())
        self.cancel_btn = QPushButton(_("Cancel"))
        self.cancel_btn.clicked.connect(self.cancel)
        self.close_btn = QPushButton(_("Close"))
        self.close_btn.clicked.connect(self.reject)
        self.close_btn.hide()
        for b in (self.import_btn, self.cancel_btn, self.close_btn):
            bottom.addWidget(b)
        lay.addLayout(bottom)
        self.refresh_preview()

    # -- layout ------------------------------------------------------------------------------
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
        self.records.setHeaderLabels([_("Where"), _("Turns"), _("First user turn"), _("Reply or problem")])
        self.records.setRootIsDecorated(False)
        self.records.setUniformRowHeights(True)
        header = self.records.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(2, 320)
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
        self.problems.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        lay.addWidget(self.problems, 1)
        return page

    # -- mapping -----------------------------------------------------------------------------
    def add_speaker(self, label: str, role: str) -> None:
        self._filling = True
        r = self.speakers.rowCount()
        self.speakers.insertRow(r)
        self.speakers.setItem(r, 0, QTableWidgetItem(label))
        combo = QComboBox()
        for key, text in ROLE_CHOICES:
            combo.addItem(_(text), key)
        combo.setCurrentIndex(max(0, combo.findData(role)))
        combo.currentIndexChanged.connect(lambda _i: self._mapping_edited())
        self.speakers.setCellWidget(r, 1, combo)
        self._filling = False

    def _remove_speaker(self) -> None:
        r = self.speakers.currentRow()
        if r >= 0:
            self.speakers.removeRow(r)
            self._mapping_edited()

    def speaker_map(self) -> dict[str, str]:
        """The label → role mapping as edited (empty labels left out)."""
        out = {}
        for r in range(self.speakers.rowCount()):
            item = self.speakers.item(r, 0)
            combo = self.speakers.cellWidget(r, 1)
            label = item.text().strip() if item is not None else ""
            if label and combo is not None:
                out[label] = combo.currentData()
        return out

    def set_speaker_role(self, label: str, role: str) -> None:
        """Set (or add) the role of ``label`` in the mapping editor."""
        for r in range(self.speakers.rowCount()):
            if self.speakers.item(r, 0).text().strip() == label:
                combo = self.speakers.cellWidget(r, 1)
                combo.setCurrentIndex(combo.findData(role))
                return
        self.add_speaker(label, role)
        self._mapping_edited()

    def column_map(self) -> dict[str, str] | None:
        user, reply = self.user_column.currentData(), self.reply_column.currentData()
        if not user or not reply:  # the core needs both; "(automatic)" on either side detects both
            return None
        return {"user": user, "assistant": reply}

    def _mapping_edited(self) -> None:
        if not self._filling:
            self._timer.start()

    def _reset_mapping_and_preview(self) -> None:
        self._filling = True
        self.speakers.setRowCount(0)
        self.user_column.clear()
        self.reply_column.clear()
        self._filling = False
        self.refresh_preview()

    def current_format(self) -> str | None:
        return self.format.currentData()

    def options(self) -> dict[str, Any]:
        """The keyword arguments of ``import_files`` / ``preview_file`` chosen in the dialog."""
        fmt = self.current_format() or (self.preview.format if self.preview is not None and len(self.paths) == 1
                                         else None)
        speakers = self.speaker_map() if not self.speakers_box.isHidden() or fmt == "log" else None
        return {"fmt": self.current_format(), "speakers": speakers or None,
                "columns": self.column_map() if fmt == "csv" else None}

    # -- preview -----------------------------------------------------------------------------
    def refresh_preview(self) -> None:
        """Preview the chosen file with the current options (the first few records only)."""
        self._timer.stop()
        path = Path(self.preview_file.currentData() or self.paths[0])
        opts = self.options()
        try:
            pv = self.importers.preview_file(path, fmt=opts["fmt"], speakers=opts["speakers"],
                                             columns=opts["columns"], limit=PREVIEW_LIMIT)
        except Exception as err:  # noqa: BLE001 - shown in the dialog, the user can change the options
            log.info("preview of %s failed: %s", path, err)
            self.preview = None
            self._show_failure(err)
            return
        self.preview = pv
        refill = self._fill_mapping(pv)
        if refill:
            # The labels found were given roles: preview again with that mapping (once).
            opts = self.options()
            try:
                pv = self.importers.preview_file(path, fmt=opts["fmt"], speakers=opts["speakers"],
                                                 columns=opts["columns"], limit=PREVIEW_LIMIT)
                self.preview = pv
            except Exception as err:  # noqa: BLE001
                self._show_failure(err)
                return
        self._show_preview(pv)

    def _fill_mapping(self, pv) -> bool:
        """Add found speaker labels / CSV columns to the editors; True when the mapping changed."""
        changed = False
        fmt = pv.format
        self.speakers_box.setVisible(fmt == "log")
        self.columns_box.setVisible(fmt == "csv")
        if fmt == "log":
            have = {lab.casefold() for lab in self.speaker_map()}
            known = dict(getattr(self.importers, "DEFAULT_SPEAKERS", {}))
            known.update(self.speaker_map())
            labels = list(pv.speakers_found or [])
            if not have and not labels:
                labels = list(known)
            for label, role in guess_roles([lab for lab in labels if lab.casefold() not in have], known).items():
                self.add_speaker(label, role)
                changed = True
        if fmt == "csv" and self.user_column.count() == 0:
            self._filling = True
            for combo in (self.user_column, self.reply_column):
                combo.addItem(_("(automatic)"), None)
                for c in pv.columns or []:
                    combo.addItem(c, c)
            self._filling = False
        return changed

    def _show_failure(self, err: BaseException) -> None:
        self.records.clear()
        item = QTreeWidgetItem(["", "", "", str(err)])
        item.setForeground(3, RED)
        self.records.addTopLevelItem(item)
        self.detected.setText("")
        self.notice.hide()
        self.status.setText(_("This file cannot be previewed with these options."))
        self.import_btn.setEnabled(False)

    def _show_preview(self, pv) -> None:
        info = self.importers.FORMATS.get(pv.format)
        label = _(info.label) if info is not None and getattr(info, "label", None) else pv.format
        self.detected.setText(_("detected: {fmt}").format(fmt=label) if self.current_format() is None
                              else "")
        notes = []
        if pv.encoding and pv.encoding.replace("-", "").lower() not in ("utf8", "ascii"):
            notes.append(_("Encoding: {enc} (converted to UTF-8).").format(enc=pv.encoding))
        if pv.repaired_mojibake:
            notes.append(_("Garbled accents (mojibake such as 'VOCÃŠ' or 'Ã©') were found and repaired."))
        self.notice.setText(" ".join(notes))
        self.notice.setVisible(bool(notes))
        self.records.clear()
        valid = 0
        left_out = 0
        for rec in pv.records:
            user = next((m.get("content", "") for m in rec.messages if m.get("role") == "user"), "")
            reply = next((m.get("content", "") for m in rec.messages if m.get("role") == "assistant"), "")
            if self.importers.is_line_problem(rec, pv.format):
                left_out += 1
                text = shown(str(rec.extra.get("text", "")))
                item = QTreeWidgetItem([rec.ref, "–", text, rec.problem])
                item.setForeground(2, RED)
                item.setForeground(3, RED)
                item.setToolTip(2, text)
                item.setToolTip(3, rec.problem)
            elif rec.problem:
                item = QTreeWidgetItem([rec.ref, str(len(rec.messages)), _short(user),
                                        _("Rejected: {reason}").format(reason=rec.problem)])
                item.setForeground(3, RED)
                item.setToolTip(3, rec.problem)
            else:
                valid += 1
                item = QTreeWidgetItem([rec.ref, str(len(rec.messages)), _short(user), _short(reply)])
                item.setToolTip(2, _short(user, 1000))
                item.setToolTip(3, _short(reply, 1000))
            self.records.addTopLevelItem(item)
        for ref, text in getattr(pv, "passages", None) or []:
            item = QTreeWidgetItem([ref, "", _("passage"), _short(text)])
            item.setToolTip(3, _short(text, 1000))
            self.records.addTopLevelItem(item)
        if not pv.records and not getattr(pv, "passages", None):
            self.records.addTopLevelItem(QTreeWidgetItem(["", "", _("No conversation found in the first lines."),
                                                          ""]))
        if pv.format == "document":
            self.status.setText(_("Documents are split into passages (for memory and question generation); "
                                  "they add no examples by themselves."))
        else:
            n = len(pv.records) - left_out
            status = ngettext("{valid} of the first {n} conversation is valid.",
                              "{valid} of the first {n} conversations are valid.", n).format(valid=valid, n=n)
            if left_out:
                status += " " + ngettext("{n} line is not part of any turn and will be left out (in red).",
                                         "{n} lines are not part of any turn and will be left out (in red).",
                                         left_out).format(n=left_out)
            self.status.setText(status)
        self.import_btn.setEnabled(self.job is None)
        self._show_pii()

    def _show_pii(self) -> None:
        on = self.pii.isChecked()
        self.pii_view.setVisible(on)
        self.pii_note.setVisible(on)
        self.clean_spacer.setVisible(not on)
        self.pii_view.clear()
        if not on or self.preview is None:
            return
        from aeon_studio.core.datasets.clean import pii_preview

        try:
            pairs = pii_preview([r for r in self.preview.records if not r.problem], limit=20)
        except Exception as err:  # noqa: BLE001
            self.pii_note.setText(str(err))
            return
        for before, after in pairs:
            item = QTreeWidgetItem([_short(before, 120), _short(after, 120)])
            item.setToolTip(0, before)
            item.setToolTip(1, after)
            self.pii_view.addTopLevelItem(item)
        self.pii_note.setText(_("Changes in the preview:") if pairs else
                              _("No personal data found in the preview; the whole file is checked on import."))

    # -- import ------------------------------------------------------------------------------
    def dataset_name(self) -> str:
        return self.dataset.currentText().strip()

    def start_import(self) -> DatasetJob | None:
        """Run ``import_files`` in a thread with the dialog's options."""
        from aeon_studio.core.datasets import DatasetStore

        if self.job is not None:
            return self.job
        name = self.dataset_name()
        opts = self.options()
        pii, near_dup = self.pii.isChecked(), self.near_dup.isChecked()
        store = DatasetStore(self.ctx.db)

        def work(progress, cancel):
            return self.importers.import_files(name, self.paths, fmt=opts["fmt"], speakers=opts["speakers"],
                                               columns=opts["columns"], pii=pii, near_dup=near_dup, store=store,
                                               progress=progress, cancel=cancel)

        self.job = DatasetJob(work, self)
        self.job.progressed.connect(self._progress)
        self.job.succeeded.connect(self._done)
        self.job.failed.connect(self._failed)
        self.import_btn.setEnabled(False)
        self.pages.widget(0).setEnabled(False)
        self.progress.setValue(0)
        self.progress.show()
        self.status.setText(_("Importing into '{name}'…").format(name=name))
        self.job.start()
        return self.job

    def _progress(self, done: int, total: int) -> None:
        self.progress.setValue(int(1000 * done / total) if total else 0)
        mb = 1024 * 1024
        self.status.setText(_("Importing… {done:.1f} of {total:.1f} MB").format(done=done / mb, total=total / mb))

    def cancel(self) -> None:
        if self.job is not None and self.job.isRunning():
            self.job.cancel()
            self.cancel_btn.setEnabled(False)
            self.status.setText(_("Cancelling…"))
        else:
            self.reject()

    def _finish_job(self) -> bool:
        cancelled = self.job is not None and self.job.cancel_event.is_set()
        if self.job is not None:
            self.job.wait(5000)
        self.job = None
        self.progress.hide()
        self.import_btn.hide()
        self.cancel_btn.hide()
        self.close_btn.show()
        self.close_btn.setDefault(True)
        return cancelled

    def _done(self, summary) -> None:
        cancelled = self._finish_job() or bool(getattr(summary, "cancelled", False))
        self.summary = summary
        self.show_summary(summary, cancelled=cancelled)
        if not cancelled and (summary.imported or getattr(summary, "passages", 0)):
            self.imported.emit(summary.name)
        self.finished_import.emit(summary)

    def _failed(self, err) -> None:
        cancelled = self._finish_job()
        self.pages.setCurrentIndex(1)
        self.result_title.setText(_("Import cancelled.") if cancelled else _("Import failed."))
        hint = getattr(err, "hint", None)
        self.result_details.setText(str(err) + (f"\n{hint}" if hint and hint not in str(err) else ""))
        self.result_warnings.hide()
        self.rejects_btn.setEnabled(False)
        self.problems.setPlainText("")
        self.status.setText("")
        # Rows may have been written before a cancel: let the tab refresh either way.
        self.imported.emit(self.dataset_name())
        self.finished_import.emit(None)

    def show_summary(self, s, *, cancelled: bool = False) -> None:
        self.pages.setCurrentIndex(1)
        title = (_("Import cancelled; '{name}' was left as it was.") if cancelled else
                 ngettext("Imported {n} example into '{name}'.", "Imported {n} examples into '{name}'.", s.imported))
        self.result_title.setText(title.format(n=f"{s.imported:,}", name=s.name))
        read = _("Read {conversations} from {files}.").format(
            conversations=ngettext("{n} conversation", "{n} conversations", s.read).format(n=f"{s.read:,}"),
            files=ngettext("{n} file", "{n} files", s.files).format(n=s.files))
        skipped = _("Skipped {duplicates} and {near}.").format(
            duplicates=ngettext("{n} duplicate", "{n} duplicates", s.duplicates).format(n=f"{s.duplicates:,}"),
            near=ngettext("{n} near-duplicate", "{n} near-duplicates", s.near_duplicates).format(
                n=f"{s.near_duplicates:,}"))
        lines = [read, skipped,
                 ngettext("Rejected {r} record (see the problems below).",
                          "Rejected {r} records (see the problems below).", s.rejected).format(r=f"{s.rejected:,}")
                 if s.rejected else _("No record was rejected.")]
        if s.pii_replacements:
            lines.append(ngettext("Replaced {n} piece of personal data.", "Replaced {n} pieces of personal data.",
                                  s.pii_replacements).format(n=f"{s.pii_replacements:,}"))
        if getattr(s, "passages", 0):
            lines.append(ngettext("Stored {n} document passage.", "Stored {n} document passages.", s.passages)
                         .format(n=f"{s.passages:,}"))
        if s.domains:
            from aeon_studio.app.datasets.model import DOMAIN_NAMES

            lines.append(_("Domains: {list}").format(list=", ".join(
                f"{_(DOMAIN_NAMES[d]) if d in DOMAIN_NAMES else d} {n:,}"
                for d, n in sorted(s.domains.items(), key=lambda kv: -kv[1]))))
        self.result_details.setText("\n".join(lines))
        self.result_warnings.setText("\n".join("⚠ " + w for w in s.warnings or []))
        self.result_warnings.setVisible(bool(s.warnings))
        rejects = s.rejects_path
        self.rejects_btn.setEnabled(bool(rejects) and Path(rejects).exists())
        self.rejects_btn.setToolTip(str(rejects or ""))
        self.problems.setPlainText("\n".join(s.problems or []) or _("None."))
        self.status.setText("")

    def open_rejects(self) -> bool:
        path = self.summary.rejects_path if self.summary is not None else None
        if not path:
            return False
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def reject(self) -> None:  # noqa: D401 - Qt name: closing the dialog
        if self.job is not None and self.job.isRunning():
            self.cancel()
            return
        super().reject()
