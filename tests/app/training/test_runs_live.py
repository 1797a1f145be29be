"""The runs table follows a live run's steps (the stored row is folded from the events only on reload)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

pytestmark = pytest.mark.gui


def test_steps_and_loss_follow_the_live_run(qtbot):
    from PySide6.QtCore import Qt

    from aeon_studio.app.training.runs import HEADERS, RunsModel

    model = RunsModel()
    row = SimpleNamespace(id="run-1", status="running", dataset_name="identity", preset="quick",
                          metrics={"total_steps": 60}, started_at=None, finished_at=None, adapter_id=None,
                          base_model="smollm2", method="sft", error=None)
    model.set_rows([row])
    steps, loss = HEADERS.index("Steps"), HEADERS.index("Loss")

    def cell(column: int) -> str:
        return model.data(model.index(0, column), Qt.ItemDataRole.DisplayRole)

    assert cell(steps) == "0/60"
    with qtbot.waitSignal(model.dataChanged, timeout=1000):
        model.update_live("run-1", step=12, loss=1.25, total_steps=60)
    assert (cell(steps), cell(loss)) == ("12/60", "1.250")
    model.update_live("run-other", step=99)  # another run: nothing changes
    assert cell(steps) == "12/60"
