"""The result dialog's demo render (scripts/screenshots.py): promoted and rejected, from the real gate's verdicts."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def test_render_gate_demo(qtbot, tmp_path):
    from aeon_studio.app.context import AppContext
    from aeon_studio.app.demo import RENDERERS
    from aeon_studio.app.demo.training import gate_outcomes, render_gate

    assert ("training", "render_gate") in RENDERERS
    outcomes = gate_outcomes()
    assert outcomes["promoted"].promoted is True and outcomes["rejected"].promoted is False
    ctx = AppContext()
    try:
        render_gate(ctx, tmp_path)
        for name in ("gate_promoted.png", "gate_rejected.png"):
            assert (tmp_path / name).stat().st_size > 10_000
    finally:
        ctx.close()
