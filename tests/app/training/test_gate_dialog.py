"""The retrain's result dialog (verdict + numbers side by side) and the gate running off the UI thread."""

from __future__ import annotations

import pytest

from aeon_studio.core.training.gated import GateOutcome

pytestmark = pytest.mark.gui

ACTIVE = {"model": "base", "perplexity": 14.2, "bleu": 3.0, "chrf": 18.0, "golden_passed": 4, "golden_total": 6,
          "identity_hits": 0, "identity_total": 4, "empty": 0, "repetitive": 1, "cut": 0, "mean_reply_words": 12.0,
          "tokens_per_s": 150.0}
NEW = {**ACTIVE, "model": "casual-new", "perplexity": 9.7, "golden_passed": 6, "identity_hits": 4}


def _outcome(promoted: bool | None, **kw) -> GateOutcome:
    reasons = ["perplexity 14.2 → 9.7 (−32 %)", "golden 4/6 → 6/6"] if promoted else ["golden 6/6 → 2/6"]
    return GateOutcome("casual-new", promoted, reasons, dict(NEW), dict(ACTIVE), **kw)


def test_promoted_shows_verdict_and_numbers_side_by_side(qtbot):
    from aeon_studio.app.training.gate import GateDialog
    from aeon_studio.core.storage import get_database

    d = GateDialog(_outcome(True), get_database())
    qtbot.addWidget(d)
    assert "is better: it is now active" in d.headline.text()
    assert "golden 4/6 → 6/6" in d.reasons.text()
    labels = [d.table.verticalHeaderItem(i).text() for i in range(d.table.rowCount())]
    row = labels.index("perplexity (lower is better)")
    assert (d.table.item(row, 0).text(), d.table.item(row, 1).text()) == ("14.20", "9.70")
    row = labels.index("golden prompts passed")
    assert (d.table.item(row, 0).text(), d.table.item(row, 1).text()) == ("4/6", "6/6")
    assert d.table.horizontalHeaderItem(0).text() == "Before\nBase model"  # the new one is active now
    assert d.table.horizontalHeaderItem(1).text() == "New version\ncasual-new"
    assert d.keep_button is None and d.use_button is None


def test_rejected_offers_keep_or_use_anyway(qtbot, monkeypatch):
    from aeon_studio.app.training.gate import GateDialog
    from aeon_studio.core.storage import get_database

    calls = []
    monkeypatch.setattr("aeon_studio.core.export.adapters.promote",
                        lambda aid, db=None, *, by="user", persona_key=None: calls.append((aid, by)))
    d = GateDialog(_outcome(False), get_database())
    qtbot.addWidget(d)
    assert "is not better, so the current one stays active" in d.headline.text()
    assert d.table.horizontalHeaderItem(0).text() == "Now active\nBase model"
    assert d.keep_button.text() == "Keep the current one" and d.use_button.text() == "Use the new one anyway"
    with qtbot.waitSignal(d.promoted, timeout=2000) as blocker:
        d.use_button.click()
    assert blocker.args == ["casual-new"] and calls == [("casual-new", "user")]

    d2 = GateDialog(_outcome(False), get_database())
    qtbot.addWidget(d2)
    d2.open()
    d2.keep_button.click()
    assert not d2.isVisible() and len(calls) == 1  # keeping the current one promotes nothing


def test_use_anyway_failure_is_shown_and_nothing_changes(qtbot, monkeypatch):
    from aeon_studio.app.shared import errors
    from aeon_studio.app.training.gate import GateDialog
    from aeon_studio.core.errors import ValidationError
    from aeon_studio.core.storage import get_database

    def fail(*a, **kw):
        raise ValidationError("Adapter 'casual-new' failed its checks.")

    shown = []
    monkeypatch.setattr("aeon_studio.core.export.adapters.promote", fail)
    monkeypatch.setattr(errors, "show_error", lambda parent, title, err: shown.append(title))
    d = GateDialog(_outcome(False), get_database())
    qtbot.addWidget(d)
    d.open()
    d.use_button.click()
    assert shown == ["Cannot use the adapter"] and d.isVisible()


def test_nothing_to_judge_and_unusable_have_no_table(qtbot):
    from aeon_studio.app.training.gate import GateDialog
    from aeon_studio.core.storage import get_database

    none = GateOutcome("casual-new", None, ["There is nothing to evaluate on."], {}, {})
    d = GateDialog(none, get_database())
    qtbot.addWidget(d)
    assert "could not be judged" in d.headline.text() and d.table.isHidden()
    assert d.use_button is not None  # usable: the user may still choose it
    bad = GateOutcome("casual-new", False, ["it failed its checks in llama.cpp: empty"], {}, {}, usable=False)
    d2 = GateDialog(bad, get_database())
    qtbot.addWidget(d2)
    assert "is not usable" in d2.headline.text() and d2.use_button is None


def test_retrain_button_runs_the_gate_off_the_ui_thread_then_shows_the_result(qtbot, monkeypatch):
    import threading

    from aeon_studio.app.main_window import MainWindow
    from aeon_studio.core.storage.training_tables import AdapterRow, TrainingRun

    w = MainWindow()
    qtbot.addWidget(w)
    db = w.ctx.db
    with db.session() as s:
        s.add(AdapterRow(id="casual-new", name="n", base_model_id="smollm2-135m-instruct", path="/x",
                         persona_key="casual", metrics={"checks": {"ok": True}}))
        s.add(TrainingRun(id="run-g", base_model="smollm2-135m-instruct", status="done", persona_key="casual",
                          adapter_id="casual-new", metrics={"checks": {"ok": True}}))
    seen = {}

    def finish(run_id, db, *, gate=True, progress=None, should_stop=None):
        seen["thread"] = threading.current_thread()
        progress(1, 2)
        progress(2, 2)
        return _outcome(False)

    monkeypatch.setattr("aeon_studio.core.training.gated.finish_retrain", finish)
    r = w.retrain
    w.training.run_finished.connect(r._finished)  # as retrain() connects them
    w.training.process.event.connect(r._on_event)
    r._finished("run-g", "done")
    assert not r.button.isEnabled() and r.button.text().startswith("Evaluating…")
    with qtbot.waitSignal(r.job.succeeded, timeout=5000):
        pass
    qtbot.waitUntil(lambda: getattr(r, "dialog", None) is not None and r.dialog.isVisible(), timeout=5000)
    assert seen["thread"] is not threading.main_thread()
    assert "is not better" in r.dialog.headline.text() and r.dialog.use_button is not None
    assert r.button.isEnabled() and r.button.text() == "Retrain"
    r.dialog.reject()


def test_numbers_in_portuguese_and_a_legend_for_newcomers(qtbot):
    from aeon_studio.app.training.gate import GateDialog
    from aeon_studio.core import i18n
    from aeon_studio.core.storage import get_database

    i18n.set_language("pt_BR")
    try:
        d = GateDialog(_outcome(True), get_database())
        qtbot.addWidget(d)
        labels = [d.table.verticalHeaderItem(i).text() for i in range(d.table.rowCount())]
        row = labels.index("perplexidade (menor é melhor)")
        assert (d.table.item(row, 0).text(), d.table.item(row, 1).text()) == ("14,20", "9,70")
        assert "Perplexidade:" in d.legend.text() and d.table.horizontalHeaderItem(0).text() == "Antes\nModelo base"
    finally:
        i18n.set_language(None)


def test_reasons_stored_in_english_read_in_portuguese(qtbot):
    from aeon_studio.app.training.gate import GateDialog
    from aeon_studio.core import i18n
    from aeon_studio.core.storage import get_database

    i18n.set_language("pt_BR")
    try:
        d = GateDialog(_outcome(True), get_database())  # reasons stored in English by an English terminal
        qtbot.addWidget(d)
        assert "perplexidade 14,2 → 9,7 (−32 %)" in d.reasons.text() and "perplexity" not in d.reasons.text()
    finally:
        i18n.set_language(None)
