"""The training loss curve (train and held-out loss per step), drawn with pyqtgraph.

pyqtgraph is imported when the chart is first shown or first gets a point, not when the window is built, so
the app starts without it. Until then (and while there are no points) a line of text says what will appear.
The legend is a row of labels above the plot, not an item inside it, so it never hides a point; it names the
held-out curve only when there is one.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QStackedLayout, QVBoxLayout, QWidget

from aeon_studio.core.i18n import _
from aeon_studio.core.training.events import Eval, Event, Step

#: Fewer points than this are drawn with a dot on each (a short run reads better point by point).
DOTS_BELOW = 40


class LegendEntry(QWidget):
    """A curve's sample (its colour, line and dot) and its name."""

    def __init__(self, text: str, color: QColor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.swatch = QLabel()
        self.swatch.setPixmap(self._sample(color))
        self.label = QLabel(text)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        lay.addWidget(self.swatch)
        lay.addWidget(self.label)

    def _sample(self, color: QColor) -> QPixmap:
        ratio = self.devicePixelRatioF()
        pix = QPixmap(int(22 * ratio), int(10 * ratio))
        pix.setDevicePixelRatio(ratio)
        pix.fill(Qt.GlobalColor.transparent)
        p = QPainter(pix)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(color, 2))
        p.drawLine(QPointF(1, 5), QPointF(21, 5))
        p.setBrush(color)
        p.drawEllipse(QPointF(11, 5), 2.5, 2.5)
        p.end()
        return pix


class LossChart(QWidget):
    """``train``/``eval`` hold the ``(step, loss)`` points shown; ``plot`` is the pyqtgraph widget once made."""

    TRAIN = QColor("#2f7ed8")
    EVAL = QColor("#e4572e")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.train: list[tuple[float, float]] = []
        self.eval: list[tuple[float, float]] = []
        self.plot = None
        self._curves: dict[str, object] = {}
        self.setMinimumHeight(200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.legend = QWidget()  # shown with the plot; each entry only while its curve has points
        row = QHBoxLayout(self.legend)
        row.setContentsMargins(8, 0, 0, 0)
        row.setSpacing(16)
        self.legend_entries = {"train": LegendEntry(_("loss on training examples"), self.TRAIN),
                               "eval": LegendEntry(_("loss on held-out examples"), self.EVAL)}
        for entry in self.legend_entries.values():
            row.addWidget(entry)
        row.addStretch(1)
        self.legend.hide()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(2)
        outer.addWidget(self.legend)
        self._stack = QStackedLayout()
        outer.addLayout(self._stack)
        self.placeholder = QLabel(_("The loss curve appears when training starts."))
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setProperty("tone", "hint")
        self._stack.addWidget(self.placeholder)

    def clear(self) -> None:
        self.train, self.eval = [], []
        self._redraw()

    def add_train(self, step: float, loss: float) -> None:
        self.train.append((step, loss))
        self._redraw()

    def add_eval(self, step: float, loss: float) -> None:
        self.eval.append((step, loss))
        self._redraw()

    def add_event(self, ev: Event) -> None:
        """Plot a ``step`` (train loss) or ``eval`` event; other events draw nothing."""
        if isinstance(ev, Step):
            self.add_train(ev.step, ev.loss)
        elif isinstance(ev, Eval):
            self.add_eval(ev.step, ev.eval_loss)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().showEvent(event)
        self._redraw()

    def _ensure_plot(self) -> None:
        if self.plot is not None:
            return
        import pyqtgraph as pg

        from aeon_studio.app.shared.plots import new_plot

        self.plot = new_plot(self, decimals=2, whole_x=True)  # steps are counted: no tick at 1.5
        for key, color in (("train", self.TRAIN), ("eval", self.EVAL)):
            self._curves[key] = self.plot.plot([], [], pen=pg.mkPen(color, width=2), symbolBrush=color,
                                               symbolPen=None)
        self._stack.addWidget(self.plot)

    def _redraw(self) -> None:
        points = self.train + self.eval
        self.legend_entries["train"].setVisible(bool(self.train))
        self.legend_entries["eval"].setVisible(bool(self.eval))  # nothing held out: no such curve to name
        if not points:
            self.legend.hide()
            self._stack.setCurrentWidget(self.placeholder)
            return
        if not self.isVisible() and self.plot is None:
            return  # drawn when first shown: the points are kept
        self._ensure_plot()
        for key, series in (("train", self.train), ("eval", self.eval)):
            curve = self._curves[key]
            curve.setData([x for x, _y in series], [y for _x, y in series])
            curve.setSymbol("o" if len(series) < DOTS_BELOW else None)
            curve.setSymbolSize(5)
        ys = [y for _x, y in points]
        low, high = min(ys), max(ys)
        pad = (high - low) * 0.08 or 0.5
        self.plot.setYRange(max(0.0, low - pad), high + pad, padding=0)  # a loss is never below 0
        xs = [x for x, _y in points]
        self.plot.setXRange(min(xs), max(max(xs), min(xs) + 1), padding=0.02)
        self.plot.setLabel("bottom", _("step {n}").format(n=int(max(xs))))
        self._stack.setCurrentWidget(self.plot)
        self.legend.show()
