"""A QPainter chart of the evaluation metrics over a persona's versions (PySide6-Essentials has no QtCharts).

Perplexity (lower is better) reads on the left axis; golden pass rate (%), BLEU and chrF (0–100) on the right;
the version selected in the table stands on a band.
The series colours come from the style sheet (``MetricsChart#metrics_chart { qproperty-perplexityColor: … }``
in ``resources/style/aeon.qss``, per theme); without a style sheet they fall back to palette colours.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Property, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from aeon_studio.app.evaluation.data import Version, latest_eval_set
from aeon_studio.app.evaluation.numbers import day, number
from aeon_studio.core.i18n import N_, _, ngettext


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _golden_pct(m: dict[str, Any]) -> float | None:
    total = _number(m.get("golden_total"))
    return 100.0 * (_number(m.get("golden_passed")) or 0.0) / total if total else None


#: (label msgid, value of a metrics dict, colour property, right axis?) for each series, in legend order.
SERIES: list[tuple[str, Callable[[dict[str, Any]], float | None], str, bool]] = [
    (N_("perplexity"), lambda m: _number(m.get("perplexity")), "perplexityColor", False),
    (N_("golden %"), _golden_pct, "goldenColor", True),
    (N_("BLEU"), lambda m: _number(m.get("bleu")), "bleuColor", True),
    (N_("chrF"), lambda m: _number(m.get("chrf")), "chrfColor", True),
]


def _colour_property(name: str, role: QPalette.ColorRole) -> Property:
    attr = "_" + name

    def get(self: MetricsChart) -> QColor:
        colour = getattr(self, attr, None)
        return QColor(colour) if colour is not None else self.palette().color(role)

    def set_(self: MetricsChart, colour: QColor) -> None:
        setattr(self, attr, QColor(colour))
        self.update()

    return Property(QColor, get, set_)


class MetricsChart(QWidget):
    """Each metric of the versions measured on the newest evaluation's set (oldest left, newest right).

    Numbers scored on different questions are not comparable, so versions measured on another set (or never)
    are left out; :meth:`note` says so in plain words.
    """

    perplexityColor = _colour_property("perplexityColor", QPalette.ColorRole.Highlight)  # noqa: N815 - Qt property
    goldenColor = _colour_property("goldenColor", QPalette.ColorRole.LinkVisited)  # noqa: N815
    bleuColor = _colour_property("bleuColor", QPalette.ColorRole.Link)  # noqa: N815
    chrfColor = _colour_property("chrfColor", QPalette.ColorRole.Text)  # noqa: N815

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("metrics_chart")
        self.versions: list[Version] = []
        self.selected: str | None = None
        #: versions left out: measured on another set, and never measured
        self.other_set = 0
        self.unmeasured = 0
        self.eval_set: str | None = None
        self.setMinimumHeight(170)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_versions(self, versions: Sequence[Version]) -> None:
        """Plot ``versions`` (given newest first, as the table lists them) measured on the newest set."""
        self.eval_set = latest_eval_set(list(versions))
        self.versions = [v for v in reversed(versions) if v.eval_set is not None and v.eval_set == self.eval_set]
        self.unmeasured = sum(v.eval_set is None for v in versions)
        self.other_set = len(versions) - len(self.versions) - self.unmeasured
        self.update()

    def note(self) -> str:
        """What the chart leaves out and why, in plain words ("" when it shows every version)."""
        parts = []
        if self.other_set:
            parts.append(ngettext(
                "{n} version is not drawn: it was measured on different questions (the golden prompts or the "
                "held-out examples changed since), so its numbers are not comparable. Select it and press "
                "Evaluate now to measure it on today's questions.",
                "{n} versions are not drawn: they were measured on different questions (the golden prompts or "
                "the held-out examples changed since), so their numbers are not comparable. Select one and press "
                "Evaluate now to measure it on today's questions.", self.other_set).format(n=self.other_set))
        if self.unmeasured:
            parts.append(ngettext("{n} version has not been measured yet.",
                                  "{n} versions have not been measured yet.", self.unmeasured).format(
                n=self.unmeasured))
        return " ".join(parts)

    def set_selected(self, version_id: str | None) -> None:
        """Mark the version selected in the table (a band behind its points)."""
        self.selected = version_id
        self.update()

    def labels(self) -> list[str]:
        """The x-axis label of each version: its date, with the time when two share a day."""
        days = [day(v.created_at) for v in self.versions]
        if len(set(days)) == len(days):
            return days
        return [day(v.created_at, with_time=True) for v in self.versions]

    def points(self, series: int) -> list[tuple[int, float]]:
        """``(version index, value)`` of one series, for the versions that have it."""
        value = SERIES[series][1]
        return [(i, v) for i, ver in enumerate(self.versions) if (v := value(ver.metrics)) is not None]

    def shown_series(self) -> list[int]:
        """The series that have data: only they get a legend entry (BLEU without held-out examples gets none)."""
        return [n for n in range(len(SERIES)) if self.points(n)]

    def paintEvent(self, event) -> None:  # noqa: N802, ARG002 - Qt API
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        p.fillRect(self.rect(), pal.base())
        fm = p.fontMetrics()
        side = fm.horizontalAdvance("000.0") + 12
        legend_rows = self._legend(p, dry_run=True)
        top = (legend_rows + 1) * (fm.height() + 4) + fm.height() / 2 + 6
        plot = QRectF(side, top, max(10, self.width() - 2 * side), max(10, self.height() - top - fm.height() - 10))
        p.setPen(QPen(pal.mid().color(), 1))
        p.drawRect(plot)
        self._legend(p)
        all_points = [self.points(i) for i in range(len(SERIES))]
        # an axis only when a series reads on it: a perplexity scale without perplexity would mean nothing
        left = bool(all_points[0])
        right = any(pts for (*_s, on_right), pts in zip(SERIES, all_points, strict=True) if on_right)
        p.setPen(pal.text().color())  # what each axis reads
        caption = QRectF(0, top - fm.height() - 4, side + 40, fm.height())
        if left:
            p.drawText(caption, Qt.AlignmentFlag.AlignLeft, _("perplexity"))
        caption.moveRight(self.width())
        if right:
            p.drawText(caption, Qt.AlignmentFlag.AlignRight, "0–100")
        if not any(all_points):
            p.setPen(pal.placeholderText().color())
            p.drawText(plot, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                       _("The metrics of each version appear here once it has been evaluated."))
            return
        ppl_top = max((v for _i, v in all_points[0]), default=0.0) * 1.1 or 1.0
        n = len(self.versions)
        label_w = plot.width() / n

        def x_of(i: int) -> float:
            return plot.left() + (plot.width() * (i + 0.5) / n)

        def y_of(value: float, right: bool) -> float:
            top = 100.0 if right else ppl_top
            return plot.bottom() - min(1.0, max(0.0, value / top)) * plot.height()

        if self.selected in (ids := [v.id for v in self.versions]):
            x = plot.left() + label_w * ids.index(self.selected)
            p.fillRect(QRectF(x, plot.top() + 1, label_w, plot.height() - 1), pal.alternateBase())
        for k in range(5):  # grid, and both axes' labels
            y = plot.bottom() - plot.height() * k / 4
            p.setPen(QPen(pal.midlight().color(), 1, Qt.PenStyle.DotLine))
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(pal.text().color())
            box = QRectF(0, y - fm.height() / 2, side - 6, fm.height())
            if left:
                p.drawText(box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                           number(ppl_top * k / 4, 1))
            box.moveLeft(plot.right() + 6)
            if right:
                p.drawText(box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, f"{25 * k}")
        for i, label in enumerate(self.labels()):
            text = fm.elidedText(label, Qt.TextElideMode.ElideLeft, int(label_w) - 4)
            p.drawText(QRectF(x_of(i) - label_w / 2, plot.bottom() + 2, label_w, fm.height() + 2),
                       Qt.AlignmentFlag.AlignHCenter, text)
        for (_label, _value, prop, right), pts in zip(SERIES, all_points, strict=True):
            if not pts:
                continue
            colour = self.property(prop)
            path = QPainterPath(QPointF(x_of(pts[0][0]), y_of(pts[0][1], right)))
            for i, v in pts[1:]:
                path.lineTo(QPointF(x_of(i), y_of(v, right)))
            p.setPen(QPen(colour, 2))
            p.drawPath(path)
            p.setBrush(colour)
            for i, v in pts:
                p.drawEllipse(QPointF(x_of(i), y_of(v, right)), 3, 3)
            p.setBrush(Qt.BrushStyle.NoBrush)

    def _legend(self, p: QPainter, *, dry_run: bool = False) -> int:
        """Draw the legend (wrapped to the width); returns how many rows it takes."""
        fm, pal = p.fontMetrics(), self.palette()
        x, row = 8.0, 0
        for n in self.shown_series():
            label, _value, prop, _right = SERIES[n]
            text = _(label)
            width = 24 + fm.horizontalAdvance(text) + 18
            if x > 8 and x + width > self.width():
                x, row = 8.0, row + 1
            if not dry_run:
                y = 4 + row * (fm.height() + 4)
                p.setPen(QPen(self.property(prop), 3))
                p.drawLine(QPointF(x, y + fm.height() / 2), QPointF(x + 18, y + fm.height() / 2))
                p.setPen(pal.text().color())
                p.drawText(QPointF(x + 24, y + fm.ascent()), text)
            x += width
        return row + 1
