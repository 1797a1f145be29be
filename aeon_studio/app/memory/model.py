"""Table model over memory items (text, kind, source, date, and the match score of a semantic search)."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from aeon_studio.core.i18n import N_, _
from aeon_studio.core.memory.display import item_text, source_text
from aeon_studio.app.shared.table_model import Column, TableModel

#: What each kind of memory item is called in the app.
KIND_TEXT = {"fact": N_("fact"), "exchange": N_("conversation"), "passage": N_("document")}
KIND_COLOR = {"fact": "#1a73e8", "exchange": "#188038", "passage": "#b06000"}
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


def _edited(item: Any) -> str | None:
    if item.updated_at and item.updated_at != item.created_at:
        return _("edited {date}").format(date=date_text(item.updated_at))
    return None


#: Rows are ``(item, score)`` pairs.
COLUMNS = (
    Column(N_("Memory"), lambda r: one_line(item_text(r[0].kind, r[0].text)),
           tooltip=lambda r: one_line(item_text(r[0].kind, r[0].text), 1500)),
    Column(N_("Kind"), lambda r: kind_text(r[0].kind),
           foreground=lambda r: QColor(KIND_COLOR.get(r[0].kind, "#5f6368"))),
    Column(N_("Source"), lambda r: source_text(r[0].source), tooltip=lambda r: r[0].source_ref or None),
    Column(N_("Date"), lambda r: date_text(r[0].created_at), tooltip=lambda r: _edited(r[0])),
    Column(N_("Match"), lambda r: "" if r[1] is None else f"{r[1]:.0%}", numeric=True),
)


class MemoryItemsModel(TableModel):
    """Rows are ``(item, score)``; ``score`` is None outside a semantic search."""

    columns = COLUMNS
    row_roles = {ItemRole: lambda r: r[0]}

    def item(self, row: int) -> Any:
        return self.rows[row][0]
