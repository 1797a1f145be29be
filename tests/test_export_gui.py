"""Models tab: lists base models and adapters, binds an adapter to a persona and exports off the UI thread."""

from __future__ import annotations

import os

import pytest

from aeon_studio.core.storage.training_tables import AdapterRow
from test_export_support import handmade_peft

pytestmark = pytest.mark.gui


@pytest.fixture()
def tab(qtbot, tmp_path, smollm2_path):
    from aeon_studio.app.context import AppContext
    from aeon_studio.app.models_tab import ModelsTab

    ctx = AppContext()
    folder = handmade_peft(tmp_path / "peft", smollm2_path, std=0.05)
    with ctx.db.session() as s:
        s.add(AdapterRow(id="casual-20261122-1705", name="Casual · 120 ratings", base_model_id="smollm2-135m-instruct",
                         path=str(folder), run_id="run-7", dataset_name="chats-nov",
                         metrics={"train_loss": 0.42, "eval_loss": 0.61, "perplexity": 1.84}))
    widget = ModelsTab(ctx)
    qtbot.addWidget(widget)
    widget.resize(1180, 760)
    widget.show()
    return widget


def _run(qtbot, start):
    job = start()
    assert job is not None and job.isRunning() or job.isFinished()
    with qtbot.waitSignal(job.finished, timeout=120_000):
        pass
    qtbot.wait(50)  # let the queued success/failure slots run


def test_models_tab_binds_and_exports(qtbot, tab, tmp_path):
    from aeon_studio.core.personas import PersonaStore

    assert tab.tab_title() == "Models"
    assert tab.base_model.rowCount() == 2 and tab.adapter_model.rowCount() == 1
    assert tab.selected_adapter().id == "casual-20261122-1705"
    assert "loss 0.42" in tab.adapter_model.data(tab.adapter_model.index(0, 3))
    tab.persona_combo.setCurrentIndex(tab.persona_combo.findData("formal"))
    _run(qtbot, tab.use_selected)
    assert PersonaStore(tab.ctx.db).get("formal").adapter_id == "casual-20261122-1705"
    assert tab.adapter_model.data(tab.adapter_model.index(0, 4)) == "formal"
    assert "formal" in tab.status.text().lower() or "Formal" in tab.status.text()
    _run(qtbot, tab.export_gguf)
    assert tab.export_model.rowCount() == 1, tab.status.text()
    assert tab.export_model.data(tab.export_model.index(0, 4)) == "✓ 5/5 passed"
    assert "KB" in tab.export_model.data(tab.export_model.index(0, 3))
    tab.modelfile_only.setChecked(True)
    tab.ollama_name.setText("aeon-formal")
    _run(qtbot, tab.export_ollama)
    assert "ollama create aeon-formal" in tab.status.text()
    assert tab.export_model.rowCount() == 2
    tab.stop_using()
    assert PersonaStore(tab.ctx.db).get("formal").adapter_id is None
    out = tab.grab()
    path = tmp_path / "models_tab.png"
    assert out.save(str(path)) and path.stat().st_size > 10_000
    if os.environ.get("AEON_SCREENSHOT_DIR"):  # for a human look at the rendering
        out.save(os.path.join(os.environ["AEON_SCREENSHOT_DIR"], "models_tab.png"))


def test_failed_export_shows_the_reason(qtbot, tab, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from aeon_studio.core.export import service

    shown = []
    monkeypatch.setattr(QMessageBox, "open", lambda self: shown.append(self.text()))

    def broken(*_a, **_k):
        raise service.adapters.NotFoundError("No model called 'gone'.")

    monkeypatch.setattr(service, "export_gguf", broken)
    _run(qtbot, tab.export_gguf)
    assert shown and "gone" in shown[0] and "gone" in tab.status.text()
    assert tab.gguf_button.isEnabled()

