"""Change notifications: which kind of data was written, so views of it can refresh.

Every :class:`~.engine.Database` carries one :class:`Changes`. A store calls ``db.changes.emit(topic)`` after
its write has been *committed*; a view subscribes with ``db.changes.subscribe(callback)``. Callbacks run on the
writer's thread (a Qt view hops to its own thread; see ``aeon_studio/app/context.py``).

Writes made by another process (the CLI, a second window) never reach these callbacks: :class:`VersionWatch`
tells a view that *something* changed by polling SQLite's ``PRAGMA data_version`` on a connection of its own.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

#: Topics the stores emit (a view listens to the ones it shows).
DATASETS = "datasets"
ADAPTERS = "adapters"
RUNS = "runs"
PERSONAS = "personas"
MODELS = "models"
GOLDEN = "golden"  # golden prompts
EVALUATIONS = "evaluations"
ARENA = "arena"
#: "Something changed, topic unknown" (another process wrote): every view refreshes.
ANY = "*"

Callback = Callable[[str], None]


class Changes:
    """A small observer: ``subscribe(callback)`` → an ``unsubscribe()`` function; ``emit(*topics)``."""

    def __init__(self) -> None:
        self._callbacks: list[Callback] = []
        self._lock = threading.Lock()

    def subscribe(self, callback: Callback) -> Callable[[], None]:
        """Call ``callback(topic)`` after every committed write of ``topic``; returns the unsubscribe function."""
        with self._lock:
            self._callbacks.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._callbacks:
                    self._callbacks.remove(callback)

        return unsubscribe

    def emit(self, *topics: str) -> None:
        """Tell every subscriber that data of ``topics`` was written (call it after the commit)."""
        with self._lock:
            callbacks = list(self._callbacks)
        for topic in topics:
            for callback in callbacks:
                try:
                    callback(topic)
                except Exception:  # noqa: BLE001 - the write is committed; a broken view must not undo its caller
                    log.exception("change listener %r failed on %r", callback, topic)


class VersionWatch:
    """Tells whether the database file changed since the last look (any connection, any process).

    SQLite's ``PRAGMA data_version`` moves when a connection *other than the one asking* commits, so the
    watch keeps a connection of its own that never writes. Use it from one thread only.
    """

    def __init__(self, path: Path) -> None:
        self._conn: sqlite3.Connection | None = sqlite3.connect(str(path))
        self._version = self._read()

    def _read(self) -> int:
        assert self._conn is not None
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def changed(self) -> bool:
        """``True`` when something was committed since the previous call (or since the watch was made)."""
        if self._conn is None:
            return False
        try:
            version = self._read()
        except sqlite3.Error as exc:  # e.g. the file was moved away: stop watching, keep the app running
            log.warning("cannot watch the database for changes: %s", exc)
            self.close()
            return False
        moved, self._version = version != self._version, version
        return moved

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
