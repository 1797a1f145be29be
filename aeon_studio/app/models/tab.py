"""Models tab: base models and trained adapters; use an adapter in chat; export GGUF / Ollama.

Every action that touches a model file runs in a :class:`JobThread` (never on the UI thread) and
reports progress through Qt signals; the work itself is :mod:`aeon_studio.core.export`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QProgressBar, QPushButton, QRadioButton, QSplitter, QVBoxLayout, QWidget)

from aeon_studio.core.i18n import N_, _, ngettext
from aeon_studio.core.ollama.host import configured_base_url
from aeon_studio.app.context import AppContext
from aeon_studio.app.shared.live import LiveView
from aeon_studio.app.shared.errors import show_error
from aeon_studio.app.models.rows import JobThread, RowsModel, make_table

log = logging.getLogger(__name__)

STATUS_TEXT = {"ready": N_("ready"), "active": N_("active"), "training": N_("training"), "failed": N_("failed")}
SOURCE_TEXT = {"embedded": N_("built-in"), "hub": N_("Hugging Face"), "ollama": N_("Ollama"), "file": N_("file")}


def _size(n: int | None) -> str:
    from aeon_studio.core.export.gguf_io import human_size

    return human_size(n) if n else "—"


class ModelsTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.job: JobThread | None = None
        self._build()
        self.refresh()
        # Adapters registered by a run, bindings changed in the Personas tab or the chat, the CLI's writes.
        self.live = LiveView(self, ctx.changes, {"adapters", "models", "personas"}, lambda _topics: self.refresh())

    def tab_title(self) -> str:
        return _("Models")

    # -- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        from aeon_studio.app.models import metrics as adapter_metrics

        self.base_model = RowsModel([
            (_("Name"), lambda m: m.name), (_("ID"), lambda m: m.id),
            (_("Source"), lambda m: _(SOURCE_TEXT.get(m.source, m.source))),
            (_("Chat"), lambda m: _("yes") if m.chat else _("base only")),
            (_("Size"), lambda m: _size(m.size) if m.size else _("not prepared")),
            (_("Context"), lambda m: f"{m.context_length:,}".replace(",", " ") if m.context_length else "—"),
            (_("Trainable"), lambda m: "?" if m.trainable is None else _("yes") if m.trainable else _("no")),
            (_("Description"), lambda m: m.description or m.origin.get("repo") or m.origin.get("ollama") or
             (str(m.path) if m.path else ""))], self)
        self.adapter_model = RowsModel([
            (_("Adapter"), lambda a: a.name), (_("Base model"), lambda a: a.base_model_id),
            (_("Status"), lambda a: _(STATUS_TEXT[a.status]) if a.status in STATUS_TEXT else a.status),
            *[(_(title), lambda a, cell=cell: cell(a.metrics)) for title, cell in adapter_metrics.COLUMNS],
            (_("Used by"), lambda a: ", ".join(a.personas) or "—"),
            (_("LoRA GGUF"), lambda a: _size(a.gguf_path.stat().st_size) if a.gguf_ready else _("on first use")),
            (_("Created"), lambda a: a.created_at.strftime("%Y-%m-%d %H:%M"))], self)
        self.export_model = RowsModel([
            (_("File"), lambda e: Path(e.path).name if e.kind != "ollama" else e.detail.get("name", "")),
            (_("Kind"), lambda e: {"lora": _("LoRA GGUF"), "merged": _("merged GGUF"),
                                   "ollama": _("Ollama")}.get(e.kind, e.kind)),
            (_("Quant"), lambda e: e.quant or "—"), (_("Size"), lambda e: _size(e.size)),
            (_("Checks"), self._checks_text), (_("Adapter"), lambda e: e.adapter_id or ""),
            (_("Location"), lambda e: e.path)], self)
        self.export_model.colors = lambda e, col: QColor("#1b7f3b") if col == 4 and e.ok else None
        metric_cols = range(3, 3 + len(adapter_metrics.COLUMNS))
        self.adapter_model.numeric = set(metric_cols)
        self.adapter_model.tooltips = lambda a, col: (adapter_metrics.metrics_tooltip(a.metrics) or None
                                                      if col in metric_cols else None)

        self.base_model.numeric = {4, 5}
        self.base_view = make_table(self.base_model, 7)
        self.adapter_view = make_table(self.adapter_model, 0)
        self.export_view = make_table(self.export_model, 6)
        self.adapter_view.selectionModel().selectionChanged.connect(self._update_buttons)

        base_box = QGroupBox(_("Base models"))
        bl = QVBoxLayout(base_box)
        bl.addWidget(self.base_view)
        brow = QHBoxLayout()
        self.add_model_button = QPushButton(_("Add model…"))
        self.add_model_button.setToolTip(_("Download a model from the Hugging Face Hub, use one Ollama already has, "
                                           "or add a GGUF file."))
        self.add_model_button.clicked.connect(self.open_add_model)
        self.remove_model_button = QPushButton(_("Remove from list"))
        self.remove_model_button.setToolTip(_("The model leaves this list; its file stays on disk."))
        self.remove_model_button.clicked.connect(self.remove_selected_model)
        self.base_view.selectionModel().selectionChanged.connect(self._update_buttons)
        brow.addWidget(self.add_model_button)
        brow.addWidget(self.remove_model_button)
        brow.addStretch(1)
        bl.addLayout(brow)
        adapter_box = QGroupBox(_("Adapters"))
        al = QVBoxLayout(adapter_box)
        al.addWidget(self.adapter_view)
        al.addLayout(self._chat_row())
        export_box = QGroupBox(_("Export the selected adapter"))
        el = QVBoxLayout(export_box)
        el.addLayout(self._export_rows())
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(True)
        self.status = QLabel(_("Select an adapter to use it in chat or export it."))
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.progress, 1)
        row.addWidget(self.status, 3)
        el.addLayout(row)
        el.addWidget(self.export_view, 1)

        splitter = QSplitter(Qt.Orientation.Vertical)
        for box, stretch in ((base_box, 2), (adapter_box, 3), (export_box, 4)):
            splitter.addWidget(box)
            splitter.setStretchFactor(splitter.count() - 1, stretch)
        splitter.setSizes([220, 210, 330])  # room for the built-ins and a few added models
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addWidget(splitter)

    def _chat_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel(_("Persona:")))
        self.persona_combo = QComboBox()
        self.persona_combo.setMinimumWidth(160)
        row.addWidget(self.persona_combo)
        self.use_button = QPushButton(_("Use in chat"))
        self.use_button.setToolTip(_("The persona answers through this adapter from its next reply on."))
        self.use_button.clicked.connect(self.use_selected)
        self.stop_button = QPushButton(_("Back to base model"))
        self.stop_button.clicked.connect(self.stop_using)
        row.addWidget(self.use_button)
        row.addWidget(self.stop_button)
        row.addStretch(1)
        self.refresh_button = QPushButton(_("Refresh"))
        self.refresh_button.clicked.connect(self.refresh)
        row.addWidget(self.refresh_button)
        return row

    def _export_rows(self) -> QFormLayout:
        form = QFormLayout()
        gguf = QHBoxLayout()
        self.lora_radio = QRadioButton(_("LoRA adapter (use with the base model)"))
        self.merged_radio = QRadioButton(_("Merged model"))
        self.lora_radio.setChecked(True)
        self.quant_combo = QComboBox()
        self.quant_combo.addItems(["Q4_K_M", "Q5_K_M", "Q8_0", "F16"])
        self.quant_combo.setToolTip(_("Quantization of the merged model (llama.cpp)"))
        self.merged_radio.toggled.connect(self.quant_combo.setEnabled)
        self.quant_combo.setEnabled(False)
        self.gguf_button = QPushButton(_("Export GGUF"))
        self.gguf_button.clicked.connect(self.export_gguf)
        for w in (self.lora_radio, self.merged_radio, self.quant_combo):
            gguf.addWidget(w)
        gguf.addStretch(1)
        gguf.addWidget(self.gguf_button)
        form.addRow(_("GGUF:"), gguf)
        oll = QHBoxLayout()
        self.ollama_name = QLineEdit()
        self.ollama_name.setPlaceholderText(_("model name, e.g. aeon-casual"))
        self.modelfile_only = QCheckBox(_("Only write the Modelfile"))
        self.ollama_button = QPushButton(_("Export to Ollama"))
        self.ollama_button.clicked.connect(self.export_ollama)
        oll.addWidget(self.ollama_name, 1)
        oll.addWidget(QLabel(_("server: {host}").format(host=configured_base_url())))  # setting, else OLLAMA_HOST
        oll.addWidget(self.modelfile_only)
        oll.addWidget(self.ollama_button)
        form.addRow(_("Ollama:"), oll)
        return form

    @staticmethod
    def _checks_text(e) -> str:
        if e.kind == "ollama":
            method = e.detail.get("method")
            return {"api": _("created via API"), "cli": _("created via CLI")}.get(
                method, _("Modelfile written"))
        if not e.checks:
            return "—"
        passed = sum(1 for c in e.checks if c.get("ok"))
        return _("✓ {n}/{total} passed").format(n=passed, total=len(e.checks))

    # -- data ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        from aeon_studio.core.export.adapters import list_adapters
        from aeon_studio.core.export.service import list_exports
        from aeon_studio.core.models import ModelRegistry
        from aeon_studio.core.personas import PersonaStore

        selected = self.selected_adapter()
        self.base_model.set_rows(ModelRegistry(self.ctx.db).list())
        self.adapter_model.set_rows(list_adapters(self.ctx.db))
        self.export_model.set_rows(list_exports(self.ctx.db))
        current = self.persona_combo.currentData()
        self.persona_combo.clear()
        for p in PersonaStore(self.ctx.db).list():
            self.persona_combo.addItem(p.name, p.key)
        idx = self.persona_combo.findData(current or self.ctx.settings.default_persona)
        self.persona_combo.setCurrentIndex(max(0, idx))
        if selected is not None:
            self.select_adapter(selected.id)
        elif self.adapter_model.rows:
            self.adapter_view.selectRow(0)
        self._update_buttons()

    def selected_adapter(self):
        rows = self.adapter_view.selectionModel().selectedRows() if self.adapter_view.selectionModel() else []
        return self.adapter_model.rows[rows[0].row()] if rows else None

    def select_adapter(self, adapter_id: str) -> None:
        for i, a in enumerate(self.adapter_model.rows):
            if a.id == adapter_id:
                self.adapter_view.selectRow(i)
                return

    def _update_buttons(self, *_args) -> None:
        has = self.selected_adapter() is not None and self.job is None
        for b in (self.use_button, self.gguf_button, self.ollama_button):
            b.setEnabled(has)
        self.stop_button.setEnabled(self.job is None)
        picked = self.base_view.selectionModel().selectedRows()
        model = self.base_model.rows[picked[0].row()] if picked else None
        self.remove_model_button.setEnabled(model is not None and not model.builtin)
        if self.selected_adapter() is not None and not self.ollama_name.text():
            self.ollama_name.setPlaceholderText(f"aeon-{self.selected_adapter().id}"[:40])

    # -- actions -------------------------------------------------------------------------------
    def _start(self, title: str, fn: Callable, done: Callable[[Any], str]) -> JobThread | None:
        if self.job is not None:
            return None
        self.job = JobThread(fn, self)
        self.progress.setValue(0)
        self.status.setText(title)
        self.job.progressed.connect(self._on_progress)

        def ok(result: Any) -> None:
            self.progress.setValue(100)
            self.status.setText(done(result))
            self.refresh()

        def fail(err: Exception) -> None:
            self.progress.setValue(0)
            self.status.setText(_("Failed: {error}").format(error=str(err).splitlines()[0]))
            show_error(self, title, err)
            self.refresh()

        self.job.succeeded.connect(ok)
        self.job.failed.connect(fail)
        self.job.finished.connect(self._job_done)
        self._update_buttons()
        self.job.start()
        return self.job

    def _job_done(self) -> None:
        if self.job is not None:
            self.job.deleteLater()
        self.job = None
        self._update_buttons()

    def _on_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(fraction * 100))
        self.status.setText(message)

    def use_selected(self) -> JobThread | None:
        from aeon_studio.core.export.adapters import activate

        adapter, persona = self.selected_adapter(), self.persona_combo.currentData()
        if adapter is None or not persona:
            return None
        db = self.ctx.db

        def work(progress):
            progress(0.2, _("Preparing adapter '{id}' for llama.cpp").format(id=adapter.id))
            return activate(adapter.id, persona, db)

        return self._start(_("Use adapter in chat"), work, lambda p: _(
            "Persona '{persona}' now answers with adapter '{adapter}'.").format(persona=p.name, adapter=adapter.id))

    def stop_using(self) -> None:
        from aeon_studio.core.export.adapters import deactivate

        persona = self.persona_combo.currentData()
        if not persona:
            return
        try:
            p = deactivate(persona, self.ctx.db)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, _("Back to base model"), exc)
            return
        self.status.setText(_("Persona '{persona}' answers with the base model again.").format(persona=p.name))
        self.refresh()

    def export_gguf(self) -> JobThread | None:
        from aeon_studio.core.export.service import export_gguf

        adapter = self.selected_adapter()
        if adapter is None:
            return None
        merge, quant, db = self.merged_radio.isChecked(), self.quant_combo.currentText(), self.ctx.db

        def done(outcome) -> str:
            passed = len(outcome.report.checks)
            return ngettext("Exported {name} ({size}); {passed} check passed.",
                            "Exported {name} ({size}); {passed} checks passed.", passed).format(
                name=outcome.path.name, size=_size(outcome.size), passed=passed)

        return self._start(_("Export GGUF"), lambda progress: export_gguf(
            adapter.id, merge=merge, quant=quant, progress=progress, db=db), done)

    def export_ollama(self) -> JobThread | None:
        from aeon_studio.core.export.service import export_ollama

        adapter = self.selected_adapter()
        if adapter is None:
            return None
        name = self.ollama_name.text().strip() or self.ollama_name.placeholderText()
        only, db = self.modelfile_only.isChecked(), self.ctx.db
        persona = adapter.personas[0] if adapter.personas else self.persona_combo.currentData()

        def work(progress):
            return export_ollama(adapter.id, name, modelfile_only=only, persona_key=persona, db=db,
                                 status=lambda line: progress(0.5, line))

        def done(outcome) -> str:
            if outcome.detail["method"] == "modelfile":
                return _("Wrote {path}. To create the model, run: {command}").format(
                    path=outcome.path, command=outcome.detail["command"])
            return _("Created Ollama model '{name}'.").format(name=name)

        return self._start(_("Export to Ollama"), work, done)

    def open_add_model(self):
        """Open the "Add model…" dialog (modeless: a download can run while the user looks around)."""
        from aeon_studio.app.models.add_dialog import AddModelDialog

        dialog = AddModelDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.added.connect(lambda _info: self.refresh())
        dialog.show()
        return dialog

    def remove_selected_model(self) -> None:
        from aeon_studio.core.models import ModelRegistry

        picked = self.base_view.selectionModel().selectedRows()
        model = self.base_model.rows[picked[0].row()] if picked else None
        if model is None or model.builtin:
            return
        try:
            ModelRegistry(self.ctx.db).remove(model.id)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, _("Remove from list"), exc)
            return
        self.status.setText(_("Removed '{name}' from the list; its file stays at {path}.").format(
            name=model.name, path=model.path))
        self.refresh()

    def shutdown(self) -> None:
        if self.job is not None:
            self.job.wait(120_000)
