"""Training tab: a real tiny run through QProcess, events into the chart; Retrain button in the chat toolbar."""

from __future__ import annotations

import json

import pytest
from test_training_worker import IDENTITY, tiny_base  # noqa: F401 - session fixture

pytestmark = pytest.mark.gui


def test_training_tab_runs_worker_and_renders(qtbot, tmp_path, tiny_base):  # noqa: F811
    from aeon_studio.app.context import AppContext
    from aeon_studio.app.training_tab import TrainingTab

    data = tmp_path / "ident.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in IDENTITY))
    tab = TrainingTab(AppContext())
    qtbot.addWidget(tab)
    tab.resize(1180, 720)
    tab.dataset.setText(str(data))
    tab.base.setText(str(tiny_base))
    seen = []
    tab.process.event.connect(lambda ev: seen.append(ev["event"]))
    with qtbot.waitSignal(tab.run_finished, timeout=240000) as blocker:
        tab._start_clicked()
        assert not tab.start_btn.isEnabled() and tab.cancel_btn.isEnabled()
    run_id, status = blocker.args
    assert status == "done", tab.status.text()
    assert seen[0] == "preflight" and "step" in seen and seen[-1] == "done"
    assert len(tab.chart.train) == seen.count("step") > 0
    assert tab.model.rowCount() == 1 and tab.model.rows[0].adapter_id
    assert "done" in tab.status.text()
    path = tmp_path / "training.png"
    assert tab.grab().save(str(path)) and path.stat().st_size > 10000


def test_retrain_button_in_chat_toolbar(qtbot):
    from aeon_studio.app.main_window import MainWindow
    from aeon_studio.app.retrain import ratings_since_last_run

    w = MainWindow()
    qtbot.addWidget(w)
    r = getattr(w, "retrain", None)
    assert r is not None and r.button.text() == "Retrain"
    assert ratings_since_last_run(w.ctx.db) == 0
    r.update_hint()
    assert r.button.text() == "Retrain" and r.button.isEnabled()
