"""Chat-tab extension: a **Retrain** button (show what it will train on, start a quick run for the current
persona, then judge the new version against the active one off the UI thread and show the verdict with both
models' numbers, see :mod:`.gate`) and a "suggest retrain" hint after
``retrain_hint_every`` new rated replies. What to train on is decided in the core
(:mod:`aeon_studio.core.training.retrain`); this module only asks and shows."""

from __future__ import annotations

import logging

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from aeon_studio.core.i18n import _, ngettext
from aeon_studio.core.training.retrain import create_retrain_run, finished_text, plan_retrain, ratings_since_last_run
from aeon_studio.app.style import set_style_property

log = logging.getLogger(__name__)


class Retrain:
    """The chat's Retrain button: it reads the persona from ``chat`` and runs the training in ``training``."""

    def __init__(self, parent: QWidget, *, chat, training) -> None:
        self.window = parent  # dialogs' parent
        self.chat = chat
        self.training = training
        self.ctx = chat.ctx
        self.button = QPushButton(_("Retrain"))
        self.button.setToolTip(_("Fine-tune the current persona on your well-rated replies (quick preset)."))
        self.button.clicked.connect(self.retrain)
        self.timer = QTimer(self.button)
        self.timer.setInterval(20000)
        self.timer.timeout.connect(self.update_hint)
        self.timer.start()
        self._running = False
        self.update_hint()

    def persona_key(self) -> str | None:
        key = self.chat.persona_combo.currentData()
        return str(key) if key else None

    def update_hint(self) -> None:
        if self._running:
            return  # the button shows the run's progress
        try:
            n = ratings_since_last_run(self.ctx.db)
        except Exception:  # noqa: BLE001 - never break the chat over a hint
            log.exception("retrain hint")
            return
        every = max(1, self.ctx.settings.retrain_hint_every)
        if n >= every:
            self.button.setText(ngettext("Retrain ({n} new rating)", "Retrain ({n} new ratings)", n).format(n=n))
            set_style_property(self.button, "emphasis", True)
        else:
            self.button.setText(_("Retrain"))
            set_style_property(self.button, "emphasis", False)

    def confirm(self, plan) -> bool:
        """Show what the retrain will train on; below the minimum the default button is Cancel."""
        box = QMessageBox(self.window)
        box.setWindowTitle(_("Retrain"))
        box.setText(_("Retrain persona '{p}' on your data?").format(
            p=self.chat.persona_combo.currentText() or plan.persona_key or _("default")))  # its name, not its key
        text = plan.describe()
        warnings = plan.warnings()
        if warnings:
            text += "\n\n" + "\n".join(warnings)
        box.setInformativeText(text)
        box.setIcon(QMessageBox.Icon.Warning if plan.too_small else QMessageBox.Icon.Question)
        start = box.addButton(_("Train anyway") if plan.too_small else _("Start"),
                              QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel if plan.too_small else start)
        box.exec()
        return box.clickedButton() is start

    def retrain(self) -> None:
        from aeon_studio.app.shared.errors import show_error

        tab = self.training
        key = self.persona_key()
        try:
            plan = plan_retrain(key, self.ctx.db)
        except Exception as err:  # noqa: BLE001
            show_error(self.window, _("Cannot retrain"), err)
            return
        if not self.confirm(plan):
            return
        try:
            row = create_retrain_run(plan, self.ctx.db)
        except Exception as err:  # noqa: BLE001
            show_error(self.window, _("Cannot retrain"), err)
            return
        tab.run_finished.connect(self._finished)
        tab.process.event.connect(self._on_event)
        self._running = True
        tab.start_run(row.id)
        self.button.setEnabled(False)
        self.button.setText(_("Retraining… loading the model"))

    def _on_event(self, ev: object) -> None:
        """Progress on the button itself: the chat stays usable and the user sees how far the run is."""
        from aeon_studio.app.training.log import fmt_duration
        from aeon_studio.core.training.events import Preflight, Step, parse

        total = self.training.total
        ev = parse(ev)  # an Event from the Training tab's process
        if isinstance(ev, Preflight):
            self.button.setText(_("Retraining… preparing"))
        elif isinstance(ev, Step) and total and ev.step >= total:
            # training is over; the worker saves the adapter and asks it a few questions in llama.cpp
            self.button.setText(_("Retraining… checking the new version"))
        elif isinstance(ev, Step) and total:
            pct = min(100, int(100 * ev.step / total))
            eta = fmt_duration(ev.eta_s)
            self.button.setText(_("Retraining… {p}% · {eta} left").format(p=pct, eta=eta) if eta
                                else _("Retraining… {p}%").format(p=pct))

    def _finished(self, run_id: str, status: str) -> None:
        from aeon_studio.core.training import runs
        from aeon_studio.core.training.events import RunStatus

        tab = self.training
        for signal, slot in ((tab.run_finished, self._finished), (tab.process.event, self._on_event)):
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass
        self._running = False
        self.button.setEnabled(True)
        self.update_hint()
        row = runs.get_run(run_id, self.ctx.db)
        if status != RunStatus.DONE or not row.adapter_id or not row.persona_key:
            return
        checks = (row.metrics or {}).get("checks") or {}
        if checks.get("ok") is False:
            QMessageBox.warning(self.window, _("The new version is not usable"), finished_text(row))
            return
        self.evaluate(run_id)

    def evaluate(self, run_id: str) -> None:
        """Judge the new version against the active one off the UI thread, with progress and Cancel."""
        from PySide6.QtWidgets import QProgressDialog

        from aeon_studio.app.training.gate import GateJob

        self.job = job = GateJob(run_id, self.ctx.db, self.button)
        self.progress = bar = QProgressDialog(_("Comparing the new version with the current one…"), _("Cancel"),
                                              0, 0, self.window)
        bar.setWindowTitle(_("Retrain"))
        bar.setMinimumDuration(0)
        bar.canceled.connect(job.cancel)
        job.progressed.connect(self._gate_progress)
        job.succeeded.connect(self._gate_done)
        job.failed.connect(self._gate_failed)
        job.finished.connect(bar.reset)
        self._running = True
        self.button.setEnabled(False)
        self.button.setText(_("Evaluating…"))
        job.start()

    def _gate_progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(1, total))
        self.progress.setValue(done)
        self.button.setText(_("Evaluating… {done}/{total}").format(done=done, total=total))

    def _gate_ended(self) -> None:
        self._running = False
        self.button.setEnabled(True)
        self.update_hint()

    def _gate_done(self, outcome) -> None:
        from aeon_studio.app.training.gate import GateDialog

        self._gate_ended()
        self.dialog = GateDialog(outcome, self.ctx.db, self.window)
        self.dialog.open()

    def _gate_failed(self, err: BaseException) -> None:
        from aeon_studio.app.shared.errors import show_error

        self._gate_ended()
        if self.job.cancel_event.is_set():
            return  # the user cancelled: the new version stays, unjudged and not active
        show_error(self.window, _("Cannot evaluate the new version"), err)
