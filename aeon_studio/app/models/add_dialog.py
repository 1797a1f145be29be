"""The "Add model…" dialog: download from the Hugging Face Hub, use a model Ollama already has, or a GGUF file.

Widgets only: the work is :mod:`aeon_studio.core.models.hub` (listing, download, registration),
:mod:`aeon_studio.core.ollama.library` and the model registry, run in a :class:`BackgroundJob` so the window
stays responsive; a download reports its bytes to the progress bar and stops on Cancel (what arrived is kept,
and downloading the same file again continues from there).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QProgressBar, QPushButton, QTabWidget, QVBoxLayout, QWidget)

from aeon_studio.app.context import AppContext
from aeon_studio.app.models.rows import RowsModel, make_table
from aeon_studio.app.shared.errors import show_error
from aeon_studio.app.shared.jobs import BackgroundJob
from aeon_studio.core.i18n import _

GREY = QColor("#8a8a8a")


def _size(n: int | None) -> str:
    from aeon_studio.core.models.gguf_info import human_size

    return human_size(n) if n else "—"


def _gb(n: int | None) -> str:
    """Memory in GB with one decimal: "1.0 GB" reads better next to "1.4 GB" than "1006.4 MB" does."""
    return f"{n / 1024 ** 3:.1f} GB" if n else "—"


class AddModelDialog(QDialog):
    """Three ways to add a base model; ``added(ModelInfo)`` after each one that worked."""

    added = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.job: BackgroundJob | None = None
        self._closing = False
        self.setWindowTitle(_("Add a model"))
        self.resize(1100, 660)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._hub_page(), _("Download (Hugging Face)"))
        self.tabs.addTab(self._ollama_page(), _("From Ollama"))
        self.tabs.addTab(self._file_page(), _("File on disk"))
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.status = QLabel(_("Pick a recommended model, or type the name of a repository on the Hub."))
        self.status.setWordWrap(True)
        self.cancel_button = QPushButton(_("Cancel download"))
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.progress, 2)
        bottom.addWidget(self.cancel_button)
        bottom.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status)
        layout.addLayout(bottom)
        self.refresh_ollama()
        self._update_buttons()

    # -- pages ---------------------------------------------------------------------------------
    def _hub_page(self) -> QWidget:
        from aeon_studio.core.models.hub import ram_needed
        from aeon_studio.core.models.recommended import RECOMMENDED

        page = QWidget()
        lay = QVBoxLayout(page)
        intro = QLabel(_("<b>Recommended</b>: small chat models that answer well in Portuguese and run on a "
                         "laptop's processor. Sizes are the download; memory is what chatting with it needs."))
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.rec_model = RowsModel([(_("Model"), lambda r: r.name), (_("Size"), lambda r: _size(r.size)),
                                    (_("Memory"), lambda r: _gb(r.ram)), (_("Why this one"), lambda r: r.note),
                                    (_("Repository"), lambda r: r.repo)], self)
        self.rec_model.numeric = {1, 2}
        self.rec_model.set_rows(list(RECOMMENDED))
        self.rec_view = make_table(self.rec_model, 3)
        header = self.rec_view.horizontalHeader()
        self.rec_view.setFixedHeight(header.sizeHint().height() + self.rec_view.verticalHeader().length()
                                     + 2 * self.rec_view.frameWidth())  # the rows, no empty band below
        self.rec_view.selectionModel().selectionChanged.connect(self._recommended_picked)
        lay.addWidget(self.rec_view)
        form = QFormLayout()
        row = QHBoxLayout()
        self.repo_edit = QLineEdit()
        self.repo_edit.setPlaceholderText(_("owner/name, e.g. Qwen/Qwen2.5-0.5B-Instruct-GGUF"))
        self.repo_edit.textEdited.connect(self._repo_typed)
        self.repo_edit.returnPressed.connect(self.list_files)
        self.list_button = QPushButton(_("List files"))
        self.list_button.clicked.connect(self.list_files)
        row.addWidget(self.repo_edit, 1)
        row.addWidget(self.list_button)
        form.addRow(_("Repository:"), row)
        lay.addLayout(form)
        self.files_model = RowsModel([(_("File"), lambda f: f.filename), (_("Quantization"), lambda f: f.quant or "—"),
                                      (_("Size"), lambda f: _size(f.size)),
                                      (_("Memory"), lambda f: _gb(ram_needed(f.size)) if f.size else "—"),
                                      (_("Note"), lambda f: f.note)], self)
        self.files_model.numeric = {2, 3}
        self.files_model.colors = lambda f, _col: None if f.usable else GREY
        self.files_view = make_table(self.files_model, 0)
        self.files_view.selectionModel().selectionChanged.connect(self._update_buttons)
        lay.addWidget(self.files_view, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.download_button = QPushButton(_("Download and add"))
        self.download_button.setDefault(True)
        self.download_button.clicked.connect(self.download)
        row.addWidget(self.download_button)
        lay.addLayout(row)
        self._picked_file: str | None = None
        return page

    def _ollama_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        self.ollama_intro = QLabel()
        self.ollama_intro.setWordWrap(True)
        lay.addWidget(self.ollama_intro)
        self.ollama_model = RowsModel([(_("Name"), lambda m: m.name), (_("Size"), lambda m: _size(m.size)),
                                       (_("Format"), lambda m: "GGUF" if m.is_gguf else _("not GGUF: cannot be "
                                                                                           "loaded here")),
                                       (_("In Aeon Studio"), lambda m: _("added") if str(m.blob) in self._in_app
                                        else ""),
                                       (_("File"), lambda m: str(m.blob))], self)
        self.ollama_model.numeric = {1}
        self.ollama_model.colors = lambda m, _col: None if m.is_gguf else GREY
        self._in_app: set[str] = set()  # blobs already registered
        self.ollama_view = make_table(self.ollama_model, 4)
        self.ollama_view.selectionModel().selectionChanged.connect(self._update_buttons)
        lay.addWidget(self.ollama_view, 1)
        row = QHBoxLayout()
        rescan = QPushButton(_("Look again"))
        rescan.clicked.connect(self.refresh_ollama)
        row.addWidget(rescan)
        row.addStretch(1)
        self.ollama_button = QPushButton(_("Add selected"))
        self.ollama_button.clicked.connect(self.add_ollama)
        row.addWidget(self.ollama_button)
        lay.addLayout(row)
        return page

    def _file_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        intro = QLabel(_("A GGUF model file you already have (llama.cpp's format). It is used where it is, "
                         "not copied."))
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        row = QHBoxLayout()
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText(_("/path/to/model.gguf"))
        self.path_edit.textChanged.connect(self._update_buttons)
        browse = QPushButton(_("Choose…"))
        browse.clicked.connect(self._browse)
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        form.addRow(_("File:"), row)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(_("optional; the name inside the file otherwise"))
        form.addRow(_("Name:"), self.name_edit)
        lay.addLayout(form)
        lay.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.file_button = QPushButton(_("Add file"))
        self.file_button.clicked.connect(self.add_file)
        row.addWidget(self.file_button)
        lay.addLayout(row)
        return page

    # -- state -----------------------------------------------------------------------------------
    def _selected(self, view, model) -> Any:
        rows = view.selectionModel().selectedRows()
        return model.rows[rows[0].row()] if rows else None

    def _update_buttons(self, *_args: object) -> None:
        idle = self.job is None
        hub_file = self._selected(self.files_view, self.files_model)
        self.download_button.setEnabled(idle and bool(self.repo_edit.text().strip())
                                        and (hub_file is None or hub_file.usable))
        self.list_button.setEnabled(idle)
        oll = self._selected(self.ollama_view, self.ollama_model)
        self.ollama_button.setEnabled(idle and oll is not None and oll.is_gguf)
        self.file_button.setEnabled(idle and bool(self.path_edit.text().strip()))

    def _recommended_picked(self, *_args: object) -> None:
        rec = self._selected(self.rec_view, self.rec_model)
        if rec is None:
            return
        self.repo_edit.setText(rec.repo)
        self._picked_file = rec.filename
        self.files_model.set_rows([])
        self.status.setText(_("{name}: {file}, {size} to download, about {ram} of memory to chat.").format(
            name=rec.name, file=rec.filename, size=_size(rec.size), ram=_gb(rec.ram)))
        self._update_buttons()

    def _repo_typed(self, _text: str) -> None:
        self._picked_file = None  # a repo typed by hand: its files must be listed or Q4_K_M is taken
        self.rec_view.clearSelection()
        self.files_model.set_rows([])
        self._update_buttons()

    def refresh_ollama(self) -> None:
        from aeon_studio.core.ollama.library import list_ollama_models, ollama_models_dir

        from aeon_studio.core.models.registry import ModelRegistry

        folder = ollama_models_dir()
        models = list_ollama_models(folder)
        self._in_app = {str(m.path) for m in ModelRegistry(self.ctx.db).list() if m.source == "ollama"}
        self.ollama_model.set_rows([])  # the "added" column may change while the rows do not
        self.ollama_model.set_rows(models)
        if models:
            self.ollama_intro.setText(_("Models Ollama already has in {folder}. Aeon Studio uses their file "
                                        "where it is: nothing is copied or downloaded.").format(folder=folder))
        else:
            self.ollama_intro.setText(_("No Ollama models found in {folder}. If Ollama keeps them elsewhere, set "
                                        "OLLAMA_MODELS to that folder and look again.").format(folder=folder))
        self._update_buttons()

    def _browse(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, _("Choose a GGUF model"), str(Path.home()),
                                                    _("GGUF models (*.gguf);;All files (*)"))
        if path:
            self.path_edit.setText(path)

    # -- actions -----------------------------------------------------------------------------------
    def _start(self, title: str, fn: Callable[[Callable[[float, str], None], Callable[[], bool]], Any],
               done: Callable[[Any], None], *, cancellable: bool = False) -> BackgroundJob | None:
        if self.job is not None:
            return None
        self.job = BackgroundJob(fn, title, self)
        self.progress.setValue(0)
        self.progress.setRange(0, 100 if cancellable else 0)  # busy bar when there are no bytes to count
        self.job.progressed.connect(self._on_progress)
        self.job.succeeded.connect(done)
        self.job.failed.connect(lambda err: self._failed(title, err))
        self.job.finished.connect(self._job_done)
        self.cancel_button.setEnabled(cancellable)
        self._update_buttons()
        self.job.start()
        return self.job

    def _on_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(fraction * 100))
        self.status.setText(message)

    def _failed(self, title: str, err: Exception) -> None:
        from aeon_studio.core.models.download import DownloadCancelled

        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        if isinstance(err, DownloadCancelled):
            self.status.setText(_("Download cancelled. Downloading the same file again continues where it "
                                  "stopped."))
            return
        self.status.setText(str(err).splitlines()[0])
        if not self._closing:
            show_error(self, title, err)

    def _job_done(self) -> None:
        if self.job is not None:
            self.job.deleteLater()
        self.job = None
        self.cancel_button.setEnabled(False)
        self.progress.setRange(0, 100)
        self._update_buttons()
        if self._closing:
            super().reject()

    def _added(self, info) -> None:
        self.progress.setValue(100)
        self.status.setText(_("Added '{name}' ({size}). Pick it in the chat's model list.").format(
            name=info.name, size=_size(info.size)))
        self.refresh_ollama()
        self.added.emit(info)

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.status.setText(_("Stopping the download…"))

    def reject(self) -> None:
        """Closing while a download runs stops it first (the bytes so far are kept), then closes."""
        if self.job is not None:
            self._closing = True
            self.cancel()
            return
        super().reject()

    def list_files(self) -> BackgroundJob | None:
        from aeon_studio.core.models.hub import list_gguf_files

        repo = self.repo_edit.text().strip()
        if not repo:
            return None
        self.status.setText(_("Asking the Hub for the files of {repo}…").format(repo=repo))

        def shown(listing) -> None:
            self.files_model.set_rows(listing.files)
            pick = self._picked_file or next((f.filename for f in listing.files if f.quant == "Q4_K_M"), None)
            for i, f in enumerate(listing.files):
                if f.filename == pick or (pick is None and f.usable):
                    self.files_view.selectRow(i)
                    break
            self.status.setText(_("Pick a file: Q4_K_M is the usual balance of size and quality."))

        return self._start(_("List files"), lambda _p, _c: list_gguf_files(repo), shown)

    def download(self) -> BackgroundJob | None:
        from aeon_studio.core.models.hub import pull
        from aeon_studio.core.models.registry import ModelRegistry

        repo = self.repo_edit.text().strip()
        chosen = self._selected(self.files_view, self.files_model)
        filename = chosen.filename if chosen is not None else self._picked_file
        db = self.ctx.db
        if not repo:
            return None
        if filename is None:
            return self.list_files()  # a repo typed by hand: show its files (Q4_K_M preselected) before downloading

        def work(progress, cancelled):
            def bytes_done(done: int, total: int) -> None:
                progress(done / total if total else 0.0, _("Downloading {file}: {done} of {total}").format(
                    file=filename or repo, done=_size(done), total=_size(total)))

            progress(0.0, _("Checking {repo} and the free space…").format(repo=repo))
            return pull(repo, filename=filename, progress=bytes_done, cancel=cancelled, registry=ModelRegistry(db))

        return self._start(_("Download model"), work, self._added, cancellable=True)

    def add_ollama(self) -> BackgroundJob | None:
        from aeon_studio.core.models.ollama_models import add_ollama_model
        from aeon_studio.core.models.registry import ModelRegistry

        model = self._selected(self.ollama_view, self.ollama_model)
        if model is None:
            return None
        db, folder = self.ctx.db, model.blob.parent.parent
        self.status.setText(_("Reading {name}…").format(name=model.name))
        return self._start(_("Add Ollama model"), lambda _p, _c: add_ollama_model(
            model.name, registry=ModelRegistry(db), models_dir=folder), self._added)

    def add_file(self) -> BackgroundJob | None:
        from aeon_studio.core.models.registry import ModelRegistry

        path, name, db = Path(self.path_edit.text().strip()), self.name_edit.text().strip() or None, self.ctx.db
        self.status.setText(_("Reading {file}…").format(file=path.name))
        return self._start(_("Add model file"), lambda _p, _c: ModelRegistry(db).add(path, name), self._added)
