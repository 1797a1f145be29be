"""One base for the app's read-only Qt list and table models: rows in a Python list, columns declared as data.

A model names its columns (:class:`Column`: header, cell value, tooltip, text colour, numeric alignment) and the
roles that answer for a whole row (e.g. the row's database id); ``rowCount``/``columnCount``/``headerData``/
``data`` are written once here. :class:`TableModel` serves ``QTableView``\\ s, :class:`ListModel` ``QListView``\\ s
(a list model keeps ``index(row)`` with one argument). A lazy model overrides :meth:`RowsBase.row_count` and
:meth:`RowsBase.row_at` (see ``ExamplesModel``, which reads its rows page by page).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from PySide6.QtCore import QAbstractListModel, QAbstractTableModel, QModelIndex, QObject, Qt

from aeon_studio.core.i18n import _

#: The alignment of a numeric cell.
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole


@dataclass(frozen=True)
class Column:
    """One column of a model.

    Attributes:
        header: the header text, an ``N_()`` msgid translated when shown (unless the model's
            ``translate_headers`` is off because its caller passes translated titles).
        value: the cell's ``DisplayRole`` value, from the row.
        tooltip: the cell's ``ToolTipRole`` value (``None``: no tooltip).
        foreground: the cell's text colour (a ``QColor`` or ``None``).
        numeric: whether the column holds numbers (aligned right).
    """

    header: str
    value: Callable[[Any], Any]
    tooltip: Callable[[Any], Any] | None = None
    foreground: Callable[[Any], Any] | None = None
    numeric: bool = False


class RowsBase:
    """The shared part of :class:`TableModel` and :class:`ListModel` (mixed into a Qt model class)."""

    #: The columns (a list model has one).
    columns: Sequence[Column] = ()
    #: Roles answered for a whole row whatever the column (role → getter), e.g. the row's id.
    row_roles: ClassVar[Mapping[int, Callable[[Any], Any]]] = {}
    #: Whether :attr:`Column.header` is a msgid to translate when shown.
    translate_headers: ClassVar[bool] = True

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)  # the Qt model class that follows in the MRO
        self.rows: list[Any] = []

    # -- rows ------------------------------------------------------------------------------
    def set_rows(self, rows: Iterable[Any]) -> None:
        """Replace every row (a model reset: views drop their selection)."""
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_count(self) -> int:
        """How many rows the views see."""
        return len(self.rows)

    def row_at(self, row: int) -> Any | None:
        """Row number ``row`` (``None`` when out of range)."""
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def alignment(self, column: int) -> int | None:
        """The ``TextAlignmentRole`` of a column (asked without reading a row)."""
        return RIGHT if self.columns[column].numeric else None

    # -- Qt API ----------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else self.row_count()

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt API
                   role: int = _DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY and 0 <= section < len(self.columns):
            header = self.columns[section].header
            return _(header) if self.translate_headers and header else header
        return None

    def data(self, index: QModelIndex, role: int = _DISPLAY) -> Any:
        if not index.isValid():
            return None
        if role == _ALIGNMENT:
            return self.alignment(index.column())
        getter = self.row_roles.get(role)
        if getter is None:
            column = self.columns[index.column()]
            if role == _DISPLAY:
                getter = column.value
            elif role == _TOOLTIP:
                getter = column.tooltip
            elif role == _FOREGROUND:
                getter = column.foreground
            if getter is None:
                return None  # checked before reading the row: a lazy model need not load a page for it
        row = self.row_at(index.row())
        return None if row is None else getter(row)


class TableModel(RowsBase, QAbstractTableModel):
    """A read-only table model over :attr:`rows` (see :class:`RowsBase`)."""

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.columns)


class ListModel(RowsBase, QAbstractListModel):
    """A read-only list model over :attr:`rows`: its one column is ``columns[0]`` (see :class:`RowsBase`)."""
