"""pyqtgraph set up for the app: axes that write numbers in the user's language, the app's palette, no
English-only context menu. Importing this module imports pyqtgraph: import it only when a chart is first shown
(the window must start without it)."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QLocale
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from aeon_studio.core.i18n import current_language

pg.setConfigOptions(antialias=True)


class LocaleAxis(pg.AxisItem):
    """An axis whose numbers follow the user's language ("0,50" in pt_BR); ``percent`` shows 0.5 as "50 %";
    ``whole`` puts ticks on whole numbers only (training steps: no "1.5" between step 1 and step 2)."""

    def __init__(self, orientation: str, *, decimals: int | None = None, percent: bool = False,
                 whole: bool = False, **kwargs) -> None:
        super().__init__(orientation, **kwargs)
        self.decimals = decimals
        self.percent = percent
        self.whole = whole

    def tickValues(self, minVal, maxVal, size):  # noqa: N802 - pyqtgraph's name
        levels = super().tickValues(minVal, maxVal, size)
        if not self.whole:
            return levels
        kept = [(spacing, [v for v in values if float(v).is_integer()]) for spacing, values in levels
                if spacing >= 1]
        if kept:
            return kept
        # a short range (3 steps): pyqtgraph's levels are all fractional, so tick every whole number in it
        return [(1.0, [float(v) for v in range(math.ceil(minVal), math.floor(maxVal) + 1)])]

    def tickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph's name
        locale = QLocale(current_language())
        if self.percent:
            return [locale.toString(round(v * scale * 100)) + " %" for v in values]
        decimals = self.decimals
        if decimals is None:  # as many as the tick spacing needs: 0.25 → 2, 5 → 0
            decimals = max(0, -math.floor(math.log10(spacing * scale))) if spacing * scale > 0 else 0
        return [locale.toString(float(v * scale), "f", decimals) for v in values]


def colour(role: QPalette.ColorRole) -> QColor:
    """A colour of the application's palette (follows the light/dark theme)."""
    return QApplication.palette().color(role)


def new_plot(parent: QWidget | None = None, *, title: str = "", decimals: int | None = None,
             percent: bool = False, whole_x: bool = False) -> pg.PlotWidget:
    """A static plot (no mouse panning, no pyqtgraph menu) drawn in the palette's colours.

    Args:
        parent: The Qt parent.
        title: Shown above the plot.
        decimals: Decimals of the left axis (None: from the tick spacing).
        percent: The left axis shows fractions as percentages.
        whole_x: The bottom axis counts things (steps): ticks on whole numbers only.
    """
    axes = {"left": LocaleAxis("left", decimals=decimals, percent=percent),
            "bottom": LocaleAxis("bottom", whole=whole_x)}
    plot = pg.PlotWidget(parent, background=colour(QPalette.ColorRole.Base), axisItems=axes)
    plot.setMenuEnabled(False)
    plot.hideButtons()
    plot.setMouseEnabled(x=False, y=False)
    text = colour(QPalette.ColorRole.Text)
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(colour(QPalette.ColorRole.Mid)))
        axis.setTextPen(pg.mkPen(text))
    plot.showGrid(x=False, y=True, alpha=0.2)
    if title:
        plot.setTitle(title, color=text.name(), size="10pt")
    return plot
