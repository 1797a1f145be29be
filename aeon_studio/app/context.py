"""What every tab gets: the database, the core services and the data-change signal, created once per window."""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from aeon_studio.core.settings import Settings, get_settings
from aeon_studio.core.storage import Database, get_database
from aeon_studio.core.storage.changes import ANY, VersionWatch


class DataChanges(QObject):
    """The core's change notices as ONE Qt signal on the GUI thread: ``changed(topics: frozenset[str])``.

    Writes of this process arrive through ``db.changes`` (from any thread: they are queued to this object's
    thread). Writes of other processes (the CLI, a second window) are found by polling SQLite's data version
    every ``poll_ms`` and reported as the topic ``"*"``. Notices that come close together make one signal.
    """

    changed = Signal(object)
    _noticed = Signal(str)

    def __init__(self, db: Database, *, poll_ms: int = 2000, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pending: set[str] = set()
        # Always queued, even from the GUI thread: a tab never refreshes in the middle of its own write.
        self._noticed.connect(self._collect, Qt.ConnectionType.QueuedConnection)
        self._flush = QTimer(self)
        self._flush.setSingleShot(True)
        self._flush.setInterval(30)
        self._flush.timeout.connect(self._emit)
        self._watch = VersionWatch(db.path)
        self._poll = QTimer(self)
        self._poll.setInterval(poll_ms)
        self._poll.timeout.connect(self.check_other_processes)
        self._poll.start()
        # A weak link: the process-wide database must not keep this object (and its timers) alive, or the
        # garbage collector would end up deleting it on whatever thread happens to run it.
        method = weakref.WeakMethod(self._on_write)

        def forward(topic: str) -> None:
            on_write = method()
            if on_write is not None:
                on_write(topic)

        self._unsubscribe = db.changes.subscribe(forward)

    def _on_write(self, topic: str) -> None:
        """Runs on the writer's thread."""
        try:
            self._noticed.emit(topic)
        except RuntimeError:  # the Qt side is gone (window closed) but the process-wide database lives on
            self._unsubscribe()

    def _collect(self, topic: str) -> None:
        self._pending.add(topic)
        if not self._flush.isActive():
            self._flush.start()

    def _emit(self) -> None:
        topics, self._pending = frozenset(self._pending), set()
        if topics:
            self.changed.emit(topics)

    def check_other_processes(self) -> bool:
        """Report ``"*"`` when the database changed behind ``db.changes`` (another process); returns whether."""
        moved = self._watch.changed()
        if moved:
            self._collect(ANY)
        return moved

    def close(self) -> None:
        """Stop listening and polling (the window is closing)."""
        self._poll.stop()
        self._unsubscribe()
        self._watch.close()


def _delete_later(obj: QObject) -> None:
    """Delete ``obj`` on its own thread (safe from any thread; nothing to do if Qt already deleted it)."""
    try:
        obj.deleteLater()
    except RuntimeError:
        pass


@dataclass
class AppContext:
    settings: Settings = field(default_factory=get_settings)
    db: Database | None = None

    def __post_init__(self) -> None:
        if self.db is None:
            self.db = get_database(self.settings.db_path)
        self._chat = None
        self._changes: DataChanges | None = None

    @property
    def home(self) -> Path:
        return self.settings.home

    @property
    def chat(self):
        """The :class:`ChatService` (imports llama-cpp lazily on first use)."""
        if self._chat is None:
            from aeon_studio.core.services import build_chat_service

            self._chat = build_chat_service(self.db)
        return self._chat

    @property
    def changes(self) -> DataChanges:
        """What changed in the data, wherever it was written (see :class:`DataChanges`)."""
        if self._changes is None:
            from PySide6.QtCore import QCoreApplication

            # Owned by the application object, not by Python: the garbage collector may drop the last reference
            # to this context on any thread (a chat or memory worker), and deleting a QObject with timers off its
            # own thread crashes Qt. Closing or collecting the context deletes it on the GUI thread instead.
            self._changes = DataChanges(self.db, parent=QCoreApplication.instance())
            weakref.finalize(self, _delete_later, self._changes)
        return self._changes

    def close(self) -> None:
        if self._changes is not None:
            self._changes.close()
            _delete_later(self._changes)
            self._changes = None
