"""Memory tab: what the assistant remembers — list, search (by words or by meaning), add, edit, forget,
"forget everything about…", import documents (also by drag and drop), index status and rebuild.

Listing and counting read SQLite only. Everything that may load the embedding model (torch) — adding,
editing, a search by meaning, importing, rebuilding — runs in a :class:`BackgroundJob` thread, and nothing
touches the memory store before the tab is first shown, so the window opens without torch. Adding, editing and
forgetting live in :mod:`~aeon_studio.app.memory.actions`; which store the app uses, and its warm-up after start,
in :mod:`~aeon_studio.app.memory.store`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QShowEvent
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QFileDialog, QHBoxLayout, QHeaderView,
                               QLabel, QLineEdit, QProgressBar, QPushButton, QTableView, QVBoxLayout, QWidget)

from aeon_studio.core.i18n import N_, _, ngettext
from aeon_studio.app.context import AppContext
from aeon_studio.app.shared.live import LiveView
from aeon_studio.app.shared.errors import show_error
from aeon_studio.app.memory.actions import MemoryActions
from aeon_studio.app.memory.model_switch import MemoryModelSwitch
from aeon_studio.app.shared.jobs import BackgroundJob, Progress
from aeon_studio.app.memory.model import DATE, KIND, SCORE, SOURCE, TEXT, MemoryItemsModel
from aeon_studio.app.memory.store import memory_store

log = logging.getLogger(__name__)

#: Files the importer reads (drag and drop accepts the same).
DOCUMENT_SUFFIXES = (".txt", ".md", ".markdown", ".pdf")
#: How many items the list shows at once (the count says how many there are).
PAGE = 500
#: How many results a search by meaning shows.
SEMANTIC_K = 50
SEARCH_DELAY_MS = 300
STATE_TEXT = {"ok": N_("up to date"), "missing": N_("not built yet"), "rebuilt": N_("rebuilt"),
              "stale": N_("out of date — rebuild it"), "not loaded": N_("not loaded yet")}
KIND_FILTERS = [(N_("All kinds"), None), (N_("Facts"), "fact"), (N_("Conversations"), "exchange"),
                (N_("Documents"), "passage")]


class MemoryTab(MemoryActions, MemoryModelSwitch, QWidget):
    """The Memory tab; adding, editing and forgetting come from :class:`MemoryActions`, switching the embedding
    model from :class:`MemoryModelSwitch`."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.job: BackgroundJob | None = None
        self.total = 0
        self._store = None
        self._loaded = False
        self.live = LiveView(self, ctx.changes, {"memory"}, self._data_changed)  # "*" too: other connections
        self._refresh_pending = False
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)
        self.setAcceptDrops(True)
        self._build()

    def tab_title(self) -> str:
        return _("Memory")

    @property
    def store(self):
        """The :class:`MemoryStore` (created on first use; no embedding model is loaded by this)."""
        if self._store is None:
            self._store = memory_store(self.ctx)
        return self._store

    # -- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 10, 10, 10)
        top = QHBoxLayout()
        self.search_box = QLineEdit(self)
        self.search_box.setPlaceholderText(_("Search memories…"))
        self.search_box.setClearButtonEnabled(True)
        self.search_box.textChanged.connect(lambda _t: self._search_timer.start())
        top.addWidget(self.search_box, 1)
        self.semantic_check = QCheckBox(_("By meaning"), self)
        self.semantic_check.setToolTip(_("Find memories that mean the same thing, not only those with the same "
                                         "words (uses the embedding model)"))
        self.semantic_check.toggled.connect(lambda _on: self.refresh())
        top.addWidget(self.semantic_check)
        self.kind_combo = QComboBox(self)
        for label, kind in KIND_FILTERS:
            self.kind_combo.addItem(_(label), kind)
        self.kind_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        top.addWidget(self.kind_combo)
        self.count_label = QLabel(self)
        self.count_label.setProperty("tone", "muted")
        top.addWidget(self.count_label)
        lay.addLayout(top)

        self.model = MemoryItemsModel(self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(TEXT, QHeaderView.ResizeMode.Stretch)
        for col, width in ((KIND, 110), (SOURCE, 240), (DATE, 130)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            self.view.setColumnWidth(col, width)
        header.setSectionResizeMode(SCORE, QHeaderView.ResizeMode.ResizeToContents)
        self.view.setColumnHidden(SCORE, True)
        self.view.doubleClicked.connect(lambda _i: self.edit_selected())
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        lay.addWidget(self.view, 1)
        self.empty_label = QLabel(self)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setProperty("tone", "empty")
        self.empty_label.hide()
        lay.addWidget(self.empty_label, 1)

        actions = QHBoxLayout()
        self.add_button = self._button(_("Add fact…"), _("Type something the assistant should remember"),
                                       self.add_fact)
        self.edit_button = self._button(_("Edit…"), _("Correct the selected memory"), self.edit_selected)
        self.forget_button = self._button(_("Forget selected"), _("Remove the selected memories"),
                                          self.forget_selected)
        self.forget_about_button = self._button(
            _("Forget everything about…"), _("Find every memory about a topic, review them, then forget them"),
            self.forget_about)
        for b in (self.add_button, self.edit_button, self.forget_button, self.forget_about_button):
            actions.addWidget(b)
        actions.addStretch(1)
        self.import_button = self._button(
            _("Import documents…"), _("Remember the contents of .txt, .md or .pdf files (you can also drop them here)"),
            self.choose_documents)
        actions.addWidget(self.import_button)
        lay.addLayout(actions)

        work = QHBoxLayout()
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(True)
        self.progress.setMaximumWidth(320)
        self.progress.hide()
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.cancel_button = QPushButton(_("Cancel"), self)
        self.cancel_button.clicked.connect(self.cancel_job)
        self.cancel_button.hide()
        work.addWidget(self.progress)
        work.addWidget(self.message_label, 1)
        work.addWidget(self.cancel_button)
        lay.addLayout(work)

        status = QHBoxLayout()
        self.status_label = QLabel(self)
        self.status_label.setProperty("tone", "muted")
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        status.addWidget(self.status_label, 1)
        self.rebuild_button = self._button(_("Rebuild index"), _("Embed every memory again and write a new search "
                                                                  "index (SQLite keeps the memories themselves)"),
                                           self.rebuild)
        self.model_button = self._button(_("Change model…"), _("Use another embedding model, for example a "
                                                                "multilingual one (every memory is embedded again)"),
                                         self.change_model)
        status.addWidget(self.model_button)
        status.addWidget(self.rebuild_button)
        lay.addLayout(status)
        self._update_buttons()

    def _button(self, text: str, tip: str, slot: Callable[[], Any]) -> QPushButton:
        b = QPushButton(text, self)
        b.setToolTip(tip)
        b.clicked.connect(lambda _c=False: slot())
        return b

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt name
        super().showEvent(event)
        if not self._loaded:
            self._loaded = True
            QTimer.singleShot(0, self, self.reload)

    def _data_changed(self, _topics: frozenset[str]) -> None:
        """Memories written elsewhere (the chat remembering a fact or an exchange, the CLI): list them once the tab
        is looked at; a search by meaning is not re-run (it loads the embedding model)."""
        if self._loaded and not self.semantic():
            self.reload()

    # -- listing -------------------------------------------------------------------------------
    def reload(self) -> None:
        """List and index status again (SQLite only; no model is loaded)."""
        self._loaded = True
        self.refresh()
        self.refresh_status()

    def query(self) -> str:
        return self.search_box.text().strip()

    def kind(self) -> str | None:
        return self.kind_combo.currentData()

    def semantic(self) -> bool:
        return self.semantic_check.isChecked() and bool(self.query())

    def refresh(self) -> None:
        """The list for the current search and kind filter (a search by meaning runs off the UI thread)."""
        self._search_timer.stop()
        self.view.setColumnHidden(SCORE, not self.semantic())
        if self.semantic():
            self._search_by_meaning()
            return
        query, kind = self.query() or None, self.kind()
        try:
            # helpful: a reply rated low or corrected since is not shown as something the assistant knows
            items = self.store.list(query, kind=kind, limit=PAGE, helpful=True)
            self.total = self.store.count(query, kind=kind, helpful=True)
        except Exception as exc:
            show_error(self, _("Could not list the memories"), exc)
            return
        self._show_rows([(item, None) for item in items])
        if self.total > len(items):
            self.count_label.setText(ngettext("showing {shown} of {n} memory", "showing {shown} of {n} memories",
                                              self.total).format(shown=len(items), n=self.total))
        else:
            self.count_label.setText(ngettext("{n} memory", "{n} memories", self.total).format(n=self.total))

    def _search_by_meaning(self) -> None:
        if self.job is not None:
            self._refresh_pending = True
            return
        query, kind = self.query(), self.kind()

        def work(progress: Progress, _cancelled: Callable[[], bool]) -> list:
            progress(-1, _("Searching by meaning…"))
            hits = self.store.search(query, k=SEMANTIC_K if kind is None else SEMANTIC_K * 4, threshold=0.0,
                                     helpful=True)
            return [(h.item, h.score) for h in hits if kind is None or h.item.kind == kind][:SEMANTIC_K]

        def done(rows: list) -> None:
            if (query, kind) != (self.query(), self.kind()) or not self.semantic():
                self.refresh()  # the search changed while this one ran
                return
            self.total = len(rows)
            self.message_label.setText("")
            self._show_rows(rows)
            self.count_label.setText(ngettext("{n} closest memory", "{n} closest memories", len(rows)).format(
                n=len(rows)))

        self._start(work, done, _("Could not search the memories"), name="search")

    def _show_rows(self, rows: list) -> None:
        keep = {item.id for item in self.selected_items()}
        self.model.set_rows(rows)
        sel = self.view.selectionModel()
        for r, (item, _score) in enumerate(rows):
            if item.id in keep:
                sel.select(self.model.index(r, 0), QItemSelectionModel.SelectionFlag.Select
                           | QItemSelectionModel.SelectionFlag.Rows)
        empty = not rows
        if empty:
            filtered = bool(self.query()) or self.kind() is not None
            self.empty_label.setText(
                _("No memory matches this search.") if filtered else
                _("Nothing remembered yet.\n\nTell the assistant “remember that …” in a chat, add a fact here, "
                  "or import documents — you can drop .txt, .md and .pdf files on this tab."))
        self.empty_label.setVisible(empty)
        self.view.setVisible(not empty)
        self._update_buttons()

    def selected_items(self) -> list:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        return [self.model.item(r) for r in rows if r < self.model.rowCount()]

    def select_row(self, row: int) -> None:
        self.view.selectRow(row)

    def refresh_status(self) -> None:
        """Items, indexed, model and index state in the status line (no model is loaded for this)."""
        try:
            st = self.store.status()
        except Exception as exc:
            self.status_label.setText(_("Index status unavailable: {error}").format(error=exc))
            log.warning("memory status failed: %s", exc)
            return
        self._show_status(st)

    def _show_status(self, st) -> None:
        from aeon_studio.core.memory.embedding_models import display_name

        state = _(STATE_TEXT[st.state]) if st.state in STATE_TEXT else st.state
        self.status_label.setText(_("Index: {items}, {indexed} · model {model} · {state}").format(
            items=ngettext("{n} memory", "{n} memories", st.items).format(n=st.items),
            indexed=ngettext("{n} indexed", "{n} indexed", st.indexed).format(n=st.indexed),
            model=display_name(st.model), state=state))
        self.status_label.setToolTip(str(st.path))
        self.index_state = st.state

    def _update_buttons(self) -> None:
        busy = self.job is not None
        n = len(self.selected_items())
        for b in (self.add_button, self.forget_about_button, self.import_button, self.rebuild_button,
                  self.model_button):
            b.setEnabled(not busy)
        self.edit_button.setEnabled(not busy and n == 1)
        self.forget_button.setEnabled(not busy and n >= 1)

    # -- background work -----------------------------------------------------------------------
    def _start(self, work: Callable[[Progress, Callable[[], bool]], Any], done: Callable[[Any], None],
               error_title: str, *, name: str = "", cancellable: bool = False) -> BackgroundJob | None:
        """Run ``work`` off the UI thread (one job at a time); ``done(result)`` runs back on the UI thread."""
        if self.job is not None:
            return None
        job = BackgroundJob(work, name, self)
        job.progressed.connect(self._on_progress)
        job.succeeded.connect(lambda result: self._end(job) and done(result))
        job.failed.connect(lambda exc: self._end(job) and show_error(self, error_title, exc))
        job.finished.connect(job.deleteLater)
        self.job = job
        self.progress.setRange(0, 0)
        self.progress.show()
        self.message_label.setText("")
        self.cancel_button.setVisible(cancellable)
        self.cancel_button.setEnabled(True)
        self._update_buttons()
        job.start()
        return job

    def _on_progress(self, fraction: float, message: str) -> None:
        if fraction < 0:
            self.progress.setRange(0, 0)
        else:
            self.progress.setRange(0, 100)
            self.progress.setValue(round(100 * min(max(fraction, 0.0), 1.0)))
        if message:
            self.message_label.setText(message)

    def _end(self, job: BackgroundJob) -> bool:
        """Back to idle; True so that ``_end(job) and then(...)`` chains."""
        job.wait(5000)
        if self.job is job:
            self.job = None
        self.progress.hide()
        self.cancel_button.hide()
        self._update_buttons()
        if self._refresh_pending:
            self._refresh_pending = False
            QTimer.singleShot(0, self, self.refresh)
        return True

    def cancel_job(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.cancel_button.setEnabled(False)
            self.message_label.setText(_("Cancelling…"))

    def shutdown(self) -> None:
        job = self.job
        if job is not None:
            job.cancel()
            job.wait(30000)

    def _changed(self, message: str = "") -> None:
        """After a change: list and status again, and say what happened."""
        self.refresh()
        self.refresh_status()
        if message:
            self.message_label.setText(message)

    # -- documents -----------------------------------------------------------------------------
    def choose_documents(self) -> BackgroundJob | None:
        paths, _filter = QFileDialog.getOpenFileNames(
            self, _("Import documents"), str(Path.home()),
            _("Documents (*.txt *.md *.markdown *.pdf);;All files (*)"))
        return self.import_documents([Path(p) for p in paths]) if paths else None

    def import_documents(self, paths: list[Path]) -> BackgroundJob | None:
        """Import files off the UI thread with progress and Cancel; the result goes to the message line."""
        if not paths or self.job is not None:
            return None
        paths = [Path(p) for p in paths]

        def work(progress: Progress, cancelled: Callable[[], bool]):
            n = len(paths)
            progress(-1, ngettext("Reading {n} document…", "Reading {n} documents…", n).format(n=n) if n != 1
                     else _("Reading {name}…").format(name=paths[0].name))
            return self.store.import_documents(paths, progress=progress, cancel=cancelled)

        return self._start(work, self._imported, _("Could not import the documents"), name="import",
                           cancellable=True)

    def _imported(self, result) -> None:
        self.last_import = result
        parts = [_("Files imported: {n}").format(n=result.files), _("passages: {n}").format(n=result.passages)]
        if result.replaced:
            parts.append(_("changed files replaced: {n}").format(n=result.replaced))
        if result.skipped:
            parts.append(_("unchanged files skipped: {n}").format(n=result.skipped))
        if result.errors:
            parts.append(_("failed: {n}").format(n=len(result.errors)))
        text = " · ".join(parts)
        self._changed(_("Import cancelled.") + " " + text if result.cancelled else text)
        if result.errors:
            show_error(self, _("Some documents were not imported"), "\n".join(result.errors))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt name
        if self.job is None and _dropped_documents(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt name
        paths = _dropped_documents(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.import_documents(paths)

    # -- index ---------------------------------------------------------------------------------
    def rebuild(self) -> BackgroundJob | None:
        """Embed every item again and write a new index, with progress."""
        def work(progress: Progress, _cancelled: Callable[[], bool]):
            progress(-1, _("Loading the embedding model…"))
            return self.store.rebuild(progress=progress)

        def done(st) -> None:
            self._changed(ngettext("Index rebuilt: {n} memory indexed.", "Index rebuilt: {n} memories indexed.",
                                   st.indexed).format(n=st.indexed))
            self._show_status(st)

        return self._start(work, done, _("Could not rebuild the index"), name="rebuild")


def _dropped_documents(mime) -> list[Path]:
    if not mime.hasUrls():
        return []
    return [Path(u.toLocalFile()) for u in mime.urls()
            if u.isLocalFile() and Path(u.toLocalFile()).suffix.lower() in DOCUMENT_SUFFIXES]
