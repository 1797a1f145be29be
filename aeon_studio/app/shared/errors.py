"""Every error reaches a dialog and the log; the app keeps running."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

log = logging.getLogger(__name__)


def show_error(parent: QWidget | None, title: str, err: BaseException | str) -> None:
    """Every error reaches a dialog and the log (with its traceback when it was raised); the app keeps running."""
    raised = isinstance(err, BaseException) and err.__traceback__ is not None
    log.error("%s: %s", title, err, exc_info=err if raised else None)
    box = QMessageBox(QMessageBox.Icon.Warning, title, str(err), QMessageBox.StandardButton.Ok, parent)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.open()
