"""Training tab: each method says what it learns from (EN and pt_BR), and the status leaves "loading the base
model…" once the worker has started training."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


@pytest.mark.parametrize("lang, kto_words", [("en", "No pairs needed"), ("pt_BR", "Não precisa de pares")])
def test_every_method_explains_its_data(qtbot, lang, kto_words):
    from PySide6.QtCore import Qt

    from aeon_studio.app.context import AppContext
    from aeon_studio.app.training.tab import TrainingTab
    from aeon_studio.core.i18n import set_language

    set_language(lang)
    try:
        tab = TrainingTab(AppContext())
        qtbot.addWidget(tab)
        tips = [tab.method.itemData(i, Qt.ItemDataRole.ToolTipRole) for i in range(tab.method.count())]
        assert len(tips) == 4 and all(tips) and len(set(tips)) == 4
        assert tab.method.toolTip() == tips[0]  # SFT, the default
        tab.method.setCurrentIndex(tab.method.findData("kto"))
        assert kto_words in tab.method.toolTip()
    finally:
        set_language(None)


def test_the_status_follows_the_start_event(qtbot):
    from aeon_studio.app.context import AppContext
    from aeon_studio.app.training.tab import TrainingTab

    tab = TrainingTab(AppContext())
    qtbot.addWidget(tab)
    tab.status.setText("Starting run r: loading the base model…")
    tab.on_event({"event": "start", "time": 1.0, "total_steps": 60, "resumed_from": 12})
    assert tab.status.text() == "Training: step 12/60, the next step is under way…"
    tab.on_event({"event": "step", "time": 2.0, "step": 13, "loss": 1.5, "lr": 1e-3})
    assert tab.status.text().startswith("Step 13/60")
