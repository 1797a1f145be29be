"""Versions measured on different questions are never charted as comparable; numbers and dates in the user's
language; "Evaluate now" results land on the version rows they measured."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from aeon_studio.app.evaluation.data import Version
from aeon_studio.core.evaluation.reports import Measurement

pytestmark = pytest.mark.gui

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


def _version(n: int, set_hash: str | None, ppl: float = 10.0, golden_total: int = 0) -> Version:
    metrics = ({"model": f"casual-{n}", "perplexity": ppl, "golden_passed": 0, "golden_total": golden_total}
               if set_hash else {})
    measured = (Measurement(n, T0 + timedelta(days=n, hours=1), metrics, "base", {}, set_hash, 4, golden_total)
                if set_hash else None)
    return Version(f"casual-{n}", T0 + timedelta(days=n), None, "ready", False, metrics, {}, measured)


def test_chart_draws_only_versions_measured_on_the_newest_set(qtbot):
    from aeon_studio.app.evaluation.chart import MetricsChart

    chart = MetricsChart()
    qtbot.addWidget(chart)
    # newest first, as the table lists them; casual-3 holds the newest measurement (set "b")
    versions = [_version(4, None), _version(3, "b", 9.0, 2), _version(2, "b", 11.0, 2), _version(1, "a", 14.0)]
    chart.set_versions(versions)
    assert [v.id for v in chart.versions] == ["casual-2", "casual-3"]
    assert chart.points(0) == [(0, 11.0), (1, 9.0)]
    assert (chart.other_set, chart.unmeasured) == (1, 1)
    assert "1 version is not drawn: it was measured on different questions" in chart.note()
    assert "1 version has not been measured yet." in chart.note()
    assert chart.shown_series() == [0, 1]  # no BLEU or chrF scored: no legend entry for them
    chart.resize(500, 260)
    chart.grab()  # paints with a left-out version and empty series

    chart.set_versions([_version(2, "b", 11.0), _version(1, "b", 14.0)])
    assert chart.note() == "" and len(chart.versions) == 2


def test_table_greys_numbers_from_other_questions_and_says_why(qtbot):
    from PySide6.QtCore import Qt

    from aeon_studio.app.evaluation.versions import PPL_COLUMN, VersionsModel

    model = VersionsModel()
    model.set_rows([_version(3, "b", 9.0), _version(2, "b", 11.0), _version(1, "a", 14.0)])
    old, new = model.index(2, PPL_COLUMN), model.index(0, PPL_COLUMN)
    assert model.data(old, Qt.ItemDataRole.ForegroundRole) is not None
    assert "different questions" in model.data(old, Qt.ItemDataRole.ToolTipRole)
    assert model.data(new, Qt.ItemDataRole.ForegroundRole) is None
    assert model.data(new, Qt.ItemDataRole.ToolTipRole).startswith("Measured ")
    assert "against the base model, on 4 held-out examples and 0 golden prompts" in model.data(
        new, Qt.ItemDataRole.ToolTipRole)


def test_numbers_and_dates_in_portuguese(qtbot):
    from PySide6.QtCore import Qt

    from aeon_studio.app.evaluation.versions import PPL_COLUMN, VersionsModel
    from aeon_studio.core import i18n

    i18n.set_language("pt_BR")
    try:
        model = VersionsModel()
        model.set_rows([_version(1, "a", 9.7)])
        assert model.data(model.index(0, PPL_COLUMN), Qt.ItemDataRole.DisplayRole) == "9,70"
        assert model.data(model.index(0, 1), Qt.ItemDataRole.DisplayRole).startswith("21/11/2026")
    finally:
        i18n.set_language(None)


def test_evaluate_now_results_are_stored_with_the_versions_it_measured(qtbot):
    """The tab's data layer over the real core: an evaluation of casual-2 against casual-1 updates both rows."""
    from aeon_studio.app.evaluation.data import EvaluationData
    from aeon_studio.core.storage import get_database
    from aeon_studio.core.storage.training_tables import AdapterRow
    from tests.core.evaluation.test_reports import _comparison

    from aeon_studio.core.evaluation.evaluate import _store

    db = get_database()
    with db.session() as s:
        for n in (1, 2):
            s.add(AdapterRow(id=f"casual-{n}", name=f"casual-{n}", base_model_id="smollm2-135m-instruct",
                             path=f"/nowhere/{n}", persona_key="casual", created_at=T0 + timedelta(days=n)))
    data = EvaluationData(db)
    assert [v.metrics for v in data.versions("casual")] == [{}, {}]
    _store(_comparison("casual-2", "casual-1", "set-a"), "casual", db)
    got = {v.id: v for v in data.versions("casual")}
    assert got["casual-2"].metrics["perplexity"] == 9.5 and got["casual-1"].metrics["perplexity"] == 12.0
    assert got["casual-1"].eval_set == got["casual-2"].eval_set == "set-a"


def test_gate_reasons_read_in_the_language_shown_now(qtbot):
    from aeon_studio.app.evaluation.versions import reasons_now
    from aeon_studio.core import i18n

    full = {"perplexity": 9.7, "golden_passed": 2, "golden_total": 2, "identity_hits": None, "identity_total": None,
            "empty": 0, "repetitive": 0, "cut": 0}
    m = Measurement(1, T0, {**full, "model": "casual-1"}, "base",
                    {**full, "model": "base", "perplexity": 32.8, "golden_passed": 0}, "a", 4, 2)
    stored = {"promoted": True, "reasons": ["perplexity 32.8 → 9.7 (−70 %)", "golden 0/2 → 2/2"], "by": "gate"}
    v = Version("casual-1", T0, None, "ready", True, m.metrics, stored, m)
    i18n.set_language("pt_BR")
    try:
        assert reasons_now(v)[0] == "perplexidade 32,8 → 9,7 (−70 %)"
        later = Version("casual-1", T0, None, "ready", True, m.metrics, stored,
                        Measurement(2, T0, m.metrics, "casual-2", m.against_metrics, "a"))
        assert reasons_now(later) == stored["reasons"]  # measured since against another: the words as stored
    finally:
        i18n.set_language(None)
