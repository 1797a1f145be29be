"""Dataset tab: datasets on the left, their examples in the centre (a lazy table), stats and export on the right.

Imports come from the Import button or from files dropped on the tab, through
:class:`~aeon_studio.app.datasets.import_dialog.ImportDialog`. Everything that can take time (imports, chat
extraction, exports) runs in a :class:`DatasetJob`; the table reads one page at a time
(:class:`~aeon_studio.app.datasets.model.ExamplesModel`), so it stays smooth at 100k examples. The panels are laid
out in :mod:`~aeon_studio.app.datasets.panels`; building from chats, identity sets and the review of generated
questions are in :mod:`~aeon_studio.app.datasets.builders`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QMimeData, Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QTreeWidgetItem, QWidget

from aeon_studio.core.i18n import N_, _, ngettext
from aeon_studio.app.context import AppContext
from aeon_studio.app.shared.live import LiveView
from aeon_studio.app.shared.errors import show_error
from aeon_studio.app.datasets.builders import DatasetBuilders
from aeon_studio.app.datasets.jobs import DatasetJob
from aeon_studio.app.datasets.model import DOMAIN_NAMES, SOURCE_NAMES
from aeon_studio.app.datasets.panels import DatasetPanels
from aeon_studio.app.datasets.views import DatasetViews

log = logging.getLogger(__name__)

KIND_NAMES = {"sft": N_("examples"), "chats": N_("from chats"), "identity": N_("identity")}


def local_paths(mime: QMimeData) -> list[Path]:
    """Local files (not folders) among the dropped URLs."""
    if not mime.hasUrls():
        return []
    paths = [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]
    return [p for p in paths if p.is_file()]


class DatasetTab(DatasetPanels, DatasetViews, DatasetBuilders, QWidget):
    """Signals: ``dataset_changed(name)`` when the shown dataset's rows changed (import, edit, delete…).

    Its layout comes from :class:`DatasetPanels`, the chat/identity builders and the review from
    :class:`DatasetBuilders`.
    """

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
                "since": self.date_filter.currentData(),
                # the bad examples: replies labelled undesirable (KTO label false)
                "label": False if self.view() == "bad" else None}

    def apply_filters(self) -> None:
        self._search_timer.stop()
        self.refresh_examples(keep_position=False)

    def refresh_examples(self, keep_position: bool = True) -> None:
        if self.view() == "pairs":
            self.refresh_pairs()
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
        elif self.view() == "pairs":
            text = "" if self.pairs_model.total else (
                _("No preference pair matches the search.") if self.search.text().strip() else
                _("'{name}' has no preference pairs.\n\nImport a file of pairs (chosen and rejected replies) or "
                  "build a dataset From chats… to get some.").format(name=self.current))
        elif self.model.total == 0 and self.view() == "bad" and not self.search.text().strip():
            text = _("'{name}' has no bad examples (replies labelled undesirable).").format(name=self.current)
        elif self.model.total == 0 and any(v is not None for v in self.filters().values()):
            text = _("No example matches the search and filters.")
        elif self.model.total == 0:
            text = _("'{name}' has no examples yet.\n\nDrop files here or use Import files… to add some.").format(
                name=self.current)
        else:
            text = ""
        self.empty.setText(text)
        self.stack.setCurrentWidget(self.empty if text else self.pairs_table if self.view() == "pairs" else self.table)
        self.show_detail()

    def _update_count(self) -> None:
        if not self.current:
            self.count_label.setText("")
            return
        if self.view() == "pairs":
            n = self.pairs_model.total
            self.count_label.setText(ngettext("{n} preference pair", "{n} preference pairs", n).format(n=f"{n:,}"))
            return
        n = self.model.total
        if self.view() == "bad":
            self.count_label.setText(ngettext("{n} bad example (never trained on as a good answer)",
                                              "{n} bad examples (never trained on as good answers)", n).format(
                n=f"{n:,}"))
            return
        self.count_label.setText(ngettext("{n} example", "{n} examples", n).format(n=f"{n:,}"))

    def _update_buttons(self) -> None:
        has = self.current is not None
        rows = self.table.selectionModel().selectedRows() if self.view() != "pairs" else []
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

    # -- background work ---------------------------------------------------------------------
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
            sets = self.store.list()
            names = [r["name"] for r in sets]
            # A set the app builds (from chats, the identity set) is rebuilt from its source: an import goes to a
            # new dataset named after the file unless the user picks one. An imported set gets more of the same.
            kinds = {r["name"]: r.get("kind") for r in sets}
            target = self.current if kinds.get(self.current) not in ("chats", "identity") else None
            dlg = ImportDialog(self.ctx, paths, dataset=target, datasets=names, parent=self)
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
