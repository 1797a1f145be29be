"""Keeps a tab in step with data written elsewhere (another tab, the retrain, the CLI, the training worker)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

from aeon_studio.core.storage.changes import ANY
from aeon_studio.app.context import DataChanges


class LiveView(QObject):
    """Calls ``refresh(topics)`` when :class:`DataChanges` reports one of ``topics`` (or ``"*"``).

    A visible widget refreshes at once; a hidden one (another tab is in front) remembers the topics and
    refreshes when it is next shown, so background writes cost nothing until someone looks.
    """

    def __init__(self, widget: QWidget, changes: DataChanges, topics: Iterable[str],
                 refresh: Callable[[frozenset[str]], None]) -> None:
        super().__init__(widget)
        self._widget = widget
        self._topics = frozenset(topics)
        self._refresh = refresh
        self.pending: set[str] = set()
        changes.changed.connect(self._on_changed)  # this object is the widget's child: disconnected with it
        widget.installEventFilter(self)

    def _on_changed(self, topics: frozenset[str]) -> None:
        hits = {t for t in topics if t in self._topics or t == ANY}
        if not hits:
            return
        self.pending |= hits
        if self._widget.isVisible():
            self.flush()

    def flush(self) -> None:
        """Refresh now if something changed since the last refresh."""
        if self.pending:
            topics, self.pending = frozenset(self.pending), set()
            self._refresh(topics)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if watched is self._widget and event.type() == QEvent.Type.Show and self.pending:
            QTimer.singleShot(0, self, self.flush)  # after the show, not inside it
        return False
