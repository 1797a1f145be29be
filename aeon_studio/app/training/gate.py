"""After a retrain: the gate runs off the UI thread (:class:`GateJob`), then :class:`GateDialog` shows its verdict
and both models' numbers side by side, offering "Use the new one anyway" when the gate kept the current one.

What to judge and how lives in the core (:mod:`aeon_studio.core.training.gated`); this module only shows it."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import (QAbstractItemView, QAbstractScrollArea, QDialog, QDialogButtonBox, QHeaderView,
                               QLabel, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from aeon_studio.app.evaluation.numbers import number
from aeon_studio.core.i18n import _
from aeon_studio.core.training.gated import GateOutcome, headline, side_by_side

log = logging.getLogger(__name__)


class GateJob(QThread):
    """Runs ``finish_retrain(run_id)`` in a thread: ``progressed(done, total)`` (throttled), then exactly one of
    ``succeeded(GateOutcome)`` / ``failed(exc)``. :meth:`cancel` asks the evaluation to stop."""

    progressed = Signal(object, object)
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, run_id: str, db: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.run_id = run_id
        self.db = db
        self.cancel_event = threading.Event()
        self._last = 0.0

    def cancel(self) -> None:
        self.cancel_event.set()

    def _progress(self, done: int, total: int, *_rest: Any) -> None:
        now = time.monotonic()
        if done >= total or now - self._last >= 0.1:  # a fast loop must not flood the event queue
            self._last = now
            self.progressed.emit(int(done), int(total))

    def run(self) -> None:
        from aeon_studio.core.training.gated import finish_retrain

        try:
            out = finish_retrain(self.run_id, self.db, progress=self._progress,
                                 should_stop=self.cancel_event.is_set)
        except Exception as exc:  # shown to the user through show_error, and logged
            log.exception("gate after retrain %s failed", self.run_id)
            self.failed.emit(exc)
        else:
            self.succeeded.emit(out)


def reasons_now(outcome: GateOutcome) -> list[str]:
    """The verdict's reasons in the language the app shows now.

    The stored reasons are text in the language the gate ran in (e.g. a retrain from an English terminal); the
    gate's own words are rebuilt from the stored numbers when they lead to the same decision."""
    if outcome.by != "gate" or not outcome.candidate or not outcome.against:
        return list(outcome.reasons)
    from types import SimpleNamespace

    from aeon_studio.core.evaluation.gate import judge

    try:
        again = judge(SimpleNamespace(candidate=SimpleNamespace(**outcome.candidate),
                                      against=SimpleNamespace(**outcome.against)))
    except (AttributeError, TypeError):  # an older report without every metric: its words as stored
        return list(outcome.reasons)
    return list(again.reasons) if again.promoted == outcome.promoted else list(outcome.reasons)


class GateDialog(QDialog):
    """The retrain's result: the verdict, its reasons and the numbers (active vs new).

    When the gate kept the current version (or could not judge), "Keep the current one" closes the dialog and
    "Use the new one anyway" promotes the new version by hand (:func:`~aeon_studio.core.export.adapters.promote`)."""

    promoted = Signal(str)  # the adapter id, after "Use the new one anyway" worked

    def __init__(self, outcome: GateOutcome, db: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gateDialog")
        self.outcome = outcome
        self.db = db
        self.setWindowTitle(_("Retraining done"))
        layout = QVBoxLayout(self)
        self.headline = QLabel(headline(outcome))
        self.headline.setObjectName("gateHeadline")
        self.headline.setWordWrap(True)
        layout.addWidget(self.headline)
        self.reasons = QLabel("\n".join("• " + r for r in reasons_now(outcome)))
        self.reasons.setWordWrap(True)
        layout.addWidget(self.reasons)
        rows = side_by_side(outcome, number)  # decimals as the user's language writes them
        self.table = QTableWidget(len(rows), 2)
        # two lines: adapter ids are long, and a cut header would hide which side is which
        before = _("Before") if outcome.promoted else _("Now active")  # once promoted, the new one is active
        against = str(outcome.against.get("model", ""))
        self.table.setHorizontalHeaderLabels([before + "\n" + (_("Base model") if against == "base" else against),
                                              _("New version") + "\n" + outcome.adapter])
        self.table.setVerticalHeaderLabels([label for label, _a, _c in rows])
        for i, (_label, active, new) in enumerate(rows):
            for column, text in ((0, active), (1, new)):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)  # the two numbers read as a pair
                self.table.setItem(i, column, item)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)  # no empty band
        self.table.setVisible(bool(rows))
        layout.addWidget(self.table)
        # what the measures mean, for someone who has never heard of perplexity or BLEU
        self.legend = QLabel(_("Both versions answered the same questions they were never trained on. "
                               "Perplexity: how unexpected your reference answers are to the model (lower is "
                               "better). BLEU and chrF: how close its replies are to them, 0–100 (higher is "
                               "better). Golden prompts: your must / must-not checks."))
        self.legend.setProperty("tone", "hint")
        self.legend.setWordWrap(True)
        self.legend.setVisible(bool(rows))
        layout.addWidget(self.legend)
        buttons = QDialogButtonBox()
        self.keep_button: QPushButton | None = None
        self.use_button: QPushButton | None = None
        if outcome.usable and not outcome.promoted:
            self.keep_button = buttons.addButton(_("Keep the current one"), QDialogButtonBox.ButtonRole.RejectRole)
            self.use_button = buttons.addButton(_("Use the new one anyway"), QDialogButtonBox.ButtonRole.AcceptRole)
            self.keep_button.setDefault(True)
            self.use_button.clicked.connect(self.use_anyway)
            self.keep_button.clicked.connect(self.reject)
        else:
            ok = buttons.addButton(QDialogButtonBox.StandardButton.Ok)
            ok.clicked.connect(self.accept)
        layout.addWidget(buttons)
        self.resize(640, self.sizeHint().height() if rows else 180)

    def use_anyway(self) -> None:
        """Promote the new version by hand; on failure the error is shown and nothing changes."""
        from aeon_studio.app.shared.errors import show_error
        from aeon_studio.core.export.adapters import promote

        try:
            promote(self.outcome.adapter, self.db, by="user")
        except Exception as err:  # noqa: BLE001 - shown to the user
            show_error(self, _("Cannot use the adapter"), err)
            return
        self.promoted.emit(self.outcome.adapter)
        self.accept()
