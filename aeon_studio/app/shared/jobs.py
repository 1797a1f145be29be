"""A cancellable background job: work of the core (embedding, import, evaluation…) off the UI thread."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

log = logging.getLogger(__name__)

#: ``progress(fraction 0..1 or -1 for "busy", message)`` — safe to call from the job's thread.
Progress = Callable[[float, str], None]


class BackgroundJob(QThread):
    """Runs ``fn(progress, cancelled)`` in a thread and reports back through queued signals.

    ``cancelled`` is a no-argument callable that turns true once :meth:`cancel` was called; the work
    checks it between steps (the core's ``cancel=`` / ``should_stop=`` parameters take it as is).

    Signals: ``progressed(fraction, message)``, ``succeeded(result)``, ``failed(exc)``.
    """

    progressed = Signal(float, str)
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, fn: Callable[[Progress, Callable[[], bool]], Any], name: str = "",
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._fn = fn
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> None:  # noqa: D401 - Qt name
        try:
            result = self._fn(lambda f, m="": self.progressed.emit(float(f), str(m)), self._cancel.is_set)
        except Exception as exc:  # reaches the user through show_error, and the log
            log.exception("background job %s failed", self.name)
            self.failed.emit(exc)
        else:
            self.succeeded.emit(result)
