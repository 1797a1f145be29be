"""Coalesce a token stream into a few UI updates.

Relabelling a reply on every token redraws (and re-lays out) the whole text each time, which grows with
the square of the reply's length. :class:`TextCoalescer` passes the first piece on at once, then at most
one batch per ``interval_ms``, so the number of redraws per second stays bounded whatever the token rate.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

#: About two frames at 60 Hz: fast enough to read as live typing, slow enough to batch several tokens.
DEFAULT_INTERVAL_MS = 30


class TextCoalescer(QObject):
    """Collects streamed text pieces and hands them to ``sink`` in batches, on the UI thread.

    Leading edge: a piece arriving after a quiet interval goes to ``sink`` at once (the first token shows
    without delay). Trailing edge: pieces arriving within ``interval_ms`` of the last batch wait for the
    timer. The concatenation of every batch equals the concatenation of every piece, in order.

    Args:
        sink: called with the text of each batch (never empty).
        interval_ms: the least time between two batches.
        parent: owner of the timer.
    """

    def __init__(self, sink: Callable[[str], None], interval_ms: int = DEFAULT_INTERVAL_MS,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sink = sink
        self._pending: list[str] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    @property
    def pending(self) -> str:
        """Text received but not yet handed to the sink."""
        return "".join(self._pending)

    def add(self, piece: str) -> None:
        """Take one piece; it reaches the sink now or within ``interval_ms``."""
        if not piece:
            return
        self._pending.append(piece)
        if not self._timer.isActive():
            self.flush()
            self._timer.start()  # the quiet interval during which later pieces are batched

    def flush(self) -> None:
        """Hand whatever is pending to the sink now (end of stream, Stop, before a re-render)."""
        if self._pending:
            text = "".join(self._pending)
            self._pending.clear()
            self._sink(text)

    def _tick(self) -> None:
        if self._pending:
            self.flush()
            self._timer.start()  # keep batching while the stream goes on
