"""Evaluation tab: versions with metrics and verdicts, Promote / Roll back / Delete, golden prompts editor,
Evaluate now off the UI thread with progress and Cancel (over an in-memory stand-in for the core)."""

from __future__ import annotations

import pytest

from tests.app.evaluation.fakes import FakeData

pytestmark = pytest.mark.gui
VERSION, CREATED, PARENT, PPL, GOLDEN, BLEU, DEGEN, VERDICT, ACTIVE = range(9)


@pytest.fixture()
def tab(qtbot):
    from aeon_studio.app.context import AppContext
    from aeon_studio.app.evaluation.tab import EvaluationTab

    ctx = AppContext()
    ctx.settings.default_persona = "casual"
    widget = EvaluationTab(ctx, data=FakeData())
    qtbot.addWidget(widget)
    widget.resize(1180, 760)
    widget.show()
    yield widget
    widget.shutdown()
    ctx.close()


def cell(tab, row, col):
    return tab.model.data(tab.model.index(row, col))


def test_versions_show_metrics_verdicts_and_the_active_one(tab):
    assert tab.tab_title() == "Evaluation"
    assert tab.persona_key() == "casual" and tab.model.rowCount() == 3
    assert [cell(tab, 0, c) for c in (VERSION, PARENT, PPL, GOLDEN, BLEU)] == [
        "casual-3", "casual-2", "12.90", "3/6", "20.0 / 40.0"]
    assert cell(tab, 0, DEGEN) == "1 empty" and cell(tab, 1, DEGEN) == "none"
    assert cell(tab, 0, VERDICT) == "kept the previous one"
    assert tab.model.data(tab.model.index(0, VERDICT), 3) == "golden 5/6 → 3/6"  # the reasons as tooltip
    assert cell(tab, 1, VERDICT) == "promoted by the gate" and cell(tab, 2, VERDICT) == "not judged"
    assert cell(tab, 2, PARENT) == "base model"
    assert tab.reasons.text() == "Why: golden 5/6 → 3/6"  # the selected version's verdict, in words
    tab.select("casual-1")
    assert not tab.reasons.isVisibleTo(tab) and tab.chart.selected == "casual-1"
    assert [cell(tab, r, ACTIVE) for r in range(3)] == ["", "●", ""]
    # the chart plots oldest → newest
    assert tab.chart.points(0) == [(0, 14.2), (1, 9.7), (2, 12.9)]
    assert tab.chart.points(1) == [(0, pytest.approx(400 / 6)), (1, pytest.approx(500 / 6)), (2, 50.0)]
    # another persona: no versions, a hint instead
    tab.persona_combo.setCurrentIndex(tab.persona_combo.findData("formal"))
    assert tab.model.rowCount() == 0 and tab.empty.isVisibleTo(tab) and not tab.evaluate_button.isEnabled()
    assert tab.golden.list.count() == 0


def test_promote_roll_back_delete(tab, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    assert tab.selected().id == "casual-3"
    assert tab.promote_button.isEnabled() and tab.delete_button.isEnabled()
    assert tab.promote_selected()
    assert [cell(tab, r, ACTIVE) for r in range(3)] == ["●", "", ""]
    assert "casual-3" in tab.status.text() and ("promote", "casual-3") in tab.data.calls  # held back: by hand
    assert not tab.promote_button.isEnabled() and not tab.delete_button.isEnabled()  # it is in use now
    assert tab.roll_back() and ("rollback", "casual", None) in tab.data.calls
    assert cell(tab, 2, ACTIVE) == "●"
    tab.select("casual-2")  # an earlier good version is used again, not re-judged
    assert tab.promote_selected() and ("rollback", "casual", "casual-2") in tab.data.calls
    assert cell(tab, 1, ACTIVE) == "●"
    tab.roll_back()
    monkeypatch.setattr(tab, "confirm_delete", lambda v: False)
    assert not tab.delete_selected() and tab.model.rowCount() == 3
    monkeypatch.setattr(tab, "confirm_delete", lambda v: True)
    assert tab.delete_selected() and tab.model.rowCount() == 2
    # the core's refusal reaches a dialog; the table is unchanged
    from aeon_studio.core.errors import ValidationError

    shown = []
    monkeypatch.setattr(QMessageBox, "open", lambda box: shown.append(box.text()))

    def refuse(adapter_id):
        raise ValidationError(f"{adapter_id} is in use.", hint="Roll back first.")

    monkeypatch.setattr(tab.data, "delete", refuse)
    tab.select("casual-3")
    assert not tab.delete_selected()
    assert shown == ["casual-3 is in use.\nRoll back first."] and tab.model.rowCount() == 2


def test_golden_prompts_editor(tab):
    ed = tab.golden
    assert ed.list.count() == 1
    ed.list.setCurrentRow(0)
    assert ed.prompt.text() == "Who are you?" and ed.must.toPlainText() == "Aeon"
    assert ed.save_button.text() == "Save"
    ed.must.setPlainText("Aeon\nassistant")
    assert ed.save()
    assert tab.data.golden_[0].must == ["Aeon", "assistant"] and ed.list.count() == 1
    ed.new()
    assert ed.save_button.text() == "Add" and not ed.remove_button.isEnabled()
    assert not ed.save() and ed.error.isVisibleTo(ed)  # no prompt: said so, nothing stored
    ed.prompt.setText("Quem é você?")
    ed.must.setPlainText("aeon(\\s|$)\n[")
    ed.regex.setChecked(True)
    assert not ed.save()
    assert "does not compile" in ed.error.text() and len(tab.data.golden_) == 1
    ed.must.setPlainText("aeon(\\s|$)")
    assert ed.save() and not ed.error.isVisibleTo(ed)
    assert ed.list.count() == 2 and ed.current().prompt == "Quem é você?" and ed.current().regex
    assert ed.remove() and ed.list.count() == 1


def test_evaluate_now_reports_and_cancels(tab, qtbot):
    tab.select("casual-3")
    tab.against_combo.setCurrentIndex(tab.against_combo.findData("base"))
    job = tab.evaluate_now()
    assert job is not None and not tab.evaluate_button.isEnabled() and tab.cancel_button.isEnabled()
    with qtbot.waitSignal(job.finished, timeout=10_000):
        pass
    qtbot.waitUntil(lambda: tab.job is None, timeout=5_000)
    assert ("evaluate", "casual-3", "base", "casual") in tab.data.calls
    assert tab.progress.value() == 100
    assert "promote" in tab.status.text() and "golden 5/6 → 6/6" in tab.status.text()
    assert "9.10" in tab.result.text() and "9.70" in tab.result.text()
    assert tab.evaluate_button.isEnabled() and not tab.cancel_button.isEnabled()
    # Cancel stops it between examples; nothing is reported as a failure
    tab.data.delay = 0.05
    job = tab.evaluate_now()
    qtbot.waitUntil(lambda: tab.progress.value() > 0, timeout=5_000)
    tab.cancel()
    with qtbot.waitSignal(job.finished, timeout=10_000):
        pass
    qtbot.waitUntil(lambda: tab.job is None, timeout=5_000)
    assert "cancelled" in tab.status.text() and tab.progress.value() == 0


def test_renders_in_portuguese(tab):
    from PySide6.QtCore import Qt

    from aeon_studio.app.evaluation.tab import EvaluationTab
    from aeon_studio.core import i18n

    i18n.set_language("pt_BR")
    try:
        w = EvaluationTab(tab.ctx, data=FakeData())
        assert w.tab_title() == "Avaliação"
        assert w.evaluate_button.text() == "Avaliar agora"
        assert w.model.headerData(7, Qt.Orientation.Horizontal) == "Veredito"
        w.deleteLater()
    finally:
        i18n.set_language(None)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_chart_colours_come_from_the_style_sheet(qtbot, theme):
    from PySide6.QtWidgets import QWidget

    from aeon_studio.app.evaluation.chart import MetricsChart
    from aeon_studio.app.style import style_sheet, theme_colours

    holder = QWidget()
    qtbot.addWidget(holder)
    holder.setStyleSheet(style_sheet(theme))
    chart = MetricsChart(holder)
    chart.ensurePolished()
    colours = theme_colours(theme)
    assert chart.property("perplexityColor").name() == colours["chart_perplexity"]
    assert chart.property("chrfColor").name() == colours["chart_chrf"]
    bare = MetricsChart()  # no style sheet: palette colours, still distinct from the background
    qtbot.addWidget(bare)
    assert bare.property("perplexityColor") == bare.palette().highlight().color()
