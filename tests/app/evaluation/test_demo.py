"""The Evaluation tab's demo render (scripts/screenshots.py) seeds real rows and writes its PNG."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def test_render_evaluation_demo(qtbot, tmp_path):
    from aeon_studio.app.context import AppContext
    from aeon_studio.app.demo import RENDERERS
    from aeon_studio.app.demo.evaluation import render_evaluation
    from aeon_studio.core.export.adapters import history

    assert ("evaluation", "render_evaluation") in RENDERERS
    ctx = AppContext()
    try:
        path = render_evaluation(ctx, tmp_path)
        render_evaluation(ctx, tmp_path)  # a second render finds the demo rows already there
        assert path.name == "evaluation_tab.png" and path.stat().st_size > 20_000
        versions = history("casual", ctx.db)
        assert len(versions) == 4 and [v.id for v in versions if v.active] == ["casual-20261128-2115"]
    finally:
        ctx.close()


def test_render_compare_demo(qtbot, tmp_path):
    from aeon_studio.app.context import AppContext
    from aeon_studio.app.demo import RENDERERS
    from aeon_studio.app.demo.evaluation import render_compare
    from aeon_studio.core.evaluation.arena import stats

    assert ("evaluation", "render_compare") in RENDERERS
    ctx = AppContext()
    try:
        path = render_compare(ctx, tmp_path)
        assert path.name == "compare.png" and (tmp_path / "compare_revealed.png").stat().st_size > 20_000
        standings = {s.model: s for s in stats(ctx.db, persona_key="casual")}
        assert standings["casual-20261128-2115"].wins == 4  # three seeded wins and the demo's one-click vote
    finally:
        ctx.close()
