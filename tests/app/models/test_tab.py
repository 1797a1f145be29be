"""Models tab: lists base models and adapters, binds an adapter to a persona and exports off the UI thread."""

from __future__ import annotations

import os
import re

import pytest

from aeon_studio.core.storage.training_tables import AdapterRow
from tests.support.export_models import handmade_peft

pytestmark = pytest.mark.gui
#: Columns of the adapters table.
FINAL_LOSS, EVAL_LOSS, STEPS, EXAMPLES, DURATION, USED_BY = 3, 4, 5, 6, 7, 8


@pytest.fixture()
def tab(qtbot, tmp_path, smollm2_path):
    from aeon_studio.app.context import AppContext
    from aeon_studio.app.models.tab import ModelsTab

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
    yield widget
    ctx.close()  # stop its change watch before the next test's database


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
    assert tab.adapter_model.data(tab.adapter_model.index(0, 3)) == "0.420"  # final loss (train_loss here)
    tab.persona_combo.setCurrentIndex(tab.persona_combo.findData("formal"))
    _run(qtbot, tab.use_selected)
    assert PersonaStore(tab.ctx.db).get("formal").adapter_id == "casual-20261122-1705"
    assert tab.adapter_model.data(tab.adapter_model.index(0, USED_BY)) == "formal"
    assert "formal" in tab.status.text().lower() or "Formal" in tab.status.text()
    _run(qtbot, tab.export_gguf)
    assert tab.export_model.rowCount() == 1, tab.status.text()
    checks = re.fullmatch(r"✓ (\d+)/(\d+) passed", tab.export_model.data(tab.export_model.index(0, 4)))
    assert checks and checks[1] == checks[2]  # every check of the reloaded export passed
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



def _cells(tab, row: int = 0) -> list[str]:
    m = tab.adapter_model
    return [m.data(m.index(row, c)) for c in range(m.columnCount())]


def test_metrics_are_readable_columns_with_the_rest_in_a_tooltip(qtbot, tab):
    from PySide6.QtCore import Qt

    from aeon_studio.core.training import runs
    from tests.core.storage.test_changes import _finished_run

    run = _finished_run(tab.ctx.db, examples=1234)
    runs.refresh(run.id, exited=True, db=tab.ctx.db)
    tab.refresh()
    newest = _cells(tab, 0)
    assert newest[FINAL_LOSS:DURATION + 1] == ["0.412", "0.610", "30", "1,234", "1 min 35 s"]
    assert not any(c.startswith("{") for c in newest)  # no raw JSON anywhere
    tip = tab.adapter_model.data(tab.adapter_model.index(0, FINAL_LOSS), Qt.ItemDataRole.ToolTipRole)
    assert "First loss: 3.2" in tip and "Tokens per second: 512" in tip
    older = _cells(tab, 1)  # registered with other metric names: what is missing is a dash
    assert older[FINAL_LOSS:DURATION + 1] == ["0.420", "0.610", "—", "—", "—"]
    tip = tab.adapter_model.data(tab.adapter_model.index(1, EVAL_LOSS), Qt.ItemDataRole.ToolTipRole)
    assert "Perplexity: 1.84" in tip


def test_a_new_adapter_and_a_binding_show_without_refresh(qtbot, tab):
    """A run registers an adapter (the Training tab, the retrain or the CLI) and a persona binds it elsewhere:
    the tab used to show neither until Refresh was pressed."""
    from aeon_studio.core.personas import PersonaStore
    from aeon_studio.core.training import runs
    from tests.core.storage.test_changes import _finished_run

    assert tab.adapter_model.rowCount() == 1 and tab.selected_adapter().id == "casual-20261122-1705"
    run = _finished_run(tab.ctx.db)
    row = runs.refresh(run.id, exited=True, db=tab.ctx.db)  # registers the adapter, as a finished run does
    qtbot.waitUntil(lambda: tab.adapter_model.rowCount() == 2, timeout=10_000)
    assert [a.id for a in tab.adapter_model.rows] == [row.adapter_id, "casual-20261122-1705"]
    assert tab.selected_adapter().id == "casual-20261122-1705"  # the selection stays
    PersonaStore(tab.ctx.db).update("formal", adapter_id=row.adapter_id)  # e.g. the Personas tab
    qtbot.waitUntil(lambda: _cells(tab, 0)[USED_BY] == "formal", timeout=10_000)
