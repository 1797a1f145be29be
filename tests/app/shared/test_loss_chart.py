"""The training loss curve on pyqtgraph: points kept and drawn, dots on short runs, text while empty."""

from __future__ import annotations

import pytest

from aeon_studio.app.shared.loss_chart import LossChart
from aeon_studio.core.training.events import Eval, Step

pytestmark = pytest.mark.gui


def _step(n: int, loss: float) -> Step:
    return Step(step=n, epoch=n / 10, loss=loss, lr=1e-3, tokens_per_s=100.0, eta_s=1.0)


def test_loss_chart_draws_events(qtbot):
    chart = LossChart()
    qtbot.addWidget(chart)
    chart.add_event(_step(1, 3.0))  # hidden: kept, drawn once shown
    assert chart.train == [(1, 3.0)] and chart.plot is None
    chart.show()
    qtbot.waitExposed(chart)
    assert chart.plot is not None and chart._stack.currentWidget() is chart.plot
    for n in range(2, 6):
        chart.add_event(_step(n, 3.0 / n))
    chart.add_event(Eval(step=5, eval_loss=0.9))
    xs, ys = chart._curves["train"].getData()
    assert list(xs) == [1, 2, 3, 4, 5] and ys[-1] == pytest.approx(0.6)
    assert list(chart._curves["eval"].getData()[1]) == [0.9]
    assert chart._curves["train"].opts["symbol"] == "o"  # short run: a dot per point
    low, high = chart.plot.getViewBox().viewRange()[1]
    assert 0.0 <= low < 0.6 and high > 3.0
    assert chart.plot.getAxis("bottom").labelText == "step 5"
    chart.clear()
    assert chart.train == [] and chart._stack.currentWidget() is chart.placeholder


def test_loss_chart_numbers_follow_the_language(qtbot):
    from aeon_studio.app.shared.plots import LocaleAxis
    from aeon_studio.core import i18n

    axis = LocaleAxis("left", decimals=2)
    assert axis.tickStrings([0.5], 1.0, 0.1) == ["0.50"]
    i18n.set_language("pt_BR")
    try:
        assert axis.tickStrings([0.5], 1.0, 0.1) == ["0,50"]
    finally:
        i18n.set_language(None)


def _shown_chart(qtbot) -> LossChart:
    chart = LossChart()
    qtbot.addWidget(chart)
    chart.resize(600, 300)
    chart.show()
    qtbot.waitExposed(chart)
    return chart


def test_the_legend_names_the_held_out_curve_only_when_there_is_one_and_hides_no_point(qtbot):
    chart = _shown_chart(qtbot)
    train, held_out = chart.legend_entries["train"], chart.legend_entries["eval"]
    assert chart.legend.isHidden()  # nothing drawn yet: the placeholder text, no legend
    for n in range(1, 4):
        chart.add_event(_step(n, 3.0 / n))
    assert chart.legend.isVisible() and train.isVisible() and held_out.isHidden()  # nothing held out
    assert train.label.text() == "loss on training examples"
    chart.add_event(Eval(step=3, eval_loss=1.2))
    assert held_out.isVisible() and held_out.label.text() == "loss on held-out examples"
    # a row above the plot, not an item over it: the curves keep the whole plot area
    legend_box = chart.legend.geometry()
    assert legend_box.bottom() < chart.plot.geometry().top()
    assert not chart.plot.getPlotItem().legend  # no pyqtgraph legend drawn over the data
    chart.clear()
    assert chart.legend.isHidden()
    chart.add_event(_step(1, 2.0))
    assert held_out.isHidden()  # a new run without held-out examples


def test_the_step_axis_ticks_whole_steps_only(qtbot):
    chart = _shown_chart(qtbot)
    for n in range(1, 4):  # a 3-step run: pyqtgraph alone ticks 1.0, 1.5, 2.0, 2.5, 3.0
        chart.add_event(_step(n, 3.0 / n))
    axis = chart.plot.getAxis("bottom")
    low, high = chart.plot.getViewBox().viewRange()[0]
    ticks = [v for _spacing, values in axis.tickValues(low, high, 500) for v in values]
    assert ticks and all(float(v).is_integer() for v in ticks) and {1.0, 2.0, 3.0} <= set(ticks)
    for n in range(4, 200):  # a long run keeps pyqtgraph's round spacing (no tick per step)
        chart.train.append((n, 1.0))
    chart.add_event(_step(200, 1.0))
    low, high = chart.plot.getViewBox().viewRange()[0]
    ticks = [v for _spacing, values in axis.tickValues(low, high, 500) for v in values]
    assert all(float(v).is_integer() for v in ticks) and len(ticks) < 60
