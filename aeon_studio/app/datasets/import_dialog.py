"""The import dialog: detected format, encoding, speaker/column mapping, PII preview, a preview of the first
conversations, then the import itself in a thread with progress, Cancel and a summary.

The work is :mod:`aeon_studio.core.datasets.importers` (``preview_file``, ``import_files``) and
:func:`aeon_studio.core.datasets.clean.pii_preview`; the dialog only collects options and shows results. Its pages
are laid out in :mod:`~aeon_studio.app.datasets.import_pages`, what it shows of a preview or a run in
:mod:`~aeon_studio.app.datasets.import_results`; this module keeps the mapping editor, the options and the run.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QComboBox, QDialog, QHBoxLayout, QLabel, QLineEdit, QProgressBar, QPushButton,
                               QStackedWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from aeon_studio.core.datasets.formats.garbled import misspelt_label
from aeon_studio.core.i18n import N_, _, ngettext
from aeon_studio.app.datasets.import_pages import ImportPages
from aeon_studio.app.datasets.import_results import ImportResults
from aeon_studio.app.datasets.jobs import DatasetJob

log = logging.getLogger(__name__)

FILE_FILTER = N_("Conversations and documents (*.log *.txt *.csv *.tsv *.json *.jsonl *.md *.pdf);;All files (*)")
ROLE_CHOICES = [("user", N_("user")), ("assistant", N_("assistant")), ("system", N_("system"))]
PREVIEW_LIMIT = 8


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


class ImportDialog(ImportPages, ImportResults, QDialog):
    """Signals: ``imported(name)`` after rows were added; ``finished_import(summary_or_None)`` when the run
    ended (``None`` when it failed). Its pages come from :class:`ImportPages`, what it shows from
    :class:`ImportResults`."""

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
        #: One field per ``{{placeholder}}`` found in the previewed files (name → field).
        self.placeholder_fields: dict[str, QLineEdit] = {}
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

    def placeholder_values(self) -> dict[str, str]:
        """The values typed for the ``{{placeholders}}`` (empty fields left out)."""
        return {n: f.text() for n, f in self.placeholder_fields.items() if f.text().strip()}

    def set_placeholder(self, name: str, value: str) -> None:
        """Type ``value`` into the field of ``{{name}}`` (the preview follows)."""
        self.placeholder_fields[name].setText(value)

    def _fill_placeholders(self, pv) -> None:
        """A field for each placeholder of the preview not shown yet; the note says which stay unfilled."""
        for name in getattr(pv, "placeholders", None) or []:
            if name in self.placeholder_fields:
                continue
            field = QLineEdit()
            field.setPlaceholderText(_("what replaces {placeholder}").format(placeholder="{{" + name + "}}"))
            field.textEdited.connect(lambda _t: self._mapping_edited())
            self.placeholder_fields[name] = field
            self.placeholder_form.addRow("{{" + name + "}}", field)
        self.placeholders_box.setVisible(bool(self.placeholder_fields))
        values = self.placeholder_values()
        unfilled = [n for n in self.placeholder_fields if n not in values]
        from aeon_studio.core.datasets.placeholders import braces

        self.placeholder_note.setText(
            ngettext("{names} has no value: it would be trained on literally.",
                     "{names} have no value: they would be trained on literally.", len(unfilled)).format(
                names=braces(unfilled)) if unfilled else "")
        self.placeholder_note.setVisible(bool(unfilled))

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
                "columns": self.column_map() if fmt == "csv" else None, "values": self.placeholder_values()}

    # -- preview -----------------------------------------------------------------------------
    def refresh_preview(self) -> None:
        """Preview the chosen file with the current options (the first few records only)."""
        self._timer.stop()
        path = Path(self.preview_file.currentData() or self.paths[0])
        opts = self.options()
        try:
            pv = self.importers.preview_file(path, fmt=opts["fmt"], speakers=opts["speakers"],
                                             columns=opts["columns"], limit=PREVIEW_LIMIT, values=opts["values"])
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
                                                 columns=opts["columns"], limit=PREVIEW_LIMIT, values=opts["values"])
                self.preview = pv
            except Exception as err:  # noqa: BLE001
                self._show_failure(err)
                return
        self._fill_placeholders(pv)
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
                                               progress=progress, cancel=cancel, values=opts["values"])

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
