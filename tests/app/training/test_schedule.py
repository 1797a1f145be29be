"""The app's scheduled retraining: the settings dialog stores what the CLI reads; a due run starts by itself only
when the app is idle, never two at once, and its verdict reaches a non-modal banner."""

from __future__ import annotations

import sys
import textwrap
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QTime
from PySide6.QtWidgets import QWidget

from aeon_studio.core.storage import get_database
from aeon_studio.core.storage.chats import ChatStore
from aeon_studio.core.training import schedule as sch

pytestmark = pytest.mark.gui


def _ctx():
    from aeon_studio.app.context import AppContext

    return AppContext()


def test_dialog_stores_the_schedule_and_shows_why_it_stopped(qtbot, monkeypatch):
    from aeon_studio.app.training.schedule_dialog import ScheduleDialog

    d = ScheduleDialog(_ctx(), persona="formal")
    qtbot.addWidget(d)
    assert d.key() == "formal" and not d.enabled.isChecked() and d.min_new_ratings.value() == 50
    assert d.interval_days.value() == 7 and d.data_days.value() == 30 and d.min_examples.value() == 50
    assert d.only_idle.isChecked() and not d.use_hours.isChecked() and not d.start.isEnabled()
    assert "Off: tick" in d.status.text() and d.stopped.isHidden()
    d.enabled.setChecked(True)
    d.min_new_ratings.setValue(3)
    d.use_hours.setChecked(True)
    d.start.setTime(QTime(22, 0))
    d.end.setTime(QTime(6, 30))
    d.save()
    s = sch.get_schedule("formal")
    assert s.enabled and s.min_new_ratings == 3 and s.quiet_hours == "22:00-06:30" and s.failures == 0

    errors = []
    monkeypatch.setattr("aeon_studio.app.shared.errors.show_error", lambda p, t, e: errors.append(str(e)))
    d2 = ScheduleDialog(_ctx(), persona="formal")
    qtbot.addWidget(d2)
    d2.end.setTime(QTime(22, 0))  # same start and end: no window at all
    d2.save()
    assert errors and "--quiet-hours" in errors[0] and sch.get_schedule("formal").quiet_hours == "22:00-06:30"

    for _ in range(sch.MAX_FAILURES):
        sch.record_result("formal", outcome="failed", message="out of memory", failed=True)
    d3 = ScheduleDialog(_ctx(), persona="formal")
    qtbot.addWidget(d3)
    assert not d3.stopped.isHidden() and "out of memory" in d3.stopped.text()
    d3.save()  # saving with the box ticked tries again
    assert sch.get_schedule("formal").failures == 0


_FAKE_AUTO = textwrap.dedent("""
    import json, time
    time.sleep(0.3)
    print(json.dumps({"event": "auto_start", "persona": "casual", "run": "r1"}), flush=True)
    print("some library noise", flush=True)
    print(json.dumps({"event": "scheduled", "persona": "casual", "run": "r1", "outcome": "promoted",
                      "message": "Casual improved: golden prompts 5/6 → 6/6; now in use.", "failures": 0,
                      "stopped": False, "stopped_reason": ""}), flush=True)
""")


@pytest.fixture
def runner(qtbot, tmp_path, monkeypatch):
    from aeon_studio.app.training.schedule import ScheduleRunner

    window = QWidget()
    window.resize(900, 600)
    qtbot.addWidget(window)
    window.show()
    chat = SimpleNamespace(ctx=_ctx(), worker=None)
    training = SimpleNamespace(process=SimpleNamespace(running=lambda: False))
    r = ScheduleRunner(window, chat=chat, training=training, idle_s=0, check_ms=3_600_000)
    script = tmp_path / "fake_auto.py"
    script.write_text(_FAKE_AUTO)
    monkeypatch.setattr(r, "command", lambda: [sys.executable, str(script)])
    return r


def test_due_and_idle_starts_one_run_and_shows_the_verdict(runner, qtbot):
    assert not runner.check()  # nothing scheduled
    sch.update_schedule("casual", enabled=True, min_new_ratings=1)
    cs = ChatStore(get_database())
    conv = cs.create_conversation("casual", "m")
    cs.add_message(conv.id, "user", "Oi?", persona_key="casual")
    cs.rate(cs.add_message(conv.id, "assistant", "Oi!", persona_key="casual").id, 5)

    runner.chat.worker = object()  # a reply is being generated: not idle
    assert not runner.check() and not runner.running()
    runner.chat.worker = None
    runner.idle_s = 60  # the user just did something: wait a while
    assert not runner.check()
    runner.idle_s = 0
    with qtbot.waitSignal(runner.finished, timeout=15000) as blocker:
        assert runner.check() and runner.running()
        assert not runner.check()  # never two at once
    assert blocker.args[0]["event"] == "scheduled" and not runner.running()
    assert runner.banner.isVisible()
    assert runner.banner.text.text() == "Casual improved: golden prompts 5/6 → 6/6; now in use."


def test_stopped_schedule_is_explained(runner):
    runner.notify({"event": "scheduled", "persona": "casual", "outcome": "failed", "message": "out of memory",
                   "stopped": True, "stopped_reason": "It failed 3 times in a row; the last time: out of memory"})
    assert runner.banner.title.text() == "Automatic retraining stopped"
    assert "turn it back on" in runner.banner.text.text() and "3 times" in runner.banner.text.text()


def test_main_window_has_the_schedule_button(qtbot):
    from aeon_studio.app.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    assert w.schedule.button.text() == "Automatic retraining…"
    assert w.training.button_row.indexOf(w.schedule.button) >= 0
    assert not w.schedule.running()


def test_demo_renders(qtbot, tmp_path):
    from aeon_studio.app.demo import RENDERERS
    from aeon_studio.app.demo.schedule import render_schedule, render_schedule_verdict

    assert ("schedule", "render_schedule") in RENDERERS and ("schedule", "render_schedule_verdict") in RENDERERS
    ctx = _ctx()
    try:
        assert render_schedule(ctx, tmp_path).stat().st_size > 10_000
        assert render_schedule_verdict(ctx, tmp_path).stat().st_size > 10_000
        assert sch.get_schedule("casual").enabled
    finally:
        ctx.close()


def test_dialog_is_never_narrower_than_its_rows_in_portuguese(qtbot):
    from PySide6.QtWidgets import QApplication

    from aeon_studio.app.demo.schedule import seed_schedule
    from aeon_studio.app.training.schedule_dialog import ScheduleDialog
    from aeon_studio.core import i18n

    i18n.set_language("pt_BR")
    ctx = _ctx()
    try:
        seed_schedule(ctx)  # with its per-domain lines
        d = ScheduleDialog(ctx, persona="casual")
        qtbot.addWidget(d)
        d.show()
        d.resize(100, d.height())  # as narrow as a user (or a window manager on a small screen) can make it
        QApplication.processEvents()
        # a fixed minimum of 560 px cut "Só começar entre" and "Retreinar esta persona automaticamente"
        assert d.width() >= d.layout().minimumSize().width() > 560
    finally:
        i18n.set_language(None)
        ctx.close()
