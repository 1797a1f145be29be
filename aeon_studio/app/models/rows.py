"""The Models tab's building blocks, shared with the "Add model…" dialog: a read-only table over a list of rows,
a job thread for work on model files, and the table view they are shown in."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QObject, QThread, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from aeon_studio.app.shared.table_model import RIGHT, Column, TableModel

log = logging.getLogger(__name__)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


class RowsModel(TableModel):
    """A read-only table over a list of rows; ``columns`` are (title, getter) pairs, titles translated.

    ``colors(row, column)`` gives a cell's text colour, ``tooltips(row, column)`` a tooltip other than the
    cell's text (``None``: the text, which shows what an elided cell hides); ``numeric`` holds the columns of
    numbers (aligned right). The tab sets them after construction.
    """

    translate_headers = False

    def __init__(self, columns: list[tuple[str, Callable[[Any], Any]]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pairs = list(columns)
        self._colors: Callable[[Any, int], QColor | None] = lambda _r, _c: None
        self._tooltips: Callable[[Any, int], str | None] = lambda _r, _c: None
        self.numeric: set[int] = set()
        self._build()

    @property
    def colors(self) -> Callable[[Any, int], QColor | None]:
        return self._colors

    @colors.setter
    def colors(self, colors: Callable[[Any, int], QColor | None]) -> None:
        self._colors = colors
        self._build()

    @property
    def tooltips(self) -> Callable[[Any, int], str | None]:
        return self._tooltips

    @tooltips.setter
    def tooltips(self, tooltips: Callable[[Any, int], str | None]) -> None:
        self._tooltips = tooltips
        self._build()

    def _build(self) -> None:
        colors, tooltips = self._colors, self._tooltips  # the cells hold these, not the model: no reference cycle
        self.columns = [Column(title, lambda r, get=get: _text(get(r)),
                               tooltip=lambda r, i=i, get=get: tooltips(r, i) or _text(get(r)),
                               foreground=lambda r, i=i: colors(r, i))
                        for i, (title, get) in enumerate(self._pairs)]

    def alignment(self, column: int) -> int | None:
        return RIGHT if column in self.numeric else None

    def set_rows(self, rows: list[Any]) -> None:
        if rows == self.rows:
            return  # a refresh that found nothing new keeps the scroll position and the selection
        super().set_rows(rows)


class JobThread(QThread):
    """Runs ``fn(progress)`` off the UI thread; ``progress(fraction, message)`` is safe to call from it."""

    progressed = Signal(float, str)
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, fn: Callable[[Callable[[float, str], None]], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fn = fn

    def run(self) -> None:
        try:
            result = self._fn(lambda f, m: self.progressed.emit(float(f), str(m)))
        except Exception as exc:  # reported to the user through show_error, and logged
            log.exception("models tab job failed")
            self.failed.emit(exc)
        else:
            self.succeeded.emit(result)


def make_table(model: QAbstractTableModel, stretch: int) -> QTableView:
    """A read-only, single-row-selection table over ``model``; column ``stretch`` takes the spare width."""
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.setWordWrap(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return view
