"""Evaluate now with the real core: SmolLM2 through llama.cpp off the UI thread, the report stored, Cancel."""

from __future__ import annotations

import pytest

from tests.support.export_models import handmade_peft

pytestmark = pytest.mark.gui


@pytest.fixture()
def tab(qtbot, tmp_path, smollm2_path, monkeypatch):
    from aeon_studio.app.context import AppContext
    from aeon_studio.core.evaluation import evaluate as evaluate_module
    from aeon_studio.app.evaluation.tab import EvaluationTab
    from aeon_studio.core.evaluation.golden import add_golden
    from aeon_studio.core.storage.training_tables import AdapterRow

    real = evaluate_module.build_eval_set
    # The real set, cut to one held-out row (of the identity set) + the golden prompt: this tests the tab, and
    # CI's time is short.
    monkeypatch.setattr(evaluate_module, "build_eval_set", lambda persona, db: real(persona, db, max_items=1))
    ctx = AppContext()
    folder = handmade_peft(tmp_path / "peft", smollm2_path, std=0.05)
    with ctx.db.session() as s:
        s.add(AdapterRow(id="casual-1", name="casual-1", base_model_id="smollm2-135m-instruct", path=str(folder),
                         persona_key="casual"))
    add_golden("casual", "Who are you?", must=["Aeon"], db=ctx.db)
    ctx.settings.default_persona = "casual"
    widget = EvaluationTab(ctx)
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    widget.shutdown()
    ctx.close()


def _stored(ctx) -> list:
    from sqlmodel import select

    from aeon_studio.core.storage.evaluation_tables import EvaluationRow

    with ctx.db.session() as s:
        return list(s.exec(select(EvaluationRow)).all())


def _finish(qtbot, tab, job) -> None:
    # wait on state, not on the finished signal: a cancelled job can end before a signal wait would connect
    qtbot.waitUntil(lambda: tab.job is None, timeout=180_000)


@pytest.mark.slow  # ~15 s alone, more on a busy machine: two models answer through llama.cpp
def test_evaluate_now_against_the_base_model(qtbot, tab):
    assert tab.selected().id == "casual-1"
    tab.against_combo.setCurrentIndex(tab.against_combo.findData("base"))
    job = tab.evaluate_now()
    assert job is not None and tab.cancel_button.isEnabled() and not tab.evaluate_button.isEnabled()
    _finish(qtbot, tab, job)
    assert tab.progress.value() == 100, tab.status.text()
    assert "golden" in tab.status.text()  # the verdict's reasons
    assert "casual-1" in tab.result.text() and "Golden" in tab.result.text()
    (row,) = _stored(tab.ctx)
    assert (row.persona_key, row.against) == ("casual", "base")
    # stored with the version it measured: the table shows it, with the gate's view of it
    (version,) = tab.model.rows
    assert version.measured is not None and version.measured.evaluation_id == row.id
    assert version.measured.against == "base" and version.metrics["golden_total"] == 1
    assert row.verdict is not None and "reasons" in row.verdict


def test_cancel_stores_nothing(qtbot, tab, monkeypatch):
    job = tab.evaluate_now()
    tab.cancel()
    _finish(qtbot, tab, job)
    assert "cancelled" in tab.status.text() and _stored(tab.ctx) == []
    assert tab.evaluate_button.isEnabled()
