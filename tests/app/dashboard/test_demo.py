"""The Dashboard's demo renderer (scripts/screenshots.py) draws the tab with ten weeks over three versions."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def test_render_dashboard(qtbot, tmp_path):
    from aeon_studio.app.context import AppContext
    from aeon_studio.app.demo import RENDERERS
    from aeon_studio.app.demo.dashboard import render_dashboard

    assert ("dashboard", "render_dashboard") in RENDERERS
    ctx = AppContext()
    try:
        path = render_dashboard(ctx, tmp_path, demo=True)
        again = render_dashboard(ctx, tmp_path, demo=True)  # seeded once: a second render adds nothing
    finally:
        ctx.close()
    assert path == again and path.name == "dashboard_tab.png" and path.stat().st_size > 20_000
    from aeon_studio.core.stats import group_stats

    assert sum(g.likert_n for g in group_stats("adapter", db=ctx.db)) == 900
