"""The Evaluation tab over the real core: adapter versions (promote by hand, roll back, delete) and golden prompts
stored through core.evaluation.golden, with the core's own errors shown in the form."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.support.export_models import handmade_peft

pytestmark = pytest.mark.gui


@pytest.fixture()
def tab(qtbot, tmp_path, smollm2_path):
    from aeon_studio.app.context import AppContext
    from aeon_studio.app.evaluation.tab import EvaluationTab
    from aeon_studio.core.export.adapters import activate
    from aeon_studio.core.storage.evaluation_tables import EvaluationRow
    from aeon_studio.core.storage.training_tables import AdapterRow

    ctx = AppContext()
    t = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)
    report = {"candidate": {"model": "casual-2", "perplexity": 15.1, "golden_passed": 3, "golden_total": 6,
                            "bleu": 17.9, "chrf": 39.8, "empty": 0, "repetitive": 2, "cut": 0},
              "against": {"model": "casual-1", "perplexity": 14.2, "golden_passed": 4, "golden_total": 6}}
    verdict = {"promoted": False, "reasons": ["golden 4/6 → 3/6"], "by": "gate"}
    with ctx.db.session() as s:
        ev = EvaluationRow(persona_key="casual", candidate="casual-2", against="casual-1", report=report,
                           verdict=verdict)
        s.add(ev)
        s.flush()
        for n, (adapter_id, status, parent) in enumerate((("casual-1", "ready", None),
                                                          ("casual-2", "not-promoted", "casual-1"))):
            folder = handmade_peft(tmp_path / adapter_id, smollm2_path, seed=n)
            s.add(AdapterRow(id=adapter_id, name=adapter_id, base_model_id="smollm2-135m-instruct", path=str(folder),
                             persona_key="casual", parent_id=parent, status=status, created_at=t + timedelta(days=n),
                             evaluation_id=ev.id if n else None, verdict=verdict if n else {}))
    activate("casual-1", "casual", ctx.db)
    ctx.settings.default_persona = "casual"
    widget = EvaluationTab(ctx)
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    widget.shutdown()
    ctx.close()


def test_versions_promote_roll_back_delete(tab, monkeypatch):
    from aeon_studio.core.export.adapters import get_adapter
    from aeon_studio.core.personas import PersonaStore

    def bound():
        return PersonaStore(tab.ctx.db).get("casual").adapter_id

    assert [v.id for v in tab.model.rows] == ["casual-2", "casual-1"]
    assert [v.active for v in tab.model.rows] == [False, True]
    assert tab.model.rows[0].metrics["perplexity"] == 15.1 and "3/6" in tab.reasons.text()
    assert tab.selected().id == "casual-2" and tab.promote_button.isEnabled()
    assert tab.promote_selected()  # "promote anyway"
    assert bound() == "casual-2" and get_adapter("casual-2", tab.ctx.db).status == "ready"
    assert tab.model.rows[0].active and tab.model.rows[0].verdict["by"] == "user"
    assert tab.roll_back() and bound() == "casual-1"
    tab.select("casual-1")
    assert not tab.delete_button.isEnabled()  # the version in use
    tab.select("casual-2")
    monkeypatch.setattr(tab, "confirm_delete", lambda v: True)
    assert tab.delete_selected()
    assert [v.id for v in tab.model.rows] == ["casual-1"] and bound() == "casual-1"


def test_golden_prompts_are_stored_and_checked_by_the_core(tab):
    from aeon_studio.core.evaluation.golden import list_golden

    ed = tab.golden
    ed.prompt.setText("Quem é você?")
    ed.must.setPlainText("aeon(")
    ed.regex.setChecked(True)
    assert not ed.save() and ed.error.isVisibleTo(ed) and "aeon(" in ed.error.text()
    assert list_golden("casual", tab.ctx.db) == []
    ed.must.setPlainText("\\baeon\\b")
    ed.must_not.setPlainText("SmolLM")
    assert ed.save()
    (g,) = list_golden("casual", tab.ctx.db)
    assert (g.prompt, g.must, g.must_not, g.regex) == ("Quem é você?", ["\\baeon\\b"], ["SmolLM"], True)
    ed.must_not.setPlainText("SmolLM\nOpenAI")
    assert ed.save() and list_golden("casual", tab.ctx.db)[0].must_not == ["SmolLM", "OpenAI"]
    assert ed.remove() and list_golden("casual", tab.ctx.db) == [] and ed.list.count() == 0
