"""The Qt binding the app runs on must not leak references on signal emits: PySide6 6.12.0 drops one reference
to Python's ``True`` per emit (Python 3.11), so a streamed chat of a few thousand tokens aborts the app."""

from __future__ import annotations

import sys

import pytest


@pytest.mark.gui
def test_emitting_signals_keeps_reference_counts(qtbot):
    from PySide6.QtCore import QObject, Signal

    class Source(QObject):
        text = Signal(str)

    src = Source()
    got: list[str] = []
    src.text.connect(got.append)
    before = sys.getrefcount(True)
    for _ in range(200):
        src.text.emit("token")
    assert len(got) == 200
    assert sys.getrefcount(True) - before > -50, "this PySide6 leaks a reference per emit; see pyproject.toml"
