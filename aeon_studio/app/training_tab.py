"""Training tab: start a LoRA run in a background QProcess, follow its JSON events, list runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QProcess, Qt, Signal
from PySide6.QtWidgets import (QComboBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QProgressBar, QPushButton, QSplitter, QTableView, QVBoxLayout, QWidget)

from ..core.i18n import N_, _
from .context import AppContext
from .loss_chart import LossChart

COLUMNS = [N_("Run"), N_("Status"), N_("Dataset"), N_("Preset"), N_("Step"), N_("Loss"), N_("Adapter")]


class RunsModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[Any] = []

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008
        return len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _(COLUMNS[section])
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole or not index.isValid():
            return None
        r = self.rows[index.row()]
        m = r.metrics or {}
        loss = m.get("final_loss") or m.get("loss")
        return [r.id, _(r.status), r.dataset_name or "", r.preset, m.get("step") or "",
                f"{loss:.3f}" if isinstance(loss, (int, float)) else "", r.adapter_id or ""][index.column()]


class TrainingProcess(QObject):
    """Runs the worker through QProcess and re-emits its JSON events; the registry is updated at the end."""

    event = Signal(dict)
    finished = Signal(str, str)  # run id, final status

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.proc: QProcess | None = None
        self.run_id: str | None = None
        self._buf = b""

    def running(self) -> bool:
        return self.proc is not None and self.proc.state() != QProcess.ProcessState.NotRunning

    def start(self, run_id: str) -> None:
        from ..core.training import runs

        cmd = runs.worker_command(run_id)
        self.run_id, self._buf = run_id, b""
        self.proc = QProcess(self)
        self.proc.setProcessChannelMode(QProcess.ProcessChannelMode.SeparateChannels)
        self.proc.readyReadStandardOutput.connect(self._read)
        self.proc.finished.connect(self._done)
        self.proc.start(cmd[0], cmd[1:])
        self.proc.waitForStarted(10000)
        runs.mark_started(run_id, int(self.proc.processId()) or None)

    def cancel(self) -> None:
        from ..core.training import runs

        if self.run_id:
            runs.cancel(self.run_id)

    def _read(self) -> None:
        self._buf += bytes(self.proc.readAllStandardOutput())
        *lines, self._buf = self._buf.split(b"\n")
        for line in lines:
            try:
                self.event.emit(json.loads(line))
            except (json.JSONDecodeError, UnicodeDecodeError):
                continue

    def _done(self, *_args) -> None:
        from ..core.training import runs

        self._read()
        row = runs.refresh(self.run_id, exited=True)
        self.finished.emit(self.run_id, row.status)


class TrainingTab(QWidget):
    run_finished = Signal(str, str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.total = 0
        self.process = TrainingProcess(self)
        self.process.event.connect(self.on_event)
        self.process.finished.connect(self._finished)

        form_box = QGroupBox(_("New run"))
        form = QFormLayout(form_box)
        row = QHBoxLayout()
        self.dataset = QLineEdit()
        self.dataset.setPlaceholderText(_("dataset name or .jsonl file"))
        browse = QPushButton(_("Browse…"))
        browse.clicked.connect(self._browse)
        row.addWidget(self.dataset, 1)
        row.addWidget(browse)
        form.addRow(_("Dataset:"), row)
        self.base = QLineEdit(ctx.settings.default_model)
        form.addRow(_("Base model:"), self.base)
        self.preset = QComboBox()
        for key, label in (("quick", _("Quick (minutes)")), ("balanced", _("Balanced")),
                           ("thorough", _("Thorough (hours)"))):
            self.preset.addItem(label, key)
        form.addRow(_("Preset:"), self.preset)
        self.method = QComboBox()
        self.method.addItem(_("SFT (examples)"), "sft")
        self.method.addItem(_("DPO (preference pairs)"), "dpo")
        form.addRow(_("Method:"), self.method)
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
        form.addRow(buttons)
        self.hint = QLabel(_("Runs train in a separate process: chat stays responsive, and a cancelled or "
                             "interrupted run can be resumed from its last checkpoint."))
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: palette(mid);")
        form.addRow(self.hint)

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

        top = QWidget()
        tl = QHBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(form_box, 2)
        tl.addWidget(prog_box, 3)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(self.table)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        lay = QVBoxLayout(self)
        lay.addWidget(split)
        self.reload()

    def tab_title(self) -> str:
        return _("Training")

    def reload(self) -> None:
        from ..core.training import runs

        try:
            self.model.set_rows(runs.list_runs(self.ctx.db))
        except Exception as err:  # noqa: BLE001
            from .main_window import show_error

            show_error(self, _("Training runs"), err)

    def _browse(self) -> None:
        path, _f = QFileDialog.getOpenFileName(self, _("Dataset file"), str(Path.home()), "JSONL (*.jsonl)")
        if path:
            self.dataset.setText(path)

    def _start_clicked(self) -> None:
        from ..core.training import runs

        try:
            row = runs.create_run(self.dataset.text().strip(), base=self.base.text().strip() or None,
                                  preset=self.preset.currentData(), method=self.method.currentData(),
                                  db=self.ctx.db)
        except Exception as err:  # noqa: BLE001
            from .main_window import show_error

            show_error(self, _("Cannot start training"), err)
            return
        self.start_run(row.id)

    def _resume_clicked(self) -> None:
        from ..core.training import runs

        idx = self.table.currentIndex()
        if not idx.isValid():
            return
        try:
            row = runs.prepare_resume(self.model.rows[idx.row()].id, self.ctx.db)
        except Exception as err:  # noqa: BLE001
            from .main_window import show_error

            show_error(self, _("Cannot resume"), err)
            return
        self.start_run(row.id, keep_chart=True)

    def start_run(self, run_id: str, keep_chart: bool = False) -> None:
        """Start the worker of an existing run (created by :func:`runs.create_run`)."""
        if self.process.running():
            from .main_window import show_error

            show_error(self, _("Training"), _("A run is already in progress; cancel it first."))
            return
        if not keep_chart:
            self.chart.clear()
        self.notes.setText("")
        self.status.setText(_("Starting run {id}: loading the base model…").format(id=run_id))
        self.progress.setRange(0, 0)
        self.start_btn.setEnabled(False)
        self.cancel_btn.setEnabled(True)
        self.process.start(run_id)
        self.reload()

    def on_event(self, ev: dict) -> None:
        kind = ev.get("event")
        if kind == "preflight":
            text = _("{n} examples, ~{tok} tokens · model {p:.1f}M params · RAM ~{ram} MB · estimate {s:.0f} s").format(
                n=ev["examples"], tok=ev["dataset_tokens"], p=ev["params"] / 1e6, ram=ev["ram_estimate_mb"],
                s=ev["estimated_s"])
            self.notes.setText("\n".join([text] + list(ev.get("notes") or [])))
        elif kind == "start":
            self.total = int(ev.get("total_steps") or 0)
            self.progress.setRange(0, max(1, self.total))
            self.progress.setValue(int(ev.get("resumed_from") or 0))
        elif kind == "step":
            self.progress.setValue(int(ev["step"]))
            self.chart.add_train(ev["step"], ev["loss"])
            self.status.setText(_("Step {s}/{t} · loss {loss:.4f} · {tps:.0f} tokens/s · about {eta:.0f} s left")
                                .format(s=ev["step"], t=self.total, loss=ev["loss"],
                                        tps=ev.get("tokens_per_s") or 0, eta=ev.get("eta_s") or 0))
        elif kind == "eval":
            self.chart.add_eval(ev["step"], ev["eval_loss"])
        elif kind == "error":
            self.status.setText(_("Error: {m}").format(m=ev.get("message")))
            self.notes.setText(ev.get("hint") or "")

    def _finished(self, run_id: str, status: str) -> None:
        from ..core.training import runs

        self.progress.setRange(0, 1)
        self.progress.setValue(1 if status == "done" else 0)
        self.start_btn.setEnabled(True)
        self.cancel_btn.setEnabled(False)
        row = runs.get_run(run_id, self.ctx.db)
        if status == "done":
            self.status.setText(_("Run {id} done · adapter {a}").format(id=run_id, a=row.adapter_id))
        elif status == "cancelled":
            self.status.setText(_("Run {id} cancelled; select it and press Resume to continue.").format(id=run_id))
        else:
            self.status.setText(_("Run {id} failed: {e}").format(id=run_id, e=row.error or ""))
        self.reload()
        self.run_finished.emit(run_id, status)

    def shutdown(self) -> None:
        if self.process.running():
            self.process.cancel()
            self.process.proc.waitForFinished(15000)


def render_training(ctx: AppContext, out_dir: Path, *, demo: bool = True) -> Path:
    """Render the tab with demo data (a finished demo curve and a run row) to ``training_tab.png``."""
    import math

    w = TrainingTab(ctx)
    w.resize(1180, 720)
    w.dataset.setText("identity-aeon")
    w.on_event({"event": "preflight", "examples": 96, "dataset_tokens": 5230, "params": 134_515_008,
                "ram_estimate_mb": 2310, "estimated_s": 84, "notes": []})
    w.on_event({"event": "start", "total_steps": 60})
    for s in range(1, 43):
        w.on_event({"event": "step", "step": s, "loss": 0.25 + 3.9 * math.exp(-s / 8) + 0.05 * math.sin(s),
                    "tokens_per_s": 512.0, "eta_s": (60 - s) * 1.4})
        if s % 12 == 0:
            w.on_event({"event": "eval", "step": s, "eval_loss": 0.4 + 3.6 * math.exp(-s / 9)})
    out = Path(out_dir) / "training_tab.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    w.grab().save(str(out))
    return out
