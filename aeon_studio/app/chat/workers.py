"""Run a chat :class:`Reply` off the UI thread; chunks come back through queued signals."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

log = logging.getLogger(__name__)


class ReplyWorker(QThread):
    """``make_reply`` runs in the thread (it may load the model), then the reply is iterated.

    Signals: ``started_reply(reply)`` once the model is loaded, ``chunk(str)`` per piece,
    ``finished_reply(reply)`` when it ended and was stored, ``failed(exc)`` on an error.
    """

    started_reply = Signal(object)
    chunk = Signal(str)
    finished_reply = Signal(object)
    failed = Signal(object)

    def __init__(self, make_reply: Callable[[], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._make_reply = make_reply
        self.reply: Any = None
        self._cancelled = False

    def cancel(self) -> None:
        self._cancelled = True
        if self.reply is not None:
            self.reply.cancel()

    def run(self) -> None:  # noqa: D401 - Qt name
        try:
            self.reply = self._make_reply()
            if self._cancelled:
                self.reply.cancel()
            self.started_reply.emit(self.reply)
            for piece in self.reply:
                self.chunk.emit(piece)
        except Exception as exc:  # reaches the UI as a dialog
            log.exception("reply failed")
            self.failed.emit(exc)
            return
        self.finished_reply.emit(self.reply)
