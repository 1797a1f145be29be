"""Training tab: a real tiny run through QProcess (events into the chart and the log, Advanced values into the
spec), the dataset/model pickers, run history; Retrain button in the chat toolbar."""

from __future__ import annotations

import json

import pytest
from tests.core.training.test_worker import IDENTITY, tiny_base  # noqa: F401 - session fixture

pytestmark = pytest.mark.gui


def test_training_tab_runs_worker_and_renders(qtbot, tmp_path, tiny_base):  # noqa: F811
    from aeon_studio.app.context import AppContext
    from aeon_studio.app.training.tab import TrainingTab

    data = tmp_path / "ident.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in IDENTITY))
    tab = TrainingTab(AppContext())
    qtbot.addWidget(tab)
    tab.resize(1180, 720)
    tab.dataset.set_value(str(data))
    tab.base.set_value(str(tiny_base))
    adv = tab.advanced
    adv.setChecked(True)
    adv.backend.setCurrentIndex(adv.backend.findData("peft"))
    adv.epochs.setValue(2)
    adv.rank.setValue(4)
    adv.alpha.setValue(8)
    adv.batch_size.setValue(2)
    adv.max_steps.setValue(5)
    adv.lr.setValue(0.003)
    adv.eval_pct.setValue(25)
    seen = []
    tab.process.event.connect(lambda ev: seen.append(ev))
    with qtbot.waitSignal(tab.run_finished, timeout=240000) as blocker:
        tab._start_clicked()
        assert not tab.start_btn.isEnabled() and tab.cancel_btn.isEnabled()
    run_id, status = blocker.args
    from aeon_studio.core.training.events import Done, Event, RunStatus, Start

    assert all(isinstance(e, Event) for e in seen)  # the process hands the tab typed events
    kinds = [e.event for e in seen]
    assert status == RunStatus.DONE, (tab.status.text(), tab.log.toPlainText())
    assert kinds[0] == "preflight" and "step" in kinds and kinds[-1] == "done"
    # the Advanced values reached the run, exactly as the CLI's overrides do
    from aeon_studio.core.training import runs

    spec = json.loads((runs.run_dir(run_id) / "spec.json").read_text())
    assert (spec["rank"], spec["alpha"], spec["epochs"], spec["batch_size"], spec["max_steps"]) == (4, 8, 2, 2, 5)
    assert spec["backend"] == "peft" and spec["lr"] == pytest.approx(0.003) and spec["eval_fraction"] == 0.25
    assert runs.get_run(run_id).spec["rank"] == 4
    start = next(e for e in seen if isinstance(e, Start))
    assert start.total_steps == 5 and start.eval_examples == 2
    assert kinds.count("step") == 5 and len(tab.chart.train) == 5 and tab.chart.eval
    # the log has a readable line for the pre-flight, the start, steps, eval and the result with its adapter
    log = tab.log.toPlainText()
    done = seen[-1]
    assert isinstance(done, Done)
    for text in ("Pre-flight: 6 examples", "Training started: 5 steps", "step 1/5", "step 5/5",
                 ": loss on held-out examples",
                 "Done: adapter saved to " + done.adapter, "loss "):
        assert text in log, (text, log)
    assert tab.model.rowCount() == 1 and tab.model.rows[0].adapter_id
    cells = [tab.model.index(0, c).data() for c in range(tab.model.columnCount())]
    assert cells[0] == run_id and cells[1] == "done" and cells[4] == "5/5" and cells[6] and cells[7]
    assert "done" in tab.status.text()
    # selecting the run in the history replays its curve from events.jsonl
    tab.chart.clear()
    tab.log.clear()
    tab.table.selectRow(0)
    assert len(tab.chart.train) == 5 and "Done: adapter saved to" in tab.log.toPlainText()
    path = tmp_path / "training.png"
    assert tab.grab().save(str(path)) and path.stat().st_size > 10000


def test_pickers_presets_and_advanced_overrides(qtbot):
    from aeon_studio.app.context import AppContext
    from aeon_studio.app.training.tab import TrainingTab
    from aeon_studio.core.datasets import DatasetStore
    from aeon_studio.core.training import runs
    from aeon_studio.core.training.spec import PRESETS

    n = DatasetStore().build_identity("ident-gui", "Aeon", "Ana")
    ctx = AppContext()
    tab = TrainingTab(ctx)
    qtbot.addWidget(tab)
    i = tab.dataset.findData("ident-gui")
    assert i >= 0 and f"{n} examples" in tab.dataset.itemText(i)
    assert tab.dataset.value() == "ident-gui"  # the label shows the count, the value is the name
    tab.dataset.set_value("/some/file.jsonl")
    assert tab.dataset.value() == "/some/file.jsonl"
    DatasetStore().build_identity("ident-later", "Aeon", "Ana")
    tab.show()  # showEvent refreshes the picker and keeps what was typed
    assert tab.dataset.findData("ident-later") >= 0 and tab.dataset.value() == "/some/file.jsonl"
    assert tab.base.value() == ctx.settings.default_model and tab.base.findData("smollm2-135m-instruct") >= 0
    tab.base.setEditText("/models/x.gguf")
    assert tab.base.value() == "/models/x.gguf"
    tab.base.set_value(ctx.settings.default_model)
    # Advanced: collapsed and unchecked by default; the preset fills it
    assert not tab.advanced.isChecked() and not tab.advanced.body.isVisible() and tab.advanced.overrides() == {}
    tab.preset.setCurrentIndex(tab.preset.findData("balanced"))
    assert tab.advanced.rank.value() == PRESETS["balanced"]["rank"]
    assert tab.advanced.max_steps.value() == PRESETS["balanced"]["max_steps"]
    tab.dataset.set_value("ident-gui")
    row = tab.create_run()  # unchecked: the preset decides
    assert row.spec["rank"] == PRESETS["balanced"]["rank"] and row.spec["backend"] == "auto"
    tab.advanced.setChecked(True)
    assert tab.advanced.body.isVisible()
    tab.advanced.rank.setValue(12)
    tab.advanced.max_seq_len.setValue(128)
    tab.advanced.max_steps.setValue(0)
    tab.advanced.dropout.setValue(0.1)
    row = tab.create_run()
    spec = json.loads((runs.run_dir(row.id) / "spec.json").read_text())
    assert (spec["rank"], spec["max_seq_len"], spec["max_steps"], spec["preset"]) == (12, 128, 0, "balanced")
    assert spec["dropout"] == pytest.approx(0.1) and spec["lr"] == pytest.approx(PRESETS["balanced"]["lr"])
    assert runs.get_run(row.id).dataset_name == "ident-gui"


def test_failed_run_logs_error_and_stderr(qtbot, tmp_path):
    from aeon_studio.app.context import AppContext
    from aeon_studio.app.training.tab import TrainingTab

    data = tmp_path / "ident.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in IDENTITY))
    tab = TrainingTab(AppContext())
    qtbot.addWidget(tab)
    tab.dataset.set_value(str(data))
    tab.base.set_value(str(tmp_path / "no-such-model"))
    with qtbot.waitSignal(tab.run_finished, timeout=120000) as blocker:
        tab._start_clicked()
    assert blocker.args[1] == "failed"
    log = tab.log.toPlainText()
    assert "Error (" in log and "failed" in log and tab.start_btn.isEnabled(), log
    assert tab.model.rows[0].status == "failed"


def test_log_lines_for_errors_and_cancel(qtbot):
    from aeon_studio.app.training.log import TrainingLog, event_lines

    err = event_lines({"event": "error", "kind": "TrainingError", "message": "No assistant tokens",
                       "hint": "raise max_seq_len"})
    assert err == ["Error (TrainingError): No assistant tokens", "  hint: raise max_seq_len"]
    assert "step 12" in event_lines({"event": "cancelled", "step": 12, "checkpoint": "/r/ck"})[0]
    from aeon_studio.core.training.events import Error

    assert event_lines(Error(kind="TrainingError", message="No assistant tokens", hint="raise max_seq_len")) == err
    assert event_lines({"event": "step", "step": "garbled"}) == [] and event_lines({"no": "event"}) == []
    log = TrainingLog()
    qtbot.addWidget(log)
    log.add_event({"event": "start", "total_steps": 100})
    for s in range(1, 101):
        log.add_event({"event": "step", "step": s, "loss": 1.0, "tokens_per_s": 10, "eta_s": 5})
    lines = log.toPlainText().splitlines()
    assert len(lines) == 1 + 1 + 20  # start, step 1, every 5th step up to 100
    assert lines[-1].startswith("step 100/100")


def test_retrain_button_in_chat_toolbar(qtbot):
    from aeon_studio.app.main_window import MainWindow
    from aeon_studio.core.training.retrain import ratings_since_last_run

    w = MainWindow()
    qtbot.addWidget(w)
    r = getattr(w, "retrain", None)
    assert r is not None and r.button.text() == "Retrain"
    assert ratings_since_last_run(w.ctx.db) == 0
    r.update_hint()
    assert r.button.text() == "Retrain" and r.button.isEnabled()
    # the Training tab's dataset picker follows the Datasets tab
    from aeon_studio.core.datasets import DatasetStore

    training = w.training
    assert training.dataset.findData("ident-new") < 0
    DatasetStore().build_identity("ident-new", "Aeon", "Ana")
    w.datasets.dataset_changed.emit("ident-new")
    assert training.dataset.findData("ident-new") >= 0


def test_show_error_logs_the_traceback(qtbot, caplog):
    import logging

    from PySide6.QtWidgets import QMessageBox, QWidget

    from aeon_studio.app.shared.errors import show_error

    parent = QWidget()
    qtbot.addWidget(parent)
    try:
        raise ValueError("disk on fire")
    except ValueError as err:
        caught = err
    with caplog.at_level(logging.ERROR, logger="aeon_studio.app.shared.errors"):
        show_error(parent, "Cannot save", caught)
        show_error(parent, "Training", "A run is already in progress.")  # a message: nothing to trace back
    raised, message = caplog.records[-2:]
    assert raised.getMessage() == "Cannot save: disk on fire" and raised.exc_info[1] is caught
    assert "Traceback (most recent call last)" in caplog.text and 'raise ValueError("disk on fire")' in caplog.text
    assert message.getMessage() == "Training: A run is already in progress." and not message.exc_info
    boxes = parent.findChildren(QMessageBox)
    assert [b.text() for b in boxes] == ["disk on fire", "A run is already in progress."]
