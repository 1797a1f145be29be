"""Training tab: ORPO in the method picker, and what a finished run cost in its summary (English and pt_BR)."""

from __future__ import annotations

import json

import pytest

from tests.core.training.test_trl_prefs import PAIRS

pytestmark = pytest.mark.gui


def _finished_orpo_run(tab, tmp_path) -> str:
    """A run created from the form with ORPO, whose worker (not started) wrote half an hour of events."""
    from aeon_studio.core.training import runs

    data = tmp_path / "pairs.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in PAIRS))
    tab.dataset.set_value(str(data))
    tab.base.set_value("tiny")
    tab.method.setCurrentIndex(tab.method.findData("orpo"))
    row = tab.create_run()
    assert row.method == "orpo" and row.spec["method"] == "orpo"
    lines = [{"event": "start", "time": 1000.0, "total_steps": 1},
             {"event": "done", "time": 2800.0, "adapter": str(tmp_path / "adapter"), "metrics": {"steps": 1}}]
    (runs.run_dir(row.id) / "events.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    runs.refresh(row.id, exited=True)
    tab.reload()
    return row.id


@pytest.mark.parametrize("lang, method, cost, sentence", [
    ("en", "ORPO (preference pairs, also learns the chosen replies)", "estimated cost $0.45",
     "Estimated cost: $0.45 (30 minutes at $0.90 an hour)."),
    ("pt_BR", "ORPO (pares de preferência; também aprende as respostas escolhidas)", "custo estimado US$\xa00,45",
     "Custo estimado: US$\xa00,45 (30 minutos a US$\xa00,90 por hora)."),
])
def test_orpo_in_the_picker_and_the_cost_in_the_run_summary(qtbot, tmp_path, lang, method, cost, sentence):
    from aeon_studio.app.context import AppContext
    from aeon_studio.app.training.tab import TrainingTab
    from aeon_studio.core.i18n import set_language
    from aeon_studio.core.settings import get_settings

    get_settings().save(machine_hourly_price=0.9)
    set_language(lang)
    try:
        tab = TrainingTab(AppContext())
        qtbot.addWidget(tab)
        assert tab.method.itemText(tab.method.findData("orpo")) == method
        run_id = _finished_orpo_run(tab, tmp_path)
        tab.show_run(run_id)
        assert tab.status.text().endswith(" · " + cost), tab.status.text()
        assert tab.status.toolTip() == sentence
        from PySide6.QtCore import Qt

        assert tab.model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole).endswith("\n" + sentence)
    finally:
        set_language(None)


def test_no_price_no_cost(qtbot, tmp_path):
    from aeon_studio.app.context import AppContext
    from aeon_studio.app.training.tab import TrainingTab

    tab = TrainingTab(AppContext())
    qtbot.addWidget(tab)
    tab.show_run(_finished_orpo_run(tab, tmp_path))
    assert "cost" not in tab.status.text() and tab.status.toolTip() == ""
