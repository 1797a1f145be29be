"""Dashboard tab over the real core: empty, then with ratings over three versions (charts, the comparison in
words, filters, PNG and CSV export); pyqtgraph stays out of the window's start."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.gui


@pytest.fixture()
def ctx():
    from aeon_studio.app.context import AppContext

    context = AppContext()
    yield context
    context.close()


def _tab(qtbot, ctx):
    from aeon_studio.app.dashboard.tab import DashboardTab

    tab = DashboardTab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1180, 760)
    return tab


def test_empty_dashboard(qtbot, ctx):
    tab = _tab(qtbot, ctx)
    assert tab.tab_title() == "Dashboard" and tab.charts is None  # nothing drawn before it is shown
    tab.show()
    qtbot.waitExposed(tab)
    assert tab.charts is not None and tab.empty.isVisible()
    assert not any(plot.isVisible() for plot in tab.charts.widgets)
    assert "Pick a persona" in tab.summary.text()
    tab.persona_combo.setCurrentIndex(tab.persona_combo.findData("casual"))
    assert "no earlier version" in tab.summary.text()


def test_dashboard_with_versions(qtbot, ctx, tmp_path):
    from aeon_studio.app.demo.dashboard import PERSONA, VERSIONS, seed_ratings

    seed_ratings(ctx.db, ratings=600)
    tab = _tab(qtbot, ctx)
    tab.show()
    qtbot.waitExposed(tab)
    tab.persona_combo.setCurrentIndex(tab.persona_combo.findData(PERSONA))
    assert not tab.empty.isVisible() and all(plot.isVisible() for plot in tab.charts.widgets)
    assert [tab.names[a] for a, _w, _m in VERSIONS] == ["v1", "v2", "v3"]
    text = tab.summary.text()
    assert "v3 (20261109-0815)" in text and "v2 (20261026-2130)" in text and "95 % sure" in text
    assert tab.comparison.verdict == "better" and "rated better" in text
    assert {v.key for v in tab.versions} == {"base"} | {a for a, _w, _m in VERSIONS}
    weeks = len(tab.weeks)
    assert 10 <= weeks <= 11 and sum(w.likert_n for w in tab.weeks) == sum(v.likert_n for v in tab.versions)
    # promotions marked on the weekly charts (three dashed lines on the average rating)
    import pyqtgraph as pg

    lines = [i for i in tab.charts.mean.getPlotItem().items if isinstance(i, pg.InfiniteLine)]
    assert len(lines) == 3
    # one version only: its weeks
    tab.version_combo.setCurrentIndex(tab.version_combo.findData(VERSIONS[0][0]))
    assert 0 < len(tab.weeks) < weeks and tab.version_combo.currentText() == "v1 (20261005-1010)"
    tab.version_combo.setCurrentIndex(0)
    # export
    png, data = tmp_path / "mean.png", tmp_path / "data.csv"
    tab.export_chart(0, str(png))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    tab.export_data(str(data))
    rows = list(csv.DictReader(data.open(encoding="utf-8")))
    assert {r["group_by"] for r in rows} == {"week", "adapter"}
    v3 = next(r for r in rows if r["key"] == VERSIONS[-1][0])
    assert int(v3["likert_n"]) > 10 and float(v3["likert_low"]) < float(v3["likert_mean"])
    assert [a.text() for a in tab.export_menu.actions()][0] == "Average rating"
    with pytest.raises(OSError):
        tab.export_chart(0, str(tmp_path / "missing" / "x.png"))


def test_window_starts_without_pyqtgraph(aeon_home):
    code = ("import sys; from PySide6.QtWidgets import QApplication; app = QApplication([]); "
            "from aeon_studio.app.main_window import MainWindow; w = MainWindow(); "
            "print(json.dumps(['pyqtgraph' in sys.modules, [w.tabs.tabText(i) for i in range(w.tabs.count())]]))")
    out = subprocess.run([sys.executable, "-c", "import json; " + code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    loaded, titles = json.loads(out.stdout.strip().splitlines()[-1])
    assert not loaded and "Dashboard" in titles
