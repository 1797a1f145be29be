"""Run dataset work off the UI thread; progress is throttled so a fast loop cannot flood the event queue."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

log = logging.getLogger(__name__)


class DatasetJob(QThread):
    """Runs ``fn(progress, cancel)`` in a thread.

    ``progress(done, total)`` may be called as often as the work likes: at most ~20 updates a second reach
    the ``progressed`` signal (the last one always does). ``cancel`` is a :class:`threading.Event` set by
    :meth:`cancel`. Exactly one of ``succeeded(result)`` / ``failed(exc)`` is emitted.
    """

    progressed = Signal(object, object)  # Python ints: byte counts pass 2 GiB
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, fn: Callable[[Callable[[int, int], None], threading.Event], Any],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fn = fn
        self.cancel_event = threading.Event()
        self._last = 0.0
        self.result: Any = None
        self.error: BaseException | None = None

    def cancel(self) -> None:
        self.cancel_event.set()

    def _progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - self._last >= 0.05:
            self._last = now
            self.progressed.emit(int(done), int(total))

    def run(self) -> None:
        try:
            self.result = self._fn(self._progress, self.cancel_event)
        except Exception as exc:  # reported to the user through show_error, and logged
            log.exception("dataset job failed")
            self.error = exc
            self.failed.emit(exc)
        else:
            self.succeeded.emit(self.result)
