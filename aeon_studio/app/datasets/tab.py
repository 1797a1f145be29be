"""Dataset tab: datasets on the left, their examples in the centre (a lazy table), stats and export on the right.

Imports come from the Import button or from files dropped on the tab, through
:class:`~aeon_studio.app.datasets.import_dialog.ImportDialog`. Everything that can take time (imports, chat
extraction, exports) runs in a :class:`DatasetJob`; the table reads one page at a time
(:class:`~aeon_studio.app.datasets.model.ExamplesModel`), so it stays smooth at 100k examples.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QMimeData, Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFileDialog, QGroupBox, QHBoxLayout, QHeaderView,
                               QInputDialog, QLabel, QLineEdit, QMessageBox, QPushButton, QScrollArea, QSplitter,
                               QStackedWidget, QTableView, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from aeon_studio.core.i18n import N_, _, ngettext
from aeon_studio.app.context import AppContext
from aeon_studio.app.shared.live import LiveView
from aeon_studio.app.shared.errors import show_error
from aeon_studio.app.datasets.dialogs import EXPORT_FORMATS, PERIODS, SPLITS, FromChatsDialog, IdentityDialog, ReviewDialog
from aeon_studio.app.datasets.jobs import DatasetJob
from aeon_studio.app.datasets.model import DOMAIN_NAMES, SOURCE_NAMES, ExamplesModel
from aeon_studio.app.datasets.stats import StatsPanel

log = logging.getLogger(__name__)

KIND_NAMES = {"sft": N_("examples"), "chats": N_("from chats"), "identity": N_("identity")}


def candidate_api(store: Any) -> dict[str, Any] | None:
    """The core's review functions for questions generated from documents, if this build has them.

    Looks for ``list_candidates`` / ``accept_candidate`` / ``reject_candidate`` on the store, then in
    :mod:`aeon_studio.core.datasets.questions`; ``None`` hides the Review button.
    """
    names = ("list_candidates", "accept_candidate", "reject_candidate")
    questions = _questions_module()
    for holder in (store, questions):
        if holder is not None and all(hasattr(holder, n) for n in names):
            api = {"list": getattr(holder, names[0]), "accept": getattr(holder, names[1]),
                   "reject": getattr(holder, names[2])}
            generate = getattr(holder, "generate_for_dataset", None) or getattr(questions, "generate_for_dataset",
                                                                                 None)
            if generate is not None:
                api["generate"] = generate
            return api
    return None


def _questions_module():
    try:
        from aeon_studio.core.datasets import questions
    except ImportError:
        return None
    return questions


def local_paths(mime: QMimeData) -> list[Path]:
    """Local files (not folders) among the dropped URLs."""
    if not mime.hasUrls():
        return []
    paths = [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]
    return [p for p in paths if p.is_file()]


class DatasetTab(QWidget):
    """Signals: ``dataset_changed(name)`` when the shown dataset's rows changed (import, edit, delete…)."""

    dataset_changed = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from aeon_studio.core.datasets import DatasetStore

        self.ctx = ctx
        self.store = DatasetStore(ctx.db)
        self.current: str | None = None
        self.job: DatasetJob | None = None
        self.import_dialog = None
        self.setAcceptDrops(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(300)
        self._search_timer.timeout.connect(self.apply_filters)
        self._listed: list[dict[str, Any]] = []
        self._build()
        self.reload_datasets()
        self.live = LiveView(self, ctx.changes, {"datasets"}, self._data_changed)

    def tab_title(self) -> str:
        return _("Datasets")

    # -- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self._left())
        split.addWidget(self._centre())
        split.addWidget(self._right())
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setStretchFactor(2, 0)
        split.setSizes([235, 700, 245])
        split.setChildrenCollapsible(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 10, 10, 10)
        lay.addWidget(split)

    def _left(self) -> QWidget:
        box = QGroupBox(_("Datasets"))
        lay = QVBoxLayout(box)
        self.datasets = QTreeWidget()
        # Name and kind share the first column (two lines) so long names fit in a narrow panel.
        self.datasets.setHeaderLabels([_("Name / kind"), _("Examples"), _("Pairs")])
        self.datasets.setRootIsDecorated(False)
        self.datasets.setAlternatingRowColors(True)
        header = self.datasets.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in (1, 2):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.datasets.currentItemChanged.connect(self._dataset_selected)
        lay.addWidget(self.datasets, 1)
        row = QHBoxLayout()
        self.new_btn = QPushButton(_("New…"))
        self.new_btn.clicked.connect(lambda: self.new_dataset())
        self.delete_ds_btn = QPushButton(_("Delete"))
        self.delete_ds_btn.clicked.connect(lambda: self.delete_dataset())
        row.addWidget(self.new_btn)
        row.addWidget(self.delete_ds_btn)
        lay.addLayout(row)
        self.import_btn = QPushButton(_("Import files…"))
        self.import_btn.setToolTip(_("Logs, CSV, JSON/JSONL, TXT/MD/PDF documents; you can also drop files on "
                                     "this tab."))
        self.import_btn.clicked.connect(lambda: self.choose_files())
        self.chats_btn = QPushButton(_("From chats…"))
        self.chats_btn.setToolTip(_("Examples and preference pairs from the replies you rated in the chat."))
        self.chats_btn.clicked.connect(lambda: self.from_chats())
        self.identity_btn = QPushButton(_("Identity set…"))
        self.identity_btn.setToolTip(_("Questions and answers about who the assistant is, in English and "
                                       "Portuguese."))
        self.identity_btn.clicked.connect(lambda: self.identity_set())
        self.review_btn = QPushButton(_("Review questions…"))
        self.review_btn.setToolTip(_("Accept, edit or reject the questions generated from your documents."))
        self.review_btn.clicked.connect(lambda: self.review_questions())
        self.review_btn.setVisible(candidate_api(self.store) is not None)
        for b in (self.import_btn, self.chats_btn, self.identity_btn, self.review_btn):
            lay.addWidget(b)
        box.setMinimumWidth(225)
        return box

    def _centre(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.setContentsMargins(0, 0, 0, 0)
        filters = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search the text of every turn…"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(170)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        filters.addWidget(self.search, 2)
        self.source_filter = QComboBox()
        self.domain_filter = QComboBox()
        self.rating_filter = QComboBox()
        self.rating_filter.addItem(_("Any rating"), None)
        for r in range(5, 0, -1):
            self.rating_filter.addItem(_("≥ {stars}").format(stars="★" * r), r)
        self.date_filter = QComboBox()
        for key, label in PERIODS[:3]:
            self.date_filter.addItem(_(label), key or None)
        for combo, tip in ((self.source_filter, _("Source")), (self.domain_filter, _("Domain")),
                           (self.rating_filter, _("Minimum rating")), (self.date_filter, _("Date"))):
            combo.setToolTip(tip)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(9)
            combo.currentIndexChanged.connect(self.apply_filters)
            filters.addWidget(combo)
        lay.addLayout(filters)

        self.model = ExamplesModel(self.ctx.db, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        # Fixed widths: ResizeToContents would make the view read rows just to measure them.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setMinimumSectionSize(36)
        for col, width in enumerate((200, 200, 40, 74, 56, 62, 48, 80)):
            header.resizeSection(col, width)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda idx: self.edit_example(idx.row()))
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        self.model.modelReset.connect(self._update_buttons)
        self.model.rowsInserted.connect(lambda *_a: self._update_count())

        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setObjectName("dataset_empty")
        self.empty.setProperty("tone", "hint")
        self.empty.setMargin(30)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)
        lay.addWidget(self.stack, 1)

        bottom = QHBoxLayout()
        self.count_label = QLabel()
        bottom.addWidget(self.count_label, 1)
        self.edit_btn = QPushButton(_("Edit…"))
        self.edit_btn.clicked.connect(lambda: self.edit_example(self.table.currentIndex().row()))
        self.delete_btn = QPushButton(_("Delete selected"))
        self.delete_btn.clicked.connect(lambda: self.delete_selected())
        bottom.addWidget(self.edit_btn)
        bottom.addWidget(self.delete_btn)
        lay.addLayout(bottom)
        QShortcut(QKeySequence.StandardKey.Delete, self.table, activated=lambda: self.delete_selected())
        return w

    def _right(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.setContentsMargins(0, 0, 0, 0)
        self.stats = StatsPanel()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.stats)
        lay.addWidget(scroll, 1)
        box = QGroupBox(_("Export"))
        bl = QVBoxLayout(box)
        self.export_format = QComboBox()
        for key, label in EXPORT_FORMATS:
            self.export_format.addItem(_(label), key)
        self.export_split = QComboBox()
        for key, label in SPLITS:
            self.export_split.addItem(_(label), key)
        bl.addWidget(self.export_format)
        bl.addWidget(self.export_split)
        self.export_btn = QPushButton(_("Export…"))
        self.export_btn.clicked.connect(lambda: self.choose_export())
        bl.addWidget(self.export_btn)
        self.export_status = QLabel()
        self.export_status.setWordWrap(True)
        self.export_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bl.addWidget(self.export_status)
        lay.addWidget(box)
        w.setMinimumWidth(235)
        return w

    # -- datasets ----------------------------------------------------------------------------
    def reload_datasets(self, select: str | None = None) -> None:
        """Refill the dataset list (keeping or changing the selection) and what depends on it."""
        try:
            rows = self.store.list()
        except Exception as err:  # noqa: BLE001 - a broken database must not kill the tab
            show_error(self, _("Datasets"), err)
            rows = []
        self._listed = rows
        want = select or self.current
        self.datasets.blockSignals(True)
        self.datasets.clear()
        chosen = None
        for r in rows:
            kind = _(KIND_NAMES[r["kind"]]) if r["kind"] in KIND_NAMES else r["kind"]
            item = QTreeWidgetItem([f"{r['name']}\n{kind}", f"{r['examples']:,}", f"{r['pairs']:,}"])
            item.setData(0, Qt.ItemDataRole.UserRole, r["name"])
            item.setToolTip(0, r.get("description") or r["name"])
            for c in (1, 2):
                item.setTextAlignment(c, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.datasets.addTopLevelItem(item)
            if r["name"] == want:
                chosen = item
        if chosen is None and self.datasets.topLevelItemCount():
            chosen = self.datasets.topLevelItem(0)
        if chosen is not None:
            self.datasets.setCurrentItem(chosen)
        self.datasets.blockSignals(False)
        self.show_dataset(chosen.data(0, Qt.ItemDataRole.UserRole) if chosen is not None else None)

    def _data_changed(self, topics: frozenset[str]) -> None:
        """Datasets were written elsewhere (another tab, the retrain, the CLI): show them, keeping the chosen
        dataset, the selected examples and the scroll position. A write of something else changes nothing."""
        if "datasets" not in topics:
            try:
                unchanged = self.store.list() == self._listed
            except Exception:  # noqa: BLE001 - reload_datasets below shows the error
                unchanged = False
            if unchanged:
                return
        selected = {i.row(): self.model.example_id(i.row()) for i in self.table.selectionModel().selectedRows()}
        scroll = self.table.verticalScrollBar().value()
        self.reload_datasets(select=self.current)
        self._reselect(selected)
        self.table.verticalScrollBar().setValue(scroll)

    def _reselect(self, before: dict[int, int | None]) -> None:
        """Select again the examples that were selected (``row → id`` before a refresh), where they are now."""
        want = {i for i in before.values() if i is not None}
        if not want:
            return
        rows = {r for r in before if self.model.example_id(r) in want}
        moved = want - {self.model.example_id(r) for r in rows}
        if moved and len(moved) <= 50:  # rows above were added or deleted: look for them near where they were
            lo, hi = max(0, min(before) - 200), min(self.model.rowCount(), max(before) + 200)
            rows |= {r for r in range(lo, hi) if self.model.example_id(r) in moved}
        selection = QItemSelection()
        last = self.model.columnCount() - 1
        for r in rows:
            selection.select(self.model.index(r, 0), self.model.index(r, last))
        self.table.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.Select)

    def _dataset_selected(self, item: QTreeWidgetItem | None, _prev=None) -> None:
        self.show_dataset(item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None)

    def show_dataset(self, name: str | None) -> None:
        changed = name != self.current
        self.current = name
        self._fill_facets()
        self.refresh_examples(keep_position=not changed)
        self.refresh_stats()

    def _fill_facets(self) -> None:
        from aeon_studio.core.datasets import browse

        facets = {"sources": [], "domains": []}
        if self.current:
            try:
                facets = browse.facets(self.current, db=self.ctx.db)
            except Exception as err:  # noqa: BLE001
                log.warning("facets of %s: %s", self.current, err)
        for combo, everything, values, names in (
                (self.source_filter, _("All sources"), facets["sources"], SOURCE_NAMES),
                (self.domain_filter, _("All domains"), facets["domains"], DOMAIN_NAMES)):
            keep = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(everything, None)
            for v in values:
                combo.addItem(_(names[v]) if v in names else v, v)
            combo.setCurrentIndex(max(0, combo.findData(keep)) if keep is not None else 0)
            combo.blockSignals(False)

    def filters(self) -> dict[str, Any]:
        return {"search": self.search.text().strip() or None, "source": self.source_filter.currentData(),
                "domain": self.domain_filter.currentData(), "min_rating": self.rating_filter.currentData(),
                "since": self.date_filter.currentData()}

    def apply_filters(self) -> None:
        self._search_timer.stop()
        self.refresh_examples(keep_position=False)

    def refresh_examples(self, keep_position: bool = True) -> None:
        try:
            self.model.name = self.current
            self.model.filters = {k: v for k, v in self.filters().items() if v is not None}
            self.model.refresh(keep_position=keep_position)
        except Exception as err:  # noqa: BLE001
            show_error(self, _("Examples"), err)
        self._update_empty()
        self._update_count()
        self._update_buttons()

    def refresh_stats(self) -> None:
        stats = None
        if self.current:
            try:
                stats = self.store.stats(self.current)
            except Exception as err:  # noqa: BLE001
                show_error(self, _("Dataset statistics"), err)
        self.stats.set_stats(stats)

    def _update_empty(self) -> None:
        if not self.current:
            text = _("No dataset yet.\n\nDrop conversation logs, spreadsheets (CSV), JSON/JSONL exports or documents "
                     "here, or use Import files…, From chats… or Identity set… on the left.")
        elif self.model.total == 0 and any(v for v in self.filters().values()):
            text = _("No example matches the search and filters.")
        elif self.model.total == 0:
            text = _("'{name}' has no examples yet.\n\nDrop files here or use Import files… to add some.").format(
                name=self.current)
        else:
            text = ""
        self.empty.setText(text)
        self.stack.setCurrentWidget(self.empty if text else self.table)

    def _update_count(self) -> None:
        if not self.current:
            self.count_label.setText("")
            return
        n = self.model.total
        self.count_label.setText(ngettext("{n} example", "{n} examples", n).format(n=f"{n:,}"))

    def _update_buttons(self) -> None:
        has = self.current is not None
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        self.edit_btn.setEnabled(len(rows) == 1)
        self.delete_btn.setEnabled(bool(rows))
        self.delete_ds_btn.setEnabled(has)
        self.export_btn.setEnabled(has and self.job is None)

    def new_dataset(self) -> None:
        name, ok = QInputDialog.getText(self, _("New dataset"), _("Name (letters, digits, '.', '-' or '_'):"))
        if not ok or not name.strip():
            return
        try:
            self.store.create(name.strip())
        except Exception as err:  # noqa: BLE001
            show_error(self, _("Cannot create the dataset"), err)
            return
        self.reload_datasets(select=name.strip())

    def delete_dataset(self, *, confirm: bool = True) -> None:
        if not self.current:
            return
        if confirm and QMessageBox.question(
                self, _("Delete dataset"),
                _("Delete the dataset '{name}' and all its examples? This cannot be undone.").format(
                    name=self.current)) != QMessageBox.StandardButton.Yes:
            return
        try:
            self.store.delete(self.current)
        except Exception as err:  # noqa: BLE001
            show_error(self, _("Cannot delete the dataset"), err)
            return
        self.current = None
        self.reload_datasets()

    # -- examples ----------------------------------------------------------------------------
    def selected_ids(self) -> list[int]:
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        return [i for i in (self.model.example_id(r) for r in rows) if i is not None]

    def edit_example(self, row: int):
        """Open the editor of ``row`` (not blocking); Save stores the edit. Returns the dialog."""
        from aeon_studio.core.datasets import browse
        from aeon_studio.app.datasets.editor import ExampleEditor

        example_id = self.model.example_id(row)
        if example_id is None:
            return None
        try:
            ex = browse.get_example(example_id, db=self.ctx.db)
        except Exception as err:  # noqa: BLE001
            show_error(self, _("Edit example"), err)
            return None
        editor = ExampleEditor(ex.messages, self, title=_("Edit example · {ref}").format(
            ref=ex.source_ref or ex.id))
        editor.accepted.connect(lambda: self._save_edit(example_id, editor))
        self.editor = editor
        editor.open()
        return editor

    def _save_edit(self, example_id: int, editor) -> None:
        from aeon_studio.core.datasets import browse

        try:
            browse.update_example(example_id, editor.messages(), db=self.ctx.db)
        except Exception as err:  # noqa: BLE001
            show_error(self, _("Cannot save the example"), err)
            return
        self._rows_changed()

    def delete_selected(self, *, confirm: bool = True) -> int:
        from aeon_studio.core.datasets import browse

        ids = self.selected_ids()
        if not ids:
            return 0
        if confirm and QMessageBox.question(
                self, _("Delete examples"), ngettext("Delete {n} selected example? This cannot be undone.",
                                                    "Delete {n} selected examples? This cannot be undone.",
                                                    len(ids)).format(n=len(ids))) != QMessageBox.StandardButton.Yes:
            return 0
        try:
            n = browse.delete_examples(ids, db=self.ctx.db)
        except Exception as err:  # noqa: BLE001
            show_error(self, _("Cannot delete the examples"), err)
            return 0
        self.table.clearSelection()
        self._rows_changed()
        return n

    def _rows_changed(self) -> None:
        self.reload_datasets(select=self.current)
        if self.current:
            self.dataset_changed.emit(self.current)

    # -- builders ----------------------------------------------------------------------------
    def _run(self, fn, done, title: str) -> DatasetJob | None:
        if self.job is not None:
            show_error(self, title, _("Another dataset task is still running; wait for it to finish."))
            return None
        job = DatasetJob(fn, self)
        self.job = job

        def finished_ok(result) -> None:
            self.job = None
            self._update_buttons()
            done(result)

        def finished_err(err) -> None:
            self.job = None
            self._update_buttons()
            show_error(self, title, err)

        job.succeeded.connect(finished_ok)
        job.failed.connect(finished_err)
        job.start()
        self._update_buttons()
        return job

    def from_chats(self, *, options: dict[str, Any] | None = None) -> DatasetJob | None:
        if options is None:
            try:
                from aeon_studio.core.personas import PersonaStore

                personas = [(p.key, p.name) for p in PersonaStore(self.ctx.db).list()]
            except Exception:  # noqa: BLE001 - the dialog still works without the list
                log.exception("personas")
                personas = []
            dlg = FromChatsDialog(personas, parent=self)
            if dlg.exec() != FromChatsDialog.DialogCode.Accepted:
                return None
            options = dlg.options()
        name = options.pop("name") or "from-chats"

        def work(_progress, _cancel):
            return self.store.build_from_chats(name, **options)

        def done(summary) -> None:
            self.export_status.setText(_("'{name}': {examples} and {pairs} from {replies}.").format(
                name=name,
                examples=ngettext("{n} example", "{n} examples", summary.examples).format(n=summary.examples),
                pairs=ngettext("{n} preference pair", "{n} preference pairs", summary.pairs).format(n=summary.pairs),
                replies=ngettext("{n} rated reply", "{n} rated replies", summary.replies_seen).format(
                    n=summary.replies_seen)))
            self.reload_datasets(select=name)
            self.dataset_changed.emit(name)

        return self._run(work, done, _("Dataset from chats"))

    def identity_set(self, *, options: dict[str, str] | None = None) -> DatasetJob | None:
        if options is None:
            dlg = IdentityDialog(self)
            if dlg.exec() != IdentityDialog.DialogCode.Accepted:
                return None
            options = dlg.options()
        name = options.pop("name") or "identity"

        def work(_progress, _cancel):
            return self.store.build_identity(name, **options)

        def done(n) -> None:
            self.export_status.setText(ngettext("'{name}': {n} identity example.",
                                                "'{name}': {n} identity examples.", n).format(name=name, n=n))
            self.reload_datasets(select=name)
            self.dataset_changed.emit(name)

        return self._run(work, done, _("Identity set"))

    def review_questions(self) -> None:
        api = candidate_api(self.store)
        if api is None or not self.current:
            return
        try:
            dlg = ReviewDialog(api, self.current, self)
        except Exception as err:  # noqa: BLE001
            show_error(self, _("Review generated questions"), err)
            return
        dlg.exec()
        if dlg.accepted_count:
            self._rows_changed()

    # -- export ------------------------------------------------------------------------------
    def choose_export(self) -> None:
        if not self.current:
            return
        fmt = self.export_format.currentData()
        split = self.export_split.currentData()
        suggested = str(Path.home() / f"{self.current}-{fmt}{'' if split == 'all' else '-' + split}.jsonl")
        path, _f = QFileDialog.getSaveFileName(self, _("Export dataset"), suggested, _("JSON Lines (*.jsonl)"))
        if path:
            self.export_to(path)

    def export_to(self, path: str | Path) -> DatasetJob | None:
        """Export the shown dataset with the chosen format and split, in a thread."""
        name, fmt, split = self.current, self.export_format.currentData(), self.export_split.currentData()
        self.export_status.setText(_("Exporting…"))

        def done(n) -> None:
            self.export_status.setText(ngettext("Wrote {n} row to {path}", "Wrote {n} rows to {path}", n)
                                       .format(n=n, path=path))

        job = self._run(lambda _p, _c: self.store.export(name, path, fmt=fmt, split=split), done, _("Export"))
        if job is not None:
            job.failed.connect(lambda _e: self.export_status.setText(_("Export failed.")))
        return job

    # -- import ------------------------------------------------------------------------------
    def choose_files(self) -> None:
        from aeon_studio.app.datasets.import_dialog import FILE_FILTER

        paths, _f = QFileDialog.getOpenFileNames(self, _("Import files"), str(Path.home()), _(FILE_FILTER))
        if paths:
            self.open_import([Path(p) for p in paths])

    def open_import(self, paths: list[Path]):
        """Show the import dialog for ``paths`` (not modal to the app; the tab refreshes when it is done)."""
        from aeon_studio.app.datasets.import_dialog import ImportDialog

        if self.import_dialog is not None and self.import_dialog.isVisible():
            self.import_dialog.raise_()
            return self.import_dialog
        try:
            names = [r["name"] for r in self.store.list()]
            dlg = ImportDialog(self.ctx, paths, dataset=self.current, datasets=names, parent=self)
        except Exception as err:  # noqa: BLE001
            show_error(self, _("Import"), err)
            return None
        dlg.imported.connect(self._imported)
        self.import_dialog = dlg
        dlg.open()
        return dlg

    def _imported(self, name: str) -> None:
        self.reload_datasets(select=name)
        self.dataset_changed.emit(name)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt API
        if local_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802 - Qt API
        if local_paths(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt API
        paths = local_paths(event.mimeData())
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        QTimer.singleShot(0, lambda: self.open_import(paths))

    def shutdown(self) -> None:
        for job in (self.job, getattr(self.import_dialog, "job", None)):
            if job is not None and job.isRunning():
                job.cancel()
                job.wait(10000)


# -- screenshots -----------------------------------------------------------------------------
