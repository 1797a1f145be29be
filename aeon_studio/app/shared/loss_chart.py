"""A QPainter line chart of train and eval loss (PySide6-Essentials has no QtCharts)."""

from __future__ import annotations

from PySide6.QtCore import QLocale, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from aeon_studio.core.i18n import _, current_language
from aeon_studio.core.training.events import Eval, Event, Step


class LossChart(QWidget):
    TRAIN = QColor("#2f7ed8")
    EVAL = QColor("#e4572e")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.train: list[tuple[float, float]] = []
        self.eval: list[tuple[float, float]] = []
        self.setMinimumHeight(200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def clear(self) -> None:
        self.train, self.eval = [], []
        self.update()

    def add_train(self, step: float, loss: float) -> None:
        self.train.append((step, loss))
        self.update()

    def add_eval(self, step: float, loss: float) -> None:
        self.eval.append((step, loss))
        self.update()

    def add_event(self, ev: Event) -> None:
        """Plot a ``step`` (train loss) or ``eval`` event; other events draw nothing."""
        if isinstance(ev, Step):
            self.add_train(ev.step, ev.loss)
        elif isinstance(ev, Eval):
            self.add_eval(ev.step, ev.eval_loss)

    def paintEvent(self, event) -> None:  # noqa: N802, ARG002
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        p.fillRect(self.rect(), pal.base())
        fm = p.fontMetrics()
        left, right, top, bottom = fm.horizontalAdvance("00.00") + 14, 12, fm.height() + 12, fm.height() + 12
        plot = QRectF(left, top, max(10, self.width() - left - right), max(10, self.height() - top - bottom))
        pts = self.train + self.eval
        p.setPen(QPen(pal.mid().color(), 1))
        p.drawRect(plot)
        if not pts:
            p.setPen(pal.placeholderText().color())
            p.drawText(plot, Qt.AlignmentFlag.AlignCenter, _("The loss curve appears when training starts."))
            return
        xs, ys = [x for x, _y in pts], [y for _x, y in pts]
        x0, x1 = min(xs), max(max(xs), min(xs) + 1)
        y0, y1 = min(ys), max(ys)
        pad = (y1 - y0) * 0.08 or 0.5
        y0, y1 = max(0.0, y0 - pad), y1 + pad

        def map_(x: float, y: float) -> QPointF:
            return QPointF(plot.left() + (x - x0) / (x1 - x0) * plot.width(),
                           plot.bottom() - (y - y0) / (y1 - y0) * plot.height())

        p.setPen(pal.text().color())
        for i in range(5):
            v = y0 + (y1 - y0) * i / 4
            pt = map_(x0, v)
            p.setPen(QPen(pal.midlight().color(), 1, Qt.PenStyle.DotLine))
            p.drawLine(QPointF(plot.left(), pt.y()), QPointF(plot.right(), pt.y()))
            p.setPen(pal.text().color())
            p.drawText(QRectF(0, pt.y() - fm.height() / 2, left - 6, fm.height()),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       QLocale(current_language()).toString(v, "f", 2))  # "0,50" in pt_BR
        p.drawText(QRectF(plot.left(), plot.bottom() + 2, plot.width(), fm.height() + 4),
                   Qt.AlignmentFlag.AlignRight, _("step {n}").format(n=int(x1)))
        for series, color in ((self.train, self.TRAIN), (self.eval, self.EVAL)):
            if not series:
                continue
            path = QPainterPath(map_(*series[0]))
            for x, y in series[1:]:
                path.lineTo(map_(x, y))
            p.setPen(QPen(color, 2))
            p.drawPath(path)
            if len(series) < 40:
                p.setBrush(color)
                for x, y in series:
                    p.drawEllipse(map_(x, y), 2.5, 2.5)
                p.setBrush(Qt.BrushStyle.NoBrush)
        lx = plot.left() + 8
        for label, color in ((_("loss on training examples"), self.TRAIN),
                             (_("loss on held-out examples"), self.EVAL)):
            p.setPen(QPen(color, 3))
            p.drawLine(QPointF(lx, 6 + fm.height() / 2), QPointF(lx + 18, 6 + fm.height() / 2))
            p.setPen(pal.text().color())
            p.drawText(QPointF(lx + 24, 4 + fm.ascent()), label)
            lx += 24 + fm.horizontalAdvance(label) + 18
