"""The Dashboard's five charts, drawn with pyqtgraph from the core's :class:`~aeon_studio.core.stats.GroupStats`.

Weeks sit at x = 0, 1, 2… (each bar spans its Monday to the next), gaps filled, so time reads evenly; the
dates a version went into use are dashed vertical lines at their place inside their week. Imported only when
the tab is first shown (it imports pyqtgraph).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QWidget

from aeon_studio.app.shared.plots import colour, new_plot
from aeon_studio.core.i18n import _, current_language, ngettext
from aeon_studio.core.stats import GroupStats, VersionChange

#: Likert 1 (red) … 5 (green): the usual reading of a rating scale.
LIKERT_COLOURS = ("#d7191c", "#fdae61", "#c9c94f", "#a6d96a", "#1a9641")
LINE = QColor("#2f7ed8")
NPS_LINE = QColor("#7b4fc9")
USABILITY_LINE = QColor("#1f9e89")


def week_range(weeks: list[GroupStats]) -> list[date]:
    """Every Monday from the first week with data to the last (weeks without data included)."""
    if not weeks:
        return []
    first, last = date.fromisoformat(weeks[0].key), date.fromisoformat(weeks[-1].key)
    return [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]


def week_label(monday: date) -> str:
    """"16 Nov" / "16 de nov." in the user's language."""
    return QLocale(current_language()).toString(QDate(monday.year, monday.month, monday.day), "d MMM")


def version_names(changes: list[VersionChange], keys: list[str], persona: str | None) -> dict[str, str]:
    """Short names for people: "v1", "v2"… in the order each adapter went into use for its persona ("tecnico
    v2" when several personas are shown), "base model" for the base; an adapter never in use keeps its id."""
    names = {"base": _("base model")}
    counters: dict[str, int] = {}
    for change in changes:
        if change.adapter_id and change.adapter_id not in names:
            n = counters[change.persona_key] = counters.get(change.persona_key, 0) + 1
            short = _("v{n}").format(n=n)
            names[change.adapter_id] = short if persona else f"{change.persona_key} {short}"
    for key in keys:
        names.setdefault(key, key)
    return names


def long_name(key: str, names: dict[str, str]) -> str:
    """"v3 (20261109-0815)": the short name and the adapter id without its persona prefix."""
    short = names.get(key, key)
    if key == "base" or short == key:
        return short
    return f"{short} ({key.split('-', 1)[1] if '-' in key else key})"


class Charts:
    """Builds the five plots once (``widgets``, with their ``titles``) and redraws them from new numbers."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.mean = new_plot(parent, title=_("Average rating per week (1–5)"), decimals=1)
        self.spread = new_plot(parent, title=_("Ratings per week: 1 (red) to 5 (green)"), decimals=0)
        self.nps = new_plot(parent, title=_("NPS per week (−100 to 100)"), decimals=0)
        self.usability = new_plot(parent, title=_("Ease of use per week (1–7)"), decimals=1)
        self.arena = new_plot(parent, title=_("Arena: share of blind comparisons won, per version"), percent=True)
        self.widgets = [self.mean, self.spread, self.nps, self.usability, self.arena]
        self.titles = [_("Average rating"), _("How replies were rated"), _("NPS"), _("Ease of use"),
                       _("Arena wins")]
        self.arena.getAxis("left").setTicks([[(v / 4, f"{v * 25} %") for v in range(5)], []])
        for plot in self.widgets:  # the same width everywhere: labels are not cut and the plots line up
            plot.getAxis("left").setWidth(46)

    # -- helpers -----------------------------------------------------------------------------------------------
    def _week_axis(self, plot: pg.PlotWidget, mondays: list[date]) -> None:
        step = max(1, -(-len(mondays) // 5))  # at most 5 labels: they must not overlap on a narrow plot
        ticks = [(i, week_label(m)) for i, m in enumerate(mondays) if i % step == 0]
        plot.getAxis("bottom").setTicks([ticks, []])
        plot.setXRange(-0.6, max(0.6, len(mondays) - 0.4), padding=0)

    def _promotions(self, plot: pg.PlotWidget, mondays: list[date], changes: list[VersionChange],
                    names: dict[str, str] | None) -> None:
        """Dashed lines where versions went into use; named when ``names`` is given (on one chart only)."""
        if not mondays:
            return
        start = datetime.combine(mondays[0], datetime.min.time())
        pen = pg.mkPen(colour(QPalette.ColorRole.PlaceholderText), width=1, style=Qt.PenStyle.DashLine)
        for change in changes:
            x = (change.at.replace(tzinfo=None) - start).total_seconds() / (7 * 86400) - 0.5
            if -0.5 <= x <= len(mondays) - 0.5:
                label = names.get(change.adapter_id or "base") if names else None
                line = pg.InfiniteLine(pos=x, angle=90, pen=pen, label=label,
                                       labelOpts={"position": 0.08, "color": colour(QPalette.ColorRole.Text),
                                                  "anchors": [(0, 1), (0, 1)]})
                plot.addItem(line)

    @staticmethod
    def _line(plot: pg.PlotWidget, xs: list[float], ys: list[float], color: QColor) -> None:
        plot.plot(xs, ys, pen=pg.mkPen(color, width=2), symbol="o", symbolSize=6, symbolBrush=color,
                  symbolPen=None)

    # -- drawing -----------------------------------------------------------------------------------------------
    def draw(self, weeks: list[GroupStats], versions: list[GroupStats], changes: list[VersionChange],
             names: dict[str, str]) -> None:
        """Redraw every chart: ``weeks`` from ``group_stats("week")``, ``versions`` from ``group_stats("adapter")``."""
        for plot in self.widgets:
            plot.getPlotItem().clear()
        mondays = week_range(weeks)
        index = {m.isoformat(): i for i, m in enumerate(mondays)}
        by_week = [(index[w.key], w) for w in weeks if w.key in index]

        rated = [(x, w) for x, w in by_week if w.likert_n]
        self._line(self.mean, [x for x, _w in rated], [w.likert_mean for _x, w in rated], LINE)
        bars = [(x, w) for x, w in rated if w.likert_low is not None]
        if bars:
            self.mean.addItem(pg.ErrorBarItem(
                x=np.array([x for x, _w in bars], dtype=float),
                y=np.array([w.likert_mean for _x, w in bars]),
                top=np.array([w.likert_high - w.likert_mean for _x, w in bars]),
                bottom=np.array([w.likert_mean - w.likert_low for _x, w in bars]), beam=0.2,
                pen=pg.mkPen(LINE, width=1)))
        self.mean.setYRange(1, 5, padding=0.05)

        base = [0.0] * len(rated)
        for value, hex_colour in enumerate(LIKERT_COLOURS, start=1):
            heights = [float(w.likert_distribution.get(value, 0)) for _x, w in rated]
            self.spread.addItem(pg.BarGraphItem(x=[x for x, _w in rated], height=heights, y0=list(base), width=0.7,
                                                brush=QColor(hex_colour), pen=pg.mkPen(None)))
            base = [b + h for b, h in zip(base, heights)]
        self.spread.setYRange(0, max(base, default=1) * 1.15 or 1, padding=0)

        scored = [(x, w) for x, w in by_week if w.nps is not None]
        self.nps.addItem(pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen(colour(QPalette.ColorRole.Mid))))
        self._line(self.nps, [x for x, _w in scored], [w.nps for _x, w in scored], NPS_LINE)
        self.nps.setYRange(-100, 100, padding=0.05)

        used = [(x, w) for x, w in by_week if w.usability_mean is not None]
        self._line(self.usability, [x for x, _w in used], [w.usability_mean for _x, w in used], USABILITY_LINE)
        self.usability.setYRange(1, 7, padding=0.05)

        for plot in (self.mean, self.spread, self.nps, self.usability):
            self._week_axis(plot, mondays)
            self._promotions(plot, mondays, changes, names if plot is self.mean else None)

        fought = [v for v in versions if v.arena_win_rate is not None]
        self.arena.addItem(pg.InfiniteLine(pos=0.5, angle=0, pen=pg.mkPen(colour(QPalette.ColorRole.Mid),
                                                                           style=Qt.PenStyle.DashLine)))
        self.arena.addItem(pg.BarGraphItem(x=list(range(len(fought))), height=[v.arena_win_rate for v in fought],
                                           width=0.6, brush=LINE, pen=pg.mkPen(None)))
        for i, v in enumerate(fought):  # how many votes each bar stands on
            label = pg.TextItem(ngettext("{n} vote", "{n} votes", v.arena_n).format(n=v.arena_n), anchor=(0.5, 1),
                                color=colour(QPalette.ColorRole.Text))
            label.setPos(i, v.arena_win_rate)
            self.arena.addItem(label)
        self.arena.getAxis("bottom").setTicks([[(i, names.get(v.key, v.key)) for i, v in enumerate(fought)],
                                               []])
        self.arena.setXRange(-0.6, max(0.6, len(fought) - 0.4), padding=0)
        self.arena.setYRange(0, 1, padding=0.05)
