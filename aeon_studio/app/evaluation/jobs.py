"""The evaluation off the UI thread: a QThread with progress and a cancel flag the core polls."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

log = logging.getLogger(__name__)


class EvaluateJob(QThread):
    """Runs ``fn(progress, should_stop)`` in a thread; its results come back through queued signals.

    ``progress(fraction, message)`` may be called from the thread (``fraction < 0``: busy, no fraction known);
    ``should_stop()`` turns true once :meth:`cancel` was called (the core's ``should_stop=`` takes it as is).

    Signals: ``progressed(fraction, message)``, ``succeeded(result)``, ``failed(exc)``.
    """

    progressed = Signal(float, str)
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, fn: Callable[[Callable[[float, str], None], Callable[[], bool]], Any],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fn = fn
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> None:  # noqa: D401 - Qt name
        try:
            result = self._fn(lambda f, m="": self.progressed.emit(float(f), str(m)), self._cancel.is_set)
        except Exception as exc:  # reaches the user through the tab (show_error), and the log
            log.exception("evaluation failed")
            self.failed.emit(exc)
        else:
            self.succeeded.emit(result)
