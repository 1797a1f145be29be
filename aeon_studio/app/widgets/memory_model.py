"""Table model over memory items (text, kind, source, date, and the match score of a semantic search)."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QColor

from ...core.i18n import N_, _
from ...core.memory.display import item_text, source_text

#: What each kind of memory item is called in the app.
KIND_TEXT = {"fact": N_("fact"), "exchange": N_("conversation"), "passage": N_("document")}
KIND_COLOR = {"fact": "#1a73e8", "exchange": "#188038", "passage": "#b06000"}
COLUMNS = [N_("Memory"), N_("Kind"), N_("Source"), N_("Date"), N_("Match")]
TEXT, KIND, SOURCE, DATE, SCORE = range(5)
ItemRole = Qt.ItemDataRole.UserRole
_HEADING = re.compile(r"(?m)^[ \t]{0,3}#{1,6}[ \t]+")


def kind_text(kind: str) -> str:
    """The translated name of a memory kind (``"passage"`` → "document")."""
    return _(KIND_TEXT[kind]) if kind in KIND_TEXT else kind


def date_text(value: datetime | None) -> str:
    """A stored (UTC) time in the local time zone, ``YYYY-MM-DD HH:MM``."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone().strftime("%Y-%m-%d %H:%M")


def one_line(text: str, limit: int = 240) -> str:
    """Text on one line (Markdown heading marks dropped), cut at ``limit`` characters with an ellipsis."""
    flat = " ".join(_HEADING.sub("", str(text)).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


class MemoryItemsModel(QAbstractTableModel):
    """Rows are ``(item, score)``; ``score`` is None outside a semantic search."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[tuple[Any, float | None]] = []

    def set_rows(self, rows: list[tuple[Any, float | None]]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def item(self, row: int) -> Any:
        return self.rows[row][0]

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(COLUMNS[section])
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        item, score = self.rows[index.row()]
        col = index.column()
        if role == ItemRole:
            return item
        if role == Qt.ItemDataRole.DisplayRole:
            return [lambda: one_line(item_text(item.kind, item.text)), lambda: kind_text(item.kind),
                    lambda: source_text(item.source),
                    lambda: date_text(item.created_at),
                    lambda: "" if score is None else f"{score:.0%}"][col]()
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == TEXT:
                return one_line(item_text(item.kind, item.text), 1500)
            if col == SOURCE and item.source_ref:
                return item.source_ref
            if col == DATE and item.updated_at and item.updated_at != item.created_at:
                return _("edited {date}").format(date=date_text(item.updated_at))
            return None
        if role == Qt.ItemDataRole.ForegroundRole and col == KIND:
            return QColor(KIND_COLOR.get(item.kind, "#5f6368"))
        if role == Qt.ItemDataRole.TextAlignmentRole and col == SCORE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
