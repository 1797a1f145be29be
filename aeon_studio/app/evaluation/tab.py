"""Evaluation tab: a persona's adapter versions with their metrics and verdicts, a chart of the metrics over
versions, Promote / Roll back / Delete, "Evaluate now" (off the UI thread, with progress and Cancel) and the
golden prompts editor. Everything it reads or does goes through :class:`~.data.EvaluationData`.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
                               QMessageBox, QProgressBar, QPushButton, QSplitter, QTableView, QVBoxLayout, QWidget)

from aeon_studio.app.context import AppContext
from aeon_studio.app.evaluation.chart import MetricsChart
from aeon_studio.app.evaluation.data import EvaluationData, Version
from aeon_studio.app.evaluation.golden import GoldenEditor
from aeon_studio.app.shared.jobs import BackgroundJob
from aeon_studio.app.evaluation.versions import (VersionsModel, against_name, bleu_chrf, degeneration, golden,
                                                 latest_reasons, measured_text, perplexity, reasons_now)
from aeon_studio.app.shared.errors import show_error
from aeon_studio.app.shared.live import LiveView
from aeon_studio.core.i18n import _

#: Data-change topics that can alter what the tab shows.
TOPICS = {"adapters", "personas", "golden", "evaluations"}


def _metrics(m: Any) -> dict[str, Any]:
    """A ``ModelMetrics`` (or its dict) as a dict."""
    if isinstance(m, dict):
        return m
    from dataclasses import asdict, is_dataclass

    return asdict(m) if is_dataclass(m) else dict(vars(m))


class EvaluationTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, data: EvaluationData | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.data = data or EvaluationData(ctx.db)
        self.job: BackgroundJob | None = None
        self._build()
        self.refresh()
        self.live = LiveView(self, ctx.changes, TOPICS, lambda _topics: self.refresh())

    def tab_title(self) -> str:
        return _("Evaluation")

    # -- layout --------------------------------------------------------------------------------------------
    def _build(self) -> None:
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Persona:")))
        self.persona_combo = QComboBox()
        self.persona_combo.setMinimumWidth(160)
        self.persona_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        top.addWidget(self.persona_combo)
        top.addStretch(1)
        self.refresh_button = QPushButton(_("Refresh"))
        self.refresh_button.clicked.connect(self.refresh)
        top.addWidget(self.refresh_button)

        self.model = VersionsModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(7, QHeaderView.ResizeMode.Stretch)  # the verdict
        self.view.selectionModel().selectionChanged.connect(self._on_selection)
        self.empty = QLabel(_("No versions yet: Retrain in the chat makes the first one, and each retrain is "
                              "evaluated against the version in use."))
        self.empty.setProperty("tone", "hint")
        self.empty.setWordWrap(True)
        self.promote_button = QPushButton(_("Promote"))
        self.promote_button.setToolTip(_("The persona answers with the selected version from now on."))
        self.promote_button.clicked.connect(self.promote_selected)
        self.rollback_button = QPushButton(_("Roll back"))
        self.rollback_button.setToolTip(_("Go back to the version that was in use before this one."))
        self.rollback_button.clicked.connect(self.roll_back)
        self.delete_button = QPushButton(_("Delete"))
        self.delete_button.setToolTip(_("Delete the selected version (not the one in use)."))
        self.delete_button.clicked.connect(self.delete_selected)
        actions = QHBoxLayout()
        for b in (self.promote_button, self.rollback_button, self.delete_button):
            actions.addWidget(b)
        actions.addStretch(1)
        self.chart = MetricsChart()
        versions_box = QGroupBox(_("Versions"))
        vl = QVBoxLayout(versions_box)
        vl.addWidget(self.view, 1)
        vl.addWidget(self.empty)
        self.reasons = QLabel()
        self.reasons.setProperty("tone", "muted")
        self.reasons.setWordWrap(True)
        self.reasons.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        vl.addWidget(self.reasons)
        vl.addLayout(actions)

        evaluate_box = QGroupBox(_("Evaluate the selected version"))
        el = QVBoxLayout(evaluate_box)
        row = QHBoxLayout()
        row.addWidget(QLabel(_("Against:")))
        self.against_combo = QComboBox()
        self.against_combo.setMinimumWidth(180)
        row.addWidget(self.against_combo)
        self.evaluate_button = QPushButton(_("Evaluate now"))
        self.evaluate_button.setProperty("emphasis", True)
        self.evaluate_button.clicked.connect(self.evaluate_now)
        self.cancel_button = QPushButton(_("Cancel"))
        self.cancel_button.clicked.connect(self.cancel)
        row.addWidget(self.evaluate_button)
        row.addWidget(self.cancel_button)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        row.addWidget(self.progress, 1)
        el.addLayout(row)
        self.status = QLabel(_("Both models answer the same held-out examples and golden prompts, each with its "
                               "single most likely reply, the way the chat runs them."))
        self.status.setProperty("tone", "muted")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        el.addWidget(self.status)
        self.result = QLabel()
        self.result.setTextFormat(Qt.TextFormat.RichText)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        el.addWidget(self.result)
        el.addStretch(1)  # the report stays under the button, the space goes below it

        golden_box = QGroupBox(_("Golden prompts"))
        gl = QVBoxLayout(golden_box)
        hint = QLabel(_("Questions every version must answer well, e.g. \"Who are you?\" must contain \"Aeon\". "
                        "The gate never promotes a version that passes fewer of them."))
        hint.setProperty("tone", "hint")
        hint.setWordWrap(True)
        gl.addWidget(hint)
        self.golden = GoldenEditor(self.data)
        gl.addWidget(self.golden)

        middle = QSplitter(Qt.Orientation.Horizontal)  # the chart next to the evaluation it can be read with
        chart_box = QGroupBox(_("Metrics over versions"))
        cl = QVBoxLayout(chart_box)
        cl.addWidget(self.chart, 1)
        self.chart_note = QLabel()  # which versions the chart leaves out (other questions, never measured)
        self.chart_note.setProperty("tone", "hint")
        self.chart_note.setWordWrap(True)
        cl.addWidget(self.chart_note)
        middle.addWidget(chart_box)
        middle.addWidget(evaluate_box)
        middle.setSizes([520, 640])
        splitter = QSplitter(Qt.Orientation.Vertical)
        for box in (versions_box, middle, golden_box):
            splitter.addWidget(box)
        splitter.setSizes([270, 320, 210])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

    # -- data ----------------------------------------------------------------------------------------------
    def persona_key(self) -> str:
        return self.persona_combo.currentData() or ""

    def refresh(self) -> None:
        """Reload personas, versions, the chart and the golden prompts, keeping the selections."""
        current = self.persona_key() or self.ctx.settings.default_persona
        personas = self.data.personas()
        if [(self.persona_combo.itemData(i), self.persona_combo.itemText(i))
                for i in range(self.persona_combo.count())] != personas:
            self.persona_combo.blockSignals(True)
            self.persona_combo.clear()
            for key, name in personas:
                self.persona_combo.addItem(name, key)
            self.persona_combo.setCurrentIndex(max(0, self.persona_combo.findData(current)))
            self.persona_combo.blockSignals(False)
        selected = self.selected()
        versions = self.data.versions(self.persona_key()) if self.persona_key() else []
        self.model.set_rows(versions)
        self.chart.set_versions(versions)
        self.chart_note.setText(self.chart.note())
        self.chart_note.setVisible(bool(self.chart_note.text()))
        self.empty.setVisible(not versions)
        ids = [v.id for v in versions]
        if selected is not None and selected.id in ids:
            self.view.selectRow(ids.index(selected.id))
        elif versions and not self.view.selectionModel().hasSelection():
            self.view.selectRow(0)
        against = self.against_combo.currentData()
        self.against_combo.clear()
        self.against_combo.addItem(_("the version in use"), "active")
        self.against_combo.addItem(_("the base model"), "base")
        for v in versions:
            self.against_combo.addItem(v.id, v.id)
        self.against_combo.setCurrentIndex(max(0, self.against_combo.findData(against)))
        if self.golden.persona_key != self.persona_key():
            self.golden.set_persona(self.persona_key())
        else:
            self.golden.refresh()
        self._update_buttons()

    def selected(self) -> Version | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def select(self, adapter_id: str) -> None:
        for i, v in enumerate(self.model.rows):
            if v.id == adapter_id:
                self.view.selectRow(i)
                return

    def _on_selection(self, *_args: Any) -> None:
        v = self.selected()
        self.chart.set_selected(v.id if v else None)
        lines = []
        if v is not None and v.measured is not None:
            lines.append(measured_text(v))
            if not self.model.comparable(v):
                lines.append(_("These numbers come from different questions than the newest evaluation: they "
                               "cannot be compared with the others."))
        reasons = "; ".join(reasons_now(v)) if v else ""
        if v is not None:
            latest = "; ".join(latest_reasons(v))
            if latest and latest != reasons:  # an "Evaluate now" after the gate's own evaluation
                lines.append(_("Latest evaluation: {reasons}").format(reasons=latest))
        if reasons:
            lines.append(_("Why: {reasons}").format(reasons=reasons))
        self.reasons.setText("\n".join(lines))
        self.reasons.setVisible(bool(lines))
        self._update_buttons()

    def _update_buttons(self, *_args: Any) -> None:
        v, idle = self.selected(), self.job is None
        self.promote_button.setEnabled(idle and v is not None and not v.active and v.status != "rejected")
        self.delete_button.setEnabled(idle and v is not None and not v.active)
        self.rollback_button.setEnabled(idle and bool(self.model.rows))
        self.evaluate_button.setEnabled(idle and v is not None and v.status != "rejected")
        self.cancel_button.setEnabled(not idle)
        self.against_combo.setEnabled(idle)

    # -- actions ---------------------------------------------------------------------------------------------
    def _do(self, title: str, action, done: str) -> bool:
        try:
            action()
        except Exception as exc:  # noqa: BLE001 - shown to the user (e.g. deleting the version in use)
            show_error(self, title, exc)
            return False
        self.status.setText(done)
        self.refresh()
        return True

    def promote_selected(self) -> bool:
        v = self.selected()
        if v is None:
            return False
        persona = self.persona_key()

        def act() -> None:
            # A version the gate held back is promoted by hand; an earlier good one is simply used again
            # (its own verdict stays what the gate said).
            if v.status == "not-promoted":
                self.data.promote(v.id)
            else:
                self.data.rollback(persona, to=v.id)

        return self._do(_("Promote"), act,
                        _("'{persona}' now answers with version {id}.").format(
                            persona=self.persona_combo.currentText(), id=v.id))

    def roll_back(self) -> bool:
        persona = self.persona_key()
        return bool(persona) and self._do(_("Roll back"), lambda: self.data.rollback(persona),
                                          _("'{persona}' is back on its previous version.").format(
                                              persona=self.persona_combo.currentText()))

    def confirm_delete(self, v: Version) -> bool:
        """Ask before deleting (tests replace this)."""
        answer = QMessageBox.question(self, _("Delete version"), _(
            "Delete version {id}? Its adapter files and its evaluation report are removed.").format(id=v.id))
        return answer == QMessageBox.StandardButton.Yes

    def delete_selected(self) -> bool:
        v = self.selected()
        if v is None or not self.confirm_delete(v):
            return False
        return self._do(_("Delete version"), lambda: self.data.delete(v.id),
                        _("Version {id} deleted.").format(id=v.id))

    def evaluate_now(self) -> BackgroundJob | None:
        """Evaluate the selected version against the chosen model, off the UI thread."""
        v = self.selected()
        if v is None or self.job is not None:
            return None
        persona, against, data = self.persona_key(), self.against_combo.currentData(), self.data
        self.job = BackgroundJob(lambda progress, stop: data.evaluate(v.id, against, persona, progress, stop),
                                 "evaluation", self)
        self.job.progressed.connect(self._on_progress)
        self.job.succeeded.connect(self.show_result)
        self.job.failed.connect(self._on_failed)
        self.job.finished.connect(self._job_done)
        self.progress.setRange(0, 0)
        self.result.clear()
        self.status.setText(_("Evaluating {candidate} against {against}…").format(
            candidate=v.id, against=self.against_combo.currentText()))
        self._update_buttons()
        self.job.start()
        return self.job

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.status.setText(_("Cancelling after the current example…"))

    def _on_progress(self, fraction: float, message: str) -> None:
        if fraction < 0:
            self.progress.setRange(0, 0)
        else:
            self.progress.setRange(0, 100)
            self.progress.setValue(int(fraction * 100))
        if message:
            self.status.setText(message)

    def show_result(self, result: tuple[Any, Any]) -> None:
        """Show an evaluation's ``(comparison, verdict)``: the verdict in words and both models side by side."""
        comparison, verdict = result
        self.progress.setRange(0, 100)
        self.progress.setValue(100)
        promoted = getattr(verdict, "promoted", None)
        head = {True: _("Better than what it was compared with: the gate would promote it."),
                False: _("Not better: the gate would keep the other one."),
                None: _("Nothing to judge it on: add golden prompts or rated chats.")}[promoted]
        reasons = "; ".join(getattr(verdict, "reasons", []) or [])
        self.status.setText(f"{head}\n{reasons}" if reasons else head)
        self.result.setText(comparison_table(_metrics(comparison.against), _metrics(comparison.candidate)))

    def _on_failed(self, err: Exception) -> None:
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        if self.job is not None and self.job.is_cancelled():
            self.status.setText(_("Evaluation cancelled; nothing was stored."))
            return
        self.status.setText(_("Evaluation failed: {error}").format(error=str(err).splitlines()[0] if str(err) else err))
        show_error(self, _("Evaluate now"), err)

    def _job_done(self) -> None:
        if self.job is not None:
            self.job.deleteLater()
        self.job = None
        self.refresh()

    def shutdown(self) -> None:
        """Stop an evaluation in progress before the window closes."""
        if self.job is not None:
            self.job.cancel()
            self.job.wait(60_000)


def comparison_table(against: dict[str, Any], candidate: dict[str, Any]) -> str:
    """Both models' metrics side by side, as rich text for a label."""
    rows = [(_("Perplexity"), perplexity), (_("Golden"), golden), (_("BLEU / chrF"), bleu_chrf),
            (_("Degeneration"), degeneration)]
    head = (f"<tr><th></th><th>{html.escape(against_name(str(against.get('model') or _('before'))))}</th>"
            f"<th>{html.escape(str(candidate.get('model') or _('candidate')))}</th></tr>")
    body = "".join(f"<tr><td>{html.escape(name)}</td><td align='right'>{html.escape(cell(against))}</td>"
                   f"<td align='right'>{html.escape(cell(candidate))}</td></tr>" for name, cell in rows)
    return f"<table cellspacing='0' cellpadding='3'>{head}{body}</table>"
