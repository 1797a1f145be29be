"""Training tab: start a LoRA run in a background QProcess, follow its JSON events, list runs."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QModelIndex, QObject, QProcess, Qt, Signal
from PySide6.QtWidgets import (QComboBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
                               QProgressBar, QPushButton, QSplitter, QTableView, QVBoxLayout, QWidget)

from aeon_studio.core.i18n import N_, _, ngettext
from aeon_studio.core.storage.changes import ANY
from aeon_studio.core.training.events import Error, Eval, Event, Preflight, RunStatus, Start, Step, parse
from aeon_studio.app.context import AppContext
from aeon_studio.app.shared.live import LiveView
from aeon_studio.app.evaluation.numbers import number
from aeon_studio.app.shared.loss_chart import LossChart
from aeon_studio.app.training.log import TrainingLog, fmt_duration
from aeon_studio.app.training.runs import RunsModel
from aeon_studio.app.training.settings import AdvancedSettings, ValueCombo, dataset_choices, model_choices

class TrainingProcess(QObject):
    """Runs the worker through QProcess and re-emits its JSON events, typed (:mod:`core.training.events`); the
    registry is updated at the end.

    The last few KB of the worker's stderr are kept (:meth:`stderr_tail`) to explain a crash."""

    event = Signal(object)  # an Event
    finished = Signal(str, str)  # run id, final status
    STDERR_KEEP = 8192

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.proc: QProcess | None = None
        self.run_id: str | None = None
        self._buf = b""
        self._err = b""

    def running(self) -> bool:
        return self.proc is not None and self.proc.state() != QProcess.ProcessState.NotRunning

    def start(self, run_id: str) -> None:
        from aeon_studio.core.training import runs

        cmd = runs.worker_command(run_id)
        self.run_id, self._buf, self._err = run_id, b"", b""
        self.proc = QProcess(self)
        self.proc.setProcessChannelMode(QProcess.ProcessChannelMode.SeparateChannels)
        self.proc.readyReadStandardOutput.connect(self._read)
        self.proc.readyReadStandardError.connect(self._read_err)
        self.proc.finished.connect(self._done)
        self.proc.start(cmd[0], cmd[1:])
        self.proc.waitForStarted(10000)
        runs.mark_started(run_id, int(self.proc.processId()) or None)

    def cancel(self) -> None:
        from aeon_studio.core.training import runs

        if self.run_id:
            runs.cancel(self.run_id)

    def stderr_tail(self, lines: int = 15) -> str:
        """The last ``lines`` lines the worker wrote to stderr (warnings, a traceback)."""
        text = self._err.decode("utf-8", errors="replace").strip()
        return "\n".join(text.splitlines()[-lines:])

    def _read(self) -> None:
        self._buf += bytes(self.proc.readAllStandardOutput())
        *lines, self._buf = self._buf.split(b"\n")
        for line in lines:
            ev = parse(line)
            if ev is not None:  # not an event: a library writing to stdout
                self.event.emit(ev)

    def _read_err(self) -> None:
        self._err = (self._err + bytes(self.proc.readAllStandardError()))[-self.STDERR_KEEP:]

    def _done(self, *_args) -> None:
        from aeon_studio.core.training import runs

        self._read()
        self._read_err()
        row = runs.refresh(self.run_id, exited=True)
        self.finished.emit(self.run_id, row.status)


PRESETS = (("quick", N_("Quick (minutes)")), ("balanced", N_("Balanced")), ("thorough", N_("Thorough (hours)")))


class TrainingTab(QWidget):
    """Signals: ``run_finished(run_id, status)`` when a worker started here ends."""

    run_finished = Signal(str, str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.total = 0
        self.process = TrainingProcess(self)
        self.process.event.connect(self.on_event)
        self.process.finished.connect(self._finished)

        form_box = QGroupBox(_("New run"))
        left = QVBoxLayout(form_box)
        form = QFormLayout()
        left.addLayout(form)
        row = QHBoxLayout()
        self.dataset = ValueCombo()
        self.dataset.lineEdit().setPlaceholderText(_("dataset name or .jsonl file"))
        self.dataset.setToolTip(_("A dataset of the Datasets tab, or a .jsonl file of {\"messages\": [...]} examples."))
        browse = QPushButton(_("Browse…"))
        browse.clicked.connect(self._browse)
        row.addWidget(self.dataset, 1)
        row.addWidget(browse)
        form.addRow(_("Dataset:"), row)
        self.base = ValueCombo()
        self.base.lineEdit().setPlaceholderText(_("model id, .gguf file or transformers folder"))
        form.addRow(_("Base model:"), self.base)
        self.preset = QComboBox()
        for key, label in PRESETS:
            self.preset.addItem(_(label), key)
        form.addRow(_("Preset:"), self.preset)
        self.method = QComboBox()
        self.method.addItem(_("SFT (examples)"), "sft")
        self.method.addItem(_("DPO (preference pairs)"), "dpo")
        self.method.addItem(_("KTO (replies rated good or bad)"), "kto")
        self.method.addItem(_("ORPO (preference pairs, also learns the chosen replies)"), "orpo")
        for i, tip in enumerate([  # what each method learns from, and where that data comes from
            _("Learns to answer like the examples: replies you rated 4 or 5, corrected or wrote yourself."),
            _("Learns to prefer one reply over another: needs preference pairs (a correction and the reply it "
              "replaced, a regeneration you kept, a blind comparison you voted on)."),
            _("Learns from single replies labelled good or bad: rated 4–5 are good, rated 1–2 are bad. No pairs "
              "needed."),
            _("Like DPO on preference pairs, and also learns the chosen replies as examples, in one run without "
              "a reference model."),
        ]):
            self.method.setItemData(i, tip, Qt.ItemDataRole.ToolTipRole)
        self.method.currentIndexChanged.connect(  # the closed picker explains the chosen method too
            lambda i: self.method.setToolTip(self.method.itemData(i, Qt.ItemDataRole.ToolTipRole) or ""))
        self.method.setToolTip(self.method.itemData(0, Qt.ItemDataRole.ToolTipRole))
        form.addRow(_("Method:"), self.method)
        self.advanced = AdvancedSettings()
        self.preset.currentIndexChanged.connect(lambda _i: self.advanced.fill(self.preset.currentData()))
        left.addWidget(self.advanced)
        buttons = QHBoxLayout()
        self.start_btn = QPushButton(_("Start training"))
        self.start_btn.clicked.connect(self._start_clicked)
        self.cancel_btn = QPushButton(_("Cancel"))
        self.cancel_btn.setEnabled(False)
        self.cancel_btn.clicked.connect(self.process.cancel)
        self.resume_btn = QPushButton(_("Resume selected"))
        self.resume_btn.clicked.connect(self._resume_clicked)
        buttons.addWidget(self.start_btn)
        buttons.addWidget(self.cancel_btn)
        buttons.addWidget(self.resume_btn)
        buttons.addStretch(1)
        self.button_row = buttons  # the main window adds "Automatic retraining…" here
        left.addLayout(buttons)
        self.hint = QLabel(_("Runs train in a separate process: chat stays responsive, and a cancelled or "
                             "interrupted run can be resumed from its last checkpoint."))
        self.hint.setWordWrap(True)
        self.hint.setProperty("tone", "hint")
        left.addWidget(self.hint)
        left.addWidget(QLabel(_("Log:")))
        self.log = TrainingLog()
        left.addWidget(self.log, 1)

        prog_box = QGroupBox(_("Progress"))
        pv = QVBoxLayout(prog_box)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status = QLabel(_("No run in progress."))
        self.status.setWordWrap(True)
        self.notes = QLabel("")
        self.notes.setWordWrap(True)
        self.chart = LossChart()
        pv.addWidget(self.progress)
        pv.addWidget(self.status)
        pv.addWidget(self.notes)
        pv.addWidget(self.chart, 1)

        self.model = RunsModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._run_selected)

        top = QWidget()
        tl = QHBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(form_box, 1)
        tl.addWidget(prog_box, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(self.table)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        lay = QVBoxLayout(self)
        lay.addWidget(split)
        self.refresh_choices()
        self.base.set_value(ctx.settings.default_model)
        self.reload()
        self.live = LiveView(self, ctx.changes, {"datasets", "models", "runs", "adapters"}, self._data_changed)

    def tab_title(self) -> str:
        return _("Training")

    def _data_changed(self, topics: frozenset[str]) -> None:
        """Datasets, models or runs written elsewhere (the retrain, the CLI): refresh the pickers and the runs,
        keeping the selected run (without replaying its log again)."""
        if topics & {"datasets", "models", ANY}:
            self.refresh_choices()
        if topics & {"runs", "adapters", ANY}:
            current = self.table.currentIndex()
            run_id = self.model.rows[current.row()].id if current.isValid() else None
            self.reload()
            row = next((i for i, r in enumerate(self.model.rows) if r.id == run_id), None)
            if row is not None:
                selection = self.table.selectionModel()
                selection.blockSignals(True)
                self.table.selectRow(row)
                selection.blockSignals(False)
                self.table.viewport().update()

    def showEvent(self, event) -> None:  # noqa: N802
        self.refresh_choices()
        super().showEvent(event)

    def refresh_choices(self) -> None:
        """Reload the dataset and base model pickers (what was chosen or typed stays)."""
        from aeon_studio.core.datasets import DatasetStore
        from aeon_studio.core.models.registry import ModelRegistry

        try:
            self.dataset.set_choices(dataset_choices(DatasetStore(self.ctx.db).list()))
            self.base.set_choices(model_choices(ModelRegistry(self.ctx.db).list()))
        except Exception as err:  # noqa: BLE001
            from aeon_studio.app.shared.errors import show_error

            show_error(self, _("Training"), err)

    def reload(self) -> None:
        from aeon_studio.core.training import runs

        try:
            self.model.set_rows(runs.list_runs(self.ctx.db))
        except Exception as err:  # noqa: BLE001
            from aeon_studio.app.shared.errors import show_error

            show_error(self, _("Training runs"), err)

    def _browse(self) -> None:
        path, _f = QFileDialog.getOpenFileName(self, _("Dataset file"), str(Path.home()), "JSONL (*.jsonl)")
        if path:
            self.dataset.set_value(path)

    def create_run(self):
        """Create a run from the form (dataset snapshot + spec) with the CLI's overrides; returns its row."""
        from aeon_studio.core.training import runs

        return runs.create_run(self.dataset.value(), base=self.base.value() or None,
                               preset=self.preset.currentData(), method=self.method.currentData(), db=self.ctx.db,
                               **self.advanced.overrides())

    def _start_clicked(self) -> None:
        try:
            row = self.create_run()
        except Exception as err:  # noqa: BLE001
            from aeon_studio.app.shared.errors import show_error

            show_error(self, _("Cannot start training"), err)
            return
        self.start_run(row.id)

    def _resume_clicked(self) -> None:
        from aeon_studio.core.training import runs

        idx = self.table.currentIndex()
        if not idx.isValid():
            return
        try:
            row = runs.prepare_resume(self.model.rows[idx.row()].id, self.ctx.db)
        except Exception as err:  # noqa: BLE001
            from aeon_studio.app.shared.errors import show_error

            show_error(self, _("Cannot resume"), err)
            return
        self.start_run(row.id, keep_chart=True)

    def start_run(self, run_id: str, keep_chart: bool = False) -> None:
        """Start the worker of an existing run (created by :func:`runs.create_run`)."""
        if self.process.running():
            from aeon_studio.app.shared.errors import show_error

            show_error(self, _("Training"), _("A run is already in progress; cancel it first."))
            return
        if not keep_chart:
            self.chart.clear()
            self.log.clear()
        self.notes.setText("")
        self.status.setText(_("Starting run {id}: loading the base model…").format(id=run_id))
        self.log.add_line(_("Run {id}: starting the worker (loading the base model)…").format(id=run_id), time.time())
        self.progress.setRange(0, 0)
        self.start_btn.setEnabled(False)
        self.cancel_btn.setEnabled(True)
        self.process.start(run_id)
        self.reload()

    def on_event(self, ev: Event | Mapping) -> None:
        """Apply one worker event (or its JSON object) to the progress bar, chart, status and log."""
        ev = parse(ev)
        if ev is None:
            return
        if isinstance(ev, Preflight):
            text = _("{examples}, ~{tok} tokens · model {value} million parameters · RAM ~{ram} MB · estimate {s}")
            text = text.format(
                examples=ngettext("{n} example", "{n} examples", ev.examples).format(n=ev.examples),
                tok=ev.dataset_tokens, value=number(ev.params / 1e6, 1), s=fmt_duration(ev.estimated_s or 0),
                ram="?" if ev.ram_estimate_mb is None else ev.ram_estimate_mb)
            self.notes.setText("\n".join([text, *ev.notes]))
        elif isinstance(ev, Start):
            self.total = ev.total_steps or 0
            self.progress.setRange(0, max(1, self.total))
            self.progress.setValue(ev.resumed_from or 0)
            # the model is loaded: the "loading the base model…" line would stay until the first step otherwise
            self.status.setText(_("Training: step {s}/{t}, the next step is under way…")
                                .format(s=ev.resumed_from or 0, t=self.total))
        elif isinstance(ev, Step):
            self.progress.setValue(ev.step)
            if self.process.running() and self.process.run_id:
                self.model.update_live(self.process.run_id, step=ev.step, loss=ev.loss,
                                       **({"total_steps": self.total} if self.total else {}))
            self.status.setText(_("Step {s}/{t} · loss {loss} · {value} tokens/s · about {eta} left")
                                .format(s=ev.step, t=self.total, loss=number(ev.loss, 4),
                                        value=number(ev.tokens_per_s or 0, 0), eta=fmt_duration(ev.eta_s or 0)))
        elif isinstance(ev, Eval) and self.process.running() and self.process.run_id:
            self.model.update_live(self.process.run_id, eval_loss=ev.eval_loss)
        elif isinstance(ev, Error):
            self.status.setText(_("Error: {m}").format(m=ev.message))
            self.notes.setText(ev.hint or "")
        self.chart.add_event(ev)
        self.log.add_event(ev)

    def _finished(self, run_id: str, status: str) -> None:
        from aeon_studio.core.training import runs

        self.progress.setRange(0, 1)
        self.progress.setValue(1 if status == RunStatus.DONE else 0)
        self.start_btn.setEnabled(True)
        self.cancel_btn.setEnabled(False)
        row = runs.get_run(run_id, self.ctx.db)
        if status == RunStatus.DONE:
            self.status.setText(_("Run {id} done · adapter {a}").format(id=run_id, a=row.adapter_id))
            self._show_cost(row)
        elif status == RunStatus.CANCELLED:
            self.status.setText(_("Run {id} cancelled; select it and press Resume to continue.").format(id=run_id))
        else:
            self.status.setText(_("Run {id} failed: {e}").format(id=run_id, e=row.error or ""))
            self.log.add_line(self.status.text(), time.time())
            tail = self.process.stderr_tail()
            if tail:
                self.log.add_line(_("Worker stderr (last lines):"), time.time())
                self.log.add_line(tail)
        self.reload()
        self.run_finished.emit(run_id, status)

    def _run_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and not self.process.running():
            self.show_run(self.model.rows[current.row()].id)

    def show_run(self, run_id: str) -> None:
        """Replay a past run's ``events.jsonl`` into the chart, log and status (not while a run is live)."""
        from aeon_studio.core.training import runs

        events = runs.read_events(run_id)  # typed
        self.chart.clear()
        self.log.clear()
        self.total = 0
        self.notes.setText("")
        for ev in events:
            self.on_event(ev)
        row = next((r for r in self.model.rows if r.id == run_id), None)
        if row is not None:
            self.status.setText(_("Run {id}: {status}").format(id=run_id, status=_(row.status)))
            self._show_cost(row)
            if row.error:
                self.log.add_line(row.error)
        self.progress.setRange(0, 1)
        self.progress.setValue(1 if row is not None and row.status == RunStatus.DONE else 0)

    def _show_cost(self, row) -> None:
        """Add what the run cost (its machine time × the hourly price it was started with) to the status line;
        the sentence with the time and the price is its tooltip. Nothing when no price was set."""
        from aeon_studio.core.training.cost import cost_amount, cost_text

        metrics = row.metrics or {}
        amount = cost_amount(metrics)
        self.status.setToolTip(cost_text(metrics) or "")
        if amount is not None:
            self.status.setText(self.status.text() + " · " + _("estimated cost {cost}").format(cost=amount))

    def shutdown(self) -> None:
        if self.process.running():
            self.process.cancel()
            self.process.proc.waitForFinished(15000)
